//! Endpoints of cards: device credentials, loss reports and their release,
//! and activation of the social-security function. Card status and e-card
//! state change only through [`crate::domain::cards`].

use axum::http::StatusCode;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{CardStatus, CredentialRequest, ECardState, LossReportRequest, Scope};

use crate::domain::access::{authorise, card_seen_by};
use crate::domain::applications::card_activated;
use crate::domain::cards::{current_card_of, e_card_state_for, enable_social_function, release};
use crate::domain::issuer::{IssueFor, device_role_for_card, issue_credentials};
use crate::domain::rules::rules_for;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Ctx, Reply};
use crate::store::audit::audit;
use crate::store::codec::enum_name;
use crate::store::rows::in_the_making;
use crate::store::rows::{CardRow, card, person};

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
        None => current_card_of(ctx.tx, &caller.person_id)?.ok_or_else(|| {
            ApiError::new(
                ProblemCode::CardNotActive,
                "you have no card yet: apply for one first",
            )
        })?,
    };
    let card = card(ctx.tx, &card_id)?;
    let acting = device_role_for_card(
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
    // A minor's own phone needs a guardian's consent (`guardian_required`).
    let mandate = authorise(ctx.tx, &caller, &card.person_id, Scope::ShowCode, ctx.now)?;
    let holder = person(ctx.tx, &card.person_id)?;
    let rules = rules_for(ctx.tx, &card.region)?;
    let standing = crate::domain::concessions::standing(
        ctx.tx,
        &rules,
        &card.person_id,
        holder.birth_date,
        ctx.now,
    )?;
    let set = issue_credentials(
        ctx.tx,
        &IssueFor {
            card_id: &card.card_id,
            person_id: &card.person_id,
            birth_date: holder.birth_date,
            region: &card.region,
            device_id: &caller.device_id,
            device_key: &caller.device_key,
            role: acting.role,
            mandate_ends_at: acting.mandate_ends_at,
            lifetime_hours: rules.credential_lifetime_hours,
            adult_age: rules.adult_age,
            card_valid_through: card.valid_through,
            concession: standing.class,
            affiliation: standing.affiliation,
        },
        ctx.now,
    )?;
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
    let now = ctx.now;
    let caller = ctx.caller()?.clone();
    crate::domain::cards::report_loss(
        ctx.tx,
        &card,
        request.kind,
        &crate::domain::cards::Reporter {
            account_id: &caller.account_id,
            mandate_id: mandate.as_deref(),
        },
        now,
    )?;
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
    crate::http::pin::require(ctx, ecard_api::identity::PinAction::ReleaseLoss)?;
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
    card_activated(ctx.tx, &card.card_id, ctx.now)?;
    enable_social_function(ctx.tx, &card.card_id)?;
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
