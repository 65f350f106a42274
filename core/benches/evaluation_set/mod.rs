//! The judged queries, read by the `search_quality` bench and checked by
//! `core/tests/search_evaluation.rs`: one definition of the sets' shape for
//! both. Two sets: `search_evaluation.json` (305 queries, written with the
//! search work and looked at while tuning it) and
//! `search_evaluation_heldout.json` (130 queries written afterwards by
//! someone who saw neither the search code nor the vocabulary, and never
//! tuned against): the second says how search does on queries nobody fitted
//! it to.

use serde::Deserialize;

/// The kinds of query, in the order they are reported.
pub const KINDS: [&str; 7] = [
    "characters",
    "colloquial",
    "question",
    "multiword",
    "pinyin",
    "initials",
    "typo",
];

/// One query as a resident writes it, with the catalogue items that answer it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Judged {
    /// What the resident types.
    pub query: String,
    /// One of [`KINDS`].
    pub kind: String,
    /// Ids of the items that answer it.
    pub answers: Vec<String>,
}

/// The development set.
///
/// # Panics
/// When the file does not parse (the test says where).
#[allow(clippy::expect_used, reason = "bench and test data: fails loudly")]
pub fn judged() -> Vec<Judged> {
    serde_json::from_str(include_str!("../search_evaluation.json"))
        .expect("the evaluation set parses")
}

/// The held-out set.
///
/// # Panics
/// When the file does not parse.
#[allow(clippy::expect_used, reason = "bench and test data: fails loudly")]
pub fn held_out() -> Vec<Judged> {
    serde_json::from_str(include_str!("../search_evaluation_heldout.json"))
        .expect("the held-out set parses")
}
