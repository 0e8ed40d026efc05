//! Raw structs in, validated model out, with a diagnostic for every problem found.
//!
//! Checks what the loader cannot: ids are slugs and unique, references name things that exist
//! (with a "did you mean" when one is close), enums hold known words, dates exist, values are
//! positive and plausible, URLs are http(s), superseded deals say what replaced them. A record
//! with a problem is left out of the model but does not stop the others from being checked, so
//! one run reports everything; the model is only returned when there was no error at all.
//! Otherwise [`recover`] makes a model of what did validate, which the pipeline renders into
//! nothing to find the problems of the briefs' bodies and the templates in the same run.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use rayon::prelude::*;

use super::{
    Agreement, Basis, Brief, Company, Date, Deal, Frequency, Kind, Line, Origin, Page, Period, Point, Role, Series,
    Site, SiteConfig, Source, Status, Unit, Withheld, is_slug, slugify,
};
use crate::diag::{Diagnostic, Diagnostics, Location, Sources, suggest};
use crate::load::raw::{RawBrief, RawCompany, RawDeal, RawPage, RawSeries, RawSource};
use crate::load::table::Sp;
use crate::load::{COMPANIES_FILE, DEALS_FILE, LoadedSite};

/// Ids or slugs met so far, with the file and span of the first: looked up, never iterated.
type Seen = rustc_hash::FxHashMap<String, (String, Range<usize>)>;

/// Values above this many billions of dollars are refused as typos (the largest real
/// commitments are in the hundreds of billions).
const ABSURD_USD_BN: f64 = 5_000.0;
/// A number as a message quotes it: as written when short, else in exponent form (`1e300`, not
/// three hundred digits; `1e-300`, not three hundred zeros).
fn figure(value: f64) -> String {
    let plain = value.to_string();
    if plain.len() <= 12 { plain } else { format!("{value:e}") }
}

/// The most briefs `paginate` may put on one page.
const MAX_PER_PAGE: i64 = 100_000;

/// Page names at the root of the output that content pages may not take.
const RESERVED_PAGE_SLUGS: [&str; 10] =
    ["index", "registry", "404", "feed", "sitemap", "search", "briefs", "deals", "companies", "tags"];

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Keep briefs and pages marked `draft = true`.
    pub drafts: bool,
}

/// What validation made of the loaded files.
#[derive(Debug)]
pub enum Validated {
    /// No error: the model.
    Site(Box<Site>),
    /// Errors: what did validate, for [`recover`].
    Broken(Box<Broken>),
}

/// The records that validated in a run with errors, and which briefs and pages did not.
#[derive(Debug)]
pub struct Broken {
    config: Option<SiteConfig>,
    companies: Vec<Company>,
    deals: Vec<Deal>,
    briefs: Vec<Brief>,
    pages: Vec<Page>,
    series: Vec<Series>,
    /// Indices into the loaded briefs and pages that failed validation (drafts left out unless
    /// asked for), whose bodies the recovered model still carries.
    failed_briefs: Vec<usize>,
    failed_pages: Vec<usize>,
}

/// Validates everything loaded. The model comes back only when no error was found; otherwise
/// what did validate comes back for [`recover`].
pub fn validate(loaded: &LoadedSite, options: Options) -> (Validated, Diagnostics) {
    let mut v = Validator { sources: &loaded.sources, diagnostics: Diagnostics::default() };
    let config = loaded.config.as_ref().and_then(|raw| v.config(raw));

    let companies = v.companies(&loaded.companies);
    let company_ids: BTreeSet<&str> =
        loaded.companies.iter().filter_map(|c| c.id.as_ref()).map(|id| id.value.as_str()).collect();
    let deal_ids: BTreeSet<&str> =
        loaded.deals.iter().filter_map(|d| d.id.as_ref()).map(|id| id.value.as_str()).collect();
    let refs = References {
        companies: &company_ids,
        deals: &deal_ids,
        companies_known: loaded.companies_readable,
        deals_known: loaded.deals_readable,
    };
    v.company_parents(&loaded.companies, &refs);

    let deals = v.deals(&loaded.deals, &refs);
    // Each brief is checked on its own, in parallel; only slug uniqueness needs the others,
    // and it is judged afterwards in file order, so "first defined in" names the same file.
    let checked: Vec<(Option<Brief>, Option<Sp<String>>, Diagnostics)> = loaded
        .briefs
        .par_iter()
        .map(|raw| {
            let mut checker = Validator { sources: &loaded.sources, diagnostics: Diagnostics::default() };
            let (brief, slug) = checker.brief(raw, &refs);
            (brief, slug, checker.diagnostics)
        })
        .collect();
    let mut briefs: Vec<Brief> = Vec::with_capacity(checked.len());
    // Each slug's first brief, by position: the slugs are borrowed, not copied, which shows at
    // 10,000 briefs on this one-thread stretch. A later brief with the same slug is told where
    // the first one is, after its own diagnostics, as one by one.
    let mut first_with_slug: rustc_hash::FxHashMap<&str, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(checked.len(), Default::default());
    let mut first_of: Vec<Option<(usize, Range<usize>)>> = vec![None; checked.len()];
    for (i, (_, slug, _)) in checked.iter().enumerate() {
        let Some(slug) = slug else { continue };
        let first = *first_with_slug.entry(slug.value.as_str()).or_insert(i);
        if first != i {
            let first_span = checked[first].1.as_ref().map_or(0..0, |first| first.span.clone());
            first_of[i] = Some((first, first_span));
        }
    }
    drop(first_with_slug);
    let wanted = |draft: &Option<Sp<bool>>| options.drafts || !draft.as_ref().is_some_and(|d| d.value);
    let mut failed_briefs = Vec::new();
    for (i, (((brief, slug, diagnostics), raw), first)) in
        checked.into_iter().zip(&loaded.briefs).zip(first_of).enumerate()
    {
        v.diagnostics.extend(diagnostics);
        let unique = match (&slug, first) {
            (Some(slug), Some((first, first_span))) => {
                v.duplicate(&raw.file, slug, &loaded.briefs[first].file, &first_span, "slug");
                false
            }
            _ => true,
        };
        match brief {
            Some(brief) if slug.is_some() && unique && (options.drafts || !brief.draft) => briefs.push(brief),
            // A valid draft is not wanted either: it is no failure.
            Some(_) if slug.is_some() && unique => {}
            _ if wanted(&raw.draft) => failed_briefs.push(i),
            _ => {}
        }
    }
    let mut pages: Vec<Page> = Vec::new();
    let mut failed_pages = Vec::new();
    let mut page_slugs = Seen::default();
    for (i, raw) in loaded.pages.iter().enumerate() {
        match v.page(raw, &mut page_slugs) {
            Some(page) if options.drafts || !page.draft => pages.push(page),
            Some(_) => {}
            None if wanted(&raw.draft) => failed_pages.push(i),
            None => {}
        }
    }
    let series: Vec<Series> = loaded.series.iter().filter_map(|raw| v.series(raw, &refs)).collect();

    let mut diagnostics = v.diagnostics;
    diagnostics.sort();
    let broken = Broken { config, companies, deals, briefs, pages, series, failed_briefs, failed_pages };
    if diagnostics.has_errors() || broken.config.is_none() {
        return (Validated::Broken(Box::new(broken)), diagnostics);
    }
    (Validated::Site(Box::new(broken.into_site())), diagnostics)
}

impl Broken {
    /// The model of these records, in the model's order.
    fn into_site(self) -> Site {
        let Broken { config, mut companies, mut deals, mut briefs, mut pages, mut series, .. } = self;
        companies.sort_by(|a, b| a.id.cmp(&b.id));
        deals.sort_by(|a, b| b.announced.cmp(&a.announced).then_with(|| a.id.cmp(&b.id)));
        // Slugs are unique, so this order is total and a parallel sort gives the same order.
        briefs.par_sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.slug.cmp(&b.slug)));
        pages.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.slug.cmp(&b.slug)));
        series.sort_by(|a, b| a.id.cmp(&b.id));
        let config = config.unwrap_or_else(|| Site::empty().config);
        Site { config, companies, deals, briefs, pages, series, ..Site::empty() }.index()
    }
}

/// A model to look for more problems in, for a run whose files have errors (in loading or in
/// validation): what validated, with stand-ins for the briefs and pages that did not (so their
/// bodies' shortcodes and links are still checked), and a record of what was left out
/// ([`Withheld`]), so that the render does not report a reference to a deal whose own entry is
/// broken as a reference to nothing. It keeps the model's promise that references resolve: a
/// deal naming a company or deal that was left out is left out too, and such ids are dropped
/// from briefs' lists, companies' parents and series' lines. It is rendered to find problems and
/// written nowhere.
///
/// `problems` are the run's diagnostics so far: a file named by one (a brief the user may not
/// read, a symlink) counts as defined, though nothing of it was read.
pub fn recover(validated: Validated, loaded: &LoadedSite, problems: &Diagnostics) -> Site {
    let mut broken = match validated {
        Validated::Broken(broken) => *broken,
        Validated::Site(site) => {
            let Site { config, companies, deals, briefs, pages, series, .. } = *site;
            let config = Some(config);
            Broken { config, companies, deals, briefs, pages, series, failed_briefs: vec![], failed_pages: vec![] }
        }
    };
    // A folder that could not be listed is named by a problem of its own (`content/briefs/`).
    let unlisted = |folder: &str| problems.iter().any(|problem| problem.file == folder);
    let mut withheld = Withheld {
        all_deals: !loaded.deals_readable,
        all_companies: !loaded.companies_readable,
        all_series: unlisted("content/series/"),
        all_briefs: unlisted("content/briefs/"),
        all_pages: unlisted("content/pages/"),
        ..Withheld::default()
    };
    // Companies and deals: an id defined in the registry but absent from the model.
    let company_ids: BTreeSet<String> = broken.companies.iter().map(|c| c.id.clone()).collect();
    withheld.companies = left_out_ids(loaded.companies.iter().map(|c| &c.id), |id| company_ids.contains(id));
    for company in &mut broken.companies {
        if company.parent.as_ref().is_some_and(|parent| !company_ids.contains(parent.as_str())) {
            company.parent = None;
        }
    }
    let valid_deals: BTreeSet<&str> = broken.deals.iter().map(|d| d.id.as_str()).collect();
    withheld.deals = left_out_ids(loaded.deals.iter().map(|d| &d.id), |id| valid_deals.contains(id));
    drop(valid_deals);
    // A deal whose parties or successor were left out goes too, until none is left dangling.
    loop {
        let deal_ids: BTreeSet<String> = broken.deals.iter().map(|d| d.id.clone()).collect();
        let dangling = |deal: &Deal| {
            deal.parties().any(|party| !company_ids.contains(party))
                || deal.superseded_by.as_ref().is_some_and(|next| !deal_ids.contains(next))
        };
        let (gone, kept): (Vec<Deal>, Vec<Deal>) = broken.deals.drain(..).partition(|deal| dangling(deal));
        broken.deals = kept;
        if gone.is_empty() {
            break;
        }
        withheld.deals.extend(gone.into_iter().map(|deal| deal.id));
    }
    let deal_ids: BTreeSet<String> = broken.deals.iter().map(|d| d.id.clone()).collect();
    for series in &mut broken.series {
        for line in &mut series.lines {
            if line.company.as_ref().is_some_and(|company| !company_ids.contains(company.as_str())) {
                line.company = None;
            }
        }
    }
    let series_ids: BTreeSet<String> = broken.series.iter().map(|s| s.id.clone()).collect();
    withheld.series = files_under(loaded, problems, "content/series/", ".toml")
        .filter(|stem| !series_ids.contains(*stem))
        .map(str::to_string)
        .collect();
    // Briefs and pages: stand-ins for the ones that failed; a link names a file, so every file
    // of the folder that is not in the model (it failed to load, or to validate) is withheld,
    // under its file name and under the slug it asked for.
    let valid_files: BTreeSet<&str> =
        broken.briefs.iter().map(|b| b.file.as_str()).chain(broken.pages.iter().map(|p| p.file.as_str())).collect();
    let left_out = |folder: &str, extension: &str| -> BTreeSet<String> {
        files_under(loaded, problems, folder, extension)
            .filter(|stem| !valid_files.contains(format!("{folder}{stem}{extension}").as_str()))
            .map(str::to_string)
            .collect()
    };
    withheld.briefs = left_out("content/briefs/", ".md");
    withheld.pages = left_out("content/pages/", ".md");
    drop(valid_files);
    let mut briefs = std::mem::take(&mut broken.briefs);
    for (n, &i) in broken.failed_briefs.iter().enumerate() {
        let raw = &loaded.briefs[i];
        // Under the slug it asked for, and under the one a file name that is not a slug would
        // be renamed to (`second brief.md`, linked as `@/briefs/second-brief.md`).
        withheld.briefs.extend(raw.slug.as_ref().map(|slug| slug.value.clone()));
        withheld.briefs.insert(slugify(&raw.stem));
        briefs.push(stand_in_brief(raw, n, &company_ids, &deal_ids));
    }
    for brief in &mut briefs {
        brief.companies.retain(|id| company_ids.contains(id.as_str()));
        brief.deals.retain(|id| deal_ids.contains(id.as_str()));
    }
    let mut pages = std::mem::take(&mut broken.pages);
    for (n, &i) in broken.failed_pages.iter().enumerate() {
        let raw = &loaded.pages[i];
        withheld.pages.extend(raw.slug.as_ref().map(|slug| slug.value.clone()));
        withheld.pages.insert(slugify(&raw.stem));
        pages.push(Page {
            slug: format!("recovered--page-{n}"),
            title: raw.title.as_ref().map_or_else(|| raw.stem.clone(), |t| t.value.clone()),
            summary: None,
            order: i64::MAX,
            draft: false,
            text: std::sync::Arc::clone(&raw.text),
            body_offset: raw.body_offset,
            file: raw.file.clone(),
        });
    }
    broken.briefs = briefs;
    broken.pages = pages;
    let mut site = broken.into_site();
    site.withheld = withheld;
    site
}

/// The ids the registry defines (`defined`) that the model left out (`kept` says no).
fn left_out_ids<'r>(
    defined: impl Iterator<Item = &'r Option<Sp<String>>>,
    kept: impl Fn(&str) -> bool,
) -> BTreeSet<String> {
    defined.flatten().map(|id| id.value.as_str()).filter(|id| !kept(id)).map(str::to_string).collect()
}

/// The stems of the files of `folder` (`content/briefs/`) with `extension` that were read, or
/// that a problem names (some may appear twice).
fn files_under<'l>(
    loaded: &'l LoadedSite,
    problems: &'l Diagnostics,
    folder: &str,
    extension: &str,
) -> impl Iterator<Item = &'l str> {
    let (folder, extension) = (folder.to_string(), extension.to_string());
    loaded
        .sources
        .files()
        .chain(problems.iter().map(|problem| problem.file.as_str()))
        .filter_map(move |file| file.strip_prefix(folder.as_str())?.strip_suffix(extension.as_str()))
}

/// A brief that failed validation, as the recovered model carries it: its body as written, under
/// a slug no real brief can have (`--` is never in a slug), its title and date where they are
/// readable, and the references of its lists that resolve.
fn stand_in_brief(raw: &RawBrief, n: usize, companies: &BTreeSet<String>, deals: &BTreeSet<String>) -> Brief {
    let resolving = |ids: &[Sp<String>], known: &BTreeSet<String>| {
        ids.iter().filter(|id| known.contains(id.value.as_str())).map(|id| id.value.clone()).collect()
    };
    Brief {
        slug: format!("recovered--brief-{n}"),
        title: raw.title.as_ref().map_or_else(|| raw.stem.clone(), |t| t.value.clone()),
        date: raw.date.as_ref().and_then(|d| Date::parse(d.value.trim()).ok()).unwrap_or(Date {
            year: 1970,
            month: 1,
            day: Some(1),
        }),
        updated: None,
        summary: raw.summary.as_ref().map_or_else(String::new, |s| s.value.clone()),
        tags: Vec::new(),
        companies: resolving(&raw.companies, companies),
        deals: resolving(&raw.deals, deals),
        draft: false,
        text: std::sync::Arc::clone(&raw.text),
        body_offset: raw.body_offset,
        file: raw.file.clone(),
    }
}

/// The ids that exist, for checking references.
struct References<'a> {
    companies: &'a BTreeSet<&'a str>,
    deals: &'a BTreeSet<&'a str>,
    /// False when the registry file could not be parsed: its ids are unknown, not missing.
    companies_known: bool,
    deals_known: bool,
}

/// How a period is written, for every diagnostic about one.
const PERIOD_HINT: &str = "write a year (`2025`) or a quarter (`2025-Q3`, quarters 1 to 4)";

struct Validator<'s> {
    sources: &'s Sources,
    diagnostics: Diagnostics,
}

impl Validator<'_> {
    fn error(&mut self, file: &str, span: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics.push_mut(Diagnostic::error(file, Some(span), message))
    }

    fn line_of(&self, file: &str, offset: usize) -> usize {
        self.sources.get(file).map_or(1, |text| Location::of(text, offset).line)
    }

    /// A non-empty trimmed string.
    fn text(&mut self, file: &str, value: &Option<Sp<String>>, key: &str) -> Option<String> {
        let value = value.as_ref()?;
        let trimmed = value.value.trim();
        if trimmed.is_empty() {
            self.error(file, value.span.clone(), format!("`{key}` is empty")).help =
                Some(format!("write the {key}, or remove the key"));
            return None;
        }
        Some(trimmed.to_string())
    }

    fn optional_text(&mut self, file: &str, value: &Option<Sp<String>>, key: &str) -> Option<Option<String>> {
        match value {
            None => Some(None),
            Some(_) => self.text(file, value, key).map(Some),
        }
    }

    fn id(&mut self, file: &str, value: &Option<Sp<String>>, what: &str) -> Option<String> {
        let value = value.as_ref()?;
        if is_slug(&value.value) {
            return Some(value.value.clone());
        }
        let suggestion = slugify(&value.value);
        let help = if suggestion.is_empty() {
            "use lowercase letters, digits and single hyphens".to_string()
        } else {
            format!("use lowercase letters, digits and single hyphens, for example `{suggestion}`")
        };
        self.error(file, value.span.clone(), format!("`{}` is not a valid {what} id", value.value)).help = Some(help);
        None
    }

    fn choice<T: Copy>(&mut self, file: &str, value: &Sp<String>, all: &[(&'static str, T)], key: &str) -> Option<T> {
        if let Some((_, found)) = all.iter().find(|(name, _)| *name == value.value) {
            return Some(*found);
        }
        let names: Vec<&str> = all.iter().map(|(name, _)| *name).collect();
        let help = match suggest(&value.value, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("use one of: {}", names.join(", ")),
        };
        self.error(file, value.span.clone(), format!("unknown {key} `{}`", value.value)).help = Some(help);
        None
    }

    fn date(&mut self, file: &str, value: &Option<Sp<String>>) -> Option<Date> {
        let value = value.as_ref()?;
        match Date::parse(value.value.trim()) {
            Ok(date) => Some(date),
            Err(problem) => {
                self.error(file, value.span.clone(), problem).help =
                    Some("write `2025-11-03`, or `\"2025-11\"` when only the month is known".to_string());
                None
            }
        }
    }

    fn url(&mut self, file: &str, value: &Sp<String>) -> Option<String> {
        match check_http_url(&value.value) {
            Ok(()) => Some(value.value.trim().to_string()),
            Err(problem) => {
                self.error(file, value.span.clone(), problem).help =
                    Some("sources and links must be http:// or https:// addresses".to_string());
                None
            }
        }
    }

    /// A reference to a company or deal; on failure suggests the closest id. When the registry
    /// file could not be parsed at all, references to it are left unjudged (the build fails anyway).
    fn reference(&mut self, file: &str, value: &Sp<String>, refs: &References<'_>, what: &str) -> Option<String> {
        let (known, readable) =
            if what == "company" { (refs.companies, refs.companies_known) } else { (refs.deals, refs.deals_known) };
        if known.contains(value.value.as_str()) || !readable {
            return Some(value.value.clone());
        }
        let registry = if what == "company" { COMPANIES_FILE } else { DEALS_FILE };
        let help = match suggest(&value.value, known.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("add a {what} with this id to {registry}, or fix the id"),
        };
        self.error(file, value.span.clone(), format!("unknown {what} `{}`", value.value)).help = Some(help);
        None
    }

    fn positive(
        &mut self,
        file: &str,
        value: &Option<Sp<f64>>,
        key: &str,
        max: f64,
        unit: &str,
    ) -> Option<Option<f64>> {
        let Some(value) = value else {
            return Some(None);
        };
        if value.value <= 0.0 {
            self.error(file, value.span.clone(), format!("`{key}` must be greater than zero")).help =
                Some(format!("leave `{key}` out when it is not known"));
            return None;
        }
        if value.value > max {
            self.error(
                file,
                value.span.clone(),
                format!("`{key}` of {} {unit} is not plausible", figure(value.value)),
            )
            .help = Some(format!("the largest accepted value is {max} {unit}; check the unit"));
            return None;
        }
        Some(Some(value.value))
    }

    fn unique(&mut self, seen: &mut Seen, file: &str, value: &Sp<String>, what: &str) -> bool {
        if let Some((first_file, first_span)) = seen.get(&value.value) {
            self.duplicate(file, value, first_file, first_span, what);
            return false;
        }
        seen.insert(value.value.clone(), (file.to_string(), value.span.clone()));
        true
    }

    /// Reports `value` in `file` as a duplicate of the one at `first_span` in `first_file`.
    fn duplicate(&mut self, file: &str, value: &Sp<String>, first_file: &str, first_span: &Range<usize>, what: &str) {
        let line = self.line_of(first_file, first_span.start);
        let help = format!("first defined in {first_file} at line {line}; ids must be unique");
        self.error(file, value.span.clone(), format!("duplicate {what} `{}`", value.value)).help = Some(help);
    }

    fn config(&mut self, raw: &crate::load::raw::RawConfig) -> Option<SiteConfig> {
        let file = raw.file.as_str();
        let title = self.text(file, &raw.title, "title");
        let description = self.optional_text(file, &raw.description, "description")?.unwrap_or_default();
        let author = self.optional_text(file, &raw.author, "author")?.unwrap_or_default();
        let language = match &raw.language {
            Some(language) => {
                let valid = !language.value.is_empty()
                    && language.value.len() <= 35
                    && language.value.split('-').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
                if !valid {
                    self.error(file, language.span.clone(), format!("`{}` is not a language tag", language.value))
                        .help = Some("use a BCP 47 tag such as `en` or `en-GB`".to_string());
                    return None;
                }
                language.value.clone()
            }
            None => "en".to_string(),
        };
        let base_url = match &raw.base_url {
            Some(url) => {
                let mut url = self.url(file, url)?;
                if !url.ends_with('/') {
                    url.push('/');
                }
                Some(url)
            }
            None => None,
        };
        let trust_html = raw.trust_html.as_ref().is_some_and(|trust| trust.value);
        let search = raw.search.as_ref().is_none_or(|search| search.value);
        let paginate = match &raw.paginate {
            Some(per_page) if (1..=MAX_PER_PAGE).contains(&per_page.value) => Some(per_page.value as usize),
            Some(per_page) => {
                let message = if per_page.value < 1 {
                    format!("`paginate = {}` would put no brief on a page", per_page.value)
                } else {
                    format!("`paginate = {}` is more briefs than a page can hold", per_page.value)
                };
                self.error(file, per_page.span.clone(), message).help = Some(format!(
                    "`paginate` is how many briefs each page of the briefs index and of a topic lists, from 1 to \
                         {MAX_PER_PAGE}; leave it out to list them all on one page"
                ));
                return None;
            }
            None => None,
        };
        Some(SiteConfig { title: title?, description, language, author, base_url, trust_html, search, paginate })
    }

    fn companies(&mut self, raws: &[RawCompany]) -> Vec<Company> {
        let mut seen = Seen::default();
        let mut companies = Vec::new();
        for raw in raws {
            let file = COMPANIES_FILE;
            let id = self.id(file, &raw.id, "company");
            let unique = raw.id.as_ref().is_none_or(|id| self.unique(&mut seen, file, id, "company id"));
            let name = self.text(file, &raw.name, "name");
            let short_name = self.optional_text(file, &raw.short_name, "short_name");
            let role = raw.role.as_ref().and_then(|role| self.choice(file, role, &Role::ALL, "role"));
            let description = self.text(file, &raw.description, "description");
            let url = match &raw.url {
                Some(url) => self.url(file, url).map(Some),
                None => Some(None),
            };
            if let (Some(id), true, Some(name), Some(short_name), Some(role), Some(description), Some(url)) =
                (id, unique, name, short_name, role, description, url)
            {
                let parent = raw.parent.as_ref().map(|p| p.value.clone());
                companies.push(Company {
                    id,
                    name,
                    short_name,
                    role,
                    parent,
                    description,
                    url,
                    origin: Origin { file: file.to_string(), span: raw.header.clone() },
                });
            }
        }
        companies
    }

    fn company_parents(&mut self, raws: &[RawCompany], refs: &References<'_>) {
        for raw in raws {
            let (Some(parent), Some(id)) = (&raw.parent, &raw.id) else {
                continue;
            };
            if parent.value == id.value {
                self.error(COMPANIES_FILE, parent.span.clone(), "a company cannot be its own parent").help =
                    Some("name the group that owns this company, or remove `parent`".to_string());
            } else {
                self.reference(COMPANIES_FILE, parent, refs, "company");
            }
        }
    }

    fn sources(&mut self, file: &str, header: &Range<usize>, raws: &[RawSource], owner: &str) -> Option<Vec<Source>> {
        if raws.is_empty() {
            self.error(file, header.clone(), format!("{owner} has no source")).help =
                Some("add a `[[source]]` table with publisher, title, url and date".to_string());
            return None;
        }
        let mut sources = Vec::new();
        let mut ok = true;
        for raw in raws {
            let publisher = self.text(file, &raw.publisher, "publisher");
            let title = self.text(file, &raw.title, "title");
            let url = raw.url.as_ref().and_then(|url| self.url(file, url));
            let date = self.date(file, &raw.date);
            let note = self.optional_text(file, &raw.note, "note");
            let mut periods = Vec::new();
            for period in &raw.periods {
                match Period::parse(&period.value) {
                    Ok(p) => periods.push(p),
                    Err(problem) => {
                        self.error(file, period.span.clone(), problem).help = Some(PERIOD_HINT.to_string());
                        ok = false;
                    }
                }
            }
            match (publisher, title, url, date, note) {
                (Some(publisher), Some(title), Some(url), Some(date), Some(note)) => {
                    sources.push(Source { publisher, title, url, date, note, periods })
                }
                _ => ok = false,
            }
        }
        ok.then_some(sources)
    }

    fn deals(&mut self, raws: &[RawDeal], refs: &References<'_>) -> Vec<Deal> {
        let file = DEALS_FILE;
        let mut seen = Seen::default();
        let mut deals = Vec::new();
        for raw in raws {
            let id = self.id(file, &raw.id, "deal");
            let unique = raw.id.as_ref().is_none_or(|id| self.unique(&mut seen, file, id, "deal id"));
            let title = self.text(file, &raw.title, "title");
            let buyer = raw.buyer.as_ref().and_then(|b| self.reference(file, b, refs, "company"));
            let provider = raw.provider.as_ref().and_then(|p| self.reference(file, p, refs, "company"));
            if let (Some(b), Some(p)) = (&raw.buyer, &raw.provider)
                && b.value == p.value
            {
                self.error(file, p.span.clone(), "the provider is the same company as the buyer").help =
                    Some("a deal is between two different companies".to_string());
            }
            let mut partners = Some(Vec::new());
            for partner in &raw.partners {
                match self.reference(file, partner, refs, "company") {
                    Some(p) => {
                        if let Some(list) = partners.as_mut() {
                            list.push(p);
                        }
                    }
                    None => partners = None,
                }
            }
            let kind = raw.kind.as_ref().and_then(|k| self.choice(file, k, &Kind::ALL, "deal kind"));
            let announced = self.date(file, &raw.announced);
            let agreement = match &raw.agreement {
                Some(a) => self.choice(file, a, &Agreement::ALL, "agreement"),
                None => Some(Agreement::Contract),
            };
            let status = raw.status.as_ref().and_then(|s| self.choice(file, s, &Status::ALL, "status"));
            let superseded_by = self.superseded_by(raw, status, refs);
            let basis = raw.value_basis.as_ref().and_then(|b| self.choice(file, b, &Basis::ALL, "value basis"));
            let value = self.value(raw, basis);
            let term_years = self.positive(file, &raw.term_years, "term_years", 100.0, "years");
            let capacity_gw = self.positive(file, &raw.capacity_gw, "capacity_gw", 1_000.0, "GW");
            let chip_count = match &raw.chip_count {
                Some(count) if count.value <= 0 => {
                    self.error(file, count.span.clone(), "`chip_count` must be greater than zero").help =
                        Some("leave `chip_count` out when the number of chips is not disclosed".to_string());
                    None
                }
                Some(count) if count.value > 1_000_000_000 => {
                    self.error(file, count.span.clone(), format!("`chip_count` of {} is not plausible", count.value))
                        .help = Some("`chip_count` counts chips, not dollars: check the figure's units".to_string());
                    None
                }
                Some(count) => Some(Some(count.value as u64)),
                None => Some(None),
            };
            let chips: Vec<String> =
                raw.chips.iter().map(|c| c.value.trim().to_string()).filter(|c| !c.is_empty()).collect();
            let summary = self.text(file, &raw.summary, "summary");
            let notes = self.optional_text(file, &raw.notes, "notes");
            let owner = raw.id.as_ref().map_or_else(|| "the deal".to_string(), |id| format!("deal `{}`", id.value));
            let sources = self.sources(file, &raw.header, &raw.sources, &owner);

            let (Some(id), true, Some(title), Some(buyer), Some(provider), Some(partners)) =
                (id, unique, title, buyer, provider, partners)
            else {
                continue;
            };
            let (Some(kind), Some(announced), Some(agreement), Some(status), Some(superseded_by)) =
                (kind, announced, agreement, status, superseded_by)
            else {
                continue;
            };
            let (Some(basis), Some(value_usd_m), Some(term_years), Some(capacity_gw), Some(chip_count)) =
                (basis, value, term_years, capacity_gw, chip_count)
            else {
                continue;
            };
            let (Some(summary), Some(notes), Some(sources)) = (summary, notes, sources) else {
                continue;
            };
            deals.push(Deal {
                id,
                title,
                buyer,
                provider,
                partners,
                kind,
                announced,
                agreement,
                status,
                superseded_by,
                value_usd_m,
                basis,
                term_years,
                capacity_gw,
                chips,
                chip_count,
                summary,
                notes,
                sources,
                origin: Origin { file: file.to_string(), span: raw.header.clone() },
            });
        }
        self.supersession_cycles(&deals);
        deals
    }

    /// `Some(None)`: fine and not superseded; `Some(Some(id))`: superseded by `id`; `None`: error.
    fn superseded_by(
        &mut self,
        raw: &RawDeal,
        status: Option<Status>,
        refs: &References<'_>,
    ) -> Option<Option<String>> {
        let file = DEALS_FILE;
        match (&raw.superseded_by, status) {
            (Some(by), Some(Status::Superseded)) => {
                if raw.id.as_ref().is_some_and(|id| id.value == by.value) {
                    self.error(file, by.span.clone(), "a deal cannot supersede itself").help =
                        Some("name the later deal that replaced this one".to_string());
                    return None;
                }
                self.reference(file, by, refs, "deal").map(Some)
            }
            (None, Some(Status::Superseded)) => {
                let span = raw.status.as_ref().map_or(raw.header.clone(), |s| s.span.clone());
                self.error(file, span, "a superseded deal must say what superseded it").help =
                    Some("add `superseded_by = \"<id of the later deal>\"`".to_string());
                None
            }
            (Some(by), Some(_)) => {
                self.error(file, by.span.clone(), "`superseded_by` is only allowed when `status = \"superseded\"`")
                    .help = Some("set `status = \"superseded\"` or remove `superseded_by`".to_string());
                None
            }
            (_, None) => None,
            (None, Some(_)) => Some(None),
        }
    }

    /// The value in millions of dollars, checked against its basis.
    fn value(&mut self, raw: &RawDeal, basis: Option<Basis>) -> Option<Option<i64>> {
        let file = DEALS_FILE;
        let basis = basis?;
        match (&raw.value_usd_bn, basis) {
            (None, Basis::Undisclosed) => Some(None),
            (Some(value), Basis::Undisclosed) => {
                self.error(file, value.span.clone(), "an undisclosed deal cannot have a value").help = Some(
                    "remove `value_usd_bn`, or set `value_basis` to `reported`, `more_than`, `up_to` or `estimate`"
                        .to_string(),
                );
                None
            }
            (None, _) if raw.value_written => None,
            (None, _) => {
                let span = raw.value_basis.as_ref().map_or(raw.header.clone(), |b| b.span.clone());
                self.error(file, span, "missing `value_usd_bn` for a deal whose value is not undisclosed").help = Some(
                    "add `value_usd_bn = ...` in billions of dollars, or set `value_basis = \"undisclosed\"`"
                        .to_string(),
                );
                None
            }
            (Some(value), _) if value.value <= 0.0 => {
                self.error(file, value.span.clone(), "`value_usd_bn` must be greater than zero").help =
                    Some("use `value_basis = \"undisclosed\"` when no value is known".to_string());
                None
            }
            (Some(value), _) if value.value > ABSURD_USD_BN => {
                self.error(
                    file,
                    value.span.clone(),
                    format!("`value_usd_bn` of {} is not plausible", figure(value.value)),
                )
                .help = Some("the value is in billions of dollars: write 38 for $38bn".to_string());
                None
            }
            // Values are kept in whole millions: anything under half a million would print as $0.
            (Some(value), _) if (value.value * 1_000.0).round() < 1.0 => {
                self.error(
                    file,
                    value.span.clone(),
                    format!("`value_usd_bn` of {} is less than half a million dollars", figure(value.value)),
                )
                .help = Some(
                    "the value is in billions of dollars: write 0.25 for $250m; use `value_basis = \"undisclosed\"` \
                     when the value is not known"
                        .to_string(),
                );
                None
            }
            (Some(value), _) => Some(Some((value.value * 1_000.0).round() as i64)),
        }
    }

    fn supersession_cycles(&mut self, deals: &[Deal]) {
        let next: BTreeMap<&str, &str> =
            deals.iter().filter_map(|d| d.superseded_by.as_deref().map(|by| (d.id.as_str(), by))).collect();
        for deal in deals {
            let mut current = deal.id.as_str();
            let mut steps = 0;
            while let Some(&by) = next.get(current) {
                current = by;
                steps += 1;
                if current == deal.id || steps > next.len() {
                    self.error(
                        &deal.origin.file,
                        deal.origin.span.clone(),
                        format!("deal `{}` is superseded in a cycle", deal.id),
                    )
                    .help = Some("the last deal of a supersession chain must not be superseded".to_string());
                    break;
                }
            }
        }
    }

    /// The slug of a document, from `slug = "..."` or its file name, when it is a valid id
    /// (uniqueness is judged separately).
    fn valid_slug(
        &mut self,
        file: &str,
        stem: &str,
        slug: &Option<Sp<String>>,
        opening: &Range<usize>,
    ) -> Option<Sp<String>> {
        let value = match slug {
            Some(slug) => slug.clone(),
            None => {
                if !is_slug(stem) {
                    let suggestion = slugify(stem);
                    self.error(file, opening.clone(), format!("the file name `{stem}` is not a valid slug")).help =
                        Some(if suggestion.is_empty() {
                            "rename the file with lowercase letters, digits and hyphens, or set `slug = \"...\"`"
                                .to_string()
                        } else {
                            format!("rename the file to `{suggestion}.md`, or set `slug = \"{suggestion}\"`")
                        });
                    return None;
                }
                Sp::new(stem.to_string(), opening.clone())
            }
        };
        let slug = self.id(file, &Some(value.clone()), "slug")?;
        Some(Sp::new(slug, value.span))
    }

    /// A brief checked on its own, and its valid slug with where it was written: the brief
    /// stands only once the slug is also found unique.
    fn brief(&mut self, raw: &RawBrief, refs: &References<'_>) -> (Option<Brief>, Option<Sp<String>>) {
        let file = raw.file.as_str();
        let slug_written = self.valid_slug(file, &raw.stem, &raw.slug, &raw.opening);
        let slug = slug_written.as_ref().map(|slug| slug.value.clone());
        let title = self.text(file, &raw.title, "title");
        let date = self.date(file, &raw.date);
        let updated = match &raw.updated {
            Some(_) => self.date(file, &raw.updated).map(Some),
            None => Some(None),
        };
        if let (Some(date), Some(Some(updated)), Some(span)) =
            (date, updated, raw.updated.as_ref().map(|u| u.span.clone()))
            && updated < date
        {
            self.error(file, span, "`updated` is earlier than `date`").help =
                Some("`updated` is when the brief was last revised: on or after `date`".to_string());
        }
        let summary = self.text(file, &raw.summary, "summary");
        let mut ok = true;
        let mut tags = Vec::new();
        for tag in &raw.tags {
            match self.id(file, &Some(tag.clone()), "tag") {
                Some(tag) if !tags.contains(&tag) => tags.push(tag),
                Some(_) => {}
                None => ok = false,
            }
        }
        let mut companies = Vec::new();
        for company in &raw.companies {
            match self.reference(file, company, refs, "company") {
                Some(id) => companies.push(id),
                None => ok = false,
            }
        }
        let mut deals = Vec::new();
        for deal in &raw.deals {
            match self.reference(file, deal, refs, "deal") {
                Some(id) => deals.push(id),
                None => ok = false,
            }
        }
        let draft = raw.draft.as_ref().is_some_and(|d| d.value);
        let (Some(slug), Some(title), Some(date), Some(updated), Some(summary), true) =
            (slug, title, date, updated, summary, ok)
        else {
            return (None, slug_written);
        };
        let brief = Brief {
            slug,
            title,
            date,
            updated,
            summary,
            tags,
            companies,
            deals,
            draft,
            text: std::sync::Arc::clone(&raw.text),
            body_offset: raw.body_offset,
            file: raw.file.clone(),
        };
        (Some(brief), slug_written)
    }

    fn page(&mut self, raw: &RawPage, seen: &mut Seen) -> Option<Page> {
        let file = raw.file.as_str();
        let written = self.valid_slug(file, &raw.stem, &raw.slug, &raw.opening)?;
        if !self.unique(seen, file, &written, "slug") {
            return None;
        }
        let slug = written.value;
        if RESERVED_PAGE_SLUGS.contains(&slug.as_str()) {
            let span = raw.slug.as_ref().map_or(raw.opening.clone(), |s| s.span.clone());
            self.error(file, span, format!("the page slug `{slug}` is reserved for a generated page")).help =
                Some(format!("rename the page; reserved: {}", RESERVED_PAGE_SLUGS.join(", ")));
            return None;
        }
        let title = self.text(file, &raw.title, "title")?;
        let summary = self.optional_text(file, &raw.summary, "summary")?;
        Some(Page {
            slug,
            title,
            summary,
            order: raw.order.as_ref().map_or(i64::MAX, |o| o.value),
            draft: raw.draft.as_ref().is_some_and(|d| d.value),
            text: std::sync::Arc::clone(&raw.text),
            body_offset: raw.body_offset,
            file: raw.file.clone(),
        })
    }

    fn series(&mut self, raw: &RawSeries, refs: &References<'_>) -> Option<Series> {
        let file = raw.file.as_str();
        let whole = 0..0;
        let id = if is_slug(&raw.stem) {
            Some(raw.stem.clone())
        } else {
            self.diagnostics.push(
                Diagnostic::error(file, None, format!("the file name `{}` is not a valid series id", raw.stem))
                    .with_help(format!("rename the file to `{}.toml`", slugify(&raw.stem))),
            );
            None
        };
        let title = self.text(file, &raw.title, "title");
        let unit = raw.unit.as_ref().and_then(|u| self.choice(file, u, &Unit::ALL, "unit"));
        let frequency = raw.frequency.as_ref().and_then(|f| self.choice(file, f, &Frequency::ALL, "frequency"));
        let summary = self.text(file, &raw.summary, "summary");
        let notes = self.optional_text(file, &raw.notes, "notes");
        let sources = self.sources(file, &whole, &raw.sources, "the series");
        if raw.lines.is_empty() {
            self.error(file, whole.clone(), "the series has no `[[line]]`").help =
                Some("add `[[line]]` tables with a label and points".to_string());
        }
        let mut ok = !raw.lines.is_empty();
        let mut labels = Seen::default();
        let mut lines = Vec::new();
        // Every period some line has a point for, lines dropped for other errors included: a
        // source's periods are checked against these, so one unknown company is one error.
        let mut pointed: BTreeSet<Period> = BTreeSet::new();
        for raw_line in &raw.lines {
            let label = self.text(file, &raw_line.label, "label");
            if let Some(label) = &raw_line.label
                && !self.unique(&mut labels, file, label, "line label")
            {
                ok = false;
            }
            let company = match &raw_line.company {
                Some(c) => self.reference(file, c, refs, "company").map(Some),
                None => Some(None),
            };
            let mut points: Vec<Point> = Vec::new();
            for (period_text, value) in &raw_line.points {
                let period = match Period::parse(&period_text.value) {
                    Ok(period) => period,
                    Err(problem) => {
                        self.error(file, period_text.span.clone(), problem).help = Some(PERIOD_HINT.to_string());
                        ok = false;
                        continue;
                    }
                };
                match (frequency, period.quarter) {
                    (Some(Frequency::Quarter), None) => {
                        self.error(
                            file,
                            period_text.span.clone(),
                            "a quarterly series needs quarters such as `2025-Q3`",
                        )
                        .help = Some("write the quarter, or set `frequency = \"year\"` for yearly figures".to_string());
                        ok = false;
                    }
                    (Some(Frequency::Year), Some(_)) => {
                        self.error(file, period_text.span.clone(), "a yearly series needs years such as `2025`").help =
                            Some("drop the quarter, or set `frequency = \"quarter\"` for quarterly figures".to_string());
                        ok = false;
                    }
                    _ => {}
                }
                if points.iter().any(|p| p.period == period) {
                    self.error(
                        file,
                        period_text.span.clone(),
                        format!("the period {} appears twice in this line", period.key()),
                    )
                    .help = Some("keep one point per period: remove or correct the other".to_string());
                    ok = false;
                }
                let in_range = match unit {
                    Some(Unit::Percent) => (0.0..=100.0).contains(&value.value),
                    _ => value.value >= 0.0 && value.value <= 1_000_000.0,
                };
                if !in_range {
                    self.error(
                        file,
                        value.span.clone(),
                        format!("the value {} is out of range for this unit", value.value),
                    )
                    .help = Some("percentages lie between 0 and 100; amounts cannot be negative".to_string());
                    ok = false;
                }
                pointed.insert(period);
                points.push(Point { period, value: value.value });
            }
            points.sort_by_key(|p| p.period);
            if let (Some(label), Some(company)) = (label, company) {
                lines.push(Line { label, company, points });
            } else {
                ok = false;
            }
        }
        if let Some(sources) = &sources {
            for (source, raw_source) in sources.iter().zip(&raw.sources) {
                for (period, raw_period) in source.periods.iter().zip(&raw_source.periods) {
                    if !pointed.contains(period) {
                        self.error(
                            file,
                            raw_period.span.clone(),
                            format!("no line has a point for {}", period.key()),
                        )
                        .help = Some("a source's `periods` name periods the series' lines have points for".to_string());
                        ok = false;
                    }
                }
            }
        }
        let (Some(id), Some(title), Some(unit), Some(frequency), Some(summary), Some(notes), Some(sources), true) =
            (id, title, unit, frequency, summary, notes, sources, ok)
        else {
            return None;
        };
        Some(Series { id, title, unit, frequency, summary, notes, lines, sources, file: raw.file.clone() })
    }
}

/// Accepts `http://host...` and `https://host...` with no spaces or control characters.
pub fn check_http_url(url: &str) -> Result<(), String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let Some(rest) = rest else {
        return Err(format!("`{}` is not an http(s) URL", shorten(url)));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.starts_with('.') || host.contains('@') {
        return Err(format!("`{}` has no valid host", shorten(url)));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>') {
        return Err(format!("`{}` contains spaces or characters not allowed in a URL", shorten(url)));
    }
    Ok(())
}

fn shorten(text: &str) -> String {
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{check_http_url, figure};

    #[test]
    fn figures_stay_short() {
        assert_eq!(figure(38.0), "38");
        assert_eq!(figure(1000.5), "1000.5");
        assert_eq!(figure(1e9), "1000000000");
        assert_eq!(figure(1e300), "1e300");
        assert_eq!(figure(1e-300), "1e-300");
        assert_eq!(figure(0.0001), "0.0001");
    }

    #[test]
    fn urls() {
        assert!(check_http_url("https://example.com/a?b#c").is_ok());
        assert!(check_http_url("HTTP://example.com").is_ok());
        assert!(check_http_url("javascript:alert(1)").is_err());
        assert!(check_http_url("data:text/html,<script>").is_err());
        assert!(check_http_url("https:///path").is_err());
        assert!(check_http_url("https://exa mple.com").is_err());
        assert!(check_http_url("https://user@evil.com").is_err());
        assert!(check_http_url("//example.com").is_err());
    }
}
