//! Enrolments in progress: their stored state ([`Enrolling`]) and timings.
//! The steps themselves are endpoints ([`crate::http::enrolment`]); the
//! plumbing loads an enrolment here to check a request signed by the key
//! being enrolled.

use ecard_api::problem::ProblemCode;
use ecard_credential::PublicKey;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::{ApiError, ApiResult};

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
    let suite = ecard_credential::Suite::from_name(&suite)
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
