//! The baseline: findings a team accepted once (adopting the tool on an old repository) so
//! that later scans fail only on new ones.
//!
//! Entries are keyed by fingerprint (rule + secret, keyed hash), not by line, so moving a line
//! or editing the file above it keeps the entry. The file is JSON with one entry per line,
//! sorted, and a fixed last line, so that with git's `merge=union` (which `baseline create`
//! sets in `.gitattributes`) two branches adding entries merge without conflict and the result
//! is still valid JSON.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::findings::Finding;

/// The baseline's file name, at the scan root.
pub const BASELINE_FILE: &str = ".hygiene-baseline.json";
/// The `.gitattributes` line that makes concurrent additions merge cleanly.
pub const GITATTRIBUTES_LINE: &str = "/.hygiene-baseline.json merge=union";

const HEADER: &str = "{\"hygiene_baseline\": 1, \"entries\": [";
const FOOTER: &str = "{\"end\": true}]}";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The finding's fingerprint (the key).
    pub fingerprint: String,
    /// The rule that found it.
    pub rule_id: String,
    /// Where it was when accepted (informational: moves do not matter).
    pub file: String,
    /// The masked value, so a reviewer can tell entries apart.
    pub masked: String,
}

/// Accepted findings by fingerprint.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
struct Document {
    hygiene_baseline: u32,
    entries: Vec<serde_json::Value>,
}

impl Baseline {
    /// A baseline accepting every finding given.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let entries = findings
            .iter()
            .map(|f| {
                let entry = Entry {
                    fingerprint: f.fingerprint.clone(),
                    rule_id: f.rule_id.clone(),
                    file: f.file.clone(),
                    masked: f.masked.clone(),
                };
                (f.fingerprint.clone(), entry)
            })
            .collect();
        Baseline { entries }
    }

    /// Parses a baseline file (duplicates, as a union merge may leave, are fine).
    pub fn parse(name: &str, text: &str) -> Result<Baseline, crate::Error> {
        let bad = |message: String| crate::Error::Baseline { path: name.to_string(), message };
        let doc: Document = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if doc.hygiene_baseline != 1 {
            return Err(bad(format!("unsupported baseline version {}", doc.hygiene_baseline)));
        }
        let mut entries = BTreeMap::new();
        for value in doc.entries {
            if value.get("end").is_some() {
                continue;
            }
            let entry: Entry = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            entries.insert(entry.fingerprint.clone(), entry);
        }
        Ok(Baseline { entries })
    }

    /// The file's text: one entry per line, sorted by fingerprint.
    pub fn render(&self) -> String {
        let mut text = String::from(HEADER);
        text.push('\n');
        for entry in self.entries.values() {
            text.push_str(&serde_json::to_string(entry).expect("entries serialize"));
            text.push_str(",\n");
        }
        text.push_str(FOOTER);
        text.push('\n');
        text
    }

    /// Whether the finding was accepted.
    pub fn contains(&self, finding: &Finding) -> bool {
        self.entries.contains_key(&finding.fingerprint)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops entries whose fingerprint none of `current` has; returns how many went.
    pub fn prune(&mut self, current: &[Finding]) -> usize {
        let before = self.entries.len();
        let live: std::collections::HashSet<&str> = current.iter().map(|f| f.fingerprint.as_str()).collect();
        self.entries.retain(|fingerprint, _| live.contains(fingerprint.as_str()));
        before - self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(fp: &str, file: &str) -> Finding {
        Finding {
            rule_id: "github.pat-classic".into(),
            description: "d".into(),
            severity: crate::rules::Severity::High,
            file: file.into(),
            line: 3,
            column: 1,
            end_line: 3,
            masked: "****ABCD".into(),
            fingerprint: fp.into(),
            names: Vec::new(),
            seen_on: None,
            decoded: None,
        }
    }

    #[test]
    fn round_trip_sorted_one_per_line() {
        let b = Baseline::from_findings(&[finding("bb", "x.md"), finding("aa", "y.md")]);
        let text = b.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].contains("\"aa\"") && lines[2].contains("\"bb\""));
        assert_eq!(Baseline::parse("b", &text).unwrap(), b);
        assert!(b.contains(&finding("aa", "moved.md")));
        assert!(!b.contains(&finding("cc", "x.md")));
    }

    #[test]
    fn union_merged_text_parses() {
        let base = Baseline::from_findings(&[finding("mm", "x.md")]).render();
        // What git's union merge produces when both sides added a line (and one twice).
        let merged = base.replacen(
            "{\"end\"",
            "{\"fingerprint\":\"aa\",\"rule_id\":\"r\",\"file\":\"f\",\"masked\":\"****\"},\n{\"fingerprint\":\"zz\",\"rule_id\":\"r\",\"file\":\"f\",\"masked\":\"****\"},\n{\"fingerprint\":\"aa\",\"rule_id\":\"r\",\"file\":\"f\",\"masked\":\"****\"},\n{\"end\"",
            1,
        );
        assert_eq!(Baseline::parse("b", &merged).unwrap().len(), 3);
    }

    #[test]
    fn prune_drops_what_no_longer_occurs() {
        let mut b = Baseline::from_findings(&[finding("aa", "x"), finding("bb", "y")]);
        assert_eq!(b.prune(&[finding("bb", "z")]), 1);
        assert_eq!(b.len(), 1);
    }
}
