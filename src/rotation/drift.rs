//! Drift: where every key of the policy stands on a given day, from the rotation log, the
//! policy table's "Next Rotation" dates and the leaks the scanner found.
//!
//! For a key rotated every N days whose last rotation is L (dates, UTC):
//!
//! | status | rule |
//! | --- | --- |
//! | `leaked` | a leak names the key and (its value is known to be current, or it has no date, or it was seen on or after the last *logged* rotation); beats every other status |
//! | `incident_only` | the key has no schedule |
//! | `never_rotated` | no successful rotation in the log and no Next Rotation date in the policy |
//! | `ok` | today < due − the largest reminder |
//! | `due_soon` | due − the largest reminder ≤ today ≤ due (due = L + N days) |
//! | `overdue` | due < today ≤ due + grace (grace in whole days, hours rounded up) |
//! | `expired` | today > due + grace |
//!
//! Without a logged rotation, a Next Rotation date D in the policy implies L = D − N days.
use std::collections::BTreeSet;

use jiff::civil::Date;
use jiff::Span;
use serde::{Deserialize, Serialize};

use super::log::{self, LogEntry, RotationStatus};
use super::policy::{PolicyEntry, Source};
use super::schedule::{Grace, Interval};

/// A key's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Rotated recently enough.
    Ok,
    /// Inside the reminder window: rotate before the due date.
    DueSoon,
    /// Past the due date, inside the grace period.
    Overdue,
    /// Past the due date and the grace period.
    Expired,
    /// Scheduled, but no rotation on record and no Next Rotation date to go by.
    NeverRotated,
    /// No schedule: rotated on incident only.
    IncidentOnly,
    /// A leak of the key's current value: rotate now.
    Leaked,
}

impl Status {
    /// The snake_case name (`due_soon`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::DueSoon => "due_soon",
            Status::Overdue => "overdue",
            Status::Expired => "expired",
            Status::NeverRotated => "never_rotated",
            Status::IncidentOnly => "incident_only",
            Status::Leaked => "leaked",
        }
    }

    /// Whether `hygiene drift` fails (exit 1) on it: `overdue`, `expired`, `leaked`,
    /// `never_rotated`. `due_soon` only warns.
    pub fn needs_action(self) -> bool {
        matches!(self, Status::Overdue | Status::Expired | Status::Leaked | Status::NeverRotated)
    }

    /// Every status, in severity order (most urgent first).
    pub const ALL: [Status; 7] = [
        Status::Leaked,
        Status::Expired,
        Status::Overdue,
        Status::NeverRotated,
        Status::DueSoon,
        Status::IncidentOnly,
        Status::Ok,
    ];
}

/// The statuses that block a release (`[gate] block = ["expired", "leaked"]`); default
/// `expired` and `leaked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BlockingSet(pub BTreeSet<Status>);

impl Default for BlockingSet {
    fn default() -> Self {
        BlockingSet([Status::Expired, Status::Leaked].into_iter().collect())
    }
}

impl BlockingSet {
    /// Whether `status` blocks.
    pub fn contains(&self, status: Status) -> bool {
        self.0.contains(&status)
    }
}

/// A leaked credential attributed to a policy key (by the caller, e.g. with [`attribute`] or
/// [`attribute_rule`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leak {
    /// The policy key it belongs to.
    pub secret_name: String,
    /// The rule that found it.
    pub rule_id: String,
    /// Where (relative to the root).
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// When it was seen (e.g. the date of the log line), if known.
    #[serde(serialize_with = "ser_opt_date")]
    pub seen_on: Option<Date>,
    /// The leaked value is known to be the key's current value.
    pub known_value: bool,
}

/// What the last rotation date is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The newest successful rotation in the log.
    Log,
    /// The policy's Next Rotation date minus the interval (no rotation logged).
    NextRotation,
}

/// One key's drift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftRow {
    /// The key, as the policy names it.
    pub name: String,
    /// Who rotates it.
    pub owner: Option<String>,
    /// Its key type, if any.
    pub key_type: Option<String>,
    /// How often it must be rotated.
    pub interval: Interval,
    /// Grace after the due date.
    pub grace: Grace,
    /// The last rotation: logged, or implied by the Next Rotation date (see `basis`).
    pub last_rotated: Option<Date>,
    /// Who did the last logged rotation.
    pub last_rotated_by: Option<String>,
    /// Where `last_rotated` comes from.
    pub basis: Option<Basis>,
    /// Days from `last_rotated` to today.
    pub age_days: Option<i64>,
    /// First day of the reminder window.
    pub remind_from: Option<Date>,
    /// `last_rotated` + interval.
    pub due: Option<Date>,
    /// `due` + grace (whole days): the last day the key may stay in use.
    pub grace_end: Option<Date>,
    /// The standing.
    pub status: Status,
    /// (the policy's Next Rotation date, the due date from the log) when they disagree.
    pub next_rotation_mismatch: Option<(Date, Date)>,
    /// The newest failed attempt after the last successful rotation.
    pub last_failed: Option<Date>,
    /// Leaks that make the key `leaked`.
    pub leaks: Vec<Leak>,
    /// Dates of the key's log entries that lie after `today` (a typo such as 2062 for 2026).
    /// Such an entry is not evidence of anything: it is left out of the computation, and the
    /// key is in error ([`DriftRow::error`]) until the log is fixed.
    pub future_entries: Vec<Date>,
    /// The day the drift was computed for.
    pub today: Date,
    /// Where the policy entry was written.
    pub source: Source,
}

impl DriftRow {
    /// Whether this row blocks a release under `blocking`.
    pub fn blocks(&self, blocking: &BlockingSet) -> bool {
        blocking.contains(self.status)
    }

    /// What makes this key's drift untrustworthy (an error, whatever its status): log entries
    /// dated after the day drift is computed for.
    pub fn error(&self) -> Option<String> {
        if self.future_entries.is_empty() {
            return None;
        }
        let dates: Vec<String> = self.future_entries.iter().map(Date::to_string).collect();
        Some(format!(
            "{}: the rotation log has {} dated after {} ({}): fix the date; a rotation cannot have happened yet",
            self.name,
            if dates.len() == 1 { "an entry" } else { "entries" },
            self.today,
            dates.join(", ")
        ))
    }
}

fn plus_days(date: Date, days: i64) -> Date {
    date.saturating_add(Span::new().days(days))
}

/// The drift of every policy entry on `today`, in policy order. `reminders` are lead times in
/// days before the due date (the largest opens the `due_soon` window; none: only the due date
/// itself).
pub fn compute(
    policy: &[PolicyEntry],
    log: &[LogEntry],
    leaks: &[Leak],
    today: Date,
    reminders: &[u32],
) -> Vec<DriftRow> {
    let lead = i64::from(reminders.iter().copied().max().unwrap_or(0));
    policy
        .iter()
        .map(|entry| {
            // An entry dated after today is an error for its key, never evidence.
            let future_entries: Vec<Date> = log
                .iter()
                .filter(|e| entry.is_named(&e.secret_name) && e.rotation_date > today)
                .map(|e| e.rotation_date)
                .collect();
            let past: Vec<LogEntry>;
            let log = if future_entries.is_empty() {
                log
            } else {
                past = log.iter().filter(|e| e.rotation_date <= today).cloned().collect();
                &past[..]
            };
            let logged = log::last_success(log, &entry.name);
            let (last_rotated, basis) = match (logged, entry.interval, entry.next_rotation) {
                (Some(e), _, _) => (Some(e.rotation_date), Some(Basis::Log)),
                (None, Interval::Every(days), Some(next)) => {
                    (Some(plus_days(next, -i64::from(days))), Some(Basis::NextRotation))
                }
                _ => (None, None),
            };
            let last_failed = log
                .iter()
                .filter(|e| e.status == RotationStatus::Failed && entry.is_named(&e.secret_name))
                .filter(|e| {
                    logged.is_none_or(|s| (e.rotation_date, e.rotated_at) > (s.rotation_date, s.rotated_at))
                })
                .map(|e| e.rotation_date)
                .max();
            let age_days = last_rotated.map(|l| (today - l).get_days() as i64);
            let mut row = DriftRow {
                name: entry.name.clone(),
                owner: entry.owner.clone(),
                key_type: entry.key_type.clone(),
                interval: entry.interval,
                grace: entry.grace,
                last_rotated,
                last_rotated_by: logged.map(|e| e.rotated_by.clone()),
                basis,
                age_days,
                remind_from: None,
                due: None,
                grace_end: None,
                status: Status::IncidentOnly,
                next_rotation_mismatch: None,
                last_failed,
                leaks: Vec::new(),
                future_entries,
                today,
                source: entry.source.clone(),
            };
            if let Interval::Every(days) = entry.interval {
                match last_rotated {
                    None => row.status = Status::NeverRotated,
                    Some(last) => {
                        let due = plus_days(last, i64::from(days));
                        let grace_end = plus_days(due, i64::from(entry.grace.whole_days()));
                        let remind_from = plus_days(due, -lead).max(last);
                        row.status = if today > grace_end {
                            Status::Expired
                        } else if today > due {
                            Status::Overdue
                        } else if today >= remind_from {
                            Status::DueSoon
                        } else {
                            Status::Ok
                        };
                        (row.due, row.grace_end, row.remind_from) =
                            (Some(due), Some(grace_end), Some(remind_from));
                        if let (Some(Basis::Log), Some(table)) = (basis, entry.next_rotation) {
                            if table != due {
                                row.next_rotation_mismatch = Some((table, due));
                            }
                        }
                    }
                }
            }
            let logged_date = logged.map(|e| e.rotation_date);
            row.leaks = leaks
                .iter()
                .filter(|l| entry.is_named(&l.secret_name))
                .filter(|l| match (l.known_value, l.seen_on, logged_date) {
                    (true, _, _) | (_, None, _) | (_, _, None) => true,
                    (false, Some(seen), Some(rotated)) => seen >= rotated,
                })
                .cloned()
                .collect();
            if !row.leaks.is_empty() {
                row.status = Status::Leaked;
            }
            row
        })
        .collect()
}

/// Every key's [error](DriftRow::error): drift that cannot be trusted (exit 2).
pub fn errors(rows: &[DriftRow]) -> Vec<String> {
    rows.iter().filter_map(DriftRow::error).collect()
}

/// Whether `hygiene drift` fails: some row [needs action](Status::needs_action).
pub fn needs_action(rows: &[DriftRow]) -> bool {
    rows.iter().any(|r| r.status.needs_action())
}

/// Names in the log that no policy entry has (typos, retired keys), first spelling, in log order.
pub fn unknown_log_names<'a>(policy: &[PolicyEntry], log: &'a [LogEntry]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for e in log {
        if !policy.iter().any(|p| p.is_named(&e.secret_name))
            && !names.iter().any(|n| n.eq_ignore_ascii_case(&e.secret_name))
        {
            names.push(&e.secret_name);
        }
    }
    names
}

/// The variable name in a hint such as `export ALPACA_SECRET_KEY=`, `${JWT_SECRET_KEY}`,
/// `"HF_TOKEN":`.
/// Dashes count as underscores (`APCA-API-SECRET-KEY` is `APCA_API_SECRET_KEY`).
fn variable_name(hint: &str) -> String {
    let mut s = hint.trim();
    for prefix in ["export ", "declare -x ", "setx ", "set ", "$env:"] {
        if s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix) {
            s = s[prefix.len()..].trim_start();
        }
    }
    let s = s.trim_start_matches(['$', '{', '"', '\'', '-']);
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(s.len());
    s[..end].trim_end_matches('-').replace('-', "_")
}

/// `entry` is named `name`, dashes counting as underscores.
fn named(entry: &PolicyEntry, name: &str) -> bool {
    entry.is_named(name) || entry.name.replace('-', "_").eq_ignore_ascii_case(name)
}

/// Whether a policy name with placeholders (`BOT<n>_BITGET_API_KEY`, `BOT*_BITGET_API_KEY`,
/// `BOT{N}_...`) matches `name`; placeholders match letters and digits.
fn pattern_matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains(['<', '*', '{']) {
        return false;
    }
    let mut regex = String::from("(?i)^");
    let mut rest = pattern;
    while !rest.is_empty() {
        let (literal, after) = match rest.find(['<', '*', '{']) {
            Some(i) => (&rest[..i], Some(&rest[i..])),
            None => (rest, None),
        };
        regex.push_str(&regex::escape(literal));
        match after {
            None => rest = "",
            Some(a) => {
                regex.push_str("[A-Za-z0-9]*");
                rest = match a.as_bytes()[0] {
                    b'<' => a.find('>').map_or("", |j| &a[j + 1..]),
                    b'{' => a.find('}').map_or("", |j| &a[j + 1..]),
                    _ => &a[1..],
                };
            }
        }
    }
    regex.push('$');
    regex::Regex::new(&regex).is_ok_and(|r| r.is_match(name))
}

/// Maps a variable name found near a secret to its policy entry: an exact (case-insensitive)
/// match first, then a policy name with a placeholder (`BOT<n>_BITGET_API_KEY`), then the name
/// without leading `PREFIX_` segments (`BOT1_BITGET_API_KEY` -> `BITGET_API_KEY`), longest
/// first, down to two segments. `export`, `$`, `${`, quotes, leading dashes and anything after
/// the name are ignored; dashes count as underscores (`X-APCA-API-KEY-ID`).
pub fn attribute<'a>(name_hint: &str, policy: &'a [PolicyEntry]) -> Option<&'a PolicyEntry> {
    let name = variable_name(name_hint);
    if name.is_empty() {
        return None;
    }
    if let Some(entry) = policy.iter().find(|e| named(e, &name)) {
        return Some(entry);
    }
    if let Some(entry) = policy.iter().find(|e| pattern_matches(&e.name.replace('-', "_"), &name)) {
        return Some(entry);
    }
    let mut rest = name.as_str();
    while let Some(i) = rest.find('_') {
        rest = &rest[i + 1..];
        if !rest.contains('_') {
            break;
        }
        if let Some(entry) = policy.iter().find(|e| named(e, rest)) {
            return Some(entry);
        }
    }
    None
}

/// Maps a scanner rule to the policy entry it most likely leaked: entries whose name starts
/// with one of the rule's `env_prefixes` (rule data: `alpaca.` -> `ALPACA*`, `bitget.` ->
/// `BITGET*` also as `BOT1_BITGET*`, `huggingface.` -> `HF_*` / `HUGGING*`), best match on
/// the words of the rule name (`alpaca.secret-key` -> `ALPACA_SECRET_KEY` before
/// `ALPACA_API_KEY`); ties go to the first in policy order. Rules with no prefixes (generic,
/// HTTP headers, JWTs, private keys) say nothing about whose key leaked.
pub fn attribute_rule<'a>(
    rule_id: &str,
    prefixes: &[String],
    policy: &'a [PolicyEntry],
) -> Option<&'a PolicyEntry> {
    let (_, rest) = rule_id.split_once('.').unwrap_or((rule_id, ""));
    let words: Vec<String> =
        rest.split(['-', '_', '.']).filter(|w| !w.is_empty()).map(|w| w.to_ascii_lowercase()).collect();
    let mut best: Option<(usize, &PolicyEntry)> = None;
    for entry in policy {
        let upper = entry.name.to_ascii_uppercase();
        let in_family =
            prefixes.iter().any(|p| upper.starts_with(p.as_str()) || upper.contains(&format!("_{p}")));
        if !in_family {
            continue;
        }
        let name_words: Vec<String> = upper.split('_').map(|w| w.to_ascii_lowercase()).collect();
        let score = words.iter().filter(|w| name_words.contains(w)).count();
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, entry));
        }
    }
    best.map(|(_, e)| e)
}

fn ser_opt_date<S: serde::Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&d.to_string()),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn entry(name: &str, interval: Interval, grace: Grace, next: Option<&str>) -> PolicyEntry {
        PolicyEntry {
            name: name.into(),
            interval,
            grace,
            next_rotation: next.map(d),
            owner: None,
            key_type: None,
            source: Source { file: "p.md".into(), line: Some(3) },
        }
    }

    fn rotated(name: &str, date: &str, status: RotationStatus) -> LogEntry {
        LogEntry {
            secret_name: name.into(),
            rotated_by: "alice".into(),
            rotation_date: d(date),
            rotated_at: None,
            status,
            note: None,
        }
    }

    /// Status of a 90-day key with 7 days' grace rotated on 2026-01-01 (due 2026-04-01,
    /// reminders from 2026-03-27, grace ends 2026-04-08), on `today`.
    fn status_on(today: &str) -> Status {
        let policy = [entry("K", Interval::Every(90), Grace::days(7), None)];
        let log = [rotated("K", "2026-01-01", RotationStatus::Success)];
        compute(&policy, &log, &[], d(today), &[5, 2])[0].status
    }

    #[test]
    fn an_entry_dated_after_today_is_an_error_for_its_key_never_evidence() {
        // Expired on 2026-11-25 (rotated 2026-07-20, 90 days + 14), unless a typo (2062 for
        // 2026) counted as a rotation: then it would look `ok` with a negative age.
        let policy = [
            entry("K", Interval::Every(90), Grace::days(14), None),
            entry("OTHER", Interval::Every(90), Grace::days(14), None),
        ];
        let log = [
            rotated("K", "2026-07-20", RotationStatus::Success),
            rotated("k", "2062-08-29", RotationStatus::Success),
            rotated("K", "2026-11-26", RotationStatus::Failed),
            rotated("OTHER", "2026-11-25", RotationStatus::Success),
        ];
        let rows = compute(&policy, &log, &[], d("2026-11-25"), &[5, 2]);
        assert_eq!(rows[0].future_entries, vec![d("2062-08-29"), d("2026-11-26")]);
        assert_eq!(rows[0].status, Status::Expired, "the future entries are left out");
        assert_eq!(rows[0].last_rotated, Some(d("2026-07-20")));
        assert_eq!(rows[0].age_days, Some(128));
        assert_eq!(rows[0].last_failed, None);
        let error = rows[0].error().unwrap();
        assert!(error.starts_with("K: the rotation log has entries dated after 2026-11-25"), "{error}");
        assert!(error.contains("2062-08-29, 2026-11-26"), "{error}");
        // A rotation today is not in the future; other keys are not affected.
        assert_eq!((rows[1].status, rows[1].error()), (Status::Ok, None));
        assert_eq!(errors(&rows).len(), 1);
    }

    #[test]
    fn every_boundary() {
        for (today, status) in [
            ("2026-01-01", Status::Ok),
            ("2026-03-26", Status::Ok),
            ("2026-03-27", Status::DueSoon), // day 85: first reminder
            ("2026-03-30", Status::DueSoon), // day 88: second reminder
            ("2026-03-31", Status::DueSoon),
            ("2026-04-01", Status::DueSoon), // the due date itself
            ("2026-04-02", Status::Overdue),
            ("2026-04-07", Status::Overdue),
            ("2026-04-08", Status::Overdue), // last day of grace
            ("2026-04-09", Status::Expired),
        ] {
            assert_eq!(status_on(today), status, "{today}");
        }
    }

    #[test]
    fn row_dates() {
        let policy = [entry("K", Interval::Every(90), Grace::days(7), None)];
        let log = [rotated("K", "2026-01-01", RotationStatus::Success)];
        let row = &compute(&policy, &log, &[], d("2026-03-28"), &[2, 5])[0];
        assert_eq!(row.last_rotated, Some(d("2026-01-01")));
        assert_eq!(row.last_rotated_by.as_deref(), Some("alice"));
        assert_eq!(row.basis, Some(Basis::Log));
        assert_eq!(row.age_days, Some(86));
        assert_eq!(row.remind_from, Some(d("2026-03-27")));
        assert_eq!(row.due, Some(d("2026-04-01")));
        assert_eq!(row.grace_end, Some(d("2026-04-08")));
    }

    #[test]
    fn twenty_four_hour_grace_is_one_day() {
        let policy = [entry("ALPACA_API_KEY", Interval::Every(30), Grace::hours(24), None)];
        let log = [rotated("ALPACA_API_KEY", "2026-01-01", RotationStatus::Success)];
        let on = |t: &str| compute(&policy, &log, &[], d(t), &[5, 2])[0].status;
        assert_eq!(on("2026-01-31"), Status::DueSoon);
        assert_eq!(on("2026-02-01"), Status::Overdue);
        assert_eq!(on("2026-02-02"), Status::Expired);
        // No grace: expired the day after the due date.
        let none = [entry("K", Interval::Every(30), Grace::NONE, None)];
        let log = [rotated("K", "2026-01-01", RotationStatus::Success)];
        assert_eq!(compute(&none, &log, &[], d("2026-01-31"), &[])[0].status, Status::DueSoon);
        assert_eq!(compute(&none, &log, &[], d("2026-02-01"), &[])[0].status, Status::Expired);
        assert_eq!(compute(&none, &log, &[], d("2026-01-30"), &[])[0].status, Status::Ok, "no reminders");
    }

    #[test]
    fn leap_day() {
        // 2027-12-01 + 90 days = 2028-02-29.
        let policy = [entry("K", Interval::Every(90), Grace::days(1), None)];
        let log = [rotated("K", "2027-12-01", RotationStatus::Success)];
        let on = |t: &str| compute(&policy, &log, &[], d(t), &[5, 2]).remove(0);
        let row = on("2028-02-29");
        assert_eq!((row.due, row.status), (Some(d("2028-02-29")), Status::DueSoon));
        assert_eq!(row.remind_from, Some(d("2028-02-24")));
        assert_eq!(row.grace_end, Some(d("2028-03-01")));
        assert_eq!(on("2028-02-23").status, Status::Ok);
        assert_eq!(on("2028-02-24").status, Status::DueSoon);
        assert_eq!(on("2028-03-01").status, Status::Overdue);
        assert_eq!(on("2028-03-02").status, Status::Expired);
        // A Next Rotation date on a leap day implies the rotation 90 days before it.
        let policy = [entry("K", Interval::Every(90), Grace::NONE, Some("2028-02-29"))];
        let row = compute(&policy, &[], &[], d("2028-02-28"), &[5, 2]).remove(0);
        assert_eq!(row.last_rotated, Some(d("2027-12-01")));
        assert_eq!(row.basis, Some(Basis::NextRotation));
        assert_eq!(row.status, Status::DueSoon);
    }

    #[test]
    fn next_rotation_is_the_basis_without_a_log_entry() {
        let policy = [
            entry("A", Interval::Every(90), Grace::days(7), Some("2026-12-01")),
            entry("B", Interval::Every(90), Grace::days(7), None),
            entry("C", Interval::IncidentOnly, Grace::hours(24), Some("2026-12-01")),
        ];
        let rows = compute(&policy, &[], &[], d("2026-11-25"), &[5, 2]);
        assert_eq!(rows[0].last_rotated, Some(d("2026-09-02")));
        assert_eq!(rows[0].status, Status::Ok);
        assert_eq!(rows[0].next_rotation_mismatch, None);
        assert_eq!(rows[1].status, Status::NeverRotated);
        assert_eq!((rows[1].last_rotated, rows[1].due, rows[1].age_days), (None, None, None));
        assert_eq!(rows[2].status, Status::IncidentOnly);
        assert_eq!(rows[2].due, None);
    }

    #[test]
    fn mismatch_between_table_and_log() {
        let policy = [entry("A", Interval::Every(90), Grace::days(7), Some("2026-12-01"))];
        let log = [rotated("a", "2026-09-01", RotationStatus::Success)];
        let row = compute(&policy, &log, &[], d("2026-11-01"), &[5, 2]).remove(0);
        assert_eq!(row.next_rotation_mismatch, Some((d("2026-12-01"), d("2026-11-30"))));
        assert_eq!(row.due, Some(d("2026-11-30")), "the log wins");
        let log = [rotated("A", "2026-09-02", RotationStatus::Success)];
        let row = compute(&policy, &log, &[], d("2026-11-01"), &[5, 2]).remove(0);
        assert_eq!(row.next_rotation_mismatch, None);
    }

    #[test]
    fn failed_rotations_do_not_reset_the_clock() {
        let policy = [entry("K", Interval::Every(30), Grace::NONE, None)];
        let log = [
            rotated("K", "2026-01-01", RotationStatus::Success),
            rotated("K", "2026-01-30", RotationStatus::Failed),
            rotated("K", "2025-12-01", RotationStatus::Failed),
        ];
        let row = compute(&policy, &log, &[], d("2026-02-05"), &[5, 2]).remove(0);
        assert_eq!(row.status, Status::Expired);
        assert_eq!(row.last_rotated, Some(d("2026-01-01")));
        assert_eq!(row.last_failed, Some(d("2026-01-30")));
        // Only failures: still never rotated.
        let log = [rotated("K", "2026-01-30", RotationStatus::Failed)];
        let row = compute(&policy, &log, &[], d("2026-02-05"), &[5, 2]).remove(0);
        assert_eq!((row.status, row.last_failed), (Status::NeverRotated, Some(d("2026-01-30"))));
    }

    fn leak(name: &str, seen_on: Option<&str>, known_value: bool) -> Leak {
        Leak {
            secret_name: name.into(),
            rule_id: "alpaca.secret-key".into(),
            file: "data/bot1/logs/app.log".into(),
            line: 3,
            seen_on: seen_on.map(d),
            known_value,
        }
    }

    #[test]
    fn leaks() {
        let policy = [
            entry("ALPACA_SECRET_KEY", Interval::IncidentOnly, Grace::hours(24), None),
            entry("JWT_SECRET_KEY", Interval::Every(90), Grace::days(7), Some("2026-12-01")),
        ];
        let log = [rotated("ALPACA_SECRET_KEY", "2026-11-20", RotationStatus::Success)];
        let on = |leaks: &[Leak]| {
            compute(&policy, &log, leaks, d("2026-11-25"), &[5, 2])
                .into_iter()
                .map(|r| r.status)
                .collect::<Vec<_>>()
        };
        let ok = vec![Status::IncidentOnly, Status::Ok];
        assert_eq!(on(&[]), ok);
        // Seen before the last rotation: the rotation took care of it.
        assert_eq!(on(&[leak("ALPACA_SECRET_KEY", Some("2026-11-19"), false)]), ok);
        // On or after it, undated, or known to be the current value: leaked.
        for l in [
            leak("alpaca_secret_key", Some("2026-11-20"), false),
            leak("ALPACA_SECRET_KEY", Some("2026-11-24"), false),
            leak("ALPACA_SECRET_KEY", None, false),
            leak("ALPACA_SECRET_KEY", Some("2026-01-01"), true),
        ] {
            assert_eq!(on(std::slice::from_ref(&l)), vec![Status::Leaked, Status::Ok], "{l:?}");
        }
        // Only a logged rotation clears a leak: the table's date is not evidence.
        assert_eq!(
            on(&[leak("JWT_SECRET_KEY", Some("2020-01-01"), false)]),
            vec![Status::IncidentOnly, Status::Leaked]
        );
        let rows = compute(&policy, &log, &[leak("ALPACA_SECRET_KEY", None, false)], d("2026-11-25"), &[]);
        assert_eq!(rows[0].leaks.len(), 1);
        assert!(rows[0].blocks(&BlockingSet::default()));
        assert!(!rows[1].blocks(&BlockingSet::default()));
    }

    #[test]
    fn blocking_and_action() {
        let set = BlockingSet::default();
        let blocking: Vec<Status> = Status::ALL.into_iter().filter(|s| set.contains(*s)).collect();
        assert_eq!(blocking, vec![Status::Leaked, Status::Expired]);
        let acting: Vec<Status> = Status::ALL.into_iter().filter(|s| s.needs_action()).collect();
        assert_eq!(acting, vec![Status::Leaked, Status::Expired, Status::Overdue, Status::NeverRotated]);
        let custom: BlockingSet =
            serde_json::from_str(r#"["overdue","expired","leaked","never_rotated"]"#).unwrap();
        assert!(custom.contains(Status::NeverRotated) && !custom.contains(Status::DueSoon));
        assert!(serde_json::from_str::<BlockingSet>(r#"["late"]"#).is_err());
        assert_eq!(serde_json::to_string(&Status::DueSoon).unwrap(), "\"due_soon\"");
    }

    #[test]
    fn unknown_names_in_the_log() {
        let policy = [entry("K", Interval::Every(30), Grace::NONE, None)];
        let log = [
            rotated("k", "2026-01-01", RotationStatus::Success),
            rotated("JWT_SECRT_KEY", "2026-01-01", RotationStatus::Success),
            rotated("jwt_secrt_key", "2026-01-02", RotationStatus::Success),
        ];
        assert_eq!(unknown_log_names(&policy, &log), vec!["JWT_SECRT_KEY"]);
    }

    fn named(names: &[&str]) -> Vec<PolicyEntry> {
        names.iter().map(|n| entry(n, Interval::IncidentOnly, Grace::NONE, None)).collect()
    }

    #[test]
    fn attribution_by_variable_name() {
        let policy = named(&[
            "JWT_SECRET_KEY",
            "BITGET_API_KEY",
            "ALPACA_SECRET_KEY",
            "BOT<n>_BITGET_PASSPHRASE",
            "HF_TOKEN",
        ]);
        let found = |hint: &str| attribute(hint, &policy).map(|e| e.name.as_str());
        assert_eq!(found("JWT_SECRET_KEY"), Some("JWT_SECRET_KEY"));
        assert_eq!(found("jwt_secret_key"), Some("JWT_SECRET_KEY"));
        assert_eq!(found("export ALPACA_SECRET_KEY"), Some("ALPACA_SECRET_KEY"));
        assert_eq!(found("export ALPACA_SECRET_KEY=abc"), Some("ALPACA_SECRET_KEY"));
        assert_eq!(found("${HF_TOKEN}"), Some("HF_TOKEN"));
        assert_eq!(found("\"hf_token\":"), Some("HF_TOKEN"));
        assert_eq!(found("BOT1_BITGET_API_KEY"), Some("BITGET_API_KEY"));
        assert_eq!(found("PROD_BOT12_BITGET_API_KEY"), Some("BITGET_API_KEY"));
        assert_eq!(found("BOT2_BITGET_PASSPHRASE"), Some("BOT<n>_BITGET_PASSPHRASE"));
        assert_eq!(found("bot2_bitget_passphrase"), Some("BOT<n>_BITGET_PASSPHRASE"));
        assert_eq!(found("--hf-token"), Some("HF_TOKEN"));
        assert_eq!(found("X-BOT1-BITGET-API-KEY:"), Some("BITGET_API_KEY"));
        assert_eq!(found("BITGET_SECRET_KEY"), None);
        assert_eq!(found("SECRET_KEY"), None);
        assert_eq!(found("MY_KEY"), None);
        assert_eq!(found(""), None);
        assert!(pattern_matches("BOT*_X", "bot7_x"));
        assert!(pattern_matches("BOT{N}_X", "BOT7_X"));
        assert!(!pattern_matches("BOT*_X", "BOT7_Y"));
    }

    #[test]
    fn attribution_by_rule_family() {
        let policy = named(&[
            "JWT_SECRET_KEY",
            "ALPACA_API_KEY",
            "ALPACA_SECRET_KEY",
            "BOT1_BITGET_API_KEY",
            "BOT1_BITGET_SECRET_KEY",
            "PLAID_SECRET",
            "HF_TOKEN",
            "HUGGINGFACE_HUB_TOKEN",
        ]);
        let rules = crate::rules::RuleSet::builtin().expect("built-in rules load");
        let prefixes = |rule: &str| rules.env_prefixes(rule);
        let found = |rule: &str| attribute_rule(rule, &prefixes(rule), &policy).map(|e| e.name.as_str());
        assert_eq!(found("alpaca.api-key-id"), Some("ALPACA_API_KEY"));
        assert_eq!(found("alpaca.secret-key"), Some("ALPACA_SECRET_KEY"));
        assert_eq!(found("bitget.api-key"), Some("BOT1_BITGET_API_KEY"));
        assert_eq!(found("bitget.secret-key"), Some("BOT1_BITGET_SECRET_KEY"));
        assert_eq!(found("plaid.client-secret"), Some("PLAID_SECRET"));
        assert_eq!(found("huggingface.user-access-token"), Some("HF_TOKEN"));
        assert_eq!(found("stripe.secret-key"), None);
        assert_eq!(found("jwt.signing-secret"), None, "a JWT rule says nothing about whose key");
        let exchanges = named(&["KRAKEN_API_KEY", "BINANCE_API_KEY", "BINANCE_SECRET_KEY"]);
        let exchange =
            |rule: &str| attribute_rule(rule, &prefixes(rule), &exchanges).map(|e| e.name.as_str());
        assert_eq!(exchange("exchanges.binance-secret-key"), Some("BINANCE_SECRET_KEY"));
        assert_eq!(exchange("exchanges.kraken-private-key"), Some("KRAKEN_API_KEY"));
        assert_eq!(exchange("exchanges.coinbase-api-key"), None);
        assert_eq!(found("generic.secret-assignment"), None);
        assert_eq!(found("alpaca"), Some("ALPACA_API_KEY"), "no words: the first in the family");
    }
}
