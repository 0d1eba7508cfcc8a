//! Accepted findings: inline markers (`hygiene:allow`, and the peers' `gitleaks:allow` and
//! `pragma: allowlist secret` so migrating repositories keep working), and path/rule
//! allowlists from `hygiene.toml`, each with a required reason. Suppressed findings are
//! counted in the report, never silently dropped.
//!
//! An inline marker is honoured only when it sits in a comment of the file's kind (`# ...` in
//! Python, shell, YAML, TOML; `// ...` or `/* ... */` in Rust, Go, JavaScript; `<!-- ... -->` in
//! Markdown and HTML; `-- ...` in SQL), never inside a quoted string, a URL or a log message,
//! and never in a log scope (`data/*/logs/**`), where the text is written by the service (or
//! an attacker) and not reviewed. It covers the one finding it is next to: a same-line marker
//! the finding nearest to it on its line, a next-line marker the first finding of the next line.
use std::ops::Range;

use globset::GlobSet;
use serde::Deserialize;

use crate::findings::Finding;

/// Markers that suppress a finding on their own line.
pub const SAME_LINE_MARKERS: &[&str] = &["hygiene:allow", "gitleaks:allow", "pragma: allowlist secret"];
/// Markers that suppress a finding on the next line.
pub const NEXT_LINE_MARKERS: &[&str] = &["hygiene:allow-next-line", "pragma: allowlist nextline secret"];

/// How comments are written in a kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentSyntax {
    /// Line comment openers (`#`, `//`, `--`, `;`).
    pub line: &'static [&'static str],
    /// Block comment delimiters (`/*` `*/`, `<!--` `-->`).
    pub block: &'static [(&'static str, &'static str)],
}

const HASH: CommentSyntax = CommentSyntax { line: &["#"], block: &[] };
const C_LIKE: CommentSyntax = CommentSyntax { line: &["//"], block: &[("/*", "*/")] };
const HASH_AND_C: CommentSyntax = CommentSyntax { line: &["#", "//"], block: &[("/*", "*/")] };
const MARKUP: CommentSyntax = CommentSyntax { line: &[], block: &[("<!--", "-->")] };
const MARKDOWN: CommentSyntax = CommentSyntax { line: &["#", "//"], block: &[("<!--", "-->"), ("/*", "*/")] };
const SQL: CommentSyntax = CommentSyntax { line: &["--"], block: &[("/*", "*/")] };
const INI: CommentSyntax = CommentSyntax { line: &["#", ";"], block: &[] };
const NONE: CommentSyntax = CommentSyntax { line: &[], block: &[] };

/// The comment syntax of a file, by its name (`display`, `/`-separated). Kinds without
/// comments (JSON, logs, CSV) have none, so a marker there is never honoured; an unknown
/// kind accepts `#` and `//` comments.
pub fn comment_syntax(display: &str) -> CommentSyntax {
    let name = display.rsplit('/').next().unwrap_or(display).to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    if matches!(name, "dockerfile" | "makefile" | "gemfile" | "rakefile" | "procfile" | "vagrantfile")
        || name.starts_with(".env")
        || name.ends_with(".env")
    {
        return HASH;
    }
    let ext = match name.rsplit_once('.') {
        Some((_, ext)) => ext,
        None => return HASH_AND_C,
    };
    match ext {
        "py" | "sh" | "bash" | "zsh" | "fish" | "ps1" | "yaml" | "yml" | "toml" | "rb" | "pl" | "r"
        | "conf" | "cfg" | "properties" | "tf" | "tfvars" | "hcl" | "nix" | "cmake" | "mk" => {
            if matches!(ext, "tf" | "tfvars" | "hcl") {
                HASH_AND_C
            } else {
                HASH
            }
        }
        "php" => HASH_AND_C,
        "ini" => INI,
        "rs" | "go" | "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "java" | "kt" | "kts" | "scala" | "c"
        | "h" | "cc" | "cpp" | "hpp" | "cs" | "swift" | "dart" | "groovy" | "gradle" | "jsonc" | "json5"
        | "proto" | "css" | "scss" | "less" => C_LIKE,
        // Markdown holds code blocks of any kind: their comments count too.
        "md" | "markdown" => MARKDOWN,
        "html" | "htm" | "xml" | "svg" | "vue" => MARKUP,
        "sql" | "lua" | "hs" => SQL,
        "json" | "jsonl" | "ndjson" | "log" | "csv" | "tsv" | "txt" | "out" | "err" => NONE,
        // Rotated logs: app.log.1
        _ if name.contains(".log.") => NONE,
        _ => HASH_AND_C,
    }
}

/// Where the comment parts of `line` are: byte ranges, found left to right outside quoted
/// strings. A `#` opens a comment only at the start of the line or after whitespace (so a URL
/// fragment is not one); `//` likewise, or after `;` (so `https://` and `a.b/c//d` are not one).
pub fn comment_ranges(line: &[u8], syntax: CommentSyntax) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if b == b'"' || b == b'\'' || b == b'`' {
            quote = Some(b);
            i += 1;
            continue;
        }
        let rest = &line[i..];
        if let Some((open, close)) = syntax.block.iter().find(|(open, _)| rest.starts_with(open.as_bytes())) {
            let body = i + open.len();
            let end = memchr::memmem::find(&line[body..], close.as_bytes()).map_or(line.len(), |e| body + e);
            ranges.push(body..end);
            i = (end + close.len()).min(line.len().max(end));
            continue;
        }
        if let Some(open) = syntax.line.iter().find(|open| rest.starts_with(open.as_bytes())) {
            let opens = match *open {
                "#" => i == 0 || line[i - 1].is_ascii_whitespace(),
                "//" => i == 0 || line[i - 1].is_ascii_whitespace() || line[i - 1] == b';',
                _ => i == 0 || line[i - 1].is_ascii_whitespace() || !line[i - 1].is_ascii_punctuation(),
            };
            if opens {
                ranges.push(i + open.len()..line.len());
                break;
            }
        }
        i += 1;
    }
    ranges
}

/// The start of the first marker of `markers` inside a comment of `line`, if any.
/// `hygiene:allow-next-line` is not a same-line `hygiene:allow`.
fn marker_in_comment(line: &[u8], syntax: CommentSyntax, markers: &[&str], same_line: bool) -> Option<usize> {
    comment_ranges(line, syntax).into_iter().find_map(|range| {
        let text = &line[range.clone()];
        markers.iter().find_map(|m| {
            memchr::memmem::find_iter(text, m.as_bytes())
                .find(|&at| !(same_line && text[at..].starts_with(b"hygiene:allow-next-line")))
                .map(|at| range.start + at)
        })
    })
}

/// Inline allow markers for one file.
#[derive(Debug, Clone, Copy)]
pub struct InlineAllow {
    syntax: CommentSyntax,
    /// A log scope: markers are never honoured.
    log: bool,
}

/// Whether a path is in a log scope (`data/*/logs/**`), where allow markers are never honoured.
pub fn in_log_scope(display: &str) -> bool {
    static LOGS: std::sync::LazyLock<GlobSet> = std::sync::LazyLock::new(|| {
        crate::walk::glob_set(&[crate::walk::LOG_SCOPE.to_string()]).expect("the log scope compiles")
    });
    LOGS.is_match(display)
}

impl InlineAllow {
    /// The rules for the file `display` (relative to the root, `/`-separated).
    pub fn for_file(display: &str) -> InlineAllow {
        InlineAllow { syntax: comment_syntax(display), log: in_log_scope(display) }
    }

    /// Whether a marker covers the finding whose secret is at `secret` in `line` (the line or
    /// lines holding it; `previous` is the line before). `secrets_on_line` gives the secrets of
    /// every finding on `line` (called only when a marker is there), so that a marker covers the
    /// one finding it is next to: on its own line the nearest one, on the line before it the
    /// first one.
    pub fn covers(
        &self,
        line: &[u8],
        previous: Option<&[u8]>,
        secret: Range<usize>,
        secrets_on_line: impl FnOnce() -> Vec<Range<usize>>,
    ) -> bool {
        // Every marker contains "allow": one prebuilt search settles the usual case.
        static ALLOW: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new("allow"));
        if self.log || (ALLOW.find(line).is_none() && previous.is_none_or(|p| ALLOW.find(p).is_none())) {
            return false;
        }
        let same = marker_in_comment(line, self.syntax, SAME_LINE_MARKERS, true);
        let next = previous.and_then(|p| marker_in_comment(p, self.syntax, NEXT_LINE_MARKERS, false));
        if same.is_none() && next.is_none() {
            return false;
        }
        let mut secrets = secrets_on_line();
        if !secrets.contains(&secret) {
            secrets.push(secret.clone());
        }
        if let Some(at) = same {
            let distance =
                |s: &Range<usize>| if s.end <= at { at - s.end } else { s.start.saturating_sub(at) };
            let nearest = secrets.iter().min_by_key(|s| (distance(s), s.start));
            if nearest == Some(&secret) {
                return true;
            }
        }
        if next.is_some() {
            let first = secrets.iter().min_by_key(|s| s.start);
            if first == Some(&secret) {
                return true;
            }
        }
        false
    }
}

/// One `[[allow]]` entry of `hygiene.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AllowEntry {
    /// Path globs (relative to the root); empty means every path.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Rule id globs (`generic.*`); empty means every rule.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Why this is acceptable. Required: an allowlist without a reason is a finding waiting
    /// to be forgotten.
    pub reason: String,
}

/// Compiled allowlist entries.
#[derive(Debug, Default)]
pub struct Allowlist {
    entries: Vec<(Option<GlobSet>, Option<GlobSet>)>,
}

impl Allowlist {
    /// Compiles entries; an empty reason or an entry naming neither paths nor rules is an error.
    pub fn new(entries: &[AllowEntry]) -> Result<Allowlist, crate::Error> {
        let mut compiled = Vec::new();
        for entry in entries {
            if entry.reason.trim().is_empty() {
                return Err(crate::Error::Allowlist("an [[allow]] entry has an empty `reason`".into()));
            }
            if entry.paths.is_empty() && entry.rules.is_empty() {
                return Err(crate::Error::Allowlist(format!(
                    "the [[allow]] entry \"{}\" names no `paths` and no `rules`: it would allow everything",
                    entry.reason
                )));
            }
            let paths = (!entry.paths.is_empty()).then(|| crate::walk::glob_set(&entry.paths)).transpose()?;
            let rules = (!entry.rules.is_empty()).then(|| crate::walk::glob_set(&entry.rules)).transpose()?;
            compiled.push((paths, rules));
        }
        Ok(Allowlist { entries: compiled })
    }

    /// Whether an entry accepts this finding (its path and its rule both match).
    pub fn allows(&self, finding: &Finding) -> bool {
        self.entries.iter().any(|(paths, rules)| {
            paths.as_ref().is_none_or(|p| p.is_match(&finding.file))
                && rules.as_ref().is_none_or(|r| r.is_match(&finding.rule_id))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the only finding of `line` (the secret `S3CR3T`) is covered in `file`.
    fn covered(file: &str, line: &str, previous: Option<&str>) -> bool {
        let at = line.find("S3CR3T").unwrap();
        let secret = at..at + 6;
        InlineAllow::for_file(file).covers(
            line.as_bytes(),
            previous.map(str::as_bytes),
            secret.clone(),
            || vec![secret],
        )
    }

    #[test]
    fn markers_count_only_in_comments_of_the_files_kind() {
        assert!(covered("cfg.py", "TOKEN = 'S3CR3T'  # hygiene:allow", None));
        assert!(covered("a.yaml", "token: S3CR3T # gitleaks:allow", None));
        assert!(covered("a.sh", "T=S3CR3T  # pragma: allowlist secret", None));
        assert!(covered("main.rs", "let t = \"S3CR3T\"; // hygiene:allow", None));
        assert!(covered("main.go", "t := \"S3CR3T\" /* hygiene:allow */", None));
        assert!(covered("docs/a.md", "T=S3CR3T <!-- hygiene:allow -->", None));
        assert!(covered("docs/a.md", "T=S3CR3T # hygiene:allow", None));
        assert!(covered("q.sql", "SELECT 'S3CR3T';", Some("-- hygiene:allow-next-line")));
        assert!(covered("a.py", "TOKEN=S3CR3T", Some("    # hygiene:allow-next-line")));
        // Not a comment: a quoted string, a URL, a log message, text without comment syntax.
        assert!(!covered("cfg.py", "TOKEN = 'S3CR3T hygiene:allow'", None));
        assert!(!covered("cfg.py", "TOKEN = \"S3CR3T # hygiene:allow\"", None));
        assert!(!covered("a.yaml", "url: https://x.example/S3CR3T#hygiene:allow", None));
        assert!(!covered("main.js", "fetch('https://x.example/S3CR3T//hygiene:allow')", None));
        assert!(!covered("main.js", "u = https://x.example/S3CR3T//hygiene:allow", None));
        assert!(!covered(
            "report.json",
            "{\"k\": \"S3CR3T\", \"note\": \"hygiene:allow\"} # hygiene:allow",
            None
        ));
        assert!(!covered("notes.txt", "S3CR3T # hygiene:allow", None));
        assert!(!covered("docs/a.md", "T=S3CR3T hygiene:allow", None));
        // The next-line marker is not a same-line one, and covers only the next line.
        assert!(!covered("a.py", "T=S3CR3T # hygiene:allow-next-line", None));
        assert!(!covered("a.py", "T=S3CR3T", Some("# hygiene:allow")));
        assert!(!covered("a.py", "T=S3CR3T", Some("x = 'hygiene:allow-next-line'")));
    }

    #[test]
    fn never_in_a_log_scope() {
        assert!(!covered("data/bot1/logs/app.py", "T=S3CR3T # hygiene:allow", None));
        assert!(!covered("data/bot1/logs/app.log", "2026-11-20 INFO user said # hygiene:allow S3CR3T", None));
        assert!(covered("data/bot1/state/app.py", "T=S3CR3T # hygiene:allow", None));
    }

    #[test]
    fn a_marker_covers_the_one_finding_next_to_it() {
        let line = "A=S3CR3T1 B=S3CR3T2 C=S3CR3T3 # hygiene:allow";
        let secrets: Vec<Range<usize>> = ["S3CR3T1", "S3CR3T2", "S3CR3T3"]
            .iter()
            .map(|s| line.find(s).unwrap()..line.find(s).unwrap() + 7)
            .collect();
        let allow = InlineAllow::for_file("a.sh");
        let covers = |s: &Range<usize>, previous: Option<&str>| {
            allow.covers(line.as_bytes(), previous.map(str::as_bytes), s.clone(), || secrets.clone())
        };
        assert_eq!(secrets.iter().map(|s| covers(s, None)).collect::<Vec<_>>(), [false, false, true]);
        let next = Some("# hygiene:allow-next-line");
        let plain = "A=S3CR3T1 B=S3CR3T2";
        let allow_next = |s: &Range<usize>| {
            allow.covers(plain.as_bytes(), next.map(str::as_bytes), s.clone(), || secrets[..2].to_vec())
        };
        assert_eq!([allow_next(&secrets[0]), allow_next(&secrets[1])], [true, false]);
    }
}
