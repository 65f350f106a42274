//! Criterion benchmarks of the platform's identity checks (numbers in
//! docs/benchmarks.md): the PIN hash (Argon2id, 19 MiB, 2 passes), which
//! every PIN grant pays once, and checking a face platform's signed result.
//!
//! Run: `cargo bench -p ecard-platform --bench identity`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmarks fail loudly"
)]
#![allow(missing_docs, reason = "criterion macros generate undocumented items")]

use criterion::{Criterion, criterion_group, criterion_main};
use ecard_platform::domain::face::{
    FaceExpectation, FaceVerifier, SimulatedFacePlatform, TrustedFacePlatforms, subject_of,
};

fn pin(criterion: &mut Criterion) {
    let stored = ecard_platform::domain::pin::hash("135790").unwrap();
    let mut group = criterion.benchmark_group("pin");
    group.sample_size(20);
    group.bench_function("hash", |bench| {
        bench.iter(|| ecard_platform::domain::pin::hash("135790").unwrap());
    });
    group.bench_function("check", |bench| {
        bench.iter(|| ecard_platform::domain::pin::matches("246813", &stored).unwrap());
    });
    group.finish();
}

fn face(criterion: &mut Criterion) {
    let mut connection = ecard_platform::store::db::open(std::path::Path::new(":memory:")).unwrap();
    let tx = connection.transaction().unwrap();
    SimulatedFacePlatform::ensure_key(&tx).unwrap();
    let subject = subject_of("resident_id", "11010519491231002X");
    let result =
        SimulatedFacePlatform::mint(&tx, &subject, "challenge", "binding", true, true, 1_000)
            .unwrap();
    let expected = FaceExpectation {
        subject: &subject,
        challenge: "challenge",
        device_binding: "binding",
    };
    criterion.bench_function("face/verify", |bench| {
        bench.iter(|| {
            TrustedFacePlatforms
                .verify(&tx, &result, &expected, 1_010)
                .unwrap();
        });
    });
}

criterion_group!(benches, pin, face);
criterion_main!(benches);
