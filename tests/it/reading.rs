//! Reading: invalid UTF-8, BOM, CRLF, huge single lines, gzip, binary files, chunk edges,
//! and positions that stay right through all of them.
use std::io::Write;

use secrets_hygiene::detect::Detector;
use secrets_hygiene::rules::RuleSet;
use secrets_hygiene::scan::{scan_stream, CHUNK_LEN, OVERLAP_LEN};

use crate::fake::{der_body, Fakes};
use crate::{locations, scan_json, write};

fn token(seed: u64) -> String {
    Fakes::new(seed).github("ghp_")
}

#[test]
fn positions_survive_bom_crlf_and_invalid_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let t = token(1);
    let mut bytes = b"\xEF\xBB\xBFtitle\r\n\xff\xfe broken \xc3\r\n".to_vec();
    bytes.extend_from_slice(format!("h\u{e9}llo GITHUB_TOKEN={t}\r\n").as_bytes());
    write(dir.path(), "docs/mixed.md", &bytes);
    let (_, report) = scan_json(dir.path(), &[]);
    // Line 3: "héllo GITHUB_TOKEN=" is 19 characters, so the token starts at column 20.
    assert_eq!(locations(&report), vec![("docs/mixed.md".into(), 3, 20, "github.pat-classic".into())]);
    let t2 = token(2);
    write(dir.path(), "docs/bom.md", format!("\u{feff}{t2} first").as_bytes());
    let (_, report) = scan_json(dir.path(), &["--scope", "docs/bom.md"]);
    assert_eq!(locations(&report), vec![("docs/bom.md".into(), 1, 1, "github.pat-classic".into())]);
}

#[test]
fn multi_megabyte_single_line() {
    let dir = tempfile::tempdir().unwrap();
    let t = token(3);
    let mut line = String::from("{\"frames\":[");
    while line.len() < 5_000_000 {
        line.push_str("{\"e\":\"trade\",\"p\":\"91234.50\",\"q\":\"0.010\"},");
    }
    let column = line.chars().count() as u64 + 10; // the 10th character after the frames
    line.push_str(&format!("\"token\":\"{t}\"]}}"));
    write(dir.path(), "reports/ws-dump.json", &line);
    let (_, report) = scan_json(dir.path(), &[]);
    assert_eq!(
        locations(&report),
        vec![("reports/ws-dump.json".into(), 1, column, "github.pat-classic".into())]
    );
}

#[test]
fn secret_across_a_chunk_edge_is_found_once_with_the_right_line() {
    let dir = tempfile::tempdir().unwrap();
    let t = token(4);
    // A long first line (no newline to cut at), then the token straddling CHUNK_LEN.
    let mut text = vec![b'a'; CHUNK_LEN - 20];
    text.extend_from_slice(b"\nnext GITHUB_TOKEN=");
    let start_col = "next GITHUB_TOKEN=".len() as u64 + 1;
    text.extend_from_slice(t.as_bytes());
    text.extend_from_slice(b"\n");
    // Plus a second token well into the second chunk.
    text.extend(std::iter::repeat_n(b'b', OVERLAP_LEN * 2));
    let t2 = token(5);
    text.extend_from_slice(format!("\nGH={t2}\n").as_bytes());
    write(dir.path(), "data/bot1/logs/big.log", &text);
    let (_, report) = scan_json(dir.path(), &["--include-logs"]);
    assert_eq!(
        locations(&report),
        vec![
            ("data/bot1/logs/big.log".into(), 2, start_col, "github.pat-classic".into()),
            ("data/bot1/logs/big.log".into(), 4, 4, "github.pat-classic".into()),
        ]
    );
}

/// A reader that hands out at most 7 bytes per read: the chunk loop must not care.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(7).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn short_reads_give_the_same_matches() {
    let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
    let text = format!("x\nGITHUB_TOKEN={}\ny\nGH={}\n", token(6), token(7));
    let mut buffer = Vec::new();
    let mut seen = Vec::new();
    let bytes = scan_stream(&detector, &mut Trickle(text.as_bytes()), &mut buffer, |_, _, m, p| {
        seen.push((m.secret.clone(), p.line, p.column))
    })
    .unwrap();
    assert_eq!(bytes, text.len() as u64);
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[0].1, seen[0].2), (2, 14));
    assert_eq!((seen[1].1, seen[1].2), (4, 4));
}

#[test]
fn gzip_logs_are_scanned_and_binaries_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let t = token(8);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(format!("line one\nAuthorization: token {t}\n").as_bytes()).unwrap();
    write(dir.path(), "data/bot2/logs/app.log.3.gz", gz.finish().unwrap());
    write(dir.path(), "data/bot2/logs/core.1234", b"\x7FELF\x02\x01\x01\0\0\0");
    write(dir.path(), "reports/model.pkl", b"\x80\x04\x95\x10\0\0\0\0\0\0\0");
    write(dir.path(), "reports/chart.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let blob: Vec<u8> = (0u32..512).flat_map(|i| i.wrapping_mul(2654435761).to_le_bytes()).collect();
    write(dir.path(), "reports/blob.bin", blob);
    let (code, report) = scan_json(dir.path(), &["--include-logs"]);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&report),
        vec![("data/bot2/logs/app.log.3.gz".into(), 2, 22, "github.pat-classic".into())]
    );
    // Known formats are counted; content that is merely not text is listed by name too.
    assert_eq!(report["skipped"], serde_json::json!([{"path": "reports/blob.bin", "reason": "binary"}]));
    let skipped = &report["stats"]["files_skipped"];
    assert_eq!(skipped["executable or core dump"], 1);
    assert_eq!(skipped["pickle"], 1);
    assert_eq!(skipped["image"], 1);
    assert_eq!(skipped["binary"], 1);
    assert_eq!(report["stats"]["files_scanned"], 1);
}

#[test]
fn private_key_in_json_and_yaml_spans_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut fakes = Fakes::new(10);
    let body = der_body((0..4).map(|_| fakes.alnum(64)).collect());
    let yaml = format!(
        "tls:\n  key: |\n    -----BEGIN PRIVATE KEY-----\n    {}\n    -----END PRIVATE KEY-----\n",
        body.join("\n    ")
    );
    write(dir.path(), "docs/deploy.yaml", &yaml);
    let json = format!(
        "{{\"private_key\": \"-----BEGIN EC PRIVATE KEY-----\\n{}\\n-----END EC PRIVATE KEY-----\\n\"}}\n",
        body.join("\\n")
    );
    write(dir.path(), "reports/sa.json", &json);
    let (_, report) = scan_json(dir.path(), &[]);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{findings:?}");
    assert_eq!(
        (findings[0]["file"].as_str(), findings[0]["line"].as_u64()),
        (Some("docs/deploy.yaml"), Some(3))
    );
    assert_eq!(findings[0]["end_line"], 8);
    assert_eq!(findings[1]["end_line"], findings[1]["line"]);
    assert!(findings.iter().all(|f| f["rule_id"] == "private-key.pem"));
}

#[test]
fn segmented_scan_of_a_big_file_equals_the_sequential_scan() {
    use secrets_hygiene::fingerprint::Fingerprinter;
    use secrets_hygiene::scan::{scan_file_segments, Keep};
    let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
    let fingerprinter = Fingerprinter::with_key("k");
    let mut fakes = Fakes::new(31);
    let mut text = String::new();
    for i in 0..3000 {
        match i % 97 {
            0 => text.push_str(&format!("2026-11-20 ERROR token GITHUB_TOKEN={}\n", fakes.github("ghp_"))),
            50 => {
                let body = der_body((0..6).map(|_| fakes.alnum(64)).collect());
                text.push_str(&format!(
                    "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
                    body.join("\n")
                ));
            }
            _ => text.push_str(&format!("2026-11-20 INFO heartbeat seq={i} ok latency_ms={}\n", i % 300)),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    std::fs::write(&path, &text).unwrap();
    let key = |f: &secrets_hygiene::findings::Finding| {
        (f.line, f.column, f.end_line, f.rule_id.clone(), f.fingerprint.clone())
    };
    let everything = Keep::everything();
    let whole = scan_file_segments(&detector, &fingerprinter, &everything, &path, u64::MAX).unwrap();
    assert_eq!(whole.bytes, text.len() as u64);
    assert!(whole.findings.len() > 60, "{}", whole.findings.len());
    // With a per-file limit, the first 25 in file order are listed and the rest counted.
    let limited = Keep { suppress: &|_| None, max_per_file: 25, suppress_reads_fingerprints: false };
    // A suppression that reads fingerprints (a baseline) still sees them past the limit: the
    // last finding of the file, accepted by fingerprint, is suppressed, not counted.
    let last = whole.findings.last().unwrap().fingerprint.clone();
    let by_fingerprint =
        |f: &secrets_hygiene::findings::Finding| (f.fingerprint == last).then_some("baseline");
    let baselined = Keep { suppress: &by_fingerprint, max_per_file: 25, suppress_reads_fingerprints: true };
    // Segments of 4 KiB cut through lines and through private-key blocks.
    for segment in [4096, 10_000, 65_536] {
        let parts = scan_file_segments(&detector, &fingerprinter, &everything, &path, segment).unwrap();
        assert_eq!(parts.bytes, text.len() as u64);
        assert_eq!(
            parts.findings.iter().map(key).collect::<Vec<_>>(),
            whole.findings.iter().map(key).collect::<Vec<_>>(),
            "segment {segment}"
        );
        let first = scan_file_segments(&detector, &fingerprinter, &limited, &path, segment).unwrap();
        assert_eq!(
            first.findings.iter().map(key).collect::<Vec<_>>(),
            whole.findings[..25].iter().map(key).collect::<Vec<_>>(),
            "segment {segment}, limited"
        );
        assert_eq!(first.not_listed as usize, whole.findings.len() - 25);
        let accepted = scan_file_segments(&detector, &fingerprinter, &baselined, &path, segment).unwrap();
        assert_eq!(accepted.not_listed as usize, whole.findings.len() - 26, "segment {segment}, baselined");
        assert_eq!(accepted.findings.len(), 25, "segment {segment}, baselined");
    }
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xFEFF_u16).into_iter().chain(text.encode_utf16());
    units.flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
}

#[test]
fn utf16_logs_are_transcoded_with_their_positions() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (big_endian, bom)) in
        [(false, true), (true, true), (false, false), (true, false)].into_iter().enumerate()
    {
        let t = token(20 + i as u64);
        // PowerShell-style lines; line 3 holds the token after 7 characters, one outside the BMP.
        let text = format!("PS> Start-Agent\r\nagent r\u{e9}ady \u{1F680}\r\ntoken=\u{e9}{t} done\r\n");
        write(dir.path(), &format!("data/win/logs/agent{i}.log"), utf16(&text, big_endian, bom));
    }
    let (code, report) = scan_json(dir.path(), &["--include-logs"]);
    assert_eq!(code, 1);
    let expected: Vec<_> = (0..4)
        .map(|i| (format!("data/win/logs/agent{i}.log"), 3, 8, "github.pat-classic".to_string()))
        .collect();
    assert_eq!(locations(&report), expected);
    assert_eq!(report["stats"]["files_scanned"], 4);
    assert!(report.get("skipped").is_none(), "nothing skipped: {report}");
}

#[test]
fn logs_with_nuls_are_scanned_around_them() {
    let dir = tempfile::tempdir().unwrap();
    // After copytruncate: the writer's old offset leaves a run of NULs before the new lines.
    let mut truncated = vec![0u8; 20_000];
    truncated.extend_from_slice(format!("2026-11-30 INFO login GITHUB_TOKEN={}\n", token(30)).as_bytes());
    write(dir.path(), "data/bot1/logs/app.log", &truncated);
    // A stray NUL in the first line, a token on the second.
    let stray = format!("2026-11-30 INFO\0 start\nGITHUB_TOKEN={}\n", token(31));
    write(dir.path(), "data/bot1/logs/worker.log", stray);
    let (code, report) = scan_json(dir.path(), &["--include-logs"]);
    assert_eq!(code, 1);
    assert_eq!(
        locations(&report),
        vec![
            // The NULs are characters too: 20,000 of them and 35 before the token.
            ("data/bot1/logs/app.log".into(), 1, 20_036, "github.pat-classic".into()),
            ("data/bot1/logs/worker.log".into(), 2, 14, "github.pat-classic".into()),
        ]
    );
}

#[test]
fn binary_looking_start_with_a_text_end_fails_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes: Vec<u8> = (0u32..4096).flat_map(|i| (i % 29).to_le_bytes()).collect();
    for _ in 0..400 {
        bytes.extend_from_slice(b"2026-11-30 INFO a plain log line\n");
    }
    write(dir.path(), "data/bot1/logs/mixed.log", bytes);
    let (code, report) = scan_json(dir.path(), &["--include-logs"]);
    assert_eq!(code, 1);
    assert_eq!(report["status"], "fail");
    assert_eq!(report["errors"][0]["path"], "data/bot1/logs/mixed.log");
    assert!(report["errors"][0]["message"].as_str().unwrap().contains("ends in text"));
}
