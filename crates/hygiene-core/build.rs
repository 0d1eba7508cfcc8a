//! Embeds every `rules/*.toml` rule pack (the packs stay data at the repository root,
//! `../../rules` from this crate) in the library, twice:
//!
//! - `builtin_rules.rs`: a table of `(file name, include_str!(...))` pairs, the packs as
//!   written, for `rules check` and the tests (they parse the TOML, examples included, with
//!   the same code and errors as a user's pack);
//! - `builtin_packs.rs`: the packs already parsed, as Rust statics without their examples
//!   (`src/rules/builtin.rs` declares the types), their patterns' shared `{name}` fragments
//!   already expanded (`src/rules/fragments.rs`). Parsing 350 TOML files was a third of a
//!   pre-commit run's start-up; a scan now only copies these into rules.
//!
//! Only the shape is read here; every value is checked at run time by the same code that
//! checks a user's pack, and a test compares the statics with the parsed TOML field by field.
//! A key this script does not know stops the build (a field added to `raw.rs` must be added
//! here too, or the built-in rules would silently lack it).
use std::fmt::Write as _;
use std::{env, fs, path::Path, path::PathBuf};

use toml::{Table, Value};

// The fragments a pattern may use as `{name}`: the statics hold patterns expanded, so a scan's
// start-up does not expand them again.
#[path = "src/rules/fragments.rs"]
#[allow(dead_code)]
mod fragments;

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules_dir = manifest.join("../../rules");
    let rules_dir = rules_dir.canonicalize().unwrap_or(rules_dir);
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    println!("cargo:rerun-if-changed={}", manifest.join("src/rules/fragments.rs").display());
    let mut files: Vec<PathBuf> = fs::read_dir(&rules_dir)
        .expect("rules/ directory exists")
        .map(|entry| entry.expect("readable rules/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut table = String::from("&[\n");
    let mut packs = String::from("&[\n");
    let mut decoys = String::from("StaticDecoys { value: &[], line: &[], dummy: &[] }");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        table.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
        let text = fs::read_to_string(path).expect("readable rule pack");
        // A pack that is not valid TOML is left to the run-time parser, whose error names the
        // line; the static table then lacks it and the tests say so.
        let Ok(parsed) = text.parse::<Table>() else { continue };
        let pack = Emit::new(path);
        if name == "decoys.toml" {
            decoys = pack.decoys(&parsed);
        } else {
            packs.push_str(&pack.pack(&name, &parsed));
            packs.push_str(",\n");
        }
    }
    table.push_str("]\n");
    packs.push_str("]\n");
    fs::write(out_dir.join("builtin_rules.rs"), table).expect("write builtin_rules.rs");
    fs::write(out_dir.join("builtin_packs.rs"), packs).expect("write builtin_packs.rs");
    fs::write(out_dir.join("builtin_decoys.rs"), decoys).expect("write builtin_decoys.rs");
}

/// Writes one pack's statics; `path` names the pack in a build error.
struct Emit<'a> {
    path: &'a Path,
}

impl<'a> Emit<'a> {
    fn new(path: &'a Path) -> Emit<'a> {
        Emit { path }
    }

    fn fail(&self, what: String) -> ! {
        panic!("{}: {what} (run `hygiene rules check` for the full diagnosis)", self.path.display())
    }

    /// Stops on a key outside `known`.
    fn only(&self, table: &Table, known: &[&str], what: &str) {
        if let Some(key) = table.keys().find(|k| !known.contains(&k.as_str())) {
            self.fail(format!("{what} has key `{key}`, which build.rs does not know; add it there"));
        }
    }

    fn pack(&self, file: &str, parsed: &Table) -> String {
        self.only(parsed, &["pack", "rules"], "the pack");
        let meta = parsed.get("pack").map(|v| self.table(v, "[pack]"));
        if let Some(meta) = meta {
            self.only(meta, &["name", "description", "env_prefixes"], "[pack]");
        }
        let field = |key: &str| meta.and_then(|m| m.get(key));
        let mut out = format!(
            "StaticPack {{ file: {file:?}, name: {}, description: {}, env_prefixes: {}, rules: &[\n",
            self.opt_str(field("name")),
            self.opt_str(field("description")),
            self.opt_strs(field("env_prefixes")),
        );
        for rule in parsed.get("rules").map(|v| self.array(v, "rules")).unwrap_or(&[]) {
            out.push_str(&self.rule(self.table(rule, "[[rules]]")));
            out.push_str(",\n");
        }
        out.push_str("] }");
        out
    }

    fn rule(&self, rule: &Table) -> String {
        self.only(
            rule,
            &[
                "id",
                "description",
                "regex",
                "keywords",
                "severity",
                "min_length",
                "min_entropy",
                "mixed_entropy",
                "charset",
                "checksum",
                "generic",
                "allow_values",
                "ignore_decoys",
                "near",
                "near_lines",
                "env_prefixes",
                "reject",
                "follows",
                "redact",
                "multiline",
                "examples",
                "counter_examples",
            ],
            "a rule",
        );
        let get = |key: &str| rule.get(key);
        let mut out = String::from("StaticRule {");
        let _ = write!(
            out,
            " id: {}, description: {}, regex: {}, keywords: {}, severity: {},",
            self.str(get("id"), "id"),
            self.str(get("description"), "description"),
            self.pattern(get("regex"), "regex"),
            self.strs(get("keywords")),
            self.variant(get("severity"), "severity", &["low", "medium", "high", "critical"], "Severity"),
        );
        let _ = write!(
            out,
            " min_length: {}, min_entropy: {}, mixed_entropy: {}, charset: {}, checksum: {},",
            self.opt_usize(get("min_length")),
            self.opt_float(get("min_entropy")),
            self.opt_float(get("mixed_entropy")),
            self.opt_variant(get("charset"), &["hex", "alnum", "base64", "base64url", "any"], "Charset"),
            self.opt_variant(get("checksum"), &["github-crc32", "bech32", "pypi-macaroon"], "Checksum"),
        );
        let _ = write!(
            out,
            " generic: {}, allow_values: {}, ignore_decoys: {}, near: {}, near_lines: {},",
            self.bool(get("generic")),
            self.strs(get("allow_values")),
            self.strs(get("ignore_decoys")),
            self.strs(get("near")),
            self.opt_usize(get("near_lines")),
        );
        let _ = write!(
            out,
            " env_prefixes: {}, reject: {}, follows: {}, redact: {}, multiline: {} }}",
            self.opt_strs(get("env_prefixes")),
            self.opt_pattern(get("reject")),
            self.opt_pattern(get("follows")),
            self.opt_variant(get("redact"), &["secret", "match"], "RedactSpan"),
            self.bool(get("multiline")),
        );
        out
    }

    fn decoys(&self, parsed: &Table) -> String {
        self.only(parsed, &["value", "line", "dummy"], "decoys.toml");
        let list = |key: &str| parsed.get(key).map(|v| self.array(v, key)).unwrap_or(&[]);
        let decoy_list = |key: &str| {
            let mut out = String::from("&[\n");
            for decoy in list(key) {
                let decoy = self.table(decoy, key);
                self.only(
                    decoy,
                    &[
                        "id",
                        "description",
                        "regex",
                        "applies_to",
                        "deleet",
                        "max_len",
                        "examples",
                        "counter_examples",
                    ],
                    "a decoy",
                );
                let _ = writeln!(
                    out,
                    "StaticDecoy {{ id: {}, regex: {}, applies_to: {}, deleet: {}, max_len: {} }},",
                    self.str(decoy.get("id"), "id"),
                    self.pattern(decoy.get("regex"), "regex"),
                    self.opt_variant(decoy.get("applies_to"), &["all", "generic", "vendor"], "DecoyScope"),
                    self.bool(decoy.get("deleet")),
                    self.opt_usize(decoy.get("max_len")),
                );
            }
            out.push(']');
            out
        };
        let mut dummies = String::from("&[\n");
        for dummy in list("dummy") {
            let dummy = self.table(dummy, "dummy");
            self.only(
                dummy,
                &[
                    "id",
                    "description",
                    "values",
                    "words",
                    "counting",
                    "typed",
                    "kind_words",
                    "applies_to",
                    "rules",
                    "examples",
                    "counter_examples",
                ],
                "a dummy",
            );
            let _ = writeln!(
                dummies,
                "StaticDummy {{ id: {}, values: {}, words: {}, counting: {}, typed: {}, kind_words: {}, applies_to: {}, rules: {} }},",
                self.str(dummy.get("id"), "id"),
                self.strs(dummy.get("values")),
                self.strs(dummy.get("words")),
                self.bool(dummy.get("counting")),
                self.typed(dummy.get("typed")),
                self.strs(dummy.get("kind_words")),
                self.opt_variant(dummy.get("applies_to"), &["all", "generic", "vendor"], "DecoyScope"),
                self.strs(dummy.get("rules")),
            );
        }
        dummies.push(']');
        format!(
            "StaticDecoys {{ value: {}, line: {}, dummy: {dummies} }}",
            decoy_list("value"),
            decoy_list("line")
        )
    }

    fn table<'v>(&self, value: &'v Value, what: &str) -> &'v Table {
        value.as_table().unwrap_or_else(|| self.fail(format!("`{what}` is not a table")))
    }

    fn array<'v>(&self, value: &'v Value, what: &str) -> &'v [Value] {
        value.as_array().map(Vec::as_slice).unwrap_or_else(|| self.fail(format!("`{what}` is not an array")))
    }

    fn str(&self, value: Option<&Value>, what: &str) -> String {
        match value.and_then(Value::as_str) {
            Some(s) => format!("{s:?}"),
            None => self.fail(format!("`{what}` is missing or not a string")),
        }
    }

    /// A regex, its `{name}` fragments expanded. An unknown fragment is left as written: the
    /// run-time parser of the same pack reports it, at its span, and the tests fail.
    fn pattern(&self, value: Option<&Value>, what: &str) -> String {
        match value.and_then(Value::as_str) {
            Some(s) => format!("{:?}", fragments::expand(s).unwrap_or(std::borrow::Cow::Borrowed(s))),
            None => self.fail(format!("`{what}` is missing or not a string")),
        }
    }

    fn opt_pattern(&self, value: Option<&Value>) -> String {
        value.map_or_else(|| "None".into(), |v| format!("Some({})", self.pattern(Some(v), "a pattern")))
    }

    fn opt_str(&self, value: Option<&Value>) -> String {
        value.map_or_else(|| "None".into(), |v| format!("Some({})", self.str(Some(v), "a string field")))
    }

    fn strs(&self, value: Option<&Value>) -> String {
        let items: Vec<String> = value
            .map(|v| self.array(v, "a list").iter().map(|item| self.str(Some(item), "a list item")).collect())
            .unwrap_or_default();
        format!("&[{}]", items.join(", "))
    }

    fn opt_strs(&self, value: Option<&Value>) -> String {
        value.map_or_else(|| "None".into(), |v| format!("Some({})", self.strs(Some(v))))
    }

    /// A `[[dummy]]`'s `typed`: which shapes of typed runs it catches.
    fn typed(&self, value: Option<&Value>) -> String {
        match value.map(|v| v.as_str()) {
            None => "None".into(),
            Some(Some("runs")) => "Some(crate::rules::dummy::Shapes::Runs)".into(),
            Some(Some("all")) => "Some(crate::rules::dummy::Shapes::All)".into(),
            Some(_) => self.fail("`typed` is not \"runs\" or \"all\"".into()),
        }
    }

    fn bool(&self, value: Option<&Value>) -> bool {
        value
            .map(|v| v.as_bool().unwrap_or_else(|| self.fail("a flag is not true/false".into())))
            .unwrap_or(false)
    }

    fn opt_usize(&self, value: Option<&Value>) -> String {
        match value {
            None => "None".into(),
            Some(v) => match v.as_integer().and_then(|n| usize::try_from(n).ok()) {
                Some(n) => format!("Some({n})"),
                None => self.fail("a count is not a non-negative integer".into()),
            },
        }
    }

    fn opt_float(&self, value: Option<&Value>) -> String {
        match value {
            None => "None".into(),
            Some(Value::Float(f)) => format!("Some({f:?})"),
            Some(Value::Integer(n)) => format!("Some({n}.0)"),
            Some(_) => self.fail("`min_entropy` or `mixed_entropy` is not a number".into()),
        }
    }

    fn variant(&self, value: Option<&Value>, what: &str, names: &[&str], ty: &str) -> String {
        let name = value.and_then(Value::as_str).unwrap_or_else(|| self.fail(format!("`{what}` is missing")));
        if !names.contains(&name) {
            self.fail(format!("`{what}` is `{name}`, not one of {names:?}"));
        }
        let camel: String = name
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
            })
            .collect();
        format!("{ty}::{camel}")
    }

    fn opt_variant(&self, value: Option<&Value>, names: &[&str], ty: &str) -> String {
        value.map_or_else(|| "None".into(), |v| format!("Some({})", self.variant(Some(v), ty, names, ty)))
    }
}
