//! What the request plumbing keeps between requests: the nonces of signed
//! requests (so a replayed request is refused) and the stored replies of
//! idempotent ones (so a retried mutation gets its first answer back).
//! Rows only; the plumbing decides what a replay or a reused key means.

use crate::store::sql::{OptionalExtension, Transaction, params};

use crate::error::ApiResult;

/// Records the nonce a signer used, after forgetting nonces that expired
/// before `now`; `false` when the signer already used it (a replay). The
/// nonce is kept until `keep_until`.
pub fn first_use_of_nonce(
    tx: &Transaction<'_>,
    signer: &str,
    nonce: &str,
    now: u64,
    keep_until: u64,
) -> ApiResult<bool> {
    tx.execute(
        "DELETE FROM nonces WHERE expires_at < ?1",
        params![now as i64],
    )?;
    let inserted = tx.execute(
        "INSERT INTO nonces (device_id, nonce, expires_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![signer, nonce, keep_until as i64],
    )?;
    Ok(inserted != 0)
}

/// Whether `signer` used `nonce` in a request still remembered at `now`
/// (a read: [`first_use_of_nonce`] records the use).
pub fn nonce_is_used(tx: &Transaction<'_>, signer: &str, nonce: &str, now: u64) -> ApiResult<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM nonces WHERE device_id = ?1 AND nonce = ?2 AND expires_at >= ?3",
            params![signer, nonce, now as i64],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The reply stored for an idempotency key, with the hash of the request
/// that produced it.
pub struct StoredReply {
    /// Hash of the method, path and body of the first request.
    pub request_hash: String,
    /// The reply's HTTP status.
    pub status: u16,
    /// The reply's body.
    pub body: Vec<u8>,
}

/// The reply stored under `key` in `scope` (an account, an enrolment or
/// `public`), if there is one.
pub fn stored_reply(
    tx: &Transaction<'_>,
    scope: &str,
    key: &str,
) -> ApiResult<Option<StoredReply>> {
    Ok(tx
        .query_row(
            "SELECT request_hash, status, body FROM idempotency WHERE scope = ?1 AND key = ?2",
            params![scope, key],
            |row| {
                Ok(StoredReply {
                    request_hash: row.get(0)?,
                    status: row.get(1)?,
                    body: row.get(2)?,
                })
            },
        )
        .optional()?)
}

/// Stores the reply (`status`, `body`) to the request hashed as
/// `request_hash`, under `key` in `scope`, made at `now`.
pub fn store_reply(
    tx: &Transaction<'_>,
    scope: &str,
    key: &str,
    request_hash: &str,
    status: u16,
    body: &[u8],
    now: u64,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![scope, key, request_hash, status, body, now as i64],
    )?;
    Ok(())
}
