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
//!
//! This module owns the `outbox` table and the sending loop
//! ([`EcardClient::process_outbox`]) that the workflows queue into.

use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use ecard_api::problem::ProblemCode;

use crate::client::{EcardClient, blocking};
use crate::error::{ClientError, StorageError};
use crate::events::ClientEvent;
use crate::net::{ApiRequest, ApiResponse, RetryPolicy, new_idempotency_key};
use crate::storage::Store;
use crate::storage::cipher::FieldCipher;
use crate::workflows::Submission;

/// Where a submission stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
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
        crate::drafts::delete_row(tx, draft_id)?;
    }
    Ok(id)
}

/// Pending and failed counts.
pub fn counts(store: &Store) -> Result<(u64, u64), StorageError> {
    store.read(|connection| {
        let count = |state: &str| -> Result<u64, StorageError> {
            Ok(connection.query_row(
                "SELECT COUNT(*) FROM outbox WHERE state = ?1",
                params![state],
                |row| row.get::<_, u64>(0),
            )?)
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
    let Some((entry, sealed)) = due_row(store, now)? else {
        return Ok(None);
    };
    let request = request_of(cipher, &entry, &sealed)?;
    Ok(Some((entry, request)))
}

/// The next entry due at `now`, with its body still sealed.
fn due_row(store: &Store, now: u64) -> Result<Option<(OutboxEntry, Vec<u8>)>, StorageError> {
    store.read(|connection| {
        Ok(connection
            .query_row(
                &format!("SELECT {COLUMNS}, sealed_body FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT 1"),
                params![now as i64],
                |row| Ok((entry_from_row(row)?, row.get(10)?)),
            )
            .optional()?)
    })
}

/// The signed request that sends `entry`, its body opened from `sealed`.
fn request_of(
    cipher: &FieldCipher,
    entry: &OutboxEntry,
    sealed: &[u8],
) -> Result<ApiRequest, StorageError> {
    let body: serde_json::Value = cipher.open_json("outbox.sealed_body", sealed)?;
    Ok(
        ApiRequest::post(entry.path.clone(), &body, entry.idempotency_key.clone())
            .map_err(|error| StorageError::Corrupt(error.to_string()))?
            .signed(),
    )
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

/// Sending: every submission of the workflows goes through here.
impl EcardClient {
    /// Queues a submission (consuming its draft in the same transaction)
    /// and tries to send it at once.
    pub(crate) async fn submit(
        &self,
        action: &str,
        path: String,
        body: serde_json::Value,
        subject: Option<String>,
        draft_id: Option<String>,
    ) -> Result<Submission, ClientError> {
        self.signed_network()?;
        let now = self.trusted_now();
        let action_owned = action.to_owned();
        let id = blocking(&self.inner, move |inner| {
            inner
                .store
                .write(|tx| {
                    enqueue(
                        tx,
                        &inner.cipher,
                        &NewSubmission {
                            action: &action_owned,
                            path: &path,
                            body,
                            subject: subject.as_deref(),
                            draft_id: draft_id.as_deref(),
                        },
                        now,
                    )
                    .map_err(|error| match error {
                        ClientError::Storage(error) => error,
                        other => StorageError::Corrupt(other.to_string()),
                    })
                })
                .map_err(ClientError::from)
        })
        .await?;
        tracing::info!(outbox = id, action, "submission queued");
        self.emit_outbox();
        self.process_outbox().await;
        let entry = entry(&self.inner.store, id)?
            .ok_or_else(|| ClientError::Internal("outbox entry vanished".into()))?;
        match entry.state {
            OutboxState::Done => Ok(Submission::new(
                id,
                OutboxState::Done,
                response(&self.inner.store, &self.inner.cipher, id)?.as_ref(),
            )),
            OutboxState::Pending => Ok(Submission::new(id, OutboxState::Pending, None)),
            OutboxState::Failed => Err(self.failure(id)),
        }
    }

    /// The error of a refused submission: the one just met, or rebuilt from
    /// the stored code after a restart.
    fn failure(&self, id: i64) -> ClientError {
        if let Some(error) = self
            .inner
            .failures
            .lock()
            .ok()
            .and_then(|mut failures| failures.remove(&id))
        {
            return error;
        }
        let code = entry(&self.inner.store, id)
            .ok()
            .flatten()
            .and_then(|entry| entry.last_error)
            .and_then(|code| {
                serde_json::from_value::<ProblemCode>(serde_json::Value::String(code)).ok()
            })
            .unwrap_or(ProblemCode::Internal);
        ClientError::Refused {
            code,
            detail: String::new(),
            field: None,
        }
    }

    fn emit_outbox(&self) {
        if let Ok((pending, _)) = counts(&self.inner.store) {
            self.emit(ClientEvent::OutboxChanged { pending });
        }
    }

    /// Sends every due submission, oldest first, until one cannot get
    /// through. Returns how many were confirmed. Safe to call any time (a
    /// background task and the UI may both call it; sends never overlap).
    pub async fn process_outbox(&self) -> usize {
        let _sending = self.inner.sending.lock().await;
        let Ok(network) = self.signed_network() else {
            return 0;
        };
        let mut confirmed = 0;
        loop {
            let now = self.trusted_now();
            let Ok(Some((entry, sealed))) = due_row(&self.inner.store, now) else {
                break;
            };
            let request = match request_of(&self.inner.cipher, &entry, &sealed) {
                Ok(request) => request,
                Err(error) => {
                    // A body that no longer opens can never be sent: the
                    // entry fails alone, for the person to see, instead of
                    // holding up every submission queued after it.
                    tracing::warn!(outbox = entry.id, error = %error, "submission unreadable");
                    let error = ClientError::Storage(error);
                    if fail(&self.inner.store, entry.id, &error).is_err() {
                        break;
                    }
                    if let Ok(mut failures) = self.inner.failures.lock() {
                        failures.insert(entry.id, error);
                    }
                    continue;
                }
            };
            match self.call(&network, &request, RetryPolicy::ONCE).await {
                Ok(response) => {
                    let Ok(value) = complete(
                        &self.inner.store,
                        &self.inner.cipher,
                        entry.id,
                        &response,
                        self.trusted_now(),
                    ) else {
                        break;
                    };
                    confirmed += 1;
                    tracing::info!(outbox = entry.id, action = %entry.action, "submission confirmed");
                    self.after_confirmed(&entry, &value).await;
                }
                Err(error) if is_transient(&error) => {
                    let _ = postpone(&self.inner.store, &entry, &error, now);
                    tracing::info!(outbox = entry.id, error = %error.code(), "submission postponed");
                    break;
                }
                Err(error) => {
                    tracing::warn!(outbox = entry.id, error = %error.code(), "submission refused");
                    let _ = fail(&self.inner.store, entry.id, &error);
                    self.after_refused(&entry).await;
                    if let Ok(mut failures) = self.inner.failures.lock() {
                        failures.insert(entry.id, error);
                    }
                }
            }
        }
        self.emit_outbox();
        confirmed
    }

    async fn after_confirmed(&self, entry: &OutboxEntry, value: &serde_json::Value) {
        if let Some(id) = value
            .get("birth_id")
            .or_else(|| value.get("application_id"))
            .or_else(|| value.get("delegation_id"))
            .or_else(|| value.get("card_id"))
            .and_then(|id| id.as_str())
        {
            let kind = if value.get("birth_id").is_some() {
                Some("birth")
            } else if value.get("application_id").is_some() {
                Some("application")
            } else if value.get("delegation_id").is_some() {
                Some("mandate")
            } else {
                None
            };
            if let Some(kind) = kind {
                let _ = self.cache_workflow(kind, id, value).await;
            }
            self.emit(ClientEvent::WorkflowChanged { id: id.to_owned() });
        }
        if entry.action.starts_with("card.") || entry.action.starts_with("mandate.") {
            let _ = self.refresh_profile().await;
            if entry.action == "card.release"
                || entry.action == "card.activate"
                || entry.action.starts_with("mandate.")
            {
                let _ = self.refresh_all_credentials().await;
            }
        }
    }

    async fn after_refused(&self, entry: &OutboxEntry) {
        // A loss report the platform refused leaves the card as the platform
        // says; re-read it rather than keep a local suspension.
        if entry.action.starts_with("card.loss") {
            let _ = self.refresh_profile().await;
        }
    }

    /// Every outbox entry, newest first (the "sending" list of the UI).
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, ClientError> {
        Ok(entries(&self.inner.store)?)
    }

    /// Makes a postponed or refused submission due now and sends it.
    pub async fn retry_submission(&self, outbox_id: i64) -> Result<Submission, ClientError> {
        retry_now(&self.inner.store, outbox_id, self.trusted_now())?;
        self.process_outbox().await;
        let entry = entry(&self.inner.store, outbox_id)?
            .ok_or_else(|| ClientError::NotFound("submission".into()))?;
        match entry.state {
            OutboxState::Failed => Err(self.failure(outbox_id)),
            state => Ok(Submission::new(
                outbox_id,
                state,
                response(&self.inner.store, &self.inner.cipher, outbox_id)?.as_ref(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use ecard_api::paths;
    use ecard_api::resident::{ApplicationState, LossKind};
    use http::Method;

    use super::*;
    use crate::test_platform::{TestPlatform, block_on, new_card_form, with_enrolled};
    use crate::transport::faults::Fault;

    fn only_entry(client: &EcardClient) -> OutboxEntry {
        let entries = client.outbox().unwrap();
        assert_eq!(entries.len(), 1, "{entries:?}");
        entries[0].clone()
    }

    fn keys_sent(platform: &TestPlatform, path: &str) -> Vec<Option<String>> {
        platform
            .network
            .seen(&Method::POST, path)
            .into_iter()
            .map(|call| call.idempotency_key)
            .collect()
    }

    #[test]
    fn a_confirmed_submission_is_done_with_the_platforms_answer() {
        with_enrolled("resident", |platform, client| async move {
            let submission = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            assert_eq!(submission.state, OutboxState::Done);
            let application_id = submission.application_id.clone().unwrap();
            let entry = only_entry(&client);
            assert_eq!(entry.state, OutboxState::Done);
            assert_eq!(entry.attempts, 1);
            assert_eq!(entry.action, "application.submit");
            assert_eq!(entry.last_error, None);
            assert_eq!(
                response(&client.inner.store, &client.inner.cipher, entry.id)
                    .unwrap()
                    .map(|answer| answer.to_string()),
                submission.response_json
            );
            assert_eq!(counts(&client.inner.store).unwrap(), (0, 0));
            assert_eq!(
                keys_sent(&platform, paths::APPLICATIONS),
                [Some(entry.idempotency_key)]
            );
            // The confirmed application is cached for offline reading.
            platform.network.set_down(Some(Fault::Unreachable));
            let flow = client.application(&application_id).await.unwrap();
            assert_eq!(flow.application.application_id, application_id);
        });
    }

    #[test]
    fn a_refusal_fails_the_entry_with_its_code_and_is_not_resent() {
        with_enrolled("resident", |platform, client| async move {
            client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            // A second application while one is in progress.
            let refused = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap_err();
            assert_eq!(refused.code(), "invalid_state");
            let entry = client.outbox().unwrap()[0].clone();
            assert_eq!(entry.state, OutboxState::Failed);
            assert_eq!(entry.last_error.as_deref(), Some("invalid_state"));
            assert_eq!(counts(&client.inner.store).unwrap(), (0, 1));
            // Draining again sends nothing: a refusal waits for the person.
            let sent = keys_sent(&platform, paths::APPLICATIONS).len();
            assert_eq!(client.process_outbox().await, 0);
            assert_eq!(keys_sent(&platform, paths::APPLICATIONS).len(), sent);
            // Retried by hand, it is sent again with the same key and the
            // platform answers as before; the error is rebuilt from storage.
            let again = client.retry_submission(entry.id).await.unwrap_err();
            assert_eq!(again.code(), "invalid_state");
            let keys = keys_sent(&platform, paths::APPLICATIONS);
            assert_eq!(keys.len(), sent + 1);
            assert_eq!(
                keys.last().unwrap().as_deref(),
                Some(entry.idempotency_key.as_str())
            );
            assert_eq!(client.outbox().unwrap()[0].attempts, 2);
        });
    }

    #[test]
    fn a_server_error_postpones_and_the_resend_uses_the_same_key() {
        with_enrolled("resident", |platform, client| async move {
            platform
                .network
                .fail(Method::POST, paths::APPLICATIONS, 0, 1, Fault::ServerError);
            let now = client.trusted_now();
            let queued = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            assert_eq!(queued.state, OutboxState::Pending);
            assert_eq!(queued.response_json, None);
            let entry = only_entry(&client);
            assert_eq!(entry.state, OutboxState::Pending);
            assert_eq!(entry.attempts, 1);
            assert_eq!(entry.last_error.as_deref(), Some("internal"));
            // Backed off: 5 to 10 seconds after the attempt (a loaded machine
            // may start the attempt a few seconds after `now`).
            assert!(
                (now + 5..=now + 20).contains(&entry.next_attempt_at),
                "{entry:?}"
            );
            // Not due yet: draining sends nothing.
            assert_eq!(client.process_outbox().await, 0);
            assert_eq!(keys_sent(&platform, paths::APPLICATIONS).len(), 1);
            let confirmed = client.retry_submission(entry.id).await.unwrap();
            assert_eq!(confirmed.state, OutboxState::Done);
            assert!(confirmed.application_id.is_some());
            let keys = keys_sent(&platform, paths::APPLICATIONS);
            assert_eq!(keys, vec![Some(entry.idempotency_key.clone()); 2]);
            let done = only_entry(&client);
            assert_eq!(
                (done.state, done.attempts, done.last_error),
                (OutboxState::Done, 2, None)
            );
        });
    }

    #[test]
    fn no_network_a_timeout_or_a_busy_platform_keep_it_pending_with_the_reason() {
        with_enrolled("resident", |platform, client| async move {
            let cases = [
                (Fault::Unreachable, "offline"),
                (Fault::Timeout, "timeout"),
                (Fault::Busy, "busy"),
            ];
            platform
                .network
                .fail(Method::POST, paths::APPLICATIONS, 0, 1, cases[0].0);
            let queued = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            assert_eq!(only_entry(&client).last_error.as_deref(), Some("offline"));
            let mut previous_due = only_entry(&client).next_attempt_at;
            for (attempt, (fault, reason)) in cases.iter().enumerate().skip(1) {
                platform
                    .network
                    .fail(Method::POST, paths::APPLICATIONS, 0, 1, *fault);
                let retried = client.retry_submission(queued.outbox_id).await.unwrap();
                assert_eq!(retried.state, OutboxState::Pending, "{reason}");
                let entry = only_entry(&client);
                assert_eq!(entry.last_error.as_deref(), Some(*reason));
                assert_eq!(entry.attempts as usize, attempt + 1);
                assert!(entry.next_attempt_at >= previous_due, "{reason}");
                previous_due = entry.next_attempt_at;
            }
            assert_eq!(counts(&client.inner.store).unwrap(), (1, 0));
            assert_eq!(client.snapshot().unwrap().outbox_pending, 1);
            let done = client.retry_submission(queued.outbox_id).await.unwrap();
            assert_eq!(done.state, OutboxState::Done);
            // Four sends, one key.
            let keys = keys_sent(&platform, paths::APPLICATIONS);
            assert_eq!(keys.len(), 4);
            assert!(keys.iter().all(|key| *key == keys[0]));
        });
    }

    #[test]
    fn an_answer_lost_after_the_platform_acted_does_not_act_twice() {
        with_enrolled("resident", |platform, client| async move {
            platform
                .network
                .fail(Method::POST, paths::APPLICATIONS, 0, 1, Fault::LoseReply);
            let queued = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            assert_eq!(queued.state, OutboxState::Pending);
            assert_eq!(only_entry(&client).last_error.as_deref(), Some("timeout"));
            // The platform has the application already; the resend gets the
            // stored answer, not a second application nor a refusal.
            let confirmed = client.retry_submission(queued.outbox_id).await.unwrap();
            assert_eq!(confirmed.state, OutboxState::Done);
            let applications = client.applications().await.unwrap();
            assert_eq!(applications.len(), 1);
            assert_eq!(
                Some(applications[0].application.application_id.clone()),
                confirmed.application_id.clone()
            );
            assert_eq!(applications[0].application.state, ApplicationState::Paid);
        });
    }

    #[test]
    fn a_key_reused_for_another_request_is_refused_as_a_conflict() {
        with_enrolled("elder", |platform, client| async move {
            let card_id = client.snapshot().unwrap().cards[0].card_id.clone();
            let first = client
                .report_loss(&card_id, LossKind::Temporary)
                .await
                .unwrap();
            assert_eq!(first.state, OutboxState::Done);
            platform.network.set_down(Some(Fault::Unreachable));
            let second = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            assert_eq!(second.state, OutboxState::Pending);
            // The second entry now carries the first one's key (an outbox
            // restored from a backup, the first entry gone): the platform
            // must not answer it with the stored loss report.
            let used = entry(&client.inner.store, first.outbox_id)
                .unwrap()
                .unwrap()
                .idempotency_key;
            client
                .inner
                .store
                .write(|tx| {
                    tx.execute("DELETE FROM outbox WHERE id = ?1", params![first.outbox_id])?;
                    tx.execute(
                        "UPDATE outbox SET idempotency_key = ?1 WHERE id = ?2",
                        params![used, second.outbox_id],
                    )?;
                    Ok(())
                })
                .unwrap();
            platform.network.set_down(None);
            let refused = client.retry_submission(second.outbox_id).await.unwrap_err();
            assert_eq!(refused.code(), "idempotency_key_reused", "{refused:?}");
            let entry = entry(&client.inner.store, second.outbox_id)
                .unwrap()
                .unwrap();
            assert_eq!(entry.state, OutboxState::Failed);
            assert_eq!(entry.last_error, Some(refused.code()));
        });
    }

    #[test]
    fn pending_entries_survive_a_restart_and_go_oldest_first() {
        let platform = TestPlatform::start();
        let data = tempfile::tempdir().unwrap();
        let (queued, card_id) = block_on(async {
            let client = platform.enrolled(data.path(), "elder").await;
            let card_id = client.snapshot().unwrap().cards[0].card_id.clone();
            platform.network.set_down(Some(Fault::Unreachable));
            let loss = client
                .report_loss(&card_id, LossKind::Temporary)
                .await
                .unwrap();
            let release = client.retry_submission(loss.outbox_id).await.unwrap();
            assert_eq!(release.state, OutboxState::Pending);
            let activation = client.activate_card(&card_id).await.unwrap();
            assert_eq!(counts(&client.inner.store).unwrap(), (2, 0));
            (vec![loss.outbox_id, activation.outbox_id], card_id)
        });
        // The app was killed; it opens again with the network back.
        platform.network.set_down(None);
        block_on(async {
            let client = platform.client(data.path()).await;
            let pending: Vec<i64> = client
                .outbox()
                .unwrap()
                .iter()
                .rev()
                .filter(|entry| entry.state == OutboxState::Pending)
                .map(|entry| entry.id)
                .collect();
            assert_eq!(pending, queued);
            // Not yet due (backed off); make both due. A minute in the past,
            // as the first answer re-anchors the trusted clock and may move
            // it back by a fraction of a second.
            for id in &queued {
                retry_now(&client.inner.store, *id, client.trusted_now() - 60).unwrap();
            }
            let sent_before = platform.network.seen(&Method::POST, "/v1/cards").len();
            let confirmed = client.process_outbox().await;
            let calls = platform.network.seen(&Method::POST, "/v1/cards");
            let paths: Vec<&str> = calls[sent_before..]
                .iter()
                .map(|call| call.path.as_str())
                .collect();
            assert_eq!(
                paths,
                [
                    paths::with_id(paths::LOSS_REPORTS, &card_id),
                    paths::with_id(paths::ACTIVATION, &card_id)
                ]
            );
            // The loss report is confirmed; activating a card under a loss
            // report is the platform's to refuse.
            assert!(confirmed >= 1);
            let states: Vec<OutboxState> = queued
                .iter()
                .map(|id| entry(&client.inner.store, *id).unwrap().unwrap().state)
                .collect();
            assert_eq!(states[0], OutboxState::Done);
            assert_ne!(states[1], OutboxState::Pending);
            assert_eq!(counts(&client.inner.store).unwrap().0, 0);
        });
    }

    #[test]
    fn a_refused_entry_does_not_hold_up_the_ones_behind_it() {
        with_enrolled("resident", |platform, client| async move {
            platform.network.set_down(Some(Fault::Unreachable));
            // A payment for an application the platform never heard of.
            let poison = client
                .pay("application-that-does-not-exist", 100)
                .await
                .unwrap();
            let good = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            assert_eq!(counts(&client.inner.store).unwrap(), (2, 0));
            platform.network.set_down(None);
            for id in [poison.outbox_id, good.outbox_id] {
                retry_now(&client.inner.store, id, client.trusted_now()).unwrap();
            }
            assert_eq!(client.process_outbox().await, 1);
            let poison = entry(&client.inner.store, poison.outbox_id)
                .unwrap()
                .unwrap();
            assert_eq!(poison.state, OutboxState::Failed);
            assert_eq!(poison.last_error.as_deref(), Some("not_found"));
            let good = entry(&client.inner.store, good.outbox_id).unwrap().unwrap();
            assert_eq!(good.state, OutboxState::Done);
            assert_eq!(counts(&client.inner.store).unwrap(), (0, 1));
        });
    }

    #[test]
    fn an_entry_that_no_longer_opens_fails_alone() {
        with_enrolled("resident", |platform, client| async move {
            platform.network.set_down(Some(Fault::Unreachable));
            let unreadable = client.pay("application-1", 100).await.unwrap();
            let good = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            client
                .inner
                .store
                .write(|tx| {
                    tx.execute(
                        "UPDATE outbox SET sealed_body = x'00' WHERE id = ?1",
                        params![unreadable.outbox_id],
                    )?;
                    Ok(())
                })
                .unwrap();
            platform.network.set_down(None);
            for id in [unreadable.outbox_id, good.outbox_id] {
                retry_now(&client.inner.store, id, client.trusted_now()).unwrap();
            }
            assert_eq!(client.process_outbox().await, 1);
            let unreadable = entry(&client.inner.store, unreadable.outbox_id)
                .unwrap()
                .unwrap();
            assert_eq!(unreadable.state, OutboxState::Failed);
            assert_eq!(unreadable.last_error.as_deref(), Some("storage"));
            assert_eq!(
                entry(&client.inner.store, good.outbox_id)
                    .unwrap()
                    .unwrap()
                    .state,
                OutboxState::Done
            );
            // It was never sent; retrying it by hand fails the same way.
            let payments = platform.network.seen(&Method::POST, "/v1/applications/");
            assert!(payments.iter().all(|call| call.fault.is_some()));
            let again = client.retry_submission(unreadable.id).await.unwrap_err();
            assert_eq!(again.code(), "storage");
        });
    }

    #[test]
    fn concurrent_drains_send_each_entry_once() {
        with_enrolled("resident", |platform, client| async move {
            platform.network.set_down(Some(Fault::Unreachable));
            let queued = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            platform.network.set_down(None);
            retry_now(&client.inner.store, queued.outbox_id, client.trusted_now()).unwrap();
            let drains: Vec<_> = (0..4)
                .map(|_| {
                    let client = client.clone();
                    tokio::spawn(async move { client.process_outbox().await })
                })
                .collect();
            let mut confirmed = 0;
            for drain in drains {
                confirmed += drain.await.unwrap();
            }
            assert_eq!(confirmed, 1);
            let delivered = platform
                .network
                .seen(&Method::POST, paths::APPLICATIONS)
                .into_iter()
                .filter(|call| call.fault.is_none())
                .count();
            assert_eq!(delivered, 1);
        });
    }

    #[test]
    fn postponing_backs_off_up_to_an_hour() {
        let data = tempfile::tempdir().unwrap();
        let platform = TestPlatform::start();
        block_on(async {
            let client = platform.client(data.path()).await;
            let store = &client.inner.store;
            let id = store
                .write(|tx| {
                    enqueue(
                        tx,
                        &client.inner.cipher,
                        &NewSubmission {
                            action: "card.activate",
                            path: "/v1/cards/c/activation",
                            body: serde_json::json!({}),
                            subject: None,
                            draft_id: None,
                        },
                        1_000,
                    )
                    .map_err(|error| StorageError::Corrupt(error.to_string()))
                })
                .unwrap();
            let mut entry = entry(store, id).unwrap().unwrap();
            assert_eq!(
                (entry.state, entry.attempts, entry.next_attempt_at),
                (OutboxState::Pending, 0, 1_000)
            );
            let mut waits = Vec::new();
            for _ in 0..14 {
                let next = postpone(store, &entry, &ClientError::Timeout, 1_000).unwrap();
                entry = super::entry(store, id).unwrap().unwrap();
                assert_eq!(entry.next_attempt_at, next);
                waits.push(next - 1_000);
            }
            // Half the base plus up to half again: 5–10 s first, then
            // doubling, never past an hour.
            assert!((5..=10).contains(&waits[0]), "{waits:?}");
            assert!(waits.iter().all(|wait| *wait <= 3_600), "{waits:?}");
            assert!(waits[13] >= 1_800, "{waits:?}");
            assert_eq!(entry.attempts, 14);
            // Not due before its time; due after.
            assert!(
                next_due(store, &client.inner.cipher, 1_000)
                    .unwrap()
                    .is_none()
            );
            let (due, request) = next_due(store, &client.inner.cipher, entry.next_attempt_at)
                .unwrap()
                .unwrap();
            assert_eq!(due.id, id);
            assert_eq!(
                request.idempotency_key.as_deref(),
                Some(due.idempotency_key.as_str())
            );
            assert!(request.signed);
        });
    }
}
