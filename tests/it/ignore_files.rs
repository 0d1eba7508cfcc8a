//! `.hygieneignore` files: which are honoured (`ignore_files` in hygiene.toml; by default
//! only those git tracks, where the root is a git repository) and what each excluded, in
//! every output format.
use std::path::Path;

use crate::baseline::git;
use crate::fake::Fakes;
use crate::{hygiene, scan_json, write};

/// A stripe-shaped key line (no checksum in the format, so a random one is a finding).
fn secret_line(seed: u64) -> String {
    format!("STRIPE_SECRET_KEY={}{}\n", "sk_live_", Fakes::new(seed).alnum(32))
}

/// A git repository with a tracked runbook and a log directory git ignores, whose
/// `.hygieneignore` (git-ignored too, so nobody reviews it) hides a leaking log.
fn repo_with_a_hidden_log() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, ".gitignore", "data/*/logs/\n");
    write(root, "docs/runbook.md", "# Runbook\nnothing secret here\n");
    write(root, "data/x/logs/app.log", secret_line(1));
    write(root, "data/x/logs/.hygieneignore", "*.log\n");
    git(root, &["add", "."]);
    dir
}

fn entries(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["ignore_files"]["files"].as_array().cloned().unwrap_or_default()
}

fn finding_files(report: &serde_json::Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_git_ignored_ignore_file_is_not_honoured_and_the_secret_is_found() {
    let dir = repo_with_a_hidden_log();
    let root = dir.path();
    assert!(git(root, &["ls-files"]).lines().all(|f| !f.contains("hygieneignore")));
    let (code, report) = scan_json(root, &["--include-logs"]);
    assert_eq!(code, 1);
    assert_eq!(finding_files(&report), vec!["data/x/logs/app.log"]);
    assert_eq!(report["ignore_files"]["honoured"], "tracked");
    assert_eq!(report["ignore_files"]["why"], "default: the root is in a git repository");
    assert_eq!(
        entries(&report),
        vec![serde_json::json!({
            "path": "data/x/logs/.hygieneignore",
            "honoured": false,
            "reason": "not tracked by git",
            "files_excluded": 0,
            "dirs_pruned": 0,
        })]
    );
    // The human output names it and the summary counts it.
    let out = hygiene().arg("scan").arg(root).args(["--no-report", "--include-logs"]).output().unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("ignore file data/x/logs/.hygieneignore: not honoured (not tracked by git)"),
        "{human}"
    );
    assert!(human.lines().last().unwrap().contains(", 1 ignore file not honoured, in "), "{human}");
}

#[test]
fn a_tracked_ignore_file_is_honoured_and_its_exclusions_are_counted() {
    let dir = repo_with_a_hidden_log();
    let root = dir.path();
    write(root, "data/x/logs/old/app.1.log", secret_line(2));
    write(root, "data/x/logs/.hygieneignore", "*.log\nold/\n");
    git(root, &["add", "-f", "data/x/logs/.hygieneignore"]);
    let (code, report) = scan_json(root, &["--include-logs"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        entries(&report),
        vec![serde_json::json!({
            "path": "data/x/logs/.hygieneignore",
            "honoured": true,
            "files_excluded": 1,
            "dirs_pruned": 1,
            "patterns": { "*.log": 1, "old/": 1 },
        })]
    );
    let out = hygiene().arg("scan").arg(root).args(["--no-report", "--include-logs"]).output().unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains(
            "ignore file data/x/logs/.hygieneignore: honoured, excluded 1 file and 1 directory (`*.log` 1, `old/` 1)"
        ),
        "{human}"
    );
    assert!(human.contains("ignore files excluded 1 file and 1 directory, in "), "{human}");
}

/// Every CI format says what the ignore files did.
#[test]
fn every_format_lists_the_ignore_files() {
    let dir = repo_with_a_hidden_log();
    let root = dir.path();
    let wanted = "ignore file data/x/logs/.hygieneignore: not honoured (not tracked by git)";
    for format in ["github", "sarif", "junit", "json"] {
        let out = hygiene()
            .arg("scan")
            .arg(root)
            .args(["--no-report", "--include-logs", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        match format {
            "github" => {
                assert!(text.contains(&format!("::notice title=hygiene ignore file::{wanted}")), "{text}")
            }
            "sarif" => {
                let log: serde_json::Value = serde_json::from_str(&text).unwrap();
                let notes = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
                let note = notes.as_array().unwrap().iter().find(|n| n["level"] == "note").unwrap();
                assert_eq!(note["message"]["text"], wanted);
            }
            "junit" => {
                let doc = roxmltree::Document::parse(&text).unwrap();
                let property = doc
                    .descendants()
                    .find(|n| n.has_tag_name("property") && n.attribute("name") == Some("ignore_file"))
                    .unwrap();
                assert_eq!(property.attribute("value"), Some(wanted));
            }
            _ => assert!(text.contains("\"ignore_files\""), "{text}"),
        }
    }
    // A written report (not only stdout) carries it too.
    let out = hygiene().arg("scan").arg(root).args(["--include-logs"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("reports/security/latest.json")).unwrap()).unwrap();
    assert_eq!(entries(&written)[0]["honoured"], false);
}

fn with_config(root: &Path, config: &str) -> (i32, serde_json::Value) {
    write(root, "hygiene.toml", format!("include_logs = true\n{config}\n"));
    scan_json(root, &[])
}

#[test]
fn hygiene_toml_pins_which_ignore_files_are_honoured() {
    let dir = repo_with_a_hidden_log();
    let root = dir.path();
    write(root, "docs/.hygieneignore", "private/\n");
    write(root, "docs/private/notes.md", secret_line(3));
    git(root, &["add", "docs/.hygieneignore"]);

    // "tracked" (also the default): the tracked docs one excludes, the untracked log one not.
    let (_, report) = with_config(root, "ignore_files = \"tracked\"");
    assert_eq!(finding_files(&report), vec!["data/x/logs/app.log"]);
    assert_eq!(report["ignore_files"]["why"], "ignore_files in hygiene.toml");

    // "all": both.
    let (code, report) = with_config(root, "ignore_files = \"all\"");
    assert_eq!((code, finding_files(&report)), (0, vec![]));
    assert!(entries(&report).iter().all(|e| e["honoured"] == true));

    // "none": neither, even the tracked one.
    let (_, report) = with_config(root, "ignore_files = \"none\"");
    assert_eq!(finding_files(&report), vec!["data/x/logs/app.log", "docs/private/notes.md"]);
    assert!(entries(&report).iter().all(|e| e["reason"] == "ignore_files = \"none\""));

    // A list: exactly those, tracked or not.
    let (_, report) = with_config(root, "ignore_files = [\"data/x/logs/.hygieneignore\"]");
    assert_eq!(finding_files(&report), vec!["docs/private/notes.md"]);
    assert_eq!(report["ignore_files"]["honoured"], "listed");
    let docs = entries(&report).into_iter().find(|e| e["path"] == "docs/.hygieneignore").unwrap();
    assert_eq!(docs["reason"], "not listed in ignore_files");

    // A listed file that is not there, and an unknown word, are configuration errors.
    for bad in ["ignore_files = [\"data/y/logs/.hygieneignore\"]", "ignore_files = \"some\""] {
        write(root, "hygiene.toml", format!("{bad}\n"));
        let out = hygiene().arg("scan").arg(root).arg("--no-report").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("ignore_files") || stderr.contains("tracked"), "{stderr}");
    }
}

#[test]
fn outside_a_git_repository_every_ignore_file_is_honoured_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "data/x/logs/app.log", secret_line(4));
    write(root, "data/x/logs/.hygieneignore", "*.log\n");
    let (code, report) = scan_json(root, &["--include-logs"]);
    assert_eq!(code, 0);
    assert_eq!(report["ignore_files"]["honoured"], "all");
    assert_eq!(report["ignore_files"]["why"], "default: the root is not in a git repository");
    assert_eq!(entries(&report)[0]["files_excluded"], 1);
    // "tracked" cannot be honoured without git: an error, not a silent "all".
    write(root, "hygiene.toml", "ignore_files = \"tracked\"\n");
    let out = hygiene().arg("scan").arg(root).args(["--no-report", "--include-logs"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stderr: Vec<&str> = stderr.split_whitespace().filter(|w| *w != "│").collect(); // miette wraps
    assert!(stderr.join(" ").contains("not in a git repository"), "{stderr:?}");
}

/// Files passed by name (pre-commit) and staged files follow the same rule.
#[test]
fn files_passed_by_name_and_staged_files_follow_the_same_rule() {
    let dir = repo_with_a_hidden_log();
    let root = dir.path();
    let out = hygiene()
        .current_dir(root)
        .args(["scan", "--files", "--no-report", "--format", "json", "data/x/logs/app.log"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(finding_files(&report), vec!["data/x/logs/app.log"]);
    assert_eq!(entries(&report)[0]["reason"], "not tracked by git");

    write(root, "docs/.hygieneignore", "leak.md\n");
    write(root, "docs/leak.md", secret_line(5));
    git(root, &["add", "docs/leak.md"]);
    // Untracked: the staged leak is scanned.
    let out = hygiene().current_dir(root).args(["scan", "--staged", "--no-report"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    // Staged too: honoured, and counted.
    git(root, &["add", "docs/.hygieneignore"]);
    let out = hygiene()
        .current_dir(root)
        .args(["scan", "--staged", "--no-report", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let docs = entries(&report).into_iter().find(|e| e["path"] == "docs/.hygieneignore").unwrap();
    assert_eq!(docs["files_excluded"], 1);
}
