//! Forbidden files: files that must never be committed or left in a scanned tree whatever
//! they contain (`.env` files, private-key files, keystores). Each is a finding of rule
//! `forbidden-file`, even when no rule matches its content (a `.p12` is binary, a `.env` may
//! hold only values no rule recognises).
use std::sync::OnceLock;

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
    /// The exceptions, checked when `new` runs but compiled only when a path is forbidden:
    /// the templates' globs (`**/*.env.example`) are compiled to regexes, about 9 M
    /// instructions, 45% of a scan of three tiny files, and most runs never need them.
    allowed_globs: Vec<String>,
    allowed: OnceLock<Option<GlobSet>>,
    disabled: bool,
}

impl ForbiddenFiles {
    /// Compiles the config (defaults where it says nothing).
    pub fn new(config: &ForbiddenConfig) -> Result<ForbiddenFiles, crate::Error> {
        let owned = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let forbidden = config.files.clone().unwrap_or_else(|| owned(DEFAULT_FORBIDDEN));
        let allowed = config.allow.clone().unwrap_or_else(|| owned(DEFAULT_ALLOWED));
        crate::walk::check_globs(&allowed)?;
        Ok(ForbiddenFiles {
            forbidden: crate::walk::glob_set(&forbidden)?,
            allowed_globs: allowed,
            allowed: OnceLock::new(),
            disabled: config.disabled,
        })
    }

    /// The exceptions' glob set, compiled on first use. Their globs parsed when `new` ran, so
    /// the set builds; if it still did not (a regex size limit), nothing is an exception: a
    /// forbidden file stays a finding.
    fn allowed(&self) -> Option<&GlobSet> {
        self.allowed.get_or_init(|| crate::walk::glob_set(&self.allowed_globs).ok()).as_ref()
    }

    /// Whether `path` (relative, `/`-separated) is forbidden. Globs starting with `**/` also
    /// match at the top level.
    pub fn forbids(&self, path: &str) -> bool {
        let top = format!("./{path}");
        let hit =
            |set: &GlobSet| set.is_match(path) || set.is_match(&top) || set.is_match(format!("x/{path}"));
        !self.disabled && hit(&self.forbidden) && !self.allowed().is_some_and(hit)
    }

    /// A finding for every forbidden path among `paths` except those whose content, as `read`
    /// returns it, holds no value at all (see [`holds_no_value`]); a file `read` cannot return
    /// (staged blobs, a large file) is judged by its path alone.
    pub fn findings(
        &self,
        paths: &[String],
        fingerprinter: &Fingerprinter,
        read: &dyn Fn(&str) -> Option<Vec<u8>>,
    ) -> Vec<Finding> {
        paths
            .iter()
            .filter(|p| self.forbids(p))
            .filter(|p| read(p).is_none_or(|content| !holds_no_value(&content)))
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

/// Largest forbidden file whose content is read to tell a template from a real one.
pub const MAX_TEMPLATE_BYTES: u64 = 64 << 10;

/// Whether a forbidden file's content holds no value to leak: an env template that lists
/// credential names with nothing after them (`API_SECRET=`), a command that makes the value
/// at run time (`$(head -c32 /dev/urandom | base64)`) or a reference to one (`${TOKEN}`), and
/// besides them only switches and numbers (`AUTOCERT=TRUE`); or a key file whose every line is
/// a short word repeated (`keykeykey...`), a stand-in. A file with any other value, or without
/// a credential name left empty, is still a forbidden file.
pub fn holds_no_value(content: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(content) else {
        return false;
    };
    let lines: Vec<&str> =
        text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    if lines.is_empty() {
        return false;
    }
    if lines.iter().all(|line| is_repeated_word(line)) {
        return true;
    }
    let mut credential_left_out = false;
    let mut names_a_credential = false;
    for line in &lines {
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            return false;
        };
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return false;
        }
        // An inline comment after the value (`TRUE # Use Let's Encrypt`), then the quotes.
        let value = value.split(" #").next().unwrap_or("").trim();
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        let generated = value.starts_with("$(") || value.starts_with('`') || value.starts_with("${");
        let credential = names_credential(name);
        names_a_credential |= credential;
        if value.is_empty() || generated || is_prefix_stub(value) {
            credential_left_out |= credential;
        } else if !is_setting(value) && (credential || !is_plain_setting(value)) {
            return false;
        }
    }
    credential_left_out || !names_a_credential
}

/// A value under a name that says nothing of a credential and that could not hold one either:
/// short, no URL or `user@host` (a DSN's password), no token-long run of letters and digits
/// (a webhook's or a key's random part): a path, a time zone, a host name.
fn is_plain_setting(value: &str) -> bool {
    let longest_run = value.split(|c: char| !c.is_ascii_alphanumeric()).map(str::len).max().unwrap_or(0);
    value.len() <= 64 && !value.contains('@') && !value.contains("://") && longest_run < 16
}

/// `line` is one word of 2 to 8 characters written three or more times (`keykeykey`).
fn is_repeated_word(line: &str) -> bool {
    let bytes = line.as_bytes();
    (2..=8).any(|unit| {
        bytes.len() >= unit * 3
            && bytes[..unit].iter().all(u8::is_ascii_alphabetic)
            && bytes.iter().enumerate().all(|(i, b)| *b == bytes[i % unit])
    })
}

/// The start of a value to complete, letters then a dash or underscore (`account-`).
fn is_prefix_stub(value: &str) -> bool {
    value.len() <= 16
        && (value.ends_with('-') || value.ends_with('_'))
        && value[..value.len() - 1].bytes().all(|b| b.is_ascii_alphabetic())
}

/// A switch or a number: nothing secret.
fn is_setting(value: &str) -> bool {
    ["true", "false", "yes", "no", "on", "off"].iter().any(|w| value.eq_ignore_ascii_case(w))
        || (!value.is_empty() && value.len() <= 10 && value.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// A variable name that holds a credential (`SHARED_SECRET`, `robin_password`, `API_KEY`).
fn names_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["secret", "password", "passwd", "pass", "token", "key", "credential", "auth", "passcode"]
        .iter()
        .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_exception_glob_is_an_error_before_the_scan_though_the_set_is_built_later() {
        let config = ForbiddenConfig { allow: Some(vec!["docs/[.env".to_string()]), ..Default::default() };
        let error = ForbiddenFiles::new(&config).unwrap_err().to_string();
        assert!(error.contains("docs/[.env"), "{error}");
        let f = ForbiddenFiles::new(&ForbiddenConfig::default()).unwrap();
        assert!(f.allowed.get().is_none(), "not compiled before a path is forbidden");
        assert!(!f.forbids("docs/readme.md"));
        assert!(f.allowed.get().is_none(), "a path that is not forbidden needs no exception");
        assert!(!f.forbids("deploy/.env.example") && f.forbids("deploy/.env"));
        assert!(f.allowed.get().is_some());
    }

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

    #[test]
    fn templates_without_values_hold_no_value() {
        let empty = "# fill me in\nexchange_user=\nexchange_password=\nexchange_key=acct-\n";
        assert!(holds_no_value(empty.as_bytes()));
        let generated = "export TLS=TRUE # fetch certs\nexport SIGNING_SECRET=\"$(openssl rand -hex 32)\"\n";
        assert!(holds_no_value(generated.as_bytes()));
        assert!(holds_no_value(b"tokentokentoken\nsecretsecretsecret\n"));
        // Settings under names that say nothing of a credential, with values that could not
        // hold one (a path, a time zone, a host name): nothing to leak.
        assert!(holds_no_value(b"JUST_A_SETTING=1\n"));
        assert!(holds_no_value(
            b"MEDIA_PATH=/media/your/plex/path\nTIMEZONE=Etc/UTC\nVPN_HOST=vpn.example.net # dyndns\n"
        ));
        // A credential's value, a URL or a token-long run under any name, or no assignment:
        // still forbidden.
        assert!(!holds_no_value(b"exchange_user=\nexchange_password=Qz7vK2pLr9Tz\n"));
        assert!(!holds_no_value(b"TIMEZONE=Etc/UTC\nDB_PASS=Qz7vK2pLr9Tz\n"));
        assert!(!holds_no_value(b"DATABASE_URL=postgres://app:Qz7vK2pL@db/app\nAPI_KEY=\n"));
        assert!(!holds_no_value(b"DATABASE_URL=postgres://app:Qz7vK2pL@db/app\n"));
        assert!(!holds_no_value(b"ALERTS_HOOK=https://hooks.chat.example/services/Qz7vK2pLr9TzW4nHc8Jd\n"));
        assert!(!holds_no_value(b"SIGNER=Qz7vK2pLr9TzW4nHc8JdXk\n"));
        assert!(!holds_no_value(b"Qz7vK2pLr9TzW4nHc8Jd\n"));
        assert!(!holds_no_value(b""));
        assert!(!holds_no_value(b"abababQ\n"));
    }
}
