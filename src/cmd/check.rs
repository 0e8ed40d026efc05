//! `infrabrief check`: every validation of `build`, plus the output contract and prose lints,
//! without writing anything. Human or JSON output; exit 1 on errors (or warnings with
//! `--deny-warnings`).

use std::process::ExitCode;

use serde::Serialize;

use super::{CONTENT_ERRORS, SUCCESS, USAGE_OR_IO, exit, print_diagnostics};
use crate::check;
use crate::cli::{CheckArgs, Format};
use crate::diag::{Diagnostic, Diagnostics, Location, Severity, Sources};
use crate::output;
use crate::pipeline::{self, Options};

/// Prefix of the virtual paths under which generated pages appear in diagnostics.
pub const OUTPUT_PREFIX: &str = "output/";

pub fn run(args: &CheckArgs) -> ExitCode {
    let root = match output::normalize(&args.root) {
        Ok(root) => root,
        Err(error) => {
            eprintln!("error: cannot resolve {}: {error}", args.root.display());
            return exit(USAGE_OR_IO);
        }
    };
    let build = match pipeline::build(&root, Options { drafts: args.drafts }) {
        Ok(build) => build,
        Err(error) => {
            eprintln!("error: {error}");
            return exit(USAGE_OR_IO);
        }
    };
    let mut sources = build.sources;
    let mut diagnostics = build.diagnostics;
    let mut pages = 0;
    if let (Some(site), Some(rendered)) = (&build.site, &build.rendered) {
        pages = rendered.output.html_pages().count();
        diagnostics.extend(checks(site, &rendered.output, &mut sources));
    }
    diagnostics.sort();
    let failed = diagnostics.has_errors() || (args.deny_warnings && diagnostics.warning_count() > 0);
    match args.format {
        Format::Human => {
            print_diagnostics(&diagnostics, &sources);
            if !args.quiet {
                let verdict = if failed { "failed" } else { "passed" };
                let counts = match (diagnostics.error_count(), diagnostics.warning_count()) {
                    (0, 0) => "no problems".to_string(),
                    (errors, warnings) => crate::diag::count_line(errors, warnings),
                };
                println!("check {verdict}: {counts} ({pages} pages checked)");
            }
        }
        Format::Json => println!("{}", to_json(&diagnostics, &sources, !failed)),
    }
    exit(if failed { CONTENT_ERRORS } else { SUCCESS })
}

/// The checks `check` adds to a successful build.
pub fn checks(site: &crate::model::Site, output: &crate::render::Output, sources: &mut Sources) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    for finding in check::check_output(output) {
        let file = format!("{OUTPUT_PREFIX}{}", finding.file);
        if sources.get(&file).is_none()
            && let Some(bytes) = output.get(&finding.file)
        {
            sources.insert(file.clone(), String::from_utf8_lossy(bytes).into_owned());
        }
        diagnostics.push(
            Diagnostic::error(file, Some(finding.offset..finding.offset + 1), finding.message)
                .with_help("generated pages must only link to files of the site and load nothing from the network"),
        );
    }
    for page in check::orphans(output) {
        diagnostics.push(
            Diagnostic::warning(format!("{OUTPUT_PREFIX}{page}"), None, "no page links here")
                .with_help("link to it from a brief, a page or the navigation, or remove it"),
        );
    }
    let documents = site
        .briefs
        .iter()
        .map(|b| (&b.file, b.body(), b.body_offset))
        .chain(site.pages.iter().map(|p| (&p.file, p.body(), p.body_offset)));
    for (file, body, offset) in documents {
        for range in check::money_figures(body) {
            let figure = body[range.clone()].to_string();
            diagnostics.push(
                Diagnostic::warning(file.as_str(), Some(range.start + offset..range.end + offset), format!("hand-typed money figure `{figure}`"))
                    .with_help("take figures from the registry so prose never drifts from data: {{ value(deal=\"...\") }} or {{ point(series=\"...\", line=\"...\", period=\"...\") }}"),
            );
        }
    }
    diagnostics
}

/// One diagnostic in the JSON report.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    message: &'a str,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    ok: bool,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// The JSON shape documented in README ("`check --format json`"); `version` changes only when
/// the shape does.
pub fn to_json(diagnostics: &Diagnostics, sources: &Sources, ok: bool) -> String {
    let report = JsonReport {
        version: 1,
        ok,
        errors: diagnostics.error_count(),
        warnings: diagnostics.warning_count(),
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let (start, end) = match (&d.span, sources.get(&d.file)) {
                    (Some(span), Some(text)) => {
                        (Some(Location::of(text, span.start)), Some(Location::of(text, span.end)))
                    }
                    _ => (None, None),
                };
                JsonDiagnostic {
                    severity: d.severity,
                    file: &d.file,
                    line: start.map(|l| l.line),
                    column: start.map(|l| l.column),
                    end_line: end.map(|l| l.line),
                    end_column: end.map(|l| l.column),
                    message: &d.message,
                    help: d.help.as_deref(),
                }
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".to_string())
}
