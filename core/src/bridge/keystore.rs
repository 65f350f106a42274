//! What both bindings need around the app's key store: public keys read
//! once, and every call bounded in time.
//!
//! Why a timeout: the app's key store may wait for a fingerprint prompt,
//! and a broken implementation (a Promise that never settles, a callback
//! that never returns) would otherwise hang the core's thread, and with it
//! the call the person is waiting for, forever. With a bound, one operation
//! fails as a key-store error and the app stays usable. The bound is the
//! configuration's `key_store_timeout_seconds` ([`super::BindingConfig`]).

use std::sync::mpsc;
use std::time::Duration;

use ecard_credential::{KeyStoreError, PublicKey, Suite};

/// How long the core waits for one key-store answer by default (a
/// fingerprint prompt included).
pub const DEFAULT_KEY_STORE_TIMEOUT: Duration = Duration::from_secs(120);

/// Reads a public key of `suite` as key stores export it:
/// SubjectPublicKeyInfo DER, a SEC1 point (P-256, SM2) or 32 raw bytes
/// (Ed25519).
///
/// The suite is always given, never guessed from the length: a 65-byte
/// uncompressed point may be P-256 or SM2, and reading one as the other
/// would be suite confusion. The adapters pass the suite they asked the
/// store for (`generate_key`), and for the `public_key` answer the client's
/// configured device suite ([`crate::ClientConfig::device_suite`]): a key
/// of another suite then reads as unreadable, and the core makes a new key
/// of the configured suite.
pub fn public_key_from(bytes: &[u8], suite: Suite) -> Result<PublicKey, KeyStoreError> {
    PublicKey::from_bytes(suite, bytes).map_err(|error| {
        KeyStoreError::Backend(format!(
            "the key store returned an unreadable {} public key: {error}",
            suite.name()
        ))
    })
}

/// Why a call into the app gave no answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unanswered {
    /// Not within the time allowed.
    TimedOut,
    /// The answer channel was dropped (the app's side went away).
    Dropped,
}

impl Unanswered {
    /// The key-store error of an unanswered call of `method`.
    pub fn into_error(self, method: &str, timeout: Duration) -> KeyStoreError {
        KeyStoreError::Backend(match self {
            Unanswered::TimedOut => format!(
                "keyStore.{method} did not answer within {} s",
                timeout.as_secs_f64()
            ),
            Unanswered::Dropped => format!("keyStore.{method} was dropped without an answer"),
        })
    }
}

/// Waits for the answer of a call made into the app from a library thread.
/// On a multi-thread tokio runtime the wait is marked as blocking, so the
/// runtime moves other tasks off this thread meanwhile.
pub fn wait_for_answer<T>(
    receiver: &mpsc::Receiver<T>,
    timeout: Duration,
) -> Result<T, Unanswered> {
    let wait = || receiver.recv_timeout(timeout);
    super::runtime::blocking_foreign(wait).map_err(|error| match error {
        mpsc::RecvTimeoutError::Timeout => Unanswered::TimedOut,
        mpsc::RecvTimeoutError::Disconnected => Unanswered::Dropped,
    })
}

/// One blocking key-store call, answering bytes (nothing is an empty
/// answer). Boxed: one copy of the thread plumbing serves every method.
pub type KeyStoreCall = Box<dyn FnOnce() -> Result<Vec<u8>, KeyStoreError> + Send>;

/// Runs a blocking key-store call on a thread of its own and waits for it
/// at most `timeout`: past that the caller gets a key-store error and the
/// call is left to finish (or not) on its thread.
pub fn answer_within(
    timeout: Duration,
    method: &str,
    call: KeyStoreCall,
) -> Result<Vec<u8>, KeyStoreError> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("ecard-key-store".into())
        .spawn(move || {
            let _ = sender.send(call());
        })
        .map_err(|error| KeyStoreError::Backend(format!("no thread for the key store: {error}")))?;
    wait_for_answer(&receiver, timeout)
        .unwrap_or_else(|unanswered| Err(unanswered.into_error(method, timeout)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use ecard_credential::{KeyStore, SoftwareKeyStore};

    use super::*;

    #[test]
    fn public_keys_are_read_as_the_suite_given_never_by_length() {
        let store = SoftwareKeyStore::new();
        let p256 = store.generate_key("a", Suite::EcdsaP256).unwrap();
        let ed = store.generate_key("b", Suite::Ed25519).unwrap();
        let sm2 = store.generate_key("c", Suite::Sm2).unwrap();
        assert_eq!(p256.as_bytes().len(), sm2.as_bytes().len());
        assert_eq!(
            public_key_from(p256.as_bytes(), Suite::EcdsaP256).unwrap(),
            p256
        );
        assert_eq!(public_key_from(ed.as_bytes(), Suite::Ed25519).unwrap(), ed);
        assert_eq!(public_key_from(sm2.as_bytes(), Suite::Sm2).unwrap(), sm2);
        assert_eq!(public_key_from(&sm2.to_wire(), Suite::Sm2).unwrap(), sm2);
        assert!(public_key_from(&[1, 2, 3], Suite::EcdsaP256).is_err());
        assert!(public_key_from(ed.as_bytes(), Suite::EcdsaP256).is_err());
        // Two 65-byte points of different curves: each is refused as the
        // other suite, so neither is ever taken for the other.
        assert!(public_key_from(sm2.as_bytes(), Suite::EcdsaP256).is_err());
        assert!(public_key_from(p256.as_bytes(), Suite::Sm2).is_err());
    }

    #[test]
    fn a_call_that_never_answers_fails_after_the_timeout() {
        let started = std::time::Instant::now();
        let error = answer_within(
            Duration::from_millis(50),
            "sign",
            Box::new(|| {
                std::thread::sleep(Duration::from_secs(2));
                Ok(Vec::new())
            }),
        )
        .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(
            matches!(error, KeyStoreError::Backend(ref reason) if reason.contains("keyStore.sign did not answer"))
        );
        let answer = answer_within(Duration::from_secs(5), "sign", Box::new(|| Ok(vec![7])));
        assert_eq!(answer.unwrap(), vec![7]);
    }
}
