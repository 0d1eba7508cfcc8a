//! Leak attribution: which policy key a finding leaked, one way for the gate (findings of the
//! scan it just ran) and for `hygiene drift --report` (findings of a written report, read
//! through its serde types).
use jiff::civil::Date;

use super::drift::{self, Leak};
use super::policy::PolicyEntry;
use crate::findings::Finding;
use crate::fingerprint::Fingerprinter;
use crate::report::{FindingEntry, Report};
use crate::rules::RuleSet;

/// A credential value the caller holds (from its environment), used only to recognise a
/// leaked current value. Never stored or printed.
#[derive(Clone)]
pub struct KnownValue {
    /// The variable it came from (`BOT1_BITGET_SECRET`): what the leak is attributed to.
    pub name: String,
    /// The value.
    pub value: String,
}

impl std::fmt::Debug for KnownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KnownValue {{ name: {:?}, value: <hidden> }}", self.name)
    }
}

/// The values of the environment variables whose names match any of `globs` (compiled as
/// every glob is, [`hygiene_core::glob::set`]: the same names `hygiene redact --env` matches),
/// empty values left out. The caller passes the environment in.
pub fn known_values(
    globs: &[String],
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<KnownValue>, crate::Error> {
    if globs.is_empty() {
        return Ok(Vec::new());
    }
    let set = hygiene_core::glob::set(globs)?;
    Ok(env
        .into_iter()
        .filter(|(name, value)| set.is_match(name) && !value.is_empty())
        .map(|(name, value)| KnownValue { name, value })
        .collect())
}

/// A finding as attribution sees it: from a scan ([`Finding`]) or from a report
/// ([`FindingEntry`], which carries no names and no date).
#[derive(Debug, Clone, Copy)]
pub struct Sighting<'a> {
    /// The rule that found it.
    pub rule_id: &'a str,
    /// Where (relative to the root).
    pub file: &'a str,
    /// 1-based line.
    pub line: u64,
    /// Its keyed fingerprint.
    pub fingerprint: &'a str,
    /// Names written before the secret, nearest first.
    pub names: &'a [String],
    /// When it was seen, if known.
    pub seen_on: Option<Date>,
}

impl<'a> From<&'a Finding> for Sighting<'a> {
    fn from(f: &'a Finding) -> Self {
        Sighting {
            rule_id: &f.rule_id,
            file: &f.file,
            line: f.line,
            fingerprint: &f.fingerprint,
            names: &f.names,
            seen_on: f.seen_on,
        }
    }
}

impl<'a> From<&'a FindingEntry> for Sighting<'a> {
    fn from(f: &'a FindingEntry) -> Self {
        Sighting {
            rule_id: &f.rule_id,
            file: &f.file,
            line: f.line,
            fingerprint: &f.fingerprint,
            names: &[],
            seen_on: None,
        }
    }
}

/// Attributes each sighting to a policy key: by a known value's variable (the value is the
/// key's current one; compared by keyed fingerprint, so the value is never kept), by a name
/// written before the secret, or by the rule's provider ([`drift::attribute_rule`]). `known`
/// pairs the values with the key the sightings' fingerprints were made with.
pub fn attribute_leaks<'a>(
    sightings: impl IntoIterator<Item = Sighting<'a>>,
    policy: &[PolicyEntry],
    known: Option<(&[KnownValue], &Fingerprinter)>,
    rules: &RuleSet,
) -> Vec<Leak> {
    let mut leaks = Vec::new();
    for sighting in sightings {
        let known_entry = known.and_then(|(values, fingerprinter)| {
            values
                .iter()
                .find(|k| {
                    fingerprinter.fingerprint(sighting.rule_id, k.value.as_bytes()) == sighting.fingerprint
                })
                .and_then(|k| drift::attribute(&k.name, policy))
        });
        let entry = known_entry
            .or_else(|| sighting.names.iter().find_map(|name| drift::attribute(name, policy)))
            .or_else(|| {
                drift::attribute_rule(sighting.rule_id, &rules.env_prefixes(sighting.rule_id), policy)
            });
        if let Some(entry) = entry {
            leaks.push(Leak {
                secret_name: entry.name.clone(),
                rule_id: sighting.rule_id.to_string(),
                file: sighting.file.to_string(),
                line: sighting.line,
                seen_on: sighting.seen_on,
                known_value: known_entry.is_some(),
            });
        }
    }
    leaks
}

/// The findings of a scan report attributed to policy keys. A finding in the current report
/// is still in the repository, so it has no date: it marks its key leaked until it is
/// redacted. The report carries neither names nor values, so attribution is by rule.
pub fn leaks_from_report(report: &Report, policy: &[PolicyEntry], rules: &RuleSet) -> Vec<Leak> {
    attribute_leaks(report.findings.iter().map(Sighting::from), policy, None, rules)
}
