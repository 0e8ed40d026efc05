//! The command line, as clap types only. Parsing happens in `main`; meaning in `cmd`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "infrabrief",
    version,
    about = "Build an explainer of AI infrastructure from Markdown briefs and a typed deal registry",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ under the root by default)
    Build(BuildArgs),
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder: the one holding content/, templates/ and static/
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Where to write the site [default: ROOT/public]
    #[arg(short = 'o', long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Include briefs and pages marked `draft = true`
    #[arg(long)]
    pub drafts: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// How much the command prints.
#[derive(Debug, Args, Clone, Copy)]
pub struct ReportArgs {
    /// Print per-stage timings
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}
