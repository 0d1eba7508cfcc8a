//! The core's error type: what can stop building rules, a detector or a redactor.
use std::path::PathBuf;

use miette::Diagnostic;

/// A failure building rules, a [`crate::detect::Detector`] or a [`crate::redact::Redactor`].
/// Its messages name files, globs and rule packs, never a scanned or known value.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum Error {
    /// A rule pack is malformed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Rules(#[from] crate::rules::RuleFileError),
    /// Reading a file failed.
    #[error("{path}: {source}")]
    #[diagnostic(code(hygiene::io))]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A glob is invalid.
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
}
