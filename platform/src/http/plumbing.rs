//! Request plumbing shared by every endpoint: bounded body reading, device
//! and admin authentication, idempotency, one database transaction per
//! request, and the platform-clock header on every reply.
//!
//! Replies the endpoints never see — unknown paths, wrong methods,
//! unreadable path parameters, oversized bodies — also leave as
//! `application/problem+json` with the clock header (`finish_response`).
//!
//! The database connection is what requests wait for (SQLite has one), so
//! what needs no database is done before it is taken: a device's signature
//! is checked against its remembered key ([`crate::http::device_keys`]),
//! and the transaction only confirms the key is still the device's; PINs
//! in the body are hashed ([`hash_pins_ahead`]).

use std::pin::Pin;
use std::sync::Arc;

use crate::store::sql::{Connection, Transaction};
use axum::body::{Body, HttpBody as _};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::auth::{
    DEVICE_HEADER, MAX_REQUEST_SKEW_SECONDS, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
    nonce_is_well_formed, signed_string,
};
use ecard_api::problem::ProblemCode;
use ecard_api::{IDEMPOTENCY_KEY_HEADER, MAX_BODY_BYTES, PROBLEM_JSON, SERVER_TIME_HEADER};
use ecard_credential::{PublicKey, Suite};
use ring::digest::{SHA256, digest};

use crate::domain::access::Caller;
use crate::domain::devices;
use crate::domain::pin::HashedAhead;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Access, AppState, Ctx, Endpoint, PinFields, Reply};
use crate::http::device_keys::KnownKey;
use crate::store::clock;
use crate::store::codec::hex;
use crate::store::requests;

/// Runs `work` for `request` under `endpoint`'s rules.
pub async fn handle<F>(
    state: Arc<AppState>,
    request: Request,
    endpoint: Endpoint,
    work: F,
) -> Response
where
    F: FnMut(&mut Ctx<'_>) -> ApiResult<Reply> + Send + 'static,
{
    let (parts, body) = match read_request(&state, request).await {
        Ok(request) => request,
        Err(response) => return *response,
    };
    in_blocking_pool(move || {
        let request = parts.view(&body);
        let checked_ahead = check_ahead(&state, &request, endpoint);
        let hashed_ahead = hash_pins_ahead(&state, &request, endpoint, checked_ahead.as_ref());
        let connection = state
            .lock_database_share()
            .map_err(|error| Box::new(ApiError::from(error).into_response()))?;
        let mut work = work;
        // One transaction (on SQLite, a share of one committed in a group):
        // the admission, then the work, undone alone when it fails so that
        // the admission (the nonce, the tick) stays.
        let outcome = connection.transact_as_share(|tx| {
            let (now, admitted) =
                admission(&state, tx, &request, endpoint, checked_ahead.as_ref())?;
            let outcome = match admitted {
                Ok(admitted) if endpoint.idempotent => {
                    idempotently(tx, &request, &admitted, |tx| {
                        run_work(&state, (tx, &hashed_ahead), &request, &admitted, &mut work)
                    })
                }
                Ok(admitted) => tx.undone_on_failure(|tx| {
                    run_work(&state, (tx, &hashed_ahead), &request, &admitted, &mut work)
                }),
                Err(refusal) => Err(refusal),
            };
            Ok::<_, ApiError>((now, outcome))
        });
        state.metrics.pin_hashes.record(&hashed_ahead);
        Ok(match outcome {
            Ok((now, outcome)) => finish(outcome, now, request.headers),
            Err(error) => error.into_response(),
        })
    })
    .await
    .unwrap_or_else(|response| *response)
}

/// What the first stage of a [`handle_in_stages`] endpoint decided.
pub enum Stage<T> {
    /// The reply is known (a refusal, a budget spent): its writes commit
    /// and nothing more runs.
    Reply(Reply),
    /// Go on with `T` to the stage that needs no database.
    Continue(T),
}

/// Runs an endpoint whose work has a costly part that needs no database
/// (signature checks): `admit_stage` in a transaction of its own (it
/// commits, refusals included), then `compute` without holding the
/// connection, so the connection serves other requests meanwhile, then
/// `work` in a last transaction. At most one `compute` per core runs at a
/// time ([`AppState::compute_slots`]): more would only take the cores from
/// the requests holding the connection. Endpoints run this way take no
/// `Idempotency-Key` (the first stage would run again on a retry).
pub async fn handle_in_stages<A, B, FirstStage, Compute, LastStage>(
    state: Arc<AppState>,
    request: Request,
    endpoint: Endpoint,
    (admit_stage, compute, work): (FirstStage, Compute, LastStage),
) -> Response
where
    FirstStage: FnMut(&mut Ctx<'_>) -> ApiResult<Stage<A>> + Send + 'static,
    Compute: FnOnce(A) -> B + Send + 'static,
    LastStage: FnMut(&mut Ctx<'_>, B) -> ApiResult<Reply> + Send + 'static,
    B: Clone,
{
    debug_assert!(!endpoint.idempotent, "staged endpoints are not idempotent");
    debug_assert!(
        endpoint.pins == PinFields::NONE,
        "staged endpoints hash no PINs"
    );
    let no_pins = HashedAhead::default();
    let (parts, body) = match read_request(&state, request).await {
        Ok(request) => request,
        Err(response) => return *response,
    };
    // All three stages on one blocking thread: each hand-over between
    // threads is a wake-up that waits for a core when the machine is busy.
    in_blocking_pool(move || {
        let request = parts.view(&body);
        let (admitted, first) = {
            let mut connection = take_connection(&state)?;
            let admitted = admit(&state, &mut connection, &request, endpoint)?;
            let mut admit_stage = admit_stage;
            match connection.transact(|tx| {
                run_work(
                    &state,
                    (tx, &no_pins),
                    &request,
                    &admitted,
                    &mut admit_stage,
                )
            }) {
                Ok(Stage::Continue(value)) => (admitted, value),
                Ok(Stage::Reply(reply)) => {
                    return Ok(finish(Ok(reply), admitted.now, request.headers));
                }
                Err(error) => return Ok(finish(Err(error), admitted.now, request.headers)),
            }
        };
        let computed = {
            let _slot = state.compute_slots.take();
            compute(first)
        };
        let mut connection = match state.lock_database() {
            Ok(connection) => connection,
            Err(error) => {
                return Ok(finish(Err(error.into()), admitted.now, request.headers));
            }
        };
        let mut work = work;
        let outcome = connection.transact(|tx| {
            run_work(&state, (tx, &no_pins), &request, &admitted, |ctx| {
                work(ctx, computed.clone())
            })
        });
        Ok(finish(outcome, admitted.now, request.headers))
    })
    .await
    .unwrap_or_else(|response| *response)
}

/// A request's head, and its source address, once its body is read.
struct RequestHead {
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    source: String,
}

impl RequestHead {
    fn view<'a>(&'a self, body: &'a [u8]) -> RequestView<'a> {
        RequestView {
            method: &self.method,
            uri: &self.uri,
            path_and_query: self.uri.path_and_query().map_or_else(
                || self.uri.path().to_owned(),
                |value| value.as_str().to_owned(),
            ),
            headers: &self.headers,
            body,
            source: &self.source,
        }
    }
}

/// The parts of one request the stages read.
struct RequestView<'a> {
    method: &'a Method,
    uri: &'a axum::http::Uri,
    path_and_query: String,
    headers: &'a HeaderMap,
    body: &'a [u8],
    source: &'a str,
}

impl RequestView<'_> {
    /// The parts a signature covers.
    fn signed(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: self.method.as_str(),
            path_and_query: self.path_and_query.as_str(),
            headers: self.headers,
            body: self.body,
        }
    }
}

/// Reads the head and the bounded body. The source is the address the
/// rate limits count by too (`RateLimits::source`: the peer, or behind a
/// trusted proxy the client it names).
async fn read_request(
    state: &AppState,
    request: Request,
) -> Result<(RequestHead, Vec<u8>), Box<Response>> {
    let (parts, body) = request.into_parts();
    let source = state
        .rate_limits
        .source(&parts.extensions, &parts.headers)
        .map_or_else(|| "unknown".to_owned(), |address| address.to_string());
    let declared_length = header_text(&parts.headers, header::CONTENT_LENGTH.as_str())
        .and_then(|length| length.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(Box::new(too_large().into_response()));
    }
    let body = read_body(body)
        .await
        .map_err(|error| Box::new(error.into_response()))?;
    Ok((
        RequestHead {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            source,
        },
        body,
    ))
}

/// Runs a request's synchronous part on the blocking pool; `Err` is a
/// reply that ends the request early.
async fn in_blocking_pool<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Box<Response>> + Send + 'static,
) -> Result<T, Box<Response>> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| {
        Err(Box::new(
            ApiError::new(ProblemCode::Internal, "the request failed").into_response(),
        ))
    })
}

fn too_large() -> ApiError {
    ApiError::new(
        ProblemCode::BodyTooLarge,
        format!("bodies are limited to {MAX_BODY_BYTES} bytes"),
    )
}

/// Reads the body, refusing it as soon as it grows past the limit; a body
/// that breaks off is a malformed request, not an oversized one.
async fn read_body(mut body: Body) -> ApiResult<Vec<u8>> {
    let mut bytes = Vec::new();
    loop {
        let frame = std::future::poll_fn(|context| Pin::new(&mut body).poll_frame(context)).await;
        match frame {
            None => return Ok(bytes),
            Some(Err(_)) => {
                return Err(ApiError::new(
                    ProblemCode::MalformedRequest,
                    "the request body could not be read",
                ));
            }
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    if bytes.len() + data.len() > MAX_BODY_BYTES {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&data);
                }
            }
        }
    }
}

/// The last step of every reply: a `405` (which the router makes with an
/// empty body) becomes a problem, and a reply made outside [`handle`]
/// (unknown path, unreadable body or path) gets the platform-clock header.
pub(crate) async fn finish_response(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    mut response: Response,
) -> Response {
    if response.status() == StatusCode::METHOD_NOT_ALLOWED && !is_problem(&response) {
        let allow = response.headers().get(header::ALLOW).cloned();
        let problem = ApiError::new(
            ProblemCode::MethodNotAllowed,
            format!(
                "this method is not allowed here; allowed: {}",
                allow
                    .as_ref()
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or("none")
            ),
        );
        response = problem.into_response();
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    if !response.headers().contains_key(SERVER_TIME_HEADER) {
        response
            .headers_mut()
            .insert(SERVER_TIME_HEADER, HeaderValue::from(state.cached_now()));
    }
    response
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes() == PROBLEM_JSON.as_bytes())
}

/// The reply to a path parameter axum could not extract (bad percent
/// encoding, not UTF-8).
pub fn path_rejected(rejection: &axum::extract::rejection::PathRejection) -> Response {
    ApiError::new(
        ProblemCode::MalformedRequest,
        format!("the path is malformed: {}", rejection.body_text()),
    )
    .into_response()
}

/// A connection for the request, or the reply that says the database is
/// out of reach.
fn take_connection(
    state: &AppState,
) -> Result<crate::http::operations::metrics::DatabaseGuard<'_>, Box<Response>> {
    state
        .lock_database()
        .map_err(|error| Box::new(ApiError::from(error).into_response()))
}

/// A request after admission: the platform clock and who is calling.
struct Admitted {
    now: u64,
    caller: Option<Caller>,
    enrolling: Option<crate::domain::enrolment::Enrolling>,
    operator: Option<crate::domain::clearing::Operator>,
}

/// The admission of a staged request, in a transaction of its own: it
/// commits, so a used nonce stays used even when the request fails later.
fn admit(
    state: &AppState,
    connection: &mut Connection,
    request: &RequestView<'_>,
    endpoint: Endpoint,
) -> Result<Admitted, Box<Response>> {
    match connection.transact(|tx| admission(state, tx, request, endpoint, None)) {
        Ok((_, Ok(admitted))) => Ok(admitted),
        Ok((now, Err(error))) => Err(Box::new(with_time(error.into_response(), now))),
        Err(error) => Err(Box::new(error.into_response())),
    }
}

/// The start of every request's transaction: brings workflows up to the
/// clock and authenticates. Gives the platform clock and who is calling, or
/// the refusal (whose writes, such as the tick, commit all the same).
fn admission(
    state: &AppState,
    tx: &Transaction<'_>,
    request: &RequestView<'_>,
    endpoint: Endpoint,
    checked_ahead: Option<&CheckedAhead>,
) -> ApiResult<(u64, ApiResult<Admitted>)> {
    let now = clock::now(tx)?;
    state.remember_now(now);
    if state.tick_is_due(now) && clock::claim_the_tick(tx)? {
        (state.tick)(tx, now)?;
        state.ticked(now);
    }
    let signed = request.signed();
    let caller =
        match endpoint.access {
            Access::Public => Ok((None, None, None)),
            Access::Device => authenticate(state, tx, &signed, now, checked_ahead)
                .map(|caller| (Some(caller), None, None)),
            Access::Enrolling => authenticate_enrolling(tx, &signed, now)
                .map(|enrolling| (None, Some(enrolling), None)),
            Access::Admin => check_admin(state, request.headers).map(|()| (None, None, None)),
            Access::Operator => authenticate_operator(tx, request.headers)
                .map(|operator| (None, None, Some(operator))),
        };
    // A refusal that met a conflict is run again like any failure.
    if caller.is_err() && tx.met_a_conflict() {
        return Err(ApiError::from(crate::store::sql::Error::Aborted {
            retryable: true,
        }));
    }
    Ok((
        now,
        caller.map(|(caller, enrolling, operator)| Admitted {
            now,
            caller,
            enrolling,
            operator,
        }),
    ))
}

/// A device signature checked before the request took a connection,
/// against the key the device was last known to have
/// ([`crate::http::device_keys`]).
struct CheckedAhead {
    /// The key checked against.
    known: KnownKey,
    /// Whether the signature verified; the refusal's detail if not.
    verified: Result<(), &'static str>,
}

/// Checks a device-signed request's signature without the database, when
/// the device's key is remembered; `None` leaves the check to the
/// transaction.
fn check_ahead(
    state: &AppState,
    request: &RequestView<'_>,
    endpoint: Endpoint,
) -> Option<CheckedAhead> {
    if endpoint.access != Access::Device {
        return None;
    }
    let (device_id, timestamp, nonce, signature) = signature_headers(request.headers).ok()?;
    let known = state.device_keys.get(device_id)?;
    // As many checks at once as there are cores, so they do not take the
    // cores from the request holding the connection.
    let _slot = state.compute_slots.take();
    let verified = signature_verifies(&known.key, &request.signed(), timestamp, nonce, &signature);
    Some(CheckedAhead { known, verified })
}

/// Hashes the PINs in a request's body before it takes the connection:
/// Argon2id takes tens of milliseconds on purpose, and with the connection
/// held every other request would wait for it. Only for a request whose
/// signature verifies, so that forged requests cannot spend the cores. A
/// PIN to check is checked against the stored hash read just before, in a
/// short transaction of its own; the request's transaction uses a result
/// only when it meets the same inputs ([`HashedAhead`]). At most one hash
/// per two cores runs at a time ([`AppState::pin_slots`]).
fn hash_pins_ahead(
    state: &AppState,
    request: &RequestView<'_>,
    endpoint: Endpoint,
    checked_ahead: Option<&CheckedAhead>,
) -> HashedAhead {
    let mut hashed = HashedAhead::default();
    let fields = endpoint.pins;
    if fields == PinFields::NONE {
        return hashed;
    }
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(request.body) else {
        return hashed;
    };
    let pin_in = |name: Option<&str>| {
        name.and_then(|name| body.get(name)?.as_str())
            .filter(|pin| crate::domain::pin::is_well_formed(pin))
    };
    let (new_pin, current_pin) = (pin_in(fields.new), pin_in(fields.current));
    if new_pin.is_none() && current_pin.is_none() {
        return hashed;
    }
    let Some(stored) = look_ahead(
        state,
        request,
        endpoint.access,
        checked_ahead,
        current_pin.is_some(),
    ) else {
        return hashed;
    };
    let _slot = state.pin_slots.take();
    // A hash that fails here is made again in the transaction, which
    // reports the failure.
    if let Some(pin) = new_pin {
        let _ = hashed.hash_new(pin);
    }
    if let (Some(pin), Some(stored)) = (current_pin, stored) {
        let _ = hashed.check(pin, &stored);
    }
    hashed
}

/// Whether a request with PINs is to be hashed ahead: its time is within
/// the skew, its nonce unused, and it is signed by the key the database
/// holds (a device's signature checked ahead against its remembered key,
/// an enrolment's checked here). Gives the hash its caller's PIN is checked
/// against when `wants_stored_hash`, or `None` when nothing is to be
/// hashed: the transaction refuses such a request without hashing.
fn look_ahead(
    state: &AppState,
    request: &RequestView<'_>,
    access: Access,
    checked_ahead: Option<&CheckedAhead>,
    wants_stored_hash: bool,
) -> Option<Option<String>> {
    let now = state.cached_now();
    let (signer_id, timestamp, nonce, signature) = signature_headers(request.headers).ok()?;
    if timestamp.abs_diff(now) > MAX_REQUEST_SKEW_SECONDS {
        return None;
    }
    let device_checked = checked_ahead.filter(|ahead| ahead.verified.is_ok());
    let (key_to_check, stored) = {
        let mut connection = state.lock_database().ok()?;
        connection
            .transact(
                |tx| -> ApiResult<Option<(Option<PublicKey>, Option<String>)>> {
                    if requests::nonce_is_used(tx, signer_id, nonce, now)? {
                        return Ok(None);
                    }
                    match (access, device_checked) {
                        (Access::Device, Some(ahead)) => {
                            let Some(signer) = devices::signer(tx, signer_id)?
                                .filter(|signer| ahead.known.is_key_of(signer))
                            else {
                                return Ok(None);
                            };
                            let stored = if wants_stored_hash {
                                crate::domain::pin::hash_to_check_against(
                                    tx,
                                    &signer.account_id,
                                    &signer.person_id,
                                    now,
                                )?
                            } else {
                                None
                            };
                            Ok(Some((None, stored)))
                        }
                        (Access::Enrolling, _) => {
                            Ok(crate::domain::enrolment::load(tx, signer_id)?
                                .map(|enrolling| (Some(enrolling.device_key), None)))
                        }
                        _ => Ok(None),
                    }
                },
            )
            .ok()??
    };
    if let Some(key) = key_to_check {
        let _slot = state.compute_slots.take();
        signature_verifies(&key, &request.signed(), timestamp, nonce, &signature).ok()?;
    }
    Some(stored)
}

/// The request's effect, all or nothing, in `tx`.
fn run_work<T>(
    state: &AppState,
    (tx, hashed_ahead): (&Transaction<'_>, &HashedAhead),
    request: &RequestView<'_>,
    admitted: &Admitted,
    work: impl FnOnce(&mut Ctx<'_>) -> ApiResult<T>,
) -> ApiResult<T> {
    work(&mut Ctx {
        tx,
        now: admitted.now,
        caller: admitted.caller.clone(),
        enrolling: admitted.enrolling.clone(),
        operator: admitted.operator.clone(),
        source: request.source.to_owned(),
        body: request.body,
        query: request.uri.query().map(str::to_owned),
        headers: request.headers,
        state,
        hashed_ahead,
    })
}

/// Runs `work` once per idempotency key: a repeat of the same request gets
/// the stored reply, the same key on another request a refusal. The work
/// runs first, under a savepoint, and its reply is kept under the key
/// after it ([`requests::keep_reply`]); a key some request already has
/// undoes the work, and so does a failed work, after which the key is
/// looked up: a repeat of a request that succeeded gets that reply instead
/// of the repeat's failure (say, "already in progress"). Nothing is read
/// before the work, so a new key costs one insert (see `keep_reply` for
/// why that matters on PostgreSQL); a repeat runs the work again and
/// throws it away.
fn idempotently(
    tx: &Transaction<'_>,
    request: &RequestView<'_>,
    admitted: &Admitted,
    work: impl FnOnce(&Transaction<'_>) -> ApiResult<Reply>,
) -> ApiResult<Reply> {
    let key = idempotency_key(request.headers)?;
    let scope = match (&admitted.caller, &admitted.enrolling) {
        (Some(caller), _) => caller.account_id.as_str(),
        (None, Some(enrolling)) => enrolling.enrolment_id.as_str(),
        (None, None) => "public",
    };
    let hashed = [
        request.method.as_str().as_bytes(),
        b"\n",
        request.path_and_query.as_bytes(),
        b"\n",
        request.body,
    ]
    .concat();
    let request_hash = hex(digest(&SHA256, &hashed).as_ref());
    let outcome = tx.undone_on_failure(|tx| {
        let reply = work(tx)?;
        let key = (scope, key.as_str(), request_hash.as_str());
        if requests::keep_reply(tx, key, reply.status.as_u16(), &reply.body, admitted.now)? {
            Ok(reply)
        } else {
            Err(ApiError::new(
                ProblemCode::Internal,
                "the stored reply could not be read",
            ))
        }
    });
    match outcome {
        Ok(reply) => Ok(reply),
        Err(error) if tx.met_a_conflict() => Err(error),
        Err(error) => Ok(stored_reply(tx, scope, &key, &request_hash)?.ok_or(error)?),
    }
}

/// The response for a transaction's outcome, with the clock header.
fn finish(outcome: ApiResult<Reply>, now: u64, request_headers: &HeaderMap) -> Response {
    match outcome {
        Ok(reply) => with_time(reply_to_response(reply, request_headers), now),
        Err(error) => with_time(error.into_response(), now),
    }
}

fn reply_to_response(reply: Reply, request_headers: &HeaderMap) -> Response {
    if let Some(etag) = &reply.etag {
        let matches = request_headers
            .get(header::IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| {
                value
                    .split(',')
                    .any(|candidate| candidate.trim() == etag || candidate.trim() == "*")
            });
        if matches {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            if let Ok(value) = HeaderValue::from_str(etag) {
                response.headers_mut().insert(header::ETAG, value);
            }
            // A 304 carries the caching rules the full answer would, so a
            // cache that revalidated its copy keeps it for as long again.
            if let Some(value) = reply
                .headers
                .iter()
                .find(|(name, _)| *name == header::CACHE_CONTROL.as_str())
                .and_then(|(_, value)| HeaderValue::from_str(value).ok())
            {
                response.headers_mut().insert(header::CACHE_CONTROL, value);
            }
            return response;
        }
    }
    let mut response = (reply.status, reply.body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    for (name, value) in &reply.headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response
                .headers_mut()
                .insert(axum::http::HeaderName::from_static(name), value);
        }
    }
    if let Some(etag) = reply
        .etag
        .and_then(|etag| HeaderValue::from_str(&etag).ok())
    {
        response.headers_mut().insert(header::ETAG, etag);
        if !response.headers().contains_key(header::CACHE_CONTROL) {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
    }
    response
}

fn with_time(mut response: Response, now: u64) -> Response {
    response
        .headers_mut()
        .insert(SERVER_TIME_HEADER, HeaderValue::from(now));
    response
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn unauthenticated(detail: &str) -> ApiError {
    ApiError::new(ProblemCode::Unauthenticated, detail)
}

/// The signature headers of a signed request: (signer id, timestamp, nonce, signature).
fn signature_headers(headers: &HeaderMap) -> ApiResult<(&str, u64, &str, Vec<u8>)> {
    let signer = header_text(headers, DEVICE_HEADER)
        .ok_or_else(|| unauthenticated("missing device header"))?;
    let timestamp: u64 = header_text(headers, TIMESTAMP_HEADER)
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| unauthenticated("missing or malformed timestamp"))?;
    let nonce = header_text(headers, NONCE_HEADER)
        .filter(|nonce| nonce_is_well_formed(nonce))
        .ok_or_else(|| unauthenticated("missing or malformed nonce"))?;
    let signature = header_text(headers, SIGNATURE_HEADER)
        .and_then(|text| URL_SAFE_NO_PAD.decode(text).ok())
        .ok_or_else(|| unauthenticated("missing or malformed signature"))?;
    Ok((signer, timestamp, nonce, signature))
}

/// The parts of a signed request its signature covers.
struct SignedRequest<'a> {
    method: &'a str,
    path_and_query: &'a str,
    headers: &'a HeaderMap,
    body: &'a [u8],
}

/// Whether `signature` is `key`'s over the request; the refusal's detail
/// when it is not.
fn signature_verifies(
    key: &PublicKey,
    request: &SignedRequest<'_>,
    timestamp: u64,
    nonce: &str,
    signature: &[u8],
) -> Result<(), &'static str> {
    let message = signed_string(
        request.method,
        request.path_and_query,
        timestamp,
        nonce,
        request.body,
    );
    let signature = ecard_credential::suite::normalize_signature(key.suite(), signature)
        .map_err(|_| "malformed signature")?;
    if key.verify(&message, &signature) {
        Ok(())
    } else {
        Err("the signature does not verify")
    }
}

/// Checks the outcome of the signature check, the time and the nonce of
/// a request signed by `signer`, and records the nonce.
fn check_signed(
    tx: &Transaction<'_>,
    signer: &str,
    signature: Result<(), &'static str>,
    (timestamp, nonce): (u64, &str),
    now: u64,
) -> ApiResult<()> {
    signature.map_err(unauthenticated)?;
    if timestamp.abs_diff(now) > MAX_REQUEST_SKEW_SECONDS {
        return Err(ApiError::new(
            ProblemCode::ClockSkew,
            format!("request time is {timestamp}, platform time is {now}"),
        ));
    }
    let keep_until = now + 2 * MAX_REQUEST_SKEW_SECONDS;
    if !requests::first_use_of_nonce(tx, signer, nonce, now, keep_until)? {
        return Err(ApiError::new(
            ProblemCode::ReplayedRequest,
            "this request was already received",
        ));
    }
    Ok(())
}

/// Checks a device-signed request and records its nonce. A signature
/// checked ahead counts only if it was checked against the key the
/// database holds for the device now.
fn authenticate(
    state: &AppState,
    tx: &Transaction<'_>,
    request: &SignedRequest<'_>,
    now: u64,
    checked_ahead: Option<&CheckedAhead>,
) -> ApiResult<Caller> {
    let (device_id, timestamp, nonce, signature) = signature_headers(request.headers)?;
    let Some(signer) = devices::signer(tx, device_id)? else {
        return Err(unauthenticated("unknown device"));
    };
    let suite = Suite::from_name(&signer.suite).ok_or_else(|| unauthenticated("unknown device"))?;
    let (device_key, verified) = match checked_ahead {
        Some(ahead) if ahead.known.is_key_of(&signer) => (ahead.known.key.clone(), ahead.verified),
        _ => {
            let device_key = PublicKey::from_bytes(suite, &signer.public_key)
                .map_err(|_| unauthenticated("unknown device"))?;
            let verified = signature_verifies(&device_key, request, timestamp, nonce, &signature);
            state.device_keys.remember(
                device_id,
                KnownKey {
                    suite: signer.suite.clone(),
                    public_key: signer.public_key.clone(),
                    key: device_key.clone(),
                },
            );
            (device_key, verified)
        }
    };
    check_signed(tx, device_id, verified, (timestamp, nonce), now)?;
    if signer.last_use_is_stale(now) {
        devices::mark_seen(tx, device_id, now)?;
    }
    Ok(Caller {
        account_id: signer.account_id,
        person_id: signer.person_id,
        device_id: device_id.to_owned(),
        device_suite: suite,
        device_key,
    })
}

/// Checks a request signed by a key being enrolled; the device header
/// names the enrolment.
fn authenticate_enrolling(
    tx: &Transaction<'_>,
    request: &SignedRequest<'_>,
    now: u64,
) -> ApiResult<crate::domain::enrolment::Enrolling> {
    let (enrolment_id, timestamp, nonce, signature) = signature_headers(request.headers)?;
    let enrolling = crate::domain::enrolment::load(tx, enrolment_id)?
        .ok_or_else(|| unauthenticated("unknown enrolment"))?;
    let verified = signature_verifies(&enrolling.device_key, request, timestamp, nonce, &signature);
    check_signed(tx, enrolment_id, verified, (timestamp, nonce), now)?;
    Ok(enrolling)
}

fn check_admin(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let expected = format!("Bearer {}", state.admin_token);
    let given = header_text(headers, header::AUTHORIZATION.as_str()).unwrap_or_default();
    // Compare digests so the comparison time does not depend on the token.
    let given = digest(&SHA256, given.as_bytes());
    let expected = digest(&SHA256, expected.as_bytes());
    if given.as_ref() == expected.as_ref() {
        Ok(())
    } else {
        Err(unauthenticated("the admin token is missing or wrong"))
    }
}

/// Finds the terminal operator by its bearer token. The token is looked up
/// by its SHA-256, so no secret is compared byte by byte, and it is never
/// written to a log or an error.
fn authenticate_operator(
    tx: &Transaction<'_>,
    headers: &HeaderMap,
) -> ApiResult<crate::domain::clearing::Operator> {
    let token = header_text(headers, header::AUTHORIZATION.as_str())
        .and_then(|value| value.strip_prefix("Bearer "))
        .filter(|token| !token.is_empty())
        .ok_or_else(|| unauthenticated("the operator token is missing"))?;
    crate::domain::clearing::operator_for_token(tx, token)?
        .ok_or_else(|| unauthenticated("the operator token is wrong"))
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
    let key = header_text(headers, IDEMPOTENCY_KEY_HEADER).ok_or_else(|| {
        ApiError::new(
            ProblemCode::IdempotencyKeyMissing,
            "mutating calls need an Idempotency-Key header",
        )
    })?;
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(ApiError::new(
            ProblemCode::IdempotencyKeyMissing,
            "the Idempotency-Key must be 1–128 visible ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

fn stored_reply(
    tx: &Transaction<'_>,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> ApiResult<Option<Reply>> {
    match requests::stored_reply(tx, scope, key)? {
        None => Ok(None),
        Some(requests::StoredReply {
            request_hash: stored_hash,
            status,
            body,
        }) if stored_hash == request_hash => Ok(Some(Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body,
            content_type: if status >= 400 {
                PROBLEM_JSON
            } else {
                "application/json"
            },
            etag: None,
            headers: Vec::new(),
        })),
        Some(_) => Err(ApiError::new(
            ProblemCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        )),
    }
}
