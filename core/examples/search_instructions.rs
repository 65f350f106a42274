//! Runs the search benchmark's query mix over 10,000 synthetic items (with
//! the sample vocabulary) a number of times, for counting instructions per
//! query with callgrind (`scripts/measure-search.sh`): counts do not move
//! with the machine's load, times do.
//!
//! Usage: `search_instructions [rounds] [query text]` — with a text, only
//! that query (with no filters) is run.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a measurement tool"
)]

use ecard_core::catalogue::search::{CatalogueIndex, SearchQuery};

fn main() {
    let mut arguments = std::env::args().skip(1);
    let rounds: usize = arguments
        .next()
        .and_then(|text| text.parse().ok())
        .unwrap_or(20);
    let only = arguments.next();
    let data = ecard_sample_data::synthetic(10_000, 10, 7);
    let vocabulary = ecard_api::catalogue::SearchVocabulary {
        version: 1,
        entries: ecard_sample_data::embedded()
            .map(|sample| sample.vocabulary)
            .unwrap_or_default(),
    };
    let started = std::time::Instant::now();
    let index = CatalogueIndex::build(data.catalogue, &vocabulary);
    index.prepare();
    // On stderr: the script reads the count of searches from stdout.
    eprintln!(
        "index of {} items built in {:.1} ms",
        index.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let queries: Vec<SearchQuery> = match only {
        Some(text) => vec![SearchQuery {
            text,
            limit: 20,
            ..SearchQuery::default()
        }],
        None => query_mix(),
    };
    let mut hits = 0;
    for _ in 0..rounds {
        for query in &queries {
            hits += std::hint::black_box(index.search(query)).len();
        }
    }
    println!("{} searches, {hits} hits", rounds * queries.len());
}

/// The search benchmarks' query mix.
fn query_mix() -> Vec<SearchQuery> {
    use ecard_api::catalogue::Cluster;
    include!("../benches/workloads/query_mix.rs")
}
