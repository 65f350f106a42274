//! What the request plumbing keeps between requests: the nonces of signed
//! requests (so a replayed request is refused) and the stored replies of
//! idempotent ones (so a retried mutation gets its first answer back).
//! Rows only; the plumbing decides what a replay or a reused key means.

use crate::store::sql::{OptionalExtension, Transaction, params};

use crate::error::ApiResult;

/// Records the nonce a signer used at `now`; `false` when the signer
/// already used it (a replay). The nonce is kept until `keep_until`; a
/// row of the same nonce that expired and is not yet forgotten
/// ([`forget_expired_nonces`]) counts as unused and is taken over.
pub fn first_use_of_nonce(
    tx: &Transaction<'_>,
    signer: &str,
    nonce: &str,
    now: u64,
    keep_until: u64,
) -> ApiResult<bool> {
    let recorded = tx.execute(
        "INSERT INTO nonces (device_id, nonce, expires_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (device_id, nonce) DO UPDATE SET expires_at = excluded.expires_at \
         WHERE nonces.expires_at < ?4",
        params![signer, nonce, keep_until as i64, now as i64],
    )?;
    Ok(recorded != 0)
}

/// Forgets the nonces that expired before `now` (from the clock tick, once
/// a second: beside every request, the range it reads would make
/// concurrent requests conflict under PostgreSQL's serializable isolation).
pub fn forget_expired_nonces(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM nonces WHERE expires_at < ?1",
        params![now as i64],
    )?;
    Ok(())
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

/// Keeps the reply (`status`, `body`) of the request hashed as
/// `request_hash`, made at `now`, under `key` in `scope`: `false`, keeping
/// nothing, when a request already has the key (its reply is then
/// [`stored_reply`], and the caller undoes this request's work). The reply
/// is written in the transaction of the work it answers, after the work:
/// a failed work keeps no key, and no other request ever sees a key
/// without its reply. The key is neither looked up first nor written
/// twice: under PostgreSQL's serializable isolation a look-up reads the
/// index page where the key goes (a gap, for a new key), and concurrent
/// requests inserting other keys into that page conflicted with it.
pub fn keep_reply(
    tx: &Transaction<'_>,
    (scope, key, request_hash): (&str, &str, &str),
    status: u16,
    body: &[u8],
    now: u64,
) -> ApiResult<bool> {
    let kept = tx.execute(
        "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        params![scope, key, request_hash, status, body, now as i64],
    )?;
    Ok(kept != 0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn a_nonce_is_refused_until_it_expires_and_forgotten_by_the_tick_after() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let now = 1_800_000_000;
        assert!(first_use_of_nonce(&tx, "dev-1", "nonce-a", now, now + 600).unwrap());
        assert!(!first_use_of_nonce(&tx, "dev-1", "nonce-a", now + 1, now + 601).unwrap());
        assert!(nonce_is_used(&tx, "dev-1", "nonce-a", now + 600).unwrap());
        // Another signer's nonce is its own.
        assert!(first_use_of_nonce(&tx, "dev-2", "nonce-a", now, now + 600).unwrap());

        // Expired but not yet forgotten: unused again, and taken over.
        assert!(!nonce_is_used(&tx, "dev-1", "nonce-a", now + 601).unwrap());
        assert!(first_use_of_nonce(&tx, "dev-1", "nonce-a", now + 601, now + 1_201).unwrap());
        assert!(!first_use_of_nonce(&tx, "dev-1", "nonce-a", now + 602, now + 1_202).unwrap());

        // The tick forgets what expired before its time, nothing else.
        forget_expired_nonces(&tx, now + 1_000).unwrap();
        let left: i64 = tx
            .query_row("SELECT COUNT(*) FROM nonces", [], |row| row.get(0))
            .unwrap();
        assert_eq!(left, 1);
        assert!(nonce_is_used(&tx, "dev-1", "nonce-a", now + 1_000).unwrap());
    }

    #[test]
    fn a_key_keeps_its_first_reply() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let now = 1_800_000_000;
        assert!(
            keep_reply(
                &tx,
                ("acc-1", "key-1", "hash-a"),
                201,
                b"{\"ok\":true}",
                now
            )
            .unwrap()
        );
        assert!(!keep_reply(&tx, ("acc-1", "key-1", "hash-b"), 200, b"{}", now + 1).unwrap());
        let stored = stored_reply(&tx, "acc-1", "key-1").unwrap().unwrap();
        assert_eq!(
            (
                stored.request_hash.as_str(),
                stored.status,
                stored.body.as_slice()
            ),
            ("hash-a", 201, b"{\"ok\":true}".as_slice())
        );
        // The same key in another scope is another key.
        assert!(keep_reply(&tx, ("acc-2", "key-1", "hash-a"), 201, b"{}", now).unwrap());
        assert!(stored_reply(&tx, "acc-3", "key-1").unwrap().is_none());
    }
}
