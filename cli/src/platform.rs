//! `ecard platform serve`: the reference card-service platform over HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use ecard_platform::{Platform, PlatformConfig};

#[derive(Subcommand)]
pub enum PlatformCommand {
    /// Serve the platform until interrupted.
    Serve(ServeArgs),
    /// Print the authority keys that sign the platform's trust list (JSON),
    /// to provision terminals (`ecard verify --authority-key FILE`).
    AuthorityKey(AuthorityKeyArgs),
}

#[derive(Args)]
pub struct AuthorityKeyArgs {
    /// SQLite database file of the platform (created and seeded if new).
    #[arg(long)]
    db: PathBuf,
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
    fn config(&self, db: &std::path::Path) -> PlatformConfig {
        let config = PlatformConfig::new(db);
        match self.issuer_suite {
            Some(suite) => config.with_suite(suite),
            None => config,
        }
    }
}

#[derive(Args)]
pub struct ServeArgs {
    /// SQLite database file (created and seeded on first start).
    #[arg(long)]
    db: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8470")]
    addr: SocketAddr,
    /// Bearer token for `/admin` endpoints (random when omitted).
    #[arg(long, env = "ECARD_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// The platform's public base URL (`https://ecard.example`): the
    /// OpenID Connect issuer of scan-to-login. When omitted, each
    /// authorization request's `Host` is used (a platform on loopback).
    #[arg(long)]
    public_url: Option<String>,
    #[command(flatten)]
    suite: DeploymentSuite,
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
    let mut config = args.suite.config(&args.db);
    if let Some(token) = &args.admin_token {
        config.admin_token = token.clone();
    }
    config.public_url = args.public_url.clone();
    let platform = Platform::open(&config).map_err(|error| error.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|error| format!("{}: {error}", args.addr))?;
        let address = listener.local_addr().map_err(|error| error.to_string())?;
        println!("ecard platform serving http://{address}");
        println!("admin token: {}", config.admin_token);
        platform
            .serve(listener, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|error| error.to_string())
    })?;
    Ok(ExitCode::SUCCESS)
}
