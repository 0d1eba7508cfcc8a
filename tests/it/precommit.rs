//! The pre-commit hook end to end: the real `pre-commit` builds this repository's `hygiene` hook
//! (`.pre-commit-hooks.yaml`, `language: rust`) from a commit of this checkout and runs it in a
//! temporary git repository: a staged fake secret blocks the commit (masked in the output), a
//! clean file passes, nothing staged is skipped, `--all-files` scans the tree, and thousands of
//! files are split by pre-commit into several calls that are all scanned.
//!
//! Needs `pre-commit` (env `PRE_COMMIT`, else on `PATH`; `.ci/run` installs it), git and cargo.
//! The hook is built from the COMMITTED `HEAD` of the hook repository (this checkout, or
//! `HYGIENE_HOOK_REPO`), not from the working tree. The build uses a faster release profile and a
//! persistent target directory under `target/tmp/`, so only the first run compiles everything.
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use crate::fake::Fakes;

const INSTALL_HINT: &str = "install it with `python3 -m venv target/ci-venv && \
     target/ci-venv/bin/pip install pre-commit` and run \
     `PRE_COMMIT=$PWD/target/ci-venv/bin/pre-commit cargo test`, or put `pre-commit` on PATH \
     (`pipx install pre-commit`); `bash .ci/run` does this itself";

/// The pre-commit executable: `PRE_COMMIT`, else `pre-commit` on `PATH`. Never skips: a missing
/// pre-commit fails the test with how to install it.
fn pre_commit_exe() -> PathBuf {
    if let Some(path) = std::env::var_os("PRE_COMMIT").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(path.is_file(), "PRE_COMMIT={} is not a file; {INSTALL_HINT}", path.display());
        return path;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("pre-commit"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("pre-commit not found (PRE_COMMIT unset, none on PATH): {INSTALL_HINT}"))
}

/// stdout and stderr of a finished process, as one string.
fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Total of the `scanned N file(s)` summaries `hygiene` printed, and how many calls printed one.
fn scanned(output: &str) -> (u64, usize) {
    let counts: Vec<u64> = output
        .lines()
        .filter(|l| l.starts_with("pass: ") || l.starts_with("fail: "))
        .map(|l| {
            let rest = &l[l.find("scanned ").unwrap_or_else(|| panic!("no file count in {l:?}")) + 8..];
            rest.split(' ').next().unwrap().parse::<u64>().unwrap()
        })
        .collect();
    (counts.iter().sum(), counts.len())
}

#[allow(clippy::print_stderr)]
fn note(message: &str) {
    eprintln!("precommit: {message}");
}

/// A temporary git repository using the hook, with git and pre-commit isolated from the
/// user's configuration and pre-commit's cache inside the temp dir.
struct Sandbox {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    pre_commit: PathBuf,
    env: Vec<(&'static str, OsString)>,
}

impl Sandbox {
    fn new(pre_commit: PathBuf) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        // No user or system git config (a global core.hooksPath makes `pre-commit install`
        // refuse; commit.gpgsign would need a key); any owner may be read (the hook repository).
        let gitconfig = dir.path().join("gitconfig");
        std::fs::write(&gitconfig, "[safe]\n\tdirectory = *\n[init]\n\tdefaultBranch = main\n").unwrap();
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("precommit-hook");
        let env = vec![
            ("GIT_CONFIG_GLOBAL", gitconfig.into_os_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("PRE_COMMIT_HOME", dir.path().join("pre-commit-cache").into_os_string()),
            ("PRE_COMMIT_COLOR", "never".into()),
            // `cargo install --path .` (how pre-commit builds a rust hook) honours these: a
            // quicker release build, and a target directory kept between runs.
            ("CARGO_TARGET_DIR", target.into_os_string()),
            ("CARGO_PROFILE_RELEASE_LTO", "false".into()),
            ("CARGO_PROFILE_RELEASE_DEBUG", "false".into()),
            ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1".into()),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16".into()),
            ("CARGO_TERM_COLOR", "never".into()),
        ];
        Sandbox { _dir: dir, repo, pre_commit, env }
    }

    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.repo).envs(self.env.iter().map(|(k, v)| (k, v)));
        for var in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "SKIP", "HYGIENE_FINGERPRINT_KEY"] {
            cmd.env_remove(var);
        }
        cmd
    }

    fn git(&self, args: &[&str]) -> Output {
        let mut cmd = self.command(Path::new("git"));
        cmd.args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"]).args(args);
        cmd.output().expect("git runs")
    }

    /// `git args`, which must succeed; its stdout.
    fn git_ok(&self, args: &[&str]) -> String {
        let out = self.git(args);
        assert!(out.status.success(), "git {args:?} failed:\n{}", text(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn pre_commit(&self, args: &[&str]) -> Output {
        self.command(&self.pre_commit).args(args).output().expect("pre-commit runs")
    }

    fn write(&self, relative: &str, contents: &str) {
        crate::write(&self.repo, relative, contents);
    }

    fn commits(&self) -> u32 {
        self.git_ok(&["rev-list", "--count", "HEAD"]).trim().parse().unwrap()
    }

    /// The hook leaves nothing in the user's repository: no report, nothing git would add.
    fn assert_clean_status(&self, expected: &str) {
        let status = self.git_ok(&["status", "--porcelain", "--untracked-files=all"]);
        assert_eq!(status, expected, "git status after the hook");
    }
}

/// The repository whose `.pre-commit-hooks.yaml` is tested, and its `HEAD` commit.
fn hook_repo(sandbox: &Sandbox) -> (PathBuf, String) {
    let repo = std::env::var_os("HYGIENE_HOOK_REPO")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let repo_arg = repo.to_str().expect("hook repository path is UTF-8");
    let out = sandbox.git(&["-C", repo_arg, "rev-parse", "--verify", "HEAD"]);
    assert!(
        out.status.success(),
        "{} is not a git checkout with a commit (the hook is built from a commit):\n{}",
        repo.display(),
        text(&out)
    );
    let rev = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let out = sandbox.git(&["-C", repo_arg, "cat-file", "-e", "HEAD:.pre-commit-hooks.yaml"]);
    assert!(
        out.status.success(),
        "HEAD ({rev}) of {} has no .pre-commit-hooks.yaml: pre-commit builds the hook from the \
         committed state, so commit it (or point HYGIENE_HOOK_REPO at a clone where it is committed)",
        repo.display()
    );
    (repo, rev)
}

#[test]
fn pre_commit_hook_end_to_end() {
    let started = Instant::now();
    let sandbox = Sandbox::new(pre_commit_exe());
    let (hook_repo, rev) = hook_repo(&sandbox);
    sandbox.git_ok(&["init", "-q"]);
    sandbox.write(
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: hygiene\n",
            hook_repo.display()
        ),
    );
    let out = sandbox.pre_commit(&["install"]);
    assert!(out.status.success(), "pre-commit install:\n{}", text(&out));
    let build = Instant::now();
    let out = sandbox.pre_commit(&["install-hooks"]);
    assert!(out.status.success(), "pre-commit could not build the hook:\n{}", text(&out));
    note(&format!("hook environment built in {:.1} s", build.elapsed().as_secs_f64()));
    sandbox.git_ok(&["add", ".pre-commit-config.yaml"]);
    sandbox.git_ok(&["commit", "-q", "-m", "pre-commit config"]);

    // Nothing staged: pre-commit skips the hook and says so; an empty commit goes through.
    let out = sandbox.pre_commit(&["run"]);
    let output = text(&out);
    assert_eq!(out.status.code(), Some(0), "{output}");
    assert!(output.contains("(no files to check)Skipped"), "{output}");
    let out = sandbox.git(&["commit", "--allow-empty", "-m", "empty"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("(no files to check)Skipped"), "{}", text(&out));

    // A staged secret blocks the commit; the output shows it masked, never in the clear.
    let token = Fakes::new(rand::random()).github("ghp_");
    let body = &token["ghp_".len()..];
    let last4 = &token[token.len() - 4..];
    // `always_run: true` makes pre-commit call the hook with no file at all: nothing is scanned
    // (not `hygiene scan`'s default scopes, where an untracked leak sits) and it says so.
    sandbox.write("docs/untracked-leak.md", &format!("GITHUB_TOKEN={token}\n"));
    let always = sandbox.repo.parent().unwrap().join("always-run.yaml");
    std::fs::write(
        &always,
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: hygiene\n        always_run: true\n        verbose: true\n",
            hook_repo.display()
        ),
    )
    .unwrap();
    let out = sandbox.pre_commit(&["run", "--config", always.to_str().unwrap()]);
    let output = text(&out);
    assert_eq!(out.status.code(), Some(0), "{output}");
    assert!(output.contains("nothing to scan"), "{output}");
    assert!(!output.contains(&format!("****{last4}")), "{output}");
    std::fs::remove_file(sandbox.repo.join("docs/untracked-leak.md")).unwrap();
    sandbox.write("docs/deploy.md", &format!("# deploy settings\nGITHUB_TOKEN={token}\n"));
    sandbox.git_ok(&["add", "docs/deploy.md"]);
    let before = sandbox.commits();
    let out = sandbox.git(&["commit", "-m", "add deploy settings"]);
    let output = text(&out);
    assert_eq!(out.status.code(), Some(1), "the commit must be blocked:\n{output}");
    assert_eq!(sandbox.commits(), before, "nothing was committed");
    assert!(output.contains("Failed") && output.contains("- exit code: 1"), "{output}");
    assert!(output.contains("docs/deploy.md:2:"), "{output}");
    assert!(output.contains("github.pat-classic"), "{output}");
    assert!(output.contains(&format!("****{last4}")), "{output}");
    assert!(!output.contains(&body[..32]), "the secret leaked into the output:\n{output}");

    // Only the files pre-commit passes are scanned: with the secret unstaged (still in docs/,
    // a default scope of `hygiene scan`) a clean file commits.
    sandbox.git_ok(&["rm", "-q", "--cached", "docs/deploy.md"]);
    sandbox.write("docs/runbook.md", "# Runbook\n\nCredentials live in the vault; see `vault kv get`.\n");
    sandbox.git_ok(&["add", "docs/runbook.md"]);
    let out = sandbox.git(&["commit", "-m", "runbook"]);
    let output = text(&out);
    assert!(out.status.success(), "a clean file must commit:\n{output}");
    assert!(output.contains("Passed"), "{output}");
    assert_eq!(sandbox.commits(), before + 1);
    sandbox.assert_clean_status("?? docs/deploy.md\n");

    // --all-files scans the whole tree: it fails while the secret is committed, passes once it
    // is gone.
    sandbox.git_ok(&["add", "docs/deploy.md"]);
    sandbox.git_ok(&["commit", "-q", "--no-verify", "-m", "leak, bypassing the hook"]);
    let out = sandbox.pre_commit(&["run", "--all-files"]);
    let output = text(&out);
    assert_eq!(out.status.code(), Some(1), "{output}");
    assert!(output.contains(&format!("docs/deploy.md:2:14  github.pat-classic  ****{last4}")), "{output}");
    assert!(!output.contains(&body[..32]), "the secret leaked into the output:\n{output}");
    sandbox.git_ok(&["rm", "-q", "docs/deploy.md"]);
    sandbox.git_ok(&["commit", "-q", "-m", "remove the leak"]);
    let out = sandbox.pre_commit(&["run", "--all-files"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    sandbox.assert_clean_status("");

    // Thousands of files: pre-commit splits them into several calls (command-line length and
    // one batch per core), and every file is scanned exactly once.
    const MANY: usize = 3000;
    let many =
        |i: usize| format!("notes/batch-{:02}/a-clean-note-with-a-rather-long-file-name-{i:05}.md", i / 100);
    for i in 0..MANY {
        sandbox.write(&many(i), &format!("Note {i}: nothing secret here.\n"));
    }
    sandbox.git_ok(&["add", "notes"]);
    let out = sandbox.pre_commit(&["run", "--verbose"]);
    let output = text(&out);
    assert_eq!(out.status.code(), Some(0), "{output}");
    let (files, calls) = scanned(&output);
    assert_eq!(files, MANY as u64, "every staged file scanned once:\n{output}");
    assert!(calls >= 2, "expected pre-commit to split {MANY} files into several calls:\n{output}");
    let out = sandbox.git(&["commit", "-q", "-m", "many notes"]);
    assert!(out.status.success(), "{}", text(&out));
    let tracked = sandbox.git_ok(&["ls-files"]).lines().count() as u64;

    // A secret in the last file of the last batch still fails the whole run.
    sandbox.write("notes/zz-last.md", &format!("GITHUB_TOKEN={token}\n"));
    sandbox.git_ok(&["add", "notes/zz-last.md"]);
    let out = sandbox.pre_commit(&["run", "--all-files", "--verbose"]);
    let output = text(&out);
    assert_eq!(out.status.code(), Some(1), "{output}");
    assert_eq!(scanned(&output).0, tracked + 1, "{output}");
    assert_eq!(output.matches(&format!("****{last4}")).count(), 1, "{output}");
    assert!(output.contains("notes/zz-last.md:1:14"), "{output}");
    assert!(!output.contains(&body[..32]), "the secret leaked into the output:\n{output}");

    note(&format!("pre-commit end to end in {:.1} s", started.elapsed().as_secs_f64()));
}
