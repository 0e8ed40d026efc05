//! Thin subcommands: each chains the stages and turns the result into an exit code and text.
//!
//! Exit codes are decided here and only here: 0 success, 1 the content has errors, 2 a usage or
//! IO problem. Printing happens here and in `main`, nowhere else.

pub mod build;
pub mod check;
pub mod diff;
pub mod new;
pub mod serve;

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::diag::{self, Diagnostics, Sources, Style};

pub const SUCCESS: u8 = 0;
pub const CONTENT_ERRORS: u8 = 1;
pub const USAGE_OR_IO: u8 = 2;

pub fn exit(code: u8) -> ExitCode {
    ExitCode::from(code)
}

/// Colour on a terminal, never when `NO_COLOR` is set.
pub fn stderr_style() -> Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Style { color: !no_color && std::io::stderr().is_terminal() }
}

/// Prints every diagnostic and the count line to stderr.
pub fn print_diagnostics(diagnostics: &Diagnostics, sources: &Sources) {
    if diagnostics.is_empty() {
        return;
    }
    eprint!("{}", diag::render_all(diagnostics, sources, stderr_style()));
}
