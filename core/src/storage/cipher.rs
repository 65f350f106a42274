//! Field encryption for personal data at rest: AES-256-GCM under the data
//! key, a fresh random nonce per value, and the value's place (table and
//! column) as associated data, so a ciphertext copied into another column
//! does not open.
//!
//! Form: version byte `1` ‖ 12-byte nonce ‖ ciphertext ‖ 16-byte tag.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::StorageError;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

/// Encrypts and decrypts values under the data key.
pub struct FieldCipher {
    key: LessSafeKey,
    random: SystemRandom,
}

impl std::fmt::Debug for FieldCipher {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("FieldCipher")
    }
}

impl FieldCipher {
    /// A cipher under a 32-byte data key.
    pub fn new(data_key: &[u8]) -> Result<FieldCipher, StorageError> {
        let key = UnboundKey::new(&AES_256_GCM, data_key)
            .map_err(|_| StorageError::Crypto("bad data key"))?;
        Ok(FieldCipher {
            key: LessSafeKey::new(key),
            random: SystemRandom::new(),
        })
    }

    /// Encrypts `plaintext` for the place `context` (e.g. `outbox.body`).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, StorageError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| StorageError::Crypto("no randomness"))?;
        let mut buffer = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buffer,
            )
            .map_err(|_| StorageError::Crypto("encryption failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + buffer.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buffer);
        Ok(out)
    }

    /// Decrypts a value sealed for `context`.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, StorageError> {
        let Some((&VERSION, rest)) = sealed.split_first() else {
            return Err(StorageError::Crypto("unknown ciphertext version"));
        };
        if rest.len() < NONCE_LEN {
            return Err(StorageError::Crypto("ciphertext too short"));
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| StorageError::Crypto("bad nonce"))?;
        let mut buffer = body.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buffer)
            .map_err(|_| StorageError::Crypto("a stored value does not decrypt"))?;
        Ok(plain.to_vec())
    }

    /// Encrypts a JSON value.
    pub fn seal_json<T: serde::Serialize>(
        &self,
        context: &str,
        value: &T,
    ) -> Result<Vec<u8>, StorageError> {
        let json =
            serde_json::to_vec(value).map_err(|error| StorageError::Corrupt(error.to_string()))?;
        self.seal(context, &json)
    }

    /// Decrypts a JSON value.
    pub fn open_json<T: serde::de::DeserializeOwned>(
        &self,
        context: &str,
        sealed: &[u8],
    ) -> Result<T, StorageError> {
        let json = self.open(context, sealed)?;
        serde_json::from_slice(&json).map_err(|error| StorageError::Corrupt(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_open_only_in_their_place() {
        let cipher = FieldCipher::new(&[9; 32]).unwrap();
        let sealed = cipher.seal("drafts.body", b"360102198803152134").unwrap();
        assert!(!sealed.windows(6).any(|window| window == b"360102"));
        assert_eq!(
            cipher.open("drafts.body", &sealed).unwrap(),
            b"360102198803152134"
        );
        assert!(cipher.open("outbox.body", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert!(cipher.open("drafts.body", &tampered).is_err());
        assert!(cipher.open("drafts.body", &[]).is_err());
        assert!(cipher.open("drafts.body", &[1, 2, 3]).is_err());
    }
}
