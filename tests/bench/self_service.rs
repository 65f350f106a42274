//! Criterion benchmarks of social-insurance self-service in the client
//! core against the platform on loopback (issue 18's budgets; numbers in
//! docs/benchmarks.md):
//!
//! - `records/cached_view`: opening the elder's 30-odd years of records
//!   from the sealed cache, by year (budget ≤ 10 ms);
//! - `records/unchanged_refresh`: fetching them again when unchanged (a
//!   conditional GET answered 304, signatures included);
//! - `records/months_of_a_year`: one year's months from the cache;
//! - `certificate/open_kept`: a kept certificate's PDF opened (unsealed).
//!
//! Run: `cargo bench -p ecard-e2e --bench self_service`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmarks fail loudly"
)]
#![allow(missing_docs, reason = "criterion macros generate undocumented items")]

use criterion::{Criterion, criterion_group, criterion_main};
use ecard_api::insurance::{CertificateKind, CertificateRequest, Insurance};
use ecard_e2e::{TestPlatform, identity_of, open_client};

fn self_service(criterion: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let platform = TestPlatform::start();
    let data = tempfile::tempdir().unwrap();
    let (client, certificate_id) = runtime.block_on(async {
        let url = platform.url();
        let client = open_client(&url, data.path()).await;
        ecard_e2e::enrol(&client, &url, identity_of(&platform.persona("elder").await))
            .await
            .unwrap();
        client.insurance_records(None).await.unwrap();
        let certificate = client
            .request_certificate(CertificateRequest {
                person_id: None,
                kind: CertificateKind::ContributionRecord,
                insurance: None,
                from_year: None,
                to_year: None,
            })
            .await
            .unwrap();
        (client, certificate.certificate.certificate_id)
    });
    let years = client
        .insurance_records_cached(None)
        .unwrap()
        .unwrap()
        .years
        .len();
    assert!(years > 30, "the elder's record has {years} years");

    let mut group = criterion.benchmark_group("records");
    group.bench_function("cached_view", |bencher| {
        bencher.iter(|| client.insurance_records_cached(None).unwrap().unwrap());
    });
    group.bench_function("months_of_a_year", |bencher| {
        bencher.iter(|| {
            client
                .insurance_record_months(None, 1990, Some(Insurance::Pension))
                .unwrap()
        });
    });
    group.bench_function("unchanged_refresh", |bencher| {
        bencher.iter(|| runtime.block_on(client.insurance_records(None)).unwrap());
    });
    group.finish();

    let mut group = criterion.benchmark_group("certificate");
    group.bench_function("open_kept", |bencher| {
        bencher.iter(|| {
            runtime
                .block_on(client.certificate_pdf(&certificate_id))
                .unwrap()
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = self_service
}
criterion_main!(benches);
