//! Encoded secrets: base64 (standard and URL-safe, with or without padding), percent-encoding,
//! JSON string escapes and hex, decoded and scanned by the same detector, to a bounded depth.
//!
//! Decoding every base64-looking run of every line would cost more than the scan itself, so
//! decoding is triggered, cheaply, by extra keywords that ride along in the one keyword pass:
//!
//! - the base64 forms of every rule keyword (lower and UPPER case) as they begin an
//!   encoded value (`ghp` encodes to `Z2hw` at the start of a blob), and of the openings of a
//!   JSON document (`eyJ` is `{"`, `ewog` is `{` + newline + spaces);
//! - context words: `_b64`, `base64`, `.dockerconfigjson` (every base64 run on the line),
//!   `_hex` (every hex run on the line), a Kubernetes `kind: Secret` (every value of its
//!   document), and the percent-encoded forms of keywords (`%3A%2F%2F` for `://`);
//! - values a generic rule captured that look like base64;
//! - on the lines that already hold a rule keyword: `%XX` escapes and `\"` escapes.
//!
//! What a blob decodes to is scanned with the text before the blob on its line in front (so
//! `password: <base64>` keeps its name), through the same rules, filters and decoys. A secret
//! found inside is reported at the encoded text, which is what gets masked and redacted.
use std::fmt::Write as _;
use std::ops::Range;

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// How a secret was encoded where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Base64, standard or URL-safe alphabet, padded or not.
    Base64,
    /// Percent-encoding (`%40` for `@`).
    Percent,
    /// JSON string escapes (`\"`, `\\`, `\n`, `\u0041`): a document nested in a string.
    Json,
    /// Hexadecimal bytes, where the context names hex.
    Hex,
}

impl Encoding {
    /// The name used in reports: `base64`, `percent`, `json`, `hex`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Percent => "percent",
            Encoding::Json => "json",
            Encoding::Hex => "hex",
        }
    }
}

/// How deep encodings nest before the detector stops decoding (base64 inside base64, a
/// JSON-escaped document inside a base64 payload).
pub(crate) const MAX_DEPTH: u8 = 2;
/// Shortest base64 run decoded on a context hit: 6 bytes of payload.
pub(crate) const MIN_RUN: usize = 8;
/// Shortest hex run decoded.
const MIN_HEX_RUN: usize = 16;
/// Longest blob decoded: anything longer is data, not configuration.
const MAX_BLOB: usize = 1 << 20;
/// How far a base64 blob is decoded from a fragment hit in its middle.
const FROM_HIT_REACH: usize = 1024;
/// Text before a blob on its line carried into the decoded text (the name it is assigned to).
const PREFIX_REACH: usize = 256;
/// How far around a `kind: Secret` hit its document is searched for values.
const DOCUMENT_REACH: usize = 64 << 10;

/// Base64 characters of a keyword's fragment.
const FRAGMENT_LEN: usize = 4;

/// What a trigger keyword asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Trigger {
    /// A base64 fragment, case-sensitive: decode the base64 run it sits in.
    Fragment(Fragment),
    /// Decode every base64 run on the line.
    Base64Line,
    /// Decode every hex run on the line.
    HexLine,
    /// Decode every value of the surrounding YAML/JSON document.
    SecretDocument,
    /// Percent-decode the line.
    PercentLine,
}

/// Up to [`FRAGMENT_LEN`] base64 characters, held inline (a detector has thousands).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Fragment {
    bytes: [u8; FRAGMENT_LEN],
    len: u8,
}

impl Fragment {
    /// The first [`FRAGMENT_LEN`] bytes of `bytes`.
    pub(crate) fn new(bytes: &[u8]) -> Fragment {
        let len = bytes.len().min(FRAGMENT_LEN);
        let mut inline = [0u8; FRAGMENT_LEN];
        inline[..len].copy_from_slice(&bytes[..len]);
        Fragment { bytes: inline, len: len as u8 }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The fragment in lower case (how the keyword finder is given it).
    fn lowercase(mut self) -> Fragment {
        self.bytes.make_ascii_lowercase();
        self
    }
}

/// JSON openings as base64 encodes them: `{"`, `{ "`, `{` + newline + space, `{` + newline +
/// quote, `{` + CRLF, `[{"`.
const JSON_OPENINGS: &[&str] = &["eyJ", "eyAi", "ewog", "ewoi", "ew0K", "W3si"];
/// Words that say a value on the line is base64.
const BASE64_CONTEXT: &[&str] = &["_b64", "-b64", "b64_", "base64", "dockerconfigjson", "dockercfg"];
/// Words that say a value on the line is hex.
const HEX_CONTEXT: &[&str] = &["_hex", "-hex", "hex_"];
/// A Kubernetes Secret, in YAML and in JSON.
const SECRET_DOCUMENT: &[&str] = &["kind: secret", "\"kind\": \"secret\"", "\"kind\":\"secret\""];

/// Every trigger keyword (lowercase, as the keyword finder wants it) with what it asks for,
/// derived from the rules' keywords.
pub(crate) fn triggers<'a>(keywords: impl Iterator<Item = &'a str>) -> Vec<(TriggerWord, Trigger)> {
    // Duplicates are left to the caller, which indexes the pairs by keyword anyway (this runs
    // at every start-up, over a few thousand keywords).
    let mut out: Vec<(TriggerWord, Trigger)> = Vec::new();
    for opening in JSON_OPENINGS {
        let lower = Fragment::new(opening.as_bytes()).lowercase();
        out.push((TriggerWord::Fragment(lower), Trigger::Fragment(Fragment::new(opening.as_bytes()))));
    }
    for (words, trigger) in [
        (BASE64_CONTEXT, Trigger::Base64Line),
        (HEX_CONTEXT, Trigger::HexLine),
        (SECRET_DOCUMENT, Trigger::SecretDocument),
    ] {
        out.extend(words.iter().map(|word| (TriggerWord::Fixed(word), trigger.clone())));
    }
    for keyword in keywords {
        for fragment in base64_fragments(keyword) {
            out.push((TriggerWord::Fragment(fragment.lowercase()), Trigger::Fragment(fragment)));
        }
        if let Some(percent) = percent_form(keyword) {
            out.push((TriggerWord::Owned(percent), Trigger::PercentLine));
        }
    }
    out
}

/// A trigger keyword, lowercase: most are fragments, held inline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TriggerWord {
    Fixed(&'static str),
    Fragment(Fragment),
    Owned(String),
}

impl TriggerWord {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            TriggerWord::Fixed(word) => word,
            // Fragments are base64 characters: ASCII.
            TriggerWord::Fragment(fragment) => std::str::from_utf8(fragment.as_bytes()).unwrap_or_default(),
            TriggerWord::Owned(word) => word,
        }
    }
}

/// The base64 characters a value starting with `keyword` always starts with (the first
/// [`FRAGMENT_LEN`]), for the keyword
/// in lower and in UPPER case (token prefixes are one or the other: `ghp_`, `AKIA`; a
/// Capitalised form would add a third of the keyword pass's grams for little), in both
/// alphabets. Empty for keywords under 3
/// bytes (their fragments would be too short to be rare).
pub(crate) fn base64_fragments(keyword: &str) -> Vec<Fragment> {
    let bytes = keyword.as_bytes();
    if bytes.len() < 3 {
        return Vec::new();
    }
    let mut fragments: Vec<Fragment> = Vec::with_capacity(4);
    for upper in [false, true] {
        // Four characters encode the keyword's first three bytes: keywords sharing those
        // (`xoxb-`, `xoxp-`) share a fragment, which keeps the keyword pass as fast.
        let mut head = [bytes[0], bytes[1], bytes[2]];
        for b in &mut head {
            *b = if upper { b.to_ascii_uppercase() } else { b.to_ascii_lowercase() };
        }
        let mut standard = [0u8; FRAGMENT_LEN];
        let written = base64::engine::general_purpose::STANDARD_NO_PAD
            .encode_slice(head, &mut standard)
            .unwrap_or_default();
        let mut url = standard;
        for b in &mut url {
            *b = match *b {
                b'+' => b'-',
                b'/' => b'_',
                other => other,
            };
        }
        for fragment in [Fragment::new(&standard[..written]), Fragment::new(&url[..written])] {
            if !fragments.contains(&fragment) {
                fragments.push(fragment);
            }
        }
    }
    fragments
}

/// `keyword` with every byte outside the unreserved set percent-encoded (lowercase hex), if
/// it has such a byte.
fn percent_form(keyword: &str) -> Option<String> {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    // A keyword that starts with white space only marks a token's start (` t1.`); its encoded
    // form (`%20t1.`) would be checked wherever a timestamp's `10T1` is.
    if keyword.bytes().all(unreserved) || keyword.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    let mut out = String::with_capacity(keyword.len() * 3);
    for b in keyword.bytes() {
        if unreserved(b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02x}");
        }
    }
    Some(out)
}

pub(crate) fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+/-_".contains(&b)
}

/// The base64 run holding position `at`: base64 characters either side, then up to two `=`.
pub(crate) fn base64_run(haystack: &[u8], at: usize) -> Range<usize> {
    let start = haystack[..at].iter().rposition(|&b| !is_base64_byte(b)).map_or(0, |i| i + 1);
    let mut end = haystack[at..].iter().position(|&b| !is_base64_byte(b)).map_or(haystack.len(), |i| at + i);
    for _ in 0..2 {
        if haystack.get(end) == Some(&b'=') {
            end += 1;
        }
    }
    start..end
}

/// Every base64 run of at least `min` characters in `text`, as ranges of `text`.
pub(crate) fn base64_runs(text: &[u8], min: usize) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut at = 0;
    while at < text.len() {
        if !is_base64_byte(text[at]) {
            at += 1;
            continue;
        }
        let run = base64_run(text, at);
        if run.len() >= min {
            runs.push(run.clone());
        }
        at = run.end.max(at + 1);
    }
    runs
}

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, LENIENT);

/// Decodes base64 in either alphabet, padded or not. A dangling last character (a length of
/// 4n+1) is dropped. `None` for anything else that is not base64.
pub(crate) fn decode_base64(encoded: &[u8]) -> Option<Vec<u8>> {
    let body = encoded.strip_suffix(b"==").or_else(|| encoded.strip_suffix(b"=")).unwrap_or(encoded);
    let body = if body.len() % 4 == 1 { &body[..body.len() - 1] } else { body };
    if body.len() < 4 {
        return None;
    }
    let url = body.iter().any(|b| b"-_".contains(b));
    let standard = body.iter().any(|b| b"+/".contains(b));
    match (standard, url) {
        (true, true) => None,
        (_, false) => STANDARD.decode(body).ok(),
        (false, true) => URL_SAFE.decode(body).ok(),
    }
}

/// Whether decoded bytes are text: UTF-8 without control characters other than tab and line
/// ends. Random bytes (hashes, images, DER certificates) fail at once.
pub(crate) fn is_text(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes.iter().all(|&b| b >= 0x20 && b != 0x7f || b"\t\n\r".contains(&b))
        && std::str::from_utf8(bytes).is_ok()
}

/// The longest prefix of `bytes` that is text (cut at a character boundary).
fn text_prefix(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .position(|&b| !(b >= 0x20 && b != 0x7f || b"\t\n\r".contains(&b)))
        .unwrap_or(bytes.len());
    match std::str::from_utf8(&bytes[..end]) {
        Ok(_) => &bytes[..end],
        Err(e) => &bytes[..e.valid_up_to()],
    }
}

/// A base64 blob's text, decoded from `start` (a run start, or a fragment hit inside a run)
/// to `end`. From a run start the whole blob must be text; from a hit, the text up to the
/// first byte that is not (a token at the start of a longer payload).
pub(crate) fn decode_blob(
    haystack: &[u8],
    start: usize,
    end: usize,
    whole: bool,
) -> Option<(Range<usize>, Vec<u8>)> {
    if whole {
        if end - start > MAX_BLOB {
            return None;
        }
        let decoded = decode_base64(&haystack[start..end])?;
        return is_text(&decoded).then_some((start..end, decoded));
    }
    let decoded = decode_base64(&haystack[start..start + (end - start).min(FROM_HIT_REACH)])?;
    let text = text_prefix(&decoded);
    if text.len() < 6 {
        return None;
    }
    // The encoded span covering the text: 4 characters per 3 bytes, rounded up.
    let covered = (text.len().div_ceil(3) * 4).min(end - start);
    let covered = if covered >= end - start - 2 { end - start } else { covered };
    Some((start..start + covered, text.to_vec()))
}

/// Hex text to bytes; `None` unless every pair is hex.
pub(crate) fn decode_hex(encoded: &[u8]) -> Option<Vec<u8>> {
    if encoded.len() % 2 != 0 {
        return None;
    }
    encoded
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).ok().and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

/// Every run of at least 16 hex digits, of even length, in `text`.
pub(crate) fn hex_runs(text: &[u8]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut at = 0;
    while at < text.len() {
        if !text[at].is_ascii_hexdigit() {
            at += 1;
            continue;
        }
        let end = text[at..].iter().position(|b| !b.is_ascii_hexdigit()).map_or(text.len(), |i| at + i);
        let bounded = (at == 0 || !is_base64_byte(text[at - 1]) || text[at - 1] == b'x')
            && (end == text.len() || !is_base64_byte(text[end]));
        if bounded && end - at >= MIN_HEX_RUN && (end - at) % 2 == 0 {
            runs.push(at..end);
        }
        at = end;
    }
    runs
}

/// Text with escapes undone, and for every decoded byte where its escape starts in the
/// original; one more entry holds the original length.
#[derive(Debug, Default)]
pub(crate) struct Mapped {
    pub(crate) text: Vec<u8>,
    pub(crate) origin: Vec<usize>,
}

impl Mapped {
    fn push(&mut self, byte: u8, from: usize) {
        self.text.push(byte);
        self.origin.push(from);
    }

    /// The original range of a decoded range.
    pub(crate) fn original(&self, range: &Range<usize>) -> Range<usize> {
        self.origin[range.start]..self.origin[range.end]
    }
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).map(|d| d as u8)
}

/// Percent-decodes `line`; `None` when it holds no `%XX` escape.
pub(crate) fn percent_decode(line: &[u8]) -> Option<Mapped> {
    let mut out = Mapped::default();
    let mut escaped = false;
    let mut at = 0;
    while at < line.len() {
        if line[at] == b'%' {
            if let (Some(h), Some(l)) =
                (line.get(at + 1).copied().and_then(hex_value), line.get(at + 2).copied().and_then(hex_value))
            {
                out.push(h << 4 | l, at);
                escaped = true;
                at += 3;
                continue;
            }
        }
        out.push(line[at], at);
        at += 1;
    }
    out.origin.push(line.len());
    escaped.then_some(out)
}

/// Undoes JSON string escapes in `line`; `None` when it holds no `\"` escape.
pub(crate) fn json_unescape(line: &[u8]) -> Option<Mapped> {
    memchr::memmem::find(line, b"\\\"")?;
    let mut out = Mapped::default();
    let mut at = 0;
    while at < line.len() {
        if line[at] == b'\\' && at + 1 < line.len() {
            let simple = match line[at + 1] {
                b'"' => Some(b'"'),
                b'\\' => Some(b'\\'),
                b'/' => Some(b'/'),
                b'n' => Some(b'\n'),
                b't' => Some(b'\t'),
                b'r' => Some(b'\r'),
                b'b' | b'f' => Some(b' '),
                _ => None,
            };
            if let Some(byte) = simple {
                out.push(byte, at);
                at += 2;
                continue;
            }
            if line[at + 1] == b'u' {
                let code = line
                    .get(at + 2..at + 6)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32);
                if let Some(c) = code {
                    let mut buf = [0u8; 4];
                    for &b in c.encode_utf8(&mut buf).as_bytes() {
                        out.push(b, at);
                    }
                    at += 6;
                    continue;
                }
            }
        }
        out.push(line[at], at);
        at += 1;
    }
    out.origin.push(line.len());
    Some(out)
}

/// Whether `range` of a mapped text came from escaped bytes (its original is longer).
pub(crate) fn covers_escape(mapped: &Mapped, range: &Range<usize>) -> bool {
    let original = mapped.original(range);
    original.len() != range.len()
}

/// The YAML or JSON document around `at`: from just after the last `\n---` before it to the
/// next `\n---` after it, within [`DOCUMENT_REACH`] either side.
pub(crate) fn document_around(haystack: &[u8], at: usize) -> Range<usize> {
    let floor = at.saturating_sub(DOCUMENT_REACH);
    let ceiling = (at + DOCUMENT_REACH).min(haystack.len());
    // Backwards by newlines (a vector search): `memmem`'s reverse search has no vector
    // prefilter, and a JSON-lines log naming `"kind":"Secret"` on every line would have it
    // read 64 KiB backwards byte by byte per line.
    let start = memchr::memrchr_iter(b'\n', &haystack[floor..at])
        .find(|&i| haystack[floor + i..at].starts_with(b"\n---"))
        .map_or(floor, |i| floor + i + 4);
    let end = memchr::memmem::find(&haystack[at..ceiling], b"\n---").map_or(ceiling, |i| at + i);
    start..end
}

/// Whether every position inside `document` (a [`document_around`] result) has that same
/// document around it: it is short enough that neither reach cuts it for any of them.
pub(crate) fn same_document_throughout(document: &Range<usize>) -> bool {
    document.len() + 8 <= DOCUMENT_REACH
}

/// The values of a YAML or JSON document around `at` (bounded by `---` lines): the base64
/// run after the first `:` of each line that holds only a key and that value.
#[cfg(test)]
pub(crate) fn document_values(haystack: &[u8], at: usize) -> Vec<Range<usize>> {
    values_of_document(haystack, document_around(haystack, at))
}

/// [`document_values`] of a document already found.
pub(crate) fn values_of_document(haystack: &[u8], document: Range<usize>) -> Vec<Range<usize>> {
    let Range { start, end } = document;
    let mut values = Vec::new();
    let mut line_start = start;
    while line_start < end {
        let line_end = memchr::memchr(b'\n', &haystack[line_start..end]).map_or(end, |i| line_start + i);
        let line = &haystack[line_start..line_end];
        if let Some(colon) = memchr::memchr(b':', line) {
            let value_at = colon + 1 + line[colon + 1..].iter().take_while(|b| b" \t\"'".contains(b)).count();
            if value_at < line.len() && is_base64_byte(line[value_at]) {
                let run = base64_run(line, value_at);
                let rest = &line[run.end..];
                if run.len() >= MIN_RUN && rest.iter().all(|b| b" \t\"',\r".contains(b)) {
                    values.push(line_start + run.start..line_start + run.end);
                }
            }
        }
        line_start = line_end + 1;
    }
    values
}

/// The text of a decoded value to scan: the text before the blob on its line (up to
/// [`PREFIX_REACH`] bytes), then the decoded bytes. Returns the buffer and where the decoded
/// part starts in it.
pub(crate) fn with_prefix(haystack: &[u8], blob_start: usize, decoded: &[u8]) -> (Vec<u8>, usize) {
    let floor = blob_start.saturating_sub(PREFIX_REACH);
    let line_start = memchr::memrchr(b'\n', &haystack[floor..blob_start]).map_or(floor, |i| floor + i + 1);
    let prefix = &haystack[line_start..blob_start];
    let mut text = Vec::with_capacity(prefix.len() + decoded.len());
    text.extend_from_slice(prefix);
    text.extend_from_slice(decoded);
    (text, prefix.len())
}

/// What a captured value decodes to, when it is base64 of printable text or holds `%XX`
/// escapes: the candidates the shared decoys are applied to (the whole decoded value, and
/// the part after a `user:` when it has one).
pub(crate) fn decoded_value(value: &[u8]) -> Option<Vec<u8>> {
    if value.len() >= 4 && value.iter().all(|&b| is_base64_byte(b) || b == b'=') {
        if let Some(mut decoded) = decode_base64(value) {
            // `echo postgres | base64` encodes the line break too.
            while decoded.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
                decoded.pop();
            }
            // Printable text; a short one may have line breaks (`echo -e "-----BEGIN ...\n..."
            // | base64`, a key elided for the page). A long multi-line text is a document (a
            // kubeconfig, a PEM key), judged by what the decoded scan finds in it instead.
            let text = |b: &u8| {
                (0x20..0x7f).contains(b) || (decoded.len() < 128 && matches!(b, b'\n' | b'\r' | b'\t'))
            };
            if decoded.len() >= 3 && decoded.iter().all(text) {
                return Some(decoded);
            }
        }
    }
    if memchr::memchr(b'%', value).is_some() {
        if let Some(mapped) = percent_decode(value) {
            return std::str::from_utf8(&mapped.text).is_ok().then_some(mapped.text);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};

    #[test]
    fn fragments_are_what_a_value_starting_with_the_keyword_encodes_to() {
        let fragments: Vec<Vec<u8>> =
            base64_fragments("ghp_").iter().map(|f| f.as_bytes().to_vec()).collect();
        assert!(fragments.contains(&b"Z2hw".to_vec()), "{fragments:?}");
        assert!(fragments.iter().all(|f| f.len() == 4));
        // Every variant's fragment is a prefix of the encoding of a value starting with it.
        for prefix in ["ghp_", "GHP_"] {
            let encoded = B64.encode(format!("{prefix}Kq9Lm2Xp7Vr8TWz4"));
            assert!(fragments.iter().any(|f| encoded.as_bytes().starts_with(f)), "{prefix}");
        }
        assert!(base64_fragments("gh").is_empty());
        // `://` encodes to `Oi8v`; a URL-safe variant appears only when it differs.
        assert_eq!(base64_fragments("://")[0].as_bytes(), b"Oi8v");
        let with_plus: Vec<Vec<u8>> = base64_fragments("??>").iter().map(|f| f.as_bytes().to_vec()).collect();
        assert!(with_plus.iter().any(|f| f.contains(&b'+')) && with_plus.iter().any(|f| f.contains(&b'-')));
    }

    #[test]
    fn triggers_include_json_openings_context_words_and_percent_forms() {
        let found = triggers(["://", "ghp_"].into_iter());
        let has = |k: &str| found.iter().any(|(keyword, _)| keyword.as_str() == k);
        assert!(has("eyj") && has("ewog") && has("_b64") && has("kind: secret") && has("_hex"));
        let pair = |k: &str, t: Trigger| {
            found.iter().any(|(keyword, trigger)| keyword.as_str() == k && *trigger == t)
        };
        assert!(pair("%3a%2f%2f", Trigger::PercentLine));
        let boundary = triggers([" t1.", "=t1."].into_iter());
        assert!(
            !boundary.iter().any(|(keyword, _)| keyword.as_str().starts_with("%20")),
            "a leading space marks a start"
        );
        assert!(boundary.iter().any(|(keyword, _)| keyword.as_str() == "%3dt1."));
        assert!(pair("z2hw", Trigger::Fragment(Fragment::new(b"Z2hw"))));
    }

    #[test]
    fn base64_in_both_alphabets_with_and_without_padding() {
        let value = b"user:Xq7pL2v9Rk?>~";
        let padded = B64.encode(value);
        assert_eq!(decode_base64(padded.as_bytes()).as_deref(), Some(&value[..]));
        assert_eq!(decode_base64(padded.trim_end_matches('=').as_bytes()).as_deref(), Some(&value[..]));
        let url = URL_SAFE_NO_PAD.encode(value);
        assert_ne!(url, padded.trim_end_matches('='));
        assert_eq!(decode_base64(url.as_bytes()).as_deref(), Some(&value[..]));
        assert_eq!(decode_base64(b"ab+c-d_e"), None, "mixed alphabets");
        assert_eq!(decode_base64(b"abc"), None, "too short");
    }

    #[test]
    fn runs_stop_at_delimiters_and_take_padding() {
        let text = b"TOKEN_B64=Z2hwX2FiY2Q= next";
        let run = base64_run(text, 12);
        assert_eq!(&text[run], b"Z2hwX2FiY2Q=");
        let runs = base64_runs(b"a: Z2hwX2FiY2Q=, b: xy, c: dGVzdHRlc3Q", 8);
        assert_eq!(runs.len(), 2);
    }

    #[test]
    fn text_check_rejects_random_bytes() {
        assert!(is_text(b"{\"api_key\": \"x\"}\n"));
        assert!(!is_text(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]));
        assert!(!is_text(b""));
        assert!(is_text("caf\u{e9}".as_bytes()));
    }

    #[test]
    fn a_blob_decoded_from_a_hit_keeps_its_text_prefix() {
        let mut payload = b"ghp_Kq9Lm2Xp7Vr8TWz4Kq9Lm2Xp7Vr8TWz4Kq".to_vec();
        payload.extend_from_slice(&[0u8, 1, 2, 3, 255, 254, 7, 9, 10, 11, 12, 13]);
        let encoded = B64.encode(&payload);
        let (range, text) = decode_blob(encoded.as_bytes(), 0, encoded.len(), false).unwrap();
        assert!(text.starts_with(b"ghp_Kq9Lm2"));
        assert!(range.end < encoded.len());
        assert!(decode_blob(encoded.as_bytes(), 0, encoded.len(), true).is_none());
    }

    #[test]
    fn percent_decoding_maps_back_to_the_escapes() {
        let line = b"dsn=postgres%3A%2F%2Fops%3AXq7%40pL2v9Rk%40db";
        let mapped = percent_decode(line).unwrap();
        assert_eq!(mapped.text, b"dsn=postgres://ops:Xq7@pL2v9Rk@db");
        let at = mapped.text.windows(3).position(|w| w == b"Xq7").unwrap();
        let range = at..at + 11;
        assert_eq!(&line[mapped.original(&range)], b"Xq7%40pL2v9Rk");
        assert!(covers_escape(&mapped, &range));
        assert!(percent_decode(b"no escapes here 100%").is_none());
    }

    #[test]
    fn json_unescaping_maps_back_and_decodes_unicode() {
        let line = br#"{"msg": "{\"api_key\": \"Rv7m\u0041\"}"}"#;
        let mapped = json_unescape(line).unwrap();
        assert_eq!(mapped.text, br#"{"msg": "{"api_key": "Rv7mA"}"}"#);
        let at = mapped.text.windows(5).position(|w| w == b"Rv7mA").unwrap();
        assert_eq!(&line[mapped.original(&(at..at + 5))], br"Rv7m\u0041");
        assert!(json_unescape(br#"{"a": "plain"}"#).is_none());
    }

    #[test]
    fn hex_runs_and_decoding() {
        let text = b"SECRET_HEX=6768705f4b71394c6d and 0xdeadbeefdeadbeefdeadbeef and abc";
        let runs = hex_runs(text);
        assert_eq!(runs.len(), 2);
        assert_eq!(decode_hex(&text[runs[0].clone()]).unwrap(), b"ghp_Kq9Lm");
        assert_eq!(decode_hex(b"6g"), None);
    }

    #[test]
    fn the_document_around_a_position_is_found_as_a_reverse_substring_search_finds_it() {
        let mut text = Vec::new();
        for i in 0..40 {
            text.extend_from_slice(if i % 7 == 3 { b"---\n" } else { b"a: b\n" });
            text.extend_from_slice(if i % 5 == 0 { b"x---y\n" } else { b"\n-\n--\n" });
        }
        for at in 0..text.len() {
            let floor = at.saturating_sub(DOCUMENT_REACH);
            let start = memchr::memmem::rfind(&text[floor..at], b"\n---").map_or(floor, |i| floor + i + 4);
            assert_eq!(document_around(&text, at).start, start, "at {at}");
        }
        // Far apart: the reach cuts the document, so positions inside it may see others.
        let long = [b"a: b\n".repeat(DOCUMENT_REACH / 4), b"---\n".to_vec()].concat();
        let around = document_around(&long, 10);
        assert!(!same_document_throughout(&around));
        let short = b"kind: Secret\ndata:\n  k: dmFsdWU=\n---\nkind: Other\n";
        let around = document_around(short, 3);
        assert_eq!(&short[around.clone()], &short[..32]);
        assert!(same_document_throughout(&around));
        assert!((0..32).all(|at| document_around(short, at) == around));
    }

    #[test]
    fn document_values_are_the_base64_values_of_key_lines() {
        let doc = b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: WHE3cEwydjlSaw==\n  note: hello world\n---\nkind: ConfigMap\ndata:\n  x: WHE3cEwydjlSaw==\n";
        let at = memchr::memmem::find(doc, b"kind: Secret").unwrap();
        let values: Vec<&[u8]> = document_values(doc, at).into_iter().map(|r| &doc[r]).collect();
        assert_eq!(values, [&b"WHE3cEwydjlSaw=="[..]]);
    }

    #[test]
    fn captured_values_decode_for_the_decoy_check() {
        assert_eq!(decoded_value(B64.encode("toor").as_bytes()).as_deref(), Some(&b"toor"[..]));
        assert_eq!(decoded_value(b"p%40ssw0rd").as_deref(), Some(&b"p@ssw0rd"[..]));
        assert_eq!(decoded_value(b"Kq9Lm2Xp7Vr8TWz4"), None, "random base64 decodes to bytes, not text");
        let elided = "-----BEGIN EC PRIVATE KEY-----\n...\n-----END EC PRIVATE KEY-----\n";
        assert_eq!(
            decoded_value(B64.encode(elided).as_bytes()).as_deref(),
            Some(elided.trim_end().as_bytes())
        );
        let document =
            format!("apiVersion: v1\nclusters:\n{}", "- cluster: {server: https://10.0.0.1}\n".repeat(4));
        assert_eq!(
            decoded_value(B64.encode(&document).as_bytes()),
            None,
            "a long multi-line text is a document"
        );
    }
}
