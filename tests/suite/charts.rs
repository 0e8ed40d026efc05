//! Charts: the aggregates they draw (checked against totals computed by hand for
//! `tests/fixtures/registry`), well-formed and accessible SVG in both widths, text that stays on
//! the canvas and is large enough to read, byte stability, snapshots.
//!
//! Snapshots of every chart type, wide (`<name>.svg`) and narrow (`<name>.narrow.svg`), live in
//! `tests/fixtures/charts/`; `UPDATE_EXPECT=1` rewrites them for review as a diff.

use std::collections::BTreeMap;

use infrabrief::model::Site;
use infrabrief::model::totals::{self, Amounts};
use infrabrief::pipeline::{self, Options};
use infrabrief::render::charts::draw::Frame;
use infrabrief::render::charts::{self, Chart, aggregate};

use crate::common::{Scratch, fixture, repo};

fn load(root: &std::path::Path) -> Site {
    let build = pipeline::build(root, Options::default()).expect("site loads");
    assert!(!build.diagnostics.has_errors(), "{:?}", build.diagnostics);
    build.site.expect("valid site")
}

fn registry() -> Site {
    load(&fixture("registry"))
}

const BN: i64 = 1_000;

fn amounts(firm: i64, estimate: i64, ceiling: i64, deals: usize, undisclosed: usize) -> Amounts {
    Amounts { firm: firm * BN, estimate: estimate * BN, ceiling: ceiling * BN, deals, undisclosed, floors: 0 }
}

#[test]
fn totals_match_hand_computed_values() {
    let site = registry();
    let t = totals::totals(&site.deals);
    // Active compute deals: d1 firm 100, d2 firm 50, d3 estimate 20, d4 up-to 80, d5 letter of
    // intent 40, d7 undisclosed, d10 firm 65. d6 (cancelled) and d9 (superseded) count for
    // nothing; d8 is equity, a money flow.
    assert_eq!(t.overall, amounts(215, 20, 120, 7, 1));
    assert_eq!(t.inactive, 2);
    assert_eq!(t.flows, 1);
    assert_eq!(t.by_provider["xcloud"], amounts(100, 20, 40, 3, 0));
    assert_eq!(t.by_provider["ycloud"], amounts(115, 0, 0, 2, 0));
    assert_eq!(t.by_provider["zpower"], amounts(0, 0, 80, 2, 1));
    assert_eq!(t.by_buyer["alpha"], amounts(215, 0, 0, 4, 1));
    assert_eq!(t.by_buyer["beta"], amounts(0, 20, 80, 2, 0));
    assert_eq!(t.by_buyer["gamma"], amounts(0, 0, 40, 1, 0));
}

#[test]
fn rankings_sort_by_committed_value_and_group_the_rest() {
    let site = registry();
    let providers = aggregate::ranking(&site, true, 2);
    let labels: Vec<&str> = providers.iter().map(|b| b.label.as_str()).collect();
    // X Cloud's 100 firm + 20 estimated outranks Y Cloud's 115 firm; Z Power has only a ceiling.
    assert_eq!(labels, ["X Cloud", "Y Cloud", "Others (1)"]);
    assert_eq!(providers[2].amounts, amounts(0, 0, 80, 2, 1));
    assert_eq!(providers[2].others, 1);
    let buyers = aggregate::ranking(&site, false, 10);
    let labels: Vec<&str> = buyers.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["Alpha Labs", "Beta Intelligence", "Gamma Research"]);
}

#[test]
fn cumulative_steps_keep_ceilings_apart() {
    let site = registry();
    let steps: Vec<(String, i64, i64, i64)> = aggregate::cumulative(&site)
        .into_iter()
        .map(|s| (s.deal, s.firm / BN, s.estimate / BN, s.ceiling / BN))
        .collect();
    let expected = [
        ("d1", 100, 0, 0),
        ("d2", 150, 0, 0),
        ("d3", 150, 20, 0),
        ("d4", 150, 20, 80),
        ("d5", 150, 20, 120),
        ("d10", 215, 20, 120),
    ];
    assert_eq!(steps, expected.map(|(d, f, e, c)| (d.to_string(), f, e, c)));
}

#[test]
fn flows_merge_deals_between_the_same_companies() {
    let site = registry();
    let flows: Vec<(String, String, String, i64, usize)> = aggregate::flows(&site, 8, 10)
        .into_iter()
        .map(|f| (f.from, f.to, format!("{:?}/{}", f.kind, f.bucket.key()), f.value / BN, f.deals))
        .collect();
    let expected = [
        ("alpha", "ycloud", "Compute/firm", 115, 2),
        ("alpha", "xcloud", "Compute/firm", 100, 1),
        ("beta", "zpower", "Compute/ceiling", 80, 1),
        ("gamma", "xcloud", "Compute/ceiling", 40, 1),
        ("ycloud", "alpha", "Capital/firm", 25, 1),
        ("beta", "xcloud", "Compute/estimate", 20, 1),
    ];
    assert_eq!(flows, expected.map(|(a, b, k, v, n)| (a.to_string(), b.to_string(), k.to_string(), v, n)));
    // With one payer kept, the others merge.
    let merged = aggregate::flows(&site, 1, 10);
    assert!(merged.iter().any(|f| f.from == aggregate::OTHERS && f.to == "zpower" && f.value == 80 * BN));
}

#[test]
fn distribution_and_rank() {
    let site = registry();
    // Active valued deals: 100 (band 6), 50 (5), 20 (3), 80 (5), 40 (4), 25 (4), 65 (5).
    assert_eq!(aggregate::distribution(&site), [0, 0, 0, 1, 2, 3, 1, 0]);
    let d10 = site.deal("d10").expect("d10");
    assert_eq!(aggregate::rank(&site, d10), Some((3, 7)));
    let chart = charts::deal_chart(d10, &charts::DealCharts::new(&site).expect("deal charts"));
    assert_eq!(chart.takeaway, "Valued at $65bn, this deal ranks 3rd of 7 deals with a disclosed value.");
    // A ceiling is ranked by its figure and named as one.
    let d4 = site.deal("d4").expect("d4");
    let chart = charts::deal_chart(d4, &charts::DealCharts::new(&site).expect("deal charts"));
    assert_eq!(chart.takeaway, "Valued at up to $80bn, this deal ranks 2nd of 7 deals with a disclosed value.");
    assert_eq!(aggregate::rank(&site, site.deal("d9").expect("d9")), None, "superseded deals are not ranked");
    assert_eq!(aggregate::rank(&site, site.deal("d7").expect("d7")), None, "undisclosed deals are not ranked");
}

#[test]
fn company_deals_are_split_by_role() {
    let site = registry();
    let deals: Vec<(String, bool, Option<i64>)> = aggregate::company_deals(&site, "alpha")
        .into_iter()
        .map(|d| (d.deal, d.as_buyer, d.value.map(|v| v / BN)))
        .collect();
    let expected = [
        ("d1", true, Some(100)),
        ("d10", true, Some(65)),
        ("d2", true, Some(50)),
        ("d7", true, None),
        ("d8", false, Some(25)),
    ];
    assert_eq!(deals, expected.map(|(d, b, v)| (d.to_string(), b, v)));
}

fn every_chart(site: &Site) -> Vec<Chart> {
    let mut all: Vec<Chart> = charts::site_charts(site).expect("charts draw").into_values().collect();
    let registry = totals::totals(&site.deals);
    for company in &site.companies {
        all.push(charts::company_chart(site, company, &registry).expect("company chart"));
    }
    let deal_charts = charts::DealCharts::new(site).expect("deal charts");
    for deal in &site.deals {
        all.push(charts::deal_chart(deal, &deal_charts));
    }
    all
}

/// Checks one of a chart's two SVGs, drawn for `frame`; returns the ids it defines.
fn check_variant(chart: &Chart, svg: &str, frame: Frame) -> Vec<String> {
    let name = format!("{} ({:?})", chart.name, frame.variant);
    let document = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{name}: invalid XML: {e}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"), "{name}");
    assert!(root.attribute("width").is_none(), "{name} scales with its viewBox");
    let view_box: Vec<f64> = root
        .attribute("viewBox")
        .unwrap_or_else(|| panic!("{name}: no viewBox"))
        .split(' ')
        .map(|n| n.parse().expect("viewBox numbers"))
        .collect();
    assert_eq!(view_box[2], f64::from(frame.width), "{name}: laid out for its frame");
    let labelled = root.attribute("aria-labelledby").expect("aria-labelledby");
    for id in labelled.split_whitespace() {
        let element = document
            .descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("{name}: no #{id}"));
        assert!(matches!(element.tag_name().name(), "title" | "desc"));
        assert!(!element.text().unwrap_or("").trim().is_empty(), "{name}: empty {id}");
    }
    let desc = document.descendants().find(|n| n.tag_name().name() == "desc").and_then(|n| n.text()).unwrap_or("");
    assert!(desc.starts_with(&chart.takeaway), "{name}: <desc> starts with the takeaway");
    assert!(!svg.contains("#000000") && !svg.contains("#FFFFFF"), "{name}: no hard-coded black or white");
    // Text: at least the frame's small size, and (by the same width estimate the layout uses,
    // with some slack) inside the canvas.
    for text in document.descendants().filter(|n| n.tag_name().name() == "text") {
        let size: f64 = text.attribute("font-size").and_then(|s| s.parse().ok()).expect("font-size");
        assert!(size >= frame.small - 0.01, "{name}: text at {size} units is too small for its frame");
        let content: String = text.children().filter(|c| c.is_text()).filter_map(|c| c.text()).collect();
        let bold = if text.attribute("font-weight") == Some("bold") { 1.12 } else { 1.0 };
        let width = charts::canvas::text_width(content.trim(), size) * bold;
        let x: f64 = text.attribute("x").and_then(|s| s.parse().ok()).expect("x");
        let left = match text.attribute("text-anchor") {
            Some("end") => x - width,
            Some("middle") => x - width / 2.0,
            _ => x,
        };
        assert!(
            left >= -2.0 && left + width <= view_box[2] + 2.0,
            "{name}: `{content}` runs off the canvas ({left:.0} to {:.0} of {})",
            left + width,
            view_box[2]
        );
    }
    document.descendants().filter_map(|n| n.attribute("id")).map(str::to_string).collect()
}

fn check_svg(chart: &Chart) {
    let wide = check_variant(chart, &chart.svg, Frame::WIDE);
    let narrow = check_variant(chart, &chart.svg_narrow, Frame::NARROW);
    assert!(chart.svg.contains("class=\"chart-svg chart-svg-wide\""), "{}", chart.name);
    assert!(chart.svg_narrow.contains("class=\"chart-svg chart-svg-narrow\""), "{}", chart.name);
    assert!(wide.iter().all(|id| !narrow.contains(id)), "{}: the two SVGs share an id", chart.name);
    assert!(!chart.takeaway.is_empty() && !chart.title.is_empty());
    if chart.rows.is_empty() {
        for svg in [&chart.svg, &chart.svg_narrow] {
            assert!(svg.contains(">No "), "{}: no data must show an empty state", chart.name);
        }
    } else {
        assert!(chart.csv.lines().count() > chart.rows.len().min(1), "{}: a CSV with a header and rows", chart.name);
    }
}

#[test]
fn every_chart_is_well_formed_accessible_svg() {
    for site in [registry(), load(&repo())] {
        let all = every_chart(&site);
        assert!(all.len() >= 7);
        for chart in &all {
            check_svg(chart);
        }
    }
}

#[test]
fn charts_are_byte_identical_across_builds() {
    let first: Vec<(String, String)> = every_chart(&registry()).into_iter().map(|c| (c.svg, c.svg_narrow)).collect();
    let second: Vec<(String, String)> = every_chart(&registry()).into_iter().map(|c| (c.svg, c.svg_narrow)).collect();
    assert_eq!(first, second);
}

#[test]
fn ceilings_are_drawn_and_named_apart_from_firm_values() {
    let site = registry();
    let charts = charts::site_charts(&site).expect("charts");
    let providers = &charts[charts::PROVIDERS];
    assert!(providers.svg.contains("class=\"c-ceiling-line\""), "ceilings are outlined (dashed by the stylesheet)");
    assert!(providers.svg.contains("class=\"c-firm\""));
    assert!(providers.legend.iter().any(|l| l.label.starts_with("Ceiling")));
    assert!(providers.legend.iter().any(|l| l.label.starts_with("Estimate")));
    // The label of X Cloud's bar shows committed 120 and the ceiling 40 separately, never 160.
    assert!(providers.svg.contains(">$120bn</text>") && providers.svg.contains(">+$40bn</text>"));
    assert!(!providers.svg.contains("$160bn"));
    assert!(providers.csv.contains("xcloud,100,false,20,40,3\r\n"), "{}", providers.csv);
    // X Cloud's $120bn holds a $20bn estimate, so neither it nor the total is called firm.
    assert_eq!(
        providers.takeaway,
        "X Cloud has the largest firm and estimated commitments as a provider: $120bn of $235bn in all."
    );
    assert!(providers.svg.contains("X Cloud: $100bn firm, $20bn estimated, $40bn ceilings."), "{}", providers.svg);
}

#[test]
fn long_names_are_shortened_with_the_full_name_kept() {
    let site = registry();
    let y = site.company("ycloud").expect("ycloud");
    let chart = charts::company_chart(&site, y, &totals::totals(&site.deals)).expect("chart");
    assert!(chart.svg.contains("Y Cloud"), "short names are used in charts");
    let long = infrabrief::render::charts::svg::finish(
        "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n<text x=\"0\" y=\"0\">\nY Clo…\n</text>\n</svg>",
        "t",
        "T",
        "D",
        &[infrabrief::render::charts::svg::Shortened {
            short: "Y Clo…".into(),
            full: "Y Cloud Services International".into(),
        }],
    );
    assert!(long.contains("<title>Y Cloud Services International</title>Y Clo…</text>"));
}

#[test]
fn empty_registry_draws_clear_empty_states() {
    let scratch = Scratch::new("empty-charts");
    let content = scratch.path.join("content");
    std::fs::create_dir_all(&content).expect("content folder");
    std::fs::write(content.join("site.toml"), "title = \"Empty\"\n").expect("site.toml");
    let site = load(&scratch.path);
    let charts = charts::site_charts(&site).expect("charts");
    for name in [charts::PROVIDERS, charts::BUYERS, charts::CUMULATIVE, charts::TIMELINE, charts::FLOWS] {
        let chart = &charts[name];
        assert!(chart.takeaway.starts_with("No "), "{name}: {}", chart.takeaway);
        check_svg(chart);
    }
}

#[test]
fn chart_snapshots() {
    let site = registry();
    let mut drawn: Vec<Chart> = charts::site_charts(&site).expect("charts").into_values().collect();
    let alpha = site.company("alpha").expect("alpha");
    drawn.push(charts::company_chart(&site, alpha, &totals::totals(&site.deals)).expect("chart"));
    let d10 = site.deal("d10").expect("d10");
    drawn.push(charts::deal_chart(d10, &charts::DealCharts::new(&site).expect("deal charts")));
    let mut snapshots: BTreeMap<String, String> = BTreeMap::new();
    for chart in drawn {
        snapshots.insert(format!("{}.narrow", chart.name), chart.svg_narrow);
        snapshots.insert(chart.name, chart.svg);
    }
    let folder = fixture("charts");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut differing = Vec::new();
    for (name, svg) in &snapshots {
        let path = folder.join(format!("{name}.svg"));
        if update {
            std::fs::create_dir_all(&folder).expect("folder");
            std::fs::write(&path, svg).expect("write snapshot");
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(svg.as_str()) {
            differing.push(name.clone());
        }
    }
    assert!(snapshots.len() >= 18, "every chart type has a snapshot in both widths");
    assert!(differing.is_empty(), "charts differ from their snapshots (UPDATE_EXPECT=1 to accept): {differing:?}");
}
