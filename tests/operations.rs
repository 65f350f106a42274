//! Operating a platform, end to end over loopback: the metrics count
//! requests under their route templates and carry no personal data, the
//! request log names routes and request ids and nothing personal, health
//! and readiness answer (readiness turns `503` when the platform drains),
//! the rate limits refuse a flood from one source or one device with `429`
//! and `Retry-After` while others are served (behind a trusted proxy by the
//! forwarded client), and the split routers serve only their half.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use ecard_api::paths;
use ecard_e2e::{ADMIN_TOKEN, RawAnswer, TestPlatform, answer, test_database};
use ecard_platform::http::rate_limit::RateLimit;
use ecard_platform::{Platform, PlatformConfig};

/// What the platforms of this test binary logged (one subscriber for the
/// process, installed by the first test that asks).
fn captured_log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        log
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The test deployment's configuration, changed by `adjust`.
fn config(directory: &Path, adjust: impl FnOnce(&mut PlatformConfig)) -> PlatformConfig {
    let mut config = PlatformConfig::new(test_database(directory));
    config.admin_token = ADMIN_TOKEN.to_owned();
    adjust(&mut config);
    config
}

/// A platform whose only request limit is per source, 0.2 a second after a
/// burst of `burst`, believing `X-Forwarded-For` from `trusted_proxies`.
fn source_limited(burst: u32, trusted_proxies: Vec<IpAddr>) -> TestPlatform {
    TestPlatform::start_with(|directory| {
        config(directory, |config| {
            config.source_rate_limit = Some(RateLimit {
                per_second: 0.2,
                burst,
            });
            config.device_rate_limit = None;
            config.trusted_proxies = trusted_proxies;
        })
    })
}

/// A GET from `source` (a loopback address) with `headers`.
async fn get_from(
    base: &str,
    source: Option<IpAddr>,
    path: &str,
    headers: &[(&str, &str)],
) -> (RawAnswer, reqwest::header::HeaderMap) {
    let client = reqwest::Client::builder()
        .local_address(source)
        .build()
        .unwrap();
    let mut request = client.get(format!("{base}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let headers = response.headers().clone();
    (answer(response).await, headers)
}

async fn get(base: &str, path: &str) -> RawAnswer {
    get_from(base, None, path, &[]).await.0
}

/// A page of text (metrics, health) and its content type.
async fn text(base: &str, path: &str) -> (u16, String, String) {
    let response = reqwest::get(format!("{base}{path}")).await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, content_type, response.text().await.unwrap())
}

fn loopback(last: u8) -> Option<IpAddr> {
    Some(IpAddr::from([127, 0, 0, last]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_template_and_reveal_no_personal_data() {
    let log = captured_log();
    let platform = TestPlatform::start();
    let url = platform.url();
    let persona = platform.persona("resident").await;
    let device = platform.enrol_persona("resident").await;
    let device_id = device.device_id.clone().unwrap();
    let id_number = persona["id_number"].as_str().unwrap().to_owned();
    let name = persona["name"].as_str().unwrap().to_owned();

    // Reads with ids in the path and personal data in the query.
    let missing = paths::with_id(paths::APPLICATION, "app-no-such-application");
    for _ in 0..2 {
        assert_eq!(device.get(&missing).await.status, 404);
    }
    assert_eq!(device.get(paths::ME).await.status, 200);
    let (unknown, headers) = get_from(
        &url,
        None,
        &format!("/v1/nowhere/{id_number}?name={id_number}"),
        &[("x-request-id", "probe-1234")],
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(headers["x-request-id"], "probe-1234");
    let (_, headers) = get_from(&url, None, paths::TIME, &[("x-request-id", "bad id!")]).await;
    let generated = headers["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(generated, "bad id!");

    let (status, content_type, page) = text(&url, "/metrics").await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    for line in [
        "ecard_http_requests_total{route=\"/v1/applications/{id}\",method=\"GET\",status=\"404\"} 2",
        "ecard_http_requests_total{route=\"/v1/me\",method=\"GET\",status=\"200\"} 1",
        "ecard_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1",
        "ecard_http_request_duration_seconds_count{route=\"/v1/applications/{id}\"} 2",
        "ecard_database_counts_up 1",
        "ecard_draining 0",
        "ecard_rate_limit_refusals_total{kind=\"source\"} 0",
    ] {
        assert!(page.lines().any(|got| got == line), "{line} in\n{page}");
    }
    // One on SQLite, the pool's size on PostgreSQL.
    let connections: u64 = page
        .lines()
        .find_map(|line| line.strip_prefix("ecard_db_connections "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(connections >= 1, "{page}");
    for family in [
        "ecard_http_requests_in_flight",
        "ecard_db_wait_seconds_bucket{le=\"+Inf\"}",
        "ecard_db_busy ",
        "ecard_enrolments{state=",
        "ecard_sms_outbox_messages ",
        "ecard_idempotent_replies_stored ",
        "ecard_applications",
        "ecard_loss_reports_open",
    ] {
        assert!(page.contains(family), "{family} in\n{page}");
    }
    let phone = ecard_e2e::phone_for(&id_number);
    let secrets = [
        id_number.as_str(),
        device_id.as_str(),
        name.as_str(),
        phone.as_str(),
        "app-no-such-application",
        ADMIN_TOKEN,
    ];
    for secret in secrets {
        assert!(!page.contains(secret), "the metrics show {secret}");
    }

    // The request log: one line per request with the template and the id,
    // nothing personal.
    let logged = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    assert!(
        logged
            .lines()
            .any(|line| line.contains("route=\"/v1/applications/{id}\"")
                || line.contains("route=/v1/applications/{id}")),
        "{logged}"
    );
    assert!(logged.contains("probe-1234"), "{logged}");
    assert!(logged.contains(&generated), "{logged}");
    for secret in secrets {
        assert!(!logged.contains(secret), "the log shows {secret}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer_and_readiness_fails_once_draining() {
    let platform = TestPlatform::start();
    let url = platform.url();
    assert_eq!(
        text(&url, "/healthz").await,
        (
            200,
            "text/plain; charset=utf-8".to_owned(),
            "ok\n".to_owned()
        )
    );
    let (status, _, body) = text(&url, "/readyz").await;
    assert_eq!((status, body.as_str()), (200, "ready\n"));

    platform.running.as_ref().unwrap().platform().set_draining();
    let (status, _, body) = text(&url, "/readyz").await;
    assert_eq!(status, 503);
    assert!(body.contains("draining"), "{body}");
    // Still alive, still answering the requests that reach it.
    assert_eq!(text(&url, "/healthz").await.0, 200);
    assert_eq!(get(&url, paths::TIME).await.status, 200);
    assert!(text(&url, "/metrics").await.2.contains("ecard_draining 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_from_one_source_is_refused_while_another_source_is_served() {
    let platform = source_limited(5, Vec::new());
    let url = platform.url();
    let mut statuses = Vec::new();
    let mut refusal = None;
    for _ in 0..8 {
        let (answer, _) = get_from(&url, loopback(1), paths::TIME, &[]).await;
        statuses.push(answer.status);
        if answer.status == 429 {
            refusal = Some(answer);
        }
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    let refusal = refusal.unwrap();
    assert_eq!(refusal.body["code"], "rate_limited");
    assert_eq!(
        refusal.content_type.as_deref(),
        Some(ecard_api::PROBLEM_JSON)
    );
    assert!(refusal.server_time.is_some(), "the clock header is kept");
    let retry_after = refusal.retry_after.unwrap();
    assert!((1..=5).contains(&retry_after), "{retry_after}");

    // Another source is served; unknown paths count against the source too.
    assert_eq!(
        get_from(&url, loopback(2), paths::TIME, &[]).await.0.status,
        200
    );
    assert_eq!(
        get_from(&url, loopback(1), "/nowhere", &[]).await.0.status,
        429
    );
    // The admin API and the operations endpoints are not limited.
    let (admin, _) = get_from(
        &url,
        loopback(1),
        paths::ADMIN_PERSONAS,
        &[("authorization", &format!("Bearer {ADMIN_TOKEN}"))],
    )
    .await;
    assert_eq!(admin.status, 200);
    let (_, _, page) = text(&url, "/metrics").await;
    assert!(
        page.contains("ecard_rate_limit_refusals_total{kind=\"source\"} 4"),
        "{page}"
    );
    assert!(
        page.contains(
            "ecard_http_requests_total{route=\"/v1/time\",method=\"GET\",status=\"429\"} 3"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_naming_one_device_is_refused_while_another_device_is_served() {
    let platform = TestPlatform::start_with(|directory| {
        config(directory, |config| {
            config.source_rate_limit = None;
            config.device_rate_limit = Some(RateLimit {
                per_second: 0.2,
                burst: 3,
            });
        })
    });
    let url = platform.url();
    let device = |id: &'static str| [(ecard_api::auth::DEVICE_HEADER, id)];
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(
            get_from(&url, None, paths::ME, &device("dev-forged"))
                .await
                .0
                .status,
        );
    }
    // Unsigned: refused as unauthenticated until the id's tokens are spent.
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    assert_eq!(
        get_from(&url, None, paths::ME, &device("dev-other"))
            .await
            .0
            .status,
        401
    );
    // Requests naming no device are not touched by the device limit.
    assert_eq!(get(&url, paths::TIME).await.status, 200);
    let (_, _, page) = text(&url, "/metrics").await;
    assert!(
        page.contains("ecard_rate_limit_refusals_total{kind=\"device\"} 2"),
        "{page}"
    );
    assert!(!page.contains("dev-forged"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_the_forwarded_client_is_the_source() {
    let platform = source_limited(2, vec![IpAddr::from([127, 0, 0, 1])]);
    let url = platform.url();
    let via_proxy = |client: &'static str| [("x-forwarded-for", client)];
    let statuses = |answers: Vec<u16>| answers;
    let mut first = Vec::new();
    for _ in 0..3 {
        // The client wrote a forged entry; the proxy appended the real one.
        let forwarded = via_proxy("10.9.9.9, 198.51.100.1");
        first.push(
            get_from(&url, loopback(1), paths::TIME, &forwarded)
                .await
                .0
                .status,
        );
    }
    assert_eq!(statuses(first), [200, 200, 429]);
    // Another client behind the same proxy is served.
    let other = via_proxy("198.51.100.2");
    assert_eq!(
        get_from(&url, loopback(1), paths::TIME, &other)
            .await
            .0
            .status,
        200
    );
    // From a peer that is not a trusted proxy the header means nothing: a
    // fresh forged entry per request does not buy fresh tokens.
    let mut spoofed = Vec::new();
    for index in 0..3 {
        let forged = format!("203.0.113.{index}");
        let headers = [("x-forwarded-for", forged.as_str())];
        spoofed.push(
            get_from(&url, loopback(3), paths::TIME, &headers)
                .await
                .0
                .status,
        );
    }
    assert_eq!(spoofed, [200, 200, 429]);
}

/// Serves `router` on loopback until the test's runtime ends.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{address}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_and_admin_routers_serve_only_their_half() {
    let directory = tempfile::tempdir().unwrap();
    let platform = Platform::open(&config(directory.path(), |_| {})).unwrap();
    let api = serve(platform.api_router()).await;
    let admin = serve(platform.admin_router()).await;
    let token = format!("Bearer {ADMIN_TOKEN}");
    let with_token = [("authorization", token.as_str())];

    assert_eq!(get(&api, paths::TIME).await.status, 200);
    let (refused, _) = get_from(&api, None, paths::ADMIN_PERSONAS, &with_token).await;
    assert_eq!(refused.status, 404);
    assert_eq!(refused.body["code"], "not_found");
    assert!(refused.server_time.is_some());
    for path in ["/metrics", "/healthz", "/readyz"] {
        assert_eq!(get(&api, path).await.status, 404, "{path}");
    }

    let (served, _) = get_from(&admin, None, paths::ADMIN_PERSONAS, &with_token).await;
    assert_eq!(served.status, 200);
    for path in [paths::TIME, paths::TRUST_LIST, "/v1/applications/x"] {
        let answer = get(&admin, path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.body["code"], "not_found");
    }
    assert_eq!(text(&admin, "/healthz").await.0, 200);
    assert_eq!(text(&admin, "/readyz").await.0, 200);
    // Both halves count into one registry.
    let (_, _, page) = text(&admin, "/metrics").await;
    assert!(
        page.contains(
            "ecard_http_requests_total{route=\"/v1/time\",method=\"GET\",status=\"200\"} 1"
        )
    );
    assert!(page.contains(
        "ecard_http_requests_total{route=\"/admin/personas\",method=\"GET\",status=\"200\"} 1"
    ));
    // Wrong methods keep their problem shape and are counted by template.
    let client = reqwest::Client::new();
    let wrong = client
        .delete(format!("{api}{}", paths::TIME))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 405);
    let (_, _, page) = text(&admin, "/metrics").await;
    assert!(page.contains(
        "ecard_http_requests_total{route=\"/v1/time\",method=\"DELETE\",status=\"405\"} 1"
    ));
}
