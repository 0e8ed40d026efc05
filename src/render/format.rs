//! How figures read on the page: money, capacity, terms, and HTML escaping.
//!
//! One place decides that 38,000 million dollars reads `$38bn`, that an "up to" value reads
//! `up to $100bn` and an undisclosed one `an undisclosed sum`, so prose, tables, cards, charts
//! and CSV never disagree on a figure.

use crate::model::{Basis, Deal, Unit, UsdMillions};

/// `$38bn`, `$11.9bn`, `$350m`, `$1.4tn`.
/// A sum in prose: "at least $180bn" when it includes a floor (a value the sources give only as
/// "more than"), else as [`usd`].
pub fn usd_at_least(millions: UsdMillions, floor: bool) -> String {
    if floor { format!("at least {}", usd(millions)) } else { usd(millions) }
}

/// A sum in a table cell: "$180bn+" when it includes a floor, else as [`usd`].
pub fn usd_plus(millions: UsdMillions, floor: bool) -> String {
    if floor { format!("{}+", usd(millions)) } else { usd(millions) }
}

pub fn usd(millions: UsdMillions) -> String {
    let sign = if millions < 0 { "-" } else { "" };
    let m = millions.unsigned_abs();
    if m >= 1_000_000 {
        format!("{sign}${}tn", decimal(m as f64 / 1_000_000.0, 2))
    } else if m >= 1_000 {
        format!("{sign}${}bn", decimal(m as f64 / 1_000.0, if m < 10_000 { 2 } else { 1 }))
    } else if m == 0 {
        "$0".to_string()
    } else {
        format!("{sign}${m}m")
    }
}

/// A number with at most `places` decimals, trailing zeros dropped: `4.5`, `38`, `1.25`.
pub fn decimal(value: f64, places: usize) -> String {
    let text = format!("{value:.places$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text }
}

/// A number with thousands separators: `500,000`.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The deal's value as prose: `$38bn`, `more than $100bn`, `up to $100bn`, `an estimated $90bn`,
/// `an undisclosed sum`.
pub fn deal_value(deal: &Deal) -> String {
    match (deal.value_usd_m, deal.basis) {
        (Some(m), Basis::Reported) => usd(m),
        (Some(m), Basis::MoreThan) => format!("more than {}", usd(m)),
        (Some(m), Basis::UpTo) => format!("up to {}", usd(m)),
        (Some(m), Basis::Estimate) => format!("an estimated {}", usd(m)),
        _ => "an undisclosed sum".to_string(),
    }
}

/// The deal's value for a table cell: `$38bn`, `over $100bn`, `up to $100bn`, `~$90bn`,
/// `undisclosed`.
pub fn deal_value_short(deal: &Deal) -> String {
    match (deal.value_usd_m, deal.basis) {
        (Some(m), Basis::Reported) => usd(m),
        (Some(m), Basis::MoreThan) => format!("over {}", usd(m)),
        (Some(m), Basis::UpTo) => format!("up to {}", usd(m)),
        (Some(m), Basis::Estimate) => format!("~{}", usd(m)),
        _ => "undisclosed".to_string(),
    }
}

/// Power capacity: `4.5 GW`, and below one gigawatt in megawatts: `750 MW`.
pub fn gigawatts(gw: f64) -> String {
    if gw > 0.0 && gw < 1.0 { format!("{} MW", decimal(gw * 1_000.0, 0)) } else { format!("{} GW", decimal(gw, 2)) }
}

pub fn years(years: f64) -> String {
    let text = decimal(years, 1);
    if text == "1" { "1 year".to_string() } else { format!("{text} years") }
}

/// A series value with its unit: `29%`, `$131.8bn`, `4.5 GW`.
pub fn series_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{}%", decimal(value, 1)),
        Unit::UsdBn => usd((value * 1_000.0).round() as i64),
        Unit::Gw => gigawatts(value),
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    push_escaped_html(&mut out, text);
    out
}

/// Appends `text` escaped as [`escape_html`] does, without a String of its own.
pub fn push_escaped_html(out: &mut String, text: &str) {
    // Runs between the five special bytes (all ASCII, so never inside a character) are copied whole.
    let mut plain = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        out.push_str(escaped);
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
}

/// Reading time at 220 words a minute, at least one minute.
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(220).max(1)
}

/// A count and its noun, in the singular for one: `1 company`, `3 companies`, `2 series`.
pub fn plural(n: usize, word: &str) -> String {
    let many = match word {
        "company" => "companies".to_string(),
        "series" => "series".to_string(),
        other => format!("{other}s"),
    };
    if n == 1 { format!("1 {word}") } else { format!("{n} {many}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_naturally() {
        assert_eq!(usd(38_000), "$38bn");
        assert_eq!(usd(11_900), "$11.9bn");
        assert_eq!(usd(22_400), "$22.4bn");
        assert_eq!(usd(250_000), "$250bn");
        assert_eq!(usd(350), "$350m");
        assert_eq!(usd(1_400_000), "$1.4tn");
        assert_eq!(usd(-4_000), "-$4bn");
        assert_eq!(usd(0), "$0");
    }

    #[test]
    fn capacity_reads_in_gigawatts_or_megawatts() {
        assert_eq!(gigawatts(4.5), "4.5 GW");
        assert_eq!(gigawatts(1.0), "1 GW");
        assert_eq!(gigawatts(0.75), "750 MW");
        assert_eq!(gigawatts(0.2), "200 MW");
    }

    #[test]
    fn numbers() {
        assert_eq!(decimal(4.5, 2), "4.5");
        assert_eq!(decimal(10.0, 2), "10");
        assert_eq!(thousands(500_000), "500,000");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(years(7.0), "7 years");
        assert_eq!(years(1.0), "1 year");
        assert_eq!(series_value(29.0, Unit::Percent), "29%");
        assert_eq!(series_value(131.8, Unit::UsdBn), "$131.8bn");
    }

    #[test]
    fn escapes() {
        assert_eq!(
            escape_html("<a href=\"x\">O'Neil & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;"
        );
        assert_eq!(escape_html("née — “ok” <"), "née — “ok” &lt;");
        assert_eq!(escape_html(""), "");
    }
}
