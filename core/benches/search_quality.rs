//! Search quality over the sample catalogue (issue 15): the judged queries
//! of `core/benches/search_evaluation.json` (the development set) and
//! `search_evaluation_heldout.json` (the held-out set, never tuned
//! against) — written the way residents speak and type — run against the sample catalogue (323 items) with the
//! resident's region (360000, Jiangxi). Prints, overall and per kind of
//! query, the share of queries with a right item first (top 1) and among
//! the first three (top 3), and the mean reciprocal rank over the first ten
//! (0 when no right item is there); `ECARD_BENCH_DETAIL=1` adds one line per
//! query: the query, its kind, the rank of the first right item and the
//! first three titles. Numbers in docs/benchmarks.md ("Search quality").
//!
//! Run: `cargo bench -p ecard-core --bench search_quality` (or, reusing
//! the test build as `scripts/test` does, `cargo test -p ecard-core --bench
//! search_quality`: the numbers do not depend on optimisation). The budget
//! line is printed, not asserted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a measurement script"
)]
#![allow(missing_docs, reason = "a measurement script")]

#[allow(dead_code, reason = "the other benches' workloads are not used here")]
mod common;
mod evaluation_set;

use evaluation_set::{KINDS, held_out, judged};

use ecard_core::catalogue::search::SearchQuery;

/// The resident's region: every query is asked from Jiangxi.
const REGION: &str = "360000";
/// Ranks beyond this count as not found (reciprocal rank 0).
const DEPTH: usize = 10;
#[derive(Default)]
struct Tally {
    queries: usize,
    top1: usize,
    top3: usize,
    reciprocal: f64,
    no_hits: usize,
}

impl Tally {
    fn add(&mut self, rank: Option<usize>, hits: usize) {
        self.queries += 1;
        if let Some(rank) = rank {
            self.top1 += usize::from(rank == 1);
            self.top3 += usize::from(rank <= 3);
            self.reciprocal += 1.0 / rank as f64;
        }
        self.no_hits += usize::from(hits == 0);
    }

    /// The top-3 share and the mean reciprocal rank.
    fn shares(&self) -> (f64, f64) {
        let queries = self.queries.max(1) as f64;
        (self.top3 as f64 / queries, self.reciprocal / queries)
    }

    fn line(&self, name: &str) -> String {
        let share = |count: usize| 100.0 * count as f64 / self.queries.max(1) as f64;
        format!(
            "| {name} | {} | {:.1} % | {:.1} % | {:.3} | {} |",
            self.queries,
            share(self.top1),
            share(self.top3),
            self.reciprocal / self.queries.max(1) as f64,
            self.no_hits,
        )
    }
}

fn main() {
    if std::env::args().any(|argument| argument == "--list") {
        return;
    }
    let index = common::index(
        ecard_sample_data::embedded()
            .expect("the sample catalogue")
            .catalogue,
    );
    let detail = std::env::var_os("ECARD_BENCH_DETAIL").is_some();
    report("development set", &judged(), &index, detail);
    println!();
    report("held-out set", &held_out(), &index, detail);
}

fn report(
    title: &str,
    judged: &[evaluation_set::Judged],
    index: &ecard_core::catalogue::search::CatalogueIndex,
    detail: bool,
) {
    let mut overall = Tally::default();
    let mut by_kind: Vec<Tally> = KINDS.iter().map(|_| Tally::default()).collect();
    for case in judged {
        let hits = index.search(&SearchQuery {
            text: case.query.clone(),
            region: Some(REGION.into()),
            limit: DEPTH as u32,
            ..SearchQuery::default()
        });
        // A hit answers when its item or a twin folded into it does.
        let rank = hits
            .iter()
            .position(|hit| {
                case.answers.contains(&hit.item.id)
                    || hit.twins.iter().any(|twin| case.answers.contains(twin))
            })
            .map(|position| position + 1);
        overall.add(rank, hits.len());
        let kind = KINDS
            .iter()
            .position(|kind| *kind == case.kind)
            .expect("a known kind");
        by_kind[kind].add(rank, hits.len());
        if detail {
            let titles: Vec<String> = hits
                .iter()
                .take(3)
                .map(|hit| format!("{} {}", hit.item.id, hit.item.name))
                .collect();
            println!(
                "{:?}\t{}\trank {}\t{}",
                case.query,
                case.kind,
                rank.map_or_else(|| "-".to_owned(), |rank| rank.to_string()),
                titles.join(" / ")
            );
        }
    }
    if detail {
        println!();
    }
    println!(
        "search quality, {title}: {} judged queries, sample catalogue ({} items), region {REGION}, depth {DEPTH}",
        judged.len(),
        index.len()
    );
    println!("| kind | queries | top 1 | top 3 | MRR@{DEPTH} | no hits |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (kind, tally) in KINDS.iter().zip(&by_kind) {
        if tally.queries > 0 {
            println!("{}", tally.line(kind));
        }
    }
    println!("{}", overall.line("all"));
    let (top3, reciprocal) = overall.shares();
    println!(
        "budget (top 3 >= 90 %, MRR@{DEPTH} >= 0.8): {}",
        if top3 >= 0.9 && reciprocal >= 0.8 {
            "met"
        } else {
            "NOT met"
        }
    );
}
