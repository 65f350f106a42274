//! Everything that happens because time passes on the platform clock:
//! household registration of births, production and delivery steps, lapsing temporary loss reports, ending
//! mandates, forgetting terminals' acceptances, login requests, resolved
//! codes and the status-bit history after their retention, request nonces
//! past their expiry, and pension eligibility (suspending
//! and resuming pension payments, paying each month's pension). Run at the start of a request, at most once per platform
//! second, so the state a client sees is current for the clock it is told
//! to the second.

use crate::store::sql::Transaction;

use crate::error::ApiResult;

/// The shape of the clock tick, as the HTTP layer receives it.
pub type Tick = fn(&Transaction<'_>, u64) -> ApiResult<()>;

/// Brings every clock-driven process up to `now`.
pub fn advance(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    crate::domain::births::advance(tx, now)?;
    crate::domain::applications::advance(tx, now)?;
    crate::domain::cards::lapse_loss_reports(tx, now)?;
    crate::domain::delegations::expire(tx, now)?;
    crate::domain::clearing::prune(tx, now)?;
    crate::domain::login::prune(tx, now)?;
    crate::domain::service_points::prune(tx, now)?;
    crate::domain::eligibility::advance(tx, now)?;
    crate::domain::status_history::prune(tx, now)?;
    crate::store::requests::forget_expired_nonces(tx, now)
}
