//! One build: load, validate, render, each timed. `build`, `check`, `diff` and `serve` all start
//! here, so they agree on what the site is.
//!
//! [`prepare`] runs the first two stages; [`build`] renders into memory (for `check`, `diff`
//! and tests); `cmd/build.rs` renders into the staging folder of `output::Staging` instead, so a
//! large site is never held twice. The result always carries the diagnostics and the source
//! texts needed to print them; the model and the output are there only when their stage had no
//! error. When loading or validation had one, [`prepare`] renders the model of what did
//! validate into nothing, for the problems those errors would otherwise hide. [`Session`] is the build `serve` keeps alive: an edit to the body of a brief or page
//! re-renders that page alone, anything else builds the site again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diag::{Diagnostics, Sources};
use crate::load::{self, LoadError};
use crate::model::validate::{Validated, validate};
use crate::model::{self, Site};
use crate::render::pages::{self, Base, Memo, RenderTimings, Rerendered};
use crate::render::theme::Theme;
use crate::render::{self, MemorySink, Output, Rendered, paths};

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
    let (validated, validation) = validate(&loaded, model::validate::Options { drafts: options.drafts });
    diagnostics.extend(validation);
    timings.validate = started.elapsed();

    let theme = Theme::new(&loaded.templates, &loaded.static_files);
    let site = match validated {
        Validated::Site(site) if !diagnostics.has_errors() => Some(*site),
        validated => {
            // The files have errors, and nothing will be written; the model of what did
            // validate is still rendered (into nothing), so that this run also reports what
            // those errors would otherwise hide until the next: a broken shortcode or link in a
            // brief, a broken template.
            let recovered = model::validate::recover(validated, &loaded, &diagnostics);
            diagnostics.extend(render::problems(&recovered, &theme));
            render::drop_later(recovered);
            None
        }
    };
    let mut sources = loaded.sources;
    // Built-in templates are sources too, so template errors can show their line.
    for (name, text) in &theme.templates {
        let file = format!("templates/{name}");
        if sources.get(&file).is_none() {
            sources.insert(file, text.clone());
        }
    }
    // The raw structs are done with: tens of thousands of small allocations, freed aside.
    render::drop_later((loaded.briefs, loaded.deals, loaded.companies, loaded.pages, loaded.series));
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

/// What an update of a [`Session`] produced.
#[derive(Debug)]
pub enum Outcome {
    /// The site was built in full: serve this output.
    Whole(Output),
    /// Only these files changed; every other file is as before. The search index is refreshed
    /// apart, with [`Session::search_index`], so the page can reload first.
    Files(Output),
    /// The content has errors (see [`Session::diagnostics`]): keep serving the last good output.
    Failed,
}

/// A build kept alive between edits, for `serve`.
///
/// After a successful build it keeps the model, the render [`Base`] (templates, deal rows,
/// charts) and the [`Memo`] of every body. When the only files that changed are briefs or pages
/// whose front matter is byte for byte the same, only those pages are rendered again, plus the
/// pages that list a brief when what they show of it changed (its reading time, the deals and
/// companies its body cites); anything else (a new or deleted file, the registry, templates,
/// front matter) loads and renders the site again. Each path gives the same bytes as a full
/// build of the same files (`tests/suite/build.rs`).
pub struct Session {
    root: PathBuf,
    options: Options,
    sources: Sources,
    /// Problems of loading and validation.
    early: Diagnostics,
    diagnostics: Diagnostics,
    kept: Option<Kept>,
    search_stale: bool,
}

/// The state of the last successful build.
struct Kept {
    site: Site,
    theme: Theme,
    base: Base,
    memo: Memo,
    /// Content file to its index in `site.briefs` or `site.pages`.
    briefs: HashMap<String, usize>,
    pages: HashMap<String, usize>,
}

impl Session {
    /// Builds the site at `root` in memory.
    pub fn open(root: &Path, options: Options) -> Result<(Session, Outcome), LoadError> {
        let mut session = Session {
            root: root.to_path_buf(),
            options,
            sources: Sources::default(),
            early: Diagnostics::default(),
            diagnostics: Diagnostics::default(),
            kept: None,
            search_stale: false,
        };
        let outcome = session.rebuild()?;
        Ok((session, outcome))
    }

    /// Every problem of the current content.
    pub fn diagnostics(&self) -> &Diagnostics {
        &self.diagnostics
    }

    /// The texts the diagnostics point into.
    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    /// Brings the build up to date after `changed` files (paths relative to the root) changed.
    pub fn update(&mut self, changed: &[String]) -> Result<Outcome, LoadError> {
        match self.quick(changed)? {
            Some(outcome) => Ok(outcome),
            None => self.rebuild(),
        }
    }

    /// The search index as a full build would write it, when an update left it stale (never
    /// for a site without search).
    pub fn search_index(&mut self) -> Option<(String, Vec<u8>)> {
        let kept = self.kept.as_ref().filter(|_| self.search_stale)?;
        self.search_stale = false;
        if !kept.site.config.search {
            return None;
        }
        Some((paths::SEARCH_INDEX.to_string(), pages::search_script(&kept.site, &kept.memo).into_bytes()))
    }

    /// Loads, validates and renders everything.
    fn rebuild(&mut self) -> Result<Outcome, LoadError> {
        self.kept = None;
        self.search_stale = false;
        let Prepared { sources, diagnostics, site, theme, .. } = prepare(&self.root, self.options)?;
        self.sources = sources;
        self.early = diagnostics;
        self.diagnostics = self.early.clone();
        let Some(site) = site else { return Ok(Outcome::Failed) };
        let base = match Base::new(&site, &theme) {
            Ok(base) => base,
            Err(_) => {
                // With the content's problems that broken templates would hide.
                self.diagnostics.extend(render::problems(&site, &theme));
                self.diagnostics.sort();
                return Ok(Outcome::Failed);
            }
        };
        let index = |files: Vec<&String>| files.into_iter().enumerate().map(|(i, f)| (f.clone(), i)).collect();
        let briefs = index(site.briefs.iter().map(|b| &b.file).collect());
        let pages = index(site.pages.iter().map(|p| &p.file).collect());
        let mut kept = Kept { site, theme, base, memo: Memo::default(), briefs, pages };
        Ok(self.render_kept(&mut kept).map_or(Outcome::Failed, |output| {
            self.kept = Some(kept);
            Outcome::Whole(output)
        }))
    }

    /// Renders the kept site in full from its base; `None` when it has errors.
    fn render_kept(&mut self, kept: &mut Kept) -> Option<Output> {
        let sink = MemorySink::default();
        let (rendered, problems) = pages::render_with(&kept.site, &kept.theme, &kept.base, &sink, true, None);
        self.diagnostics = self.early.clone();
        self.diagnostics.extend(problems);
        self.diagnostics.sort();
        let (_, memo) = rendered?;
        kept.memo = memo?;
        Some(sink.into_output())
    }

    /// The quick path: `None` when the change needs a full build.
    fn quick(&mut self, changed: &[String]) -> Result<Option<Outcome>, LoadError> {
        let Some(mut kept) = self.kept.take() else { return Ok(None) };
        if changed.is_empty() {
            self.kept = Some(kept);
            return Ok(None);
        }
        let (mut briefs, mut pages) = (Vec::new(), Vec::new());
        for file in changed {
            let (text, offset) = if let Some(&index) = kept.briefs.get(file) {
                briefs.push(index);
                let brief = &kept.site.briefs[index];
                (&brief.text, brief.body_offset)
            } else if let Some(&index) = kept.pages.get(file) {
                pages.push(index);
                let page = &kept.site.pages[index];
                (&page.text, page.body_offset)
            } else {
                return Ok(None);
            };
            let Some(new_text) = load::reread(&self.root, file)? else { return Ok(None) };
            let Ok(split) = load::front_matter::split(file, &new_text) else { return Ok(None) };
            if split.body_offset != offset || new_text.get(..offset) != text.get(..offset) {
                return Ok(None);
            }
            self.sources.insert(file.clone(), std::sync::Arc::clone(&new_text));
            if let Some(&index) = kept.briefs.get(file) {
                kept.site.briefs[index].text = new_text;
            } else if let Some(&index) = kept.pages.get(file) {
                kept.site.pages[index].text = new_text;
            }
        }
        let sink = MemorySink::default();
        let rerendered = pages::rerender(&kept.site, &kept.theme, &kept.base, &mut kept.memo, &briefs, &pages, &sink);
        let outcome = match rerendered {
            Rerendered::Pages => {
                self.search_stale = true;
                self.diagnostics = self.early.clone();
                self.diagnostics.extend(kept.memo.diagnostics());
                self.diagnostics.sort();
                Outcome::Files(sink.into_output())
            }
            Rerendered::Failed => {
                self.diagnostics = self.early.clone();
                self.diagnostics.extend(kept.memo.diagnostics());
                self.diagnostics.sort();
                Outcome::Failed
            }
            Rerendered::Wider => match self.render_kept(&mut kept) {
                Some(output) => Outcome::Whole(output),
                None => Outcome::Failed,
            },
        };
        self.kept = Some(kept);
        Ok(Some(outcome))
    }
}
