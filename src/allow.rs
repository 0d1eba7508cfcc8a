//! Accepted findings: inline markers on the line (`hygiene:allow`, and the peers'
//! `gitleaks:allow` and `pragma: allowlist secret` so migrating repositories keep working),
//! and path/rule allowlists from `hygiene.toml`, each with a required reason. Suppressed
//! findings are counted in the report, never silently dropped.
use globset::GlobSet;
use serde::Deserialize;

use crate::findings::Finding;

/// Markers that suppress a finding on their own line.
pub const SAME_LINE_MARKERS: &[&str] = &["hygiene:allow", "gitleaks:allow", "pragma: allowlist secret"];
/// Markers that suppress a finding on the next line.
pub const NEXT_LINE_MARKERS: &[&str] = &["hygiene:allow-next-line", "pragma: allowlist nextline secret"];

/// Whether `line` (or `previous`, the line before it) carries an allow marker.
pub fn inline_allowed(line: &[u8], previous: Option<&[u8]>) -> bool {
    // Every marker contains "allow": one prebuilt search settles the usual case (no marker),
    // instead of building a searcher per marker per finding.
    static ALLOW: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("allow"));
    if ALLOW.find(line).is_none() && previous.is_none_or(|p| ALLOW.find(p).is_none()) {
        return false;
    }
    let has = |text: &[u8], markers: &[&str]| {
        markers.iter().any(|m| memchr::memmem::find(text, m.as_bytes()).is_some())
    };
    has_same_line_marker(line) || previous.is_some_and(|p| has(p, NEXT_LINE_MARKERS))
}

/// A same-line marker; `hygiene:allow-next-line` contains `hygiene:allow` but is not one.
fn has_same_line_marker(line: &[u8]) -> bool {
    memchr::memmem::find_iter(line, b"hygiene:allow")
        .any(|at| !line[at..].starts_with(b"hygiene:allow-next-line"))
        || memchr::memmem::find(line, b"gitleaks:allow").is_some()
        || memchr::memmem::find(line, b"pragma: allowlist secret").is_some()
}

/// One `[[allow]]` entry of `hygiene.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    /// Path globs (relative to the root); empty means every path.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Rule id globs (`generic.*`); empty means every rule.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Why this is acceptable. Required: an allowlist without a reason is a finding waiting
    /// to be forgotten.
    pub reason: String,
}

/// Compiled allowlist entries.
#[derive(Debug, Default)]
pub struct Allowlist {
    entries: Vec<(Option<GlobSet>, Option<GlobSet>)>,
}

impl Allowlist {
    /// Compiles entries; an empty reason or an entry naming neither paths nor rules is an error.
    pub fn new(entries: &[AllowEntry]) -> Result<Allowlist, crate::Error> {
        let mut compiled = Vec::new();
        for entry in entries {
            if entry.reason.trim().is_empty() {
                return Err(crate::Error::Allowlist("an [[allow]] entry has an empty `reason`".into()));
            }
            if entry.paths.is_empty() && entry.rules.is_empty() {
                return Err(crate::Error::Allowlist(format!(
                    "the [[allow]] entry \"{}\" names no `paths` and no `rules`: it would allow everything",
                    entry.reason
                )));
            }
            let paths = (!entry.paths.is_empty()).then(|| crate::walk::glob_set(&entry.paths)).transpose()?;
            let rules = (!entry.rules.is_empty()).then(|| crate::walk::glob_set(&entry.rules)).transpose()?;
            compiled.push((paths, rules));
        }
        Ok(Allowlist { entries: compiled })
    }

    /// Whether an entry accepts this finding (its path and its rule both match).
    pub fn allows(&self, finding: &Finding) -> bool {
        self.entries.iter().any(|(paths, rules)| {
            paths.as_ref().is_none_or(|p| p.is_match(&finding.file))
                && rules.as_ref().is_none_or(|r| r.is_match(&finding.rule_id))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markers() {
        assert!(inline_allowed(b"TOKEN=abc # hygiene:allow", None));
        assert!(inline_allowed(b"TOKEN=abc # gitleaks:allow", None));
        assert!(inline_allowed(b"TOKEN=abc  # pragma: allowlist secret", None));
        assert!(!inline_allowed(b"TOKEN=abc", None));
        assert!(inline_allowed(b"TOKEN=abc", Some(b"# hygiene:allow-next-line")));
        assert!(inline_allowed(b"TOKEN=abc", Some(b"# pragma: allowlist nextline secret")));
        assert!(!inline_allowed(b"# hygiene:allow-next-line TOKEN=abc", None));
        assert!(!inline_allowed(b"TOKEN=abc", Some(b"# hygiene:allow")));
    }
}
