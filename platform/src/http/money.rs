//! Endpoints of the card's money: the financial account of a card's bank
//! function, the payments into the person's card account, and the
//! financial loss report (金融功能挂失), which leaves the social-security
//! function and the e-card as they are. The records are
//! [`crate::domain::money`]'s.

use axum::http::StatusCode;
use ecard_api::money::{DEFAULT_PAYMENTS_PAGE, FinancialLossReport, MAX_PAYMENTS_PAGE};
use ecard_api::resident::Scope;

use crate::domain::access::authorise;
use crate::domain::money as domain;
use crate::error::ApiResult;
use crate::http::context::{Ctx, Reply};
use crate::store::audit::audit;
use crate::store::rows::card;

/// `GET /v1/cards/{id}/financial-account`: the bank, the masked account
/// number, the bank function's state and the bank's hotline, to the holder
/// or someone tracking the card or reporting it lost for them.
pub fn account(ctx: &mut Ctx<'_>, card_id: &str) -> ApiResult<Reply> {
    let row = card(ctx.tx, card_id)?;
    ctx.may_see(&row.person_id, &[Scope::Track, Scope::ReportLoss])?;
    Reply::ok(&domain::account(ctx.tx, card_id, ctx.now)?)
}

/// `GET /v1/me/payments?person_id=&before=&limit=`: payments into the
/// person's card accounts, newest first.
pub fn payments(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let person_id = ctx.subject_param()?;
    let (before, limit) = ctx.page("a payment cursor", DEFAULT_PAYMENTS_PAGE, MAX_PAYMENTS_PAGE)?;
    ctx.may_see(&person_id, &[Scope::Track])?;
    // A pure read: the pension is paid (or withheld) by the clock tick on
    // each pay day and by a certification, not by listing it
    // (`domain::eligibility`).
    Reply::ok(&domain::payments(ctx.tx, &person_id, before, limit)?)
}

/// `POST /v1/cards/{id}/financial-loss-reports` (金融功能挂失): the bank
/// function is reported lost; the answer names the bank's hotline, which
/// must be called to complete the report.
pub fn report_loss(ctx: &mut Ctx<'_>, card_id: &str) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let row = card(ctx.tx, card_id)?;
    let mandate = authorise(ctx.tx, &caller, &row.person_id, Scope::ReportLoss, ctx.now)?;
    let account = domain::report_financial_loss(
        ctx.tx,
        card_id,
        &domain::FinancialReporter {
            account_id: &caller.account_id,
            mandate_id: mandate.as_deref(),
        },
        ctx.now,
    )?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &row.person_id,
        mandate.as_deref(),
        "card.financial_loss_report",
        card_id,
    )?;
    let bank_hotline = account.bank.hotline.clone();
    Reply::json(
        StatusCode::CREATED,
        &FinancialLossReport {
            account,
            bank_hotline,
            bank_contact_required: true,
            next_step: domain::BANK_CONTACT_STEP.to_owned(),
        },
    )
}
