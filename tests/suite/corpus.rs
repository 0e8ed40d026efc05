//! The benchmark's corpus generator (`examples/corpus.rs`): every site it writes builds without a
//! single diagnostic, the same seed gives the same bytes, and the plain site is the Hugo twin's
//! Markdown, so the Hugo comparison really compares the same text.

#[path = "../../examples/corpus.rs"]
#[allow(dead_code)]
mod generator;

use std::path::Path;

use infrabrief::pipeline::{self, Options};

use crate::common::{Scratch, snapshot, text};

fn small(seed: u64) -> generator::Corpus {
    generator::generate(generator::Options { briefs: 30, deals: 40, seed })
}

/// Builds a generated site and returns its brief pages, failing on any diagnostic.
fn builds_cleanly(root: &Path) -> usize {
    let build = pipeline::build(root, Options::default()).expect("the generated site loads");
    let problems: Vec<String> = build.diagnostics.iter().map(|d| format!("{d:?}")).collect();
    assert!(problems.is_empty(), "{}: {problems:#?}", root.display());
    assert!(build.succeeded(), "{}", root.display());
    build.site.expect("a site").briefs.len()
}

/// The Markdown after the front matter of every brief in `root`, by file name.
fn bodies(root: &Path) -> Vec<(String, String)> {
    let folder = root.join("content/briefs");
    let mut found: Vec<(String, String)> = snapshot(&folder)
        .into_iter()
        .map(|(name, bytes)| {
            let file = text(&bytes);
            let body = file.splitn(3, "+++").nth(2).expect("front matter between +++ lines").to_string();
            (name, body)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_generated_site_builds_without_a_diagnostic() {
    let scratch = Scratch::new("corpus");
    let corpus = small(generator::DEFAULT_SEED);
    let full = scratch.path.join("full");
    let minimal = scratch.path.join("minimal");
    let plain = scratch.path.join("plain");
    corpus.write_site(&full, false).expect("write the full site");
    corpus.write_site(&minimal, true).expect("write the minimal site");
    corpus.write_plain_site(&plain).expect("write the plain site");
    for root in [&full, &minimal, &plain] {
        assert_eq!(builds_cleanly(root), 30, "{}", root.display());
    }
}

#[test]
fn the_plain_site_is_the_hugo_twins_markdown_with_infrabrief_links() {
    let scratch = Scratch::new("corpus-plain");
    let corpus = small(generator::DEFAULT_SEED);
    let (plain, hugo) = (scratch.path.join("plain"), scratch.path.join("hugo"));
    corpus.write_plain_site(&plain).expect("write the plain site");
    corpus.write_hugo(&hugo).expect("write the Hugo twin");
    let (plain_bodies, hugo_bodies) = (bodies(&plain), bodies(&hugo));
    assert_eq!(plain_bodies.len(), 30);
    // Briefs only, as the Hugo twin: no deal, company or series for infrabrief to render besides.
    for registry in ["content/deals.toml", "content/companies.toml"] {
        let text = std::fs::read_to_string(plain.join(registry)).expect("read the registry file");
        assert!(!text.contains("[["), "{registry} of the plain site has entries:\n{text}");
    }
    assert!(!plain.join("content/series").exists(), "the plain site has series");
    let mut links = 0;
    for ((plain_name, plain_body), (hugo_name, hugo_body)) in plain_bodies.iter().zip(&hugo_bodies) {
        assert_eq!(plain_name, hugo_name);
        assert!(!plain_body.contains("{{"), "{plain_name} still has a shortcode");
        assert!(!plain_body.contains("](../"), "{plain_name} still has a Hugo link");
        links += plain_body.matches("](@/briefs/").count();
        // Turning each content link back into Hugo's form gives Hugo's body exactly.
        let mut back = String::new();
        let mut rest = plain_body.as_str();
        while let Some(at) = rest.find("](@/briefs/") {
            let after = &rest[at + "](@/briefs/".len()..];
            let end = after.find(".md)").expect("a link ends in .md)");
            back.push_str(&rest[..at]);
            back.push_str(&format!("](../{}/)", &after[..end]));
            rest = &after[end + ".md)".len()..];
        }
        back.push_str(rest);
        assert_eq!(&back, hugo_body, "{plain_name}");
    }
    assert!(links >= 30, "the briefs link to each other ({links} links)");
    let front_matter = text(&std::fs::read(plain.join("content/briefs").join(&plain_bodies[0].0)).expect("read"));
    let front_matter = front_matter.split("+++").nth(1).expect("front matter");
    assert!(!front_matter.contains("companies") && !front_matter.contains("deals"), "{front_matter}");
}

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let scratch = Scratch::new("corpus-seed");
    let (a, b, other) = (scratch.path.join("a"), scratch.path.join("b"), scratch.path.join("other"));
    small(7).write_plain_site(&a).expect("write a");
    small(7).write_plain_site(&b).expect("write b");
    small(8).write_plain_site(&other).expect("write other");
    assert!(snapshot(&a) == snapshot(&b), "same seed, different bytes");
    assert!(snapshot(&a) != snapshot(&other), "a different seed should give a different site");
}

/// Briefs are indexed for search in runs of consecutive briefs, as many as rayon splits the
/// work into, then joined: on a site large enough for many runs, one thread and four must write
/// the very same bytes, search index included.
#[test]
fn a_generated_site_builds_the_same_bytes_on_one_thread_and_on_four() {
    let scratch = Scratch::new("corpus-threads");
    let site = scratch.path.join("site");
    generator::generate(generator::Options { briefs: 240, deals: 60, seed: generator::DEFAULT_SEED })
        .write_site(&site, false)
        .expect("write the site");
    let build = |threads: &str| {
        let out = scratch.path.join(format!("out-{threads}"));
        let result = std::process::Command::new(env!("CARGO_BIN_EXE_infrabrief"))
            .args(["build", "--root", site.to_str().expect("utf-8"), "-o", out.to_str().expect("utf-8")])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("run build");
        assert!(result.status.success(), "{}", text(&result.stderr));
        snapshot(&out)
    };
    let one = build("1");
    let four = build("4");
    assert!(one.iter().any(|(path, bytes)| path == "search-index.js" && bytes.len() > 10_000));
    assert_eq!(one.len(), four.len());
    for ((path_a, bytes_a), (path_b, bytes_b)) in one.iter().zip(&four) {
        assert_eq!(path_a, path_b);
        assert!(bytes_a == bytes_b, "{path_a} differs between one thread and four");
    }
}

/// Generated briefs (deal tables, charts, footnotes, links, tags) come out of the direct brief
/// page writer as tera writes them.
#[test]
fn generated_brief_pages_written_without_tera_are_the_bytes_tera_writes() {
    let scratch = Scratch::new("corpus-direct");
    for (name, minimal) in [("full", false), ("minimal", true)] {
        let site = scratch.path.join(name);
        small(generator::DEFAULT_SEED).write_site(&site, minimal).expect("write the site");
        crate::build::assert_brief_pages_match_tera(&site, infrabrief::pipeline::Options::default());
    }
    let plain = scratch.path.join("plain");
    small(generator::DEFAULT_SEED).write_plain_site(&plain).expect("write the plain site");
    crate::build::assert_brief_pages_match_tera(&plain, infrabrief::pipeline::Options::default());
}

/// The brief pages a listing page links its entries to, in order.
fn listed(page: &str) -> Vec<String> {
    page.split("<h3 class=\"brief-item-title\"><a href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// `paginate = 7` splits the briefs index and every topic into pages of 7 that, read in order,
/// list exactly what the single page lists without it; each page links to its neighbours and
/// marks itself, every link resolves, and `serve` updates a paged site to what a full build
/// gives.
#[test]
fn paginated_listings_hold_every_brief_once_in_order() {
    use infrabrief::check::check_output;
    use infrabrief::pipeline::{Outcome, Session};
    let scratch = Scratch::new("corpus-paged");
    let corpus = small(generator::DEFAULT_SEED);
    let (whole, paged) = (scratch.path.join("whole"), scratch.path.join("paged"));
    corpus.write_site(&whole, false).expect("write the site");
    corpus.write_site(&paged, false).expect("write the site");
    let config = paged.join("content/site.toml");
    let settings = std::fs::read_to_string(&config).expect("site.toml");
    std::fs::write(&config, settings + "paginate = 7\n").expect("site.toml");
    let output = |root: &Path| {
        let build = pipeline::build(root, Options::default()).expect("loads");
        assert!(build.succeeded() && build.diagnostics.is_empty(), "{:?}", build.diagnostics);
        build.rendered.expect("rendered").output
    };
    let (whole_out, paged_out) = (output(&whole), output(&paged));
    let page = |path: &str| paged_out.get(path).map(text);
    assert_eq!(check_output(&paged_out), vec![], "every link of the paged site resolves");

    let mut listings = vec![("briefs/index.html".to_string(), 30)];
    for path in whole_out.files.keys().filter(|p| p.starts_with("tags/") && *p != "tags/index.html") {
        let count = listed(&text(whole_out.get(path).expect("tag page"))).len();
        listings.push((path.clone(), count));
    }
    assert!(listings.iter().any(|(_, count)| *count > 7), "some topic needs more than one page: {listings:?}");
    for (first, count) in listings {
        let pages = count.div_ceil(7);
        let stem = first.trim_end_matches(".html");
        let path_of = |n: usize| if n == 1 { first.clone() } else { format!("{stem}.{n}.html") };
        assert!(page(&path_of(pages + 1)).is_none(), "{first}: a page past the last");
        let mut read = Vec::new();
        for n in 1..=pages {
            let html = page(&path_of(n)).unwrap_or_else(|| panic!("{} is missing", path_of(n)));
            let entries = listed(&html);
            assert!(entries.len() == 7 || (n == pages && entries.len() == count - 7 * (pages - 1)), "{first} {n}");
            read.extend(entries);
            if pages == 1 {
                assert!(!html.contains("class=\"pagination\""), "{first}: one page needs no navigation");
                continue;
            }
            let file = |n: usize| path_of(n).rsplit('/').next().expect("file").to_string();
            assert!(
                html.contains(&format!("<a aria-current=\"page\" href=\"../{}\">{n}</a>", path_of(n))),
                "{first} {n}"
            );
            assert_eq!(
                html.contains(&format!("rel=\"prev\" href=\"../{}\"", path_of(n.max(2) - 1))),
                n > 1,
                "{}",
                file(n)
            );
            assert_eq!(
                html.contains(&format!("rel=\"next\" href=\"../{}\"", path_of(n + 1))),
                n < pages,
                "{}",
                file(n)
            );
            assert!(html.contains(&format!("Page {n} of {pages}")), "{}", file(n));
        }
        assert_eq!(read, listed(&text(whole_out.get(&first).expect("single page"))), "{first}");
    }

    // serve: a longer body changes the brief's reading time on every page that lists it.
    let (mut session, outcome) = Session::open(&paged, Options::default()).expect("loads");
    let Outcome::Whole(mut served) = outcome else { panic!("the first build is whole") };
    // The oldest brief, listed on the last page of the index.
    let oldest = listed(&page("briefs/index.5.html").expect("last page")).pop().expect("an entry");
    let slug = oldest.trim_start_matches("../briefs/").trim_end_matches(".html");
    let name = format!("content/briefs/{slug}.md");
    let longer = std::fs::read_to_string(paged.join(&name)).expect("brief") + &"More words to read. ".repeat(400);
    std::fs::write(paged.join(&name), longer).expect("write");
    match session.update(&[name]).expect("update") {
        Outcome::Files(files) => {
            assert!(files.files.contains_key("briefs/index.5.html"), "{:?}", files.files.keys());
            served.files.extend(files.files);
        }
        other => panic!("expected the listing pages again, got {other:?}"),
    }
    if let Some((path, bytes)) = session.search_index() {
        served.insert(path, bytes);
    }
    let full = output(&paged);
    let differing: Vec<&String> =
        served.files.keys().chain(full.files.keys()).filter(|path| served.get(path) != full.get(path)).collect();
    assert!(differing.is_empty(), "serve's pages differ from a full build's: {differing:?}");
}
