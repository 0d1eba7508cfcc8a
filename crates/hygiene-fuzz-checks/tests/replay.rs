//! Replays every committed fuzz input through the check its target runs: each file of
//! `fuzz/corpus/<target>/` and of `fuzz/regressions/<target>/` (inputs that once failed a
//! check, kept for ever). So `cargo test --workspace` checks the fuzz properties on every run,
//! without libFuzzer, sanitizers or cargo-fuzz.
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use hygiene_fuzz_checks::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `dir`, sorted; none when it does not exist.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("a directory entry reads").path())
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    files.sort();
    files
}

/// Runs `check` on every input in `dirs`; returns how many ran and the files that failed.
fn replay(check: fn(&[u8]), dirs: &[PathBuf]) -> (usize, Vec<String>) {
    let mut ran = 0;
    let mut failed = Vec::new();
    for file in dirs.iter().flat_map(|d| inputs(d)) {
        let bytes = fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        ran += 1;
        if catch_unwind(AssertUnwindSafe(|| check(&bytes))).is_err() {
            failed.push(file.display().to_string());
        }
    }
    (ran, failed)
}

fn replay_target(name: &str) {
    let (_, check) = TARGETS.iter().find(|(n, _)| *n == name).expect("a known target");
    let dirs = [fuzz_dir().join("corpus").join(name), fuzz_dir().join("regressions").join(name)];
    let (ran, failed) = replay(*check, &dirs);
    // A corpus that went missing must not pass as "nothing failed".
    assert!(ran >= 1, "fuzz/corpus/{name}/ holds {ran} inputs; expected the committed corpus");
    assert!(
        failed.is_empty(),
        "{} of {ran} inputs fail the {name} check:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn corpus_rule_pack() {
    replay_target("rule_pack");
}

#[test]
fn corpus_config() {
    replay_target("config");
}

#[test]
fn corpus_policy_table() {
    replay_target("policy_table");
}

#[test]
fn corpus_rotation_log() {
    replay_target("rotation_log");
}

#[test]
fn corpus_rotation_csv() {
    replay_target("rotation_csv");
}

#[test]
fn corpus_detect() {
    replay_target("detect");
}

#[test]
fn corpus_redact_stream() {
    replay_target("redact_stream");
}

/// Every fuzz target has its check here, its corpus, and a replay test above; every corpus and
/// regression directory belongs to a target (a renamed target must not leave its corpus unread).
#[test]
fn every_target_is_replayed() {
    let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
    let mut targets: Vec<String> = inputs(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    targets.sort();
    let mut expected: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    expected.sort();
    assert_eq!(targets, expected, "fuzz/fuzz_targets/ and TARGETS differ");
    for name in &names {
        // The target is a wrapper over its check: it runs what the replay runs.
        let target = fs::read_to_string(fuzz_dir().join(format!("fuzz_targets/{name}.rs"))).unwrap();
        assert!(
            target.contains(&format!("hygiene_fuzz_checks::check_{name}(")),
            "{name}.rs does not call check_{name}"
        );
    }

    let source = include_str!("replay.rs");
    for name in &names {
        assert!(source.contains(&format!("replay_target(\"{name}\")")), "no replay test for {name}");
    }
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = fs::read_dir(fuzz_dir().join(dir)) else { continue };
        for entry in entries {
            let name = entry.expect("a directory entry reads").file_name().to_string_lossy().into_owned();
            assert!(names.contains(&name.as_str()), "fuzz/{dir}/{name}/ belongs to no target");
        }
    }
}

/// The replay reports a failing input: a check that panics on one file names that file and
/// does not stop the others from running.
#[test]
fn replay_names_the_failing_input() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    fs::write(dir.join("good"), b"fine").unwrap();
    fs::write(dir.join("bad"), b"boom").unwrap();
    fs::write(dir.join("also-good"), b"fine").unwrap();
    fn check(input: &[u8]) {
        assert!(input != b"boom", "a property failed");
    }
    let (ran, failed) = replay(check, &[dir.clone(), dir.join("missing")]);
    assert_eq!(ran, 3);
    assert_eq!(failed, vec![dir.join("bad").display().to_string()]);
}
