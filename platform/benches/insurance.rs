//! Criterion benchmarks of issue 18's budgets (numbers in
//! docs/benchmarks.md, "Insurance records and certificates"): the first
//! load of the seeded elder's 30-odd years of records (≤ 100 ms: read,
//! totals, entity tag and the JSON body the platform sends), generating a
//! record, and issuing a certificate PDF (≤ 100 ms, ≤ 200 KB) with the
//! CJK font Debian installs (`fonts-wqy-microhei`, or
//! `ECARD_CERTIFICATE_FONT`).
//!
//! Run: `cargo bench -p ecard-platform --bench insurance`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmarks fail loudly"
)]
#![allow(missing_docs, reason = "criterion macros generate undocumented items")]

use criterion::{Criterion, criterion_group, criterion_main};
use ecard_api::insurance::{CertificateKind, CertificateRequest};
use ecard_platform::domain::certificate_pdf::CertificateFont;
use ecard_platform::domain::certificates::{Issuer, Requester, issue};
use ecard_platform::domain::insurance_records::{forget_person, generate_for, record, record_etag};

const NOW: u64 = 1_795_996_800;

fn seeded() -> (
    tempfile::TempDir,
    ecard_platform::store::sql::Connection,
    String,
) {
    let directory = tempfile::tempdir().unwrap();
    let mut connection =
        ecard_platform::store::db::open(&directory.path().join("platform.db")).unwrap();
    let tx = connection.transaction().unwrap();
    ecard_platform::domain::seed::seed(&tx, NOW).unwrap();
    let elder = ecard_platform::domain::register::persona(&tx, "elder")
        .unwrap()
        .unwrap();
    tx.commit().unwrap();
    (directory, connection, elder)
}

fn records(criterion: &mut Criterion) {
    let (_directory, mut connection, elder) = seeded();
    let mut group = criterion.benchmark_group("insurance_records");
    group.bench_function("first_load_elder", |bench| {
        bench.iter(|| {
            let tx = connection.transaction().unwrap();
            let etag = record_etag(&tx, &elder, NOW).unwrap();
            let body = serde_json::to_vec(&record(&tx, &elder, NOW).unwrap()).unwrap();
            (etag, body.len())
        });
    });
    {
        let tx = connection.transaction().unwrap();
        let whole = record(&tx, &elder, NOW).unwrap();
        let body = serde_json::to_vec(&whole).unwrap();
        eprintln!(
            "elder: {} months, {}–{}, {} bytes of JSON",
            whole.months.len(),
            whole.months.first().unwrap().month,
            whole.months.last().unwrap().month,
            body.len()
        );
    }
    group.bench_function("generate_elder", |bench| {
        bench.iter(|| {
            let tx = connection.transaction().unwrap();
            forget_person(&tx, &elder).unwrap();
            generate_for(&tx, &elder, NOW).unwrap();
        });
    });
    group.finish();
}

fn certificates(criterion: &mut Criterion) {
    let (_directory, mut connection, elder) = seeded();
    let font = CertificateFont::new(std::env::var_os("ECARD_CERTIFICATE_FONT").map(Into::into));
    font.font()
        .expect("a CJK font (apt-get install fonts-wqy-microhei)");
    let issuer = Issuer {
        name: "CN-MOHRSS",
        public_base: "https://ecard.example",
        font: &font,
    };
    let requester = Requester {
        account_id: "acc-bench",
        person_id: &elder,
        mandate_id: None,
    };
    let mut group = criterion.benchmark_group("certificates");
    group.sample_size(30);
    for (name, kind) in [
        ("issue_participation", CertificateKind::Participation),
        (
            "issue_contribution_record",
            CertificateKind::ContributionRecord,
        ),
    ] {
        let request = CertificateRequest {
            person_id: None,
            kind,
            insurance: None,
            from_year: None,
            to_year: None,
        };
        {
            let tx = connection.transaction().unwrap();
            let certificate = issue(&tx, &issuer, &requester, &elder, &request, NOW).unwrap();
            eprintln!("{name}: {} bytes", certificate.size);
        }
        group.bench_function(name, |bench| {
            bench.iter(|| {
                let tx = connection.transaction().unwrap();
                issue(&tx, &issuer, &requester, &elder, &request, NOW).unwrap()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, records, certificates);
criterion_main!(benches);
