//! Template problems as diagnostics: every broken template of a run, each at its file, line and
//! column, with a hint.
//!
//! tera stops at the first template that does not parse, and reports the references it cannot
//! resolve (unknown filters, tests, functions, included templates, blocks no parent defines) as
//! one message of joined reports. [`load`] parses again without each broken template (its
//! built-in version, or nothing, stands in) until the rest parses, and splits the joined reports
//! back into one diagnostic each, so an editor sees every template problem of the run at once.

use tera::{ErrorKind, Tera};

use super::theme::{TEMPLATES, Theme};
use crate::diag::{Diagnostic, Diagnostics, suggest};

/// The filters tera 2 has built in (infrabrief adds none).
const FILTERS: [&str; 37] = [
    "abs",
    "capitalize",
    "default",
    "escape",
    "escape_html",
    "escape_xml",
    "first",
    "float",
    "get",
    "group_by",
    "indent",
    "int",
    "join",
    "keys",
    "last",
    "length",
    "lower",
    "newlines_to_br",
    "nth",
    "pairs",
    "pluralize",
    "replace",
    "reverse",
    "round",
    "safe",
    "sort",
    "split",
    "str",
    "title",
    "trim",
    "trim_end",
    "trim_start",
    "truncate",
    "unique",
    "upper",
    "values",
    "wordcount",
];

/// Parses the theme's templates into a [`Tera`], or returns every problem found.
pub fn load(theme: &Theme) -> Result<Tera, Diagnostics> {
    let mut templates = theme.templates.clone();
    let mut problems = Diagnostics::default();
    // Each round sets one template aside, so this ends.
    for _ in 0..=templates.len() {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        let error = match tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str()))) {
            Ok(()) if problems.is_empty() => return Ok(tera),
            Ok(()) => return Err(problems),
            Err(error) => error,
        };
        for diagnostic in diagnostics(&error, None, Some(theme)) {
            problems.push(diagnostic);
        }
        let ErrorKind::SyntaxError(report) = error.kind() else { return Err(problems) };
        // Parse the others again, with the built-in version of this one (or an empty one) in its
        // place, so later templates that extend or include it do not report it again.
        let name = report.filename().to_string();
        let stand_in = TEMPLATES.iter().find(|(n, _)| *n == name).map_or("", |(_, text)| *text);
        if templates.get(&name).is_some_and(|text| text == stand_in) {
            return Err(problems);
        }
        templates.insert(name, stand_in.to_string());
    }
    Err(problems)
}

/// The problem of rendering `template`, as a diagnostic.
pub fn rendering(error: &tera::Error, template: &str) -> Diagnostic {
    diagnostics(error, Some(template), None)
        .into_iter()
        .next()
        .unwrap_or_else(|| Diagnostic::error(format!("templates/{template}"), None, format!("template error: {error}")))
}

/// The diagnostics of a tera error; `template` is the template being rendered, if any; with
/// the `theme`, hints name its templates.
fn diagnostics(error: &tera::Error, template: Option<&str>, theme: Option<&Theme>) -> Vec<Diagnostic> {
    let file = |name: &str| format!("templates/{name}");
    let hint_for_template = |missing: &str| match closest_template(theme, missing) {
        Some(close) => format!("did you mean `{close}`? Templates are named by their path under templates/"),
        None => format!("add `templates/{missing}`, or name one of the theme's templates"),
    };
    match error.kind() {
        ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
            let message = report.message().trim_end_matches('.').to_string();
            let diagnostic = Diagnostic::error(
                file(report.filename()),
                Some(report.span().range.clone()),
                format!("template error: {message}"),
            );
            vec![with_hint(diagnostic, &message, theme)]
        }
        ErrorKind::Msg(joined) if joined.starts_with("error: ") => {
            joined.split("\n\nerror: ").filter_map(|report| located(report, theme)).collect()
        }
        ErrorKind::MissingParent { current, parent } => vec![
            Diagnostic::error(
                file(current),
                quoted_span(theme, current, [parent.as_str()]),
                format!("template error: `{current}` extends `{parent}`, which does not exist"),
            )
            .with_help(hint_for_template(parent)),
        ],
        ErrorKind::CircularExtend { tpl, inheritance_chain } => vec![
            Diagnostic::error(
                file(tpl),
                quoted_span(theme, tpl, inheritance_chain.iter().map(String::as_str)),
                format!("template error: `{tpl}` extends itself through {}", inheritance_chain.join(" → ")),
            )
            .with_help("one of these templates must extend another, or none"),
        ],
        ErrorKind::CircularInclude { tpl, include_chain } => vec![
            Diagnostic::error(
                file(tpl),
                quoted_span(theme, tpl, include_chain.iter().skip(1).map(String::as_str)),
                format!("template error: `{tpl}` includes itself through {}", include_chain.join(" → ")),
            )
            .with_help("break the cycle: a template may not include one that includes it"),
        ],
        ErrorKind::TemplateNotFound(missing) => vec![
            Diagnostic::error(
                file(template.unwrap_or(missing)),
                None,
                format!("template error: there is no template `{missing}`"),
            )
            .with_help(hint_for_template(missing)),
        ],
        _ => vec![Diagnostic::error(
            file(template.unwrap_or("")),
            None,
            format!("template error: {}", error.to_string().trim_end_matches('.')),
        )],
    }
}

/// One of tera's joined reports (`error: MESSAGE`, then `--> NAME:LINE:COLUMN`, the line and
/// carets under the span) as a diagnostic at its place; the column counts characters.
fn located(report: &str, theme: Option<&Theme>) -> Option<Diagnostic> {
    let mut lines = report.lines();
    let message = lines.next()?.trim_start_matches("error: ").trim_end_matches('.').to_string();
    let place = lines.next()?.trim().strip_prefix("--> ")?;
    let carets = lines.nth(2).map_or(1, |underline| underline.matches('^').count().max(1));
    let mut parts = place.rsplitn(3, ':');
    let column: usize = parts.next()?.parse().ok()?;
    let line: usize = parts.next()?.parse().ok()?;
    let name = parts.next()?;
    let span = theme.and_then(|t| t.templates.get(name)).and_then(|text| span_at(text, line, column, carets));
    let diagnostic = Diagnostic::error(format!("templates/{name}"), span, format!("template error: {message}"));
    Some(with_hint(diagnostic, &message, theme))
}

/// Where `template` names the first of `names` it quotes (`"base.html"` in an `extends` or
/// `include` tag), quotes included.
fn quoted_span<'a>(
    theme: Option<&Theme>,
    template: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Option<std::ops::Range<usize>> {
    let text = theme?.templates.get(template)?;
    names.into_iter().find_map(|name| {
        ['"', '\''].into_iter().find_map(|quote| {
            let quoted = format!("{quote}{name}{quote}");
            text.find(&quoted).map(|at| at..at + quoted.len())
        })
    })
}

/// The byte range of `width` characters from 1-based `line` and `column` of `text`.
fn span_at(text: &str, line: usize, column: usize, width: usize) -> Option<std::ops::Range<usize>> {
    let line_start = if line <= 1 { 0 } else { text.match_indices('\n').nth(line - 2)?.0 + 1 };
    let rest = &text[line_start..];
    let mut chars = rest.char_indices().map(|(i, _)| line_start + i).chain(std::iter::once(text.len()));
    let start = chars.nth(column.saturating_sub(1))?;
    let end = text[start..].char_indices().nth(width).map_or(text.len(), |(i, _)| start + i);
    Some(start..end)
}

/// The theme's template whose name is closest to `missing`, if one is close.
fn closest_template<'t>(theme: Option<&'t Theme>, missing: &str) -> Option<&'t str> {
    suggest(missing, theme.into_iter().flat_map(|t| t.templates.keys().map(String::as_str)))
}

/// A hint for the messages tera gives without one.
fn with_hint(diagnostic: Diagnostic, message: &str, theme: Option<&Theme>) -> Diagnostic {
    let quoted = message.split('`').nth(1).unwrap_or("");
    let hint = if message.starts_with("Unknown template") {
        Some(match closest_template(theme, quoted) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("add `templates/{quoted}`, or include one of the theme's templates"),
        })
    } else if message.starts_with("Unknown filter") {
        Some(match suggest(quoted, FILTERS.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("tera's filters are {}", FILTERS.map(|f| format!("`{f}`")).join(", ")),
        })
    } else if message.starts_with("Unknown function") || message.starts_with("Unknown test") {
        Some(format!("check the name `{quoted}`: tera has no such one, and infrabrief adds none to templates"))
    } else if message == "Unknown tag" {
        Some("the tag is misspelt, or a tag opened before it (`if`, `for`, `block`) is not closed".to_string())
    } else if message.starts_with("Found") && message.contains("expected") {
        Some("expressions are written `{{ ... }}` and tags `{% ... %}`: check the delimiters here".to_string())
    } else if message.starts_with("Block") && message.contains("not defined in any parent") {
        Some("a child template can only fill blocks its parent defines: rename the block to one of them".to_string())
    } else {
        None
    };
    match hint {
        Some(hint) => diagnostic.with_help(hint),
        None => diagnostic,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn theme_with(templates: &[(&str, &str)]) -> Theme {
        let site: BTreeMap<String, String> = templates.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
        Theme::new(&site, &BTreeMap::new())
    }

    fn problems(theme: &Theme) -> Vec<Diagnostic> {
        match load(theme) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.into_vec(),
        }
    }

    #[test]
    fn a_missing_parent_and_an_include_cycle_point_at_the_tag_that_names_them() {
        let missing = theme_with(&[("404.html", "{% extends \"bse.html\" %}\n")]);
        let [problem] = problems(&missing).try_into().expect("one problem");
        assert_eq!(problem.file, "templates/404.html");
        assert_eq!(problem.span, Some(11..21), "the quoted name");
        assert_eq!(
            problem.help.as_deref(),
            Some("did you mean `base.html`? Templates are named by their path under templates/")
        );

        let cycle = theme_with(&[
            ("partials/a.html", "a{% include \"partials/b.html\" %}"),
            ("partials/b.html", "b{% include \"partials/a.html\" %}"),
        ]);
        let [problem] = problems(&cycle).try_into().expect("one problem");
        assert!(problem.message.contains("includes itself"), "{}", problem.message);
        let text = &cycle.templates[problem.file.trim_start_matches("templates/")];
        let span = problem.span.expect("located");
        assert!(text[span].starts_with('"'), "the span is a quoted template name");
    }

    #[test]
    fn every_broken_template_is_reported_not_only_the_first() {
        let theme = theme_with(&[
            ("tag.html", "{% extends \"base.html\" %}\n{% block content %}{{ x }\n{% endblock content %}\n"),
            ("tags.html", "{% extends \"base.html\" %}\n{% block content %}{% if x %}\n{% endblock content %}\n"),
            ("briefs.html", "{% extends \"base.html\" %}\n{% block content %}{{ x | lowr }}{% endblock content %}\n"),
        ]);
        let found = problems(&theme);
        let files: Vec<&str> = found.iter().map(|d| d.file.as_str()).collect();
        assert_eq!(files, ["templates/tag.html", "templates/tags.html", "templates/briefs.html"], "{found:?}");
        assert!(found.iter().all(|d| d.span.is_some() && d.help.is_some()), "{found:?}");
        assert_eq!(found[2].help.as_deref(), Some("did you mean `lower`?"));
    }
}
