//! `hygiene.toml` at the scan root: the same settings as the command-line flags, so a
//! repository can pin its scopes, exclusions, extra rule packs and report path.
use std::path::{Path, PathBuf};

use miette::SourceSpan;
use serde::Deserialize;

pub use crate::error::ConfigError;

pub use crate::CONFIG_FILE;

pub use crate::report::DEFAULT_REPORT;
pub use crate::walk::{DEFAULT_SCOPES, LOG_SCOPE};

/// The `[scan]`-level settings of `hygiene.toml`.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Scope globs replacing the defaults.
    pub scopes: Option<Vec<String>>,
    /// Add `data/*/logs/**`.
    #[serde(default)]
    pub include_logs: bool,
    /// Globs to leave out.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Which `.hygieneignore` files are honoured; `None`: the default (`tracked` in a git
    /// repository, else `all`).
    pub ignore_files: Option<crate::ignore_files::IgnoreFiles>,
    /// Extra rule-pack directories, relative to the root.
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    /// Report path, relative to the root.
    pub report: Option<PathBuf>,
    /// Accepted findings: `[[allow]]` entries with paths and/or rules and a reason.
    #[serde(default)]
    pub allow: Vec<crate::allow::AllowEntry>,
    /// Files that are findings by name (`.env`, `*.pem`, ...).
    #[serde(default)]
    pub forbidden: crate::forbidden::ForbiddenConfig,
    /// What blocks the release gate.
    #[serde(default)]
    pub gate: crate::gate::GateConfig,
    /// Key rotation policy and log settings.
    #[serde(default)]
    pub rotation: crate::rotation::RotationConfig,
}

impl Config {
    /// Reads `ROOT/hygiene.toml`; a missing file is the default config.
    pub fn load(root: &Path) -> Result<Config, crate::Error> {
        Config::read(root).map(|(config, _)| config)
    }

    /// Reads `ROOT/hygiene.toml` and keeps its text (diagnostics about `[[rotation.policy]]`
    /// entries point into it); a missing file is the default config and no text.
    pub fn read(root: &Path) -> Result<(Config, Option<String>), crate::Error> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Config::default(), None)),
            Err(source) => return Err(crate::Error::Io { path, source }),
        };
        Ok((Config::parse(&path.display().to_string(), &text)?, Some(text)))
    }

    /// Parses config text; `name` labels diagnostics.
    pub fn parse(name: &str, text: &str) -> Result<Config, crate::Error> {
        toml::from_str(text).map_err(|e| {
            crate::Error::Config(ConfigError::new(
                name,
                text,
                e.message().to_string(),
                e.span().map(SourceSpan::from),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_setting() {
        let c = Config::parse(
            "hygiene.toml",
            "scopes = [\"docs/**\"]\ninclude_logs = true\nexclude = [\"docs/archive/**\"]\nrules = [\"ops/rules\"]\nreport = \"out/r.json\"\n",
        )
        .unwrap();
        assert_eq!(c.scopes.as_deref(), Some(&["docs/**".to_string()][..]));
        assert!(c.include_logs);
        assert_eq!(c.exclude, vec!["docs/archive/**"]);
        assert_eq!(c.rules, vec![PathBuf::from("ops/rules")]);
        assert_eq!(c.report, Some(PathBuf::from("out/r.json")));
    }

    #[test]
    fn unknown_keys_are_errors_with_a_span() {
        let err = Config::parse("hygiene.toml", "scope = [\"docs/**\"]\n").unwrap_err();
        let crate::Error::Config(e) = err else { panic!("config error expected") };
        assert!(e.message.contains("unknown field"), "{}", e.message);
        assert!(e.span().is_some());
    }

    #[test]
    fn full_config_parses_through_hygiene_toml() {
        let text =
            "[rotation]\npolicy_file = \"docs/key-rotation-policy.md\"\nlog = \"ops/rotation-log.jsonl\"\n\
            remind_before_due = [7, 1]\n\n[rotation.defaults.session]\ninterval = \"14 days\"\n\n\
            [[rotation.policy]]\nname = \"REDIS_PASSWORD\"\nkey_type = \"database\"\nowner = \"platform\"\n";
        let c = Config::parse("hygiene.toml", text).unwrap().rotation;
        assert_eq!(c.policy_file.as_deref(), Some(std::path::Path::new("docs/key-rotation-policy.md")));
        assert_eq!(c.reminders(), &[7, 1]);
        assert_eq!(c.defaults["session"].interval, Some(crate::rotation::Interval::Every(14)));
        assert_eq!(c.policy[0].name.get_ref(), "REDIS_PASSWORD");
        let err = Config::parse("hygiene.toml", "[rotation]\npolicy = \"x\"\n").unwrap_err();
        assert!(matches!(err, crate::Error::Config(_)));
    }
}
