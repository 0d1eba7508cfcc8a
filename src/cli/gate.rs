//! `hygiene gate`: the CI promotion gate and pre-release check. Scans, computes rotation drift,
//! writes the report with a `gate` section, prints the verdict and every reason.
use std::path::PathBuf;

use clap::Args;
use secrets_hygiene::gate::{self, KnownValue, Rotation};
use secrets_hygiene::report;
use secrets_hygiene::rotation::{self, drift, RotationError};

use super::scan::{render, run_scan, OutputArgs, ReportFormat, ScanTarget};
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
    let now = match &args.now {
        Some(text) => rotation::parse_date(text)
            .map_err(|e| CliError::Diagnostic(miette::miette!("--now {text:?}: {}", e.0)))?,
        None => jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date(),
    };
    let run = run_scan(&args.target, args.output.report.clone(), true, !args.output.no_report)?;
    let rotation_config = &run.config.rotation;

    let rotation = match rotation::load_policy(&run.root, rotation_config, args.policy.as_deref()) {
        Err(RotationError::NoPolicy) => Rotation::NotConfigured,
        Err(e) => Rotation::Failed(diagnostic_text(&e)),
        Ok(policy) => match rotation::read_log(&run.root, rotation_config, args.log.as_deref()) {
            Err(e) => Rotation::Failed(diagnostic_text(&e)),
            Ok(log) => {
                let known = known_values(&args.known_env)?;
                let leaks = gate::attribute_leaks(
                    &run.outcome.findings,
                    &policy,
                    &known,
                    &run.fingerprinter,
                    run.detector.rule_set(),
                );
                let rows = drift::compute(&policy, &log.entries, &leaks, now, rotation_config.reminders());
                let unknown_log_names =
                    drift::unknown_log_names(&policy, &log.entries).into_iter().map(str::to_string).collect();
                let mut warnings = Vec::new();
                if log.missing_default {
                    warnings.push(format!(
                        "no rotation log at {}: keys without a Next Rotation date are never_rotated",
                        log.path.display()
                    ));
                }
                Rotation::Drift { rows, unknown_log_names, warnings }
            }
        },
    };

    let mut gate_config = run.config.gate.clone();
    gate_config.allow_empty_scope |= args.allow_empty_scope;
    let verdict = gate::evaluate(&run.outcome, &rotation, &gate_config);
    let mut report = run.report();
    report.status = if verdict.pass { report::Status::Pass } else { report::Status::Fail };
    report.gate = Some(gate::section(&verdict, &run.outcome, &rotation, now));
    if !args.output.no_report {
        secrets_hygiene::atomic::write(&run.report_path, report.to_json().as_bytes())?;
    }

    let mut text = render(&report, args.output.format, &run.detector);
    if args.output.format == ReportFormat::Human {
        if let Rotation::Drift { rows, unknown_log_names, .. } = &rotation {
            let names: Vec<&str> = unknown_log_names.iter().map(String::as_str).collect();
            text.push('\n');
            text.push_str(&rotation::render::human(rows, now, &names));
        }
        text.push('\n');
        for warning in &verdict.warnings {
            text.push_str(&format!("warning: {warning}\n"));
        }
        if verdict.pass {
            text.push_str("gate: PASS\n");
        } else {
            text.push_str(&format!("gate: FAIL ({} reason(s))\n", verdict.reasons.len()));
            for reason in &verdict.reasons {
                text.push_str(&format!("  - [{}] {}\n", reason.kind, reason.message));
            }
        }
    }
    print(&text)?;
    Ok(match (verdict.pass, verdict.errored) {
        (true, _) => ExitStatus::Pass,
        (false, false) => ExitStatus::Fail,
        (false, true) => ExitStatus::Error,
    })
}

fn known_values(globs: &[String]) -> Result<Vec<KnownValue>, CliError> {
    if globs.is_empty() {
        return Ok(Vec::new());
    }
    let set = secrets_hygiene::walk::glob_set(globs)?;
    Ok(std::env::vars()
        .filter(|(name, value)| set.is_match(name) && !value.is_empty())
        .map(|(name, value)| KnownValue { name, value })
        .collect())
}

/// A diagnostic as plain text (no colour), secrets masked, for the report's reasons.
fn diagnostic_text(diagnostic: &dyn miette::Diagnostic) -> String {
    let report = super::redacted(diagnostic);
    let diagnostic: &dyn miette::Diagnostic = report.as_ref();
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor()).with_width(100);
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = diagnostic.to_string();
    }
    out.trim().to_string()
}
