//! The allow-list sanitizer for raw HTML written inside Markdown.
//!
//! Briefs come from many hands, so raw HTML is not trusted by default: pulldown-cmark hands the
//! Markdown renderer raw HTML as fragments (a line of an HTML block, or one inline tag), and this
//! module rewrites each fragment so only harmless markup survives. Allowed elements keep only
//! allowed attributes, re-quoted and re-escaped; links keep only URLs the site's link policy
//! accepts; script-like elements disappear with their content; anything else loses its tags but
//! keeps its text. Elements it lets through are tracked so a brief can never close the page's own
//! elements or leave its own open: each one is closed at the latest when the Markdown block it was
//! opened in ends. Every removal is reported so the editor sees what was dropped and where.

use memchr::memchr;

/// Elements kept (with their allowed attributes) when they appear as raw HTML.
const ALLOWED: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Elements with no closing tag.
const VOID: &[&str] = &["br", "col", "hr", "wbr"];

/// Elements removed together with everything inside them.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "applet",
    "audio",
    "canvas",
    "embed",
    "frame",
    "frameset",
    "head",
    "iframe",
    "math",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "plaintext",
    "script",
    "select",
    "style",
    "svg",
    "template",
    "textarea",
    "title",
    "video",
    "xmp",
];

/// Raw fragments longer than this while a tag is still unterminated are shown as text, so a stray
/// `<` cannot make the sanitizer rescan an ever-growing fragment.
const PENDING_LIMIT: usize = 64 * 1024;

/// A URL in an `href`, after the link policy accepted it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Href {
    pub url: String,
    pub external: bool,
}

/// Why a URL was refused, in the words of the link policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub help: Option<&'static str>,
}

/// Something the sanitizer changed, at a byte offset into the fragment it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// A tag, comment or declaration that is not on the allow-list.
    Element { offset: usize, name: String },
    /// An attribute that is not allowed on its element, or has a value that is not allowed.
    Attribute { offset: usize, element: &'static str, name: String },
    /// An `href` the link policy refused.
    Url { offset: usize, refusal: Refusal },
    /// A closing tag with nothing open to close.
    StrayClose { offset: usize, name: String },
}

/// An allowed element opened by raw HTML and not yet closed.
#[derive(Debug)]
struct Open {
    name: &'static str,
    /// The Markdown block depth it was opened at.
    depth: usize,
    /// An external link, which gets the same "(external link)" note as Markdown links.
    external: bool,
}

/// Sanitizer state across the fragments of one document.
#[derive(Debug, Default)]
pub struct Sanitizer {
    open: Vec<Open>,
    /// Inside an element dropped with its content: its name, nesting and the depth it started at.
    skipping: Option<(&'static str, usize, usize)>,
    in_comment: bool,
    /// The start of a tag that continues in the next fragment.
    pending: String,
}

/// Where the sanitizer writes.
pub struct Output<'o> {
    pub html: &'o mut String,
    /// The visible text, for word counts and the search index.
    pub text: &'o mut String,
    pub findings: &'o mut Vec<Finding>,
}

impl Sanitizer {
    pub fn new() -> Self {
        Self::default()
    }

    /// True inside an element dropped with its content: Markdown text there is dropped too.
    pub fn suppressing(&self) -> bool {
        self.skipping.is_some()
    }

    /// Length of the unterminated tag carried over from the previous fragment, if any.
    pub fn carried(&self) -> usize {
        self.pending.len()
    }

    /// Sanitizes one raw fragment opened at Markdown block `depth`.
    pub fn fragment(
        &mut self,
        raw: &str,
        depth: usize,
        policy: &mut dyn FnMut(&str) -> Result<Href, Refusal>,
        out: &mut Output<'_>,
    ) {
        let joined;
        let source: &str = if self.pending.is_empty() {
            raw
        } else {
            let mut carried = std::mem::take(&mut self.pending);
            carried.push_str(raw);
            joined = carried;
            &joined
        };
        let bytes = source.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            if self.in_comment {
                match find(source, at, "-->") {
                    Some(end) => {
                        self.in_comment = false;
                        at = end + 3;
                    }
                    None => at = bytes.len(),
                }
                continue;
            }
            if let Some((name, nesting, _)) = self.skipping {
                at = self.skip(source, at, name, nesting);
                continue;
            }
            let Some(lt) = memchr(b'<', &bytes[at..]).map(|i| at + i) else {
                write_text(&source[at..], out);
                break;
            };
            write_text(&source[at..lt], out);
            match self.tag(source, lt, depth, policy, out) {
                Some(next) => at = next,
                None => {
                    if source.len() - lt > PENDING_LIMIT {
                        write_text(&source[lt..], out);
                    } else {
                        self.pending = source[lt..].to_string();
                    }
                    break;
                }
            }
        }
    }

    /// Writes out a tag left unterminated at the end of raw HTML as the text it is.
    pub fn flush(&mut self, out: &mut Output<'_>) {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            write_text(&pending, out);
        }
    }

    /// Closes every element opened deeper than `depth`, and ends skipping begun there: called when
    /// a Markdown block ends, so raw HTML never outlives the block it was written in.
    pub fn close_deeper_than(&mut self, depth: usize, html: &mut String) {
        while let Some(open) = self.open.last() {
            if open.depth <= depth {
                break;
            }
            if let Some(open) = self.open.pop() {
                close(&open, html);
            }
        }
        if self.skipping.is_some_and(|(_, _, started)| started > depth) {
            self.skipping = None;
        }
    }

    /// Closes everything still open at the end of the document.
    pub fn finish(&mut self, html: &mut String) {
        self.pending.clear();
        self.in_comment = false;
        self.skipping = None;
        while let Some(open) = self.open.pop() {
            close(&open, html);
        }
    }

    /// Handles the markup starting at `lt`; returns where to continue, or `None` when the tag is
    /// not complete in this fragment.
    fn tag(
        &mut self,
        source: &str,
        lt: usize,
        depth: usize,
        policy: &mut dyn FnMut(&str) -> Result<Href, Refusal>,
        out: &mut Output<'_>,
    ) -> Option<usize> {
        let rest = &source[lt..];
        if rest.starts_with("<!--") {
            // Comments are editors' notes: dropped without a word. `<!-->` and `<!--->` are
            // complete (empty) comments in HTML.
            let body = lt + 4;
            if source[body..].starts_with('>') {
                return Some(body + 1);
            }
            if source[body..].starts_with("->") {
                return Some(body + 2);
            }
            return match find(source, body, "-->") {
                Some(end) => Some(end + 3),
                None => {
                    self.in_comment = true;
                    Some(source.len())
                }
            };
        }
        let second = rest.as_bytes().get(1).copied();
        match second {
            None => None,
            Some(b'!' | b'?') => {
                let end = memchr(b'>', rest.as_bytes())?;
                out.findings.push(Finding::Element { offset: lt, name: shorten(&rest[..=end]) });
                Some(lt + end + 1)
            }
            Some(b'/') if rest.as_bytes().get(2).is_some_and(u8::is_ascii_alphabetic) => {
                let end = memchr(b'>', rest.as_bytes())?;
                let name = tag_name(&rest[2..end]);
                self.close_tag(&name, lt, depth, out);
                Some(lt + end + 1)
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let parsed = parse_open(rest)?;
                self.open_tag(parsed.clone(), lt, depth, policy, out);
                Some(lt + parsed.len)
            }
            Some(_) => {
                write_text("<", out);
                Some(lt + 1)
            }
        }
    }

    fn open_tag(
        &mut self,
        tag: OpenTag,
        offset: usize,
        depth: usize,
        policy: &mut dyn FnMut(&str) -> Result<Href, Refusal>,
        out: &mut Output<'_>,
    ) {
        if let Some(&name) = DROPPED_WITH_CONTENT.iter().find(|&&n| n == tag.name) {
            out.findings.push(Finding::Element { offset, name: format!("<{name}>") });
            if !tag.self_closing {
                self.skipping = Some((name, 1, depth));
            }
            return;
        }
        let Some(&name) = ALLOWED.iter().find(|&&n| n == tag.name) else {
            out.findings.push(Finding::Element { offset, name: format!("<{}>", tag.name) });
            return;
        };
        let mut html = String::with_capacity(32);
        html.push('<');
        html.push_str(name);
        let mut external = false;
        let mut seen: Vec<&str> = Vec::new();
        for (attribute, value) in &tag.attributes {
            if seen.contains(&attribute.as_str()) {
                continue;
            }
            seen.push(attribute);
            if name == "a" && attribute == "href" {
                let Some(url) = value.as_deref().and_then(decode_url) else {
                    out.findings.push(Finding::Url {
                        offset,
                        refusal: Refusal {
                            message: "this `href` uses character references a link may not hide behind".to_string(),
                            help: Some("write the URL out plainly"),
                        },
                    });
                    continue;
                };
                match policy(&url) {
                    Ok(href) => {
                        html.push_str(" href=\"");
                        html.push_str(&crate::render::format::escape_html(&href.url));
                        html.push('"');
                        if href.external {
                            html.push_str(" class=\"external\" rel=\"external noopener\"");
                            external = true;
                        }
                    }
                    Err(refusal) => out.findings.push(Finding::Url { offset, refusal }),
                }
                continue;
            }
            match allowed_value(name, attribute, value.as_deref()) {
                Some(Value::Flag) => {
                    html.push(' ');
                    html.push_str(attribute);
                }
                Some(Value::Text(text)) => {
                    html.push(' ');
                    html.push_str(attribute);
                    html.push_str("=\"");
                    write_escaped(text, &mut html);
                    html.push('"');
                }
                None => out.findings.push(Finding::Attribute { offset, element: name, name: attribute.clone() }),
            }
        }
        html.push('>');
        out.html.push_str(&html);
        if !VOID.contains(&name) && !tag.self_closing {
            self.open.push(Open { name, depth, external });
        }
    }

    fn close_tag(&mut self, name: &str, offset: usize, depth: usize, out: &mut Output<'_>) {
        if VOID.contains(&name) {
            return;
        }
        if !ALLOWED.contains(&name) {
            if !DROPPED_WITH_CONTENT.contains(&name) {
                out.findings.push(Finding::Element { offset, name: format!("</{name}>") });
            }
            return;
        }
        // Only elements opened in this same Markdown block can be closed from here.
        let position = self.open.iter().rposition(|open| open.depth == depth && open.name == name);
        let reachable = position.is_some_and(|p| self.open[p..].iter().all(|open| open.depth == depth));
        match position {
            Some(p) if reachable => {
                while self.open.len() > p {
                    if let Some(open) = self.open.pop() {
                        close(&open, out.html);
                    }
                }
            }
            _ => out.findings.push(Finding::StrayClose { offset, name: name.to_string() }),
        }
    }

    /// Skips inside a dropped element from `at`; returns where to continue.
    fn skip(&mut self, source: &str, at: usize, name: &'static str, nesting: usize) -> usize {
        let bytes = source.as_bytes();
        let mut at = at;
        while let Some(lt) = memchr(b'<', &bytes[at..]).map(|i| at + i) {
            let rest = &source[lt + 1..];
            let closing = rest.starts_with('/');
            let candidate = if closing { &rest[1..] } else { rest };
            let matches_name = candidate.len() >= name.len()
                && candidate.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                && candidate
                    .as_bytes()
                    .get(name.len())
                    .is_none_or(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace());
            if !matches_name {
                at = lt + 1;
                continue;
            }
            let end = memchr(b'>', &bytes[lt..]).map_or(bytes.len(), |i| lt + i + 1);
            if closing {
                if nesting <= 1 {
                    self.skipping = None;
                    return end;
                }
                if let Some(skipping) = self.skipping.as_mut() {
                    skipping.1 = nesting - 1;
                }
                return end;
            }
            // Script-like elements hold raw text: a nested open tag of the same name is just text.
            if !matches!(name, "script" | "style" | "textarea" | "title" | "xmp" | "plaintext")
                && let Some(skipping) = self.skipping.as_mut()
            {
                skipping.1 = nesting + 1;
            }
            return end;
        }
        bytes.len()
    }
}

fn close(open: &Open, html: &mut String) {
    if open.external {
        html.push_str("<span class=\"visually-hidden\"> (external link)</span>");
    }
    html.push_str("</");
    html.push_str(open.name);
    html.push('>');
}

/// A parsed opening tag.
#[derive(Clone, Debug)]
struct OpenTag {
    name: String,
    attributes: Vec<(String, Option<String>)>,
    self_closing: bool,
    /// Bytes from `<` to `>` inclusive.
    len: usize,
}

/// Parses `<name attr=value ...>` at the start of `rest`; `None` when it does not end in `rest`.
fn parse_open(rest: &str) -> Option<OpenTag> {
    let bytes = rest.as_bytes();
    let mut at = 1;
    while at < bytes.len() && !bytes[at].is_ascii_whitespace() && bytes[at] != b'>' && bytes[at] != b'/' {
        at += 1;
    }
    let name = rest[1..at].to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut self_closing = false;
    loop {
        while at < bytes.len() && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            self_closing = bytes[at] == b'/';
            at += 1;
        }
        match bytes.get(at) {
            None => return None,
            Some(b'>') => {
                return Some(OpenTag { name, attributes, self_closing, len: at + 1 });
            }
            Some(_) => {}
        }
        self_closing = false;
        let start = at;
        while at < bytes.len() && !bytes[at].is_ascii_whitespace() && !matches!(bytes[at], b'/' | b'>' | b'=') {
            at += 1;
        }
        // `=` can begin an attribute name in HTML's grammar; take it as part of the name.
        if at == start {
            at += 1;
        }
        let attribute = rest[start..at].to_ascii_lowercase();
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let mut value = None;
        if bytes.get(at) == Some(&b'=') && at > start {
            at += 1;
            while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            match bytes.get(at) {
                None => return None,
                Some(&quote @ (b'"' | b'\'')) => {
                    let end = memchr(quote, &bytes[at + 1..])? + at + 1;
                    value = Some(rest[at + 1..end].to_string());
                    at = end + 1;
                }
                Some(_) => {
                    let start = at;
                    while at < bytes.len() && !bytes[at].is_ascii_whitespace() && bytes[at] != b'>' {
                        at += 1;
                    }
                    value = Some(rest[start..at].to_string());
                }
            }
        }
        attributes.push((attribute, value));
    }
}

/// The lowercased element name at the start of a closing tag's inside.
fn tag_name(inside: &str) -> String {
    inside.split(|c: char| c.is_ascii_whitespace() || c == '/').next().unwrap_or_default().to_ascii_lowercase()
}

enum Value<'v> {
    Flag,
    Text(&'v str),
}

/// Whether `attribute` (with `value`) may stay on `element`, and how to write it.
fn allowed_value<'v>(element: &str, attribute: &str, value: Option<&'v str>) -> Option<Value<'v>> {
    let text = value.unwrap_or("");
    let number = |signed: bool| {
        let digits = if signed { text.strip_prefix('-').unwrap_or(text) } else { text };
        (!digits.is_empty() && digits.len() <= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(Value::Text(text))
    };
    match (element, attribute) {
        (_, "title" | "lang") => Some(Value::Text(text)),
        (_, "dir") => matches!(text, "ltr" | "rtl" | "auto").then_some(Value::Text(text)),
        ("time" | "del" | "ins", "datetime") | ("data", "value") | ("th", "abbr") => Some(Value::Text(text)),
        ("td" | "th", "colspan" | "rowspan") | ("col" | "colgroup", "span") | ("li", "value") => number(false),
        ("ol", "start") => number(true),
        ("ol", "type") => matches!(text, "1" | "a" | "A" | "i" | "I").then_some(Value::Text(text)),
        ("ol", "reversed") | ("details", "open") => Some(Value::Flag),
        ("th", "scope") => matches!(text, "row" | "col" | "rowgroup" | "colgroup").then_some(Value::Text(text)),
        _ => None,
    }
}

/// Decodes the character references a URL may contain; `None` for references it cannot judge.
///
/// Browsers decode references in attribute values before they read the URL, so
/// `jav&#x61;script:` is a script URL: the policy must see the decoded form. Tabs and line breaks
/// are dropped, as browsers drop them from URLs.
fn decode_url(value: &str) -> Option<String> {
    let mut decoded = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        decoded.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '#')).unwrap_or(after.len());
        let reference = &after[..end];
        let consumed = if after[end..].starts_with(';') { end + 1 } else { end };
        let character = if let Some(number) = reference.strip_prefix('#') {
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse::<u32>().ok(),
            };
            Some(code.and_then(char::from_u32).unwrap_or('\u{FFFD}'))
        } else {
            match reference {
                "" => Some('&'),
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "colon" => Some(':'),
                "sol" => Some('/'),
                "period" => Some('.'),
                "num" => Some('#'),
                "quest" => Some('?'),
                "equals" => Some('='),
                "Tab" | "NewLine" => Some('\n'),
                _ => None,
            }
        };
        decoded.push(character?);
        rest = if reference.is_empty() { after } else { &after[consumed..] };
    }
    decoded.push_str(rest);
    let cleaned: String = decoded.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let trimmed = cleaned.trim_matches(|c: char| c <= ' ');
    Some(trimmed.to_string())
}

/// Writes raw text escaped, keeping well-formed character references as they are.
fn write_text(text: &str, out: &mut Output<'_>) {
    if text.is_empty() {
        return;
    }
    write_escaped(text, out.html);
    out.text.push_str(text);
    if !text.ends_with(' ') {
        out.text.push(' ');
    }
}

fn write_escaped(text: &str, html: &mut String) {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<', '>', '"']) {
        html.push_str(&rest[..i]);
        match rest.as_bytes()[i] {
            b'&' if is_reference(&rest[i + 1..]) => html.push('&'),
            b'&' => html.push_str("&amp;"),
            b'<' => html.push_str("&lt;"),
            b'>' => html.push_str("&gt;"),
            _ => html.push_str("&quot;"),
        }
        rest = &rest[i + 1..];
    }
    html.push_str(rest);
}

/// `name;`, `#123;` or `#x1F;` at the start of `after`: a character reference to keep.
fn is_reference(after: &str) -> bool {
    let Some(end) = after.find(';') else { return false };
    let body = &after[..end];
    if end == 0 || end > 32 {
        return false;
    }
    if let Some(number) = body.strip_prefix('#') {
        return match number.strip_prefix(['x', 'X']) {
            Some(hex) => !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()),
            None => !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()),
        };
    }
    body.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn find(haystack: &str, from: usize, needle: &str) -> Option<usize> {
    haystack[from..].find(needle).map(|i| from + i)
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept_relative(url: &str) -> Result<Href, Refusal> {
        if url.starts_with("https://") {
            Ok(Href { url: url.to_string(), external: true })
        } else if url.contains(':') {
            Err(Refusal { message: format!("refused {url}"), help: None })
        } else {
            Ok(Href { url: url.to_string(), external: false })
        }
    }

    /// Sanitizes fragments as one document at depth 0 and closes what is left open.
    fn clean(fragments: &[&str]) -> (String, Vec<Finding>) {
        let mut sanitizer = Sanitizer::new();
        let mut html = String::new();
        let mut text = String::new();
        let mut findings = Vec::new();
        for fragment in fragments {
            let mut out = Output { html: &mut html, text: &mut text, findings: &mut findings };
            sanitizer.fragment(fragment, 0, &mut accept_relative, &mut out);
        }
        let mut out = Output { html: &mut html, text: &mut text, findings: &mut findings };
        sanitizer.flush(&mut out);
        sanitizer.finish(&mut html);
        (html, findings)
    }

    #[test]
    fn allowed_markup_survives_with_allowed_attributes_only() {
        let (html, findings) =
            clean(&[r#"<abbr title="Gigawatt" onclick="x()">GW</abbr> and <sup>2</sup> <td colspan=2 style=x>"#]);
        assert_eq!(html, r#"<abbr title="Gigawatt">GW</abbr> and <sup>2</sup> <td colspan="2"></td>"#);
        assert_eq!(
            findings,
            [
                Finding::Attribute { offset: 0, element: "abbr", name: "onclick".to_string() },
                Finding::Attribute { offset: 64, element: "td", name: "style".to_string() },
            ]
        );
    }

    #[test]
    fn scripts_vanish_with_their_content_even_across_fragments() {
        let (html, findings) = clean(&["<p>a<script>alert(1)", "</p><b>x</b>", "</SCRIPT >b</p>"]);
        assert_eq!(html, "<p>ab</p>");
        assert_eq!(findings, [Finding::Element { offset: 4, name: "<script>".to_string() }]);
        let (html, _) = clean(&["<svg><svg></svg><script>x</script></svg>after"]);
        assert_eq!(html, "after");
    }

    #[test]
    fn unknown_elements_lose_their_tags_but_keep_their_text() {
        let (html, findings) = clean(&["<font color=red>red</font> <img src=x onerror=alert(1)>"]);
        assert_eq!(html, "red ");
        assert_eq!(findings.len(), 3);
    }

    #[test]
    fn links_go_through_the_link_policy_after_decoding_references() {
        let (html, findings) = clean(&[
            r#"<a href="https://example.com/a?b=1&amp;c=2">x</a> <a href="jav&#x61;script&colon;alert(1)">y</a> <a href=" java	script:z">z</a> <a href="&unknown;x">w</a>"#,
        ]);
        assert_eq!(
            html,
            concat!(
                r#"<a href="https://example.com/a?b=1&amp;c=2" class="external" rel="external noopener">x<span class="visually-hidden"> (external link)</span></a>"#,
                r#" <a>y</a> <a>z</a> <a>w</a>"#
            )
        );
        let refused: Vec<_> = findings
            .iter()
            .filter_map(|f| match f {
                Finding::Url { refusal, .. } => Some(refusal.message.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(refused[0], "refused javascript:alert(1)");
        assert_eq!(refused[1], "refused javascript:z");
        assert!(refused[2].contains("character references"));
    }

    #[test]
    fn text_is_escaped_but_references_are_kept() {
        let (html, _) = clean(&["<p>AT&T &amp; 3 < 4 &#x3C; \"q\" &bogus</p>"]);
        assert_eq!(html, "<p>AT&amp;T &amp; 3 &lt; 4 &#x3C; &quot;q&quot; &amp;bogus</p>");
    }

    #[test]
    fn stray_closers_cannot_close_the_page_and_open_elements_are_closed() {
        let (html, findings) = clean(&["</div></main><div><em>open"]);
        assert_eq!(html, "<div><em>open</em></div>");
        assert_eq!(findings.len(), 2);
        assert!(matches!(&findings[0], Finding::StrayClose { name, .. } if name == "div"));
    }

    #[test]
    fn elements_close_when_their_markdown_block_ends() {
        let mut sanitizer = Sanitizer::new();
        let (mut html, mut text, mut findings) = (String::new(), String::new(), Vec::new());
        let mut out = Output { html: &mut html, text: &mut text, findings: &mut findings };
        sanitizer.fragment("<details>", 0, &mut accept_relative, &mut out);
        sanitizer.fragment("<span>", 1, &mut accept_relative, &mut out);
        sanitizer.fragment("</details>", 1, &mut accept_relative, &mut out);
        sanitizer.close_deeper_than(0, out.html);
        sanitizer.fragment("</details>", 0, &mut accept_relative, &mut out);
        assert_eq!(html, "<details><span></span></details>");
        assert_eq!(findings.len(), 1);
    }

    #[test]
    fn tags_split_over_lines_and_comments_are_handled() {
        let (html, _) = clean(&["<abbr\n", "  title=\"a\nb\">x</abbr><!-- hidden\n", "still -->y<!-->z"]);
        assert_eq!(html, "<abbr title=\"a\nb\">x</abbr>yz");
        let (html, _) = clean(&["a <b", "c"]);
        assert_eq!(html, "a &lt;bc");
    }
}
