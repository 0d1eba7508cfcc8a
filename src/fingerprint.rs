//! Finding fingerprints: stable across runs and line moves, and useless for confirming a
//! guessed secret without the key. A plain hash of a secret would let anyone holding the
//! report test candidate values offline; a keyed HMAC does not.
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Where earlier versions kept the key, relative to the scan root: still read (so existing
/// baselines keep matching), never created, and never scanned.
pub const LEGACY_KEY_FILE: &str = ".hygiene/fingerprint.key";

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
    /// A key for this run only: none was stored and this run was not to store one (it writes
    /// nothing), or it could not be stored. Its fingerprints are not comparable with other runs.
    Ephemeral,
}

/// Where [`Fingerprinter::resolve`] looks for and keeps keys.
#[derive(Debug, Clone, Copy)]
pub struct KeyStore<'a> {
    /// The user's configuration directory for hygiene (`$XDG_CONFIG_HOME/hygiene` or
    /// `~/.config/hygiene`), found by the caller; `None` when there is none.
    pub config_dir: Option<&'a Path>,
    /// Create a key there when none exists (a run that writes a report or a baseline). A run
    /// that writes nothing keeps a missing key in memory.
    pub create: bool,
}

/// The key file for the repository at `root` inside `config_dir`: `keys/<id>.key`, the id
/// being the first 16 bytes (hex) of the SHA-256 of the root's canonical path.
pub fn key_path(config_dir: &Path, root: &Path) -> PathBuf {
    use sha2::Digest;
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    let id: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    config_dir.join("keys").join(format!("{id}.key"))
}

impl Fingerprinter {
    /// A fingerprinter with an explicit key.
    pub fn with_key(key: impl Into<Vec<u8>>) -> Fingerprinter {
        Fingerprinter { key: key.into() }
    }

    /// Resolves the key, never writing into the scanned tree: `env_key` (the caller reads
    /// `HYGIENE_FINGERPRINT_KEY`) wins; else the repository's key file in the user's config
    /// directory ([`key_path`]); else a key an earlier version left at
    /// `ROOT/.hygiene/fingerprint.key` (read only); else, when `store.create`, a new random key
    /// written (mode 0600) to the config directory; else a random key for this run only.
    pub fn resolve(env_key: Option<String>, root: &Path, store: KeyStore<'_>) -> (Fingerprinter, KeySource) {
        if let Some(key) = env_key.filter(|k| !k.is_empty()) {
            return (Fingerprinter::with_key(key.into_bytes()), KeySource::Environment);
        }
        let path = store.config_dir.map(|dir| key_path(dir, root));
        let read = |path: &Path| {
            std::fs::read_to_string(path).ok().map(|t| t.trim().to_string()).filter(|k| !k.is_empty())
        };
        for candidate in path.iter().cloned().chain([root.join(LEGACY_KEY_FILE)]) {
            if let Some(key) = read(&candidate) {
                return (Fingerprinter::with_key(key.into_bytes()), KeySource::File(candidate));
            }
        }
        let key = random_key_hex();
        let Some(path) = path.filter(|_| store.create) else {
            return (Fingerprinter::with_key(key.into_bytes()), KeySource::Ephemeral);
        };
        match crate::atomic::create_private(&path, format!("{key}\n").as_bytes()) {
            Ok(true) => (Fingerprinter::with_key(key.into_bytes()), KeySource::Created(path)),
            // Another process (a parallel pre-commit batch) created it first: use theirs.
            Ok(false) => match read(&path) {
                Some(theirs) => (Fingerprinter::with_key(theirs.into_bytes()), KeySource::File(path)),
                None => (Fingerprinter::with_key(key.into_bytes()), KeySource::Ephemeral),
            },
            Err(_) => (Fingerprinter::with_key(key.into_bytes()), KeySource::Ephemeral),
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
    fn key_lives_in_the_config_dir_never_in_the_tree() {
        let tree = tempfile::tempdir().unwrap();
        let config = tempfile::tempdir().unwrap();
        let store = KeyStore { config_dir: Some(config.path()), create: true };
        // A run that writes nothing creates nothing.
        let (_, source) = Fingerprinter::resolve(None, tree.path(), KeyStore { create: false, ..store });
        assert_eq!(source, KeySource::Ephemeral);
        assert_eq!(std::fs::read_dir(config.path()).unwrap().count(), 0);
        let (first, source) = Fingerprinter::resolve(None, tree.path(), store);
        assert_eq!(source, KeySource::Created(key_path(config.path(), tree.path())));
        let (second, source) = Fingerprinter::resolve(None, tree.path(), KeyStore { create: false, ..store });
        assert!(matches!(source, KeySource::File(_)));
        assert_eq!(first.fingerprint("r", b"v"), second.fingerprint("r", b"v"));
        assert_eq!(std::fs::read_dir(tree.path()).unwrap().count(), 0, "nothing written into the tree");
        // Another repository gets another key.
        let other = tempfile::tempdir().unwrap();
        assert_ne!(key_path(config.path(), tree.path()), key_path(config.path(), other.path()));
        let (env, source) = Fingerprinter::resolve(Some("from-env".into()), tree.path(), store);
        assert_eq!(source, KeySource::Environment);
        assert_ne!(env.fingerprint("r", b"v"), first.fingerprint("r", b"v"));
    }

    #[test]
    fn a_legacy_key_in_the_tree_is_still_read() {
        let tree = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tree.path().join(".hygiene")).unwrap();
        std::fs::write(tree.path().join(LEGACY_KEY_FILE), "legacy-key\n").unwrap();
        let (fp, source) =
            Fingerprinter::resolve(None, tree.path(), KeyStore { config_dir: None, create: true });
        assert_eq!(source, KeySource::File(tree.path().join(LEGACY_KEY_FILE)));
        assert_eq!(fp.fingerprint("r", b"v"), Fingerprinter::with_key("legacy-key").fingerprint("r", b"v"));
    }
}
