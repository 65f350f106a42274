//! [`HttpsTransport`]: the core's own HTTP/1.1 client over rustls.
//!
//! Why not a general HTTP client: the core talks to one platform, with
//! small JSON requests and answers, and every policy (retries, signatures,
//! size limits, typed errors) lives above the transport seam. A general
//! client (reqwest over hyper, tower and their connection machinery) cost
//! the shipped mobile library about 540 KB for features the core never
//! uses (docs/benchmarks.md). This one does what the platform needs and no more:
//!
//! - names resolved by tokio (the system resolver), each address tried in
//!   turn within the connect timeout; one overall timeout per call, which
//!   also bounds reading the body;
//! - TLS 1.2 and 1.3 by rustls (ring), with SNI, verified against the
//!   Mozilla roots of `webpki-roots`; plain HTTP only for a transport made
//!   without `https_only` (the network layer allows that for loopback);
//! - answers framed by `Content-Length`, the chunked transfer coding, or the
//!   connection's close; heads and chunk lines are bounded, so a hostile
//!   server cannot make the client buffer without end;
//! - no redirects: a 3xx is an answer like any other, so a signed request
//!   is never sent on to another host and never downgraded to plain HTTP;
//! - idle connections kept per scheme, host and port and reused; a
//!   connection goes back only after its answer was read in full and when
//!   neither side asked to close it. A request that fails on a reused
//!   connection before any answer arrived (the server closed it while idle)
//!   is sent once more on a fresh one when it is safe to repeat: an
//!   idempotent method or a request with an idempotency key.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use ecard_api::IDEMPOTENCY_KEY_HEADER;
use http::Method;
use http::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::crypto::{CryptoProvider, KeyProvider};
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, ServerName};
use tokio_rustls::rustls::sign::SigningKey;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use url::{Host, Position, Url};

use super::{
    ReplyBody, Transport, TransportError, TransportFuture, TransportReply, TransportRequest,
};

/// The `User-Agent` of every request.
const AGENT: &str = concat!("ecard-core/", env!("CARGO_PKG_VERSION"));
/// Largest answer head (status line and headers) the client buffers.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most headers an answer may carry.
const MAX_HEADERS: usize = 100;
/// Longest chunk-size or trailer line of a chunked body.
const MAX_LINE_BYTES: usize = 4 * 1024;
/// How much one read asks the socket for.
const READ_BYTES: usize = 16 * 1024;
/// Idle connections kept per origin.
const IDLE_PER_ORIGIN: usize = 4;
/// Idle connections kept in all.
const IDLE_IN_ALL: usize = 8;
/// How long an idle connection is kept: servers and middleboxes close idle
/// connections after a while, and one closed under the client costs a
/// failed request.
const IDLE_LIFETIME: Duration = Duration::from_secs(30);
/// The longest a connection may take to set up (resolve, connect, TLS).
const MAX_CONNECT: Duration = Duration::from_secs(5);

/// HTTPS with rustls (plain HTTP only where the network layer allows it),
/// with connect and overall timeouts. Clones share their idle connections.
#[derive(Clone)]
pub struct HttpsTransport {
    shared: Arc<Shared>,
}

struct Shared {
    tls: TlsConnector,
    https_only: bool,
    timeout: Duration,
    connect_timeout: Duration,
    idle: Mutex<Vec<Idle>>,
}

impl std::fmt::Debug for HttpsTransport {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HttpsTransport")
            .field("https_only", &self.shared.https_only)
            .field("timeout", &self.shared.timeout)
            .finish_non_exhaustive()
    }
}

impl HttpsTransport {
    /// A transport whose calls each end after `timeout`; `https_only`
    /// refuses plain HTTP.
    pub fn new(timeout: Duration, https_only: bool) -> Result<HttpsTransport, TransportError> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        HttpsTransport::with_roots(timeout, https_only, roots)
    }

    /// A transport trusting `roots` (the tests add their own authority).
    fn with_roots(
        timeout: Duration,
        https_only: bool,
        roots: RootCertStore,
    ) -> Result<HttpsTransport, TransportError> {
        let provider = Arc::new(CryptoProvider {
            key_provider: &NoClientKeys,
            ..tokio_rustls::rustls::crypto::ring::default_provider()
        });
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| TransportError::Broken(error.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(HttpsTransport {
            shared: Arc::new(Shared {
                tls: TlsConnector::from(Arc::new(config)),
                https_only,
                timeout,
                connect_timeout: timeout.min(MAX_CONNECT),
                idle: Mutex::new(Vec::new()),
            }),
        })
    }
}

/// The client never presents a certificate of its own (the device proves
/// itself with signed requests, its key in the platform key store), so it
/// loads no private keys: ring's RSA and ECDSA key parsing and RSA signing
/// stay out of the shipped library.
#[derive(Debug)]
struct NoClientKeys;

impl KeyProvider for NoClientKeys {
    fn load_private_key(
        &self,
        _key: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, tokio_rustls::rustls::Error> {
        Err(tokio_rustls::rustls::Error::General(
            "this client presents no certificate".to_owned(),
        ))
    }
}

impl Transport for HttpsTransport {
    fn send(
        &self,
        request: TransportRequest,
    ) -> TransportFuture<'_, Result<TransportReply, TransportError>> {
        Box::pin(self.shared.clone().send(request))
    }
}

/// Where a request goes: the key of the idle connections.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    tls: bool,
    host: String,
    port: u16,
}

/// A request's destination, read from its URL.
struct Target {
    origin: Origin,
    /// The host as an address, when the URL names one.
    address: Option<IpAddr>,
    /// The `Host` header: the host, and the port when not the default.
    authority: String,
    /// Path and query.
    path: String,
}

impl Target {
    fn of(url: &Url, https_only: bool) -> Result<Target, TransportError> {
        let tls = match url.scheme() {
            "https" => true,
            "http" if !https_only => false,
            "http" => return Err(TransportError::Broken("plain HTTP is refused".into())),
            other => return Err(TransportError::Broken(format!("no transport for {other}"))),
        };
        let (host, address) = match url.host() {
            Some(Host::Domain(name)) => (name.to_owned(), None),
            Some(Host::Ipv4(address)) => (address.to_string(), Some(IpAddr::V4(address))),
            Some(Host::Ipv6(address)) => (address.to_string(), Some(IpAddr::V6(address))),
            None => return Err(TransportError::Broken("the URL names no host".into())),
        };
        let port = url
            .port_or_known_default()
            .ok_or_else(|| TransportError::Broken("the URL names no port".into()))?;
        let host_text = url.host_str().unwrap_or_default();
        let authority = match url.port() {
            Some(port) => format!("{host_text}:{port}"),
            None => host_text.to_owned(),
        };
        Ok(Target {
            origin: Origin { tls, host, port },
            address,
            authority,
            path: url[Position::BeforePath..Position::AfterQuery].to_owned(),
        })
    }
}

/// The bytes of a request: head and body.
fn request_message(request: &TransportRequest, target: &Target) -> Vec<u8> {
    let body = request.body.as_deref().unwrap_or_default();
    let mut message = Vec::with_capacity(512 + body.len());
    let mut line = |name: &[u8], value: &[u8]| {
        message.extend_from_slice(name);
        message.extend_from_slice(b": ");
        message.extend_from_slice(value);
        message.extend_from_slice(b"\r\n");
    };
    line(b"host", target.authority.as_bytes());
    if !request.headers.contains_key(USER_AGENT) {
        line(b"user-agent", AGENT.as_bytes());
    }
    if !request.headers.contains_key(ACCEPT) {
        line(b"accept", b"*/*");
    }
    for (name, value) in &request.headers {
        // Framing and routing are the transport's to write.
        if !matches!(
            name.as_str(),
            "host" | "content-length" | "transfer-encoding" | "connection"
        ) {
            line(name.as_str().as_bytes(), value.as_bytes());
        }
    }
    if request.body.is_some()
        || matches!(request.method, Method::POST | Method::PUT | Method::PATCH)
    {
        line(b"content-length", body.len().to_string().as_bytes());
    }
    let head = format!("{} {} HTTP/1.1\r\n", request.method, target.path);
    let mut bytes = Vec::with_capacity(head.len() + message.len() + 2 + body.len());
    bytes.extend_from_slice(head.as_bytes());
    bytes.extend_from_slice(&message);
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(body);
    bytes
}

/// Whether a request may be sent again when a reused connection turned out
/// closed before any answer came.
fn replayable(request: &TransportRequest) -> bool {
    request.method.is_idempotent() || request.headers.contains_key(IDEMPOTENCY_KEY_HEADER)
}

impl Shared {
    async fn send(
        self: Arc<Self>,
        request: TransportRequest,
    ) -> Result<TransportReply, TransportError> {
        let deadline = Instant::now() + self.timeout;
        let target = Target::of(&request.url, self.https_only)?;
        let message = request_message(&request, &target);
        let replayable = replayable(&request);
        let bodiless = request.method == Method::HEAD;
        loop {
            let (mut connection, reused) = match self.reuse(&target.origin).await {
                Some(connection) => (connection, true),
                None => (within(deadline, self.connect(&target)).await?, false),
            };
            let mut head = match timeout_at(deadline, exchange(&mut connection, &message)).await {
                Err(_) => return Err(TransportError::Timeout),
                Ok(Ok(head)) => head,
                Ok(Err(failure)) if reused && !failure.answered && replayable => continue,
                Ok(Err(failure)) => return Err(failure.error),
            };
            let framing = head.framing(bodiless)?;
            let keep_alive = head.keep_alive && framing != Framing::Close;
            let mut body = Http1Body {
                connection: Some(connection),
                framing,
                keep_alive,
                deadline,
                owner: (self.clone(), target.origin.clone()),
            };
            if body.framing == Framing::Length(0) {
                body.finish();
            }
            return Ok(TransportReply {
                status: head.status,
                url: request.url,
                headers: head.headers,
                body: Box::new(body),
            });
        }
    }

    /// An idle connection to `origin` that still looks open, if one is kept.
    async fn reuse(&self, origin: &Origin) -> Option<Connection> {
        loop {
            let candidate = {
                let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
                let position = idle.iter().rposition(|kept| kept.origin == *origin)?;
                idle.swap_remove(position)
            };
            let mut connection = candidate.connection;
            if candidate.since.elapsed() < IDLE_LIFETIME && connection.looks_open().await {
                return Some(connection);
            }
        }
    }

    /// Keeps `connection` for the next request to `origin`.
    fn keep(&self, origin: Origin, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.retain(|kept| kept.since.elapsed() < IDLE_LIFETIME);
        let same = idle.iter().filter(|kept| kept.origin == origin).count();
        if same < IDLE_PER_ORIGIN && idle.len() < IDLE_IN_ALL {
            idle.push(Idle {
                origin,
                connection,
                since: Instant::now(),
            });
        }
    }

    /// A new connection: resolve, connect to each address in turn, then TLS.
    async fn connect(&self, target: &Target) -> Result<Connection, TransportError> {
        let deadline = Instant::now() + self.connect_timeout;
        let origin = &target.origin;
        let addresses: Vec<SocketAddr> = match target.address {
            Some(address) => vec![SocketAddr::new(address, origin.port)],
            None => {
                within(deadline, async {
                    tokio::net::lookup_host((origin.host.as_str(), origin.port))
                        .await
                        .map(Iterator::collect)
                        .map_err(|error| {
                            TransportError::Unreachable(format!(
                                "cannot resolve {}: {error}",
                                origin.host
                            ))
                        })
                })
                .await?
            }
        };
        let mut tcp = None;
        let mut failure = TransportError::Unreachable(format!("no address for {}", origin.host));
        for (index, address) in addresses.iter().enumerate() {
            // Each address gets an equal share of the time left.
            let left = deadline.saturating_duration_since(Instant::now());
            let share = left / u32::try_from(addresses.len() - index).unwrap_or(u32::MAX);
            match timeout(share, TcpStream::connect(address)).await {
                Ok(Ok(stream)) => {
                    tcp = Some(stream);
                    break;
                }
                Ok(Err(error)) => {
                    failure = TransportError::Unreachable(format!("{address}: {error}"));
                }
                Err(_) => failure = TransportError::Timeout,
            }
        }
        let tcp = tcp.ok_or(failure)?;
        // Requests go out in one write; no point waiting to coalesce.
        tcp.set_nodelay(true).ok();
        let stream = if origin.tls {
            let name = match target.address {
                Some(address) => ServerName::IpAddress(address.into()),
                None => ServerName::try_from(origin.host.clone()).map_err(|error| {
                    TransportError::Unreachable(format!("{}: {error}", origin.host))
                })?,
            };
            let tls = within(deadline, async {
                self.tls.connect(name, tcp).await.map_err(|error| {
                    TransportError::Unreachable(format!("TLS with {}: {error}", origin.host))
                })
            })
            .await?;
            Stream::Tls(Box::new(tls))
        } else {
            Stream::Plain(tcp)
        };
        Ok(Connection {
            stream,
            buffer: Vec::new(),
        })
    }
}

/// `work`, or [`TransportError::Timeout`] at `deadline`.
async fn within<T>(
    deadline: Instant,
    work: impl Future<Output = Result<T, TransportError>>,
) -> Result<T, TransportError> {
    timeout_at(deadline, work)
        .await
        .unwrap_or(Err(TransportError::Timeout))
}

struct Idle {
    origin: Origin,
    connection: Connection,
    since: Instant,
}

/// A socket, in the clear (loopback) or under TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_read(context, buffer),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(context, buffer),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write(context, bytes),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(context, bytes),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_flush(context),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(context),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_shutdown(context),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(context),
        }
    }
}

/// A connection and the bytes read from it but not yet used.
struct Connection {
    stream: Stream,
    buffer: Vec<u8>,
}

impl Connection {
    /// Reads more into the buffer; `Ok(0)` when the peer closed.
    async fn fill(&mut self) -> io::Result<usize> {
        let filled = self.buffer.len();
        self.buffer.resize(filled + READ_BYTES, 0);
        let read = self.stream.read(&mut self.buffer[filled..]).await;
        self.buffer.truncate(filled + *read.as_ref().unwrap_or(&0));
        read
    }

    /// Like [`Connection::fill`], with an end of stream as an error: the
    /// answer was cut off.
    async fn fill_more(&mut self) -> Result<(), TransportError> {
        match self.fill().await {
            Ok(0) => Err(TransportError::Broken("the answer was cut off".into())),
            Ok(_) => Ok(()),
            Err(error) => Err(TransportError::Broken(format!(
                "reading the answer: {error}"
            ))),
        }
    }

    /// Takes up to `limit` buffered bytes.
    fn take(&mut self, limit: u64) -> Vec<u8> {
        let count = usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .min(self.buffer.len());
        let rest = self.buffer.split_off(count);
        std::mem::replace(&mut self.buffer, rest)
    }

    /// The next line (without its line end), at most `limit` bytes long
    /// before the line end.
    async fn line(&mut self, limit: usize) -> Result<Vec<u8>, TransportError> {
        loop {
            if let Some(end) = memchr::memchr(b'\n', &self.buffer) {
                if end > limit + 1 {
                    break;
                }
                let mut line = self.take(end as u64 + 1);
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buffer.len() > limit + 1 {
                break;
            }
            self.fill_more().await?;
        }
        Err(TransportError::Broken(
            "a line of the answer is too long".into(),
        ))
    }

    /// Whether an idle connection is still open: nothing to read, no end of
    /// stream. Anything there (a close, stray bytes) retires it.
    async fn looks_open(&mut self) -> bool {
        if !self.buffer.is_empty() {
            return false;
        }
        let tcp = match &self.stream {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref().0,
        };
        let mut probe = [0u8; 1];
        std::future::poll_fn(|context| {
            let mut buffer = ReadBuf::new(&mut probe);
            Poll::Ready(tcp.poll_peek(context, &mut buffer).is_pending())
        })
        .await
    }
}

/// Why an exchange failed, and whether any of the answer had arrived.
struct Failure {
    error: TransportError,
    answered: bool,
}

/// An answer's head.
struct Head {
    status: u16,
    headers: HeaderMap,
    /// HTTP/1.1 without `Connection: close`.
    keep_alive: bool,
}

/// How an answer's body ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// After this many more bytes.
    Length(u64),
    /// Chunked: this many bytes left of the current chunk; `started` once
    /// the first chunk-size line was read.
    Chunked { left: u64, started: bool },
    /// When the server closes the connection.
    Close,
    /// Read in full.
    Done,
}

impl Head {
    /// The body's framing (RFC 9112, section 6.3). An answer with both a
    /// transfer coding and a length is framed by the coding, and its
    /// connection is not reused.
    fn framing(&mut self, bodiless_request: bool) -> Result<Framing, TransportError> {
        if bodiless_request || matches!(self.status, 204 | 304) {
            return Ok(Framing::Length(0));
        }
        let codings = self.headers.get_all(http::header::TRANSFER_ENCODING);
        if let Some(coding) = codings.iter().next_back() {
            if self.headers.contains_key(http::header::CONTENT_LENGTH) {
                self.keep_alive = false;
            }
            let last = coding
                .as_bytes()
                .rsplit(|&byte| byte == b',')
                .next()
                .unwrap_or_default();
            return Ok(if last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                Framing::Chunked {
                    left: 0,
                    started: false,
                }
            } else {
                Framing::Close
            });
        }
        let mut length = None;
        for value in self.headers.get_all(http::header::CONTENT_LENGTH) {
            for part in value.as_bytes().split(|&byte| byte == b',') {
                let parsed = std::str::from_utf8(part.trim_ascii())
                    .ok()
                    .filter(|text| {
                        !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
                    })
                    .and_then(|text| text.parse::<u64>().ok());
                match (parsed, length) {
                    (Some(parsed), None) => length = Some(parsed),
                    (Some(parsed), Some(known)) if parsed == known => {}
                    _ => {
                        return Err(TransportError::Broken(
                            "the answer's length is malformed".into(),
                        ));
                    }
                }
            }
        }
        Ok(length.map_or(Framing::Close, Framing::Length))
    }
}

/// Sends `message` and reads the answer's head (skipping informational
/// answers).
async fn exchange(connection: &mut Connection, message: &[u8]) -> Result<Head, Failure> {
    let sent = async {
        connection.stream.write_all(message).await?;
        connection.stream.flush().await
    };
    sent.await.map_err(|error| Failure {
        error: TransportError::Broken(format!("sending the request: {error}")),
        answered: false,
    })?;
    loop {
        let head = read_head(connection).await?;
        if !(100..200).contains(&head.status) || head.status == 101 {
            return Ok(head);
        }
    }
}

/// Reads and parses one answer head.
async fn read_head(connection: &mut Connection) -> Result<Head, Failure> {
    let broken = |reason: String| Failure {
        error: TransportError::Broken(reason),
        answered: true,
    };
    loop {
        if !connection.buffer.is_empty() {
            let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut response = httparse::Response::new(&mut slots);
            match response.parse(&connection.buffer) {
                Ok(httparse::Status::Complete(length)) => {
                    let status = response.code.unwrap_or_default();
                    let mut headers = HeaderMap::with_capacity(response.headers.len());
                    let mut keep_alive = response.version == Some(1);
                    for header in response.headers.iter() {
                        let name = HeaderName::from_bytes(header.name.as_bytes());
                        let value = HeaderValue::from_bytes(header.value);
                        let (Ok(name), Ok(value)) = (name, value) else {
                            return Err(broken(format!("a malformed header: {}", header.name)));
                        };
                        if name == http::header::CONNECTION
                            && value
                                .as_bytes()
                                .split(|&byte| byte == b',')
                                .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"close"))
                        {
                            keep_alive = false;
                        }
                        headers.append(name, value);
                    }
                    connection.take(length as u64);
                    return Ok(Head {
                        status,
                        headers,
                        keep_alive,
                    });
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(broken("the answer has too many headers".into()));
                }
                Err(error) => return Err(broken(format!("a malformed answer: {error}"))),
            }
        }
        if connection.buffer.len() >= MAX_HEAD_BYTES {
            return Err(broken("the answer's head is too large".into()));
        }
        let answered = !connection.buffer.is_empty();
        match connection.fill().await {
            Ok(0) => {
                return Err(Failure {
                    error: TransportError::Broken("the connection closed before an answer".into()),
                    answered,
                });
            }
            Ok(_) => {}
            Err(error) => {
                return Err(Failure {
                    error: TransportError::Broken(format!("reading the answer: {error}")),
                    answered,
                });
            }
        }
    }
}

/// An answer's body, read from its connection as the network layer asks.
struct Http1Body {
    /// `None` once the body was read (the connection went back or closed).
    connection: Option<Connection>,
    framing: Framing,
    keep_alive: bool,
    deadline: Instant,
    owner: (Arc<Shared>, Origin),
}

impl Http1Body {
    /// The body was read in full: the connection goes back when it may.
    fn finish(&mut self) {
        self.framing = Framing::Done;
        if let Some(connection) = self.connection.take()
            && self.keep_alive
            && connection.buffer.is_empty()
        {
            let (shared, origin) = &self.owner;
            shared.keep(origin.clone(), connection);
        }
    }

    async fn next(&mut self) -> Result<Option<Vec<u8>>, TransportError> {
        loop {
            let Some(connection) = self.connection.as_mut() else {
                return Ok(None);
            };
            match &mut self.framing {
                Framing::Done | Framing::Length(0) => {
                    self.finish();
                    return Ok(None);
                }
                Framing::Length(left) => {
                    if connection.buffer.is_empty() {
                        connection.fill_more().await?;
                    }
                    let chunk = connection.take(*left);
                    *left -= chunk.len() as u64;
                    return Ok(Some(chunk));
                }
                Framing::Close => {
                    if connection.buffer.is_empty() {
                        match connection.fill().await {
                            Ok(0) => {
                                self.keep_alive = false;
                                self.finish();
                                return Ok(None);
                            }
                            Ok(_) => {}
                            Err(error) => {
                                return Err(TransportError::Broken(format!(
                                    "reading the answer: {error}"
                                )));
                            }
                        }
                    }
                    return Ok(Some(connection.take(u64::MAX)));
                }
                Framing::Chunked { left: 0, started } => {
                    if *started && !connection.line(0).await?.is_empty() {
                        return Err(malformed_chunk());
                    }
                    *started = true;
                    let size = chunk_size(&connection.line(MAX_LINE_BYTES).await?)?;
                    if size == 0 {
                        // Trailers, up to the empty line; not used.
                        let mut trailers = 0;
                        while !connection.line(MAX_LINE_BYTES).await?.is_empty() {
                            trailers += 1;
                            if trailers > MAX_HEADERS {
                                return Err(malformed_chunk());
                            }
                        }
                        self.finish();
                        return Ok(None);
                    }
                    self.framing = Framing::Chunked {
                        left: size,
                        started: true,
                    };
                }
                Framing::Chunked { left, .. } => {
                    if connection.buffer.is_empty() {
                        connection.fill_more().await?;
                    }
                    let chunk = connection.take(*left);
                    *left -= chunk.len() as u64;
                    return Ok(Some(chunk));
                }
            }
        }
    }
}

fn malformed_chunk() -> TransportError {
    TransportError::Broken("a malformed chunk in the answer".into())
}

/// A chunk-size line's size (extensions after `;` ignored).
fn chunk_size(line: &[u8]) -> Result<u64, TransportError> {
    let digits = line
        .split(|&byte| byte == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if digits.is_empty() || digits.len() > 15 {
        return Err(malformed_chunk());
    }
    std::str::from_utf8(digits)
        .ok()
        .and_then(|text| u64::from_str_radix(text, 16).ok())
        .ok_or_else(malformed_chunk)
}

impl ReplyBody for Http1Body {
    fn declared_length(&self) -> Option<u64> {
        match self.framing {
            Framing::Length(length) => Some(length),
            Framing::Done => Some(0),
            Framing::Chunked { .. } | Framing::Close => None,
        }
    }

    fn next_chunk(&mut self) -> TransportFuture<'_, Result<Option<Vec<u8>>, TransportError>> {
        Box::pin(async move {
            let deadline = self.deadline;
            within(deadline, self.next()).await
        })
    }
}

#[cfg(test)]
mod tests;
