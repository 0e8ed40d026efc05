//! Brief pages of the built-in theme, written without tera.
//!
//! Briefs are most of a site's pages, and running tera's machine over `base.html` and
//! `brief.html` for each one, and over `partials/brief_item.html` for each brief's entry in
//! lists, was a tenth of a large build. When a site uses those templates and
//! `partials/deal_table.html` as built in, unchanged, [`BriefPage`] writes the same bytes
//! directly. What surrounds a brief (head, header, breadcrumbs, footer) and the deal
//! table's frame come from tera once per build: rendered with stand-ins for what differs between
//! briefs (the slug, the title, the summary, the body, the table's rows), which are then cut out,
//! so that text lives only in the templates. The brief's own block (tags, title, dates, contents,
//! companies, deals, pager) and its entry in lists are written here, following
//! `templates/brief.html` and `templates/partials/brief_item.html` line for line. A site that
//! overrides any of the four templates, or whose templates do not survive the probe,
//! has its briefs rendered by tera; `tests/suite/build.rs` builds sites both ways and compares
//! every byte.

use tera::{Context, Tera, Value};

use super::markdown::Heading;
use super::theme::{TEMPLATES, Theme};
use super::views::{BriefRef, CompanyRef, Link};

/// The templates whose built-in text this module follows.
const FOLLOWED: [&str; 4] = ["base.html", "brief.html", "partials/deal_table.html", "partials/brief_item.html"];

/// The caption `brief.html` gives its deal table.
const DEALS_CAPTION: &str = "Deals this brief covers, from the registry";

/// Stand-ins for the probe: a name between control characters, which tera's escaping leaves as
/// they are. A frame left holding one (a stand-in a filter changed, or a site title holding that
/// character) is not used.
const SLUG: &str = "\u{1}ib-slug\u{1}";
const TITLE: &str = "\u{1}ib-title\u{1}";
const SUMMARY: &str = "\u{1}ib-summary\u{1}";
const BLOCK: &str = "\u{1}ib-block\u{1}";
const ROWS: &str = "\u{1}ib-rows\u{1}";

/// What goes in a hole of the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hole {
    Slug,
    Title,
    Summary,
    /// The brief's own block, with its body.
    Block,
}

/// Text that is the same on every brief page, with the holes between its pieces.
#[derive(Clone, Debug, Default)]
struct Frame {
    /// `pieces[0]`, then each hole followed by the next piece.
    pieces: Vec<Vec<u8>>,
    holes: Vec<Hole>,
}

/// A brief page's frame and deal table, made once per build.
#[derive(Clone, Debug)]
pub struct BriefPage {
    frame: Frame,
    /// The deal table around its rows.
    table: (Vec<u8>, Vec<u8>),
    root: &'static str,
}

/// What one brief page shows besides its body (which the caller writes between the parts).
pub struct BriefPageValues<'a> {
    pub brief: &'a BriefRef,
    /// Headings of levels 2 and 3, in order.
    pub toc: &'a [&'a Heading],
    /// Sorted by name.
    pub companies: &'a [CompanyRef],
    /// The deal rows as HTML; empty when the brief names no deal of the registry.
    pub deal_rows: &'a str,
    pub newer: Option<&'a Link>,
    pub older: Option<&'a Link>,
}

impl BriefPage {
    /// The writer for this build's brief pages, or `None` when tera must render them: a site
    /// with its own version of a [`FOLLOWED`] template, or a probe that did not come out as
    /// expected. `page_context` fills a page's context as every other page gets it.
    pub fn probe(
        tera: &Tera,
        theme: &Theme,
        page_context: impl Fn(&mut Context, &str, &str, &str),
    ) -> Option<BriefPage> {
        let built_in = |name: &str| TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, text)| *text);
        if FOLLOWED.iter().any(|name| theme.templates.get(*name).map(String::as_str) != built_in(name)) {
            return None;
        }
        let mut tera = tera.clone();
        // Named `.html`, as tera escapes values only in templates whose names end so.
        let probe = "\u{0}brief-frame.html";
        tera.add_raw_template(
            probe,
            &format!("{{% extends \"base.html\" %}}{{% block content %}}{BLOCK}{{% endblock content %}}"),
        )
        .ok()?;
        let path = super::paths::brief(SLUG);
        let mut context = Context::new();
        page_context(&mut context, &path, TITLE, SUMMARY);
        let frame = tera.render(probe, &context).ok()?;
        let frame = Frame::cut(
            &frame,
            &[(SLUG, Hole::Slug), (TITLE, Hole::Title), (SUMMARY, Hole::Summary), (BLOCK, Hole::Block)],
        )?;
        if frame.holes.iter().filter(|hole| **hole == Hole::Block).count() != 1 {
            return None;
        }

        let mut context = Context::new();
        context.insert("caption", DEALS_CAPTION);
        context.insert_value("rows", Value::safe_string(ROWS));
        let table = tera.render("partials/deal_table.html", &context).ok()?;
        let table = Frame::cut(&table, &[(ROWS, Hole::Block)])?;
        let [before, after] = <[Vec<u8>; 2]>::try_from(table.pieces).ok()?;
        Some(BriefPage { frame, table: (before, after), root: "../" })
    }

    /// Writes the page into `out` (cleared first), leaving out the body: the page is
    /// `out[..at]`, the body, then `out[at..]`. Returns `at`.
    pub fn write(&self, out: &mut Vec<u8>, values: &BriefPageValues<'_>) -> usize {
        out.clear();
        let mut at = 0;
        let brief = values.brief;
        for (index, piece) in self.frame.pieces.iter().enumerate() {
            out.extend_from_slice(piece);
            match self.frame.holes.get(index) {
                Some(Hole::Slug) => escape(out, &brief.slug),
                Some(Hole::Title) => escape(out, &brief.title),
                Some(Hole::Summary) => escape(out, &brief.summary),
                Some(Hole::Block) => at = self.write_block(out, values),
                None => {}
            }
        }
        at
    }

    /// The `content` block of `templates/brief.html`; returns where the body goes.
    fn write_block(&self, out: &mut Vec<u8>, values: &BriefPageValues<'_>) -> usize {
        let root = self.root;
        let brief = values.brief;
        out.extend_from_slice(b"<article class=\"brief\">\n<header class=\"brief-header\">\n<p class=\"kicker\">");
        for tag in &brief.tags {
            out.extend_from_slice(b"<a class=\"tag\" href=\"");
            link_end(out, root, &tag.path, &tag.name);
            out.extend_from_slice(b" ");
        }
        if brief.draft {
            out.extend_from_slice(b"<span class=\"badge badge-draft\">Draft</span>");
        }
        out.extend_from_slice(b"</p>\n<h1>");
        escape(out, &brief.title);
        out.extend_from_slice(b"</h1>\n<p class=\"lede\">");
        escape(out, &brief.summary);
        out.extend_from_slice(b"</p>\n<p class=\"meta\"><time datetime=\"");
        escape(out, &brief.date_iso);
        out.extend_from_slice(b"\">");
        escape(out, &brief.date);
        out.extend_from_slice(b"</time>");
        if let Some(updated) = &brief.updated {
            out.extend_from_slice(" · updated <time datetime=\"".as_bytes());
            escape(out, brief.updated_iso.as_deref().unwrap_or_default());
            out.extend_from_slice(b"\">");
            escape(out, updated);
            out.extend_from_slice(b"</time>");
        }
        out.extend_from_slice(" · ".as_bytes());
        push_number(out, brief.reading_minutes);
        out.extend_from_slice(b" min read</p>\n</header>\n<div class=\"brief-layout\">\n");
        if !values.toc.is_empty() {
            out.extend_from_slice(
                b"<nav class=\"toc\" aria-label=\"Contents\">\n<details open>\n<summary>Contents</summary>\n<ol>\n",
            );
            for heading in values.toc {
                out.extend_from_slice(b"<li class=\"toc-level-");
                push_number(out, usize::from(heading.level));
                out.extend_from_slice(b"\"><a href=\"#");
                escape(out, &heading.id);
                out.extend_from_slice(b"\">");
                escape(out, &heading.text);
                out.extend_from_slice(b"</a></li>\n");
            }
            out.extend_from_slice(b"</ol>\n</details>\n</nav>\n");
        }
        out.extend_from_slice(b"<div class=\"prose\">\n");
        let at = out.len();
        out.extend_from_slice(b"</div>\n</div>\n<footer class=\"brief-footer\">\n");
        if !values.companies.is_empty() {
            out.extend_from_slice(
                b"<section aria-labelledby=\"brief-companies\">\n<h2 id=\"brief-companies\">Companies in this brief</h2>\n<ul class=\"chips\">\n",
            );
            for company in values.companies {
                out.extend_from_slice(b"<li><a href=\"");
                link_end(out, root, &company.path, &company.name);
                out.extend_from_slice(b"</li>\n");
            }
            out.extend_from_slice(b"</ul>\n</section>\n");
        }
        if !values.deal_rows.is_empty() {
            out.extend_from_slice(
                b"<section aria-labelledby=\"brief-deals\">\n<h2 id=\"brief-deals\">Deals in this brief</h2>\n",
            );
            out.extend_from_slice(&self.table.0);
            out.extend_from_slice(values.deal_rows.as_bytes());
            out.extend_from_slice(&self.table.1);
            out.extend_from_slice(b"</section>\n");
        }
        out.extend_from_slice(b"<nav class=\"pager\" aria-label=\"More briefs\">\n");
        for (link, class, label) in [(values.newer, "pager-newer", "Newer"), (values.older, "pager-older", "Older")] {
            if let Some(link) = link {
                out.extend_from_slice(b"<a class=\"");
                out.extend_from_slice(class.as_bytes());
                out.extend_from_slice(b"\" href=\"");
                escape(out, root);
                escape(out, &link.path);
                out.extend_from_slice(b"\"><span class=\"pager-label\">");
                out.extend_from_slice(label.as_bytes());
                out.extend_from_slice(b"</span> ");
                escape(out, &link.title);
                out.extend_from_slice(b"</a>\n");
            }
        }
        out.extend_from_slice(b"</nav>\n</footer>\n</article>\n");
        at
    }
}

impl BriefPage {
    /// The brief's entry in lists (`partials/brief_item.html`) for a page whose way to the
    /// site's root is `root`.
    pub fn item(&self, brief: &BriefRef, root: &str) -> String {
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(b"<li class=\"brief-item\">\n<h3 class=\"brief-item-title\"><a href=\"");
        link_end(&mut out, root, &brief.path, &brief.title);
        if brief.draft {
            out.extend_from_slice(b" <span class=\"badge badge-draft\">Draft</span>");
        }
        out.extend_from_slice(b"</h3>\n<p class=\"brief-item-summary\">");
        escape(&mut out, &brief.summary);
        out.extend_from_slice(b"</p>\n<p class=\"meta\"><time datetime=\"");
        escape(&mut out, &brief.date_iso);
        out.extend_from_slice(b"\">");
        escape(&mut out, &brief.date);
        out.extend_from_slice("</time> · ".as_bytes());
        push_number(&mut out, brief.reading_minutes);
        out.extend_from_slice(b" min read");
        for tag in &brief.tags {
            out.extend_from_slice(" · <a class=\"tag\" href=\"".as_bytes());
            link_end(&mut out, root, &tag.path, &tag.name);
        }
        out.extend_from_slice(b"</p>\n</li>\n");
        // Built from strings and ASCII only.
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Frame {
    /// `rendered` cut at every stand-in of `holes`; `None` if a stand-in's control characters
    /// are left over (a stand-in the template changed, by a filter say).
    fn cut(rendered: &str, holes: &[(&str, Hole)]) -> Option<Frame> {
        let mut found: Vec<(usize, &str, Hole)> = holes
            .iter()
            .flat_map(|&(stand_in, hole)| rendered.match_indices(stand_in).map(move |(at, text)| (at, text, hole)))
            .collect();
        found.sort_by_key(|(at, _, _)| *at);
        let mut frame = Frame::default();
        let mut from = 0;
        for (at, text, hole) in found {
            frame.pieces.push(rendered.get(from..at)?.as_bytes().to_vec());
            frame.holes.push(hole);
            from = at + text.len();
        }
        frame.pieces.push(rendered.get(from..)?.as_bytes().to_vec());
        if frame.pieces.iter().any(|piece| piece.contains(&1)) {
            return None;
        }
        Some(frame)
    }
}

/// The end of a link whose `<a … href="` is written: `root` and `path`, the closing quote and
/// bracket, `text` and `</a>`, escaped as tera escapes them.
fn link_end(out: &mut Vec<u8>, root: &str, path: &str, text: &str) {
    escape(out, root);
    escape(out, path);
    out.extend_from_slice(b"\">");
    escape(out, text);
    out.extend_from_slice(b"</a>");
}

/// Appends `value` in decimal.
fn push_number(out: &mut Vec<u8>, value: usize) {
    let (digits, at) = crate::model::date::decimal_digits(value as u64, 1);
    out.extend_from_slice(&digits[at..]);
}

/// Escapes `text` as tera does for a value in an HTML template.
fn escape(out: &mut Vec<u8>, text: &str) {
    // Writing to a vector cannot fail.
    let _ = tera::escape_html(text, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_cut_at_its_stand_ins_in_order() {
        let rendered = format!("<title>{TITLE}</title><p>{SUMMARY}</p>{BLOCK}<b>{TITLE}</b>");
        let frame = Frame::cut(&rendered, &[(TITLE, Hole::Title), (SUMMARY, Hole::Summary), (BLOCK, Hole::Block)])
            .expect("cut");
        assert_eq!(frame.holes, [Hole::Title, Hole::Summary, Hole::Block, Hole::Title]);
        let pieces: Vec<&str> = frame.pieces.iter().map(|p| std::str::from_utf8(p).expect("utf-8")).collect();
        assert_eq!(pieces, ["<title>", "</title><p>", "</p>", "<b>", "</b>"]);
    }

    #[test]
    fn a_stand_in_changed_by_a_filter_turns_the_direct_path_off() {
        let rendered = format!("<title>{}</title>{BLOCK}", TITLE.to_uppercase());
        assert!(Frame::cut(&rendered, &[(TITLE, Hole::Title), (BLOCK, Hole::Block)]).is_none());
    }
}
