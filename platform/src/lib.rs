//! The reference card-service platform: the API contract
//! (`docs/api/openapi.yaml`) made real, with state in SQLite (embedded) or
//! PostgreSQL (several instances on one database), real HTTP and
//! real signatures, for development, tests and the demo.
//!
//! The real national and provincial platforms cannot be reached from a
//! developer machine; this one behaves like them where the client can tell:
//! real-name checks against a population register, device-signed requests,
//! idempotent mutations, the card workflows with per-region rules as data,
//! production and delivery on a clock that tests can advance, an issuer key
//! with rotation, trust and status lists, and the catalogue feeds.
//!
//! Run it with `ecard platform serve --db <file> --addr 127.0.0.1:PORT`, or
//! in process with [`RunningPlatform::start`].
//!
//! The crate is three layers that only point down — [`http`] on top of
//! [`domain`] on top of [`store`] — with [`error`] beneath them all; this
//! file wires them together (it hands the domain's clock tick to the HTTP
//! layer). `docs/architecture.md` draws them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use ecard_credential::Suite;

use crate::http::context::{AppState, Reply};

pub mod domain;
pub mod error;
pub mod http;
pub mod server;
pub mod store;

/// The suite the sample deployment signs with: SM2 with SM3 (国密).
///
/// The reference platform with its sample data is one deployment, Jiangxi's
/// (360000): its catalogue carries Jiangxi's provincial list and its outlets
/// are Jiangxi's (`docs/sample-data.md`). A provincial card system is
/// assessed on the commercial cryptography suite, so a new platform of the
/// sample deployment makes its issuer and authority keys SM2 unless its
/// configuration says otherwise ([`PlatformConfig::issuer_suite`],
/// [`PlatformConfig::authority_suite`]). The suite is a property of the
/// deployment (one issuer, one key at a time), not of a region's rules: the
/// same credential verifies in every region a terminal serves.
pub const SAMPLE_DEPLOYMENT_SUITE: Suite = Suite::Sm2;

/// Where a platform keeps its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (`:memory:` for a throwaway platform): one process,
    /// the embedded default for the demo, tests and development.
    Sqlite(PathBuf),
    /// A PostgreSQL database (`postgres://user@host:port/name`), the
    /// production store: several instances may share it.
    Postgres {
        /// The connection URL.
        url: String,
        /// Connections each instance keeps (requests run on them at once).
        connections: usize,
        /// TLS to the server: required beyond loopback unless allowed off.
        tls: store::postgres_server::DatabaseTls,
    },
}

impl Database {
    /// Connections a PostgreSQL pool keeps unless told otherwise.
    pub const DEFAULT_CONNECTIONS: usize = 8;

    /// A `postgres://` or `postgresql://` URL names PostgreSQL; anything
    /// else is a SQLite file.
    pub fn parse(text: &str) -> Database {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Database::Postgres {
                url: text.to_owned(),
                connections: Database::DEFAULT_CONNECTIONS,
                tls: store::postgres_server::DatabaseTls::default(),
            }
        } else {
            Database::Sqlite(PathBuf::from(text))
        }
    }

    /// The SQLite file, if the platform keeps its state in one.
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            Database::Sqlite(path) if path.as_os_str() != ":memory:" => Some(path),
            _ => None,
        }
    }
}

impl From<PathBuf> for Database {
    fn from(path: PathBuf) -> Database {
        Database::Sqlite(path)
    }
}

impl From<&std::path::Path> for Database {
    fn from(path: &std::path::Path) -> Database {
        Database::Sqlite(path.to_owned())
    }
}

impl From<&str> for Database {
    fn from(text: &str) -> Database {
        Database::parse(text)
    }
}

/// How to run a platform.
#[derive(Clone, Debug)]
pub struct PlatformConfig {
    /// Where the state is kept.
    pub database: Database,
    /// The bearer token of `/admin` endpoints.
    pub admin_token: String,
    /// The issuer name in the trust list.
    pub issuer_name: String,
    /// The suite of the first issuer key, made when the database is new
    /// (credentials, status lists and deltas are signed with it). An
    /// existing platform keeps its keys; it changes suite by rotation
    /// (`POST /admin/issuer/rotate`).
    pub issuer_suite: Suite,
    /// The suite of the first authority key (signs the trust list), made
    /// when the database is new; later changed by rotation with overlap
    /// (`POST /admin/trust/authority-keys/rotate`).
    pub authority_suite: Suite,
    /// The platform's public base URL (`https://ecard.example`), the
    /// OpenID Connect issuer of scan-to-login; `None` takes it from each
    /// authorization request's `Host` (a platform on loopback).
    pub public_url: Option<String>,
    /// The CJK font certificates (参保证明) are drawn with; `None` looks at
    /// Debian's paths (`domain::certificate_pdf::DEFAULT_FONT_PATHS`).
    /// `PlatformConfig::new` takes `ECARD_CERTIFICATE_FONT` when set.
    pub certificate_font: Option<PathBuf>,
    /// The rate limit per source address of the public API; `None` turns
    /// it off (benchmarks, tests that hammer the platform). Default
    /// [`RateLimit::PER_SOURCE`](http::rate_limit::RateLimit::PER_SOURCE).
    pub source_rate_limit: Option<http::rate_limit::RateLimit>,
    /// The rate limit per device id (the device header) of the public API;
    /// `None` turns it off. Default
    /// [`RateLimit::PER_DEVICE`](http::rate_limit::RateLimit::PER_DEVICE).
    pub device_rate_limit: Option<http::rate_limit::RateLimit>,
    /// Reverse proxies whose `X-Forwarded-For` is believed: a request from
    /// one of them comes from the right-most forwarded address that is not
    /// a trusted proxy. Empty by default: the TCP peer is the source.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl PlatformConfig {
    /// The sample deployment's configuration with a random admin token:
    /// issuer and authority keys of [`SAMPLE_DEPLOYMENT_SUITE`].
    pub fn new(database: impl Into<Database>) -> PlatformConfig {
        PlatformConfig {
            database: database.into(),
            admin_token: store::db::new_id("admin"),
            issuer_name: "CN-MOHRSS".to_owned(),
            issuer_suite: SAMPLE_DEPLOYMENT_SUITE,
            authority_suite: SAMPLE_DEPLOYMENT_SUITE,
            public_url: None,
            certificate_font: std::env::var_os("ECARD_CERTIFICATE_FONT").map(PathBuf::from),
            source_rate_limit: Some(http::rate_limit::RateLimit::PER_SOURCE),
            device_rate_limit: Some(http::rate_limit::RateLimit::PER_DEVICE),
            trusted_proxies: Vec::new(),
        }
    }

    /// The same configuration with issuer and authority keys of `suite`
    /// (for a deployment on Ed25519 or P-256).
    #[must_use]
    pub fn with_suite(mut self, suite: Suite) -> PlatformConfig {
        self.issuer_suite = suite;
        self.authority_suite = suite;
        self
    }
}

/// Why a platform could not start.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Database(#[from] crate::store::sql::Error),
    /// The database's schema could not be brought up to date, or belongs
    /// to a newer release.
    #[error("database schema: {0}")]
    Schema(#[from] ecard_migrations::MigrationError),
    /// The PostgreSQL database could not be reached, or its schema could
    /// not be brought up to date or belongs to a newer release.
    #[error("database schema: {0}")]
    PostgresSchema(#[from] store::postgres_schema::PostgresSchemaError),
    /// The PostgreSQL server is not to be reached as asked (plain text
    /// beyond loopback, an unreadable certificate authority, a bad URL).
    #[error("database: {0}")]
    PostgresServer(#[from] store::postgres_server::PostgresServerError),
    /// First-start seeding failed.
    #[error("seeding: {0}")]
    Seed(String),
    /// The address could not be bound.
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
}

/// An opened platform, ready to serve.
#[derive(Clone)]
pub struct Platform {
    state: Arc<AppState>,
}

impl Platform {
    /// Opens (and on first start, seeds) the platform's database.
    pub fn open(config: &PlatformConfig) -> Result<Platform, PlatformError> {
        store::sql::off_the_runtime(|| Platform::open_here(config))
    }

    fn open_here(config: &PlatformConfig) -> Result<Platform, PlatformError> {
        let (mut connection, postgres) = match &config.database {
            Database::Sqlite(path) => (store::db::open(path)?, None),
            Database::Postgres {
                url,
                connections,
                tls,
            } => {
                let server = store::postgres_server::PostgresServer::new(url, tls)?;
                (
                    store::postgres_schema::open(&server)?,
                    Some((server, *connections)),
                )
            }
        };
        // Instances starting together on a new PostgreSQL database seed it
        // one after the other: the second finds the first's keys and data.
        let now = connection.transact_in_turn(|tx| {
            let seeding =
                |error: crate::error::ApiError| PlatformError::Seed(format!("{:?}", error.0));
            let now = store::clock::now(tx)?;
            domain::issuer::ensure_key(tx, now, config.issuer_suite).map_err(seeding)?;
            domain::issuer::ensure_authority_key(tx, now, config.authority_suite)
                .map_err(seeding)?;
            domain::seed::seed(tx, now).map_err(seeding)?;
            domain::face::SimulatedFacePlatform::ensure_key(tx).map_err(seeding)?;
            Ok::<_, PlatformError>(now)
        })?;
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let platform = Platform {
            state: Arc::new(AppState {
                db: match &postgres {
                    None => store::pool::Pool::sqlite(connection),
                    Some((server, size)) => store::pool::Pool::postgres(server, connection, *size)?,
                },
                database_file: config.database.file().map(std::path::Path::to_owned),
                admin_token: config.admin_token.clone(),
                issuer_name: config.issuer_name.clone(),
                public_url: config
                    .public_url
                    .as_ref()
                    .map(|url| url.trim_end_matches('/').to_owned()),
                status_cache: domain::issuer::StatusCache::default(),
                trust_cache: domain::service_points::TrustCache::default(),
                clock_offset: std::sync::atomic::AtomicI64::new(0),
                certificate_font: domain::certificate_pdf::CertificateFont::new(
                    config.certificate_font.clone(),
                ),
                face_verifier: Arc::new(domain::face::TrustedFacePlatforms),
                sms: Arc::new(domain::sms::SmsOutbox),
                tick: domain::tick::advance,
                compute_slots: http::context::Slots::new(cores),
                pin_slots: http::context::Slots::new(cores / 2),
                metrics: http::operations::metrics::Metrics::default(),
                rate_limits: Arc::new(http::rate_limit::RateLimits::new(
                    config.source_rate_limit,
                    config.device_rate_limit,
                    config.trusted_proxies.clone(),
                )),
                draining: std::sync::atomic::AtomicBool::new(false),
                readiness_probe: std::sync::atomic::AtomicBool::new(false),
                workflow_counts: Mutex::new(None),
                ticked_at: std::sync::atomic::AtomicU64::new(0),
                device_keys: http::device_keys::DeviceKeys::default(),
            }),
        };
        platform.state.remember_now(now);
        Ok(platform)
    }

    /// The authority keys that sign this platform's trust lists, as a
    /// terminal pins them (`ecard platform authority-key`; the admin API
    /// serves the same at `GET /admin/trust/authority-keys`).
    pub fn authority_keys(&self) -> Result<Vec<ecard_credential::AuthorityKey>, PlatformError> {
        store::sql::off_the_runtime(|| self.authority_keys_here())
    }

    fn authority_keys_here(&self) -> Result<Vec<ecard_credential::AuthorityKey>, PlatformError> {
        let mut connection = self.state.lock_database()?;
        let tx = connection.transaction()?;
        let now = store::clock::now(&tx)?;
        let keys = domain::issuer::authority_keys(&tx, &self.state.issuer_name, now)
            .map_err(|error| PlatformError::Seed(format!("{:?}", error.0)))?;
        tx.commit()?;
        Ok(keys)
    }

    /// The HTTP routes: the API, the admin API and the operations
    /// endpoints, on one listener.
    pub fn router(&self) -> Router {
        http::router::router(http::router::Surface::All, self.state.clone())
    }

    /// The public API alone (rate limited), without `/admin/*` and the
    /// operations endpoints: what a deployment exposes to the internet.
    pub fn api_router(&self) -> Router {
        http::router::router(http::router::Surface::Api, self.state.clone())
    }

    /// The admin API (`/admin/*`) with the operations endpoints
    /// (`/metrics`, `/healthz`, `/readyz`): for the operators' network.
    pub fn admin_router(&self) -> Router {
        http::router::router(http::router::Surface::Admin, self.state.clone())
    }

    /// Marks the platform as draining: from now on `/readyz` answers `503`,
    /// so load balancers send no new requests while the last ones finish.
    /// The serving layer calls it at the start of a graceful shutdown.
    pub fn set_draining(&self) {
        self.state
            .draining
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Serves everything ([`Platform::router`]) on `listener` until
    /// `shutdown` completes, with the default limits of
    /// [`server::ServeOptions`] over plain HTTP: a platform on loopback
    /// (tests, the demo, embedding).
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let router = self.router();
        self.serve_sockets(
            vec![(listener, router, server::ServeOptions::default())],
            shutdown,
        )
        .await
    }

    /// Serves a deployment: with `served.admin`, the API on `served.api`
    /// and the admin routes with the operations endpoints on the admin
    /// listener (plain HTTP: it is on loopback); without it, everything on
    /// a loopback `served.api` and the API alone on any other address.
    /// When `shutdown` completes, readiness turns to `503`, the listeners
    /// close and requests in flight finish (up to the options' grace).
    pub async fn serve_exposed(
        &self,
        served: Served,
        options: server::ServeOptions,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let api_on_loopback = served.api.local_addr()?.ip().is_loopback();
        let mut sockets = Vec::new();
        match served.admin {
            Some(admin) => {
                let admin_options = server::ServeOptions {
                    tls: None,
                    ..options.clone()
                };
                sockets.push((served.api, self.api_router(), options));
                sockets.push((admin, self.admin_router(), admin_options));
            }
            None if api_on_loopback => sockets.push((served.api, self.router(), options)),
            None => sockets.push((served.api, self.api_router(), options)),
        }
        self.serve_sockets(sockets, shutdown).await
    }

    /// Serves each listener with its routes and options until `shutdown`,
    /// with the background checkpoints of a database file.
    async fn serve_sockets(
        &self,
        sockets: Vec<(tokio::net::TcpListener, Router, server::ServeOptions)>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let checkpoints = self.state.database_file.clone().map(|file| {
            let state = self.state.clone();
            let set_automatic = move |pages| {
                if let Ok(connection) = state.lock_database()
                    && let Some(connection) = connection.as_sqlite()
                {
                    store::checkpoints::set_automatic(connection, pages);
                }
            };
            tokio::spawn(store::checkpoints::run(set_automatic, file))
        });
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let draining = self.clone();
        let signal = tokio::spawn(async move {
            shutdown.await;
            draining.set_draining();
            let _ = stop.send(true);
        });
        let mut servers = tokio::task::JoinSet::new();
        for (listener, router, options) in sockets {
            servers.spawn(server::serve(listener, router, options, stopped.clone()));
        }
        let mut served = Ok(());
        while let Some(joined) = servers.join_next().await {
            match joined {
                Ok(Err(error)) => served = Err(error),
                Err(error) => served = Err(std::io::Error::other(error)),
                Ok(Ok(())) => {}
            }
        }
        signal.abort();
        if let Some(checkpoints) = checkpoints {
            checkpoints.abort();
        }
        served
    }
}

/// The listeners of [`Platform::serve_exposed`].
pub struct Served {
    /// The API (everything, when on loopback without `admin`).
    pub api: tokio::net::TcpListener,
    /// The admin routes and the operations endpoints, on loopback.
    pub admin: Option<tokio::net::TcpListener>,
}

/// A platform serving on loopback from its own thread and runtime, for
/// tests, the demo and embedding. Dropping it stops the server.
pub struct RunningPlatform {
    address: SocketAddr,
    admin_token: String,
    platform: Platform,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningPlatform {
    /// Opens the platform and serves it on `127.0.0.1` at a free port.
    pub fn start(config: &PlatformConfig) -> Result<RunningPlatform, PlatformError> {
        RunningPlatform::start_at(config, SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Opens the platform and serves it at `address`.
    pub fn start_at(
        config: &PlatformConfig,
        address: SocketAddr,
    ) -> Result<RunningPlatform, PlatformError> {
        let platform = Platform::open(config)?;
        let listener = std::net::TcpListener::bind(address)?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = platform.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("ecard-platform".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let _ = serving
                        .serve(listener, async move {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })?;
        Ok(RunningPlatform {
            address,
            admin_token: config.admin_token.clone(),
            platform,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The socket address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The admin bearer token.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The platform behind the server.
    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    /// Stops serving and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for RunningPlatform {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Replies share this type; re-exported for handlers in tests.
pub type HandlerReply = Reply;
