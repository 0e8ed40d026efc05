//! The numbers behind each chart, computed from the model with the rules of `model::totals`.
//!
//! Pure functions from the site to plain rows, so every aggregate a chart draws can be checked
//! against hand-computed totals (tests/suite/charts.rs) without looking at SVG. Inactive deals
//! never enter; firm values, estimates and ceilings stay in separate fields.

use std::collections::BTreeMap;

use crate::model::totals::{self, Amounts};
use crate::model::{Basis, Bucket, Date, Deal, Kind, Site, UsdMillions};

/// One bar of a ranking: a company (or "Others") with its sums.
#[derive(Clone, Debug, PartialEq)]
pub struct RankedBar {
    /// Company id, or `None` for the "others" row.
    pub company: Option<String>,
    pub label: String,
    pub amounts: Amounts,
    /// How many companies the "others" row stands for (0 for a company row).
    pub others: usize,
}

/// Compute commitments grouped by provider (`by_provider = true`) or buyer, largest first,
/// the first `top` as bars and the rest summed into one "Others" bar.
pub fn ranking(site: &Site, by_provider: bool, top: usize) -> Vec<RankedBar> {
    let totals = totals::totals(&site.deals);
    let groups = if by_provider { &totals.by_provider } else { &totals.by_buyer };
    let ranked: Vec<(&str, Amounts)> =
        totals::ranked(groups).into_iter().filter(|(_, a)| a.including_ceilings() > 0).collect();
    let mut bars: Vec<RankedBar> = ranked
        .iter()
        .take(top)
        .map(|(id, amounts)| RankedBar {
            company: Some(id.to_string()),
            label: site.company_label(id),
            amounts: *amounts,
            others: 0,
        })
        .collect();
    if ranked.len() > top {
        let mut rest = Amounts::default();
        for (_, amounts) in &ranked[top..] {
            rest.firm += amounts.firm;
            rest.estimate += amounts.estimate;
            rest.ceiling += amounts.ceiling;
            rest.deals += amounts.deals;
            rest.undisclosed += amounts.undisclosed;
            rest.floors += amounts.floors;
        }
        let count = ranked.len() - top;
        bars.push(RankedBar { company: None, label: format!("Others ({count})"), amounts: rest, others: count });
    }
    bars
}

/// Running sums of counted compute commitments, one step per deal with a value, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct CumulativeStep {
    pub date: Date,
    pub deal: String,
    pub firm: UsdMillions,
    /// The firm sum so far includes a floor ("more than"): it is a lower bound.
    pub firm_floor: bool,
    pub estimate: UsdMillions,
    pub ceiling: UsdMillions,
}

pub fn cumulative(site: &Site) -> Vec<CumulativeStep> {
    let mut deals: Vec<&Deal> =
        site.deals.iter().filter(|d| totals::counts(d) && d.value_usd_m.is_some() && d.bucket().is_some()).collect();
    // In the order the chart draws them: a date known to the month only sits mid-month on the
    // axis, after that month's first days, so sorting by the date itself would send the line
    // back in time and draw a notch.
    deals.sort_by(|a, b| {
        a.announced.fractional_year().total_cmp(&b.announced.fractional_year()).then_with(|| a.id.cmp(&b.id))
    });
    let (mut firm, mut estimate, mut ceiling, mut firm_floor) = (0, 0, 0, false);
    deals
        .into_iter()
        .map(|deal| {
            let value = deal.value_usd_m.unwrap_or(0);
            match deal.bucket() {
                Some(Bucket::Firm) => {
                    firm += value;
                    firm_floor |= deal.basis == Basis::MoreThan;
                }
                Some(Bucket::Estimate) => estimate += value,
                Some(Bucket::Ceiling) => ceiling += value,
                None => {}
            }
            CumulativeStep { date: deal.announced, deal: deal.id.clone(), firm, firm_floor, estimate, ceiling }
        })
        .collect()
}

/// A deal placed on the timeline: every active deal, valued or not, of every kind.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineDeal {
    pub id: String,
    pub title: String,
    pub date: Date,
    pub value: Option<UsdMillions>,
    pub bucket: Option<Bucket>,
    pub kind: Kind,
    pub capacity_gw: Option<f64>,
}

pub fn timeline(site: &Site) -> Vec<TimelineDeal> {
    let mut deals: Vec<TimelineDeal> = site
        .deals
        .iter()
        .filter(|d| d.is_active())
        .map(|d| TimelineDeal {
            id: d.id.clone(),
            title: d.title.clone(),
            date: d.announced,
            value: d.value_usd_m,
            bucket: d.bucket(),
            kind: d.kind,
            capacity_gw: d.capacity_gw,
        })
        .collect();
    deals.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
    deals
}

/// Whether a flow is a compute purchase or money going in as equity, loans or a takeover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowKind {
    Compute,
    Capital,
}

/// Money from a payer to a payee, summed over the deals between them with the same kind and bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub kind: FlowKind,
    pub bucket: Bucket,
    pub value: UsdMillions,
    pub deals: usize,
    /// Some deal of the flow gives its value only as "more than": the sum is a floor.
    pub floor: bool,
}

/// Flows grouped by (payer, payee, kind, bucket): their sum, deal count and whether a floor is in it.
type FlowGroups = BTreeMap<(String, String, FlowKind, Bucket), (UsdMillions, usize, bool)>;

/// Who pays whom: active deals with a value, grouped by (buyer, provider, kind, bucket).
/// Companies outside the `top` payers or payees by total are merged into `others`.
pub fn flows(site: &Site, top_payers: usize, top_payees: usize) -> Vec<Flow> {
    let mut raw = FlowGroups::new();
    let mut paid: BTreeMap<&str, UsdMillions> = BTreeMap::new();
    let mut received: BTreeMap<&str, UsdMillions> = BTreeMap::new();
    for deal in site.deals.iter().filter(|d| d.is_active()) {
        let (Some(value), Some(bucket)) = (deal.value_usd_m, deal.bucket()) else { continue };
        *paid.entry(deal.buyer.as_str()).or_default() += value;
        *received.entry(deal.provider.as_str()).or_default() += value;
        let kind = if deal.kind.is_compute() { FlowKind::Compute } else { FlowKind::Capital };
        let entry = raw.entry((deal.buyer.clone(), deal.provider.clone(), kind, bucket)).or_default();
        entry.0 += value;
        entry.1 += 1;
        entry.2 |= deal.basis == Basis::MoreThan;
    }
    let keep = |sums: &BTreeMap<&str, UsdMillions>, top: usize| -> Vec<String> {
        let mut ranked: Vec<(&str, UsdMillions)> = sums.iter().map(|(k, v)| (*k, *v)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        ranked.into_iter().take(top).map(|(k, _)| k.to_string()).collect()
    };
    let payers = keep(&paid, top_payers);
    let payees = keep(&received, top_payees);
    let mut merged = FlowGroups::new();
    for ((from, to, kind, bucket), (value, deals, floor)) in raw {
        let from = if payers.contains(&from) { from } else { OTHERS.to_string() };
        let to = if payees.contains(&to) { to } else { OTHERS.to_string() };
        let entry = merged.entry((from, to, kind, bucket)).or_default();
        entry.0 += value;
        entry.1 += deals;
        entry.2 |= floor;
    }
    let mut flows: Vec<Flow> = merged
        .into_iter()
        .map(|((from, to, kind, bucket), (value, deals, floor))| Flow { from, to, kind, bucket, value, deals, floor })
        .collect();
    flows.sort_by(|a, b| {
        b.value.cmp(&a.value).then_with(|| (&a.from, &a.to, a.kind, a.bucket).cmp(&(&b.from, &b.to, b.kind, b.bucket)))
    });
    flows
}

/// The id standing for all companies outside the top ones in flows.
pub const OTHERS: &str = "others";

/// Size bands for the distribution of deal values, in millions of dollars (lower bound inclusive).
pub const BANDS: [(UsdMillions, &str); 8] = [
    (0, "under $1bn"),
    (1_000, "$1–5bn"),
    (5_000, "$5–10bn"),
    (10_000, "$10–25bn"),
    (25_000, "$25–50bn"),
    (50_000, "$50–100bn"),
    (100_000, "$100–250bn"),
    (250_000, "$250bn+"),
];

pub fn band_of(value: UsdMillions) -> usize {
    BANDS.iter().rposition(|(lower, _)| value >= *lower).unwrap_or(0)
}

/// How many active deals with a disclosed value fall in each band.
pub fn distribution(site: &Site) -> [usize; 8] {
    let mut counts = [0; 8];
    for deal in site.deals.iter().filter(|d| d.is_active()) {
        if let Some(value) = deal.value_usd_m {
            counts[band_of(value)] += 1;
        }
    }
    counts
}

/// The deal's rank by value among active deals with a disclosed value (1 = largest), and how
/// many such deals there are. `None` when the deal is inactive or has no value.
pub fn rank(site: &Site, deal: &Deal) -> Option<(usize, usize)> {
    let value = deal.value_usd_m.filter(|_| deal.is_active())?;
    let valued: Vec<UsdMillions> = site.deals.iter().filter(|d| d.is_active()).filter_map(|d| d.value_usd_m).collect();
    let larger = valued.iter().filter(|v| **v > value).count();
    Some((larger + 1, valued.len()))
}

/// One of a company's deals, seen from the company: the other party and the value.
#[derive(Clone, Debug, PartialEq)]
pub struct CompanyDeal {
    pub deal: String,
    pub title: String,
    pub counterparty: String,
    pub announced: Date,
    pub as_buyer: bool,
    pub value: Option<UsdMillions>,
    /// The value is a floor: the sources say "more than".
    pub floor: bool,
    pub bucket: Option<Bucket>,
    pub kind: Kind,
}

/// A company's active deals as buyer and as provider, largest first.
pub fn company_deals(site: &Site, company: &str) -> Vec<CompanyDeal> {
    let mut deals: Vec<CompanyDeal> = site
        .deals
        .iter()
        .filter(|d| d.is_active() && (d.buyer == company || d.provider == company))
        .map(|d| {
            let as_buyer = d.buyer == company;
            CompanyDeal {
                deal: d.id.clone(),
                title: d.title.clone(),
                counterparty: if as_buyer { d.provider.clone() } else { d.buyer.clone() },
                announced: d.announced,
                as_buyer,
                floor: d.basis == Basis::MoreThan,
                value: d.value_usd_m,
                bucket: d.bucket(),
                kind: d.kind,
            }
        })
        .collect();
    deals.sort_by(|a, b| {
        b.as_buyer
            .cmp(&a.as_buyer)
            .then(b.value.unwrap_or(-1).cmp(&a.value.unwrap_or(-1)))
            .then_with(|| a.deal.cmp(&b.deal))
    });
    deals
}
