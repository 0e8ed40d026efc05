//! Splitting a Markdown document into its `+++` TOML front matter and its body.
//!
//! Positions are kept as byte offsets into the file so that problems found later in the front
//! matter (a bad date) or in the body (an unknown shortcode id) point at the right line.
//! Line ends may be `\n` or `\r\n`.

use std::ops::Range;

use crate::diag::Diagnostic;

/// The two parts of a document, with their byte positions in the file.
#[derive(Debug, PartialEq)]
pub struct Split<'a> {
    pub front_matter: &'a str,
    pub front_matter_offset: usize,
    pub body: &'a str,
    pub body_offset: usize,
    /// The opening `+++` line: where problems about the front matter as a whole point.
    pub opening: Range<usize>,
}

/// Splits `text`; `file` is only used to name the file in a diagnostic.
pub fn split<'a>(file: &str, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let mut lines = LineIter { text, offset: 0 };
    let Some((first, first_range)) = lines.next() else {
        return Err(missing(file, text));
    };
    if first.trim_end() != "+++" {
        if first.starts_with("+++\r") {
            // Classic Mac line ends: the whole file reads as one line.
            return Err(Diagnostic::error(file, Some(0..3), "this file's lines end in a lone carriage return (CR)")
                .with_help("save the file with LF or CRLF line ends; CR-only line ends are not read"));
        }
        return Err(missing(file, text));
    }
    let front_matter_offset = first_range.end;
    for (line, range) in lines {
        if line.trim_end() == "+++" {
            return Ok(Split {
                front_matter: &text[front_matter_offset..range.start],
                front_matter_offset,
                body: &text[range.end..],
                body_offset: range.end,
                opening: first_range.start..first_range.start + 3,
            });
        }
    }
    Err(Diagnostic::error(file, Some(first_range.start..first_range.start + 3), "front matter is never closed")
        .with_help("end the front matter with a line holding only `+++`"))
}

fn missing(file: &str, text: &str) -> Diagnostic {
    let end = text.find(['\r', '\n']).unwrap_or(text.len()).min(3);
    let message = if text.trim().is_empty() { "the document is empty" } else { "missing front matter" };
    Diagnostic::error(file, Some(0..end), message)
        .with_help("start the file with a line `+++`, then TOML keys such as `title = \"...\"`, then `+++`")
}

/// Lines without their line end, each with the range it covers including the line end.
struct LineIter<'a> {
    text: &'a str,
    offset: usize,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = (&'a str, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.offset >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.offset..];
        let (line, consumed) = match rest.find('\n') {
            Some(i) => (rest[..i].trim_end_matches('\r'), i + 1),
            None => (rest, rest.len()),
        };
        let start = self.offset;
        self.offset += consumed;
        Some((line, start..self.offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cr_only_line_ends_are_named_not_called_missing_front_matter() {
        let error = split("a.md", "+++\rtitle = \"x\"\r+++\rBody.\r").expect_err("refused");
        assert_eq!(error.message, "this file's lines end in a lone carriage return (CR)");
        assert_eq!(error.span, Some(0..3));
        assert!(split("b.md", "+++\r\ntitle = \"x\"\r\n+++\r\nBody.\r\n").is_ok(), "CRLF is read");
    }

    #[test]
    fn splits_with_offsets() {
        let text = "+++\ntitle = \"x\"\n+++\n# Body\n";
        let split = split("a.md", text).expect("valid document");
        assert_eq!(split.front_matter, "title = \"x\"\n");
        assert_eq!(split.front_matter_offset, 4);
        assert_eq!(split.body, "# Body\n");
        assert_eq!(&text[split.body_offset..], "# Body\n");
    }

    #[test]
    fn accepts_crlf() {
        let text = "+++\r\ntitle = \"x\"\r\n+++\r\nBody\r\n";
        let split = split("a.md", text).expect("valid document");
        assert_eq!(split.front_matter, "title = \"x\"\r\n");
        assert_eq!(split.body, "Body\r\n");
    }

    #[test]
    fn reports_unterminated_and_missing() {
        let unterminated = split("a.md", "+++\ntitle = \"x\"\n").expect_err("never closed");
        assert_eq!(unterminated.message, "front matter is never closed");
        assert_eq!(unterminated.span, Some(0..3));
        let missing = split("a.md", "# Just markdown\n").expect_err("no front matter");
        assert_eq!(missing.message, "missing front matter");
        let empty = split("a.md", "  \n").expect_err("empty");
        assert_eq!(empty.message, "the document is empty");
    }
}
