//! The offline search index: a small inverted index written as a script file.
//!
//! Pages load `search-index.js` with a plain `<script>` tag (no `fetch`, no modules), so search
//! works when the site is opened from `file://`. The index holds, per document, its type, title,
//! path and a short snippet, and per term the documents it occurs in with a weight: titles and
//! company names weigh most, then headings and summaries, then body words (counted, never
//! stored verbatim), so the index stays a fraction of the size of the text. A term's documents
//! are in ascending order and written as gaps (`[first, weight, gap, weight, ...]`). The file
//! names its [`FORMAT`], and `search.js` refuses an index of another format (a stale cached copy)
//! rather than read it wrongly.

use rayon::prelude::*;

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

/// The index: documents and, for each term (sorted), where its postings are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchIndex {
    pub docs: Vec<SearchDoc>,
    /// Per part of the index (a run of briefs, and the rest), its [`Postings`].
    postings: Vec<Postings>,
    /// Each term and its runs of postings, one per part it occurs in, in document order.
    terms: Vec<(Box<str>, Vec<Run>)>,
}

/// The postings of one part of the index: for each of its terms, the documents it occurs in,
/// ascending, with their weights, as `(gap, weight)` pairs in LEB128, where the gap is the
/// distance from the document before and the first gap of each term counts from 0 (it is the
/// document's number). The terms' runs of pairs lie one after the other. Most postings take two
/// bytes where a pair of integers would take eight, which keeps a large site's index small while
/// it is built.
pub type Postings = Vec<u8>;

/// Where one term's postings of one part are: the part and the range of its bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Run {
    part: u32,
    start: u32,
    end: u32,
}

/// A term credited to a document with a weight, as a builder records it: the term is its number
/// in the builder's vocabulary. Credits are kept in the order they come (document by document)
/// and sorted by term only when the builder is sealed, so that crediting is one write at the
/// end of an array rather than an update of the term's list somewhere in memory.
#[derive(Clone, Copy, Debug, Default)]
struct Credit {
    term: u32,
    doc: u32,
    weight: u32,
}

/// Appends `value` in LEB128: seven bits a byte, lowest first, the high bit set on all but the last.
fn push_leb128(out: &mut Vec<u8>, mut value: u32) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Appends a posting, `(gap, weight)`, in LEB128: both fit a byte, as nearly all do, in one
/// write of two bytes.
fn push_pair(out: &mut Vec<u8>, gap: u32, weight: u32) {
    if gap < 0x80 && weight < 0x80 {
        out.extend_from_slice(&[gap as u8, weight as u8]);
    } else {
        push_leb128(out, gap);
        push_leb128(out, weight);
    }
}

/// The LEB128 number at the start of `bytes` and its length in bytes.
fn read_leb128(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value = 0u32;
    for (i, &byte) in bytes.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The `(document, weight)` pairs of a term's runs, in order: each run's gaps count from its
/// first document, whose gap counts from 0.
fn documents<'a>(postings: &'a [Postings], runs: &'a [Run]) -> impl Iterator<Item = (u32, u32)> + 'a {
    runs.iter().flat_map(move |run| {
        let mut rest = postings
            .get(run.part as usize)
            .and_then(|bytes| bytes.get(run.start as usize..run.end as usize))
            .unwrap_or(&[]);
        let mut doc = 0u32;
        std::iter::from_fn(move || {
            let (gap, length) = read_leb128(rest)?;
            let (weight, more) = read_leb128(rest.get(length..)?)?;
            rest = rest.get(length + more..)?;
            doc += gap;
            Some((doc, weight))
        })
    })
}

/// The format of `search-index.js`, which `static/assets/search.js` checks (its `FORMAT`): raise
/// both together whenever the layout changes. 2 is the first index to name its format (its
/// documents are written as gaps, as since the format before it, which had no such field and
/// is now refused along with any other).
pub const FORMAT: u32 = 2;

const TITLE: u32 = 10;
const NAME: u32 = 8;
const HEADING: u32 = 4;
const SUMMARY: u32 = 3;
const BODY: u32 = 1;
/// Body occurrences beyond this add nothing: long briefs must not drown short deal pages.
const BODY_CAP: u32 = 5;
const SNIPPET: usize = 160;

/// The words too common to index: none is longer than five letters.
const STOPWORDS: [&str; 42] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "into", "is", "it",
    "its", "not", "of", "on", "or", "over", "than", "that", "the", "their", "them", "there", "these", "they", "this",
    "to", "up", "was", "were", "which", "while", "who", "will", "with", "would",
];

/// Whether a lowercase term stays out of the index: a stop word, or a single character other
/// than an ASCII digit. The vocabulary asks once per distinct term, not once per word.
fn is_dropped(term: &[u8]) -> bool {
    let single = match std::str::from_utf8(term) {
        Ok(text) => text.chars().nth(1).is_none(),
        Err(_) => false,
    };
    (single && !term.first().is_some_and(u8::is_ascii_digit)) || STOPWORDS.iter().any(|stop| stop.as_bytes() == term)
}

/// A word as the scanner hands it over, lowercased.
#[derive(Clone, Copy, Debug)]
enum Term<'a> {
    /// An ASCII word of up to sixteen bytes as its length and its first and last eight bytes
    /// (see [`word`]): read from the text and lowercased as integers, never copied.
    Short { len: usize, head: u64, tail: u64 },
    /// Any other word: longer, non-ASCII, or too near the end of the text to be read eight
    /// bytes at a time.
    Bytes(&'a [u8]),
}

impl Term<'_> {
    /// The term's bytes, written into `room` for a short term.
    fn bytes<'r>(&'r self, room: &'r mut [u8; 16]) -> &'r [u8] {
        match *self {
            Term::Short { len, head, tail } => {
                room[..8].copy_from_slice(&head.to_le_bytes());
                if len > 8 {
                    room[len - 8..len].copy_from_slice(&tail.to_le_bytes());
                }
                &room[..len]
            }
            Term::Bytes(bytes) => bytes,
        }
    }
}

/// Reused buffer of the term scanner, so that nothing is allocated per word or per text.
#[derive(Default)]
struct Scratch {
    /// A word being lowercased.
    lower: String,
}

/// One bit per byte of a 64-byte block, lowest first: set on ASCII letters and digits and on
/// every byte of a non-ASCII character. Without branches, so the compiler makes vector code of
/// it: the scanner then finds each word's ends with bit scans rather than a test per byte,
/// whose exit at the end of each word the processor cannot predict.
#[inline(always)]
fn word_bits(block: &[u8; 64]) -> u64 {
    // A byte per byte of the block, 1 for a word byte.
    let mut classes = [0u8; 64];
    for (class, &byte) in classes.iter_mut().zip(block) {
        let high = byte >= 0x80;
        let letter = (byte | 0x20).wrapping_sub(b'a') < 26;
        let digit = byte.wrapping_sub(b'0') < 10;
        *class = u8::from(high | letter | digit);
    }
    // Eight bytes of 0 or 1 to eight bits: the multiplication moves byte i's bit to bit 56 + i,
    // and no two of its products overlap, so nothing carries.
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let mut word = 0u64;
    for (i, group) in classes.as_chunks::<8>().0.iter().enumerate() {
        word |= (u64::from_le_bytes(*group).wrapping_mul(GATHER) >> 56) << (8 * i);
    }
    word
}

/// Calls `each(start, end)` for every run of word bytes ([`word_bits`]) in `bytes`, in order.
/// Per block of 64 bytes, the runs' starts are the word bits whose byte before is not one, and
/// their ends the other bits whose byte before is one; starts and ends alternate, so each run
/// is the lowest start and the lowest end left. A run that goes on past its block ends at the
/// first end of a later block. One pass, nothing stored, two bit scans a run.
#[inline(always)]
fn for_each_run(bytes: &[u8], mut each: impl FnMut(usize, usize)) {
    let (blocks, rest) = bytes.as_chunks::<64>();
    // The last bytes, padded with bytes that are not word bytes: a run there ends at the text's end.
    let mut padded = [0u8; 64];
    padded[..rest.len()].copy_from_slice(rest);
    let last = (!rest.is_empty()).then_some(&padded);
    // 1 when the byte before the block is a word byte: a run is open, and started at `open`.
    let mut carry = 0u64;
    let mut open = 0;
    for (index, block) in blocks.iter().chain(last).enumerate() {
        let word = word_bits(block);
        let base = index * 64;
        let before = word << 1 | carry;
        let mut starts = word & !before;
        let mut ends = !word & before;
        if carry == 1 {
            if ends == 0 {
                // The whole block is one word's: the run goes on.
                continue;
            }
            each(open, base + ends.trailing_zeros() as usize);
            ends &= ends - 1;
        }
        carry = word >> 63;
        while starts != 0 {
            let start = base + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if ends == 0 {
                open = start;
                break;
            }
            each(start, base + ends.trailing_zeros() as usize);
            ends &= ends - 1;
        }
    }
    if carry == 1 {
        each(open, bytes.len());
    }
}

/// Eight ASCII bytes with their capitals lowercased, all at once: a byte's top bit is set by
/// the first sum where it is `A` or above and by the second where it is above `Z`, and no sum
/// carries into the next byte because every byte is below 0x80.
#[inline(always)]
const fn ascii_lowercase(bytes: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let from_a = bytes + ONES * (0x80 - b'A' as u64);
    let past_z = bytes + ONES * (0x80 - b'Z' as u64 - 1);
    let capitals = from_a & !past_z & (ONES * 0x80);
    bytes | (capitals >> 2)
}

/// The top bit of each of eight bytes: set in a byte of a non-ASCII character.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// Calls `each` with every word of `text`, lowercased: runs of letters and digits. Stop words
/// and single letters are among them (the caller drops them: [`is_dropped`]). Words are found
/// by bit masks ([`for_each_run`]); an ASCII word of up to sixteen bytes, nearly every word, is
/// read as two integers (its first and last eight bytes, which cover it), tested for non-ASCII
/// bytes and lowercased in them. Other words go to [`odd_word`]. Reuses `scratch`, so nothing
/// is allocated per word.
#[inline(always)]
fn for_each_word(text: &str, scratch: &mut Scratch, mut each: impl FnMut(Term<'_>)) {
    let bytes = text.as_bytes();
    let lower = &mut scratch.lower;
    for_each_run(
        bytes,
        #[inline(always)]
        |start, end| {
            let len = end - start;
            if len <= 16 {
                // Eight bytes from the word's start and eight up to its end (the same for a word of
                // eight bytes or fewer), cut to the word.
                let at_tail = start + len.saturating_sub(8);
                if let (Some(head), Some(tail)) = (
                    bytes.get(start..).and_then(<[u8]>::first_chunk::<8>),
                    bytes.get(at_tail..).and_then(<[u8]>::first_chunk::<8>),
                ) {
                    let keep = !0u64 >> (64 - 8 * len.min(8));
                    let head = u64::from_le_bytes(*head) & keep;
                    let tail = u64::from_le_bytes(*tail) & keep;
                    if (head | tail) & HIGH_BITS == 0 {
                        each(Term::Short { len, head: ascii_lowercase(head), tail: ascii_lowercase(tail) });
                        return;
                    }
                }
            }
            odd_word(text, start..end, lower, &mut each);
        },
    );
}

/// A word [`for_each_word`] does not read as two integers: longer than sixteen bytes, with a
/// non-ASCII character, or too near the end of the text. Rare, so kept out of the loop.
#[inline(never)]
fn odd_word(text: &str, run: std::ops::Range<usize>, lower: &mut String, each: &mut impl FnMut(Term<'_>)) {
    // A run starts after an ASCII byte (or at the start) and ends before one (or at the end),
    // so it is cut at characters and `get` always finds it.
    let Some(word) = text.get(run) else { return };
    if word.is_ascii() {
        lower.clear();
        lower.push_str(word);
        lower.make_ascii_lowercase();
        each(Term::Bytes(lower.as_bytes()));
    } else {
        // Non-ASCII runs may hold punctuation (em dashes, curly quotes): split on it.
        for part in word.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()) {
            lower.clear();
            lower.extend(part.chars().flat_map(char::to_lowercase));
            each(Term::Bytes(lower.as_bytes()));
        }
    }
}

/// Splits text into lowercase search terms: letters and digits, stop words and single letters dropped.
pub fn terms(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut scratch = Scratch::default();
    for_each_word(text, &mut scratch, |term| {
        let mut room = [0u8; 16];
        let bytes = term.bytes(&mut room);
        if !is_dropped(bytes) {
            found.push(String::from_utf8_lossy(bytes).into_owned());
        }
    });
    found
}

/// The first [`SNIPPET`] characters of `text`, cut back to a word, or all of it.
fn snippet(text: &str) -> String {
    let text = text.trim();
    let Some((at, _)) = text.char_indices().nth(SNIPPET) else {
        return text.to_string();
    };
    let cut = &text[..at];
    let cut = cut.rsplit_once(' ').map_or(cut, |(head, _)| head).trim_end_matches([',', ';', ':', '.']);
    let mut snippet = String::with_capacity(cut.len() + 3);
    snippet.push_str(cut);
    snippet.push('…');
    snippet
}

/// Terms interned to numbers, in order of first use. An open-addressing table over one text
/// arena: no allocation per term, and a term of up to sixteen bytes compares as two integers.
/// What a lookup reads is kept small, so that the table and the entries of a part's thousand
/// or so terms stay in the processor's first cache: a slot holds the top half of the term's
/// hash beside its number, so another term in the slot is passed over without reading its
/// entry, and an entry holds only what a match compares.
#[derive(Default)]
struct Vocabulary {
    /// Per slot, the top 32 bits of the term's hash and `id + 1` below them; 0 when empty. A
    /// power of two long and never more than half full.
    slots: Vec<u64>,
    entries: Vec<Entry>,
    /// Per term, where its text starts in `text`, and its hash (for [`Vocabulary::grow`]).
    starts: Vec<u32>,
    hashes: Vec<u64>,
    /// The text of every term, one after the other (each one whole, so each is UTF-8).
    text: Vec<u8>,
}

#[derive(Clone, Copy)]
struct Entry {
    /// [`word`] of the first and of the last eight bytes.
    head: u64,
    tail: u64,
    len: u32,
    /// [`is_dropped`]: a stop word or a single letter, counted but never indexed.
    dropped: bool,
}

/// Up to eight bytes as an integer, little-endian, padded with zeros: with the length, the
/// integer fixes every byte.
fn word(bytes: &[u8]) -> u64 {
    let mut padded = [0u8; 8];
    let len = bytes.len().min(8);
    padded[..len].copy_from_slice(&bytes[..len]);
    u64::from_le_bytes(padded)
}

/// The first and the last eight bytes of a term, as integers (the same for short terms).
fn head_and_tail(bytes: &[u8]) -> (u64, u64) {
    let head = word(bytes);
    let tail = if bytes.len() > 8 { word(&bytes[bytes.len() - 8..]) } else { head };
    (head, tail)
}

/// An FxHash-style hash of the term: its length, head and tail, and any bytes between them.
#[inline(always)]
fn term_hash(len: usize, head: u64, tail: u64, middle: &[u8]) -> u64 {
    const SEED: u64 = 0xf135_7aea_2e62_a9c5;
    let mut hash = (head ^ len as u64).wrapping_mul(SEED);
    hash = (hash.rotate_left(26) ^ tail).wrapping_mul(SEED);
    for chunk in middle.chunks(8) {
        hash = (hash.rotate_left(26) ^ word(chunk)).wrapping_mul(SEED);
    }
    // The multiplications mix upwards: bring the high bits down to where the table looks.
    hash.rotate_left(26)
}

impl Vocabulary {
    fn term_bytes(&self, id: usize) -> &[u8] {
        let start = self.starts[id] as usize;
        &self.text[start..start + self.entries[id].len as usize]
    }

    fn term(&self, id: usize) -> &str {
        // Every term went in whole from a `str`, so this is never lossy.
        std::str::from_utf8(self.term_bytes(id)).unwrap_or_default()
    }

    /// Whether term `id` stays out of the index ([`is_dropped`]).
    fn dropped(&self, id: u32) -> bool {
        self.entries.get(id as usize).is_none_or(|entry| entry.dropped)
    }

    /// The number of `term`, and whether the term is new.
    #[inline(always)]
    fn intern(&mut self, term: Term<'_>) -> (u32, bool) {
        let (len, head, tail, middle) = match term {
            Term::Short { len, head, tail } => (len, head, tail, &[][..]),
            Term::Bytes(bytes) if bytes.len() <= 16 => {
                let (head, tail) = head_and_tail(bytes);
                (bytes.len(), head, tail, &[][..])
            }
            Term::Bytes(bytes) => {
                let (head, tail) = head_and_tail(bytes);
                (bytes.len(), head, tail, &bytes[8..bytes.len() - 8])
            }
        };
        let hash = term_hash(len, head, tail, middle);
        // An empty table (no term yet) has no slot: the first term makes it.
        let mask = self.slots.len().wrapping_sub(1);
        let mut slot = hash as usize & mask;
        let tag = hash >> 32;
        loop {
            let Some(&cell) = self.slots.get(slot) else {
                return (self.insert(None, term, head, tail, hash), true);
            };
            if cell == 0 {
                return (self.insert(Some(slot), term, head, tail, hash), true);
            }
            if cell >> 32 == tag {
                let id = (cell as u32).wrapping_sub(1);
                let entry = self.entries[id as usize];
                if entry.len as usize == len
                    && entry.head == head
                    && entry.tail == tail
                    && (len <= 16
                        || self.term_bytes(id as usize)[8..] == *term.bytes(&mut [0; 16]).get(8..).unwrap_or_default())
                {
                    return (id, false);
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Adds a new term at `slot`, its empty place in the table, then grows the table if it is
    /// half full: a lookup then always meets an empty slot, and a lookup never has to check.
    #[cold]
    fn insert(&mut self, slot: Option<usize>, term: Term<'_>, head: u64, tail: u64, hash: u64) -> u32 {
        let mut room = [0u8; 16];
        let bytes = term.bytes(&mut room);
        let id = self.entries.len() as u32;
        let start = self.text.len() as u32;
        self.text.extend_from_slice(bytes);
        self.entries.push(Entry { head, tail, len: bytes.len() as u32, dropped: is_dropped(bytes) });
        self.starts.push(start);
        self.hashes.push(hash);
        match slot {
            Some(slot) if self.slots.len() >= 2 * (self.entries.len() + 1) => self.slots[slot] = Self::cell(hash, id),
            // `grow` places every term, this one too.
            _ => self.grow(),
        }
        id
    }

    /// A slot's content for term `id` of hash `hash`.
    fn cell(hash: u64, id: u32) -> u64 {
        (hash >> 32) << 32 | u64::from(id + 1)
    }

    /// Doubles the table and places every term again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        self.slots = vec![0; size];
        for (id, &hash) in self.hashes.iter().enumerate() {
            let mut slot = hash as usize & (size - 1);
            while self.slots[slot] != 0 {
                slot = (slot + 1) & (size - 1);
            }
            self.slots[slot] = Self::cell(hash, id as u32);
        }
    }
}

/// An index under construction: terms interned to numbers, credits in document order.
#[derive(Default)]
struct Builder {
    /// Number of the first document of this builder (chunks of briefs are built in parallel).
    first_doc: usize,
    docs: Vec<SearchDoc>,
    vocabulary: Vocabulary,
    /// Every credit, stop words' too (they are dropped when the builder is sealed).
    credits: Vec<Credit>,
    scratch: Scratch,
    /// Body counts of the current document, by term id, and the ids touched.
    counts: Vec<u32>,
    touched: Vec<u32>,
}

/// A builder's index, sealed: its documents, its vocabulary and its postings, each term's run
/// at `runs[term]` (empty for stop words and single letters).
struct Sealed {
    docs: Vec<SearchDoc>,
    vocabulary: Vocabulary,
    postings: Postings,
    runs: Vec<(u32, u32)>,
}

impl Builder {
    fn doc(&mut self, doc: SearchDoc) -> usize {
        self.docs.push(doc);
        self.first_doc + self.docs.len() - 1
    }

    /// Adds a document with a title and a summary (its snippet), both indexed; returns its number.
    fn titled(&mut self, kind: &'static str, title: &str, path: String, summary: &str) -> usize {
        let doc = self.doc(SearchDoc { kind, title: title.to_string(), path, snippet: snippet(summary) });
        self.add(doc, title, TITLE);
        self.add(doc, summary, SUMMARY);
        doc
    }

    #[inline(always)]
    fn term_id(&mut self, term: Term<'_>) -> u32 {
        let (id, new) = self.vocabulary.intern(term);
        if new {
            self.added();
        }
        id
    }

    /// Makes room for the body count of the term just interned.
    #[cold]
    fn added(&mut self) {
        let terms = self.vocabulary.entries.len();
        if self.counts.len() < terms {
            // Room for every term, and in `touched` for every term and one more: a term is
            // listed once per document.
            let room = terms.next_power_of_two().max(1024);
            self.counts.resize(room, 0);
            self.touched.resize(room + 1, 0);
        }
    }

    /// Credits every word of `text` to `doc` with `weight`, each occurrence.
    fn add(&mut self, doc: usize, text: &str, weight: u32) {
        let mut scratch = std::mem::take(&mut self.scratch);
        for_each_word(text, &mut scratch, |term| {
            let term = self.term_id(term);
            self.credits.push(Credit { term, doc: doc as u32, weight });
        });
        self.scratch = scratch;
    }

    /// Body words: each occurrence counts, up to a cap per term, and each term is credited once
    /// per document.
    fn add_body(&mut self, doc: usize, text: &str) {
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut listed = 0;
        for_each_word(
            text,
            &mut scratch,
            #[inline(always)]
            |term| {
                let id = self.term_id(term);
                // Written at the next place, which is taken only by a term new to the document.
                // Every term has a count and a place (`added`).
                if let (Some(count), Some(place)) = (self.counts.get_mut(id as usize), self.touched.get_mut(listed)) {
                    *place = id;
                    listed += usize::from(*count == 0);
                    *count += 1;
                }
            },
        );
        self.scratch = scratch;
        let Builder { credits, counts, touched, .. } = self;
        credits.reserve(listed);
        for &term in &touched[..listed] {
            let count = std::mem::take(&mut counts[term as usize]);
            credits.push(Credit { term, doc: doc as u32, weight: count.min(BODY_CAP) * BODY });
        }
    }

    /// Sorts the credits by term (a counting sort, which keeps each term's credits in document
    /// order), sums each term's credits to the same document and writes them as postings.
    fn seal(self) -> Sealed {
        let Builder { docs, vocabulary, credits, .. } = self;
        let terms = vocabulary.entries.len();
        // Where each term's credits start in `sorted`.
        let mut starts = vec![0usize; terms + 1];
        for credit in &credits {
            starts[credit.term as usize + 1] += 1;
        }
        for term in 0..terms {
            starts[term + 1] += starts[term];
        }
        let mut sorted = spare_credits();
        sorted.resize(credits.len(), Credit::default());
        let mut next = starts.clone();
        for &credit in &credits {
            let at = &mut next[credit.term as usize];
            sorted[*at] = credit;
            *at += 1;
        }
        keep_credits(credits);
        let mut postings = Vec::with_capacity(2 * sorted.len() + 16);
        let mut runs = vec![(0, 0); terms];
        for (term, run) in runs.iter_mut().enumerate() {
            let credits = &sorted[starts[term]..starts[term + 1]];
            if credits.is_empty() || vocabulary.dropped(term as u32) {
                continue;
            }
            let start = postings.len() as u32;
            let mut last = 0;
            let mut open = (credits[0].doc, 0u32);
            for credit in credits {
                if credit.doc != open.0 {
                    push_pair(&mut postings, open.0 - last, open.1);
                    last = open.0;
                    open = (credit.doc, 0);
                }
                open.1 = open.1.saturating_add(credit.weight);
            }
            push_pair(&mut postings, open.0 - last, open.1);
            *run = (start, postings.len() as u32);
        }
        keep_credits(sorted);
        Sealed { docs, vocabulary, postings, runs }
    }

    /// The index of this builder alone.
    #[cfg(test)]
    fn finish(self) -> SearchIndex {
        join(vec![self.seal()])
    }
}

/// Joins sealed parts of consecutive documents, in order, into the index: the parts' terms are
/// interned once more to find each term's runs; the postings stay where the parts wrote them.
fn join(parts: Vec<Sealed>) -> SearchIndex {
    let mut vocabulary = Vocabulary::default();
    let mut term_runs: Vec<Vec<Run>> = Vec::new();
    let mut docs = Vec::with_capacity(parts.iter().map(|part| part.docs.len()).sum());
    let mut postings = Vec::with_capacity(parts.len());
    for (index, part) in parts.into_iter().enumerate() {
        docs.extend(part.docs);
        for (term, &(start, end)) in part.runs.iter().enumerate() {
            if start == end {
                continue;
            }
            let (id, new) = vocabulary.intern(Term::Bytes(part.vocabulary.term_bytes(term)));
            if new {
                term_runs.push(Vec::new());
            }
            term_runs[id as usize].push(Run { part: index as u32, start, end });
        }
        postings.push(part.postings);
    }
    let mut terms: Vec<(Box<str>, Vec<Run>)> =
        term_runs.into_iter().enumerate().map(|(id, runs)| (Box::from(vocabulary.term(id)), runs)).collect();
    terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    SearchIndex { docs, postings, terms }
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

fn add_brief(builder: &mut Builder, entry: &BriefText<'_>) {
    let brief = entry.brief;
    let doc = builder.titled("brief", &brief.title, paths::brief(&brief.slug), &brief.summary);
    builder.add(doc, &brief.tags.join(" "), HEADING);
    for heading in entry.headings {
        builder.add(doc, &heading.text, HEADING);
    }
    builder.add_body(doc, entry.text);
}

/// The index of a run of consecutive briefs, built while they render so that their plain text
/// need not be kept: a full build folds each run of briefs that rayon hands a thread into one of
/// these, seals it on that thread ([`IndexPart::seal`]), then [`build_from_parts`] joins them in
/// the briefs' order.
pub struct IndexPart {
    state: PartState,
}

enum PartState {
    Open(Builder),
    Sealed(Sealed),
}

impl Default for IndexPart {
    fn default() -> Self {
        IndexPart { state: PartState::Open(Builder { credits: spare_credits(), ..Builder::default() }) }
    }
}

thread_local! {
    /// Credit arrays of the parts this thread sealed, emptied, for the next parts it builds: a
    /// part's credits run to half a megabyte, and an array grown afresh for each part is copied
    /// at every doubling and its memory touched for the first time.
    static SPARE_CREDITS: std::cell::RefCell<Vec<Vec<Credit>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty credit array, one this thread used before if it has one.
fn spare_credits() -> Vec<Credit> {
    SPARE_CREDITS.with(|spare| spare.borrow_mut().pop()).unwrap_or_default()
}

/// Keeps `credits`, emptied, for [`spare_credits`]; two per thread at most (a part's credits
/// and their sorted copy).
fn keep_credits(mut credits: Vec<Credit>) {
    credits.clear();
    SPARE_CREDITS.with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < 2 {
            spare.push(credits);
        }
    });
}

impl IndexPart {
    /// Indexes the brief that is document `doc`. The briefs of a part come one after the other
    /// and are numbered from the first one's `doc` by their position: a brief that failed to
    /// render is missing, and those after it are numbered one lower, which is harmless because
    /// a build with a failed brief writes no index. A sealed part takes no more briefs.
    pub fn add(&mut self, doc: usize, brief: &BriefText<'_>) {
        let PartState::Open(builder) = &mut self.state else {
            debug_assert!(false, "a brief added to a sealed index part");
            return;
        };
        if builder.docs.is_empty() {
            builder.first_doc = doc;
        }
        add_brief(builder, brief);
    }

    /// Writes the part's postings, once its last brief is in: done by the thread that built it,
    /// while other threads still render, rather than by the join.
    pub fn seal(self) -> IndexPart {
        IndexPart { state: PartState::Sealed(self.into_sealed()) }
    }

    fn into_sealed(self) -> Sealed {
        match self.state {
            PartState::Open(builder) => builder.seal(),
            PartState::Sealed(sealed) => sealed,
        }
    }
}

/// Builds the index; briefs are indexed in parallel chunks, then merged in order.
pub fn build(site: &Site, briefs: &[BriefText<'_>]) -> SearchIndex {
    // One chunk per thread: each chunk holds its own vocabulary until the merge.
    let chunk = briefs.len().div_ceil(rayon::current_num_threads().max(1)).max(1);
    let parts: Vec<IndexPart> = briefs
        .par_chunks(chunk)
        .enumerate()
        .map(|(i, run)| {
            let mut part = IndexPart::default();
            for (j, brief) in run.iter().enumerate() {
                part.add(i * chunk + j, brief);
            }
            part.seal()
        })
        .collect();
    build_from_parts(site, parts)
}

/// Builds the index from parts holding the briefs (documents `0..n`, parts in order), then
/// adds deals, companies, pages and series after them.
pub fn build_from_parts(site: &Site, parts: Vec<IndexPart>) -> SearchIndex {
    let mut sealed: Vec<Sealed> = parts.into_iter().map(IndexPart::into_sealed).collect();
    let mut builder = Builder { first_doc: sealed.iter().map(|part| part.docs.len()).sum(), ..Builder::default() };
    for deal in &site.deals {
        add_deal(&mut builder, site, deal);
    }
    for company in &site.companies {
        add_company(&mut builder, company);
    }
    for page in &site.pages {
        let summary = page.summary.as_deref().unwrap_or("");
        let doc = builder.titled("page", &page.title, paths::page(&page.slug), summary);
        builder.add_body(doc, page.body());
    }
    for series in &site.series {
        let doc = builder.titled("data", &series.title, paths::series(&series.id), &series.summary);
        for line in &series.lines {
            builder.add(doc, &line.label, NAME);
        }
    }
    sealed.push(builder.seal());
    join(sealed)
}

fn add_deal(builder: &mut Builder, site: &Site, deal: &Deal) {
    // Weights add up per term whatever the order they come in, so the summary may come first.
    let doc = builder.titled("deal", &deal.title, paths::deal(&deal.id), &deal.summary);
    for party in deal.parties() {
        builder.add(doc, &company_names(site, party), NAME);
    }
    builder.add(doc, &format!("{} {}", deal.kind.label(), deal.chips.join(" ")), HEADING);
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

/// Number of decimal digits of `value`.
fn decimal_len(value: u32) -> usize {
    let mut len = 1;
    let mut rest = value / 10;
    while rest > 0 {
        len += 1;
        rest /= 10;
    }
    len
}

/// Writes `value` in decimal into `out` from `at`, returning where it ends.
fn write_decimal(out: &mut [u8], at: usize, mut value: u32) -> usize {
    let end = at + decimal_len(value);
    for slot in out[at..end].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    end
}

/// Appends a posting, `doc,weight`, after a comma unless it is the first of its term. The
/// posting is laid out in a fixed-size buffer and copied whole, then the unused tail is cut off:
/// a copy of known size is a few stores, where a byte-sized copy or push costs a call or a check.
fn push_posting(out: &mut Vec<u8>, first: bool, gap: u32, weight: u32) {
    // Room for `,` + ten digits + `,` + ten digits.
    const ROOM: usize = 24;
    let mut buffer = [0u8; ROOM];
    let mut at = 0;
    if !first {
        buffer[0] = b',';
        at = 1;
    }
    at = write_decimal(&mut buffer, at, gap);
    buffer[at] = b',';
    at = write_decimal(&mut buffer, at + 1, weight);
    out.extend_from_slice(&buffer);
    out.truncate(out.len() - (ROOM - at));
}

impl SearchIndex {
    /// The index as a script that sets `window.INFRABRIEF_SEARCH`.
    pub fn to_script(self) -> String {
        let parts = self.into_script_parts();
        // Only whole strings and ASCII were written, so this never takes the lossy path.
        String::from_utf8(parts.concat()).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
    }

    /// The script in parts, to be written one after the other: the documents, then the terms in
    /// runs written in parallel. The index is dropped before the runs are written, and the
    /// parts are never joined in memory by a build (`Sink::put_parts`).
    pub fn into_script_parts(self) -> Vec<Vec<u8>> {
        let SearchIndex { docs, postings, terms } = self;
        let mut head = Vec::with_capacity(64 + docs.len() * 200);
        head.extend_from_slice(format!("window.INFRABRIEF_SEARCH={{\"format\":{FORMAT},\"docs\":[").as_bytes());
        for (i, doc) in docs.iter().enumerate() {
            if i > 0 {
                head.push(b',');
            }
            head.push(b'[');
            for (j, field) in [doc.kind, doc.title.as_str(), doc.path.as_str(), doc.snippet.as_str()].iter().enumerate()
            {
                if j > 0 {
                    head.push(b',');
                }
                push_json_string(&mut head, field);
            }
            head.push(b']');
        }
        drop(docs);
        head.extend_from_slice(b"],\"terms\":{");
        let run = terms.len().div_ceil(4 * rayon::current_num_threads().max(1)).max(1);
        let runs: Vec<Vec<u8>> =
            terms.par_chunks(run).enumerate().map(|(i, terms)| write_terms(&postings, terms, i == 0)).collect();
        drop((terms, postings));
        let mut parts = Vec::with_capacity(runs.len() + 2);
        parts.push(head);
        parts.extend(runs);
        parts.push(b"}};\n".to_vec());
        parts
    }
}

/// Terms and their postings as JSON object members, after a comma unless `first`.
fn write_terms(postings: &[Postings], terms: &[(Box<str>, Vec<Run>)], first: bool) -> Vec<u8> {
    // Postings take about twice their LEB128 size in decimal: most gaps and weights are one or
    // two digits, plus a comma each.
    let size: usize = terms
        .iter()
        .map(|(term, runs)| term.len() + 6 + runs.iter().map(|run| 2 * (run.end - run.start) as usize).sum::<usize>())
        .sum();
    // Written as bytes (cheaper pushes than `String`'s), and checked as UTF-8 once at the end.
    let mut out = Vec::with_capacity(size);
    for (i, (term, runs)) in terms.iter().enumerate() {
        if i > 0 || !first {
            out.push(b',');
        }
        push_json_string(&mut out, term);
        out.extend_from_slice(b":[");
        // Documents come in ascending order, each written as the gap from the one before:
        // small numbers, a third fewer bytes at 10,000 briefs.
        let mut last = 0;
        for (j, (doc, weight)) in documents(postings, runs).enumerate() {
            debug_assert!(j == 0 || doc > last, "postings of {term} out of order");
            push_posting(&mut out, j == 0, doc - last, weight);
            last = doc;
        }
        out.push(b']');
    }
    out
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

    /// Terms found the plain way, by splitting on every character that is not a letter or a
    /// digit: the reference for the scanner, which shares nothing with it.
    fn terms_plainly(text: &str) -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|part| !part.is_empty())
            .map(|part| part.chars().flat_map(char::to_lowercase).collect::<String>())
            .filter(|lower| {
                let single = lower.chars().nth(1).is_none() && !lower.as_bytes()[0].is_ascii_digit();
                !single && !STOPWORDS.contains(&lower.as_str())
            })
            .collect()
    }

    #[test]
    fn the_scanner_finds_the_terms_a_plain_split_finds() {
        let texts = scanner_texts();
        for text in &texts {
            assert_eq!(terms(text), terms_plainly(text), "{text:?}");
        }
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
    fn blocks_are_classified_byte_by_byte() {
        for first in [0u8, 64, 128, 192] {
            let block: [u8; 64] = std::array::from_fn(|i| first + i as u8);
            let word = word_bits(&block);
            for (i, byte) in block.iter().enumerate() {
                assert_eq!(word >> i & 1 == 1, byte.is_ascii_alphanumeric() || *byte >= 0x80, "{byte:#x}");
            }
        }
    }

    /// The runs of word bytes found by looking at every byte in turn.
    fn runs_plainly(bytes: &[u8]) -> Vec<(usize, usize)> {
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
        let mut runs = Vec::new();
        let mut open = None;
        for (i, &byte) in bytes.iter().enumerate() {
            match (open, is_word(byte)) {
                (None, true) => open = Some(i),
                (Some(start), false) => {
                    runs.push((start, i));
                    open = None;
                }
                _ => {}
            }
        }
        runs.extend(open.map(|start| (start, bytes.len())));
        runs
    }

    #[test]
    fn runs_agree_with_a_look_at_every_byte() {
        // Patterns of word (`a`) and other (`.`) bytes at every length up to three blocks and a
        // bit: runs within a block, across one or two block boundaries, filling whole blocks,
        // ending the text at a block's end or just before or after it.
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for len in 0..200 {
            texts.push(vec![b'a'; len]);
            texts.push((0..len).map(|i| if i % 3 == 2 { b'.' } else { b'a' }).collect());
            texts.push((0..len).map(|i| if i % 64 == 63 || i % 64 == 0 { b'.' } else { b'a' }).collect());
            texts.push((0..len).map(|i| if i % 2 == 0 { b'a' } else { 0xC3 }).collect());
            texts.push((0..len).map(|i| if (i * 7919) % 11 < 4 { b' ' } else { b'Z' }).collect());
        }
        for bytes in &texts {
            let mut found = Vec::new();
            for_each_run(bytes, |start, end| found.push((start, end)));
            assert_eq!(found, runs_plainly(bytes), "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn dropped_terms_are_stop_words_and_single_letters() {
        for word in STOPWORDS {
            assert!(is_dropped(word.as_bytes()), "{word}");
        }
        for letter in 'a'..='z' {
            assert!(is_dropped(letter.to_string().as_bytes()), "{letter}");
        }
        // A single non-ASCII letter or digit is dropped; a single ASCII digit is not.
        for single in ["\u{e9}", "\u{3b1}", "\u{661}"] {
            assert!(is_dropped(single.as_bytes()), "{single}");
        }
        for kept in ["0", "7", "ab", "thee", "wa", "bye", "compute", "themselves", "\u{e9}t\u{e9}"] {
            assert!(!is_dropped(kept.as_bytes()), "{kept}");
        }
    }

    /// Texts that put the scanner's edges to work: every ASCII byte next to letters, words of
    /// every length up to twenty in mixed case at several offsets, non-ASCII text, words that
    /// end the text.
    fn scanner_texts() -> Vec<String> {
        let mut texts: Vec<String> = Vec::new();
        for byte in 0u8..128 {
            for offset in 0..9 {
                let pad = "x".repeat(offset);
                texts.push(format!("{pad}Ab{}cD9 zz{}Q", char::from(byte), char::from(byte)));
            }
        }
        for len in 1..21 {
            for offset in 0..9 {
                texts.push(format!("{} {}, {}.", " ".repeat(offset), &"aB3".repeat(len)[..len], "w".repeat(len)));
                texts.push(format!("{}{}", " ".repeat(offset), &"ZyX".repeat(len)[..len]));
            }
        }
        // A word across the boundary of two 64-byte blocks, at every offset.
        for offset in 40..70 {
            texts.push(format!("{} Hyperscalers-And-Neoclouds datacenters THE end", "-".repeat(offset)));
        }
        texts.extend(
            [
                "OpenAI commits $38bn to AWS over 7 years, the GB200",
                "Caf\u{e9}s na\u{ef}ve \u{c9}COLE \u{2014}dash\u{2014} \u{201c}quoted\u{201d} stra\u{df}e \u{130}stanbul 1\u{b2}",
                "Mixed-CASE words: NVIDIA's H100s; the GW-scale campus (1.2GW) in Abu Dhabi",
                "",
                "a",
                "\u{e9}",
                "end with a long word: interconnectedness",
            ]
            .map(str::to_string),
        );
        texts
    }

    #[test]
    fn the_index_counts_the_terms_a_plain_split_finds() {
        let texts = scanner_texts();
        let mut builder = Builder::default();
        let mut expected: std::collections::BTreeMap<String, Vec<(u32, u32)>> = Default::default();
        for (doc, text) in texts.iter().enumerate() {
            builder.add_body(doc, text);
            // Titles credit every occurrence; bodies count up to the cap.
            builder.add(doc, text, TITLE);
            let mut counts: std::collections::BTreeMap<String, u32> = Default::default();
            for term in terms_plainly(text) {
                *counts.entry(term).or_default() += 1;
            }
            for (term, count) in counts {
                let weight = count.min(BODY_CAP) * BODY + count * TITLE;
                expected.entry(term).or_default().push((doc as u32, weight));
            }
        }
        let index = builder.finish();
        let found: std::collections::BTreeMap<String, Vec<(u32, u32)>> = index
            .terms
            .iter()
            .map(|(term, runs)| (term.to_string(), documents(&index.postings, runs).collect()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn the_vocabulary_numbers_terms_in_order_of_first_use() {
        let mut vocabulary = Vocabulary::default();
        let words: Vec<String> = (0..3000).map(|i| format!("w{}", i * 7919 % 3001)).collect();
        let long = [
            "datacenters",
            "datacentersx",
            "datacenter",
            "xdatacenter",
            "hyperscalers-and-neoclouds",
            "hyperscalers-and-neocloudz",
            "hyperscalers-xnd-neoclouds",
            "a",
            "ab",
            "abc",
            "acb",
            "abcd",
            "abdc",
            "abcde",
            "abcdefgh",
            "abcdefghi",
            "abcdefhgi",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "abcdefghijkmlnopq",
        ];
        for (i, word) in words.iter().map(String::as_str).chain(long).enumerate() {
            assert_eq!(vocabulary.intern(Term::Bytes(word.as_bytes())), (i as u32, true), "{word}");
        }
        for (i, word) in words.iter().map(String::as_str).chain(long).enumerate() {
            assert_eq!(vocabulary.intern(Term::Bytes(word.as_bytes())), (i as u32, false), "{word}");
            assert_eq!(vocabulary.term(i), word);
            // A short word found as two integers, as the scanner hands it over, is the same term.
            if word.len() <= 16 {
                let (head, tail) = head_and_tail(word.as_bytes());
                assert_eq!(vocabulary.intern(Term::Short { len: word.len(), head, tail }), (i as u32, false), "{word}");
            }
        }
        assert_eq!(vocabulary.entries.len(), words.len() + long.len());
    }

    #[test]
    fn postings_are_written_in_decimal() {
        let mut out = Vec::new();
        push_posting(&mut out, true, 0, 1);
        push_posting(&mut out, false, 9, 10);
        push_posting(&mut out, false, 99_999, 100);
        push_posting(&mut out, false, u32::MAX, u32::MAX);
        assert_eq!(String::from_utf8(out).expect("ASCII"), "0,1,9,10,99999,100,4294967295,4294967295");
        for value in [0, 1, 9, 10, 11, 99, 100, 12_345, 1_000_000, u32::MAX] {
            assert_eq!(decimal_len(value), value.to_string().len());
        }
    }

    /// A builder of documents `first..first + count` whose credits are `credits`, `(term,
    /// document, weight)`, in document order.
    fn credited(first: usize, count: usize, credits: &[(&str, u32, u32)]) -> Builder {
        let mut builder = Builder { first_doc: first, ..Builder::default() };
        for doc in first..first + count {
            builder.doc(SearchDoc {
                kind: "brief",
                title: String::new(),
                path: format!("{doc}"),
                snippet: String::new(),
            });
        }
        for &(term, doc, weight) in credits {
            let term = builder.term_id(Term::Bytes(term.as_bytes()));
            builder.credits.push(Credit { term, doc, weight });
        }
        builder
    }

    #[test]
    fn a_terms_documents_are_written_as_gaps() {
        let builder =
            credited(0, 0, &[("tpu", 0, 4), ("gpu", 2, 1), ("gpu", 5, 6), ("the", 5, 3), ("gpu", 5, 7), ("gpu", 9, 1)]);
        assert_eq!(
            builder.finish().to_script(),
            "window.INFRABRIEF_SEARCH={\"format\":2,\"docs\":[],\"terms\":{\"gpu\":[2,1,3,13,4,1],\"tpu\":[0,4]}};\n"
        );
    }

    #[test]
    fn postings_round_trip_through_leb128_and_join_across_parts() {
        // Gaps and weights across the one-, two- and five-byte encodings; document 300 is
        // credited twice, and its weights add up.
        let credits: Vec<(&str, u32, u32)> = [
            (0, 1),
            (1, 127),
            (128, 128),
            (300, 2),
            (300, 3),
            (16_500, 1),
            (2_000_000, 16_384),
            (u32::MAX - 1, u32::MAX),
        ]
        .iter()
        .map(|&(doc, weight)| ("h100", doc, weight))
        .collect();
        let expected: Vec<(u32, u32)> =
            [(0, 1), (1, 127), (128, 128), (300, 5), (16_500, 1), (2_000_000, 16_384), (u32::MAX - 1, u32::MAX)]
                .to_vec();
        let whole = credited(0, 0, &credits).finish();
        assert_eq!(documents(&whole.postings, &whole.terms[0].1).collect::<Vec<_>>(), expected);
        // Split into two parts at every credit (both credits of document 300 stay together):
        // the joined index reads the same, and writes the same script.
        let script = whole.to_script();
        for split in [0, 1, 2, 3, 5, 6, 7, 8] {
            let (before, after) = credits.split_at(split);
            let index = join(vec![credited(0, 0, before).seal(), credited(0, 0, after).seal()]);
            assert_eq!(documents(&index.postings, &index.terms[0].1).collect::<Vec<_>>(), expected, "split at {split}");
            assert_eq!(index.to_script(), script, "split at {split}");
        }
        for value in [0, 1, 127, 128, 16_383, 16_384, u32::MAX] {
            let mut bytes = Vec::new();
            push_leb128(&mut bytes, value);
            assert_eq!(read_leb128(&bytes), Some((value, bytes.len())));
        }
        assert_eq!(read_leb128(&[0x80, 0x80]), None, "a number cut short");
    }

    #[test]
    fn parts_joined_give_the_index_one_builder_gives() {
        let texts = scanner_texts();
        let mut whole = Builder::default();
        for (doc, text) in texts.iter().enumerate() {
            let doc = whole.doc(SearchDoc {
                kind: "brief",
                title: String::new(),
                path: doc.to_string(),
                snippet: String::new(),
            });
            whole.add(doc, text, HEADING);
            whole.add_body(doc, text);
        }
        let expected = whole.finish();
        for parts in [2, 3, 7, texts.len()] {
            let size = texts.len().div_ceil(parts);
            let sealed: Vec<Sealed> = texts
                .chunks(size)
                .enumerate()
                .map(|(i, chunk)| {
                    let mut builder = Builder { first_doc: i * size, ..Builder::default() };
                    for (j, text) in chunk.iter().enumerate() {
                        let path = (i * size + j).to_string();
                        let doc = builder.doc(SearchDoc {
                            kind: "brief",
                            title: String::new(),
                            path,
                            snippet: String::new(),
                        });
                        builder.add(doc, text, HEADING);
                        builder.add_body(doc, text);
                    }
                    builder.seal()
                })
                .collect();
            let joined = join(sealed);
            assert_eq!(joined.docs, expected.docs, "{parts} parts");
            assert_eq!(joined.clone().to_script(), expected.clone().to_script(), "{parts} parts");
        }
    }

    #[test]
    fn search_js_reads_the_format_the_index_is_written_in() {
        let script = include_str!("../../static/assets/search.js");
        assert!(script.contains(&format!("var FORMAT = {FORMAT};")), "search.js and search.rs disagree on FORMAT");
        assert!(script.contains("loaded.format !== FORMAT"), "search.js no longer checks the format");
    }

    #[test]
    fn snippets_are_cut_at_a_word() {
        let long = "word ".repeat(60);
        assert_eq!(snippet(&long), format!("{}…", ["word"; 32].join(" ")));
        // Exactly the limit stays whole, one character more is cut; characters, not bytes.
        let exact = "é".repeat(SNIPPET);
        assert_eq!(snippet(&format!("  {exact} ")), exact);
        let over = format!("{} {}", "ü".repeat(100), "ö".repeat(60));
        assert_eq!(snippet(&over), format!("{}…", "ü".repeat(100)));
        // Punctuation before the cut goes; a text without spaces is cut at the limit.
        assert_eq!(snippet(&format!("{}, {}", "a".repeat(155), "b".repeat(20))), format!("{}…", "a".repeat(155)));
        assert_eq!(snippet(&"x".repeat(200)), format!("{}…", "x".repeat(SNIPPET)));
    }
}
