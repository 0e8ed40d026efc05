//! The Atom feed of briefs and, when the site has a `base_url`, the sitemap.
//!
//! Both are written by hand rather than through templates: their shape is fixed by standards,
//! and their dates come from the content (never the clock), so the bytes are reproducible.
//! Entry ids are stable: the page's absolute URL with a base URL, a `urn:` otherwise.

use super::format::escape_html;
use super::paths;
use super::views::BriefRef;
use crate::model::{Site, slugify};

/// The Atom feed of the newest briefs (at most 30).
pub fn atom(site: &Site, briefs: &[BriefRef]) -> String {
    let config = &site.config;
    let site_id = slugify(&config.title);
    let id_for = |path: &str| match &config.base_url {
        Some(base) => format!("{base}{path}"),
        None => format!("urn:infrabrief:{site_id}:{}", path.trim_end_matches(".html").replace('/', ":")),
    };
    let updated = site
        .briefs
        .iter()
        .map(|b| b.updated.unwrap_or(b.date).max(b.date))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |d| d.rfc3339());
    let mut xml = String::new();
    xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str(&format!(
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\"{}>\n",
        escape_html(&config.language),
        config.base_url.as_ref().map(|b| format!(" xml:base=\"{}\"", escape_html(b))).unwrap_or_default()
    ));
    xml.push_str(&format!("  <title>{}</title>\n", escape_html(&config.title)));
    if !config.description.is_empty() {
        xml.push_str(&format!("  <subtitle>{}</subtitle>\n", escape_html(&config.description)));
    }
    xml.push_str(&format!("  <id>{}</id>\n", escape_html(&id_for(paths::HOME))));
    xml.push_str(&format!("  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n", paths::HOME));
    xml.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", paths::FEED));
    xml.push_str(&format!("  <updated>{updated}</updated>\n"));
    let author = if config.author.is_empty() { config.title.as_str() } else { config.author.as_str() };
    xml.push_str(&format!("  <author><name>{}</name></author>\n", escape_html(author)));
    xml.push_str("  <generator>infrabrief</generator>\n");
    for (brief, view) in site.briefs.iter().zip(briefs).take(30) {
        let path = paths::brief(&brief.slug);
        xml.push_str("  <entry>\n");
        xml.push_str(&format!("    <title>{}</title>\n", escape_html(&brief.title)));
        xml.push_str(&format!("    <id>{}</id>\n", escape_html(&id_for(&path))));
        xml.push_str(&format!("    <link rel=\"alternate\" type=\"text/html\" href=\"{path}\"/>\n"));
        xml.push_str(&format!("    <published>{}</published>\n", brief.date.rfc3339()));
        xml.push_str(&format!(
            "    <updated>{}</updated>\n",
            brief.updated.unwrap_or(brief.date).max(brief.date).rfc3339()
        ));
        xml.push_str(&format!("    <summary>{}</summary>\n", escape_html(&brief.summary)));
        for tag in &view.tags {
            xml.push_str(&format!("    <category term=\"{}\"/>\n", escape_html(&tag.name)));
        }
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// The sitemap: every HTML page but the 404, with absolute URLs. Only with a base URL.
pub fn sitemap(base_url: &str, pages: &[&str]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        if *page == paths::NOT_FOUND {
            continue;
        }
        xml.push_str(&format!("  <url><loc>{}</loc></url>\n", escape_html(&format!("{base_url}{page}"))));
    }
    xml.push_str("</urlset>\n");
    xml
}
