//! `infrabrief build` on valid sites: the output contract, determinism, atomic replacement and
//! the guards on the output folder.

use std::path::Path;

use infrabrief::check::check_output;
use infrabrief::diag::Severity;
use infrabrief::pipeline::{self, Options, Outcome, Session};
use infrabrief::render::Output;

use crate::common::{Scratch, copy_tree, fixture, infrabrief, repo, snapshot, text};

fn output_of(folder: &Path) -> Output {
    let mut output = Output::default();
    for (path, bytes) in snapshot(folder) {
        output.insert(path, bytes);
    }
    output
}

fn build(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--root", root.to_str().expect("utf-8 path"), "-o", out.to_str().expect("utf-8 path")];
    args.extend_from_slice(extra);
    infrabrief(&args)
}

fn base_site(label: &str) -> Scratch {
    let scratch = Scratch::new(label);
    copy_tree(&fixture("base"), &scratch.path.join("site"));
    scratch
}

#[test]
fn fixture_site_builds_and_every_reference_resolves() {
    let scratch = base_site("contract");
    let out = scratch.path.join("out");
    let result = build(&scratch.path.join("site"), &out, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stdout).starts_with("built "), "{}", text(&result.stdout));
    let output = output_of(&out);
    assert_eq!(check_output(&output), vec![], "every internal reference resolves, nothing external loads");
    for expected in [
        "index.html",
        "404.html",
        "registry.html",
        "briefs/first-brief.html",
        "deals/lab-cloud-2025.html",
        "companies/labco.html",
        "tags/cloud.html",
        "series/cloud-share.html",
        "methodology.html",
        "feed.xml",
        "data/deals.csv",
        "data/deals.json",
        "assets/style.css",
    ] {
        assert!(output.get(expected).is_some(), "missing {expected}");
    }
    assert!(output.get("sitemap.xml").is_none(), "no sitemap without base_url");
    assert!(output.get("briefs/draft-brief.html").is_none(), "drafts are left out by default");
}

#[test]
fn every_html_file_is_checked_by_the_walker() {
    // Guard against a walker that silently skips pages: break one link and expect one finding.
    let scratch = base_site("walker");
    let out = scratch.path.join("out");
    assert!(build(&scratch.path.join("site"), &out, &[]).status.success());
    let mut output = output_of(&out);
    let page = "deals/lab-cloud-2025.html";
    let html = text(output.get(page).expect("deal page")).replace("../index.html", "../gone.html");
    output.insert(page, html.into_bytes());
    let findings = check_output(&output);
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f.file == page && f.message.contains("gone.html")), "{findings:?}");
}

#[test]
fn shipped_site_builds_and_honours_the_output_contract() {
    let scratch = Scratch::new("shipped");
    let out = scratch.path.join("public");
    let result = build(&repo(), &out, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stderr).is_empty(), "the shipped site builds without warnings:\n{}", text(&result.stderr));
    let output = output_of(&out);
    assert_eq!(check_output(&output), vec![]);
    assert!(output.html_pages().count() > 20);
    // A headline figure of nothing says nothing: a company with no firm value shows its ceilings,
    // its estimates or its count of deals instead.
    let zero_headlines: Vec<&str> = output
        .html_pages()
        .filter(|(_, html)| text(html).contains("<p class=\"stat-value\">$0</p>"))
        .map(|(path, _)| path)
        .collect();
    assert!(zero_headlines.is_empty(), "pages headlining $0: {zero_headlines:?}");
    // A firm sum that holds a floor ("more than") is a lower bound: its headline carries a `+`
    // and says why, on every company page where the registry makes it one, and on no other.
    let site = pipeline::build(&repo(), Options::default()).expect("loads").site.expect("valid");
    let totals = infrabrief::model::totals::totals(&site.deals);
    let mut floored: Vec<String> = totals
        .by_buyer
        .iter()
        .chain(&totals.by_provider)
        .filter(|(_, amounts)| amounts.floors > 0)
        .map(|(id, _)| format!("companies/{id}.html"))
        .collect();
    floored.sort();
    floored.dedup();
    assert!(!floored.is_empty(), "the shipped registry has floors (value_basis = \"more_than\")");
    let mut marked: Vec<String> = output
        .html_pages()
        .filter(|(path, html)| {
            let html = text(html);
            let plus = html.matches("+</p><p class=\"stat-label\">").count();
            let said = html.matches("the + marks a floor").count();
            assert_eq!(plus, said, "{path}: every + headline says what the + means");
            path.starts_with("companies/") && plus > 0
        })
        .map(|(path, _)| path.to_string())
        .collect();
    marked.sort();
    assert_eq!(marked, floored, "company pages whose firm headline is marked as a floor");
    let untidy: Vec<String> = output.html_pages().flat_map(|(path, html)| untidy_lines(path, &text(html))).collect();
    assert!(untidy.is_empty(), "the default templates leave blank lines or trailing spaces:\n{}", untidy.join("\n"));
}

/// Blank lines and lines with trailing whitespace outside `<pre>`, as `path:line`. The pages are
/// written as the templates render them, so the templates must control their own whitespace.
fn untidy_lines(path: &str, html: &str) -> Vec<String> {
    let mut in_pre = false;
    let mut found = Vec::new();
    for (number, line) in html.lines().enumerate() {
        in_pre |= line.contains("<pre");
        if !in_pre && (line.trim().is_empty() || line.ends_with([' ', '\t'])) {
            found.push(format!("{path}:{}: {line:?}", number + 1));
        }
        if line.contains("</pre>") {
            in_pre = false;
        }
    }
    found
}

#[test]
fn rendered_brief_has_markdown_features() {
    let scratch = base_site("markdown");
    let out = scratch.path.join("out");
    assert!(build(&scratch.path.join("site"), &out, &[]).status.success());
    let html = text(&std::fs::read(out.join("briefs/first-brief.html")).expect("brief page"));
    assert!(html.contains("<h2 id=\"why-it-matters\">Why it matters <a class=\"anchor\" href=\"#why-it-matters\""));
    assert!(html.contains("<a href=\"#why-it-matters\">Why it matters</a>"), "table of contents");
    assert!(html.contains("<section class=\"footnotes\" id=\"footnotes\""));
    assert!(html.contains("href=\"#fnref-share\""), "footnote back-link");
    assert!(html.contains("min read"));
    assert!(html.contains("<code>{{ value(deal=\"nope\") }}</code>"), "shortcodes in code spans are left as they are");
    assert!(html.contains("<a href=\"../briefs/second-brief.html\">the second brief</a>"));
    assert!(html.contains("<a href=\"../methodology.html#counting\">methodology</a>"));
    assert!(html.contains(">$38bn</a>"), "value shortcode");
    assert!(html.contains(">7 years</a>"), "term field");
    assert!(html.contains(">29%</a>"), "series point");
    assert!(html.contains("<aside class=\"deal-card"), "deal card");
    assert!(html.contains("<figure class=\"chart\" id=\"chart-commitments-by-provider\">"), "chart shortcode");
    assert!(html.contains("<figure class=\"chart\" id=\"chart-company-labco\">"), "company chart by name");
    assert!(out.join("data/charts/company-labco.csv").exists(), "placed charts write their CSV");
    assert!(html.contains("<div class=\"table-wrap\"><table>"));
}

#[test]
fn builds_are_byte_identical_in_different_folders() {
    let first = base_site("determinism-a");
    let second = Scratch::new("determinism-b-other-name");
    copy_tree(&fixture("base"), &second.path.join("elsewhere/site"));
    let out_a = first.path.join("out");
    let out_b = second.path.join("public-b");
    assert!(build(&first.path.join("site"), &out_a, &[]).status.success());
    assert!(build(&second.path.join("elsewhere/site"), &out_b, &[]).status.success());
    let (a, b) = (snapshot(&out_a), snapshot(&out_b));
    assert_eq!(a.iter().map(|(p, _)| p).collect::<Vec<_>>(), b.iter().map(|(p, _)| p).collect::<Vec<_>>());
    for ((path, bytes_a), (_, bytes_b)) in a.iter().zip(&b) {
        assert!(bytes_a == bytes_b, "{path} differs between the two builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let scratch = base_site("atomic");
    let site = scratch.path.join("site");
    let out = scratch.path.join("out");
    assert!(build(&site, &out, &[]).status.success());
    let before = snapshot(&out);
    let deals = site.join("content/deals.toml");
    let mut broken = std::fs::read_to_string(&deals).expect("deals");
    broken.push_str("\n[[deal]]\nid = \"broken\"\n");
    std::fs::write(&deals, broken).expect("write");
    let result = build(&site, &out, &[]);
    assert_eq!(result.status.code(), Some(1));
    assert!(text(&result.stderr).contains("nothing was written"));
    assert_eq!(snapshot(&out), before, "previous output is intact");
    let leftovers: Vec<_> = std::fs::read_dir(&scratch.path)
        .expect("list")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".out."))
        .collect();
    assert!(leftovers.is_empty(), "no staging folders left behind");
}

#[test]
fn a_rebuild_replaces_its_own_output_and_drops_stale_files() {
    let scratch = base_site("replace");
    let site = scratch.path.join("site");
    let out = scratch.path.join("out");
    assert!(build(&site, &out, &[]).status.success());
    assert!(out.join("briefs/second-brief.html").exists());
    std::fs::remove_file(site.join("content/briefs/second-brief.md")).expect("remove brief");
    std::fs::write(
        site.join("content/briefs/first-brief.md"),
        std::fs::read_to_string(site.join("content/briefs/first-brief.md"))
            .expect("brief")
            .replace("See [the second brief](@/briefs/second-brief.md) and the", "See the"),
    )
    .expect("write");
    let result = build(&site, &out, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(!out.join("briefs/second-brief.html").exists(), "stale page removed");
}

#[test]
fn refuses_output_folders_that_would_destroy_the_site() {
    let scratch = base_site("guards");
    let site = scratch.path.join("site");
    std::fs::create_dir_all(site.join("templates")).expect("templates folder");
    std::fs::create_dir_all(site.join("static")).expect("static folder");
    std::fs::write(site.join("static/keep.txt"), "keep").expect("write");
    let before = snapshot(&scratch.path);
    for target in [
        site.clone(),
        site.join("content"),
        site.join("content/public"),
        site.join("templates"),
        site.join("static"),
        scratch.path.clone(),
        std::path::PathBuf::from("/"),
    ] {
        let result = build(&site, &target, &[]);
        assert_eq!(result.status.code(), Some(2), "{} must be refused", target.display());
        assert!(text(&result.stderr).contains("refusing to write the site"), "{}", text(&result.stderr));
    }
    assert_eq!(snapshot(&scratch.path), before, "nothing was deleted or written");
}

#[test]
fn refuses_a_folder_it_did_not_write() {
    let scratch = base_site("foreign");
    let out = scratch.path.join("documents");
    std::fs::create_dir_all(&out).expect("folder");
    std::fs::write(out.join("precious.txt"), "mine").expect("write");
    let result = build(&scratch.path.join("site"), &out, &[]);
    assert_eq!(result.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(out.join("precious.txt")).expect("still there"), "mine");
}

#[test]
fn drafts_flag_and_base_url() {
    let scratch = base_site("drafts");
    let site = scratch.path.join("site");
    let config = site.join("content/site.toml");
    let with_base = std::fs::read_to_string(&config).expect("config") + "base_url = \"https://briefs.example/sub\"\n";
    std::fs::write(&config, with_base).expect("write");
    let out = scratch.path.join("out");
    assert!(build(&site, &out, &["--drafts"]).status.success());
    assert!(out.join("briefs/draft-brief.html").exists());
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).expect("sitemap with base_url");
    assert!(sitemap.contains("<loc>https://briefs.example/sub/briefs/first-brief.html</loc>"));
    assert!(!sitemap.contains("404.html"));
    let feed = std::fs::read_to_string(out.join("feed.xml")).expect("feed");
    assert!(feed.contains("<id>https://briefs.example/sub/briefs/first-brief.html</id>"));
}

#[test]
fn raw_html_is_sanitized_unless_the_site_trusts_it() {
    let scratch = base_site("raw-html");
    let site = scratch.path.join("site");
    let about = site.join("content/pages/about.md");
    let raw = "\n\nThe <abbr title=\"gigawatt\" onmouseover=\"steal()\">GW</abbr> figure.\n\n\
               <div class=\"callout\"><script>steal()</script>Kept text</div>\n";
    let page = std::fs::read_to_string(&about).expect("about") + raw;
    std::fs::write(&about, page).expect("write");

    let out = scratch.path.join("sanitized");
    let result = build(&site, &out, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let html = std::fs::read_to_string(out.join("about.html")).expect("about page");
    assert!(html.contains("The <abbr title=\"gigawatt\">GW</abbr> figure."), "{html}");
    assert!(html.contains("<div>Kept text</div>"), "{html}");
    assert!(!html.contains("steal()") && !html.contains("callout"));
    let stderr = text(&result.stderr);
    assert!(stderr.contains("the `onmouseover` attribute on `<abbr>` was removed"), "{stderr}");
    assert!(stderr.contains("raw HTML `<script>` was removed"), "{stderr}");
    assert!(stderr.contains("content/pages/about.md:"), "{stderr}");

    let config = site.join("content/site.toml");
    let trusting = std::fs::read_to_string(&config).expect("config") + "trust_html = true\n";
    std::fs::write(&config, trusting).expect("write");
    let out = scratch.path.join("trusted");
    let result = build(&site, &out, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let html = std::fs::read_to_string(out.join("about.html")).expect("about page");
    assert!(html.contains("<div class=\"callout\"><script>steal()</script>Kept text</div>"), "{html}");
    assert!(!text(&result.stderr).contains("was removed"));
}

#[test]
fn exit_codes_for_usage_and_io_problems() {
    let scratch = Scratch::new("not-a-site");
    let result = infrabrief(&["build", "--root", scratch.path.to_str().expect("utf-8")]);
    assert_eq!(result.status.code(), Some(2));
    assert!(text(&result.stderr).contains("has no content/ folder"));
    let result = infrabrief(&["build", "--no-such-flag"]);
    assert_eq!(result.status.code(), Some(2));
    let help = infrabrief(&["build", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(text(&help.stdout).contains("--output"));
}

#[test]
fn shipped_site_is_reproducible_across_folders_clocks_locales_and_threads() {
    let copies = [Scratch::new("repro-a"), Scratch::new("repro-b-longer-folder-name")];
    for (i, copy) in copies.iter().enumerate() {
        for folder in ["content", "templates", "static"] {
            copy_tree(&repo().join(folder), &copy.path.join("site").join(folder));
        }
        if i == 1 {
            // Different modification times on every file of the second copy.
            let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
            for file in crate::common::walk(&copy.path.join("site")).into_iter().filter(|p| p.is_file()) {
                let handle = std::fs::File::options().append(true).open(&file).expect("open");
                handle.set_modified(old).expect("set mtime");
            }
        }
    }
    let run = |copy: &Scratch, tz: &str, lang: &str, threads: &str| {
        let site = copy.path.join("site");
        let out = copy.path.join("out");
        let result = std::process::Command::new(env!("CARGO_BIN_EXE_infrabrief"))
            .args(["build", "--root", site.to_str().expect("utf-8"), "-o", out.to_str().expect("utf-8")])
            .env("TZ", tz)
            .env("LC_ALL", lang)
            .env("LANG", lang)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("run build");
        assert!(result.status.success(), "{}", text(&result.stderr));
        snapshot(&out)
    };
    let first = run(&copies[0], "UTC", "C", "1");
    let second = run(&copies[1], "Asia/Kolkata", "de_DE.UTF-8", "2");
    assert_eq!(first.len(), second.len());
    for ((path_a, bytes_a), (path_b, bytes_b)) in first.iter().zip(&second) {
        assert_eq!(path_a, path_b);
        assert!(bytes_a == bytes_b, "{path_a} differs between the two builds");
    }
}

/// Applies a session update to what `serve` would be serving; returns which path it took.
fn serve_update(served: &mut Output, session: &mut Session, outcome: Outcome) -> &'static str {
    let taken = match outcome {
        Outcome::Whole(output) => {
            *served = output;
            "whole"
        }
        Outcome::Files(files) => {
            served.files.extend(files.files);
            "files"
        }
        Outcome::Failed => "failed",
    };
    if let Some((path, bytes)) = session.search_index() {
        served.insert(path, bytes);
    }
    taken
}

/// Asserts two outputs are the same, naming the files that differ and the first line where.
fn assert_same(served: &Output, full: &Output, step: &str) {
    let mut differences = Vec::new();
    for path in served.files.keys().chain(full.files.keys()).collect::<std::collections::BTreeSet<_>>() {
        let (a, b) = (served.get(path), full.get(path));
        if a == b {
            continue;
        }
        let first = match (a, b) {
            (Some(a), Some(b)) => {
                let (a, b) = (text(a), text(b));
                let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
                format!("line {}: {:?} vs {:?}", line + 1, a.lines().nth(line), b.lines().nth(line))
            }
            (a, _) => format!("only in {}", if a.is_some() { "the session" } else { "the full build" }),
        };
        differences.push(format!("{path}: {first}"));
    }
    assert!(differences.is_empty(), "after {step}, the session differs from a full build:\n{}", differences.join("\n"));
}

fn full_build(site: &Path) -> Output {
    let build = pipeline::build(site, Options::default()).expect("site loads");
    assert!(build.succeeded(), "the full build failed");
    build.rendered.expect("rendered").output
}

fn edit(site: &Path, file: &str, from: &str, to: &str) {
    let path = site.join(file);
    let text = std::fs::read_to_string(&path).expect("content file");
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
}

#[test]
fn serve_sessions_update_to_exactly_what_a_full_build_gives() {
    let scratch = base_site("session");
    let site = scratch.path.join("site");
    let (mut session, outcome) = Session::open(&site, Options::default()).expect("site loads");
    let mut served = Output::default();
    assert_eq!(serve_update(&mut served, &mut session, outcome), "whole");
    assert_same(&served, &full_build(&site), "opening");

    // A body edit that changes nothing other pages show: the brief's page alone, then the index.
    let brief = "content/briefs/first-brief.md";
    edit(&site, brief, "## Why it matters", "## Why this matters");
    let outcome = session.update(&[brief.to_string()]).expect("update");
    match &outcome {
        Outcome::Files(files) => {
            assert_eq!(files.files.keys().collect::<Vec<_>>(), ["briefs/first-brief.html"]);
        }
        other => panic!("expected the quick path, got {other:?}"),
    }
    serve_update(&mut served, &mut session, outcome);
    assert_same(&served, &full_build(&site), "a body edit");

    // A page body edit.
    let page = "content/pages/about.md";
    std::fs::write(site.join(page), std::fs::read_to_string(site.join(page)).expect("about") + "\nOne more line.\n")
        .expect("write");
    let outcome = session.update(&[page.to_string()]).expect("update");
    assert_eq!(serve_update(&mut served, &mut session, outcome), "files");
    assert_same(&served, &full_build(&site), "a page edit");

    // A body that now cites another deal is listed on that deal's page: the listing pages too.
    edit(&site, brief, "## Why this matters", "Also {{ value(deal=\"lab-chips-loi-2025\") }}.\n\n## Why this matters");
    let outcome = session.update(&[brief.to_string()]).expect("update");
    match &outcome {
        Outcome::Files(files) => {
            for path in ["briefs/first-brief.html", "deals/lab-chips-loi-2025.html", "index.html", "feed.xml"] {
                assert!(files.files.contains_key(path), "{path} was not rendered again");
            }
            assert!(!files.files.contains_key("registry.html"));
        }
        other => panic!("expected the listing pages, got {other:?}"),
    }
    serve_update(&mut served, &mut session, outcome);
    assert_same(&served, &full_build(&site), "a body citing a new deal");

    // A longer body changes the reading time every list shows.
    let longer =
        std::fs::read_to_string(site.join(brief)).expect("brief") + &"Many more words to read here. ".repeat(80);
    std::fs::write(site.join(brief), longer).expect("write");
    let outcome = session.update(&[brief.to_string()]).expect("update");
    assert_eq!(serve_update(&mut served, &mut session, outcome), "files");
    assert_same(&served, &full_build(&site), "a longer body");

    // A broken body keeps the last good output and reports the problem where it is.
    let before = served.clone();
    edit(&site, brief, "lab-chips-loi-2025", "no-such-deal");
    let outcome = session.update(&[brief.to_string()]).expect("update");
    assert_eq!(serve_update(&mut served, &mut session, outcome), "failed");
    assert_eq!(served, before);
    let errors: Vec<String> = session
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} {}", d.file, d.message))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with(brief) && errors[0].contains("no-such-deal"), "{errors:?}");
    // Every problem, warnings included, as a full build reports them.
    let full = pipeline::build(&site, Options::default()).expect("site loads");
    assert_eq!(session.diagnostics().iter().collect::<Vec<_>>(), full.diagnostics.iter().collect::<Vec<_>>());

    // Fixing it serves the fixed page again.
    edit(&site, brief, "no-such-deal", "lab-chips-loi-2025");
    let outcome = session.update(&[brief.to_string()]).expect("update");
    assert_ne!(serve_update(&mut served, &mut session, outcome), "failed");
    assert!(!session.diagnostics().has_errors());
    assert_same(&served, &full_build(&site), "fixing the error");

    // Front matter, the registry and new files take the full path.
    edit(&site, brief, "title = \"The first brief\"", "title = \"The first brief, revised\"");
    let outcome = session.update(&[brief.to_string()]).expect("update");
    assert_eq!(serve_update(&mut served, &mut session, outcome), "whole");
    assert_same(&served, &full_build(&site), "a front matter edit");
    edit(&site, "content/deals.toml", "id = \"lab-cloud-2025\"", "id = \"lab-cloud-2025\"\n# a comment");
    let outcome = session.update(&["content/deals.toml".to_string()]).expect("update");
    assert_eq!(serve_update(&mut served, &mut session, outcome), "whole");
    assert_same(&served, &full_build(&site), "a registry edit");
}

#[test]
fn a_static_file_may_not_take_the_place_of_a_generated_one() {
    let scratch = base_site("static-collision");
    let site = scratch.path.join("site");
    let out = scratch.path.join("out");
    std::fs::create_dir_all(site.join("static/briefs")).expect("static folder");
    // One collides with a brief's page, one with a listing page, one with the search index,
    // and one with nothing.
    for (path, text) in [
        ("static/briefs/first-brief.html", "<p>mine</p>"),
        ("static/index.html", "<p>mine</p>"),
        ("static/search-index.js", "mine"),
        ("static/extra.txt", "mine"),
    ] {
        std::fs::write(site.join(path), text).expect("write");
    }
    let result = build(&site, &out, &[]);
    let stderr = text(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    for path in ["briefs/first-brief.html", "index.html", "search-index.js"] {
        assert!(stderr.contains(&format!("static file `{path}` collides with a generated file")), "{path}: {stderr}");
    }
    assert!(!stderr.contains("extra.txt"), "{stderr}");
    assert!(!out.exists(), "a failed build writes nothing");
}

/// Builds `site` into `out` with the binary, asserts that it succeeded, and reads the output.
fn built(site: &Path, out: &Path) -> Output {
    let result = build(site, out, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    output_of(out)
}

/// The text of the built-in template `name`.
fn built_in_template(name: &str) -> String {
    std::fs::read_to_string(repo().join("templates").join(name)).expect("built-in template")
}

/// Makes `text` the site's own template `name`.
fn override_template(site: &Path, name: &str, text: &str) {
    let path = site.join("templates").join(name);
    std::fs::create_dir_all(path.parent().expect("templates folder")).expect("templates folder");
    std::fs::write(path, text).expect("write");
}

#[test]
fn spliced_brief_entries_give_the_bytes_a_template_that_reads_them_gives() {
    // The default templates output `brief_items` bare, so the listing pages' entries are
    // spliced in after rendering. A `brief_list.html` that also tests `brief_items` renders the
    // same pages the plain way (the entries joined into a value): the outputs must be the same.
    let scratch = base_site("splice-items");
    let site = scratch.path.join("site");
    let spliced = built(&site, &scratch.path.join("spliced"));
    let list = built_in_template("partials/brief_list.html");
    override_template(&site, "partials/brief_list.html", &format!("{list}{{% if brief_items %}}{{% endif %}}"));
    let plain = built(&site, &scratch.path.join("plain"));
    let index = spliced.get("briefs/index.html").map(String::from_utf8_lossy).expect("the briefs index");
    assert_eq!(index.matches("<li class=\"brief-item\">").count(), 2, "every brief listed: {index}");
    let listings: Vec<&String> =
        spliced.files.keys().filter(|path| path.starts_with("tags/") || path.starts_with("companies/")).collect();
    assert!(listings.len() > 2, "tag and company pages: {listings:?}");
    for (path, bytes) in &spliced.files {
        assert!(!bytes.contains(&0), "no mark is left in {path}");
    }
    assert_eq!(spliced, plain);

    // A template that changes the entries gets the entries, not the mark.
    let filtered = list.replace("{{ brief_items }}", "{{ brief_items | replace(from=\"brief-item\", to=\"ENTRY\") }}");
    assert_ne!(filtered, list);
    override_template(&site, "partials/brief_list.html", &filtered);
    let changed = built(&site, &scratch.path.join("changed"));
    let index = changed.get("briefs/index.html").map(String::from_utf8_lossy).expect("the briefs index");
    assert_eq!(index.matches("<li class=\"ENTRY\">").count(), 2, "{index}");
}

#[test]
fn listed_briefs_arrive_as_values_for_a_template_that_reads_them() {
    // The built-in templates never read `briefs`, so a build does not make them; a site
    // template that loops over them gets every brief of the page, in order, with `brief_count`,
    // and every page it does not change stays the same bytes.
    let scratch = base_site("brief-values");
    let site = scratch.path.join("site");
    let plain = built(&site, &scratch.path.join("plain"));
    let tag = built_in_template("tag.html");
    let looped = tag.replacen(
        "{% include",
        "<ul id=\"values\" data-count=\"{{ brief_count }}\">{% for b in briefs %}<li>{{ b.slug }} {{ b.reading_minutes }}</li>{% endfor %}</ul>\n{% include",
        1,
    );
    assert_ne!(looped, tag);
    override_template(&site, "tag.html", &looped);
    let read = built(&site, &scratch.path.join("read"));
    let mut tag_pages = 0;
    for (path, bytes) in &read.files {
        let page = String::from_utf8_lossy(bytes);
        if !path.starts_with("tags/") || path == "tags/index.html" {
            assert_eq!(Some(bytes), plain.files.get(path), "{path} is the same");
            continue;
        }
        tag_pages += 1;
        let entries: Vec<&str> = page
            .split("<h3 class=\"brief-item-title\"><a href=\"../briefs/")
            .skip(1)
            .filter_map(|rest| rest.split_once(".html").map(|(slug, _)| slug))
            .collect();
        let values = page.split_once("<ul id=\"values\"").map(|(_, rest)| rest).unwrap_or_default();
        let values = values.split_once("</ul>").map(|(list, _)| list).unwrap_or_default();
        let slugs: Vec<&str> = values.split("<li>").skip(1).filter_map(|li| li.split(' ').next()).collect();
        assert!(!entries.is_empty(), "{path} lists briefs: {page}");
        assert_eq!(slugs, entries, "{path}: the values are the listed briefs, in order");
        assert!(values.starts_with(&format!(" data-count=\"{}\">", entries.len())), "{path}: {values}");
    }
    assert!(tag_pages > 1, "tag pages: {tag_pages}");
}

#[test]
fn a_spliced_body_gives_the_bytes_a_template_that_reads_it_gives() {
    // The default templates output `content` bare, so bodies are spliced in after rendering.
    // A site `base.html` that only tests `content` renders the same pages the plain way: the
    // two outputs must be the same bytes.
    let scratch = base_site("splice");
    let site = scratch.path.join("site");
    let spliced = built(&site, &scratch.path.join("spliced"));
    let base = built_in_template("base.html");
    override_template(&site, "base.html", &format!("{base}{{% if content %}}{{% endif %}}"));
    let plain = built(&site, &scratch.path.join("plain"));
    let brief = spliced.get("briefs/first-brief.html").map(String::from_utf8_lossy).expect("a brief page");
    assert!(brief.contains("<div class=\"prose\">\n<p>"), "the body is in its place: {brief}");
    assert!(!brief.contains('\0'), "no mark is left");
    assert_eq!(spliced, plain);

    // A template that changes the body gets the body, not the mark.
    let brief_template = built_in_template("brief.html");
    let filtered = brief_template.replace("{{ content }}", "{{ content | replace(from=\"agreed\", to=\"AGREED\") }}");
    assert_ne!(filtered, brief_template);
    override_template(&site, "brief.html", &filtered);
    let changed = built(&site, &scratch.path.join("changed"));
    let brief = changed.get("briefs/first-brief.html").map(String::from_utf8_lossy).expect("a brief page");
    assert!(brief.contains("<div class=\"prose\">\n<p>LabCo AGREED to spend"), "{brief}");

    // So does a bare `{{ content }}` inside a section whose output tera filters, with the base
    // template back to the default one that would otherwise allow splicing.
    std::fs::remove_file(site.join("templates/base.html")).expect("remove base.html");
    let sectioned = brief_template
        .replace("{{ content }}", "{% filter replace(from=\"agreed\", to=\"AGREED\") %}{{ content }}{% endfilter %}");
    override_template(&site, "brief.html", &sectioned);
    let sectioned = built(&site, &scratch.path.join("sectioned"));
    let brief = sectioned.get("briefs/first-brief.html").map(String::from_utf8_lossy).expect("a brief page");
    assert!(brief.contains("<div class=\"prose\">\n<p>LabCo AGREED to spend"), "{brief}");
}

#[test]
fn an_estimated_value_is_named_as_such_wherever_it_is_summed() {
    // One more deal, at an analyst's estimate: the home page's rankings and the company's
    // chart include it, and each says which part is estimated rather than calling it firm.
    let scratch = base_site("estimate");
    let site = scratch.path.join("site");
    let deals = site.join("content/deals.toml");
    let mut registry = std::fs::read_to_string(&deals).expect("deals.toml");
    registry.push_str(
        "\n[[deal]]\nid = \"lab-cloud-estimate-2026\"\ntitle = \"LabCo adds cloud capacity\"\nbuyer = \"labco\"\n\
         provider = \"cloudco\"\nkind = \"cloud\"\nannounced = 2026-01-12\nstatus = \"signed\"\nvalue_usd_bn = 12\n\
         value_basis = \"estimate\"\nsummary = \"An analyst's estimate of a second contract.\"\n\n[[deal.source]]\n\
         publisher = \"Example Research\"\ntitle = \"What LabCo's second contract is worth\"\n\
         url = \"https://research.example/labco\"\ndate = 2026-01-13\n",
    );
    std::fs::write(&deals, registry).expect("write deals.toml");
    let out = scratch.path.join("out");
    let result = build(&site, &out, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let read = |file: &str| std::fs::read_to_string(out.join(file)).expect(file);
    let index = read("index.html");
    assert!(index.contains("$50bn</span> <span class=\"ranking-note\">of which $12bn estimated</span>"), "{index}");
    let company = read("companies/labco.html");
    assert!(company.contains("has committed $38bn in firm compute purchases and an estimated $12bn more"), "{company}");
    assert!(!company.contains("$50bn in firm"), "the sum is never called firm");
}

#[test]
fn counts_read_in_the_singular_and_count_only_companies_in_deals() {
    // One deal between two companies, and a third company in no deal at all.
    let scratch = base_site("singular");
    let site = scratch.path.join("site");
    let deals = site.join("content/deals.toml");
    let registry = std::fs::read_to_string(&deals).expect("deals.toml");
    let second = registry.match_indices("[[deal]]").nth(1).map_or(registry.len(), |(at, _)| at);
    std::fs::write(&deals, &registry[..second]).expect("write deals.toml");
    std::fs::write(
        site.join("content/briefs/second-brief.md"),
        "+++\ntitle = \"A second brief\"\ndate = 2026-01-05\nsummary = \"It cites no deal.\"\n+++\n\nNo deal here.\n",
    )
    .expect("a brief that cites no other deal");
    let companies = site.join("content/companies.toml");
    let mut listed = std::fs::read_to_string(&companies).expect("companies.toml");
    listed.push_str("\n[[company]]\nid = \"idleco\"\nname = \"Idle Company\"\nrole = \"lab\"\ndescription = \"A lab in no deal.\"\n");
    std::fs::write(&companies, listed).expect("write companies.toml");
    let out = scratch.path.join("out");
    let result = build(&site, &out, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    let read = |file: &str| std::fs::read_to_string(out.join(file)).expect(file);
    let registry = read("registry.html");
    assert!(registry.contains("1 deal between 2 companies."), "{registry}");
    let index = read("index.html");
    assert!(index.contains("1 active compute deal in all"), "{index}");
    assert!(index.contains(">deal in the registry: 0 money flows (equity, financing, acquisitions)"), "{index}");
}

#[test]
fn a_site_without_search_writes_no_index_and_shows_no_search_box() {
    let scratch = base_site("no-search");
    let site = scratch.path.join("site");
    let with_search = scratch.path.join("with-search");
    let result = build(&site, &with_search, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stdout).contains(", search index "), "{}", text(&result.stdout));
    let searched = output_of(&with_search);
    assert!(searched.get("search-index.js").is_some());
    let pages_with_box = |output: &Output| {
        output.files.iter().filter(|(p, b)| p.ends_with(".html") && text(b).contains("id=\"site-search\"")).count()
    };
    let pages = searched.files.keys().filter(|p| p.ends_with(".html")).count();
    assert_eq!(pages_with_box(&searched), pages, "every page has the search box");

    let config = site.join("content/site.toml");
    std::fs::write(&config, std::fs::read_to_string(&config).expect("config") + "search = false\n").expect("write");
    let without = scratch.path.join("without-search");
    let result = build(&site, &without, &[]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stdout).contains(", no search index in "), "{}", text(&result.stdout));
    let plain = output_of(&without);
    assert!(plain.get("search-index.js").is_none(), "no index is written");
    assert_eq!(pages_with_box(&plain), 0, "no page shows a search box");
    for (path, bytes) in &plain.files {
        assert!(!text(bytes).contains("assets/search.js"), "{path} still loads the search script");
    }
    // Everything else is the same files, and the same bytes where pages are not concerned.
    let mut expected: Vec<&String> = searched.files.keys().filter(|p| *p != "search-index.js").collect();
    expected.sort();
    assert_eq!(plain.files.keys().collect::<Vec<_>>(), expected);
    for (path, bytes) in plain.files.iter().filter(|(p, _)| !p.ends_with(".html")) {
        assert_eq!(Some(bytes.as_slice()), searched.get(path), "{path} differs");
    }
    let findings = check_output(&plain);
    assert!(findings.is_empty(), "{findings:?}");

    // `serve` has no index to refresh either.
    let (mut session, _) = Session::open(&site, Options::default()).expect("site loads");
    edit(&site, "content/briefs/first-brief.md", "## Why it matters", "## Why this matters");
    let outcome = session.update(&["content/briefs/first-brief.md".to_string()]).expect("update");
    assert!(matches!(outcome, Outcome::Files(_)), "{outcome:?}");
    assert!(session.search_index().is_none(), "no index for a site without search");

    // A value that is not a boolean is an error with its place and a hint.
    let config_text = std::fs::read_to_string(&config).expect("config").replace("search = false", "search = \"off\"");
    std::fs::write(&config, config_text).expect("write");
    let result = build(&site, &scratch.path.join("refused"), &[]);
    assert!(!result.status.success());
    let stderr = text(&result.stderr);
    assert!(stderr.contains("`search` must be `true` or `false`, found a string"), "{stderr}");
    assert!(stderr.contains("--> content/site.toml:"), "{stderr}");
    assert!(stderr.contains("help: write `search = true` or `search = false`, without quotes"), "{stderr}");
}

/// Builds `site` in memory as it is and again with its `brief.html` rendered by tera (the
/// built-in text with a comment added, so the direct writer steps aside), and asserts that the
/// first build wrote its brief pages directly and that both builds are the same bytes.
pub fn assert_brief_pages_match_tera(site: &Path, options: Options) {
    let build = |site: &Path| {
        let build = pipeline::build(site, options).expect("site loads");
        assert!(build.succeeded(), "the build failed: {:?}", build.diagnostics);
        build.rendered.expect("rendered")
    };
    let direct = build(site);
    assert!(direct.stats.brief_pages_direct, "the built-in brief page went through tera");
    let built_in = infrabrief::render::theme::TEMPLATES
        .iter()
        .find(|(name, _)| *name == "brief.html")
        .map(|(_, text)| *text)
        .expect("a built-in brief.html");
    let marked = "<article class=\"brief\">";
    assert!(built_in.contains(marked), "brief.html has no `{marked}`");
    std::fs::create_dir_all(site.join("templates")).expect("templates folder");
    let own = site.join("templates/brief.html");
    let kept = std::fs::read(&own).ok();
    std::fs::write(&own, built_in.replacen(marked, &format!("{marked}{{# rendered by tera #}}"), 1))
        .expect("write brief.html");
    let through_tera = build(site);
    match kept {
        Some(bytes) => std::fs::write(&own, bytes).expect("restore brief.html"),
        None => std::fs::remove_file(&own).expect("remove brief.html"),
    }
    assert!(!through_tera.stats.brief_pages_direct, "a site's own brief.html was not rendered by tera");
    let briefs = direct.output.files.keys().filter(|path| path.starts_with("briefs/")).count();
    assert!(briefs > 0, "no brief pages");
    let (direct, through_tera) = (direct.output.files, through_tera.output.files);
    assert_eq!(direct.keys().collect::<Vec<_>>(), through_tera.keys().collect::<Vec<_>>());
    for (path, bytes) in &direct {
        if bytes != &through_tera[path] {
            let (a, b) = (String::from_utf8_lossy(bytes), String::from_utf8_lossy(&through_tera[path]));
            let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
            panic!(
                "{path} differs from tera's at line {}:\n  direct: {:?}\n  tera:   {:?}",
                line + 1,
                a.lines().nth(line),
                b.lines().nth(line)
            );
        }
    }
}

#[test]
fn brief_pages_written_without_tera_are_the_bytes_tera_writes() {
    // The shipped site.
    let shipped = Scratch::new("direct-shipped");
    for folder in ["content", "templates", "static"] {
        copy_tree(&repo().join(folder), &shipped.path.join(folder));
    }
    assert_brief_pages_match_tera(&shipped.path, Options::default());

    // The fixture with its draft, with a canonical address, and a brief with every part a brief
    // page can have or lack: characters to escape, headings of levels 2 to 4, no tags.
    let scratch = base_site("direct-edges");
    let site = scratch.path.join("site");
    let config = site.join("content/site.toml");
    let mut toml = std::fs::read_to_string(&config).expect("site.toml");
    toml.push_str("base_url = \"https://example.org/a&b/\"\n");
    std::fs::write(&config, toml).expect("write site.toml");
    std::fs::write(
        site.join("content/briefs/q-and-a.md"),
        "+++\ntitle = \"<Q&A> on \\\"power\\\" and 'chips'\"\ndate = 2026-05-01\nupdated = 2026-05-09\n\
         summary = \"Less < more & \\\"quotes\\\".\"\ncompanies = [\"chipco\"]\n+++\n\n\
         ## Power & <cooling>\n\nText.\n\n### \"Quoted\" heading\n\nMore.\n\n#### Deep\n\nEnd.\n",
    )
    .expect("write a brief");
    assert_brief_pages_match_tera(&site, Options { drafts: true });
    assert_brief_pages_match_tera(&site, Options { drafts: false });
}
