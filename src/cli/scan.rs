//! `hygiene scan`: resolve flags and `hygiene.toml` into a walk plan, scan, write the report
//! atomically, print findings.
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;
use secrets_hygiene::config::{Config, DEFAULT_REPORT, DEFAULT_SCOPES, LOG_SCOPE};
use secrets_hygiene::detect::Detector;
use secrets_hygiene::fingerprint::{Fingerprinter, KeySource};
use secrets_hygiene::report::{self, Report};
use secrets_hygiene::rules::RuleSet;
use secrets_hygiene::scan;
use secrets_hygiene::walk::{Targets, WalkPlan};

use super::{print, CliError, ExitStatus, Format, RuleArgs};

/// Arguments of `hygiene scan`.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
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
    /// Write the JSON report here (default ROOT/reports/security/latest.json).
    #[arg(long, value_name = "PATH", conflicts_with = "no_report")]
    pub(crate) report: Option<PathBuf>,
    /// Do not write a report file.
    #[arg(long)]
    pub(crate) no_report: bool,
    /// Output on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: Format,
    /// Follow symbolic links.
    #[arg(long)]
    pub(crate) follow: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub(crate) threads: Option<usize>,
}

/// Runs `hygiene scan`.
pub(crate) fn run(args: ScanArgs) -> Result<ExitStatus, CliError> {
    let (root, explicit_files) = match args.paths.as_slice() {
        [] => (args.root.clone().unwrap_or_else(|| PathBuf::from(".")), None),
        [one] if one.is_dir() && args.root.is_none() => (one.clone(), None),
        paths => (
            args.root.clone().unwrap_or_else(|| PathBuf::from(".")),
            Some(paths.to_vec()),
        ),
    };
    if !root.is_dir() {
        return Err(secrets_hygiene::Error::MissingPath(root).into());
    }
    let config = Config::load(&root)?;

    let (targets, scopes_label) = match explicit_files {
        Some(files) => {
            let label = files.iter().map(|f| f.display().to_string()).collect();
            (Targets::Paths(files), label)
        }
        None => {
            let mut scopes: Vec<String> = if !args.scopes.is_empty() {
                args.scopes.clone()
            } else if let Some(scopes) = &config.scopes {
                scopes.clone()
            } else {
                DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect()
            };
            if (args.include_logs || config.include_logs) && !scopes.iter().any(|s| s == LOG_SCOPE) {
                scopes.push(LOG_SCOPE.to_string());
            }
            (Targets::Scopes(scopes.clone()), scopes)
        }
    };

    let report_path = match (&args.report, &config.report) {
        (Some(path), _) => path.clone(),
        (None, Some(path)) => root.join(path),
        (None, None) => root.join(DEFAULT_REPORT),
    };

    let mut rule_dirs: Vec<PathBuf> = config.rules.iter().map(|d| root.join(d)).collect();
    rule_dirs.extend(args.rules.rules.iter().cloned());
    let detector = Detector::new(RuleSet::load(&rule_dirs)?)?;

    let (fingerprinter, key_source) =
        Fingerprinter::resolve(std::env::var("HYGIENE_FINGERPRINT_KEY").ok(), &root);
    if key_source == KeySource::Ephemeral {
        warn("cannot store a fingerprint key under the root; fingerprints of this run are one-off (set HYGIENE_FINGERPRINT_KEY)");
    }

    let mut exclude = config.exclude.clone();
    exclude.extend(args.exclude.iter().cloned());
    let plan = WalkPlan {
        root: root.clone(),
        targets,
        exclude,
        follow_links: args.follow,
        // Even with --no-report: an earlier run's report is output, not input.
        never_scan: vec![report_path.clone()],
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| CliError::Diagnostic(miette::miette!("cannot start worker threads: {e}")))?;
    let progress = Progress::start();
    let outcome =
        pool.install(|| scan::scan(&detector, &fingerprinter, &plan, &|bytes| progress.add(bytes)))?;
    progress.finish();

    let generated_at = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let report = Report::from_scan(&outcome, &root.display().to_string(), scopes_label, generated_at);
    if !args.no_report {
        report::write_atomic(&report_path, report.to_json().as_bytes())?;
    }
    match args.format {
        Format::Json => print(&report.to_json())?,
        Format::Human => {
            let mut text = Vec::new();
            report::human::write(&report, &mut text).map_err(CliError::Output)?;
            print(&String::from_utf8_lossy(&text))?;
        }
    }
    Ok(if outcome.passed() {
        ExitStatus::Pass
    } else {
        ExitStatus::Fail
    })
}

#[allow(clippy::print_stderr)]
fn warn(message: &str) {
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
