//! The crate's one atomic write. Every file `hygiene` writes (the scan report, the baseline,
//! the rotation log, a file rewritten by `redact --in-place`, the fingerprint key) goes
//! through [`TempFile`]: a temp file named [`TEMP_PREFIX`]`XXXXXX` in the target's real
//! directory, locked while it lives, filled, flushed to disk, given the target's mode and
//! owner, and renamed over the target. Readers see the old file or the new one, never half.
//!
//! - A symbolic link is followed: the real file is replaced and the link stays a link.
//! - A run killed mid-write leaves its temp file behind; the next write into that directory
//!   removes every temp file of this prefix that is older than its own and that no live
//!   process holds locked (a lock dies with its process).
//! - The walker never scans files of this prefix (it counts them as skipped).
use std::fs::{File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The name every temp file of `hygiene` starts with.
pub const TEMP_PREFIX: &str = ".hygiene-tmp-";

/// Whether `name` is one of our temp files' names.
pub fn is_temp_name(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with(TEMP_PREFIX)
}

/// Follows `path` through symbolic links (relative ones resolved against their directory) to
/// the file they finally name, which may not exist yet. A path that is not a link is returned
/// as is. A loop of links is an error.
pub fn real_path(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// A temp file that will replace a target file. Dropped without [`TempFile::commit`], it is
/// removed and the target is untouched.
#[derive(Debug)]
pub struct TempFile {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
    stale_removed: usize,
}

impl TempFile {
    /// A temp file beside the real file `path` names (symlinks followed). Creates the
    /// directory when missing and removes stale temp files of killed runs there.
    pub fn for_target(path: &Path) -> Result<TempFile, crate::Error> {
        let io_err = |source| crate::Error::Io { path: path.to_path_buf(), source };
        let target = real_path(path).map_err(io_err)?;
        let dir = parent_dir(&target).to_path_buf();
        std::fs::create_dir_all(&dir).map_err(io_err)?;
        let tmp = new_temp(&dir, 0o666).map_err(io_err)?;
        let stale_removed = remove_stale(&dir, tmp.path());
        Ok(TempFile { tmp, target, stale_removed })
    }

    /// The file to write into.
    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// The real file this will replace (after symlinks).
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Stale temp files of killed runs that were removed from the target's directory.
    pub fn stale_removed(&self) -> usize {
        self.stale_removed
    }

    /// Flushes the temp file to disk and renames it over the target. An existing target's
    /// mode and owner are kept (an owner that cannot be kept is an error, and nothing
    /// changes); a new file gets the usual mode (0666 less the umask).
    pub fn commit(self) -> Result<(), crate::Error> {
        let target = self.target.clone();
        let io_err = |source| crate::Error::Io { path: target.clone(), source };
        match std::fs::metadata(&self.target) {
            Ok(meta) => keep_mode_and_owner(self.tmp.as_file(), &meta).map_err(io_err)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(e)),
        }
        self.tmp.as_file().sync_all().map_err(io_err)?;
        self.tmp.persist(&self.target).map_err(|e| io_err(e.error))?;
        sync_dir(parent_dir(&target));
        Ok(())
    }
}

/// Writes `contents` to `path` atomically (see the module docs): the real file behind a
/// symlink is replaced, its mode and owner kept; the directory is created when missing.
pub fn write(path: &Path, contents: &[u8]) -> Result<(), crate::Error> {
    let mut tmp = TempFile::for_target(path)?;
    tmp.file().write_all(contents).map_err(|source| crate::Error::Io { path: path.to_path_buf(), source })?;
    tmp.commit()
}

/// Creates `path` with `contents` and mode 0600 unless it already exists (then `Ok(false)`
/// and the file is untouched): for private files such as the fingerprint key, where two
/// processes creating it at once must end up agreeing on one.
pub fn create_private(path: &Path, contents: &[u8]) -> io::Result<bool> {
    let dir = parent_dir(path);
    std::fs::create_dir_all(dir)?;
    let mut tmp = new_temp(dir, 0o600)?;
    remove_stale(dir, tmp.path());
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(path) {
        Ok(_) => {
            sync_dir(dir);
            Ok(true)
        }
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error),
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// A locked temp file of our prefix in `dir`, created with `mode` (less the umask).
fn new_temp(dir: &Path, mode: u32) -> io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let tmp = builder.tempfile_in(dir)?;
    lock(tmp.as_file(), true)?;
    Ok(tmp)
}

/// Takes an exclusive lock on `file`: waiting for it, or not (then `Err(WouldBlock)`).
#[cfg(unix)]
pub(crate) fn lock(file: &impl rustix::fd::AsFd, wait: bool) -> io::Result<()> {
    use rustix::fs::{flock, FlockOperation};
    let op = if wait { FlockOperation::LockExclusive } else { FlockOperation::NonBlockingLockExclusive };
    flock(file, op).map_err(io::Error::from)
}

#[cfg(not(unix))]
pub(crate) fn lock(_file: &File, _wait: bool) -> io::Result<()> {
    Ok(())
}

/// Removes the temp files of our prefix in `dir` that are older than `ours` and that no
/// process holds locked: what runs killed mid-write left. Returns how many went.
fn remove_stale(dir: &Path, ours: &Path) -> usize {
    let Ok(our_time) = std::fs::metadata(ours).and_then(|m| m.modified()) else {
        return 0;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if !is_temp_name(&entry.file_name()) || path == ours {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_file() || meta.modified().map_or(true, |t| t >= our_time) {
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        // Locked: a live run is still writing it.
        if lock(&file, false).is_ok() && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(unix)]
fn keep_mode_and_owner(file: &File, target: &Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    file.set_permissions(target.permissions())?;
    let ours = file.metadata()?;
    if ours.uid() != target.uid() || ours.gid() != target.gid() {
        std::os::unix::fs::fchown(file, Some(target.uid()), Some(target.gid())).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!(
                    "cannot keep the file's owner {}:{} ({e}); nothing was changed: run as that user or root",
                    target.uid(),
                    target.gid()
                ),
            )
        })?;
        // Changing the owner clears set-id bits: set the mode again.
        file.set_permissions(target.permissions())?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_mode_and_owner(file: &File, target: &Metadata) -> io::Result<()> {
    file.set_permissions(target.permissions())
}

/// Makes a rename durable; failing to is not worth failing the write for.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/security/latest.json");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(names(path.parent().unwrap()), vec!["latest.json"]);
    }

    #[test]
    fn failed_write_keeps_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latest.json");
        write(&path, b"old").unwrap();
        // A directory where the file should go cannot be replaced by a file.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir_all(blocked.join("x")).unwrap();
        assert!(write(&blocked, b"new").is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(names(dir.path()), vec!["blocked", "latest.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn follows_symlinks_and_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real/log.jsonl");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, b"old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink("real/log.jsonl", &link).unwrap();
        write(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "still a link");
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o7777, 0o644);
        // A dangling link: the file it names is created.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("real/new.json", &dangling).unwrap();
        write(&dangling, b"x").unwrap();
        assert_eq!(std::fs::read(dir.path().join("real/new.json")).unwrap(), b"x");
        // A loop is an error.
        std::os::unix::fs::symlink("loop-b", dir.path().join("loop-a")).unwrap();
        std::os::unix::fs::symlink("loop-a", dir.path().join("loop-b")).unwrap();
        assert!(write(&dir.path().join("loop-a"), b"x").is_err());
    }

    #[test]
    fn stale_temp_files_are_removed_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // What a killed run leaves: an unlocked temp file, older than the next run's.
        let stale = dir.path().join(format!("{TEMP_PREFIX}dead01"));
        std::fs::write(&stale, b"partial").unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();
        // A live run's temp file: locked by its owner.
        let live = dir.path().join(format!("{TEMP_PREFIX}live01"));
        std::fs::write(&live, b"writing").unwrap();
        File::options().write(true).open(&live).unwrap().set_modified(old).unwrap();
        let holder = File::open(&live).unwrap();
        lock(&holder, true).unwrap();
        // Not ours at all.
        std::fs::write(dir.path().join("notes.tmp"), b"x").unwrap();
        let tmp = TempFile::for_target(&dir.path().join("latest.json")).unwrap();
        assert_eq!(tmp.stale_removed(), 1);
        tmp.commit().unwrap();
        assert_eq!(
            names(dir.path()),
            vec![format!("{TEMP_PREFIX}live01"), "latest.json".into(), "notes.tmp".into()]
        );
        drop(holder);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_created_once_with_mode_600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/k");
        assert!(create_private(&path, b"first").unwrap());
        assert!(!create_private(&path, b"second").unwrap());
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(names(path.parent().unwrap()), vec!["k"]);
    }
}
