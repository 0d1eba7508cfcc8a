//! Diagnostics that never show a secret: a copy of any miette diagnostic whose source
//! snippet, message, labels, help and causes went through the redactor first.
//!
//! In the source, every byte of a secret becomes `*` (line breaks inside a private-key block
//! stay), so the text keeps its length, byte offsets and lines: labels and underlines still
//! point where they pointed. Messages, labels and help get the usual `****ABCD` masks.
use std::fmt;

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode, SourceSpan};

use super::Redactor;

/// `diagnostic` as it may be shown: every secret the built-in rules find in its source
/// snippet, message, labels, help and causes masked (see [`RedactedDiagnostic`]). Every
/// diagnostic the `hygiene` binary prints or writes into a report goes through here.
pub fn redacted(diagnostic: &dyn Diagnostic) -> miette::Report {
    static REDACTOR: std::sync::OnceLock<Option<Redactor>> = std::sync::OnceLock::new();
    match REDACTOR.get_or_init(|| Redactor::builder().build().ok()) {
        Some(redactor) => miette::Report::new(RedactedDiagnostic::new(diagnostic, redactor)),
        // Never expected (the built-in rules are tested); without them nothing can be shown safely.
        None => miette::miette!("an error occurred; its details are withheld because the built-in rules needed to mask them could not be loaded"),
    }
}

/// A diagnostic rebuilt with its secrets masked; render it like the original.
#[derive(Debug)]
pub struct RedactedDiagnostic {
    message: String,
    code: Option<String>,
    severity: Option<Severity>,
    help: Option<String>,
    url: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<RedactedDiagnostic>,
    cause: Option<Box<RedactedDiagnostic>>,
}

impl RedactedDiagnostic {
    /// Copies `diagnostic` (and its related diagnostics and causes), masking what `redactor` finds.
    pub fn new(diagnostic: &dyn Diagnostic, redactor: &Redactor) -> RedactedDiagnostic {
        RedactedDiagnostic::with_found(diagnostic, redactor, &[])
    }

    /// [`RedactedDiagnostic::new`], also masking `found` (secrets found in an enclosing
    /// diagnostic's source) wherever its texts quote them.
    fn with_found(diagnostic: &dyn Diagnostic, redactor: &Redactor, found: &[String]) -> RedactedDiagnostic {
        let (source, mut found_here) = match diagnostic.source_code().and_then(|s| masked_source(s, redactor))
        {
            Some((source, values)) => (Some(source), values),
            None => (None, Vec::new()),
        };
        found_here.extend_from_slice(found);
        // Longest first, so a value that contains another is masked whole.
        found_here.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        found_here.dedup();
        let found = found_here;
        // A value that is a secret in its source (by its context there) is still one when a
        // message quotes it out of that context, or lower-cased: mask those quotes first.
        let text = |s: String| redactor.redact(&mask_quoted(&s, &found)).into_owned();
        let cause = match diagnostic.diagnostic_source() {
            Some(inner) => Some(Box::new(RedactedDiagnostic::with_found(inner, redactor, &found))),
            None => {
                diagnostic.source().map(|e| Box::new(RedactedDiagnostic::from_error(e, redactor, &found)))
            }
        };
        RedactedDiagnostic {
            message: text(diagnostic.to_string()),
            code: diagnostic.code().map(|c| c.to_string()),
            severity: diagnostic.severity(),
            help: diagnostic.help().map(|h| text(h.to_string())),
            url: diagnostic.url().map(|u| u.to_string()),
            source,
            labels: diagnostic
                .labels()
                .into_iter()
                .flatten()
                .map(|l| {
                    let label = l.label().map(|t| text(t.to_string()));
                    if l.primary() {
                        LabeledSpan::new_primary_with_span(label, *l.inner())
                    } else {
                        LabeledSpan::new_with_span(label, *l.inner())
                    }
                })
                .collect(),
            related: diagnostic
                .related()
                .into_iter()
                .flatten()
                .map(|d| RedactedDiagnostic::with_found(d, redactor, &found))
                .collect(),
            cause,
        }
    }

    /// A plain error in a diagnostic's cause chain: its message, masked.
    fn from_error(
        error: &(dyn std::error::Error + 'static),
        redactor: &Redactor,
        found: &[String],
    ) -> RedactedDiagnostic {
        RedactedDiagnostic {
            message: redactor.redact(&mask_quoted(&error.to_string(), found)).into_owned(),
            code: None,
            severity: None,
            help: None,
            url: None,
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
            cause: error.source().map(|e| Box::new(RedactedDiagnostic::from_error(e, redactor, found))),
        }
    }

    /// The masked source text, when the diagnostic had one.
    pub fn source_text(&self) -> Option<&str> {
        self.source.as_ref().map(|s| s.inner().as_str())
    }
}

/// Shortest piece of a secret found in a diagnostic's source that is masked where the
/// diagnostic's texts quote it.
const MIN_QUOTED: usize = 8;

/// `text` with every occurrence of each of `values` (ASCII case ignored) replaced by its mask.
fn mask_quoted(text: &str, values: &[String]) -> String {
    let mut out = text.to_string();
    for value in values {
        let needle = value.to_ascii_lowercase();
        // Lower-casing ASCII keeps every byte offset, so a match in the lower-cased text is
        // at the same offsets in `out`. Each mask is shorter than the value: this ends.
        while let Some(at) = out.to_ascii_lowercase().find(&needle) {
            out.replace_range(at..at + value.len(), &super::mask(value));
        }
    }
    out
}

/// The whole of `source`, each secret byte replaced by `*` (line breaks kept), and the secrets
/// found (each line of a multi-line one, at least [`MIN_QUOTED`] bytes).
fn masked_source(source: &dyn SourceCode, redactor: &Redactor) -> Option<(NamedSource<String>, Vec<String>)> {
    let whole = source.read_span(&SourceSpan::from(0..0), usize::MAX, usize::MAX).ok()?;
    let mut bytes = whole.data().to_vec();
    let mut found = Vec::new();
    for r in redactor.find(&bytes) {
        for piece in bytes[r.span.clone()].split(|&b| matches!(b, b'\n' | b'\r')) {
            if let Ok(piece) = std::str::from_utf8(piece) {
                if piece.len() >= MIN_QUOTED {
                    found.push(piece.to_string());
                }
            }
        }
        for b in &mut bytes[r.span] {
            if !matches!(*b, b'\n' | b'\r') {
                *b = b'*';
            }
        }
    }
    // Secrets are replaced byte for byte by ASCII, so a split character becomes `*` too; the
    // rest is the original (UTF-8) text.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let name = whole.name().unwrap_or_default().to_string();
    let named = NamedSource::new(name, text);
    let named = match whole.language() {
        Some(language) => named.with_language(language),
        None => named,
    };
    Some((named, found))
}

impl fmt::Display for RedactedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RedactedDiagnostic {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl Diagnostic for RedactedDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        self.severity
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url.as_ref().map(|u| Box::new(u) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.cause.as_deref().map(|c| c as &dyn Diagnostic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::mask;

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("bad value")]
    struct Bad {
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: SourceSpan,
    }

    #[test]
    fn masks_source_in_place_keeping_offsets_and_lines() {
        let token = format!("{}{}", "ghp_", "77CtuaYzHAZD6xtaWhg7Jcd9WlDIh71tZbyi");
        let body: String = (0..3)
            .map(|i| {
                format!("{}\n", ["MIIEpAIBAAKCAQEA", "x7Kq2Vb9XzL4mWc8", "TfY1pHs5JdA3uGe6"][i].repeat(4))
            })
            .collect();
        let key = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}-----END RSA PRIVATE KEY-----\n");
        let text = format!("caf\u{e9} = 1\ntoken = \"{token}\" x\n{key}after = 2\n");
        let at = text.find("x\n").unwrap();
        let bad = Bad { src: NamedSource::new("f.toml", text.clone()), span: (at, 1).into() };
        let redactor = Redactor::builder().build().unwrap();
        let masked = RedactedDiagnostic::new(&bad, &redactor);
        let source = masked.source_text().unwrap();
        assert_eq!(source.len(), text.len());
        assert_eq!(source.lines().count(), text.lines().count());
        assert!(!source.contains(&token) && !source.contains("MIIEpAIBAAKCAQEA"), "{source}");
        assert!(source.contains(&format!("token = \"{}\" x\n", "*".repeat(token.len()))), "{source}");
        assert!(source.starts_with("caf\u{e9} = 1\n") && source.ends_with("after = 2\n"));
        let label = masked.labels().unwrap().next().unwrap();
        assert_eq!((label.offset(), label.len()), (at, 1));
        assert_eq!(&source[at..at + 1], "x");
    }

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("unknown column `{quoted}`")]
    #[diagnostic(help("columns: {help}"))]
    struct Quoting {
        quoted: String,
        help: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("here")]
        span: SourceSpan,
        #[related]
        related: Vec<Quoting>,
    }

    /// A value that is a secret in its source only by its context there (a `token:` key) is
    /// still masked where the message, help or a related diagnostic quotes it out of that
    /// context, or lower-cased (found by the rotation_csv fuzz target: a CSV header cell).
    #[test]
    fn a_secret_of_the_source_is_masked_where_a_message_quotes_it() {
        let value = ["Wq3vXk9TbR", "2mLz7Hs4Np"].concat();
        let text = format!("name,token: '{value}',date\n");
        let redactor = Redactor::builder().build().unwrap();
        assert!(!redactor.find(text.as_bytes()).is_empty(), "the value is a secret in its source");
        let lower = value.to_ascii_lowercase();
        let quoted = format!("name,{lower}");
        assert_eq!(
            redactor.redact(&quoted),
            quoted,
            "out of its context only the mask of its source finds it"
        );
        assert_eq!(redactor.redact(&value), value);
        let quoting = |related| Quoting {
            quoted: quoted.clone(),
            help: value.clone(),
            src: NamedSource::new("export.csv", text.clone()),
            span: (0, 4).into(),
            related,
        };
        let masked = RedactedDiagnostic::new(&quoting(vec![quoting(Vec::new())]), &redactor);
        let related: Vec<_> = masked.related().unwrap().collect();
        let shown = [
            masked.to_string(),
            masked.help().unwrap().to_string(),
            related[0].to_string(),
            related[0].help().unwrap().to_string(),
        ];
        for text in &shown {
            assert!(!text.to_ascii_lowercase().contains(&lower[..12]), "{text}");
            assert!(text.contains(&mask(&value)), "{text}");
        }
    }
}
