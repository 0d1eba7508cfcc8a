//! Finding fingerprints: stable across runs and line moves, and useless for confirming a
//! guessed secret without the key. A plain hash of a secret would let anyone holding the
//! report test candidate values offline; a keyed HMAC does not.
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Where the per-repository key lives, relative to the scan root.
pub const KEY_FILE: &str = ".hygiene/fingerprint.key";

/// Computes fingerprints with a secret key.
#[derive(Clone)]
pub struct Fingerprinter {
    key: Vec<u8>,
}

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprinter { key: <hidden> }")
    }
}

/// Where the fingerprint key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The `HYGIENE_FINGERPRINT_KEY` environment variable (passed in by the caller).
    Environment,
    /// An existing key file.
    File(PathBuf),
    /// A key file created by this run.
    Created(PathBuf),
    /// No key could be stored: this run's fingerprints are not comparable with other runs.
    Ephemeral,
}

impl Fingerprinter {
    /// A fingerprinter with an explicit key.
    pub fn with_key(key: impl Into<Vec<u8>>) -> Fingerprinter {
        Fingerprinter { key: key.into() }
    }

    /// Resolves the key: `env_key` (the caller reads `HYGIENE_FINGERPRINT_KEY`) wins; else
    /// `ROOT/.hygiene/fingerprint.key`, created with 32 random bytes on first use next to a
    /// `.gitignore` that keeps it out of git; else a random key for this run only.
    pub fn resolve(env_key: Option<String>, root: &Path) -> (Fingerprinter, KeySource) {
        if let Some(key) = env_key.filter(|k| !k.is_empty()) {
            return (Fingerprinter::with_key(key.into_bytes()), KeySource::Environment);
        }
        let path = root.join(KEY_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let key = text.trim();
            if !key.is_empty() {
                return (Fingerprinter::with_key(key.as_bytes().to_vec()), KeySource::File(path));
            }
        }
        let key = random_key_hex();
        match create_key_file(&path, &key) {
            Ok(()) => (Fingerprinter::with_key(key.into_bytes()), KeySource::Created(path)),
            // Another process (a parallel pre-commit batch) created it first: use theirs.
            Err(_) => match std::fs::read_to_string(&path) {
                Ok(text) if !text.trim().is_empty() => {
                    (Fingerprinter::with_key(text.trim().as_bytes().to_vec()), KeySource::File(path))
                }
                _ => (Fingerprinter::with_key(key.into_bytes()), KeySource::Ephemeral),
            },
        }
    }

    /// The fingerprint of `secret` found by `rule_id`: HMAC-SHA256 over both, first 128 bits, hex.
    /// Independent of file and line, so moving a line keeps it.
    pub fn fingerprint(&self, rule_id: &str, secret: &[u8]) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC accepts keys of any length");
        mac.update(rule_id.as_bytes());
        mac.update(&[0]);
        mac.update(secret);
        let digest = mac.finalize().into_bytes();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn random_key_hex() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn create_key_file(path: &Path, key: &str) -> std::io::Result<()> {
    let dir = path.parent().expect("key file has a parent directory");
    std::fs::create_dir_all(dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Created by hygiene: the fingerprint key must never be committed.\n*\n")?;
    }
    // Another process may have created it meanwhile: keep theirs so both agree.
    if crate::atomic::create_private(path, format!("{key}\n").as_bytes())? {
        Ok(())
    } else {
        Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_keyed_and_rule_specific() {
        let a = Fingerprinter::with_key("k1");
        let b = Fingerprinter::with_key("k2");
        assert_eq!(a.fingerprint("r", b"secret-value"), a.fingerprint("r", b"secret-value"));
        assert_ne!(a.fingerprint("r", b"secret-value"), b.fingerprint("r", b"secret-value"));
        assert_ne!(a.fingerprint("r", b"secret-value"), a.fingerprint("s", b"secret-value"));
        assert_eq!(a.fingerprint("r", b"x").len(), 32);
    }

    #[test]
    fn not_a_plain_hash_of_the_secret() {
        use sha2::Digest;
        let secret = b"ghp_notarealtokenbutlongenough1234567";
        let fp = Fingerprinter::with_key("key").fingerprint("github.pat", secret);
        let plain: String = Sha256::digest(secret).iter().map(|b| format!("{b:02x}")).collect();
        assert!(!plain.starts_with(&fp));
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (first, source) = Fingerprinter::resolve(None, dir.path());
        assert!(matches!(source, KeySource::Created(_)));
        let (second, source) = Fingerprinter::resolve(None, dir.path());
        assert!(matches!(source, KeySource::File(_)));
        assert_eq!(first.fingerprint("r", b"v"), second.fingerprint("r", b"v"));
        let ignore = std::fs::read_to_string(dir.path().join(".hygiene/.gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"));
        let (env, source) = Fingerprinter::resolve(Some("from-env".into()), dir.path());
        assert_eq!(source, KeySource::Environment);
        assert_ne!(env.fingerprint("r", b"v"), first.fingerprint("r", b"v"));
    }
}
