//! `hygiene rules list` and `hygiene rules check`.
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
        RulesCommand::Check { rules } => {
            let detector = Detector::new(RuleSet::load(&rules.rules)?)?;
            let failures = detector.check_examples();
            let mut text = String::new();
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
