//! The library's entry points directly: a [`ScanRequest`] and a [`GateRequest`] make the same
//! decisions and the same report as `hygiene scan` and `hygiene gate`, and `drift` attributes
//! leaks through the typed report with the gate's attribution function.
use std::path::{Path, PathBuf};

use secrets_hygiene::config::Config;
use secrets_hygiene::report::{Format, Report};
use secrets_hygiene::rotation::{self, leaks};
use secrets_hygiene::rules::RuleSet;
use secrets_hygiene::run::{Context, ExitStatus, GateRequest, ReportTarget, ScanRequest};

use crate::{hygiene, write};

/// The key `hygiene()` sets, a fixed clock and no key store: what a test run of the CLI has.
fn context() -> Context {
    Context {
        fingerprint_key: Some("test-key".into()),
        config_dir: None,
        cores: 2,
        clock: || "2026-11-25T12:00:00Z".parse().unwrap(),
    }
}

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

/// A report as JSON with what differs between two runs of the same scan (the time it was
/// written, how long it took) blanked.
fn comparable(mut report: serde_json::Value) -> serde_json::Value {
    report["generated_at"] = serde_json::Value::Null;
    report["stats"]["duration_ms"] = serde_json::Value::Null;
    report
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_scan_request_writes_the_report_the_cli_writes() {
    let (dir, root) = demo_copy();
    let cli_report = dir.path().join("cli.json");
    let out = hygiene()
        .arg("scan")
        .arg(&root)
        .arg("--include-logs")
        .arg("--report")
        .arg(&cli_report)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));

    let lib_report = dir.path().join("lib.json");
    let request = ScanRequest {
        include_logs: true,
        report: ReportTarget::Path(lib_report.clone()),
        ..ScanRequest::new(&root)
    };
    let run = request.run(&context(), &|_| {}).unwrap();
    assert_eq!(run.exit_status(), ExitStatus::Fail);
    assert_eq!(run.report.generated_at, "2026-11-25T12:00:00Z");
    assert!(!run.report.findings.is_empty());
    // The file written is the report returned, and the CLI's apart from time and duration.
    assert_eq!(read_json(&lib_report), serde_json::to_value(&run.report).unwrap());
    assert_eq!(comparable(read_json(&lib_report)), comparable(read_json(&cli_report)));
    // What the CLI printed is the library's rendering.
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rendered: serde_json::Value = serde_json::from_str(&run.render(Format::Json)).unwrap();
    assert_eq!(comparable(printed), comparable(rendered));
}

#[test]
fn a_scan_request_takes_scopes_before_the_config_and_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "hygiene.toml", "scopes = [\"notes/**\"]\n");
    write(root, "notes/a.md", "nothing here\n");
    write(root, "docs/b.md", "nothing here either\n");
    let run = ScanRequest { report: ReportTarget::None, ..ScanRequest::new(root) }
        .run(&context(), &|_| {})
        .unwrap();
    assert_eq!(run.scopes, vec!["notes/**"]);
    assert_eq!(run.outcome.files, vec!["notes/a.md"]);
    let request = ScanRequest {
        scopes: vec!["docs/**".into()],
        include_logs: true,
        report: ReportTarget::None,
        ..ScanRequest::new(root)
    };
    let run = request.run(&context(), &|_| {}).unwrap();
    assert_eq!(run.scopes, vec!["docs/**", "data/*/logs/**"]);
    assert_eq!(run.outcome.files, vec!["docs/b.md"]);
    assert_eq!(run.exit_status(), ExitStatus::Pass);
    // No report file anywhere under the root.
    assert!(!root.join("reports").exists());
}

#[test]
fn a_scan_request_with_files_and_none_given_has_nothing_to_scan() {
    let request = ScanRequest { files: true, ..ScanRequest::default() };
    assert!(request.nothing_to_scan());
    assert!(!ScanRequest::new(".").nothing_to_scan());
}

#[test]
fn a_gate_request_gives_the_cli_gate_report() {
    let (dir, root) = demo_copy();
    let cli_report = dir.path().join("cli.json");
    let out = hygiene()
        .arg("gate")
        .arg(&root)
        .args(["--include-logs", "--now", "2026-11-25", "--report"])
        .arg(&cli_report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));

    let request = GateRequest {
        scan: ScanRequest { include_logs: true, report: ReportTarget::None, ..ScanRequest::new(&root) },
        today: Some(jiff::civil::date(2026, 11, 25)),
        ..GateRequest::default()
    };
    let run = request.run(&context(), &|_| {}).unwrap();
    assert_eq!(run.exit_status(), ExitStatus::Fail);
    assert!(!run.verdict.pass);
    let gate = run.scan.report.gate.as_ref().expect("the report has a gate section");
    assert_eq!(gate.now, "2026-11-25");
    assert!(gate.reasons.iter().any(|r| r.kind == "findings"), "{:?}", gate.reasons);
    assert_eq!(
        comparable(serde_json::to_value(&run.scan.report).unwrap()),
        comparable(read_json(&cli_report))
    );
    // The human rendering ends with the verdict and every reason, as the CLI prints it.
    let human = run.render(Format::Human);
    assert_eq!(human.matches("  - [").count(), run.verdict.reasons.len());
    assert!(human.contains(&format!("gate: FAIL ({} reason(s))", run.verdict.reasons.len())));
    // After the scan summary (which carries the duration) the CLI printed exactly this.
    let after_summary = |text: &str| text.split_once(" s\n").expect("a summary line").1.to_string();
    assert_eq!(after_summary(&String::from_utf8_lossy(&out.stdout)), after_summary(&human));
}

#[test]
fn drift_attributes_leaks_through_the_typed_report_as_the_gate_does() {
    let (_dir, root) = demo_copy();
    let request = GateRequest {
        scan: ScanRequest { include_logs: true, ..ScanRequest::new(&root) },
        today: Some(jiff::civil::date(2026, 11, 25)),
        ..GateRequest::default()
    };
    let run = request.run(&context(), &|_| {}).unwrap();
    // The report the gate wrote, read back through its serde types.
    let report = Report::read(&run.scan.report_path).unwrap();
    assert_eq!(report, run.scan.report);

    let (config, text) = Config::read(&root).unwrap();
    let policy = rotation::load_policy(&root, &config.rotation, None, text.as_deref()).unwrap();
    let from_report = leaks::leaks_from_report(&report, &policy, &RuleSet::builtin().unwrap());
    assert!(!from_report.is_empty());
    // Every finding the report attributes by rule, the gate attributes to the same key (the
    // gate may do better, by the name before the secret or a known value).
    let from_gate = leaks::attribute_leaks(
        run.scan.outcome.findings.iter().map(leaks::Sighting::from),
        &policy,
        None,
        run.scan.detector.rule_set(),
    );
    for leak in &from_report {
        assert_eq!(leak.seen_on, None, "a finding in the current report has no date");
        assert!(
            from_gate.iter().any(|g| g.file == leak.file && g.line == leak.line && g.rule_id == leak.rule_id),
            "{leak:?} not attributed by the gate"
        );
    }
    let names: Vec<&str> = from_report.iter().map(|l| l.secret_name.as_str()).collect();
    assert!(names.iter().all(|n| policy.iter().any(|e| e.name == *n)), "{names:?}");
}

#[test]
fn a_file_that_is_not_a_version_1_report_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    std::fs::write(&path, "{\"schema_version\": 2}").unwrap();
    let err = Report::read(&path).unwrap_err().to_string();
    assert!(err.contains("not a version 1 scan report") && err.contains("r.json"), "{err}");
    std::fs::write(&path, "{\"schema_version\": 1}").unwrap();
    let err = Report::read(&path).unwrap_err().to_string();
    assert!(err.contains("not a scan report"), "{err}");
    std::fs::write(&path, "not json").unwrap();
    assert!(Report::read(&path).is_err());
}

#[test]
fn a_context_never_shows_its_fingerprint_key() {
    let shown = format!("{:?}", context());
    assert!(!shown.contains("test-key"), "{shown}");
    assert!(shown.contains("<hidden>"));
}
