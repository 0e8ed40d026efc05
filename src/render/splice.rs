//! A page's body spliced into its template's output, so that tera never copies it.
//!
//! A brief's body is most of its page: 10 to 200 KB of HTML. Handed to tera as the `content`
//! value, it is copied into the value and again into the page. Instead, when every template
//! outputs `content` only bare (`{{ content }}`), the page is rendered with a short [`MARK`] in
//! its place and written as parts: the template's output up to each mark, the body, the rest.
//! The bytes are those of a plain render; only the copies are gone. A site whose templates do
//! anything else with `content` (a filter, a test, a loop, a component argument), or that
//! captures rendered output anywhere (a `filter` section, a `set` block, a component with a
//! body: the captured text could hold the mark, through an included template or a block another
//! template fills), is rendered the plain way: [`templates_allow`] decides once per build by
//! reading the template sources.
//!
//! A listing page's briefs are spliced the same way: their list entries (`brief_items`, up to
//! thousands of them on a tag page) are written one after the other in place of
//! [`ITEMS_MARK`], straight from where each entry was made, when every template outputs
//! `brief_items` only bare.

/// What the template renders in place of the body. Everything tera escapes turns `<` into
/// `&lt;`, and pulldown-cmark turns every NUL into U+FFFD, so no other value of a page can write
/// these bytes: only the safe HTML we make ourselves could, and it never holds a NUL.
pub const MARK: &str = "<\u{0}infrabrief-content\u{0}>";

/// What the template renders in place of a listing's brief entries (`brief_items`).
pub const ITEMS_MARK: &str = "<\u{0}infrabrief-brief-items\u{0}>";

/// Whether every template in `templates` (name, source) uses the variable `content` only as a
/// bare `{{ content }}` (whitespace control allowed) or as a block's name, none dumps the whole
/// context and none captures rendered output (see [`captures_output`]). Conservative: `content`
/// anywhere else in a tag, even in a string, says no.
pub fn templates_allow<'a>(templates: impl IntoIterator<Item = &'a str>) -> bool {
    templates.into_iter().all(|source| template_allows(source, "content"))
}

/// [`templates_allow`] for the variable `brief_items`, the listing pages' brief entries.
pub fn templates_allow_items<'a>(templates: impl IntoIterator<Item = &'a str>) -> bool {
    templates.into_iter().all(|source| template_allows(source, "brief_items"))
}

/// Whether any template in `templates` may read the variable `name`: mentions it as a whole word
/// inside a tag (`{{ … }}` or `{% … %}`, a string included: conservative), or dumps the whole
/// context. A value no template reads need not be made.
pub fn templates_read<'a>(templates: impl IntoIterator<Item = &'a str>, name: &str) -> bool {
    templates.into_iter().any(|source| {
        source.contains("__tera_context") || tags(source).any(|tag| tag.kind != b'#' && mentions(tag.inside, name))
    })
}

/// Whether `source` uses the variable `name` only bare (see [`templates_allow`]).
fn template_allows(source: &str, name: &str) -> bool {
    if source.contains("__tera_context") {
        return false;
    }
    tags(source).all(|tag| {
        // An unclosed tag is tera's error to report; it cannot be spliced either way.
        if !tag.closed {
            return !mentions(tag.inside, name);
        }
        if tag.kind == b'%' && captures_output(tag.inside) {
            return false;
        }
        tag.kind == b'#' || !mentions(tag.inside, name) || bare_use(tag.kind, tag.inside, name)
    })
}

/// A tag of a template: `{{ … }}`, `{% … %}` or `{# … #}`.
struct Tag<'a> {
    /// The character after the opening brace: `{`, `%` or `#`.
    kind: u8,
    /// What is between the delimiters; for an unclosed tag, the rest of the source.
    inside: &'a str,
    closed: bool,
}

/// The tags of a template source, in order; an unclosed tag is the last.
fn tags(source: &str) -> impl Iterator<Item = Tag<'_>> {
    let mut rest = source;
    std::iter::from_fn(move || {
        loop {
            let open = rest.find('{')?;
            let after = &rest[open + 1..];
            let kind = *after.as_bytes().first()?;
            let close = match kind {
                b'{' => "}}",
                b'%' => "%}",
                b'#' => "#}",
                _ => {
                    rest = after;
                    continue;
                }
            };
            let body = &after[1..];
            return Some(match body.find(close) {
                Some(end) => {
                    rest = &body[end + close.len()..];
                    Tag { kind, inside: &body[..end], closed: true }
                }
                None => {
                    rest = "";
                    Tag { kind, inside: body, closed: false }
                }
            });
        }
    })
}

/// Whether `name` occurs as a whole word (letters, digits and `_` around it end it).
fn mentions(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    text.match_indices(name).any(|(at, found)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + found.len()).copied();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// Whether a `{% … %}` tag opens a section whose rendered output tera keeps as a value instead
/// of writing it: `{% filter … %}`, a `{% set name %}` block (a `set` without `=`), or a
/// component called with a body (`{% <card> %}`). A mark inside such a section would be filtered
/// or moved, so the body could no longer be put in its place.
fn captures_output(inside: &str) -> bool {
    let inside = inside.trim_start_matches('-').trim_end_matches('-').trim();
    if inside.starts_with('<') {
        return true;
    }
    let word = |text: &str| text.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(text.len());
    let (first, rest) = inside.split_at(word(inside));
    match first {
        "filter" => true,
        // `set name = value` assigns; `set name %}` and `set name | filters %}` capture.
        "set" | "set_global" => {
            let after_name = rest.trim_start();
            !after_name[word(after_name)..].trim_start().starts_with('=')
        }
        _ => false,
    }
}

/// `{{ name }}`, `{% block name %}` or `{% endblock name %}`, whitespace control allowed.
fn bare_use(kind: u8, inside: &str, name: &str) -> bool {
    let inside = inside.trim_start_matches('-').trim_end_matches('-').trim();
    match kind {
        b'{' => inside == name,
        _ => {
            let words: Vec<&str> = inside.split_whitespace().collect();
            matches!(words.as_slice(), ["block" | "endblock", word] if *word == name)
        }
    }
}

/// The page as parts to write in order: `rendered` with `body` in place of every [`MARK`] and
/// the `items`, one after the other, in place of every [`ITEMS_MARK`] (a mark is looked for only
/// when what goes in its place is given).
pub fn parts<'a>(rendered: &'a [u8], body: Option<&'a [u8]>, items: Option<&[&'a str]>) -> Vec<&'a [u8]> {
    let find = |rest: &[u8], mark: &str, wanted: bool| {
        wanted.then(|| memchr::memmem::find(rest, mark.as_bytes())).flatten().map(|at| (at, mark.len()))
    };
    let mut parts = Vec::with_capacity(3 + items.map_or(0, <[&str]>::len));
    let mut rest = rendered;
    loop {
        let at_body = find(rest, MARK, body.is_some());
        let at_items = find(rest, ITEMS_MARK, items.is_some());
        // The mark that comes first.
        let (at, len, is_body) = match (at_body, at_items) {
            (Some((b, len)), Some((i, _))) if b < i => (b, len, true),
            (_, Some((i, len))) => (i, len, false),
            (Some((b, len)), None) => (b, len, true),
            (None, None) => break,
        };
        parts.push(&rest[..at]);
        if is_body {
            parts.extend(body);
        } else {
            parts.extend(items.unwrap_or_default().iter().map(|item| item.as_bytes()));
        }
        rest = &rest[at + len..];
    }
    parts.push(rest);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_theme_outputs_content_bare() {
        assert!(templates_allow(crate::render::theme::TEMPLATES.iter().map(|(_, source)| *source)));
    }

    #[test]
    fn a_bare_use_or_a_block_name_allows_splicing() {
        for source in [
            "<main>{{ content }}</main>",
            "<main>{{- content -}}</main>",
            "{% block content -%}x{%- endblock content %}",
            "<meta name=\"x\" content=\"{{ description }}\">Skip to content",
            "{# {{ content | upper }} is only a comment #}{{ content }}",
            "{{ contents }}{{ brief.content_type }}{{ my_content }}",
            "{% set settings = 1 %}{% set_global filtered = true %}{{ content }}",
            "{{ <badge label=\"x\" /> }}{{ content }}",
        ] {
            assert!(templates_allow([source]), "{source}");
        }
    }

    #[test]
    fn any_other_use_of_content_forbids_splicing() {
        for source in [
            "{{ content | upper }}",
            "{{ content|safe }}",
            "{% if content %}{{ content }}{% endif %}",
            "{% for line in content | split(pat=\"\n\") %}{% endfor %}",
            "{% set body = content %}{{ body }}",
            "{{ macros::card(text=content) }}",
            "{{ \"content\" }}",
            "{{ __tera_context }}",
            "{{ content",
            "{% filter upper %}{{ content }}{% endfilter %}",
            "{%- filter trim | upper -%}<p>{{ title }}</p>{%- endfilter -%}",
            "{% set body %}{{ content }}{% endset %}{{ body | upper }}",
            "{% set_global footer | trim %}x{% endset %}",
            "{% set footer | replace(from=\"a\", to=\"b\") %}x{% endset %}",
            "{% <card title=\"x\"> %}{{ content }}{% </card> %}",
        ] {
            assert!(!templates_allow([source]), "{source}");
        }
        assert!(!templates_allow(["{{ content }}", "{{ content | length }}"]), "one template of several");
        // The capture may sit in another template than the bare use: a base that filters a
        // block, or an include, that a child or the included template fills with the body.
        assert!(!templates_allow([
            "{% filter upper %}{% block main %}{% endblock main %}{% endfilter %}",
            "{% extends \"base.html\" %}{% block main %}{{ content }}{% endblock main %}",
        ]));
    }

    #[test]
    fn parts_put_the_body_at_every_mark_and_keep_the_rest() {
        let rendered = format!("<main>{MARK}</main><aside>{MARK}</aside>");
        let joined = parts(rendered.as_bytes(), Some(b"<p>body</p>"), None).concat();
        assert_eq!(String::from_utf8_lossy(&joined), "<main><p>body</p></main><aside><p>body</p></aside>");
        assert_eq!(parts(b"<p>no mark</p>", Some(b"body"), None), vec![b"<p>no mark</p>".as_slice()]);
    }

    #[test]
    fn parts_put_the_items_at_their_mark_in_order_with_the_body() {
        let rendered = format!("<ol>{ITEMS_MARK}</ol><main>{MARK}</main><ol>{ITEMS_MARK}</ol>");
        let items = ["<li>a</li>", "<li>b</li>", "<li>c</li>"];
        let joined = parts(rendered.as_bytes(), Some(b"body"), Some(&items)).concat();
        let list = "<ol><li>a</li><li>b</li><li>c</li></ol>";
        assert_eq!(String::from_utf8_lossy(&joined), format!("{list}<main>body</main>{list}"));
        // No items: the mark goes, nothing takes its place.
        let joined = parts(format!("<ol>{ITEMS_MARK}</ol>").as_bytes(), None, Some(&[])).concat();
        assert_eq!(String::from_utf8_lossy(&joined), "<ol></ol>");
        // A mark whose value is not given is left alone.
        let joined = parts(rendered.as_bytes(), None, Some(&items)).concat();
        assert_eq!(String::from_utf8_lossy(&joined), format!("{list}<main>{MARK}</main>{list}"));
    }

    #[test]
    fn a_value_is_read_where_a_tag_names_it() {
        for reads in [
            "{% for b in briefs %}{{ b.title }}{% endfor %}",
            "{{ briefs | length }}",
            "{%- if briefs -%}x{%- endif -%}",
            "{{ __tera_context }}",
            "{% set all = briefs %}",
            "{{ \"briefs\" }}",
            "{{ briefs",
        ] {
            assert!(templates_read([reads], "briefs"), "{reads}");
        }
        for ignores in [
            "<p>All briefs</p>",
            "{{ brief_items }}{{ brief_count }}{{ my_briefs }}",
            "{# briefs #}{{ title }}",
            "{% if brief_count > 0 %}briefs{% endif %}",
            "",
        ] {
            assert!(!templates_read([ignores], "briefs"), "{ignores}");
        }
        assert!(templates_read(["<p>x</p>", "{{ briefs }}"], "briefs"));
    }

    #[test]
    fn brief_items_are_spliced_only_where_every_template_outputs_them_bare() {
        assert!(templates_allow_items(crate::render::theme::TEMPLATES.iter().map(|(_, source)| *source)));
        assert!(templates_allow_items([
            "<ol>{{ brief_items }}</ol>",
            "{{- brief_items -}}",
            "{{ brief_items_count }}"
        ]));
        for source in [
            "{{ brief_items | safe }}",
            "{% if brief_items %}<ol>{{ brief_items }}</ol>{% endif %}",
            "{{ brief_items | length }}",
            "{% filter upper %}{{ brief_items }}{% endfilter %}",
        ] {
            assert!(!templates_allow_items([source]), "{source}");
        }
    }
}
