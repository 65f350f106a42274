//! Scripted latency percentiles of search (10,000 items) and nearest-20
//! (10,000 outlets): the budgets are p99 ≤ 2 ms, which criterion's
//! averages do not show. Prints one line per workload.
//!
//! Run: `cargo bench -p ecard-core --bench percentiles`.
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a measurement script"
)]
#![allow(missing_docs, reason = "a measurement script")]

mod common;

use std::time::{Duration, Instant};

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |fraction: f64| {
        samples[((samples.len() as f64 * fraction) as usize).min(samples.len() - 1)]
    };
    println!(
        "{name}: n={} p50={:.3} ms p99={:.3} ms max={:.3} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3
    );
}

fn main() {
    if std::env::args().any(|argument| argument == "--list") {
        return;
    }
    let index = common::catalogue(10_000);
    let queries = common::queries();
    let mut samples = Vec::new();
    for round in 0..1_000 {
        for query in &queries {
            let start = Instant::now();
            let hits = index.search(query);
            samples.push(start.elapsed());
            std::hint::black_box((round, hits));
        }
    }
    report("search over 10,000 items", samples);
    if std::env::var_os("ECARD_BENCH_DETAIL").is_some() {
        for query in &queries {
            let samples = (0..200)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(index.search(query));
                    start.elapsed()
                })
                .collect();
            report(
                &format!("  {:?} region={:?}", query.text, query.region),
                samples,
            );
        }
    }

    let outlets = common::outlets(10_000);
    let outlet_queries = common::outlet_queries();
    let mut samples = Vec::new();
    for round in 0..2_000 {
        for query in &outlet_queries {
            let start = Instant::now();
            let hits = outlets.nearest(query, 1_767_578_400 + round);
            samples.push(start.elapsed());
            std::hint::black_box(hits);
        }
    }
    report("nearest-20 over 10,000 outlets", samples);
}
