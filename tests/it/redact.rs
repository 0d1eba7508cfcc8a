//! Redaction: properties of the library (unchanged when clean, idempotent, never leaks,
//! streaming equals one-shot), and the `hygiene redact` filter end to end.
use std::io::Write;
use std::process::Stdio;

use proptest::prelude::*;
use secrets_hygiene::redact::{Redactor, StreamRedactor};

use crate::fake::{der_body, Fakes};
use crate::{hygiene, write};

fn redactor() -> &'static Redactor {
    static REDACTOR: std::sync::OnceLock<Redactor> = std::sync::OnceLock::new();
    REDACTOR.get_or_init(|| Redactor::builder().build().unwrap())
}

/// Text with planted secrets between filler lines; returns (text, secrets).
fn planted_text(seed: u64, filler: &[String], pick: &[bool]) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut secrets = Vec::new();
    for (i, (_, line, secret)) in Fakes::new(seed).planted().into_iter().enumerate() {
        if pick.get(i).copied().unwrap_or(true) {
            text.push_str(&filler[i % filler.len().max(1)..].concat());
            text.push_str(&line);
            text.push('\n');
            secrets.push(secret);
        }
    }
    (text, secrets)
}

fn stream(redactor: &Redactor, input: &[u8], cuts: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut filter = StreamRedactor::new(redactor);
    let mut at = 0;
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    cuts.sort();
    for cut in cuts {
        filter.push(&input[at..cut.max(at)], &mut out).unwrap();
        at = cut.max(at);
    }
    filter.push(&input[at..], &mut out).unwrap();
    filter.finish(&mut out).unwrap();
    out
}

fn leaks(output: &str, secrets: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for secret in secrets {
        for part in secret.lines().filter(|p| p.len() >= 8) {
            if output.contains(part) {
                found.push(part.chars().take(6).collect());
            }
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn clean_text_is_unchanged(text in "[a-z ,.:=\n-]{0,400}") {
        let out = redactor().redact(&text);
        prop_assert!(matches!(out, std::borrow::Cow::Borrowed(_)));
        prop_assert_eq!(out.as_ref(), text.as_str());
    }

    #[test]
    fn redaction_is_idempotent_and_never_leaks(
        seed in any::<u64>(),
        filler in proptest::collection::vec("[a-z ]{0,30}\n", 1..5),
        pick in proptest::collection::vec(any::<bool>(), 16),
    ) {
        let (text, secrets) = planted_text(seed, &filler, &pick);
        let once = redactor().redact(&text).into_owned();
        let twice = redactor().redact(&once).into_owned();
        prop_assert_eq!(&once, &twice);
        prop_assert!(leaks(&once, &secrets).is_empty(), "leaked: {:?}", leaks(&once, &secrets));
    }

    #[test]
    fn streaming_equals_one_shot(
        seed in any::<u64>(),
        filler in proptest::collection::vec("[a-z ]{0,30}\n", 1..5),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let (text, _) = planted_text(seed, &filler, &[]);
        let one_shot = redactor().redact_bytes(text.as_bytes()).into_owned();
        prop_assert_eq!(stream(redactor(), text.as_bytes(), &cuts), one_shot);
    }
}

#[test]
fn bytes_outside_secrets_are_untouched() {
    let token = Fakes::new(1).github("ghp_");
    let input = [b"\xff\xfe invalid\r\nkey ".as_slice(), token.as_bytes(), b"\r\nno newline at end"].concat();
    let out = redactor().redact_bytes(&input).into_owned();
    let expected =
        [b"\xff\xfe invalid\r\nkey ****".as_slice(), &token.as_bytes()[36..], b"\r\nno newline at end"]
            .concat();
    assert_eq!(out, expected);
}

#[test]
fn keeps_labels_and_masks_private_keys_line_by_line() {
    let token = Fakes::new(2).alnum(28);
    let out = redactor().redact(&format!("Authorization: Bearer {token}")).into_owned();
    assert_eq!(out, format!("Authorization: Bearer ****{}", &token[24..]));
    let body = der_body((0..5).map(|i| Fakes::new(i).alnum(64)).collect());
    let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----", body.join("\n"));
    let expected = "before\n-----BEGIN RSA PRIVATE KEY-----\n****\n****\n****\n****\n****\n-----END RSA PRIVATE KEY-----\nafter\n";
    let out = redactor().redact(&format!("before\n{key}\nafter\n")).into_owned();
    assert_eq!(out, expected);
    // Arriving line by line, the block is held until its END and redacted the same.
    let text = format!("before\n{key}\nafter\n");
    let cuts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
    assert_eq!(stream(redactor(), text.as_bytes(), &cuts), expected.as_bytes());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever the input (planted secrets of every family, key blocks, CRLF, stray bytes),
    /// the redacted output has exactly as many lines as the input, one shot or streamed.
    #[test]
    fn redaction_keeps_the_line_count(
        seed in any::<u64>(),
        filler in proptest::collection::vec("[a-zA-Z0-9 =:/+\r\n-]{0,40}\n", 1..5),
        pick in proptest::collection::vec(any::<bool>(), 16),
        noise in proptest::collection::vec(any::<u8>(), 0..64),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let (text, _) = planted_text(seed, &filler, &pick);
        let mut input = text.into_bytes();
        input.extend_from_slice(&noise);
        let lines = |b: &[u8]| b.iter().filter(|c| **c == b'\n').count();
        let one_shot = redactor().redact_bytes(&input).into_owned();
        prop_assert_eq!(lines(&one_shot), lines(&input));
        prop_assert_eq!(lines(&stream(redactor(), &input, &cuts)), lines(&input));
    }
}

#[test]
fn known_values_are_caught_in_every_encoding() {
    use base64::Engine;
    let secret = "Pa55/w0rd+\"Zq\"9xL";
    let redactor = Redactor::builder().known_value(secret).build().unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let encoded_user = b64.encode(format!("svc:{secret}"));
    let inputs = [
        format!("ERROR connect failed using {secret} for bot1"),
        format!(
            "dsn=postgres://bot:{}@db/x",
            percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
        ),
        serde_json::json!({ "error": format!("secret {secret}") }).to_string(),
        format!("Authorization: Basic {encoded_user}"),
        format!("blob={}", b64.encode(secret)),
        format!("cookie={}", url_safe.encode(format!("xy{secret}zz"))),
    ];
    for input in &inputs {
        let out = redactor.redact(input).into_owned();
        assert_ne!(&out, input, "nothing redacted in {input:?}");
        assert!(!out.contains(secret), "raw secret left in {out:?}");
        assert!(out.contains("****"));
    }
}

#[test]
fn filter_over_fixture_log_snapshot() {
    let log = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/data/bot1/logs/app.log");
    let out = hygiene().arg("redact").arg(&log).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn filter_through_a_pipe_with_stats_check_and_env() {
    let mut fakes = Fakes::new(3);
    let env_secret = fakes.alnum(20);
    let file_secret = fakes.alnum(18);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "env/.env", format!("# bot3\nexport BOT3_BITGET_SECRET=\"{file_secret}\"\n"));
    let input = format!(
        "start\nsigned with {env_secret} ok\nconfig {file_secret}\nGITHUB_TOKEN={}\n",
        fakes.github("ghp_")
    );
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("hygiene"))
        .args(["redact", "--stats", "--env", "BOT*_BITGET_*", "--env-file"])
        .arg(dir.path().join("env/.env"))
        .env("BOT1_BITGET_SECRET", &env_secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stdout.contains(&env_secret) && !stdout.contains(&file_secret), "{stdout}");
    assert!(stdout.starts_with("start\nsigned with ****"), "{stdout}");
    assert!(stderr.contains("known-value") && stderr.contains("github.pat-classic"), "{stderr}");
    assert!(!stderr.contains(&env_secret) && !stderr.contains(&file_secret));
    // --check: exit 1, nothing written.
    let out = hygiene().args(["redact", "--check"]).write_stdin(input.clone()).output().unwrap();
    assert_eq!((out.status.code(), out.stdout.len()), (Some(1), 0));
    let out = hygiene().args(["redact", "--check"]).write_stdin("nothing here\n").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn in_place_rewrites_atomically_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let token = Fakes::new(4).github("ghp_");
    write(dir.path(), "a.log", format!("line\nGITHUB_TOKEN={token}\n"));
    write(dir.path(), "clean.log", "nothing\n");
    let a = dir.path().join("a.log");
    std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).unwrap();
    let clean_mtime = std::fs::metadata(dir.path().join("clean.log")).unwrap().modified().unwrap();
    hygiene().args(["redact", "--in-place"]).arg(&a).arg(dir.path().join("clean.log")).assert().code(0);
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, format!("line\nGITHUB_TOKEN=****{}\n", &token[36..]));
    assert_eq!(std::fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o640);
    assert_eq!(std::fs::metadata(dir.path().join("clean.log")).unwrap().modified().unwrap(), clean_mtime);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no temp files left: {names:?}");
    // A missing file is an error (exit 2) and leaves the others alone.
    hygiene().args(["redact", "--in-place"]).arg(dir.path().join("missing.log")).assert().code(2);
}

#[cfg(unix)]
#[test]
fn closed_downstream_pipe_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let lines: Vec<String> = (0..200_000).map(|i| format!("2026-11-20 INFO line {i}")).collect();
    write(dir.path(), "big.log", lines.join("\n"));
    let bin = assert_cmd::cargo::cargo_bin("hygiene");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("'{}' redact '{}' | head -n 1", bin.display(), dir.path().join("big.log").display()))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2026-11-20 INFO line 0\n");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// A read of several MiB is redacted in parallel pieces; the output is still the one-shot one.
/// (That no piece edge splits a private-key block is checked where pieces are cut, in
/// crates/hygiene-core/src/redact/stream.rs.)
#[test]
fn large_reads_redacted_in_parallel_equal_one_shot_redaction() {
    let (planted, secrets) = planted_text(11, &["heartbeat ok\n".to_string()], &[]);
    let mut text = String::new();
    for round in 0..24 {
        // Plant the secrets just before each 256 KiB mark, at a different distance each time.
        let mark = (round + 1) * (256 << 10) - round * 997;
        while text.len() < mark {
            text.push_str("2026-11-20T08:00:00Z INFO bot1 order filled qty=1 latency_ms=12\n");
        }
        text.push_str(&planted);
    }
    let one_shot = redactor().redact(&text).into_owned();
    let streamed = String::from_utf8(stream(redactor(), text.as_bytes(), &[])).unwrap();
    assert!(streamed == one_shot, "parallel redaction differs from one-shot redaction");
    assert!(leaks(&streamed, &secrets).is_empty(), "leaked: {:?}", leaks(&streamed, &secrets));
    assert_ne!(streamed, text);
}

#[test]
fn utf16_input_is_refused_not_passed_through() {
    let dir = tempfile::tempdir().unwrap();
    let t = Fakes::new(40).github("ghp_");
    let text = format!("line one\r\nGITHUB_TOKEN={t}\r\n");
    let le: Vec<u8> =
        [0xFEFF_u16].into_iter().chain(text.encode_utf16()).flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let secret_le: Vec<u8> = t.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let secret_be: Vec<u8> = t.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    for (name, bytes) in [("le.log", &le), ("be.log", &be)] {
        write(dir.path(), name, bytes);
        let path = dir.path().join(name);
        for args in [vec![], vec!["--in-place"], vec!["--check"]] {
            let out = hygiene().arg("redact").args(&args).arg(&path).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{name} {args:?}");
            for stream in [&out.stdout, &out.stderr] {
                assert!(
                    !contains(stream, &secret_le)
                        && !contains(stream, &secret_be)
                        && !contains(stream, t.as_bytes())
                );
            }
            assert!(String::from_utf8_lossy(&out.stderr).contains("UTF-16"), "{name} {args:?}");
            assert_eq!(&std::fs::read(&path).unwrap(), bytes, "the file is left as it was");
        }
        let out = hygiene().arg("redact").write_stdin(bytes.clone()).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_private_key_whose_base64_spells_a_placeholder_word_is_still_redacted() {
    // Found by the property test above: `fAke` inside the base64 body once hid the whole block.
    let body = der_body(
        (0..6)
            .map(|i| {
                Fakes::new(40 + i)
                    .chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 64)
            })
            .collect(),
    );
    let mut lines = body.clone();
    lines[0].replace_range(10..14, "fAke");
    let block =
        format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n", lines.join("\n"));
    let out = redactor().redact(&block).into_owned();
    assert!(leaks(&out, &[lines.join("\n")]).is_empty(), "{out}");
}

/// `n` lines of random base64, 64 characters each, starting as a DER key does.
fn key_body(seed: u64, n: usize) -> Vec<String> {
    let mut fakes = Fakes::new(seed);
    der_body(
        (0..n)
            .map(|_| fakes.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 64))
            .collect(),
    )
}

#[test]
fn oversized_and_cut_short_key_blocks_are_found_and_masked() {
    let detector = redactor().detector();
    let rule_of = |text: &str| -> Vec<String> {
        detector.find(text.as_bytes()).iter().map(|m| detector.rules()[m.rule].id.clone()).collect()
    };
    // 900 lines: about 58 KiB, past the old 32 KiB reach.
    let body = key_body(7, 900);
    let big = format!(
        "before\n-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{}\n-----END PGP PRIVATE KEY BLOCK-----\nafter\n",
        body.join("\n")
    );
    // Cut short: no END line, at the end of input or followed by other log lines.
    let short_body = key_body(8, 12);
    let cut_at_end = format!("before\n-----BEGIN RSA PRIVATE KEY-----\n{}", short_body.join("\n"));
    let cut_mid = format!(
        "before\n-----BEGIN RSA PRIVATE KEY-----\r\n{}\r\n2026-11-20T08:00:02Z INFO next line\n",
        short_body.join("\r\n")
    );
    assert_eq!(rule_of(&big), vec!["private-key.pem"]);
    assert_eq!(rule_of(&cut_at_end), vec!["private-key.pem-unterminated"]);
    assert_eq!(rule_of(&cut_mid), vec!["private-key.pem-unterminated"]);
    for (text, body) in [(&big, &body), (&cut_at_end, &short_body), (&cut_mid, &short_body)] {
        let out = redactor().redact(text).into_owned();
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(body.iter().all(|line| !out.contains(line.as_str())), "a body line survived");
        assert!(out.contains("-----BEGIN "), "armour kept");
        assert!(out.starts_with("before\n"));
        // Streamed line by line, with the END line (if any) arriving last, or never.
        let cuts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        assert_eq!(stream(redactor(), text.as_bytes(), &cuts), out.as_bytes());
    }
    let out = redactor().redact(&cut_mid).into_owned();
    assert!(out.ends_with("\r\n2026-11-20T08:00:02Z INFO next line\n"), "the next line is untouched: {out}");
}

#[test]
fn scan_reports_cut_short_and_oversized_key_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let body = key_body(9, 700);
    write(
        dir.path(),
        "docs/big.md",
        format!(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
            body.join("\n")
        ),
    );
    write(
        dir.path(),
        "docs/cut.md",
        format!("# pasted\n-----BEGIN EC PRIVATE KEY-----\n{}\n", key_body(10, 5).join("\n")),
    );
    let (code, report) = crate::scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap().to_string(), f["rule_id"].as_str().unwrap().to_string()))
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            ("docs/big.md".to_string(), "private-key.pem".to_string()),
            ("docs/cut.md".to_string(), "private-key.pem-unterminated".to_string())
        ]
    );
}

/// A known value's encodings as real encoders write them: Python's `urllib.parse` (default
/// `quote` keeps `/`; other safe sets; `quote_plus`; `urlencode`), `json.dumps` (ASCII escapes
/// `\uXXXX` and not), JSON with `\/` (as PHP and some Java encoders write it), base64 standard and
/// URL-safe with and without padding, hex lower and upper.
fn python_encodings(value: &str) -> Vec<(String, String)> {
    let script = r#"
import base64, json, sys, urllib.parse as u
v = sys.argv[1]
b = v.encode()
forms = {
    "quote": u.quote(v),
    "quote-safe-none": u.quote(v, safe=""),
    "quote-sub-delims": u.quote(v, safe="/:@!$&'()*+,;="),
    "quote-lowercase": "".join(c.lower() if i and s[i - 1] == "%" or i > 1 and s[i - 2] == "%" else c for s in [u.quote(v, safe="")] for i, c in enumerate(s)),
    "quote_plus": u.quote_plus(v),
    "urlencode": u.urlencode({"p": v}),
    "json-ascii": json.dumps(v)[1:-1],
    "json-utf8": json.dumps(v, ensure_ascii=False)[1:-1],
    "json-slash": json.dumps(v)[1:-1].replace("/", "\\/"),
    "json-in-url": u.quote(json.dumps({"secret": v})),
    "b64": base64.b64encode(b).decode(),
    "b64-nopad": base64.b64encode(b).decode().rstrip("="),
    "b64url": base64.urlsafe_b64encode(b).decode(),
    "b64url-nopad": base64.urlsafe_b64encode(b).decode().rstrip("="),
    "basic": base64.b64encode(b"svc-user:" + b).decode(),
    "hex": b.hex(),
    "HEX": b.hex().upper(),
}
print(json.dumps(forms))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, value])
        .output()
        .expect("python3 runs (it is on every CI machine of this project)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let map: std::collections::BTreeMap<String, String> = serde_json::from_slice(&out.stdout).unwrap();
    map.into_iter().collect()
}

#[test]
fn known_values_are_caught_as_real_encoders_write_them() {
    // A made-up password with the characters encoders treat differently.
    let value = format!("Zq8/vN3+kL0p \"Rt\" {}&=?#%~{}", "\u{e9}", Fakes::new(11).alnum(6));
    let redactor = Redactor::builder().known_value(value.clone()).build().unwrap();
    for (name, encoded) in python_encodings(&value) {
        let line = format!("2026-11-20T08:00:01Z ERROR login failed with {encoded} for bot1\n");
        let out = redactor.redact(&line).into_owned();
        assert!(!out.contains(&encoded), "{name}: {encoded} survived: {out}");
        assert!(
            out.ends_with(" for bot1\n") && out.starts_with("2026-11-20T08:00:01Z ERROR login failed with "),
            "{name}: {out}"
        );
        // The bits of a base64 token around the value do not stay either.
        if name.starts_with("b64") || name == "basic" {
            let masked = out.split("with ").nth(1).and_then(|r| r.strip_suffix(" for bot1\n")).unwrap();
            assert!(masked.starts_with("****") && masked.chars().count() <= 8, "{name}: {out}");
        }
        assert_eq!(stream(&redactor, line.as_bytes(), &[line.len() / 2]), out.as_bytes(), "{name}");
    }
}

/// A reader that hands out its bytes a few at a time, failing with `Interrupted` before each
/// piece (what a signal does to a read).
struct Trickle {
    bytes: Vec<u8>,
    at: usize,
    piece: usize,
    interrupted: bool,
}

impl std::io::Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if !std::mem::replace(&mut self.interrupted, true) {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        self.interrupted = false;
        let n = self.piece.min(buf.len()).min(self.bytes.len() - self.at);
        buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn the_library_pump_redacts_across_reads_retries_interrupts_and_refuses_utf16() {
    use secrets_hygiene::rewrite::{pump, PumpError};
    let token = Fakes::new(41).github("ghp_");
    let text = format!("start\nGITHUB_TOKEN={token}\nend\n");
    for piece in [1, 3, 7, 4096] {
        let mut input = Trickle { bytes: text.clone().into_bytes(), at: 0, piece, interrupted: false };
        let mut filter = StreamRedactor::new(redactor());
        let mut out = Vec::new();
        pump(&mut input, &mut filter, &mut out).unwrap();
        filter.finish(&mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains(&token) && out.starts_with("start\nGITHUB_TOKEN=") && out.ends_with("\nend\n"));
        assert_eq!(filter.redacted(), 1, "pieces of {piece} bytes");
    }
    let utf16: Vec<u8> =
        [0xFEFF_u16].into_iter().chain(text.encode_utf16()).flat_map(u16::to_le_bytes).collect();
    let mut filter = StreamRedactor::new(redactor());
    let mut out = Vec::new();
    let refused = pump(&mut utf16.as_slice(), &mut filter, &mut out);
    assert!(matches!(refused, Err(PumpError::Utf16(_))), "{refused:?}");
    filter.finish(&mut out).unwrap();
    assert!(out.is_empty(), "nothing of a refused input is written");
}
