//! The rotation log: one JSON object per line (JSONL), appended to each time a key is rotated
//! or a rotation fails.
//!
//! ```text
//! {"secret_name":"JWT_SECRET_KEY","rotated_by":"alice","rotation_date":"2026-09-01","status":"success"}
//! {"secret_name":"PLAID_SECRET","rotated_by":"bob","rotation_date":"2026-10-02T09:15:00Z","status":"failed","note":"dashboard timeout"}
//! ```
//!
//! Reading reports every malformed line (never skips one). Appending rewrites the file
//! atomically under a lock (existing bytes kept verbatim, see [`append`]). [`import_csv`] reads the CSV export of the `secret_rotation_log` table.
use std::path::Path;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::csv;
use super::error::{codes, Problem, RotationError};
use super::schedule;

/// Whether a rotation went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RotationStatus {
    /// The new key is live: restarts the key's clock.
    Success,
    /// The attempt failed: recorded, but the clock keeps running.
    Failed,
}

impl RotationStatus {
    /// `success` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RotationStatus::Success => "success",
            RotationStatus::Failed => "failed",
        }
    }

    /// Case-insensitive `success` / `failed`.
    pub fn parse(text: &str) -> Option<RotationStatus> {
        match text.trim().to_ascii_lowercase().as_str() {
            "success" => Some(RotationStatus::Success),
            "failed" => Some(RotationStatus::Failed),
            _ => None,
        }
    }
}

/// One rotation (or failed attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The key, as the policy names it (matched case-insensitively).
    pub secret_name: String,
    /// Who rotated it.
    pub rotated_by: String,
    /// The day of the rotation (UTC when the log gives an instant).
    pub rotation_date: Date,
    /// The instant, when the log gives one (RFC 3339).
    pub rotated_at: Option<jiff::Timestamp>,
    /// `success` or `failed`.
    pub status: RotationStatus,
    /// Free text.
    pub note: Option<String>,
}

/// The line format. `id` and `created_at` (columns of the database table the log may be
/// exported from) are accepted and ignored; any other key is an error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn {
    secret_name: String,
    rotated_by: String,
    rotation_date: String,
    status: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default, rename = "id")]
    _id: Option<serde_json::Value>,
    #[serde(default, rename = "created_at")]
    _created_at: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct WireOut<'a> {
    secret_name: &'a str,
    rotated_by: &'a str,
    rotation_date: String,
    status: RotationStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

const LINE_HELP: &str = "each line is one JSON object: {\"secret_name\": \"JWT_SECRET_KEY\", \"rotated_by\": \"alice\", \
\"rotation_date\": \"2026-09-01\", \"status\": \"success\"} (status `success` or `failed`; date YYYY-MM-DD or RFC 3339; optional \"note\")";

impl LogEntry {
    /// The entry with every secret the built-in rules find in its free text (`secret_name`,
    /// `rotated_by`, `note`) masked (`****ABCD`), and whether there was one: the log is a
    /// committed record, and a token pasted into a note must not reach it. Should the
    /// built-in rules ever fail to load, `rotated_by` and the note are withheld (`****`).
    pub fn masked(&self) -> (LogEntry, bool) {
        static REDACTOR: std::sync::OnceLock<Option<crate::redact::Redactor>> = std::sync::OnceLock::new();
        let mut out = self.clone();
        let Some(redactor) = REDACTOR.get_or_init(|| crate::redact::Redactor::builder().build().ok()) else {
            out.rotated_by = "****".to_string();
            out.note = out.note.map(|_| "****".to_string());
            return (out, true);
        };
        let mut changed = false;
        let mut mask = |text: &mut String| {
            if let std::borrow::Cow::Owned(masked) = redactor.redact(text) {
                changed |= masked != *text;
                *text = masked;
            }
        };
        mask(&mut out.secret_name);
        mask(&mut out.rotated_by);
        if let Some(note) = out.note.as_mut() {
            mask(note);
        }
        (out, changed)
    }

    /// Checks the fields that JSON alone does not: names not empty, no line breaks in them.
    fn check(&self) -> Result<(), String> {
        for (field, value) in [("secret_name", &self.secret_name), ("rotated_by", &self.rotated_by)] {
            if value.trim().is_empty() {
                return Err(format!("`{field}` is empty"));
            }
            if value.contains(['\n', '\r']) {
                return Err(format!("`{field}` holds a line break"));
            }
        }
        Ok(())
    }

    /// The entry as one log line (no newline): date as `YYYY-MM-DD`, or RFC 3339 in UTC when
    /// the entry has an instant.
    pub fn to_json_line(&self) -> String {
        let rotation_date = match self.rotated_at {
            Some(ts) => ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            None => self.rotation_date.to_string(),
        };
        serde_json::to_string(&WireOut {
            secret_name: &self.secret_name,
            rotated_by: &self.rotated_by,
            rotation_date,
            status: self.status,
            note: self.note.as_deref(),
        })
        .expect("log entries serialize")
    }

    /// Orders rotations in time: by date, then instant (an entry without one counts as the
    /// start of its day).
    fn when(&self) -> (Date, Option<jiff::Timestamp>) {
        (self.rotation_date, self.rotated_at)
    }
}

fn entry_from_fields(
    secret_name: String,
    rotated_by: String,
    rotation_date: &str,
    status: &str,
    note: Option<String>,
) -> Result<LogEntry, (&'static str, String)> {
    let (date, at) = schedule::parse_when(rotation_date).map_err(|e| ("rotation_date", e.0))?;
    let status = RotationStatus::parse(status)
        .ok_or_else(|| ("status", format!("status `{status}` is neither `success` nor `failed`")))?;
    let entry = LogEntry {
        secret_name: secret_name.trim().to_string(),
        rotated_by: rotated_by.trim().to_string(),
        rotation_date: date,
        rotated_at: at,
        status,
        note: note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
    };
    entry.check().map_err(|m| ("", m))?;
    Ok(entry)
}

/// Refuses a rotation dated after `today` (UTC): a rotation cannot have happened yet, and drift
/// and the gate treat such an entry as an error for its key. What `rotation record` and
/// `rotation import` check before writing.
pub fn check_not_future(date: Date, today: Date) -> Result<(), String> {
    if date > today {
        return Err(format!(
            "{date} is in the future (today is {today}, UTC): record a rotation once it has happened"
        ));
    }
    Ok(())
}

/// Parses a log's text; `file` labels diagnostics. Blank lines are ignored; every malformed
/// line is reported.
pub fn parse(file: &str, text: &str) -> Result<Vec<LogEntry>, Problem> {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while start < text.len() {
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[start..end].trim_end_matches('\r');
        let lead = line.len() - line.trim_start().len();
        let span = start + lead..start + line.trim_end().len();
        let line = line.trim();
        if !line.is_empty() {
            let parsed = serde_json::from_str::<WireIn>(line).map_err(|e| {
                let message = e.to_string();
                // serde_json appends " at line 1 column N"; the span says where.
                let message = message.split(" at line ").next().unwrap_or(&message).to_string();
                format!("not a rotation-log entry: {message}")
            });
            let entry = parsed.map_err(|m| (span.clone(), "this line", m)).and_then(|w| {
                entry_from_fields(w.secret_name, w.rotated_by, &w.rotation_date, &w.status, w.note).map_err(
                    |(field, m)| match value_span(line, field) {
                        Some(v) => (span.start + v.start..span.start + v.end, "this value", m),
                        None => (span.clone(), "this line", m),
                    },
                )
            });
            match entry {
                Ok(entry) => entries.push(entry),
                Err((at, label, message)) => problems.push(
                    Problem::at(codes::BAD_LOG_LINE, file, text, at, label, message).with_help(LINE_HELP),
                ),
            }
        }
        start = end + 1;
    }
    match Problem::combine(problems) {
        Some(problem) => Err(problem),
        None => Ok(entries),
    }
}

/// The span of `field`'s string value in a one-line JSON object (quotes included), when it
/// can be found.
fn value_span(line: &str, field: &str) -> Option<std::ops::Range<usize>> {
    if field.is_empty() {
        return None;
    }
    let key = line.find(&format!("\"{field}\""))? + field.len() + 2;
    let colon = key + line[key..].find(':')?;
    let after = &line[colon + 1..];
    let start = colon + 1 + (after.len() - after.trim_start().len());
    let bytes = line.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(start..i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Reads the log at `path`; a missing file is `Ok(None)`.
pub fn read_optional(path: &Path) -> Result<Option<Vec<LogEntry>>, RotationError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(parse(&path.display().to_string(), &text)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(RotationError::Io { path: path.to_path_buf(), source }),
    }
}

/// Reads the log at `path`; a missing file is an error.
pub fn read(path: &Path) -> Result<Vec<LogEntry>, RotationError> {
    read_optional(path)?.ok_or_else(|| RotationError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::from(std::io::ErrorKind::NotFound),
    })
}

/// The newest successful rotation of `name` (case-insensitive); failed attempts do not count.
/// Among entries of the same day without an instant, the later line wins.
pub fn last_success<'a>(log: &'a [LogEntry], name: &str) -> Option<&'a LogEntry> {
    log.iter()
        .filter(|e| e.status == RotationStatus::Success && e.secret_name.eq_ignore_ascii_case(name))
        .fold(None, |best: Option<&LogEntry>, e| match best {
            Some(b) if b.when() > e.when() => Some(b),
            _ => Some(e),
        })
}

/// Appends `entries` to the log at `path` atomically: the existing text (which must parse) is
/// kept byte for byte, the new lines are added, and the result replaces the log through
/// [`crate::atomic`] (a symlinked log's real file is replaced, its mode kept). Creates the
/// directory and the file when missing.
///
/// Concurrent appends (20 `hygiene rotation record` at once) are serialised by an exclusive
/// lock on the log's directory, held from the read to the rename: every append that
/// succeeds is in the log.
pub fn append(path: &Path, entries: &[LogEntry]) -> Result<(), RotationError> {
    // Secrets in free text never reach the log (callers mask first to say so; this is the net).
    let entries: Vec<LogEntry> = entries.iter().map(|e| e.masked().0).collect();
    for entry in &entries {
        if let Err(message) = entry.check() {
            return Err(Problem::in_file(codes::BAD_LOG_LINE, &path.display().to_string(), message).into());
        }
    }
    update_locked(path, |mut text, _| {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        for entry in &entries {
            text.push_str(&entry.to_json_line());
            text.push('\n');
        }
        Ok(Some(text))
    })
}

/// Runs `update` over the log's text (empty when the file is missing) and its parsed entries
/// while holding an exclusive lock on the log's real directory, and writes the text it returns
/// (`None`: nothing to write) atomically before the lock is released.
fn update_locked(
    path: &Path,
    update: impl FnOnce(String, Vec<LogEntry>) -> Result<Option<String>, RotationError>,
) -> Result<(), RotationError> {
    let io_err = |source| RotationError::Io { path: path.to_path_buf(), source };
    let real = crate::atomic::real_path(path).map_err(io_err)?;
    let dir = match real.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io_err)?;
    let guard = std::fs::File::open(dir).map_err(io_err)?;
    crate::atomic::lock(&guard, true).map_err(io_err)?;
    let text = match std::fs::read_to_string(&real) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io_err(e)),
    };
    let existing = parse(&path.display().to_string(), &text)?;
    if let Some(text) = update(text, existing)? {
        crate::atomic::write(&real, text.as_bytes()).map_err(|e| match e {
            crate::Error::Io { source, .. } => io_err(source),
            other => io_err(std::io::Error::other(other.to_string())),
        })?;
    }
    drop(guard); // the lock goes with the descriptor
    Ok(())
}

/// Columns of the `secret_rotation_log` export.
const CSV_REQUIRED: &[&str] = &["secret_name", "rotated_by", "rotation_date", "status"];
const CSV_OPTIONAL: &[&str] = &["note", "id", "created_at"];

/// Parses the CSV export of the `secret_rotation_log` table: a header row naming the columns
/// `secret_name`, `rotated_by`, `rotation_date`, `status` (any order, any case) and optionally
/// `note`, `id`, `created_at` (the last two ignored), then one row per rotation. Every bad row
/// is reported; nothing is returned unless all rows are good. A row dated after `today` is bad
/// (see [`check_not_future`]).
pub fn import_csv(file: &str, text: &str, today: Date) -> Result<Vec<LogEntry>, Problem> {
    let records = csv::parse(file, text)?;
    let Some((header, rows)) = records.split_first() else {
        return Err(Problem::in_file(codes::BAD_CSV, file, "the CSV file is empty").with_help(
            "the first row names the columns: secret_name,rotated_by,rotation_date,status[,note]",
        ));
    };
    let columns: Vec<String> = header.fields.iter().map(|f| f.value.trim().to_ascii_lowercase()).collect();
    let mut problems = Vec::new();
    let accepted =
        || CSV_REQUIRED.iter().chain(CSV_OPTIONAL).map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
    for (i, name) in columns.iter().enumerate() {
        let span = header.fields[i].span.clone();
        if !CSV_REQUIRED.contains(&name.as_str()) && !CSV_OPTIONAL.contains(&name.as_str()) {
            problems.push(
                Problem::at(
                    codes::BAD_CSV,
                    file,
                    text,
                    span,
                    "unknown column",
                    format!("unknown column `{name}`"),
                )
                .with_help(format!("accepted columns: {}", accepted())),
            );
        } else if columns[..i].contains(name) {
            problems.push(Problem::at(
                codes::BAD_CSV,
                file,
                text,
                span,
                "again",
                format!("column `{name}` appears twice"),
            ));
        }
    }
    let missing: Vec<&str> =
        CSV_REQUIRED.iter().copied().filter(|c| !columns.iter().any(|n| n == c)).collect();
    if !missing.is_empty() {
        problems.push(
            Problem::at(
                codes::BAD_CSV,
                file,
                text,
                header.span.clone(),
                "header row",
                format!("missing column {}", missing.join(", ")),
            )
            .with_help(format!("accepted columns: {}", accepted())),
        );
    }
    if let Some(problem) = Problem::combine(problems) {
        return Err(problem);
    }
    let index = |name: &str| columns.iter().position(|c| c == name);
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    for row in rows {
        if row.fields.len() != columns.len() {
            problems.push(
                Problem::at(
                    codes::BAD_CSV,
                    file,
                    text,
                    row.span.clone(),
                    format!("{} fields", row.fields.len()),
                    format!("row has {} fields; the header has {}", row.fields.len(), columns.len()),
                )
                .with_help("quote a field that holds a comma: \"a, b\""),
            );
            continue;
        }
        let get = |name: &str| index(name).map(|i| row.fields[i].value.clone());
        let result = entry_from_fields(
            get("secret_name").unwrap_or_default(),
            get("rotated_by").unwrap_or_default(),
            &get("rotation_date").unwrap_or_default(),
            &get("status").unwrap_or_default(),
            get("note"),
        );
        let result = result.and_then(|entry| {
            check_not_future(entry.rotation_date, today).map_err(|m| ("rotation_date", m))?;
            Ok(entry)
        });
        match result {
            Ok(entry) => entries.push(entry),
            Err((field, message)) => {
                let span = index(field).map_or(row.span.clone(), |i| row.fields[i].span.clone());
                problems.push(
                    Problem::at(codes::BAD_CSV, file, text, span, "here", message).with_help(LINE_HELP),
                );
            }
        }
    }
    match Problem::combine(problems) {
        Some(problem) => Err(problem),
        None => Ok(entries),
    }
}

/// What [`import`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Rows appended to the log.
    pub added: usize,
    /// Rows already in the log (identical entry), not appended again.
    pub already_logged: usize,
    /// Rows with a secret in their free text (`rotated_by`, `note`, ...), masked before they
    /// were compared and written (see [`LogEntry::masked`]).
    pub masked: usize,
}

/// Imports the CSV export at `csv_path` into the log at `log_path`: every row is checked first
/// (nothing is appended if one is bad), rows identical to an entry already in the log are left
/// out (so importing the same export twice adds nothing), the rest are appended atomically.
/// A row dated after `today` refuses the whole import.
pub fn import(csv_path: &Path, log_path: &Path, today: Date) -> Result<ImportOutcome, RotationError> {
    let text = std::fs::read_to_string(csv_path)
        .map_err(|source| RotationError::Io { path: csv_path.to_path_buf(), source })?;
    let rows = import_csv(&csv_path.display().to_string(), &text, today)?;
    let total = rows.len();
    let mut masked = 0;
    let rows: Vec<LogEntry> = rows
        .iter()
        .map(|row| {
            let (row, changed) = row.masked();
            masked += usize::from(changed);
            row
        })
        .collect();
    let mut outcome = ImportOutcome { added: 0, already_logged: total, masked };
    update_locked(log_path, |mut text, existing| {
        let mut new: Vec<LogEntry> = Vec::new();
        for row in rows {
            if !existing.contains(&row) && !new.contains(&row) {
                new.push(row);
            }
        }
        outcome = ImportOutcome { added: new.len(), already_logged: total - new.len(), masked };
        if new.is_empty() {
            return Ok(None);
        }
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        for entry in &new {
            text.push_str(&entry.to_json_line());
            text.push('\n');
        }
        Ok(Some(text))
    })?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    const LOG: &str = r#"{"secret_name":"JWT_SECRET_KEY","rotated_by":"alice","rotation_date":"2026-06-01","status":"success"}
{"secret_name":"jwt_secret_key","rotated_by":"bob","rotation_date":"2026-09-01","status":"success","note":"quarterly"}

{"secret_name":"JWT_SECRET_KEY","rotated_by":"carol","rotation_date":"2026-11-20T10:00:00Z","status":"failed","note":"vault sealed"}
{"secret_name":"PLAID_SECRET","rotated_by":"dan","rotation_date":"2026-10-02T23:30:00-05:00","status":"success","id":7,"created_at":"2026-10-03"}
"#;

    #[test]
    fn parses_and_failed_rotations_do_not_reset_the_clock() {
        let log = parse("log.jsonl", LOG).unwrap();
        assert_eq!(log.len(), 4);
        assert_eq!(log[1].note.as_deref(), Some("quarterly"));
        let last = last_success(&log, "JWT_SECRET_KEY").unwrap();
        assert_eq!((last.rotated_by.as_str(), last.rotation_date), ("bob", d("2026-09-01")));
        let plaid = last_success(&log, "plaid_secret").unwrap();
        assert_eq!(plaid.rotation_date, d("2026-10-03"), "RFC 3339 dates are taken in UTC");
        assert!(last_success(&log, "HF_TOKEN").is_none());
    }

    #[test]
    fn newest_wins_whatever_the_line_order() {
        let text = "{\"secret_name\":\"A\",\"rotated_by\":\"x\",\"rotation_date\":\"2026-09-01\",\"status\":\"success\"}\n\
            {\"secret_name\":\"A\",\"rotated_by\":\"y\",\"rotation_date\":\"2026-03-01\",\"status\":\"success\"}\n\
            {\"secret_name\":\"A\",\"rotated_by\":\"z\",\"rotation_date\":\"2026-09-01\",\"status\":\"success\"}\n";
        let log = parse("l", text).unwrap();
        assert_eq!(last_success(&log, "A").unwrap().rotated_by, "z", "same day: the later line");
    }

    #[test]
    fn malformed_lines_are_reported_never_skipped() {
        let text = "{\"secret_name\":\"A\",\"rotated_by\":\"x\",\"rotation_date\":\"2026-09-01\",\"status\":\"success\"}\n\
            {\"secret_name\":\"A\",\"rotated_by\":\"x\",\"rotation_date\":\"2026-09-01\",\"status\":\"done\"}\n\
            not json\n\
            {\"secret_name\":\"A\",\"rotated_by\":\"x\",\"rotation_date\":\"09/01/2026\",\"status\":\"success\"}\n\
            {\"secret_name\":\"A\",\"rotated_by\":\"x\",\"rotation_date\":\"2026-09-01\",\"status\":\"success\",\"rotated_on\":1}\n\
            {\"secret_name\":\"\",\"rotated_by\":\"x\",\"rotation_date\":\"2026-09-01\",\"status\":\"success\"}\n\
            {\"secret_name\":\"A\",\"rotation_date\":\"2026-09-01\",\"status\":\"success\"}\n";
        let err = parse("log.jsonl", text).unwrap_err();
        let mut lines = vec![err.line()];
        lines.extend(err.others().iter().map(|p| p.line()));
        assert_eq!(lines, vec![Some(2), Some(3), Some(4), Some(5), Some(6), Some(7)]);
        assert_eq!(err.code_name(), codes::BAD_LOG_LINE);
        assert!(err.message().contains("neither `success` nor `failed`"), "{}", err.message());
        assert!(err.others()[2].message().contains("rotated_on"), "{}", err.others()[2].message());
    }

    #[test]
    fn value_spans() {
        let line = r#"{"status" : "do\"ne", "rotation_date":"x", "n": 1}"#;
        assert_eq!(&line[value_span(line, "status").unwrap()], r#""do\"ne""#);
        assert_eq!(&line[value_span(line, "rotation_date").unwrap()], r#""x""#);
        assert_eq!(value_span(line, "n"), None);
        assert_eq!(value_span(line, "note"), None);
        assert_eq!(value_span(line, ""), None);
    }

    fn entry(name: &str, date: &str) -> LogEntry {
        LogEntry {
            secret_name: name.into(),
            rotated_by: "alice".into(),
            rotation_date: d(date),
            rotated_at: None,
            status: RotationStatus::Success,
            note: None,
        }
    }

    #[test]
    fn append_is_atomic_and_keeps_existing_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ops/sub/rotation-log.jsonl");
        append(&path, &[entry("A", "2026-09-01")]).unwrap();
        // An existing log without a final newline, with a line written by hand.
        let hand = "{ \"secret_name\": \"B\", \"rotated_by\": \"bob\", \"rotation_date\": \"2026-01-01\", \"status\": \"failed\" }";
        let before = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{before}{hand}")).unwrap();
        let mut with_note = entry("C", "2026-10-01");
        with_note.note = Some("new \"vault\" path".into());
        with_note.rotated_at = Some("2026-10-01T08:00:00+02:00".parse().unwrap());
        append(&path, &[with_note.clone()]).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            format!(
                "{}\n{hand}\n{}\n",
                r#"{"secret_name":"A","rotated_by":"alice","rotation_date":"2026-09-01","status":"success"}"#,
                r#"{"secret_name":"C","rotated_by":"alice","rotation_date":"2026-10-01T06:00:00Z","status":"success","note":"new \"vault\" path"}"#
            )
        );
        let log = parse("l", &text).unwrap();
        assert_eq!(log[2], with_note);
        let names: Vec<_> =
            std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("rotation-log.jsonl")], "no temp file left");
    }

    #[test]
    fn append_refuses_a_malformed_log_and_bad_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        std::fs::write(&path, "garbage\n").unwrap();
        assert!(matches!(append(&path, &[entry("A", "2026-09-01")]), Err(RotationError::Invalid(_))));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "garbage\n", "untouched");
        let fresh = dir.path().join("fresh.jsonl");
        assert!(append(&fresh, &[entry(" ", "2026-09-01")]).is_err());
        assert!(!fresh.exists());
    }

    #[test]
    fn read_missing_and_present() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        assert!(read_optional(&path).unwrap().is_none());
        assert!(matches!(read(&path), Err(RotationError::Io { .. })));
        std::fs::write(&path, LOG).unwrap();
        assert_eq!(read(&path).unwrap().len(), 4);
    }

    const CSV: &str = "id,secret_name,rotated_by,rotation_date,status,note,created_at\r\n\
        1,JWT_SECRET_KEY,alice,2026-09-01,success,,2026-09-01 10:00:00\r\n\
        2,\"PLAID_SECRET\",\"O'Brien, Pat\",2026-10-02 14:03:11+00,SUCCESS,\"rotated after \"\"sandbox\"\" test, prod next\",2026-10-02\r\n\
        3,DATABASE_ENCRYPTION_KEY,bob,2026-10-05T09:00:00Z,failed,\"KMS\nquota\",2026-10-05\r\n";

    #[test]
    fn csv_import_with_quoted_fields() {
        let rows = import_csv("export.csv", CSV, d("2026-11-25")).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].note, None);
        assert_eq!(rows[1].rotated_by, "O'Brien, Pat");
        assert_eq!(rows[1].note.as_deref(), Some("rotated after \"sandbox\" test, prod next"));
        assert_eq!(rows[1].rotation_date, d("2026-10-02"));
        assert_eq!(rows[1].status, RotationStatus::Success);
        assert_eq!(rows[2].status, RotationStatus::Failed);
        assert_eq!(rows[2].note.as_deref(), Some("KMS\nquota"));
    }

    #[test]
    fn secrets_in_free_text_are_masked_before_the_log() {
        // Built at run time: no token-shaped literal in the source.
        let token = format!("{}{}", "sk_live_", "Vq3ZtR8yLm2Xn6Pc4Wd9Hb7Ks1Jf5Ga0");
        let mut e = entry("STRIPE_SECRET_KEY", "2026-11-01");
        e.rotated_by = format!("bob {token}");
        e.note = Some(format!("old key was {token}, revoked"));
        let (masked, changed) = e.masked();
        assert!(changed);
        assert_eq!(masked.rotated_by, "bob ****5Ga0");
        assert_eq!(masked.note.as_deref(), Some("old key was ****5Ga0, revoked"));
        assert_eq!(
            entry("JWT_SECRET_KEY", "2026-11-01").masked(),
            (entry("JWT_SECRET_KEY", "2026-11-01"), false)
        );
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log.jsonl");
        append(&log, &[e]).unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(!text.contains(&token[8..16]) && text.contains("****5Ga0"), "{text}");
    }

    #[test]
    fn csv_import_appends_once() {
        let dir = tempfile::tempdir().unwrap();
        let csv_path = dir.path().join("export.csv");
        std::fs::write(&csv_path, CSV).unwrap();
        let log = dir.path().join("reports/security/rotation-log.jsonl");
        append(&log, &[entry("HF_TOKEN", "2026-01-01")]).unwrap();
        assert_eq!(
            import(&csv_path, &log, d("2026-11-25")).unwrap(),
            ImportOutcome { added: 3, already_logged: 0, masked: 0 }
        );
        assert_eq!(
            import(&csv_path, &log, d("2026-11-25")).unwrap(),
            ImportOutcome { added: 0, already_logged: 3, masked: 0 }
        );
        let entries = read(&log).unwrap();
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[3].note.as_deref(), Some("KMS\nquota"));
        assert_eq!(entries[0].secret_name, "HF_TOKEN");
    }

    #[test]
    fn csv_problems() {
        let code_lines = |text: &str| {
            let err = import_csv("e.csv", text, d("2026-11-25")).unwrap_err();
            let mut all = vec![(err.code_name(), err.line())];
            all.extend(err.others().iter().map(|p| (p.code_name(), p.line())));
            all
        };
        assert_eq!(
            code_lines("secret_name,rotated_by,status\nA,b,success\n"),
            vec![(codes::BAD_CSV, Some(1))]
        );
        assert_eq!(
            code_lines("secret_name,rotated_by,rotation_date,status,extra\nA,b,2026-01-01,success,x\n"),
            vec![(codes::BAD_CSV, Some(1))]
        );
        assert_eq!(
            code_lines("secret_name,rotated_by,rotation_date,status\nA,b,2026-01-01\nA,b,yesterday,success\nA,b,2026-01-01,ok\n,b,2026-01-01,success\n"),
            vec![(codes::BAD_CSV, Some(2)), (codes::BAD_CSV, Some(3)), (codes::BAD_CSV, Some(4)), (codes::BAD_CSV, Some(5))]
        );
        assert!(import_csv("e.csv", "", d("2026-11-25")).is_err());
    }
}
