//! Endpoints of pension eligibility (待遇资格认证): the person's current
//! cycle, and the face check a pensioner — or a family member under a
//! mandate with the `eligibility` scope, on their own phone with the
//! pensioner's face — runs to certify. The rules and the records are
//! [`crate::domain::eligibility`]'s; the face result is checked as every
//! face result is ([`crate::http::face::confirm_person`]), so a helper's
//! own face, a result for another challenge or device, or a replayed one
//! is refused and counted.

use axum::http::StatusCode;
use ecard_api::eligibility::EligibilityCheckRequest;
use ecard_api::identity::{FacePurpose, FaceResultSubmission};
use ecard_api::resident::Scope;

use crate::domain::access::authorise;
use crate::domain::eligibility as domain;
use crate::error::ApiResult;
use crate::http::context::{Ctx, Reply};
use crate::store::audit::audit;
use crate::store::rows::person;

/// `GET /v1/me/eligibility?person_id=`: the caller's own cycle, or that of
/// someone they hold an `eligibility` (or `track`) mandate for.
pub fn get(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let person_id = ctx.subject_param()?;
    ctx.may_see(&person_id, &[Scope::Track, Scope::Eligibility])?;
    Reply::ok(&domain::status(ctx.tx, &person_id, ctx.now)?)
}

/// `POST /v1/eligibility-checks`: a face check of the pensioner on this
/// device, bound to the pensioner and the device.
pub fn start(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let request: EligibilityCheckRequest = ctx.json()?;
    let mandate = authorise(
        ctx.tx,
        &caller,
        &request.person_id,
        Scope::Eligibility,
        ctx.now,
    )?;
    let check = domain::start_check(
        ctx.tx,
        &caller,
        &request.person_id,
        mandate.as_deref(),
        ctx.now,
    )?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &request.person_id,
        mandate.as_deref(),
        "eligibility.check.start",
        &check.check_id,
    )?;
    Reply::json(StatusCode::CREATED, &check)
}

/// `POST /v1/eligibility-checks/{id}/face`: the face platform's signed
/// result of the pensioner's face for the check's challenge on this
/// device certifies; the audit trail names who helped.
pub fn face(ctx: &mut Ctx<'_>, check_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let check = domain::open_check(ctx.tx, &caller, check_id)?;
    let submission: FaceResultSubmission = ctx.json()?;
    // The mandate must still hold when the face is handed in.
    let mandate = authorise(
        ctx.tx,
        &caller,
        &check.person_id,
        Scope::Eligibility,
        ctx.now,
    )?;
    let pensioner = person(ctx.tx, &check.person_id)?;
    if let Some(refused) = crate::http::face::confirm_person(
        ctx,
        FacePurpose::EligibilityCheck,
        check_id,
        &pensioner,
        &submission.face_result,
        "the pensioner",
    )? {
        return Ok(refused);
    }
    let status = domain::certify_by_face(ctx.tx, &check, mandate.as_deref(), ctx.now)?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &check.person_id,
        mandate.as_deref(),
        "eligibility.certify.face",
        check_id,
    )?;
    Reply::ok(&status)
}
