//! Markdown to HTML: pulldown-cmark plus what a briefing site needs on top.
//!
//! On top of CommonMark with tables, footnotes, strikethrough, task lists and smart punctuation
//! (math stays off: it would eat dollar amounts), this adds: stable unique heading ids with
//! self-links and a list of headings for the table of contents; footnotes gathered into a
//! numbered notes section with back-links; external links marked as such; `@/briefs/x.md` links
//! resolved to relative page URLs; images checked to be local; tables wrapped for narrow
//! screens; raw HTML passed through the allow-list sanitizer (or kept as written when the site
//! trusts it); and shortcode output spliced in where the shortcode stood.
//! It knows nothing of the model: callers hand in the shortcode HTML and two resolvers.

use std::collections::BTreeMap;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use rustc_hash::{FxHashMap, FxHashSet};

use super::format::push_escaped_html;
use super::sanitize::{Finding, Href, Output, Refusal, Sanitizer};
use crate::diag::Severity;
use crate::model::slugify;

/// Rendered shortcode output to splice in place of the shortcode at `span` (body coordinates).
#[derive(Clone, Debug)]
pub struct Insert {
    pub span: Range<usize>,
    /// Shared, not copied: a chart figure placed in many briefs is one string.
    pub html: std::sync::Arc<str>,
    /// Plain-text form, for heading ids and word counts.
    pub text: String,
    /// Block output (a card) must stand alone in its paragraph.
    pub block: bool,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    /// Body coordinates.
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    /// The visible text, words separated by spaces: for the search index.
    pub text: String,
    pub headings: Vec<Heading>,
    pub words: usize,
    pub problems: Vec<Problem>,
}

/// How links and images that point into the site become URLs relative to the current page.
pub trait Resolver {
    /// `briefs/openai-aws.md` (the part after `@/`) to a relative href, or a problem message.
    fn content_link(&self, path: &str) -> Result<String, String>;
    /// An image path (site-rooted, as written) to a relative href, if such a static file exists.
    fn asset(&self, path: &str) -> Option<String>;
}

const PLACEHOLDER_OPEN: char = '\u{E000}';
const PLACEHOLDER_CLOSE: char = '\u{E001}';
/// Ids the page layout uses; headings never take them.
const RESERVED_IDS: [&str; 8] =
    ["top", "main", "content", "toc", "footnotes", "search", "site-search", "search-results"];

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// What happens to raw HTML written in Markdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RawHtml {
    /// Only allow-listed elements and attributes survive (the default).
    #[default]
    Sanitize,
    /// Kept as written: the site's `trust_html = true`.
    Trust,
}

/// Renders `body`, splicing in `inserts` (sorted by span, not overlapping), with raw HTML sanitized.
pub fn render(body: &str, inserts: &[Insert], resolver: &dyn Resolver) -> Rendered {
    render_with(body, inserts, resolver, RawHtml::Sanitize)
}

/// Renders `body` as [`render`] does, with raw HTML treated as `raw_html` says.
pub fn render_with(body: &str, inserts: &[Insert], resolver: &dyn Resolver, raw_html: RawHtml) -> Rendered {
    let (text, offsets) = substitute(body, inserts);
    let mut state = State {
        inserts,
        offsets: &offsets,
        resolver,
        raw_html,
        reported: Vec::new(),
        // The search text is about as long as the body; sized once instead of grown.
        rendered: Rendered { text: String::with_capacity(body.len()), ..Rendered::default() },
        used_ids: FxHashSet::default(),
        id_suffixes: FxHashMap::default(),
        footnote_numbers: BTreeMap::new(),
        footnote_refs: BTreeMap::new(),
        footnotes: BTreeMap::new(),
    };
    // About one event per 32 bytes of Markdown: sized once instead of grown.
    let mut events: Vec<(Event<'_>, Range<usize>)> = Vec::with_capacity(text.len() / 32 + 16);
    events.extend(Parser::new_ext(&text, options()).into_offset_iter());
    let main = state.transform(events);
    let spliced: usize = inserts.iter().map(|insert| insert.html.len()).sum();
    let mut html = String::with_capacity(text.len() * 3 / 2 + spliced);
    pulldown_cmark::html::push_html(&mut html, main.into_iter());
    state.push_footnote_section(&mut html);
    if may_hold_controls(body)
        && let Some((at, found)) = body.char_indices().find(|&(_, c)| is_stray_control(c))
    {
        let count = body.chars().filter(|&c| is_stray_control(c)).count();
        state.rendered.problems.push(Problem {
            severity: Severity::Warning,
            span: at..at + found.len_utf8(),
            message: format!(
                "the text holds {count} control character{} (the first is U+{:04X}); {} shown as \u{FFFD}",
                if count == 1 { "" } else { "s" },
                u32::from(found),
                if count == 1 { "it is" } else { "they are" }
            ),
            help: Some(
                "delete it: control characters are invisible and some terminals and browsers act on them".to_string(),
            ),
        });
        html = html.chars().map(|c| if is_stray_control(c) { '\u{FFFD}' } else { c }).collect();
        state.rendered.text = state.rendered.text.chars().map(|c| if is_stray_control(c) { ' ' } else { c }).collect();
        for heading in &mut state.rendered.headings {
            heading.text = heading.text.chars().map(|c| if is_stray_control(c) { '\u{FFFD}' } else { c }).collect();
        }
    }
    state.rendered.html = html;
    state.rendered
}

/// Whether `body` may hold a stray control character: a byte test first (C1 controls start with
/// 0xC2 in UTF-8), so most bodies need no character scan.
fn may_hold_controls(body: &str) -> bool {
    let suspect = |b: u8| (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0x7f) | (b == 0xc2);
    // Whole chunks without an early exit, so the compiler can vectorize the test.
    body.as_bytes().chunks(64).any(|chunk| chunk.iter().fold(false, |found, &b| found | suspect(b)))
}

/// A control character other than a tab or a line break: never meant to be in prose.
fn is_stray_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Replaces each insert's span with a placeholder, returning the new text and the offset map.
/// A body without inserts, most of them, is its own text: borrowed, not copied.
fn substitute<'b>(body: &'b str, inserts: &[Insert]) -> (std::borrow::Cow<'b, str>, Offsets) {
    if inserts.is_empty() {
        return (std::borrow::Cow::Borrowed(body), Offsets { pieces: Vec::new() });
    }
    let mut text = String::with_capacity(body.len());
    let mut pieces = Vec::new();
    let mut last = 0;
    for (index, insert) in inserts.iter().enumerate() {
        if insert.span.start < last || insert.span.end > body.len() {
            continue;
        }
        text.push_str(&body[last..insert.span.start]);
        let new_start = text.len();
        text.push(PLACEHOLDER_OPEN);
        push_decimal(&mut text, index);
        text.push(PLACEHOLDER_CLOSE);
        pieces.push((new_start, text.len(), insert.span.start, insert.span.end));
        last = insert.span.end;
    }
    text.push_str(&body[last..]);
    (std::borrow::Cow::Owned(text), Offsets { pieces })
}

/// Appends a number in decimal without the formatting machinery.
fn push_decimal(out: &mut String, value: usize) {
    crate::model::date::push_digits(out, value as u64, 1);
}

/// Maps positions in the substituted text back to the original body.
struct Offsets {
    /// (new start, new end, old start, old end) of each placeholder.
    pieces: Vec<(usize, usize, usize, usize)>,
}

impl Offsets {
    fn to_body(&self, pos: usize) -> usize {
        let mut shift: i64 = 0;
        for &(new_start, new_end, old_start, old_end) in &self.pieces {
            if pos < new_start {
                break;
            }
            if pos < new_end {
                return old_start;
            }
            shift = new_end as i64 - old_end as i64;
        }
        (pos as i64 - shift).max(0) as usize
    }

    fn range(&self, range: &Range<usize>) -> Range<usize> {
        self.to_body(range.start)..self.to_body(range.end)
    }
}

struct State<'a> {
    inserts: &'a [Insert],
    offsets: &'a Offsets,
    resolver: &'a dyn Resolver,
    raw_html: RawHtml,
    /// Sanitizer findings already reported, so each kind shows once per document.
    reported: Vec<String>,
    rendered: Rendered,
    /// Heading ids given so far (the layout's [`RESERVED_IDS`] are never given).
    used_ids: FxHashSet<String>,
    /// The last number given to each repeated heading id.
    id_suffixes: FxHashMap<String, usize>,
    /// Footnote label to its number, in order of first reference.
    footnote_numbers: BTreeMap<String, usize>,
    /// How many references each label has had so far.
    footnote_refs: BTreeMap<String, usize>,
    /// Rendered definitions by label.
    footnotes: BTreeMap<String, String>,
}

/// What a link start turned into, so its end can match.
enum LinkEnd {
    Plain,
    External,
    Dropped,
}

impl<'a> State<'a> {
    fn problem(&mut self, severity: Severity, range: &Range<usize>, message: impl Into<String>, help: Option<&str>) {
        let span = self.offsets.range(range);
        self.rendered.problems.push(Problem {
            severity,
            span,
            message: message.into(),
            help: help.map(str::to_string),
        });
    }

    fn transform<'e>(&mut self, mut events: Vec<(Event<'e>, Range<usize>)>) -> Vec<Event<'e>>
    where
        'a: 'e,
    {
        let mut out: Vec<Event<'e>> = Vec::with_capacity(events.len());
        let mut footnote: Option<(String, Vec<Event<'e>>)> = None;
        let mut heading: Option<(usize, HeadingLevel, Option<String>, String)> = None;
        let mut links: Vec<LinkEnd> = Vec::new();
        let mut image_alt: Option<(String, Range<usize>)> = None;
        let mut in_code_block = false;
        let mut emitted: Vec<Event<'e>> = Vec::with_capacity(4);
        let mut sanitizer = Sanitizer::new();
        // Markdown block depth, for keeping raw HTML inside the block it was written in.
        let mut depth = 0usize;
        let mut index = 0;
        while index < events.len() {
            let range = events[index].1.clone();
            let event = std::mem::replace(&mut events[index].0, Event::SoftBreak);
            index += 1;
            if self.raw_html == RawHtml::Sanitize {
                if !matches!(event, Event::Html(_) | Event::InlineHtml(_)) {
                    let mut closing = String::new();
                    if sanitizer.carried() > 0 {
                        self.flush_raw(&mut sanitizer, &mut closing);
                    }
                    if let Event::End(end) = &event
                        && !matches!(end, TagEnd::HtmlBlock)
                    {
                        sanitizer.close_deeper_than(depth.saturating_sub(1), &mut closing);
                    }
                    if !closing.is_empty() {
                        let target = footnote.as_mut().map_or(&mut out, |(_, events)| events);
                        target.push(Event::Html(CowStr::from(closing)));
                    }
                }
                if matches!(event, Event::Text(_)) && sanitizer.suppressing() {
                    continue;
                }
            }
            match &event {
                Event::Start(start) if !matches!(start, Tag::HtmlBlock) => depth += 1,
                Event::End(end) if !matches!(end, TagEnd::HtmlBlock) => depth = depth.saturating_sub(1),
                _ => {}
            }
            // A block insert alone in its paragraph replaces the paragraph.
            if matches!(event, Event::Start(Tag::Paragraph))
                && let (Some((Event::Text(text), _)), Some((Event::End(TagEnd::Paragraph), _))) =
                    (events.get(index), events.get(index + 1))
                && let Some(insert) = self.sole_placeholder(text)
                && insert.block
            {
                let target = footnote.as_mut().map_or(&mut out, |(_, events)| events);
                // Borrowed, not copied: the HTML writer writes consecutive HTML events as one.
                target.push(Event::Html(CowStr::Borrowed(&insert.html)));
                target.push(Event::Html(CowStr::Borrowed("\n")));
                index += 2;
                continue;
            }
            emitted.clear();
            match event {
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    footnote = Some((label.to_string(), Vec::new()));
                    continue;
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    if let Some((label, events)) = footnote.take() {
                        let mut html = String::new();
                        pulldown_cmark::html::push_html(&mut html, events.into_iter());
                        self.footnotes.entry(label).or_insert(html);
                    }
                    continue;
                }
                Event::Start(Tag::Heading { level, id, .. }) => {
                    let target_len = footnote.as_ref().map_or(out.len(), |(_, e)| e.len());
                    heading = Some((target_len, level, id.map(|i| i.to_string()), String::new()));
                    emitted.push(Event::Html(CowStr::from("")));
                }
                Event::End(TagEnd::Heading(level)) => {
                    if let Some((start, _, custom, text)) = heading.take() {
                        let id = self.heading_id(custom.as_deref(), &text);
                        let n = heading_number(level);
                        let target = footnote.as_mut().map_or(&mut out, |(_, events)| events);
                        let level = char::from(b'0' + n);
                        if let Some(slot) = target.get_mut(start) {
                            let mut open = String::with_capacity(id.len() + 12);
                            open.push_str("<h");
                            open.push(level);
                            open.push_str(" id=\"");
                            open.push_str(&id);
                            open.push_str("\">");
                            *slot = Event::Html(CowStr::from(open));
                        }
                        let mut close = String::with_capacity(id.len() + 80);
                        close.push_str(" <a class=\"anchor\" href=\"#");
                        close.push_str(&id);
                        close.push_str("\" aria-label=\"Link to this section\">#</a></h");
                        close.push(level);
                        close.push_str(">\n");
                        target.push(Event::Html(CowStr::from(close)));
                        let text = if text.trim().len() == text.len() { text } else { text.trim().to_string() };
                        self.rendered.headings.push(Heading { level: n, id, text });
                        continue;
                    }
                }
                Event::Start(Tag::CodeBlock(_)) => {
                    in_code_block = true;
                    emitted.push(event);
                }
                Event::End(TagEnd::CodeBlock) => {
                    in_code_block = false;
                    emitted.push(event);
                }
                Event::Text(text) => {
                    // Most text holds no placeholder: one cheap test, then straight copies.
                    let spliced = has_placeholder(&text);
                    if !in_code_block {
                        self.rendered.words += count_words(&text);
                    }
                    if spliced {
                        push_plain_text(self.inserts, &text, &mut self.rendered.text);
                    } else {
                        self.rendered.text.push_str(&text);
                    }
                    self.rendered.text.push(' ');
                    if let Some((alt, _)) = image_alt.as_mut() {
                        alt.push_str(&text);
                    }
                    if let Some((_, _, _, heading_text)) = heading.as_mut() {
                        if spliced {
                            push_plain_text(self.inserts, &text, heading_text);
                        } else {
                            heading_text.push_str(&text);
                        }
                    }
                    if spliced {
                        self.splice(text, &mut emitted);
                    } else {
                        emitted.push(Event::Text(text));
                    }
                }
                Event::Code(code) => {
                    self.rendered.words += count_words(&code);
                    self.rendered.text.push_str(&code);
                    self.rendered.text.push(' ');
                    if let Some((_, _, _, heading_text)) = heading.as_mut() {
                        heading_text.push_str(&code);
                    }
                    emitted.push(Event::Code(code));
                }
                Event::Html(html) | Event::InlineHtml(html) => {
                    let kept = match self.raw_html {
                        RawHtml::Trust => html.to_string(),
                        RawHtml::Sanitize => self.sanitize(&mut sanitizer, &html, depth, &range),
                    };
                    let kept = if has_placeholder(&kept) { self.splice_html(&kept) } else { kept };
                    emitted.push(Event::Html(CowStr::from(kept)));
                }
                Event::FootnoteReference(label) => {
                    let next = self.footnote_numbers.len() + 1;
                    let number = *self.footnote_numbers.entry(label.to_string()).or_insert(next);
                    let count = self.footnote_refs.entry(label.to_string()).or_insert(0);
                    *count += 1;
                    let count = *count;
                    let slug = footnote_slug(&label);
                    let mut sup = String::with_capacity(2 * slug.len() + 100);
                    sup.push_str("<sup class=\"footnote-ref\"><a href=\"#fn-");
                    sup.push_str(&slug);
                    sup.push_str("\" id=\"fnref-");
                    sup.push_str(&slug);
                    if count > 1 {
                        sup.push('-');
                        push_decimal(&mut sup, count);
                    }
                    sup.push_str("\" aria-label=\"Note ");
                    push_decimal(&mut sup, number);
                    sup.push_str("\">");
                    push_decimal(&mut sup, number);
                    sup.push_str("</a></sup>");
                    emitted.push(Event::Html(CowStr::from(sup)));
                }
                Event::Start(Tag::Link { link_type, dest_url, title, .. }) => {
                    let (open, end) = self.link(link_type, &dest_url, &title, &range);
                    links.push(end);
                    if let Some(open) = open {
                        emitted.push(Event::Html(CowStr::from(open)));
                    }
                }
                Event::End(TagEnd::Link) => match links.pop() {
                    Some(LinkEnd::External) => emitted
                        .push(Event::Html(CowStr::from("<span class=\"visually-hidden\"> (external link)</span></a>"))),
                    Some(LinkEnd::Dropped) => {}
                    _ => emitted.push(Event::Html(CowStr::from("</a>"))),
                },
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    let href = self.image(&dest_url, &range);
                    image_alt = Some((String::new(), range.clone()));
                    emitted.push(Event::Start(Tag::Image { link_type, dest_url: CowStr::from(href), title, id }));
                }
                Event::End(TagEnd::Image) => {
                    if let Some((alt, range)) = image_alt.take()
                        && alt.trim().is_empty()
                    {
                        self.problem(
                            Severity::Warning,
                            &range,
                            "image without alt text",
                            Some("describe the image between the brackets: ![what it shows](path)"),
                        );
                    }
                    emitted.push(Event::End(TagEnd::Image));
                }
                Event::Start(Tag::Table(alignments)) => {
                    emitted.push(Event::Html(CowStr::from("<div class=\"table-wrap\">")));
                    emitted.push(Event::Start(Tag::Table(alignments)));
                }
                Event::End(TagEnd::Table) => {
                    emitted.push(Event::End(TagEnd::Table));
                    emitted.push(Event::Html(CowStr::from("</div>\n")));
                }
                other => emitted.push(other),
            }
            let target = footnote.as_mut().map_or(&mut out, |(_, events)| events);
            target.append(&mut emitted);
        }
        if self.raw_html == RawHtml::Sanitize {
            let mut closing = String::new();
            self.flush_raw(&mut sanitizer, &mut closing);
            sanitizer.finish(&mut closing);
            if !closing.is_empty() {
                out.push(Event::Html(CowStr::from(closing)));
            }
        }
        out
    }

    /// Sanitizes one raw HTML fragment, reporting what was removed.
    fn sanitize(&mut self, sanitizer: &mut Sanitizer, raw: &str, depth: usize, range: &Range<usize>) -> String {
        let carried = sanitizer.carried();
        let mut html = String::with_capacity(raw.len());
        let mut text = String::new();
        let mut findings = Vec::new();
        let resolver = self.resolver;
        let mut policy = |url: &str| href_policy(resolver, url);
        let mut output = Output { html: &mut html, text: &mut text, findings: &mut findings };
        sanitizer.fragment(raw, depth, &mut policy, &mut output);
        self.rendered.words += count_words(&text);
        push_plain_text(self.inserts, &text, &mut self.rendered.text);
        for finding in findings {
            self.report(finding, range.start, carried);
        }
        html
    }

    /// Writes out an unterminated tag left at the end of raw HTML as text.
    fn flush_raw(&mut self, sanitizer: &mut Sanitizer, html: &mut String) {
        if sanitizer.carried() == 0 {
            return;
        }
        let mut text = String::new();
        let mut findings = Vec::new();
        let mut output = Output { html, text: &mut text, findings: &mut findings };
        sanitizer.flush(&mut output);
        self.rendered.text.push_str(&text);
    }

    /// Turns a sanitizer finding at `offset` into the fragment (which began `carried` bytes before
    /// `start`) into a problem, once per kind and name per document.
    fn report(&mut self, finding: Finding, start: usize, carried: usize) {
        let at = |offset: usize| start + offset.saturating_sub(carried);
        const TRUST: &str = "raw HTML is sanitized: simple formatting tags such as <abbr>, <sup> and <details> are kept; \
             set `trust_html = true` in content/site.toml to keep raw HTML as written";
        let (severity, offset, key, message, help) = match finding {
            Finding::Element { offset, name } => (
                Severity::Warning,
                offset,
                format!("element {name}"),
                format!("raw HTML `{name}` was removed"),
                TRUST.to_string(),
            ),
            Finding::Attribute { offset, element, name } => (
                Severity::Warning,
                offset,
                format!("attribute {element} {name}"),
                format!("the `{name}` attribute on `<{element}>` was removed"),
                "raw HTML keeps title, lang and dir, plus a few attributes per element (href on <a>, colspan on \
                 <td>, datetime on <time>, …)"
                    .to_string(),
            ),
            Finding::Url { offset, refusal } => (
                Severity::Error,
                offset,
                String::new(),
                refusal.message,
                refusal
                    .help
                    .unwrap_or("only http(s) links, #anchors and `@/` links within the site are kept")
                    .to_string(),
            ),
            Finding::StrayClose { offset, name } => (
                Severity::Warning,
                offset,
                format!("close {name}"),
                format!("`</{name}>` closes nothing opened in this block, so it was removed"),
                "raw HTML elements must be opened and closed within the same Markdown block".to_string(),
            ),
        };
        if !key.is_empty() {
            if self.reported.contains(&key) {
                return;
            }
            self.reported.push(key);
        }
        let position = at(offset);
        self.problem(severity, &(position..position + 1), message, Some(&help));
    }

    /// Raw HTML with shortcode placeholders replaced by their (inline) output.
    fn splice_html(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(open) = find_marker(rest, PLACEHOLDER_OPEN) {
            out.push_str(&rest[..open]);
            let after = &rest[open + PLACEHOLDER_OPEN.len_utf8()..];
            let Some(close) = find_marker(after, PLACEHOLDER_CLOSE) else {
                rest = after;
                continue;
            };
            if let Some(insert) = after[..close].parse::<usize>().ok().and_then(|i| self.inserts.get(i)) {
                out.push_str(&insert.html);
            }
            rest = &after[close + PLACEHOLDER_CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        out
    }

    /// The insert whose placeholder is the whole of `text`, if any.
    fn sole_placeholder(&self, text: &str) -> Option<&'a Insert> {
        let inner = text.trim().strip_prefix(PLACEHOLDER_OPEN)?.strip_suffix(PLACEHOLDER_CLOSE)?;
        let index: usize = inner.parse().ok()?;
        self.inserts.get(index)
    }

    /// Splits text holding placeholders into text and HTML events.
    fn splice<'e>(&mut self, text: CowStr<'e>, emitted: &mut Vec<Event<'e>>)
    where
        'a: 'e,
    {
        match text {
            // Text borrowed from the Markdown is split into borrowed pieces; other text is copied.
            CowStr::Borrowed(text) => self.splice_pieces(text, emitted, CowStr::Borrowed),
            owned => self.splice_pieces(&owned, emitted, |piece| CowStr::from(piece.to_string())),
        }
    }

    fn splice_pieces<'e, 't>(
        &mut self,
        text: &'t str,
        emitted: &mut Vec<Event<'e>>,
        piece: impl Fn(&'t str) -> CowStr<'e>,
    ) where
        'a: 'e,
    {
        let inserts = self.inserts;
        let mut rest = text;
        while let Some(open) = find_marker(rest, PLACEHOLDER_OPEN) {
            if open > 0 {
                emitted.push(Event::Text(piece(&rest[..open])));
            }
            let after = &rest[open + PLACEHOLDER_OPEN.len_utf8()..];
            let Some(close) = find_marker(after, PLACEHOLDER_CLOSE) else {
                rest = after;
                continue;
            };
            if let Some(insert) = after[..close].parse::<usize>().ok().and_then(|i| inserts.get(i)) {
                if insert.block {
                    let span = insert.span.clone();
                    self.rendered.problems.push(Problem {
                        severity: Severity::Error,
                        span,
                        message: "this shortcode makes a block and must stand on a line of its own".to_string(),
                        help: Some("put a blank line before and after it".to_string()),
                    });
                }
                // Borrowed, not copied: the inserts outlive the events.
                emitted.push(Event::Html(CowStr::Borrowed(&insert.html)));
            }
            rest = &after[close + PLACEHOLDER_CLOSE.len_utf8()..];
        }
        if !rest.is_empty() {
            emitted.push(Event::Text(piece(rest)));
        }
    }

    fn heading_id(&mut self, custom: Option<&str>, text: &str) -> String {
        let base = match custom {
            Some(id) if crate::model::is_slug(id) => id.to_string(),
            _ => {
                let slug = slugify(text);
                if slug.is_empty() { "section".to_string() } else { slug }
            }
        };
        // Footnotes own the `fn-` and `fnref-` ids.
        let base = if base.starts_with("fn-") || base.starts_with("fnref-") { format!("h-{base}") } else { base };
        let State { used_ids, id_suffixes, .. } = self;
        // Claims `id` when neither the layout nor an earlier heading has it.
        let mut claim = |id: &String| {
            let free = !RESERVED_IDS.contains(&id.as_str()) && !used_ids.contains(id);
            if free {
                used_ids.insert(id.clone());
            }
            free
        };
        if claim(&base) {
            return base;
        }
        // Numbering continues where the last heading of the same base stopped: linear, however
        // many headings repeat.
        let suffix = id_suffixes.entry(base.clone()).or_insert(1);
        loop {
            *suffix += 1;
            let id = format!("{base}-{suffix}");
            if claim(&id) {
                return id;
            }
        }
    }

    /// The opening tag for a link and how to close it.
    fn link(
        &mut self,
        link_type: LinkType,
        dest: &str,
        title: &str,
        range: &Range<usize>,
    ) -> (Option<String>, LinkEnd) {
        let dest = dest.trim();
        if matches!(link_type, LinkType::Email) {
            self.problem(
                Severity::Error,
                range,
                "e-mail links are not allowed",
                Some("only http(s) links and links within the site are kept"),
            );
            return (None, LinkEnd::Dropped);
        }
        match href_policy(self.resolver, dest) {
            Ok(Href { url, external }) => {
                let mut open = String::with_capacity(url.len() + title.len() + 64);
                open.push_str(if external { "<a class=\"external\" href=\"" } else { "<a href=\"" });
                push_escaped_html(&mut open, &url);
                open.push('"');
                if external {
                    open.push_str(" rel=\"external noopener\"");
                }
                if !title.is_empty() {
                    open.push_str(" title=\"");
                    push_escaped_html(&mut open, title);
                    open.push('"');
                }
                open.push('>');
                (Some(open), if external { LinkEnd::External } else { LinkEnd::Plain })
            }
            Err(refusal) => {
                self.problem(Severity::Error, range, refusal.message, refusal.help);
                (None, LinkEnd::Dropped)
            }
        }
    }

    fn image(&mut self, dest: &str, range: &Range<usize>) -> String {
        let dest = dest.trim();
        if has_scheme(dest) || dest.starts_with("//") {
            self.problem(
                Severity::Error,
                range,
                format!("the image `{}` is not a local file", shorten(dest)),
                Some("the site loads nothing from the network: put the image in static/ and use its path"),
            );
            return String::new();
        }
        match self.resolver.asset(dest.trim_start_matches('/')) {
            Some(href) => href,
            None => {
                self.problem(
                    Severity::Error,
                    range,
                    format!("no file `static/{}` for this image", dest.trim_start_matches('/')),
                    Some("image paths are relative to static/, for example `img/map.png`"),
                );
                String::new()
            }
        }
    }

    /// Appends the numbered notes, if the document has any.
    fn push_footnote_section(&self, html: &mut String) {
        if self.footnote_numbers.is_empty() {
            return;
        }
        let mut ordered: Vec<(&usize, &String)> = self.footnote_numbers.iter().map(|(label, n)| (n, label)).collect();
        ordered.sort();
        html.push_str(
            "<section class=\"footnotes\" id=\"footnotes\" aria-label=\"Notes\">\n<h2 class=\"footnotes-title\">Notes</h2>\n<ol>\n",
        );
        for (&number, label) in ordered {
            let slug = footnote_slug(label);
            let push_back = |html: &mut String| {
                html.push_str(" <a href=\"#fnref-");
                html.push_str(&slug);
                html.push_str("\" class=\"footnote-back\" aria-label=\"Back to reference ");
                push_decimal(html, number);
                html.push_str("\">↩</a>");
            };
            html.push_str("<li id=\"fn-");
            html.push_str(&slug);
            html.push_str("\">");
            let body = self.footnotes.get(label).map_or("", String::as_str);
            match body.trim_end().strip_suffix("</p>") {
                Some(without) => {
                    html.push_str(without);
                    push_back(html);
                    html.push_str("</p>");
                }
                None => {
                    html.push_str(body);
                    push_back(html);
                }
            }
            html.push_str("</li>\n");
        }
        html.push_str("</ol>\n</section>\n");
    }
}

/// Words as runs of non-space characters (ASCII spaces; other whitespace is rare in prose).
fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return 0;
    };
    let space = |b: u8| (b == b' ') | (b == b'\t') | (b == b'\n') | (b == b'\r') | (b == 0x0C);
    let starts_word = |(&before, &at): (&u8, &u8)| u8::from(space(before) & !space(at));
    // A word starts at the first byte and at every non-space after a space. Byte pairs are
    // counted 16 at a time into a byte, without branches: the compiler makes vector code of it.
    let mut starts = usize::from(!space(first));
    let (mut before, mut at) = (&bytes[..bytes.len() - 1], &bytes[1..]);
    while before.len() >= 16 {
        let (block_before, rest_before) = before.split_at(16);
        let (block_at, rest_at) = at.split_at(16);
        starts += usize::from(block_before.iter().zip(block_at).map(starts_word).sum::<u8>());
        (before, at) = (rest_before, rest_at);
    }
    let mut in_word = before.first().is_some_and(|&b| !space(b));
    for &b in at {
        if !space(b) && !in_word {
            starts += 1;
        }
        in_word = !space(b);
    }
    starts
}

/// Where `marker` (a placeholder delimiter) starts in `text`: a search for its first byte, 0xEE,
/// which prose hardly ever holds.
fn find_marker(text: &str, marker: char) -> Option<usize> {
    let mut encoded = [0u8; 4];
    let marker = marker.encode_utf8(&mut encoded).as_bytes();
    let bytes = text.as_bytes();
    memchr::memchr_iter(marker[0], bytes).find(|&at| bytes[at..].starts_with(marker))
}

/// Whether `text` holds a shortcode placeholder.
fn has_placeholder(text: &str) -> bool {
    find_marker(text, PLACEHOLDER_OPEN).is_some()
}

/// Appends `text` with placeholders replaced by the inserts' plain text.
fn push_plain_text(inserts: &[Insert], text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(open) = find_marker(rest, PLACEHOLDER_OPEN) {
        out.push_str(&rest[..open]);
        let after = &rest[open + PLACEHOLDER_OPEN.len_utf8()..];
        match find_marker(after, PLACEHOLDER_CLOSE) {
            Some(close) => {
                if let Some(insert) = after[..close].parse::<usize>().ok().and_then(|i| inserts.get(i)) {
                    out.push_str(&insert.text);
                }
                rest = &after[close + PLACEHOLDER_CLOSE.len_utf8()..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn footnote_slug(label: &str) -> String {
    let slug = slugify(label);
    if slug.is_empty() { format!("n{}", label.len()) } else { slug }
}

fn split_fragment(path: &str) -> (&str, &str) {
    match path.find('#') {
        Some(i) => (&path[..i], &path[i..]),
        None => (path, ""),
    }
}

/// The link policy shared by Markdown links and raw `<a href>`: http(s) URLs, #anchors, `@/`
/// links to content and relative paths are kept; every other scheme, protocol-relative and
/// site-rooted URLs and links to Markdown files are refused.
fn href_policy(resolver: &dyn Resolver, dest: &str) -> Result<Href, Refusal> {
    let refuse = |message: String, help: &'static str| Err(Refusal { message, help: Some(help) });
    // Browsers drop tabs, line breaks and leading control characters from URLs, so
    // `\u{1}javascript:` or `java\tscript:` would run: such a link is refused outright.
    if dest.chars().any(char::is_control) {
        return refuse(
            format!("the link `{}` contains control characters", shorten(dest)),
            "write the URL without tabs, line breaks or other invisible characters",
        );
    }
    if let Some(path) = dest.strip_prefix("@/") {
        let (path, fragment) = split_fragment(path);
        return match resolver.content_link(path) {
            Ok(mut href) => {
                href.push_str(fragment);
                Ok(Href { url: href, external: false })
            }
            Err(message) => refuse(message, "link to content as `@/briefs/<slug>.md` or `@/pages/<slug>.md`"),
        };
    }
    let starts_with =
        |scheme: &str| dest.as_bytes().get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme.as_bytes()));
    if starts_with("http://") || starts_with("https://") {
        return match crate::model::validate::check_http_url(dest) {
            Ok(()) => Ok(Href { url: dest.to_string(), external: true }),
            Err(message) => Err(Refusal { message, help: None }),
        };
    }
    if dest.starts_with('#') {
        return Ok(Href { url: dest.to_string(), external: false });
    }
    if has_scheme(dest) || dest.starts_with("//") || dest.starts_with("\\\\") {
        return refuse(
            format!("the link `{}` uses a scheme that is not allowed", shorten(dest)),
            "only http(s) links, #anchors and `@/` links within the site are kept",
        );
    }
    if dest.split(['#', '?']).next().is_some_and(|p| p.ends_with(".md")) {
        return refuse(
            format!("the link `{}` points at a Markdown file", shorten(dest)),
            "link to content as `@/briefs/<slug>.md`",
        );
    }
    if dest.starts_with('/') || dest.starts_with('\\') {
        return refuse(
            format!("the link `{}` starts with `/`", shorten(dest)),
            "links must be relative so the site works from a folder; use `@/` links for content",
        );
    }
    Ok(Href { url: dest.to_string(), external: false })
}

/// `scheme:` at the start of a URL (letters, digits, `+.-`, then a colon before any `/`).
fn has_scheme(dest: &str) -> bool {
    match dest.find(':') {
        Some(colon) => {
            let scheme = &dest[..colon];
            !scheme.is_empty()
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        }
        None => false,
    }
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 50 {
        format!("{}…", text.chars().take(50).collect::<String>())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TestResolver;

    impl Resolver for TestResolver {
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

    fn md(body: &str) -> Rendered {
        render(body, &[], &TestResolver)
    }

    #[test]
    fn headings_get_unique_ids_and_self_links() {
        let out = md("## Who pays\n\n## Who pays\n\n### Top\n");
        assert!(
            out.html.contains("<h2 id=\"who-pays\">Who pays <a class=\"anchor\" href=\"#who-pays\""),
            "{}",
            out.html
        );
        assert!(out.html.contains("<h2 id=\"who-pays-2\">"));
        // `top` is reserved by the layout.
        assert!(out.html.contains("<h3 id=\"top-2\">"));
        assert_eq!(out.headings.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["who-pays", "who-pays-2", "top-2"]);
    }

    #[test]
    fn heading_ids_keep_clear_of_footnote_ids_and_number_repeats_in_order() {
        let out = md("## Fn notes\n\n## X {#fnref-1}\n\n## Same\n\n## Same\n\n## Same-2\n\n## Same\n");
        let ids: Vec<&str> = out.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["h-fn-notes", "h-fnref-1", "same", "same-2", "same-2-2", "same-3"]);
    }

    #[test]
    fn links_hiding_a_scheme_behind_control_characters_are_refused() {
        let out = md("[a](&#1;javascript:alert(1)) [b](java&#9;script:x) [c](<java\tscript:y>)");
        assert!(!out.html.contains("href"), "{}", out.html);
        assert_eq!(out.problems.len(), 3);
        assert!(out.problems.iter().all(|p| p.message.contains("control characters")));
    }

    #[test]
    fn control_characters_in_text_are_replaced_and_reported_once() {
        let body = "A NUL \0 and an escape \u{1b}[31m.";
        let out = md(body);
        assert!(!out.html.contains('\0') && !out.html.contains('\u{1b}'), "{}", out.html);
        assert!(out.html.contains("A NUL \u{FFFD} and an escape \u{FFFD}[31m."), "{}", out.html);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].span, 6..7);
        assert!(out.problems[0].message.starts_with("the text holds 2 control characters (the first is U+0000)"));
    }

    #[test]
    fn footnotes_become_numbered_notes_with_back_links() {
        let out = md("First[^b] and second[^a] and first again[^b].\n\n[^a]: Note A.\n[^b]: Note B.\n");
        assert!(out.html.contains("<a href=\"#fn-b\" id=\"fnref-b\" aria-label=\"Note 1\">1</a>"), "{}", out.html);
        assert!(out.html.contains("<a href=\"#fn-a\" id=\"fnref-a\" aria-label=\"Note 2\">2</a>"));
        assert!(out.html.contains("id=\"fnref-b-2\""));
        let notes = &out.html[out.html.find("<section class=\"footnotes\"").expect("notes section")..];
        let b = notes.find("id=\"fn-b\"").expect("note b");
        let a = notes.find("id=\"fn-a\"").expect("note a");
        assert!(b < a, "notes are numbered in order of first reference");
        assert!(notes.contains("Note B. <a href=\"#fnref-b\" class=\"footnote-back\""));
    }

    #[test]
    fn links_are_classified() {
        let out = md(
            "[ext](https://example.com) [in](@/briefs/known.md#x) [bad](@/briefs/nope.md) [js](javascript:alert(1)) [anchor](#a)",
        );
        assert!(out.html.contains("<a class=\"external\" href=\"https://example.com\" rel=\"external noopener\">ext<span class=\"visually-hidden\"> (external link)</span></a>"), "{}", out.html);
        assert!(out.html.contains("<a href=\"known.html#x\">in</a>"));
        assert!(!out.html.contains("javascript"));
        assert!(out.html.contains("<a href=\"#a\">anchor</a>"));
        let messages: Vec<&str> = out.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            ["no content file `briefs/nope.md`", "the link `javascript:alert(1)` uses a scheme that is not allowed"]
        );
        let bad = &out.problems[0];
        assert_eq!(bad.span.start, "[ext](https://example.com) [in](@/briefs/known.md#x) ".len());
    }

    #[test]
    fn raw_html_is_sanitized_and_reported_where_it_stands() {
        let body = "<script>alert(1)</script>\n\nHi <b onclick=\"x\">there</b> <abbr title=\"Gigawatt\">GW</abbr>\n\n\
                    <details>\n\nInside **bold** <span>open\n\n</details>\n\n<a href=\"javascript:x\">y</a> </main></span>";
        let out = md(body);
        assert_eq!(
            out.html,
            "\n<p>Hi <b>there</b> <abbr title=\"Gigawatt\">GW</abbr></p>\n<details>\n<p>Inside <strong>bold</strong> \
             <span>open</span></p>\n</details>\n<p><a>y</a> </p>\n"
        );
        let problems: Vec<(&str, &str)> =
            out.problems.iter().map(|p| (&body[p.span.clone()], p.message.as_str())).collect();
        assert_eq!(
            problems,
            [
                ("<", "raw HTML `<script>` was removed"),
                ("<", "the `onclick` attribute on `<b>` was removed"),
                ("<", "the link `javascript:x` uses a scheme that is not allowed"),
                ("<", "raw HTML `</main>` was removed"),
                ("<", "`</span>` closes nothing opened in this block, so it was removed"),
            ]
        );
        assert_eq!(out.problems[0].span.start, 0);
        assert_eq!(out.problems[1].span.start, body.find("<b ").unwrap_or_default());
        assert!(out.text.contains("there") && !out.text.contains("alert"));
    }

    #[test]
    fn trusted_raw_html_is_kept_as_written() {
        let body = "<div class=\"note\">x</div>\n\nHi <b onclick=\"x\">there</b>";
        let out = render_with(body, &[], &TestResolver, RawHtml::Trust);
        assert_eq!(out.html, "<div class=\"note\">x</div>\n<p>Hi <b onclick=\"x\">there</b></p>\n");
        assert!(out.problems.is_empty());
    }

    #[test]
    fn images_must_be_local_and_described() {
        let out = md("![map](img/a.png) ![](img/a.png) ![x](https://cdn.example/x.png) ![y](img/missing.png)");
        assert!(out.html.contains("<img src=\"../img/a.png\" alt=\"map\""), "{}", out.html);
        let messages: Vec<&str> = out.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "image without alt text",
                "the image `https://cdn.example/x.png` is not a local file",
                "no file `static/img/missing.png` for this image"
            ]
        );
    }

    #[test]
    fn inserts_are_spliced_inline_and_as_blocks() {
        let body = "Worth SC1 today.\n\nSC2\n";
        let inserts = vec![
            Insert { span: 6..9, html: "<a href=\"d.html\">$38bn</a>".into(), text: "$38bn".to_string(), block: false },
            Insert {
                span: 18..21,
                html: "<aside class=\"card\">card</aside>".into(),
                text: String::new(),
                block: true,
            },
        ];
        let out = render(body, &inserts, &TestResolver);
        assert!(out.html.contains("<p>Worth <a href=\"d.html\">$38bn</a> today.</p>"), "{}", out.html);
        assert!(out.html.contains("<aside class=\"card\">card</aside>"));
        assert!(!out.html.contains("<p><aside"));
        assert!(out.problems.is_empty());
    }

    #[test]
    fn block_insert_inline_is_a_problem_at_its_span() {
        let body = "See SC1 here.";
        let inserts = vec![Insert { span: 4..7, html: "<aside>card</aside>".into(), text: String::new(), block: true }];
        let out = render(body, &inserts, &TestResolver);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].span, 4..7);
    }

    #[test]
    fn dollar_amounts_survive_and_smart_quotes_apply() {
        let out = md("It cost $38bn and \"more\" -- about $5bn.");
        assert!(out.html.contains("$38bn"), "{}", out.html);
        assert!(out.html.contains("“more”"));
        assert!(out.html.contains("–"));
    }

    #[test]
    fn tables_tasklists_strikethrough() {
        let out = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~\n");
        assert!(out.html.contains("<div class=\"table-wrap\"><table>"), "{}", out.html);
        assert!(out.html.contains("type=\"checkbox\""));
        assert!(out.html.contains("<del>old</del>"));
    }

    #[test]
    fn counts_words() {
        assert_eq!(md("One two three.\n\n## Four five\n").words, 5);
    }

    #[test]
    fn word_counts_agree_with_splitting_on_ascii_whitespace() {
        let text = "One  two\tthree\n\nfour\u{c}five — six “seven” \r\n".repeat(9);
        for start in 0..8 {
            for end in start..=text.len() {
                if let Some(part) = text.get(start..end) {
                    assert_eq!(count_words(part), part.split_ascii_whitespace().count(), "{part:?}");
                }
            }
        }
    }
}
