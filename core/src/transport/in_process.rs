//! A transport over the reference platform's router, in this process: the
//! request goes through the platform's real handlers and database, with no
//! socket in between, so unit tests of the core run against the real
//! contract quickly and can wrap the transport to inject faults.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::ConnectInfo;
use tower::ServiceExt as _;

use super::{
    BufferedBody, Transport, TransportError, TransportFuture, TransportReply, TransportRequest,
};

/// The base URL clients over this transport are configured with (loopback,
/// so the network layer's HTTPS rule holds as it does in the e2e tests).
pub(crate) const BASE_URL: &str = "http://127.0.0.1:8470";

/// Sends each request to the platform's router.
#[derive(Clone)]
pub(crate) struct InProcessTransport {
    router: Router,
}

impl InProcessTransport {
    /// A transport over `router` (see `ecard_platform::Platform::router`).
    pub(crate) fn new(router: Router) -> InProcessTransport {
        InProcessTransport { router }
    }
}

impl Transport for InProcessTransport {
    fn send(
        &self,
        request: TransportRequest,
    ) -> TransportFuture<'_, Result<TransportReply, TransportError>> {
        let router = self.router.clone();
        Box::pin(async move {
            let target = match request.url.query() {
                Some(query) => format!("{}?{query}", request.url.path()),
                None => request.url.path().to_owned(),
            };
            let mut builder = axum::http::Request::builder()
                .method(request.method)
                .uri(target);
            if let Some(headers) = builder.headers_mut() {
                *headers = request.headers;
            }
            let mut outgoing = builder
                .body(axum::body::Body::from(request.body.unwrap_or_default()))
                .map_err(|error| TransportError::Broken(error.to_string()))?;
            // The platform limits identity attempts per source address.
            outgoing
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 50_000))));
            let response = router
                .oneshot(outgoing)
                .await
                .map_err(|error| TransportError::Broken(error.to_string()))?;
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .map_err(|error| TransportError::Broken(error.to_string()))?;
            Ok(TransportReply {
                status: parts.status.as_u16(),
                url: request.url,
                headers: parts.headers,
                body: Box::new(BufferedBody::new(bytes.to_vec())),
            })
        })
    }
}
