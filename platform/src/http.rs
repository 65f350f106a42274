//! Request plumbing shared by every endpoint: bounded body reading, device
//! and admin authentication, idempotency, one database transaction per
//! request, and the platform-clock header on every reply.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{Body, to_bytes};
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
use ecard_api::{IDEMPOTENCY_KEY_HEADER, MAX_BODY_BYTES, SERVER_TIME_HEADER};
use ecard_credential::{PublicKey, Suite};
use ring::digest::{SHA256, digest};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use crate::{clock, workflow};

/// What the platform keeps between requests.
pub struct AppState {
    pub(crate) db: Mutex<Connection>,
    pub(crate) admin_token: String,
    pub(crate) issuer_name: String,
    /// The last signed status list per list number: (sequence, valid until, bytes).
    pub(crate) status_cache: Mutex<std::collections::HashMap<u8, SignedStatus>>,
}

/// A signed status list: (sequence, valid until, bytes).
pub(crate) type SignedStatus = (i64, u64, Vec<u8>);

/// Who may call an endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// An enrolled device, by signature.
    Device,
    /// The operator, by admin token.
    Admin,
}

/// An authenticated device and its account.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The account.
    pub account_id: String,
    /// The account holder.
    pub person_id: String,
    /// The device.
    pub device_id: String,
    /// The device's key suite.
    pub device_suite: Suite,
    /// The device's public key.
    pub device_key: PublicKey,
}

/// Everything a handler needs.
pub struct Ctx<'a> {
    /// The request's transaction.
    pub tx: &'a Transaction<'a>,
    /// The platform clock, Unix seconds.
    pub now: u64,
    /// The authenticated device (for `Access::Device`).
    pub caller: Option<Caller>,
    /// The request body.
    pub body: &'a [u8],
    /// The query string.
    pub query: Option<String>,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Shared state.
    pub state: &'a AppState,
}

impl Ctx<'_> {
    /// Parses the body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> ApiResult<T> {
        if self.body.is_empty() {
            return Err(ApiError::new(
                ProblemCode::MalformedRequest,
                "a JSON body is required",
            ));
        }
        Ok(serde_json::from_slice(self.body)?)
    }

    /// The authenticated caller.
    pub fn caller(&self) -> ApiResult<&Caller> {
        self.caller.as_ref().ok_or_else(|| {
            ApiError::new(ProblemCode::Unauthenticated, "a signed request is required")
        })
    }

    /// A query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then(|| value.to_owned())
        })
    }
}

/// A successful reply.
pub struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    content_type: &'static str,
    etag: Option<String>,
}

impl Reply {
    /// A JSON reply.
    pub fn json<T: Serialize>(status: StatusCode, value: &T) -> ApiResult<Reply> {
        Ok(Reply {
            status,
            body: serde_json::to_vec(value)?,
            content_type: "application/json",
            etag: None,
        })
    }

    /// A JSON reply with status 200.
    pub fn ok<T: Serialize>(value: &T) -> ApiResult<Reply> {
        Reply::json(StatusCode::OK, value)
    }

    /// A binary reply.
    pub fn bytes(body: Vec<u8>, content_type: &'static str) -> Reply {
        Reply {
            status: StatusCode::OK,
            body,
            content_type,
            etag: None,
        }
    }

    /// Sets an entity tag; a matching `If-None-Match` turns the reply into 304.
    pub fn with_etag(mut self, etag: String) -> Reply {
        self.etag = Some(etag);
        self
    }
}

/// Options of an endpoint.
#[derive(Clone, Copy)]
pub struct Endpoint {
    /// Who may call.
    pub access: Access,
    /// Whether the call mutates and takes an `Idempotency-Key`.
    pub idempotent: bool,
}

impl Endpoint {
    /// A public read.
    pub const PUBLIC_READ: Endpoint = Endpoint {
        access: Access::Public,
        idempotent: false,
    };
    /// A signed read.
    pub const DEVICE_READ: Endpoint = Endpoint {
        access: Access::Device,
        idempotent: false,
    };
    /// A signed mutation.
    pub const DEVICE_WRITE: Endpoint = Endpoint {
        access: Access::Device,
        idempotent: true,
    };
    /// An operator call.
    pub const ADMIN: Endpoint = Endpoint {
        access: Access::Admin,
        idempotent: false,
    };
}

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
            endpoint,
            work,
        )
    })
    .await;
    joined.unwrap_or_else(|_| {
        ApiError::new(ProblemCode::Internal, "the request failed").into_response()
    })
}

async fn read_body(body: Body) -> ApiResult<Vec<u8>> {
    to_bytes(body, MAX_BODY_BYTES)
        .await
        .map(|bytes| bytes.to_vec())
        .map_err(|_| {
            ApiError::new(
                ProblemCode::BodyTooLarge,
                format!("bodies are limited to {MAX_BODY_BYTES} bytes"),
            )
        })
}

#[allow(clippy::too_many_arguments, reason = "the parts of one request")]
fn run<F>(
    state: &AppState,
    connection: &mut Connection,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
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
        workflow::advance(&tx, now)?;
        let caller = match endpoint.access {
            Access::Public => Ok(None),
            Access::Device => {
                authenticate(&tx, method.as_str(), &path_and_query, headers, body, now).map(Some)
            }
            Access::Admin => check_admin(state, headers).map(|()| None),
        };
        tx.commit()?;
        Ok::<_, ApiError>((now, caller))
    })();
    let (now, caller) = match admitted {
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
            let scope = caller
                .as_ref()
                .map_or_else(|| "public".to_owned(), |caller| caller.account_id.clone());
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
            body,
            query: uri.query().map(str::to_owned),
            headers,
            state,
        };
        let reply = work(&mut ctx)?;
        if let Some((scope, key, request_hash)) = idempotency {
            tx.execute(
                "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![scope, key, request_hash, reply.status.as_u16(), reply.body, now as i64],
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

/// Checks a device-signed request and records its nonce.
fn authenticate(
    tx: &Transaction<'_>,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: u64,
) -> ApiResult<Caller> {
    let device_id = header_text(headers, DEVICE_HEADER)
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
    let row = tx
        .query_row(
            "SELECT d.account_id, a.person_id, d.suite, d.public_key FROM devices d \
             JOIN accounts a ON a.account_id = d.account_id WHERE d.device_id = ?1 AND d.revoked_at IS NULL",
            params![device_id],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get::<_, Vec<u8>>(3)?)),
        )
        .optional()?;
    let Some((account_id, person_id, suite, key_bytes)) = row else {
        return Err(unauthenticated("unknown device"));
    };
    let suite = Suite::from_name(&suite).ok_or_else(|| unauthenticated("unknown device"))?;
    let device_key =
        PublicKey::from_bytes(suite, &key_bytes).map_err(|_| unauthenticated("unknown device"))?;
    let message = signed_string(method, path_and_query, timestamp, nonce, body);
    let signature = ecard_credential::suite::normalize_signature(suite, &signature)
        .map_err(|_| unauthenticated("malformed signature"))?;
    if !device_key.verify(&message, &signature) {
        return Err(unauthenticated("the signature does not verify"));
    }
    if timestamp.abs_diff(now) > MAX_REQUEST_SKEW_SECONDS {
        return Err(ApiError::new(
            ProblemCode::ClockSkew,
            format!("request time is {timestamp}, platform time is {now}"),
        ));
    }
    tx.execute(
        "DELETE FROM nonces WHERE expires_at < ?1",
        params![now as i64],
    )?;
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO nonces (device_id, nonce, expires_at) VALUES (?1, ?2, ?3)",
        params![
            device_id,
            nonce,
            (now + 2 * MAX_REQUEST_SKEW_SECONDS) as i64
        ],
    )?;
    if inserted == 0 {
        return Err(ApiError::new(
            ProblemCode::ReplayedRequest,
            "this request was already received",
        ));
    }
    Ok(Caller {
        account_id,
        person_id,
        device_id: device_id.to_owned(),
        device_suite: suite,
        device_key,
    })
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
    let stored = tx
        .query_row(
            "SELECT request_hash, status, body FROM idempotency WHERE scope = ?1 AND key = ?2",
            params![scope, key],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, u16>(1)?,
                    row.get::<_, Vec<u8>>(2)?,
                ))
            },
        )
        .optional()?;
    match stored {
        None => Ok(None),
        Some((stored_hash, status, body)) if stored_hash == request_hash => Ok(Some(Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body,
            content_type: "application/json",
            etag: None,
        })),
        Some(_) => Err(ApiError::new(
            ProblemCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for a different request",
        )),
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
