//! Turns plotters' raw SVG into the inline, accessible, themeable SVG the pages embed.
//!
//! - the root gets a `viewBox` only (it scales with its container), `role="img"` and
//!   `aria-labelledby` pointing at a `<title>` and a `<desc>` placed first inside it;
//! - sentinel colours become a fallback colour plus a CSS class (`canvas::Paint`), text becomes
//!   `currentColor`, so the stylesheet themes charts for light and dark;
//! - labels that were shortened get their full text as a `<title>` tooltip;
//! - font sizes are rounded to two decimals, so the bytes do not depend on float noise.

use super::canvas::Paint;
use crate::render::format::escape_html;

/// A label drawn shortened, and its full text.
#[derive(Clone, Debug)]
pub struct Shortened {
    pub short: String,
    pub full: String,
}

pub fn finish(raw: &str, id: &str, title: &str, desc: &str, shortened: &[Shortened]) -> String {
    let body = match raw.find('>') {
        Some(end) if raw.starts_with("<svg") => &raw[end + 1..],
        _ => raw,
    };
    let view_box = raw
        .find("viewBox=\"")
        .and_then(|start| raw[start + 9..].find('"').map(|len| raw[start + 9..start + 9 + len].to_string()))
        .unwrap_or_else(|| "0 0 560 300".to_string());
    let mut svg = String::with_capacity(raw.len() + 512);
    svg.push_str(&format!(
        "<svg class=\"chart-svg\" viewBox=\"{view_box}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\">\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>",
        escape_html(title),
        escape_html(desc)
    ));
    let mut body = body.to_string();
    for paint in Paint::ALL {
        let sentinel = paint.sentinel_hex();
        if !body.contains(&sentinel) {
            continue;
        }
        let (class, fallback) = paint.class_and_fallback();
        if class.is_empty() {
            body = body.replace(&format!("fill=\"{sentinel}\""), "fill=\"currentColor\"");
            body = body.replace(&format!("stroke=\"{sentinel}\""), "stroke=\"currentColor\"");
        } else {
            body = body.replace(&format!("fill=\"{sentinel}\""), &format!("fill=\"{fallback}\" class=\"{class}\""));
            body = body
                .replace(&format!("stroke=\"{sentinel}\""), &format!("stroke=\"{fallback}\" class=\"{class}-line\""));
        }
    }
    body = body.replace(" font-family=\"sans-serif\"", "").replace(" opacity=\"1\"", "");
    body = round_font_sizes(&body);
    for label in shortened {
        let short = escape_text(&label.short);
        body = body.replace(
            &format!(">\n{short}\n</text>"),
            &format!("><title>{}</title>{short}</text>", escape_text(&label.full)),
        );
    }
    body = join_text_lines(&body);
    svg.push_str(&body);
    if !svg.ends_with('\n') {
        svg.push('\n');
    }
    svg
}

/// plotters writes `<text ...>\nLabel\n</text>`; keep each element on one line.
fn join_text_lines(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            out.push_str(after);
            return out;
        };
        out.push_str(&after[..=open_end]);
        rest = after[open_end + 1..].strip_prefix('\n').unwrap_or(&after[open_end + 1..]);
        if let Some(close) = rest.find("</text>") {
            out.push_str(rest[..close].strip_suffix('\n').unwrap_or(&rest[..close]));
            out.push_str("</text>");
            rest = &rest[close + "</text>".len()..];
        }
    }
    out.push_str(rest);
    out
}

/// The escaping plotters applies to text content.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

fn round_font_sizes(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = rest.find("font-size=\"") {
        let value_start = start + "font-size=\"".len();
        out.push_str(&rest[..value_start]);
        let after = &rest[value_start..];
        let end = after.find('"').unwrap_or(after.len());
        match after[..end].parse::<f64>() {
            Ok(size) => out.push_str(&crate::render::format::decimal(size, 2)),
            Err(_) => out.push_str(&after[..end]),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_accessibility_and_classes() {
        let raw = format!(
            "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<rect x=\"0\" y=\"0\" width=\"5\" height=\"5\" opacity=\"1\" fill=\"{}\" stroke=\"none\"/>\n<text x=\"1\" y=\"1\" font-family=\"sans-serif\" font-size=\"10.483870967741936\" opacity=\"1\" fill=\"{}\">\nAmazon Web Se…\n</text>\n</svg>\n",
            Paint::Firm.sentinel_hex(),
            Paint::Text.sentinel_hex()
        );
        let svg = finish(
            &raw,
            "chart-x",
            "Title & co",
            "Desc",
            &[Shortened { short: "Amazon Web Se…".into(), full: "Amazon Web Services".into() }],
        );
        assert!(svg.starts_with("<svg class=\"chart-svg\" viewBox=\"0 0 10 10\""));
        assert!(svg.contains("role=\"img\" aria-labelledby=\"chart-x-title chart-x-desc\""));
        assert!(svg.contains("<title id=\"chart-x-title\">Title &amp; co</title>"));
        assert!(svg.contains("fill=\"#0a58a8\" class=\"c-firm\""));
        assert!(svg.contains("fill=\"currentColor\""));
        assert!(svg.contains("font-size=\"10.48\""));
        assert!(svg.contains("><title>Amazon Web Services</title>Amazon Web Se…</text>"));
        assert!(!svg.contains("width=\"10\" height=\"10\" viewBox"));
    }
}
