//! Keys: the holder's [`KeyStore`] abstraction, its software implementation,
//! and the issuer's signing key.
//!
//! On phones the device key lives in the platform key store (Android
//! Keystore/StrongBox, iOS Secure Enclave, HarmonyOS HUKS), which implements
//! [`KeyStore`] through the bindings: callers hold an alias, never key bytes.
//! [`SoftwareKeyStore`] (ring; the `sm2` crate for SM2) serves tests, the
//! CLI, terminals and desktop builds.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _,
};

use crate::claims::{PurposeSet, StatusReference};
use crate::credential::{Credential, CredentialClaims, credential_context, encode_signed_part};
use crate::error::{IssueError, KeyStoreError};
use crate::suite::{PublicKey, SIGNATURE_LEN, SM2_DISTINGUISHING_ID, Suite, normalize_signature};

/// A store of device keys that signs without revealing them.
///
/// Implementations must be safe to call from any thread; `sign` may block
/// on a user prompt (biometrics) and must not be called on a UI thread.
pub trait KeyStore: Send + Sync {
    /// Creates a key under `alias`, replacing any key of that alias.
    fn generate_key(&self, alias: &str, suite: Suite) -> Result<PublicKey, KeyStoreError>;
    /// The public key under `alias`.
    fn public_key(&self, alias: &str) -> Result<PublicKey, KeyStoreError>;
    /// Signs `message` with the key under `alias`. ECDSA signatures may be
    /// DER-encoded or fixed 64-byte `r || s`.
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, KeyStoreError>;
    /// Deletes the key under `alias`; deleting a missing key is not an error.
    fn delete_key(&self, alias: &str) -> Result<(), KeyStoreError>;
}

/// Signs with `key_store` and normalises the signature to 64 bytes.
pub(crate) fn sign_fixed(
    key_store: &dyn KeyStore,
    alias: &str,
    suite: Suite,
    message: &[u8],
) -> Result<[u8; SIGNATURE_LEN], KeyStoreError> {
    let signature = key_store.sign(alias, message)?;
    normalize_signature(suite, &signature)
        .map_err(|_| KeyStoreError::Backend("the key store returned a malformed signature".into()))
}

/// A key pair of any suite: ring's for Ed25519 and P-256, the `sm2`
/// crate's for SM2.
enum KeyPair {
    Ed25519(Ed25519KeyPair),
    EcdsaP256(EcdsaKeyPair),
    Sm2(Box<sm2::dsa::SigningKey>),
}

/// A private key held in process memory, created from or exported as PKCS#8.
pub struct SoftwareKey {
    suite: Suite,
    pair: KeyPair,
    public_key: PublicKey,
}

impl fmt::Debug for SoftwareKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SoftwareKey")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl SoftwareKey {
    /// Makes a new key and returns it with its PKCS#8 document, which the
    /// caller must protect (the platform stores it encrypted).
    pub fn generate(suite: Suite) -> Result<(SoftwareKey, Vec<u8>), IssueError> {
        let rng = SystemRandom::new();
        let pkcs8 = match suite {
            Suite::Ed25519 => Ed25519KeyPair::generate_pkcs8(&rng).map(|doc| doc.as_ref().to_vec()),
            Suite::EcdsaP256 => {
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .map(|doc| doc.as_ref().to_vec())
            }
            Suite::Sm2 => return generate_sm2(&rng),
        }
        .map_err(|_| IssueError::Key("key generation failed"))?;
        let key = SoftwareKey::from_pkcs8(suite, &pkcs8)?;
        Ok((key, pkcs8))
    }

    /// Loads a key from PKCS#8.
    pub fn from_pkcs8(suite: Suite, pkcs8: &[u8]) -> Result<SoftwareKey, IssueError> {
        let bad = IssueError::Key("malformed PKCS#8 key");
        let pair = match suite {
            Suite::Ed25519 => KeyPair::Ed25519(
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(|_| bad)?,
            ),
            Suite::EcdsaP256 => KeyPair::EcdsaP256(
                EcdsaKeyPair::from_pkcs8(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    pkcs8,
                    &SystemRandom::new(),
                )
                .map_err(|_| bad)?,
            ),
            Suite::Sm2 => {
                use sm2::pkcs8::DecodePrivateKey as _;
                let secret = sm2::SecretKey::from_pkcs8_der(pkcs8).map_err(|_| bad.clone())?;
                KeyPair::Sm2(Box::new(
                    sm2::dsa::SigningKey::new(SM2_DISTINGUISHING_ID, &secret).map_err(|_| bad)?,
                ))
            }
        };
        SoftwareKey::from_pair(suite, pair)
    }

    /// A deterministic Ed25519 key from a 32-byte seed (test vectors, demos).
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Result<SoftwareKey, IssueError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|_| IssueError::Key("bad Ed25519 seed"))?;
        SoftwareKey::from_pair(Suite::Ed25519, KeyPair::Ed25519(pair))
    }

    /// A deterministic SM2 key from a 32-byte big-endian scalar, which must
    /// lie in 1..n−1 (test vectors, demos).
    pub fn sm2_from_scalar(scalar: &[u8; 32]) -> Result<SoftwareKey, IssueError> {
        let bad = IssueError::Key("bad SM2 scalar");
        let secret = sm2::SecretKey::from_slice(scalar).map_err(|_| bad.clone())?;
        let pair = sm2::dsa::SigningKey::new(SM2_DISTINGUISHING_ID, &secret).map_err(|_| bad)?;
        SoftwareKey::from_pair(Suite::Sm2, KeyPair::Sm2(Box::new(pair)))
    }

    fn from_pair(suite: Suite, pair: KeyPair) -> Result<SoftwareKey, IssueError> {
        let public_bytes = match &pair {
            KeyPair::Ed25519(pair) => pair.public_key().as_ref().to_vec(),
            KeyPair::EcdsaP256(pair) => pair.public_key().as_ref().to_vec(),
            KeyPair::Sm2(pair) => pair.verifying_key().to_sec1_bytes().to_vec(),
        };
        let public_key = PublicKey::from_bytes(suite, &public_bytes)
            .map_err(|_| IssueError::Key("bad public key"))?;
        Ok(SoftwareKey {
            suite,
            pair,
            public_key,
        })
    }

    /// The suite of this key.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// Signs a message (fixed 64-byte signature).
    pub fn sign(&self, message: &[u8]) -> Result<[u8; SIGNATURE_LEN], KeyStoreError> {
        let signature = match &self.pair {
            KeyPair::Ed25519(pair) => pair.sign(message).as_ref().to_vec(),
            KeyPair::EcdsaP256(pair) => pair
                .sign(&SystemRandom::new(), message)
                .map_err(|_| KeyStoreError::Backend("signing failed".into()))?
                .as_ref()
                .to_vec(),
            KeyPair::Sm2(pair) => {
                use sm2::dsa::signature::Signer as _;
                let signature: sm2::dsa::Signature = pair
                    .try_sign(message)
                    .map_err(|_| KeyStoreError::Backend("signing failed".into()))?;
                signature.to_vec()
            }
        };
        <[u8; SIGNATURE_LEN]>::try_from(signature.as_slice())
            .map_err(|_| KeyStoreError::Backend("unexpected signature length".into()))
    }
}

/// A new SM2 key from the system's randomness (a scalar drawn until it lies
/// in 1..n−1), with its PKCS#8 document.
fn generate_sm2(rng: &SystemRandom) -> Result<(SoftwareKey, Vec<u8>), IssueError> {
    use ring::rand::SecureRandom as _;
    use sm2::pkcs8::EncodePrivateKey as _;
    let failed = IssueError::Key("key generation failed");
    for _ in 0..16 {
        let mut scalar = [0u8; 32];
        rng.fill(&mut scalar).map_err(|_| failed.clone())?;
        let Ok(secret) = sm2::SecretKey::from_slice(&scalar) else {
            continue;
        };
        let pkcs8 = secret.to_pkcs8_der().map_err(|_| failed.clone())?;
        let key = SoftwareKey::from_pkcs8(Suite::Sm2, pkcs8.as_bytes())?;
        return Ok((key, pkcs8.as_bytes().to_vec()));
    }
    Err(failed)
}

/// An in-memory [`KeyStore`] backed by ring. Keys never leave it; it
/// suits tests, the CLI and terminals without a hardware key store.
#[derive(Default)]
pub struct SoftwareKeyStore {
    keys: Mutex<HashMap<String, SoftwareKey>>,
}

impl fmt::Debug for SoftwareKeyStore {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SoftwareKeyStore")
            .finish_non_exhaustive()
    }
}

impl SoftwareKeyStore {
    /// An empty store.
    pub fn new() -> SoftwareKeyStore {
        SoftwareKeyStore::default()
    }

    /// Puts an existing key under `alias` (desktop builds that persist keys
    /// encrypted load them back this way).
    pub fn insert(&self, alias: &str, key: SoftwareKey) -> Result<PublicKey, KeyStoreError> {
        let public_key = key.public_key().clone();
        self.lock()?.insert(alias.to_owned(), key);
        Ok(public_key)
    }

    fn lock(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<String, SoftwareKey>>, KeyStoreError> {
        self.keys
            .lock()
            .map_err(|_| KeyStoreError::Backend("key store lock poisoned".into()))
    }
}

impl KeyStore for SoftwareKeyStore {
    fn generate_key(&self, alias: &str, suite: Suite) -> Result<PublicKey, KeyStoreError> {
        let (key, _pkcs8) = SoftwareKey::generate(suite)
            .map_err(|error| KeyStoreError::Backend(error.to_string()))?;
        self.insert(alias, key)
    }

    fn public_key(&self, alias: &str) -> Result<PublicKey, KeyStoreError> {
        self.lock()?
            .get(alias)
            .map(|key| key.public_key().clone())
            .ok_or_else(|| KeyStoreError::NotFound(alias.to_owned()))
    }

    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        let keys = self.lock()?;
        let key = keys
            .get(alias)
            .ok_or_else(|| KeyStoreError::NotFound(alias.to_owned()))?;
        Ok(key.sign(message)?.to_vec())
    }

    fn delete_key(&self, alias: &str) -> Result<(), KeyStoreError> {
        self.lock()?.remove(alias);
        Ok(())
    }
}

/// The platform's signing key for credentials and status lists, with the key
/// id that trust lists know it by.
#[derive(Debug)]
pub struct IssuerKey {
    key_id: u32,
    key: SoftwareKey,
}

impl IssuerKey {
    /// Wraps a key under a key id.
    pub fn new(key_id: u32, key: SoftwareKey) -> IssuerKey {
        IssuerKey { key_id, key }
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.key.suite()
    }

    /// The public key, for trust lists.
    pub fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// Issues a credential binding `device_key` to `claims`, in format
    /// version 1 when the claims fit it (purposes 1–4, no affiliation), so
    /// terminals deployed before version 2 keep verifying those codes, and
    /// in version 2 otherwise.
    ///
    /// Refuses claims that do not fit the format, a credential without a
    /// purpose, a region on a credential granting a purpose that must not
    /// learn it (transport, culture/tourism, campus), and an affiliation on
    /// a credential granting anything but campus purposes.
    pub fn issue(
        &self,
        claims: &CredentialClaims,
        device_key: &PublicKey,
    ) -> Result<Credential, IssueError> {
        check_claims(claims)?;
        let signed_part = encode_signed_part(self.suite(), self.key_id, claims, device_key);
        let signature =
            self.sign_with_context(credential_context(claims.format_version()), &signed_part)?;
        let bytes = [signed_part.as_slice(), &signature].concat();
        Credential::parse(&bytes).map_err(|_| IssueError::Key("issued credential did not parse"))
    }

    pub(crate) fn sign_with_context(
        &self,
        context: &[u8],
        body: &[u8],
    ) -> Result<[u8; SIGNATURE_LEN], IssueError> {
        self.key
            .sign(&[context, body].concat())
            .map_err(|_| IssueError::Key("issuer signing failed"))
    }
}

fn check_claims(claims: &CredentialClaims) -> Result<(), IssueError> {
    if u32::try_from(claims.not_before).is_err() {
        return Err(IssueError::OutOfRange("not_before"));
    }
    if claims.lifetime_minutes == 0 {
        return Err(IssueError::OutOfRange("lifetime_minutes"));
    }
    if claims.status.index > StatusReference::MAX_INDEX {
        return Err(IssueError::OutOfRange("status.index"));
    }
    if claims.purposes.is_empty() {
        return Err(IssueError::NoPurpose);
    }
    if claims.region.is_some()
        && claims
            .purposes
            .iter()
            .any(|purpose| !purpose.may_disclose_region())
    {
        return Err(IssueError::DisclosureTooBroad);
    }
    if claims.affiliation.is_some() && !claims.purposes.is_campus_only() {
        return Err(IssueError::DisclosureTooBroad);
    }
    Ok(())
}

/// The purposes that may share one credential without widening disclosure:
/// the platform issues one credential per group. In order:
///
/// 0. transport + culture/tourism: concession only (version 1);
/// 1. medical + identity: with the region (version 1);
/// 2. [`EXAMS_GROUP`]: education and personnel examinations, with the
///    region (version 2);
/// 3. [`CAMPUS_GROUP`]: campus entry and library, with the school
///    affiliation (version 2), issued only to enrolled students.
///
/// The first two are the groups of version 1, unchanged, so deployed
/// terminals verify them as before.
pub fn disclosure_groups() -> [PurposeSet; 4] {
    use crate::claims::Purpose;
    [
        PurposeSet::of(&[Purpose::Transport, Purpose::CultureTourism]),
        PurposeSet::of(&[Purpose::Medical, Purpose::Identity]),
        EXAMS_GROUP,
        CAMPUS_GROUP,
    ]
}

/// The examinations group: education and personnel examinations (handle and
/// region, resolved online). Index 2 of [`disclosure_groups`].
pub const EXAMS_GROUP: PurposeSet = PurposeSet::from_bits_unchecked(
    crate::claims::Purpose::EducationExam.bit() | crate::claims::Purpose::PersonnelExam.bit(),
);

/// The campus group: campus entry and library, the only credentials that
/// carry the school affiliation. Index 3 of [`disclosure_groups`].
pub const CAMPUS_GROUP: PurposeSet = PurposeSet::from_bits_unchecked(
    crate::claims::Purpose::CampusEntry.bit() | crate::claims::Purpose::Library.bit(),
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use crate::claims::{Affiliation, ConcessionClass, Handle, HolderRole, Purpose, RegionCode};

    fn claims_for(purposes: PurposeSet) -> CredentialClaims {
        CredentialClaims {
            handle: Handle([1, 2, 3, 4, 5, 6, 7, 8]),
            not_before: 1_767_254_400,
            lifetime_minutes: 24 * 60,
            status: StatusReference { list: 0, index: 9 },
            concession: ConcessionClass::Student,
            purposes,
            role: HolderRole::Holder,
            region: None,
            affiliation: None,
        }
    }

    #[test]
    fn claims_that_fit_version_1_are_issued_as_version_1() {
        let issuer = IssuerKey::new(1, SoftwareKey::ed25519_from_seed(&[7; 32]).unwrap());
        let device = SoftwareKey::ed25519_from_seed(&[1; 32]).unwrap();
        let groups = disclosure_groups();
        for (group, version, length) in [
            (groups[0], 1, 125),
            (groups[1], 1, 125),
            (groups[2], 2, 130),
            (groups[3], 2, 130),
        ] {
            let mut claims = claims_for(group);
            if group.iter().all(Purpose::may_disclose_region) {
                claims.region = RegionCode::new(360_100);
            }
            let credential = issuer.issue(&claims, device.public_key()).unwrap();
            assert_eq!(credential.version(), version, "{group:?}");
            assert_eq!(credential.as_bytes().len(), length, "{group:?}");
            assert_eq!(credential.claims, claims);
            assert_eq!(
                Credential::parse(credential.as_bytes()).unwrap(),
                credential
            );
            assert!(issuer.public_key().verify(
                &credential.issuer_signed_message(),
                credential.issuer_signature()
            ));
        }
        let mut campus = claims_for(CAMPUS_GROUP);
        campus.affiliation = Affiliation::new(4_207);
        let credential = issuer.issue(&campus, device.public_key()).unwrap();
        assert_eq!(credential.version(), 2);
        assert_eq!(credential.claims.affiliation, Affiliation::new(4_207));
        // A lone version-1 purpose with an affiliation is not campus.
        let mut transport = claims_for(groups[0]);
        transport.affiliation = Affiliation::new(4_207);
        assert_eq!(
            issuer.issue(&transport, device.public_key()),
            Err(IssueError::DisclosureTooBroad)
        );
        let mut mixed = claims_for(PurposeSet::of(&[Purpose::CampusEntry, Purpose::Transport]));
        mixed.affiliation = Affiliation::new(4_207);
        assert_eq!(
            issuer.issue(&mixed, device.public_key()),
            Err(IssueError::DisclosureTooBroad)
        );
        let mut exams = claims_for(EXAMS_GROUP);
        exams.affiliation = Affiliation::new(4_207);
        assert_eq!(
            issuer.issue(&exams, device.public_key()),
            Err(IssueError::DisclosureTooBroad)
        );
        let mut campus_with_region = claims_for(CAMPUS_GROUP);
        campus_with_region.region = RegionCode::new(360_100);
        assert_eq!(
            issuer.issue(&campus_with_region, device.public_key()),
            Err(IssueError::DisclosureTooBroad)
        );
    }

    #[test]
    fn the_version_1_groups_are_unchanged() {
        let groups = disclosure_groups();
        assert_eq!(groups[0].bits(), 0b1001);
        assert_eq!(groups[1].bits(), 0b0110);
        assert!(groups[..2].iter().all(|group| group.fits_version_1()));
        assert_eq!(
            EXAMS_GROUP,
            PurposeSet::of(&[Purpose::EducationExam, Purpose::PersonnelExam])
        );
        assert_eq!(
            CAMPUS_GROUP,
            PurposeSet::of(&[Purpose::CampusEntry, Purpose::Library])
        );
        // Every purpose is in exactly one group.
        for purpose in Purpose::ALL {
            assert_eq!(
                groups
                    .iter()
                    .filter(|group| group.contains(purpose))
                    .count(),
                1,
                "{purpose:?}"
            );
        }
    }

    #[test]
    fn sm2_keys_from_a_scalar_are_deterministic_and_checked() {
        let key = SoftwareKey::sm2_from_scalar(&[0x53; 32]).unwrap();
        let again = SoftwareKey::sm2_from_scalar(&[0x53; 32]).unwrap();
        assert_eq!(key.suite(), Suite::Sm2);
        assert_eq!(key.public_key(), again.public_key());
        // SM2 signatures draw their nonce deterministically (RFC 6979).
        assert_eq!(key.sign(b"m").unwrap(), again.sign(b"m").unwrap());
        assert!(key.public_key().verify(b"m", &key.sign(b"m").unwrap()));
        // 0 and n − 1 < scalar are not private keys.
        assert!(SoftwareKey::sm2_from_scalar(&[0; 32]).is_err());
        assert!(SoftwareKey::sm2_from_scalar(&[0xff; 32]).is_err());
    }
}
