//! Endpoints of scan-to-login on the phone's side and the admin's: reading
//! a login request (who asks for what, as registered), approving it with the
//! PIN (for oneself, or for a relative under a mandate with the `login`
//! scope), denying it, the resident's authorisations and their revocation,
//! and registering relying parties. The flow itself is
//! [`crate::domain::login`]; the relying party's endpoints are
//! [`crate::http::oidc`].

use axum::http::StatusCode;
use ecard_api::identity::PinAction;
use ecard_api::login::{LoginApproval, NewRelyingParty};

use crate::domain::login;
use crate::error::ApiResult;
use crate::http::context::{Ctx, Reply};

/// `POST /admin/relying-parties`: registers a relying party; the answer
/// carries its client secret this once.
pub fn register(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: NewRelyingParty = ctx.json()?;
    Reply::json(
        StatusCode::CREATED,
        &login::register(ctx.tx, &request, ctx.now)?,
    )
}

/// `GET /v1/login-requests/{id}`: the registered relying party, its kind,
/// the scopes and the expiry, for the app to show before the PIN.
pub fn view(ctx: &mut Ctx<'_>, request_id: &str) -> ApiResult<Reply> {
    ctx.caller()?;
    Reply::ok(&login::view(ctx.tx, request_id, ctx.now)?)
}

/// `POST /v1/login-requests/{id}/approve`: the caller logs in (or, under
/// `on_behalf_of`, logs a relative in) with a PIN grant for `approve_login`.
pub fn approve(ctx: &mut Ctx<'_>, request_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let approval: LoginApproval = ctx.json()?;
    // What cannot be approved is refused before the grant is spent.
    login::pending(ctx.tx, request_id, ctx.now)?;
    login::login_subject(ctx.tx, &caller, approval.on_behalf_of.as_deref(), ctx.now)?;
    crate::domain::pin::spend(
        ctx.tx,
        &caller,
        approval.pin_grant.as_deref(),
        PinAction::ApproveLogin,
        ctx.now,
    )?;
    Reply::ok(&login::approve(
        ctx.tx,
        &caller,
        request_id,
        approval.on_behalf_of.as_deref(),
        ctx.now,
    )?)
}

/// `POST /v1/login-requests/{id}/deny`: the resident refuses; the browser
/// goes back to the relying party with `access_denied`.
pub fn deny(ctx: &mut Ctx<'_>, request_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    Reply::ok(&login::deny(ctx.tx, &caller, request_id, ctx.now)?)
}

/// `GET /v1/me/authorisations`: what the caller authorised, and what was
/// authorised for them.
pub fn authorisations(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    Reply::ok(&login::authorisations(ctx.tx, &caller)?)
}

/// `POST /v1/me/authorisations/{id}/revoke`: ends an authorisation and its
/// tokens.
pub fn revoke(ctx: &mut Ctx<'_>, authorisation_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    Reply::ok(&login::revoke(ctx.tx, &caller, authorisation_id, ctx.now)?)
}
