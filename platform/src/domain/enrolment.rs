//! Enrolments in progress: their stored state ([`Enrolling`]), timings and
//! the transitions of that state (started, present, failed, approved,
//! completed). The steps that decide them are endpoints
//! ([`crate::http::enrolment`]); the plumbing loads an enrolment here to
//! check a request signed by the key being enrolled.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::identity::EnrolmentRequestView;
use ecard_api::problem::ProblemCode;
use ecard_credential::{PublicKey, Suite};

use crate::domain::access::Caller;
use crate::error::{ApiError, ApiResult};
use crate::store::db::new_id;

/// How long an enrolment may take, seconds.
pub const ENROLMENT_SECONDS: u64 = 15 * 60;

/// How long a one-time code works, seconds.
pub const CODE_SECONDS: u64 = 5 * 60;

/// Wrong codes before the enrolment is spent.
pub const CODE_TRIES: u32 = 5;

/// An enrolment in progress, as its signed steps see it.
#[derive(Clone, Debug)]
pub struct Enrolling {
    /// The enrolment.
    pub enrolment_id: String,
    /// The person named, when the register knows them by that name.
    pub person_id: Option<String>,
    /// Subject hash of the identity named.
    pub subject: String,
    /// The key being enrolled.
    pub device_key: PublicKey,
    /// Its binding hash.
    pub device_binding: String,
    /// Its name.
    pub device_name: String,
    /// `started`, `present`, `completed` or `failed`.
    pub state: String,
    /// Expiry.
    pub expires_at: u64,
}

/// Loads an enrolment for authenticating its signed steps.
/// Records one attempt at an identity step (start, presence, code) with its
/// outcome, for the operator's fraud review.
pub fn record_attempt(
    tx: &Transaction<'_>,
    attempt: &IdentityAttempt<'_>,
    now: u64,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO identity_attempts (at, step, subject, device_binding, source, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            now as i64,
            attempt.step,
            attempt.subject,
            attempt.device_binding,
            attempt.source,
            attempt.outcome
        ],
    )?;
    Ok(())
}

/// One attempt at an identity step, as [`record_attempt`] keeps it.
pub struct IdentityAttempt<'a> {
    /// The step (`start`, `presence`, `code`).
    pub step: &'a str,
    /// The hashed document the attempt named.
    pub subject: &'a str,
    /// The hashed key being enrolled.
    pub device_binding: &'a str,
    /// The network source.
    pub source: &'a str,
    /// What came of it.
    pub outcome: &'a str,
}

/// The stored state of an enrolment, if it exists.
pub fn load(tx: &Transaction<'_>, enrolment_id: &str) -> ApiResult<Option<Enrolling>> {
    let row = tx
        .query_row(
            "SELECT enrolment_id, person_id, subject, device_suite, device_public_key, device_binding, device_name, state, expires_at \
             FROM enrolments WHERE enrolment_id = ?1",
            params![enrolment_id],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Vec<u8>>(4)?,
                    row.get::<_, String>(5)?,
                    row.get::<_, String>(6)?,
                    row.get::<_, String>(7)?,
                    row.get::<_, i64>(8)?,
                ))
            },
        )
        .optional()?;
    let Some((enrolment_id, person_id, subject, suite, key, binding, name, state, expires_at)) =
        row
    else {
        return Ok(None);
    };
    let suite = Suite::from_name(&suite)
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "stored suite unknown"))?;
    let device_key = PublicKey::from_bytes(suite, &key)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "stored key unreadable"))?;
    Ok(Some(Enrolling {
        enrolment_id,
        person_id,
        subject,
        device_key,
        device_binding: binding,
        device_name: name,
        state,
        expires_at: expires_at.max(0) as u64,
    }))
}

/// An enrolment as it starts: who is named, and the key that asks to join.
pub struct NewEnrolment<'a> {
    /// The person the register knows by the identity named, if any.
    pub person_id: Option<&'a str>,
    /// Subject hash of the identity named.
    pub subject: &'a str,
    /// The key being enrolled.
    pub device_key: &'a PublicKey,
    /// The key's binding hash.
    pub device_binding: &'a str,
    /// The device's display name.
    pub device_name: &'a str,
    /// The address the request came from.
    pub source: &'a str,
}

/// Stores a started enrolment, open for [`ENROLMENT_SECONDS`]; returns its id.
pub fn start(tx: &Transaction<'_>, enrolment: &NewEnrolment<'_>, now: u64) -> ApiResult<String> {
    let enrolment_id = new_id("enr");
    let expires_at = now + ENROLMENT_SECONDS;
    tx.execute(
        "INSERT INTO enrolments (enrolment_id, person_id, subject, device_suite, device_public_key, device_binding, device_name, source, state, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'started', ?9, ?10)",
        params![
            enrolment_id,
            enrolment.person_id,
            enrolment.subject,
            enrolment.device_key.suite().name(),
            enrolment.device_key.as_bytes(),
            enrolment.device_binding,
            enrolment.device_name,
            enrolment.source,
            now as i64,
            expires_at as i64
        ],
    )?;
    Ok(enrolment_id)
}

/// The proof of presence failed: the enrolment is spent.
pub fn fail(tx: &Transaction<'_>, enrolment_id: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE enrolments SET state = 'failed' WHERE enrolment_id = ?1",
        params![enrolment_id],
    )?;
    Ok(())
}

/// Presence proven: the enrolment waits for the one-time code (its hash and
/// expiry, when a code was sent) or an enrolled device's approval.
pub fn mark_present(
    tx: &Transaction<'_>,
    enrolment_id: &str,
    code_hash: Option<&str>,
    code_expires_at: Option<i64>,
    now: u64,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE enrolments SET state = 'present', present_at = ?1, code_hash = ?2, code_expires_at = ?3 WHERE enrolment_id = ?4",
        params![now as i64, code_hash, code_expires_at, enrolment_id],
    )?;
    Ok(())
}

/// A wrong or expired code: `tries` so far, and whether the enrolment is
/// spent by it.
pub fn count_wrong_code(
    tx: &Transaction<'_>,
    enrolment_id: &str,
    tries: u32,
    spent: bool,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE enrolments SET code_tries = ?1, state = CASE WHEN ?2 THEN 'failed' ELSE state END WHERE enrolment_id = ?3",
        params![tries, spent, enrolment_id],
    )?;
    Ok(())
}

/// An enrolled device of the same person approves the enrolment while it
/// waits; `false` when no such enrolment waits.
pub fn approve(
    tx: &Transaction<'_>,
    enrolment_id: &str,
    approver: &Caller,
    now: u64,
) -> ApiResult<bool> {
    let updated = tx.execute(
        "UPDATE enrolments SET approved_by_device = ?1 WHERE enrolment_id = ?2 AND person_id = ?3 \
         AND state = 'present' AND expires_at > ?4",
        params![
            approver.device_id,
            enrolment_id,
            approver.person_id,
            now as i64
        ],
    )?;
    Ok(updated == 1)
}

/// The enrolment completed: the key joined the account as `device_id`.
pub fn mark_completed(tx: &Transaction<'_>, enrolment_id: &str, device_id: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE enrolments SET state = 'completed', device_id = ?1 WHERE enrolment_id = ?2",
        params![device_id, enrolment_id],
    )?;
    Ok(())
}

/// The one-time code of an enrolment and its approval, as completion
/// checks them.
pub struct CodeState {
    /// The hash of the code sent, if one was.
    pub code_hash: Option<String>,
    /// When the code stops working, Unix seconds as stored.
    pub code_expires_at: Option<i64>,
    /// Wrong codes so far.
    pub code_tries: u32,
    /// The enrolled device that approved the enrolment, if one did.
    pub approved_by_device: Option<String>,
}

/// The code and approval state of an existing enrolment.
pub fn code_state(tx: &Transaction<'_>, enrolment_id: &str) -> ApiResult<CodeState> {
    Ok(tx.query_row(
        "SELECT code_hash, code_expires_at, code_tries, approved_by_device FROM enrolments WHERE enrolment_id = ?1",
        params![enrolment_id],
        |row| {
            Ok(CodeState {
                code_hash: row.get(0)?,
                code_expires_at: row.get(1)?,
                code_tries: row.get(2)?,
                approved_by_device: row.get(3)?,
            })
        },
    )?)
}

/// Enrolments of `person_id` that passed the face check and, unexpired at
/// `now`, wait for a code or an approval; oldest first.
pub fn waiting_for_approval(
    tx: &Transaction<'_>,
    person_id: &str,
    now: u64,
) -> ApiResult<Vec<EnrolmentRequestView>> {
    let mut statement = tx.prepare(
        "SELECT enrolment_id, device_name, device_suite, present_at, expires_at FROM enrolments \
         WHERE person_id = ?1 AND state = 'present' AND expires_at > ?2 ORDER BY present_at",
    )?;
    let requests = statement
        .query_map(params![person_id, now as i64], |row| {
            Ok(EnrolmentRequestView {
                enrolment_id: row.get(0)?,
                device_name: row.get(1)?,
                device_suite: Suite::from_name(&row.get::<_, String>(2)?)
                    .unwrap_or(Suite::EcdsaP256),
                requested_at: row.get::<_, i64>(3)? as u64,
                expires_at: row.get::<_, i64>(4)? as u64,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(requests)
}
