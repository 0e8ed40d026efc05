//! The `infrabrief` binary: parse the command line, run the subcommand, return its exit code.

use std::process::ExitCode;

use clap::Parser;
use infrabrief::cli::{Cli, Command};
use infrabrief::cmd;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::New(args) => cmd::new::run(args),
        Command::Diff(args) => cmd::diff::run(args),
        Command::RemoveOldOutput { path } => cmd::build::remove_old_output(path),
    }
}
