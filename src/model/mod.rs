//! Stage 2, model: the validated, typed site. No IO, no templates, no serde.
//!
//! [`validate::validate`] is the only way in: it turns the loader's raw structs into these types
//! and records a diagnostic for everything that does not make sense (unknown references,
//! impossible dates, negative values). Every value here is known good: a `Deal`'s `buyer` names
//! a `Company` that exists, a superseded deal names the deal that replaced it (a model recovered
//! from errors keeps this too, by leaving out what names something left out). [`totals`] holds
//! the arithmetic every page and chart shares, so a figure is computed in one place only.

pub mod date;
pub mod totals;
pub mod validate;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;

pub use date::{Date, Period};

/// Where a model value came from, for diagnostics raised after validation (links, lints).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub span: Range<usize>,
}

#[derive(Clone, Debug)]
pub struct Site {
    pub config: SiteConfig,
    /// Sorted by id.
    pub companies: Vec<Company>,
    /// Sorted by announcement date, newest first, then id.
    pub deals: Vec<Deal>,
    /// Sorted by date, newest first, then slug. Drafts only when the build asked for them.
    pub briefs: Vec<Brief>,
    /// Sorted by `order`, then slug.
    pub pages: Vec<Page>,
    /// Sorted by id.
    pub series: Vec<Series>,
    /// What the files define but this model left out for its errors: empty but in a model
    /// recovered from a run with errors ([`validate::recover`]).
    pub withheld: Withheld,
    /// Lookups by id or slug: hashed, since every shortcode and link asks; never iterated.
    company_index: FxHashMap<String, usize>,
    deal_index: FxHashMap<String, usize>,
    brief_index: FxHashMap<String, usize>,
    page_index: FxHashMap<String, usize>,
}

/// The deals, companies, series, briefs and pages that a site's files define but that failed
/// to load or validate. A run with errors renders what did validate, written nowhere, to report
/// the problems the errors would otherwise hide (a broken shortcode in a brief, a broken
/// template); a reference to a withheld entry is not one of them, since the entry's own error
/// is already reported where it is defined.
#[derive(Clone, Debug, Default)]
pub struct Withheld {
    /// Every deal (or company) is withheld when its registry file could not be read or parsed,
    /// every series, brief or page when its folder could not be listed.
    pub all_deals: bool,
    pub all_companies: bool,
    pub all_series: bool,
    pub all_briefs: bool,
    pub all_pages: bool,
    pub deals: BTreeSet<String>,
    pub companies: BTreeSet<String>,
    /// Series ids, brief slugs and page slugs (as `@/briefs/<slug>.md` links name them).
    pub series: BTreeSet<String>,
    pub briefs: BTreeSet<String>,
    pub pages: BTreeSet<String>,
}

impl Withheld {
    pub fn deal(&self, id: &str) -> bool {
        self.all_deals || self.deals.contains(id)
    }

    pub fn company(&self, id: &str) -> bool {
        self.all_companies || self.companies.contains(id)
    }

    pub fn series(&self, id: &str) -> bool {
        self.all_series || self.series.contains(id)
    }

    pub fn brief(&self, slug: &str) -> bool {
        self.all_briefs || self.briefs.contains(slug)
    }

    pub fn page(&self, slug: &str) -> bool {
        self.all_pages || self.pages.contains(slug)
    }
}

impl Site {
    /// Takes every brief's source text out of the model, in site order, leaving each `text`
    /// empty (so `body()` reads ""): a build hands them to the render, which drops each as soon
    /// as its brief is rendered instead of holding every source to the end.
    pub fn take_brief_texts(&mut self) -> Vec<Arc<String>> {
        self.briefs.iter_mut().map(|brief| std::mem::take(&mut brief.text)).collect()
    }

    /// A site with nothing in it: the "before" of a site that did not exist yet.
    pub fn empty() -> Site {
        Site {
            config: SiteConfig {
                title: String::new(),
                description: String::new(),
                language: "en".to_string(),
                author: String::new(),
                base_url: None,
                trust_html: false,
                search: true,
                paginate: None,
            },
            companies: Vec::new(),
            deals: Vec::new(),
            briefs: Vec::new(),
            pages: Vec::new(),
            series: Vec::new(),
            withheld: Withheld::default(),
            company_index: FxHashMap::default(),
            deal_index: FxHashMap::default(),
            brief_index: FxHashMap::default(),
            page_index: FxHashMap::default(),
        }
    }

    /// Builds the lookup maps; the lists must already be in their final order.
    pub(crate) fn index(mut self) -> Site {
        self.company_index = self.companies.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        self.deal_index = self.deals.iter().enumerate().map(|(i, d)| (d.id.clone(), i)).collect();
        self.brief_index = self.briefs.iter().enumerate().map(|(i, b)| (b.slug.clone(), i)).collect();
        self.page_index = self.pages.iter().enumerate().map(|(i, p)| (p.slug.clone(), i)).collect();
        self
    }

    pub fn brief(&self, slug: &str) -> Option<&Brief> {
        self.brief_index.get(slug).map(|&i| &self.briefs[i])
    }

    pub fn page(&self, slug: &str) -> Option<&Page> {
        self.page_index.get(slug).map(|&i| &self.pages[i])
    }

    pub fn company(&self, id: &str) -> Option<&Company> {
        self.company_index.get(id).map(|&i| &self.companies[i])
    }

    pub fn deal(&self, id: &str) -> Option<&Deal> {
        self.deal_index.get(id).map(|&i| &self.deals[i])
    }

    pub fn series_by_id(&self, id: &str) -> Option<&Series> {
        self.series.iter().find(|s| s.id == id)
    }

    /// The short label of a company for charts and tables (`AWS`), falling back to its name.
    pub fn company_label(&self, id: &str) -> String {
        self.company(id).map_or_else(|| id.to_string(), |c| c.label().to_string())
    }

    /// Every tag used by a brief, with the briefs that carry it (newest first), sorted by tag.
    pub fn tags(&self) -> BTreeMap<&str, Vec<&Brief>> {
        let mut tags: BTreeMap<&str, Vec<&Brief>> = BTreeMap::new();
        for brief in &self.briefs {
            for tag in &brief.tags {
                tags.entry(tag.as_str()).or_default().push(brief);
            }
        }
        tags
    }
}

#[derive(Clone, Debug)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    pub language: String,
    pub author: String,
    /// With a trailing slash; only used for the feed and the sitemap, never for links.
    pub base_url: Option<String>,
    /// Raw HTML in Markdown kept as written instead of sanitized (`trust_html = true`).
    pub trust_html: bool,
    /// Whether the site has its offline search: the index script and the search box (`search =
    /// false` turns both off; on by default).
    pub search: bool,
    /// How many briefs each page of the briefs index and of a topic lists (`paginate = 50`);
    /// `None`, the default, lists them all on one page.
    pub paginate: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Lab,
    Hyperscaler,
    Chipmaker,
    Neocloud,
    Financier,
    Developer,
    Energy,
}

impl Role {
    pub const ALL: [(&'static str, Role); 7] = [
        ("lab", Role::Lab),
        ("hyperscaler", Role::Hyperscaler),
        ("chipmaker", Role::Chipmaker),
        ("neocloud", Role::Neocloud),
        ("financier", Role::Financier),
        ("developer", Role::Developer),
        ("energy", Role::Energy),
    ];

    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(_, r)| *r == self).map_or("lab", |(k, _)| k)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Lab => "AI lab",
            Role::Hyperscaler => "Hyperscaler",
            Role::Chipmaker => "Chipmaker",
            Role::Neocloud => "Neocloud",
            Role::Financier => "Financier",
            Role::Developer => "Data-centre developer",
            Role::Energy => "Energy",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Company {
    pub id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub role: Role,
    pub parent: Option<String>,
    pub description: String,
    pub url: Option<String>,
    pub origin: Origin,
}

impl Company {
    pub fn label(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Cloud,
    Chips,
    Datacenter,
    Power,
    Equity,
    Financing,
    Acquisition,
}

impl Kind {
    pub const ALL: [(&'static str, Kind); 7] = [
        ("cloud", Kind::Cloud),
        ("chips", Kind::Chips),
        ("datacenter", Kind::Datacenter),
        ("power", Kind::Power),
        ("equity", Kind::Equity),
        ("financing", Kind::Financing),
        ("acquisition", Kind::Acquisition),
    ];

    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(_, k)| *k == self).map_or("cloud", |(k, _)| k)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Cloud => "Cloud capacity",
            Kind::Chips => "Chips",
            Kind::Datacenter => "Data centres",
            Kind::Power => "Power",
            Kind::Equity => "Equity",
            Kind::Financing => "Financing",
            Kind::Acquisition => "Acquisition",
        }
    }

    /// Compute purchases are summed into commitment totals; the other kinds are money flows
    /// (investments, loans, takeovers) shown on pages but never added to compute spending.
    pub fn is_compute(self) -> bool {
        matches!(self, Kind::Cloud | Kind::Chips | Kind::Datacenter | Kind::Power)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Agreement {
    Contract,
    LetterOfIntent,
    Talks,
    /// A company's announced plan to spend on capacity of its own, with no price agreed with the
    /// provider: what it means to spend, counted as a ceiling.
    Plan,
}

impl Agreement {
    pub const ALL: [(&'static str, Agreement); 4] = [
        ("contract", Agreement::Contract),
        ("letter_of_intent", Agreement::LetterOfIntent),
        ("talks", Agreement::Talks),
        ("plan", Agreement::Plan),
    ];

    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(_, a)| *a == self).map_or("contract", |(k, _)| k)
    }

    pub fn label(self) -> &'static str {
        match self {
            Agreement::Contract => "Contract",
            Agreement::LetterOfIntent => "Letter of intent",
            Agreement::Talks => "Reported talks",
            Agreement::Plan => "Investment plan",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Announced,
    Signed,
    Operational,
    Superseded,
    Cancelled,
}

impl Status {
    pub const ALL: [(&'static str, Status); 5] = [
        ("announced", Status::Announced),
        ("signed", Status::Signed),
        ("operational", Status::Operational),
        ("superseded", Status::Superseded),
        ("cancelled", Status::Cancelled),
    ];

    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(_, s)| *s == self).map_or("announced", |(k, _)| k)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Announced => "Announced",
            Status::Signed => "Signed",
            Status::Operational => "Operational",
            Status::Superseded => "Superseded",
            Status::Cancelled => "Cancelled",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Basis {
    Reported,
    /// A floor: the sources say "more than" the value. Counted at the value, so totals stay a
    /// lower bound.
    MoreThan,
    UpTo,
    Estimate,
    Undisclosed,
}

impl Basis {
    pub const ALL: [(&'static str, Basis); 5] = [
        ("reported", Basis::Reported),
        ("more_than", Basis::MoreThan),
        ("up_to", Basis::UpTo),
        ("estimate", Basis::Estimate),
        ("undisclosed", Basis::Undisclosed),
    ];

    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(_, b)| *b == self).map_or("reported", |(k, _)| k)
    }

    pub fn label(self) -> &'static str {
        match self {
            Basis::Reported => "Reported",
            Basis::MoreThan => "Floor",
            Basis::UpTo => "Ceiling",
            Basis::Estimate => "Estimate",
            Basis::Undisclosed => "Undisclosed",
        }
    }
}

/// Money in millions of US dollars: integers, so sums are exact and independent of order.
pub type UsdMillions = i64;

#[derive(Clone, Debug)]
pub struct Source {
    pub publisher: String,
    pub title: String,
    pub url: String,
    pub date: Date,
    pub note: Option<String>,
    /// Series sources: the periods they back (empty: the whole series).
    pub periods: Vec<Period>,
}

#[derive(Clone, Debug)]
pub struct Deal {
    pub id: String,
    pub title: String,
    pub buyer: String,
    pub provider: String,
    pub partners: Vec<String>,
    pub kind: Kind,
    pub announced: Date,
    pub agreement: Agreement,
    pub status: Status,
    pub superseded_by: Option<String>,
    /// `None` exactly when the basis is `Undisclosed`.
    pub value_usd_m: Option<UsdMillions>,
    pub basis: Basis,
    pub term_years: Option<f64>,
    pub capacity_gw: Option<f64>,
    pub chips: Vec<String>,
    pub chip_count: Option<u64>,
    pub summary: String,
    pub notes: Option<String>,
    pub sources: Vec<Source>,
    pub origin: Origin,
}

/// How a deal's value counts: the three are never added together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bucket {
    /// A reported value of a contract.
    Firm,
    /// A value estimated by analysts or the desk.
    Estimate,
    /// An "up to" ceiling, a letter of intent, reported talks or an investment plan.
    Ceiling,
}

impl Bucket {
    pub fn key(self) -> &'static str {
        match self {
            Bucket::Firm => "firm",
            Bucket::Estimate => "estimate",
            Bucket::Ceiling => "ceiling",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Bucket::Firm => "Firm (reported contract value)",
            Bucket::Estimate => "Estimate",
            Bucket::Ceiling => "Ceiling or non-binding",
        }
    }
}

impl Deal {
    /// Superseded and cancelled deals stay on the site but count for nothing.
    pub fn is_active(&self) -> bool {
        !matches!(self.status, Status::Superseded | Status::Cancelled)
    }

    /// How the value counts, or `None` when it does not count (inactive or undisclosed).
    pub fn bucket(&self) -> Option<Bucket> {
        if !self.is_active() || self.value_usd_m.is_none() {
            return None;
        }
        if self.agreement != Agreement::Contract || self.basis == Basis::UpTo {
            return Some(Bucket::Ceiling);
        }
        match self.basis {
            Basis::Reported | Basis::MoreThan => Some(Bucket::Firm),
            Basis::Estimate => Some(Bucket::Estimate),
            Basis::UpTo => Some(Bucket::Ceiling),
            Basis::Undisclosed => None,
        }
    }

    /// The companies involved: buyer, provider, then partners.
    pub fn parties(&self) -> impl Iterator<Item = &str> {
        [self.buyer.as_str(), self.provider.as_str()].into_iter().chain(self.partners.iter().map(String::as_str))
    }
}

#[derive(Clone, Debug)]
pub struct Brief {
    pub slug: String,
    pub title: String,
    pub date: Date,
    pub updated: Option<Date>,
    pub summary: String,
    pub tags: Vec<String>,
    pub companies: Vec<String>,
    pub deals: Vec<String>,
    pub draft: bool,
    /// The whole file, shared with `Sources`; the Markdown body is `text[body_offset..]`.
    pub text: Arc<String>,
    /// Where the body starts in `file`: shortcode and link diagnostics add it to their spans.
    pub body_offset: usize,
    pub file: String,
}

impl Brief {
    pub fn body(&self) -> &str {
        self.text.get(self.body_offset..).unwrap_or("")
    }
}

#[derive(Clone, Debug)]
pub struct Page {
    pub slug: String,
    pub title: String,
    pub summary: Option<String>,
    pub order: i64,
    pub draft: bool,
    pub text: Arc<String>,
    pub body_offset: usize,
    pub file: String,
}

impl Page {
    pub fn body(&self) -> &str {
        self.text.get(self.body_offset..).unwrap_or("")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Percent,
    UsdBn,
    Gw,
}

impl Unit {
    pub const ALL: [(&'static str, Unit); 3] = [("percent", Unit::Percent), ("usd_bn", Unit::UsdBn), ("gw", Unit::Gw)];

    pub fn key(self) -> &'static str {
        Self::ALL.iter().find(|(_, u)| *u == self).map_or("percent", |(k, _)| k)
    }

    /// The unit as an axis label names it.
    pub fn axis_label(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::UsdBn => "$bn",
            Unit::Gw => "GW",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Frequency {
    Quarter,
    Year,
}

impl Frequency {
    pub const ALL: [(&'static str, Frequency); 2] = [("quarter", Frequency::Quarter), ("year", Frequency::Year)];
}

#[derive(Clone, Debug)]
pub struct Point {
    pub period: Period,
    pub value: f64,
}

#[derive(Clone, Debug)]
pub struct Line {
    pub label: String,
    pub company: Option<String>,
    /// Sorted by period.
    pub points: Vec<Point>,
}

#[derive(Clone, Debug)]
pub struct Series {
    pub id: String,
    pub title: String,
    pub unit: Unit,
    pub frequency: Frequency,
    pub summary: String,
    pub notes: Option<String>,
    pub lines: Vec<Line>,
    pub sources: Vec<Source>,
    pub file: String,
}

impl Series {
    pub fn line(&self, label: &str) -> Option<&Line> {
        self.lines.iter().find(|l| l.label == label)
    }

    /// Every period that any line has a point for, sorted.
    pub fn periods(&self) -> Vec<Period> {
        let mut periods: Vec<Period> = self.lines.iter().flat_map(|l| l.points.iter().map(|p| p.period)).collect();
        periods.sort();
        periods.dedup();
        periods
    }
}

/// Whether `text` is an id or slug: lowercase ASCII letters and digits in groups joined by
/// single hyphens, at most 80 characters.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 80
        && text
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// A slug made from free text: `"Why OpenAI went to AWS"` becomes `why-openai-went-to-aws`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut push = |ch: char| {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch);
        } else if let Some(plain) = fold_accent(ch) {
            slug.push_str(plain);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    };
    for ch in text.chars() {
        // ASCII, nearly every character of a heading, needs no Unicode case table.
        if ch.is_ascii() {
            push(ch.to_ascii_lowercase());
        } else {
            ch.to_lowercase().for_each(&mut push);
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    if slug.len() > 80 {
        slug.truncate(80);
        while slug.ends_with('-') {
            slug.pop();
        }
    }
    slug
}

/// The plain Latin letters of common accented ones, so `Énergie` slugs as `energie`.
fn fold_accent(ch: char) -> Option<&'static str> {
    Some(match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'æ' => "ae",
        'ç' | 'č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'œ' => "oe",
        'ß' => "ss",
        'ś' | 'š' => "s",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ž' | 'ź' | 'ż' => "z",
        'ł' => "l",
        'ř' => "r",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("openai-aws-2025"));
        assert!(!is_slug("OpenAI"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug("-a"));
        assert!(!is_slug("../etc"));
        assert!(!is_slug("a.b"));
        assert_eq!(slugify("Why OpenAI went to AWS?"), "why-openai-went-to-aws");
        assert_eq!(slugify("Gigawatts: power — the new unit"), "gigawatts-power-the-new-unit");
        assert_eq!(slugify("Énergie & Ökonomie"), "energie-okonomie");
    }
}
