//! `hygiene rules list` and `hygiene rules check`.
use clap::Subcommand;
use secrets_hygiene::detect::Detector;
use secrets_hygiene::rules::RuleSet;

use super::{print, CliError, ExitStatus, Format, RuleArgs};

/// `hygiene rules ...`
#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// Print every rule: id, severity, description, source file.
    List {
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
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
            let text = match format {
                Format::Human => {
                    let width = set.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
                    let mut text = String::new();
                    for r in &set.rules {
                        text.push_str(&format!(
                            "{:width$}  {:8}  {}  [{}]\n",
                            r.id,
                            r.severity.as_str(),
                            r.description,
                            r.source
                        ));
                    }
                    text.push_str(&format!("{} rules\n", set.rules.len()));
                    text
                }
                Format::Json => {
                    let list: Vec<serde_json::Value> = set
                        .rules
                        .iter()
                        .map(|r| {
                            serde_json::json!({
                                "id": r.id, "description": r.description, "severity": r.severity,
                                "keywords": r.keywords, "generic": r.generic, "source": r.source,
                            })
                        })
                        .collect();
                    let mut text = serde_json::to_string_pretty(&list).expect("rules serialize");
                    text.push('\n');
                    text
                }
            };
            print(&text)?;
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
