//! Writes that must not lose data: concurrent rotation records, `redact --in-place` on
//! symlinks, hard links, live logs and gzip logs, modes kept, temp files of killed runs.
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::fake::Fakes;
use crate::{hygiene, write};

const CONFIG: &str = "[rotation]\npolicy_file = \"docs/policy.md\"\nlog = \"ops/rotation-log.jsonl\"\n";
const POLICY: &str = "| Secret | Frequency | Grace | Owner |\n|---|---|---|---|\n\
    | `JWT_SECRET_KEY` | 90 days | 7 days | platform |\n";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).unwrap().file_type().is_symlink()
}

/// stderr with miette's wrapping undone: one space between words.
fn stderr(out: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr).replace('│', " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A log with a GitHub token on its second line; returns (text, token).
fn leaky_log(seed: u64) -> (String, String) {
    let token = Fakes::new(seed).github("ghp_");
    (
        format!(
            "08:00:00 INFO start\n08:00:01 ERROR auth failed GITHUB_TOKEN={token}\n08:00:02 INFO retry\n"
        ),
        token,
    )
}

#[test]
fn concurrent_rotation_records_all_land_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hygiene.toml", CONFIG);
    write(dir.path(), "docs/policy.md", POLICY);
    let bin = assert_cmd::cargo::cargo_bin("hygiene");
    let children: Vec<_> = (0..20)
        .map(|i| {
            std::process::Command::new(&bin)
                .args(["rotation", "record", "JWT_SECRET_KEY", "--date", "2026-11-01", "--by"])
                .arg(format!("user{i}"))
                .arg("--root")
                .arg(dir.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let log = std::fs::read_to_string(dir.path().join("ops/rotation-log.jsonl")).unwrap();
    let mut by: Vec<String> = log
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["rotated_by"].as_str().unwrap().to_string()
        })
        .collect();
    by.sort();
    let mut expected: Vec<String> = (0..20).map(|i| format!("user{i}")).collect();
    expected.sort();
    assert_eq!(by, expected, "every successful record is in the log");
    let leftovers: Vec<_> =
        std::fs::read_dir(dir.path().join("ops")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("rotation-log.jsonl")]);
}

#[test]
fn rotation_record_writes_through_a_symlink_and_keeps_the_mode() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hygiene.toml", CONFIG);
    write(dir.path(), "docs/policy.md", POLICY);
    write(dir.path(), "shared/rotation-log.jsonl", "");
    let real = dir.path().join("shared/rotation-log.jsonl");
    set_mode(&real, 0o644);
    std::fs::create_dir_all(dir.path().join("ops")).unwrap();
    let link = dir.path().join("ops/rotation-log.jsonl");
    std::os::unix::fs::symlink("../shared/rotation-log.jsonl", &link).unwrap();
    for log_flag in [None, Some(&link)] {
        let mut cmd = hygiene();
        cmd.args(["rotation", "record", "JWT_SECRET_KEY", "--by", "alice", "--date", "2026-11-01", "--root"])
            .arg(dir.path());
        if let Some(log) = log_flag {
            cmd.arg("--log").arg(log);
        }
        cmd.assert().code(0);
    }
    assert!(is_link(&link), "the link is kept");
    assert_eq!(std::fs::read_to_string(&real).unwrap().lines().count(), 2, "the real file got both lines");
    assert_eq!(mode(&real), 0o644);
}

#[test]
fn baseline_create_keeps_the_mode_of_an_existing_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = leaky_log(1);
    write(dir.path(), "docs/notes.md", log);
    hygiene().args(["baseline", "create"]).arg(dir.path()).assert().code(0);
    let baseline = dir.path().join(".hygiene-baseline.json");
    set_mode(&baseline, 0o664);
    hygiene().args(["baseline", "create"]).arg(dir.path()).assert().code(0);
    assert_eq!(mode(&baseline), 0o664);
}

#[test]
fn redact_in_place_rewrites_the_target_of_a_symlink_and_keeps_mode() {
    let dir = tempfile::tempdir().unwrap();
    let (log, token) = leaky_log(2);
    write(dir.path(), "real/app.log", &log);
    let real = dir.path().join("real/app.log");
    set_mode(&real, 0o640);
    let link = dir.path().join("app.log");
    std::os::unix::fs::symlink("real/app.log", &link).unwrap();
    hygiene().args(["redact", "--in-place"]).arg(&link).assert().code(0);
    assert!(is_link(&link), "the link is kept");
    let cleaned = std::fs::read_to_string(&real).unwrap();
    assert!(!cleaned.contains(&token));
    assert_eq!(cleaned.lines().count(), 3);
    assert_eq!(mode(&real), 0o640);
    let names: Vec<_> =
        std::fs::read_dir(dir.path().join("real")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("app.log")], "no temp file left");
}

#[test]
fn redact_in_place_refuses_hard_links_and_live_logs() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = leaky_log(3);
    write(dir.path(), "a.log", &log);
    std::fs::hard_link(dir.path().join("a.log"), dir.path().join("b.log")).unwrap();
    let out = hygiene().args(["redact", "--in-place"]).arg(dir.path().join("a.log")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("2 hard links"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(dir.path().join("b.log")).unwrap(), log, "untouched");

    // A service still appending to its log (it holds the file open for writing).
    write(dir.path(), "live.log", &log);
    let live = dir.path().join("live.log");
    let mut service = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec 3>>\"$1\"; echo '08:00:03 INFO still running' >&3; echo ready; exec sleep 30")
        .arg("sh")
        .arg(&live)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(service.stdout.as_mut().unwrap()), &mut ready)
        .unwrap();
    let out = hygiene().args(["redact", "--in-place"]).arg(&live).output().unwrap();
    service.kill().unwrap();
    service.wait().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("open for writing"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&live).unwrap(), format!("{log}08:00:03 INFO still running\n"));
    // Once the writer is gone, the rewrite goes through and keeps every line.
    hygiene().args(["redact", "--in-place"]).arg(&live).assert().code(0);
    let cleaned = std::fs::read_to_string(&live).unwrap();
    assert_eq!(cleaned.lines().count(), 4);
    assert!(cleaned.ends_with("08:00:03 INFO still running\n"));
}

#[test]
fn redact_handles_gzip_logs_and_refuses_other_compression() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let (log, token) = leaky_log(4);
    let gz_path = dir.path().join("app.log.1.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(log.as_bytes()).unwrap();
    std::fs::write(&gz_path, gz.finish().unwrap()).unwrap();
    // --check sees the leak inside the gzip stream.
    hygiene().args(["redact", "--check"]).arg(&gz_path).assert().code(1);
    // The filter reads it decompressed.
    let out = hygiene().arg("redact").arg(&gz_path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert_eq!(shown.lines().count(), 3);
    assert!(!shown.contains(&token));
    // --in-place rewrites it, still gzip.
    hygiene().args(["redact", "--in-place"]).arg(&gz_path).assert().code(0);
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(&gz_path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    assert!(!text.contains(&token));
    assert_eq!(text.lines().count(), 3);
    assert!(text.contains(&format!("GITHUB_TOKEN=****{}", &token[token.len() - 4..])));
    hygiene().args(["redact", "--check"]).arg(&gz_path).assert().code(0);
    // zstd: cannot be rewritten, so it is an error, never a silent pass.
    let zst = dir.path().join("app.log.2.zst");
    std::fs::write(&zst, b"\x28\xb5\x2f\xfd\x00\x00rest").unwrap();
    for args in [&["--check"][..], &["--in-place"][..], &[][..]] {
        let out = hygiene().arg("redact").args(args).arg(&zst).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("zstd"), "{}", stderr(&out));
    }
}

#[test]
fn temp_files_of_killed_runs_are_cleaned_and_never_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = leaky_log(5);
    // What `kill -9` during a report write or a rewrite leaves: our temp files.
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(120);
    for name in ["reports/security/.hygiene-tmp-a1B2c3", "docs/.hygiene-tmp-Zz9Yy8"] {
        write(dir.path(), name, &log);
        std::fs::File::options().write(true).open(dir.path().join(name)).unwrap().set_modified(old).unwrap();
    }
    write(dir.path(), "docs/ok.md", "nothing here\n");
    let (code, report) = crate::scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "temp files are not scanned: {report}");
    assert_eq!(report["stats"]["files_skipped"]["hygiene-temp"], 2);
    // The next run that writes into the directory removes them.
    hygiene().arg("scan").arg(dir.path()).assert().code(0);
    let names: Vec<_> = std::fs::read_dir(dir.path().join("reports/security"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["latest.json"]);
    write(dir.path(), "docs/app.log", &log);
    hygiene().args(["redact", "--in-place"]).arg(dir.path().join("docs/app.log")).assert().code(0);
    let mut names: Vec<_> = std::fs::read_dir(dir.path().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["app.log", "ok.md"]);
}

#[test]
fn report_masks_carry_no_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let planted = Fakes::new(6).planted();
    let key = planted.iter().find(|(family, _, _)| *family == "private-key").unwrap();
    write(dir.path(), "docs/key.md", format!("{}\n", key.1));
    let (code, report) = crate::scan_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let masked = report["findings"][0]["masked"].as_str().unwrap();
    assert!(masked.starts_with("****"), "{masked:?}");
    assert!(masked.chars().all(|c| !c.is_control() && !c.is_whitespace()), "{masked:?}");
}

#[test]
fn report_paths_from_the_repository_stay_inside_the_root() {
    let top = tempfile::tempdir().unwrap();
    let root = top.path().join("repo");
    let elsewhere = top.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    write(&root, "docs/ok.md", "nothing here\n");
    let outside_files = || std::fs::read_dir(&elsewhere).unwrap().count();
    let refused = |args: &[&str]| {
        for command in ["scan", "gate"] {
            let out = hygiene().arg(command).arg(&root).args(args).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{command} {args:?}: {}", stderr(&out));
            assert!(stderr(&out).contains("outside the scan root"), "{}", stderr(&out));
            assert_eq!(outside_files(), 0, "{command} {args:?} wrote outside the root");
        }
    };
    // `report = "../elsewhere/file"` in hygiene.toml.
    write(&root, "hygiene.toml", "report = \"../elsewhere/file.json\"\n");
    refused(&[]);
    write(&root, "hygiene.toml", "report = \"reports/../../elsewhere/file.json\"\n");
    refused(&[]);
    std::fs::remove_file(root.join("hygiene.toml")).unwrap();
    // A symlinked reports/security/ directory.
    std::fs::create_dir_all(root.join("reports")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, root.join("reports/security")).unwrap();
    refused(&[]);
    // --no-report writes nothing, so the link does not matter.
    hygiene().arg("scan").arg(&root).arg("--no-report").assert().code(0);
    // A symlinked report file.
    std::fs::remove_file(root.join("reports/security")).unwrap();
    std::fs::create_dir_all(root.join("reports/security")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("latest.json"), root.join("reports/security/latest.json"))
        .unwrap();
    refused(&[]);
    // On the command line, the user decides.
    hygiene().arg("scan").arg(&root).arg("--report").arg(elsewhere.join("cli.json")).assert().code(0);
    assert!(elsewhere.join("cli.json").is_file());
    // Inside the root, through a link that stays inside, is fine.
    std::fs::remove_file(root.join("reports/security/latest.json")).unwrap();
    std::fs::create_dir_all(root.join("out")).unwrap();
    std::os::unix::fs::symlink("../../out/latest.json", root.join("reports/security/latest.json")).unwrap();
    hygiene().arg("scan").arg(&root).assert().code(0);
    assert!(root.join("out/latest.json").is_file());
}
