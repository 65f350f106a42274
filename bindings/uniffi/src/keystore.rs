//! The platform key store as a foreign trait, and its adapter into the
//! core's [`SecureKeyStore`].
//!
//! Why a foreign trait: the device key must live in the phone's hardware
//! store (Android Keystore/StrongBox, the iOS Secure Enclave, HarmonyOS
//! HUKS) and never leave it, so the app implements six small operations
//! natively and the core only ever holds aliases. The contract is kept to
//! what every store can do natively: P-256 key pairs (SM2 where the store
//! has it: HUKS does, Android Keystore and the Secure Enclave do not and
//! refuse it with `UnsupportedSuite`), SHA-256 ECDSA
//! signatures in DER (what Android's `SHA256withECDSA` and Apple's
//! `.ecdsaSignatureMessageX962SHA256` produce; the core normalises them),
//! public keys as SubjectPublicKeyInfo DER or SEC1 points (Java's
//! `PublicKey.getEncoded()`, `SecKeyCopyExternalRepresentation`), and an
//! authenticated encryption of short secrets (the database key).
//!
//! Threading: the core calls the store from its blocking pool (or, for
//! request signing, from a runtime worker that hands its other tasks off
//! first), never from the app's main thread, so an implementation may block
//! — e.g. on a biometric prompt — but only for the configuration's
//! `key_store_timeout_seconds`: past that the operation fails as the
//! HarmonyOS binding's does ([`ecard_core::bridge::answer_within`]).

use std::sync::Arc;
use std::time::Duration;

use ecard_core::SecureKeyStore;
use ecard_core::bridge::{answer_within, public_key_from};
use ecard_credential::{KeyStore, KeyStoreError, PublicKey, Suite};

/// Why a key-store operation failed, as the app's implementation reports it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum KeyStoreFailure {
    /// No key under that alias (for `public_key`, `sign`, `unwrap`).
    #[error("no key under alias {alias}")]
    NotFound {
        /// The alias asked for.
        alias: String,
    },
    /// The store cannot make keys of this suite (Ed25519 or SM2 on a
    /// Secure Enclave or in Android Keystore): the app should configure
    /// P-256. The person sees `NotAllowed`/`unsupported_suite`.
    #[error("the key store does not support this suite")]
    UnsupportedSuite,
    /// The person cancelled a biometric or PIN prompt.
    #[error("the user cancelled the key operation")]
    UserCancelled,
    /// The store is locked and will not use its keys until it is unlocked
    /// (the phone is locked: iOS `errSecInteractionNotAllowed`; Android
    /// `UserNotAuthenticatedException`). The keys are still there.
    #[error("the key store is locked")]
    Locked,
    /// Anything else the platform store reported.
    #[error("key store failure: {reason}")]
    Backend {
        /// What failed (for logs; shown to nobody).
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyStoreFailure {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> KeyStoreFailure {
        KeyStoreFailure::Backend {
            reason: format!("unexpected error in the app's key store: {}", error.reason),
        }
    }
}

impl From<KeyStoreFailure> for KeyStoreError {
    fn from(failure: KeyStoreFailure) -> KeyStoreError {
        match failure {
            KeyStoreFailure::NotFound { alias } => KeyStoreError::NotFound(alias),
            KeyStoreFailure::UnsupportedSuite => KeyStoreError::UnsupportedSuite,
            KeyStoreFailure::UserCancelled => KeyStoreError::UserCancelled,
            KeyStoreFailure::Locked => KeyStoreError::Locked,
            KeyStoreFailure::Backend { reason } => KeyStoreError::Backend(reason),
        }
    }
}

/// The phone's hardware key store, implemented by the app.
///
/// Keys are named by alias (`ecard-device` signs, `ecard-data` wraps the
/// database key); the core never sees private key material. Every method
/// may be called from any background thread, concurrently, and may block.
#[uniffi::export(with_foreign)]
pub trait PlatformKeyStore: Send + Sync {
    /// Creates a signing key pair of `suite` under `alias` (replacing any
    /// key of that alias) and returns its public key: SubjectPublicKeyInfo
    /// DER, or a SEC1 point (P-256, SM2), or the raw 32 bytes (Ed25519).
    /// `UnsupportedSuite` when the store cannot make keys of `suite`.
    fn generate_key(&self, alias: String, suite: Suite) -> Result<Vec<u8>, KeyStoreFailure>;

    /// The public key under `alias`, in one of the forms `generate_key`
    /// returns; `NotFound` when there is none. The core reads it as the
    /// configured device suite (`ClientConfig.deviceSuite`), never guessing
    /// from the length (a 65-byte point may be P-256 or SM2): a key of
    /// another suite reads as unreadable and is replaced at enrolment.
    fn public_key(&self, alias: String) -> Result<Vec<u8>, KeyStoreFailure>;

    /// Signs `message` with the key under `alias`: ECDSA P-256 over the
    /// SHA-256 of `message` (DER or fixed 64-byte `r || s`), SM2 over SM3
    /// with the GM/T 0009 identifier `1234567812345678` (DER or `r || s`),
    /// or Ed25519.
    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, KeyStoreFailure>;

    /// Deletes the signing key under `alias`; a missing key is not an error.
    fn delete_key(&self, alias: String) -> Result<(), KeyStoreFailure>;

    /// Encrypts a short secret under the wrapping key `alias`, creating
    /// that key on first use (e.g. AES-256-GCM in the hardware store; the
    /// output carries its own nonce).
    fn wrap(&self, alias: String, secret: Vec<u8>) -> Result<Vec<u8>, KeyStoreFailure>;

    /// Decrypts what `wrap` produced, never making a key. `NotFound` only
    /// when there is no wrapping key under `alias` (the core then counts
    /// the local data as lost and starts over with a new database key);
    /// `UserCancelled`, `Locked` or `Backend` otherwise, and the core keeps
    /// every piece of data (`key_store_unavailable`).
    fn unwrap(&self, alias: String, wrapped: Vec<u8>) -> Result<Vec<u8>, KeyStoreFailure>;
}

/// The app's key store seen as the core's [`SecureKeyStore`], every call
/// bounded by `timeout`, public keys read as `suite` (the configured device
/// suite).
pub(crate) struct ForeignKeyStore {
    store: Arc<dyn PlatformKeyStore>,
    timeout: Duration,
    suite: Suite,
}

impl ForeignKeyStore {
    pub(crate) fn new(
        store: Arc<dyn PlatformKeyStore>,
        timeout: Duration,
        suite: Suite,
    ) -> ForeignKeyStore {
        ForeignKeyStore {
            store,
            timeout,
            suite,
        }
    }

    /// Calls `method` of the app's store on a thread of its own, waiting
    /// at most the timeout.
    fn call(
        &self,
        method: &str,
        call: impl FnOnce(&dyn PlatformKeyStore) -> Result<Vec<u8>, KeyStoreFailure> + Send + 'static,
    ) -> Result<Vec<u8>, KeyStoreError> {
        let store = self.store.clone();
        answer_within(
            self.timeout,
            method,
            Box::new(move || call(store.as_ref()).map_err(KeyStoreError::from)),
        )
    }
}

impl KeyStore for ForeignKeyStore {
    fn generate_key(&self, alias: &str, suite: Suite) -> Result<PublicKey, KeyStoreError> {
        let alias = alias.to_owned();
        let bytes = self.call("generateKey", move |store| store.generate_key(alias, suite))?;
        public_key_from(&bytes, suite)
    }

    fn public_key(&self, alias: &str) -> Result<PublicKey, KeyStoreError> {
        let alias = alias.to_owned();
        let bytes = self.call("publicKey", move |store| store.public_key(alias))?;
        public_key_from(&bytes, self.suite)
    }

    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        let (alias, message) = (alias.to_owned(), message.to_vec());
        self.call("sign", move |store| store.sign(alias, message))
    }

    fn delete_key(&self, alias: &str) -> Result<(), KeyStoreError> {
        let alias = alias.to_owned();
        self.call("deleteKey", move |store| {
            store.delete_key(alias).map(|()| Vec::new())
        })
        .map(drop)
    }
}

impl SecureKeyStore for ForeignKeyStore {
    fn wrap(&self, alias: &str, secret: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        let (alias, secret) = (alias.to_owned(), secret.to_vec());
        self.call("wrap", move |store| store.wrap(alias, secret))
    }

    fn unwrap(&self, alias: &str, wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        let (alias, wrapped) = (alias.to_owned(), wrapped.to_vec());
        self.call("unwrap", move |store| store.unwrap(alias, wrapped))
    }
}

/// A key store in this process's memory (the core's `MemoryKeyStore`):
/// for previews, demos and tests on machines without a hardware store.
/// Keys are lost when the process ends, and with them the local data.
#[uniffi::export]
pub fn memory_key_store() -> Arc<dyn PlatformKeyStore> {
    Arc::new(CoreKeyStore(ecard_core::MemoryKeyStore::new()))
}

/// A Rust key store offered through the foreign trait.
struct CoreKeyStore<K>(K);

fn failure(error: KeyStoreError) -> KeyStoreFailure {
    match error {
        KeyStoreError::NotFound(alias) => KeyStoreFailure::NotFound { alias },
        KeyStoreError::UnsupportedSuite => KeyStoreFailure::UnsupportedSuite,
        KeyStoreError::UserCancelled => KeyStoreFailure::UserCancelled,
        KeyStoreError::Locked => KeyStoreFailure::Locked,
        KeyStoreError::Backend(reason) => KeyStoreFailure::Backend { reason },
    }
}

impl<K: SecureKeyStore> PlatformKeyStore for CoreKeyStore<K> {
    fn generate_key(&self, alias: String, suite: Suite) -> Result<Vec<u8>, KeyStoreFailure> {
        self.0
            .generate_key(&alias, suite)
            .map(|key| key.as_bytes().to_vec())
            .map_err(failure)
    }

    fn public_key(&self, alias: String) -> Result<Vec<u8>, KeyStoreFailure> {
        self.0
            .public_key(&alias)
            .map(|key| key.as_bytes().to_vec())
            .map_err(failure)
    }

    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, KeyStoreFailure> {
        self.0.sign(&alias, &message).map_err(failure)
    }

    fn delete_key(&self, alias: String) -> Result<(), KeyStoreFailure> {
        self.0.delete_key(&alias).map_err(failure)
    }

    fn wrap(&self, alias: String, secret: Vec<u8>) -> Result<Vec<u8>, KeyStoreFailure> {
        self.0.wrap(&alias, &secret).map_err(failure)
    }

    fn unwrap(&self, alias: String, wrapped: Vec<u8>) -> Result<Vec<u8>, KeyStoreFailure> {
        self.0.unwrap(&alias, &wrapped).map_err(failure)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn the_adapter_round_trips_through_the_trait() {
        let adapter =
            ForeignKeyStore::new(memory_key_store(), Duration::from_secs(5), Suite::EcdsaP256);
        let public = adapter.generate_key("device", Suite::EcdsaP256).unwrap();
        assert_eq!(adapter.public_key("device").unwrap(), public);
        let signature = adapter.sign("device", b"hello").unwrap();
        assert!(public.verify(b"hello", &signature));
        let wrapped = adapter.wrap("data", b"secret").unwrap();
        assert_eq!(adapter.unwrap("data", &wrapped).unwrap(), b"secret");
        assert!(matches!(
            adapter.public_key("missing"),
            Err(KeyStoreError::NotFound(_))
        ));
        let ed = adapter.generate_key("ed", Suite::Ed25519).unwrap();
        assert_eq!(ed.suite(), Suite::Ed25519);
    }

    #[test]
    fn public_keys_are_read_as_the_configured_suite() {
        let store = memory_key_store();
        let sm2 = ForeignKeyStore::new(store.clone(), Duration::from_secs(5), Suite::Sm2);
        let public = sm2.generate_key("device", Suite::Sm2).unwrap();
        assert_eq!(public.suite(), Suite::Sm2);
        assert_eq!(sm2.public_key("device").unwrap(), public);
        assert!(public.verify(b"hello", &sm2.sign("device", b"hello").unwrap()));
        // The same 65 bytes are never taken for a P-256 key.
        let p256 = ForeignKeyStore::new(store, Duration::from_secs(5), Suite::EcdsaP256);
        assert!(p256.public_key("device").is_err());
    }

    #[test]
    fn an_unsupported_suite_crosses_as_itself() {
        assert_eq!(
            KeyStoreError::from(KeyStoreFailure::UnsupportedSuite),
            KeyStoreError::UnsupportedSuite
        );
        assert_eq!(
            failure(KeyStoreError::UnsupportedSuite),
            KeyStoreFailure::UnsupportedSuite
        );
    }
}
