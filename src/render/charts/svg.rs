//! Turns plotters' raw SVG into the inline, accessible, themeable SVG the pages embed.
//!
//! - the root gets a `viewBox` only (it scales with its container), `role="img"` and
//!   `aria-labelledby` pointing at a `<title>` and a `<desc>` placed first inside it;
//! - sentinel colours become a fallback colour plus a CSS class (`canvas::Paint`), text becomes
//!   `currentColor`, so the stylesheet themes charts for light and dark;
//! - labels that were shortened get their full text as a `<title>` tooltip;
//! - font sizes are rounded to two decimals, so the bytes do not depend on float noise.
//!
//! The body is rewritten in one pass over plotters' output ([`Body::from_raw`]) and does not
//! depend on the chart's id, title or description, so one body can serve many charts that look
//! the same (the deal charts); [`Body::finish`] adds the accessible root per chart.
//!
//! Every chart is drawn in two [`Variant`]s, wide and narrow, and a figure holds both (the
//! stylesheet shows one): each variant has its own class and its own element ids, so the two
//! SVGs can share a page.

use std::collections::HashMap;

use super::canvas::Paint;
use crate::render::format::{decimal, escape_html};

/// A label drawn shortened, and its full text.
#[derive(Clone, Debug)]
pub struct Shortened {
    pub short: String,
    pub full: String,
}

/// Which of a chart's two drawings an SVG is: the wide one for desktop columns, the narrow one
/// for phones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Wide,
    Narrow,
}

impl Variant {
    /// The class the stylesheet shows or hides the SVG by.
    pub fn class(self) -> &'static str {
        match self {
            Variant::Wide => "chart-svg-wide",
            Variant::Narrow => "chart-svg-narrow",
        }
    }

    /// The id of this variant's SVG for a chart id: the wide SVG keeps the chart's, the narrow
    /// one gets `-narrow` appended, so ids stay unique on a page holding both.
    pub fn id(self, chart_id: &str) -> String {
        match self {
            Variant::Wide => chart_id.to_string(),
            Variant::Narrow => format!("{chart_id}-narrow"),
        }
    }
}

/// A rewritten chart body: everything inside the root `<svg>` element.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    variant: Variant,
    view_box: String,
    inner: String,
}

/// The wide SVG of a raw drawing, in one step.
pub fn finish(raw: &str, id: &str, title: &str, desc: &str, shortened: &[Shortened]) -> String {
    Body::from_raw(raw, shortened, Variant::Wide).finish(id, title, desc)
}

impl Body {
    pub fn from_raw(raw: &str, shortened: &[Shortened], variant: Variant) -> Body {
        let view_box = raw
            .find("viewBox=\"")
            .and_then(|start| raw[start + 9..].find('"').map(|len| raw[start + 9..start + 9 + len].to_string()))
            .unwrap_or_else(|| "0 0 560 300".to_string());
        let body = match raw.find('>') {
            Some(end) if raw.starts_with("<svg") => &raw[end + 1..],
            _ => raw,
        };
        let full_names: HashMap<String, &str> =
            shortened.iter().map(|s| (escape_text(&s.short), s.full.as_str())).collect();
        Body { variant, view_box, inner: rewrite(body, &full_names) }
    }

    /// The complete `<svg>` element with its accessible name and description; `chart_id` is the
    /// id of the chart's figure, the ids inside are made unique per variant.
    pub fn finish(&self, chart_id: &str, title: &str, desc: &str) -> String {
        let id = self.variant.id(chart_id);
        let mut svg = String::with_capacity(self.inner.len() + 256 + title.len() + desc.len());
        svg.push_str(&format!(
            "<svg class=\"chart-svg {}\" viewBox=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>",
            self.variant.class(),
            self.view_box,
            escape_html(title),
            escape_html(desc)
        ));
        svg.push_str(&self.inner);
        if !svg.ends_with('\n') {
            svg.push('\n');
        }
        svg
    }
}

/// The paint of a sentinel colour value (`#01XXFE`), if it is one.
fn paint_of(value: &str) -> Option<Paint> {
    let hex = value.strip_prefix("#01")?.strip_suffix("FE")?;
    let index = u8::from_str_radix(hex, 16).ok()?;
    Paint::ALL.into_iter().find(|p| p.sentinel().1 == index)
}

/// One pass over plotters' output: attributes rewritten, text joined onto its element's line.
fn rewrite(body: &str, full_names: &HashMap<String, &str>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tag_text = &rest[open..];
        let Some(close) = tag_text.find('>') else {
            out.push_str(tag_text);
            return out;
        };
        let tag = &tag_text[..=close];
        rest = &tag_text[close + 1..];
        write_tag(&mut out, tag);
        if tag.starts_with("<text") {
            // plotters writes `<text ...>\nLabel\n</text>`.
            let content_end = rest.find("</text>").unwrap_or(rest.len());
            let content = rest[..content_end].trim_matches('\n');
            if let Some(full) = full_names.get(content) {
                out.push_str("<title>");
                out.push_str(&escape_text(full));
                out.push_str("</title>");
            }
            out.push_str(content);
            rest = &rest[content_end..];
        }
    }
    out.push_str(rest);
    out
}

/// Copies a tag, dropping attributes the stylesheet sets and mapping sentinel colours.
fn write_tag(out: &mut String, tag: &str) {
    let mut rest = tag;
    while let Some(equals) = rest.find("=\"") {
        let name_start = rest[..equals].rfind(' ').map_or(0, |i| i + 1);
        let value_start = equals + 2;
        let Some(value_len) = rest[value_start..].find('"') else { break };
        let name = &rest[name_start..equals];
        let value = &rest[value_start..value_start + value_len];
        // Everything before this attribute, without the space that separates it.
        out.push_str(rest[..name_start].trim_end_matches(' '));
        match (name, value) {
            ("font-family", _) | ("opacity", "1") => {}
            ("font-size", size) => {
                let size = size.parse::<f64>().map(|v| decimal(v, 2)).unwrap_or_else(|_| size.to_string());
                out.push_str(&format!(" font-size=\"{size}\""));
            }
            ("fill" | "stroke", color) if paint_of(color).is_some() => {
                let paint = paint_of(color).unwrap_or(Paint::Text);
                let (class, fallback) = paint.class_and_fallback();
                match (class.is_empty(), name) {
                    (true, _) => out.push_str(&format!(" {name}=\"currentColor\"")),
                    (false, "fill") => out.push_str(&format!(" fill=\"{fallback}\" class=\"{class}\"")),
                    (false, _) => out.push_str(&format!(" stroke=\"{fallback}\" class=\"{class}-line\"")),
                }
            }
            _ => out.push_str(&format!(" {name}=\"{value}\"")),
        }
        rest = &rest[value_start + value_len + 1..];
    }
    out.push_str(rest);
}

/// The escaping plotters applies to text content.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_accessibility_and_classes() {
        let raw = format!(
            "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"5\" height=\"5\" opacity=\"1\" fill=\"{}\" stroke=\"none\"/>\n<text x=\"1\" y=\"1\" font-family=\"sans-serif\" font-size=\"10.483870967741936\" opacity=\"1\" fill=\"{}\">\nAmazon Web Se…\n</text>\n<line stroke=\"{}\" x1=\"0\"/>\n</svg>\n",
            Paint::Firm.sentinel_hex(),
            Paint::Text.sentinel_hex(),
            Paint::Ceiling.sentinel_hex()
        );
        let svg = finish(
            &raw,
            "chart-x",
            "Title & co",
            "Desc",
            &[Shortened { short: "Amazon Web Se…".into(), full: "Amazon Web Services".into() }],
        );
        assert!(svg.starts_with("<svg class=\"chart-svg chart-svg-wide\" viewBox=\"0 0 10 10\""));
        assert!(svg.contains("role=\"img\" aria-labelledby=\"chart-x-title chart-x-desc\""));
        assert!(svg.contains("<title id=\"chart-x-title\">Title &amp; co</title>"));
        assert!(
            svg.contains(
                "<rect x=\"0\" y=\"0\" width=\"5\" height=\"5\" fill=\"#0a58a8\" class=\"c-firm\" stroke=\"none\"/>"
            ),
            "{svg}"
        );
        assert!(svg.contains("<text x=\"1\" y=\"1\" font-size=\"10.48\" fill=\"currentColor\"><title>Amazon Web Services</title>Amazon Web Se…</text>"), "{svg}");
        assert!(svg.contains("<line stroke=\"#6b4fa0\" class=\"c-ceiling-line\" x1=\"0\"/>"), "{svg}");
        assert!(!svg.contains("width=\"10\" height=\"10\" viewBox"));
    }

    #[test]
    fn the_narrow_variant_has_its_own_class_and_ids() {
        let raw =
            "<svg width=\"340\" height=\"10\" viewBox=\"0 0 340 10\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>\n";
        let narrow = Body::from_raw(raw, &[], Variant::Narrow).finish("chart-x", "T", "D");
        assert!(narrow.starts_with("<svg class=\"chart-svg chart-svg-narrow\" viewBox=\"0 0 340 10\""), "{narrow}");
        assert!(narrow.contains("aria-labelledby=\"chart-x-narrow-title chart-x-narrow-desc\""), "{narrow}");
        assert!(narrow.contains("<title id=\"chart-x-narrow-title\">T</title>"), "{narrow}");
        assert!(narrow.contains("<desc id=\"chart-x-narrow-desc\">D</desc>"), "{narrow}");
        let wide = Body::from_raw(raw, &[], Variant::Wide).finish("chart-x", "T", "D");
        assert!(wide.contains("<title id=\"chart-x-title\">T</title>"), "{wide}");
    }
}
