//! `infrabrief diff` on fixture git repositories made by the test: a deal added, a value
//! corrected, a brief edited, a deal superseded. The Markdown and JSON reports are compared with
//! reviewed snapshots in `tests/fixtures/diff/` (`UPDATE_EXPECT=1` rewrites them).
//!
//! Commits use a fixed author and date, so their hashes, and the reports, are the same on every
//! machine.

use std::path::Path;
use std::process::Command;

use crate::common::{Scratch, copy_tree, fixture, infrabrief, text};

fn git(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"])
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Fixture")
        .env("GIT_AUTHOR_EMAIL", "fixture@example.com")
        .env("GIT_COMMITTER_NAME", "Fixture")
        .env("GIT_COMMITTER_EMAIL", "fixture@example.com")
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .expect("run git");
    assert!(output.status.success(), "git {args:?}: {}", text(&output.stderr));
    text(&output.stdout).trim().to_string()
}

fn edit(path: &Path, from: &str, to: &str) {
    let content = std::fs::read_to_string(path).expect("read");
    assert!(content.contains(from), "{} does not contain {from:?}", path.display());
    std::fs::write(path, content.replacen(from, to, 1)).expect("write");
}

const NEW_DEAL: &str = r#"
[[deal]]
id = "lab-chips-2026"
title = "LabCo buys accelerators from Chip Company"
buyer = "labco"
provider = "chipco"
kind = "chips"
announced = 2026-04-01
status = "signed"
value_usd_bn = 20
value_basis = "reported"
capacity_gw = 1
summary = "A firm order for accelerators."

[[deal.source]]
publisher = "Example Wire"
title = "LabCo orders chips"
url = "https://wire.example/chips"
date = 2026-04-01
"#;

/// A repository with four commits; returns the scratch folder, the repo path and the commits.
fn history() -> (Scratch, std::path::PathBuf, Vec<String>) {
    let scratch = Scratch::new("diff-repo");
    let repo = scratch.path.join("repo");
    copy_tree(&fixture("base"), &repo);
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base site"]);
    let mut commits = vec![git(&repo, &["rev-parse", "HEAD"])];

    let deals = repo.join("content/deals.toml");
    std::fs::write(&deals, std::fs::read_to_string(&deals).expect("deals") + NEW_DEAL).expect("add deal");
    git(&repo, &["commit", "-q", "-am", "add a deal"]);
    commits.push(git(&repo, &["rev-parse", "HEAD"]));

    edit(&deals, "value_usd_bn = 38\n", "value_usd_bn = 40\n");
    let brief = repo.join("content/briefs/first-brief.md");
    edit(&brief, "The share of", "By the latest count, the share of");
    edit(&brief, "title = \"The first brief\"", "title = \"The first brief, revised\"");
    git(&repo, &["commit", "-q", "-am", "correct a value and edit a brief"]);
    commits.push(git(&repo, &["rev-parse", "HEAD"]));

    edit(
        &deals,
        "status = \"signed\"\nvalue_usd_bn = 12.5",
        "status = \"superseded\"\nsuperseded_by = \"lab-chips-2026\"\nvalue_usd_bn = 12.5",
    );
    git(&repo, &["commit", "-q", "-am", "supersede a deal"]);
    commits.push(git(&repo, &["rev-parse", "HEAD"]));
    (scratch, repo, commits)
}

fn diff(repo: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--root", repo.to_str().expect("utf-8")]);
    infrabrief(&all)
}

fn snapshot(name: &str, actual: &str) {
    let path = fixture("diff").join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::create_dir_all(fixture("diff")).expect("folder");
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{name} differs from its snapshot (UPDATE_EXPECT=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

#[test]
fn reports_match_reviewed_snapshots() {
    let (_scratch, repo, commits) = history();
    let status_before = git(&repo, &["status", "--porcelain"]);
    for (name, base, head) in [("added", 0, 1), ("corrected", 1, 2), ("superseded", 2, 3), ("all", 0, 3)] {
        let markdown = diff(&repo, &[&commits[base], &commits[head]]);
        assert_eq!(markdown.status.code(), Some(0), "{}", text(&markdown.stderr));
        snapshot(&format!("{name}.md"), &text(&markdown.stdout));
        let json = diff(&repo, &[&commits[base], &commits[head], "--format", "json"]);
        assert_eq!(json.status.code(), Some(0));
        let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
        assert_eq!(parsed["version"], 1);
        snapshot(&format!("{name}.json"), &text(&json.stdout));
    }
    assert_eq!(git(&repo, &["status", "--porcelain"]), status_before, "the working tree and index are untouched");
}

#[test]
fn report_content_says_what_changed() {
    let (_scratch, repo, commits) = history();
    let json = diff(&repo, &[&commits[1], &commits[3], "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let changed = report["deals"]["changed"].as_array().expect("changed deals");
    let value = changed.iter().find(|d| d["id"] == "lab-cloud-2025").expect("corrected deal");
    assert_eq!(
        value["fields"][0],
        serde_json::json!({"field": "value", "before": "$38bn (reported)", "after": "$40bn (reported)"})
    );
    let superseded = changed.iter().find(|d| d["id"] == "lab-cloud-ceiling-2026").expect("superseded deal");
    let fields: Vec<&str> =
        superseded["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, ["status", "superseded_by"]);
    let totals = report["totals"].as_array().expect("totals");
    let firm = totals.iter().find(|t| t["scope"] == "overall" && t["measure"] == "firm").expect("overall firm");
    assert_eq!(
        (firm["before_usd_bn"].as_f64(), firm["after_usd_bn"].as_f64(), firm["difference_usd_bn"].as_f64()),
        (Some(58.0), Some(60.0), Some(2.0))
    );
    let ceiling =
        totals.iter().find(|t| t["scope"] == "overall" && t["measure"] == "ceiling").expect("overall ceiling");
    assert_eq!(ceiling["after_usd_bn"].as_f64(), Some(0.0), "the superseded ceiling leaves the totals");
    let brief = &report["briefs"]["changed"][0];
    assert_eq!(brief["slug"], "first-brief");
    assert_eq!(brief["title_after"], "The first brief, revised");
    assert_eq!(brief["changed_sections"], serde_json::json!(["Why it matters"]));
    assert_eq!(brief["words_after"].as_u64(), brief["words_before"].as_u64().map(|w| w + 4));
    assert!(report["pages"]["changed"].as_array().expect("pages").iter().any(|p| p == "deals/lab-cloud-2025.html"));
    assert!(report["charts"].as_array().expect("charts").iter().any(|c| c["name"] == "commitments-by-provider"));
}

#[test]
fn a_total_that_becomes_a_lower_bound_is_reported_as_one() {
    // The same $40bn, now reported as "more than $40bn": the firm sums it enters are floors.
    let (_scratch, repo, commits) = history();
    let deals = repo.join("content/deals.toml");
    edit(&deals, "value_usd_bn = 40\nvalue_basis = \"reported\"", "value_usd_bn = 40\nvalue_basis = \"more_than\"");
    git(&repo, &["commit", "-q", "-am", "the value is a floor"]);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let json = diff(&repo, &[&commits[3], &head, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let totals = report["totals"].as_array().expect("totals");
    let firm = totals.iter().find(|t| t["scope"] == "overall" && t["measure"] == "firm").expect("overall firm");
    assert_eq!(firm["before_usd_bn"], firm["after_usd_bn"], "the value did not move");
    assert_eq!(
        (&firm["before_at_least"], &firm["after_at_least"]),
        (&serde_json::json!(false), &serde_json::json!(true))
    );
    assert!(totals.iter().all(|t| t["measure"] == "firm"), "estimates and ceilings are never floors: {totals:?}");
    let markdown = text(&diff(&repo, &[&commits[3], &head]).stdout);
    assert!(markdown.contains("firm commitments $60bn → $60bn+ (+$0)"), "{markdown}");
    assert!(markdown.contains("A value ending in + includes a floor"), "{markdown}");
}

#[test]
fn no_changes_is_one_line() {
    let (_scratch, repo, commits) = history();
    let output = diff(&repo, &[&commits[3], &commits[3]]);
    let report = text(&output.stdout);
    assert_eq!(report.lines().count(), 2, "{report}");
    assert!(report.contains("No changes between"));
}

#[test]
fn working_tree_is_the_default_head_and_errors_can_fail_the_run() {
    let (_scratch, repo, commits) = history();
    let deals = repo.join("content/deals.toml");
    std::fs::write(&deals, std::fs::read_to_string(&deals).expect("deals") + "\n[[deal]]\nid = \"Broken\"\n")
        .expect("break");
    let output = diff(&repo, &[&commits[3]]);
    assert_eq!(output.status.code(), Some(0), "changes or errors do not fail the run by default");
    let report = text(&output.stdout);
    assert!(report.contains("→ `working tree`"), "{report}");
    assert!(report.contains("HEAD does not build"));
    assert!(report.contains("is not a valid deal id"), "new diagnostics are listed");
    // A HEAD that does not validate has no registry to compare: nothing reads as removed.
    assert!(!report.contains("removed") && !report.contains("→ $0"), "{report}");
    assert!(
        report.contains("registry, totals, briefs, pages and charts not compared until both sides build"),
        "{report}"
    );
    let json = diff(&repo, &[&commits[3], "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!((&json["compared"], &json["registry_compared"]), (&serde_json::json!(false), &serde_json::json!(false)));
    assert_eq!(json["deals"]["removed"], serde_json::json!([]));
    assert_eq!(json["totals"], serde_json::json!([]));
    let failing = diff(&repo, &[&commits[3], "--fail-on-error"]);
    assert_eq!(failing.status.code(), Some(1));
}

#[test]
fn charts_folder_holds_before_and_after() {
    let (scratch, repo, commits) = history();
    let charts = scratch.path.join("charts");
    let output = diff(&repo, &[&commits[0], &commits[1], "--charts", charts.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let before = std::fs::read_to_string(charts.join("commitments-by-provider.before.svg")).expect("before");
    let after = std::fs::read_to_string(charts.join("commitments-by-provider.after.svg")).expect("after");
    assert_ne!(before, after);
    let narrow = std::fs::read_to_string(charts.join("commitments-by-provider.after.narrow.svg")).expect("narrow");
    for svg in [&after, &narrow] {
        assert!(roxmltree::Document::parse(svg).is_ok(), "standalone SVG parses");
        assert!(svg.starts_with("<svg style=\"color:#1b1c20;"), "standalone SVG has a text colour");
    }
    assert!(narrow.contains("viewBox=\"0 0 340 "));
    let index = std::fs::read_to_string(charts.join("index.html")).expect("index");
    for file in ["before.svg", "after.svg", "before.narrow.svg", "after.narrow.svg"] {
        assert!(index.contains(&format!("commitments-by-provider.{file}")), "index shows {file}");
    }
}

#[test]
fn folders_work_as_sides() {
    let (scratch, repo, _) = history();
    let other = scratch.path.join("copy");
    copy_tree(&repo.join("content"), &other.join("content"));
    edit(&other.join("content/pages/about.md"), "A fixture site.", "A different fixture site.");
    let output = diff(&repo, &[repo.to_str().expect("utf-8"), other.to_str().expect("utf-8"), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["pages"]["changed"], serde_json::json!(["about.html"]));
    assert_eq!(report["deals"]["changed"], serde_json::json!([]));
}

#[test]
fn added_charts_are_counted_as_added() {
    let (scratch, repo, _) = history();
    let other = scratch.path.join("with-company");
    copy_tree(&repo.join("content"), &other.join("content"));
    let companies = other.join("content/companies.toml");
    let listed = std::fs::read_to_string(&companies).expect("companies.toml");
    std::fs::write(
        &companies,
        listed
            + "\n[[company]]\nid = \"newco\"\nname = \"New Company\"\nrole = \"lab\"\ndescription = \"A new lab.\"\n",
    )
    .expect("write companies.toml");
    let deals = other.join("content/deals.toml");
    let registry = std::fs::read_to_string(&deals).expect("deals.toml");
    std::fs::write(
        &deals,
        registry
            + "\n[[deal]]\nid = \"newco-cloud-2026\"\ntitle = \"New Company rents cloud capacity\"\nbuyer = \"newco\"\n\
               provider = \"cloudco\"\nkind = \"cloud\"\nannounced = 2026-01-12\nstatus = \"signed\"\nvalue_usd_bn = 3\n\
               value_basis = \"reported\"\nsummary = \"A first contract.\"\n\n[[deal.source]]\npublisher = \"Example News\"\n\
               title = \"New Company signs\"\nurl = \"https://news.example/newco\"\ndate = 2026-01-12\n",
    )
    .expect("write deals.toml");
    let output = diff(&repo, &[repo.to_str().expect("utf-8"), other.to_str().expect("utf-8"), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let charts = report["charts"].as_array().expect("charts");
    assert!(charts.iter().any(|c| c["name"] == "company-newco" && c["status"] == "added"), "{charts:?}");
    let summary = report["summary"].as_str().expect("summary");
    assert!(summary.contains("1 chart added"), "{summary}");
    assert!(
        !summary.contains(&format!("{} charts changed", charts.len())),
        "added charts are not counted as changed: {summary}"
    );
}

#[test]
fn an_added_letter_of_intent_says_so() {
    let (scratch, repo, _) = history();
    let other = scratch.path.join("with-loi");
    copy_tree(&repo.join("content"), &other.join("content"));
    let deals = other.join("content/deals.toml");
    let registry = std::fs::read_to_string(&deals).expect("deals.toml");
    std::fs::write(
        &deals,
        registry
            + "\n[[deal]]\nid = \"lab-cloud-loi-2026\"\ntitle = \"LabCo and Cloud Company sign a letter of intent\"\n\
               buyer = \"labco\"\nprovider = \"cloudco\"\nkind = \"cloud\"\nannounced = 2026-02-02\n\
               agreement = \"letter_of_intent\"\nstatus = \"announced\"\nvalue_usd_bn = 9\nvalue_basis = \"reported\"\n\
               summary = \"A non-binding plan.\"\n\n[[deal.source]]\npublisher = \"Example News\"\n\
               title = \"LabCo plans more cloud\"\nurl = \"https://news.example/loi\"\ndate = 2026-02-02\n",
    )
    .expect("write deals.toml");
    let output = diff(&repo, &[repo.to_str().expect("utf-8"), other.to_str().expect("utf-8"), "--format", "json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let added = &report["deals"]["added"][0];
    assert_eq!(added["id"], "lab-cloud-loi-2026");
    let detail = added["detail"].as_str().expect("detail");
    assert!(detail.contains("cloud capacity, letter of intent, $9bn (reported)"), "{detail}");
}

#[test]
fn a_change_to_files_other_than_pages_is_named_in_the_summary() {
    let (scratch, repo, _) = history();
    let other = scratch.path.join("with-static");
    copy_tree(&repo.join("content"), &other.join("content"));
    std::fs::create_dir_all(other.join("static")).expect("static folder");
    std::fs::write(other.join("static/robots.txt"), "User-agent: *\n").expect("static file");
    let output = diff(&repo, &[repo.to_str().expect("utf-8"), other.to_str().expect("utf-8")]);
    let report = text(&output.stdout);
    let summary = report.lines().nth(1).expect("summary line");
    assert!(summary.ends_with(": 1 other file affected, no page."), "{summary}");
    assert!(report.contains("- added `robots.txt`"), "{report}");
}
