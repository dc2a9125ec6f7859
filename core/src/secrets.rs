//! Secrets at rest: private keys and CSID secrets are sealed with AES-256-GCM under a master key
//! that never touches the database. The master key comes from an environment variable, a file, or
//! a callback (a KMS); each sealed value is bound to what it is (the associated data), so a sealed
//! private key cannot be swapped for another row's secret.
//!
//! Sealed layout: `version (1) ‖ key id (8) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`. The key id is
//! the first 8 bytes of SHA-256(master key): opening with the wrong key says so precisely.

use crate::error::{Error, Result};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const VERSION: u8 = 1;
const HEADER: usize = 1 + 8 + 12;

/// The environment variable [`EnvKeyProvider`] reads by default: base64 of 32 random bytes.
pub const MASTER_KEY_VARIABLE: &str = "QAYD_MASTER_KEY";

/// A 256-bit master key.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey(id {})", crate::crypto::hex(&self.id()))
    }
}

impl MasterKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::Secret(format!("no randomness available ({e})")))?;
        Ok(MasterKey(bytes))
    }

    /// From base64 text of exactly 32 bytes.
    pub fn from_base64(text: &str) -> Result<Self> {
        let bytes = B64
            .decode(text.trim())
            .map_err(|_| Error::Secret("the master key is not valid base64".into()))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
            Error::Secret(format!(
                "the master key must be 32 bytes (base64 of 32 random bytes), not {}",
                b.len()
            ))
        })?;
        Ok(MasterKey(bytes))
    }

    /// The base64 form, to store the key somewhere safe.
    pub fn to_base64(&self) -> String {
        B64.encode(self.0)
    }

    /// A public fingerprint of the key, stored with every sealed value.
    pub fn id(&self) -> [u8; 8] {
        let digest = Sha256::digest(self.0);
        digest[..8].try_into().unwrap_or([0; 8])
    }

    /// Seals `plaintext`, binding it to `context` (e.g. `b"egs:pos-1:private-key"`).
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| Error::Secret(format!("no randomness available ({e})")))?;
        let cipher = Aes256Gcm::new(&self.0.into());
        let ciphertext = cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad: context })
            .map_err(|_| Error::Secret("encryption failed".into()))?;
        let mut sealed = Vec::with_capacity(HEADER + ciphertext.len());
        sealed.push(VERSION);
        sealed.extend_from_slice(&self.id());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// Opens what [`MasterKey::seal`] produced with the same `context`.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>> {
        if sealed.len() < HEADER + 16 || sealed[0] != VERSION {
            return Err(Error::Secret("the sealed value is truncated or of an unknown version".into()));
        }
        let key_id = &sealed[1..9];
        if key_id != self.id() {
            return Err(Error::Secret(format!(
                "these secrets were sealed with master key {}, but the configured key is {}: set {MASTER_KEY_VARIABLE} (or the key file) to the original key",
                crate::crypto::hex(key_id),
                crate::crypto::hex(&self.id())
            )));
        }
        let nonce: [u8; 12] = sealed[9..HEADER].try_into().unwrap_or([0; 12]);
        let cipher = Aes256Gcm::new(&self.0.into());
        cipher.decrypt(&Nonce::from(nonce), Payload { msg: &sealed[HEADER..], aad: context }).map_err(|_| {
            Error::Secret(
                "the sealed value was altered or belongs to another record; refusing to use it".into(),
            )
        })
    }
}

/// Where the master key comes from.
pub trait KeyProvider: Send + Sync {
    fn master_key(&self) -> Result<MasterKey>;
}

/// Reads the key from an environment variable (default [`MASTER_KEY_VARIABLE`]).
pub struct EnvKeyProvider {
    pub variable: String,
}

impl Default for EnvKeyProvider {
    fn default() -> Self {
        EnvKeyProvider { variable: MASTER_KEY_VARIABLE.into() }
    }
}

impl KeyProvider for EnvKeyProvider {
    fn master_key(&self) -> Result<MasterKey> {
        let value = std::env::var(&self.variable).map_err(|_| {
            Error::Secret(format!(
                "no master key: set {} to base64 of 32 random bytes (e.g. `openssl rand -base64 32`)",
                self.variable
            ))
        })?;
        MasterKey::from_base64(&value)
    }
}

/// Reads the key from a file holding its base64 form; [`FileKeyProvider::create`] makes one with
/// owner-only permissions.
pub struct FileKeyProvider {
    pub path: PathBuf,
}

impl FileKeyProvider {
    /// Writes a new random key to `path` (mode 0600) unless the file exists.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if !path.exists() {
            let key = MasterKey::generate()?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file =
                options.open(&path).map_err(|e| Error::Secret(format!("{}: {e}", path.display())))?;
            std::io::Write::write_all(&mut file, key.to_base64().as_bytes())
                .map_err(|e| Error::Secret(format!("{}: {e}", path.display())))?;
        }
        Ok(FileKeyProvider { path })
    }
}

impl KeyProvider for FileKeyProvider {
    fn master_key(&self) -> Result<MasterKey> {
        let text = std::fs::read_to_string(&self.path).map_err(|e| {
            Error::Secret(format!("cannot read the master key file {}: {e}", self.path.display()))
        })?;
        MasterKey::from_base64(&text)
    }
}

/// Asks a callback (a KMS, an OS keystore) for the key.
pub struct CallbackKeyProvider<F: Fn() -> Result<MasterKey> + Send + Sync>(pub F);

impl<F: Fn() -> Result<MasterKey> + Send + Sync> KeyProvider for CallbackKeyProvider<F> {
    fn master_key(&self) -> Result<MasterKey> {
        (self.0)()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let key = MasterKey::generate().unwrap();
        let sealed = key.seal(b"secret", b"egs:a:key").unwrap();
        assert_eq!(key.open(&sealed, b"egs:a:key").unwrap(), b"secret");
        assert_ne!(&sealed[HEADER..HEADER + 6], b"secret");
        // Another record's context, a flipped bit, another key: all refused, clearly.
        assert!(key.open(&sealed, b"egs:b:key").unwrap_err().to_string().contains("another record"));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(key.open(&tampered, b"egs:a:key").unwrap_err().code(), "SECRET");
        let other = MasterKey::generate().unwrap();
        assert!(other.open(&sealed, b"egs:a:key").unwrap_err().to_string().contains("configured key"));
        assert!(key.open(&sealed[..10], b"egs:a:key").is_err());
    }

    #[test]
    fn providers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let provider = FileKeyProvider::create(&path).unwrap();
        let key = provider.master_key().unwrap();
        assert_eq!(FileKeyProvider::create(&path).unwrap().master_key().unwrap().id(), key.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let env = EnvKeyProvider { variable: "QAYD_TEST_SURELY_UNSET_VARIABLE".into() };
        assert!(env.master_key().unwrap_err().to_string().contains("QAYD_TEST_SURELY_UNSET_VARIABLE"));
        let callback = CallbackKeyProvider(move || MasterKey::from_base64(&key.to_base64()));
        assert!(callback.master_key().is_ok());
        assert!(MasterKey::from_base64("c2hvcnQ=").unwrap_err().to_string().contains("32 bytes"));
        assert!(!format!("{:?}", MasterKey::generate().unwrap()).contains('='));
    }
}
