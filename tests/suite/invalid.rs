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

/// The problems a `build` of `site` reports, each as its first line and its location, sorted.
fn reported(site: &std::path::Path, out: &std::path::Path) -> Vec<String> {
    let result = infrabrief(&["build", "--root", site.to_str().expect("utf-8"), "-o", out.to_str().expect("utf-8")]);
    assert_eq!(result.status.code(), Some(1), "{}", text(&result.stderr));
    assert!(!out.exists(), "a failed build wrote output");
    let stderr = text(&result.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let mut problems: Vec<String> = lines
        .windows(2)
        .filter(|pair| pair[0].starts_with("error: ") || pair[0].starts_with("warning: "))
        .map(|pair| format!("{} {}", pair[0], pair[1].trim()))
        .collect();
    problems.sort();
    problems
}

/// Errors in the registry and in a brief's front matter leave the model without that deal and
/// that brief, and the build writes nothing; the same run still renders what did validate, so
/// the problems in the briefs' bodies are reported with them (not one run later), and the
/// references to the broken deal and the broken brief are not reported a second time as
/// references to nothing. The run reports exactly the body problems of a site whose registry
/// and front matter are fine, plus the two errors.
#[test]
fn errors_in_the_registry_and_front_matter_hide_no_problem_of_the_bodies() {
    let case = fixture("invalid/errors-in-registry-briefs-and-bodies-at-once/content");
    let scratch = Scratch::new("errors-at-once");
    let bodies_only = scratch.path.join("bodies-only");
    copy_tree(&fixture("base"), &bodies_only);
    std::fs::copy(case.join("briefs/first-brief.md"), bodies_only.join("content/briefs/first-brief.md"))
        .expect("first brief");
    let second = std::fs::read_to_string(case.join("briefs/second-brief.md")).expect("second brief");
    assert!(second.contains("title = \"\"\n"), "the case empties the second brief's title");
    std::fs::write(
        bodies_only.join("content/briefs/second-brief.md"),
        second.replace("title = \"\"\n", "title = \"The second brief\"\n"),
    )
    .expect("second brief");
    let body_problems = reported(&bodies_only, &scratch.path.join("out-bodies"));
    assert_eq!(body_problems.len(), 2, "{body_problems:?}");
    assert!(body_problems.iter().all(|p| p.contains("content/briefs/")), "{body_problems:?}");

    let everything = scratch.path.join("everything");
    copy_tree(&fixture("base"), &everything);
    copy_tree(&case, &everything.join("content"));
    let all = reported(&everything, &scratch.path.join("out-everything"));
    let mut expected = body_problems.clone();
    expected.push("error: unknown company `cloudcorp` --> content/deals.toml:5:12".to_string());
    expected.push("error: `title` is empty --> content/briefs/second-brief.md:2:9".to_string());
    expected.sort();
    assert_eq!(all, expected);
    // The first brief names the broken deal five times and links to the broken brief: none of
    // that is reported.
    let first = std::fs::read_to_string(case.join("briefs/first-brief.md")).expect("first brief");
    assert_eq!(first.matches("lab-cloud-2025").count(), 5);
    assert!(first.contains("@/briefs/second-brief.md"));
}

/// The model recovered from a run with errors keeps the model's promise that references
/// resolve: a deal superseded by a broken deal is left out with it, and what was left out is
/// recorded, so the render can tell a reference to it from a reference to nothing.
#[test]
fn a_recovered_model_leaves_out_what_refers_to_what_is_broken() {
    use infrabrief::model::validate::{Options, Validated, recover, validate};
    let scratch = Scratch::new("recovered-model");
    copy_tree(&fixture("base"), &scratch.path);
    let deals_file = scratch.path.join("content/deals.toml");
    let deals = std::fs::read_to_string(&deals_file).expect("deals.toml");
    let broken = deals.replacen("buyer = \"chipco\"", "buyer = \"chipcorp\"", 1);
    assert_ne!(broken, deals, "the base registry has a deal bought by chipco");
    std::fs::write(&deals_file, broken).expect("deals.toml");
    std::fs::write(scratch.path.join("content/briefs/Third Brief.md"), "+++\ntitle = \"Third\"\n+++\nBody.\n")
        .expect("third brief");

    let (loaded, _) = infrabrief::load::load(&scratch.path).expect("loads");
    let (validated, diagnostics) = validate(&loaded, Options::default());
    assert!(diagnostics.has_errors());
    assert!(matches!(validated, Validated::Broken(_)));
    let site = recover(validated, &loaded, &diagnostics);
    // chip-lab-equity-2026 names an unknown buyer; lab-chips-loi-2025 was superseded by it.
    for id in ["chip-lab-equity-2026", "lab-chips-loi-2025"] {
        assert!(site.deal(id).is_none(), "{id} is in the recovered model");
        assert!(site.withheld.deal(id), "{id} is not recorded as withheld");
    }
    assert!(site.deal("lab-cloud-2025").is_some(), "a sound deal is kept");
    assert!(!site.withheld.deal("lab-cloud-2025"));
    for deal in &site.deals {
        assert!(deal.parties().all(|party| site.company(party).is_some()), "{} names a missing company", deal.id);
        assert!(deal.superseded_by.as_ref().is_none_or(|next| site.deal(next).is_some()), "{}", deal.id);
    }
    for brief in &site.briefs {
        assert!(brief.deals.iter().all(|id| site.deal(id).is_some()), "{} lists a missing deal", brief.file);
        assert!(brief.companies.iter().all(|id| site.company(id).is_some()), "{}", brief.file);
    }
    // The brief with a file name that is no slug (and no date or summary) is carried by a
    // stand-in, so its body is still checked, and links to the slug it would be renamed to
    // are not reported.
    assert!(site.briefs.iter().any(|b| b.file == "content/briefs/Third Brief.md" && b.body() == "Body.\n"));
    assert!(site.withheld.briefs.contains("third-brief"), "{:?}", site.withheld.briefs);
    assert!(site.brief("first-brief").is_some() && !site.withheld.briefs.contains("first-brief"));
}
