//! The registry as data files: `data/deals.csv`, `data/deals.json`, `data/companies.csv`, and
//! one CSV per series. Columns and keys are fixed and documented in README; values come from the
//! model unformatted (billions as plain numbers) so spreadsheets can sum them.

use serde::Serialize;

use super::format::decimal;
use crate::model::{Deal, Series, Site};

/// Quotes a CSV field when needed, and defuses spreadsheet formulas (`=`, `+`, `-`, `@` at the
/// start of text get a leading apostrophe).
pub fn csv_field(text: &str) -> String {
    let defused = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') if text.parse::<f64>().is_err() => {
            format!("'{text}")
        }
        _ => text.to_string(),
    };
    if defused.contains([',', '"', '\n', '\r']) { format!("\"{}\"", defused.replace('"', "\"\"")) } else { defused }
}

pub fn csv_row(fields: &[String]) -> String {
    let mut row = fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
    row.push_str("\r\n");
    row
}

fn number(value: Option<f64>) -> String {
    value.map(|v| decimal(v, 3)).unwrap_or_default()
}

fn usd_bn(deal: &Deal) -> Option<f64> {
    deal.value_usd_m.map(|m| m as f64 / 1_000.0)
}

pub const DEAL_COLUMNS: [&str; 20] = [
    "id",
    "title",
    "buyer",
    "provider",
    "partners",
    "kind",
    "announced",
    "agreement",
    "status",
    "superseded_by",
    "value_usd_bn",
    "value_basis",
    "counted_as",
    "term_years",
    "capacity_gw",
    "chips",
    "chip_count",
    "summary",
    "source_urls",
    "page",
];

pub fn deals_csv(site: &Site) -> String {
    let mut csv = csv_row(&DEAL_COLUMNS.map(str::to_string));
    for deal in &site.deals {
        csv.push_str(&csv_row(&[
            deal.id.clone(),
            deal.title.clone(),
            deal.buyer.clone(),
            deal.provider.clone(),
            deal.partners.join(";"),
            deal.kind.key().to_string(),
            deal.announced.iso(),
            deal.agreement.key().to_string(),
            deal.status.key().to_string(),
            deal.superseded_by.clone().unwrap_or_default(),
            number(usd_bn(deal)),
            deal.basis.key().to_string(),
            counted_as(deal).to_string(),
            number(deal.term_years),
            number(deal.capacity_gw),
            deal.chips.join(";"),
            deal.chip_count.map(|c| c.to_string()).unwrap_or_default(),
            deal.summary.clone(),
            deal.sources.iter().map(|s| s.url.as_str()).collect::<Vec<_>>().join(" "),
            super::paths::deal(&deal.id),
        ]));
    }
    csv
}

/// `firm`, `estimate`, `ceiling`, `flow` (equity, financing, acquisitions), `undisclosed` or
/// `excluded` (superseded or cancelled).
pub fn counted_as(deal: &Deal) -> &'static str {
    if !deal.is_active() {
        "excluded"
    } else if !deal.kind.is_compute() {
        "flow"
    } else {
        deal.bucket().map_or("undisclosed", |b| b.key())
    }
}

#[derive(Serialize)]
struct DealRecord<'a> {
    id: &'a str,
    title: &'a str,
    buyer: &'a str,
    provider: &'a str,
    partners: &'a [String],
    kind: &'a str,
    announced: String,
    agreement: &'a str,
    status: &'a str,
    superseded_by: Option<&'a str>,
    value_usd_bn: Option<f64>,
    value_basis: &'a str,
    counted_as: &'a str,
    term_years: Option<f64>,
    capacity_gw: Option<f64>,
    chips: &'a [String],
    chip_count: Option<u64>,
    summary: &'a str,
    notes: Option<&'a str>,
    sources: Vec<SourceRecord<'a>>,
    page: String,
}

#[derive(Serialize)]
struct SourceRecord<'a> {
    publisher: &'a str,
    title: &'a str,
    url: &'a str,
    date: String,
}

#[derive(Serialize)]
struct DealsFile<'a> {
    site: &'a str,
    deals: Vec<DealRecord<'a>>,
}

pub fn deals_json(site: &Site) -> String {
    let deals = site
        .deals
        .iter()
        .map(|deal| DealRecord {
            id: &deal.id,
            title: &deal.title,
            buyer: &deal.buyer,
            provider: &deal.provider,
            partners: &deal.partners,
            kind: deal.kind.key(),
            announced: deal.announced.iso(),
            agreement: deal.agreement.key(),
            status: deal.status.key(),
            superseded_by: deal.superseded_by.as_deref(),
            value_usd_bn: usd_bn(deal),
            value_basis: deal.basis.key(),
            counted_as: counted_as(deal),
            term_years: deal.term_years,
            capacity_gw: deal.capacity_gw,
            chips: &deal.chips,
            chip_count: deal.chip_count,
            summary: &deal.summary,
            notes: deal.notes.as_deref(),
            sources: deal
                .sources
                .iter()
                .map(|s| SourceRecord { publisher: &s.publisher, title: &s.title, url: &s.url, date: s.date.iso() })
                .collect(),
            page: super::paths::deal(&deal.id),
        })
        .collect();
    let file = DealsFile { site: &site.config.title, deals };
    let mut json = serde_json::to_string_pretty(&file).unwrap_or_else(|_| "{}".to_string());
    json.push('\n');
    json
}

pub fn companies_csv(site: &Site) -> String {
    let mut csv = csv_row(&["id", "name", "short_name", "role", "parent", "url", "page"].map(str::to_string));
    for company in &site.companies {
        csv.push_str(&csv_row(&[
            company.id.clone(),
            company.name.clone(),
            company.short_name.clone().unwrap_or_default(),
            company.role.key().to_string(),
            company.parent.clone().unwrap_or_default(),
            company.url.clone().unwrap_or_default(),
            super::paths::company(&company.id),
        ]));
    }
    csv
}

/// One row per period, one column per line.
pub fn series_csv(series: &Series) -> String {
    let mut header = vec!["period".to_string()];
    header.extend(series.lines.iter().map(|l| l.label.clone()));
    let mut csv = csv_row(&header);
    for period in series.periods() {
        let mut row = vec![period.key()];
        for line in &series.lines {
            row.push(number(line.points.iter().find(|p| p.period == period).map(|p| p.value)));
        }
        csv.push_str(&csv_row(&row));
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-4.5"), "-4.5");
        assert_eq!(csv_field("-bad"), "'-bad");
    }
}
