//! The evaluation set of search quality (issue 15,
//! `core/benches/search_evaluation.json`, run by
//! `cargo bench -p ecard-core --bench search_quality`) stays judgeable: every
//! query is non-empty and unique, of a known kind, with at least one answer;
//! every answer is an item of the sample catalogue that the resident's
//! region (360000) can find; the set is large and varied enough.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::collections::{BTreeMap, BTreeSet};

use ecard_core::catalogue::search::covers;

#[path = "../benches/evaluation_set/mod.rs"]
mod evaluation_set;

use evaluation_set::{Judged, KINDS, held_out, judged};

#[test]
fn every_query_is_judged_with_items_of_the_catalogue() {
    check_judgeable(judged());
    check_judgeable(held_out());
    let development: BTreeSet<String> = judged().into_iter().map(|case| case.query).collect();
    for case in held_out() {
        assert!(
            !development.contains(&case.query),
            "{:?} is in both sets",
            case.query
        );
    }
}

fn check_judgeable(set: Vec<Judged>) {
    let catalogue = ecard_sample_data::embedded().unwrap().catalogue;
    let items: BTreeMap<&str, &[String]> = catalogue
        .iter()
        .map(|item| (item.id.as_str(), item.regions.as_slice()))
        .collect();
    let mut seen = BTreeSet::new();
    for case in set {
        assert!(!case.query.trim().is_empty(), "an empty query");
        assert!(seen.insert(case.query.clone()), "{:?} twice", case.query);
        assert!(
            KINDS.contains(&case.kind.as_str()),
            "{:?}: unknown kind {:?}",
            case.query,
            case.kind
        );
        assert!(!case.answers.is_empty(), "{:?}: no answer", case.query);
        let answers: BTreeSet<&String> = case.answers.iter().collect();
        assert_eq!(answers.len(), case.answers.len(), "{:?}", case.query);
        for answer in &case.answers {
            let regions = items
                .get(answer.as_str())
                .unwrap_or_else(|| panic!("{:?}: no item {answer}", case.query));
            assert!(
                covers(regions, "360000"),
                "{:?}: {answer} is not available in 360000",
                case.query
            );
        }
    }
}

#[test]
fn the_set_is_large_and_varied() {
    let judged = judged();
    assert!(judged.len() >= 200, "{} queries", judged.len());
    for kind in KINDS {
        let count = judged.iter().filter(|case| case.kind == kind).count();
        let least = match kind {
            "pinyin" | "initials" | "typo" | "colloquial" => 20,
            _ => 15,
        };
        assert!(count >= least, "{count} {kind} queries");
    }
    let typed_by_residents = judged
        .iter()
        .filter(|case| case.kind == "colloquial" || case.kind == "question")
        .count();
    assert!(typed_by_residents * 3 >= judged.len(), "colloquial queries");
}
