//! Offline verification at a terminal.
//!
//! Checks run in a fixed order, and the first failure is the result (the
//! order is part of the format so every implementation reports the same
//! error for the same code): structure → trust (key id, suite, issuing
//! window) → issuer signature → device signature → credential validity →
//! code time → purpose → on-behalf policy → status → replay.
//!
//! Two bounded caches make the common case fast. Verified credentials are
//! kept by the SHA-256 of their bytes until they expire or are revoked, so a
//! phone showing a fresh code every minute costs one device-signature check.
//! The replay cache remembers each accepted `(handle, counter)` only as long
//! as the code could still pass the time check.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::num::NonZeroUsize;

use lru::LruCache;

use ring::digest::{SHA256, digest};

use crate::claims::{ConcessionClass, Handle, HolderRole, Purpose, PurposeSet, RegionCode};
use crate::credential::CredentialClaims;
use crate::error::{FormatError, VerifyError};
use crate::presentation::Presentation;
use crate::status::{SignedStatusList, StatusList};
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
    /// Refuse codes when no current status list covers them.
    pub require_status: bool,
    /// Most `(handle, counter)` pairs remembered.
    pub replay_capacity: usize,
    /// Most verified credentials remembered.
    pub credential_cache_capacity: usize,
}

impl VerifierPolicy {
    /// Defaults for a terminal serving `purposes`: 60 s codes, 30 s clock
    /// skew, status best-effort, caches of 65,536 entries.
    pub fn for_purposes(purposes: &[Purpose]) -> VerifierPolicy {
        VerifierPolicy {
            accepted_purposes: PurposeSet::of(purposes),
            clock_skew_seconds: 30,
            code_lifetime_seconds: 60,
            on_behalf: OnBehalfPolicy::default(),
            require_status: false,
            replay_capacity: 65_536,
            credential_cache_capacity: 65_536,
        }
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

/// Accepted `(handle, counter)` pairs until they could no longer pass the
/// time check, bounded; the earliest to expire is evicted first.
struct ReplayCache {
    capacity: usize,
    seen: HashMap<(Handle, u32), u64>,
    expiries: BinaryHeap<Reverse<(u64, Handle, u32)>>,
}

impl ReplayCache {
    fn contains(&self, handle: Handle, counter: u32) -> bool {
        self.seen.contains_key(&(handle, counter))
    }

    fn insert(&mut self, handle: Handle, counter: u32, expires_at: u64, now: u64) {
        while let Some(Reverse((expiry, old_handle, old_counter))) = self.expiries.peek().copied() {
            if expiry > now && self.seen.len() < self.capacity {
                break;
            }
            self.expiries.pop();
            self.seen.remove(&(old_handle, old_counter));
        }
        if self.capacity > 0 && self.seen.insert((handle, counter), expires_at).is_none() {
            self.expiries.push(Reverse((expires_at, handle, counter)));
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
    status_lists: HashMap<String, HashMap<u8, StatusList>>,
    credentials: CredentialCache,
    replay: ReplayCache,
}

impl Verifier {
    /// A verifier trusting `trust_list` under `policy`.
    pub fn new(trust_list: &TrustList, policy: VerifierPolicy) -> Result<Verifier, TrustListError> {
        Ok(Verifier {
            trust: trust_list.index()?,
            policy,
            status_lists: HashMap::new(),
            credentials: CredentialCache::with_capacity(policy.credential_cache_capacity),
            replay: ReplayCache {
                capacity: policy.replay_capacity,
                seen: HashMap::new(),
                expiries: BinaryHeap::new(),
            },
        })
    }

    /// The policy in force.
    pub fn policy(&self) -> &VerifierPolicy {
        &self.policy
    }

    /// Verifies and installs a signed status list, replacing an older edition
    /// of the same list. Cached credentials it revokes are dropped.
    pub fn install_status_list(&mut self, bytes: &[u8], now: u64) -> Result<u32, StatusListError> {
        let signed = SignedStatusList::parse(bytes)?;
        let key = self
            .trust
            .get(&signed.key_id)
            .ok_or(StatusListError::UnknownKeyId(signed.key_id))?;
        if key.public_key.suite() != signed.suite {
            return Err(StatusListError::SuiteMismatch);
        }
        if !key
            .public_key
            .verify(signed.signed_message(), signed.signature())
        {
            return Err(StatusListError::BadSignature);
        }
        if signed.list.valid_until <= now {
            return Err(StatusListError::Stale);
        }
        let lists = self.status_lists.entry(key.issuer.clone()).or_default();
        if lists
            .get(&signed.list.list)
            .is_some_and(|installed| installed.sequence > signed.list.sequence)
        {
            return Err(StatusListError::Rollback);
        }
        let list = signed.list;
        let issuer = key.issuer.clone();
        self.credentials.remove_where(|cached| {
            cached.issuer == issuer
                && cached.claims.status.list == list.list
                && list.is_revoked(cached.claims.status.index) == Some(true)
        });
        let sequence = list.sequence;
        lists.insert(list.list, list);
        Ok(sequence)
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
            now,
        };
        if let Some(cached) = credentials.get(&cache_key, now) {
            return checks.finish(
                presentation,
                &cached.device_key,
                &cached.issuer,
                true,
                replay,
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
        let device_key = credential.device_key()?;
        let result = checks.finish(presentation, &device_key, &trusted.issuer, false, replay);
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

/// The checks after the issuer signature, shared by the cached and the
/// uncached path.
struct Checks<'a> {
    policy: &'a VerifierPolicy,
    status_lists: &'a HashMap<String, HashMap<u8, StatusList>>,
    now: u64,
}

impl Checks<'_> {
    fn finish(
        &self,
        presentation: &Presentation,
        device_key: &PublicKey,
        issuer: &str,
        credential_cached: bool,
        replay: &mut ReplayCache,
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
        let status = self.status_of(issuer, claims)?;
        let handle = claims.handle;
        if replay.contains(handle, presentation.counter) {
            return Err(VerifyError::Replayed);
        }
        replay.insert(handle, presentation.counter, code_expires_at, now);
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
            .filter(|list| list.valid_until > self.now);
        match list.and_then(|list| Some((list.sequence, list.is_revoked(claims.status.index)?))) {
            Some((_, true)) => Err(VerifyError::Revoked),
            Some((sequence, false)) => Ok(StatusCheck::Checked { sequence }),
            None if self.policy.require_status => Err(VerifyError::StatusUnavailable),
            None => Ok(StatusCheck::Unchecked),
        }
    }
}
