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
