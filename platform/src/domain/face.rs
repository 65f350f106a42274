//! Face checks (活体检测 and comparison with the photo on record).
//!
//! The phone never decides that a face matched: the app runs the face
//! platform's capture for a challenge this platform issued, and hands back
//! the face platform's *signed* result. [`FaceVerifier`] checks that result:
//! signed by a trusted face-platform key, for the person in question, for
//! the platform's single-use challenge, bound to the key of the device that
//! ran the check, and fresh. A result for another person, another
//! challenge, another device or an old one is refused.
//!
//! The real national and provincial face platforms cannot be reached from
//! a developer machine, so the reference platform ships
//! [`SimulatedFacePlatform`]: a face platform with its own Ed25519 key whose
//! operator endpoint (`POST /admin/face-platform/results`) mints results as
//! a real one would for a live face that does or does not match. Tests and
//! the demo use that endpoint from their `FaceCheck` implementations;
//! nothing is faked inside the client core.
//!
//! Result format: `base64url(JSON payload) "." base64url(signature)`, the
//! signature over the ASCII bytes `ecard-face-result-v1.` + the first part.

use crate::store::sql::{OptionalExtension, Transaction, params};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::identity::FacePurpose;
use ecard_credential::{PublicKey, SoftwareKey, Suite};
use ring::digest::{SHA256, digest};
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::store::codec::hex;

const CONTEXT: &[u8] = b"ecard-face-result-v1.";

/// Longest life of a face result the platform accepts, seconds.
pub const MAX_RESULT_AGE_SECONDS: u64 = 300;

/// Life of a face challenge, seconds.
pub const CHALLENGE_SECONDS: u64 = 600;

/// Largest face result accepted, bytes.
const MAX_RESULT_BYTES: usize = 4_096;

/// What the face platform signs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceResult {
    /// Format version, 1.
    pub version: u8,
    /// The face platform key that signed.
    pub key_id: String,
    /// Lowercase hex SHA-256 of `id_type:ID_NUMBER` of the person compared.
    pub subject: String,
    /// The challenge the platform issued.
    pub challenge: String,
    /// Lowercase hex SHA-256 of the public key of the device that ran the check.
    pub device_binding: String,
    /// Whether a live person was in front of the camera.
    pub live: bool,
    /// Whether the face matched the photo on record.
    pub matched: bool,
    /// When the check ran.
    pub issued_at: u64,
    /// When the result stops being accepted.
    pub expires_at: u64,
}

/// Why a face result is refused. Callers answer every case alike, so a
/// failure says nothing about whether the person exists.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaceCheckFailure {
    /// Not a result in the known format.
    #[error("the face result is malformed")]
    Malformed,
    /// Signed by no trusted face-platform key, or the signature is wrong.
    #[error("the face result is not signed by a trusted face platform")]
    Untrusted,
    /// For another person, challenge or device.
    #[error("the face result is for another person, challenge or device")]
    WrongBinding,
    /// Expired, or issued too long ago.
    #[error("the face result is too old")]
    Expired,
    /// No live face, or the face did not match.
    #[error("the face check did not pass")]
    NotPassed,
}

/// What a result must say to be accepted.
#[derive(Clone, Debug)]
pub struct FaceExpectation<'a> {
    /// Subject hash of the person (see [`subject_of`]).
    pub subject: &'a str,
    /// The challenge issued.
    pub challenge: &'a str,
    /// The device binding (see [`device_binding`]).
    pub device_binding: &'a str,
}

/// Checks face platforms' signed results.
pub trait FaceVerifier: Send + Sync {
    /// Accepts `result` only if it passes and meets `expected` at `now`.
    fn verify(
        &self,
        tx: &Transaction<'_>,
        result: &str,
        expected: &FaceExpectation<'_>,
        now: u64,
    ) -> Result<(), FaceCheckFailure>;
}

/// The subject hash of a person as face platforms name them.
pub fn subject_of(id_type: &str, id_number: &str) -> String {
    let text = format!("{id_type}:{}", id_number.trim().to_ascii_uppercase());
    hex(digest(&SHA256, text.as_bytes()).as_ref())
}

/// The binding of a device public key.
pub fn device_binding(public_key: &[u8]) -> String {
    hex(digest(&SHA256, public_key).as_ref())
}

/// Splits and parses a result without checking its signature.
fn parse(result: &str) -> Result<(FaceResult, &str, Vec<u8>), FaceCheckFailure> {
    if result.len() > MAX_RESULT_BYTES {
        return Err(FaceCheckFailure::Malformed);
    }
    let (payload_text, signature_text) =
        result.split_once('.').ok_or(FaceCheckFailure::Malformed)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload_text)
        .map_err(|_| FaceCheckFailure::Malformed)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature_text)
        .map_err(|_| FaceCheckFailure::Malformed)?;
    let parsed: FaceResult =
        serde_json::from_slice(&payload).map_err(|_| FaceCheckFailure::Malformed)?;
    if parsed.version != 1 {
        return Err(FaceCheckFailure::Malformed);
    }
    Ok((parsed, payload_text, signature))
}

/// Checks results against the face-platform keys the platform trusts
/// (table `face_platform_keys`). A deployment adds the national or
/// provincial face platform's public keys there.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrustedFacePlatforms;

impl FaceVerifier for TrustedFacePlatforms {
    fn verify(
        &self,
        tx: &Transaction<'_>,
        result: &str,
        expected: &FaceExpectation<'_>,
        now: u64,
    ) -> Result<(), FaceCheckFailure> {
        let (parsed, payload_text, signature) = parse(result)?;
        let key: Option<(String, Vec<u8>)> = tx
            .query_row(
                "SELECT suite, public_key FROM face_platform_keys WHERE key_id = ?1",
                params![parsed.key_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()
            .map_err(|_| FaceCheckFailure::Untrusted)?;
        let (suite, public_key) = key.ok_or(FaceCheckFailure::Untrusted)?;
        let suite = Suite::from_name(&suite).ok_or(FaceCheckFailure::Untrusted)?;
        let public_key =
            PublicKey::from_bytes(suite, &public_key).map_err(|_| FaceCheckFailure::Untrusted)?;
        let message = [CONTEXT, payload_text.as_bytes()].concat();
        if !public_key.verify(&message, &signature) {
            return Err(FaceCheckFailure::Untrusted);
        }
        if parsed.subject != expected.subject
            || parsed.challenge != expected.challenge
            || parsed.device_binding != expected.device_binding
        {
            return Err(FaceCheckFailure::WrongBinding);
        }
        if now >= parsed.expires_at
            || parsed.issued_at > now.saturating_add(60)
            || now.saturating_sub(parsed.issued_at) > MAX_RESULT_AGE_SECONDS
        {
            return Err(FaceCheckFailure::Expired);
        }
        if !(parsed.live && parsed.matched) {
            return Err(FaceCheckFailure::NotPassed);
        }
        Ok(())
    }
}

/// The reference platform's stand-in for a face platform: its own key,
/// trusted by this platform, minting results on the operator's word.
pub struct SimulatedFacePlatform;

/// The key id of the simulated face platform.
pub const SIMULATED_KEY_ID: &str = "simulated-face-platform-1";

impl SimulatedFacePlatform {
    /// Creates the simulated face platform's key on first start and trusts it.
    pub fn ensure_key(tx: &Transaction<'_>) -> ApiResult<()> {
        let present: Option<String> = tx
            .query_row(
                "SELECT key_id FROM face_platform_keys WHERE key_id = ?1",
                params![SIMULATED_KEY_ID],
                |row| row.get(0),
            )
            .optional()?;
        if present.is_some() {
            return Ok(());
        }
        let (key, pkcs8) = SoftwareKey::generate(Suite::Ed25519)
            .map_err(|_| internal("face platform key generation failed"))?;
        tx.execute(
            "INSERT INTO face_platform_keys (key_id, suite, public_key, pkcs8) VALUES (?1, ?2, ?3, ?4)",
            params![
                SIMULATED_KEY_ID,
                Suite::Ed25519.name(),
                key.public_key().as_bytes(),
                pkcs8
            ],
        )?;
        Ok(())
    }

    /// Mints a result as the face platform would for a capture of `live`
    /// face that `matched` the photo on record of the person `subject`.
    #[allow(clippy::too_many_arguments, reason = "the fields of one result")]
    pub fn mint(
        tx: &Transaction<'_>,
        subject: &str,
        challenge: &str,
        device_binding: &str,
        live: bool,
        matched: bool,
        issued_at: u64,
    ) -> ApiResult<String> {
        let pkcs8: Vec<u8> = tx.query_row(
            "SELECT pkcs8 FROM face_platform_keys WHERE key_id = ?1",
            params![SIMULATED_KEY_ID],
            |row| row.get(0),
        )?;
        let key = SoftwareKey::from_pkcs8(Suite::Ed25519, &pkcs8)
            .map_err(|_| internal("face platform key unreadable"))?;
        let result = FaceResult {
            version: 1,
            key_id: SIMULATED_KEY_ID.to_owned(),
            subject: subject.to_owned(),
            challenge: challenge.to_owned(),
            device_binding: device_binding.to_owned(),
            live,
            matched,
            issued_at,
            expires_at: issued_at.saturating_add(MAX_RESULT_AGE_SECONDS),
        };
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&result)?);
        let message = [CONTEXT, payload.as_bytes()].concat();
        let signature = key
            .sign(&message)
            .map_err(|_| internal("face platform signing failed"))?;
        Ok(format!("{payload}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

fn internal(detail: &str) -> ApiError {
    ApiError::new(ecard_api::problem::ProblemCode::Internal, detail)
}

/// A face challenge as stored.
#[derive(Clone, Debug)]
pub struct StoredChallenge {
    /// The challenge.
    pub challenge: String,
    /// What it is for.
    pub purpose: FacePurpose,
    /// The person whose face is wanted.
    pub person_id: String,
    /// The device that runs the check.
    pub device_binding: String,
    /// What it is about (enrolment, mandate or account id).
    pub object_id: String,
    /// Expiry.
    pub expires_at: u64,
}

/// Issues a single-use challenge.
pub fn issue_challenge(
    tx: &Transaction<'_>,
    purpose: FacePurpose,
    person_id: &str,
    device_binding: &str,
    object_id: &str,
    now: u64,
) -> ApiResult<StoredChallenge> {
    let challenge = crate::store::db::new_id("face").replace('-', "");
    let expires_at = now + CHALLENGE_SECONDS;
    tx.execute(
        "INSERT INTO face_challenges (challenge, purpose, person_id, device_binding, object_id, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            challenge,
            crate::store::codec::enum_name(&purpose),
            person_id,
            device_binding,
            object_id,
            now as i64,
            expires_at as i64
        ],
    )?;
    Ok(StoredChallenge {
        challenge,
        purpose,
        person_id: person_id.to_owned(),
        device_binding: device_binding.to_owned(),
        object_id: object_id.to_owned(),
        expires_at,
    })
}

/// Uses up the newest open challenge of `purpose` for `object_id`, checking
/// `result` against it and the person's subject. Every failure is
/// [`FaceCheckFailure`]; the challenge is spent either way, so a result
/// cannot be tried twice.
pub fn consume(
    tx: &Transaction<'_>,
    verifier: &dyn FaceVerifier,
    purpose: FacePurpose,
    object_id: &str,
    subject: &str,
    result: &str,
    now: u64,
) -> ApiResult<Result<StoredChallenge, FaceCheckFailure>> {
    let row: Option<(String, String, String, i64)> = tx
        .query_row(
            "SELECT challenge, person_id, device_binding, expires_at FROM face_challenges \
             WHERE purpose = ?1 AND object_id = ?2 AND used_at IS NULL ORDER BY created_at DESC LIMIT 1",
            params![crate::store::codec::enum_name(&purpose), object_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    let Some((challenge, person_id, binding, expires_at)) = row else {
        return Ok(Err(FaceCheckFailure::WrongBinding));
    };
    tx.execute(
        "UPDATE face_challenges SET used_at = ?1 WHERE challenge = ?2",
        params![now as i64, challenge],
    )?;
    if now >= expires_at as u64 {
        return Ok(Err(FaceCheckFailure::Expired));
    }
    let expectation = FaceExpectation {
        subject,
        challenge: &challenge,
        device_binding: &binding,
    };
    Ok(verifier
        .verify(tx, result, &expectation, now)
        .map(|()| StoredChallenge {
            challenge,
            purpose,
            person_id,
            device_binding: binding,
            object_id: object_id.to_owned(),
            expires_at: expires_at as u64,
        }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn database() -> crate::store::sql::Connection {
        crate::store::db::open(std::path::Path::new(":memory:")).unwrap()
    }

    #[test]
    fn a_minted_result_verifies_only_for_its_person_challenge_and_device() {
        let mut connection = database();
        let tx = connection.transaction().unwrap();
        SimulatedFacePlatform::ensure_key(&tx).unwrap();
        let subject = subject_of("resident_id", "11010519491231002x");
        let result =
            SimulatedFacePlatform::mint(&tx, &subject, "c1", "d1", true, true, 1_000).unwrap();
        let expected = FaceExpectation {
            subject: &subject,
            challenge: "c1",
            device_binding: "d1",
        };
        let verifier = TrustedFacePlatforms;
        assert_eq!(verifier.verify(&tx, &result, &expected, 1_010), Ok(()));
        for (subject, challenge, binding) in [
            (subject_of("resident_id", "110105194912310038"), "c1", "d1"),
            (subject.clone(), "c2", "d1"),
            (subject.clone(), "c1", "d2"),
        ] {
            let other = FaceExpectation {
                subject: &subject,
                challenge,
                device_binding: binding,
            };
            assert_eq!(
                verifier.verify(&tx, &result, &other, 1_010),
                Err(FaceCheckFailure::WrongBinding)
            );
        }
        assert_eq!(
            verifier.verify(&tx, &result, &expected, 1_000 + MAX_RESULT_AGE_SECONDS),
            Err(FaceCheckFailure::Expired)
        );
    }

    #[test]
    fn failed_forged_and_malformed_results_are_refused() {
        let mut connection = database();
        let tx = connection.transaction().unwrap();
        SimulatedFacePlatform::ensure_key(&tx).unwrap();
        let expected = FaceExpectation {
            subject: "s",
            challenge: "c",
            device_binding: "d",
        };
        let verifier = TrustedFacePlatforms;
        for (live, matched) in [(false, true), (true, false)] {
            let result =
                SimulatedFacePlatform::mint(&tx, "s", "c", "d", live, matched, 1_000).unwrap();
            assert_eq!(
                verifier.verify(&tx, &result, &expected, 1_001),
                Err(FaceCheckFailure::NotPassed)
            );
        }
        // A result signed by a key the platform does not trust.
        let (key, _) = SoftwareKey::generate(Suite::Ed25519).unwrap();
        let payload = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&FaceResult {
                version: 1,
                key_id: SIMULATED_KEY_ID.into(),
                subject: "s".into(),
                challenge: "c".into(),
                device_binding: "d".into(),
                live: true,
                matched: true,
                issued_at: 1_000,
                expires_at: 1_100,
            })
            .unwrap(),
        );
        let signature = key.sign(&[CONTEXT, payload.as_bytes()].concat()).unwrap();
        let forged = format!("{payload}.{}", URL_SAFE_NO_PAD.encode(signature));
        assert_eq!(
            verifier.verify(&tx, &forged, &expected, 1_001),
            Err(FaceCheckFailure::Untrusted)
        );
        for malformed in ["", ".", "abc", "e30.e30", &"A".repeat(5_000)] {
            assert!(verifier.verify(&tx, malformed, &expected, 1_001).is_err());
        }
    }
}
