// The query mix of the search benchmarks: short and long Chinese, full
// pinyin, initials, filters. An expression, included by `common.rs` and
// `examples/search_instructions.rs` so both run the same queries.
{

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
