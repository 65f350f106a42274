//! Enrolment (签发 on a phone): a device key joins a resident's account only
//! on proof of presence and possession, never on knowledge.
//!
//! 1. `POST /v1/enrolments` names the person and the device key. The answer
//!    is the same for every identity: an enrolment id and a face challenge.
//! 2. `POST /v1/enrolments/{id}/presence` (signed by the key being enrolled)
//!    hands in the face platform's signed result, bound to the person, the
//!    challenge and that key. Only now is the register consulted; a missing
//!    person, a wrong name and a failed face all get one answer. On success
//!    a one-time code goes to the phone on record, and the account's
//!    enrolled devices are told.
//! 3. `POST /v1/enrolments/{id}/completion` (signed) finishes with the code,
//!    or, for a further device of an existing account, after an enrolled
//!    device approved it. A new account sets its e-card PIN here.
//!
//! The phone on record never changes here. Every step counts against the
//! document number, the device key and the source address
//! ([`crate::domain::limits`]) and is written to `identity_attempts`.

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::identity::{
    EnrolmentCompletion, EnrolmentRequest, EnrolmentResponse, EnrolmentStarted, FaceChallenge,
    FacePurpose, FaceResultSubmission, NoticeKind, PresenceConfirmed,
};
use ecard_api::problem::ProblemCode;
use ecard_credential::PublicKey;

use crate::domain::accounts::{ActiveAccount, active_account_of};
use crate::domain::devices::{
    Unlinking, active_count, active_device_name, key_enrolled, least_recently_used, notify,
    unlink as unlink_device,
};
use crate::domain::enrolment::{
    CODE_SECONDS, CODE_TRIES, CodeState, ENROLMENT_SECONDS, Enrolling, IdentityAttempt, code_state,
    record_attempt,
};
use crate::domain::face::{device_binding, subject_of};
use crate::domain::limits;
use crate::domain::limits::{DEVICE_KEY, IDENTITY, SOURCE, STARTS};
use crate::domain::pin::is_set as pin_is_set;
use crate::domain::sms::{SmsKind, code_hash, mask_phone, new_code, same_digest};
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};
use crate::http::devices::text_account;
use crate::store::audit::audit;
use crate::store::rows::person;

fn record(ctx: &Ctx<'_>, step: &str, subject: &str, binding: &str, outcome: &str) -> ApiResult<()> {
    let attempt = IdentityAttempt {
        step,
        subject,
        device_binding: binding,
        source: &ctx.source,
        outcome,
    };
    record_attempt(ctx.tx, &attempt, ctx.now)
}

/// One answer for every identity that could not be confirmed.
fn not_verified() -> ApiError {
    ApiError::new(
        ProblemCode::IdentityNotVerified,
        "the identity could not be verified",
    )
}

/// Counts a failed proof against the document, the key and the source.
fn fail_all(ctx: &Ctx<'_>, subject: &str, binding: &str) -> ApiResult<()> {
    limits::fail(ctx.tx, IDENTITY, subject, ctx.now)?;
    limits::fail(ctx.tx, DEVICE_KEY, binding, ctx.now)?;
    limits::fail(ctx.tx, SOURCE, &ctx.source, ctx.now)?;
    Ok(())
}

/// `POST /v1/enrolments`.
pub fn start(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: EnrolmentRequest = ctx.json()?;
    let key_bytes = URL_SAFE_NO_PAD
        .decode(&request.device_public_key)
        .map_err(|_| ApiError::field("device_public_key", "not base64url"))?;
    let device_key = PublicKey::from_bytes(request.device_suite, &key_bytes).map_err(|_| {
        ApiError::field("device_public_key", "not a valid public key for the suite")
    })?;
    let name = request.device_name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::field("device_name", "1–64 characters"));
    }
    let identity = &request.identity;
    if identity.id_number.trim().is_empty()
        || identity.id_number.len() > 64
        || identity.name.len() > 256
    {
        return Err(ApiError::field("identity", "a document number and a name"));
    }
    let subject = subject_of(&identity.id_type, &identity.id_number);
    let binding = device_binding(device_key.as_bytes());
    limits::check(
        ctx.tx,
        &[
            (STARTS, &ctx.source),
            (SOURCE, &ctx.source),
            (DEVICE_KEY, &binding),
            (IDENTITY, &subject),
        ],
        ctx.now,
    )?;
    limits::fail(ctx.tx, STARTS, &ctx.source, ctx.now)?;
    if key_enrolled(ctx.tx, device_key.as_bytes())? {
        return Err(ApiError::field(
            "device_public_key",
            "this key is already enrolled; make a new key",
        ));
    }
    // Whether the register knows the person by this name is not told here.
    let person_id = match crate::domain::register::verify_identity(ctx.tx, identity) {
        Ok(person) => Some(person.person_id),
        Err(error) if error.code() == ProblemCode::IdentityNotVerified => None,
        Err(error) => return Err(error),
    };
    let expires_at = ctx.now + ENROLMENT_SECONDS;
    let enrolment_id = crate::domain::enrolment::start(
        ctx.tx,
        &crate::domain::enrolment::NewEnrolment {
            person_id: person_id.as_deref(),
            subject: &subject,
            device_key: &device_key,
            device_binding: &binding,
            device_name: name,
            source: &ctx.source,
        },
        ctx.now,
    )?;
    let challenge = crate::domain::face::issue_challenge(
        ctx.tx,
        FacePurpose::Enrolment,
        person_id.as_deref().unwrap_or(""),
        &binding,
        &enrolment_id,
        ctx.now,
    )?;
    record(ctx, "start", &subject, &binding, "started")?;
    Reply::json(
        StatusCode::CREATED,
        &EnrolmentStarted {
            enrolment_id,
            face: FaceChallenge {
                challenge: challenge.challenge,
                purpose: FacePurpose::Enrolment,
                device_binding: binding,
                expires_at: challenge.expires_at.min(expires_at),
            },
            expires_at,
        },
    )
}

fn enrolling<'c>(ctx: &'c Ctx<'_>, enrolment_id: &str) -> ApiResult<&'c Enrolling> {
    let enrolling = ctx.enrolling.as_ref().ok_or_else(|| {
        ApiError::new(
            ProblemCode::Unauthenticated,
            "sign enrolment steps with the key being enrolled",
        )
    })?;
    if enrolling.enrolment_id != enrolment_id {
        return Err(ApiError::new(
            ProblemCode::Forbidden,
            "the signature is for another enrolment",
        ));
    }
    if ctx.now >= enrolling.expires_at {
        return Err(ApiError::state("the enrolment expired; start again"));
    }
    Ok(enrolling)
}

/// `POST /v1/enrolments/{id}/presence`.
pub fn presence(ctx: &mut Ctx<'_>, enrolment_id: &str) -> ApiResult<Reply> {
    let enrolling = enrolling(ctx, enrolment_id)?.clone();
    let submission: FaceResultSubmission = ctx.json()?;
    if enrolling.state != "started" {
        return Err(ApiError::state("the face check of this enrolment is done"));
    }
    let binding = enrolling.device_binding.clone();
    limits::check(
        ctx.tx,
        &[
            (SOURCE, &ctx.source),
            (DEVICE_KEY, &binding),
            (IDENTITY, &enrolling.subject),
        ],
        ctx.now,
    )?;
    let verifier = ctx.state.face_verifier.clone();
    let checked = crate::domain::face::consume(
        ctx.tx,
        verifier.as_ref(),
        FacePurpose::Enrolment,
        enrolment_id,
        &enrolling.subject,
        &submission.face_result,
        ctx.now,
    )?;
    let person_id = match (&enrolling.person_id, checked) {
        (Some(person_id), Ok(_)) => person_id.clone(),
        (_, outcome) => {
            let why = match outcome {
                Ok(_) => "no_such_person".to_owned(),
                Err(failure) => format!("face: {failure}"),
            };
            fail_all(ctx, &enrolling.subject, &binding)?;
            record(ctx, "presence", &enrolling.subject, &binding, &why)?;
            crate::domain::enrolment::fail(ctx.tx, enrolment_id)?;
            return Ok(Reply::problem(not_verified()));
        }
    };
    let person = person(ctx.tx, &person_id)?;
    let account = active_account_of(ctx.tx, &person_id)?;
    let phone = match &account {
        Some(account) if !account.phone.is_empty() => Some(account.phone.clone()),
        _ => person.phone.clone(),
    };
    let mut code_fields = (None, None);
    if let Some(phone) = &phone {
        let code = new_code();
        code_fields = (
            Some(code_hash(enrolment_id, &code)),
            Some((ctx.now + CODE_SECONDS) as i64),
        );
        ctx.state.sms.send(
            ctx.tx,
            phone,
            SmsKind::EnrolmentCode,
            &format!(
                "【电子社保卡】验证码 {code}，5分钟内有效。您正在设备「{}」上启用电子社保卡，请勿将验证码告诉任何人。",
                enrolling.device_name
            ),
            ctx.now,
        )?;
    }
    crate::domain::enrolment::mark_present(
        ctx.tx,
        enrolment_id,
        code_fields.0.as_deref(),
        code_fields.1,
        ctx.now,
    )?;
    let mut approval_possible = false;
    let mut pin_required = true;
    if let Some(ActiveAccount { account_id, .. }) = &account {
        approval_possible = active_count(ctx.tx, account_id)? > 0;
        pin_required = !pin_is_set(ctx.tx, account_id)?;
        notify(
            ctx.tx,
            account_id,
            NoticeKind::EnrolmentRequested,
            Some(&enrolling.device_name),
            ctx.now,
        )?;
    }
    record(ctx, "presence", &enrolling.subject, &binding, "present")?;
    Reply::ok(&PresenceConfirmed {
        code_sent_to: phone.as_deref().map(mask_phone),
        approval_possible,
        pin_required,
    })
}

/// `POST /v1/enrolments/{id}/completion`.
pub fn complete(ctx: &mut Ctx<'_>, enrolment_id: &str) -> ApiResult<Reply> {
    let enrolling = enrolling(ctx, enrolment_id)?.clone();
    let request: EnrolmentCompletion = ctx.json()?;
    if enrolling.state != "present" {
        return Err(ApiError::state(match enrolling.state.as_str() {
            "started" => "the face check comes first",
            "completed" => "this enrolment is complete",
            _ => "this enrolment failed; start again",
        }));
    }
    let Some(person_id) = enrolling.person_id.clone() else {
        return Err(not_verified());
    };
    let binding = enrolling.device_binding.clone();
    limits::check(
        ctx.tx,
        &[(DEVICE_KEY, &binding), (IDENTITY, &enrolling.subject)],
        ctx.now,
    )?;
    let person = person(ctx.tx, &person_id)?;
    let account = active_account_of(ctx.tx, &person_id)?;
    let pin_required = match &account {
        Some(account) => !pin_is_set(ctx.tx, &account.account_id)?,
        None => true,
    };
    // A weak PIN is refused before the code is spent.
    if pin_required {
        let pin = request.pin.as_deref().unwrap_or_default();
        crate::domain::pin::check_strength(pin, person.birth_date, &person.id_number)
            .map_err(crate::domain::pin::weak)?;
    }
    let CodeState {
        code_hash: code,
        code_expires_at,
        code_tries: tries,
        approved_by_device: approved_by,
    } = code_state(ctx.tx, enrolment_id)?;
    match request.one_time_code.as_deref() {
        Some(given) => {
            let fresh = code_expires_at.is_some_and(|at| ctx.now < at.max(0) as u64);
            let right = code
                .as_deref()
                .is_some_and(|stored| same_digest(stored, &code_hash(enrolment_id, given.trim())));
            if !(fresh && right) {
                let tries = tries + 1;
                fail_all(ctx, &enrolling.subject, &binding)?;
                record(
                    ctx,
                    "code",
                    &enrolling.subject,
                    &binding,
                    if fresh { "wrong_code" } else { "expired_code" },
                )?;
                let spent = tries >= CODE_TRIES || !fresh;
                crate::domain::enrolment::count_wrong_code(ctx.tx, enrolment_id, tries, spent)?;
                let detail = if !fresh {
                    "the code expired; start the enrolment again".to_owned()
                } else if spent {
                    "too many wrong codes; start the enrolment again".to_owned()
                } else {
                    format!("the code is wrong; {} tries left", CODE_TRIES - tries)
                };
                return Ok(Reply::problem(ApiError(
                    ecard_api::problem::Problem::new(ProblemCode::OneTimeCodeWrong, detail)
                        .with_field("one_time_code"),
                )));
            }
        }
        None => {
            let approved = match (&account, approved_by) {
                (Some(account), Some(device)) => {
                    active_device_name(ctx.tx, &device, &account.account_id)?.is_some()
                }
                _ => false,
            };
            if !approved {
                return Err(ApiError::new(
                    ProblemCode::ApprovalPending,
                    "enter the code sent to the phone on record, or approve this device on an enrolled one",
                ));
            }
        }
    }
    let account_id = match &account {
        Some(account) => account.account_id.clone(),
        None => crate::domain::accounts::open(ctx.tx, &person, ctx.now)?,
    };
    if pin_required {
        crate::domain::pin::set(
            ctx.tx,
            &account_id,
            &person,
            request.pin.as_deref().unwrap_or_default(),
            (ctx.now, ctx.hashed_ahead),
        )?;
    }
    let rules = crate::domain::rules::rules_for(
        ctx.tx,
        &crate::domain::rules::province_of(&person.region),
    )?;
    let mut unlinked_device = None;
    // An account opened just now has no device yet: counting them would
    // read a gap in the devices index, where concurrent enrolments insert
    // (under PostgreSQL's serializable isolation, a conflict).
    if account.is_some()
        && active_count(ctx.tx, &account_id)? >= rules.account_security.max_active_devices.max(1)
        && let Some((device_id, name)) = least_recently_used(ctx.tx, &account_id)?
    {
        unlink_device(
            ctx.tx,
            &Unlinking {
                account_id: &account_id,
                person_id: &person_id,
                device_id: &device_id,
                name: &name,
                action: "device.unlink.cap",
            },
            ctx.now,
        )?;
        unlinked_device = Some(device_id);
    }
    let device_id = crate::domain::devices::add(
        ctx.tx,
        &account_id,
        &enrolling.device_key,
        &enrolling.device_name,
        ctx.now,
    )?;
    // The device's first signed request can then be checked before it
    // takes a connection (`http::device_keys`).
    ctx.state.device_keys.remember(
        &device_id,
        crate::http::device_keys::KnownKey::as_stored(&enrolling.device_key),
    );
    crate::domain::enrolment::mark_completed(ctx.tx, enrolment_id, &device_id)?;
    limits::succeed(ctx.tx, IDENTITY, &enrolling.subject)?;
    limits::succeed(ctx.tx, DEVICE_KEY, &binding)?;
    notify(
        ctx.tx,
        &account_id,
        NoticeKind::DeviceEnrolled,
        Some(&enrolling.device_name),
        ctx.now,
    )?;
    text_account(
        ctx,
        &account_id,
        &format!(
            "【电子社保卡】您的电子社保卡已在设备「{}」上启用。如非本人操作，请在已登录的设备上解除关联并修改密码，或到服务网点办理。",
            enrolling.device_name
        ),
    )?;
    record(ctx, "completion", &enrolling.subject, &binding, "enrolled")?;
    audit(
        ctx.tx,
        ctx.now,
        &account_id,
        &person_id,
        None,
        "device.enrol",
        &device_id,
    )?;
    Reply::json(
        StatusCode::CREATED,
        &EnrolmentResponse {
            account_id,
            person_id,
            device_id,
            unlinked_device,
        },
    )
}
