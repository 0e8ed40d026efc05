//! Where each page lives in the output, and how one page links to another.
//!
//! Every link the site writes is relative and names a file (`../deals/x.html`, never `/deals/`
//! or `deals/`), so the output works from `file://` and under any sub-path of a host. Pages sit
//! at the root or one folder down; [`relative`] climbs out of the current page's folder.

pub const HOME: &str = "index.html";
pub const REGISTRY: &str = "registry.html";
pub const BRIEFS: &str = "briefs/index.html";
pub const COMPANIES: &str = "companies/index.html";
pub const TAGS: &str = "tags/index.html";
pub const SERIES: &str = "series/index.html";
pub const NOT_FOUND: &str = "404.html";
pub const FEED: &str = "feed.xml";
pub const SITEMAP: &str = "sitemap.xml";
pub const DEALS_CSV: &str = "data/deals.csv";
pub const DEALS_JSON: &str = "data/deals.json";
pub const COMPANIES_CSV: &str = "data/companies.csv";
pub const SEARCH_INDEX: &str = "search-index.js";

pub fn brief(slug: &str) -> String {
    ["briefs/", slug, ".html"].concat()
}

pub fn deal(id: &str) -> String {
    ["deals/", id, ".html"].concat()
}

pub fn company(id: &str) -> String {
    ["companies/", id, ".html"].concat()
}

pub fn tag(tag: &str) -> String {
    ["tags/", tag, ".html"].concat()
}

/// Page `number` (from 1) of a listing whose first page is `first`: `briefs/index.html`,
/// `briefs/index.2.html`. Slugs never contain a dot, so no brief or topic can take the name.
pub fn numbered(first: &str, number: usize) -> String {
    if number <= 1 {
        return first.to_string();
    }
    let stem = first.strip_suffix(".html").unwrap_or(first);
    [stem, ".", &number.to_string(), ".html"].concat()
}

pub fn page(slug: &str) -> String {
    [slug, ".html"].concat()
}

pub fn series(id: &str) -> String {
    ["series/", id, ".html"].concat()
}

pub fn series_csv(id: &str) -> String {
    ["data/series-", id, ".csv"].concat()
}

/// `../` once per folder the page at `from` sits in.
pub fn root_prefix(from: &str) -> String {
    "../".repeat(from.matches('/').count())
}

/// The folder depth of a page, as an index: 0 at the root, 1 one folder down. Slugs never
/// contain `/`, so no page sits deeper; HTML that depends only on the depth is rendered once
/// per depth.
pub fn depth(from: &str) -> usize {
    usize::from(from.contains('/'))
}

/// The relative link from the page at `from` to the output file `to` (both root-relative).
pub fn relative(from: &str, to: &str) -> String {
    let depth = from.matches('/').count();
    let mut link = String::with_capacity(3 * depth + to.len());
    for _ in 0..depth {
        link.push_str("../");
    }
    link.push_str(to);
    link
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_pages_of_a_listing_sit_beside_the_first() {
        assert_eq!(numbered(BRIEFS, 1), BRIEFS);
        assert_eq!(numbered(BRIEFS, 2), "briefs/index.2.html");
        assert_eq!(numbered(&tag("ai-chips"), 12), "tags/ai-chips.12.html");
        assert_eq!(depth(&numbered(&tag("x"), 3)), depth(&tag("x")));
    }

    #[test]
    fn links_are_relative_files() {
        assert_eq!(relative(HOME, &deal("a")), "deals/a.html");
        assert_eq!(relative(&brief("x"), &deal("a")), "../deals/a.html");
        assert_eq!(relative(&brief("x"), HOME), "../index.html");
        assert_eq!(root_prefix(HOME), "");
        assert_eq!((depth(HOME), depth(&brief("x")), depth(&page("about"))), (0, 1, 0));
    }
}
