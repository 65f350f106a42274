//! The trust list: the issuer keys a verifier accepts, by key id.
//!
//! Keys rotate: each entry says when the key may issue (`not_before` ..
//! `not_after`). A credential is accepted when its own start time falls in
//! that window, so credentials from a retired key stay valid until they
//! expire, and a leaked key can be cut off by shortening its window.
//!
//! A terminal takes a list only signed ([`SignedTrustList`]): a JSON
//! envelope around the exact bytes of the list, signed by a provincial
//! **authority key** under its own context string (`ecard-trust-list-v1`),
//! checked against the authority keys the terminal was provisioned with
//! ([`TrustAnchor`]). Each list names the authority keys that may sign the
//! next one, so authority keys rotate with an overlap; a list's `sequence`
//! never goes back. Layout and verification order: `docs/credential-format.md`.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::{FormatError, IssueError, Locale};
use crate::keys::{IssuerKey, SoftwareKey};
use crate::suite::{PublicKey, SIGNATURE_LEN, Suite};

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
    /// The authority keys that may sign the next edition of the list (a
    /// terminal pins them once it installs this one). Empty, and left out
    /// of the JSON, in an unsigned list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authority_keys: Vec<AuthorityKey>,
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
            authority_keys: Vec::new(),
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

/// Format name of signed trust lists.
pub const SIGNED_TRUST_LIST_FORMAT: &str = "ecard-signed-trust-list";

/// The context string a trust-list signature covers first, so it can never
/// pass for a credential, presentation or status-list signature.
pub const TRUST_LIST_CONTEXT: &[u8] = b"ecard-trust-list-v1";

/// How far ahead of the terminal's clock a list's `issued_at` may be.
pub const TRUST_LIST_CLOCK_SKEW_SECONDS: u64 = 300;

/// The domain of authority key ids (see [`AuthorityKey::key_id_of`]).
const AUTHORITY_KEY_ID_CONTEXT: &[u8] = b"ecard-authority-key-id-v1";

/// An authority key: a provincial key that signs trust lists, never
/// credentials or status lists. Pinned in terminals and named in each list
/// for the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorityKey {
    /// The key id as eight hex digits: the first four bytes of
    /// SHA-256(`"ecard-authority-key-id-v1"` ‖ suite id ‖ public key), so a
    /// key is pinned by its public key alone.
    #[serde(with = "hex_key_id")]
    pub key_id: u32,
    /// The suite of the key.
    pub suite: Suite,
    /// The public key, base64url without padding (Ed25519 raw; P-256
    /// uncompressed SEC1).
    pub public_key: String,
    /// First moment the key may sign a list (the list's `issued_at`), Unix
    /// seconds.
    pub not_before: u64,
    /// Last moment the key may sign a list, Unix seconds (exclusive).
    pub not_after: u64,
}

impl AuthorityKey {
    /// The id of an authority public key.
    pub fn key_id_of(public_key: &PublicKey) -> u32 {
        let digest = ring::digest::digest(
            &ring::digest::SHA256,
            &[
                AUTHORITY_KEY_ID_CONTEXT,
                &[public_key.suite().id()],
                public_key.as_bytes(),
            ]
            .concat(),
        );
        let bytes = digest.as_ref();
        u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }

    /// The entry for `public_key`, allowed to sign lists issued in the window.
    pub fn new(public_key: &PublicKey, not_before: u64, not_after: u64) -> AuthorityKey {
        AuthorityKey {
            key_id: AuthorityKey::key_id_of(public_key),
            suite: public_key.suite(),
            public_key: URL_SAFE_NO_PAD.encode(public_key.as_bytes()),
            not_before,
            not_after,
        }
    }

    /// Parses the pinned authority keys a terminal is provisioned with:
    /// one [`AuthorityKey`] as JSON, a JSON array of them, or a bare public
    /// key as base64url, optionally prefixed by its suite (`ed25519:…`,
    /// `p256:…`, `sm2:…`; without a prefix 32 bytes are Ed25519, 33 or 65
    /// bytes P-256, so an SM2 key needs its prefix). A bare key is pinned
    /// without a window.
    pub fn parse_pins(text: &str) -> Result<Vec<AuthorityKey>, TrustListError> {
        let text = text.trim();
        let keys = if text.starts_with('[') {
            serde_json::from_str::<Vec<AuthorityKey>>(text)
                .map_err(|error| TrustListError::Json(error.to_string()))?
        } else if text.starts_with('{') {
            vec![
                serde_json::from_str::<AuthorityKey>(text)
                    .map_err(|error| TrustListError::Json(error.to_string()))?,
            ]
        } else {
            let (suite, encoded) = match text.split_once(':') {
                Some((name, encoded)) => (Some(Suite::from_name(name)), encoded),
                None => (None, text),
            };
            let bad = || TrustListError::BadAuthorityKey(0);
            let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| bad())?;
            let suite = match suite {
                Some(Some(suite)) => suite,
                Some(None) => return Err(bad()),
                None if bytes.len() == 32 => Suite::Ed25519,
                None => Suite::EcdsaP256,
            };
            let public_key = PublicKey::from_bytes(suite, &bytes).map_err(|_| bad())?;
            vec![AuthorityKey::new(&public_key, 0, u64::MAX)]
        };
        for key in &keys {
            key.decode()?;
        }
        Ok(keys)
    }

    /// The public key, checked against the suite and the key id.
    pub fn decode(&self) -> Result<PublicKey, TrustListError> {
        let bad = TrustListError::BadAuthorityKey(self.key_id);
        let bytes = URL_SAFE_NO_PAD
            .decode(&self.public_key)
            .map_err(|_| bad.clone())?;
        let public_key = PublicKey::from_bytes(self.suite, &bytes).map_err(|_| bad.clone())?;
        if AuthorityKey::key_id_of(&public_key) != self.key_id {
            return Err(bad);
        }
        Ok(public_key)
    }

    fn allows(&self, issued_at: u64) -> bool {
        self.not_before <= issued_at && issued_at < self.not_after
    }
}

/// The private half of an authority key: signs trust lists.
#[derive(Debug)]
pub struct TrustAuthority {
    key: SoftwareKey,
    key_id: u32,
}

impl TrustAuthority {
    /// Wraps a key; its id follows from its public key.
    pub fn new(key: SoftwareKey) -> TrustAuthority {
        let key_id = AuthorityKey::key_id_of(key.public_key());
        TrustAuthority { key, key_id }
    }

    /// The key id.
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The public key.
    pub fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// The entry naming this key, allowed to sign lists issued in the window.
    pub fn authority_key(&self, not_before: u64, not_after: u64) -> AuthorityKey {
        AuthorityKey::new(self.key.public_key(), not_before, not_after)
    }

    /// Signs `list`: the envelope holds the exact JSON bytes signed.
    pub fn sign(&self, list: &TrustList) -> Result<SignedTrustList, IssueError> {
        let payload = serde_json::to_vec(list).map_err(|_| IssueError::Key("trust list JSON"))?;
        let signature = self
            .key
            .sign(&[TRUST_LIST_CONTEXT, &payload].concat())
            .map_err(|_| IssueError::Key("authority signing failed"))?;
        Ok(SignedTrustList {
            format: SIGNED_TRUST_LIST_FORMAT.to_owned(),
            payload: URL_SAFE_NO_PAD.encode(&payload),
            authority_key_id: self.key_id,
            suite: self.key.suite(),
            signature: URL_SAFE_NO_PAD.encode(signature),
        })
    }
}

/// A signed trust list as it travels: the JSON envelope around the list's
/// exact bytes. Parsing it believes nothing; [`SignedTrustList::verify`]
/// (or a [`TrustAnchor`]) does the checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTrustList {
    /// Always `ecard-signed-trust-list`.
    pub format: String,
    /// The JSON bytes of the [`TrustList`], base64url without padding.
    pub payload: String,
    /// The id of the authority key that signed, eight hex digits.
    #[serde(with = "hex_key_id")]
    pub authority_key_id: u32,
    /// The suite of the authority key.
    pub suite: Suite,
    /// The signature over `"ecard-trust-list-v1" ‖ payload bytes`,
    /// base64url without padding (64 bytes; P-256 as `r ‖ s`).
    pub signature: String,
}

impl SignedTrustList {
    /// Parses the envelope. An unsigned list is refused as
    /// [`TrustListError::Unsigned`].
    pub fn from_json(json: &str) -> Result<SignedTrustList, TrustListError> {
        #[derive(Deserialize)]
        struct Format {
            format: String,
        }
        let format: Format =
            serde_json::from_str(json).map_err(|error| TrustListError::Json(error.to_string()))?;
        match format.format.as_str() {
            SIGNED_TRUST_LIST_FORMAT => {}
            TRUST_LIST_FORMAT => return Err(TrustListError::Unsigned),
            _ => return Err(TrustListError::WrongFormat),
        }
        serde_json::from_str(json).map_err(|error| TrustListError::Json(error.to_string()))
    }

    /// The JSON form.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The signed bytes (the list's JSON), not yet verified.
    pub fn payload_bytes(&self) -> Result<Vec<u8>, TrustListError> {
        URL_SAFE_NO_PAD
            .decode(&self.payload)
            .map_err(|error| TrustListError::Json(format!("payload: {error}")))
    }

    /// The list inside, **not verified**: for a client that takes the list
    /// over an authenticated channel and pins its authority keys on first
    /// use. Terminals use [`SignedTrustList::verify`].
    pub fn unverified_list(&self) -> Result<TrustList, TrustListError> {
        let payload = self.payload_bytes()?;
        let text = std::str::from_utf8(&payload)
            .map_err(|_| TrustListError::Json("payload is not UTF-8".into()))?;
        TrustList::from_json(text)
    }

    /// Verifies the list against the pinned authority keys and the
    /// installed edition, in the order of `docs/credential-format.md`:
    /// authority key pinned, suite, signature, payload, issue date not in
    /// the future, signing key's window, no rollback, contents.
    pub fn verify(
        &self,
        pinned: &[AuthorityKey],
        installed: Option<&TrustList>,
        now: u64,
    ) -> Result<TrustList, TrustListError> {
        self.verify_with(pinned, installed, 0, now)
    }

    fn verify_with(
        &self,
        pinned: &[AuthorityKey],
        installed: Option<&TrustList>,
        minimum_sequence: u64,
        now: u64,
    ) -> Result<TrustList, TrustListError> {
        if self.format != SIGNED_TRUST_LIST_FORMAT {
            return Err(TrustListError::WrongFormat);
        }
        let authority = pinned
            .iter()
            .find(|key| key.key_id == self.authority_key_id)
            .ok_or(TrustListError::UnknownAuthority(self.authority_key_id))?;
        let public_key = authority.decode()?;
        if self.suite != authority.suite {
            return Err(TrustListError::AuthoritySuiteMismatch);
        }
        let payload = self.payload_bytes()?;
        let signature = URL_SAFE_NO_PAD
            .decode(&self.signature)
            .map_err(|_| TrustListError::BadSignature)?;
        if signature.len() != SIGNATURE_LEN
            || !public_key.verify(&[TRUST_LIST_CONTEXT, &payload].concat(), &signature)
        {
            return Err(TrustListError::BadSignature);
        }
        let text = std::str::from_utf8(&payload)
            .map_err(|_| TrustListError::Json("payload is not UTF-8".into()))?;
        let list = TrustList::from_json(text)?;
        if list.issued_at > now.saturating_add(TRUST_LIST_CLOCK_SKEW_SECONDS) {
            return Err(TrustListError::FromFuture);
        }
        if !authority.allows(list.issued_at) {
            return Err(TrustListError::AuthorityKeyNotValid);
        }
        let rollback = |installed: u64| TrustListError::Rollback {
            installed,
            offered: list.sequence,
        };
        if list.sequence < minimum_sequence {
            return Err(rollback(minimum_sequence));
        }
        if let Some(installed) = installed {
            let same_edition = list.sequence == installed.sequence && &list == installed;
            if !same_edition
                && (list.sequence <= installed.sequence || list.issued_at < installed.issued_at)
            {
                return Err(rollback(installed.sequence));
            }
        }
        list.index()?;
        if list.authority_keys.is_empty() {
            return Err(TrustListError::NoAuthorityKeys);
        }
        let mut ids = std::collections::HashSet::new();
        for key in &list.authority_keys {
            key.decode()?;
            if !ids.insert(key.key_id) {
                return Err(TrustListError::DuplicateKeyId(key.key_id));
            }
        }
        Ok(list)
    }
}

/// A terminal's trust state: the pinned authority keys, an optional
/// minimum sequence, and the installed list. Installing a list pins the
/// authority keys it names, so an authority key is retired by a list that
/// no longer names it. Serialisable, so a terminal can keep it on disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustAnchor {
    pinned: Vec<AuthorityKey>,
    minimum_sequence: u64,
    installed: Option<TrustList>,
}

impl TrustAnchor {
    /// A terminal provisioned with `pinned` authority keys.
    pub fn new(pinned: Vec<AuthorityKey>) -> TrustAnchor {
        TrustAnchor {
            pinned,
            minimum_sequence: 0,
            installed: None,
        }
    }

    /// Refuses lists with a lower sequence even before one is installed.
    pub fn with_minimum_sequence(mut self, sequence: u64) -> TrustAnchor {
        self.minimum_sequence = sequence;
        self
    }

    /// The authority keys that may sign the next list.
    pub fn pinned(&self) -> &[AuthorityKey] {
        &self.pinned
    }

    /// The installed list.
    pub fn trust_list(&self) -> Option<&TrustList> {
        self.installed.as_ref()
    }

    /// Verifies `signed` without installing it.
    pub fn check(&self, signed: &SignedTrustList, now: u64) -> Result<TrustList, TrustListError> {
        signed.verify_with(
            &self.pinned,
            self.installed.as_ref(),
            self.minimum_sequence,
            now,
        )
    }

    /// Verifies and installs `signed`; from then on the authority keys it
    /// names are the pinned ones.
    pub fn install(
        &mut self,
        signed: &SignedTrustList,
        now: u64,
    ) -> Result<&TrustList, TrustListError> {
        let list = self.check(signed, now)?;
        self.pinned = list.authority_keys.clone();
        Ok(self.installed.insert(list))
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
    /// The `format` field is not `ecard-trust-list` (or, for a signed list,
    /// `ecard-signed-trust-list`).
    #[error("not an e-card trust list")]
    WrongFormat,
    /// A key does not decode.
    #[error("key {0:08x} is malformed")]
    BadKey(u32),
    /// Two entries share a key id.
    #[error("key id {0:08x} appears twice")]
    DuplicateKeyId(u32),
    /// A plain, unsigned list where a signed one is required.
    #[error("the trust list is not signed")]
    Unsigned,
    /// Signed by an authority key the terminal does not pin.
    #[error("authority key {0:08x} is not pinned")]
    UnknownAuthority(u32),
    /// The envelope declares another suite than the pinned authority key's.
    #[error("the trust list's suite does not match the authority key")]
    AuthoritySuiteMismatch,
    /// The authority signature does not verify.
    #[error("the trust list signature is invalid")]
    BadSignature,
    /// The authority key was not allowed to sign at the list's `issued_at`.
    #[error("the authority key was not valid when the list was issued")]
    AuthorityKeyNotValid,
    /// The list is dated further ahead than the clock skew allows.
    #[error("the trust list is dated in the future")]
    FromFuture,
    /// An older edition than the installed one (or the provisioned
    /// minimum), the same sequence with other content, or a later sequence
    /// dated before the installed edition.
    #[error("trust list {offered} would roll back edition {installed}")]
    Rollback {
        /// The installed sequence (or the provisioned minimum).
        installed: u64,
        /// The sequence of the refused list.
        offered: u64,
    },
    /// A signed list names no authority key for its successor.
    #[error("the trust list names no authority key")]
    NoAuthorityKeys,
    /// An authority key does not decode or its id is not its fingerprint.
    #[error("authority key {0:08x} is malformed")]
    BadAuthorityKey(u32),
}

impl TrustListError {
    /// The stable code of this error.
    pub const fn code(&self) -> &'static str {
        match self {
            TrustListError::Json(_) => "malformed_trust_list",
            TrustListError::WrongFormat => "wrong_trust_list_format",
            TrustListError::BadKey(_) => "bad_trust_list_key",
            TrustListError::DuplicateKeyId(_) => "duplicate_key_id",
            TrustListError::Unsigned => "unsigned_trust_list",
            TrustListError::UnknownAuthority(_) => "unknown_authority_key",
            TrustListError::AuthoritySuiteMismatch => "authority_suite_mismatch",
            TrustListError::BadSignature => "bad_trust_list_signature",
            TrustListError::AuthorityKeyNotValid => "authority_key_not_valid",
            TrustListError::FromFuture => "trust_list_from_future",
            TrustListError::Rollback { .. } => "trust_list_rollback",
            TrustListError::NoAuthorityKeys => "no_authority_keys",
            TrustListError::BadAuthorityKey(_) => "bad_authority_key",
        }
    }

    /// A plain-language message for the terminal's operator.
    pub const fn message(&self, locale: Locale) -> &'static str {
        match self {
            TrustListError::Json(_)
            | TrustListError::WrongFormat
            | TrustListError::BadKey(_)
            | TrustListError::DuplicateKeyId(_)
            | TrustListError::NoAuthorityKeys
            | TrustListError::BadAuthorityKey(_) => locale.pick(
                "信任列表文件已损坏或格式不对，请从省级平台重新下载。",
                "The trust list is damaged or in the wrong format. Download it again from the provincial platform.",
            ),
            TrustListError::Unsigned => locale.pick(
                "信任列表未签名，不能使用。请使用省级平台签发的信任列表。",
                "The trust list is not signed and cannot be used. Use the list signed by the provincial platform.",
            ),
            TrustListError::UnknownAuthority(_) | TrustListError::AuthoritySuiteMismatch => locale
                .pick(
                    "信任列表不是由本设备信任的省级平台签发的，请联系运维人员。",
                    "The trust list was not signed by a provincial authority this device trusts. Contact support.",
                ),
            TrustListError::BadSignature => locale.pick(
                "信任列表签名无效，可能被篡改，请从省级平台重新下载。",
                "The trust list signature is invalid; it may have been tampered with. Download it again from the provincial platform.",
            ),
            TrustListError::AuthorityKeyNotValid => locale.pick(
                "签发信任列表的平台密钥已停用，请从省级平台下载最新的信任列表。",
                "The key that signed the trust list is retired. Download the latest list from the provincial platform.",
            ),
            TrustListError::FromFuture => locale.pick(
                "信任列表的日期晚于本设备时间，请检查设备时钟。",
                "The trust list is dated after this device's clock. Check the device's time.",
            ),
            TrustListError::Rollback { .. } => locale.pick(
                "此信任列表比已安装的版本旧，不能替换。",
                "This trust list is older than the installed one and cannot replace it.",
            ),
        }
    }
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
