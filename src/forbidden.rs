//! Forbidden files: files that must never be committed or left in a scanned tree whatever
//! they contain (`.env` files, private-key files, keystores). Each is a finding of rule
//! `forbidden-file`, even when no rule matches its content (a `.p12` is binary, a `.env` may
//! hold only values no rule recognises).
use globset::GlobSet;
use serde::Deserialize;

use crate::findings::Finding;
use crate::fingerprint::Fingerprinter;
use crate::rules::Severity;

/// The rule id of a forbidden-file finding.
pub const RULE_ID: &str = "forbidden-file";

/// Forbidden by default.
pub const DEFAULT_FORBIDDEN: &[&str] = &[
    "**/.env",
    "**/*.env",
    "**/.env.*",
    "**/*.pem",
    "**/id_rsa",
    "**/id_dsa",
    "**/id_ecdsa",
    "**/id_ed25519",
    "**/*.p12",
    "**/*.pfx",
    "**/*.key",
    "**/*.keystore",
    "**/*.jks",
];

/// Allowed even when a forbidden glob matches (templates without values, named so: `.env.example`,
/// `prod.env.sample`, `projectx_config_template.env`, `.env.dist`).
pub const DEFAULT_ALLOWED: &[&str] = &[
    "**/.env.example",
    "**/.env.sample",
    "**/.env.template",
    "**/.env.dist",
    "**/*.env.example",
    "**/*.env.sample",
    "**/*.env.template",
    "**/*.env.dist",
    "**/*example.env",
    "**/*sample.env",
    "**/*template.env",
];

/// The `[forbidden]` table of `hygiene.toml`.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ForbiddenConfig {
    /// Globs replacing the default forbidden list.
    pub files: Option<Vec<String>>,
    /// Globs replacing the default exceptions.
    pub allow: Option<Vec<String>>,
    /// Turn the check off.
    #[serde(default)]
    pub disabled: bool,
}

/// Compiled forbidden and allowed globs.
#[derive(Debug)]
pub struct ForbiddenFiles {
    forbidden: GlobSet,
    allowed: GlobSet,
    disabled: bool,
}

impl ForbiddenFiles {
    /// Compiles the config (defaults where it says nothing).
    pub fn new(config: &ForbiddenConfig) -> Result<ForbiddenFiles, crate::Error> {
        let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let forbidden = config.files.clone().unwrap_or_else(|| owned(DEFAULT_FORBIDDEN));
        let allowed = config.allow.clone().unwrap_or_else(|| owned(DEFAULT_ALLOWED));
        Ok(ForbiddenFiles {
            forbidden: crate::walk::glob_set(&forbidden)?,
            allowed: crate::walk::glob_set(&allowed)?,
            disabled: config.disabled,
        })
    }

    /// Whether `path` (relative, `/`-separated) is forbidden. Globs starting with `**/` also
    /// match at the top level.
    pub fn forbids(&self, path: &str) -> bool {
        let top = format!("./{path}");
        let hit =
            |set: &GlobSet| set.is_match(path) || set.is_match(&top) || set.is_match(format!("x/{path}"));
        !self.disabled && hit(&self.forbidden) && !hit(&self.allowed)
    }

    /// A finding for every forbidden path among `paths`.
    pub fn findings(&self, paths: &[String], fingerprinter: &Fingerprinter) -> Vec<Finding> {
        paths
            .iter()
            .filter(|p| self.forbids(p))
            .map(|path| Finding {
                rule_id: RULE_ID.to_string(),
                description: "File that must not be committed (env file, private key, keystore)".to_string(),
                severity: Severity::High,
                file: path.clone(),
                line: 1,
                column: 1,
                end_line: 1,
                masked: "****".to_string(),
                fingerprint: fingerprinter.fingerprint(RULE_ID, path.as_bytes()),
                names: Vec::new(),
                seen_on: None,
                decoded: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let f = ForbiddenFiles::new(&ForbiddenConfig::default()).unwrap();
        for bad in [
            "env/.env",
            ".env",
            "prod.env",
            ".env.production",
            "deploy/tls.pem",
            "id_rsa",
            "home/.ssh/id_ed25519",
            "certs/client.p12",
            "a.pfx",
            "tls.key",
            "deploy/templates.env",
        ] {
            assert!(f.forbids(bad), "{bad}");
        }
        for ok in [
            ".env.example",
            "env/.env.example",
            "deploy/prod.env.sample",
            "examples/projectx_config_template.env",
            ".env.dist",
            "docs/env.md",
            "keys.md",
            "src/key.rs",
            "id_rsa.pub",
        ] {
            assert!(!f.forbids(ok), "{ok}");
        }
        let off = ForbiddenFiles::new(&ForbiddenConfig { disabled: true, ..Default::default() }).unwrap();
        assert!(!off.forbids(".env"));
    }
}
