//! Social-insurance records and certificates (参保证明):
//! `GET /v1/me/insurance-records`, `POST /v1/me/certificates`,
//! `GET /v1/me/certificates`, `GET /v1/me/certificates/{id}/pdf`
//! (device-signed: the person, or a proxy whose mandate carries the
//! `records` scope) and the public checks
//! `GET /v1/certificate-checks/{code}` and `POST /v1/certificate-checks`
//! (the PDF's bytes). The rules and rows are `domain::insurance_records`'
//! and `domain::certificates'`.

use axum::http::StatusCode;
use ecard_api::insurance::{CertificateRequest, MAX_CHECKED_PDF, canonical_code};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::Scope;

use crate::domain::access::authorise;
use crate::domain::certificates::{self, Issuer, Requester};
use crate::domain::insurance_records;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};

/// The person a read is about (`person_id`, default the caller), whose
/// records the caller may see: their own, or under a mandate with the
/// `records` scope.
fn readable_subject(ctx: &Ctx<'_>) -> ApiResult<String> {
    let person_id = ctx.subject_param()?;
    ctx.may_see(&person_id, &[Scope::Records])?;
    Ok(person_id)
}

/// `GET /v1/me/insurance-records?person_id=`: the whole record, with an
/// entity tag (an unchanged record answers `304`).
pub fn records(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let person_id = readable_subject(ctx)?;
    let etag = insurance_records::record_etag(ctx.tx, &person_id, ctx.now)?;
    let record = insurance_records::record(ctx.tx, &person_id, ctx.now)?;
    Ok(Reply::ok(&record)?.with_etag(etag))
}

/// `POST /v1/me/certificates`: issues a certificate (idempotent).
pub fn issue(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: CertificateRequest = ctx.json()?;
    let caller = ctx.caller()?;
    let person_id = request
        .person_id
        .clone()
        .unwrap_or_else(|| caller.person_id.clone());
    // An act, not a read: the minors' rules apply to the holder too.
    let mandate = authorise(ctx.tx, caller, &person_id, Scope::Records, ctx.now)?;
    let public_base = crate::http::oidc::issuer(ctx);
    let certificate = certificates::issue(
        ctx.tx,
        &Issuer {
            name: &ctx.state.issuer_name,
            public_base: &public_base,
            font: &ctx.state.certificate_font,
        },
        &Requester {
            account_id: &caller.account_id,
            person_id: &caller.person_id,
            mandate_id: mandate.as_deref(),
        },
        &person_id,
        &request,
        ctx.now,
    )?;
    Reply::json(StatusCode::CREATED, &certificate)
}

/// `GET /v1/me/certificates?person_id=`: the certificates issued for the
/// person (by the holder or a proxy), newest first, the expired ones
/// included.
pub fn list(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let person_id = readable_subject(ctx)?;
    let public_base = crate::http::oidc::issuer(ctx);
    Reply::ok(&certificates::list(ctx.tx, &person_id, &public_base)?)
}

/// `GET /v1/me/certificates/{id}/pdf`: the PDF as issued. Someone else's
/// certificate without the `records` scope is not found.
pub fn pdf(ctx: &mut Ctx<'_>, certificate_id: &str) -> ApiResult<Reply> {
    let (person_id, pdf) = certificates::pdf(ctx.tx, certificate_id)?;
    if ctx.may_see(&person_id, &[Scope::Records]).is_err() {
        return Err(ApiError::not_found("certificate"));
    }
    Ok(Reply::bytes(pdf, "application/pdf").with_header("cache-control", "no-store".to_owned()))
}

/// A source whose failed checks locked it.
fn locked(ctx: &Ctx<'_>) -> ApiResult<Option<Reply>> {
    Ok(
        certificates::checks_locked_for(ctx.tx, &ctx.source, ctx.now)?.map(|retry_after| {
            Reply::problem(ApiError::new(
                ProblemCode::RateLimited,
                format!("too many failed checks; try again in {retry_after} seconds"),
            ))
            .with_retry_after(retry_after)
        }),
    )
}

/// `GET /v1/certificate-checks/{code}` (public): valid, expired or unknown.
pub fn check_code(ctx: &mut Ctx<'_>, code: &str) -> ApiResult<Reply> {
    if let Some(reply) = locked(ctx)? {
        return Ok(reply);
    }
    let canonical = canonical_code(code);
    let check = certificates::check_code(
        ctx.tx,
        canonical.as_deref(),
        &ctx.source,
        &ctx.state.issuer_name,
        ctx.now,
    )?;
    Reply::ok(&check)
}

/// `POST /v1/certificate-checks` (public, the PDF as the body): whether
/// this exact file is a valid certificate issued here (an empty body is
/// not one).
pub fn check_file(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    if let Some(reply) = locked(ctx)? {
        return Ok(reply);
    }
    if ctx.body.len() > MAX_CHECKED_PDF {
        return Err(ApiError::new(
            ProblemCode::BodyTooLarge,
            format!("a certificate is at most {MAX_CHECKED_PDF} bytes"),
        ));
    }
    match certificates::check_file(
        ctx.tx,
        ctx.body,
        &ctx.source,
        &ctx.state.issuer_name,
        ctx.now,
    ) {
        Ok(check) => Reply::ok(&check),
        // The refusal commits: the failed check stays counted.
        Err(error) if error.code() != ProblemCode::Internal => Ok(Reply::problem(error)),
        Err(error) => Err(error),
    }
}
