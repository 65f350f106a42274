//! Shared setup of the core benchmarks: indexes over synthetic data of the
//! sizes the budgets name (or over the sample catalogue), and a mixed query
//! workload.

use ecard_api::catalogue::{CatalogueItem, Cluster, OutletService};
use ecard_core::catalogue::outlets::{OutletIndex, OutletQuery};
use ecard_core::catalogue::pinyin::keys;
use ecard_core::catalogue::search::{CatalogueIndex, SearchQuery};

/// A search index of `items` synthetic catalogue items.
pub fn catalogue(items: usize) -> CatalogueIndex {
    index(ecard_sample_data::synthetic(items, 10, 7).catalogue)
}

/// A search index of catalogue items, with the pinyin keys a sync stores.
pub fn index(items: Vec<CatalogueItem>) -> CatalogueIndex {
    let rows = items
        .into_iter()
        .map(|item| {
            let (full, initials) = keys(&item.name);
            (item, full, initials)
        })
        .collect();
    CatalogueIndex::build(rows)
}

/// An outlet index of `outlets` synthetic outlets.
pub fn outlets(outlets: usize) -> OutletIndex {
    OutletIndex::build(ecard_sample_data::synthetic(10, outlets, 7).outlets)
}

/// The query mix: short and long Chinese, full pinyin, initials, filters.
pub fn queries() -> Vec<SearchQuery> {
    let texts = [
        "社保",
        "公交",
        "养老保险",
        "社会保障卡申领",
        "医保",
        "shebao",
        "yanglao",
        "sbk",
        "gj",
        "就业 补贴",
        "图书馆",
        "不存在的事项",
    ];
    let mut queries: Vec<SearchQuery> = texts
        .iter()
        .map(|text| SearchQuery {
            text: (*text).into(),
            limit: 20,
            ..SearchQuery::default()
        })
        .collect();
    queries.push(SearchQuery {
        text: "补贴".into(),
        region: Some("360702".into()),
        cluster: Some(Cluster::Pay),
        limit: 20,
        ..SearchQuery::default()
    });
    queries.push(SearchQuery {
        region: Some("360102".into()),
        limit: 20,
        ..SearchQuery::default()
    });
    queries
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
