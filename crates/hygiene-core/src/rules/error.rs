//! The diagnostic for a broken rule file: which file, where in it, and how to fix it.
use std::ops::Range;

use miette::{Diagnostic, NamedSource, SourceSpan};

/// A rule-pack file that cannot be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}: {message}")]
#[diagnostic(code(hygiene::rules::invalid))]
pub struct RuleFileError {
    /// The file name or path.
    pub file: String,
    /// What is wrong.
    pub message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
    #[help]
    help: Option<String>,
}

impl RuleFileError {
    pub(crate) fn at(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        message: String,
        help: String,
    ) -> Self {
        RuleFileError {
            file: file.to_string(),
            message,
            src: NamedSource::new(file, text.to_string()),
            span: span.map(SourceSpan::from),
            help: Some(help),
        }
    }

    pub(crate) fn toml(file: &str, text: &str, err: &toml::de::Error) -> Self {
        Self::at(
            file,
            text,
            err.span(),
            err.message().to_string(),
            "see rules/FORMAT.md for the rule-pack format".into(),
        )
    }
}
