//! Accounts at the platform: deleting one (the PIPL right of deletion) ends
//! everything the account could do — its devices and their credentials,
//! the mandates it holds for others, its PIN and its contact phone — while
//! cards, applications and the audit log stay, as the card rules keep them.

use ecard_api::resident::AccountDeletion;
use rusqlite::{Transaction, params};

use crate::domain::delegations::end_held_by;
use crate::domain::issuer::revoke_account_credentials;
use crate::error::ApiResult;

/// Deletes `account_id` at `now`; the person may enrol again later.
pub fn delete(tx: &Transaction<'_>, account_id: &str, now: u64) -> ApiResult<AccountDeletion> {
    let mandates_ended = end_held_by(tx, account_id, now)?;
    let credentials_revoked = revoke_account_credentials(tx, account_id, now)?;
    let devices_revoked = tx.execute(
        "UPDATE devices SET revoked_at = ?1 WHERE account_id = ?2 AND revoked_at IS NULL",
        params![now as i64, account_id],
    )?;
    tx.execute(
        "UPDATE accounts SET phone = '', deleted_at = ?1 WHERE account_id = ?2",
        params![now as i64, account_id],
    )?;
    tx.execute(
        "DELETE FROM pins WHERE account_id = ?1",
        params![account_id],
    )?;
    Ok(AccountDeletion {
        deleted_at: now,
        devices_revoked: devices_revoked as u32,
        credentials_revoked: credentials_revoked as u32,
        mandates_ended: mandates_ended as u32,
    })
}
