//! The bad-input suite: the one place to look for how `hygiene` treats hostile input. Each
//! case builds its tree at run time, runs `hygiene scan` in every output format (and
//! `hygiene gate` where the input must block) under a timeout, and checks that the run
//! - finishes (a hang is a failure: every run has a timeout),
//! - fails closed: whatever could not be read is an error in the report (exit 1, or 2 for
//!   the gate), never a silent pass,
//! - writes well-formed output in every format (JSON, SARIF, XML; no raw control byte, no
//!   injected line in GitHub commands),
//! - and shows no planted value anywhere (stdout, stderr, the report file).
//!
//! Covered here: FIFOs and sockets, dangling and looping symlinks (walked and followed),
//! unreadable files and directories, files deleted, truncated or replaced between the walk
//! and the read, 0-byte files, odd names (line breaks, escape sequences, `::`, commas,
//! leading dashes, bidi overrides), non-UTF-8 names, very deep trees (300 levels, and deeper
//! than `PATH_MAX`), corrupt, truncated and bad-checksum gzip, and a gzip bomb.
//!
//! In depth elsewhere (not repeated here): thread counts and special files passed by name
//! (`faults.rs`), truncated or replaced files with exact messages
//! (`faults::files_truncated_or_replaced_after_listing_are_errors`), NUL bytes, UTF-16 and
//! text that looks binary (`reading.rs`), temp files of killed runs and report paths
//! (`writes.rs`), a secret in every command's output (`leak_audit.rs`), and malformed
//! configuration, policy and logs (`diagnostics.rs`, `gate.rs`).
use std::path::Path;
use std::time::Duration;

use crate::fake::Fakes;
use crate::planted::Planted;
use crate::{hygiene, write};

/// Longer than any case needs on a loaded machine; a hang is caught, not waited out.
const TIMEOUT: Duration = Duration::from_secs(180);

const FORMATS: [&str; 5] = ["human", "json", "sarif", "github", "junit"];

/// A stripe-shaped key (its format has no checksum: a random one is a finding).
fn key(seed: u64) -> String {
    format!("{}{}", "sk_live_", Fakes::new(seed).alnum(32))
}

/// One `hygiene scan` over a bad tree in every format.
struct Scanned {
    /// The exit code (the same in every format).
    code: i32,
    /// The report file of the JSON run.
    report: serde_json::Value,
}

impl Scanned {
    fn errors(&self) -> Vec<String> {
        self.report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_string())
            .collect()
    }

    fn findings(&self) -> usize {
        self.report["findings"].as_array().unwrap().len()
    }

    fn skipped(&self, reason: &str) -> u64 {
        self.report["stats"]["files_skipped"][reason].as_u64().unwrap_or(0)
    }
}

/// Runs `hygiene scan ROOT ARGS` once per format, with the report written outside the tree;
/// asserts each run ends within [`TIMEOUT`], all exit alike, every output is well-formed and
/// nothing planted shows. Returns the exit code and the report.
fn scan(root: &Path, args: &[&str], planted: &Planted) -> Scanned {
    let out_dir = tempfile::tempdir().unwrap();
    let mut codes = Vec::new();
    for format in FORMATS {
        let report_path = out_dir.path().join(format!("{format}.json"));
        let out = hygiene()
            .arg("scan")
            .arg(root)
            .args(args)
            .args(["--format", format, "--report"])
            .arg(&report_path)
            .timeout(TIMEOUT)
            .output()
            .unwrap_or_else(|e| panic!("scan --format {format}: {e}"));
        let code = out.status.code().unwrap_or_else(|| panic!("scan --format {format} was killed (a hang?)"));
        codes.push(code);
        planted.assert_absent(&format!("{format} stdout"), &out.stdout);
        planted.assert_absent(&format!("{format} stderr"), &out.stderr);
        if report_path.exists() {
            planted.assert_absent(&format!("{format} report"), &std::fs::read(&report_path).unwrap());
        }
        well_formed(format, &out.stdout);
    }
    assert!(codes.iter().all(|&c| c == codes[0]), "exit codes differ by format: {codes:?}");
    let report = serde_json::from_slice(&std::fs::read(out_dir.path().join("json.json")).unwrap()).unwrap();
    Scanned { code: codes[0], report }
}

/// The output parses as its format says, and carries no control byte a terminal or a CI log
/// would act on (only line breaks, and tabs in JSON strings' escapes).
fn well_formed(format: &str, stdout: &[u8]) {
    let text = std::str::from_utf8(stdout).unwrap_or_else(|_| panic!("{format}: stdout is not UTF-8"));
    assert!(
        !text.chars().any(|c| (c.is_control() && c != '\n') || secrets_hygiene::walk::is_bidi_control(c)),
        "{format}: a raw control character in the output:\n{text}"
    );
    match format {
        "json" | "sarif" => {
            serde_json::from_str::<serde_json::Value>(text)
                .unwrap_or_else(|e| panic!("{format}: not JSON ({e}):\n{text}"));
        }
        "junit" => {
            roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("junit: not XML ({e}):\n{text}"));
        }
        "github" => {
            for line in text.lines() {
                assert!(line.starts_with("::"), "github: a line that is not a workflow command: {line:?}");
            }
        }
        _ => {}
    }
}

/// `hygiene gate ROOT` (no policy, so only the scan counts): its exit code.
fn gate(root: &Path, args: &[&str]) -> i32 {
    let out = hygiene()
        .arg("gate")
        .arg(root)
        .args(["--now", "2026-11-30", "--no-report", "--format", "json"])
        .args(args)
        .timeout(TIMEOUT)
        .output()
        .unwrap();
    out.status.code().expect("the gate ends")
}

/// Whether this process can read what it made unreadable (root can).
fn can_read_anyway(path: &Path) -> bool {
    if path.is_dir() {
        std::fs::read_dir(path).is_ok()
    } else {
        std::fs::File::open(path).is_ok()
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[test]
fn fifos_sockets_and_symlinks_never_hang_and_never_pass_unread() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut planted = Planted::default();
    let outside = tempfile::tempdir().unwrap();
    // A secret reachable only through a symlink: skipped (and listed) unless followed.
    write(outside.path(), "linked.md", format!("KEY={}\n", key(1)));
    planted.add(key(1));
    write(root, "docs/clean.md", "nothing here\n");
    let status = std::process::Command::new("mkfifo").arg(root.join("docs/pipe")).status().unwrap();
    assert!(status.success());
    let _socket = std::os::unix::net::UnixListener::bind(root.join("docs/agent.sock")).unwrap();
    symlink(root.join("docs/missing.md"), root.join("docs/dangling.md")).unwrap();
    symlink(root.join("docs/loop-b"), root.join("docs/loop-a")).unwrap();
    symlink(root.join("docs/loop-a"), root.join("docs/loop-b")).unwrap();
    symlink(root.join("docs"), root.join("docs/up")).unwrap(); // a directory loop
    symlink(outside.path().join("linked.md"), root.join("docs/linked.md")).unwrap();

    let walked = scan(root, &["--scope", "docs/**"], &planted);
    assert_eq!(walked.code, 0, "symlinks skipped and listed, special files skipped: {:#}", walked.report);
    assert_eq!((walked.skipped("fifo"), walked.skipped("socket")), (1, 1));
    assert_eq!(walked.skipped("symlink"), 5);
    let listed: Vec<&str> =
        walked.report["skipped"].as_array().unwrap().iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert!(listed.contains(&"docs/linked.md") && listed.contains(&"docs/pipe"), "{listed:?}");

    // Followed: the linked secret is found; the dangling link and both loops are errors.
    let followed = scan(root, &["--scope", "docs/**", "--follow"], &planted);
    assert_eq!(followed.code, 1);
    assert_eq!(followed.findings(), 1);
    let errors = followed.errors();
    for broken in ["docs/dangling.md", "docs/loop-a", "docs/loop-b", "docs/up"] {
        assert!(errors.iter().any(|e| e == broken), "{broken} is not an error: {errors:?}");
    }
    assert_eq!(gate(root, &["--scope", "docs/**", "--follow"]), 2, "an unreadable input is a gate error");
}

#[cfg(unix)]
#[test]
#[allow(clippy::print_stderr)] // says why the permission assertions are skipped under root
fn unreadable_files_and_directories_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let planted = Planted::default();
    write(root, "docs/ok.md", "nothing here\n");
    write(root, "docs/locked.md", "nothing to see, but nobody can tell\n");
    write(root, "docs/locked-dir/inside.md", "nothing here either\n");
    set_mode(&root.join("docs/locked.md"), 0o000);
    set_mode(&root.join("docs/locked-dir"), 0o000);
    if can_read_anyway(&root.join("docs/locked.md")) {
        // Root reads everything: the permission case cannot be set up, so it is not asserted.
        eprintln!("running as root: unreadable files cannot be made; permission assertions skipped");
        set_mode(&root.join("docs/locked-dir"), 0o755);
        return;
    }
    let scanned = scan(root, &[], &planted);
    set_mode(&root.join("docs/locked-dir"), 0o755); // so the temp dir can be removed
    assert_eq!(scanned.code, 1, "{:#}", scanned.report);
    assert_eq!(scanned.report["status"], "fail");
    assert_eq!(scanned.errors(), vec!["docs/locked-dir", "docs/locked.md"]);
    set_mode(&root.join("docs/locked-dir"), 0o000);
    let code = gate(root, &[]);
    set_mode(&root.join("docs/locked-dir"), 0o755);
    assert_eq!(code, 2);
}

/// A file deleted between the walk and the read (log rotation) is an error, as a truncated
/// or replaced one is (`faults::files_truncated_or_replaced_after_listing_are_errors`): made
/// deterministic by scanning a listing taken before the deletion.
#[test]
fn a_file_deleted_after_listing_is_an_error() {
    use secrets_hygiene::detect::Detector;
    use secrets_hygiene::fingerprint::Fingerprinter;
    use secrets_hygiene::rules::RuleSet;
    use secrets_hygiene::scan::{self, Keep};
    use secrets_hygiene::walk::{self, FileToScan};

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "logs/app.log", "2026-11-30 INFO rotated away\n");
    let path = dir.path().join("logs/app.log");
    let meta = std::fs::metadata(&path).unwrap();
    let files = vec![FileToScan {
        path: path.clone(),
        display: "logs/app.log".into(),
        size: meta.len(),
        identity: walk::identity(&meta),
    }];
    std::fs::remove_file(&path).unwrap();
    let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
    let outcome =
        scan::scan_listed(&detector, &Fingerprinter::with_key("k"), &Keep::everything(), &files, &|_| {});
    assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
    assert_eq!(outcome.errors[0].path, "logs/app.log");
    assert!(!outcome.passed());
}

#[test]
fn zero_byte_and_near_empty_files_pass_and_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (name, content) in [
        ("docs/empty.md", &b""[..]),
        ("docs/empty.log.gz", b""), // named like gzip, but empty: text, not a corrupt archive
        ("docs/newline.md", b"\n"),
        ("docs/nuls.log", b"\0\0\0\0"),
        ("docs/crlf.md", b"\r\n\r\n"),
    ] {
        write(root, name, content);
    }
    let scanned = scan(root, &[], &Planted::default());
    assert_eq!(scanned.code, 0, "{:#}", scanned.report);
    assert_eq!(scanned.report["stats"]["files_scanned"], 5);
    assert!(scanned.errors().is_empty());
}

/// Names a shell, a terminal or a CI log would misread: every file is scanned, named
/// distinctly, and no name can break a line or send an escape sequence.
#[cfg(unix)]
#[test]
fn odd_names_are_scanned_and_shown_safely() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut planted = Planted::default();
    let names: [&[u8]; 9] = [
        b"docs/line\nbreak: pass 0 findings.md",
        b"docs/\x1b[2J\x1b[31mescape.md",
        b"docs/carriage\rreturn.md",
        b"docs/-rf --no-report.md",
        b"docs/a,line=1::x.md",
        b"docs/tab\there.md",
        "docs/bidi\u{202e}dm.txt".as_bytes(),
        b"docs/\xff\xfe latin-1 \xe9.md",
        b"docs/\xfe\xff latin-1 \xe9.md", // displays like the one above if bytes are replaced
    ];
    for (i, name) in names.iter().enumerate() {
        let path = root.join(std::ffi::OsStr::from_bytes(name));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("KEY={}\n", key(100 + i as u64))).unwrap();
        planted.add(key(100 + i as u64));
    }
    let scanned = scan(root, &[], &planted);
    assert_eq!(scanned.code, 1);
    assert_eq!(scanned.findings(), names.len(), "every file is scanned: {:#}", scanned.report);
    let mut files: Vec<&str> =
        scanned.report["findings"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
    files.dedup();
    assert_eq!(files.len(), names.len(), "each file is named distinctly: {files:?}");
    assert!(files.contains(&"docs/line\\x0Abreak: pass 0 findings.md"), "{files:?}");
    assert!(files.contains(&"docs/\\xFF\\xFE latin-1 \\xE9.md"), "{files:?}");
    assert!(files.contains(&"docs/bidi\\u{202E}dm.txt"), "{files:?}");
}

#[test]
fn a_very_deep_tree_is_walked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut planted = Planted::default();
    let deep: String = std::iter::repeat_n("d/", 300).collect();
    write(root, &format!("docs/{deep}leak.md"), format!("KEY={}\n", key(7)));
    planted.add(key(7));
    let scanned = scan(root, &[], &planted);
    assert_eq!(scanned.code, 1);
    assert_eq!(scanned.findings(), 1);
    assert!(scanned.report["findings"][0]["file"].as_str().unwrap().ends_with("d/d/leak.md"));
}

/// Deeper than `PATH_MAX` (4096 bytes on Linux): the file cannot be opened by its path, and
/// that is an error, not a silent pass.
#[cfg(target_os = "linux")]
#[test]
fn a_tree_deeper_than_path_max_is_an_error_not_a_pass() {
    use rustix::fs::{mkdirat, openat, Mode, OFlags};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("docs")).unwrap();
    // Built one level at a time from directory handles: no path that long can be passed to mkdir.
    let mut here =
        openat(rustix::fs::CWD, root.join("docs"), OFlags::DIRECTORY | OFlags::RDONLY, Mode::empty())
            .unwrap();
    for _ in 0..900 {
        mkdirat(&here, "dddd", Mode::from_raw_mode(0o755)).unwrap();
        here = openat(&here, "dddd", OFlags::DIRECTORY | OFlags::RDONLY, Mode::empty()).unwrap();
    }
    let file = openat(&here, "leak.md", OFlags::CREATE | OFlags::WRONLY, Mode::from_raw_mode(0o644)).unwrap();
    rustix::io::write(&file, b"nothing here\n").unwrap();
    let scanned = scan(root, &[], &Planted::default());
    assert_eq!(scanned.code, 1, "{:#}", scanned.report);
    assert!(!scanned.errors().is_empty());
    assert_eq!(gate(root, &[]), 2);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn corrupt_truncated_and_bad_checksum_gzip_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut planted = Planted::default();
    // Header, then garbage.
    let mut garbage = gzip(b"x")[..10].to_vec();
    garbage.extend_from_slice(&[0xff; 64]);
    write(root, "data/a/logs/garbage.log.gz", garbage);
    // Cut in the middle: the secret before the cut is still found.
    let mut text = format!("2026-11-30 ERROR KEY={}\n", key(20));
    planted.add(key(20));
    for i in 0..5000 {
        text.push_str(&format!("2026-11-30 INFO request {i} {}\n", Fakes::new(i).alnum(20)));
    }
    let whole = gzip(text.as_bytes());
    write(root, "data/a/logs/cut.log.gz", &whole[..whole.len() / 2]);
    // Whole, but the trailer's CRC does not match.
    let mut bad_crc = gzip(b"2026-11-30 INFO nothing here\n");
    let n = bad_crc.len();
    bad_crc[n - 8] ^= 0xff;
    write(root, "data/a/logs/crc.log.gz", bad_crc);

    let scanned = scan(root, &["--include-logs"], &planted);
    assert_eq!(scanned.code, 1);
    assert_eq!(
        scanned.errors(),
        vec!["data/a/logs/crc.log.gz", "data/a/logs/cut.log.gz", "data/a/logs/garbage.log.gz"],
        "{:#}",
        scanned.report
    );
    assert_eq!(scanned.findings(), 1, "what was read before the cut still counts");
    assert_eq!(gate(root, &["--include-logs"]), 2);
}

/// A small file that expands to 32 MiB: streamed (memory stays flat, see the README's
/// Performance section), scanned to the end within the timeout, its secret found.
#[test]
fn a_gzip_bomb_is_streamed_to_its_end() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut planted = Planted::default();
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let newlines = vec![b'\n'; 1 << 20];
    for _ in 0..32 {
        enc.write_all(&newlines).unwrap();
    }
    enc.write_all(format!("KEY={}\n", key(30)).as_bytes()).unwrap();
    planted.add(key(30));
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 1 << 20, "small on disk: {} bytes", bomb.len());
    write(root, "data/a/logs/bomb.log.gz", bomb);
    let scanned = scan(root, &["--include-logs"], &planted);
    assert_eq!(scanned.code, 1);
    assert_eq!(scanned.findings(), 1);
    assert_eq!(scanned.report["findings"][0]["line"], (32u64 << 20) + 1);
    assert!(scanned.report["stats"]["bytes_scanned"].as_u64().unwrap() > 32 << 20);
}
