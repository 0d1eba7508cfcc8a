//! `hygiene drift`: load the rotation policy and log, compute every key's status for a day
//! (default: today in UTC, read here, never in the library), print the table or JSON.
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use jiff::civil::Date;
use secrets_hygiene::config::Config;
use secrets_hygiene::report::Report;
use secrets_hygiene::rotation::{self, drift, leaks, render};
use secrets_hygiene::rules::RuleSet;

use super::{print, CliError, ExitStatus};

/// Arguments of `hygiene drift`.
#[derive(Debug, Args)]
pub(crate) struct DriftArgs {
    /// The repository root (default `.`): hygiene.toml, and the paths it names, are relative to it.
    #[arg(value_name = "ROOT")]
    pub(crate) root: Option<PathBuf>,
    /// The markdown file with the policy table (default: [rotation] policy_file).
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// The JSONL rotation log (default: [rotation] log, else ROOT/reports/security/rotation-log.jsonl).
    #[arg(long, value_name = "FILE")]
    pub(crate) log: Option<PathBuf>,
    /// Compute the drift as of this day (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub(crate) now: Option<Date>,
    /// Mark keys `leaked` from the findings of this scan report (e.g. reports/security/latest.json).
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
    /// Output on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: DriftFormat,
}

/// `--format` of `hygiene drift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DriftFormat {
    /// A table, warnings and a summary line.
    Human,
    /// The drift JSON (schema_version 1).
    Json,
}

/// `--now` / `--date`: exactly YYYY-MM-DD.
pub(crate) fn parse_day(text: &str) -> Result<Date, String> {
    rotation::parse_date(text).map_err(|e| e.0)
}

/// Today in UTC: the one place drift reads the clock.
pub(crate) fn today_utc() -> Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// A rotation error as a rendered diagnostic.
pub(crate) fn diagnostic(e: rotation::RotationError) -> CliError {
    CliError::Diagnostic(miette::Report::new(e))
}

/// Runs `hygiene drift`: exit 1 when a key is overdue, expired, leaked or never rotated.
pub(crate) fn run(args: DriftArgs) -> Result<ExitStatus, CliError> {
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from("."));
    if !root.is_dir() {
        return Err(secrets_hygiene::Error::MissingPath(root).into());
    }
    let (config, config_text) = Config::read(&root)?;
    let config = config.rotation;
    let policy = rotation::load_policy(&root, &config, args.policy.as_deref(), config_text.as_deref())
        .map_err(diagnostic)?;
    let log = rotation::read_log(&root, &config, args.log.as_deref()).map_err(diagnostic)?;
    if log.missing_default {
        warn(&format!(
            "no rotation log at {}: keys without a Next Rotation date are never_rotated",
            log.path.display()
        ));
    }
    let log = log.entries;
    let leaks = match &args.report {
        Some(path) => leaks::leaks_from_report(&Report::read(path)?, &policy, &RuleSet::builtin()?),
        None => Vec::new(),
    };
    let today = args.now.unwrap_or_else(today_utc);
    let rows = drift::compute(&policy, &log, &leaks, today, config.reminders());
    let unknown = drift::unknown_log_names(&policy, &log);
    match args.format {
        DriftFormat::Human => print(&render::human(&rows, today, &unknown))?,
        DriftFormat::Json => print(&render::json(&rows, today, &unknown))?,
    }
    Ok(if !drift::errors(&rows).is_empty() {
        ExitStatus::Error
    } else if drift::needs_action(&rows) {
        ExitStatus::Fail
    } else {
        ExitStatus::Pass
    })
}

#[allow(clippy::print_stderr)]
pub(crate) fn warn(message: &str) {
    eprintln!("hygiene: warning: {message}");
}
