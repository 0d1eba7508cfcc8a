//! Drift for people (an aligned table, warnings, a summary line) and for machines (versioned
//! JSON wire types, dates as `YYYY-MM-DD`), kept apart from the domain types in [`drift`].
use std::collections::BTreeMap;
use std::fmt::Write;

use jiff::civil::Date;
use serde::Serialize;

use super::drift::{self, Basis, DriftRow, Leak, Status};
use super::schedule::Interval;

/// Bumped on any incompatible change to the JSON's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON document of `hygiene drift --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct DriftReport<'a> {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The day the drift was computed for.
    pub today: String,
    /// `fail` when a key needs action (overdue, expired, leaked, never rotated), else `pass`.
    pub status: &'static str,
    /// Keys per status (every status, zeros included).
    pub counts: BTreeMap<&'static str, usize>,
    /// One entry per policy key, in policy order.
    pub keys: Vec<KeyEntry<'a>>,
    /// Names in the rotation log that no policy entry has.
    pub unknown_log_names: Vec<&'a str>,
    /// Why the drift cannot be trusted (log entries dated after `today`): `hygiene drift`
    /// exits 2 and the gate fails with a `rotation_error` per key.
    pub errors: Vec<String>,
}

/// One key on the wire.
#[derive(Debug, Clone, Serialize)]
pub struct KeyEntry<'a> {
    /// The key.
    pub name: &'a str,
    /// `ok`, `due_soon`, `overdue`, `expired`, `never_rotated`, `incident_only`, `leaked`.
    pub status: Status,
    /// Owner, if any.
    pub owner: Option<&'a str>,
    /// Key type, if any.
    pub key_type: Option<&'a str>,
    /// Days between rotations; `null` for incident-only keys.
    pub interval_days: Option<u32>,
    /// `90 days`, `on incident only`.
    pub interval: String,
    /// Grace in hours, as written in the policy.
    pub grace_hours: u32,
    /// Grace in the whole days drift counts.
    pub grace_days: u32,
    /// Last rotation (logged or implied).
    pub last_rotated: Option<String>,
    /// Who did the last logged rotation.
    pub last_rotated_by: Option<&'a str>,
    /// `log` or `next_rotation` (implied: Next Rotation minus the interval).
    pub basis: Option<Basis>,
    /// Days since the last rotation.
    pub age_days: Option<i64>,
    /// First day of the reminder window.
    pub remind_from: Option<String>,
    /// Due date.
    pub due: Option<String>,
    /// Last day of the grace period.
    pub grace_end: Option<String>,
    /// The policy's Next Rotation date and the log's due date, when they disagree.
    pub next_rotation_mismatch: Option<Mismatch>,
    /// Newest failed attempt since the last successful rotation.
    pub last_failed: Option<String>,
    /// Leaks that make the key `leaked`.
    pub leaks: &'a [Leak],
    /// Dates of log entries after `today`: an error for the key (left out of the drift).
    pub future_entries: Vec<String>,
    /// `file:line` of the policy entry.
    pub source: String,
}

/// A disagreement between the policy table and the log.
#[derive(Debug, Clone, Serialize)]
pub struct Mismatch {
    /// The policy's Next Rotation date.
    pub policy: String,
    /// Last logged rotation + interval.
    pub log: String,
}

fn date(d: Option<Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn counts(rows: &[DriftRow]) -> BTreeMap<&'static str, usize> {
    Status::ALL.iter().map(|s| (s.as_str(), rows.iter().filter(|r| r.status == *s).count())).collect()
}

/// The JSON wire form of `rows`.
pub fn report<'a>(rows: &'a [DriftRow], today: Date, unknown_log_names: &[&'a str]) -> DriftReport<'a> {
    DriftReport {
        schema_version: SCHEMA_VERSION,
        today: today.to_string(),
        status: if drift::needs_action(rows) || !drift::errors(rows).is_empty() { "fail" } else { "pass" },
        counts: counts(rows),
        keys: rows
            .iter()
            .map(|r| KeyEntry {
                name: &r.name,
                status: r.status,
                owner: r.owner.as_deref(),
                key_type: r.key_type.as_deref(),
                interval_days: r.interval.days(),
                interval: r.interval.to_string(),
                grace_hours: r.grace.as_hours(),
                grace_days: r.grace.whole_days(),
                last_rotated: date(r.last_rotated),
                last_rotated_by: r.last_rotated_by.as_deref(),
                basis: r.basis,
                age_days: r.age_days,
                remind_from: date(r.remind_from),
                due: date(r.due),
                grace_end: date(r.grace_end),
                next_rotation_mismatch: r
                    .next_rotation_mismatch
                    .map(|(policy, log)| Mismatch { policy: policy.to_string(), log: log.to_string() }),
                last_failed: date(r.last_failed),
                leaks: &r.leaks,
                future_entries: r.future_entries.iter().map(Date::to_string).collect(),
                source: r.source.to_string(),
            })
            .collect(),
        unknown_log_names: unknown_log_names.to_vec(),
        errors: drift::errors(rows),
    }
}

/// Pretty JSON with a trailing newline.
pub fn json(rows: &[DriftRow], today: Date, unknown_log_names: &[&str]) -> String {
    let mut text =
        serde_json::to_string_pretty(&report(rows, today, unknown_log_names)).expect("drift serializes");
    text.push('\n');
    text
}

/// The human table: one line per key, then warnings (Next Rotation mismatches, failed
/// attempts, leaks, unknown log names) and a summary line starting `pass:` or `fail:`.
pub fn human(rows: &[DriftRow], today: Date, unknown_log_names: &[&str]) -> String {
    let dash = || "-".to_string();
    let header = ["KEY", "STATUS", "EVERY", "LAST ROTATED", "AGE", "DUE", "GRACE END", "OWNER"];
    let mut table: Vec<[String; 8]> = vec![header.map(String::from)];
    for r in rows {
        let last = match (r.last_rotated, r.basis) {
            (Some(d), Some(Basis::NextRotation)) => format!("{d}*"),
            (Some(d), _) => d.to_string(),
            (None, _) => dash(),
        };
        table.push([
            r.name.clone(),
            r.status.as_str().to_string(),
            match r.interval {
                Interval::Every(days) => format!("{days}d"),
                Interval::IncidentOnly => "incident".into(),
            },
            last,
            r.age_days.map_or_else(dash, |a| format!("{a}d")),
            date(r.due).unwrap_or_else(dash),
            date(r.grace_end).unwrap_or_else(dash),
            r.owner.clone().unwrap_or_else(dash),
        ]);
    }
    let widths: Vec<usize> =
        (0..8).map(|c| table.iter().map(|row| row[c].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &table {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c == 4 {
                // Right-align the age.
                let _ = write!(line, "{:>w$}  ", cell, w = widths[c]);
            } else {
                let _ = write!(line, "{:w$}  ", cell, w = widths[c]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let mut notes: Vec<String> = drift::errors(rows).into_iter().map(|e| format!("error: {e}")).collect();
    for r in rows {
        for leak in &r.leaks {
            let when = match (leak.known_value, leak.seen_on) {
                (true, _) => " (the current value)".to_string(),
                (false, Some(d)) => format!(" (seen {d})"),
                (false, None) => String::new(),
            };
            notes.push(format!(
                "leaked: {}: {} at {}:{}{when}: rotate the key, record it, redact the leak",
                r.name, leak.rule_id, leak.file, leak.line
            ));
        }
        if let (Some((policy, log)), Some(last)) = (r.next_rotation_mismatch, r.last_rotated) {
            notes.push(format!(
                "warning: {}: the policy's next rotation is {policy}, but the log gives {log} ({last} + {}) [{}]",
                r.name, r.interval, r.source
            ));
        }
        if let Some(failed) = r.last_failed {
            notes
                .push(format!("warning: {}: a rotation failed on {failed} and none succeeded since", r.name));
        }
    }
    for name in unknown_log_names {
        notes.push(format!("warning: the rotation log names `{name}`, which is not in the policy"));
    }
    if rows.iter().any(|r| r.basis == Some(Basis::NextRotation)) {
        notes.push(
            "note: * no rotation logged; implied by the policy's Next Rotation date minus the interval"
                .into(),
        );
    }
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            out.push_str(&note);
            out.push('\n');
        }
    }
    let counts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|s| {
            let n = rows.iter().filter(|r| r.status == *s).count();
            (n > 0).then(|| format!("{n} {}", s.as_str().replace('_', " ")))
        })
        .collect();
    let _ = writeln!(
        out,
        "{}: {} ({} key{} on {today})",
        if drift::needs_action(rows) || !drift::errors(rows).is_empty() { "fail" } else { "pass" },
        if counts.is_empty() { "no keys".to_string() } else { counts.join(", ") },
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
    );
    out
}
