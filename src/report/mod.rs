//! The JSON report: versioned wire types kept apart from the domain types (so internal
//! changes cannot silently change the contract with CI). It is written with [`crate::atomic::write`].
pub mod github;
pub mod human;
pub mod junit;
pub mod sarif;

use std::collections::BTreeMap;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::scan::ScanOutcome;

/// Bumped on any incompatible change to the report's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// Where the report goes, relative to the root, unless `hygiene.toml` or the caller says otherwise.
pub const DEFAULT_REPORT: &str = "reports/security/latest.json";

/// How a report is shown: `--format` of `scan` and `gate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// One line per finding and a summary.
    Human,
    /// The JSON report.
    Json,
    /// SARIF 2.1.0 (code scanning upload).
    Sarif,
    /// GitHub Actions workflow-command annotations.
    Github,
    /// JUnit XML.
    Junit,
}

impl std::str::FromStr for Format {
    type Err = String;

    /// `human`, `json`, `sarif`, `github` or `junit`.
    fn from_str(text: &str) -> Result<Format, String> {
        match text {
            "human" => Ok(Format::Human),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            "junit" => Ok(Format::Junit),
            other => Err(format!("unknown report format `{other}` (human, json, sarif, github, junit)")),
        }
    }
}

/// The report in `format`; `rules` are the rules of the scan (SARIF describes them).
pub fn render(report: &Report, format: Format, rules: &[crate::rules::Rule]) -> String {
    match format {
        Format::Json => report.to_json(),
        Format::Sarif => sarif::render(report, rules),
        Format::Github => github::render(report),
        Format::Junit => junit::render(report),
        Format::Human => {
            let mut text = Vec::new();
            human::write(report, &mut text).expect("writing to memory cannot fail");
            String::from_utf8_lossy(&text).into_owned()
        }
    }
}

/// `reports/security/latest.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that wrote it.
    pub tool: Tool,
    /// `pass` or `fail`.
    pub status: Status,
    /// RFC 3339, UTC.
    pub generated_at: String,
    /// The scan root as given.
    pub root: String,
    /// Scope globs, or the explicit paths scanned.
    pub scopes: Vec<String>,
    /// Counts.
    pub stats: Stats,
    /// Findings sorted by file, line, column, rule.
    pub findings: Vec<FindingEntry>,
    /// Files that could not be read.
    pub errors: Vec<ErrorEntry>,
    /// Files in scope skipped for a reason other than a known binary format (content that is
    /// not text, a symlink, a special file), by name. Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedEntry>,
    /// Every finding an inline allow marker covered (`file`, `line`, `rule_id`), so each
    /// honoured marker can be reviewed; their number is `stats.suppressed.inline`. Absent
    /// when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inline_allows: Vec<InlineAllowEntry>,
    /// What the scan warns about without failing: `empty_scope` (a scope that matched no
    /// file). Absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ReasonEntry>,
    /// The `.hygieneignore` files the scan met: which were honoured and what each excluded.
    /// Absent when there was none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_files: Option<IgnoreFilesSection>,
    /// The release gate's verdict (`hygiene gate` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateSection>,
}

/// The report's `ignore_files`: which ignore files were honoured, and what each excluded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IgnoreFilesSection {
    /// Which ones are honoured: `tracked` (by git), `all`, `none` or `listed`.
    pub honoured: String,
    /// Where that comes from: `default: the root is in a git repository`, `ignore_files in
    /// hygiene.toml`, ...
    pub why: String,
    /// Every ignore file met, sorted by path.
    pub files: Vec<IgnoreFileEntry>,
}

/// One `.hygieneignore` file and what it did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IgnoreFileEntry {
    /// Relative to the root, `/`-separated.
    pub path: String,
    /// Whether its patterns were applied.
    pub honoured: bool,
    /// Why not (`not tracked by git`, `not listed in ignore_files`, ...); absent when honoured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Files in scope it excluded.
    pub files_excluded: u64,
    /// Directories it pruned (nothing below them was looked at).
    pub dirs_pruned: u64,
    /// Exclusions (files and directories) by the pattern that matched, as written. Absent
    /// when none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub patterns: BTreeMap<String, u64>,
}

impl IgnoreFileEntry {
    /// One sentence for people: `docs/.hygieneignore: honoured, excluded 2 files and 1
    /// directory (`*.log` 2, `build/` 1)` or `data/a/logs/.hygieneignore: not honoured (not
    /// tracked by git)`.
    pub fn describe(&self) -> String {
        if let Some(reason) = &self.reason {
            return format!("ignore file {}: not honoured ({reason})", self.path);
        }
        let mut line = format!(
            "ignore file {}: honoured, excluded {} and {}",
            self.path,
            human::plural(self.files_excluded, "file"),
            human::plural(self.dirs_pruned, "directory")
        );
        if !self.patterns.is_empty() {
            let patterns: Vec<String> = self.patterns.iter().map(|(p, n)| format!("`{p}` {n}")).collect();
            line.push_str(&format!(" ({})", patterns.join(", ")));
        }
        line
    }
}

/// The `gate` section of the report written by `hygiene gate`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GateSection {
    /// `pass` or `fail` (also the report's `status`).
    pub verdict: Status,
    /// The day drift was computed for (YYYY-MM-DD).
    pub now: String,
    /// Every blocking reason.
    pub reasons: Vec<ReasonEntry>,
    /// What warns without blocking.
    pub warnings: Vec<String>,
    /// Findings left after allowlists and baseline, by rule.
    pub findings_by_rule: BTreeMap<String, u64>,
    /// Key names by rotation status (only statuses that occur).
    pub keys: BTreeMap<String, Vec<String>>,
    /// The full drift document (as `hygiene drift --format json`), or null without a policy.
    pub rotation: Option<serde_json::Value>,
}

/// Reason kinds that are errors (input that could not be read or trusted: exit 2) rather
/// than a verdict on what was read.
pub const ERROR_KINDS: &[&str] = &["scan_error", "rotation_error", "empty_scope"];

/// One blocking reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReasonEntry {
    /// `findings`, `scan_error`, `rotation`, `rotation_error`, `no_policy`.
    pub kind: String,
    /// A sentence for people.
    pub message: String,
}

/// Name and version of the tool.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    /// `hygiene`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// The verdict.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing found, everything read.
    Pass,
    /// A finding, or a file that could not be read.
    Fail,
}

/// Scan counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Stats {
    /// Files scanned.
    pub files_scanned: u64,
    /// Files skipped, by reason (`binary`, `image`, `symlink`, ...).
    pub files_skipped: BTreeMap<String, u64>,
    /// Bytes scanned (after decompression).
    pub bytes_scanned: u64,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Rules loaded.
    pub rules: usize,
    /// Findings accepted and left out, by why: `inline`, `allowlist`, `baseline`.
    #[serde(default)]
    pub suppressed: BTreeMap<String, u64>,
    /// Findings past `--max-findings-per-file`, counted but not listed, by file. Absent when
    /// none; when present the status is `fail`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub not_listed: BTreeMap<String, u64>,
}

/// One finding on the wire.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FindingEntry {
    /// Rule id.
    pub rule_id: String,
    /// Rule description.
    pub description: String,
    /// `critical`, `high`, `medium` or `low`.
    pub severity: String,
    /// Relative to the root, `/`-separated.
    pub file: String,
    /// 1-based.
    pub line: u64,
    /// 1-based, in characters.
    pub column: u64,
    /// 1-based line where the secret ends.
    pub end_line: u64,
    /// `****` + last 4 characters.
    pub masked: String,
    /// Keyed fingerprint (see README).
    pub fingerprint: String,
    /// How the secret was encoded (`base64`, `percent`, `json`, `hex`) when it was found by
    /// decoding; absent for a secret found as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded: Option<String>,
}

/// A finding an inline allow marker covered.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InlineAllowEntry {
    /// Relative to the root, `/`-separated.
    pub file: String,
    /// 1-based line of the finding.
    pub line: u64,
    /// The rule that found it.
    pub rule_id: String,
}

/// A file that could not be scanned.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorEntry {
    /// The path.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// A file in scope that was not scanned, though it has no known binary format.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SkippedEntry {
    /// The path.
    pub path: String,
    /// Why: `binary` (not text), `symlink`, ...
    pub reason: String,
}

impl ReasonEntry {
    /// Whether this reason is an error (see [`ERROR_KINDS`]).
    pub fn is_error(&self) -> bool {
        ERROR_KINDS.contains(&self.kind.as_str())
    }
}

impl Report {
    /// Every reason the report is a fail, as the CI formats show them: the gate's reasons when
    /// `hygiene gate` wrote it, else the scan's own (`findings`, and one `scan_error` per file
    /// that could not be read). Empty on a pass.
    pub fn blocking_reasons(&self) -> Vec<ReasonEntry> {
        if let Some(gate) = &self.gate {
            return gate.reasons.clone();
        }
        let mut reasons = Vec::new();
        let not_listed: u64 = self.stats.not_listed.values().sum();
        if !self.findings.is_empty() || not_listed > 0 {
            reasons.push(ReasonEntry {
                kind: "findings".into(),
                message: format!("{} secret(s) found", self.findings.len() as u64 + not_listed),
            });
        }
        for e in &self.errors {
            reasons.push(ReasonEntry {
                kind: "scan_error".into(),
                message: format!("{}: {}", e.path, e.message),
            });
        }
        reasons
    }

    /// The blocking reasons the CI formats cannot show finding by finding or file by file:
    /// everything but `findings` and `scan_error` (rotation, rotation errors, ...).
    pub fn other_reasons(&self) -> Vec<ReasonEntry> {
        self.blocking_reasons()
            .into_iter()
            .filter(|r| r.kind != "findings" && r.kind != "scan_error")
            .collect()
    }

    /// The summary line the CI formats close with: the scan's summary, prefixed with the
    /// gate's verdict when `hygiene gate` wrote the report.
    pub fn verdict_line(&self) -> String {
        let summary = human::summary(self);
        let counts = summary.split_once(": ").map_or(summary.as_str(), |(_, rest)| rest);
        match &self.gate {
            Some(gate) if gate.verdict == Status::Fail => {
                format!("gate: FAIL ({} reason(s)); {counts}", gate.reasons.len())
            }
            Some(_) => format!("gate: PASS; {counts}"),
            None => summary,
        }
    }

    /// Builds the report of a scan; `generated_at` is passed in (the library reads no clock).
    pub fn from_scan(outcome: &ScanOutcome, root: &str, scopes: Vec<String>, generated_at: String) -> Report {
        let mut findings: Vec<FindingEntry> = outcome
            .findings
            .iter()
            .map(|f| FindingEntry {
                rule_id: f.rule_id.clone(),
                description: f.description.clone(),
                severity: f.severity.as_str().to_string(),
                file: f.file.clone(),
                line: f.line,
                column: f.column,
                end_line: f.end_line,
                masked: f.masked.clone(),
                fingerprint: f.fingerprint.clone(),
                decoded: f.decoded.map(|e| e.as_str().to_string()),
            })
            .collect();
        findings.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.rule_id).cmp(&(&b.file, b.line, b.column, &b.rule_id))
        });
        let mut errors: Vec<ErrorEntry> = outcome
            .errors
            .iter()
            .map(|e| ErrorEntry { path: e.path.clone(), message: e.message.clone() })
            .collect();
        errors.sort_by(|a, b| a.path.cmp(&b.path));
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool { name: "hygiene".into(), version: env!("CARGO_PKG_VERSION").into() },
            status: if outcome.passed() { Status::Pass } else { Status::Fail },
            generated_at,
            root: root.to_string(),
            scopes,
            stats: Stats {
                files_scanned: outcome.stats.files_scanned,
                files_skipped: outcome.stats.files_skipped.clone(),
                bytes_scanned: outcome.stats.bytes_scanned,
                duration_ms: outcome.stats.duration.as_millis() as u64,
                rules: outcome.stats.rules,
                suppressed: outcome.stats.suppressed.clone(),
                not_listed: outcome.stats.not_listed.clone(),
            },
            findings,
            errors,
            skipped: outcome
                .skipped
                .iter()
                .map(|s| SkippedEntry { path: s.path.clone(), reason: s.reason.clone() })
                .collect(),
            inline_allows: {
                let mut allows: Vec<InlineAllowEntry> = outcome
                    .inline_allows
                    .iter()
                    .map(|a| InlineAllowEntry {
                        file: a.file.clone(),
                        line: a.line,
                        rule_id: a.rule_id.clone(),
                    })
                    .collect();
                allows.sort_by(|a, b| (&a.file, a.line, &a.rule_id).cmp(&(&b.file, b.line, &b.rule_id)));
                allows
            },
            warnings: outcome
                .empty_scopes
                .iter()
                .map(|scope| ReasonEntry {
                    kind: "empty_scope".into(),
                    message: format!("scope `{scope}` matched no file"),
                })
                .collect(),
            ignore_files: (!outcome.ignore_files.files.is_empty()).then(|| IgnoreFilesSection {
                honoured: outcome.ignore_files.mode.clone(),
                why: outcome.ignore_files.why.clone(),
                files: outcome
                    .ignore_files
                    .files
                    .iter()
                    .map(|f| IgnoreFileEntry {
                        path: f.path.clone(),
                        honoured: f.not_honoured.is_none(),
                        reason: f.not_honoured.clone(),
                        files_excluded: f.files_excluded,
                        dirs_pruned: f.dirs_pruned,
                        patterns: f.patterns.clone(),
                    })
                    .collect(),
            }),
            gate: None,
        }
    }

    /// The ignore files in the report (none when it has no `ignore_files`).
    pub fn ignore_file_entries(&self) -> &[IgnoreFileEntry] {
        self.ignore_files.as_ref().map_or(&[], |s| s.files.as_slice())
    }

    /// Reads a report `hygiene scan` or `hygiene gate` wrote (schema version 1) through its
    /// serde types.
    pub fn read(path: &Path) -> Result<Report, crate::Error> {
        let bad = |message: String| crate::Error::NotAReport { path: path.to_path_buf(), message };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| bad(format!("not a scan report: {e}")))?;
        if value["schema_version"] != SCHEMA_VERSION {
            return Err(bad(format!("not a version {SCHEMA_VERSION} scan report")));
        }
        serde_json::from_value(value).map_err(|e| bad(format!("not a scan report: {e}")))
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("report serializes");
        text.push('\n');
        text
    }
}

/// Where the report is written. `flag` (`--report`, given on the command line) is taken as
/// is, wherever it points. Otherwise the configured path (`report` in `hygiene.toml`) or
/// [`DEFAULT_REPORT`], relative to `root`, must stay inside the root once
/// `..` and symbolic links (of the file or of any directory on the way) are resolved: a
/// repository's own files must not make the tool write elsewhere. A configured path that is
/// absolute or holds a `..` is refused as it stands.
pub fn report_path(
    root: &Path,
    flag: Option<&Path>,
    configured: Option<&Path>,
) -> Result<PathBuf, crate::Error> {
    if let Some(path) = flag {
        return Ok(path.to_path_buf());
    }
    let relative = configured.unwrap_or(Path::new(DEFAULT_REPORT));
    let path = root.join(relative);
    if relative.is_absolute() || relative.components().any(|c| c == std::path::Component::ParentDir) {
        return Err(crate::Error::ReportOutsideRoot { path: relative.to_path_buf(), resolved: path });
    }
    let resolved = resolve(&path).map_err(|source| crate::Error::Io { path: path.clone(), source })?;
    let real_root =
        root.canonicalize().map_err(|source| crate::Error::Io { path: root.to_path_buf(), source })?;
    if !resolved.starts_with(&real_root) {
        return Err(crate::Error::ReportOutsideRoot { path: relative.to_path_buf(), resolved });
    }
    Ok(path)
}

/// `path` with every symlink resolved, also where the file or some directories do not exist
/// yet (the missing part is taken lexically).
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    let real = crate::atomic::real_path(path)?;
    let mut existing = real.as_path();
    let mut missing: Vec<std::ffi::OsString> = Vec::new();
    while std::fs::symlink_metadata(existing).is_err() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                missing.push(name.to_os_string());
                existing = parent;
            }
            // `..` at the end or an empty path: resolve what is there lexically below.
            _ => break,
        }
    }
    let base = if existing.as_os_str().is_empty() { Path::new(".") } else { existing };
    let mut out = base.canonicalize()?;
    for part in missing.iter().rev() {
        if part == ".." {
            out.pop();
        } else if part != "." {
            out.push(part);
        }
    }
    // A `..` that `file_name` could not take apart.
    if existing.ends_with("..") {
        out = out.components().collect();
    }
    Ok(out)
}
