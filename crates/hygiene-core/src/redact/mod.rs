//! Redaction: one masking function (`****ABCD`) shared with the scanner's report, a
//! [`Redactor`] that masks every secret the rules recognise plus the values a service knows it
//! holds, and a streaming filter for logs.
pub mod diagnostic;
pub mod known;
mod stream;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::detect::Detector;
use crate::rules::{RedactSpan, RuleSet};

pub use stream::StreamRedactor;

/// Values shorter than this are masked completely: their last 4 characters would give
/// away too large a share of the value.
pub const MIN_LEN_FOR_SUFFIX: usize = 12;

/// Masks a secret: `****` followed by its last 4 characters, or `****` alone when the value
/// is shorter than [`MIN_LEN_FOR_SUFFIX`] characters. Counts characters, not bytes, so a
/// UTF-8 sequence is never split.
///
/// A mask is printed on terminals and in CI annotations, so it shows at most 4 *printable*
/// characters and never a control character: trailing whitespace and control characters
/// (a key block's final line break) are dropped first, and only the printable characters
/// after the last unprintable one (an ESC, a zero-width or bidirectional mark) are shown.
///
/// ```
/// use hygiene_core::redact::mask;
/// assert_eq!(mask("sk_live_51Hq8ZrKd0LmXw7PfT3uYh9s"), "****Yh9s"); // hygiene:allow
/// assert_eq!(mask("hunter2"), "****");
/// assert_eq!(mask("Zq8vN3kL0pRt7wYx\u{1b}[0m"), "****[0m");
/// ```
pub fn mask(secret: &str) -> String {
    let count = secret.chars().count();
    if count < MIN_LEN_FOR_SUFFIX {
        return "****".to_string();
    }
    let trimmed = secret.trim_end_matches(|c: char| c.is_whitespace() || !printable(c));
    let tail: Vec<char> = trimmed.chars().rev().take(4).take_while(|c| printable(*c)).collect();
    let mut out = String::from("****");
    out.extend(tail.iter().rev());
    out
}

/// Whether `c` may appear in a mask: not a control character, not whitespace, and not an
/// invisible formatting character (zero-width, bidirectional controls, soft hyphen, BOM).
fn printable(c: char) -> bool {
    !c.is_control()
        && !c.is_whitespace()
        && !matches!(c, '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

/// [`mask`] for raw bytes; invalid UTF-8 counts as one replacement character per bad sequence.
pub fn mask_bytes(secret: &[u8]) -> String {
    mask(&String::from_utf8_lossy(secret))
}

/// Why a span was redacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A rule matched (index into the detector's rules).
    Rule(usize),
    /// A known value (or one of its encodings) occurred.
    Known,
}

/// A span to replace with its mask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    /// Byte range in the input.
    pub span: Range<usize>,
    /// What found it.
    pub source: Source,
    /// Mask line by line, nothing of the value kept but `-----BEGIN/END ...-----` armour and
    /// line breaks: a private-key block's last characters are armour, not a hint worth keeping.
    pub whole: bool,
}

/// Builds a [`Redactor`].
#[derive(Debug, Default)]
pub struct RedactorBuilder {
    rules: Option<RuleSet>,
    known: Vec<String>,
}

impl RedactorBuilder {
    /// Use these rules (default: the built-in packs).
    pub fn rules(mut self, rules: RuleSet) -> Self {
        self.rules = Some(rules);
        self
    }

    /// Also redact this literal value wherever it appears, in any common encoding.
    /// Values shorter than [`known::MIN_KNOWN_LEN`] are ignored.
    pub fn known_value(mut self, value: impl Into<String>) -> Self {
        self.known.push(value.into());
        self
    }

    /// Also redact each of these values.
    pub fn known_values(mut self, values: impl IntoIterator<Item = String>) -> Self {
        self.known.extend(values);
        self
    }

    /// Builds the redactor (compiles the rules and the known-value automaton).
    pub fn build(self) -> Result<Redactor, crate::Error> {
        let rules = match self.rules {
            Some(rules) => rules,
            None => RuleSet::builtin()?,
        };
        let detector = Detector::new(rules)?;
        // Each form, and whether it is a base64 fragment (its match is widened to the token).
        let mut forms: Vec<(Vec<u8>, bool)> = Vec::new();
        let mut ignored = 0;
        for value in &self.known {
            if value.chars().count() < known::MIN_KNOWN_LEN {
                ignored += 1;
                continue;
            }
            forms.extend(known::encodings(value).into_iter().map(|f| {
                let b64 = known::is_base64_form(value, &f);
                (f, b64)
            }));
        }
        forms.sort();
        forms.dedup_by(|a, b| {
            let same = a.0 == b.0;
            if same {
                b.1 |= a.1;
            }
            same
        });
        let base64_forms: Vec<bool> = forms.iter().map(|f| f.1).collect();
        let patterns: Vec<Vec<u8>> = forms.into_iter().map(|f| f.0).collect();
        let known_values = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .map_err(|e| crate::Error::Prefilter(e.to_string()))?,
            )
        };
        Ok(Redactor { detector, known_values, base64_forms, known_ignored: ignored })
    }
}

/// Masks secrets in text. Built once, `Send + Sync`, cheap to share across threads.
///
/// ```
/// use hygiene_core::redact::Redactor;
///
/// // The service knows its own credentials (here from its environment) and scrubs them from
/// // exception text before writing a report, even where no rule would recognise them.
/// let api_secret = "shared-signing-secret-42x"; // e.g. std::env::var("BOT1_BITGET_SECRET") hygiene:allow
/// let redactor = Redactor::builder().known_value(api_secret).build()?;
/// let error = format!("AuthError: signature rejected for secret={api_secret} (code 40037)");
/// let clean = redactor.redact(&error);
/// assert_eq!(clean, "AuthError: signature rejected for secret=****-42x (code 40037)");
/// assert!(!clean.contains(api_secret));
/// # Ok::<(), hygiene_core::Error>(())
/// ```
#[derive(Debug)]
pub struct Redactor {
    detector: Detector,
    known_values: Option<AhoCorasick>,
    /// Per known-value pattern: a base64 fragment.
    base64_forms: Vec<bool>,
    known_ignored: usize,
}

impl Redactor {
    /// A builder with the built-in rules and no known values.
    pub fn builder() -> RedactorBuilder {
        RedactorBuilder::default()
    }

    /// The detector the redactor runs.
    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// Known values that were too short to search for.
    pub fn known_ignored(&self) -> usize {
        self.known_ignored
    }

    /// Every span to replace in `bytes`: sorted, disjoint (overlapping finds are merged).
    pub fn find(&self, bytes: &[u8]) -> Vec<Redaction> {
        let mut spans: Vec<Redaction> = self
            .detector
            .find(bytes)
            .into_iter()
            .map(|m| {
                // An encoded secret is replaced by a bare `****`: the last characters of a
                // base64 blob or an escaped span are not worth keeping as a hint.
                let (span, whole) = match self.detector.rules()[m.rule].redact {
                    RedactSpan::Secret => (m.secret, m.decoded.is_some()),
                    RedactSpan::Match => (m.span, true),
                };
                Redaction { span, source: Source::Rule(m.rule), whole }
            })
            .collect();
        if let Some(automaton) = &self.known_values {
            spans.extend(automaton.find_iter(bytes).map(|m| {
                let span = if self.base64_forms[m.pattern().as_usize()] {
                    known::widen_base64(bytes, m.range())
                } else {
                    m.range()
                };
                Redaction { span, source: Source::Known, whole: false }
            }));
            // Any mix of percent escapes, JSON escapes and literal characters, nested up to
            // three deep (JSON in a URL parameter in a JSON log line).
            let mut view: Option<(Vec<u8>, Vec<usize>)> = None;
            for _ in 0..3 {
                let current = view.as_ref().map_or(bytes, |(text, _)| text.as_slice());
                let Some((decoded, map)) = known::decoded_view(current) else {
                    break;
                };
                // Offsets into `bytes`, through the earlier layers.
                let map: Vec<usize> = match &view {
                    Some((_, outer)) => map.iter().map(|&i| outer[i]).collect(),
                    None => map,
                };
                spans.extend(automaton.find_iter(&decoded).map(|m| Redaction {
                    span: map[m.start()]..map[m.end()],
                    source: Source::Known,
                    whole: false,
                }));
                if decoded.len() == current.len() {
                    break; // nothing left to decode
                }
                view = Some((decoded, map));
            }
        }
        merge(spans)
    }

    /// `bytes` with every secret masked; borrowed when nothing matched. Bytes outside the
    /// secrets are copied unchanged (invalid UTF-8, CRLF and all).
    pub fn redact_bytes<'a>(&self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        let spans = self.find(bytes);
        if spans.is_empty() {
            return Cow::Borrowed(bytes);
        }
        Cow::Owned(apply(bytes, &spans))
    }

    /// `text` with every secret masked; borrowed when nothing matched.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.redact_bytes(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            // Masks are whole characters and spans start and end on ASCII or at line ends, so
            // the result is UTF-8; the lossy path is a guard, never expected.
            Cow::Owned(bytes) => Cow::Owned(
                String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            ),
        }
    }

    /// A count per rule id (`known-value` for known values) of what `spans` redacted.
    pub fn tally(&self, spans: &[Redaction], counts: &mut BTreeMap<String, u64>) {
        for r in spans {
            let name = match r.source {
                Source::Rule(i) => self.detector.rules()[i].id.as_str(),
                Source::Known => "known-value",
            };
            *counts.entry(name.to_string()).or_default() += 1;
        }
    }
}

/// `spans` sorted, overlapping ones merged into one.
pub(crate) fn merge(mut spans: Vec<Redaction>) -> Vec<Redaction> {
    spans.sort_by_key(|r| (r.span.start, std::cmp::Reverse(r.span.end)));
    let mut merged: Vec<Redaction> = Vec::with_capacity(spans.len());
    for r in spans {
        match merged.last_mut() {
            Some(last) if r.span.start < last.span.end => {
                last.span.end = last.span.end.max(r.span.end);
                last.whole |= r.whole;
            }
            _ => merged.push(r),
        }
    }
    merged
}

/// Replaces each span (sorted, disjoint) of `bytes` with its mask. Line breaks are never
/// removed: a span over several lines (a private-key block) is masked line by line, so the
/// output has exactly as many lines as the input (see [`mask_lines`]).
pub(crate) fn apply(bytes: &[u8], spans: &[Redaction]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for r in spans {
        out.extend_from_slice(&bytes[at..r.span.start]);
        let value = &bytes[r.span.clone()];
        if r.whole || value.contains(&b'\n') {
            mask_lines(value, &mut out);
        } else {
            out.extend_from_slice(mask_bytes(value).as_bytes());
        }
        at = r.span.end;
    }
    out.extend_from_slice(&bytes[at..]);
    out
}

/// Masks a block line by line: every line break stays, and so do the indentation, a trailing
/// `\r` and the `-----BEGIN ...-----` / `-----END ...-----` armour of a key block; whatever
/// else a line holds becomes `****` (no characters of a key's body are kept).
pub(crate) fn mask_lines(value: &[u8], out: &mut Vec<u8>) {
    for (i, line) in value.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        let mut at = 0;
        for armour in armour_ranges(line) {
            mask_piece(&line[at..armour.start], out);
            out.extend_from_slice(&line[armour.clone()]);
            at = armour.end;
        }
        mask_piece(&line[at..], out);
    }
}

/// `****` in place of a piece of a line, keeping the blanks around it; nothing for a blank piece.
fn mask_piece(piece: &[u8], out: &mut Vec<u8>) {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let start = piece.iter().position(|b| !blank(b)).unwrap_or(piece.len());
    let end = piece.iter().rposition(|b| !blank(b)).map_or(start, |i| i + 1);
    out.extend_from_slice(&piece[..start]);
    if end > start {
        out.extend_from_slice(b"****");
    }
    out.extend_from_slice(&piece[end..]);
}

/// The `-----BEGIN ...-----` and `-----END ...-----` armour inside one line.
fn armour_ranges(line: &[u8]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = memchr::memmem::find(&line[at..], b"-----") {
        let start = at + i;
        let rest = &line[start + 5..];
        if !(rest.starts_with(b"BEGIN") || rest.starts_with(b"END")) {
            at = start + 5;
            continue;
        }
        let Some(close) = memchr::memmem::find(rest, b"-----") else {
            break;
        };
        let end = start + 5 + close + 5;
        found.push(start..end);
        at = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_last_four_characters_of_long_values() {
        assert_eq!(mask("abcdefghijkl"), "****ijkl");
        assert_eq!(mask("abcdefghijk"), "****");
        assert_eq!(mask(""), "****");
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 12 characters, 4 of them multi-byte at the end.
        let value = "passwordéüñö";
        assert_eq!(mask(value), "****éüñö");
        assert_eq!(mask("ééééééééééé"), "****");
    }

    #[test]
    fn invalid_utf8_does_not_panic() {
        let value = b"abcdefghij\xff\xfe\xfdxyz";
        assert!(mask_bytes(value).starts_with("****"));
        assert!(mask_bytes(value).ends_with("xyz"));
    }

    #[test]
    fn masks_never_carry_control_or_invisible_characters() {
        assert_eq!(mask("MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn\n"), "****3xfn");
        assert_eq!(mask("abcdefghijklmn\r\n\t "), "****klmn");
        assert_eq!(mask("abcdefghijklmn\u{1b}"), "****klmn");
        assert_eq!(mask("abcdefghijkl\u{1b}mn"), "****mn");
        assert_eq!(mask("abcdefghijklm\u{202e}nop"), "****nop");
        assert_eq!(mask("abcdefghijklm\u{7}\u{7}\u{7}\u{7}"), "****jklm");
        assert_eq!(mask("\u{1b}\u{1b}\u{1b}\u{1b}\u{1b}\u{1b}\u{1b}\u{1b}\u{1b}\u{1b}\u{1b}\u{1b}"), "****");
    }

    proptest::proptest! {
        /// Any value, any characters: the mask is `****` and at most 4 printable characters
        /// that end the value (after trailing whitespace and control characters).
        #[test]
        fn a_mask_shows_at_most_four_printable_characters(value in "(?s).{0,40}") {
            let masked = mask(&value);
            let tail = masked.strip_prefix("****").expect("starts with ****");
            proptest::prop_assert!(tail.chars().count() <= 4);
            proptest::prop_assert!(tail.chars().all(printable), "{masked:?}");
            proptest::prop_assert!(value.trim_end_matches(|c: char| c.is_whitespace() || !printable(c)).ends_with(tail));
        }
    }

    #[test]
    fn key_blocks_are_masked_line_by_line() {
        let mut out = Vec::new();
        mask_lines(
            b"-----BEGIN RSA PRIVATE KEY-----\r\n  MIIEow/Ab+9\r\n  Zq8==\r\n-----END RSA PRIVATE KEY-----",
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "-----BEGIN RSA PRIVATE KEY-----\r\n  ****\r\n  ****\r\n-----END RSA PRIVATE KEY-----"
        );
        // A JSON string with `\n` escapes: one line, armour kept.
        let mut out = Vec::new();
        mask_lines(b"-----BEGIN PRIVATE KEY-----\\nMC4CAQAw\\n-----END PRIVATE KEY-----", &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "-----BEGIN PRIVATE KEY-----****-----END PRIVATE KEY-----"
        );
        // A captured body with its line breaks.
        let mut out = Vec::new();
        mask_lines(b"\nMHcCAQEE\nAwEHoUQD\n", &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "\n****\n****\n");
    }

    #[test]
    fn redactor_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Redactor>();
    }
}
