//! Endpoints of the account's devices: the list, unlinking, the notices,
//! enrolment requests awaiting approval and their approval. Revocation and
//! notices themselves are [`crate::domain::devices`].

use ecard_api::identity::{
    DeviceUnlinked, DeviceView, EnrolmentRequestView, Notice, NoticeKind, PinAction,
};
use ecard_api::problem::ProblemCode;
use ecard_credential::Suite;
use rusqlite::{OptionalExtension, params};

use crate::domain::devices::{notify, revoke_device};
use crate::domain::sms::SmsKind;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};
use crate::store::audit::audit;
use crate::store::codec::parse_enum;

/// Texts the phone on record of the account, if there is one.
pub fn text_account(ctx: &Ctx<'_>, account_id: &str, text: &str) -> ApiResult<()> {
    let phone: Option<String> = ctx
        .tx
        .query_row(
            "SELECT phone FROM accounts WHERE account_id = ?1",
            params![account_id],
            |row| row.get(0),
        )
        .optional()?;
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
    let mut statement = ctx.tx.prepare(
        "SELECT device_id, name, suite, created_at, last_seen_at FROM devices \
         WHERE account_id = ?1 AND revoked_at IS NULL ORDER BY created_at, device_id",
    )?;
    let devices = statement
        .query_map(params![caller.account_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<i64>>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(
            |(device_id, name, suite, enrolled_at, last_seen_at)| DeviceView {
                current: device_id == caller.device_id,
                device_id,
                name,
                suite: Suite::from_name(&suite).unwrap_or(Suite::EcdsaP256),
                enrolled_at: enrolled_at as u64,
                last_seen_at: last_seen_at.map(|at| at as u64),
            },
        )
        .collect::<Vec<_>>();
    Reply::ok(&devices)
}

/// `POST /v1/me/devices/{id}/unlink` (PIN).
pub fn unlink(ctx: &mut Ctx<'_>, device_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    crate::http::pin::require(ctx, PinAction::UnlinkDevice)?;
    let name: Option<String> = ctx
        .tx
        .query_row(
            "SELECT name FROM devices WHERE device_id = ?1 AND account_id = ?2 AND revoked_at IS NULL",
            params![device_id, caller.account_id],
            |row| row.get(0),
        )
        .optional()?;
    let name = name.ok_or_else(|| ApiError::not_found("device"))?;
    let revoked = revoke_device(ctx.tx, device_id, ctx.now)?;
    notify(
        ctx.tx,
        &caller.account_id,
        NoticeKind::DeviceUnlinked,
        Some(&name),
        ctx.now,
    )?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &caller.person_id,
        None,
        "device.unlink",
        device_id,
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
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let mut statement = ctx.tx.prepare(
        "SELECT notice_id, kind, device_name, at FROM notices WHERE account_id = ?1 AND notice_id > ?2 \
         ORDER BY notice_id LIMIT 100",
    )?;
    let notices = statement
        .query_map(params![caller.account_id, after], |row| {
            Ok(Notice {
                notice_id: row.get::<_, i64>(0)? as u64,
                kind: parse_enum(&row.get::<_, String>(1)?)?,
                device_name: row.get(2)?,
                at: row.get::<_, i64>(3)? as u64,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Reply::ok(&notices)
}

/// `GET /v1/me/enrolment-requests`: devices that passed the face check for
/// this account holder and wait for a code or an approval.
pub fn enrolment_requests(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let mut statement = ctx.tx.prepare(
        "SELECT enrolment_id, device_name, device_suite, present_at, expires_at FROM enrolments \
         WHERE person_id = ?1 AND state = 'present' AND expires_at > ?2 ORDER BY present_at",
    )?;
    let requests = statement
        .query_map(params![caller.person_id, ctx.now as i64], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(
            |(enrolment_id, device_name, suite, requested_at, expires_at)| EnrolmentRequestView {
                enrolment_id,
                device_name,
                device_suite: Suite::from_name(&suite).unwrap_or(Suite::EcdsaP256),
                requested_at: requested_at as u64,
                expires_at: expires_at as u64,
            },
        )
        .collect::<Vec<_>>();
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
