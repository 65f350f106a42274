//! Endpoints of the PIN — changing it, buying a grant, resetting it after a
//! face check — and [`require`], which every act that needs the PIN calls
//! with the grant in its body. Hashing, tries and grants are
//! [`crate::domain::pin`].

use axum::http::StatusCode;
use ecard_api::identity::{
    FacePurpose, NoticeKind, PinAction, PinChange, PinGrantRequest, PinReset,
};

use crate::domain::access::Caller;
use crate::domain::pin::{issue_grant, set, spend, verify};
use crate::error::ApiResult;
use crate::http::context::{Ctx, Reply};

/// `POST /v1/me/pin/grants`.
pub fn grant(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let request: PinGrantRequest = ctx.json()?;
    if let Err(error) = verify(ctx.tx, &caller, &request.pin, (ctx.now, ctx.hashed_ahead)) {
        return Ok(Reply::problem(error));
    }
    let grant = issue_grant(ctx.tx, &caller, request.action, ctx.now)?;
    Reply::json(StatusCode::CREATED, &grant)
}

/// The `pin_grant` field of a request body, if the body is a JSON object
/// that has one.
pub fn grant_in_body(ctx: &Ctx<'_>) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(ctx.body)
        .ok()?
        .get("pin_grant")?
        .as_str()
        .map(str::to_owned)
}

/// Spends the grant in the request body for `action`.
pub fn require(ctx: &Ctx<'_>, action: PinAction) -> ApiResult<()> {
    let caller = ctx.caller()?;
    spend(
        ctx.tx,
        caller,
        grant_in_body(ctx).as_deref(),
        action,
        ctx.now,
    )
}

/// `POST /v1/me/pin`: change the PIN knowing the current one.
pub fn change(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let request: PinChange = ctx.json()?;
    crate::domain::access::ensure_may_set_own_pin(ctx.tx, &caller.person_id, ctx.now)?;
    if let Err(error) = verify(
        ctx.tx,
        &caller,
        &request.current_pin,
        (ctx.now, ctx.hashed_ahead),
    ) {
        return Ok(Reply::problem(error));
    }
    let person = crate::store::rows::person(ctx.tx, &caller.person_id)?;
    set(
        ctx.tx,
        &caller.account_id,
        &person,
        &request.new_pin,
        (ctx.now, ctx.hashed_ahead),
    )?;
    changed(ctx, &caller, "pin.change")
}

fn changed(ctx: &mut Ctx<'_>, caller: &Caller, action: &str) -> ApiResult<Reply> {
    crate::domain::devices::notify(
        ctx.tx,
        &caller.account_id,
        NoticeKind::PinChanged,
        None,
        ctx.now,
    )?;
    crate::store::audit::audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &caller.person_id,
        None,
        action,
        &caller.account_id,
    )?;
    Reply::ok(&serde_json::json!({ "changed_at": ctx.now }))
}

/// `POST /v1/me/pin/reset`: a new PIN after a face check, also when locked.
pub fn reset(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let request: PinReset = ctx.json()?;
    crate::domain::access::ensure_may_set_own_pin(ctx.tx, &caller.person_id, ctx.now)?;
    let person = crate::store::rows::person(ctx.tx, &caller.person_id)?;
    if let Some(refused) = crate::http::face::confirm_person(
        ctx,
        FacePurpose::PinReset,
        &caller.account_id,
        &person,
        &request.face_result,
        "the account holder",
    )? {
        return Ok(refused);
    }
    set(
        ctx.tx,
        &caller.account_id,
        &person,
        &request.new_pin,
        (ctx.now, ctx.hashed_ahead),
    )?;
    changed(ctx, &caller, "pin.reset")
}
