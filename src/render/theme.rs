//! The default theme, built into the binary, and a site's own files layered over it.
//!
//! The theme is the `templates/` and `static/` folders of this repository, embedded at compile
//! time, so `infrabrief build` works on a site folder that has neither. A site's own template
//! replaces the built-in one of the same name; a site's own static file replaces or adds to the
//! built-in ones. `tests/tidy.rs` checks that every file of those folders is listed here.

use std::collections::BTreeMap;

/// Built-in templates by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("brief.html", include_str!("../../templates/brief.html")),
    ("briefs.html", include_str!("../../templates/briefs.html")),
    ("deal.html", include_str!("../../templates/deal.html")),
    ("registry.html", include_str!("../../templates/registry.html")),
    ("company.html", include_str!("../../templates/company.html")),
    ("companies.html", include_str!("../../templates/companies.html")),
    ("tag.html", include_str!("../../templates/tag.html")),
    ("tags.html", include_str!("../../templates/tags.html")),
    ("series.html", include_str!("../../templates/series.html")),
    ("series_index.html", include_str!("../../templates/series_index.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("partials/deal_table.html", include_str!("../../templates/partials/deal_table.html")),
    ("partials/deal_row.html", include_str!("../../templates/partials/deal_row.html")),
    ("partials/brief_list.html", include_str!("../../templates/partials/brief_list.html")),
    ("partials/brief_item.html", include_str!("../../templates/partials/brief_item.html")),
    ("partials/pagination.html", include_str!("../../templates/partials/pagination.html")),
    ("partials/sources.html", include_str!("../../templates/partials/sources.html")),
    ("partials/chart.html", include_str!("../../templates/partials/chart.html")),
    ("partials/company_stat.html", include_str!("../../templates/partials/company_stat.html")),
    ("shortcodes/deal.html", include_str!("../../templates/shortcodes/deal.html")),
];

/// Built-in static files by output path.
pub const STATIC: &[(&str, &[u8])] = &[
    ("assets/style.css", include_bytes!("../../static/assets/style.css")),
    ("assets/favicon.svg", include_bytes!("../../static/assets/favicon.svg")),
    ("assets/search.js", include_bytes!("../../static/assets/search.js")),
];

/// The templates and static files a build uses: built-in, overridden by the site's.
#[derive(Clone, Debug)]
pub struct Theme {
    pub templates: BTreeMap<String, String>,
    pub static_files: BTreeMap<String, Vec<u8>>,
    /// Template names that came from the site folder (their errors point into `templates/`).
    pub site_templates: Vec<String>,
}

impl Theme {
    pub fn new(site_templates: &BTreeMap<String, String>, site_static: &BTreeMap<String, Vec<u8>>) -> Theme {
        let mut templates: BTreeMap<String, String> =
            TEMPLATES.iter().map(|(name, text)| (name.to_string(), text.to_string())).collect();
        let mut static_files: BTreeMap<String, Vec<u8>> =
            STATIC.iter().map(|(name, bytes)| (name.to_string(), bytes.to_vec())).collect();
        for (name, text) in site_templates {
            templates.insert(name.clone(), text.clone());
        }
        for (name, bytes) in site_static {
            static_files.insert(name.clone(), bytes.clone());
        }
        Theme { templates, static_files, site_templates: site_templates.keys().cloned().collect() }
    }

    /// This theme with the built-in templates in place of the site's own (the static files
    /// stay): what a run whose templates are broken renders the content with, to find the
    /// content's own problems too.
    pub fn with_built_in_templates(&self) -> Theme {
        Theme {
            templates: TEMPLATES.iter().map(|(name, text)| (name.to_string(), text.to_string())).collect(),
            static_files: self.static_files.clone(),
            site_templates: Vec::new(),
        }
    }
}
