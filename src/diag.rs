//! Diagnostics: content problems as values, and their compiler-style rendering.
//!
//! Every stage reports problems in the site's content as [`Diagnostic`]s pushed onto a
//! [`Diagnostics`] list instead of returning early, so one run reports everything that is wrong.
//! A diagnostic names a file relative to the site root and a byte span in that file; rendering
//! turns the span into `path:line:column`, shows the offending line with a caret under the span
//! and ends with a help line. The text of each file lives in [`Sources`], filled by the loader.
//! Nothing here prints: callers decide where rendered text goes.

use std::fmt::Write as _;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// How bad a problem is: errors fail the build, warnings are reported and let it pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in the content, located in a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators (`content/deals.toml`).
    pub file: String,
    /// Byte range in the file; `None` when the problem concerns the file as a whole.
    pub span: Option<Range<usize>>,
    /// Lowercase, no trailing period.
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Error, file: file.into(), span, message: message.into(), help: None }
    }

    pub fn warning(file: impl Into<String>, span: Option<Range<usize>>, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, file: file.into(), span, message: message.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The 1-based line and column of the start of the span (column counted in characters).
    pub fn location(&self, sources: &Sources) -> Location {
        self.span
            .as_ref()
            .and_then(|span| sources.locate(&self.file, span.start))
            .unwrap_or(Location { line: 1, column: 1 })
    }
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// Locates a byte offset in `text`; offsets past the end or inside a character are clamped.
    pub fn of(text: &str, offset: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Location { line, column }
    }

    /// Locates a byte offset with the line starts of `text` at hand: a binary search, so a file
    /// with thousands of diagnostics is not scanned from the top for each.
    fn in_lines(text: &str, line_starts: &[usize], offset: usize) -> Self {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = line_starts.partition_point(|&start| start <= offset).max(1);
        let line_start = line_starts.get(line - 1).copied().unwrap_or(0);
        Location { line, column: text[line_start..offset].chars().count() + 1 }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The text of every file the loader read, by path relative to the root. Texts are shared
/// (`Arc<String>`) with the model, so a brief's Markdown is held in memory once; an `Arc<String>`
/// rather than an `Arc<str>`, because the file's bytes become the `String` without a copy and the
/// `String` goes into the `Arc` without one.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// Looked up by path, so hashed; iterated only to gather paths into a set.
    files: rustc_hash::FxHashMap<String, Source>,
}

#[derive(Clone, Debug)]
struct Source {
    text: Arc<String>,
    /// Byte offsets where lines start, computed the first time a diagnostic needs them.
    line_starts: OnceLock<Vec<usize>>,
}

impl Sources {
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<Arc<String>>) {
        self.files.insert(path.into(), Source { text: text.into(), line_starts: OnceLock::new() });
    }

    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(|source| source.text.as_str())
    }

    /// The paths of every file, in no particular order (collect them into a set to use them).
    pub fn files(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Keeps only the files whose path `keep` accepts, in one pass.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.files.retain(|path, _| keep(path));
    }

    /// Room for `files` files without growing.
    pub fn with_capacity(files: usize) -> Sources {
        Sources { files: rustc_hash::FxHashMap::with_capacity_and_hasher(files, Default::default()) }
    }

    /// Adds every file of `other` (read apart, on another thread). The smaller of the two maps
    /// goes into the larger: the 10,000 briefs of a large site are not hashed a second time.
    pub fn extend(&mut self, mut other: Sources) {
        if other.files.len() > self.files.len() {
            std::mem::swap(self, &mut other);
        }
        self.files.extend(other.files);
    }

    /// The line and column of a byte offset in a file, if the file is known.
    pub fn locate(&self, path: &str, offset: usize) -> Option<Location> {
        let source = self.files.get(path)?;
        let starts = source.line_starts.get_or_init(|| {
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', source.text.as_bytes()).map(|i| i + 1)).collect()
        });
        Some(Location::in_lines(&source.text, starts, offset))
    }
}

/// The problems found in one run, in the order they were found.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.list.push(diagnostic);
    }

    /// Pushes and returns the diagnostic, so a help line can be added in place.
    pub fn push_mut(&mut self, diagnostic: Diagnostic) -> &mut Diagnostic {
        self.list.push(diagnostic);
        let last = self.list.len() - 1;
        &mut self.list[last]
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.list.extend(other.list);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.list.iter().filter(|d| d.severity == Severity::Error).count()
    }

    pub fn warning_count(&self) -> usize {
        self.list.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.list.iter()
    }

    /// Sorts by file, then position, so output is stable whatever order the stages ran in.
    pub fn sort(&mut self) {
        self.list.sort_by(|a, b| {
            let key = |d: &Diagnostic| (d.file.clone(), d.span.as_ref().map_or(0, |s| s.start), d.severity);
            key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
        });
        self.list.dedup();
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.list
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(list: Vec<Diagnostic>) -> Self {
        Self { list }
    }
}

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

/// Renders one diagnostic like a compiler does:
///
/// ```text
/// error: unknown key `valu_usd_bn`
///   --> content/deals.toml:12:1
///    |
/// 12 | valu_usd_bn = 38
///    | ^^^^^^^^^^^
///    = help: did you mean `value_usd_bn`?
/// ```
pub fn render(diagnostic: &Diagnostic, sources: &Sources, style: Style) -> String {
    let mut out = String::new();
    let (label, code) = match diagnostic.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let _ = writeln!(
        out,
        "{}{}",
        style.paint(code, label),
        style.paint("1", &format!(": {}", printable(&diagnostic.message)))
    );
    let file = printable(&diagnostic.file);
    let text = sources.get(&diagnostic.file);
    let location = diagnostic.location(sources);
    match (&diagnostic.span, text) {
        (Some(span), Some(text)) => {
            let line_no = location.line.to_string();
            let gutter = " ".repeat(line_no.len());
            let _ =
                writeln!(out, "{gutter}{} {}:{}:{}", style.paint("1;34", "-->"), file, location.line, location.column);
            let start = floor_char_boundary(text, span.start.min(text.len()));
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let line = text[line_start..line_end].trim_end_matches('\r');
            // The span may start on a line's `\r`, past the trimmed line: never clamp below start.
            let end = floor_char_boundary(text, span.end.clamp(start, (line_start + line.len()).max(start)));
            let (shown, pad, width) = caret_layout(line, start - line_start, end - line_start);
            let bar = style.paint("1;34", "|");
            let _ = writeln!(out, "{gutter} {bar}");
            let _ = writeln!(out, "{} {bar} {}", style.paint("1;34", &line_no), shown);
            let carets = style.paint(code, &"^".repeat(width.max(1)));
            let _ = writeln!(out, "{gutter} {bar} {}{}", " ".repeat(pad), carets);
            if let Some(help) = &diagnostic.help {
                let _ = writeln!(out, "{gutter} {} help: {}", style.paint("1;34", "="), printable(help));
            }
        }
        _ => {
            let _ = writeln!(out, "  {} {}", style.paint("1;34", "-->"), file);
            if let Some(help) = &diagnostic.help {
                let _ = writeln!(out, "  {} help: {}", style.paint("1;34", "="), printable(help));
            }
        }
    }
    out
}

/// Text from content (quoted in messages, file names) with control characters shown as escapes,
/// so a newline cannot split a diagnostic and no escape sequence reaches the terminal.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect(),
    )
}

/// The most columns of a source line a diagnostic shows: a longer line (minified text, a
/// paragraph on one line) is cut to a window around the span, marked `…` where it was cut.
const SNIPPET_COLUMNS: usize = 160;
/// How much of the line before the span a cut window keeps, in columns.
const SNIPPET_LEAD: usize = 60;

/// Expands tabs and replaces control characters so the caret lines up under the span; counts
/// wide characters (CJK, emoji) as two columns and combining marks as none, as terminals show
/// them; cuts a long line to [`SNIPPET_COLUMNS`] around the span. Returns the line as shown, the
/// number of columns before the span and the span's width.
fn caret_layout(line: &str, start: usize, end: usize) -> (String, usize, usize) {
    // Each character as shown, with its columns.
    let mut pieces: Vec<(String, usize)> = Vec::new();
    let (mut pad, mut width, mut column) = (0, 0, 0);
    for (offset, ch) in line.char_indices() {
        let (piece, columns) = match ch {
            '\t' => ("    ".to_string(), 4),
            c if c.is_control() => ("\u{fffd}".to_string(), 1),
            c => (c.to_string(), display_width(c)),
        };
        if offset < start {
            pad += columns;
        } else if offset < end {
            width += columns;
        }
        column += columns;
        pieces.push((piece, columns));
    }
    if start >= line.len() {
        pad = column;
    }
    if column <= SNIPPET_COLUMNS {
        return (pieces.into_iter().map(|(piece, _)| piece).collect(), pad, width);
    }
    // A window of the line: from a little before the span, at most SNIPPET_COLUMNS wide, with
    // one column for each `…` that marks a cut.
    let from = pad.saturating_sub(SNIPPET_LEAD);
    let (mut shown, mut at, mut used) = (String::new(), 0, 0);
    if from > 0 {
        shown.push('…');
        used += 1;
    }
    let mut cut_end = false;
    for (piece, columns) in pieces {
        if at >= from {
            if used + columns > SNIPPET_COLUMNS - 1 {
                cut_end = true;
                break;
            }
            shown.push_str(&piece);
            used += columns;
        }
        at += columns;
    }
    if cut_end {
        shown.push('…');
    }
    // Columns before the span, now counted from the window's start; the carets stop at the cut.
    let pad = pad - from + usize::from(from > 0);
    let width = width.min(SNIPPET_COLUMNS.saturating_sub(pad + 1)).max(1);
    (shown, pad, width)
}

/// The columns a terminal gives a character: two for East Asian wide and emoji, none for
/// combining marks and zero-width characters, one for the rest.
fn display_width(ch: char) -> usize {
    match u32::from(ch) {
        0x0300..=0x036f | 0x200b..=0x200f | 0x20d0..=0x20ff | 0xfe00..=0xfe0f => 0,
        0x1100..=0x115f
        | 0x2e80..=0x303e
        | 0x3041..=0x33ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xa000..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1f64f
        | 0x1f900..=0x1f9ff
        | 0x20000..=0x3fffd => 2,
        _ => 1,
    }
}

/// Renders a whole list followed by a summary line (`2 errors, 1 warning`), or nothing.
pub fn render_all(diagnostics: &Diagnostics, sources: &Sources, style: Style) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics.iter() {
        out.push_str(&render(diagnostic, sources, style));
        out.push('\n');
    }
    let (errors, warnings) = (diagnostics.error_count(), diagnostics.warning_count());
    if errors + warnings > 0 {
        let _ = writeln!(out, "{}", count_line(errors, warnings));
    }
    out
}

/// `3 errors, 1 warning`, singular where it should be.
pub fn count_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
    };
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// The closest of `candidates` to `word` by edit distance, when it is close enough to be a
/// likely typo. Used for "did you mean" help lines.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates.into_iter().map(|c| (edit_distance(word, c), c)).filter(|(d, _)| *d <= limit).min().map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_found_by_index_match_a_scan_from_the_top() {
        let text = "a\nbé\r\n\nlast line";
        let mut sources = Sources::default();
        sources.insert("f", text.to_string());
        for offset in 0..=text.len() + 2 {
            assert_eq!(sources.locate("f", offset), Some(Location::of(text, offset)), "offset {offset}");
        }
        assert_eq!(sources.locate("missing", 0), None);
    }

    #[test]
    fn control_characters_in_messages_are_shown_as_escapes() {
        let diagnostic = Diagnostic::error("content/a\u{1b}[2J.md", None, "bad `x\ny\u{7}`").with_help("z\u{0}");
        let shown = render(&diagnostic, &Sources::default(), Style { color: false });
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n'), "{shown:?}");
        assert!(shown.starts_with("error: bad `x\\ny\\u{7}`\n"), "{shown:?}");
        assert!(shown.contains("content/a\\u{1b}[2J.md") && shown.contains("help: z\\u{0}"), "{shown:?}");
    }

    #[test]
    fn location_counts_lines_and_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(Location::of(text, 0), Location { line: 1, column: 1 });
        assert_eq!(Location::of(text, 6), Location { line: 2, column: 1 });
        // 'é' is two bytes: the '=' after "bé " is at byte 10, column 4.
        assert_eq!(Location::of(text, 10), Location { line: 2, column: 4 });
        // Inside a multi-byte character: clamped to its start.
        assert_eq!(Location::of(text, 8), Location { line: 2, column: 2 });
    }

    #[test]
    fn renders_caret_under_span() {
        let mut sources = Sources::default();
        sources.insert("content/deals.toml", "[[deal]]\n\tvalu = 3\n".to_string());
        let d = Diagnostic::error("content/deals.toml", Some(10..14), "unknown key `valu`")
            .with_help("did you mean `value`?");
        let text = render(&d, &sources, Style { color: false });
        assert_eq!(
            text,
            "error: unknown key `valu`\n --> content/deals.toml:2:2\n  |\n2 |     valu = 3\n  |     ^^^^\n  = help: did you mean `value`?\n"
        );
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_around_the_span() {
        let mut sources = Sources::default();
        let before = "word ".repeat(200_000);
        let line = format!("{before}{{{{ valeu(deal=\"x\") }}}} {}\n", "more ".repeat(200_000));
        let start = before.len() + 3;
        sources.insert("content/briefs/long.md", line);
        let d = Diagnostic::error("content/briefs/long.md", Some(start..start + 5), "unknown shortcode `valeu`");
        let text = render(&d, &sources, Style { color: false });
        assert!(text.len() < 600, "{} bytes: {text}", text.len());
        assert!(text.contains(&format!("long.md:1:{}", start + 1)), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        let (shown, carets) = (lines[3], lines[4]);
        assert!(shown.starts_with("1 | …") && shown.ends_with('…'), "{shown}");
        assert!(shown.chars().count() <= "1 | ".len() + SNIPPET_COLUMNS, "{shown}");
        // The carets sit under `valeu` in the window.
        let at = carets.find('^').expect("carets");
        assert_eq!(&shown.chars().skip(at).take(5).collect::<String>(), "valeu", "{shown}\n{carets}");
        assert_eq!(carets.matches('^').count(), 5, "{carets}");
    }

    #[test]
    fn wide_characters_take_two_columns_under_the_caret() {
        let mut sources = Sources::default();
        sources.insert("a.md", "数据中心 🚀 {{ bad }}\n".to_string());
        let start = "数据中心 🚀 ".len();
        let d = Diagnostic::error("a.md", Some(start..start + 9), "bad shortcode");
        let text = render(&d, &sources, Style { color: false });
        let carets = text.lines().nth(4).expect("caret line");
        // Four wide characters, a space, an emoji and a space: eleven columns before the span.
        assert_eq!(carets, format!("  | {}{}", " ".repeat(11), "^".repeat(9)), "{text}");
    }

    #[test]
    fn renders_spans_on_crlf_line_ends() {
        let mut sources = Sources::default();
        sources.insert("a.toml", "title = \"abc\r\ndescription = 1\r\n".to_string());
        let d = Diagnostic::error("a.toml", Some(12..14), "unterminated string");
        let text = render(&d, &sources, Style { color: false });
        assert!(text.contains("a.toml:1:13"), "{text}");
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["value_usd_bn", "value_basis", "title"];
        assert_eq!(suggest("valu_usd_bn", keys), Some("value_usd_bn"));
        assert_eq!(suggest("colour", keys), None);
    }

    #[test]
    fn count_line_is_singular_and_plural() {
        assert_eq!(count_line(1, 0), "1 error");
        assert_eq!(count_line(2, 1), "2 errors, 1 warning");
        assert_eq!(count_line(0, 3), "3 warnings");
    }
}
