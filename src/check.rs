//! Checks over a rendered [`Output`] and the site's prose: what `infrabrief check` adds to a build.
//!
//! Output checks verify the contract on the bytes themselves.
//! Every internal link and asset reference must be relative, name a file, and resolve to a file
//! of the output (and its `#anchor` to an element id of that page); no page or stylesheet may
//! load anything from the network (scripts, styles, fonts, images, frames, media, CSS `url()`).
//! Only `<a href>` and `<link rel="canonical|alternate">` may point outside, and only to
//! http(s). Pages that nothing links to are orphans. Prose checks find money figures typed by
//! hand where the registry should supply them. Everything works in memory, so `build`, `check`
//! and the tests share it.

use std::collections::{BTreeMap, BTreeSet};

use crate::render::Output;

/// One reference found in a page or stylesheet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Element name (`a`, `img`, `link`...) or `css` for a `url()`.
    pub element: String,
    pub attribute: String,
    pub value: String,
    /// `rel` of a `<link>`, empty otherwise.
    pub rel: String,
    /// Byte offset in the file.
    pub offset: usize,
}

impl Reference {
    /// Navigation (`<a href>`, canonical and feed links) rather than a resource the page loads.
    pub fn is_navigation(&self) -> bool {
        (self.element == "a" && self.attribute == "href")
            || (self.element == "link"
                && self.attribute == "href"
                && self.rel.split_whitespace().any(|r| matches!(r, "canonical" | "alternate")))
    }
}

/// A broken contract in the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Output path of the file the problem is in.
    pub file: String,
    pub offset: usize,
    pub message: String,
}

/// Every problem with links, anchors and external resources in `output`.
pub fn check_output(output: &Output) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut ids: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut references: Vec<(&str, Vec<Reference>)> = Vec::new();
    for (path, bytes) in &output.files {
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        if path.ends_with(".html") {
            let page = scan_html(text);
            for offset in &page.images_without_alt {
                findings.push(Finding {
                    file: path.to_string(),
                    offset: *offset,
                    message: "<img> without alt text".to_string(),
                });
            }
            ids.insert(path, page.ids);
            references.push((path, page.references));
        } else if path.ends_with(".css") {
            references.push((path, css_urls(text, 0)));
        } else if path.ends_with(".svg") {
            let page = scan_html(text);
            references.push((path, page.references));
        }
    }
    for (path, refs) in references {
        for reference in refs {
            if let Some(message) = judge(output, &ids, path, &reference) {
                findings.push(Finding { file: path.to_string(), offset: reference.offset, message });
            }
        }
    }
    findings
}

fn judge(output: &Output, ids: &BTreeMap<&str, BTreeSet<String>>, page: &str, reference: &Reference) -> Option<String> {
    let value = reference.value.trim();
    let what = format!("<{} {}=\"{}\">", reference.element, reference.attribute, value);
    if value.is_empty() {
        return Some(format!("{what}: empty reference"));
    }
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("//") || has_scheme(&lower) {
        if !reference.is_navigation() {
            if lower.starts_with("data:") && reference.element == "css" {
                return None;
            }
            return Some(format!("{what}: loads an external resource"));
        }
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return None;
        }
        return Some(format!("{what}: only http(s) links may leave the site"));
    }
    if let Some(fragment) = value.strip_prefix('#') {
        return check_anchor(ids, page, fragment).map(|m| format!("{what}: {m}"));
    }
    if value.starts_with('/') {
        return Some(format!("{what}: starts with `/`; links must be relative"));
    }
    let (path_part, fragment) = match value.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (value, None),
    };
    let path_part = path_part.split('?').next().unwrap_or(path_part);
    if path_part.ends_with('/') || path_part.is_empty() {
        return Some(format!("{what}: names a folder, not a file"));
    }
    let Some(target) = resolve(page, path_part) else {
        return Some(format!("{what}: climbs above the site root"));
    };
    let target = percent_decode(&target);
    if output.get(&target).is_none() {
        return Some(format!("{what}: no file `{target}` in the output"));
    }
    match fragment {
        Some(fragment) if !fragment.is_empty() && target.ends_with(".html") => {
            check_anchor(ids, &target, fragment).map(|m| format!("{what}: {m}"))
        }
        _ => None,
    }
}

fn check_anchor(ids: &BTreeMap<&str, BTreeSet<String>>, page: &str, fragment: &str) -> Option<String> {
    if fragment.is_empty() || fragment == "top" {
        return None;
    }
    let fragment = percent_decode(fragment);
    match ids.get(page) {
        Some(page_ids) if page_ids.contains(&fragment) => None,
        Some(_) => Some(format!("no element with id `{fragment}` in `{page}`")),
        None => None,
    }
}

/// How many other pages link to each page (`<a href>` only), for finding orphans.
pub fn inbound_links(output: &Output) -> BTreeMap<String, usize> {
    let mut inbound: BTreeMap<String, usize> = output.html_pages().map(|(p, _)| (p.to_string(), 0)).collect();
    for (path, bytes) in output.html_pages() {
        let Ok(text) = std::str::from_utf8(bytes) else { continue };
        let mut targets = BTreeSet::new();
        for reference in scan_html(text).references.into_iter().filter(|r| r.element == "a" && r.attribute == "href") {
            let value = reference.value.split(['#', '?']).next().unwrap_or("");
            if value.is_empty() || has_scheme(&value.to_ascii_lowercase()) || value.starts_with('/') {
                continue;
            }
            if let Some(target) = resolve(path, value)
                && target != path
            {
                targets.insert(percent_decode(&target));
            }
        }
        for target in targets {
            if let Some(count) = inbound.get_mut(&target) {
                *count += 1;
            }
        }
    }
    inbound
}

/// Pages nothing links to, except the home page and the 404 page.
pub fn orphans(output: &Output) -> Vec<String> {
    inbound_links(output)
        .into_iter()
        .filter(|(path, count)| {
            *count == 0 && path != crate::render::paths::HOME && path != crate::render::paths::NOT_FOUND
        })
        .map(|(path, _)| path)
        .collect()
}

/// Byte ranges of hand-typed money figures in Markdown prose: `$38bn`, `US$ 1.4 trillion`,
/// `£29bn`, `€5m`, `38 billion dollars`. Code, shortcodes and link targets are not prose.
pub fn money_figures(body: &str) -> Vec<std::ops::Range<usize>> {
    use pulldown_cmark::{Event, Parser};
    let shortcodes: Vec<std::ops::Range<usize>> =
        crate::render::shortcode::find(body).0.into_iter().map(|s| s.span).collect();
    let mut found = Vec::new();
    for (event, range) in Parser::new_ext(body, crate::render::markdown::options()).into_offset_iter() {
        if !matches!(event, Event::Text(_)) {
            continue;
        }
        let text = &body[range.clone()];
        for figure in figures_in(text) {
            let absolute = range.start + figure.start..range.start + figure.end;
            if !shortcodes.iter().any(|s| s.start <= absolute.start && absolute.end <= s.end)
                && !found.contains(&absolute)
            {
                found.push(absolute);
            }
        }
    }
    found
}

const SCALE_WORDS: [&str; 12] = ["trillion", "billion", "million", "bn", "tn", "mn", "m", "b", "t", "k", "bln", "mln"];
const CURRENCY_WORDS: [&str; 8] = ["dollars", "us dollars", "usd", "euros", "pounds", "sterling", "yen", "dollar"];

/// Money figures in a run of plain text, as byte ranges of that text.
fn figures_in(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    let number_at = |from: usize| -> Option<usize> {
        let mut i = from;
        let mut digits = 0;
        while i < bytes.len()
            && (bytes[i].is_ascii_digit()
                || ((bytes[i] == b'.' || bytes[i] == b',')
                    && digits > 0
                    && i + 1 < bytes.len()
                    && bytes[i + 1].is_ascii_digit()))
        {
            if bytes[i].is_ascii_digit() {
                digits += 1;
            }
            i += 1;
        }
        (digits > 0).then_some(i)
    };
    let skip_space = |mut i: usize| {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        i
    };
    let word_at = |i: usize, words: &[&str]| -> Option<usize> {
        words
            .iter()
            .filter_map(|w| {
                let end = i + w.len();
                (lower.get(i..end) == Some(*w) && !lower[end..].chars().next().is_some_and(|c| c.is_alphanumeric()))
                    .then_some(end)
            })
            .max()
    };
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        // A currency sign, possibly after "US", "A", "C" or "HK", then a number.
        let sign_len = ["$", "£", "€"].iter().find(|s| rest.starts_with(**s)).map(|s| s.len());
        let code_len = word_at(i, &["usd", "eur", "gbp"]).map(|end| end - i);
        if let Some(len) = sign_len.or(code_len) {
            let start = if sign_len.is_some() && i >= 2 && &lower[i - 2..i] == "us" { i - 2 } else { i };
            if let Some(end) = number_at(skip_space(i + len)) {
                let with_scale = word_at(skip_space(end), &SCALE_WORDS).unwrap_or(end);
                found.push(start..with_scale);
                i = with_scale;
                continue;
            }
        }
        // A number, a scale word and a currency word: "38 billion dollars".
        if bytes[i].is_ascii_digit()
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric())
            && let Some(end) = number_at(i)
            && let Some(scaled) = word_at(skip_space(end), &SCALE_WORDS)
            && let Some(with_currency) = word_at(skip_space(scaled), &CURRENCY_WORDS)
        {
            found.push(i..with_currency);
            i = with_currency;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    found
}

/// Resolves `relative` against the folder of `page`; `None` if it climbs above the root.
pub fn resolve(page: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in relative.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn has_scheme(value: &str) -> bool {
    match value.find(':') {
        Some(colon) => {
            let scheme = &value[..colon];
            !scheme.is_empty()
                && !scheme.contains('/')
                && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        }
        None => false,
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(high * 16 + low);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

/// What a page holds: its element ids, its references, and images without alt text.
#[derive(Debug, Default)]
pub struct ScannedPage {
    pub ids: BTreeSet<String>,
    pub references: Vec<Reference>,
    /// Offsets of `<img>` tags that have no `alt` attribute.
    pub images_without_alt: Vec<usize>,
}

const URL_ATTRIBUTES: [&str; 7] = ["href", "src", "srcset", "poster", "data", "action", "formaction"];

/// A tolerant scan of HTML (or SVG) tags: attributes that hold URLs, `id`s, inline `style`
/// `url()`s and `<style>` blocks. Comments and script bodies are skipped.
pub fn scan_html(html: &str) -> ScannedPage {
    let mut page = ScannedPage::default();
    let mut i = 0;
    while let Some(found) = html[i..].find('<') {
        let start = i + found;
        if html[start..].starts_with("<!--") {
            i = html[start..].find("-->").map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let Some(tag) = parse_tag(html, start) else {
            i = start + 1;
            continue;
        };
        i = tag.end;
        if tag.closing {
            continue;
        }
        let rel = tag.attributes.iter().find(|(n, _, _)| n == "rel").map(|(_, v, _)| v.clone()).unwrap_or_default();
        if tag.name == "img" && !tag.attributes.iter().any(|(n, _, _)| n == "alt") {
            page.images_without_alt.push(start);
        }
        for (name, value, offset) in &tag.attributes {
            if name == "id" {
                page.ids.insert(value.clone());
            } else if name == "style" {
                page.references.extend(css_urls(value, *offset));
            } else if URL_ATTRIBUTES.contains(&name.as_str()) || (name == "xlink:href") {
                if name == "srcset" {
                    for candidate in value.split(',') {
                        if let Some(url) = candidate.split_whitespace().next() {
                            page.references.push(Reference {
                                element: tag.name.clone(),
                                attribute: name.clone(),
                                value: url.to_string(),
                                rel: rel.clone(),
                                offset: *offset,
                            });
                        }
                    }
                } else {
                    page.references.push(Reference {
                        element: tag.name.clone(),
                        attribute: name.clone(),
                        value: decode_entities(value),
                        rel: rel.clone(),
                        offset: *offset,
                    });
                }
            }
        }
        // Raw-text elements: skip to their end tag.
        if tag.name == "script" || tag.name == "style" {
            let close = format!("</{}", tag.name);
            let body_end = html[i..].to_ascii_lowercase().find(&close).map_or(html.len(), |e| i + e);
            if tag.name == "style" {
                page.references.extend(css_urls(&html[i..body_end], i));
            }
            i = body_end;
        }
    }
    page
}

struct Tag {
    name: String,
    closing: bool,
    /// (name lowercased, value, byte offset of the value)
    attributes: Vec<(String, String, usize)>,
    end: usize,
}

fn parse_tag(html: &str, start: usize) -> Option<Tag> {
    let bytes = html.as_bytes();
    let mut i = start + 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b':') {
        i += 1;
    }
    if i == name_start {
        return None;
    }
    let name = html[name_start..i].to_ascii_lowercase();
    let mut attributes = Vec::new();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i) {
            None => {
                return Some(Tag { name, closing, attributes, end: bytes.len() });
            }
            Some(b'>') => {
                return Some(Tag { name, closing, attributes, end: i + 1 });
            }
            Some(b'/') => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let attr_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        if i == attr_start {
            i += 1;
            continue;
        }
        let attr_name = html[attr_start..i].to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            attributes.push((attr_name, String::new(), attr_start));
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let (value, offset) = match bytes.get(i) {
            Some(&quote) if quote == b'"' || quote == b'\'' => {
                let value_start = i + 1;
                let value_end = html[value_start..].find(quote as char).map_or(html.len(), |e| value_start + e);
                i = (value_end + 1).min(html.len());
                (html[value_start..value_end].to_string(), value_start)
            }
            _ => {
                let value_start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                (html[value_start..i].to_string(), value_start)
            }
        };
        attributes.push((attr_name, value, offset));
    }
}

fn decode_entities(value: &str) -> String {
    if !value.contains('&') {
        return value.to_string();
    }
    value.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
}

/// `url(...)` and `@import "..."` references in CSS text; `offset` is where the text starts.
pub fn css_urls(css: &str, offset: usize) -> Vec<Reference> {
    let mut references = Vec::new();
    let lower = css.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("url(") {
        let start = from + found + 4;
        let end = lower[start..].find(')').map_or(css.len(), |e| start + e);
        let value = css[start..end].trim().trim_matches(|c| c == '"' || c == '\'').to_string();
        references.push(Reference {
            element: "css".to_string(),
            attribute: "url".to_string(),
            value,
            rel: String::new(),
            offset: offset + start,
        });
        from = end;
    }
    let mut from = 0;
    while let Some(found) = lower[from..].find("@import") {
        let start = from + found + 7;
        let rest = css[start..].trim_start();
        if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let value: String = rest[1..].chars().take_while(|c| *c != quote).collect();
            references.push(Reference {
                element: "css".to_string(),
                attribute: "import".to_string(),
                value,
                rel: String::new(),
                offset: offset + start,
            });
        }
        from = start;
    }
    references
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Output {
        let mut output = Output::default();
        for (path, text) in files {
            output.insert(*path, text.as_bytes().to_vec());
        }
        output
    }

    #[test]
    fn accepts_relative_links_that_resolve() {
        let output = site(&[
            (
                "index.html",
                "<a href=\"deals/a.html#facts\">a</a><link rel=\"stylesheet\" href=\"assets/s.css\"><a href=\"https://example.com\">x</a>",
            ),
            ("deals/a.html", "<h2 id=\"facts\">F</h2><a href=\"../index.html\">home</a><a href=\"#facts\">f</a>"),
            ("assets/s.css", "body { background: url(\"bg.png\"); }"),
            ("assets/bg.png", ""),
        ]);
        assert_eq!(check_output(&output), vec![]);
    }

    #[test]
    fn finds_every_kind_of_break() {
        let output = site(&[(
            "index.html",
            concat!(
                "<a href=\"missing.html\">1</a>",
                "<a href=\"/abs.html\">2</a>",
                "<a href=\"deals/\">3</a>",
                "<a href=\"#nowhere\">4</a>",
                "<script src=\"https://cdn.example/x.js\"></script>",
                "<img src=\"//cdn.example/x.png\" alt=\"\">",
                "<link rel=\"stylesheet\" href=\"https://fonts.example/css\">",
                "<div style=\"background:url(https://t.example/p.gif)\"></div>",
                "<a href=\"javascript:alert(1)\">5</a>",
                "<iframe src=\"https://x.example\"></iframe>",
                "<img srcset=\"a.png 1x, https://x.example/b.png 2x\" alt=\"x\">",
                "<style>@import \"https://x.example/y.css\";</style>",
            ),
        )]);
        let messages: Vec<String> = check_output(&output).into_iter().map(|f| f.message).collect();
        assert_eq!(messages.len(), 13, "{messages:#?}");
        assert!(messages[0].contains("no file `missing.html`"));
        assert!(messages[1].contains("starts with `/`"));
        assert!(messages[2].contains("names a folder"));
        assert!(messages[3].contains("no element with id `nowhere`"));
        assert!(messages[4].contains("external resource"));
        assert!(messages.iter().any(|m| m.contains("javascript:alert(1)") && m.contains("only http(s)")));
    }

    #[test]
    fn skips_comments_and_scripts() {
        let output =
            site(&[("index.html", "<!-- <a href=\"x.html\"> --><script>var a = '<a href=\"y.html\">';</script>")]);
        assert_eq!(check_output(&output), vec![]);
    }

    #[test]
    fn finds_hand_typed_money_figures() {
        let body = "OpenAI pays $38bn, or US$ 1.4 trillion, £29bn and 38 billion dollars; about $0.01 a share.\n\nNot `$5bn` in code, nor {{ value(deal=\"x\") }}, nor 38 GW or 2025.\n";
        let found: Vec<&str> = money_figures(body).into_iter().map(|r| &body[r]).collect();
        assert_eq!(found, ["$38bn", "US$ 1.4 trillion", "£29bn", "38 billion dollars", "$0.01"]);
    }

    #[test]
    fn finds_orphans_and_images_without_alt() {
        let output = site(&[
            ("index.html", "<a href=\"a.html\">a</a><img src=\"x.png\">"),
            ("a.html", "<a href=\"index.html\">home</a>"),
            ("lonely.html", "<a href=\"a.html\">a</a>"),
            ("404.html", ""),
            ("x.png", ""),
        ]);
        assert_eq!(orphans(&output), ["lonely.html"]);
        let findings = check_output(&output);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].message, "<img> without alt text");
    }

    #[test]
    fn resolves_paths() {
        assert_eq!(resolve("briefs/a.html", "../deals/b.html"), Some("deals/b.html".to_string()));
        assert_eq!(resolve("index.html", "../x.html"), None);
        assert_eq!(resolve("index.html", "./a/b.html"), Some("a/b.html".to_string()));
    }
}
