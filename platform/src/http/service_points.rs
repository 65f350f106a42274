//! Online resolution at service points (`POST /v1/service-point/resolutions`,
//! operator token), the resident's access records
//! (`GET /v1/me/access-records`, `POST /v1/me/access-records/{id}/report`)
//! and the admin's view of the reports (`GET /admin/access-reports`). The
//! rules and the rows are `domain::service_points`'.

use axum::http::StatusCode;
use ecard_api::clearing::terminal_id_is_well_formed;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::Scope;
use ecard_api::service_points::{
    AccessReportRequest, DEFAULT_ACCESS_RECORDS_PAGE, MAX_ACCESS_RECORDS_PAGE, ResolutionRequest,
};

use crate::domain::service_points as domain;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};
use crate::http::plumbing::Stage;

/// `POST /v1/service-point/resolutions`, first stage: a terminal of a
/// registered service point sends a scanned code; the operator's purposes,
/// the terminal's and the operator's budgets and the code's purpose are
/// checked before any cryptography. Refusals after the attempt was counted
/// still commit, so a flood of bad codes spends the budget too.
pub fn admit_resolution(ctx: &mut Ctx<'_>) -> ApiResult<Stage<PendingResolution>> {
    let operator = ctx.operator()?.clone();
    let point = domain::service_point(ctx.tx, &operator.operator_id)?;
    let kind = domain::ensure_resolves_something(&point)?;
    let request: ResolutionRequest = ctx.json()?;
    if !terminal_id_is_well_formed(&request.terminal_id) {
        return Err(ApiError::field(
            "terminal_id",
            "1–64 characters of A-Z a-z 0-9 . _ -",
        ));
    }
    if let Some(retry_after) =
        domain::count_attempt(ctx.tx, &point, kind, &request.terminal_id, ctx.now)?
    {
        return Ok(Stage::Reply(
            Reply::problem(ApiError::new(
                ProblemCode::RateLimited,
                format!("too many resolutions; try again in {retry_after} seconds"),
            ))
            .with_retry_after(retry_after),
        ));
    }
    let trust = (&ctx.state.trust_cache, ctx.state.issuer_name.as_str());
    match domain::admit_code(ctx.tx, trust, &point, &request.code, ctx.now) {
        Ok(code) => Ok(Stage::Continue(PendingResolution {
            point,
            terminal_id: request.terminal_id,
            now: ctx.now,
            code,
        })),
        Err(error) => refused(error).map(Stage::Reply),
    }
}

/// A resolution between its stages: the service point, the terminal and
/// the code, unchecked (`C` = [`domain::AdmittedCode`]) or checked
/// (`C` = [`domain::CheckedCode`]).
#[derive(Clone)]
pub struct PendingResolution<C = domain::AdmittedCode> {
    point: domain::ServicePoint,
    terminal_id: String,
    now: u64,
    code: C,
}

/// Second stage, outside any transaction: the signature checks.
pub fn check_resolution(
    pending: PendingResolution,
) -> ApiResult<PendingResolution<domain::CheckedCode>> {
    Ok(PendingResolution {
        code: pending.code.check(pending.now)?,
        point: pending.point,
        terminal_id: pending.terminal_id,
        now: pending.now,
    })
}

/// Last stage: revocation, replay, the answer and the access record.
pub fn resolve(
    ctx: &mut Ctx<'_>,
    checked: ApiResult<PendingResolution<domain::CheckedCode>>,
) -> ApiResult<Reply> {
    let checked = checked?;
    let trust = (&ctx.state.trust_cache, ctx.state.issuer_name.as_str());
    match domain::resolve(
        ctx.tx,
        trust,
        &checked.point,
        &checked.terminal_id,
        checked.code,
        ctx.now,
    ) {
        Ok(resolution) => Reply::ok(&resolution),
        Err(error) => refused(error),
    }
}

/// A refusal as the reply (its writes, the attempt's count, commit); an
/// internal error as an error (the transaction rolls back).
fn refused(error: ApiError) -> ApiResult<Reply> {
    if error.code() == ProblemCode::Internal {
        Err(error)
    } else {
        Ok(Reply::problem(error))
    }
}

/// `GET /v1/me/access-records?person_id=&before=&limit=`: who resolved the
/// person's codes, newest first.
pub fn list(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let person_id = ctx.subject_param()?;
    let (before, limit) = ctx.page(
        "a record cursor",
        DEFAULT_ACCESS_RECORDS_PAGE,
        MAX_ACCESS_RECORDS_PAGE,
    )?;
    // Their own, or those of someone whose cards they track.
    ctx.may_see(&person_id, &[Scope::Track])?;
    Reply::ok(&domain::records(ctx.tx, &person_id, before, limit)?)
}

/// `POST /v1/me/access-records/{id}/report`: the resident (or whoever
/// tracks their cards) reports a record they do not recognise. A record
/// they may not see is "not found".
pub fn report(ctx: &mut Ctx<'_>, record_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let record = domain::record(ctx.tx, record_id)?
        .filter(|record| ctx.may_see(&record.person_id, &[Scope::Track]).is_ok())
        .ok_or_else(|| ApiError::not_found("access record"))?;
    let request: AccessReportRequest = ctx.json()?;
    let report = domain::report(
        ctx.tx,
        &record.record_id,
        &caller.account_id,
        &request,
        ctx.now,
    )?;
    Reply::json(StatusCode::CREATED, &report)
}

/// `GET /admin/access-reports`: residents' reports, newest first.
pub fn admin_reports(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    Reply::ok(&domain::reports(ctx.tx)?)
}
