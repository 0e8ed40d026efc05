//! The review report: what a change does to the registry, the totals, the briefs, the pages and
//! the charts, computed from two in-memory builds (BASE and HEAD).
//!
//! Pure: `cmd/diff.rs` resolves git revisions or folders and builds both sides; this module
//! compares the two [`Side`]s and renders the [`Report`] as Markdown for a pull-request comment
//! (summary line first, details folded, under 60,000 characters) or as JSON (shape documented
//! in README, versioned).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::diag::{Diagnostics, Location, Severity, Sources};
use crate::model::totals::{self, Amounts};
use crate::model::{Brief, Company, Deal, Series, Site};
use crate::render::charts::{self, Chart};
use crate::render::format;
use crate::render::{Output, Rendered};

/// One side of the comparison: whatever its build produced.
pub struct Side<'a> {
    pub label: String,
    pub site: Option<&'a Site>,
    pub rendered: Option<&'a Rendered>,
    pub diagnostics: &'a Diagnostics,
    pub sources: &'a Sources,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entity {
    pub id: String,
    pub title: String,
    /// A one-line description (value and kind for deals, role for companies).
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Changed {
    pub id: String,
    pub title: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EntityChanges {
    pub added: Vec<Entity>,
    pub removed: Vec<Entity>,
    pub changed: Vec<Changed>,
}

impl EntityChanges {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TotalChange {
    /// `overall`, `provider` or `buyer`.
    pub scope: String,
    /// Company id for provider and buyer scopes.
    pub company: Option<String>,
    pub label: String,
    /// `firm`, `estimate` or `ceiling`.
    pub measure: String,
    pub before_usd_bn: f64,
    pub after_usd_bn: f64,
    pub difference_usd_bn: f64,
    /// The sum includes a floor ("more than"), so it is a lower bound (firm sums only).
    pub before_at_least: bool,
    pub after_at_least: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BriefChange {
    pub slug: String,
    pub title_before: String,
    pub title_after: String,
    pub words_before: usize,
    pub words_after: usize,
    /// Headings of the sections whose text changed (`(introduction)` before the first heading).
    pub changed_sections: Vec<String>,
    /// Front-matter fields that changed.
    pub changed_fields: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BriefChanges {
    pub added: Vec<Entity>,
    pub removed: Vec<Entity>,
    pub changed: Vec<BriefChange>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct OutputChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
    pub unchanged: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChartChange {
    pub name: String,
    pub title: String,
    /// `added`, `removed` or `changed`.
    pub status: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewDiagnostic {
    pub severity: Severity,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub version: u32,
    pub base: String,
    pub head: String,
    pub changed: bool,
    /// Whether both sides rendered, so that everything was compared; when not, what could not
    /// be compared is left empty (see `registry_compared`) and the summary says so.
    pub compared: bool,
    /// Whether both sides validated, so that the registry, totals and charts were compared
    /// even if the pages were not.
    pub registry_compared: bool,
    pub base_builds: bool,
    pub head_builds: bool,
    pub summary: String,
    pub deals: EntityChanges,
    pub companies: EntityChanges,
    pub series: EntityChanges,
    pub totals: Vec<TotalChange>,
    pub briefs: BriefChanges,
    pub pages: OutputChanges,
    pub files: OutputChanges,
    pub charts: Vec<ChartChange>,
    pub new_diagnostics: Vec<NewDiagnostic>,
}

/// Before and after charts, for `--charts DIR`.
pub struct ChartPair {
    pub name: String,
    pub title: String,
    /// The wide and the narrow (phone) drawing before the change.
    pub before: Option<(String, String)>,
    pub after: Option<(String, String)>,
}

impl ChartPair {
    /// Each drawing as a standalone SVG file: file name and contents.
    pub fn files(&self) -> Vec<(String, String)> {
        let mut files = Vec::new();
        for (side, drawings) in [("before", &self.before), ("after", &self.after)] {
            if let Some((wide, narrow)) = drawings {
                files.push((format!("{}.{side}.svg", self.name), standalone_svg(wide)));
                files.push((format!("{}.{side}.narrow.svg", self.name), standalone_svg(narrow)));
            }
        }
        files
    }
}

pub fn compare(base: &Side<'_>, head: &Side<'_>) -> (Report, Vec<ChartPair>) {
    // A side that does not validate has no model: comparing it as an empty site would report
    // every deal and brief removed and the totals at $0. Then only the diagnostics are compared,
    // and the report says so.
    let empty = Site::empty();
    let (base_site, head_site) = match (base.site, head.site) {
        (Some(base_site), Some(head_site)) => (base_site, head_site),
        _ => (&empty, &empty),
    };
    let deals = compare_by_id(
        &base_site.deals,
        &head_site.deals,
        |d| d.id.clone(),
        |d| deal_entity(base_site, d),
        |d| deal_entity(head_site, d),
        |a, b| deal_fields(base_site, head_site, a, b),
    );
    let companies = compare_by_id(
        &base_site.companies,
        &head_site.companies,
        |c| c.id.clone(),
        company_entity,
        company_entity,
        company_fields,
    );
    let series = compare_by_id(
        &base_site.series,
        &head_site.series,
        |s| s.id.clone(),
        series_entity,
        series_entity,
        series_fields,
    );
    let totals = total_changes(base_site, head_site);
    let briefs =
        if base.site.is_some() && head.site.is_some() { brief_changes(base, head) } else { BriefChanges::default() };
    let empty_output = Output::default();
    let (base_output, head_output) = match (base.rendered, head.rendered) {
        (Some(base_rendered), Some(head_rendered)) => (&base_rendered.output, &head_rendered.output),
        _ => (&empty_output, &empty_output),
    };
    let (pages, files) = output_changes(base_output, head_output);
    let (charts, pairs) = chart_changes(base_site, head_site);
    let new_diagnostics = new_diagnostics(base, head);
    let changed = !(deals.is_empty()
        && companies.is_empty()
        && series.is_empty()
        && totals.is_empty()
        && briefs.added.is_empty()
        && briefs.removed.is_empty()
        && briefs.changed.is_empty()
        && pages.added.is_empty()
        && pages.removed.is_empty()
        && pages.changed.is_empty()
        && files.added.is_empty()
        && files.removed.is_empty()
        && files.changed.is_empty()
        && charts.is_empty()
        && new_diagnostics.is_empty());
    let mut report = Report {
        version: 1,
        base: base.label.clone(),
        head: head.label.clone(),
        changed,
        compared: base.rendered.is_some() && head.rendered.is_some(),
        registry_compared: base.site.is_some() && head.site.is_some(),
        base_builds: base.rendered.is_some() && !base.diagnostics.has_errors(),
        head_builds: head.rendered.is_some() && !head.diagnostics.has_errors(),
        summary: String::new(),
        deals,
        companies,
        series,
        totals,
        briefs,
        pages,
        files,
        charts,
        new_diagnostics,
    };
    report.summary = summary(&report);
    (report, pairs)
}

fn compare_by_id<T>(
    before: &[T],
    after: &[T],
    id: impl Fn(&T) -> String,
    entity_before: impl Fn(&T) -> Entity,
    entity_after: impl Fn(&T) -> Entity,
    fields: impl Fn(&T, &T) -> Vec<FieldChange>,
) -> EntityChanges {
    let before_map: BTreeMap<String, &T> = before.iter().map(|t| (id(t), t)).collect();
    let after_map: BTreeMap<String, &T> = after.iter().map(|t| (id(t), t)).collect();
    let mut changes = EntityChanges::default();
    for (key, item) in &after_map {
        match before_map.get(key) {
            None => changes.added.push(entity_after(item)),
            Some(old) => {
                let fields = fields(old, item);
                if !fields.is_empty() {
                    changes.changed.push(Changed { id: key.clone(), title: entity_after(item).title, fields });
                }
            }
        }
    }
    for (key, item) in &before_map {
        if !after_map.contains_key(key) {
            changes.removed.push(entity_before(item));
        }
    }
    changes
}

fn field(fields: &mut Vec<FieldChange>, name: &str, before: String, after: String) {
    if before != after {
        fields.push(FieldChange { field: name.to_string(), before, after });
    }
}

fn or_none(value: Option<String>) -> String {
    value.unwrap_or_else(|| "(none)".to_string())
}

fn deal_value(deal: &Deal) -> String {
    use crate::model::Basis;
    match deal.basis {
        Basis::Reported => format!("{} (reported)", format::deal_value_short(deal)),
        Basis::Estimate => format!("{} (estimate)", format::deal_value_short(deal)),
        Basis::MoreThan => format!("{} (floor)", format::deal_value_short(deal)),
        Basis::UpTo | Basis::Undisclosed => format::deal_value_short(deal),
    }
}

fn deal_entity(site: &Site, deal: &Deal) -> Entity {
    Entity {
        id: deal.id.clone(),
        title: deal.title.clone(),
        detail: format!(
            "{} → {}, {}, {}{}, status {}, announced {}",
            site.company_label(&deal.buyer),
            site.company_label(&deal.provider),
            deal.kind.label().to_lowercase(),
            // A letter of intent, talks or a plan says so: its value is no contract's.
            match deal.agreement {
                crate::model::Agreement::Contract => String::new(),
                other => format!("{}, ", other.label().to_lowercase()),
            },
            deal_value(deal),
            deal.status.label().to_lowercase(),
            deal.announced.long()
        ),
    }
}

fn deal_fields(base: &Site, head: &Site, a: &Deal, b: &Deal) -> Vec<FieldChange> {
    let mut f = Vec::new();
    field(&mut f, "title", a.title.clone(), b.title.clone());
    field(&mut f, "buyer", base.company_label(&a.buyer), head.company_label(&b.buyer));
    field(&mut f, "provider", base.company_label(&a.provider), head.company_label(&b.provider));
    field(&mut f, "partners", a.partners.join(", "), b.partners.join(", "));
    field(&mut f, "kind", a.kind.key().to_string(), b.kind.key().to_string());
    field(&mut f, "announced", a.announced.long(), b.announced.long());
    field(&mut f, "agreement", a.agreement.label().to_string(), b.agreement.label().to_string());
    field(&mut f, "status", a.status.label().to_string(), b.status.label().to_string());
    field(&mut f, "superseded_by", or_none(a.superseded_by.clone()), or_none(b.superseded_by.clone()));
    field(&mut f, "value", deal_value(a), deal_value(b));
    field(&mut f, "term", or_none(a.term_years.map(format::years)), or_none(b.term_years.map(format::years)));
    field(
        &mut f,
        "capacity",
        or_none(a.capacity_gw.map(format::gigawatts)),
        or_none(b.capacity_gw.map(format::gigawatts)),
    );
    field(&mut f, "chips", a.chips.join(", "), b.chips.join(", "));
    field(
        &mut f,
        "chip_count",
        or_none(a.chip_count.map(format::thousands)),
        or_none(b.chip_count.map(format::thousands)),
    );
    field(&mut f, "summary", a.summary.clone(), b.summary.clone());
    field(&mut f, "notes", or_none(a.notes.clone()), or_none(b.notes.clone()));
    let sources = |d: &Deal| {
        d.sources.iter().map(|s| format!("{} ({})", s.publisher, s.date.iso())).collect::<Vec<_>>().join("; ")
    };
    field(&mut f, "sources", sources(a), sources(b));
    f
}

fn company_entity(company: &Company) -> Entity {
    Entity { id: company.id.clone(), title: company.name.clone(), detail: company.role.label().to_string() }
}

fn company_fields(a: &Company, b: &Company) -> Vec<FieldChange> {
    let mut f = Vec::new();
    field(&mut f, "name", a.name.clone(), b.name.clone());
    field(&mut f, "short_name", or_none(a.short_name.clone()), or_none(b.short_name.clone()));
    field(&mut f, "role", a.role.label().to_string(), b.role.label().to_string());
    field(&mut f, "parent", or_none(a.parent.clone()), or_none(b.parent.clone()));
    field(&mut f, "description", a.description.clone(), b.description.clone());
    field(&mut f, "url", or_none(a.url.clone()), or_none(b.url.clone()));
    f
}

fn series_entity(series: &Series) -> Entity {
    Entity { id: series.id.clone(), title: series.title.clone(), detail: format::plural(series.lines.len(), "line") }
}

fn series_fields(a: &Series, b: &Series) -> Vec<FieldChange> {
    let mut f = Vec::new();
    field(&mut f, "title", a.title.clone(), b.title.clone());
    field(&mut f, "summary", a.summary.clone(), b.summary.clone());
    field(&mut f, "notes", or_none(a.notes.clone()), or_none(b.notes.clone()));
    let points = |s: &Series| -> BTreeMap<(String, String), String> {
        s.lines
            .iter()
            .flat_map(|l| {
                l.points.iter().map(move |p| ((l.label.clone(), p.period.key()), format::series_value(p.value, s.unit)))
            })
            .collect()
    };
    let (before, after) = (points(a), points(b));
    let keys: BTreeSet<&(String, String)> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (old, new) = (before.get(key).cloned(), after.get(key).cloned());
        if old != new {
            f.push(FieldChange { field: format!("{} {}", key.0, key.1), before: or_none(old), after: or_none(new) });
        }
    }
    let sources = |s: &Series| {
        s.sources.iter().map(|s| format!("{} ({})", s.publisher, s.date.iso())).collect::<Vec<_>>().join("; ")
    };
    field(&mut f, "sources", sources(a), sources(b));
    f
}

fn total_changes(base: &Site, head: &Site) -> Vec<TotalChange> {
    let (before, after) = (totals::totals(&base.deals), totals::totals(&head.deals));
    let mut changes = Vec::new();
    let mut push = |scope: &str, company: Option<&str>, label: String, a: Amounts, b: Amounts| {
        let floors = (a.floors > 0, b.floors > 0);
        for (measure, x, y, (before_at_least, after_at_least)) in [
            ("firm", a.firm, b.firm, floors),
            ("estimate", a.estimate, b.estimate, (false, false)),
            ("ceiling", a.ceiling, b.ceiling, (false, false)),
        ] {
            // A firm sum that becomes (or stops being) a lower bound has changed even at the same value.
            if x != y || before_at_least != after_at_least {
                changes.push(TotalChange {
                    scope: scope.to_string(),
                    company: company.map(str::to_string),
                    label: label.clone(),
                    measure: measure.to_string(),
                    before_usd_bn: x as f64 / 1_000.0,
                    after_usd_bn: y as f64 / 1_000.0,
                    difference_usd_bn: (y - x) as f64 / 1_000.0,
                    before_at_least,
                    after_at_least,
                });
            }
        }
    };
    push("overall", None, "All compute commitments".to_string(), before.overall, after.overall);
    for (scope, (a_groups, b_groups)) in
        [("provider", (&before.by_provider, &after.by_provider)), ("buyer", (&before.by_buyer, &after.by_buyer))]
    {
        let ids: BTreeSet<&String> = a_groups.keys().chain(b_groups.keys()).collect();
        for id in ids {
            let label = head.company(id).or_else(|| base.company(id)).map_or(id.clone(), |c| c.name.clone());
            push(
                scope,
                Some(id),
                label,
                a_groups.get(id).copied().unwrap_or_default(),
                b_groups.get(id).copied().unwrap_or_default(),
            );
        }
    }
    changes
}

/// The body split into sections by headings: heading text to section text.
fn sections(body: &str) -> Vec<(String, String)> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut cuts: Vec<(usize, String)> = vec![(0, "(introduction)".to_string())];
    let mut heading: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(body, crate::render::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some((range.start, String::new())),
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, title)) = heading.as_mut() {
                    title.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, title)) = heading.take() {
                    cuts.push((start, title.trim().to_string()));
                }
            }
            _ => {}
        }
    }
    let mut result = Vec::new();
    for (i, (start, title)) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).map_or(body.len(), |(next, _)| *next);
        let text = body.get(*start..end).unwrap_or("");
        result.push((title.clone(), text.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    result
}

fn brief_entity(brief: &Brief) -> Entity {
    Entity { id: brief.slug.clone(), title: brief.title.clone(), detail: format!("dated {}", brief.date.long()) }
}

fn brief_changes(base: &Side<'_>, head: &Side<'_>) -> BriefChanges {
    let empty = Vec::new();
    let before: BTreeMap<&str, &Brief> =
        base.site.map_or(&empty, |s| &s.briefs).iter().map(|b| (b.slug.as_str(), b)).collect();
    let after: BTreeMap<&str, &Brief> =
        head.site.map_or(&empty, |s| &s.briefs).iter().map(|b| (b.slug.as_str(), b)).collect();
    let words = |side: &Side<'_>, slug: &str, brief: &Brief| {
        side.rendered
            .and_then(|r| r.briefs.get(slug))
            .map_or_else(|| brief.body().split_whitespace().count(), |f| f.words)
    };
    let mut changes = BriefChanges::default();
    for (slug, brief) in &after {
        let Some(old) = before.get(slug) else {
            changes.added.push(brief_entity(brief));
            continue;
        };
        let old_sections = sections(old.body());
        let new_sections = sections(brief.body());
        let old_map: BTreeMap<&str, &str> = old_sections.iter().map(|(h, t)| (h.as_str(), t.as_str())).collect();
        let mut changed_sections: Vec<String> = new_sections
            .iter()
            .filter(|(heading, text)| old_map.get(heading.as_str()) != Some(&text.as_str()))
            .map(|(heading, _)| heading.clone())
            .collect();
        let new_headings: BTreeSet<&str> = new_sections.iter().map(|(h, _)| h.as_str()).collect();
        changed_sections.extend(
            old_sections
                .iter()
                .filter(|(h, _)| !new_headings.contains(h.as_str()))
                .map(|(h, _)| format!("{h} (removed)")),
        );
        let mut changed_fields = Vec::new();
        for (name, differs) in [
            ("title", old.title != brief.title),
            ("date", old.date != brief.date),
            ("updated", old.updated != brief.updated),
            ("summary", old.summary != brief.summary),
            ("tags", old.tags != brief.tags),
            ("companies", old.companies != brief.companies),
            ("deals", old.deals != brief.deals),
        ] {
            if differs {
                changed_fields.push(name.to_string());
            }
        }
        if !changed_sections.is_empty() || !changed_fields.is_empty() {
            changes.changed.push(BriefChange {
                slug: slug.to_string(),
                title_before: old.title.clone(),
                title_after: brief.title.clone(),
                words_before: words(base, slug, old),
                words_after: words(head, slug, brief),
                changed_sections,
                changed_fields,
            });
        }
    }
    for (slug, brief) in &before {
        if !after.contains_key(slug) {
            changes.removed.push(brief_entity(brief));
        }
    }
    changes
}

fn output_changes(before: &Output, after: &Output) -> (OutputChanges, OutputChanges) {
    let mut pages = OutputChanges::default();
    let mut files = OutputChanges::default();
    let paths: BTreeSet<&String> = before.files.keys().chain(after.files.keys()).collect();
    for path in paths {
        let target = if path.ends_with(".html") { &mut pages } else { &mut files };
        match (before.files.get(path), after.files.get(path)) {
            (None, Some(_)) => target.added.push(path.clone()),
            (Some(_), None) => target.removed.push(path.clone()),
            (Some(a), Some(b)) if a != b => target.changed.push(path.clone()),
            _ => target.unchanged += 1,
        }
    }
    (pages, files)
}

fn chart_changes(base: &Site, head: &Site) -> (Vec<ChartChange>, Vec<ChartPair>) {
    let draw = |site: &Site| -> BTreeMap<String, Chart> {
        let mut all = charts::site_charts(site).unwrap_or_default();
        let registry = totals::totals(&site.deals);
        for company in &site.companies {
            if let Ok(chart) = charts::company_chart(site, company, &registry) {
                all.insert(chart.name.clone(), chart);
            }
        }
        all
    };
    let (before, after) = (draw(base), draw(head));
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut changes = Vec::new();
    let mut pairs = Vec::new();
    for name in names {
        let (a, b) = (before.get(name), after.get(name));
        let status = match (a, b) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (Some(x), Some(y)) if x.svg != y.svg || x.svg_narrow != y.svg_narrow || x.takeaway != y.takeaway => {
                "changed"
            }
            _ => continue,
        };
        let title = b.or(a).map_or_else(String::new, |c| c.title.clone());
        changes.push(ChartChange { name: name.clone(), title: title.clone(), status: status.to_string() });
        pairs.push(ChartPair {
            name: name.clone(),
            title,
            before: a.map(|c| (c.svg.clone(), c.svg_narrow.clone())),
            after: b.map(|c| (c.svg.clone(), c.svg_narrow.clone())),
        });
    }
    (changes, pairs)
}

fn new_diagnostics(base: &Side<'_>, head: &Side<'_>) -> Vec<NewDiagnostic> {
    let known: BTreeSet<(String, String)> =
        base.diagnostics.iter().map(|d| (d.file.clone(), d.message.clone())).collect();
    head.diagnostics
        .iter()
        .filter(|d| !known.contains(&(d.file.clone(), d.message.clone())))
        .map(|d| {
            let location =
                d.span.as_ref().and_then(|s| head.sources.get(&d.file).map(|text| Location::of(text, s.start)));
            NewDiagnostic {
                severity: d.severity,
                file: d.file.clone(),
                line: location.map(|l| l.line),
                column: location.map(|l| l.column),
                message: d.message.clone(),
            }
        })
        .collect()
}

fn usd_bn(value: f64) -> String {
    format::usd((value * 1_000.0).round() as i64)
}

/// A total as the report shows it: with a trailing `+` when it includes a floor.
fn total_usd_bn(value: f64, at_least: bool) -> String {
    format::usd_plus((value * 1_000.0).round() as i64, at_least)
}

fn signed_usd_bn(value: f64) -> String {
    if value >= 0.0 { format!("+{}", usd_bn(value)) } else { usd_bn(value) }
}

fn summary(report: &Report) -> String {
    if !report.changed {
        return format!("No changes between {} and {}.", report.base, report.head);
    }
    let mut parts = Vec::new();
    let entity = |parts: &mut Vec<String>, changes: &EntityChanges, word: &str| {
        for (list, verb) in
            [(changes.added.len(), "added"), (changes.removed.len(), "removed"), (changes.changed.len(), "changed")]
        {
            if list > 0 {
                parts.push(format!("{} {verb}", format::plural(list, word)));
            }
        }
    };
    entity(&mut parts, &report.deals, "deal");
    entity(&mut parts, &report.companies, "company");
    entity(&mut parts, &report.series, "series");
    if let Some(firm) = report.totals.iter().find(|t| t.scope == "overall" && t.measure == "firm") {
        parts.push(format!(
            "firm commitments {} → {} ({})",
            total_usd_bn(firm.before_usd_bn, firm.before_at_least),
            total_usd_bn(firm.after_usd_bn, firm.after_at_least),
            signed_usd_bn(firm.difference_usd_bn)
        ));
    }
    if let Some(ceiling) = report.totals.iter().find(|t| t.scope == "overall" && t.measure == "ceiling") {
        parts.push(format!("ceilings {} → {}", usd_bn(ceiling.before_usd_bn), usd_bn(ceiling.after_usd_bn)));
    }
    for (count, word, verb) in [
        (report.briefs.added.len(), "brief", "added"),
        (report.briefs.removed.len(), "brief", "removed"),
        (report.briefs.changed.len(), "brief", "changed"),
    ] {
        if count > 0 {
            parts.push(format!("{} {verb}", format::plural(count, word)));
        }
    }
    let pages = report.pages.added.len() + report.pages.removed.len() + report.pages.changed.len();
    if pages > 0 {
        parts.push(format!("{} affected", format::plural(pages, "page")));
    }
    // Files that are not pages (the stylesheet, a data file) when nothing above changed.
    let files = report.files.added.len() + report.files.removed.len() + report.files.changed.len();
    if files > 0 && parts.is_empty() {
        parts.push(format!("{} affected, no page", format::plural(files, "other file")));
    }
    for status in ["added", "removed", "changed"] {
        let count = report.charts.iter().filter(|c| c.status == status).count();
        if count > 0 {
            parts.push(format!("{} {status}", format::plural(count, "chart")));
        }
    }
    if !report.new_diagnostics.is_empty() {
        let errors = report.new_diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        parts.push(format!(
            "{} new ({})",
            format::plural(report.new_diagnostics.len(), "diagnostic"),
            format::plural(errors, "error")
        ));
    }
    let mut line = parts.join(", ");
    if let Some(first) = line.get(..1) {
        line = format!("{}{}", first.to_uppercase(), &line[1..]);
    }
    if !report.head_builds {
        line.push_str(". HEAD does not build");
    }
    if !report.compared {
        line.push_str("; ");
        line.push_str(if report.registry_compared { "pages" } else { "registry, totals, briefs, pages and charts" });
        line.push_str(" not compared until both sides build");
    }
    format!("{line}.")
}

/// The largest comment a pull request accepts comfortably.
pub const MARKDOWN_LIMIT: usize = 60_000;

/// The report as Markdown for a pull-request comment.
pub fn to_markdown(report: &Report) -> String {
    let mut sections: Vec<(String, Vec<String>)> = Vec::new();
    let mut md = format!(
        "<!-- infrabrief-diff -->\n**infrabrief review** of `{}` → `{}`: {}\n",
        report.base, report.head, report.summary
    );
    if !report.changed {
        return md;
    }
    if !report.head_builds {
        md.push_str("\n> **HEAD does not build.** See the new diagnostics below.\n");
    }
    let entity_lines = |changes: &EntityChanges| -> Vec<String> {
        let mut lines = Vec::new();
        for e in &changes.added {
            lines.push(format!("- **added** `{}` {}: {}", e.id, e.title, e.detail));
        }
        for e in &changes.removed {
            lines.push(format!("- **removed** `{}` {}: {}", e.id, e.title, e.detail));
        }
        for c in &changes.changed {
            lines.push(format!("- **changed** `{}` {}", c.id, c.title));
            for f in &c.fields {
                lines.push(format!("  - {}: {} → {}", f.field, inline(&f.before), inline(&f.after)));
            }
        }
        lines
    };
    for (title, changes) in [("Deals", &report.deals), ("Companies", &report.companies), ("Series", &report.series)] {
        if !changes.is_empty() {
            let counts = format!(
                "{} added, {} removed, {} changed",
                changes.added.len(),
                changes.removed.len(),
                changes.changed.len()
            );
            sections.push((format!("{title}: {counts}"), entity_lines(changes)));
        }
    }
    if !report.totals.is_empty() {
        let mut lines = vec![
            "| Scope | Measure | Before | After | Difference |".to_string(),
            "|---|---|---:|---:|---:|".to_string(),
        ];
        for t in &report.totals {
            let scope = match t.scope.as_str() {
                "overall" => t.label.clone(),
                scope => format!("{} as {scope}", t.label),
            };
            lines.push(format!(
                "| {} | {} | {} | {} | {} |",
                scope,
                t.measure,
                total_usd_bn(t.before_usd_bn, t.before_at_least),
                total_usd_bn(t.after_usd_bn, t.after_at_least),
                signed_usd_bn(t.difference_usd_bn)
            ));
        }
        if report.totals.iter().any(|t| t.before_at_least || t.after_at_least) {
            lines.push(String::new());
            lines.push(
                "A value ending in + includes a floor (the sources say \"more than\"): it is a lower bound."
                    .to_string(),
            );
        }
        sections.push((format!("Totals: {} changed", format::plural(report.totals.len(), "figure")), lines));
    }
    let b = &report.briefs;
    if !(b.added.is_empty() && b.removed.is_empty() && b.changed.is_empty()) {
        let mut lines = Vec::new();
        for e in &b.added {
            lines.push(format!("- **added** `{}` {} ({})", e.id, e.title, e.detail));
        }
        for e in &b.removed {
            lines.push(format!("- **removed** `{}` {}", e.id, e.title));
        }
        for c in &b.changed {
            let title = if c.title_before == c.title_after {
                c.title_after.clone()
            } else {
                format!("{} → {}", c.title_before, c.title_after)
            };
            let delta = c.words_after as i64 - c.words_before as i64;
            lines.push(format!(
                "- **changed** `{}` {}: {} → {} words ({:+})",
                c.slug, title, c.words_before, c.words_after, delta
            ));
            if !c.changed_fields.is_empty() {
                lines.push(format!("  - front matter: {}", c.changed_fields.join(", ")));
            }
            if !c.changed_sections.is_empty() {
                lines.push(format!("  - sections: {}", c.changed_sections.join("; ")));
            }
        }
        sections.push((
            format!("Briefs: {} added, {} removed, {} changed", b.added.len(), b.removed.len(), b.changed.len()),
            lines,
        ));
    }
    for (title, changes) in [("Pages", &report.pages), ("Other files", &report.files)] {
        if changes.added.is_empty() && changes.removed.is_empty() && changes.changed.is_empty() {
            continue;
        }
        let mut lines = Vec::new();
        for (verb, list) in [("added", &changes.added), ("removed", &changes.removed), ("changed", &changes.changed)] {
            for path in list {
                lines.push(format!("- {verb} `{path}`"));
            }
        }
        sections.push((
            format!(
                "{title}: {} added, {} removed, {} changed, {} unchanged",
                changes.added.len(),
                changes.removed.len(),
                changes.changed.len(),
                changes.unchanged
            ),
            lines,
        ));
    }
    if !report.charts.is_empty() {
        let lines = report.charts.iter().map(|c| format!("- {} `{}` {}", c.status, c.name, c.title)).collect();
        let count = |status: &str| report.charts.iter().filter(|c| c.status == status).count();
        let title =
            format!("Charts: {} added, {} removed, {} changed", count("added"), count("removed"), count("changed"));
        sections.push((title, lines));
    }
    if !report.new_diagnostics.is_empty() {
        let lines = report
            .new_diagnostics
            .iter()
            .map(|d| {
                let place = match (d.line, d.column) {
                    (Some(l), Some(c)) => format!("{}:{l}:{c}", d.file),
                    _ => d.file.clone(),
                };
                let severity = if d.severity == Severity::Error { "error" } else { "warning" };
                format!("- {severity} `{place}`: {}", inline(&d.message))
            })
            .collect();
        sections.push((format!("New diagnostics: {}", report.new_diagnostics.len()), lines));
    }
    // Fit the limit: cut the longest lists first, saying where.
    let fixed: usize = md.len() + sections.iter().map(|(t, _)| t.len() + 64).sum::<usize>();
    let mut budget = MARKDOWN_LIMIT.saturating_sub(fixed + 200);
    let total: usize = sections.iter().flat_map(|(_, l)| l.iter()).map(|l| l.len() + 1).sum();
    let cut = total > budget;
    for (title, lines) in &sections {
        let _ = write!(md, "\n<details><summary>{title}</summary>\n\n");
        let mut shown = 0;
        for line in lines {
            if cut && line.len() + 1 > budget {
                break;
            }
            budget = budget.saturating_sub(line.len() + 1);
            md.push_str(line);
            md.push('\n');
            shown += 1;
        }
        if shown < lines.len() {
            let _ = writeln!(
                md,
                "\n*… {} more lines cut to keep this comment under {MARKDOWN_LIMIT} characters; run `infrabrief diff --format json` for everything.*",
                lines.len() - shown
            );
        }
        md.push_str("\n</details>\n");
    }
    md
}

/// Text on one line, shortened, with Markdown's table and code characters defused.
fn inline(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|");
    if one_line.chars().count() > 200 {
        format!("{}…", one_line.chars().take(200).collect::<String>())
    } else {
        one_line
    }
}

pub fn to_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_string())
}

/// A page showing each changed chart before and after, for `--charts DIR`.
pub fn charts_page(report: &Report, pairs: &[ChartPair]) -> String {
    let mut html = String::from(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Charts changed</title>\n<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1c20;background:#fbfaf7}h2{margin-top:2.5rem}.pair{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}.pair figure{margin:0;background:#fff;border:1px solid #dcd8cf;border-radius:8px;padding:.75rem}.pair img{width:100%;height:auto}.none{color:#575b66;font-style:italic}</style>\n</head>\n<body>\n",
    );
    let _ = writeln!(
        html,
        "<h1>Charts changed</h1>\n<p>{} → {}: {}</p>",
        format::escape_html(&report.base),
        format::escape_html(&report.head),
        format::escape_html(&report.summary)
    );
    for pair in pairs {
        let _ = writeln!(
            html,
            "<h2>{} <code>{}</code></h2>\n<div class=\"pair\">",
            format::escape_html(&pair.title),
            format::escape_html(&pair.name)
        );
        for (label, side, file) in [
            ("Before", &pair.before, format!("{}.before.svg", pair.name)),
            ("After", &pair.after, format!("{}.after.svg", pair.name)),
            ("Before, on a phone", &pair.before, format!("{}.before.narrow.svg", pair.name)),
            ("After, on a phone", &pair.after, format!("{}.after.narrow.svg", pair.name)),
        ] {
            match side {
                Some(_) => {
                    let _ = writeln!(
                        html,
                        "<figure><figcaption>{label}</figcaption><img src=\"{file}\" alt=\"{label}: {}\"></figure>",
                        format::escape_html(&pair.title)
                    );
                }
                None => {
                    let _ = writeln!(
                        html,
                        "<figure><figcaption>{label}</figcaption><p class=\"none\">No such chart.</p></figure>"
                    );
                }
            }
        }
        html.push_str("</div>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// A chart SVG as a standalone file: the namespace is already there; text needs a colour.
pub fn standalone_svg(svg: &str) -> String {
    svg.replacen("<svg ", "<svg style=\"color:#1b1c20;font-family:sans-serif\" ", 1)
}
