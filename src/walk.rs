//! Which files a scan reads: the scope globs under the root (or the paths given), minus
//! `.hygieneignore` and `--exclude`, never the report itself. `.gitignore` is deliberately
//! not honoured: logs and generated reports are usually git-ignored, and they are what leaks.
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

/// The per-directory ignore file, in gitignore syntax.
pub const IGNORE_FILE: &str = ".hygieneignore";

/// What to walk.
#[derive(Debug, Clone)]
pub enum Targets {
    /// Scope globs relative to the root (`docs/**`).
    Scopes(Vec<String>),
    /// Exactly these files; directories among them are walked whole.
    Paths(Vec<PathBuf>),
}

/// Everything the walk needs to know.
#[derive(Debug, Clone)]
pub struct WalkPlan {
    /// Paths in the report are relative to it.
    pub root: PathBuf,
    /// Scopes or explicit paths.
    pub targets: Targets,
    /// Globs (relative to the root) of paths to leave out.
    pub exclude: Vec<String>,
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Files never scanned (the report being written).
    pub never_scan: Vec<PathBuf>,
}

/// A file to scan.
#[derive(Debug, Clone)]
pub struct FileToScan {
    /// Where to open it.
    pub path: PathBuf,
    /// How the report names it: relative to the root, `/`-separated.
    pub display: String,
    /// Size in bytes when walked (0 if unknown): big files are scheduled first, and a file
    /// that ends up shorter when read was truncated during the scan.
    pub size: u64,
    /// Device and inode when walked (Unix), to notice a file replaced during the scan.
    pub identity: Option<(u64, u64)>,
}

/// Device and inode of a file (Unix; `None` elsewhere).
pub fn identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// The skip reason of a special file (`fifo`, `socket`, `device`), or `None` for a regular
/// file. Special files are never opened: reading a FIFO blocks until a writer comes.
pub fn special_kind(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() || file_type.is_dir() || file_type.is_symlink() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("fifo");
        }
        if file_type.is_socket() {
            return Some("socket");
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return Some("device");
        }
    }
    Some("special file")
}

/// The walk's result.
#[derive(Debug, Default)]
pub struct Walked {
    /// Files to scan, sorted by display path.
    pub files: Vec<FileToScan>,
    /// Entries passed over, with the reason (`symlink`, `fifo`, `socket`, `device`).
    pub skipped: Vec<(String, &'static str)>,
    /// Entries that could not be read.
    pub errors: Vec<(String, String)>,
    /// Each scope glob (in the plan's order) and how many files it matched, before
    /// `--exclude` (empty for explicit paths): a scope that matched none is a typo or a wrong
    /// root (see [`empty_scopes`]).
    pub scope_matches: Vec<(String, u64)>,
}

/// The scopes that matched no file. Scopes the user chose (`explicit`: `--scope` or
/// `scopes =` in hygiene.toml) must each match something; the default scopes only together
/// (a repository without `reports/` or without logs yet is normal, one where none of the
/// default scopes holds a file is not). Returns the empty scopes to report.
pub fn empty_scopes(scope_matches: &[(String, u64)], explicit: bool) -> Vec<String> {
    if explicit {
        return scope_matches.iter().filter(|(_, n)| *n == 0).map(|(s, _)| s.clone()).collect();
    }
    if !scope_matches.is_empty() && scope_matches.iter().all(|(_, n)| *n == 0) {
        return scope_matches.iter().map(|(s, _)| s.clone()).collect();
    }
    Vec::new()
}

/// Compiles globs, naming the bad one in the error.
pub fn glob_set(globs: &[String]) -> Result<GlobSet, crate::Error> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        let compiled = globset::GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
            .map_err(|e| crate::Error::Glob { glob: glob.clone(), message: e.kind().to_string() })?;
        builder.add(compiled);
        // `docs` alone means the directory and everything in it.
        if !glob.contains(['*', '?', '[', '{']) {
            let under = format!("{}/**", glob.trim_end_matches('/'));
            builder.add(
                Glob::new(&under)
                    .map_err(|e| crate::Error::Glob { glob: glob.clone(), message: e.to_string() })?,
            );
        }
    }
    builder.build().map_err(|e| crate::Error::Glob { glob: globs.join(", "), message: e.to_string() })
}

/// The fixed directory a glob starts in: `data/*/logs/**` starts in `data`.
fn literal_base(glob: &str) -> PathBuf {
    glob.split('/').take_while(|part| !part.contains(['*', '?', '[', '{'])).collect::<PathBuf>()
}

/// `path` relative to `root`, with `/` separators; unchanged when outside the root.
pub fn display_path(root: &Path, path: &Path) -> String {
    let relative = match path.strip_prefix(root) {
        Ok(relative) => relative.to_path_buf(),
        // One absolute and one relative (a file passed by absolute path, the root `.`).
        Err(_) => {
            let path = absolute(path);
            path.strip_prefix(absolute(root)).map(Path::to_path_buf).unwrap_or(path)
        }
    };
    let relative = relative.strip_prefix(".").unwrap_or(&relative);
    let parts: Vec<_> = relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::RootDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    let joined = parts.join("/");
    if relative.has_root() {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Walks the plan's targets.
pub fn walk(plan: &WalkPlan) -> Result<Walked, crate::Error> {
    let excludes = glob_set(&plan.exclude)?;
    let never: Vec<PathBuf> = plan.never_scan.iter().map(|p| absolute(p)).collect();
    let mut out = Walked::default();
    match &plan.targets {
        Targets::Scopes(scopes) => {
            let scope_set = glob_set(scopes)?;
            let each: Vec<GlobSet> =
                scopes.iter().map(|s| glob_set(std::slice::from_ref(s))).collect::<Result<_, _>>()?;
            out.scope_matches = scopes.iter().map(|s| (s.clone(), 0)).collect();
            let mut bases: Vec<PathBuf> = scopes.iter().map(|s| plan.root.join(literal_base(s))).collect();
            bases.sort();
            bases.dedup();
            // A base inside another base would be walked twice.
            let bases: Vec<PathBuf> = bases
                .iter()
                .filter(|b| !bases.iter().any(|other| other != *b && b.starts_with(other)))
                .cloned()
                .collect();
            for base in bases.iter().filter(|b| b.exists()) {
                walk_dir(plan, base, Some((&scope_set, &each)), &excludes, &never, &mut out);
            }
        }
        Targets::Paths(paths) => {
            for path in paths {
                let meta = match std::fs::symlink_metadata(path) {
                    Ok(meta) => meta,
                    Err(e) => {
                        out.errors.push((display_path(&plan.root, path), e.to_string()));
                        continue;
                    }
                };
                if meta.is_dir() {
                    walk_dir(plan, path, None, &excludes, &never, &mut out);
                } else if meta.file_type().is_symlink() && !plan.follow_links {
                    out.skipped.push((display_path(&plan.root, path), "symlink"));
                } else {
                    match ignored_by_name(path) {
                        Ok(true) => {}
                        Ok(false) => push_file(plan, path, &excludes, &never, &mut out),
                        Err(message) => out.errors.push((display_path(&plan.root, path), message)),
                    }
                }
            }
        }
    }
    out.files.sort_by(|a, b| a.display.cmp(&b.display));
    out.files.dedup_by(|a, b| a.display == b.display);
    Ok(out)
}

/// Whether a `.hygieneignore` in one of the directories above a file passed by name (or
/// staged) ignores it, as the walk would have (a pre-commit hook passes files by name). The nearest file that
/// matches decides, so a `!pattern` below re-includes what a file higher up ignores. A broken
/// ignore file is an error: the file is then neither scanned nor silently passed over.
pub fn ignored_by_name(path: &Path) -> Result<bool, String> {
    for dir in path.ancestors().skip(1) {
        let ignore_file = dir.join(IGNORE_FILE);
        if !ignore_file.is_file() {
            continue;
        }
        let (matcher, error) = ignore::gitignore::Gitignore::new(&ignore_file);
        if let Some(error) = error {
            return Err(error.to_string()); // names the ignore file and line
        }
        match matcher.matched_path_or_any_parents(path, false) {
            ignore::Match::Ignore(_) => return Ok(true),
            ignore::Match::Whitelist(_) => return Ok(false),
            ignore::Match::None => {}
        }
    }
    Ok(false)
}

fn walk_dir(
    plan: &WalkPlan,
    base: &Path,
    scopes: Option<(&GlobSet, &[GlobSet])>,
    excludes: &GlobSet,
    never: &[PathBuf],
    out: &mut Walked,
) {
    let walker = WalkBuilder::new(base)
        .hidden(false)
        .ignore(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .parents(true)
        .follow_links(plan.follow_links)
        .add_custom_ignore_filename(IGNORE_FILE)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e_path(&e).map(|p| display_path(&plan.root, p)).unwrap_or_default();
                out.errors.push((path, e.to_string()));
                continue;
            }
        };
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            continue;
        }
        let display = display_path(&plan.root, entry.path());
        if let Some((all, each)) = scopes {
            if !all.is_match(&display) {
                continue;
            }
            for (i, scope) in each.iter().enumerate() {
                if scope.is_match(&display) {
                    out.scope_matches[i].1 += 1;
                }
            }
        }
        if file_type.is_symlink() {
            out.skipped.push((display, "symlink"));
            continue;
        }
        push_file(plan, entry.path(), excludes, never, out);
    }
}

fn push_file(plan: &WalkPlan, path: &Path, excludes: &GlobSet, never: &[PathBuf], out: &mut Walked) {
    let display = display_path(&plan.root, path);
    if excludes.is_match(&display) || never.contains(&absolute(path)) {
        return;
    }
    if path.file_name().is_some_and(crate::atomic::is_temp_name) {
        out.skipped.push((display, "hygiene-temp"));
        return;
    }
    // Follows a symlink given by name or walked with --follow: what would be opened counts.
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            out.errors.push((display, e.to_string()));
            return;
        }
    };
    if let Some(kind) = special_kind(meta.file_type()) {
        out.skipped.push((display, kind));
        return;
    }
    out.files.push(FileToScan {
        path: path.to_path_buf(),
        display,
        size: meta.len(),
        identity: identity(&meta),
    });
}

fn e_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => e_path(err),
        _ => None,
    }
}

/// An absolute, `.`-free form of `path` for comparisons (no symlink resolution, so a missing
/// report path still compares).
fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_bases() {
        assert_eq!(literal_base("docs/**"), PathBuf::from("docs"));
        assert_eq!(literal_base("data/*/logs/**"), PathBuf::from("data"));
        assert_eq!(literal_base("**/*.md"), PathBuf::from(""));
    }

    #[test]
    fn scope_globs_do_not_cross_directories_with_a_single_star() {
        let set = glob_set(&["data/*/logs/**".to_string()]).unwrap();
        assert!(set.is_match("data/bot1/logs/app.log"));
        assert!(set.is_match("data/bot1/logs/old/app.log.1.gz"));
        assert!(!set.is_match("data/bot1/state/app.log"));
        assert!(!set.is_match("data/a/b/logs/app.log"));
        let bare = glob_set(&["docs".to_string()]).unwrap();
        assert!(bare.is_match("docs/runbook.md"));
    }
}
