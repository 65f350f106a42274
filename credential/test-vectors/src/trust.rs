//! Signed trust-list vectors: a terminal's pinned authority keys, the
//! editions it installed before, the document it is offered, its clock, and
//! the expected outcome (installed with its sequence and the authority keys
//! pinned after, or the stable error code).
//!
//! They live in `credential/tests/vectors/trust-lists/`, one file each.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use ecard_credential::keys::{IssuerKey, SoftwareKey};
use ecard_credential::suite::Suite;
use ecard_credential::trust::{
    AuthorityKey, SignedTrustList, TRUST_LIST_CLOCK_SKEW_SECONDS, TRUST_LIST_CONTEXT, TrustAnchor,
    TrustAuthority, TrustList, TrustedKey,
};

use crate::VECTOR_NOW;

/// Format name of a trust-list vector file.
pub const TRUST_VECTOR_FORMAT: &str = "ecard-trust-list-test-vector";

/// The directory of trust-list vectors under the corpus directory.
pub const TRUST_VECTOR_DIRECTORY: &str = "trust-lists";

/// One trust-list vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustListVector {
    /// Always `ecard-trust-list-test-vector`.
    pub format: String,
    /// Unique name, also the file name.
    pub name: String,
    /// What the vector exercises.
    pub description: String,
    /// The authority keys the terminal was provisioned with.
    pub pinned: Vec<AuthorityKey>,
    /// The lowest sequence the terminal was provisioned to accept.
    pub minimum_sequence: u64,
    /// Signed lists installed first, in order (each must install).
    pub installed: Vec<SignedTrustList>,
    /// The terminal's clock, Unix seconds.
    pub now: u64,
    /// The document offered, as received (a signed envelope, or not).
    pub offered: Value,
    /// The expected outcome.
    pub expected: TrustExpected,
}

/// The expected outcome of offering a trust list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum TrustExpected {
    /// The list is installed.
    Installed {
        /// Its sequence.
        sequence: u64,
        /// The ids of the authority keys pinned afterwards, eight hex digits.
        pinned: Vec<String>,
    },
    /// The list is refused with this stable error code.
    Error {
        /// The error code.
        error: String,
    },
}

impl TrustListVector {
    /// Runs the vector; `Err` describes a mismatch.
    pub fn check(&self) -> Result<(), String> {
        if self.format != TRUST_VECTOR_FORMAT {
            return Err(format!("{}: not a trust-list vector", self.name));
        }
        let mut anchor =
            TrustAnchor::new(self.pinned.clone()).with_minimum_sequence(self.minimum_sequence);
        for (index, signed) in self.installed.iter().enumerate() {
            anchor
                .install(signed, self.now)
                .map_err(|error| format!("{}: installed list {index}: {error}", self.name))?;
        }
        let actual = match SignedTrustList::from_json(&self.offered.to_string())
            .and_then(|signed| anchor.install(&signed, self.now).map(|list| list.sequence))
        {
            Ok(sequence) => TrustExpected::Installed {
                sequence,
                pinned: anchor
                    .pinned()
                    .iter()
                    .map(|key| format!("{:08x}", key.key_id))
                    .collect(),
            },
            Err(error) => TrustExpected::Error {
                error: error.code().to_owned(),
            },
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

const DAY: u64 = 86_400;

struct Authorities {
    a: TrustAuthority,
    b: TrustAuthority,
    p256: TrustAuthority,
    sm2: TrustAuthority,
    stranger: TrustAuthority,
    issuer: TrustedKey,
}

fn seeded(seed: u8) -> Result<TrustAuthority, String> {
    Ok(TrustAuthority::new(
        SoftwareKey::ed25519_from_seed(&[seed; 32]).map_err(|error| error.to_string())?,
    ))
}

impl Authorities {
    fn new() -> Result<Authorities, String> {
        let (p256, _) =
            SoftwareKey::generate(Suite::EcdsaP256).map_err(|error| error.to_string())?;
        let issuer = IssuerKey::new(
            0x3600_0001,
            SoftwareKey::ed25519_from_seed(&[7; 32]).map_err(|error| error.to_string())?,
        );
        Ok(Authorities {
            a: seeded(0xA1)?,
            b: seeded(0xB2)?,
            p256: TrustAuthority::new(p256),
            sm2: TrustAuthority::new(
                SoftwareKey::sm2_from_scalar(&SM2_AUTHORITY_SCALAR)
                    .map_err(|error| error.to_string())?,
            ),
            stranger: seeded(0x66)?,
            issuer: TrustedKey::for_issuer_key(
                &issuer,
                "CN-360000",
                VECTOR_NOW - 30 * DAY,
                VECTOR_NOW + 335 * DAY,
            ),
        })
    }

    /// A list of the issuer key naming `authorities` with their windows.
    fn list(
        &self,
        sequence: u64,
        issued_at: u64,
        authorities: &[(&TrustAuthority, u64, u64)],
    ) -> TrustList {
        let mut list = TrustList::new(sequence, issued_at, vec![self.issuer.clone()]);
        list.authority_keys = authorities
            .iter()
            .map(|(key, from, until)| key.authority_key(*from, *until))
            .collect();
        list
    }
}

/// The scalar of the SM2 authority key.
const SM2_AUTHORITY_SCALAR: [u8; 32] = [0x5a; 32];

/// The window of a current authority key.
const FROM: u64 = VECTOR_NOW - 60 * DAY;
const UNTIL: u64 = VECTOR_NOW + 365 * DAY;

fn sign(authority: &TrustAuthority, list: &TrustList) -> Result<SignedTrustList, String> {
    authority.sign(list).map_err(|error| error.to_string())
}

fn document(signed: &SignedTrustList) -> Result<Value, String> {
    serde_json::to_value(signed).map_err(|error| error.to_string())
}

fn id(authority: &TrustAuthority) -> String {
    format!("{:08x}", authority.key_id())
}

fn error(code: &str) -> TrustExpected {
    TrustExpected::Error {
        error: code.to_owned(),
    }
}

/// Generates the trust-list vectors (the P-256 one with a fresh key).
pub fn generate_trust_lists() -> Result<Vec<TrustListVector>, String> {
    let keys = Authorities::new()?;
    let (a, b) = (&keys.a, &keys.b);
    let pin_a = vec![a.authority_key(FROM, UNTIL)];
    let list_a = keys.list(5, VECTOR_NOW - DAY, &[(a, FROM, UNTIL)]);
    let signed_a = sign(a, &list_a)?;
    let mut vectors = Vec::new();
    let mut push = |name: &str,
                    description: &str,
                    pinned: &[AuthorityKey],
                    installed: Vec<SignedTrustList>,
                    offered: Value,
                    expected: TrustExpected| {
        vectors.push(TrustListVector {
            format: TRUST_VECTOR_FORMAT.to_owned(),
            name: name.to_owned(),
            description: description.to_owned(),
            pinned: pinned.to_vec(),
            minimum_sequence: 0,
            installed,
            now: VECTOR_NOW,
            offered,
            expected,
        });
    };

    push(
        "trust-valid-ed25519",
        "A list signed by the pinned Ed25519 authority key is installed; the keys it names are pinned.",
        &pin_a,
        vec![],
        document(&signed_a)?,
        TrustExpected::Installed {
            sequence: 5,
            pinned: vec![id(a)],
        },
    );
    let p256 = &keys.p256;
    push(
        "trust-valid-p256",
        "A list signed by a pinned P-256 authority key is installed.",
        &[p256.authority_key(FROM, UNTIL)],
        vec![],
        document(&sign(
            p256,
            &keys.list(5, VECTOR_NOW - DAY, &[(p256, FROM, UNTIL)]),
        )?)?,
        TrustExpected::Installed {
            sequence: 5,
            pinned: vec![id(p256)],
        },
    );
    let sm2 = &keys.sm2;
    let pin_sm2 = vec![sm2.authority_key(FROM, UNTIL)];
    let signed_sm2 = sign(sm2, &keys.list(5, VECTOR_NOW - DAY, &[(sm2, FROM, UNTIL)]))?;
    push(
        "trust-valid-sm2",
        "A list signed by a pinned SM2 authority key (SM3, identifier 1234567812345678) is installed.",
        &pin_sm2,
        vec![],
        document(&signed_sm2)?,
        TrustExpected::Installed {
            sequence: 5,
            pinned: vec![id(sm2)],
        },
    );
    let mut other_identifier = signed_sm2.clone();
    let payload = URL_SAFE_NO_PAD
        .decode(&signed_sm2.payload)
        .map_err(|error| error.to_string())?;
    other_identifier.signature = URL_SAFE_NO_PAD.encode(crate::sm2_sign_with_identifier(
        &SM2_AUTHORITY_SCALAR,
        crate::OTHER_SM2_IDENTIFIER,
        &[TRUST_LIST_CONTEXT, payload.as_slice()].concat(),
    )?);
    push(
        "trust-invalid-sm2-wrong-identifier",
        "The pinned SM2 authority key signed the list with the identifier ALICE123@YAHOO.COM, not 1234567812345678: refused.",
        &pin_sm2,
        vec![],
        document(&other_identifier)?,
        error("bad_trust_list_signature"),
    );
    let mut sm2_as_p256 = signed_sm2.clone();
    sm2_as_p256.suite = Suite::EcdsaP256;
    push(
        "trust-invalid-sm2-declared-p256",
        "The envelope declares P-256 for the pinned SM2 authority key: refused.",
        &pin_sm2,
        vec![],
        document(&sm2_as_p256)?,
        error("authority_suite_mismatch"),
    );
    let a_ends = VECTOR_NOW - DAY / 2;
    let handover = keys.list(
        5,
        VECTOR_NOW - 2 * DAY,
        &[(a, FROM, a_ends), (b, VECTOR_NOW - 3 * DAY, UNTIL)],
    );
    let signed_handover = sign(a, &handover)?;
    push(
        "trust-valid-rotation",
        "List N, signed by A, names A and B; list N+1, signed by B, is then installed.",
        &pin_a,
        vec![signed_handover.clone()],
        document(&sign(
            b,
            &keys.list(6, VECTOR_NOW - DAY / 4, &[(b, VECTOR_NOW - 3 * DAY, UNTIL)]),
        )?)?,
        TrustExpected::Installed {
            sequence: 6,
            pinned: vec![id(b)],
        },
    );
    push(
        "trust-invalid-unsigned",
        "A plain, unsigned trust list is refused.",
        &pin_a,
        vec![],
        serde_json::to_value(&list_a).map_err(|error| error.to_string())?,
        error("unsigned_trust_list"),
    );
    let mut forged_list = list_a.clone();
    forged_list.keys.push(TrustedKey {
        key_id: 0x6666_6666,
        issuer: "CN-FORGED".into(),
        ..keys.issuer.clone()
    });
    let mut forged = sign(a, &forged_list)?;
    forged.signature = signed_a.signature.clone();
    push(
        "trust-invalid-bad-signature",
        "An issuer key added to the payload, the original signature kept: refused.",
        &pin_a,
        vec![],
        document(&forged)?,
        error("bad_trust_list_signature"),
    );
    push(
        "trust-invalid-rollback",
        "Edition 4 offered after edition 5 was installed: refused.",
        &pin_a,
        vec![signed_a.clone()],
        document(&sign(
            a,
            &keys.list(4, VECTOR_NOW - 2 * DAY, &[(a, FROM, UNTIL)]),
        )?)?,
        error("trust_list_rollback"),
    );
    push(
        "trust-invalid-rollback-same-sequence",
        "Edition 5 again but with other content: refused.",
        &pin_a,
        vec![signed_a.clone()],
        document(&sign(a, &forged_list)?)?,
        error("trust_list_rollback"),
    );
    push(
        "trust-invalid-authority-key-not-valid",
        "A list A signed after A's window (as the installed list names it) ended: refused.",
        &pin_a,
        vec![signed_handover],
        document(&sign(
            a,
            &keys.list(6, VECTOR_NOW - DAY / 4, &[(a, FROM, UNTIL)]),
        )?)?,
        error("authority_key_not_valid"),
    );
    push(
        "trust-invalid-retired-authority",
        "After a list no longer naming A is installed, a list signed by A is refused.",
        &pin_a,
        vec![sign(
            a,
            &keys.list(5, VECTOR_NOW - 2 * DAY, &[(b, FROM, UNTIL)]),
        )?],
        document(&sign(
            a,
            &keys.list(6, VECTOR_NOW - DAY, &[(a, FROM, UNTIL)]),
        )?)?,
        error("unknown_authority_key"),
    );
    let stranger = &keys.stranger;
    push(
        "trust-invalid-unknown-authority",
        "A list naming its own signer as the authority, signed by a key the terminal does not pin: refused.",
        &pin_a,
        vec![],
        document(&sign(
            stranger,
            &keys.list(9, VECTOR_NOW - DAY, &[(stranger, FROM, UNTIL)]),
        )?)?,
        error("unknown_authority_key"),
    );
    let mut confused = signed_a.clone();
    confused.suite = Suite::EcdsaP256;
    push(
        "trust-invalid-suite-mismatch",
        "The envelope declares P-256 for the pinned Ed25519 authority key: refused.",
        &pin_a,
        vec![],
        document(&confused)?,
        error("authority_suite_mismatch"),
    );
    push(
        "trust-invalid-from-future",
        "A list dated further ahead of the terminal's clock than the skew: refused.",
        &pin_a,
        vec![],
        document(&sign(
            a,
            &keys.list(
                5,
                VECTOR_NOW + TRUST_LIST_CLOCK_SKEW_SECONDS + 1,
                &[(a, FROM, UNTIL)],
            ),
        )?)?,
        error("trust_list_from_future"),
    );
    push(
        "trust-invalid-no-authority-keys",
        "A list naming no authority key for its successor: refused.",
        &pin_a,
        vec![],
        document(&sign(a, &keys.list(5, VECTOR_NOW - DAY, &[]))?)?,
        error("no_authority_keys"),
    );
    let mut below_minimum = vectors.first().cloned().ok_or("no vectors generated")?;
    below_minimum.name = "trust-invalid-below-minimum-sequence".into();
    below_minimum.description =
        "Edition 5 offered to a terminal provisioned to accept edition 6 or later: refused.".into();
    below_minimum.minimum_sequence = 6;
    below_minimum.expected = error("trust_list_rollback");
    vectors.push(below_minimum);
    Ok(vectors)
}
