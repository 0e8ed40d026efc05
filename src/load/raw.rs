//! Raw structs that mirror the site's files, field for field, each value with its span.
//!
//! They hold what the files say, checked only for TOML types: a deal's `buyer` is still just a
//! string here, and a required key that was missing is `None` (its diagnostic is already
//! recorded). `model::validate` turns these into the typed model.

use std::ops::Range;
use std::sync::Arc;

use toml::de::DeTable;

use super::table::{Sp, TableReader};
use crate::diag::{Diagnostic, Diagnostics};

#[derive(Debug, Default)]
pub struct RawConfig {
    pub file: String,
    pub header: Range<usize>,
    pub title: Option<Sp<String>>,
    pub description: Option<Sp<String>>,
    pub language: Option<Sp<String>>,
    pub author: Option<Sp<String>>,
    pub base_url: Option<Sp<String>>,
    pub trust_html: Option<Sp<bool>>,
    pub search: Option<Sp<bool>>,
    pub paginate: Option<Sp<i64>>,
}

#[derive(Debug)]
pub struct RawCompany {
    pub header: Range<usize>,
    pub id: Option<Sp<String>>,
    pub name: Option<Sp<String>>,
    pub short_name: Option<Sp<String>>,
    pub role: Option<Sp<String>>,
    pub parent: Option<Sp<String>>,
    pub description: Option<Sp<String>>,
    pub url: Option<Sp<String>>,
}

#[derive(Debug)]
pub struct RawSource {
    pub header: Range<usize>,
    pub publisher: Option<Sp<String>>,
    pub title: Option<Sp<String>>,
    pub url: Option<Sp<String>>,
    pub date: Option<Sp<String>>,
    pub note: Option<Sp<String>>,
    /// Series sources only: the periods this source backs.
    pub periods: Vec<Sp<String>>,
}

#[derive(Debug)]
pub struct RawDeal {
    pub header: Range<usize>,
    pub id: Option<Sp<String>>,
    pub title: Option<Sp<String>>,
    pub buyer: Option<Sp<String>>,
    pub provider: Option<Sp<String>>,
    pub partners: Vec<Sp<String>>,
    pub kind: Option<Sp<String>>,
    pub announced: Option<Sp<String>>,
    pub agreement: Option<Sp<String>>,
    pub status: Option<Sp<String>>,
    pub superseded_by: Option<Sp<String>>,
    pub value_usd_bn: Option<Sp<f64>>,
    /// The key was written, even if its value was rejected (so "missing" is not reported too).
    pub value_written: bool,
    pub value_basis: Option<Sp<String>>,
    pub term_years: Option<Sp<f64>>,
    pub capacity_gw: Option<Sp<f64>>,
    pub chips: Vec<Sp<String>>,
    pub chip_count: Option<Sp<i64>>,
    pub summary: Option<Sp<String>>,
    pub notes: Option<Sp<String>>,
    pub sources: Vec<RawSource>,
}

/// A brief: front matter fields, then the Markdown body and where it starts in the file.
#[derive(Debug)]
pub struct RawBrief {
    pub file: String,
    pub stem: String,
    pub opening: Range<usize>,
    pub slug: Option<Sp<String>>,
    pub title: Option<Sp<String>>,
    pub date: Option<Sp<String>>,
    pub updated: Option<Sp<String>>,
    pub summary: Option<Sp<String>>,
    pub tags: Vec<Sp<String>>,
    pub companies: Vec<Sp<String>>,
    pub deals: Vec<Sp<String>>,
    pub draft: Option<Sp<bool>>,
    /// The whole file; the body is `text[body_offset..]`.
    pub text: Arc<String>,
    pub body_offset: usize,
}

#[derive(Debug)]
pub struct RawPage {
    pub file: String,
    pub stem: String,
    pub opening: Range<usize>,
    pub slug: Option<Sp<String>>,
    pub title: Option<Sp<String>>,
    pub summary: Option<Sp<String>>,
    pub order: Option<Sp<i64>>,
    pub draft: Option<Sp<bool>>,
    pub text: Arc<String>,
    pub body_offset: usize,
}

#[derive(Debug)]
pub struct RawLine {
    pub header: Range<usize>,
    pub label: Option<Sp<String>>,
    pub company: Option<Sp<String>>,
    /// `(period, value)` pairs as written.
    pub points: Vec<(Sp<String>, Sp<f64>)>,
}

#[derive(Debug)]
pub struct RawSeries {
    pub file: String,
    pub stem: String,
    pub title: Option<Sp<String>>,
    pub unit: Option<Sp<String>>,
    pub frequency: Option<Sp<String>>,
    pub summary: Option<Sp<String>>,
    pub notes: Option<Sp<String>>,
    pub lines: Vec<RawLine>,
    pub sources: Vec<RawSource>,
}

/// Parses TOML text, reporting every syntax error; `offset` is the text's position in the file.
///
/// After a syntax error the parser's recovery guesses, and its later errors mostly follow from
/// the first (one missing `]` gave nine), so one error is shown per table: the first of the
/// whole text, then the first of each later table (`[...]` or `[[...]]` header to the next)
/// that fails to parse on its own. A registry with a broken entry and another broken entry
/// further down shows both, and no error that the first one caused.
pub fn parse_toml<'i>(
    file: &str,
    text: &'i str,
    offset: usize,
    diagnostics: &mut Diagnostics,
) -> Option<toml::Spanned<DeTable<'i>>> {
    let (table, errors) = DeTable::parse_recoverable(text);
    let Some(first) = first_error_at(&errors) else {
        return Some(table);
    };
    let blocks = table_blocks(text);
    let first_block = blocks.iter().rposition(|block| block.start <= first).unwrap_or(0);
    let end = blocks.get(first_block).map_or(text.len(), |block| block.end);
    push_syntax_error(file, text, offset, errors.into_iter().filter(|e| error_start(e) < end).collect(), diagnostics);
    for block in blocks.iter().skip(first_block + 1) {
        let own = &text[block.clone()];
        let (_, errors) = DeTable::parse_recoverable(own);
        push_syntax_error(file, own, offset + block.start, errors.into_iter().collect(), diagnostics);
    }
    None
}

fn error_start(error: &toml::de::Error) -> usize {
    error.span().map_or(0, |span| span.start)
}

fn first_error_at(errors: &[toml::de::Error]) -> Option<usize> {
    errors.iter().map(error_start).min()
}

/// The tables of a TOML text as byte ranges: from the start (the keys before any header) and
/// from each header line (`[name]` or `[[name]]` at the start of a line) to the next. A line
/// inside a multi-line string or array that looks like a header would split a table in two;
/// this is only used once the text is known to be broken.
fn table_blocks(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut starts = vec![0];
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if at > 0 && is_header(line) {
            starts.push(at);
        }
        at += line.len();
    }
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    starts.iter().zip(ends).map(|(&start, end)| start..end).collect()
}

/// `[name]` or `[[name]]` (bare, dotted or quoted keys) and nothing after it but a comment.
fn is_header(line: &str) -> bool {
    let line = line.trim_end();
    let line = line.split_once(" #").map_or(line, |(header, _)| header.trim_end());
    let name = line
        .strip_prefix("[[")
        .and_then(|rest| rest.strip_suffix("]]"))
        .or_else(|| line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')));
    name.is_some_and(|name| {
        let name = name.trim();
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '"' | '\''))
    })
}

/// Reports the first of `errors` (syntax errors of `text`, which starts at `offset` in the file),
/// with a count of the others, which may follow from it.
fn push_syntax_error(
    file: &str,
    text: &str,
    offset: usize,
    mut errors: Vec<toml::de::Error>,
    diagnostics: &mut Diagnostics,
) {
    errors.sort_by_key(error_start);
    let Some(first) = errors.first() else { return };
    let later = match errors.len() - 1 {
        0 => String::new(),
        1 => "; the one other syntax error found after it may follow from this one".to_string(),
        n => format!("; the {n} other syntax errors found after it may follow from this one"),
    };
    let span = first.span().map(|s| s.start..s.end.max(s.start));
    let diagnostic = match span.as_ref().and_then(|span| unclosed_array(text, span.start)) {
        Some(unclosed) => Diagnostic::error(
            file,
            Some(unclosed.opener + offset..unclosed.opener + offset + 1),
            "invalid TOML: this array is not closed",
        )
        .with_help(format!("add the missing `]` after its last element, before the next key{later}")),
        None => Diagnostic::error(
            file,
            span.map(|s| s.start + offset..s.end + offset),
            format!("invalid TOML: {}", first.message().trim_end_matches('.')),
        )
        .with_help(format!("see https://toml.io for the syntax{later}")),
    };
    diagnostics.push(diagnostic);
}

/// An array left open: where its `[` is.
#[derive(Debug, PartialEq, Eq)]
struct UnclosedArray {
    opener: usize,
}

/// Whether the syntax error at `error` is a key line met inside an array opened on an earlier
/// line, the mark of a missing `]` (`tags = ["a", "b"` then `companies = [...]`). Strings and
/// comments are skipped when matching brackets. A genuine missing comma between the elements of
/// a multi-line array does not match: an element line never reads `key =`.
fn unclosed_array(text: &str, error: usize) -> Option<UnclosedArray> {
    let bytes = text.as_bytes();
    let error = error.min(bytes.len());
    if !text.is_char_boundary(error) {
        return None;
    }
    let line_start = text[..error].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let key_len = line.find('=')?;
    let key = line[..key_len].trim();
    let bare = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    // The error is at the key or its `=`, not inside its value.
    if key.is_empty() || !key.chars().all(bare) || error > line_start + key_len {
        return None;
    }
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < line_start {
        match bytes[i] {
            b'#' => {
                while i < line_start && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            quote @ (b'"' | b'\'') => {
                let triple = bytes.get(i..i + 3) == Some(&[quote, quote, quote][..]);
                i += if triple { 3 } else { 1 };
                while i < line_start {
                    if bytes[i] == b'\\' && quote == b'"' {
                        i += 2;
                        continue;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    if bytes[i] == quote && (!triple || bytes.get(i..i + 3) == Some(&[quote, quote, quote][..])) {
                        i += if triple { 2 } else { 0 };
                        break;
                    }
                    i += 1;
                }
            }
            b'[' => open.push(i),
            b']' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    open.last().map(|&opener| UnclosedArray { opener })
}

pub fn read_config(file: &str, table: &DeTable<'_>, diagnostics: &mut Diagnostics) -> RawConfig {
    let mut reader = TableReader::new(file, 0, table, 0..0, diagnostics);
    let config = RawConfig {
        file: file.to_string(),
        header: 0..0,
        title: reader.required_string("title"),
        description: reader.string("description"),
        language: reader.string("language"),
        author: reader.string("author"),
        base_url: reader.string("base_url"),
        trust_html: reader.boolean("trust_html"),
        search: reader.boolean("search"),
        paginate: reader.integer("paginate"),
    };
    reader.finish();
    config
}

pub fn read_companies(file: &str, table: &DeTable<'_>, diagnostics: &mut Diagnostics) -> Vec<RawCompany> {
    let mut root = TableReader::new(file, 0, table, 0..0, diagnostics);
    let tables = root.tables("company", "company");
    root.finish();
    tables
        .into_iter()
        .map(|(table, header)| {
            let mut reader = TableReader::new(file, 0, table, header.clone(), diagnostics);
            let company = RawCompany {
                header: reader.header(),
                id: reader.required_string("id"),
                name: reader.required_string("name"),
                short_name: reader.string("short_name"),
                role: reader.required_string("role"),
                parent: reader.string("parent"),
                description: reader.required_string("description"),
                url: reader.string("url"),
            };
            reader.finish();
            company
        })
        .collect()
}

pub fn read_deals(file: &str, table: &DeTable<'_>, diagnostics: &mut Diagnostics) -> Vec<RawDeal> {
    let mut root = TableReader::new(file, 0, table, 0..0, diagnostics);
    let tables = root.tables("deal", "deal");
    root.finish();
    tables
        .into_iter()
        .map(|(table, header)| {
            let mut reader = TableReader::new(file, 0, table, header, diagnostics);
            let deal = RawDeal {
                header: reader.header(),
                id: reader.required_string("id"),
                title: reader.required_string("title"),
                buyer: reader.required_string("buyer"),
                provider: reader.required_string("provider"),
                partners: reader.string_list("partners"),
                kind: reader.required_string("kind"),
                announced: reader.required_date("announced"),
                agreement: reader.string("agreement"),
                status: reader.required_string("status"),
                superseded_by: reader.string("superseded_by"),
                value_written: table.get("value_usd_bn").is_some(),
                value_usd_bn: reader.number("value_usd_bn"),
                value_basis: reader.required_string("value_basis"),
                term_years: reader.number("term_years"),
                capacity_gw: reader.number("capacity_gw"),
                chips: reader.string_list("chips"),
                chip_count: reader.integer("chip_count"),
                summary: reader.required_string("summary"),
                notes: reader.string("notes"),
                sources: read_sources(&mut reader, "deal.source", false),
            };
            reader.finish();
            deal
        })
        .collect()
}

/// The `[[source]]` tables under `parent`; `header` is how the file names them (`deal.source` in
/// the registry, `source` in a series file).
fn read_sources(parent: &mut TableReader<'_, '_, '_>, header: &str, with_periods: bool) -> Vec<RawSource> {
    let file = parent.file();
    let offset = parent.offset();
    let tables = parent.tables("source", header);
    let diagnostics = parent.diagnostics();
    tables
        .into_iter()
        .map(|(table, header)| {
            let mut reader = TableReader::new(file, offset, table, header, diagnostics);
            let source = RawSource {
                header: reader.header(),
                publisher: reader.required_string("publisher"),
                title: reader.required_string("title"),
                url: reader.required_string("url"),
                date: reader.required_date("date"),
                note: reader.string("note"),
                periods: if with_periods { reader.string_list("periods") } else { Vec::new() },
            };
            reader.finish();
            source
        })
        .collect()
}

/// Reads a brief's front matter; `offset` is where the front matter starts in the file.
pub fn read_brief(
    file: &str,
    stem: &str,
    table: &DeTable<'_>,
    offset: usize,
    opening: Range<usize>,
    body: (&Arc<String>, usize),
    diagnostics: &mut Diagnostics,
) -> RawBrief {
    let mut reader = TableReader::new(file, offset, table, 0..0, diagnostics);
    let brief = RawBrief {
        file: file.to_string(),
        stem: stem.to_string(),
        opening: opening.clone(),
        slug: reader.string("slug"),
        title: required_in_front_matter(&mut reader, "title", &opening),
        date: reader_date_required(&mut reader, &opening),
        updated: reader.date("updated"),
        summary: required_in_front_matter(&mut reader, "summary", &opening),
        tags: reader.string_list("tags"),
        companies: reader.string_list("companies"),
        deals: reader.string_list("deals"),
        draft: reader.boolean("draft"),
        text: Arc::clone(body.0),
        body_offset: body.1,
    };
    reader.finish();
    brief
}

pub fn read_page(
    file: &str,
    stem: &str,
    table: &DeTable<'_>,
    offset: usize,
    opening: Range<usize>,
    body: (&Arc<String>, usize),
    diagnostics: &mut Diagnostics,
) -> RawPage {
    let mut reader = TableReader::new(file, offset, table, 0..0, diagnostics);
    let page = RawPage {
        file: file.to_string(),
        stem: stem.to_string(),
        opening: opening.clone(),
        slug: reader.string("slug"),
        title: required_in_front_matter(&mut reader, "title", &opening),
        summary: reader.string("summary"),
        order: reader.integer("order"),
        draft: reader.boolean("draft"),
        text: Arc::clone(body.0),
        body_offset: body.1,
    };
    reader.finish();
    page
}

fn required_in_front_matter(
    reader: &mut TableReader<'_, '_, '_>,
    key: &'static str,
    opening: &Range<usize>,
) -> Option<Sp<String>> {
    let value = reader.string(key);
    if value.is_none() && reader.value(key).is_none() {
        let file = reader.file().to_string();
        reader.diagnostics().push(
            Diagnostic::error(file, Some(opening.clone()), format!("missing required key `{key}` in front matter"))
                .with_help(format!("add `{key} = \"...\"` between the `+++` lines")),
        );
    }
    value
}

fn reader_date_required(reader: &mut TableReader<'_, '_, '_>, opening: &Range<usize>) -> Option<Sp<String>> {
    let value = reader.date("date");
    if value.is_none() && reader.value("date").is_none() {
        let file = reader.file().to_string();
        reader.diagnostics().push(
            Diagnostic::error(file, Some(opening.clone()), "missing required key `date` in front matter")
                .with_help("add `date = 2025-11-03` between the `+++` lines"),
        );
    }
    value
}

pub fn read_series(file: &str, stem: &str, table: &DeTable<'_>, diagnostics: &mut Diagnostics) -> RawSeries {
    let mut reader = TableReader::new(file, 0, table, 0..0, diagnostics);
    let title = reader.required_string("title");
    let unit = reader.required_string("unit");
    let frequency = reader.required_string("frequency");
    let summary = reader.required_string("summary");
    let notes = reader.string("notes");
    let line_tables = reader.tables("line", "line");
    let sources = read_sources(&mut reader, "source", true);
    reader.finish();
    let lines = line_tables
        .into_iter()
        .map(|(table, header)| {
            let mut reader = TableReader::new(file, 0, table, header, diagnostics);
            let label = reader.required_string("label");
            let company = reader.string("company");
            let points = read_points(&mut reader);
            let line = RawLine { header: reader.header(), label, company, points };
            reader.finish();
            line
        })
        .collect();
    RawSeries { file: file.to_string(), stem: stem.to_string(), title, unit, frequency, summary, notes, lines, sources }
}

/// `points = [["2025-Q3", 29], ...]`: each point a two-element array of period and number.
fn read_points(reader: &mut TableReader<'_, '_, '_>) -> Vec<(Sp<String>, Sp<f64>)> {
    use toml::de::DeValue;
    let file = reader.file().to_string();
    let Some(value) = reader.value("points") else {
        let header = reader.header();
        reader.diagnostics().push(
            Diagnostic::error(file, Some(header), "missing required key `points`")
                .with_help("add `points = [[\"2025-Q3\", 29], ...]`"),
        );
        return Vec::new();
    };
    let mut points = Vec::new();
    let bad_point = |span: Range<usize>| {
        Diagnostic::error(file.clone(), Some(span), "each point must be `[\"period\", number]`")
            .with_help("for example `[\"2025-Q3\", 29]` or `[\"2025\", 131.8]`")
    };
    let DeValue::Array(array) = value.get_ref() else {
        let span = reader.span(value);
        reader.diagnostics().push(bad_point(span));
        return points;
    };
    for element in array.iter() {
        let span = reader.span(element);
        let pair = match element.get_ref() {
            DeValue::Array(pair) if pair.len() == 2 => pair,
            _ => {
                reader.diagnostics().push(bad_point(span));
                continue;
            }
        };
        let period = match pair[0].get_ref() {
            DeValue::String(text) => Sp::new(text.to_string(), reader.span(&pair[0])),
            _ => {
                reader.diagnostics().push(bad_point(span));
                continue;
            }
        };
        let number_span = reader.span(&pair[1]);
        let number = match pair[1].get_ref() {
            DeValue::Integer(int) => int.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Float(float) => float.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        match number {
            Some(n) if n.is_finite() => points.push((period, Sp::new(n, number_span))),
            _ => reader.diagnostics().push(
                Diagnostic::error(file.clone(), Some(number_span), "a point's value must be a finite number")
                    .with_help("for example `[\"2025-Q3\", 29]`"),
            ),
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::{UnclosedArray, is_header, parse_toml, table_blocks, unclosed_array};
    use crate::diag::Diagnostics;

    fn at(text: &str, error: &str) -> Option<UnclosedArray> {
        unclosed_array(text, text.find(error).expect("error position in the text"))
    }

    #[test]
    fn a_key_inside_an_open_array_means_a_missing_bracket() {
        let text = "tags = [\"cloud\", \"labs\"\ncompanies = [\"labco\"]\n";
        assert_eq!(at(text, "companies"), Some(UnclosedArray { opener: 7 }));
        // Brackets inside strings and comments do not count.
        let text = "title = \"[draft\"\n# [note\ntags = [\"a]\", 'b]'\nnext = 1\n";
        assert_eq!(at(text, "next"), Some(UnclosedArray { opener: text.find("[\"a").expect("opener") }));
        let text = "notes = \"\"\"a ] in a\nmultiline string\"\"\"\ntags = [\"a\"\nnext = 1\n";
        assert_eq!(at(text, "next"), Some(UnclosedArray { opener: text.find("[\"a\"").expect("opener") }));
    }

    #[test]
    fn other_errors_are_left_to_the_parser() {
        // A missing comma between the elements of a multi-line array.
        let text = "tags = [\n  \"a\"\n  \"b\",\n]\n";
        assert_eq!(at(text, "\"b\""), None);
        // A closed array, then a bad value.
        let text = "tags = [\"a\"]\ntitle = nope\n";
        assert_eq!(at(text, "nope"), None);
        // A table header is closed on its own line.
        let text = "[[deal]]\nid = \"x\"\nvalue = \n";
        assert_eq!(at(text, "value"), None);
    }

    #[test]
    fn each_broken_table_shows_its_own_first_error() {
        let text = "[[deal]]\nid = \"a\"\nvalue = \n\n[[deal.source]]\nurl = \"u\"\n\n[[deal]]\nid = \"b\"\n\n[[deal]]\nid = \"c\"\ntitle = \"unclosed\nvalue = 5\n\n[[deal]]\nid = \"d\" # fine\n";
        let mut diagnostics = Diagnostics::default();
        assert!(parse_toml("content/deals.toml", text, 0, &mut diagnostics).is_none());
        let list = diagnostics.into_vec();
        assert_eq!(list.len(), 2, "one error each for the first and the third deal: {list:?}");
        let starts: Vec<usize> = list.iter().filter_map(|d| d.span.as_ref().map(|s| s.start)).collect();
        assert_eq!(starts.len(), 2);
        let first_deal = text.find("value = \n").expect("first");
        let third_deal = text.find("title = \"unclosed").expect("third");
        assert!((first_deal..first_deal + 10).contains(&starts[0]), "{starts:?} {list:?}");
        assert!(
            (third_deal..text.find("[[deal]]\nid = \"d\"").expect("fourth")).contains(&starts[1]),
            "{starts:?} {list:?}"
        );
    }

    #[test]
    fn headers_split_tables_and_array_lines_do_not() {
        for header in ["[site]", "[[deal]]", "[[deal.source]] # a comment", "[ \"quoted key\" ]"] {
            assert!(is_header(header), "{header}");
        }
        for line in ["  [\"2021-Q4\", 80.4],", "[1, 2]", "[]", "tags = [\"a\"]", "[[deal]] trailing"] {
            assert!(!is_header(line), "{line}");
        }
        let text = "a = 1\n[x]\nb = [\n  [1, 2],\n]\n[[y]]\n";
        let blocks: Vec<&str> = table_blocks(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(blocks, ["a = 1\n", "[x]\nb = [\n  [1, 2],\n]\n", "[[y]]\n"]);
    }

    #[test]
    fn one_missing_bracket_is_one_error() {
        let mut diagnostics = Diagnostics::default();
        let text =
            "title = \"t\"\ntags = [\"cloud\", \"labs\"\ncompanies = [\"labco\", \"cloudco\"]\ndeals = [\"d\"]\n";
        assert!(parse_toml("content/briefs/b.md", text, 4, &mut diagnostics).is_none());
        let list = diagnostics.into_vec();
        assert_eq!(list.len(), 1, "{list:?}");
        assert_eq!(list[0].message, "invalid TOML: this array is not closed");
        assert_eq!(list[0].span, Some(4 + 19..4 + 20));
        assert!(list[0].help.as_deref().is_some_and(|h| h.contains("missing `]`")), "{:?}", list[0].help);
    }
}
