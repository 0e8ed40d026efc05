//! Finding shortcodes in Markdown: `{{ name(key="value", other=2) }}`.
//!
//! A shortcode starts with `{{`, an identifier and `(`; anything else after `{{` is ordinary
//! text. Shortcodes inside code spans and code blocks are not shortcodes: a first, cheap
//! pulldown-cmark pass finds those ranges. Parsing is separate from expansion so the syntax can
//! be tested (and fuzzed) on its own; what each name means lives in `render::expand`.

use std::borrow::Cow;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

/// An argument's value. A string borrows the body unless it holds an escape.
#[derive(Clone, Debug, PartialEq)]
pub enum ArgValue<'b> {
    Text(Cow<'b, str>),
    Number(f64),
    Flag(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg<'b> {
    pub key: &'b str,
    pub key_span: Range<usize>,
    pub value: ArgValue<'b>,
    pub value_span: Range<usize>,
}

/// A shortcode as written, borrowing the Markdown body `'b`; spans are byte ranges in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Shortcode<'b> {
    pub name: &'b str,
    pub name_span: Range<usize>,
    pub args: Vec<Arg<'b>>,
    /// From `{{` to `}}` inclusive.
    pub span: Range<usize>,
}

impl<'b> Shortcode<'b> {
    pub fn arg(&self, key: &str) -> Option<&Arg<'b>> {
        self.args.iter().find(|a| a.key == key)
    }
}

/// A syntax problem; the span is in body coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
    pub help: String,
}

/// Every shortcode of `body` outside code, in order, and the syntax errors met on the way.
pub fn find(body: &str) -> (Vec<Shortcode<'_>>, Vec<SyntaxError>) {
    let mut shortcodes = Vec::new();
    let mut errors = Vec::new();
    let Some(first) = next_open(body, 0) else {
        return (shortcodes, errors);
    };
    let mut code = code_ranges(body);
    code.sort_by_key(|range| (range.start, range.end));
    // Openers are met in order, so one cursor walks the code ranges: linear in both.
    let mut next_code = 0;
    let mut from = first;
    while let Some(start) = next_open(body, from) {
        while code.get(next_code).is_some_and(|range| range.end <= start) {
            next_code += 1;
        }
        if let Some(range) = code.get(next_code).filter(|range| range.start <= start) {
            from = range.end.max(start + 2);
            continue;
        }
        match parse_at(body, start) {
            Parsed::NotShortcode => from = start + 2,
            Parsed::Shortcode(shortcode) => {
                from = shortcode.span.end;
                shortcodes.push(shortcode);
            }
            Parsed::Error(error, resume) => {
                errors.push(error);
                from = resume;
            }
        }
    }
    (shortcodes, errors)
}

/// The position of the next `{{` at or after `from`.
fn next_open(body: &str, from: usize) -> Option<usize> {
    // memchr for one brace: a `memmem` search would build its searcher on every call.
    let bytes = body.as_bytes();
    let mut at = from;
    while let Some(found) = memchr::memchr(b'{', bytes.get(at..)?) {
        let brace = at + found;
        if bytes.get(brace + 1) == Some(&b'{') {
            return Some(brace);
        }
        at = brace + 1;
    }
    None
}

/// Byte ranges of inline code and code blocks. A body without backticks, tildes, tabs or lines
/// indented by four spaces has no code, and is not parsed for it.
fn code_ranges(body: &str) -> Vec<Range<usize>> {
    let bytes = body.as_bytes();
    let may_have_code = bytes.starts_with(b"    ")
        || memchr::memchr3(b'`', b'~', b'\t', bytes).is_some()
        || memchr::memchr_iter(b'\n', bytes).any(|at| bytes[at + 1..].starts_with(b"    "));
    if !may_have_code {
        return Vec::new();
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let mut ranges = Vec::new();
    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        match event {
            Event::Code(_) | Event::Start(Tag::CodeBlock(_)) => ranges.push(range),
            _ => {}
        }
    }
    ranges
}

/// The span of the character at byte `at`; at the end of `body`, of its last character.
fn char_at(body: &str, at: usize) -> Range<usize> {
    let mut at = at.min(body.len());
    while !body.is_char_boundary(at) {
        at -= 1;
    }
    match body.get(at..).and_then(|rest| rest.chars().next()) {
        Some(c) => at..at + c.len_utf8(),
        None => body[..at].chars().next_back().map_or(at..at, |c| at - c.len_utf8()..at),
    }
}

const UNTERMINATED_HELP: &str = "a shortcode ends with `) }}` on the line where it starts";

enum Parsed<'b> {
    NotShortcode,
    Shortcode(Shortcode<'b>),
    /// A problem and where to resume scanning.
    Error(SyntaxError, usize),
}

/// A position in the body, read byte by byte: the syntax is all ASCII, and a byte of a non-ASCII
/// character never equals an ASCII one, so `pos` only stops at character boundaries.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips spaces and tabs: a shortcode never spans lines.
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn at_line_end(&self) -> bool {
        matches!(self.peek(), None | Some(b'\n' | b'\r'))
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.text.as_bytes()[self.pos..].starts_with(token.as_bytes()) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<Range<usize>> {
        let start = self.pos;
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {}
            _ => return None,
        }
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
            self.pos += 1;
        }
        Some(start..self.pos)
    }

    /// Skips the character at the cursor, however many bytes it takes.
    fn bump_char(&mut self) -> Option<char> {
        let ch = self.text[self.pos..].chars().next()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }
}

fn parse_at(body: &str, start: usize) -> Parsed<'_> {
    let mut cursor = Cursor { text: body, pos: start + 2 };
    cursor.skip_space();
    let Some(name_span) = cursor.ident() else {
        return Parsed::NotShortcode;
    };
    cursor.skip_space();
    if !cursor.eat("(") {
        return Parsed::NotShortcode;
    }
    let name = &body[name_span.clone()];
    let fail = |span: Range<usize>, message: &str, help: &str, resume: usize| {
        // A one-byte span becomes the whole character there, or the last one at the very end.
        let span = if span.len() == 1 { char_at(body, span.start) } else { span };
        Parsed::Error(SyntaxError { span, message: message.to_string(), help: help.to_string() }, resume)
    };
    let example = "write shortcodes as `{{ name(key=\"value\") }}`";
    let mut args = Vec::new();
    loop {
        cursor.skip_space();
        if cursor.eat(")") {
            break;
        }
        if cursor.at_line_end() {
            return fail(start..start + 2, "unterminated shortcode", UNTERMINATED_HELP, cursor.pos);
        }
        let Some(key_span) = cursor.ident() else {
            let at = cursor.pos;
            return fail(at..at + 1, "expected an argument name", example, at.max(start + 2));
        };
        cursor.skip_space();
        if !cursor.eat("=") {
            let at = cursor.pos;
            return fail(at..at + 1, "expected `=` after the argument name", example, at);
        }
        cursor.skip_space();
        let value_start = cursor.pos;
        let value = match cursor.peek() {
            Some(b'"') => {
                cursor.pos += 1;
                // Most strings hold no escape: they borrow the body.
                let rest = &body.as_bytes()[cursor.pos..];
                if let Some(end) = memchr::memchr3(b'"', b'\\', b'\n', rest).filter(|&i| rest[i] == b'"') {
                    let text = &body[cursor.pos..cursor.pos + end];
                    cursor.pos += end + 1;
                    ArgValue::Text(Cow::Borrowed(text))
                } else {
                    let mut text = String::new();
                    loop {
                        // Runs of ordinary characters are copied whole, up to the next byte that matters.
                        let rest = &body.as_bytes()[cursor.pos..];
                        let Some(special) = memchr::memchr3(b'"', b'\\', b'\n', rest) else {
                            return fail(
                                value_start..value_start + 1,
                                "unterminated string in shortcode",
                                "close the string with `\"`",
                                body.len(),
                            );
                        };
                        text.push_str(&body[cursor.pos..cursor.pos + special]);
                        let backslash = cursor.pos + special;
                        cursor.pos += special + 1;
                        match rest[special] {
                            b'"' => break,
                            b'\\' => match cursor.bump_char() {
                                Some('"') => text.push('"'),
                                Some('\\') => text.push('\\'),
                                Some('n') => text.push('\n'),
                                None => {
                                    return fail(
                                        value_start..value_start + 1,
                                        "unterminated string in shortcode",
                                        "close the string with `\"`",
                                        body.len(),
                                    );
                                }
                                Some(_) => {
                                    // From the backslash through the escaped character, however
                                    // many bytes that character takes.
                                    return fail(
                                        backslash..cursor.pos,
                                        "unknown escape in shortcode string",
                                        "only `\\\"`, `\\\\` and `\\n` are allowed",
                                        cursor.pos,
                                    );
                                }
                            },
                            _ => {
                                return fail(
                                    value_start..value_start + 1,
                                    "unterminated string in shortcode",
                                    "close the string with `\"` on the same line",
                                    cursor.pos,
                                );
                            }
                        }
                    }
                    ArgValue::Text(Cow::Owned(text))
                }
            }
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b'.' => {
                while cursor.peek().is_some_and(|c| c.is_ascii_digit() || matches!(c, b'-' | b'.' | b'e' | b'E' | b'_'))
                {
                    cursor.pos += 1;
                }
                let written = &body[value_start..cursor.pos];
                let parsed = if written.contains('_') {
                    written.replace('_', "").parse::<f64>()
                } else {
                    written.parse::<f64>()
                };
                match parsed {
                    Ok(n) if n.is_finite() => ArgValue::Number(n),
                    _ => {
                        return fail(
                            value_start..cursor.pos,
                            "invalid number in shortcode",
                            "write a number such as `3` or `4.5`",
                            cursor.pos,
                        );
                    }
                }
            }
            _ => {
                if cursor.eat("true") {
                    ArgValue::Flag(true)
                } else if cursor.eat("false") {
                    ArgValue::Flag(false)
                } else {
                    let at = cursor.pos;
                    return fail(
                        at..at + 1,
                        "expected a value: a \"string\", a number, true or false",
                        example,
                        at.max(start + 2),
                    );
                }
            }
        };
        let value_span = value_start..cursor.pos;
        args.push(Arg { key: &body[key_span.clone()], key_span, value, value_span });
        cursor.skip_space();
        if cursor.eat(",") {
            continue;
        }
        if cursor.eat(")") {
            break;
        }
        if cursor.at_line_end() {
            return fail(start..start + 2, "unterminated shortcode", UNTERMINATED_HELP, cursor.pos);
        }
        let at = cursor.pos;
        return fail(at..at + 1, "expected `,` or `)` in shortcode", example, at);
    }
    cursor.skip_space();
    if !cursor.eat("}}") {
        let at = cursor.pos;
        return fail(start..start + 2, "unterminated shortcode", UNTERMINATED_HELP, at.max(start + 2));
    }
    Parsed::Shortcode(Shortcode { name, name_span, args, span: start..cursor.pos })
}

#[cfg(test)]
mod tests {
    #[test]
    fn error_spans_cover_whole_characters_inside_the_body() {
        for body in ["{{ a(x", "{{ a(x=", "{{ a(x=1 ", "{{ a(\"", "{{ a(x=\"", "{{ a(é", "{{ a(x=é)}}"] {
            let (_, errors) = find(body);
            assert!(!errors.is_empty(), "{body:?}");
            for error in &errors {
                assert!(
                    error.span.end <= body.len() && body.get(error.span.clone()).is_some(),
                    "{body:?}: {:?}",
                    error.span
                );
            }
        }
        assert_eq!(char_at("ab", 2), 1..2);
        assert_eq!(char_at("aé", 1), 1..3);
        assert_eq!(char_at("", 0), 0..0);
    }

    use super::*;

    #[test]
    fn an_unknown_escape_is_shown_from_its_backslash_whatever_the_character() {
        for (body, escaped) in [
            (r#"{{ company(id="\q") }}"#, r"\q"),
            (r#"{{ company(id="\é") }}"#, r"\é"),
            (r#"{{ company(id="ab\😀") }}"#, r"\😀"),
        ] {
            let (_, errors) = find(body);
            assert_eq!(errors.len(), 1, "{body}: {errors:?}");
            assert_eq!(errors[0].message, "unknown escape in shortcode string");
            assert_eq!(body.get(errors[0].span.clone()), Some(escaped), "{body}");
        }
        // A backslash at the very end leaves the string unterminated, not badly escaped.
        let (_, errors) = find("{{ company(id=\"\\");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, "unterminated string in shortcode");
    }

    #[test]
    fn parses_arguments_with_spans() {
        let body = "Worth {{ value(deal=\"openai-aws-2025\", field = \"term\") }} in all.";
        let (found, errors) = find(body);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(found.len(), 1);
        let shortcode = &found[0];
        assert_eq!(shortcode.name, "value");
        assert_eq!(&body[shortcode.span.clone()], "{{ value(deal=\"openai-aws-2025\", field = \"term\") }}");
        assert_eq!(shortcode.args[0].value, ArgValue::Text(Cow::Borrowed("openai-aws-2025")));
        assert_eq!(&body[shortcode.args[1].value_span.clone()], "\"term\"");
    }

    #[test]
    fn skips_code_spans_and_blocks() {
        let body =
            "Use `{{ value(deal=\"x\") }}` like this:\n\n```\n{{ deal(id=\"y\") }}\n```\n\n{{ company(id=\"aws\") }}\n";
        let (found, errors) = find(body);
        assert!(errors.is_empty());
        assert_eq!(found.iter().map(|s| s.name).collect::<Vec<_>>(), vec!["company"]);
    }

    #[test]
    fn plain_braces_are_text() {
        let (found, errors) = find("Templates use {{ variables }} and {{ }}.");
        assert!(found.is_empty());
        assert!(errors.is_empty());
    }

    #[test]
    fn reports_unterminated() {
        let body = "Text {{ value(deal=\"x\"";
        let (found, errors) = find(body);
        assert!(found.is_empty());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "unterminated shortcode");
        assert_eq!(errors[0].span, 5..7);
        let (_, errors) = find("{{ value(deal=\"x) }}\nmore");
        assert_eq!(errors[0].message, "unterminated string in shortcode");
        let (_, errors) = find("{{ value(deal=\"x\") ");
        assert_eq!(errors[0].message, "unterminated shortcode");
        let (_, errors) = find("{{ value(deal=\"x\"\nmore text) }}");
        assert_eq!(errors[0].message, "unterminated shortcode");
        assert_eq!(errors[0].span, 0..2);
    }

    #[test]
    fn strings_borrow_the_body_unless_they_hold_an_escape() {
        let (found, errors) = find(r#"{{ company(id="aws", text="the \"big\" cloud\\") }}"#);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(matches!(&found[0].args[0].value, ArgValue::Text(Cow::Borrowed("aws"))), "{:?}", found[0].args[0]);
        match &found[0].args[1].value {
            ArgValue::Text(Cow::Owned(text)) => assert_eq!(text, r#"the "big" cloud\"#),
            other => panic!("an escaped string is unescaped into its own text: {other:?}"),
        }
    }

    #[test]
    fn numbers_and_flags() {
        let (found, _) = find("{{ chart(name=\"x\", top=5, legend=false) }}");
        assert_eq!(found[0].args[1].value, ArgValue::Number(5.0));
        assert_eq!(found[0].args[2].value, ArgValue::Flag(false));
    }
}
