//! Encoded secrets: base64 (Kubernetes Secrets, `*_B64` variables, JSON payloads in logs),
//! percent-encoded DSNs and JSON-escaped nested documents are decoded, reported at the encoded
//! text with `decoded`, and redacted; encoded dummies and random base64 stay quiet.
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use proptest::prelude::*;
use secrets_hygiene::detect::{Detector, Encoding};
use secrets_hygiene::redact::Redactor;
use secrets_hygiene::rules::RuleSet;

use super::fake::Fakes;
use super::{hygiene, scan_json, write};

fn b64(text: &str) -> String {
    STANDARD.encode(text)
}

/// Percent-encodes every byte outside the unreserved set.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// 1-based column of the first occurrence of `needle` in `line`.
fn column(line: &str, needle: &str) -> u64 {
    line.find(needle).unwrap() as u64 + 1
}

struct Planted {
    /// File name, contents.
    files: Vec<(&'static str, String)>,
    /// (file, line, column, rule, decoded) expected, sorted like the report.
    expected: Vec<(String, u64, u64, String, String)>,
    /// Every encoded blob and decoded secret: none may survive redaction.
    values: Vec<String>,
}

/// One file per encoded context, each with one secret, from fresh random parts.
fn planted(seed: u64) -> Planted {
    let mut fakes = Fakes::new(seed);
    let token = fakes.github("ghp_");
    let password = format!("{}!{}", fakes.alnum(7), fakes.alnum(6));
    let api_key = fakes.alnum(32);
    let mut files = Vec::new();
    let mut expected = Vec::new();
    let mut values = vec![token.clone(), password.clone(), api_key.clone()];
    let mut expect = |file: &str, line: u64, col: u64, rule: &str, how: &str| {
        expected.push((file.to_string(), line, col, rule.to_string(), how.to_string()))
    };

    let (token_b64, password_b64) = (b64(&token), b64(&password));
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bot1\ntype: Opaque\ndata:\n  token: {token_b64}\n  password: {password_b64}\n  username: {}\n",
        b64("trader")
    );
    expect("secret.yaml", 7, 10, "github.pat-classic", "base64");
    expect("secret.yaml", 8, 13, "generic.password", "base64");
    files.push(("secret.yaml", manifest));

    let url_token = URL_SAFE_NO_PAD.encode(&token);
    let env = format!("LOG_LEVEL=info\nFOO_B64={url_token}\n");
    expect("deploy.sh", 2, 9, "github.pat-classic", "base64");
    files.push(("deploy.sh", env));

    let payload = b64(&format!("{{\"exchange\": \"acme\", \"api_key\": \"{api_key}\"}}"));
    let log = format!(
        "{{\"ts\": \"2026-11-20T08:00:00Z\", \"level\": \"info\", \"msg\": \"order sent\"}}\n{{\"ts\": \"2026-11-20T08:00:01Z\", \"level\": \"debug\", \"payload\": \"{payload}\"}}\n"
    );
    let line = log.lines().nth(1).unwrap().to_string();
    expect("app.jsonl", 2, column(&line, &payload), "generic.secret", "base64");
    files.push(("app.jsonl", log));

    let dsn_password = fakes.alnum(14);
    let dsn = format!("postgres://ledger:{dsn_password}@db.internal:5432/ledger");
    let line = format!("dsn={}&pool=5", percent(&dsn));
    expect("job.ini", 1, column(&line, &dsn_password), "db.connection-url", "percent");
    files.push(("job.ini", format!("{line}\n")));
    values.push(dsn_password);

    let nested_key = fakes.alnum(28);
    let inner = format!("{{\"api_key\": \"{nested_key}\", \"region\": \"eu\"}}");
    let line = serde_json::json!({ "event": "config_loaded", "config": inner }).to_string();
    expect("events.jsonl", 1, column(&line, &nested_key), "generic.secret", "json");
    files.push(("events.jsonl", format!("{line}\n")));
    values.push(nested_key);

    let registry = format!("ci-bot:{}", fakes.alnum(16));
    let config = b64(&format!("{{\"auths\":{{\"registry.acme.io\":{{\"auth\":\"{}\"}}}}}}", b64(&registry)));
    let pull = format!(
        "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {config}\n"
    );
    expect("pull-secret.yaml", 5, 22, "docker.config-auth", "base64");
    files.push(("pull-secret.yaml", pull));
    values.extend([registry, config]);

    values.extend([token_b64, password_b64, url_token, payload]);
    expected.sort();
    Planted { files, expected, values }
}

#[test]
fn every_encoded_secret_is_found_at_the_encoded_text() {
    let dir = tempfile::tempdir().unwrap();
    let planted = planted(13);
    for (name, contents) in &planted.files {
        write(dir.path(), name, contents);
    }
    let names: Vec<&str> = planted.files.iter().map(|(n, _)| *n).collect();
    let mut args = vec!["--files"];
    args.extend(&names);
    let out = hygiene()
        .current_dir(dir.path())
        .arg("scan")
        .args(["--no-report", "--format", "json"])
        .args(&args)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut found: Vec<(String, u64, u64, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["decoded"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(found, planted.expected);
    let stdout = String::from_utf8_lossy(&out.stdout);
    for value in &planted.values {
        assert!(!stdout.contains(value.as_str()), "the report leaks a value");
    }
}

#[test]
fn encoded_dummies_and_random_base64_stay_quiet() {
    let mut fakes = Fakes::new(7);
    let random: Vec<u8> = fakes.alnum(48).bytes().map(|b| b.wrapping_mul(37)).collect();
    let text = [
        format!("password: {}", b64("toor")),
        format!("DB_PASSWORD={}", b64("hunter2")),
        format!("redis_pass: {}", STANDARD_NO_PAD.encode("changeme")),
        format!("apiVersion: v1\nkind: Secret\ndata:\n  password: {}\n  user: {}", b64("password123"), b64("admin")),
        format!("BACKUP_B64={}", b64("your_api_key_here")),
        format!("{{\"payload\": \"{}\"}}", b64("{\"api_key\": \"YOUR_API_KEY\"}")),
        format!("dsn={}", percent("postgres://user:password@localhost:5432/app")),
        r#"{"config": "{\"api_key\": \"${API_KEY}\"}"}"#.to_string(),
        format!("blob: {}", STANDARD.encode(&random)),
        format!("checksum_b64: {}", STANDARD.encode([7u8; 32].iter().map(|b| b ^ 0xa5).collect::<Vec<u8>>())),
        format!("avatar: data:image/png;base64,{}", STANDARD.encode(&random)),
        "tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJzekNDQVZtZ0F3SUJBZ0lVCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K".to_string(),
    ]
    .join("\n");
    let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
    let found = detector.find(text.as_bytes());
    let shown: Vec<String> = found
        .iter()
        .map(|m| format!("{} at {:?}", detector.rules()[m.rule].id, &text[m.secret.clone()]))
        .collect();
    assert!(found.is_empty(), "{shown:?}");
}

#[test]
fn redact_removes_every_encoded_secret_and_leaks_nothing() {
    let planted = planted(29);
    let input: String = planted.files.iter().map(|(_, c)| c.as_str()).collect::<Vec<_>>().join("\n");
    let out = hygiene().arg("redact").write_stdin(input.clone()).output().unwrap();
    assert!(out.status.success());
    let redacted = String::from_utf8(out.stdout).unwrap();
    for value in &planted.values {
        assert!(!redacted.contains(value.as_str()), "redaction leaks a value");
    }
    // The library redacts the same spans, each encoded blob as a bare `****`.
    let redactor = Redactor::builder().build().unwrap();
    let library = redactor.redact(&input);
    assert_eq!(library, redacted);
    assert!(library.contains("  token: ****\n"), "{library}");
    // Everything else is left as it was.
    assert_eq!(library.lines().count(), input.lines().count());
    assert!(library.contains("kind: Secret") && library.contains("LOG_LEVEL=info"));
}

#[test]
fn a_scan_of_a_directory_reports_decoded_in_the_json_report_only_when_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let mut fakes = Fakes::new(3);
    let plain = fakes.github("ghp_");
    let encoded = fakes.github("ghp_");
    write(
        dir.path(),
        "docs/tokens.md",
        format!("GITHUB_TOKEN={plain}\nGITHUB_TOKEN_B64={}\n", b64(&encoded)),
    );
    let (code, report) = scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert!(findings[0].get("decoded").is_none(), "absent for a plain secret");
    assert_eq!(findings[1]["decoded"], "base64");
    assert_eq!(findings[1]["column"], 18);
}

/// Every way of writing base64 the decoder accepts.
fn encode(how: u8, text: &str) -> String {
    match how % 4 {
        0 => STANDARD.encode(text),
        1 => STANDARD_NO_PAD.encode(text),
        2 => URL_SAFE.encode(text),
        _ => URL_SAFE_NO_PAD.encode(text),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A line holding a secret, base64-encoded in any alphabet and placed in any of the
    /// triggering contexts, is found by the same rule at the encoded text.
    #[test]
    fn an_encoded_line_is_found_at_the_encoded_location(
        seed in any::<u64>(),
        pick in 0usize..15,
        how in any::<u8>(),
        context in 0u8..3,
        indent in 0usize..6,
    ) {
        let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
        let planted = Fakes::new(seed).planted();
        let (_, line, _) = &planted[pick % planted.len()];
        let plain = detector.find(line.as_bytes());
        prop_assume!(!plain.is_empty());
        let (before, blob) = match context {
            0 => (format!("{}PAYLOAD_B64=", " ".repeat(indent)), encode(how, line)),
            1 => ("kind: Secret\ndata:\n  payload: ".to_string(), encode(how, line)),
            _ => (
                format!("{}{{\"level\": \"info\", \"payload\": \"", " ".repeat(indent)),
                encode(how, &serde_json::json!({ "line": line }).to_string()),
            ),
        };
        let text = format!("2026-11-20T08:00:00Z start\n{before}{blob}\"\nnext line\n");
        let at = text.find(&blob).unwrap();
        let found = detector.find(text.as_bytes());
        prop_assert_eq!(found.len(), 1, "{:?}", found);
        prop_assert_eq!(found[0].decoded, Some(Encoding::Base64));
        prop_assert_eq!(found[0].secret.clone(), at..at + blob.len());
        let plain_rules: Vec<&str> = plain.iter().map(|m| detector.rules()[m.rule].id.as_str()).collect();
        prop_assert!(plain_rules.contains(&detector.rules()[found[0].rule].id.as_str()));
        let redacted = Redactor::builder().build().unwrap().redact(&text).into_owned();
        prop_assert!(!redacted.contains(&blob));
    }
}
