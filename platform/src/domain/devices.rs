//! The account's devices (where the e-card is signed in): the list, unlinking
//! (解除关联), approving a new device, and the notices that tell every
//! enrolled device (and the phone on record, by SMS) what happened.
//!
//! Unlinking revokes the device at once: its credentials go into the status
//! list (terminals refuse its codes as soon as they fetch the list) and its
//! signed requests get 401 from then on.

use ecard_api::identity::NoticeKind;
use ecard_credential::PublicKey;
use rusqlite::{Transaction, params};

use crate::error::ApiResult;
use crate::store::codec::enum_name;
use crate::store::db::new_id;

/// Records a notice for every device of the account.
pub fn notify(
    tx: &Transaction<'_>,
    account_id: &str,
    kind: NoticeKind,
    device_name: Option<&str>,
    now: u64,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO notices (account_id, kind, device_name, at) VALUES (?1, ?2, ?3, ?4)",
        params![account_id, enum_name(&kind), device_name, now as i64],
    )?;
    Ok(())
}

/// Revokes one device and its credentials; returns the credentials revoked.
pub fn revoke_device(tx: &Transaction<'_>, device_id: &str, now: u64) -> ApiResult<usize> {
    let revoked = crate::domain::issuer::revoke_device_credentials(tx, device_id, now)?;
    tx.execute(
        "UPDATE devices SET revoked_at = ?1 WHERE device_id = ?2 AND revoked_at IS NULL",
        params![now as i64, device_id],
    )?;
    Ok(revoked)
}

/// A key joins `account_id` as a device named `name`; returns its id.
pub fn add(
    tx: &Transaction<'_>,
    account_id: &str,
    key: &PublicKey,
    name: &str,
    now: u64,
) -> ApiResult<String> {
    let device_id = new_id("dev");
    tx.execute(
        "INSERT INTO devices (device_id, account_id, suite, public_key, name, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            device_id,
            account_id,
            key.suite().name(),
            key.as_bytes(),
            name,
            now as i64
        ],
    )?;
    Ok(device_id)
}
