//! Issuer → holder → verifier behaviours beyond the vector corpus: key
//! rotation, caches, status-list handling, holder-side checks and key
//! stores that answer in DER.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_credential::keys::{CAMPUS_GROUP, EXAMS_GROUP, disclosure_groups};
use ecard_credential::{
    Affiliation, ConcessionClass, CredentialClaims, Disclosure, IssueError, IssuerKey, KeyStore,
    KeyStoreError, Locale, PresentError, PresentationRequest, PublicKey, Purpose, PurposeSet,
    RegionCode, SoftwareKey, SoftwareKeyStore, StatusCheck, StatusList, StatusListError, Suite,
    TrustList, TrustedKey, Verifier, VerifierPolicy, VerifyError, present,
};

use ecard_test_vectors::world::{World, transport};

const NOW: u64 = 1_780_000_000;

fn world(issuer_suite: Suite, device_suite: Suite) -> World {
    World::new(issuer_suite, device_suite, NOW)
}

fn claims(purposes: PurposeSet, index: u32) -> CredentialClaims {
    ecard_test_vectors::world::claims(purposes, index, NOW)
}

fn code(
    world: &World,
    claims: &CredentialClaims,
    purpose: Purpose,
    counter: u32,
    at: u64,
) -> String {
    world.show(&world.credential(claims), purpose, counter, at)
}

#[test]
fn every_suite_pair_round_trips() {
    for issuer_suite in Suite::ALL {
        for device_suite in Suite::ALL {
            let world = world(issuer_suite, device_suite);
            let mut verifier = Verifier::new(
                &world.trust,
                VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
            )
            .unwrap();
            let text = code(&world, &claims(transport(), 1), Purpose::Transport, 1, NOW);
            let verified = verifier.verify(&text, NOW + 2).unwrap();
            assert_eq!(
                verified.disclosure,
                Disclosure::Transport {
                    concession: ConcessionClass::SeniorFree
                }
            );
            assert_eq!(verified.status, StatusCheck::Unchecked);
            assert!(!verified.credential_cached);
        }
    }
}

#[test]
fn repeat_presentations_use_the_credential_cache_and_counters_stop_replays() {
    let world = world(Suite::Ed25519, Suite::EcdsaP256);
    let mut verifier = Verifier::new(
        &world.trust,
        VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
    )
    .unwrap();
    let device = world.store.public_key("device").unwrap();
    let credential = world
        .issuer
        .issue(&claims(transport(), 3), &device)
        .unwrap();
    for counter in 1..=5 {
        let request = PresentationRequest {
            purpose: Purpose::Transport,
            issued_at: NOW + counter as u64 * 60,
            counter,
        };
        let text = present(&credential, &request, &world.store, "device")
            .unwrap()
            .to_code();
        let verified = verifier
            .verify(&text, NOW + counter as u64 * 60 + 1)
            .unwrap();
        assert_eq!(verified.credential_cached, counter > 1);
        assert_eq!(
            verifier.verify(&text, NOW + counter as u64 * 60 + 2),
            Err(VerifyError::Replayed)
        );
    }
}

#[test]
fn a_credential_cache_of_one_entry_still_refuses_the_latest_code() {
    let world = world(Suite::Ed25519, Suite::Ed25519);
    let mut policy = VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status();
    policy.credential_cache_capacity = 1;
    let mut verifier = Verifier::new(&world.trust, policy).unwrap();
    let first = code(&world, &claims(transport(), 1), Purpose::Transport, 1, NOW);
    let second = code(&world, &claims(transport(), 2), Purpose::Transport, 1, NOW);
    verifier.verify(&first, NOW).unwrap();
    verifier.verify(&second, NOW).unwrap();
    assert_eq!(verifier.verify(&second, NOW), Err(VerifyError::Replayed));
    assert_eq!(verifier.verify(&first, NOW), Err(VerifyError::Replayed));
}

#[test]
fn the_credential_cache_keeps_the_most_recently_used_credentials() {
    let world = world(Suite::Ed25519, Suite::Ed25519);
    let mut policy = VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status();
    policy.credential_cache_capacity = 2;
    let mut verifier = Verifier::new(&world.trust, policy).unwrap();
    let mut cached = |credential: u32, counter: u32| {
        let text = code(
            &world,
            &claims(transport(), credential),
            Purpose::Transport,
            counter,
            NOW,
        );
        verifier.verify(&text, NOW).unwrap().credential_cached
    };
    assert!(!cached(1, 1));
    assert!(!cached(2, 1));
    // Using the first again makes the second the least recently used.
    assert!(cached(1, 2));
    assert!(!cached(3, 1));
    assert!(cached(1, 3));
    assert!(cached(3, 2));
    assert!(
        !cached(2, 2),
        "the least recently used credential made room"
    );
}

#[test]
fn an_expired_credential_is_never_served_from_the_cache() {
    let world = world(Suite::Ed25519, Suite::Ed25519);
    let mut verifier = Verifier::new(
        &world.trust,
        VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
    )
    .unwrap();
    let credential_claims = claims(transport(), 1);
    let not_after = credential_claims.not_after();
    // The policy allows 30 s of clock skew past `not_after`.
    let first = code(&world, &credential_claims, Purpose::Transport, 1, NOW);
    verifier.verify(&first, NOW).unwrap();
    let late = code(
        &world,
        &credential_claims,
        Purpose::Transport,
        2,
        not_after - 30,
    );
    assert_eq!(
        verifier.verify(&late, not_after + 31),
        Err(VerifyError::CredentialExpired)
    );
}

#[test]
fn key_rotation_keeps_old_credentials_until_they_expire() {
    let world = world(Suite::Ed25519, Suite::Ed25519);
    let (next, _) = SoftwareKey::generate(Suite::EcdsaP256).unwrap();
    let next = IssuerKey::new(0x0101_0002, next);
    // The old key issued until NOW; the new one issues from NOW on.
    let trust = TrustList::new(
        2,
        NOW,
        vec![
            TrustedKey::for_issuer_key(&world.issuer, "CN-360000", NOW - 86_400, NOW),
            TrustedKey::for_issuer_key(&next, "CN-360000", NOW, NOW + 86_400),
        ],
    );
    let mut verifier = Verifier::new(
        &trust,
        VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
    )
    .unwrap();
    let old = code(
        &world,
        &claims(transport(), 1),
        Purpose::Transport,
        1,
        NOW + 10,
    );
    verifier.verify(&old, NOW + 10).unwrap();

    let mut late = claims(transport(), 2);
    late.not_before = NOW + 5;
    let refused = code(&world, &late, Purpose::Transport, 1, NOW + 10);
    assert_eq!(
        verifier.verify(&refused, NOW + 10),
        Err(VerifyError::IssuerKeyNotValid)
    );

    let device = world.store.public_key("device").unwrap();
    let credential = next.issue(&late, &device).unwrap();
    let request = PresentationRequest {
        purpose: Purpose::Transport,
        issued_at: NOW + 10,
        counter: 1,
    };
    let fresh = present(&credential, &request, &world.store, "device")
        .unwrap()
        .to_code();
    verifier.verify(&fresh, NOW + 10).unwrap();
}

#[test]
fn status_lists_revoke_refuse_rollback_and_forgery() {
    let world = world(Suite::Ed25519, Suite::EcdsaP256);
    let mut verifier = Verifier::new(
        &world.trust,
        VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
    )
    .unwrap();
    let mut list = StatusList::new(1, 100_000).unwrap();
    list.sequence = 5;
    list.issued_at = NOW;
    list.valid_until = NOW + 3_600;
    let clear = list.sign(&world.issuer).unwrap();
    assert_eq!(verifier.install_status_list(&clear, NOW), Ok(5));

    let first = code(&world, &claims(transport(), 77), Purpose::Transport, 1, NOW);
    assert_eq!(
        verifier.verify(&first, NOW).unwrap().status,
        StatusCheck::Checked { sequence: 5 }
    );

    list.set_revoked(77, true).unwrap();
    list.sequence = 6;
    let revoked = list.sign(&world.issuer).unwrap();
    assert!(
        revoked.len() < 200,
        "a mostly empty list compresses: {} bytes",
        revoked.len()
    );
    assert_eq!(verifier.install_status_list(&revoked, NOW), Ok(6));
    let second = code(&world, &claims(transport(), 77), Purpose::Transport, 2, NOW);
    assert_eq!(verifier.verify(&second, NOW), Err(VerifyError::Revoked));

    assert_eq!(
        verifier.install_status_list(&clear, NOW),
        Err(StatusListError::Rollback)
    );
    assert_eq!(
        verifier.install_status_list(&revoked, NOW + 3_600),
        Err(StatusListError::Stale)
    );

    let (stranger, _) = SoftwareKey::generate(Suite::Ed25519).unwrap();
    let forged = list
        .sign(&IssuerKey::new(world.issuer.key_id(), stranger))
        .unwrap();
    assert_eq!(
        verifier.install_status_list(&forged, NOW),
        Err(StatusListError::BadSignature)
    );
}

#[test]
fn issuance_refuses_claims_that_disclose_too_much_or_do_not_fit() {
    let world = world(Suite::Ed25519, Suite::Ed25519);
    let device = world.store.public_key("device").unwrap();
    let mut with_region = claims(transport(), 1);
    with_region.region = RegionCode::new(360_100);
    assert_eq!(
        world.issuer.issue(&with_region, &device),
        Err(IssueError::DisclosureTooBroad)
    );
    with_region.purposes = disclosure_groups()[1];
    assert!(world.issuer.issue(&with_region, &device).is_ok());

    let mut empty = claims(PurposeSet::EMPTY, 1);
    assert_eq!(
        world.issuer.issue(&empty, &device),
        Err(IssueError::NoPurpose)
    );
    empty.purposes = transport();
    empty.status.index = 1 << 24;
    assert_eq!(
        world.issuer.issue(&empty, &device),
        Err(IssueError::OutOfRange("status.index"))
    );
}

#[test]
fn the_holder_refuses_what_the_credential_does_not_allow() {
    let world = world(Suite::Ed25519, Suite::EcdsaP256);
    let device = world.store.public_key("device").unwrap();
    let credential = world
        .issuer
        .issue(&claims(transport(), 1), &device)
        .unwrap();
    let request = |purpose, issued_at, counter| PresentationRequest {
        purpose,
        issued_at,
        counter,
    };
    let make =
        |request: PresentationRequest| present(&credential, &request, &world.store, "device");
    assert_eq!(
        make(request(Purpose::Medical, NOW, 1)).unwrap_err(),
        PresentError::PurposeNotGranted
    );
    assert_eq!(
        make(request(Purpose::Transport, NOW + 86_400, 1)).unwrap_err(),
        PresentError::CredentialNotValid
    );
    assert_eq!(
        make(request(Purpose::Transport, NOW, 1 << 24)).unwrap_err(),
        PresentError::CounterExhausted
    );
    world
        .store
        .generate_key("device", Suite::EcdsaP256)
        .unwrap();
    assert_eq!(
        make(request(Purpose::Transport, NOW, 1)).unwrap_err(),
        PresentError::KeyMismatch
    );
    world.store.delete_key("device").unwrap();
    assert!(matches!(
        make(request(Purpose::Transport, NOW, 1)).unwrap_err(),
        PresentError::KeyStore(KeyStoreError::NotFound(_))
    ));
}

/// A key store that answers like Android Keystore: SPKI public keys and DER
/// signatures.
struct DerKeyStore(SoftwareKeyStore);

impl KeyStore for DerKeyStore {
    fn generate_key(&self, alias: &str, suite: Suite) -> Result<PublicKey, KeyStoreError> {
        self.0.generate_key(alias, suite)
    }
    fn public_key(&self, alias: &str) -> Result<PublicKey, KeyStoreError> {
        let key = self.0.public_key(alias)?;
        let mut spki = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        spki.extend_from_slice(key.as_bytes());
        PublicKey::from_bytes(Suite::EcdsaP256, &spki)
            .map_err(|error| KeyStoreError::Backend(error.to_string()))
    }
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        let fixed = self.0.sign(alias, message)?;
        let integer = |bytes: &[u8]| {
            let trimmed: Vec<u8> = bytes
                .iter()
                .copied()
                .skip_while(|byte| *byte == 0)
                .collect();
            let mut out = vec![0x02];
            if trimmed.first().is_some_and(|byte| byte & 0x80 != 0) {
                out.push(trimmed.len() as u8 + 1);
                out.push(0);
            } else {
                out.push(trimmed.len() as u8);
            }
            out.extend_from_slice(&trimmed);
            out
        };
        let body = [integer(&fixed[..32]), integer(&fixed[32..])].concat();
        Ok([vec![0x30, body.len() as u8], body].concat())
    }
    fn delete_key(&self, alias: &str) -> Result<(), KeyStoreError> {
        self.0.delete_key(alias)
    }
}

#[test]
fn der_speaking_key_stores_make_valid_codes() {
    let world = world(Suite::EcdsaP256, Suite::EcdsaP256);
    let store = DerKeyStore(SoftwareKeyStore::new());
    let device = store.generate_key("phone", Suite::EcdsaP256).unwrap();
    let credential = world
        .issuer
        .issue(&claims(transport(), 9), &device)
        .unwrap();
    let mut verifier = Verifier::new(
        &world.trust,
        VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
    )
    .unwrap();
    for counter in 1..=20 {
        let request = PresentationRequest {
            purpose: Purpose::Transport,
            issued_at: NOW,
            counter,
        };
        let text = present(&credential, &request, &store, "phone")
            .unwrap()
            .to_code();
        verifier.verify(&text, NOW).unwrap();
    }
}

/// An SM2 status list is taken only with the format's distinguishing
/// identifier: the same list signed by the same key with another identifier
/// is refused as a bad signature, and the SM2 list signed properly installs.
#[test]
fn sm2_status_list_signed_with_another_identifier_is_refused() {
    use ecard_test_vectors::{OTHER_SM2_IDENTIFIER, sm2_sign_with_identifier};
    let scalar = [0x61; 32];
    let issuer = IssuerKey::new(0x0101_0003, SoftwareKey::sm2_from_scalar(&scalar).unwrap());
    let trust = TrustList::new(
        1,
        NOW,
        vec![TrustedKey::for_issuer_key(
            &issuer,
            "CN-360000",
            NOW - 86_400,
            NOW + 86_400,
        )],
    );
    let mut list = StatusList::new(1, 1_024).unwrap();
    list.set_revoked(9, true).unwrap();
    list.sequence = 3;
    list.issued_at = NOW - 60;
    list.valid_until = NOW + 86_400;
    let signed = list.sign(&issuer).unwrap();
    let body = &signed[..signed.len() - 64];
    let message = [b"ecard-status-list-v1".as_slice(), body].concat();
    let other = [
        body,
        &sm2_sign_with_identifier(&scalar, OTHER_SM2_IDENTIFIER, &message).unwrap(),
    ]
    .concat();
    let policy = VerifierPolicy::for_purposes(&[Purpose::Transport]);
    let mut verifier = Verifier::new(&trust, policy).unwrap();
    assert_eq!(
        verifier.install_status_list(&other, NOW),
        Err(StatusListError::BadSignature)
    );
    // The same message under the format's identifier is the list itself.
    let ours = [
        body,
        &sm2_sign_with_identifier(
            &scalar,
            ecard_credential::suite::SM2_DISTINGUISHING_ID,
            &message,
        )
        .unwrap(),
    ]
    .concat();
    assert!(verifier.install_status_list(&ours, NOW).is_ok());
    assert!(verifier.install_status_list(&signed, NOW).is_ok());
}

/// A school's terminal accepts its own students' campus codes, refuses
/// another school's and those naming none, and still verifies version-1
/// codes; the disclosure of each purpose is what its terminal needs.
#[test]
fn a_school_terminal_checks_the_affiliation_of_campus_codes_only() {
    let world = world(Suite::Sm2, Suite::EcdsaP256);
    let school = Affiliation::new(4_207).unwrap();
    let mut verifier = Verifier::new(
        &world.trust,
        VerifierPolicy::for_purposes(&[Purpose::CampusEntry, Purpose::Library, Purpose::Transport])
            .best_effort_status()
            .for_school(school),
    )
    .unwrap();
    let mut ours = claims(CAMPUS_GROUP, 1);
    ours.concession = ConcessionClass::Student;
    ours.affiliation = Some(school);
    let credential = world.credential(&ours);
    assert_eq!(credential.version(), 2);
    let gate = verifier
        .verify(&world.show(&credential, Purpose::CampusEntry, 1, NOW), NOW)
        .unwrap();
    assert_eq!(
        gate.disclosure,
        Disclosure::CampusEntry {
            concession: ConcessionClass::Student,
            affiliation: Some(school),
        }
    );
    let desk = verifier
        .verify(&world.show(&credential, Purpose::Library, 2, NOW), NOW)
        .unwrap();
    assert_eq!(
        desk.disclosure,
        Disclosure::Library {
            handle: ours.handle,
            concession: ConcessionClass::Student,
            affiliation: Some(school),
        }
    );
    let mut theirs = claims(CAMPUS_GROUP, 2);
    theirs.affiliation = Affiliation::new(5_310);
    let mut nobodys = claims(CAMPUS_GROUP, 3);
    nobodys.affiliation = None;
    for other in [theirs, nobodys] {
        let code = world.show(&world.credential(&other), Purpose::CampusEntry, 1, NOW);
        let error = verifier.verify(&code, NOW).unwrap_err();
        assert_eq!(error, VerifyError::WrongAffiliation);
        assert_eq!(error.code(), "wrong_affiliation");
        assert!(!error.message(Locale::ZhCn).is_empty());
        assert!(!error.message(Locale::En).is_empty());
    }
    // A version-1 transport code at the same terminal: no affiliation asked.
    let transport = world.credential(&claims(transport(), 4));
    assert_eq!(transport.version(), 1);
    verifier
        .verify(&world.show(&transport, Purpose::Transport, 1, NOW), NOW)
        .unwrap();
    // A terminal of no school accepts any campus code and learns its school.
    let mut anywhere = Verifier::new(
        &world.trust,
        VerifierPolicy::for_purposes(&[Purpose::CampusEntry]).best_effort_status(),
    )
    .unwrap();
    let verified = anywhere
        .verify(&world.show(&credential, Purpose::CampusEntry, 3, NOW), NOW)
        .unwrap();
    assert!(matches!(
        verified.disclosure,
        Disclosure::CampusEntry {
            affiliation: Some(_),
            ..
        }
    ));
}

#[test]
fn exam_codes_disclose_handle_and_region_and_need_version_2() {
    let world = world(Suite::Ed25519, Suite::Sm2);
    let mut exams = claims(EXAMS_GROUP, 5);
    exams.region = RegionCode::new(360_100);
    let credential = world.credential(&exams);
    assert_eq!(credential.version(), 2);
    let mut verifier = Verifier::new(
        &world.trust,
        VerifierPolicy::for_purposes(&[Purpose::EducationExam, Purpose::PersonnelExam])
            .best_effort_status(),
    )
    .unwrap();
    let verified = verifier
        .verify(
            &world.show(&credential, Purpose::PersonnelExam, 1, NOW),
            NOW,
        )
        .unwrap();
    assert_eq!(
        verified.disclosure,
        Disclosure::PersonnelExam {
            handle: exams.handle,
            region: RegionCode::new(360_100),
        }
    );
    // The holder will not make an exam code from a version-1 credential.
    let version_1 = world.credential(&claims(transport(), 6));
    let request = PresentationRequest {
        purpose: Purpose::EducationExam,
        issued_at: NOW,
        counter: 1,
    };
    assert_eq!(
        present(&version_1, &request, &world.store, "device").unwrap_err(),
        PresentError::PurposeNotGranted
    );
}
