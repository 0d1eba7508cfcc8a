//! `hygiene scan`: resolve flags and `hygiene.toml` into a walk plan, scan, apply allowlists
//! and the baseline, write the report atomically, print findings. [`run_scan`] is shared with
//! `baseline` and `gate`.
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use secrets_hygiene::allow::Allowlist;
use secrets_hygiene::baseline::{Baseline, BASELINE_FILE};
use secrets_hygiene::config::{Config, DEFAULT_SCOPES, LOG_SCOPE};
use secrets_hygiene::detect::Detector;
use secrets_hygiene::fingerprint::{Fingerprinter, KeySource, KeyStore};
use secrets_hygiene::ignore_files::{IgnorePolicy, Ignores};
use secrets_hygiene::report::{self, Report};
use secrets_hygiene::rules::RuleSet;
use secrets_hygiene::scan::{self, ScanOutcome};
use secrets_hygiene::walk::{Targets, WalkPlan};

use super::{print, CliError, ExitStatus, RuleArgs};

/// Output format of `scan` and `gate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
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

/// What to scan: shared by `scan`, `baseline` and `gate`.
#[derive(Debug, Args, Clone)]
pub(crate) struct ScanTarget {
    /// A root directory (default `.`), or files to scan exactly (what pre-commit passes).
    #[arg(value_name = "ROOT|FILE")]
    pub(crate) paths: Vec<PathBuf>,
    /// Root for report paths and hygiene.toml when scanning files (default `.`).
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
    /// Also scan service logs: data/*/logs/**.
    #[arg(long)]
    pub(crate) include_logs: bool,
    /// Scan these globs (relative to the root) instead of the default scopes (repeatable).
    #[arg(long = "scope", value_name = "GLOB")]
    pub(crate) scopes: Vec<String>,
    /// Leave out paths matching GLOB (repeatable).
    #[arg(long = "exclude", value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    #[command(flatten)]
    pub(crate) rules: RuleArgs,
    /// Follow symbolic links.
    #[arg(long)]
    pub(crate) follow: bool,
    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// Most findings listed per file (0: no limit). The rest are counted in the report
    /// (`stats.not_listed`) and still fail the scan; memory then stays flat however many
    /// secrets a file holds. `baseline create` and `prune` always see every finding.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub(crate) max_findings_per_file: usize,
    /// Baseline of accepted findings (default ROOT/.hygiene-baseline.json when it exists).
    #[arg(long, value_name = "PATH", conflicts_with = "no_baseline")]
    pub(crate) baseline: Option<PathBuf>,
    /// Report every finding, ignoring the baseline.
    #[arg(long)]
    pub(crate) no_baseline: bool,
    /// Scan the files staged in git, as staged (the index, not the working tree).
    #[arg(long, conflicts_with = "paths")]
    pub(crate) staged: bool,
    /// The arguments are files to scan, never a ROOT; none at all means nothing to scan (exit 0).
    /// For pre-commit and other callers that pass a file list that may be empty.
    #[arg(long, conflicts_with = "staged")]
    pub(crate) files: bool,
}

/// Arguments of `hygiene scan`.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    #[command(flatten)]
    pub(crate) target: ScanTarget,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// Where the report goes and what stdout shows: shared by `scan` and `gate`.
#[derive(Debug, Args)]
pub(crate) struct OutputArgs {
    /// Write the JSON report here (default ROOT/reports/security/latest.json).
    #[arg(long, value_name = "PATH", conflicts_with = "no_report")]
    pub(crate) report: Option<PathBuf>,
    /// Do not write a report file.
    #[arg(long)]
    pub(crate) no_report: bool,
    /// Output on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: ReportFormat,
}

/// A finished scan with everything the commands built on it need.
pub(crate) struct ScanRun {
    pub(crate) root: PathBuf,
    pub(crate) config: Config,
    pub(crate) detector: Detector,
    pub(crate) outcome: ScanOutcome,
    pub(crate) scopes_label: Vec<String>,
    pub(crate) report_path: PathBuf,
    /// The key the findings' fingerprints were made with.
    pub(crate) fingerprinter: Fingerprinter,
}

impl ScanRun {
    /// The report of this run, stamped now.
    pub(crate) fn report(&self) -> Report {
        let generated_at = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        Report::from_scan(
            &self.outcome,
            &self.root.display().to_string(),
            self.scopes_label.clone(),
            generated_at,
        )
    }
}

/// Runs `hygiene scan`.
pub(crate) fn run(args: ScanArgs) -> Result<ExitStatus, CliError> {
    if args.target.files && args.target.paths.is_empty() {
        // Not the default scopes: the caller chose no file (pre-commit with `always_run`).
        note("nothing to scan: no files given");
        return Ok(ExitStatus::Pass);
    }
    let run = run_scan(&args.target, args.output.report.clone(), true, !args.output.no_report)?;
    let report = run.report();
    if !args.output.no_report {
        secrets_hygiene::atomic::write(&run.report_path, report.to_json().as_bytes())?;
    }
    print(&render(&report, args.output.format, &run.detector))?;
    Ok(if run.outcome.passed() { ExitStatus::Pass } else { ExitStatus::Fail })
}

/// The report in `format`.
pub(crate) fn render(report: &Report, format: ReportFormat, detector: &Detector) -> String {
    match format {
        ReportFormat::Json => report.to_json(),
        ReportFormat::Sarif => report::sarif::render(report, detector.rules()),
        ReportFormat::Github => report::github::render(report),
        ReportFormat::Junit => report::junit::render(report),
        ReportFormat::Human => {
            let mut text = Vec::new();
            report::human::write(report, &mut text).expect("writing to memory cannot fail");
            String::from_utf8_lossy(&text).into_owned()
        }
    }
}

/// Resolves flags and config, scans, applies the allowlist and (when `use_baseline`) the baseline.
pub(crate) fn run_scan(
    target: &ScanTarget,
    report_flag: Option<PathBuf>,
    use_baseline: bool,
    writes_report: bool,
) -> Result<ScanRun, CliError> {
    let (root, explicit_files) = match target.paths.as_slice() {
        paths if target.files => {
            (target.root.clone().unwrap_or_else(|| PathBuf::from(".")), Some(paths.to_vec()))
        }
        [] => (target.root.clone().unwrap_or_else(|| PathBuf::from(".")), None),
        [one] if one.is_dir() && target.root.is_none() => (one.clone(), None),
        paths => (target.root.clone().unwrap_or_else(|| PathBuf::from(".")), Some(paths.to_vec())),
    };
    if !root.is_dir() {
        return Err(secrets_hygiene::Error::MissingPath(root).into());
    }
    let config = Config::load(&root)?;
    let allowlist = Allowlist::new(&config.allow)?;

    // Scopes the user chose must each match a file; the default ones only together.
    let explicit_scopes = !target.scopes.is_empty() || config.scopes.is_some();
    let (targets, scopes_label) = match explicit_files {
        Some(files) => {
            let label = files.iter().map(|f| f.display().to_string()).collect();
            (Targets::Paths(files), label)
        }
        None => {
            let mut scopes: Vec<String> = if !target.scopes.is_empty() {
                target.scopes.clone()
            } else if let Some(scopes) = &config.scopes {
                scopes.clone()
            } else {
                DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect()
            };
            if (target.include_logs || config.include_logs) && !scopes.iter().any(|s| s == LOG_SCOPE) {
                scopes.push(LOG_SCOPE.to_string());
            }
            (Targets::Scopes(scopes.clone()), scopes)
        }
    };

    // Checked only when it will be written; otherwise it is only a file not to scan.
    let report_path =
        match secrets_hygiene::report::report_path(&root, report_flag.as_deref(), config.report.as_deref()) {
            Ok(path) => path,
            Err(e) if writes_report => return Err(e.into()),
            Err(_) => root.join(
                config
                    .report
                    .as_deref()
                    .unwrap_or(std::path::Path::new(secrets_hygiene::config::DEFAULT_REPORT)),
            ),
        };

    let mut rule_dirs: Vec<PathBuf> = config.rules.iter().map(|d| root.join(d)).collect();
    rule_dirs.extend(target.rules.rules.iter().cloned());
    let detector = Detector::new(RuleSet::load(&rule_dirs)?)?;

    // The key is stored (outside the tree) only by runs that write a report or a baseline.
    let config_dir = user_config_dir();
    let store = KeyStore { config_dir: config_dir.as_deref(), create: writes_report || !use_baseline };
    let (fingerprinter, key_source) =
        Fingerprinter::resolve(std::env::var("HYGIENE_FINGERPRINT_KEY").ok(), &root, store);
    if key_source == KeySource::Ephemeral && store.create {
        warn("cannot store a fingerprint key in the user's config directory ($XDG_CONFIG_HOME/hygiene or ~/.config/hygiene); fingerprints of this run are one-off (set HYGIENE_FINGERPRINT_KEY)");
    }

    let baseline_path = if target.no_baseline || !use_baseline {
        None
    } else {
        match &target.baseline {
            Some(path) => Some(path.clone()),
            None => Some(root.join(BASELINE_FILE)).filter(|p| p.exists()),
        }
    };
    let baseline = match &baseline_path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|source| secrets_hygiene::Error::Io { path: path.clone(), source })?;
            Some(Baseline::parse(&path.display().to_string(), &text)?)
        }
        None => None,
    };

    let mut exclude = config.exclude.clone();
    exclude.extend(target.exclude.iter().cloned());
    let plan = WalkPlan {
        root: root.clone(),
        targets,
        exclude,
        follow_links: target.follow,
        // Even with --no-report: an earlier run's report is output, not input; nor is a
        // fingerprint key an earlier version kept in the tree.
        never_scan: vec![report_path.clone(), root.join(secrets_hygiene::fingerprint::LEGACY_KEY_FILE)],
        ignore_files: IgnorePolicy::resolve(&root, config.ignore_files.as_ref())?,
    };

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (threads, capped) = scan::worker_threads(target.threads, cores);
    if capped {
        warn(&format!(
            "--threads {} is more than {} per core: using {threads} ({cores} cores)",
            target.threads.unwrap_or(0),
            scan::MAX_THREADS_PER_CORE
        ));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| CliError::Diagnostic(miette::miette!("cannot start worker threads: {e}")))?;
    // Accepted findings are dropped as they are found, before the per-file limit counts them.
    let suppress = |f: &secrets_hygiene::findings::Finding| {
        if allowlist.allows(f) {
            Some("allowlist")
        } else if baseline.as_ref().is_some_and(|b| b.contains(f)) {
            Some("baseline")
        } else {
            None
        }
    };
    // `use_baseline` is off only for `baseline create|prune`, which must see every finding.
    let max_per_file = if use_baseline { target.max_findings_per_file } else { 0 };
    let keep = scan::Keep { suppress: &suppress, max_per_file };
    let progress = Progress::start();
    let mut outcome = if target.staged {
        let mut ignores = Ignores::new(&plan.ignore_files);
        let blobs = staged_blobs(&root, &secrets_hygiene::walk::glob_set(&plan.exclude)?, &mut ignores)?;
        let mut outcome = pool.install(|| scan::scan_blobs(&detector, &fingerprinter, &keep, blobs));
        outcome.ignore_files = ignores.summary();
        outcome
    } else {
        pool.install(|| scan::scan(&detector, &fingerprinter, &plan, &keep, &|bytes| progress.add(bytes)))?
    };
    progress.finish();
    let forbidden = secrets_hygiene::forbidden::ForbiddenFiles::new(&config.forbidden)?;
    let forbidden_findings = forbidden.findings(&outcome.files, &fingerprinter);
    outcome.add_findings(forbidden_findings, &keep);
    outcome.findings.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    outcome.empty_scopes = secrets_hygiene::walk::empty_scopes(&outcome.scope_matches, explicit_scopes);
    Ok(ScanRun { root, config, detector, outcome, scopes_label, report_path, fingerprinter })
}

/// The staged content of every added, copied, modified or renamed file (`git diff --cached`),
/// read from the index with `git cat-file`, minus excluded paths.
fn staged_blobs(
    root: &std::path::Path,
    exclude: &globset::GlobSet,
    ignores: &mut Ignores<'_>,
) -> Result<Vec<scan::Blob>, CliError> {
    let git = |args: &[&str]| -> Result<Vec<u8>, CliError> {
        let out = std::process::Command::new("git")
            .current_dir(root)
            .args(args)
            .output()
            .map_err(|e| CliError::Diagnostic(miette::miette!("cannot run git: {e}")))?;
        if !out.status.success() {
            return Err(CliError::Diagnostic(miette::miette!(
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
        let ignored = ignores
            .excludes_by_name(&root.join(&display))
            .map_err(|message| CliError::Diagnostic(miette::miette!("{message}")))?;
        if ignored || exclude.is_match(&display) {
            continue;
        }
        let bytes = git(&["cat-file", "blob", &format!(":{display}")])?;
        blobs.push(scan::Blob { display, bytes });
    }
    Ok(blobs)
}

#[allow(clippy::print_stderr)]
fn note(message: &str) {
    eprintln!("hygiene: {message}");
}

#[allow(clippy::print_stderr)]
pub(crate) fn warn(message: &str) {
    eprintln!("hygiene: warning: {message}");
}

/// A byte counter on stderr, shown only on a terminal.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn start() -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} scanned {bytes} ({bytes_per_sec}) {elapsed}")
                .expect("static template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(250));
        Progress(Some(bar))
    }

    fn add(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// The user's configuration directory for hygiene: `$XDG_CONFIG_HOME/hygiene` (when set to an
/// absolute path), else `$HOME/.config/hygiene`.
fn user_config_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
    let base = xdg.or_else(|| {
        std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".config"))
    });
    base.map(|b| b.join("hygiene"))
}
