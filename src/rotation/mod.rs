//! Key rotation: the policy table (markdown in docs/ or `[[rotation.policy]]` in hygiene.toml),
//! the rotation log, and the drift status of every key for a given day.
//!
//! Data flows one way: [`load_policy`] (or [`build_policy`]) gives the [`PolicyEntry`] list,
//! [`log::read`] the rotation log, and [`drift::compute`] the status of every key for a `today`
//! the caller passes in (the library reads no clock).
//!
//! ```
//! use secrets_hygiene::rotation::{build_policy, drift, log, RotationConfig};
//!
//! let table = "| Secret | Rotation Frequency | Grace |\n|---|---|---|\n| `JWT_SECRET_KEY` | 90 days (quarterly) | 7 days |\n";
//! let policy = build_policy(Some(("docs/policy.md", table)), &RotationConfig::default(), None)?;
//! let log = log::parse(
//!     "rotation-log.jsonl",
//!     r#"{"secret_name":"JWT_SECRET_KEY","rotated_by":"alice","rotation_date":"2026-09-01","status":"success"}"#,
//! )?;
//! let today = jiff::civil::date(2026, 11, 27);
//! let rows = drift::compute(&policy, &log, &[], today, &[5, 2]);
//! assert_eq!(rows[0].status, drift::Status::DueSoon); // due 2026-11-30, reminders from 2026-11-25
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
mod csv;
pub mod drift;
mod error;
pub mod leaks;
pub mod log;
mod markdown;
mod policy;
pub mod render;
mod schedule;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

pub use error::{codes, Problem, RotationError};
pub use policy::{key_types, KeyType, KeyTypeDefaults, PolicyEntry, Source, BUILTIN_KEY_TYPES};
pub use schedule::{
    parse_date, parse_grace, parse_interval, parse_optional_date, parse_when, Grace, Interval, WordingError,
    DATE_HELP, FREQUENCY_HELP, GRACE_HELP,
};

/// Where the rotation log lives when `[rotation] log` is not set, relative to the root.
pub const DEFAULT_LOG: &str = "reports/security/rotation-log.jsonl";

/// Reminder lead times when `[rotation] remind_before_due` is not set: 5 and 2 days before the
/// due date (days 85 and 88 of a 90-day interval).
pub const DEFAULT_REMINDERS: &[u32] = &[5, 2];

/// The `[rotation]` table of `hygiene.toml`.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RotationConfig {
    /// The markdown file holding the policy table, relative to the root.
    pub policy_file: Option<PathBuf>,
    /// The JSONL rotation log, relative to the root (default [`DEFAULT_LOG`]).
    pub log: Option<PathBuf>,
    /// Days before the due date from which a key is `due_soon` (the largest value opens the
    /// window); default [`DEFAULT_REMINDERS`].
    pub remind_before_due: Option<Vec<u32>>,
    /// `[rotation.defaults.<key_type>]`: per-type interval and grace, over the built-in ones.
    #[serde(default)]
    pub defaults: BTreeMap<String, KeyTypeDefaults>,
    /// `[[rotation.policy]]` entries; they override table rows with the same name.
    #[serde(default)]
    pub policy: Vec<PolicyConfigEntry>,
}

/// One `[[rotation.policy]]` entry. Only `name` is required; the other fields override the
/// table row of the same name, or the key type's defaults.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfigEntry {
    /// The key's name.
    pub name: toml::Spanned<String>,
    /// `"90 days"`, `"quarterly"`, `"on incident only"` or a number of days.
    pub interval: Option<Interval>,
    /// `"7 days"`, `"24 hours"`, `"none"` or a number of days.
    pub grace: Option<Grace>,
    /// A built-in or `[rotation.defaults]` key type.
    pub key_type: Option<toml::Spanned<String>>,
    /// Who rotates it.
    pub owner: Option<String>,
    /// A TOML date (`2026-12-01`) or a `"YYYY-MM-DD"` string.
    pub next_rotation: Option<ConfigDate>,
}

/// A date in `hygiene.toml`: a TOML local date or a `"YYYY-MM-DD"` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigDate(pub Date);

impl<'de> Deserialize<'de> for ConfigDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = ConfigDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as 2026-12-01")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ConfigDate, E> {
                schedule::parse_date(v).map(ConfigDate).map_err(|e| E::custom(e.0))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ConfigDate, A::Error> {
                let datetime =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if datetime.time.is_some() || datetime.offset.is_some() {
                    return Err(de::Error::custom(format!(
                        "`{datetime}` has a time; next_rotation is a date (YYYY-MM-DD)"
                    )));
                }
                schedule::parse_date(&datetime.to_string())
                    .map(ConfigDate)
                    .map_err(|e| de::Error::custom(e.0))
            }
        }
        deserializer.deserialize_any(DateVisitor)
    }
}

impl RotationConfig {
    /// The reminder lead times in days before the due date.
    pub fn reminders(&self) -> &[u32] {
        self.remind_before_due.as_deref().unwrap_or(DEFAULT_REMINDERS)
    }

    /// The rotation log's path under `root`.
    pub fn log_path(&self, root: &Path) -> PathBuf {
        root.join(self.log.as_deref().unwrap_or(Path::new(DEFAULT_LOG)))
    }
}

/// The rotation log as drift and the gate read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRead {
    /// Where it is (or would be).
    pub path: PathBuf,
    /// Its entries (none when it does not exist yet).
    pub entries: Vec<log::LogEntry>,
    /// The default log (nothing configured it) does not exist yet: drift goes on with an
    /// empty log and says so.
    pub missing_default: bool,
}

/// Reads the rotation log of the repository at `root`: `log_file` (a path as given, e.g. from
/// `--log`), else `[rotation] log` (relative to `root`), else [`DEFAULT_LOG`]. A log that is
/// configured (by either) but does not exist is [`RotationError::MissingLog`]: a typo in the
/// path must not make every key fall back to the table's dates. Only the unconfigured default
/// may be missing (`missing_default`).
pub fn read_log(
    root: &Path,
    config: &RotationConfig,
    log_file: Option<&Path>,
) -> Result<LogRead, RotationError> {
    let configured = log_file.is_some() || config.log.is_some();
    let path = log_file.map_or_else(|| config.log_path(root), Path::to_path_buf);
    match log::read_optional(&path)? {
        Some(entries) => Ok(LogRead { path, entries, missing_default: false }),
        None if configured => Err(RotationError::MissingLog { path }),
        None => Ok(LogRead { path, entries: Vec::new(), missing_default: true }),
    }
}

/// Builds the policy from texts already read: the markdown table (file name, contents), the
/// `[rotation]` config, and `hygiene.toml`'s (name, contents) so diagnostics about
/// `[[rotation.policy]]` entries can point at them.
///
/// Every problem in the table and the entries is reported in one diagnostic. A policy with no
/// key at all is an error ([`codes::NO_KEYS`]), as is a table without rows
/// ([`codes::EMPTY_TABLE`]) or a row separated from its table ([`codes::STRAY_ROW`]).
pub fn build_policy(
    markdown: Option<(&str, &str)>,
    config: &RotationConfig,
    config_text: Option<(&str, &str)>,
) -> Result<Vec<PolicyEntry>, Problem> {
    let texts = policy::Texts { markdown, config: config_text };
    let (table, mut problems) = match markdown {
        Some((file, text)) => markdown::parse(file, text),
        None => (Vec::new(), Vec::new()),
    };
    let (entries, config_problems) = policy::config_drafts(config, &texts);
    problems.extend(config_problems);
    let (policy, resolve_problems) = policy::resolve(table, entries, &key_types(config), &texts);
    problems.extend(resolve_problems);
    if policy.is_empty() && problems.is_empty() {
        // A policy that checks nothing must not read as "pass: no keys".
        let file = markdown.map_or(crate::CONFIG_FILE, |(file, _)| file);
        problems.push(
            Problem::in_file(codes::NO_KEYS, file, "the rotation policy lists no keys")
                .with_help("list every key the repository uses in the policy table, one row per key"),
        );
    }
    match Problem::combine(problems) {
        Some(problem) => Err(problem),
        None => Ok(policy),
    }
}

/// Parses a markdown policy table with the built-in key types: every table in `text` whose
/// header has a name column and a frequency column.
pub fn parse_markdown(file: &str, text: &str) -> Result<Vec<PolicyEntry>, Problem> {
    build_policy(Some((file, text)), &RotationConfig::default(), None)
}

/// Loads the policy of the repository at `root`: the markdown file `policy_file` (a path as
/// given, e.g. from `--policy`) or else `[rotation] policy_file` (relative to `root`), merged
/// with the `[[rotation.policy]]` entries. A configured file that does not exist is an error.
/// `config_text` is the text of `hygiene.toml` the caller parsed `config` from (see
/// [`crate::config::Config::read`]), so diagnostics can point at `[[rotation.policy]]` entries.
pub fn load_policy(
    root: &Path,
    config: &RotationConfig,
    policy_file: Option<&Path>,
    config_text: Option<&str>,
) -> Result<Vec<PolicyEntry>, RotationError> {
    let (path, label) = match (policy_file, &config.policy_file) {
        (Some(path), _) => (Some(path.to_path_buf()), path.display().to_string()),
        (None, Some(rel)) => (Some(root.join(rel)), rel.display().to_string()),
        (None, None) => (None, String::new()),
    };
    if path.is_none() && config.policy.is_empty() {
        return Err(RotationError::NoPolicy);
    }
    let markdown = match &path {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|source| RotationError::Io { path: path.clone(), source })?,
        ),
        None => None,
    };
    Ok(build_policy(
        markdown.as_deref().map(|text| (label.as_str(), text)),
        config,
        config_text.map(|text| (crate::CONFIG_FILE, text)),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults() {
        let c = RotationConfig::default();
        assert_eq!(c.reminders(), &[5, 2]);
        assert_eq!(c.log_path(Path::new("repo")), Path::new("repo/reports/security/rotation-log.jsonl"));
    }

    #[test]
    fn load_policy_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            load_policy(dir.path(), &RotationConfig::default(), None, None),
            Err(RotationError::NoPolicy)
        ));
        let c = RotationConfig { policy_file: Some("docs/missing.md".into()), ..RotationConfig::default() };
        let err = load_policy(dir.path(), &c, None, None).unwrap_err();
        assert!(matches!(err, RotationError::Io { .. }), "{err}");
        assert!(err.to_string().contains("missing.md"));
    }

    #[test]
    fn load_policy_reads_the_configured_table() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("docs")).unwrap();
        std::fs::write(dir.path().join("docs/p.md"), "| Key | Interval |\n|--|--|\n| `A_KEY` | monthly |\n")
            .unwrap();
        let c = RotationConfig { policy_file: Some("docs/p.md".into()), ..RotationConfig::default() };
        let p = load_policy(dir.path(), &c, None, None).unwrap();
        assert_eq!(p[0].name, "A_KEY");
        assert_eq!(p[0].source.to_string(), "docs/p.md:3");
        let other = dir.path().join("docs/p.md");
        let p =
            load_policy(Path::new("/nonexistent"), &RotationConfig::default(), Some(&other), None).unwrap();
        assert_eq!(p.len(), 1);
    }
}
