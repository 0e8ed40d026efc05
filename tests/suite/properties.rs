//! Property tests of the parsers and the renderer on generated input: front-matter splitting,
//! shortcode parsing, registry loading and validation, and Markdown rendering never panic, give
//! the same answer twice, and only return spans that lie inside their input.
//!
//! Inputs are built from pieces that matter to each parser (delimiters, line ends of every kind,
//! quotes, escapes, multi-byte characters) so that a few hundred cases reach the corners; each
//! test stays well under a few seconds in a debug build. Failures are shrunk by proptest and
//! not persisted to disk (the suite must not write into the source tree).

use std::collections::BTreeMap;
use std::ops::Range;

use infrabrief::diag::{Diagnostic, Diagnostics, Sources, Style, render_all};
use infrabrief::load::front_matter::split;
use infrabrief::load::{LoadedSite, raw};
use infrabrief::model::validate::{Options, validate};
use infrabrief::render::markdown::{Insert, Resolver, render};
use infrabrief::render::shortcode::find;
use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::common::{Scratch, copy_tree, fixture};

fn config(cases: u32) -> Config {
    Config { cases, failure_persistence: None, ..Config::default() }
}

/// Concatenations of up to `max` pieces.
fn text_of(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(pieces), 0..max).prop_map(|parts| parts.concat())
}

fn within(span: &Range<usize>, len: usize) -> bool {
    span.start <= span.end && span.end <= len
}

const FRONT_MATTER_PIECES: &[&str] = &[
    "+++",
    "+++\n",
    "+++\r\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "title = \"x\"",
    "a",
    "é",
    "日",
    "\u{feff}",
    "++",
    "+",
    "#",
    "\"",
    "=",
    "[",
    "]",
];

const SHORTCODE_PIECES: &[&str] = &[
    "{{", "}}", "{", "}", "(", ")", "=", "\"", "\\", "\\\"", "\\n", ",", " ", "\t", "\n", "\r\n", "value", "deal",
    "id", "x", "_", "1", "-", ".", "e", "1e999", "true", "false", "`", "```\n", "~~~\n", "    ", "é", "日本", "\u{0}",
];

const MARKDOWN_PIECES: &[&str] = &[
    "# ",
    "## ",
    "### ",
    "\n",
    "\n\n",
    "\r\n",
    "> ",
    "- ",
    "1. ",
    "* ",
    "  ",
    "    ",
    "\t",
    "`",
    "```",
    "~~~",
    "*",
    "_",
    "**",
    "~~",
    "[",
    "]",
    "(",
    ")",
    "![",
    "[^n]",
    "[^n]: ",
    "[^é]",
    "<",
    ">",
    "</",
    "script",
    "img",
    " onerror=",
    "\"",
    "'",
    "&",
    "&#106;",
    "&#1;",
    "javascript:",
    "data:",
    "https://ex.example/",
    "@/briefs/known.md",
    "@/briefs/x.md",
    "#anchor",
    "img/a.png",
    "|",
    "|---|",
    "{#id}",
    "{#",
    "}",
    "{{ v() }}",
    "{{",
    "}}",
    "word",
    "Same",
    "é",
    "日本",
    "\u{0}",
    "\u{E000}",
    "\u{E001}",
    "0",
    "$38bn",
    "\\",
    "---",
    "***",
    "<!--",
    "-->",
    "mailto:a@b.example",
    "a@b.example",
];

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn front_matter_split_is_total_deterministic_and_in_bounds(text in text_of(FRONT_MATTER_PIECES, 40)) {
        let first = split("content/briefs/p.md", &text);
        let second = split("content/briefs/p.md", &text);
        prop_assert_eq!(&first, &second);
        match first {
            Ok(parts) => {
                prop_assert!(within(&parts.opening, text.len()));
                prop_assert_eq!(&text[parts.body_offset..], parts.body);
                prop_assert!(text[parts.front_matter_offset..].starts_with(parts.front_matter));
                prop_assert!(parts.front_matter_offset + parts.front_matter.len() <= parts.body_offset);
            }
            Err(diagnostic) => {
                if let Some(span) = &diagnostic.span {
                    prop_assert!(within(span, text.len()), "{:?} in {} bytes", span, text.len());
                }
            }
        }
    }

    #[test]
    fn shortcode_find_is_total_deterministic_and_in_bounds(body in text_of(SHORTCODE_PIECES, 40)) {
        let (shortcodes, errors) = find(&body);
        prop_assert_eq!(find(&body), (shortcodes.clone(), errors.clone()));
        let mut last_end = 0;
        for shortcode in &shortcodes {
            prop_assert!(within(&shortcode.span, body.len()) && shortcode.span.start >= last_end);
            prop_assert!(body[shortcode.span.clone()].starts_with("{{"));
            prop_assert!(body[shortcode.span.clone()].ends_with("}}"));
            prop_assert_eq!(&body[shortcode.name_span.clone()], shortcode.name);
            for arg in &shortcode.args {
                prop_assert_eq!(&body[arg.key_span.clone()], arg.key);
                prop_assert!(arg.value_span.start >= shortcode.span.start && arg.value_span.end <= shortcode.span.end);
            }
            last_end = shortcode.span.end;
        }
        for error in &errors {
            prop_assert!(within(&error.span, body.len()), "error span {:?} past the end of {:?}", error.span, body);
        }
    }

    #[test]
    fn markdown_render_is_total_deterministic_and_in_bounds(body in text_of(MARKDOWN_PIECES, 60)) {
        let (shortcodes, _) = find(&body);
        let inserts: Vec<Insert> = shortcodes
            .iter()
            .enumerate()
            .map(|(i, s)| Insert {
                span: s.span.clone(),
                html: format!("<span class=\"sc\">{i}</span>").into(),
                text: format!("sc{i}"),
                block: i % 2 == 1,
            })
            .collect();
        let first = render(&body, &inserts, &Fixed);
        let second = render(&body, &inserts, &Fixed);
        prop_assert_eq!(&first.html, &second.html);
        prop_assert_eq!(&first.problems, &second.problems);
        prop_assert_eq!(&first.headings, &second.headings);
        let mut ids: Vec<&str> = first.headings.iter().map(|h| h.id.as_str()).collect();
        ids.sort_unstable();
        let count = ids.len();
        ids.dedup();
        prop_assert_eq!(ids.len(), count, "heading ids are unique");
        prop_assert!(!first.html.to_ascii_lowercase().contains("<script"), "{}", first.html);
        let mut diagnostics = Diagnostics::default();
        for problem in &first.problems {
            prop_assert!(within(&problem.span, body.len()), "problem span {:?} of {:?}", problem.span, body);
            diagnostics.push(Diagnostic::error("content/briefs/p.md", Some(problem.span.clone()), problem.message.clone()));
        }
        let mut sources = Sources::default();
        sources.insert("content/briefs/p.md", body.clone());
        let _ = render_all(&diagnostics, &sources, Style { color: false });
    }
}

/// A resolver that knows one brief and one image.
struct Fixed;

impl Resolver for Fixed {
    fn content_link(&self, path: &str) -> Result<String, String> {
        match path {
            "briefs/known.md" => Ok("known.html".to_string()),
            _ => Err(format!("no content file `{path}`")),
        }
    }
    fn asset(&self, path: &str) -> Option<String> {
        (path == "img/a.png").then(|| "../img/a.png".to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// The registry: TOML text through the loader's readers, the validator and the diagnostic renderer.
// ---------------------------------------------------------------------------------------------

const KEYS: &[&str] = &[
    "id",
    "title",
    "buyer",
    "provider",
    "partners",
    "kind",
    "announced",
    "agreement",
    "status",
    "superseded_by",
    "value_usd_bn",
    "value_basis",
    "term_years",
    "capacity_gw",
    "chips",
    "chip_count",
    "summary",
    "notes",
    "valu_usd_bn",
    "Id",
    "x",
];

const VALUES: &[&str] = &[
    "\"labco\"",
    "\"cloudco\"",
    "\"a-deal\"",
    "\"b-deal\"",
    "\"A Deal\"",
    "\"../x\"",
    "\"\"",
    "\"  \"",
    "\"cloud\"",
    "\"signed\"",
    "\"superseded\"",
    "\"reported\"",
    "\"undisclosed\"",
    "\"up_to\"",
    "\"letter_of_intent\"",
    "\"2025-02-29\"",
    "\"2025-13\"",
    "\"2025-05\"",
    "2025-11-03",
    "2025-11-03T10:00:00Z",
    "10:30:00",
    "38",
    "-1",
    "0",
    "1e300",
    "nan",
    "-inf",
    "0x7fffffffffffffff",
    "99999999999999999999",
    "4.5",
    "true",
    "[]",
    "[\"labco\", 1]",
    "{ a = 1 }",
    "\"<script>alert(1)</script>\"",
    "\"javascript:alert(1)\"",
    "\"é日本\"",
    "\"\\u0001\"",
    "'literal'",
    "\"\"\"multi\nline\"\"\"",
];

const SOURCE: &str =
    "[[deal.source]]\npublisher = \"P\"\ntitle = \"T\"\nurl = \"https://p.example\"\ndate = 2025-01-01\n";

/// A deals.toml: tables of random key-value lines, sources, and now and then a broken line;
/// line ends `\n` or `\r\n`.
fn deals_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        8 => (prop::sample::select(KEYS), prop::sample::select(VALUES)).prop_map(|(k, v)| format!("{k} = {v}\n")),
        2 => Just("[[deal]]\n".to_string()),
        1 => Just(SOURCE.to_string()),
        1 => prop::sample::select(&["[[deal\n", "id = \"unterminated\n", "= 1\n", "\n", "[deal]\n", "x.y = 1\n"][..])
            .prop_map(str::to_string),
    ];
    (prop::collection::vec(line, 0..40), any::<bool>()).prop_map(|(lines, crlf)| {
        let text = format!("[[deal]]\n{}", lines.concat());
        if crlf { text.replace('\n', "\r\n") } else { text }
    })
}

const COMPANIES: &str = "[[company]]\nid = \"labco\"\nname = \"Lab\"\nrole = \"lab\"\ndescription = \"A lab.\"\n\n\
    [[company]]\nid = \"cloudco\"\nname = \"Cloud\"\nrole = \"hyperscaler\"\ndescription = \"A cloud.\"\n";

/// Loads `deals` (with fixed companies and site) the way `load::load` reads those files, then
/// validates; returns the diagnostics rendered as the terminal shows them, and the sources.
fn load_and_validate(deals: &str) -> (String, Diagnostics, Sources) {
    let mut site = LoadedSite::default();
    let mut diagnostics = Diagnostics::default();
    site.sources.insert("content/site.toml", "title = \"P\"\n".to_string());
    site.sources.insert("content/companies.toml", COMPANIES.to_string());
    site.sources.insert("content/deals.toml", deals.to_string());
    if let Some(table) = raw::parse_toml("content/site.toml", "title = \"P\"\n", 0, &mut diagnostics) {
        site.config = Some(raw::read_config("content/site.toml", table.get_ref(), &mut diagnostics));
    }
    if let Some(table) = raw::parse_toml("content/companies.toml", COMPANIES, 0, &mut diagnostics) {
        site.companies = raw::read_companies("content/companies.toml", table.get_ref(), &mut diagnostics);
    }
    site.companies_readable = true;
    site.deals_readable = true;
    match raw::parse_toml("content/deals.toml", deals, 0, &mut diagnostics) {
        Some(table) => site.deals = raw::read_deals("content/deals.toml", table.get_ref(), &mut diagnostics),
        None => site.deals_readable = false,
    }
    let (_, more) = validate(&site, Options::default());
    diagnostics.extend(more);
    diagnostics.sort();
    let rendered = render_all(&diagnostics, &site.sources, Style { color: false });
    (rendered, diagnostics, site.sources)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn registry_loading_is_total_deterministic_and_located(deals in deals_text()) {
        let (first, diagnostics, sources) = load_and_validate(&deals);
        let (second, _, _) = load_and_validate(&deals);
        prop_assert_eq!(&first, &second);
        for diagnostic in diagnostics.iter() {
            if let (Some(span), Some(text)) = (&diagnostic.span, sources.get(&diagnostic.file)) {
                prop_assert!(within(span, text.len()), "{:?} in a file of {} bytes", diagnostic, text.len());
            }
        }
    }
}

#[test]
fn shortcode_error_spans_stay_inside_the_body() {
    // Minimal inputs: the parser points one byte past the end when the body stops right after
    // an argument name or an `=`.
    for body in ["{{ a(x", "{{ a(x=", "{{ a(x=1 ", "{{ a(\"", "{{ a(x=\""] {
        let (_, errors) = find(body);
        for error in &errors {
            assert!(within(&error.span, body.len()), "{body:?}: error span {:?} ({})", error.span, error.message);
        }
    }
}

#[test]
fn crlf_toml_errors_render_without_panicking() {
    // A TOML error located at the `\n` of a `\r\n` line end used to make the caret layout panic.
    for text in ["title = \"abc\r\ndescription = \"x\"\r\n", "a = [1,\r\n", "[[deal\r\n"] {
        let mut diagnostics = Diagnostics::default();
        let _ = raw::parse_toml("content/site.toml", text, 0, &mut diagnostics);
        assert!(diagnostics.has_errors(), "{text:?} is invalid TOML");
        let mut sources = Sources::default();
        sources.insert("content/site.toml", text.to_string());
        let rendered = std::panic::catch_unwind(|| render_all(&diagnostics, &sources, Style { color: false }));
        assert!(rendered.is_ok(), "rendering the TOML error of {text:?} panicked");
    }
}

// The whole pipeline on a scratch site: fewer cases, each a real `pipeline::build`.
proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn pipeline_build_of_random_registry_is_total_and_deterministic(
        deals in deals_text(),
        extra_site in prop::sample::select(&["", "description = 1\n", "language = \"e n\"\n", "base_url = \"javascript:x\"\n"][..]),
    ) {
        let scratch = Scratch::new("prop-pipeline");
        let site = scratch.path.join("site");
        copy_tree(&fixture("base"), &site);
        std::fs::write(site.join("content/deals.toml"), &deals).expect("write deals");
        let config = std::fs::read_to_string(site.join("content/site.toml")).expect("site") + extra_site;
        std::fs::write(site.join("content/site.toml"), config).expect("write site");
        let summary = |build: infrabrief::pipeline::Build| {
            let report = render_all(&build.diagnostics, &build.sources, Style { color: false });
            let files: BTreeMap<String, Vec<u8>> = build.rendered.map(|r| r.output.files).unwrap_or_default();
            (report, files)
        };
        let first = infrabrief::pipeline::build(&site, infrabrief::pipeline::Options::default()).map(summary);
        let second = infrabrief::pipeline::build(&site, infrabrief::pipeline::Options::default()).map(summary);
        match (first, second) {
            (Ok(first), Ok(second)) => prop_assert!(first == second, "two builds of the same site differ"),
            (first, second) => prop_assert!(false, "the loader failed: {:?} / {:?}", first.err(), second.err()),
        }
    }
}
