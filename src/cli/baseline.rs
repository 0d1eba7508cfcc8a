//! `hygiene baseline create|prune`: accept today's findings once; drop entries that no longer occur.
use clap::Subcommand;
use secrets_hygiene::baseline::{Baseline, BASELINE_FILE, GITATTRIBUTES_LINE};

use super::scan::{run_scan, ScanTarget};
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
    match command {
        BaselineCommand::Create { target } => {
            let run = run_scan(&target, None, false, false)?;
            if !run.outcome.errors.is_empty() {
                // A baseline made from a partial scan would hide nothing now and fail later.
                return Err(CliError::Diagnostic(miette::miette!(
                    "{} file(s) could not be read; fix that before creating a baseline",
                    run.outcome.errors.len()
                )));
            }
            let baseline = Baseline::from_findings(&run.outcome.findings);
            let path = target.baseline.clone().unwrap_or_else(|| run.root.join(BASELINE_FILE));
            secrets_hygiene::atomic::write(&path, baseline.render().as_bytes())?;
            ensure_union_merge(&run.root)?;
            print(&format!("{}: {} accepted finding(s)\n", path.display(), baseline.len()))?;
            Ok(ExitStatus::Pass)
        }
        BaselineCommand::Prune { target } => {
            let path = target.baseline.clone().unwrap_or_else(|| {
                target
                    .paths
                    .first()
                    .filter(|p| p.is_dir())
                    .cloned()
                    .unwrap_or_else(|| ".".into())
                    .join(BASELINE_FILE)
            });
            let text = std::fs::read_to_string(&path)
                .map_err(|source| secrets_hygiene::Error::Io { path: path.clone(), source })?;
            let mut baseline = Baseline::parse(&path.display().to_string(), &text)?;
            let run = run_scan(&target, None, false, false)?;
            if !run.outcome.errors.is_empty() {
                return Err(CliError::Diagnostic(miette::miette!(
                    "{} file(s) could not be read; not pruning from a partial scan",
                    run.outcome.errors.len()
                )));
            }
            let dropped = baseline.prune(&run.outcome.findings);
            secrets_hygiene::atomic::write(&path, baseline.render().as_bytes())?;
            print(&format!("{}: dropped {dropped}, kept {}\n", path.display(), baseline.len()))?;
            Ok(ExitStatus::Pass)
        }
    }
}

/// Adds the union-merge attribute for the baseline to ROOT/.gitattributes once.
fn ensure_union_merge(root: &std::path::Path) -> Result<(), CliError> {
    let path = root.join(".gitattributes");
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(secrets_hygiene::Error::Io { path, source }.into()),
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
    secrets_hygiene::atomic::write(&path, text.as_bytes())?;
    Ok(())
}
