//! The serde shape of a rule-pack file, exactly as written; `compile` turns it into checked rules.
use serde::Deserialize;
use toml::Spanned;

/// One `rules/*.toml` file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPack {
    pub(crate) pack: Option<RawPackMeta>,
    #[serde(default)]
    pub(crate) rules: Vec<Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPackMeta {
    pub(crate) name: Spanned<String>,
    /// The provider, as `rules list` shows it (`HashiCorp Vault`).
    pub(crate) description: Option<String>,
    /// Prefixes of the environment-variable names this provider's keys go by (`HF_`,
    /// `HUGGING`): how a leak is attributed to a key of the rotation policy.
    pub(crate) env_prefixes: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRule {
    pub(crate) id: Spanned<String>,
    pub(crate) description: String,
    pub(crate) regex: Spanned<String>,
    pub(crate) keywords: Spanned<Vec<String>>,
    pub(crate) severity: super::Severity,
    pub(crate) min_length: Option<usize>,
    pub(crate) min_entropy: Option<f64>,
    /// The most entropy a value mixing letters and digits needs (see [`super::Rule::mixed_entropy`]).
    pub(crate) mixed_entropy: Option<f64>,
    pub(crate) charset: Option<super::Charset>,
    /// The provider's offline checksum (`github-crc32`, `bech32`, `pypi-macaroon`).
    pub(crate) checksum: Option<super::Checksum>,
    #[serde(default)]
    pub(crate) generic: bool,
    #[serde(default)]
    pub(crate) allow_values: Vec<String>,
    #[serde(default)]
    pub(crate) ignore_decoys: Vec<String>,
    /// The rule runs only next to findings of these rules (ids; `family.*` for a family): the
    /// other half of a key pair, whose name alone (`key`) is too vague to search for.
    #[serde(default)]
    pub(crate) near: Vec<String>,
    /// How many lines above and below an anchor finding a `near` rule searches (default 2).
    pub(crate) near_lines: Option<usize>,
    /// Overrides the pack's `env_prefixes` for this rule (one pack, several vendors).
    pub(crate) env_prefixes: Option<Vec<String>>,
    pub(crate) reject: Option<Spanned<String>>,
    /// Regex anchored right after a keyword occurrence: a window is searched only if some
    /// occurrence of the rule's keywords is followed by what it matches (`= value`).
    pub(crate) follows: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) redact: super::RedactSpan,
    #[serde(default)]
    pub(crate) multiline: bool,
    #[serde(default)]
    pub(crate) examples: Vec<Spanned<RawExample>>,
    #[serde(default)]
    pub(crate) counter_examples: Vec<Spanned<String>>,
}

/// An example: plain text, or text plus the secret the rule must capture from it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawExample {
    Text(String),
    Pinned { text: String, secret: String },
}

/// `rules/decoys.toml`: filters shared by every rule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDecoys {
    #[serde(default)]
    pub(crate) value: Vec<Spanned<RawDecoy>>,
    #[serde(default)]
    pub(crate) line: Vec<Spanned<RawDecoy>>,
    #[serde(default)]
    pub(crate) dummy: Vec<Spanned<RawDummy>>,
}

/// `[[dummy]]` in `decoys.toml`: well-known dummy passwords and the words placeholder values
/// are made of, compared after normalisation (see `detect::dummy`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDummy {
    pub(crate) id: String,
    #[allow(dead_code)] // documentation for people reading the file
    pub(crate) description: String,
    /// Whole values (normalised) that are never secrets: `hunter`, `letmein`.
    #[serde(default)]
    pub(crate) values: Vec<String>,
    /// Words a placeholder is composed of: `super` + `secret`, `something` + `random`.
    #[serde(default)]
    pub(crate) words: Vec<String>,
    /// Values whose letters and digits mostly count up (`abcd1234`, `a1b2c3d4e5`) are
    /// placeholders too.
    #[serde(default)]
    pub(crate) counting: bool,
    /// Values mostly made of typed runs are placeholders too: `"runs"` (counting runs and
    /// repeated characters) or `"all"` (also interleaved progressions and a repeated unit).
    #[serde(default)]
    pub(crate) typed: Option<crate::rules::dummy::Shapes>,
    /// When given, the entry applies only where the text before the value on its line has no
    /// other word than these: the name says what kind of credential it is, not whose.
    #[serde(default)]
    pub(crate) kind_words: Vec<String>,
    /// Generic rules only, the others only, or every rule (the default).
    #[serde(default)]
    pub(crate) applies_to: super::DecoyScope,
    /// The rules the entry applies to, by id (`*` at the end: any id with that start); empty:
    /// every rule.
    #[serde(default)]
    pub(crate) rules: Vec<String>,
    #[serde(default)]
    pub(crate) examples: Vec<String>,
    #[serde(default)]
    pub(crate) counter_examples: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDecoy {
    pub(crate) id: String,
    #[allow(dead_code)] // documentation for people reading the file
    pub(crate) description: String,
    pub(crate) regex: Spanned<String>,
    /// Which rules the filter applies to (default: all).
    #[serde(default)]
    pub(crate) applies_to: super::DecoyScope,
    /// Also match the value with leetspeak undone (`s3cr3t` -> `secret`).
    #[serde(default)]
    pub(crate) deleet: bool,
    /// Only values up to this many bytes are matched (a word turns up by chance in a long
    /// random value: `fAke` inside a private key's base64).
    pub(crate) max_len: Option<usize>,
    #[serde(default)]
    pub(crate) examples: Vec<String>,
    #[serde(default)]
    pub(crate) counter_examples: Vec<String>,
}
