//! Where the platform's PostgreSQL is and how it is reached: the URL, and
//! TLS by rustls when the URL asks for it (`sslmode=require`).
//!
//! In a province the database runs on another machine, and every row the
//! platform reads or writes (names, ID numbers, photos) crosses that network.
//! So a database beyond loopback is reached only over TLS, unless the operator
//! says otherwise (`plaintext_beyond_loopback`, the CLI's `--insecure-db`,
//! for a network they trust). With TLS the server's certificate is always
//! verified, against the authority the operator names or the web PKI's roots:
//! `sslmode=require` here means what libpq calls `verify-full`, because a
//! connection encrypted to whoever answers protects nothing from the machine
//! in the middle. The driver's `prefer` (its default) falls back to plain
//! text, so it counts as plain.

use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use postgres::config::{Host, SslMode};
use postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};
use postgres::{Client, NoTls, Socket};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

/// How the platform may reach its PostgreSQL server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DatabaseTls {
    /// A PEM file of the certificate authorities trusted for the server's
    /// certificate; without it, the web PKI's roots.
    pub authority: Option<PathBuf>,
    /// Allow plain text to a server beyond loopback (a network the operator
    /// trusts); loopback and unix sockets are always allowed.
    pub plaintext_beyond_loopback: bool,
}

/// Why the platform will not reach a PostgreSQL server.
#[derive(Debug, thiserror::Error)]
pub enum PostgresServerError {
    /// The URL does not parse.
    #[error("the PostgreSQL URL is not valid: {0}")]
    Url(#[source] postgres::Error),
    /// Plain text to a server beyond loopback, not allowed.
    #[error(
        "the database at {host} is not on loopback: add sslmode=require to its URL (TLS, certificate verified), or allow plain text on a network you trust (--insecure-db)"
    )]
    PlaintextBeyondLoopback {
        /// The host named.
        host: String,
    },
    /// rustls refused the configuration.
    #[error("TLS to the database: {0}")]
    Tls(String),
    /// The authority file cannot be read or holds no certificate.
    #[error("the database's certificate authority {}: {reason}", path.display())]
    Authority {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// A PostgreSQL server and how to reach it; cheap to clone (each pool slot
/// that reconnects keeps one).
#[derive(Clone)]
pub struct PostgresServer {
    config: Arc<postgres::Config>,
    tls: Option<RustlsConnector>,
}

impl std::fmt::Debug for PostgresServer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PostgresServer")
            .field("hosts", &self.config.get_hosts())
            .field("encrypted", &self.encrypted())
            .finish_non_exhaustive()
    }
}

impl PostgresServer {
    /// The server `url` names, reached as `tls` allows.
    pub fn new(url: &str, tls: &DatabaseTls) -> Result<PostgresServer, PostgresServerError> {
        let config: postgres::Config = url.parse().map_err(PostgresServerError::Url)?;
        let connector = if config.get_ssl_mode() == SslMode::Require {
            Some(verifying_connector(tls.authority.as_deref())?)
        } else if !tls.plaintext_beyond_loopback
            && let Some(host) = beyond_loopback(&config)
        {
            return Err(PostgresServerError::PlaintextBeyondLoopback { host });
        } else {
            None
        };
        Ok(PostgresServer {
            config: Arc::new(config),
            tls: connector,
        })
    }

    /// Whether connections are encrypted (and the server verified).
    pub fn encrypted(&self) -> bool {
        self.tls.is_some()
    }

    /// Opens a client connection.
    pub fn connect(&self) -> Result<Client, postgres::Error> {
        match &self.tls {
            Some(tls) => self.config.connect(tls.clone()),
            None => self.config.connect(NoTls),
        }
    }
}

/// An error and its causes, `error: cause: cause` (the driver's own text
/// for a failed handshake does not say which certificate check failed).
pub fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// The first host (or host address) of `config` that is neither loopback nor
/// a unix socket, if any.
fn beyond_loopback(config: &postgres::Config) -> Option<String> {
    let addresses_named = config.get_hostaddrs();
    if !addresses_named.is_empty() {
        // `hostaddr` is what is dialled; `host` then only names it.
        return addresses_named
            .iter()
            .find(|address| !address.is_loopback())
            .map(ToString::to_string);
    }
    config.get_hosts().iter().find_map(|host| match host {
        Host::Unix(_) => None,
        Host::Tcp(name) => {
            let loopback = name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|address| address.is_loopback());
            (!loopback).then(|| name.clone())
        }
    })
}

/// rustls checking the server's certificate against `authority` (a PEM
/// file) or the web PKI's roots.
fn verifying_connector(authority: Option<&Path>) -> Result<RustlsConnector, PostgresServerError> {
    let roots = match authority {
        Some(path) => authority_roots(path)?,
        None => {
            let mut roots = RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            roots
        }
    };
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| PostgresServerError::Tls(error.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(RustlsConnector(Arc::new(client)))
}

fn authority_roots(path: &Path) -> Result<RootCertStore, PostgresServerError> {
    let failed = |reason: String| PostgresServerError::Authority {
        path: path.to_owned(),
        reason,
    };
    let mut roots = RootCertStore::empty();
    for certificate in
        CertificateDer::pem_file_iter(path).map_err(|error| failed(error.to_string()))?
    {
        roots
            .add(certificate.map_err(|error| failed(error.to_string()))?)
            .map_err(|error| failed(error.to_string()))?;
    }
    if roots.is_empty() {
        return Err(failed("no certificate in the file".to_owned()));
    }
    Ok(roots)
}

/// rustls as the driver's TLS: one client configuration for every
/// connection.
#[derive(Clone)]
struct RustlsConnector(Arc<ClientConfig>);

impl MakeTlsConnect<Socket> for RustlsConnector {
    type Stream = RustlsStream;
    type TlsConnect = RustlsHandshake;
    type Error = io::Error;

    fn make_tls_connect(&mut self, domain: &str) -> io::Result<RustlsHandshake> {
        let name = ServerName::try_from(domain.to_owned())
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
        Ok(RustlsHandshake {
            config: self.0.clone(),
            name,
        })
    }
}

/// One connection's handshake, with the name its certificate must carry.
struct RustlsHandshake {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl TlsConnect<Socket> for RustlsHandshake {
    type Stream = RustlsStream;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream>> + Send>>;

    fn connect(self, stream: Socket) -> Self::Future {
        let connector = tokio_rustls::TlsConnector::from(self.config);
        Box::pin(async move {
            connector
                .connect(self.name, stream)
                .await
                .map(|stream| RustlsStream(Box::new(stream)))
        })
    }
}

/// A TLS session to the server.
struct RustlsStream(Box<tokio_rustls::client::TlsStream<Socket>>);

impl TlsStream for RustlsStream {
    fn channel_binding(&self) -> ChannelBinding {
        // SCRAM without channel binding: the certificate check above is what
        // keeps a machine in the middle out.
        ChannelBinding::none()
    }
}

impl AsyncRead for RustlsStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(context, buffer)
    }
}

impl AsyncWrite for RustlsStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(context, buffer)
    }

    fn poll_flush(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(context)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(context)
    }
}

/// A test database as the platform reaches it (plain text on loopback).
#[cfg(test)]
pub(crate) fn test_server(database: &crate::store::test_postgres::TestDatabase) -> PostgresServer {
    #[allow(clippy::unwrap_used, reason = "tests fail loudly")]
    PostgresServer::new(&database.url(), &DatabaseTls::default()).unwrap()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use crate::store::test_postgres::TestDatabase;

    /// The test cluster (`scripts/postgres-cluster.sh`) serves TLS with a
    /// certificate for `localhost` from the repository's test authority.
    fn test_authority(directory: &Path) -> PathBuf {
        let der = include_bytes!("../../../core/src/transport/https/tls/ca.der");
        let path = directory.join("ca.pem");
        let body = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|chunk| std::str::from_utf8(chunk).unwrap())
            .collect();
        std::fs::write(
            &path,
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                lines.join("\n")
            ),
        )
        .unwrap();
        path
    }

    /// The test database's URL with `host` and `sslmode=require`.
    fn over_tls(database: &TestDatabase, host: &str) -> String {
        let url = database.url().replacen("127.0.0.1", host, 1);
        format!("{url}?sslmode=require")
    }

    /// Why connecting failed (with the error's causes).
    fn refusal(server: &PostgresServer) -> String {
        match server.connect() {
            Ok(_) => panic!("{server:?} connected"),
            Err(error) => with_causes(&error),
        }
    }

    fn encrypted_session(client: &mut Client) -> bool {
        client
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .unwrap()
            .get(0)
    }

    #[test]
    fn a_server_beyond_loopback_needs_tls_unless_plain_text_is_allowed() {
        let strict = DatabaseTls::default();
        for url in [
            "postgres://ecard@db.province.example:5432/ecard",
            "postgres://ecard@10.1.2.3/ecard?sslmode=prefer",
            "postgres://ecard@db.province.example/ecard?sslmode=disable",
            "postgres://ecard@localhost/ecard?hostaddr=10.1.2.3",
        ] {
            let refused = PostgresServer::new(url, &strict).unwrap_err();
            assert!(
                matches!(refused, PostgresServerError::PlaintextBeyondLoopback { .. }),
                "{url}: {refused}"
            );
            assert!(refused.to_string().contains("sslmode=require"), "{refused}");
            let allowed = DatabaseTls {
                plaintext_beyond_loopback: true,
                ..DatabaseTls::default()
            };
            assert!(!PostgresServer::new(url, &allowed).unwrap().encrypted());
        }
        for url in [
            "postgres://ecard@127.0.0.1:5432/ecard",
            "postgres://ecard@localhost/ecard",
            "postgres://ecard@[::1]:5432/ecard",
            "postgresql:///ecard?host=/run/postgresql",
        ] {
            assert!(
                !PostgresServer::new(url, &strict).unwrap().encrypted(),
                "{url}"
            );
        }
        let encrypted = PostgresServer::new(
            "postgres://ecard@db.province.example/ecard?sslmode=require",
            &strict,
        )
        .unwrap();
        assert!(encrypted.encrypted());
        assert!(matches!(
            PostgresServer::new("postgres://ecard@host:notaport/ecard", &strict),
            Err(PostgresServerError::Url(_))
        ));
    }

    #[test]
    fn an_authority_file_without_a_certificate_is_refused() {
        let directory = tempfile::tempdir().unwrap();
        let empty = directory.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        for authority in [empty, directory.path().join("missing.pem")] {
            let refused = PostgresServer::new(
                "postgres://ecard@db.province.example/ecard?sslmode=require",
                &DatabaseTls {
                    authority: Some(authority.clone()),
                    ..DatabaseTls::default()
                },
            )
            .unwrap_err();
            assert!(
                matches!(refused, PostgresServerError::Authority { .. }),
                "{}: {refused}",
                authority.display()
            );
        }
    }

    #[test]
    fn over_tls_the_server_certificate_is_verified_against_the_authority_and_name() {
        let database = TestDatabase::new();
        let directory = tempfile::tempdir().unwrap();
        let trusting = DatabaseTls {
            authority: Some(test_authority(directory.path())),
            ..DatabaseTls::default()
        };
        // The name on the certificate, the authority trusted: encrypted.
        let server = PostgresServer::new(&over_tls(&database, "localhost"), &trusting).unwrap();
        assert!(encrypted_session(&mut server.connect().unwrap()));
        // The web PKI's roots do not know the test authority.
        let untrusting =
            PostgresServer::new(&over_tls(&database, "localhost"), &DatabaseTls::default())
                .unwrap();
        let refused = refusal(&untrusting);
        assert!(refused.contains("certificate"), "{refused}");
        // The certificate names `localhost`, not 127.0.0.1.
        let wrong_name = PostgresServer::new(&over_tls(&database, "127.0.0.1"), &trusting).unwrap();
        let refused = refusal(&wrong_name);
        assert!(refused.contains("certificate"), "{refused}");
        // Plain text on loopback still works (the cluster allows both).
        let plain = PostgresServer::new(&database.url(), &DatabaseTls::default()).unwrap();
        assert!(!encrypted_session(&mut plain.connect().unwrap()));
    }
}
