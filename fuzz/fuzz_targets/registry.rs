//! Fuzzes the registry loader and validator in memory: the input is split on lines holding
//! only `%%%` into deals.toml, companies.toml, site.toml and one series file; each is parsed and
//! read like the loader does, the whole is validated, every diagnostic is rendered the way the
//! terminal shows it, and a valid site is rendered. Nothing may panic; spans lie in their file.
#![no_main]

use std::collections::BTreeMap;

use infrabrief::diag::{Diagnostics, Style, render_all};
use infrabrief::load::{LoadedSite, raw};
use infrabrief::model::validate::{Options, validate};
use infrabrief::render::theme::Theme;
use libfuzzer_sys::fuzz_target;

/// With `INFRABRIEF_FUZZ_KNOWN_BUGS=1`, diagnostics of texts with `\r\n` line ends are not
/// rendered: that panics (a known bug in `diag::render`, tested in tests/suite/properties.rs)
/// and would stop the fuzzer before it finds anything else.
fn skip_rendering(text: &str) -> bool {
    text.contains('\r') && std::env::var_os("INFRABRIEF_FUZZ_KNOWN_BUGS").is_some()
}

const DEFAULT_COMPANIES: &str = "[[company]]\nid = \"labco\"\nname = \"Lab\"\nrole = \"lab\"\ndescription = \"A lab.\"\n\n[[company]]\nid = \"cloudco\"\nname = \"Cloud\"\nrole = \"hyperscaler\"\ndescription = \"A cloud.\"\n";
const DEFAULT_SITE: &str = "title = \"Fuzz\"\n";

fuzz_target!(|input: &str| {
    let mut parts = input.split("\n%%%\n");
    let deals = parts.next().unwrap_or("");
    let companies = parts.next().unwrap_or(DEFAULT_COMPANIES);
    let config = parts.next().unwrap_or(DEFAULT_SITE);
    let series = parts.next();

    let mut site = LoadedSite::default();
    let mut diagnostics = Diagnostics::default();
    let files = [
        ("content/site.toml", Some(config)),
        ("content/companies.toml", Some(companies)),
        ("content/deals.toml", Some(deals)),
        ("content/series/fuzz.toml", series),
    ];
    for (file, text) in files {
        if let Some(text) = text {
            site.sources.insert(file, text);
        }
    }
    if let Some(table) = raw::parse_toml("content/site.toml", config, 0, &mut diagnostics) {
        site.config = Some(raw::read_config("content/site.toml", table.get_ref(), &mut diagnostics));
    }
    site.companies_readable = true;
    match raw::parse_toml("content/companies.toml", companies, 0, &mut diagnostics) {
        Some(table) => {
            site.companies = raw::read_companies("content/companies.toml", table.get_ref(), &mut diagnostics)
        }
        None => site.companies_readable = false,
    }
    site.deals_readable = true;
    match raw::parse_toml("content/deals.toml", deals, 0, &mut diagnostics) {
        Some(table) => site.deals = raw::read_deals("content/deals.toml", table.get_ref(), &mut diagnostics),
        None => site.deals_readable = false,
    }
    if let Some(series) = series
        && let Some(table) = raw::parse_toml("content/series/fuzz.toml", series, 0, &mut diagnostics)
    {
        site.series.push(raw::read_series("content/series/fuzz.toml", "fuzz", table.get_ref(), &mut diagnostics));
    }
    let (model, more) = validate(&site, Options::default());
    diagnostics.extend(more);
    for diagnostic in diagnostics.iter() {
        if let (Some(span), Some(text)) = (&diagnostic.span, site.sources.get(&diagnostic.file)) {
            assert!(span.start <= span.end && span.end <= text.len() + 1, "{diagnostic:?}");
        }
    }
    if !skip_rendering(input) {
        let _ = render_all(&diagnostics, &site.sources, Style { color: false });
    }
    if let Some(model) = model
        && !diagnostics.has_errors()
    {
        let theme = Theme::new(&BTreeMap::new(), &BTreeMap::new());
        let (rendered, problems) = infrabrief::render::render(&model, &theme);
        if !skip_rendering(input) {
            let _ = render_all(&problems, &site.sources, Style { color: false });
        }
        assert!(rendered.is_some() || problems.has_errors());
    }
});
