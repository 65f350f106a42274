//! Applications (申领) and replacements (补换): submission, fees,
//! cancellation where the rules allow it, production and delivery on the
//! platform clock, receipt, and a resubmitted photo after a failed
//! production.
//!
//! The card record — its number and with it the e-card — is made when
//! production starts (制卡中), the point after which an application can no
//! longer be cancelled; a replacement retires the old card then. Whether
//! the new card's e-card works before the card is received is the region's
//! `e_card_timing` (Jiangxi: 同步生成…直接使用), applied by
//! [`crate::cards::refresh_e_card`].

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    Application, ApplicationAction, ApplicationKind, ApplicationState, CardStatus, Delivery,
    NewCardRequest, PaymentRequest, PhotoRequest, ReplacementKind, ReplacementRequest, Scope,
    StageEntry,
};
use ecard_api::rules::RegionalRules;
use ecard_credential::Locale;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::cards::{refresh_e_card, set_card_status};
use crate::db::new_id;
use crate::error::{ApiError, ApiResult};
use crate::http::{Ctx, Reply};
use crate::issuer::age_on;
use crate::people::{audit, authorise, card, enum_name, parse_enum, person};
use crate::rules::rules_for;

/// Delay between payment and the start of production.
const QUEUE_SECONDS: u64 = 3_600;

fn kind_text(kind: ApplicationKind) -> String {
    match kind {
        ApplicationKind::NewCard => "new_card".to_owned(),
        ApplicationKind::Replacement(kind) => format!("replacement:{}", enum_name(&kind)),
    }
}

fn kind_from_text(text: &str) -> rusqlite::Result<ApplicationKind> {
    match text.strip_prefix("replacement:") {
        Some(kind) => Ok(ApplicationKind::Replacement(parse_enum::<ReplacementKind>(
            kind,
        )?)),
        None => Ok(ApplicationKind::NewCard),
    }
}

/// What the application still making `card_id` is for (a first card or a
/// replacement), or `None` once the card is received (or was never made
/// by an application).
pub fn in_the_making(tx: &Transaction<'_>, card_id: &str) -> ApiResult<Option<ApplicationKind>> {
    let kind: Option<String> = tx
        .query_row(
            "SELECT kind FROM applications WHERE card_id = ?1 \
             AND state NOT IN ('received', 'activated', 'cancelled') LIMIT 1",
            params![card_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(kind.as_deref().map(kind_from_text).transpose()?)
}

/// Loads an application with its history and the actions open now.
pub fn load(tx: &Transaction<'_>, application_id: &str) -> ApiResult<Application> {
    let row = tx
        .query_row(
            "SELECT a.application_id, a.kind, a.person_id, a.submitted_by, a.mandate_id, a.state, a.fee_fen, \
             a.replaces_card_id, a.card_id, a.failure_reason, a.created_at, p.region \
             FROM applications a JOIN people p ON p.person_id = a.person_id WHERE a.application_id = ?1",
            params![application_id],
            |row| {
                Ok((
                    Application {
                        application_id: row.get(0)?,
                        kind: kind_from_text(&row.get::<_, String>(1)?)?,
                        person_id: row.get(2)?,
                        submitted_by: row.get(3)?,
                        mandate_id: row.get(4)?,
                        state: parse_enum(&row.get::<_, String>(5)?)?,
                        stages: Vec::new(),
                        fee_fen: row.get(6)?,
                        actions: Vec::new(),
                        replaces_card_id: row.get(7)?,
                        card_id: row.get(8)?,
                        failure_reason: row.get(9)?,
                        created_at: row.get::<_, i64>(10)? as u64,
                    },
                    row.get::<_, String>(11)?,
                ))
            },
        )
        .optional()?;
    let Some((mut application, region)) = row else {
        return Err(ApiError::not_found("application"));
    };
    let mut statement = tx.prepare(
        "SELECT state, at FROM application_stages WHERE application_id = ?1 ORDER BY seq",
    )?;
    application.stages = statement
        .query_map(params![application_id], |row| {
            Ok(StageEntry {
                state: parse_enum(&row.get::<_, String>(0)?)?,
                at: row.get::<_, i64>(1)? as u64,
            })
        })?
        .collect::<Result<_, _>>()?;
    let rules = rules_for(tx, &region)?;
    application.actions = actions(&application, &rules);
    Ok(application)
}

fn actions(application: &Application, rules: &RegionalRules) -> Vec<ApplicationAction> {
    let mut actions = Vec::new();
    match application.state {
        ApplicationState::Submitted => {
            if application.fee_fen > 0 {
                actions.push(ApplicationAction::Pay);
            }
            if rules.cancel_after_submit {
                actions.push(ApplicationAction::Cancel);
            }
        }
        // Once production has started (a card record exists, after a failed
        // production and a new photo too) there is no cancelling.
        ApplicationState::Paid if rules.cancel_after_submit && application.card_id.is_none() => {
            actions.push(ApplicationAction::Cancel)
        }
        ApplicationState::Dispatched | ApplicationState::AtOutlet => {
            actions.push(ApplicationAction::ConfirmReceipt)
        }
        ApplicationState::Received => actions.push(ApplicationAction::Activate),
        ApplicationState::ProductionFailed => actions.push(ApplicationAction::ResubmitPhoto),
        _ => {}
    }
    actions
}

/// Moves an application to `state`, records the stage and schedules the
/// next clock-driven step (`next_at`).
pub fn set_state(
    tx: &Transaction<'_>,
    application_id: &str,
    state: ApplicationState,
    now: u64,
    next_at: Option<u64>,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE applications SET state = ?1, next_transition_at = ?2 WHERE application_id = ?3",
        params![
            enum_name(&state),
            next_at.map(|at| at as i64),
            application_id
        ],
    )?;
    tx.execute(
        "INSERT INTO application_stages (application_id, seq, state, at) \
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM application_stages WHERE application_id = ?1), ?2, ?3)",
        params![application_id, enum_name(&state), now as i64],
    )?;
    Ok(())
}

fn decode_photo(field: &str, photo: &str, rules: &RegionalRules) -> ApiResult<Vec<u8>> {
    let bytes = STANDARD
        .decode(photo.trim())
        .map_err(|_| ApiError::field(field, "the photo must be base64"))?;
    ecard_documents::validate_photo(&bytes, &(&rules.photo).into())
        .map_err(|error| ApiError::field(field, error.message(Locale::En)))?;
    Ok(bytes)
}

fn check_bank(bank: &str, rules: &RegionalRules) -> ApiResult<()> {
    if rules.banks.iter().any(|candidate| candidate.code == bank) {
        Ok(())
    } else {
        Err(ApiError::field(
            "bank",
            format!("{bank} is not a co-branded bank of region {}", rules.region),
        ))
    }
}

fn check_delivery(
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
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM outlets WHERE id = ?1 AND deleted = 0",
                    params![outlet_id],
                    |row| row.get(0),
                )
                .optional()?;
            exists
                .map(|_| 0)
                .ok_or_else(|| ApiError::field("delivery.outlet_id", "no such outlet"))
        }
    }
}

fn open_application(tx: &Transaction<'_>, person_id: &str) -> ApiResult<bool> {
    let open: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM applications WHERE person_id = ?1 AND state NOT IN ('activated', 'cancelled', 'received') LIMIT 1",
            params![person_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(open.is_some())
}

struct NewApplication<'a> {
    kind: ApplicationKind,
    person_id: &'a str,
    mandate_id: Option<&'a str>,
    fee_fen: u32,
    bank: &'a str,
    photo: Option<Vec<u8>>,
    delivery: &'a Delivery,
    replaces_card_id: Option<&'a str>,
}

fn insert(ctx: &Ctx<'_>, application: &NewApplication<'_>) -> ApiResult<String> {
    let caller = ctx.caller()?;
    let application_id = new_id("app");
    ctx.tx.execute(
        "INSERT INTO applications (application_id, kind, person_id, submitted_by, mandate_id, state, fee_fen, bank, photo, \
         delivery, replaces_card_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'submitted', ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            application_id,
            kind_text(application.kind),
            application.person_id,
            caller.account_id,
            application.mandate_id,
            application.fee_fen,
            application.bank,
            application.photo,
            serde_json::to_string(application.delivery)?,
            application.replaces_card_id,
            ctx.now as i64
        ],
    )?;
    ctx.tx.execute(
        "INSERT INTO application_stages (application_id, seq, state, at) VALUES (?1, 1, 'submitted', ?2)",
        params![application_id, ctx.now as i64],
    )?;
    if application.fee_fen == 0 {
        set_state(
            ctx.tx,
            &application_id,
            ApplicationState::Paid,
            ctx.now,
            Some(ctx.now + QUEUE_SECONDS),
        )?;
    }
    let action = match application.kind {
        ApplicationKind::NewCard => "application.submit".to_owned(),
        ApplicationKind::Replacement(kind) => format!("replacement.submit.{}", enum_name(&kind)),
    };
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        application.person_id,
        application.mandate_id,
        &action,
        &application_id,
    )?;
    Ok(application_id)
}

/// `POST /v1/applications`.
pub fn submit_new(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: NewCardRequest = ctx.json()?;
    let caller = ctx.caller()?.clone();
    let applicant = person(ctx.tx, &request.person_id)?;
    let mandate = authorise(ctx.tx, &caller, &applicant.person_id, Scope::Apply, ctx.now)?;
    let rules = rules_for(ctx.tx, &applicant.region)?;
    if mandate.is_none()
        && age_on(&applicant.birth_date, ctx.now).is_some_and(|age| age < rules.adult_age)
    {
        return Err(ApiError::new(
            ProblemCode::NotAllowedByRules,
            "a minor applies through a guardian",
        ));
    }
    let has_card: Option<i64> = ctx
        .tx
        .query_row(
            "SELECT 1 FROM cards WHERE person_id = ?1 AND status NOT IN ('replaced', 'cancelled') LIMIT 1",
            params![applicant.person_id],
            |row| row.get(0),
        )
        .optional()?;
    if has_card.is_some() || open_application(ctx.tx, &applicant.person_id)? {
        return Err(ApiError::state(
            "this person already has a card or an application in progress",
        ));
    }
    ecard_documents::validate_phone(&request.phone)
        .map_err(|error| ApiError::field("phone", error.message(Locale::En)))?;
    check_bank(&request.bank, &rules)?;
    let photo = decode_photo("photo_jpeg", &request.photo_jpeg, &rules)?;
    let fee_fen = check_delivery(ctx.tx, &request.delivery, &rules)?;
    let application_id = insert(
        ctx,
        &NewApplication {
            kind: ApplicationKind::NewCard,
            person_id: &applicant.person_id,
            mandate_id: mandate.as_deref(),
            fee_fen,
            bank: &request.bank,
            photo: Some(photo),
            delivery: &request.delivery,
            replaces_card_id: None,
        },
    )?;
    Reply::json(StatusCode::CREATED, &load(ctx.tx, &application_id)?)
}

/// `POST /v1/replacements`.
pub fn submit_replacement(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: ReplacementRequest = ctx.json()?;
    let caller = ctx.caller()?.clone();
    let old = card(ctx.tx, &request.card_id)?;
    let mandate = authorise(ctx.tx, &caller, &old.person_id, Scope::Replace, ctx.now)?;
    let rules = rules_for(ctx.tx, &old.region)?;
    if matches!(old.status, CardStatus::Replaced | CardStatus::Cancelled) {
        return Err(ApiError::state(
            "this card was already replaced or cancelled",
        ));
    }
    if open_application(ctx.tx, &old.person_id)? {
        return Err(ApiError::state(
            "an application for this person is already in progress",
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
            let closed: bool = ctx.tx.query_row(
                "SELECT bank_account_closed FROM cards WHERE card_id = ?1",
                params![old.card_id],
                |row| row.get(0),
            )?;
            if !closed {
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
        None => {
            let stored: Option<Vec<u8>> = ctx.tx.query_row(
                "SELECT photo FROM cards WHERE card_id = ?1",
                params![old.card_id],
                |row| row.get(0),
            )?;
            Some(
                stored
                    .ok_or_else(|| ApiError::field("photo_jpeg", "no photo on file: send one"))?,
            )
        }
    };
    let fee_fen = rules.replacement_fee_fen + check_delivery(ctx.tx, &request.delivery, &rules)?;
    let application_id = insert(
        ctx,
        &NewApplication {
            kind: ApplicationKind::Replacement(request.kind),
            person_id: &old.person_id,
            mandate_id: mandate.as_deref(),
            fee_fen,
            bank: &bank,
            photo,
            delivery: &request.delivery,
            replaces_card_id: Some(&old.card_id),
        },
    )?;
    Reply::json(StatusCode::CREATED, &load(ctx.tx, &application_id)?)
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
    caller: &crate::http::Caller,
    application: &Application,
    acting: bool,
    now: u64,
) -> ApiResult<Option<String>> {
    let scope = acting_scope(application.kind);
    if acting {
        return authorise(tx, caller, &application.person_id, scope, now);
    }
    authorise(tx, caller, &application.person_id, Scope::Track, now)
        .or_else(|_| authorise(tx, caller, &application.person_id, scope, now))
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
    let mut statement = ctx.tx.prepare(
        "SELECT application_id FROM applications WHERE person_id = ?2 \
         OR person_id IN (SELECT principal_person_id FROM delegations WHERE agent_account_id = ?1 \
                          AND status = 'active' AND expires_at > ?3) \
         ORDER BY created_at DESC, application_id",
    )?;
    let ids: Vec<String> = statement
        .query_map(
            params![caller.account_id, caller.person_id, ctx.now as i64],
            |row| row.get(0),
        )?
        .collect::<Result<_, _>>()?;
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
    set_state(
        ctx.tx,
        application_id,
        ApplicationState::Paid,
        ctx.now,
        Some(ctx.now + QUEUE_SECONDS),
    )?;
    finish(ctx, &application, mandate.as_deref(), "application.pay")
}

/// `POST /v1/applications/{id}/cancel`.
pub fn cancel(ctx: &mut Ctx<'_>, application_id: &str) -> ApiResult<Reply> {
    let (application, mandate) = visible(ctx, application_id, true)?;
    require_action(&application, ApplicationAction::Cancel)?;
    set_state(
        ctx.tx,
        application_id,
        ApplicationState::Cancelled,
        ctx.now,
        None,
    )?;
    finish(ctx, &application, mandate.as_deref(), "application.cancel")
}

/// `POST /v1/applications/{id}/receipt`.
pub fn confirm_receipt(ctx: &mut Ctx<'_>, application_id: &str) -> ApiResult<Reply> {
    let (application, mandate) = visible(ctx, application_id, true)?;
    require_action(&application, ApplicationAction::ConfirmReceipt)?;
    set_state(
        ctx.tx,
        application_id,
        ApplicationState::Received,
        ctx.now,
        None,
    )?;
    if let Some(card_id) = &application.card_id {
        refresh_e_card(ctx.tx, card_id, ctx.now)?;
    }
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
    ctx.tx.execute(
        "UPDATE applications SET photo = ?1, failure_reason = NULL WHERE application_id = ?2",
        params![photo, application_id],
    )?;
    set_state(
        ctx.tx,
        application_id,
        ApplicationState::Paid,
        ctx.now,
        Some(ctx.now + QUEUE_SECONDS),
    )?;
    finish(ctx, &application, mandate.as_deref(), "application.photo")
}

/// Marks production failed (the card bureau's report), with a reason.
pub fn fail_production(
    tx: &Transaction<'_>,
    application_id: &str,
    reason: &str,
    now: u64,
) -> ApiResult<Application> {
    let application = load(tx, application_id)?;
    if !matches!(
        application.state,
        ApplicationState::Paid | ApplicationState::InProduction
    ) {
        return Err(ApiError::state(
            "only an application waiting for or in production can fail",
        ));
    }
    tx.execute(
        "UPDATE applications SET failure_reason = ?1 WHERE application_id = ?2",
        params![reason, application_id],
    )?;
    set_state(
        tx,
        application_id,
        ApplicationState::ProductionFailed,
        now,
        None,
    )?;
    load(tx, application_id)
}

/// Runs the clock-driven steps of applications that are due at `now`.
pub fn advance(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    loop {
        let due: Option<(String, String, i64)> = tx
            .query_row(
                "SELECT application_id, state, next_transition_at FROM applications \
                 WHERE next_transition_at IS NOT NULL AND next_transition_at <= ?1 \
                 ORDER BY next_transition_at LIMIT 1",
                params![now as i64],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        let Some((application_id, state, due_at)) = due else {
            return Ok(());
        };
        let at = due_at as u64;
        let application = load(tx, &application_id)?;
        let person = person(tx, &application.person_id)?;
        let rules = rules_for(tx, &person.region)?;
        match parse_enum::<ApplicationState>(&state)? {
            ApplicationState::Paid => {
                let ready = at + u64::from(rules.production_days) * 86_400;
                set_state(
                    tx,
                    &application_id,
                    ApplicationState::InProduction,
                    at,
                    Some(ready),
                )?;
                start_production(tx, &application, &person.region, at)?;
            }
            ApplicationState::InProduction => {
                finish_production(tx, &application)?;
                let delivery: String = tx.query_row(
                    "SELECT delivery FROM applications WHERE application_id = ?1",
                    params![application_id],
                    |row| row.get(0),
                )?;
                match serde_json::from_str::<Delivery>(&delivery)? {
                    Delivery::Mail { .. } => {
                        let arrives = at + u64::from(rules.delivery_days) * 86_400;
                        set_state(
                            tx,
                            &application_id,
                            ApplicationState::Dispatched,
                            at,
                            Some(arrives),
                        )?;
                    }
                    Delivery::Pickup { .. } => {
                        set_state(tx, &application_id, ApplicationState::AtOutlet, at, None)?
                    }
                }
            }
            ApplicationState::Dispatched => {
                set_state(tx, &application_id, ApplicationState::Received, at, None)?;
                if let Some(card_id) = &application.card_id {
                    refresh_e_card(tx, card_id, at)?;
                }
            }
            _ => {
                tx.execute(
                    "UPDATE applications SET next_transition_at = NULL WHERE application_id = ?1",
                    params![application_id],
                )?;
            }
        }
    }
}

/// Makes the card record of an application when production starts (the
/// first time: a production that failed and starts again keeps its card);
/// a replacement retires the old card. The new card's e-card follows the
/// rules for a card being made.
fn start_production(
    tx: &Transaction<'_>,
    application: &Application,
    region: &str,
    now: u64,
) -> ApiResult<()> {
    if application.card_id.is_some() {
        return Ok(());
    }
    let (bank, photo): (String, Option<Vec<u8>>) = tx.query_row(
        "SELECT bank, photo FROM applications WHERE application_id = ?1",
        params![application.application_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let card_number = match (&application.kind, &application.replaces_card_id) {
        (ApplicationKind::Replacement(ReplacementKind::KeepNumber), Some(old)) => tx.query_row(
            "SELECT card_number FROM cards WHERE card_id = ?1",
            params![old],
            |row| row.get(0),
        )?,
        _ => new_card_number(),
    };
    let card_id = new_id("card");
    tx.execute(
        "INSERT INTO cards (card_id, person_id, card_number, bank, region, status, e_card, social_function_enabled, issued_at, photo) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', 'suspended', 0, ?6, ?7)",
        params![card_id, application.person_id, card_number, bank, crate::people::province_of(region), now as i64, photo],
    )?;
    tx.execute(
        "UPDATE applications SET card_id = ?1 WHERE application_id = ?2",
        params![card_id, application.application_id],
    )?;
    if let Some(old) = &application.replaces_card_id {
        tx.execute(
            "UPDATE loss_reports SET ended_at = ?1, end_reason = 'replaced' WHERE card_id = ?2 AND ended_at IS NULL",
            params![now as i64, old],
        )?;
        set_card_status(tx, old, CardStatus::Replaced, now)?;
    }
    refresh_e_card(tx, &card_id, now)?;
    Ok(())
}

/// The card is made: it carries the application's last photo (a new one
/// may have been sent after a failed production).
fn finish_production(tx: &Transaction<'_>, application: &Application) -> ApiResult<()> {
    tx.execute(
        "UPDATE cards SET photo = (SELECT photo FROM applications WHERE application_id = ?1) \
         WHERE card_id = (SELECT card_id FROM applications WHERE application_id = ?1)",
        params![application.application_id],
    )?;
    Ok(())
}

/// A new nine-character card number: a letter and eight digits.
pub fn new_card_number() -> String {
    let id = new_id("n");
    let digits: String = id
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|byte| char::from(b'0' + byte % 10))
        .take(8)
        .collect();
    format!("A{digits:0>8}")
}
