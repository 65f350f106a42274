//! Cards: device credentials, loss reports (临时挂失, 正式挂失, 解挂) and
//! social-function activation (社保功能启用), and when a card's e-card
//! works.
//!
//! Whether the e-card works while the card is being made, reported lost
//! temporarily or replaced differs between regions, so it is the rules'
//! `e_card_timing`, applied at every change of a card's situation
//! ([`refresh_e_card`]) and checked again when credentials are issued.

use axum::http::StatusCode;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    ApplicationKind, ApplicationState, CardStatus, CredentialRequest, ECardState, LossKind,
    LossReportRequest, Scope,
};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::applications::{in_the_making, set_state};
use crate::db::new_id;
use crate::error::{ApiError, ApiResult};
use crate::http::{Ctx, Reply};
use crate::issuer::{IssueFor, device_role_for_card, issue_credentials, set_card_revoked};
use crate::people::{CardRow, audit, authorise, card, card_seen_by, enum_name, person};
use crate::rules::rules_for;

/// `POST /v1/credentials`.
pub fn credentials(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let request: CredentialRequest = if ctx.body.is_empty() {
        CredentialRequest { card_id: None }
    } else {
        ctx.json()?
    };
    let caller = ctx.caller()?.clone();
    let card_id = match request.card_id {
        Some(card_id) => card_id,
        None => ctx
            .tx
            .query_row(
                "SELECT card_id FROM cards WHERE person_id = ?1 AND status NOT IN ('replaced', 'cancelled') \
                 ORDER BY issued_at DESC LIMIT 1",
                params![caller.person_id],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| ApiError::new(ProblemCode::CardNotActive, "you have no card yet: apply for one first"))?,
    };
    let card = card(ctx.tx, &card_id)?;
    let role = device_role_for_card(
        ctx.tx,
        &caller.person_id,
        &caller.account_id,
        &card.person_id,
        ctx.now,
    )?
    .ok_or_else(|| {
        ApiError::new(
            ProblemCode::NoMandate,
            "you may not show codes for this card",
        )
    })?;
    if matches!(card.status, CardStatus::Replaced | CardStatus::Cancelled)
        || e_card_state_for(ctx.tx, &card)? != ECardState::Active
    {
        let detail = if card.status == CardStatus::Active
            && in_the_making(ctx.tx, &card.card_id)?.is_some()
        {
            "in this region the e-card becomes available once the card is received"
        } else {
            "this card's e-card is suspended"
        };
        return Err(ApiError::new(ProblemCode::CardNotActive, detail));
    }
    let holder = person(ctx.tx, &card.person_id)?;
    let rules = rules_for(ctx.tx, &card.region)?;
    let set = issue_credentials(
        ctx.tx,
        &IssueFor {
            card_id: &card.card_id,
            person_id: &card.person_id,
            birth_date: &holder.birth_date,
            region: &card.region,
            device_id: &caller.device_id,
            device_key: &caller.device_key,
            role,
            lifetime_hours: rules.credential_lifetime_hours,
        },
        ctx.now,
    )?;
    let mandate = authorise(ctx.tx, &caller, &card.person_id, Scope::ShowCode, ctx.now)?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &card.person_id,
        mandate.as_deref(),
        "credential.issue",
        &card.card_id,
    )?;
    Reply::json(StatusCode::CREATED, &set)
}

/// The e-card state a card's situation and its region's rules give it. A
/// replaced, cancelled or formally lost card has none; otherwise every
/// period the card is in — a temporary loss report, the making of a first
/// card or of a replacement — must let the e-card work.
pub fn e_card_state_for(tx: &Transaction<'_>, card: &CardRow) -> ApiResult<ECardState> {
    let timing = rules_for(tx, &card.region)?.e_card_timing;
    let mut periods = Vec::new();
    match card.status {
        CardStatus::Replaced | CardStatus::Cancelled | CardStatus::FormallyLost => {
            return Ok(ECardState::Suspended);
        }
        CardStatus::TemporarilyLost => periods.push(timing.during_temporary_loss),
        CardStatus::Active => {}
    }
    match in_the_making(tx, &card.card_id)? {
        Some(ApplicationKind::NewCard) => periods.push(timing.during_production),
        Some(ApplicationKind::Replacement(_)) => periods.push(timing.during_replacement),
        None => {}
    }
    Ok(if periods.contains(&ECardState::Suspended) {
        ECardState::Suspended
    } else {
        ECardState::Active
    })
}

/// Sets a card's e-card state to what its situation and the rules give
/// now, with its credentials' status bits; returns the state.
pub fn refresh_e_card(tx: &Transaction<'_>, card_id: &str, now: u64) -> ApiResult<ECardState> {
    let row = card(tx, card_id)?;
    let state = e_card_state_for(tx, &row)?;
    tx.execute(
        "UPDATE cards SET e_card = ?1 WHERE card_id = ?2",
        params![enum_name(&state), card_id],
    )?;
    set_card_revoked(tx, card_id, state == ECardState::Suspended, now)?;
    Ok(state)
}

/// After a region's rules changed: brings the e-card of every card of the
/// province that is in a period the timing governs to what the new rules
/// give; cards whose state does not change are left alone.
pub fn apply_rules(tx: &Transaction<'_>, province: &str, now: u64) -> ApiResult<()> {
    let mut statement = tx.prepare(
        "SELECT card_id FROM cards WHERE region = ?1 AND (status = 'temporarily_lost' OR (status = 'active' \
         AND card_id IN (SELECT card_id FROM applications WHERE card_id IS NOT NULL \
                         AND state NOT IN ('received', 'activated', 'cancelled'))))",
    )?;
    let card_ids: Vec<String> = statement
        .query_map(params![province], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    for card_id in card_ids {
        let row = card(tx, &card_id)?;
        if e_card_state_for(tx, &row)? != row.e_card {
            refresh_e_card(tx, &card_id, now)?;
        }
    }
    Ok(())
}

fn path_card(ctx: &Ctx<'_>, card_id: &str, scope: Scope) -> ApiResult<(CardRow, Option<String>)> {
    let caller = ctx.caller()?;
    let card = card(ctx.tx, card_id)?;
    let mandate = authorise(ctx.tx, caller, &card.person_id, scope, ctx.now)?;
    Ok((card, mandate))
}

/// `POST /v1/cards/{id}/loss-reports`.
pub fn report_loss(ctx: &mut Ctx<'_>, card_id: &str) -> ApiResult<Reply> {
    let request: LossReportRequest = ctx.json()?;
    let (card, mandate) = path_card(ctx, card_id, Scope::ReportLoss)?;
    let rules = rules_for(ctx.tx, &card.region)?;
    match (request.kind, card.status) {
        (LossKind::Temporary, CardStatus::Active)
        | (LossKind::Formal, CardStatus::Active | CardStatus::TemporarilyLost) => {}
        (_, status) => {
            return Err(ApiError::state(format!(
                "a card that is {} cannot be reported lost this way",
                enum_name(&status)
            )));
        }
    }
    let now = ctx.now;
    // A formal report supersedes an open temporary one.
    ctx.tx.execute(
        "UPDATE loss_reports SET ended_at = ?1, end_reason = 'superseded' WHERE card_id = ?2 AND ended_at IS NULL",
        params![now as i64, card.card_id],
    )?;
    let lapses_at = (request.kind == LossKind::Temporary)
        .then(|| now + u64::from(rules.temporary_loss_lapse_days) * 86_400);
    let loss_id = new_id("loss");
    let caller = ctx.caller()?.clone();
    ctx.tx.execute(
        "INSERT INTO loss_reports (loss_id, card_id, kind, reported_at, lapses_at, actor_account, mandate_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![loss_id, card.card_id, enum_name(&request.kind), now as i64, lapses_at.map(|at| at as i64), caller.account_id, mandate],
    )?;
    let status = if request.kind == LossKind::Temporary {
        CardStatus::TemporarilyLost
    } else {
        CardStatus::FormallyLost
    };
    set_card_status(ctx.tx, &card.card_id, status, now)?;
    audit(
        ctx.tx,
        now,
        &caller.account_id,
        &card.person_id,
        mandate.as_deref(),
        &format!("card.loss_report.{}", enum_name(&request.kind)),
        &card.card_id,
    )?;
    Reply::json(
        StatusCode::CREATED,
        &card_seen_by(ctx.tx, &caller, &card.card_id, now)?,
    )
}

/// Sets a card's status, and its e-card state as the rules give it for the
/// new situation, with its credentials' status bits.
pub fn set_card_status(
    tx: &Transaction<'_>,
    card_id: &str,
    status: CardStatus,
    now: u64,
) -> ApiResult<ECardState> {
    tx.execute(
        "UPDATE cards SET status = ?1 WHERE card_id = ?2",
        params![enum_name(&status), card_id],
    )?;
    refresh_e_card(tx, card_id, now)
}

/// `POST /v1/cards/{id}/loss-reports/release` (解挂), where the rules allow
/// it online.
pub fn release_loss(ctx: &mut Ctx<'_>, card_id: &str) -> ApiResult<Reply> {
    let (card, mandate) = path_card(ctx, card_id, Scope::ReportLoss)?;
    let rules = rules_for(ctx.tx, &card.region)?;
    if !rules.release_online {
        return Err(ApiError::new(
            ProblemCode::NotAllowedByRules,
            "in this region a loss report is released at a counter, with the card and an ID document",
        ));
    }
    crate::pin::require(ctx, ecard_api::identity::PinAction::ReleaseLoss)?;
    let caller = ctx.caller()?.clone();
    release(
        ctx.tx,
        &card,
        ctx.now,
        rules.formal_loss_reversible,
        "released",
    )?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &card.person_id,
        mandate.as_deref(),
        "card.loss_report.release",
        &card.card_id,
    )?;
    Reply::ok(&card_seen_by(ctx.tx, &caller, &card.card_id, ctx.now)?)
}

/// Ends the open loss report of a card and restores it.
pub fn release(
    tx: &Transaction<'_>,
    card: &CardRow,
    now: u64,
    formal_reversible: bool,
    reason: &str,
) -> ApiResult<()> {
    match card.status {
        CardStatus::TemporarilyLost => {}
        CardStatus::FormallyLost if formal_reversible => {}
        CardStatus::FormallyLost => {
            return Err(ApiError::new(
                ProblemCode::NotAllowedByRules,
                "a formal loss report cannot be reversed here: apply for a replacement",
            ));
        }
        status => {
            return Err(ApiError::state(format!(
                "the card is {}, not reported lost",
                enum_name(&status)
            )));
        }
    }
    tx.execute(
        "UPDATE loss_reports SET ended_at = ?1, end_reason = ?2 WHERE card_id = ?3 AND ended_at IS NULL",
        params![now as i64, reason, card.card_id],
    )?;
    set_card_status(tx, &card.card_id, CardStatus::Active, now).map(|_| ())
}

/// `POST /v1/cards/{id}/activation` (社保功能启用).
pub fn activate(ctx: &mut Ctx<'_>, card_id: &str) -> ApiResult<Reply> {
    let (card, mandate) = path_card(ctx, card_id, Scope::Activate)?;
    if card.social_function_enabled {
        return Err(ApiError::state(
            "the social-security function is already enabled",
        ));
    }
    if card.status != CardStatus::Active {
        return Err(ApiError::new(
            ProblemCode::CardNotActive,
            "only an active card can be activated",
        ));
    }
    let application: Option<(String, String)> = ctx
        .tx
        .query_row(
            "SELECT application_id, state FROM applications WHERE card_id = ?1 ORDER BY created_at DESC LIMIT 1",
            params![card.card_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    if let Some((application_id, state)) = &application {
        if state != "received" {
            return Err(ApiError::state(
                "the card can be activated once it is received",
            ));
        }
        set_state(
            ctx.tx,
            application_id,
            ApplicationState::Activated,
            ctx.now,
            None,
        )?;
    }
    ctx.tx.execute(
        "UPDATE cards SET social_function_enabled = 1 WHERE card_id = ?1",
        params![card.card_id],
    )?;
    let caller = ctx.caller()?.clone();
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &card.person_id,
        mandate.as_deref(),
        "card.activate",
        &card.card_id,
    )?;
    Reply::ok(&card_seen_by(ctx.tx, &caller, &card.card_id, ctx.now)?)
}
