//! The detector: built once from a [`RuleSet`], shared read-only across threads.
//!
//! Two phases: one pass over the buffer finds every rule keyword (the `keywords` module);
//! only the rules whose keywords occur run their regex, and only on the lines around them.
//! Each raw match then goes through the rule's own filters (length, entropy, documented
//! example values) and the shared decoy filters, and overlapping matches are resolved so one
//! secret is reported once, by the most specific rule.
mod checksum;
mod crypt;
mod decode;
pub mod entropy;
mod index;
pub(crate) mod keywords;
mod selftest;

pub use decode::Encoding;
pub use selftest::{ExampleFailure, KeywordWarning, HITS_PER_MB_LIMIT};

use decode::Trigger;

use std::collections::HashSet;
use std::ops::Range;

use index::KeywordIndex;
use keywords::Occurrence;

use std::cell::OnceCell;

use crate::rules::required::LineScratch;
use crate::rules::{dummy, Decoy, Rule, RuleSet};

/// A secret found in a buffer. Holds offsets only, never the bytes, so nothing that
/// carries a `Match` around can leak the value by printing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Index of the rule in [`Detector::rules`].
    pub rule: usize,
    /// The whole regex match.
    pub span: Range<usize>,
    /// The `secret` capture group: what is masked, fingerprinted and redacted. For a secret
    /// found encoded, the encoded text (a whole base64 blob, or the escaped span).
    pub secret: Range<usize>,
    /// How the secret was encoded, when it was found by decoding (see the `decode` module).
    pub decoded: Option<Encoding>,
    /// The rule's checksum failed: a made-up value. Such a match is never reported; it only
    /// keeps the rules it overlaps (a generic `token = ...`) from reporting the same text.
    pub(crate) refuted: bool,
}

/// Compiled rules plus the keyword prefilter.
#[derive(Debug)]
pub struct Detector {
    rules: RuleSet,
    /// Every rule keyword and decoding trigger word, each once, and what each selects.
    index: KeywordIndex,
    /// Every rule's `allow_values` (vendors' documented example values): never a finding of
    /// any rule, since a generic rule also matches the value a vendor rule allows.
    documented_examples: HashSet<Vec<u8>>,
    /// Per rule: its windows are kept per rule, never run line by line (see
    /// [`Detector::find_in_windows`]): multi-line rules, and rules with a keyword that starts
    /// with a line break (`\nt1.`), whose window holds the line before the keyword's too.
    per_rule_windows: Vec<bool>,
}

impl Detector {
    /// Builds the prefilter over every rule's keywords (for the built-in rules, reads it:
    /// see the `index` module).
    pub fn new(rules: RuleSet) -> Result<Detector, crate::Error> {
        let index = KeywordIndex::new(&rules.rules)?;
        let documented_examples = rules.rules.iter().flat_map(|r| r.allow_values.iter().cloned()).collect();
        let per_rule_windows = rules
            .rules
            .iter()
            .map(|r| r.multiline || r.keywords.iter().any(|k| k.starts_with('\n')))
            .collect();
        Ok(Detector { index, rules, documented_examples, per_rule_windows })
    }

    /// The rules, in the order match indices refer to.
    pub fn rules(&self) -> &[Rule] {
        &self.rules.rules
    }

    /// The rule set the detector was built from.
    pub fn rule_set(&self) -> &RuleSet {
        &self.rules
    }

    /// Rules whose keywords occur in `haystack`, as a bitmap indexed by rule.
    pub fn candidates(&self, haystack: &[u8]) -> Vec<bool> {
        let mut selected = vec![false; self.rules.rules.len()];
        for hit in self.index.finder.find_all(haystack) {
            for &rule in self.index.rules_of(hit.keyword) {
                selected[rule as usize] = true;
            }
        }
        selected
    }

    /// Every secret in `haystack`, sorted by position, overlaps resolved; secrets found by
    /// decoding an encoded blob or escaped text are reported at the encoded text.
    pub fn find(&self, haystack: &[u8]) -> Vec<Match> {
        let mut found = resolve_overlaps(self.find_at_depth(haystack, 0), &self.rules.rules);
        found.retain(|m| !m.refuted);
        found
    }

    /// Plain matches, then what decoding finds (unless `depth` is already the limit).
    fn find_at_depth(&self, haystack: &[u8], depth: u8) -> Vec<Match> {
        let hits = self.index.finder.find_all(haystack);
        let mut found = self.find_in_windows(haystack, &hits, |_| true);
        let pairs = self.find_near(haystack, &found, |_| true);
        found.extend(pairs);
        if depth < decode::MAX_DEPTH {
            self.find_encoded(haystack, &hits, depth, &mut found);
        }
        found
    }

    /// Decodes what the trigger keywords, the keyword lines and the generic matches point
    /// at, scans the decoded text one level deeper, and adds what it finds at the encoded
    /// text.
    fn find_encoded(&self, haystack: &[u8], hits: &[Occurrence], depth: u8, found: &mut Vec<Match>) {
        // (range, decode the whole range, encoding)
        let mut blobs: Vec<(Range<usize>, bool, Encoding)> = Vec::new();
        let mut lines: Vec<(Range<usize>, Encoding)> = Vec::new();
        let mut keyword_line_end = 0;
        let mut context_line_end = 0;
        // The last secret document read whole, if every hit inside it has the same one.
        let mut document: Option<Range<usize>> = None;
        for hit in hits {
            for trigger in self.index.triggers_of(hit.keyword) {
                match trigger {
                    Trigger::Fragment(exact) => {
                        if !haystack[hit.start..].starts_with(exact.as_bytes()) {
                            continue;
                        }
                        let run = decode::base64_run(haystack, hit.start);
                        if run.len() < decode::MIN_RUN {
                            continue;
                        }
                        if hit.start != run.start {
                            blobs.push((hit.start..run.end, false, Encoding::Base64));
                        }
                        blobs.push((run, true, Encoding::Base64));
                    }
                    Trigger::Base64Line | Trigger::HexLine | Trigger::PercentLine => {
                        if hit.start < context_line_end {
                            continue;
                        }
                        let line = window_around(haystack, hit.start, hit.start, false);
                        context_line_end = line.end;
                        let text = &haystack[line.clone()];
                        let at = |r: Range<usize>| shift(r, line.start);
                        match trigger {
                            Trigger::Base64Line => blobs.extend(
                                decode::base64_runs(text, decode::MIN_RUN)
                                    .into_iter()
                                    .map(|r| (at(r), true, Encoding::Base64)),
                            ),
                            Trigger::HexLine => blobs.extend(
                                decode::hex_runs(text).into_iter().map(|r| (at(r), true, Encoding::Hex)),
                            ),
                            _ => lines.push((line, Encoding::Percent)),
                        }
                    }
                    Trigger::SecretDocument => {
                        // Hits in a document already read would read it again (a manifest
                        // names its kind once, but a JSON-lines log may on every line).
                        if document.as_ref().is_some_and(|d| d.contains(&hit.start)) {
                            continue;
                        }
                        let around = decode::document_around(haystack, hit.start);
                        if decode::same_document_throughout(&around) {
                            document = Some(around.clone());
                        }
                        blobs.extend(
                            decode::values_of_document(haystack, around)
                                .into_iter()
                                .map(|r| (r, true, Encoding::Base64)),
                        );
                    }
                }
            }
            // Escapes only where a rule keyword already is.
            if !self.index.rules_of(hit.keyword).is_empty() && hit.start >= keyword_line_end {
                let end = hit.start + self.index.finder.keyword_len(hit.keyword);
                let line = window_around(haystack, hit.start, end, false);
                keyword_line_end = line.end;
                let (percent, json) = escapes(&haystack[line.clone()]);
                if percent {
                    lines.push((line.clone(), Encoding::Percent));
                }
                if json {
                    lines.push((line, Encoding::Json));
                }
            }
        }
        // Values a generic rule captured that look like base64.
        for m in
            found.iter().filter(|m| self.rules.rules[m.rule].generic && m.decoded.is_none() && !m.refuted)
        {
            let value = &haystack[m.secret.clone()];
            if value.len() >= decode::MIN_RUN && value.iter().all(|&b| decode::is_base64_byte(b) || b == b'=')
            {
                blobs.push((m.secret.clone(), true, Encoding::Base64));
            }
        }
        blobs.sort_by_key(|(r, whole, _)| (r.start, r.end, *whole));
        blobs.dedup();
        lines.sort_by_key(|(r, e)| (r.start, r.end, *e as u8));
        lines.dedup();

        let mut added = Vec::new();
        for (range, whole, encoding) in blobs {
            let decoded = match encoding {
                Encoding::Hex => decode::decode_hex(&haystack[range.clone()])
                    .filter(|d| decode::is_text(d))
                    .map(|d| (range.clone(), d)),
                _ => decode::decode_blob(haystack, range.start, range.end, whole),
            };
            let Some((range, decoded)) = decoded else { continue };
            let (text, offset) = decode::with_prefix(haystack, range.start, &decoded);
            let mut rules_found: Vec<usize> = Vec::new();
            for inner in self.find_at_depth(&text, depth + 1) {
                if inner.secret.start >= offset && !rules_found.contains(&inner.rule) {
                    rules_found.push(inner.rule);
                    added.push(Match {
                        rule: inner.rule,
                        span: range.clone(),
                        secret: range.clone(),
                        decoded: Some(encoding),
                        refuted: inner.refuted,
                    });
                }
            }
        }
        for (line, encoding) in lines {
            let text = &haystack[line.clone()];
            let mapped = match encoding {
                Encoding::Percent => decode::percent_decode(text),
                _ => decode::json_unescape(text),
            };
            let Some(mapped) = mapped else { continue };
            for inner in self.find_at_depth(&mapped.text, depth + 1) {
                if decode::covers_escape(&mapped, &inner.span) || inner.decoded.is_some() {
                    added.push(Match {
                        rule: inner.rule,
                        span: shift(mapped.original(&inner.span), line.start),
                        secret: shift(mapped.original(&inner.secret), line.start),
                        decoded: Some(inner.decoded.unwrap_or(encoding)),
                        refuted: inner.refuted,
                    });
                }
            }
        }
        found.extend(added);
    }

    /// Matches of the `near` rules `wanted` selects, searched within their `near_lines` of
    /// the anchors' matches in `anchors`: the key half next to a secret half found.
    pub(crate) fn find_near(
        &self,
        haystack: &[u8],
        anchors: &[Match],
        wanted: impl Fn(usize) -> bool,
    ) -> Vec<Match> {
        let rules = &self.rules.rules;
        let mut found = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            if rule.near.is_empty() || !wanted(index) {
                continue;
            }
            let is_anchor = |m: &&Match| {
                if m.refuted {
                    return false;
                }
                let id = rules[m.rule].id.as_str();
                rule.near.iter().any(|a| match a.strip_suffix('*') {
                    Some(prefix) => id.starts_with(prefix),
                    None => id == a,
                })
            };
            let mut windows: Vec<Range<usize>> = Vec::new();
            for anchor in anchors.iter().filter(is_anchor) {
                merge_window(&mut windows, lines_around(haystack, anchor.span.clone(), rule.near_lines));
            }
            // The anchor's own value is not its pair.
            let not_an_anchor = |secret: &Range<usize>| {
                !anchors.iter().any(|a| a.secret.start < secret.end && secret.start < a.secret.end)
            };
            for window in &windows {
                let mut scratch = LineScratch::default();
                self.match_window(index, haystack, window, &not_an_anchor, &mut scratch, &mut found);
            }
        }
        found
    }

    /// Matches of the rules `wanted` selects (no overlap resolution).
    ///
    /// A rule's regex runs only on windows around its keyword hits: the line holding the hit
    /// (a match must contain a keyword, and single-line rules cannot cross a newline), or a
    /// wider span for `multiline` rules. On log text, where keywords are rare, most bytes are
    /// seen by the prefilter alone.
    /// Refuted matches (a failed checksum) are left out.
    pub(crate) fn find_unresolved(&self, haystack: &[u8], wanted: impl Fn(usize) -> bool) -> Vec<Match> {
        let mut found = self.find_in_windows(haystack, &self.index.finder.find_all(haystack), wanted);
        found.retain(|m| !m.refuted);
        found
    }

    /// Whether `rule` matches somewhere in `haystack` with a value whose checksum fails (what
    /// `rules check` says about an example that is not found for that reason).
    pub(crate) fn refutes(&self, haystack: &[u8], rule: usize) -> bool {
        self.find_in_windows(haystack, &self.index.finder.find_all(haystack), |r| r == rule)
            .iter()
            .any(|m| m.refuted)
    }

    /// [`Detector::find_unresolved`] over keyword hits already found.
    ///
    /// Rules run line by line where they can: on a log of venue traffic a line names a vendor
    /// several times and selects a dozen rules, whose checks then share the line's lower-case
    /// copy and byte searches ([`LineScratch`]). A single-line rule's window on a line shorter
    /// than [`LONG_LINE_REACH`] is that whole line whichever hit opened it, and lines do not
    /// overlap, so running a line's rules together finds what running each rule over its own
    /// windows finds. Multi-line rules, rules with a keyword that starts with a line break and
    /// long lines keep the per-rule windows.
    fn find_in_windows(
        &self,
        haystack: &[u8],
        hits: &[Occurrence],
        wanted: impl Fn(usize) -> bool,
    ) -> Vec<Match> {
        let rules = &self.rules.rules;
        let mut windows: Vec<Vec<Range<usize>>> = vec![Vec::new(); rules.len()];
        let mut found = Vec::new();
        // The short line being collected and the rules its hits selected.
        let mut pending_line: Range<usize> = 0..0;
        let mut pending_rules: Vec<usize> = Vec::new();
        let mut scratch = LineScratch::default();
        // The line of the previous hit: hits come sorted, and a line holding one keyword
        // usually holds several (one per rule that lists it), so it is found once.
        let mut line: Range<usize> = 0..0;
        for hit in hits {
            let end = hit.start + self.index.finder.keyword_len(hit.keyword);
            // A keyword that starts with the line break before it gives a window of two lines:
            // not one to share with the other rules of the line.
            let at_line_break = haystack[hit.start] == b'\n';
            for &rule in self.index.rules_of(hit.keyword) {
                let rule = rule as usize;
                if !wanted(rule) {
                    continue;
                }
                let multiline = rules[rule].multiline;
                // Inside the rule's last window already (a window kept per rule: multi-line
                // rules, long lines): nothing to add. Checked before the window is worked out,
                // which on a long line searches up to LONG_LINE_REACH bytes for a delimiter: a
                // keyword at every position of a megabyte-long line made that quadratic.
                if windows[rule].last().is_some_and(|w| hit.start >= w.start && end <= w.end) {
                    continue;
                }
                let window = if multiline {
                    window_around(haystack, hit.start, end, true)
                } else if at_line_break {
                    window_around(haystack, hit.start, end, false)
                } else {
                    if !same_window(haystack, &line, hit.start, end) {
                        line = window_around(haystack, hit.start, end, false);
                    }
                    line.clone()
                };
                let short_line = !self.per_rule_windows[rule] && is_short_line(haystack, &window);
                let seen = if short_line {
                    window == pending_line && pending_rules.contains(&rule)
                } else {
                    windows[rule].last().is_some_and(|w| hit.start >= w.start && end <= w.end)
                };
                if seen
                    || rules[rule]
                        .follows()
                        .is_some_and(|follows| !follows.is_match(&haystack[end..window.end]))
                {
                    continue;
                }
                if short_line {
                    if window != pending_line {
                        self.run_line(haystack, &pending_line, &pending_rules, &mut scratch, &mut found);
                        pending_rules.clear();
                        pending_line = window;
                    }
                    pending_rules.push(rule);
                } else {
                    merge_window(&mut windows[rule], window);
                }
            }
        }
        self.run_line(haystack, &pending_line, &pending_rules, &mut scratch, &mut found);
        for (index, list) in windows.iter().enumerate() {
            for window in list {
                self.match_window(index, haystack, window, &|_| true, &mut scratch, &mut found);
            }
        }
        found
    }

    /// Runs `rules` over the short line `line`, sharing one [`LineScratch`].
    fn run_line(
        &self,
        haystack: &[u8],
        line: &Range<usize>,
        rules: &[usize],
        scratch: &mut LineScratch,
        found: &mut Vec<Match>,
    ) {
        for &rule in rules {
            self.match_window(rule, haystack, line, &|_| true, scratch, found);
        }
    }

    /// Runs rule `index`'s regex over `window`, adding the accepted matches whose secret
    /// `keep` allows to `found`.
    fn match_window(
        &self,
        index: usize,
        haystack: &[u8],
        window: &Range<usize>,
        keep: &dyn Fn(&Range<usize>) -> bool,
        scratch: &mut LineScratch,
        found: &mut Vec<Match>,
    ) {
        let rule = &self.rules.rules[index];
        let slice = &haystack[window.clone()];
        scratch.prepare(window);
        if !rule.required().may_match_in(slice, scratch) {
            return;
        }
        let matcher = rule.matcher();
        let mut locations = matcher.regex.capture_locations();
        let mut at = 0;
        while at <= slice.len() {
            let Some(whole) = matcher.regex.captures_read_at(&mut locations, slice, at) else {
                break;
            };
            // Step past empty matches so the loop always advances.
            at = if whole.end() > whole.start() { whole.end() } else { whole.end() + 1 };
            let Some((start, end)) = locations.get(matcher.secret_group) else {
                continue;
            };
            let (span, secret) =
                (shift(whole.range(), window.start), window.start + start..window.start + end);
            if keep(&secret) && self.accept(rule, haystack, span.clone(), secret.clone()) {
                let refuted =
                    rule.checksum.is_some_and(|kind| !checksum::holds(kind, &haystack[secret.clone()]));
                found.push(Match { rule: index, span, secret, decoded: None, refuted });
            }
        }
    }

    /// The rule's filters, then the shared decoys.
    fn accept(&self, rule: &Rule, haystack: &[u8], span: Range<usize>, secret: Range<usize>) -> bool {
        let value = &haystack[secret.clone()];
        if value.len() < rule.min_length || self.documented_examples.contains(value) {
            return false;
        }
        // The keyword must sit inside the match, not merely somewhere in the buffer: then a
        // match never depends on how the input was cut into buffers (scan chunks, redact reads).
        if !rule.keywords.iter().any(|k| contains_ignore_ascii_case(&haystack[span.clone()], k.as_bytes())) {
            return false;
        }
        if rule.matcher().reject.as_ref().is_some_and(|r| r.is_match(&haystack[span.clone()])) {
            return false;
        }
        let needed = match (rule.min_entropy, rule.charset) {
            (Some(min), _) => Some(min),
            (None, Some(charset)) => Some(entropy::threshold_for(charset, value)),
            (None, None) => None,
        };
        // A rule's `mixed_entropy` caps what a value mixing letters and digits must reach.
        let needed = match rule.mixed_entropy {
            Some(cap)
                if value.iter().any(u8::is_ascii_digit) && value.iter().any(u8::is_ascii_alphabetic) =>
            {
                needed.map(|min| min.min(cap))
            }
            _ => needed,
        };
        if needed.is_some_and(|min| entropy::shannon(value) < min) {
            return false;
        }
        // What follows the value: an ellipsis means the text cut it short (`eyJhbGci...`), and
        // for a named assignment an opening parenthesis means a call (`tokenErr := f(x)`).
        // A multi-line block whose body stops at a line of `...` was elided in the text.
        let mut after_at = secret.end;
        if rule.multiline {
            let rest = &haystack[secret.end..haystack.len().min(secret.end + 16)];
            let blank = rest.iter().take_while(|b| b" \t\r\n".contains(b)).count();
            if rest[..blank].contains(&b'\n') {
                after_at += blank;
            }
        }
        let after = &haystack[after_at..haystack.len().min(after_at + 3)];
        if after.starts_with(b"...")
            || after.starts_with("…".as_bytes())
            || (rule.generic && after.first() == Some(&b'('))
        {
            return false;
        }
        // A block whose body stops at a line holding an elision (`...THISISANEXAMPLE`, ` . . .`)
        // was shortened for the page, whatever came before the dots on that line.
        if rule.multiline && after_at > secret.end && line_is_elided(&haystack[after_at..]) {
            return false;
        }
        // A named value that is the first word of a sentence (`--warn-no-pass   Specify if
        // ...`, `First Pass: Determine which ...`), or the literal head of a format template
        // (`SCRAM-SHA-256$<iteration count>:...`): text, not a credential.
        if rule.generic
            && (starts_prose(value, &haystack[secret.end..haystack.len().min(secret.end + 64)])
                || starts_template(value, &haystack[secret.end..haystack.len().min(secret.end + 3)]))
        {
            return false;
        }
        // The text before the value on its line, for the dummies that judge a value only under
        // a name that says nothing but the kind of credential (`TOKEN=`, `"apikey": "`).
        let before = line_before(haystack, secret.start);
        if self.value_is_decoy(rule, value, before) {
            return false;
        }
        // The name the value is assigned to, for a generic rule (`ARTEMIS_PASSWORD: ` before it).
        let name = if rule.generic { &haystack[span.start..secret.start] } else { &[][..] };
        if echoes_name(name, value) || echoes_user(haystack, secret.clone()) {
            return false;
        }
        if value.first() == Some(&b'$') && Self::hashes_stand_in(haystack, span.clone(), value) {
            return false;
        }
        // A value that decodes to text (base64, `%XX`) is also judged by what it says:
        // `password: dG9vcg==` is a dummy password, encoded.
        if let Some(decoded) = decode::decoded_value(value) {
            let after_user = memchr::memchr(b':', &decoded).map(|i| &decoded[i + 1..]);
            // A named value too short for the rule once decoded (`password: a29uZw==` is four
            // letters) would not have been a finding written plainly.
            if rule.generic && decoded.len() < rule.min_length {
                return false;
            }
            // A vendor's documented example, encoded (a Kubernetes Secret's `data:` holds the
            // documented token in base64), is still the example.
            if self.documented_examples.contains(&decoded) {
                return false;
            }
            if self.value_is_decoy(rule, &decoded, before)
                || after_user.is_some_and(|p| self.value_is_decoy(rule, p, before))
                || echoes_name(name, &decoded)
            {
                return false;
            }
            // Encoded twice (`echo -n bXlwYXNzd29yZA== | base64` in a Secret's data): once more.
            if decode::decoded_value(&decoded).is_some_and(|twice| self.value_is_decoy(rule, &twice, before))
            {
                return false;
            }
        }
        if rule.generic && beside_made_up_value(haystack, secret.clone(), before) {
            return false;
        }
        let decoys = &self.rules.decoys;
        let applies = |d: &&Decoy| d.applies_to.covers(rule.generic) && !rule.ignore_decoys.contains(&d.id);
        let line = line_around(haystack, secret);
        !decoys.lines.iter().filter(applies).any(|d| d.regex().is_match(line))
    }

    /// Whether `value`, a crypt(3) password hash, is the hash of the user name before it in
    /// the match (`test:$apr1$...`) or of a well-known dummy password.
    fn hashes_stand_in(haystack: &[u8], span: Range<usize>, value: &[u8]) -> bool {
        let Ok(hash) = std::str::from_utf8(value) else {
            return false;
        };
        let matched = &haystack[span];
        let user = matched
            .iter()
            .position(|&b| b == b':')
            .map(|colon| {
                let name = &matched[..colon];
                let from = name
                    .iter()
                    .rposition(|b| !(b.is_ascii_alphanumeric() || b"_.@-".contains(b)))
                    .map_or(0, |i| i + 1);
                &name[from..]
            })
            .and_then(|name| std::str::from_utf8(name).ok())
            .filter(|name| !name.is_empty());
        crypt::hashes_stand_in(hash, user)
    }

    /// Whether the value decoys or the dummy lists catch `value` for `rule`; `before` is the
    /// text before the value on its line.
    fn value_is_decoy(&self, rule: &Rule, value: &[u8], before: &[u8]) -> bool {
        let decoys = &self.rules.decoys;
        let applies = |d: &&Decoy| d.applies_to.covers(rule.generic) && !rule.ignore_decoys.contains(&d.id);
        let fits = |d: &&Decoy| value.len() <= d.max_len;
        let deleeted = OnceCell::new();
        let caught = |d: &Decoy| {
            d.regex().is_match(value)
                || (d.deleet && value.len() <= dummy::MAX_LEN && dummy::has_leet(value) && {
                    // Read as letters, the placeholder must be most of the value: a word a
                    // random token spells by chance (`faK3` in 28 characters) is not.
                    let letters = deleeted.get_or_init(|| dummy::letters(value)).as_bytes();
                    d.regex().find(letters).is_some_and(|m| m.len() * 2 >= letters.len())
                })
        };
        decoys.values.iter().filter(applies).filter(fits).any(caught)
            || decoys.dummies.iter().any(|d| {
                d.applies_to(&rule.id)
                    && d.applies_to.covers(rule.generic)
                    && !rule.ignore_decoys.contains(&d.id)
                    && d.applies_to_name(before)
                    && d.catches(value)
            })
    }
}

/// How far back [`line_before`] looks for the start of the line: a name is short.
const NAME_REACH: usize = 256;

/// The text from the start of the line holding `at` (at most `NAME_REACH` bytes back) to `at`.
fn line_before(haystack: &[u8], at: usize) -> &[u8] {
    let from = at.saturating_sub(NAME_REACH);
    let start = memchr::memrchr(b'\n', &haystack[from..at]).map_or(from, |i| from + i + 1);
    &haystack[start..at]
}

/// Whether `rest`, from the start of a line, is a body line cut by an elision: base64 (or
/// nothing) after the indentation, then three dots, dots spaced out (`. . .`) or the ellipsis
/// character. Other text after a block (`Retrying...`) is not.
fn line_is_elided(rest: &[u8]) -> bool {
    let indent = rest.iter().take_while(|b| b" \t".contains(b)).count();
    let body =
        rest[indent..].iter().take_while(|&&b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)).count();
    // Base64 before the dots is a key line's worth, with a digit in it: not a word (`Retrying`).
    let keyish = |part: &[u8]| part.is_empty() || (part.len() >= 16 && part.iter().any(u8::is_ascii_digit));
    let tail = &rest[indent + body..];
    keyish(&rest[indent..indent + body])
        && [&b"..."[..], b". . .", "…".as_bytes()].iter().any(|dots| tail.starts_with(dots))
}

/// Whether `value`, a capitalised word of letters only, is followed by two more lowercase
/// words (`Specify if warning`, `Determine which domains`): a sentence the rule cut after its
/// first word. A password is one token; it is not followed by prose.
fn starts_prose(value: &[u8], after: &[u8]) -> bool {
    let capitalised = value.len() >= 3
        && value.len() <= 16
        && value[0].is_ascii_uppercase()
        && value[1..].iter().all(u8::is_ascii_lowercase);
    if !capitalised || after.first() != Some(&b' ') {
        return false;
    }
    let mut words = after[1..].split(|&b| b == b' ');
    let is_word = |w: Option<&[u8]>| {
        w.is_some_and(|w| {
            w.first().is_some_and(u8::is_ascii_lowercase)
                && w.iter().all(|b| b.is_ascii_lowercase() || b"/'-".contains(b))
        })
    };
    is_word(words.next()) && words.next().is_some_and(|w| w.first().is_some_and(u8::is_ascii_lowercase))
}

/// Whether `value` ends in punctuation and a `<placeholder>` follows it directly
/// (`SCRAM-SHA-256$` before `<iteration count>`): the fixed part of a format template.
fn starts_template(value: &[u8], after: &[u8]) -> bool {
    value.last().is_some_and(|b| b.is_ascii_punctuation())
        && after.first() == Some(&b'<')
        && after.get(1).is_some_and(u8::is_ascii_alphabetic)
}

/// Longest window searched on one side of a keyword inside a very long line (minified JSON,
/// a websocket dump): single-line secrets are far shorter.
const LONG_LINE_REACH: usize = 4096;
/// Reach of a multi-line rule around its keyword (a 4096-bit PEM key is about 3.3 KB).
const MULTILINE_REACH: usize = 16 << 10;
/// Longest key block found whole (PGP blocks with photo ids and many subkeys are large). The
/// stream redactor holds an open block back up to this size too.
pub const MAX_BLOCK: usize = 1 << 20;

/// Whether `value` is one of the words of the name it is assigned to (`artemis-password:
/// artemis`, `RABBITMQ_PASS=rabbitmq`, base64 or not): the service's own name typed where a
/// password goes, a stand-in however it is written. Words of three letters or more, any case.
fn echoes_name(name: &[u8], value: &[u8]) -> bool {
    value.len() >= 3
        && value.iter().all(u8::is_ascii_alphanumeric)
        && name.split(|b| !b.is_ascii_alphanumeric()).any(|word| word.eq_ignore_ascii_case(value))
}

/// How far [`echoes_user`] looks for the user name on either side of the value: two lines,
/// and never more than this many bytes.
const USER_REACH: usize = 512;

/// Whether the same value is what a user name is set to within two lines (`username: ZGFudGU=`
/// over `password: ZGFudGU=` in a Secret, `User ID=app;Password=app`, `amqp://guest:guest@`):
/// the account's name typed where its password goes, a stand-in, and not secret even if real.
fn echoes_user(haystack: &[u8], secret: Range<usize>) -> bool {
    let value = &haystack[secret.clone()];
    if value.len() < 3 || value.contains(&b'\n') {
        return false;
    }
    // URL userinfo: `//<value>:<value>@`.
    if secret.start > value.len() + 2
        && haystack[secret.start - 1] == b':'
        && haystack[..secret.start - 1].ends_with(value)
        && haystack[..secret.start - 1 - value.len()].ends_with(b"//")
    {
        return true;
    }
    let lines = lines_around(haystack, secret.clone(), 2);
    let (from, to) =
        (lines.start.max(secret.start.saturating_sub(USER_REACH)), lines.end.min(secret.end + USER_REACH));
    let whole = |at: usize| {
        let before = at.checked_sub(1).map(|i| haystack[i]);
        let after = haystack.get(at + value.len()).copied();
        // `=` ends an assignment before a value; after one it would be base64 padding.
        let edge =
            |b: Option<u8>, part: &[u8]| b.is_none_or(|b| !b.is_ascii_alphanumeric() && !part.contains(&b));
        edge(before, b"+/_-") && edge(after, b"+/=_-")
    };
    memchr::memmem::find_iter(&haystack[from..to], value)
        .map(|i| from + i)
        .filter(|&at| at != secret.start && whole(at))
        .any(|at| names_user(&haystack[at.saturating_sub(32)..at]))
}

/// Whether `head`, the text just before a value, ends with a user-name key and its assignment
/// (`username: "`, `User ID=`, `"login": "`, `PGUSER=`).
fn names_user(head: &[u8]) -> bool {
    let name_end = head.iter().rposition(|b| !b" \t\"'`=:>".contains(b)).map_or(0, |i| i + 1);
    if name_end == head.len() {
        return false; // no assignment between the name and the value
    }
    let name = head[..name_end].to_ascii_lowercase();
    [
        &b"user"[..],
        b"username",
        b"user_name",
        b"user-name",
        b"userid",
        b"user id",
        b"user_id",
        b"uid",
        b"login",
    ]
    .iter()
    .any(|word| {
        name.ends_with(word)
            && name
                .len()
                .checked_sub(word.len() + 1)
                .is_none_or(|i| !name[i].is_ascii_lowercase() || word.len() > 4)
    })
}

/// Start of the line `n` lines before the one holding `at` (the start of `buf` at most).
pub(crate) fn lines_before(buf: &[u8], at: usize, n: usize) -> usize {
    let mut start = memchr::memrchr(b'\n', &buf[..at]).map_or(0, |i| i + 1);
    for _ in 0..n {
        if start == 0 {
            break;
        }
        start = memchr::memrchr(b'\n', &buf[..start - 1]).map_or(0, |i| i + 1);
    }
    start
}

fn shift(range: Range<usize>, by: usize) -> Range<usize> {
    range.start + by..range.end + by
}

/// The span searched for a keyword hit at `start..end`: its whole line, or for a very long
/// line a stretch around the hit that starts just after a delimiter (so that `^` and boundary
/// guards at the window start behave as they would mid-line at a token start).
fn window_around(haystack: &[u8], start: usize, end: usize, multiline: bool) -> Range<usize> {
    if multiline {
        let from = start.saturating_sub(MULTILINE_REACH);
        let from = memchr::memrchr(b'\n', &haystack[..from]).map_or(0, |i| i + 1);
        let mut to = (end + MULTILINE_REACH).min(haystack.len());
        // A hit on a BEGIN armour line: the block reaches to its END line however long it is
        // (up to MAX_BLOCK), or without one, as far as MAX_BLOCK for the rule of cut-short blocks.
        let line_start = memchr::memrchr(b'\n', &haystack[..start]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &haystack[end..]).map_or(haystack.len(), |i| end + i);
        if memchr::memmem::find(&haystack[line_start..line_end], b"-----BEGIN").is_some() {
            let cap = (end + MAX_BLOCK).min(haystack.len());
            let block_end = match memchr::memmem::find(&haystack[end..cap], b"-----END") {
                Some(i) => memchr::memchr(b'\n', &haystack[end + i..cap]).map_or(cap, |j| end + i + j),
                None => cap,
            };
            to = to.max(block_end);
        }
        return from..to;
    }
    let floor = start.saturating_sub(LONG_LINE_REACH);
    let line_start = memchr::memrchr(b'\n', &haystack[floor..start]).map_or(floor, |i| floor + i + 1);
    let line_start = if line_start == floor && floor > 0 {
        // No newline within reach: start after the first delimiter past the floor.
        haystack[floor..start]
            .iter()
            .position(|b| b" \t,;\"'{}[]()<>".contains(b))
            .map_or(start, |i| floor + i + 1)
    } else {
        line_start
    };
    let ceiling = (end + LONG_LINE_REACH).min(haystack.len());
    let line_end = memchr::memchr(b'\n', &haystack[end..ceiling]).map_or(ceiling, |i| end + i);
    line_start..line_end
}

/// Whether `window`, found by [`window_around`] for an earlier hit, is also the window of a
/// hit at `start..end`: it is a whole line holding the hit, short enough on both sides that
/// the long-line reach does not cut it.
fn same_window(haystack: &[u8], window: &Range<usize>, start: usize, end: usize) -> bool {
    is_whole_line(haystack, window)
        && window.start <= start
        && end <= window.end
        && start - window.start < LONG_LINE_REACH
        && window.end - end < LONG_LINE_REACH
}

/// Whether `window`, found by [`window_around`] for a single-line rule, is a whole line short
/// enough that every hit on it has it as its window.
fn is_short_line(haystack: &[u8], window: &Range<usize>) -> bool {
    window.len() < LONG_LINE_REACH && is_whole_line(haystack, window)
}

/// Whether `window` starts at a line start and ends at a line end (or the buffer's).
fn is_whole_line(haystack: &[u8], window: &Range<usize>) -> bool {
    (window.start == 0 || haystack[window.start - 1] == b'\n')
        && (window.end == haystack.len() || haystack[window.end] == b'\n')
}

/// Whether `text` holds a `%XX` escape, and whether it holds a `\"` escape.
fn escapes(text: &[u8]) -> (bool, bool) {
    let (mut percent, mut json) = (false, false);
    for i in memchr::memchr2_iter(b'%', b'\\', text) {
        if text[i] == b'%' {
            percent |= text.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        } else {
            json |= text.get(i + 1) == Some(&b'"');
        }
        if percent && json {
            break;
        }
    }
    (percent, json)
}

/// Whether `needle` (lowercase) occurs in `haystack`, ignoring ASCII case.
fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

/// Adds `window` to `windows` (sorted by start), merged into the last one when they overlap.
fn merge_window(windows: &mut Vec<Range<usize>>, window: Range<usize>) {
    match windows.last_mut() {
        Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
        _ => windows.push(window),
    }
}

/// The lines holding `span` plus `reach` lines above and below, without the last terminator.
fn lines_around(haystack: &[u8], span: Range<usize>, reach: usize) -> Range<usize> {
    let start = lines_before(haystack, span.start, reach);
    let mut end = memchr::memchr(b'\n', &haystack[span.end..]).map_or(haystack.len(), |i| span.end + i);
    for _ in 0..reach {
        if end >= haystack.len() {
            break;
        }
        end = memchr::memchr(b'\n', &haystack[end + 1..]).map_or(haystack.len(), |i| end + 1 + i);
    }
    start..end
}

/// How many letters and digits a run must hold for [`beside_made_up_value`] to take it as
/// typed twice.
const TYPED_TWICE: usize = 6;

/// Whether the line of `secret` assigns another value, under a credential's name, that a
/// person made up (a run of letters and digits typed twice: `API_KEY='lkm12n3-...-lkm12n3a'
/// API_SECRET='035B...'`): one half of a key set written by hand shows the set is an
/// illustration, whatever the other halves look like. A masked or empty sibling says nothing.
/// `before` is [`line_before`] the secret, which the caller already holds.
fn beside_made_up_value(haystack: &[u8], secret: Range<usize>, before: &[u8]) -> bool {
    let start = secret.start - before.len();
    let reach = haystack.len().min(secret.end + NAME_REACH);
    let end = memchr::memchr(b'\n', &haystack[secret.end..reach]).map_or(reach, |i| secret.end + i);
    let line = &haystack[start..end];
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || b"_-.".contains(b);
    let is_value = |b: &u8| b.is_ascii_alphanumeric() || b"_-+/.".contains(b);
    let mut at = 0;
    while let Some(op) = memchr::memchr2(b'=', b':', &line[at..]).map(|i| at + i) {
        at = op + 1;
        let name_start = line[..op].iter().rposition(|b| !is_name(b)).map_or(0, |i| i + 1);
        let name = line[name_start..op].to_ascii_lowercase();
        let credential = [&b"key"[..], b"secret", b"token", b"pass"]
            .iter()
            .any(|word| name.windows(word.len()).any(|w| w == *word));
        let value_start = op + 1 + line[op + 1..].iter().take_while(|b| b" \t\"'`".contains(b)).count();
        let value_end = value_start + line[value_start..].iter().take_while(|b| is_value(b)).count();
        let (value_at, value_to) = (start + value_start, start + value_end);
        if credential
            && (value_to <= secret.start || value_at >= secret.end)
            && dummy::repeats_run(&line[value_start..value_end], TYPED_TWICE)
        {
            return true;
        }
    }
    false
}

/// The line(s) holding `span`, without the line terminators.
pub(crate) fn line_around(haystack: &[u8], span: Range<usize>) -> &[u8] {
    let start = memchr::memrchr(b'\n', &haystack[..span.start]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &haystack[span.end..]).map_or(haystack.len(), |i| span.end + i);
    &haystack[start..end]
}

/// One report per secret: where secret spans overlap, a specific rule beats a generic
/// one, then the longer span wins, then the rule loaded first.
fn resolve_overlaps(mut found: Vec<Match>, rules: &[Rule]) -> Vec<Match> {
    found.sort_by_key(|m| (m.secret.start, std::cmp::Reverse(m.secret.end), m.rule));
    let mut kept: Vec<Match> = Vec::with_capacity(found.len());
    for candidate in found {
        // `kept` holds disjoint spans sorted by start, so their ends are sorted too and the
        // spans overlapping the candidate are a suffix.
        let overlapping: Vec<usize> = kept
            .iter()
            .enumerate()
            .rev()
            .take_while(|(_, k)| k.secret.end > candidate.secret.start)
            .map(|(i, _)| i)
            .collect();
        if overlapping.is_empty() {
            kept.push(candidate);
            continue;
        }
        // Between equals, the match found by decoding says more (what the value decodes to).
        let beats = |a: &Match, b: &Match| {
            let (ra, rb) = (&rules[a.rule], &rules[b.rule]);
            (!ra.generic, a.secret.len(), a.decoded.is_some(), std::cmp::Reverse(a.rule))
                > (!rb.generic, b.secret.len(), b.decoded.is_some(), std::cmp::Reverse(b.rule))
        };
        if overlapping.iter().all(|&i| beats(&candidate, &kept[i])) {
            for i in overlapping {
                kept.remove(i); // indices are in descending order
            }
            kept.push(candidate);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn detector_is_shareable_across_threads() {
        assert_send_sync::<Detector>();
    }

    /// Findings in `text` of the built-in rules and a one-rule pack (`charset = "base64"`, plus
    /// the `extra` lines) whose keyword no built-in rule shares.
    fn found_by_pack(extra: &str, text: &str) -> usize {
        let pack = format!(
            "[pack]\nname = \"custom\"\n\n[[rules]]\nid = \"custom.key\"\ndescription = \"made up\"\n\
             severity = \"high\"\nregex = 'zzqx=(?P<secret>[A-Za-z0-9]+)'\nkeywords = [\"zzqx=\"]\n\
             charset = \"base64\"\n{extra}\n"
        );
        let mut rules = RuleSet::builtin().unwrap();
        rules.add_file("custom.toml", &pack).unwrap();
        Detector::new(rules).unwrap().find(text.as_bytes()).len()
    }

    #[test]
    fn a_documented_example_in_base64_is_still_the_example() {
        use base64::Engine as _;
        let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
        let encode = |value: &str| base64::engine::general_purpose::STANDARD.encode(value);
        let documented =
            "dt0s01.ST2EY72KQINMH574WMNVI7YN.G3DFPBEJYMODIDAEX454M7YWBUVEFOWKPRVMWFASS64NFH52PX6BNDVFFM572RZM";
        let made_up =
            "dt0c01.Q7RZK2MX9LWP4VTN8HCY3JDF.K2M8Q4TX7LZ9RW3VN6PC1HY5JD0FB8GS2KU4QE7LM9PZ3RT6WC1YN5HD0JF8GS4K";
        for value in [documented.to_string(), format!("{documented}\n")] {
            let line = format!("  token: {}\n", encode(&value));
            assert!(detector.find(line.as_bytes()).is_empty(), "{line}");
        }
        assert!(!detector.find(format!("  token: {}\n", encode(made_up)).as_bytes()).is_empty());
    }

    #[test]
    fn a_block_body_stopping_at_an_elided_line_was_shortened() {
        assert!(line_is_elided(b"Kq2Lm8Vx4Rt9Pz7Nw3......NOTAKEY\n-----END"));
        assert!(!line_is_elided(b"AuthenticationFailed...\n"), "a word, however long");
        assert!(line_is_elided(b" . . .\nq8Zr"));
        assert!(line_is_elided(b"    ...\n"));
        assert!(!line_is_elided(b"Retrying...\n"), "prose after the block");
        assert!(!line_is_elided(b"-----END PRIVATE KEY-----\n"));
        let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
        let body = "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDFx8xxiXGr5Zst\n\
                    nHc8JdY3s6Fb1Ng5RqL2mX7rT8wY4cB1nH6ZkPz8Rt4Wc6Yn1Hd5Jf0Gs3Ku9Qe2\n";
        let found = |tail: &str| {
            let text = format!("-----BEGIN PRIVATE KEY-----\n{body}{tail}");
            detector.find(text.as_bytes()).len()
        };
        assert_eq!(found("Q7vK2pLr9TzW4nHc8JdY......NOTAKEY\n-----END PRIVATE KEY-----\n"), 0);
        assert_eq!(found("Retrying...\n"), 1, "a cut key followed by a log line is still a key");
    }

    #[test]
    fn a_value_beside_a_made_up_one_is_made_up_too() {
        let line = b"// API_KEY_COM='lkm12n3-2ba3-1mxf-fn13-lkm12n3a' API_SECRET_COM='035B2B9637E1BDFFEE2646BFBDDB8CE4' ts-node x.ts";
        let at = line.windows(4).position(|w| w == b"035B").unwrap();
        let made_up = |line: &[u8], secret: Range<usize>| {
            beside_made_up_value(line, secret.clone(), line_before(line, secret.start))
        };
        assert!(made_up(line, at..at + 32));
        // The made-up value itself is not its own sibling; a real-looking key beside it, a
        // masked one or one under a name that is no credential's say nothing.
        let alone = b"API_KEY_COM='lkm12n3-2ba3-1mxf-fn13-lkm12n3a'";
        assert!(!made_up(alone, 13..13 + 31));
        for other in [
            &b"API_KEY='Qz7vK2pLr9TzW4nHc8JdXk' API_SECRET='035B2B9637E1BDFFEE2646BFBDDB8CE4'"[..],
            b"API_KEY='****ABCD' API_SECRET='035B2B9637E1BDFFEE2646BFBDDB8CE4'",
            b"REQUEST_ID='lkm12n3-2ba3-1mxf-fn13-lkm12n3a' API_SECRET='035B2B9637E1BDFFEE2646BFBDDB8CE4'",
        ] {
            let at = other.windows(4).position(|w| w == b"035B").unwrap();
            assert!(!made_up(other, at..at + 32), "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn a_named_value_that_starts_a_sentence_or_a_template_is_text() {
        assert!(starts_prose(b"Specify", b" if warning exit code should be raised"));
        assert!(starts_prose(b"Testify", b" require/assert message wording"));
        assert!(!starts_prose(b"Specify", b"  if warning"), "not one space then words");
        assert!(!starts_prose(b"Zk3vQ9pL", b" is the key"), "not a word");
        assert!(!starts_prose(b"Monsoon", b" 42 times"));
        assert!(starts_template(b"SCRAM-SHA-256$", b"<it"));
        assert!(!starts_template(b"Zk3vQ9pL2mX7", b"<br"), "a value, then markup");
        assert!(!starts_template(b"SCRAM-SHA-256$", b"<4"));
        assert_eq!(
            found_by_pack("", "--zzqx=Monsoon  Monsoon is the season\n"),
            1,
            "a custom rule is not generic"
        );
    }

    #[test]
    fn a_named_value_too_short_once_decoded_is_a_stand_in() {
        let detector = Detector::new(RuleSet::builtin().unwrap()).unwrap();
        let found = |text: &str| detector.find(text.as_bytes()).len();
        assert_eq!(found("  password: cXVva2s=\n"), 0, "five letters");
        assert_eq!(found("  password: UXo3dksycExyOVR6\n"), 1, "twelve characters");
    }

    #[test]
    fn a_value_that_repeats_a_word_of_its_name_is_a_stand_in() {
        assert!(echoes_name(b"artemis-password: \"", b"artemis"));
        assert!(echoes_name(b"RABBITMQ_PASS=", b"rabbitmq"));
        assert!(echoes_name(b"\"kafka.sasl.password\": \"", b"KAFKA"));
        assert!(!echoes_name(b"artemis-password: ", b"artemis7Qz"), "more than the word");
        assert!(!echoes_name(b"db_password=", b"db"), "a word under three letters");
        assert!(!echoes_name(b"password=", b"hQ7zk2Lm9x"));
        assert!(!echoes_name(b"", b"artemis"));
        // End to end: plain and base64 (`YXJ0ZW1pcw==` is `artemis`), next to a real value.
        assert_eq!(found_by_pack("", "ARTEMIS_PASSWORD=artemis\n"), 0);
        assert_eq!(found_by_pack("", "  artemis-password: \"YXJ0ZW1pcw==\"\n"), 0);
        assert_eq!(found_by_pack("", "ARTEMIS_PASSWORD=qT7zk2Lm9xW4\n"), 1);
    }

    #[test]
    fn a_password_equal_to_the_user_name_nearby_is_a_stand_in() {
        let found = |text: &str, value: &str| {
            let at = text.rfind(value).unwrap();
            echoes_user(text.as_bytes(), at..at + value.len())
        };
        assert!(found("data:\n  username: ZGFudGU=\n  password: ZGFudGU=\n", "ZGFudGU="));
        assert!(found("Server=db;User ID=billing_app;Password=billing_app;", "billing_app"));
        assert!(found("\"login\": \"svc-report\",\n\"password\": \"svc-report\"", "svc-report"));
        assert!(found("amqp://guest:guest@rabbit.acme.io:5672/", "guest"));
        assert!(!found("username: ops\npassword: Zk3vQ9pL2mX7\n", "Zk3vQ9pL2mX7"), "a different value");
        assert!(
            !found("password: Zk3vQ9pL2mX7\nbackup_key: Zk3vQ9pL2mX7\n", "Zk3vQ9pL2mX7"),
            "not a user name"
        );
        assert!(
            !found("username: ops7Zk3vQ9pL2mX7\npassword: Zk3vQ9pL2mX7\n", "Zk3vQ9pL2mX7"),
            "only part of it"
        );
        assert!(!found("username: ZGFudGU=\na\nb\nc\npassword: ZGFudGU=\n", "ZGFudGU="), "four lines away");
        assert!(!found("amqp://ops:guest@rabbit.acme.io/", "guest"));
        assert!(
            !found("reuser: ZGFudGU=\npassword: ZGFudGU=\n", "ZGFudGU="),
            "a name that only ends in user"
        );
    }

    #[test]
    fn a_dummy_encoded_twice_is_still_a_dummy() {
        // base64(base64("changeme")), and a real value encoded twice next to it.
        assert_eq!(found_by_pack("", "  db_password: WTJoaGJtZGxiV1U9\n"), 0);
        assert_eq!(found_by_pack("", "  db_password: Y1ZRM2VtczVlRmMwYTB3eWJWRjRVR1k9\n"), 1);
    }

    #[test]
    fn mixed_entropy_lowers_the_bar_for_letters_and_digits_only() {
        // Typed by hand: 3.83 bits per character, under the base64 floor for 32 characters.
        let typed = "zzqx=kdJ49fkd2Lsk4hf8Jdk3lsk9Dk2hd7Fj";
        // Letters only at 3.93 bits: a name-like value, held to the floor whatever the cap.
        let letters = "zzqx=kdJfqwLskhfJdkmzsDkhrFjsdkxjKLpd";
        let random = "zzqx=Qm7vKx2pLr9TzW4nHc8JdY3s6Fb1Ng5R";
        assert_eq!(found_by_pack("", typed), 0);
        assert_eq!(found_by_pack("mixed_entropy = 3.5", typed), 1);
        assert_eq!(found_by_pack("mixed_entropy = 3.9", typed), 0);
        assert_eq!(found_by_pack("mixed_entropy = 3.5", letters), 0);
        assert_eq!(found_by_pack("", random), 1);
        // The cap never raises a threshold: a random key passes under a cap above its floor.
        assert_eq!(found_by_pack("mixed_entropy = 7.5", random), 1);
    }

    /// The per-rule scan `find_in_windows` replaced: each rule's windows collected and merged
    /// on their own, then its regex run over each.
    fn find_rule_by_rule(detector: &Detector, haystack: &[u8]) -> Vec<Match> {
        let rules = detector.rules();
        let hits = detector.index.finder.find_all(haystack);
        let mut windows: Vec<Vec<Range<usize>>> = vec![Vec::new(); rules.len()];
        for hit in &hits {
            let end = hit.start + detector.index.finder.keyword_len(hit.keyword);
            for &rule in detector.index.rules_of(hit.keyword) {
                let (rule, list) = (rule as usize, &mut windows[rule as usize]);
                if list.last().is_some_and(|w| hit.start >= w.start && end <= w.end) {
                    continue;
                }
                let window = window_around(haystack, hit.start, end, rules[rule].multiline);
                if rules[rule].follows().is_some_and(|f| !f.is_match(&haystack[end..window.end])) {
                    continue;
                }
                merge_window(list, window);
            }
        }
        let mut found = Vec::new();
        for (index, list) in windows.iter().enumerate() {
            for window in list {
                let mut scratch = LineScratch::default();
                detector.match_window(index, haystack, window, &|_| true, &mut scratch, &mut found);
            }
        }
        found
    }

    fn sorted(mut found: Vec<Match>) -> Vec<(usize, usize, usize, usize, bool)> {
        let mut keys: Vec<_> = found
            .drain(..)
            .map(|m| (m.rule, m.span.start, m.secret.start, m.secret.end, m.refuted))
            .collect();
        keys.sort_unstable();
        keys
    }

    /// Lines to build random text from: every built-in example and counter-example, and
    /// lines of venue traffic that select many rules without holding a secret.
    fn sample_lines() -> Vec<String> {
        let rules = RuleSet::builtin_with_examples().unwrap();
        let mut lines: Vec<String> = rules
            .rules
            .iter()
            .flat_map(|r| r.examples.iter().map(|e| e.text.clone()).chain(r.counter_examples.iter().cloned()))
            .collect();
        lines.extend(
            [
                "INFO bot1.exchange.binance: http POST https://fapi.binance.com/fapi/v1/order status=200 X-MBX-APIKEY header set",
                "DEBUG bot2.exchange.bitget: bitget GET https://api.bitget.com/api/v2/mix/order ACCESS-KEY header set key ",
                "WARN alpaca GET https://paper-api.alpaca.markets/v2/orders APCA-API-KEY-ID header set apca secret ",
            ]
            .map(String::from),
        );
        lines
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

        /// Running a short line's rules together finds exactly what running each rule over its
        /// own windows finds, on short lines, on lines past the long-line reach (pieces joined by
        /// spaces, padded with filler) and across multi-line rules.
        #[test]
        fn line_by_line_agrees_with_rule_by_rule(
            pieces in proptest::collection::vec((0usize..100_000, 0usize..3, 0usize..6_000), 1..40)
        ) {
            static SETUP: std::sync::OnceLock<(Detector, Vec<String>)> = std::sync::OnceLock::new();
            let (detector, lines) = SETUP.get_or_init(|| {
                (Detector::new(RuleSet::builtin().unwrap()).unwrap(), sample_lines())
            });
            let mut text = String::new();
            for (pick, joint, filler) in pieces {
                text.push_str(&lines[pick % lines.len()]);
                match joint {
                    0 => text.push('\n'),
                    1 => text.push(' '),
                    _ => {
                        text.push(' ');
                        text.push_str(&"order filled qty=1 ".repeat(filler / 19));
                        text.push('\n');
                    }
                }
            }
            let haystack = text.as_bytes();
            let hits = detector.index.finder.find_all(haystack);
            proptest::prop_assert_eq!(
                sorted(detector.find_in_windows(haystack, &hits, |_| true)),
                sorted(find_rule_by_rule(detector, haystack))
            );
        }
    }
}
