//! The device key store as the core sees it: signing keys (through
//! [`ecard_credential::KeyStore`]) plus wrapping of the database key.
//!
//! Personal data is encrypted at rest under a random data key; the data key
//! itself is stored only wrapped by a key the platform key store never
//! releases (an AES key in Android Keystore or HUKS, a Secure Enclave key on
//! iOS). The apps implement [`SecureKeyStore`] natively through the
//! bindings. [`FileKeyStore`] serves the CLI and desktop builds, where no
//! hardware store exists: its keys live in files readable only by the user.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ecard_credential::{KeyStore, KeyStoreError, PublicKey, SoftwareKey, SoftwareKeyStore, Suite};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// A key store that signs and wraps secrets without revealing its keys.
pub trait SecureKeyStore: KeyStore {
    /// Encrypts `secret` under the wrapping key `alias` (created on first use).
    fn wrap(&self, alias: &str, secret: &[u8]) -> Result<Vec<u8>, KeyStoreError>;
    /// Decrypts what [`SecureKeyStore::wrap`] produced. Never creates a key.
    ///
    /// The answer decides whether the client keeps its data (see
    /// [`crate::client`]): [`KeyStoreError::NotFound`] only when the store
    /// holds no key under `alias` (or knows for certain that the key
    /// `wrapped` was made under no longer exists); a cancelled prompt is
    /// [`KeyStoreError::UserCancelled`], a locked store
    /// [`KeyStoreError::Locked`], anything else
    /// [`KeyStoreError::Backend`].
    fn unwrap(&self, alias: &str, wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError>;
}

const NONCE_LEN: usize = 12;

fn seal(key: &[u8; 32], plaintext: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
    let backend = |_| KeyStoreError::Backend("wrapping failed".into());
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).map_err(backend)?);
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new().fill(&mut nonce).map_err(backend)?;
    let mut buffer = plaintext.to_vec();
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::from(b"ecard-wrap-v1"),
        &mut buffer,
    )
    .map_err(backend)?;
    Ok([nonce.as_slice(), &buffer].concat())
}

fn open_sealed(key: &[u8; 32], wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
    let backend = |_| KeyStoreError::Backend("the wrapped secret does not open".into());
    if wrapped.len() < NONCE_LEN {
        return Err(KeyStoreError::Backend(
            "the wrapped secret is too short".into(),
        ));
    }
    let (nonce, sealed) = wrapped.split_at(NONCE_LEN);
    let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).map_err(backend)?);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(backend)?;
    let mut buffer = sealed.to_vec();
    let plain = key
        .open_in_place(nonce, Aad::from(b"ecard-wrap-v1"), &mut buffer)
        .map_err(backend)?;
    Ok(plain.to_vec())
}

fn random_key() -> Result<[u8; 32], KeyStoreError> {
    let mut key = [0u8; 32];
    SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| KeyStoreError::Backend("no randomness".into()))?;
    Ok(key)
}

/// Keys in process memory only: for tests and throwaway clients.
#[derive(Default)]
pub struct MemoryKeyStore {
    signing: SoftwareKeyStore,
    wrapping: Mutex<HashMap<String, [u8; 32]>>,
}

impl std::fmt::Debug for MemoryKeyStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("MemoryKeyStore")
            .finish_non_exhaustive()
    }
}

impl MemoryKeyStore {
    /// An empty store.
    pub fn new() -> MemoryKeyStore {
        MemoryKeyStore::default()
    }

    /// The wrapping key `alias`, made when `create` (for `wrap`); without
    /// `create` (for `unwrap`) a missing key is `NotFound`.
    fn wrapping_key(&self, alias: &str, create: bool) -> Result<[u8; 32], KeyStoreError> {
        let mut keys = self
            .wrapping
            .lock()
            .map_err(|_| KeyStoreError::Backend("lock poisoned".into()))?;
        if let Some(key) = keys.get(alias) {
            return Ok(*key);
        }
        if !create {
            return Err(KeyStoreError::NotFound(alias.to_owned()));
        }
        let key = random_key()?;
        keys.insert(alias.to_owned(), key);
        Ok(key)
    }
}

impl KeyStore for MemoryKeyStore {
    fn generate_key(&self, alias: &str, suite: Suite) -> Result<PublicKey, KeyStoreError> {
        self.signing.generate_key(alias, suite)
    }
    fn public_key(&self, alias: &str) -> Result<PublicKey, KeyStoreError> {
        self.signing.public_key(alias)
    }
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        self.signing.sign(alias, message)
    }
    fn delete_key(&self, alias: &str) -> Result<(), KeyStoreError> {
        self.signing.delete_key(alias)
    }
}

impl SecureKeyStore for MemoryKeyStore {
    fn wrap(&self, alias: &str, secret: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        seal(&self.wrapping_key(alias, true)?, secret)
    }
    fn unwrap(&self, alias: &str, wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        open_sealed(&self.wrapping_key(alias, false)?, wrapped)
    }
}

/// Keys in files under a directory, readable only by the user (mode 0600):
/// the desktop and CLI stand-in for a hardware key store. Signing keys are
/// PKCS#8 files; wrapping keys are 32-byte files.
pub struct FileKeyStore {
    directory: PathBuf,
    signing: SoftwareKeyStore,
    suites: Mutex<HashMap<String, Suite>>,
}

impl std::fmt::Debug for FileKeyStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FileKeyStore")
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

fn valid_alias(alias: &str) -> Result<(), KeyStoreError> {
    if !alias.is_empty()
        && alias.len() <= 64
        && alias
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    {
        Ok(())
    } else {
        Err(KeyStoreError::Backend(format!(
            "invalid key alias {alias:?}"
        )))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeyStoreError> {
    use std::io::Write as _;
    let io = |error: std::io::Error| KeyStoreError::Backend(format!("{}: {error}", path.display()));
    let temporary = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&temporary).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

impl FileKeyStore {
    /// Opens (creating) the store in `directory` and loads its signing keys.
    pub fn open(directory: impl Into<PathBuf>) -> Result<FileKeyStore, KeyStoreError> {
        let directory = directory.into();
        let io = |error: std::io::Error| {
            KeyStoreError::Backend(format!("{}: {error}", directory.display()))
        };
        std::fs::create_dir_all(&directory).map_err(io)?;
        let store = FileKeyStore {
            directory: directory.clone(),
            signing: SoftwareKeyStore::new(),
            suites: Mutex::default(),
        };
        for entry in std::fs::read_dir(&directory).map_err(io)? {
            let path = entry.map_err(io)?.path();
            let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
                continue;
            };
            let Some((alias, suite)) = name
                .strip_suffix(".p8")
                .and_then(|stem| stem.rsplit_once('.'))
            else {
                continue;
            };
            let Some(suite) = Suite::from_name(suite) else {
                continue;
            };
            let pkcs8 = std::fs::read(&path).map_err(io)?;
            let key = SoftwareKey::from_pkcs8(suite, &pkcs8)
                .map_err(|error| KeyStoreError::Backend(error.to_string()))?;
            store.signing.insert(alias, key)?;
            store.lock_suites()?.insert(alias.to_owned(), suite);
        }
        Ok(store)
    }

    fn lock_suites(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<String, Suite>>, KeyStoreError> {
        self.suites
            .lock()
            .map_err(|_| KeyStoreError::Backend("lock poisoned".into()))
    }

    /// The wrapping key `alias`, made when `create` (for `wrap`); without
    /// `create` (for `unwrap`) a missing key file is `NotFound`.
    fn wrapping_key(&self, alias: &str, create: bool) -> Result<[u8; 32], KeyStoreError> {
        valid_alias(alias)?;
        let path = self.directory.join(format!("{alias}.wrap"));
        match std::fs::read(&path) {
            Ok(bytes) => <[u8; 32]>::try_from(bytes.as_slice())
                .map_err(|_| KeyStoreError::Backend(format!("{} is damaged", path.display()))),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound && !create => {
                Err(KeyStoreError::NotFound(alias.to_owned()))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = random_key()?;
                write_private(&path, &key)?;
                Ok(key)
            }
            Err(error) => Err(KeyStoreError::Backend(format!(
                "{}: {error}",
                path.display()
            ))),
        }
    }
}

impl KeyStore for FileKeyStore {
    fn generate_key(&self, alias: &str, suite: Suite) -> Result<PublicKey, KeyStoreError> {
        valid_alias(alias)?;
        let (key, pkcs8) = SoftwareKey::generate(suite)
            .map_err(|error| KeyStoreError::Backend(error.to_string()))?;
        self.delete_key(alias)?;
        write_private(
            &self.directory.join(format!("{alias}.{}.p8", suite.name())),
            &pkcs8,
        )?;
        self.lock_suites()?.insert(alias.to_owned(), suite);
        self.signing.insert(alias, key)
    }
    fn public_key(&self, alias: &str) -> Result<PublicKey, KeyStoreError> {
        self.signing.public_key(alias)
    }
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        self.signing.sign(alias, message)
    }
    fn delete_key(&self, alias: &str) -> Result<(), KeyStoreError> {
        valid_alias(alias)?;
        if let Some(suite) = self.lock_suites()?.remove(alias) {
            let path = self.directory.join(format!("{alias}.{}.p8", suite.name()));
            std::fs::remove_file(&path).or_else(|error| {
                if error.kind() == std::io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(KeyStoreError::Backend(error.to_string()))
                }
            })?;
        }
        self.signing.delete_key(alias)
    }
}

impl SecureKeyStore for FileKeyStore {
    fn wrap(&self, alias: &str, secret: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        seal(&self.wrapping_key(alias, true)?, secret)
    }
    fn unwrap(&self, alias: &str, wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        open_sealed(&self.wrapping_key(alias, false)?, wrapped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm2_keys_keep_their_suite_across_reopening() {
        let directory = tempfile::tempdir().unwrap();
        let store = FileKeyStore::open(directory.path()).unwrap();
        store.generate_key("device", Suite::EcdsaP256).unwrap();
        // Replacing the P-256 key with an SM2 key of the same alias leaves
        // one key file, named by its suite.
        let public = store.generate_key("device", Suite::Sm2).unwrap();
        assert_eq!(public.suite(), Suite::Sm2);
        let mut files: Vec<String> = std::fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, ["device.sm2.p8"]);
        drop(store);
        // The suite comes from the file, not from the key's length (an SM2
        // point is as long as a P-256 one).
        let reopened = FileKeyStore::open(directory.path()).unwrap();
        let read = reopened.public_key("device").unwrap();
        assert_eq!(read, public);
        assert_eq!(read.suite(), Suite::Sm2);
        let signature = reopened.sign("device", b"message").unwrap();
        assert!(public.verify(b"message", &signature));
        reopened.delete_key("device").unwrap();
        assert!(
            std::fs::read_dir(directory.path())
                .unwrap()
                .next()
                .is_none()
        );
    }

    #[test]
    fn file_keys_survive_reopening_and_wrap_round_trips() {
        let directory = tempfile::tempdir().unwrap();
        let store = FileKeyStore::open(directory.path()).unwrap();
        let public = store.generate_key("device", Suite::EcdsaP256).unwrap();
        let wrapped = store.wrap("data", b"secret").unwrap();
        drop(store);
        let reopened = FileKeyStore::open(directory.path()).unwrap();
        assert_eq!(reopened.public_key("device").unwrap(), public);
        assert_eq!(reopened.unwrap("data", &wrapped).unwrap(), b"secret");
        let signature = reopened.sign("device", b"message").unwrap();
        assert!(public.verify(b"message", &signature));
        assert!(
            reopened
                .unwrap("data", &wrapped[..wrapped.len() - 1])
                .is_err()
        );
        assert!(reopened.generate_key("../escape", Suite::Ed25519).is_err());
        // A missing wrapping key is a definite `NotFound`, and asking does
        // not make one (a wrong blob under an existing key is not `NotFound`).
        assert_eq!(
            reopened.unwrap("other", &wrapped),
            Err(KeyStoreError::NotFound("other".into()))
        );
        assert!(!directory.path().join("other.wrap").exists());
        assert!(matches!(
            reopened.unwrap("data", &wrapped[..wrapped.len() - 1]),
            Err(KeyStoreError::Backend(_))
        ));
        let memory = MemoryKeyStore::new();
        assert_eq!(
            memory.unwrap("data", &wrapped),
            Err(KeyStoreError::NotFound("data".into()))
        );
    }
}
