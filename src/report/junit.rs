//! JUnit XML output (`--format junit`), for CI systems that show test reports (GitLab,
//! Jenkins, Azure Pipelines): one test suite `hygiene`, one failing test case per file with
//! findings, one erroring test case per file that could not be read, one failing (or, for an
//! error, erroring) test case per other blocking reason of a gate (classname `hygiene.<kind>`),
//! and a passing test case `secrets scan` when no file has a finding.
use std::collections::HashMap;
use std::fmt::Write as _;

use super::{FindingEntry, Report, Status};

/// The name of the suite and the `classname` of every test case.
pub const SUITE: &str = "hygiene";

/// The passing test case written when no file has a finding.
pub const CLEAN_CASE: &str = "secrets scan";

/// Renders the report as a JUnit XML document with a trailing newline.
///
/// Test cases come in the report's order: files with findings (sorted by path; the failure
/// lists each finding as `line:column  rule_id  ****ABCD  description (severity)`), then read
/// errors. Counts (`tests`, `failures`, `errors`) are set on `<testsuites>` and `<testsuite>`,
/// `time` is the scan's duration. Only masked values appear, never secrets.
pub fn render(report: &Report) -> String {
    let by_file = group_by_file(&report.findings);
    let clean = by_file.is_empty();
    let others = report.other_reasons();
    let other_errors = others.iter().filter(|r| r.is_error()).count();
    let tests = by_file.len() + report.errors.len() + others.len() + usize::from(clean);
    let failures = by_file.len() + others.len() - other_errors;
    let errors = report.errors.len() + other_errors;
    let time = format!("{:.3}", report.stats.duration_ms as f64 / 1e3);
    let counts = format!(r#"tests="{tests}" failures="{failures}" errors="{errors}""#);

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, r#"<testsuites name="{SUITE}" {counts} time="{time}">"#);
    let _ = writeln!(out, r#"  <testsuite name="{SUITE}" {counts} skipped="0" time="{time}">"#);
    out.push_str("    <properties>\n");
    let status = match report.status {
        Status::Pass => "pass",
        Status::Fail => "fail",
    };
    for (name, value) in [
        ("root", report.root.as_str()),
        ("scopes", &report.scopes.join(" ")),
        ("generated_at", &report.generated_at),
        ("status", status),
        ("tool_version", &report.tool.version),
    ] {
        let _ = writeln!(out, r#"      <property name="{name}" value="{}"/>"#, escape(value));
    }
    for f in report.ignore_file_entries() {
        let _ = writeln!(out, r#"      <property name="ignore_file" value="{}"/>"#, escape(&f.describe()));
    }
    out.push_str("    </properties>\n");

    for (file, findings) in &by_file {
        let file = escape(file);
        let _ = writeln!(out, r#"    <testcase name="{file}" classname="{SUITE}" file="{file}">"#);
        let noun = if findings.len() == 1 { "secret" } else { "secrets" };
        let _ = write!(
            out,
            r#"      <failure message="{} {noun} found" type="{}">"#,
            findings.len(),
            worst_severity(findings)
        );
        for f in findings {
            let line = format!(
                "{}:{}  {}  {}  {} ({})",
                f.line, f.column, f.rule_id, f.masked, f.description, f.severity
            );
            let _ = write!(out, "\n{}", escape(&line));
        }
        out.push_str("\n      </failure>\n    </testcase>\n");
    }
    for e in &report.errors {
        let _ = writeln!(out, r#"    <testcase name="{}" classname="{SUITE}">"#, escape(&e.path));
        let _ = writeln!(
            out,
            r#"      <error message="{}" type="read-error"/>"#,
            escape(&format!("cannot read {}: {}", e.path, e.message))
        );
        out.push_str("    </testcase>\n");
    }
    // One failing (or erroring) case per other blocking reason: a gate that fails on rotation
    // alone must not read as a clean test run.
    for reason in &others {
        let _ = writeln!(
            out,
            r#"    <testcase name="{}" classname="{SUITE}.{}">"#,
            escape(&reason.message),
            escape(&reason.kind)
        );
        let element = if reason.is_error() { "error" } else { "failure" };
        let _ = writeln!(
            out,
            r#"      <{element} message="{}" type="{}"/>"#,
            escape(&reason.message),
            escape(&reason.kind)
        );
        out.push_str("    </testcase>\n");
    }
    if clean {
        let _ = writeln!(out, r#"    <testcase name="{CLEAN_CASE}" classname="{SUITE}"/>"#);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Findings grouped by file, in the report's order (sorted by file already, but grouping does
/// not rely on it).
fn group_by_file(findings: &[FindingEntry]) -> Vec<(&str, Vec<&FindingEntry>)> {
    let mut groups: Vec<(&str, Vec<&FindingEntry>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for f in findings {
        match index.get(f.file.as_str()) {
            Some(&i) => groups[i].1.push(f),
            None => {
                index.insert(&f.file, groups.len());
                groups.push((&f.file, vec![f]));
            }
        }
    }
    groups
}

fn worst_severity(findings: &[&FindingEntry]) -> &'static str {
    const ORDER: [&str; 4] = ["critical", "high", "medium", "low"];
    ORDER.into_iter().find(|s| findings.iter().any(|f| f.severity == *s)).unwrap_or("high")
}

/// Escapes text for an XML attribute value or element content. `&`, `<`, `>`, `"` and `'`
/// become entities; tab, LF and CR become character references (so attribute normalization
/// keeps them); other control characters, which XML 1.0 cannot carry at all, become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a&b<c>\"d'\te\nf\u{1}"), "a&amp;b&lt;c&gt;&quot;d&apos;&#9;e&#10;f\u{FFFD}");
    }
}
