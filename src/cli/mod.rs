//! The command line: clap definitions and one module per subcommand. Parses, calls the
//! library, prints. Decisions live in the library.
pub(crate) mod baseline;
pub(crate) mod drift;
pub(crate) mod gate;
pub(crate) mod redact;
pub(crate) mod rotation;
pub(crate) mod rules;
pub(crate) mod scan;

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Secrets hygiene scanner and release gate.
#[derive(Debug, Parser)]
#[command(name = "hygiene", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan docs/, reports/ (and logs) for secrets; write reports/security/latest.json.
    Scan(scan::ScanArgs),
    /// Accept today's findings once (create), or drop entries that no longer occur (prune).
    #[command(subcommand)]
    Baseline(baseline::BaselineCommand),
    /// Show how far every key is from its rotation policy (exit 1: overdue, expired, leaked or never rotated).
    Drift(drift::DriftArgs),
    /// The release gate: scan + rotation drift; fails on leaks and expired keys.
    Gate(gate::GateArgs),
    /// Mask secrets in a stream (stdin to stdout) or rewrite files in place.
    Redact(redact::RedactArgs),
    /// Record key rotations in the rotation log (record one, or import a CSV export).
    #[command(subcommand)]
    Rotation(rotation::RotationCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout: `hygiene man > hygiene.1`.
    Man,
    /// List or check the rule packs.
    #[command(subcommand)]
    Rules(rules::RulesCommand),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// One line per item and a summary.
    Human,
    /// Machine-readable JSON.
    Json,
}

/// Flags shared by every command that loads rules.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct RuleArgs {
    /// Add the rule packs (*.toml) in DIR to the built-in ones (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub(crate) rules: Vec<PathBuf>,
}

pub(crate) use secrets_hygiene::run::ExitStatus;

/// Errors a command can end with.
#[derive(Debug)]
pub(crate) enum CliError {
    /// A library or usage error, rendered with miette.
    Diagnostic(miette::Report),
    /// Writing to stdout failed (a closed pipe exits quietly).
    Output(io::Error),
}

impl From<secrets_hygiene::Error> for CliError {
    fn from(e: secrets_hygiene::Error) -> Self {
        CliError::Diagnostic(miette::Report::new(e))
    }
}

impl From<secrets_hygiene::CoreError> for CliError {
    fn from(e: secrets_hygiene::CoreError) -> Self {
        CliError::from(secrets_hygiene::Error::from(e))
    }
}

impl From<secrets_hygiene::rules::RuleFileError> for CliError {
    fn from(e: secrets_hygiene::rules::RuleFileError) -> Self {
        CliError::Diagnostic(miette::Report::new(e))
    }
}

/// Runs the parsed command.
pub(crate) fn run(cli: Cli) -> Result<ExitStatus, CliError> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Baseline(command) => baseline::run(command),
        Command::Drift(args) => drift::run(args),
        Command::Gate(args) => gate::run(args),
        Command::Redact(args) => redact::run(args),
        Command::Rotation(command) => rotation::run(command),
        Command::Rules(command) => rules::run(command),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "hygiene",
                &mut out,
            );
            print(&String::from_utf8_lossy(&out))?;
            Ok(ExitStatus::Pass)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut out)
                .map_err(CliError::Output)?;
            print(&String::from_utf8_lossy(&out))?;
            Ok(ExitStatus::Pass)
        }
    }
}

pub(crate) use secrets_hygiene::redact::diagnostic::redacted;

/// Writes `text` to stdout, mapping failures to [`CliError::Output`].
pub(crate) fn print(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(CliError::Output)
}

/// miette's default handler, with the terminal detection it does when its `fancy` feature
/// has syscalls (the library compiles it out, see `Cargo.toml`): colour, unicode and
/// hyperlinks as stderr supports them, the terminal's width (else 80). `NO_GRAPHICS` still
/// selects the narrated handler.
pub(crate) fn terminal_diagnostics() -> miette::MietteHandler {
    use supports_color::Stream;
    let width = terminal_size::terminal_size().map_or(80, |(width, _)| usize::from(width.0));
    miette::MietteHandlerOpts::new()
        .color(supports_color::on(Stream::Stderr).is_some())
        .unicode(supports_unicode::on(supports_unicode::Stream::Stderr))
        .terminal_links(supports_hyperlinks::on(supports_hyperlinks::Stream::Stderr))
        .width(width)
        .build()
}
