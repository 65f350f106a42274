//! `ecard platform serve` exposed as an operator would expose it, attacked as
//! an attacker would attack it: idle and half-sent connections under a
//! 1,024-descriptor limit, trickled bodies, plain HTTP on a public address,
//! a printed admin token; then TLS, the admin routes bound apart, and a
//! graceful shutdown that finishes the request in flight.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;

/// A platform process; killed when dropped.
struct Server {
    child: Child,
    /// The lines it printed on start, up to the admin token's origin.
    banner: Vec<String>,
    address: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `ecard platform serve` with `arguments`, under `prlimit` when
/// `descriptors` is given, with `ECARD_ADMIN_TOKEN` unset; returns once it
/// says where it serves.
fn serve(directory: &Path, arguments: &[&str], descriptors: Option<u32>) -> Server {
    serve_on(
        directory.join("platform.db").as_os_str(),
        arguments,
        descriptors,
    )
}

/// [`serve`] on the database `database` (a SQLite file or a PostgreSQL URL).
fn serve_on(database: &std::ffi::OsStr, arguments: &[&str], descriptors: Option<u32>) -> Server {
    let mut command = match descriptors {
        Some(limit) => {
            let mut command = Command::new("prlimit");
            command
                .arg(format!("--nofile={limit}:{limit}"))
                .arg(env!("CARGO_BIN_EXE_ecard"));
            command
        }
        None => Command::new(env!("CARGO_BIN_EXE_ecard")),
    };
    command
        .args(["platform", "serve", "--db"])
        .arg(database)
        .args(arguments)
        .env_remove("ECARD_ADMIN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    let mut address = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("ecard platform serving ") {
            let authority = rest.split("://").nth(1).unwrap();
            address = Some(authority.parse().unwrap());
        }
        let done = line.starts_with("admin token:");
        banner.push(line);
        if done {
            break;
        }
    }
    // Keep draining what it prints.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        address: address.unwrap_or_else(|| panic!("no address in {banner:?}")),
        banner,
    }
}

/// The status line's code of a raw HTTP/1.1 exchange on `stream`.
fn status_of(stream: &mut TcpStream, request: &str) -> u16 {
    stream.write_all(request.as_bytes()).unwrap();
    read_status(stream)
}

fn read_status(stream: &mut TcpStream) -> u16 {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n") {
        let read = stream.read(&mut byte).unwrap();
        assert_eq!(read, 1, "connection closed before a status line");
        head.push(byte[0]);
    }
    let line = String::from_utf8(head).unwrap();
    line.split(' ').nth(1).unwrap().parse().unwrap()
}

const TIME: &str = "GET /v1/time HTTP/1.1\r\nHost: platform\r\nConnection: close\r\n\r\n";

/// The test process opens more than 1,024 sockets: raise its own soft
/// descriptor limit to what the hard limit allows.
fn allow_many_sockets(needed: u64) {
    let pid = std::process::id().to_string();
    let _ = Command::new("prlimit")
        .args(["--pid", &pid, &format!("--nofile={needed}:")])
        .status();
}

/// Whether the server closed `stream` (end of file or reset) within `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buffer = [0u8; 256];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return false;
            }
            Err(_) => return true,
        }
    }
}

/// Sockets that never send a byte, and sockets that send half a head.
fn attack(address: SocketAddr, idle: usize, half_sent: usize) -> (Vec<TcpStream>, Vec<TcpStream>) {
    let idle = (0..idle)
        .filter_map(|_| TcpStream::connect(address).ok())
        .collect();
    let half_sent = (0..half_sent)
        .filter_map(|_| {
            let mut stream = TcpStream::connect(address).ok()?;
            stream
                .write_all(b"GET /v1/time HTTP/1.1\r\nHost: platform\r\n")
                .ok()?;
            Some(stream)
        })
        .collect();
    (idle, half_sent)
}

/// The descriptors a process holds.
fn descriptors_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

#[test]
fn idle_and_half_sent_connections_under_a_1024_descriptor_limit_do_not_stop_it_answering() {
    allow_many_sockets(4096);
    let directory = tempfile::tempdir().unwrap();
    // Deadlines longer than the attack: only the connection cap protects.
    let server = serve(
        directory.path(),
        &[
            "--addr",
            "127.0.0.1:0",
            "--header-timeout-seconds",
            "120",
            "--idle-timeout-seconds",
            "120",
        ],
        Some(1024),
    );
    let (idle, half_sent) = attack(server.address, 1_100, 200);
    assert!(
        idle.len() + half_sent.len() > 1_024,
        "the attack opened its sockets"
    );
    // Someone who sends a request is answered at once, however many sockets
    // the attack holds: at the cap, their connection replaces a quiet one.
    for _ in 0..20 {
        let started = Instant::now();
        let mut client = TcpStream::connect(server.address).unwrap();
        assert_eq!(status_of(&mut client, TIME), 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
    // The process holds at most the cap (512) and its own few descriptors.
    let held = descriptors_of(server.child.id());
    assert!(held < 600, "{held} descriptors");
    drop((idle, half_sent));
}

#[test]
fn half_sent_heads_and_idle_connections_are_dropped_at_the_head_deadline() {
    let directory = tempfile::tempdir().unwrap();
    let server = serve(
        directory.path(),
        &["--addr", "127.0.0.1:0", "--header-timeout-seconds", "2"],
        None,
    );
    let (mut idle, mut half_sent) = attack(server.address, 50, 50);
    // A keep-alive connection after its answer counts as idle too.
    let mut kept_alive = TcpStream::connect(server.address).unwrap();
    assert_eq!(
        status_of(
            &mut kept_alive,
            "GET /v1/time HTTP/1.1\r\nHost: platform\r\n\r\n"
        ),
        200
    );
    let deadline = Duration::from_secs(6);
    assert!(
        half_sent
            .iter_mut()
            .all(|stream| closed_within(stream, deadline))
    );
    assert!(
        idle.iter_mut()
            .all(|stream| closed_within(stream, deadline))
    );
    assert!(closed_within(&mut kept_alive, deadline));
    let mut client = TcpStream::connect(server.address).unwrap();
    assert_eq!(status_of(&mut client, TIME), 200);
}

#[test]
fn a_trickled_body_is_cut_off_at_the_body_deadline() {
    let directory = tempfile::tempdir().unwrap();
    let server = serve(
        directory.path(),
        &["--addr", "127.0.0.1:0", "--body-timeout-seconds", "2"],
        None,
    );
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream
        .write_all(
            b"POST /v1/enrolments HTTP/1.1\r\nHost: platform\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id",
        )
        .unwrap();
    let started = Instant::now();
    let status = read_status(&mut stream);
    assert!(status >= 400, "{status}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_database_beyond_loopback_in_plain_text_is_refused_before_connecting() {
    // The name does not resolve: the refusal comes before any connection.
    let output = Command::new(env!("CARGO_BIN_EXE_ecard"))
        .args(["platform", "serve", "--addr", "127.0.0.1:0", "--db"])
        .arg("postgres://ecard@db.province.invalid:5432/ecard")
        .env("ECARD_ADMIN_TOKEN", "plain-database-test-token")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("sslmode=require") && said.contains("--insecure-db"),
        "{said}"
    );
}

#[test]
fn on_postgresql_over_tls_every_connection_is_encrypted_to_the_verified_server() {
    // scripts/test starts a cluster serving TLS with the test authority's
    // certificate for `localhost` (scripts/postgres-cluster.sh).
    let Ok(server) = std::env::var("ECARD_TEST_POSTGRES") else {
        eprintln!("ECARD_TEST_POSTGRES not set: skipped (scripts/test sets it)");
        return;
    };
    let directory = tempfile::tempdir().unwrap();
    let name = format!("ecard_cli_tls_{}", std::process::id());
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let (base, _) = server.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}?sslmode=require").replacen("127.0.0.1", "localhost", 1);
    let (_, _, authority) = test_certificate(directory.path());
    let authority_file = directory.path().join("ca.pem");
    std::fs::write(&authority_file, pem("CERTIFICATE", &authority)).unwrap();
    let token_file = directory.path().join("token");
    write_token_file(&token_file, "database-tls-test-admin-token", 0o600);
    let platform = serve_on(
        url.as_ref(),
        &[
            "--addr",
            "127.0.0.1:0",
            "--db-connections",
            "3",
            "--db-ca",
            authority_file.to_str().unwrap(),
            "--admin-token-file",
            token_file.to_str().unwrap(),
        ],
        None,
    );
    let mut stream = TcpStream::connect(platform.address).unwrap();
    let status = status_of(
        &mut stream,
        "GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200);
    let sessions = admin
        .query(
            "SELECT ssl FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE datname = $1",
            &[&name],
        )
        .unwrap();
    assert!(sessions.len() >= 3, "{} sessions", sessions.len());
    assert!(sessions.iter().all(|row| row.get::<_, bool>(0)));
    drop(platform);

    // The same server without its authority: the certificate is not
    // trusted and the platform does not start.
    let output = Command::new(env!("CARGO_BIN_EXE_ecard"))
        .args(["platform", "serve", "--addr", "127.0.0.1:0", "--db", &url])
        .args(["--admin-token-file", token_file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("certificate"), "{said}");
    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
}

#[test]
fn plain_http_on_a_public_address_is_refused_and_the_admin_token_is_never_printed() {
    let directory = tempfile::tempdir().unwrap();
    let database = directory.path().join("platform.db");
    let output = Command::new(env!("CARGO_BIN_EXE_ecard"))
        .args(["platform", "serve", "--db"])
        .arg(&database)
        .args(["--addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("--tls-cert") && said.contains("--insecure-http"),
        "{said}"
    );

    // No token given: one is made, kept owner-only beside the database, and
    // not printed.
    let server = serve(directory.path(), &["--addr", "127.0.0.1:0"], None);
    let token_file = directory.path().join("admin-token");
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_owned();
    assert!(token.len() >= 20);
    assert!(
        server.banner.iter().all(|line| !line.contains(&token)),
        "{:?}",
        server.banner
    );
    let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "{mode:o}");
    drop(server);

    // A token file others can read is refused.
    let shared = directory.path().join("shared-token");
    write_token_file(&shared, "a-token-everyone-can-read", 0o644);
    let output = Command::new(env!("CARGO_BIN_EXE_ecard"))
        .args(["platform", "serve", "--db"])
        .arg(&database)
        .args(["--addr", "127.0.0.1:0", "--admin-token-file"])
        .arg(&shared)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("owner only"));

    // The token from the environment is not printed either.
    let output = Command::new(env!("CARGO_BIN_EXE_ecard"))
        .args(["platform", "serve", "--db"])
        .arg(&database)
        .args(["--addr", "0.0.0.0:0"])
        .env("ECARD_ADMIN_TOKEN", "environment-admin-token")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&output.stdout).contains("environment-admin-token"));
}

#[test]
fn instances_sharing_a_postgres_database_are_given_their_admin_token_never_make_one() {
    let directory = tempfile::tempdir().unwrap();
    // Refused before any connection is tried: no server listens there.
    let output = Command::new(env!("CARGO_BIN_EXE_ecard"))
        .current_dir(directory.path())
        .args([
            "platform",
            "serve",
            "--db",
            "postgres://ecard@127.0.0.1:1/ecard",
        ])
        .args(["--addr", "127.0.0.1:0"])
        .env_remove("ECARD_ADMIN_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("--admin-token-file") && said.contains("ECARD_ADMIN_TOKEN"),
        "{said}"
    );
    assert!(!directory.path().join("admin-token").exists());
}

/// An admin token file with permissions `mode`.
fn write_token_file(path: &Path, token: &str, mode: u32) {
    std::fs::write(path, format!("{token}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// PEM text of one DER item.
fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|chunk| std::str::from_utf8(chunk).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The test authority's certificate for `localhost` and its key, as PEM
/// files in `directory` (the core's transport tests made them; test keys).
fn test_certificate(directory: &Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let tls = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/src/transport/https/tls");
    let as_pem = |label: &str, der_file: &str, pem_file: &str| {
        let path = directory.join(pem_file);
        std::fs::write(
            &path,
            pem(label, &std::fs::read(tls.join(der_file)).unwrap()),
        )
        .unwrap();
        path
    };
    let certificate = as_pem("CERTIFICATE", "localhost.der", "localhost.pem");
    let key = as_pem("PRIVATE KEY", "localhost.key.der", "localhost.key.pem");
    (certificate, key, std::fs::read(tls.join("ca.der")).unwrap())
}

#[test]
fn over_tls_it_answers_a_client_trusting_its_authority_and_admin_routes_are_bound_apart() {
    let directory = tempfile::tempdir().unwrap();
    let (certificate, key, authority) = test_certificate(directory.path());
    let token_file = directory.path().join("token");
    write_token_file(&token_file, "tls-test-admin-token", 0o600);
    let server = serve(
        directory.path(),
        &[
            "--addr",
            "127.0.0.1:0",
            "--admin-addr",
            "127.0.0.1:0",
            "--tls-cert",
            certificate.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
            "--admin-token-file",
            token_file.to_str().unwrap(),
        ],
        None,
    );
    assert!(server.banner[0].contains("https://"), "{:?}", server.banner);
    let admin: SocketAddr = server
        .banner
        .iter()
        .find_map(|line| {
            line.strip_prefix("admin routes, metrics, health and readiness on http://")
        })
        .unwrap()
        .parse()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_der(&authority).unwrap())
            .resolve("localhost", server.address)
            .build()
            .unwrap();
        let port = server.address.port();
        let time = client
            .get(format!("https://localhost:{port}/v1/time"))
            .send()
            .await
            .unwrap();
        assert_eq!(time.status(), 200);
        // The API port serves no admin route, with or without the token.
        let refused = client
            .get(format!("https://localhost:{port}/admin/personas"))
            .bearer_auth("tls-test-admin-token")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 404);
        // A client that does not trust the authority gets no answer.
        let untrusting = reqwest::Client::builder()
            .resolve("localhost", server.address)
            .build()
            .unwrap();
        assert!(
            untrusting
                .get(format!("https://localhost:{port}/v1/time"))
                .send()
                .await
                .is_err()
        );
        // The admin routes answer on their own loopback address.
        let plain = reqwest::Client::new();
        let personas = plain
            .get(format!("http://{admin}/admin/personas"))
            .bearer_auth("tls-test-admin-token")
            .send()
            .await
            .unwrap();
        assert_eq!(personas.status(), 200);
        let api_on_admin = plain
            .get(format!("http://{admin}/v1/time"))
            .send()
            .await
            .unwrap();
        assert_eq!(api_on_admin.status(), 404);
    });
    // Plain HTTP to the TLS port gets no HTTP answer.
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream.write_all(TIME.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(!answer.starts_with(b"HTTP/1.1 200"));
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_stops() {
    let directory = tempfile::tempdir().unwrap();
    let mut server = serve(directory.path(), &["--addr", "127.0.0.1:0"], None);
    // A request in flight: its head sent, half its body still to come.
    let body = b"{\"not\": \"an enrolment\"}";
    let mut stream = TcpStream::connect(server.address).unwrap();
    write!(
        stream,
        "POST /v1/enrolments HTTP/1.1\r\nHost: platform\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body[..5]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    // New connections are no longer taken...
    let refused = TcpStream::connect_timeout(&server.address, Duration::from_secs(2))
        .map(|mut late| {
            late.write_all(TIME.as_bytes()).ok();
            closed_within(&mut late, Duration::from_secs(5))
        })
        .unwrap_or(true);
    assert!(refused, "a connection made after SIGTERM was served");
    // ...while the one in flight gets its answer.
    stream.write_all(&body[5..]).unwrap();
    let status = read_status(&mut stream);
    assert!((400..500).contains(&status), "{status}");
    let exit = wait_with_timeout(&mut server.child, Duration::from_secs(10));
    assert_eq!(exit.and_then(|status| status.code()), Some(0));
}

fn wait_with_timeout(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < within {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}
