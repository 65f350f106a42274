//! Device keys remembered in memory, so a request's signature is checked
//! before it takes a database connection.
//!
//! Checking a signature costs a core about 0.1 ms. Inside the transaction
//! it would hold the connection (SQLite has one) while no database work is
//! done, and every request behind it would wait; before it, requests check
//! their signatures on other cores side by side. The memory is only a hint:
//! the transaction still reads the device (it may have been revoked, or a
//! key may have been replaced) and accepts the early check only when the
//! key it was made with is the key the database holds now; otherwise the
//! signature is checked again there. A stale entry costs a second check,
//! never a wrong answer.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use ecard_credential::PublicKey;

/// Devices remembered before the memory starts over: at about 200 bytes
/// each, at most a few megabytes.
const DEVICES_KEPT: usize = 20_000;

/// A device's key as the database held it when last read.
#[derive(Clone)]
pub(crate) struct KnownKey {
    /// The suite's name, as stored.
    pub(crate) suite: String,
    /// The key's bytes, as stored.
    pub(crate) public_key: Vec<u8>,
    /// The same key, parsed.
    pub(crate) key: PublicKey,
}

impl KnownKey {
    /// `key` as `devices::add` stores it.
    pub(crate) fn as_stored(key: &PublicKey) -> KnownKey {
        KnownKey {
            suite: key.suite().name().to_owned(),
            public_key: key.as_bytes().to_vec(),
            key: key.clone(),
        }
    }

    /// Whether this is the key the database holds for `signer` now.
    pub(crate) fn is_key_of(&self, signer: &crate::domain::devices::Signer) -> bool {
        self.public_key == signer.public_key && self.suite == signer.suite
    }
}

/// The keys of devices seen lately, by device id.
#[derive(Default)]
pub(crate) struct DeviceKeys {
    known: Mutex<HashMap<String, KnownKey>>,
}

impl DeviceKeys {
    /// The key last read for `device_id`, if it is remembered.
    pub(crate) fn get(&self, device_id: &str) -> Option<KnownKey> {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(device_id)
            .cloned()
    }

    /// Remembers the key the database holds for `device_id`. When the
    /// memory is full it starts over: the devices that sign again are
    /// remembered again at their next request.
    pub(crate) fn remember(&self, device_id: &str, key: KnownKey) {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if known.len() >= DEVICES_KEPT && !known.contains_key(device_id) {
            known.clear();
        }
        known.insert(device_id.to_owned(), key);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use ecard_credential::Suite;

    fn known() -> KnownKey {
        let public_key = vec![7u8; 32];
        KnownKey {
            suite: "ed25519".to_owned(),
            key: PublicKey::from_bytes(Suite::Ed25519, &public_key).unwrap(),
            public_key,
        }
    }

    #[test]
    fn a_full_memory_starts_over_and_never_grows_past_its_bound() {
        let keys = DeviceKeys::default();
        for index in 0..DEVICES_KEPT + 5 {
            keys.remember(&format!("dev-{index}"), known());
        }
        let remembered = keys.known.lock().unwrap().len();
        assert_eq!(remembered, 5, "started over once full");
        assert!(keys.get(&format!("dev-{}", DEVICES_KEPT + 4)).is_some());
        assert!(keys.get("dev-0").is_none());
    }
}
