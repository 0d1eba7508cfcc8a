//! Is a password hash the hash of a stand-in? `test:$apr1$H6uskkkW$...` in a tutorial is
//! the hash of `test`: nothing to crack and nothing leaked. The check hashes the user name on
//! the line and the commonest dummy passwords ([`GUESSES`]) with the hash's own salt and
//! compares. Each guess costs a key-stretching run, so the list is short and ordered by how
//! often documentation uses the word; the full dummy list of the rule data is a set of ~110
//! words that would cost ~15 ms per MD5-crypt hash and ~190 ms per SHA-512-crypt hash.
//!
//! Formats: MD5-crypt (`$1$` and Apache's `$apr1$`: the same algorithm with another magic
//! string; written out here on the `md-5` crate, as no well-kept crate implements `$apr1$`)
//! and SHA-crypt (`$5$` / `$6$`, the `sha-crypt` crate). bcrypt and yescrypt are left alone:
//! one bcrypt guess at cost 10 takes ~60 ms, too slow for a scan.

use md5::{Digest, Md5};
use sha_crypt::{PasswordVerifier, ShaCrypt};

/// SHA-crypt hashes with more rounds than this are not tried (the default is 5,000; a hash
/// may ask for up to 999,999,999, which would stall a scan).
const MAX_SHA_ROUNDS: u32 = 10_000;

/// The dummy passwords tried, commonest first (all are in `placeholder.dummy-password`).
pub(crate) const GUESSES: [&str; 24] = [
    "password",
    "admin",
    "test",
    "changeme",
    "secret",
    "root",
    "guest",
    "user",
    "demo",
    "toor",
    "pass",
    "postgres",
    "letmein",
    "vagrant",
    "ubuntu",
    "foobar",
    "default",
    "qwerty",
    "welcome",
    "example",
    "tester",
    "testing",
    "administrator",
    "passwd",
];
/// How many of [`GUESSES`] a SHA-crypt hash is tried with (~1.7 ms a guess at 5,000 rounds).
const SHA_GUESSES: usize = 8;

/// The alphabet of crypt(3)'s base64.
const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Whether `hash` (a `$1$`/`$apr1$`/`$5$`/`$6$` crypt string) is the hash of `user` or of
/// one of [`GUESSES`], or, for the cheap MD5-crypt, of one of the `nearby` words (the page
/// sets the password a line or two above: `USER=foo; PASSWORD=bar; ... openssl passwd`).
/// Other formats, or a malformed hash, are never stand-ins.
pub(crate) fn hashes_stand_in(hash: &str, user: Option<&str>, nearby: &[&str]) -> bool {
    let sha = hash.starts_with("$5$") || hash.starts_with("$6$");
    let guesses = if sha { &GUESSES[..SHA_GUESSES] } else { &GUESSES[..] };
    let nearby = if sha { &[][..] } else { &nearby[..nearby.len().min(MAX_NEARBY_WORDS)] };
    hashes_one_of(hash, user.into_iter().chain(guesses.iter().copied()).chain(nearby.iter().copied()))
}

/// How many words of the nearby lines an MD5-crypt hash is tried with (~0.15 ms a word).
const MAX_NEARBY_WORDS: usize = 32;

/// Whether `hash` is the hash of one of `candidates`.
fn hashes_one_of<'a>(hash: &str, candidates: impl IntoIterator<Item = &'a str>) -> bool {
    if let Some(rest) = hash.strip_prefix("$apr1$") {
        return md5_crypt_matches(b"$apr1$", rest, candidates);
    }
    if let Some(rest) = hash.strip_prefix("$1$") {
        return md5_crypt_matches(b"$1$", rest, candidates);
    }
    if hash.starts_with("$5$") || hash.starts_with("$6$") {
        if sha_rounds(hash).is_none_or(|rounds| rounds > MAX_SHA_ROUNDS) {
            return false;
        }
        let verifier = ShaCrypt::default();
        return candidates
            .into_iter()
            .any(|candidate| verifier.verify_password(candidate.as_bytes(), hash).is_ok());
    }
    false
}

/// The rounds a SHA-crypt hash asks for: `rounds=N$` after the id, or the default 5,000.
fn sha_rounds(hash: &str) -> Option<u32> {
    match hash[3..].strip_prefix("rounds=") {
        Some(rest) => rest.split('$').next()?.parse().ok(),
        None => Some(5_000),
    }
}

fn md5_crypt_matches<'a>(magic: &[u8], rest: &str, candidates: impl IntoIterator<Item = &'a str>) -> bool {
    let Some((salt, digest)) = rest.split_once('$') else {
        return false;
    };
    if salt.len() > 8 || digest.len() != 22 {
        return false;
    }
    candidates
        .into_iter()
        .any(|candidate| md5_crypt(candidate.as_bytes(), salt.as_bytes(), magic) == digest.as_bytes())
}

/// The 22-character digest part of MD5-crypt (Poul-Henning Kamp's algorithm, FreeBSD
/// `crypt-md5.c`), for `magic` `$1$` or `$apr1$`.
fn md5_crypt(password: &[u8], salt: &[u8], magic: &[u8]) -> [u8; 22] {
    let alternate = Md5::new().chain_update(password).chain_update(salt).chain_update(password).finalize();
    let mut context = Md5::new().chain_update(password).chain_update(magic).chain_update(salt);
    for chunk in (0..password.len()).step_by(16) {
        context.update(&alternate[..(password.len() - chunk).min(16)]);
    }
    let mut length = password.len();
    while length > 0 {
        if length & 1 == 1 {
            context.update([0u8]);
        } else {
            context.update(&password[..1]);
        }
        length >>= 1;
    }
    let mut digest = context.finalize();
    for round in 0..1000 {
        let mut step = Md5::new();
        if round & 1 == 1 {
            step.update(password);
        } else {
            step.update(digest);
        }
        if round % 3 != 0 {
            step.update(salt);
        }
        if round % 7 != 0 {
            step.update(password);
        }
        if round & 1 == 1 {
            step.update(digest);
        } else {
            step.update(password);
        }
        digest = step.finalize();
    }
    let mut out = [0u8; 22];
    let mut at = 0;
    let mut put = |value: u32, count: usize| {
        let mut value = value;
        for _ in 0..count {
            out[at] = ITOA64[(value & 0x3f) as usize];
            value >>= 6;
            at += 1;
        }
    };
    for (a, b, c) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        put((u32::from(digest[a]) << 16) | (u32::from(digest[b]) << 8) | u32::from(digest[c]), 4);
    }
    put(u32::from(digest[11]), 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values printed by `openssl passwd -apr1 / -1 / -5 / -6 -salt <salt> <password>`.
    #[test]
    fn md5_crypt_agrees_with_openssl() {
        assert_eq!(&md5_crypt(b"test", b"H6uskkkW", b"$apr1$"), b"IgXLP6ewTrSuBkTrqE8wj/");
        assert_eq!(&md5_crypt(b"password", b"H4yGiGNg", b"$apr1$"), b"ssl5/NymaGFRUvxIV1Nyr.");
        assert_eq!(&md5_crypt(b"nope", b"Kq2Lm8Vx", b"$1$"), b"pNANoYUBTrhfrbBBFPn4m1");
    }

    #[test]
    fn a_hash_of_a_stand_in_is_recognised() {
        assert!(hashes_one_of("$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/", ["admin", "test"]));
        assert!(!hashes_one_of("$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/", ["admin", "test2"]));
        assert!(!hashes_one_of("$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj", ["test"]), "cut short");
        assert!(!hashes_one_of("$2y$10$H6uskkkWIgXLP6ewTrSuBkTrqE8wj/H6uskkkWIgXLP6ewTrSuB", ["test"]));
    }

    #[test]
    fn an_md5_crypt_hash_of_a_nearby_word_is_a_stand_in() {
        let hash = "$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/"; // of `test`, which GUESSES holds
        assert!(hashes_stand_in(hash, None, &[]));
        // `openssl passwd -apr1 -salt Kq2Lm8Vx quokka`: not a guess, only a word on the page.
        let hash = "$apr1$Kq2Lm8Vx$H3OdaJwPQmX498yEDuEUX0";
        assert!(!hashes_stand_in(hash, None, &["USER", "foo"]));
        assert!(hashes_stand_in(hash, None, &["USER", "foo", "quokka"]));
        // SHA-crypt costs ten times more a word: the page's words are not tried on it.
        let sha = "$6$Zr8Pq2Lm$gTzcIBqMVMqe5PLy3VZl/YViil/RADvmwnryMTxMd8Vdcc7/LjQR8pJLq8sZJDgMSnSihARrveJP0N2tzHiga."; // of `quokka`
        assert!(!hashes_stand_in(sha, None, &["quokka"]));
        assert!(hashes_one_of(sha, ["quokka"]));
    }

    #[test]
    fn sha_crypt_is_tried_within_its_round_limit() {
        assert!(hashes_one_of(SHA512_OF_TEST, ["admin", "test"]));
        assert!(!hashes_one_of(SHA512_OF_TEST, ["admin"]));
        assert!(!hashes_one_of("$6$rounds=900000000$abcdefgh$x", ["test"]), "too many rounds is never tried");
    }

    /// `openssl passwd -6 -salt Qm7vT2kXpL4wZ8rN test`.
    const SHA512_OF_TEST: &str = "$6$Qm7vT2kXpL4wZ8rN$XIoHDwZkVugog50nyV.X4DPzFRhMOu9wqJan9mreYSikMwxZ/MJxBsMFlWbG8jWyD5g2Edfeb0OqP2IiP6dMd1";
}
