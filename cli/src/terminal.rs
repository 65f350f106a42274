//! `ecard terminal`: provision a terminal's state file, as an operator sets
//! up a gate or counter before its first scan.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use ecard_terminal::{Terminal, TerminalSettings};

use crate::output::now;
use crate::verify::{PolicyArgs, TrustArgs};

#[derive(Subcommand)]
pub enum TerminalCommand {
    /// Write a fresh state file: trust list and verifier settings. Codes made
    /// before now are refused; status lists are installed with `ecard
    /// verify --state FILE --status LIST` or `--status` here.
    Provision(ProvisionArgs),
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
    }
}

fn provision(args: &ProvisionArgs) -> Result<ExitCode, String> {
    let now = args.now.unwrap_or_else(now);
    let trust = args.trust.load(now)?;
    let settings = TerminalSettings::from_policy(&args.policy.purposes(), &args.policy.policy()?);
    let mut terminal = Terminal::provision(&args.state, trust, settings, now)
        .map_err(|error| format!("{}: {error}", args.state.display()))?;
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
