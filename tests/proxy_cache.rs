//! The public feeds behind a real reverse-proxy cache (nginx from the
//! distribution): thousands of terminals asking for the same status list,
//! trust list and catalogue are answered by the proxy, which reaches the
//! platform once per feed and revalidates by entity tag; personal answers
//! and the clock pass through uncached.
//!
//! `scripts/test` installs nginx; the test fails (not skips) without it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_api::paths;
use ecard_e2e::TestPlatform;

/// Requests the platform answered for routes whose template starts with
/// `route`, from its metrics.
async fn answered(platform: &str, route: &str) -> u64 {
    ecard_e2e::requests_answered(&reqwest::Client::new(), platform, route, None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeat_feed_requests_are_answered_by_the_proxy_without_reaching_the_platform() {
    let platform = TestPlatform::start();
    let directory = tempfile::tempdir().unwrap();
    let upstream = platform.url().trim_start_matches("http://").to_owned();
    let proxy = ecard_e2e::feed_proxy(directory.path(), &upstream);
    let client = reqwest::Client::new();
    let status_list = paths::STATUS_LIST.replace("{id}", "0");
    let feeds = [
        status_list.clone(),
        paths::TRUST_LIST.to_owned(),
        format!("{}?region=360000", paths::CATALOGUE_SYNC),
    ];

    let mut first_bodies = Vec::new();
    for feed in &feeds {
        let response = client
            .get(format!("{}{feed}", proxy.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{feed}");
        let cache_control = response.headers()["cache-control"].to_str().unwrap();
        assert!(
            cache_control.starts_with("public, max-age="),
            "{cache_control}"
        );
        assert!(response.headers().contains_key("etag"));
        first_bodies.push(response.bytes().await.unwrap());
    }
    let before = answered(&platform.url(), "/v1/").await;

    // A thousand terminals asking again: the proxy answers every one.
    for round in 0..1_000 {
        let feed = &feeds[round % feeds.len()];
        let response = client
            .get(format!("{}{feed}", proxy.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["x-cache-status"].to_str().unwrap(),
            "HIT",
            "{feed}"
        );
        assert_eq!(
            response.bytes().await.unwrap(),
            first_bodies[round % feeds.len()]
        );
    }
    let after = answered(&platform.url(), "/v1/").await;
    assert_eq!(
        after, before,
        "the platform answered repeats the proxy holds"
    );

    // A terminal revalidating its copy gets 304 from the proxy too.
    let etag = client
        .get(format!("{}{status_list}", proxy.base))
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let revalidated = client
        .get(format!("{}{status_list}", proxy.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), 304);

    // The clock and everything personal pass through, every time.
    let time_before = answered(&platform.url(), paths::TIME).await;
    for _ in 0..10 {
        let response = client
            .get(format!("{}{}", proxy.base, paths::TIME))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(!response.headers().contains_key("x-cache-status"));
    }
    assert_eq!(
        answered(&platform.url(), paths::TIME).await,
        time_before + 10
    );
}
