//! The client against raw HTTP/1.1 servers on loopback: framing, limits,
//! timeouts, errors and connection reuse, byte for byte as a server may
//! send them.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use super::*;

/// What the server does with one request.
enum Reply {
    /// Writes these bytes and keeps the connection for the next request.
    Write(Vec<u8>),
    /// Writes these bytes and closes (under TLS with a close notification).
    WriteAndClose(Vec<u8>),
    /// Writes these bytes and drops the socket (under TLS without a close
    /// notification: a cut, as an attacker would make it).
    WriteAndCut(Vec<u8>),
    /// Answers nothing and holds the connection.
    Silence,
    /// Closes without answering.
    Close,
}

fn write(bytes: &str) -> Reply {
    Reply::Write(bytes.as_bytes().to_vec())
}

type Script = Arc<Mutex<VecDeque<Reply>>>;
type Seen = Arc<Mutex<Vec<String>>>;

struct Server {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Seen,
    /// The server names (SNI) TLS clients asked for.
    server_names: Seen,
}

/// A plain HTTP server answering requests, in order over all its
/// connections, from `script`.
async fn server(script: Vec<Reply>) -> Server {
    serve(script, None).await
}

/// The same over TLS, with the certificate of `localhost` issued by the
/// test authority (`tls/`, see [`trusting_the_test_authority`]).
async fn tls_server(script: Vec<Reply>) -> Server {
    use tokio_rustls::rustls::ServerConfig;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let certificate = CertificateDer::from(include_bytes!("tls/localhost.der").to_vec());
    let key = PrivatePkcs8KeyDer::from(include_bytes!("tls/localhost.key.der").to_vec());
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate], PrivateKeyDer::Pkcs8(key))
        .unwrap();
    serve(
        script,
        Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
    )
    .await
}

/// A transport trusting only the test authority. Its certificates were made
/// once with `openssl ca` (P-256, valid 2024 to 2124): `ca.der` a CA
/// certificate, `localhost.der` a server certificate for the name
/// `localhost` only, `localhost.key.der` its PKCS #8 key. Test keys, never
/// trusted outside these tests.
fn trusting_the_test_authority() -> HttpsTransport {
    use tokio_rustls::rustls::pki_types::CertificateDer;
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(include_bytes!("tls/ca.der").to_vec()))
        .unwrap();
    HttpsTransport::with_roots(Duration::from_secs(5), true, roots).unwrap()
}

async fn serve(script: Vec<Reply>, tls: Option<tokio_rustls::TlsAcceptor>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let server_names = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let (counted, seen, names) = (connections.clone(), requests.clone(), server_names.clone());
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            counted.fetch_add(1, Ordering::SeqCst);
            let (script, seen, names, tls) =
                (script.clone(), seen.clone(), names.clone(), tls.clone());
            tokio::spawn(async move {
                match tls {
                    None => answer(socket, &script, &seen).await,
                    Some(acceptor) => {
                        let Ok(socket) = acceptor.accept(socket).await else {
                            return;
                        };
                        let name = socket.get_ref().1.server_name().unwrap_or("").to_owned();
                        names.lock().unwrap().push(name);
                        answer(socket, &script, &seen).await;
                    }
                }
            });
        }
    });
    Server {
        url,
        connections,
        requests,
        server_names,
    }
}

/// Answers the requests of one connection from `script`.
async fn answer<S: AsyncRead + AsyncWrite + Unpin>(mut socket: S, script: &Script, seen: &Seen) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut socket, &mut buffer).await else {
            return;
        };
        seen.lock().unwrap().push(request);
        let reply = script.lock().unwrap().pop_front();
        match reply {
            // A client may give up mid-answer: no panic then.
            Some(Reply::Write(bytes)) => {
                if socket.write_all(&bytes).await.is_err() || socket.flush().await.is_err() {
                    return;
                }
            }
            Some(Reply::WriteAndClose(bytes)) => {
                socket.write_all(&bytes).await.ok();
                socket.shutdown().await.ok();
                return;
            }
            Some(Reply::WriteAndCut(bytes)) => {
                socket.write_all(&bytes).await.ok();
                socket.flush().await.ok();
                return;
            }
            Some(Reply::Silence) => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                return;
            }
            Some(Reply::Close) | None => return,
        }
    }
}

/// One request's head and body as text; `None` when the client closed.
async fn read_request<S: AsyncRead + Unpin>(
    socket: &mut S,
    buffer: &mut Vec<u8>,
) -> Option<String> {
    loop {
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8(buffer[..end + 4].to_vec()).unwrap();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length: "))
                .map_or(0, |value| value.parse().unwrap());
            while buffer.len() < end + 4 + length {
                let mut more = [0u8; 4096];
                let read = socket.read(&mut more).await.ok()?;
                if read == 0 {
                    return None;
                }
                buffer.extend_from_slice(&more[..read]);
            }
            let request: Vec<u8> = buffer.drain(..end + 4 + length).collect();
            return Some(String::from_utf8(request).unwrap());
        }
        let mut more = [0u8; 4096];
        let read = socket.read(&mut more).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&more[..read]);
    }
}

fn run<T>(work: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(work)
}

fn transport() -> HttpsTransport {
    HttpsTransport::new(Duration::from_secs(5), false).unwrap()
}

fn request(method: Method, url: &str) -> TransportRequest {
    TransportRequest {
        method,
        url: Url::parse(url).unwrap(),
        headers: HeaderMap::new(),
        body: None,
    }
}

/// Status, headers, declared length and the whole body (or why it broke).
type Read = (u16, HeaderMap, Option<u64>, Result<Vec<u8>, TransportError>);

async fn read_all(
    transport: &HttpsTransport,
    request: TransportRequest,
) -> Result<Read, TransportError> {
    let mut reply = transport.send(request).await?;
    let declared = reply.body.declared_length();
    let mut body = Vec::new();
    let outcome = loop {
        match reply.body.next_chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break Ok(body),
            Err(error) => break Err(error),
        }
    };
    Ok((reply.status, reply.headers, declared, outcome))
}

async fn get(transport: &HttpsTransport, url: &str) -> Result<Read, TransportError> {
    read_all(transport, request(Method::GET, url)).await
}

#[test]
fn a_length_framed_answer_and_the_request_as_sent() {
    run(async {
        let server = server(vec![write(
            "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-Tag: a\r\nX-Tag: b\r\n\r\nhello",
        )])
        .await;
        let mut post = request(Method::POST, &format!("{}/v1/items?page=2#top", server.url));
        post.headers
            .insert("content-type", HeaderValue::from_static("application/json"));
        post.body = Some(b"{\"a\":1}".to_vec());
        let (status, headers, declared, body) = read_all(&transport(), post).await.unwrap();
        assert_eq!(status, 201);
        assert_eq!(declared, Some(5));
        assert_eq!(body.unwrap(), b"hello");
        let tags: Vec<_> = headers.get_all("x-tag").iter().collect();
        assert_eq!(tags, ["a", "b"]);
        let sent = server.requests.lock().unwrap()[0].clone();
        let authority = server.url.trim_start_matches("http://");
        assert!(
            sent.starts_with("POST /v1/items?page=2 HTTP/1.1\r\n"),
            "{sent}"
        );
        assert!(sent.contains(&format!("host: {authority}\r\n")), "{sent}");
        assert!(sent.contains(&format!("user-agent: {AGENT}\r\n")), "{sent}");
        assert!(
            sent.contains("content-type: application/json\r\n"),
            "{sent}"
        );
        assert!(sent.contains("content-length: 7\r\n"), "{sent}");
        assert!(sent.ends_with("\r\n\r\n{\"a\":1}"), "{sent}");
    });
}

#[test]
fn a_chunked_answer_with_extensions_and_trailers() {
    run(async {
        let server = server(vec![
            write(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                 5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n",
            ),
            write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ])
        .await;
        let transport = transport();
        let (status, _, declared, body) = get(&transport, &server.url).await.unwrap();
        assert_eq!((status, declared), (200, None));
        assert_eq!(body.unwrap(), b"hello world");
        // Read in full, the connection serves the next request.
        get(&transport, &server.url).await.unwrap().3.unwrap();
        assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn an_answer_delimited_by_the_close() {
    run(async {
        let server = server(vec![
            Reply::WriteAndClose(b"HTTP/1.0 200 OK\r\n\r\nuntil the end".to_vec()),
            write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ])
        .await;
        let transport = transport();
        let (_, _, declared, body) = get(&transport, &server.url).await.unwrap();
        assert_eq!(declared, None);
        assert_eq!(body.unwrap(), b"until the end");
        get(&transport, &server.url).await.unwrap().3.unwrap();
        assert_eq!(server.connections.load(Ordering::SeqCst), 2);
    });
}

#[test]
fn an_oversized_head_is_refused() {
    run(async {
        let huge = format!(
            "HTTP/1.1 200 OK\r\nX-Padding: {}\r\nContent-Length: 0\r\n\r\n",
            "a".repeat(MAX_HEAD_BYTES)
        );
        let many = format!(
            "HTTP/1.1 200 OK\r\n{}Content-Length: 0\r\n\r\n",
            "X-Header: 1\r\n".repeat(MAX_HEADERS + 1)
        );
        let server = server(vec![
            Reply::Write(huge.into_bytes()),
            Reply::Write(many.into_bytes()),
        ])
        .await;
        let transport = transport();
        let error = get(&transport, &server.url).await.unwrap_err();
        assert_eq!(
            error,
            TransportError::Broken("the answer's head is too large".into())
        );
        let error = get(&transport, &server.url).await.unwrap_err();
        assert_eq!(
            error,
            TransportError::Broken("the answer has too many headers".into())
        );
    });
}

#[test]
fn a_malformed_status_line_or_length_is_refused() {
    run(async {
        let server = server(vec![
            Reply::WriteAndClose(b"HTTP/1.1 2x0 OK\r\n\r\n".to_vec()),
            Reply::WriteAndClose(b"SSH-2.0-OpenSSH\r\n\r\n".to_vec()),
            Reply::WriteAndClose(b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello".to_vec()),
            Reply::WriteAndClose(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n".to_vec()),
            Reply::WriteAndClose(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
                    .to_vec(),
            ),
        ])
        .await;
        let transport = transport();
        for _ in 0..4 {
            let error = get(&transport, &server.url).await.unwrap_err();
            assert!(matches!(error, TransportError::Broken(_)), "{error:?}");
        }
        let (_, _, _, body) = get(&transport, &server.url).await.unwrap();
        assert_eq!(body.unwrap_err(), malformed_chunk());
    });
}

#[test]
fn a_cut_off_body_is_an_error() {
    run(async {
        let server = server(vec![
            Reply::WriteAndClose(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello".to_vec()),
            Reply::WriteAndClose(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n".to_vec(),
            ),
            Reply::WriteAndClose(b"HTTP/1.1 200 OK\r\nContent-Le".to_vec()),
        ])
        .await;
        let transport = transport();
        for _ in 0..2 {
            let (status, _, _, body) = get(&transport, &server.url).await.unwrap();
            assert_eq!(status, 200);
            assert_eq!(
                body.unwrap_err(),
                TransportError::Broken("the answer was cut off".into())
            );
        }
        let error = get(&transport, &server.url).await.unwrap_err();
        assert_eq!(
            error,
            TransportError::Broken("the connection closed before an answer".into())
        );
    });
}

#[test]
fn a_silent_server_times_out_in_the_head_and_in_the_body() {
    run(async {
        let server = server(vec![
            Reply::Silence,
            write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"),
        ])
        .await;
        let transport = HttpsTransport::new(Duration::from_millis(300), false).unwrap();
        let started = std::time::Instant::now();
        let error = get(&transport, &server.url).await.unwrap_err();
        assert_eq!(error, TransportError::Timeout);
        assert!(started.elapsed() < Duration::from_secs(3));
        let (_, _, _, body) = get(&transport, &server.url).await.unwrap();
        assert_eq!(body.unwrap_err(), TransportError::Timeout);
    });
}

#[test]
fn idle_connections_are_reused_unless_closed_or_unread() {
    run(async {
        let server = server(vec![
            write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"),
            write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        .await;
        let transport = transport();
        get(&transport, &server.url).await.unwrap().3.unwrap();
        // Same connection; its answer asks to close it.
        get(&transport, &server.url).await.unwrap().3.unwrap();
        assert_eq!(server.connections.load(Ordering::SeqCst), 1);
        // A new one; its body is left unread, so it is not kept.
        let unread = transport
            .send(request(Method::GET, &server.url))
            .await
            .unwrap();
        drop(unread);
        get(&transport, &server.url).await.unwrap().3.unwrap();
        assert_eq!(server.connections.load(Ordering::SeqCst), 3);
    });
}

#[test]
fn bodiless_answers_keep_the_connection() {
    run(async {
        let server = server(vec![
            write("HTTP/1.1 304 Not Modified\r\nContent-Length: 120\r\n\r\n"),
            write("HTTP/1.1 200 OK\r\nContent-Length: 120\r\n\r\n"),
            write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"),
        ])
        .await;
        let transport = transport();
        let (status, _, declared, body) = get(&transport, &server.url).await.unwrap();
        assert_eq!(
            (status, declared, body.unwrap()),
            (304, Some(0), Vec::new())
        );
        let head = read_all(&transport, request(Method::HEAD, &server.url))
            .await
            .unwrap();
        assert_eq!((head.0, head.3.unwrap()), (200, Vec::new()));
        let (status, _, _, body) = get(&transport, &server.url).await.unwrap();
        assert_eq!((status, body.unwrap()), (204, Vec::new()));
        assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn a_request_is_repeated_only_when_a_reused_connection_was_closed_and_it_is_safe() {
    run(async {
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        let server = server(vec![write(ok), Reply::Close, write(ok), Reply::Close]).await;
        let transport = transport();
        get(&transport, &server.url).await.unwrap().3.unwrap();
        // The server drops the reused connection on the next request; a GET
        // goes again on a new one.
        let (status, _, _, body) = get(&transport, &server.url).await.unwrap();
        assert_eq!((status, body.unwrap()), (200, b"ok".to_vec()));
        assert_eq!(server.connections.load(Ordering::SeqCst), 2);
        // A POST without an idempotency key is not repeated.
        let error = read_all(&transport, request(Method::POST, &server.url))
            .await
            .unwrap_err();
        assert_eq!(
            error,
            TransportError::Broken("the connection closed before an answer".into())
        );
        assert_eq!(server.requests.lock().unwrap().len(), 4);
    });
}

#[test]
fn a_redirect_is_an_answer_not_followed() {
    run(async {
        let elsewhere = server(vec![write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]).await;
        let server = server(vec![Reply::Write(
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {}/v1/time\r\nContent-Length: 0\r\n\r\n",
                elsewhere.url
            )
            .into_bytes(),
        )])
        .await;
        let (status, headers, _, _) = get(&transport(), &server.url).await.unwrap();
        assert_eq!(status, 302);
        assert!(headers.contains_key("location"));
        assert_eq!(elsewhere.connections.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn plain_http_is_refused_when_https_only() {
    run(async {
        let server = server(vec![write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]).await;
        let transport = HttpsTransport::new(Duration::from_secs(5), true).unwrap();
        let error = get(&transport, &server.url).await.unwrap_err();
        assert_eq!(
            error,
            TransportError::Broken("plain HTTP is refused".into())
        );
        assert_eq!(server.connections.load(Ordering::SeqCst), 0);
    });
}

#[test]
fn an_unreachable_platform_and_a_failed_handshake() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        let error = get(&transport(), &format!("http://{address}/"))
            .await
            .unwrap_err();
        assert!(matches!(error, TransportError::Unreachable(_)), "{error:?}");
        // A server that does not speak TLS.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            socket
                .write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")
                .await
                .unwrap();
        });
        let error = get(&transport(), &format!("https://{address}/"))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, TransportError::Unreachable(reason) if reason.starts_with("TLS")),
            "{error:?}"
        );
    });
}

#[test]
fn a_name_is_resolved_and_each_address_tried() {
    run(async {
        // `localhost` may resolve to ::1 first; the server listens on
        // 127.0.0.1 only, so the client must move on to the next address.
        let server = server(vec![write(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        )])
        .await;
        let url = server.url.replace("127.0.0.1", "localhost");
        let (status, _, _, body) = get(&transport(), &url).await.unwrap();
        assert_eq!((status, body.unwrap()), (200, b"ok".to_vec()));
        let sent = server.requests.lock().unwrap()[0].clone();
        let authority = url.trim_start_matches("http://");
        assert!(sent.contains(&format!("host: {authority}\r\n")), "{sent}");
    });
}

#[test]
fn chunk_sizes() {
    assert_eq!(chunk_size(b"1a").unwrap(), 26);
    assert_eq!(chunk_size(b"0; last").unwrap(), 0);
    assert_eq!(chunk_size(b"FFFF ").unwrap(), 65_535);
    for bad in [&b""[..], b"-1", b"0x10", b"g", b"1000000000000000"] {
        assert_eq!(chunk_size(bad).unwrap_err(), malformed_chunk());
    }
}

#[test]
fn over_tls_verified_with_the_server_name_and_reused() {
    run(async {
        let server = tls_server(vec![
            write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nmore\r\n0\r\n\r\n"),
        ])
        .await;
        let url = server.url.replace("http://127.0.0.1", "https://localhost");
        let transport = trusting_the_test_authority();
        let (status, _, _, body) = get(&transport, &url).await.unwrap();
        assert_eq!((status, body.unwrap()), (200, b"ok".to_vec()));
        let (status, _, _, body) = get(&transport, &url).await.unwrap();
        assert_eq!((status, body.unwrap()), (200, b"more".to_vec()));
        assert_eq!(server.connections.load(Ordering::SeqCst), 1);
        assert_eq!(*server.server_names.lock().unwrap(), ["localhost"]);
    });
}

#[test]
fn over_tls_an_untrusted_or_misnamed_certificate_is_refused() {
    run(async {
        let server = tls_server(Vec::new()).await;
        // The Mozilla roots do not know the test authority.
        let url = server.url.replace("http://127.0.0.1", "https://localhost");
        let untrusted = HttpsTransport::new(Duration::from_secs(5), true).unwrap();
        let error = get(&untrusted, &url).await.unwrap_err();
        assert!(
            matches!(&error, TransportError::Unreachable(reason) if reason.starts_with("TLS")),
            "{error:?}"
        );
        // The certificate names `localhost`, not the address.
        let url = server.url.replace("http://", "https://");
        let error = get(&trusting_the_test_authority(), &url).await.unwrap_err();
        assert!(
            matches!(&error, TransportError::Unreachable(reason) if reason.starts_with("TLS")),
            "{error:?}"
        );
        assert!(server.requests.lock().unwrap().is_empty());
    });
}

#[test]
fn over_tls_a_close_delimited_body_ends_only_with_the_close_notification() {
    run(async {
        let server = tls_server(vec![
            Reply::WriteAndClose(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it".to_vec()),
            Reply::WriteAndCut(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npart of".to_vec()),
        ])
        .await;
        let url = server.url.replace("http://127.0.0.1", "https://localhost");
        let transport = trusting_the_test_authority();
        let (_, _, _, body) = get(&transport, &url).await.unwrap();
        assert_eq!(body.unwrap(), b"all of it");
        let (_, _, _, body) = get(&transport, &url).await.unwrap();
        assert!(
            matches!(body, Err(TransportError::Broken(ref reason)) if reason.starts_with("reading the answer")),
            "{body:?}"
        );
    });
}
