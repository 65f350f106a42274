//! A transport wrapper that makes chosen calls fail the ways a phone's
//! network fails: no network, no answer in time, an answer lost after the
//! platform acted on the request, a server error or a busy platform. It
//! records every call it saw, so tests can check what was sent and with
//! which idempotency key.

use std::sync::{Arc, Mutex, PoisonError};

use ecard_api::IDEMPOTENCY_KEY_HEADER;
use ecard_api::problem::{Problem, ProblemCode};
use http::Method;
use http::header::{CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER};

use super::{
    BufferedBody, Transport, TransportError, TransportFuture, TransportReply, TransportRequest,
};

/// How a call fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The network is down: the platform never sees the request.
    Unreachable,
    /// No answer in time: the platform never sees the request.
    Timeout,
    /// The platform acts on the request and answers, but the answer is
    /// lost on the way back (seen by the phone as a timeout).
    LoseReply,
    /// A server error (`500`, problem `internal`) in place of the platform.
    ServerError,
    /// A busy platform (`503` with `Retry-After: 1`).
    Busy,
    /// A refusal with this problem code, in place of the platform.
    Refused(ProblemCode),
    /// The platform's answer arrives with one byte of its body changed
    /// (a meddling proxy, a damaged download).
    Tamper,
}

/// Which calls a fault hits: the `skip` first calls of `method` whose path
/// starts with `path` go through, the next `times` fail.
#[derive(Debug)]
struct Rule {
    method: Method,
    path: String,
    skip: usize,
    times: usize,
    fault: Fault,
}

/// A call the wrapper saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SeenCall {
    /// Method.
    pub(crate) method: Method,
    /// Path, without the query.
    pub(crate) path: String,
    /// Its idempotency key, if any.
    pub(crate) idempotency_key: Option<String>,
    /// The fault it met, if any.
    pub(crate) fault: Option<Fault>,
}

/// Wraps a transport and fails calls as told.
pub(crate) struct FaultyTransport {
    inner: Arc<dyn Transport>,
    rules: Mutex<Vec<Rule>>,
    offline: Mutex<Option<Fault>>,
    seen: Mutex<Vec<SeenCall>>,
}

impl FaultyTransport {
    /// A wrapper that, until told otherwise, passes every call through.
    pub(crate) fn new(inner: Arc<dyn Transport>) -> FaultyTransport {
        FaultyTransport {
            inner,
            rules: Mutex::default(),
            offline: Mutex::default(),
            seen: Mutex::default(),
        }
    }

    /// Fails the next `times` calls of `method` to paths starting with
    /// `path`, after letting `skip` of them through.
    pub(crate) fn fail(&self, method: Method, path: &str, skip: usize, times: usize, fault: Fault) {
        self.rules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Rule {
                method,
                path: path.to_owned(),
                skip,
                times,
                fault,
            });
    }

    /// Fails every call with `fault` (`Some`) until called with `None`.
    pub(crate) fn set_down(&self, fault: Option<Fault>) {
        *self.offline.lock().unwrap_or_else(PoisonError::into_inner) = fault;
    }

    /// The calls seen so far of `method` to paths starting with `path`.
    pub(crate) fn seen(&self, method: &Method, path: &str) -> Vec<SeenCall> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|call| call.method == *method && call.path.starts_with(path))
            .cloned()
            .collect()
    }

    fn fault_for(&self, method: &Method, path: &str) -> Option<Fault> {
        if let Some(fault) = *self.offline.lock().unwrap_or_else(PoisonError::into_inner) {
            return Some(fault);
        }
        let mut rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        let rule = rules.iter_mut().find(|rule| {
            rule.method == *method && path.starts_with(&rule.path) && rule.times > 0
        })?;
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        rule.times -= 1;
        Some(rule.fault)
    }
}

fn problem_reply(request: &TransportRequest, status: u16, code: ProblemCode) -> TransportReply {
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(ecard_api::PROBLEM_JSON),
    );
    if status == 503 {
        headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
    }
    let problem = Problem::new(code, "injected by the test");
    TransportReply {
        status,
        url: request.url.clone(),
        headers,
        body: Box::new(BufferedBody::new(
            serde_json::to_vec(&problem).unwrap_or_default(),
        )),
    }
}

impl Transport for FaultyTransport {
    fn send(
        &self,
        request: TransportRequest,
    ) -> TransportFuture<'_, Result<TransportReply, TransportError>> {
        let path = request.url.path().to_owned();
        let fault = self.fault_for(&request.method, &path);
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(SeenCall {
                method: request.method.clone(),
                path,
                idempotency_key: request
                    .headers
                    .get(IDEMPOTENCY_KEY_HEADER)
                    .and_then(|value| value.to_str().ok())
                    .map(str::to_owned),
                fault,
            });
        Box::pin(async move {
            match fault {
                None => self.inner.send(request).await,
                Some(Fault::Unreachable) => Err(TransportError::Unreachable("injected".into())),
                Some(Fault::Timeout) => Err(TransportError::Timeout),
                Some(Fault::LoseReply) => {
                    let reply = self.inner.send(request).await?;
                    // Read the answer in full, as a phone would have, then lose it.
                    let mut body = reply.body;
                    while body.next_chunk().await?.is_some() {}
                    Err(TransportError::Timeout)
                }
                Some(Fault::ServerError) => Ok(problem_reply(&request, 500, ProblemCode::Internal)),
                Some(Fault::Busy) => Ok(problem_reply(&request, 503, ProblemCode::Internal)),
                Some(Fault::Refused(code)) => Ok(problem_reply(&request, code.status(), code)),
                Some(Fault::Tamper) => {
                    let mut reply = self.inner.send(request).await?;
                    let mut bytes = Vec::new();
                    while let Some(chunk) = reply.body.next_chunk().await? {
                        bytes.extend_from_slice(&chunk);
                    }
                    let middle = bytes.len() / 2;
                    if let Some(byte) = bytes.get_mut(middle) {
                        *byte ^= 0x01;
                    }
                    reply.body = Box::new(BufferedBody::new(bytes));
                    Ok(reply)
                }
            }
        })
    }
}
