//! Endpoints of the account's devices: the list, unlinking, the notices,
//! enrolment requests awaiting approval and their approval. Revocation and
//! notices themselves are [`crate::domain::devices`].

use ecard_api::identity::{DeviceUnlinked, PinAction};
use ecard_api::problem::ProblemCode;

use crate::domain::accounts::phone_on_record;
use crate::domain::devices::{
    Unlinking, active_device_name, notices_after, unlink as unlink_device,
};
use crate::domain::enrolment::waiting_for_approval;
use crate::domain::sms::SmsKind;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};
use crate::store::audit::audit;

/// Texts the phone on record of the account, if there is one.
pub fn text_account(ctx: &Ctx<'_>, account_id: &str, text: &str) -> ApiResult<()> {
    let phone = phone_on_record(ctx.tx, account_id)?;
    if let Some(phone) = phone.filter(|phone| !phone.is_empty()) {
        ctx.state
            .sms
            .send(ctx.tx, &phone, SmsKind::Notice, text, ctx.now)?;
    }
    Ok(())
}

/// `GET /v1/me/devices`.
pub fn list(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let devices = crate::domain::devices::list(ctx.tx, &caller.account_id, &caller.device_id)?;
    Reply::ok(&devices)
}

/// `POST /v1/me/devices/{id}/unlink` (PIN).
pub fn unlink(ctx: &mut Ctx<'_>, device_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    crate::http::pin::require(ctx, PinAction::UnlinkDevice)?;
    let name = active_device_name(ctx.tx, device_id, &caller.account_id)?;
    let name = name.ok_or_else(|| ApiError::not_found("device"))?;
    let revoked = unlink_device(
        ctx.tx,
        &Unlinking {
            account_id: &caller.account_id,
            person_id: &caller.person_id,
            device_id,
            name: &name,
            action: "device.unlink",
        },
        ctx.now,
    )?;
    text_account(
        ctx,
        &caller.account_id,
        &format!(
            "【电子社保卡】设备「{name}」已解除关联。如非本人操作，请立即修改电子社保卡密码。"
        ),
    )?;
    Reply::ok(&DeviceUnlinked {
        device_id: device_id.to_owned(),
        unlinked_at: ctx.now,
        credentials_revoked: revoked as u32,
    })
}

/// `GET /v1/me/notices?after=N`.
pub fn notices(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let after = match ctx.query_param("after") {
        None => 0,
        Some(value) => value.parse::<u64>().map_err(|_| {
            ApiError::new(
                ProblemCode::MalformedRequest,
                "after must be a notice id (an integer of at least 0)",
            )
        })?,
    };
    let notices = notices_after(ctx.tx, &caller.account_id, after)?;
    Reply::ok(&notices)
}

/// `GET /v1/me/enrolment-requests`: devices that passed the face check for
/// this account holder and wait for a code or an approval.
pub fn enrolment_requests(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let requests = waiting_for_approval(ctx.tx, &caller.person_id, ctx.now)?;
    Reply::ok(&requests)
}

/// `POST /v1/me/enrolment-requests/{id}/approval` (PIN): an enrolled device
/// approves a new one of the same account holder.
pub fn approve(ctx: &mut Ctx<'_>, enrolment_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    crate::http::pin::require(ctx, PinAction::ApproveDevice)?;
    let approved = crate::domain::enrolment::approve(ctx.tx, enrolment_id, &caller, ctx.now)?;
    if !approved {
        return Err(ApiError::new(
            ProblemCode::NotFound,
            "no enrolment of yours waits for approval under this id",
        ));
    }
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &caller.person_id,
        None,
        "device.approve",
        enrolment_id,
    )?;
    Reply::ok(&serde_json::json!({ "enrolment_id": enrolment_id, "approved_at": ctx.now }))
}
