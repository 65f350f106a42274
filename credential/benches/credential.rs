//! Benchmarks of the code's hot paths, against the budgets of
//! `docs/benchmarks.md`:
//!
//! - `verify_unseen/*`: decode + issuer and device signatures + status +
//!   replay for a credential the verifier has not seen (cache disabled);
//! - `verify_known_phone/*`: a new credential of a phone seen before (its
//!   device key already decoded);
//! - `verify_repeat/*`: a fresh code of a credential already verified (one
//!   device-signature check);
//! - `refresh/*`: the phone's code refresh: sign + encode + QR matrix;
//! - `baseline/*`: one bare signature check, the floor under the above;
//! - `status_list/install_16m_1pct`: installing one full status list of
//!   2^24 credentials with 1 % revoked (a province of 50 million cards
//!   needs three); its signed size is printed;
//! - `status_list/install_delta_16m_daily`: installing one day's signed
//!   delta on that list (0.1 % of the bits changed: 12,583 new revocations
//!   and 4,194 releases at pseudo-random places); its signed size is
//!   printed.
//!
//! Run: `cargo bench -p ecard-credential --bench credential`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
#![allow(missing_docs, reason = "criterion macros generate undocumented items")]
#![allow(clippy::print_stdout, reason = "a bench prints what it measured")]

use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ecard_credential::keys::disclosure_groups;
use ecard_credential::{
    ConcessionClass, Credential, CredentialClaims, Handle, HolderRole, IssuerKey, KeyStore,
    PresentationRequest, Purpose, QrMatrix, SoftwareKey, SoftwareKeyStore, StatusDelta, StatusList,
    StatusReference, Suite, TrustList, TrustedKey, Verifier, VerifierPolicy, present,
};

const NOW: u64 = 1_780_000_000;

struct Setup {
    issuer: IssuerKey,
    trust: TrustList,
    store: SoftwareKeyStore,
    status: Vec<u8>,
}

fn setup(issuer_suite: Suite, device_suite: Suite) -> Setup {
    let (key, _) = SoftwareKey::generate(issuer_suite).unwrap();
    let issuer = IssuerKey::new(1, key);
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
    let store = SoftwareKeyStore::new();
    store.generate_key("device", device_suite).unwrap();
    let mut list = StatusList::new(0, 1 << 20).unwrap();
    for index in (0..1 << 20).step_by(114) {
        list.set_revoked(index, true).unwrap();
    }
    list.sequence = 1;
    list.issued_at = NOW;
    list.valid_until = NOW + 86_400;
    let status = list.sign(&issuer).unwrap();
    Setup {
        issuer,
        trust,
        store,
        status,
    }
}

fn credential(setup: &Setup, index: u32) -> Credential {
    let claims = CredentialClaims {
        handle: Handle(u64::from(index).to_be_bytes()),
        not_before: NOW - 60,
        lifetime_minutes: 48 * 60,
        status: StatusReference {
            list: 0,
            index: index * 2 + 1,
        },
        concession: ConcessionClass::Senior,
        purposes: disclosure_groups()[0],
        role: HolderRole::Holder,
        region: None,
        affiliation: None,
    };
    setup
        .issuer
        .issue(&claims, &setup.store.public_key("device").unwrap())
        .unwrap()
}

fn code(setup: &Setup, credential: &Credential, counter: u32) -> String {
    let request = PresentationRequest {
        purpose: Purpose::Transport,
        issued_at: NOW,
        counter,
    };
    present(credential, &request, &setup.store, "device")
        .unwrap()
        .to_code()
}

fn verifier(setup: &Setup, cache: Caches) -> Verifier {
    let mut policy = VerifierPolicy::for_purposes(&[Purpose::Transport]);
    if cache != Caches::Both {
        policy.credential_cache_capacity = 0;
    }
    if cache == Caches::None {
        policy.device_key_cache_capacity = 0;
    }
    let mut verifier = Verifier::new(&setup.trust, policy).unwrap();
    verifier.install_status_list(&setup.status, NOW).unwrap();
    verifier
}

/// Times verification over precomputed codes, starting a fresh verifier
/// (untimed) whenever the codes run out, so no code is ever a replay.
fn time_codes(codes: &[String], iterations: u64, mut fresh: impl FnMut() -> Verifier) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iterations {
        let mut verifier = fresh();
        for code in codes.iter().take((iterations - done) as usize) {
            let start = Instant::now();
            let result = verifier.verify(code, NOW + 1);
            total += start.elapsed();
            assert!(result.is_ok(), "{result:?}");
            done += 1;
        }
    }
    total
}

fn suites() -> [(&'static str, Suite, Suite); 5] {
    [
        // 国密: an SM2 issuer with Android/iOS (P-256) and HarmonyOS (SM2)
        // device keys.
        ("issuer-sm2-device-p256", Suite::Sm2, Suite::EcdsaP256),
        ("issuer-sm2-device-sm2", Suite::Sm2, Suite::Sm2),
        (
            "issuer-ed25519-device-p256",
            Suite::Ed25519,
            Suite::EcdsaP256,
        ),
        (
            "issuer-p256-device-p256",
            Suite::EcdsaP256,
            Suite::EcdsaP256,
        ),
        (
            "issuer-ed25519-device-ed25519",
            Suite::Ed25519,
            Suite::Ed25519,
        ),
    ]
}

/// Which of the verifier's caches are on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Caches {
    /// Neither: a credential and a device never seen.
    None,
    /// Device keys only: a new credential of a phone seen before.
    DeviceKeys,
    /// Both.
    Both,
}

/// A new credential of a phone the terminal has seen (its key decoded
/// before): two signature checks, no point decompression.
fn verify_new_credential_of_known_phone(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("verify_known_phone");
    for (name, issuer_suite, device_suite) in suites() {
        let setup = setup(issuer_suite, device_suite);
        let warm = code(&setup, &credential(&setup, 9_999), 1);
        let codes: Vec<String> = (0..4_000)
            .map(|index| code(&setup, &credential(&setup, index), 1))
            .collect();
        group.bench_function(name, |bencher| {
            bencher.iter_custom(|iterations| {
                time_codes(&codes, iterations, || {
                    let mut verifier = verifier(&setup, Caches::DeviceKeys);
                    verifier.verify(&warm, NOW + 1).unwrap();
                    verifier
                })
            })
        });
    }
    group.finish();
}

fn verify_unseen(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("verify_unseen");
    for (name, issuer_suite, device_suite) in suites() {
        let setup = setup(issuer_suite, device_suite);
        let codes: Vec<String> = (0..4_000)
            .map(|index| code(&setup, &credential(&setup, index), 1))
            .collect();
        group.bench_function(name, |bencher| {
            bencher.iter_custom(|iterations| {
                time_codes(&codes, iterations, || verifier(&setup, Caches::None))
            })
        });
    }
    group.finish();
}

fn verify_repeat(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("verify_repeat");
    for (name, issuer_suite, device_suite) in suites() {
        let setup = setup(issuer_suite, device_suite);
        let credential = credential(&setup, 7);
        let warm = code(&setup, &credential, 1);
        let codes: Vec<String> = (2..20_000)
            .map(|counter| code(&setup, &credential, counter))
            .collect();
        group.bench_function(name, |bencher| {
            bencher.iter_custom(|iterations| {
                time_codes(&codes, iterations, || {
                    let mut verifier = verifier(&setup, Caches::Both);
                    verifier.verify(&warm, NOW + 1).unwrap();
                    verifier
                })
            })
        });
    }
    group.finish();
}

fn refresh(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("refresh");
    for suite in Suite::ALL {
        let setup = setup(Suite::Ed25519, suite);
        let credential = credential(&setup, 1);
        let mut counter = 0;
        group.bench_function(format!("{}/sign", suite.name()), |bencher| {
            bencher.iter(|| {
                counter += 1;
                code(&setup, &credential, counter % 1_000_000)
            })
        });
        let text = code(&setup, &credential, 1);
        group.bench_function(format!("{}/qr_matrix", suite.name()), |bencher| {
            bencher.iter(|| QrMatrix::encode(&text).unwrap())
        });
        group.bench_function(format!("{}/sign_encode_matrix", suite.name()), |bencher| {
            bencher.iter(|| {
                counter += 1;
                QrMatrix::encode(&code(&setup, &credential, counter % 1_000_000)).unwrap()
            })
        });
    }
    group.finish();
}

/// The floor under `verify_repeat`: one bare ring signature check.
fn baseline(criterion: &mut Criterion) {
    let mut group = criterion.benchmark_group("baseline");
    for suite in Suite::ALL {
        let (key, _) = SoftwareKey::generate(suite).unwrap();
        let message = [7u8; 200];
        let signature = key.sign(&message).unwrap();
        let public_key = key.public_key().clone();
        group.bench_function(format!("{}/ring_verify", suite.name()), |bencher| {
            bencher.iter(|| assert!(public_key.verify(&message, &signature)))
        });
    }
    group.finish();
}

/// Installing a full status list of the largest size, 1 % revoked at
/// pseudo-random places, and one day's delta on it.
fn status_list(criterion: &mut Criterion) {
    let setup = setup(Suite::Ed25519, Suite::Ed25519);
    let bits = ecard_credential::status::MAX_BITS;
    let mut list = StatusList::new(1, bits).unwrap();
    let mut state = 0x9E37_79B9_u32;
    for _ in 0..bits / 100 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        list.set_revoked(state % bits, true).unwrap();
    }
    list.sequence = 1;
    list.issued_at = NOW;
    list.valid_until = NOW + 86_400;
    let signed = list.sign(&setup.issuer).unwrap();
    println!(
        "status list of {bits} credentials, {} revoked: {} bytes signed",
        list.revoked_count(),
        signed.len()
    );
    let mut group = criterion.benchmark_group("status_list");
    group.sample_size(10);
    group.bench_function("install_16m_1pct", |bencher| {
        bencher.iter(|| {
            let mut verifier = Verifier::new(
                &setup.trust,
                VerifierPolicy::for_purposes(&[Purpose::Transport]),
            )
            .unwrap();
            verifier.install_status_list(&signed, NOW).unwrap()
        })
    });

    // One day at province scale: 0.1 % of the bits change (16,777), three
    // quarters new revocations at not-revoked places, a quarter releases of
    // revoked ones, all pseudo-random.
    let changes = bits / 1_000;
    let releases = changes / 4;
    let revoked: Vec<u32> = (0..bits)
        .filter(|&index| list.is_revoked(index) == Some(true))
        .collect();
    let mut next = list.clone();
    let mut released = 0;
    let mut added = 0;
    while released < releases {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let index = revoked[state as usize % revoked.len()];
        if next.is_revoked(index) == Some(true) {
            next.set_revoked(index, false).unwrap();
            released += 1;
        }
    }
    while added < changes - releases {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let index = state % bits;
        if list.is_revoked(index) == Some(false) && next.is_revoked(index) == Some(false) {
            next.set_revoked(index, true).unwrap();
            added += 1;
        }
    }
    next.sequence = 2;
    next.issued_at = NOW + 3_600;
    next.valid_until = NOW + 3_600 + 86_400;
    let delta = StatusDelta::between(&list, &next).unwrap();
    assert_eq!(delta.change_count(), changes as usize);
    let signed_delta = delta.sign(&setup.issuer).unwrap();
    println!(
        "one day's delta ({added} revocations, {released} releases): {} bytes signed, \
         three lists {} bytes (full lists: {} bytes)",
        signed_delta.len(),
        3 * signed_delta.len(),
        3 * signed.len()
    );
    group.bench_function("install_delta_16m_daily", |bencher| {
        bencher.iter_batched(
            || {
                let mut verifier = Verifier::new(
                    &setup.trust,
                    VerifierPolicy::for_purposes(&[Purpose::Transport]),
                )
                .unwrap();
                verifier.install_status_list(&signed, NOW).unwrap();
                verifier
            },
            |mut verifier| {
                verifier
                    .install_status_delta(&signed_delta, NOW + 3_600)
                    .unwrap()
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(4));
    targets = baseline, verify_unseen, verify_new_credential_of_known_phone, verify_repeat, refresh, status_list
}
criterion_main!(benches);
