//! Fake secrets built at test time from random parts, so the repository holds no
//! credential-shaped literal. Each family's value has the shape its rule expects.
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const HEX: &[u8] = b"0123456789abcdef";
const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) struct Fakes(StdRng);

impl Fakes {
    pub(crate) fn new(seed: u64) -> Fakes {
        Fakes(StdRng::seed_from_u64(seed))
    }

    pub(crate) fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| alphabet[self.0.gen_range(0..alphabet.len())] as char).collect()
    }

    pub(crate) fn alnum(&mut self, n: usize) -> String {
        self.chars(ALNUM, n)
    }

    /// A GitHub/npm-style token: `prefix`, 30 base62 characters and their CRC32 in 6 base62
    /// characters, as the providers build them (the rules verify that checksum).
    pub(crate) fn github(&mut self, prefix: &str) -> String {
        const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let random = self.alnum(30);
        let mut n = crc32fast::hash(random.as_bytes());
        let mut check = [b'0'; 6];
        for slot in check.iter_mut().rev() {
            *slot = BASE62[(n % 62) as usize];
            n /= 62;
        }
        format!("{prefix}{random}{}", String::from_utf8_lossy(&check))
    }

    /// A planted line and the secret it holds, for every family the scanner covers.
    pub(crate) fn planted(&mut self) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        let mut add = |family: &'static str, secret: String, line: String| out.push((family, line, secret));
        let s = format!("AKIA{}", self.chars(BASE32, 16));
        add("aws", s.clone(), format!("aws_access_key_id = {s}"));
        let s = self.chars(B64, 40);
        add("aws", s.clone(), format!("AWS_SECRET_ACCESS_KEY={s}"));
        let s = self.github("ghp_");
        add("github", s.clone(), format!("GITHUB_TOKEN={s}"));
        let s = format!(
            "xoxb-{}-{}-{}",
            self.chars(b"0123456789", 12),
            self.chars(b"0123456789", 13),
            self.alnum(24)
        );
        add("slack", s.clone(), format!("slack_token: {s}"));
        let s = format!("sk_live_{}", self.alnum(32));
        add("stripe", s.clone(), format!("STRIPE_SECRET_KEY={s}"));
        let s =
            format!("{}{}", "hf_", self.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34));
        add("huggingface", s.clone(), format!("HF_TOKEN={s}"));
        let s = format!("PK{}", self.chars(UPPER_DIGITS, 18));
        add("alpaca", s.clone(), format!("APCA-API-KEY-ID: {s}"));
        let s = self.alnum(40);
        add("alpaca", s.clone(), format!("APCA-API-SECRET-KEY: {s}"));
        let s = format!("bg_{}", self.chars(HEX, 32));
        add("bitget", s.clone(), format!("BOT1_BITGET_API_KEY={s}"));
        let s = self.chars(HEX, 64);
        add("bitget", s.clone(), format!("BOT1_BITGET_SECRET_KEY={s}"));
        let s = self.alnum(14);
        add("db", s.clone(), format!("DATABASE_URL=postgres://trader:{s}@db.internal:5432/ledger"));
        let s = self.alnum(28);
        add("http", s.clone(), format!("Authorization: Bearer {s}"));
        let s = self.alnum(24);
        add("generic", s.clone(), format!("JWT_SECRET_KEY={s}"));
        let s = format!("Zx9!{}", self.alnum(8));
        add("generic", s.clone(), format!("  password: \"{s}\""));
        let body = der_body((0..6).map(|_| self.chars(B64, 64)).collect());
        let s = format!("\n{}\n", body.join("\n"));
        add(
            "private-key",
            s.clone(),
            format!("-----BEGIN RSA PRIVATE KEY-----{s}-----END RSA PRIVATE KEY-----"),
        );
        out
    }
}

/// `lines` of random base64 made to start as a DER key's does (`MII`: an ASN.1 SEQUENCE with a
/// two-byte length); the private-key rules reject a body that starts otherwise as a fragment.
pub(crate) fn der_body(mut lines: Vec<String>) -> Vec<String> {
    if let Some(first) = lines.first_mut() {
        first.replace_range(..3, "MII");
    }
    lines
}
