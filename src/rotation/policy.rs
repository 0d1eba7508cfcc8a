//! The rotation policy: one [`PolicyEntry`] per key, from the markdown table in docs/ and the
//! `[[rotation.policy]]` entries of `hygiene.toml`, with per-key-type defaults filled in.
//!
//! Both sources are first read into drafts (every field optional, spans kept for diagnostics),
//! then merged by name (case-insensitive; a `hygiene.toml` entry overrides the fields it sets)
//! and resolved: a missing frequency or grace comes from the entry's key type.
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::error::{codes, Problem};
use super::schedule::{Grace, Interval};
use super::RotationConfig;

/// One key's rotation rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyEntry {
    /// The key's name as the policy writes it (`JWT_SECRET_KEY`); matched case-insensitively.
    pub name: String,
    /// How often it must be rotated.
    pub interval: Interval,
    /// How long it may stay in use after its due date.
    pub grace: Grace,
    /// The table's "Next Rotation" date, if any.
    pub next_rotation: Option<Date>,
    /// Who rotates it.
    pub owner: Option<String>,
    /// `session`, `token`, `database`, `file` or a type from `[rotation.defaults]`.
    pub key_type: Option<String>,
    /// Where the entry was written (the `hygiene.toml` entry when it overrides the table).
    pub source: Source,
}

/// Where a policy entry came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The file, as configured (`docs/key-rotation-policy.md`, `hygiene.toml`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

impl PolicyEntry {
    /// Whether `name` names this entry (case-insensitive).
    pub fn is_named(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name.trim())
    }
}

/// Built-in key types: (name, interval days, grace days).
pub const BUILTIN_KEY_TYPES: &[(&str, u32, u32)] =
    &[("session", 30, 7), ("token", 90, 30), ("database", 180, 90), ("file", 365, 180)];

/// `[rotation.defaults.<key_type>]`: what entries of that type inherit.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KeyTypeDefaults {
    /// Inherited by entries of this type that set no frequency.
    pub interval: Option<Interval>,
    /// Inherited by entries of this type that set no grace.
    pub grace: Option<Grace>,
}

/// A key type's resolved defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyType {
    /// Interval for entries that set none.
    pub interval: Option<Interval>,
    /// Grace for entries that set none.
    pub grace: Grace,
}

/// The built-in key types overlaid with `[rotation.defaults]` (names lowercased).
pub fn key_types(config: &RotationConfig) -> BTreeMap<String, KeyType> {
    let mut types: BTreeMap<String, KeyType> = BUILTIN_KEY_TYPES
        .iter()
        .map(|&(name, interval, grace)| {
            (
                name.to_string(),
                KeyType { interval: Some(Interval::Every(interval)), grace: Grace::days(grace) },
            )
        })
        .collect();
    for (name, defaults) in &config.defaults {
        let entry =
            types.entry(name.to_ascii_lowercase()).or_insert(KeyType { interval: None, grace: Grace::NONE });
        if let Some(interval) = defaults.interval {
            entry.interval = Some(interval);
        }
        if let Some(grace) = defaults.grace {
            entry.grace = grace;
        }
    }
    types
}

/// Which text a span points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Markdown,
    Config,
}

/// A span in one of the sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Loc {
    pub(crate) origin: Origin,
    pub(crate) span: Range<usize>,
}

/// An entry before merging and defaults: every field optional, spans kept.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub(crate) name: String,
    pub(crate) interval: Option<Interval>,
    pub(crate) grace: Option<Grace>,
    pub(crate) next_rotation: Option<Date>,
    pub(crate) owner: Option<String>,
    pub(crate) key_type: Option<(String, Option<Loc>)>,
    pub(crate) source: Source,
    /// The name (cell or TOML value), for "no interval" diagnostics.
    pub(crate) name_at: Option<Loc>,
    /// The frequency cell, when it was empty.
    pub(crate) interval_at: Option<Loc>,
}

/// The texts diagnostics point into: (file name, contents).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Texts<'a> {
    pub(crate) markdown: Option<(&'a str, &'a str)>,
    pub(crate) config: Option<(&'a str, &'a str)>,
}

impl Texts<'_> {
    fn problem(&self, at: Option<&Loc>, code: &'static str, label: &str, message: String) -> Problem {
        let text = at.and_then(|loc| match loc.origin {
            Origin::Markdown => self.markdown,
            Origin::Config => self.config,
        });
        match (at, text) {
            (Some(loc), Some((file, text))) => {
                Problem::at(code, file, text, loc.span.clone(), label, message)
            }
            _ => Problem::in_file(code, self.config.map_or("hygiene.toml", |(f, _)| f), message),
        }
    }
}

/// Drafts from `[[rotation.policy]]`; duplicates are problems.
pub(crate) fn config_drafts(config: &RotationConfig, texts: &Texts<'_>) -> (Vec<Draft>, Vec<Problem>) {
    let file = texts.config.map_or("hygiene.toml", |(f, _)| f);
    let line_of = |span: Range<usize>| {
        texts.config.map(|(_, text)| {
            text.as_bytes()[..span.start.min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1
        })
    };
    let mut drafts = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, Option<u64>> = HashMap::new();
    for entry in &config.policy {
        let name = entry.name.get_ref().trim().to_string();
        let at = Loc { origin: Origin::Config, span: entry.name.span() };
        let line = line_of(entry.name.span());
        if name.is_empty() {
            problems.push(
                texts
                    .problem(
                        Some(&at),
                        codes::MISSING_CELL,
                        "empty",
                        "a [[rotation.policy]] entry has an empty name".into(),
                    )
                    .with_help("name the key as the code reads it, e.g. name = \"JWT_SECRET_KEY\""),
            );
            continue;
        }
        if let Some(first) = seen.insert(name.to_ascii_lowercase(), line) {
            let first = first.map_or(String::new(), |l| format!(" (first on line {l})"));
            problems.push(texts.problem(
                Some(&at),
                codes::DUPLICATE_KEY,
                "listed again here",
                format!("`{name}` has two [[rotation.policy]] entries{first}"),
            ));
            continue;
        }
        drafts.push(Draft {
            name,
            interval: entry.interval,
            grace: entry.grace,
            next_rotation: entry.next_rotation.map(|d| d.0),
            owner: entry.owner.clone().filter(|o| !o.trim().is_empty()),
            key_type: entry.key_type.as_ref().map(|t| {
                (
                    t.get_ref().trim().to_ascii_lowercase(),
                    Some(Loc { origin: Origin::Config, span: t.span() }),
                )
            }),
            source: Source { file: file.to_string(), line },
            name_at: Some(at),
            interval_at: None,
        });
    }
    (drafts, problems)
}

/// Merges table drafts with config drafts (config fields win) and fills in key-type defaults.
pub(crate) fn resolve(
    table: Vec<Draft>,
    config: Vec<Draft>,
    types: &BTreeMap<String, KeyType>,
    texts: &Texts<'_>,
) -> (Vec<PolicyEntry>, Vec<Problem>) {
    let mut merged = table;
    for over in config {
        match merged.iter_mut().find(|d| d.name.eq_ignore_ascii_case(&over.name)) {
            Some(base) => {
                base.interval = over.interval.or(base.interval);
                base.grace = over.grace.or(base.grace);
                base.next_rotation = over.next_rotation.or(base.next_rotation);
                base.owner = over.owner.or(base.owner.take());
                base.key_type = over.key_type.or(base.key_type.take());
                if over.interval.is_some() {
                    base.interval_at = None;
                }
                base.name = over.name;
                base.source = over.source;
                base.name_at = over.name_at;
            }
            None => merged.push(over),
        }
    }

    let mut problems = Vec::new();
    let mut entries = Vec::new();
    let known = || types.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    for draft in merged {
        let key_type = match &draft.key_type {
            None => None,
            Some((name, at)) => match types.get(name) {
                Some(t) => Some(*t),
                None => {
                    problems.push(
                        texts
                            .problem(
                                at.as_ref(),
                                codes::UNKNOWN_KEY_TYPE,
                                "unknown key type",
                                format!("`{}`: unknown key type `{name}`", draft.name),
                            )
                            .with_help(format!(
                                "known key types: {}; define others under [rotation.defaults.<type>] in hygiene.toml",
                                known()
                            )),
                    );
                    continue;
                }
            },
        };
        let Some(interval) = draft.interval.or(key_type.and_then(|t| t.interval)) else {
            let (at, label) = match &draft.interval_at {
                Some(at) => (Some(at), "empty frequency"),
                None => (draft.name_at.as_ref(), "no frequency"),
            };
            let message = match &draft.key_type {
                Some((t, _)) => {
                    format!("`{}` has no rotation frequency and key type `{t}` defines none", draft.name)
                }
                None => {
                    format!("`{}` has no rotation frequency and no key type to inherit one from", draft.name)
                }
            };
            problems.push(texts.problem(at, codes::NO_INTERVAL, label, message).with_help(
                "give the key a frequency (`90 days`, `On incident only`) or a key type (`session`, `token`, `database`, `file`)",
            ));
            continue;
        };
        let grace = draft.grace.or(key_type.map(|t| t.grace)).unwrap_or(Grace::NONE);
        entries.push(PolicyEntry {
            name: draft.name,
            interval,
            grace,
            next_rotation: draft.next_rotation,
            owner: draft.owner,
            key_type: draft.key_type.map(|(t, _)| t),
            source: draft.source,
        });
    }
    (entries, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rotation::build_policy;

    fn config(text: &str) -> RotationConfig {
        #[derive(Deserialize)]
        struct Wrapper {
            rotation: RotationConfig,
        }
        toml::from_str::<Wrapper>(text).unwrap().rotation
    }

    fn build(markdown: Option<&str>, toml_text: &str) -> Result<Vec<PolicyEntry>, Problem> {
        let c = config(toml_text);
        build_policy(markdown.map(|m| ("docs/policy.md", m)), &c, Some(("hygiene.toml", toml_text)))
    }

    const TABLE: &str = "| Secret | Frequency | Grace | Type | Owner |\n|---|---|---|---|---|\n\
        | `JWT_SECRET_KEY` | 90 days | 7 days | | platform |\n\
        | `SESSION_KEY` | | | session | web |\n\
        | `ALPACA_API_KEY` | On incident only | 24 hours | | trading |\n";

    #[test]
    fn key_types_fill_in_missing_interval_and_grace() {
        let p = build(Some(TABLE), "[rotation]\n").unwrap();
        let s = &p[1];
        assert_eq!((s.interval, s.grace), (Interval::Every(30), Grace::days(7)));
        assert_eq!(s.key_type.as_deref(), Some("session"));
        // An explicit grace is kept; no type and no grace is no grace.
        assert_eq!(p[0].grace, Grace::days(7));
        assert_eq!(p[2].grace, Grace::hours(24));
    }

    #[test]
    fn builtin_key_types() {
        let toml_text = "[rotation]\n\
            [[rotation.policy]]\nname = \"A\"\nkey_type = \"session\"\n\
            [[rotation.policy]]\nname = \"B\"\nkey_type = \"Token\"\n\
            [[rotation.policy]]\nname = \"C\"\nkey_type = \"database\"\n\
            [[rotation.policy]]\nname = \"D\"\nkey_type = \"file\"\n\
            [[rotation.policy]]\nname = \"E\"\ninterval = \"30 days\"\n";
        let p = build(None, toml_text).unwrap();
        let got: Vec<_> = p.iter().map(|e| (e.interval.days().unwrap(), e.grace.whole_days())).collect();
        assert_eq!(got, vec![(30, 7), (90, 30), (180, 90), (365, 180), (30, 0)]);
        assert_eq!(p[0].source, Source { file: "hygiene.toml".into(), line: Some(3) });
    }

    #[test]
    fn defaults_are_overridable_and_extensible() {
        let toml_text = "[rotation.defaults.token]\ngrace = \"14 days\"\n\
            [rotation.defaults.webhook]\ninterval = \"60 days\"\ngrace = \"48 hours\"\n\
            [[rotation.policy]]\nname = \"T\"\nkey_type = \"token\"\n\
            [[rotation.policy]]\nname = \"W\"\nkey_type = \"webhook\"\n";
        let p = build(None, toml_text).unwrap();
        assert_eq!((p[0].interval, p[0].grace), (Interval::Every(90), Grace::days(14)));
        assert_eq!((p[1].interval, p[1].grace), (Interval::Every(60), Grace::hours(48)));
    }

    #[test]
    fn config_entries_override_the_table_field_by_field() {
        let toml_text = "[[rotation.policy]]\nname = \"jwt_secret_key\"\ngrace = \"1 day\"\nnext_rotation = 2026-12-01\n\
            [[rotation.policy]]\nname = \"EXTRA\"\ninterval = \"quarterly\"\nowner = \"ops\"\nnext_rotation = \"2027-01-15\"\n";
        let p = build(Some(TABLE), toml_text).unwrap();
        assert_eq!(p.len(), 4);
        let jwt = &p[0];
        assert_eq!(jwt.interval, Interval::Every(90), "kept from the table");
        assert_eq!(jwt.grace, Grace::days(1), "overridden");
        assert_eq!(jwt.owner.as_deref(), Some("platform"));
        assert_eq!(jwt.next_rotation, Some("2026-12-01".parse().unwrap()));
        assert_eq!(jwt.source.file, "hygiene.toml");
        assert_eq!(p[3].name, "EXTRA");
        assert_eq!(p[3].next_rotation, Some("2027-01-15".parse().unwrap()));
        assert!(p[3].is_named("extra"));
    }

    #[test]
    fn unknown_key_type_and_missing_interval_are_problems() {
        let err = build(None, "[[rotation.policy]]\nname = \"A\"\nkey_type = \"sesion\"\n").unwrap_err();
        assert_eq!(err.code_name(), codes::UNKNOWN_KEY_TYPE);
        assert_eq!(err.line(), Some(3));
        let err = build(None, "[[rotation.policy]]\nname = \"A\"\n\n[[rotation.policy]]\nname = \"B\"\n")
            .unwrap_err();
        assert_eq!(err.code_name(), codes::NO_INTERVAL);
        assert_eq!(err.line(), Some(2));
        assert_eq!(err.others().len(), 1, "both entries are reported");
        let err = build(None, "[rotation.defaults.custom]\ngrace = 1\n[[rotation.policy]]\nname = \"A\"\nkey_type = \"custom\"\n")
            .unwrap_err();
        assert!(err.message().contains("defines none"), "{}", err.message());
        let err = build(None, "[[rotation.policy]]\nname = \"A\"\ninterval = 1\n[[rotation.policy]]\nname = \"a\"\ninterval = 2\n")
            .unwrap_err();
        assert_eq!(err.code_name(), codes::DUPLICATE_KEY);
    }

    #[test]
    fn bad_config_values_fail_deserialization() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Wrapper {
            rotation: RotationConfig,
        }
        for bad in [
            "[[rotation.policy]]\nname = \"A\"\ninterval = \"sometimes\"\n",
            "[[rotation.policy]]\nname = \"A\"\nnext_rotation = \"2026-13-01\"\n",
            "[[rotation.policy]]\nname = \"A\"\nnext_rotation = 2026-12-01T10:00:00Z\n",
            "[[rotation.policy]]\nname = \"A\"\nrotate = \"daily\"\n",
            "[rotation]\nreminders = [85, 88]\n",
        ] {
            assert!(toml::from_str::<Wrapper>(bad).is_err(), "{bad}");
        }
    }
}
