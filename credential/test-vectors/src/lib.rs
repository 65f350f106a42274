//! The test-vector corpus: its JSON form, its generation and its check.
//!
//! Every vector is self-contained: the code text, the trust list, an
//! optional status list, the verifier's clock and policy, how many times the
//! code is scanned, and the expected result of the last scan (valid with
//! what is disclosed, or the stable error code). Other implementations of
//! the format can run the corpus with nothing but a JSON parser.
//!
//! `cargo run -p ecard-test-vectors --bin generate-test-vectors -- credential/tests/vectors`
//! writes the corpus; the test suite checks the checked-in files and a fresh
//! generation. P-256 signatures are randomised, so regenerating changes
//! those codes but never their expected results. Ed25519 and SM2 keys are
//! fixed and their signatures deterministic (SM2 draws its nonce as RFC 6979
//! does), so those codes do not change.
//!
//! SM2 (suite 3) has invalid classes of its own: a signature made with
//! another distinguishing identifier, `r` or `s` out of 1..n−1, a device
//! point off the curve, and suite confusion between SM2 and P-256 (both
//! 33-byte compressed keys and 64-byte `r ‖ s` signatures).
//!
//! Format version 2 (purposes 5–8, the school affiliation of campus
//! credentials) has valid vectors for every suite pair and purpose, and
//! refusals of its own: undefined purpose bits, an affiliation or a region
//! where the disclosure rules forbid it, a version-1 credential presented
//! for a version-2 purpose, a body signed under the other version's
//! context, and a campus code at another school's terminal.
//!
//! Signed trust lists have vectors of their own ([`trust`]), in the
//! `trust-lists/` directory of the corpus.
//!
//! A crate of its own, not a module of `ecard-credential`: the recipes build
//! forged and broken codes on purpose, and the library that phones and
//! terminals embed should carry none of that.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

pub mod world;

use ecard_credential::claims::{
    Affiliation, ConcessionClass, Handle, HolderRole, Purpose, PurposeSet, RegionCode,
    StatusReference,
};
use ecard_credential::credential::{Credential, CredentialClaims};
use ecard_credential::keys::{
    IssuerKey, KeyStore, SoftwareKey, SoftwareKeyStore, disclosure_groups,
};
use ecard_credential::presentation::{
    PRESENTATION_CONTEXT, PresentationRequest, encode_code, present,
};
use ecard_credential::status::StatusList;
use ecard_credential::suite::{PublicKey, SIGNATURE_LEN, Suite};
use ecard_credential::trust::{TrustList, TrustedKey};
use ecard_credential::verify::{Disclosure, Verifier, VerifierPolicy};

pub mod trust;

pub use trust::{
    TRUST_VECTOR_DIRECTORY, TRUST_VECTOR_FORMAT, TrustExpected, TrustListVector,
    generate_trust_lists,
};

/// Format name of a vector file.
pub const VECTOR_FORMAT: &str = "ecard-test-vector";
/// The verifier clock of every vector: 2026-01-01T08:00:00Z.
pub const VECTOR_NOW: u64 = 1_767_254_400;

/// One test vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestVector {
    /// Always `ecard-test-vector`.
    pub format: String,
    /// Unique name, also the file name.
    pub name: String,
    /// What the vector exercises.
    pub description: String,
    /// The text content of the code.
    pub code: String,
    /// The verifier's trust list.
    pub trust_list: TrustList,
    /// A signed status list to install first, base64 (standard alphabet).
    pub status_list: Option<String>,
    /// The verifier's clock and policy.
    pub verifier: VectorVerifier,
    /// How many times the code is scanned; the expectation is for the last.
    pub scans: u32,
    /// The expected result of the last scan.
    pub expected: Expected,
}

/// Verifier settings of a vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorVerifier {
    /// Verifier time, Unix seconds.
    pub now: u64,
    /// Purposes the terminal accepts.
    pub accepted_purposes: PurposeSet,
    /// Clock skew tolerance, seconds.
    pub clock_skew_seconds: u64,
    /// Code lifetime, seconds.
    pub code_lifetime_seconds: u64,
    /// Whether a current status list is required (`false`: best effort).
    pub require_status: bool,
    /// The school of the terminal, if it belongs to one: campus codes must
    /// carry this affiliation. Absent: no affiliation is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<Affiliation>,
}

/// The expected outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Expected {
    /// The code is accepted.
    Valid {
        /// Who presented it.
        on_behalf: HolderRole,
        /// What the terminal learns.
        disclosure: Disclosure,
    },
    /// The code is refused with this stable error code.
    Error {
        /// The error code.
        error: String,
    },
}

impl TestVector {
    /// Runs the vector; `Err` describes a mismatch.
    pub fn check(&self) -> Result<(), String> {
        if self.format != VECTOR_FORMAT {
            return Err(format!("{}: not a test vector", self.name));
        }
        let settings = &self.verifier;
        let mut policy = VerifierPolicy::for_purposes(&[]);
        policy.accepted_purposes = settings.accepted_purposes;
        policy.clock_skew_seconds = settings.clock_skew_seconds;
        policy.code_lifetime_seconds = settings.code_lifetime_seconds;
        if !settings.require_status {
            policy = policy.best_effort_status();
        }
        policy.affiliation = settings.affiliation;
        let mut verifier = Verifier::new(&self.trust_list, policy)
            .map_err(|error| format!("{}: trust list: {error}", self.name))?;
        if let Some(status_list) = &self.status_list {
            let bytes = STANDARD
                .decode(status_list)
                .map_err(|error| format!("{}: status list base64: {error}", self.name))?;
            verifier
                .install_status_list(&bytes, settings.now)
                .map_err(|error| format!("{}: status list: {error}", self.name))?;
        }
        let mut last = None;
        for _ in 0..self.scans.max(1) {
            last = Some(verifier.verify(&self.code, settings.now));
        }
        let actual = match last {
            Some(Ok(verified)) => Expected::Valid {
                on_behalf: verified.on_behalf,
                disclosure: verified.disclosure,
            },
            Some(Err(error)) => Expected::Error {
                error: error.code().to_owned(),
            },
            None => return Err(format!("{}: not scanned", self.name)),
        };
        if actual == self.expected {
            Ok(())
        } else {
            Err(format!(
                "{}: expected {:?}, got {:?}",
                self.name, self.expected, actual
            ))
        }
    }
}

/// The scalar of the corpus's SM2 issuer key.
pub const SM2_ISSUER_SCALAR: [u8; 32] = [0x53; 32];
/// Another distinguishing identifier (the example identity of GM/T 0003):
/// a signature made with it must not verify under the format's.
pub const OTHER_SM2_IDENTIFIER: &str = "ALICE123@YAHOO.COM";
/// The SM2 group order n, big-endian.
pub const SM2_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x72, 0x03, 0xdf, 0x6b, 0x21, 0xc6, 0x05, 0x2b, 0x53, 0xbb, 0xf4, 0x09, 0x39, 0xd5, 0x41, 0x23,
];
/// The context string of the issuer's signature over a version-1 credential.
const CREDENTIAL_CONTEXT: &[u8] = b"ecard-credential-v1";
/// The context string of the issuer's signature over a version-2 credential.
const CREDENTIAL_CONTEXT_V2: &[u8] = b"ecard-credential-v2";

/// Signs `message` with the SM2 key of `scalar` under `identifier`, as a
/// fixed `r ‖ s` signature: with [`OTHER_SM2_IDENTIFIER`] this makes the
/// signatures an implementation that ignores the identifier would accept.
pub fn sm2_sign_with_identifier(
    scalar: &[u8; 32],
    identifier: &str,
    message: &[u8],
) -> Result<[u8; SIGNATURE_LEN], String> {
    use sm2::dsa::signature::Signer as _;
    let secret = sm2::SecretKey::from_slice(scalar).map_err(|error| error.to_string())?;
    let key = sm2::dsa::SigningKey::new(identifier, &secret).map_err(|error| error.to_string())?;
    let signature: sm2::dsa::Signature =
        key.try_sign(message).map_err(|error| error.to_string())?;
    <[u8; SIGNATURE_LEN]>::try_from(signature.to_vec().as_slice())
        .map_err(|error| error.to_string())
}

/// The scalar of the corpus's SM2 device key: the first of `[k; 32]` from
/// `k = 0x23` whose compressed point also decodes as a P-256 point, so the
/// suite-confusion vectors reach the signature check.
fn sm2_device_scalar() -> Result<[u8; 32], String> {
    for k in 0x23..=0xff_u8 {
        let key = SoftwareKey::sm2_from_scalar(&[k; 32]).map_err(|error| error.to_string())?;
        if PublicKey::from_wire(Suite::EcdsaP256, &key.public_key().to_wire()).is_ok() {
            return Ok([k; 32]);
        }
    }
    Err("no SM2 device scalar whose point is also on P-256".into())
}

/// A P-256 device key whose compressed point also decodes as an SM2 point.
fn p256_device_key() -> Result<SoftwareKey, String> {
    for _ in 0..64 {
        let (key, _) =
            SoftwareKey::generate(Suite::EcdsaP256).map_err(|error| error.to_string())?;
        if PublicKey::from_wire(Suite::Sm2, &key.public_key().to_wire()).is_ok() {
            return Ok(key);
        }
    }
    Err("no P-256 device key whose point is also on the SM2 curve".into())
}

/// The first compressed point `02 ‖ x` (x = 1, 2, …) with no SM2 point.
fn sm2_off_curve_point() -> Result<[u8; 33], String> {
    for x in 1..=255_u8 {
        let mut point = [0u8; 33];
        point[0] = 0x02;
        point[32] = x;
        if PublicKey::from_wire(Suite::Sm2, &point).is_err() {
            return Ok(point);
        }
    }
    Err("no off-curve x".into())
}

const ISSUER: &str = "CN-360000";
const REGION: u32 = 360_100;
/// The school of the corpus's campus credentials.
const AFFILIATION: u32 = 4_207;
/// Another school.
const OTHER_AFFILIATION: u32 = 5_310;
const KEY_WINDOW_START: u64 = VECTOR_NOW - 30 * 86_400;
const KEY_WINDOW_END: u64 = VECTOR_NOW + 335 * 86_400;

/// Key material of a generation run.
struct Keys {
    /// One issuer key per suite, in [`Suite::ALL`] order.
    issuers: Vec<IssuerKey>,
    /// The SM2 issuer key again, to sign credentials `IssuerKey::issue`
    /// would refuse to make.
    sm2_issuer: SoftwareKey,
    stranger: IssuerKey,
    device_store: SoftwareKeyStore,
    sm2_device_scalar: [u8; 32],
}

impl Keys {
    fn new() -> Result<Keys, String> {
        let ed25519 =
            SoftwareKey::ed25519_from_seed(&[7; 32]).map_err(|error| error.to_string())?;
        let (p256, _) =
            SoftwareKey::generate(Suite::EcdsaP256).map_err(|error| error.to_string())?;
        let stranger =
            SoftwareKey::ed25519_from_seed(&[9; 32]).map_err(|error| error.to_string())?;
        let device_store = SoftwareKeyStore::new();
        device_store
            .insert(
                "ed25519",
                SoftwareKey::ed25519_from_seed(&[1; 32]).map_err(|error| error.to_string())?,
            )
            .map_err(|error| error.to_string())?;
        device_store
            .insert("p256", p256_device_key()?)
            .map_err(|error| error.to_string())?;
        let sm2_device_scalar = sm2_device_scalar()?;
        device_store
            .insert(
                "sm2",
                SoftwareKey::sm2_from_scalar(&sm2_device_scalar)
                    .map_err(|error| error.to_string())?,
            )
            .map_err(|error| error.to_string())?;
        let sm2 = |scalar: &[u8; 32]| {
            SoftwareKey::sm2_from_scalar(scalar).map_err(|error| error.to_string())
        };
        Ok(Keys {
            issuers: vec![
                IssuerKey::new(0x3600_0001, ed25519),
                IssuerKey::new(0x3600_0002, p256),
                IssuerKey::new(0x3600_0003, sm2(&SM2_ISSUER_SCALAR)?),
            ],
            sm2_issuer: sm2(&SM2_ISSUER_SCALAR)?,
            stranger: IssuerKey::new(0x3600_0099, stranger),
            device_store,
            sm2_device_scalar,
        })
    }

    fn issuer(&self, suite: Suite) -> &IssuerKey {
        let index = match suite {
            Suite::Ed25519 => 0,
            Suite::EcdsaP256 => 1,
            Suite::Sm2 => 2,
        };
        &self.issuers[index]
    }

    fn trust_list(&self) -> TrustList {
        let keys = self
            .issuers
            .iter()
            .map(|key| TrustedKey::for_issuer_key(key, ISSUER, KEY_WINDOW_START, KEY_WINDOW_END))
            .collect();
        TrustList::new(1, VECTOR_NOW - 86_400, keys)
    }
}

/// How a vector's credential and code are made.
#[derive(Clone)]
struct Recipe {
    name: String,
    description: String,
    issuer_suite: Suite,
    device_suite: Suite,
    purpose: Purpose,
    purposes: PurposeSet,
    role: HolderRole,
    not_before: u64,
    lifetime_minutes: u16,
    issued_at: u64,
    accepted: PurposeSet,
    scans: u32,
    status: StatusSetting,
    require_status: bool,
    stranger_issuer: bool,
    tamper: Tamper,
    /// The credential's school (campus credentials).
    affiliation: Option<Affiliation>,
    /// The terminal's school.
    school: Option<Affiliation>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum StatusSetting {
    None,
    Clear,
    Revoked,
}

/// A scalar of an `r ‖ s` signature replaced by one out of 1..n−1.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scalar {
    RZero,
    SZero,
    REqualsN,
    SEqualsN,
    RAboveN,
}

impl Scalar {
    const ALL: [Scalar; 5] = [
        Scalar::RZero,
        Scalar::SZero,
        Scalar::REqualsN,
        Scalar::SEqualsN,
        Scalar::RAboveN,
    ];

    fn name(self) -> &'static str {
        match self {
            Scalar::RZero => "r-zero",
            Scalar::SZero => "s-zero",
            Scalar::REqualsN => "r-equals-n",
            Scalar::SEqualsN => "s-equals-n",
            Scalar::RAboveN => "r-above-n",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Scalar::RZero => "r is 0",
            Scalar::SZero => "s is 0",
            Scalar::REqualsN => "r is the group order n",
            Scalar::SEqualsN => "s is the group order n",
            Scalar::RAboveN => "r is 2^256 − 1, above n",
        }
    }

    fn apply(self, signature: &mut [u8]) {
        let (r, s) = signature.split_at_mut(32);
        match self {
            Scalar::RZero => r.fill(0),
            Scalar::SZero => s.fill(0),
            Scalar::REqualsN => r.copy_from_slice(&SM2_ORDER),
            Scalar::SEqualsN => s.copy_from_slice(&SM2_ORDER),
            Scalar::RAboveN => r.fill(0xff),
        }
    }
}

/// A device key written into a credential in place of the real one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BadPoint {
    /// `02 ‖ x` with no point on the curve.
    OffCurve,
    /// `02 ‖ ff…ff`: x is not below the field prime.
    NotFieldElement,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tamper {
    None,
    Prefix,
    Base45,
    Truncate,
    Trailing,
    UnknownSuite,
    SuiteMismatch,
    Version,
    IssuerSignature,
    DeviceSignature,
    OnBehalfMarker,
    /// The issuer signs with [`OTHER_SM2_IDENTIFIER`].
    Sm2IssuerIdentifier,
    /// The device signs with [`OTHER_SM2_IDENTIFIER`].
    Sm2DeviceIdentifier,
    /// The issuer signature's `r` or `s` out of range.
    IssuerScalar(Scalar),
    /// The device signature's `r` or `s` out of range.
    DeviceScalar(Scalar),
    /// The SM2 issuer signs a credential carrying this device key.
    DevicePoint(BadPoint),
    /// The SM2 issuer signs the credential with this device suite declared
    /// for the real device key (which signs the code).
    DeviceSuiteAs(Suite),
    /// The issuer suite nibble replaced by this suite (not re-signed).
    IssuerSuiteAs(Suite),
    /// The SM2 issuer signs a version-2 credential whose purpose field has
    /// these bits set as well.
    PurposeBits(u16),
    /// The SM2 issuer signs a version-2 credential carrying the corpus's
    /// affiliation (whatever its purposes).
    AffiliationAdded,
    /// The SM2 issuer signs a version-2 credential carrying the region
    /// (whatever its purposes).
    RegionAdded,
    /// The SM2 issuer signs the credential under the other version's
    /// context string.
    OtherContext,
}

impl Recipe {
    fn valid(name: &str, issuer_suite: Suite, device_suite: Suite, purpose: Purpose) -> Recipe {
        Recipe {
            name: name.to_owned(),
            description: String::new(),
            issuer_suite,
            device_suite,
            purpose,
            purposes: group_of(purpose),
            role: HolderRole::Holder,
            not_before: VECTOR_NOW - 3_600,
            lifetime_minutes: 48 * 60,
            issued_at: VECTOR_NOW - 5,
            accepted: PurposeSet::of(&[purpose]),
            scans: 1,
            status: StatusSetting::Clear,
            require_status: false,
            stranger_issuer: false,
            tamper: Tamper::None,
            affiliation: group_of(purpose)
                .is_campus_only()
                .then_some(AFFILIATION)
                .and_then(Affiliation::new),
            school: None,
        }
    }

    fn describe(mut self, description: &str) -> Recipe {
        self.description = description.to_owned();
        self
    }
}

/// The disclosure group the platform issues `purpose` in.
fn group_of(purpose: Purpose) -> PurposeSet {
    disclosure_groups()
        .into_iter()
        .find(|group| group.contains(purpose))
        .unwrap_or_else(|| PurposeSet::of(&[purpose]))
}

fn recipes() -> Vec<(Recipe, Expected)> {
    let mut out = Vec::new();
    for issuer_suite in Suite::ALL {
        for device_suite in Suite::ALL {
            for purpose in Purpose::ALL {
                let name = format!(
                    "valid-{}-issuer-{}-device-{}",
                    purpose.name().replace('_', "-"),
                    issuer_suite.name(),
                    device_suite.name()
                );
                let recipe = Recipe::valid(&name, issuer_suite, device_suite, purpose).describe(
                    "A fresh code from the holder's own device, status list installed and clear.",
                );
                out.push((
                    recipe,
                    Expected::Valid {
                        on_behalf: HolderRole::Holder,
                        disclosure: disclosure_for(purpose),
                    },
                ));
            }
        }
    }
    let base = |name: &str, description: &str| {
        Recipe::valid(name, Suite::Ed25519, Suite::EcdsaP256, Purpose::Transport)
            .describe(description)
    };
    let error = |code: &str| Expected::Error {
        error: code.to_owned(),
    };

    let mut proxy_medical = Recipe::valid(
        "valid-proxy-medical",
        Suite::Ed25519,
        Suite::EcdsaP256,
        Purpose::Medical,
    )
    .describe(
        "A family proxy shows an elderly relative's medical code: accepted, marked on-behalf.",
    );
    proxy_medical.role = HolderRole::Proxy;
    out.push((
        proxy_medical,
        Expected::Valid {
            on_behalf: HolderRole::Proxy,
            disclosure: disclosure_for(Purpose::Medical),
        },
    ));

    let mut guardian = base(
        "valid-guardian-transport",
        "A guardian shows a child's transport code: accepted.",
    );
    guardian.role = HolderRole::Guardian;
    out.push((
        guardian,
        Expected::Valid {
            on_behalf: HolderRole::Guardian,
            disclosure: disclosure_for(Purpose::Transport),
        },
    ));

    let mut unchecked = base(
        "valid-without-status-list",
        "No status list installed and none required: accepted, status unchecked.",
    );
    unchecked.status = StatusSetting::None;
    out.push((
        unchecked,
        Expected::Valid {
            on_behalf: HolderRole::Holder,
            disclosure: disclosure_for(Purpose::Transport),
        },
    ));

    let tampered = |name: &str, description: &str, tamper: Tamper| {
        let mut recipe = base(name, description);
        recipe.tamper = tamper;
        recipe
    };
    out.push((
        tampered(
            "invalid-bad-prefix",
            "The prefix is not EC1:.",
            Tamper::Prefix,
        ),
        error("bad_prefix"),
    ));
    out.push((
        tampered(
            "invalid-bad-base45",
            "A character outside the base45 alphabet.",
            Tamper::Base45,
        ),
        error("bad_encoding"),
    ));
    out.push((
        tampered(
            "invalid-truncated",
            "The last ten bytes are missing.",
            Tamper::Truncate,
        ),
        error("truncated"),
    ));
    out.push((
        tampered(
            "invalid-trailing-bytes",
            "Two bytes follow the signature.",
            Tamper::Trailing,
        ),
        error("trailing_bytes"),
    ));
    out.push((
        tampered(
            "invalid-unknown-suite",
            "The issuer suite id is 4 (not assigned).",
            Tamper::UnknownSuite,
        ),
        error("unknown_suite"),
    ));
    out.push((
        tampered(
            "invalid-suite-mismatch",
            "The credential claims P-256 for an Ed25519 issuer key (downgrade attempt).",
            Tamper::SuiteMismatch,
        ),
        error("suite_mismatch"),
    ));
    out.push((
        tampered(
            "invalid-unsupported-version",
            "Format version 3 (not defined).",
            Tamper::Version,
        ),
        error("unsupported_version"),
    ));
    out.push((
        tampered(
            "invalid-bad-issuer-signature",
            "One bit of the issuer signature flipped.",
            Tamper::IssuerSignature,
        ),
        error("bad_issuer_signature"),
    ));
    out.push((
        tampered(
            "invalid-bad-device-signature",
            "One bit of the device signature flipped.",
            Tamper::DeviceSignature,
        ),
        error("bad_device_signature"),
    ));
    out.push((
        tampered(
            "invalid-on-behalf-mismatch",
            "A holder credential presented with a proxy marker, correctly signed by the device.",
            Tamper::OnBehalfMarker,
        ),
        error("on_behalf_mismatch"),
    ));

    let mut stranger = base(
        "invalid-unknown-key-id",
        "Signed by an issuer key that is not in the trust list.",
    );
    stranger.stranger_issuer = true;
    out.push((stranger, error("unknown_key_id")));

    let mut early_key = base(
        "invalid-issuer-key-not-valid",
        "The credential starts before the issuer key's issuing window.",
    );
    early_key.not_before = KEY_WINDOW_START - 3_600;
    early_key.lifetime_minutes = u16::MAX;
    early_key.issued_at = VECTOR_NOW - 5;
    out.push((early_key, error("issuer_key_not_valid")));

    let mut expired = base(
        "invalid-credential-expired",
        "The credential ended two hours ago.",
    );
    expired.not_before = VECTOR_NOW - 50 * 3_600;
    expired.issued_at = VECTOR_NOW - 2 * 3_600 - 60;
    out.push((expired, error("credential_expired")));

    let mut not_yet = base(
        "invalid-credential-not-yet-valid",
        "The credential starts in an hour.",
    );
    not_yet.not_before = VECTOR_NOW + 3_600;
    not_yet.issued_at = VECTOR_NOW + 3_600;
    out.push((not_yet, error("credential_not_yet_valid")));

    let mut old_code = base(
        "invalid-presentation-expired",
        "The code was made 120 s ago (lifetime 60 s, skew 30 s).",
    );
    old_code.issued_at = VECTOR_NOW - 120;
    out.push((old_code, error("presentation_expired")));

    let mut future_code = base(
        "invalid-presentation-from-future",
        "The code is dated 120 s ahead (skew 30 s).",
    );
    future_code.issued_at = VECTOR_NOW + 120;
    out.push((future_code, error("presentation_from_future")));

    let mut outside = base(
        "invalid-presentation-outside-credential",
        "The credential starts 20 s from now (inside the skew) but the code is dated now, before it; an honest device would not sign it.",
    );
    outside.not_before = VECTOR_NOW + 20;
    outside.issued_at = VECTOR_NOW;
    out.push((outside, error("presentation_outside_credential")));

    let mut replay = base(
        "invalid-replayed",
        "The same code scanned twice: the second scan is refused.",
    );
    replay.scans = 2;
    out.push((replay, error("replayed")));

    let mut revoked = base(
        "invalid-revoked",
        "The status list has the credential's bit set (loss report).",
    );
    revoked.status = StatusSetting::Revoked;
    out.push((revoked, error("revoked")));

    let mut no_status = base(
        "invalid-status-unavailable",
        "The terminal requires a status list and has none.",
    );
    no_status.status = StatusSetting::None;
    no_status.require_status = true;
    out.push((no_status, error("status_unavailable")));

    let mut wrong_purpose = Recipe::valid(
        "invalid-wrong-purpose",
        Suite::Ed25519,
        Suite::EcdsaP256,
        Purpose::Medical,
    )
    .describe("A medical code scanned at a transport gate.");
    wrong_purpose.accepted = PurposeSet::of(&[Purpose::Transport]);
    out.push((wrong_purpose, error("wrong_purpose")));

    let mut not_granted = base(
        "invalid-purpose-not-granted",
        "A transport code from a credential that grants only medical and identity.",
    );
    not_granted.purposes = PurposeSet::of(&[Purpose::Medical, Purpose::Identity]);
    out.push((not_granted, error("purpose_not_granted")));

    let mut proxy_transport = base(
        "invalid-proxy-refused",
        "A family proxy shows a relative's code at a transport gate.",
    );
    proxy_transport.role = HolderRole::Proxy;
    out.push((proxy_transport, error("on_behalf_refused")));

    out.extend(sm2_recipes());
    out.extend(version_2_recipes());
    out
}

/// Format version 2: a school's terminal, and the refusals of the new
/// fields (every byte of a code is hostile).
fn version_2_recipes() -> Vec<(Recipe, Expected)> {
    let error = |code: &str| Expected::Error {
        error: code.to_owned(),
    };
    let school = Affiliation::new(AFFILIATION);
    let other_school = Affiliation::new(OTHER_AFFILIATION);
    let sm2 = |name: &str, purpose: Purpose, description: &str, tamper: Tamper| {
        let mut recipe = Recipe::valid(name, Suite::Sm2, Suite::Sm2, purpose).describe(description);
        recipe.tamper = tamper;
        recipe
    };
    let mut out = Vec::new();

    for purpose in [Purpose::CampusEntry, Purpose::Library] {
        let slug = purpose.name().replace('_', "-");
        let mut own = sm2(
            &format!("valid-{slug}-at-own-school"),
            purpose,
            "A student's campus code at a terminal of the school the credential names.",
            Tamper::None,
        );
        own.school = school;
        out.push((
            own,
            Expected::Valid {
                on_behalf: HolderRole::Holder,
                disclosure: disclosure_for(purpose),
            },
        ));
        let mut other = sm2(
            &format!("invalid-{slug}-wrong-affiliation"),
            purpose,
            "A student's campus code at a terminal of another school.",
            Tamper::None,
        );
        other.school = other_school;
        out.push((other, error("wrong_affiliation")));
    }
    let mut none = sm2(
        "invalid-campus-entry-no-affiliation-at-school",
        Purpose::CampusEntry,
        "A campus code whose credential names no school, at a school's gate.",
        Tamper::None,
    );
    none.affiliation = None;
    none.school = school;
    out.push((none, error("wrong_affiliation")));
    let mut anywhere = sm2(
        "valid-campus-entry-without-affiliation",
        Purpose::CampusEntry,
        "A campus code whose credential names no school, at a gate that checks none.",
        Tamper::None,
    );
    anywhere.affiliation = None;
    out.push((
        anywhere,
        Expected::Valid {
            on_behalf: HolderRole::Holder,
            disclosure: Disclosure::CampusEntry {
                concession: ConcessionClass::Student,
                affiliation: None,
            },
        },
    ));

    out.push((
        sm2(
            "invalid-v2-undefined-purpose-bit",
            Purpose::EducationExam,
            "A version-2 credential, signed by its issuer, whose purpose field also sets bit 8 (purpose 9, not defined).",
            Tamper::PurposeBits(1 << 8),
        ),
        error("undefined_value"),
    ));
    out.push((
        sm2(
            "invalid-v2-reserved-purpose-bit",
            Purpose::EducationExam,
            "A version-2 credential, signed by its issuer, whose purpose field also sets bit 15 (purpose 16, which no presentation can name).",
            Tamper::PurposeBits(1 << 15),
        ),
        error("undefined_value"),
    ));
    out.push((
        sm2(
            "invalid-v2-affiliation-on-exams",
            Purpose::EducationExam,
            "An examination credential (not a campus one), signed by its issuer, carrying a school affiliation.",
            Tamper::AffiliationAdded,
        ),
        error("undefined_value"),
    ));
    out.push((
        sm2(
            "invalid-v2-region-on-campus",
            Purpose::CampusEntry,
            "A campus credential, signed by its issuer, carrying the holder's region.",
            Tamper::RegionAdded,
        ),
        error("undefined_value"),
    ));
    let mut v1_for_campus = sm2(
        "invalid-v1-presented-for-campus-entry",
        Purpose::CampusEntry,
        "A version-1 (transport) credential in a code the device signed for campus entry (purpose 5): undefined after a version-1 credential.",
        Tamper::None,
    );
    v1_for_campus.purposes = group_of(Purpose::Transport);
    v1_for_campus.affiliation = None;
    out.push((v1_for_campus, error("undefined_value")));
    out.push((
        sm2(
            "invalid-v1-signed-with-v2-context",
            Purpose::Transport,
            "A version-1 credential the issuer signed under the version-2 context string ecard-credential-v2.",
            Tamper::OtherContext,
        ),
        error("bad_issuer_signature"),
    ));
    out.push((
        sm2(
            "invalid-v2-signed-with-v1-context",
            Purpose::EducationExam,
            "A version-2 credential the issuer signed under the version-1 context string ecard-credential-v1.",
            Tamper::OtherContext,
        ),
        error("bad_issuer_signature"),
    ));
    out
}

/// The SM2 classes: phones pair an SM2 issuer with P-256 device keys
/// (Android, iOS) and with SM2 device keys (HarmonyOS HUKS).
fn sm2_recipes() -> Vec<(Recipe, Expected)> {
    let error = |code: &str| Expected::Error {
        error: code.to_owned(),
    };
    let sm2 = |name: &str, device_suite: Suite, description: &str, tamper: Tamper| {
        let mut recipe =
            Recipe::valid(name, Suite::Sm2, device_suite, Purpose::Transport).describe(description);
        recipe.tamper = tamper;
        recipe
    };
    let mut out = Vec::new();

    let mut proxy = Recipe::valid(
        "valid-proxy-medical-issuer-sm2-device-sm2",
        Suite::Sm2,
        Suite::Sm2,
        Purpose::Medical,
    )
    .describe("A family proxy shows a relative's medical code from a HarmonyOS phone (SM2 device key), SM2 issuer.");
    proxy.role = HolderRole::Proxy;
    out.push((
        proxy,
        Expected::Valid {
            on_behalf: HolderRole::Proxy,
            disclosure: disclosure_for(Purpose::Medical),
        },
    ));
    let mut revoked = sm2(
        "invalid-sm2-revoked",
        Suite::Sm2,
        "SM2 issuer and device; the status list, signed by the SM2 issuer key, has the credential's bit set.",
        Tamper::None,
    );
    revoked.status = StatusSetting::Revoked;
    out.push((revoked, error("revoked")));

    out.push((
        sm2(
            "invalid-sm2-issuer-wrong-identifier",
            Suite::EcdsaP256,
            "The SM2 issuer signed the credential with the identifier ALICE123@YAHOO.COM, not 1234567812345678.",
            Tamper::Sm2IssuerIdentifier,
        ),
        error("bad_issuer_signature"),
    ));
    out.push((
        sm2(
            "invalid-sm2-device-wrong-identifier",
            Suite::Sm2,
            "The SM2 device key signed the code with the identifier ALICE123@YAHOO.COM, not 1234567812345678.",
            Tamper::Sm2DeviceIdentifier,
        ),
        error("bad_device_signature"),
    ));
    for scalar in Scalar::ALL {
        out.push((
            sm2(
                &format!("invalid-sm2-issuer-signature-{}", scalar.name()),
                Suite::EcdsaP256,
                &format!("The SM2 issuer signature's {}.", scalar.describe()),
                Tamper::IssuerScalar(scalar),
            ),
            error("bad_issuer_signature"),
        ));
        out.push((
            sm2(
                &format!("invalid-sm2-device-signature-{}", scalar.name()),
                Suite::Sm2,
                &format!("The SM2 device signature's {}.", scalar.describe()),
                Tamper::DeviceScalar(scalar),
            ),
            error("bad_device_signature"),
        ));
    }
    out.push((
        sm2(
            "invalid-sm2-device-key-off-curve",
            Suite::Sm2,
            "The SM2 issuer signed a credential whose SM2 device key 02 ‖ x has no point on the curve.",
            Tamper::DevicePoint(BadPoint::OffCurve),
        ),
        error("bad_public_key"),
    ));
    out.push((
        sm2(
            "invalid-sm2-device-key-not-field-element",
            Suite::Sm2,
            "The SM2 issuer signed a credential whose SM2 device key is 02 ‖ ff…ff (x not below the field prime).",
            Tamper::DevicePoint(BadPoint::NotFieldElement),
        ),
        error("bad_public_key"),
    ));
    out.push((
        sm2(
            "invalid-sm2-device-key-declared-p256",
            Suite::Sm2,
            "Suite confusion: an SM2 device key (a point that is also on P-256) declared as P-256 (suite 2) in a credential the issuer signed; the code carries the SM2 device signature.",
            Tamper::DeviceSuiteAs(Suite::EcdsaP256),
        ),
        error("bad_device_signature"),
    ));
    out.push((
        sm2(
            "invalid-p256-device-key-declared-sm2",
            Suite::EcdsaP256,
            "Suite confusion: a P-256 device key (a point that is also on the SM2 curve) declared as SM2 (suite 3) in a credential the issuer signed; the code carries the P-256 device signature.",
            Tamper::DeviceSuiteAs(Suite::Sm2),
        ),
        error("bad_device_signature"),
    ));
    out.push((
        sm2(
            "invalid-sm2-issuer-declared-p256",
            Suite::EcdsaP256,
            "Suite confusion: a credential of the SM2 issuer key declares P-256 (suite 2) as the issuer suite.",
            Tamper::IssuerSuiteAs(Suite::EcdsaP256),
        ),
        error("suite_mismatch"),
    ));
    let mut p256_as_sm2 = Recipe::valid(
        "invalid-p256-issuer-declared-sm2",
        Suite::EcdsaP256,
        Suite::EcdsaP256,
        Purpose::Transport,
    )
    .describe("Suite confusion: a credential of the P-256 issuer key declares SM2 (suite 3) as the issuer suite.");
    p256_as_sm2.tamper = Tamper::IssuerSuiteAs(Suite::Sm2);
    out.push((p256_as_sm2, error("suite_mismatch")));
    out
}

fn disclosure_for(purpose: Purpose) -> Disclosure {
    let handle = HANDLE;
    let region = RegionCode::new(REGION);
    let affiliation = Affiliation::new(AFFILIATION);
    match purpose {
        Purpose::CampusEntry => Disclosure::CampusEntry {
            concession: ConcessionClass::Student,
            affiliation,
        },
        Purpose::Library => Disclosure::Library {
            handle,
            concession: ConcessionClass::Student,
            affiliation,
        },
        Purpose::EducationExam => Disclosure::EducationExam { handle, region },
        Purpose::PersonnelExam => Disclosure::PersonnelExam { handle, region },
        Purpose::Transport => Disclosure::Transport {
            concession: ConcessionClass::Senior,
        },
        Purpose::Medical => Disclosure::Medical { handle, region },
        Purpose::Identity => Disclosure::Identity { handle, region },
        Purpose::CultureTourism => Disclosure::CultureTourism {
            concession: ConcessionClass::Senior,
        },
    }
}

const HANDLE: Handle = Handle([0x5e, 0xc0, 0x4d, 0x11, 0x2a, 0x7b, 0x90, 0x03]);
const STATUS_INDEX: u32 = 4_242;

/// Generates the whole corpus with fresh P-256 keys.
pub fn generate() -> Result<Vec<TestVector>, String> {
    let keys = Keys::new()?;
    let trust_list = keys.trust_list();
    recipes()
        .into_iter()
        .map(|(recipe, expected)| {
            let code = build_code(&keys, &recipe)?;
            let status_list = match recipe.status {
                StatusSetting::None => None,
                setting => Some(STANDARD.encode(status_list(
                    &keys,
                    setting == StatusSetting::Revoked,
                    recipe.issuer_suite,
                )?)),
            };
            Ok(TestVector {
                format: VECTOR_FORMAT.to_owned(),
                name: recipe.name.clone(),
                description: recipe.description.clone(),
                code,
                trust_list: trust_list.clone(),
                status_list,
                verifier: VectorVerifier {
                    now: VECTOR_NOW,
                    accepted_purposes: recipe.accepted,
                    clock_skew_seconds: 30,
                    code_lifetime_seconds: 60,
                    require_status: recipe.require_status,
                    affiliation: recipe.school,
                },
                scans: recipe.scans,
                expected,
            })
        })
        .collect()
}

/// The status list, signed by the SM2 issuer for SM2 issuers' codes and by
/// the Ed25519 issuer for the others.
fn status_list(keys: &Keys, revoked: bool, issuer_suite: Suite) -> Result<Vec<u8>, String> {
    let mut list = StatusList::new(0, 65_536).map_err(|error| error.to_string())?;
    for index in (0..65_536).step_by(97) {
        list.set_revoked(index, true)
            .map_err(|error| error.to_string())?;
    }
    list.set_revoked(STATUS_INDEX, revoked)
        .map_err(|error| error.to_string())?;
    list.sequence = 7;
    list.issued_at = VECTOR_NOW - 600;
    list.valid_until = VECTOR_NOW + 86_400;
    let signer = if issuer_suite == Suite::Sm2 {
        Suite::Sm2
    } else {
        Suite::Ed25519
    };
    list.sign(keys.issuer(signer))
        .map_err(|error| error.to_string())
}

fn build_code(keys: &Keys, recipe: &Recipe) -> Result<String, String> {
    let alias = recipe.device_suite.name();
    let device_key = keys
        .device_store
        .public_key(alias)
        .map_err(|error| error.to_string())?;
    let claims = CredentialClaims {
        handle: HANDLE,
        not_before: recipe.not_before,
        lifetime_minutes: recipe.lifetime_minutes,
        status: StatusReference {
            list: 0,
            index: STATUS_INDEX,
        },
        // Campus credentials are students'.
        concession: if recipe.purposes.is_campus_only() {
            ConcessionClass::Student
        } else {
            ConcessionClass::Senior
        },
        purposes: recipe.purposes,
        role: recipe.role,
        region: recipe
            .purposes
            .iter()
            .all(Purpose::may_disclose_region)
            .then_some(REGION)
            .and_then(RegionCode::new),
        affiliation: recipe.affiliation,
    };
    let issuer = if recipe.stranger_issuer {
        &keys.stranger
    } else {
        keys.issuer(recipe.issuer_suite)
    };
    let credential = issuer
        .issue(&claims, &device_key)
        .map_err(|error| error.to_string())?;
    let credential_bytes = tamper_credential(keys, recipe, &credential)?;
    let honest = credential.claims.is_valid_at(recipe.issued_at)
        && credential.grants(recipe.purpose)
        && recipe.tamper != Tamper::OnBehalfMarker
        && credential_bytes == credential.as_bytes();
    let mut bytes = if !honest {
        let marker_role = if recipe.tamper == Tamper::OnBehalfMarker {
            HolderRole::Proxy
        } else {
            recipe.role
        };
        sign_raw(
            keys,
            alias,
            recipe.device_suite,
            &credential_bytes,
            recipe.purpose,
            marker_role,
            recipe.issued_at,
        )?
    } else {
        let request = PresentationRequest {
            purpose: recipe.purpose,
            issued_at: recipe.issued_at,
            counter: 17,
        };
        present(&credential, &request, &keys.device_store, alias)
            .map_err(|error| format!("{}: {error}", recipe.name))?
            .as_bytes()
            .to_vec()
    };
    let credential_len = credential.as_bytes().len();
    let device_signature = bytes.len() - SIGNATURE_LEN;
    match recipe.tamper {
        Tamper::None
        | Tamper::Prefix
        | Tamper::Base45
        | Tamper::OnBehalfMarker
        | Tamper::Sm2IssuerIdentifier
        | Tamper::IssuerScalar(_)
        | Tamper::DevicePoint(_)
        | Tamper::DeviceSuiteAs(_)
        | Tamper::PurposeBits(_)
        | Tamper::AffiliationAdded
        | Tamper::RegionAdded
        | Tamper::OtherContext => {}
        Tamper::Sm2DeviceIdentifier => {
            if recipe.device_suite != Suite::Sm2 {
                return Err(format!("{}: not an SM2 device", recipe.name));
            }
            let message = [PRESENTATION_CONTEXT, &bytes[..device_signature]].concat();
            let signature =
                sm2_sign_with_identifier(&keys.sm2_device_scalar, OTHER_SM2_IDENTIFIER, &message)?;
            bytes[device_signature..].copy_from_slice(&signature);
        }
        Tamper::DeviceScalar(scalar) => scalar.apply(&mut bytes[device_signature..]),
        Tamper::Truncate => bytes.truncate(bytes.len() - 10),
        Tamper::Trailing => bytes.extend_from_slice(&[0, 0]),
        Tamper::UnknownSuite => bytes[1] = (4 << 4) | (bytes[1] & 0x0F),
        Tamper::IssuerSuiteAs(suite) => bytes[1] = (suite.id() << 4) | (bytes[1] & 0x0F),
        Tamper::SuiteMismatch => bytes[1] = (Suite::EcdsaP256.id() << 4) | (bytes[1] & 0x0F),
        Tamper::Version => bytes[0] = 3,
        Tamper::IssuerSignature => bytes[credential_len - 1] ^= 0x01,
        Tamper::DeviceSignature => {
            let last = bytes.len() - 1;
            bytes[last] ^= 0x01;
        }
    }
    let mut code = encode_code(&bytes);
    match recipe.tamper {
        Tamper::Prefix => code.replace_range(0..4, "EC2:"),
        Tamper::Base45 => code.replace_range(10..11, "a"),
        _ => {}
    }
    Ok(code)
}

/// The credential's bytes as the recipe wants them: the issued credential,
/// or one the SM2 issuer key signs (again, or with another identifier) after
/// a change `IssuerKey::issue` would not make, or with a scalar of its
/// signature out of range.
fn tamper_credential(
    keys: &Keys,
    recipe: &Recipe,
    credential: &Credential,
) -> Result<Vec<u8>, String> {
    let bytes = credential.as_bytes();
    let signed_len = bytes.len() - SIGNATURE_LEN;
    let mut signed = bytes[..signed_len].to_vec();
    let key_at = signed_len - recipe.device_suite.wire_key_len();
    let mut other_identifier = false;
    let version_2 = signed.first() == Some(&2);
    let mut context = if version_2 {
        CREDENTIAL_CONTEXT_V2
    } else {
        CREDENTIAL_CONTEXT
    };
    // Version 2's fields: purposes at 25..27, region 28..31, affiliation 31..34.
    let need_version_2 = || {
        if version_2 {
            Ok(())
        } else {
            Err(format!("{}: not a version-2 credential", recipe.name))
        }
    };
    match recipe.tamper {
        Tamper::Sm2IssuerIdentifier => other_identifier = true,
        Tamper::PurposeBits(bits) => {
            need_version_2()?;
            let purposes = u16::from_be_bytes([signed[25], signed[26]]) | bits;
            signed[25..27].copy_from_slice(&purposes.to_be_bytes());
        }
        Tamper::RegionAdded => {
            need_version_2()?;
            signed[28..31].copy_from_slice(&REGION.to_be_bytes()[1..]);
        }
        Tamper::AffiliationAdded => {
            need_version_2()?;
            signed[31..34].copy_from_slice(&AFFILIATION.to_be_bytes()[1..]);
        }
        Tamper::OtherContext => {
            context = if version_2 {
                CREDENTIAL_CONTEXT
            } else {
                CREDENTIAL_CONTEXT_V2
            };
        }
        Tamper::IssuerScalar(scalar) => {
            let mut signature = bytes[signed_len..].to_vec();
            scalar.apply(&mut signature);
            return Ok([signed, signature].concat());
        }
        Tamper::DevicePoint(point) => {
            let point = match point {
                BadPoint::OffCurve => sm2_off_curve_point()?,
                BadPoint::NotFieldElement => {
                    let mut point = [0xff; 33];
                    point[0] = 0x02;
                    point
                }
            };
            signed[key_at..].copy_from_slice(&point);
        }
        Tamper::DeviceSuiteAs(suite) => {
            if suite.wire_key_len() != recipe.device_suite.wire_key_len() {
                return Err(format!("{}: key lengths differ", recipe.name));
            }
            signed[1] = (signed[1] & 0xF0) | suite.id();
        }
        _ => return Ok(bytes.to_vec()),
    }
    if recipe.issuer_suite != Suite::Sm2 {
        return Err(format!("{}: not an SM2 issuer", recipe.name));
    }
    let message = [context, &signed].concat();
    let signature = if other_identifier {
        sm2_sign_with_identifier(&SM2_ISSUER_SCALAR, OTHER_SM2_IDENTIFIER, &message)?
    } else {
        keys.sm2_issuer
            .sign(&message)
            .map_err(|error| error.to_string())?
    };
    Ok([signed.as_slice(), &signature].concat())
}

/// Signs a presentation without the holder-side checks, to build codes an
/// honest device would not make.
fn sign_raw(
    keys: &Keys,
    alias: &str,
    device_suite: Suite,
    credential: &[u8],
    purpose: Purpose,
    marker: HolderRole,
    issued_at: u64,
) -> Result<Vec<u8>, String> {
    let mut bytes = credential.to_vec();
    bytes.push(purpose.id() | (marker.id() << 4));
    bytes.extend_from_slice(
        &u32::try_from(issued_at)
            .map_err(|error| error.to_string())?
            .to_be_bytes(),
    );
    bytes.extend_from_slice(&[0, 0, 17]);
    let message = [PRESENTATION_CONTEXT, &bytes].concat();
    let signature = keys
        .device_store
        .sign(alias, &message)
        .map_err(|error| error.to_string())?;
    let signature = ecard_credential::suite::normalize_signature(device_suite, &signature)
        .map_err(|error| error.to_string())?;
    bytes.extend_from_slice(&signature);
    Ok(bytes)
}
