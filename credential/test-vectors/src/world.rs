//! A small issuing world for tests beyond the corpus: an issuer key, its
//! trust list, a device key store, and helpers to issue credentials, show
//! codes and sign status lists. Shared by the credential crate's tests and
//! the terminal crate's, so each does not build its own.

use ecard_credential::claims::{
    ConcessionClass, Handle, HolderRole, Purpose, PurposeSet, StatusReference,
};
use ecard_credential::credential::{Credential, CredentialClaims};
use ecard_credential::keys::{
    IssuerKey, KeyStore, SoftwareKey, SoftwareKeyStore, disclosure_groups,
};
use ecard_credential::presentation::{PresentationRequest, present};
use ecard_credential::status::StatusList;
use ecard_credential::suite::Suite;
use ecard_credential::trust::{TrustList, TrustedKey};

/// The issuer name of the world's trust list.
pub const WORLD_ISSUER: &str = "CN-360000";

/// An issuer, its trust list and one device.
pub struct World {
    /// The issuer key (id `0x0101_0001`).
    pub issuer: IssuerKey,
    /// A trust list holding it, allowed to issue from a day before `now`
    /// to a day after.
    pub trust: TrustList,
    /// The device's key store (alias `device`).
    pub store: SoftwareKeyStore,
}

impl World {
    /// A world of the given suites around the time `now`.
    ///
    /// # Panics
    /// When a key cannot be made (a broken test environment).
    #[allow(clippy::expect_used, reason = "test fixture: fails loudly")]
    pub fn new(issuer_suite: Suite, device_suite: Suite, now: u64) -> World {
        let (key, _) = SoftwareKey::generate(issuer_suite).expect("issuer key");
        let issuer = IssuerKey::new(0x0101_0001, key);
        let trust = TrustList::new(
            1,
            now,
            vec![TrustedKey::for_issuer_key(
                &issuer,
                WORLD_ISSUER,
                now - 86_400,
                now + 86_400,
            )],
        );
        let store = SoftwareKeyStore::new();
        store
            .generate_key("device", device_suite)
            .expect("device key");
        World {
            issuer,
            trust,
            store,
        }
    }

    /// A credential for `claims` bound to the device.
    ///
    /// # Panics
    /// When the claims cannot be issued.
    #[allow(clippy::expect_used, reason = "test fixture: fails loudly")]
    pub fn credential(&self, claims: &CredentialClaims) -> Credential {
        let device = self.store.public_key("device").expect("device key");
        self.issuer.issue(claims, &device).expect("issue")
    }

    /// The code text of `credential` for `purpose`, numbered `counter`,
    /// made at `at`.
    ///
    /// # Panics
    /// When the device cannot sign.
    #[allow(clippy::expect_used, reason = "test fixture: fails loudly")]
    pub fn show(&self, credential: &Credential, purpose: Purpose, counter: u32, at: u64) -> String {
        let request = PresentationRequest {
            purpose,
            issued_at: at,
            counter,
        };
        present(credential, &request, &self.store, "device")
            .expect("present")
            .to_code()
    }

    /// The delta from the `base` edition to `next`, signed by the issuer.
    ///
    /// # Panics
    /// When the delta cannot be signed.
    #[allow(clippy::expect_used, reason = "test fixture: fails loudly")]
    pub fn status_delta(&self, base: &Edition<'_>, next: &Edition<'_>) -> Vec<u8> {
        ecard_credential::status_delta::StatusDelta::between(&base.list(), &next.list())
            .expect("delta")
            .sign(&self.issuer)
            .expect("sign")
    }

    /// A status list (number 1, 1,024 bits) with `revoked` set, signed by
    /// the issuer.
    ///
    /// # Panics
    /// When the list cannot be signed.
    #[allow(clippy::expect_used, reason = "test fixture: fails loudly")]
    pub fn status_list(&self, edition: &Edition<'_>) -> Vec<u8> {
        edition.list().sign(&self.issuer).expect("sign")
    }
}

/// One edition of the world's status list.
#[derive(Clone, Copy, Debug)]
pub struct Edition<'a> {
    /// Its sequence.
    pub sequence: u32,
    /// When it was issued.
    pub issued_at: u64,
    /// Until when it is valid.
    pub valid_until: u64,
    /// The revoked status indexes.
    pub revoked: &'a [u32],
}

impl Edition<'_> {
    /// The list itself (number 1, 1,024 bits).
    ///
    /// # Panics
    /// When an index is out of range.
    #[allow(clippy::expect_used, reason = "test fixture: fails loudly")]
    pub fn list(&self) -> StatusList {
        let mut list = StatusList::new(1, 1_024).expect("list");
        for &index in self.revoked {
            list.set_revoked(index, true).expect("index");
        }
        list.sequence = self.sequence;
        list.issued_at = self.issued_at;
        list.valid_until = self.valid_until;
        list
    }

    /// An edition valid for a day from `issued_at`.
    pub fn day(sequence: u32, issued_at: u64, revoked: &[u32]) -> Edition<'_> {
        Edition {
            sequence,
            issued_at,
            valid_until: issued_at + 86_400,
            revoked,
        }
    }
}

/// Holder claims for `purposes` with status index `index` (also the first
/// byte of the handle), valid for a day from a minute before `now`.
pub fn claims(purposes: PurposeSet, index: u32, now: u64) -> CredentialClaims {
    CredentialClaims {
        handle: Handle([
            index as u8,
            (index >> 8) as u8,
            (index >> 16) as u8,
            4,
            5,
            6,
            7,
            8,
        ]),
        not_before: now - 60,
        lifetime_minutes: 24 * 60,
        status: StatusReference { list: 1, index },
        concession: ConcessionClass::SeniorFree,
        purposes,
        role: HolderRole::Holder,
        region: None,
        affiliation: None,
    }
}

/// The transport disclosure group.
pub fn transport() -> PurposeSet {
    disclosure_groups()[0]
}
