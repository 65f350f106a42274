//! The network layer: HTTPS with rustls, device-signed requests, retries
//! with backoff and jitter for idempotent calls, `Retry-After`, typed
//! errors from `application/problem+json`, and the trusted clock.
//!
//! Plain HTTP is refused except to loopback addresses (tests, the local
//! reference platform). Every response carries the platform's clock; the
//! client keeps the offset so codes stay valid on a phone whose own clock
//! is wrong. Only successful answers of the platform set that clock, and
//! only with a plausible time ([`TrustedClock`]): an error page, a proxy or
//! a hostile reply cannot move the dates on the resident's codes.

use ecard_api::paths;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::auth::{
    DEVICE_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_string,
};
use ecard_api::problem::{Problem, ProblemCode};
use ecard_api::{IDEMPOTENCY_KEY_HEADER, PROBLEM_JSON, SERVER_TIME_HEADER};
use ecard_credential::KeyStore;
use http::header::{
    CONTENT_TYPE, ETAG, HeaderMap, HeaderName, HeaderValue, IF_NONE_MATCH, RETRY_AFTER,
};
use http::{Method, StatusCode};
use ring::rand::{SecureRandom, SystemRandom};
use url::Url;

use crate::error::ClientError;
use crate::transport::{HttpsTransport, ReplyBody, Transport, TransportError, TransportRequest};

/// Largest response body the client reads.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

fn local_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// The earliest platform time the clock accepts: 2025-01-01T00:00:00Z,
/// before this software was written. Why a floor: a phone's own clock may
/// be years behind (reset to 1970 or 2000 after a flat battery), so it
/// cannot judge an answer dated in the past; this can. No real platform
/// answers with a time before the software that talks to it existed, so an
/// earlier time is a broken or replayed answer, and anchoring on it would
/// date every code years back (refused by every terminal) and outlive the
/// session in the stored offset. Raise it with each release.
pub const EARLIEST_PLATFORM_TIME: u64 = 1_735_689_600;

/// How far ahead of the phone's wall clock (or of
/// [`EARLIEST_PLATFORM_TIME`], when the wall clock is behind even that) a
/// platform time may be: ten years. Why a bound: the trusted clock exists
/// because phone clocks are wrong, so it must accept a platform well ahead
/// of a phone stuck in the past; but a platform time decades ahead is
/// never a wrong phone, only a wrong answer — and one that would date codes
/// in the future, expire every credential at once and, stored as the
/// offset, survive restarts. There is no bound behind the wall clock beyond
/// the floor: a phone set years ahead is exactly what the clock corrects.
pub const MAX_PLATFORM_LEAD_SECONDS: u64 = 10 * 366 * 86_400;

/// Whether `server_seconds` is a platform time the clock may take, given
/// the phone's wall clock (see [`EARLIEST_PLATFORM_TIME`] and
/// [`MAX_PLATFORM_LEAD_SECONDS`]). Whatever the wall clock says, the time
/// in milliseconds must also stay below half of `i64::MAX` (some 146
/// million years), so every later sum has room and none can overflow.
pub fn plausible_platform_time(server_seconds: u64, wall_millis: i64) -> bool {
    let wall_seconds = u64::try_from(wall_millis / 1_000).unwrap_or(0);
    let latest = wall_seconds
        .max(EARLIEST_PLATFORM_TIME)
        .saturating_add(MAX_PLATFORM_LEAD_SECONDS);
    (EARLIEST_PLATFORM_TIME..=latest).contains(&server_seconds)
        && i64::try_from(server_seconds)
            .ok()
            .and_then(|seconds| seconds.checked_mul(1_000))
            .is_some_and(|millis| millis < i64::MAX / 2)
}

/// The device's wall clock in Unix milliseconds. Replaceable so tests can
/// make the phone's clock wrong or jump.
#[derive(Clone)]
pub struct WallClock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl WallClock {
    /// The system clock.
    pub fn system() -> WallClock {
        WallClock(Arc::new(local_millis))
    }

    /// A clock reading from `source`.
    pub fn from_fn(source: impl Fn() -> i64 + Send + Sync + 'static) -> WallClock {
        WallClock(Arc::new(source))
    }

    /// Unix milliseconds.
    pub fn millis(&self) -> i64 {
        (self.0)()
    }
}

impl std::fmt::Debug for WallClock {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("WallClock")
    }
}

impl Default for WallClock {
    fn default() -> WallClock {
        WallClock::system()
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct ClockState {
    /// Platform minus device, from the last session (used until anchored).
    offset_millis: i64,
    /// The platform time at a monotonic instant, once observed.
    anchor: Option<(std::time::Instant, i64)>,
}

/// The platform's clock as seen from this device.
///
/// Once a response has carried the platform's time, the clock runs from
/// that anchor on the monotonic clock, so a phone whose wall clock is wrong
/// or jumps (time zone, manual change, ±1 day) still dates codes by the
/// platform's time. Before the first answer of a session it uses the wall
/// clock plus the offset stored last time.
///
/// What it believes: [`Network`] hands it the platform's time only from
/// successful answers (2xx, or 304 to a conditional GET) read in full from
/// the configured platform origin — over TLS, which authenticates the
/// platform, except on loopback in tests. Error answers (4xx, 5xx) never
/// move it: they may come from a proxy, a captive portal or a failing
/// server. And [`TrustedClock::observe`] takes only a
/// [plausible](plausible_platform_time) time. All of its arithmetic is
/// checked or saturating, so no reply and no wall clock can overflow it.
#[derive(Debug, Default)]
pub struct TrustedClock {
    wall: WallClock,
    state: std::sync::Mutex<ClockState>,
    observed: AtomicBool,
}

impl TrustedClock {
    /// A clock starting with a known offset (restored from storage).
    pub fn with_offset(offset_millis: i64) -> TrustedClock {
        TrustedClock::with_wall_clock(offset_millis, WallClock::system())
    }

    /// A clock over a given wall clock, starting with a stored offset. An
    /// offset that puts the clock outside the plausible range (stored by a
    /// version that trusted any answer) is dropped.
    pub fn with_wall_clock(offset_millis: i64, wall: WallClock) -> TrustedClock {
        let wall_millis = wall.millis();
        let restored = wall_millis.saturating_add(offset_millis) / 1_000;
        let offset_millis = match u64::try_from(restored) {
            Ok(seconds) if plausible_platform_time(seconds, wall_millis) => offset_millis,
            _ => 0,
        };
        TrustedClock {
            wall,
            state: std::sync::Mutex::new(ClockState {
                offset_millis,
                anchor: None,
            }),
            observed: AtomicBool::new(false),
        }
    }

    fn state(&self) -> ClockState {
        *self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now_millis(&self) -> i64 {
        let state = self.state();
        match state.anchor {
            Some((instant, platform_millis)) => platform_millis
                .saturating_add(i64::try_from(instant.elapsed().as_millis()).unwrap_or(i64::MAX)),
            None => self.wall.millis().saturating_add(state.offset_millis),
        }
    }

    /// Trusted Unix seconds.
    pub fn now(&self) -> u64 {
        u64::try_from(self.now_millis() / 1_000).unwrap_or(0)
    }

    /// The current offset in milliseconds (platform minus device wall clock).
    pub fn offset_millis(&self) -> i64 {
        self.now_millis().saturating_sub(self.wall.millis())
    }

    /// Whether the platform's time was observed in this session.
    pub fn is_observed(&self) -> bool {
        self.observed.load(Ordering::Relaxed)
    }

    /// The device's wall clock.
    pub fn wall_clock(&self) -> &WallClock {
        &self.wall
    }

    /// Records a server time (whole seconds) seen in a response to a request
    /// sent at `sent` and answered at `received` (wall milliseconds).
    /// Returns whether the clock took it: a time that is not
    /// [plausible](plausible_platform_time) leaves the clock as it was.
    pub fn observe(&self, server_seconds: u64, sent: i64, received: i64) -> bool {
        let wall_millis = self.wall.millis();
        if !plausible_platform_time(server_seconds, wall_millis) {
            tracing::warn!(
                server_seconds,
                "ignored an implausible platform time (before the release floor or over ten years ahead)"
            );
            return false;
        }
        // The header is truncated to the second: assume the middle of it;
        // the answer left the platform about half a round trip ago.
        let round_trip = received.saturating_sub(sent).clamp(0, 60_000);
        let Some(platform_millis) = i64::try_from(server_seconds)
            .ok()
            .and_then(|seconds| seconds.checked_mul(1_000))
            .and_then(|millis| millis.checked_add(500 + round_trip / 2))
        else {
            return false;
        };
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.anchor = Some((std::time::Instant::now(), platform_millis));
        state.offset_millis = platform_millis.saturating_sub(wall_millis);
        self.observed.store(true, Ordering::Relaxed);
        true
    }
}

/// Who signs requests: the enrolled device.
#[derive(Clone)]
pub struct DeviceSigner {
    /// The key store.
    pub key_store: Arc<dyn KeyStore>,
    /// The signing key's alias.
    pub alias: String,
    /// The enrolled device id.
    pub device_id: String,
}

/// The media type of JSON bodies.
const JSON: &str = "application/json";

/// A request to the platform.
#[derive(Clone, Debug)]
pub struct ApiRequest {
    /// HTTP method.
    pub method: Method,
    /// Path and query, e.g. `/v1/catalogue/items?since=3`.
    pub path: String,
    /// The body (JSON unless `content_type` says otherwise).
    pub body: Option<Vec<u8>>,
    /// The body's media type.
    pub content_type: &'static str,
    /// Idempotency key of a mutating call (makes it safe to retry).
    pub idempotency_key: Option<String>,
    /// Entity tag for a conditional GET.
    pub if_none_match: Option<String>,
    /// Whether to sign with the device key.
    pub signed: bool,
}

impl ApiRequest {
    /// A GET.
    pub fn get(path: impl Into<String>) -> ApiRequest {
        ApiRequest {
            method: Method::GET,
            path: path.into(),
            body: None,
            content_type: JSON,
            idempotency_key: None,
            if_none_match: None,
            signed: false,
        }
    }

    /// A POST with a JSON body and an idempotency key.
    pub fn post<T: serde::Serialize>(
        path: impl Into<String>,
        body: &T,
        idempotency_key: String,
    ) -> Result<ApiRequest, ClientError> {
        let body =
            serde_json::to_vec(body).map_err(|error| ClientError::Internal(error.to_string()))?;
        Ok(ApiRequest {
            method: Method::POST,
            path: path.into(),
            body: Some(body),
            content_type: JSON,
            idempotency_key: Some(idempotency_key),
            if_none_match: None,
            signed: false,
        })
    }

    /// A POST of a file's bytes (`content_type`, e.g. `application/pdf`)
    /// with an idempotency key.
    pub fn post_bytes(
        path: impl Into<String>,
        bytes: Vec<u8>,
        content_type: &'static str,
        idempotency_key: String,
    ) -> ApiRequest {
        ApiRequest {
            method: Method::POST,
            path: path.into(),
            body: Some(bytes),
            content_type,
            idempotency_key: Some(idempotency_key),
            if_none_match: None,
            signed: false,
        }
    }

    /// Signs the request with the device key.
    pub fn signed(mut self) -> ApiRequest {
        self.signed = true;
        self
    }

    /// Makes the GET conditional.
    pub fn if_none_match(mut self, etag: Option<String>) -> ApiRequest {
        self.if_none_match = etag;
        self
    }

    fn is_idempotent(&self) -> bool {
        self.method == Method::GET || self.idempotency_key.is_some()
    }
}

/// A successful answer.
#[derive(Clone, Debug)]
pub enum ApiResponse {
    /// A body, with its entity tag.
    Body {
        /// HTTP status.
        status: u16,
        /// The bytes.
        body: Vec<u8>,
        /// The entity tag.
        etag: Option<String>,
    },
    /// `304 Not Modified`.
    NotModified,
}

impl ApiResponse {
    /// Parses a JSON body.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ClientError> {
        match self {
            ApiResponse::Body { body, .. } => serde_json::from_slice(body)
                .map_err(|error| ClientError::BadReply(format!("unexpected JSON: {error}"))),
            ApiResponse::NotModified => {
                Err(ClientError::BadReply("no body in a 304 answer".into()))
            }
        }
    }
}

/// How hard to try.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry).
    pub attempts: u32,
    /// First backoff; doubles each attempt, with full jitter.
    pub base_delay: Duration,
    /// Longest wait between attempts (also caps `Retry-After`).
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// For calls a person waits on: three attempts within a few seconds.
    pub const INTERACTIVE: RetryPolicy = RetryPolicy {
        attempts: 3,
        base_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(4),
    };
    /// One attempt (the outbox reschedules across restarts itself).
    pub const ONCE: RetryPolicy = RetryPolicy {
        attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    };
}

/// The HTTP client of the core: the call policy over a [`Transport`].
#[derive(Clone)]
pub struct Network {
    transport: Arc<dyn Transport>,
    base: Url,
    clock: Arc<TrustedClock>,
    signer: Option<DeviceSigner>,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Network")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

/// Parses the platform's base URL: HTTPS, or plain HTTP to loopback only.
fn platform_base(base_url: &str) -> Result<Url, ClientError> {
    let base = Url::parse(base_url).map_err(|_| ClientError::InvalidChoice {
        field: "platform_url".into(),
        reason: "not a URL".into(),
    })?;
    match base.scheme() {
        "https" => Ok(base),
        "http" if is_loopback(&base) => Ok(base),
        _ => Err(ClientError::InvalidChoice {
            field: "platform_url".into(),
            reason: "the platform must be reached over HTTPS".into(),
        }),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

fn random_nonce() -> Result<String, ClientError> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| ClientError::Internal("no randomness".into()))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// A fresh idempotency key.
pub fn new_idempotency_key() -> Result<String, ClientError> {
    random_nonce()
}

/// What one attempt produced.
enum Attempt {
    Done(ApiResponse),
    Retry {
        error: ClientError,
        retry_after: Option<Duration>,
    },
    Fail(ClientError),
}

impl Network {
    /// A client for the platform at `base_url` (HTTPS, or HTTP on loopback).
    pub fn new(
        base_url: &str,
        clock: Arc<TrustedClock>,
        timeout: Duration,
    ) -> Result<Network, ClientError> {
        let base = platform_base(base_url)?;
        let transport = HttpsTransport::new(timeout, base.scheme() == "https")
            .map_err(|error| ClientError::Internal(error.to_string()))?;
        Ok(Network::with_transport_at(base, clock, Arc::new(transport)))
    }

    /// A client for the platform at `base_url` (checked as by
    /// [`Network::new`]) that carries its calls over `transport`.
    pub fn with_transport(
        base_url: &str,
        clock: Arc<TrustedClock>,
        transport: Arc<dyn Transport>,
    ) -> Result<Network, ClientError> {
        Ok(Network::with_transport_at(
            platform_base(base_url)?,
            clock,
            transport,
        ))
    }

    fn with_transport_at(
        base: Url,
        clock: Arc<TrustedClock>,
        transport: Arc<dyn Transport>,
    ) -> Network {
        Network {
            transport,
            base,
            clock,
            signer: None,
        }
    }

    /// The same client signing with `signer`.
    pub fn with_signer(&self, signer: DeviceSigner) -> Network {
        Network {
            signer: Some(signer),
            ..self.clone()
        }
    }

    /// The trusted clock.
    pub fn clock(&self) -> &Arc<TrustedClock> {
        &self.clock
    }

    /// Sends `request`, retrying idempotent calls under `policy`.
    pub async fn send(
        &self,
        request: &ApiRequest,
        policy: RetryPolicy,
    ) -> Result<ApiResponse, ClientError> {
        let mut attempt = 0;
        let mut skew_retried = false;
        loop {
            attempt += 1;
            match self.attempt(request).await {
                Attempt::Done(response) => return Ok(response),
                Attempt::Fail(
                    error @ ClientError::Refused {
                        code: ProblemCode::ClockSkew,
                        ..
                    },
                ) if request.signed && !skew_retried => {
                    // The refusal is an error answer, whose time the clock
                    // does not take: ask the platform's clock endpoint (a
                    // successful answer) and sign once more with it.
                    skew_retried = true;
                    if !matches!(
                        self.attempt(&ApiRequest::get(paths::TIME)).await,
                        Attempt::Done(_)
                    ) {
                        return Err(error);
                    }
                    attempt -= 1;
                }
                Attempt::Fail(error) => return Err(error),
                Attempt::Retry { error, retry_after } => {
                    if attempt >= policy.attempts || !request.is_idempotent() {
                        return Err(error);
                    }
                    tokio::time::sleep(backoff(policy, attempt, retry_after)).await;
                }
            }
        }
    }

    async fn attempt(&self, request: &ApiRequest) -> Attempt {
        let url = match self.base.join(&request.path) {
            Ok(url) => url,
            Err(_) => {
                return Attempt::Fail(ClientError::Internal(format!("bad path {}", request.path)));
            }
        };
        let body = request.body.clone().unwrap_or_default();
        let mut headers = HeaderMap::new();
        if request.body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(request.content_type));
        }
        if let Some(key) = &request.idempotency_key {
            insert_header(
                &mut headers,
                HeaderName::from_static(IDEMPOTENCY_KEY_HEADER),
                key,
            );
        }
        if let Some(etag) = &request.if_none_match {
            insert_header(&mut headers, IF_NONE_MATCH, etag);
        }
        if request.signed {
            let Some(signer) = &self.signer else {
                return Attempt::Fail(ClientError::NotEnrolled);
            };
            match self.signature_headers(signer, request, &body).await {
                Ok(signature) => {
                    for (name, value) in signature {
                        insert_header(&mut headers, HeaderName::from_static(name), &value);
                    }
                }
                Err(error) => return Attempt::Fail(error),
            }
        }
        let sent = self.clock.wall_clock().millis();
        let outgoing = TransportRequest {
            method: request.method.clone(),
            url,
            headers,
            body: request.body.clone(),
        };
        let response = match self.transport.send(outgoing).await {
            Ok(response) => response,
            Err(error) => {
                return Attempt::Retry {
                    error: transport_error(error),
                    retry_after: None,
                };
            }
        };
        let received = self.clock.wall_clock().millis();
        // The platform's time, taken below only from a successful answer of
        // the configured platform, read in full (see `TrustedClock`), and
        // never from an answer shared caches may keep (a public feed): a
        // reverse proxy's copy carries the time it was first fetched.
        let server_time = header_u64(&response.headers, SERVER_TIME_HEADER)
            .filter(|_| same_origin(&response.url, &self.base))
            .filter(|_| !shared_caches_may_keep(&response.headers));
        let learn_time = |clock: &TrustedClock| {
            if let Some(server_time) = server_time {
                clock.observe(server_time, sent, received);
            }
        };
        let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::BAD_GATEWAY);
        let retry_after =
            header_u64(&response.headers, RETRY_AFTER.as_str()).map(Duration::from_secs);
        let etag = response
            .headers
            .get(ETAG)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let is_problem = response
            .headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with(PROBLEM_JSON));
        if status == StatusCode::NOT_MODIFIED {
            learn_time(&self.clock);
            return Attempt::Done(ApiResponse::NotModified);
        }
        let body = match read_limited(response.body).await {
            Ok(body) => body,
            Err(error) => {
                return Attempt::Retry {
                    error,
                    retry_after: None,
                };
            }
        };
        if status.is_success() {
            learn_time(&self.clock);
            return Attempt::Done(ApiResponse::Body {
                status: status.as_u16(),
                body,
                etag,
            });
        }
        let problem = if is_problem {
            serde_json::from_slice::<Problem>(&body).ok()
        } else {
            None
        };
        // Busy is a load refusal (a rate limit, an overloaded proxy or
        // platform: no problem body, or a generic one); a 503 that says what
        // is unavailable (`certificates_unavailable`) is kept
        // as that refusal, so the person is told what it is.
        if (status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE)
            && problem.as_ref().is_none_or(|problem| {
                matches!(
                    problem.code,
                    ProblemCode::RateLimited | ProblemCode::Internal
                )
            })
        {
            return Attempt::Retry {
                error: ClientError::Busy {
                    retry_after: retry_after.map(|delay| delay.as_secs()),
                },
                retry_after,
            };
        }
        match problem {
            Some(problem) if problem.code == ProblemCode::Internal || status.is_server_error() => {
                Attempt::Retry {
                    error: ClientError::Refused {
                        code: problem.code,
                        detail: problem.detail.unwrap_or_default(),
                        field: problem.field,
                    },
                    retry_after,
                }
            }
            Some(problem) => Attempt::Fail(ClientError::Refused {
                code: problem.code,
                detail: problem.detail.unwrap_or_default(),
                field: problem.field,
            }),
            None if status.is_server_error() => Attempt::Retry {
                error: ClientError::BadReply(format!("HTTP {status}")),
                retry_after,
            },
            None => Attempt::Fail(ClientError::BadReply(format!(
                "HTTP {status} without a problem body"
            ))),
        }
    }

    /// Signs on the blocking pool: a platform key store may block (a
    /// biometric prompt, a hardware call) and must not stall async workers.
    async fn signature_headers(
        &self,
        signer: &DeviceSigner,
        request: &ApiRequest,
        body: &[u8],
    ) -> Result<Vec<(&'static str, String)>, ClientError> {
        let timestamp = self.clock.now();
        let nonce = random_nonce()?;
        let message = signed_string(
            request.method.as_str(),
            &request.path,
            timestamp,
            &nonce,
            body,
        );
        let (key_store, alias) = (signer.key_store.clone(), signer.alias.clone());
        let signature =
            crate::client::off_thread(move || key_store.sign(&alias, &message)).await??;
        Ok(vec![
            (DEVICE_HEADER, signer.device_id.clone()),
            (TIMESTAMP_HEADER, timestamp.to_string()),
            (NONCE_HEADER, nonce),
            (SIGNATURE_HEADER, URL_SAFE_NO_PAD.encode(signature)),
        ])
    }
}

/// Whether `url` (where an answer came from, after any redirect) is the
/// platform's own origin: scheme, host and port.
/// Whether `Cache-Control` lets shared caches keep the answer (`public`).
fn shared_caches_may_keep(headers: &http::HeaderMap) -> bool {
    headers
        .get_all(http::header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|directive| directive.trim().eq_ignore_ascii_case("public"))
}

fn same_origin(url: &Url, base: &Url) -> bool {
    url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default()
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn transport_error(error: TransportError) -> ClientError {
    match error {
        TransportError::Timeout => ClientError::Timeout,
        TransportError::Unreachable(reason) => ClientError::Offline(reason),
        TransportError::Broken(reason) => ClientError::BadReply(reason),
    }
}

/// Adds a header; a value that cannot be a header (never one the client
/// makes: keys, tags and signatures are ASCII) is left out.
fn insert_header(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

async fn read_limited(mut body: Box<dyn ReplyBody>) -> Result<Vec<u8>, ClientError> {
    if body
        .declared_length()
        .is_some_and(|length| length > MAX_RESPONSE_BYTES as u64)
    {
        return Err(ClientError::BadReply("the answer is too large".into()));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next_chunk().await.map_err(transport_error)? {
        if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(ClientError::BadReply("the answer is too large".into()));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Exponential backoff with full jitter; `Retry-After` wins when longer.
fn backoff(policy: RetryPolicy, attempt: u32, retry_after: Option<Duration>) -> Duration {
    let exponential = policy
        .base_delay
        .saturating_mul(1 << attempt.min(16))
        .min(policy.max_delay);
    let mut random = [0u8; 4];
    let fraction = if SystemRandom::new().fill(&mut random).is_ok() {
        f64::from(u32::from_le_bytes(random)) / f64::from(u32::MAX)
    } else {
        0.5
    };
    let jittered = exponential.mul_f64(fraction);
    match retry_after {
        Some(wait) => wait.min(policy.max_delay).max(jittered),
        None => jittered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        let clock = Arc::new(TrustedClock::default());
        assert!(
            Network::new(
                "http://127.0.0.1:8470",
                clock.clone(),
                Duration::from_secs(1)
            )
            .is_ok()
        );
        assert!(
            Network::new(
                "http://localhost:8470",
                clock.clone(),
                Duration::from_secs(1)
            )
            .is_ok()
        );
        assert!(Network::new("http://[::1]:8470", clock.clone(), Duration::from_secs(1)).is_ok());
        assert!(
            Network::new(
                "https://ecard.example.cn",
                clock.clone(),
                Duration::from_secs(1)
            )
            .is_ok()
        );
        assert!(
            Network::new(
                "http://ecard.example.cn",
                clock.clone(),
                Duration::from_secs(1)
            )
            .is_err()
        );
        assert!(Network::new("ftp://127.0.0.1", clock, Duration::from_secs(1)).is_err());
    }

    #[test]
    fn the_clock_follows_the_platform() {
        let clock = TrustedClock::default();
        let local = local_millis();
        clock.observe((local / 1_000) as u64 + 3_600, local - 40, local + 40);
        assert!(clock.now().abs_diff((local / 1_000) as u64 + 3_600) <= 1);
    }

    #[test]
    fn a_jumping_phone_clock_does_not_move_codes() {
        use std::sync::atomic::AtomicI64;
        let phone = Arc::new(AtomicI64::new(1_780_000_000_000));
        let reading = phone.clone();
        let clock = TrustedClock::with_wall_clock(
            0,
            WallClock::from_fn(move || reading.load(Ordering::Relaxed)),
        );
        // Before any answer: the wall clock (plus the stored offset).
        assert_eq!(clock.now(), 1_780_000_000);
        // The platform is five minutes ahead of this phone.
        clock.observe(1_780_000_300, 1_780_000_000_000, 1_780_000_000_000);
        assert!(clock.now().abs_diff(1_780_000_300) <= 1);
        for jump in [86_400_000, -86_400_000, 300_000, -300_000] {
            phone.store(1_780_000_000_000 + jump, Ordering::Relaxed);
            assert!(clock.now().abs_diff(1_780_000_300) <= 1, "jump {jump}");
        }
        assert!((clock.offset_millis() - 300_500 - 300_000).abs() < 2_000);
    }

    #[test]
    fn the_clock_arithmetic_cannot_overflow() {
        use std::sync::atomic::AtomicI64;
        let phone = Arc::new(AtomicI64::new(1_780_000_000_000));
        let reading = phone.clone();
        let clock = TrustedClock::with_wall_clock(
            0,
            WallClock::from_fn(move || reading.load(Ordering::Relaxed)),
        );
        // Hostile times: none is taken, none panics, the clock stays put.
        let year_292_billion = i64::MAX as u64;
        for hostile in [
            u64::MAX,
            year_292_billion,
            year_292_billion / 1_000,
            0,
            946_684_800,
            EARLIEST_PLATFORM_TIME - 1,
            1_780_000_000 + MAX_PLATFORM_LEAD_SECONDS + 1,
        ] {
            assert!(!clock.observe(hostile, i64::MIN, i64::MAX), "{hostile}");
            assert!(!clock.is_observed(), "{hostile}");
            assert_eq!(clock.now(), 1_780_000_000, "{hostile}");
        }
        // Round trips that would overflow a subtraction are clamped.
        assert!(clock.observe(1_780_000_100, i64::MAX, i64::MIN));
        assert!(clock.now().abs_diff(1_780_000_100) <= 1);
        assert!(clock.observe(1_780_000_200, i64::MIN, i64::MAX));
        assert!(clock.now().abs_diff(1_780_000_230) <= 1);
        // A wall clock at either end of time breaks nothing either.
        for wall in [i64::MAX, i64::MIN, -1, 0] {
            phone.store(wall, Ordering::Relaxed);
            let _ = clock.offset_millis();
            assert!(clock.now().abs_diff(1_780_000_230) <= 1, "{wall}");
            let lone = TrustedClock::with_wall_clock(i64::MAX, WallClock::from_fn(move || wall));
            let _ = (lone.now(), lone.offset_millis());
            assert!(!lone.observe(year_292_billion, wall, wall));
            assert!(!lone.observe(u64::MAX, wall, wall));
        }
        // A plausible time is taken even from a phone stuck in 1970.
        let stuck = TrustedClock::with_wall_clock(0, WallClock::from_fn(|| 0));
        assert!(stuck.observe(1_780_000_000, 0, 0));
        assert!(stuck.now().abs_diff(1_780_000_000) <= 1);
    }

    #[test]
    fn a_stored_offset_outside_the_plausible_range_is_dropped() {
        let wall = WallClock::from_fn(|| 1_780_000_000_000);
        let sane = TrustedClock::with_wall_clock(3_600_000, wall.clone());
        assert_eq!(sane.now(), 1_780_003_600);
        // Stored by a version that took any answer: year 292 billion, or 1970.
        for insane in [i64::MAX, i64::MAX / 2, -1_780_000_000_000, i64::MIN] {
            let clock = TrustedClock::with_wall_clock(insane, wall.clone());
            assert_eq!(clock.now(), 1_780_000_000, "{insane}");
            assert_eq!(clock.offset_millis(), 0, "{insane}");
        }
    }

    #[test]
    fn backoff_grows_and_honours_retry_after() {
        let policy = RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        };
        for attempt in 1..6 {
            assert!(backoff(policy, attempt, None) <= Duration::from_secs(2));
        }
        assert_eq!(
            backoff(policy, 1, Some(Duration::from_secs(1))),
            Duration::from_secs(1)
        );
        assert_eq!(
            backoff(policy, 1, Some(Duration::from_secs(60))),
            Duration::from_secs(2)
        );
    }

    /// The call policy over the transport seam: what every transport gets.
    mod over_a_transport {
        use http::header::HeaderMap;

        use super::*;
        use crate::test_platform::{TestPlatform, block_on};
        use crate::transport::faults::Fault;
        use crate::transport::in_process::BASE_URL;
        use crate::transport::{TransportFuture, TransportReply};

        fn network(platform: &TestPlatform) -> Network {
            Network::with_transport(
                BASE_URL,
                Arc::new(TrustedClock::default()),
                platform.network.clone(),
            )
            .unwrap()
        }

        /// Answers every call `200` with the body `make_body` makes.
        struct Answering(fn() -> Box<dyn ReplyBody>);

        impl Transport for Answering {
            fn send(
                &self,
                request: TransportRequest,
            ) -> TransportFuture<'_, Result<TransportReply, TransportError>> {
                let body = (self.0)();
                Box::pin(async move {
                    Ok(TransportReply {
                        status: 200,
                        url: request.url,
                        headers: HeaderMap::new(),
                        body,
                    })
                })
            }
        }

        /// A body declared larger than the limit.
        struct Declared(u64);

        impl ReplyBody for Declared {
            fn declared_length(&self) -> Option<u64> {
                Some(self.0)
            }

            fn next_chunk(
                &mut self,
            ) -> TransportFuture<'_, Result<Option<Vec<u8>>, TransportError>> {
                panic!("a body declared too large must not be read")
            }
        }

        /// A body of endless megabyte chunks, its length not declared.
        struct Endless;

        impl ReplyBody for Endless {
            fn declared_length(&self) -> Option<u64> {
                None
            }

            fn next_chunk(
                &mut self,
            ) -> TransportFuture<'_, Result<Option<Vec<u8>>, TransportError>> {
                Box::pin(async { Ok(Some(vec![b' '; 1024 * 1024])) })
            }
        }

        #[test]
        fn answers_over_the_size_limit_are_refused_whatever_the_transport() {
            block_on(async {
                let declared: fn() -> Box<dyn ReplyBody> =
                    || Box::new(Declared(MAX_RESPONSE_BYTES as u64 + 1));
                let endless: fn() -> Box<dyn ReplyBody> = || Box::new(Endless);
                for make_body in [declared, endless] {
                    let network = Network::with_transport(
                        BASE_URL,
                        Arc::new(TrustedClock::default()),
                        Arc::new(Answering(make_body)),
                    )
                    .unwrap();
                    let error = network
                        .send(&ApiRequest::get(paths::TIME), RetryPolicy::ONCE)
                        .await
                        .unwrap_err();
                    assert!(
                        matches!(&error, ClientError::BadReply(reason) if reason.contains("too large")),
                        "{error:?}"
                    );
                }
            });
        }

        #[test]
        fn the_base_url_rule_holds_for_every_transport() {
            let platform = TestPlatform::start();
            let clock = Arc::new(TrustedClock::default());
            let transport: Arc<dyn Transport> = platform.network.clone();
            assert!(
                Network::with_transport(
                    "http://ecard.example.cn",
                    clock.clone(),
                    transport.clone()
                )
                .is_err()
            );
            assert!(Network::with_transport("https://ecard.example.cn", clock, transport).is_ok());
        }

        #[test]
        fn idempotent_calls_are_retried_and_others_are_not() {
            let platform = TestPlatform::start();
            block_on(async {
                let network = network(&platform);
                // A GET: retried after two server errors, and it succeeds.
                platform
                    .network
                    .fail(Method::GET, paths::TIME, 0, 2, Fault::ServerError);
                network
                    .send(&ApiRequest::get(paths::TIME), RetryPolicy::INTERACTIVE)
                    .await
                    .unwrap();
                assert_eq!(platform.network.seen(&Method::GET, paths::TIME).len(), 3);
                // Out of attempts, the last error is the answer.
                platform
                    .network
                    .fail(Method::GET, paths::TIME, 0, 3, Fault::Unreachable);
                let error = network
                    .send(&ApiRequest::get(paths::TIME), RetryPolicy::INTERACTIVE)
                    .await
                    .unwrap_err();
                assert!(matches!(error, ClientError::Offline(_)), "{error:?}");
                assert_eq!(platform.network.seen(&Method::GET, paths::TIME).len(), 6);
                // A mutation without an idempotency key is sent once.
                let unkeyed = ApiRequest {
                    method: Method::POST,
                    path: paths::ENROLMENTS.to_owned(),
                    body: Some(b"{}".to_vec()),
                    content_type: JSON,
                    idempotency_key: None,
                    if_none_match: None,
                    signed: false,
                };
                platform
                    .network
                    .fail(Method::POST, paths::ENROLMENTS, 0, 1, Fault::Timeout);
                let error = network
                    .send(&unkeyed, RetryPolicy::INTERACTIVE)
                    .await
                    .unwrap_err();
                assert!(matches!(error, ClientError::Timeout), "{error:?}");
                assert_eq!(
                    platform
                        .network
                        .seen(&Method::POST, paths::ENROLMENTS)
                        .len(),
                    1
                );
                // With a key it is retried, always with that key.
                let keyed = ApiRequest {
                    idempotency_key: Some(new_idempotency_key().unwrap()),
                    ..unkeyed
                };
                platform
                    .network
                    .fail(Method::POST, paths::ENROLMENTS, 0, 3, Fault::Busy);
                let error = network
                    .send(&keyed, RetryPolicy::INTERACTIVE)
                    .await
                    .unwrap_err();
                assert!(
                    matches!(
                        error,
                        ClientError::Busy {
                            retry_after: Some(1)
                        }
                    ),
                    "{error:?}"
                );
                let sent = platform.network.seen(&Method::POST, paths::ENROLMENTS);
                assert_eq!(sent.len(), 4);
                assert!(
                    sent[1..]
                        .iter()
                        .all(|call| call.idempotency_key == keyed.idempotency_key)
                );
                // A 503 naming what is unavailable is that refusal, not
                // "busy": the person is told certificates cannot be issued.
                platform.network.fail(
                    Method::POST,
                    paths::ENROLMENTS,
                    0,
                    3,
                    Fault::Refused(ProblemCode::CertificatesUnavailable),
                );
                let error = network
                    .send(&keyed, RetryPolicy::INTERACTIVE)
                    .await
                    .unwrap_err();
                assert!(
                    matches!(
                        error,
                        ClientError::Refused {
                            code: ProblemCode::CertificatesUnavailable,
                            ..
                        }
                    ),
                    "{error:?}"
                );
            });
        }

        #[test]
        fn a_refusal_is_typed_and_not_retried() {
            let platform = TestPlatform::start();
            block_on(async {
                let network = network(&platform);
                let error = network
                    .send(
                        &ApiRequest::get(paths::with_id(paths::RULES, "999999")),
                        RetryPolicy::INTERACTIVE,
                    )
                    .await
                    .unwrap_err();
                assert!(
                    matches!(
                        &error,
                        ClientError::Refused {
                            code: ProblemCode::NotFound,
                            ..
                        }
                    ),
                    "{error:?}"
                );
                assert_eq!(platform.network.seen(&Method::GET, "/v1/rules").len(), 1);
            });
        }

        #[test]
        fn a_conditional_get_of_an_unchanged_feed_is_not_modified() {
            let platform = TestPlatform::start();
            block_on(async {
                let network = network(&platform);
                let first = network
                    .send(&ApiRequest::get(paths::CATALOGUE_ITEMS), RetryPolicy::ONCE)
                    .await
                    .unwrap();
                let ApiResponse::Body { etag, body, .. } = first else {
                    panic!("the first read has a body")
                };
                assert!(!body.is_empty());
                assert!(etag.is_some());
                let again = network
                    .send(
                        &ApiRequest::get(paths::CATALOGUE_ITEMS).if_none_match(etag),
                        RetryPolicy::ONCE,
                    )
                    .await
                    .unwrap();
                assert!(matches!(again, ApiResponse::NotModified));
            });
        }

        #[test]
        fn only_successful_answers_set_the_clock() {
            let platform = TestPlatform::start();
            block_on(async {
                let network = network(&platform);
                platform
                    .network
                    .fail(Method::GET, paths::TIME, 0, 1, Fault::ServerError);
                assert!(
                    network
                        .send(&ApiRequest::get(paths::TIME), RetryPolicy::ONCE)
                        .await
                        .is_err()
                );
                assert!(!network.clock().is_observed());
                network
                    .send(&ApiRequest::get(paths::TIME), RetryPolicy::ONCE)
                    .await
                    .unwrap();
                assert!(network.clock().is_observed());
            });
        }

        #[test]
        fn a_clock_offset_hours_off_signs_again_by_the_platforms_clock() {
            let platform = TestPlatform::start();
            let data = tempfile::tempdir().unwrap();
            block_on(async {
                let client = platform.enrolled(data.path(), "elder").await;
                // A wrong offset stored last session (three hours ahead).
                client
                    .inner
                    .store
                    .write(|tx| crate::storage::set_meta(tx, "clock_offset_millis", "10800000"))
                    .unwrap();
                drop(client);
                let client = platform.client(data.path()).await;
                assert!(client.trusted_now() > (local_millis() / 1_000) as u64 + 3 * 3_600 - 60);
                let clock_reads = platform.network.seen(&Method::GET, paths::TIME).len();
                // The first signed call is refused for skew; the platform's
                // clock is asked, and the call signed again succeeds.
                client.refresh_profile().await.unwrap();
                assert_eq!(
                    platform.network.seen(&Method::GET, paths::TIME).len(),
                    clock_reads + 1
                );
                assert_eq!(platform.network.seen(&Method::GET, paths::ME).len(), 3);
                assert!(
                    client
                        .trusted_now()
                        .abs_diff((local_millis() / 1_000) as u64)
                        < 60
                );
            });
        }
    }
}
