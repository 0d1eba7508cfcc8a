//! The properties the fuzz targets check, in one place: each `check_*` function takes one
//! input (the bytes libFuzzer generates, or one file of `fuzz/corpus/<target>/`) and panics
//! when a property fails. The cargo-fuzz targets in `fuzz/fuzz_targets/` only call these, and
//! the test suite (`tests/replay.rs`) replays every committed corpus and regression input
//! through the same functions, so `cargo test --workspace` runs them on every CI run without
//! libFuzzer.
//!
//! A failing check panics with offsets and rule ids only, never with a value from the input:
//! the input that made it fail is in the crash file (or the corpus file the replay names).
use std::io::Cursor;
use std::sync::OnceLock;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};
use secrets_hygiene::allow::Allowlist;
use secrets_hygiene::config::Config;
use secrets_hygiene::detect::Detector;
use secrets_hygiene::fingerprint::Fingerprinter;
use secrets_hygiene::forbidden::ForbiddenFiles;
use secrets_hygiene::redact::diagnostic::redacted;
use secrets_hygiene::redact::{mask_bytes, Redactor, StreamRedactor};
use secrets_hygiene::rotation::{self, drift, log, render};
use secrets_hygiene::rules::{Decoys, RuleSet};
use secrets_hygiene::scan::{self, Blob, Keep};

/// A property check over one input: returns when every property holds, panics otherwise.
pub type Check = fn(&[u8]);

/// Every fuzz target by name (its `fuzz/fuzz_targets/<name>.rs` and `fuzz/corpus/<name>/`) and
/// the check it runs on one input.
pub const TARGETS: [(&str, Check); 7] = [
    ("rule_pack", check_rule_pack),
    ("config", check_config),
    ("policy_table", check_policy_table),
    ("rotation_log", check_rotation_log),
    ("rotation_csv", check_rotation_csv),
    ("detect", check_detect),
    ("redact_stream", check_redact_stream),
];

/// Rule-pack parsing: any text, as a user's pack file and as a decoy file. Never a panic; a
/// rejected file's diagnostic, as the binary shows it, shows no secret of the file; an accepted
/// pack builds a detector whose examples check and whose matches stay inside the text.
pub fn check_rule_pack(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["rules/fuzz.toml", "rules/decoys.toml"] {
        let mut set = RuleSet { rules: Vec::new(), decoys: Decoys::default() };
        if let Err(e) = set.add_file(name, text) {
            check_diagnostic(text, &e, rule_pack_shown);
            continue;
        }
        let rules = set.rules.len();
        match Detector::new(set) {
            Err(e) => check_diagnostic(text, &e, rule_pack_shown),
            Ok(detector) => {
                assert_eq!(detector.rules().len(), rules);
                let _ = detector.check_examples();
                for m in detector.find(data) {
                    assert!(m.rule < rules, "rule index {} of {rules}", m.rule);
                    assert_in_bounds(&m.span, &m.secret, data.len());
                }
            }
        }
    }
}

/// `hygiene.toml` parsing and what is compiled from it (allowlist, forbidden-file globs, the
/// `[[rotation.policy]]` entries). Never a panic; no diagnostic shows a secret of the file; a
/// policy built from it has keys.
pub fn check_config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = match Config::parse("hygiene.toml", text) {
        Ok(config) => config,
        Err(e) => return check_diagnostic(text, &e, config_shown),
    };
    if let Err(e) = Allowlist::new(&config.allow) {
        check_diagnostic(text, &e, config_shown);
    }
    if let Err(e) = ForbiddenFiles::new(&config.forbidden) {
        check_diagnostic(text, &e, config_shown);
    }
    if !config.rotation.policy.is_empty() {
        match rotation::build_policy(None, &config.rotation, Some(("hygiene.toml", text))) {
            Err(problem) => check_diagnostic(text, &problem, config_shown),
            Ok(policy) => assert!(!policy.is_empty(), "a policy without keys must be an error"),
        }
    }
}

/// The markdown policy table. Never a panic; a rejected table's diagnostic shows no secret of
/// the file; an accepted table has keys, each at a line of the file that names it, and drift
/// over it computes and renders for any day.
pub fn check_policy_table(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let policy = match rotation::parse_markdown("docs/policy.md", text) {
        Ok(policy) => policy,
        Err(problem) => return check_diagnostic(text, &problem, policy_table_shown),
    };
    assert!(!policy.is_empty(), "a table without keys must be an error");
    let lines: Vec<&str> = text.split('\n').collect();
    for entry in &policy {
        assert!(!entry.name.trim().is_empty(), "a key with a blank name");
        assert_eq!(entry.source.file, "docs/policy.md");
        let line = entry.source.line.expect("a table row has a line") as usize;
        assert!(line >= 1 && line <= lines.len(), "line {line} of {}", lines.len());
        assert!(
            lines[line - 1].to_lowercase().contains(&entry.name.to_lowercase()),
            "line {line} does not name its key"
        );
    }
    for today in
        [jiff::civil::date(2026, 11, 30), jiff::civil::date(9999, 12, 31), jiff::civil::date(1, 1, 1)]
    {
        let rows = drift::compute(&policy, &[], &[], today, &[5, 2]);
        assert_eq!(rows.len(), policy.len());
        let _ = render::json(&rows, today, &[]);
        let _ = render::human(&rows, today, &[]);
    }
}

/// The JSONL rotation log. Never a panic; a rejected log's diagnostic shows no secret of the
/// file; an accepted log has one entry per non-blank line, writes back (`to_json_line`) to a
/// log that parses to the same entries, and drift over it computes for any day.
pub fn check_rotation_log(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let entries = match log::parse(ROTATION_LOG, text) {
        Ok(entries) => entries,
        Err(problem) => return check_diagnostic(text, &problem, rotation_log_shown),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    assert_eq!(
        entries.len(),
        text.split('\n').filter(|l| !l.trim().is_empty()).count(),
        "one entry per non-blank line"
    );
    let written: String = entries.iter().map(|e| e.to_json_line() + "\n").collect();
    let again = log::parse("written.jsonl", &written).expect("a written log parses");
    assert_eq!(again.len(), entries.len());
    for (before, after) in entries.iter().zip(&again) {
        assert_same_entry(before, after);
    }
    let table = entries.iter().take(8).fold(
        String::from("| Secret | Rotation Frequency |\n|---|---|\n"),
        |mut t, e| {
            if !e.secret_name.contains(['|', '`', '\\']) {
                t.push_str(&format!("| `{}` | 90 days |\n", e.secret_name));
            }
            t
        },
    );
    if let Ok(policy) = rotation::parse_markdown("docs/policy.md", &table) {
        for today in [jiff::civil::date(2026, 11, 30), jiff::civil::date(9999, 12, 31)] {
            let rows = drift::compute(&policy, &entries, &[], today, &[5, 2]);
            assert_eq!(rows.len(), policy.len());
        }
    }
}

/// `rotation import`'s CSV parser. Never a panic; a rejected file's diagnostic shows no secret
/// of the file; every imported entry is dated no later than the import day and writes to a log
/// line that parses back to the same entry.
pub fn check_rotation_csv(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let today = IMPORT_DAY;
    let entries = match log::import_csv("export.csv", text, today) {
        Ok(entries) => entries,
        Err(problem) => return check_diagnostic(text, &problem, rotation_csv_shown),
    };
    for entry in &entries {
        assert!(entry.rotation_date <= today, "an import dated after today was accepted");
        let line = entry.to_json_line();
        let again = log::parse("written.jsonl", &line).expect("a written entry parses");
        assert_eq!(again.len(), 1);
        assert_same_entry(entry, &again[0]);
    }
}

/// The detector over arbitrary bytes. Never a panic; every match inside the input, its secret
/// inside it; the streaming scan finds what a one-shot search finds and reports each secret at
/// the line and column where it is; every mask shows at most 4 of the secret's characters and
/// no control character; a whole scan of the bytes as a log file (sniffing, decoding, UTF-16,
/// NULs, gzip) never panics and masks its findings the same way.
pub fn check_detect(data: &[u8]) {
    let detector = detector();
    let found = detector.find(data);
    for m in &found {
        assert!(m.rule < detector.rules().len());
        assert_in_bounds(&m.span, &m.secret, data.len());
        assert!(m.secret.start < m.secret.end, "empty secret at {:?}", m.secret);
        let secret = &data[m.secret.clone()];
        assert_mask_ok(&mask_bytes(secret), secret);
    }

    // The streaming scan numbers lines and columns itself; check them against the bytes.
    let content_start = if data.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let mut buffer = Vec::new();
    let mut seen = 0;
    let read = scan::scan_stream(
        detector,
        &mut Cursor::new(data),
        &mut buffer,
        |chunk, chunk_start, m, position| {
            seen += 1;
            assert!(m.secret.end <= chunk.len());
            let at = chunk_start as usize + m.secret.start;
            let before = &data[..at];
            let line_start =
                before.iter().rposition(|&b| b == b'\n').map_or(content_start, |i| i + 1).max(content_start);
            let line = 1 + newlines(before) as u64;
            let column =
                1 + data[line_start..at.max(line_start)].iter().filter(|&&b| (b & 0xC0) != 0x80).count()
                    as u64;
            assert_eq!((position.line, position.column), (line, column), "secret at byte {at}");
        },
    )
    .expect("reading from memory cannot fail");
    assert_eq!(read, data.len() as u64);
    assert_eq!(seen, found.len(), "the stream reports what a one-shot search finds");

    let fingerprinter = Fingerprinter::with_key(b"fuzz-key".to_vec());
    let outcome = scan::scan_blobs(
        detector,
        &fingerprinter,
        &Keep::everything(),
        vec![Blob { display: "data/bot/logs/fuzz.log".into(), bytes: data.to_vec() }],
    );
    for finding in &outcome.findings {
        assert!(finding.line >= 1 && finding.column >= 1 && finding.end_line >= finding.line);
        let tail = finding.masked.strip_prefix("****").expect("masks start with ****");
        assert!(tail.chars().count() <= 4, "mask {:?} shows more than 4 characters", finding.masked);
        assert!(
            !finding.masked.chars().any(|c| c.is_control() || c.is_whitespace()),
            "mask {:?} holds a control or whitespace character",
            finding.masked
        );
    }
}

/// The streaming redactor (`hygiene redact`). Input: one byte `n` (cuts, mod 16), `n`
/// little-endian u16 cut positions, then the text. Feeding the text in the pieces the cuts make
/// gives exactly the one-shot output and count; the output has as many lines as the input; no
/// value the redactor finds is left in the output.
pub fn check_redact_stream(input: &[u8]) {
    let Some((&n, rest)) = input.split_first() else { return };
    let n = usize::from(n % 16);
    if rest.len() < 2 * n {
        return;
    }
    let (cuts, data) = rest.split_at(2 * n);
    let mut cuts: Vec<usize> =
        cuts.chunks(2).map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])) % (data.len() + 1)).collect();
    cuts.sort_unstable();

    let redactor = redactor_with_known();
    let whole = redactor.redact_bytes(data);
    let spans = redactor.find(data);

    let mut streamed = Vec::new();
    let mut stream = StreamRedactor::new(redactor);
    let mut from = 0;
    for cut in cuts.into_iter().chain([data.len()]) {
        stream.push(&data[from..cut], &mut streamed).expect("writing to memory cannot fail");
        from = cut;
    }
    stream.finish(&mut streamed).expect("writing to memory cannot fail");

    assert!(streamed == whole.as_ref(), "streamed output differs from the one-shot output");
    assert_eq!(stream.redacted(), spans.len() as u64, "streamed and one-shot redaction counts differ");
    assert_eq!(newlines(&streamed), newlines(data), "redaction changed the number of lines");
    for r in &spans {
        let value = &data[r.span.clone()];
        for piece in value.split(|&b| b == b'\n' || b == b'\r') {
            if piece.len() >= PARTIAL {
                assert!(
                    !contains(&streamed, piece)
                        || contains(&data[..r.span.start], piece)
                        || contains(&data[r.span.end..], piece),
                    "the value at {:?} ({:?}) is still in the output",
                    r.span,
                    r.source
                );
            }
        }
    }
}

/// A made-up value the fuzzing redactor knows (as a service's own secret would be), built from
/// parts so this file holds no token-shaped literal.
pub fn known_value() -> String {
    ["Qn1erl8W", "MFYm3Ufl", "cyeM"].concat()
}

/// The built-in rules' redactor, as the binary builds it to mask diagnostics.
fn redactor() -> &'static Redactor {
    static REDACTOR: OnceLock<Redactor> = OnceLock::new();
    REDACTOR.get_or_init(|| Redactor::builder().build().expect("built-in rules load"))
}

/// The built-in rules' redactor plus [`known_value`], as `hygiene redact --known` builds it.
fn redactor_with_known() -> &'static Redactor {
    static REDACTOR: OnceLock<Redactor> = OnceLock::new();
    REDACTOR
        .get_or_init(|| Redactor::builder().known_value(known_value()).build().expect("built-in rules load"))
}

/// The built-in rules' detector, as `hygiene scan` builds it.
fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| {
        Detector::new(RuleSet::builtin().expect("built-in rules load")).expect("detector builds")
    })
}

/// `diagnostic` as the binary shows it: masked by [`redacted`] (what every diagnostic the
/// binary prints goes through), rendered without colour and without wrapping, so a value is
/// never split across lines of the rendering.
pub fn shown(diagnostic: &dyn Diagnostic) -> String {
    let masked = redacted(diagnostic);
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(1 << 16)
        .render_report(&mut out, masked.as_ref())
        .expect("rendering into a String cannot fail");
    out
}

/// Shortest run of a secret's bytes that counts as showing part of it.
pub const PARTIAL: usize = 12;

/// Asserts that `shown` (what a diagnostic about `input` displays) holds no secret the
/// redactor finds in `input`, not even a run of [`PARTIAL`] bytes of one. A run may be shown
/// when it is not only the secret's: when it also occurs in `input` outside every secret, or in
/// `shown_for(blanked)`, what the same parsing shows for `input` with every secret byte replaced
/// (the tool's own words, such as an example key name in a help text).
pub fn assert_no_secret_shown(input: &str, shown: &str, shown_for: fn(&str) -> String) {
    let bytes = input.as_bytes();
    let spans = redactor().find(bytes);
    if spans.is_empty() {
        return;
    }
    // The input with every secret byte blanked: where a run may legitimately come from.
    let mut outside = bytes.to_vec();
    for r in &spans {
        for b in &mut outside[r.span.clone()] {
            if !matches!(*b, b'\n' | b'\r') {
                *b = b'x';
            }
        }
    }
    let mut without_secrets: Option<String> = None;
    for r in &spans {
        // Key blocks are masked line by line; check each line of the value.
        for piece in bytes[r.span.clone()].split(|&b| b == b'\n' || b == b'\r') {
            if piece.len() < PARTIAL {
                continue;
            }
            for window in piece.windows(PARTIAL) {
                if contains(shown.as_bytes(), window) && !contains(&outside, window) {
                    let own_words =
                        without_secrets.get_or_insert_with(|| shown_for(&String::from_utf8_lossy(&outside)));
                    if !contains(own_words.as_bytes(), window) {
                        panic!(
                            "a diagnostic shows {PARTIAL} bytes of the secret at {:?} ({:?})",
                            r.span, r.source
                        );
                    }
                }
            }
        }
    }
}

/// Renders `diagnostic` as the binary shows it and asserts it shows no secret of `input`
/// ([`assert_no_secret_shown`]; `shown_for` renders every diagnostic the same parsing gives
/// for another text).
pub fn check_diagnostic(input: &str, diagnostic: &dyn Diagnostic, shown_for: fn(&str) -> String) {
    assert_no_secret_shown(input, &shown(diagnostic), shown_for);
}

/// Where the rotation log is read from, in the checks.
const ROTATION_LOG: &str = "reports/security/rotation-log.jsonl";
/// The day the CSV import runs on, in the checks.
const IMPORT_DAY: jiff::civil::Date = jiff::civil::date(2026, 11, 30);

/// Every diagnostic rule-pack parsing shows for `text` (as a pack and as a decoy file).
fn rule_pack_shown(text: &str) -> String {
    let mut out = String::new();
    for name in ["rules/fuzz.toml", "rules/decoys.toml"] {
        let mut set = RuleSet { rules: Vec::new(), decoys: Decoys::default() };
        match set.add_file(name, text) {
            Err(e) => out += &shown(&e),
            Ok(()) => {
                if let Err(e) = Detector::new(set) {
                    out += &shown(&e);
                }
            }
        }
    }
    out
}

/// Every diagnostic `hygiene.toml` parsing shows for `text`.
fn config_shown(text: &str) -> String {
    let config = match Config::parse("hygiene.toml", text) {
        Ok(config) => config,
        Err(e) => return shown(&e),
    };
    let mut out = String::new();
    if let Err(e) = Allowlist::new(&config.allow) {
        out += &shown(&e);
    }
    if let Err(e) = ForbiddenFiles::new(&config.forbidden) {
        out += &shown(&e);
    }
    if let Err(problem) = rotation::build_policy(None, &config.rotation, Some(("hygiene.toml", text))) {
        out += &shown(&problem);
    }
    out
}

/// The diagnostic the policy table parser shows for `text`, if any.
fn policy_table_shown(text: &str) -> String {
    rotation::parse_markdown("docs/policy.md", text).err().map(|p| shown(&p)).unwrap_or_default()
}

/// The diagnostic the rotation-log parser shows for `text`, if any.
fn rotation_log_shown(text: &str) -> String {
    log::parse(ROTATION_LOG, text).err().map(|p| shown(&p)).unwrap_or_default()
}

/// The diagnostic the CSV import shows for `text`, if any.
fn rotation_csv_shown(text: &str) -> String {
    log::import_csv("export.csv", text, IMPORT_DAY).err().map(|p| shown(&p)).unwrap_or_default()
}

/// Asserts a mask shows at most 4 characters, all of them the secret's, after `****`, and no
/// control or whitespace character.
pub fn assert_mask_ok(mask: &str, secret: &[u8]) {
    let tail = mask.strip_prefix("****").unwrap_or_else(|| panic!("mask {mask:?} does not start with ****"));
    assert!(tail.chars().count() <= 4, "mask {mask:?} shows more than 4 characters");
    assert!(
        !mask.chars().any(|c| c.is_control() || c.is_whitespace()),
        "mask {mask:?} holds a control or whitespace character"
    );
    let value = String::from_utf8_lossy(secret);
    assert!(value.contains(tail), "mask {mask:?} shows characters that are not the secret's");
}

fn assert_in_bounds(span: &std::ops::Range<usize>, secret: &std::ops::Range<usize>, len: usize) {
    assert!(span.start <= span.end && span.end <= len, "match {span:?} of {len} bytes");
    assert!(secret.start <= secret.end && secret.end <= len, "secret {secret:?} of {len} bytes");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Number of `\n` bytes.
fn newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// Asserts a log entry written with `to_json_line` and read back is the entry it was; the
/// instant is written to the second.
fn assert_same_entry(before: &log::LogEntry, after: &log::LogEntry) {
    let mut expected = before.clone();
    expected.rotated_at = before.rotated_at.map(|t| {
        jiff::Timestamp::from_second(t.as_second()).expect("a whole second of a valid instant is valid")
    });
    // Not assert_eq: the entries' Debug would print their notes, which may hold a value.
    assert!(&expected == after, "an entry changed on its way through the log");
}
