//! Key rotation through the library: the demo's policy table and log, header and cell
//! variants, diagnostics for a broken table or log, CSV import, the human drift table.
use std::path::{Path, PathBuf};

use jiff::civil::{date, Date};
use secrets_hygiene::config::Config;
use secrets_hygiene::rotation::drift::{self, Basis, BlockingSet, Leak, Status};
use secrets_hygiene::rotation::log::{self, RotationStatus};
use secrets_hygiene::rotation::{self, codes, render, Grace, Interval};

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(relative)
}

use crate::render_diagnostic;

/// The demo's drift on `today`.
fn demo_drift(today: Date) -> Vec<drift::DriftRow> {
    let root = fixture("demo");
    let (config, text) = Config::read(&root).unwrap();
    let config = config.rotation;
    let policy = rotation::load_policy(&root, &config, None, text.as_deref()).unwrap();
    let log = log::read(&config.log_path(&root)).unwrap();
    drift::compute(&policy, &log, &[], today, config.reminders())
}

#[test]
fn demo_on_2026_11_25_has_one_expired_and_one_due_soon_key() {
    let rows = demo_drift(date(2026, 11, 25));
    let statuses: Vec<(&str, Status)> = rows.iter().map(|r| (r.name.as_str(), r.status)).collect();
    assert_eq!(
        statuses,
        vec![
            ("JWT_SECRET_KEY", Status::DueSoon),
            ("DATABASE_ENCRYPTION_KEY", Status::Ok),
            ("ALPACA_API_KEY", Status::IncidentOnly),
            ("ALPACA_SECRET_KEY", Status::IncidentOnly),
            ("BITGET_API_KEY", Status::Ok),
            ("BITGET_SECRET_KEY", Status::Ok),
            ("BITGET_PASSPHRASE", Status::Ok),
            ("PLAID_SECRET", Status::Expired),
            ("HF_TOKEN", Status::IncidentOnly),
            ("REDIS_PASSWORD", Status::Ok),
        ]
    );
    let plaid = &rows[7];
    assert_eq!(plaid.last_rotated, Some(date(2026, 7, 20)), "the failed attempt does not count");
    assert_eq!(plaid.last_failed, Some(date(2026, 11, 20)));
    let redis = &rows[9];
    assert_eq!((redis.basis, redis.last_rotated), (Some(Basis::NextRotation), Some(date(2026, 9, 2))));
    assert_eq!(redis.grace, Grace::days(90), "inherited from the database key type");
    assert_eq!(rows[2].grace, Grace::hours(24));
    assert!(rows.iter().all(|r| r.next_rotation_mismatch.is_none()));
    assert!(drift::needs_action(&rows));
    let blocking: Vec<&str> =
        rows.iter().filter(|r| r.blocks(&BlockingSet::default())).map(|r| r.name.as_str()).collect();
    assert_eq!(blocking, vec!["PLAID_SECRET"]);
}

#[test]
fn demo_human_table() {
    let rows = demo_drift(date(2026, 11, 25));
    insta::assert_snapshot!(render::human(&rows, date(2026, 11, 25), &[]));
}

#[test]
fn demo_with_leaks_and_log_problems() {
    let root = fixture("demo");
    let (config, text) = Config::read(&root).unwrap();
    let config = config.rotation;
    let policy = rotation::load_policy(&root, &config, None, text.as_deref()).unwrap();
    let mut log = log::read(&config.log_path(&root)).unwrap();
    log.push(log::LogEntry {
        secret_name: "JWT_SECRT_KEY".into(),
        rotated_by: "mallory".into(),
        rotation_date: date(2026, 11, 24),
        rotated_at: None,
        status: RotationStatus::Success,
        note: None,
    });
    let rules = secrets_hygiene::rules::RuleSet::builtin().unwrap();
    let prefixes = rules.env_prefixes("alpaca.secret-key");
    let leaked = drift::attribute_rule("alpaca.secret-key", &prefixes, &policy).unwrap();
    let leaks = [Leak {
        secret_name: leaked.name.clone(),
        rule_id: "alpaca.secret-key".into(),
        file: "data/bot1/logs/app.log".into(),
        line: 3,
        seen_on: Some(date(2026, 11, 21)),
        known_value: false,
    }];
    let rows = drift::compute(&policy, &log, &leaks, date(2026, 11, 25), config.reminders());
    let unknown = drift::unknown_log_names(&policy, &log);
    assert_eq!(unknown, vec!["JWT_SECRT_KEY"]);
    assert_eq!(rows[3].status, Status::Leaked);
    insta::assert_snapshot!(render::human(&rows, date(2026, 11, 25), &unknown));
    let json: serde_json::Value =
        serde_json::from_str(&render::json(&rows, date(2026, 11, 25), &unknown)).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["status"], "fail");
    assert_eq!(json["counts"]["leaked"], 1);
    assert_eq!(json["keys"][3]["leaks"][0]["seen_on"], "2026-11-21");
    assert_eq!(json["keys"][7]["due"], "2026-10-18");
    assert_eq!(json["keys"][7]["last_failed"], "2026-11-20");
    assert_eq!(json["keys"][2]["interval_days"], serde_json::Value::Null);
    assert_eq!(json["unknown_log_names"][0], "JWT_SECRT_KEY");
}

/// (name, interval, grace, next rotation, owner, key type)
type Fields<'a> = (&'a str, Interval, Grace, Option<Date>, Option<&'a str>, Option<&'a str>);

#[test]
fn header_and_cell_variants() {
    let text = std::fs::read_to_string(fixture("rotation/policy-variants.md")).unwrap();
    let policy = rotation::parse_markdown("policy-variants.md", &text).unwrap();
    let got: Vec<Fields<'_>> = policy
        .iter()
        .map(|e| {
            (e.name.as_str(), e.interval, e.grace, e.next_rotation, e.owner.as_deref(), e.key_type.as_deref())
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("SESSION_SIGNING_KEY", Interval::Every(30), Grace::days(7), None, Some("web"), Some("session")),
            (
                "WEBHOOK_TOKEN",
                Interval::Every(30),
                Grace::hours(36),
                Some(date(2026, 12, 20)),
                Some("integrations"),
                None
            ),
            (
                "BOT<n>_BITGET_API_KEY",
                Interval::Every(90),
                Grace::days(7),
                Some(date(2027, 1, 8)),
                Some("trading"),
                Some("token")
            ),
            ("SSE_FILE_KEY", Interval::Every(365), Grace::NONE, None, Some("platform"), Some("file")),
        ]
    );
    assert_eq!(
        drift::attribute("export BOT2_BITGET_API_KEY", &policy).map(|e| e.name.as_str()),
        Some("BOT<n>_BITGET_API_KEY")
    );
    assert_eq!(policy[1].source.to_string(), "policy-variants.md:18");
}

#[test]
fn malformed_table_diagnostic() {
    let text = std::fs::read_to_string(fixture("rotation/malformed-policy.md")).unwrap();
    let err = rotation::parse_markdown("docs/key-rotation-policy.md", &text).unwrap_err();
    let codes_found: Vec<&str> =
        std::iter::once(err.code_name()).chain(err.others().iter().map(|p| p.code_name())).collect();
    assert_eq!(codes_found, vec![codes::BAD_FREQUENCY, codes::BAD_GRACE, codes::MISSING_CELL]);
    insta::assert_snapshot!(render_diagnostic(&err));
}

#[test]
fn missing_table_and_unknown_key_type() {
    let err = rotation::parse_markdown("docs/empty.md", "# Nothing here\n").unwrap_err();
    insta::assert_snapshot!(render_diagnostic(&err));
    let config_text = "[rotation]\n[[rotation.policy]]\nname = \"SESSION_KEY\"\nkey_type = \"sesion\"\n";
    let config = Config::parse("hygiene.toml", config_text).unwrap().rotation;
    let err = rotation::build_policy(None, &config, Some(("hygiene.toml", config_text))).unwrap_err();
    insta::assert_snapshot!(render_diagnostic(&err));
}

/// `(code, line)` of every problem in a diagnostic.
fn problems(err: &rotation::Problem) -> Vec<(&'static str, Option<u64>)> {
    std::iter::once(err).chain(err.others()).map(|p| (p.code_name(), p.line())).collect()
}

#[test]
fn a_table_that_lost_its_rows_is_an_error_never_no_keys() {
    let header = "| Secret | Rotation Frequency | Owner |\n|---|---|---|\n";
    let rows = "| `JWT_SECRET_KEY` | 90 days | platform |\n| `PLAID_SECRET` | 90 days | treasury |\n";
    // A blank line between the header and the rows: the header alone is a table.
    let split = format!("# Policy\n\n{header}\n{rows}");
    let err = rotation::parse_markdown("p.md", &split).unwrap_err();
    assert_eq!(
        problems(&err),
        vec![(codes::EMPTY_TABLE, Some(3)), (codes::STRAY_ROW, Some(6)), (codes::STRAY_ROW, Some(7))]
    );
    // A blank line in the middle: the rows after it are not silently dropped.
    let middle = format!("{header}| `A_KEY` | monthly | x |\n\n{rows}\nSome text.\n");
    let err = rotation::parse_markdown("p.md", &middle).unwrap_err();
    assert_eq!(problems(&err), vec![(codes::STRAY_ROW, Some(5)), (codes::STRAY_ROW, Some(6))]);
    // A table cut short after its header (a truncated file), or rows whose cells are all empty.
    for cut in [header.to_string(), format!("{header}| | | |\n")] {
        let err = rotation::parse_markdown("p.md", &cut).unwrap_err();
        assert_eq!(problems(&err), vec![(codes::EMPTY_TABLE, Some(1))], "{cut}");
    }
    // A row cut mid-way is a missing cell (or a bad value when cut inside its last cell).
    let err = rotation::parse_markdown("p.md", &format!("{header}| `A_KEY` | month")).unwrap_err();
    assert_eq!(problems(&err), vec![(codes::MISSING_CELL, Some(3))]);
    let err = rotation::parse_markdown("p.md", &format!("{header}| `A_KEY` | 90 da | x")).unwrap_err();
    assert_eq!(problems(&err), vec![(codes::BAD_FREQUENCY, Some(3))]);
    let err = rotation::parse_markdown("p.md", &format!("{header}| `A_KEY` | monthly")).unwrap_err();
    assert_eq!(problems(&err), vec![(codes::MISSING_CELL, Some(3))]);
    // A heading ends the policy's section: a later table-like line is not its row; a whole
    // table and other tables after it are fine.
    let ok = format!("{header}{rows}\n## Ports\n\n| Port | Use |\n|---|---|\n| 22 | ssh |\n");
    assert_eq!(rotation::parse_markdown("p.md", &ok).unwrap().len(), 2);
}

#[test]
fn a_configured_policy_with_no_keys_is_an_error() {
    let config = rotation::RotationConfig::default();
    // A table whose only rows are blank: no key.
    let blank = "| Secret | Interval |\n|---|---|\n|  |  |\n";
    let err = rotation::build_policy(Some(("p.md", blank)), &config, None).unwrap_err();
    assert_eq!(problems(&err), vec![(codes::EMPTY_TABLE, Some(1))]);
    assert!(err.to_string().contains("the policy table has no rows"), "{err}");
    // Nothing at all to build from.
    let err = rotation::build_policy(None, &config, None).unwrap_err();
    assert_eq!(problems(&err), vec![(codes::NO_KEYS, None)]);
}

#[test]
fn malformed_log_diagnostic() {
    let path = fixture("rotation/malformed-log.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let err = log::parse("ops/rotation-log.jsonl", &text).unwrap_err();
    assert_eq!((err.line(), err.others().len()), (Some(2), 1));
    insta::assert_snapshot!(render_diagnostic(&err));
    assert!(matches!(log::read(&path), Err(rotation::RotationError::Invalid(_))));
}

#[test]
fn csv_import_into_a_new_log() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("reports/security/rotation-log.jsonl");
    let outcome =
        log::import(&fixture("rotation/rotation-log-export.csv"), &log_path, jiff::civil::date(2026, 11, 25))
            .unwrap();
    assert_eq!((outcome.added, outcome.already_logged), (3, 0));
    let entries = log::read(&log_path).unwrap();
    assert_eq!(entries[1].rotated_by, "O'Neil, Dana");
    assert_eq!(entries[1].note.as_deref(), Some("CHG-1187, approved by \"treasury\""));
    assert_eq!(entries[1].rotation_date, date(2026, 7, 20));
    assert_eq!(entries[2].status, RotationStatus::Failed);
    assert_eq!(entries[2].note.as_deref(), Some("dashboard 2FA device lost\nretry after replacement"));
    assert_eq!(log::last_success(&entries, "plaid_secret").unwrap().rotation_date, date(2026, 7, 20));
    let text = std::fs::read_to_string(&log_path).unwrap();
    assert_eq!(text.lines().count(), 3, "one JSON object per line:\n{text}");
    assert!(text.contains(r#""rotation_date":"2026-07-20T16:45:00Z""#), "{text}");
    // Importing the same export again adds nothing.
    let again =
        log::import(&fixture("rotation/rotation-log-export.csv"), &log_path, jiff::civil::date(2026, 11, 25))
            .unwrap();
    assert_eq!((again.added, again.already_logged), (0, 3));
    assert_eq!(std::fs::read_to_string(&log_path).unwrap(), text);
}

#[test]
fn the_policy_doc_names_keys_but_holds_no_values() {
    // The demo's policy page is scanned like every doc: it must not add findings.
    let text = std::fs::read_to_string(fixture("demo/docs/key-rotation-policy.md")).unwrap();
    let detector =
        secrets_hygiene::detect::Detector::new(secrets_hygiene::rules::RuleSet::builtin().unwrap()).unwrap();
    assert!(detector.find(text.as_bytes()).is_empty());
}
