//! Field encryption for personal data at rest: an AEAD under the data key, a
//! fresh random nonce per value, and the value's place (table and column) as
//! associated data, so a ciphertext copied into another column does not
//! open.
//!
//! The AEAD is a deployment's choice ([`FieldCipherSuite`]): AES-256-GCM
//! (ring) by default, or SM4-GCM — the GB/T 32907 block cipher in GCM mode
//! with a 128-bit key, a 96-bit nonce and a 128-bit tag, as RFC 8998
//! specifies it for TLS (RustCrypto `sm4` in the generic `aes-gcm`
//! construction). A database is sealed under one of them only: the choice is
//! made at its first open, recorded in its `meta` table, and a later open
//! asking for the other is refused
//! ([`crate::ClientError::FieldCipherMismatch`]); nothing is ever
//! re-encrypted or mixed.
//!
//! Form: version byte ‖ 12-byte nonce ‖ ciphertext ‖ 16-byte tag, where the
//! version byte names the cipher (`1` AES-256-GCM, `2` SM4-GCM), so a value
//! sealed under the other cipher is refused as such before any tag check.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use crate::error::StorageError;

const NONCE_LEN: usize = 12;

/// SM4 in GCM mode with a 96-bit nonce and a 128-bit tag.
type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, U12>;

/// The AEAD that seals personal data at rest: a deployment's choice, made
/// when a database is first opened and recorded in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldCipherSuite {
    /// AES-256-GCM with a 256-bit data key (the default).
    #[default]
    #[serde(rename = "aes-256-gcm")]
    Aes256Gcm,
    /// SM4-GCM (GB/T 32907 in GCM mode) with a 128-bit data key, for
    /// deployments that must use the national commercial ciphers.
    #[serde(rename = "sm4-gcm")]
    Sm4Gcm,
}

impl FieldCipherSuite {
    /// Both suites.
    pub const ALL: [FieldCipherSuite; 2] = [FieldCipherSuite::Aes256Gcm, FieldCipherSuite::Sm4Gcm];

    /// The stable name, as recorded in the database and as the bindings'
    /// configuration spells it (`aes-256-gcm`, `sm4-gcm`).
    pub fn name(self) -> &'static str {
        match self {
            FieldCipherSuite::Aes256Gcm => "aes-256-gcm",
            FieldCipherSuite::Sm4Gcm => "sm4-gcm",
        }
    }

    /// The suite of a stable name, if it is one.
    pub fn from_name(name: &str) -> Option<FieldCipherSuite> {
        FieldCipherSuite::ALL
            .into_iter()
            .find(|suite| suite.name() == name)
    }

    /// Bytes of its data key: 32 for AES-256-GCM, 16 for SM4-GCM.
    pub fn key_len(self) -> usize {
        match self {
            FieldCipherSuite::Aes256Gcm => 32,
            FieldCipherSuite::Sm4Gcm => 16,
        }
    }

    /// The suite whose data key has `length` bytes, if one does.
    pub fn for_key_len(length: usize) -> Option<FieldCipherSuite> {
        FieldCipherSuite::ALL
            .into_iter()
            .find(|suite| suite.key_len() == length)
    }

    /// The version byte that starts each value it seals.
    pub(crate) fn version_byte(self) -> u8 {
        match self {
            FieldCipherSuite::Aes256Gcm => 1,
            FieldCipherSuite::Sm4Gcm => 2,
        }
    }
}

impl std::fmt::Display for FieldCipherSuite {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.name())
    }
}

/// The keyed AEAD (boxed: the two differ in size, and a client holds one).
enum Key {
    Aes(Box<LessSafeKey>),
    Sm4(Box<Sm4Gcm>),
}

/// Encrypts and decrypts values under the data key.
pub struct FieldCipher {
    suite: FieldCipherSuite,
    key: Key,
    random: SystemRandom,
}

impl std::fmt::Debug for FieldCipher {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FieldCipher")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl FieldCipher {
    /// A cipher of `suite` under a data key of its length
    /// ([`FieldCipherSuite::key_len`]).
    pub fn new(suite: FieldCipherSuite, data_key: &[u8]) -> Result<FieldCipher, StorageError> {
        if data_key.len() != suite.key_len() {
            return Err(StorageError::Crypto("bad data key"));
        }
        let key = match suite {
            FieldCipherSuite::Aes256Gcm => {
                let key = UnboundKey::new(&AES_256_GCM, data_key)
                    .map_err(|_| StorageError::Crypto("bad data key"))?;
                Key::Aes(Box::new(LessSafeKey::new(key)))
            }
            FieldCipherSuite::Sm4Gcm => Key::Sm4(Box::new(
                Sm4Gcm::new_from_slice(data_key)
                    .map_err(|_| StorageError::Crypto("bad data key"))?,
            )),
        };
        Ok(FieldCipher {
            suite,
            key,
            random: SystemRandom::new(),
        })
    }

    /// The suite it seals with.
    pub fn suite(&self) -> FieldCipherSuite {
        self.suite
    }

    /// Encrypts `plaintext` for the place `context` (e.g. `outbox.body`).
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, StorageError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| StorageError::Crypto("no randomness"))?;
        let sealed = match &self.key {
            Key::Aes(key) => {
                let mut buffer = plaintext.to_vec();
                key.seal_in_place_append_tag(
                    Nonce::assume_unique_for_key(nonce),
                    Aad::from(context.as_bytes()),
                    &mut buffer,
                )
                .map_err(|_| StorageError::Crypto("encryption failed"))?;
                buffer
            }
            Key::Sm4(key) => key
                .encrypt(
                    &nonce.into(),
                    Payload {
                        msg: plaintext,
                        aad: context.as_bytes(),
                    },
                )
                .map_err(|_| StorageError::Crypto("encryption failed"))?,
        };
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(self.suite.version_byte());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts a value sealed for `context`. A value sealed by the other
    /// suite, under another key, for another place, or altered is a typed
    /// [`StorageError::Crypto`], never a panic.
    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, StorageError> {
        let Some((&version, rest)) = sealed.split_first() else {
            return Err(StorageError::Crypto("unknown ciphertext version"));
        };
        if version != self.suite.version_byte() {
            return Err(
                if FieldCipherSuite::ALL
                    .into_iter()
                    .any(|suite| suite.version_byte() == version)
                {
                    StorageError::Crypto("a stored value was sealed with another cipher")
                } else {
                    StorageError::Crypto("unknown ciphertext version")
                },
            );
        }
        if rest.len() < NONCE_LEN {
            return Err(StorageError::Crypto("ciphertext too short"));
        }
        let (nonce, body) = rest.split_at(NONCE_LEN);
        match &self.key {
            Key::Aes(key) => {
                let nonce = Nonce::try_assume_unique_for_key(nonce)
                    .map_err(|_| StorageError::Crypto("bad nonce"))?;
                let mut buffer = body.to_vec();
                let plain = key
                    .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buffer)
                    .map_err(|_| StorageError::Crypto("a stored value does not decrypt"))?;
                Ok(plain.to_vec())
            }
            Key::Sm4(key) => {
                let nonce: [u8; NONCE_LEN] = nonce
                    .try_into()
                    .map_err(|_| StorageError::Crypto("bad nonce"))?;
                key.decrypt(
                    &nonce.into(),
                    Payload {
                        msg: body,
                        aad: context.as_bytes(),
                    },
                )
                .map_err(|_| StorageError::Crypto("a stored value does not decrypt"))
            }
        }
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
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use aes_gcm::aead::array::Array;
    use sm4::cipher::{BlockCipherEncrypt as _, KeyInit as _};

    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        let text: String = text.split_whitespace().collect();
        (0..text.len())
            .step_by(2)
            .map(|at| u8::from_str_radix(&text[at..at + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn values_open_only_in_their_place_under_either_suite() {
        for suite in FieldCipherSuite::ALL {
            let cipher = FieldCipher::new(suite, &vec![9; suite.key_len()]).unwrap();
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
            let mut tag = sealed.clone();
            *tag.last_mut().unwrap() ^= 1;
            assert!(matches!(
                cipher.open("drafts.body", &tag),
                Err(StorageError::Crypto("a stored value does not decrypt"))
            ));
            assert!(cipher.open("drafts.body", &[]).is_err());
            assert!(
                cipher
                    .open("drafts.body", &[suite.version_byte(), 2, 3])
                    .is_err()
            );
            // Another key of the same suite: a typed refusal, not a panic.
            let other = FieldCipher::new(suite, &vec![7; suite.key_len()]).unwrap();
            assert!(matches!(
                other.open("drafts.body", &sealed),
                Err(StorageError::Crypto("a stored value does not decrypt"))
            ));
            // A key of the wrong length is refused.
            assert!(FieldCipher::new(suite, &[9; 24]).is_err());
        }
    }

    #[test]
    fn a_value_sealed_by_one_suite_is_refused_by_the_other() {
        let aes = FieldCipher::new(FieldCipherSuite::Aes256Gcm, &[9; 32]).unwrap();
        let sm4 = FieldCipher::new(FieldCipherSuite::Sm4Gcm, &[9; 16]).unwrap();
        let by_aes = aes.seal("session.sealed", b"{}").unwrap();
        let by_sm4 = sm4.seal("session.sealed", b"{}").unwrap();
        assert_eq!((by_aes[0], by_sm4[0]), (1, 2));
        for (cipher, foreign) in [(&aes, &by_sm4), (&sm4, &by_aes)] {
            assert!(matches!(
                cipher.open("session.sealed", foreign),
                Err(StorageError::Crypto(
                    "a stored value was sealed with another cipher"
                ))
            ));
        }
        let mut unknown = by_sm4;
        unknown[0] = 9;
        assert!(matches!(
            sm4.open("session.sealed", &unknown),
            Err(StorageError::Crypto("unknown ciphertext version"))
        ));
    }

    #[test]
    fn suite_names_and_key_lengths_round_trip() {
        for suite in FieldCipherSuite::ALL {
            assert_eq!(FieldCipherSuite::from_name(suite.name()), Some(suite));
            assert_eq!(FieldCipherSuite::for_key_len(suite.key_len()), Some(suite));
            assert_eq!(
                serde_json::to_value(suite).unwrap(),
                serde_json::json!(suite.name())
            );
        }
        assert_eq!(FieldCipherSuite::default(), FieldCipherSuite::Aes256Gcm);
        assert_eq!(FieldCipherSuite::from_name("sm4"), None);
        assert_eq!(FieldCipherSuite::for_key_len(24), None);
    }

    /// GB/T 32907-2016, appendix A, example 1: one block.
    #[test]
    fn sm4_matches_the_standards_example() {
        let key = hex("0123456789abcdeffedcba9876543210");
        let block_cipher = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block = Array::try_from(key.as_slice()).unwrap();
        block_cipher.encrypt_block(&mut block);
        assert_eq!(block.to_vec(), hex("681edf34d206965e86b3e94f536e4246"));
    }

    /// RFC 8998, appendix A.1: the SM4-GCM example.
    #[test]
    fn sm4_gcm_matches_rfc_8998() {
        let key = hex("0123456789ABCDEFFEDCBA9876543210");
        let nonce = hex("00001234567800000000ABCD");
        let aad = hex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
        let plaintext = hex(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD
             EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        );
        let ciphertext = hex(
            "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735
             D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D",
        );
        let tag = hex("83DE3541E4C2B58177E065A9BF7B62EC");
        let gcm = Sm4Gcm::new_from_slice(&key).unwrap();
        let nonce: [u8; NONCE_LEN] = nonce.as_slice().try_into().unwrap();
        let sealed = gcm
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(sealed, [ciphertext, tag].concat());
        let opened = gcm
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: &sealed,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(opened, plaintext);
        // A changed tag is refused.
        let mut forged = sealed;
        *forged.last_mut().unwrap() ^= 0x80;
        assert!(
            gcm.decrypt(
                &nonce.into(),
                Payload {
                    msg: &forged,
                    aad: &aad,
                },
            )
            .is_err()
        );
    }
}
