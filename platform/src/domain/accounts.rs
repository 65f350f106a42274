//! Accounts at the platform: deleting one (the PIPL right of deletion) ends
//! everything the account could do — its devices and their credentials,
//! the mandates it holds for others, its PIN, its contact phone and the
//! access records of the person's codes (who resolved them), the insurance
//! records and the certificates issued from them — while
//! cards, applications and the audit log stay, as the card rules keep them.
//! An account is opened at a person's first enrolment, or reopened then;
//! its phone on record changes only by a code sent to the old phone or at
//! a counter.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::resident::AccountDeletion;

use crate::domain::delegations::end_held_by;
use crate::domain::issuer::revoke_account_credentials;
use crate::error::ApiResult;
use crate::store::db::new_id;
use crate::store::rows::Person;

/// Deletes `account_id` at `now`; the person may enrol again later.
pub fn delete(tx: &Transaction<'_>, account_id: &str, now: u64) -> ApiResult<AccountDeletion> {
    let mandates_ended = end_held_by(tx, account_id, now)?;
    crate::domain::login::revoke_approved_by(tx, account_id, now)?;
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
    // Who resolved the person's codes is their personal data: it goes
    // with the account.
    let person_id: String = tx.query_row(
        "SELECT person_id FROM accounts WHERE account_id = ?1",
        params![account_id],
        |row| row.get(0),
    )?;
    crate::domain::service_points::forget_person(tx, &person_id)?;
    // So are the insurance records the platform holds and the
    // certificates issued from them (their codes then check as unknown).
    crate::domain::insurance_records::forget_person(tx, &person_id)?;
    crate::domain::certificates::forget_person(tx, &person_id)?;
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

/// A change of the phone on record as it starts: the new number, and the
/// one-time code (hashed) sent to the *old* phone.
pub struct PhoneChange<'a> {
    /// The change.
    pub change_id: &'a str,
    /// The number that will be on record.
    pub new_phone: &'a str,
    /// The hash of the code sent to the old phone.
    pub code_hash: &'a str,
    /// When the code stops working, Unix seconds.
    pub code_expires_at: u64,
}

/// Stores a phone change of `account_id` that waits for its code.
pub fn start_phone_change(
    tx: &Transaction<'_>,
    account_id: &str,
    change: &PhoneChange<'_>,
    now: u64,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO phone_changes (change_id, account_id, new_phone, code_hash, code_expires_at, state, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'waiting', ?6)",
        params![change.change_id, account_id, change.new_phone, change.code_hash, change.code_expires_at as i64, now as i64],
    )?;
    Ok(())
}

/// A wrong or expired code for a phone change: `tries` so far, and whether
/// the change is spent by it.
pub fn count_wrong_phone_code(
    tx: &Transaction<'_>,
    change_id: &str,
    tries: u32,
    spent: bool,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE phone_changes SET code_tries = ?1, state = CASE WHEN ?2 THEN 'failed' ELSE state END WHERE change_id = ?3",
        params![tries, spent, change_id],
    )?;
    Ok(())
}

/// The right code came back: the change is done and `new_phone` is on
/// record for `account_id`.
pub fn complete_phone_change(
    tx: &Transaction<'_>,
    change_id: &str,
    account_id: &str,
    new_phone: &str,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE phone_changes SET state = 'done' WHERE change_id = ?1",
        params![change_id],
    )?;
    tx.execute(
        "UPDATE accounts SET phone = ?1 WHERE account_id = ?2",
        params![new_phone, account_id],
    )?;
    Ok(())
}

/// A counter clerk records the phone a person shows in person: in the
/// register, and on their account if they have one (returned).
pub fn record_phone_at_counter(
    tx: &Transaction<'_>,
    person_id: &str,
    phone: &str,
) -> ApiResult<Option<String>> {
    crate::domain::register::record_phone(tx, person_id, phone)?;
    let account = active_account_of(tx, person_id)?.map(|account| account.account_id);
    if let Some(account_id) = &account {
        tx.execute(
            "UPDATE accounts SET phone = ?1 WHERE account_id = ?2",
            params![phone, account_id],
        )?;
    }
    Ok(account)
}

/// The phone on record of an account (empty once the account is deleted),
/// or `None` when there is no such account.
pub fn phone_on_record(tx: &Transaction<'_>, account_id: &str) -> ApiResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT phone FROM accounts WHERE account_id = ?1",
            params![account_id],
            |row| row.get(0),
        )
        .optional()?)
}

/// A person's account that is not deleted.
pub struct ActiveAccount {
    /// The account.
    pub account_id: String,
    /// The phone on record (may be empty).
    pub phone: String,
}

/// The account of `person_id`, unless there is none or it was deleted.
pub fn active_account_of(
    tx: &Transaction<'_>,
    person_id: &str,
) -> ApiResult<Option<ActiveAccount>> {
    Ok(tx
        .query_row(
            "SELECT account_id, phone FROM accounts WHERE person_id = ?1 AND deleted_at IS NULL",
            params![person_id],
            |row| {
                Ok(ActiveAccount {
                    account_id: row.get(0)?,
                    phone: row.get(1)?,
                })
            },
        )
        .optional()?)
}

/// A stored change of the phone on record, as its confirmation reads it.
pub struct StoredPhoneChange {
    /// The number that will be on record.
    pub new_phone: String,
    /// The hash of the code sent to the old phone.
    pub code_hash: String,
    /// When the code stops working, Unix seconds as stored.
    pub code_expires_at: i64,
    /// Wrong codes so far.
    pub code_tries: u32,
    /// `waiting`, `done` or `failed`.
    pub state: String,
}

/// The phone change `change_id` of `account_id`, if there is one.
pub fn phone_change(
    tx: &Transaction<'_>,
    change_id: &str,
    account_id: &str,
) -> ApiResult<Option<StoredPhoneChange>> {
    Ok(tx
        .query_row(
            "SELECT new_phone, code_hash, code_expires_at, code_tries, state FROM phone_changes \
             WHERE change_id = ?1 AND account_id = ?2",
            params![change_id, account_id],
            |row| {
                Ok(StoredPhoneChange {
                    new_phone: row.get(0)?,
                    code_hash: row.get(1)?,
                    code_expires_at: row.get(2)?,
                    code_tries: row.get(3)?,
                    state: row.get(4)?,
                })
            },
        )
        .optional()?)
}
