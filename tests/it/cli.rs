//! The binary end to end: the demo, exit codes, output formats, fingerprints, closed pipes.
use crate::fake::Fakes;
use crate::{hygiene, scan_json, write};

fn demo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo")
}

#[test]
fn demo_human_output() {
    let out = hygiene().arg("scan").arg(demo()).args(["--include-logs", "--no-report"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    insta::with_settings!({filters => vec![(r"in \d+\.\d+ s", "in [TIME] s")]}, {
        insta::assert_snapshot!(stdout);
    });
}

#[test]
fn demo_report_follows_the_schema() {
    let (code, report) = scan_json(&demo(), &["--include-logs"]);
    assert_eq!(code, 1);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["tool"]["name"], "hygiene");
    assert_eq!(report["status"], "fail");
    let generated = report["generated_at"].as_str().unwrap();
    assert!(generated.parse::<jiff::Timestamp>().is_ok() && generated.ends_with('Z'), "{generated}");
    assert_eq!(report["scopes"], serde_json::json!(["docs/**", "reports/**", "data/*/logs/**"]));
    for key in ["files_scanned", "bytes_scanned", "duration_ms", "rules"] {
        assert!(report["stats"][key].is_u64(), "stats.{key}");
    }
    assert!(report["stats"]["files_skipped"].is_object());
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 6);
    for f in findings {
        for key in ["rule_id", "description", "severity", "file", "masked", "fingerprint"] {
            assert!(f[key].is_string(), "finding.{key}");
        }
        for key in ["line", "column", "end_line"] {
            assert!(f[key].as_u64().unwrap() >= 1, "finding.{key}");
        }
        let masked = f["masked"].as_str().unwrap();
        assert!(masked.starts_with("****") && (masked.len() == 4 || masked.chars().count() == 8));
        assert_eq!(f["fingerprint"].as_str().unwrap().len(), 32);
        assert!(!f["file"].as_str().unwrap().contains('\\'));
    }
    assert!(report["errors"].as_array().unwrap().is_empty());
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/clean.md", "All credentials live in the vault.\n");
    hygiene().arg("scan").arg(dir.path()).arg("--no-report").assert().code(0);
    write(dir.path(), "docs/leak.md", format!("GITHUB_TOKEN={}\n", Fakes::new(1).github("ghp_")));
    hygiene().arg("scan").arg(dir.path()).arg("--no-report").assert().code(1);
    hygiene()
        .arg("scan")
        .arg(dir.path().join("nope"))
        .arg("--root")
        .arg(dir.path().join("nope"))
        .assert()
        .code(2);
    hygiene().args(["scan", "--bogus-flag"]).assert().code(2);
}

#[test]
fn fingerprints_are_stable_across_line_moves_and_keyed() {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("GITHUB_TOKEN={}\n", Fakes::new(2).github("ghp_"));
    write(dir.path(), "docs/a.md", format!("intro\n{line}"));
    let (_, before) = scan_json(dir.path(), &[]);
    write(dir.path(), "docs/a.md", format!("intro\nmore\nlines\n\n{line}"));
    let (_, after) = scan_json(dir.path(), &[]);
    assert_ne!(before["findings"][0]["line"], after["findings"][0]["line"]);
    assert_eq!(before["findings"][0]["fingerprint"], after["findings"][0]["fingerprint"]);
    let other_key = hygiene()
        .env("HYGIENE_FINGERPRINT_KEY", "another-key")
        .arg("scan")
        .arg(dir.path())
        .args(["--no-report", "--format", "json"])
        .output()
        .unwrap();
    let other: serde_json::Value = serde_json::from_slice(&other_key.stdout).unwrap();
    assert_ne!(other["findings"][0]["fingerprint"], after["findings"][0]["fingerprint"]);
}

#[test]
fn key_file_is_created_and_git_ignored_without_the_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/leak.md", format!("GITHUB_TOKEN={}\n", Fakes::new(3).github("ghp_")));
    let run = |args: &[&str]| {
        let out = hygiene()
            .env_remove("HYGIENE_FINGERPRINT_KEY")
            .env("XDG_CONFIG_HOME", config.path())
            .arg("scan")
            .arg(dir.path())
            .args(["--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"][0]["fingerprint"].as_str().unwrap().to_string()
    };
    // A run that writes nothing stores no key: its fingerprints are one-off.
    let one_off = run(&["--no-report"]);
    assert_eq!(std::fs::read_dir(config.path()).unwrap().count(), 0);
    // A run that writes a report stores the key in the user's config directory, not the tree.
    let first = run(&[]);
    assert_ne!(one_off, first);
    let keys: Vec<_> = std::fs::read_dir(config.path().join("hygiene/keys")).unwrap().collect();
    assert_eq!(keys.len(), 1);
    assert!(!dir.path().join(".hygiene").exists(), "nothing written into the tree");
    assert_eq!(first, run(&["--no-report"]));
    assert_eq!(first, run(&[]));
}

#[test]
fn a_scan_writes_nothing_into_the_tree_and_never_reports_its_own_files() {
    let dir = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    // `hygiene scan --scope '**'` of an empty folder passes and leaves it empty.
    hygiene()
        .env_remove("HYGIENE_FINGERPRINT_KEY")
        .env("XDG_CONFIG_HOME", config.path())
        .arg("scan")
        .arg(dir.path())
        .args(["--scope", "**", "--no-report"])
        .assert()
        .code(0);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // A key file an earlier version left in the tree is read, not reported as a `*.key` file.
    write(dir.path(), ".hygiene/fingerprint.key", "0123456789abcdef0123456789abcdef\n");
    let (code, report) = crate::scan_json(dir.path(), &["--scope", "**"]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(std::fs::read_dir(config.path()).unwrap().count(), 0);
}

#[cfg(unix)]
#[test]
fn closed_pipe_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut fakes = Fakes::new(4);
    let lines: Vec<String> = (0..2000).map(|_| format!("GH={}", fakes.github("ghp_"))).collect();
    write(dir.path(), "docs/many.md", lines.join("\n"));
    let bin = assert_cmd::cargo::cargo_bin("hygiene");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("'{}' scan '{}' --no-report | head -n 1", bin.display(), dir.path().display()))
        .env("HYGIENE_FINGERPRINT_KEY", "k")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no panic or error on a closed pipe");
}

#[test]
fn forbidden_files_are_findings_unless_they_hold_nothing_to_leak() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docs/env/.env", "LOG_LEVEL=debug\nNOTIFY_URL=https://hooks.example.invalid/T0/B0/x\n");
    // Settings alone, under names that say nothing of a credential: nothing to leak.
    write(dir.path(), "docs/media/.env", "MEDIA_PATH=/media/your/path\nTIMEZONE=Etc/UTC\n");
    write(dir.path(), "docs/env/.env.example", "API_TOKEN=\n");
    // A template by its content: credential names with nothing after them, or made at run time.
    write(dir.path(), "deploy/bot.env", "BOT_API_KEY=\nexport BOT_API_SECRET=\"$(openssl rand -hex 32)\"\n");
    write(dir.path(), "reports/tls/client.p12", b"\x30\x82\x0a\x00\x02\x01\x03\x30");
    write(dir.path(), "docs/readme.md", "clean\n");
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let files: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap(), f["rule_id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        vec![("docs/env/.env", "forbidden-file"), ("reports/tls/client.p12", "forbidden-file")]
    );
    write(dir.path(), "hygiene.toml", "[forbidden]\nallow = [\"**/.env.example\", \"reports/tls/**\"]\n");
    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let out = hygiene().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("gate") && text.contains("redact"), "{shell}");
    }
    let out = hygiene().arg("man").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(".ie") && text.contains(".TH hygiene 1"));
}
