//! Serving the routes on a socket, with the limits a server exposed to a
//! province's network needs: TLS by rustls, a deadline for each request's
//! head and body, an idle timeout, a cap on open connections, and a graceful
//! shutdown that finishes the requests in flight.
//!
//! Why not `axum::serve`: it has no timeouts and no connection cap, so idle
//! or half-sent connections are held forever, and a few hundred of them
//! exhaust the process's descriptors and stop it answering anyone. Here each
//! connection is served by hyper directly, watched by its own task:
//!
//! - **head deadline** (`header_timeout`): a request's head must arrive
//!   within it, counted from the connection's start and again after each
//!   reply, so it also bounds how long an idle keep-alive connection stays;
//! - **body deadline** (`body_timeout`): a request's body must arrive within
//!   it, however slowly it trickles;
//! - **idle timeout** (`idle_timeout`): a connection that moves no byte in
//!   either direction for this long while no request runs is closed (a client
//!   that stops reading its reply);
//! - **connection cap** (`max_connections`): at the cap, a new connection
//!   takes the place of the open connection that has been quiet longest and
//!   runs no request, so a flood of idle sockets cannot lock out a client
//!   that sends a request; when every connection runs a request, the new one
//!   is closed at once.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tower_service::Service as _;

/// How a platform serves its sockets.
#[derive(Clone)]
pub struct ServeOptions {
    /// TLS for every connection; `None` serves plain HTTP.
    pub tls: Option<TlsAcceptor>,
    /// Longest wait for a request's head, from the connection's start or
    /// the previous reply (so also the longest idle keep-alive).
    pub header_timeout: Duration,
    /// Longest wait for a request's body, from its head.
    pub body_timeout: Duration,
    /// A connection moving no byte for this long while no request runs is
    /// closed.
    pub idle_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
    /// After a shutdown is asked for, how long requests in flight may take
    /// before their connections are dropped.
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    /// Plain HTTP; a head within 10 s, a body within 30 s, idle connections
    /// closed after 60 s, 512 connections (half a 1,024-descriptor limit),
    /// 30 s to finish requests on shutdown.
    fn default() -> ServeOptions {
        ServeOptions {
            tls: None,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    /// A file could not be read or holds no usable PEM.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The certificate and key do not make a server configuration (for
    /// example, the key is not the certificate's).
    #[error("TLS: {0}")]
    Config(String),
}

/// A TLS acceptor from a PEM certificate chain (server certificate first)
/// and its PEM private key (PKCS #8, PKCS #1 or SEC1); TLS 1.2 and 1.3,
/// HTTP/1.1.
pub fn tls_from_pem_files(
    certificate_chain: &Path,
    private_key: &Path,
) -> Result<TlsAcceptor, TlsSetupError> {
    let file_error = |path: &Path, reason: String| TlsSetupError::File {
        path: path.display().to_string(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(certificate_chain)
        .map_err(|error| file_error(certificate_chain, error.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| file_error(certificate_chain, error.to_string()))?;
    if chain.is_empty() {
        return Err(file_error(certificate_chain, "no certificate".to_owned()));
    }
    let key = PrivateKeyDer::from_pem_file(private_key)
        .map_err(|error| file_error(private_key, error.to_string()))?;
    tls_acceptor(chain, key)
}

/// A TLS acceptor for `chain` and `key` (ring, the safe default versions).
pub fn tls_acceptor(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<TlsAcceptor, TlsSetupError> {
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| TlsSetupError::Config(error.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| TlsSetupError::Config(error.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `router` on `listener` until `shutdown` turns `true`, then stops
/// accepting, lets requests in flight finish for up to
/// [`ServeOptions::shutdown_grace`] and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    mut shutdown: watch::Receiver<bool>,
) -> io::Result<()> {
    let options = Arc::new(options);
    let open = Arc::new(OpenConnections::default());
    let mut tasks = JoinSet::new();
    loop {
        while tasks.try_join_next().is_some() {}
        let (socket, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or a connection reset before it was
                    // taken: wait a little instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = wait_for_true(&mut shutdown) => break,
        };
        let Some(tracked) = open.admit(options.max_connections) else {
            tracing::warn!("connection refused: every connection runs a request");
            drop(socket);
            continue;
        };
        let _ = socket.set_nodelay(true);
        tasks.spawn(serve_connection(
            socket,
            peer,
            router.clone(),
            options.clone(),
            tracked,
            shutdown.clone(),
        ));
    }
    drop(listener);
    let finished = tokio::time::timeout(options.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            open = open.count(),
            "shutdown grace over: dropping the connections left"
        );
        tasks.shutdown().await;
    }
    Ok(())
}

/// Completes when the watched flag is (or becomes) `true`; never when the
/// sender is gone without setting it.
async fn wait_for_true(shutdown: &mut watch::Receiver<bool>) {
    if shutdown.wait_for(|stop| *stop).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Runs one connection to its end: TLS handshake, then HTTP/1.1, watched
/// for idleness, eviction and shutdown.
async fn serve_connection(
    socket: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    options: Arc<ServeOptions>,
    tracked: TrackedConnection,
    mut shutdown: watch::Receiver<bool>,
) {
    let activity = tracked.activity.clone();
    let socket = ActivityIo {
        inner: socket,
        activity: activity.clone(),
    };
    match &options.tls {
        None => run_http(socket, peer, router, &options, &tracked, &mut shutdown).await,
        Some(acceptor) => {
            let handshake =
                tokio::time::timeout(options.header_timeout, acceptor.accept(socket)).await;
            match handshake {
                Ok(Ok(stream)) => {
                    run_http(stream, peer, router, &options, &tracked, &mut shutdown).await;
                }
                Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
                Err(_) => tracing::debug!("TLS handshake timed out"),
            }
        }
    }
}

async fn run_http<S>(
    stream: S,
    peer: SocketAddr,
    router: Router,
    options: &ServeOptions,
    tracked: &TrackedConnection,
    shutdown: &mut watch::Receiver<bool>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let activity = tracked.activity.clone();
    let body_timeout = options.body_timeout;
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let running = RunningRequest::start(activity.clone());
        let mut request =
            request.map(|body| axum::body::Body::new(DeadlineBody::new(body, body_timeout)));
        request.extensions_mut().insert(ConnectInfo(peer));
        let mut router = router.clone();
        async move {
            let response = router.call(request).await;
            drop(running);
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .keep_alive(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut draining = *shutdown.borrow();
    if draining {
        connection.as_mut().graceful_shutdown();
    }
    loop {
        let quiet_for = tracked.activity.quiet_for();
        let next_check = options
            .idle_timeout
            .saturating_sub(quiet_for)
            .max(Duration::from_millis(100));
        tokio::select! {
            finished = connection.as_mut() => {
                if let Err(error) = finished {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            () = tracked.evicted.notified() => {
                tracing::debug!("connection evicted at the connection cap");
                return;
            }
            () = wait_for_true(shutdown), if !draining => {
                draining = true;
                connection.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep(next_check) => {
                if tracked.activity.idle() && tracked.activity.quiet_for() >= options.idle_timeout {
                    tracing::debug!("idle connection closed");
                    return;
                }
            }
        }
    }
}

/// The open connections, for the cap and for choosing whom to evict.
#[derive(Default)]
struct OpenConnections {
    next_id: AtomicU64,
    connections: Mutex<Vec<OpenConnection>>,
}

/// One open connection: its id, its activity, and how to evict it.
struct OpenConnection {
    id: u64,
    activity: Arc<Activity>,
    evicted: Arc<Notify>,
}

/// A connection's place among the open ones; leaving it frees the place.
struct TrackedConnection {
    id: u64,
    activity: Arc<Activity>,
    evicted: Arc<Notify>,
    open: Arc<OpenConnections>,
}

impl Drop for TrackedConnection {
    fn drop(&mut self) {
        self.open
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|open| open.id != self.id);
    }
}

impl OpenConnections {
    /// A place for a new connection: free, or taken from the quietest
    /// connection running no request; `None` when every connection at the
    /// cap runs a request.
    fn admit(self: &Arc<Self>, max_connections: usize) -> Option<TrackedConnection> {
        let mut connections = self
            .connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if connections.len() >= max_connections.max(1) {
            let quietest = connections
                .iter()
                .enumerate()
                .filter(|(_, open)| open.activity.idle())
                .max_by_key(|(_, open)| open.activity.quiet_for())
                .map(|(index, _)| index)?;
            connections.swap_remove(quietest).evicted.notify_one();
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity::new());
        let evicted = Arc::new(Notify::new());
        connections.push(OpenConnection {
            id,
            activity: activity.clone(),
            evicted: evicted.clone(),
        });
        Some(TrackedConnection {
            id,
            activity,
            evicted,
            open: self.clone(),
        })
    }

    fn count(&self) -> usize {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// When a connection last moved a byte, and how many of its requests run.
struct Activity {
    started: Instant,
    last_moved_millis: AtomicU64,
    running: AtomicUsize,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            started: Instant::now(),
            last_moved_millis: AtomicU64::new(0),
            running: AtomicUsize::new(0),
        }
    }

    fn moved(&self) {
        let millis = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_moved_millis.store(millis, Ordering::Relaxed);
    }

    fn quiet_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_moved_millis.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    fn idle(&self) -> bool {
        self.running.load(Ordering::Relaxed) == 0
    }
}

/// Counts a request as running while it lives.
struct RunningRequest(Arc<Activity>);

impl RunningRequest {
    fn start(activity: Arc<Activity>) -> RunningRequest {
        activity.running.fetch_add(1, Ordering::Relaxed);
        RunningRequest(activity)
    }
}

impl Drop for RunningRequest {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::Relaxed);
        self.0.moved();
    }
}

/// A socket that notes every byte it moves.
struct ActivityIo<S> {
    inner: S,
    activity: Arc<Activity>,
}

impl<S: AsyncRead + Unpin> AsyncRead for ActivityIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buffer.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(context, buffer);
        if buffer.filled().len() > before {
            self.activity.moved();
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ActivityIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(context, bytes);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.activity.moved();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(context)
    }
}

/// A request body that must arrive before a deadline.
struct DeadlineBody {
    inner: Incoming,
    deadline: Pin<Box<tokio::time::Sleep>>,
}

impl DeadlineBody {
    fn new(inner: Incoming, within: Duration) -> DeadlineBody {
        DeadlineBody {
            inner,
            deadline: Box::pin(tokio::time::sleep(within)),
        }
    }
}

/// The body did not arrive in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTimedOut;

impl Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(context) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|frame| frame.map_err(Into::into))),
            Poll::Pending => match self.deadline.as_mut().poll(context) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(BodyTimedOut)))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use std::io::{Read as _, Write as _};

    use axum::routing::get;

    use super::*;

    /// A client that asks for a large reply and stops reading it holds the
    /// connection only until the idle timeout.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_that_stops_reading_its_reply_is_dropped_after_the_idle_timeout() {
        const REPLY_BYTES: usize = 32 * 1024 * 1024;
        let router = Router::new().route("/large", get(|| async { vec![b'x'; REPLY_BYTES] }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = watch::channel(false);
        let options = ServeOptions {
            idle_timeout: Duration::from_secs(1),
            ..ServeOptions::default()
        };
        let server = tokio::spawn(serve(listener, router, options, stopped));
        let received = tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream
                .write_all(b"GET /large HTTP/1.1\r\nHost: platform\r\n\r\n")
                .unwrap();
            // Read nothing while the server's writes fill the buffers.
            std::thread::sleep(Duration::from_secs(4));
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut received = 0;
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => return received,
                    Ok(read) => received += read,
                }
            }
        })
        .await
        .unwrap();
        assert!(
            received < REPLY_BYTES,
            "the whole reply came: {received} bytes"
        );
        stop.send(true).unwrap();
        server.await.unwrap().unwrap();
    }

    #[test]
    fn at_the_cap_the_quietest_idle_connection_makes_room_and_busy_ones_stay() {
        let open = Arc::new(OpenConnections::default());
        let first = open.admit(2).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let second = open.admit(2).unwrap();
        second.activity.moved();
        // The third takes the place of the first, which has been quiet longest.
        let third = open.admit(2).unwrap();
        assert_eq!(open.count(), 2);
        let remaining: Vec<u64> = open
            .connections
            .lock()
            .unwrap()
            .iter()
            .map(|connection| connection.id)
            .collect();
        assert!(!remaining.contains(&first.id));
        // When every connection runs a request, a new one is refused.
        let _busy_second = RunningRequest::start(second.activity.clone());
        let _busy_third = RunningRequest::start(third.activity.clone());
        assert!(open.admit(2).is_none());
        drop(first);
        assert_eq!(open.count(), 2);
    }
}
