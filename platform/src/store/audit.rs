//! The audit log: who did what for whom under which mandate. Written in the
//! same transaction as the act it records, so an act and its entry commit or
//! fail together; read back by `GET /v1/audit`.

use rusqlite::{Transaction, params};

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
