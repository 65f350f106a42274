//! The public feeds behind a real reverse-proxy cache (nginx from the
//! distribution): thousands of terminals asking for the same status list,
//! trust list and catalogue are answered by the proxy, which reaches the
//! platform once per feed and revalidates by entity tag; personal answers
//! and the clock pass through uncached.
//!
//! `scripts/test` installs nginx; the test fails (not skips) without it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ecard_api::paths;
use ecard_e2e::TestPlatform;

/// nginx serving `directory/nginx.conf` in the foreground; killed on drop.
struct Proxy {
    child: Child,
    base: String,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The deployment's proxy configuration for the feeds (docs/operations.md
/// shows the same), pointed at `upstream`.
fn configuration(directory: &Path, port: u16, upstream: &str) -> String {
    let directory = directory.display();
    format!(
        r#"worker_processes 1;
master_process off;
daemon off;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    proxy_cache_path {directory}/cache levels=1:2 keys_zone=feeds:10m max_size=256m inactive=10m use_temp_path=off;
    upstream platform {{
        server {upstream};
        keepalive 16;
        keepalive_timeout 5s;
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        location / {{
            proxy_pass http://platform;
        }}
        location ~ ^/v1/(status-lists/|trust-list$|catalogue/) {{
            proxy_pass http://platform;
            proxy_cache feeds;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_cache_use_stale updating error timeout;
            proxy_cache_background_update on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"#
    )
}

fn start_proxy(directory: &Path, upstream: &str) -> Proxy {
    let port = free_port();
    let config = directory.join("nginx.conf");
    std::fs::write(&config, configuration(directory, port, upstream)).unwrap();
    let child = Command::new("nginx")
        .arg("-c")
        .arg(&config)
        .arg("-p")
        .arg(directory)
        .arg("-e")
        .arg(directory.join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("nginx (scripts/test installs it from the distribution)");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nginx did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Proxy {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

/// Requests the platform answered for routes whose template starts with
/// `route`, from its metrics.
async fn answered(platform: &str, route: &str) -> u64 {
    let metrics = reqwest::get(format!("{platform}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    metrics
        .lines()
        .filter(|line| line.starts_with("ecard_http_requests_total{"))
        .filter(|line| line.contains(&format!("route=\"{route}")))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeat_feed_requests_are_answered_by_the_proxy_without_reaching_the_platform() {
    let platform = TestPlatform::start();
    let directory = tempfile::tempdir().unwrap();
    let upstream = platform.url().trim_start_matches("http://").to_owned();
    let proxy = start_proxy(directory.path(), &upstream);
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
