//! Accounts at the platform: deleting one (the PIPL right of deletion) ends
//! everything the account could do — its devices and their credentials,
//! the mandates it holds for others, its PIN and its contact phone — while
//! cards, applications and the audit log stay, as the card rules keep them.
//! An account is opened at a person's first enrolment, or reopened then.

use ecard_api::resident::AccountDeletion;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::domain::delegations::end_held_by;
use crate::domain::issuer::revoke_account_credentials;
use crate::error::ApiResult;
use crate::store::db::new_id;
use crate::store::rows::Person;

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

/// Opens the account of `person` for a first enrolment, with the phone the
/// register has for them; returns its id. A deleted account comes back
/// (with the register's phone and without a PIN) rather than a second one.
pub fn open(tx: &Transaction<'_>, person: &Person, now: u64) -> ApiResult<String> {
    let phone = person.phone.clone().unwrap_or_default();
    let existing: Option<String> = tx
        .query_row(
            "SELECT account_id FROM accounts WHERE person_id = ?1",
            params![person.person_id],
            |row| row.get(0),
        )
        .optional()?;
    match existing {
        Some(account_id) => {
            tx.execute(
                "UPDATE accounts SET deleted_at = NULL, phone = ?1 WHERE account_id = ?2",
                params![phone, account_id],
            )?;
            tx.execute(
                "DELETE FROM pins WHERE account_id = ?1",
                params![account_id],
            )?;
            Ok(account_id)
        }
        None => {
            let account_id = new_id("acc");
            tx.execute(
                "INSERT INTO accounts (account_id, person_id, phone, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![account_id, person.person_id, phone, now as i64],
            )?;
            Ok(account_id)
        }
    }
}
