//! `hygiene gate`: the CI promotion gate and pre-release check. Parses the flags into a
//! [`GateRequest`] (the library scans, computes rotation drift and writes the report with a
//! `gate` section), prints the verdict and every reason.
use std::path::PathBuf;

use clap::Args;
use secrets_hygiene::gate;
use secrets_hygiene::rotation;
use secrets_hygiene::run::{Context, GateRequest};

use super::scan::{warn, OutputArgs, Progress, ScanTarget};
use super::{print, CliError, ExitStatus};

/// Arguments of `hygiene gate`.
#[derive(Debug, Args)]
pub(crate) struct GateArgs {
    #[command(flatten)]
    pub(crate) target: ScanTarget,
    /// The markdown file with the rotation policy table (default: [rotation] policy_file).
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// The rotation log (default: [rotation] log, else reports/security/rotation-log.jsonl).
    #[arg(long, value_name = "FILE")]
    pub(crate) log: Option<PathBuf>,
    /// The day to check drift for, YYYY-MM-DD (default: today, UTC).
    #[arg(long, value_name = "DATE")]
    pub(crate) now: Option<String>,
    /// Recognise leaked current values: the values of environment variables matching GLOB
    /// (repeatable). Compared by keyed fingerprint; never stored or printed.
    #[arg(long = "known-env", value_name = "GLOB")]
    pub(crate) known_env: Vec<String>,
    /// A scope that matches no file only warns (default: it fails the gate, exit 2).
    /// Also `[gate] allow_empty_scope = true`.
    #[arg(long)]
    pub(crate) allow_empty_scope: bool,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
}

/// Runs `hygiene gate`.
pub(crate) fn run(args: GateArgs) -> Result<ExitStatus, CliError> {
    let today = match &args.now {
        Some(text) => Some(
            rotation::parse_date(text)
                .map_err(|e| CliError::Diagnostic(miette::miette!("--now {text:?}: {}", e.0)))?,
        ),
        None => None,
    };
    let request = GateRequest {
        scan: args.target.request(args.output.report_target()),
        policy: args.policy.clone(),
        log: args.log.clone(),
        today,
        known_values: gate::known_values(&args.known_env, std::env::vars())?,
        allow_empty_scope: args.allow_empty_scope,
    };
    let progress = Progress::start();
    let run = request.run(&Context::from_process(), &|bytes| progress.add(bytes));
    progress.finish();
    let run = run?;
    for warning in &run.scan.warnings {
        warn(warning);
    }
    print(&run.render(args.output.format))?;
    let status = run.exit_status();
    // The process ends next: freeing the detector's tables (thousands of allocations) would
    // only delay the exit of a pre-commit run.
    std::mem::forget(run);
    Ok(status)
}
