//! `hygiene rules list` and `hygiene rules check`.
use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use secrets_hygiene::detect::Detector;
use secrets_hygiene::rules::catalog::{self, CatalogFormat};
use secrets_hygiene::rules::RuleSet;

use super::{print, CliError, ExitStatus, RuleArgs};

/// How `rules list` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// One line per rule: id, severity, description, source file.
    Human,
    /// A JSON array of rules.
    Json,
    /// A markdown coverage table, one row per rule, grouped by provider.
    Markdown,
}

/// `hygiene rules ...`
#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// Print every rule: id, severity, description, source file.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: ListFormat,
    },
    /// Verify every rule's examples and counter-examples (exit 1 on any failure).
    Check {
        #[command(flatten)]
        rules: RuleArgs,
        /// Also count keyword hits on this ordinary text (a file or a directory, first 64 MB)
        /// and warn about keywords found more than 200 times per MB.
        #[arg(long, value_name = "PATH")]
        sample: Option<PathBuf>,
    },
}

/// Runs a rules subcommand.
pub(crate) fn run(command: RulesCommand) -> Result<ExitStatus, CliError> {
    match command {
        RulesCommand::List { rules, format } => {
            let set = RuleSet::load(&rules.rules)?;
            let format = match format {
                ListFormat::Human => CatalogFormat::Human,
                ListFormat::Json => CatalogFormat::Json,
                ListFormat::Markdown => CatalogFormat::Markdown,
            };
            print(&catalog::render(&set, format))?;
            Ok(ExitStatus::Pass)
        }
        RulesCommand::Check { rules, sample } => {
            let detector = Detector::new(RuleSet::load_with_examples(&rules.rules)?)?;
            let failures = detector.check_examples();
            let sample = sample.map(|path| read_sample(&path)).transpose()?;
            let mut text = String::new();
            for w in detector.keyword_warnings(sample.as_deref()) {
                text.push_str(&format!(
                    "warning: keyword {:?} ({}): {}\n",
                    w.keyword,
                    w.rules.join(", "),
                    w.problem
                ));
            }
            for f in &failures {
                text.push_str(&format!("FAIL {}: {}\n    {:?}\n", f.id, f.problem, f.example));
            }
            let examples: usize = detector.rules().len();
            text.push_str(&format!("{} rules checked, {} failures\n", examples, failures.len()));
            print(&text)?;
            Ok(if failures.is_empty() { ExitStatus::Pass } else { ExitStatus::Fail })
        }
    }
}

/// Most of a sample read for `rules check --sample`.
const SAMPLE_LIMIT: usize = 64 << 20;

/// The bytes of `path` (a file, or the files under a directory, in name order) up to
/// `SAMPLE_LIMIT`.
fn read_sample(path: &Path) -> Result<Vec<u8>, CliError> {
    let mut sample = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(next) = pending.pop() {
        if sample.len() >= SAMPLE_LIMIT {
            break;
        }
        let io = |source| secrets_hygiene::Error::Io { path: next.clone(), source };
        let meta = std::fs::symlink_metadata(&next).map_err(io)?;
        if meta.is_dir() {
            let mut children: Vec<PathBuf> =
                std::fs::read_dir(&next).map_err(io)?.filter_map(Result::ok).map(|e| e.path()).collect();
            children.sort();
            pending.extend(children.into_iter().rev());
        } else if meta.is_file() {
            let bytes = std::fs::read(&next).map_err(io)?;
            let room = SAMPLE_LIMIT - sample.len();
            sample.extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
    }
    Ok(sample)
}
