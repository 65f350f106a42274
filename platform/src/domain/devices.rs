//! The account's devices (where the e-card is signed in): the list, unlinking
//! (解除关联), approving a new device, and the notices that tell every
//! enrolled device (and the phone on record, by SMS) what happened.
//!
//! Unlinking revokes the device at once: its credentials go into the status
//! list (terminals refuse its codes as soon as they fetch the list) and its
//! signed requests get 401 from then on.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::identity::{DeviceView, Notice, NoticeKind};
use ecard_credential::{PublicKey, Suite};

use crate::error::ApiResult;
use crate::store::audit::audit;
use crate::store::codec::{enum_name, parse_enum};
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

/// Who unlinks a device, and why (the audit action).
pub struct Unlinking<'a> {
    /// The account the device belongs to.
    pub account_id: &'a str,
    /// The account holder, for the audit trail.
    pub person_id: &'a str,
    /// The device.
    pub device_id: &'a str,
    /// Its name, for the other devices' notice.
    pub name: &'a str,
    /// `device.unlink` (by the holder) or `device.unlink.cap` (a new device
    /// over the cap).
    pub action: &'a str,
}

/// Unlinks a device: revokes it and its credentials, tells the account's
/// devices and writes the audit entry. Returns the credentials revoked.
pub fn unlink(tx: &Transaction<'_>, unlinking: &Unlinking<'_>, now: u64) -> ApiResult<usize> {
    let revoked = revoke_device(tx, unlinking.device_id, now)?;
    notify(
        tx,
        unlinking.account_id,
        NoticeKind::DeviceUnlinked,
        Some(unlinking.name),
        now,
    )?;
    audit(
        tx,
        now,
        unlinking.account_id,
        unlinking.person_id,
        None,
        unlinking.action,
        unlinking.device_id,
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

/// An enrolled device as a signed request names it: its account, the
/// account holder and the key it signs with (as stored).
pub struct Signer {
    /// The account the device belongs to.
    pub account_id: String,
    /// The account holder.
    pub person_id: String,
    /// The key suite's name.
    pub suite: String,
    /// The public key's bytes.
    pub public_key: Vec<u8>,
    /// When it last made a signed request, to [`LAST_SEEN_RESOLUTION_SECONDS`].
    pub last_seen_at: Option<u64>,
}

/// How precisely a device's last use is kept. Writing it on every signed
/// request would cost a write of the device's row per request; kept to the
/// minute, an active phone's requests write it once a minute. The device
/// list shows the day, and the least recently used device (unlinked when
/// one more is enrolled over the cap) is told apart by far more than this.
pub const LAST_SEEN_RESOLUTION_SECONDS: u64 = 60;

impl Signer {
    /// Whether a signed request at `now` is to be recorded as the device's
    /// last use: it never made one, or the last is a resolution old.
    pub fn last_use_is_stale(&self, now: u64) -> bool {
        self.last_seen_at
            .is_none_or(|seen| now >= seen.saturating_add(LAST_SEEN_RESOLUTION_SECONDS))
    }
}

/// The device `device_id`, if it is enrolled and not revoked.
pub fn signer(tx: &Transaction<'_>, device_id: &str) -> ApiResult<Option<Signer>> {
    Ok(tx
        .query_row(
            "SELECT d.account_id, a.person_id, d.suite, d.public_key, d.last_seen_at FROM devices d \
             JOIN accounts a ON a.account_id = d.account_id WHERE d.device_id = ?1 AND d.revoked_at IS NULL",
            params![device_id],
            |row| {
                Ok(Signer {
                    account_id: row.get(0)?,
                    person_id: row.get(1)?,
                    suite: row.get(2)?,
                    public_key: row.get(3)?,
                    last_seen_at: row.get::<_, Option<i64>>(4)?.map(|at| at as u64),
                })
            },
        )
        .optional()?)
}

/// The device signed a request at `now` (callers write it only when
/// [`Signer::last_use_is_stale`]).
pub fn mark_seen(tx: &Transaction<'_>, device_id: &str, now: u64) -> ApiResult<()> {
    tx.execute(
        "UPDATE devices SET last_seen_at = ?1 WHERE device_id = ?2",
        params![now as i64, device_id],
    )?;
    Ok(())
}

const LIST: &str = "SELECT device_id, name, suite, created_at, last_seen_at FROM devices \
     WHERE account_id = ?1 AND revoked_at IS NULL ORDER BY created_at, device_id";

/// The account's devices that are not revoked, oldest first; the one
/// `current_device_id` names is marked current.
pub fn list(
    tx: &Transaction<'_>,
    account_id: &str,
    current_device_id: &str,
) -> ApiResult<Vec<DeviceView>> {
    let mut statement = tx.prepare(LIST)?;
    let devices = statement
        .query_map(params![account_id], |row| {
            let device_id: String = row.get(0)?;
            Ok(DeviceView {
                current: device_id == current_device_id,
                device_id,
                name: row.get(1)?,
                suite: Suite::from_name(&row.get::<_, String>(2)?).unwrap_or(Suite::EcdsaP256),
                enrolled_at: row.get::<_, i64>(3)? as u64,
                last_seen_at: row.get::<_, Option<i64>>(4)?.map(|at| at as u64),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(devices)
}

/// The name of `device_id` if it is a device of `account_id` that is not
/// revoked.
pub fn active_device_name(
    tx: &Transaction<'_>,
    device_id: &str,
    account_id: &str,
) -> ApiResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT name FROM devices WHERE device_id = ?1 AND account_id = ?2 AND revoked_at IS NULL",
            params![device_id, account_id],
            |row| row.get(0),
        )
        .optional()?)
}

const ACTIVE_COUNT: &str =
    "SELECT COUNT(*) FROM devices WHERE account_id = ?1 AND revoked_at IS NULL";

/// How many devices of the account are not revoked.
pub fn active_count(tx: &Transaction<'_>, account_id: &str) -> ApiResult<u32> {
    Ok(tx.query_row(ACTIVE_COUNT, params![account_id], |row| row.get(0))?)
}

const LEAST_RECENTLY_USED: &str = "SELECT device_id, name FROM devices \
     WHERE account_id = ?1 AND revoked_at IS NULL \
     ORDER BY COALESCE(last_seen_at, created_at), created_at LIMIT 1";

/// The account's device, not revoked, that was used least recently (or,
/// never used, enrolled earliest): (device id, name).
pub fn least_recently_used(
    tx: &Transaction<'_>,
    account_id: &str,
) -> ApiResult<Option<(String, String)>> {
    Ok(tx
        .query_row(LEAST_RECENTLY_USED, params![account_id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?)
}

const KEY_ENROLLED: &str =
    "SELECT device_id FROM devices WHERE public_key = ?1 AND revoked_at IS NULL";

/// Whether a device that is not revoked signs with this public key.
pub fn key_enrolled(tx: &Transaction<'_>, public_key: &[u8]) -> ApiResult<bool> {
    Ok(tx
        .query_row(KEY_ENROLLED, params![public_key], |row| {
            row.get::<_, String>(0)
        })
        .optional()?
        .is_some())
}

/// The account's notices after notice number `after`, oldest first, at
/// most 100.
pub fn notices_after(tx: &Transaction<'_>, account_id: &str, after: u64) -> ApiResult<Vec<Notice>> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let mut statement = tx.prepare(
        "SELECT notice_id, kind, device_name, at FROM notices WHERE account_id = ?1 AND notice_id > ?2 \
         ORDER BY notice_id LIMIT 100",
    )?;
    let notices = statement
        .query_map(params![account_id, after], |row| {
            Ok(Notice {
                notice_id: row.get::<_, i64>(0)? as u64,
                kind: parse_enum(&row.get::<_, String>(1)?)?,
                device_name: row.get(2)?,
                at: row.get::<_, i64>(3)? as u64,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(notices)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    /// The look-ups of devices by account or key, each with the index it
    /// must use: without one, each read every device of the province (and
    /// on PostgreSQL collided with every concurrent enrolment).
    const LOOK_UPS: [(&str, &str); 4] = [
        (KEY_ENROLLED, "devices_by_public_key"),
        (ACTIVE_COUNT, "devices_by_account"),
        (LEAST_RECENTLY_USED, "devices_by_account"),
        (LIST, "devices_by_account"),
    ];

    #[test]
    fn devices_are_found_by_account_and_key_through_an_index_on_sqlite() {
        let connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let sqlite = connection.as_sqlite().unwrap();
        for (query, index) in LOOK_UPS {
            let plan: Vec<String> = sqlite
                .prepare(&format!("EXPLAIN QUERY PLAN {query}"))
                .unwrap()
                .query_map([rusqlite::types::Value::Null], |row| {
                    row.get::<_, String>(3)
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(
                plan.iter().any(|step| step.contains(index)),
                "{query}: {plan:?}"
            );
        }
    }

    /// PostgreSQL's planner picks among the indexes by its statistics; what
    /// matters is that none of these reads the table whole.
    #[test]
    fn devices_are_found_by_account_and_key_through_an_index_on_postgres() {
        let database = crate::store::test_postgres::TestDatabase::new();
        let mut client = database.connect();
        crate::store::postgres_schema::apply(&mut client).unwrap();
        client
            .batch_execute(crate::store::sql::POSTGRES_SESSION)
            .unwrap();
        for (query, _) in LOOK_UPS {
            let query = query.replace("?1", "$1");
            let (key, account) = (vec![0u8; 65], "acc_1".to_owned());
            let parameter: &(dyn postgres::types::ToSql + Sync) = if query.contains("public_key") {
                &key
            } else {
                &account
            };
            let plan: Vec<String> = client
                .query(&format!("EXPLAIN {query}"), &[parameter])
                .unwrap()
                .iter()
                .map(|row| row.get(0))
                .collect();
            assert!(
                plan.iter().any(|step| step.contains("Index Scan"))
                    && !plan.iter().any(|step| step.contains("Seq Scan")),
                "{query}: {plan:?}"
            );
        }
    }
}
