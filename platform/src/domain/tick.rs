//! Everything that happens because time passes on the platform clock:
//! production and delivery steps, lapsing temporary loss reports, ending
//! mandates. Run at the start of every request, so the state a client sees
//! is always current for the clock it is told.

use ecard_api::resident::CardStatus;
use rusqlite::{Transaction, params};

use crate::error::ApiResult;

/// The shape of the clock tick, as the HTTP layer receives it.
pub type Tick = fn(&Transaction<'_>, u64) -> ApiResult<()>;

/// Brings every clock-driven process up to `now`.
pub fn advance(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    crate::domain::applications::advance(tx, now)?;
    lapse_loss_reports(tx, now)?;
    crate::domain::delegations::expire(tx, now)
}

/// Temporary loss reports end by themselves after the regional number of
/// days; the card comes back, and its e-card as far as the rules allow (a
/// card still being made may wait for receipt).
fn lapse_loss_reports(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    let mut statement = tx.prepare(
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
        crate::domain::cards::set_card_status(tx, &card_id, CardStatus::Active, now)?;
    }
    Ok(())
}
