//! Offline verification at a terminal.
//!
//! Checks run in a fixed order, and the first failure is the result (the
//! order is part of the format so every implementation reports the same
//! error for the same code): structure → trust (key id, suite, issuing
//! window) → issuer signature → device signature → credential validity →
//! code time → purpose → on-behalf policy → school affiliation (campus
//! codes at a school's terminal) → status → replay.
//!
//! A bounded cache makes the common case fast: verified credentials are
//! kept by the SHA-256 of their bytes until they expire or are revoked, so a
//! phone showing a fresh code every minute costs one device-signature check.
//! The replay defence ([`crate::replay`]) remembers, per credential, the
//! counters it accepted for as long as those codes could pass the time
//! check; other credentials' codes cannot push it out.
//!
//! Revocation is judged by status lists, and by default a code whose
//! status cannot be known is refused ([`StatusPolicy`]). A status list is
//! held to its signing key's issuing window, a bounded validity and a
//! bounded sequence jump, so neither a retired key nor an inflated sequence
//! can bring a revoked card back or lock out the genuine lists.
//!
//! The verifier does no I/O: [`Verifier::state`] and [`Verifier::restore`]
//! hand its state to whoever keeps it across restarts (the `ecard-terminal`
//! crate writes it to a file).

use std::collections::HashMap;
use std::num::NonZeroUsize;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lru::LruCache;
use ring::digest::{SHA256, digest};
use serde::{Deserialize, Serialize};

use crate::claims::{
    Affiliation, ConcessionClass, Handle, HolderRole, Purpose, PurposeSet, RegionCode,
};
use crate::credential::CredentialClaims;
use crate::error::{FormatError, Locale, VerifyError};
use crate::presentation::Presentation;
use crate::replay::{ReplayEntry, ReplayGuard, Seen};
use crate::status::{SignedStatusList, StatusList};
use crate::status_delta::{DeltaApplyError, SignedStatusDelta};
use crate::suite::PublicKey;
use crate::trust::{IndexedKey, TrustList, TrustListError};

/// Which purposes accept codes shown on someone else's behalf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OnBehalfPolicy {
    /// Purposes that accept a family proxy's code (亲情代办).
    pub proxy: PurposeSet,
    /// Purposes that accept a guardian's code for a minor.
    pub guardian: PurposeSet,
}

impl Default for OnBehalfPolicy {
    /// A proxy may fetch medicine or accompany a relative into a scenic spot,
    /// but may not ride a bus or prove identity on the holder's code. A
    /// guardian shows a child's code anywhere the child is present.
    fn default() -> OnBehalfPolicy {
        OnBehalfPolicy {
            proxy: PurposeSet::of(&[Purpose::Medical, Purpose::CultureTourism]),
            guardian: PurposeSet::of(&Purpose::ALL),
        }
    }
}

/// What a terminal does about revocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusPolicy {
    /// Refuse a code unless a current status list of its issuer covers it
    /// and was issued no more than `max_age_seconds` ago. The default.
    Required {
        /// Oldest status list (by its issue time) a verdict may rest on.
        max_age_seconds: u64,
    },
    /// Check against a current list when one is installed; accept the code
    /// unchecked otherwise. An explicit choice of the operator (a terminal
    /// that cannot refresh its lists and would rather let residents pass).
    BestEffort,
}

/// Default oldest status list a gate relies on: one day, the platform's
/// edition validity.
pub const DEFAULT_STATUS_MAX_AGE_SECONDS: u64 = 24 * 3_600;

/// Default longest validity a status list may claim from its issue time.
pub const DEFAULT_MAX_STATUS_LIST_VALIDITY_SECONDS: u64 = 48 * 3_600;

/// Editions a status list may skip on top of one per second since the
/// installed edition was issued (bursts of re-signing).
pub const STATUS_SEQUENCE_BURST: u64 = 1_000;

/// How a terminal verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifierPolicy {
    /// The purposes this terminal serves.
    pub accepted_purposes: PurposeSet,
    /// Tolerated difference between the phone's and the terminal's clocks.
    pub clock_skew_seconds: u64,
    /// How long a code stays valid after it is made.
    pub code_lifetime_seconds: u64,
    /// Who may present for whom.
    pub on_behalf: OnBehalfPolicy,
    /// Whether a code needs a current status list to pass.
    pub status: StatusPolicy,
    /// Longest validity (`valid_until - issued_at`) a status list may claim.
    pub max_status_list_validity_seconds: u64,
    /// Most verified credentials remembered.
    pub credential_cache_capacity: usize,
    /// Most decoded device keys remembered (a phone's new credentials skip
    /// decoding its key again).
    pub device_key_cache_capacity: usize,
    /// The school this terminal belongs to: when set, a campus code (campus
    /// entry, library) passes only with this affiliation
    /// (`wrong_affiliation` otherwise, also for a code with none). `None`
    /// (the default) checks no affiliation.
    pub affiliation: Option<Affiliation>,
}

impl VerifierPolicy {
    /// Defaults for a terminal serving `purposes`: 60 s codes, 30 s clock
    /// skew, a status list no older than a day required, status lists valid
    /// for at most two days, credential and device-key caches of 65,536
    /// entries.
    pub fn for_purposes(purposes: &[Purpose]) -> VerifierPolicy {
        VerifierPolicy {
            accepted_purposes: PurposeSet::of(purposes),
            clock_skew_seconds: 30,
            code_lifetime_seconds: 60,
            on_behalf: OnBehalfPolicy::default(),
            status: StatusPolicy::Required {
                max_age_seconds: DEFAULT_STATUS_MAX_AGE_SECONDS,
            },
            max_status_list_validity_seconds: DEFAULT_MAX_STATUS_LIST_VALIDITY_SECONDS,
            credential_cache_capacity: 65_536,
            device_key_cache_capacity: 65_536,
            affiliation: None,
        }
    }

    /// The same policy for a terminal of the school `affiliation`: campus
    /// codes of other schools, or of none, are refused.
    pub fn for_school(mut self, affiliation: Affiliation) -> VerifierPolicy {
        self.affiliation = Some(affiliation);
        self
    }

    /// The same policy with status checked only where a list is at hand.
    pub fn best_effort_status(mut self) -> VerifierPolicy {
        self.status = StatusPolicy::BestEffort;
        self
    }
}

/// What a terminal learns from a valid code: only what its purpose needs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "purpose", rename_all = "snake_case")]
pub enum Disclosure {
    /// A transport gate learns the concession class.
    Transport {
        /// Fare class.
        concession: ConcessionClass,
    },
    /// A medical terminal learns the handle (resolved online to the insured
    /// person) and the insured region.
    Medical {
        /// Pseudonymous handle.
        handle: Handle,
        /// Insured region, when the credential carries it.
        region: Option<RegionCode>,
    },
    /// An identity counter learns the handle (resolved online) and region.
    Identity {
        /// Pseudonymous handle.
        handle: Handle,
        /// Issuing region, when the credential carries it.
        region: Option<RegionCode>,
    },
    /// A library, museum or scenic spot learns the concession class.
    CultureTourism {
        /// Admission class.
        concession: ConcessionClass,
    },
    /// A school gate learns the concession class and the school the holder
    /// is enrolled at, nothing that identifies the holder.
    CampusEntry {
        /// Concession class (a student's is `student`).
        concession: ConcessionClass,
        /// The school, when the credential carries it.
        affiliation: Option<Affiliation>,
    },
    /// A school library learns the handle (resolved online at the desk to a
    /// per-library pseudonym), the concession class and the school.
    Library {
        /// Pseudonymous handle.
        handle: Handle,
        /// Concession class.
        concession: ConcessionClass,
        /// The school, when the credential carries it.
        affiliation: Option<Affiliation>,
    },
    /// An education examination (教育考试) learns the handle (resolved
    /// online) and region.
    EducationExam {
        /// Pseudonymous handle.
        handle: Handle,
        /// Region, when the credential carries it.
        region: Option<RegionCode>,
    },
    /// A personnel examination (人事考试) learns the handle (resolved
    /// online) and region.
    PersonnelExam {
        /// Pseudonymous handle.
        handle: Handle,
        /// Region, when the credential carries it.
        region: Option<RegionCode>,
    },
}

impl Disclosure {
    fn for_purpose(purpose: Purpose, claims: &CredentialClaims) -> Disclosure {
        match purpose {
            Purpose::Transport => Disclosure::Transport {
                concession: claims.concession,
            },
            Purpose::Medical => Disclosure::Medical {
                handle: claims.handle,
                region: claims.region,
            },
            Purpose::Identity => Disclosure::Identity {
                handle: claims.handle,
                region: claims.region,
            },
            Purpose::CultureTourism => Disclosure::CultureTourism {
                concession: claims.concession,
            },
            Purpose::CampusEntry => Disclosure::CampusEntry {
                concession: claims.concession,
                affiliation: claims.affiliation,
            },
            Purpose::Library => Disclosure::Library {
                handle: claims.handle,
                concession: claims.concession,
                affiliation: claims.affiliation,
            },
            Purpose::EducationExam => Disclosure::EducationExam {
                handle: claims.handle,
                region: claims.region,
            },
            Purpose::PersonnelExam => Disclosure::PersonnelExam {
                handle: claims.handle,
                region: claims.region,
            },
        }
    }
}

/// Whether revocation was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusCheck {
    /// Checked against the status list of this sequence number.
    Checked {
        /// The list edition used.
        sequence: u32,
    },
    /// No current list covered the credential and the policy allowed it.
    Unchecked,
}

/// An accepted code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedPresentation {
    /// The purpose of the code.
    pub purpose: Purpose,
    /// What the terminal may know.
    pub disclosure: Disclosure,
    /// Whether a proxy or guardian presented it.
    pub on_behalf: HolderRole,
    /// When the code was made, Unix seconds.
    pub issued_at: u64,
    /// The device counter.
    pub counter: u32,
    /// When the credential expires, Unix seconds.
    pub credential_not_after: u64,
    /// The issuing authority.
    pub issuer: String,
    /// Whether revocation was checked.
    pub status: StatusCheck,
    /// Whether the credential came from the verified-credential cache.
    pub credential_cached: bool,
}

/// A status list that could not be installed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    /// Issued outside its signing key's issuing window (a retired or a
    /// future key).
    #[error("the status list's signing key was not valid when the list was issued")]
    KeyNotValid,
    /// Dated later than the terminal's clock allows.
    #[error("the status list is dated in the future")]
    FromFuture,
    /// Claims a longer validity than the policy allows.
    #[error("the status list claims too long a validity")]
    ValidityTooLong,
    /// Jumps further ahead of the installed edition than time allows.
    #[error("the status list's sequence jumps too far ahead")]
    SequenceJump,
    /// A delta whose base edition is not installed: fetch the full list.
    #[error("the status delta's base edition is not installed")]
    DeltaBaseMissing,
    /// A delta that would make its base list shorter (lists only grow).
    #[error("the status delta would shrink the list")]
    DeltaShrinks,
    /// Malformed bytes.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// Signed by a key the trust list does not hold.
    #[error("status list signed by unknown key {0:08x}")]
    UnknownKeyId(u32),
    /// The suite does not match the trusted key.
    #[error("status list suite does not match the trusted key")]
    SuiteMismatch,
    /// The signature does not verify.
    #[error("status list signature is invalid")]
    BadSignature,
    /// Older than the installed edition (a rollback).
    #[error("status list is older than the installed one")]
    Rollback,
    /// Already past its `valid_until`.
    #[error("status list is stale")]
    Stale,
}

impl StatusListError {
    /// The stable code of this error.
    pub const fn code(&self) -> &'static str {
        match self {
            StatusListError::KeyNotValid => "status_list_key_not_valid",
            StatusListError::FromFuture => "status_list_from_future",
            StatusListError::ValidityTooLong => "status_list_validity_too_long",
            StatusListError::SequenceJump => "status_list_sequence_jump",
            StatusListError::DeltaBaseMissing => "status_delta_base_missing",
            StatusListError::DeltaShrinks => "status_delta_shrinks",
            StatusListError::Format(_) => "status_list_malformed",
            StatusListError::UnknownKeyId(_) => "status_list_unknown_key",
            StatusListError::SuiteMismatch => "status_list_suite_mismatch",
            StatusListError::BadSignature => "status_list_bad_signature",
            StatusListError::Rollback => "status_list_rollback",
            StatusListError::Stale => "status_list_stale",
        }
    }

    /// A plain-language message for the terminal's operator.
    pub const fn message(&self, locale: Locale) -> &'static str {
        match self {
            StatusListError::Rollback => locale.pick(
                "卡状态名单比已安装的旧，未安装。",
                "This card-status list is older than the one installed; it was not installed.",
            ),
            StatusListError::Stale => locale.pick(
                "卡状态名单已过期，请联网获取最新名单。",
                "This card-status list has expired. Go online to fetch the current one.",
            ),
            StatusListError::FromFuture => locale.pick(
                "卡状态名单的时间晚于本机时间，请检查验码设备的时钟。",
                "This card-status list is dated after this device's clock. Check the scanner's clock.",
            ),
            _ => locale.pick(
                "卡状态名单未通过验证，未安装。请从发卡机构重新获取。",
                "This card-status list failed verification and was not installed. Fetch it again from the card issuer.",
            ),
        }
    }
}

/// One accepted code, as a terminal reports it to its operator's platform
/// so codes accepted at two terminals can be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    /// The credential.
    pub handle: Handle,
    /// The code's counter.
    pub counter: u32,
    /// What the code was for.
    pub purpose: Purpose,
    /// When the code was made (Unix seconds).
    pub issued_at: u64,
    /// When this terminal accepted it (Unix seconds).
    pub accepted_at: u64,
}

/// What a verifier keeps across restarts: the status lists it installed
/// (as signed, re-verified on restore) and its replay defence.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifierState {
    /// Installed status lists, signed bytes in base64url.
    pub status_lists: Vec<String>,
    /// Deltas applied to them since, in order, signed bytes in base64url.
    #[serde(default)]
    pub status_deltas: Vec<String>,
    /// Accepted counters of the credentials whose codes may still pass.
    pub replay: Vec<ReplayEntry>,
    /// Accepted codes not yet taken for the operator's clearing
    /// ([`Verifier::take_acceptances`]), so a restart does not lose them.
    #[serde(default)]
    pub acceptances: Vec<Acceptance>,
    /// Codes made up to this time (plus the clock skew) are refused: the
    /// terminal restarted without its last accepts (see
    /// [`Verifier::refuse_codes_made_before`]).
    #[serde(default)]
    pub refuse_codes_made_before: Option<u64>,
}

/// A state that could not be restored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// The trust list cannot be used.
    #[error(transparent)]
    Trust(#[from] TrustListError),
    /// A saved status list is not base64url.
    #[error("a saved status list is not base64url")]
    BadEncoding,
    /// A saved status list no longer installs (other than by going stale).
    #[error(transparent)]
    StatusList(#[from] StatusListError),
}

struct CachedCredential {
    claims: CredentialClaims,
    device_key: PublicKey,
    issuer: String,
}

/// Verified credentials by SHA-256 of their bytes, bounded: once full the
/// least recently used entry makes room, in constant time. Expired
/// credentials are never used again, so they are the first to go.
struct CredentialCache {
    /// `None` when the policy turns the cache off (capacity 0).
    entries: Option<LruCache<[u8; 32], CachedCredential>>,
}

impl CredentialCache {
    fn with_capacity(capacity: usize) -> CredentialCache {
        CredentialCache {
            entries: NonZeroUsize::new(capacity).map(LruCache::new),
        }
    }

    /// The cached entry, if still within its validity at `now`.
    fn get(&mut self, key: &[u8; 32], now: u64) -> Option<&CachedCredential> {
        let entries = self.entries.as_mut()?;
        if entries
            .peek(key)
            .is_some_and(|cached| cached.claims.not_after() <= now)
        {
            entries.pop(key);
            return None;
        }
        entries.get(key)
    }

    fn insert(&mut self, key: [u8; 32], entry: CachedCredential) {
        if let Some(entries) = self.entries.as_mut() {
            entries.put(key, entry);
        }
    }

    fn remove_where(&mut self, mut drop: impl FnMut(&CachedCredential) -> bool) {
        let Some(entries) = self.entries.as_mut() else {
            return;
        };
        let doomed: Vec<[u8; 32]> = entries
            .iter()
            .filter(|(_, cached)| drop(cached))
            .map(|(key, _)| *key)
            .collect();
        for key in doomed {
            entries.pop(&key);
        }
    }
}

/// An offline verifier: trust list, status lists, policy and caches.
///
/// Not thread-safe by design (`&mut self`): a terminal verifies one code at
/// a time; run one verifier per scanning thread if needed.
pub struct Verifier {
    trust: HashMap<u32, IndexedKey>,
    policy: VerifierPolicy,
    status_lists: HashMap<String, HashMap<u8, InstalledList>>,
    credentials: CredentialCache,
    replay: ReplayGuard,
    refuse_codes_made_before: Option<u64>,
    acceptances: Vec<Acceptance>,
    device_keys: DeviceKeyCache,
}

/// Decoded device keys by their compact wire form. A phone keeps its key
/// across credentials (every refresh, every disclosure group), so a
/// terminal that has seen the phone skips decompressing a P-256 point
/// (about a tenth of a first scan) for its new credentials.
struct DeviceKeyCache {
    entries: Option<LruCache<Vec<u8>, PublicKey>>,
}

impl DeviceKeyCache {
    fn with_capacity(capacity: usize) -> DeviceKeyCache {
        DeviceKeyCache {
            entries: NonZeroUsize::new(capacity).map(LruCache::new),
        }
    }

    fn decode(
        &mut self,
        credential: &crate::credential::Credential,
    ) -> Result<PublicKey, FormatError> {
        let Some(entries) = self.entries.as_mut() else {
            return credential.device_key();
        };
        let wire = credential.device_key_wire();
        if let Some(key) = entries.get(wire)
            && key.suite() == credential.device_suite
        {
            return Ok(key.clone());
        }
        let key = credential.device_key()?;
        entries.put(wire.to_vec(), key.clone());
        Ok(key)
    }
}

/// A status list as installed, with the signed full edition and the
/// deltas applied to it since, for the state file.
struct InstalledList {
    list: StatusList,
    signed: Vec<u8>,
    deltas: Vec<Vec<u8>>,
}

impl Verifier {
    /// A verifier trusting `trust_list` under `policy`.
    pub fn new(trust_list: &TrustList, policy: VerifierPolicy) -> Result<Verifier, TrustListError> {
        Ok(Verifier {
            trust: trust_list.index()?,
            policy,
            status_lists: HashMap::new(),
            credentials: CredentialCache::with_capacity(policy.credential_cache_capacity),
            replay: ReplayGuard::default(),
            refuse_codes_made_before: None,
            acceptances: Vec::new(),
            device_keys: DeviceKeyCache::with_capacity(policy.device_key_cache_capacity),
        })
    }

    /// A verifier trusting `trust_list` under `policy`, with the state a
    /// previous one saved ([`Verifier::state`]). Saved status lists are
    /// verified again; one that went stale meanwhile is dropped.
    pub fn restore(
        trust_list: &TrustList,
        policy: VerifierPolicy,
        state: &VerifierState,
        now: u64,
    ) -> Result<Verifier, RestoreError> {
        let mut verifier = Verifier::new(trust_list, policy)?;
        // Each saved edition is verified as of its own issue time (a full
        // list may have aged past its validity while the deltas on top of it
        // keep the installed edition current); whether the result is still
        // current is judged at each scan.
        for encoded in &state.status_lists {
            let bytes = URL_SAFE_NO_PAD
                .decode(encoded)
                .map_err(|_| RestoreError::BadEncoding)?;
            verifier.install_list(&bytes, |issued_at| issued_at.min(now))?;
        }
        for encoded in &state.status_deltas {
            let bytes = URL_SAFE_NO_PAD
                .decode(encoded)
                .map_err(|_| RestoreError::BadEncoding)?;
            verifier.install_delta(&bytes, |issued_at| issued_at.min(now))?;
        }
        verifier.replay.restore(&state.replay, now);
        verifier.acceptances = state.acceptances.clone();
        verifier.refuse_codes_made_before = state.refuse_codes_made_before;
        Ok(verifier)
    }

    /// The same verifier trusting a new trust list (a rotation): installed
    /// status lists whose keys the new list still holds stay, as do the
    /// replay defence, the restart barrier and the accepts not yet taken.
    pub fn with_trust_list(
        &self,
        trust_list: &TrustList,
        now: u64,
    ) -> Result<Verifier, TrustListError> {
        let mut verifier = Verifier::new(trust_list, self.policy)?;
        for installed in self.status_lists.values().flat_map(HashMap::values) {
            // The full edition is checked as of its own issue time, as on a
            // restore: the deltas on top of it may keep it current.
            if verifier
                .install_list(&installed.signed, |issued_at| issued_at.min(now))
                .is_ok()
            {
                for delta in &installed.deltas {
                    let _ = verifier.install_status_delta(delta, now);
                }
            }
        }
        verifier.replay = self.replay.clone();
        verifier.refuse_codes_made_before = self.refuse_codes_made_before;
        verifier.acceptances = self.acceptances.clone();
        Ok(verifier)
    }

    /// What to keep across a restart, at `now`.
    pub fn state(&self, now: u64) -> VerifierState {
        let mut installed: Vec<&InstalledList> = self
            .status_lists
            .values()
            .flat_map(HashMap::values)
            .filter(|installed| installed.list.valid_until > now)
            .collect();
        installed.sort_by_key(|installed| (installed.list.list, &installed.signed));
        VerifierState {
            status_lists: installed
                .iter()
                .map(|installed| URL_SAFE_NO_PAD.encode(&installed.signed))
                .collect(),
            status_deltas: installed
                .iter()
                .flat_map(|installed| &installed.deltas)
                .map(|delta| URL_SAFE_NO_PAD.encode(delta))
                .collect(),
            replay: self.replay.entries(now),
            acceptances: self.acceptances.clone(),
            refuse_codes_made_before: self
                .refuse_codes_made_before
                .filter(|&barrier| self.barrier_in_force(barrier, now)),
        }
    }

    /// Refuses every code made up to `time` (plus the clock skew): after a
    /// restart that may have lost the last accepts, a code accepted just
    /// before it cannot pass again. Codes made later pass as usual; the
    /// barrier stops mattering once those codes have expired.
    pub fn refuse_codes_made_before(&mut self, time: u64) {
        self.refuse_codes_made_before = Some(
            self.refuse_codes_made_before
                .map_or(time, |barrier| barrier.max(time)),
        );
    }

    fn barrier_in_force(&self, barrier: u64, now: u64) -> bool {
        let skew = self.policy.clock_skew_seconds;
        barrier
            .saturating_add(skew)
            .saturating_add(self.policy.code_lifetime_seconds)
            .saturating_add(skew)
            >= now
    }

    /// The codes accepted since the last call, for the operator's platform.
    pub fn take_acceptances(&mut self) -> Vec<Acceptance> {
        std::mem::take(&mut self.acceptances)
    }

    /// Records a code another terminal of the operator accepted, so it is
    /// refused here too while it could still pass the time check.
    pub fn note_accepted_elsewhere(&mut self, accepted: &Acceptance, now: u64) {
        let expires_at = self.code_expires_at(accepted.issued_at);
        if expires_at > now {
            self.replay
                .accept(accepted.handle, accepted.counter, expires_at, now);
        }
    }

    fn code_expires_at(&self, issued_at: u64) -> u64 {
        issued_at
            .saturating_add(self.policy.code_lifetime_seconds)
            .saturating_add(self.policy.clock_skew_seconds)
    }

    /// The policy in force.
    pub fn policy(&self) -> &VerifierPolicy {
        &self.policy
    }

    /// Makes this a terminal of the school `affiliation` (or of none): from
    /// the next scan, campus codes must carry it. Nothing else the verifier
    /// holds depends on it, so caches and replay defence stay.
    pub fn set_affiliation(&mut self, affiliation: Option<Affiliation>) {
        self.policy.affiliation = affiliation;
    }

    /// Verifies and installs a signed status list, replacing an older edition
    /// of the same list. Cached credentials it revokes are dropped.
    ///
    /// Refused: a list its signing key could not have issued at its issue
    /// time (retired or not yet valid), one dated in the future, one that
    /// claims a longer validity than the policy allows, a stale one, an
    /// older edition than the installed one (or a different list under the
    /// same edition), and one whose sequence jumps further ahead than one
    /// edition per second since the installed one (plus a burst). The
    /// installed edition signed again later, with the same revocations, is
    /// taken: it only extends the validity.
    pub fn install_status_list(&mut self, bytes: &[u8], now: u64) -> Result<u32, StatusListError> {
        self.install_list(bytes, |_| now)
    }

    /// [`Verifier::install_status_list`] at the time `at` gives for the
    /// list's issue time (a saved list is checked as of its own issue).
    fn install_list(
        &mut self,
        bytes: &[u8],
        at: impl FnOnce(u64) -> u64,
    ) -> Result<u32, StatusListError> {
        let signed = SignedStatusList::parse(bytes)?;
        let list = &signed.list;
        let now = at(list.issued_at);
        let issuer = self.check_edition(
            &Edition {
                key_id: signed.key_id,
                suite: signed.suite,
                message: signed.signed_message(),
                signature: signed.signature(),
                issued_at: list.issued_at,
                valid_until: list.valid_until,
            },
            now,
        )?;
        let lists = self.status_lists.entry(issuer.clone()).or_default();
        if let Some(installed) = lists.get(&list.list) {
            if installed.signed == bytes && installed.deltas.is_empty() {
                return Ok(installed.list.sequence);
            }
            if list.sequence == installed.list.sequence {
                // The installed edition signed again (the platform re-signs
                // an unchanged list at half its validity, maybe grown by new
                // credentials): taken only with the same revocations, no
                // fewer bits and a signature no earlier than the installed.
                if list.issued_at < installed.list.issued_at
                    || list.bit_count() < installed.list.bit_count()
                    || !installed.list.same_revocations(list)
                {
                    return Err(StatusListError::Rollback);
                }
            } else {
                check_succession(&installed.list, list.sequence, list.issued_at)?;
            }
        }
        let list = signed.list;
        let sequence = list.sequence;
        self.replace_list(
            &issuer,
            InstalledList {
                list,
                signed: bytes.to_vec(),
                deltas: Vec::new(),
            },
        );
        Ok(sequence)
    }

    /// Verifies a signed delta and applies it to the installed edition it
    /// starts from (same checks as a full list). Without that edition it is
    /// refused (`DeltaBaseMissing`): fetch the full list instead. A delta
    /// may make a longer list than its base (new credentials), never a
    /// shorter one (`DeltaShrinks`); one to the installed sequence with no
    /// changes only extends the installed edition's validity, if it was
    /// signed no earlier than that edition.
    pub fn install_status_delta(&mut self, bytes: &[u8], now: u64) -> Result<u32, StatusListError> {
        self.install_delta(bytes, |_| now)
    }

    /// [`Verifier::install_status_delta`] at the time `at` gives for the
    /// delta's issue time.
    fn install_delta(
        &mut self,
        bytes: &[u8],
        at: impl FnOnce(u64) -> u64,
    ) -> Result<u32, StatusListError> {
        let signed = SignedStatusDelta::parse(bytes)?;
        let delta = &signed.delta;
        let now = at(delta.issued_at);
        let issuer = self.check_edition(
            &Edition {
                key_id: signed.key_id,
                suite: signed.suite,
                message: signed.signed_message(),
                signature: signed.signature(),
                issued_at: delta.issued_at,
                valid_until: delta.valid_until,
            },
            now,
        )?;
        let installed = self
            .status_lists
            .get(&issuer)
            .and_then(|lists| lists.get(&delta.list))
            .ok_or(StatusListError::DeltaBaseMissing)?;
        if installed.list.sequence == delta.sequence
            && installed.deltas.last().is_some_and(|last| last == bytes)
        {
            return Ok(delta.sequence);
        }
        if installed.list.sequence != delta.base_sequence {
            return if installed.list.sequence > delta.base_sequence {
                Err(StatusListError::Rollback)
            } else {
                Err(StatusListError::DeltaBaseMissing)
            };
        }
        if delta.is_refresh() {
            // The installed edition signed again: only a later signature
            // may extend its validity.
            if delta.issued_at < installed.list.issued_at {
                return Err(StatusListError::Rollback);
            }
        } else {
            check_succession(&installed.list, delta.sequence, delta.issued_at)?;
        }
        let list = delta.apply(&installed.list).map_err(|error| match error {
            DeltaApplyError::OtherBase => StatusListError::DeltaBaseMissing,
            DeltaApplyError::Shrinks => StatusListError::DeltaShrinks,
        })?;
        let mut deltas = installed.deltas.clone();
        // A refresh on top of a refresh replaces it (the changes are the
        // same), so a terminal that polls an unchanged list keeps one.
        if delta.is_refresh()
            && deltas.last().is_some_and(|last| {
                SignedStatusDelta::parse(last).is_ok_and(|last| last.delta.is_refresh())
            })
        {
            deltas.pop();
        }
        deltas.push(bytes.to_vec());
        let next = InstalledList {
            list,
            signed: installed.signed.clone(),
            deltas,
        };
        let sequence = next.list.sequence;
        self.replace_list(&issuer, next);
        Ok(sequence)
    }

    /// The checks every signed edition (list or delta) passes; the issuer
    /// of its key.
    fn check_edition(&self, edition: &Edition<'_>, now: u64) -> Result<String, StatusListError> {
        let key = self
            .trust
            .get(&edition.key_id)
            .ok_or(StatusListError::UnknownKeyId(edition.key_id))?;
        if key.public_key.suite() != edition.suite {
            return Err(StatusListError::SuiteMismatch);
        }
        if !key.public_key.verify(edition.message, edition.signature) {
            return Err(StatusListError::BadSignature);
        }
        if edition.issued_at < key.not_before || edition.issued_at >= key.not_after {
            return Err(StatusListError::KeyNotValid);
        }
        if edition.issued_at > now.saturating_add(self.policy.clock_skew_seconds) {
            return Err(StatusListError::FromFuture);
        }
        if edition.valid_until < edition.issued_at
            || edition.valid_until - edition.issued_at
                > self.policy.max_status_list_validity_seconds
        {
            return Err(StatusListError::ValidityTooLong);
        }
        if edition.valid_until <= now {
            return Err(StatusListError::Stale);
        }
        Ok(key.issuer.clone())
    }

    /// Installs an edition, dropping cached credentials it revokes.
    fn replace_list(&mut self, issuer: &str, installed: InstalledList) {
        let list = &installed.list;
        self.credentials.remove_where(|cached| {
            cached.issuer == issuer
                && cached.claims.status.list == list.list
                && list.is_revoked(cached.claims.status.index) == Some(true)
        });
        self.status_lists
            .entry(issuer.to_owned())
            .or_default()
            .insert(list.list, installed);
    }

    /// Verifies the text content of a code at time `now` (Unix seconds).
    /// On success the `(handle, counter)` is recorded, so the same code is
    /// refused the next time.
    pub fn verify(&mut self, code: &str, now: u64) -> Result<VerifiedPresentation, VerifyError> {
        let presentation = Presentation::from_code(code)?;
        self.verify_presentation(&presentation, now)
    }

    /// Verifies a parsed presentation at time `now`.
    pub fn verify_presentation(
        &mut self,
        presentation: &Presentation,
        now: u64,
    ) -> Result<VerifiedPresentation, VerifyError> {
        let Verifier {
            trust,
            policy,
            status_lists,
            credentials,
            replay,
            refuse_codes_made_before,
            acceptances,
            device_keys,
        } = self;
        let credential = &presentation.credential;
        let trusted = trust
            .get(&credential.issuer_key_id)
            .ok_or(VerifyError::UnknownKeyId(credential.issuer_key_id))?;
        if trusted.public_key.suite() != credential.issuer_suite {
            return Err(VerifyError::SuiteMismatch);
        }
        let mut cache_key = [0u8; 32];
        cache_key.copy_from_slice(digest(&SHA256, credential.as_bytes()).as_ref());
        let checks = Checks {
            policy,
            status_lists,
            refuse_codes_made_before: *refuse_codes_made_before,
            now,
        };
        if let Some(cached) = credentials.get(&cache_key, now) {
            return checks.finish(
                presentation,
                &cached.device_key,
                &cached.issuer,
                true,
                (replay, acceptances),
            );
        }
        let claims = &credential.claims;
        if claims.not_before < trusted.not_before || claims.not_before >= trusted.not_after {
            return Err(VerifyError::IssuerKeyNotValid);
        }
        if !trusted.public_key.verify(
            &credential.issuer_signed_message(),
            credential.issuer_signature(),
        ) {
            return Err(VerifyError::BadIssuerSignature);
        }
        let device_key = device_keys.decode(credential)?;
        let result = checks.finish(
            presentation,
            &device_key,
            &trusted.issuer,
            false,
            (replay, acceptances),
        );
        if claims.not_after() > now && result != Err(VerifyError::Revoked) {
            let entry = CachedCredential {
                claims: claims.clone(),
                device_key,
                issuer: trusted.issuer.clone(),
            };
            credentials.insert(cache_key, entry);
        }
        result
    }
}

/// A signed status edition (a full list or a delta) as its key checks see it.
struct Edition<'a> {
    key_id: u32,
    suite: crate::suite::Suite,
    message: &'a [u8],
    signature: &'a [u8],
    issued_at: u64,
    valid_until: u64,
}

/// Whether an edition numbered `sequence`, issued at `issued_at`, may follow
/// the installed one: later in both, and no further ahead than one edition
/// per second since it, plus a burst.
fn check_succession(
    installed: &StatusList,
    sequence: u32,
    issued_at: u64,
) -> Result<(), StatusListError> {
    if sequence <= installed.sequence || issued_at < installed.issued_at {
        return Err(StatusListError::Rollback);
    }
    let allowed = (issued_at - installed.issued_at).saturating_add(STATUS_SEQUENCE_BURST);
    if u64::from(sequence - installed.sequence) > allowed {
        return Err(StatusListError::SequenceJump);
    }
    Ok(())
}

/// The checks after the issuer signature, shared by the cached and the
/// uncached path.
struct Checks<'a> {
    policy: &'a VerifierPolicy,
    status_lists: &'a HashMap<String, HashMap<u8, InstalledList>>,
    refuse_codes_made_before: Option<u64>,
    now: u64,
}

impl Checks<'_> {
    fn finish(
        &self,
        presentation: &Presentation,
        device_key: &PublicKey,
        issuer: &str,
        credential_cached: bool,
        (replay, acceptances): (&mut ReplayGuard, &mut Vec<Acceptance>),
    ) -> Result<VerifiedPresentation, VerifyError> {
        if !device_key.verify(
            &presentation.device_signed_message(),
            presentation.device_signature(),
        ) {
            return Err(VerifyError::BadDeviceSignature);
        }
        let (policy, now) = (self.policy, self.now);
        let skew = policy.clock_skew_seconds;
        let claims = &presentation.credential.claims;
        if now.saturating_add(skew) < claims.not_before {
            return Err(VerifyError::CredentialNotYetValid);
        }
        if now >= claims.not_after().saturating_add(skew) {
            return Err(VerifyError::CredentialExpired);
        }
        if presentation.issued_at > now.saturating_add(skew) {
            return Err(VerifyError::PresentationFromFuture);
        }
        let code_expires_at = presentation
            .issued_at
            .saturating_add(policy.code_lifetime_seconds)
            .saturating_add(skew);
        if now > code_expires_at {
            return Err(VerifyError::PresentationExpired);
        }
        if !claims.is_valid_at(presentation.issued_at) {
            return Err(VerifyError::PresentationOutsideCredential);
        }
        let purpose = presentation.purpose;
        if !policy.accepted_purposes.contains(purpose) {
            return Err(VerifyError::WrongPurpose);
        }
        if !claims.purposes.contains(purpose) {
            return Err(VerifyError::PurposeNotGranted);
        }
        if presentation.on_behalf != claims.role {
            return Err(VerifyError::OnBehalfMismatch);
        }
        let allowed_on_behalf = match claims.role {
            HolderRole::Holder => true,
            HolderRole::Proxy => policy.on_behalf.proxy.contains(purpose),
            HolderRole::Guardian => policy.on_behalf.guardian.contains(purpose),
        };
        if !allowed_on_behalf {
            return Err(VerifyError::OnBehalfRefused);
        }
        if let Some(school) = policy.affiliation
            && purpose.is_campus()
            && claims.affiliation != Some(school)
        {
            return Err(VerifyError::WrongAffiliation);
        }
        let status = self.status_of(issuer, claims)?;
        if self
            .refuse_codes_made_before
            .is_some_and(|barrier| presentation.issued_at <= barrier.saturating_add(skew))
        {
            return Err(VerifyError::MadeBeforeRestart);
        }
        let handle = claims.handle;
        match replay.check(handle, presentation.counter) {
            Seen::Accepted => return Err(VerifyError::Replayed),
            Seen::Superseded => return Err(VerifyError::Superseded),
            Seen::New => {}
        }
        replay.accept(handle, presentation.counter, code_expires_at, now);
        acceptances.push(Acceptance {
            handle,
            counter: presentation.counter,
            purpose,
            issued_at: presentation.issued_at,
            accepted_at: now,
        });
        Ok(VerifiedPresentation {
            purpose,
            disclosure: Disclosure::for_purpose(purpose, claims),
            on_behalf: claims.role,
            issued_at: presentation.issued_at,
            counter: presentation.counter,
            credential_not_after: claims.not_after(),
            issuer: issuer.to_owned(),
            status,
            credential_cached,
        })
    }

    fn status_of(
        &self,
        issuer: &str,
        claims: &CredentialClaims,
    ) -> Result<StatusCheck, VerifyError> {
        let list = self
            .status_lists
            .get(issuer)
            .and_then(|lists| lists.get(&claims.status.list))
            .map(|installed| &installed.list)
            .filter(|list| list.valid_until > self.now);
        let verdict = list.and_then(|list| Some((list, list.is_revoked(claims.status.index)?)));
        match (verdict, self.policy.status) {
            (Some((_, true)), _) => Err(VerifyError::Revoked),
            (Some((list, false)), StatusPolicy::Required { max_age_seconds })
                if self.now.saturating_sub(list.issued_at) > max_age_seconds =>
            {
                Err(VerifyError::StatusOutdated)
            }
            (Some((list, false)), _) => Ok(StatusCheck::Checked {
                sequence: list.sequence,
            }),
            (None, StatusPolicy::Required { .. }) => Err(VerifyError::StatusUnavailable),
            (None, StatusPolicy::BestEffort) => Ok(StatusCheck::Unchecked),
        }
    }
}
