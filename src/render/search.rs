//! The offline search index: a small inverted index written as a script file.
//!
//! Pages load `search-index.js` with a plain `<script>` tag (no `fetch`, no modules), so search
//! works when the site is opened from `file://`. The index holds, per document, its type, title,
//! path and a short snippet, and per term the documents it occurs in with a weight: titles and
//! company names weigh most, then headings and summaries, then body words (counted, never
//! stored verbatim), so the index stays a fraction of the size of the text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

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

/// The index: documents and, for each term, `(document number, weight)` pairs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchIndex {
    pub docs: Vec<SearchDoc>,
    pub terms: BTreeMap<String, Vec<(usize, u32)>>,
}

const TITLE: u32 = 10;
const NAME: u32 = 8;
const HEADING: u32 = 4;
const SUMMARY: u32 = 3;
const BODY: u32 = 1;
/// Body occurrences beyond this add nothing: long briefs must not drown short deal pages.
const BODY_CAP: u32 = 5;
const SNIPPET: usize = 160;

const STOPWORDS: [&str; 42] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "into", "is", "it",
    "its", "of", "on", "or", "over", "than", "that", "the", "their", "them", "there", "these", "they", "this", "to",
    "up", "was", "were", "which", "while", "who", "will", "with", "would", "not",
];

/// Splits text into lowercase search terms: letters and digits, stop words and single letters dropped.
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).map(|word| word.to_lowercase()).filter(
        |word| {
            (word.chars().count() > 1 || word.chars().all(|c| c.is_ascii_digit()))
                && !STOPWORDS.contains(&word.as_str())
        },
    )
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

#[derive(Default)]
struct Builder {
    index: SearchIndex,
}

impl Builder {
    fn doc(&mut self, doc: SearchDoc) -> usize {
        self.index.docs.push(doc);
        self.index.docs.len() - 1
    }

    fn add(&mut self, doc: usize, text: &str, weight: u32) {
        for term in terms(text) {
            let postings = self.index.terms.entry(term).or_default();
            match postings.last_mut() {
                Some((last, w)) if *last == doc => *w += weight,
                _ => postings.push((doc, weight)),
            }
        }
    }

    /// Body words: each term counts once per occurrence, capped.
    fn add_body(&mut self, doc: usize, text: &str) {
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for term in terms(text) {
            *counts.entry(term).or_default() += 1;
        }
        for (term, count) in counts {
            let postings = self.index.terms.entry(term).or_default();
            let weight = count.min(BODY_CAP) * BODY;
            match postings.last_mut() {
                Some((last, w)) if *last == doc => *w += weight,
                _ => postings.push((doc, weight)),
            }
        }
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

pub fn build(site: &Site, briefs: &[BriefText<'_>]) -> SearchIndex {
    let mut builder = Builder::default();
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
        builder.add_body(doc, &page.body);
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
    builder.index
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

impl SearchIndex {
    /// The index as a script that sets `window.INFRABRIEF_SEARCH`.
    pub fn to_script(&self) -> String {
        let docs: Vec<[&str; 4]> =
            self.docs.iter().map(|d| [d.kind, d.title.as_str(), d.path.as_str(), d.snippet.as_str()]).collect();
        let mut script = String::from("window.INFRABRIEF_SEARCH={\"docs\":");
        script.push_str(&serde_json::to_string(&docs).unwrap_or_else(|_| "[]".to_string()));
        script.push_str(",\"terms\":{");
        for (i, (term, postings)) in self.terms.iter().enumerate() {
            if i > 0 {
                script.push(',');
            }
            script.push_str(&serde_json::to_string(term).unwrap_or_default());
            script.push_str(":[");
            for (j, (doc, weight)) in postings.iter().enumerate() {
                if j > 0 {
                    script.push(',');
                }
                let _ = write!(script, "{doc},{weight}");
            }
            script.push(']');
        }
        script.push_str("}};\n");
        // A `</script` inside a string could end an inline script; the file is external, but be safe.
        script.replace("</", "<\\/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lowercase_words_without_stopwords() {
        let found: Vec<String> = terms("OpenAI commits $38bn to AWS over 7 years, the GB200").collect();
        assert_eq!(found, ["openai", "commits", "38bn", "aws", "7", "years", "gb200"]);
    }

    #[test]
    fn snippets_are_cut_at_a_word() {
        let long = "word ".repeat(60);
        let cut = snippet(&long);
        assert!(cut.ends_with('…'));
        assert!(cut.chars().count() <= SNIPPET + 1);
    }
}
