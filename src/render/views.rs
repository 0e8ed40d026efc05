//! What templates see: model values shaped and formatted for pages.
//!
//! Views carry root-relative paths (`deals/x.html`); templates prefix them with `root`, the
//! `../` that climbs from the current page to the site root. Figures arrive formatted by
//! `render::format`, so templates hold no arithmetic and no number formatting.

use serde::Serialize;

use super::format;
use super::paths;
use crate::model::totals::Amounts;
use crate::model::{Brief, Company, Deal, Site, Source};

#[derive(Clone, Debug, Serialize)]
pub struct Link {
    pub title: String,
    pub path: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct CompanyRef {
    pub id: String,
    pub name: String,
    pub label: String,
    pub path: String,
}

impl CompanyRef {
    pub fn new(site: &Site, id: &str) -> CompanyRef {
        match site.company(id) {
            Some(company) => CompanyRef::of(company),
            None => {
                CompanyRef { id: id.to_string(), name: id.to_string(), label: id.to_string(), path: paths::company(id) }
            }
        }
    }

    pub fn of(company: &Company) -> CompanyRef {
        CompanyRef {
            id: company.id.clone(),
            name: company.name.clone(),
            label: company.label().to_string(),
            path: paths::company(&company.id),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TagRef {
    pub name: String,
    pub path: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SourceView {
    pub publisher: String,
    pub title: String,
    pub url: String,
    pub date: String,
    pub date_iso: String,
    pub note: Option<String>,
}

impl SourceView {
    pub fn of(source: &Source) -> SourceView {
        SourceView {
            publisher: source.publisher.clone(),
            title: source.title.clone(),
            url: source.url.clone(),
            date: source.date.long(),
            date_iso: source.date.iso(),
            note: source.note.clone(),
        }
    }
}

/// One deal as a row of a table or a card.
#[derive(Clone, Debug, Serialize)]
pub struct DealRow {
    pub id: String,
    pub path: String,
    pub title: String,
    pub summary: String,
    pub buyer: CompanyRef,
    pub provider: CompanyRef,
    pub kind: String,
    pub kind_label: String,
    pub announced: String,
    pub announced_short: String,
    pub announced_iso: String,
    /// Prose form: `up to $100bn`.
    pub value: String,
    /// Table form: `~$90bn`, `undisclosed`.
    pub value_short: String,
    /// Millions of dollars for sorting; -1 when undisclosed.
    pub value_sort: i64,
    pub basis: String,
    pub basis_label: String,
    pub agreement: String,
    pub agreement_label: String,
    pub status: String,
    pub status_label: String,
    /// `firm`, `estimate`, `ceiling`, or `none` when the value does not count.
    pub bucket: String,
    pub active: bool,
    /// Counted in the compute-commitment totals.
    pub counted: bool,
    pub capacity: Option<String>,
    pub capacity_sort: f64,
    pub term: Option<String>,
    pub chips: Vec<String>,
}

impl DealRow {
    pub fn of(site: &Site, deal: &Deal) -> DealRow {
        DealRow {
            id: deal.id.clone(),
            path: paths::deal(&deal.id),
            title: deal.title.clone(),
            summary: deal.summary.clone(),
            buyer: CompanyRef::new(site, &deal.buyer),
            provider: CompanyRef::new(site, &deal.provider),
            kind: deal.kind.key().to_string(),
            kind_label: deal.kind.label().to_string(),
            announced: deal.announced.long(),
            announced_short: deal.announced.short(),
            announced_iso: deal.announced.iso(),
            value: format::deal_value(deal),
            value_short: format::deal_value_short(deal),
            value_sort: deal.value_usd_m.unwrap_or(-1),
            basis: deal.basis.key().to_string(),
            basis_label: deal.basis.label().to_string(),
            agreement: deal.agreement.key().to_string(),
            agreement_label: deal.agreement.label().to_string(),
            status: deal.status.key().to_string(),
            status_label: deal.status.label().to_string(),
            bucket: deal.bucket().map_or("none", |b| b.key()).to_string(),
            active: deal.is_active(),
            counted: crate::model::totals::counts(deal),
            capacity: deal.capacity_gw.map(format::gigawatts),
            capacity_sort: deal.capacity_gw.unwrap_or(0.0),
            term: deal.term_years.map(format::years),
            chips: deal.chips.clone(),
        }
    }
}

/// How a deal counts, in one sentence for its page.
pub fn counting_note(deal: &Deal) -> String {
    use crate::model::{Bucket, Status};
    if !deal.is_active() {
        let why = if deal.status == Status::Superseded { "superseded" } else { "cancelled" };
        return format!("Not counted: the deal was {why}, so its value is left out of every total.");
    }
    if !deal.kind.is_compute() {
        return format!(
            "Not counted in compute commitments: {} is a money flow, shown in the flows between companies.",
            deal.kind.label().to_lowercase()
        );
    }
    match deal.bucket() {
        Some(Bucket::Firm) => "Counted as a firm commitment.".to_string(),
        Some(Bucket::Estimate) => "Counted apart as an estimate, never added to firm commitments.".to_string(),
        Some(Bucket::Ceiling) => {
            "Counted apart as a ceiling or non-binding figure, never added to firm commitments.".to_string()
        }
        None => "Counted as a deal, but its value is undisclosed.".to_string(),
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct AmountsView {
    pub firm: String,
    pub estimate: String,
    pub ceiling: String,
    pub has_firm: bool,
    pub has_estimate: bool,
    pub has_ceiling: bool,
    pub deals: usize,
    pub undisclosed: usize,
    /// How many firm values are floors ("more than"): the firm sum is then a lower bound.
    pub firm_floors: usize,
}

impl AmountsView {
    pub fn of(amounts: &Amounts) -> AmountsView {
        AmountsView {
            firm: format::usd(amounts.firm),
            estimate: format::usd(amounts.estimate),
            ceiling: format::usd(amounts.ceiling),
            has_firm: amounts.firm > 0,
            has_estimate: amounts.estimate > 0,
            has_ceiling: amounts.ceiling > 0,
            deals: amounts.deals,
            undisclosed: amounts.undisclosed,
            firm_floors: amounts.floors,
        }
    }
}

/// A brief in lists, feeds and cross-references.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BriefRef {
    pub slug: String,
    pub title: String,
    pub path: String,
    pub date: String,
    pub date_iso: String,
    pub updated: Option<String>,
    pub updated_iso: Option<String>,
    pub summary: String,
    pub tags: Vec<TagRef>,
    pub reading_minutes: usize,
    pub draft: bool,
}

impl BriefRef {
    pub fn of(brief: &Brief, words: usize) -> BriefRef {
        BriefRef {
            slug: brief.slug.clone(),
            title: brief.title.clone(),
            path: paths::brief(&brief.slug),
            date: brief.date.long(),
            date_iso: brief.date.iso(),
            updated: brief.updated.map(|d| d.long()),
            updated_iso: brief.updated.map(|d| d.iso()),
            summary: brief.summary.clone(),
            tags: brief.tags.iter().map(|t| TagRef { name: t.clone(), path: paths::tag(t) }).collect(),
            reading_minutes: format::reading_minutes(words),
            draft: brief.draft,
        }
    }
}
