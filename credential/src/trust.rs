//! The trust list: the issuer keys a verifier accepts, by key id.
//!
//! Keys rotate: each entry says when the key may issue (`not_before` ..
//! `not_after`). A credential is accepted when its own start time falls in
//! that window, so credentials from a retired key stay valid until they
//! expire, and a leaked key can be cut off by shortening its window.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::FormatError;
use crate::keys::IssuerKey;
use crate::suite::{PublicKey, Suite};

/// The JSON form of a trust list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustList {
    /// Always `ecard-trust-list`.
    pub format: String,
    /// Increases with every new edition of the list.
    pub sequence: u64,
    /// When this edition was made, Unix seconds.
    pub issued_at: u64,
    /// The trusted issuer keys.
    pub keys: Vec<TrustedKey>,
}

/// One trusted issuer key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustedKey {
    /// The key id as eight hex digits.
    #[serde(with = "hex_key_id")]
    pub key_id: u32,
    /// The suite of the key.
    pub suite: Suite,
    /// The public key, base64url without padding (Ed25519 raw; P-256
    /// uncompressed SEC1).
    pub public_key: String,
    /// The issuing authority, e.g. `CN-360000` for a provincial platform.
    /// Status lists are per issuer.
    pub issuer: String,
    /// First moment the key may issue, Unix seconds.
    pub not_before: u64,
    /// Last moment the key may issue, Unix seconds (exclusive).
    pub not_after: u64,
}

impl TrustedKey {
    /// The entry for an issuer key, valid for issuing in the given window.
    pub fn for_issuer_key(
        key: &IssuerKey,
        issuer: &str,
        not_before: u64,
        not_after: u64,
    ) -> TrustedKey {
        TrustedKey {
            key_id: key.key_id(),
            suite: key.suite(),
            public_key: URL_SAFE_NO_PAD.encode(key.public_key().as_bytes()),
            issuer: issuer.to_owned(),
            not_before,
            not_after,
        }
    }
}

/// Format name of trust lists.
pub const TRUST_LIST_FORMAT: &str = "ecard-trust-list";

impl TrustList {
    /// A list of the given keys.
    pub fn new(sequence: u64, issued_at: u64, keys: Vec<TrustedKey>) -> TrustList {
        TrustList {
            format: TRUST_LIST_FORMAT.to_owned(),
            sequence,
            issued_at,
            keys,
        }
    }

    /// Parses the JSON form.
    pub fn from_json(json: &str) -> Result<TrustList, TrustListError> {
        let list: TrustList =
            serde_json::from_str(json).map_err(|error| TrustListError::Json(error.to_string()))?;
        if list.format != TRUST_LIST_FORMAT {
            return Err(TrustListError::WrongFormat);
        }
        Ok(list)
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Decodes every key, checking ids are unique and points are valid.
    pub(crate) fn index(&self) -> Result<HashMap<u32, IndexedKey>, TrustListError> {
        let mut index = HashMap::with_capacity(self.keys.len());
        for entry in &self.keys {
            let bytes = URL_SAFE_NO_PAD
                .decode(&entry.public_key)
                .map_err(|_| TrustListError::BadKey(entry.key_id))?;
            let public_key = PublicKey::from_bytes(entry.suite, &bytes)
                .map_err(|_: FormatError| TrustListError::BadKey(entry.key_id))?;
            let indexed = IndexedKey {
                public_key,
                issuer: entry.issuer.clone(),
                not_before: entry.not_before,
                not_after: entry.not_after,
            };
            if index.insert(entry.key_id, indexed).is_some() {
                return Err(TrustListError::DuplicateKeyId(entry.key_id));
            }
        }
        Ok(index)
    }
}

/// A trusted key decoded for verification.
#[derive(Clone, Debug)]
pub(crate) struct IndexedKey {
    pub(crate) public_key: PublicKey,
    pub(crate) issuer: String,
    pub(crate) not_before: u64,
    pub(crate) not_after: u64,
}

/// A trust list that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrustListError {
    /// Not JSON of the expected shape.
    #[error("malformed trust list: {0}")]
    Json(String),
    /// The `format` field is not `ecard-trust-list`.
    #[error("not an e-card trust list")]
    WrongFormat,
    /// A key does not decode.
    #[error("key {0:08x} is malformed")]
    BadKey(u32),
    /// Two entries share a key id.
    #[error("key id {0:08x} appears twice")]
    DuplicateKeyId(u32),
}

mod hex_key_id {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(key_id: &u32, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format!("{key_id:08x}"))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.len() != 8 {
            return Err(serde::de::Error::custom("key id must be eight hex digits"));
        }
        u32::from_str_radix(&text, 16).map_err(serde::de::Error::custom)
    }
}
