//! The CI output formats: SARIF validated against the official SARIF 2.1.0 schema (kept in
//! `tests/sarif-schema/`), GitHub workflow commands and JUnit XML as snapshots, and escaping
//! of awkward paths and descriptions checked directly. Reports are built by hand with fake
//! masked values (the wire types never hold a secret), plus one real scan of the demo repo.
use std::path::Path;
use std::sync::OnceLock;

use jsonschema::Validator;
use secrets_hygiene::detect::Detector;
use secrets_hygiene::fingerprint::Fingerprinter;
use secrets_hygiene::report::{github, junit, sarif, Report, Status};
use secrets_hygiene::rules::RuleSet;
use secrets_hygiene::scan;
use secrets_hygiene::walk::{Targets, WalkPlan};
use serde_json::{json, Value};

/// A path with a comma and a colon: both must be escaped in workflow-command properties.
const AWKWARD_FILE: &str = "reports/q3,eu:west/summary.json";

fn finding(
    rule_id: &str,
    description: &str,
    severity: &str,
    file: &str,
    at: (u64, u64, u64),
    masked: &str,
) -> Value {
    json!({
        "rule_id": rule_id,
        "description": description,
        "severity": severity,
        "file": file,
        "line": at.0,
        "column": at.1,
        "end_line": at.2,
        "masked": masked,
        "fingerprint": format!("{:032x}", at.0 * 1000 + at.1),
    })
}

/// A failing report: findings of every severity, a rule the rule set does not know (with a
/// description full of characters to escape), an awkward path and two read errors. Built
/// from the report's JSON shape, as CI would read it back.
fn sample_report() -> Report {
    let report = json!({
        "schema_version": 1,
        "tool": { "name": "hygiene", "version": "0.1.0" },
        "status": "fail",
        "generated_at": "2026-11-25T17:02:11Z",
        "root": "fixtures/demo",
        "scopes": ["docs/**", "reports/**"],
        "stats": {
            "files_scanned": 7,
            "files_skipped": { "binary": 1 },
            "bytes_scanned": 4711,
            "duration_ms": 9,
            "rules": 84
        },
        "findings": [
            finding(
                "db.connection-url",
                "Password in a database, cache or broker URL",
                "critical",
                "docs/runbook-database.md",
                (22, 42, 22),
                "****Ab12",
            ),
            finding(
                "acme.token",
                "Acme token: 100% <secret> & \"quoted\"\nsecond line",
                "high",
                "docs/runbook-database.md",
                (30, 1, 31),
                "****",
            ),
            finding(
                "gitlab.feed-token",
                "GitLab feed token (RSS and calendar feeds)",
                "low",
                "docs/runbook-gitlab.md",
                (3, 14, 3),
                "****Cd34",
            ),
            finding(
                "bitget.api-key",
                "Bitget API key (bg_ + 32 hex)",
                "medium",
                AWKWARD_FILE,
                (7, 130, 7),
                "****Ef56",
            ),
            finding(
                "bitget.secret-key",
                "Bitget API secret key (64 hex) in a Bitget secret field",
                "critical",
                AWKWARD_FILE,
                (7, 180, 7),
                "****Gh78",
            ),
        ],
        "errors": [
            { "path": "data/bot9/logs/app,1:2.log", "message": "Permission denied (os error 13)" },
            { "path": "docs/<odd> & 'name'.md", "message": "stream did not contain valid data\r\nat 100%" },
        ],
    });
    serde_json::from_value(report).expect("the sample matches the report schema")
}

fn clean_report() -> Report {
    Report { status: Status::Pass, findings: vec![], errors: vec![], ..sample_report() }
}

fn schema_validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif-schema/sarif-2.1.0.json");
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        jsonschema::options().should_validate_formats(true).build(&schema).expect("the SARIF schema compiles")
    })
}

/// Schema errors of `log`, one `path: message` per line.
fn schema_errors(log: &Value) -> Vec<String> {
    schema_validator().iter_errors(log).map(|e| format!("{}: {e}", e.instance_path)).collect()
}

fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF is JSON");
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "invalid SARIF:\n{}\n{text}", errors.join("\n"));
    log
}

/// Every result's `ruleIndex` points at the descriptor of its `ruleId`.
fn assert_rule_indexes(log: &Value) {
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"], "{result}");
    }
}

fn builtin_rules() -> RuleSet {
    RuleSet::builtin().expect("built-in rules load")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let rules = builtin_rules();
    let text = sarif::render(&sample_report(), &rules.rules);
    let log = assert_valid_sarif(&text);
    assert_rule_indexes(&log);

    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    assert_eq!(run["tool"]["driver"]["name"], "hygiene");
    assert_eq!(run["tool"]["driver"]["version"], "0.1.0");
    assert_eq!(run["columnKind"], "unicodeCodePoints");

    // Only the rules with results, sorted by id, with level and GitHub's security severity.
    let rules: Vec<&Value> = run["tool"]["driver"]["rules"].as_array().unwrap().iter().collect();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["acme.token", "bitget.api-key", "bitget.secret-key", "db.connection-url", "gitlab.feed-token"]
    );
    let expect = [
        ("acme.token", "error", "8.0"),
        ("bitget.api-key", "warning", "5.0"),
        ("bitget.secret-key", "error", "9.5"),
        ("db.connection-url", "error", "9.5"),
        ("gitlab.feed-token", "note", "3.0"),
    ];
    for (rule, (id, level, score)) in rules.iter().zip(expect) {
        assert_eq!(rule["id"], id);
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{id}");
        assert_eq!(rule["properties"]["security-severity"], score, "{id}");
        let tags = rule["properties"]["tags"].as_array().unwrap();
        assert!(tags.contains(&json!("security")), "{id}");
        assert!(tags.contains(&json!(id.split('.').next().unwrap())), "{id}");
        assert!(!rule["shortDescription"]["text"].as_str().unwrap().is_empty());
    }
    // A built-in rule says where it is defined; an unknown one falls back to the finding.
    assert!(rules[3]["fullDescription"]["text"].as_str().unwrap().contains("database.toml"));
    assert!(rules[0]["shortDescription"]["text"].as_str().unwrap().starts_with("Acme token"));

    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let first = &results[0];
    assert_eq!(first["ruleId"], "db.connection-url");
    assert_eq!(first["level"], "error");
    assert_eq!(first["message"]["text"], "Password in a database, cache or broker URL (****Ab12)");
    assert_eq!(
        first["locations"][0]["physicalLocation"],
        json!({
            "artifactLocation": { "uri": "docs/runbook-database.md", "uriBaseId": "%SRCROOT%" },
            "region": { "startLine": 22, "startColumn": 42, "endLine": 22 }
        })
    );
    assert_eq!(first["partialFingerprints"], json!({ "hygiene/v1": format!("{:032x}", 22042) }));
    // A comma and a colon in a path are percent-encoded: the URI is a relative reference.
    assert_eq!(
        results[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "reports/q3%2Ceu%3Awest/summary.json"
    );
    assert_eq!(results[2]["level"], "note");
    assert_eq!(results[3]["level"], "warning");

    // Read errors: the run did not succeed, one notification each.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["endTimeUtc"], "2026-11-25T17:02:11Z");
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(
        notes[0]["message"]["text"],
        "cannot read data/bot9/logs/app,1:2.log: Permission denied (os error 13)"
    );
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());

    // Deterministic: the same report renders to the same bytes.
    assert_eq!(text, sarif::render(&sample_report(), &builtin_rules().rules));
}

#[test]
fn sarif_of_a_clean_scan_is_valid() {
    let text = sarif::render(&clean_report(), &builtin_rules().rules);
    let log = assert_valid_sarif(&text);
    let run = &log["runs"][0];
    assert_eq!(run["results"], json!([]));
    assert_eq!(run["tool"]["driver"]["rules"], json!([]));
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    assert_eq!(run["invocations"][0]["toolExecutionNotifications"], json!([]));
}

#[test]
fn sarif_with_an_absolute_root_names_it_as_a_file_uri() {
    let report = Report { root: "/srv/ops repo".into(), ..sample_report() };
    let log = assert_valid_sarif(&sarif::render(&report, &[]));
    assert_eq!(log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///srv/ops%20repo/");
    // Without rule metadata every descriptor comes from the findings; indexes still hold.
    assert_rule_indexes(&log);
}

/// The schema check has teeth: documents that break the schema in different ways fail it.
#[test]
fn sarif_schema_rejects_invalid_documents() {
    let valid: Value =
        serde_json::from_str(&sarif::render(&sample_report(), &builtin_rules().rules)).unwrap();
    assert!(schema_errors(&valid).is_empty());

    type Mutation = fn(&mut Value);
    let broken: [(&str, Mutation); 6] = [
        ("no version", |log| {
            log.as_object_mut().unwrap().remove("version");
        }),
        ("no tool", |log| {
            log["runs"][0].as_object_mut().unwrap().remove("tool");
        }),
        ("result without a message", |log| {
            log["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
        }),
        ("unknown level", |log| log["runs"][0]["results"][0]["level"] = json!("fatal")),
        ("line 0", |log| {
            log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = json!(0)
        }),
        ("unknown property", |log| log["runs"][0]["results"][0]["secret"] = json!("x")),
    ];
    for (what, mutate) in broken {
        let mut log = valid.clone();
        mutate(&mut log);
        assert!(!schema_errors(&log).is_empty(), "{what}: should fail the schema");
    }
}

/// The real scanner over the demo repository renders to valid SARIF.
#[test]
fn sarif_of_the_demo_scan_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let detector = Detector::new(builtin_rules()).unwrap();
    let scopes: Vec<String> = ["docs/**", "reports/**", "data/*/logs/**"].map(String::from).into();
    let plan = WalkPlan {
        root: root.clone(),
        targets: Targets::Scopes(scopes.clone()),
        exclude: vec![],
        follow_links: false,
        never_scan: vec![root.join("reports/security/latest.json")],
        ignore_files: secrets_hygiene::ignore_files::IgnorePolicy::all(&root),
    };
    let outcome =
        scan::scan(&detector, &Fingerprinter::with_key("k"), &plan, &scan::Keep::everything(), &|_| {})
            .unwrap();
    let report = Report::from_scan(&outcome, "fixtures/demo", scopes, "2026-11-25T17:02:11Z".into());
    assert_eq!(report.findings.len(), 6, "{:#?}", report.findings);

    let log = assert_valid_sarif(&sarif::render(&report, detector.rules()));
    assert_rule_indexes(&log);
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    for (result, f) in results.iter().zip(&report.findings) {
        assert_eq!(result["ruleId"], f.rule_id.as_str());
        assert_eq!(result["partialFingerprints"]["hygiene/v1"], f.fingerprint.as_str());
        assert!(result["message"]["text"].as_str().unwrap().ends_with(&format!("({})", f.masked)));
    }
    // Every descriptor is a built-in rule, with the built-in severity.
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        let builtin = detector.rules().iter().find(|r| r.id == rule["id"]).unwrap();
        assert_eq!(rule["properties"]["severity"], builtin.severity.as_str());
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);

    // The other formats render the same report without trouble.
    assert_eq!(github::render(&report).lines().count(), 7);
    let xml = junit::render(&report);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("failures"), Some("4"));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!(github::render(&sample_report()));
}

#[test]
fn github_clean_snapshot() {
    insta::assert_snapshot!(github::render(&clean_report()));
}

#[test]
fn github_escapes_properties_and_messages() {
    let text = github::render(&sample_report());
    let lines: Vec<&str> = text.lines().collect();
    // One command per finding, one per error, one summary; no raw newline inside a command.
    assert_eq!(lines.len(), 5 + 2 + 1);
    assert!(lines.iter().all(|l| l.starts_with("::")), "{text}");

    // Paths are joined to the root; `,` and `:` in a property are escaped.
    assert_eq!(
        lines[3],
        "::warning file=fixtures/demo/reports/q3%2Ceu%3Awest/summary.json,line=7,col=130,endLine=7,\
         title=bitget.api-key::Bitget API key (bg_ + 32 hex) (****Ef56)"
    );
    // In the message `%`, CR and LF are escaped, `:` and `,` are not.
    assert_eq!(
        lines[1],
        "::error file=fixtures/demo/docs/runbook-database.md,line=30,col=1,endLine=31,\
         title=acme.token::Acme token: 100%25 <secret> & \"quoted\"%0Asecond line (****)"
    );
    assert!(lines[2].starts_with("::warning file=fixtures/demo/docs/runbook-gitlab.md,"));
    assert!(lines[0].starts_with("::error "));
    assert_eq!(
        lines[5],
        "::error title=hygiene::cannot read fixtures/demo/data/bot9/logs/app,1:2.log: Permission denied (os error 13)"
    );
    assert!(lines[6].ends_with("stream did not contain valid data%0D%0Aat 100%25"));
    assert!(lines[7].starts_with("::error title=hygiene::fail: 5 findings in 3 files, 2 errors;"));
}

#[test]
fn github_paths_are_plain_when_the_root_is_the_working_directory() {
    let report = Report { root: ".".into(), ..sample_report() };
    let text = github::render(&report);
    assert!(text.starts_with("::error file=docs/runbook-database.md,line=22,col=42,"), "{text}");
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(junit::render(&sample_report()));
}

#[test]
fn junit_clean_snapshot() {
    insta::assert_snapshot!(junit::render(&clean_report()));
}

#[test]
fn junit_is_well_formed_with_counts_and_escaping() {
    let xml = junit::render(&sample_report());
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    let suite = suites.children().find(|n| n.has_tag_name("testsuite")).unwrap();
    for node in [suites, suite] {
        assert_eq!(node.attribute("name"), Some("hygiene"));
        assert_eq!(node.attribute("tests"), Some("5"));
        assert_eq!(node.attribute("failures"), Some("3"));
        assert_eq!(node.attribute("errors"), Some("2"));
        assert_eq!(node.attribute("time"), Some("0.009"));
    }
    let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
    let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(
        names,
        [
            "docs/runbook-database.md",
            "docs/runbook-gitlab.md",
            AWKWARD_FILE,
            "data/bot9/logs/app,1:2.log",
            "docs/<odd> & 'name'.md",
        ]
    );
    // The parsed text round-trips what was escaped.
    let failure = cases[0].children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("message"), Some("2 secrets found"));
    assert_eq!(failure.attribute("type"), Some("critical"));
    let body = failure.text().unwrap();
    assert!(body.contains("22:42  db.connection-url  ****Ab12  Password in a database"), "{body}");
    assert!(body.contains("Acme token: 100% <secret> & \"quoted\"\nsecond line (high)"), "{body}");
    let error = cases[4].children().find(|n| n.has_tag_name("error")).unwrap();
    assert_eq!(
        error.attribute("message"),
        Some("cannot read docs/<odd> & 'name'.md: stream did not contain valid data\r\nat 100%")
    );
    // And the raw text has the entities.
    assert!(xml.contains("Acme token: 100% &lt;secret&gt; &amp; &quot;quoted&quot;&#10;second line"));
}

#[test]
fn junit_clean_scan_has_one_passing_case() {
    let xml = junit::render(&clean_report());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
    assert_eq!(suite.attribute("tests"), Some("1"));
    assert_eq!(suite.attribute("failures"), Some("0"));
    assert_eq!(suite.attribute("errors"), Some("0"));
    let case = suite.children().find(|n| n.has_tag_name("testcase")).unwrap();
    assert_eq!(case.attribute("name"), Some("secrets scan"));
    assert!(case.children().all(|n| !n.is_element()));
}

/// A gate that fails on rotation alone: no finding, no unreadable file, one blocking key and
/// one key whose log cannot be trusted.
fn rotation_only_gate_report() -> Report {
    let mut report = Report { status: Status::Fail, findings: vec![], errors: vec![], ..sample_report() };
    report.gate = Some(
        serde_json::from_value(json!({
            "verdict": "fail",
            "now": "2026-11-25",
            "reasons": [
                { "kind": "rotation", "message": "PLAID_SECRET expired: due 2026-10-18, grace ended 2026-11-01, last rotated 2026-07-20" },
                { "kind": "rotation_error", "message": "JWT_SECRET_KEY: the rotation log has an entry dated after 2026-11-25 (2062-08-29)" },
            ],
            "warnings": [],
            "findings_by_rule": {},
            "keys": {},
            "rotation": null,
        }))
        .unwrap(),
    );
    report
}

#[test]
fn every_format_carries_every_blocking_reason_of_a_gate() {
    let report = rotation_only_gate_report();

    // GitHub: one ::error per reason, and the closing line is an error, not a notice.
    let text = github::render(&report);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        vec![
            "::error title=hygiene rotation::PLAID_SECRET expired: due 2026-10-18, grace ended 2026-11-01, last rotated 2026-07-20",
            "::error title=hygiene rotation_error::JWT_SECRET_KEY: the rotation log has an entry dated after 2026-11-25 (2062-08-29)",
            "::error title=hygiene::gate: FAIL (2 reason(s)); 0 findings in 0 files; scanned 7 files (0.0 MB), skipped 1, in 0.01 s",
        ]
    );
    assert!(!text.contains("::notice"), "{text}");

    // JUnit: a failing case for the blocking key, an erroring one for the untrusted log.
    let xml = junit::render(&report);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suite = doc.descendants().find(|n| n.has_tag_name("testsuite")).unwrap();
    assert_eq!(suite.attribute("failures"), Some("1"), "{xml}");
    assert_eq!(suite.attribute("errors"), Some("1"), "{xml}");
    assert_eq!(suite.attribute("tests"), Some("3"), "{xml}");
    let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases[0].attribute("classname"), Some("hygiene.rotation"));
    let failure = cases[0].children().find(|n| n.has_tag_name("failure")).unwrap();
    assert!(failure.attribute("message").unwrap().starts_with("PLAID_SECRET expired"));
    assert_eq!(cases[1].attribute("classname"), Some("hygiene.rotation_error"));
    assert!(cases[1].children().any(|n| n.has_tag_name("error")));

    // SARIF: a notification per reason, execution not successful (an error), still valid.
    let log = assert_valid_sarif(&sarif::render(&report, &builtin_rules().rules));
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    let ids: Vec<&str> = notes.iter().map(|n| n["descriptor"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["hygiene/rotation", "hygiene/rotation_error"]);
    assert!(notes.iter().all(|n| n["level"] == "error"));
    assert_eq!(log["runs"][0]["properties"]["reasons"].as_array().unwrap().len(), 2);

    // Blocking on rotation only (no error): SARIF execution itself succeeded.
    let mut blocking_only = report.clone();
    blocking_only.gate.as_mut().unwrap().reasons.truncate(1);
    let log = assert_valid_sarif(&sarif::render(&blocking_only, &builtin_rules().rules));
    assert_eq!(log["runs"][0]["invocations"][0]["executionSuccessful"], true);
    assert_eq!(log["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap().len(), 1);
}

#[test]
fn a_failing_scan_of_low_severity_findings_closes_with_an_error() {
    // Every finding a ::warning, but the run fails: the closing line says so as an error.
    let mut report = sample_report();
    report.errors.clear();
    report.findings.retain(|f| f.severity == "low" || f.severity == "medium");
    let text = github::render(&report);
    assert!(text.lines().take(2).all(|l| l.starts_with("::warning ")), "{text}");
    assert!(text.lines().last().unwrap().starts_with("::error title=hygiene::fail: 2 findings"), "{text}");
}
