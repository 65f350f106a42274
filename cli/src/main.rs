//! `ecard`: the command-line face of the project.
//!
//! - `ecard demo` walks the e-card code journey end to end;
//! - `ecard code sample` issues a sample credential and prints a fresh code;
//! - `ecard verify` checks a code (text or PNG) offline, as a terminal would.

#![allow(
    clippy::print_stdout,
    reason = "a command-line tool prints its results"
)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod id;
mod output;
mod platform;
mod sample;
mod terminal;
mod verify;

#[derive(Parser)]
#[command(
    name = "ecard",
    version,
    about = "The e-card (电子社保卡) core: codes, verification, demo"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Walk the code journey: issue, show, verify, refuse replay, expiry and revocation.
    Demo(demo::DemoArgs),
    /// Work with e-card codes.
    Code {
        #[command(subcommand)]
        command: CodeCommand,
    },
    /// Verify a code offline against a trust list and a status list, or as a
    /// provisioned terminal (`--state`).
    Verify(verify::VerifyArgs),
    /// Set up a gate or counter terminal's state file.
    Terminal {
        #[command(subcommand)]
        command: terminal::TerminalCommand,
    },
    /// Run the reference card-service platform.
    Platform {
        #[command(subcommand)]
        command: platform::PlatformCommand,
    },
    /// Check identity documents.
    Id {
        #[command(subcommand)]
        command: IdCommand,
    },
}

#[derive(Subcommand)]
enum IdCommand {
    /// Check a document number: type, check digit, date, region.
    Check(id::IdCheckArgs),
}

#[derive(Subcommand)]
enum CodeCommand {
    /// Issue a sample credential and print a fresh code for it.
    Sample(sample::SampleArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Code {
            command: CodeCommand::Sample(args),
        } => sample::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Terminal { command } => terminal::run(&command),
        Command::Platform { command } => platform::run(&command),
        Command::Id {
            command: IdCommand::Check(args),
        } => id::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("ecard: {error}");
            ExitCode::from(2)
        }
    }
}
