//! The judged queries of `search_evaluation.json`, read by the
//! `search_quality` bench and checked by `core/tests/search_evaluation.rs`:
//! one definition of the set's shape for both.

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

/// The whole set.
///
/// # Panics
/// When the file does not parse (the test says where).
#[allow(clippy::expect_used, reason = "bench and test data: fails loudly")]
pub fn judged() -> Vec<Judged> {
    serde_json::from_str(include_str!("../search_evaluation.json"))
        .expect("the evaluation set parses")
}
