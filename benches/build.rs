//! `cargo bench --bench build`: how fast `infrabrief build` is, measured from the outside.
//!
//! Generates corpora with `examples/corpus.rs` (1,000 and 10,000 briefs over 2,000 deals; only
//! 1,000 with `BENCH_QUICK=1`), runs the release binary on each as a child process several times,
//! discards the first run as a warm-up and prints median wall time, pages and Markdown per second,
//! peak RSS and the per-stage times the binary prints under `--verbose`. If `hugo` is on the PATH
//! it also times Hugo, infrabrief and a floor (read, pulldown-cmark, write: [`floor_child`]) in turn
//! on the same briefs, then times the shipped site.
//! Outputs go to a tmpfs folder when there is one, so the disk is not what is measured. It also
//! measures `serve`'s rebuild after an edit to one brief of the largest corpus, in process,
//! through the same `pipeline::Session` that `serve` uses. When `valgrind` is on the PATH it
//! counts the instructions of a build of the 1,000-brief briefs-only corpus and of the shipped
//! site on one thread: unlike times, the count barely moves between runs (about 0.02 %), so it
//! shows a small change on a noisy machine. `BENCH_ONLY=corpora,serve,hugo,shipped,instructions`
//! (any subset) runs only those sections. This is a plain program (`harness = false`): it prints
//! numbers and asserts nothing about them.

#[path = "../examples/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use infrabrief::pipeline::{Options, Outcome, Session};
use infrabrief::render::format::thousands;

/// Deals in the registry of the main corpora.
const DEALS: usize = 2_000;
/// Deals generated for the Hugo comparison, before the registry is cut to what the briefs use.
const COMPARE_DEALS: usize = 200;
/// What the shipped site should build in.
const SHIPPED_TARGET_MS: f64 = 150.0;

struct Plan {
    quick: bool,
    /// `(briefs, runs)`; the first run of each is a warm-up.
    corpora: Vec<(usize, usize)>,
    /// Measured rounds of the Hugo comparison (both infrabrief sites and Hugo), after one warm-up.
    hugo_rounds: usize,
    /// Measured runs of the shipped site, after one warm-up.
    shipped_runs: usize,
}

/// What one `infrabrief build --verbose` run printed, and how long it took.
#[derive(Clone, Debug, Default)]
struct Run {
    wall: Duration,
    /// User plus system CPU time of the child, from `/proc/self/stat` (Linux only).
    cpu: Option<Duration>,
    pages: Option<u64>,
    rss_mb: Option<f64>,
    /// Every `<name> <number> ms` pair of the stage lines, in order.
    stages: Vec<(String, f64)>,
    stderr: String,
}

/// Set (to `ROOT OUT`, tab-separated) when the bench runs itself as the floor's child process.
const FLOOR_ENV: &str = "INFRABRIEF_BENCH_FLOOR";

fn main() -> ExitCode {
    if let Ok(job) = std::env::var(FLOOR_ENV) {
        return floor_child(&job);
    }
    let bench_started = Instant::now();
    let quick = std::env::var("BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let plan = if quick {
        Plan { quick, corpora: vec![(1_000, 3)], hugo_rounds: 2, shipped_runs: 5 }
    } else {
        Plan { quick, corpora: vec![(1_000, 5), (10_000, 5)], hugo_rounds: 5, shipped_runs: 10 }
    };
    let built = PathBuf::from(env!("CARGO_BIN_EXE_infrabrief"));
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpora_dir = std::env::temp_dir().join("infrabrief-bench");
    let (outputs_dir, outputs_kind) = outputs_folder();
    for dir in [&corpora_dir, &outputs_dir] {
        if let Err(error) = fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {error}", dir.display());
            return ExitCode::FAILURE;
        }
    }

    println!("infrabrief build benchmark, {}", today());
    println!(
        "machine: {} CPUs ({}); mode: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        if plan.quick { "BENCH_QUICK=1 (1,000 briefs, fewer runs)" } else { "full" }
    );
    let load = load_average();
    println!("load average before: {}", load.as_deref().unwrap_or("unknown"));
    if load
        .as_deref()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|l| l.parse::<f64>().ok())
        .is_some_and(|l| l > 1.0)
    {
        println!("note: the machine is busy; wall times will be noisy (compare the cpu column and min)");
    }
    // Other work on the same checkout may rebuild target/release/infrabrief while this runs:
    // measure a private copy so every run uses the binary cargo built for this bench.
    let binary = outputs_dir.join("infrabrief");
    if let Err(error) = fs::copy(&built, &binary) {
        eprintln!("error: cannot copy {} to {}: {error}", built.display(), binary.display());
        return ExitCode::FAILURE;
    }
    println!("binary:  {} (run from a copy, {})", built.display(), binary.display());
    println!("corpora: {} (generated by examples/corpus.rs, seed {:#x})", corpora_dir.display(), corpus::DEFAULT_SEED);
    println!(
        "outputs: {} ({outputs_kind}); each output folder is deleted before each run, untimed",
        outputs_dir.display()
    );
    let mut failed = false;
    let only = std::env::var("BENCH_ONLY").ok().filter(|o| !o.is_empty());
    let wanted = |section: &str| only.as_deref().is_none_or(|o| o.split(',').any(|s| s.trim() == section));

    // ---------------------------------------------------------------- generated corpora
    println!("\n== infrabrief build on generated corpora ({} deals, about 800 words a brief)", thousands(DEALS as u64));
    let mut rows: Vec<(String, usize, Vec<Run>, u64)> = Vec::new();
    for &(briefs, runs) in plan.corpora.iter().filter(|_| wanted("corpora")) {
        let site = corpora_dir.join(format!("site-{briefs}"));
        let Some(written) = generate(briefs, DEALS, &site, None) else {
            failed = true;
            continue;
        };
        let out = outputs_dir.join(format!("site-{briefs}"));
        let label = format!("{} briefs, {} deals", thousands(briefs as u64), thousands(written.deals as u64));
        print!("  {label}: runs");
        let mut measured = Vec::new();
        for n in 0..runs {
            match run_infrabrief(&binary, &site, &out) {
                Ok(run) => {
                    print!(" {}{}", seconds(run.wall), if n == 0 { " (warm-up)" } else { "" });
                    flush();
                    if n == 0 {
                        report_stderr(&run);
                    } else {
                        measured.push(run);
                    }
                }
                Err(problem) => {
                    println!("\n  FAILED: {problem}");
                    failed = true;
                    break;
                }
            }
        }
        println!();
        let _ = clear(&out);
        if !measured.is_empty() {
            rows.push((label, briefs, measured, written.markdown_bytes));
        }
    }
    if !rows.is_empty() {
        println!();
        let header = ["corpus", "runs", "median", "min", "cpu", "pages", "pages/s", "MD MB/s", "peak RSS"];
        let mut table = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
        for (label, _, runs, markdown) in &rows {
            let wall = median_duration(runs.iter().map(|r| r.wall));
            let min = runs.iter().map(|r| r.wall).min().unwrap_or_default();
            let pages = runs.last().and_then(|r| r.pages);
            let rss = median(runs.iter().filter_map(|r| r.rss_mb));
            table.push(vec![
                label.clone(),
                runs.len().to_string(),
                seconds(wall),
                seconds(min),
                median(runs.iter().filter_map(|r| r.cpu.map(|c| c.as_secs_f64())))
                    .map_or("n/a".to_string(), |c| seconds(Duration::from_secs_f64(c))),
                pages.map_or("?".to_string(), thousands),
                pages.map_or("?".to_string(), |p| thousands((p as f64 / wall.as_secs_f64()).round() as u64)),
                format!("{:.2}", *markdown as f64 / 1e6 / wall.as_secs_f64()),
                rss.map_or("n/a".to_string(), |mb| format!("{mb:.1} MB")),
            ]);
        }
        print_table(&table);
        println!(
            "  (median and min wall time of the runs after the warm-up; cpu = median user+sys time of the process;"
        );
        println!("   pages/s and MD MB/s from the median wall time; MB = 10^6 bytes of .md files under content/)");

        let names = stage_names(rows.iter().flat_map(|(_, _, runs, _)| runs));
        if names.is_empty() {
            println!("\n  no per-stage times found in the --verbose output");
        } else {
            println!("\n  per-stage medians in ms, as printed by `infrabrief build --verbose`:");
            let mut table =
                vec![std::iter::once("corpus".to_string()).chain(names.iter().cloned()).collect::<Vec<_>>()];
            for (_, briefs, runs, _) in &rows {
                let mut row = vec![format!("{} briefs", thousands(*briefs as u64))];
                for name in &names {
                    let values = runs.iter().filter_map(|r| r.stages.iter().find(|(n, _)| n == name).map(|(_, v)| *v));
                    row.push(median(values).map_or("-".to_string(), |v| format!("{v:.1}")));
                }
                table.push(row);
            }
            print_table(&table);
        }
    }

    // ---------------------------------------------------------------- serve
    if wanted("serve")
        && let Some(&(briefs, _)) = plan.corpora.last()
    {
        let site = corpora_dir.join(format!("site-{briefs}"));
        if !site.join("content").is_dir() && generate(briefs, DEALS, &site, None).is_none() {
            failed = true;
        } else if let Err(problem) = bench_serve(&site, briefs, if plan.quick { 7 } else { 11 }) {
            println!("  FAILED: {problem}");
            failed = true;
        }
    }

    // ---------------------------------------------------------------- Hugo
    println!("\n== briefs-only comparison with Hugo");
    match hugo_version().filter(|_| wanted("hugo")) {
        None => println!("  hugo not installed or not asked for (BENCH_ONLY), skipped (apt-get install -y hugo)"),
        Some(version) => {
            println!("  {version}");
            println!(
                "  same briefs for both: infrabrief renders the Hugo twin's very Markdown with no registry (briefs only, as Hugo),"
            );
            println!(
                "  and the briefs with registry shortcodes (figures, deal cards, charts) over the minimum registry they need"
            );
            println!(
                "  (from {COMPARE_DEALS} generated deals); and the same Markdown with `search = false` in site.toml, which does"
            );
            println!(
                "  the work Hugo's twin does (Hugo builds no search index) while keeping the rest of infrabrief's theme;"
            );
            println!(
                "  {} measured rounds after one warm-up round, the five builds (with the floor, below) taking turns to go first, all writing to {outputs_kind}",
                plan.hugo_rounds
            );
            let mut floors = Vec::new();
            let mut table = vec![
                ["briefs", "build", "wall", "cpu", "pages", "hugo", "cpu", "pages", "ratio to hugo"]
                    .iter()
                    .map(|h| h.to_string())
                    .collect::<Vec<_>>(),
            ];
            for &(briefs, _) in &plan.corpora {
                let site = corpora_dir.join(format!("compare-{briefs}"));
                let plain_site = corpora_dir.join(format!("plain-{briefs}"));
                let unsearched_site = corpora_dir.join(format!("plain-{briefs}-no-search"));
                let hugo_site = corpora_dir.join(format!("hugo-{briefs}"));
                if generate(briefs, COMPARE_DEALS, &site, Some(Twins { plain: &plain_site, hugo: &hugo_site }))
                    .is_none()
                {
                    failed = true;
                    continue;
                }
                if let Err(problem) = without_search(&plain_site, &unsearched_site) {
                    println!("  FAILED to write {}: {problem}", unsearched_site.display());
                    failed = true;
                    continue;
                }
                // Three infrabrief sites: the Hugo twin's very Markdown, the same without the
                // search index (Hugo's twin builds none), and the same briefs with the registry
                // shortcodes (figures, deal cards, charts) a real site has.
                let sites = [
                    ("same Markdown as Hugo", &plain_site),
                    ("same Markdown, search = false", &unsearched_site),
                    ("registry shortcodes", &site),
                ];
                let ib_out = outputs_dir.join(format!("compare-{briefs}"));
                let hugo_out = outputs_dir.join(format!("hugo-{briefs}"));
                let mut ib_times = [Vec::new(), Vec::new(), Vec::new()];
                let mut ib_cpu = [Vec::new(), Vec::new(), Vec::new()];
                let mut ib_pages = [0, 0, 0];
                let mut hugo_times = Vec::new();
                let mut hugo_cpu_times = Vec::new();
                let mut floor_times = Vec::new();
                let mut floor_cpu_times = Vec::new();
                let floor_out = outputs_dir.join(format!("floor-{briefs}"));
                print!("  {} briefs: same Markdown/no search/shortcodes/Hugo/floor", thousands(briefs as u64));
                let mut ok = true;
                // The five builds take turns going first, so none always follows the same one.
                let (hugo_turn, floor_turn) = (sites.len(), sites.len() + 1);
                'rounds: for n in 0..=plan.hugo_rounds {
                    let mut walls = vec![String::new(); floor_turn + 1];
                    for step in 0..=floor_turn {
                        let which = (n + step) % (floor_turn + 1);
                        if let Some((_, root)) = sites.get(which) {
                            match run_infrabrief(&binary, root, &ib_out) {
                                Ok(ib) => {
                                    walls[which] = seconds(ib.wall);
                                    if n == 0 {
                                        report_stderr(&ib);
                                    } else {
                                        ib_times[which].push(ib.wall);
                                        ib_cpu[which].extend(ib.cpu);
                                    }
                                    ib_pages[which] = count_html(&ib_out);
                                }
                                Err(problem) => {
                                    println!("\n  infrabrief FAILED on {}: {problem}", root.display());
                                    ok = false;
                                    break 'rounds;
                                }
                            }
                        } else if which == floor_turn {
                            match run_floor(&plain_site, &floor_out) {
                                Ok((floor, floor_cpu)) => {
                                    walls[which] = seconds(floor);
                                    if n > 0 {
                                        floor_times.push(floor);
                                        floor_cpu_times.extend(floor_cpu);
                                    }
                                }
                                Err(problem) => {
                                    println!("\n  floor FAILED: {problem}");
                                    ok = false;
                                    break 'rounds;
                                }
                            }
                        } else if which == hugo_turn {
                            match run_hugo(&hugo_site, &hugo_out) {
                                Ok((hugo, hugo_cpu)) => {
                                    walls[which] = seconds(hugo);
                                    if n > 0 {
                                        hugo_times.push(hugo);
                                        hugo_cpu_times.extend(hugo_cpu);
                                    }
                                }
                                Err(problem) => {
                                    println!("\n  hugo FAILED: {problem}");
                                    ok = false;
                                    break 'rounds;
                                }
                            }
                        }
                    }
                    print!(" {}{}", walls.join("/"), if n == 0 { " (warm-up)" } else { "" });
                    flush();
                }
                println!();
                if !ok {
                    failed = true;
                    continue;
                }
                let cpu = |times: &[Duration]| {
                    if times.is_empty() { "n/a".to_string() } else { seconds(median_duration(times.iter().copied())) }
                };
                let hugo = median_duration(hugo_times.iter().copied());
                let hugo_pages = count_html(&hugo_out);
                let floor = median_duration(floor_times.iter().copied());
                floors.push((
                    briefs,
                    floor,
                    median_duration(ib_times[0].iter().copied()),
                    median_duration(ib_times[1].iter().copied()),
                    hugo,
                ));
                for (i, (label, _)) in sites.iter().enumerate() {
                    let ib = median_duration(ib_times[i].iter().copied());
                    table.push(vec![
                        thousands(briefs as u64),
                        label.to_string(),
                        seconds(ib),
                        cpu(&ib_cpu[i]),
                        thousands(ib_pages[i]),
                        seconds(hugo),
                        cpu(&hugo_cpu_times),
                        thousands(hugo_pages),
                        format!("{:.3}", ib.as_secs_f64() / hugo.as_secs_f64()),
                    ]);
                }
                table.push(vec![
                    thousands(briefs as u64),
                    "floor: read, pulldown-cmark, write".to_string(),
                    seconds(floor),
                    cpu(&floor_cpu_times),
                    thousands(count_html(&floor_out)),
                    seconds(hugo),
                    cpu(&hugo_cpu_times),
                    thousands(hugo_pages),
                    format!("{:.3}", floor.as_secs_f64() / hugo.as_secs_f64()),
                ]);
                let _ = clear(&ib_out);
                let _ = clear(&hugo_out);
                let _ = clear(&floor_out);
            }
            if table.len() > 1 {
                println!();
                print_table(&table);
                println!(
                    "  (median wall and cpu times; pages = .html files written; ratio of wall times, above 1 means slower than Hugo)"
                );
                println!(
                    "  floor: every brief read, its Markdown rendered by pulldown-cmark on every core and written in a bare page,"
                );
                println!(
                    "  nothing else (no templates, lists, tags, links, search index); a child process like the others"
                );
                for (briefs, floor, same_markdown, unsearched, hugo) in &floors {
                    println!(
                        "  {} briefs: infrabrief on the same Markdown takes {} more than the floor ({:.1}x it), {} without search; 0.10x Hugo would be {}, {} above the floor",
                        thousands(*briefs as u64),
                        seconds(same_markdown.saturating_sub(*floor)),
                        same_markdown.as_secs_f64() / floor.as_secs_f64(),
                        seconds(unsearched.saturating_sub(*floor)),
                        seconds(hugo.mul_f64(0.1)),
                        seconds(hugo.mul_f64(0.1).saturating_sub(*floor)),
                    );
                    // The goal is named for 10,000 briefs: the same Markdown as Hugo, with search.
                    if *briefs == 10_000 {
                        let ratio = same_markdown.as_secs_f64() / hugo.as_secs_f64();
                        println!(
                            "  10,000 briefs, same Markdown as Hugo: {ratio:.3} of Hugo's time; target <= 0.10: {}",
                            if ratio <= 0.10 { "met" } else { "not met" }
                        );
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- shipped site
    println!("\n== shipped site ({})", repo.display());
    let out = outputs_dir.join("shipped");
    let mut times = Vec::new();
    let mut cpu_times = Vec::new();
    let mut last = None;
    for n in (0..=plan.shipped_runs).filter(|_| wanted("shipped")) {
        match run_infrabrief(&binary, &repo, &out) {
            Ok(run) => {
                if n == 0 {
                    report_stderr(&run);
                } else {
                    times.push(run.wall);
                    cpu_times.extend(run.cpu);
                }
                last = Some(run);
            }
            Err(problem) => {
                println!("  FAILED: {problem}");
                failed = true;
                break;
            }
        }
    }
    if let Some(run) = last.filter(|_| !times.is_empty()) {
        let wall = median_duration(times.iter().copied());
        let ms = wall.as_secs_f64() * 1e3;
        let min = times.iter().min().copied().unwrap_or_default();
        let max = times.iter().max().copied().unwrap_or_default();
        let verdict = if ms <= SHIPPED_TARGET_MS {
            "met".to_string()
        } else {
            format!("not met, {:.0} ms over", ms - SHIPPED_TARGET_MS)
        };
        println!(
            "  {} pages, {} runs after one warm-up: median {ms:.0} ms (min {:.0}, max {:.0}); target <= {SHIPPED_TARGET_MS:.0} ms: {verdict}",
            run.pages.map_or("?".to_string(), thousands),
            times.len(),
            min.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
        );
        if !run.stages.is_empty() {
            let stages: Vec<String> = run.stages.iter().map(|(n, v)| format!("{n} {v:.1}")).collect();
            println!("  stages of the last run (ms): {}", stages.join(", "));
        }
        if let Some(rss) = run.rss_mb {
            println!("  peak RSS {rss:.1} MB");
        }
        if !cpu_times.is_empty() {
            println!("  median cpu (user+sys) {}", seconds(median_duration(cpu_times.into_iter())));
        }
    }
    // ---------------------------------------------------------------- instructions
    if wanted("instructions") {
        println!("\n== instructions (valgrind --tool=callgrind, user space, RAYON_NUM_THREADS=1)");
        if valgrind_version().is_none() {
            println!("  valgrind not installed, skipped (apt-get install -y valgrind)");
        } else {
            let plain = corpora_dir.join("plain-1000-instructions");
            let corpus =
                corpus::generate(corpus::Options { briefs: 1_000, deals: COMPARE_DEALS, seed: corpus::DEFAULT_SEED });
            let sites = match corpus.write_plain_site(&plain) {
                Ok(_) => vec![
                    ("1,000 briefs, briefs only (the Hugo twin's Markdown)", plain.as_path()),
                    ("shipped site", repo.as_path()),
                ],
                Err(error) => {
                    println!("  FAILED to write {}: {error}", plain.display());
                    failed = true;
                    vec![]
                }
            };
            for (label, root) in sites {
                match count_instructions(&binary, root, &outputs_dir.join("instructions")) {
                    Ok(count) => println!("  {label}: {} instructions", thousands(count)),
                    Err(problem) => {
                        println!("  {label}: FAILED: {problem}");
                        failed = true;
                    }
                }
            }
        }
    }

    println!(
        "\nload average after: {}; the bench took {:.0} s",
        load_average().as_deref().unwrap_or("unknown"),
        bench_started.elapsed().as_secs_f64()
    );
    // A tmpfs is memory: do not leave gigabytes of output behind. The corpora stay for inspection.
    match fs::remove_dir_all(&outputs_dir) {
        Ok(()) => {
            println!("removed the outputs in {}; the corpora stay in {}", outputs_dir.display(), corpora_dir.display())
        }
        Err(error) => println!("could not remove {}: {error}", outputs_dir.display()),
    }

    if failed {
        println!("\nsome builds FAILED (see above)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Times `serve`'s update after edits to the body of one brief, in process, with the
/// `pipeline::Session` that `serve` keeps. The brief is restored afterwards.
fn bench_serve(site: &Path, briefs: usize, edits: usize) -> Result<(), String> {
    println!(
        "\n== serve: rebuild after editing one brief ({} briefs, in process, pipeline::Session)",
        thousands(briefs as u64)
    );
    let started = Instant::now();
    let (mut session, outcome) =
        Session::open(site, Options::default()).map_err(|error| format!("cannot load {}: {error}", site.display()))?;
    let Outcome::Whole(output) = outcome else { return Err("the first build failed".to_string()) };
    println!(
        "  first build: {} ({} files, {:.0} MB held in memory, as serve holds them)",
        seconds(started.elapsed()),
        thousands(output.files.len() as u64),
        output.total_bytes() as f64 / 1e6
    );
    drop(output);
    let mut files: Vec<PathBuf> = fs::read_dir(site.join("content/briefs"))
        .map_err(|error| error.to_string())?
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let path = files.get(files.len() / 2).ok_or("no briefs")?.clone();
    let relative = path.strip_prefix(site).map_err(|error| error.to_string())?.to_string_lossy().replace('\\', "/");
    let original = fs::read_to_string(&path).map_err(|error| error.to_string())?;
    let body_at = original.match_indices("+++").nth(1).map_or(0, |(i, _)| i + 3);
    // Swapping one word for another of the same count changes the page and nothing that lists it.
    let word = original[body_at..].find(" the ").map(|i| body_at + i).ok_or("no ` the ` in the brief")?;
    let variants = [original.clone(), format!("{} a {}", &original[..word], &original[word + 5..])];
    let (mut quick, mut index) = (Vec::new(), Vec::new());
    let mut paths = Vec::new();
    for n in 1..=edits {
        fs::write(&path, &variants[n % 2]).map_err(|error| error.to_string())?;
        let started = Instant::now();
        let outcome = session.update(std::slice::from_ref(&relative)).map_err(|error| error.to_string())?;
        quick.push(started.elapsed());
        let started = Instant::now();
        let refreshed = session.search_index();
        index.push(started.elapsed());
        match outcome {
            Outcome::Files(files) => paths.push(files.files.len()),
            Outcome::Whole(_) => paths.push(usize::MAX),
            Outcome::Failed => return Err("an edit made the build fail".to_string()),
        }
        if refreshed.is_none() {
            return Err("the search index was not refreshed".to_string());
        }
    }
    // One edit that changes the brief's reading time: other pages list it, so the site is rendered again.
    let longer = format!("{}\n\n{}\n", variants[0], "More words to read. ".repeat(300));
    fs::write(&path, &longer).map_err(|error| error.to_string())?;
    let started = Instant::now();
    let wider = session.update(std::slice::from_ref(&relative)).map_err(|error| error.to_string())?;
    let wider_time = started.elapsed();
    fs::write(&path, &original).map_err(|error| error.to_string())?;
    let quick_edits = paths.iter().filter(|&&n| n != usize::MAX).count();
    println!("  edited {relative}: {edits} body edits, {quick_edits} took the quick path ({} page(s) each)", paths[0]);
    println!(
        "  rebuild before reload: median {} (min {}, max {}); target <= 50 ms: {}",
        millis(median_duration(quick.iter().copied())),
        millis(quick.iter().min().copied().unwrap_or_default()),
        millis(quick.iter().max().copied().unwrap_or_default()),
        if median_duration(quick.iter().copied()) <= Duration::from_millis(50) { "met" } else { "not met" }
    );
    println!("  search index refreshed after the reload: median {}", millis(median_duration(index.iter().copied())));
    let listed = match &wider {
        Outcome::Files(files) => format!("{} files", thousands(files.files.len() as u64)),
        Outcome::Whole(_) => "a full render".to_string(),
        Outcome::Failed => "a failed build".to_string(),
    };
    println!(
        "  an edit that changes the reading time, so the pages listing the brief are rendered again: {} ({listed})",
        millis(wider_time)
    );
    println!("  peak RSS of this process: {}", own_peak_rss().map_or("n/a".to_string(), |mb| format!("{mb:.0} MB")));
    Ok(())
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// VmHWM of this process, in MB (Linux only).
fn own_peak_rss() -> Option<f64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// A tmpfs folder for outputs when `/dev/shm` is one, else the system's temporary folder.
fn outputs_folder() -> (PathBuf, &'static str) {
    let shm = Path::new("/dev/shm");
    let mounts = fs::read_to_string("/proc/mounts").unwrap_or_default();
    let is_tmpfs = mounts.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 2 && fields[1] == "/dev/shm" && fields[2] == "tmpfs"
    });
    let dir = shm.join("infrabrief-bench");
    if is_tmpfs && fs::create_dir_all(&dir).is_ok() {
        (dir, "tmpfs")
    } else {
        (std::env::temp_dir().join("infrabrief-bench-out"), "no tmpfs found: disk")
    }
}

/// The other two sites of the Hugo comparison: infrabrief with the Hugo twin's Markdown, and the
/// twin itself.
struct Twins<'a> {
    plain: &'a Path,
    hugo: &'a Path,
}

/// Generates a corpus into `site` (with `twins`, over the minimal registry, and the comparison's
/// other two sites from the same corpus); prints how long it took.
fn generate(briefs: usize, deals: usize, site: &Path, twins: Option<Twins<'_>>) -> Option<corpus::Written> {
    let started = Instant::now();
    let corpus = corpus::generate(corpus::Options { briefs, deals, seed: corpus::DEFAULT_SEED });
    let generated = started.elapsed();
    let mut written = corpus.write_site(site, twins.is_some()).map_err(|error| (site, error));
    if let Some(Twins { plain, hugo }) = &twins {
        written = written.and_then(|w| corpus.write_plain_site(plain).map(|_| w).map_err(|error| (*plain, error)));
        written = written.and_then(|w| corpus.write_hugo(hugo).map(|_| w).map_err(|error| (*hugo, error)));
    }
    let written = match written {
        Ok(written) => written,
        Err((dir, error)) => {
            println!("  FAILED to write {}: {error}", dir.display());
            return None;
        }
    };
    println!(
        "  generated {} briefs, {} deals{} in {} ms (in memory {} ms): {:.1} MB of Markdown",
        thousands(briefs as u64),
        thousands(written.deals as u64),
        if twins.is_some() { " (minimal registry), the same Markdown with no registry and the Hugo twin" } else { "" },
        started.elapsed().as_millis(),
        generated.as_millis(),
        written.markdown_bytes as f64 / 1e6
    );
    Some(written)
}

/// Makes `to` the site at `from` with `search = false` in its `content/site.toml`: every other
/// file is a hard link to the same bytes (a copy where links cannot be made), so the 10,000
/// briefs are not written twice.
fn without_search(from: &Path, to: &Path) -> Result<(), String> {
    if to.exists() {
        fs::remove_dir_all(to).map_err(|e| format!("cannot remove {}: {e}", to.display()))?;
    }
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.map_err(|e| e.to_string())?;
        let relative = entry.path().strip_prefix(from).map_err(|e| e.to_string())?;
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).map_err(|e| format!("cannot create {}: {e}", target.display()))?;
        } else if relative == Path::new("content/site.toml") {
            let config = fs::read_to_string(entry.path()).map_err(|e| format!("cannot read site.toml: {e}"))?;
            fs::write(&target, format!("{config}search = false\n"))
                .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
        } else if fs::hard_link(entry.path(), &target).is_err() {
            fs::copy(entry.path(), &target).map_err(|e| format!("cannot copy to {}: {e}", target.display()))?;
        }
    }
    Ok(())
}

fn run_infrabrief(binary: &Path, root: &Path, out: &Path) -> Result<Run, String> {
    clear(out)?;
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = Command::new(binary)
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("-o")
        .arg(out)
        .arg("--verbose")
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(format!(
            "infrabrief build --root {} exited with {}:\n{}",
            root.display(),
            output.status,
            head(&stderr, 25)
        ));
    }
    let mut run = parse_report(&stdout);
    run.wall = wall;
    run.cpu = cpu_delta(cpu_before);
    run.stderr = stderr;
    Ok(run)
}

/// Counts the instructions of one build of `root` on one thread with callgrind (from its
/// `Collected : N` line): one thread, because idle rayon workers spin a varying number of times.
fn count_instructions(binary: &Path, root: &Path, out: &Path) -> Result<u64, String> {
    clear(out)?;
    let output = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(binary)
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("-o")
        .arg(out)
        .arg("--quiet")
        .env("RAYON_NUM_THREADS", "1")
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("cannot run valgrind: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("valgrind exited with {}:\n{}", output.status, head(&stderr, 25)));
    }
    let count = stderr
        .lines()
        .find_map(|line| line.split_once("Collected :").map(|(_, n)| n.trim().replace(',', "")))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no `Collected :` line in valgrind's output:\n{}", head(&stderr, 25)));
    clear(out)?;
    count
}

fn valgrind_version() -> Option<String> {
    let output = Command::new("valgrind").arg("--version").output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Times the floor in a child process (this very program, with [`FLOOR_ENV`] set), as the other
/// builds are timed: start, work, exit.
fn run_floor(root: &Path, out: &Path) -> Result<(Duration, Option<Duration>), String> {
    clear(out)?;
    let program = std::env::current_exe().map_err(|e| format!("cannot find the bench program: {e}"))?;
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = Command::new(program)
        .env(FLOOR_ENV, format!("{}\t{}", root.display(), out.display()))
        .output()
        .map_err(|e| format!("cannot run the floor: {e}"))?;
    let wall = started.elapsed();
    if !output.status.success() {
        return Err(format!("the floor failed:\n{}", head(&String::from_utf8_lossy(&output.stderr), 25)));
    }
    Ok((wall, cpu_delta(cpu_before)))
}

/// The floor under any generator of these briefs: list `content/briefs/*.md`, then on every core
/// (rayon) read each file, cut off its front matter, render the Markdown with pulldown-cmark (the
/// options infrabrief uses) and write it to `briefs/<name>.html` in a minimal page. No
/// templates, links, lists, tags or search index: what is left of a build when everything that
/// makes it a site is taken away.
fn floor_child(job: &str) -> ExitCode {
    use rayon::prelude::*;
    let Some((root, out)) = job.split_once('\t') else {
        eprintln!("{FLOOR_ENV} must be ROOT<tab>OUT");
        return ExitCode::FAILURE;
    };
    let briefs = Path::new(root).join("content/briefs");
    let out = Path::new(out).join("briefs");
    let listed =
        fs::read_dir(&briefs).and_then(|entries| entries.map(|e| e.map(|e| e.path())).collect::<Result<Vec<_>, _>>());
    let mut files = match listed {
        Ok(files) => files,
        Err(error) => {
            eprintln!("cannot list {}: {error}", briefs.display());
            return ExitCode::FAILURE;
        }
    };
    files.retain(|f| f.extension().is_some_and(|e| e == "md"));
    files.sort();
    if let Err(error) = fs::create_dir_all(&out) {
        eprintln!("cannot create {}: {error}", out.display());
        return ExitCode::FAILURE;
    }
    let written: Result<(), String> = files.par_iter().try_for_each(|file| {
        let text = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        // TOML front matter between two `+++` lines, as the generated briefs have it.
        let body = text
            .strip_prefix("+++\n")
            .and_then(|rest| rest.split_once("\n+++\n"))
            .map_or(text.as_str(), |(_, body)| body);
        let title = text.lines().find_map(|line| line.strip_prefix("title = ")).unwrap_or("").trim_matches('"');
        let mut html = String::with_capacity(body.len() * 3 / 2 + 256);
        html.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
        infrabrief::render::format::push_escaped_html(&mut html, title);
        html.push_str("</title>\n</head>\n<body>\n<main>\n");
        pulldown_cmark::html::push_html(
            &mut html,
            pulldown_cmark::Parser::new_ext(body, infrabrief::render::markdown::options()),
        );
        html.push_str("</main>\n</body>\n</html>\n");
        let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let target = out.join(format!("{stem}.html"));
        fs::write(&target, html).map_err(|e| format!("{}: {e}", target.display()))
    });
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("{problem}");
            ExitCode::FAILURE
        }
    }
}

fn run_hugo(source: &Path, out: &Path) -> Result<(Duration, Option<Duration>), String> {
    clear(out)?;
    let cpu_before = children_cpu();
    let started = Instant::now();
    let output = Command::new("hugo")
        .arg("--source")
        .arg(source)
        .arg("--destination")
        .arg(out)
        .arg("--quiet")
        .output()
        .map_err(|e| format!("cannot run hugo: {e}"))?;
    let wall = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "hugo exited with {}:\n{}",
            output.status,
            head(&String::from_utf8_lossy(&output.stderr), 25)
        ));
    }
    Ok((wall, cpu_delta(cpu_before)))
}

/// CPU time (user + system) of this process's waited-for children so far: fields 16 and 17 of
/// `/proc/self/stat`, in clock ticks of 1/100 s (the USER_HZ of every mainstream Linux).
fn children_cpu() -> Option<u64> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // After the name, field 3 (state) is at index 0, so field n is at index n - 3.
    let user: u64 = fields.get(13)?.parse().ok()?;
    let system: u64 = fields.get(14)?.parse().ok()?;
    Some(user + system)
}

fn cpu_delta(before: Option<u64>) -> Option<Duration> {
    let ticks = children_cpu()?.checked_sub(before?)?;
    Some(Duration::from_millis(ticks * 10))
}

fn load_average() -> Option<String> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    Some(text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

fn hugo_version() -> Option<String> {
    let output = Command::new("hugo").arg("version").output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Reads the summary line (`built N pages ...`), `peak RSS N MB`, and every `<name> <number> ms`
/// pair of the other lines, so stages added later are picked up without changing this bench.
fn parse_report(stdout: &str) -> Run {
    let mut run = Run::default();
    for line in stdout.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("built ") {
            run.pages = rest.split_whitespace().next().and_then(|n| n.replace(',', "").parse().ok());
            continue;
        }
        if let Some(rest) = line.strip_prefix("peak RSS ") {
            run.rss_mb = rest.split_whitespace().next().and_then(|n| n.parse().ok());
            continue;
        }
        for chunk in line.split(',') {
            let words: Vec<&str> = chunk.split_whitespace().collect();
            let [name @ .., value, "ms"] = words.as_slice() else {
                continue;
            };
            let Ok(value) = value.parse::<f64>() else {
                continue;
            };
            let name = name.join(" ");
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_')) {
                run.stages.push((name, value));
            }
        }
    }
    run
}

/// Stage names in the order they first appear.
fn stage_names<'a>(runs: impl Iterator<Item = &'a Run>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for run in runs {
        for (name, _) in &run.stages {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// Shows what a successful build printed on stderr (warnings), once per corpus.
fn report_stderr(run: &Run) {
    if !run.stderr.trim().is_empty() {
        println!("\n  the build printed on stderr (warnings?):\n{}", head(&run.stderr, 15));
    }
}

fn clear(out: &Path) -> Result<(), String> {
    if out.exists() {
        fs::remove_dir_all(out).map_err(|e| format!("cannot remove {}: {e}", out.display()))?;
    }
    Ok(())
}

fn count_html(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut count = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            count += count_html(&path);
        } else if path.extension().is_some_and(|e| e == "html") {
            count += 1;
        }
    }
    count
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut values: Vec<f64> = values.collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 })
}

fn median_duration(values: impl Iterator<Item = Duration>) -> Duration {
    median(values.map(|d| d.as_secs_f64())).map_or(Duration::ZERO, Duration::from_secs_f64)
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 { format!("{:.0} ms", s * 1e3) } else { format!("{s:.2} s") }
}

fn head(text: &str, lines: usize) -> String {
    let mut out: Vec<String> = text.lines().take(lines).map(|l| format!("    {l}")).collect();
    let total = text.lines().count();
    if total > lines {
        out.push(format!("    ... ({} more lines)", total - lines));
    }
    out.join("\n")
}

fn print_table(rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(
                |(c, cell)| {
                    if c == 0 { format!("{cell:<w$}", w = widths[c]) } else { format!("{cell:>w$}", w = widths[c]) }
                },
            )
            .collect();
        println!("  {}", cells.join("  "));
    }
}

fn flush() {
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
}

fn today() -> String {
    let days = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400);
    format!("{} (UTC)", corpus::iso_date(days as i64))
}

fn cpu_model() -> String {
    fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}
