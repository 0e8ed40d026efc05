//! Stage 1, load: the only reader of the site folder.
//!
//! Walks `content/`, `templates/` and `static/` in sorted order, reads every file once, splits
//! front matter, parses TOML and reads it into the raw structs of [`raw`] (values with spans,
//! types checked, meaning not yet). The text of every file goes into [`Sources`] so any later
//! diagnostic can show its line. Problems in files are diagnostics; only a missing site folder
//! or an unreadable file is a [`LoadError`] that stops the run.
//!
//! Symlinks are never followed: every file and folder under the root is looked at with
//! `symlink_metadata` before it is read or listed, and a link (to a file, a folder, outside the
//! root or nowhere) is an error naming it, so neither a loop nor a file outside the root is read.
//! Static file names must also be portable output paths, checked here so the writer never meets
//! one it has to refuse.

pub mod front_matter;
pub mod raw;
pub mod table;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Diagnostics, Sources};
use raw::{RawBrief, RawCompany, RawConfig, RawDeal, RawPage, RawSeries};

/// Everything read from a site folder, before validation.
#[derive(Debug, Default)]
pub struct LoadedSite {
    pub sources: Sources,
    pub config: Option<RawConfig>,
    pub companies: Vec<RawCompany>,
    pub deals: Vec<RawDeal>,
    /// False when `companies.toml` or `deals.toml` could not be read (not UTF-8, a symlink) or
    /// parsed: references to them are then not checked, so one bad file does not cascade into
    /// dozens of "unknown id" errors.
    pub companies_readable: bool,
    pub deals_readable: bool,
    pub briefs: Vec<RawBrief>,
    pub pages: Vec<RawPage>,
    pub series: Vec<RawSeries>,
    /// The site's own templates, by name relative to `templates/`; they override the built-in theme.
    pub templates: BTreeMap<String, String>,
    /// Files of `static/`, by path relative to `static/`, copied to the output as they are.
    pub static_files: BTreeMap<String, Vec<u8>>,
}

/// A problem that stops loading before any content can be judged.
#[derive(Debug)]
pub enum LoadError {
    NotASite(PathBuf),
    Io { path: PathBuf, error: std::io::Error },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotASite(root) => write!(
                f,
                "{} has no content/ folder: is this a site folder? (pass the site with --root DIR)",
                root.display()
            ),
            LoadError::Io { path, error } => write!(f, "cannot read {}: {error}", path.display()),
        }
    }
}

pub const SITE_FILE: &str = "content/site.toml";
pub const DEALS_FILE: &str = "content/deals.toml";
pub const COMPANIES_FILE: &str = "content/companies.toml";

/// Reads the site folder at `root`.
pub fn load(root: &Path) -> Result<(LoadedSite, Diagnostics), LoadError> {
    let mut site = LoadedSite::default();
    let mut diagnostics = Diagnostics::default();
    match entry_kind(root, "content")? {
        Kind::Folder => {}
        Kind::Symlink => {
            // Nothing under a linked content folder is read: it may lead anywhere.
            diagnostics.push(symlink_refused("content/"));
            return Ok((site, diagnostics));
        }
        Kind::Missing | Kind::File | Kind::Special => return Err(LoadError::NotASite(root.to_path_buf())),
    }

    match read_file(root, SITE_FILE, &mut site.sources, &mut diagnostics)? {
        Text::Read(text) => {
            if let Some(table) = raw::parse_toml(SITE_FILE, &text, 0, &mut diagnostics) {
                site.config = Some(raw::read_config(SITE_FILE, table.get_ref(), &mut diagnostics));
            }
        }
        // A diagnostic already says why the file there could not be read.
        Text::Refused => {}
        Text::Missing => diagnostics.push(
            Diagnostic::error(SITE_FILE, None, "missing site configuration")
                .with_help("create content/site.toml with at least `title = \"...\"`"),
        ),
    }
    // The registry (one large file each, parsed on one thread) is read beside the briefs (many
    // files, read and parsed in parallel); both merge in the same order as if read one by one.
    let (registry, briefs) = rayon::join(|| load_registry(root), || load_briefs(root));
    let registry = registry?;
    let briefs = briefs?;
    site.sources.extend(registry.sources);
    diagnostics.extend(registry.diagnostics);
    site.companies = registry.companies;
    site.companies_readable = registry.companies_readable;
    site.deals = registry.deals;
    site.deals_readable = registry.deals_readable;
    site.sources.extend(briefs.sources);
    diagnostics.extend(briefs.diagnostics);
    site.briefs = briefs.briefs;

    for (file, stem) in folder_files(root, "content/pages", "md", &mut diagnostics)? {
        let Some(text) = read_text(root, &file, &mut site.sources, &mut diagnostics)? else {
            continue;
        };
        let split = match front_matter::split(&file, &text) {
            Ok(split) => split,
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                continue;
            }
        };
        let Some(table) = raw::parse_toml(&file, split.front_matter, split.front_matter_offset, &mut diagnostics)
        else {
            continue;
        };
        site.pages.push(raw::read_page(
            &file,
            &stem,
            table.get_ref(),
            split.front_matter_offset,
            split.opening.clone(),
            (&text, split.body_offset),
            &mut diagnostics,
        ));
    }

    for (file, stem) in folder_files(root, "content/series", "toml", &mut diagnostics)? {
        let Some(text) = read_text(root, &file, &mut site.sources, &mut diagnostics)? else {
            continue;
        };
        if let Some(table) = raw::parse_toml(&file, &text, 0, &mut diagnostics) {
            site.series.push(raw::read_series(&file, &stem, table.get_ref(), &mut diagnostics));
        }
    }

    for (name, bytes) in tree_files(root, "templates", &mut diagnostics)? {
        let file = format!("templates/{name}");
        // A byte-order mark is dropped, as from content files: tera would take it for text
        // before `{% extends %}`, and columns on the first line would count it.
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
        match String::from_utf8(bytes) {
            Ok(text) => {
                site.sources.insert(file, text.clone());
                site.templates.insert(name, text);
            }
            Err(error) => {
                // The lossy text is the source the diagnostic shows, never the built-in template.
                let valid_up_to = error.utf8_error().valid_up_to();
                site.sources.insert(file.clone(), String::from_utf8_lossy(error.as_bytes()).into_owned());
                diagnostics.push(invalid_utf8(&file, valid_up_to));
            }
        }
    }
    site.static_files = tree_files(root, "static", &mut diagnostics)?;
    site.static_files.retain(|name, _| match unportable(name) {
        Some(reason) => {
            diagnostics.push(
                Diagnostic::error(
                    format!("static/{name}"),
                    None,
                    format!("{reason} in a static file name: file names must be valid UTF-8 and portable"),
                )
                .with_help(
                    "rename the file: `:`, `\\`, `<`, `>`, `\"`, `|`, `?`, `*` and control characters \
                     cannot be published on every system",
                ),
            );
            false
        }
        None => true,
    });
    Ok((site, diagnostics))
}

/// One brief read and parsed on its own, for merging.
/// The companies and deals files, read and parsed.
#[derive(Default)]
struct LoadedRegistry {
    sources: Sources,
    diagnostics: Diagnostics,
    companies: Vec<RawCompany>,
    companies_readable: bool,
    deals: Vec<RawDeal>,
    deals_readable: bool,
}

/// Reads the registry. A file that is missing reads as empty; one that is there but unreadable
/// or unparsable leaves its references unchecked.
fn load_registry(root: &Path) -> Result<LoadedRegistry, LoadError> {
    let mut registry = LoadedRegistry::default();
    let (sources, diagnostics) = (&mut registry.sources, &mut registry.diagnostics);
    let companies = registry_file(root, COMPANIES_FILE, sources, diagnostics, raw::read_companies)?;
    (registry.companies, registry.companies_readable) = companies;
    let deals = registry_file(root, DEALS_FILE, sources, diagnostics, raw::read_deals)?;
    (registry.deals, registry.deals_readable) = deals;
    Ok(registry)
}

/// One registry file's records with `read`, and whether its references can be checked: a
/// missing file reads as empty (checkable), an unreadable or unparsable one as unchecked.
fn registry_file<T>(
    root: &Path,
    file: &str,
    sources: &mut Sources,
    diagnostics: &mut Diagnostics,
    read: fn(&str, &toml::de::DeTable<'_>, &mut Diagnostics) -> Vec<T>,
) -> Result<(Vec<T>, bool), LoadError> {
    Ok(match read_file(root, file, sources, diagnostics)? {
        Text::Read(text) => match raw::parse_toml(file, &text, 0, diagnostics) {
            Some(table) => (read(file, table.get_ref(), diagnostics), true),
            None => (Vec::new(), false),
        },
        Text::Missing => (Vec::new(), true),
        Text::Refused => (Vec::new(), false),
    })
}

/// Every brief of `content/briefs/`, in file-name order.
#[derive(Default)]
struct LoadedBriefs {
    sources: Sources,
    diagnostics: Diagnostics,
    briefs: Vec<RawBrief>,
}

/// Reads and parses the briefs in parallel, then merges them in file-name order.
fn load_briefs(root: &Path) -> Result<LoadedBriefs, LoadError> {
    let mut briefs = LoadedBriefs::default();
    let brief_files = folder_files(root, "content/briefs", "md", &mut briefs.diagnostics)?;
    let loaded: Vec<Result<LoadedBrief, LoadError>> =
        brief_files.par_iter().map(|(file, stem)| load_brief(root, file, stem)).collect();
    briefs.briefs.reserve(loaded.len());
    briefs.sources = Sources::with_capacity(loaded.len());
    for result in loaded {
        let brief = result?;
        if let Some(text) = brief.text {
            briefs.sources.insert(brief.file, text);
        }
        briefs.diagnostics.extend(brief.diagnostics);
        briefs.briefs.extend(brief.raw);
    }
    Ok(briefs)
}

struct LoadedBrief {
    file: String,
    text: Option<Arc<String>>,
    raw: Option<RawBrief>,
    diagnostics: Diagnostics,
}

/// Reads and parses one brief of the folder listing (so known to be a file, not a symlink).
fn load_brief(root: &Path, file: &str, stem: &str) -> Result<LoadedBrief, LoadError> {
    let mut diagnostics = Diagnostics::default();
    let mut sources = Sources::default();
    let text = match read_listed_file(root, file, &mut sources, &mut diagnostics)? {
        Text::Read(text) => Some(text),
        Text::Missing | Text::Refused => None,
    };
    let mut loaded = LoadedBrief { file: file.to_string(), text: None, raw: None, diagnostics: Diagnostics::default() };
    if let Some(text) = text {
        match front_matter::split(file, &text) {
            Ok(split) => {
                if let Some(table) =
                    raw::parse_toml(file, split.front_matter, split.front_matter_offset, &mut diagnostics)
                {
                    loaded.raw = Some(raw::read_brief(
                        file,
                        stem,
                        table.get_ref(),
                        split.front_matter_offset,
                        split.opening.clone(),
                        (&text, split.body_offset),
                        &mut diagnostics,
                    ));
                }
            }
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
        loaded.text = Some(text);
    } else if let Some(lossy) = sources.get(file) {
        // Not UTF-8: keep the lossy text so the diagnostic can show the line.
        loaded.text = Some(Arc::new(lossy.to_string()));
    }
    loaded.diagnostics = diagnostics;
    Ok(loaded)
}

/// Reads one content file again (BOM dropped, as a full load does), for `serve`'s quick path.
/// `Ok(None)` when it is gone or not UTF-8: a full load will report why.
pub fn reread(root: &Path, file: &str) -> Result<Option<Arc<String>>, LoadError> {
    let mut sources = Sources::default();
    let mut diagnostics = Diagnostics::default();
    let text = read_text(root, file, &mut sources, &mut diagnostics)?;
    Ok(text.filter(|_| !diagnostics.has_errors()))
}

/// What reading one text file gave.
enum Text {
    Read(Arc<String>),
    /// There is no such file.
    Missing,
    /// Something is there but was not read: a symlink, a folder, a pipe or device, a file this
    /// user may not read, or text that is not UTF-8. A diagnostic says why.
    Refused,
}

/// Reads a text file relative to the root. `Ok(None)` when it does not exist or was refused
/// (with a diagnostic: see [`Text::Refused`]).
fn read_text(
    root: &Path,
    file: &str,
    sources: &mut Sources,
    diagnostics: &mut Diagnostics,
) -> Result<Option<Arc<String>>, LoadError> {
    Ok(match read_file(root, file, sources, diagnostics)? {
        Text::Read(text) => Some(text),
        Text::Missing | Text::Refused => None,
    })
}

/// Reads a text file relative to the root, never through a symlink. A UTF-8 byte-order mark is
/// dropped.
fn read_file(root: &Path, file: &str, sources: &mut Sources, diagnostics: &mut Diagnostics) -> Result<Text, LoadError> {
    match entry_kind(root, file)? {
        Kind::Missing => return Ok(Text::Missing),
        Kind::Symlink => {
            diagnostics.push(symlink_refused(file));
            return Ok(Text::Refused);
        }
        Kind::Folder => {
            diagnostics.push(
                Diagnostic::error(file, None, "this is a folder, where a file was expected")
                    .with_help("move the folder away and put the file here"),
            );
            return Ok(Text::Refused);
        }
        Kind::Special => {
            diagnostics.push(not_a_regular_file(file));
            return Ok(Text::Refused);
        }
        Kind::File => {}
    }
    read_listed_file(root, file, sources, diagnostics)
}

/// Reads a file a folder listing showed to be a file, not a symlink, without asking again.
fn read_listed_file(
    root: &Path,
    file: &str,
    sources: &mut Sources,
    diagnostics: &mut Diagnostics,
) -> Result<Text, LoadError> {
    let path = root.join(file);
    let bytes = match read_bytes(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Text::Missing),
        // An unreadable file is one more problem of the site, reported with the others.
        Err(error) => {
            diagnostics.push(
                Diagnostic::error(file, None, format!("cannot read this file: {error}"))
                    .with_help("check that the file's permissions let this user read it"),
            );
            return Ok(Text::Refused);
        }
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = Arc::new(text);
            sources.insert(file, Arc::clone(&text));
            Ok(Text::Read(text))
        }
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            sources.insert(file, String::from_utf8_lossy(error.as_bytes()).into_owned());
            diagnostics.push(invalid_utf8(file, valid_up_to));
            Ok(Text::Refused)
        }
    }
}

/// A file's bytes, read to the end without asking the file's size first: `std::fs::read` (and
/// `File::read_to_end`) ask with `statx` and `lseek`, two system calls more per file, 20,000 for
/// 10,000 briefs. Reading through `take` uses the plain loop, which asks nothing. Most files
/// fit the first read; the buffer is then cut to size.
fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(16 * 1024);
    file.take(u64::MAX).read_to_end(&mut bytes)?;
    bytes.shrink_to_fit();
    Ok(bytes)
}

/// What a path under the root is, seen without following a symlink.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Missing,
    Symlink,
    Folder,
    File,
    /// A pipe, socket or device: reading one could block forever or never end.
    Special,
}

fn entry_kind(root: &Path, relative: &str) -> Result<Kind, LoadError> {
    let path = root.join(relative);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => Ok(Kind::Symlink),
        Ok(meta) if meta.is_dir() => Ok(Kind::Folder),
        Ok(meta) if meta.is_file() => Ok(Kind::File),
        Ok(_) => Ok(Kind::Special),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Kind::Missing),
        Err(error) => Err(LoadError::Io { path, error }),
    }
}

/// Whether `folder` is there as a folder of its own; a symlink in its place is reported, never
/// followed.
fn is_real_folder(root: &Path, folder: &str, diagnostics: &mut Diagnostics) -> Result<bool, LoadError> {
    match entry_kind(root, folder)? {
        Kind::Folder => Ok(true),
        Kind::Symlink => {
            diagnostics.push(symlink_refused(&format!("{folder}/")));
            Ok(false)
        }
        Kind::Missing | Kind::File | Kind::Special => Ok(false),
    }
}

/// The error for a folder this user may not list.
fn cannot_list(folder: &str, error: &std::io::Error) -> Diagnostic {
    Diagnostic::error(folder, None, format!("cannot list this folder: {error}"))
        .with_help("check that the folder's permissions let this user read and enter it")
}

/// The error for a pipe, socket or device met where a content file was expected.
fn not_a_regular_file(file: &str) -> Diagnostic {
    Diagnostic::error(file, None, "not a regular file (a pipe, socket or device): it is not read")
        .with_help("put a plain text file here")
}

/// The error for a symlink met where a site file or folder (written with a trailing `/`) was
/// expected.
fn symlink_refused(file: &str) -> Diagnostic {
    let help = if file.ends_with('/') {
        "put the folder itself here instead of a link to it"
    } else {
        "copy the file here instead of linking it"
    };
    Diagnostic::error(file, None, "symlinks are not followed").with_help(help)
}

/// Why a path relative to `static/` cannot be an output path on every system, if it cannot:
/// the characters Windows reserves (`:` would also name a drive or a stream, `\` separate
/// folders) and control characters.
fn unportable(name: &str) -> Option<String> {
    name.chars().find_map(|c| match c {
        '\\' => Some("a backslash".to_string()),
        ':' | '<' | '>' | '"' | '|' | '?' | '*' => Some(format!("`{c}`")),
        c if c.is_control() => Some(format!("the control character U+{:04X}", u32::from(c))),
        _ => None,
    })
}

fn invalid_utf8(file: &str, valid_up_to: usize) -> Diagnostic {
    Diagnostic::error(file, Some(valid_up_to..valid_up_to + 1), "the file is not valid UTF-8")
        .with_help("save the file as UTF-8")
}

/// The files directly in `folder` with the given extension, as (path relative to root, stem),
/// sorted by name. Hidden files are skipped; anything else that cannot be content is reported.
fn folder_files(
    root: &Path,
    folder: &str,
    extension: &str,
    diagnostics: &mut Diagnostics,
) -> Result<Vec<(String, String)>, LoadError> {
    let path = root.join(folder);
    if !is_real_folder(root, folder, diagnostics)? {
        return Ok(Vec::new());
    }
    // One level, so the standard library's listing: each entry's kind comes with its name (no
    // `stat` on most filesystems) and no path is built per entry, which shows at 10,000 briefs.
    // Sorted by name once.
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| LoadError::Io { path, error }
    };
    let listing = match std::fs::read_dir(&path) {
        Ok(listing) => listing,
        // A folder this user may not list is one more problem of the site, reported with the
        // others (under `content/briefs/`, the name a run recovering from errors looks for).
        Err(error) if error.kind() == std::io::ErrorKind::PermissionDenied => {
            diagnostics.push(cannot_list(&format!("{folder}/"), &error));
            return Ok(Vec::new());
        }
        Err(error) => return Err(io(&path)(error)),
    };
    let mut entries = Vec::new();
    for entry in listing {
        let entry = entry.map_err(io(&path))?;
        let kind = entry.file_type().map_err(io(&entry.path()))?;
        entries.push((entry.file_name(), kind));
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut files = Vec::new();
    for (file_name, kind) in entries {
        let name = file_name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let file = format!("{folder}/{name}");
        if kind.is_symlink() {
            diagnostics.push(
                Diagnostic::error(&file, None, "symlinks are not followed in content folders")
                    .with_help("copy the file into the folder instead of linking it"),
            );
            continue;
        }
        if kind.is_dir() {
            diagnostics.push(
                Diagnostic::warning(&file, None, format!("subfolders of {folder}/ are not read"))
                    .with_help(format!("move its files up into {folder}/ to publish them")),
            );
            continue;
        }
        if !kind.is_file() {
            diagnostics.push(not_a_regular_file(&file));
            continue;
        }
        if file_name.to_str().is_none() {
            diagnostics.push(
                Diagnostic::error(&file, None, "file names must be valid UTF-8")
                    .with_help("rename the file with letters, digits and hyphens"),
            );
            continue;
        }
        match name.strip_suffix(&format!(".{extension}")) {
            Some(stem) => files.push((file.clone(), stem.to_string())),
            None => diagnostics.push(
                Diagnostic::warning(&file, None, format!("ignored: only .{extension} files are read in {folder}/"))
                    .with_help("images and other assets belong in static/"),
            ),
        }
    }
    Ok(files)
}

/// Every file under `folder` (recursively), by path relative to `folder`, sorted.
fn tree_files(
    root: &Path,
    folder: &str,
    diagnostics: &mut Diagnostics,
) -> Result<BTreeMap<String, Vec<u8>>, LoadError> {
    let path = root.join(folder);
    let mut files = BTreeMap::new();
    if !is_real_folder(root, folder, diagnostics)? {
        return Ok(files);
    }
    let walker = walkdir::WalkDir::new(&path).min_depth(1).sort_by_file_name().into_iter();
    for entry in walker.filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.')) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) if error.io_error().is_some_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied) => {
                let inside = error.path().and_then(|p| p.strip_prefix(&path).ok()).map(Path::to_string_lossy);
                let place = match inside.filter(|inside| !inside.is_empty()) {
                    Some(inside) => format!("{folder}/{inside}/"),
                    None => format!("{folder}/"),
                };
                let io_error = error.into_io_error().unwrap_or_else(|| std::io::Error::other("permission denied"));
                diagnostics.push(cannot_list(&place, &io_error));
                continue;
            }
            Err(error) => return Err(walk_error(&path, error)),
        };
        let relative = entry.path().strip_prefix(&path).unwrap_or(entry.path());
        // Joined with `/` whatever the platform's separator: on Unix a `\` is part of a name.
        let parts: Option<Vec<&str>> = relative.components().map(|part| part.as_os_str().to_str()).collect();
        let Some(name) = parts.map(|parts| parts.join("/")) else {
            diagnostics.push(
                Diagnostic::error(format!("{folder}/{}", relative.display()), None, "file names must be valid UTF-8")
                    .with_help("rename the file with letters, digits and hyphens"),
            );
            continue;
        };
        if entry.path_is_symlink() {
            diagnostics.push(
                Diagnostic::error(format!("{folder}/{name}"), None, "symlinks are not followed")
                    .with_help("copy the file instead of linking it"),
            );
            continue;
        }
        let file = format!("{folder}/{name}");
        if entry.file_type().is_file() {
            match std::fs::read(entry.path()) {
                Ok(bytes) => {
                    files.insert(name, bytes);
                }
                Err(error) => diagnostics.push(
                    Diagnostic::error(file, None, format!("cannot read this file: {error}"))
                        .with_help("check that the file's permissions let this user read it"),
                ),
            }
        } else if !entry.file_type().is_dir() {
            diagnostics.push(not_a_regular_file(&file));
        }
    }
    Ok(files)
}

fn walk_error(folder: &Path, error: walkdir::Error) -> LoadError {
    let path = error.path().map_or_else(|| folder.to_path_buf(), Path::to_path_buf);
    let error = error.into_io_error().unwrap_or_else(|| std::io::Error::other("filesystem loop"));
    LoadError::Io { path, error }
}
