//! Which files a scan reads: the scope globs under the root (or the paths given), minus
//! what honoured `.hygieneignore` files exclude (see [`crate::ignore_files`]) and `--exclude`,
//! never the report itself. `.gitignore` is deliberately not honoured: logs and generated
//! reports are usually git-ignored, and they are what leaks.
use std::path::{Path, PathBuf};

use globset::GlobSet;

pub use crate::ignore_files::IGNORE_FILE;
use crate::ignore_files::{absolute, IgnorePolicy, IgnoreSummary, Ignores};

/// Scopes scanned when neither the caller nor `hygiene.toml` names any.
pub const DEFAULT_SCOPES: &[&str] = &["docs/**", "reports/**"];
/// Added by `--include-logs` / `include_logs = true`.
pub const LOG_SCOPE: &str = "data/*/logs/**";

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
    /// Which `.hygieneignore` files are honoured.
    pub ignore_files: IgnorePolicy,
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
    /// Every `.hygieneignore` file met, whether it was honoured, and what it excluded.
    pub ignore_files: IgnoreSummary,
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

/// Checks that every glob of `globs` parses, as [`glob_set`] would, without compiling the set.
pub fn check_globs(globs: &[String]) -> Result<(), crate::Error> {
    for glob in globs {
        hygiene_core::glob::check(glob)?;
    }
    Ok(())
}

/// Compiles path globs relative to the root ([`hygiene_core::glob::set`]: `*` stays in its
/// directory, the bad glob is named in the error); a glob without wildcards (`docs`) also
/// means everything under it (`docs/**`).
pub fn glob_set(globs: &[String]) -> Result<GlobSet, crate::Error> {
    let mut all = Vec::with_capacity(globs.len() * 2);
    for glob in globs {
        // Each glob before its expansion, so an invalid one is reported as written.
        all.push(glob.clone());
        if !glob.contains(['*', '?', '[', '{']) {
            all.push(format!("{}/**", glob.trim_end_matches('/')));
        }
    }
    Ok(hygiene_core::glob::set(&all)?)
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
        .map(|c| display_name(c.as_os_str()))
        .collect();
    let joined = parts.join("/");
    if relative.has_root() {
        format!("/{joined}")
    } else {
        joined
    }
}

/// A file name as the report shows it: bytes that are not UTF-8 and control characters are
/// written `\xFF`, and bidirectional-text controls `\u{202E}`, so two names never look alike
/// (one of them would be dropped as a duplicate) and a name cannot carry a line break, a
/// terminal escape or a reordering of the text around it into the output.
pub fn display_name(name: &std::ffi::OsStr) -> String {
    use std::fmt::Write as _;
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(name).to_vec();
    #[cfg(not(unix))]
    let bytes = name.to_string_lossy().into_owned().into_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                for b in c.to_string().bytes() {
                    let _ = write!(out, "\\x{b:02X}");
                }
            } else if is_bidi_control(c) {
                let _ = write!(out, "\\u{{{:04X}}}", c as u32);
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    out
}

/// Characters that reorder the text around them (Unicode bidirectional formatting).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Walks the plan's targets.
pub fn walk(plan: &WalkPlan) -> Result<Walked, crate::Error> {
    let excludes = glob_set(&plan.exclude)?;
    let never: Vec<PathBuf> = plan.never_scan.iter().map(|p| absolute(p)).collect();
    let mut ignores = Ignores::new(&plan.ignore_files);
    let mut out = Walked::default();
    let mut walker =
        Walker { plan, excludes: &excludes, never: &never, ignores: &mut ignores, out: &mut out };
    match &plan.targets {
        Targets::Scopes(scopes) => {
            let scope_set = glob_set(scopes)?;
            let each: Vec<GlobSet> =
                scopes.iter().map(|s| glob_set(std::slice::from_ref(s))).collect::<Result<_, _>>()?;
            walker.out.scope_matches = scopes.iter().map(|s| (s.clone(), 0)).collect();
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
                walker.walk_dir(base, Some((&scope_set, &each)));
            }
        }
        Targets::Paths(paths) => {
            for path in paths {
                let meta = match std::fs::symlink_metadata(path) {
                    Ok(meta) => meta,
                    Err(e) => {
                        walker.out.errors.push((display_path(&plan.root, path), e.to_string()));
                        continue;
                    }
                };
                if meta.is_dir() {
                    walker.walk_dir(path, None);
                } else if meta.file_type().is_symlink() && !plan.follow_links {
                    walker.out.skipped.push((display_path(&plan.root, path), "symlink"));
                } else {
                    match walker.ignores.excludes_by_name(path) {
                        Ok(true) => {}
                        Ok(false) => walker.push_file(path),
                        Err(message) => walker.out.errors.push((display_path(&plan.root, path), message)),
                    }
                }
            }
        }
    }
    // A malformed honoured ignore file is an error (its directory was scanned as if it were absent).
    out.errors.extend(ignores.errors().iter().cloned());
    out.ignore_files = ignores.summary();
    // A file reached twice (overlapping scopes or paths) is scanned once; two files whose
    // names display alike are both scanned.
    out.files.sort_by(|a, b| (&a.display, &a.path).cmp(&(&b.display, &b.path)));
    out.files.dedup_by(|a, b| a.display == b.display && absolute(&a.path) == absolute(&b.path));
    Ok(out)
}

/// One walk's state: the plan, the ignore files met so far, and what was found.
struct Walker<'a, 'p> {
    plan: &'a WalkPlan,
    excludes: &'a GlobSet,
    never: &'a [PathBuf],
    ignores: &'a mut Ignores<'p>,
    out: &'a mut Walked,
}

impl Walker<'_, '_> {
    fn walk_dir(&mut self, base: &Path, scopes: Option<(&GlobSet, &[GlobSet])>) {
        if self.pruned_on_the_way(base) {
            return;
        }
        let mut entries = walkdir::WalkDir::new(base).follow_links(self.plan.follow_links).into_iter();
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e.path().map(|p| display_path(&self.plan.root, p)).unwrap_or_default();
                    self.out.errors.push((path, e.to_string()));
                    continue;
                }
            };
            let file_type = entry.file_type();
            if entry.depth() > 0 && entry.file_name() == ".git" {
                if file_type.is_dir() {
                    entries.skip_current_dir();
                }
                continue;
            }
            if file_type.is_dir() {
                // A pruned directory is not read at all (checked at depth 0 on the way in).
                if entry.depth() > 0 && self.ignores.excludes(entry.path(), true) {
                    entries.skip_current_dir();
                }
                continue;
            }
            let display = display_path(&self.plan.root, entry.path());
            if let Some((all, _)) = scopes {
                if !all.is_match(&display) {
                    continue;
                }
            }
            if self.ignores.excludes(entry.path(), false) {
                continue;
            }
            if let Some((_, each)) = scopes {
                for (i, scope) in each.iter().enumerate() {
                    if scope.is_match(&display) {
                        self.out.scope_matches[i].1 += 1;
                    }
                }
            }
            if file_type.is_symlink() {
                self.out.skipped.push((display, "symlink"));
                continue;
            }
            self.push_file(entry.path());
        }
    }

    /// Whether an ignore file prunes `base` (a directory) or a directory between the root
    /// and it, as a walk from the root would have.
    fn pruned_on_the_way(&mut self, base: &Path) -> bool {
        let (root, full) = (absolute(&self.plan.root), absolute(base));
        let Ok(relative) = full.strip_prefix(&root) else { return false };
        let parts: Vec<_> = relative.components().collect();
        let mut dir = root.clone();
        for (i, part) in parts.iter().enumerate() {
            dir.push(part);
            if i + 1 == parts.len() && !base.is_dir() {
                break;
            }
            if self.ignores.excludes(&dir, true) {
                return true;
            }
        }
        false
    }

    fn push_file(&mut self, path: &Path) {
        push_file(self.plan, path, self.excludes, self.never, self.out);
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
        assert!(bare.is_match("docs/2026/runbook.md") && bare.is_match("docs"));
        let err = glob_set(&["docs".to_string(), "data/[*/logs".to_string()]).unwrap_err();
        assert_eq!(err.to_string(), "invalid glob `data/[*/logs`: unclosed character class; missing ']'");
    }

    #[cfg(unix)]
    #[test]
    fn names_display_without_control_characters_and_stay_distinct() {
        use std::os::unix::ffi::OsStrExt;
        let show = |bytes: &[u8]| display_name(std::ffi::OsStr::from_bytes(bytes));
        assert_eq!(show(b"run book \xc3\xa9.md"), "run book \u{e9}.md");
        assert_eq!(show(b"a\nb\x1b[31m.md"), "a\\x0Ab\\x1B[31m.md");
        assert_eq!(show(b"\xff.md"), "\\xFF.md");
        assert_ne!(show(b"\xff.md"), show(b"\xfe.md"));
        assert_eq!(show(b"\xc2\x85.md"), "\\xC2\\x85.md", "C1 controls too");
        assert_eq!(show("a\u{202e}dm.txt".as_bytes()), "a\\u{202E}dm.txt");
    }
}
