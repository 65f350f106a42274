//! The e-card credential and its QR presentation format.
//!
//! Three parties use this crate, and only this crate, so a terminal can
//! embed it alone (no I/O, no async, no allocation-heavy dependencies):
//!
//! - the **issuer** (the card-service platform) signs short-lived
//!   [`Credential`]s binding a device key to pseudonymous claims, and
//!   [`StatusList`]s that revoke them after a loss report;
//! - the **holder** (the phone) signs a [`Presentation`] for a purpose,
//!   offline, with a key its platform [`KeyStore`] never reveals;
//! - the **verifier** (a gate or counter) checks a code offline against a
//!   [`TrustList`], status lists, a clock and a replay cache ([`Verifier`]).
//!
//! The byte layout, suites, validity rules and error codes are specified in
//! `docs/credential-format.md`; `tests/vectors/` holds the test-vector corpus.
#![forbid(unsafe_code)]

pub mod base45;
pub mod claims;
pub mod credential;
pub mod error;
pub mod keys;
mod point_decompression;
pub mod presentation;
#[cfg(feature = "render")]
pub mod qr;
pub mod replay;
pub mod status;
pub mod status_delta;
pub mod suite;
pub mod trust;
pub mod verify;
mod wire;

pub use claims::{
    Affiliation, ConcessionClass, Handle, HolderRole, Purpose, PurposeSet, RegionCode,
    StatusReference,
};
pub use credential::{Credential, CredentialClaims};
pub use error::{FormatError, IssueError, KeyStoreError, Locale, PresentError, VerifyError};
pub use keys::{IssuerKey, KeyStore, SoftwareKey, SoftwareKeyStore};
pub use presentation::{CODE_PREFIX, Presentation, PresentationRequest, present};
#[cfg(feature = "render")]
pub use qr::QrMatrix;
pub use status::{SignedStatusList, StatusList};
pub use status_delta::{DeltaApplyError, SignedStatusDelta, StatusDelta};
pub use suite::{PublicKey, Suite};
pub use trust::{
    AuthorityKey, SignedTrustList, TrustAnchor, TrustAuthority, TrustList, TrustListError,
    TrustedKey,
};
pub use verify::{
    Acceptance, Disclosure, OnBehalfPolicy, RestoreError, StatusCheck, StatusListError,
    StatusPolicy, VerifiedPresentation, Verifier, VerifierPolicy, VerifierState,
};
