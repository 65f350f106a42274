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
//! those codes but never their expected results.
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
    ConcessionClass, Handle, HolderRole, Purpose, PurposeSet, RegionCode, StatusReference,
};
use ecard_credential::credential::{Credential, CredentialClaims};
use ecard_credential::keys::{IssuerKey, KeyStore, SoftwareKey, SoftwareKeyStore};
use ecard_credential::presentation::{
    PRESENTATION_CONTEXT, PresentationRequest, encode_code, present,
};
use ecard_credential::status::StatusList;
use ecard_credential::suite::Suite;
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

const ISSUER: &str = "CN-360000";
const REGION: u32 = 360_100;
const KEY_WINDOW_START: u64 = VECTOR_NOW - 30 * 86_400;
const KEY_WINDOW_END: u64 = VECTOR_NOW + 335 * 86_400;

/// Key material of a generation run.
struct Keys {
    issuers: Vec<IssuerKey>,
    stranger: IssuerKey,
    device_store: SoftwareKeyStore,
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
            .generate_key("p256", Suite::EcdsaP256)
            .map_err(|error| error.to_string())?;
        Ok(Keys {
            issuers: vec![
                IssuerKey::new(0x3600_0001, ed25519),
                IssuerKey::new(0x3600_0002, p256),
            ],
            stranger: IssuerKey::new(0x3600_0099, stranger),
            device_store,
        })
    }

    fn issuer(&self, suite: Suite) -> &IssuerKey {
        let index = usize::from(suite == Suite::EcdsaP256);
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
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum StatusSetting {
    None,
    Clear,
    Revoked,
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
        }
    }

    fn describe(mut self, description: &str) -> Recipe {
        self.description = description.to_owned();
        self
    }
}

fn group_of(purpose: Purpose) -> PurposeSet {
    if purpose.may_disclose_region() {
        PurposeSet::of(&[Purpose::Medical, Purpose::Identity])
    } else {
        PurposeSet::of(&[Purpose::Transport, Purpose::CultureTourism])
    }
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
            "The issuer suite id is 3 (reserved for SM2/SM3, not implemented).",
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
            "Format version 2.",
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

    out
}

fn disclosure_for(purpose: Purpose) -> Disclosure {
    let handle = HANDLE;
    let region = RegionCode::new(REGION);
    match purpose {
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
                setting => {
                    Some(STANDARD.encode(status_list(&keys, setting == StatusSetting::Revoked)?))
                }
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
                },
                scans: recipe.scans,
                expected,
            })
        })
        .collect()
}

fn status_list(keys: &Keys, revoked: bool) -> Result<Vec<u8>, String> {
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
    list.sign(keys.issuer(Suite::Ed25519))
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
        concession: ConcessionClass::Senior,
        purposes: recipe.purposes,
        role: recipe.role,
        region: recipe
            .purposes
            .iter()
            .all(Purpose::may_disclose_region)
            .then_some(REGION)
            .and_then(RegionCode::new),
    };
    let issuer = if recipe.stranger_issuer {
        &keys.stranger
    } else {
        keys.issuer(recipe.issuer_suite)
    };
    let credential = issuer
        .issue(&claims, &device_key)
        .map_err(|error| error.to_string())?;
    let honest = credential.claims.is_valid_at(recipe.issued_at)
        && credential.grants(recipe.purpose)
        && recipe.tamper != Tamper::OnBehalfMarker;
    let mut bytes = if !honest {
        let marker_role = if recipe.tamper == Tamper::OnBehalfMarker {
            HolderRole::Proxy
        } else {
            recipe.role
        };
        sign_raw(
            keys,
            alias,
            &credential,
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
    match recipe.tamper {
        Tamper::None | Tamper::Prefix | Tamper::Base45 | Tamper::OnBehalfMarker => {}
        Tamper::Truncate => bytes.truncate(bytes.len() - 10),
        Tamper::Trailing => bytes.extend_from_slice(&[0, 0]),
        Tamper::UnknownSuite => bytes[1] = (3 << 4) | (bytes[1] & 0x0F),
        Tamper::SuiteMismatch => bytes[1] = (Suite::EcdsaP256.id() << 4) | (bytes[1] & 0x0F),
        Tamper::Version => bytes[0] = 2,
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

/// Signs a presentation without the holder-side checks, to build codes an
/// honest device would not make.
fn sign_raw(
    keys: &Keys,
    alias: &str,
    credential: &Credential,
    purpose: Purpose,
    marker: HolderRole,
    issued_at: u64,
) -> Result<Vec<u8>, String> {
    let mut bytes = credential.as_bytes().to_vec();
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
    let signature =
        ecard_credential::suite::normalize_signature(credential.device_suite, &signature)
            .map_err(|error| error.to_string())?;
    bytes.extend_from_slice(&signature);
    Ok(bytes)
}
