//! Rule packs: the serde shape of a pack file (`raw`), the validated and compiled [`Rule`],
//! the built-in packs embedded at build time, and the self-test of every rule's examples.
mod builtin;
pub mod catalog;
pub(crate) mod dummy;
mod error;
pub(crate) mod follows;
mod fragments;
mod raw;
pub(crate) mod required;

use std::collections::HashSet;
use std::path::Path;
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

pub use error::RuleFileError;

/// How bad a leak of this kind of secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; rarely exploitable alone.
    Low,
    /// A credential with limited reach.
    Medium,
    /// A credential that grants access.
    High,
    /// A credential to money, production data or signing keys.
    Critical,
}

impl Severity {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The alphabet a secret is drawn from; sets the default entropy threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Charset {
    /// `0-9a-f` (either case).
    Hex,
    /// `A-Za-z0-9`.
    Alnum,
    /// Standard base64.
    Base64,
    /// URL-safe base64.
    Base64url,
    /// Anything printable (passwords).
    Any,
}

/// An offline checksum a provider builds into its tokens (`checksum = "..."` in a rule): a
/// match whose checksum fails is a made-up value, not a finding (see `detect::checksum`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checksum {
    /// `github-crc32`: after the prefix's `_`, 30 base62 characters and their CRC32 as 6
    /// base62 characters (GitHub's `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`, npm's `npm_`).
    GithubCrc32,
    /// `bech32`: a BIP-173 Bech32 string whose checksum holds (age secret keys).
    Bech32,
    /// `pypi-macaroon`: `pypi-` + base64 of a whole version-2 macaroon located at `pypi.org`
    /// or `test.pypi.org`.
    PypiMacaroon,
}

/// What `hygiene redact` replaces when a rule matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RedactSpan {
    /// Only the `secret` group (keeps `password=` and `Authorization: Bearer `).
    #[default]
    Secret,
    /// The whole match, masked line by line with `-----BEGIN/END ...-----` armour and line
    /// breaks kept (private-key blocks).
    Match,
}

/// One compiled, validated rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable identifier, `family.name`.
    pub id: String,
    /// One-line description shown in reports.
    pub description: String,
    /// Severity of a leak.
    pub severity: Severity,
    /// Keywords for the prefilter, lowercase.
    pub keywords: Vec<String>,
    /// Yields to a non-generic rule matching an overlapping secret span.
    pub generic: bool,
    /// What redaction replaces.
    pub redact: RedactSpan,
    /// Matches may span lines (private-key blocks); others are searched line by line.
    pub multiline: bool,
    /// The file the rule came from (`aws.toml` for built-ins, a path for user packs).
    pub source: String,
    /// The provider (the pack's description, else its name): what `rules list` groups by.
    pub provider: String,
    /// Prefixes of the environment-variable names the provider's keys go by, upper case:
    /// how a leak is attributed to a rotation-policy key. Empty: the rule says nothing about
    /// whose key it is (generic, HTTP headers, JWTs, private keys).
    pub env_prefixes: Vec<String>,
    /// The regex source; compiled on first use (see [`Rule::matcher`]).
    pattern: String,
    reject_pattern: Option<String>,
    /// The `follows` regex source (see [`Rule::follows`]).
    follows_pattern: Option<String>,
    follows: OnceLock<Option<follows::Follows>>,
    matcher: OnceLock<Matcher>,
    /// What a window must hold for the regex to possibly match: built on first use apart
    /// from the regex, so a rule whose windows never hold it is never compiled.
    required: OnceLock<required::Required>,
    pub(crate) min_length: usize,
    pub(crate) min_entropy: Option<f64>,
    /// The most entropy a value that mixes letters and digits needs, whatever `min_entropy` or
    /// `charset` ask: people type keys for examples and for real (`dkHL49dId5skLfBjsf342R`), and
    /// those fall short of a generated key's randomness while names and paths rarely mix in digits.
    pub(crate) mixed_entropy: Option<f64>,
    pub(crate) charset: Option<Charset>,
    /// The provider's checksum, verified offline on every match.
    pub checksum: Option<Checksum>,
    pub(crate) allow_values: HashSet<Vec<u8>>,
    /// Shared decoy filters that do not apply to this rule (a token format that is a UUID).
    pub(crate) ignore_decoys: Vec<String>,
    /// Anchor rules (ids, or `family.*`): when set, the rule is not searched by keyword but
    /// only within `near_lines` lines of an anchor's finding (the other half of a key pair).
    pub near: Vec<String>,
    /// Lines above and below an anchor finding that a `near` rule searches.
    pub near_lines: usize,
    pub(crate) examples: Vec<Example>,
    pub(crate) counter_examples: Vec<String>,
}

/// A rule's compiled regexes.
#[derive(Debug)]
pub(crate) struct Matcher {
    pub(crate) regex: Regex,
    /// Index of the `secret` group.
    pub(crate) secret_group: usize,
    /// A whole match matching this is dropped (`page_token=`, `max_tokens=`).
    pub(crate) reject: Option<Regex>,
}

impl Rule {
    /// The compiled regexes. Built-in rules compile on first use, so a scan whose input
    /// mentions few providers never pays for the others (start-up time of a pre-commit hook);
    /// user packs compile when loaded, so their errors point at the file.
    pub(crate) fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| {
            let regex =
                builder(&self.pattern).build().expect("built-in rule regexes are checked by the tests");
            let secret_group = regex
                .capture_names()
                .position(|n| n == Some("secret"))
                .expect("built-in rules have a secret group (checked by the tests)");
            let reject = self
                .reject_pattern
                .as_ref()
                .map(|p| builder(p).build().expect("built-in reject regexes are checked by the tests"));
            Matcher { regex, secret_group, reject }
        })
    }

    /// What must come right after one of the rule's keyword occurrences for the occurrence to
    /// open a window (anchored at the keyword's end; the window's rest of the line is what it
    /// sees). A generic rule's keyword is everywhere in credential-header logs (`X-API-KEY
    /// header set`), but a match needs the name to be assigned a value: checking that at each
    /// occurrence costs a fraction of running the rule's regex over the line.
    pub(crate) fn follows(&self) -> Option<&follows::Follows> {
        self.follows
            .get_or_init(|| {
                self.follows_pattern.as_ref().map(|p| {
                    follows::Follows::new(
                        p,
                        builder(&anchored(p))
                            .build()
                            .expect("built-in follows regexes are checked by the tests"),
                    )
                })
            })
            .as_ref()
    }

    /// The `follows` regex source, if the rule has one.
    #[cfg(test)]
    pub(crate) fn follows_pattern(&self) -> Option<&str> {
        self.follows_pattern.as_deref()
    }

    /// What a window must hold, besides a keyword, for the regex to possibly match in it.
    pub(crate) fn required(&self) -> &required::Required {
        self.required.get_or_init(|| required::Required::of(&self.pattern, &self.keywords))
    }

    /// How many examples the rule carries (each must be found).
    pub fn example_count(&self) -> usize {
        self.examples.len()
    }

    /// How many counter-examples the rule carries (none may be found).
    pub fn counter_example_count(&self) -> usize {
        self.counter_examples.len()
    }
}

/// A rule's example, with the secret it must capture when pinned.
#[derive(Debug, Clone)]
pub(crate) struct Example {
    pub(crate) text: String,
    pub(crate) secret: Option<String>,
}

/// Which rules a decoy filter applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecoyScope {
    /// Every rule.
    #[default]
    All,
    /// Only `generic` rules (named assignments), whose values have no vendor shape to check.
    Generic,
    /// Only the other rules: a vendor's format, found by its shape (a prefix, a length).
    Vendor,
}

impl DecoyScope {
    /// Whether a filter of this scope applies to a rule that is `generic` or not.
    pub(crate) fn covers(self, generic: bool) -> bool {
        match self {
            DecoyScope::All => true,
            DecoyScope::Generic => generic,
            DecoyScope::Vendor => !generic,
        }
    }
}

/// A shared filter from `decoys.toml`.
#[derive(Debug)]
pub(crate) struct Decoy {
    pub(crate) id: String,
    pattern: String,
    regex: OnceLock<Regex>,
    pub(crate) applies_to: DecoyScope,
    pub(crate) deleet: bool,
    pub(crate) max_len: usize,
    pub(crate) examples: Vec<String>,
    pub(crate) counter_examples: Vec<String>,
}

impl Decoy {
    /// The compiled regex (built-in decoys compile on first use).
    pub(crate) fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| {
            builder(&self.pattern).build().expect("built-in decoy regexes are checked by the tests")
        })
    }
}

/// Well-known dummy passwords and placeholder words (`[[dummy]]` in `decoys.toml`).
#[derive(Debug)]
pub(crate) struct Dummy {
    pub(crate) id: String,
    pub(crate) values: HashSet<String>,
    pub(crate) words: HashSet<String>,
    /// Values that mostly count up are placeholders too ([`dummy::counts_up`]).
    pub(crate) counting: bool,
    /// Values mostly made of typed runs of these shapes are placeholders too
    /// ([`dummy::is_typed`]).
    pub(crate) typed: Option<dummy::Shapes>,
    /// When not empty, the entry applies only where every word before the value on its line
    /// is one of these ([`dummy::names_only_kind`]).
    pub(crate) kind_words: HashSet<String>,
    /// Generic rules, the others, or every rule.
    pub(crate) applies_to: DecoyScope,
    /// The rule ids it applies to (`*` at the end: a prefix); empty: every rule.
    pub(crate) rules: Vec<String>,
    pub(crate) examples: Vec<String>,
    pub(crate) counter_examples: Vec<String>,
}

impl Dummy {
    /// Whether the entry applies to the rule `id`.
    pub(crate) fn applies_to(&self, id: &str) -> bool {
        self.rules.is_empty()
            || self.rules.iter().any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => id.starts_with(prefix),
                None => id == pattern,
            })
    }

    /// Whether `value` is one of these dummies.
    pub(crate) fn catches(&self, value: &[u8]) -> bool {
        dummy::is_dummy(value, &self.values, &self.words)
            || (self.counting && dummy::counts_up(value))
            || self.typed.is_some_and(|shapes| dummy::is_typed(value, shapes))
    }

    /// Whether the entry judges a value whose line starts with `name` (the text before the
    /// value): always, or, with `kind_words`, when the name says nothing but the kind.
    pub(crate) fn applies_to_name(&self, name: &[u8]) -> bool {
        self.kind_words.is_empty() || dummy::names_only_kind(name, &self.kind_words)
    }
}

/// Filters shared by every rule: captured values and lines that are never findings.
#[derive(Debug, Default)]
pub struct Decoys {
    pub(crate) values: Vec<Decoy>,
    pub(crate) lines: Vec<Decoy>,
    pub(crate) dummies: Vec<Dummy>,
}

/// Every rule the detector runs, plus the shared decoy filters.
#[derive(Debug)]
pub struct RuleSet {
    /// Rules in load order: built-ins (by file name), then user packs.
    pub rules: Vec<Rule>,
    /// Shared decoy filters.
    pub decoys: Decoys,
}

/// Regex size limit per rule: large enough for any sane pattern, small enough that a
/// pathological user rule is a clear error instead of memory exhaustion.
const REGEX_SIZE_LIMIT: usize = 16 << 20;

impl RuleSet {
    /// The rule packs compiled into the binary, without their examples (what a scan needs:
    /// parsing the examples too would triple the start-up time of a pre-commit run).
    pub fn builtin() -> Result<RuleSet, RuleFileError> {
        let mut set = RuleSet {
            rules: Vec::with_capacity(builtin::PACKS.iter().map(|p| p.rules.len()).sum()),
            decoys: Decoys::default(),
        };
        let mut ids: HashSet<&str> = HashSet::with_capacity(set.rules.capacity());
        for pack in builtin::PACKS {
            let meta = pack.meta();
            let family = meta.as_ref().map(|m| m.name.get_ref().clone());
            let info = PackInfo::of(meta.as_ref());
            for rule in pack.rules {
                if !ids.insert(rule.id) {
                    let existing = set.get(rule.id).map(|r| r.source.clone()).unwrap_or_default();
                    return Err(duplicate_id(pack.file, "", rule.id, &existing));
                }
                let raw = toml::Spanned::new(0..0, rule.raw());
                set.rules.push(compile_rule(raw, family.as_deref(), &info, pack.file, "", Origin::Static)?);
            }
        }
        set.add_decoys("decoys.toml", "", builtin::DECOYS.raw(), Origin::Static)?;
        Ok(set)
    }

    /// The built-in packs with their examples and counter-examples, for
    /// [`Detector::check_examples`](crate::detect::Detector::check_examples).
    pub fn builtin_with_examples() -> Result<RuleSet, RuleFileError> {
        RuleSet::from_files(builtin::FILES)
    }

    /// The packs of `files`, in order. Parsing the TOML is most of a short run's start-up,
    /// so the files are parsed on two threads, each into a set of its own, and the sets joined
    /// in file order (a duplicate id across files is still an error).
    fn from_files(files: &[(&str, &str)]) -> Result<RuleSet, RuleFileError> {
        let parse = |part: &[(&str, &str)]| -> Result<Vec<RuleSet>, RuleFileError> {
            part.iter()
                .map(|(name, text)| {
                    let mut set = RuleSet { rules: Vec::new(), decoys: Decoys::default() };
                    set.add(name, text, Origin::BuiltinText).map(|()| set)
                })
                .collect()
        };
        let (first, second) = files.split_at(files.len() / 2);
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| parse(second));
            let first = parse(first);
            (first, second.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
        let mut set = RuleSet { rules: Vec::new(), decoys: Decoys::default() };
        let mut ids: std::collections::HashSet<String> = std::collections::HashSet::new();
        for (part, names) in [(first?, &files[..files.len() / 2]), (second?, &files[files.len() / 2..])] {
            for (one, (name, text)) in part.into_iter().zip(names) {
                for rule in &one.rules {
                    if !ids.insert(rule.id.clone()) {
                        let existing = set.get(&rule.id).map(|r| r.source.as_str()).unwrap_or_default();
                        return Err(duplicate_id(name, text, &rule.id, existing));
                    }
                }
                set.rules.extend(one.rules);
                set.decoys.values.extend(one.decoys.values);
                set.decoys.lines.extend(one.decoys.lines);
                set.decoys.dummies.extend(one.decoys.dummies);
            }
        }
        Ok(set)
    }

    /// Every rule compiled now (what `rules check` and the tests use).
    pub fn compile_all(&self) {
        for rule in &self.rules {
            rule.matcher();
        }
    }

    /// The environment-variable prefixes of a rule's keys; for an id this set does not know
    /// (a report from another version), its upper-cased family.
    pub fn env_prefixes(&self, rule_id: &str) -> Vec<String> {
        match self.get(rule_id) {
            Some(rule) => rule.env_prefixes.clone(),
            None => {
                let family = rule_id.split('.').next().unwrap_or(rule_id);
                vec![family.to_ascii_uppercase().replace('-', "_")]
            }
        }
    }

    /// Built-in packs plus every `*.toml` in each of `dirs` (sorted by name).
    pub fn load(extra_dirs: &[impl AsRef<Path>]) -> Result<RuleSet, crate::Error> {
        RuleSet::builtin()?.with_dirs(extra_dirs)
    }

    /// [`RuleSet::load`] with the built-in packs' examples kept, for `rules check`.
    pub fn load_with_examples(extra_dirs: &[impl AsRef<Path>]) -> Result<RuleSet, crate::Error> {
        RuleSet::builtin_with_examples()?.with_dirs(extra_dirs)
    }

    fn with_dirs(self, extra_dirs: &[impl AsRef<Path>]) -> Result<RuleSet, crate::Error> {
        let mut set = self;
        for dir in extra_dirs {
            let dir = dir.as_ref();
            let entries = std::fs::read_dir(dir)
                .map_err(|source| crate::Error::Io { path: dir.to_path_buf(), source })?;
            let mut paths: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path)
                    .map_err(|source| crate::Error::Io { path: path.clone(), source })?;
                set.add_file(&path.display().to_string(), &text)?;
            }
        }
        Ok(set)
    }

    /// Parses, validates and adds one pack file (or the decoy file, by its name).
    pub fn add_file(&mut self, name: &str, text: &str) -> Result<(), RuleFileError> {
        self.add(name, text, Origin::User)
    }

    fn add(&mut self, name: &str, text: &str, origin: Origin) -> Result<(), RuleFileError> {
        let is_decoys = Path::new(name).file_name().is_some_and(|f| f == "decoys.toml");
        if is_decoys {
            let raw: raw::RawDecoys =
                toml::from_str(text).map_err(|e| RuleFileError::toml(name, text, &e))?;
            return self.add_decoys(name, text, raw, origin);
        }
        let raw: raw::RawPack = toml::from_str(text).map_err(|e| RuleFileError::toml(name, text, &e))?;
        let family = raw.pack.as_ref().map(|p| p.name.get_ref().clone());
        let pack = PackInfo::of(raw.pack.as_ref());
        for spanned in raw.rules {
            let rule = compile_rule(spanned, family.as_deref(), &pack, name, text, origin)?;
            if let Some(existing) = self.rules.iter().find(|r| r.id == rule.id) {
                return Err(duplicate_id(name, text, &rule.id, &existing.source));
            }
            self.rules.push(rule);
        }
        Ok(())
    }

    /// Adds the filters of a decoy file (`text` is its source, for errors).
    fn add_decoys(
        &mut self,
        name: &str,
        text: &str,
        raw: raw::RawDecoys,
        origin: Origin,
    ) -> Result<(), RuleFileError> {
        for (list, out) in [(raw.value, &mut self.decoys.values), (raw.line, &mut self.decoys.lines)] {
            for spanned in list {
                let mut d = spanned.into_inner();
                if origin != Origin::Static {
                    d.regex = with_fragments(d.regex, name, text)?;
                }
                // Built-in decoys compile on first use, like built-in rules: a pre-commit run
                // that finds nothing never pays for them. A user's file compiles now, so its
                // errors point at the file.
                let regex = OnceLock::new();
                if origin == Origin::User {
                    let _ = regex.set(compile_regex(&d.regex, name, text)?);
                }
                out.push(Decoy {
                    id: d.id,
                    pattern: d.regex.get_ref().clone(),
                    regex,
                    applies_to: d.applies_to,
                    deleet: d.deleet,
                    max_len: d.max_len.unwrap_or(usize::MAX),
                    examples: d.examples,
                    counter_examples: d.counter_examples,
                });
            }
        }
        for spanned in raw.dummy {
            let d = spanned.into_inner();
            let normal = |w: &String| dummy::letters(w.as_bytes());
            self.decoys.dummies.push(Dummy {
                id: d.id,
                values: d.values.iter().map(normal).collect(),
                words: d.words.iter().map(normal).collect(),
                counting: d.counting,
                typed: d.typed,
                kind_words: d.kind_words.iter().map(|w| w.to_ascii_lowercase()).collect(),
                applies_to: d.applies_to,
                rules: d.rules,
                examples: d.examples,
                counter_examples: d.counter_examples,
            });
        }
        Ok(())
    }

    /// Looks a rule up by id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// The error for rule `id` of file `name` when `existing` already defined it.
fn duplicate_id(name: &str, text: &str, id: &str, existing: &str) -> RuleFileError {
    RuleFileError::at(
        name,
        text,
        find_span(text, &format!("\"{id}\"")),
        format!("duplicate rule id `{id}`"),
        format!("`{id}` is already defined in {existing}; rule ids must be unique"),
    )
}

fn find_span(text: &str, needle: &str) -> Option<std::ops::Range<usize>> {
    text.find(needle).map(|start| start..start + needle.len())
}

/// A `follows` pattern anchored at the start of what it is given (the text after a keyword).
fn anchored(pattern: &str) -> String {
    format!(r"\A(?:{pattern})")
}

/// `pattern` with its `{name}` fragments expanded (see [`fragments`]); an unknown one is an
/// error at the pattern.
fn with_fragments(
    pattern: toml::Spanned<String>,
    file: &str,
    text: &str,
) -> Result<toml::Spanned<String>, RuleFileError> {
    match fragments::expand(pattern.get_ref()) {
        Ok(std::borrow::Cow::Borrowed(_)) => Ok(pattern),
        Ok(std::borrow::Cow::Owned(expanded)) => Ok(toml::Spanned::new(pattern.span(), expanded)),
        Err(message) => Err(RuleFileError::at(
            file,
            text,
            Some(pattern.span()),
            message,
            "a `{name}` in a pattern is a shared fragment (rules/FORMAT.md); write `\\{` for a literal brace"
                .into(),
        )),
    }
}

/// Every rule regex is built with these settings.
fn builder(pattern: &str) -> RegexBuilder {
    let mut builder = RegexBuilder::new(pattern);
    builder.unicode(false).multi_line(true).crlf(true).size_limit(REGEX_SIZE_LIMIT);
    builder
}

fn compile_regex(pattern: &toml::Spanned<String>, file: &str, text: &str) -> Result<Regex, RuleFileError> {
    // `^`/`$` match at line starts/ends (CRLF too). ASCII semantics: `\w`, `\b` and `(?i)` stay byte-oriented, so the fast DFA engines
    // apply to any input (Unicode word boundaries would force a slow engine on non-ASCII logs).
    builder(pattern.get_ref()).build().map_err(|e| {
        RuleFileError::at(file, text, Some(pattern.span()), "invalid regex".to_string(), format!("{e}"))
    })
}

/// Where a pack being added comes from: what is left to do with its patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The statics `build.rs` made of the built-in packs: fragments already expanded, regexes
    /// compiled on first use (a pre-commit run that finds nothing never pays for them).
    Static,
    /// A built-in pack's TOML (examples kept, for `rules check`): fragments expanded here,
    /// regexes compiled on first use.
    BuiltinText,
    /// A user's pack: expanded and compiled now, so its errors point at the file.
    User,
}

/// What a rule inherits from its pack.
struct PackInfo {
    provider: String,
    env_prefixes: Option<Vec<String>>,
}

impl PackInfo {
    fn of(meta: Option<&raw::RawPackMeta>) -> PackInfo {
        PackInfo {
            provider: meta
                .map(|p| p.description.clone().unwrap_or_else(|| p.name.get_ref().clone()))
                .unwrap_or_default(),
            env_prefixes: meta.and_then(|p| p.env_prefixes.clone()),
        }
    }
}

fn compile_rule(
    spanned: toml::Spanned<raw::RawRule>,
    family: Option<&str>,
    pack: &PackInfo,
    file: &str,
    text: &str,
    origin: Origin,
) -> Result<Rule, RuleFileError> {
    let mut r = spanned.into_inner();
    if origin != Origin::Static {
        r.regex = with_fragments(r.regex, file, text)?;
        r.reject = r.reject.map(|p| with_fragments(p, file, text)).transpose()?;
        r.follows = r.follows.map(|p| with_fragments(p, file, text)).transpose()?;
    }
    let id = r.id.get_ref();
    let id_ok = !id.is_empty()
        && id.contains('.')
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-._".contains(&b));
    if !id_ok {
        return Err(RuleFileError::at(
            file,
            text,
            Some(r.id.span()),
            format!("invalid rule id `{id}`"),
            "ids are lowercase `family.name`, e.g. `aws.access-key-id`".into(),
        ));
    }
    if let Some(family) = family {
        if !id.strip_prefix(family).is_some_and(|rest| rest.starts_with('.')) {
            return Err(RuleFileError::at(
                file,
                text,
                Some(r.id.span()),
                format!("rule id `{id}` is not in family `{family}`"),
                format!("rules of pack `{family}` have ids starting with `{family}.`"),
            ));
        }
    }
    // Lowered in place: a start-up compiles thousands of keywords, and a copy each was a
    // tenth of it.
    let keywords_span = r.keywords.span();
    let mut keywords: Vec<String> = r.keywords.into_inner();
    keywords.iter_mut().for_each(|k| k.make_ascii_lowercase());
    let matcher = OnceLock::new();
    let required = OnceLock::new();
    let follows = OnceLock::new();
    if origin == Origin::User {
        let regex = compile_regex(&r.regex, file, text)?;
        let reject = r.reject.as_ref().map(|p| compile_regex(p, file, text)).transpose()?;
        let follows_regex = r
            .follows
            .as_ref()
            .map(|p| compile_regex(&toml::Spanned::new(p.span(), anchored(p.get_ref())), file, text))
            .transpose()?;
        let _ = follows.set(
            r.follows.as_ref().zip(follows_regex).map(|(p, regex)| follows::Follows::new(p.get_ref(), regex)),
        );
        let Some(secret_group) = regex.capture_names().position(|n| n == Some("secret")) else {
            return Err(RuleFileError::at(
                file,
                text,
                Some(r.regex.span()),
                "regex has no `secret` capture group".into(),
                "wrap the secret value in (?P<secret>...): only that span is masked and fingerprinted".into(),
            ));
        };
        let _ = required.set(required::Required::of(r.regex.get_ref(), &keywords));
        let _ = matcher.set(Matcher { regex, secret_group, reject });
    }
    if keywords.is_empty() || keywords.iter().any(|k| k.len() < 2) {
        return Err(RuleFileError::at(
            file,
            text,
            Some(keywords_span),
            "a rule needs keywords of at least 2 characters".into(),
            "keywords feed the prefilter: pick literal substrings every match contains".into(),
        ));
    }
    for e in [r.min_entropy, r.mixed_entropy].into_iter().flatten() {
        if !(0.0..=8.0).contains(&e) {
            return Err(RuleFileError::at(
                file,
                text,
                Some(r.id.span()),
                format!("entropy {e} is out of range"),
                "Shannon entropy per byte lies between 0 and 8".into(),
            ));
        }
    }
    // Without a declared list, a provider's keys go by its family name (`stripe` -> `STRIPE`).
    let mut env_prefixes = r
        .env_prefixes
        .or_else(|| pack.env_prefixes.clone())
        .unwrap_or_else(|| id.split('.').next().map(|f| vec![f.replace('-', "_")]).unwrap_or_default());
    env_prefixes.iter_mut().for_each(|p| p.make_ascii_uppercase());
    Ok(Rule {
        provider: pack.provider.clone(),
        env_prefixes,
        id: id.clone(),
        description: r.description,
        severity: r.severity,
        keywords,
        generic: r.generic,
        redact: r.redact,
        multiline: r.multiline,
        source: file.to_string(),
        pattern: r.regex.into_inner(),
        reject_pattern: r.reject.map(toml::Spanned::into_inner),
        follows_pattern: r.follows.map(toml::Spanned::into_inner),
        follows,
        matcher,
        required,
        min_length: r.min_length.unwrap_or(1),
        min_entropy: r.min_entropy,
        mixed_entropy: r.mixed_entropy,
        charset: r.charset,
        checksum: r.checksum,
        allow_values: r.allow_values.into_iter().map(String::into_bytes).collect(),
        ignore_decoys: r.ignore_decoys,
        near: r.near,
        near_lines: r.near_lines.unwrap_or(2),
        examples: r
            .examples
            .into_iter()
            .map(|e| match e.into_inner() {
                raw::RawExample::Text(text) => Example { text, secret: None },
                raw::RawExample::Pinned { text, secret } => Example { text, secret: Some(secret) },
            })
            .collect(),
        counter_examples: r.counter_examples.into_iter().map(toml::Spanned::into_inner).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule's every field but its examples, as text (sets sorted): what a scan uses.
    fn scanned_fields(rule: &Rule) -> String {
        let mut allow: Vec<&Vec<u8>> = rule.allow_values.iter().collect();
        allow.sort();
        format!(
            "{} {:?} {:?} {:?} {} {:?} {} {} {:?} {:?} {:?} {:?} {:?} {:?} {} {:?} {:?} {:?} {:?} {:?} {} {}",
            rule.id,
            rule.description,
            rule.severity,
            rule.keywords,
            rule.generic,
            rule.redact,
            rule.multiline,
            rule.provider,
            rule.env_prefixes,
            rule.pattern,
            rule.reject_pattern,
            rule.follows_pattern,
            rule.min_entropy,
            rule.mixed_entropy,
            rule.min_length,
            rule.charset,
            rule.checksum,
            allow,
            rule.ignore_decoys,
            rule.near,
            rule.near_lines,
            rule.source,
        )
    }

    #[test]
    fn the_packs_parsed_at_build_time_equal_the_packs_as_written() {
        let parsed = RuleSet::builtin().expect("static packs load");
        let written = RuleSet::builtin_with_examples().expect("written packs load");
        assert_eq!(parsed.rules.len(), written.rules.len());
        for (from_build, from_text) in parsed.rules.iter().zip(&written.rules) {
            assert_eq!(scanned_fields(from_build), scanned_fields(from_text));
            assert_eq!(from_build.example_count(), 0);
            assert!(from_text.example_count() > 0, "{}", from_text.id);
        }
        let decoy =
            |d: &Decoy| format!("{} {:?} {:?} {} {}", d.id, d.pattern, d.applies_to, d.deleet, d.max_len);
        for (from_build, from_text) in
            [(&parsed.decoys.values, &written.decoys.values), (&parsed.decoys.lines, &written.decoys.lines)]
        {
            let ids = |list: &Vec<Decoy>| list.iter().map(decoy).collect::<Vec<_>>();
            assert_eq!(ids(from_build), ids(from_text));
            assert!(!from_text.is_empty());
        }
        assert_eq!(parsed.decoys.dummies.len(), written.decoys.dummies.len());
        for (from_build, from_text) in parsed.decoys.dummies.iter().zip(&written.decoys.dummies) {
            assert_eq!(
                (
                    &from_build.id,
                    &from_build.values,
                    &from_build.words,
                    from_build.counting,
                    from_build.typed,
                    &from_build.kind_words,
                    from_build.applies_to,
                    &from_build.rules
                ),
                (
                    &from_text.id,
                    &from_text.values,
                    &from_text.words,
                    from_text.counting,
                    from_text.typed,
                    &from_text.kind_words,
                    from_text.applies_to,
                    &from_text.rules
                )
            );
        }
    }
}
