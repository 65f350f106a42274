//! The phone on record and face challenges for signed-in acts.
//!
//! The phone on record is where enrolment codes go, so changing it is its
//! own act: the PIN, a face check of the account holder and a one-time code
//! sent to the *old* phone; or in person at a counter
//! (`POST /admin/people/{id}/phone`). Enrolment never changes it.

use axum::http::StatusCode;
use ecard_api::identity::{
    FaceChallenge, FaceChallengeRequest, FacePurpose, NoticeKind, PhoneChangeConfirmation,
    PhoneChangeRequest, PhoneChangeStarted, PinAction,
};
use ecard_api::problem::ProblemCode;
use serde::Deserialize;

use crate::domain::devices::notify;
use crate::domain::face::device_binding;
use crate::domain::sms::{SmsKind, code_hash, mask_phone, new_code, same_digest};
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};
use crate::store::audit::audit;
use crate::store::db::new_id;
use crate::store::rows::person;

/// Life of a phone-change code, seconds.
const CODE_SECONDS: u64 = 5 * 60;

/// Wrong codes before a phone change is spent.
const CODE_TRIES: u32 = 5;

/// `POST /v1/me/face-challenges`: a challenge for the account holder's
/// face on this device (PIN reset, phone change).
pub fn face_challenge(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let request: FaceChallengeRequest = ctx.json()?;
    if !matches!(
        request.purpose,
        FacePurpose::PinReset | FacePurpose::PhoneChange
    ) {
        return Err(ApiError::field(
            "purpose",
            "pin_reset or phone_change; mandates have their own challenge",
        ));
    }
    let binding = device_binding(caller.device_key.as_bytes());
    let issued = crate::domain::face::issue_challenge(
        ctx.tx,
        request.purpose,
        &caller.person_id,
        &binding,
        &caller.account_id,
        ctx.now,
    )?;
    Reply::json(
        StatusCode::CREATED,
        &FaceChallenge {
            challenge: issued.challenge,
            purpose: request.purpose,
            device_binding: binding,
            expires_at: issued.expires_at,
        },
    )
}

/// `POST /v1/me/phone-changes`.
pub fn start(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let request: PhoneChangeRequest = ctx.json()?;
    let new_phone = ecard_documents::validate_phone(&request.new_phone)
        .map_err(|error| ApiError::field("new_phone", error.message(ecard_credential::Locale::En)))?
        .number()
        .to_owned();
    crate::domain::pin::spend(
        ctx.tx,
        &caller,
        Some(&request.pin_grant),
        PinAction::ChangePhone,
        ctx.now,
    )?;
    let holder = person(ctx.tx, &caller.person_id)?;
    if let Some(refused) = crate::http::face::confirm_person(
        ctx,
        FacePurpose::PhoneChange,
        &caller.account_id,
        &holder,
        &request.face_result,
        "the account holder",
    )? {
        return Ok(refused);
    }
    // The caller's account exists: the request was signed by one of its
    // devices. Were it gone, this is the storage failure it always was.
    let old_phone = crate::domain::accounts::phone_on_record(ctx.tx, &caller.account_id)?
        .ok_or(crate::store::sql::Error::QueryReturnedNoRows)?;
    if old_phone.is_empty() {
        return Err(ApiError::new(
            ProblemCode::NotAllowedByRules,
            "no phone is on record: change it at a service counter",
        ));
    }
    let change_id = new_id("phone");
    let code = new_code();
    let expires_at = ctx.now + CODE_SECONDS;
    crate::domain::accounts::start_phone_change(
        ctx.tx,
        &caller.account_id,
        &crate::domain::accounts::PhoneChange {
            change_id: &change_id,
            new_phone: &new_phone,
            code_hash: &code_hash(&change_id, &code),
            code_expires_at: expires_at,
        },
        ctx.now,
    )?;
    ctx.state.sms.send(
        ctx.tx,
        &old_phone,
        SmsKind::PhoneChangeCode,
        &format!("【电子社保卡】验证码 {code}，5分钟内有效。您正在更换电子社保卡预留手机号，如非本人操作请勿告诉任何人。"),
        ctx.now,
    )?;
    Reply::json(
        StatusCode::CREATED,
        &PhoneChangeStarted {
            change_id,
            code_sent_to: mask_phone(&old_phone),
            expires_at,
        },
    )
}

/// `POST /v1/me/phone-changes/{id}/confirmation`.
pub fn confirm(ctx: &mut Ctx<'_>, change_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let request: PhoneChangeConfirmation = ctx.json()?;
    let crate::domain::accounts::StoredPhoneChange {
        new_phone,
        code_hash: stored,
        code_expires_at: expires_at,
        code_tries: tries,
        state,
    } = crate::domain::accounts::phone_change(ctx.tx, change_id, &caller.account_id)?
        .ok_or_else(|| ApiError::not_found("phone change"))?;
    if state != "waiting" {
        return Err(ApiError::state("this phone change is over; start again"));
    }
    let fresh = ctx.now < expires_at.max(0) as u64;
    if !(fresh && same_digest(&stored, &code_hash(change_id, request.one_time_code.trim()))) {
        let tries = tries + 1;
        let spent = tries >= CODE_TRIES || !fresh;
        crate::domain::accounts::count_wrong_phone_code(ctx.tx, change_id, tries, spent)?;
        let detail = if spent {
            "the code expired or was wrong too often; start again".to_owned()
        } else {
            format!("the code is wrong; {} tries left", CODE_TRIES - tries)
        };
        return Ok(Reply::problem(ApiError(
            ecard_api::problem::Problem::new(ProblemCode::OneTimeCodeWrong, detail)
                .with_field("one_time_code"),
        )));
    }
    crate::domain::accounts::complete_phone_change(
        ctx.tx,
        change_id,
        &caller.account_id,
        &new_phone,
    )?;
    notify(
        ctx.tx,
        &caller.account_id,
        NoticeKind::PhoneChanged,
        None,
        ctx.now,
    )?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &caller.person_id,
        None,
        "account.phone",
        change_id,
    )?;
    Reply::ok(&serde_json::json!({ "phone_masked": mask_phone(&new_phone), "changed_at": ctx.now }))
}

#[derive(Deserialize)]
struct CounterPhone {
    phone: String,
}

/// `POST /admin/people/{id}/phone`: a counter clerk records the phone the
/// person shows in person, in the register and on the account.
pub fn counter_change(ctx: &mut Ctx<'_>, person_id: &str) -> ApiResult<Reply> {
    let request: CounterPhone = ctx.json()?;
    let phone = ecard_documents::validate_phone(&request.phone)
        .map_err(|error| ApiError::field("phone", error.message(ecard_credential::Locale::En)))?
        .number()
        .to_owned();
    person(ctx.tx, person_id)?;
    let account = crate::domain::accounts::record_phone_at_counter(ctx.tx, person_id, &phone)?;
    if let Some(account_id) = account {
        notify(ctx.tx, &account_id, NoticeKind::PhoneChanged, None, ctx.now)?;
        audit(
            ctx.tx,
            ctx.now,
            "counter",
            person_id,
            None,
            "account.phone.counter",
            &account_id,
        )?;
    }
    Reply::ok(&serde_json::json!({ "phone_masked": mask_phone(&phone) }))
}
