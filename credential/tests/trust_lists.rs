//! Signed trust lists: an authority key pinned in the terminal signs the
//! list of issuer keys; every attack on the list is refused with its own
//! typed error.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_credential::trust::{
    AuthorityKey, SIGNED_TRUST_LIST_FORMAT, SignedTrustList, TRUST_LIST_CLOCK_SKEW_SECONDS,
    TrustAnchor, TrustAuthority,
};
use ecard_credential::{
    IssuerKey, Locale, SoftwareKey, Suite, TrustList, TrustListError, TrustedKey, Verifier,
    VerifierPolicy,
};

const NOW: u64 = 1_780_000_000;
const DAY: u64 = 86_400;

fn authority(seed: u8) -> TrustAuthority {
    TrustAuthority::new(SoftwareKey::ed25519_from_seed(&[seed; 32]).unwrap())
}

fn issuer_entry(seed: u8) -> TrustedKey {
    let key = IssuerKey::new(
        0x3600_0000 + u32::from(seed),
        SoftwareKey::ed25519_from_seed(&[seed; 32]).unwrap(),
    );
    TrustedKey::for_issuer_key(&key, "CN-360000", NOW - 30 * DAY, NOW + 300 * DAY)
}

/// A list of one issuer key naming `authorities` (key, window start, end).
fn list(sequence: u64, issued_at: u64, authorities: &[(&TrustAuthority, u64, u64)]) -> TrustList {
    let mut list = TrustList::new(sequence, issued_at, vec![issuer_entry(1)]);
    list.authority_keys = authorities
        .iter()
        .map(|(key, from, until)| key.authority_key(*from, *until))
        .collect();
    list
}

fn pins(authority: &TrustAuthority) -> Vec<AuthorityKey> {
    vec![authority.authority_key(NOW - 365 * DAY, NOW + 365 * DAY)]
}

fn code(result: Result<TrustList, TrustListError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(error) => error.code(),
    }
}

#[test]
fn a_signed_list_verifies_against_its_pinned_authority_and_round_trips_as_json() {
    let a = authority(0xA1);
    let offered = list(3, NOW, &[(&a, NOW - DAY, NOW + 365 * DAY)]);
    let signed = a.sign(&offered).unwrap();
    assert_eq!(signed.format, SIGNED_TRUST_LIST_FORMAT);
    assert_eq!(signed.authority_key_id, a.key_id());
    let parsed = SignedTrustList::from_json(&signed.to_json()).unwrap();
    let verified = parsed.verify(&pins(&a), None, NOW).unwrap();
    assert_eq!(verified, offered);
    // The verified list drives a verifier as before.
    Verifier::new(&verified, VerifierPolicy::for_purposes(&[])).unwrap();
    // The pinned key can be given as bare base64url or `suite:base64url`.
    let bare = AuthorityKey::parse_pins(&a.authority_key(0, 1).public_key).unwrap();
    assert_eq!(bare[0].key_id, a.key_id());
    parsed.verify(&bare, None, NOW).unwrap();
    let prefixed = AuthorityKey::parse_pins(&format!("ed25519:{}", bare[0].public_key)).unwrap();
    assert_eq!(prefixed, bare);
    let json = AuthorityKey::parse_pins(&serde_json::to_string(&pins(&a)).unwrap()).unwrap();
    assert_eq!(json, pins(&a));
}

#[test]
fn attack_unsigned_trust_list_is_refused() {
    let unsigned = list(5, NOW, &[]).to_json();
    let refused = SignedTrustList::from_json(&unsigned).unwrap_err();
    assert_eq!(refused, TrustListError::Unsigned);
    assert_eq!(refused.code(), "unsigned_trust_list");
    // Something else altogether is a format error, not "unsigned".
    assert_eq!(
        SignedTrustList::from_json(r#"{"format":"other"}"#).unwrap_err(),
        TrustListError::WrongFormat
    );
}

#[test]
fn attack_forged_signature_is_refused() {
    let a = authority(0xA1);
    let signed = a
        .sign(&list(3, NOW, &[(&a, NOW - DAY, NOW + DAY)]))
        .unwrap();

    // Another issuer key slipped into the payload, signature kept.
    let mut forged_list = list(3, NOW, &[(&a, NOW - DAY, NOW + DAY)]);
    forged_list.keys.push(issuer_entry(0x66));
    let mut forged = a.sign(&forged_list).unwrap();
    forged.signature = signed.signature.clone();
    assert_eq!(
        forged.verify(&pins(&a), None, NOW).unwrap_err(),
        TrustListError::BadSignature
    );

    // A flipped signature byte.
    let mut flipped = signed.clone();
    let mut bytes = flipped.signature.into_bytes();
    bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
    flipped.signature = String::from_utf8(bytes).unwrap();
    assert_eq!(
        code(flipped.verify(&pins(&a), None, NOW)),
        "bad_trust_list_signature"
    );

    // A signature of another kind of object (the status-list context) with
    // the same key over the same bytes does not pass for a trust list.
    let key = SoftwareKey::ed25519_from_seed(&[0xA1; 32]).unwrap();
    let payload = signed.payload_bytes().unwrap();
    let other_context = key
        .sign(&[b"ecard-status-list-v1".as_slice(), &payload].concat())
        .unwrap();
    let without_context = key.sign(&payload).unwrap();
    for signature in [other_context, without_context] {
        let mut wrong = signed.clone();
        wrong.signature = base64_url(&signature);
        assert_eq!(
            wrong.verify(&pins(&a), None, NOW).unwrap_err(),
            TrustListError::BadSignature
        );
    }
}

#[test]
fn attack_unknown_authority_naming_itself_is_refused() {
    let a = authority(0xA1);
    let mallory = authority(0x66);
    // Mallory's list names Mallory as the authority and signs it: the
    // terminal pins A, so it is refused before the payload is believed.
    let offered = list(9, NOW, &[(&mallory, NOW - DAY, NOW + 365 * DAY)]);
    let signed = mallory.sign(&offered).unwrap();
    assert_eq!(
        signed.verify(&pins(&a), None, NOW).unwrap_err(),
        TrustListError::UnknownAuthority(mallory.key_id())
    );
    // Claiming A's key id with Mallory's signature is a bad signature.
    let mut claimed = signed.clone();
    claimed.authority_key_id = a.key_id();
    assert_eq!(
        claimed.verify(&pins(&a), None, NOW).unwrap_err(),
        TrustListError::BadSignature
    );
    // And a terminal that installed A's list still refuses it.
    let mut anchor = TrustAnchor::new(pins(&a));
    anchor
        .install(
            &a.sign(&list(1, NOW - DAY, &[(&a, NOW - DAY, NOW + 365 * DAY)]))
                .unwrap(),
            NOW,
        )
        .unwrap();
    assert_eq!(
        anchor.install(&signed, NOW).unwrap_err().code(),
        "unknown_authority_key"
    );
    assert_eq!(anchor.trust_list().unwrap().sequence, 1);
}

#[test]
fn attack_suite_confusion_is_refused() {
    let a = authority(0xA1);
    let mut signed = a
        .sign(&list(3, NOW, &[(&a, NOW - DAY, NOW + DAY)]))
        .unwrap();
    signed.suite = Suite::EcdsaP256;
    assert_eq!(
        signed.verify(&pins(&a), None, NOW).unwrap_err(),
        TrustListError::AuthoritySuiteMismatch
    );
    // A pin whose declared suite disagrees with its key id is refused too.
    let mut pin = pins(&a);
    pin[0].suite = Suite::EcdsaP256;
    assert!(matches!(
        signed.verify(&pin, None, NOW).unwrap_err(),
        TrustListError::BadAuthorityKey(_)
    ));
}

#[test]
fn attack_rollback_is_refused() {
    let a = authority(0xA1);
    let window = (&a, NOW - 30 * DAY, NOW + 365 * DAY);
    let old = a.sign(&list(4, NOW - 2 * DAY, &[window])).unwrap();
    let current_list = list(5, NOW - DAY, &[window]);
    let current = a.sign(&current_list).unwrap();
    let mut anchor = TrustAnchor::new(pins(&a));
    anchor.install(&current, NOW).unwrap();

    // An older edition.
    assert_eq!(
        anchor.install(&old, NOW).unwrap_err(),
        TrustListError::Rollback {
            installed: 5,
            offered: 4
        }
    );
    // The same edition again is fine (a refetch).
    anchor.install(&current, NOW).unwrap();
    // The same sequence with other content is refused.
    let mut twin = current_list.clone();
    twin.keys.push(issuer_entry(0x66));
    assert_eq!(
        code(
            a.sign(&twin)
                .unwrap()
                .verify(&pins(&a), Some(&current_list), NOW)
        ),
        "trust_list_rollback"
    );
    // A later sequence dated before the installed edition is refused.
    let backdated = a.sign(&list(6, NOW - 3 * DAY, &[window])).unwrap();
    assert_eq!(
        code(anchor.install(&backdated, NOW).cloned()),
        "trust_list_rollback"
    );
    // A provisioned minimum sequence holds before anything is installed.
    let fresh = TrustAnchor::new(pins(&a)).with_minimum_sequence(5);
    assert_eq!(
        fresh.check(&old, NOW).unwrap_err(),
        TrustListError::Rollback {
            installed: 5,
            offered: 4
        }
    );
    assert_eq!(anchor.trust_list().unwrap(), &current_list);
}

#[test]
fn a_list_from_the_future_is_refused() {
    let a = authority(0xA1);
    let window = (&a, NOW - DAY, NOW + 365 * DAY);
    let soon = a
        .sign(&list(2, NOW + TRUST_LIST_CLOCK_SKEW_SECONDS, &[window]))
        .unwrap();
    soon.verify(&pins(&a), None, NOW).unwrap();
    let later = a
        .sign(&list(2, NOW + TRUST_LIST_CLOCK_SKEW_SECONDS + 1, &[window]))
        .unwrap();
    assert_eq!(
        later.verify(&pins(&a), None, NOW).unwrap_err(),
        TrustListError::FromFuture
    );
}

/// List N signed by A names A and B; list N+1 signed by B is accepted after
/// N; a list A signs after its window ends is refused, and once a list no
/// longer names A, A is unknown.
#[test]
fn authority_rotation_with_overlap() {
    let a = authority(0xA1);
    let b = authority(0xB2);
    let a_ends = NOW + 10 * DAY;
    let mut anchor = TrustAnchor::new(pins(&a));

    // B cannot sign before the terminal has a list naming it.
    let early = b
        .sign(&list(10, NOW, &[(&b, NOW - DAY, NOW + 365 * DAY)]))
        .unwrap();
    assert_eq!(
        anchor.check(&early, NOW).unwrap_err(),
        TrustListError::UnknownAuthority(b.key_id())
    );

    // List N, signed by A, names A (ending soon) and B.
    let n = list(
        10,
        NOW,
        &[
            (&a, NOW - 30 * DAY, a_ends),
            (&b, NOW - DAY, NOW + 365 * DAY),
        ],
    );
    anchor.install(&a.sign(&n).unwrap(), NOW).unwrap();
    let pinned: Vec<u32> = anchor.pinned().iter().map(|key| key.key_id).collect();
    assert_eq!(pinned, vec![a.key_id(), b.key_id()]);

    // List N+1, signed by B, accepted; it still names A until A's window ends.
    let n1 = list(
        11,
        NOW + DAY,
        &[
            (&a, NOW - 30 * DAY, a_ends),
            (&b, NOW - DAY, NOW + 365 * DAY),
        ],
    );
    anchor.install(&b.sign(&n1).unwrap(), NOW + DAY).unwrap();
    assert_eq!(anchor.trust_list().unwrap().sequence, 11);

    // A signs list N+2 after its window ended: refused.
    let late = NOW + 11 * DAY;
    let by_retired_a = a
        .sign(&list(12, late, &[(&a, NOW - 30 * DAY, late + 365 * DAY)]))
        .unwrap();
    assert_eq!(
        anchor.install(&by_retired_a, late).unwrap_err(),
        TrustListError::AuthorityKeyNotValid
    );
    // Until A's window ends A may still sign (the overlap); the next list
    // drops A, and from then on a list by A is unknown whatever its date.
    let n2 = list(12, NOW + 11 * DAY, &[(&b, NOW - DAY, NOW + 365 * DAY)]);
    anchor.install(&b.sign(&n2).unwrap(), late).unwrap();
    let pinned: Vec<u32> = anchor.pinned().iter().map(|key| key.key_id).collect();
    assert_eq!(pinned, vec![b.key_id()]);
    let by_a_in_window = a
        .sign(&list(13, NOW + 12 * DAY, &[(&a, NOW - 30 * DAY, a_ends)]))
        .unwrap();
    assert_eq!(
        anchor.install(&by_a_in_window, late + DAY).unwrap_err(),
        TrustListError::UnknownAuthority(a.key_id())
    );
    assert_eq!(anchor.trust_list().unwrap().sequence, 12);
}

#[test]
fn malformed_authority_entries_are_refused() {
    let a = authority(0xA1);
    // A list naming no authority would leave the terminal unable to take
    // the next one.
    let signed = a.sign(&list(2, NOW, &[])).unwrap();
    assert_eq!(
        signed.verify(&pins(&a), None, NOW).unwrap_err(),
        TrustListError::NoAuthorityKeys
    );
    // An entry whose key id is not its key's fingerprint.
    let mut wrong_id = list(2, NOW, &[(&a, NOW - DAY, NOW + DAY)]);
    wrong_id.authority_keys[0].key_id ^= 1;
    assert!(matches!(
        a.sign(&wrong_id)
            .unwrap()
            .verify(&pins(&a), None, NOW)
            .unwrap_err(),
        TrustListError::BadAuthorityKey(_)
    ));
    // Bad payload base64 or JSON inside a valid envelope shape.
    let mut garbage = signed.clone();
    garbage.payload = "%%%".into();
    assert!(matches!(
        garbage.verify(&pins(&a), None, NOW).unwrap_err(),
        TrustListError::Json(_)
    ));
}

#[test]
fn trust_list_errors_have_stable_codes_and_messages() {
    let errors = [
        TrustListError::Json("x".into()),
        TrustListError::WrongFormat,
        TrustListError::BadKey(1),
        TrustListError::DuplicateKeyId(1),
        TrustListError::Unsigned,
        TrustListError::UnknownAuthority(1),
        TrustListError::AuthoritySuiteMismatch,
        TrustListError::BadSignature,
        TrustListError::AuthorityKeyNotValid,
        TrustListError::FromFuture,
        TrustListError::Rollback {
            installed: 2,
            offered: 1,
        },
        TrustListError::NoAuthorityKeys,
        TrustListError::BadAuthorityKey(1),
    ];
    let mut codes = std::collections::BTreeSet::new();
    for error in &errors {
        assert!(codes.insert(error.code()), "{} twice", error.code());
        assert!(!error.message(Locale::ZhCn).is_empty());
        assert!(error.message(Locale::En).is_ascii());
        assert_ne!(error.message(Locale::ZhCn), error.message(Locale::En));
    }
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
