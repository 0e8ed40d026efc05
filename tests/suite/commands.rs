//! The author and reader workflow: the search index, `check`, `new brief`, `serve`, and the feed
//! and sitemap as valid XML with stable ids.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Scratch, copy_tree, fixture, infrabrief, text};

fn base_site(label: &str) -> Scratch {
    let scratch = Scratch::new(label);
    copy_tree(&fixture("base"), &scratch.path.join("site"));
    scratch
}

fn path_str(path: &std::path::Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn search_index_finds_briefs_deals_and_companies() {
    let scratch = base_site("search");
    let out = scratch.path.join("out");
    let site = scratch.path.join("site");
    let result = infrabrief(&["build", "--root", path_str(&site), "-o", path_str(&out)]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert!(text(&result.stdout).contains("search index"), "the summary reports the index size");
    let script = std::fs::read_to_string(out.join("search-index.js")).expect("index written");
    let json = script
        .strip_prefix("window.INFRABRIEF_SEARCH=")
        .and_then(|s| s.strip_suffix(";\n"))
        .expect("a script that sets the index");
    let index: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    assert_eq!(index["format"], 2, "the index names its format, which search.js checks");
    let docs = index["docs"].as_array().expect("docs");
    let kinds: Vec<&str> = docs.iter().filter_map(|d| d[0].as_str()).collect();
    for kind in ["brief", "deal", "company", "page", "data"] {
        assert!(kinds.contains(&kind), "{kind} documents are indexed");
    }
    // "labco" ranks its company page first: the company name weighs most.
    let pairs = postings_of(&index, "labco");
    let best = pairs.iter().max_by_key(|(_, w)| *w).expect("postings").0;
    assert_eq!(docs[best][0], "company");
    assert_eq!(docs[best][2], "companies/labco.html");
    // A body word of the first brief is found without storing the body.
    let literal = postings_of(&index, "literal");
    assert_eq!(docs[literal[0].0][2], "briefs/first-brief.html");
    // Every term's documents are written as gaps from the one before: they decode to distinct
    // documents in ascending order, all within the list of documents.
    for term in index["terms"].as_object().expect("terms").keys() {
        let decoded = postings_of(&index, term);
        assert!(decoded.windows(2).all(|w| w[0].0 < w[1].0), "{term}: {decoded:?}");
        assert!(decoded.iter().all(|&(doc, weight)| doc < docs.len() && weight > 0), "{term}: {decoded:?}");
    }
    assert!(!script.contains("Literal shortcodes stay as they are"), "bodies are not copied into the index");
    // Every page loads the search script with a plain script tag, relative to the page; the
    // script adds search-index.js (also a plain script element, never fetch) when needed.
    let page = std::fs::read_to_string(out.join("briefs/first-brief.html")).expect("page");
    assert!(page.contains("<script src=\"../assets/search.js\"></script>"));
    let search = std::fs::read_to_string(out.join("assets/search.js")).expect("search script");
    assert!(search.contains("root + \"search-index.js\"") && !search.contains("fetch("));
    assert!(page.contains("id=\"search-input\""));
    assert!(
        page.contains("<form id=\"site-search\" class=\"site-search\" role=\"search\" hidden>"),
        "hidden without JS"
    );
}

fn check_json(site: &std::path::Path, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["check", "--root", path_str(site), "--format", "json"];
    args.extend_from_slice(extra);
    let result = infrabrief(&args);
    let report =
        serde_json::from_slice(&result.stdout).unwrap_or_else(|e| panic!("JSON report: {e}\n{}", text(&result.stdout)));
    (result.status.code(), report)
}

#[test]
fn check_reports_links_anchors_external_resources_and_typed_figures() {
    let scratch = base_site("check");
    let site = scratch.path.join("site");
    // Clean site: no problems, nothing written.
    let (code, report) = check_json(&site, &[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["ok"], true);
    assert!(!site.join("public").exists(), "check writes nothing");

    let brief = site.join("content/briefs/second-brief.md");
    let mut body = std::fs::read_to_string(&brief).expect("brief");
    body.push_str("\nA [broken link](../deals/nope.html), a [broken anchor](@/pages/methodology.md#nope) and a figure of $38bn.\n");
    std::fs::write(&brief, body).expect("write");
    std::fs::create_dir_all(site.join("templates")).expect("templates");
    std::fs::write(
        site.join("templates/tags.html"),
        "{% extends \"base.html\" %}{% block content %}<script src=\"https://cdn.example/x.js\"></script>{% endblock content %}",
    )
    .expect("template");
    let (code, report) = check_json(&site, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(report["version"], 1);
    let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
    let find = |needle: &str| {
        diagnostics
            .iter()
            .find(|d| d["message"].as_str().is_some_and(|m| m.contains(needle)))
            .unwrap_or_else(|| panic!("no diagnostic containing {needle:?} in {report:#}"))
    };
    let link = find("no file `deals/nope.html`");
    assert_eq!(
        (link["severity"].as_str(), link["file"].as_str()),
        (Some("error"), Some("output/briefs/second-brief.html"))
    );
    assert!(link["line"].as_u64().is_some());
    let anchor = find("no element with id `nope`");
    assert_eq!(anchor["severity"], "error");
    let script = find("loads an external resource");
    assert_eq!(script["file"], "output/tags/index.html");
    let figure = find("hand-typed money figure `$38bn`");
    assert_eq!(figure["severity"], "warning");
    assert_eq!(figure["file"], "content/briefs/second-brief.md");
    let written = std::fs::read_to_string(&brief).expect("brief");
    let lines = written.lines().count() as u64;
    let column = written.lines().last().and_then(|l| l.find("$38bn")).map(|c| c as u64 + 1);
    assert_eq!(figure["line"].as_u64(), Some(lines), "located on its line");
    assert_eq!(figure["column"].as_u64(), column);

    // Human output names the same places.
    let human = infrabrief(&["check", "--root", path_str(&site)]);
    let stderr = text(&human.stderr);
    let place = format!("--> content/briefs/second-brief.md:{lines}:{}", column.unwrap_or(0));
    assert!(stderr.contains(&place), "{stderr}");
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    let scratch = base_site("deny");
    let site = scratch.path.join("site");
    let brief = site.join("content/briefs/second-brief.md");
    let body = std::fs::read_to_string(&brief).expect("brief") + "\nIt cost 38 billion dollars.\n";
    std::fs::write(&brief, body).expect("write");
    let (code, report) = check_json(&site, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(report["warnings"], 1);
    let (code, report) = check_json(&site, &["--deny-warnings"]);
    assert_eq!(code, Some(1));
    assert_eq!(report["ok"], false);
}

#[test]
fn new_brief_writes_a_valid_draft_and_never_overwrites() {
    let scratch = base_site("new");
    let site = scratch.path.join("site");
    let result = infrabrief(&["new", "brief", "Gigawatts: the new unit", "--root", path_str(&site)]);
    assert!(result.status.success(), "{}", text(&result.stderr));
    assert_eq!(text(&result.stdout).trim(), "content/briefs/gigawatts-the-new-unit.md");
    let written = std::fs::read_to_string(site.join("content/briefs/gigawatts-the-new-unit.md")).expect("file");
    let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() / 86_400;
    let today = infrabrief::model::Date::from_days_since_epoch(days as i64).iso();
    assert!(written.contains(&format!("date = {today}")), "{written}");
    assert!(written.contains("title = \"Gigawatts: the new unit\"") && written.contains("draft = true"));
    let out = scratch.path.join("out");
    let build = infrabrief(&["build", "--root", path_str(&site), "-o", path_str(&out), "--drafts"]);
    assert!(build.status.success(), "the new brief is valid: {}", text(&build.stderr));
    assert!(out.join("briefs/gigawatts-the-new-unit.html").exists());
    let again = infrabrief(&["new", "brief", "Gigawatts: the new unit", "--root", path_str(&site)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(site.join("content/briefs/gigawatts-the-new-unit.md")).expect("file"), written);
}

#[test]
fn feed_and_sitemap_are_valid_xml_with_stable_ids() {
    let scratch = base_site("feed");
    let site = scratch.path.join("site");
    let config = site.join("content/site.toml");
    std::fs::write(
        &config,
        std::fs::read_to_string(&config).expect("config") + "base_url = \"https://briefs.example\"\n",
    )
    .expect("write");
    let ids = |out: &std::path::Path| -> Vec<String> {
        let feed = std::fs::read_to_string(out.join("feed.xml")).expect("feed");
        let document = roxmltree::Document::parse(&feed).expect("feed is XML");
        let root = document.root_element();
        assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2005/Atom"));
        let entries: Vec<_> = root.children().filter(|n| n.has_tag_name("entry")).collect();
        assert_eq!(entries.len(), 2, "drafts are not in the feed");
        for entry in &entries {
            for child in ["title", "id", "updated", "published", "summary", "link"] {
                assert!(entry.children().any(|n| n.has_tag_name(child)), "entry has <{child}>");
            }
        }
        entries
            .iter()
            .filter_map(|e| e.children().find(|n| n.has_tag_name("id")).and_then(|n| n.text()).map(str::to_string))
            .collect()
    };
    let first = scratch.path.join("out-1");
    let second = scratch.path.join("out-2");
    for out in [&first, &second] {
        assert!(infrabrief(&["build", "--root", path_str(&site), "-o", path_str(out)]).status.success());
    }
    let first_ids = ids(&first);
    assert_eq!(
        first_ids,
        ["https://briefs.example/briefs/second-brief.html", "https://briefs.example/briefs/first-brief.html"]
    );
    assert_eq!(first_ids, ids(&second), "ids are stable");
    let sitemap = std::fs::read_to_string(first.join("sitemap.xml")).expect("sitemap");
    let document = roxmltree::Document::parse(&sitemap).expect("sitemap is XML");
    let locations: Vec<&str> =
        document.descendants().filter(|n| n.has_tag_name("loc")).filter_map(|n| n.text()).collect();
    assert!(locations.contains(&"https://briefs.example/index.html"));
    assert!(locations.iter().all(|l| l.starts_with("https://briefs.example/") && !l.ends_with("404.html")));
}

/// A running `infrabrief serve`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(site: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_infrabrief"))
        .args(["serve", "--root", path_str(site), "--port", "0"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut port = 0;
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(at) = line.find("http://127.0.0.1:") {
            port = line[at + 17..]
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .split('/')
                .next()
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            break;
        }
    }
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    assert!(port > 0, "serve printed its address");
    Server { child, port }
}

fn get(port: u16, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("send");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.lines().next().unwrap_or("").to_string(), body.to_string())
}

#[test]
fn serve_answers_from_memory_and_reloads_after_a_change() {
    let scratch = base_site("serve");
    let site = scratch.path.join("site");
    let server = serve(&site);
    let (status, body) = get(server.port, "/");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        body.contains("<script src=\"/__infrabrief/reload.js\"></script></body>"),
        "reload script injected in serve mode"
    );
    assert!(!site.join("public").exists(), "nothing written to public/");
    for bad in ["/../content/site.toml", "/%2e%2e/content/site.toml", "/briefs/..%2f..%2fcontent%2fsite.toml"] {
        assert_eq!(get(server.port, bad).0, "HTTP/1.1 400 Bad Request", "{bad}");
    }
    assert_eq!(get(server.port, "/nope.html").0, "HTTP/1.1 404 Not Found");

    let mut events = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    events.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    write!(events, "GET /__infrabrief/events HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("send");
    let mut reader = BufReader::new(events);
    let mut line = String::new();
    while reader.read_line(&mut line).expect("event stream") > 0 && !line.contains("connected") {
        line.clear();
    }
    let about = site.join("content/pages/about.md");
    std::fs::write(
        &about,
        std::fs::read_to_string(&about).expect("page").replace("A fixture site.", "An edited fixture site."),
    )
    .expect("edit");
    let mut got_reload = false;
    line.clear();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        if line.contains("data: reload") {
            got_reload = true;
            break;
        }
        line.clear();
    }
    assert!(got_reload, "open pages are told to reload");
    assert!(get(server.port, "/about.html").1.contains("An edited fixture site."));

    // A broken edit keeps the last good site and shows the errors over it.
    let deals = site.join("content/deals.toml");
    std::fs::write(&deals, std::fs::read_to_string(&deals).expect("deals") + "\n[[deal]]\nid = \"Broken Id\"\n")
        .expect("break");
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut page = String::new();
    while Instant::now() < deadline {
        page = get(server.port, "/about.html").1;
        if page.contains("infrabrief-overlay") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(page.contains("infrabrief-overlay"), "the build error is shown in the page");
    assert!(page.contains("is not a valid deal id"), "with the same diagnostics as the terminal");
    assert!(page.contains("An edited fixture site."), "the last good build is still served");
}

/// A term's postings as (document, weight), decoding the gaps the index stores.
fn postings_of(index: &serde_json::Value, term: &str) -> Vec<(usize, u64)> {
    let postings = index["terms"][term].as_array().unwrap_or_else(|| panic!("term {term} indexed"));
    let mut doc = 0;
    postings
        .chunks(2)
        .map(|pair| {
            doc += pair[0].as_u64().expect("a gap is a whole number") as usize;
            (doc, pair.get(1).and_then(serde_json::Value::as_u64).expect("each gap has a weight"))
        })
        .collect()
}
