//! One run of `hygiene scan`, `hygiene gate` or `hygiene baseline`, decided here for every
//! front end (the CLI, the Python package): scope precedence, the report path, the baseline,
//! suppression, forbidden files, sorting, the gate's rotation assembly and leak attribution.
//! A front end fills a [`ScanRequest`] (or a [`GateRequest`]), calls `run` and shows what
//! comes back; the report has already been written, atomically.
//!
//! The library reads no environment and no clock on its own: what a run needs from the
//! process comes in a [`Context`] ([`Context::from_process`] reads what the CLI reads).
//!
//! The same scan as `hygiene scan ROOT --include-logs` (this example is also in the README's
//! "Library" section; a test keeps the two the same):
//!
//! ```
//! use secrets_hygiene::report::Format;
//! use secrets_hygiene::run::{Context, ExitStatus, ScanRequest};
//!
//! let root = tempfile::tempdir()?;
//! std::fs::create_dir_all(root.path().join("docs"))?;
//! // Built at run time so this file holds no token-shaped literal.
//! let token = format!("{}{}", "ghp_", "R7nKq2Vb9XzL4mWc8TfY1pHs5JdA3u2O133K");
//! std::fs::write(root.path().join("docs/runbook.md"), format!("GITHUB_TOKEN={token}\n"))?;
//!
//! let request = ScanRequest { include_logs: true, ..ScanRequest::new(root.path()) };
//! let ctx = Context { fingerprint_key: Some("example-key".into()), ..Context::from_process() };
//! let run = request.run(&ctx, &|_bytes_scanned| {})?;
//!
//! assert_eq!(run.exit_status(), ExitStatus::Fail);
//! assert_eq!(run.report.findings[0].rule_id, "github.pat-classic");
//! assert_eq!(run.report.findings[0].masked, "****133K");
//! assert!(root.path().join("reports/security/latest.json").exists());
//! assert!(run.render(Format::Human).contains("docs/runbook.md:1:14  github.pat-classic"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::allow::Allowlist;
use crate::baseline::{Baseline, BASELINE_FILE, GITATTRIBUTES_LINE};
use crate::config::Config;
use crate::detect::Detector;
use crate::findings::Finding;
use crate::fingerprint::{Fingerprinter, KeySource, KeyStore, LEGACY_KEY_FILE};
use crate::forbidden::ForbiddenFiles;
use crate::gate::{self, KnownValue, Rotation, Verdict};
use crate::ignore_files::{IgnorePolicy, Ignores};
use crate::report::{self, Format, Report};
use crate::rotation::leaks::{self, Sighting};
use crate::rotation::{self, drift, RotationError};
use crate::rules::RuleSet;
use crate::scan::{self, Keep, ScanOutcome};
use crate::walk::{Targets, WalkPlan, DEFAULT_SCOPES, LOG_SCOPE};
use crate::Error;

/// Findings listed per file unless a request says otherwise (`--max-findings-per-file`).
pub const DEFAULT_MAX_FINDINGS_PER_FILE: usize = 1000;

/// How a run ended, as an exit code: 0 pass, 1 fail, 2 error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing found.
    Pass,
    /// Findings, or a check that failed.
    Fail,
    /// The command could not do its job.
    Error,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Pass => 0,
            ExitStatus::Fail => 1,
            ExitStatus::Error => 2,
        }
    }
}

/// What a run takes from the process it runs in.
#[derive(Clone)]
pub struct Context {
    /// A fingerprint key given by the caller (`HYGIENE_FINGERPRINT_KEY`); it wins over stored keys.
    pub fingerprint_key: Option<String>,
    /// The user's configuration directory for hygiene, where fingerprint keys are stored
    /// (outside the scanned tree); `None`: no key is stored, fingerprints are one-off.
    pub config_dir: Option<PathBuf>,
    /// CPU cores to size the worker pool by.
    pub cores: usize,
    /// The clock: stamps the report (`generated_at`) and gives the gate's default day.
    pub clock: fn() -> jiff::Timestamp,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("fingerprint_key", &self.fingerprint_key.as_ref().map(|_| "<hidden>"))
            .field("config_dir", &self.config_dir)
            .field("cores", &self.cores)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// What the `hygiene` binary runs with: `HYGIENE_FINGERPRINT_KEY`, the user's config
    /// directory (`$XDG_CONFIG_HOME/hygiene` when set to an absolute path, else
    /// `$HOME/.config/hygiene`), the available cores and the system clock. The one place a run's
    /// environment is read.
    pub fn from_process() -> Context {
        let xdg = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
        let base = xdg.or_else(|| {
            std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".config"))
        });
        Context {
            fingerprint_key: std::env::var("HYGIENE_FINGERPRINT_KEY").ok(),
            config_dir: base.map(|b| b.join("hygiene")),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            clock: jiff::Timestamp::now,
        }
    }

    /// Today in UTC by [`Context::clock`].
    pub fn today_utc(&self) -> Date {
        (self.clock)().to_zoned(jiff::tz::TimeZone::UTC).date()
    }
}

/// Where a run writes its JSON report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ReportTarget {
    /// `report` in `hygiene.toml`, else `ROOT/reports/security/latest.json`; it must stay
    /// inside the root (see [`report::report_path`]).
    #[default]
    Default,
    /// This path, wherever it points (`--report PATH`).
    Path(PathBuf),
    /// No report file (`--no-report`).
    None,
}

/// What to scan and how: the inputs of `hygiene scan`, without any CLI type.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// A root directory, or files to scan exactly (what pre-commit passes). One directory and
    /// no [`ScanRequest::root`]: that directory is the root.
    pub paths: Vec<PathBuf>,
    /// The root for report paths and `hygiene.toml` (default `.`).
    pub root: Option<PathBuf>,
    /// [`ScanRequest::paths`] are files, never a root; none at all means nothing to scan.
    pub files: bool,
    /// Scan the files staged in git, as staged (the index, not the working tree).
    pub staged: bool,
    /// Also scan service logs (`data/*/logs/**`).
    pub include_logs: bool,
    /// Scope globs replacing `hygiene.toml`'s and the default ones.
    pub scopes: Vec<String>,
    /// Globs to leave out, added to `hygiene.toml`'s.
    pub exclude: Vec<String>,
    /// Rule-pack directories added to the built-in packs (and `hygiene.toml`'s).
    pub rules: Vec<PathBuf>,
    /// Follow symbolic links.
    pub follow_links: bool,
    /// Worker threads (`None`: one per core; at most [`scan::MAX_THREADS_PER_CORE`] per core).
    pub threads: Option<usize>,
    /// Most findings listed per file (0: no limit); the rest are counted and still fail.
    pub max_findings_per_file: usize,
    /// The baseline file (default `ROOT/.hygiene-baseline.json` when it exists).
    pub baseline: Option<PathBuf>,
    /// Report every finding, ignoring the baseline.
    pub no_baseline: bool,
    /// Where the JSON report goes.
    pub report: ReportTarget,
}

impl Default for ScanRequest {
    fn default() -> Self {
        ScanRequest {
            paths: Vec::new(),
            root: None,
            files: false,
            staged: false,
            include_logs: false,
            scopes: Vec::new(),
            exclude: Vec::new(),
            rules: Vec::new(),
            follow_links: false,
            threads: None,
            max_findings_per_file: DEFAULT_MAX_FINDINGS_PER_FILE,
            baseline: None,
            no_baseline: false,
            report: ReportTarget::Default,
        }
    }
}

/// What a scan is for: `scan`/`gate` apply the baseline and the per-file limit; `baseline
/// create|prune` must see every finding.
#[derive(Debug, Clone, Copy)]
struct Purpose {
    use_baseline: bool,
    writes_report: bool,
}

/// A finished scan: the report (already written unless [`ReportTarget::None`]) and
/// everything the commands built on it need.
#[derive(Debug)]
pub struct ScanRun {
    /// The scan root.
    pub root: PathBuf,
    /// `hygiene.toml` as loaded (the default when there is none).
    pub config: Config,
    /// Its text, when the file exists.
    pub config_text: Option<String>,
    /// The detector the scan used (its rules name the findings).
    pub detector: Detector,
    /// What the scan found, accepted findings already left out, sorted.
    pub outcome: ScanOutcome,
    /// The scopes the report names: the scope globs, or the files given.
    pub scopes: Vec<String>,
    /// Where the report is (or would be) written.
    pub report_path: PathBuf,
    /// The key the findings' fingerprints were made with.
    pub fingerprinter: Fingerprinter,
    /// The report of this run.
    pub report: Report,
    /// Warnings for the user (an ephemeral fingerprint key, a capped thread count), in order.
    pub warnings: Vec<String>,
}

impl ScanRequest {
    /// A request to scan the repository at `root` as `hygiene scan ROOT` does.
    pub fn new(root: impl Into<PathBuf>) -> ScanRequest {
        ScanRequest { root: Some(root.into()), ..ScanRequest::default() }
    }

    /// Files were asked for (`--files`) and none given: there is nothing to scan, and that is
    /// a pass (pre-commit with `always_run`).
    pub fn nothing_to_scan(&self) -> bool {
        self.files && self.paths.is_empty()
    }

    /// Runs `hygiene scan`: scans, leaves out accepted findings (inline markers, allowlist,
    /// baseline), adds forbidden files, sorts, builds the report and writes it atomically to
    /// [`ScanRequest::report`]. `progress` is called with the bytes of each file scanned.
    pub fn run(&self, ctx: &Context, progress: &(dyn Fn(u64) + Sync)) -> Result<ScanRun, Error> {
        let run =
            self.scan(ctx, Purpose { use_baseline: true, writes_report: self.writes_report() }, progress)?;
        if self.writes_report() {
            crate::atomic::write(&run.report_path, run.report.to_json().as_bytes())?;
        }
        Ok(run)
    }

    fn writes_report(&self) -> bool {
        self.report != ReportTarget::None
    }

    fn report_flag(&self) -> Option<&Path> {
        match &self.report {
            ReportTarget::Path(path) => Some(path),
            ReportTarget::Default | ReportTarget::None => None,
        }
    }

    /// The root and, when files were given, the files.
    fn root_and_files(&self) -> (PathBuf, Option<Vec<PathBuf>>) {
        let given_root = || self.root.clone().unwrap_or_else(|| PathBuf::from("."));
        match self.paths.as_slice() {
            paths if self.files => (given_root(), Some(paths.to_vec())),
            [] => (given_root(), None),
            [one] if one.is_dir() && self.root.is_none() => (one.clone(), None),
            paths => (given_root(), Some(paths.to_vec())),
        }
    }

    /// Resolves the request and `hygiene.toml` into a walk plan, scans, applies the allowlist
    /// and (for [`Purpose::use_baseline`]) the baseline.
    fn scan(
        &self,
        ctx: &Context,
        purpose: Purpose,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<ScanRun, Error> {
        let (root, explicit_files) = self.root_and_files();
        if !root.is_dir() {
            return Err(Error::MissingPath(root));
        }
        let (config, config_text) = Config::read(&root)?;
        let allowlist = Allowlist::new(&config.allow)?;

        // Scopes the user chose must each match a file; the default ones only together.
        let explicit_scopes = !self.scopes.is_empty() || config.scopes.is_some();
        let (targets, scopes_label) = match explicit_files {
            Some(files) => {
                let label = files.iter().map(|f| f.display().to_string()).collect();
                (Targets::Paths(files), label)
            }
            None => {
                let scopes = scopes(&self.scopes, &config, self.include_logs);
                (Targets::Scopes(scopes.clone()), scopes)
            }
        };

        // Checked only when it will be written; otherwise it is only a file not to scan.
        let report_path = match report::report_path(&root, self.report_flag(), config.report.as_deref()) {
            Ok(path) => path,
            Err(e) if purpose.writes_report => return Err(e),
            Err(_) => root.join(config.report.as_deref().unwrap_or(Path::new(report::DEFAULT_REPORT))),
        };

        let mut rule_dirs: Vec<PathBuf> = config.rules.iter().map(|d| root.join(d)).collect();
        rule_dirs.extend(self.rules.iter().cloned());
        let detector = Detector::new(RuleSet::load(&rule_dirs)?)?;

        let mut warnings = Vec::new();
        // The key is stored (outside the tree) only by runs that write a report or a baseline.
        let store = KeyStore {
            config_dir: ctx.config_dir.as_deref(),
            create: purpose.writes_report || !purpose.use_baseline,
        };
        let (fingerprinter, key_source) = Fingerprinter::resolve(ctx.fingerprint_key.clone(), &root, store);
        if key_source == KeySource::Ephemeral && store.create {
            warnings.push("cannot store a fingerprint key in the user's config directory ($XDG_CONFIG_HOME/hygiene or ~/.config/hygiene); fingerprints of this run are one-off (set HYGIENE_FINGERPRINT_KEY)".to_string());
        }

        let baseline_path = if self.no_baseline || !purpose.use_baseline {
            None
        } else {
            match &self.baseline {
                Some(path) => Some(path.clone()),
                None => Some(root.join(BASELINE_FILE)).filter(|p| p.exists()),
            }
        };
        let baseline = match &baseline_path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| Error::Io { path: path.clone(), source })?;
                Some(Baseline::parse(&path.display().to_string(), &text)?)
            }
            None => None,
        };

        let mut exclude = config.exclude.clone();
        exclude.extend(self.exclude.iter().cloned());
        let plan = WalkPlan {
            root: root.clone(),
            targets,
            exclude,
            follow_links: self.follow_links,
            // Even with no report: an earlier run's report is output, not input; nor is a
            // fingerprint key an earlier version kept in the tree.
            never_scan: vec![report_path.clone(), root.join(LEGACY_KEY_FILE)],
            ignore_files: IgnorePolicy::resolve(&root, config.ignore_files.as_ref())?,
        };

        let (threads, capped) = scan::worker_threads(self.threads, ctx.cores);
        if capped {
            warnings.push(format!(
                "--threads {} is more than {} per core: using {threads} ({} cores)",
                self.threads.unwrap_or(0),
                scan::MAX_THREADS_PER_CORE,
                ctx.cores
            ));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Threads(format!("cannot start worker threads: {e}")))?;
        // Accepted findings are dropped as they are found, before the per-file limit counts them.
        let suppress = |f: &Finding| {
            if allowlist.allows(f) {
                Some("allowlist")
            } else if baseline.as_ref().is_some_and(|b| b.contains(f)) {
                Some("baseline")
            } else {
                None
            }
        };
        // Without the baseline (`baseline create|prune`) every finding must be seen.
        let max_per_file = if purpose.use_baseline { self.max_findings_per_file } else { 0 };
        let keep =
            Keep { suppress: &suppress, max_per_file, suppress_reads_fingerprints: baseline.is_some() };
        let mut outcome = if self.staged {
            let mut ignores = Ignores::new(&plan.ignore_files);
            let blobs = staged_blobs(&root, &crate::walk::glob_set(&plan.exclude)?, &mut ignores)?;
            let mut outcome = pool.install(|| scan::scan_blobs(&detector, &fingerprinter, &keep, blobs));
            outcome.ignore_files = ignores.summary();
            outcome
        } else {
            pool.install(|| scan::scan(&detector, &fingerprinter, &plan, &keep, progress))?
        };
        let forbidden = ForbiddenFiles::new(&config.forbidden)?;
        // A forbidden file's content is read only to tell a template without values from a real
        // file; staged blobs are judged by their path (the working tree may differ).
        let read_template = |path: &str| {
            let path = root.join(path);
            let small =
                std::fs::metadata(&path).is_ok_and(|m| m.len() <= crate::forbidden::MAX_TEMPLATE_BYTES);
            (!self.staged && small).then(|| std::fs::read(&path).ok()).flatten()
        };
        let forbidden_findings = forbidden.findings(&outcome.files, &fingerprinter, &read_template);
        outcome.add_findings(forbidden_findings, &keep);
        outcome.findings.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        outcome.empty_scopes = crate::walk::empty_scopes(&outcome.scope_matches, explicit_scopes);

        let generated_at = (ctx.clock)().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let report =
            Report::from_scan(&outcome, &root.display().to_string(), scopes_label.clone(), generated_at);
        Ok(ScanRun {
            root,
            config,
            config_text,
            detector,
            outcome,
            scopes: scopes_label,
            report_path,
            fingerprinter,
            report,
            warnings,
        })
    }

    /// `hygiene baseline create`: scans without the baseline or any per-file limit and writes
    /// a baseline accepting every finding (to [`ScanRequest::baseline`], default
    /// `ROOT/.hygiene-baseline.json`), and the union-merge line to `ROOT/.gitattributes`.
    /// Refused when a file could not be read. Returns where it went and how many it accepts.
    pub fn create_baseline(&self, ctx: &Context) -> Result<(PathBuf, usize), Error> {
        let run = self.scan_everything(ctx)?;
        if !run.outcome.errors.is_empty() {
            // A baseline made from a partial scan would hide nothing now and fail later.
            return Err(Error::PartialScan(format!(
                "{} file(s) could not be read; fix that before creating a baseline",
                run.outcome.errors.len()
            )));
        }
        let baseline = Baseline::from_findings(&run.outcome.findings);
        let path = self.baseline.clone().unwrap_or_else(|| run.root.join(BASELINE_FILE));
        crate::atomic::write(&path, baseline.render().as_bytes())?;
        ensure_union_merge(&run.root)?;
        Ok((path, baseline.len()))
    }

    /// `hygiene baseline prune`: drops the baseline entries whose finding no longer occurs.
    /// Refused when a file could not be read. Returns the baseline's path, entries dropped and
    /// entries kept.
    pub fn prune_baseline(&self, ctx: &Context) -> Result<(PathBuf, usize, usize), Error> {
        let path = self.baseline.clone().unwrap_or_else(|| {
            self.paths
                .first()
                .filter(|p| p.is_dir())
                .cloned()
                .unwrap_or_else(|| ".".into())
                .join(BASELINE_FILE)
        });
        let text =
            std::fs::read_to_string(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
        let mut baseline = Baseline::parse(&path.display().to_string(), &text)?;
        let run = self.scan_everything(ctx)?;
        if !run.outcome.errors.is_empty() {
            return Err(Error::PartialScan(format!(
                "{} file(s) could not be read; not pruning from a partial scan",
                run.outcome.errors.len()
            )));
        }
        let dropped = baseline.prune(&run.outcome.findings);
        crate::atomic::write(&path, baseline.render().as_bytes())?;
        Ok((path, dropped, baseline.len()))
    }

    /// Every finding: no baseline, no per-file limit, no report.
    fn scan_everything(&self, ctx: &Context) -> Result<ScanRun, Error> {
        let request = ScanRequest { report: ReportTarget::None, ..self.clone() };
        request.scan(ctx, Purpose { use_baseline: false, writes_report: false }, &|_| {})
    }
}

/// The scopes of a scan of a whole root: the request's, else `hygiene.toml`'s, else
/// [`DEFAULT_SCOPES`]; plus [`LOG_SCOPE`] when logs are included (by the request or the config).
pub fn scopes(requested: &[String], config: &Config, include_logs: bool) -> Vec<String> {
    let mut scopes: Vec<String> = if !requested.is_empty() {
        requested.to_vec()
    } else if let Some(scopes) = &config.scopes {
        scopes.clone()
    } else {
        DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect()
    };
    if (include_logs || config.include_logs) && !scopes.iter().any(|s| s == LOG_SCOPE) {
        scopes.push(LOG_SCOPE.to_string());
    }
    scopes
}

impl ScanRun {
    /// Pass when the scan found nothing and read everything, else fail.
    pub fn exit_status(&self) -> ExitStatus {
        if self.outcome.passed() {
            ExitStatus::Pass
        } else {
            ExitStatus::Fail
        }
    }

    /// The report in `format`.
    pub fn render(&self, format: Format) -> String {
        report::render(&self.report, format, self.detector.rules())
    }
}

/// The staged content of every added, copied, modified or renamed file (`git diff --cached`),
/// read from the index with `git cat-file`, minus excluded paths.
fn staged_blobs(
    root: &Path,
    exclude: &globset::GlobSet,
    ignores: &mut Ignores<'_>,
) -> Result<Vec<scan::Blob>, Error> {
    let git = |args: &[&str]| -> Result<Vec<u8>, Error> {
        let out = std::process::Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .map_err(|e| Error::Staged(format!("cannot run git: {e}")))?;
        if !out.status.success() {
            return Err(Error::Staged(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(out.stdout)
    };
    let names = git(&["diff", "--cached", "--name-only", "--diff-filter=ACMR", "-z"])?;
    let mut blobs = Vec::new();
    for name in names.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let display = String::from_utf8_lossy(name).into_owned();
        // `.hygieneignore` as found in the working tree (honoured when in the index, by
        // default), as for files passed by name.
        let ignored = ignores.excludes_by_name(&root.join(&display)).map_err(Error::Staged)?;
        if ignored || exclude.is_match(&display) {
            continue;
        }
        let bytes = git(&["cat-file", "blob", &format!(":{display}")])?;
        blobs.push(scan::Blob { display, bytes });
    }
    Ok(blobs)
}

/// Adds the union-merge attribute for the baseline to ROOT/.gitattributes once.
fn ensure_union_merge(root: &Path) -> Result<(), Error> {
    let path = root.join(".gitattributes");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(Error::Io { path, source }),
    };
    if existing.lines().any(|l| l.trim() == GITATTRIBUTES_LINE) {
        return Ok(());
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(GITATTRIBUTES_LINE);
    text.push('\n');
    crate::atomic::write(&path, text.as_bytes())
}

/// What to check for the release gate: the inputs of `hygiene gate`, without any CLI type.
#[derive(Debug, Clone, Default)]
pub struct GateRequest {
    /// What to scan.
    pub scan: ScanRequest,
    /// The markdown file with the rotation policy table (default: `[rotation] policy_file`).
    pub policy: Option<PathBuf>,
    /// The rotation log (default: `[rotation] log`, else `reports/security/rotation-log.jsonl`).
    pub log: Option<PathBuf>,
    /// The day to check drift for (default: today in UTC by [`Context::clock`]).
    pub today: Option<Date>,
    /// Current credential values (compared by keyed fingerprint, never stored or shown), to
    /// attribute a leak of one to its key; see [`gate::known_values`].
    pub known_values: Vec<KnownValue>,
    /// A scope that matches no file only warns (also `[gate] allow_empty_scope`).
    pub allow_empty_scope: bool,
}

/// A finished gate run: the scan, the rotation drift, the verdict, and the report (with its
/// `gate` section, already written unless [`ReportTarget::None`]) in [`ScanRun::report`].
#[derive(Debug)]
pub struct GateRun {
    /// The scan; its report carries the gate's status and section.
    pub scan: ScanRun,
    /// What the rotation check produced.
    pub rotation: Rotation,
    /// The verdict with every reason and warning.
    pub verdict: Verdict,
    /// The day drift was computed for.
    pub today: Date,
}

impl GateRequest {
    /// Runs `hygiene gate`: the scan, then the rotation policy and log (leaks attributed to
    /// their keys), the verdict, and the report with its `gate` section, written atomically.
    pub fn run(&self, ctx: &Context, progress: &(dyn Fn(u64) + Sync)) -> Result<GateRun, Error> {
        let today = self.today.unwrap_or_else(|| ctx.today_utc());
        let writes_report = self.scan.writes_report();
        let mut run = self.scan.scan(ctx, Purpose { use_baseline: true, writes_report }, progress)?;
        let rotation = self.rotation(&run, today);
        let mut gate_config = run.config.gate.clone();
        gate_config.allow_empty_scope |= self.allow_empty_scope;
        let verdict = gate::evaluate(&run.outcome, &rotation, &gate_config);
        run.report.status = if verdict.pass { report::Status::Pass } else { report::Status::Fail };
        run.report.gate = Some(gate::section(&verdict, &run.outcome, &rotation, today));
        if writes_report {
            crate::atomic::write(&run.report_path, run.report.to_json().as_bytes())?;
        }
        Ok(GateRun { scan: run, rotation, verdict, today })
    }

    /// The policy and log of the scanned root, and every key's drift with the scan's leaks.
    /// Fails closed: a policy or log that cannot be read is [`Rotation::Failed`].
    fn rotation(&self, run: &ScanRun, today: Date) -> Rotation {
        let config = &run.config.rotation;
        let policy = match rotation::load_policy(
            &run.root,
            config,
            self.policy.as_deref(),
            run.config_text.as_deref(),
        ) {
            Err(RotationError::NoPolicy) => return Rotation::NotConfigured,
            Err(e) => return Rotation::Failed(diagnostic_text(&e)),
            Ok(policy) => policy,
        };
        let log = match rotation::read_log(&run.root, config, self.log.as_deref()) {
            Err(e) => return Rotation::Failed(diagnostic_text(&e)),
            Ok(log) => log,
        };
        let leaks = leaks::attribute_leaks(
            run.outcome.findings.iter().map(Sighting::from),
            &policy,
            Some((&self.known_values, &run.fingerprinter)),
            run.detector.rule_set(),
        );
        let rows = drift::compute(&policy, &log.entries, &leaks, today, config.reminders());
        let unknown_log_names =
            drift::unknown_log_names(&policy, &log.entries).into_iter().map(str::to_string).collect();
        let mut warnings = Vec::new();
        if log.missing_default {
            warnings.push(format!(
                "no rotation log at {}: keys without a Next Rotation date are never_rotated",
                log.path.display()
            ));
        }
        Rotation::Drift { rows, unknown_log_names, warnings }
    }
}

impl GateRun {
    /// Pass; fail on a blocking reason; error when a reason is an error (unreadable input).
    pub fn exit_status(&self) -> ExitStatus {
        match (self.verdict.pass, self.verdict.errored) {
            (true, _) => ExitStatus::Pass,
            (false, false) => ExitStatus::Fail,
            (false, true) => ExitStatus::Error,
        }
    }

    /// The report in `format`; the human format adds the rotation table, the warnings and the
    /// verdict with every reason.
    pub fn render(&self, format: Format) -> String {
        let mut text = self.scan.render(format);
        if format == Format::Human {
            if let Rotation::Drift { rows, unknown_log_names, .. } = &self.rotation {
                let names: Vec<&str> = unknown_log_names.iter().map(String::as_str).collect();
                text.push('\n');
                text.push_str(&rotation::render::human(rows, self.today, &names));
            }
            text.push('\n');
            for warning in &self.verdict.warnings {
                text.push_str(&format!("warning: {warning}\n"));
            }
            if self.verdict.pass {
                text.push_str("gate: PASS\n");
            } else {
                text.push_str(&format!("gate: FAIL ({} reason(s))\n", self.verdict.reasons.len()));
                for reason in &self.verdict.reasons {
                    text.push_str(&format!("  - [{}] {}\n", reason.kind, reason.message));
                }
            }
        }
        text
    }
}

/// A diagnostic as plain text (no colour), secrets masked, for the report's reasons.
pub fn diagnostic_text(diagnostic: &dyn miette::Diagnostic) -> String {
    let report = crate::redact::diagnostic::redacted(diagnostic);
    let diagnostic: &dyn miette::Diagnostic = report.as_ref();
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor()).with_width(100);
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = diagnostic.to_string();
    }
    out.trim().to_string()
}
