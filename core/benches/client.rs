//! Criterion benchmarks of the client core against the budgets of issue 4
//! (numbers in docs/benchmarks.md):
//!
//! - `open/cold`: opening a client whose catalogue (323 items, 3,200
//!   outlets) is synced — storage, data key, session, indexes;
//! - `sync/first` and `sync/unchanged`: a full first sync from the local
//!   platform, and an unchanged re-sync (one 304);
//! - `search/*` over 10,000 items and `nearest/*` over 10,000 outlets.
//!
//! Run: `cargo bench -p ecard-core --bench client`; percentiles:
//! `cargo bench -p ecard-core --bench percentiles`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benchmarks fail loudly"
)]
#![allow(missing_docs, reason = "criterion macros generate undocumented items")]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ecard_core::{ClientConfig, EcardClient, MemoryKeyStore};
use ecard_platform::{PlatformConfig, RunningPlatform};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn open_and_sync(criterion: &mut Criterion) {
    let runtime = runtime();
    let directory = tempfile::tempdir().unwrap();
    let platform =
        RunningPlatform::start(&PlatformConfig::new(directory.path().join("platform.db"))).unwrap();
    let key_store = Arc::new(MemoryKeyStore::new());
    let synced = directory.path().join("synced");
    runtime.block_on(async {
        let client = EcardClient::open(
            ClientConfig::new(&synced, platform.base_url()),
            key_store.clone(),
        )
        .await
        .unwrap();
        client.sync_catalogue().await.unwrap();
    });

    let mut group = criterion.benchmark_group("open");
    group.bench_function("cold", |bencher| {
        bencher.iter(|| {
            runtime
                .block_on(EcardClient::open(
                    ClientConfig::new(&synced, platform.base_url()),
                    key_store.clone(),
                ))
                .unwrap()
        })
    });
    group.finish();

    let mut group = criterion.benchmark_group("sync");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    let mut round = 0;
    group.bench_function("first", |bencher| {
        bencher.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                round += 1;
                let data = directory.path().join(format!("fresh-{round}"));
                let client = runtime
                    .block_on(EcardClient::open(
                        ClientConfig::new(&data, platform.base_url()),
                        key_store.clone(),
                    ))
                    .unwrap();
                let start = Instant::now();
                let report = runtime.block_on(client.sync_catalogue()).unwrap();
                total += start.elapsed();
                assert!(!report.unchanged);
                drop(client);
                let _ = std::fs::remove_dir_all(&data);
            }
            total
        })
    });
    let client = runtime
        .block_on(EcardClient::open(
            ClientConfig::new(&synced, platform.base_url()),
            key_store.clone(),
        ))
        .unwrap();
    group.bench_function("unchanged", |bencher| {
        bencher.iter(|| assert!(runtime.block_on(client.sync_catalogue()).unwrap().unchanged))
    });
    group.finish();
}

fn search(criterion: &mut Criterion) {
    let index = common::catalogue(10_000);
    let mut group = criterion.benchmark_group("search");
    for query in common::queries() {
        let name = if query.text.is_empty() {
            "filter only".to_owned()
        } else {
            query.text.clone()
        };
        group.bench_function(name, |bencher| bencher.iter(|| index.search(&query)));
    }
    group.finish();
}

fn nearest(criterion: &mut Criterion) {
    let index = common::outlets(10_000);
    let now = 1_767_578_400;
    let mut group = criterion.benchmark_group("nearest");
    for (position, query) in common::outlet_queries().into_iter().enumerate() {
        group.bench_function(format!("query-{position}"), |bencher| {
            bencher.iter(|| index.nearest(&query, now))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(3));
    targets = open_and_sync, search, nearest
}
criterion_main!(benches);
