//! The crate's error type for failures that stop a command (bad configuration, unreadable
//! rule packs, a report that cannot be written). Per-file scan problems are not errors:
//! they are recorded in the report.
use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// A failure that stops the command (exit code 2).
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// A rule pack is malformed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] crate::rules::RuleFileError),
    /// `hygiene.toml` is malformed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    #[diagnostic(code(hygiene::io))]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A scope or exclude glob is invalid.
    #[error("invalid glob `{glob}`: {message}")]
    #[diagnostic(code(hygiene::glob), help("globs use gitignore-like syntax: `docs/**`, `data/*/logs/**`"))]
    Glob {
        /// The glob as given.
        glob: String,
        /// What is wrong with it.
        message: String,
    },
    /// The keyword prefilter could not be built.
    #[error("cannot build the keyword prefilter: {0}")]
    #[diagnostic(code(hygiene::prefilter))]
    Prefilter(String),
    /// The baseline file is malformed.
    #[error("{path}: {message}")]
    #[diagnostic(code(hygiene::baseline), help("recreate it with `hygiene baseline create`"))]
    Baseline {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An `[[allow]]` entry is unusable.
    #[error("hygiene.toml: {0}")]
    #[diagnostic(
        code(hygiene::allowlist),
        help("each [[allow]] entry needs `reason` and `paths` and/or `rules`")
    )]
    Allowlist(String),
    /// `ignore_files` in `hygiene.toml` cannot be applied.
    #[error("hygiene.toml: {0}")]
    #[diagnostic(
        code(hygiene::ignore_files),
        help(r#"ignore_files is "tracked" (only in a git repository), "all", "none", or a list of existing .hygieneignore paths relative to the root"#)
    )]
    IgnoreFiles(String),
    /// A path given on the command line does not exist.
    #[error("{0}: no such file or directory")]
    #[diagnostic(code(hygiene::missing_path))]
    MissingPath(PathBuf),
    /// The report path from `hygiene.toml` (or the default) leads outside the scan root.
    #[error("the report path `{}` leads outside the scan root (to {})", path.display(), resolved.display())]
    #[diagnostic(
        code(hygiene::report_outside_root),
        help("a report path from hygiene.toml, and the default reports/security/latest.json, must stay inside the root, also through symlinked directories; pass --report PATH on the command line to write elsewhere")
    )]
    ReportOutsideRoot {
        /// The path as configured.
        path: PathBuf,
        /// Where it leads once `..` and symlinks are resolved.
        resolved: PathBuf,
    },
    /// The staged files (`--staged`) could not be listed or read from git, or an ignore file
    /// deciding about one could not be read.
    #[error("{0}")]
    Staged(String),
    /// The worker threads could not be started.
    #[error("{0}")]
    Threads(String),
    /// A baseline was not written because some files could not be read.
    #[error("{0}")]
    PartialScan(String),
    /// A file given as a scan report is not one.
    #[error("{}: {message}", path.display())]
    NotAReport {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// `redact --in-place` refused a file: rewriting it would lose data (see `rewrite`).
    #[error("{}: not rewritten: {reason}", path.display())]
    #[diagnostic(code(hygiene::redact::refused))]
    Rewrite {
        /// The file as given.
        path: PathBuf,
        /// Why, and what to do instead.
        reason: String,
    },
}

/// A malformed `hygiene.toml`.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(hygiene::config::invalid), help("see the README's hygiene.toml section"))]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
}

impl ConfigError {
    /// An error in `text`, the contents of the config file `path`, at `span` if known.
    pub fn new(path: &str, text: &str, message: String, span: Option<SourceSpan>) -> ConfigError {
        ConfigError { path: path.to_string(), message, src: NamedSource::new(path, text.to_string()), span }
    }

    /// Where in the file, if known.
    pub fn span(&self) -> Option<SourceSpan> {
        self.span
    }
}

/// The core's errors keep their variant (and so their message and diagnostic code).
impl From<hygiene_core::Error> for Error {
    fn from(error: hygiene_core::Error) -> Self {
        match error {
            hygiene_core::Error::Rules(e) => Error::Rules(e),
            hygiene_core::Error::Io { path, source } => Error::Io { path, source },
            hygiene_core::Error::Glob { glob, message } => Error::Glob { glob, message },
            hygiene_core::Error::Prefilter(message) => Error::Prefilter(message),
        }
    }
}
