//! The encryption envelope: AES-256-GCM under a key from the key file, with the key's id in every
//! ciphertext so keys can rotate (new data uses the newest key; old data stays readable).
//!
//! Envelope (one line of ASCII, safe in JSON, wp_options and SQLite):
//!
//! ```text
//! mlc1:<key id, 8 hex>:<base64( nonce[12] || ciphertext || tag[16] )>
//! ```
//!
//! The associated data is `mlc1:<key id>:<purpose>`: a ciphertext made for one purpose (say the
//! setting `nav_client_secret`) does not decrypt as another.
//!
//! Key file (text, mode 0640, owner root or the agent, group shared with the web server):
//!
//! ```text
//! # comment
//! mlc-key <key id> <base64 of 32 random bytes>
//! ```
//! The last key encrypts; all keys decrypt.

use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rand::RngCore;

pub const ENVELOPE_PREFIX: &str = "mlc1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const KEY_LINE: &str = "mlc-key";

#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("key file {path}: {source}")]
    KeyFileIo { path: String, source: std::io::Error },
    #[error("key file {path} line {line}: {reason}")]
    KeyFileFormat { path: String, line: usize, reason: String },
    #[error("key file {path} holds no key")]
    NoKey { path: String },
    #[error("key file {path} already exists; refusing to overwrite it (existing secrets would become unreadable)")]
    KeyFileExists { path: String },
    #[error("not an encryption envelope (expected `mlc1:<key id>:<data>`)")]
    NotAnEnvelope,
    #[error("envelope was made with key {0}, which is not in the key file")]
    UnknownKey(String),
    #[error("envelope does not decrypt: wrong key, wrong purpose, or damaged data")]
    Undecryptable,
}

#[derive(Clone)]
struct Key {
    id: String,
    cipher: Aes256Gcm,
}

/// The keys from the key file. `Debug` never shows key material.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<Key>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|k| k.id.as_str()).collect();
        f.debug_struct("Keyring").field("key_ids", &ids).finish()
    }
}

impl Keyring {
    /// Reads the key file.
    pub fn load(path: &Path) -> Result<Self, EnvelopeError> {
        let text = std::fs::read_to_string(path).map_err(|source| EnvelopeError::KeyFileIo {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Self, EnvelopeError> {
        let bad = |line: usize, reason: &str| EnvelopeError::KeyFileFormat {
            path: origin.to_string(),
            line,
            reason: reason.to_string(),
        };
        let mut keys = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [tag, id, material] = fields[..] else {
                return Err(bad(index + 1, "expected `mlc-key <id> <base64 key>`"));
            };
            if tag != KEY_LINE {
                return Err(bad(index + 1, "expected `mlc-key <id> <base64 key>`"));
            }
            if id.len() != 8 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad(index + 1, "key id must be 8 hex digits"));
            }
            let bytes = BASE64.decode(material).map_err(|_| bad(index + 1, "key is not base64"))?;
            let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| bad(index + 1, "key must be 32 bytes"))?;
            let id = id.to_ascii_lowercase();
            // Envelopes name their key by id: with two keys of one id, the last would encrypt and
            // the first decrypt, and every new secret would be unreadable (found by fuzzing).
            if keys.iter().any(|k: &Key| k.id == id) {
                return Err(bad(index + 1, "key id appears twice; every key needs its own id"));
            }
            keys.push(Key { id, cipher });
        }
        if keys.is_empty() {
            return Err(EnvelopeError::NoKey { path: origin.to_string() });
        }
        Ok(Self { keys })
    }

    /// Creates a new key file with one key, mode 0640. Never overwrites an existing file.
    pub fn create(path: &Path) -> Result<Self, EnvelopeError> {
        let io = |source| EnvelopeError::KeyFileIo { path: path.display().to_string(), source };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
        let mut file = match options.open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(EnvelopeError::KeyFileExists { path: path.display().to_string() })
            }
            Err(e) => return Err(io(e)),
        };
        let text = format!(
            "# ml-connector vault keys: keep mode 0640, group shared with the web server.\n\
             # The last key encrypts, every key decrypts. Rotate with `ml-connector-agent vault rotate`.\n{}\n",
            new_key_line()
        );
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Appends a new key, which encrypts from now on. Old keys stay for decryption.
    pub fn rotate(path: &Path) -> Result<Self, EnvelopeError> {
        let io = |source| EnvelopeError::KeyFileIo { path: path.display().to_string(), source };
        let current = Self::load(path)?;
        // A new id, never one in use (4 random bytes collide rarely, but a collision would make
        // the key file unreadable).
        let line = loop {
            let line = new_key_line();
            if !current.keys.iter().any(|k| line.split(' ').nth(1) == Some(k.id.as_str())) {
                break line;
            }
        };
        let mut file = std::fs::OpenOptions::new().append(true).open(path).map_err(io)?;
        file.write_all(format!("{line}\n").as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        Self::load(path)
    }

    /// Id of the key that encrypts.
    pub fn active_key_id(&self) -> &str {
        &self.keys[self.keys.len() - 1].id
    }

    pub fn key_ids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.id.clone()).collect()
    }

    pub fn encrypt(&self, purpose: &str, plaintext: &[u8]) -> String {
        let key = &self.keys[self.keys.len() - 1];
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        self.seal(key, &nonce, purpose, plaintext)
    }

    fn seal(&self, key: &Key, nonce: &[u8; NONCE_LEN], purpose: &str, plaintext: &[u8]) -> String {
        let aad = associated_data(&key.id, purpose);
        // AES-GCM encryption only fails for inputs over 64 GiB.
        let sealed = key
            .cipher
            .encrypt(Nonce::from_slice(nonce), Payload { msg: plaintext, aad: aad.as_bytes() })
            .unwrap_or_default();
        let mut data = Vec::with_capacity(NONCE_LEN + sealed.len());
        data.extend_from_slice(nonce);
        data.extend_from_slice(&sealed);
        format!("{ENVELOPE_PREFIX}:{}:{}", key.id, BASE64.encode(data))
    }

    pub fn decrypt(&self, purpose: &str, envelope: &str) -> Result<Vec<u8>, EnvelopeError> {
        let mut parts = envelope.trim().splitn(3, ':');
        let (Some(ENVELOPE_PREFIX), Some(id), Some(data)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EnvelopeError::NotAnEnvelope);
        };
        let key = self
            .keys
            .iter()
            .find(|k| k.id.eq_ignore_ascii_case(id))
            .ok_or_else(|| EnvelopeError::UnknownKey(id.to_string()))?;
        let data = BASE64.decode(data).map_err(|_| EnvelopeError::NotAnEnvelope)?;
        if data.len() < NONCE_LEN + TAG_LEN {
            return Err(EnvelopeError::NotAnEnvelope);
        }
        let (nonce, sealed) = data.split_at(NONCE_LEN);
        let aad = associated_data(&key.id, purpose);
        key.cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: aad.as_bytes() })
            .map_err(|_| EnvelopeError::Undecryptable)
    }

    pub fn decrypt_string(&self, purpose: &str, envelope: &str) -> Result<String, EnvelopeError> {
        String::from_utf8(self.decrypt(purpose, envelope)?).map_err(|_| EnvelopeError::Undecryptable)
    }
}

/// True when the text looks like an envelope (it may still fail to decrypt).
pub fn is_envelope(text: &str) -> bool {
    text.starts_with("mlc1:")
}

fn associated_data(key_id: &str, purpose: &str) -> String {
    format!("{ENVELOPE_PREFIX}:{key_id}:{purpose}")
}

fn new_key_line() -> String {
    let mut material = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut material);
    let mut id = [0u8; 4];
    rand::rngs::OsRng.fill_bytes(&mut id);
    format!("{KEY_LINE} {} {}", hex::encode(id), BASE64.encode(material))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fixed vectors the PHP fallback (openssl aes-256-gcm) is tested against, so both sides
    /// read and write the same envelope. Regenerate only with a schema version change.
    pub const VECTOR_KEY_FILE: &str = "mlc-key 0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";

    #[test]
    fn encrypts_and_decrypts_with_purpose_binding() {
        let ring = Keyring::parse(VECTOR_KEY_FILE, "test").unwrap();
        let envelope = ring.encrypt("nav_client_secret", b"s3cr3t");
        assert!(envelope.starts_with("mlc1:0a1b2c3d:"));
        assert!(!envelope.contains("s3cr3t"));
        assert_eq!(ring.decrypt("nav_client_secret", &envelope).unwrap(), b"s3cr3t");
        assert!(matches!(ring.decrypt("woo_consumer_secret", &envelope), Err(EnvelopeError::Undecryptable)));
    }

    #[test]
    fn matches_the_fixed_vector() {
        let ring = Keyring::parse(VECTOR_KEY_FILE, "test").unwrap();
        let nonce = [7u8; NONCE_LEN];
        let envelope = ring.seal(&ring.keys[0], &nonce, "nav_client_secret", b"s3cr3t");
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/envelope-vectors.json")).unwrap();
        assert_eq!(vectors["key_file"], VECTOR_KEY_FILE);
        assert_eq!(vectors["vectors"][0]["purpose"], "nav_client_secret");
        assert_eq!(vectors["vectors"][0]["plaintext"], "s3cr3t");
        assert_eq!(vectors["vectors"][0]["envelope"], envelope.as_str());
    }

    #[test]
    fn rotation_keeps_old_envelopes_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.key");
        let first = Keyring::create(&path).unwrap();
        let old = first.encrypt("p", b"old");
        assert!(matches!(Keyring::create(&path), Err(EnvelopeError::KeyFileExists { .. })));
        let rotated = Keyring::rotate(&path).unwrap();
        assert_ne!(rotated.active_key_id(), first.active_key_id());
        assert_eq!(rotated.decrypt("p", &old).unwrap(), b"old");
        let new = rotated.encrypt("p", b"new");
        assert!(new.contains(rotated.active_key_id()));
        assert!(matches!(first.decrypt("p", &new), Err(EnvelopeError::UnknownKey(_))));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode & 0o007, 0, "key file must not be readable by others");
        }
    }

    #[test]
    fn a_key_file_with_one_id_twice_is_refused() {
        let two = format!("{VECTOR_KEY_FILE}mlc-key 0A1B2C3D AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
        let error = Keyring::parse(&two, "t").unwrap_err();
        assert!(matches!(error, EnvelopeError::KeyFileFormat { line: 2, .. }), "{error}");
    }

    #[test]
    fn debug_never_shows_key_material() {
        let ring = Keyring::parse(VECTOR_KEY_FILE, "test").unwrap();
        let shown = format!("{ring:?}");
        assert!(shown.contains("0a1b2c3d") && !shown.contains("AAECAwQF"));
    }

    #[test]
    fn rejects_malformed_envelopes_and_key_files() {
        let ring = Keyring::parse(VECTOR_KEY_FILE, "test").unwrap();
        for bad in ["", "mlc1:", "mlc1:0a1b2c3d", "mlc1:0a1b2c3d:!!", "mlc1:0a1b2c3d:AAAA", "plain secret"] {
            assert!(ring.decrypt("p", bad).is_err(), "{bad}");
        }
        for bad in ["", "# only a comment", "mlc-key zz AAAA", "mlc-key 0a1b2c3d AAAA", "other 0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="] {
            assert!(Keyring::parse(bad, "t").is_err(), "{bad}");
        }
    }
}
