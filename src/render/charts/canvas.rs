//! A thin drawing layer over plotters' SVG backend, in pixel coordinates, with semantic paints.
//!
//! Charts never name a colour. They draw with a [`Paint`] (text, axis, firm, ceiling, series
//! 3...), which plotters writes as a unique sentinel colour; `svg::finish` then turns each
//! sentinel into a CSS class with a fallback colour, so charts follow the page's light or dark
//! theme and ceilings get their dashes from the stylesheet. plotters is built without font
//! support (no system libraries), so text widths are estimated here by [`text_width`].

use plotters::backend::SVGBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, PathElement, Polygon, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontStyle, IntoFont, RGBColor, ShapeStyle};

/// What a mark means; `svg::finish` maps it to a class and a fallback colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Paint {
    Text,
    Muted,
    Axis,
    Grid,
    Firm,
    Estimate,
    Ceiling,
    Capital,
    Highlight,
    Gap,
    /// Text drawn over marks (flow labels on phones): the text colour with a halo of the
    /// chart's background, from the stylesheet.
    Overlay,
    /// The n-th colour of the categorical palette (0..7).
    Series(u8),
}

impl Paint {
    pub const ALL: [Paint; 18] = [
        Paint::Text,
        Paint::Muted,
        Paint::Axis,
        Paint::Grid,
        Paint::Firm,
        Paint::Estimate,
        Paint::Ceiling,
        Paint::Capital,
        Paint::Highlight,
        Paint::Gap,
        Paint::Overlay,
        Paint::Series(0),
        Paint::Series(1),
        Paint::Series(2),
        Paint::Series(3),
        Paint::Series(4),
        Paint::Series(5),
        Paint::Series(6),
    ];

    fn index(self) -> u8 {
        match self {
            Paint::Text => 1,
            Paint::Muted => 2,
            Paint::Axis => 3,
            Paint::Grid => 4,
            Paint::Firm => 5,
            Paint::Estimate => 6,
            Paint::Ceiling => 7,
            Paint::Capital => 8,
            Paint::Highlight => 9,
            Paint::Gap => 10,
            Paint::Overlay => 11,
            Paint::Series(n) => 20 + n.min(6),
        }
    }

    /// The colour plotters writes; unique per paint and never a colour a chart would use.
    pub fn sentinel(self) -> RGBColor {
        RGBColor(0x01, self.index(), 0xFE)
    }

    /// The sentinel as plotters formats it in SVG attributes.
    pub fn sentinel_hex(self) -> String {
        format!("#01{:02X}FE", self.index())
    }

    /// CSS class and fallback colour (Okabe–Ito based, readable on light backgrounds).
    pub fn class_and_fallback(self) -> (&'static str, &'static str) {
        match self {
            Paint::Text => ("", "currentColor"),
            Paint::Muted => ("c-muted", "#575b66"),
            Paint::Axis => ("c-axis", "#575b66"),
            Paint::Grid => ("c-grid", "#dcd8cf"),
            Paint::Firm => ("c-firm", "#0a58a8"),
            Paint::Estimate => ("c-estimate", "#8a5a00"),
            Paint::Ceiling => ("c-ceiling", "#6b4fa0"),
            Paint::Capital => ("c-capital", "#007a5a"),
            Paint::Highlight => ("c-highlight", "#c2410c"),
            Paint::Gap => ("c-gap", "#575b66"),
            Paint::Overlay => ("c-overlay", "currentColor"),
            Paint::Series(0) => ("c-s0", "#0072b2"),
            Paint::Series(1) => ("c-s1", "#d55e00"),
            Paint::Series(2) => ("c-s2", "#009e73"),
            Paint::Series(3) => ("c-s3", "#cc79a7"),
            Paint::Series(4) => ("c-s4", "#e69f00"),
            Paint::Series(5) => ("c-s5", "#56b4e9"),
            Paint::Series(_) => ("c-s6", "#7a6f00"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Start,
    Middle,
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Baseline {
    Top,
    Middle,
    Bottom,
}

/// How a piece of text is set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Font {
    pub size: f64,
    pub paint: Paint,
    pub align: Align,
    pub baseline: Baseline,
    pub bold: bool,
}

impl Font {
    /// Text of `size` pixels, left-aligned, centred vertically on the point.
    pub fn new(size: f64) -> Font {
        Font { size, paint: Paint::Text, align: Align::Start, baseline: Baseline::Middle, bold: false }
    }

    pub fn paint(self, paint: Paint) -> Font {
        Font { paint, ..self }
    }

    pub fn align(self, align: Align) -> Font {
        Font { align, ..self }
    }

    pub fn baseline(self, baseline: Baseline) -> Font {
        Font { baseline, ..self }
    }

    pub fn bold(self) -> Font {
        Font { bold: true, ..self }
    }
}

/// How a rectangle or shape is painted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fill {
    Solid,
    /// Filled at the given opacity.
    Faded(f64),
    /// Outline of the given width.
    Outline(u32),
}

/// Drawing failed inside plotters; with a string target this does not happen in practice.
#[derive(Debug)]
pub struct DrawError(pub String);

type Drawn = Result<(), DrawError>;

fn failed<E: std::fmt::Debug>(error: E) -> DrawError {
    DrawError(format!("{error:?}"))
}

/// Average glyph width of a sans-serif font, as a fraction of the font size.
const GLYPH_WIDTH: f64 = 0.56;

/// Estimated width in pixels of `text` at `size`.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii_uppercase() || c == '$' { 1.15 } else { 1.0 }).sum::<f64>() * size * GLYPH_WIDTH
}

/// Shortens `text` to fit `width` pixels at `size`, ending with `…`. Returns it unchanged when it fits.
pub fn shorten(text: &str, size: f64, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let mut short = String::new();
    for ch in text.chars() {
        if text_width(&format!("{short}{ch}…"), size) > width {
            break;
        }
        short.push(ch);
    }
    format!("{}…", short.trim_end())
}

/// A plotters drawing area over an SVG string, with pixel coordinates.
pub struct Canvas<'a> {
    area: DrawingArea<SVGBackend<'a>, Shift>,
}

fn px(value: f64) -> i32 {
    value.round() as i32
}

/// Rounds a path to whole pixels and drops the points that draw nothing: a repeat of the point
/// before it, or a point lying on the straight run from the point kept before it to the next
/// one, in the same direction. The drawing is the same; a step line over 2,000 deals shrinks
/// from 2,000 points to the few hundred where it turns.
fn pixel_path(points: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let mut path: Vec<(i32, i32)> = Vec::with_capacity(points.len());
    for &(x, y) in points {
        let next = (px(x), px(y));
        if path.last() == Some(&next) {
            continue;
        }
        if let [.., before, last] = path[..]
            && passes_straight_through(before, last, next)
        {
            path.pop();
        }
        path.push(next);
    }
    path
}

/// Whether `middle` lies on the segment from `from` to `to`, heading the same way on both sides.
fn passes_straight_through(from: (i32, i32), middle: (i32, i32), to: (i32, i32)) -> bool {
    let (ax, ay) = (i64::from(middle.0 - from.0), i64::from(middle.1 - from.1));
    let (bx, by) = (i64::from(to.0 - middle.0), i64::from(to.1 - middle.1));
    ax * by == ay * bx && ax * bx + ay * by > 0
}

impl<'a> Canvas<'a> {
    pub fn new(target: &'a mut String, width: u32, height: u32) -> Canvas<'a> {
        Canvas { area: SVGBackend::with_string(target, (width, height)).into_drawing_area() }
    }

    pub fn finish(self) -> Drawn {
        self.area.present().map_err(failed)
    }

    pub fn text(&self, x: f64, y: f64, text: &str, font: Font) -> Drawn {
        let Font { size, paint, align, baseline, bold } = font;
        let h = match align {
            Align::Start => HPos::Left,
            Align::Middle => HPos::Center,
            Align::End => HPos::Right,
        };
        let v = match baseline {
            Baseline::Top => VPos::Top,
            Baseline::Middle => VPos::Center,
            Baseline::Bottom => VPos::Bottom,
        };
        // The SVG backend divides font sizes by 1.24; ask for the size we want to see.
        let mut font = ("sans-serif", size * 1.24).into_font();
        if bold {
            font = font.style(FontStyle::Bold);
        }
        let style = font.color(&paint.sentinel()).pos(Pos::new(h, v));
        self.area.draw(&Text::new(text.to_string(), (px(x), px(y)), style)).map_err(failed)
    }

    fn style(paint: Paint, fill: Fill) -> ShapeStyle {
        let color = paint.sentinel();
        match fill {
            Fill::Solid => color.filled(),
            Fill::Faded(alpha) => color.mix(alpha).filled(),
            Fill::Outline(width) => color.stroke_width(width),
        }
    }

    pub fn rect(&self, x0: f64, y0: f64, x1: f64, y1: f64, paint: Paint, fill: Fill) -> Drawn {
        let (x0, x1) = (x0.min(x1), x0.max(x1));
        let (y0, y1) = (y0.min(y1), y0.max(y1));
        self.area.draw(&Rectangle::new([(px(x0), px(y0)), (px(x1), px(y1))], Self::style(paint, fill))).map_err(failed)
    }

    pub fn line(&self, points: &[(f64, f64)], paint: Paint, width: u32) -> Drawn {
        let points = pixel_path(points);
        self.area.draw(&PathElement::new(points, paint.sentinel().stroke_width(width))).map_err(failed)
    }

    pub fn circle(&self, x: f64, y: f64, radius: f64, paint: Paint, fill: Fill) -> Drawn {
        self.area.draw(&Circle::new((px(x), px(y)), px(radius).max(1), Self::style(paint, fill))).map_err(failed)
    }

    pub fn polygon(&self, points: &[(f64, f64)], paint: Paint, fill: Fill) -> Drawn {
        let points = pixel_path(points);
        match fill {
            Fill::Outline(width) => {
                let mut closed = points.clone();
                if let Some(first) = points.first() {
                    closed.push(*first);
                }
                self.area.draw(&PathElement::new(closed, paint.sentinel().stroke_width(width))).map_err(failed)
            }
            _ => self.area.draw(&Polygon::new(points, Self::style(paint, fill))).map_err(failed),
        }
    }
}

/// A linear scale from a data domain to a pixel range.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl Scale {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Scale {
        Scale { domain, range }
    }

    pub fn at(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let span = if (d1 - d0).abs() < f64::EPSILON { 1.0 } else { d1 - d0 };
        self.range.0 + (value - d0) / span * (self.range.1 - self.range.0)
    }
}

/// Round tick values from 0 to at least `max`: steps of 1, 2, 2.5 or 5 times a power of ten,
/// at most `count` intervals.
pub fn nice_ticks(max: f64, count: usize) -> Vec<f64> {
    ticks_with_steps(max, count, false)
}

/// Ticks for counts: like [`nice_ticks`], but every step is a whole number (so never 0.25 or
/// 2.5 deals).
pub fn integer_ticks(max: f64, count: usize) -> Vec<f64> {
    ticks_with_steps(max, count, true)
}

fn ticks_with_steps(max: f64, count: usize, whole: bool) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let raw = max / count.max(1) as f64;
    let raw = if whole { raw.max(1.0) } else { raw };
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .filter(|s| !whole || s.fract() == 0.0)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let mut ticks = vec![0.0];
    let mut value = 0.0;
    while value < max - step * 1e-9 {
        value += step;
        ticks.push((value / step).round() * step);
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(nice_ticks(852.0, 5), vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0]);
        assert_eq!(nice_ticks(34.0, 4), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(nice_ticks(0.0, 4), vec![0.0, 1.0]);
    }

    #[test]
    fn count_ticks_are_whole_numbers() {
        // nice_ticks would step by 0.25 and 2.5 here.
        assert_eq!(nice_ticks(1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(integer_ticks(1.0, 4), vec![0.0, 1.0]);
        assert_eq!(integer_ticks(3.0, 4), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(integer_ticks(9.0, 4), vec![0.0, 5.0, 10.0]);
        assert_eq!(integer_ticks(40.0, 4), vec![0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(integer_ticks(90.0, 4), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        for max in 1..200 {
            assert!(integer_ticks(f64::from(max), 4).iter().all(|t| t.fract() == 0.0), "{max}");
        }
    }

    #[test]
    fn shortens_long_labels() {
        assert_eq!(shorten("AWS", 13.0, 100.0), "AWS");
        let short = shorten("Amazon Web Services Incorporated", 13.0, 100.0);
        assert!(short.ends_with('…'));
        assert!(text_width(&short, 13.0) <= 100.0);
    }

    #[test]
    fn pixel_paths_keep_only_the_points_where_the_line_turns() {
        // A step line: flat, up, flat again, with repeats and sub-pixel noise on the runs.
        let steps =
            [(0.0, 10.0), (1.2, 10.0), (2.0, 9.6), (2.0, 10.0), (4.0, 10.0), (4.0, 5.0), (4.0, 3.0), (9.0, 3.0)];
        assert_eq!(pixel_path(&steps), vec![(0, 10), (4, 10), (4, 3), (9, 3)]);
        // A diagonal run loses its middle points; a turn back along the same line keeps its tip.
        assert_eq!(pixel_path(&[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 1.0)]), vec![(0, 0), (2, 2), (3, 1)]);
        assert_eq!(pixel_path(&[(0.0, 0.0), (5.0, 0.0), (2.0, 0.0)]), vec![(0, 0), (5, 0), (2, 0)]);
        // Nothing to drop: every point is kept, in order.
        let zigzag = [(0.0, 0.0), (1.0, 3.0), (2.0, 0.0), (3.0, 3.0)];
        assert_eq!(pixel_path(&zigzag), vec![(0, 0), (1, 3), (2, 0), (3, 3)]);
    }

    #[test]
    fn sentinels_are_unique() {
        let mut hexes: Vec<String> = Paint::ALL.iter().map(|p| p.sentinel_hex()).collect();
        hexes.sort();
        hexes.dedup();
        assert_eq!(hexes.len(), Paint::ALL.len());
    }
}
