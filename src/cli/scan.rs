//! `hygiene scan`: parse the flags into a [`ScanRequest`], run it, print. The decisions
//! (scopes, report path, baseline, suppression, forbidden files) are the library's
//! ([`secrets_hygiene::run`]).
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use secrets_hygiene::report::Format;
use secrets_hygiene::run::{Context, ReportTarget, ScanRequest, DEFAULT_MAX_FINDINGS_PER_FILE};

use super::{print, CliError, ExitStatus, RuleArgs};

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
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_FINDINGS_PER_FILE)]
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
    pub(crate) format: Format,
}

impl ScanTarget {
    /// The library's request for these flags, writing the report to `report`.
    pub(crate) fn request(&self, report: ReportTarget) -> ScanRequest {
        ScanRequest {
            paths: self.paths.clone(),
            root: self.root.clone(),
            files: self.files,
            staged: self.staged,
            include_logs: self.include_logs,
            scopes: self.scopes.clone(),
            exclude: self.exclude.clone(),
            rules: self.rules.rules.clone(),
            follow_links: self.follow,
            threads: self.threads,
            max_findings_per_file: self.max_findings_per_file,
            baseline: self.baseline.clone(),
            no_baseline: self.no_baseline,
            report,
        }
    }
}

impl OutputArgs {
    /// Where the report goes.
    pub(crate) fn report_target(&self) -> ReportTarget {
        match (&self.report, self.no_report) {
            (_, true) => ReportTarget::None,
            (Some(path), false) => ReportTarget::Path(path.clone()),
            (None, false) => ReportTarget::Default,
        }
    }
}

/// Runs `hygiene scan`.
pub(crate) fn run(args: ScanArgs) -> Result<ExitStatus, CliError> {
    let request = args.target.request(args.output.report_target());
    if request.nothing_to_scan() {
        note("nothing to scan: no files given");
        return Ok(ExitStatus::Pass);
    }
    let progress = Progress::start();
    let run = request.run(&Context::from_process(), &|bytes| progress.add(bytes));
    progress.finish();
    let run = run?;
    for warning in &run.warnings {
        warn(warning);
    }
    print(&run.render(args.output.format))?;
    let status = run.exit_status();
    // The process ends next: freeing the detector's tables (thousands of allocations) would
    // only delay the exit of a pre-commit run.
    std::mem::forget(run);
    Ok(status)
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
pub(crate) struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    pub(crate) fn start() -> Progress {
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

    pub(crate) fn add(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
