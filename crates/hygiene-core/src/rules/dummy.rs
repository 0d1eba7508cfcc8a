//! Well-known dummy passwords and placeholder values, recognised after normalisation: a value
//! is a dummy when, with leetspeak undone and separators dropped, it is a listed dummy
//! (`p@sSw0rd_` -> `password`, `hunter1` -> `hunter`) or is made only of placeholder words
//! (`SuperSecret1!` -> `super` + `secret`, `somethingrandom` -> `something` + `random`).
//! The lists are data (`[[dummy]]` in `rules/decoys.toml`), so users can read and extend them.
use std::collections::HashSet;

/// Longest value considered: dummies are short; long random tokens never are (and, with
/// leetspeak undone, a long random value spells some placeholder word by chance).
pub(crate) const MAX_LEN: usize = 48;
/// A value must not be split into more words than this (`my` `super` `secret` `password`).
const MAX_WORDS: usize = 4;

/// The lowercase letters of `value` with leetspeak undone (`0`->`o`, `1`->`i`, `3`->`e`,
/// `4`/`@`->`a`, `5`/`$`->`s`, `7`->`t`) and everything else dropped.
pub(crate) fn letters(value: &[u8]) -> String {
    value
        .iter()
        .filter_map(|&b| match b {
            b'a'..=b'z' => Some(b as char),
            b'A'..=b'Z' => Some(b.to_ascii_lowercase() as char),
            b'0' => Some('o'),
            b'1' | b'!' => Some('i'),
            b'3' => Some('e'),
            b'4' | b'@' => Some('a'),
            b'5' | b'$' => Some('s'),
            b'7' => Some('t'),
            _ => None,
        })
        .collect()
}

/// Whether `value` writes a letter as a digit or a symbol (`p@ssw0rd`): only then is it read
/// again with [`letters`]. A token without any (`hf_aKe...`, letters only) would otherwise
/// lose its separators and spell a word across them (`f_aKe` as `fake`).
pub(crate) fn has_leet(value: &[u8]) -> bool {
    value.iter().any(|b| b"013457!@$".contains(b))
}

/// Where `value`'s trailing digits and punctuation start (`Testing!123` -> 7): the usual way a
/// dummy is made to pass a password policy.
fn suffix_start(value: &[u8]) -> usize {
    value.iter().rposition(|b| b.is_ascii_alphabetic()).map_or(0, |i| i + 1)
}

/// Whether `value` is a listed dummy or made only of placeholder words, read whole or with a
/// trailing run of digits and punctuation dropped in part or in full: the run may still spell
/// the end of a word in leetspeak (`ComplexPa$$!23` is `complex` + `pass` and `!23`; `Testing!123`
/// is `testing` and `!123`).
pub(crate) fn is_dummy(value: &[u8], values: &HashSet<String>, words: &HashSet<String>) -> bool {
    if value.len() > MAX_LEN {
        return false;
    }
    // Digits and symbols alone (`461029384756`) are read whole: a prefix of them would spell a
    // one-letter word (`4` as `a`).
    let head = match suffix_start(value) {
        0 => value.len(),
        start => start,
    };
    (head..=value.len()).rev().any(|end| {
        let normal = letters(&value[..end]);
        !normal.is_empty() && (values.contains(&normal) || composed_of(&normal, words))
    })
}

/// Fewest neighbouring pairs (digit after digit, letter after letter) [`counts_up`] judges.
const MIN_COUNTING_PAIRS: usize = 6;

/// Whether `value` mostly counts up: of the neighbouring pairs among its digits (`1`->`2`,
/// `9`->`0`) and among its letters (either case: `a`->`B`), at least five and 60% are a
/// character and its successor. People typing a stand-in key write `abcd1234efgh5678`,
/// `a1b2c3d4e5`, `AB1C2defGHijk`; in a random value a pair counts up one time in ten
/// (digits) or in twenty-six (letters), so five of eight is about a one in a thousand chance
/// for a short value and vanishing for a long one.
pub(crate) fn counts_up(value: &[u8]) -> bool {
    // Digits only, each one the one before or its successor (`11223344`, `1112223334`): a
    // pattern typed on the number row; in random digits a pair does that one time in five.
    if value.len() >= 6
        && value.iter().all(u8::is_ascii_digit)
        && value.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1)
        && value.windows(2).filter(|w| w[1] == w[0] + 1).count() >= 3
    {
        return true;
    }
    let (mut pairs, mut up) = (0usize, 0usize);
    let (mut last_digit, mut last_letter): (Option<u8>, Option<u8>) = (None, None);
    for &byte in value {
        if byte.is_ascii_digit() {
            if let Some(prev) = last_digit {
                pairs += 1;
                up += usize::from(byte == if prev == b'9' { b'0' } else { prev + 1 });
            }
            last_digit = Some(byte);
        } else if byte.is_ascii_alphabetic() {
            let byte = byte.to_ascii_lowercase();
            if let Some(prev) = last_letter {
                pairs += 1;
                up += usize::from(byte == prev + 1);
            }
            last_letter = Some(byte);
        }
    }
    pairs >= MIN_COUNTING_PAIRS && up >= 5 && up * 10 >= pairs * 6
}

/// Whether `text` splits into at most `MAX_WORDS` words of `words`.
fn composed_of(text: &str, words: &HashSet<String>) -> bool {
    // fewest[i]: the fewest words that make up text[..i] (usize::MAX when none do).
    let n = text.len();
    let mut fewest = vec![usize::MAX; n + 1];
    fewest[0] = 0;
    for end in 1..=n {
        for start in 0..end {
            if fewest[start] < MAX_WORDS && words.contains(&text[start..end]) {
                fewest[end] = fewest[end].min(fewest[start] + 1);
            }
        }
    }
    fewest[n] <= MAX_WORDS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> HashSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn undoes_leetspeak_and_separators() {
        assert_eq!(letters(b"p@sSw0rd_"), "password");
        assert_eq!(letters(b"s3cr3t_t0k3n"), "secrettoken");
    }

    #[test]
    fn leetspeak_is_a_digit_or_symbol_for_a_letter() {
        assert!(has_leet(b"p@sSw0rd_") && has_leet(b"s3cr3t"));
        assert!(!has_leet(b"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"));
    }

    #[test]
    fn values_that_count_up_are_stand_ins() {
        for typed in [
            "abcd1234efgh5678",
            "a1b2c3d4e5",
            "1a2b3c4d5e",
            "A1b2c3d4",
            "abcdABCD1234#",
            "AB1C2defGHijkLMNo3PqQRstUvwxyz",
            "55667788",
            "1112233345",
        ] {
            assert!(counts_up(typed.as_bytes()), "{typed}");
        }
        for real in [
            "q8Zr2Kd0LmXw7PfT",
            "9f86d081884c7d659a2feaa0c55ad015",
            "abc123",
            "Wz4Kq9Lm2Xp7Vr8T",
            "2024-01-02",
            "112233",
            "73920481",
            "11111111",
        ] {
            assert!(!counts_up(real.as_bytes()), "{real}");
        }
    }

    #[test]
    fn random_values_rarely_count_up() {
        // A fixed-seed generator: alphanumeric values of 8, 16 and 32 characters, and hex.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n) as usize
        };
        let alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let hex = b"0123456789abcdef";
        for (alphabet, len, most) in [
            (&alnum[..], 8, 1),
            (&alnum[..], 16, 1),
            (&alnum[..], 32, 0),
            (&hex[..], 12, 6),
            (&hex[..], 32, 0),
        ] {
            let counted = (0..10_000)
                .filter(|_| {
                    let value: Vec<u8> = (0..len).map(|_| alphabet[next(alphabet.len() as u64)]).collect();
                    counts_up(&value)
                })
                .count();
            assert!(counted <= most, "{counted} of 10,000 random {len}-character values count up");
        }
    }

    #[test]
    fn dummies_by_value_or_by_words() {
        let values = set(&["password", "hunter"]);
        let words = set(&["super", "secret", "something", "random", "testing"]);
        for dummy in
            ["p@sSw0rd_", "hunter1", "SuperSecret1!", "somethingrandom", "Testing!123", "RandomSecre7!98#"]
        {
            assert!(is_dummy(dummy.as_bytes(), &values, &words), "{dummy}");
        }
        for real in ["Tr0ub4dor&3", "q8Zr2Kd0LmXw7PfT", "secretive9", "superb-Kx9", "Secret#9Kq"] {
            assert!(!is_dummy(real.as_bytes(), &values, &words), "{real}");
        }
    }

    #[test]
    fn long_values_are_never_dummies() {
        let words = set(&["secret"]);
        let long = "secret".repeat(9);
        assert!(!is_dummy(long.as_bytes(), &HashSet::new(), &words));
    }
}
