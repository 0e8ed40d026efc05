//! Hostile input: sites made to break the loader, the validator and the renderer, and what must
//! happen to each. Every case is named after what it guards.
//!
//! A case's folder `tests/fixtures/hostile/<case>/` holds files laid over a copy of the valid
//! `tests/fixtures/base/` site: a file replaces the base file of the same path, `NAME.append` is
//! appended to `NAME`, and the paths listed in `remove.txt` are deleted first. What cannot or
//! should not be committed (a 50 MB brief, invalid UTF-8, symlinks, odd file names) is made by
//! the case's `setup` in the scratch copy; such a case may have no folder at all.
//!
//! Every case runs `infrabrief build` with a deadline and must end with exit 0 or 1: never a
//! panic, a signal, a usage error or a hang. A secret file sits beside the site (the target of
//! the symlink cases); its text must never appear in stdout, stderr or any output file. Then:
//! - `Snapshot`: exit 1, stderr equal to the case's `expected.txt` (`UPDATE_EXPECT=1` rewrites it);
//! - `Rejected(needles)`: exit 1 and each needle in stderr;
//! - `Builds(check)`: exit 0, the output passes [`inert_output_problems`], then `check`;
//! - `SafeOrRejected(check, places)`: either of the two (refusing the input and neutralising it
//!   are both correct); when refused, stderr must name each of `places` (one per hostile line,
//!   so one vector that slips through is not hidden by the refusal of another).
//!
//! A failed build must write nothing, and every diagnostic it prints must be located: at
//! `path:line:column`, or at a bare path only for problems about a whole file.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::{Scratch, copy_tree, fixture, walk};

/// Written beside the site; symlink cases point at it. Must never be read into anything.
const SECRET: &str = "SECRET-7f3a9c-outside-the-site-root";

type Check = fn(&Path) -> Result<(), String>;

#[derive(Clone, Copy)]
enum Expect {
    Snapshot,
    Rejected(&'static [&'static str]),
    Builds(Check),
    SafeOrRejected(Check, &'static [&'static str]),
}

#[derive(Clone, Copy)]
struct Case {
    name: &'static str,
    setup: fn(&Ctx),
    expect: Expect,
    /// Seconds before the build is killed and the case fails as a hang.
    deadline: u64,
}

/// Where a case's setup works: the site copy and a folder beside it, outside the root.
struct Ctx {
    site: PathBuf,
    outside: PathBuf,
}

const fn case(name: &'static str, expect: Expect) -> Case {
    Case { name, setup: no_setup, expect, deadline: 30 }
}

const fn generated(name: &'static str, setup: fn(&Ctx), expect: Expect) -> Case {
    Case { name, setup, expect, deadline: 30 }
}

fn no_setup(_: &Ctx) {}

fn nothing_more(_: &Path) -> Result<(), String> {
    Ok(())
}

const CASES: &[Case] = &[
    // TOML syntax.
    case("toml-syntax-unclosed-table-header", Expect::Snapshot),
    case("toml-duplicate-key-in-deal", Expect::Snapshot),
    case("toml-syntax-in-brief-front-matter", Expect::Snapshot),
    generated(
        "toml-syntax-error-in-crlf-file",
        crlf_unterminated_string,
        Expect::Rejected(&["invalid TOML", "--> content/site.toml:1:"]),
    ),
    generated("toml-nesting-100000-deep", toml_deep_nesting, Expect::Rejected(&["invalid TOML", "recurs"])),
    // Wrong types and unknown keys.
    case("wrong-types-in-registry", Expect::Snapshot),
    case("wrong-types-in-front-matter", Expect::Snapshot),
    case("wrong-shapes-in-series", Expect::Snapshot),
    case("unknown-keys-everywhere", Expect::Snapshot),
    // Duplicate and colliding ids and slugs.
    generated("brief-file-names-differing-in-case", briefs_differing_in_case, Expect::Snapshot),
    case("brief-slug-key-duplicates-another-file", Expect::Snapshot),
    case("deal-ids-differing-in-case", Expect::Snapshot),
    case("company-ids-duplicate-and-differing-in-case", Expect::Snapshot),
    case("page-slugs-reserved-and-duplicate", Expect::Snapshot),
    case("series-line-labels-duplicate", Expect::Snapshot),
    case("tags-differing-in-case-and-hostile", Expect::Snapshot),
    // Dangling references.
    case("dangling-references-in-registry", Expect::Snapshot),
    case("dangling-references-in-shortcodes", Expect::Snapshot),
    case("supersession-cycle", Expect::Snapshot),
    // Dates.
    case("dates-impossible-and-malformed", Expect::Snapshot),
    case("date-literal-impossible", Expect::Snapshot),
    case("brief-updated-before-date", Expect::Snapshot),
    // Numbers.
    case("values-negative-zero-nan-infinite", Expect::Snapshot),
    case("values-absurd", Expect::Snapshot),
    case("series-values-nan-infinite-negative", Expect::Snapshot),
    case("value-below-a-million-dollars", Expect::SafeOrRejected(no_zero_dollar_figure, &[])),
    // Empty and whitespace-only files.
    case("deals-file-empty", Expect::Snapshot),
    case("deals-file-whitespace-only", Expect::Snapshot),
    case("companies-file-whitespace-only", Expect::Snapshot),
    case("brief-empty-file", Expect::Snapshot),
    case("brief-whitespace-only", Expect::Snapshot),
    case("site-config-empty", Expect::Snapshot),
    case("series-file-empty", Expect::Snapshot),
    case("brief-front-matter-only-without-body", Expect::Builds(second_brief_exists)),
    // Encodings and line ends.
    generated("utf8-bom-on-every-file", bom_everywhere, Expect::Builds(no_byte_order_mark_in_pages)),
    generated("crlf-line-ends-on-every-file", crlf_everywhere, Expect::Builds(no_carriage_returns_in_pages)),
    generated("crlf-registry-diagnostics-located", crlf_registry_with_unknown_key, Expect::Snapshot),
    generated("crlf-brief-diagnostics-located", crlf_brief_with_unknown_deal, Expect::Snapshot),
    generated("invalid-utf8-in-registry", invalid_utf8_registry, Expect::Snapshot),
    generated("invalid-utf8-overlong-and-surrogate-in-brief", invalid_utf8_brief, Expect::Snapshot),
    generated("invalid-utf8-in-template", invalid_utf8_template, Expect::Snapshot),
    generated("nul-and-control-characters-in-body", control_characters, Expect::Builds(no_nul_or_escape_bytes)),
    generated("invalid-utf8-in-site-config", invalid_utf8_site_config, Expect::Snapshot),
    generated("utf8-bom-on-a-template", bom_template, Expect::Builds(bom_template_rendered)),
    // Things that are not regular files: never read (a pipe would block the build for ever).
    generated(
        "pipes-in-place-of-content-files",
        pipes_in_content,
        Expect::Rejected(&[
            "--> content/briefs/pipe.md",
            "--> content/companies.toml",
            "--> content/pages/pipe.md",
            "--> static/pipe.txt",
            "not a regular file",
            "4 errors",
        ]),
    ),
    generated(
        "folder-in-place-of-site-config",
        folder_site_config,
        Expect::Rejected(&["--> content/site.toml", "this is a folder, where a file was expected", "1 error"]),
    ),
    // Size and depth.
    generated("blockquotes-nested-10000-deep", nested_blockquotes, Expect::Builds(second_brief_exists)),
    generated("lists-nested-10000-deep", nested_lists, Expect::Builds(second_brief_exists)),
    generated("brackets-and-emphasis-100000", brackets_and_emphasis, Expect::Builds(second_brief_exists)),
    Case {
        name: "heading-ids-starting-with-fn",
        setup: no_setup,
        expect: Expect::Builds(fn_headings_rendered),
        deadline: 15,
    },
    Case {
        name: "headings-identical-4000",
        setup: identical_headings,
        expect: Expect::Builds(second_brief_exists),
        deadline: 20,
    },
    Case {
        name: "shortcode-openers-between-code-spans-60000",
        setup: openers_between_code_spans,
        expect: Expect::Builds(second_brief_exists),
        deadline: 20,
    },
    Case {
        name: "unterminated-shortcodes-50000",
        setup: many_unterminated_shortcodes,
        expect: Expect::Rejected(&["unterminated shortcode", "50000 errors"]),
        deadline: 20,
    },
    // Front matter and shortcodes.
    generated("front-matter-unterminated-crlf", unterminated_crlf_front_matter, Expect::Snapshot),
    case("front-matter-missing-or-misplaced", Expect::Snapshot),
    case("shortcodes-unterminated-variants", Expect::Snapshot),
    case("shortcodes-nested-and-odd-arguments", Expect::Snapshot),
    // Symlinks: refused with a diagnostic, never followed.
    generated("symlink-loops-in-content", symlink_loops, Expect::Rejected(&["symlinks are not followed"])),
    generated("symlink-brief-to-file-outside-root", symlink_brief_outside, Expect::Rejected(&["symlink"])),
    generated("symlink-dangling-in-content", symlink_dangling, Expect::Rejected(&["symlink"])),
    generated("symlink-registry-file-to-outside-root", symlink_registry_outside, Expect::Rejected(&["symlink"])),
    generated("symlink-content-subfolder-to-outside-root", symlink_series_folder, Expect::Rejected(&["symlink"])),
    generated("symlink-static-folder-to-outside-root", symlink_static_folder, Expect::Rejected(&["symlink"])),
    // File names.
    generated("file-names-with-spaces", names_with_spaces, Expect::Snapshot),
    generated("file-names-non-ascii", names_non_ascii, Expect::Snapshot),
    generated("file-name-not-utf8", name_not_utf8, Expect::Rejected(&["file names must be valid UTF-8"])),
    generated("file-name-non-ascii-with-slug-key", non_ascii_with_slug, Expect::Builds(unicode_brief_written)),
    generated("file-names-that-look-like-traversal", names_like_traversal, Expect::Snapshot),
    generated(
        "static-file-names-with-colon-and-backslash",
        static_names_with_colon_and_backslash,
        Expect::Rejected(&["--> static/a:b.txt", "--> static/c\\d.txt"]),
    ),
    // Path traversal through ids, slugs, shortcodes and links.
    case("slug-keys-that-traverse", Expect::Snapshot),
    case("registry-ids-that-traverse", Expect::Snapshot),
    case("shortcode-arguments-that-traverse", Expect::Snapshot),
    case("markdown-links-that-traverse", Expect::Snapshot),
    // Dangerous URLs and markup.
    case("dangerous-url-schemes-in-registry", Expect::Snapshot),
    case(
        "url-scheme-obfuscation-in-registry",
        Expect::Rejected(&["12 errors", "deals.toml:94:7", "deals.toml:160:7", "has no valid host"]),
    ),
    case("dangerous-url-schemes-in-markdown", Expect::Snapshot),
    case(
        "link-schemes-hidden-by-control-characters",
        Expect::SafeOrRejected(
            nothing_more,
            &[
                "about.md:8:",
                "about.md:10:",
                "about.md:12:",
                "about.md:14:",
                "about.md:16:",
                "about.md:18:",
                "about.md:20:",
            ],
        ),
    ),
    case("raw-html-scripts-and-event-handlers", Expect::Builds(raw_html_rendered)),
    case(
        "raw-html-links-with-script-urls",
        Expect::SafeOrRejected(
            nothing_more,
            &[
                "about.md:8:",
                "about.md:10:",
                "about.md:12:",
                "about.md:14:",
                "about.md:16:",
                "about.md:18:",
                "about.md:20:",
                "about.md:22:",
                "about.md:24:",
            ],
        ),
    ),
    case("raw-html-elements-with-script-urls", Expect::SafeOrRejected(nothing_more, &[])),
    generated("script-in-registry-fields", script_in_registry, Expect::Builds(registry_fields_rendered)),
    generated(
        "script-in-front-matter-and-shortcode-text",
        script_in_front_matter,
        Expect::Builds(front_matter_rendered),
    ),
];

/// Cases slow enough to run in a test of their own, beside the others.
const HEAVY_CASES: &[Case] =
    &[Case { name: "brief-50-mb", setup: brief_50_mb, expect: Expect::Builds(large_brief_written), deadline: 300 }];

#[test]
fn hostile_sites_fail_cleanly_or_build_inert_output() {
    assert!(CASES.len() >= 50, "at least 50 hostile cases, found {}", CASES.len());
    let mut failures = fixture_folders_match_cases();
    failures.extend(run_cases(CASES, 2));
    assert!(failures.is_empty(), "{} hostile case(s) failed:\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn hostile_50_mb_brief_builds_in_reasonable_time() {
    let failures = run_cases(HEAVY_CASES, 1);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every fixture folder belongs to a case, and every snapshot case has its snapshot.
fn fixture_folders_match_cases() -> Vec<String> {
    let mut failures = Vec::new();
    let all: Vec<&Case> = CASES.iter().chain(HEAVY_CASES).collect();
    let mut names: Vec<&str> = all.iter().map(|c| c.name).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
        failures.push(format!("case `{}` is listed twice", pair[0]));
    }
    for entry in std::fs::read_dir(fixture("hostile")).expect("hostile fixtures").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !names.contains(&name.as_str()) {
            failures.push(format!("tests/fixtures/hostile/{name} belongs to no case in hostile.rs"));
        }
    }
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    for case in all {
        if matches!(case.expect, Expect::Snapshot) && !update && !case_dir(case).join("expected.txt").is_file() {
            failures.push(format!("{}: snapshot case without expected.txt", case.name));
        }
    }
    failures
}

fn case_dir(case: &Case) -> PathBuf {
    fixture("hostile").join(case.name)
}

/// Runs the cases on `threads` threads; returns one message per failed case.
fn run_cases(cases: &[Case], threads: usize) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = cases.get(index) else { break };
                    if let Err(message) = run_case(case)
                        && let Ok(mut list) = failures.lock()
                    {
                        list.push(format!("[{}] {message}", case.name));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap_or_default();
    failures.sort();
    failures
}

fn run_case(case: &Case) -> Result<(), String> {
    let scratch = Scratch::new(&format!("hostile-{}", case.name));
    let site = scratch.path.join("site");
    let outside = scratch.path.join("outside");
    let out = scratch.path.join("out");
    copy_tree(&fixture("base"), &site);
    std::fs::create_dir_all(&outside).map_err(|e| e.to_string())?;
    std::fs::write(outside.join("secret.txt"), format!("{SECRET}\n")).map_err(|e| e.to_string())?;
    overlay(&case_dir(case), &site)?;
    (case.setup)(&Ctx { site: site.clone(), outside });

    let run = run_build(&site, &out, Duration::from_secs(case.deadline));
    if run.elapsed > Duration::from_secs(3) {
        eprintln!("hostile case {}: {:.1} s, exit {:?}", case.name, run.elapsed.as_secs_f64(), run.code);
    }
    let excerpt = |text: &str| text.chars().take(3000).collect::<String>();
    if run.timed_out {
        return Err(format!(
            "no answer within {} s: killed (a hang or a super-linear algorithm)\nstderr: {}",
            case.deadline,
            excerpt(&run.stderr)
        ));
    }
    if run.stderr.contains("panicked") || run.stderr.contains("stack overflow") {
        return Err(format!("the build crashed (exit {:?}):\n{}", run.code, excerpt(&run.stderr)));
    }
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        if text.contains(SECRET) {
            return Err(format!("the secret file outside the site root leaked into {stream}"));
        }
    }
    match (run.code, case.expect) {
        (Some(1), Expect::Snapshot) => {
            rejected_cleanly(&run.stderr, &out)?;
            let expected_file = case_dir(case).join("expected.txt");
            if std::env::var_os("UPDATE_EXPECT").is_some() {
                std::fs::create_dir_all(case_dir(case)).map_err(|e| e.to_string())?;
                std::fs::write(&expected_file, &run.stderr).map_err(|e| e.to_string())?;
                return Ok(());
            }
            let expected = std::fs::read_to_string(&expected_file).unwrap_or_default();
            if expected != run.stderr {
                return Err(format!("diagnostics differ\n--- expected\n{expected}\n--- actual\n{}", run.stderr));
            }
            Ok(())
        }
        (Some(1), Expect::Rejected(needles)) => {
            rejected_cleanly(&run.stderr, &out)?;
            match needles.iter().find(|needle| !run.stderr.contains(*needle)) {
                Some(missing) => Err(format!("stderr lacks `{missing}`:\n{}", excerpt(&run.stderr))),
                None => Ok(()),
            }
        }
        (Some(1), Expect::SafeOrRejected(_, places)) => {
            rejected_cleanly(&run.stderr, &out)?;
            match places.iter().find(|place| !run.stderr.contains(*place)) {
                Some(missing) => Err(format!(
                    "refused, but says nothing about {missing} (a vector refused elsewhere must not hide this one):\n{}",
                    excerpt(&run.stderr)
                )),
                None => Ok(()),
            }
        }
        (Some(0), Expect::Builds(check) | Expect::SafeOrRejected(check, _)) => {
            let problems = inert_output_problems(&out);
            if !problems.is_empty() {
                return Err(format!("unsafe output:\n  {}", problems.join("\n  ")));
            }
            check(&out)
        }
        (code, _) => Err(format!(
            "unexpected exit {code:?} (expected {})\nstdout: {}\nstderr: {}",
            match case.expect {
                Expect::Snapshot | Expect::Rejected(_) => "1",
                Expect::Builds(_) => "0",
                Expect::SafeOrRejected(..) => "0 or 1",
            },
            excerpt(&run.stdout),
            excerpt(&run.stderr)
        )),
    }
}

/// Lays a case folder over the site: replacements, `.append` files and `remove.txt`.
fn overlay(case: &Path, site: &Path) -> Result<(), String> {
    if !case.is_dir() {
        return Ok(());
    }
    if let Ok(list) = std::fs::read_to_string(case.join("remove.txt")) {
        for line in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let target = site.join(line);
            let removed =
                if target.is_dir() { std::fs::remove_dir_all(&target) } else { std::fs::remove_file(&target) };
            removed.map_err(|e| format!("remove.txt: {line}: {e}"))?;
        }
    }
    for file in walk(case) {
        let relative = file.strip_prefix(case).map_err(|e| e.to_string())?;
        if !file.is_file() || relative == Path::new("expected.txt") || relative == Path::new("remove.txt") {
            continue;
        }
        let bytes = std::fs::read(&file).map_err(|e| e.to_string())?;
        let name = relative.to_string_lossy();
        let (target, append) = match name.strip_suffix(".append") {
            Some(base) => (site.join(base), true),
            None => (site.join(relative), false),
        };
        std::fs::create_dir_all(target.parent().ok_or("no parent")?).map_err(|e| e.to_string())?;
        let mut content = if append { std::fs::read(&target).map_err(|e| e.to_string())? } else { Vec::new() };
        content.extend_from_slice(&bytes);
        std::fs::write(&target, content).map_err(|e| e.to_string())?;
    }
    Ok(())
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    timed_out: bool,
}

/// Runs `infrabrief build`, killing it when the deadline passes.
fn run_build(site: &Path, out: &Path, deadline: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_infrabrief"))
        .arg("build")
        .arg("--root")
        .arg(site)
        .arg("-o")
        .arg(out)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start infrabrief");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let mut timed_out = false;
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if started.elapsed() > deadline {
            timed_out = true;
            let _ = child.kill();
            break child.wait().ok();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.and_then(|s| s.code()),
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed: started.elapsed(),
        timed_out,
    }
}

/// Diagnostics of problems that concern a whole file, shown at a bare path.
const FILE_LEVEL: [&str; 8] = [
    "symlinks are not followed",
    "file names must be valid UTF-8",
    "subfolders of ",
    "ignored: only ",
    "is not a valid series id",
    "not a regular file",
    "this is a folder, where a file was expected",
    "cannot read this file",
];

/// A failed build: nothing written, every diagnostic located, a count line and the refusal.
fn rejected_cleanly(stderr: &str, out: &Path) -> Result<(), String> {
    if out.exists() {
        return Err("a failed build wrote its output folder".to_string());
    }
    if let Some(parent) = out.parent()
        && let Ok(entries) = std::fs::read_dir(parent)
    {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".out.") {
                return Err(format!("a failed build left {name} behind"));
            }
        }
    }
    // Diagnostics quote the content; a control character in it must not reach the terminal raw
    // (an escape sequence could rewrite the screen, a newline breaks the diagnostic apart).
    if let Some(c) = stderr.chars().find(|c| c.is_control() && *c != '\n') {
        return Err(format!("stderr holds the raw control character {c:?}: quote content escaped"));
    }
    if !stderr.ends_with("build failed: nothing was written\n") {
        return Err(format!(
            "stderr does not end with the refusal:\n{}",
            stderr.chars().take(2000).collect::<String>()
        ));
    }
    let lines: Vec<&str> = stderr.lines().collect();
    let mut count = 0;
    for (index, line) in lines.iter().enumerate() {
        let Some(message) = line.strip_prefix("error: ").or_else(|| line.strip_prefix("warning: ")) else {
            continue;
        };
        count += 1;
        let place = lines.get(index + 1).map(|l| l.trim_start()).unwrap_or("");
        let Some(place) = place.strip_prefix("--> ") else {
            return Err(format!("diagnostic without a location: {line}"));
        };
        if !["content/", "templates/", "static/"].iter().any(|p| place.starts_with(p)) {
            return Err(format!("diagnostic located outside the site's folders: {place}"));
        }
        let located = place
            .rsplitn(3, ':')
            .collect::<Vec<_>>()
            .get(..2)
            .is_some_and(|parts| parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())));
        if !located && !FILE_LEVEL.iter().any(|m| message.contains(m)) {
            return Err(format!("diagnostic not at path:line:column: `{message}` at `{place}`"));
        }
    }
    if count == 0 {
        return Err(format!("a failed build with no diagnostic:\n{stderr}"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The inert-output check: every generated file parsed, nothing in it can run script.
// ---------------------------------------------------------------------------------------------

/// URL-bearing attributes of HTML and SVG.
const URL_ATTRIBUTES: [&str; 16] = [
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "cite",
    "longdesc",
    "ping",
    "srcset",
    "manifest",
    "codebase",
    "lowsrc",
    "dynsrc",
];

/// Elements content must never bring in.
const FORBIDDEN_ELEMENTS: [&str; 8] = ["iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"];

/// A URL as a browser reads its scheme: leading and trailing C0 controls and spaces dropped,
/// every tab and newline removed (WHATWG URL parsing), lowercased.
fn normalized_url(value: &str) -> String {
    value
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase()
}

fn is_script_url(value: &str) -> bool {
    let url = normalized_url(value);
    ["javascript:", "vbscript:", "data:"].iter().any(|scheme| url.starts_with(scheme))
}

/// The site's own two scripts, relative to the page: `search-index.js` and `assets/search.js`.
fn is_own_script(src: &str) -> bool {
    let mut rest = src;
    while let Some(after) = rest.strip_prefix("../") {
        rest = after;
    }
    rest == "search-index.js" || rest == "assets/search.js"
}

/// Every reason the output folder could run script or load something it should not.
pub fn inert_output_problems(out: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for path in walk(out) {
        if !path.is_file() {
            continue;
        }
        let relative = path.strip_prefix(out).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let Ok(bytes) = std::fs::read(&path) else {
            problems.push(format!("{relative}: unreadable"));
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        if text.contains(SECRET) {
            problems.push(format!("{relative}: holds the secret from outside the site root"));
        }
        let found = match relative.rsplit('.').next().unwrap_or("") {
            "html" | "svg" => markup_problems(&text),
            "xml" => xml_problems(&text),
            "json" => json_problems(&text),
            "js" if relative == "search-index.js" => search_index_problems(&text),
            "csv" => csv_problems(&text),
            _ => Vec::new(),
        };
        problems.extend(found.into_iter().map(|p| format!("{relative}: {p}")));
    }
    problems
}

/// HTML and SVG, tokenized the way a browser does (WHATWG tokenizer, script and style content
/// as raw text).
pub fn markup_problems(html: &str) -> Vec<String> {
    use html5gum::{DefaultEmitter, Token, Tokenizer};
    let mut problems = Vec::new();
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut scripts = 0;
    let mut in_script = false;
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                let attributes: BTreeMap<String, String> = tag
                    .attributes
                    .iter()
                    .map(|(k, v)| {
                        (String::from_utf8_lossy(k).to_ascii_lowercase(), String::from_utf8_lossy(v).into_owned())
                    })
                    .collect();
                if name == "script" {
                    scripts += 1;
                    in_script = true;
                    let own = attributes.len() == 1 && attributes.get("src").is_some_and(|src| is_own_script(src));
                    if !own {
                        problems.push(format!("a <script> that is not the site's own: {attributes:?}"));
                    }
                }
                if FORBIDDEN_ELEMENTS.contains(&name.as_str()) {
                    problems.push(format!("a <{name}> element"));
                }
                if name == "meta" && attributes.get("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh")) {
                    problems.push("a <meta http-equiv=refresh>".to_string());
                }
                for (key, value) in &attributes {
                    if key.starts_with("on") {
                        problems.push(format!("<{name}> has the event handler attribute {key}={value:?}"));
                    }
                    let urls: Vec<&str> = if key == "srcset" {
                        value.split(',').map(|c| c.split_whitespace().next().unwrap_or("")).collect()
                    } else {
                        vec![value.as_str()]
                    };
                    if URL_ATTRIBUTES.contains(&key.as_str()) && urls.iter().any(|u| is_script_url(u)) {
                        problems.push(format!("<{name}> has {key}={value:?}"));
                    }
                    if key == "style"
                        && ["javascript:", "expression(", "url("].iter().any(|s| normalized_url(value).contains(s))
                    {
                        problems.push(format!("<{name}> has style={value:?}"));
                    }
                }
            }
            Token::EndTag(tag) if tag.name.eq_ignore_ascii_case(b"script") => in_script = false,
            Token::String(text) if in_script && !text.iter().all(u8::is_ascii_whitespace) => {
                problems.push(format!("inline script: {:?}", String::from_utf8_lossy(&text)));
            }
            _ => {}
        }
    }
    // A second, independent count: a tokenizer disagreement must not hide a script.
    let raw = html.to_ascii_lowercase().matches("<script").count();
    if raw != scripts {
        problems.push(format!("{raw} `<script` in the text but {scripts} script elements parsed"));
    }
    problems
}

fn xml_problems(xml: &str) -> Vec<String> {
    let document = match roxmltree::Document::parse(xml) {
        Ok(document) => document,
        Err(error) => return vec![format!("not well-formed XML: {error}")],
    };
    let mut problems = Vec::new();
    for node in document.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        if name.eq_ignore_ascii_case("script") {
            problems.push("a <script> element".to_string());
        }
        for attribute in node.attributes() {
            if attribute.name().to_ascii_lowercase().starts_with("on") {
                problems.push(format!("<{name}> has the attribute {}", attribute.name()));
            }
            if attribute.name() == "href" && is_script_url(attribute.value()) {
                problems.push(format!("<{name}> has href={:?}", attribute.value()));
            }
        }
        if matches!(name, "loc" | "id" | "uri") && node.text().is_some_and(is_script_url) {
            problems.push(format!("<{name}> holds {:?}", node.text().unwrap_or("")));
        }
    }
    problems
}

fn json_problems(json: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(value) => {
            let mut problems = Vec::new();
            url_values(&value, "", &mut problems);
            problems
        }
        Err(error) => vec![format!("not valid JSON: {error}")],
    }
}

/// Values under keys that hold links must not be script URLs.
fn url_values(value: &serde_json::Value, key: &str, problems: &mut Vec<String>) {
    match value {
        serde_json::Value::String(text) => {
            let linky = ["url", "href", "link", "page", "path"].iter().any(|k| key.to_ascii_lowercase().contains(k));
            if linky && is_script_url(text) {
                problems.push(format!("`{key}` holds {text:?}"));
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|item| url_values(item, key, problems)),
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| url_values(v, k, problems)),
        _ => {}
    }
}

/// The search index: a script that assigns one JSON value (so no text can break out of its
/// strings), whose result paths are plain relative page paths (`search.js` links to them).
fn search_index_problems(script: &str) -> Vec<String> {
    let Some(json) = script.strip_prefix("window.INFRABRIEF_SEARCH=").and_then(|s| s.strip_suffix(";\n")) else {
        return vec!["not `window.INFRABRIEF_SEARCH=<JSON>;`".to_string()];
    };
    let index: serde_json::Value = match serde_json::from_str(json) {
        Ok(index) => index,
        Err(error) => return vec![format!("the index is not valid JSON: {error}")],
    };
    let mut problems = Vec::new();
    for doc in index["docs"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let path = doc.get(2).and_then(|p| p.as_str()).unwrap_or("");
        let plain = !path.is_empty()
            && !path.starts_with('/')
            && !path.contains(':')
            && !path.contains("..")
            && path.bytes().all(|b| b.is_ascii_graphic());
        if !plain {
            problems.push(format!("a result links to {path:?}"));
        }
    }
    problems
}

/// No cell may start a spreadsheet formula (`=`, `+`, `@`, or `-` before a non-digit).
fn csv_problems(csv: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for cell in csv_cells(csv) {
        let mut chars = cell.chars();
        let dangerous = match chars.next() {
            Some('=' | '+' | '@' | '\t' | '\r') => true,
            Some('-') => !chars.next().is_some_and(|c| c.is_ascii_digit() || c == '.'),
            _ => false,
        };
        if dangerous {
            problems.push(format!("a cell starts a spreadsheet formula: {cell:?}"));
        }
    }
    problems
}

/// The cells of a CSV text (RFC 4180 quoting).
fn csv_cells(csv: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = csv.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.is_empty() => quoted = true,
            (',' | '\n', false) => cells.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            (c, _) => cell.push(c),
        }
    }
    if !cell.is_empty() {
        cells.push(cell);
    }
    cells
}

// ---------------------------------------------------------------------------------------------
// Checks of particular cases' output.
// ---------------------------------------------------------------------------------------------

fn read(out: &Path, page: &str) -> Result<String, String> {
    std::fs::read(out.join(page)).map(|b| String::from_utf8_lossy(&b).into_owned()).map_err(|e| format!("{page}: {e}"))
}

fn html_files(out: &Path) -> Vec<(String, String)> {
    walk(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| {
            let name = p.strip_prefix(out).unwrap_or(&p).to_string_lossy().into_owned();
            (name, String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).into_owned())
        })
        .collect()
}

fn second_brief_exists(out: &Path) -> Result<(), String> {
    read(out, "briefs/second-brief.html").map(|_| ())
}

fn no_zero_dollar_figure(out: &Path) -> Result<(), String> {
    let page = read(out, "deals/tiny-2026.html")?;
    if page.contains("$0<") || page.contains("$0 ") || page.contains("$0bn") || page.contains("$0,") {
        return Err("a positive value_usd_bn was published as $0".to_string());
    }
    Ok(())
}

fn no_byte_order_mark_in_pages(out: &Path) -> Result<(), String> {
    let brief = read(out, "briefs/first-brief.html")?;
    if !brief.contains("<h1>The first brief</h1>") && !brief.contains(">The first brief<") {
        return Err("the brief title did not survive the byte-order mark".to_string());
    }
    match html_files(out).into_iter().find(|(_, html)| html.contains('\u{feff}')) {
        Some((page, _)) => Err(format!("{page} contains a byte-order mark")),
        None => Ok(()),
    }
}

fn no_carriage_returns_in_pages(out: &Path) -> Result<(), String> {
    let brief = read(out, "briefs/first-brief.html")?;
    for needle in ["id=\"why-it-matters\"", ">$38bn</a>", "<section class=\"footnotes\""] {
        if !brief.contains(needle) {
            return Err(format!("briefs/first-brief.html lacks {needle:?} when the files use CRLF"));
        }
    }
    match html_files(out).into_iter().find(|(_, html)| html.contains('\r')) {
        Some((page, _)) => Err(format!("{page} contains a carriage return")),
        None => Ok(()),
    }
}

fn no_nul_or_escape_bytes(out: &Path) -> Result<(), String> {
    let page = read(out, "briefs/second-brief.html")?;
    if page.contains('\0') || page.contains('\u{1b}') {
        return Err("NUL or ESC bytes reached the page".to_string());
    }
    Ok(())
}

fn unicode_brief_written(out: &Path) -> Result<(), String> {
    let page = read(out, "briefs/unicode.html")?;
    if !page.contains("Ünïcödé") {
        return Err("the brief's non-ASCII title is missing".to_string());
    }
    Ok(())
}

fn large_brief_written(out: &Path) -> Result<(), String> {
    let size = std::fs::metadata(out.join("briefs/second-brief.html")).map_err(|e| e.to_string())?.len();
    if size < 50_000_000 {
        return Err(format!("the 50 MB brief became a page of only {size} bytes"));
    }
    Ok(())
}

fn fn_headings_rendered(out: &Path) -> Result<(), String> {
    let page = read(out, "briefs/second-brief.html")?;
    for heading in ["Fn notes", "FNRef 2", "A custom id", "Another custom id"] {
        if !page.contains(heading) {
            return Err(format!("the heading {heading:?} is missing"));
        }
    }
    Ok(())
}

fn raw_html_rendered(out: &Path) -> Result<(), String> {
    let page = read(out, "about.html")?;
    if !page.contains("alert(29)") || !page.contains("Text that merely says") {
        return Err("the hostile body was not rendered at all".to_string());
    }
    Ok(())
}

fn registry_fields_rendered(out: &Path) -> Result<(), String> {
    for page in ["deals/lab-cloud-2025.html", "companies/labco.html", "series/cloud-share.html", "index.html"] {
        if !read(out, page)?.contains("alert(1)") {
            return Err(format!("{page} does not show the hostile text (as text)"));
        }
    }
    Ok(())
}

fn front_matter_rendered(out: &Path) -> Result<(), String> {
    let page = read(out, "briefs/second-brief.html")?;
    if !page.contains("alert(1)") || !page.contains("alert(3)") {
        return Err("the hostile title or shortcode text is not shown".to_string());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Setups that generate content.
// ---------------------------------------------------------------------------------------------

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(path, bytes).expect("write file");
}

fn append(path: &Path, text: &str) {
    let mut content = std::fs::read(path).expect("read file");
    content.extend_from_slice(text.as_bytes());
    write(path, content);
}

fn replace(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read file");
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    write(path, text.replacen(from, to, 1));
}

fn symlink(target: &Path, link: &Path) {
    let _ = std::fs::remove_file(link);
    let _ = std::fs::remove_dir_all(link);
    std::os::unix::fs::symlink(target, link).expect("create symlink");
}

fn second_brief(ctx: &Ctx) -> PathBuf {
    ctx.site.join("content/briefs/second-brief.md")
}

fn crlf_unterminated_string(ctx: &Ctx) {
    write(&ctx.site.join("content/site.toml"), "title = \"Fixture Brief\r\ndescription = \"x\"\r\n");
}

fn toml_deep_nesting(ctx: &Ctx) {
    let depth = 100_000;
    append(&ctx.site.join("content/deals.toml"), &format!("\nnested = {}{}\n", "[".repeat(depth), "]".repeat(depth)));
}

fn briefs_differing_in_case(ctx: &Ctx) {
    let first = std::fs::read_to_string(ctx.site.join("content/briefs/first-brief.md")).expect("brief");
    write(&ctx.site.join("content/briefs/First-Brief.md"), &first);
    write(&ctx.site.join("content/briefs/FIRST-BRIEF.md"), first.replacen("+++\n", "+++\nslug = \"first-brief\"\n", 1));
}

fn bom_everywhere(ctx: &Ctx) {
    for file in walk(&ctx.site.join("content")).into_iter().filter(|p| p.is_file()) {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(std::fs::read(&file).expect("read"));
        write(&file, bytes);
    }
}

fn crlf_everywhere(ctx: &Ctx) {
    for file in walk(&ctx.site.join("content")).into_iter().filter(|p| p.is_file()) {
        let text = std::fs::read_to_string(&file).expect("read");
        write(&file, text.replace('\n', "\r\n"));
    }
}

fn crlf_registry_with_unknown_key(ctx: &Ctx) {
    let deals = ctx.site.join("content/deals.toml");
    replace(&deals, "term_years = 7\n", "term_years = 7\ntem_years = 8\n");
    let text = std::fs::read_to_string(&deals).expect("read");
    write(&deals, text.replace('\n', "\r\n"));
}

fn crlf_brief_with_unknown_deal(ctx: &Ctx) {
    let brief = second_brief(ctx);
    replace(&brief, "{{ value(deal=\"lab-chips-loi-2025\") }}", "{{ value(deal=\"lab-chips-loi-2052\") }}");
    append(&brief, "\nA last line with [a broken link](@/briefs/nope.md).\n");
    let text = std::fs::read_to_string(&brief).expect("read");
    write(&brief, text.replace('\n', "\r\n"));
}

fn invalid_utf8_registry(ctx: &Ctx) {
    let deals = ctx.site.join("content/deals.toml");
    let text = std::fs::read_to_string(&deals).expect("read");
    let mut bytes = Vec::new();
    let (before, after) = text.split_at(text.find("LabCo buys").expect("title"));
    bytes.extend_from_slice(before.as_bytes());
    bytes.extend_from_slice(b"Lab\xFFCo");
    bytes.extend_from_slice(after.as_bytes());
    write(&deals, bytes);
}

fn invalid_utf8_brief(ctx: &Ctx) {
    let mut bytes = std::fs::read(second_brief(ctx)).expect("read");
    bytes.extend_from_slice(b"\nAn overlong slash \xC0\xAF and a surrogate \xED\xA0\x80 half.\n");
    write(&second_brief(ctx), bytes);
    let mut page = std::fs::read(ctx.site.join("content/pages/about.md")).expect("read");
    page.extend_from_slice(b"\nTruncated: \xE2\x82");
    write(&ctx.site.join("content/pages/about.md"), page);
}

fn invalid_utf8_template(ctx: &Ctx) {
    write(
        &ctx.site.join("templates/page.html"),
        b"{% extends \"base.html\" %}\n{% block content %}\xFE{{ content | safe }}{% endblock content %}\n",
    );
}

fn invalid_utf8_site_config(ctx: &Ctx) {
    // The file is there: its one error is the encoding, never "missing site configuration".
    append(&ctx.site.join("content/site.toml"), "tagline = \"caf");
    let path = ctx.site.join("content/site.toml");
    let mut bytes = std::fs::read(&path).expect("read site.toml");
    bytes.extend_from_slice(b"\xC3\"\n");
    write(&path, bytes);
}

fn bom_template(ctx: &Ctx) {
    write(
        &ctx.site.join("templates/page.html"),
        "\u{FEFF}{% extends \"base.html\" %}\r\n{% block content %}<div class=\"bom-template\">{{ content }}</div>{% endblock content %}\r\n",
    );
}

fn bom_template_rendered(out: &Path) -> Result<(), String> {
    let page = read(out, "about.html")?;
    if !page.contains("<div class=\"bom-template\">") || page.contains('\u{FEFF}') {
        return Err("the template with a byte-order mark did not render as written".to_string());
    }
    Ok(())
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

fn pipes_in_content(ctx: &Ctx) {
    mkfifo(&ctx.site.join("content/briefs/pipe.md"));
    mkfifo(&ctx.site.join("content/pages/pipe.md"));
    mkfifo(&ctx.site.join("content/companies.toml"));
    mkfifo(&ctx.site.join("static/pipe.txt"));
}

fn folder_site_config(ctx: &Ctx) {
    let config = ctx.site.join("content/site.toml");
    std::fs::remove_file(&config).expect("remove site.toml");
    std::fs::create_dir_all(&config).expect("a folder in its place");
}

fn control_characters(ctx: &Ctx) {
    append(
        &second_brief(ctx),
        "\nA NUL \0 byte, an escape \u{1b}[31mred\u{1b}[0m, a bell \u{7}, a right-to-left override \u{202e}txet, zero\u{200b}width.\n\n## Heading with \0 NUL\n",
    );
}

fn nested_blockquotes(ctx: &Ctx) {
    append(&second_brief(ctx), &format!("\n{} deep\n", ">".repeat(10_000)));
}

fn nested_lists(ctx: &Ctx) {
    append(&second_brief(ctx), &format!("\n{}deep\n\n{}deeper\n", "- ".repeat(10_000), "1. ".repeat(10_000)));
}

fn brackets_and_emphasis(ctx: &Ctx) {
    let mut body = String::from("\n");
    for pattern in ["[", "*a", "_a*", "![", "[^a]", "[x](", "`a", "<a ", "~~a", "\\"] {
        body.push_str(&pattern.repeat(100_000 / pattern.len()));
        body.push_str("\n\n");
    }
    append(&second_brief(ctx), &body);
}

fn identical_headings(ctx: &Ctx) {
    append(&second_brief(ctx), &"\n## Same\n".repeat(4_000));
}

fn openers_between_code_spans(ctx: &Ctx) {
    append(&second_brief(ctx), &format!("\n{}\n", "`x` {{ ".repeat(60_000)));
}

fn many_unterminated_shortcodes(ctx: &Ctx) {
    append(&second_brief(ctx), &"\n{{ a(".repeat(50_000));
}

fn unterminated_crlf_front_matter(ctx: &Ctx) {
    write(
        &second_brief(ctx),
        "+++\r\ntitle = \"The second brief\"\r\ndate = 2026-03-02\r\nsummary = \"Never closed.\"\r\n\r\nBody.\r\n",
    );
}

fn symlink_loops(ctx: &Ctx) {
    let briefs = ctx.site.join("content/briefs");
    symlink(Path::new("loop.md"), &briefs.join("loop.md"));
    symlink(Path::new("."), &briefs.join("here"));
    symlink(Path::new(".."), &ctx.site.join("content/pages/up"));
    symlink(Path::new("a.toml"), &ctx.site.join("content/series/b.toml"));
    symlink(Path::new("b.toml"), &ctx.site.join("content/series/a.toml"));
}

fn symlink_brief_outside(ctx: &Ctx) {
    let secret_brief = ctx.outside.join("secret.md");
    write(
        &secret_brief,
        format!("+++\ntitle = \"{SECRET}\"\ndate = 2026-01-01\nsummary = \"{SECRET}\"\n+++\n\n{SECRET}\n"),
    );
    symlink(&secret_brief, &ctx.site.join("content/briefs/leak.md"));
    symlink(&ctx.outside.join("secret.txt"), &ctx.site.join("content/briefs/passwd.md"));
}

fn symlink_dangling(ctx: &Ctx) {
    symlink(&ctx.outside.join("does-not-exist.md"), &ctx.site.join("content/briefs/gone.md"));
}

fn symlink_registry_outside(ctx: &Ctx) {
    symlink(&ctx.outside.join("secret.txt"), &ctx.site.join("content/deals.toml"));
}

fn symlink_series_folder(ctx: &Ctx) {
    let folder = ctx.outside.join("series");
    let series = std::fs::read_to_string(ctx.site.join("content/series/cloud-share.toml")).expect("series");
    write(&folder.join("cloud-share.toml"), series.replace("Cloud market share", SECRET));
    symlink(&folder, &ctx.site.join("content/series"));
}

fn symlink_static_folder(ctx: &Ctx) {
    symlink(&ctx.outside, &ctx.site.join("static"));
}

fn names_with_spaces(ctx: &Ctx) {
    let brief = std::fs::read_to_string(second_brief(ctx)).expect("brief");
    std::fs::remove_file(second_brief(ctx)).expect("remove");
    write(&ctx.site.join("content/briefs/second brief.md"), brief.replace("#why-it-matters", ""));
    let about = std::fs::read_to_string(ctx.site.join("content/pages/about.md")).expect("page");
    write(&ctx.site.join("content/pages/about us.md"), about);
    write(&ctx.site.join("content/series/cloud share.toml"), "title = \"x\"\n");
}

fn names_non_ascii(ctx: &Ctx) {
    let brief = std::fs::read_to_string(second_brief(ctx)).expect("brief");
    write(&ctx.site.join("content/briefs/café.md"), &brief);
    write(&ctx.site.join("content/briefs/日本語.md"), &brief);
    let series = std::fs::read_to_string(ctx.site.join("content/series/cloud-share.toml")).expect("series");
    write(&ctx.site.join("content/series/données.toml"), series);
}

fn name_not_utf8(ctx: &Ctx) {
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(b"bad-\xFF-name.md");
    let brief = std::fs::read(second_brief(ctx)).expect("brief");
    std::fs::write(ctx.site.join("content/briefs").join(name), brief).expect("write");
}

fn non_ascii_with_slug(ctx: &Ctx) {
    write(
        &ctx.site.join("content/briefs/Ünïcödé brief.md"),
        "+++\ntitle = \"Ünïcödé\"\nslug = \"unicode\"\ndate = 2026-01-02\nsummary = \"A brief whose file name is not a slug.\"\n+++\n\nBody.\n",
    );
}

fn names_like_traversal(ctx: &Ctx) {
    let brief = std::fs::read_to_string(second_brief(ctx)).expect("brief");
    for name in ["%2e%2e.md", "...md", "-.md", "a--b.md", "..%2fescape.md", "CON.md"] {
        write(&ctx.site.join("content/briefs").join(name), &brief);
    }
}

fn static_names_with_colon_and_backslash(ctx: &Ctx) {
    write(&ctx.site.join("static/a:b.txt"), "legal on Linux, refused by the writer");
    write(&ctx.site.join("static/c\\d.txt"), "a backslash in a file name");
}

fn brief_50_mb(ctx: &Ctx) {
    let paragraph = format!("{}\n\n", "Compute is bought by the gigawatt and paid for over many years. ".repeat(12));
    let count = 50 * 1024 * 1024 / paragraph.len() + 1;
    let mut body = String::with_capacity(count * paragraph.len() + 64);
    body.push('\n');
    for i in 0..count {
        if i % 5_000 == 0 {
            body.push_str(&format!("## Part {i}\n\n"));
        }
        body.push_str(&paragraph);
    }
    append(&second_brief(ctx), &body);
}

/// Script and event handlers in every field of the registry that reaches a page.
const HOSTILE: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>\\\"'><svg onload=alert(3)>";

fn script_in_registry(ctx: &Ctx) {
    let content = ctx.site.join("content");
    let edits: [(&str, &str, String); 16] = [
        ("site.toml", "title = \"Fixture Brief\"", format!("title = \"Fixture {HOSTILE}\"")),
        ("site.toml", "description = \"A small site for tests.\"", format!("description = \"{HOSTILE}\"")),
        ("site.toml", "author = \"Test desk\"", format!("author = \"{HOSTILE}\"")),
        ("deals.toml", "title = \"LabCo buys cloud capacity\"", format!("title = \"T{HOSTILE}\"")),
        (
            "deals.toml",
            "summary = \"LabCo commits to a seven-year cloud contract.\"",
            format!("summary = \"S{HOSTILE}\"\nnotes = \"N{HOSTILE}\""),
        ),
        ("deals.toml", "chips = [\"Chip X1\"]", format!("chips = [\"C{HOSTILE}\"]")),
        ("deals.toml", "publisher = \"Example News\"", format!("publisher = \"P{HOSTILE}\"")),
        ("deals.toml", "title = \"LabCo signs with Cloud Company\"", format!("title = \"ST{HOSTILE}\"")),
        ("companies.toml", "name = \"Lab Company\"", format!("name = \"Lab{HOSTILE}\"")),
        ("companies.toml", "short_name = \"LabCo\"", format!("short_name = \"L{HOSTILE}\"")),
        (
            "companies.toml",
            "description = \"A research lab that buys compute.\"",
            format!("description = \"D{HOSTILE}\""),
        ),
        ("series/cloud-share.toml", "label = \"CloudCo\"", format!("label = \"CloudCo{HOSTILE}\"")),
        ("series/cloud-share.toml", "title = \"Cloud market share\"", format!("title = \"CMS{HOSTILE}\"")),
        ("series/cloud-share.toml", "summary = \"Shares of the cloud market.\"", format!("summary = \"SS{HOSTILE}\"")),
        ("series/cloud-share.toml", "notes = \"From one research firm.\"", format!("notes = \"NN{HOSTILE}\"")),
        ("series/cloud-share.toml", "publisher = \"Research Firm\"", format!("publisher = \"RF{HOSTILE}\"")),
    ];
    for (file, from, to) in &edits {
        replace(&content.join(file), from, to);
    }
    // The series line label is also an argument of a `point` shortcode.
    replace(&content.join("briefs/first-brief.md"), "line=\"CloudCo\"", &format!("line=\"CloudCo{HOSTILE}\""));
}

fn script_in_front_matter(ctx: &Ctx) {
    write(
        &second_brief(ctx),
        format!(
            "+++\ntitle = \"B{HOSTILE}\"\ndate = 2026-03-02\nsummary = \"S{HOSTILE}\"\ntags = [\"chips\"]\ncompanies = [\"labco\"]\n+++\n\n\
             {{{{ company(id=\"cloudco\", text=\"{HOSTILE}\") }}}} and {{{{ company(id=\"labco\", text=\"javascript:alert(4)\") }}}}.\n"
        ),
    );
    replace(
        &ctx.site.join("content/pages/about.md"),
        "title = \"About\"",
        &format!("title = \"A{HOSTILE}\"\nsummary = \"AS{HOSTILE}\""),
    );
}

#[test]
fn the_inert_output_check_catches_what_it_must() {
    let bad = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=\"https://evil.example/x.js\"></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<img/src=\"x\"/onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"\u{1}javascript:alert(1)\">x</a>",
        "<a href=\"java\tscript:alert(1)\">x</a>",
        "<a href=\"  VBScript:msgbox(1)\">x</a>",
        "<iframe srcdoc=\"x\"></iframe>",
        "<form action=\"data:text/html,x\"></form>",
        "<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<script src=\"search-index.js\">alert(1)</script>",
        "<scr<script>ipt>alert(1)</script>",
    ];
    for html in bad {
        assert!(!markup_problems(html).is_empty(), "not caught: {html}");
    }
    let good = [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; and javascript:alert(1) as text</p>",
        "<script src=\"../search-index.js\"></script><script src=\"../assets/search.js\"></script>",
        "<a href=\"https://example.com/javascript:x\" title=\"onerror=1\">x</a>",
        "<meta name=\"description\" content=\"javascript: a language\">",
    ];
    for html in good {
        assert_eq!(markup_problems(html), Vec::<String>::new(), "false alarm: {html}");
    }
    assert!(!csv_problems("id,title\nx,\"=HYPERLINK(\"\"http://evil\"\")\"\n").is_empty());
    assert!(csv_problems("id,value\nx,-12.5\ny,'=not a formula\n").is_empty());
    assert!(
        !search_index_problems("window.INFRABRIEF_SEARCH={\"docs\":[[\"deal\",\"t\",\"javascript:alert(1)\"]]};\n")
            .is_empty()
    );
    assert!(!xml_problems("<feed><link href=\"javascript:alert(1)\"/></feed>").is_empty());
    assert!(!json_problems("{\"deals\":[{\"url\":\" javascript:alert(1)\"}]}").is_empty());
}

/// Sets the permission bits of `path`.
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Files and folders the user may not read are problems of the site like any other: each is
/// named with a hint, together with the rest, nothing is written, and what they hide (a brief
/// that could not be read, a series folder that could not be listed) is not reported again
/// where the other briefs refer to it. Permissions do not bind root, so under root the build
/// runs as `nobody` through `setpriv` (util-linux), from a copy of the binary it may run.
#[test]
fn unreadable_files_and_folders_are_reported_with_the_other_problems() {
    let scratch = Scratch::new("unreadable");
    let (site, bin, outputs) = (scratch.path.join("site"), scratch.path.join("bin"), scratch.path.join("outputs"));
    copy_tree(&fixture("base"), &site);
    std::fs::create_dir_all(site.join("static/icons")).expect("static folder");
    std::fs::write(site.join("static/icons/mark.svg"), "<svg/>").expect("icon");
    std::fs::create_dir_all(&bin).expect("bin");
    std::fs::create_dir_all(&outputs).expect("outputs");
    let binary = bin.join("infrabrief");
    std::fs::copy(env!("CARGO_BIN_EXE_infrabrief"), &binary).expect("copy the binary");
    for dir in walk(&scratch.path).into_iter().filter(|p| p.is_dir()).chain([scratch.path.clone()]) {
        set_mode(&dir, 0o755);
    }
    set_mode(&outputs, 0o777);
    // A brief the first brief links to, the series folder it quotes a point of, a static folder.
    let locked = [site.join("content/briefs/second-brief.md"), site.join("content/series"), site.join("static/icons")];
    for path in &locked {
        set_mode(path, 0o000);
    }
    let uid = Command::new("id").arg("-u").output().expect("id -u");
    let as_root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let out = outputs.join("public");
    let mut build = if as_root {
        let mut setpriv = Command::new("setpriv");
        setpriv.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(&binary);
        setpriv
    } else {
        Command::new(&binary)
    };
    let result = build.arg("build").arg("--root").arg(&site).arg("-o").arg(&out).output().expect("run the build");
    for path in &locked {
        set_mode(path, if path.extension().is_some() { 0o644 } else { 0o755 });
    }
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(1), "{stderr}");
    assert!(!out.exists(), "a failed build wrote output");
    for (place, message, hint) in [
        ("content/briefs/second-brief.md", "cannot read this file", "permissions let this user read it"),
        ("content/series/", "cannot list this folder", "permissions let this user read and enter it"),
        ("static/icons/", "cannot list this folder", "permissions let this user read and enter it"),
    ] {
        let shown = format!("{message}: Permission denied (os error 13)\n  --> {place}\n  = help: check that the");
        assert!(stderr.contains(&shown), "{place} is not reported as `{message}`:\n{stderr}");
        assert!(stderr.contains(hint), "{stderr}");
    }
    assert!(stderr.contains("\n3 errors\n"), "only the three problems, not their echoes:\n{stderr}");
}
