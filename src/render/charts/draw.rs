//! The chart drawings: each function lays out one kind of chart with plotters primitives and
//! returns plotters' raw SVG plus the labels it had to shorten.
//!
//! Layout is in pixels of a 560-wide canvas; the page scales it with `viewBox`, so sizes are
//! chosen to stay legible when a phone shrinks it to about 330 pixels (13 px labels). Every
//! function draws only what it is given: the numbers come from `aggregate`.

use super::canvas::{Align, Baseline, Canvas, DrawError, Fill, Font, Paint, Scale, nice_ticks, shorten, text_width};
use super::svg::Shortened;
use crate::model::{Bucket, Kind};
use crate::render::format;

pub const WIDTH: u32 = 560;
const W: f64 = WIDTH as f64;
const LABEL: f64 = 13.0;
const SMALL: f64 = 11.5;

/// Raw plotters SVG and the labels drawn shortened.
pub struct Drawing {
    pub svg: String,
    pub shortened: Vec<Shortened>,
}

/// Shortens `text` to `width`, remembering the full text when it had to be cut.
fn fit(text: &str, size: f64, width: f64, shortened: &mut Vec<Shortened>) -> String {
    let short = shorten(text, size, width);
    if short != text && !shortened.iter().any(|s| s.short == short) {
        shortened.push(Shortened { short: short.clone(), full: text.to_string() });
    }
    short
}

/// An axis tick in billions of dollars: `0`, `$250bn`, `$1tn`.
fn money_tick(bn: f64) -> String {
    if bn == 0.0 { "0".to_string() } else { format::usd((bn * 1_000.0).round() as i64) }
}

/// Bold text renders wider than the estimate; leave room for it.
fn bold_width(text: &str, size: f64) -> f64 {
    text_width(text, size) * 1.12
}

/// A message in place of a chart when there is nothing to draw.
pub fn empty(message: &str) -> Result<Drawing, DrawError> {
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, WIDTH, 90);
        canvas.rect(1.0, 1.0, W - 1.0, 89.0, Paint::Grid, Fill::Outline(1))?;
        canvas.text(W / 2.0, 45.0, message, Font::new(LABEL).paint(Paint::Muted).align(Align::Middle))?;
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened: Vec::new() })
}

/// One row of a horizontal bar chart: values in millions of dollars by how they count.
#[derive(Clone, Debug)]
pub struct BarRow {
    pub label: String,
    pub firm: i64,
    pub estimate: i64,
    pub ceiling: i64,
    /// Written instead of a value when the row has none (`undisclosed`).
    pub note: Option<String>,
    /// A row that starts a group (`As buyer`), drawn as a heading without a bar.
    pub heading: bool,
    pub highlight: bool,
}

impl BarRow {
    pub fn values(label: &str, firm: i64, estimate: i64, ceiling: i64) -> BarRow {
        BarRow { label: label.to_string(), firm, estimate, ceiling, note: None, heading: false, highlight: false }
    }

    pub fn heading(label: &str) -> BarRow {
        BarRow {
            label: label.to_string(),
            firm: 0,
            estimate: 0,
            ceiling: 0,
            note: None,
            heading: true,
            highlight: false,
        }
    }

    fn total(&self) -> i64 {
        self.firm + self.estimate + self.ceiling
    }
}

const ROW: f64 = 30.0;
const BAR: f64 = 16.0;
const AXIS: f64 = 30.0;

/// Horizontal bars, firm solid, estimates faded, ceilings outlined, values at the bar ends.
pub fn bars(rows: &[BarRow]) -> Result<Drawing, DrawError> {
    let mut shortened = Vec::new();
    let label_width = rows.iter().map(|r| text_width(&r.label, LABEL) + 12.0).fold(70.0, f64::max).min(190.0);
    let value_room = 140.0;
    let plot = Scale::new((0.0, 1.0), (label_width, W - value_room));
    let max_bn = rows.iter().map(|r| r.total()).max().unwrap_or(0) as f64 / 1_000.0;
    let ticks = nice_ticks(max_bn, 4);
    let top_tick = ticks.last().copied().unwrap_or(1.0);
    let x = Scale::new((0.0, top_tick), plot.range);
    let height = 8.0 + rows.len() as f64 * ROW + AXIS;
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, WIDTH, height as u32);
        let bottom = 8.0 + rows.len() as f64 * ROW;
        for tick in &ticks {
            let tx = x.at(*tick);
            canvas.line(&[(tx, 4.0), (tx, bottom)], Paint::Grid, 1)?;
            let label = money_tick(*tick);
            canvas.text(
                tx,
                bottom + 6.0,
                &label,
                Font::new(SMALL).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        canvas.line(&[(x.at(0.0), 4.0), (x.at(0.0), bottom)], Paint::Axis, 1)?;
        for (i, row) in rows.iter().enumerate() {
            let cy = 8.0 + i as f64 * ROW + ROW / 2.0;
            let label = fit(&row.label, LABEL, label_width - 10.0, &mut shortened);
            if row.heading {
                canvas.text(4.0, cy + 4.0, &label, Font::new(LABEL).bold())?;
                continue;
            }
            let font = Font::new(LABEL).align(Align::End);
            canvas.text(label_width - 8.0, cy, &label, if row.highlight { font.bold() } else { font })?;
            let (y0, y1) = (cy - BAR / 2.0, cy + BAR / 2.0);
            let bn = |m: i64| m as f64 / 1_000.0;
            let mut at = 0.0;
            if row.firm > 0 {
                let paint = if row.highlight { Paint::Highlight } else { Paint::Firm };
                canvas.rect(x.at(at), y0, x.at(at + bn(row.firm)), y1, paint, Fill::Solid)?;
                at += bn(row.firm);
            }
            if row.estimate > 0 {
                canvas.rect(x.at(at), y0, x.at(at + bn(row.estimate)), y1, Paint::Estimate, Fill::Faded(0.4))?;
                canvas.rect(x.at(at), y0, x.at(at + bn(row.estimate)), y1, Paint::Estimate, Fill::Outline(1))?;
                at += bn(row.estimate);
            }
            if row.ceiling > 0 {
                canvas.rect(x.at(at), y0, x.at(at + bn(row.ceiling)), y1, Paint::Ceiling, Fill::Faded(0.12))?;
                canvas.rect(
                    x.at(at),
                    y0 + 1.0,
                    x.at(at + bn(row.ceiling)),
                    y1 - 1.0,
                    Paint::Ceiling,
                    Fill::Outline(2),
                )?;
                at += bn(row.ceiling);
            }
            let mut lx = x.at(at) + 6.0;
            let committed = row.firm + row.estimate;
            if committed > 0 {
                let text = format::usd(committed);
                canvas.text(lx, cy, &text, Font::new(LABEL).bold())?;
                lx += bold_width(&text, LABEL) + 6.0;
            }
            if row.ceiling > 0 {
                let text =
                    if committed > 0 { format!("+{}", format::usd(row.ceiling)) } else { format::usd(row.ceiling) };
                canvas.text(lx, cy, &text, Font::new(LABEL).paint(Paint::Ceiling).bold())?;
            }
            if row.total() == 0 {
                let note = row.note.as_deref().unwrap_or("no value");
                canvas.text(x.at(0.0) + 6.0, cy, note, Font::new(SMALL).paint(Paint::Muted))?;
            }
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// A time axis: tick positions (fractional years) and labels, years when the span is long.
fn time_ticks(start: f64, end: f64, width: f64) -> Vec<(f64, String)> {
    let first_year = start.floor() as i32;
    let last_year = end.ceil() as i32;
    let years: Vec<(f64, String)> = (first_year..=last_year)
        .map(f64::from)
        .filter(|y| *y >= start && *y <= end)
        .map(|y| (y, format!("{y}")))
        .collect();
    if years.len() >= 3 {
        return years;
    }
    let months = ["Jan", "Apr", "Jul", "Oct"];
    let mut quarters = Vec::new();
    for year in first_year..=last_year {
        for (q, month) in months.iter().enumerate() {
            let at = f64::from(year) + q as f64 / 4.0;
            if at >= start && at <= end {
                quarters.push((at, format!("{month} {year}")));
            }
        }
    }
    // Keep labels at least 70 px apart.
    let span = (end - start).max(1e-9);
    let per_label = 70.0 / width * span;
    let step = ((per_label / 0.25).ceil() as usize).max(1);
    quarters.into_iter().step_by(step).collect()
}

/// One running total to draw as a step line.
pub struct StepLine {
    pub label: String,
    pub paint: Paint,
    pub width: u32,
    /// (fractional year, value in millions)
    pub points: Vec<(f64, i64)>,
}

/// Step lines over time (cumulative commitments), each labelled at its end.
pub fn steps(lines: &[StepLine]) -> Result<Drawing, DrawError> {
    let all: Vec<(f64, i64)> = lines.iter().flat_map(|l| l.points.iter().copied()).collect();
    let start = all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min) - 0.05;
    let end = all.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max) + 0.05;
    let max_bn = all.iter().map(|p| p.1).max().unwrap_or(0) as f64 / 1_000.0;
    let ticks = nice_ticks(max_bn, 4);
    let top = ticks.last().copied().unwrap_or(1.0);
    let (left, right, top_px, bottom) = (62.0, W - 150.0, 14.0, 262.0);
    let x = Scale::new((start, end), (left, right));
    let y = Scale::new((0.0, top), (bottom, top_px));
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, WIDTH, 300);
        for tick in &ticks {
            let ty = y.at(*tick);
            canvas.line(&[(left, ty), (right, ty)], Paint::Grid, 1)?;
            canvas.text(left - 6.0, ty, &money_tick(*tick), Font::new(SMALL).paint(Paint::Muted).align(Align::End))?;
        }
        canvas.line(&[(left, bottom), (right, bottom)], Paint::Axis, 1)?;
        for (at, label) in time_ticks(start, end, right - left) {
            let tx = x.at(at);
            canvas.line(&[(tx, bottom), (tx, bottom + 5.0)], Paint::Axis, 1)?;
            canvas.text(
                tx,
                bottom + 8.0,
                &label,
                Font::new(SMALL).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        let mut label_ys: Vec<f64> = Vec::new();
        for line in lines {
            if line.points.is_empty() {
                continue;
            }
            let mut points = vec![(x.at(line.points[0].0), y.at(0.0))];
            let mut last = 0.0;
            for (at, value) in &line.points {
                let value = *value as f64 / 1_000.0;
                points.push((x.at(*at), y.at(last)));
                points.push((x.at(*at), y.at(value)));
                last = value;
            }
            points.push((right, y.at(last)));
            canvas.line(&points, line.paint, line.width)?;
            let mut ly = y.at(last);
            while label_ys.iter().any(|other| (other - ly).abs() < 16.0) {
                ly += 16.0;
            }
            label_ys.push(ly);
            let text = format!("{} {}", format::usd((last * 1_000.0).round() as i64), line.label);
            canvas.text(right + 6.0, ly, &text, Font::new(LABEL).paint(line.paint).bold())?;
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened: Vec::new() })
}

/// A marker on the deal timeline.
pub struct Marker {
    pub at: f64,
    /// Millions of dollars; `None` puts the marker in the "undisclosed" band.
    pub value: Option<i64>,
    pub kind: Kind,
    pub bucket: Option<Bucket>,
    pub capacity_gw: Option<f64>,
    pub label: Option<String>,
}

/// Marker paint and fill: money flows green, compute blue; ceilings hollow, estimates faded.
pub fn marker_style(kind: Kind, bucket: Option<Bucket>) -> (Paint, Fill) {
    let base = if kind.is_compute() { Paint::Firm } else { Paint::Capital };
    match bucket {
        Some(Bucket::Firm) => (base, Fill::Solid),
        Some(Bucket::Estimate) => (Paint::Estimate, Fill::Faded(0.55)),
        Some(Bucket::Ceiling) => (Paint::Ceiling, Fill::Outline(2)),
        None => (Paint::Muted, Fill::Outline(2)),
    }
}

/// Draws the marker shape of a deal kind centred on (x, y).
pub fn draw_marker(
    canvas: &Canvas<'_>,
    kind: Kind,
    x: f64,
    y: f64,
    r: f64,
    paint: Paint,
    fill: Fill,
) -> Result<(), DrawError> {
    let stroke = match fill {
        Fill::Outline(w) => w,
        _ => 2,
    };
    match kind {
        Kind::Cloud => canvas.circle(x, y, r, paint, fill),
        Kind::Chips => canvas.rect(x - r * 0.85, y - r * 0.85, x + r * 0.85, y + r * 0.85, paint, fill),
        Kind::Datacenter => canvas.polygon(&[(x, y - r), (x + r, y + r * 0.8), (x - r, y + r * 0.8)], paint, fill),
        Kind::Power => canvas.polygon(&[(x, y - r), (x + r, y), (x, y + r), (x - r, y)], paint, fill),
        Kind::Acquisition => canvas.polygon(&[(x - r, y - r * 0.8), (x + r, y - r * 0.8), (x, y + r)], paint, fill),
        Kind::Equity => {
            canvas.line(&[(x - r, y), (x + r, y)], paint, stroke + 1)?;
            canvas.line(&[(x, y - r), (x, y + r)], paint, stroke + 1)
        }
        Kind::Financing => {
            canvas.line(&[(x - r * 0.8, y - r * 0.8), (x + r * 0.8, y + r * 0.8)], paint, stroke + 1)?;
            canvas.line(&[(x - r * 0.8, y + r * 0.8), (x + r * 0.8, y - r * 0.8)], paint, stroke + 1)
        }
    }
}

/// Deal sizes over time on a log scale, with undisclosed deals in a band below.
pub fn timeline(markers: &[Marker]) -> Result<Drawing, DrawError> {
    let mut shortened = Vec::new();
    let start = markers.iter().map(|m| m.at).fold(f64::INFINITY, f64::min) - 0.08;
    let end = markers.iter().map(|m| m.at).fold(f64::NEG_INFINITY, f64::max) + 0.08;
    let values: Vec<f64> = markers.iter().filter_map(|m| m.value).map(|v| v as f64 / 1_000.0).collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min).max(0.01);
    let high = values.iter().copied().fold(0.0, f64::max).max(low * 10.0);
    let low_exp = low.log10().floor();
    let high_exp = high.log10().ceil();
    let (left, right, top, bottom) = (58.0, W - 16.0, 14.0, 262.0);
    let band = (bottom + 16.0, bottom + 42.0);
    let x = Scale::new((start, end), (left, right));
    let y = Scale::new((low_exp, high_exp), (bottom, top));
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, WIDTH, 340);
        let mut exp = low_exp;
        while exp <= high_exp + 1e-9 {
            let ty = y.at(exp);
            canvas.line(&[(left, ty), (right, ty)], Paint::Grid, 1)?;
            let label = format::usd((10f64.powf(exp) * 1_000.0).round() as i64);
            canvas.text(left - 6.0, ty, &label, Font::new(SMALL).paint(Paint::Muted).align(Align::End))?;
            exp += 1.0;
        }
        canvas.rect(left, band.0, right, band.1, Paint::Grid, Fill::Faded(0.35))?;
        canvas.text(
            left + 4.0,
            band.0 - 3.0,
            "Value undisclosed",
            Font::new(SMALL).paint(Paint::Muted).baseline(Baseline::Bottom),
        )?;
        let axis_y = band.1 + 4.0;
        for (at, label) in time_ticks(start, end, right - left) {
            let tx = x.at(at);
            canvas.line(&[(tx, top), (tx, band.1)], Paint::Grid, 1)?;
            canvas.text(
                tx,
                axis_y + 4.0,
                &label,
                Font::new(SMALL).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        let band_y = (band.0 + band.1) / 2.0;
        let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
        for marker in markers {
            let r = 4.5 + marker.capacity_gw.map_or(0.0, |gw| (gw.sqrt() * 2.2).min(8.0));
            let mx = x.at(marker.at);
            let my = match marker.value {
                Some(v) => y.at((v as f64 / 1_000.0).max(0.001).log10()),
                None => band_y,
            };
            let (paint, fill) = marker_style(marker.kind, marker.bucket);
            draw_marker(&canvas, marker.kind, mx, my, r, paint, fill)?;
            if let Some(label) = &marker.label {
                let text = fit(label, SMALL, 170.0, &mut shortened);
                let width = text_width(&text, SMALL) * 1.05;
                // Try right, left, then above and below, keeping clear of labels already placed.
                let candidates = [
                    (Align::Start, mx + r + 4.0, my),
                    (Align::End, mx - r - 4.0, my),
                    (Align::Start, mx + r + 2.0, my - r - 9.0),
                    (Align::Start, mx + r + 2.0, my + r + 9.0),
                    (Align::End, mx - r - 2.0, my - r - 9.0),
                    (Align::End, mx - r - 2.0, my + r + 9.0),
                ];
                let boxed = |align: Align, x: f64, y: f64| match align {
                    Align::End => (x - width, y - 7.0, x, y + 7.0),
                    _ => (x, y - 7.0, x + width, y + 7.0),
                };
                let fits = |b: (f64, f64, f64, f64)| {
                    b.0 >= 2.0
                        && b.2 <= W - 2.0
                        && b.1 >= 2.0
                        && !placed.iter().any(|p| b.0 < p.2 && p.0 < b.2 && b.1 < p.3 && p.1 < b.3)
                };
                let (align, lx, ly) =
                    candidates.iter().copied().find(|(a, x, y)| fits(boxed(*a, *x, *y))).unwrap_or(candidates[0]);
                placed.push(boxed(align, lx, ly));
                canvas.text(lx, ly, &text, Font::new(SMALL).align(align))?;
            }
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// A node of the flows chart, with its label and how much passes through it.
pub struct FlowNode {
    pub label: String,
    pub total: i64,
}

/// A band between a payer (left) and a payee (right) node, by index.
pub struct FlowBand {
    pub from: usize,
    pub to: usize,
    pub value: i64,
    pub paint: Paint,
    pub ceiling: bool,
}

/// Who pays whom: payers on the left, payees on the right, bands as wide as the money.
pub fn flows(payers: &[FlowNode], payees: &[FlowNode], bands: &[FlowBand]) -> Result<Drawing, DrawError> {
    let mut shortened = Vec::new();
    let gap = 10.0;
    let available = 380.0;
    let scale_for = |nodes: &[FlowNode]| {
        let total: i64 = nodes.iter().map(|n| n.total).sum();
        (available - gap * nodes.len().saturating_sub(1) as f64) / (total.max(1) as f64)
    };
    let k = scale_for(payers).min(scale_for(payees));
    let height_of = |n: &FlowNode| (n.total as f64 * k).max(2.0);
    let column = |nodes: &[FlowNode]| -> Vec<f64> {
        let mut y = 16.0;
        nodes
            .iter()
            .map(|n| {
                let top = y;
                y += height_of(n) + gap;
                top
            })
            .collect()
    };
    let left_tops = column(payers);
    let right_tops = column(payees);
    let used = |nodes: &[FlowNode], tops: &[f64]| tops.last().zip(nodes.last()).map_or(16.0, |(t, n)| t + height_of(n));
    let height = used(payers, &left_tops).max(used(payees, &right_tops)) + 16.0;
    let (lx0, lx1, rx0, rx1) = (172.0, 180.0, 380.0, 388.0);
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, WIDTH, height.ceil() as u32);
        let mut left_offset = vec![0.0; payers.len()];
        let mut right_offset = vec![0.0; payees.len()];
        let mut order: Vec<&FlowBand> = bands.iter().collect();
        order.sort_by_key(|b| (b.from, b.to));
        // Right-side stacking follows payer order so bands do not cross inside a node.
        let mut right_order: Vec<usize> = (0..order.len()).collect();
        right_order.sort_by(|&a, &b| (order[a].to, order[a].from).cmp(&(order[b].to, order[b].from)));
        let mut right_y = vec![0.0; order.len()];
        for &i in &right_order {
            let band = order[i];
            right_y[i] = right_tops[band.to] + right_offset[band.to];
            right_offset[band.to] += band.value as f64 * k;
        }
        for (i, band) in order.iter().enumerate() {
            let t = (band.value as f64 * k).max(0.8);
            let y_left = left_tops[band.from] + left_offset[band.from];
            left_offset[band.from] += band.value as f64 * k;
            let y_right = right_y[i];
            let curve = |y0: f64, y1: f64| -> Vec<(f64, f64)> {
                (0..=10)
                    .map(|s| {
                        let u = f64::from(s) / 10.0;
                        let ease = u * u * (3.0 - 2.0 * u);
                        (lx1 + (rx0 - lx1) * u, y0 + (y1 - y0) * ease)
                    })
                    .collect()
            };
            let mut shape = curve(y_left, y_right);
            let mut back = curve(y_left + t, y_right + t);
            back.reverse();
            shape.extend(back);
            if band.ceiling {
                canvas.polygon(&shape, Paint::Ceiling, Fill::Faded(0.15))?;
                canvas.polygon(&shape, Paint::Ceiling, Fill::Outline(1))?;
            } else {
                canvas.polygon(&shape, band.paint, Fill::Faded(0.5))?;
            }
        }
        for (node, top) in payers.iter().zip(&left_tops) {
            let h = height_of(node);
            canvas.rect(lx0, *top, lx1, top + h, Paint::Axis, Fill::Solid)?;
            let label = fit(&node.label, LABEL, lx0 - 10.0, &mut shortened);
            canvas.text(lx0 - 6.0, top + h / 2.0, &label, Font::new(LABEL).align(Align::End))?;
        }
        for (node, top) in payees.iter().zip(&right_tops) {
            let h = height_of(node);
            canvas.rect(rx0, *top, rx1, top + h, Paint::Axis, Fill::Solid)?;
            let label = fit(&node.label, LABEL, W - rx1 - 10.0, &mut shortened);
            canvas.text(rx1 + 6.0, top + h / 2.0, &label, Font::new(LABEL))?;
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// A line of a series chart: label and (period midpoint, value, consecutive-with-previous).
pub struct SeriesLine {
    pub label: String,
    pub points: Vec<(f64, f64, bool)>,
}

/// Lines over periods, markers at each point, dashed across gaps, labelled at their ends.
pub fn lines(series: &[SeriesLine], unit_label: &dyn Fn(f64) -> String) -> Result<Drawing, DrawError> {
    let mut shortened = Vec::new();
    let all: Vec<(f64, f64)> = series.iter().flat_map(|l| l.points.iter().map(|(x, y, _)| (*x, *y))).collect();
    let start = all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min) - 0.15;
    let end = all.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max) + 0.15;
    let max = all.iter().map(|p| p.1).fold(0.0, f64::max);
    let ticks = nice_ticks(max * 1.05, 4);
    let top_tick = ticks.last().copied().unwrap_or(1.0);
    let (left, right, top, bottom) = (50.0, W - 136.0, 14.0, 262.0);
    let x = Scale::new((start, end), (left, right));
    let y = Scale::new((0.0, top_tick), (bottom, top));
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, WIDTH, 300);
        for tick in &ticks {
            let ty = y.at(*tick);
            canvas.line(&[(left, ty), (right, ty)], Paint::Grid, 1)?;
            canvas.text(left - 6.0, ty, &unit_label(*tick), Font::new(SMALL).paint(Paint::Muted).align(Align::End))?;
        }
        canvas.line(&[(left, bottom), (right, bottom)], Paint::Axis, 1)?;
        for (at, label) in time_ticks(start, end, right - left) {
            let tx = x.at(at);
            canvas.line(&[(tx, bottom), (tx, bottom + 5.0)], Paint::Axis, 1)?;
            canvas.text(
                tx,
                bottom + 8.0,
                &label,
                Font::new(SMALL).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        let mut label_ys: Vec<f64> = Vec::new();
        let mut ends: Vec<(usize, f64)> =
            series.iter().enumerate().filter_map(|(i, l)| l.points.last().map(|p| (i, y.at(p.1)))).collect();
        ends.sort_by(|a, b| a.1.total_cmp(&b.1));
        for (i, line) in series.iter().enumerate() {
            let paint = Paint::Series(i as u8);
            for pair in line.points.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let segment = [(x.at(a.0), y.at(a.1)), (x.at(b.0), y.at(b.1))];
                if b.2 {
                    canvas.line(&segment, paint, 3)?;
                } else {
                    canvas.line(&segment, Paint::Gap, 1)?;
                }
            }
            for point in &line.points {
                canvas.circle(x.at(point.0), y.at(point.1), 3.5, paint, Fill::Solid)?;
            }
        }
        for (i, mut ly) in ends {
            while label_ys.iter().any(|other| (other - ly).abs() < 15.0) {
                ly += 15.0;
            }
            label_ys.push(ly);
            let line = &series[i];
            let Some(last) = line.points.last() else { continue };
            let text = format!("{} {}", line.label, unit_label(last.1));
            let text = fit(&text, LABEL, W - right - 8.0, &mut shortened);
            canvas.text(right + 6.0, ly, &text, Font::new(LABEL).paint(Paint::Series(i as u8)).bold())?;
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// One bar of a group: the line's palette index, its label and its value.
pub type GroupBar = (usize, String, f64);
/// A period's label and its bars.
pub type BarGroup = (String, Vec<GroupBar>);

/// Horizontal bars grouped by period (one bar per line), for yearly series.
pub fn grouped_bars(groups: &[BarGroup], unit_label: &dyn Fn(f64) -> String) -> Result<Drawing, DrawError> {
    let mut shortened = Vec::new();
    let label_width = groups
        .iter()
        .flat_map(|(_, bars)| bars.iter().map(|(_, l, _)| text_width(l, LABEL) + 14.0))
        .fold(70.0, f64::max)
        .min(170.0);
    let max = groups.iter().flat_map(|(_, bars)| bars.iter().map(|b| b.2)).fold(0.0, f64::max);
    let ticks = nice_ticks(max, 4);
    let top_tick = ticks.last().copied().unwrap_or(1.0);
    let x = Scale::new((0.0, top_tick), (label_width, W - 90.0));
    let rows: usize = groups.iter().map(|(_, bars)| bars.len() + 1).sum();
    let row = 22.0;
    let bottom = 8.0 + rows as f64 * row;
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, WIDTH, (bottom + AXIS) as u32);
        for tick in &ticks {
            let tx = x.at(*tick);
            canvas.line(&[(tx, 4.0), (tx, bottom)], Paint::Grid, 1)?;
            canvas.text(
                tx,
                bottom + 6.0,
                &unit_label(*tick),
                Font::new(SMALL).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        let mut cy = 8.0 + row / 2.0;
        for (period, bars) in groups {
            canvas.text(4.0, cy, period, Font::new(LABEL).bold())?;
            cy += row;
            for (index, label, value) in bars {
                let label = fit(label, LABEL, label_width - 14.0, &mut shortened);
                canvas.text(label_width - 8.0, cy, &label, Font::new(LABEL).align(Align::End))?;
                let paint = Paint::Series(*index as u8);
                canvas.rect(x.at(0.0), cy - 7.0, x.at(*value), cy + 7.0, paint, Fill::Solid)?;
                canvas.text(x.at(*value) + 6.0, cy, &unit_label(*value), Font::new(LABEL).bold())?;
                cy += row;
            }
        }
        canvas.line(&[(x.at(0.0), 4.0), (x.at(0.0), bottom)], Paint::Axis, 1)?;
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// Counts per size band, horizontal, one band highlighted with a note beside it.
pub fn distribution(bands: &[(String, usize)], highlight: Option<usize>, note: &str) -> Result<Drawing, DrawError> {
    let label_width = 104.0;
    let max = bands.iter().map(|b| b.1).max().unwrap_or(0) as f64;
    let ticks = nice_ticks(max.max(1.0), 4);
    let top_tick = ticks.last().copied().unwrap_or(1.0);
    let x = Scale::new((0.0, top_tick), (label_width, W - 170.0));
    let row = 24.0;
    let bottom = 8.0 + bands.len() as f64 * row;
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, WIDTH, (bottom + AXIS) as u32);
        for tick in &ticks {
            let tx = x.at(*tick);
            canvas.line(&[(tx, 4.0), (tx, bottom)], Paint::Grid, 1)?;
            canvas.text(
                tx,
                bottom + 6.0,
                &format::decimal(*tick, 1),
                Font::new(SMALL).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        for (i, (label, count)) in bands.iter().enumerate() {
            let cy = 8.0 + i as f64 * row + row / 2.0;
            let chosen = highlight == Some(i);
            let font = Font::new(LABEL).align(Align::End);
            canvas.text(label_width - 8.0, cy, label, if chosen { font.bold() } else { font })?;
            let paint = if chosen { Paint::Highlight } else { Paint::Firm };
            if *count > 0 {
                canvas.rect(
                    x.at(0.0),
                    cy - 7.0,
                    x.at(*count as f64),
                    cy + 7.0,
                    paint,
                    if chosen { Fill::Solid } else { Fill::Faded(0.55) },
                )?;
            }
            let end = x.at(*count as f64) + 6.0;
            canvas.text(end, cy, &count.to_string(), Font::new(LABEL).bold())?;
            if chosen {
                let after = end + text_width(&count.to_string(), LABEL) + 8.0;
                canvas.text(after, cy, note, Font::new(LABEL).paint(Paint::Highlight).bold())?;
            }
        }
        canvas.line(&[(x.at(0.0), 4.0), (x.at(0.0), bottom)], Paint::Axis, 1)?;
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened: Vec::new() })
}
