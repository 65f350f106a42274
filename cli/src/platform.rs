//! `ecard platform serve`: the reference card-service platform over HTTP.
//!
//! Safe to expose by default: an address other than loopback is served only
//! with TLS (`--tls-cert`, `--tls-key`) unless `--insecure-http` says the
//! network in front is trusted (a TLS-terminating proxy on the same host);
//! the admin token is read from `ECARD_ADMIN_TOKEN` or an owner-only file and
//! never printed; on an exposed address the admin routes and the operations
//! endpoints (`/metrics`, `/healthz`, `/readyz`) are served only on
//! `--admin-addr`, a loopback address of their own.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use ecard_platform::http::rate_limit::RateLimit;
use ecard_platform::server::{ServeOptions, tls_from_pem_files};
use ecard_platform::{Database, Platform, PlatformConfig, Served};

/// The environment variable an admin token may come from.
const ADMIN_TOKEN_VARIABLE: &str = "ECARD_ADMIN_TOKEN";
/// The file a made admin token is written to, beside the database.
const ADMIN_TOKEN_FILE: &str = "admin-token";

#[derive(Subcommand)]
pub enum PlatformCommand {
    /// Serve the platform until interrupted (SIGINT or SIGTERM: requests in
    /// flight finish first).
    Serve(Box<ServeArgs>),
    /// Print the authority keys that sign the platform's trust list (JSON),
    /// to provision terminals (`ecard verify --authority-key FILE`).
    AuthorityKey(AuthorityKeyArgs),
}

#[derive(Args)]
pub struct AuthorityKeyArgs {
    /// The platform's database: a SQLite file, or a PostgreSQL URL
    /// (`postgres://user@host:port/name`); created and seeded if new.
    #[arg(long, value_parser = parse_database)]
    db: Database,
    #[command(flatten)]
    suite: DeploymentSuite,
}

/// The suite of a new platform database's first keys.
#[derive(Args)]
pub struct DeploymentSuite {
    /// Suite of the first issuer and authority keys of a new database:
    /// sm2 (the sample Jiangxi deployment), p256 or ed25519. An existing
    /// database keeps its keys; change suite with the rotate endpoints.
    #[arg(long, value_parser = crate::output::parse_suite)]
    issuer_suite: Option<ecard_credential::Suite>,
}

impl DeploymentSuite {
    fn config(&self, db: &Database) -> PlatformConfig {
        let config = PlatformConfig::new(db.clone());
        match self.issuer_suite {
            Some(suite) => config.with_suite(suite),
            None => config,
        }
    }
}

#[derive(Args)]
pub struct ServeArgs {
    /// The database: a SQLite file, or a PostgreSQL URL
    /// (`postgres://user@host:port/name`) that several instances may share;
    /// created and seeded on first start.
    #[arg(long, value_parser = parse_database)]
    db: Database,
    /// Connections to PostgreSQL this instance keeps (requests use them at
    /// once); SQLite has one.
    #[arg(long, default_value_t = Database::DEFAULT_CONNECTIONS)]
    db_connections: usize,
    /// PEM file of the certificate authorities trusted for the PostgreSQL
    /// server's certificate (with `sslmode=require` in the URL; the
    /// certificate and its name are always checked). Without it, the web
    /// PKI's roots.
    #[arg(long)]
    db_ca: Option<PathBuf>,
    /// Reach a PostgreSQL server beyond loopback in plain text: only on a
    /// network you trust. Without it such a URL needs `sslmode=require`.
    #[arg(long)]
    insecure_db: bool,
    /// Address to listen on. Loopback is served over plain HTTP; any other
    /// address needs `--tls-cert` and `--tls-key`, or `--insecure-http`.
    #[arg(long, default_value = "127.0.0.1:8470")]
    addr: SocketAddr,
    /// A loopback address for the admin routes, `/metrics`, `/healthz` and
    /// `/readyz`; the main address then serves the API only. Without it an
    /// exposed address serves the API only and a loopback one serves all.
    #[arg(long)]
    admin_addr: Option<SocketAddr>,
    /// PEM certificate chain, the server's certificate first (TLS 1.2 and
    /// 1.3 by rustls).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of the certificate (PKCS #8, PKCS #1 or SEC1).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve plain HTTP on an address other than loopback: only behind a
    /// TLS-terminating proxy or on a network you trust.
    #[arg(long)]
    insecure_http: bool,
    /// File holding the admin bearer token, readable by its owner only.
    /// Without it the token comes from `ECARD_ADMIN_TOKEN`, or is made once
    /// and kept in `admin-token` beside the database (owner-only).
    #[arg(long)]
    admin_token_file: Option<PathBuf>,
    /// Most connections open at once, per address; at the cap a new
    /// connection replaces the quietest one that runs no request.
    #[arg(long, default_value_t = 512)]
    max_connections: usize,
    /// Seconds a request's head may take to arrive (also the longest idle
    /// keep-alive between requests).
    #[arg(long, default_value_t = 10)]
    header_timeout_seconds: u64,
    /// Seconds a request's body may take to arrive.
    #[arg(long, default_value_t = 30)]
    body_timeout_seconds: u64,
    /// Seconds a connection may move no byte while no request runs.
    #[arg(long, default_value_t = 60)]
    idle_timeout_seconds: u64,
    /// Seconds requests in flight get to finish after SIGINT or SIGTERM.
    #[arg(long, default_value_t = 30)]
    shutdown_grace_seconds: u64,
    /// Requests per source address: `RATE/BURST` (sustained per second,
    /// at once), or `off`. Default 50/100.
    #[arg(long, value_parser = parse_rate_limit)]
    rate_limit_per_source: Option<RateLimitSetting>,
    /// Requests per device: `RATE/BURST`, or `off`. Default 20/100.
    #[arg(long, value_parser = parse_rate_limit)]
    rate_limit_per_device: Option<RateLimitSetting>,
    /// A reverse proxy (IP address) whose `X-Forwarded-For` names the
    /// client; repeat for several. Requests from any other peer are
    /// limited by the peer's address, whatever they claim.
    #[arg(long = "trusted-proxy")]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// The platform's public base URL (`https://ecard.example`): the
    /// OpenID Connect issuer of scan-to-login. When omitted, each
    /// authorization request's `Host` is used (a platform on loopback).
    #[arg(long)]
    public_url: Option<String>,
    #[command(flatten)]
    suite: DeploymentSuite,
}

/// A rate limit as given on the command line; `None` is `off`.
#[derive(Clone, Copy, Debug)]
pub struct RateLimitSetting(Option<RateLimit>);

fn parse_rate_limit(text: &str) -> Result<RateLimitSetting, String> {
    if text == "off" {
        return Ok(RateLimitSetting(None));
    }
    let wrong = || format!("{text}: give RATE/BURST (for example 50/100) or off");
    let (rate, burst) = text.split_once('/').ok_or_else(wrong)?;
    let per_second: f64 = rate.parse().map_err(|_| wrong())?;
    let burst: u32 = burst.parse().map_err(|_| wrong())?;
    if !per_second.is_finite() || per_second <= 0.0 || burst == 0 {
        return Err(wrong());
    }
    Ok(RateLimitSetting(Some(RateLimit { per_second, burst })))
}

pub fn run(command: &PlatformCommand) -> Result<ExitCode, String> {
    let args = match command {
        PlatformCommand::Serve(args) => args,
        PlatformCommand::AuthorityKey(args) => {
            let platform =
                Platform::open(&args.suite.config(&args.db)).map_err(|error| error.to_string())?;
            let keys = platform
                .authority_keys()
                .map_err(|error| error.to_string())?;
            let json = serde_json::to_string_pretty(&keys).map_err(|error| error.to_string())?;
            println!("{json}");
            return Ok(ExitCode::SUCCESS);
        }
    };
    serve(args)?;
    Ok(ExitCode::SUCCESS)
}

fn serve(args: &ServeArgs) -> Result<(), String> {
    let exposed = !args.addr.ip().is_loopback();
    if exposed && args.tls_cert.is_none() && !args.insecure_http {
        return Err(format!(
            "{} is not a loopback address: serve it with --tls-cert and --tls-key, or give --insecure-http to serve plain HTTP behind a TLS proxy",
            args.addr
        ));
    }
    if let Some(admin) = args.admin_addr
        && !admin.ip().is_loopback()
    {
        return Err(format!(
            "--admin-addr {admin}: the admin routes are served on a loopback address only"
        ));
    }
    let options = ServeOptions {
        tls: match (&args.tls_cert, &args.tls_key) {
            (Some(certificate), Some(key)) => {
                Some(tls_from_pem_files(certificate, key).map_err(|error| error.to_string())?)
            }
            _ => None,
        },
        header_timeout: Duration::from_secs(args.header_timeout_seconds.max(1)),
        body_timeout: Duration::from_secs(args.body_timeout_seconds.max(1)),
        idle_timeout: Duration::from_secs(args.idle_timeout_seconds.max(1)),
        max_connections: args.max_connections.max(1),
        shutdown_grace: Duration::from_secs(args.shutdown_grace_seconds),
    };
    let mut config = args.suite.config(&args.db);
    if let Database::Postgres {
        connections, tls, ..
    } = &mut config.database
    {
        *connections = args.db_connections.max(1);
        tls.authority = args.db_ca.clone();
        tls.plaintext_beyond_loopback = args.insecure_db;
    }
    let (admin_token, token_origin) = admin_token(args)?;
    config.admin_token = admin_token;
    config.public_url = args.public_url.clone();
    if let Some(RateLimitSetting(limit)) = args.rate_limit_per_source {
        config.source_rate_limit = limit;
    }
    if let Some(RateLimitSetting(limit)) = args.rate_limit_per_device {
        config.device_rate_limit = limit;
    }
    config.trusted_proxies = args.trusted_proxies.clone();
    install_logger();
    let platform = Platform::open(&config).map_err(|error| error.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|error| format!("{}: {error}", args.addr))?;
        let admin_listener = match args.admin_addr {
            Some(address) => Some(
                tokio::net::TcpListener::bind(address)
                    .await
                    .map_err(|error| format!("{address}: {error}"))?,
            ),
            None => None,
        };
        let scheme = if options.tls.is_some() {
            "https"
        } else {
            "http"
        };
        let address = listener.local_addr().map_err(|error| error.to_string())?;
        println!("ecard platform serving {scheme}://{address}");
        match &admin_listener {
            Some(admin) => {
                let admin = admin.local_addr().map_err(|error| error.to_string())?;
                println!("admin routes, metrics, health and readiness on http://{admin}");
            }
            None if exposed => {
                println!("admin routes not served: give --admin-addr 127.0.0.1:PORT to serve them");
            }
            None => {}
        }
        println!("admin token: {token_origin}");
        let served = Served {
            api: listener,
            admin: admin_listener,
        };
        platform
            .serve_exposed(served, options, stop_signal())
            .await
            .map_err(|error| error.to_string())
    })
}

/// Completes at SIGINT or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The admin token and where it came from (said on start, never the token).
fn admin_token(args: &ServeArgs) -> Result<(String, String), String> {
    if let Some(file) = &args.admin_token_file {
        return Ok((
            read_owner_only_token(file)?,
            format!("from {}", file.display()),
        ));
    }
    if let Ok(token) = std::env::var(ADMIN_TOKEN_VARIABLE) {
        let token = token.trim().to_owned();
        if token.is_empty() {
            return Err(format!("{ADMIN_TOKEN_VARIABLE} is empty"));
        }
        return Ok((token, format!("from {ADMIN_TOKEN_VARIABLE}")));
    }
    let Some(database_file) = args.db.file() else {
        // Instances sharing a PostgreSQL database share one token: it is
        // given, never made by one of them.
        return Err(format!(
            "give the admin token with --admin-token-file or {ADMIN_TOKEN_VARIABLE} \
             (a platform on PostgreSQL makes none)"
        ));
    };
    let directory = database_file
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = directory.join(ADMIN_TOKEN_FILE);
    if file.exists() {
        return Ok((
            read_owner_only_token(&file)?,
            format!("from {}", file.display()),
        ));
    }
    let token = ecard_platform::store::db::new_id("admin");
    write_owner_only(&file, &token)?;
    Ok((token, format!("made and written to {}", file.display())))
}

/// A `--db` value: a PostgreSQL URL or a SQLite file.
fn parse_database(text: &str) -> Result<Database, String> {
    if text.is_empty() {
        return Err("give a SQLite file or a postgres:// URL".to_owned());
    }
    Ok(Database::parse(text))
}

/// The token in `file`, refused when others may read or write it.
fn read_owner_only_token(file: &Path) -> Result<String, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(file)
            .map_err(|error| format!("{}: {error}", file.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "{}: the admin token file must be readable by its owner only (chmod 600), not {:o}",
                file.display(),
                mode & 0o777
            ));
        }
    }
    let token = std::fs::read_to_string(file)
        .map_err(|error| format!("{}: {error}", file.display()))?
        .trim()
        .to_owned();
    if token.is_empty() {
        return Err(format!("{}: the admin token file is empty", file.display()));
    }
    Ok(token)
}

fn write_owner_only(file: &Path, token: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut opened = options
        .open(file)
        .map_err(|error| format!("{}: {error}", file.display()))?;
    opened
        .write_all(format!("{token}\n").as_bytes())
        .map_err(|error| format!("{}: {error}", file.display()))
}

/// Request logs and warnings to standard error, one line each with
/// `key=value` fields (the platform logs no personal data).
fn install_logger() {
    let level = match std::env::var("ECARD_LOG").as_deref() {
        Ok("debug") => tracing::Level::DEBUG,
        Ok("warn") => tracing::Level::WARN,
        Ok("error") => tracing::Level::ERROR,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
