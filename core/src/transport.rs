//! The seam between the network layer and the wire.
//!
//! [`Network`](crate::net::Network) decides everything that makes a call
//! safe — device signatures, the trusted clock and the clock-skew retry,
//! retries with backoff, idempotency keys, entity tags, the response-size
//! limit and how answers become typed errors. A [`Transport`] only carries
//! one finished request to the platform and hands back the status, headers
//! and body as they came. Why the split: with the policy above the seam,
//! every transport gets the same behaviour, and the core's workflows and
//! outbox can be tested against the reference platform in process (tests
//! use a transport over its router, with injected faults) without sockets.
//!
//! [`HttpsTransport`] is the one apps use: the core's own HTTP/1.1 client
//! over rustls (module `https`).

use std::future::Future;
use std::pin::Pin;

use http::Method;
use http::header::HeaderMap;
use url::Url;

#[cfg(test)]
pub(crate) mod faults;
mod https;
#[cfg(test)]
pub(crate) mod in_process;

pub use https::HttpsTransport;

/// A future a transport returns; boxed so the trait stays object safe.
pub type TransportFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why a request got no answer from the platform.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer in time.
    #[error("the platform did not answer in time")]
    Timeout,
    /// The platform could not be reached (no network, refused connection).
    #[error("the platform cannot be reached: {0}")]
    Unreachable(String),
    /// The exchange broke off or was malformed.
    #[error("the answer broke off: {0}")]
    Broken(String),
}

/// One finished request, ready for the wire.
#[derive(Clone, Debug)]
pub struct TransportRequest {
    /// HTTP method.
    pub method: Method,
    /// The platform's base URL joined with the request's path and query.
    pub url: Url,
    /// Every header to send (signature, idempotency key, entity tag, type).
    pub headers: HeaderMap,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
}

/// The body of an answer, read chunk by chunk so the network layer can stop
/// reading once an answer is larger than it accepts.
pub trait ReplyBody: Send {
    /// The length the answer declares, if it does.
    fn declared_length(&self) -> Option<u64>;
    /// The next chunk, or `None` at the end.
    fn next_chunk(&mut self) -> TransportFuture<'_, Result<Option<Vec<u8>>, TransportError>>;
}

/// An answer as it came off the wire.
pub struct TransportReply {
    /// HTTP status.
    pub status: u16,
    /// Where the answer came from (the request's URL: [`HttpsTransport`]
    /// follows no redirects).
    pub url: Url,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body, not yet read.
    pub body: Box<dyn ReplyBody>,
}

impl std::fmt::Debug for TransportReply {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TransportReply")
            .field("status", &self.status)
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// Carries requests to the platform and answers back.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request` and returns the answer once its head has arrived.
    fn send(
        &self,
        request: TransportRequest,
    ) -> TransportFuture<'_, Result<TransportReply, TransportError>>;
}

/// A body already in memory (one chunk).
#[derive(Debug)]
pub struct BufferedBody(Option<Vec<u8>>);

impl BufferedBody {
    /// A body of `bytes`.
    pub fn new(bytes: Vec<u8>) -> BufferedBody {
        BufferedBody(Some(bytes))
    }
}

impl ReplyBody for BufferedBody {
    fn declared_length(&self) -> Option<u64> {
        self.0.as_ref().map(|bytes| bytes.len() as u64)
    }

    fn next_chunk(&mut self) -> TransportFuture<'_, Result<Option<Vec<u8>>, TransportError>> {
        let chunk = self.0.take();
        Box::pin(async move { Ok(chunk) })
    }
}
