//! Every page of the site through tera, plus the feed, sitemap, data files and static files.
//!
//! Order of work: parse the templates once; draw every chart (in parallel); render each brief's
//! body and page in one job (in parallel), the HTML going straight to the [`Sink`]; stop if any
//! error was found; compute cross-references once (the briefs citing a deal, the deals of a
//! company: maps, never a scan per page); render every other page (in parallel); then the data
//! files. Page order never depends on thread timing: the sink is keyed by path.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera, Value};

use super::brief_page::{BriefPage, BriefPageValues};
use super::charts::{self, Chart};
use super::expand::{self, Blocks, Document, FigureProblem};
use super::markdown::{self, Heading, RawHtml, Resolver};
use super::theme::Theme;
use super::views::{AmountsView, BriefRef, CompanyRef, DealRow, Link, SourceView, counting_note};
use super::{BriefFacts, RenderFacts, Sink, Stats, data, feed, format, paths, search, splice};
use crate::diag::{Diagnostic, Diagnostics, Severity, Sources};
use crate::model::totals::{self, Amounts};
use crate::model::{Brief, Role, Site};

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    author: &'a str,
    /// Whether pages show the search box and load the search script.
    search: bool,
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

/// What rendering one brief or page body produced, besides its page.
#[derive(Debug)]
struct BodyFacts {
    headings: Vec<Heading>,
    words: usize,
    deals: BTreeSet<String>,
    companies: BTreeSet<String>,
    /// Plain text, for the search index.
    text: String,
}

/// A body rendered to HTML, with its facts.
struct Body {
    html: String,
    facts: BodyFacts,
}

/// Wall time of the render stages. The brief phase does Markdown, templates and the search index
/// together on every thread; its wall time is split between the three in proportion to their
/// thread time. After it, the search index's end (counted in `index`) and the listing pages
/// (counted in `templates`) run side by side, so those two overlap.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RenderTimings {
    pub charts: Duration,
    pub markdown: Duration,
    pub templates: Duration,
    pub index: Duration,
}

/// Deals' rows and fragments by deal id: looked up once per row on every page, never iterated
/// in an order that reaches the output.
type ById<T> = rustc_hash::FxHashMap<String, T>;

/// Everything shared by the page jobs of one render, computed once.
struct Shared<'a> {
    site: &'a Site,
    theme: &'a Theme,
    tera: &'a Tera,
    blocks: &'a TeraBlocks<'a>,
    /// Every deal row as a template value, made once.
    row_values: &'a ById<Value>,
    deal_rows: &'a [ById<String>; 2],
    sink: &'a dyn Sink,
    /// Whether brief and page bodies are spliced into their pages ([`splice`]).
    splice: bool,
    /// The writer of brief pages without tera, when the site uses the built-in brief page.
    brief_page: Option<&'a BriefPage>,
}

/// What every render of one site shares, computed once: the parsed templates, every deal row and
/// every chart. `serve` keeps it between edits, so re-rendering one brief costs one brief.
pub struct Base {
    tera: Tera,
    /// Whether the templates let bodies be spliced in after rendering ([`splice::templates_allow`]).
    splice: bool,
    /// The same for listing pages' brief entries ([`splice::templates_allow_items`]).
    splice_items: bool,
    /// Whether a template may read the briefs of a list as values (`briefs`): when none does,
    /// they are not made ([`splice::templates_read`]).
    brief_values: bool,
    /// Brief pages written without tera ([`BriefPage`]), when the templates allow it.
    brief_page: Option<BriefPage>,
    rows: ById<DealRow>,
    /// Every deal row as a template value, made once.
    row_values: ById<Value>,
    /// Every deal's table row as HTML, per page depth (`paths::depth`), rendered once.
    deal_rows: [ById<String>; 2],
    deal_charts: charts::DealCharts,
    /// The site charts and the company charts.
    charts: BTreeMap<String, Chart>,
    site_chart_names: Vec<String>,
    /// Every brief as a link, newest first, for the newer and older links.
    brief_links: Vec<Link>,
    charts_time: Duration,
}

impl Base {
    /// Parses the templates and draws the charts (in parallel).
    pub fn new(site: &Site, theme: &Theme) -> Result<Base, Diagnostics> {
        let mut tera = build_tera(theme)?;
        let splice = splice::templates_allow(theme.templates.values().map(String::as_str));
        let splice_items = splice::templates_allow_items(theme.templates.values().map(String::as_str));
        let brief_values = splice::templates_read(theme.templates.values().map(String::as_str), "briefs");
        // What every page shows the same goes into the global context once, not into each page's.
        let config = &site.config;
        let footer: Vec<Link> =
            site.pages.iter().map(|p| Link { title: p.title.clone(), path: paths::page(&p.slug) }).collect();
        let globals = tera.global_context();
        globals.insert(
            "site",
            &SiteView {
                title: &config.title,
                description: &config.description,
                language: &config.language,
                author: &config.author,
                search: config.search,
            },
        );
        globals.insert("nav", &NAV);
        globals.insert("footer_pages", &footer);
        let brief_page = BriefPage::probe(&tera, theme, |context, path, title, description| {
            page_context(config, context, path, "briefs", title, description);
        });

        // Charts: the site charts, and one per company and per deal, drawn once and in parallel.
        let started = Instant::now();
        let rows: ById<DealRow> = site.deals.par_iter().map(|d| (d.id.clone(), DealRow::of(site, d))).collect();
        let deal_charts = charts::DealCharts::new(site).map_err(|error| chart_failure(&error))?;
        let registry_totals = totals::totals(&site.deals);
        let (named, drawn) = rayon::join(
            || charts::site_charts(site),
            || -> Result<Vec<Chart>, _> {
                site.companies.par_iter().map(|c| charts::company_chart(site, c, &registry_totals)).collect()
            },
        );
        let (mut charts, drawn) = match (named, drawn) {
            (Ok(named), Ok(drawn)) => (named, drawn),
            (Err(error), _) | (_, Err(error)) => return Err(chart_failure(&error)),
        };
        let site_chart_names: Vec<String> = charts.keys().cloned().collect();
        for chart in drawn {
            charts.insert(chart.name.clone(), chart);
        }
        let charts_time = started.elapsed();
        let row_values: ById<Value> =
            rows.par_iter().map(|(id, row)| (id.clone(), Value::from_serializable(row))).collect();
        let deal_rows = render_deal_rows(&tera, &row_values).map_err(|problem| Diagnostics::from(vec![problem]))?;
        let brief_links: Vec<Link> =
            site.briefs.par_iter().map(|b| Link { title: b.title.clone(), path: paths::brief(&b.slug) }).collect();
        Ok(Base {
            tera,
            splice,
            splice_items,
            brief_values,
            brief_page,
            rows,
            row_values,
            deal_rows,
            deal_charts,
            charts,
            site_chart_names,
            brief_links,
            charts_time,
        })
    }

    fn blocks<'a>(&'a self, site: &'a Site) -> TeraBlocks<'a> {
        TeraBlocks {
            tera: &self.tera,
            site,
            rows: &self.rows,
            charts: &self.charts,
            deal_charts: &self.deal_charts,
            site_chart_names: &self.site_chart_names,
            figures: std::sync::Mutex::default(),
            cards: std::sync::Mutex::default(),
        }
    }
}

/// What the brief and page bodies of the last full render produced, kept by `serve` so that
/// an edit to one body re-renders one page.
#[derive(Debug, Default)]
pub struct Memo {
    /// Per brief, in site order, with its plain text (for the search index).
    briefs: Vec<BodyFacts>,
    /// Per brief, its entry in the lists of briefs.
    listed: Vec<BriefRef>,
    /// Per brief, the same entry as HTML for pages one folder down.
    items: Vec<String>,
    brief_problems: Vec<Diagnostics>,
    page_problems: Vec<Diagnostics>,
    /// Problems of every other page and file.
    other_problems: Diagnostics,
}

impl Memo {
    /// Every problem the render has found, as of the last update.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut all = Diagnostics::default();
        for problems in self.brief_problems.iter().chain(&self.page_problems) {
            all.extend(problems.clone());
        }
        all.extend(self.other_problems.clone());
        all
    }
}

/// What re-rendering changed bodies found.
#[derive(Debug, PartialEq, Eq)]
pub enum Rerendered {
    /// Only the pages in the sink differ from the last render.
    Pages,
    /// The change could not be confined to some pages: render the site in full.
    Wider,
    /// A changed body has errors; nothing should be served from this render.
    Failed,
}

/// Renders the whole site into `sink`.
pub fn render_site(
    site: &Site,
    theme: &Theme,
    sink: &dyn Sink,
    released: Option<Released<'_>>,
) -> (Option<RenderFacts>, Diagnostics) {
    match Base::new(site, theme) {
        Ok(base) => {
            let (facts, diagnostics) = render_with(site, theme, &base, sink, false, released);
            super::drop_later(base);
            (facts.map(|(facts, _)| facts), diagnostics)
        }
        Err(mut problems) => {
            // The site's own templates are broken: the content is rendered again, into nothing,
            // with the built-in ones, so its problems (a broken shortcode, a dead link) are
            // reported in this run too. Only the content's problems are kept from that render:
            // the rest would repeat these.
            let templates_broken = problems.iter().any(|p| p.file.starts_with("templates/"));
            if templates_broken && !theme.site_templates.is_empty() {
                let built_in = theme.with_built_in_templates();
                let (_, content) = render_site(site, &built_in, &super::Discard, released);
                for problem in content.into_vec().into_iter().filter(|p| p.file.starts_with("content/")) {
                    problems.push(problem);
                }
            }
            (None, problems)
        }
    }
}

/// Re-renders the briefs and pages at the given indexes after their bodies changed (their front
/// matter did not), updating `memo`. When a brief's entry in lists changed (its reading time) or
/// the deals and companies its body cites did, the pages listing it are rendered again too: the
/// home page, the brief index, its tags, the deals and companies it cites before and after, and
/// the feed.
pub fn rerender(
    site: &Site,
    theme: &Theme,
    base: &Base,
    memo: &mut Memo,
    briefs: &[usize],
    pages: &[usize],
    sink: &dyn Sink,
) -> Rerendered {
    let blocks = base.blocks(site);
    let shared = Shared {
        site,
        theme,
        tera: &base.tera,
        blocks: &blocks,
        row_values: &base.row_values,
        deal_rows: &base.deal_rows,
        sink,
        splice: base.splice,
        brief_page: base.brief_page.as_ref(),
    };
    let mut failed = false;
    // Listing pages to render again: tags, deal ids, company ids; `None` when none is needed.
    let mut listings: Option<(BTreeSet<&str>, BTreeSet<String>, BTreeSet<String>)> = None;
    for &index in briefs {
        let (Some(brief), Some(old)) = (site.briefs.get(index), memo.briefs.get(index)) else {
            return Rerendered::Wider;
        };
        let RenderedBrief { body, listed, problems, .. } =
            render_brief(&shared, &base.brief_links, index, brief, &brief.text);
        failed |= problems.has_errors();
        if let Some(slot) = memo.brief_problems.get_mut(index) {
            *slot = problems;
        }
        let (Some(body), Some(listed)) = (body, listed) else { continue };
        if memo.listed.get(index) != Some(&listed) {
            let item = match &base.brief_page {
                Some(direct) => Ok(direct.item(&listed, ROOTS[1])),
                None => fragment(&base.tera, BRIEF_ITEM, "brief", &Value::from_serializable(&listed), 1),
            };
            let Ok(item) = item else { return Rerendered::Wider };
            if let Some(slot) = memo.items.get_mut(index) {
                *slot = item;
            }
        }
        if memo.listed.get(index) != Some(&listed) || old.deals != body.deals || old.companies != body.companies {
            let (tags, deals, companies) = listings.get_or_insert_with(Default::default);
            tags.extend(brief.tags.iter().map(String::as_str));
            deals.extend(brief.deals.iter().chain(&old.deals).chain(&body.deals).cloned());
            companies.extend(brief.companies.iter().chain(&old.companies).chain(&body.companies).cloned());
        }
        memo.briefs[index] = body;
        if let Some(slot) = memo.listed.get_mut(index) {
            *slot = listed;
        }
    }
    for &index in pages {
        let Some(page_model) = site.pages.get(index) else {
            return Rerendered::Wider;
        };
        let (_, problems) = render_page(&shared, page_model);
        failed |= problems.has_errors();
        if let Some(slot) = memo.page_problems.get_mut(index) {
            *slot = problems;
        }
    }
    if failed {
        return Rerendered::Failed;
    }
    let Some((tags, deals, companies)) = listings else { return Rerendered::Pages };
    let values = brief_values(base, &memo.listed);
    let cross = cross_references(site, base, &memo.briefs, &memo.listed, &values, &memo.items);
    let per_page = site.config.paginate;
    let mut jobs = vec![Job::Home, Job::Companies, Job::Tags];
    jobs.extend((1..=page_count(site.briefs.len(), per_page)).map(Job::BriefIndex));
    for tag in tags {
        let listed = cross.tag_briefs.get(tag).map_or(0, Vec::len);
        jobs.extend((1..=page_count(listed, per_page)).map(|number| Job::Tag(tag.to_string(), number)));
    }
    jobs.extend(site.deals.iter().enumerate().filter(|(_, d)| deals.contains(&d.id)).map(|(i, _)| Job::Deal(i)));
    jobs.extend(
        site.companies.iter().enumerate().filter(|(_, c)| companies.contains(&c.id)).map(|(i, _)| Job::Company(i)),
    );
    let results: Vec<Result<String, Diagnostic>> =
        jobs.par_iter().map(|job| render_job(&shared, &cross, job)).collect();
    if results.iter().any(Result::is_err) {
        return Rerendered::Wider;
    }
    sink.put(paths::FEED.to_string(), feed::atom(site, &memo.listed).into_bytes());
    Rerendered::Pages
}

/// The search index script from the bodies in `memo`, as a full render writes it.
pub fn search_script(site: &Site, memo: &Memo) -> String {
    let texts: Vec<search::BriefText<'_>> = site
        .briefs
        .iter()
        .zip(&memo.briefs)
        .map(|(brief, body)| search::BriefText { brief, text: &body.text, headings: &body.headings })
        .collect();
    search::build(site, &texts).to_script()
}

/// Renders the whole site into `sink` with a prepared [`Base`]; with `keep`, also returns the
/// [`Memo`] that later [`rerender`] calls update.
pub fn render_with(
    site: &Site,
    theme: &Theme,
    base: &Base,
    sink: &dyn Sink,
    keep: bool,
    released: Option<Released<'_>>,
) -> (Option<(RenderFacts, Option<Memo>)>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let mut timings = RenderTimings { charts: base.charts_time, ..RenderTimings::default() };
    let blocks = base.blocks(site);
    let tera = &base.tera;
    let row_values = &base.row_values;
    let all_charts = &base.charts;
    let shared = Shared {
        site,
        theme,
        tera,
        blocks: &blocks,
        row_values,
        deal_rows: &base.deal_rows,
        sink,
        splice: base.splice,
        brief_page: base.brief_page.as_ref(),
    };

    // Briefs: body and page in one job each, in parallel; the HTML goes straight to the sink.
    // Each run of briefs that rayon hands a thread goes into a part of the search index as it
    // renders, so a build drops the briefs' plain text at once rather than keep it for the index
    // (`serve`, with `keep`, keeps it for its quick path).
    let started = Instant::now();
    let (texts, mut sources) = match released {
        Some(Released { texts, sources }) => (texts, Some(sources)),
        None => (site.briefs.iter().map(|brief| Arc::clone(&brief.text)).collect(), None),
    };
    debug_assert_eq!(texts.len(), site.briefs.len(), "one source text per brief");
    // A site without search (`search = false`) writes no index, so its briefs are not indexed.
    let with_search = site.config.search;
    let mut runs: Vec<(Vec<RenderedBrief>, search::IndexPart)> = site
        .briefs
        .par_iter()
        .zip(texts.into_par_iter())
        .enumerate()
        // Short runs: rayon otherwise hands each thread a quarter of the briefs as one run, and
        // the last run kept one core busy while the other waited.
        .with_max_len(brief_run(site.briefs.len()))
        .fold(
            || (Vec::new(), search::IndexPart::default()),
            |(mut rendered, mut part), (index, (brief, text))| {
                let mut result = render_brief(&shared, &base.brief_links, index, brief, &text);
                // The text is dropped here, unless a diagnostic will need to quote it.
                if !result.problems.is_empty() {
                    result.source = Some(text);
                }
                if let Some(body) = &mut result.body {
                    if with_search {
                        let indexing = Instant::now();
                        part.add(index, &search::BriefText { brief, text: &body.text, headings: &body.headings });
                        result.index_time = indexing.elapsed();
                    }
                    if !keep {
                        body.text = String::new();
                    }
                }
                rendered.push(result);
                (rendered, part)
            },
        )
        // Each run's part of the index is sealed by the thread that built it.
        .map(|(rendered, part)| (rendered, part.seal()))
        .collect();
    // Each run holds consecutive briefs in order. rayon collects the runs in order too, but does
    // not promise it: sorting them by their first brief makes the order not depend on it.
    runs.sort_by_key(|(rendered, _)| rendered.first().map(|brief| brief.index));
    let pages_rendered: Vec<(Option<BodyFacts>, Diagnostics)> =
        site.pages.par_iter().map(|page| render_page(&shared, page)).collect();
    let brief_wall = started.elapsed();
    let mut index_parts = Vec::with_capacity(runs.len());
    let mut facts: Vec<BodyFacts> = Vec::with_capacity(site.briefs.len());
    let mut brief_refs: Vec<BriefRef> = Vec::with_capacity(site.briefs.len());
    let mut memo = Memo::default();
    let mut thread_time = [Duration::ZERO; 3];
    for (rendered, part) in runs {
        index_parts.push(part);
        for brief in rendered {
            thread_time[0] += brief.markdown_time;
            thread_time[1] += brief.template_time;
            thread_time[2] += brief.index_time;
            if keep {
                memo.brief_problems.push(brief.problems.clone());
            }
            if let (Some(sources), Some(text), Some(model)) = (&mut sources, brief.source, site.briefs.get(brief.index))
            {
                sources.insert(model.file.clone(), text);
            }
            diagnostics.extend(brief.problems);
            facts.extend(brief.body);
            brief_refs.extend(brief.listed);
        }
    }
    // The brief phase's wall time, split between its stages in proportion to their thread time.
    let total = thread_time.iter().sum::<Duration>().as_secs_f64().max(1e-9);
    timings.markdown = brief_wall.mul_f64(thread_time[0].as_secs_f64() / total);
    timings.index = brief_wall.mul_f64(thread_time[2].as_secs_f64() / total);
    timings.templates = brief_wall.saturating_sub(timings.markdown + timings.index);
    for (_, problems) in pages_rendered {
        if keep {
            memo.page_problems.push(problems.clone());
        }
        diagnostics.extend(problems);
    }
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    let body_problems = diagnostics.len();

    // The rest of the search index (the parts joined, then the registry, pages and series) and
    // every other page, side by side: joining the index is mostly one thread's work, and the
    // listing pages keep the other threads busy meanwhile.
    let (index_time, (listed, listing_time)) = rayon::join(
        || {
            if !with_search {
                return (Duration::ZERO, 0);
            }
            let started = Instant::now();
            let search_script = search::build_from_parts(site, index_parts).into_script_parts();
            let parts: Vec<&[u8]> = search_script.iter().map(Vec::as_slice).collect();
            sink.put_parts(paths::SEARCH_INDEX.to_string(), &parts);
            (started.elapsed(), search_script.iter().map(Vec::len).sum::<usize>())
        },
        || {
            let started = Instant::now();
            (render_listings(&shared, base, &facts, brief_refs), started.elapsed())
        },
    );
    let (index_time, search_index_bytes) = index_time;
    timings.index += index_time;
    timings.templates += listing_time;
    let Listed { brief_refs, brief_values, brief_items, results } = match listed {
        Ok(listed) => listed,
        Err(problem) => {
            diagnostics.push(problem);
            return (None, diagnostics);
        }
    };
    let mut html_pages: Vec<String> = site.briefs.par_iter().map(|b| paths::brief(&b.slug)).collect();
    html_pages.extend(site.pages.iter().map(|p| paths::page(&p.slug)));
    for result in results {
        match result {
            Ok(path) => html_pages.push(path),
            Err(problem) => diagnostics.push(problem),
        }
    }

    // Data: chart CSVs, the search index, the feed, the registry files, the sitemap, static files.
    let started = Instant::now();
    // Every file written but the HTML pages (`html_pages`).
    let mut written: BTreeSet<String> = BTreeSet::new();
    if with_search {
        written.insert(paths::SEARCH_INDEX.to_string());
    }
    // Deal pages wrote their chart's CSV themselves.
    written.extend(site.deals.iter().map(|d| format!("data/charts/deal-{}.csv", d.id)));
    let mut put = |path: String, bytes: Vec<u8>| {
        written.insert(path.clone());
        sink.put(path, bytes);
    };
    for chart in all_charts.values() {
        put(chart.csv_path.clone(), chart.csv.clone().into_bytes());
    }
    for series in &site.series {
        put(paths::series_csv(&series.id), data::series_csv(series).into_bytes());
    }

    put(paths::FEED.to_string(), feed::atom(site, &brief_refs).into_bytes());
    put(paths::DEALS_CSV.to_string(), data::deals_csv(site).into_bytes());
    put(paths::DEALS_JSON.to_string(), data::deals_json(site).into_bytes());
    put(paths::COMPANIES_CSV.to_string(), data::companies_csv(site).into_bytes());
    if let Some(base_url) = &site.config.base_url {
        html_pages.sort();
        let pages: Vec<&str> = html_pages.iter().map(String::as_str).collect();
        put(paths::SITEMAP.to_string(), feed::sitemap(base_url, &pages).into_bytes());
    }
    let page_paths: rustc_hash::FxHashSet<&str> = html_pages.iter().map(String::as_str).collect();
    for (path, bytes) in &theme.static_files {
        if written.contains(path) || page_paths.contains(path.as_str()) {
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
        sink.put(path.clone(), bytes.clone());
    }
    timings.index += started.elapsed();
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    let stats = Stats {
        pages: html_pages.len(),
        briefs: site.briefs.len(),
        deals: site.deals.len(),
        data_files: written.iter().filter(|p| p.starts_with("data/")).count(),
        static_files: theme.static_files.len(),
        search_index_bytes: with_search.then_some(search_index_bytes),
        brief_pages_direct: base.brief_page.is_some(),
    };
    // The headings move out of the facts unless the memo keeps them.
    let briefs = site
        .briefs
        .par_iter()
        .zip(&mut facts)
        .map(|(brief, body)| {
            let headings = if keep { body.headings.clone() } else { std::mem::take(&mut body.headings) };
            (brief.slug.clone(), BriefFacts { words: body.words, headings })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let memo = if keep {
        memo.briefs = facts;
        memo.listed = brief_refs;
        memo.items = brief_items;
        memo.other_problems = Diagnostics::from(diagnostics.iter().skip(body_problems).cloned().collect::<Vec<_>>());
        Some(memo)
    } else {
        super::drop_later((facts, brief_values, brief_items, brief_refs));
        None
    };
    (Some((RenderFacts { stats, briefs, timings }, memo)), diagnostics)
}

/// The most briefs one rayon job renders in a row, and so one part of the search index holds:
/// runs of 200, or more on a site so large that it would make more than 64 parts (each part
/// keeps a vocabulary of its own until the parts are joined, so their number must not grow with
/// the site).
fn brief_run(briefs: usize) -> usize {
    briefs.div_ceil(64).max(200)
}

/// What rendering the pages other than briefs produced: the briefs' list entries (for the feed
/// and `serve`'s memo) and each page's path or problem.
struct Listed {
    brief_refs: Vec<BriefRef>,
    brief_values: Vec<Value>,
    brief_items: Vec<String>,
    results: Vec<Result<String, Diagnostic>>,
}

/// Renders every page other than briefs and content pages, from cross-references computed once
/// and the briefs' list entries as their own pages built them (views that many pages list are
/// template values once; lists clone them cheaply).
fn render_listings(
    shared: &Shared<'_>,
    base: &Base,
    facts: &[BodyFacts],
    brief_refs: Vec<BriefRef>,
) -> Result<Listed, Diagnostic> {
    let site = shared.site;
    let brief_values = brief_values(base, &brief_refs);
    let brief_items = match shared.brief_page {
        Some(direct) => brief_refs.par_iter().map(|brief| direct.item(brief, ROOTS[1])).collect(),
        None => brief_values
            .par_iter()
            .map(|brief| fragment(shared.tera, BRIEF_ITEM, "brief", brief, 1))
            .collect::<Result<Vec<String>, Diagnostic>>()?,
    };
    let cross = cross_references(site, base, facts, &brief_refs, &brief_values, &brief_items);
    let per_page = site.config.paginate;
    let mut jobs = vec![Job::Home, Job::Registry, Job::Companies, Job::Tags, Job::Data, Job::NotFound];
    jobs.extend((1..=page_count(site.briefs.len(), per_page)).map(Job::BriefIndex));
    jobs.extend((0..site.deals.len()).map(Job::Deal));
    jobs.extend((0..site.companies.len()).map(Job::Company));
    for (tag, briefs) in site.tags() {
        jobs.extend((1..=page_count(briefs.len(), per_page)).map(|number| Job::Tag(tag.to_string(), number)));
    }
    jobs.extend((0..site.series.len()).map(Job::Series));
    let results = jobs.par_iter().map(|job| render_job(shared, &cross, job)).collect();
    drop(cross);
    Ok(Listed { brief_refs, brief_values, brief_items, results })
}

/// The briefs' source texts, taken out of the model by a build (`Site::take_brief_texts`) so
/// that each is dropped as soon as its brief is rendered; the text of a brief with a diagnostic
/// goes into `sources` instead, so the diagnostic can quote its line.
pub struct Released<'a> {
    pub texts: Vec<Arc<String>>,
    pub sources: &'a mut Sources,
}

/// What rendering one brief gave: its place in the site's list, its facts (none when it
/// failed), its problems, its source text when a problem needs it, and the thread time of each
/// stage.
struct RenderedBrief {
    index: usize,
    body: Option<BodyFacts>,
    /// The brief's entry in lists (none when it failed), as a view and as the template value
    /// its own page used, so that the listing pages need not build it again.
    listed: Option<BriefRef>,
    source: Option<Arc<String>>,
    problems: Diagnostics,
    markdown_time: Duration,
    template_time: Duration,
    /// Set by the caller that indexes the brief.
    index_time: Duration,
}

/// Renders a brief's body (from `text`, the brief's whole file) and its page.
fn render_brief(shared: &Shared<'_>, links: &[Link], index: usize, brief: &Brief, text: &str) -> RenderedBrief {
    let mut diagnostics = Diagnostics::default();
    let started = Instant::now();
    let path = paths::brief(&brief.slug);
    let body = text.get(brief.body_offset..).unwrap_or("");
    let document = Document { file: &brief.file, body, body_offset: brief.body_offset, page_path: &path };
    let body = render_body(shared, &document, &mut diagnostics);
    let markdown = started.elapsed();
    if diagnostics.has_errors() {
        return RenderedBrief {
            index,
            body: None,
            listed: None,
            source: None,
            problems: diagnostics,
            markdown_time: markdown,
            template_time: Duration::ZERO,
            index_time: Duration::ZERO,
        };
    }
    let started = Instant::now();
    let site = shared.site;
    let brief_ref = BriefRef::of(brief, body.facts.words);
    let toc: Vec<&Heading> = body.facts.headings.iter().filter(|h| h.level == 2 || h.level == 3).collect();
    let mut companies: Vec<CompanyRef> = brief.companies.iter().map(|id| CompanyRef::new(site, id)).collect();
    companies.sort_by(|a, b| a.name.cmp(&b.name));
    let deals = brief.deals.iter().map(String::as_str);
    // Briefs are listed newest first: "newer" is the previous index.
    let newer = index.checked_sub(1).and_then(|i| links.get(i));
    let older = links.get(index + 1);
    if let Some(direct) = shared.brief_page {
        let deal_rows = rows_html(shared.deal_rows, paths::depth(&path), deals);
        let values = BriefPageValues {
            brief: &brief_ref,
            toc: &toc,
            companies: &companies,
            deal_rows: &deal_rows,
            newer,
            older,
        };
        with_page_buffer(|html| {
            let at = direct.write(html, &values);
            let (head, tail) = html.split_at(at);
            shared.sink.put_parts(path.clone(), &[head, body.html.as_bytes(), tail]);
        });
    } else {
        let mut context = Context::new();
        context.insert_value("brief", Value::from_serializable(&brief_ref));
        context.insert("toc", &toc);
        context.insert("words", &body.facts.words);
        context.insert("companies", &companies);
        list_deals(
            &mut context,
            shared.row_values,
            shared.deal_rows,
            paths::depth(&path),
            ("deals", "deal_rows"),
            deals,
        );
        context.insert("newer", &newer);
        context.insert("older", &older);
        let values = PageValues::with_content(shared, context, &body.html);
        if let Err(problem) = page(shared, "brief.html", &path, "briefs", &brief.title, &brief.summary, values) {
            diagnostics.push(problem);
        }
    }
    RenderedBrief {
        index,
        body: Some(body.facts),
        listed: Some(brief_ref),
        source: None,
        problems: diagnostics,
        markdown_time: markdown,
        template_time: started.elapsed(),
        index_time: Duration::ZERO,
    }
}

fn render_page(shared: &Shared<'_>, page_model: &crate::model::Page) -> (Option<BodyFacts>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let path = paths::page(&page_model.slug);
    let document = Document {
        file: &page_model.file,
        body: page_model.body(),
        body_offset: page_model.body_offset,
        page_path: &path,
    };
    let body = render_body(shared, &document, &mut diagnostics);
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    let mut context = Context::new();
    context.insert("summary", &page_model.summary);
    let description = page_model.summary.clone().unwrap_or_default();
    let values = PageValues::with_content(shared, context, &body.html);
    if let Err(problem) = page(shared, "page.html", &path, "page", &page_model.title, &description, values) {
        diagnostics.push(problem);
    }
    (Some(body.facts), diagnostics)
}

/// A company's deals (ids) as buyer, as provider and as partner.
type CompanyDeals<'a> = (Vec<&'a str>, Vec<&'a str>, Vec<&'a str>);

/// Cross-references between pages, computed once after the briefs. Briefs are listed by their
/// index in `site.briefs`, deals by id.
struct Cross<'a> {
    /// Per brief, its entry in lists, as a template value (none when no template reads them:
    /// [`brief_values`]) and as HTML one folder down.
    brief_refs: &'a [BriefRef],
    brief_values: &'a [Value],
    brief_items: &'a [String],
    /// Whether the entries are spliced into listing pages rather than joined into a value.
    splice_items: bool,
    row_values: &'a ById<Value>,
    deal_rows: &'a [ById<String>; 2],
    /// Every brief's index, in site order: what the briefs index lists, page by page.
    every_brief: Vec<usize>,
    /// Briefs (indexes, in site order) by tag, by the deals and by the companies they cite:
    /// only looked up, never iterated.
    tag_briefs: rustc_hash::FxHashMap<&'a str, Vec<usize>>,
    briefs_by_deal: rustc_hash::FxHashMap<&'a str, Vec<usize>>,
    briefs_by_company: rustc_hash::FxHashMap<&'a str, Vec<usize>>,
    supersedes: BTreeMap<&'a str, Vec<Link>>,
    deals_of: BTreeMap<&'a str, CompanyDeals<'a>>,
    totals: totals::Totals,
    charts: &'a BTreeMap<String, Chart>,
}

impl<'a> Cross<'a> {
    /// The page values of a listing one folder down, `context` with the briefs at `indexes` as
    /// `briefs` (values) and `brief_items` (their list entries as HTML). When the templates
    /// allow it, the entries are spliced in as they are, not joined and copied into a value and
    /// again into the page: the briefs index and the tag pages are megabytes of them.
    fn list_briefs(&self, mut context: Context, indexes: &[usize]) -> PageValues<'a> {
        if !self.brief_values.is_empty() {
            let values: Vec<Value> = indexes.iter().filter_map(|&i| self.brief_values.get(i).cloned()).collect();
            context.insert_value("briefs", Value::from(values));
        }
        context.insert("brief_count", &indexes.len());
        let items = indexes.iter().filter_map(|&i| self.brief_items.get(i).map(String::as_str));
        if self.splice_items {
            context.insert_value("brief_items", Value::safe_string(splice::ITEMS_MARK));
            return PageValues { context, spliced: None, items: Some(items.collect()) };
        }
        context.insert_value("brief_items", Value::safe_string(&concat(items)));
        PageValues::from(context)
    }
}

/// A page other than a brief or a content page.
enum Job {
    Home,
    /// A page of the briefs index, from 1.
    BriefIndex(usize),
    Deal(usize),
    Registry,
    Company(usize),
    Companies,
    /// A page of a topic, from 1.
    Tag(String, usize),
    Tags,
    Series(usize),
    Data,
    NotFound,
}

/// The briefs' entries in lists as template values, when a template may read them (`briefs`)
/// or the list entries go through tera; none otherwise.
fn brief_values(base: &Base, brief_refs: &[BriefRef]) -> Vec<Value> {
    if base.brief_values || base.brief_page.is_none() {
        brief_refs.par_iter().map(Value::from_serializable).collect()
    } else {
        Vec::new()
    }
}

/// The cross-references between pages, from the briefs' bodies (`facts`, with `brief_values`
/// and `brief_items` their list entries, all in site order) and the registry: maps, never a
/// scan per page.
fn cross_references<'a>(
    site: &'a Site,
    base: &'a Base,
    facts: &'a [BodyFacts],
    brief_refs: &'a [BriefRef],
    brief_values: &'a [Value],
    brief_items: &'a [String],
) -> Cross<'a> {
    let mut tag_briefs: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
    for (index, brief) in site.briefs.iter().enumerate() {
        for tag in &brief.tags {
            tag_briefs.entry(tag.as_str()).or_default().push(index);
        }
    }
    let mut briefs_by_deal: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
    let mut briefs_by_company: rustc_hash::FxHashMap<&str, Vec<usize>> = Default::default();
    let mut cited: Vec<&str> = Vec::new();
    for (index, (brief, body)) in site.briefs.iter().zip(facts).enumerate() {
        // What the front matter names and what the body cites, each once.
        for (named, in_body, by) in [
            (&brief.deals, &body.deals, &mut briefs_by_deal),
            (&brief.companies, &body.companies, &mut briefs_by_company),
        ] {
            cited.clear();
            cited.extend(named.iter().chain(in_body).map(String::as_str));
            cited.sort_unstable();
            cited.dedup();
            for id in &cited {
                by.entry(id).or_default().push(index);
            }
        }
    }
    let mut supersedes: BTreeMap<&str, Vec<Link>> = BTreeMap::new();
    let mut deals_of: BTreeMap<&str, CompanyDeals> = BTreeMap::new();
    for deal in &site.deals {
        if let Some(by) = &deal.superseded_by {
            supersedes.entry(by).or_default().push(Link { title: deal.title.clone(), path: paths::deal(&deal.id) });
        }
        deals_of.entry(&deal.buyer).or_default().0.push(&deal.id);
        deals_of.entry(&deal.provider).or_default().1.push(&deal.id);
        for partner in &deal.partners {
            deals_of.entry(partner).or_default().2.push(&deal.id);
        }
    }
    Cross {
        brief_refs,
        brief_values,
        brief_items,
        splice_items: base.splice_items,
        row_values: &base.row_values,
        deal_rows: &base.deal_rows,
        every_brief: (0..site.briefs.len()).collect(),
        tag_briefs,
        briefs_by_deal,
        briefs_by_company,
        supersedes,
        deals_of,
        totals: totals::totals(&site.deals),
        charts: &base.charts,
    }
}

/// Puts the deals `ids` into `context` as `name` (values) and `<rows>` (their table rows as
/// HTML, for a page at `depth`).
fn list_deals<'i>(
    context: &mut Context,
    row_values: &ById<Value>,
    deal_rows: &[ById<String>; 2],
    depth: usize,
    (name, rows): (&'static str, &'static str),
    ids: impl Iterator<Item = &'i str> + Clone,
) {
    let values: Vec<Value> = ids.clone().filter_map(|id| row_values.get(id).cloned()).collect();
    let html = rows_html(deal_rows, depth, ids);
    context.insert_value(name, Value::from(values));
    context.insert_value(rows, Value::safe_string(&html));
}

/// The table rows of the deals `ids` (those of the registry) as HTML, for a page at `depth`.
fn rows_html<'i>(deal_rows: &[ById<String>; 2], depth: usize, ids: impl Iterator<Item = &'i str> + Clone) -> String {
    concat(ids.filter_map(|id| deal_rows[depth].get(id).map(String::as_str)))
}

/// The pieces joined into one string, sized once.
fn concat<'p>(pieces: impl Iterator<Item = &'p str> + Clone) -> String {
    let mut joined = String::with_capacity(pieces.clone().map(str::len).sum());
    pieces.for_each(|piece| joined.push_str(piece));
    joined
}

const DEAL_ROW: &str = "partials/deal_row.html";
const BRIEF_ITEM: &str = "partials/brief_item.html";
/// The root prefix of a page at each depth.
const ROOTS: [&str; 2] = ["", "../"];

/// Renders a fragment template (a deal row, a brief's list entry) for one `value` on a page at
/// `depth`.
fn fragment(tera: &Tera, template: &str, key: &'static str, value: &Value, depth: usize) -> Result<String, Diagnostic> {
    let mut context = Context::new();
    context.insert_value(key, value.clone());
    context.insert("root", ROOTS[depth]);
    tera.render(template, &context).map_err(|error| super::template_errors::rendering(&error, template))
}

/// Every deal's table row at both depths, in parallel.
fn render_deal_rows(tera: &Tera, row_values: &ById<Value>) -> Result<[ById<String>; 2], Diagnostic> {
    let rendered: Result<Vec<(usize, String, String)>, Diagnostic> = row_values
        .par_iter()
        .flat_map_iter(|(id, value)| (0..ROOTS.len()).map(move |depth| (depth, id, value)))
        .map(|(depth, id, value)| Ok((depth, id.clone(), fragment(tera, DEAL_ROW, "deal", value, depth)?)))
        .collect();
    let mut rows = [ById::default(), ById::default()];
    for (depth, id, html) in rendered? {
        rows[depth].insert(id, html);
    }
    Ok(rows)
}

/// Renders one page and hands it to the sink; returns its path.
fn render_job(shared: &Shared<'_>, cross: &Cross<'_>, job: &Job) -> Result<String, Diagnostic> {
    let site = shared.site;
    let mut context = Context::new();
    match job {
        Job::Home => {
            let latest = site.deals.iter().take(8).map(|d| d.id.as_str());
            list_deals(&mut context, cross.row_values, cross.deal_rows, 0, ("deals", "deal_rows"), latest);
            // The only list of briefs at the root: its six entries are rendered here.
            let briefs: Vec<Value> = cross.brief_refs.iter().take(6).map(Value::from_serializable).collect();
            let items = briefs
                .iter()
                .map(|b| fragment(shared.tera, BRIEF_ITEM, "brief", b, 0))
                .collect::<Result<Vec<_>, _>>()?;
            context.insert_value("brief_items", Value::safe_string(&items.concat()));
            context.insert_value("briefs", Value::from(briefs));
            context.insert("headline", &headline(site, &cross.totals));
            context.insert("top_providers", &ranking(site, &cross.totals.by_provider, 8));
            context.insert("top_buyers", &ranking(site, &cross.totals.by_buyer, 8));
            let home: Vec<&Chart> = [charts::PROVIDERS, charts::FLOWS, charts::CUMULATIVE]
                .iter()
                .filter_map(|n| cross.charts.get(*n))
                .collect();
            context.insert("charts", &home);
            page(shared, "index.html", paths::HOME, "home", &site.config.title, &site.config.description, context)
        }
        Job::BriefIndex(number) => {
            let (shown, pagination) = Pagination::of(&cross.every_brief, *number, site.config.paginate, paths::BRIEFS);
            let title = pagination.title("Briefs");
            let path = pagination.path.clone();
            context.insert("pagination", &pagination);
            let values = cross.list_briefs(context, shown);
            page(shared, "briefs.html", &path, "briefs", &title, "Every brief, newest first.", values)
        }
        Job::Deal(index) => {
            let deal = &site.deals[*index];
            context.insert_value("deal", cross.row_values.get(deal.id.as_str()).cloned().unwrap_or_else(Value::none));
            context.insert("partners", &deal.partners.iter().map(|id| CompanyRef::new(site, id)).collect::<Vec<_>>());
            context.insert("sources", &deal.sources.iter().map(SourceView::of).collect::<Vec<_>>());
            context.insert("notes", &deal.notes);
            context.insert("chip_count", &deal.chip_count.map(format::thousands));
            context.insert("counting_note", &counting_note(deal));
            let superseded_by = deal
                .superseded_by
                .as_ref()
                .and_then(|id| shared.blocks.rows.get(id))
                .map(|r| Link { title: r.title.clone(), path: r.path.clone() });
            context.insert("superseded_by", &superseded_by);
            context.insert("supersedes", &cross.supersedes.get(deal.id.as_str()).cloned().unwrap_or_default());
            let chart = charts::deal_chart(deal, shared.blocks.deal_charts);
            context.insert("chart", &chart);
            shared.sink.put(chart.csv_path.clone(), chart.csv.into_bytes());
            let values =
                cross.list_briefs(context, cross.briefs_by_deal.get(deal.id.as_str()).map_or(&[], Vec::as_slice));
            page(shared, "deal.html", &paths::deal(&deal.id), "deals", &deal.title, &deal.summary, values)
        }
        Job::Registry => {
            let all = site.deals.iter().map(|d| d.id.as_str());
            list_deals(&mut context, cross.row_values, cross.deal_rows, 0, ("deals", "deal_rows"), all);
            context.insert("headline", &headline(site, &cross.totals));
            page(
                shared,
                "registry.html",
                paths::REGISTRY,
                "deals",
                "Deal registry",
                "Every deal in the registry, with its value, status and sources.",
                context,
            )
        }
        Job::Company(index) => {
            let company = &site.companies[*index];
            let empty = (Vec::new(), Vec::new(), Vec::new());
            let (as_buyer, as_provider, as_partner) = cross.deals_of.get(company.id.as_str()).unwrap_or(&empty);
            context.insert("company", &CompanyView::of(site, company));
            for (names, ids) in [
                (("as_buyer", "as_buyer_rows"), as_buyer),
                (("as_provider", "as_provider_rows"), as_provider),
                (("as_partner", "as_partner_rows"), as_partner),
            ] {
                list_deals(&mut context, cross.row_values, cross.deal_rows, 1, names, ids.iter().copied());
            }
            context.insert(
                "buyer_totals",
                &AmountsView::of(&cross.totals.by_buyer.get(&company.id).copied().unwrap_or_default()),
            );
            context.insert(
                "provider_totals",
                &AmountsView::of(&cross.totals.by_provider.get(&company.id).copied().unwrap_or_default()),
            );
            context.insert("chart", &cross.charts.get(&format!("company-{}", company.id)));
            let description = first_sentence(&company.description);
            let values =
                cross.list_briefs(context, cross.briefs_by_company.get(company.id.as_str()).map_or(&[], Vec::as_slice));
            page(shared, "company.html", &paths::company(&company.id), "companies", &company.name, &description, values)
        }
        Job::Companies => {
            let mut groups = Vec::new();
            for (_, role) in Role::ALL {
                let members: Vec<CompanyView> =
                    site.companies.iter().filter(|c| c.role == role).map(|c| CompanyView::of(site, c)).collect();
                if !members.is_empty() {
                    groups.push(RoleGroup { role: role.label(), companies: members });
                }
            }
            context.insert("groups", &groups);
            page(
                shared,
                "companies.html",
                paths::COMPANIES,
                "companies",
                "Companies",
                "The companies in the registry, by role.",
                context,
            )
        }
        Job::Tag(tag, number) => {
            context.insert("tag", tag);
            let listed = cross.tag_briefs.get(tag.as_str()).map_or(&[][..], Vec::as_slice);
            let (shown, pagination) = Pagination::of(listed, *number, site.config.paginate, &paths::tag(tag));
            let title = pagination.title(&format!("Topic: {tag}"));
            let path = pagination.path.clone();
            context.insert("pagination", &pagination);
            let values = cross.list_briefs(context, shown);
            page(shared, "tag.html", &path, "tags", &title, &format!("Briefs on {tag}."), values)
        }
        Job::Tags => {
            let tags: Vec<TagCount> = site
                .tags()
                .iter()
                .map(|(tag, briefs)| TagCount { name: tag.to_string(), path: paths::tag(tag), count: briefs.len() })
                .collect();
            context.insert("tags", &tags);
            page(shared, "tags.html", paths::TAGS, "tags", "Topics", "Every topic the briefs cover.", context)
        }
        Job::Series(index) => {
            let series = &site.series[*index];
            context.insert("series", &SeriesView::of(series));
            context.insert("chart", &cross.charts.get(&charts::series_chart_name(&series.id)));
            page(shared, "series.html", &paths::series(&series.id), "series", &series.title, &series.summary, context)
        }
        Job::Data => {
            context.insert("series", &site.series.iter().map(SeriesView::of).collect::<Vec<_>>());
            let registry: Vec<&Chart> =
                [charts::PROVIDERS, charts::BUYERS, charts::CUMULATIVE, charts::TIMELINE, charts::FLOWS]
                    .iter()
                    .filter_map(|n| cross.charts.get(*n))
                    .collect();
            context.insert("charts", &registry);
            page(
                shared,
                "series_index.html",
                paths::SERIES,
                "series",
                "Data",
                "Time series and downloads behind the briefs.",
                context,
            )
        }
        Job::NotFound => {
            page(shared, "404.html", paths::NOT_FOUND, "none", "Page not found", "This page does not exist.", context)
        }
    }
}

fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(end) => text[..=end].to_string(),
        None => text.to_string(),
    }
}

/// Parses every template once. Template errors point into the template file.
fn build_tera(theme: &Theme) -> Result<Tera, Diagnostics> {
    super::template_errors::load(theme)
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
    rows: &'a ById<DealRow>,
    /// Every chart of the site, company charts included.
    charts: &'a BTreeMap<String, Chart>,
    /// What deal charts share; each is assembled when a page needs it (they are many).
    deal_charts: &'a charts::DealCharts,
    /// The names of the site-wide charts, for help lines.
    site_chart_names: &'a [String],
    /// Rendered chart figures by chart name and page depth.
    figures: std::sync::Mutex<ByDepth>,
    /// Rendered deal cards by deal id and page depth.
    cards: std::sync::Mutex<ByDepth>,
}

/// Block HTML rendered once per name and page depth ([`paths::depth`]), found by name without
/// building a key.
type ByDepth = rustc_hash::FxHashMap<String, [Option<Arc<str>>; 2]>;

/// The cached HTML for `name` at `depth`, if it was rendered.
fn cached(cache: &std::sync::Mutex<ByDepth>, name: &str, depth: usize) -> Option<Arc<str>> {
    cache.lock().ok()?.get(name)?[depth].clone()
}

/// Keeps `html` as what `name` renders to at `depth`.
fn keep(cache: &std::sync::Mutex<ByDepth>, name: &str, depth: usize, html: &Arc<str>) {
    if let Ok(mut cache) = cache.lock() {
        cache.entry(name.to_string()).or_default()[depth] = Some(Arc::clone(html));
    }
}

impl Blocks for TeraBlocks<'_> {
    fn chart_names(&self) -> Vec<String> {
        let mut names = self.site_chart_names.to_vec();
        names.extend(self.site.companies.iter().map(|c| format!("company-{}", c.id)));
        names.extend(self.site.deals.iter().map(|d| format!("deal-{}", d.id)));
        names
    }

    fn deal_card(&self, id: &str, page_path: &str) -> Option<Result<Arc<str>, String>> {
        let row = self.rows.get(id)?;
        // Like chart figures, a card is rendered once per deal and folder depth.
        let depth = paths::depth(page_path);
        if let Some(html) = cached(&self.cards, id, depth) {
            return Some(Ok(html));
        }
        let mut context = Context::new();
        context.insert("deal", row);
        context.insert("root", &paths::root_prefix(page_path));
        Some(self.tera.render("shortcodes/deal.html", &context).map_err(|e| e.to_string()).map(|html| {
            let html = block_html(html);
            keep(&self.cards, id, depth, &html);
            html
        }))
    }

    fn chart_figure(&self, name: &str, page_path: &str) -> Result<Arc<str>, FigureProblem> {
        // A chart placed in many briefs is rendered once per folder depth, then shared: a cached
        // figure costs no copy of the chart.
        let depth = paths::depth(page_path);
        if let Some(html) = cached(&self.figures, name, depth) {
            return Ok(html);
        }
        let root = paths::root_prefix(page_path);
        let deal_chart;
        let chart = match name.strip_prefix("deal-").and_then(|id| self.site.deal(id)) {
            Some(deal) => {
                deal_chart = charts::deal_chart(deal, self.deal_charts);
                &deal_chart
            }
            None => self.charts.get(name).ok_or(FigureProblem::Unknown)?,
        };
        let mut context = Context::new();
        context.insert("chart", chart);
        context.insert("root", &root);
        let html = block_html(
            self.tera.render("partials/chart.html", &context).map_err(|e| FigureProblem::Template(e.to_string()))?,
        );
        keep(&self.figures, name, depth, &html);
        Ok(html)
    }
}

/// A block shortcode's HTML without the line break its template ends with: the Markdown
/// renderer ends the block's line itself.
fn block_html(html: String) -> Arc<str> {
    Arc::from(html.trim_end())
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
            // A brief withheld from a model recovered from errors has an error of its own.
            if self.site.brief(slug).is_some() || self.site.withheld.brief(slug) {
                return Ok(paths::relative(self.from, &paths::brief(slug)));
            }
            return Err(format!("no brief `content/briefs/{slug}.md` (or it is a draft)"));
        }
        if let Some(slug) = path.strip_prefix("pages/").and_then(|p| p.strip_suffix(".md")) {
            if self.site.page(slug).is_some() || self.site.withheld.page(slug) {
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

fn render_body(shared: &Shared<'_>, document: &Document<'_>, diagnostics: &mut Diagnostics) -> Body {
    let expansion = expand::expand(shared.site, shared.blocks, document, diagnostics);
    let resolver = PageResolver { site: shared.site, theme: shared.theme, from: document.page_path };
    let raw_html = if shared.site.config.trust_html { RawHtml::Trust } else { RawHtml::Sanitize };
    let rendered = markdown::render_with(document.body, &expansion.inserts, &resolver, raw_html);
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
        facts: BodyFacts {
            headings: rendered.headings,
            words: rendered.words,
            deals: expansion.deals,
            companies: expansion.companies,
            text: rendered.text,
        },
    }
}

/// Renders a template with the context every page shares and hands the page to the sink.
fn page<'body>(
    shared: &Shared<'_>,
    template: &str,
    path: &str,
    section: &str,
    title: &str,
    description: &str,
    values: impl Into<PageValues<'body>>,
) -> Result<String, Diagnostic> {
    let PageValues { mut context, spliced, items } = values.into();
    page_context(&shared.site.config, &mut context, path, section, title, description);
    // Rendered into this thread's page buffer, never checked again as UTF-8 (tera writes only
    // strings), and handed to the sink as a slice: no page allocates a buffer of its own.
    let rendered = with_page_buffer(|html| {
        let rendered = shared.tera.render_to(template, &context, &mut *html);
        if rendered.is_ok() {
            if spliced.is_none() && items.is_none() {
                shared.sink.put_bytes(path.to_string(), html);
            } else {
                let parts = splice::parts(html, spliced.map(str::as_bytes), items.as_deref());
                shared.sink.put_parts(path.to_string(), &parts);
            }
        }
        rendered
    });
    match rendered {
        Ok(()) => Ok(path.to_string()),
        Err(error) => Err(super::template_errors::rendering(&error, template)),
    }
}

/// Puts into `context` what every page's templates see besides their own values.
fn page_context(
    config: &crate::model::SiteConfig,
    context: &mut Context,
    path: &str,
    section: &str,
    title: &str,
    description: &str,
) {
    context.insert("root", &paths::root_prefix(path));
    context.insert("path", path);
    context.insert("section", section);
    context.insert("page_title", title);
    context.insert("description", description);
    context.insert("canonical", &config.base_url.as_ref().map(|base| format!("{base}{path}")));
    context.insert("breadcrumbs", &breadcrumbs(section, path, title));
}

/// Runs `write` with this thread's page buffer, cleared (or a buffer of its own when the
/// thread's is in use).
fn with_page_buffer<T>(write: impl FnOnce(&mut Vec<u8>) -> T) -> T {
    PAGE_BUFFER.with(|buffer| {
        let mut own = Vec::new();
        let mut borrowed = buffer.try_borrow_mut();
        let kept = borrowed.is_ok();
        let html = match borrowed.as_deref_mut() {
            Ok(html) => html,
            Err(_) => &mut own,
        };
        html.clear();
        let result = write(html);
        // A very large page (a tag listing thousands of briefs) does not keep its memory.
        if kept && html.capacity() > PAGE_BUFFER_KEPT {
            *html = Vec::with_capacity(PAGE_CAPACITY);
        }
        result
    })
}

/// A page's template values, and the body that is spliced in where the template put
/// [`splice::MARK`] (when the templates allow it), so that tera never copies the body; for a
/// listing page, the brief entries spliced in at [`splice::ITEMS_MARK`].
struct PageValues<'a> {
    context: Context,
    spliced: Option<&'a str>,
    items: Option<Vec<&'a str>>,
}

impl From<Context> for PageValues<'_> {
    fn from(context: Context) -> Self {
        PageValues { context, spliced: None, items: None }
    }
}

impl<'a> PageValues<'a> {
    /// `context` with `content` set to `html`, or to the mark when `html` is spliced in later.
    fn with_content(shared: &Shared<'_>, mut context: Context, html: &'a str) -> Self {
        if shared.splice {
            context.insert_value("content", Value::safe_string(splice::MARK));
            PageValues { context, spliced: Some(html), items: None }
        } else {
            context.insert_value("content", Value::safe_string(html));
            PageValues { context, spliced: None, items: None }
        }
    }
}

/// Each thread's page buffer starts at this size (a brief page with a chart is 20 to 200 KB)...
const PAGE_CAPACITY: usize = 64 * 1024;
/// ...and goes back to it after a page larger than this.
const PAGE_BUFFER_KEPT: usize = 1024 * 1024;

thread_local! {
    /// The buffer [`page`] renders into, reused by every page this thread renders.
    static PAGE_BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(PAGE_CAPACITY));
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

#[derive(Serialize)]
struct Headline {
    firm: String,
    /// Firm values that are floors: while there is one, the firm total is a lower bound.
    firm_floors: usize,
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
        firm_floors: totals.overall.floors,
        estimate: format::usd(totals.overall.estimate),
        ceiling: format::usd(totals.overall.ceiling),
        has_estimate: totals.overall.estimate > 0,
        compute_deals: totals.overall.deals,
        undisclosed: totals.overall.undisclosed,
        flows: totals.flows,
        inactive: totals.inactive,
        deals: site.deals.len(),
        // Companies that are a party to some deal, as the registry's lede counts them.
        companies: {
            let parties: rustc_hash::FxHashSet<&str> = site.deals.iter().flat_map(|deal| deal.parties()).collect();
            site.companies.iter().filter(|company| parties.contains(company.id.as_str())).count()
        },
    }
}

#[derive(Serialize)]
struct Ranked {
    company: CompanyRef,
    has_committed: bool,
    committed: String,
    /// The committed sum includes a floor ("more than"): it is a lower bound.
    committed_floor: bool,
    /// The estimated part of `committed`, when there is one: the page says so.
    estimate: Option<String>,
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
            committed_floor: a.floors > 0,
            estimate: (a.estimate > 0).then(|| format::usd(a.estimate)),
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

/// How many pages a listing of `briefs` briefs takes, at `per_page` a page (all on one page
/// when `None`; an empty listing still has its one page).
fn page_count(briefs: usize, per_page: Option<usize>) -> usize {
    per_page.map_or(1, |per_page| briefs.div_ceil(per_page.max(1)).max(1))
}

/// Where a page of a listing of briefs sits among the others, for its navigation
/// (`partials/pagination.html`). Paths are from the site's root.
#[derive(Debug, PartialEq, Serialize)]
struct Pagination {
    /// This page, from 1, of `count`.
    number: usize,
    count: usize,
    path: String,
    /// The page of newer briefs before this one and of older ones after it.
    previous: Option<String>,
    next: Option<String>,
    /// The pages to link to by number: the first, the last, and two either side of this one.
    pages: Vec<PageLink>,
}

#[derive(Debug, PartialEq, Serialize)]
struct PageLink {
    number: usize,
    path: String,
    current: bool,
    /// Pages were skipped between the link before and this one.
    gap_before: bool,
}

impl Pagination {
    /// Page `number` (from 1) of the listing of `indexes` whose first page is at `first`, and
    /// the indexes it shows.
    fn of<'i>(indexes: &'i [usize], number: usize, per_page: Option<usize>, first: &str) -> (&'i [usize], Pagination) {
        let count = page_count(indexes.len(), per_page);
        let number = number.clamp(1, count);
        let shown = match per_page {
            Some(per_page) => {
                let start = ((number - 1) * per_page).min(indexes.len());
                &indexes[start..(start + per_page).min(indexes.len())]
            }
            None => indexes,
        };
        let near = |n: usize| n == 1 || n == count || n.abs_diff(number) <= 2;
        let mut pages = Vec::new();
        let mut last = 0;
        for n in (1..=count).filter(|&n| near(n)) {
            pages.push(PageLink {
                number: n,
                path: paths::numbered(first, n),
                current: n == number,
                gap_before: n > last + 1,
            });
            last = n;
        }
        let pagination = Pagination {
            number,
            count,
            path: paths::numbered(first, number),
            previous: (number > 1).then(|| paths::numbered(first, number - 1)),
            next: (number < count).then(|| paths::numbered(first, number + 1)),
            pages,
        };
        (shown, pagination)
    }

    /// The page's title: `title` on the first page, `title, page 2 of 7` on the others.
    fn title(&self, title: &str) -> String {
        if self.number == 1 { title.to_string() } else { format!("{title}, page {} of {}", self.number, self.count) }
    }
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

#[cfg(test)]
mod tests {
    use super::{Pagination, page_count};

    #[test]
    fn a_listing_is_cut_into_pages_of_the_asked_size() {
        assert_eq!(page_count(0, Some(10)), 1, "an empty listing keeps its page");
        assert_eq!((page_count(10, Some(10)), page_count(11, Some(10)), page_count(11, None)), (1, 2, 1));
        let briefs: Vec<usize> = (0..23).collect();
        let (shown, last) = Pagination::of(&briefs, 3, Some(10), "briefs/index.html");
        assert_eq!(shown, &[20, 21, 22]);
        assert_eq!((last.number, last.count, last.next.as_deref()), (3, 3, None));
        assert_eq!(last.previous.as_deref(), Some("briefs/index.2.html"));
        assert_eq!(last.title("Briefs"), "Briefs, page 3 of 3");
        let (shown, first) = Pagination::of(&briefs, 1, Some(10), "briefs/index.html");
        assert_eq!((shown.len(), first.path.as_str(), first.previous.as_deref()), (10, "briefs/index.html", None));
        assert_eq!(first.title("Briefs"), "Briefs");
        let (shown, whole) = Pagination::of(&briefs, 1, None, "tags/ai.html");
        assert_eq!((shown.len(), whole.count, whole.pages.len()), (23, 1, 1));
    }

    #[test]
    fn page_links_keep_the_ends_and_two_either_side_with_gaps_between() {
        let briefs: Vec<usize> = (0..100).collect();
        let links = |number: usize| {
            let (_, pagination) = Pagination::of(&briefs, number, Some(5), "tags/ai.html");
            pagination
                .pages
                .iter()
                .map(|link| {
                    format!(
                        "{}{}{}",
                        if link.gap_before { "… " } else { "" },
                        link.number,
                        if link.current { "*" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(links(1), "1* 2 3 … 20");
        assert_eq!(links(4), "1 2 3 4* 5 6 … 20");
        assert_eq!(links(10), "1 … 8 9 10* 11 12 … 20");
        assert_eq!(links(20), "1 … 18 19 20*");
        let (_, pagination) = Pagination::of(&briefs, 10, Some(5), "tags/ai.html");
        assert_eq!(pagination.pages[1].path, "tags/ai.8.html");
    }
}
