//! Charts: the registry and series drawn at build time as inline, accessible SVG.
//!
//! Each [`Chart`] carries everything a page shows around the drawing: a title, a takeaway
//! sentence generated from the data, the SVG (with `<title>`/`<desc>`), a legend, the data as
//! table rows and as CSV, and a note naming the sources. Named site charts are built once per
//! build ([`site_charts`]); the company and deal charts are built per page. `aggregate` computes
//! the numbers, `draw` lays them out with plotters, `svg` makes the result accessible and
//! themeable, `canvas` is the drawing layer.

pub mod aggregate;
pub mod canvas;
pub mod draw;
pub mod svg;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use self::canvas::{DrawError, Paint};
use self::draw::{BarRow, Drawing};
use crate::model::{Bucket, Deal, Frequency, Kind, Series, Site, Unit};
use crate::render::data::csv_row;
use crate::render::format::{self, decimal};
use crate::render::paths;

/// Names of the site-wide charts, in the order the data page shows them.
pub const PROVIDERS: &str = "commitments-by-provider";
pub const BUYERS: &str = "commitments-by-buyer";
pub const CUMULATIVE: &str = "cumulative-commitments";
pub const TIMELINE: &str = "deal-timeline";
pub const FLOWS: &str = "flows";
/// Bars shown before the rest is summed into "Others".
const TOP: usize = 10;
/// Most markers the deal timeline draws.
const TIMELINE_MARKERS: usize = 300;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LegendItem {
    pub label: String,
    /// Inline SVG markup of the swatch (drawn in a 16×16 box).
    pub swatch: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Chart {
    pub name: String,
    /// The element id of the figure, unique on a page.
    pub id: String,
    pub title: String,
    pub takeaway: String,
    pub svg: String,
    pub legend: Vec<LegendItem>,
    pub columns: Vec<String>,
    /// The data table shown under the chart: at most [`TABLE_ROWS`] rows (the CSV has them all).
    pub rows: Vec<Vec<String>>,
    /// Rows left out of the table, found in the CSV.
    pub more_rows: usize,
    /// Output path of the chart's CSV.
    pub csv_path: String,
    #[serde(skip)]
    pub csv: String,
    pub source_note: String,
}

struct Spec {
    name: String,
    title: String,
    takeaway: String,
    desc_values: String,
    legend: Vec<LegendItem>,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    csv_columns: Vec<String>,
    csv_rows: Vec<Vec<String>>,
    source_note: String,
}

fn assemble(spec: Spec, drawing: Drawing) -> Chart {
    let body = svg::Body::from_raw(&drawing.svg, &drawing.shortened);
    assemble_body(spec, &body)
}

/// Assembles a chart around an already rewritten SVG body (shared by charts that look alike).
/// Rows of a chart's data table on the page; the CSV beside it has every row.
pub const TABLE_ROWS: usize = 40;

fn assemble_body(spec: Spec, body: &svg::Body) -> Chart {
    let id = format!("chart-{}", spec.name);
    let desc = if spec.desc_values.is_empty() {
        spec.takeaway.clone()
    } else {
        format!("{} {}", spec.takeaway, spec.desc_values)
    };
    let svg = body.finish(&id, &spec.title, &desc);
    let mut csv = csv_row(&spec.csv_columns);
    for row in &spec.csv_rows {
        csv.push_str(&csv_row(row));
    }
    let mut rows = spec.rows;
    let more_rows = rows.len().saturating_sub(TABLE_ROWS);
    rows.truncate(TABLE_ROWS);
    Chart {
        csv_path: format!("data/charts/{}.csv", spec.name),
        name: spec.name,
        id,
        title: spec.title,
        takeaway: spec.takeaway,
        svg,
        legend: spec.legend,
        columns: spec.columns,
        rows,
        more_rows,
        csv,
        source_note: spec.source_note,
    }
}

fn cols(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

fn bn(millions: i64) -> String {
    decimal(millions as f64 / 1_000.0, 3)
}

fn swatch(paint: Paint, shape: &str) -> String {
    let (class, color) = paint.class_and_fallback();
    let dashed = matches!(paint, Paint::Ceiling);
    match shape {
        "outline" => format!(
            "<rect x=\"1.5\" y=\"3.5\" width=\"13\" height=\"9\" fill=\"{color}\" fill-opacity=\"0.15\" stroke=\"{color}\" stroke-width=\"2\" class=\"{class}-swatch{}\"/>",
            if dashed { " dashed" } else { "" }
        ),
        "faded" => format!(
            "<rect x=\"1.5\" y=\"3.5\" width=\"13\" height=\"9\" fill=\"{color}\" fill-opacity=\"0.45\" stroke=\"{color}\" class=\"{class}-swatch\"/>"
        ),
        "line" => format!(
            "<line x1=\"0\" y1=\"8\" x2=\"16\" y2=\"8\" stroke=\"{color}\" stroke-width=\"3\" class=\"{class}-swatch\"/>"
        ),
        "dash" => format!(
            "<line x1=\"0\" y1=\"8\" x2=\"16\" y2=\"8\" stroke=\"{color}\" stroke-width=\"2\" stroke-dasharray=\"4 3\" class=\"{class}-swatch\"/>"
        ),
        "circle" => format!("<circle cx=\"8\" cy=\"8\" r=\"5.5\" fill=\"{color}\" class=\"{class}-swatch\"/>"),
        "square" => {
            format!("<rect x=\"3\" y=\"3\" width=\"10\" height=\"10\" fill=\"{color}\" class=\"{class}-swatch\"/>")
        }
        "triangle" => format!("<polygon points=\"8,2 14,13 2,13\" fill=\"{color}\" class=\"{class}-swatch\"/>"),
        "diamond" => {
            format!("<polygon points=\"8,1.5 14.5,8 8,14.5 1.5,8\" fill=\"{color}\" class=\"{class}-swatch\"/>")
        }
        "down" => format!("<polygon points=\"2,3 14,3 8,14\" fill=\"{color}\" class=\"{class}-swatch\"/>"),
        "plus" => {
            format!("<path d=\"M8 2v12M2 8h12\" stroke=\"{color}\" stroke-width=\"3\" class=\"{class}-swatch\"/>")
        }
        "cross" => format!(
            "<path d=\"M3 3l10 10M3 13l10-10\" stroke=\"{color}\" stroke-width=\"3\" class=\"{class}-swatch\"/>"
        ),
        _ => format!("<rect x=\"1.5\" y=\"3.5\" width=\"13\" height=\"9\" fill=\"{color}\" class=\"{class}-swatch\"/>"),
    }
}

fn legend(label: &str, paint: Paint, shape: &str) -> LegendItem {
    LegendItem { label: label.to_string(), swatch: swatch(paint, shape) }
}

/// Legend entries for the three ways a value counts, only those present.
fn value_legend(firm: bool, estimate: bool, ceiling: bool) -> Vec<LegendItem> {
    let mut items = Vec::new();
    if firm {
        items.push(legend("Firm: reported contract value", Paint::Firm, "bar"));
    }
    if estimate {
        items.push(legend("Estimate", Paint::Estimate, "faded"));
    }
    if ceiling {
        items.push(legend(
            "Ceiling: up-to value, letter of intent or talks (never added to firm)",
            Paint::Ceiling,
            "outline",
        ));
    }
    items
}

/// "Sources: 31 deals in the registry, reported by A, B, C and 12 other publishers; each deal's page lists its sources."
fn registry_sources<'a>(deals: impl Iterator<Item = &'a Deal>) -> String {
    let mut count = 0;
    let mut publishers: BTreeMap<&str, usize> = BTreeMap::new();
    for deal in deals {
        count += 1;
        for source in &deal.sources {
            *publishers.entry(source.publisher.as_str()).or_default() += 1;
        }
    }
    if count == 0 {
        return "Source: the deal registry (no deals yet).".to_string();
    }
    let mut ranked: Vec<(&str, usize)> = publishers.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let named: Vec<&str> = ranked.iter().take(3).map(|(p, _)| *p).collect();
    let rest = ranked.len().saturating_sub(3);
    let deals_word = if count == 1 { "deal" } else { "deals" };
    let mut note = format!("Source: {count} {deals_word} in the registry, as reported by {}", named.join(", "));
    if rest > 0 {
        note.push_str(&format!(" and {rest} other publisher{}", if rest == 1 { "" } else { "s" }));
    }
    note.push_str("; each deal's page lists its sources.");
    note
}

fn series_sources(series: &Series) -> String {
    let mut publishers: Vec<&str> = Vec::new();
    for source in &series.sources {
        if !publishers.contains(&source.publisher.as_str()) {
            publishers.push(&source.publisher);
        }
    }
    format!("Source: {} (see the series page for each source and the periods it backs).", publishers.join("; "))
}

fn counted_deals(site: &Site) -> impl Iterator<Item = &Deal> {
    site.deals.iter().filter(|d| crate::model::totals::counts(d))
}

/// The site-wide charts by name: registry charts and one chart per series.
pub fn site_charts(site: &Site) -> Result<BTreeMap<String, Chart>, DrawError> {
    let mut charts = BTreeMap::new();
    for chart in [
        ranking_chart(site, true)?,
        ranking_chart(site, false)?,
        cumulative_chart(site)?,
        timeline_chart(site)?,
        flows_chart(site)?,
    ] {
        charts.insert(chart.name.clone(), chart);
    }
    for series in &site.series {
        let chart = series_chart(series)?;
        charts.insert(chart.name.clone(), chart);
    }
    Ok(charts)
}

/// The name of the chart of a series.
pub fn series_chart_name(series_id: &str) -> String {
    format!("series-{series_id}")
}

fn ranking_chart(site: &Site, by_provider: bool) -> Result<Chart, DrawError> {
    let bars = aggregate::ranking(site, by_provider, TOP);
    let (name, title, role) = if by_provider {
        (PROVIDERS, "Compute commitments by provider", "provider")
    } else {
        (BUYERS, "Compute commitments by buyer", "buyer")
    };
    let overall = crate::model::totals::totals(&site.deals).overall;
    let leader = bars
        .iter()
        .filter(|b| b.company.is_some())
        .max_by(|a, b| a.amounts.committed().cmp(&b.amounts.committed()).then(b.label.cmp(&a.label)));
    let takeaway = match leader {
        Some(bar) if bar.amounts.committed() > 0 => {
            let name =
                bar.company.as_deref().and_then(|id| site.company(id)).map_or(bar.label.clone(), |c| c.name.clone());
            if by_provider {
                format!(
                    "{name} has the largest firm commitments as a provider: {} of {} in all.",
                    format::usd(bar.amounts.committed()),
                    format::usd(overall.committed())
                )
            } else {
                format!(
                    "{name} has committed the most as a buyer: {} of {} in firm commitments.",
                    format::usd(bar.amounts.committed()),
                    format::usd(overall.committed())
                )
            }
        }
        _ if overall.ceiling > 0 => {
            format!("No firm commitments yet; ceilings total {}.", format::usd(overall.ceiling))
        }
        _ => "No compute commitments with a disclosed value yet.".to_string(),
    };
    let rows: Vec<BarRow> =
        bars.iter().map(|b| BarRow::values(&b.label, b.amounts.firm, b.amounts.estimate, b.amounts.ceiling)).collect();
    let drawing = if rows.is_empty() {
        draw::empty("No compute commitments with a disclosed value yet")?
    } else {
        draw::bars(&rows)?
    };
    let has = |f: fn(&aggregate::RankedBar) -> i64| bars.iter().any(|b| f(b) > 0);
    let spec = Spec {
        name: name.to_string(),
        title: title.to_string(),
        desc_values: bars
            .iter()
            .take(5)
            .map(|b| {
                format!(
                    "{}: {} firm, {} ceilings.",
                    b.label,
                    format::usd(b.amounts.committed()),
                    format::usd(b.amounts.ceiling)
                )
            })
            .collect::<Vec<_>>()
            .join(" "),
        takeaway,
        legend: value_legend(has(|b| b.amounts.firm), has(|b| b.amounts.estimate), has(|b| b.amounts.ceiling)),
        columns: cols(&[if by_provider { "Provider" } else { "Buyer" }, "Firm", "Estimates", "Ceilings", "Deals"]),
        rows: bars
            .iter()
            .map(|b| {
                vec![
                    b.label.clone(),
                    format::usd(b.amounts.firm),
                    format::usd(b.amounts.estimate),
                    format::usd(b.amounts.ceiling),
                    b.amounts.deals.to_string(),
                ]
            })
            .collect(),
        csv_columns: cols(&[role, "firm_usd_bn", "estimate_usd_bn", "ceiling_usd_bn", "deals"]),
        csv_rows: bars
            .iter()
            .map(|b| {
                vec![
                    b.company.clone().unwrap_or_else(|| b.label.clone()),
                    bn(b.amounts.firm),
                    bn(b.amounts.estimate),
                    bn(b.amounts.ceiling),
                    b.amounts.deals.to_string(),
                ]
            })
            .collect(),
        source_note: registry_sources(counted_deals(site)),
    };
    Ok(assemble(spec, drawing))
}

fn cumulative_chart(site: &Site) -> Result<Chart, DrawError> {
    let steps = aggregate::cumulative(site);
    let last = steps.last();
    let takeaway = match last {
        Some(step) => {
            let year_before = crate::model::Date::from_days_since_epoch(step.date.days_since_epoch() - 365);
            let earlier = steps.iter().rev().find(|s| s.date <= year_before).map_or(0, |s| s.firm);
            let mut text =
                format!("Firm compute commitments reached {} by {}", format::usd(step.firm), step.date.long());
            if steps.first().is_some_and(|s| s.date <= year_before) {
                text.push_str(&format!(", up from {} a year earlier", format::usd(earlier)));
            }
            if step.ceiling > 0 {
                text.push_str(&format!("; ceilings add {}, counted apart", format::usd(step.ceiling)));
            }
            text.push('.');
            text
        }
        None => "No compute commitments with a disclosed value yet.".to_string(),
    };
    let drawing = match last {
        None => draw::empty("No compute commitments with a disclosed value yet")?,
        Some(_) => {
            let series =
                |label: &str, paint: Paint, width: u32, pick: fn(&aggregate::CumulativeStep) -> i64| draw::StepLine {
                    label: label.to_string(),
                    paint,
                    width,
                    points: steps.iter().map(|s| (s.date.fractional_year(), pick(s))).collect(),
                };
            let mut lines = vec![series("firm", Paint::Firm, 3, |s| s.firm)];
            if steps.iter().any(|s| s.estimate > 0) {
                lines.push(series("estimates", Paint::Estimate, 2, |s| s.estimate));
            }
            if steps.iter().any(|s| s.ceiling > 0) {
                lines.push(series("ceilings", Paint::Ceiling, 2, |s| s.ceiling));
            }
            draw::steps(&lines)?
        }
    };
    let mut legend_items = vec![legend("Firm commitments, cumulative", Paint::Firm, "line")];
    if steps.iter().any(|s| s.estimate > 0) {
        legend_items.push(legend("Estimates, cumulative", Paint::Estimate, "line"));
    }
    if steps.iter().any(|s| s.ceiling > 0) {
        legend_items.push(legend("Ceilings, cumulative (never added to firm)", Paint::Ceiling, "dash"));
    }
    let titles: BTreeMap<&str, &str> = site.deals.iter().map(|d| (d.id.as_str(), d.title.as_str())).collect();
    let spec = Spec {
        name: CUMULATIVE.to_string(),
        title: "Cumulative compute commitments".to_string(),
        desc_values: String::new(),
        takeaway,
        legend: legend_items,
        columns: cols(&["Date", "Deal", "Firm (cumulative)", "Estimates (cumulative)", "Ceilings (cumulative)"]),
        rows: steps
            .iter()
            .map(|s| {
                vec![
                    s.date.short(),
                    titles.get(s.deal.as_str()).map_or(s.deal.clone(), |t| t.to_string()),
                    format::usd(s.firm),
                    format::usd(s.estimate),
                    format::usd(s.ceiling),
                ]
            })
            .collect(),
        csv_columns: cols(&["date", "deal", "firm_usd_bn", "estimate_usd_bn", "ceiling_usd_bn"]),
        csv_rows: steps
            .iter()
            .map(|s| vec![s.date.iso(), s.deal.clone(), bn(s.firm), bn(s.estimate), bn(s.ceiling)])
            .collect(),
        source_note: registry_sources(counted_deals(site).filter(|d| d.value_usd_m.is_some())),
    };
    Ok(assemble(spec, drawing))
}

fn kind_shape(kind: Kind) -> &'static str {
    match kind {
        Kind::Cloud => "circle",
        Kind::Chips => "square",
        Kind::Datacenter => "triangle",
        Kind::Power => "diamond",
        Kind::Acquisition => "down",
        Kind::Equity => "plus",
        Kind::Financing => "cross",
    }
}

fn counts_as(deal_bucket: Option<Bucket>, kind: Kind) -> &'static str {
    match (deal_bucket, kind.is_compute()) {
        (None, _) => "undisclosed",
        (Some(_), false) => "money flow",
        (Some(Bucket::Firm), true) => "firm",
        (Some(Bucket::Estimate), true) => "estimate",
        (Some(Bucket::Ceiling), true) => "ceiling",
    }
}

fn timeline_chart(site: &Site) -> Result<Chart, DrawError> {
    let deals = aggregate::timeline(site);
    let mut by_value: Vec<&aggregate::TimelineDeal> = deals.iter().filter(|d| d.value.is_some()).collect();
    by_value.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.id.cmp(&b.id)));
    let labelled: BTreeSet<&str> = by_value.iter().take(3).map(|d| d.id.as_str()).collect();
    let undisclosed = deals.iter().filter(|d| d.value.is_none()).count();
    let takeaway = match by_value.first() {
        Some(top) => {
            let deal = site.deal(&top.id);
            let value = deal.map_or_else(String::new, format::deal_value);
            let parties = deal.map_or_else(String::new, |d| {
                let name = |id: &str| site.company(id).map_or(id.to_string(), |c| c.name.clone());
                format!("from {} to {}", name(&d.buyer), name(&d.provider))
            });
            format!(
                "The largest value in the registry is {value}, {parties}; {undisclosed} of {} active deals have no disclosed value.",
                deals.len()
            )
        }
        None if deals.is_empty() => "No active deals yet.".to_string(),
        None => format!("None of the {} active deals has a disclosed value.", deals.len()),
    };
    // Past a few hundred markers a timeline is ink, not information, and a heavy page: draw
    // the largest deals, then the undisclosed ones with the most capacity; the table and CSV
    // keep every deal.
    let mut drawn: Vec<&aggregate::TimelineDeal> = by_value.iter().copied().take(TIMELINE_MARKERS).collect();
    let mut undisclosed_list: Vec<&aggregate::TimelineDeal> = deals.iter().filter(|d| d.value.is_none()).collect();
    undisclosed_list.sort_by(|a, b| {
        b.capacity_gw.unwrap_or(0.0).total_cmp(&a.capacity_gw.unwrap_or(0.0)).then_with(|| a.id.cmp(&b.id))
    });
    let room = TIMELINE_MARKERS.saturating_sub(drawn.len()).max(TIMELINE_MARKERS / 5);
    drawn.extend(undisclosed_list.into_iter().take(room));
    drawn.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
    let takeaway = if drawn.len() < deals.len() {
        format!(
            "{takeaway} The chart shows {} of them: the largest, and the undisclosed ones with the most capacity.",
            drawn.len()
        )
    } else {
        takeaway
    };
    let drawing = if deals.is_empty() {
        draw::empty("No active deals yet")?
    } else {
        let markers: Vec<draw::Marker> = drawn
            .iter()
            .map(|d| draw::Marker {
                at: d.date.fractional_year(),
                value: d.value,
                kind: d.kind,
                bucket: d.bucket,
                capacity_gw: d.capacity_gw,
                label: labelled.contains(d.id.as_str()).then(|| {
                    let deal = site.deal(&d.id);
                    let parties = deal.map_or_else(String::new, |deal| {
                        format!("{}→{}", site.company_label(&deal.buyer), site.company_label(&deal.provider))
                    });
                    format!("{parties} {}", d.value.map(format::usd).unwrap_or_default())
                }),
            })
            .collect();
        draw::timeline(&markers)?
    };
    let kinds: BTreeSet<Kind> = deals.iter().map(|d| d.kind).collect();
    let mut legend_items: Vec<LegendItem> = kinds
        .iter()
        .map(|k| legend(k.label(), if k.is_compute() { Paint::Firm } else { Paint::Capital }, kind_shape(*k)))
        .collect();
    legend_items.push(legend("Hollow: ceiling or non-binding", Paint::Ceiling, "outline"));
    legend_items.push(legend("Larger marker: more gigawatts", Paint::Muted, "circle"));
    let spec = Spec {
        name: TIMELINE.to_string(),
        title: "Deal sizes over time".to_string(),
        desc_values: by_value
            .iter()
            .take(5)
            .map(|d| format!("{}: {}.", d.title, d.value.map(format::usd).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(" "),
        takeaway,
        legend: legend_items,
        columns: cols(&["Announced", "Deal", "Kind", "Value", "Counts as", "Capacity"]),
        rows: deals
            .iter()
            .map(|d| {
                vec![
                    d.date.short(),
                    d.title.clone(),
                    d.kind.label().to_string(),
                    site.deal(&d.id).map_or_else(String::new, format::deal_value_short),
                    counts_as(d.bucket, d.kind).to_string(),
                    d.capacity_gw.map(format::gigawatts).unwrap_or_default(),
                ]
            })
            .collect(),
        csv_columns: cols(&["announced", "deal", "kind", "value_usd_bn", "counts_as", "capacity_gw"]),
        csv_rows: deals
            .iter()
            .map(|d| {
                vec![
                    d.date.iso(),
                    d.id.clone(),
                    d.kind.key().to_string(),
                    d.value.map(bn).unwrap_or_default(),
                    counts_as(d.bucket, d.kind).to_string(),
                    d.capacity_gw.map(|g| decimal(g, 3)).unwrap_or_default(),
                ]
            })
            .collect(),
        source_note: registry_sources(site.deals.iter().filter(|d| d.is_active())),
    };
    Ok(assemble(spec, drawing))
}

fn flows_chart(site: &Site) -> Result<Chart, DrawError> {
    let flows = aggregate::flows(site, 8, 10);
    let label = |id: &str| if id == aggregate::OTHERS { "Others".to_string() } else { site.company_label(id) };
    let name_of = |id: &str| {
        if id == aggregate::OTHERS {
            "other companies".to_string()
        } else {
            site.company(id).map_or(id.to_string(), |c| c.name.clone())
        }
    };
    let mut paid: BTreeMap<&str, i64> = BTreeMap::new();
    let mut received: BTreeMap<&str, i64> = BTreeMap::new();
    for flow in &flows {
        *paid.entry(&flow.from).or_default() += flow.value;
        *received.entry(&flow.to).or_default() += flow.value;
    }
    let order = |sums: &BTreeMap<&str, i64>| -> Vec<String> {
        let mut ranked: Vec<(&str, i64)> = sums.iter().map(|(k, v)| (*k, *v)).collect();
        ranked.sort_by(|a, b| {
            (a.0 == aggregate::OTHERS).cmp(&(b.0 == aggregate::OTHERS)).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0))
        });
        ranked.into_iter().map(|(k, _)| k.to_string()).collect()
    };
    let payers = order(&paid);
    let payees = order(&received);
    let takeaway = match flows.iter().find(|f| f.bucket != Bucket::Ceiling).or(flows.first()) {
        Some(flow) => format!(
            "The largest {} flow runs from {} to {}: {}{}.",
            if flow.bucket == Bucket::Ceiling { "ceiling" } else { "firm" },
            name_of(&flow.from),
            name_of(&flow.to),
            format::usd(flow.value),
            if flow.kind == aggregate::FlowKind::Capital { " of investment" } else { " of compute" }
        ),
        None => "No deals with a disclosed value yet.".to_string(),
    };
    let node = |id: &String, sums: &BTreeMap<&str, i64>| draw::FlowNode {
        label: format!("{} {}", label(id), format::usd(sums.get(id.as_str()).copied().unwrap_or(0))),
        total: sums.get(id.as_str()).copied().unwrap_or(0),
    };
    let drawing = if flows.is_empty() {
        draw::empty("No deals with a disclosed value yet")?
    } else {
        let left: Vec<draw::FlowNode> = payers.iter().map(|id| node(id, &paid)).collect();
        let right: Vec<draw::FlowNode> = payees.iter().map(|id| node(id, &received)).collect();
        let bands: Vec<draw::FlowBand> = flows
            .iter()
            .map(|f| draw::FlowBand {
                from: payers.iter().position(|p| *p == f.from).unwrap_or(0),
                to: payees.iter().position(|p| *p == f.to).unwrap_or(0),
                value: f.value,
                paint: match (f.kind, f.bucket) {
                    (aggregate::FlowKind::Capital, _) => Paint::Capital,
                    (_, Bucket::Estimate) => Paint::Estimate,
                    _ => Paint::Firm,
                },
                ceiling: f.bucket == Bucket::Ceiling,
            })
            .collect();
        draw::flows(&left, &right, &bands)?
    };
    let kind_label = |f: &aggregate::Flow| match f.kind {
        aggregate::FlowKind::Compute => "compute",
        aggregate::FlowKind::Capital => "investment",
    };
    let spec = Spec {
        name: FLOWS.to_string(),
        title: "Who pays whom".to_string(),
        desc_values: flows
            .iter()
            .take(6)
            .map(|f| {
                format!("{} to {}: {} ({}).", name_of(&f.from), name_of(&f.to), format::usd(f.value), f.bucket.key())
            })
            .collect::<Vec<_>>()
            .join(" "),
        takeaway,
        legend: vec![
            legend("Compute purchases (firm)", Paint::Firm, "faded"),
            legend("Investments and financing", Paint::Capital, "faded"),
            legend("Ceilings and non-binding (never added to firm)", Paint::Ceiling, "outline"),
        ],
        columns: cols(&["From (pays)", "To (receives)", "Kind", "Counts as", "Value", "Deals"]),
        rows: flows
            .iter()
            .map(|f| {
                vec![
                    label(&f.from),
                    label(&f.to),
                    kind_label(f).to_string(),
                    f.bucket.key().to_string(),
                    format::usd(f.value),
                    f.deals.to_string(),
                ]
            })
            .collect(),
        csv_columns: cols(&["from", "to", "kind", "counts_as", "value_usd_bn", "deals"]),
        csv_rows: flows
            .iter()
            .map(|f| {
                vec![
                    f.from.clone(),
                    f.to.clone(),
                    kind_label(f).to_string(),
                    f.bucket.key().to_string(),
                    bn(f.value),
                    f.deals.to_string(),
                ]
            })
            .collect(),
        source_note: registry_sources(site.deals.iter().filter(|d| d.is_active() && d.value_usd_m.is_some())),
    };
    Ok(assemble(spec, drawing))
}

fn unit_text(unit: Unit) -> impl Fn(f64) -> String {
    move |value| if value == 0.0 { "0".to_string() } else { format::series_value(value, unit) }
}

fn series_chart(series: &Series) -> Result<Chart, DrawError> {
    let periods = series.periods();
    let unit_label = unit_text(series.unit);
    let has_points = series.lines.iter().any(|l| !l.points.is_empty());
    let drawing = if !has_points {
        draw::empty("No data points yet")?
    } else if series.frequency == Frequency::Quarter {
        let lines: Vec<draw::SeriesLine> = series
            .lines
            .iter()
            .map(|line| draw::SeriesLine {
                label: line.label.clone(),
                points: line
                    .points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let consecutive = i > 0 && {
                            let prev = &line.points[i - 1].period;
                            let next_of_prev = match prev.quarter {
                                Some(4) => (prev.year + 1, 1),
                                Some(q) => (prev.year, q + 1),
                                None => (prev.year + 1, 0),
                            };
                            (p.period.year, p.period.quarter.unwrap_or(0)) == next_of_prev
                        };
                        (p.period.midpoint(), p.value, consecutive)
                    })
                    .collect(),
            })
            .collect();
        draw::lines(&lines, &unit_label)?
    } else {
        let groups: Vec<draw::BarGroup> = periods
            .iter()
            .map(|period| {
                let bars = series
                    .lines
                    .iter()
                    .enumerate()
                    .filter_map(|(i, line)| {
                        line.points.iter().find(|p| p.period == *period).map(|p| (i, line.label.clone(), p.value))
                    })
                    .collect();
                (period.label(), bars)
            })
            .collect();
        draw::grouped_bars(&groups, &unit_label)?
    };
    let takeaway = series_takeaway(series);
    let shape = if series.frequency == Frequency::Quarter { "line" } else { "bar" };
    let spec = Spec {
        name: series_chart_name(&series.id),
        title: series.title.clone(),
        desc_values: series
            .lines
            .iter()
            .filter_map(|l| {
                l.points.last().map(|p| format!("{} {}: {}.", l.label, p.period.label(), unit_label(p.value)))
            })
            .collect::<Vec<_>>()
            .join(" "),
        takeaway,
        legend: series.lines.iter().enumerate().map(|(i, l)| legend(&l.label, Paint::Series(i as u8), shape)).collect(),
        columns: std::iter::once("Period".to_string()).chain(series.lines.iter().map(|l| l.label.clone())).collect(),
        rows: periods
            .iter()
            .map(|period| {
                std::iter::once(period.label())
                    .chain(series.lines.iter().map(|l| {
                        l.points
                            .iter()
                            .find(|p| p.period == *period)
                            .map_or_else(|| "–".to_string(), |p| unit_label(p.value))
                    }))
                    .collect()
            })
            .collect(),
        csv_columns: Vec::new(),
        csv_rows: Vec::new(),
        source_note: series_sources(series),
    };
    let mut chart = assemble(spec, drawing);
    chart.csv = crate::render::data::series_csv(series);
    Ok(chart)
}

fn series_takeaway(series: &Series) -> String {
    let unit_label = unit_text(series.unit);
    let Some(first_line) = series.lines.iter().max_by(|a, b| {
        let last = |l: &crate::model::Line| l.points.last().map_or(f64::MIN, |p| p.value);
        last(a).total_cmp(&last(b)).then(b.label.cmp(&a.label))
    }) else {
        return "No data points yet.".to_string();
    };
    match series.frequency {
        Frequency::Quarter => match (first_line.points.first(), first_line.points.last()) {
            (Some(first), Some(last)) if first.period != last.period => format!(
                "{}'s share went from {} in {} to {} in {}.",
                first_line.label,
                unit_label(first.value),
                first.period.label(),
                unit_label(last.value),
                last.period.label()
            ),
            (_, Some(last)) => {
                format!("{} stood at {} in {}.", first_line.label, unit_label(last.value), last.period.label())
            }
            _ => "No data points yet.".to_string(),
        },
        Frequency::Year => {
            let Some(latest) = series.periods().last().copied() else { return "No data points yet.".to_string() };
            let mut at_latest: Vec<(&str, f64)> = series
                .lines
                .iter()
                .filter_map(|l| l.points.iter().find(|p| p.period == latest).map(|p| (l.label.as_str(), p.value)))
                .collect();
            at_latest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            match at_latest.first() {
                Some((label, value)) => format!("{label} leads in {}: {}.", latest.label(), unit_label(*value)),
                None => "No data points yet.".to_string(),
            }
        }
    }
}

/// The chart on a company's page: its active deals as buyer and as provider. `totals` are the
/// registry's (computed once for all companies).
pub fn company_chart(
    site: &Site,
    company: &crate::model::Company,
    totals: &crate::model::totals::Totals,
) -> Result<Chart, DrawError> {
    let deals = aggregate::company_deals(site, &company.id);
    let buyer: Vec<&aggregate::CompanyDeal> = deals.iter().filter(|d| d.as_buyer).collect();
    let provider: Vec<&aggregate::CompanyDeal> = deals.iter().filter(|d| !d.as_buyer).collect();
    let mut rows = Vec::new();
    let section = |rows: &mut Vec<BarRow>, title: &str, list: &[&aggregate::CompanyDeal], arrow: &str| {
        if list.is_empty() {
            return;
        }
        rows.push(BarRow::heading(title));
        for deal in list.iter().take(12) {
            let value = deal.value.unwrap_or(0);
            let (mut firm, mut estimate, mut ceiling) = (0, 0, 0);
            match deal.bucket {
                Some(Bucket::Firm) => firm = value,
                Some(Bucket::Estimate) => estimate = value,
                Some(Bucket::Ceiling) => ceiling = value,
                None => {}
            }
            let label = format!("{arrow} {}", site.company_label(&deal.counterparty));
            let mut row = BarRow::values(&label, firm, estimate, ceiling);
            if deal.value.is_none() {
                row.note = Some("undisclosed".to_string());
            }
            rows.push(row);
        }
        if list.len() > 12 {
            let mut more = BarRow::values(&format!("{} more deals", list.len() - 12), 0, 0, 0);
            more.note = Some("see the tables below".to_string());
            rows.push(more);
        }
    };
    section(&mut rows, "As buyer", &buyer, "to");
    section(&mut rows, "As provider", &provider, "from");
    let as_buyer = totals.by_buyer.get(&company.id).copied().unwrap_or_default();
    let as_provider = totals.by_provider.get(&company.id).copied().unwrap_or_default();
    let takeaway = if deals.is_empty() {
        format!("{} has no active deals in the registry.", company.name)
    } else {
        let mut parts = Vec::new();
        if as_buyer.deals > 0 {
            parts.push(format!("has committed {} in firm compute purchases", format::usd(as_buyer.committed())));
        }
        if as_provider.deals > 0 {
            parts.push(format!(
                "holds {} in firm compute commitments from customers",
                format::usd(as_provider.committed())
            ));
        }
        if parts.is_empty() {
            format!(
                "{} appears in {} active deals, all of them money flows rather than compute purchases.",
                company.name,
                deals.len()
            )
        } else {
            format!("{} {} ({} active deals in all).", company.name, parts.join(" and "), deals.len())
        }
    };
    let drawing = if rows.is_empty() { draw::empty("No active deals in the registry")? } else { draw::bars(&rows)? };
    let any = |f: fn(&aggregate::CompanyDeal) -> bool| deals.iter().any(f);
    let spec = Spec {
        name: format!("company-{}", company.id),
        title: format!("{}'s deals", company.name),
        desc_values: deals
            .iter()
            .take(6)
            .map(|d| format!("{}: {}.", d.title, d.value.map_or_else(|| "undisclosed".to_string(), format::usd)))
            .collect::<Vec<_>>()
            .join(" "),
        takeaway,
        legend: value_legend(
            any(|d| d.bucket == Some(Bucket::Firm)),
            any(|d| d.bucket == Some(Bucket::Estimate)),
            any(|d| d.bucket == Some(Bucket::Ceiling)),
        ),
        columns: cols(&["Deal", "Role", "Counterparty", "Value", "Counts as"]),
        rows: deals
            .iter()
            .map(|d| {
                vec![
                    d.title.clone(),
                    if d.as_buyer { "buyer" } else { "provider" }.to_string(),
                    site.company_label(&d.counterparty),
                    d.value.map_or_else(|| "undisclosed".to_string(), format::usd),
                    counts_as(d.bucket, d.kind).to_string(),
                ]
            })
            .collect(),
        csv_columns: cols(&["deal", "role", "counterparty", "value_usd_bn", "counts_as"]),
        csv_rows: deals
            .iter()
            .map(|d| {
                vec![
                    d.deal.clone(),
                    if d.as_buyer { "buyer" } else { "provider" }.to_string(),
                    d.counterparty.clone(),
                    d.value.map(bn).unwrap_or_default(),
                    counts_as(d.bucket, d.kind).to_string(),
                ]
            })
            .collect(),
        source_note: registry_sources(
            site.deals.iter().filter(|d| d.is_active() && (d.buyer == company.id || d.provider == company.id)),
        ),
    };
    Ok(assemble(spec, drawing))
}

/// What every deal chart shares, computed once per build: the distribution of deal values,
/// the values in order (for ranks), the source note, and the drawing for each highlighted band
/// (nine drawings serve every deal: they differ only in which band is highlighted).
pub struct DealCharts {
    distribution: [usize; 8],
    /// Values of active deals with a disclosed value, largest first.
    values: Vec<i64>,
    source_note: String,
    /// Index 0..8: the band highlighted; index 8: none.
    bodies: Vec<svg::Body>,
}

impl DealCharts {
    pub fn new(site: &Site) -> Result<DealCharts, DrawError> {
        let distribution = aggregate::distribution(site);
        let mut values: Vec<i64> = site.deals.iter().filter(|d| d.is_active()).filter_map(|d| d.value_usd_m).collect();
        values.sort_unstable_by(|a, b| b.cmp(a));
        let bands: Vec<(String, usize)> =
            aggregate::BANDS.iter().zip(&distribution).map(|((_, label), count)| (label.to_string(), *count)).collect();
        let mut bodies = Vec::with_capacity(9);
        for highlight in (0..8).map(Some).chain([None]) {
            let drawing = if values.is_empty() {
                draw::empty("No deals with a disclosed value yet")?
            } else {
                draw::distribution(&bands, highlight, if highlight.is_some() { "◀ this deal" } else { "" })?
            };
            bodies.push(svg::Body::from_raw(&drawing.svg, &drawing.shortened));
        }
        let source_note = registry_sources(site.deals.iter().filter(|d| d.is_active() && d.value_usd_m.is_some()));
        Ok(DealCharts { distribution, values, source_note, bodies })
    }

    /// The deal's rank among active deals with a disclosed value (1 = largest), and their number.
    fn rank(&self, deal: &Deal) -> Option<(usize, usize)> {
        let value = deal.value_usd_m.filter(|_| deal.is_active())?;
        Some((self.values.partition_point(|v| *v > value) + 1, self.values.len()))
    }
}

/// The chart on a deal's page: where its value sits among all deals with a disclosed value.
pub fn deal_chart(deal: &Deal, shared: &DealCharts) -> Chart {
    let rank = shared.rank(deal);
    let valued = shared.values.len();
    let highlight = rank.and(deal.value_usd_m).map(aggregate::band_of);
    let takeaway = match (rank, deal.value_usd_m) {
        (Some((position, of)), Some(value)) => {
            format!(
                "At {}, this deal ranks {} of {of} deals with a disclosed value.",
                format::usd(value),
                ordinal(position)
            )
        }
        _ if !deal.is_active() => format!(
            "This deal was {} and is left out of the ranking of the {valued} active deals with a disclosed value.",
            deal.status.label().to_lowercase()
        ),
        _ => format!(
            "This deal's value is undisclosed, so it is not ranked among the {valued} deals with a disclosed value."
        ),
    };
    let bands: Vec<(&str, usize)> =
        aggregate::BANDS.iter().zip(&shared.distribution).map(|((_, label), count)| (*label, *count)).collect();
    let mut legend_items = vec![legend("Number of deals in each size band", Paint::Firm, "faded")];
    if highlight.is_some() {
        legend_items.push(legend("The band of this deal", Paint::Highlight, "bar"));
    }
    let spec = Spec {
        name: format!("deal-{}", deal.id),
        title: "This deal among all deals by size".to_string(),
        desc_values: bands.iter().map(|(label, count)| format!("{label}: {count}.")).collect::<Vec<_>>().join(" "),
        takeaway,
        legend: legend_items,
        columns: cols(&["Size band", "Deals", "This deal"]),
        rows: bands
            .iter()
            .enumerate()
            .map(|(i, (label, count))| {
                vec![
                    label.to_string(),
                    count.to_string(),
                    if highlight == Some(i) { "here".to_string() } else { String::new() },
                ]
            })
            .collect(),
        csv_columns: cols(&["band", "deals", "this_deal"]),
        csv_rows: bands
            .iter()
            .enumerate()
            .map(|(i, (label, count))| vec![label.to_string(), count.to_string(), (highlight == Some(i)).to_string()])
            .collect(),
        source_note: shared.source_note.clone(),
    };
    assemble_body(spec, &shared.bodies[highlight.unwrap_or(8)])
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Chart names a brief may place: the site charts, `company-<id>` and `deal-<id>`.
pub fn is_placeable(site: &Site, charts: &BTreeMap<String, Chart>, name: &str) -> bool {
    charts.contains_key(name)
        || name.strip_prefix("company-").is_some_and(|id| site.company(id).is_some())
        || name.strip_prefix("deal-").is_some_and(|id| site.deal(id).is_some())
}

/// The path of a page that shows the chart, for linking.
pub fn home_of(name: &str) -> String {
    if let Some(id) = name.strip_prefix("company-") {
        paths::company(id)
    } else if let Some(id) = name.strip_prefix("deal-") {
        paths::deal(id)
    } else if let Some(id) = name.strip_prefix("series-") {
        paths::series(id)
    } else {
        paths::SERIES.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::ordinal;

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(22), "22nd");
    }
}
