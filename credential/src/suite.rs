//! Cryptographic suites and key encodings.
//!
//! A suite id travels in every credential and status list, so suites live
//! side by side without a format break: Ed25519 (1), ECDSA P-256 (2) and
//! the commercial cryptography suite SM2 with SM3 (3; GB/T 32918, GM/T 0003,
//! GM/T 0009), which government card systems in China are assessed on. An
//! unknown id is refused, never guessed. Signatures are always 64 bytes
//! (`r || s` for ECDSA and SM2).
//!
//! SM2 signs with the default distinguishing identifier of GM/T 0009
//! ([`SM2_DISTINGUISHING_ID`]) folded into the digest (`Z` = SM3 over the
//! identifier, the curve and the public key), as HUKS and other
//! implementations do by default.
//!
//! P-256 and SM2 device keys travel compressed (33 bytes) in codes and are
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
    /// SM2 signatures over SM3 digests with the GM/T 0009 distinguishing
    /// identifier, fixed `r || s`: the commercial cryptography suite
    /// (国密), which HarmonyOS HUKS supports.
    #[serde(rename = "sm2")]
    Sm2,
}

/// The distinguishing identifier SM2 signatures use (GM/T 0009 default).
pub const SM2_DISTINGUISHING_ID: &str = "1234567812345678";

impl Suite {
    /// Every implemented suite.
    pub const ALL: [Suite; 3] = [Suite::Ed25519, Suite::EcdsaP256, Suite::Sm2];

    /// The id written into the format (a 4-bit value).
    pub const fn id(self) -> u8 {
        match self {
            Suite::Ed25519 => 1,
            Suite::EcdsaP256 => 2,
            Suite::Sm2 => 3,
        }
    }

    /// Reads a suite id.
    pub const fn from_id(id: u8) -> Result<Suite, FormatError> {
        match id {
            1 => Ok(Suite::Ed25519),
            2 => Ok(Suite::EcdsaP256),
            3 => Ok(Suite::Sm2),
            other => Err(FormatError::UnknownSuite(other)),
        }
    }

    /// Length of a device public key inside a credential.
    pub const fn wire_key_len(self) -> usize {
        match self {
            Suite::Ed25519 => 32,
            Suite::EcdsaP256 | Suite::Sm2 => 33,
        }
    }

    /// A short lowercase name (`ed25519`, `p256`).
    pub const fn name(self) -> &'static str {
        match self {
            Suite::Ed25519 => "ed25519",
            Suite::EcdsaP256 => "p256",
            Suite::Sm2 => "sm2",
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
    /// or SubjectPublicKeyInfo DER; P-256 and SM2 uncompressed (65),
    /// compressed (33) or SubjectPublicKeyInfo DER. The point is checked to
    /// lie on the suite's curve.
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
            Suite::Sm2 if raw.len() == 33 || raw.len() == 65 => {
                let point =
                    sm2::PublicKey::from_sec1_bytes(raw).map_err(|_| FormatError::BadPublicKey)?;
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

    /// The full form (Ed25519 raw, P-256 and SM2 uncompressed).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The compact form used inside credentials (P-256 and SM2 compressed).
    pub fn to_wire(&self) -> Vec<u8> {
        match self.suite {
            Suite::Ed25519 => self.bytes.clone(),
            Suite::EcdsaP256 | Suite::Sm2 => {
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
            Suite::Sm2 => return sm2_verify(&self.bytes, message, signature),
        };
        signature.len() == SIGNATURE_LEN
            && UnparsedPublicKey::new(algorithm, &self.bytes)
                .verify(message, signature)
                .is_ok()
    }
}

/// Checks an SM2 signature (`r || s`, both in 1..n−1) over `message` with
/// the GM/T 0009 identifier, for an uncompressed public key.
fn sm2_verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    use sm2::dsa::signature::Verifier as _;
    let Ok(key) = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTINGUISHING_ID, public_key) else {
        return false;
    };
    let Ok(signature) = sm2::dsa::Signature::from_slice(signature) else {
        return false;
    };
    key.verify(message, &signature).is_ok()
}

/// DER prefixes of SubjectPublicKeyInfo (algorithm identifier and
/// bit-string header), as Android Keystore and HUKS export them. SM2 keys
/// are `id-ecPublicKey` on the curve `1.2.156.10197.1.301`.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
const P256_SPKI_PREFIX: [u8; 27] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
];
const SM2_SPKI_PREFIX: [u8; 27] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x81, 0x1c, 0xcf, 0x55, 0x01, 0x82, 0x2d, 0x03, 0x42, 0x00, 0x04,
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
        Suite::Sm2 => bytes
            .strip_prefix(&SM2_SPKI_PREFIX[..26])
            .filter(|key| key.len() == 65 && key[0] == 0x04),
    }
}

/// Normalises a signature from a key store to the fixed 64-byte form.
/// ECDSA and SM2 signatures may arrive DER-encoded
/// (`SEQUENCE { INTEGER r, INTEGER s }`) as Android Keystore, CryptoKit's
/// `derRepresentation` and HUKS produce them.
pub fn normalize_signature(
    suite: Suite,
    signature: &[u8],
) -> Result<[u8; SIGNATURE_LEN], FormatError> {
    if let Ok(fixed) = <[u8; SIGNATURE_LEN]>::try_from(signature) {
        return Ok(fixed);
    }
    match suite {
        Suite::Ed25519 => Err(FormatError::BadSignatureEncoding),
        Suite::EcdsaP256 | Suite::Sm2 => ecdsa_der_to_fixed(signature),
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
        for unknown in [0, 4, 15] {
            assert_eq!(
                Suite::from_id(unknown),
                Err(FormatError::UnknownSuite(unknown))
            );
        }
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
            .collect()
    }

    /// SM3 against the examples of GB/T 32905-2016 (appendix A).
    #[test]
    fn sm3_matches_the_standards_examples() {
        use sm3::Digest as _;
        assert_eq!(
            sm3::Sm3::digest(b"abc").to_vec(),
            hex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        );
        assert_eq!(
            sm3::Sm3::digest(b"abcd".repeat(16)).to_vec(),
            hex("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
        );
    }

    /// A signature OpenSSL made (`openssl pkeyutl -sign -digest sm3 -pkeyopt
    /// distid:example@rustcrypto.org`, published with the `sm2` crate's
    /// tests): an independent implementation, another identifier.
    #[test]
    fn sm2_verifies_a_signature_openssl_made() {
        use sm2::dsa::signature::Verifier as _;
        let public = hex(
            "0408d77ae04c01cc4c1104360dd8af6b6f7df334283d7c1a6afd5652407b87bee5\
             014e2a57c36c150d16324dc664e31e6432359609c4e79847a5b161c8c7364c8a",
        );
        let key =
            sm2::dsa::VerifyingKey::from_sec1_bytes("example@rustcrypto.org", &public).unwrap();
        let signature = sm2::dsa::Signature::from_slice(&hex(
            "d1dcccedd9fb785e0f67c16b7c52901625c0b69de9bca2144acc7be713cad2fc\
             f7d1eae6e3a157b36c65f672f738ca8b46298bf149a6510072c431b49cd88b1c",
        ))
        .unwrap();
        assert!(key.verify(b"testing", &signature).is_ok());
        // With the format's identifier the same bytes do not verify.
        let ours = PublicKey::from_bytes(Suite::Sm2, &public).unwrap();
        assert!(!ours.verify(b"testing", &signature.to_bytes()));
    }

    #[test]
    fn sm2_keys_sign_verify_compress_and_normalise() {
        let (key, pkcs8) = crate::keys::SoftwareKey::generate(Suite::Sm2).unwrap();
        let again = crate::keys::SoftwareKey::from_pkcs8(Suite::Sm2, &pkcs8).unwrap();
        assert_eq!(again.public_key(), key.public_key());
        let public = key.public_key();
        assert_eq!(public.as_bytes().len(), 65);
        let wire = public.to_wire();
        assert_eq!(wire.len(), Suite::Sm2.wire_key_len());
        assert_eq!(&PublicKey::from_wire(Suite::Sm2, &wire).unwrap(), public);
        let mut spki = SM2_SPKI_PREFIX[..26].to_vec();
        spki.extend_from_slice(public.as_bytes());
        assert_eq!(&PublicKey::from_bytes(Suite::Sm2, &spki).unwrap(), public);
        // A P-256 SubjectPublicKeyInfo is not an SM2 key.
        let mut p256_spki = P256_SPKI_PREFIX[..26].to_vec();
        p256_spki.extend_from_slice(public.as_bytes());
        assert!(PublicKey::from_bytes(Suite::Sm2, &p256_spki).is_err());

        let signature = key.sign(b"message").unwrap();
        assert!(public.verify(b"message", &signature));
        assert!(!public.verify(b"messagE", &signature));
        // The same point read as a P-256 key does not verify it.
        if let Ok(as_p256) = PublicKey::from_bytes(Suite::EcdsaP256, public.as_bytes()) {
            assert!(!as_p256.verify(b"message", &signature));
        }
        // DER from a key store normalises to r || s.
        let der = sm2::dsa::Signature::from_slice(&signature)
            .unwrap()
            .to_der();
        assert_eq!(
            normalize_signature(Suite::Sm2, der.as_bytes()).unwrap(),
            signature
        );
        // Out of range: r or s zero or not below n.
        let n = hex("fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123");
        for (r, s) in [
            (vec![0u8; 32], signature[32..].to_vec()),
            (signature[..32].to_vec(), vec![0u8; 32]),
            (n.clone(), signature[32..].to_vec()),
            (signature[..32].to_vec(), n.clone()),
            (vec![0xff; 32], signature[32..].to_vec()),
        ] {
            assert!(!public.verify(b"message", &[r, s].concat()));
        }
        // SM2 has no "high s" twin as ECDSA has: (r, n − s) is not a
        // signature of the same message, so there is nothing to normalise.
        let mut high = [0u8; 32];
        let mut borrow = 0i16;
        for at in (0..32).rev() {
            let difference = i16::from(n[at]) - i16::from(signature[32 + at]) - borrow;
            borrow = i16::from(difference < 0);
            high[at] = (difference + 256 * borrow) as u8;
        }
        assert!(!public.verify(b"message", &[&signature[..32], &high[..]].concat()));
        // A point not on the curve is refused.
        let mut off_curve = public.as_bytes().to_vec();
        off_curve[64] ^= 1;
        assert_eq!(
            PublicKey::from_bytes(Suite::Sm2, &off_curve),
            Err(FormatError::BadPublicKey)
        );
    }
}
