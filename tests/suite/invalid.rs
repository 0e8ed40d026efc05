//! Invalid sites and the diagnostics they must produce, as snapshot fixtures.
//!
//! Each folder of `tests/fixtures/invalid/` holds only the files that differ from the valid
//! `tests/fixtures/base/` site, plus `expected.txt`: exactly what `infrabrief build` prints on
//! stderr (without colour). The test copies the base site, lays the case over it, builds, and
//! compares. Run with `UPDATE_EXPECT=1` to rewrite the snapshots, then review them as a diff.

use crate::common::{Scratch, copy_tree, fixture, infrabrief, text, walk};

#[test]
fn invalid_sites_report_located_diagnostics() {
    let cases_root = fixture("invalid");
    let mut cases: Vec<_> =
        std::fs::read_dir(&cases_root).expect("invalid fixtures").flatten().map(|e| e.path()).collect();
    cases.sort();
    assert!(cases.len() >= 15, "at least 15 invalid sites, found {}", cases.len());
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().expect("name").to_string_lossy().into_owned();
        let scratch = Scratch::new(&format!("invalid-{name}"));
        let site = scratch.path.join("site");
        copy_tree(&fixture("base"), &site);
        for file in walk(case) {
            let relative = file.strip_prefix(case).expect("inside case");
            if file.is_file() && relative != std::path::Path::new("expected.txt") {
                let target = site.join(relative);
                std::fs::create_dir_all(target.parent().expect("parent")).expect("folder");
                std::fs::copy(&file, &target).expect("overlay");
            }
        }
        let out = scratch.path.join("out");
        let result =
            infrabrief(&["build", "--root", site.to_str().expect("utf-8"), "-o", out.to_str().expect("utf-8")]);
        let stderr = text(&result.stderr);
        if result.status.code() != Some(1) {
            failures.push(format!("{name}: expected exit code 1, got {:?}\n{stderr}", result.status.code()));
            continue;
        }
        if out.exists() {
            failures.push(format!("{name}: a failed build wrote output"));
        }
        if !stderr.contains("--> content/") && !stderr.contains("--> templates/") {
            failures.push(format!("{name}: no located diagnostic in\n{stderr}"));
        }
        let expected_file = case.join("expected.txt");
        if update {
            std::fs::write(&expected_file, &stderr).expect("write snapshot");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_file).unwrap_or_default();
        if expected != stderr {
            failures.push(format!("{name}: diagnostics differ\n--- expected\n{expected}\n--- actual\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every diagnostic the snapshots hold (268 across the invalid and hostile sites) says how to
/// fix what it reports: a problem without a hint is a defect, caught here as the fixtures grow.
#[test]
fn every_reported_problem_comes_with_a_hint() {
    let mut seen = 0;
    let mut bare = Vec::new();
    for expected in walk(&fixture("")).into_iter().filter(|p| p.file_name().is_some_and(|n| n == "expected.txt")) {
        let report = std::fs::read_to_string(&expected).expect("expected.txt");
        let mut current: Option<String> = None;
        let mut hinted = false;
        for line in report.lines().chain(std::iter::once("")) {
            let starts = line.starts_with("error: ") || line.starts_with("warning: ");
            if starts || line.is_empty() {
                if let Some(problem) = current.take() {
                    seen += 1;
                    if !hinted {
                        bare.push(format!("{}: {problem}", expected.display()));
                    }
                }
                if starts {
                    current = Some(line.to_string());
                    hinted = false;
                }
            } else if line.trim_start().starts_with("= help: ") {
                hinted = true;
            }
        }
    }
    assert!(seen > 200, "only {seen} diagnostics found in the snapshots");
    assert!(bare.is_empty(), "diagnostics without a hint:\n{}", bare.join("\n"));
}
