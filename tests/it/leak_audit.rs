//! The leak audit: every command and every output format, the error paths too, over inputs
//! full of planted secrets (built at run time), with `RUST_BACKTRACE=1`. For each run it
//! asserts that no planted value, nor any 8 characters in a row of one (a mask shows the
//! last 4), appears in stdout, stderr, or any file the command created or changed (the tree
//! and the user's config directory are compared before and after every run).
//!
//! Covered: `scan` (human, json, sarif, github, junit; the report file), `gate` (every
//! format; the report), `drift` (human, json; with a scan report), `rotation record` and
//! `import`, `baseline create` and `prune`, `redact` (stdout, `--check`, `--in-place`, with
//! `--env` known values and `--stats`), `rules list` and `rules check` (with a sample), and
//! errors: a malformed `hygiene.toml`, policy table, rotation log, CSV import, baseline and
//! rule pack, each with a secret on the offending line and the next; a missing rule
//! directory. No input we know of makes `hygiene` panic; `RUST_BACKTRACE=1` is set on every
//! run so that one, if any input ever does, is audited like any other output.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;

use crate::fake::Fakes;
use crate::planted::Planted;
use crate::{hygiene, write};

/// A repository full of planted secrets, and the audit of every run over it.
struct Audit {
    _dir: tempfile::TempDir,
    root: PathBuf,
    config_home: PathBuf,
    planted: Planted,
    runs: usize,
}

const POLICY: &str = "| Secret | Frequency | Grace | Owner |\n|---|---|---|---|\n\
    | `JWT_SECRET_KEY` | 90 days | 7 days | platform |\n\
    | `STRIPE_SECRET_KEY` | 90 days | 7 days | payments |\n\
    | `GITHUB_TOKEN` | On incident only | 24 hours | platform |\n";

impl Audit {
    fn new() -> Audit {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let config_home = dir.path().join("config");
        std::fs::create_dir_all(&config_home).unwrap();
        let mut planted = Planted::default();
        let mut fakes = Fakes::new(4242);
        let lines = fakes.planted();
        for (i, (family, line, secret)) in lines.iter().enumerate() {
            planted.add(secret.as_str());
            let place = ["docs/runbook.md", "reports/recon.json", "data/bot1/logs/app.log"][i % 3];
            let path = root.join(place);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut text = std::fs::read_to_string(&path).unwrap_or_default();
            text.push_str(&format!("2026-11-20T08:00:00Z ERROR {family} call failed: {line}\n"));
            std::fs::write(&path, text).unwrap();
        }
        // A rotated log, gzip: the same secrets again, compressed.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for (_, line, _) in &lines {
            std::io::Write::write_all(&mut gz, format!("2026-11-19 WARN {line}\n").as_bytes()).unwrap();
        }
        write(&root, "data/bot2/logs/app.log.1.gz", gz.finish().unwrap());
        // A forbidden file, and the rotation setup.
        let stripe = format!("{}{}", "sk_live_", fakes.alnum(32));
        planted.add(stripe.as_str());
        write(&root, "docs/.env", format!("STRIPE_SECRET_KEY={stripe}\n"));
        write(
            &root,
            "hygiene.toml",
            "include_logs = true\n[rotation]\npolicy_file = \"docs/policy.md\"\nlog = \"ops/rotation-log.jsonl\"\n",
        );
        write(&root, "docs/policy.md", POLICY);
        write(
            &root,
            "ops/rotation-log.jsonl",
            "{\"secret_name\":\"JWT_SECRET_KEY\",\"rotated_by\":\"alice\",\"rotation_date\":\"2026-11-01\",\"status\":\"success\"}\n",
        );
        Audit { _dir: dir, root, config_home, planted, runs: 0 }
    }

    /// A fresh planted value (token-shaped, built now).
    fn fresh(&mut self, seed: u64) -> String {
        let value = format!("{}{}", "sk_live_", Fakes::new(seed).alnum(32));
        self.planted.add(value.as_str());
        value
    }

    /// Every file under the tree and the config directory: path -> content.
    fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        for base in [&self.root, &self.config_home] {
            for entry in walkdir::WalkDir::new(base).into_iter().filter_map(Result::ok) {
                if entry.file_type().is_file() {
                    out.insert(entry.path().to_path_buf(), std::fs::read(entry.path()).unwrap());
                }
            }
        }
        out
    }

    /// Runs `hygiene ARGS` in the root (stdin: `input`), audits stdout, stderr and every file
    /// it created or changed, and returns the output.
    fn run(&mut self, args: &[&str], input: Option<&[u8]>, envs: &[(&str, &str)]) -> Output {
        let before = self.files();
        let mut cmd = hygiene();
        cmd.current_dir(&self.root)
            .args(args)
            .env("RUST_BACKTRACE", "1")
            .env("XDG_CONFIG_HOME", &self.config_home);
        for (name, value) in envs {
            cmd.env(name, value);
        }
        if let Some(input) = input {
            cmd.write_stdin(input.to_vec());
        }
        let out = cmd.timeout(std::time::Duration::from_secs(120)).output().unwrap();
        let what = args.join(" ");
        assert!(out.status.code().is_some(), "{what}: killed");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{what}: panicked:\n{stderr}");
        self.planted.assert_absent(&format!("`hygiene {what}` stdout"), &out.stdout);
        self.planted.assert_absent(&format!("`hygiene {what}` stderr"), &out.stderr);
        for (path, content) in self.files() {
            if before.get(&path) != Some(&content) {
                self.planted.assert_absent(&format!("`hygiene {what}` wrote {}", path.display()), &content);
            }
        }
        self.runs += 1;
        out
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

#[test]
fn no_command_shows_a_planted_value_anywhere() {
    let mut audit = Audit::new();
    assert!(audit.planted.len() >= 15, "the inputs are full of planted values");

    // Scan: every format, each writing the report.
    for format in ["human", "json", "sarif", "github", "junit"] {
        let out = audit.run(&["scan", ".", "--format", format], None, &[]);
        assert_eq!(code(&out), 1, "scan --format {format}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(audit.root.join("reports/security/latest.json")).unwrap())
            .unwrap();
    assert!(report["findings"].as_array().unwrap().len() >= audit.planted.len(), "the secrets are found");
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["file"] == "docs/.env"));

    // Gate: every format.
    for format in ["human", "json", "sarif", "github", "junit"] {
        let out = audit.run(&["gate", ".", "--now", "2026-11-30", "--format", format], None, &[]);
        assert_eq!(code(&out), 1, "gate --format {format}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // Drift, with the scan report marking leaked keys.
    audit.run(&["scan", ".", "--format", "json"], None, &[]);
    for format in ["human", "json"] {
        let args = [
            "drift",
            ".",
            "--now",
            "2026-11-30",
            "--report",
            "reports/security/latest.json",
            "--format",
            format,
        ];
        let out = audit.run(&args, None, &[]);
        assert_eq!(code(&out), 1, "drift: {}", String::from_utf8_lossy(&out.stderr));
    }

    // Rotation record (success and failed) and import.
    // A token pasted into the note or the name of who rotated: masked before the log.
    let pasted = audit.fresh(7101);
    let note = format!("CHG-1, old key {pasted}");
    let by = format!("bob {pasted}");
    let args = [
        "rotation",
        "record",
        "JWT_SECRET_KEY",
        "--by",
        by.as_str(),
        "--date",
        "2026-11-29",
        "--note",
        note.as_str(),
    ];
    let out = audit.run(&args, None, &[]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("masked"));
    let log = std::fs::read_to_string(audit.root.join("ops/rotation-log.jsonl")).unwrap();
    assert!(log.contains(&format!("CHG-1, old key ****{}", &pasted[pasted.len() - 4..])), "{log}");
    let out = audit.run(
        &[
            "rotation",
            "record",
            "STRIPE_SECRET_KEY",
            "--by",
            "bob",
            "--status",
            "failed",
            "--date",
            "2026-11-29",
        ],
        None,
        &[],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let old_key = audit.fresh(7102);
    write(
        &audit.root,
        "ops/export.csv",
        format!(
            "secret_name,rotated_by,rotation_date,status,note\nSTRIPE_SECRET_KEY,carol,2026-11-28,success,\"CHG-2, was {old_key}\"\n"
        ),
    );
    let out = audit.run(&["rotation", "import", "ops/export.csv"], None, &[]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 row held a secret"));

    // Baseline create and prune (the baseline holds fingerprints, never values), then a scan
    // that applies it.
    let out = audit.run(&["baseline", "create", "."], None, &[]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let out = audit.run(&["baseline", "prune", "."], None, &[]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let out = audit.run(&["scan", ".", "--format", "json"], None, &[]);
    assert_eq!(code(&out), 0, "everything is in the baseline");
    std::fs::remove_file(audit.root.join(".hygiene-baseline.json")).unwrap();

    // Redact: stdin to stdout (with a known value from the environment and stats), check,
    // and in place (on copies: the inputs stay for the other runs).
    let known = audit.fresh(7001);
    let log = std::fs::read(audit.root.join("data/bot1/logs/app.log")).unwrap();
    let mut input = log.clone();
    input.extend_from_slice(format!("2026-11-30 INFO connecting with {known}\n").as_bytes());
    let out = audit.run(
        &["redact", "--stats", "--env", "HYGIENE_AUDIT_*"],
        Some(&input),
        &[("HYGIENE_AUDIT_TOKEN", &known)],
    );
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        out.stdout.iter().filter(|&&b| b == b'\n').count(),
        input.iter().filter(|&&b| b == b'\n').count()
    );
    write(&audit.root, "tmp/app.log", &log);
    std::fs::copy(audit.root.join("data/bot2/logs/app.log.1.gz"), audit.root.join("tmp/app.log.1.gz"))
        .unwrap();
    let out = audit.run(&["redact", "--check", "tmp/app.log", "tmp/app.log.1.gz"], None, &[]);
    assert_eq!(code(&out), 1, "something to redact");
    let out = audit.run(&["redact", "--in-place", "tmp/app.log", "tmp/app.log.1.gz"], None, &[]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let out = audit.run(&["redact", "--check", "tmp/app.log", "tmp/app.log.1.gz"], None, &[]);
    assert_eq!(code(&out), 0, "nothing left to redact");

    // Rules: list, check, check with a sample full of secrets.
    for args in [&["rules", "list"][..], &["rules", "list", "--format", "json"], &["rules", "check"]] {
        let out = audit.run(args, None, &[]);
        assert_eq!(code(&out), 0, "{args:?}");
    }
    let out = audit.run(&["rules", "check", "--sample", "data/bot1/logs/app.log"], None, &[]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(audit.runs >= 25);
}

/// Error paths: every malformed input holds a secret on the offending line and on the next.
#[test]
fn no_error_shows_a_planted_value() {
    let mut audit = Audit::new();
    let (a, b) = (audit.fresh(8001), audit.fresh(8002));
    let good_config = std::fs::read_to_string(audit.root.join("hygiene.toml")).unwrap();
    let good_log = std::fs::read_to_string(audit.root.join("ops/rotation-log.jsonl")).unwrap();

    // hygiene.toml.
    write(&audit.root, "hygiene.toml", format!("include_logs = \"{a}\"\n# {b}\n"));
    for args in [
        &["scan", "."][..],
        &["gate", ".", "--now", "2026-11-30"],
        &["drift", "."],
        &["baseline", "create", "."],
    ] {
        let out = audit.run(args, None, &[]);
        assert_eq!(code(&out), 2, "{args:?}");
    }
    write(
        &audit.root,
        "hygiene.toml",
        format!("{good_config}\n[[allow]]\npaths = [\"{a}/**\"]\nreason = \"{b}\"\nrules = 3\n"),
    );
    assert_eq!(code(&audit.run(&["scan", "."], None, &[])), 2);
    write(&audit.root, "hygiene.toml", &good_config);

    // The policy table.
    write(
        &audit.root,
        "docs/policy.md",
        format!("{POLICY}| `ALPACA_SECRET_KEY` | every {a} | 7 days | trading |\n| `PLAID_SECRET` | 90 days | 7 days | {b} |\n"),
    );
    assert_eq!(code(&audit.run(&["drift", ".", "--now", "2026-11-30"], None, &[])), 2);
    assert_eq!(code(&audit.run(&["gate", ".", "--now", "2026-11-30", "--format", "json"], None, &[])), 2);
    write(&audit.root, "docs/policy.md", POLICY);

    // The rotation log.
    write(
        &audit.root,
        "ops/rotation-log.jsonl",
        format!(
            "{good_log}{{\"secret_name\":\"JWT_SECRET_KEY\",\"rotated_by\":\"{a}\",\"rotation_date\":\"2026-13-01\"}}\n\
             {{\"secret_name\":\"JWT_SECRET_KEY\",\"rotated_by\":\"{b}\",\"rotation_date\":\"2026-11-02\",\"status\":\"success\"}}\n"
        ),
    );
    assert_eq!(code(&audit.run(&["drift", ".", "--now", "2026-11-30"], None, &[])), 2);
    assert_eq!(code(&audit.run(&["gate", ".", "--now", "2026-11-30", "--format", "sarif"], None, &[])), 2);
    let out = audit.run(
        &["rotation", "record", "JWT_SECRET_KEY", "--by", "bob", "--date", "2026-11-29"],
        None,
        &[],
    );
    assert_ne!(code(&out), 0, "a malformed log is not appended to blindly");
    write(&audit.root, "ops/rotation-log.jsonl", &good_log);

    // A CSV import with a bad row.
    write(
        &audit.root,
        "ops/export.csv",
        format!(
            "secret_name,rotated_by,rotation_date,status,note\nJWT_SECRET_KEY,{a},2026-11-31,success,{b}\n"
        ),
    );
    assert_eq!(code(&audit.run(&["rotation", "import", "ops/export.csv"], None, &[])), 2);

    // A baseline that is not one.
    write(
        &audit.root,
        ".hygiene-baseline.json",
        format!("{{\"version\": 1, \"entries\": [\"{a}\"]}}\n{b}\n"),
    );
    assert_eq!(code(&audit.run(&["scan", ".", "--format", "json"], None, &[])), 2);
    std::fs::remove_file(audit.root.join(".hygiene-baseline.json")).unwrap();

    // A rule pack with a secret in a broken regex and a description; a missing rules dir.
    write(
        &audit.root,
        "ops/rules/acme.toml",
        format!(
            "[pack]\nname = \"acme\"\n\n[[rules]]\nid = \"acme.token\"\ndescription = \"like {b}\"\n\
             regex = '''(?P<secret>{a}('''\nkeywords = [\"acme\"]\nseverity = \"low\"\n"
        ),
    );
    for args in [
        &["scan", ".", "--rules", "ops/rules"][..],
        &["rules", "check", "--rules", "ops/rules"],
        &["redact", "--rules", "ops/rules"],
    ] {
        let out = audit.run(args, Some(b"nothing\n"), &[]);
        assert_eq!(code(&out), 2, "{args:?}");
    }
    assert_eq!(code(&audit.run(&["scan", ".", "--rules", "/nonexistent/rules"], None, &[])), 2);
    // A file given to redact that does not exist, next to one that holds secrets.
    let out = audit.run(&["redact", "--check", "data/bot1/logs/app.log", "missing.log"], None, &[]);
    assert_eq!(code(&out), 2);
}
