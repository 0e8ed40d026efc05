//! Stage 4, output: the only writer. An [`Output`] goes to disk atomically, or not at all.
//!
//! The site is written into a temporary folder beside the target ([`Staging`], filled by the
//! renderer from many threads), then swapped in with two renames; the previous tree is moved
//! aside and removed after the swap, by a separate process so the build does not wait for it.
//! A build that fails or is killed at any point leaves the previous output complete: in place,
//! or, when killed between the two renames, beside it as `.NAME.old-PID` with our marker file.
//! The next build first puts such a tree back when the target is missing
//! ([`restore_interrupted`]), and only then removes the leftovers of killed builds
//! (`.NAME.tmp-*`, `.NAME.old-*` beside the target); no cleanup deletes an old tree while the
//! target is missing. Removing an old tree deletes its marker first, so a tree half removed is
//! never taken for a complete one.
//! Guards: the target may not be the site root, one of its source folders, an ancestor of the
//! root or `/`; an existing non-empty folder is replaced only if it carries our marker file.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::render::{Output, Sink};

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

/// Writes `parts` one after the other with as few system calls as the kernel allows: a page
/// spliced around its body is three parts and one `writev`.
fn write_parts(file: &mut fs::File, parts: &[&[u8]]) -> io::Result<()> {
    // Linux takes at most 1,024 slices a call (`IOV_MAX`).
    const MAX_SLICES: usize = 1024;
    let mut slices: Vec<io::IoSlice<'_>> =
        parts.iter().filter(|p| !p.is_empty()).map(|p| io::IoSlice::new(p)).collect();
    let mut rest = slices.as_mut_slice();
    while !rest.is_empty() {
        let batch = rest.len().min(MAX_SLICES);
        match file.write_vectored(&rest[..batch]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(written) => io::IoSlice::advance_slices(&mut rest, written),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
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

/// A build's staging folder beside the target: rendered files go here (from many threads at
/// once) and are swapped in by [`Staging::commit`]. Dropped without a commit, it removes itself,
/// so a failed build leaves the previous output untouched.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    created: Mutex<BTreeSet<PathBuf>>,
    error: Mutex<Option<OutputError>>,
    /// Time spent writing, summed over threads.
    write_nanos: AtomicU64,
    committed: bool,
}

/// The previous output, moved aside by a commit; remove it off the critical path.
#[derive(Debug)]
pub struct OldTree(pub PathBuf);

impl Staging {
    /// Checks the target and creates the staging folder beside it.
    pub fn create(root: &Path, target: &Path) -> Result<Staging, OutputError> {
        check_target(root, target)?;
        let parent = target.parent().ok_or_else(|| OutputError::Refused {
            target: target.to_path_buf(),
            reason: "it has no parent folder".to_string(),
        })?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".to_string());
        fs::create_dir_all(parent).map_err(io_error(parent))?;
        restore_interrupted(target)?;
        remove_leftovers(parent, &name);
        let dir = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir: dir.clone(),
            created: Mutex::new(BTreeSet::from([dir])),
            error: Mutex::new(None),
            write_nanos: AtomicU64::new(0),
            committed: false,
        })
    }

    fn write(&self, relative: &str, parts: &[&[u8]]) -> Result<(), OutputError> {
        let path = safe_join(&self.dir, relative).ok_or_else(|| OutputError::Refused {
            target: self.dir.join(relative),
            reason: "an output path leaves the output folder".to_string(),
        })?;
        if let Some(folder) = path.parent() {
            let known = self.created.lock().map(|set| set.contains(folder)).unwrap_or(false);
            if !known {
                fs::create_dir_all(folder).map_err(io_error(folder))?;
                if let Ok(mut set) = self.created.lock() {
                    set.insert(folder.to_path_buf());
                }
            }
        }
        let mut file = fs::File::create(&path).map_err(io_error(&path))?;
        write_parts(&mut file, parts).map_err(io_error(&path))
    }

    /// Time spent writing files, summed over all threads.
    pub fn write_time(&self) -> std::time::Duration {
        std::time::Duration::from_nanos(self.write_nanos.load(Ordering::Relaxed))
    }

    /// Swaps the staged site in: the previous output is renamed aside (returned, for removal)
    /// and the staging folder takes its place. Any write error is reported here instead.
    pub fn commit(mut self) -> Result<Option<OldTree>, OutputError> {
        if let Some(error) = self.error.lock().ok().and_then(|mut e| e.take()) {
            return Err(error);
        }
        let marker = self.dir.join(MARKER);
        fs::write(&marker, "written by infrabrief; a later build may replace this folder\n")
            .map_err(io_error(&marker))?;
        let parent = self.target.parent().unwrap_or(Path::new("/")).to_path_buf();
        let name = self.target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        let had_previous = self.target.exists();
        if had_previous {
            fs::rename(&self.target, &old).map_err(io_error(&self.target))?;
            pause_between_renames_if_asked();
        }
        if let Err(error) = fs::rename(&self.dir, &self.target) {
            // Put the previous output back before reporting.
            if had_previous {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(OutputError::Io { path: self.target.clone(), error });
        }
        self.committed = true;
        Ok(had_previous.then_some(OldTree(old)))
    }
}

impl Sink for Staging {
    fn put(&self, path: String, bytes: Vec<u8>) {
        self.put_bytes(path, &bytes);
    }

    fn put_bytes(&self, path: String, bytes: &[u8]) {
        self.put_parts(path, &[bytes]);
    }

    fn put_parts(&self, path: String, parts: &[&[u8]]) {
        if self.error.lock().map(|e| e.is_some()).unwrap_or(true) {
            return;
        }
        let started = std::time::Instant::now();
        let result = self.write(&path, parts);
        self.write_nanos.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        if let Err(error) = result
            && let Ok(mut slot) = self.error.lock()
            && slot.is_none()
        {
            *slot = Some(error);
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Whether `path` is an old tree a commit moved aside (`.NAME.old-PID`), safe to remove.
pub fn is_old_tree(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else { return false };
    name.starts_with('.')
        && name.rsplit_once(".old-").is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// Removes an old tree; refuses anything that is not one. While the output folder it was moved
/// aside from is missing, the tree may be the only copy of the output: it is left for the next
/// build to put back ([`restore_interrupted`]) rather than deleted.
pub fn remove_old_tree(path: &Path) -> std::io::Result<()> {
    let target = old_tree_target(path)
        .ok_or_else(|| std::io::Error::other(format!("{} is not an old output tree", path.display())))?;
    if fs::symlink_metadata(&target).is_err() {
        return Ok(());
    }
    match remove_tree(path) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        result => result,
    }
}

/// The output folder an old tree (`.NAME.old-PID`) was moved aside from: `NAME` beside it.
fn old_tree_target(path: &Path) -> Option<PathBuf> {
    if !is_old_tree(path) {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let (stem, _) = name.strip_prefix('.')?.rsplit_once(".old-")?;
    (!stem.is_empty()).then(|| path.with_file_name(stem))
}

/// Removes a tree that infrabrief wrote, its marker first: should the removal be cut short,
/// what is left is not taken for a complete output.
fn remove_tree(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        let _ = fs::remove_file(path.join(MARKER));
    }
    fs::remove_dir_all(path)
}

/// When `target` is missing and a complete previous output lies beside it (`.NAME.old-PID`, a
/// real folder with our marker: a build was killed between the two renames of its commit),
/// renames that tree back to `target`; the newest one if there are several. Returns whether a
/// tree was put back. Runs before any leftover is removed, so the only copy is never deleted.
pub fn restore_interrupted(target: &Path) -> Result<bool, OutputError> {
    match fs::symlink_metadata(target) {
        Ok(_) => return Ok(false),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(OutputError::Io { path: target.to_path_buf(), error }),
    }
    let (Some(parent), Some(name)) = (target.parent(), target.file_name().and_then(|n| n.to_str())) else {
        return Ok(false);
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(false);
    };
    let prefix = format!(".{name}.old-");
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for entry in entries.flatten() {
        let path = entry.path();
        let named = entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) && is_old_tree(&path);
        if !named || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Some(marker) = fs::symlink_metadata(path.join(MARKER)).ok().filter(fs::Metadata::is_file) else {
            continue;
        };
        let written = marker.modified().unwrap_or(std::time::SystemTime::UNIX_EPOCH);
        if newest.as_ref().is_none_or(|(time, best)| (written, &path) > (*time, best)) {
            newest = Some((written, path));
        }
    }
    let Some((_, tree)) = newest else { return Ok(false) };
    fs::rename(&tree, target).map_err(io_error(&tree))?;
    Ok(true)
}

/// The crash test's hook: with `INFRABRIEF_PAUSE_IN_COMMIT` set, a build that has moved the
/// previous output aside stops before moving the new one in and waits to be killed, so the test
/// can SIGKILL it at the one moment the target is missing, every time, with nothing but the Rust
/// toolchain (the test sees the pause in the file system). Unset, this reads one variable.
fn pause_between_renames_if_asked() {
    if std::env::var_os("INFRABRIEF_PAUSE_IN_COMMIT").is_none() {
        return;
    }
    loop {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// Writes `output` to `target` atomically (the in-memory path, used by tests and tools).
pub fn write(root: &Path, target: &Path, output: &Output) -> Result<(), OutputError> {
    let staging = Staging::create(root, target)?;
    for (path, bytes) in &output.files {
        staging.put(path.clone(), bytes.clone());
    }
    if let Some(old) = staging.commit()? {
        let _ = remove_old_tree(&old.0);
    }
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

/// Removes staging and old folders left by builds that were killed. Called only after
/// [`restore_interrupted`], so no old tree here is the only copy of the output.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = remove_tree(&entry.path());
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
    fn only_old_trees_are_removable() {
        assert!(is_old_tree(Path::new("/x/.public.old-1234")));
        assert!(!is_old_tree(Path::new("/x/public")));
        assert!(!is_old_tree(Path::new("/x/.public.old-")));
        assert!(!is_old_tree(Path::new("/x/.public.old-12a")));
        assert!(!is_old_tree(Path::new("/")));
    }

    #[test]
    fn old_trees_name_their_output_folder() {
        assert_eq!(old_tree_target(Path::new("/x/.public.old-12")), Some(PathBuf::from("/x/public")));
        assert_eq!(old_tree_target(Path::new("/x/.my.old-site.old-3")), Some(PathBuf::from("/x/my.old-site")));
        assert_eq!(old_tree_target(Path::new("/x/.old-3")), None);
        assert_eq!(old_tree_target(Path::new("/x/public")), None);
    }

    #[test]
    fn a_complete_old_tree_is_put_back_before_leftovers_go() {
        let dir = std::env::temp_dir().join(format!("infrabrief-restore-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let target = dir.join("public");
        // Half removed (its marker went first), and complete.
        let half = dir.join(".public.old-1");
        let whole = dir.join(".public.old-2");
        for (tree, text) in [(&half, "half"), (&whole, "whole")] {
            fs::create_dir_all(tree).expect("create tree");
            fs::write(tree.join("index.html"), text).expect("write page");
        }
        fs::write(whole.join(MARKER), "").expect("write marker");
        assert!(remove_old_tree(&whole).is_ok() && whole.is_dir(), "the only copy was removed");
        assert!(restore_interrupted(&target).expect("restore"));
        assert_eq!(fs::read_to_string(target.join("index.html")).expect("read page"), "whole");
        assert!(!restore_interrupted(&target).expect("restore"), "the output is in place");
        remove_leftovers(&dir, "public");
        assert!(!half.exists() && target.is_dir());
        let _ = fs::remove_dir_all(&dir);
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
