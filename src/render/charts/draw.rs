//! The chart drawings: each function lays out one kind of chart with plotters primitives and
//! returns plotters' raw SVG plus the labels it had to shorten.
//!
//! Every function lays out for a [`Frame`]: the wide one (560 units, shown when the chart's box
//! is desktop-wide) or the narrow one (340 units, shown on phones), with font sizes chosen so
//! that text renders at 11 px or more wherever each is shown (the page scales an SVG to its box
//! with `viewBox`). One function serves both: sizes and margins come from the frame, and where
//! the narrow canvas has no room for the wide arrangement (a label column beside the bars, labels
//! after the line ends) the function places that text differently. Every function draws only
//! what it is given: the numbers come from `aggregate`.

use super::canvas::{
    Align, Baseline, Canvas, DrawError, Fill, Font, Paint, Scale, integer_ticks, nice_ticks, shorten, text_width,
};
use super::svg::{Shortened, Variant};
use crate::model::{Bucket, Kind};
use crate::render::format;

/// The canvas a chart is laid out on: its width and the font sizes that go with it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub variant: Variant,
    /// Width of the canvas (the SVG's `viewBox`), in units.
    pub width: u32,
    /// Labels and values.
    pub label: f64,
    /// Ticks and notes.
    pub small: f64,
}

impl Frame {
    /// Shown when the chart's box is at least 34rem wide (at least 544 px for 560 units), so
    /// 11.5-unit text renders at 11.2 px or more.
    pub const WIDE: Frame = Frame { variant: Variant::Wide, width: 560, label: 13.0, small: 11.5 };
    /// Shown in narrower boxes: on a 375 px phone the box is about 325 px wide, so 12.5-unit
    /// text renders at about 12 px.
    pub const NARROW: Frame = Frame { variant: Variant::Narrow, width: 340, label: 13.5, small: 12.5 };

    fn w(self) -> f64 {
        f64::from(self.width)
    }

    pub fn narrow(self) -> bool {
        self.variant == Variant::Narrow
    }

    /// A layout constant: its wide or its narrow value.
    fn pick(self, wide: f64, narrow: f64) -> f64 {
        if self.narrow() { narrow } else { wide }
    }
}

/// Raw plotters SVG and the labels drawn shortened.
pub struct Drawing {
    pub svg: String,
    pub shortened: Vec<Shortened>,
}

/// Shortens `text` to `width`, remembering the full text when it had to be cut.
fn fit(text: &str, size: f64, width: f64, shortened: &mut Vec<Shortened>) -> String {
    fit_keeping(text, "", size, width, shortened)
}

/// Like [`fit`] for `text` followed by `kept` (a value, a date), where only `text` may be
/// shortened: `Amazon Web Serv… $38bn`.
fn fit_keeping(text: &str, kept: &str, size: f64, width: f64, shortened: &mut Vec<Shortened>) -> String {
    let join = |a: &str| if kept.is_empty() { a.to_string() } else { format!("{a} {kept}") };
    let room = if kept.is_empty() { width } else { width - text_width(&format!(" {kept}"), size) };
    let full = join(text);
    let short = join(&shorten(text, size, room.max(0.0)));
    if short != full && !shortened.iter().any(|s| s.short == short) {
        shortened.push(Shortened { short: short.clone(), full });
    }
    short
}

/// An axis tick in billions of dollars: `0`, `$250bn`, `$1tn`.
fn money_tick(bn: f64) -> String {
    if bn == 0.0 { "0".to_string() } else { format::usd((bn * 1_000.0).round() as i64) }
}

/// A count tick: `0`, `5`, `10`.
fn count_tick(count: f64) -> String {
    format!("{}", count.round() as i64)
}

/// Bold text renders wider than the estimate; leave room for it.
fn bold_width(text: &str, size: f64) -> f64 {
    text_width(text, size) * 1.12
}

/// Ticks from 0 to at least `max` along an axis `length` units long: as many as 4 intervals, or
/// fewer when their labels (at `size`) would otherwise run into each other.
fn fitting_ticks(
    max: f64,
    length: f64,
    size: f64,
    label: &dyn Fn(f64) -> String,
    ticks_for: fn(f64, usize) -> Vec<f64>,
) -> Vec<f64> {
    let mut ticks = ticks_for(max, 4);
    for count in (1..=4).rev() {
        ticks = ticks_for(max, count);
        let widest = ticks.iter().map(|t| text_width(&label(*t), size)).fold(0.0, f64::max);
        let intervals = ticks.len().saturating_sub(1).max(1) as f64;
        if length / intervals >= widest + 12.0 {
            break;
        }
    }
    ticks
}

/// Splits `text` at spaces into lines that fit `width` at `size`.
fn wrap(text: &str, size: f64, width: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if text_width(&format!("{line} {word}"), size) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// A message in place of a chart when there is nothing to draw.
pub fn empty(message: &str, frame: Frame) -> Result<Drawing, DrawError> {
    let w = frame.w();
    let lines = wrap(message, frame.label, w - 24.0);
    let line_height = frame.label + 5.0;
    let height = 90.0_f64.max(50.0 + lines.len() as f64 * line_height);
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, frame.width, height as u32);
        canvas.rect(1.0, 1.0, w - 1.0, height - 1.0, Paint::Grid, Fill::Outline(1))?;
        let first = height / 2.0 - (lines.len() as f64 - 1.0) * line_height / 2.0;
        for (i, line) in lines.iter().enumerate() {
            let y = first + i as f64 * line_height;
            canvas.text(w / 2.0, y, line, Font::new(frame.label).paint(Paint::Muted).align(Align::Middle))?;
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened: Vec::new() })
}

/// One row of a horizontal bar chart: values in millions of dollars by how they count.
#[derive(Clone, Debug)]
pub struct BarRow {
    pub label: String,
    /// Drawn after the label and never shortened: what tells rows with the same label apart
    /// (`(Mar 2025)`).
    pub detail: Option<String>,
    pub firm: i64,
    pub estimate: i64,
    pub ceiling: i64,
    /// Written instead of a value when the row has none (`undisclosed`).
    pub note: Option<String>,
    /// The value is a floor ("more than"): written `$10bn+`.
    pub floor: bool,
    /// A row that starts a group (`As buyer`), drawn as a heading without a bar.
    pub heading: bool,
    pub highlight: bool,
}

impl BarRow {
    pub fn values(label: &str, firm: i64, estimate: i64, ceiling: i64) -> BarRow {
        BarRow {
            label: label.to_string(),
            detail: None,
            firm,
            estimate,
            ceiling,
            note: None,
            heading: false,
            highlight: false,
            floor: false,
        }
    }

    pub fn heading(label: &str) -> BarRow {
        BarRow { heading: true, ..BarRow::values(label, 0, 0, 0) }
    }

    fn total(&self) -> i64 {
        self.firm + self.estimate + self.ceiling
    }

    /// The label as it reads in full, detail included.
    pub fn full_label(&self) -> String {
        match &self.detail {
            Some(detail) => format!("{} {detail}", self.label),
            None => self.label.clone(),
        }
    }

    /// The value texts drawn beside the bar: committed (firm and estimates), then ceilings.
    fn value_texts(&self) -> Vec<(String, Paint)> {
        let committed = self.firm + self.estimate;
        let mut texts = Vec::new();
        if committed > 0 {
            let plus = if self.floor { "+" } else { "" };
            texts.push((format!("{}{plus}", format::usd(committed)), Paint::Text));
        }
        if self.ceiling > 0 {
            let ceiling = format::usd(self.ceiling);
            texts.push((if committed > 0 { format!("+{ceiling}") } else { ceiling }, Paint::Ceiling));
        }
        texts
    }
}

const ROW: f64 = 30.0;
const BAR: f64 = 16.0;
const AXIS: f64 = 30.0;
/// Narrow bar rows: a label line, then the bar.
const STACKED_ROW: f64 = 42.0;
/// Space before a value written after another one; bold text runs wider than estimated in some
/// fonts, so more than a space.
const VALUE_GAP: f64 = 8.0;

/// Horizontal bars, firm solid, estimates faded, ceilings outlined, with their values.
///
/// Wide: labels in a column left of the bars, values at the bar ends. Narrow: each label on its
/// own line above its bar, values at the right end of that line, so that labels and bars both
/// get the whole width.
pub fn bars(rows: &[BarRow], frame: Frame) -> Result<Drawing, DrawError> {
    let (w, size, small) = (frame.w(), frame.label, frame.small);
    let stacked = frame.narrow();
    // Narrow values are set right to left from the edge: a value wider than estimated (bold
    // digits run wide in some fonts) would run into the one before it, so they get extra room.
    let value_width = |text: &str| bold_width(text, size) * if stacked { 1.25 } else { 1.0 };
    let mut shortened = Vec::new();
    let label_width = if stacked {
        0.0
    } else {
        rows.iter().map(|r| text_width(&r.full_label(), size) + 12.0).fold(70.0, f64::max).min(190.0)
    };
    let plot = if stacked { (8.0, w - 24.0) } else { (label_width, w - 140.0) };
    let max_bn = rows.iter().map(|r| r.total()).max().unwrap_or(0) as f64 / 1_000.0;
    let ticks = fitting_ticks(max_bn, plot.1 - plot.0, small, &money_tick, nice_ticks);
    let top_tick = ticks.last().copied().unwrap_or(1.0);
    let x = Scale::new((0.0, top_tick), plot);
    let row_height = |row: &BarRow| match (stacked, row.heading) {
        (false, _) => ROW,
        (true, true) => ROW,
        (true, false) => STACKED_ROW,
    };
    let bottom = 8.0 + rows.iter().map(row_height).sum::<f64>();
    // Where each row's bar sits: (top, bottom) of the bar band.
    let mut bands = Vec::new();
    let mut top = 8.0;
    for row in rows {
        let bar_center = if stacked { top + 28.0 } else { top + ROW / 2.0 };
        bands.push((bar_center - BAR / 2.0, bar_center + BAR / 2.0));
        top += row_height(row);
    }
    // Grid lines run the whole height beside a label column; between stacked rows they would
    // cross the labels, so there they are drawn behind each bar only.
    let spans: Vec<(f64, f64)> = if stacked {
        rows.iter().zip(&bands).filter(|(r, _)| !r.heading).map(|(_, (y0, y1))| (y0 - 4.0, y1 + 4.0)).collect()
    } else {
        vec![(4.0, bottom)]
    };
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, frame.width, (bottom + AXIS) as u32);
        for tick in &ticks {
            let tx = x.at(*tick);
            for (y0, y1) in &spans {
                canvas.line(&[(tx, *y0), (tx, *y1)], Paint::Grid, 1)?;
            }
            canvas.text(
                tx,
                bottom + 6.0,
                &money_tick(*tick),
                Font::new(small).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        for (y0, y1) in &spans {
            canvas.line(&[(x.at(0.0), *y0), (x.at(0.0), *y1)], Paint::Axis, 1)?;
        }
        let mut top = 8.0;
        for (row, (y0, y1)) in rows.iter().zip(&bands) {
            let height = row_height(row);
            let row_top = top;
            top += height;
            if row.heading {
                let label = fit(&row.label, size, w - 8.0, &mut shortened);
                canvas.text(4.0, row_top + height / 2.0 + 4.0, &label, Font::new(size).bold())?;
                continue;
            }
            let cy = (y0 + y1) / 2.0;
            // The line the label and (narrow) the values are written on.
            let text_y = if stacked { row_top + 10.0 } else { cy };
            let values = row.value_texts();
            let values_width: f64 = values.iter().map(|(t, _)| value_width(t) + VALUE_GAP).sum();
            let detail = row.detail.as_deref().unwrap_or("");
            let font = if row.highlight { Font::new(size).bold() } else { Font::new(size) };
            if stacked {
                let room = w - 4.0 - values_width - 8.0 - plot.0;
                let label = fit_keeping(&row.label, detail, size, room, &mut shortened);
                canvas.text(plot.0, text_y, &label, font)?;
            } else {
                let label = fit_keeping(&row.label, detail, size, label_width - 10.0, &mut shortened);
                canvas.text(label_width - 8.0, text_y, &label, font.align(Align::End))?;
            }
            let bn = |m: i64| m as f64 / 1_000.0;
            let mut at = 0.0;
            if row.firm > 0 {
                let paint = if row.highlight { Paint::Highlight } else { Paint::Firm };
                canvas.rect(x.at(at), *y0, x.at(at + bn(row.firm)), *y1, paint, Fill::Solid)?;
                at += bn(row.firm);
            }
            if row.estimate > 0 {
                canvas.rect(x.at(at), *y0, x.at(at + bn(row.estimate)), *y1, Paint::Estimate, Fill::Faded(0.4))?;
                canvas.rect(x.at(at), *y0, x.at(at + bn(row.estimate)), *y1, Paint::Estimate, Fill::Outline(1))?;
                at += bn(row.estimate);
            }
            if row.ceiling > 0 {
                canvas.rect(x.at(at), *y0, x.at(at + bn(row.ceiling)), *y1, Paint::Ceiling, Fill::Faded(0.12))?;
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
            if stacked {
                // Right to left from the edge, so the last value never runs off the canvas.
                let mut rx = w - 4.0;
                for (text, paint) in values.iter().rev() {
                    canvas.text(rx, text_y, text, Font::new(size).paint(*paint).bold().align(Align::End))?;
                    rx -= value_width(text) + VALUE_GAP;
                }
            } else {
                let mut lx = x.at(at) + 6.0;
                for (text, paint) in &values {
                    canvas.text(lx, text_y, text, Font::new(size).paint(*paint).bold())?;
                    lx += bold_width(text, size) + 6.0;
                }
            }
            if row.total() == 0 {
                let note = row.note.as_deref().unwrap_or("no value");
                canvas.text(x.at(0.0) + 6.0, cy, note, Font::new(small).paint(Paint::Muted))?;
            }
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// A time axis `length` units long: tick positions (fractional years) and labels, years when the
/// span holds three or more (every second or fifth year when they would crowd), else quarters.
fn time_ticks(start: f64, end: f64, length: f64, size: f64) -> Vec<(f64, String)> {
    let span = (end - start).max(1e-9);
    let first_year = start.floor() as i32;
    let last_year = end.ceil() as i32;
    let years: Vec<i32> = (first_year..=last_year).filter(|y| f64::from(*y) >= start && f64::from(*y) <= end).collect();
    if years.len() >= 3 {
        let per_year = length / span;
        let needed = text_width("2025", size) + 16.0;
        let step = [1, 2, 5, 10, 20, 50].into_iter().find(|s| f64::from(*s) * per_year >= needed).unwrap_or(100);
        return years.into_iter().filter(|y| y.rem_euclid(step) == 0).map(|y| (f64::from(y), format!("{y}"))).collect();
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
    // Keep labels apart by their width and some air.
    let per_label = (text_width("Apr 2025", size) + 16.0) / length * span;
    let step = ((per_label / 0.25).ceil() as usize).max(1);
    quarters.into_iter().step_by(step).collect()
}

/// The widest of some tick labels, plus the gap to the axis: the margin they need.
fn tick_margin(labels: impl Iterator<Item = String>, size: f64) -> f64 {
    labels.map(|l| text_width(&l, size)).fold(0.0, f64::max) + 12.0
}

/// A label at the end of a line, in one or more text lines, and the space it needs.
struct EndLabel {
    lines: Vec<(String, Font)>,
}

impl EndLabel {
    /// Wide: `$215bn firm` on one line. Narrow: the value, and under it the name in small type.
    fn new(frame: Frame, name: &str, value: &str, paint: Paint, shortened: &mut Vec<Shortened>) -> EndLabel {
        let strong = Font::new(frame.label).paint(paint).bold();
        if frame.narrow() {
            let name = fit(name, frame.small, END_NAME, shortened);
            EndLabel { lines: vec![(value.to_string(), strong), (name, Font::new(frame.small).paint(paint))] }
        } else {
            EndLabel { lines: vec![(format!("{value} {name}"), strong)] }
        }
    }

    fn width(&self) -> f64 {
        self.lines
            .iter()
            .map(|(t, f)| if f.bold { bold_width(t, f.size) } else { text_width(t, f.size) })
            .fold(0.0, f64::max)
    }

    fn height(&self) -> f64 {
        self.lines.iter().map(|(_, f)| f.size + 3.0).sum()
    }

    /// Draws the label with its first line centred on `y`.
    fn draw(&self, canvas: &Canvas<'_>, x: f64, y: f64) -> Result<(), DrawError> {
        let mut ly = y;
        for (text, font) in &self.lines {
            canvas.text(x, ly, text, *font)?;
            ly += font.size + 3.0;
        }
        Ok(())
    }
}

/// Widest a name under a narrow end label may be before it is shortened.
const END_NAME: f64 = 92.0;
/// Widest a one-line wide end label (`Google Cloud $240bn`) may be.
const WIDE_END_LABEL: f64 = 160.0;

/// Places end labels at the `y` of their line ends, pushing each down clear of those above.
fn stack_labels(wanted: &[(usize, f64)], heights: &[f64]) -> Vec<(usize, f64)> {
    let mut placed: Vec<(usize, f64)> = Vec::new();
    for &(i, y) in wanted {
        let mut ly = y;
        while placed.iter().any(|&(j, other)| {
            let (upper, lower, upper_height) =
                if other <= ly { (other, ly, heights[j]) } else { (ly, other, heights[i]) };
            lower - upper < upper_height
        }) {
            ly += 1.0;
        }
        placed.push((i, ly));
    }
    placed
}

/// One running total to draw as a step line.
pub struct StepLine {
    pub label: String,
    pub paint: Paint,
    pub width: u32,
    /// (fractional year, value in millions)
    pub points: Vec<(f64, i64)>,
    /// The last value is a lower bound (it holds a "more than" figure): its label ends in `+`.
    pub floor: bool,
}

/// Step lines over time (cumulative commitments), each labelled at its end.
pub fn steps(lines: &[StepLine], frame: Frame) -> Result<Drawing, DrawError> {
    let (w, small) = (frame.w(), frame.small);
    let mut shortened = Vec::new();
    let all: Vec<(f64, i64)> = lines.iter().flat_map(|l| l.points.iter().copied()).collect();
    let start = all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min) - 0.05;
    let end = all.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max) + 0.05;
    let max_bn = all.iter().map(|p| p.1).max().unwrap_or(0) as f64 / 1_000.0;
    let ticks = nice_ticks(max_bn, 4);
    let top = ticks.last().copied().unwrap_or(1.0);
    let last_value = |line: &StepLine| line.points.last().map_or(0.0, |p| p.1 as f64 / 1_000.0);
    let labels: Vec<EndLabel> = lines
        .iter()
        .map(|l| {
            let value = format::usd_plus((last_value(l) * 1_000.0).round() as i64, l.floor);
            EndLabel::new(frame, &l.label, &value, l.paint, &mut shortened)
        })
        .collect();
    let label_room = labels.iter().map(EndLabel::width).fold(0.0, f64::max) + 12.0;
    let left = tick_margin(ticks.iter().map(|t| money_tick(*t)), small).max(frame.pick(62.0, 0.0));
    let right = w - label_room;
    let (top_px, bottom) = (14.0, 262.0);
    let x = Scale::new((start, end), (left, right));
    let y = Scale::new((0.0, top), (bottom, top_px));
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, frame.width, 300);
        for tick in &ticks {
            let ty = y.at(*tick);
            canvas.line(&[(left, ty), (right, ty)], Paint::Grid, 1)?;
            canvas.text(left - 6.0, ty, &money_tick(*tick), Font::new(small).paint(Paint::Muted).align(Align::End))?;
        }
        canvas.line(&[(left, bottom), (right, bottom)], Paint::Axis, 1)?;
        for (at, label) in time_ticks(start, end, right - left, small) {
            let tx = x.at(at);
            canvas.line(&[(tx, bottom), (tx, bottom + 5.0)], Paint::Axis, 1)?;
            canvas.text(
                tx,
                bottom + 8.0,
                &label,
                Font::new(small).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        let mut wanted = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let Some(first) = line.points.first() else { continue };
            let mut points = vec![(x.at(first.0), y.at(0.0))];
            let mut last = 0.0;
            for (at, value) in &line.points {
                let value = *value as f64 / 1_000.0;
                points.push((x.at(*at), y.at(last)));
                points.push((x.at(*at), y.at(value)));
                last = value;
            }
            points.push((right, y.at(last)));
            canvas.line(&points, line.paint, line.width)?;
            wanted.push((i, y.at(last)));
        }
        let heights: Vec<f64> = labels.iter().map(EndLabel::height).collect();
        for (i, ly) in stack_labels(&wanted, &heights) {
            labels[i].draw(&canvas, right + 6.0, ly)?;
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// A marker on the deal timeline.
pub struct Marker {
    pub at: f64,
    /// Millions of dollars; `None` puts the marker in the "undisclosed" band.
    pub value: Option<i64>,
    pub kind: Kind,
    pub bucket: Option<Bucket>,
    pub capacity_gw: Option<f64>,
    /// Written beside the marker: who (`OpenAI→Oracle`, shortened if need be) and the value.
    pub label: Option<(String, String)>,
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

/// The "undisclosed" band of the timeline is at least this tall, and grows up to the second
/// height when its markers need room to keep clear of each other.
const BAND_MIN: f64 = 36.0;
const BAND_MAX: f64 = 90.0;

/// Deal sizes over time on a log scale, with undisclosed deals in a band below.
pub fn timeline(markers: &[Marker], frame: Frame) -> Result<Drawing, DrawError> {
    let (w, small) = (frame.w(), frame.small);
    let mut shortened = Vec::new();
    let start = markers.iter().map(|m| m.at).fold(f64::INFINITY, f64::min) - 0.08;
    let end = markers.iter().map(|m| m.at).fold(f64::NEG_INFINITY, f64::max) + 0.08;
    let values: Vec<f64> = markers.iter().filter_map(|m| m.value).map(|v| v as f64 / 1_000.0).collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min).max(0.01);
    let high = values.iter().copied().fold(0.0, f64::max).max(low * 10.0);
    let low_exp = low.log10().floor();
    let high_exp = high.log10().ceil();
    let power_label = |exp: f64| format::usd((10f64.powf(exp) * 1_000.0).round() as i64);
    let exps: Vec<f64> = (0..=((high_exp - low_exp).round() as i32)).map(|i| low_exp + f64::from(i)).collect();
    let left = tick_margin(exps.iter().map(|e| power_label(*e)), small).max(frame.pick(58.0, 0.0));
    let (right, top, bottom) = (w - frame.pick(16.0, 10.0), 14.0, 262.0);
    let x = Scale::new((start, end), (left, right));
    let y = Scale::new((low_exp, high_exp), (bottom, top));
    let radius = |marker: &Marker| 4.5 + marker.capacity_gw.map_or(0.0, |gw| (gw.sqrt() * 2.2).min(8.0));
    let spots: Vec<Option<(f64, f64)>> =
        markers.iter().map(|m| m.value.is_none().then(|| (x.at(m.at), radius(m)))).collect();
    let layout = undisclosed_band(&spots);
    let band_height = layout.height;
    let band = (bottom + 14.0, bottom + 14.0 + band_height);
    let band_y = (band.0 + band.1) / 2.0 + layout.shift;
    let band_offset = layout.offsets;
    let height = 340 + (band_height - BAND_MIN) as u32;
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, frame.width, height);
        for exp in &exps {
            let ty = y.at(*exp);
            canvas.line(&[(left, ty), (right, ty)], Paint::Grid, 1)?;
            canvas.text(left - 6.0, ty, &power_label(*exp), Font::new(small).paint(Paint::Muted).align(Align::End))?;
        }
        canvas.rect(left, band.0, right, band.1, Paint::Grid, Fill::Faded(0.35))?;
        canvas.text(
            left + 4.0,
            band.0 - 3.0,
            "Value undisclosed",
            Font::new(small).paint(Paint::Muted).baseline(Baseline::Bottom),
        )?;
        let axis_y = band.1 + 4.0;
        for (at, label) in time_ticks(start, end, right - left, small) {
            let tx = x.at(at);
            canvas.line(&[(tx, top), (tx, band.1)], Paint::Grid, 1)?;
            canvas.text(
                tx,
                axis_y + 4.0,
                &label,
                Font::new(small).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        let half_line = (small * 0.6).max(7.0);
        let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
        let marker_ys: Vec<f64> = band_offset.iter().map(|dy| band_y + dy).collect();
        for (marker, undisclosed_y) in markers.iter().zip(marker_ys) {
            let r = radius(marker);
            let mx = x.at(marker.at);
            let my = match marker.value {
                Some(v) => y.at((v as f64 / 1_000.0).max(0.001).log10()),
                None => undisclosed_y,
            };
            let (paint, fill) = marker_style(marker.kind, marker.bucket);
            draw_marker(&canvas, marker.kind, mx, my, r, paint, fill)?;
            if let Some((who, value)) = &marker.label {
                let text = fit_keeping(who, value, small, frame.pick(170.0, 180.0), &mut shortened);
                let width = text_width(&text, small) * 1.05;
                // Try right, left, then above and below (further out if need be), keeping clear
                // of labels already placed and on the canvas.
                let mut candidates = vec![
                    (Align::Start, mx + r + 4.0, my),
                    (Align::End, mx - r - 4.0, my),
                    (Align::Start, mx + r + 2.0, my - r - 9.0),
                    (Align::Start, mx + r + 2.0, my + r + 9.0),
                    (Align::End, mx - r - 2.0, my - r - 9.0),
                    (Align::End, mx - r - 2.0, my + r + 9.0),
                ];
                for dy in [r + 10.0, r + 10.0 + 2.0 * half_line, r + 10.0 + 4.0 * half_line] {
                    for y in [my - dy, my + dy] {
                        candidates.extend([(Align::Middle, mx, y), (Align::End, mx, y), (Align::Start, mx, y)]);
                    }
                }
                let boxed = |align: Align, x: f64, y: f64| match align {
                    Align::End => (x - width, y - half_line, x, y + half_line),
                    Align::Middle => (x - width / 2.0, y - half_line, x + width / 2.0, y + half_line),
                    Align::Start => (x, y - half_line, x + width, y + half_line),
                };
                let on_canvas = |b: (f64, f64, f64, f64)| b.0 >= 2.0 && b.2 <= w - 2.0 && b.1 >= 2.0;
                let clear =
                    |b: (f64, f64, f64, f64)| !placed.iter().any(|p| b.0 < p.2 && p.0 < b.2 && b.1 < p.3 && p.1 < b.3);
                // Failing a clear spot, one on the canvas; failing that, against its right edge.
                let (align, lx, ly) = candidates
                    .iter()
                    .copied()
                    .find(|(a, x, y)| on_canvas(boxed(*a, *x, *y)) && clear(boxed(*a, *x, *y)))
                    .or_else(|| candidates.iter().copied().find(|(a, x, y)| on_canvas(boxed(*a, *x, *y))))
                    .unwrap_or((Align::End, w - 2.0, my));
                placed.push(boxed(align, lx, ly));
                canvas.text(lx, ly, &text, Font::new(small).align(align))?;
            }
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// How the timeline's "undisclosed" band holds its markers.
struct BandLayout {
    /// Per marker, its height relative to the markers' middle line (0 for markers with a value).
    offsets: Vec<f64>,
    /// The band's height, from `BAND_MIN` to `BAND_MAX`.
    height: f64,
    /// Where the markers' middle line sits below the band's, so that the set is centred in it.
    shift: f64,
}

/// Lays out the markers without a value (`Some((x, radius))`; `None` for the others): the largest
/// find their place first, then the smaller ones fit around them. The band grows until they all
/// keep clear of each other, up to `BAND_MAX`, past which they may touch.
fn undisclosed_band(spots: &[Option<(f64, f64)>]) -> BandLayout {
    let mut order: Vec<(usize, f64, f64)> =
        spots.iter().enumerate().filter_map(|(i, spot)| spot.map(|(x, r)| (i, x, r))).collect();
    order.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    let mut placed: Vec<(f64, f64, f64)> = Vec::new();
    let mut offsets = vec![0.0; spots.len()];
    for (i, x, r) in order {
        offsets[i] = band_lane(&placed, x, r, 0.0, BAND_MAX / 2.0);
        placed.push((x, offsets[i], r));
    }
    let reach_up = placed.iter().map(|&(_, dy, r)| r - dy).fold(0.0, f64::max);
    let reach_down = placed.iter().map(|&(_, dy, r)| r + dy).fold(0.0, f64::max);
    let height = (reach_up + reach_down + 6.0).clamp(BAND_MIN, BAND_MAX).round();
    BandLayout { offsets, height, shift: (reach_up - reach_down) / 2.0 }
}

/// Where in the "undisclosed" band (middle line `middle`, half-height `half`) a marker of radius
/// `r` at `x` goes: on the middle line unless it would cover a marker already there, else the
/// nearest height that keeps clear while staying in the band (or, failing that, the one that
/// keeps furthest from the others). Deals close in time stay apart.
fn band_lane(placed: &[(f64, f64, f64)], x: f64, r: f64, middle: f64, half: f64) -> f64 {
    let gap = |y: f64| placed.iter().map(|&(px, py, pr)| (px - x).hypot(py - y) - pr - r).fold(f64::INFINITY, f64::min);
    let reach = (half - r - 1.0).max(0.0);
    let mut heights = vec![middle];
    let mut step = 3.0;
    while step <= reach {
        heights.extend([middle - step, middle + step]);
        step += 3.0;
    }
    heights
        .iter()
        .copied()
        .find(|&y| gap(y) >= 1.0)
        .unwrap_or_else(|| heights.iter().copied().fold(middle, |best, y| if gap(y) > gap(best) { y } else { best }))
}

/// A node of the flows chart: its name and how much passes through it (millions of dollars).
pub struct FlowNode {
    pub label: String,
    /// The figure shown after the label (`$300bn + $20bn ceiling`).
    pub figure: String,
    /// What the node's height stands for.
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
///
/// Wide: node labels (`OpenAI $620bn`) outside the two columns of nodes. Narrow: the nodes sit
/// at the edges and the labels inside, over the start and end of the bands, with a halo.
pub fn flows(payers: &[FlowNode], payees: &[FlowNode], bands: &[FlowBand], frame: Frame) -> Result<Drawing, DrawError> {
    let (w, size) = (frame.w(), frame.label);
    let inside = frame.narrow();
    let mut shortened = Vec::new();
    // Inside labels have no room to spread out sideways: nodes stand far enough apart that the
    // labels of thin ones do not overlap.
    let gap = frame.pick(10.0, size + 4.0);
    let available = frame.pick(380.0, 440.0);
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
    let (lx0, lx1, rx0, rx1) = if inside { (2.0, 10.0, w - 10.0, w - 2.0) } else { (164.0, 172.0, 372.0, 380.0) };
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, frame.width, height.ceil() as u32);
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
        let paint = if inside { Paint::Overlay } else { Paint::Text };
        let middle = |node: &FlowNode, top: f64| top + height_of(node) / 2.0;
        // Wide: each column's labels have the margin beside it. Narrow: the payers' labels
        // take at most half the width between the columns; a payee's label may reach as far
        // left as the payers' labels at its height leave free, so `Stargate up to $500bn` is not
        // cut to `Starg…` where nothing stands beside it.
        let half = (rx0 - lx1) / 2.0 - 12.0;
        let (left_x, left_align, left_room) =
            if inside { (lx1 + 5.0, Align::Start, half) } else { (lx0 - 6.0, Align::End, lx0 - 10.0) };
        let mut left_ends = Vec::with_capacity(payers.len());
        for (node, &top) in payers.iter().zip(&left_tops) {
            canvas.rect(lx0, top, lx1, top + height_of(node), Paint::Axis, Fill::Solid)?;
            let label = fit_keeping(&node.label, &node.figure, size, left_room, &mut shortened);
            left_ends.push((middle(node, top), left_x + text_width(&label, size)));
            canvas.text(left_x, middle(node, top), &label, Font::new(size).paint(paint).align(left_align))?;
        }
        for (node, &top) in payees.iter().zip(&right_tops) {
            canvas.rect(rx0, top, rx1, top + height_of(node), Paint::Axis, Fill::Solid)?;
            let y = middle(node, top);
            let (x, align, room) = if inside {
                let blocked = left_ends
                    .iter()
                    .filter(|(left_y, _)| (left_y - y).abs() < size + 2.0)
                    .map(|&(_, end)| end)
                    .fold(lx1, f64::max);
                (rx0 - 5.0, Align::End, (rx0 - 5.0 - blocked - 8.0).max(half))
            } else {
                (rx1 + 6.0, Align::Start, w - rx1 - 10.0)
            };
            let label = fit_keeping(&node.label, &node.figure, size, room, &mut shortened);
            canvas.text(x, y, &label, Font::new(size).paint(paint).align(align))?;
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
pub fn lines(series: &[SeriesLine], unit_label: &dyn Fn(f64) -> String, frame: Frame) -> Result<Drawing, DrawError> {
    let (w, small) = (frame.w(), frame.small);
    let mut shortened = Vec::new();
    let all: Vec<(f64, f64)> = series.iter().flat_map(|l| l.points.iter().map(|(x, y, _)| (*x, *y))).collect();
    let start = all.iter().map(|p| p.0).fold(f64::INFINITY, f64::min) - 0.15;
    let end = all.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max) + 0.15;
    let max = all.iter().map(|p| p.1).fold(0.0, f64::max);
    let ticks = nice_ticks(max * 1.05, 4);
    let top_tick = ticks.last().copied().unwrap_or(1.0);
    let left = tick_margin(ticks.iter().map(|t| unit_label(*t)), small).max(frame.pick(50.0, 0.0));
    let labels: Vec<Option<EndLabel>> = series
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let last = line.points.last()?;
            let paint = Paint::Series(i as u8);
            if frame.narrow() {
                Some(EndLabel::new(frame, &line.label, &unit_label(last.1), paint, &mut shortened))
            } else {
                // Wide: the name, shortened if need be, then the value, on one bold line.
                let room = WIDE_END_LABEL / 1.12;
                let text = fit_keeping(&line.label, &unit_label(last.1), frame.label, room, &mut shortened);
                Some(EndLabel { lines: vec![(text, Font::new(frame.label).paint(paint).bold())] })
            }
        })
        .collect();
    let label_room = labels.iter().flatten().map(EndLabel::width).fold(0.0, f64::max) + 12.0;
    let right = w - label_room;
    let (top, bottom) = (14.0, 262.0);
    let x = Scale::new((start, end), (left, right));
    let y = Scale::new((0.0, top_tick), (bottom, top));
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, frame.width, 300);
        for tick in &ticks {
            let ty = y.at(*tick);
            canvas.line(&[(left, ty), (right, ty)], Paint::Grid, 1)?;
            canvas.text(left - 6.0, ty, &unit_label(*tick), Font::new(small).paint(Paint::Muted).align(Align::End))?;
        }
        canvas.line(&[(left, bottom), (right, bottom)], Paint::Axis, 1)?;
        for (at, label) in time_ticks(start, end, right - left, small) {
            let tx = x.at(at);
            canvas.line(&[(tx, bottom), (tx, bottom + 5.0)], Paint::Axis, 1)?;
            canvas.text(
                tx,
                bottom + 8.0,
                &label,
                Font::new(small).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
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
        // Labels from the top down, each pushed clear of those above it.
        let mut wanted: Vec<(usize, f64)> =
            series.iter().enumerate().filter_map(|(i, l)| l.points.last().map(|p| (i, y.at(p.1)))).collect();
        wanted.sort_by(|a, b| a.1.total_cmp(&b.1));
        let heights: Vec<f64> = labels.iter().map(|l| l.as_ref().map_or(0.0, EndLabel::height)).collect();
        for (i, ly) in stack_labels(&wanted, &heights) {
            if let Some(label) = &labels[i] {
                label.draw(&canvas, right + 6.0, ly)?;
            }
        }
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// One bar of a group: the line's palette index, its label and its value.
pub type GroupBar = (usize, String, f64);
/// A period's label and its bars.
pub type BarGroup = (String, Vec<GroupBar>);

/// Horizontal bars grouped by period (one bar per line), for yearly series. A series of one
/// line has nothing to tell apart within a period: its bars are labelled by period instead.
pub fn grouped_bars(
    groups: &[BarGroup],
    unit_label: &dyn Fn(f64) -> String,
    frame: Frame,
) -> Result<Drawing, DrawError> {
    let (w, size, small) = (frame.w(), frame.label, frame.small);
    let mut shortened = Vec::new();
    let single = groups.iter().all(|(_, bars)| bars.len() <= 1 && bars.iter().all(|b| b.0 == 0));
    // Rows of (label, bar): a period heading (no bar), then its bars; or one row per period.
    let mut rows: Vec<(String, Option<&GroupBar>)> = Vec::new();
    for (period, bars) in groups {
        if single {
            rows.push((period.clone(), bars.first()));
        } else {
            rows.push((period.clone(), None));
            rows.extend(bars.iter().map(|bar| (bar.1.clone(), Some(bar))));
        }
    }
    let label_width = rows
        .iter()
        .filter(|(_, bar)| bar.is_some())
        .map(|(label, _)| text_width(label, size) + 14.0)
        .fold(frame.pick(70.0, 48.0), f64::max)
        .min(frame.pick(170.0, 120.0));
    let max = groups.iter().flat_map(|(_, bars)| bars.iter().map(|b| b.2)).fold(0.0, f64::max);
    let value_room = rows
        .iter()
        .filter_map(|(_, bar)| bar.map(|b| bold_width(&unit_label(b.2), size) + 14.0))
        .fold(frame.pick(90.0, 0.0), f64::max);
    let plot = (label_width, w - value_room);
    let ticks = fitting_ticks(max, plot.1 - plot.0, small, unit_label, nice_ticks);
    let top_tick = ticks.last().copied().unwrap_or(1.0);
    let x = Scale::new((0.0, top_tick), plot);
    let row = 22.0;
    let bottom = 8.0 + rows.len() as f64 * row;
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, frame.width, (bottom + AXIS) as u32);
        for tick in &ticks {
            let tx = x.at(*tick);
            canvas.line(&[(tx, 4.0), (tx, bottom)], Paint::Grid, 1)?;
            canvas.text(
                tx,
                bottom + 6.0,
                &unit_label(*tick),
                Font::new(small).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        let mut cy = 8.0 + row / 2.0;
        for (label, bar) in &rows {
            match bar {
                None => canvas.text(4.0, cy, label, Font::new(size).bold())?,
                Some((index, _, value)) => {
                    let label = fit(label, size, label_width - 14.0, &mut shortened);
                    let font = Font::new(size).align(Align::End);
                    canvas.text(label_width - 8.0, cy, &label, if single { font.bold() } else { font })?;
                    let paint = Paint::Series(*index as u8);
                    canvas.rect(x.at(0.0), cy - 7.0, x.at(*value), cy + 7.0, paint, Fill::Solid)?;
                    canvas.text(x.at(*value) + 6.0, cy, &unit_label(*value), Font::new(size).bold())?;
                }
            }
            cy += row;
        }
        canvas.line(&[(x.at(0.0), 4.0), (x.at(0.0), bottom)], Paint::Axis, 1)?;
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened })
}

/// Counts per size band, horizontal, one band (if any) highlighted with `note` beside it.
pub fn distribution(
    bands: &[(String, usize)],
    highlight: Option<usize>,
    note: &str,
    frame: Frame,
) -> Result<Drawing, DrawError> {
    let (w, size, small) = (frame.w(), frame.label, frame.small);
    let label_width = bands.iter().map(|b| bold_width(&b.0, size) + 12.0).fold(frame.pick(104.0, 0.0), f64::max);
    let max = bands.iter().map(|b| b.1).max().unwrap_or(0);
    // After each bar comes its count and, when highlighted, the note. The axis is the same
    // whichever band is highlighted (all the drawings of a build share it), so it is as long as
    // lets every band carry the note: first with room for the longest bar's, then stretched as
    // far as the bar that would run out of room first allows.
    let after = |count: usize| bold_width(&count.to_string(), size) + bold_width(note, size) + 24.0;
    let room = w - label_width;
    let ticks = fitting_ticks((max as f64).max(1.0), room - after(max), small, &count_tick, integer_ticks);
    let top_tick = ticks.last().copied().unwrap_or(1.0);
    let length = bands
        .iter()
        .filter(|b| b.1 > 0)
        .map(|b| (room - after(b.1)) * top_tick / b.1 as f64)
        .fold(room - 8.0, f64::min);
    let x = Scale::new((0.0, top_tick), (label_width, label_width + length));
    let row = 24.0;
    let bottom = 8.0 + bands.len() as f64 * row;
    let mut svg = String::new();
    {
        let canvas = Canvas::new(&mut svg, frame.width, (bottom + AXIS) as u32);
        for tick in &ticks {
            let tx = x.at(*tick);
            canvas.line(&[(tx, 4.0), (tx, bottom)], Paint::Grid, 1)?;
            canvas.text(
                tx,
                bottom + 6.0,
                &count_tick(*tick),
                Font::new(small).paint(Paint::Muted).align(Align::Middle).baseline(Baseline::Top),
            )?;
        }
        for (i, (label, count)) in bands.iter().enumerate() {
            let cy = 8.0 + i as f64 * row + row / 2.0;
            let chosen = highlight == Some(i);
            let font = Font::new(size).align(Align::End);
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
            canvas.text(end, cy, &count.to_string(), Font::new(size).bold())?;
            if chosen {
                let after = end + bold_width(&count.to_string(), size) + 8.0;
                canvas.text(after, cy, note, Font::new(size).paint(Paint::Highlight).bold())?;
            }
        }
        canvas.line(&[(x.at(0.0), 4.0), (x.at(0.0), bottom)], Paint::Axis, 1)?;
        canvas.finish()?;
    }
    Ok(Drawing { svg, shortened: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::{
        BAND_MAX, BAND_MIN, FlowBand, FlowNode, Frame, Kind, Marker, Paint, band_lane, flows, timeline,
        undisclosed_band,
    };

    fn node(label: &str, figure: &str, total: i64) -> FlowNode {
        FlowNode { label: label.to_string(), figure: figure.to_string(), total }
    }

    fn band(from: usize, to: usize, value: i64) -> FlowBand {
        FlowBand { from, to, value, paint: Paint::Firm, ceiling: false }
    }

    #[test]
    fn a_payees_label_on_a_phone_reaches_left_as_far_as_the_payers_labels_leave_free() {
        let payees =
            [node("Stargate Infrastructure", "up to $50bn", 50), node("Oracle Cloud Infrastructure", "$50bn", 50)];
        // One payer, its label level with neither payee's: both payee labels are drawn whole,
        // though each is wider than half the room between the columns.
        let one_payer = [node("OpenAI", "$100bn", 100)];
        let drawn = flows(&one_payer, &payees, &[band(0, 0, 50), band(0, 1, 50)], Frame::NARROW).expect("draws");
        assert!(drawn.shortened.is_empty(), "{:?}", drawn.shortened.iter().map(|s| &s.short).collect::<Vec<_>>());
        assert!(drawn.svg.contains("Stargate Infrastructure up to $50bn"), "{}", drawn.svg);
        assert!(drawn.svg.contains("Oracle Cloud Infrastructure $50bn"), "{}", drawn.svg);
        // Two payers level with the two payees: each payee label gives way to the payer label
        // beside it, and only the name is cut, never the figure.
        let two_payers = [node("Microsoft", "$50bn", 50), node("Alphabet", "$50bn", 50)];
        let drawn = flows(&two_payers, &payees, &[band(0, 0, 50), band(1, 1, 50)], Frame::NARROW).expect("draws");
        let cut: Vec<(&str, &str)> = drawn.shortened.iter().map(|s| (s.full.as_str(), s.short.as_str())).collect();
        assert_eq!(cut.len(), 2, "{cut:?}");
        assert_eq!(cut[0].0, "Stargate Infrastructure up to $50bn");
        assert!(cut[0].1.ends_with("… up to $50bn"), "{cut:?}");
        assert_eq!(cut[1].0, "Oracle Cloud Infrastructure $50bn");
        // On a wide canvas the labels sit in the margins, and a name of this length fits.
        let wide = [node("Fluidstack", "up to $50bn", 50), node("Oracle", "$50bn", 50)];
        let drawn = flows(&two_payers, &wide, &[band(0, 0, 50), band(1, 1, 50)], Frame::WIDE).expect("draws");
        assert!(drawn.svg.contains("Fluidstack up to $50bn"), "{}", drawn.svg);
    }

    #[test]
    fn undisclosed_markers_close_in_time_share_the_band_without_covering_each_other() {
        let (middle, half) = (100.0, 18.0);
        // Alone, a marker sits on the middle line.
        assert_eq!(band_lane(&[], 50.0, 4.5, middle, half), middle);
        // Far from the others, too.
        assert_eq!(band_lane(&[(10.0, middle, 4.5)], 50.0, 4.5, middle, half), middle);
        // Three markers on the same date: each clear of the others, all inside the band.
        let mut placed = Vec::new();
        for _ in 0..3 {
            let y = band_lane(&placed, 50.0, 4.5, middle, half);
            assert!((y - middle).abs() + 4.5 <= half, "{y} leaves the band");
            assert!(placed.iter().all(|&(_, py, _): &(f64, f64, f64)| (py - y).abs() >= 10.0), "{y} covers {placed:?}");
            placed.push((50.0, y, 4.5));
        }
        // With no clear height left, the marker goes where it covers the others least: at 94 (or
        // 106, found later) it overlaps its neighbours by 5 px, anywhere else by more.
        let crowded = [(50.0, 90.0, 4.5), (50.0, 100.0, 4.5), (50.0, 110.0, 4.5)];
        assert_eq!(band_lane(&crowded, 50.0, 4.5, middle, half), 94.0);
    }

    #[test]
    fn the_undisclosed_band_grows_until_markers_on_the_same_day_keep_clear() {
        // A few small markers fit the band as it is.
        let few = [Some((50.0, 4.5)), None, Some((200.0, 4.5))];
        let layout = undisclosed_band(&few);
        assert_eq!((layout.height, layout.offsets.as_slice()), (BAND_MIN, [0.0, 0.0, 0.0].as_slice()));
        // Five large markers (two chip deals among them) on one day: the band grows to hold them
        // all, each clear of the others and inside the band.
        let same_day = [Some((120.0, 12.5)), Some((120.0, 12.5)), Some((121.0, 9.0)), None, Some((120.0, 4.5))];
        let layout = undisclosed_band(&same_day);
        assert!(layout.height > BAND_MIN && layout.height <= BAND_MAX, "{}", layout.height);
        let circles: Vec<(f64, f64)> = same_day
            .iter()
            .zip(&layout.offsets)
            .filter_map(|(spot, dy)| spot.map(|(_, r)| (dy + layout.shift, r)))
            .collect();
        for (i, &(y, r)) in circles.iter().enumerate() {
            assert!(y.abs() + r <= layout.height / 2.0, "marker {i} at {y} (radius {r}) leaves the band");
            for &(other_y, other_r) in &circles[..i] {
                assert!((y - other_y).abs() >= r + other_r, "marker {i} at {y} covers the one at {other_y}");
            }
        }
        // A timeline drawn with them is taller by what the band grew.
        let marker = |value: Option<i64>, kind: Kind| Marker {
            at: 2025.8,
            value,
            kind,
            bucket: None,
            capacity_gw: Some(20.0),
            label: None,
        };
        let markers = [
            marker(None, Kind::Chips),
            marker(None, Kind::Chips),
            marker(None, Kind::Cloud),
            marker(Some(9_000), Kind::Cloud),
        ];
        let drawn = timeline(&markers, Frame::NARROW).expect("draws");
        let view_box = drawn.svg.split("viewBox=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("viewBox");
        let height: f64 = view_box.rsplit(' ').next().and_then(|h| h.parse().ok()).expect("height");
        assert!(height > 340.0, "{view_box}");
    }
}
