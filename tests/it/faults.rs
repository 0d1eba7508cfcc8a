//! Faults and limits: special files in scope, absurd thread counts, files that change
//! between the walk and the read.
use std::time::Duration;

use secrets_hygiene::detect::Detector;
use secrets_hygiene::fingerprint::Fingerprinter;
use secrets_hygiene::rules::RuleSet;
use secrets_hygiene::scan::{self, Keep};
use secrets_hygiene::walk::{self, FileToScan};

use crate::fake::Fakes;
use crate::{hygiene, write};

fn token(seed: u64) -> String {
    Fakes::new(seed).github("ghp_")
}

fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
    assert!(status.success());
}

#[test]
fn special_files_are_skipped_without_opening_them() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/runbook.md", format!("GITHUB_TOKEN={}\n", token(60)));
    mkfifo(&dir.path().join("docs/pipe"));
    // A socket, bound for the whole test.
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("docs/agent.sock")).unwrap();
    // Walked: nobody ever writes to the FIFO, so opening it would hang the scan.
    let out = hygiene()
        .arg("scan")
        .arg(dir.path())
        .args(["--no-report", "--format", "json", "--scope", "docs/**"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stats"]["files_scanned"], 1);
    assert_eq!(report["stats"]["files_skipped"]["fifo"], 1);
    assert_eq!(report["stats"]["files_skipped"]["socket"], 1);
    assert_eq!(
        report["skipped"],
        serde_json::json!([
            {"path": "docs/agent.sock", "reason": "socket"},
            {"path": "docs/pipe", "reason": "fifo"},
        ])
    );
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    // Passed by name (a FIFO and a character device), also through a followed symlink.
    std::os::unix::fs::symlink(dir.path().join("docs/pipe"), dir.path().join("docs/link")).unwrap();
    let out = hygiene()
        .arg("scan")
        .args(["--no-report", "--format", "json", "--follow", "--files"])
        .arg(dir.path().join("docs/pipe"))
        .arg("/dev/zero")
        .arg(dir.path().join("docs/link"))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stats"]["files_skipped"]["fifo"], 2);
    assert_eq!(report["stats"]["files_skipped"]["device"], 1);
    assert_eq!(report["stats"]["files_scanned"], 0);
}

#[test]
fn absurd_thread_counts_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/a.md", "nothing here\n");
    let out = hygiene()
        .arg("scan")
        .arg(dir.path())
        .args(["--no-report", "--threads", "100000"])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--threads 100000 is more than 4 per core"), "{stderr}");
}

fn listed(root: &std::path::Path, relative: &str) -> FileToScan {
    let path = root.join(relative);
    let meta = std::fs::metadata(&path).unwrap();
    FileToScan { path, display: relative.to_string(), size: meta.len(), identity: walk::identity(&meta) }
}

#[test]
fn files_truncated_or_replaced_after_listing_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("2026-11-30 INFO GITHUB_TOKEN={}\n", token(61));
    let mut log = line.clone();
    log.push_str(&"2026-11-30 INFO heartbeat ok\n".repeat(2000));
    write(dir.path(), "logs/app.log", &log);
    write(dir.path(), "logs/worker.log", "2026-11-30 INFO old worker log\n");
    write(dir.path(), "logs/clean.log", "2026-11-30 INFO nothing to see\n");
    let files = vec![
        listed(dir.path(), "logs/app.log"),
        listed(dir.path(), "logs/clean.log"),
        listed(dir.path(), "logs/worker.log"),
    ];
    // After the listing: app.log is cut (copytruncate keeps its first line), worker.log is
    // replaced by a new file (rotation), clean.log is appended to (a live log: fine).
    std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("logs/app.log"))
        .unwrap()
        .set_len(line.len() as u64 + 100)
        .unwrap();
    write(dir.path(), "logs/worker.log.new", "2026-11-30 INFO new worker log\n");
    std::fs::rename(dir.path().join("logs/worker.log.new"), dir.path().join("logs/worker.log")).unwrap();
    let mut clean = std::fs::OpenOptions::new().append(true).open(dir.path().join("logs/clean.log")).unwrap();
    std::io::Write::write_all(&mut clean, b"2026-11-30 INFO still nothing\n").unwrap();

    let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
    let outcome =
        scan::scan_listed(&detector, &Fingerprinter::with_key("k"), &Keep::everything(), &files, &|_| {});
    let errors: Vec<(String, String)> =
        outcome.errors.iter().map(|e| (e.path.clone(), e.message.clone())).collect();
    assert_eq!(
        errors,
        vec![
            (
                "logs/app.log".to_string(),
                format!(
                    "truncated during the scan: {} bytes when listed, {} scanned",
                    log.len(),
                    line.len() + 100
                )
            ),
            (
                "logs/worker.log".to_string(),
                "replaced by another file between the walk and the scan; not read".to_string()
            ),
        ]
    );
    // What was read of the truncated file still counts.
    assert_eq!(outcome.findings.len(), 1);
    assert_eq!(outcome.stats.files_scanned, 1);
    assert!(!outcome.passed());
}
