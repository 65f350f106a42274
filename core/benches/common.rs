//! Shared setup of the core benchmarks: indexes over synthetic data of the
//! sizes the budgets name (or over the sample catalogue), and a mixed query
//! workload.

use ecard_api::catalogue::{CatalogueItem, Cluster, OutletService, SearchVocabulary};
use ecard_core::catalogue::outlets::{OutletIndex, OutletQuery};
use ecard_core::catalogue::search::{CatalogueIndex, SearchQuery};

/// A search index of `items` synthetic catalogue items, read with the
/// sample vocabulary.
pub fn catalogue(items: usize) -> CatalogueIndex {
    index(ecard_sample_data::synthetic(items, 10, 7).catalogue)
}

/// A search index of catalogue items with the sample vocabulary.
pub fn index(items: Vec<CatalogueItem>) -> CatalogueIndex {
    let index = CatalogueIndex::build(items, &vocabulary());
    // As the client does after a sync, before any search is timed.
    index.prepare();
    index
}

/// The sample data's search vocabulary (national and Jiangxi words).
pub fn vocabulary() -> SearchVocabulary {
    // Jiangxi's view: the national entries and the province's.
    SearchVocabulary {
        version: 1,
        entries: ecard_sample_data::embedded()
            .map(|data| data.vocabulary)
            .unwrap_or_default(),
    }
}

/// An outlet index of `outlets` synthetic outlets.
pub fn outlets(outlets: usize) -> OutletIndex {
    OutletIndex::build(ecard_sample_data::synthetic(10, outlets, 7).outlets)
}

/// The query mix (`workloads/query_mix.rs`): short and long Chinese, full pinyin,
/// initials, filters.
pub fn queries() -> Vec<SearchQuery> {
    include!("workloads/query_mix.rs")
}

/// Nearest-20 queries around Jiangxi's cities, some filtered.
pub fn outlet_queries() -> Vec<OutletQuery> {
    let places = [
        (28.6829, 115.8579),
        (25.8311, 114.9350),
        (29.7050, 116.0019),
        (28.4547, 117.9433),
        (27.1138, 114.9927),
    ];
    places
        .iter()
        .enumerate()
        .map(|(index, (latitude, longitude))| OutletQuery {
            latitude: *latitude,
            longitude: *longitude,
            limit: 20,
            service: (index % 2 == 1).then_some(OutletService::ReportLoss),
            open_now_only: index == 4,
        })
        .collect()
}
