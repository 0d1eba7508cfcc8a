//! A broken rule pack or config is a diagnostic that points at the file and span, never a
//! panic; the CLI exits 2 with it on stderr.
use secrets_hygiene::rules::RuleSet;

use crate::render_diagnostic as render;

fn load_error(text: &str) -> String {
    let mut set = RuleSet::builtin().unwrap();
    let err = set.add_file("rules/acme.toml", text).expect_err("pack must be rejected");
    render(&err)
}

const HEADER: &str =
    "[pack]\nname = \"acme\"\n\n[[rules]]\nid = \"acme.token\"\ndescription = \"Acme token\"\n";

#[test]
fn missing_secret_group() {
    let text =
        format!("{HEADER}regex = '''acme_[a-z0-9]{{32}}'''\nkeywords = [\"acme_\"]\nseverity = \"high\"\n");
    insta::assert_snapshot!(load_error(&text));
}

#[test]
fn invalid_regex() {
    let text = format!(
        "{HEADER}regex = '''(?P<secret>acme_[a-z0-9{{32}})'''\nkeywords = [\"acme_\"]\nseverity = \"high\"\n"
    );
    insta::assert_snapshot!(load_error(&text));
}

#[test]
fn unknown_fragment() {
    let text = format!(
        "{HEADER}regex = '''acme_token{{asign}}(?P<secret>[a-z0-9]{{32}})'''\nkeywords = [\"acme_\"]\nseverity = \"high\"\n"
    );
    insta::assert_snapshot!(load_error(&text));
}

#[test]
fn toml_syntax_error() {
    let text = format!("{HEADER}regex = '''(?P<secret>x)'''\nkeywords = [\"acme_\"\nseverity = \"high\"\n");
    insta::assert_snapshot!(load_error(&text));
}

#[test]
fn unknown_field_and_bad_severity() {
    let text =
        format!("{HEADER}regex = '''(?P<secret>x)'''\nkeywords = [\"acme_\"]\nseverity = \"urgent\"\n");
    insta::assert_snapshot!(load_error(&text));
    let text = format!("{HEADER}regexp = '''(?P<secret>x)'''\nkeywords = [\"acme_\"]\nseverity = \"high\"\n");
    assert!(load_error(&text).contains("unknown field `regexp`"));
}

#[test]
fn wrong_family_and_duplicate_id() {
    let text = "[pack]\nname = \"acme\"\n[[rules]]\nid = \"other.token\"\ndescription = \"d\"\nregex = '''(?P<secret>x)'''\nkeywords = [\"xx\"]\nseverity = \"low\"\n";
    assert!(load_error(text).contains("is not in family `acme`"));
    let dup = "[pack]\nname = \"aws\"\n[[rules]]\nid = \"aws.access-key-id\"\ndescription = \"d\"\nregex = '''(?P<secret>x)'''\nkeywords = [\"xx\"]\nseverity = \"low\"\n";
    assert!(load_error(dup).contains("duplicate rule id `aws.access-key-id`"));
}

#[test]
fn cli_exits_2_with_the_file_named() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("bad.toml"), "[[rules]]\nid = 'x'\n").unwrap();
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    let out = crate::hygiene().arg("scan").arg(dir.path()).arg("--rules").arg(&rules).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.toml"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // No report is written when the run could not start.
    assert!(!dir.path().join("reports/security/latest.json").exists());
}

#[test]
fn bad_config_is_a_diagnostic_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    crate::write(dir.path(), "hygiene.toml", "scopes = [\"docs/**\"]\ninclude_log = true\n");
    let out = crate::hygiene().arg("scan").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("hygiene.toml") && stderr.contains("include_log"), "{stderr}");
}

/// A token-shaped value made at run time.
fn planted(seed: u64) -> String {
    crate::fake::Fakes::new(seed).github("ghp_")
}

/// Runs `hygiene` in a repository laid out by `files` and returns (exit code, stderr).
fn run_in(files: &[(&str, String)], args: &[&str]) -> (tempfile::TempDir, i32, String) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        crate::write(dir.path(), path, text);
    }
    let out = crate::hygiene().current_dir(dir.path()).args(args).output().unwrap();
    let code = out.status.code().unwrap();
    (dir, code, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Neither token, nor a long piece of one, is in `text`; the error still points (its source
/// line shows the same-width mask).
fn assert_masked(text: &str, tokens: &[&str], what: &str) {
    for token in tokens {
        for piece in token.as_bytes().windows(12) {
            let piece = std::str::from_utf8(piece).unwrap();
            assert!(!text.contains(piece), "{what}: {piece:?} of a planted token printed:\n{text}");
        }
    }
    assert!(text.contains(&"*".repeat(tokens[0].len())), "{what}: no same-width mask in:\n{text}");
}

#[test]
fn secrets_next_to_an_error_are_masked_in_every_diagnostic() {
    let (a, b) = (planted(50), planted(51));
    let policy_config = "[rotation]\npolicy_file = \"docs/policy.md\"\nlog = \"ops/rotation-log.jsonl\"\n";
    let policy_ok = "| Secret | Frequency | Grace | Owner |\n|---|---|---|---|\n| `JWT_SECRET_KEY` | 90 days | 7 days | platform |\n";

    // hygiene.toml: the value in the error message and on the next line.
    let config = format!("scopes = [\"docs/**\"]\ninclude_logs = \"{a}\"\n# old token {b}\n");
    let (_dir, code, stderr) = run_in(&[("hygiene.toml", config)], &["scan", "."]);
    assert_eq!(code, 2);
    assert!(stderr.contains("hygiene.toml") && stderr.contains("include_logs"), "{stderr}");
    assert_masked(&stderr, &[&a, &b], "hygiene.toml");

    // The policy table: a token in the bad cell and in the next row.
    let policy = format!(
        "| Secret | Frequency | Grace | Owner |\n|---|---|---|---|\n\
         | `JWT_SECRET_KEY` | every {a} | 7 days | platform |\n\
         | `ALPACA_SECRET_KEY` | 90 days | 7 days | {b} |\n"
    );
    let files = [("hygiene.toml", policy_config.to_string()), ("docs/policy.md", policy)];
    let (_dir, code, stderr) = run_in(&files, &["drift", ".", "--now", "2026-11-30"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("bad_frequency"), "{stderr}");
    assert_masked(&stderr, &[&a, &b], "policy table");
    // The gate writes the same diagnostic into its report.
    let (dir, _, stderr) = run_in(&files, &["gate", ".", "--now", "2026-11-30"]);
    let report = std::fs::read_to_string(dir.path().join("reports/security/latest.json")).unwrap();
    assert!(report.contains("bad_frequency"), "{report}");
    assert_masked(&report, &[&a, &b], "gate report");
    let stdout_and_err = stderr;
    assert!(!stdout_and_err.contains(&a) && !stdout_and_err.contains(&b));

    // The rotation log: a token on the bad line and on the next.
    let log = format!(
        "{{\"secret_name\":\"JWT_SECRET_KEY\",\"rotated_by\":\"{a}\",\"rotation_date\":\"2026-11-01\"}}\n\
         {{\"secret_name\":\"JWT_SECRET_KEY\",\"rotated_by\":\"{b}\",\"rotation_date\":\"2026-11-02\",\"status\":\"success\"}}\n"
    );
    let files = [
        ("hygiene.toml", policy_config.to_string()),
        ("docs/policy.md", policy_ok.to_string()),
        ("ops/rotation-log.jsonl", log),
    ];
    let (_dir, code, stderr) = run_in(&files, &["drift", ".", "--now", "2026-11-30"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("rotation-log.jsonl"), "{stderr}");
    assert_masked(&stderr, &[&a, &b], "rotation log");

    // A rule pack: a token in the broken regex and in the description above it.
    let pack = format!(
        "[pack]\nname = \"acme\"\n\n[[rules]]\nid = \"acme.token\"\ndescription = \"like {b}\"\n\
         regex = '''(?P<secret>{a}('''\nkeywords = [\"acme\"]\nseverity = \"low\"\n"
    );
    let (_dir, code, stderr) =
        run_in(&[("ops/rules/acme.toml", pack)], &["scan", ".", "--rules", "ops/rules"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("acme.toml"), "{stderr}");
    assert_masked(&stderr, &[&a, &b], "rule pack");
}

/// The binary renders its diagnostics as miette's default handler does on this stderr (the
/// library compiles miette's own terminal detection out, the binary detects it): unicode
/// drawing, colour when forced and none when refused, the width of no terminal (80).
#[test]
fn cli_diagnostics_detect_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    crate::write(dir.path(), "hygiene.toml", "scopes = [\"docs/**\"]\ninclude_log = true\n");
    let stderr = |env: (&str, &str)| {
        let out = crate::hygiene()
            .arg("scan")
            .arg(dir.path())
            .env_remove("NO_COLOR")
            .env_remove("FORCE_COLOR")
            .env_remove("NO_GRAPHICS")
            .env(env.0, env.1)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    let coloured = stderr(("FORCE_COLOR", "1"));
    assert!(coloured.contains("\u{1b}[31m"), "{coloured}");
    let plain = stderr(("NO_COLOR", "1"));
    assert!(!plain.contains('\u{1b}'), "{plain}");
    // Not a terminal: unicode (as supports-unicode decides), wrapped at 80 columns.
    assert!(plain.contains("× ") && plain.contains("╭─["), "{plain}");
    assert!(plain.lines().all(|l| l.chars().count() <= 80), "{plain}");
    assert!(plain.lines().any(|l| l.chars().count() > 70), "{plain}");
    assert_eq!(coloured.lines().count(), plain.lines().count());
}
