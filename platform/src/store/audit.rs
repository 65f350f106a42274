//! The audit log: who did what for whom under which mandate. Written in the
//! same transaction as the act it records, so an act and its entry commit or
//! fail together; read back by `GET /v1/audit`.

use crate::store::sql::{Transaction, params};
use ecard_api::resident::AuditEntry;

use crate::error::ApiResult;

/// Records who did what for whom under which mandate.
pub fn audit(
    tx: &Transaction<'_>,
    now: u64,
    actor_account: &str,
    principal_person: &str,
    mandate_id: Option<&str>,
    action: &str,
    object_id: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor_account, principal_person, mandate_id, action, object_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![now as i64, actor_account, principal_person, mandate_id, action, object_id],
    )?;
    Ok(())
}

/// The trail of what was done for `person_id` and what `account_id` did
/// for others, newest first, at most 500 entries.
pub fn trail(
    tx: &Transaction<'_>,
    person_id: &str,
    account_id: &str,
) -> ApiResult<Vec<AuditEntry>> {
    let mut statement = tx.prepare(
        "SELECT at, actor_account, principal_person, mandate_id, action, object_id FROM audit_log \
         WHERE principal_person = ?1 OR actor_account = ?2 ORDER BY id DESC LIMIT 500",
    )?;
    let entries = statement
        .query_map(params![person_id, account_id], |row| {
            Ok(AuditEntry {
                at: row.get::<_, i64>(0)? as u64,
                actor_account_id: row.get(1)?,
                principal_person_id: row.get(2)?,
                mandate_id: row.get(3)?,
                action: row.get(4)?,
                object_id: row.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(entries)
}
