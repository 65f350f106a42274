//! Request plumbing shared by every endpoint: bounded body reading, device
//! and admin authentication, idempotency, one database transaction per
//! request, and the platform-clock header on every reply.
//!
//! Replies the endpoints never see — unknown paths, wrong methods,
//! unreadable path parameters, oversized bodies — also leave as
//! `application/problem+json` with the clock header (`finish_response`).

use std::pin::Pin;
use std::sync::{Arc, PoisonError};

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
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::domain::access::Caller;
use crate::domain::devices;
use crate::error::{ApiError, ApiResult};
use crate::http::context::{Access, AppState, Ctx, Endpoint, Reply};
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
    F: FnOnce(&mut Ctx<'_>) -> ApiResult<Reply> + Send + 'static,
{
    let (parts, body) = request.into_parts();
    let source = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string());
    let declared_length = header_text(&parts.headers, header::CONTENT_LENGTH.as_str())
        .and_then(|length| length.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return too_large().into_response();
    }
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let joined = tokio::task::spawn_blocking(move || {
        let mut connection = state.db.lock().unwrap_or_else(PoisonError::into_inner);
        run(
            &state,
            &mut connection,
            &parts.method,
            &parts.uri,
            &parts.headers,
            &body,
            &source,
            endpoint,
            work,
        )
    })
    .await;
    joined.unwrap_or_else(|_| {
        ApiError::new(ProblemCode::Internal, "the request failed").into_response()
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

#[allow(clippy::too_many_arguments, reason = "the parts of one request")]
fn run<F>(
    state: &AppState,
    connection: &mut Connection,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
    source: &str,
    endpoint: Endpoint,
    work: F,
) -> Response
where
    F: FnOnce(&mut Ctx<'_>) -> ApiResult<Reply>,
{
    let path_and_query = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |value| value.as_str().to_owned());
    // First transaction: bring workflows up to the clock and authenticate.
    // It commits on its own, so a used nonce stays used even when the
    // request itself fails.
    let admitted = (|| {
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = clock::now(&tx)?;
        state.remember_now(now);
        (state.tick)(&tx, now)?;
        let caller = match endpoint.access {
            Access::Public => Ok((None, None, None)),
            Access::Device => {
                authenticate(&tx, method.as_str(), &path_and_query, headers, body, now)
                    .map(|caller| (Some(caller), None, None))
            }
            Access::Enrolling => {
                authenticate_enrolling(&tx, method.as_str(), &path_and_query, headers, body, now)
                    .map(|enrolling| (None, Some(enrolling), None))
            }
            Access::Admin => check_admin(state, headers).map(|()| (None, None, None)),
            Access::Operator => {
                authenticate_operator(&tx, headers).map(|operator| (None, None, Some(operator)))
            }
        };
        tx.commit()?;
        Ok::<_, ApiError>((now, caller))
    })();
    let (now, (caller, enrolling, operator)) = match admitted {
        Ok((now, Ok(caller))) => (now, caller),
        Ok((now, Err(error))) => return with_time(error.into_response(), now),
        Err(error) => return error.into_response(),
    };
    // Second transaction: the request's effect and its idempotency record,
    // all or nothing.
    let outcome = (|| {
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let idempotency = if endpoint.idempotent {
            let key = idempotency_key(headers)?;
            let scope = match (&caller, &enrolling) {
                (Some(caller), _) => caller.account_id.clone(),
                (None, Some(enrolling)) => enrolling.enrolment_id.clone(),
                (None, None) => "public".to_owned(),
            };
            let request = [
                method.as_str().as_bytes(),
                b"\n",
                path_and_query.as_bytes(),
                b"\n",
                body,
            ]
            .concat();
            let request_hash = hex(digest(&SHA256, &request).as_ref());
            if let Some(stored) = stored_reply(&tx, &scope, &key, &request_hash)? {
                return Ok(stored);
            }
            Some((scope, key, request_hash))
        } else {
            None
        };
        let mut ctx = Ctx {
            tx: &tx,
            now,
            caller,
            enrolling,
            operator,
            source: source.to_owned(),
            body,
            query: uri.query().map(str::to_owned),
            headers,
            state,
        };
        let reply = work(&mut ctx)?;
        if let Some((scope, key, request_hash)) = idempotency {
            requests::store_reply(
                &tx,
                &scope,
                &key,
                &request_hash,
                reply.status.as_u16(),
                &reply.body,
                now,
            )?;
        }
        tx.commit()?;
        Ok::<_, ApiError>(reply)
    })();
    match outcome {
        Ok(reply) => with_time(reply_to_response(reply, headers), now),
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
            return response;
        }
    }
    let mut response = (reply.status, reply.body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    if let Some(seconds) = reply.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if let Some(etag) = reply
        .etag
        .and_then(|etag| HeaderValue::from_str(&etag).ok())
    {
        response.headers_mut().insert(header::ETAG, etag);
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
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

/// Checks the signature, the time and the nonce of a request signed by `key`.
#[allow(clippy::too_many_arguments, reason = "the parts of one signed request")]
fn check_signed(
    tx: &Transaction<'_>,
    key: &PublicKey,
    signer: &str,
    method: &str,
    path_and_query: &str,
    (timestamp, nonce, signature): (u64, &str, &[u8]),
    body: &[u8],
    now: u64,
) -> ApiResult<()> {
    let message = signed_string(method, path_and_query, timestamp, nonce, body);
    let signature = ecard_credential::suite::normalize_signature(key.suite(), signature)
        .map_err(|_| unauthenticated("malformed signature"))?;
    if !key.verify(&message, &signature) {
        return Err(unauthenticated("the signature does not verify"));
    }
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

/// Checks a device-signed request and records its nonce.
fn authenticate(
    tx: &Transaction<'_>,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: u64,
) -> ApiResult<Caller> {
    let (device_id, timestamp, nonce, signature) = signature_headers(headers)?;
    let Some(signer) = devices::signer(tx, device_id)? else {
        return Err(unauthenticated("unknown device"));
    };
    let suite = Suite::from_name(&signer.suite).ok_or_else(|| unauthenticated("unknown device"))?;
    let device_key = PublicKey::from_bytes(suite, &signer.public_key)
        .map_err(|_| unauthenticated("unknown device"))?;
    check_signed(
        tx,
        &device_key,
        device_id,
        method,
        path_and_query,
        (timestamp, nonce, &signature),
        body,
        now,
    )?;
    devices::mark_seen(tx, device_id, now)?;
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
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: u64,
) -> ApiResult<crate::domain::enrolment::Enrolling> {
    let (enrolment_id, timestamp, nonce, signature) = signature_headers(headers)?;
    let enrolling = crate::domain::enrolment::load(tx, enrolment_id)?
        .ok_or_else(|| unauthenticated("unknown enrolment"))?;
    check_signed(
        tx,
        &enrolling.device_key,
        enrolment_id,
        method,
        path_and_query,
        (timestamp, nonce, &signature),
        body,
        now,
    )?;
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
            retry_after: None,
        })),
        Some(_) => Err(ApiError::new(
            ProblemCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        )),
    }
}
