//! The test-vector corpus: the checked-in files and a fresh generation both
//! give their expected results, and the corpus covers every error the issue
//! of the format names.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::collections::BTreeSet;
use std::path::Path;

use ecard_test_vectors::TestVector;
use ecard_test_vectors::{
    Expected, TRUST_VECTOR_DIRECTORY, TrustExpected, TrustListVector, generate,
    generate_trust_lists,
};

/// The JSON files of `directory`, parsed, each named as its file, in name
/// order.
fn read_vectors<T: serde::de::DeserializeOwned>(
    directory: &Path,
    name: impl Fn(&T) -> &str,
) -> Vec<T> {
    let mut vectors: Vec<(String, T)> = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let vector: T = serde_json::from_str(&text)
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            assert_eq!(path.file_stem().unwrap().to_str().unwrap(), name(&vector));
            (name(&vector).to_owned(), vector)
        })
        .collect();
    vectors.sort_by(|left, right| left.0.cmp(&right.0));
    vectors.into_iter().map(|(_, vector)| vector).collect()
}

fn checked_in() -> Vec<TestVector> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    read_vectors(&directory, |vector: &TestVector| &vector.name)
}

#[test]
fn checked_in_vectors_give_their_expected_results() {
    let vectors = checked_in();
    assert!(vectors.len() >= 40, "only {} vectors", vectors.len());
    let failures: Vec<String> = vectors
        .iter()
        .filter_map(|vector| vector.check().err())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_fresh_generation_matches_the_checked_in_corpus() {
    let fresh = generate().unwrap();
    let stored = checked_in();
    let names = |vectors: &[TestVector]| {
        vectors
            .iter()
            .map(|vector| vector.name.clone())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        names(&fresh),
        names(&stored),
        "regenerate the corpus with generate-test-vectors"
    );
    for vector in &fresh {
        vector.check().unwrap();
        let twin = stored
            .iter()
            .find(|stored| stored.name == vector.name)
            .unwrap();
        assert_eq!(twin.expected, vector.expected, "{}", vector.name);
    }
}

#[test]
fn the_corpus_covers_every_named_case() {
    let vectors = checked_in();
    let errors: BTreeSet<String> = vectors
        .iter()
        .filter_map(|vector| match &vector.expected {
            Expected::Error { error } => Some(error.clone()),
            Expected::Valid { .. } => None,
        })
        .collect();
    for required in [
        "bad_prefix",
        "bad_encoding",
        "truncated",
        "trailing_bytes",
        "unknown_suite",
        "unknown_key_id",
        "bad_issuer_signature",
        "bad_device_signature",
        "credential_expired",
        "credential_not_yet_valid",
        "presentation_expired",
        "presentation_from_future",
        "replayed",
        "revoked",
        "wrong_purpose",
        "on_behalf_refused",
        "suite_mismatch",
        "unsupported_version",
        "issuer_key_not_valid",
        "presentation_outside_credential",
        "purpose_not_granted",
        "on_behalf_mismatch",
        "status_unavailable",
        "undefined_value",
        "wrong_affiliation",
    ] {
        assert!(errors.contains(required), "no vector for {required}");
    }
    for issuer in ["ed25519", "p256", "sm2"] {
        for device in ["ed25519", "p256", "sm2"] {
            for purpose in [
                "transport",
                "medical",
                "identity",
                "culture-tourism",
                "campus-entry",
                "library",
                "education-exam",
                "personnel-exam",
            ] {
                let name = format!("valid-{purpose}-issuer-{issuer}-device-{device}");
                let vector = vectors.iter().find(|vector| vector.name == name);
                assert!(
                    matches!(
                        vector.map(|vector| &vector.expected),
                        Some(Expected::Valid { .. })
                    ),
                    "no valid vector {name}"
                );
            }
        }
    }
}

/// SM2 (suite 3): the identifier, the range of `r` and `s`, the curve of
/// the device point and suite confusion with P-256 each have a vector.
#[test]
fn the_corpus_covers_the_sm2_classes() {
    let vectors = checked_in();
    let expect = |name: &str, code: &str| {
        let vector = vectors
            .iter()
            .find(|vector| vector.name == name)
            .unwrap_or_else(|| panic!("no vector {name}"));
        assert_eq!(
            vector.expected,
            Expected::Error {
                error: code.to_owned()
            },
            "{name}"
        );
    };
    expect(
        "invalid-sm2-issuer-wrong-identifier",
        "bad_issuer_signature",
    );
    expect(
        "invalid-sm2-device-wrong-identifier",
        "bad_device_signature",
    );
    for scalar in ["r-zero", "s-zero", "r-equals-n", "s-equals-n", "r-above-n"] {
        expect(
            &format!("invalid-sm2-issuer-signature-{scalar}"),
            "bad_issuer_signature",
        );
        expect(
            &format!("invalid-sm2-device-signature-{scalar}"),
            "bad_device_signature",
        );
    }
    expect("invalid-sm2-device-key-off-curve", "bad_public_key");
    expect("invalid-sm2-device-key-not-field-element", "bad_public_key");
    expect(
        "invalid-sm2-device-key-declared-p256",
        "bad_device_signature",
    );
    expect(
        "invalid-p256-device-key-declared-sm2",
        "bad_device_signature",
    );
    expect("invalid-sm2-issuer-declared-p256", "suite_mismatch");
    expect("invalid-p256-issuer-declared-sm2", "suite_mismatch");
    expect("invalid-sm2-revoked", "revoked");
    let trust = checked_in_trust_lists();
    for (name, installs) in [
        ("trust-valid-sm2", true),
        ("trust-invalid-sm2-wrong-identifier", false),
        ("trust-invalid-sm2-declared-p256", false),
    ] {
        let vector = trust.iter().find(|vector| vector.name == name).unwrap();
        assert_eq!(
            matches!(vector.expected, TrustExpected::Installed { .. }),
            installs,
            "{name}"
        );
    }
}

/// Format version 2: the new fields' refusals, the version-1 boundary and
/// a school's terminal each have a vector, and version-1 purposes are still
/// carried by version-1 codes.
#[test]
fn the_corpus_covers_version_2() {
    use ecard_credential::Presentation;
    let vectors = checked_in();
    let expect = |name: &str, code: &str| {
        let vector = vectors
            .iter()
            .find(|vector| vector.name == name)
            .unwrap_or_else(|| panic!("no vector {name}"));
        assert_eq!(
            vector.expected,
            Expected::Error {
                error: code.to_owned()
            },
            "{name}"
        );
    };
    expect("invalid-v2-undefined-purpose-bit", "undefined_value");
    expect("invalid-v2-reserved-purpose-bit", "undefined_value");
    expect("invalid-v2-affiliation-on-exams", "undefined_value");
    expect("invalid-v2-region-on-campus", "undefined_value");
    expect("invalid-v1-presented-for-campus-entry", "undefined_value");
    expect("invalid-v1-signed-with-v2-context", "bad_issuer_signature");
    expect("invalid-v2-signed-with-v1-context", "bad_issuer_signature");
    expect(
        "invalid-campus-entry-wrong-affiliation",
        "wrong_affiliation",
    );
    expect("invalid-library-wrong-affiliation", "wrong_affiliation");
    expect(
        "invalid-campus-entry-no-affiliation-at-school",
        "wrong_affiliation",
    );
    for vector in vectors
        .iter()
        .filter(|vector| vector.name.starts_with("valid-"))
    {
        let presentation = Presentation::from_code(&vector.code).unwrap();
        assert_eq!(
            presentation.credential.version(),
            if presentation.credential.claims.purposes.fits_version_1() {
                1
            } else {
                2
            },
            "{}",
            vector.name
        );
    }
}

fn checked_in_trust_lists() -> Vec<TrustListVector> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(TRUST_VECTOR_DIRECTORY);
    read_vectors(&directory, |vector: &TrustListVector| &vector.name)
}

#[test]
fn checked_in_trust_list_vectors_give_their_expected_results() {
    let vectors = checked_in_trust_lists();
    let failures: Vec<String> = vectors
        .iter()
        .filter_map(|vector| vector.check().err())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    let fresh = generate_trust_lists().unwrap();
    assert_eq!(
        fresh
            .iter()
            .map(|vector| &vector.name)
            .collect::<BTreeSet<_>>(),
        vectors
            .iter()
            .map(|vector| &vector.name)
            .collect::<BTreeSet<_>>(),
        "regenerate the corpus with generate-test-vectors"
    );
    for vector in &fresh {
        vector.check().unwrap();
        let twin = vectors
            .iter()
            .find(|stored| stored.name == vector.name)
            .unwrap();
        // P-256 keys are fresh each run, so their ids differ; the outcome does not.
        let shape = |expected: &TrustExpected| match expected {
            TrustExpected::Installed { sequence, pinned } => format!("{sequence} {}", pinned.len()),
            TrustExpected::Error { error } => error.clone(),
        };
        assert_eq!(
            shape(&twin.expected),
            shape(&vector.expected),
            "{}",
            vector.name
        );
    }
    let errors: BTreeSet<&str> = vectors
        .iter()
        .filter_map(|vector| match &vector.expected {
            TrustExpected::Error { error } => Some(error.as_str()),
            TrustExpected::Installed { .. } => None,
        })
        .collect();
    for required in [
        "unsigned_trust_list",
        "bad_trust_list_signature",
        "trust_list_rollback",
        "authority_key_not_valid",
        "unknown_authority_key",
        "authority_suite_mismatch",
        "trust_list_from_future",
        "no_authority_keys",
    ] {
        assert!(
            errors.contains(required),
            "no trust-list vector for {required}"
        );
    }
    assert!(
        vectors
            .iter()
            .any(|vector| vector.name == "trust-valid-rotation")
    );
}
