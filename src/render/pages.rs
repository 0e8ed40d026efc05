//! Every page of the site through tera, plus the feed, sitemap, data files and static files.
//!
//! Order of work: parse the templates once; render every brief and page body (shortcodes, then
//! Markdown), collecting diagnostics; stop if any error was found; then fill each template with
//! views. Cross-references (the briefs citing a deal, the deals of a company) are computed once
//! here with maps, never by scanning per page.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use tera::{Context, Tera};

use super::charts::{self, Chart};
use super::expand::{self, Blocks, Document};
use super::markdown::{self, Heading, Resolver};
use super::theme::Theme;
use super::views::{AmountsView, BriefRef, CompanyRef, DealRow, Link, SourceView, TagRef, counting_note};
use super::{BriefFacts, Output, Rendered, Stats, data, feed, format, paths, search};
use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::model::totals::{self, Amounts};
use crate::model::{Role, Site};

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    author: &'a str,
}

#[derive(Serialize, Clone)]
struct NavItem {
    title: &'static str,
    path: &'static str,
    section: &'static str,
}

const NAV: [NavItem; 5] = [
    NavItem { title: "Briefs", path: paths::BRIEFS, section: "briefs" },
    NavItem { title: "Deals", path: paths::REGISTRY, section: "deals" },
    NavItem { title: "Companies", path: paths::COMPANIES, section: "companies" },
    NavItem { title: "Data", path: paths::SERIES, section: "series" },
    NavItem { title: "Topics", path: paths::TAGS, section: "tags" },
];

/// A rendered Markdown body.
struct Body {
    html: String,
    headings: Vec<Heading>,
    words: usize,
    deals: BTreeSet<String>,
    companies: BTreeSet<String>,
    charts: Vec<Chart>,
    /// Plain text, for the search index.
    text: String,
}

pub fn render_site(site: &Site, theme: &Theme) -> (Option<Rendered>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let tera = match build_tera(theme) {
        Ok(tera) => tera,
        Err(problems) => return (None, problems),
    };
    let rows: BTreeMap<String, DealRow> = site.deals.iter().map(|d| (d.id.clone(), DealRow::of(site, d))).collect();
    let site_charts = match charts::site_charts(site) {
        Ok(charts) => charts,
        Err(error) => return (None, chart_failure(&error)),
    };
    let distribution = charts::aggregate::distribution(site);
    let cards = TeraBlocks { tera: &tera, site, rows: &rows, charts: &site_charts, distribution: &distribution };

    let brief_bodies: Vec<Body> = site
        .briefs
        .iter()
        .map(|brief| {
            let path = paths::brief(&brief.slug);
            let document =
                Document { file: &brief.file, body: &brief.body, body_offset: brief.body_offset, page_path: &path };
            render_body(site, theme, &cards, &document, &mut diagnostics)
        })
        .collect();
    let page_bodies: Vec<Body> = site
        .pages
        .iter()
        .map(|page| {
            let path = paths::page(&page.slug);
            let document =
                Document { file: &page.file, body: &page.body, body_offset: page.body_offset, page_path: &path };
            render_body(site, theme, &cards, &document, &mut diagnostics)
        })
        .collect();
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }

    let mut pages =
        Pages { tera: &tera, site, theme, output: Output::default(), diagnostics: &mut diagnostics, count: 0 };
    let brief_refs: Vec<BriefRef> =
        site.briefs.iter().zip(&brief_bodies).map(|(b, body)| BriefRef::of(b, body.words)).collect();

    // Cross-references, computed once.
    let mut briefs_by_deal: BTreeMap<&str, Vec<&BriefRef>> = BTreeMap::new();
    let mut briefs_by_company: BTreeMap<&str, Vec<&BriefRef>> = BTreeMap::new();
    for ((brief, body), brief_ref) in site.briefs.iter().zip(&brief_bodies).zip(&brief_refs) {
        let deals: BTreeSet<&str> =
            brief.deals.iter().map(String::as_str).chain(body.deals.iter().map(String::as_str)).collect();
        for deal in deals {
            briefs_by_deal.entry(deal).or_default().push(brief_ref);
        }
        let companies: BTreeSet<&str> =
            brief.companies.iter().map(String::as_str).chain(body.companies.iter().map(String::as_str)).collect();
        for company in companies {
            briefs_by_company.entry(company).or_default().push(brief_ref);
        }
    }
    let totals = totals::totals(&site.deals);
    let all_rows: Vec<&DealRow> = site.deals.iter().filter_map(|d| rows.get(&d.id)).collect();

    // Home.
    let mut context = Context::new();
    context.insert("briefs", &brief_refs.iter().take(6).collect::<Vec<_>>());
    context.insert("deals", &all_rows.iter().take(8).collect::<Vec<_>>());
    context.insert("headline", &headline(site, &totals));
    context.insert("top_providers", &ranking(site, &totals.by_provider, 8));
    context.insert("top_buyers", &ranking(site, &totals.by_buyer, 8));
    let home_charts: Vec<&Chart> =
        [charts::PROVIDERS, charts::FLOWS, charts::CUMULATIVE].iter().filter_map(|n| site_charts.get(*n)).collect();
    context.insert("charts", &home_charts);
    pages.page("index.html", paths::HOME, "home", &site.config.title, &site.config.description, context);

    // Briefs.
    for (index, ((brief, body), brief_ref)) in site.briefs.iter().zip(&brief_bodies).zip(&brief_refs).enumerate() {
        let path = paths::brief(&brief.slug);
        let mut context = Context::new();
        context.insert("brief", brief_ref);
        context.insert("content", &body.html);
        context.insert("toc", &body.headings.iter().filter(|h| h.level == 2 || h.level == 3).collect::<Vec<_>>());
        context.insert("words", &body.words);
        let mut companies: Vec<CompanyRef> = brief.companies.iter().map(|id| CompanyRef::new(site, id)).collect();
        companies.sort_by(|a, b| a.name.cmp(&b.name));
        context.insert("companies", &companies);
        let deal_rows: Vec<&DealRow> = brief.deals.iter().filter_map(|id| rows.get(id)).collect();
        context.insert("deals", &deal_rows);
        // Briefs are listed newest first: "newer" is the previous index.
        let newer = index
            .checked_sub(1)
            .and_then(|i| brief_refs.get(i))
            .map(|b| Link { title: b.title.clone(), path: b.path.clone() });
        let older = brief_refs.get(index + 1).map(|b| Link { title: b.title.clone(), path: b.path.clone() });
        context.insert("newer", &newer);
        context.insert("older", &older);
        pages.page("brief.html", &path, "briefs", &brief.title, &brief.summary, context);
    }
    let mut context = Context::new();
    context.insert("briefs", &brief_refs);
    pages.page("briefs.html", paths::BRIEFS, "briefs", "Briefs", "Every brief, newest first.", context);

    // Deals.
    for deal in &site.deals {
        let Some(row) = rows.get(&deal.id) else {
            continue;
        };
        let mut context = Context::new();
        context.insert("deal", row);
        context.insert("partners", &deal.partners.iter().map(|id| CompanyRef::new(site, id)).collect::<Vec<_>>());
        context.insert("sources", &deal.sources.iter().map(SourceView::of).collect::<Vec<_>>());
        context.insert("notes", &deal.notes);
        context.insert("chip_count", &deal.chip_count.map(format::thousands));
        context.insert("counting_note", &counting_note(deal));
        let superseded_by = deal
            .superseded_by
            .as_ref()
            .and_then(|id| rows.get(id))
            .map(|r| Link { title: r.title.clone(), path: r.path.clone() });
        context.insert("superseded_by", &superseded_by);
        let supersedes: Vec<Link> = site
            .deals
            .iter()
            .filter(|d| d.superseded_by.as_deref() == Some(deal.id.as_str()))
            .map(|d| Link { title: d.title.clone(), path: paths::deal(&d.id) })
            .collect();
        context.insert("supersedes", &supersedes);
        context.insert("briefs", &briefs_by_deal.get(deal.id.as_str()).cloned().unwrap_or_default());
        match charts::deal_chart(site, deal, &distribution) {
            Ok(chart) => {
                context.insert("chart", &chart);
                pages.output.insert(chart.csv_path.clone(), chart.csv.clone());
            }
            Err(error) => pages.diagnostics.extend(chart_failure(&error)),
        }
        pages.page("deal.html", &paths::deal(&deal.id), "deals", &deal.title, &deal.summary, context);
    }
    let mut context = Context::new();
    context.insert("deals", &all_rows);
    context.insert("headline", &headline(site, &totals));
    pages.page(
        "registry.html",
        paths::REGISTRY,
        "deals",
        "Deal registry",
        "Every deal in the registry, with its value, status and sources.",
        context,
    );

    // Companies.
    for company in &site.companies {
        let mut context = Context::new();
        let as_buyer: Vec<&DealRow> =
            site.deals.iter().filter(|d| d.buyer == company.id).filter_map(|d| rows.get(&d.id)).collect();
        let as_provider: Vec<&DealRow> =
            site.deals.iter().filter(|d| d.provider == company.id).filter_map(|d| rows.get(&d.id)).collect();
        let as_partner: Vec<&DealRow> =
            site.deals.iter().filter(|d| d.partners.contains(&company.id)).filter_map(|d| rows.get(&d.id)).collect();
        context.insert("company", &CompanyView::of(site, company));
        context.insert("as_buyer", &as_buyer);
        context.insert("as_provider", &as_provider);
        context.insert("as_partner", &as_partner);
        context
            .insert("buyer_totals", &AmountsView::of(&totals.by_buyer.get(&company.id).copied().unwrap_or_default()));
        context.insert(
            "provider_totals",
            &AmountsView::of(&totals.by_provider.get(&company.id).copied().unwrap_or_default()),
        );
        context.insert("briefs", &briefs_by_company.get(company.id.as_str()).cloned().unwrap_or_default());
        match charts::company_chart(site, company) {
            Ok(chart) => {
                context.insert("chart", &chart);
                pages.output.insert(chart.csv_path.clone(), chart.csv.clone());
            }
            Err(error) => pages.diagnostics.extend(chart_failure(&error)),
        }
        let description = first_sentence(&company.description);
        pages.page("company.html", &paths::company(&company.id), "companies", &company.name, &description, context);
    }
    let mut groups = Vec::new();
    for (_, role) in Role::ALL {
        let members: Vec<CompanyView> =
            site.companies.iter().filter(|c| c.role == role).map(|c| CompanyView::of(site, c)).collect();
        if !members.is_empty() {
            groups.push(RoleGroup { role: role.label(), companies: members });
        }
    }
    let mut context = Context::new();
    context.insert("groups", &groups);
    pages.page(
        "companies.html",
        paths::COMPANIES,
        "companies",
        "Companies",
        "The companies in the registry, by role.",
        context,
    );

    // Tags.
    let tags = site.tags();
    let brief_ref_by_slug: BTreeMap<&str, &BriefRef> = brief_refs.iter().map(|b| (b.slug.as_str(), b)).collect();
    let mut tag_list = Vec::new();
    for (tag, briefs) in &tags {
        let refs: Vec<&BriefRef> =
            briefs.iter().filter_map(|b| brief_ref_by_slug.get(b.slug.as_str()).copied()).collect();
        let mut context = Context::new();
        context.insert("tag", tag);
        context.insert("briefs", &refs);
        pages.page(
            "tag.html",
            &paths::tag(tag),
            "tags",
            &format!("Topic: {tag}"),
            &format!("Briefs on {tag}."),
            context,
        );
        tag_list.push(TagCount { name: tag.to_string(), path: paths::tag(tag), count: briefs.len() });
    }
    let mut context = Context::new();
    context.insert("tags", &tag_list);
    pages.page("tags.html", paths::TAGS, "tags", "Topics", "Every topic the briefs cover.", context);

    // Series.
    let mut series_list = Vec::new();
    for series in &site.series {
        let mut context = Context::new();
        let view = SeriesView::of(series);
        context.insert("series", &view);
        context.insert("chart", &site_charts.get(&charts::series_chart_name(&series.id)));
        pages.page("series.html", &paths::series(&series.id), "series", &series.title, &series.summary, context);
        pages.output.insert(paths::series_csv(&series.id), data::series_csv(series));
        series_list.push(Link { title: series.title.clone(), path: paths::series(&series.id) });
    }
    let mut context = Context::new();
    context.insert("series", &site.series.iter().map(SeriesView::of).collect::<Vec<_>>());
    let registry_charts: Vec<&Chart> =
        [charts::PROVIDERS, charts::BUYERS, charts::CUMULATIVE, charts::TIMELINE, charts::FLOWS]
            .iter()
            .filter_map(|n| site_charts.get(*n))
            .collect();
    context.insert("charts", &registry_charts);
    pages.page(
        "series_index.html",
        paths::SERIES,
        "series",
        "Data",
        "Time series and downloads behind the briefs.",
        context,
    );

    // Content pages and the 404.
    for (page, body) in site.pages.iter().zip(&page_bodies) {
        let mut context = Context::new();
        context.insert("content", &body.html);
        context.insert("summary", &page.summary);
        let description = page.summary.clone().unwrap_or_default();
        pages.page("page.html", &paths::page(&page.slug), "page", &page.title, &description, context);
    }
    pages.page("404.html", paths::NOT_FOUND, "none", "Page not found", "This page does not exist.", Context::new());

    // Chart data: every site chart, and the charts briefs and pages placed.
    for chart in site_charts.values().chain(brief_bodies.iter().chain(&page_bodies).flat_map(|b| b.charts.iter())) {
        pages.output.insert(chart.csv_path.clone(), chart.csv.clone());
    }

    // Search index.
    let texts: Vec<search::BriefText<'_>> = site
        .briefs
        .iter()
        .zip(&brief_bodies)
        .map(|(brief, body)| search::BriefText { brief, text: &body.text, headings: &body.headings })
        .collect();
    let search_script = search::build(site, &texts).to_script();
    let search_index_bytes = search_script.len();
    pages.output.insert(paths::SEARCH_INDEX, search_script);

    // Feeds, data, static files.
    pages.output.insert(paths::FEED, feed::atom(site, &brief_refs));
    pages.output.insert(paths::DEALS_CSV, data::deals_csv(site));
    pages.output.insert(paths::DEALS_JSON, data::deals_json(site));
    pages.output.insert(paths::COMPANIES_CSV, data::companies_csv(site));
    let page_count = pages.count;
    let mut output = pages.output;
    if let Some(base_url) = &site.config.base_url {
        let html: Vec<&str> = output.html_pages().map(|(p, _)| p).collect();
        let sitemap = feed::sitemap(base_url, &html);
        output.insert(paths::SITEMAP, sitemap);
    }
    for (path, bytes) in &theme.static_files {
        if output.files.contains_key(path) {
            diagnostics.push(
                Diagnostic::error(
                    format!("static/{path}"),
                    None,
                    format!("static file `{path}` collides with a generated file"),
                )
                .with_help("rename or move the static file"),
            );
            continue;
        }
        output.insert(path.clone(), bytes.clone());
    }
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    let stats = Stats {
        pages: page_count,
        briefs: site.briefs.len(),
        deals: site.deals.len(),
        data_files: output.files.keys().filter(|p| p.starts_with("data/")).count(),
        static_files: theme.static_files.len(),
        search_index_bytes,
    };
    let briefs = site
        .briefs
        .iter()
        .zip(brief_bodies)
        .map(|(brief, body)| (brief.slug.clone(), BriefFacts { words: body.words, headings: body.headings }))
        .collect();
    (Some(Rendered { output, stats, briefs }), diagnostics)
}

fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(end) => text[..=end].to_string(),
        None => text.to_string(),
    }
}

/// Parses every template once. Template errors point into the template file.
fn build_tera(theme: &Theme) -> Result<Tera, Diagnostics> {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".xml"]);
    let templates: Vec<(&str, &str)> = theme.templates.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    match tera.add_raw_templates(templates) {
        Ok(()) => Ok(tera),
        Err(error) => Err(Diagnostics::from(vec![template_diagnostic(&error, None)])),
    }
}

fn template_diagnostic(error: &tera::Error, template: Option<&str>) -> Diagnostic {
    match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => Diagnostic::error(
            format!("templates/{}", report.filename()),
            Some(report.span().range.clone()),
            format!("template error: {}", report.message().trim_end_matches('.')),
        ),
        _ => Diagnostic::error(
            format!("templates/{}", template.unwrap_or("")),
            None,
            format!("template error: {}", error.to_string().trim_end_matches('.')),
        ),
    }
}

fn chart_failure(error: &charts::canvas::DrawError) -> Diagnostics {
    Diagnostics::from(vec![Diagnostic::error(
        "content/deals.toml",
        None,
        format!("a chart could not be drawn: {}", error.0),
    )])
}

/// What block shortcodes draw on: deal rows, charts, and the templates that render them.
struct TeraBlocks<'a> {
    tera: &'a Tera,
    site: &'a Site,
    rows: &'a BTreeMap<String, DealRow>,
    charts: &'a BTreeMap<String, Chart>,
    distribution: &'a [usize; 8],
}

impl Blocks for TeraBlocks<'_> {
    fn deal_row(&self, id: &str) -> Option<DealRow> {
        self.rows.get(id).cloned()
    }

    fn chart(&self, name: &str) -> Result<Chart, String> {
        if let Some(chart) = self.charts.get(name) {
            return Ok(chart.clone());
        }
        let drawn = if let Some(company) = name.strip_prefix("company-").and_then(|id| self.site.company(id)) {
            charts::company_chart(self.site, company)
        } else if let Some(deal) = name.strip_prefix("deal-").and_then(|id| self.site.deal(id)) {
            charts::deal_chart(self.site, deal, self.distribution)
        } else {
            return Err(format!("unknown chart `{name}`"));
        };
        drawn.map_err(|e| e.0)
    }

    fn chart_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.charts.keys().cloned().collect();
        names.extend(self.site.companies.iter().map(|c| format!("company-{}", c.id)));
        names.extend(self.site.deals.iter().map(|d| format!("deal-{}", d.id)));
        names
    }

    fn deal_card(&self, row: &DealRow, page_path: &str) -> Result<String, String> {
        let mut context = Context::new();
        context.insert("deal", row);
        context.insert("root", &paths::root_prefix(page_path));
        self.tera.render("shortcodes/deal.html", &context).map_err(|e| e.to_string())
    }

    fn chart_figure(&self, chart: &Chart, page_path: &str) -> Result<String, String> {
        let mut context = Context::new();
        context.insert("chart", chart);
        context.insert("root", &paths::root_prefix(page_path));
        self.tera.render("partials/chart.html", &context).map_err(|e| e.to_string())
    }
}

/// Resolves `@/` links and image paths for the page at `from`.
struct PageResolver<'a> {
    site: &'a Site,
    theme: &'a Theme,
    from: &'a str,
}

impl Resolver for PageResolver<'_> {
    fn content_link(&self, path: &str) -> Result<String, String> {
        if let Some(slug) = path.strip_prefix("briefs/").and_then(|p| p.strip_suffix(".md")) {
            if self.site.briefs.iter().any(|b| b.slug == slug) {
                return Ok(paths::relative(self.from, &paths::brief(slug)));
            }
            return Err(format!("no brief `content/briefs/{slug}.md` (or it is a draft)"));
        }
        if let Some(slug) = path.strip_prefix("pages/").and_then(|p| p.strip_suffix(".md")) {
            if self.site.pages.iter().any(|p| p.slug == slug) {
                return Ok(paths::relative(self.from, &paths::page(slug)));
            }
            return Err(format!("no page `content/pages/{slug}.md` (or it is a draft)"));
        }
        Err(format!("`@/{path}` is not a brief or a page"))
    }

    fn asset(&self, path: &str) -> Option<String> {
        let clean = path.split(['?', '#']).next().unwrap_or(path);
        (!clean.split('/').any(|part| part == ".." || part == ".") && self.theme.static_files.contains_key(clean))
            .then(|| paths::relative(self.from, clean))
    }
}

fn render_body(
    site: &Site,
    theme: &Theme,
    blocks: &TeraBlocks<'_>,
    document: &Document<'_>,
    diagnostics: &mut Diagnostics,
) -> Body {
    let expansion = expand::expand(site, blocks, document, diagnostics);
    let resolver = PageResolver { site, theme, from: document.page_path };
    let rendered = markdown::render(document.body, &expansion.inserts, &resolver);
    for problem in rendered.problems {
        let span = problem.span.start + document.body_offset..problem.span.end + document.body_offset;
        let mut diagnostic = match problem.severity {
            Severity::Error => Diagnostic::error(document.file, Some(span), problem.message),
            Severity::Warning => Diagnostic::warning(document.file, Some(span), problem.message),
        };
        diagnostic.help = problem.help;
        diagnostics.push(diagnostic);
    }
    Body {
        html: rendered.html,
        headings: rendered.headings,
        words: rendered.words,
        deals: expansion.deals,
        companies: expansion.companies,
        charts: expansion.charts,
        text: rendered.text,
    }
}

/// Renders templates into the output with the context every page shares.
struct Pages<'a> {
    tera: &'a Tera,
    site: &'a Site,
    theme: &'a Theme,
    output: Output,
    diagnostics: &'a mut Diagnostics,
    count: usize,
}

impl Pages<'_> {
    fn page(
        &mut self,
        template: &str,
        path: &str,
        section: &str,
        title: &str,
        description: &str,
        mut context: Context,
    ) {
        let config = &self.site.config;
        context.insert(
            "site",
            &SiteView {
                title: &config.title,
                description: &config.description,
                language: &config.language,
                author: &config.author,
            },
        );
        context.insert("root", &paths::root_prefix(path));
        context.insert("path", path);
        context.insert("section", section);
        context.insert("page_title", title);
        context.insert("description", description);
        context.insert("nav", &NAV);
        let footer: Vec<Link> =
            self.site.pages.iter().map(|p| Link { title: p.title.clone(), path: paths::page(&p.slug) }).collect();
        context.insert("footer_pages", &footer);
        context.insert("canonical", &config.base_url.as_ref().map(|base| format!("{base}{path}")));
        context.insert("breadcrumbs", &breadcrumbs(section, path, title));
        let _ = self.theme;
        match self.tera.render(template, &context) {
            Ok(html) => {
                self.output.insert(path, tidy_whitespace(&html));
                self.count += 1;
            }
            Err(error) => self.diagnostics.push(template_diagnostic(&error, Some(template))),
        }
    }
}

/// A step of the breadcrumb trail; the current page has no path.
#[derive(Serialize)]
struct Crumb {
    title: String,
    path: Option<String>,
}

/// Home › Section › Page, from the page's section; none on the home page and the 404.
fn breadcrumbs(section: &str, path: &str, title: &str) -> Vec<Crumb> {
    if path == paths::HOME || section == "none" {
        return Vec::new();
    }
    let mut trail = vec![Crumb { title: "Home".to_string(), path: Some(paths::HOME.to_string()) }];
    if let Some(item) = NAV.iter().find(|item| item.section == section)
        && item.path != path
    {
        trail.push(Crumb { title: item.title.to_string(), path: Some(item.path.to_string()) });
    }
    trail.push(Crumb { title: title.to_string(), path: None });
    trail
}

/// Drops the blank lines template tags leave behind and trailing spaces, outside `<pre>`.
fn tidy_whitespace(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_pre = false;
    for line in html.lines() {
        if line.contains("<pre") {
            in_pre = true;
        }
        if in_pre {
            out.push_str(line);
            out.push('\n');
        } else if !line.trim().is_empty() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        if line.contains("</pre>") {
            in_pre = false;
        }
    }
    out
}

#[derive(Serialize)]
struct Headline {
    firm: String,
    estimate: String,
    ceiling: String,
    has_estimate: bool,
    compute_deals: usize,
    undisclosed: usize,
    flows: usize,
    inactive: usize,
    deals: usize,
    companies: usize,
}

fn headline(site: &Site, totals: &totals::Totals) -> Headline {
    Headline {
        firm: format::usd(totals.overall.firm),
        estimate: format::usd(totals.overall.estimate),
        ceiling: format::usd(totals.overall.ceiling),
        has_estimate: totals.overall.estimate > 0,
        compute_deals: totals.overall.deals,
        undisclosed: totals.overall.undisclosed,
        flows: totals.flows,
        inactive: totals.inactive,
        deals: site.deals.len(),
        companies: site.companies.len(),
    }
}

#[derive(Serialize)]
struct Ranked {
    company: CompanyRef,
    has_committed: bool,
    committed: String,
    ceiling: String,
    has_ceiling: bool,
    deals: usize,
}

fn ranking(site: &Site, groups: &BTreeMap<String, Amounts>, top: usize) -> Vec<Ranked> {
    totals::ranked(groups)
        .into_iter()
        .filter(|(_, a)| a.committed() > 0 || a.ceiling > 0)
        .take(top)
        .map(|(id, a)| Ranked {
            company: CompanyRef::new(site, id),
            has_committed: a.committed() > 0,
            committed: format::usd(a.committed()),
            ceiling: format::usd(a.ceiling),
            has_ceiling: a.ceiling > 0,
            deals: a.deals,
        })
        .collect()
}

#[derive(Serialize)]
struct CompanyView {
    id: String,
    name: String,
    label: String,
    path: String,
    role: &'static str,
    role_label: &'static str,
    description: String,
    url: Option<String>,
    parent: Option<CompanyRef>,
    subsidiaries: Vec<CompanyRef>,
    deal_count: usize,
}

impl CompanyView {
    fn of(site: &Site, company: &crate::model::Company) -> CompanyView {
        CompanyView {
            id: company.id.clone(),
            name: company.name.clone(),
            label: company.label().to_string(),
            path: paths::company(&company.id),
            role: company.role.key(),
            role_label: company.role.label(),
            description: company.description.clone(),
            url: company.url.clone(),
            parent: company.parent.as_ref().map(|p| CompanyRef::new(site, p)),
            subsidiaries: site
                .companies
                .iter()
                .filter(|c| c.parent.as_deref() == Some(&company.id))
                .map(CompanyRef::of)
                .collect(),
            deal_count: site.deals.iter().filter(|d| d.parties().any(|p| p == company.id)).count(),
        }
    }
}

#[derive(Serialize)]
struct RoleGroup {
    role: &'static str,
    companies: Vec<CompanyView>,
}

#[derive(Serialize)]
struct TagCount {
    name: String,
    path: String,
    count: usize,
}

#[derive(Serialize)]
struct SeriesLineView {
    label: String,
    company: Option<CompanyRef>,
    values: Vec<String>,
}

#[derive(Serialize)]
struct SeriesView {
    id: String,
    title: String,
    path: String,
    csv: String,
    summary: String,
    notes: Option<String>,
    unit: &'static str,
    periods: Vec<String>,
    lines: Vec<SeriesLineView>,
    sources: Vec<SeriesSourceView>,
}

#[derive(Serialize)]
struct SeriesSourceView {
    source: SourceView,
    periods: Vec<String>,
}

impl SeriesView {
    fn of(series: &crate::model::Series) -> SeriesView {
        let periods = series.periods();
        SeriesView {
            id: series.id.clone(),
            title: series.title.clone(),
            path: paths::series(&series.id),
            csv: paths::series_csv(&series.id),
            summary: series.summary.clone(),
            notes: series.notes.clone(),
            unit: series.unit.axis_label(),
            periods: periods.iter().map(|p| p.label()).collect(),
            lines: series
                .lines
                .iter()
                .map(|line| SeriesLineView {
                    label: line.label.clone(),
                    company: None,
                    values: periods
                        .iter()
                        .map(|period| {
                            line.points
                                .iter()
                                .find(|p| p.period == *period)
                                .map_or_else(|| "–".to_string(), |p| format::series_value(p.value, series.unit))
                        })
                        .collect(),
                })
                .collect(),
            sources: series
                .sources
                .iter()
                .map(|s| SeriesSourceView {
                    source: SourceView::of(s),
                    periods: s.periods.iter().map(|p| p.label()).collect(),
                })
                .collect(),
        }
    }
}

#[allow(dead_code)]
fn tag_ref(name: &str) -> TagRef {
    TagRef { name: name.to_string(), path: paths::tag(name) }
}
