//! Integration tests: the library's detector and the `hygiene` binary end to end.
mod bad_inputs;
mod baseline;
mod cli;
mod decoys;
mod diagnostics;
mod encoded;
mod fake;
mod faults;
mod formats;
mod gate;
mod ignore_files;
mod layering;
mod leak_audit;
mod library;
mod no_leak;
mod planted;
mod precommit;
mod reading;
mod redact;
mod rotation;
mod rotation_cli;
mod rules;
mod scopes;
mod writes;

use std::path::Path;

use assert_cmd::Command;

/// The `hygiene` binary.
pub(crate) fn hygiene() -> Command {
    let mut cmd = Command::cargo_bin("hygiene").expect("binary builds");
    cmd.env("HYGIENE_FINGERPRINT_KEY", "test-key").env_remove("RUST_BACKTRACE");
    cmd
}

/// A miette diagnostic as plain text at a fixed width, for snapshots.
pub(crate) fn render_diagnostic(err: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(90)
        .render_report(&mut out, err)
        .unwrap();
    out
}

/// Writes `contents` at `root/relative`, creating directories.
pub(crate) fn write(root: &Path, relative: &str, contents: impl AsRef<[u8]>) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// Runs `hygiene scan` with `args` and returns (exit code, parsed JSON report on stdout).
pub(crate) fn scan_json(root: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let out = hygiene()
        .arg("scan")
        .arg(root)
        .args(["--no-report", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (code, json)
}

/// `(file, line, column, rule_id)` of every finding in a report.
pub(crate) fn locations(report: &serde_json::Value) -> Vec<(String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}
