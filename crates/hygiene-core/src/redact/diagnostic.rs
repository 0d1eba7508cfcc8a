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
        let text = |s: String| redactor.redact(&s).into_owned();
        let cause = match diagnostic.diagnostic_source() {
            Some(inner) => Some(Box::new(RedactedDiagnostic::new(inner, redactor))),
            None => diagnostic.source().map(|e| Box::new(RedactedDiagnostic::from_error(e, redactor))),
        };
        RedactedDiagnostic {
            message: text(diagnostic.to_string()),
            code: diagnostic.code().map(|c| c.to_string()),
            severity: diagnostic.severity(),
            help: diagnostic.help().map(|h| text(h.to_string())),
            url: diagnostic.url().map(|u| u.to_string()),
            source: diagnostic.source_code().and_then(|s| masked_source(s, redactor)),
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
                .map(|d| RedactedDiagnostic::new(d, redactor))
                .collect(),
            cause,
        }
    }

    /// A plain error in a diagnostic's cause chain: its message, masked.
    fn from_error(error: &(dyn std::error::Error + 'static), redactor: &Redactor) -> RedactedDiagnostic {
        RedactedDiagnostic {
            message: redactor.redact(&error.to_string()).into_owned(),
            code: None,
            severity: None,
            help: None,
            url: None,
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
            cause: error.source().map(|e| Box::new(RedactedDiagnostic::from_error(e, redactor))),
        }
    }

    /// The masked source text, when the diagnostic had one.
    pub fn source_text(&self) -> Option<&str> {
        self.source.as_ref().map(|s| s.inner().as_str())
    }
}

/// The whole of `source`, each secret byte replaced by `*` (line breaks kept).
fn masked_source(source: &dyn SourceCode, redactor: &Redactor) -> Option<NamedSource<String>> {
    let whole = source.read_span(&SourceSpan::from(0..0), usize::MAX, usize::MAX).ok()?;
    let mut bytes = whole.data().to_vec();
    for r in redactor.find(&bytes) {
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
    Some(match whole.language() {
        Some(language) => named.with_language(language),
        None => named,
    })
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
}
