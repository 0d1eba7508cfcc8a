//! Accepting findings: inline markers, hygiene.toml allowlists, and the baseline (create, new
//! findings fail, line moves keep, prune, and clean merges of two branches' additions).
use std::path::Path;
use std::process::Command;

use crate::fake::Fakes;
use crate::{hygiene, scan_json, write};

fn token(seed: u64) -> String {
    Fakes::new(seed).github("ghp_")
}

#[test]
fn inline_markers_suppress_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docs/a.md",
        format!(
            "A={} # hygiene:allow\nB={} # gitleaks:allow\nC={}  # pragma: allowlist secret\n# hygiene:allow-next-line\nD={}\nE={}\n",
            token(1),
            token(2),
            token(3),
            token(4),
            token(5)
        ),
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(report["findings"][0]["line"], 6);
    assert_eq!(report["stats"]["suppressed"]["inline"], 4);
    // Every honoured marker is listed.
    let listed: Vec<(String, u64)> = report["inline_allows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["file"].as_str().unwrap().to_string(), a["line"].as_u64().unwrap()))
        .collect();
    let at = |line| ("docs/a.md".to_string(), line);
    assert_eq!(listed, vec![at(1), at(2), at(3), at(5)]);
    assert_eq!(report["inline_allows"][0]["rule_id"], "github.pat-classic");
}

#[test]
fn an_inline_marker_covers_one_finding_in_a_comment_and_never_in_logs() {
    let dir = tempfile::tempdir().unwrap();
    // A minified JSON report with several tokens on one line and a marker in a value: JSON
    // has no comments, so nothing is allowed.
    let json = format!(
        "{{\"a\":\"{}\",\"b\":\"{}\",\"c\":\"{}\",\"note\":\"hygiene:allow\"}}\n",
        token(11),
        token(12),
        token(13)
    );
    write(dir.path(), "reports/r.json", &json);
    // Three tokens and one marker in a shell comment: only the one next to it is allowed.
    write(
        dir.path(),
        "docs/deploy.sh",
        format!("A={} B={} C={}  # hygiene:allow\n", token(14), token(15), token(16)),
    );
    // A marker inside a quoted string or a URL is not a comment.
    write(
        dir.path(),
        "docs/app.py",
        format!("T = '{} hygiene:allow'\nU = \"https://x.example/{}#hygiene:allow\"\n", token(17), token(18)),
    );
    // A log line whose message (written by the service, or an attacker) holds the marker.
    write(
        dir.path(),
        "data/bot1/logs/app.log",
        format!("2026-11-20T08:00:05Z ERROR auth failed token={} # hygiene:allow\n", token(19)),
    );
    let (code, report) = scan_json(dir.path(), &["--include-logs"]);
    assert_eq!(code, 1);
    let found: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap().to_string(), f["column"].as_u64().unwrap()))
        .collect();
    let files: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        files,
        [
            "data/bot1/logs/app.log",
            "docs/app.py",
            "docs/app.py",
            "docs/deploy.sh",
            "docs/deploy.sh",
            "reports/r.json",
            "reports/r.json",
            "reports/r.json"
        ],
        "{report}"
    );
    // In deploy.sh the last token (nearest the marker) is the allowed one.
    assert_eq!(found[3].1, 3);
    assert_eq!(found[4].1, 3 + 43);
    assert_eq!(report["stats"]["suppressed"]["inline"], 1);
    assert_eq!(
        report["inline_allows"],
        serde_json::json!([{ "file": "docs/deploy.sh", "line": 1, "rule_id": "github.pat-classic" }])
    );
}

#[test]
fn allowlist_entries_need_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/examples/a.md", format!("T={}\n", token(6)));
    write(dir.path(), "docs/b.md", format!("T={}\n", token(7)));
    write(
        dir.path(),
        "hygiene.toml",
        "[[allow]]\npaths = [\"docs/examples/**\"]\nrules = [\"github.*\"]\nreason = \"revoked tokens kept as training material\"\n",
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(report["findings"][0]["file"], "docs/b.md");
    assert_eq!(report["stats"]["suppressed"]["allowlist"], 1);
    write(dir.path(), "hygiene.toml", "[[allow]]\npaths = [\"docs/**\"]\n");
    hygiene().arg("scan").arg(dir.path()).arg("--no-report").assert().code(2);
    write(dir.path(), "hygiene.toml", "[[allow]]\nreason = \"everything\"\n");
    hygiene().arg("scan").arg(dir.path()).arg("--no-report").assert().code(2);
}

#[test]
fn baseline_create_new_findings_line_moves_and_prune() {
    let dir = tempfile::tempdir().unwrap();
    let (old1, old2) = (token(8), token(9));
    write(dir.path(), "docs/a.md", format!("intro\nA={old1}\nB={old2}\n"));
    hygiene().args(["baseline", "create"]).arg(dir.path()).assert().code(0);
    let text = std::fs::read_to_string(dir.path().join(".hygiene-baseline.json")).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(!text.contains(&old1) && !text.contains(&old2));
    assert!(std::fs::read_to_string(dir.path().join(".gitattributes")).unwrap().contains("merge=union"));
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!((code, report["stats"]["suppressed"]["baseline"].as_u64()), (0, Some(2)));
    // Moving lines keeps them accepted; a new secret fails alone.
    let new = token(10);
    write(dir.path(), "docs/a.md", format!("new intro\n\nmoved: B={old2}\nNEW={new}\nA={old1}\n"));
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(report["findings"][0]["line"], 4);
    let (_, all) = scan_json(dir.path(), &["--no-baseline"]);
    assert_eq!(all["findings"].as_array().unwrap().len(), 3);
    // Removing one accepted secret and pruning drops its entry.
    write(dir.path(), "docs/a.md", format!("A={old1}\n"));
    let out = hygiene().args(["baseline", "prune"]).arg(dir.path()).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("dropped 1, kept 1"));
}

pub(crate) fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn two_branches_adding_baseline_entries_merge_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, ".gitignore", ".hygiene/\nreports/security/\n");
    write(root, "docs/a.md", format!("A={}\n", token(11)));
    hygiene().args(["baseline", "create"]).arg(root).assert().code(0);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["checkout", "-qb", "left"]);
    write(root, "docs/left.md", format!("L={}\n", token(12)));
    hygiene().args(["baseline", "create"]).arg(root).assert().code(0);
    git(root, &["commit", "-qam", "left"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "left files"]);
    git(root, &["checkout", "-q", "main"]);
    write(root, "docs/right.md", format!("R={}\n", token(13)));
    hygiene().args(["baseline", "create"]).arg(root).assert().code(0);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "right"]);
    git(root, &["merge", "-q", "--no-edit", "left"]);
    let merged = std::fs::read_to_string(root.join(".hygiene-baseline.json")).unwrap();
    let baseline = secrets_hygiene::baseline::Baseline::parse("merged", &merged).unwrap();
    assert_eq!(baseline.len(), 3, "{merged}");
    let (code, _) = scan_json(root, &[]);
    assert_eq!(code, 0);
}

#[test]
fn staged_scans_the_index_not_the_working_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, "app/config.py", format!("TOKEN = '{}'\n", token(21)));
    git(root, &["add", "app/config.py"]);
    // The working tree no longer has the secret, the index still does.
    write(root, "app/config.py", "TOKEN = os.environ['TOKEN']\n");
    write(root, "notes.md", format!("unstaged {}\n", token(22)));
    let out = hygiene()
        .current_dir(root)
        .args(["scan", "--staged", "--no-report", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(files, vec!["app/config.py"]);
    git(root, &["add", "app/config.py"]);
    let out = hygiene().current_dir(root).args(["scan", "--staged", "--no-report"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // A staged file that `.hygieneignore` lists is not scanned either.
    write(
        root,
        "fixtures/fake.env.txt",
        format!(
            "TOKEN={}
",
            token(23)
        ),
    );
    git(root, &["add", "fixtures/fake.env.txt"]);
    let out = hygiene().current_dir(root).args(["scan", "--staged", "--no-report"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    // (In a git repository only an ignore file git tracks is honoured: this one is staged.)
    write(root, ".hygieneignore", "fixtures/\n");
    git(root, &["add", ".hygieneignore"]);
    let out = hygiene().current_dir(root).args(["scan", "--staged", "--no-report"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

/// Lines `A<i>=<token>` for seeds `from..to`.
fn token_lines(from: u64, to: u64) -> String {
    (from..to).map(|i| format!("A{i}={}\n", token(1000 + i))).collect()
}

#[test]
fn findings_past_the_per_file_limit_are_counted_and_still_fail() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/leaky.md", token_lines(0, 30));
    let (code, report) = scan_json(dir.path(), &["--max-findings-per-file", "10"]);
    assert_eq!(code, 1);
    assert_eq!(report["status"], "fail");
    let lines: Vec<u64> =
        report["findings"].as_array().unwrap().iter().map(|f| f["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, (1..=10).collect::<Vec<u64>>());
    assert_eq!(report["stats"]["not_listed"]["docs/leaky.md"], 20);

    let out = hygiene()
        .arg("scan")
        .arg(dir.path())
        .args(["--no-report", "--max-findings-per-file", "10"])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("docs/leaky.md: 20 more findings not listed"), "{human}");
    assert!(human.contains("(and 20 more not listed, in 1 file)"), "{human}");

    let (_, unlimited) = scan_json(dir.path(), &["--max-findings-per-file", "0"]);
    assert_eq!(unlimited["findings"].as_array().unwrap().len(), 30);
    assert!(unlimited["stats"].get("not_listed").is_none());
}

#[test]
fn baselined_findings_do_not_use_up_the_per_file_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/leaky.md", token_lines(0, 30));
    // `baseline create` sees every finding, whatever the limit says.
    hygiene()
        .args(["baseline", "create"])
        .arg(dir.path())
        .args(["--max-findings-per-file", "3"])
        .assert()
        .code(0);
    let (code, report) = scan_json(dir.path(), &["--max-findings-per-file", "3"]);
    assert_eq!((code, report["stats"]["suppressed"]["baseline"].as_u64()), (0, Some(30)));

    // Five new secrets after thirty accepted ones: the limit applies to the new ones.
    write(dir.path(), "docs/leaky.md", token_lines(0, 35));
    let (code, report) = scan_json(dir.path(), &["--max-findings-per-file", "3"]);
    assert_eq!(code, 1);
    let lines: Vec<u64> =
        report["findings"].as_array().unwrap().iter().map(|f| f["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [31, 32, 33]);
    assert_eq!(report["stats"]["not_listed"]["docs/leaky.md"], 2);
    assert_eq!(report["stats"]["suppressed"]["baseline"], 30);
}
