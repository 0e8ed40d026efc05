//! Stage 3, render: the validated model to bytes, in memory. Pure: no IO, no clock.
//!
//! [`render`] returns an [`Output`], a sorted map from output path to bytes, that the writer
//! (`output.rs`), `check`, `diff` and `serve` all share. Problems met while rendering (an
//! unknown id in a shortcode, a broken `@/` link, a template error) are diagnostics like any
//! other. Submodules: `markdown` (Markdown to HTML) and `shortcode` (syntax) are leaves that know
//! nothing of the model; `expand` gives shortcodes their meaning; `views` shapes the model for
//! templates; `pages` drives tera; `feed` and `data` write the feed, sitemap, CSV and JSON.

pub mod brief_page;
pub mod charts;
pub mod data;
pub mod expand;
pub mod feed;
pub mod format;
pub mod markdown;
pub mod pages;
pub mod paths;
pub mod sanitize;
pub mod search;
pub mod shortcode;
pub mod splice;
pub mod template_errors;
pub mod theme;
pub mod views;

use std::collections::BTreeMap;

use crate::diag::Diagnostics;
use crate::model::Site;
use theme::Theme;

/// The rendered site: output path (relative, `/`-separated) to file bytes, sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Output {
    pub fn insert(&mut self, path: impl Into<String>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn html_pages(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().filter(|(p, _)| p.ends_with(".html")).map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    pub fn total_bytes(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }
}

/// Counts for the build summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub pages: usize,
    pub briefs: usize,
    pub deals: usize,
    pub data_files: usize,
    pub static_files: usize,
    /// The search index's size; `None` for a site without search.
    pub search_index_bytes: Option<usize>,
    /// Whether brief pages and list entries were written without tera (`brief_page`).
    pub brief_pages_direct: bool,
}

/// Where rendered files go: memory (for `check`, `diff`, `serve` and tests) or the staging
/// folder of a build (`output::Staging`). Jobs on several threads put files at once; the
/// result never depends on their order because files are keyed by path.
pub trait Sink: Sync {
    fn put(&self, path: String, bytes: Vec<u8>);

    /// Puts a file from a buffer the caller keeps (and reuses): the staging folder writes it
    /// straight away, memory keeps a copy of exactly its size.
    fn put_bytes(&self, path: String, bytes: &[u8]) {
        self.put(path, bytes.to_vec());
    }

    /// Puts a file given as parts in order, which the staging folder writes one after the
    /// other, so a large file written in parallel runs is never joined in memory.
    fn put_parts(&self, path: String, parts: &[&[u8]]) {
        self.put(path, parts.concat());
    }
}

/// Collects rendered files in memory.
#[derive(Debug, Default)]
pub struct MemorySink {
    files: std::sync::Mutex<Output>,
}

impl Sink for MemorySink {
    fn put(&self, path: String, mut bytes: Vec<u8>) {
        // Pages arrive in buffers sized for large pages; what is kept holds only its bytes.
        bytes.shrink_to_fit();
        if let Ok(mut output) = self.files.lock() {
            output.insert(path, bytes);
        }
    }
}

impl MemorySink {
    pub fn into_output(self) -> Output {
        self.files.into_inner().unwrap_or_default()
    }
}

/// Per-brief facts the review report and the search index need besides the HTML.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BriefFacts {
    pub words: usize,
    pub headings: Vec<markdown::Heading>,
}

/// What a render tells besides the files.
#[derive(Debug, Default)]
pub struct RenderFacts {
    pub stats: Stats,
    pub briefs: BTreeMap<String, BriefFacts>,
    pub timings: pages::RenderTimings,
}

/// A render kept in memory.
#[derive(Debug, Default)]
pub struct Rendered {
    pub output: Output,
    pub stats: Stats,
    pub briefs: BTreeMap<String, BriefFacts>,
    pub timings: pages::RenderTimings,
}

/// Renders the whole site into memory. `None` when any error was found (all of them are in the
/// diagnostics).
pub fn render(site: &Site, theme: &Theme) -> (Option<Rendered>, Diagnostics) {
    let sink = MemorySink::default();
    let (facts, diagnostics) = pages::render_site(site, theme, &sink, None);
    let rendered = facts.map(|facts| Rendered {
        output: sink.into_output(),
        stats: facts.stats,
        briefs: facts.briefs,
        timings: facts.timings,
    });
    (rendered, diagnostics)
}

/// The problems a render of `site` finds, keeping nothing it renders: for a model recovered from
/// a run with errors ([`crate::model::validate::recover`]), which is never written.
pub fn problems(site: &Site, theme: &Theme) -> Diagnostics {
    pages::render_site(site, theme, &Discard, None).1
}

/// A sink that keeps nothing.
pub(crate) struct Discard;

impl Sink for Discard {
    fn put(&self, _path: String, _bytes: Vec<u8>) {}

    fn put_bytes(&self, _path: String, _bytes: &[u8]) {}

    fn put_parts(&self, _path: String, _parts: &[&[u8]]) {}
}

/// Frees `value` on a thread of its own. The model, caches and page facts of a large site are
/// millions of allocations that take a tenth of a second to free one by one; nothing waits for
/// that, and a build's process may well end first. If no thread can be started it is freed here.
pub fn drop_later<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().name("drop".to_string()).spawn(move || drop(value));
}

/// Renders the whole site into `sink` (a build's staging folder).
pub fn render_into(
    site: &Site,
    theme: &Theme,
    sink: &dyn Sink,
    released: Option<pages::Released<'_>>,
) -> (Option<RenderFacts>, Diagnostics) {
    pages::render_site(site, theme, sink, released)
}
