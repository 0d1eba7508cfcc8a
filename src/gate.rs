//! The release gate: the verdict from a scan and the rotation drift, with every reason that
//! blocks. It fails closed: a scan error, a policy the config names but that cannot be read,
//! or an unreadable rotation log is a fail with a reason, never a pass.
use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::report::{GateSection, ReasonEntry, Status as ReportStatus};
use crate::rotation::drift::{BlockingSet, DriftRow, Status};
use crate::rotation::render;
use crate::scan::ScanOutcome;

pub use crate::rotation::leaks::{known_values, KnownValue};

/// The `[gate]` table of `hygiene.toml`.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GateConfig {
    /// Rotation statuses that block (default `expired`, `leaked`).
    #[serde(default)]
    pub block: Option<BlockingSet>,
    /// Fail when no rotation policy is configured at all (default false: the gate then
    /// checks the scan only and says so).
    #[serde(default)]
    pub require_policy: bool,
    /// A scope that matched no file only warns (default false: it fails the gate, since a
    /// typo in a scope or the wrong root would otherwise check nothing and pass).
    #[serde(default)]
    pub allow_empty_scope: bool,
}

/// What the rotation check produced.
#[derive(Debug)]
pub enum Rotation {
    /// No policy anywhere (no `--policy`, no `[rotation]` policy).
    NotConfigured,
    /// The policy or log could not be read or parsed: a fail.
    Failed(String),
    /// The drift of every key.
    Drift {
        /// One row per policy key.
        rows: Vec<DriftRow>,
        /// Names in the log that no policy entry has (a warning).
        unknown_log_names: Vec<String>,
        /// Other warnings about the inputs (the default log does not exist yet).
        warnings: Vec<String>,
    },
}

/// One reason the gate blocks (or an error that made it fail closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// `findings`, `scan_error`, `empty_scope`, `rotation` (a key's status blocks),
    /// `rotation_error`, `no_policy`.
    pub kind: String,
    /// A sentence for people.
    pub message: String,
}

/// The gate's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Nothing blocks.
    pub pass: bool,
    /// Every blocking reason.
    pub reasons: Vec<Reason>,
    /// Warnings (due_soon, overdue within grace, Next Rotation mismatches, unknown log names).
    pub warnings: Vec<String>,
    /// A reason is an error (unreadable input) rather than a finding: exit code 2.
    pub errored: bool,
}

/// The verdict over a scan and the rotation drift.
pub fn evaluate(outcome: &ScanOutcome, rotation: &Rotation, config: &GateConfig) -> Verdict {
    let mut reasons = Vec::new();
    let mut warnings = Vec::new();
    let mut errored = false;
    let not_listed: u64 = outcome.stats.not_listed.values().sum();
    if !outcome.findings.is_empty() || not_listed > 0 {
        let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &outcome.findings {
            *by_rule.entry(f.rule_id.as_str()).or_default() += 1;
        }
        let list: Vec<String> = by_rule.iter().map(|(rule, n)| format!("{rule} ×{n}")).collect();
        let more =
            if not_listed > 0 { format!(" (and {not_listed} more not listed)") } else { String::new() };
        reasons.push(Reason {
            kind: "findings".into(),
            message: format!("{} secret(s) found{more}: {}", outcome.findings.len(), list.join(", ")),
        });
    }
    for e in &outcome.errors {
        reasons.push(Reason { kind: "scan_error".into(), message: format!("{}: {}", e.path, e.message) });
        errored = true;
    }
    for scope in &outcome.empty_scopes {
        let message = format!("scope `{scope}` matched no file");
        if config.allow_empty_scope {
            warnings.push(message);
        } else {
            reasons.push(Reason {
                kind: "empty_scope".into(),
                message: format!("{message} (a typo or the wrong root checks nothing; pass --allow-empty-scope if it may be empty)"),
            });
            errored = true;
        }
    }
    let blocking = config.block.clone().unwrap_or_default();
    match rotation {
        Rotation::NotConfigured if config.require_policy => {
            reasons.push(Reason {
                kind: "no_policy".into(),
                message: "no rotation policy is configured, and [gate] require_policy is set".into(),
            });
        }
        Rotation::NotConfigured => {
            warnings.push("no rotation policy configured: rotation drift not checked".into())
        }
        Rotation::Failed(message) => {
            reasons.push(Reason { kind: "rotation_error".into(), message: message.clone() });
            errored = true;
        }
        Rotation::Drift { rows, unknown_log_names, warnings: input_warnings } => {
            warnings.extend(input_warnings.iter().cloned());
            for row in rows {
                if let Some(error) = row.error() {
                    reasons.push(Reason { kind: "rotation_error".into(), message: error });
                    errored = true;
                }
                if row.blocks(&blocking) {
                    reasons.push(Reason { kind: "rotation".into(), message: describe(row) });
                } else if matches!(row.status, Status::DueSoon | Status::Overdue | Status::NeverRotated) {
                    warnings.push(describe(row));
                }
                if let Some((table, computed)) = row.next_rotation_mismatch {
                    warnings.push(format!(
                        "{}: the policy table says Next Rotation {table}, the log implies {computed}",
                        row.name
                    ));
                }
            }
            for name in unknown_log_names {
                warnings.push(format!("{name}: in the rotation log but not in the policy"));
            }
        }
    }
    Verdict { pass: reasons.is_empty(), reasons, warnings, errored }
}

/// The report's `gate` section.
pub fn section(verdict: &Verdict, outcome: &ScanOutcome, rotation: &Rotation, now: Date) -> GateSection {
    let mut findings_by_rule = BTreeMap::new();
    for f in &outcome.findings {
        *findings_by_rule.entry(f.rule_id.clone()).or_default() += 1;
    }
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut document = None;
    if let Rotation::Drift { rows, unknown_log_names, .. } = rotation {
        for row in rows {
            keys.entry(row.status.as_str().to_string()).or_default().push(row.name.clone());
        }
        let names: Vec<&str> = unknown_log_names.iter().map(String::as_str).collect();
        document = serde_json::from_str(&render::json(rows, now, &names)).ok();
    }
    GateSection {
        verdict: if verdict.pass { ReportStatus::Pass } else { ReportStatus::Fail },
        now: now.to_string(),
        reasons: verdict
            .reasons
            .iter()
            .map(|r| ReasonEntry { kind: r.kind.clone(), message: r.message.clone() })
            .collect(),
        warnings: verdict.warnings.clone(),
        findings_by_rule,
        keys,
        rotation: document,
    }
}

fn describe(row: &DriftRow) -> String {
    let when = |d: Option<Date>| d.map_or_else(|| "never".to_string(), |d| d.to_string());
    match row.status {
        Status::Leaked => {
            let places: Vec<String> = row.leaks.iter().map(|l| format!("{}:{}", l.file, l.line)).collect();
            format!(
                "{} leaked after its last rotation ({}): {}",
                row.name,
                when(row.last_rotated),
                places.join(", ")
            )
        }
        Status::Expired => format!(
            "{} expired: due {}, grace ended {}, last rotated {}",
            row.name,
            when(row.due),
            when(row.grace_end),
            when(row.last_rotated)
        ),
        Status::Overdue => {
            format!("{} overdue: due {}, grace ends {}", row.name, when(row.due), when(row.grace_end))
        }
        Status::DueSoon => format!("{} due soon: due {}", row.name, when(row.due)),
        Status::NeverRotated => format!("{} has no rotation on record", row.name),
        Status::Ok | Status::IncidentOnly => format!("{} {}", row.name, row.status.as_str()),
    }
}
