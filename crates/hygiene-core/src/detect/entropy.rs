//! Shannon entropy of a candidate secret, and the length- and charset-aware threshold it must
//! reach: a random 32-character hex string and a random 40-character base64 string have very
//! different ceilings, and a short string cannot score high whatever it is.
use crate::rules::Charset;

/// Shannon entropy in bits per byte.
pub fn shannon(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let len = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

/// The narrowest alphabet `value` fits in. A 64-character hex key cannot reach the entropy
/// of 64 random base64 characters, so thresholds follow the value's actual alphabet, never
/// wider than the rule's declared one.
pub fn effective_charset(declared: Charset, value: &[u8]) -> Charset {
    let fits = |c: Charset| match c {
        Charset::Hex => value.iter().all(u8::is_ascii_hexdigit),
        Charset::Alnum => value.iter().all(u8::is_ascii_alphanumeric),
        Charset::Base64url => value.iter().all(|b| b.is_ascii_alphanumeric() || b"-_=".contains(b)),
        Charset::Base64 => value.iter().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b)),
        Charset::Any => true,
    };
    let order: &[Charset] = match declared {
        Charset::Hex => &[Charset::Hex],
        Charset::Alnum => &[Charset::Hex, Charset::Alnum],
        Charset::Base64 => &[Charset::Hex, Charset::Alnum, Charset::Base64],
        Charset::Base64url => &[Charset::Hex, Charset::Alnum, Charset::Base64url],
        Charset::Any => &[Charset::Hex, Charset::Alnum, Charset::Base64, Charset::Base64url, Charset::Any],
    };
    order.iter().copied().find(|&c| fits(c)).unwrap_or(declared)
}

/// The entropy `value`, a candidate of a rule whose values are of `declared` charset, must
/// reach. Words, repeated characters and short cycles fall below it; sequential placeholders
/// (`abcdef123456`) do not, and are left to the dummy-value decoys.
///
/// Two floors, the lower one applies: a margin under the ceiling `log2(min(len, alphabet))`,
/// which long values with structure need (base64 of a PEM file or of JSON stays near 5.5
/// bits, well under 6); and what a random string of the value's length from its alphabet
/// ([`alphabet_size`]) almost always exceeds, which short and single-case values need (the
/// margin alone rejected half of all random 16-character hex ids and 52-character base-36
/// tokens).
pub fn threshold_for(declared: Charset, value: &[u8]) -> f64 {
    // A password's first characters are as chosen as the rest: no prefix to set aside.
    let value = if declared == Charset::Any { value } else { without_prefix(value) };
    // Hex digits in dash-separated groups (a UUID, an id-key-style `hex-hex`): the dashes are
    // layout, the digits the random part, judged as hex of their own number.
    let dashes = value.iter().filter(|&&b| b == b'-').count();
    let grouped_hex = dashes > 0
        && value.first().is_some_and(u8::is_ascii_hexdigit)
        && value.last().is_some_and(u8::is_ascii_hexdigit)
        && value.iter().all(|&b| b.is_ascii_hexdigit() || b == b'-');
    // Passwords: people pick them, so only reject the obviously degenerate.
    let password_floor = (94f64.min(value.len() as f64).log2() - 1.9).max(1.5);
    let (charset, len) = if grouped_hex {
        (Charset::Hex, value.len() - dashes)
    } else {
        (effective_charset(declared, value), value.len())
    };
    let (ceiling_alphabet, margin) = match charset {
        Charset::Hex => (16.0_f64, 0.75),
        Charset::Alnum => (62.0, 1.0),
        Charset::Base64 | Charset::Base64url => (64.0, 1.0),
        Charset::Any => return password_floor,
    };
    let under_ceiling = (ceiling_alphabet.min(len as f64).log2() - margin).max(1.5);
    let floor = under_ceiling.min(random_floor(alphabet_size(charset, value), len));
    // A password of grouped hex digits is held to the lower of its two floors.
    if grouped_hex && declared == Charset::Any {
        floor.min(password_floor)
    } else {
        floor
    }
}

/// `value` without a short vendor prefix (`sk-`, `glpat-`, `dop_v1_` counts as `v1_...`): up
/// to eight characters and the `-`, `_` or `.` that ends them, when at least 16 characters
/// follow. The alphabet is the random part's: `sk-` and 32 hex digits is a hex key, not a
/// base64 one with too little entropy.
fn without_prefix(value: &[u8]) -> &[u8] {
    match value.iter().take(9).position(|b| matches!(b, b'-' | b'_' | b'.')) {
        Some(end) if value.len() - end > 16 => &value[end + 1..],
        _ => value,
    }
}

/// How many symbols a random value of `charset` is drawn from, narrowed to one letter case
/// when the value has digits and letters of one case only: a lower-case base-36 token (an
/// Azure DevOps PAT, 52 characters) reaches 4.6 bits, never the 5.2 of mixed-case text.
/// A value of letters alone keeps the mixed-case alphabet: that is what words look like.
pub fn alphabet_size(charset: Charset, value: &[u8]) -> f64 {
    let single_case = || {
        let lower = value.iter().any(u8::is_ascii_lowercase);
        let upper = value.iter().any(u8::is_ascii_uppercase);
        value.iter().any(u8::is_ascii_digit) && lower != upper
    };
    match charset {
        Charset::Hex => 16.0,
        Charset::Alnum if single_case() => 36.0,
        Charset::Alnum => 62.0,
        Charset::Base64 | Charset::Base64url => 64.0,
        Charset::Any => 94.0,
    }
}

/// The entropy a random string of `len` symbols from an alphabet of `alphabet` falls below
/// about once in a thousand: the expected entropy less 2.7 / sqrt(len) (calibrated by
/// sampling: the spread of a sample's entropy shrinks with the square root of its length).
/// The expected entropy is below `log2(alphabet)` (a sample misses symbols and repeats
/// others), far below for short strings.
fn random_floor(alphabet: f64, len: usize) -> f64 {
    if len == 0 {
        return 1.5;
    }
    (expected_entropy(alphabet, len) - 2.7 / (len as f64).sqrt()).max(1.5)
}

/// The expected Shannon entropy (bits per symbol) of `len` symbols drawn uniformly from
/// `alphabet`: each symbol's count is binomial(len, 1 / alphabet). Lengths over 256 count as
/// 256 (the expectation is within 0.05 bits of its limit there).
fn expected_entropy(alphabet: f64, len: usize) -> f64 {
    let n = len.min(256);
    let p = 1.0 / alphabet;
    // P(count = 0), then each next probability from the previous one.
    let mut probability = (1.0 - p).powi(n as i32);
    let mut sum = 0.0;
    for count in 0..n {
        probability *= (n - count) as f64 / (count + 1) as f64 * p / (1.0 - p);
        let share = (count + 1) as f64 / n as f64;
        sum += probability * share * share.log2();
    }
    -alphabet * sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_constant_strings() {
        assert_eq!(shannon(b""), 0.0);
        assert_eq!(shannon(b"aaaaaaaa"), 0.0);
        assert!((shannon(b"abcd") - 2.0).abs() < 1e-9);
        assert!((shannon(b"0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn thresholds_follow_the_values_alphabet() {
        let hex = b"28de05906059ed3efe5f6c0af5c9e3d53d105cf1cd2565df84f328f2786d9ba9";
        assert_eq!(effective_charset(Charset::Any, hex), Charset::Hex);
        assert_eq!(effective_charset(Charset::Base64, b"Zk3vQ9pL2mX7"), Charset::Alnum);
        assert_eq!(effective_charset(Charset::Alnum, b"a+b"), Charset::Alnum);
        assert!(shannon(hex) > threshold_for(Charset::Any, hex));
    }

    #[test]
    fn random_keys_pass_and_placeholders_fail() {
        let passes = |charset, value: &[u8]| shannon(value) > threshold_for(charset, value);
        assert!(passes(Charset::Hex, b"9f86d081884c7d659a2feaa0c55ad015"));
        assert!(passes(Charset::Base64, b"q8Zr2+Kd0Lm/Xw7PfT3uYh9sVbN4cE1gJoA6iRtW"));
        // A lower-case base-36 token of 52 characters (4.5 bits: the mixed-case floor is 4.6).
        assert!(passes(Charset::Base64, b"mq3xk7wzr2pt9vbh4ncy6dfj8gsl5eau1ro0qiwm3zkx7tcv2bnp"));
        assert!(!passes(Charset::Hex, b"00000000000000000000000000000000"));
        assert!(!passes(Charset::Alnum, b"passwordpassword"));
        assert!(!passes(Charset::Base64, b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        assert!(!passes(Charset::Base64, b"ab12ab12ab12ab12ab12ab12ab12ab12"));
        // A vendor prefix does not widen the alphabet: `sk-` and 32 hex digits is judged as hex.
        assert!(passes(Charset::Base64url, b"sk-5f6d3e38809a938092f957b560f5c266"));
        assert!(!passes(Charset::Base64url, b"sk-00000000000000000000000000000000"));
        // A UUID is 32 hex digits in groups: random ones pass, cycles do not.
        assert!(passes(Charset::Base64, b"b98ec224-cdb2-4340-b7bd-9617fc719d1d"));
        assert!(!passes(Charset::Base64, b"abab0000-abab-0000-abab-0000abab0000"));
        // A generated password can be a UUID too (Vault's database secrets engine).
        assert!(passes(Charset::Any, b"e1b6c159-ca63-4c6a-3886-6639eae06c30"));
    }

    #[test]
    fn the_expected_entropy_matches_its_limits() {
        // Many draws: close to log2 of the alphabet.
        assert!((expected_entropy(2.0, 256) - 1.0).abs() < 0.01);
        assert!((expected_entropy(16.0, 256) - 4.0).abs() < 0.05);
        // Two draws from a large alphabet are almost always two distinct symbols: one bit.
        assert!((expected_entropy(1e6, 2) - 1.0).abs() < 1e-3);
        assert_eq!(alphabet_size(Charset::Alnum, b"k3jd82jd9s"), 36.0);
        assert_eq!(alphabet_size(Charset::Alnum, b"K3JD82JD9S"), 36.0);
        assert_eq!(alphabet_size(Charset::Alnum, b"k3JD82jd9s"), 62.0);
        assert_eq!(alphabet_size(Charset::Alnum, b"abcdefghij"), 62.0);
    }

    /// Random values (a fixed-seed generator) of every alphabet and length from 12 to 100
    /// fall below their floor about once in a thousand, never more than once in a hundred.
    #[test]
    fn random_values_almost_always_pass() {
        let alphabets: [(&[u8], Charset); 4] = [
            (b"0123456789abcdef", Charset::Hex),
            (b"abcdefghijklmnopqrstuvwxyz0123456789", Charset::Alnum),
            (b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", Charset::Alnum),
            (b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/", Charset::Base64),
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        for (symbols, charset) in alphabets {
            for len in [12, 16, 20, 24, 32, 40, 52, 64, 80, 100] {
                let trials = 1000;
                let failures = (0..trials)
                    .filter(|_| {
                        let value: Vec<u8> = (0..len).map(|_| symbols[next(symbols.len())]).collect();
                        shannon(&value) <= threshold_for(charset, &value)
                    })
                    .count();
                assert!(
                    failures <= trials / 100,
                    "{failures} of {trials} random values of {len} from {} symbols",
                    symbols.len()
                );
            }
        }
    }
}
