//! `infrabrief build`: build in memory, then write the output folder atomically.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::{CONTENT_ERRORS, SUCCESS, USAGE_OR_IO, exit, print_diagnostics};
use crate::cli::BuildArgs;
use crate::output;
use crate::pipeline::{self, Options};

pub fn run(args: &BuildArgs) -> ExitCode {
    let started = Instant::now();
    let root = match output::normalize(&args.root) {
        Ok(root) => root,
        Err(error) => {
            eprintln!("error: cannot resolve {}: {error}", args.root.display());
            return exit(USAGE_OR_IO);
        }
    };
    let build = match pipeline::build(&root, Options { drafts: args.drafts }) {
        Ok(build) => build,
        Err(error) => {
            eprintln!("error: {error}");
            return exit(USAGE_OR_IO);
        }
    };
    print_diagnostics(&build.diagnostics, &build.sources);
    let Some(rendered) = build.rendered.as_ref().filter(|_| !build.diagnostics.has_errors()) else {
        eprintln!("build failed: nothing was written");
        return exit(CONTENT_ERRORS);
    };
    let target = match &args.output {
        Some(path) => output::normalize(path),
        None => Ok(root.join("public")),
    };
    let target: PathBuf = match target {
        Ok(target) => target,
        Err(error) => {
            eprintln!("error: cannot resolve the output folder: {error}");
            return exit(USAGE_OR_IO);
        }
    };
    let write_started = Instant::now();
    if let Err(error) = output::write(&root, &target, &rendered.output) {
        eprintln!("error: {error}");
        return exit(USAGE_OR_IO);
    }
    let write_time = write_started.elapsed();
    if !args.report.quiet {
        let stats = &rendered.stats;
        println!(
            "built {} pages ({} briefs, {} deals), {} data files, {} static files, search index {} KB, {:.1} MB in {} ms -> {}",
            stats.pages,
            stats.briefs,
            stats.deals,
            stats.data_files,
            stats.static_files,
            stats.search_index_bytes.div_ceil(1024),
            rendered.output.total_bytes() as f64 / 1_000_000.0,
            started.elapsed().as_millis(),
            target.display()
        );
        if args.report.verbose {
            let t = &build.timings;
            println!(
                "  load {:.1} ms, validate {:.1} ms, render {:.1} ms, write {:.1} ms",
                t.load.as_secs_f64() * 1e3,
                t.validate.as_secs_f64() * 1e3,
                t.render.as_secs_f64() * 1e3,
                write_time.as_secs_f64() * 1e3
            );
            if let Some(peak) = peak_rss_kb() {
                println!("  peak RSS {:.1} MB", peak as f64 / 1024.0);
            }
        }
    }
    exit(SUCCESS)
}

/// The process's peak resident set size in KiB, where the system tells it (Linux `/proc`).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
