//! The registry's arithmetic: commitment totals overall, by provider and by buyer.
//!
//! One rule set, used by every page, chart, CSV and review report: only active compute
//! purchases (cloud, chips, data centres, power) count; superseded and cancelled deals count for
//! nothing; firm values, estimates and ceilings (up-to values, letters of intent, talks,
//! investment plans) are kept in separate sums and never added together. Money is in integer
//! millions of dollars, so sums are exact whatever order the deals come in.

use std::collections::BTreeMap;

use super::{Basis, Bucket, Deal, UsdMillions};

/// Sums for one group of deals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    pub firm: UsdMillions,
    pub estimate: UsdMillions,
    pub ceiling: UsdMillions,
    /// Active compute deals in the group, with or without a disclosed value.
    pub deals: usize,
    /// Of those, the ones whose value is undisclosed.
    pub undisclosed: usize,
    /// Firm values that are floors (the sources say "more than"): while there is one, `firm`
    /// is a lower bound and is shown as "at least".
    pub floors: usize,
}

impl Amounts {
    fn add(&mut self, deal: &Deal) {
        self.deals += 1;
        match (deal.bucket(), deal.value_usd_m) {
            (Some(Bucket::Firm), Some(value)) => {
                self.firm += value;
                self.floors += usize::from(deal.basis == Basis::MoreThan);
            }
            (Some(Bucket::Estimate), Some(value)) => self.estimate += value,
            (Some(Bucket::Ceiling), Some(value)) => self.ceiling += value,
            _ => self.undisclosed += 1,
        }
    }

    /// Firm plus estimates: what the group is committed to as far as anyone can tell, ceilings apart.
    pub fn committed(&self) -> UsdMillions {
        self.firm + self.estimate
    }

    /// Everything including ceilings, for sorting groups where ceilings dominate.
    pub fn including_ceilings(&self) -> UsdMillions {
        self.firm + self.estimate + self.ceiling
    }
}

/// Compute-commitment totals of a registry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    pub overall: Amounts,
    pub by_provider: BTreeMap<String, Amounts>,
    pub by_buyer: BTreeMap<String, Amounts>,
    /// Deals left out because they were superseded or cancelled (all kinds).
    pub inactive: usize,
    /// Active deals that are money flows rather than compute purchases.
    pub flows: usize,
}

/// Whether a deal enters the commitment totals at all.
pub fn counts(deal: &Deal) -> bool {
    deal.is_active() && deal.kind.is_compute()
}

pub fn totals(deals: &[Deal]) -> Totals {
    let mut totals = Totals::default();
    for deal in deals {
        if !deal.is_active() {
            totals.inactive += 1;
            continue;
        }
        if !deal.kind.is_compute() {
            totals.flows += 1;
            continue;
        }
        totals.overall.add(deal);
        totals.by_provider.entry(deal.provider.clone()).or_default().add(deal);
        totals.by_buyer.entry(deal.buyer.clone()).or_default().add(deal);
    }
    totals
}

/// Groups ranked for display: by committed value, then ceilings, then id, largest first.
pub fn ranked(groups: &BTreeMap<String, Amounts>) -> Vec<(&str, Amounts)> {
    let mut ranked: Vec<(&str, Amounts)> = groups.iter().map(|(id, a)| (id.as_str(), *a)).collect();
    ranked.sort_by(|(a_id, a), (b_id, b)| {
        b.committed().cmp(&a.committed()).then(b.ceiling.cmp(&a.ceiling)).then(a_id.cmp(b_id))
    });
    ranked
}
