//! What gets scanned: scopes, logs, ignore files, hidden files, symlinks, the report itself,
//! hygiene.toml, explicit files.
use crate::fake::Fakes;
use crate::{hygiene, scan_json, write};

fn files(report: &serde_json::Value) -> Vec<String> {
    let mut files: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    files.dedup();
    files
}

/// A tree with the same leak planted in many places.
fn tree() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("GITHUB_TOKEN={}\n", Fakes::new(11).github("ghp_"));
    for path in [
        "docs/runbook.md",
        "docs/.hidden/notes.md",
        "reports/recon.json",
        "data/bot1/logs/app.log",
        "data/bot1/state/cache.txt",
        "src/config.py",
        "docs/archive/old.md",
        "docs/ignored-by-git.md",
        "docs/private/ignored-by-hygiene.md",
    ] {
        write(dir.path(), path, &line);
    }
    write(dir.path(), ".gitignore", "docs/ignored-by-git.md\ndata/\n");
    write(dir.path(), "docs/.hygieneignore", "private/\n");
    (dir, line)
}

#[test]
fn default_scopes_ignore_files_and_hidden_files() {
    let (dir, _) = tree();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        files(&report),
        vec![
            "docs/.hidden/notes.md",
            "docs/archive/old.md",
            "docs/ignored-by-git.md",
            "docs/runbook.md",
            "reports/recon.json"
        ]
    );
    let (_, report) = scan_json(dir.path(), &["--include-logs"]);
    assert!(files(&report).contains(&"data/bot1/logs/app.log".to_string()));
    assert!(!files(&report).contains(&"data/bot1/state/cache.txt".to_string()));
}

#[test]
fn scope_and_exclude_flags_and_config() {
    let (dir, _) = tree();
    let (_, report) = scan_json(dir.path(), &["--scope", "src/**", "--scope", "reports/**"]);
    assert_eq!(files(&report), vec!["reports/recon.json", "src/config.py"]);
    let (_, report) =
        scan_json(dir.path(), &["--exclude", "docs/archive/**", "--exclude", "docs/.hidden/**"]);
    assert_eq!(files(&report), vec!["docs/ignored-by-git.md", "docs/runbook.md", "reports/recon.json"]);
    write(
        dir.path(),
        "hygiene.toml",
        "scopes = [\"docs/runbook.md\"]\ninclude_logs = true\nexclude = [\"data/*/logs/old/**\"]\n",
    );
    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(files(&report), vec!["data/bot1/logs/app.log", "docs/runbook.md"]);
    assert_eq!(report["scopes"], serde_json::json!(["docs/runbook.md", "data/*/logs/**"]));
}

#[test]
fn explicit_files_are_scanned_exactly() {
    let (dir, _) = tree();
    let out = hygiene()
        .current_dir(dir.path())
        .args(["scan", "--no-report", "--format", "json", "src/config.py", "docs/runbook.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(files(&report), vec!["docs/runbook.md", "src/config.py"]);
    assert_eq!(report["stats"]["files_scanned"], 2);
    // A missing file is an error, and an error is a fail.
    let out = hygiene()
        .current_dir(dir.path())
        .args(["scan", "--no-report", "--format", "json", "docs/missing.md", "docs/runbook.md"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["status"], "fail");
    assert_eq!(report["errors"][0]["path"], "docs/missing.md");
}

#[cfg(unix)]
#[test]
fn symlinks_are_skipped_unless_followed_and_broken_ones_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let line = format!("GITHUB_TOKEN={}\n", Fakes::new(12).github("ghp_"));
    write(outside.path(), "secret.md", &line);
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.md"), dir.path().join("docs/link.md")).unwrap();
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!((code, report["stats"]["files_skipped"]["symlink"].as_u64()), (0, Some(1)));
    let (code, report) = scan_json(dir.path(), &["--follow"]);
    assert_eq!(code, 1);
    assert_eq!(files(&report), vec!["docs/link.md"]);
    std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("docs/dangling.md")).unwrap();
    let (code, report) = scan_json(dir.path(), &["--follow"]);
    assert_eq!(code, 1);
    assert_eq!(report["status"], "fail");
    assert!(report["errors"].as_array().unwrap().iter().any(|e| e["path"] == "docs/dangling.md"));
}

#[test]
fn report_is_written_atomically_and_never_scanned() {
    let (dir, _) = tree();
    let out = hygiene().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let path = dir.path().join("reports/security/latest.json");
    let first: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(first["status"], "fail");
    // The second run would find the report if it scanned it: same findings, no more.
    hygiene().arg("scan").arg(dir.path()).output().unwrap();
    let second: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(first["findings"], second["findings"]);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, vec!["latest.json"]);
    // A custom report path inside a scope is not scanned either.
    let custom = dir.path().join("docs/hygiene.json");
    hygiene().arg("scan").arg(dir.path()).arg("--report").arg(&custom).output().unwrap();
    let again: serde_json::Value = serde_json::from_slice(&std::fs::read(&custom).unwrap()).unwrap();
    assert_eq!(again["findings"], first["findings"]);
}

#[test]
fn unwritable_report_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/clean.md", "nothing to see\n");
    // A directory where the report file should go.
    std::fs::create_dir_all(dir.path().join("reports/security/latest.json/x")).unwrap();
    let out = hygiene().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn nothing_to_scan_passes_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = hygiene().arg("scan").arg(dir.path()).arg("--no-report").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing to scan"));
}

/// A pre-commit hook passes files by name: `.hygieneignore` must still apply to them, as it
/// does to a walk, with the nearest matching file deciding (`!` re-includes).
#[test]
fn hygieneignore_applies_to_files_passed_by_name() {
    let (dir, _) = tree();
    write(dir.path(), ".hygieneignore", "reports/\n");
    write(dir.path(), "reports/keep/.hygieneignore", "!recon.json\n");
    write(dir.path(), "reports/keep/recon.json", ""); // the directory; the copy below fills it
    std::fs::copy(dir.path().join("reports/recon.json"), dir.path().join("reports/keep/recon.json")).unwrap();
    let names = [
        "docs/runbook.md",
        "docs/private/ignored-by-hygiene.md",
        "reports/recon.json",
        "reports/keep/recon.json",
    ];
    // Relative to the working directory, as pre-commit passes them...
    let out = hygiene()
        .current_dir(dir.path())
        .args(["scan", "--files", "--no-report", "--format", "json"])
        .args(names)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(files(&report), vec!["docs/runbook.md", "reports/keep/recon.json"]);
    // ...and absolute.
    let absolute: Vec<std::path::PathBuf> = names.iter().map(|n| dir.path().join(n)).collect();
    let out = hygiene()
        .current_dir(dir.path())
        .args(["scan", "--files", "--no-report", "--format", "json"])
        .args(&absolute)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(files(&report), vec!["docs/runbook.md", "reports/keep/recon.json"]);

    // A broken ignore file is an error for the file it governs, never a silent skip.
    write(dir.path(), "docs/.hygieneignore", "private/[z-a]\n");
    let out = hygiene()
        .current_dir(dir.path())
        .args(["scan", "--files", "--no-report", "docs/runbook.md"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("error"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_scope_that_matches_nothing_is_a_warning_in_the_report() {
    let (dir, _) = tree();
    // A chosen scope with a typo next to a good one: the typo is reported, the scan goes on.
    let (code, report) = scan_json(dir.path(), &["--scope", "docs/**", "--scope", "reprots/**"]);
    assert_eq!(code, 1, "the docs findings still fail the scan");
    assert_eq!(
        report["warnings"],
        serde_json::json!([{ "kind": "empty_scope", "message": "scope `reprots/**` matched no file" }])
    );
    // Only a scope outside the tree: nothing scanned, exit 0, but the report and the human
    // summary say why.
    let (code, report) = scan_json(dir.path(), &["--scope", "/etc/**"]);
    assert_eq!(code, 0);
    assert_eq!(report["warnings"][0]["message"], "scope `/etc/**` matched no file");
    let out =
        hygiene().arg("scan").arg(dir.path()).args(["--no-report", "--scope", "/etc/**"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("warning: scope `/etc/**` matched no file"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A scope whose files are all excluded did match: that is a choice, not a typo.
    let (_, report) = scan_json(dir.path(), &["--scope", "reports/**", "--exclude", "reports/**"]);
    assert!(report.get("warnings").is_none(), "{report}");
    // Default scopes only together: a tree with docs/ but no reports/ is fine...
    let docs_only = tempfile::tempdir().unwrap();
    write(docs_only.path(), "docs/readme.md", "nothing secret\n");
    let (code, report) = scan_json(docs_only.path(), &[]);
    assert_eq!(code, 0);
    assert!(report.get("warnings").is_none(), "{report}");
    // ...an empty one is not.
    let empty = tempfile::tempdir().unwrap();
    let (_, report) = scan_json(empty.path(), &[]);
    let kinds: Vec<&str> =
        report["warnings"].as_array().unwrap().iter().map(|w| w["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["empty_scope", "empty_scope"]);
}
