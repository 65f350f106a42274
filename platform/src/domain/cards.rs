//! Cards: device credentials, loss reports (临时挂失, 正式挂失, 解挂) and
//! social-function activation (社保功能启用), and when a card's e-card
//! works.
//!
//! Whether the e-card works while the card is being made, reported lost
//! temporarily or replaced differs between regions, so it is the rules'
//! `e_card_timing`, applied at every change of a card's situation
//! ([`refresh_e_card`]) and checked again when credentials are issued.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{ApplicationKind, CardStatus, ECardState, LossKind};

use crate::domain::issuer::set_card_revoked;
use crate::domain::rules::{province_of, rules_for};
use crate::error::{ApiError, ApiResult};
use crate::store::codec::enum_name;
use crate::store::db::new_id;
use crate::store::rows::in_the_making;
use crate::store::rows::{CardRow, card};

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

/// Sets a card's status, and its e-card state as the rules give it for the
/// new situation, with its credentials' status bits. Private: other modules
/// ask for a named transition (`report_loss`, `release`, …) instead.
fn set_card_status(
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

/// How a card record comes into being.
pub enum CardOrigin {
    /// A card the person already holds (issued at a counter): active, its
    /// e-card working and its social-security function enabled.
    AlreadyHeld,
    /// A card whose production starts: its e-card waits for the rules
    /// ([`refresh_e_card`]) and its social-security function for activation;
    /// it carries the application's photo.
    Production {
        /// The application's photo.
        photo: Option<Vec<u8>>,
    },
}

/// Records a card of `person_id` issued in `region`'s province; returns its id.
pub fn make_card(
    tx: &Transaction<'_>,
    person_id: &str,
    card_number: &str,
    bank: &str,
    region: &str,
    now: u64,
    origin: CardOrigin,
) -> ApiResult<String> {
    let card_id = new_id("card");
    let province = province_of(region);
    match origin {
        CardOrigin::AlreadyHeld => tx.execute(
            "INSERT INTO cards (card_id, person_id, card_number, bank, region, status, e_card, social_function_enabled, issued_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, 'active', 'active', 1, ?6)",
            params![card_id, person_id, card_number, bank, province, now as i64],
        )?,
        CardOrigin::Production { photo } => tx.execute(
            "INSERT INTO cards (card_id, person_id, card_number, bank, region, status, e_card, social_function_enabled, issued_at, photo) \
             VALUES (?1, ?2, ?3, ?4, ?5, 'active', 'suspended', 0, ?6, ?7)",
            params![card_id, person_id, card_number, bank, province, now as i64, photo],
        )?,
    };
    // The card is also an account of its co-branded bank (the bank function).
    crate::domain::money::open_account(tx, &card_id, bank, now)?;
    Ok(card_id)
}

/// A replacement retires the card it replaces: its open loss report ends
/// and it is marked replaced.
pub fn retire_replaced(tx: &Transaction<'_>, card_id: &str, now: u64) -> ApiResult<()> {
    tx.execute(
        "UPDATE loss_reports SET ended_at = ?1, end_reason = 'replaced' WHERE card_id = ?2 AND ended_at IS NULL",
        params![now as i64, card_id],
    )?;
    set_card_status(tx, card_id, CardStatus::Replaced, now).map(|_| ())
}

/// The card made for `application_id` carries the application's last
/// photo (a new one may have been sent after a failed production).
pub fn carry_application_photo(tx: &Transaction<'_>, application_id: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE cards SET photo = (SELECT photo FROM applications WHERE application_id = ?1) \
         WHERE card_id = (SELECT card_id FROM applications WHERE application_id = ?1)",
        params![application_id],
    )?;
    Ok(())
}

/// Enables a card's social-security function (社保功能启用).
pub fn enable_social_function(tx: &Transaction<'_>, card_id: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE cards SET social_function_enabled = 1 WHERE card_id = ?1",
        params![card_id],
    )?;
    Ok(())
}

/// The original bank reports a card's account closed and the card
/// collected.
pub fn record_bank_account_closed(tx: &Transaction<'_>, card_id: &str) -> ApiResult<()> {
    let changed = tx.execute(
        "UPDATE cards SET bank_account_closed = 1 WHERE card_id = ?1",
        params![card_id],
    )?;
    if changed == 0 {
        return Err(ApiError::not_found("card"));
    }
    Ok(())
}

/// Temporary loss reports end by themselves after the regional number of
/// days; the card comes back, and its e-card as far as the rules allow (a
/// card still being made may wait for receipt).
pub fn lapse_loss_reports(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    let mut statement = tx.prepare_cached(
        "SELECT l.card_id, l.lapses_at FROM loss_reports l JOIN cards c ON c.card_id = l.card_id \
         WHERE l.ended_at IS NULL AND l.kind = 'temporary' AND l.lapses_at <= ?1 AND c.status = 'temporarily_lost'",
    )?;
    let due: Vec<(String, i64)> = statement
        .query_map(params![now as i64], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (card_id, lapses_at) in due {
        tx.execute(
            "UPDATE loss_reports SET ended_at = ?1, end_reason = 'lapsed' WHERE card_id = ?2 AND ended_at IS NULL",
            params![lapses_at, card_id],
        )?;
        set_card_status(tx, &card_id, CardStatus::Active, now)?;
    }
    Ok(())
}

/// Who reports a card lost, and under which mandate.
pub struct Reporter<'a> {
    /// The account that reports.
    pub account_id: &'a str,
    /// The mandate it acts under, if not for itself.
    pub mandate_id: Option<&'a str>,
}

/// Reports a card lost: a temporary report (临时挂失) lapses after the
/// region's number of days; a formal one (正式挂失) supersedes an open
/// temporary one. The card's status, e-card and credentials follow.
pub fn report_loss(
    tx: &Transaction<'_>,
    card: &CardRow,
    kind: LossKind,
    reporter: &Reporter<'_>,
    now: u64,
) -> ApiResult<()> {
    let rules = rules_for(tx, &card.region)?;
    match (kind, card.status) {
        (LossKind::Temporary, CardStatus::Active)
        | (LossKind::Formal, CardStatus::Active | CardStatus::TemporarilyLost) => {}
        (_, status) => {
            return Err(ApiError::state(format!(
                "a card that is {} cannot be reported lost this way",
                enum_name(&status)
            )));
        }
    }
    // A formal report supersedes an open temporary one.
    tx.execute(
        "UPDATE loss_reports SET ended_at = ?1, end_reason = 'superseded' WHERE card_id = ?2 AND ended_at IS NULL",
        params![now as i64, card.card_id],
    )?;
    let lapses_at = (kind == LossKind::Temporary)
        .then(|| now + u64::from(rules.temporary_loss_lapse_days) * 86_400);
    let loss_id = new_id("loss");
    tx.execute(
        "INSERT INTO loss_reports (loss_id, card_id, kind, reported_at, lapses_at, actor_account, mandate_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![loss_id, card.card_id, enum_name(&kind), now as i64, lapses_at.map(|at| at as i64), reporter.account_id, reporter.mandate_id],
    )?;
    let status = if kind == LossKind::Temporary {
        CardStatus::TemporarilyLost
    } else {
        CardStatus::FormallyLost
    };
    set_card_status(tx, &card.card_id, status, now).map(|_| ())
}

/// The newest card of `person_id` that is neither replaced nor cancelled,
/// if there is one.
pub fn current_card_of(tx: &Transaction<'_>, person_id: &str) -> ApiResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT card_id FROM cards WHERE person_id = ?1 AND status NOT IN ('replaced', 'cancelled') \
             ORDER BY issued_at DESC LIMIT 1",
            params![person_id],
            |row| row.get(0),
        )
        .optional()?)
}

/// Whether the original bank reported the account of an existing card
/// closed ([`record_bank_account_closed`]).
pub fn bank_account_closed(tx: &Transaction<'_>, card_id: &str) -> ApiResult<bool> {
    Ok(tx.query_row(
        "SELECT bank_account_closed FROM cards WHERE card_id = ?1",
        params![card_id],
        |row| row.get(0),
    )?)
}

/// The photo an existing card carries, if it has one.
pub fn photo_on_file(tx: &Transaction<'_>, card_id: &str) -> ApiResult<Option<Vec<u8>>> {
    Ok(tx.query_row(
        "SELECT photo FROM cards WHERE card_id = ?1",
        params![card_id],
        |row| row.get(0),
    )?)
}

/// Records a card's last valid day (有效期), China calendar, or clears it.
/// Issuance reads it: no credential outlives the card, and none is issued
/// once it has expired (`card_expired`).
pub fn record_validity(
    tx: &Transaction<'_>,
    card_id: &str,
    valid_through: Option<ecard_documents::Date>,
) -> ApiResult<()> {
    let changed = tx.execute(
        "UPDATE cards SET valid_through = ?1 WHERE card_id = ?2",
        params![valid_through.map(|date| date.to_string()), card_id],
    )?;
    if changed == 0 {
        return Err(ApiError::not_found("card"));
    }
    Ok(())
}
