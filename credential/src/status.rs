//! The status list: one bit per credential, set when the card is reported
//! lost or revoked. Terminals download it when they can and verify offline.
//!
//! Mostly zeros, it compresses well (raw DEFLATE). It is signed by an issuer
//! key under its own context string, so a status list can never pass for a
//! credential. The decoder treats every byte as hostile: the declared size
//! is bounded and decompression is limited to it.
//!
//! Layout: `"ECSL"`, version (1), suite, key id (4), list number (1),
//! sequence (4), issued at (4), valid until (4), bit count (4), compressed
//! length (4), compressed bits, signature (64) over
//! `"ecard-status-list-v1" ‖ all bytes before it`. Bit `i` is bit `i % 8`
//! (least significant first) of byte `i / 8`.

use crate::claims::StatusReference;
use crate::credential::FORMAT_VERSION;
use crate::error::{FormatError, IssueError};
use crate::keys::IssuerKey;
use crate::suite::{SIGNATURE_LEN, Suite};
use crate::wire::Reader;

const MAGIC: &[u8; 4] = b"ECSL";
pub(crate) const STATUS_LIST_CONTEXT: &[u8] = b"ecard-status-list-v1";
/// The most bits a list may hold (the status index is 24 bits).
pub const MAX_BITS: u32 = StatusReference::MAX_INDEX + 1;

/// A status list's bits and metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusList {
    /// The list number credentials refer to.
    pub list: u8,
    /// Increases with every edition; verifiers refuse to go back.
    pub sequence: u32,
    /// When this edition was made, Unix seconds.
    pub issued_at: u64,
    /// After this time verifiers treat the list as stale, Unix seconds.
    pub valid_until: u64,
    bit_count: u32,
    bits: Vec<u8>,
}

impl StatusList {
    /// A list of `bit_count` bits, none set.
    pub fn new(list: u8, bit_count: u32) -> Result<StatusList, IssueError> {
        if bit_count > MAX_BITS {
            return Err(IssueError::OutOfRange("bit_count"));
        }
        Ok(StatusList {
            list,
            sequence: 0,
            issued_at: 0,
            valid_until: 0,
            bit_count,
            bits: vec![0; bit_count.div_ceil(8) as usize],
        })
    }

    /// Number of bits in the list.
    pub fn bit_count(&self) -> u32 {
        self.bit_count
    }

    /// Sets or clears the revoked bit at `index`.
    pub fn set_revoked(&mut self, index: u32, revoked: bool) -> Result<(), IssueError> {
        if index >= self.bit_count {
            return Err(IssueError::OutOfRange("status index"));
        }
        let byte = &mut self.bits[(index / 8) as usize];
        let mask = 1 << (index % 8);
        if revoked {
            *byte |= mask
        } else {
            *byte &= !mask
        }
        Ok(())
    }

    /// Whether the bit at `index` is set; `None` when the list is too short.
    pub fn is_revoked(&self, index: u32) -> Option<bool> {
        (index < self.bit_count).then(|| self.bits[(index / 8) as usize] & (1 << (index % 8)) != 0)
    }

    /// Extends the list to `bit_count` bits, the new ones not revoked (a
    /// list grows as credentials are allocated; it never shrinks). The
    /// spare bits of the last byte are cleared first: a parsed list's
    /// padding is not signed for as bits, so it must not become some.
    pub(crate) fn grow(&mut self, bit_count: u32) -> Result<(), IssueError> {
        if bit_count < self.bit_count || bit_count > MAX_BITS {
            return Err(IssueError::OutOfRange("bit_count"));
        }
        if let Some(last_at) = self.bits.len().checked_sub(1) {
            self.bits[last_at] = self.revoked_byte(last_at);
        }
        self.bits.resize(bit_count.div_ceil(8) as usize, 0);
        self.bit_count = bit_count;
        Ok(())
    }

    /// Whether this edition revokes exactly the credentials `other` does.
    /// The sizes may differ: bits past the shorter list's end must be clear
    /// in the longer one. Padding past a list's end is ignored.
    pub fn same_revocations(&self, other: &StatusList) -> bool {
        let longest = self.bits.len().max(other.bits.len());
        (0..longest).all(|at| self.revoked_byte(at) == other.revoked_byte(at))
    }

    /// Byte `at` of the bit array with the padding past the list's end
    /// cleared; 0 past the array.
    fn revoked_byte(&self, at: usize) -> u8 {
        let Some(&byte) = self.bits.get(at) else {
            return 0;
        };
        let used = self.bit_count % 8;
        if used != 0 && at + 1 == self.bits.len() {
            byte & ((1u8 << used) - 1)
        } else {
            byte
        }
    }

    /// The bit array, bit `i` at bit `i % 8` of byte `i / 8`.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bits
    }

    /// Number of set bits.
    pub fn revoked_count(&self) -> u32 {
        self.bits.iter().map(|byte| byte.count_ones()).sum()
    }

    /// Signs this edition with `key`, returning the binary form.
    pub fn sign(&self, key: &IssuerKey) -> Result<Vec<u8>, IssueError> {
        let issued_at =
            u32::try_from(self.issued_at).map_err(|_| IssueError::OutOfRange("issued_at"))?;
        let valid_until =
            u32::try_from(self.valid_until).map_err(|_| IssueError::OutOfRange("valid_until"))?;
        let compressed = miniz_oxide::deflate::compress_to_vec(&self.bits, 9);
        let compressed_len =
            u32::try_from(compressed.len()).map_err(|_| IssueError::OutOfRange("bits"))?;
        let mut out = Vec::with_capacity(32 + compressed.len() + SIGNATURE_LEN);
        write_preamble(&mut out, MAGIC, key);
        out.push(self.list);
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&issued_at.to_be_bytes());
        out.extend_from_slice(&valid_until.to_be_bytes());
        out.extend_from_slice(&self.bit_count.to_be_bytes());
        out.extend_from_slice(&compressed_len.to_be_bytes());
        out.extend_from_slice(&compressed);
        let signature = key.sign_with_context(STATUS_LIST_CONTEXT, &out)?;
        out.extend_from_slice(&signature);
        Ok(out)
    }
}

/// Writes what every signed status edition (list or delta) starts with:
/// its magic, the format version, the signing key's suite and id.
pub(crate) fn write_preamble(out: &mut Vec<u8>, magic: &[u8; 4], key: &IssuerKey) {
    out.extend_from_slice(magic);
    out.push(FORMAT_VERSION);
    out.push(key.suite().id());
    out.extend_from_slice(&key.key_id().to_be_bytes());
}

/// Reads [`write_preamble`]'s fields: the signing key's suite and id.
pub(crate) fn read_preamble(
    reader: &mut Reader<'_>,
    magic: &[u8; 4],
) -> Result<(Suite, u32), FormatError> {
    if reader.take(4)? != magic {
        return Err(FormatError::BadPrefix);
    }
    let version = reader.u8()?;
    if version != FORMAT_VERSION {
        return Err(FormatError::UnsupportedVersion(version));
    }
    let suite = Suite::from_id(reader.u8()?)?;
    Ok((suite, reader.u32()?))
}

/// A decoded, not yet verified, signed status list.
#[derive(Clone, Debug)]
pub struct SignedStatusList {
    /// The list.
    pub list: StatusList,
    /// Suite of the signing key.
    pub suite: Suite,
    /// Id of the signing key.
    pub key_id: u32,
    signed_message: Vec<u8>,
    signature: [u8; SIGNATURE_LEN],
}

impl SignedStatusList {
    /// Decodes the binary form.
    pub fn parse(bytes: &[u8]) -> Result<SignedStatusList, FormatError> {
        let mut reader = Reader::new(bytes);
        let (suite, key_id) = read_preamble(&mut reader, MAGIC)?;
        let list = reader.u8()?;
        let sequence = reader.u32()?;
        let issued_at = u64::from(reader.u32()?);
        let valid_until = u64::from(reader.u32()?);
        let bit_count = reader.u32()?;
        if bit_count > MAX_BITS {
            return Err(FormatError::UndefinedValue("bit count"));
        }
        let compressed_len = reader.u32()? as usize;
        let compressed = reader.take(compressed_len)?;
        let signed_end = reader.position();
        let signature = reader.array::<SIGNATURE_LEN>()?;
        reader.finish()?;
        let expected_len = bit_count.div_ceil(8) as usize;
        let bits = miniz_oxide::inflate::decompress_to_vec_with_limit(compressed, expected_len)
            .map_err(|_| FormatError::BadEncoding)?;
        if bits.len() != expected_len {
            return Err(FormatError::BadEncoding);
        }
        let signed_message = [STATUS_LIST_CONTEXT, &bytes[..signed_end]].concat();
        Ok(SignedStatusList {
            list: StatusList {
                list,
                sequence,
                issued_at,
                valid_until,
                bit_count,
                bits,
            },
            suite,
            key_id,
            signed_message,
            signature,
        })
    }

    pub(crate) fn signed_message(&self) -> &[u8] {
        &self.signed_message
    }

    pub(crate) fn signature(&self) -> &[u8] {
        &self.signature
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn same_revocations_ignores_size_and_padding_but_not_bits() {
        let mut short = StatusList::new(0, 10).unwrap();
        short.set_revoked(3, true).unwrap();
        let mut long = StatusList::new(0, 4_096).unwrap();
        long.set_revoked(3, true).unwrap();
        assert!(short.same_revocations(&long) && long.same_revocations(&short));
        // Padding past the short list's end is not a revocation.
        short.bits[1] |= 0x80;
        assert!(short.same_revocations(&long));
        long.set_revoked(4_000, true).unwrap();
        assert!(!short.same_revocations(&long));
        long.set_revoked(4_000, false).unwrap();
        long.set_revoked(3, false).unwrap();
        assert!(!short.same_revocations(&long));
    }
    use super::*;
    use crate::keys::SoftwareKey;

    fn key() -> IssuerKey {
        IssuerKey::new(1, SoftwareKey::ed25519_from_seed(&[3; 32]).unwrap())
    }

    #[test]
    fn round_trips_and_compresses() {
        let mut list = StatusList::new(2, 1_000_000).unwrap();
        // About 1 % revoked, spread pseudo-randomly.
        let mut state = 0x9E37_79B9_u32;
        for _ in 0..10_000 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            list.set_revoked(state % 1_000_000, true).unwrap();
        }
        list.sequence = 3;
        list.valid_until = 10;
        let signed = list.sign(&key()).unwrap();
        assert!(signed.len() < 20_000, "{} bytes", signed.len());
        let parsed = SignedStatusList::parse(&signed).unwrap();
        assert_eq!(parsed.list, list);
        assert!(
            key()
                .public_key()
                .verify(parsed.signed_message(), parsed.signature())
        );

        let empty = StatusList::new(0, 1_000_000).unwrap().sign(&key()).unwrap();
        assert!(empty.len() < 1_200, "{} bytes", empty.len());
    }

    #[test]
    fn refuses_lies_about_size() {
        let list = StatusList::new(0, 800).unwrap();
        let mut signed = list.sign(&key()).unwrap();
        // Claim more bits than the compressed data holds.
        signed[23..27].copy_from_slice(&1_600u32.to_be_bytes());
        assert_eq!(
            SignedStatusList::parse(&signed).err(),
            Some(FormatError::BadEncoding)
        );
        // Claim more than the format allows.
        signed[23..27].copy_from_slice(&(MAX_BITS + 1).to_be_bytes());
        assert!(SignedStatusList::parse(&signed).is_err());
        assert_eq!(list.is_revoked(800), None);
    }
}
