//! Crash safety of `infrabrief build`: a build killed with SIGKILL at any moment leaves the
//! previous output complete, and the next build clears what the killed one left behind.
//!
//! Two versions of a site (the base fixture plus generated briefs, so a build lasts long enough
//! to be interrupted) are built in turn into one output folder, and each build is killed after a
//! pseudo-random delay drawn from a splitmix64 generator seeded by the iteration. After each
//! kill the output folder must be byte-identical to what it held before, or (when the build
//! committed before the kill) to a full build of the new version: never a mix, never missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Scratch, copy_tree, fixture, infrabrief, snapshot, text};

type Snapshot = Vec<(String, Vec<u8>)>;

/// splitmix64: the same sequence for the same seed, on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The base fixture plus `count` generated briefs whose text depends on `version`.
fn site_version(root: &Path, version: u32, count: usize) {
    copy_tree(&fixture("base"), root);
    let briefs = root.join("content/briefs");
    for i in 0..count {
        let mut body = format!(
            "+++\ntitle = \"Generated brief {i} (v{version})\"\ndate = 2025-12-{:02}\nsummary = \"Brief {i} of version {version}.\"\ntags = [\"generated\", \"t{}\"]\ncompanies = [\"labco\", \"cloudco\"]\ndeals = [\"lab-cloud-2025\"]\n+++\n\n",
            i % 28 + 1,
            i % 7
        );
        for part in 0..8 {
            body.push_str(&format!(
                "## Part {part}\n\nLabCo agreed to spend {{{{ value(deal=\"lab-cloud-2025\") }}}} with {{{{ company(id=\"cloudco\") }}}}; version {version} of paragraph {part} of brief {i}.\n\n"
            ));
        }
        std::fs::write(briefs.join(format!("generated-{i:04}.md")), body).expect("write brief");
    }
}

fn build(site: &Path, out: &Path) -> Duration {
    let started = Instant::now();
    let result = infrabrief(&["build", "--root", path(site), "-o", path(out), "--quiet"]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    started.elapsed()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Build leftovers beside the output: `.NAME.tmp-*` and `.NAME.old-*`.
fn leftovers(parent: &Path, name: &str) -> Vec<String> {
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    std::fs::read_dir(parent)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| prefixes.iter().any(|p| n.starts_with(p.as_str())))
                .collect()
        })
        .unwrap_or_default()
}

/// How `actual` differs from `expected`, in a few lines.
fn difference(expected: &Snapshot, actual: &Snapshot) -> String {
    let missing: Vec<&str> =
        expected.iter().filter(|(p, _)| !actual.iter().any(|(q, _)| q == p)).map(|(p, _)| p.as_str()).collect();
    let extra: Vec<&str> =
        actual.iter().filter(|(p, _)| !expected.iter().any(|(q, _)| q == p)).map(|(p, _)| p.as_str()).collect();
    let changed: Vec<&str> = actual
        .iter()
        .filter(|(p, b)| expected.iter().any(|(q, c)| q == p && c != b))
        .map(|(p, _)| p.as_str())
        .collect();
    let first = |list: &[&str]| list.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    format!(
        "{} missing ({}), {} extra ({}), {} changed ({})",
        missing.len(),
        first(&missing),
        extra.len(),
        first(&extra),
        changed.len(),
        first(&changed)
    )
}

#[test]
fn a_build_killed_at_random_moments_leaves_the_previous_output_complete() {
    let scratch = Scratch::new("crash");
    let sites: [PathBuf; 2] = [scratch.path.join("site-a"), scratch.path.join("site-b")];
    site_version(&sites[0], 1, 100);
    site_version(&sites[1], 2, 100);
    let out = scratch.path.join("out");

    // The two complete outputs, built elsewhere (builds are byte-identical across folders).
    let mut full: Vec<Snapshot> = Vec::new();
    let mut slowest = Duration::ZERO;
    for (i, site) in sites.iter().enumerate() {
        let reference = scratch.path.join(format!("reference-{i}"));
        slowest = slowest.max(build(site, &reference));
        full.push(snapshot(&reference));
        std::fs::remove_dir_all(&reference).expect("remove reference");
    }
    assert_ne!(full[0], full[1], "the two versions must differ");
    build(&sites[0], &out);
    assert_eq!(snapshot(&out), full[0]);

    // Killed builds also clear the leftovers of the previous kill, so they run longer than the
    // reference build: a window of three build times gives both outcomes.
    let window = slowest.as_millis() as u64 * 3 + 1;
    let started = Instant::now();
    let mut current = 0;
    let (mut kept, mut committed) = (0, 0);
    for iteration in 0..20u64 {
        let target = 1 - current;
        let mut rng = SplitMix(0x1B2C_3D4E ^ iteration);
        // The smaller of two draws: more kills early in the build, some after its commit.
        let delay = Duration::from_millis((rng.next() % window).min(rng.next() % window));
        let mut child = Command::new(env!("CARGO_BIN_EXE_infrabrief"))
            .args(["build", "--root", path(&sites[target]), "-o", path(&out), "--quiet"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start build");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL on Unix; a build that already finished is not affected.
        let _ = child.wait();
        assert!(out.is_dir(), "iteration {iteration}: killed after {delay:?}, the output folder is gone");
        let now = snapshot(&out);
        if now == full[current] {
            kept += 1;
        } else if now == full[target] {
            committed += 1;
            current = target;
        } else {
            panic!(
                "iteration {iteration}: killed after {delay:?}, the output is neither the previous build nor the new one\n\
                 against the previous: {}\nagainst the new: {}",
                difference(&full[current], &now),
                difference(&full[target], &now)
            );
        }
    }
    eprintln!(
        "crash test: 20 builds killed within {window} ms of starting (a build takes {} ms): previous output kept {kept} times, new output committed {committed} times, {:.1} s",
        slowest.as_millis(),
        started.elapsed().as_secs_f64()
    );

    // A normal build clears whatever the killed ones left beside the output.
    build(&sites[1 - current], &out);
    assert_eq!(snapshot(&out), full[1 - current]);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut left = leftovers(&scratch.path, "out");
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        left = leftovers(&scratch.path, "out");
    }
    assert!(left.is_empty(), "left beside the output after a normal build: {left:?}");
}

/// The commit swaps the output in with two renames (output aside, staging in). A build killed
/// between the two leaves the previous output complete beside the target as `.out.old-PID`, and
/// the next build puts it back before anything else: even a build that fails then leaves the
/// previous output in place. The build is told to stop between the renames
/// (`INFRABRIEF_PAUSE_IN_COMMIT`) and is killed with SIGKILL once it says it has stopped, so the
/// moment is hit on every run.
#[test]
fn a_build_killed_between_the_two_renames_of_the_commit_leaves_an_output() {
    let scratch = Scratch::new("crash-commit");
    let sites = [scratch.path.join("site-a"), scratch.path.join("site-b")];
    site_version(&sites[0], 1, 2);
    site_version(&sites[1], 2, 2);
    let out = scratch.path.join("out");
    let reference = scratch.path.join("reference");
    build(&sites[1], &reference);
    let new = snapshot(&reference);
    build(&sites[0], &out);
    let previous = snapshot(&out);
    let mut child = Command::new(env!("CARGO_BIN_EXE_infrabrief"))
        .args(["build", "--root", path(&sites[1]), "-o", path(&out), "--quiet"])
        .env("INFRABRIEF_PAUSE_IN_COMMIT", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the build");
    // Paused, the build has moved the previous output aside and not yet moved the new one in.
    let deadline = Instant::now() + Duration::from_secs(60);
    let paused = loop {
        let aside = leftovers(&scratch.path, "out").iter().any(|n| n.starts_with(".out.old-"));
        if (aside && !out.exists()) || Instant::now() > deadline {
            break aside && !out.exists();
        }
        if child.try_wait().ok().flatten().is_some() {
            break false;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // `Child::kill` sends SIGKILL on Unix.
    let _ = child.kill();
    let _ = child.wait();
    assert!(paused, "the build did not stop between the renames of its commit: {:?}", leftovers(&scratch.path, "out"));
    let beside = leftovers(&scratch.path, "out");
    assert!(!out.exists(), "killed between the renames, the target should be missing; beside it: {beside:?}");
    // The previous output waits beside the target, whole, for the next build.
    let aside: Vec<&String> = beside.iter().filter(|n| n.starts_with(".out.old-")).collect();
    assert!(
        aside.len() == 1 && snapshot(&scratch.path.join(aside[0])) == previous,
        "killed between the renames of the commit, the output folder is missing and the previous output is not complete beside it: {beside:?}"
    );
    // The next build puts it back first, even when it fails on its content.
    let broken = scratch.path.join("site-broken");
    copy_tree(&sites[1], &broken);
    std::fs::write(broken.join("content/site.toml"), "title = \n").expect("break the site");
    let failed = infrabrief(&["build", "--root", path(&broken), "-o", path(&out), "--quiet"]);
    assert_eq!(failed.status.code(), Some(1), "{}", text(&failed.stderr));
    assert!(
        out.is_dir(),
        "the next build did not put the previous output back; beside it: {:?}",
        leftovers(&scratch.path, "out")
    );
    let now = snapshot(&out);
    assert!(now == previous, "the output put back is not the previous one: {}", difference(&previous, &now));
    // A normal build then replaces it and clears what the killed one left beside it.
    build(&sites[1], &out);
    assert_eq!(snapshot(&out), new);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut left = leftovers(&scratch.path, "out");
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        left = leftovers(&scratch.path, "out");
    }
    assert!(left.is_empty(), "left beside the output after a normal build: {left:?}");
}
