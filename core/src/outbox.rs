//! The durable outbox: every submission to the platform goes through it.
//!
//! A submission is written here — sealed body, a fresh idempotency key,
//! state `pending` — in the same transaction that consumes its draft, before
//! the first attempt. It is marked `done` only together with the platform's
//! answer. A crash, a kill or a lost network at any point leaves it pending,
//! and the next drain resends it with the same key, which the platform
//! answers with the stored result instead of acting twice. So a submission
//! is never lost and never in effect twice.
//!
//! Entries the platform refuses (a 4xx problem) move to `failed` with the
//! reason, for the person to see; network failures back off exponentially
//! with jitter (capped at an hour) and stay `pending`.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::error::{ClientError, StorageError};
use crate::net::{ApiRequest, ApiResponse, new_idempotency_key};
use crate::storage::Store;
use crate::storage::cipher::FieldCipher;

/// Where a submission stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Not yet confirmed by the platform.
    Pending,
    /// Confirmed; the answer is stored.
    Done,
    /// Refused by the platform; needs the person's attention.
    Failed,
}

/// A submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Local id.
    pub id: i64,
    /// The idempotency key it is always sent with.
    pub idempotency_key: String,
    /// What it does, e.g. `application.submit`.
    pub action: String,
    /// HTTP path.
    pub path: String,
    /// What it is about (an application or card id), if known.
    pub subject: Option<String>,
    /// State.
    pub state: OutboxState,
    /// Attempts so far.
    pub attempts: u32,
    /// Earliest next attempt (Unix seconds).
    pub next_attempt_at: u64,
    /// The last error (code), if any.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: u64,
}

/// A submission to queue.
#[derive(Clone, Debug)]
pub struct NewSubmission<'a> {
    /// What it does.
    pub action: &'a str,
    /// HTTP path.
    pub path: &'a str,
    /// JSON body.
    pub body: serde_json::Value,
    /// What it is about.
    pub subject: Option<&'a str>,
    /// The draft it consumes (deleted in the same transaction).
    pub draft_id: Option<&'a str>,
}

const COLUMNS: &str = "id, idempotency_key, action, path, subject, state, attempts, next_attempt_at, last_error, created_at";

fn entry_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let state: String = row.get(5)?;
    Ok(OutboxEntry {
        id: row.get(0)?,
        idempotency_key: row.get(1)?,
        action: row.get(2)?,
        path: row.get(3)?,
        subject: row.get(4)?,
        state: match state.as_str() {
            "done" => OutboxState::Done,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Pending,
        },
        attempts: row.get(6)?,
        next_attempt_at: row.get::<_, i64>(7)? as u64,
        last_error: row.get(8)?,
        created_at: row.get::<_, i64>(9)? as u64,
    })
}

/// Queues a submission inside a transaction; returns its id.
pub fn enqueue(
    tx: &Transaction<'_>,
    cipher: &FieldCipher,
    submission: &NewSubmission<'_>,
    now: u64,
) -> Result<i64, ClientError> {
    let key = new_idempotency_key()?;
    let sealed = cipher.seal_json("outbox.sealed_body", &submission.body)?;
    tx.execute(
        "INSERT INTO outbox (idempotency_key, action, method, path, sealed_body, subject, state, next_attempt_at, created_at, draft_id) \
         VALUES (?1, ?2, 'POST', ?3, ?4, ?5, 'pending', ?6, ?6, ?7)",
        params![key, submission.action, submission.path, sealed, submission.subject, now as i64, submission.draft_id],
    )?;
    let id = tx.last_insert_rowid();
    if let Some(draft_id) = submission.draft_id {
        tx.execute("DELETE FROM drafts WHERE draft_id = ?1", params![draft_id])?;
    }
    Ok(id)
}

/// Pending and failed counts.
pub fn counts(store: &Store) -> Result<(usize, usize), StorageError> {
    store.read(|connection| {
        let count = |state: &str| -> Result<usize, StorageError> {
            Ok(connection.query_row(
                "SELECT COUNT(*) FROM outbox WHERE state = ?1",
                params![state],
                |row| row.get::<_, i64>(0),
            )? as usize)
        };
        Ok((count("pending")?, count("failed")?))
    })
}

/// Every entry, newest first.
pub fn entries(store: &Store) -> Result<Vec<OutboxEntry>, StorageError> {
    store.read(|connection| {
        let mut statement =
            connection.prepare(&format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC"))?;
        let rows = statement
            .query_map([], entry_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
}

/// One entry.
pub fn entry(store: &Store, id: i64) -> Result<Option<OutboxEntry>, StorageError> {
    store.read(|connection| {
        Ok(connection
            .query_row(
                &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
                params![id],
                entry_from_row,
            )
            .optional()?)
    })
}

/// The platform's answer to a done entry.
pub fn response(
    store: &Store,
    cipher: &FieldCipher,
    id: i64,
) -> Result<Option<serde_json::Value>, StorageError> {
    let sealed: Option<Option<Vec<u8>>> = store.read(|connection| {
        Ok(connection
            .query_row(
                "SELECT sealed_response FROM outbox WHERE id = ?1",
                params![id],
                |row| row.get(0),
            )
            .optional()?)
    })?;
    sealed
        .flatten()
        .map(|sealed| cipher.open_json("outbox.sealed_response", &sealed))
        .transpose()
}

/// The next entry due at `now`, with its request.
pub fn next_due(
    store: &Store,
    cipher: &FieldCipher,
    now: u64,
) -> Result<Option<(OutboxEntry, ApiRequest)>, StorageError> {
    let row: Option<(OutboxEntry, Vec<u8>)> = store.read(|connection| {
        Ok(connection
            .query_row(
                &format!("SELECT {COLUMNS}, sealed_body FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT 1"),
                params![now as i64],
                |row| Ok((entry_from_row(row)?, row.get(10)?)),
            )
            .optional()?)
    })?;
    let Some((entry, sealed)) = row else {
        return Ok(None);
    };
    let body: serde_json::Value = cipher.open_json("outbox.sealed_body", &sealed)?;
    let request = ApiRequest::post(entry.path.clone(), &body, entry.idempotency_key.clone())
        .map_err(|error| StorageError::Corrupt(error.to_string()))?
        .signed();
    Ok(Some((entry, request)))
}

/// Records the platform's answer: the entry is done.
pub fn complete(
    store: &Store,
    cipher: &FieldCipher,
    id: i64,
    response: &ApiResponse,
    now: u64,
) -> Result<serde_json::Value, ClientError> {
    let value: serde_json::Value = match response {
        ApiResponse::Body { body, .. } if body.is_empty() => serde_json::Value::Null,
        ApiResponse::Body { .. } => response.json()?,
        ApiResponse::NotModified => serde_json::Value::Null,
    };
    let sealed = cipher.seal_json("outbox.sealed_response", &value)?;
    let subject = value
        .get("application_id")
        .or_else(|| value.get("delegation_id"))
        .or_else(|| value.get("card_id"))
        .and_then(|id| id.as_str())
        .map(str::to_owned);
    store.write(|tx| {
        tx.execute(
            "UPDATE outbox SET state = 'done', sealed_response = ?1, completed_at = ?2, last_error = NULL, \
             subject = COALESCE(subject, ?3), attempts = attempts + 1 WHERE id = ?4",
            params![sealed, now as i64, subject, id],
        )?;
        Ok(())
    })?;
    Ok(value)
}

/// Records a refusal: the entry needs attention and will not be resent.
pub fn fail(store: &Store, id: i64, error: &ClientError) -> Result<(), StorageError> {
    store.write(|tx| {
        tx.execute(
            "UPDATE outbox SET state = 'failed', last_error = ?1, attempts = attempts + 1 WHERE id = ?2",
            params![error.code(), id],
        )?;
        Ok(())
    })
}

/// Records a network failure: try again later, backing off.
pub fn postpone(
    store: &Store,
    entry: &OutboxEntry,
    error: &ClientError,
    now: u64,
) -> Result<u64, StorageError> {
    let attempts = entry.attempts + 1;
    let base = 5u64.saturating_mul(1 << attempts.min(10)).min(3_600);
    let jitter = {
        use ring::rand::SecureRandom as _;
        let mut random = [0u8; 2];
        let _ = ring::rand::SystemRandom::new().fill(&mut random);
        u64::from(u16::from_le_bytes(random)) % (base / 2 + 1)
    };
    let next = now + base / 2 + jitter;
    store.write(|tx| {
        tx.execute(
            "UPDATE outbox SET attempts = ?1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?4",
            params![attempts, next as i64, error.code(), entry.id],
        )?;
        Ok(())
    })?;
    Ok(next)
}

/// Makes a failed or postponed entry due now (the person tapped "retry").
pub fn retry_now(store: &Store, id: i64, now: u64) -> Result<bool, StorageError> {
    store.write(|tx| {
        Ok(tx.execute(
            "UPDATE outbox SET state = 'pending', next_attempt_at = ?1 WHERE id = ?2 AND state != 'done'",
            params![now as i64, id],
        )? > 0)
    })
}

/// Whether an error means "try again later" rather than "refused".
pub fn is_transient(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Offline(_)
            | ClientError::Timeout
            | ClientError::Busy { .. }
            | ClientError::BadReply(_)
    ) || matches!(
        error,
        ClientError::Refused {
            code: ecard_api::problem::ProblemCode::Internal,
            ..
        }
    )
}
