//! Stage 4, output: the only writer. An [`Output`] goes to disk atomically, or not at all.
//!
//! The site is written into a temporary folder beside the target, then swapped in with two
//! renames; the previous tree is moved aside and deleted only after the swap, so a build that
//! fails or is killed at any point leaves the previous output complete. Leftovers of a killed
//! build (`.NAME.tmp-*`, `.NAME.old-*` beside the target) are removed by the next build.
//! Guards: the target may not be the site root, one of its source folders, an ancestor of the
//! root or `/`; an existing non-empty folder is replaced only if it carries our marker file.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::render::Output;

/// Written into every output folder; its presence is what allows a later build to replace it.
pub const MARKER: &str = ".infrabrief-output";

#[derive(Debug)]
pub enum OutputError {
    /// The target is a place we must never replace.
    Refused {
        target: PathBuf,
        reason: String,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Refused { target, reason } => {
                write!(f, "refusing to write the site to {}: {reason}", target.display())
            }
            OutputError::Io { path, error } => {
                write!(f, "cannot write {}: {error}", path.display())
            }
        }
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |error| OutputError::Io { path: path.to_path_buf(), error }
}

/// Makes `path` absolute and removes `.` and `..` without touching the file system, then
/// resolves symlinks of the longest prefix that exists.
pub fn normalize(path: &Path) -> io::Result<PathBuf> {
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir()?.join(path) };
    let mut clean = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other.as_os_str()),
        }
    }
    // Resolve symlinks in the part that exists, keep the rest as written.
    let mut existing = clean.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => {
                rest.push(name.to_os_string());
                existing.pop();
            }
            None => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

/// Refuses targets whose replacement would destroy the site or anything above it.
pub fn check_target(root: &Path, target: &Path) -> Result<(), OutputError> {
    let refuse = |reason: &str| Err(OutputError::Refused { target: target.to_path_buf(), reason: reason.to_string() });
    if target.parent().is_none() {
        return refuse("it is the file system root");
    }
    if target == root {
        return refuse("it is the site folder itself");
    }
    if root.starts_with(target) {
        return refuse("it contains the site folder");
    }
    for source in ["content", "templates", "static"] {
        if target.starts_with(root.join(source)) {
            return refuse(&format!("it is inside the site's {source}/ folder"));
        }
    }
    if target.is_file() {
        return refuse("it is a file");
    }
    if target.is_dir() && !target.join(MARKER).exists() {
        let empty = fs::read_dir(target).map_err(io_error(target))?.next().is_none();
        if !empty {
            return refuse(
                "it is a non-empty folder that infrabrief did not write (delete it or choose another --output)",
            );
        }
    }
    Ok(())
}

/// Writes `output` to `target` atomically. `root` is the site folder, for the guards.
pub fn write(root: &Path, target: &Path, output: &Output) -> Result<(), OutputError> {
    check_target(root, target)?;
    let parent = target.parent().ok_or_else(|| OutputError::Refused {
        target: target.to_path_buf(),
        reason: "it has no parent folder".to_string(),
    })?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".to_string());
    fs::create_dir_all(parent).map_err(io_error(parent))?;
    remove_leftovers(parent, &name);

    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.tmp-{pid}"));
    if let Err(error) = write_tree(&staging, output) {
        let _ = fs::remove_dir_all(&staging);
        return Err(error);
    }
    let old = parent.join(format!(".{name}.old-{pid}"));
    let had_previous = target.exists();
    if had_previous {
        fs::rename(target, &old).map_err(|error| {
            let _ = fs::remove_dir_all(&staging);
            OutputError::Io { path: target.to_path_buf(), error }
        })?;
    }
    if let Err(error) = fs::rename(&staging, target) {
        // Put the previous output back before reporting.
        if had_previous {
            let _ = fs::rename(&old, target);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(OutputError::Io { path: target.to_path_buf(), error });
    }
    if had_previous {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}

fn write_tree(staging: &Path, output: &Output) -> Result<(), OutputError> {
    fs::create_dir_all(staging).map_err(io_error(staging))?;
    for (relative, bytes) in &output.files {
        let path = safe_join(staging, relative).ok_or_else(|| OutputError::Refused {
            target: staging.join(relative),
            reason: "an output path leaves the output folder".to_string(),
        })?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io_error(dir))?;
        }
        let mut file = fs::File::create(&path).map_err(io_error(&path))?;
        file.write_all(bytes).map_err(io_error(&path))?;
    }
    let marker = staging.join(MARKER);
    fs::write(&marker, "written by infrabrief; a later build may replace this folder\n").map_err(io_error(&marker))?;
    Ok(())
}

/// Joins a `/`-separated relative path, refusing anything that could leave `base`.
pub fn safe_join(base: &Path, relative: &str) -> Option<PathBuf> {
    if relative.is_empty() || relative.starts_with('/') || relative.contains('\\') || relative.contains('\0') {
        return None;
    }
    let mut path = base.to_path_buf();
    for part in relative.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains(':') {
            return None;
        }
        path.push(part);
    }
    Some(path)
}

/// Removes staging and old folders left by builds that were killed.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) && entry.path().is_dir() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_refuses_escapes() {
        let base = Path::new("/out");
        assert_eq!(safe_join(base, "deals/a.html"), Some(PathBuf::from("/out/deals/a.html")));
        assert_eq!(safe_join(base, "../etc/passwd"), None);
        assert_eq!(safe_join(base, "/etc/passwd"), None);
        assert_eq!(safe_join(base, "a//b"), None);
        assert_eq!(safe_join(base, "a/./b"), None);
        assert_eq!(safe_join(base, "C:x"), None);
    }

    #[test]
    fn refuses_dangerous_targets() {
        let root = Path::new("/site");
        assert!(check_target(root, Path::new("/")).is_err());
        assert!(check_target(root, Path::new("/site")).is_err());
        assert!(check_target(root, Path::new("/site/content")).is_err());
        assert!(check_target(root, Path::new("/site/content/out")).is_err());
        assert!(check_target(root, Path::new("/site/templates")).is_err());
        assert!(check_target(root, Path::new("/site/static")).is_err());
    }
}
