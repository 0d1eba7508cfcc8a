//! A finding: which rule, where, and what may be shown of the secret. It never holds the
//! secret itself, so no report, log line or `Debug` output built from it can leak one.
use crate::rules::Severity;

/// One secret found in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that matched.
    pub rule_id: String,
    /// The rule's description.
    pub description: String,
    /// The rule's severity.
    pub severity: Severity,
    /// The file, relative to the scan root, `/`-separated.
    pub file: String,
    /// 1-based line where the secret starts.
    pub line: u64,
    /// 1-based column (characters) where the secret starts.
    pub column: u64,
    /// 1-based line where the secret ends (private keys span lines).
    pub end_line: u64,
    /// `****` plus the last 4 characters (or `****` alone for short values).
    pub masked: String,
    /// Keyed fingerprint of rule and secret: stable across runs and line moves.
    pub fingerprint: String,
}
