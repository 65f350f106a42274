//! The search vocabulary the catalogue sync carries: the national entries
//! and the region's province's, the operator's route that replaces a list,
//! its refusals, and the sync ETag that moves with any list; and the
//! catalogue items' popularity, app action and national twin.

use super::*;

/// The vocabulary of a sync answer.
fn vocabulary(answer: &RawAnswer) -> ecard_api::catalogue::SearchVocabulary {
    serde_json::from_value(answer.body["vocabulary"].clone()).unwrap()
}

/// Whether an entry of `list` has this term, and what it means.
fn meaning(
    vocabulary: &ecard_api::catalogue::SearchVocabulary,
    list: &str,
    term: &str,
) -> Option<Vec<String>> {
    vocabulary
        .entries
        .iter()
        .find(|entry| entry.list == list && entry.terms.iter().any(|t| t == term))
        .map(|entry| entry.means.clone())
}

async fn put_list(platform: &TestPlatform, list: &str, body: Value) -> RawAnswer {
    admin(
        platform,
        Method::PUT,
        &format!("/admin/search-vocabulary/{list}"),
        Some(body),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_carries_national_then_provincial_vocabulary_and_items_carry_usage() {
    let platform = TestPlatform::start();
    let jiangxi = get(&platform, "/v1/catalogue/sync?region=360102").await;
    ok(&jiangxi, 200);
    let words = vocabulary(&jiangxi);
    assert!(words.version >= 1);
    let national = words
        .entries
        .iter()
        .take_while(|entry| entry.list == "national")
        .count();
    assert!(national >= 200, "{national} national entries");
    assert!(
        words.entries[national..]
            .iter()
            .all(|entry| entry.list == "360000"),
        "national entries first, then the province's only"
    );
    assert!(words.entries.len() - national >= 20);
    assert_eq!(
        meaning(&words, "national", "丢了").unwrap(),
        ["挂失", "补换"]
    );
    assert_eq!(
        meaning(&words, "national", "怎么").unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(meaning(&words, "360000", "赣服通").unwrap(), ["赣服通"]);

    // Another province gets the national entries only.
    let zhejiang = get(&platform, "/v1/catalogue/sync?region=330106").await;
    ok(&zhejiang, 200);
    let zhejiang_words = vocabulary(&zhejiang);
    assert_eq!(zhejiang_words.version, words.version);
    assert_eq!(zhejiang_words.entries, words.entries[..national]);
    assert!(meaning(&zhejiang_words, "360000", "赣服通").is_none());

    // Items carry their popularity, app action and national twin.
    let items: Vec<ecard_api::catalogue::CatalogueItem> =
        serde_json::from_value(jiangxi.body["items"]["items"].clone()).unwrap();
    let item = |id: &str| items.iter().find(|item| item.id == id).unwrap();
    let apply = item("N-001");
    assert_eq!(apply.name, "社会保障卡申领");
    assert!(apply.popularity >= 90);
    assert_eq!(
        apply.app_action,
        Some(ecard_api::catalogue::AppAction::ApplyForCard)
    );
    assert_eq!(apply.national_item, None);
    let twin = item("P360000-001");
    assert_eq!(twin.name, apply.name);
    assert_eq!(twin.national_item.as_deref(), Some("N-001"));
    assert_eq!(twin.app_action, apply.app_action);
    assert!(items.iter().all(|item| item.popularity <= 100));
    assert!(items.iter().any(|item| item.app_action.is_none()));
    let raw = jiangxi.body["items"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == "P360000-001")
        .unwrap();
    assert_eq!(raw["app_action"], "apply_for_card");
    assert_eq!(raw["national_item"], "N-001");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_list_changes_the_sync_and_its_etag() {
    let platform = TestPlatform::start();
    let path = "/v1/catalogue/sync?region=360102";
    let before = get(&platform, path).await;
    let etag = before.etag.clone().unwrap();
    let old_version = vocabulary(&before).version;
    assert_eq!(get_if_none_match(&platform, path, &etag).await.status, 304);

    let answer = put_list(
        &platform,
        "360000",
        json!({ "entries": [
            { "terms": ["洪城e卡", "卡冇哩"], "means": ["社会保障卡", "挂失"] },
            { "terms": ["么子"], "means": [] },
        ] }),
    )
    .await;
    ok(&answer, 200);
    let new_version = answer.body["version"].as_u64().unwrap();
    assert!(new_version > old_version);

    // The old ETag is not answered 304: the new words come in full.
    let after = get_if_none_match(&platform, path, &etag).await;
    ok(&after, 200);
    assert_ne!(after.etag.as_deref(), Some(etag.as_str()));
    let words = vocabulary(&after);
    assert_eq!(words.version, new_version);
    assert_eq!(
        meaning(&words, "360000", "卡冇哩").unwrap(),
        ["社会保障卡", "挂失"]
    );
    assert_eq!(
        meaning(&words, "360000", "么子").unwrap(),
        Vec::<String>::new()
    );
    assert!(
        meaning(&words, "360000", "赣服通").is_none(),
        "the list is replaced, not merged"
    );
    assert_eq!(
        words.entries.iter().filter(|e| e.list == "360000").count(),
        2
    );
    assert!(meaning(&words, "national", "丢了").is_some());
    let new_etag = after.etag.clone().unwrap();
    assert_eq!(
        get_if_none_match(&platform, path, &new_etag).await.status,
        304
    );

    // Other provinces do not see Jiangxi's words; a province without a list
    // gets one.
    let zhejiang = vocabulary(&get(&platform, "/v1/catalogue/sync?region=330106").await);
    assert!(meaning(&zhejiang, "360000", "卡冇哩").is_none());
    ok(
        &put_list(
            &platform,
            "330000",
            json!({ "entries": [{ "terms": ["浙里办"], "means": ["政务服务"] }] }),
        )
        .await,
        200,
    );
    let zhejiang = vocabulary(&get(&platform, "/v1/catalogue/sync?region=330106").await);
    assert_eq!(
        meaning(&zhejiang, "330000", "浙里办").unwrap(),
        ["政务服务"]
    );
    assert_eq!(zhejiang.entries.last().unwrap().list, "330000");

    // A national change reaches every province and moves the ETag too.
    ok(
        &put_list(
            &platform,
            "national",
            json!({ "entries": [{ "terms": ["社保卡"], "means": ["社会保障卡"] }] }),
        )
        .await,
        200,
    );
    let after_national = get_if_none_match(&platform, path, &new_etag).await;
    ok(&after_national, 200);
    let words = vocabulary(&after_national);
    assert_eq!(words.entries[0].list, "national");
    assert_eq!(
        words
            .entries
            .iter()
            .filter(|e| e.list == "national")
            .count(),
        1
    );
    assert!(meaning(&words, "360000", "卡冇哩").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vocabulary_updates_are_validated_and_refusals_change_nothing() {
    let platform = TestPlatform::start();
    let path = "/v1/catalogue/sync?region=360102";
    let before = get(&platform, path).await;
    let etag = before.etag.clone().unwrap();
    let entry = |terms: Value| json!({ "entries": [{ "terms": terms, "means": ["挂失"] }] });

    for list in ["360100", "jiangxi", "000000", "36000", "NATIONAL"] {
        problem(
            &put_list(&platform, list, entry(json!(["丢了"]))).await,
            422,
            "invalid_field",
        );
    }
    for (body, field) in [
        (entry(json!([""])), "terms"),
        (entry(json!([])), "terms"),
        (entry(json!(["一二三四五六七八九十一二三"])), "terms"),
        (entry(json!([" 丢了"])), "terms"),
        (
            json!({ "entries": [
                { "terms": ["丢了"], "means": ["挂失"] },
                { "terms": ["丢了"], "means": ["补换"] },
            ] }),
            "terms",
        ),
        (
            json!({ "entries": [{ "terms": ["丢了"], "means": [""] }] }),
            "means",
        ),
        (
            json!({ "entries": (0..2_001)
                .map(|i| json!({ "terms": [i.to_string()], "means": [] }))
                .collect::<Vec<_>>() }),
            "entries",
        ),
    ] {
        let answer = put_list(&platform, "360000", body).await;
        problem(&answer, 422, "invalid_field");
        assert_eq!(answer.body["field"], field, "{:?}", answer.body);
    }
    for body in [
        json!({}),
        json!([]),
        json!({ "entries": [{ "terms": "丢了" }] }),
        json!({ "entries": [], "extra": 1 }),
    ] {
        problem(
            &put_list(&platform, "360000", body).await,
            400,
            "malformed_request",
        );
    }
    // Twelve characters is the limit, not over it; 2,000 entries too.
    ok(
        &put_list(
            &platform,
            "510000",
            json!({ "entries": [{ "terms": ["一二三四五六七八九十一二"], "means": [] }] }),
        )
        .await,
        200,
    );
    ok(
        &put_list(
            &platform,
            "440000",
            json!({ "entries": (0..2_000)
                .map(|i| json!({ "terms": [format!("词{i}")], "means": [] }))
                .collect::<Vec<_>>() }),
        )
        .await,
        200,
    );
    // Nothing of Jiangxi's changed.
    let after = get(&platform, path).await;
    assert_eq!(vocabulary(&after).entries, vocabulary(&before).entries);
    assert_ne!(after.etag.as_deref(), Some(etag.as_str()));
}
