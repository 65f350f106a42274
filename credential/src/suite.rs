//! Cryptographic suites and key encodings.
//!
//! A suite id travels in every credential and status list, so a new suite
//! (SM2 with SM3, GM/T 0003) can be added beside the current ones without a
//! format break. Id 3 is reserved for it; an unknown id is refused, never
//! guessed. Signatures are always 64 bytes (`r || s` for ECDSA).
//!
//! P-256 device keys travel compressed (33 bytes) in codes and are
//! decompressed once by the verifier (`point_decompression`); platform key stores (Android Keystore,
//! Secure Enclave, HUKS) hand out uncompressed points or SubjectPublicKeyInfo
//! DER and DER-encoded signatures, which the helpers here normalise.

use p256::elliptic_curve::sec1::ToSec1Point;
use ring::signature::{self, UnparsedPublicKey};
use serde::{Deserialize, Serialize};

use crate::error::FormatError;

/// Length in bytes of every signature in the format.
pub const SIGNATURE_LEN: usize = 64;

/// A signature algorithm with its key encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Suite {
    /// Ed25519 (RFC 8032): 32-byte keys, the compact option.
    #[serde(rename = "ed25519")]
    Ed25519,
    /// ECDSA over P-256 with SHA-256, fixed `r || s` signatures: the suite the
    /// iOS Secure Enclave supports.
    #[serde(rename = "p256")]
    EcdsaP256,
}

/// The suite id reserved for SM2 signatures with SM3 (GM/T 0003, GM/T 0004).
pub const RESERVED_SM2_SM3_ID: u8 = 3;

impl Suite {
    /// Every implemented suite.
    pub const ALL: [Suite; 2] = [Suite::Ed25519, Suite::EcdsaP256];

    /// The id written into the format (a 4-bit value).
    pub const fn id(self) -> u8 {
        match self {
            Suite::Ed25519 => 1,
            Suite::EcdsaP256 => 2,
        }
    }

    /// Reads a suite id.
    pub const fn from_id(id: u8) -> Result<Suite, FormatError> {
        match id {
            1 => Ok(Suite::Ed25519),
            2 => Ok(Suite::EcdsaP256),
            other => Err(FormatError::UnknownSuite(other)),
        }
    }

    /// Length of a device public key inside a credential.
    pub const fn wire_key_len(self) -> usize {
        match self {
            Suite::Ed25519 => 32,
            Suite::EcdsaP256 => 33,
        }
    }

    /// A short lowercase name (`ed25519`, `p256`).
    pub const fn name(self) -> &'static str {
        match self {
            Suite::Ed25519 => "ed25519",
            Suite::EcdsaP256 => "p256",
        }
    }

    /// Parses [`Suite::name`].
    pub fn from_name(name: &str) -> Option<Suite> {
        Suite::ALL.into_iter().find(|suite| suite.name() == name)
    }
}

/// A public key in its full form: Ed25519 32 bytes, P-256 as the 65-byte
/// uncompressed SEC1 point. This is what trust lists and key stores hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PublicKey {
    suite: Suite,
    bytes: Vec<u8>,
}

impl PublicKey {
    /// Accepts a key as platform key stores export it: Ed25519 raw (32 bytes)
    /// or SubjectPublicKeyInfo DER; P-256 uncompressed (65), compressed (33) or
    /// SubjectPublicKeyInfo DER. The point is checked to lie on the curve.
    pub fn from_bytes(suite: Suite, bytes: &[u8]) -> Result<PublicKey, FormatError> {
        let raw = strip_subject_public_key_info(suite, bytes).unwrap_or(bytes);
        let bytes = match suite {
            Suite::Ed25519 if raw.len() == 32 => raw.to_vec(),
            Suite::EcdsaP256 if raw.len() == 33 => crate::point_decompression::decompress_p256(raw)
                .ok_or(FormatError::BadPublicKey)?
                .to_vec(),
            Suite::EcdsaP256 if raw.len() == 65 => {
                let point =
                    p256::PublicKey::from_sec1_bytes(raw).map_err(|_| FormatError::BadPublicKey)?;
                point.to_sec1_point(false).as_bytes().to_vec()
            }
            _ => return Err(FormatError::BadPublicKey),
        };
        Ok(PublicKey { suite, bytes })
    }

    /// Reads the compact form used inside credentials.
    pub fn from_wire(suite: Suite, wire: &[u8]) -> Result<PublicKey, FormatError> {
        if wire.len() != suite.wire_key_len() {
            return Err(FormatError::BadPublicKey);
        }
        PublicKey::from_bytes(suite, wire)
    }

    /// The suite of this key.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The full form (Ed25519 raw, P-256 uncompressed).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The compact form used inside credentials (P-256 compressed).
    pub fn to_wire(&self) -> Vec<u8> {
        match self.suite {
            Suite::Ed25519 => self.bytes.clone(),
            Suite::EcdsaP256 => {
                let mut wire = Vec::with_capacity(33);
                wire.push(0x02 | (self.bytes[64] & 1));
                wire.extend_from_slice(&self.bytes[1..33]);
                wire
            }
        }
    }

    /// Checks a signature made with the matching private key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        let algorithm: &dyn signature::VerificationAlgorithm = match self.suite {
            Suite::Ed25519 => &signature::ED25519,
            Suite::EcdsaP256 => &signature::ECDSA_P256_SHA256_FIXED,
        };
        signature.len() == SIGNATURE_LEN
            && UnparsedPublicKey::new(algorithm, &self.bytes)
                .verify(message, signature)
                .is_ok()
    }
}

/// DER prefixes of SubjectPublicKeyInfo for the two suites (algorithm
/// identifier and bit-string header), as Android Keystore and HUKS export them.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
const P256_SPKI_PREFIX: [u8; 27] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
];

fn strip_subject_public_key_info(suite: Suite, bytes: &[u8]) -> Option<&[u8]> {
    match suite {
        Suite::Ed25519 => bytes
            .strip_prefix(&ED25519_SPKI_PREFIX[..])
            .filter(|key| key.len() == 32),
        // Keep the 0x04 point tag: it is the last byte of the prefix.
        Suite::EcdsaP256 => bytes
            .strip_prefix(&P256_SPKI_PREFIX[..26])
            .filter(|key| key.len() == 65 && key[0] == 0x04),
    }
}

/// Normalises a signature from a key store to the fixed 64-byte form.
/// ECDSA signatures may arrive DER-encoded (`SEQUENCE { INTEGER r, INTEGER s }`)
/// as Android Keystore, CryptoKit's `derRepresentation` and HUKS produce them.
pub fn normalize_signature(
    suite: Suite,
    signature: &[u8],
) -> Result<[u8; SIGNATURE_LEN], FormatError> {
    if let Ok(fixed) = <[u8; SIGNATURE_LEN]>::try_from(signature) {
        return Ok(fixed);
    }
    match suite {
        Suite::Ed25519 => Err(FormatError::BadSignatureEncoding),
        Suite::EcdsaP256 => ecdsa_der_to_fixed(signature),
    }
}

fn ecdsa_der_to_fixed(der: &[u8]) -> Result<[u8; SIGNATURE_LEN], FormatError> {
    let bad = FormatError::BadSignatureEncoding;
    let (&tag, rest) = der.split_first().ok_or(bad)?;
    let (&length, body) = rest.split_first().ok_or(bad)?;
    if tag != 0x30 || usize::from(length) != body.len() || length >= 0x80 {
        return Err(bad);
    }
    let (r, rest) = der_integer(body)?;
    let (s, rest) = der_integer(rest)?;
    if !rest.is_empty() {
        return Err(bad);
    }
    let mut fixed = [0u8; SIGNATURE_LEN];
    fixed[32 - r.len()..32].copy_from_slice(r);
    fixed[64 - s.len()..].copy_from_slice(s);
    Ok(fixed)
}

/// Reads one positive DER INTEGER of at most 32 significant bytes.
fn der_integer(bytes: &[u8]) -> Result<(&[u8], &[u8]), FormatError> {
    let bad = FormatError::BadSignatureEncoding;
    let (&tag, rest) = bytes.split_first().ok_or(bad)?;
    let (&length, rest) = rest.split_first().ok_or(bad)?;
    let length = usize::from(length);
    if tag != 0x02 || length == 0 || length > 33 || rest.len() < length {
        return Err(bad);
    }
    let (mut value, rest) = rest.split_at(length);
    if value[0] & 0x80 != 0 {
        return Err(bad); // negative
    }
    if value.len() > 1 && value[0] == 0 {
        if value[1] & 0x80 == 0 {
            return Err(bad); // non-minimal
        }
        value = &value[1..];
    }
    if value.len() > 32 {
        return Err(bad);
    }
    Ok((value, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{
        ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    };

    fn p256_pair(asn1: bool) -> EcdsaKeyPair {
        let rng = SystemRandom::new();
        let algorithm = if asn1 {
            &ECDSA_P256_SHA256_ASN1_SIGNING
        } else {
            &ECDSA_P256_SHA256_FIXED_SIGNING
        };
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(algorithm, &rng).unwrap();
        EcdsaKeyPair::from_pkcs8(algorithm, pkcs8.as_ref(), &rng).unwrap()
    }

    #[test]
    fn p256_compression_round_trips() {
        for _ in 0..20 {
            let pair = p256_pair(false);
            let key = PublicKey::from_bytes(Suite::EcdsaP256, pair.public_key().as_ref()).unwrap();
            let wire = key.to_wire();
            assert_eq!(wire.len(), 33);
            assert_eq!(PublicKey::from_wire(Suite::EcdsaP256, &wire).unwrap(), key);
        }
    }

    #[test]
    fn der_signatures_are_normalised() {
        let rng = SystemRandom::new();
        let pair = p256_pair(true);
        let key = PublicKey::from_bytes(Suite::EcdsaP256, pair.public_key().as_ref()).unwrap();
        for round in 0..20u8 {
            let message = [round; 10];
            let der = pair.sign(&rng, &message).unwrap();
            let fixed = normalize_signature(Suite::EcdsaP256, der.as_ref()).unwrap();
            assert!(key.verify(&message, &fixed));
        }
    }

    #[test]
    fn spki_keys_are_accepted() {
        let pair = p256_pair(false);
        let mut spki = P256_SPKI_PREFIX[..26].to_vec();
        spki.extend_from_slice(pair.public_key().as_ref());
        let key = PublicKey::from_bytes(Suite::EcdsaP256, &spki).unwrap();
        assert_eq!(key.as_bytes(), pair.public_key().as_ref());
    }

    #[test]
    fn bad_keys_and_signatures_are_refused() {
        let mut off_curve = [0xFF; 33];
        off_curve[0] = 0x02;
        assert_eq!(
            PublicKey::from_wire(Suite::EcdsaP256, &off_curve),
            Err(FormatError::BadPublicKey)
        );
        assert_eq!(
            PublicKey::from_wire(Suite::Ed25519, &[1; 31]),
            Err(FormatError::BadPublicKey)
        );
        assert!(normalize_signature(Suite::EcdsaP256, &[0x30, 0x02, 0x02, 0x00]).is_err());
        assert!(normalize_signature(Suite::Ed25519, &[0; 63]).is_err());
        assert_eq!(
            Suite::from_id(RESERVED_SM2_SM3_ID),
            Err(FormatError::UnknownSuite(3))
        );
    }
}
