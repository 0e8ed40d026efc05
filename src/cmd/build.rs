//! `infrabrief build`: load and validate, render straight into a staging folder beside the
//! output (many threads writing at once), then swap it in. The previous output is removed by a
//! detached `infrabrief remove-old-output` process, so the build never waits for that. Before
//! loading, an output that a killed build left aside is put back ([`output::restore_interrupted`]).
//! Each brief's source goes to the render, which drops it once the brief is rendered unless a
//! diagnostic quotes it: the sources were the largest thing a build held to the end.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use super::{CONTENT_ERRORS, SUCCESS, USAGE_OR_IO, exit, print_diagnostics};
use crate::cli::BuildArgs;
use crate::output::{self, OldTree, Staging};
use crate::pipeline::{self, Options};
use crate::render;
use crate::render::format::plural;
use crate::render::pages::Released;

pub fn run(args: &BuildArgs) -> ExitCode {
    let started = Instant::now();
    let root = match output::normalize(&args.root) {
        Ok(root) => root,
        Err(error) => {
            eprintln!("error: cannot resolve {}: {error}", args.root.display());
            return exit(USAGE_OR_IO);
        }
    };
    let target: PathBuf = match &args.output {
        Some(path) => match output::normalize(path) {
            Ok(target) => target,
            Err(error) => {
                eprintln!("error: cannot resolve the output folder: {error}");
                return exit(USAGE_OR_IO);
            }
        },
        None => root.join("public"),
    };
    // A build killed between the two renames of its commit left the previous output beside the
    // target: put it back before anything else, so even a build that fails leaves it in place. A
    // target that may not be written is reported when staging, as for any build.
    if output::check_target(&root, &target).is_ok() {
        match output::restore_interrupted(&target) {
            Ok(true) if !args.report.quiet => {
                println!("restored {}: a build killed during its commit had left it aside", target.display());
            }
            Ok(_) => {}
            Err(error) => {
                eprintln!("error: {error}");
                return exit(USAGE_OR_IO);
            }
        }
    }
    let prepared = match pipeline::prepare(&root, Options { drafts: args.drafts }) {
        Ok(prepared) => prepared,
        Err(error) => {
            eprintln!("error: {error}");
            return exit(USAGE_OR_IO);
        }
    };
    let pipeline::Prepared { mut sources, mut diagnostics, site, theme, timings } = prepared;
    let Some(mut site) = site.filter(|_| !diagnostics.has_errors()) else {
        diagnostics.sort();
        print_diagnostics(&diagnostics, &sources);
        eprintln!("build failed: nothing was written");
        return exit(CONTENT_ERRORS);
    };
    let staging = match Staging::create(&root, &target) {
        Ok(staging) => staging,
        Err(error) => {
            eprintln!("error: {error}");
            return exit(USAGE_OR_IO);
        }
    };
    let render_started = Instant::now();
    // Every brief's source goes to the render, which drops it once the brief is rendered (the
    // largest thing a build would otherwise hold to the end); only a brief with a diagnostic
    // keeps its source, for the diagnostic to quote.
    let texts = site.take_brief_texts();
    let quoted: BTreeSet<&str> = diagnostics.iter().map(|d| d.file.as_str()).collect();
    let unquoted: rustc_hash::FxHashSet<&str> =
        site.briefs.iter().map(|brief| brief.file.as_str()).filter(|file| !quoted.contains(file)).collect();
    sources.retain(|file| !unquoted.contains(file));
    drop((quoted, unquoted));
    let released = Released { texts, sources: &mut sources };
    let (facts, problems) = render::render_into(&site, &theme, &staging, Some(released));
    let render_time = render_started.elapsed();
    diagnostics.extend(problems);
    diagnostics.sort();
    print_diagnostics(&diagnostics, &sources);
    let Some(facts) = facts.filter(|_| !diagnostics.has_errors()) else {
        drop(staging);
        eprintln!("build failed: nothing was written");
        return exit(CONTENT_ERRORS);
    };
    let write_time = staging.write_time();
    let commit_started = Instant::now();
    match staging.commit() {
        Ok(old) => remove_in_background(old),
        Err(error) => {
            eprintln!("error: {error}");
            return exit(USAGE_OR_IO);
        }
    }
    let commit_time = commit_started.elapsed();
    if !args.report.quiet {
        let stats = &facts.stats;
        println!(
            "built {} ({}, {}), {}, {}, {} in {} ms -> {}",
            plural(stats.pages, "page"),
            plural(stats.briefs, "brief"),
            plural(stats.deals, "deal"),
            plural(stats.data_files, "data file"),
            plural(stats.static_files, "static file"),
            stats
                .search_index_bytes
                .map_or("no search index".to_string(), |bytes| format!("search index {} KB", bytes.div_ceil(1024))),
            started.elapsed().as_millis(),
            target.display()
        );
        if args.report.verbose {
            let t = &timings;
            let r = &facts.timings;
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
            println!(
                "  load {:.1} ms, validate {:.1} ms, charts {:.1} ms, markdown {:.1} ms, templates {:.1} ms, index {:.1} ms, render {:.1} ms, write {:.1} ms, commit {:.1} ms",
                ms(t.load),
                ms(t.validate),
                ms(r.charts),
                ms(r.markdown),
                ms(r.templates),
                ms(r.index),
                ms(render_time),
                ms(write_time),
                ms(commit_time)
            );
            println!(
                "  (write is thread time spent writing files, overlapped with rendering; after the briefs, index and templates run side by side)"
            );
            println!(
                "  brief pages: {}",
                if facts.stats.brief_pages_direct {
                    "the built-in brief page, written without tera"
                } else {
                    "through tera (the site has its own base.html, brief.html, partials/deal_table.html or partials/brief_item.html)"
                }
            );
            if let Some(peak) = peak_rss_kb() {
                println!("  peak RSS {:.1} MB", peak as f64 / 1024.0);
            }
        }
    }
    render::drop_later((sources, site, theme, facts));
    exit(SUCCESS)
}

/// Removes the previous output in a detached process; inline if that process cannot start.
fn remove_in_background(old: Option<OldTree>) {
    let Some(OldTree(path)) = old else { return };
    let spawned = std::env::current_exe().ok().and_then(|exe| {
        Command::new(exe)
            .arg("remove-old-output")
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()
    });
    if spawned.is_none() {
        let _ = output::remove_old_tree(&path);
    }
}

/// `infrabrief remove-old-output PATH` (hidden): removes a tree a commit moved aside.
pub fn remove_old_output(path: &Path) -> ExitCode {
    match output::remove_old_tree(path) {
        Ok(()) => exit(SUCCESS),
        Err(_) => exit(USAGE_OR_IO),
    }
}

/// The process's peak resident set size in KiB, where the system tells it (Linux `/proc`).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
