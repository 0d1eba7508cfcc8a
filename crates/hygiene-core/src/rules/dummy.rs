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

/// Longest value the typed-shape checks judge: typed stand-ins are a line's worth; longer
/// values are blobs (JWTs, PEM bodies, base64 of documents) whose repeats are structure.
pub(crate) const MAX_TYPED_LEN: usize = 200;
/// Fewest letters and digits a value needs before its shape is judged: in a shorter value a
/// run or two is most of it by chance.
const MIN_TYPED_ALNUM: usize = 10;
/// Shortest unit [`mark_repeated_unit`] looks for, and the k-gram it finds repeats with: a
/// 64-bit word.
const MIN_UNIT: usize = 8;
const _: () = assert!(MIN_UNIT == std::mem::size_of::<u64>());
/// Shortest stretch written twice that counts as a repeated unit.
const MIN_REPEAT: usize = 12;

/// Whether `b` follows `a` when counting: a digit and the next (`9` -> `0` wraps), or a
/// letter and the next in the alphabet, in either case.
fn follows(a: u8, b: u8) -> bool {
    if a.is_ascii_digit() && b.is_ascii_digit() {
        return b == if a == b'9' { b'0' } else { a + 1 };
    }
    a.is_ascii_alphabetic() && b.is_ascii_alphabetic() && b.to_ascii_lowercase() == a.to_ascii_lowercase() + 1
}

/// Whether `value` holds the same run of `unit` letters and digits twice, apart
/// (`lkm12n3-2ba3-1mxf-fn13-lkm12n3a`): a person typed it, or pasted a piece of it again. In a
/// generator's output a run of six base62 characters recurs once in about 10^10 values of
/// this length; a run of one character over and over does not count (`value.repeated-character`
/// judges those).
pub(crate) fn repeats_run(value: &[u8], unit: usize) -> bool {
    if unit == 0 || value.len() < unit * 2 || value.len() > MAX_LEN {
        return false;
    }
    let is_run = |w: &[u8]| w.iter().all(u8::is_ascii_alphanumeric) && w.iter().any(|&b| b != w[0]);
    value
        .windows(unit)
        .enumerate()
        .any(|(at, w)| is_run(w) && value[at + unit..].windows(unit).any(|later| later == w))
}

/// Marks the plain runs a person types: three or more characters counting up (`abc`, `123`,
/// `klmnopqrstuvwx`, `7890`) and one letter or digit four or more times (`aaaa`, `8888`).
/// A random character follows the one before it one time in ten (digits) to twenty-six
/// (letters), so three in a row are rare and mostly alone.
pub(crate) fn mark_counting_runs(value: &[u8], typed: &mut [bool]) {
    let mut start = 0;
    while start < value.len() {
        let mut end = start + 1;
        while end < value.len() && follows(value[end - 1], value[end]) {
            end += 1;
        }
        if end - start >= 3 {
            typed[start..end].fill(true);
        }
        start = end;
    }
    let mut start = 0;
    while start < value.len() {
        let end = start + value[start..].iter().take_while(|&&b| b == value[start]).count();
        if end - start >= 4 && value[start].is_ascii_alphanumeric() {
            typed[start..end].fill(true);
        }
        start = end;
    }
}

/// Marks interleaved progressions: letters counting up through the alphabet between digits
/// counting up (`a1b2c3d4`, `1a2b3c4d-5e6f`), in alternating case (`aB1cD2eF3`), or each
/// letter twice in both cases (`Aa1Bb2Cc3`). A character continues the progression when the
/// last character of its kind (digit or letter) at most three places back is its predecessor
/// (or, for a letter, the same letter in the other case); two such in a row, with the one
/// they continue, are marked.
pub(crate) fn mark_interleaved(value: &[u8], typed: &mut [bool]) {
    let (mut last_digit, mut last_letter): (Option<usize>, Option<usize>) = (None, None);
    let mut continues = vec![false; value.len()];
    for (i, &b) in value.iter().enumerate() {
        let last = if b.is_ascii_digit() {
            last_digit.replace(i)
        } else if b.is_ascii_alphabetic() {
            last_letter.replace(i)
        } else {
            continue;
        };
        if let Some(at) = last.filter(|&at| i - at <= 3) {
            let prev = value[at];
            continues[i] =
                follows(prev, b) || (b.is_ascii_alphabetic() && prev != b && prev.eq_ignore_ascii_case(&b));
        }
    }
    let mut i = 0;
    while i < value.len() {
        let run = continues[i..].iter().take_while(|&&c| c).count();
        if run >= 2 {
            typed[i.saturating_sub(1)..i + run].fill(true);
        }
        i += run.max(1);
    }
}

/// Marks both copies of a stretch of at least `MIN_REPEAT` characters written twice at a
/// distance of at least `MIN_UNIT` (`R7mQ2vN9xK4p...` then the same again): a random token
/// never repeats itself; a person making one up long enough copies a piece. Repeats are
/// found by their first `MIN_UNIT`-character piece, so this is linear in the value's length
/// (a random value has no repeated piece to follow up). Two kinds of repeat are structure,
/// not typing, and are left: a stretch of fewer than `MIN_UNIT_KINDS` different characters
/// (`AAAA...`, base64 of zeros), and any repeat in a value that is base64 of text (JSON with
/// the same keys in every record repeats their base64 too).
pub(crate) fn mark_repeated_unit(value: &[u8], typed: &mut [bool]) {
    if value.len() < 2 * MIN_REPEAT {
        return;
    }
    let mut marks = Vec::new();
    // A piece is a word (`MIN_UNIT` is 8) in a fast hash map: this runs on every candidate
    // value of a generic rule, and SipHash over byte slices was most of its cost.
    let mut first_at: rustc_hash::FxHashMap<u64, usize> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(value.len(), Default::default());
    let mut distances: Vec<usize> = Vec::new();
    for (i, piece) in value.windows(MIN_UNIT).enumerate() {
        let piece = u64::from_le_bytes(piece.try_into().unwrap_or_default());
        match first_at.get(&piece) {
            Some(&at) if i - at >= MIN_UNIT && !distances.contains(&(i - at)) => distances.push(i - at),
            Some(_) => {}
            None => {
                first_at.insert(piece, i);
            }
        }
        // A handful of distances is enough to judge (a value written three times has two).
        if distances.len() >= 4 {
            break;
        }
    }
    for distance in distances {
        let mut i = 0;
        while i + distance < value.len() {
            let same = (i..value.len() - distance).take_while(|&j| value[j] == value[j + distance]).count();
            if same >= MIN_REPEAT && kinds(&value[i..i + same]) >= MIN_UNIT_KINDS {
                marks.push((i, distance, same));
            }
            i += same.max(1);
        }
    }
    if marks.is_empty() || is_base64_of_text(value) {
        return;
    }
    for (at, distance, len) in marks {
        typed[at..at + len].fill(true);
        typed[at + distance..at + distance + len].fill(true);
    }
}

/// Fewest different characters in a stretch [`mark_repeated_unit`] takes as a unit.
const MIN_UNIT_KINDS: usize = 6;

/// How many different bytes `text` holds.
fn kinds(text: &[u8]) -> usize {
    let mut seen = [false; 256];
    text.iter().filter(|&&b| !std::mem::replace(&mut seen[b as usize], true)).count()
}

/// Whether `value` is base64 (standard or URL-safe, padded or not) of printable text: then
/// its repeats are the text's.
fn is_base64_of_text(value: &[u8]) -> bool {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine as _;
    let decoded =
        [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].iter().find_map(|e| e.decode(value).ok());
    decoded.is_some_and(|bytes| {
        !bytes.is_empty()
            && bytes.iter().filter(|&&b| b == b'\n' || b == b'\t' || (0x20..0x7f).contains(&b)).count() * 10
                >= bytes.len() * 9
    })
}

/// Which shapes [`typed_share`] counts (`typed = "runs"` or `"all"` in a `[[dummy]]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Shapes {
    /// Counting runs and repeated characters only ([`mark_counting_runs`]).
    Runs,
    /// Those, interleaved progressions and a repeated unit too.
    All,
}

/// The share of `value`'s letters and digits that sit in typed runs of `shapes`, or 0 for a
/// value too short or too long to judge.
pub(crate) fn typed_share(value: &[u8], shapes: Shapes) -> f64 {
    let alnum = value.iter().filter(|b| b.is_ascii_alphanumeric()).count();
    if alnum < MIN_TYPED_ALNUM || value.len() > MAX_TYPED_LEN {
        return 0.0;
    }
    let mut typed = vec![false; value.len()];
    mark_counting_runs(value, &mut typed);
    if shapes == Shapes::All {
        mark_interleaved(value, &mut typed);
        mark_repeated_unit(value, &mut typed);
    }
    let marked = value.iter().zip(&typed).filter(|(b, &t)| t && b.is_ascii_alphanumeric()).count();
    marked as f64 / alnum as f64
}

/// Whether `value` is mostly typed: at least [`Shapes::share`] of its letters and digits in
/// runs of `shapes`. Random tokens of 10 to 200 characters never are (tested below on fixed-seed
/// random values); one accidental `abc` or `123` is 3 characters, far below half of any
/// value long enough to judge.
pub(crate) fn is_typed(value: &[u8], shapes: Shapes) -> bool {
    typed_share(value, shapes) >= shapes.share()
}

impl Shapes {
    /// The share of a value's letters and digits that must be typed. Runs alone judge values
    /// in a vendor's format, where a prefix and separators are not typed: three in five. With
    /// every shape, half (`a1b2c3d4` marks its first letter only from the second pair).
    fn share(self) -> f64 {
        match self {
            Shapes::Runs => 0.6,
            Shapes::All => 0.5,
        }
    }
}

/// The words of `text`: runs of letters split at case changes (`SDK_KEY` -> `sdk` `key`,
/// `streamKey` -> `stream` `key`, `APIToken` -> `api` `token`), lower-cased; digits and
/// single letters dropped.
pub(crate) fn name_words(text: &[u8]) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut push = |word: &mut String| {
        if word.len() > 1 {
            words.push(word.to_ascii_lowercase());
        }
        word.clear();
    };
    for (i, &b) in text.iter().enumerate() {
        if !b.is_ascii_alphabetic() {
            push(&mut word);
            continue;
        }
        let prev = i.checked_sub(1).map(|j| text[j]);
        let next = text.get(i + 1).copied();
        // A capital after a small letter starts a word (`stream|Key`), and so does the last
        // capital of a run before a small letter (`API|Token`).
        let starts = b.is_ascii_uppercase()
            && (prev.is_some_and(|p| p.is_ascii_lowercase())
                || (prev.is_some_and(|p| p.is_ascii_uppercase())
                    && next.is_some_and(|n| n.is_ascii_lowercase())));
        if starts {
            push(&mut word);
        }
        word.push(b as char);
    }
    push(&mut word);
    words
}

/// Whether every word of `name` is one of `kinds`: the name says what kind of credential the
/// value is (`TOKEN`, `api_secret`, `SDK_KEY`) and nothing about whose.
pub(crate) fn names_only_kind(name: &[u8], kinds: &HashSet<String>) -> bool {
    name_words(name).iter().all(|w| kinds.contains(w))
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

    /// `count` values with lengths in `lens`, drawn from `alphabet` by a fixed-seed xorshift
    /// generator.
    fn random_values(
        seed: u64,
        alphabet: &[u8],
        lens: std::ops::RangeInclusive<usize>,
        count: usize,
    ) -> Vec<Vec<u8>> {
        let mut state = seed;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let span = lens.end() - lens.start() + 1;
        (0..count)
            .map(|_| {
                let len = lens.start() + next(span);
                (0..len).map(|_| alphabet[next(alphabet.len())]).collect()
            })
            .collect()
    }

    fn marked(value: &str, mark: fn(&[u8], &mut [bool])) -> String {
        let mut typed = vec![false; value.len()];
        mark(value.as_bytes(), &mut typed);
        value.chars().zip(typed).map(|(c, t)| if t { c } else { '.' }).collect()
    }

    #[test]
    fn a_run_typed_twice_is_found() {
        assert!(repeats_run(b"lkm12n3-2ba3-1mxf-fn13-lkm12n3a", 6));
        assert!(repeats_run(b"Qz7vK2Qz7vK2", 6));
        assert!(!repeats_run(b"Qz7vK2pLr9TzW4nHc8JdXk", 6));
        assert!(!repeats_run(b"aaaaaaaaaaaaaaaa", 6), "one character over and over");
        assert!(!repeats_run(b"Qz7vK2-Qz7vK", 6), "the second copy is one short");
        assert!(!repeats_run(b"Qz7-vK2Qz7-vK2", 6), "punctuation breaks a run");
    }

    #[test]
    fn counting_runs_are_marked() {
        assert_eq!(marked("xabc123q", mark_counting_runs), ".abc123.");
        assert_eq!(marked("k7890Q", mark_counting_runs), ".7890.");
        assert_eq!(marked("zKLMNOPx", mark_counting_runs), ".KLMNOP.");
        assert_eq!(marked("q8888x", mark_counting_runs), ".8888.");
        // Two in a row, three of one character, a run across a separator: not marked.
        assert_eq!(marked("ab9xxx1-2-3", mark_counting_runs), "...........");
    }

    #[test]
    fn interleaved_progressions_are_marked() {
        assert_eq!(marked("a1b2c3d4", mark_interleaved), ".1b2c3d4");
        assert_eq!(marked("aB1cD2eF3", mark_interleaved), "..1cD2eF3");
        assert_eq!(marked("Aa1Bb2Cc3", mark_interleaved), "..1Bb2Cc3");
        assert_eq!(marked("1a2b-3c4d", mark_interleaved), ".a2b-3c4d");
        assert_eq!(marked("q8Zr2Kd0Lm", mark_interleaved), "..........");
    }

    #[test]
    fn a_repeated_unit_is_marked_twice() {
        let unit = "Zq7Wm3Kx9Tp2Rv5L";
        assert_eq!(marked(&format!("{unit}{unit}"), mark_repeated_unit), format!("{unit}{unit}"));
        // Separated by other text, both copies and nothing between them.
        let value = format!("{unit}XYZW{unit}");
        assert_eq!(marked(&value, mark_repeated_unit), format!("{unit}....{unit}"));
        // Shorter than twelve characters, or at a distance under eight (a run of one
        // character, `AAAA...` in base64 of zeros, is not a unit): not marked.
        assert_eq!(marked("Zq7Wm3Kx9T-Zq7Wm3Kx9T-qq", mark_repeated_unit), "........................");
        assert_eq!(
            marked("AAAAAAAAAAAAAAAAAAAAAAAAAAAA", mark_repeated_unit),
            "............................"
        );
    }

    #[test]
    fn typed_values_and_real_ones() {
        for (typed, shapes) in [
            ("sk-zz-abc123def-456ghijk789-lmnopqrstu-1234vwxyz", Shapes::Runs),
            ("zz_live_abcd1234efgh5678ijkl9012mnop", Shapes::Runs),
            ("M3n4O5p6Q7r8S9t0U1v2", Shapes::All),
            ("cD1eF2gH3iJ4kL5mN6oP7qR8==", Shapes::All),
            ("1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", Shapes::All),
            ("Zq7Wm3Kx9Tp2Rv5Ln8Hy4Zq7Wm3Kx9Tp2Rv5Ln8Hy4", Shapes::All),
            ("XYZ123_ABC-DEF456.abcdef1234567890abcdef1234567890", Shapes::All),
        ] {
            assert!(is_typed(typed.as_bytes(), shapes), "{typed}");
        }
        for (real, shapes) in [
            ("M3n4O5p6Q7r8S9t0U1v2", Shapes::Runs),
            ("Zq7Wm3Kx9Tp2Rv5Ln8Hy4Zq7Wm3Kx9Tp2Rv5Ln8Hy4", Shapes::Runs),
            ("q8Zr2Kd0LmXw7PfT3uYh", Shapes::All),
            ("abc7Kq9Lm2Xp7Vr8TzW4", Shapes::All),
            ("9f86d081884c7d659a2feaa0c55ad015", Shapes::All),
            ("abc123def", Shapes::All),
        ] {
            assert!(!is_typed(real.as_bytes(), shapes), "{real}");
        }
        // Too long to judge: a blob, whatever it repeats.
        assert!(!is_typed("a1b2c3d4".repeat(30).as_bytes(), Shapes::All));
    }

    #[test]
    fn random_tokens_are_never_typed() {
        let alnum = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let base64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let hex = b"0123456789abcdef";
        let upper_hex = b"0123456789ABCDEF";
        let digits = b"0123456789";
        for (seed, alphabet) in
            [(1, &alnum[..]), (2, &base64[..]), (3, &hex[..]), (4, &upper_hex[..]), (5, &digits[..])]
        {
            for value in random_values(0x9E37_79B9_7F4A_7C15 ^ seed, alphabet, 20..=64, 10_000) {
                let shown = String::from_utf8_lossy(&value);
                assert!(!is_typed(&value, Shapes::All), "{shown}");
                assert!(!is_typed(&value, Shapes::Runs), "{shown}");
            }
        }
        // Short ones too (10 to 19 characters), where one run is a larger share.
        for value in random_values(6, alnum, 10..=19, 10_000) {
            assert!(!is_typed(&value, Shapes::All), "{}", String::from_utf8_lossy(&value));
        }
    }

    #[test]
    fn base64_of_structured_data_is_not_a_repeated_unit() {
        use base64::Engine as _;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        // JSON with the same keys over and over, a JWT-like claim set, a PEM-like DER prefix.
        let json = r#"{"items":[{"name":"alpha","role":"reader"},{"name":"bravo","role":"reader"},{"name":"delta","role":"writer"}]}"#;
        let claims =
            r#"{"iss":"https://auth.example.test/","aud":"https://auth.example.test/api","sub":"42"}"#;
        for text in [json, claims] {
            let encoded = b64(text.as_bytes());
            assert!(!is_typed(encoded.as_bytes(), Shapes::All), "{encoded}");
        }
        // An RSA public key's DER: a header, a fixed-seed random modulus, the exponent.
        let modulus = &random_values(7, &(0..=255).collect::<Vec<u8>>(), 96..=96, 1)[0];
        let der = [&[0x30, 0x81, 0x89, 0x02, 0x81, 0x81, 0x00][..], modulus, &[0x02, 0x03, 0x01, 0x00, 0x01]]
            .concat();
        let der = b64(&der);
        assert!(!is_typed(der.as_bytes(), Shapes::All), "{der}");
    }

    #[test]
    fn names_that_say_only_the_kind() {
        let kinds = set(&["api", "key", "token", "secret", "sdk", "export"]);
        for name in ["TOKEN=", "  \"apiKey\": \"", "export SDK_KEY=", "api_secret = '", "APIToken: "] {
            assert!(names_only_kind(name.as_bytes(), &kinds), "{name}");
        }
        for name in ["ACME_TOKEN=", "acmeKey: ", "billing api key: ", "curl -H 'token: "] {
            assert!(!names_only_kind(name.as_bytes(), &kinds), "{name}");
        }
        assert_eq!(
            name_words(b"streamKey APIToken x_SDK_KEY2"),
            ["stream", "key", "api", "token", "sdk", "key"]
        );
    }

    #[test]
    fn long_values_are_never_dummies() {
        let words = set(&["secret"]);
        let long = "secret".repeat(9);
        assert!(!is_dummy(long.as_bytes(), &HashSet::new(), &words));
    }
}
