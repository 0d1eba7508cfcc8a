//! SARIF 2.1.0 output (`--format sarif`), for GitHub code scanning and other SARIF viewers:
//! one run, the rules that have results (with severity and tags), one result per finding with
//! its location and keyed fingerprint, and one notification per file that could not be read.
//! Built from the [`Report`] alone (plus rule metadata), so it holds no secret and no clock.
use std::collections::BTreeMap;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use super::Report;
use crate::rules::Rule;

/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";

/// The `$schema` URI written at the top of the log.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The `uriBaseId` every location is relative to: the scan root.
pub const SRCROOT: &str = "%SRCROOT%";

/// The key of the finding fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "hygiene/v1";

/// Renders `report` as a pretty-printed SARIF 2.1.0 log with a trailing newline.
///
/// `rules` supplies rule metadata (usually `detector.rules()`); only the rules that have
/// results are listed in `tool.driver.rules`, sorted by id, and every result's `ruleIndex`
/// points into that list. A finding whose rule is not in `rules` gets a descriptor built from
/// the finding itself. The output is deterministic: the only timestamp is the report's.
pub fn render(report: &Report, rules: &[Rule]) -> String {
    let mut ids: Vec<&str> = report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let index: BTreeMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();

    let descriptors = ids
        .iter()
        .map(|id| match rules.iter().find(|r| r.id == *id) {
            Some(rule) => descriptor(id, &rule.description, rule.severity.as_str(), Some(&rule.source)),
            None => {
                let finding =
                    report.findings.iter().find(|f| f.rule_id == *id).expect("ids come from findings");
                descriptor(id, &finding.description, &finding.severity, None)
            }
        })
        .collect();

    let results = report
        .findings
        .iter()
        .map(|f| SarifResult {
            rule_id: f.rule_id.clone(),
            rule_index: index[f.rule_id.as_str()],
            level: level(&f.severity),
            message: Message::new(format!("{} ({})", f.description, f.masked)),
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation::in_root(&f.file),
                    region: Some(Region { start_line: f.line, start_column: f.column, end_line: f.end_line }),
                },
            }],
            partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, f.fingerprint.clone())]),
        })
        .collect();

    let mut notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|e| Notification {
            descriptor: None,
            level: "error",
            message: Message::new(format!("cannot read {}: {}", e.path, e.message)),
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation::in_root(&e.path),
                    region: None,
                },
            }],
        })
        .collect();
    // A gate reports what blocks among its reasons; a scan's warnings (a scope that matched
    // no file) are notifications of level `warning`.
    if report.gate.is_none() {
        notifications.extend(report.warnings.iter().map(|w| Notification {
            descriptor: Some(DescriptorReference { id: format!("hygiene/{}", w.kind) }),
            level: "warning",
            message: Message::new(w.message.clone()),
            locations: Vec::new(),
        }));
    }
    // What the ignore files did, as notes.
    notifications.extend(report.ignore_file_entries().iter().map(|f| Notification {
        descriptor: Some(DescriptorReference { id: "hygiene/ignore_file".to_string() }),
        level: "note",
        message: Message::new(f.describe()),
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation::in_root(&f.path),
                region: None,
            },
        }],
    }));
    // Every other blocking reason (a gate's rotation reasons and errors) as a notification of
    // level `error` with the reason's kind: a gate that fails on rotation alone has no result.
    let others = report.other_reasons();
    notifications.extend(others.iter().map(|r| Notification {
        descriptor: Some(DescriptorReference { id: format!("hygiene/{}", r.kind) }),
        level: "error",
        message: Message::new(r.message.clone()),
        locations: Vec::new(),
    }));

    let log = Log {
        schema: SARIF_SCHEMA,
        version: SARIF_VERSION,
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: report.tool.name.clone(),
                    version: report.tool.version.clone(),
                    semantic_version: report.tool.version.clone(),
                    information_uri: information_uri(),
                    rules: descriptors,
                },
            },
            invocations: vec![Invocation {
                execution_successful: report.errors.is_empty() && !others.iter().any(|r| r.is_error()),
                end_time_utc: (!report.generated_at.is_empty()).then(|| report.generated_at.clone()),
                tool_execution_notifications: notifications,
            }],
            original_uri_base_ids: BTreeMap::from([(SRCROOT, root_location(&report.root))]),
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                status: report.status,
                root: report.root.clone(),
                scopes: report.scopes.clone(),
                stats: report.stats.clone(),
                reasons: report.blocking_reasons(),
            },
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    text.push('\n');
    text
}

/// The crate's `repository` URL, when `Cargo.toml` sets one (SARIF viewers link to it).
fn information_uri() -> Option<&'static str> {
    Some(env!("CARGO_PKG_REPOSITORY")).filter(|uri| !uri.is_empty())
}

/// SARIF `level` of a severity: `critical`/`high` -> `error`, `medium` -> `warning`,
/// `low` -> `note`. An unknown severity is treated as `high`.
pub fn level(severity: &str) -> &'static str {
    match severity {
        "medium" => "warning",
        "low" => "note",
        _ => "error",
    }
}

/// GitHub's `security-severity` score of a severity (a decimal string from 0.0 to 10.0).
pub fn security_severity(severity: &str) -> &'static str {
    match severity {
        "critical" => "9.5",
        "medium" => "5.0",
        "low" => "3.0",
        _ => "8.0",
    }
}

const HELP: &str = "A credential was found in the clear. Treat it as compromised: rotate it at the \
provider first, then remove it from the file (`hygiene redact --in-place FILE` masks it in place). \
The result's fingerprint identifies the same secret across runs and line moves.";

fn descriptor(id: &str, description: &str, severity: &str, source: Option<&str>) -> Descriptor {
    let family = id.split('.').next().unwrap_or(id).to_string();
    let full = match source {
        Some(source) => format!("{description}. Severity {severity}; rule defined in {source}."),
        None => format!("{description}. Severity {severity}."),
    };
    Descriptor {
        id: id.to_string(),
        name: pascal_case(id),
        short_description: Message::new(description.to_string()),
        full_description: Message::new(full),
        help: Message::new(HELP.to_string()),
        default_configuration: Configuration { level: level(severity) },
        properties: DescriptorProperties {
            security_severity: security_severity(severity),
            tags: vec!["security".into(), "secret".into(), family],
            severity: severity.to_string(),
        },
    }
}

/// `db.connection-url` -> `DbConnectionUrl` (SARIF recommends Pascal-case rule names).
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// Characters kept as they are in a URI path: unreserved ones and `/`. Everything else (a
/// space, `:`, `,`, `%`, `#`, `?`, non-ASCII) is percent-encoded, so a relative path never
/// reads as a scheme, query or fragment.
const PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// The `%SRCROOT%` entry: a `file:` URI when the root was given as an absolute path;
/// otherwise only a description (SARIF lets the consumer supply the base, e.g. the checkout).
fn root_location(root: &str) -> BaseLocation {
    let description = Some(Message::new(format!("The scan root, as given: {root}")));
    let slashed = root.replace('\\', "/");
    let bytes = slashed.as_bytes();
    let drive = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    let uri = if slashed.starts_with('/') {
        Some(format!("file://{}", encode_path(&slashed)))
    } else if drive {
        Some(format!("file:///{}:{}", &slashed[..1], encode_path(&slashed[2..])))
    } else {
        None
    };
    BaseLocation {
        uri: uri.map(|mut u| {
            if !u.ends_with('/') {
                u.push('/');
            }
            u
        }),
        description,
    }
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    original_uri_base_ids: BTreeMap<&'static str, BaseLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
    properties: RunProperties,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    version: String,
    semantic_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: String,
    name: String,
    short_description: Message,
    full_description: Message,
    help: Message,
    default_configuration: Configuration,
    properties: DescriptorProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties {
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    tags: Vec<String>,
    severity: String,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn new(text: String) -> Message {
        Message { text }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

impl ArtifactLocation {
    fn in_root(path: &str) -> ArtifactLocation {
        ArtifactLocation { uri: encode_path(path), uri_base_id: SRCROOT }
    }
}

#[derive(Serialize)]
struct BaseLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
    start_column: u64,
    end_line: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time_utc: Option<String>,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    #[serde(skip_serializing_if = "Option::is_none")]
    descriptor: Option<DescriptorReference>,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct DescriptorReference {
    id: String,
}

#[derive(Serialize)]
struct RunProperties {
    status: super::Status,
    root: String,
    scopes: Vec<String>,
    stats: super::Stats,
    /// Every reason the run fails (empty on a pass), as the report's gate section lists them.
    reasons: Vec<super::ReasonEntry>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal_case("db.connection-url"), "DbConnectionUrl");
        assert_eq!(pascal_case("aws.access-key-id"), "AwsAccessKeyId");
    }

    #[test]
    fn paths_are_uri_references() {
        assert_eq!(encode_path("docs/a b,c:d.md"), "docs/a%20b%2Cc%3Ad.md");
        assert_eq!(encode_path("data/bot1/logs/app.log.1.gz"), "data/bot1/logs/app.log.1.gz");
    }

    #[test]
    fn absolute_roots_become_file_uris() {
        assert_eq!(root_location("/srv/ops repo").uri.as_deref(), Some("file:///srv/ops%20repo/"));
        assert_eq!(root_location("C:\\ops").uri.as_deref(), Some("file:///C:/ops/"));
        assert_eq!(root_location("fixtures/demo").uri, None);
        assert_eq!(root_location(".").uri, None);
    }
}
