//! Rule packs: every example and counter-example, coverage of the required families, user
//! packs, and overlap resolution between specific and generic rules.
use secrets_hygiene::detect::Detector;
use secrets_hygiene::rules::RuleSet;

use crate::fake::Fakes;

fn builtin() -> Detector {
    Detector::new(RuleSet::builtin_with_examples().expect("built-in packs load")).expect("detector builds")
}

#[test]
fn every_builtin_example_and_counter_example_holds() {
    let failures = builtin().check_examples();
    let listing: Vec<String> =
        failures.iter().map(|f| format!("{}: {} in {:?}", f.id, f.problem, f.example)).collect();
    assert!(failures.is_empty(), "{} failing examples:\n{}", failures.len(), listing.join("\n"));
}

#[test]
fn every_rule_has_examples_and_counter_examples() {
    let detector = builtin();
    let set = detector.rule_set();
    for rule in &set.rules {
        assert!(!rule.keywords.is_empty(), "{} has no keywords", rule.id);
        assert!(!rule.description.is_empty(), "{} has no description", rule.id);
    }
    // The check above also fails rules without examples; counter-examples are required by policy.
    let without_counter: Vec<&str> =
        set.rules.iter().filter(|r| r.counter_example_count() == 0).map(|r| r.id.as_str()).collect();
    assert!(without_counter.is_empty(), "rules without counter-examples: {without_counter:?}");
}

#[test]
fn required_families_are_covered() {
    let detector = builtin();
    let ids: Vec<&str> = detector.rules().iter().map(|r| r.id.as_str()).collect();
    for family in [
        "alpaca.",
        "bitget.",
        "plaid.",
        "huggingface.",
        "jwt.",
        "db.",
        "aws.",
        "github.",
        "gitlab.",
        "slack.",
        "discord.",
        "stripe.",
        "openai.",
        "anthropic.",
        "google.",
        "azure.",
        "sendgrid.",
        "twilio.",
        "telegram.",
        "private-key.",
        "http.",
        "generic.",
    ] {
        assert!(ids.iter().any(|id| id.starts_with(family)), "no rule in family {family}");
    }
    for needle in ["npm", "pypi", "binance", "coinbase", "kraken", "fernet", "session"] {
        assert!(ids.iter().any(|id| id.contains(needle)), "no rule mentioning {needle}");
    }
}

#[test]
fn specific_rule_beats_generic_on_the_same_value() {
    let detector = builtin();
    let mut fakes = Fakes::new(7);
    for (family, line, secret) in fakes.planted() {
        let found = detector.find(line.as_bytes());
        assert_eq!(found.len(), 1, "{family}: exactly one finding expected in {:?}", line.len());
        let m = &found[0];
        assert_eq!(&line.as_bytes()[m.secret.clone()], secret.as_bytes(), "{family}: captured span");
        let rule = &detector.rules()[m.rule];
        if family != "generic" && family != "http" {
            assert!(!rule.generic, "{family}: reported by generic rule {}", rule.id);
        }
    }
}

/// Writes `dir/acme.toml`: a user pack with one rule and the given example and counter-example.
fn write_acme_pack(dir: &std::path::Path, example: &str, counter_example: &str) {
    let regex = r"\b(?P<secret>acme_[a-z0-9]{24})\b";
    let pack = format!(
        "[pack]\nname = \"acme\"\n[[rules]]\nid = \"acme.token\"\ndescription = \"Acme internal token\"\n\
         regex = '''{regex}'''\nkeywords = [\"acme_\"]\nseverity = \"high\"\n\
         examples = [\"{example}\"]\ncounter_examples = [\"{counter_example}\"]\n"
    );
    std::fs::write(dir.join("acme.toml"), pack).unwrap();
}

#[test]
fn user_packs_are_loaded_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    write_acme_pack(dir.path(), "token=acme_q8zr2kd0lmxw7pft3uyh9svb", "acme_short");
    let set = RuleSet::load_with_examples(&[dir.path()]).unwrap();
    assert!(set.get("acme.token").is_some());
    let detector = Detector::new(set).unwrap();
    assert!(detector.check_examples().is_empty());
    let found = detector.find(b"x acme_q8zr2kd0lmxw7pft3uyh9svb y");
    assert_eq!(detector.rules()[found[0].rule].id, "acme.token");
}

#[test]
fn a_user_pack_can_use_the_shared_assign_fragment() {
    let pack = "[pack]\nname = \"acme\"\n[[rules]]\nid = \"acme.token\"\ndescription = \"Acme token\"\n\
                regex = '''acme_token[ \\t]*{assign}[ \\t]*(?P<secret>[a-z0-9]{24})'''\n\
                keywords = [\"acme_token\"]\nseverity = \"high\"\n";
    let mut set = RuleSet::builtin().unwrap();
    set.add_file("acme.toml", pack).unwrap();
    let detector = Detector::new(set).unwrap();
    let acme = |line: &str| {
        detector.find(line.as_bytes()).iter().filter(|f| detector.rules()[f.rule].id == "acme.token").count()
    };
    for operator in ["=", ":", "=>", ":=", "::=", ":::=", "?=", ".="] {
        assert_eq!(acme(&format!("acme_token {operator} q8zr2kd0lmxw7pft3uyh9svb")), 1, "{operator}");
    }
    assert_eq!(acme("acme_token += q8zr2kd0lmxw7pft3uyh9svb"), 0);
}

#[test]
fn rules_check_command_passes_and_list_prints_every_rule() {
    crate::hygiene().args(["rules", "check"]).assert().success();
    let out = crate::hygiene().args(["rules", "list", "--format", "json"]).output().unwrap();
    assert!(out.status.success());
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.len(), RuleSet::builtin().unwrap().rules.len());
    assert!(list.iter().any(|r| r["id"] == "bitget.api-key"));
}

#[test]
fn rules_check_fails_on_a_bad_example() {
    let dir = tempfile::tempdir().unwrap();
    write_acme_pack(dir.path(), "acme_tooshort", "acme_q8zr2kd0lmxw7pft3uyh9svb");
    let out = crate::hygiene().args(["rules", "check", "--rules"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FAIL acme.token: no match"), "{stdout}");
    assert!(stdout.contains("FAIL acme.token: counter-example matched"), "{stdout}");
}

#[test]
fn the_coverage_table_is_the_markdown_listing() {
    use secrets_hygiene::rules::catalog::{render, CatalogFormat};
    let set = RuleSet::builtin().expect("built-in packs load");
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/COVERAGE.md"))
        .expect("rules/COVERAGE.md exists");
    assert!(
        committed == render(&set, CatalogFormat::Markdown),
        "rules/COVERAGE.md is stale: run `cargo run -- rules list --format markdown > rules/COVERAGE.md`"
    );
}

#[test]
fn keyword_warnings_name_common_keywords_and_busy_ones_on_a_sample() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("acme.toml"),
        r#"[pack]
name = "acme"
[[rules]]
id = "acme.host-keyword"
description = "a rule keyed on a vendor host"
regex = '''api\.acme\.example/(?P<secret>k_[a-z0-9]{20})'''
keywords = ["api.acme.example"]
severity = "low"
examples = ["GET https://api.acme.example/k_a8f3k2m9q7z1x5c4v6b0"]
[[rules]]
id = "acme.common-keyword"
description = "a rule keyed on a word every text has"
regex = '''the=(?P<secret>[a-z0-9]{20})'''
keywords = ["the"]
severity = "low"
examples = ["the=a8f3k2m9q7z1x5c4v6b0"]
"#,
    )
    .unwrap();
    let detector = Detector::new(RuleSet::load(&[dir.path()]).unwrap()).unwrap();
    let quiet = detector.keyword_warnings(None);
    assert!(quiet.iter().any(|w| w.keyword == "the" && w.rules == ["acme.common-keyword"]), "{quiet:?}");
    assert!(!quiet.iter().any(|w| w.keyword == "api.acme.example"), "{quiet:?}");
    // A log where the vendor host is on every line.
    let log = "2026-11-30T10:00:00Z GET https://api.acme.example/v1/orders 200 12ms\n".repeat(2000);
    let busy = detector.keyword_warnings(Some(log.as_bytes()));
    let host = busy.iter().find(|w| w.keyword == "api.acme.example").expect("host keyword warned");
    assert!(host.problem.contains("per MB"), "{host:?}");
    // On the same log the only busy built-in keyword is `://`, which the URL-credential rules
    // need (a URL with a password has no other literal): every URL line runs their regex.
    let builtin = builtin().keyword_warnings(Some(log.as_bytes()));
    let busy: Vec<&str> =
        builtin.iter().filter(|w| w.problem.contains("per MB")).map(|w| w.keyword.as_str()).collect();
    assert_eq!(busy, ["://"], "{builtin:?}");
}

#[test]
fn the_key_half_of_a_pair_is_found_next_to_its_secret_half_only() {
    let detector = builtin();
    let mut fakes = Fakes::new(7);
    let key = fakes.chars(b"0123456789abcdef", 40);
    let secret = fakes.chars(b"0123456789abcdef", 64);
    let config = format!("\"exchange\": {{\n  \"key\": \"{key}\",\n  \"secret\": \"{secret}\"\n}}\n");
    let found = detector.find(config.as_bytes());
    let ids: Vec<&str> = found.iter().map(|m| detector.rules()[m.rule].id.as_str()).collect();
    assert_eq!(ids, ["generic.key-of-pair", "generic.secret"], "{ids:?}");
    assert_eq!(&config.as_bytes()[found[0].secret.clone()], key.as_bytes());
    // Alone, or five lines away, a value named `key` is not searched for.
    let alone = format!("\"key\": \"{key}\",\n");
    assert!(detector.find(alone.as_bytes()).is_empty());
    let far = format!("\"key\": \"{key}\",\n\n\n\n\n\"secret\": \"{secret}\"\n");
    let ids: Vec<&str> =
        detector.find(far.as_bytes()).iter().map(|m| detector.rules()[m.rule].id.as_str()).collect();
    assert_eq!(ids, ["generic.secret"]);
}

/// `token` with its last character changed: the checksum no longer holds.
fn with_wrong_checksum(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let last = bytes.len() - 1;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

#[test]
fn a_failed_checksum_is_no_finding_of_the_rule_nor_of_a_generic_rule() {
    let detector = builtin();
    let mut fakes = Fakes::new(21);
    for (prefix, rule_id) in
        [("ghp_", "github.pat-classic"), ("gho_", "github.oauth-token"), ("npm_", "packages.npm-token")]
    {
        let valid = fakes.github(prefix);
        let bad = with_wrong_checksum(&valid);
        // Assignments a generic rule would report by its name alone.
        for template in
            ["GITHUB_TOKEN={}", "  password: \"{}\"", "api_token = '{}'", "Authorization: Bearer {}"]
        {
            let line = template.replace("{}", &valid);
            let found = detector.find(line.as_bytes());
            assert_eq!(found.len(), 1, "{rule_id}: valid token in {template:?}");
            assert_eq!(detector.rules()[found[0].rule].id, rule_id, "{template:?}");
            let line = template.replace("{}", &bad);
            let found: Vec<&str> =
                detector.find(line.as_bytes()).iter().map(|m| detector.rules()[m.rule].id.as_str()).collect();
            assert!(
                found.is_empty(),
                "{rule_id}: a wrong checksum in {template:?} was reported by {found:?}"
            );
        }
    }
}

#[test]
fn a_failed_checksum_hides_an_encoded_token_too() {
    use base64::Engine;
    let detector = builtin();
    let valid = Fakes::new(22).github("ghp_");
    let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(format!("GITHUB_TOKEN={t}\n"));
    let found = detector.find(format!("ENV_B64={}", b64(&valid)).as_bytes());
    assert_eq!(found.len(), 1);
    assert!(found[0].decoded.is_some());
    let found = detector.find(format!("ENV_B64={}", b64(&with_wrong_checksum(&valid))).as_bytes());
    assert!(found.is_empty(), "{} finding(s) of a made-up encoded token", found.len());
}

#[test]
fn rules_check_says_when_an_example_fails_its_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let bad = with_wrong_checksum(&Fakes::new(23).github("acme_"));
    let pack = format!(
        "[pack]\nname = \"acme\"\n[[rules]]\nid = \"acme.token\"\ndescription = \"Acme token\"\n\
         regex = '''\\b(?P<secret>acme_[A-Za-z0-9]{{36}})\\b'''\nkeywords = [\"acme_\"]\nseverity = \"high\"\n\
         checksum = \"github-crc32\"\nexamples = [\"t={bad}\"]\ncounter_examples = [\"acme_x\"]\n"
    );
    std::fs::write(dir.path().join("acme.toml"), pack).unwrap();
    let out = crate::hygiene().args(["rules", "check", "--rules"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FAIL acme.token: the value's checksum fails"), "{stdout}");
}

#[test]
fn a_named_clerk_key_is_reported_as_clerk_not_stripe() {
    let detector = builtin();
    let key = format!("{}{}", "sk_live_", Fakes::new(24).alnum(42));
    let ids = |line: String| -> Vec<String> {
        detector.find(line.as_bytes()).iter().map(|m| detector.rules()[m.rule].id.clone()).collect()
    };
    assert_eq!(ids(format!("CLERK_SECRET_KEY={key}")), ["clerk.secret-key"]);
    assert_eq!(ids(format!("  clerk_secret_key: \"{key}\"")), ["clerk.secret-key"]);
    // Unnamed, the shared prefix is Stripe's.
    assert_eq!(ids(format!("STRIPE_SECRET_KEY={key}")), ["stripe.secret-key"]);
}

#[test]
fn every_share_of_a_vault_operator_init_json_output_is_found() {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let detector = builtin();
    let mut fakes = Fakes::new(25);
    let shares: Vec<String> = (0..5).map(|_| fakes.chars(B64, 44)).collect();
    let hex: Vec<String> = (0..5).map(|_| fakes.chars(b"0123456789abcdef", 66)).collect();
    let list = |v: &[String]| v.iter().map(|s| format!("    \"{s}\"")).collect::<Vec<_>>().join(",\n");
    let root = fakes.github("hvs.").replace('_', "");
    let text = format!(
        "{{\n  \"unseal_keys_b64\": [\n{}\n  ],\n  \"unseal_keys_hex\": [\n{}\n  ],\n  \"unseal_shares\": 5,\n  \"unseal_threshold\": 3,\n  \"recovery_keys_b64\": [],\n  \"recovery_keys_hex\": [],\n  \"root_token\": \"{root}\"\n}}\n",
        list(&shares),
        list(&hex)
    );
    let found: Vec<&[u8]> =
        detector.find(text.as_bytes()).iter().map(|m| &text.as_bytes()[m.secret.clone()]).collect();
    for share in shares.iter().chain(&hex) {
        assert!(found.contains(&share.as_bytes()), "share not found; {} findings", found.len());
    }
    assert!(found.contains(&root.as_bytes()), "root token not found");
    assert_eq!(found.len(), 11);
}

/// A user pack of one `name = value` rule, with `follows` when given.
fn kv_pack(follows: Option<&str>) -> RuleSet {
    let follows = follows.map(|f| format!("follows = '''{f}'''\n")).unwrap_or_default();
    let pack = format!(
        "[pack]\nname = \"acme\"\n[[rules]]\nid = \"acme.key\"\ndescription = \"Acme key\"\n\
         regex = '''(?i)acme[_-]key[^\\r\\n]{{0,40}}?=[ \\t]*(?P<secret>[a-z0-9]{{20}})'''\n\
         keywords = [\"acme_key\", \"acme-key\"]\n{follows}severity = \"high\"\n\
         examples = [\"ACME_KEY=q8zr2kd0lmxw7pft3uyh\"]\n"
    );
    let mut set = RuleSet::load(&[] as &[&str]).unwrap();
    set.rules.clear();
    set.add_file("acme.toml", &pack).unwrap();
    set
}

#[test]
fn a_keyword_opens_a_window_only_where_its_follows_pattern_matches() {
    // The regex alone finds a value further along the line; `follows` asks for the
    // assignment right after the keyword, so a line that only names the key is not searched.
    let line = b"ACME-KEY header set, retry=q8zr2kd0lmxw7pft3uyh";
    let assigned = b"ACME_KEY=q8zr2kd0lmxw7pft3uyh";
    let plain = Detector::new(kv_pack(None)).unwrap();
    assert_eq!(plain.find(line).len(), 1, "without follows the regex runs on the line");
    let gated = Detector::new(kv_pack(Some(r"[ \t]*="))).unwrap();
    assert!(gated.find(line).is_empty(), "follows fails after the keyword: no window");
    assert_eq!(gated.find(assigned).len(), 1);
    // Any occurrence of the keywords may open the window: the second one here.
    assert_eq!(gated.find(b"acme-key header; ACME_KEY = q8zr2kd0lmxw7pft3uyh").len(), 1);
    assert!(gated.check_examples().is_empty());
    // A follows pattern too strict for an example fails `rules check`.
    let strict = Detector::new(kv_pack(Some(r":"))).unwrap();
    assert_eq!(strict.check_examples().len(), 1);
}

#[test]
fn an_invalid_follows_pattern_is_an_error_at_the_pack() {
    let pack = "[pack]\nname = \"acme\"\n[[rules]]\nid = \"acme.key\"\ndescription = \"d\"\n\
                regex = '''acme_key=(?P<secret>[a-z]{20})'''\nkeywords = [\"acme_key\"]\n\
                follows = '''(unclosed'''\nseverity = \"high\"\nexamples = [\"acme_key=abcdefghijklmnopqrst\"]\n";
    let mut set = RuleSet::load(&[] as &[&str]).unwrap();
    let err = set.add_file("rules/acme.toml", pack).expect_err("invalid follows regex");
    let text = format!("{err:?}");
    assert!(text.contains("invalid regex"), "{text}");
}
