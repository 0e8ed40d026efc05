//! The pull-request workflow: it parses as YAML, and every `infrabrief` command it runs is one
//! our command line accepts.

use clap::Parser;
use infrabrief::cli::Cli;
use yaml_rust2::{Yaml, YamlLoader};

use crate::common::repo;

fn runs(workflow: &Yaml) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(jobs) = workflow["jobs"].as_hash() {
        for (_, job) in jobs {
            for step in job["steps"].as_vec().into_iter().flatten() {
                if let Some(run) = step["run"].as_str() {
                    found.push(run.to_string());
                }
            }
        }
    }
    found
}

/// Splits a shell line into words, honouring double quotes; stops at a redirection.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            '>' | '|' if !quoted => break,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[test]
fn workflow_commands_exist_in_the_cli() {
    let text = std::fs::read_to_string(repo().join(".github/workflows/review.yml")).expect("workflow");
    let documents = YamlLoader::load_from_str(&text).expect("valid YAML");
    let workflow = &documents[0];
    assert!(!workflow["on"]["pull_request"].is_badvalue(), "runs on pull requests");
    let mut subcommands = Vec::new();
    for run in runs(workflow) {
        for line in run.lines().filter(|l| l.contains("infrabrief ")) {
            let all = words(line);
            let start = all.iter().position(|w| w.ends_with("/infrabrief") || w == "infrabrief").expect("the binary");
            // GitHub expressions are filled in by the runner; any revision will do for parsing.
            let args: Vec<String> = all[start..]
                .iter()
                .map(|w| if w.contains("${{") { "origin/main".to_string() } else { w.clone() })
                .collect();
            if let Err(error) = Cli::try_parse_from(&args) {
                panic!("`{line}` is not a valid infrabrief command: {error}");
            }
            subcommands.push(args[1].clone());
        }
    }
    for expected in ["check", "build", "diff"] {
        assert!(subcommands.iter().any(|s| s == expected), "the workflow runs `infrabrief {expected}`");
    }
    assert!(text.contains("actions/upload-artifact") && text.contains("path: public/"), "uploads the built site");
    assert!(
        text.contains("<!-- infrabrief-diff -->") && text.contains("updateComment"),
        "posts or updates one comment"
    );
    assert!(
        infrabrief::diff::to_markdown(&sample_report()).starts_with("<!-- infrabrief-diff -->"),
        "the report carries the marker the workflow looks for"
    );
}

fn sample_report() -> infrabrief::diff::Report {
    let site = infrabrief::model::Site::empty();
    let (diagnostics, sources) = (infrabrief::diag::Diagnostics::default(), infrabrief::diag::Sources::default());
    let side = |label: &str| infrabrief::diff::Side {
        label: label.to_string(),
        site: Some(&site),
        rendered: None,
        diagnostics: &diagnostics,
        sources: &sources,
    };
    infrabrief::diff::compare(&side("a"), &side("b")).0
}
