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
    /// Check the site without writing anything: content, links, anchors, external resources, figures
    Check(CheckArgs),
    /// Preview the site on 127.0.0.1, rebuilding and reloading the browser on every change
    Serve(ServeArgs),
    /// Create new content
    New(NewArgs),
    /// Report what a change does to the registry, totals, briefs, pages and charts
    Diff(DiffArgs),
    /// Remove a previous output that a build moved aside (run by `build` in the background)
    #[command(hide = true)]
    RemoveOldOutput {
        /// The moved-aside folder (`.NAME.old-PID` beside the output)
        path: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The state before: a git revision (branch, tag, commit) or a site folder
    pub base: String,
    /// The state after: a git revision or a site folder [default: the working tree at --root]
    pub head: Option<String>,
    /// The site folder (inside the git repository for revisions)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Report format: Markdown for a pull-request comment, or JSON (shape documented in README)
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write the before and after SVG of every changed chart, and an index.html, into DIR
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Exit 1 when HEAD does not build cleanly
    #[arg(long)]
    pub fail_on_error: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The site folder: the one holding content/, templates/ and static/
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Output format: human-readable diagnostics or a JSON report (shape documented in README)
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// Include briefs and pages marked `draft = true`
    #[arg(long)]
    pub drafts: bool,
    /// Print nothing but problems
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site folder: the one holding content/, templates/ and static/
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Port on 127.0.0.1; when it is busy the next ones are tried. 0 picks a free port
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Include briefs and pages marked `draft = true`
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    #[command(subcommand)]
    pub what: NewCommand,
}

#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Write content/briefs/<slug>.md with front matter and today's date
    Brief {
        /// The brief's title; the file name is made from it
        title: String,
        /// The site folder
        #[arg(long, value_name = "DIR", default_value = ".")]
        root: PathBuf,
    },
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
