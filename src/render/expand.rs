//! What each shortcode means: registry figures, company links, deal cards, series points, charts.
//!
//! `render::shortcode` finds the shortcodes of a document; this turns each into HTML for the
//! Markdown renderer to splice in, or into a diagnostic at the shortcode's `path:line:column`
//! when its name, an argument or an id is wrong. The figures come from the registry through
//! `render::format`, so a brief never retypes a number that could drift from the data.

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::format::{self, escape_html};
use super::markdown::Insert;
use super::paths;
use super::shortcode::{self, ArgValue, Shortcode};
use crate::diag::{Diagnostic, Diagnostics, suggest};
use crate::model::Site;

/// The shortcodes there are, with their arguments (required first).
const SHORTCODES: &[(&str, &[&str], &[&str])] = &[
    ("value", &["deal"], &["field"]),
    ("company", &["id"], &["text"]),
    ("deal", &["id"], &[]),
    ("point", &["series", "line", "period"], &[]),
    ("chart", &["name"], &[]),
];
const VALUE_FIELDS: [&str; 4] = ["value", "capacity", "term", "announced"];

/// A document being expanded: where it is and where its page will be.
pub struct Document<'a> {
    pub file: &'a str,
    pub body: &'a str,
    pub body_offset: usize,
    /// The output path of the page, for relative links.
    pub page_path: &'a str,
}

/// What shortcodes draw on besides the model: deal rows, charts, and the templates that render
/// block shortcodes (so a theme can restyle cards and chart figures).
pub trait Blocks {
    /// Names a brief may use, for "did you mean" help.
    fn chart_names(&self) -> Vec<String>;
    /// The card of the deal `id` for the page at `page_path`, without the line break a template
    /// ends with, or why the template failed; `None` when there is no such deal.
    fn deal_card(&self, id: &str, page_path: &str) -> Option<Result<Arc<str>, String>>;
    /// The figure (chart, caption, table, links) of the chart `name` (a site chart,
    /// `company-<id>` or `deal-<id>`) for the page at `page_path`, without the line break a
    /// template ends with, or why there is none.
    fn chart_figure(&self, name: &str, page_path: &str) -> Result<Arc<str>, FigureProblem>;
}

#[derive(Debug, Default)]
pub struct Expansion {
    pub inserts: Vec<Insert>,
    pub deals: BTreeSet<String>,
    pub companies: BTreeSet<String>,
    /// Names of the charts placed in the document, in order (each may appear once).
    pub charts: Vec<String>,
}

/// Why a chart figure could not be made.
#[derive(Debug)]
pub enum FigureProblem {
    /// No chart has that name.
    Unknown,
    /// The chart template failed, with its message.
    Template(String),
}

pub fn expand(site: &Site, blocks: &dyn Blocks, document: &Document<'_>, diagnostics: &mut Diagnostics) -> Expansion {
    let (found, errors) = shortcode::find(document.body);
    let at = |span: &Range<usize>| Some(span.start + document.body_offset..span.end + document.body_offset);
    for error in errors {
        diagnostics.push(Diagnostic::error(document.file, at(&error.span), error.message).with_help(error.help));
    }
    let mut expansion = Expansion::default();
    // Inline figures and links repeat within a brief: the same source text on the same page
    // expands to the same HTML, so each is made once per document.
    let mut inline: FxHashMap<&str, (Arc<str>, String)> = FxHashMap::default();
    for shortcode in found {
        let source = document.body.get(shortcode.span.clone()).unwrap_or_default();
        if let Some((html, text)) = inline.get(source) {
            let (html, text) = (Arc::clone(html), text.clone());
            expansion.inserts.push(Insert { span: shortcode.span, html, text, block: false });
            continue;
        }
        let mut report = |span: &Range<usize>, message: String, help: Option<String>| {
            let mut diagnostic = Diagnostic::error(document.file, at(span), message);
            diagnostic.help = help;
            diagnostics.push(diagnostic);
        };
        if !arguments_ok(&shortcode, &mut report) {
            continue;
        }
        let expanded = match shortcode.name {
            "value" => value(site, &shortcode, document.page_path, &mut report).inspect(|_| {
                if let Some(id) = text_arg(&shortcode, "deal") {
                    expansion.deals.insert(id.to_string());
                }
            }),
            "company" => company(site, &shortcode, document.page_path, &mut report).inspect(|_| {
                if let Some(id) = text_arg(&shortcode, "id") {
                    expansion.companies.insert(id.to_string());
                }
            }),
            "deal" => {
                let id = text_arg(&shortcode, "id").unwrap_or_default();
                match blocks.deal_card(id, document.page_path) {
                    Some(Ok(html)) => {
                        expansion.deals.insert(id.to_string());
                        Some(block_insert(&shortcode, html))
                    }
                    Some(Err(problem)) => {
                        report(&shortcode.span, format!("the deal card template failed: {problem}"), None);
                        None
                    }
                    None => {
                        unknown_deal(site, &shortcode, "id", &mut report);
                        None
                    }
                }
            }
            "point" => point(site, &shortcode, document.page_path, &mut report),
            "chart" => {
                let name = text_arg(&shortcode, "name").unwrap_or_default();
                if expansion.charts.iter().any(|c| c == name) {
                    report(
                        &value_span(&shortcode, "name"),
                        format!("the chart `{name}` is already on this page"),
                        Some("each chart may appear once per page".to_string()),
                    );
                    None
                } else {
                    match blocks.chart_figure(name, document.page_path) {
                        Ok(html) => {
                            expansion.charts.push(name.to_string());
                            Some(block_insert(&shortcode, html))
                        }
                        Err(FigureProblem::Template(problem)) => {
                            report(&shortcode.span, format!("the chart template failed: {problem}"), None);
                            None
                        }
                        Err(FigureProblem::Unknown) if withheld_chart(site, name) => None,
                        Err(FigureProblem::Unknown) => {
                            let names = blocks.chart_names();
                            let help = match suggest(name, names.iter().map(String::as_str)) {
                                Some(close) => format!("did you mean `{close}`?"),
                                None => format!(
                                    "charts: {}, company-<id>, deal-<id>",
                                    names
                                        .iter()
                                        .filter(|n| !n.starts_with("company-") && !n.starts_with("deal-"))
                                        .cloned()
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            };
                            report(&value_span(&shortcode, "name"), format!("unknown chart `{name}`"), Some(help));
                            None
                        }
                    }
                }
            }
            _ => None,
        };
        if let Some(insert) = expanded {
            if !insert.block {
                inline.insert(source, (Arc::clone(&insert.html), insert.text.clone()));
            }
            expansion.inserts.push(insert);
        }
    }
    expansion
}

/// A block shortcode's HTML (a card, a figure), spliced as its own block.
fn block_insert(shortcode: &Shortcode, html: Arc<str>) -> Insert {
    Insert { span: shortcode.span.clone(), html, text: String::new(), block: true }
}

type Report<'r> = dyn FnMut(&Range<usize>, String, Option<String>) + 'r;

/// Checks the name and the arguments against [`SHORTCODES`].
fn arguments_ok(shortcode: &Shortcode, report: &mut Report<'_>) -> bool {
    let Some((_, required, optional)) = SHORTCODES.iter().find(|(name, _, _)| *name == shortcode.name) else {
        let names: Vec<&str> = SHORTCODES.iter().map(|(name, _, _)| *name).collect();
        let help = match suggest(shortcode.name, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("the shortcodes are: {}", names.join(", ")),
        };
        report(&shortcode.name_span, format!("unknown shortcode `{}`", shortcode.name), Some(help));
        return false;
    };
    let mut ok = true;
    for arg in &shortcode.args {
        let known: Vec<&str> = required.iter().chain(optional.iter()).copied().collect();
        if !known.contains(&arg.key) {
            let help = match suggest(arg.key, known.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("`{}` takes: {}", shortcode.name, known.join(", ")),
            };
            report(&arg.key_span, format!("unknown argument `{}` for `{}`", arg.key, shortcode.name), Some(help));
            ok = false;
        } else if !matches!(arg.value, ArgValue::Text(_)) {
            report(
                &arg.value_span,
                format!("`{}` must be a string", arg.key),
                Some(format!("write `{}=\"...\"`", arg.key)),
            );
            ok = false;
        }
        if shortcode.args.iter().filter(|a| a.key == arg.key).count() > 1 {
            report(
                &arg.key_span,
                format!("argument `{}` is given twice", arg.key),
                Some("keep one of them".to_string()),
            );
            ok = false;
        }
    }
    for key in *required {
        if shortcode.arg(key).is_none() {
            report(
                &shortcode.span,
                format!("`{}` needs the argument `{key}`", shortcode.name),
                Some(format!("write `{{{{ {}({key}=\"...\") }}}}`", shortcode.name)),
            );
            ok = false;
        }
    }
    ok
}

fn text_arg<'s>(shortcode: &'s Shortcode, key: &str) -> Option<&'s str> {
    match &shortcode.arg(key)?.value {
        ArgValue::Text(text) => Some(text),
        _ => None,
    }
}

fn value_span(shortcode: &Shortcode, key: &str) -> Range<usize> {
    shortcode.arg(key).map_or(shortcode.span.clone(), |a| a.value_span.clone())
}

/// Whether `name` is the chart of a deal or company left out of a model recovered from errors.
fn withheld_chart(site: &Site, name: &str) -> bool {
    name.strip_prefix("deal-").is_some_and(|id| site.withheld.deal(id))
        || name.strip_prefix("company-").is_some_and(|id| site.withheld.company(id))
}

fn unknown_deal(site: &Site, shortcode: &Shortcode, key: &str, report: &mut Report<'_>) {
    let id = text_arg(shortcode, key).unwrap_or_default();
    if site.withheld.deal(id) {
        return; // its entry has an error of its own, reported where it is defined
    }
    let help = match suggest(id, site.deals.iter().map(|d| d.id.as_str())) {
        Some(close) => format!("did you mean `{close}`?"),
        None => "add the deal to content/deals.toml, or fix the id".to_string(),
    };
    report(&value_span(shortcode, key), format!("unknown deal `{id}`"), Some(help));
}

fn value(site: &Site, shortcode: &Shortcode, page_path: &str, report: &mut Report<'_>) -> Option<Insert> {
    let id = text_arg(shortcode, "deal")?;
    let Some(deal) = site.deal(id) else {
        unknown_deal(site, shortcode, "deal", report);
        return None;
    };
    let field = text_arg(shortcode, "field").unwrap_or("value");
    let text = match field {
        "value" => Some(format::deal_value(deal)),
        "capacity" => deal.capacity_gw.map(format::gigawatts),
        "term" => deal.term_years.map(format::years),
        "announced" => Some(deal.announced.long()),
        _ => {
            let help = match suggest(field, VALUE_FIELDS) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("fields: {}", VALUE_FIELDS.join(", ")),
            };
            report(&value_span(shortcode, "field"), format!("unknown field `{field}`"), Some(help));
            return None;
        }
    };
    let Some(text) = text else {
        report(
            &value_span(shortcode, "field"),
            format!("deal `{id}` has no {field} in the registry"),
            Some(format!("add it to the deal in content/deals.toml, or leave the {field} out of the prose")),
        );
        return None;
    };
    let note = match (field, deal.is_active()) {
        ("value", false) => format!("{} ({}; not counted in totals)", deal.title, deal.status.label().to_lowercase()),
        ("value", true) => format!("{} ({})", deal.title, how_it_counts(deal)),
        _ => deal.title.clone(),
    };
    let href = paths::relative(page_path, &paths::deal(&deal.id));
    let html = format!(
        "<a class=\"figure figure-{}\" href=\"{}\" title=\"{}\">{}</a>",
        deal.bucket().map_or("none", |b| b.key()),
        escape_html(&href),
        escape_html(&note),
        escape_html(&text)
    );
    Some(Insert { span: shortcode.span.clone(), html: html.into(), text, block: false })
}

/// How a figure counts, for its tooltip: a letter of intent, reported talks or an investment plan
/// say so even when the value itself was reported.
fn how_it_counts(deal: &crate::model::Deal) -> String {
    use crate::model::Agreement;
    match deal.agreement {
        Agreement::Contract => deal.basis.label().to_lowercase(),
        other => format!("{}; a ceiling, not counted with firm values", other.label().to_lowercase()),
    }
}

fn company(site: &Site, shortcode: &Shortcode, page_path: &str, report: &mut Report<'_>) -> Option<Insert> {
    let id = text_arg(shortcode, "id")?;
    let Some(company) = site.company(id) else {
        if site.withheld.company(id) {
            return None;
        }
        let help = match suggest(id, site.companies.iter().map(|c| c.id.as_str())) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "add the company to content/companies.toml, or fix the id".to_string(),
        };
        report(&value_span(shortcode, "id"), format!("unknown company `{id}`"), Some(help));
        return None;
    };
    let text = text_arg(shortcode, "text").map_or_else(|| company.name.clone(), str::to_string);
    let href = paths::relative(page_path, &paths::company(&company.id));
    let html = format!("<a class=\"company\" href=\"{}\">{}</a>", escape_html(&href), escape_html(&text));
    Some(Insert { span: shortcode.span.clone(), html: html.into(), text, block: false })
}

fn point(site: &Site, shortcode: &Shortcode, page_path: &str, report: &mut Report<'_>) -> Option<Insert> {
    let id = text_arg(shortcode, "series")?;
    let Some(series) = site.series_by_id(id) else {
        if site.withheld.series(id) {
            return None;
        }
        let help = match suggest(id, site.series.iter().map(|s| s.id.as_str())) {
            Some(close) => format!("did you mean `{close}`?"),
            None => "series are the files of content/series/, named without .toml".to_string(),
        };
        report(&value_span(shortcode, "series"), format!("unknown series `{id}`"), Some(help));
        return None;
    };
    let label = text_arg(shortcode, "line")?;
    let Some(line) = series.line(label) else {
        let labels: Vec<&str> = series.lines.iter().map(|l| l.label.as_str()).collect();
        let help = match suggest(label, labels.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("lines of this series: {}", labels.join(", ")),
        };
        report(&value_span(shortcode, "line"), format!("series `{id}` has no line `{label}`"), Some(help));
        return None;
    };
    let period_text = text_arg(shortcode, "period")?;
    let point =
        crate::model::Period::parse(period_text).ok().and_then(|p| line.points.iter().find(|point| point.period == p));
    let Some(point) = point else {
        let periods: Vec<String> = line.points.iter().map(|p| p.period.key()).collect();
        report(
            &value_span(shortcode, "period"),
            format!("line `{label}` of series `{id}` has no point for `{period_text}`"),
            Some(format!("periods: {}", periods.join(", "))),
        );
        return None;
    };
    let text = format::series_value(point.value, series.unit);
    let href = paths::relative(page_path, &paths::series(&series.id));
    let note = format!("{}: {}, {}", series.title, line.label, point.period.label());
    let html = format!(
        "<a class=\"figure\" href=\"{}\" title=\"{}\">{}</a>",
        escape_html(&href),
        escape_html(&note),
        escape_html(&text)
    );
    Some(Insert { span: shortcode.span.clone(), html: html.into(), text, block: false })
}
