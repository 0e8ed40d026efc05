//! The offline search index: a small inverted index written as a script file.
//!
//! Pages load `search-index.js` with a plain `<script>` tag (no `fetch`, no modules), so search
//! works when the site is opened from `file://`. The index holds, per document, its type, title,
//! path and a short snippet, and per term the documents it occurs in with a weight: titles and
//! company names weigh most, then headings and summaries, then body words (counted, never
//! stored verbatim), so the index stays a fraction of the size of the text.

use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;

use serde::Serialize;

use super::markdown::Heading;
use super::paths;
use crate::model::{Brief, Company, Deal, Site};

/// A document as search results show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchDoc {
    /// `brief`, `deal`, `company`, `page` or `series`.
    pub kind: &'static str,
    pub title: String,
    pub path: String,
    pub snippet: String,
}

/// A term and its `(document number, weight)` pairs.
pub type TermPostings = (Box<str>, Vec<(u32, u32)>);

/// The index: documents and, for each term (sorted), `(document number, weight)` pairs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchIndex {
    pub docs: Vec<SearchDoc>,
    pub terms: Vec<TermPostings>,
}

const TITLE: u32 = 10;
const NAME: u32 = 8;
const HEADING: u32 = 4;
const SUMMARY: u32 = 3;
const BODY: u32 = 1;
/// Body occurrences beyond this add nothing: long briefs must not drown short deal pages.
const BODY_CAP: u32 = 5;
const SNIPPET: usize = 160;

/// Sorted, for binary search.
/// The stop words, as a list for tests; `is_stopword` holds the same words.
#[cfg(test)]
const STOPWORDS: [&str; 42] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "into", "is", "it",
    "its", "not", "of", "on", "or", "over", "than", "that", "the", "their", "them", "there", "these", "they", "this",
    "to", "up", "was", "were", "which", "while", "who", "will", "with", "would",
];

fn is_stopword(word: &str) -> bool {
    // Every stop word starts with one of these letters: one bit test turns most words away.
    if !matches!(word.as_bytes().first(), Some(b'a' | b'b' | b'f' | b'h' | b'i' | b'n' | b'o' | b't' | b'u' | b'w')) {
        return false;
    }
    // A match compiles to a comparison by length first, much cheaper than a search.
    matches!(
        word,
        "a" | "an"
            | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "but"
            | "by"
            | "for"
            | "from"
            | "has"
            | "have"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "not"
            | "of"
            | "on"
            | "or"
            | "over"
            | "than"
            | "that"
            | "the"
            | "their"
            | "them"
            | "there"
            | "these"
            | "they"
            | "this"
            | "to"
            | "up"
            | "was"
            | "were"
            | "which"
            | "while"
            | "who"
            | "will"
            | "with"
            | "would"
    )
}

/// Byte classes for the term scanner, one table lookup per byte.
const WORD: u8 = 1;
/// An ASCII capital: the word needs lowercasing.
const UPPER: u8 = 2;
/// Part of a non-ASCII character: the word needs Unicode handling.
const NON_ASCII: u8 = 4;

/// Words are ASCII letters and digits, and any byte of a non-ASCII character.
const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            table[b] = WORD;
        }
        if byte.is_ascii_uppercase() {
            table[b] |= UPPER;
        }
        if byte >= 0x80 {
            table[b] = WORD | NON_ASCII;
        }
        b += 1;
    }
    table
};

/// Calls `each` with every search term of `text`: lowercase runs of letters and digits, stop
/// words and single letters dropped. ASCII is scanned byte by byte; other text goes through
/// Unicode lowercasing. Reuses `buffer`, so nothing is allocated per word.
fn for_each_term(text: &str, buffer: &mut String, mut each: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if CLASS[usize::from(bytes[i])] & WORD == 0 {
            i += 1;
            continue;
        }
        let start = i;
        let mut seen = 0;
        while let Some(&byte) = bytes.get(i) {
            let class = CLASS[usize::from(byte)];
            if class & WORD == 0 {
                break;
            }
            seen |= class;
            i += 1;
        }
        let word = &text[start..i];
        if seen & NON_ASCII != 0 {
            // Non-ASCII runs may hold punctuation (em dashes, curly quotes): split on it.
            for part in word.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()) {
                buffer.clear();
                buffer.extend(part.chars().flat_map(char::to_lowercase));
                emit(buffer, &mut each);
            }
        } else if seen & UPPER != 0 {
            buffer.clear();
            buffer.push_str(word);
            buffer.make_ascii_lowercase();
            emit_ascii(buffer, &mut each);
        } else {
            // Already lowercase ASCII, the common case: no copy.
            emit_ascii(word, &mut each);
        }
    }
}

fn emit(term: &str, each: &mut impl FnMut(&str)) {
    let single = term.len() == 1 || (term.len() <= 4 && term.chars().nth(1).is_none());
    if (single && !term.as_bytes()[0].is_ascii_digit()) || is_stopword(term) {
        return;
    }
    each(term);
}

/// [`emit`] for an ASCII term, where one byte is one letter.
fn emit_ascii(term: &str, each: &mut impl FnMut(&str)) {
    let bytes = term.as_bytes();
    let single = bytes.len() == 1 && !bytes[0].is_ascii_digit();
    // No stop word is longer than five letters.
    if single || (bytes.len() <= 5 && is_stopword(term)) {
        return;
    }
    each(term);
}

/// Splits text into lowercase search terms: letters and digits, stop words and single letters dropped.
pub fn terms(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut buffer = String::new();
    for_each_term(text, &mut buffer, |term| found.push(term.to_string()));
    found
}

fn snippet(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= SNIPPET {
        return text.to_string();
    }
    let cut: String = text.chars().take(SNIPPET).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

/// An index under construction: terms interned to numbers, postings in document order.
#[derive(Default)]
struct Builder {
    /// Number of the first document of this builder (chunks of briefs are built in parallel).
    first_doc: usize,
    docs: Vec<SearchDoc>,
    ids: HashMap<Box<str>, u32>,
    terms: Vec<Box<str>>,
    postings: Vec<Vec<(u32, u32)>>,
    buffer: String,
    /// Body counts of the current document, by term id, and the ids touched.
    counts: Vec<u32>,
    touched: Vec<u32>,
}

impl Builder {
    fn starting_at(first_doc: usize) -> Builder {
        Builder { first_doc, ..Builder::default() }
    }

    fn doc(&mut self, doc: SearchDoc) -> usize {
        self.docs.push(doc);
        self.first_doc + self.docs.len() - 1
    }

    fn term_id(
        ids: &mut HashMap<Box<str>, u32>,
        terms: &mut Vec<Box<str>>,
        postings: &mut Vec<Vec<(u32, u32)>>,
        term: &str,
    ) -> u32 {
        if let Some(id) = ids.get(term) {
            return *id;
        }
        let id = terms.len() as u32;
        ids.insert(term.into(), id);
        terms.push(term.into());
        postings.push(Vec::new());
        id
    }

    fn credit(postings: &mut [Vec<(u32, u32)>], id: u32, doc: usize, weight: u32) {
        let doc = doc as u32;
        let list = &mut postings[id as usize];
        match list.last_mut() {
            Some((last, w)) if *last == doc => *w += weight,
            _ => list.push((doc, weight)),
        }
    }

    fn add(&mut self, doc: usize, text: &str, weight: u32) {
        let Builder { ids, terms, postings, buffer, .. } = self;
        for_each_term(text, buffer, |term| {
            let id = Self::term_id(ids, terms, postings, term);
            Self::credit(postings, id, doc, weight);
        });
    }

    /// Body words: each occurrence counts, up to a cap per term.
    fn add_body(&mut self, doc: usize, text: &str) {
        let Builder { ids, terms, postings, buffer, counts, touched, .. } = self;
        for_each_term(text, buffer, |term| {
            let id = Self::term_id(ids, terms, postings, term);
            let slot = id as usize;
            if slot >= counts.len() {
                counts.resize(slot + 1, 0);
            }
            if counts[slot] == 0 {
                touched.push(id);
            }
            counts[slot] += 1;
        });
        // Each term has its own postings list, so the order of crediting does not matter.
        for id in touched.drain(..) {
            let count = std::mem::take(&mut counts[id as usize]);
            Self::credit(postings, id, doc, count.min(BODY_CAP) * BODY);
        }
    }

    /// Appends a builder of later documents.
    fn absorb(&mut self, other: Builder) {
        self.docs.extend(other.docs);
        for (term, list) in other.terms.iter().zip(other.postings) {
            let id = Self::term_id(&mut self.ids, &mut self.terms, &mut self.postings, term);
            self.postings[id as usize].extend(list);
        }
    }

    fn finish(self) -> SearchIndex {
        let mut terms: Vec<TermPostings> = self.terms.into_iter().zip(self.postings).collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        SearchIndex { docs: self.docs, terms }
    }
}

/// What the index needs from a rendered brief: its plain text and headings.
pub struct BriefText<'a> {
    pub brief: &'a Brief,
    pub text: &'a str,
    pub headings: &'a [Heading],
}

fn company_names(site: &Site, id: &str) -> String {
    site.company(id).map_or_else(|| id.to_string(), |c| format!("{} {}", c.name, c.short_name.as_deref().unwrap_or("")))
}

fn add_briefs(builder: &mut Builder, briefs: &[BriefText<'_>]) {
    for entry in briefs {
        let brief = entry.brief;
        let doc = builder.doc(SearchDoc {
            kind: "brief",
            title: brief.title.clone(),
            path: paths::brief(&brief.slug),
            snippet: snippet(&brief.summary),
        });
        builder.add(doc, &brief.title, TITLE);
        builder.add(doc, &brief.summary, SUMMARY);
        builder.add(doc, &brief.tags.join(" "), HEADING);
        for heading in entry.headings {
            builder.add(doc, &heading.text, HEADING);
        }
        builder.add_body(doc, entry.text);
    }
}

/// Builds the index; briefs are indexed in parallel chunks, then merged in order.
pub fn build(site: &Site, briefs: &[BriefText<'_>]) -> SearchIndex {
    // One chunk per thread: each chunk holds its own vocabulary until the merge.
    let chunk = briefs.len().div_ceil(rayon::current_num_threads().max(1)).max(1);
    let chunks: Vec<Builder> = briefs
        .par_chunks(chunk)
        .enumerate()
        .map(|(i, part)| {
            let mut builder = Builder::starting_at(i * chunk);
            add_briefs(&mut builder, part);
            builder
        })
        .collect();
    // The first chunk starts at document 0 and becomes the builder: its terms are not interned again.
    let mut chunks = chunks.into_iter();
    let mut builder = chunks.next().unwrap_or_default();
    for chunk in chunks {
        builder.absorb(chunk);
    }
    for deal in &site.deals {
        add_deal(&mut builder, site, deal);
    }
    for company in &site.companies {
        add_company(&mut builder, company);
    }
    for page in &site.pages {
        let doc = builder.doc(SearchDoc {
            kind: "page",
            title: page.title.clone(),
            path: paths::page(&page.slug),
            snippet: snippet(page.summary.as_deref().unwrap_or("")),
        });
        builder.add(doc, &page.title, TITLE);
        builder.add(doc, page.summary.as_deref().unwrap_or(""), SUMMARY);
        builder.add_body(doc, page.body());
    }
    for series in &site.series {
        let doc = builder.doc(SearchDoc {
            kind: "data",
            title: series.title.clone(),
            path: paths::series(&series.id),
            snippet: snippet(&series.summary),
        });
        builder.add(doc, &series.title, TITLE);
        builder.add(doc, &series.summary, SUMMARY);
        for line in &series.lines {
            builder.add(doc, &line.label, NAME);
        }
    }
    builder.finish()
}

fn add_deal(builder: &mut Builder, site: &Site, deal: &Deal) {
    let doc = builder.doc(SearchDoc {
        kind: "deal",
        title: deal.title.clone(),
        path: paths::deal(&deal.id),
        snippet: snippet(&deal.summary),
    });
    builder.add(doc, &deal.title, TITLE);
    for party in deal.parties() {
        builder.add(doc, &company_names(site, party), NAME);
    }
    builder.add(doc, &format!("{} {}", deal.kind.label(), deal.chips.join(" ")), HEADING);
    builder.add(doc, &deal.summary, SUMMARY);
    if let Some(notes) = &deal.notes {
        builder.add_body(doc, notes);
    }
}

fn add_company(builder: &mut Builder, company: &Company) {
    let doc = builder.doc(SearchDoc {
        kind: "company",
        title: company.name.clone(),
        path: paths::company(&company.id),
        snippet: snippet(&company.description),
    });
    builder.add(doc, &format!("{} {}", company.name, company.short_name.as_deref().unwrap_or("")), 3 * TITLE);
    builder.add(doc, company.role.label(), HEADING);
    builder.add_body(doc, &company.description);
}

/// Appends a number in decimal, without the formatting machinery (the index has millions).
fn push_number(out: &mut Vec<u8>, mut value: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    // Byte pushes: a `memcpy` call costs more than a handful of digits.
    for &digit in &digits[at..] {
        out.push(digit);
    }
}

impl SearchIndex {
    /// The index as a script that sets `window.INFRABRIEF_SEARCH`.
    pub fn to_script(&self) -> String {
        let postings: usize = self.terms.iter().map(|(_, p)| p.len()).sum();
        // Written as bytes (cheaper pushes than `String`'s), and checked as UTF-8 once at the end.
        let mut script = Vec::with_capacity(64 + self.docs.len() * 200 + self.terms.len() * 12 + postings * 8);
        script.extend_from_slice(b"window.INFRABRIEF_SEARCH={\"docs\":[");
        for (i, doc) in self.docs.iter().enumerate() {
            if i > 0 {
                script.push(b',');
            }
            script.push(b'[');
            for (j, field) in [doc.kind, doc.title.as_str(), doc.path.as_str(), doc.snippet.as_str()].iter().enumerate()
            {
                if j > 0 {
                    script.push(b',');
                }
                push_json_string(&mut script, field);
            }
            script.push(b']');
        }
        script.extend_from_slice(b"],\"terms\":{");
        for (i, (term, postings)) in self.terms.iter().enumerate() {
            if i > 0 {
                script.push(b',');
            }
            push_json_string(&mut script, term);
            script.extend_from_slice(b":[");
            for (j, (doc, weight)) in postings.iter().enumerate() {
                if j > 0 {
                    script.push(b',');
                }
                push_number(&mut script, *doc);
                script.push(b',');
                push_number(&mut script, *weight);
            }
            script.push(b']');
        }
        script.extend_from_slice(b"}};\n");
        // Only whole strings and ASCII were written, so this never takes the lossy path.
        String::from_utf8(script).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
    }
}

/// Bytes that [`push_json_string`] must look at: quotes, backslashes, `<`, controls, and 0xE2,
/// which starts U+2028 and U+2029.
const JSON_SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'<' as usize] = true;
    table[0xE2] = true;
    table
};

/// A JSON string; `<` is escaped too, so no `</script>` can appear in the file.
fn push_json_string(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.push(b'"');
    // Runs of ordinary bytes are copied whole.
    let mut plain = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if !JSON_SPECIAL[usize::from(byte)] {
            continue;
        }
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'<' => b"\\u003c",
            b'\n' => b"\\n",
            0xE2 => match bytes.get(i + 1..i + 3) {
                Some([0x80, 0xA8]) => b"\\u2028",
                Some([0x80, 0xA9]) => b"\\u2029",
                _ => continue,
            },
            control => &[b'\\', b'u', b'0', b'0', HEX[usize::from(control >> 4)], HEX[usize::from(control & 0xF)]],
        };
        out.extend_from_slice(&bytes[plain..i]);
        out.extend_from_slice(escape);
        plain = if byte == 0xE2 { i + 3 } else { i + 1 };
    }
    out.extend_from_slice(&bytes[plain..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lowercase_words_without_stopwords() {
        let found: Vec<String> = terms("OpenAI commits $38bn to AWS over 7 years, the GB200");
        assert_eq!(found, ["openai", "commits", "38bn", "aws", "7", "years", "gb200"]);
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut bytes = Vec::new();
        push_json_string(&mut bytes, "a \"b\" \\ </script>\n\u{1}\u{2028}\u{2029}\u{2027}\u{1f}");
        let out = String::from_utf8(bytes).expect("UTF-8");
        assert_eq!(out, "\"a \\\"b\\\" \\\\ \\u003c/script>\\n\\u0001\\u2028\\u2029\u{2027}\\u001f\"");
        let parsed: String = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(parsed, "a \"b\" \\ </script>\n\u{1}\u{2028}\u{2029}\u{2027}\u{1f}");
    }

    #[test]
    fn stopword_list_and_match_agree() {
        for word in STOPWORDS {
            assert!(is_stopword(word), "{word}");
        }
        assert!(!is_stopword("compute"));
    }

    #[test]
    fn snippets_are_cut_at_a_word() {
        let long = "word ".repeat(60);
        let cut = snippet(&long);
        assert!(cut.ends_with('…'));
        assert!(cut.chars().count() <= SNIPPET + 1);
    }
}
