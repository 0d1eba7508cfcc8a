//! Offline checksums that providers build into their tokens (`checksum = "..."` in a rule):
//! a value whose checksum does not hold was made up by hand (a doc example, a test value, a
//! token with a character changed), so it is not a finding of the rule, nor of a generic rule
//! matching the same text. Nothing here calls a provider.
use base64::Engine;

use crate::rules::Checksum;

/// Whether `value` (a rule's captured secret) passes the checksum `kind` defines. A value of a
/// shape the provider defines no checksum for (see each kind) passes.
pub(crate) fn holds(kind: Checksum, value: &[u8]) -> bool {
    match kind {
        Checksum::GithubCrc32 => github_crc32(value),
        Checksum::Bech32 => bech32(value),
        Checksum::PypiMacaroon => pypi_macaroon(value),
    }
}

/// The base62 digits GitHub and npm write their CRC32 with (`0-9A-Za-z`).
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// GitHub's token format (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm's (`npm_`): after the
/// prefix's `_`, 30 base62 characters and then their CRC32 (IEEE), in base62, left-padded with
/// `0` to 6 characters. Other shapes (GitHub's longer stateless `ghs_<app>_<JWT>` tokens,
/// 76-character refresh tokens) carry no documented checksum and pass.
fn github_crc32(value: &[u8]) -> bool {
    let Some(body) = memchr::memchr(b'_', value).map(|i| &value[i + 1..]) else {
        return true;
    };
    if body.len() != 36 || !body.iter().all(u8::is_ascii_alphanumeric) {
        return true;
    }
    let (random, check) = body.split_at(30);
    base62_fixed(crc32fast::hash(random), 6) == check
}

/// `n` in base62, left-padded with `0` to `width` digits.
fn base62_fixed(mut n: u32, width: usize) -> Vec<u8> {
    let mut digits = vec![b'0'; width];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    digits
}

/// A Bech32 string (BIP-173, the original constant, not Bech32m) whose 6-character checksum
/// holds over its human-readable part and data: age's `AGE-SECRET-KEY-1...` identities.
fn bech32(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else { return false };
    bech32::primitives::decode::CheckedHrpstring::new::<bech32::Bech32>(text).is_ok()
}

/// The locations a PyPI token's macaroon names.
const PYPI_LOCATIONS: [&[u8]; 2] = [b"pypi.org", b"test.pypi.org"];

/// A PyPI API token: `pypi-` + URL-safe base64 (unpadded) of a version-2 binary macaroon
/// (libmacaroons' format) whose location is `pypi.org` or `test.pypi.org`: a version byte 2;
/// the location (field 1) and identifier (field 2) and an end-of-section byte; caveat
/// sections, each ending with an end-of-section byte, closed by one more; then the 32-byte
/// signature (field 6). Each field is a varint type, a varint length and that many bytes.
fn pypi_macaroon(value: &[u8]) -> bool {
    let Some(body) = value.strip_prefix(b"pypi-") else { return false };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(body) else {
        return false;
    };
    let mut reader = Fields { bytes: &bytes, at: 0 };
    if reader.byte() != Some(2) {
        return false;
    }
    match reader.field() {
        Some((1, location)) if PYPI_LOCATIONS.contains(&location) => {}
        _ => return false,
    }
    if !matches!(reader.field(), Some((2, id)) if !id.is_empty()) || reader.byte() != Some(0) {
        return false;
    }
    // Caveat sections until the empty one that closes the list.
    loop {
        match reader.peek() {
            Some(0) => {
                reader.at += 1;
                break;
            }
            Some(_) => loop {
                match reader.peek() {
                    Some(0) => {
                        reader.at += 1;
                        break;
                    }
                    Some(_) if reader.field().is_some() => {}
                    _ => return false,
                }
            },
            None => return false,
        }
    }
    matches!(reader.field(), Some((6, signature)) if signature.len() == 32) && reader.at == bytes.len()
}

/// A cursor over a binary macaroon.
struct Fields<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        Some(b)
    }

    /// An unsigned LEB128 varint of at most 4 bytes (lengths within a token).
    fn varint(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for shift in 0..4 {
            let b = self.byte()?;
            n |= usize::from(b & 0x7f) << (7 * shift);
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    /// One field: its type and its data.
    fn field(&mut self) -> Option<(usize, &'a [u8])> {
        let kind = self.varint()?;
        let len = self.varint()?;
        let data = self.bytes.get(self.at..self.at.checked_add(len)?)?;
        self.at += len;
        Some((kind, data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GitHub-style token over `random`, built the documented way.
    fn crc_token(prefix: &str, random: &str) -> String {
        let check = base62_fixed(crc32fast::hash(random.as_bytes()), 6);
        format!("{prefix}{random}{}", String::from_utf8(check).unwrap())
    }

    #[test]
    fn base62_pads_and_uses_the_gmp_alphabet() {
        assert_eq!(base62_fixed(0, 6), b"000000");
        assert_eq!(base62_fixed(61, 6), b"00000z");
        assert_eq!(base62_fixed(62, 6), b"000010");
        assert_eq!(base62_fixed(u32::MAX, 6), b"4gfFC3");
    }

    #[test]
    fn github_crc32_accepts_a_valid_token_and_refuses_one_changed_character() {
        let random = "Zq8v2LmT0xKc4RbN7sWd1YhG5pJf3u";
        let token = crc_token("ghp_", random);
        assert!(holds(Checksum::GithubCrc32, token.as_bytes()));
        // The same checksum over another prefix: the prefix is not part of the sum.
        assert!(holds(Checksum::GithubCrc32, crc_token("npm_", random).as_bytes()));
        let mut changed = token.clone().into_bytes();
        changed[10] = if changed[10] == b'A' { b'B' } else { b'A' };
        assert!(!holds(Checksum::GithubCrc32, &changed));
        let mut bad_check = token.into_bytes();
        let last = bad_check.len() - 1;
        bad_check[last] = if bad_check[last] == b'0' { b'1' } else { b'0' };
        assert!(!holds(Checksum::GithubCrc32, &bad_check));
    }

    #[test]
    fn github_crc32_passes_shapes_without_a_documented_checksum() {
        let stateless =
            format!("ghs_348211_{}.{}.{}", "eyJhbGciOiJSUzI1NiJ9", "eyJpc3MiOiJnaXRodWIifQ", "c2lnbmF0dXJl");
        assert!(holds(Checksum::GithubCrc32, stateless.as_bytes()));
        let long_refresh = format!("ghr_{}", "k".repeat(76));
        assert!(holds(Checksum::GithubCrc32, long_refresh.as_bytes()));
    }

    #[test]
    fn bech32_checks_the_age_identity_checksum() {
        // An age identity built at run time from 32 bytes with the bech32 crate.
        let hrp = bech32::Hrp::parse("age-secret-key-").unwrap();
        let key = bech32::encode::<bech32::Bech32>(hrp, &[0x5a; 32]).unwrap().to_ascii_uppercase();
        assert!(key.starts_with("AGE-SECRET-KEY-1"));
        assert!(holds(Checksum::Bech32, key.as_bytes()));
        let mut changed = key.into_bytes();
        changed[20] = if changed[20] == b'Q' { b'P' } else { b'Q' };
        assert!(!holds(Checksum::Bech32, &changed));
        // Bech32m (the other constant) is a different checksum.
        let m = bech32::encode::<bech32::Bech32m>(hrp, &[0x5a; 32]).unwrap().to_ascii_uppercase();
        assert!(!holds(Checksum::Bech32, m.as_bytes()));
    }

    /// A version-2 binary macaroon with the given location, one caveat and a signature.
    fn macaroon(location: &[u8], signature_len: usize) -> String {
        let mut bytes = vec![2u8];
        for (kind, data) in [(1u8, location), (2u8, b"{\"nonce\":\"a1\"}".as_slice())] {
            bytes.extend([kind, data.len() as u8]);
            bytes.extend(data);
        }
        bytes.push(0);
        let caveat = b"{\"version\":1,\"permissions\":\"user\"}";
        bytes.extend([2u8, caveat.len() as u8]);
        bytes.extend(caveat);
        bytes.extend([0u8, 0u8, 6u8, signature_len as u8]);
        bytes.extend(std::iter::repeat_n(0x33u8, signature_len));
        format!("pypi-{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    #[test]
    fn pypi_macaroon_needs_a_pypi_location_and_a_whole_macaroon() {
        assert!(holds(Checksum::PypiMacaroon, macaroon(b"pypi.org", 32).as_bytes()));
        assert!(holds(Checksum::PypiMacaroon, macaroon(b"test.pypi.org", 32).as_bytes()));
        assert!(!holds(Checksum::PypiMacaroon, macaroon(b"pypi.example", 32).as_bytes()));
        assert!(!holds(Checksum::PypiMacaroon, macaroon(b"pypi.org", 31).as_bytes()));
        // The documented prefix followed by random base64 is not a macaroon.
        let made_up =
            format!("pypi-{}{}", "AgEIcHlwaS5vcmc", "Qk3dZt9wLmPq7XyRs2VbNc8hUo4Ea6FiGy1TlWx5Kz0Rt");
        assert!(!holds(Checksum::PypiMacaroon, made_up.as_bytes()));
        let whole = macaroon(b"pypi.org", 32);
        assert!(!holds(Checksum::PypiMacaroon, &whole.as_bytes()[..whole.len() - 4]));
    }
}
