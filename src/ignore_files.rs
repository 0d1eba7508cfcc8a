//! `.hygieneignore` files: which ones are honoured (`ignore_files` in hygiene.toml), matching
//! paths against the honoured ones (the `ignore` crate's gitignore matcher, one per file), and
//! who excluded what, so the report can say which ignore file hid which files.
//!
//! An ignore file dropped into a git-ignored log directory is reviewed by nobody; by default
//! (where the root is in a git repository) only ignore files tracked by git are honoured.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::OnceLock;

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

/// The per-directory ignore file, in gitignore syntax.
pub const IGNORE_FILE: &str = ".hygieneignore";

/// Larger ignore files are not read (and not honoured): an ignore file is a few lines.
const MAX_IGNORE_FILE_LEN: u64 = 1 << 20;

/// `ignore_files` in `hygiene.toml`: which `.hygieneignore` files are honoured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgnoreFiles {
    /// `"tracked"`: only those tracked by git (the default where the root is in a git
    /// repository; an error where it is not).
    Tracked,
    /// `"all"`: every one (the default where the root is not in a git repository).
    All,
    /// `"none"`: none.
    None,
    /// `["docs/.hygieneignore", ...]`: exactly these, relative to the root.
    Listed(Vec<String>),
}

impl<'de> Deserialize<'de> for IgnoreFiles {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expecting;
        impl<'de> Visitor<'de> for Expecting {
            type Value = IgnoreFiles;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(r#""tracked", "all", "none" or a list of ignore-file paths"#)
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<IgnoreFiles, E> {
                match value {
                    "tracked" => Ok(IgnoreFiles::Tracked),
                    "all" => Ok(IgnoreFiles::All),
                    "none" => Ok(IgnoreFiles::None),
                    other => Err(E::invalid_value(de::Unexpected::Str(other), &self)),
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IgnoreFiles, A::Error> {
                let mut paths = Vec::new();
                while let Some(path) = seq.next_element::<String>()? {
                    paths.push(path);
                }
                Ok(IgnoreFiles::Listed(paths))
            }
        }
        deserializer.deserialize_any(Expecting)
    }
}

/// Which ignore files a run honours, resolved for one root.
#[derive(Debug, Clone)]
pub struct IgnorePolicy {
    root: PathBuf,
    rule: Rule,
    why: String,
    /// Ignore files tracked by git, relative to the root; read on first need (most trees
    /// have no ignore file, and then git is never run). `Err`: git could not tell.
    tracked: OnceLock<Result<HashSet<String>, String>>,
}

#[derive(Debug, Clone)]
enum Rule {
    Tracked,
    All,
    None,
    Listed(BTreeSet<String>),
}

impl IgnorePolicy {
    /// Resolves the setting for `root`. Without one: `tracked` where the root is in a git
    /// repository (a `.git` in it or above it), else `all`. `"tracked"` where there is no git
    /// repository, and a listed path that is not an existing `.hygieneignore` file under the
    /// root, are errors.
    pub fn resolve(root: &Path, setting: Option<&IgnoreFiles>) -> Result<IgnorePolicy, crate::Error> {
        let in_git = in_git_repository(root);
        let (rule, why) = match setting {
            None if in_git => (Rule::Tracked, "default: the root is in a git repository".to_string()),
            None => (Rule::All, "default: the root is not in a git repository".to_string()),
            Some(IgnoreFiles::Tracked) if !in_git => {
                return Err(crate::Error::IgnoreFiles(format!(
                    "ignore_files = \"tracked\", but {} is not in a git repository",
                    root.display()
                )))
            }
            Some(IgnoreFiles::Tracked) => (Rule::Tracked, "ignore_files in hygiene.toml".to_string()),
            Some(IgnoreFiles::All) => (Rule::All, "ignore_files in hygiene.toml".to_string()),
            Some(IgnoreFiles::None) => (Rule::None, "ignore_files in hygiene.toml".to_string()),
            Some(IgnoreFiles::Listed(paths)) => {
                let mut listed = BTreeSet::new();
                for path in paths {
                    let normal = normalize(path);
                    let full = root.join(&normal);
                    if Path::new(&normal).file_name() != Some(IGNORE_FILE.as_ref())
                        || normal.split('/').any(|p| p == "..")
                        || Path::new(path).is_absolute()
                    {
                        return Err(crate::Error::IgnoreFiles(format!(
                            "ignore_files lists `{path}`: each entry must be a {IGNORE_FILE} file under the root, relative to it"
                        )));
                    }
                    if !full.is_file() {
                        return Err(crate::Error::IgnoreFiles(format!(
                            "ignore_files lists `{path}`, which does not exist"
                        )));
                    }
                    listed.insert(normal);
                }
                (Rule::Listed(listed), "ignore_files in hygiene.toml".to_string())
            }
        };
        Ok(IgnorePolicy { root: root.to_path_buf(), rule, why, tracked: OnceLock::new() })
    }

    /// Every ignore file honoured (library callers and tests that do not pin anything).
    pub fn all(root: &Path) -> IgnorePolicy {
        IgnorePolicy {
            root: root.to_path_buf(),
            rule: Rule::All,
            why: "every ignore file".to_string(),
            tracked: OnceLock::new(),
        }
    }

    /// `tracked`, `all`, `none` or `listed`.
    pub fn mode(&self) -> &'static str {
        match self.rule {
            Rule::Tracked => "tracked",
            Rule::All => "all",
            Rule::None => "none",
            Rule::Listed(_) => "listed",
        }
    }

    /// Where the mode comes from (`default: the root is in a git repository`, ...).
    pub fn why(&self) -> &str {
        &self.why
    }

    /// Whether the ignore file at `display` (relative to the root) is honoured; `Err` says why
    /// not.
    fn honours(&self, display: &str) -> Result<(), String> {
        match &self.rule {
            Rule::All => Ok(()),
            Rule::None => Err("ignore_files = \"none\"".to_string()),
            Rule::Listed(listed) if listed.contains(display) => Ok(()),
            Rule::Listed(_) => Err("not listed in ignore_files".to_string()),
            Rule::Tracked => match self.tracked.get_or_init(|| tracked_ignore_files(&self.root)) {
                Ok(tracked) if tracked.contains(display) => Ok(()),
                Ok(_) => Err("not tracked by git".to_string()),
                Err(message) => Err(format!("cannot tell whether git tracks it: {message}")),
            },
        }
    }
}

/// `path` with `/` separators and no leading `./`.
fn normalize(path: &str) -> String {
    let mut path = path.replace('\\', "/");
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_string();
    }
    path
}

/// Whether `root` is in a git work tree: a `.git` (directory or file) in it or above it.
/// Decided on the file system, not by asking git: a git that refuses the repository (e.g.
/// "dubious ownership") must not make the tool honour untracked ignore files.
fn in_git_repository(root: &Path) -> bool {
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    root.ancestors().any(|dir| dir.join(".git").exists())
}

/// The ignore files under `root` that git tracks (in the index), relative to `root`.
fn tracked_ignore_files(root: &Path) -> Result<HashSet<String>, String> {
    let out = std::process::Command::new("git")
        .current_dir(root)
        .args(["ls-files", "-z", "--", IGNORE_FILE, &format!("*/{IGNORE_FILE}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!("git ls-files failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    Ok(out
        .stdout
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect())
}

/// One ignore file a run came across, and what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreFileUse {
    /// The ignore file, relative to the root.
    pub path: String,
    /// Why it was not honoured (`not tracked by git`, ...); `None` when honoured.
    pub not_honoured: Option<String>,
    /// Files in scope it excluded.
    pub files_excluded: u64,
    /// Directories it pruned (nothing below them was looked at).
    pub dirs_pruned: u64,
    /// Exclusions (files and directories) by the pattern that matched, as written.
    pub patterns: BTreeMap<String, u64>,
}

/// What the ignore files did in a run: the report's `ignore_files`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreSummary {
    /// [`IgnorePolicy::mode`].
    pub mode: String,
    /// [`IgnorePolicy::why`].
    pub why: String,
    /// Every ignore file found, sorted by path.
    pub files: Vec<IgnoreFileUse>,
}

/// A loaded ignore file.
struct Loaded {
    usage: IgnoreFileUse,
    /// The matcher when honoured and well-formed.
    matcher: Option<Gitignore>,
}

/// Matches paths against the honoured ignore files and counts who excluded what. Paths are
/// made absolute (lexically) so that ignore files and the paths below them always compare.
pub struct Ignores<'a> {
    policy: &'a IgnorePolicy,
    root: PathBuf,
    loaded: Vec<Loaded>,
    /// Directory -> the honoured matchers that apply in it, nearest first.
    chains: HashMap<PathBuf, Rc<Vec<usize>>>,
    /// Ignore files that could not be used: (path relative to the root, message).
    errors: Vec<(String, String)>,
}

/// Whether a path is excluded, and by which loaded ignore file.
enum Verdict {
    Keep,
    Excluded(usize, String),
}

impl<'a> Ignores<'a> {
    /// A matcher for the policy's root.
    pub fn new(policy: &'a IgnorePolicy) -> Ignores<'a> {
        Ignores {
            policy,
            root: absolute(&policy.root),
            loaded: Vec::new(),
            chains: HashMap::new(),
            errors: Vec::new(),
        }
    }

    /// For a walk: whether `path` (a file or directory whose parent directories were not
    /// excluded) is excluded; counts the exclusion against the ignore file that decided. The
    /// nearest ignore file with a matching pattern decides (a `!pattern` re-includes).
    pub fn excludes(&mut self, path: &Path, is_dir: bool) -> bool {
        let path = absolute(path);
        let Some(parent) = path.parent() else { return false };
        let chain = self.chain(parent);
        let mut verdict = Verdict::Keep;
        for &i in chain.iter() {
            let matcher = self.loaded[i].matcher.as_ref().expect("chains hold honoured matchers");
            match matcher.matched(&path, is_dir) {
                ignore::Match::Ignore(glob) => {
                    verdict = Verdict::Excluded(i, glob.original().to_string());
                    break;
                }
                ignore::Match::Whitelist(_) => break,
                ignore::Match::None => {}
            }
        }
        self.count(verdict, is_dir)
    }

    /// For a file passed by name (pre-commit, `--staged`), which no walk reached: whether an
    /// ignore file between the root and it excludes it or a directory above it. The nearest
    /// ignore file with a pattern matching the file or one of its directories decides. A
    /// malformed honoured ignore file on the way is an error for the file.
    pub fn excludes_by_name(&mut self, path: &Path) -> Result<bool, String> {
        let path = absolute(path);
        let Some(parent) = path.parent() else { return Ok(false) };
        let chain = self.chain(parent);
        if let Some(error) = self.chain_error(parent) {
            return Err(error);
        }
        let mut verdict = Verdict::Keep;
        for &i in chain.iter() {
            let matcher = self.loaded[i].matcher.as_ref().expect("chains hold honoured matchers");
            match matcher.matched_path_or_any_parents(&path, false) {
                ignore::Match::Ignore(glob) => {
                    verdict = Verdict::Excluded(i, glob.original().to_string());
                    break;
                }
                ignore::Match::Whitelist(_) => break,
                ignore::Match::None => {}
            }
        }
        Ok(self.count(verdict, false))
    }

    fn count(&mut self, verdict: Verdict, is_dir: bool) -> bool {
        match verdict {
            Verdict::Keep => false,
            Verdict::Excluded(i, pattern) => {
                let usage = &mut self.loaded[i].usage;
                if is_dir {
                    usage.dirs_pruned += 1;
                } else {
                    usage.files_excluded += 1;
                }
                *usage.patterns.entry(pattern).or_default() += 1;
                true
            }
        }
    }

    /// The first malformed honoured ignore file between the root and `dir`, as an error.
    fn chain_error(&self, dir: &Path) -> Option<String> {
        let dir = absolute(dir);
        self.errors
            .iter()
            .find(|(path, _)| {
                let ignore_dir = self.root.join(path);
                ignore_dir.parent().is_some_and(|d| dir.starts_with(d))
            })
            .map(|(_, message)| message.clone())
    }

    /// The honoured matchers for `dir` (absolute), nearest first, loading ignore files on the
    /// way. Directories outside the root get no ignore files.
    fn chain(&mut self, dir: &Path) -> Rc<Vec<usize>> {
        if let Some(chain) = self.chains.get(dir) {
            return chain.clone();
        }
        let chain = if !dir.starts_with(&self.root) {
            Rc::new(Vec::new())
        } else {
            let above = match dir.parent() {
                Some(parent) if dir != self.root => self.chain(parent),
                _ => Rc::new(Vec::new()),
            };
            match self.load(dir) {
                Some(i) => {
                    let mut chain = vec![i];
                    chain.extend(above.iter().copied());
                    Rc::new(chain)
                }
                None => above,
            }
        };
        self.chains.insert(dir.to_path_buf(), chain.clone());
        chain
    }

    /// Loads `dir/.hygieneignore` if there is one: returns its index when it is honoured and
    /// well-formed.
    fn load(&mut self, dir: &Path) -> Option<usize> {
        let file = dir.join(IGNORE_FILE);
        let meta = std::fs::symlink_metadata(&file).ok()?;
        let display = relative_display(&self.root, &file);
        let mut usage = IgnoreFileUse {
            path: display.clone(),
            not_honoured: None,
            files_excluded: 0,
            dirs_pruned: 0,
            patterns: BTreeMap::new(),
        };
        let mut matcher = None;
        match self.policy.honours(&display) {
            Err(why) => usage.not_honoured = Some(why),
            Ok(()) => match build_matcher(dir, &file, &meta) {
                Ok(built) => matcher = Some(built),
                Err(message) => {
                    usage.not_honoured = Some(format!("unusable: {message}"));
                    self.errors.push((display, format!("ignore file {}: {message}", usage.path)));
                }
            },
        }
        let honoured = matcher.is_some();
        self.loaded.push(Loaded { usage, matcher });
        honoured.then_some(self.loaded.len() - 1)
    }

    /// Honoured ignore files that could not be used (malformed, unreadable, not a regular
    /// file): (path relative to the root, message). Each is an error in the report; the
    /// directory it sits in is scanned as if it were absent.
    pub fn errors(&self) -> &[(String, String)] {
        &self.errors
    }

    /// What the ignore files did, sorted by path.
    pub fn summary(&self) -> IgnoreSummary {
        let mut files: Vec<IgnoreFileUse> = self.loaded.iter().map(|l| l.usage.clone()).collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        IgnoreSummary { mode: self.policy.mode().to_string(), why: self.policy.why().to_string(), files }
    }
}

/// A gitignore matcher for `file` in `dir`. Only a regular file (or a symlink to one) of
/// sane size is read; a line that is not a valid pattern makes the file unusable.
fn build_matcher(dir: &Path, file: &Path, meta: &std::fs::Metadata) -> Result<Gitignore, String> {
    // Follow a symlink only to check what it names: a FIFO named .hygieneignore must not block.
    let meta = if meta.file_type().is_symlink() {
        std::fs::metadata(file).map_err(|e| e.to_string())?
    } else {
        meta.clone()
    };
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    if meta.len() > MAX_IGNORE_FILE_LEN {
        return Err(format!("larger than {} bytes", MAX_IGNORE_FILE_LEN));
    }
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    let mut builder = GitignoreBuilder::new(dir);
    for (n, line) in text.lines().enumerate() {
        builder.add_line(Some(file.to_path_buf()), line).map_err(|e| format!("line {}: {e}", n + 1))?;
    }
    builder.build().map_err(|e| e.to_string())
}

/// `path` (absolute, under `root`) relative to `root`, `/`-separated.
fn relative_display(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// An absolute, `.`-free form of `path` for comparisons (no symlink resolution, so a path
/// that does not exist yet still compares).
pub(crate) fn absolute(path: &Path) -> PathBuf {
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

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn the_setting_parses_every_form() {
        #[derive(Deserialize)]
        struct T {
            ignore_files: IgnoreFiles,
        }
        let parse = |text: &str| toml::from_str::<T>(text).map(|t| t.ignore_files);
        assert_eq!(parse("ignore_files = \"tracked\"").unwrap(), IgnoreFiles::Tracked);
        assert_eq!(parse("ignore_files = \"all\"").unwrap(), IgnoreFiles::All);
        assert_eq!(parse("ignore_files = \"none\"").unwrap(), IgnoreFiles::None);
        assert_eq!(
            parse("ignore_files = [\"docs/.hygieneignore\"]").unwrap(),
            IgnoreFiles::Listed(vec!["docs/.hygieneignore".into()])
        );
        let err = parse("ignore_files = \"some\"").unwrap_err().to_string();
        assert!(err.contains("\"tracked\", \"all\", \"none\""), "{err}");
        assert!(parse("ignore_files = 3").is_err());
    }

    #[test]
    fn the_nearest_matching_file_decides_and_is_credited() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".hygieneignore", "*.log\nbuild/\n");
        write(root, "docs/.hygieneignore", "!keep.log\n");
        let policy = IgnorePolicy::all(root);
        let mut ignores = Ignores::new(&policy);
        assert!(ignores.excludes(&root.join("a.log"), false));
        assert!(ignores.excludes(&root.join("docs/b.log"), false));
        assert!(!ignores.excludes(&root.join("docs/keep.log"), false));
        assert!(!ignores.excludes(&root.join("docs/readme.md"), false));
        assert!(ignores.excludes(&root.join("build"), true));
        assert!(!ignores.excludes(&root.join("build"), false), "`build/` names directories only");
        let summary = ignores.summary();
        assert_eq!(summary.mode, "all");
        let top = &summary.files[0];
        assert_eq!(top.path, ".hygieneignore");
        assert_eq!((top.files_excluded, top.dirs_pruned), (2, 1));
        assert_eq!(top.patterns, BTreeMap::from([("*.log".into(), 2), ("build/".into(), 1)]));
        assert_eq!(summary.files[1].path, "docs/.hygieneignore");
        assert_eq!(summary.files[1].files_excluded, 0);
    }

    #[test]
    fn files_not_honoured_are_listed_with_why_and_exclude_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "docs/.hygieneignore", "*\n");
        write(root, "logs/.hygieneignore", "*\n");
        let policy =
            IgnorePolicy::resolve(root, Some(&IgnoreFiles::Listed(vec!["./docs/.hygieneignore".into()])))
                .unwrap();
        let mut ignores = Ignores::new(&policy);
        assert!(ignores.excludes(&root.join("docs/a.md"), false));
        assert!(!ignores.excludes(&root.join("logs/app.log"), false));
        let files = ignores.summary().files;
        assert_eq!(files[1].path, "logs/.hygieneignore");
        assert_eq!(files[1].not_honoured.as_deref(), Some("not listed in ignore_files"));

        let none = IgnorePolicy::resolve(root, Some(&IgnoreFiles::None)).unwrap();
        let mut ignores = Ignores::new(&none);
        assert!(!ignores.excludes(&root.join("docs/a.md"), false));
        assert_eq!(ignores.summary().files[0].not_honoured.as_deref(), Some("ignore_files = \"none\""));
    }

    #[test]
    fn bad_settings_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "docs/.hygieneignore", "*\n");
        let listed = |p: &str| IgnorePolicy::resolve(root, Some(&IgnoreFiles::Listed(vec![p.into()])));
        assert!(listed("docs/.hygieneignore").is_ok());
        for bad in ["docs/missing/.hygieneignore", "docs/README.md", "../x/.hygieneignore"] {
            let err = listed(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
        // Not a git repository (a temp dir): the default is `all`, and `tracked` is an error.
        let default = IgnorePolicy::resolve(root, None).unwrap();
        assert_eq!(default.mode(), "all");
        assert!(default.why().contains("not in a git repository"));
        let err = IgnorePolicy::resolve(root, Some(&IgnoreFiles::Tracked)).unwrap_err().to_string();
        assert!(err.contains("not in a git repository"), "{err}");
    }

    #[test]
    fn a_malformed_or_special_ignore_file_is_an_error_and_not_honoured() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "docs/.hygieneignore", "private/[z-a]\n");
        let policy = IgnorePolicy::all(root);
        let mut ignores = Ignores::new(&policy);
        assert!(!ignores.excludes(&root.join("docs/private"), true));
        assert_eq!(ignores.errors().len(), 1);
        assert!(ignores.errors()[0].1.contains("line 1"), "{:?}", ignores.errors());
        assert!(ignores.excludes_by_name(&root.join("docs/a.md")).is_err());
        assert!(ignores.summary().files[0].not_honoured.as_deref().unwrap().starts_with("unusable"));
    }
}
