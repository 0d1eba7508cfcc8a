//! `hygiene rotation record` and `hygiene rotation import`: append to the rotation log.
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use jiff::civil::Date;
use secrets_hygiene::config::Config;
use secrets_hygiene::rotation::log::{self, LogEntry, RotationStatus};
use secrets_hygiene::rotation::{self, PolicyEntry, RotationConfig};

use super::drift::{diagnostic, parse_day, today_utc, warn};
use super::{print, CliError, ExitStatus};

/// `hygiene rotation ...`
#[derive(Debug, Subcommand)]
pub(crate) enum RotationCommand {
    /// Append one rotation (or failed attempt) to the rotation log.
    Record(RecordArgs),
    /// Append the rows of a CSV export of the secret_rotation_log table to the rotation log.
    Import(ImportArgs),
}

/// Where the log is.
#[derive(Debug, Args)]
pub(crate) struct LogArgs {
    /// The repository root (default `.`): hygiene.toml and the paths it names are relative to it.
    #[arg(long, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,
    /// The JSONL rotation log (default: [rotation] log, else ROOT/reports/security/rotation-log.jsonl).
    #[arg(long, value_name = "FILE")]
    pub(crate) log: Option<PathBuf>,
}

/// Arguments of `hygiene rotation record`.
#[derive(Debug, Args)]
pub(crate) struct RecordArgs {
    /// The key, as the policy names it (case-insensitive; recorded in the policy's spelling).
    #[arg(value_name = "NAME")]
    pub(crate) name: String,
    /// Who rotated it.
    #[arg(long, value_name = "WHO")]
    pub(crate) by: String,
    /// The day of the rotation (default: today, UTC; a later date is refused).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub(crate) date: Option<Date>,
    /// Whether it went through: a failed attempt does not restart the key's clock.
    #[arg(long, value_enum, default_value = "success")]
    pub(crate) status: StatusArg,
    /// Free text (ticket, reason).
    #[arg(long, value_name = "TEXT")]
    pub(crate) note: Option<String>,
    /// Record a name the policy does not list.
    #[arg(long)]
    pub(crate) allow_unknown: bool,
    #[command(flatten)]
    pub(crate) log: LogArgs,
}

/// Arguments of `hygiene rotation import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The CSV export (header: `secret_name,rotated_by,rotation_date,status[,note,id,created_at]`).
    #[arg(value_name = "FILE.csv")]
    pub(crate) csv: PathBuf,
    #[command(flatten)]
    pub(crate) log: LogArgs,
}

/// `--status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatusArg {
    /// The new key is live.
    Success,
    /// The attempt failed.
    Failed,
}

/// Runs a rotation subcommand.
pub(crate) fn run(command: RotationCommand) -> Result<ExitStatus, CliError> {
    match command {
        RotationCommand::Record(args) => record(args),
        RotationCommand::Import(args) => import(args),
    }
}

/// The root, its `[rotation]` config (with the text of `hygiene.toml`) and the log path.
fn resolve(args: &LogArgs) -> Result<(PathBuf, Loaded, PathBuf), CliError> {
    let root = args.root.clone().unwrap_or_else(|| PathBuf::from("."));
    if !root.is_dir() {
        return Err(secrets_hygiene::Error::MissingPath(root).into());
    }
    let (config, text) = Config::read(&root)?;
    let log_path = args.log.clone().unwrap_or_else(|| config.rotation.log_path(&root));
    Ok((root, Loaded { config: config.rotation, text }, log_path))
}

/// The `[rotation]` config and the `hygiene.toml` text it came from.
struct Loaded {
    config: RotationConfig,
    text: Option<String>,
}

/// The policy, when one is configured.
fn policy(root: &Path, loaded: &Loaded) -> Result<Option<Vec<PolicyEntry>>, CliError> {
    let config = &loaded.config;
    if config.policy_file.is_none() && config.policy.is_empty() {
        return Ok(None);
    }
    rotation::load_policy(root, config, None, loaded.text.as_deref()).map(Some).map_err(diagnostic)
}

fn record(args: RecordArgs) -> Result<ExitStatus, CliError> {
    let (root, config, log_path) = resolve(&args.log)?;
    let mut name = args.name.trim().to_string();
    if let Some(policy) = policy(&root, &config)? {
        match policy.iter().find(|e| e.is_named(&name)) {
            Some(entry) => name = entry.name.clone(),
            None if args.allow_unknown => {}
            None => {
                let known: Vec<&str> = policy.iter().map(|e| e.name.as_str()).collect();
                return Err(CliError::Diagnostic(miette::miette!(
                    help = format!(
                        "the policy lists: {}; pass --allow-unknown to record it anyway",
                        known.join(", ")
                    ),
                    "`{name}` is not in the rotation policy"
                )));
            }
        }
    }
    let today = today_utc();
    let date = args.date.unwrap_or(today);
    log::check_not_future(date, today).map_err(|m| CliError::Diagnostic(miette::miette!("{m}")))?;
    let entry = LogEntry {
        secret_name: name,
        rotated_by: args.by.trim().to_string(),
        rotation_date: date,
        rotated_at: None,
        status: match args.status {
            StatusArg::Success => RotationStatus::Success,
            StatusArg::Failed => RotationStatus::Failed,
        },
        note: args.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
    };
    let (entry, masked) = entry.masked();
    if masked {
        warn("a secret in NAME, --by or --note was masked before it was written to the log");
    }
    log::append(&log_path, std::slice::from_ref(&entry)).map_err(diagnostic)?;
    print(&format!(
        "recorded: {} rotated by {} on {} ({}) in {}\n",
        entry.secret_name,
        entry.rotated_by,
        entry.rotation_date,
        entry.status.as_str(),
        log_path.display()
    ))?;
    Ok(ExitStatus::Pass)
}

fn import(args: ImportArgs) -> Result<ExitStatus, CliError> {
    let (root, config, log_path) = resolve(&args.log)?;
    let policy = policy(&root, &config)?;
    let outcome = log::import(&args.csv, &log_path, today_utc()).map_err(diagnostic)?;
    if outcome.masked > 0 {
        warn(&format!(
            "{} row{} held a secret in rotated_by or note: masked before it was written to the log",
            outcome.masked,
            if outcome.masked == 1 { "" } else { "s" }
        ));
    }
    if let Some(policy) = policy {
        let log = log::read_optional(&log_path).map_err(diagnostic)?.unwrap_or_default();
        for name in rotation::drift::unknown_log_names(&policy, &log) {
            warn(&format!("the rotation log names `{name}`, which is not in the policy"));
        }
    }
    print(&format!(
        "imported {} row{} into {} ({} already logged)\n",
        outcome.added,
        if outcome.added == 1 { "" } else { "s" },
        log_path.display(),
        outcome.already_logged
    ))?;
    Ok(ExitStatus::Pass)
}
