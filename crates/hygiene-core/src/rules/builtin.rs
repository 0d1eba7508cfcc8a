//! The rule packs under the repository's `rules/`, embedded at build time by this crate's
//! `build.rs`: as written (for `rules check` and the tests), and already parsed into the
//! statics below (what a scan loads: no TOML parsing at start-up).
use toml::Spanned;

use super::{raw, Charset, Checksum, DecoyScope, RedactSpan, Severity};

/// `(file name, contents)` of every built-in pack, sorted by file name.
pub(crate) const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// Every built-in rule pack but `decoys.toml`, parsed, without examples, sorted by file name.
pub(crate) const PACKS: &[StaticPack] = include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));

/// `decoys.toml`, parsed, without examples.
pub(crate) const DECOYS: StaticDecoys = include!(concat!(env!("OUT_DIR"), "/builtin_decoys.rs"));

/// One pack file: `[pack]` and its rules.
pub(crate) struct StaticPack {
    pub(crate) file: &'static str,
    pub(crate) name: Option<&'static str>,
    pub(crate) description: Option<&'static str>,
    pub(crate) env_prefixes: Option<&'static [&'static str]>,
    pub(crate) rules: &'static [StaticRule],
}

/// A `[[rules]]` entry as written, unset keys `None`/empty (see `raw::RawRule`).
pub(crate) struct StaticRule {
    pub(crate) id: &'static str,
    pub(crate) description: &'static str,
    pub(crate) regex: &'static str,
    pub(crate) keywords: &'static [&'static str],
    pub(crate) severity: Severity,
    pub(crate) min_length: Option<usize>,
    pub(crate) min_entropy: Option<f64>,
    pub(crate) mixed_entropy: Option<f64>,
    pub(crate) charset: Option<Charset>,
    pub(crate) checksum: Option<Checksum>,
    pub(crate) generic: bool,
    pub(crate) allow_values: &'static [&'static str],
    pub(crate) ignore_decoys: &'static [&'static str],
    pub(crate) near: &'static [&'static str],
    pub(crate) near_lines: Option<usize>,
    pub(crate) env_prefixes: Option<&'static [&'static str]>,
    pub(crate) reject: Option<&'static str>,
    pub(crate) follows: Option<&'static str>,
    pub(crate) redact: Option<RedactSpan>,
    pub(crate) multiline: bool,
}

/// `decoys.toml`'s three lists.
pub(crate) struct StaticDecoys {
    pub(crate) value: &'static [StaticDecoy],
    pub(crate) line: &'static [StaticDecoy],
    pub(crate) dummy: &'static [StaticDummy],
}

/// A `[[value]]` or `[[line]]` decoy.
pub(crate) struct StaticDecoy {
    pub(crate) id: &'static str,
    pub(crate) regex: &'static str,
    pub(crate) applies_to: Option<DecoyScope>,
    pub(crate) deleet: bool,
    pub(crate) max_len: Option<usize>,
}

/// A `[[dummy]]` list.
pub(crate) struct StaticDummy {
    pub(crate) id: &'static str,
    pub(crate) values: &'static [&'static str],
    pub(crate) words: &'static [&'static str],
    pub(crate) counting: bool,
    pub(crate) typed: Option<crate::rules::dummy::Shapes>,
    pub(crate) kind_words: &'static [&'static str],
    pub(crate) applies_to: Option<DecoyScope>,
    pub(crate) rules: &'static [&'static str],
}

/// Statics carry no source position: errors in built-in packs are found by the tests, which
/// parse the packs as written.
fn unspanned<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

impl StaticPack {
    pub(crate) fn meta(&self) -> Option<raw::RawPackMeta> {
        self.name.map(|name| raw::RawPackMeta {
            name: unspanned(name.to_string()),
            description: self.description.map(str::to_string),
            env_prefixes: self.env_prefixes.map(strings),
        })
    }
}

impl StaticRule {
    /// The rule as the TOML parser would have produced it, examples left out.
    pub(crate) fn raw(&self) -> raw::RawRule {
        raw::RawRule {
            id: unspanned(self.id.to_string()),
            description: self.description.to_string(),
            regex: unspanned(self.regex.to_string()),
            keywords: unspanned(strings(self.keywords)),
            severity: self.severity,
            min_length: self.min_length,
            min_entropy: self.min_entropy,
            mixed_entropy: self.mixed_entropy,
            charset: self.charset,
            checksum: self.checksum,
            generic: self.generic,
            allow_values: strings(self.allow_values),
            ignore_decoys: strings(self.ignore_decoys),
            near: strings(self.near),
            near_lines: self.near_lines,
            env_prefixes: self.env_prefixes.map(strings),
            reject: self.reject.map(|r| unspanned(r.to_string())),
            follows: self.follows.map(|f| unspanned(f.to_string())),
            redact: self.redact.unwrap_or_default(),
            multiline: self.multiline,
            examples: Vec::new(),
            counter_examples: Vec::new(),
        }
    }
}

impl StaticDecoys {
    /// The decoys as the TOML parser would have produced them, examples left out.
    pub(crate) fn raw(&self) -> raw::RawDecoys {
        let decoys = |list: &[StaticDecoy]| {
            list.iter()
                .map(|d| {
                    unspanned(raw::RawDecoy {
                        id: d.id.to_string(),
                        description: String::new(),
                        regex: unspanned(d.regex.to_string()),
                        applies_to: d.applies_to.unwrap_or_default(),
                        deleet: d.deleet,
                        max_len: d.max_len,
                        examples: Vec::new(),
                        counter_examples: Vec::new(),
                    })
                })
                .collect()
        };
        raw::RawDecoys {
            value: decoys(self.value),
            line: decoys(self.line),
            dummy: self
                .dummy
                .iter()
                .map(|d| {
                    unspanned(raw::RawDummy {
                        id: d.id.to_string(),
                        description: String::new(),
                        values: strings(d.values),
                        words: strings(d.words),
                        counting: d.counting,
                        typed: d.typed,
                        kind_words: strings(d.kind_words),
                        applies_to: d.applies_to.unwrap_or_default(),
                        rules: strings(d.rules),
                        examples: Vec::new(),
                        counter_examples: Vec::new(),
                    })
                })
                .collect(),
        }
    }
}
