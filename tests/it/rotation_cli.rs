//! `hygiene drift` and `hygiene rotation record|import` end to end: exit codes, output,
//! the log they write.
use std::path::{Path, PathBuf};

use crate::{hygiene, write};

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative)
}

const CONFIG: &str = "[rotation]\npolicy_file = \"docs/policy.md\"\nlog = \"ops/rotation-log.jsonl\"\n";
const POLICY: &str = "| Secret | Frequency | Grace | Owner |\n|---|---|---|---|\n\
    | `JWT_SECRET_KEY` | 90 days | 7 days | platform |\n\
    | `ALPACA_SECRET_KEY` | On incident only | 24 hours | trading |\n";

/// A repository with the policy above and `log` as its rotation log.
fn repo(log: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hygiene.toml", CONFIG);
    write(dir.path(), "docs/policy.md", POLICY);
    if !log.is_empty() {
        write(dir.path(), "ops/rotation-log.jsonl", log);
    }
    dir
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn drift_on_the_demo() {
    let out = hygiene().arg("drift").arg(fixture("demo")).args(["--now", "2026-11-25"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().any(|l| l.starts_with("PLAID_SECRET") && l.contains("expired")), "{text}");
    assert!(
        text.ends_with("fail: 1 expired, 1 due soon, 3 incident only, 5 ok (10 keys on 2026-11-25)\n"),
        "{text}"
    );
    let out = hygiene()
        .arg("drift")
        .arg(fixture("demo"))
        .args(["--now", "2026-11-25", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["today"], "2026-11-25");
    assert_eq!(json["counts"]["expired"], 1);
    assert_eq!(json["counts"]["due_soon"], 1);
}

#[test]
fn drift_exit_codes() {
    let ok = r#"{"secret_name":"JWT_SECRET_KEY","rotated_by":"alice","rotation_date":"2026-11-01","status":"success"}"#;
    let dir = repo(ok);
    let drift = |args: &[&str]| hygiene().arg("drift").arg(dir.path()).args(args).output().unwrap();
    assert_eq!(drift(&["--now", "2026-11-25"]).status.code(), Some(0));
    // Due soon only warns.
    assert_eq!(drift(&["--now", "2027-01-28"]).status.code(), Some(0));
    // Overdue (inside grace) and expired fail.
    assert_eq!(drift(&["--now", "2027-01-31"]).status.code(), Some(1));
    assert_eq!(drift(&["--now", "2027-02-07"]).status.code(), Some(1));
    assert_eq!(drift(&["--now", "2026-13-01"]).status.code(), Some(2));
    // An explicit log that does not exist is an error, and so is the configured one.
    assert_eq!(drift(&["--log", "nope.jsonl"]).status.code(), Some(2));
    std::fs::remove_file(dir.path().join("ops/rotation-log.jsonl")).unwrap();
    let out = drift(&["--now", "2026-11-25"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("rotation::missing_log"), "{}", stderr(&out));
    assert!(stderr(&out).contains("rotation-log.jsonl"), "{}", stderr(&out));
    // Only the default log (no `[rotation] log`, no --log) may be missing: a warning, and
    // every scheduled key is never_rotated.
    write(dir.path(), "hygiene.toml", "[rotation]\npolicy_file = \"docs/policy.md\"\n");
    let out = drift(&["--now", "2026-11-25"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no rotation log at"), "{}", stderr(&out));
    assert!(stdout(&out).contains("never_rotated"), "{}", stdout(&out));
}

#[test]
fn drift_errors_point_at_the_file() {
    let dir = repo("{\"secret_name\":\"JWT_SECRET_KEY\"}\n");
    let out = hygiene().arg("drift").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("rotation-log.jsonl:1") && stderr(&out).contains("missing field"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(dir.path().join("docs/policy.md")).unwrap();
    let out = hygiene().arg("drift").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("docs/policy.md"), "{}", stderr(&out));
    let empty = tempfile::tempdir().unwrap();
    let out = hygiene().arg("drift").arg(empty.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no rotation policy"), "{}", stderr(&out));
    write(empty.path(), "docs/p.md", "| Secret | Frequency |\n|---|---|\n| A | sometimes |\n");
    let out = hygiene()
        .arg("drift")
        .arg(empty.path())
        .arg("--policy")
        .arg(empty.path().join("docs/p.md"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a rotation frequency"), "{}", stderr(&out));
}

#[test]
fn drift_marks_keys_leaked_from_a_scan_report() {
    let dir = repo(
        r#"{"secret_name":"JWT_SECRET_KEY","rotated_by":"alice","rotation_date":"2026-11-01","status":"success"}"#,
    );
    // A complete version 1 report (drift reads it through the report's serde types).
    let finding = |rule_id: &str, file: &str, line: u64| {
        serde_json::json!({
            "rule_id": rule_id, "description": "d", "severity": "high", "file": file, "line": line,
            "column": 1, "end_line": line, "masked": "****ABCD", "fingerprint": "0123456789abcdef"
        })
    };
    let report = serde_json::json!({
        "schema_version": 1,
        "tool": { "name": "hygiene", "version": "0.1.0" },
        "status": "fail",
        "generated_at": "2026-11-25T00:00:00Z",
        "root": ".",
        "scopes": ["docs/**"],
        "stats": { "files_scanned": 2, "files_skipped": {}, "bytes_scanned": 10, "duration_ms": 1, "rules": 1 },
        "findings": [
            finding("alpaca.secret-key", "data/bot1/logs/app.log", 3),
            finding("db.connection-url", "docs/runbook.md", 9)
        ],
        "errors": []
    });
    write(dir.path(), "latest.json", report.to_string());
    let out = hygiene()
        .arg("drift")
        .arg(dir.path())
        .args(["--now", "2026-11-25", "--report"])
        .arg(dir.path().join("latest.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.lines().any(|l| l.starts_with("ALPACA_SECRET_KEY") && l.contains("leaked")), "{text}");
    assert!(text.contains("alpaca.secret-key at data/bot1/logs/app.log:3"), "{text}");
}

#[test]
fn record_appends_in_the_policy_spelling() {
    let dir = repo("");
    let record = |args: &[&str]| {
        hygiene().args(["rotation", "record"]).args(args).arg("--root").arg(dir.path()).output().unwrap()
    };
    let out = record(&["jwt_secret_key", "--by", "alice", "--date", "2026-11-01", "--note", "CHG-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("recorded: JWT_SECRET_KEY rotated by alice on 2026-11-01 (success)"),
        "{}",
        stdout(&out)
    );
    let out = record(&["JWT_SECRET_KEY", "--by", "bob", "--date", "2026-11-02", "--status", "failed"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = std::fs::read_to_string(dir.path().join("ops/rotation-log.jsonl")).unwrap();
    assert_eq!(
        log,
        "{\"secret_name\":\"JWT_SECRET_KEY\",\"rotated_by\":\"alice\",\"rotation_date\":\"2026-11-01\",\"status\":\"success\",\"note\":\"CHG-1\"}\n\
         {\"secret_name\":\"JWT_SECRET_KEY\",\"rotated_by\":\"bob\",\"rotation_date\":\"2026-11-02\",\"status\":\"failed\"}\n"
    );
    // A name the policy does not list is refused unless asked for; future dates are refused.
    let out = record(&["JWT_SECRT_KEY", "--by", "alice"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not in the rotation policy"), "{}", stderr(&out));
    assert_eq!(record(&["LEGACY_KEY", "--by", "alice", "--allow-unknown"]).status.code(), Some(0));
    let out = record(&["JWT_SECRET_KEY", "--by", "alice", "--date", "2999-01-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("in the future"), "{}", stderr(&out));
    assert_eq!(record(&["JWT_SECRET_KEY", "--by", "alice", "--status", "maybe"]).status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ops/rotation-log.jsonl")).unwrap().lines().count(),
        3
    );
    // The failed attempt did not restart the clock: drift goes by 2026-11-01.
    let out = hygiene()
        .arg("drift")
        .arg(dir.path())
        .args(["--now", "2026-11-25", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["keys"][0]["last_rotated"], "2026-11-01");
    assert_eq!(json["keys"][0]["last_failed"], "2026-11-02");
    assert_eq!(json["unknown_log_names"], serde_json::json!(["LEGACY_KEY"]));
}

#[test]
fn import_appends_a_csv_export_once() {
    let dir = repo("");
    let import = || {
        hygiene()
            .args(["rotation", "import"])
            .arg(fixture("rotation/rotation-log-export.csv"))
            .arg("--root")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = import();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("imported 3 rows into "), "{}", stdout(&out));
    // PLAID_SECRET is not in this policy: a warning, not an error (the export is history).
    assert!(stderr(&out).contains("`PLAID_SECRET`"), "{}", stderr(&out));
    let out = import();
    assert!(
        stdout(&out).starts_with("imported 0 rows into ") && stdout(&out).contains("(3 already logged)"),
        "{}",
        stdout(&out)
    );
    // A row dated in the future (a typo: 2062) refuses the whole import, as `record` does.
    let future = dir.path().join("future.csv");
    std::fs::write(
        &future,
        "secret_name,rotated_by,rotation_date,status\nJWT_SECRET_KEY,alice,2026-09-01,success\nJWT_SECRET_KEY,alice,2062-09-01,success\n",
    )
    .unwrap();
    let before = std::fs::read(dir.path().join("ops/rotation-log.jsonl")).unwrap();
    let out =
        hygiene().args(["rotation", "import"]).arg(&future).arg("--root").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("2062-09-01 is in the future"), "{}", stderr(&out));
    assert!(stderr(&out).contains("future.csv:3"), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.path().join("ops/rotation-log.jsonl")).unwrap(), before);
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "secret_name,rotated_by,rotation_date,status\nA,\"b,2026-01-01,success\n").unwrap();
    let out =
        hygiene().args(["rotation", "import"]).arg(&bad).arg("--root").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("never closed"), "{}", stderr(&out));
}
