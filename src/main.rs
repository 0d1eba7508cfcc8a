//! `hygiene`: parse arguments, run the subcommand, map the outcome to an exit code.
use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    // The library has miette's terminal detection compiled out; the binary's diagnostics
    // detect stderr as miette's default handler would. Fails only if a hook is already set.
    let _ = miette::set_hook(Box::new(|_| Box::new(cli::terminal_diagnostics())));
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
