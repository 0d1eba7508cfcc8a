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

/// The entropy a random string of `len` characters from `charset` comfortably exceeds.
///
/// The ceiling is `log2(min(len, alphabet))`; random strings land a little below it, more so
/// when short. The margin keeps real keys in and words, repeated characters and sequential
/// placeholders (`abcdef123456`) out.
pub fn threshold(charset: Charset, len: usize) -> f64 {
    let (alphabet, margin) = match charset {
        Charset::Hex => (16.0_f64, 0.75),
        Charset::Alnum => (62.0, 1.0),
        Charset::Base64 | Charset::Base64url => (64.0, 1.0),
        // Passwords: people pick them, so only reject the obviously degenerate.
        Charset::Any => (94.0, 1.9),
    };
    let ceiling = alphabet.min(len as f64).log2();
    (ceiling - margin).max(1.5)
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
        assert!(shannon(hex) > threshold(effective_charset(Charset::Any, hex), hex.len()));
    }

    #[test]
    fn random_keys_pass_and_placeholders_fail() {
        let hex = b"9f86d081884c7d659a2feaa0c55ad015";
        assert!(shannon(hex) > threshold(Charset::Hex, hex.len()));
        let b64 = b"q8Zr2+Kd0Lm/Xw7PfT3uYh9sVbN4cE1gJoA6iRtW";
        assert!(shannon(b64) > threshold(Charset::Base64, b64.len()));
        let zeros = b"00000000000000000000000000000000";
        assert!(shannon(zeros) < threshold(Charset::Hex, zeros.len()));
        let word = b"passwordpassword";
        assert!(shannon(word) < threshold(Charset::Alnum, word.len()));
        let xs = b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
        assert!(shannon(xs) < threshold(Charset::Base64, xs.len()));
    }
}
