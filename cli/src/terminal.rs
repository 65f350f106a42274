//! `ecard terminal`: provision a terminal's state file, as an operator sets
//! up a gate or counter before its first scan.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use ecard_credential::Locale;
use ecard_credential::trust::SignedTrustList;
use ecard_terminal::{Terminal, TerminalSettings};

use crate::output::now;
use crate::verify::{PolicyArgs, TrustArgs};

#[derive(Subcommand)]
pub enum TerminalCommand {
    /// Write a fresh state file: trust list and verifier settings (replacing
    /// a state there refuses codes made before now); status lists are
    /// installed with `ecard verify --state FILE --status LIST` or `--status`
    /// here.
    Provision(ProvisionArgs),
    /// Install a new signed trust list into a terminal's state: verified
    /// against the authority keys the terminal pinned, never an older one.
    Trust(TrustUpdateArgs),
}

#[derive(Args)]
pub struct TrustUpdateArgs {
    /// The terminal's state file.
    #[arg(long)]
    state: PathBuf,
    /// The signed trust list (JSON, as the platform serves it).
    #[arg(long = "trust-list")]
    trust_list: PathBuf,
    /// Install at this Unix time instead of now.
    #[arg(long)]
    now: Option<u64>,
}

#[derive(Args)]
pub struct ProvisionArgs {
    /// The state file to write (replaced if it exists).
    #[arg(long)]
    state: PathBuf,
    #[command(flatten)]
    trust: TrustArgs,
    /// A signed status list to install right away.
    #[arg(long)]
    status: Option<PathBuf>,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Provision at this Unix time instead of now.
    #[arg(long)]
    now: Option<u64>,
}

pub fn run(command: &TerminalCommand) -> Result<ExitCode, String> {
    match command {
        TerminalCommand::Provision(args) => provision(args),
        TerminalCommand::Trust(args) => update_trust(args),
    }
}

fn update_trust(args: &TrustUpdateArgs) -> Result<ExitCode, String> {
    let now = args.now.unwrap_or_else(now);
    let text = std::fs::read_to_string(&args.trust_list)
        .map_err(|error| format!("{}: {error}", args.trust_list.display()))?;
    let signed = SignedTrustList::from_json(&text)
        .map_err(|error| format!("{}: {}", args.trust_list.display(), error.code()))?;
    let mut terminal = Terminal::open(&args.state, now);
    let installed = terminal.install_trust_list(&signed, now);
    terminal
        .close(now)
        .map_err(|error| format!("{}: {error}", args.state.display()))?;
    match installed {
        Ok(sequence) => {
            println!("trust list installed, sequence {sequence}");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Err(format!(
            "trust list refused: {}: {} / {}",
            error.code(),
            error.message(Locale::ZhCn),
            error.message(Locale::En)
        )),
    }
}

fn provision(args: &ProvisionArgs) -> Result<ExitCode, String> {
    let now = args.now.unwrap_or_else(now);
    let trust = args.trust.anchor(now)?;
    let settings = TerminalSettings::from_policy(&args.policy.purposes(), &args.policy.policy()?);
    let provisioned = match trust {
        Ok(anchor) => Terminal::provision_anchored(&args.state, anchor, settings, now),
        Err(unsigned) => Terminal::provision(&args.state, unsigned, settings, now),
    };
    let mut terminal = provisioned.map_err(|error| format!("{}: {error}", args.state.display()))?;
    if let Some(path) = &args.status {
        let bytes = std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))?;
        let sequence = terminal
            .install_status_list(&bytes, now)
            .map_err(|error| format!("status list: {} ({error})", error.code()))?;
        println!("status list installed, sequence {sequence}");
    }
    terminal
        .close(now)
        .map_err(|error| format!("{}: {error}", args.state.display()))?;
    println!("terminal provisioned: {}", args.state.display());
    Ok(ExitCode::SUCCESS)
}
