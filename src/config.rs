//! `hygiene.toml` at the scan root: the same settings as the command-line flags, so a
//! repository can pin its scopes, exclusions, extra rule packs and report path.
use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;

/// The config file's name.
pub const CONFIG_FILE: &str = "hygiene.toml";

/// Scopes scanned when neither flags nor config name any.
pub const DEFAULT_SCOPES: &[&str] = &["docs/**", "reports/**"];
/// Added by `--include-logs` / `include_logs = true`.
pub const LOG_SCOPE: &str = "data/*/logs/**";
/// Where the report goes, relative to the root.
pub const DEFAULT_REPORT: &str = "reports/security/latest.json";

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

/// A malformed `hygiene.toml`.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{path}: {message}")]
#[diagnostic(code(hygiene::config::invalid), help("see the README's hygiene.toml section"))]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// What is wrong.
    pub message: String,
    #[source_code]
    src: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
}

impl Config {
    /// Reads `ROOT/hygiene.toml`; a missing file is the default config.
    pub fn load(root: &Path) -> Result<Config, crate::Error> {
        let path = root.join(CONFIG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(crate::Error::Io { path, source }),
        };
        Config::parse(&path.display().to_string(), &text)
    }

    /// Parses config text; `name` labels diagnostics.
    pub fn parse(name: &str, text: &str) -> Result<Config, crate::Error> {
        toml::from_str(text).map_err(|e| {
            crate::Error::Config(ConfigError {
                path: name.to_string(),
                message: e.message().to_string(),
                src: NamedSource::new(name, text.to_string()),
                span: e.span().map(SourceSpan::from),
            })
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
        assert!(e.span.is_some());
    }
}
