//! One build: load, validate, render, each timed. `build`, `check`, `diff` and `serve` all start
//! here, so they agree on what the site is.
//!
//! [`prepare`] runs the first two stages; [`build`] renders into memory (for `check`, `diff`,
//! `serve` and tests); `cmd/build.rs` renders into the staging folder of `output::Staging`
//! instead, so a large site is never held twice. The result always carries the diagnostics and
//! the source texts needed to print them; the model and the output are there only when their
//! stage had no error.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::diag::{Diagnostics, Sources};
use crate::load::{self, LoadError};
use crate::model::{self, Site};
use crate::render::pages::RenderTimings;
use crate::render::theme::Theme;
use crate::render::{self, Rendered};

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub drafts: bool,
}

/// Wall time of each stage.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub load: Duration,
    pub validate: Duration,
    pub render: Duration,
    pub render_stages: RenderTimings,
}

/// A loaded and validated site, ready to render.
#[derive(Debug)]
pub struct Prepared {
    pub sources: Sources,
    pub diagnostics: Diagnostics,
    /// `None` when validation found errors.
    pub site: Option<Site>,
    pub theme: Theme,
    pub timings: Timings,
}

#[derive(Debug)]
pub struct Build {
    pub sources: Sources,
    pub diagnostics: Diagnostics,
    pub site: Option<Site>,
    pub rendered: Option<Rendered>,
    pub timings: Timings,
}

impl Build {
    pub fn succeeded(&self) -> bool {
        self.rendered.is_some() && !self.diagnostics.has_errors()
    }
}

/// Loads and validates the site at `root`.
pub fn prepare(root: &Path, options: Options) -> Result<Prepared, LoadError> {
    let started = Instant::now();
    let (loaded, mut diagnostics) = load::load(root)?;
    let mut timings = Timings { load: started.elapsed(), ..Timings::default() };

    let started = Instant::now();
    let (site, validation) = model::validate::validate(&loaded, model::validate::Options { drafts: options.drafts });
    diagnostics.extend(validation);
    timings.validate = started.elapsed();

    let mut sources = loaded.sources;
    let theme = Theme::new(&loaded.templates, &loaded.static_files);
    // Built-in templates are sources too, so template errors can show their line.
    for (name, text) in &theme.templates {
        let file = format!("templates/{name}");
        if sources.get(&file).is_none() {
            sources.insert(file, text.as_str());
        }
    }
    let site = site.filter(|_| !diagnostics.has_errors());
    Ok(Prepared { sources, diagnostics, site, theme, timings })
}

/// Builds the site at `root` in memory.
pub fn build(root: &Path, options: Options) -> Result<Build, LoadError> {
    let Prepared { sources, mut diagnostics, site, theme, mut timings } = prepare(root, options)?;
    let mut rendered = None;
    if let Some(site) = &site {
        let started = Instant::now();
        let (output, problems) = render::render(site, &theme);
        diagnostics.extend(problems);
        timings.render_stages = output.as_ref().map(|o| o.timings).unwrap_or_default();
        rendered = output;
        timings.render = started.elapsed();
    }
    diagnostics.sort();
    Ok(Build { sources, diagnostics, site, rendered, timings })
}
