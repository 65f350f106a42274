//! What an endpoint receives and returns: the shared state of a running
//! platform ([`AppState`]), the context of one request ([`Ctx`]: its
//! transaction, the platform time, the authenticated caller, the body), a
//! reply ([`Reply`]), and an endpoint's access rule ([`Endpoint`]).
//!
//! Kept apart from the plumbing that fills them in, so endpoint modules depend
//! on these types only.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use crate::store::sql::Transaction;
use axum::http::{HeaderMap, StatusCode};
use ecard_api::PROBLEM_JSON;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::Scope;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::access::Caller;
use crate::domain::issuer::StatusCache;
use crate::domain::tick::Tick;
use crate::error::{ApiError, ApiResult};
use crate::store::clock;

/// The media type of the platform's HTML pages.
pub const HTML: &str = "text/html; charset=utf-8";

/// What the platform keeps between requests.
pub struct AppState {
    /// The database connections (one on SQLite, a pool on PostgreSQL).
    pub(crate) db: crate::store::pool::Pool,
    /// The database file (`None` for an in-memory database), for the
    /// background checkpoints while serving (`store::checkpoints`).
    pub(crate) database_file: Option<std::path::PathBuf>,
    pub(crate) admin_token: String,
    pub(crate) issuer_name: String,
    /// The platform's public base URL (the OpenID issuer); `None`: taken
    /// from the request's `Host`.
    pub(crate) public_url: Option<String>,
    /// The last signed status list per list number: (sequence, valid until, bytes).
    pub(crate) status_cache: StatusCache,
    /// The parsed trust list of the latest edition, for resolutions.
    pub(crate) trust_cache: crate::domain::service_points::TrustCache,
    /// The clock tick, handed in by the platform and run by the plumbing
    /// at the start of a request, at most once per platform second
    /// ([`AppState::tick_is_due`]).
    pub(crate) tick: Tick,
    /// The platform clock's offset from the system clock as last read from
    /// the database, for replies made without a database transaction.
    pub(crate) clock_offset: AtomicI64,
    /// The font certificates are drawn with, loaded at the first one.
    pub(crate) certificate_font: crate::domain::certificate_pdf::CertificateFont,
    /// Checks face platforms' signed results.
    pub(crate) face_verifier: Arc<dyn crate::domain::face::FaceVerifier>,
    /// Sends one-time codes and notices.
    pub(crate) sms: Arc<dyn crate::domain::sms::SmsGateway>,
    /// One permit per core for the database-free stage of staged endpoints
    /// (`plumbing::handle_in_stages`).
    pub(crate) compute_slots: Slots,
    /// One permit per two cores (at least one) for hashing PINs
    /// (`plumbing::hash_pins_ahead`): a flood of PIN checks gets at most
    /// half the machine.
    pub(crate) pin_slots: Slots,
    /// Request counts and durations, and the use of the connection
    /// (`http::operations`).
    pub(crate) metrics: crate::http::operations::metrics::Metrics,
    /// The rate limits per source and per device, and the source address
    /// derivation the identity-attempt limits share (`http::rate_limit`).
    pub(crate) rate_limits: Arc<crate::http::rate_limit::RateLimits>,
    /// Set at the start of a graceful shutdown: readiness answers `503`.
    pub(crate) draining: AtomicBool,
    /// Whether a readiness probe is waiting for the connection.
    pub(crate) readiness_probe: AtomicBool,
    /// The workflow counts `/metrics` read last, and when.
    pub(crate) workflow_counts: Mutex<Option<WorkflowCounts>>,
    /// The platform second this instance last ran the clock tick at.
    pub(crate) ticked_at: std::sync::atomic::AtomicU64,
    /// Device keys seen lately, so signatures are checked before a
    /// connection is taken (`http::device_keys`).
    pub(crate) device_keys: crate::http::device_keys::DeviceKeys,
}

/// Workflow counts as read at an instant.
pub(crate) type WorkflowCounts = (
    std::time::Instant,
    Arc<Vec<crate::domain::operations::Count>>,
);

impl AppState {
    /// A database connection, taken from the pool (waiting while all are
    /// in use); the wait and the time held are measured for the metrics.
    pub(crate) fn lock_database(
        &self,
    ) -> crate::store::sql::Result<crate::http::operations::metrics::DatabaseGuard<'_>> {
        self.metrics.database.lock(&self.db)
    }

    /// [`AppState::lock_database`] for a request whose transaction may be
    /// committed in a group with others ([`crate::store::pool`]).
    pub(crate) fn lock_database_share(
        &self,
    ) -> crate::store::sql::Result<crate::http::operations::metrics::DatabaseGuard<'_>> {
        self.metrics.database.lock_share(&self.db)
    }

    /// Whether a request's admission runs the clock tick: at most once per
    /// platform second per instance. The tick reads the tables every
    /// request writes; on SQLite beside every request it would hold the one
    /// connection for a dozen statements each time, and under PostgreSQL's
    /// serializable isolation it would make concurrent requests conflict
    /// and run again. A second later is soon enough for a clock counted in
    /// seconds.
    pub(crate) fn tick_is_due(&self, now: u64) -> bool {
        self.ticked_at.load(Ordering::Relaxed) < now
    }

    /// Notes that this instance ran the tick at `now`.
    pub(crate) fn ticked(&self, now: u64) {
        self.ticked_at.fetch_max(now, Ordering::Relaxed);
    }

    /// The platform clock as last known, without touching the database.
    pub(crate) fn cached_now(&self) -> u64 {
        clock::system_now().saturating_add_signed(self.clock_offset.load(Ordering::Relaxed))
    }

    /// Remembers the platform clock read at `now`.
    pub(crate) fn remember_now(&self, now: u64) {
        let offset = i64::try_from(now)
            .unwrap_or(i64::MAX)
            .saturating_sub(i64::try_from(clock::system_now()).unwrap_or(i64::MAX));
        self.clock_offset.store(offset, Ordering::Relaxed);
    }
}

/// Who may call an endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// An enrolled device, by signature.
    Device,
    /// A key being enrolled, by signature, naming its enrolment.
    Enrolling,
    /// The platform's admin, by admin token.
    Admin,
    /// A terminal operator, by its bearer token.
    Operator,
}

/// Everything a handler needs.
pub struct Ctx<'a> {
    /// The request's transaction.
    pub tx: &'a Transaction<'a>,
    /// The platform clock, Unix seconds.
    pub now: u64,
    /// The authenticated device (for `Access::Device`).
    pub caller: Option<Caller>,
    /// The enrolment whose key signed (for `Access::Enrolling`).
    pub enrolling: Option<crate::domain::enrolment::Enrolling>,
    /// The terminal operator whose token was given (for `Access::Operator`).
    pub operator: Option<crate::domain::clearing::Operator>,
    /// The peer address the request came from (`unknown` when not known).
    pub source: String,
    /// The request body.
    pub body: &'a [u8],
    /// The query string.
    pub query: Option<String>,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Shared state.
    pub state: &'a AppState,
    /// The body's PINs, hashed before the connection was taken.
    pub hashed_ahead: &'a crate::domain::pin::HashedAhead,
}

impl Ctx<'_> {
    /// Parses the body as JSON. A number written with a fraction of zero
    /// (`3.0`) counts as the integer it equals, as in JSON Schema: JSON has
    /// one number type, and some encoders write every number as a float.
    pub fn json<T: DeserializeOwned>(&self) -> ApiResult<T> {
        if self.body.is_empty() {
            return Err(ApiError::new(
                ProblemCode::MalformedRequest,
                "a JSON body is required",
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(self.body)?;
        Ok(serde_json::from_value(integral_numbers(value))?)
    }

    /// The authenticated caller.
    pub fn caller(&self) -> ApiResult<&Caller> {
        self.caller.as_ref().ok_or_else(|| {
            ApiError::new(ProblemCode::Unauthenticated, "a signed request is required")
        })
    }

    /// The authenticated terminal operator.
    pub fn operator(&self) -> ApiResult<&crate::domain::clearing::Operator> {
        self.operator.as_ref().ok_or_else(|| {
            ApiError::new(
                ProblemCode::Unauthenticated,
                "an operator token is required",
            )
        })
    }

    /// A query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (key == name).then(|| value.to_owned())
        })
    }

    /// The person a read is about: the `person_id` query parameter, or the
    /// caller themself.
    pub fn subject_param(&self) -> ApiResult<String> {
        let caller = self.caller()?;
        Ok(self
            .query_param("person_id")
            .unwrap_or_else(|| caller.person_id.clone()))
    }

    /// Whether the caller may see what a read shows of `person_id`: their
    /// own, or someone's for whom they hold an active mandate with any of
    /// `scopes`; the mandate used, if any. Refusals as
    /// [`crate::domain::access::may_see`]'s (`no_mandate`).
    pub fn may_see(&self, person_id: &str, scopes: &[Scope]) -> ApiResult<Option<String>> {
        crate::domain::access::may_see(self.tx, self.caller()?, person_id, scopes, self.now)
    }

    /// A query parameter read as a number; `what` says what it must be.
    fn number_param<T: std::str::FromStr>(&self, name: &str, what: &str) -> ApiResult<Option<T>> {
        self.query_param(name)
            .map(|value| {
                value.parse::<T>().map_err(|_| {
                    ApiError::new(
                        ProblemCode::MalformedRequest,
                        format!("{name} must be {what}"),
                    )
                })
            })
            .transpose()
    }

    /// The `before` cursor and the `limit` of a list read newest first
    /// (`?before=&limit=`); `cursor` names the cursor ("a record cursor").
    pub fn page(&self, cursor: &str, default: u32, most: u32) -> ApiResult<(Option<u64>, u32)> {
        let before: Option<u64> = self.number_param("before", &format!("{cursor} (an integer)"))?;
        if before.is_some_and(|before| i64::try_from(before).is_err()) {
            return Err(ApiError::new(
                ProblemCode::MalformedRequest,
                format!("before must be {cursor} (an integer below 2^63)"),
            ));
        }
        let range = format!("an integer from 1 to {most}");
        let limit: u32 = self.number_param("limit", &range)?.unwrap_or(default);
        if !(1..=most).contains(&limit) {
            return Err(ApiError::new(
                ProblemCode::MalformedRequest,
                format!("limit must be {range}"),
            ));
        }
        Ok((before, limit))
    }
}

/// Turns floats without a fractional part into integers, recursively.
fn integral_numbers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(number) => {
            let integral = number
                .as_f64()
                .filter(|float| number.is_f64() && float.fract() == 0.0);
            let converted = integral.and_then(|float| {
                // Exact: the float is integral and inside the target range.
                if (0.0..18_446_744_073_709_551_616.0).contains(&float) {
                    Some(serde_json::Number::from(float as u64))
                } else if (-9_223_372_036_854_775_808.0..0.0).contains(&float) {
                    Some(serde_json::Number::from(float as i64))
                } else {
                    None
                }
            });
            Value::Number(converted.unwrap_or(number))
        }
        Value::Array(items) => Value::Array(items.into_iter().map(integral_numbers).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(key, value)| (key, integral_numbers(value)))
                .collect(),
        ),
        other => other,
    }
}

/// A successful reply.
pub struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
    pub(crate) content_type: &'static str,
    pub(crate) etag: Option<String>,
    /// Further headers (`Location` of a redirect, `Cache-Control`).
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// A JSON reply.
    pub fn json<T: Serialize>(status: StatusCode, value: &T) -> ApiResult<Reply> {
        Ok(Reply {
            status,
            body: serde_json::to_vec(value)?,
            content_type: "application/json",
            etag: None,
            headers: Vec::new(),
        })
    }

    /// A refusal that still commits the request's transaction: failed
    /// identity attempts must stay counted.
    pub fn problem(error: ApiError) -> Reply {
        Reply {
            status: StatusCode::from_u16(error.0.status)
                .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            body: serde_json::to_vec(&error.0).unwrap_or_default(),
            content_type: PROBLEM_JSON,
            etag: None,
            headers: Vec::new(),
        }
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
            headers: Vec::new(),
        }
    }

    /// An HTML page.
    pub fn html(status: StatusCode, page: String) -> Reply {
        Reply {
            status,
            body: page.into_bytes(),
            content_type: HTML,
            etag: None,
            headers: vec![("cache-control", "no-store".to_owned())],
        }
    }

    /// A `302 Found` to `location`, without a body.
    pub fn redirect(location: String) -> Reply {
        Reply {
            status: StatusCode::FOUND,
            body: Vec::new(),
            content_type: HTML,
            etag: None,
            headers: vec![
                ("location", location),
                ("cache-control", "no-store".to_owned()),
            ],
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }

    /// Sets `Retry-After`: how many seconds until the caller may try again.
    pub fn with_retry_after(self, seconds: u64) -> Reply {
        self.with_header("retry-after", seconds.to_string())
    }

    /// Sets an entity tag; a matching `If-None-Match` turns the reply into 304.
    pub fn with_etag(mut self, etag: String) -> Reply {
        self.etag = Some(etag);
        self
    }

    /// Lets shared caches (a reverse proxy in front of several instances)
    /// keep the reply for `seconds` and revalidate it by its entity tag
    /// after that: `Cache-Control: public, max-age=…`. For public feeds
    /// only, whose answer is the same for every caller. Without it a reply
    /// with an entity tag is `no-cache` (revalidated on every use).
    pub fn with_shared_cache(self, seconds: u32) -> Reply {
        self.with_header("cache-control", format!("public, max-age={seconds}"))
    }
}

/// Options of an endpoint.
#[derive(Clone, Copy)]
pub struct Endpoint {
    /// Who may call.
    pub access: Access,
    /// Whether the call mutates and takes an `Idempotency-Key`.
    pub idempotent: bool,
    /// The PINs in the body, hashed before the connection is taken.
    pub pins: PinFields,
}

/// The top-level fields of a request body that carry PINs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinFields {
    /// A new PIN, to be hashed with a fresh salt.
    pub new: Option<&'static str>,
    /// A PIN given to be checked against the caller's.
    pub current: Option<&'static str>,
}

impl PinFields {
    /// No PINs.
    pub const NONE: PinFields = PinFields {
        new: None,
        current: None,
    };
    /// A new PIN in the field `name`.
    pub const fn new_in(name: &'static str) -> PinFields {
        PinFields {
            new: Some(name),
            current: None,
        }
    }
    /// The caller's PIN in the field `name`.
    pub const fn current_in(name: &'static str) -> PinFields {
        PinFields {
            new: None,
            current: Some(name),
        }
    }
}

impl Endpoint {
    /// A public read.
    pub const PUBLIC_READ: Endpoint = Endpoint {
        access: Access::Public,
        idempotent: false,
        pins: PinFields::NONE,
    };
    /// A signed read.
    pub const DEVICE_READ: Endpoint = Endpoint {
        access: Access::Device,
        idempotent: false,
        pins: PinFields::NONE,
    };
    /// A signed mutation.
    pub const DEVICE_WRITE: Endpoint = Endpoint {
        access: Access::Device,
        idempotent: true,
        pins: PinFields::NONE,
    };
    /// A signed step of an enrolment.
    pub const ENROLLING: Endpoint = Endpoint {
        access: Access::Enrolling,
        idempotent: true,
        pins: PinFields::NONE,
    };
    /// An admin call.
    pub const ADMIN: Endpoint = Endpoint {
        access: Access::Admin,
        idempotent: false,
        pins: PinFields::NONE,
    };
    /// A terminal operator's call: idempotent by its nature (the same
    /// report twice stores nothing new), so it takes no key.
    pub const OPERATOR: Endpoint = Endpoint {
        access: Access::Operator,
        idempotent: false,
        pins: PinFields::NONE,
    };

    /// This endpoint with PINs in its body, hashed before the request
    /// takes the connection.
    pub const fn hashing(self, pins: PinFields) -> Endpoint {
        Endpoint { pins, ..self }
    }
}

/// A counting semaphore for blocking threads: at most `capacity` holders.
#[derive(Debug)]
pub struct Slots {
    free: Mutex<usize>,
    freed: std::sync::Condvar,
}

impl Slots {
    /// `capacity` slots (at least one).
    pub fn new(capacity: usize) -> Slots {
        Slots {
            free: Mutex::new(capacity.max(1)),
            freed: std::sync::Condvar::new(),
        }
    }

    /// Waits for a free slot and holds it until the guard is dropped.
    pub fn take(&self) -> SlotGuard<'_> {
        let mut free = self
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *free == 0 {
            free = self
                .freed
                .wait(free)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *free -= 1;
        SlotGuard(self)
    }
}

/// A slot held; freed on drop.
#[derive(Debug)]
pub struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        let mut free = self
            .0
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *free += 1;
        self.0.freed.notify_one();
    }
}
