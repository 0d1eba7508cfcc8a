//! A rule's `follows` check (see [`crate::rules::Rule::follows`]), moved to a full DFA once
//! it runs often.
//!
//! The check runs at every occurrence of a rule's keyword, before any window is opened: on a
//! venue log that is several times per line for the generic rules (`X-MBX-APIKEY header set`
//! holds `key`, `apikey` and `api-key` at once). Through the `regex` crate each call pays its
//! fixed costs (a cache taken from the regex's pool, the meta engine choosing a strategy) for a
//! match decided in a few bytes: about a tenth of a scan of such logs. A dense DFA is immutable
//! and shared, anchored, and walks those few bytes with one table load each; but building one
//! takes 0.5 to 5 ms, which a pre-commit run over three files would pay for nothing (it did:
//! start-up went from 7.8 to 9 ms). So the regex answers the first [`HOT`] calls and the DFA,
//! built then, the rest. A pattern whose DFA would be too big keeps the regex (same syntax
//! settings, same answer).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use regex::bytes::Regex;
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::syntax;
use regex_automata::util::{primitives::StateID, start};
use regex_automata::{nfa::thompson, Anchored};

/// Largest DFA kept for one `follows` pattern: the built-in ones take a few KiB to a few
/// hundred KiB; past this the regex is used.
const DFA_SIZE_LIMIT: usize = 2 << 20;

/// Calls answered by the regex before the DFA is built: a DFA saves about 40 ns a call and
/// costs up to 5 ms to build, so it pays after about a hundred thousand calls; this many
/// come from about a megabyte of a venue log, and never from a pre-commit run.
const HOT: u32 = 20_000;

/// A compiled `follows` pattern.
#[derive(Debug)]
pub(crate) struct Follows {
    /// The unanchored source (the DFA is run anchored).
    pattern: String,
    /// The same pattern built by the rules' regex builder, `\A`-anchored.
    regex: Regex,
    /// Calls so far, up to [`HOT`] (counted without a read-modify-write: two threads may
    /// count one call, which only moves the switch by a call).
    calls: AtomicU32,
    /// Built on the call that reaches [`HOT`]; `None` when it would not fit.
    dfa: OnceLock<Option<Walk>>,
}

impl Follows {
    /// The check for `pattern` (unanchored source: it is always run anchored at the start of
    /// what it is given); `regex` is the same pattern built by the rules' regex builder,
    /// `\A`-anchored.
    pub(crate) fn new(pattern: &str, regex: Regex) -> Follows {
        Follows { pattern: pattern.to_string(), regex, calls: AtomicU32::new(0), dfa: OnceLock::new() }
    }

    /// Whether the pattern matches at the start of `text`.
    #[inline]
    pub(crate) fn is_match(&self, text: &[u8]) -> bool {
        let calls = self.calls.load(Ordering::Relaxed);
        if calls < HOT {
            self.calls.store(calls + 1, Ordering::Relaxed);
            return self.regex.is_match(text);
        }
        match self.dfa.get_or_init(|| dfa_of(&self.pattern).and_then(Walk::new)) {
            Some(walk) => walk.matches(text),
            None => self.regex.is_match(text),
        }
    }
}

/// A DFA and its anchored start state (the same for every call: what is given starts a
/// text, with nothing behind it), walked byte by byte. The search routines of `regex-automata`
/// work out the start state and set up a search at every call; for a check decided in a few
/// bytes that set-up was a good part of its cost.
#[derive(Debug)]
struct Walk {
    dfa: Box<dense::DFA<Vec<u32>>>,
    start: StateID,
}

impl Walk {
    fn new(dfa: dense::DFA<Vec<u32>>) -> Option<Walk> {
        let start = dfa.start_state(&start::Config::new().anchored(Anchored::Yes)).ok()?;
        Some(Walk { dfa: Box::new(dfa), start })
    }

    /// Whether the DFA matches at the start of `text` (a match is seen one byte late, or at
    /// the end of the text).
    #[inline]
    fn matches(&self, text: &[u8]) -> bool {
        let dfa = &self.dfa;
        let mut state = self.start;
        for &byte in text {
            state = dfa.next_state(state, byte);
            if dfa.is_special_state(state) {
                if dfa.is_match_state(state) {
                    return true;
                }
                if dfa.is_dead_state(state) {
                    return false;
                }
                // A DFA built without heuristic Unicode support never quits; should it ever,
                // the answer that keeps the occurrence is the safe one.
                if dfa.is_quit_state(state) {
                    return true;
                }
            }
        }
        dfa.is_match_state(dfa.next_eoi_state(state))
    }
}

/// The anchored DFA of `pattern` under the syntax every rule regex is built with (see
/// `rules::builder`: bytes, ASCII classes, multi-line CRLF-aware anchors), or `None` if it
/// does not fit [`DFA_SIZE_LIMIT`].
fn dfa_of(pattern: &str) -> Option<dense::DFA<Vec<u32>>> {
    dense::Builder::new()
        .configure(
            dense::DFA::config()
                .start_kind(StartKind::Anchored)
                .dfa_size_limit(Some(DFA_SIZE_LIMIT))
                .determinize_size_limit(Some(4 * DFA_SIZE_LIMIT)),
        )
        .syntax(syntax::Config::new().unicode(false).utf8(false).multi_line(true).crlf(true))
        .thompson(thompson::Config::new().utf8(false))
        .build(pattern)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn regex_of(pattern: &str) -> Regex {
        regex::bytes::RegexBuilder::new(&format!(r"\A(?:{pattern})"))
            .unicode(false)
            .multi_line(true)
            .crlf(true)
            .build()
            .unwrap()
    }

    #[test]
    fn every_builtin_follows_pattern_gets_a_dfa_that_agrees_with_its_regex() {
        let rules = RuleSet::builtin_with_examples().unwrap();
        let mut checked = 0;
        for rule in &rules.rules {
            let Some(pattern) = rule.follows_pattern() else { continue };
            let walk = dfa_of(pattern)
                .and_then(Walk::new)
                .unwrap_or_else(|| panic!("{}: no DFA within the limit", rule.id));
            let regex = regex_of(pattern);
            // What follows each keyword occurrence in the rule's examples and counter-examples,
            // cut at every length (a match decided early, late, or at the end of the text).
            for text in rule
                .examples
                .iter()
                .map(|e| e.text.as_str())
                .chain(rule.counter_examples.iter().map(String::as_str))
            {
                let lower = text.to_ascii_lowercase();
                for keyword in &rule.keywords {
                    for (at, _) in lower.match_indices(keyword.as_str()) {
                        let rest = &text.as_bytes()[at + keyword.len()..];
                        for end in 0..=rest.len() {
                            let rest = &rest[..end];
                            assert_eq!(
                                walk.matches(rest),
                                regex.is_match(rest),
                                "{}: {:?}",
                                rule.id,
                                String::from_utf8_lossy(rest)
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 5_000, "{checked} texts");
    }

    #[test]
    fn the_dfa_sees_line_ends_word_boundaries_and_case_as_the_regex_does() {
        for (pattern, texts) in [
            (
                r"(?i)[a-z]*[ ]{2,}[^\s*|][^\s]{3,9}[ \t]*$",
                &[&b"  abcd"[..], b"x  abcd  \r\nmore", b"X  ABCDEFGHIJKL", b"  *abc", b""][..],
            ),
            (r"[ \t]*=\b[0-9a-f]{4}", &[&b" =beef"[..], b"=be", b"= beef", b"\t=BEEF", b"=beef\xff"][..]),
            (r"(?i)key[^\s]{2}", &[&b"KEY\xe9\xe9"[..], b"kEy  ", b"key\n\n", b"key\xff"][..]),
        ] {
            let walk = dfa_of(pattern).and_then(Walk::new).unwrap();
            let regex = regex_of(pattern);
            for text in texts {
                assert_eq!(
                    walk.matches(text),
                    regex.is_match(text),
                    "{pattern} on {:?}",
                    String::from_utf8_lossy(text)
                );
            }
        }
    }

    #[test]
    fn the_dfa_takes_over_once_the_check_is_hot_and_answers_the_same() {
        let pattern = r"[ \t]*=[ \t]*[0-9a-f]{8}";
        let follows = Follows::new(pattern, regex_of(pattern));
        for round in 0..HOT + 10 {
            assert!(follows.is_match(b" = deadbeef01") && !follows.is_match(b" header set"), "call {round}");
        }
        assert!(matches!(follows.dfa.get(), Some(Some(_))), "built once hot");
    }

    #[test]
    fn a_pattern_too_big_for_a_dfa_keeps_its_regex() {
        // The n-th byte from the end is a 1: a DFA needs 2^n states for it.
        let huge = "[01]*1[01]{20}x";
        assert!(dfa_of(huge).is_none());
        let follows = Follows::new(huge, regex_of(huge));
        let hit = format!("0011{}x", "0".repeat(19));
        for _ in 0..HOT + 2 {
            assert!(follows.is_match(hit.as_bytes()) && !follows.is_match(b"01x"));
        }
        assert!(matches!(follows.dfa.get(), Some(None)), "tried once, kept the regex");
        assert!(dfa_of("[01]*1[01]{2}x").is_some());
    }
}
