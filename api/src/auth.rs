//! Device-signed requests.
//!
//! After enrolment every call that acts for a resident is signed with the
//! device key (the same key store key that signs codes, under its own
//! context string). The platform checks the signature against the enrolled
//! public key, the timestamp against its clock, and refuses a nonce it has
//! seen: a captured request cannot be replayed, and no bearer token exists
//! that could leak.
//!
//! Signed string (UTF-8, `\n`-separated):
//! `ecard-request-v1`, method, path with query, timestamp, nonce,
//! lowercase hex SHA-256 of the body.

use ring::digest::{SHA256, digest};

/// Header naming the enrolled device.
pub const DEVICE_HEADER: &str = "x-ecard-device";
/// Header with the request time, Unix seconds by the client's trusted clock.
pub const TIMESTAMP_HEADER: &str = "x-ecard-timestamp";
/// Header with a fresh random nonce (16–64 characters).
pub const NONCE_HEADER: &str = "x-ecard-nonce";
/// Header with the base64url signature.
pub const SIGNATURE_HEADER: &str = "x-ecard-signature";
/// How far a request's timestamp may be from the platform's clock.
pub const MAX_REQUEST_SKEW_SECONDS: u64 = 300;

const CONTEXT: &str = "ecard-request-v1";

/// The bytes a device signs for a request.
pub fn signed_string(
    method: &str,
    path_and_query: &str,
    timestamp: u64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let body_hash: String = digest(&SHA256, body)
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("{CONTEXT}\n{method}\n{path_and_query}\n{timestamp}\n{nonce}\n{body_hash}").into_bytes()
}

/// Whether a nonce has an acceptable form.
pub fn nonce_is_well_formed(nonce: &str) -> bool {
    (16..=64).contains(&nonce.len())
        && nonce
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}
