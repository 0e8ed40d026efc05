//! Charts: the registry and series drawn at build time as inline, accessible SVG.
//!
//! Each [`Chart`] carries everything a page shows around the drawing: a title, a takeaway
//! sentence generated from the data, the SVG twice (wide for desktop columns, narrow for phones,
//! each with its own `<title>`/`<desc>`; the stylesheet shows one), a legend, the data as table
//! rows and as CSV, and a note naming the sources. Named site charts are built once per build
//! ([`site_charts`]); the company and deal charts are built per page. `aggregate` computes the
//! numbers, `draw` lays them out with plotters for a [`Frame`], `svg` makes the result accessible
//! and themeable, `canvas` is the drawing layer.

pub mod aggregate;
pub mod canvas;
pub mod draw;
pub mod svg;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use self::canvas::{DrawError, Paint};
use self::draw::{BarRow, Drawing, Frame};
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
    /// The drawing laid out for desktop columns ([`Frame::WIDE`]).
    pub svg: String,
    /// The same drawing laid out for phones ([`Frame::NARROW`]), with its own element ids.
    pub svg_narrow: String,
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

/// A chart's two drawings, rewritten: the wide and the narrow SVG body.
struct Bodies {
    wide: svg::Body,
    narrow: svg::Body,
}

/// Draws a chart in both frames: `draw` runs once per frame, so both variants come from one code
/// path and one set of numbers.
fn draw_both(draw: impl Fn(Frame) -> Result<Drawing, DrawError>) -> Result<Bodies, DrawError> {
    let body =
        |frame: Frame| draw(frame).map(|drawing| svg::Body::from_raw(&drawing.svg, &drawing.shortened, frame.variant));
    Ok(Bodies { wide: body(Frame::WIDE)?, narrow: body(Frame::NARROW)? })
}

/// Rows of a chart's data table on the page; the CSV beside it has every row.
pub const TABLE_ROWS: usize = 40;

/// Assembles a chart around its drawings (which charts that look alike may share).
fn assemble(spec: Spec, bodies: &Bodies) -> Chart {
    let id = format!("chart-{}", spec.name);
    let desc = if spec.desc_values.is_empty() {
        spec.takeaway.clone()
    } else {
        format!("{} {}", spec.takeaway, spec.desc_values)
    };
    let svg = bodies.wide.finish(&id, &spec.title, &desc);
    let svg_narrow = bodies.narrow.finish(&id, &spec.title, &desc);
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
        svg_narrow,
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
            "Ceiling: up-to value, letter of intent, talks or plan (never added to firm)",
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
        return "Source: the deal registry (no deals to show here).".to_string();
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
/// They are drawn in parallel; the first failure in this order is the one reported.
pub fn site_charts(site: &Site) -> Result<BTreeMap<String, Chart>, DrawError> {
    let mut kinds =
        vec![SiteChart::Providers, SiteChart::Buyers, SiteChart::Cumulative, SiteChart::Timeline, SiteChart::Flows];
    kinds.extend(site.series.iter().map(SiteChart::Series));
    let drawn: Vec<Result<Chart, DrawError>> = kinds
        .into_par_iter()
        .map(|kind| match kind {
            SiteChart::Providers => ranking_chart(site, true),
            SiteChart::Buyers => ranking_chart(site, false),
            SiteChart::Cumulative => cumulative_chart(site),
            SiteChart::Timeline => timeline_chart(site),
            SiteChart::Flows => flows_chart(site),
            SiteChart::Series(series) => series_chart(series),
        })
        .collect();
    let mut charts = BTreeMap::new();
    for chart in drawn {
        let chart = chart?;
        charts.insert(chart.name.clone(), chart);
    }
    Ok(charts)
}

/// One of the site-wide charts.
enum SiteChart<'a> {
    Providers,
    Buyers,
    Cumulative,
    Timeline,
    Flows,
    Series(&'a Series),
}

/// The name of the chart of a series.
pub fn series_chart_name(series_id: &str) -> String {
    format!("series-{series_id}")
}

/// What the legend says when a firm value or sum is written with a trailing `+`.
const FLOOR_NOTE: &str = "; a value ending in + is a floor (the sources say \"more than\")";

fn ranking_chart(site: &Site, by_provider: bool) -> Result<Chart, DrawError> {
    let bars = aggregate::ranking(site, by_provider, TOP);
    let (name, title, role) = if by_provider {
        (PROVIDERS, "Compute commitments by provider", "provider")
    } else {
        (BUYERS, "Compute commitments by buyer", "buyer")
    };
    let overall = crate::model::totals::totals(&site.deals).overall;
    // The first bar leads, as the bars and the home page rank them; companies with the same sum
    // are named with it rather than left out by a tie-break the reader cannot see.
    let leader = bars.iter().find(|b| b.company.is_some());
    let full_name = |bar: &aggregate::RankedBar| {
        bar.company.as_deref().and_then(|id| site.company(id)).map_or(bar.label.clone(), |c| c.name.clone())
    };
    let takeaway = match leader {
        Some(bar) if bar.amounts.committed() > 0 => {
            let tied: Vec<String> = bars
                .iter()
                .filter(|other| other.company.is_some() && other.company != bar.company)
                .filter(|other| other.amounts.committed() == bar.amounts.committed())
                .map(full_name)
                .collect();
            let name = full_name(bar);
            let (leader, all) = (
                format::usd_at_least(bar.amounts.committed(), bar.amounts.floors > 0),
                format::usd_at_least(overall.committed(), overall.floors > 0),
            );
            // Estimates count towards the ranking, so a sum that holds one is not called firm.
            let kind = match (overall.firm, overall.estimate) {
                (_, 0) => "firm",
                (0, _) => "estimated",
                _ => "firm and estimated",
            };
            if !tied.is_empty() {
                let names = format!(
                    "{name}{} and {}",
                    tied[..tied.len() - 1].iter().map(|n| format!(", {n}")).collect::<String>(),
                    tied[tied.len() - 1]
                );
                if by_provider {
                    format!(
                        "{names} share the largest {kind} commitments as a provider: {leader} each, of {all} in all."
                    )
                } else {
                    format!("{names} have committed the most as buyers: {leader} each, of {all} in {kind} commitments.")
                }
            } else if by_provider {
                format!("{name} has the largest {kind} commitments as a provider: {leader} of {all} in all.")
            } else {
                format!("{name} has committed the most as a buyer: {leader} of {all} in {kind} commitments.")
            }
        }
        _ if overall.ceiling > 0 => {
            format!("No firm commitments yet; ceilings total {}.", format::usd(overall.ceiling))
        }
        _ => "No compute commitments with a disclosed value yet.".to_string(),
    };
    let rows: Vec<BarRow> = bars
        .iter()
        .map(|b| BarRow {
            floor: b.amounts.floors > 0,
            ..BarRow::values(&b.label, b.amounts.firm, b.amounts.estimate, b.amounts.ceiling)
        })
        .collect();
    let bodies = draw_both(|frame| {
        if rows.is_empty() {
            draw::empty("No compute commitments with a disclosed value yet", frame)
        } else {
            draw::bars(&rows, frame)
        }
    })?;
    let has = |f: fn(&aggregate::RankedBar) -> i64| bars.iter().any(|b| f(b) > 0);
    let spec = Spec {
        name: name.to_string(),
        title: title.to_string(),
        desc_values: bars
            .iter()
            .take(5)
            .map(|b| {
                format!("{}: {}, {} ceilings.", b.label, committed_parts(&b.amounts), format::usd(b.amounts.ceiling))
            })
            .collect::<Vec<_>>()
            .join(" "),
        takeaway,
        legend: {
            let mut items =
                value_legend(has(|b| b.amounts.firm), has(|b| b.amounts.estimate), has(|b| b.amounts.ceiling));
            if let Some(firm) = items.first_mut().filter(|_| bars.iter().any(|b| b.amounts.floors > 0)) {
                firm.label.push_str(FLOOR_NOTE);
            }
            items
        },
        columns: cols(&[if by_provider { "Provider" } else { "Buyer" }, "Firm", "Estimates", "Ceilings", "Deals"]),
        rows: bars
            .iter()
            .map(|b| {
                vec![
                    b.label.clone(),
                    format::usd_plus(b.amounts.firm, b.amounts.floors > 0),
                    format::usd(b.amounts.estimate),
                    format::usd(b.amounts.ceiling),
                    b.amounts.deals.to_string(),
                ]
            })
            .collect(),
        csv_columns: cols(&[role, "firm_usd_bn", "firm_at_least", "estimate_usd_bn", "ceiling_usd_bn", "deals"]),
        csv_rows: bars
            .iter()
            .map(|b| {
                vec![
                    b.company.clone().unwrap_or_else(|| b.label.clone()),
                    bn(b.amounts.firm),
                    (b.amounts.floors > 0).to_string(),
                    bn(b.amounts.estimate),
                    bn(b.amounts.ceiling),
                    b.amounts.deals.to_string(),
                ]
            })
            .collect(),
        source_note: registry_sources(counted_deals(site)),
    };
    Ok(assemble(spec, &bodies))
}

fn cumulative_chart(site: &Site) -> Result<Chart, DrawError> {
    let steps = aggregate::cumulative(site);
    let last = steps.last();
    let takeaway = match last {
        Some(step) => {
            let year_before = crate::model::Date::from_days_since_epoch(step.date.days_since_epoch() - 365);
            let earlier = steps.iter().rev().find(|s| s.date <= year_before);
            let mut text = if step.firm > 0 {
                format!(
                    "Firm compute commitments reached {} by {}",
                    format::usd_at_least(step.firm, step.firm_floor),
                    step.date.long()
                )
            } else {
                format!("No firm compute commitments by {}", step.date.long())
            };
            // The running total never falls: it rose over the year or stayed where it was.
            match earlier {
                Some(earlier) if step.firm > earlier.firm => text.push_str(&format!(
                    ", up from {} a year earlier",
                    format::usd_at_least(earlier.firm, earlier.firm_floor)
                )),
                Some(_) if step.firm > 0 => text.push_str(", unchanged from a year earlier"),
                _ => {}
            }
            if step.ceiling > 0 {
                text.push_str(&format!("; ceilings add {}, counted apart", format::usd(step.ceiling)));
            }
            text.push('.');
            text
        }
        None => "No compute commitments with a disclosed value yet.".to_string(),
    };
    let bodies = draw_both(|frame| match last {
        None => draw::empty("No compute commitments with a disclosed value yet", frame),
        Some(_) => {
            let series =
                |label: &str, paint: Paint, width: u32, pick: fn(&aggregate::CumulativeStep) -> i64| draw::StepLine {
                    label: label.to_string(),
                    paint,
                    width,
                    points: steps.iter().map(|s| (s.date.fractional_year(), pick(s))).collect(),
                    floor: false,
                };
            let mut firm = series("firm", Paint::Firm, 3, |s| s.firm);
            firm.floor = steps.last().is_some_and(|s| s.firm_floor);
            let mut lines = vec![firm];
            if steps.iter().any(|s| s.estimate > 0) {
                lines.push(series("estimates", Paint::Estimate, 2, |s| s.estimate));
            }
            if steps.iter().any(|s| s.ceiling > 0) {
                lines.push(series("ceilings", Paint::Ceiling, 2, |s| s.ceiling));
            }
            draw::steps(&lines, frame)
        }
    })?;
    let mut legend_items = vec![legend("Firm commitments, cumulative", Paint::Firm, "line")];
    if steps.last().is_some_and(|s| s.firm_floor) {
        legend_items[0].label.push_str(FLOOR_NOTE);
    }
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
                    format::usd_plus(s.firm, s.firm_floor),
                    format::usd(s.estimate),
                    format::usd(s.ceiling),
                ]
            })
            .collect(),
        csv_columns: cols(&["date", "deal", "firm_usd_bn", "firm_at_least", "estimate_usd_bn", "ceiling_usd_bn"]),
        csv_rows: steps
            .iter()
            .map(|s| {
                vec![s.date.iso(), s.deal.clone(), bn(s.firm), s.firm_floor.to_string(), bn(s.estimate), bn(s.ceiling)]
            })
            .collect(),
        source_note: registry_sources(counted_deals(site).filter(|d| d.value_usd_m.is_some())),
    };
    Ok(assemble(spec, &bodies))
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

/// A deal's value as a company chart's description and table give it: `$38bn`,
/// `more than $100bn`, `undisclosed`.
fn company_deal_value(deal: &aggregate::CompanyDeal) -> String {
    match deal.value {
        Some(value) if deal.floor => format!("more than {}", format::usd(value)),
        Some(value) => format::usd(value),
        None => "undisclosed".to_string(),
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
                "The largest value in the registry is {value}, {parties}; {undisclosed} of {} active deals {} no disclosed value.",
                deals.len(),
                if undisclosed == 1 { "has" } else { "have" }
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
                (parties, deal.map_or_else(|| d.value.map(format::usd).unwrap_or_default(), format::deal_value_short))
            }),
        })
        .collect();
    let bodies = draw_both(|frame| {
        if deals.is_empty() { draw::empty("No active deals yet", frame) } else { draw::timeline(&markers, frame) }
    })?;
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
            .map(|d| {
                let value =
                    site.deal(&d.id).map_or_else(|| d.value.map(format::usd).unwrap_or_default(), format::deal_value);
                format!("{}: {value}.", d.title)
            })
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
        csv_columns: cols(&["announced", "deal", "kind", "value_usd_bn", "at_least", "counts_as", "capacity_gw"]),
        csv_rows: deals
            .iter()
            .map(|d| {
                vec![
                    d.date.iso(),
                    d.id.clone(),
                    d.kind.key().to_string(),
                    d.value.map(bn).unwrap_or_default(),
                    is_floor(site, &d.id).to_string(),
                    counts_as(d.bucket, d.kind).to_string(),
                    d.capacity_gw.map(|g| decimal(g, 3)).unwrap_or_default(),
                ]
            })
            .collect(),
        source_note: registry_sources(site.deals.iter().filter(|d| d.is_active())),
    };
    Ok(assemble(spec, &bodies))
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
    // What each company pays and receives, drawn in full; its label keeps ceilings apart.
    let mut paid: BTreeMap<&str, NodeSum> = BTreeMap::new();
    let mut received: BTreeMap<&str, NodeSum> = BTreeMap::new();
    for flow in &flows {
        paid.entry(&flow.from).or_default().add(flow);
        received.entry(&flow.to).or_default().add(flow);
    }
    let order = |sums: &BTreeMap<&str, NodeSum>| -> Vec<String> {
        let mut ranked: Vec<(&str, i64)> = sums.iter().map(|(k, v)| (*k, v.total())).collect();
        ranked.sort_by(|a, b| {
            (a.0 == aggregate::OTHERS).cmp(&(b.0 == aggregate::OTHERS)).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0))
        });
        ranked.into_iter().map(|(k, _)| k.to_string()).collect()
    };
    let payers = order(&paid);
    let payees = order(&received);
    // The largest firm flow, else the largest estimate, else the largest ceiling, each named
    // for what it is.
    let largest = |bucket: Bucket| flows.iter().find(|f| f.bucket == bucket);
    let takeaway = match largest(Bucket::Firm).or(largest(Bucket::Estimate)).or(flows.first()) {
        Some(flow) => format!(
            "The largest {} flow runs from {} to {}: {}{}.",
            match flow.bucket {
                Bucket::Firm => "firm",
                Bucket::Estimate => "estimated",
                Bucket::Ceiling => "ceiling",
            },
            name_of(&flow.from),
            name_of(&flow.to),
            format::usd_at_least(flow.value, flow.floor),
            if flow.kind == aggregate::FlowKind::Capital { " of investment" } else { " of compute" }
        ),
        None => "No deals with a disclosed value yet.".to_string(),
    };
    let node = |id: &String, sums: &BTreeMap<&str, NodeSum>| {
        let sum = sums.get(id.as_str()).copied().unwrap_or_default();
        draw::FlowNode { label: label(id), figure: sum.figure(), total: sum.total() }
    };
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
    let bodies = draw_both(|frame| {
        if flows.is_empty() {
            draw::empty("No deals with a disclosed value yet", frame)
        } else {
            draw::flows(&left, &right, &bands, frame)
        }
    })?;
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
                format!(
                    "{} to {}: {} ({}).",
                    name_of(&f.from),
                    name_of(&f.to),
                    format::usd_at_least(f.value, f.floor),
                    f.bucket.key()
                )
            })
            .collect::<Vec<_>>()
            .join(" "),
        takeaway,
        legend: {
            let mut items = vec![legend("Compute purchases (firm)", Paint::Firm, "faded")];
            if flows.iter().any(|f| f.kind == aggregate::FlowKind::Compute && f.bucket == Bucket::Estimate) {
                items.push(legend("Compute purchases (estimate)", Paint::Estimate, "faded"));
            }
            items.push(legend("Investments and financing", Paint::Capital, "faded"));
            items.push(legend(
                "Ceilings and non-binding (never added to firm, nor to the figures beside companies)",
                Paint::Ceiling,
                "outline",
            ));
            items
        },
        columns: cols(&["From (pays)", "To (receives)", "Kind", "Counts as", "Value", "Deals"]),
        rows: flows
            .iter()
            .map(|f| {
                vec![
                    label(&f.from),
                    label(&f.to),
                    kind_label(f).to_string(),
                    f.bucket.key().to_string(),
                    format::usd_plus(f.value, f.floor),
                    f.deals.to_string(),
                ]
            })
            .collect(),
        csv_columns: cols(&["from", "to", "kind", "counts_as", "value_usd_bn", "at_least", "deals"]),
        csv_rows: flows
            .iter()
            .map(|f| {
                vec![
                    f.from.clone(),
                    f.to.clone(),
                    kind_label(f).to_string(),
                    f.bucket.key().to_string(),
                    bn(f.value),
                    f.floor.to_string(),
                    f.deals.to_string(),
                ]
            })
            .collect(),
        source_note: registry_sources(site.deals.iter().filter(|d| d.is_active() && d.value_usd_m.is_some())),
    };
    Ok(assemble(spec, &bodies))
}

/// What one company pays or receives in the flows chart: counted money (firm, estimated,
/// investment) and ceilings apart, as the rest of the site keeps them.
#[derive(Clone, Copy, Default)]
struct NodeSum {
    counted: i64,
    ceilings: i64,
    /// Some counted value is given only as "more than".
    floor: bool,
}

impl NodeSum {
    fn add(&mut self, flow: &aggregate::Flow) {
        if flow.bucket == Bucket::Ceiling {
            self.ceilings += flow.value;
        } else {
            self.counted += flow.value;
            self.floor |= flow.floor;
        }
    }

    /// All the node's bands, ceilings included: what its height stands for.
    fn total(&self) -> i64 {
        self.counted + self.ceilings
    }

    /// The node's label figure: the counted money only (`$300bn`, `$138bn+` for a floor), as a
    /// ceiling is never added to it; `up to $500bn` for a company with ceilings alone. The
    /// ceilings are drawn (outlined bands) and listed in the table.
    fn figure(&self) -> String {
        if self.counted == 0 {
            format!("up to {}", format::usd(self.ceilings))
        } else {
            format::usd_plus(self.counted, self.floor)
        }
    }
}

/// Whether the deal's value is given only as "more than" (a floor): the CSVs' `at_least`.
fn is_floor(site: &Site, deal: &str) -> bool {
    site.deal(deal).is_some_and(|d| d.basis == crate::model::Basis::MoreThan && d.value_usd_m.is_some())
}

fn unit_text(unit: Unit) -> impl Fn(f64) -> String {
    move |value| if value == 0.0 { "0".to_string() } else { format::series_value(value, unit) }
}

fn series_chart(series: &Series) -> Result<Chart, DrawError> {
    let periods = series.periods();
    let unit_label = unit_text(series.unit);
    let has_points = series.lines.iter().any(|l| !l.points.is_empty());
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
    let bodies = draw_both(|frame| {
        if !has_points {
            draw::empty("No data points yet", frame)
        } else if series.frequency == Frequency::Quarter {
            draw::lines(&lines, &unit_label, frame)
        } else {
            draw::grouped_bars(&groups, &unit_label, frame)
        }
    })?;
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
    let mut chart = assemble(spec, &bodies);
    chart.csv = crate::render::data::series_csv(series);
    Ok(chart)
}

/// How a series' takeaway speaks of a line: `AWS's share` for percentages; for dollars and
/// gigawatts the line itself (`Amazon`), since the value carries its unit.
fn series_subject(label: &str, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{label}'s share"),
        Unit::UsdBn | Unit::Gw => label.to_string(),
    }
}

/// `rose from 31% in Q1 2024 to 33% in Q4 2025`, `fell from ...`, `held at 30% from ... to ...`.
fn change(unit: Unit, first: &crate::model::Point, last: &crate::model::Point) -> String {
    let value = unit_text(unit);
    let (from, to) = (first.period.label(), last.period.label());
    if value(first.value) == value(last.value) {
        return format!("held at {} from {from} to {to}", value(last.value));
    }
    let verb = if last.value > first.value { "rose" } else { "fell" };
    format!("{verb} from {} in {from} to {} in {to}", value(first.value), value(last.value))
}

fn series_takeaway(series: &Series) -> String {
    let unit_label = unit_text(series.unit);
    let none = || "No data points yet.".to_string();
    let Some(first_line) = series.lines.iter().filter(|l| !l.points.is_empty()).max_by(|a, b| {
        let last = |l: &crate::model::Line| l.points.last().map_or(f64::MIN, |p| p.value);
        last(a).total_cmp(&last(b)).then(b.label.cmp(&a.label))
    }) else {
        return none();
    };
    let subject = series_subject(&first_line.label, series.unit);
    let over_time = || match (first_line.points.first(), first_line.points.last()) {
        (Some(first), Some(last)) if first.period != last.period => {
            format!("{subject} {}.", change(series.unit, first, last))
        }
        (_, Some(last)) => format!("{subject} stood at {} in {}.", unit_label(last.value), last.period.label()),
        _ => none(),
    };
    match series.frequency {
        Frequency::Quarter => over_time(),
        Frequency::Year => {
            let Some(latest) = series.periods().last().copied() else { return none() };
            let mut at_latest: Vec<(&str, f64)> = series
                .lines
                .iter()
                .filter_map(|l| l.points.iter().find(|p| p.period == latest).map(|p| (l.label.as_str(), p.value)))
                .collect();
            at_latest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
            // One line leads nothing: say how it changed.
            if series.lines.iter().filter(|l| !l.points.is_empty()).count() == 1 {
                return over_time();
            }
            let amount = |value: f64| match series.unit {
                Unit::Percent => format!("a {} share", unit_label(value)),
                Unit::UsdBn | Unit::Gw => unit_label(value),
            };
            match at_latest.as_slice() {
                [] => none(),
                [(label, value)] => format!("{label} leads in {} with {}.", latest.label(), amount(*value)),
                [(label, value), (second, second_value), ..] => format!(
                    "{label} leads in {} with {}, ahead of {second} with {}.",
                    latest.label(),
                    amount(*value),
                    amount(*second_value)
                ),
            }
        }
    }
}

/// Bars a company chart draws per role before the rest is summed up in a "more deals" row.
const COMPANY_BARS: usize = 12;

/// "1 deal", "3 deals".
fn count_of(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// What a company's chart shows, in one sentence: its firm compute purchases and sales, or
/// their ceilings, or how many there are when no value is disclosed.
fn company_takeaway(
    name: &str,
    active: usize,
    as_buyer: &crate::model::totals::Amounts,
    as_provider: &crate::model::totals::Amounts,
) -> String {
    if active == 0 {
        // A company may still be a partner in deals, which its page lists apart.
        return format!("{name} has no active deals as buyer or provider in the registry.");
    }
    use crate::render::format::{usd, usd_at_least};
    let buyer = match (as_buyer.deals, as_buyer.committed(), as_buyer.ceiling) {
        (0, _, _) => None,
        (_, committed, _) if committed > 0 => Some(match (as_buyer.firm, as_buyer.estimate) {
            (_, 0) => {
                format!("has committed {} in firm compute purchases", usd_at_least(committed, as_buyer.floors > 0))
            }
            (0, estimate) => format!("has committed an estimated {} in compute purchases", usd(estimate)),
            (firm, estimate) => format!(
                "has committed {} in firm compute purchases and an estimated {} more",
                usd_at_least(firm, as_buyer.floors > 0),
                usd(estimate)
            ),
        }),
        (_, _, ceiling) if ceiling > 0 => {
            Some(format!("has {} in ceilings and non-binding compute purchases, none of it firm", usd(ceiling)))
        }
        (n, _, _) => Some(format!("has {} of undisclosed value", count_of(n, "compute purchase", "compute purchases"))),
    };
    let provider = match (as_provider.deals, as_provider.committed(), as_provider.ceiling) {
        (0, _, _) => None,
        (_, committed, _) if committed > 0 => Some(match (as_provider.firm, as_provider.estimate) {
            (_, 0) => format!(
                "holds {} in firm compute commitments from customers",
                usd_at_least(committed, as_provider.floors > 0)
            ),
            (0, estimate) => format!("holds an estimated {} in compute commitments from customers", usd(estimate)),
            (firm, estimate) => format!(
                "holds {} in firm compute commitments from customers and an estimated {} more",
                usd_at_least(firm, as_provider.floors > 0),
                usd(estimate)
            ),
        }),
        (_, _, ceiling) if ceiling > 0 => Some(format!(
            "holds {} in ceilings and non-binding commitments from customers, none of it firm",
            usd(ceiling)
        )),
        (n, _, _) => Some(format!(
            "holds {} of undisclosed value from customers",
            count_of(n, "compute commitment", "compute commitments")
        )),
    };
    let parts: Vec<String> = [buyer, provider].into_iter().flatten().collect();
    if parts.is_empty() {
        if active == 1 {
            format!("{name} appears in 1 active deal, a money flow rather than a compute purchase.")
        } else {
            format!("{name} appears in {active} active deals, all of them money flows rather than compute purchases.")
        }
    } else if active == 1 {
        format!("{name} {}.", parts.join(" and "))
    } else {
        format!("{name} {} ({} in all).", parts.join(" and "), count_of(active, "active deal", "active deals"))
    }
}

/// A group's firm and estimated sums as a chart description states them: `$120bn firm`,
/// `$100bn firm, $20bn estimated` or `$20bn estimated`; a firm sum that holds a floor reads
/// `at least`.
fn committed_parts(amounts: &crate::model::totals::Amounts) -> String {
    let firm = format::usd_at_least(amounts.firm, amounts.floors > 0);
    match (amounts.firm, amounts.estimate) {
        (0, estimate) if estimate > 0 => format!("{} estimated", format::usd(estimate)),
        (_, 0) => format!("{firm} firm"),
        (_, estimate) => format!("{firm} firm, {} estimated", format::usd(estimate)),
    }
}

/// Bar labels that repeat (three deals `to CoreWeave`) told apart by when each deal was
/// announced: `(Mar 2025)`, or the day when the month repeats too. Unique labels get no detail.
fn told_apart<'a>(labels: &'a [String], deals: &[&aggregate::CompanyDeal]) -> Vec<(&'a str, Option<String>)> {
    let month = |deal: &aggregate::CompanyDeal| crate::model::Date { day: None, ..deal.announced }.short();
    let same =
        |i: usize, also: &dyn Fn(usize) -> bool| (0..labels.len()).any(|j| j != i && labels[j] == labels[i] && also(j));
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let detail = same(i, &|_| true).then(|| {
                let day = same(i, &|j| month(deals[j]) == month(deals[i]));
                format!("({})", if day { deals[i].announced.short() } else { month(deals[i]) })
            });
            (label.as_str(), detail)
        })
        .collect()
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
        let shown = &list[..list.len().min(COMPANY_BARS)];
        let labels: Vec<String> =
            shown.iter().map(|d| format!("{arrow} {}", site.company_label(&d.counterparty))).collect();
        for (deal, (label, detail)) in shown.iter().zip(told_apart(&labels, shown)) {
            let value = deal.value.unwrap_or(0);
            let (mut firm, mut estimate, mut ceiling) = (0, 0, 0);
            match deal.bucket {
                Some(Bucket::Firm) => firm = value,
                Some(Bucket::Estimate) => estimate = value,
                Some(Bucket::Ceiling) => ceiling = value,
                None => {}
            }
            let mut row = BarRow::values(label, firm, estimate, ceiling);
            row.detail = detail;
            row.floor = deal.floor;
            if deal.value.is_none() {
                row.note = Some("undisclosed".to_string());
            }
            rows.push(row);
        }
        if list.len() > COMPANY_BARS {
            let mut more = BarRow::values(&count_of(list.len() - COMPANY_BARS, "more deal", "more deals"), 0, 0, 0);
            more.note = Some("see the tables below".to_string());
            rows.push(more);
        }
    };
    section(&mut rows, "As buyer", &buyer, "to");
    section(&mut rows, "As provider", &provider, "from");
    let as_buyer = totals.by_buyer.get(&company.id).copied().unwrap_or_default();
    let as_provider = totals.by_provider.get(&company.id).copied().unwrap_or_default();
    let takeaway = company_takeaway(&company.name, deals.len(), &as_buyer, &as_provider);
    let bodies = draw_both(|frame| {
        if rows.is_empty() {
            draw::empty("No active deals as buyer or provider", frame)
        } else {
            draw::bars(&rows, frame)
        }
    })?;
    let any = |f: fn(&aggregate::CompanyDeal) -> bool| deals.iter().any(f);
    let spec = Spec {
        name: format!("company-{}", company.id),
        title: format!("{}'s deals", company.name),
        desc_values: deals
            .iter()
            .take(6)
            .map(|d| match d.value {
                // As the table's `Counts as` column: firm, estimate, ceiling or money flow.
                Some(_) => format!("{}: {} ({}).", d.title, company_deal_value(d), counts_as(d.bucket, d.kind)),
                None => format!("{}: {}.", d.title, company_deal_value(d)),
            })
            .collect::<Vec<_>>()
            .join(" "),
        takeaway,
        legend: {
            let mut items = value_legend(
                any(|d| d.bucket == Some(Bucket::Firm)),
                any(|d| d.bucket == Some(Bucket::Estimate)),
                any(|d| d.bucket == Some(Bucket::Ceiling)),
            );
            if let Some(firm) = items.first_mut().filter(|_| any(|d| d.floor && d.bucket == Some(Bucket::Firm))) {
                firm.label.push_str(FLOOR_NOTE);
            }
            items
        },
        columns: cols(&["Deal", "Role", "Counterparty", "Value", "Counts as"]),
        rows: deals
            .iter()
            .map(|d| {
                vec![
                    d.title.clone(),
                    if d.as_buyer { "buyer" } else { "provider" }.to_string(),
                    site.company_label(&d.counterparty),
                    company_deal_value(d),
                    counts_as(d.bucket, d.kind).to_string(),
                ]
            })
            .collect(),
        csv_columns: cols(&["deal", "role", "counterparty", "value_usd_bn", "at_least", "counts_as"]),
        csv_rows: deals
            .iter()
            .map(|d| {
                vec![
                    d.deal.clone(),
                    if d.as_buyer { "buyer" } else { "provider" }.to_string(),
                    d.counterparty.clone(),
                    d.value.map(bn).unwrap_or_default(),
                    is_floor(site, &d.deal).to_string(),
                    counts_as(d.bucket, d.kind).to_string(),
                ]
            })
            .collect(),
        source_note: registry_sources(
            site.deals.iter().filter(|d| d.is_active() && (d.buyer == company.id || d.provider == company.id)),
        ),
    };
    Ok(assemble(spec, &bodies))
}

/// What every deal chart shares, computed once per build: the distribution of deal values,
/// the values in order (for ranks), the source note, and the drawings for each highlighted band
/// (nine pairs of drawings, wide and narrow, serve every deal: they differ only in which band is
/// highlighted).
pub struct DealCharts {
    distribution: [usize; 8],
    /// Values of active deals with a disclosed value, largest first.
    values: Vec<i64>,
    source_note: String,
    /// Index 0..8: the band highlighted; index 8: none.
    bodies: Vec<Bodies>,
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
            bodies.push(draw_both(|frame| {
                if values.is_empty() {
                    draw::empty("No deals with a disclosed value yet", frame)
                } else {
                    draw::distribution(&bands, highlight, "◀ this deal", frame)
                }
            })?);
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
        // The value reads `more than`, `up to` or `an estimated` as the sources give it.
        (Some((_, 1)), Some(_)) => {
            format!("Valued at {}, this is the only deal with a disclosed value.", format::deal_value(deal))
        }
        (Some((position, of)), Some(_)) => {
            format!(
                "Valued at {}, this deal ranks {} of {of} deals with a disclosed value.",
                format::deal_value(deal),
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
    assemble(spec, &shared.bodies[highlight.unwrap_or(8)])
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
    use super::*;
    use crate::model::{Agreement, Basis, Company, Date, Line, Origin, Period, Point, Role, Status};

    fn origin() -> Origin {
        Origin { file: String::new(), span: 0..0 }
    }

    fn company(id: &str, name: &str) -> Company {
        Company {
            id: id.to_string(),
            name: name.to_string(),
            short_name: None,
            role: Role::Lab,
            parent: None,
            description: String::new(),
            url: None,
            origin: origin(),
        }
    }

    /// A signed cloud contract, reported at `value_bn` or undisclosed.
    fn deal(id: &str, buyer: &str, provider: &str, announced: &str, value_bn: Option<i64>) -> Deal {
        Deal {
            id: id.to_string(),
            title: format!("{buyer} buys from {provider}"),
            buyer: buyer.to_string(),
            provider: provider.to_string(),
            partners: Vec::new(),
            kind: Kind::Cloud,
            announced: Date::parse(announced).expect("test date"),
            agreement: Agreement::Contract,
            status: Status::Signed,
            superseded_by: None,
            value_usd_m: value_bn.map(|bn| bn * 1_000),
            basis: if value_bn.is_some() { Basis::Reported } else { Basis::Undisclosed },
            term_years: None,
            capacity_gw: None,
            chips: Vec::new(),
            chip_count: None,
            summary: String::new(),
            notes: None,
            sources: Vec::new(),
            origin: origin(),
        }
    }

    fn site(deals: Vec<Deal>) -> Site {
        let companies = vec![
            company("acme", "Acme AI"),
            company("cloud", "Cloud Co"),
            company("long", "Amazingly Long Infrastructure Provider Holdings"),
        ];
        let mut site = Site::empty();
        site.companies = companies;
        site.deals = deals;
        site.index()
    }

    fn company_takeaway_of(site: &Site, id: &str) -> String {
        let company = site.company(id).expect("test company");
        let chart = company_chart(site, company, &crate::model::totals::totals(&site.deals)).expect("chart draws");
        chart.takeaway
    }

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(22), "22nd");
    }

    #[test]
    fn company_takeaways_read_naturally_for_undisclosed_values_and_single_deals() {
        let one_undisclosed = site(vec![deal("a", "acme", "cloud", "2025-03-04", None)]);
        assert_eq!(
            company_takeaway_of(&one_undisclosed, "acme"),
            "Acme AI has 1 compute purchase of undisclosed value."
        );
        assert_eq!(
            company_takeaway_of(&one_undisclosed, "cloud"),
            "Cloud Co holds 1 compute commitment of undisclosed value from customers."
        );
        let two_undisclosed =
            site(vec![deal("a", "acme", "cloud", "2025-03-04", None), deal("b", "acme", "cloud", "2025-05-04", None)]);
        assert_eq!(
            company_takeaway_of(&two_undisclosed, "acme"),
            "Acme AI has 2 compute purchases of undisclosed value (2 active deals in all)."
        );
        let one_valued = site(vec![deal("a", "acme", "cloud", "2025-03-04", Some(10))]);
        assert_eq!(company_takeaway_of(&one_valued, "acme"), "Acme AI has committed $10bn in firm compute purchases.");
        let mixed = site(vec![
            deal("a", "acme", "cloud", "2025-03-04", Some(10)),
            deal("b", "acme", "cloud", "2025-05-04", None),
            deal("c", "cloud", "acme", "2025-06-04", None),
        ]);
        assert_eq!(
            company_takeaway_of(&mixed, "acme"),
            "Acme AI has committed $10bn in firm compute purchases and holds 1 compute commitment of undisclosed \
             value from customers (3 active deals in all)."
        );
        let mut equity = deal("e", "cloud", "acme", "2025-03-04", Some(5));
        equity.kind = Kind::Equity;
        assert_eq!(
            company_takeaway_of(&site(vec![equity]), "acme"),
            "Acme AI appears in 1 active deal, a money flow rather than a compute purchase."
        );
        let mut ceiling = deal("u", "acme", "cloud", "2025-03-04", Some(20));
        ceiling.basis = Basis::UpTo;
        assert_eq!(
            company_takeaway_of(&site(vec![ceiling]), "acme"),
            "Acme AI has $20bn in ceilings and non-binding compute purchases, none of it firm."
        );
        for takeaway in [company_takeaway_of(&one_undisclosed, "acme"), company_takeaway_of(&mixed, "acme")] {
            assert!(!takeaway.contains("$0") && !takeaway.contains(" 1 active deals"), "{takeaway}");
        }
    }

    #[test]
    fn an_estimate_is_never_called_firm() {
        let mut estimate = deal("e", "acme", "cloud", "2025-06-04", Some(20));
        estimate.basis = Basis::Estimate;
        assert_eq!(estimate.bucket(), Some(Bucket::Estimate));
        let only = site(vec![estimate.clone()]);
        assert_eq!(
            company_takeaway_of(&only, "acme"),
            "Acme AI has committed an estimated $20bn in compute purchases."
        );
        assert_eq!(
            company_takeaway_of(&only, "cloud"),
            "Cloud Co holds an estimated $20bn in compute commitments from customers."
        );
        let both = site(vec![deal("r", "acme", "cloud", "2025-03-04", Some(100)), estimate]);
        assert_eq!(
            company_takeaway_of(&both, "acme"),
            "Acme AI has committed $100bn in firm compute purchases and an estimated $20bn more (2 active deals in all)."
        );
        assert_eq!(
            company_takeaway_of(&both, "cloud"),
            "Cloud Co holds $100bn in firm compute commitments from customers and an estimated $20bn more \
             (2 active deals in all)."
        );
        let buyers = ranking_chart(&both, false).expect("chart");
        assert_eq!(
            buyers.takeaway,
            "Acme AI has committed the most as a buyer: $120bn of $120bn in firm and estimated commitments."
        );
        let providers = ranking_chart(&both, true).expect("chart");
        assert_eq!(
            providers.takeaway,
            "Cloud Co has the largest firm and estimated commitments as a provider: $120bn of $120bn in all."
        );
        assert!(providers.svg.contains("Cloud Co: $100bn firm, $20bn estimated, $0 ceilings."), "{}", providers.svg);
    }

    #[test]
    fn estimates_alone_are_named_estimates_in_rankings_and_flows() {
        let mut estimate = deal("e", "acme", "cloud", "2025-06-04", Some(20));
        estimate.basis = Basis::Estimate;
        let only = site(vec![estimate]);
        assert_eq!(
            ranking_chart(&only, true).expect("chart").takeaway,
            "Cloud Co has the largest estimated commitments as a provider: $20bn of $20bn in all."
        );
        let flows = flows_chart(&only).expect("chart");
        assert_eq!(flows.takeaway, "The largest estimated flow runs from Acme AI to Cloud Co: $20bn of compute.");
        assert!(flows.legend.iter().any(|l| l.label == "Compute purchases (estimate)"), "{:?}", flows.legend);
        // A firm flow is named before a larger estimate.
        let mut larger = deal("f", "acme", "cloud", "2025-07-04", Some(50));
        larger.basis = Basis::Estimate;
        let mixed = site(vec![larger, deal("r", "cloud", "acme", "2025-03-04", Some(10))]);
        assert_eq!(
            flows_chart(&mixed).expect("chart").takeaway,
            "The largest firm flow runs from Cloud Co to Acme AI: $10bn of compute."
        );
        let firm_only = site(vec![deal("r", "acme", "cloud", "2025-03-04", Some(10))]);
        let legend = flows_chart(&firm_only).expect("chart").legend;
        assert!(!legend.iter().any(|l| l.label.contains("estimate")), "no estimate, no legend entry: {legend:?}");
    }

    #[test]
    fn flows_labels_never_add_ceilings_to_counted_money_and_keep_floors() {
        let mut ceiling = deal("u", "acme", "cloud", "2025-06-01", Some(30));
        ceiling.basis = Basis::UpTo;
        let mut floor = deal("m", "acme", "cloud", "2025-07-01", Some(40));
        floor.basis = Basis::MoreThan;
        let mut plan = deal("p", "long", "acme", "2025-08-01", Some(500));
        plan.basis = Basis::UpTo;
        let flows = flows_chart(&site(vec![ceiling, floor, plan])).expect("chart");
        let svg = &flows.svg;
        // Acme pays $40bn (a floor) and $30bn in a ceiling: its label counts the $40bn alone.
        assert!(svg.contains(">Acme AI $40bn+</text>"), "{svg}");
        assert!(!svg.contains("$70bn"), "a ceiling was added to counted money: {svg}");
        // A company with ceilings alone reads as such.
        assert!(svg.contains("up to $500bn"), "{svg}");
        assert!(svg.contains("Acme AI to Cloud Co: at least $40bn (firm)."), "{svg}");
        assert!(flows.rows.iter().any(|row| row.contains(&"$40bn+".to_string())), "{:?}", flows.rows);
    }

    #[test]
    fn the_cumulative_takeaway_says_up_only_when_the_total_rose() {
        let old = deal("o", "acme", "cloud", "2024-01-10", Some(40));
        let steady = site(vec![old.clone(), deal("n", "acme", "cloud", "2025-06-01", None)]);
        let takeaway = cumulative_chart(&steady).expect("chart").takeaway;
        assert!(!takeaway.contains("up from"), "{takeaway}");
        let grown = site(vec![old, deal("n", "acme", "cloud", "2025-06-01", Some(5))]);
        let takeaway = cumulative_chart(&grown).expect("chart").takeaway;
        assert!(takeaway.contains("reached $45bn by 1 June 2025, up from $40bn a year earlier"), "{takeaway}");
        let mut ceiling = deal("u", "acme", "cloud", "2025-06-01", Some(30));
        ceiling.basis = Basis::UpTo;
        let takeaway = cumulative_chart(&site(vec![ceiling])).expect("chart").takeaway;
        assert!(takeaway.starts_with("No firm compute commitments by 1 June 2025"), "{takeaway}");
        assert!(!takeaway.contains("$0"), "{takeaway}");
    }

    #[test]
    fn tied_leaders_are_named_together_and_partners_are_not_said_to_have_no_deals() {
        let tie = site(vec![
            deal("a", "acme", "cloud", "2025-03-04", Some(45)),
            deal("b", "long", "acme", "2025-04-04", Some(45)),
        ]);
        assert_eq!(
            ranking_chart(&tie, true).expect("chart").takeaway,
            "Acme AI and Cloud Co share the largest firm commitments as a provider: $45bn each, of $90bn in all."
        );
        assert_eq!(
            ranking_chart(&tie, false).expect("chart").takeaway,
            "Acme AI and Amazingly Long Infrastructure Provider Holdings have committed the most as buyers: \
             $45bn each, of $90bn in firm commitments."
        );
        let mut partnered = deal("p", "acme", "cloud", "2025-03-04", Some(10));
        partnered.partners = vec!["long".to_string()];
        let partnered = site(vec![partnered]);
        assert_eq!(
            company_takeaway_of(&partnered, "long"),
            "Amazingly Long Infrastructure Provider Holdings has no active deals as buyer or provider in the registry."
        );
        let long = partnered.company("long").expect("long");
        let chart = company_chart(&partnered, long, &crate::model::totals::totals(&partnered.deals)).expect("chart");
        assert!(chart.svg.contains("No active deals as buyer or provider"), "{}", chart.svg);
        assert!(!chart.source_note.contains("no deals yet"), "{}", chart.source_note);
    }

    #[test]
    fn cumulative_steps_run_forward_on_the_axis_when_a_date_is_known_to_the_month() {
        let site = site(vec![
            deal("month", "acme", "cloud", "2025-11", Some(5)),
            deal("day", "acme", "cloud", "2025-11-03", Some(10)),
            deal("later", "acme", "cloud", "2025-11-20", Some(1)),
        ]);
        let steps = aggregate::cumulative(&site);
        let order: Vec<&str> = steps.iter().map(|s| s.deal.as_str()).collect();
        assert_eq!(order, ["day", "month", "later"], "mid-November comes after 3 November");
        let xs: Vec<f64> = steps.iter().map(|s| s.date.fractional_year()).collect();
        assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{xs:?}");
        assert_eq!(steps.iter().map(|s| s.firm / 1_000).collect::<Vec<_>>(), [10, 15, 16]);
    }

    #[test]
    fn an_investment_plan_counts_as_a_ceiling_even_at_a_reported_value() {
        let mut plan = deal("p", "acme", "cloud", "2025-11-12", Some(50));
        plan.kind = Kind::Datacenter;
        plan.agreement = Agreement::Plan;
        assert_eq!(plan.bucket(), Some(Bucket::Ceiling));
        assert_eq!(
            crate::render::views::counting_note(&plan),
            "Counted apart as a ceiling or non-binding figure, never added to firm commitments."
        );
        let site = site(vec![plan, deal("r", "acme", "cloud", "2025-03-04", Some(10))]);
        let overall = crate::model::totals::totals(&site.deals).overall;
        assert_eq!((overall.firm, overall.ceiling, overall.deals), (10_000, 50_000, 2));
        let cumulative = cumulative_chart(&site).expect("chart");
        assert_eq!(
            cumulative.rows.iter().map(|row| (row[2].as_str(), row[4].as_str())).collect::<Vec<_>>(),
            [("$10bn", "$0"), ("$10bn", "$50bn")],
            "the plan adds to the ceilings, never to the firm line"
        );
    }

    #[test]
    fn a_floor_counts_as_firm_and_reads_as_a_floor() {
        let mut floor = deal("f", "acme", "cloud", "2026-04-20", Some(100));
        floor.basis = Basis::MoreThan;
        assert_eq!(floor.bucket(), Some(Bucket::Firm));
        assert_eq!(format::deal_value(&floor), "more than $100bn");
        assert_eq!(format::deal_value_short(&floor), "over $100bn");
        let site = site(vec![floor, deal("r", "acme", "cloud", "2025-03-04", Some(10))]);
        let overall = crate::model::totals::totals(&site.deals).overall;
        assert_eq!((overall.firm, overall.floors), (110_000, 1));
        // A sum that holds a floor is a lower bound, and every place that states it says so.
        assert_eq!(
            company_takeaway_of(&site, "acme"),
            "Acme AI has committed at least $110bn in firm compute purchases (2 active deals in all)."
        );
        assert_eq!(
            company_takeaway_of(&site, "cloud"),
            "Cloud Co holds at least $110bn in firm compute commitments from customers (2 active deals in all)."
        );
        let buyers = ranking_chart(&site, false).expect("chart");
        assert_eq!(
            buyers.takeaway,
            "Acme AI has committed the most as a buyer: at least $110bn of at least $110bn in firm commitments."
        );
        assert!(buyers.svg.contains(">$110bn+</text>"), "{}", buyers.svg);
        assert_eq!(buyers.rows[0][1], "$110bn+");
        assert!(buyers.legend[0].label.ends_with(FLOOR_NOTE), "{:?}", buyers.legend);
        // The CSVs mark a floor too: the sum, and the deal whose value is one.
        assert!(buyers.csv.contains("\r\nacme,110,true,0,0,2\r\n"), "{}", buyers.csv);
        let company =
            company_chart(&site, site.company("acme").expect("acme"), &crate::model::totals::totals(&site.deals))
                .expect("chart");
        assert!(company.csv.contains("\r\nf,buyer,cloud,100,true,firm\r\n"), "{}", company.csv);
        assert!(company.csv.contains("\r\nr,buyer,cloud,10,false,firm\r\n"), "{}", company.csv);
        let cumulative = cumulative_chart(&site).expect("chart");
        assert_eq!(
            cumulative.takeaway,
            "Firm compute commitments reached at least $110bn by 20 April 2026, up from $10bn a year earlier."
        );
        assert_eq!(
            cumulative.rows.iter().map(|row| row[2].as_str()).collect::<Vec<_>>(),
            ["$10bn", "$110bn+"],
            "only the sums that include the floor carry the +"
        );
        assert!(cumulative.svg.contains("$110bn+ firm"), "the line's end label carries it too: {}", cumulative.svg);
        let acme = site.company("acme").expect("acme");
        let chart = company_chart(&site, acme, &crate::model::totals::totals(&site.deals)).expect("chart");
        for svg in [&chart.svg, &chart.svg_narrow] {
            assert!(svg.contains(">$100bn+</text>") && svg.contains(">$10bn</text>"), "{svg}");
        }
        assert!(chart.rows.iter().any(|row| row.contains(&"more than $100bn".to_string())), "{:?}", chart.rows);
        assert!(chart.legend.iter().any(|item| item.label.contains("ending in + is a floor")), "{:?}", chart.legend);
    }

    #[test]
    fn repeated_counterparties_are_told_apart_by_date() {
        let deals = vec![
            deal("a", "acme", "cloud", "2025-03-04", Some(30)),
            deal("b", "acme", "cloud", "2025-09-10", Some(20)),
            deal("c", "acme", "cloud", "2025-09-22", Some(10)),
            deal("d", "acme", "long", "2025-11-03", Some(5)),
            deal("e", "acme", "long", "2026-01", None),
        ];
        let site = site(deals);
        let acme = site.company("acme").expect("acme");
        let chart = company_chart(&site, acme, &crate::model::totals::totals(&site.deals)).expect("chart");
        for svg in [&chart.svg, &chart.svg_narrow] {
            assert!(svg.contains(">to Cloud Co (Mar 2025)</text>"), "{svg}");
            // Two in September: the day tells them apart (the name may be shortened for it).
            assert!(
                svg.contains("<title>to Cloud Co (10 Sep 2025)</title>")
                    || svg.contains(">to Cloud Co (10 Sep 2025)</text>"),
                "{svg}"
            );
            assert!(svg.contains(" (10 Sep 2025)</text>") && svg.contains(" (22 Sep 2025)</text>"), "{svg}");
            assert!(!svg.contains(">to Cloud Co</text>"), "{svg}");
            // A long name is shortened before the date, never the date itself; the full label
            // is kept as a tooltip.
            assert!(svg.contains("<title>to Amazingly Long Infrastructure Provider Holdings (Nov 2025)</title>"));
            assert!(svg.contains("… (Nov 2025)</text>") && svg.contains("… (Jan 2026)</text>"), "{svg}");
        }
        // A counterparty that appears once keeps a plain label.
        let single = site_with_one();
        let acme = single.company("acme").expect("acme");
        let chart = company_chart(&single, acme, &crate::model::totals::totals(&single.deals)).expect("chart");
        assert!(chart.svg.contains(">to Cloud Co</text>"), "{}", chart.svg);
    }

    fn site_with_one() -> Site {
        site(vec![deal("a", "acme", "cloud", "2025-03-04", Some(30))])
    }

    fn series(unit: Unit, frequency: Frequency, lines: &[(&str, &[(&str, f64)])]) -> Series {
        Series {
            id: "test".to_string(),
            title: "Test".to_string(),
            unit,
            frequency,
            summary: String::new(),
            notes: None,
            lines: lines
                .iter()
                .map(|(label, points)| Line {
                    label: label.to_string(),
                    company: None,
                    points: points
                        .iter()
                        .map(|(period, value)| Point { period: Period::parse(period).expect("period"), value: *value })
                        .collect(),
                })
                .collect(),
            sources: Vec::new(),
            file: String::new(),
        }
    }

    #[test]
    fn series_takeaways_fit_the_unit() {
        let quarters: &[(&str, f64)] = &[("2024-Q1", 31.0), ("2025-Q4", 28.0)];
        let share = series(Unit::Percent, Frequency::Quarter, &[("AWS", quarters), ("Azure", &[("2025-Q4", 21.0)])]);
        assert_eq!(series_takeaway(&share), "AWS's share fell from 31% in Q1 2024 to 28% in Q4 2025.");
        let money =
            series(Unit::UsdBn, Frequency::Quarter, &[("Microsoft", &[("2025-Q2", 368.0), ("2025-Q4", 625.0)])]);
        assert_eq!(series_takeaway(&money), "Microsoft rose from $368bn in Q2 2025 to $625bn in Q4 2025.");
        let power = series(Unit::Gw, Frequency::Quarter, &[("Campus", &[("2025-Q1", 1.5), ("2025-Q3", 1.5)])]);
        assert_eq!(series_takeaway(&power), "Campus held at 1.5 GW from Q1 2025 to Q3 2025.");
        let one_line = series(Unit::UsdBn, Frequency::Year, &[("Worldwide", &[("2021", 178.0), ("2025", 419.0)])]);
        assert_eq!(series_takeaway(&one_line), "Worldwide rose from $178bn in 2021 to $419bn in 2025.");
        let spend = series(
            Unit::UsdBn,
            Frequency::Year,
            &[("Amazon", &[("2025", 131.0)]), ("Alphabet", &[("2025", 91.4)]), ("Meta", &[("2024", 39.2)])],
        );
        assert_eq!(series_takeaway(&spend), "Amazon leads in 2025 with $131bn, ahead of Alphabet with $91.4bn.");
        let shares = series(Unit::Percent, Frequency::Year, &[("A", &[("2025", 30.0)]), ("B", &[("2025", 20.0)])]);
        assert_eq!(series_takeaway(&shares), "A leads in 2025 with a 30% share, ahead of B with a 20% share.");
        for takeaway in [series_takeaway(&money), series_takeaway(&power), series_takeaway(&spend)] {
            assert!(!takeaway.contains("share"), "{takeaway}");
        }
    }

    /// The numbers written in an SVG's text elements.
    fn numbers_in(svg: &str) -> Vec<String> {
        svg.split("</text>")
            .filter_map(|chunk| chunk.rsplit('>').next())
            .filter(|text| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit() || c == '.'))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn deal_size_distribution_counts_in_whole_ticks() {
        // One valued deal: a count axis from 0 to 1 that nice_ticks would split in quarters.
        let site = site(vec![deal("a", "acme", "cloud", "2025-03-04", Some(30))]);
        let shared = DealCharts::new(&site).expect("deal charts");
        let chart = deal_chart(site.deal("a").expect("deal a"), &shared);
        for svg in [&chart.svg, &chart.svg_narrow] {
            let numbers = numbers_in(svg);
            assert!(numbers.contains(&"1".to_string()), "{numbers:?}");
            assert!(numbers.iter().all(|n| !n.contains('.')), "fractional tick in {numbers:?}");
        }
    }

    #[test]
    fn both_variants_are_drawn_with_their_own_ids() {
        let site = site_with_one();
        let acme = site.company("acme").expect("acme");
        let chart = company_chart(&site, acme, &crate::model::totals::totals(&site.deals)).expect("chart");
        assert!(chart.svg.starts_with("<svg class=\"chart-svg chart-svg-wide\" viewBox=\"0 0 560 "));
        assert!(chart.svg_narrow.starts_with("<svg class=\"chart-svg chart-svg-narrow\" viewBox=\"0 0 340 "));
        assert!(chart.svg.contains("aria-labelledby=\"chart-company-acme-title chart-company-acme-desc\""));
        assert!(
            chart
                .svg_narrow
                .contains("aria-labelledby=\"chart-company-acme-narrow-title chart-company-acme-narrow-desc\"")
        );
        assert!(chart.svg_narrow.contains("<title id=\"chart-company-acme-narrow-title\">Acme AI&#39;s deals</title>"));
    }
}
