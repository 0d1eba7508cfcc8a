//! `hygiene baseline create|prune`: accept today's findings once; drop entries that no longer occur.
use clap::Subcommand;
use secrets_hygiene::run::{Context, ReportTarget};

use super::scan::ScanTarget;
use super::{print, CliError, ExitStatus};

/// `hygiene baseline ...`
#[derive(Debug, Subcommand)]
pub(crate) enum BaselineCommand {
    /// Write ROOT/.hygiene-baseline.json accepting every current finding.
    Create {
        #[command(flatten)]
        target: ScanTarget,
    },
    /// Drop baseline entries whose finding no longer occurs.
    Prune {
        #[command(flatten)]
        target: ScanTarget,
    },
}

/// Runs a baseline subcommand.
pub(crate) fn run(command: BaselineCommand) -> Result<ExitStatus, CliError> {
    let ctx = Context::from_process();
    match command {
        BaselineCommand::Create { target } => {
            let (path, accepted) = target.request(ReportTarget::None).create_baseline(&ctx)?;
            print(&format!("{}: {accepted} accepted finding(s)\n", path.display()))?;
        }
        BaselineCommand::Prune { target } => {
            let (path, dropped, kept) = target.request(ReportTarget::None).prune_baseline(&ctx)?;
            print(&format!("{}: dropped {dropped}, kept {kept}\n", path.display()))?;
        }
    }
    Ok(ExitStatus::Pass)
}
