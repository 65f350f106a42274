//! Endpoints of applications and replacements: submission (with the photo,
//! bank and delivery checks), the list and one application, payment,
//! cancellation, receipt and a resubmitted photo. The state machine and
//! production live in [`crate::domain::applications`].

use crate::store::sql::Transaction;
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    Application, ApplicationAction, ApplicationKind, ApplicationState, CardStatus, Delivery,
    NewCardRequest, PaymentRequest, PhotoRequest, ReplacementKind, ReplacementRequest, Scope,
};
use ecard_api::rules::RegionalRules;
use ecard_credential::Locale;

use crate::domain::access::{authorise, authorise_person, may_see};
use crate::domain::applications::{
    NewApplication, ensure_no_card, load, of_holder_and_principals, receive, submit,
};
use crate::domain::cards::{bank_account_closed, photo_on_file};
use crate::domain::feeds::outlet_exists;
use crate::domain::rules::rules_for;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};
use crate::store::audit::audit;
use crate::store::codec::enum_name;
use crate::store::rows::{card, person};

pub(crate) fn decode_photo(field: &str, photo: &str, rules: &RegionalRules) -> ApiResult<Vec<u8>> {
    let bytes = STANDARD
        .decode(photo.trim())
        .map_err(|_| ApiError::field(field, "the photo must be base64"))?;
    ecard_documents::validate_photo(&bytes, &(&rules.photo).into())
        .map_err(|error| ApiError::field(field, error.message(Locale::En)))?;
    Ok(bytes)
}

pub(crate) fn check_bank(bank: &str, rules: &RegionalRules) -> ApiResult<()> {
    if rules.banks.iter().any(|candidate| candidate.code == bank) {
        Ok(())
    } else {
        Err(ApiError::field(
            "bank",
            format!("{bank} is not a co-branded bank of region {}", rules.region),
        ))
    }
}

pub(crate) fn check_delivery(
    tx: &Transaction<'_>,
    delivery: &Delivery,
    rules: &RegionalRules,
) -> ApiResult<u32> {
    match delivery {
        Delivery::Mail { address, phone } => {
            ecard_documents::validate_address(address)
                .map_err(|error| ApiError::field("delivery.address", error.message(Locale::En)))?;
            ecard_documents::validate_phone(phone)
                .map_err(|error| ApiError::field("delivery.phone", error.message(Locale::En)))?;
            Ok(rules.postage_fen)
        }
        Delivery::Pickup { outlet_id } => {
            if outlet_exists(tx, outlet_id)? {
                Ok(0)
            } else {
                Err(ApiError::field("delivery.outlet_id", "no such outlet"))
            }
        }
    }
}

/// Checks a request for instant issue (即时制卡): the region offers it and
/// the card is collected at an outlet that makes cards on the spot.
fn check_instant_issue(
    tx: &Transaction<'_>,
    instant_issue: bool,
    delivery: &Delivery,
    rules: &RegionalRules,
) -> ApiResult<()> {
    if !instant_issue {
        return Ok(());
    }
    if !rules.instant_issue.offered {
        return Err(ApiError::new(
            ProblemCode::NotAllowedByRules,
            "this region does not issue cards on the spot",
        ));
    }
    match delivery {
        Delivery::Pickup { outlet_id }
            if crate::domain::feeds::outlet_offers(
                tx,
                outlet_id,
                ecard_api::catalogue::OutletService::InstantIssue,
            )? =>
        {
            Ok(())
        }
        Delivery::Pickup { .. } => Err(ApiError::field(
            "delivery.outlet_id",
            "this outlet does not make cards on the spot: choose one offering instant issue",
        )),
        Delivery::Mail { .. } => Err(ApiError::field(
            "delivery",
            "an instant-issue card is collected at the outlet",
        )),
    }
}

/// `POST /v1/outlet/applications/{id}/instant-issue`: the pickup outlet's
/// counter staff, having checked the applicant's ID document, make the
/// card on the spot and hand it over activated (即时制卡, 立等可取).
pub fn issue_on_the_spot(ctx: &mut Ctx<'_>, application_id: &str) -> ApiResult<Reply> {
    let operator = ctx.operator()?.clone();
    let Some(outlet_id) = operator.outlet_id.clone() else {
        return Err(ApiError::new(
            ProblemCode::Forbidden,
            "only an outlet's counter staff issue cards on the spot",
        ));
    };
    let issued = crate::domain::applications::issue_on_the_spot(
        ctx.tx,
        application_id,
        &outlet_id,
        ctx.now,
    )?;
    audit(
        ctx.tx,
        ctx.now,
        &operator.operator_id,
        &issued.person_id,
        None,
        "application.instant_issue",
        application_id,
    )?;
    Reply::ok(&issued)
}

/// `POST /v1/applications`.
pub fn submit_new(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: NewCardRequest = ctx.json()?;
    let caller = ctx.caller()?.clone();
    let applicant = person(ctx.tx, &request.person_id)?;
    let rules = rules_for(ctx.tx, &applicant.region)?;
    // A minor's own account is refused here (`guardian_required`).
    let mandate = authorise_person(ctx.tx, &caller, (&applicant, &rules), Scope::Apply, ctx.now)?;
    ensure_no_card(ctx.tx, &applicant.person_id)?;
    ecard_documents::validate_phone(&request.phone)
        .map_err(|error| ApiError::field("phone", error.message(Locale::En)))?;
    check_bank(&request.bank, &rules)?;
    let photo = decode_photo("photo_jpeg", &request.photo_jpeg, &rules)?;
    let fee_fen = check_delivery(ctx.tx, &request.delivery, &rules)?;
    check_instant_issue(ctx.tx, request.instant_issue, &request.delivery, &rules)?;
    let submitted = submit(
        ctx.tx,
        ctx.now,
        &ctx.caller()?.account_id,
        &NewApplication {
            kind: ApplicationKind::NewCard,
            person_id: &applicant.person_id,
            mandate_id: mandate.as_deref(),
            fee_fen,
            bank: &request.bank,
            photo: Some(photo),
            delivery: &request.delivery,
            replaces_card_id: None,
            instant_issue: request.instant_issue,
        },
        &rules,
    )?;
    Reply::json(StatusCode::CREATED, &submitted)
}

/// `POST /v1/replacements`.
pub fn submit_replacement(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: ReplacementRequest = ctx.json()?;
    let caller = ctx.caller()?.clone();
    let old = card(ctx.tx, &request.card_id)?;
    let holder = person(ctx.tx, &old.person_id)?;
    let rules = rules_for(ctx.tx, &holder.region)?;
    let mandate = authorise_person(ctx.tx, &caller, (&holder, &rules), Scope::Replace, ctx.now)?;
    if matches!(old.status, CardStatus::Replaced | CardStatus::Cancelled) {
        return Err(ApiError::state(
            "this card was already replaced or cancelled",
        ));
    }
    let bank = match request.kind {
        ReplacementKind::ChangeBank => {
            let bank = request
                .bank
                .clone()
                .ok_or_else(|| ApiError::field("bank", "a change of bank needs the new bank"))?;
            check_bank(&bank, &rules)?;
            if bank == old.bank {
                return Err(ApiError::field(
                    "bank",
                    "the new bank is the same as the old one",
                ));
            }
            if !bank_account_closed(ctx.tx, &old.card_id)? {
                return Err(ApiError::new(
                    ProblemCode::NotAllowedByRules,
                    "close the old bank account at the original bank first, then apply for the new bank",
                ));
            }
            bank
        }
        ReplacementKind::Plain | ReplacementKind::KeepNumber => old.bank.clone(),
    };
    let photo = match &request.photo_jpeg {
        Some(photo) => Some(decode_photo("photo_jpeg", photo, &rules)?),
        None => Some(
            photo_on_file(ctx.tx, &old.card_id)?
                .ok_or_else(|| ApiError::field("photo_jpeg", "no photo on file: send one"))?,
        ),
    };
    let fee_fen = rules.replacement_fee_fen + check_delivery(ctx.tx, &request.delivery, &rules)?;
    check_instant_issue(ctx.tx, request.instant_issue, &request.delivery, &rules)?;
    let submitted = submit(
        ctx.tx,
        ctx.now,
        &ctx.caller()?.account_id,
        &NewApplication {
            kind: ApplicationKind::Replacement(request.kind),
            person_id: &old.person_id,
            mandate_id: mandate.as_deref(),
            fee_fen,
            bank: &bank,
            photo,
            delivery: &request.delivery,
            replaces_card_id: Some(&old.card_id),
            instant_issue: request.instant_issue,
        },
        &rules,
    )?;
    Reply::json(StatusCode::CREATED, &submitted)
}

/// The scope a mandate needs to act on an application of this kind.
fn acting_scope(kind: ApplicationKind) -> Scope {
    match kind {
        ApplicationKind::NewCard => Scope::Apply,
        ApplicationKind::Replacement(_) => Scope::Replace,
    }
}

/// Under which mandate (`None`: their own) `caller` may see an application,
/// or act on it (`acting`). Having submitted it is not enough: a mandate
/// that has ended no longer lets its former agent see or act.
fn permission(
    tx: &Transaction<'_>,
    caller: &crate::domain::access::Caller,
    application: &Application,
    acting: bool,
    now: u64,
) -> ApiResult<Option<String>> {
    let scope = acting_scope(application.kind);
    if acting {
        return authorise(tx, caller, &application.person_id, scope, now);
    }
    may_see(
        tx,
        caller,
        &application.person_id,
        &[Scope::Track, scope],
        now,
    )
}

/// Loads an application the caller may see, or act on (`acting`), with the
/// mandate that allows it. Someone else's application is "not found".
fn visible(
    ctx: &Ctx<'_>,
    application_id: &str,
    acting: bool,
) -> ApiResult<(Application, Option<String>)> {
    let caller = ctx.caller()?;
    let application = load(ctx.tx, application_id)?;
    let mandate = permission(ctx.tx, caller, &application, acting, ctx.now)
        .map_err(|_| ApiError::not_found("application"))?;
    Ok((application, mandate))
}

/// `GET /v1/applications/{id}`.
pub fn get(ctx: &mut Ctx<'_>, application_id: &str) -> ApiResult<Reply> {
    Reply::ok(&visible(ctx, application_id, false)?.0)
}

/// `GET /v1/applications`: the caller's own applications and those of the
/// people they act for under an active mandate, newest first.
pub fn list(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let ids = of_holder_and_principals(ctx.tx, &caller.account_id, &caller.person_id, ctx.now)?;
    let mut applications = Vec::new();
    for id in &ids {
        let application = load(ctx.tx, id)?;
        if permission(ctx.tx, &caller, &application, false, ctx.now).is_ok() {
            applications.push(application);
        }
    }
    Reply::ok(&applications)
}

fn require_action(application: &Application, action: ApplicationAction) -> ApiResult<()> {
    if application.actions.contains(&action) {
        return Ok(());
    }
    if action == ApplicationAction::Cancel
        && application.card_id.is_none()
        && matches!(
            application.state,
            ApplicationState::Submitted | ApplicationState::Paid
        )
    {
        return Err(ApiError::new(
            ProblemCode::NotAllowedByRules,
            "in this region an application cannot be cancelled once submitted",
        ));
    }
    Err(ApiError::state(format!(
        "not possible while the application is {}",
        enum_name(&application.state)
    )))
}

fn finish(
    ctx: &Ctx<'_>,
    application: &Application,
    mandate: Option<&str>,
    action: &str,
) -> ApiResult<Reply> {
    let caller = ctx.caller()?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &application.person_id,
        mandate,
        action,
        &application.application_id,
    )?;
    Reply::ok(&load(ctx.tx, &application.application_id)?)
}

/// `POST /v1/applications/{id}/payment`.
pub fn pay(ctx: &mut Ctx<'_>, application_id: &str) -> ApiResult<Reply> {
    let request: PaymentRequest = ctx.json()?;
    let (application, mandate) = visible(ctx, application_id, true)?;
    require_action(&application, ApplicationAction::Pay)?;
    if request.amount_fen != application.fee_fen {
        return Err(ApiError::field(
            "amount_fen",
            format!("the fee due is {} fen", application.fee_fen),
        ));
    }
    crate::domain::applications::pay(ctx.tx, application_id, ctx.now)?;
    finish(ctx, &application, mandate.as_deref(), "application.pay")
}

/// `POST /v1/applications/{id}/cancel`.
pub fn cancel(ctx: &mut Ctx<'_>, application_id: &str) -> ApiResult<Reply> {
    let (application, mandate) = visible(ctx, application_id, true)?;
    require_action(&application, ApplicationAction::Cancel)?;
    crate::domain::applications::cancel(ctx.tx, application_id, ctx.now)?;
    finish(ctx, &application, mandate.as_deref(), "application.cancel")
}

/// `POST /v1/applications/{id}/receipt`.
pub fn confirm_receipt(ctx: &mut Ctx<'_>, application_id: &str) -> ApiResult<Reply> {
    let (application, mandate) = visible(ctx, application_id, true)?;
    require_action(&application, ApplicationAction::ConfirmReceipt)?;
    receive(ctx.tx, &application, ctx.now)?;
    finish(ctx, &application, mandate.as_deref(), "application.receipt")
}

/// `POST /v1/applications/{id}/photo`.
pub fn resubmit_photo(ctx: &mut Ctx<'_>, application_id: &str) -> ApiResult<Reply> {
    let request: PhotoRequest = ctx.json()?;
    let (application, mandate) = visible(ctx, application_id, true)?;
    require_action(&application, ApplicationAction::ResubmitPhoto)?;
    let person = person(ctx.tx, &application.person_id)?;
    let rules = rules_for(ctx.tx, &person.region)?;
    let photo = decode_photo("photo_jpeg", &request.photo_jpeg, &rules)?;
    crate::domain::applications::resubmit_photo(ctx.tx, application_id, &photo, ctx.now)?;
    finish(ctx, &application, mandate.as_deref(), "application.photo")
}
