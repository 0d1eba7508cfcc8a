//! `hygiene`: parse arguments, run the subcommand, map the outcome to an exit code.
use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let parsed = cli::Cli::parse();
    match cli::run(parsed) {
        Ok(status) => ExitCode::from(status.code()),
        // `hygiene scan | head`: the reader went away; that is not our failure.
        Err(cli::CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(cli::CliError::Output(e)) => {
            report_error(&miette::miette!("cannot write output: {e}"));
            ExitCode::from(cli::ExitStatus::Error.code())
        }
        Err(cli::CliError::Diagnostic(report)) => {
            report_error(&report);
            ExitCode::from(cli::ExitStatus::Error.code())
        }
    }
}

#[allow(clippy::print_stderr)] // the binary is where printing belongs
fn report_error(report: &miette::Report) {
    eprintln!("{:?}", cli::redacted(report.as_ref()));
}
