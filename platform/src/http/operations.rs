//! What the people running a platform need from it: metrics for Prometheus
//! (`GET /metrics`), liveness and readiness for the load balancer and the
//! orchestrator (`GET /healthz`, `GET /readyz`), and one structured log
//! line per request.
//!
//! These are served by the admin router (an operator's network), not the
//! public API, need no authentication and carry no personal data: metrics
//! are labelled by route template, method and status, the database counts
//! are numbers of records per workflow state, and the request log names
//! the route template, never the path, the query, a header or a body.
//!
//! Readiness turns `503` when the platform is draining (set by the serving
//! layer at the start of a graceful shutdown, so the load balancer stops
//! sending new requests while the last ones finish) or when the database
//! does not answer a trivial query within [`READINESS_TIMEOUT`].

pub mod metrics;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::domain;
use crate::http::context::AppState;
use crate::http::operations::metrics::{Exposition, UNMATCHED, method_label};
use crate::http::rate_limit::LimitKind;

/// Prometheus metrics, text format 0.0.4 (`GET`).
pub const METRICS: &str = "/metrics";
/// Liveness: `200 ok` while the process serves (`GET`).
pub const HEALTH: &str = "/healthz";
/// Readiness: `200` when the database answers and the platform is not
/// draining, else `503` with the reason (`GET`).
pub const READINESS: &str = "/readyz";

/// How long readiness waits for the database.
pub const READINESS_TIMEOUT: Duration = Duration::from_secs(1);

/// How long the database counts of `/metrics` are reused: scrapes closer
/// together than this do not hold the connection again.
pub const COUNTS_MAX_AGE: Duration = Duration::from_secs(5);

/// How long a scrape waits for the database counts.
pub const COUNTS_TIMEOUT: Duration = Duration::from_secs(2);

/// The request id header, taken from the request when well formed and
/// always set on the reply.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The operations endpoints.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(METRICS, get(metrics))
        .route(HEALTH, get(health))
        .route(READINESS, get(readiness))
}

fn text(status: StatusCode, body: String, content_type: &'static str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

const PLAIN_TEXT: &str = "text/plain; charset=utf-8";

async fn health() -> Response {
    text(StatusCode::OK, "ok\n".to_owned(), PLAIN_TEXT)
}

async fn readiness(State(state): State<Arc<AppState>>) -> Response {
    let not_ready = |reason: &str| {
        text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
            PLAIN_TEXT,
        )
    };
    if state.draining.load(Ordering::SeqCst) {
        return not_ready("draining");
    }
    // One probe at a time: while one still waits for the connection, the
    // database is not answering, and more probes would only pile up
    // blocking threads behind it.
    if state.readiness_probe.swap(true, Ordering::SeqCst) {
        return not_ready("database busy");
    }
    let probing = state.clone();
    let probe = tokio::task::spawn_blocking(move || {
        let _done = ProbeDone(&probing);
        probing.lock_database().is_ok_and(|mut connection| {
            domain::operations::database_answers(&mut connection).is_ok()
        })
    });
    match tokio::time::timeout(READINESS_TIMEOUT, probe).await {
        Ok(Ok(true)) => text(StatusCode::OK, "ready\n".to_owned(), PLAIN_TEXT),
        Ok(_) => not_ready("database error"),
        Err(_) => not_ready("database busy"),
    }
}

/// Ends a readiness probe when dropped, panics included.
struct ProbeDone<'a>(&'a AppState);

impl Drop for ProbeDone<'_> {
    fn drop(&mut self) {
        self.0.readiness_probe.store(false, Ordering::SeqCst);
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let reading = tokio::task::spawn_blocking({
        let state = state.clone();
        move || database_counts(&state)
    });
    // A scrape waits a short while for the connection; past that the page
    // goes out without the counts (`ecard_database_counts_up 0`).
    let counts = tokio::time::timeout(COUNTS_TIMEOUT, reading)
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    let mut out = Exposition::default();
    state.metrics.write_requests(&mut out);
    write_rate_limits(&state, &mut out);
    state.metrics.database.write(&mut out, state.db.size());
    state.metrics.pin_hashes.write(&mut out);
    write_counts(counts.as_deref().map(Vec::as_slice), &mut out);
    out.family(
        "ecard_draining",
        "gauge",
        "Whether the platform is draining for a shutdown (1) or serving (0).",
    );
    out.sample(
        "ecard_draining",
        &[],
        u8::from(state.draining.load(Ordering::SeqCst)),
    );
    text(StatusCode::OK, out.finish(), metrics::CONTENT_TYPE)
}

/// The workflow counts, at most [`COUNTS_MAX_AGE`] old; `None` when the
/// database failed, or when another scrape is reading them (scrapes do not
/// queue up behind one that waits for the connection).
fn database_counts(state: &AppState) -> Option<Arc<Vec<domain::operations::Count>>> {
    let mut cached = match state.workflow_counts.try_lock() {
        Ok(cached) => cached,
        Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return None,
    };
    if let Some((read_at, counts)) = cached.as_ref()
        && read_at.elapsed() < COUNTS_MAX_AGE
    {
        return Some(counts.clone());
    }
    let counts = {
        let mut connection = state.lock_database().ok()?;
        Arc::new(domain::operations::counts(&mut connection).ok()?)
    };
    *cached = Some((Instant::now(), counts.clone()));
    Some(counts)
}

fn write_rate_limits(state: &AppState, out: &mut Exposition) {
    let kinds = [LimitKind::Source, LimitKind::Device];
    out.family(
        "ecard_rate_limit_refusals_total",
        "counter",
        "Requests refused with 429 by the rate limits, by kind (source, device).",
    );
    for kind in kinds {
        out.sample(
            "ecard_rate_limit_refusals_total",
            &[("kind", kind.as_str())],
            state.rate_limits.refusals(kind),
        );
    }
    out.family(
        "ecard_rate_limit_tracked_keys",
        "gauge",
        "Source addresses and device ids the rate limits track now, by kind.",
    );
    for kind in kinds {
        out.sample(
            "ecard_rate_limit_tracked_keys",
            &[("kind", kind.as_str())],
            state.rate_limits.tracked_keys(kind),
        );
    }
}

fn write_counts(counts: Option<&[domain::operations::Count]>, out: &mut Exposition) {
    out.family(
        "ecard_database_counts_up",
        "gauge",
        "Whether the workflow counts below could be read (1) or not (0).",
    );
    out.sample("ecard_database_counts_up", &[], u8::from(counts.is_some()));
    for count in counts.unwrap_or_default() {
        let name = format!("ecard_{}", count.what);
        out.family(&name, "gauge", count.help);
        for (value, number) in &count.values {
            match count.label {
                Some(label) => out.sample(&name, &[(label, label_value(value))], number),
                None => out.sample(&name, &[], number),
            }
        }
    }
}

/// A workflow state as a label: the states are the workflows' own snake
/// case names; anything else (which the platform never writes, say a
/// number) is `other`.
fn label_value(value: &str) -> &str {
    let plain = value.starts_with(|character: char| character.is_ascii_lowercase())
        && value.len() <= 48
        && value
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_');
    if plain { value } else { "other" }
}

/// The request id of a request: its own `X-Request-Id` when that is 1–64
/// characters of letters, digits, `.`, `_`, `-` and `:`, else a new one.
fn request_id(headers: &HeaderMap) -> HeaderValue {
    headers
        .get(REQUEST_ID_HEADER)
        .filter(|value| {
            let bytes = value.as_bytes();
            (1..=64).contains(&bytes.len())
                && bytes.iter().all(|byte| {
                    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-' | b':')
                })
        })
        .cloned()
        .unwrap_or_else(new_request_id)
}

fn new_request_id() -> HeaderValue {
    HeaderValue::from_str(&crate::store::db::random_hex::<12>())
        .unwrap_or_else(|_| HeaderValue::from_static("unknown"))
}

/// The outermost middleware of every router: counts the request in flight,
/// records its route template, method, status and duration, logs it, and
/// sets its request id on the reply.
pub(crate) async fn observe(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
    let method = request.method().clone();
    let request_id = request_id(request.headers());
    request.headers_mut().insert(
        HeaderName::from_static(REQUEST_ID_HEADER),
        request_id.clone(),
    );
    let mut response = {
        let _in_flight = state.metrics.start_request();
        next.run(request).await
    };
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state.metrics.record(route, &method, status, elapsed);
    tracing::info!(
        method = method_label(&method),
        route,
        status,
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        request_id = request_id.to_str().unwrap_or_default(),
        "request"
    );
    response
        .headers_mut()
        .insert(HeaderName::from_static(REQUEST_ID_HEADER), request_id);
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn a_well_formed_request_id_is_kept_and_anything_else_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert(
            REQUEST_ID_HEADER,
            HeaderValue::from_static("lb-7f3a:12.3_x"),
        );
        assert_eq!(request_id(&headers), "lb-7f3a:12.3_x");
        for bad in ["", "has space", "quote\"d", &"x".repeat(65)] {
            headers.insert(REQUEST_ID_HEADER, HeaderValue::from_str(bad).unwrap());
            let id = request_id(&headers);
            assert_ne!(id, bad);
            assert_eq!(id.len(), 24);
        }
        assert_ne!(request_id(&HeaderMap::new()), request_id(&HeaderMap::new()));
    }

    #[test]
    fn only_plain_state_names_become_labels() {
        assert_eq!(label_value("in_production"), "in_production");
        assert_eq!(label_value("stage_2"), "stage_2");
        assert_eq!(label_value("430102199001011234"), "other");
        assert_eq!(label_value("张三"), "other");
        assert_eq!(label_value("a\"b"), "other");
        assert_eq!(label_value(""), "other");
    }
}
