//! The release gate end to end on a copy of the demo: fails for the documented reasons,
//! passes once the leaks are gone and the expired key is rotated, and fails closed on bad input.
use std::path::{Path, PathBuf};

use crate::{hygiene, write};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo"), &root);
    let _ = std::fs::remove_dir_all(root.join("reports/security"));
    (dir, root)
}

/// Deletes the demo's files that hold planted leaks.
fn remove_leaks(root: &Path) {
    for leaking in [
        "data/bot1/logs/app.log",
        "data/bot2/logs/app.log.1.gz",
        "docs/runbook-database.md",
        "reports/reconciliation/2026-11-20.json",
    ] {
        std::fs::remove_file(root.join(leaking)).unwrap();
    }
}

fn gate(root: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let out = hygiene()
        .arg("gate")
        .arg(root)
        .args(["--include-logs", "--now", "2026-11-25"])
        .args(extra)
        .output()
        .unwrap();
    let report = std::fs::read(root.join("reports/security/latest.json")).unwrap();
    (out.status.code().unwrap(), serde_json::from_slice(&report).unwrap())
}

fn reasons(report: &serde_json::Value) -> Vec<(String, String)> {
    report["gate"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap().to_string(), r["message"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn demo_fails_for_the_documented_reasons() {
    let (_dir, root) = demo_copy();
    let (code, report) = gate(&root, &[]);
    assert_eq!(code, 1);
    assert_eq!(report["status"], "fail");
    assert_eq!(report["gate"]["verdict"], "fail");
    assert_eq!(report["gate"]["now"], "2026-11-25");
    let reasons = reasons(&report);
    assert_eq!(reasons[0].0, "findings");
    let rotation: Vec<&str> = reasons.iter().filter(|r| r.0 == "rotation").map(|r| r.1.as_str()).collect();
    assert!(rotation.iter().any(|m| m.starts_with("PLAID_SECRET expired")), "{rotation:?}");
    assert!(rotation.iter().any(|m| m.starts_with("ALPACA_SECRET_KEY leaked")), "{rotation:?}");
    assert!(rotation.iter().any(|m| m.starts_with("BITGET_SECRET_KEY leaked")), "{rotation:?}");
    assert_eq!(report["gate"]["keys"]["due_soon"], serde_json::json!(["JWT_SECRET_KEY"]));
    assert!(report["gate"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w.as_str().unwrap().contains("JWT_SECRET_KEY")));
    assert_eq!(report["gate"]["findings_by_rule"]["db.connection-url"], 1);
    assert_eq!(report["gate"]["rotation"]["today"], "2026-11-25");
}

#[test]
fn passes_after_leaks_are_removed_and_the_expired_key_rotated() {
    let (_dir, root) = demo_copy();
    remove_leaks(&root);
    let (code, report) = gate(&root, &[]);
    assert_eq!(code, 1, "PLAID_SECRET is still expired: {:?}", reasons(&report));
    let log = root.join("ops/rotation-log.jsonl");
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("{\"secret_name\":\"PLAID_SECRET\",\"rotated_by\":\"dana\",\"rotation_date\":\"2026-11-25\",\"status\":\"success\"}\n");
    std::fs::write(&log, text).unwrap();
    let (code, report) = gate(&root, &[]);
    assert_eq!(code, 0, "{:?}", reasons(&report));
    assert_eq!(report["status"], "pass");
    // due_soon warns but does not block.
    assert!(!report["gate"]["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn what_blocks_is_configurable() {
    let (_dir, root) = demo_copy();
    remove_leaks(&root);
    let config = std::fs::read_to_string(root.join("hygiene.toml")).unwrap();
    write(&root, "hygiene.toml", format!("{config}\n[gate]\nblock = [\"leaked\", \"due_soon\"]\n"));
    let (code, report) = gate(&root, &[]);
    assert_eq!(code, 1);
    let rotation: Vec<String> = reasons(&report).into_iter().map(|r| r.1).collect();
    assert!(rotation.iter().any(|m| m.starts_with("JWT_SECRET_KEY due soon")), "{rotation:?}");
    assert!(!rotation.iter().any(|m| m.starts_with("PLAID_SECRET")), "{rotation:?}");
}

#[test]
fn corrupt_log_and_missing_policy_fail_closed() {
    let (_dir, root) = demo_copy();
    let log = root.join("ops/rotation-log.jsonl");
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("{\"secret_name\": \"JWT_SECRET_KEY\", \"rotated_by\": \n");
    std::fs::write(&log, text).unwrap();
    let (code, report) = gate(&root, &[]);
    assert_eq!(code, 2);
    assert_eq!(report["status"], "fail");
    assert!(reasons(&report).iter().any(|r| r.0 == "rotation_error"));

    let (_dir2, root2) = demo_copy();
    std::fs::remove_file(root2.join("docs/key-rotation-policy.md")).unwrap();
    let (code, report) = gate(&root2, &[]);
    assert_eq!(code, 2);
    assert_eq!(report["status"], "fail");
    assert!(reasons(&report)
        .iter()
        .any(|r| r.0 == "rotation_error" && r.1.contains("key-rotation-policy.md")));
}

#[test]
fn a_log_entry_dated_after_now_fails_closed_for_its_key() {
    // PLAID_SECRET is expired on 2026-11-25; a typo'd rotation (2062 for 2026) must not make it
    // `ok` with a negative age and let the gate pass.
    let (_dir, root) = demo_copy();
    remove_leaks(&root);
    let log = root.join("ops/rotation-log.jsonl");
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("{\"secret_name\":\"PLAID_SECRET\",\"rotated_by\":\"dana\",\"rotation_date\":\"2062-11-20\",\"status\":\"success\"}\n");
    std::fs::write(&log, text).unwrap();
    let (code, report) = gate(&root, &[]);
    assert_eq!(code, 2, "{:?}", reasons(&report));
    assert_eq!(report["status"], "fail");
    let errors: Vec<String> =
        reasons(&report).into_iter().filter(|r| r.0 == "rotation_error").map(|r| r.1).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("PLAID_SECRET: the rotation log has an entry dated after 2026-11-25"));
    assert!(errors[0].contains("2062-11-20"), "{errors:?}");
    let plaid = &report["gate"]["rotation"]["keys"].as_array().unwrap()[7];
    assert_eq!(plaid["name"], "PLAID_SECRET");
    assert_eq!(plaid["status"], "expired", "the future entry is not evidence of a rotation");
    assert_eq!(plaid["future_entries"], serde_json::json!(["2062-11-20"]));

    // drift: the same error, exit 2.
    let out = hygiene().arg("drift").arg(&root).args(["--now", "2026-11-25"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("error: PLAID_SECRET: the rotation log has an entry dated after 2026-11-25"),
        "{stdout}"
    );
}

#[test]
fn a_configured_rotation_log_that_is_missing_fails_closed() {
    // The demo configures `log = "ops/rotation-log.jsonl"`: without it the keys would fall
    // back to the table's Next Rotation dates and PLAID_SECRET would look rotated on paper.
    let (_dir, root) = demo_copy();
    remove_leaks(&root);
    std::fs::remove_file(root.join("ops/rotation-log.jsonl")).unwrap();
    let (code, report) = gate(&root, &[]);
    assert_eq!(code, 2, "{:?}", reasons(&report));
    assert_eq!(report["status"], "fail");
    assert!(
        reasons(&report).iter().any(|r| r.0 == "rotation_error"
            && r.1.contains("ops/rotation-log.jsonl")
            && r.1.contains("does not exist")),
        "{:?}",
        reasons(&report)
    );
    // --log naming a missing file: the same.
    let (_dir, root) = demo_copy();
    remove_leaks(&root);
    let (code, report) = gate(&root, &["--log", "/nonexistent/rotation-log.jsonl"]);
    assert_eq!(code, 2, "{:?}", reasons(&report));
    // The unconfigured default may be missing: a warning in the report, not a silent fallback.
    let (_dir, root) = demo_copy();
    remove_leaks(&root);
    std::fs::remove_file(root.join("ops/rotation-log.jsonl")).unwrap();
    let config = std::fs::read_to_string(root.join("hygiene.toml")).unwrap();
    let config: String =
        config.lines().filter(|l| !l.trim_start().starts_with("log ")).map(|l| format!("{l}\n")).collect();
    write(&root, "hygiene.toml", config);
    let (_, report) = gate(&root, &[]);
    assert!(!reasons(&report).iter().any(|r| r.0 == "rotation_error"), "{:?}", reasons(&report));
    assert!(
        report["gate"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("no rotation log at")),
        "{report}"
    );
}

#[test]
fn a_policy_table_that_lost_its_rows_fails_closed() {
    // A blank line between the header and the rows: 0 keys would read `pass: no keys`.
    let (_dir, root) = demo_copy();
    remove_leaks(&root);
    let policy = root.join("docs/key-rotation-policy.md");
    let text = std::fs::read_to_string(&policy).unwrap();
    let delimiter = text.lines().find(|l| l.starts_with("|--") || l.starts_with("| --")).unwrap();
    std::fs::write(&policy, text.replacen(&format!("{delimiter}\n"), &format!("{delimiter}\n\n"), 1))
        .unwrap();
    let (code, report) = gate(&root, &[]);
    assert_eq!(code, 2, "{:?}", reasons(&report));
    assert!(
        reasons(&report).iter().any(|r| r.0 == "rotation_error" && r.1.contains("rotation::empty_table")),
        "{:?}",
        reasons(&report)
    );
    let out = hygiene().arg("drift").arg(&root).args(["--now", "2026-11-25"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("no keys"));
}

#[test]
fn an_empty_scope_fails_the_gate_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/readme.md", "nothing secret\n");
    let run = |extra: &[&str]| {
        let out = hygiene()
            .arg("gate")
            .arg(dir.path())
            .args(["--no-report", "--format", "json", "--scope", "/etc/**"])
            .args(extra)
            .output()
            .unwrap();
        (out.status.code().unwrap(), serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap())
    };
    let (code, report) = run(&[]);
    assert_eq!(code, 2, "{report}");
    assert_eq!(report["status"], "fail");
    assert_eq!(reasons(&report)[0].0, "empty_scope");
    assert!(reasons(&report)[0].1.starts_with("scope `/etc/**` matched no file"), "{report}");
    // Every CI format shows it.
    let out = hygiene()
        .arg("gate")
        .arg(dir.path())
        .args(["--no-report", "--format", "github", "--scope", "/etc/**"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("::error title=hygiene empty_scope::scope `/etc/**` matched no file"), "{text}");
    assert!(!text.contains("::notice"), "{text}");
    // Told the scope may be empty: a warning, and the gate passes.
    let (code, report) = run(&["--allow-empty-scope"]);
    assert_eq!(code, 0, "{report}");
    assert!(report["gate"]["warnings"].to_string().contains("matched no file"), "{report}");
    write(dir.path(), "hygiene.toml", "[gate]\nallow_empty_scope = true\n");
    assert_eq!(run(&[]).0, 0);
}

#[test]
fn clean_repository_without_policy_passes_with_a_warning_unless_required() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/readme.md", "nothing secret\n");
    let out = hygiene().arg("gate").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no rotation policy configured"));
    write(dir.path(), "hygiene.toml", "[gate]\nrequire_policy = true\n");
    let out = hygiene().arg("gate").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn known_value_from_the_environment_marks_a_leak() {
    let dir = tempfile::tempdir().unwrap();
    let value = format!("bg_{}", "0123abcd".repeat(4).chars().rev().collect::<String>());
    write(
        dir.path(),
        "docs/p.md",
        "| Secret | Rotation Frequency |\n|---|---|\n| BOT9_SECRET | On incident only |\n",
    );
    write(dir.path(), "hygiene.toml", "[rotation]\npolicy_file = \"docs/p.md\"\n");
    write(dir.path(), "reports/r.md", format!("client = Client('{value}')\n"));
    let out = hygiene()
        .arg("gate")
        .arg(dir.path())
        .args(["--known-env", "BOT9_*", "--now", "2026-11-25", "--format", "json", "--no-report"])
        .env("BOT9_SECRET", &value)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["gate"]["keys"]["leaked"], serde_json::json!(["BOT9_SECRET"]), "{report}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&value));
}
