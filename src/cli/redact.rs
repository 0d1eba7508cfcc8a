//! `hygiene redact`: the streaming filter over stdin or files, and `--in-place` rewriting.
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;

use clap::Args;
use secrets_hygiene::redact::{known, Redactor, StreamRedactor};
use secrets_hygiene::rewrite::{self, PumpError};
use secrets_hygiene::rules::RuleSet;

use super::{CliError, ExitStatus, RuleArgs};

/// Arguments of `hygiene redact`.
#[derive(Debug, Args)]
pub(crate) struct RedactArgs {
    /// Files to read (default: stdin). With --in-place, the files to rewrite.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Rewrite each FILE atomically instead of writing to stdout.
    #[arg(long)]
    pub(crate) in_place: bool,
    /// Write nothing; exit 1 if anything would be redacted.
    #[arg(long)]
    pub(crate) check: bool,
    /// Print redaction counts per rule on stderr (never values).
    #[arg(long)]
    pub(crate) stats: bool,
    /// Also redact the values of environment variables whose names match GLOB (repeatable),
    /// e.g. 'BOT*_BITGET_*', '*_SECRET*', REDIS_PASSWORD.
    #[arg(long = "env", value_name = "GLOB")]
    pub(crate) env_globs: Vec<String>,
    /// Also redact every value of this KEY=VALUE env file (repeatable).
    #[arg(long = "env-file", value_name = "PATH")]
    pub(crate) env_files: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) rules: RuleArgs,
}

/// Runs `hygiene redact`.
pub(crate) fn run(args: RedactArgs) -> Result<ExitStatus, CliError> {
    if args.in_place && args.files.is_empty() {
        return Err(CliError::Diagnostic(miette::miette!("--in-place needs at least one FILE")));
    }
    let mut values = known::values_from_env(&args.env_globs, std::env::vars())?;
    for path in &args.env_files {
        let text = std::fs::read_to_string(path)
            .map_err(|source| secrets_hygiene::Error::Io { path: path.clone(), source })?;
        values.extend(known::values_from_env_file(&text));
    }
    let redactor =
        Redactor::builder().rules(RuleSet::load(&args.rules.rules)?).known_values(values).build()?;
    if redactor.known_ignored() > 0 {
        warn(&format!(
            "{} known value(s) shorter than {} characters are not searched for",
            redactor.known_ignored(),
            known::MIN_KNOWN_LEN
        ));
    }

    let mut total = 0;
    let mut counts = std::collections::BTreeMap::new();
    // `--check` over files goes file by file too, so gzip logs are read decompressed.
    if args.in_place || (args.check && !args.files.is_empty()) {
        for path in &args.files {
            let done = rewrite::rewrite_in_place(&redactor, path, args.check)?;
            total += done.redacted;
            merge(&mut counts, &done.counts);
        }
    } else {
        let stdout = io::stdout();
        let mut sink: Box<dyn Write> =
            if args.check { Box::new(io::sink()) } else { Box::new(BufWriter::new(stdout.lock())) };
        let mut filter = StreamRedactor::new(&redactor);
        if args.files.is_empty() {
            pump(&mut io::stdin().lock(), "standard input", &mut filter, &mut sink)?;
        } else {
            for path in &args.files {
                let mut file = rewrite::open_text(path)?;
                pump(&mut file, &path.display().to_string(), &mut filter, &mut sink)?;
            }
        }
        filter.finish(&mut sink).map_err(CliError::Output)?;
        total = filter.redacted();
        counts = filter.counts().clone();
    }
    if args.stats {
        let mut text = String::new();
        for (rule, n) in &counts {
            text.push_str(&format!("{n:>8}  {rule}\n"));
        }
        text.push_str(&format!("{total:>8}  redacted in total\n"));
        eprint_text(&text);
    }
    Ok(if args.check && total > 0 { ExitStatus::Fail } else { ExitStatus::Pass })
}

/// Streams `input` (named `name` in errors) through the filter into `out`.
fn pump(
    input: &mut dyn Read,
    name: &str,
    filter: &mut StreamRedactor<'_>,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    rewrite::pump(input, filter, out).map_err(|e| match e {
        PumpError::Read(e) => CliError::Diagnostic(miette::miette!("cannot read input: {e}")),
        PumpError::Write(e) => CliError::Output(e),
        // UTF-16 text is refused: the rules match ASCII-compatible bytes, so its secrets
        // would pass through unredacted.
        PumpError::Utf16(encoding) => CliError::Diagnostic(miette::miette!(
            code = "hygiene::redact_utf16",
            help = "convert it first, e.g. `iconv -f UTF-16 -t UTF-8`; `hygiene scan` reads UTF-16",
            "{name}: input is {} text, which redact cannot mask; nothing was written for it",
            encoding.name()
        )),
    })
}

fn merge(into: &mut std::collections::BTreeMap<String, u64>, from: &std::collections::BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

#[allow(clippy::print_stderr)]
fn eprint_text(text: &str) {
    eprint!("{text}");
}

#[allow(clippy::print_stderr)]
fn warn(message: &str) {
    eprintln!("hygiene: warning: {message}");
}
