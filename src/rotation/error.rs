//! Errors of the rotation module: a [`Problem`] points into the policy table, `hygiene.toml`,
//! the rotation log or a CSV export (source, labelled span, help line, stable code); every
//! problem found in one file is reported at once, the first with the others as related
//! diagnostics.
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

/// A failure that stops a rotation command (exit code 2).
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum RotationError {
    /// A policy table, config entry, log line or CSV row is malformed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] Problem),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    #[diagnostic(code(hygiene::rotation::io))]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The rotation log that `[rotation] log` or `--log` names does not exist.
    #[error("{}: the configured rotation log does not exist", path.display())]
    #[diagnostic(
        code(hygiene::rotation::missing_log),
        help("fix the path in [rotation] log (or --log), or create the log with `hygiene rotation record`; without it every key's last rotation would fall back to the policy table's dates")
    )]
    MissingLog {
        /// The file.
        path: PathBuf,
    },
    /// No policy is configured at all.
    #[error("no rotation policy: neither a policy table nor [[rotation.policy]] entries are configured")]
    #[diagnostic(
        code(hygiene::rotation::no_policy),
        help("set `policy_file = \"docs/key-rotation-policy.md\"` under [rotation] in hygiene.toml, pass --policy FILE, or add [[rotation.policy]] entries")
    )]
    NoPolicy,
}

/// Stable diagnostic codes.
pub mod codes {
    /// The markdown file has no table with a name and a frequency column.
    pub const NO_POLICY_TABLE: &str = "hygiene::rotation::no_policy_table";
    /// A policy table with a header but no rows (they were cut off, or a blank line split
    /// them from the header).
    pub const EMPTY_TABLE: &str = "hygiene::rotation::empty_table";
    /// A line that looks like a row of the policy table above it but is not part of any table.
    pub const STRAY_ROW: &str = "hygiene::rotation::stray_row";
    /// The configured policy (table and `[[rotation.policy]]` entries) lists no key at all.
    pub const NO_KEYS: &str = "hygiene::rotation::no_keys";
    /// A body row has fewer cells than the header, or a required cell is empty.
    pub const MISSING_CELL: &str = "hygiene::rotation::missing_cell";
    /// A frequency that is not understood.
    pub const BAD_FREQUENCY: &str = "hygiene::rotation::bad_frequency";
    /// A grace period that is not understood.
    pub const BAD_GRACE: &str = "hygiene::rotation::bad_grace";
    /// A date that is not `YYYY-MM-DD`.
    pub const BAD_DATE: &str = "hygiene::rotation::bad_date";
    /// A row with more cells than the header.
    pub const EXTRA_CELL: &str = "hygiene::rotation::extra_cell";
    /// The same key listed twice in one source.
    pub const DUPLICATE_KEY: &str = "hygiene::rotation::duplicate_key";
    /// A `key_type` with no defaults.
    pub const UNKNOWN_KEY_TYPE: &str = "hygiene::rotation::unknown_key_type";
    /// An entry with no frequency and no key type to inherit one from.
    pub const NO_INTERVAL: &str = "hygiene::rotation::no_interval";
    /// A rotation-log line that is not a valid entry.
    pub const BAD_LOG_LINE: &str = "hygiene::rotation::bad_log_line";
    /// A CSV export that cannot be imported.
    pub const BAD_CSV: &str = "hygiene::rotation::bad_csv";
}

/// One problem in one file, pointing at the offending span. (Boxed: errors stay one pointer wide.)
#[derive(Clone)]
pub struct Problem(Box<Inner>);

#[derive(Clone)]
struct Inner {
    code: &'static str,
    message: String,
    file: String,
    line: Option<u64>,
    src: Option<NamedSource<String>>,
    label: Option<(Range<usize>, String)>,
    help: Option<String>,
    related: Vec<Problem>,
}

impl Problem {
    /// A problem at `span` of `text` (the whole file named `file`).
    pub(crate) fn at(
        code: &'static str,
        file: &str,
        text: &str,
        span: Range<usize>,
        label: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        let line =
            text.as_bytes()[..span.start.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        Problem(Box::new(Inner {
            code,
            message: message.into(),
            file: file.to_string(),
            line: Some(line),
            src: Some(NamedSource::new(file, text.to_string())),
            label: Some((span, label.into())),
            help: None,
            related: Vec::new(),
        }))
    }

    /// A problem with a file but no span.
    pub(crate) fn in_file(code: &'static str, file: &str, message: impl Into<String>) -> Problem {
        Problem(Box::new(Inner {
            code,
            message: message.into(),
            file: file.to_string(),
            line: None,
            src: None,
            label: None,
            help: None,
            related: Vec::new(),
        }))
    }

    /// Adds the help line.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.0.help = Some(help.into());
        self
    }

    /// One diagnostic for many problems: the first, with the rest as related diagnostics.
    /// `None` when there are none.
    pub(crate) fn combine(mut problems: Vec<Problem>) -> Option<Problem> {
        if problems.is_empty() {
            return None;
        }
        let mut first = problems.remove(0);
        first.0.related.extend(problems);
        Some(first)
    }

    /// The stable code, e.g. `hygiene::rotation::bad_frequency`.
    pub fn code_name(&self) -> &'static str {
        self.0.code
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The file.
    pub fn file(&self) -> &str {
        &self.0.file
    }

    /// The 1-based line, when the problem points at one.
    pub fn line(&self) -> Option<u64> {
        self.0.line
    }

    /// Further problems found in the same pass.
    pub fn others(&self) -> &[Problem] {
        &self.0.related
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.line {
            Some(line) => write!(f, "{}:{line}: {}", self.0.file, self.0.message),
            None => write!(f, "{}: {}", self.0.file, self.0.message),
        }
    }
}

/// `Debug` is the one-line `Display` (a problem's source is a policy or log file, which holds
/// names, never values, but there is no reason to dump it).
impl fmt::Debug for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Problem")
            .field("code", &self.0.code)
            .field("at", &self.to_string())
            .field("related", &self.0.related.len())
            .finish()
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.0.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.src.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (span, label) = self.0.label.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(Some(label.clone()), span.clone()))))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.0.related.is_empty() {
            return None;
        }
        Some(Box::new(self.0.related.iter().map(|p| p as &dyn Diagnostic)))
    }
}
