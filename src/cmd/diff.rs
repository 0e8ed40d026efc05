//! `infrabrief diff BASE [HEAD]`: builds both sides in memory and prints the review report.
//!
//! A side is a site folder or a git revision. Revisions are read with `git archive` into a
//! temporary folder (removed afterwards), so the working tree and the index are never touched.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{CONTENT_ERRORS, SUCCESS, USAGE_OR_IO, exit};
use crate::cli::{DiffArgs, ReportFormat};
use crate::diag::{Diagnostics, Sources};
use crate::diff::{self, Side};
use crate::load::LoadError;
use crate::output;
use crate::pipeline::{self, Build, Options};

/// A temporary folder holding one revision, removed when dropped.
struct Checkout {
    path: PathBuf,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Where one side's site is, and its label in the report.
struct Resolved {
    label: String,
    root: PathBuf,
    _checkout: Option<Checkout>,
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output =
        Command::new("git").arg("-C").arg(root).args(args).output().map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}

fn resolve(root: &Path, spec: &str) -> Result<Resolved, String> {
    let as_folder = Path::new(spec);
    if as_folder.is_dir() {
        let path = output::normalize(as_folder).map_err(|e| format!("cannot resolve {spec}: {e}"))?;
        return Ok(Resolved { label: spec.to_string(), root: path, _checkout: None });
    }
    let commit = git(root, &["rev-parse", "--verify", "--quiet", &format!("{spec}^{{commit}}")])
        .map_err(|_| format!("`{spec}` is neither a folder nor a git revision of {}", root.display()))?;
    let prefix = git(root, &["rev-parse", "--show-prefix"])?;
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "infrabrief-diff-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let checkout = Checkout { path: path.clone() };
    let tree = if prefix.is_empty() { commit.clone() } else { format!("{commit}:{}", prefix.trim_end_matches('/')) };
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["archive", "--format=tar", &tree])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run git archive: {e}"))?;
    let tar_input = archive.stdout.take().ok_or("git archive has no output")?;
    let unpacked = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(&path)
        .stdin(Stdio::from(tar_input))
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let archived = archive.wait().map_err(|e| format!("git archive failed: {e}"))?;
    if !archived.success() || !unpacked.status.success() {
        return Err(format!("could not read revision `{spec}` ({})", String::from_utf8_lossy(&unpacked.stderr).trim()));
    }
    let short = commit.get(..12).unwrap_or(&commit);
    let label = if commit.starts_with(spec) { short.to_string() } else { format!("{spec} ({short})") };
    Ok(Resolved { label, root: path, _checkout: Some(checkout) })
}

/// Builds a side; a revision without a site yet is an empty side, not an error.
fn build(resolved: &Resolved) -> Result<Option<Build>, String> {
    match pipeline::build(&resolved.root, Options::default()) {
        Ok(build) => Ok(Some(build)),
        Err(LoadError::NotASite(_)) => Ok(None),
        Err(error) => Err(error.to_string()),
    }
}

pub fn run(args: &DiffArgs) -> ExitCode {
    let root = match output::normalize(&args.root) {
        Ok(root) => root,
        Err(error) => {
            eprintln!("error: cannot resolve {}: {error}", args.root.display());
            return exit(USAGE_OR_IO);
        }
    };
    let base = match resolve(&root, &args.base) {
        Ok(base) => base,
        Err(problem) => {
            eprintln!("error: {problem}");
            return exit(USAGE_OR_IO);
        }
    };
    let head = match &args.head {
        Some(spec) => match resolve(&root, spec) {
            Ok(head) => head,
            Err(problem) => {
                eprintln!("error: {problem}");
                return exit(USAGE_OR_IO);
            }
        },
        None => Resolved { label: "working tree".to_string(), root: root.clone(), _checkout: None },
    };
    let (base_build, head_build) = match (build(&base), build(&head)) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(problem), _) | (_, Err(problem)) => {
            eprintln!("error: {problem}");
            return exit(USAGE_OR_IO);
        }
    };
    let (no_diagnostics, no_sources) = (Diagnostics::default(), Sources::default());
    let empty = (&no_diagnostics, &no_sources);
    let (report, pairs) =
        diff::compare(&side(&base, base_build.as_ref(), empty), &side(&head, head_build.as_ref(), empty));
    match args.format {
        ReportFormat::Markdown => print!("{}", diff::to_markdown(&report)),
        ReportFormat::Json => println!("{}", diff::to_json(&report)),
    }
    if let Some(folder) = &args.charts
        && let Err(problem) = write_charts(folder, &report, &pairs)
    {
        eprintln!("error: {problem}");
        return exit(USAGE_OR_IO);
    }
    if args.fail_on_error && !report.head_builds {
        return exit(CONTENT_ERRORS);
    }
    exit(SUCCESS)
}

fn side<'a>(resolved: &Resolved, build: Option<&'a Build>, empty: (&'a Diagnostics, &'a Sources)) -> Side<'a> {
    match build {
        Some(build) => Side {
            label: resolved.label.clone(),
            site: build.site.as_ref(),
            rendered: build.rendered.as_ref(),
            diagnostics: &build.diagnostics,
            sources: &build.sources,
        },
        None => Side {
            label: format!("{} (no site)", resolved.label),
            site: None,
            rendered: None,
            diagnostics: empty.0,
            sources: empty.1,
        },
    }
}

fn write_charts(folder: &Path, report: &diff::Report, pairs: &[diff::ChartPair]) -> Result<(), String> {
    std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    for pair in pairs {
        for (name, svg) in pair.files() {
            let path = folder.join(name);
            std::fs::write(&path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
    }
    let index = folder.join("index.html");
    std::fs::write(&index, diff::charts_page(report, pairs))
        .map_err(|e| format!("cannot write {}: {e}", index.display()))
}
