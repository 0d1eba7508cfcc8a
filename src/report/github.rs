//! GitHub Actions output (`--format github`): one workflow command per finding, so each
//! finding shows as an annotation on the file and line in the pull request, one `::error` per
//! file that could not be read, one `::error` per other blocking reason (a gate's rotation
//! reasons and errors), and a closing line with the verdict: `::notice` on a pass, `::error`
//! on a fail.
//!
//! Values are escaped as the Actions runner expects (`@actions/core`'s `issueCommand`): in
//! the message `%`, CR and LF; in properties also `:` and `,`.
use std::fmt::Write as _;

use super::Report;

/// Renders one workflow command per line, with a trailing newline.
///
/// ```text
/// ::error file=docs/runbook.md,line=22,col=42,endLine=22,title=db.connection-url::Password in a database, cache or broker URL (****zlQE)
/// ::error title=hygiene::fail: 1 finding in 1 file; scanned 6 files (0.0 MB), skipped 0, in 0.01 s
/// ```
///
/// `critical` and `high` findings are `::error`, `medium` and `low` ones `::warning`. File
/// paths are the report's paths joined to the root as given (so they are relative to the
/// working directory, which is what Actions resolves against the workspace).
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let command = match f.severity.as_str() {
            "medium" | "low" => "warning",
            _ => "error",
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},title={}::{}",
            escape_property(&workspace_path(&report.root, &f.file)),
            f.line,
            f.column,
            f.end_line,
            escape_property(&f.rule_id),
            escape_data(&format!("{} ({})", f.description, f.masked)),
        );
    }
    for e in &report.errors {
        let _ = writeln!(
            out,
            "::error title=hygiene::{}",
            escape_data(&format!("cannot read {}: {}", workspace_path(&report.root, &e.path), e.message)),
        );
    }
    // A gate lists what blocks among its reasons; a scan's warnings are warnings.
    for warning in report.warnings.iter().filter(|_| report.gate.is_none()) {
        let _ = writeln!(
            out,
            "::warning title={}::{}",
            escape_property(&format!("hygiene {}", warning.kind)),
            escape_data(&warning.message)
        );
    }
    // What the ignore files did: a reviewer sees which files were not looked at, and why an
    // ignore file had no effect.
    for f in report.ignore_file_entries() {
        let _ = writeln!(out, "::notice title=hygiene ignore file::{}", escape_data(&f.describe()));
    }
    for reason in report.other_reasons() {
        let _ = writeln!(
            out,
            "::error title={}::{}",
            escape_property(&format!("hygiene {}", reason.kind)),
            escape_data(&reason.message)
        );
    }
    // The closing line carries the verdict: an error when the report fails, whatever the
    // findings' severities (a gate that fails on rotation alone has none).
    let command = if report.status == super::Status::Fail { "error" } else { "notice" };
    let _ = writeln!(out, "::{command} title=hygiene::{}", escape_data(&report.verdict_line()));
    out
}

/// Escapes a command's message: `%`, CR, LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a command property's value: `%`, CR, LF, `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `root/file`, without a leading `./`; just `file` when the root is `.`; `file` unchanged
/// when it is already absolute.
fn workspace_path(root: &str, file: &str) -> String {
    if file.starts_with('/') {
        return file.to_string();
    }
    if !root.is_empty() && root.trim_matches(['/', '\\']).is_empty() {
        return format!("/{file}");
    }
    let mut root = root.trim_end_matches(['/', '\\']);
    while let Some(rest) = root.strip_prefix("./") {
        root = rest.trim_start_matches('/');
    }
    if root.is_empty() || root == "." {
        file.to_string()
    } else {
        format!("{root}/{file}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_the_root_as_given() {
        assert_eq!(workspace_path(".", "docs/a.md"), "docs/a.md");
        assert_eq!(workspace_path("./", "docs/a.md"), "docs/a.md");
        assert_eq!(workspace_path("", "docs/a.md"), "docs/a.md");
        assert_eq!(workspace_path("./fixtures/demo/", "docs/a.md"), "fixtures/demo/docs/a.md");
        assert_eq!(workspace_path("/srv/ops", "docs/a.md"), "/srv/ops/docs/a.md");
        assert_eq!(workspace_path("/srv/ops", "/tmp/x.log"), "/tmp/x.log");
        assert_eq!(workspace_path("/", "srv/a.md"), "/srv/a.md");
    }

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad");
        assert_eq!(escape_property("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad");
    }
}
