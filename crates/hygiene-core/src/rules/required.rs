//! Literals a rule's match cannot do without, read from its regex: the cheap check that keeps
//! a regex off a window that cannot hold a match.
//!
//! A rule's regex runs only on windows around its keywords, but a keyword can be common in
//! the text a rule is not about: `://` is on every line of a log of HTTP calls, a vendor name
//! is on every line that mentions the vendor's host. The regex then runs on every such line to
//! find nothing. What else a match needs is written in the regex: `user:pass@host` needs an
//! `@`, `bitget ... secret = <64 hex>` needs `secret`. This module reads those needs from the
//! regex's syntax tree (a conjunction of "one of these literals occurs" sets) and keeps the
//! few that are rare in ordinary text and not already implied by the rule's keywords. A letter
//! the regex accepts in either case is compared ignoring case; one it accepts only in upper
//! case (`PK` of an Alpaca key id) must be upper case: in lower-case log text the `pk` of
//! `paper-api` is everywhere, an upper-case `PK` rarely. Checking them is a `memchr` or a small packed search per window,
//! against a regex call an order of magnitude dearer.
//!
//! Soundness is the whole point: a set is only ever derived from what every match must
//! contain, so a window failing the check cannot hold a match. The tests check this on every
//! example of every built-in rule.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Largest set of alternatives tracked for one requirement or one exact-strings set.
const MAX_ALTERNATIVES: usize = 24;
/// Longest literal tracked (longer ones are cut: a prefix of a required literal is required).
const MAX_LITERAL: usize = 16;
/// Most requirements checked per window (the rarest ones).
const MAX_CHECKS: usize = 3;
/// A requirement is worth checking only if it is this unlikely at a given position of
/// ordinary text (see [`rarity`]); a more common one (`=`, `:`) passes on nearly every line.
const MAX_CHANCE: f64 = 0.004;

/// A set of literals one of which every match contains. In a literal, a lowercase letter
/// stands for that letter in either case, an uppercase letter for itself only (see
/// [`byte_holds`]); other bytes for themselves.
type AnyOf = Vec<Vec<u8>>;

/// Whether a text byte (or a literal byte `have`, read as what it stands for) satisfies the
/// literal byte `want`: an uppercase letter only by itself, a lowercase letter by either case.
#[inline(always)]
fn byte_holds(have: u8, want: u8) -> bool {
    have == want || (want.is_ascii_lowercase() && have.to_ascii_lowercase() == want)
}

/// Whether `text` at its start holds `literal` (see [`byte_holds`]).
#[inline]
fn holds(text: &[u8], literal: &[u8]) -> bool {
    text.len() >= literal.len() && text.iter().zip(literal).all(|(&have, &want)| byte_holds(have, want))
}

/// What one syntax node contributes.
#[derive(Debug, Clone)]
struct Facts {
    /// Every string the node can match, when that is a small finite set (folded).
    exact: Option<AnyOf>,
    /// Sets each of which some literal of must occur in every match of the node.
    required: Vec<AnyOf>,
}

impl Facts {
    fn exact(set: AnyOf) -> Facts {
        Facts { exact: Some(set), required: Vec::new() }
    }

    fn unknown() -> Facts {
        Facts { exact: None, required: Vec::new() }
    }
}

/// The checks a window must pass before a rule's regex runs on it.
#[derive(Debug)]
pub(crate) struct Required {
    checks: Vec<Check>,
}

#[derive(Debug)]
enum Check {
    /// One to three bytes (both cases of a letter count as two).
    Bytes(Vec<u8>),
    /// Any of a few literals: each found by its rarest byte.
    Few(Vec<Pivoted>),
    /// Any of a few literals whose letters all go in either case, searched with `memmem` in
    /// the window's lower-case copy: a literal's rarest byte can still be common in the text
    /// (the `p` of `passphrase` in a line of `https://api.../position?productType=...`), and
    /// `memmem`'s vector search checks two bytes at once.
    Lowered(Vec<memchr::memmem::Finder<'static>>),
    /// Any of many literals, ignoring ASCII case (an uppercase-only letter is then accepted in
    /// either case too: looser, never wrong).
    Many(AhoCorasick),
    /// A run of at least `min` bytes of `class`: the secret itself. Every byte the `secret`
    /// group can match is in the class and the group matches at least `min` of them, so a
    /// window without such a run holds no match. On a venue log the lines that name a vendor
    /// and a key header but carry no value (`APCA-API-SECRET-KEY header set`, a 32-hex request
    /// id where the key has 40 characters) end here, after a few probes.
    Run(Box<ValueRun>),
}

/// The bytes a secret is made of and its least length (see [`Check::Run`]).
#[derive(Debug)]
pub(crate) struct ValueRun {
    class: [bool; 256],
    min: usize,
}

impl ValueRun {
    /// Whether `window` holds `min` bytes of the class in a row. Probes the last byte of each
    /// candidate stretch and walks back from it: a byte outside the class moves the next
    /// candidate past it, so most windows are decided in a few probes per `min` bytes.
    fn is_in(&self, window: &[u8]) -> bool {
        let min = self.min;
        if min == 0 {
            return true;
        }
        let mut end = min - 1;
        while end < window.len() {
            match (end + 1 - min..=end).rev().find(|&k| !self.class[usize::from(window[k])]) {
                None => return true,
                Some(outside) => end = outside + min,
            }
        }
        false
    }
}

/// Shortest secret worth a run check: shorter values fit in the ids and words of any line.
const MIN_RUN: usize = 16;
/// Largest class worth a run check: a secret of nearly any byte (`[^\s"']`) runs through
/// whole lines of ordinary text.
const MAX_RUN_CLASS: usize = 100;

/// The run check of `hir`'s `secret` group, when its bytes are few enough and its values long
/// enough to be worth one.
fn value_run(hir: &Hir) -> Option<ValueRun> {
    let group = secret_group(hir)?;
    let min = group.properties().minimum_len()?;
    let mut class = [false; 256];
    if min < MIN_RUN || !collect_bytes(group, &mut class) {
        return None;
    }
    (class.iter().filter(|&&b| b).count() <= MAX_RUN_CLASS).then_some(ValueRun { class, min })
}

/// The `secret` capture group's contents, if `hir` has one.
fn secret_group(hir: &Hir) -> Option<&Hir> {
    match hir.kind() {
        HirKind::Capture(capture) if capture.name.as_deref() == Some("secret") => Some(&capture.sub),
        HirKind::Capture(capture) => secret_group(&capture.sub),
        HirKind::Repetition(repetition) => secret_group(&repetition.sub),
        HirKind::Concat(items) | HirKind::Alternation(items) => items.iter().find_map(secret_group),
        _ => None,
    }
}

/// Marks in `class` every byte `hir` can match; false when that cannot be told (a look-around
/// matches no byte and is fine; every other node is a literal, a class or made of them).
fn collect_bytes(hir: &Hir, class: &mut [bool; 256]) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => {
            for &b in literal.0.iter() {
                class[usize::from(b)] = true;
            }
            true
        }
        HirKind::Class(Class::Bytes(bytes)) => {
            for range in bytes.iter() {
                for b in range.start()..=range.end() {
                    class[usize::from(b)] = true;
                }
            }
            true
        }
        HirKind::Class(Class::Unicode(unicode)) => unicode.iter().all(|range| {
            let (start, end) = (u32::from(range.start()), u32::from(range.end()));
            if end > 0x7F {
                return false;
            }
            for b in start..=end {
                class[b as usize] = true;
            }
            true
        }),
        HirKind::Capture(capture) => collect_bytes(&capture.sub, class),
        HirKind::Repetition(repetition) => collect_bytes(&repetition.sub, class),
        HirKind::Concat(items) | HirKind::Alternation(items) => items.iter().all(|h| collect_bytes(h, class)),
    }
}

impl Check {
    /// Rough relative cost of the check on a window.
    fn cost(&self) -> u8 {
        match self {
            Check::Bytes(_) | Check::Run(_) => 0,
            Check::Few(_) | Check::Lowered(_) => 1,
            Check::Many(_) => 2,
        }
    }
}

/// A literal searched for by its rarest byte (both cases with `memchr2` unless the literal
/// wants it upper case), then compared whole: for up to eight literals this beats an
/// automaton's set-up per window several times.
#[derive(Debug)]
struct Pivoted {
    literal: Vec<u8>,
    /// Offset of the rarest byte in the literal.
    pivot: usize,
}

impl Pivoted {
    fn new(literal: Vec<u8>) -> Pivoted {
        let pivot =
            (0..literal.len()).min_by(|&a, &b| frequency(literal[a]).total_cmp(&frequency(literal[b])));
        Pivoted { pivot: pivot.unwrap_or(0), literal }
    }

    fn is_in(&self, window: &[u8]) -> bool {
        let byte = self.literal[self.pivot];
        let at_pivot = |at: usize| at >= self.pivot && holds(&window[at - self.pivot..], &self.literal);
        if byte.is_ascii_lowercase() {
            memchr::memchr2_iter(byte, byte.to_ascii_uppercase(), window).any(at_pivot)
        } else {
            memchr::memchr_iter(byte, window).any(at_pivot)
        }
    }
}

/// `window` in lower case (ASCII letters only) into `lowered`. Branch-free per byte, so the
/// compiler vectorizes it: a window is a log line, lowered for every rule that checks it.
fn lower_into(window: &[u8], lowered: &mut Vec<u8>) {
    lowered.clear();
    lowered.extend_from_slice(window);
    for byte in lowered.iter_mut() {
        *byte |= u8::from(byte.wrapping_sub(b'A') < 26) << 5;
    }
}

/// Literal sets up to this size are searched literal by literal.
const MAX_PIVOTED: usize = 8;

/// What the checks of the rules run on one window share: the window's lower-case copy, made
/// at most once, and the outcome of the byte searches already run on it (the three rules
/// keyed on `://` all look for the `@` of `user:pass@` on every line of a log of HTTP calls).
/// One scratch serves one buffer: [`LineScratch::prepare`] names the window by its offsets.
#[derive(Debug, Default)]
pub(crate) struct LineScratch {
    window: std::ops::Range<usize>,
    lowered: Vec<u8>,
    lowered_done: bool,
    /// Byte sets searched in the window (packed: up to three bytes and their count) and
    /// whether one of their bytes is there.
    bytes_seen: Vec<(u32, bool)>,
}

impl LineScratch {
    /// Makes the scratch hold what is known of `window` (offsets in the buffer being
    /// scanned): kept if it already does, else forgotten.
    pub(crate) fn prepare(&mut self, window: &std::ops::Range<usize>) {
        if self.window != *window {
            self.window = window.clone();
            self.lowered_done = false;
            self.bytes_seen.clear();
        }
    }

    fn lowered(&mut self, window: &[u8]) -> &[u8] {
        if !self.lowered_done {
            lower_into(window, &mut self.lowered);
            self.lowered_done = true;
        }
        &self.lowered
    }

    fn any_byte(&mut self, bytes: &[u8], window: &[u8]) -> bool {
        let key = bytes.iter().fold(bytes.len() as u32, |key, &b| (key << 8) | u32::from(b));
        if let Some(&(_, seen)) = self.bytes_seen.iter().find(|(k, _)| *k == key) {
            return seen;
        }
        let seen = match bytes {
            [a] => memchr::memchr(*a, window).is_some(),
            [a, b] => memchr::memchr2(*a, *b, window).is_some(),
            [a, b, c] => memchr::memchr3(*a, *b, *c, window).is_some(),
            _ => true,
        };
        self.bytes_seen.push((key, seen));
        seen
    }
}

impl Required {
    /// Nothing to check: every window goes to the regex.
    pub(crate) fn none() -> Required {
        Required { checks: Vec::new() }
    }

    /// The requirements of `pattern` (compiled with the rule flags: bytes, ASCII, multi-line,
    /// CRLF) that the `keywords` do not already imply. A pattern the parser rejects yields no
    /// checks: the regex compiler reports it.
    pub(crate) fn of(pattern: &str, keywords: &[String]) -> Required {
        let Ok(hir) = parse(pattern) else {
            return Required::none();
        };
        let keywords: Vec<Vec<u8>> = keywords.iter().map(|k| k.as_bytes().to_ascii_lowercase()).collect();
        let facts = facts(&hir, &keywords);
        let mut sets = facts.required;
        if let Some(exact) = facts.exact {
            sets.push(exact);
        }
        let mut ranked: Vec<(f64, AnyOf)> = sets
            .into_iter()
            .filter(|set| !set.is_empty() && set.iter().all(|lit| !lit.is_empty()))
            .map(without_subsumed)
            .filter(|set| !implied_by_keywords(set, &keywords))
            .map(|set| (chance(&set), set))
            .filter(|(p, _)| *p <= MAX_CHANCE)
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
        ranked.dedup_by(|a, b| a.1 == b.1);
        let mut checks: Vec<Check> =
            ranked.into_iter().take(MAX_CHECKS).filter_map(|(_, set)| check_for(set)).collect();
        checks.extend(value_run(&hir).map(|run| Check::Run(Box::new(run))));
        // Cheapest first (the rarest first among equals, as ranked): a `memchr` for `@` costs a
        // fraction of a literal search, and on a log of HTTP calls it is what fails
        // (`https://` is on every line, `user:pass@` on none).
        checks.sort_by_key(Check::cost);
        Required { checks }
    }

    /// Whether `window` holds every requirement (so the regex may match in it).
    #[cfg(test)]
    pub(crate) fn may_match(&self, window: &[u8]) -> bool {
        let mut scratch = LineScratch::default();
        scratch.prepare(&(0..window.len()));
        self.may_match_in(window, &mut scratch)
    }

    /// [`Required::may_match`] sharing `scratch`, which [`LineScratch::prepare`] has made
    /// the window's.
    pub(crate) fn may_match_in(&self, window: &[u8], scratch: &mut LineScratch) -> bool {
        self.checks.iter().all(|check| match check {
            Check::Bytes(bytes) => scratch.any_byte(bytes, window),
            Check::Few(literals) => literals.iter().any(|literal| literal.is_in(window)),
            Check::Lowered(finders) => {
                let lowered = scratch.lowered(window);
                finders.iter().any(|finder| finder.find(lowered).is_some())
            }
            Check::Many(automaton) => automaton.is_match(window),
            Check::Run(run) => run.is_in(window),
        })
    }

    /// How many checks a window goes through (for tests and `rules list`-style reporting).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.checks.len()
    }
}

/// `set` without the literals that hold another of its literals: a window holding
/// `api_key` holds `key`, so `{key, api_key, x-mbx-apikey}` asks no more than `{key}`, and
/// one literal is searched far faster than an automaton over ten.
fn without_subsumed(set: AnyOf) -> AnyOf {
    let mut set = set;
    set.sort_unstable();
    set.dedup();
    // Two different literals never hold each other (same length: one reads `PK`, the other
    // `pk`, and only the second holds the first), so one of each such pair stays.
    set.iter()
        .filter(|literal| !set.iter().any(|other| other != *literal && contains(literal, other)))
        .cloned()
        .collect()
}

/// The window check for a set, or none when it cannot be built (then the regex just runs).
fn check_for(set: AnyOf) -> Option<Check> {
    if set.iter().all(|lit| lit.len() == 1) {
        let mut bytes: Vec<u8> = Vec::new();
        for lit in &set {
            let b = lit[0];
            bytes.push(b);
            if b.is_ascii_lowercase() {
                bytes.push(b.to_ascii_uppercase());
            }
        }
        bytes.sort_unstable();
        bytes.dedup();
        if bytes.len() <= 3 {
            return Some(Check::Bytes(bytes));
        }
    }
    if set.len() <= MAX_PIVOTED {
        // Two-byte literals gain nothing from `memmem` (its vector search wants a pair of
        // rare bytes), nor do literals with an uppercase-only letter (that byte is rare).
        if set.iter().all(|lit| lit.len() >= 3 && !lit.iter().any(u8::is_ascii_uppercase)) {
            return Some(Check::Lowered(
                set.iter().map(|lit| memchr::memmem::Finder::new(lit).into_owned()).collect(),
            ));
        }
        return Some(Check::Few(set.into_iter().map(Pivoted::new).collect()));
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(&set)
        .ok()
        .map(Check::Many)
}

/// Whether every keyword contains some literal of `set`: a window exists only because a
/// keyword occurs in it, so such a set is always there.
fn implied_by_keywords(set: &AnyOf, keywords: &[Vec<u8>]) -> bool {
    !keywords.is_empty() && keywords.iter().all(|k| set.iter().any(|lit| contains(k, lit)))
}

/// Rough chance that some literal of `set` starts at a given position of ordinary text.
fn chance(set: &AnyOf) -> f64 {
    set.iter().map(|lit| lit.iter().take(3).map(|&b| frequency(b)).product::<f64>()).sum()
}

/// Whether every text holding the literal `haystack` holds the literal `needle` at the
/// same place (see [`byte_holds`]): `PK` holds `pk`, `pk` does not hold `PK`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || (needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| holds(w, needle)))
}

/// How often a byte turns up in logs, runbooks and JSON, as a fraction: the keyword finder's
/// table, so keywords and required literals are judged alike.
fn frequency(byte: u8) -> f64 {
    let either_case = crate::detect::keywords::byte_frequency(byte) / 1000.0;
    // An uppercase-only letter: logs, JSON and prose are mostly lower case.
    if byte.is_ascii_uppercase() {
        either_case * UPPER_SHARE
    } else {
        either_case
    }
}

/// Rough share of a letter's occurrences in ordinary text that are upper case.
const UPPER_SHARE: f64 = 0.15;

/// `pattern`'s syntax tree, parsed with the flags rule regexes compile with (bytes, ASCII,
/// multi-line, CRLF).
fn parse(pattern: &str) -> Result<Hir, regex_syntax::Error> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .multi_line(true)
        .crlf(true)
        .build()
        .parse(pattern)
}

/// The facts of one syntax node.
fn facts(hir: &Hir, keywords: &[Vec<u8>]) -> Facts {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Facts::exact(vec![Vec::new()]),
        HirKind::Literal(literal) => {
            // Case-sensitive bytes: an uppercase letter stays upper case only; a lowercase one
            // is read as either case (looser than the regex, which is all soundness needs).
            let mut bytes = literal.0.to_vec();
            bytes.truncate(MAX_LITERAL);
            Facts::exact(vec![bytes])
        }
        HirKind::Class(class) => Facts { exact: class_bytes(class), required: Vec::new() },
        HirKind::Capture(capture) => facts(&capture.sub, keywords),
        HirKind::Repetition(repetition) => {
            let inner = facts(&repetition.sub, keywords);
            if repetition.min == 0 {
                // `x?` adds the empty string; anything longer is not tracked.
                let exact = match (repetition.max, inner.exact) {
                    (Some(1), Some(mut set)) => {
                        set.push(Vec::new());
                        dedup(set)
                    }
                    _ => None,
                };
                return Facts { exact, required: Vec::new() };
            }
            // At least one copy: whatever one copy needs, the repetition needs.
            let mut required = inner.required;
            let exact = match (repetition.min, repetition.max, inner.exact) {
                (1, Some(1), exact) => exact,
                (_, _, Some(set)) => {
                    required.push(set);
                    None
                }
                _ => None,
            };
            Facts { exact, required }
        }
        HirKind::Concat(items) => concat(items, keywords),
        HirKind::Alternation(branches) => alternation(branches, keywords),
    }
}

/// A class as its bytes, when it has few: `[:=]`, `[Kk]` (as `k`: either case), `[K]`, `@`.
fn class_bytes(class: &Class) -> Option<AnyOf> {
    let mut bytes: Vec<u8> = Vec::new();
    match class {
        Class::Bytes(set) => {
            for range in set.ranges() {
                if usize::from(range.end() - range.start()) + bytes.len() >= 2 * MAX_ALTERNATIVES {
                    return None;
                }
                bytes.extend(range.start()..=range.end());
            }
        }
        Class::Unicode(set) => {
            for range in set.ranges() {
                let (start, end) = (u32::from(range.start()), u32::from(range.end()));
                if end > 0x7f || (end - start) as usize + bytes.len() >= 2 * MAX_ALTERNATIVES {
                    return None;
                }
                bytes.extend((start..=end).map(|c| c as u8));
            }
        }
    }
    // An uppercase letter whose lowercase is in the class too: the letter in either case.
    let either: Vec<u8> = bytes.iter().filter(|b| b.is_ascii_lowercase()).copied().collect();
    for b in &mut bytes {
        if b.is_ascii_uppercase() && either.contains(&b.to_ascii_lowercase()) {
            *b = b.to_ascii_lowercase();
        }
    }
    bytes.sort_unstable();
    bytes.dedup();
    (bytes.len() <= 4).then(|| bytes.into_iter().map(|b| vec![b]).collect())
}

fn dedup(mut set: AnyOf) -> Option<AnyOf> {
    set.sort();
    set.dedup();
    (set.len() <= MAX_ALTERNATIVES).then_some(set)
}

/// Every string of `a` followed by every string of `b`, when that stays small.
fn product(a: &AnyOf, b: &AnyOf) -> Option<AnyOf> {
    if a.len() * b.len() > MAX_ALTERNATIVES {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut joined = x.clone();
            joined.extend_from_slice(y);
            joined.truncate(MAX_LITERAL);
            out.push(joined);
        }
    }
    dedup(out)
}

/// A sequence: runs of items with exact sets join into longer literals (`[Ss][Ee][Cc]` into
/// `sec`); each run is a requirement, as is whatever each item requires.
fn concat(items: &[Hir], keywords: &[Vec<u8>]) -> Facts {
    let mut required = Vec::new();
    let mut whole: Option<AnyOf> = Some(vec![Vec::new()]);
    let mut run: Option<AnyOf> = None;
    let close = |run: &mut Option<AnyOf>, required: &mut Vec<AnyOf>| {
        if let Some(set) = run.take() {
            if set.iter().all(|lit| !lit.is_empty()) {
                required.push(set);
            }
        }
    };
    for item in items {
        let item = facts(item, keywords);
        required.extend(item.required);
        match item.exact {
            Some(set) => {
                whole = whole.and_then(|w| product(&w, &set));
                run = match run.take() {
                    None => Some(set),
                    Some(prev) => match product(&prev, &set) {
                        Some(joined) => Some(joined),
                        None => {
                            // Too many combinations: keep what we have, start again here.
                            let mut prev = Some(prev);
                            close(&mut prev, &mut required);
                            Some(set)
                        }
                    },
                };
            }
            None => {
                whole = None;
                close(&mut run, &mut required);
            }
        }
    }
    close(&mut run, &mut required);
    // An exact set of a whole sequence is also reported as exact, for the enclosing node.
    Facts { exact: whole, required }
}

/// Alternatives: exact when every branch is; otherwise one requirement made of one
/// requirement per branch, if every branch has one: the rarest each branch has, passing over
/// those its own keyword holds (`bitget` in `bitget ... passphrase = v`: a window is there
/// because of the keyword, so what else the branch needs is what tells).
fn alternation(branches: &[Hir], keywords: &[Vec<u8>]) -> Facts {
    let all: Vec<Facts> = branches.iter().map(|b| facts(b, keywords)).collect();
    if all.iter().all(|f| f.exact.is_some()) {
        let set: AnyOf = all.iter().flat_map(|f| f.exact.clone().unwrap_or_default()).collect();
        if let Some(set) = dedup(set) {
            return Facts::exact(set);
        }
    }
    let mut union: AnyOf = Vec::new();
    for branch in all {
        let mut candidates = branch.required;
        if let Some(exact) = branch.exact {
            candidates.push(exact);
        }
        candidates.retain(|set| set.iter().all(|lit| !lit.is_empty()));
        // The keywords this branch cannot match without; a set one of them holds tells
        // nothing about a window that keyword made.
        let own: Vec<&Vec<u8>> = keywords
            .iter()
            .filter(|k| candidates.iter().any(|set| set.iter().all(|lit| contains(lit, k))))
            .collect();
        let cost = |set: &AnyOf| {
            let told = own.iter().any(|k| set.iter().any(|lit| contains(k, lit)));
            (told, chance(set))
        };
        let best = candidates.into_iter().min_by(|a, b| {
            let (a, b) = (cost(a), cost(b));
            a.0.cmp(&b.0).then(a.1.total_cmp(&b.1))
        });
        match best {
            Some(set) => union.extend(set),
            None => return Facts::unknown(),
        }
    }
    match dedup(union) {
        Some(set) => Facts { exact: None, required: vec![set] },
        None => Facts::unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(pattern: &str, keywords: &[&str]) -> Vec<Vec<String>> {
        let hir = parse(pattern).unwrap();
        let keywords: Vec<Vec<u8>> = keywords.iter().map(|k| k.as_bytes().to_vec()).collect();
        let f = facts(&hir, &keywords);
        f.required
            .into_iter()
            .chain(f.exact)
            .filter(|s| !implied_by_keywords(s, &keywords))
            .map(|s| s.into_iter().map(|l| String::from_utf8(l).unwrap()).collect())
            .collect()
    }

    #[test]
    fn a_literal_holding_another_of_its_set_is_dropped() {
        let set = |items: &[&str]| items.iter().map(|s| s.as_bytes().to_vec()).collect::<AnyOf>();
        assert_eq!(without_subsumed(set(&["api_key", "key", "x-mbx-apikey", "-key"])), set(&["key"]));
        assert_eq!(
            without_subsumed(set(&["passwd", "pwd", "password"])),
            set(&["passwd", "password", "pwd"])
        );
        // The binance rule's key names all hold `key`: one literal to search, not ten.
        let required = Required::of(
            r"(?i)(?:binance(?:[^\r\n]{0,80}?api[_.\- ]?key|[_.\-]?key)(?:[_.\-]?id)?|x-mbx-apikey)[ \t]*[:=][ \t]*(?P<secret>[A-Za-z0-9]{64})",
            &["binance".into(), "x-mbx-apikey".into()],
        );
        let lowered: Vec<&Check> =
            required.checks.iter().filter(|c| matches!(c, Check::Lowered(_))).collect();
        assert!(
            matches!(&lowered[..], [Check::Lowered(literals)] if literals.len() == 1),
            "{:?}",
            required.checks
        );
    }

    #[test]
    fn byte_checks_run_before_literal_searches() {
        // `http://` or `https://`, then `@`: the `@` is checked first.
        let required =
            Required::of(r"https?://[a-f0-9]{32}:(?P<secret>[a-f0-9]{32})@[a-z.]+", &["://".into()]);
        // `@`, the scheme, and the 32 hex digits of the secret.
        assert!(required.checks.len() == 3, "{:?}", required.checks);
        assert!(matches!(required.checks[0], Check::Bytes(_)), "{:?}", required.checks);
        assert!(!required.may_match(b"GET https://api.bitget.com/api/v2/order status=200"));
    }

    #[test]
    fn a_url_with_credentials_needs_an_at_sign() {
        let pattern =
            r"(?i)\b[a-z][a-z0-9+.-]{1,20}://(?P<user>[^\s:/@]+):(?P<secret>[^\s@/]{3,})@[A-Za-z0-9.-]+";
        let found = sets(pattern, &["://"]);
        assert!(found.contains(&vec!["@".to_string()]), "{found:?}");
        assert!(!found.iter().any(|s| s == &vec!["://".to_string()]), "implied by the keyword: {found:?}");
        let required = Required::of(pattern, &["://".to_string()]);
        assert!(!required.may_match(b"GET https://api.bitget.com/api/v2/order?id=1 status=200"));
        assert!(required.may_match(b"DATABASE_URL=postgres://app:pw-9x@db.internal/app"));
    }

    #[test]
    fn case_insensitive_words_join_into_one_literal() {
        let pattern =
            r"(?i:bitget)[^\r\n]{0,120}?(?i:secret)[A-Za-z0-9_.\-]{0,12}?[:=][ \t]*(?P<secret>[0-9a-f]{64})";
        let found = sets(pattern, &["bitget"]);
        assert!(found.contains(&vec!["secret".to_string()]), "{found:?}");
        let required = Required::of(pattern, &["bitget".to_string()]);
        assert!(required.len() >= 1);
        assert!(!required.may_match(b"GET https://api.bitget.com/api/v2/mix/order/detail status=200"));
        let hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        assert!(required.may_match(format!("BITGET_SECRET_KEY={hex}").as_bytes()));
        assert!(required.may_match(format!("bitget api SeCrEt: {hex}").as_bytes()));
    }

    #[test]
    fn alternatives_need_one_of_their_branches() {
        let found = sets(r"(?:xoxb-|xoxp-)[0-9]+|hooks\.slack\.com/services/T[A-Z0-9]+", &[]);
        assert!(
            found
                .iter()
                .any(|s| s.contains(&"xoxb-".to_string()) && s.iter().any(|l| l.starts_with("hooks"))),
            "{found:?}"
        );
        // A branch with nothing required makes the whole alternation require nothing.
        assert!(sets(r"(?:abc[0-9]+|[0-9]+)", &[]).is_empty());
    }

    #[test]
    fn a_literal_is_found_by_its_rarest_byte_in_any_case() {
        let literal = Pivoted::new(b"x-api-key".to_vec());
        assert_eq!(literal.literal[literal.pivot], b'x');
        for text in [&b"X-Api-Key: 1"[..], b"hdr x-api-key", b"X-API-KEY"] {
            assert!(literal.is_in(text), "{}", String::from_utf8_lossy(text));
        }
        for text in [&b"x-api-ke"[..], b"api-key x", b"xx-api_key"] {
            assert!(!literal.is_in(text), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn lowering_changes_ascii_capitals_only() {
        let all: Vec<u8> = (0..=255).collect();
        let mut lowered = Vec::new();
        lower_into(&all, &mut lowered);
        assert_eq!(lowered, all.iter().map(u8::to_ascii_lowercase).collect::<Vec<u8>>());
    }

    #[test]
    fn an_uppercase_only_literal_is_searched_in_upper_case() {
        // An Alpaca key id: `PK`/`AK` upper case only, after a name the keyword found.
        let pattern = r"(?i:alpaca)[A-Za-z0-9_]{0,20}=(?P<secret>PK[A-Z0-9]{18}|AK[A-Z0-9]{18})";
        let found = sets(pattern, &["alpaca"]);
        assert!(found.contains(&vec!["AK".to_string(), "PK".to_string()]), "{found:?}");
        let required = Required::of(pattern, &["alpaca".to_string()]);
        // Lower-case `pk`/`ak` is all over vendor traffic: not enough.
        assert!(!required.may_match(b"GET https://paper-api.alpaca.markets/v2/orders pk=1 ak=2"));
        assert!(required.may_match(b"ALPACA_KEY=PK0123456789ABCDEFGHI"));
        assert!(required.may_match(b"alpaca_key=AK0123456789ABCDEFGHI"));
        // A class with both cases of a letter is that letter in either case.
        assert!(sets(r"x[Kk][Ee][Yy]=", &[]).iter().all(|s| s == &["xkey="]));
        assert!(sets(r"x[K][Ee]Y=", &[]).iter().all(|s| s == &["xKeY="]));
        // `PK` holds `pk`: the looser literal is kept, never the stricter one.
        let set = |items: &[&str]| items.iter().map(|s| s.as_bytes().to_vec()).collect::<AnyOf>();
        assert_eq!(without_subsumed(set(&["PK", "pk"])), set(&["pk"]));
        assert_eq!(without_subsumed(set(&["PKX", "PK"])), set(&["PK"]));
        assert_eq!(without_subsumed(set(&["pkx", "PK"])), set(&["PK", "pkx"]));
    }

    #[test]
    fn a_branch_is_judged_by_what_it_needs_besides_the_keyword() {
        // Either `bitget ... passphrase` or the header name: a window there because of
        // `bitget` must also hold a passphrase word.
        let pattern = r"(?:(?i:bitget)[^\r\n]{0,120}?(?i:pass[_\-]?phrase|pwd)|(?i:access-passphrase))[:=](?P<secret>\w+)";
        let required = Required::of(pattern, &["bitget".to_string(), "access-passphrase".to_string()]);
        assert!(!required.may_match(b"GET https://api.bitget.com/api/v2/mix/order status=200"));
        assert!(required.may_match(b"bitget passphrase=x"));
        assert!(required.may_match(b"ACCESS-PASSPHRASE: x"));
    }

    #[test]
    fn optional_parts_are_never_required() {
        assert!(sets(r"(?:@host)?[0-9]+", &[]).is_empty());
        assert!(sets(r"(?:@x)*[0-9]+", &[]).is_empty());
        assert_eq!(sets(r"(?:@x){2,}", &[]), vec![vec!["@x".to_string()]]);
    }

    #[test]
    fn a_long_secret_needs_a_run_of_its_bytes() {
        let pattern = r#"(?i:apca)[A-Za-z0-9_.\- ]{0,30}?(?i:secret)[A-Za-z0-9_.\-]{0,12}?[ \t]*[:=][ \t]*(?P<secret>[A-Za-z0-9/+]{40,44})"#;
        let required = Required::of(pattern, &["apca".to_string()]);
        assert!(required.checks.iter().any(|c| matches!(c, Check::Run(run) if run.min == 40)));
        assert!(!required.may_match(
            b"POST /v2/orders req_id=3f9a2c81d0e47b5a96c3f1e28d7b4a05 APCA-API-SECRET-KEY header set"
        ));
        assert!(required.may_match(b"APCA_API_SECRET_KEY=Zk3vQ9pL2mX7rT8wY4cB1nH6Zk3vQ9pL2mX7rT8w"));
        // A short secret, or one of nearly any byte, gets no run check.
        for pattern in [r"token=(?P<secret>[a-z0-9]{8})", r#"token=(?P<secret>[^\s"']{40})"#] {
            assert!(!Required::of(pattern, &["token".to_string()])
                .checks
                .iter()
                .any(|c| matches!(c, Check::Run(_))));
        }
    }

    proptest::proptest! {
        /// The probing search agrees with looking at every stretch.
        #[test]
        fn value_runs_agree_with_the_obvious_search(
            text in proptest::collection::vec(proptest::sample::select(b"ab-_ ".to_vec()), 0..120),
            min in 1usize..12,
        ) {
            let mut class = [false; 256];
            class[usize::from(b'a')] = true;
            class[usize::from(b'b')] = true;
            let run = ValueRun { class, min };
            let obvious = text.windows(min).any(|w| w.iter().all(|&b| b == b'a' || b == b'b'));
            proptest::prop_assert_eq!(run.is_in(&text), obvious);
        }
    }

    #[test]
    fn common_requirements_are_not_checked() {
        // `=` is on nearly every line of a log: checking it would only cost time.
        let required = Required::of(r"[A-Z_]+=(?P<secret>[0-9]+)", &[]);
        assert_eq!(required.len(), 0);
    }

    #[test]
    fn every_built_in_example_passes_its_rules_check() {
        // Soundness on real rules: a window holding a match is never skipped.
        let rules = crate::rules::RuleSet::builtin_with_examples().unwrap();
        let mut checked = 0;
        for rule in &rules.rules {
            let required = Required::of(&rule.pattern, &rule.keywords);
            for example in rule
                .examples
                .iter()
                .map(|e| e.text.as_bytes())
                .chain(rule.counter_examples.iter().map(|c| c.as_bytes()))
            {
                if rule.matcher().regex.is_match(example) {
                    assert!(required.may_match(example), "{}: a matching text fails the check", rule.id);
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked} matching examples");
    }
}
