//! The human-readable scan output: one line per finding and a one-line summary.
use std::io::{self, Write};

use super::{Report, Status};

/// Writes `path:line:col  rule_id  ****ABCD` lines, then files with findings past the per-file
/// limit, then errors, then files skipped by name, then the summary.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        writeln!(out, "{}:{}:{}  {}  {}", f.file, f.line, f.column, f.rule_id, f.masked)?;
    }
    for (file, n) in &report.stats.not_listed {
        let findings = if *n == 1 { "finding" } else { "findings" };
        writeln!(out, "{file}: {n} more {findings} not listed (--max-findings-per-file)")?;
    }
    for e in &report.errors {
        writeln!(out, "{}: error: {}", e.path, e.message)?;
    }
    for s in &report.skipped {
        writeln!(out, "{}: skipped: {}", s.path, s.reason)?;
    }
    for a in &report.inline_allows {
        writeln!(out, "{}:{}  {}  allowed inline", a.file, a.line, a.rule_id)?;
    }
    for w in &report.warnings {
        writeln!(out, "warning: {}", w.message)?;
    }
    for f in report.ignore_file_entries() {
        writeln!(out, "{}", f.describe())?;
    }
    writeln!(out, "{}", summary(report))
}

/// `fail: 3 findings in 2 files, 1 error; scanned 12 files (1.2 MB), skipped 1, in 0.03 s`.
pub fn summary(report: &Report) -> String {
    let mut files: Vec<&str> = report.findings.iter().map(|f| f.file.as_str()).collect();
    files.dedup();
    let skipped: u64 = report.stats.files_skipped.values().sum();
    let verdict = match report.status {
        Status::Pass => "pass",
        Status::Fail => "fail",
    };
    let mut line = format!(
        "{verdict}: {} in {}",
        plural(report.findings.len() as u64, "finding"),
        plural(files.len() as u64, "file")
    );
    let not_listed: u64 = report.stats.not_listed.values().sum();
    if not_listed > 0 {
        line.push_str(&format!(
            " (and {not_listed} more not listed, in {})",
            plural(report.stats.not_listed.len() as u64, "file")
        ));
    }
    if !report.errors.is_empty() {
        line.push_str(&format!(", {}", plural(report.errors.len() as u64, "error")));
    }
    line.push_str(&format!(
        "; scanned {} ({:.1} MB), skipped {skipped}",
        plural(report.stats.files_scanned, "file"),
        report.stats.bytes_scanned as f64 / 1e6,
    ));
    let ignore_files = report.ignore_file_entries();
    let honoured: Vec<_> = ignore_files.iter().filter(|f| f.honoured).collect();
    let (files, dirs) = honoured.iter().fold((0, 0), |(f, d), e| (f + e.files_excluded, d + e.dirs_pruned));
    if files + dirs > 0 {
        line.push_str(&format!(", ignore files excluded {}", plural(files, "file")));
        if dirs > 0 {
            line.push_str(&format!(" and {}", plural(dirs, "directory")));
        }
    }
    let not_honoured = ignore_files.len() - honoured.len();
    if not_honoured > 0 {
        line.push_str(&format!(", {} not honoured", plural(not_honoured as u64, "ignore file")));
    }
    line.push_str(&format!(", in {:.2} s", report.stats.duration_ms as f64 / 1e3));
    if report.stats.files_scanned == 0 && report.errors.is_empty() {
        line.push_str(" (nothing to scan)");
    }
    line
}

/// `1 file`, `2 files`; `1 directory`, `2 directories`.
pub(crate) fn plural(n: u64, word: &str) -> String {
    match (n, word.strip_suffix('y')) {
        (1, _) => format!("1 {word}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {word}s"),
    }
}
