//! Status list deltas: the bits that changed between two editions of a
//! status list, signed like a list.
//!
//! Why: a province of 50 million cards needs three full lists of about
//! 240 KB each (1 % revoked), too much for a gate on a metered link every
//! day. A day's changes are a few thousand bits; a delta carries only
//! those, and a terminal that holds the base edition applies it to get the
//! next one. A terminal without the base fetches the full list.
//!
//! A list grows as credentials are allocated (the platform covers the
//! allocated indexes in blocks), so a delta may make a longer list than its
//! base: the base is extended with not-revoked bits, then the changes are
//! applied, and the changes may fall in the new part. A list never shrinks:
//! a delta smaller than its base is refused. A delta whose sequence is its
//! base's carries no changes: it signs the same edition again with a later
//! validity, so a terminal whose list did not change stays current with a
//! few hundred bytes.
//!
//! Layout: `"ECSD"`, version (1), suite, key id (4), list number (1), base
//! sequence (4), sequence (4), issued at (4), valid until (4), bit count
//! (4), change count (4), compressed length (4), raw DEFLATE of the changes,
//! signature (64) over `"ecard-status-delta-v1" ‖ all bytes before it`.
//! The changes are in increasing index order, each a LEB128 varint of
//! `(gap << 1) | revoked`, where `gap` is the index minus the previous
//! change's index (the first: the index itself) and `revoked` the new bit.

use crate::error::{FormatError, IssueError};
use crate::keys::IssuerKey;
use crate::status::{MAX_BITS, StatusList, read_preamble, write_preamble};
use crate::suite::{SIGNATURE_LEN, Suite};
use crate::wire::Reader;

const MAGIC: &[u8; 4] = b"ECSD";
pub(crate) const STATUS_DELTA_CONTEXT: &[u8] = b"ecard-status-delta-v1";
/// The most changes one delta may carry (a fuller change is a new list).
pub const MAX_CHANGES: u32 = 1 << 20;

/// The changes from one edition of a status list to the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusDelta {
    /// The list number.
    pub list: u8,
    /// The edition the changes apply to.
    pub base_sequence: u32,
    /// The edition they make.
    pub sequence: u32,
    /// When the new edition was made, Unix seconds.
    pub issued_at: u64,
    /// After this time the new edition is stale, Unix seconds.
    pub valid_until: u64,
    bit_count: u32,
    /// `(index, revoked)` in increasing index order.
    changes: Vec<(u32, bool)>,
}

/// Why a delta does not apply to an edition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeltaApplyError {
    /// The edition is not the one the delta starts from (another list or
    /// another sequence): install the full list.
    #[error("the delta starts from another edition")]
    OtherBase,
    /// The delta's list is shorter than its base: lists only grow.
    #[error("the delta would shrink the list")]
    Shrinks,
}

impl StatusDelta {
    /// A delta from the edition `base_sequence` to the edition `sequence`
    /// of `list`, a list of `bit_count` bits, with `changes` as
    /// `(index, revoked)` in increasing index order, each inside the list.
    /// Issue and validity times start at zero; set them before signing.
    /// A delta to the same sequence carries no changes (a refresh).
    pub fn new(
        list: u8,
        base_sequence: u32,
        sequence: u32,
        bit_count: u32,
        changes: Vec<(u32, bool)>,
    ) -> Result<StatusDelta, IssueError> {
        if bit_count > MAX_BITS {
            return Err(IssueError::OutOfRange("bit_count"));
        }
        if sequence < base_sequence || (sequence == base_sequence && !changes.is_empty()) {
            return Err(IssueError::OutOfRange("sequence"));
        }
        if changes.len() > MAX_CHANGES as usize {
            return Err(IssueError::OutOfRange("changes"));
        }
        let increasing = changes.windows(2).all(|pair| pair[0].0 < pair[1].0);
        if !increasing || changes.last().is_some_and(|&(index, _)| index >= bit_count) {
            return Err(IssueError::OutOfRange("status index"));
        }
        Ok(StatusDelta {
            list,
            base_sequence,
            sequence,
            issued_at: 0,
            valid_until: 0,
            bit_count,
            changes,
        })
    }

    /// The changes that turn `base` into `next` (two editions of the same
    /// list, `next` at least as long and not older), with `next`'s
    /// sequence and times. Bits beyond `base` count as not revoked there.
    pub fn between(base: &StatusList, next: &StatusList) -> Result<StatusDelta, IssueError> {
        if base.list != next.list {
            return Err(IssueError::OutOfRange("a delta joins editions of one list"));
        }
        let mut extended = base.clone();
        extended.grow(next.bit_count())?;
        let mut changes = Vec::new();
        for (number, (old, new)) in extended.bytes().iter().zip(next.bytes()).enumerate() {
            let mut differing = old ^ new;
            while differing != 0 {
                let bit = differing.trailing_zeros();
                differing &= differing - 1;
                let index = number as u32 * 8 + bit;
                if index < next.bit_count() {
                    changes.push((index, new & (1 << bit) != 0));
                }
            }
        }
        let mut delta = StatusDelta::new(
            next.list,
            base.sequence,
            next.sequence,
            next.bit_count(),
            changes,
        )?;
        delta.issued_at = next.issued_at;
        delta.valid_until = next.valid_until;
        Ok(delta)
    }

    /// Number of changed bits.
    pub fn change_count(&self) -> usize {
        self.changes.len()
    }

    /// Number of bits of the list the delta makes.
    pub fn bit_count(&self) -> u32 {
        self.bit_count
    }

    /// Whether the delta only signs its base again with a later validity
    /// (same sequence, no changes).
    pub fn is_refresh(&self) -> bool {
        self.sequence == self.base_sequence
    }

    /// The next edition, from `base`: `base` extended to the delta's bit
    /// count, the changes applied, the delta's sequence and times.
    pub fn apply(&self, base: &StatusList) -> Result<StatusList, DeltaApplyError> {
        if base.list != self.list || base.sequence != self.base_sequence {
            return Err(DeltaApplyError::OtherBase);
        }
        if self.bit_count < base.bit_count() {
            return Err(DeltaApplyError::Shrinks);
        }
        let mut next = base.clone();
        next.grow(self.bit_count)
            .map_err(|_| DeltaApplyError::Shrinks)?;
        for &(index, revoked) in &self.changes {
            // Parsing and construction keep every index inside the list.
            next.set_revoked(index, revoked)
                .map_err(|_| DeltaApplyError::Shrinks)?;
        }
        next.sequence = self.sequence;
        next.issued_at = self.issued_at;
        next.valid_until = self.valid_until;
        Ok(next)
    }

    /// Signs the delta with `key`, returning the binary form.
    pub fn sign(&self, key: &IssuerKey) -> Result<Vec<u8>, IssueError> {
        let issued_at =
            u32::try_from(self.issued_at).map_err(|_| IssueError::OutOfRange("issued_at"))?;
        let valid_until =
            u32::try_from(self.valid_until).map_err(|_| IssueError::OutOfRange("valid_until"))?;
        let mut encoded = Vec::with_capacity(self.changes.len() * 3);
        let mut previous = 0;
        for &(index, revoked) in &self.changes {
            let gap = u64::from(index - previous);
            push_varint(&mut encoded, (gap << 1) | u64::from(revoked));
            previous = index;
        }
        let compressed = miniz_oxide::deflate::compress_to_vec(&encoded, 9);
        let compressed_len =
            u32::try_from(compressed.len()).map_err(|_| IssueError::OutOfRange("changes"))?;
        let count =
            u32::try_from(self.changes.len()).map_err(|_| IssueError::OutOfRange("changes"))?;
        let mut out = Vec::with_capacity(40 + compressed.len() + SIGNATURE_LEN);
        write_preamble(&mut out, MAGIC, key);
        out.push(self.list);
        out.extend_from_slice(&self.base_sequence.to_be_bytes());
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&issued_at.to_be_bytes());
        out.extend_from_slice(&valid_until.to_be_bytes());
        out.extend_from_slice(&self.bit_count.to_be_bytes());
        out.extend_from_slice(&count.to_be_bytes());
        out.extend_from_slice(&compressed_len.to_be_bytes());
        out.extend_from_slice(&compressed);
        let signature = key.sign_with_context(STATUS_DELTA_CONTEXT, &out)?;
        out.extend_from_slice(&signature);
        Ok(out)
    }
}

/// A decoded, not yet verified, signed status list delta.
#[derive(Clone, Debug)]
pub struct SignedStatusDelta {
    /// The changes.
    pub delta: StatusDelta,
    /// Suite of the signing key.
    pub suite: Suite,
    /// Id of the signing key.
    pub key_id: u32,
    signed_message: Vec<u8>,
    signature: [u8; SIGNATURE_LEN],
}

impl SignedStatusDelta {
    /// Decodes the binary form. Every byte is hostile: sizes are bounded,
    /// decompression is limited to what the declared changes can take, and
    /// indexes must increase and fall inside the list.
    pub fn parse(bytes: &[u8]) -> Result<SignedStatusDelta, FormatError> {
        let mut reader = Reader::new(bytes);
        let (suite, key_id) = read_preamble(&mut reader, MAGIC)?;
        let list = reader.u8()?;
        let base_sequence = reader.u32()?;
        let sequence = reader.u32()?;
        let issued_at = u64::from(reader.u32()?);
        let valid_until = u64::from(reader.u32()?);
        let bit_count = reader.u32()?;
        let count = reader.u32()?;
        if bit_count > MAX_BITS || count > MAX_CHANGES || count > bit_count {
            return Err(FormatError::UndefinedValue("delta size"));
        }
        // Editions only move forward; one that stays carries no changes.
        if sequence < base_sequence || (sequence == base_sequence && count > 0) {
            return Err(FormatError::UndefinedValue("delta sequence"));
        }
        let compressed_len = reader.u32()? as usize;
        let compressed = reader.take(compressed_len)?;
        let signed_end = reader.position();
        let signature = reader.array::<SIGNATURE_LEN>()?;
        reader.finish()?;
        // A varint of a gap below 2^25 (shifted once) takes at most 4 bytes.
        let limit = count as usize * 4;
        let encoded = miniz_oxide::inflate::decompress_to_vec_with_limit(compressed, limit)
            .map_err(|_| FormatError::BadEncoding)?;
        let mut changes = Vec::with_capacity(count as usize);
        let mut position = 0;
        let mut index: u64 = 0;
        for number in 0..count {
            let value = read_varint(&encoded, &mut position).ok_or(FormatError::BadEncoding)?;
            let gap = value >> 1;
            if number > 0 && gap == 0 {
                return Err(FormatError::BadEncoding);
            }
            index += gap;
            if index >= u64::from(bit_count) {
                return Err(FormatError::BadEncoding);
            }
            changes.push((index as u32, value & 1 == 1));
        }
        if position != encoded.len() {
            return Err(FormatError::BadEncoding);
        }
        let signed_message = [STATUS_DELTA_CONTEXT, &bytes[..signed_end]].concat();
        Ok(SignedStatusDelta {
            delta: StatusDelta {
                list,
                base_sequence,
                sequence,
                issued_at,
                valid_until,
                bit_count,
                changes,
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

fn push_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7F) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn read_varint(bytes: &[u8], position: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*position)?;
        *position += 1;
        value |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use crate::keys::SoftwareKey;
    use crate::status::SignedStatusList;

    fn key() -> IssuerKey {
        IssuerKey::new(1, SoftwareKey::ed25519_from_seed(&[3; 32]).unwrap())
    }

    fn random_list(bits: u32, revoked: u32, seed: u32) -> StatusList {
        let mut list = StatusList::new(1, bits).unwrap();
        let mut state = seed;
        for _ in 0..revoked {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            list.set_revoked(state % bits, true).unwrap();
        }
        list
    }

    #[test]
    fn a_day_of_changes_at_province_scale_is_small_and_applies_exactly() {
        // 2^24 credentials, 1 % revoked; a day revokes 5,000 more and
        // releases 1,000 temporary loss reports.
        let base = random_list(MAX_BITS, MAX_BITS / 100, 0x9E37_79B9);
        let mut next = base.clone();
        let mut state = 0x1234_5678_u32;
        for number in 0..6_000 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            next.set_revoked(state % MAX_BITS, number < 5_000).unwrap();
        }
        next.sequence = 2;
        next.issued_at = 100;
        next.valid_until = 200;
        let delta = StatusDelta::between(&base, &next).unwrap();
        let signed = delta.sign(&key()).unwrap();
        // 6,000 changes: about 2.7 bytes each after DEFLATE.
        assert!(signed.len() < 20_000, "{} bytes", signed.len());
        let full = next.sign(&key()).unwrap();
        assert!(full.len() > 200_000, "{} bytes", full.len());
        let parsed = SignedStatusDelta::parse(&signed).unwrap();
        assert_eq!(parsed.delta, delta);
        assert_eq!(parsed.delta.apply(&base), Ok(next.clone()));
        assert_eq!(
            SignedStatusList::parse(&full).unwrap().list,
            parsed.delta.apply(&base).unwrap()
        );
        // Not from another edition.
        let mut other = base.clone();
        other.sequence = 7;
        assert_eq!(parsed.delta.apply(&other), Err(DeltaApplyError::OtherBase));
    }

    #[test]
    fn lies_about_sizes_and_order_are_refused() {
        let base = random_list(1_000, 10, 7);
        let mut next = random_list(1_000, 12, 8);
        next.sequence = 1;
        let signed = StatusDelta::between(&base, &next)
            .unwrap()
            .sign(&key())
            .unwrap();
        // Change count (bytes 31..35) larger than what is encoded.
        let mut more = signed.clone();
        more[31..35].copy_from_slice(&500u32.to_be_bytes());
        assert!(SignedStatusDelta::parse(&more).is_err());
        // Bit count smaller than the indexes.
        let mut fewer_bits = signed.clone();
        fewer_bits[27..31].copy_from_slice(&10u32.to_be_bytes());
        assert!(SignedStatusDelta::parse(&fewer_bits).is_err());
        // Truncated and trailing bytes.
        assert!(SignedStatusDelta::parse(&signed[..signed.len() - 1]).is_err());
        let mut longer = signed.clone();
        longer.push(0);
        assert!(SignedStatusDelta::parse(&longer).is_err());
        assert!(SignedStatusDelta::parse(&signed).is_ok());
    }

    #[test]
    fn a_delta_grows_the_list_with_changes_beyond_the_base() {
        let mut base = random_list(8_192, 80, 11);
        base.sequence = 4;
        let mut next = base.clone();
        next.grow(16_384).unwrap();
        next.sequence = 9;
        next.issued_at = 50;
        next.valid_until = 90;
        next.set_revoked(12_000, true).unwrap();
        next.set_revoked(16_383, true).unwrap();
        let first_revoked = (0..8_192).find(|&i| base.is_revoked(i) == Some(true));
        next.set_revoked(first_revoked.unwrap(), false).unwrap();
        let delta = StatusDelta::between(&base, &next).unwrap();
        assert_eq!(delta.change_count(), 3);
        assert_eq!(delta.bit_count(), 16_384);
        let signed = delta.sign(&key()).unwrap();
        let parsed = SignedStatusDelta::parse(&signed).unwrap();
        assert_eq!(parsed.delta, delta);
        let applied = parsed.delta.apply(&base).unwrap();
        assert_eq!(applied, next);
        assert_eq!(applied.is_revoked(12_000), Some(true));
        assert_eq!(applied.is_revoked(16_000), Some(false));
    }

    #[test]
    fn a_delta_never_shrinks_its_base() {
        let mut base = random_list(16_384, 20, 12);
        base.sequence = 1;
        let mut smaller = random_list(8_192, 20, 13);
        smaller.sequence = 2;
        // Built from editions, or claimed by a signed delta, a shorter list
        // is refused.
        assert!(StatusDelta::between(&base, &smaller).is_err());
        let delta = StatusDelta::new(1, 1, 2, 8_192, vec![(5, true)]).unwrap();
        let parsed = SignedStatusDelta::parse(&delta.sign(&key()).unwrap()).unwrap();
        assert_eq!(parsed.delta.apply(&base), Err(DeltaApplyError::Shrinks));
    }

    #[test]
    fn growth_does_not_turn_a_parsed_lists_padding_into_revocations() {
        let mut base = StatusList::new(1, 10).unwrap();
        base.set_revoked(9, true).unwrap();
        let mut signed = base.sign(&key()).unwrap();
        // Bytes 27..31 hold the compressed length; replace the bits (two
        // bytes) with ones whose padding is set, keeping the length.
        let compressed_len = u32::from_be_bytes(signed[27..31].try_into().unwrap()) as usize;
        let padded = miniz_oxide::deflate::compress_to_vec(&[0x00, 0xFE], 9);
        signed.splice(31..31 + compressed_len, padded.iter().copied());
        signed[27..31].copy_from_slice(&(padded.len() as u32).to_be_bytes());
        let parsed = SignedStatusList::parse(&signed).unwrap().list;
        assert_eq!(parsed.is_revoked(9), Some(true));
        let mut grown = parsed.clone();
        grown.grow(16).unwrap();
        assert_eq!(grown.revoked_count(), 1);
        assert_eq!(grown.is_revoked(10), Some(false));
    }

    #[test]
    fn a_refresh_keeps_the_sequence_and_carries_no_changes() {
        let mut base = random_list(8_192, 20, 14);
        base.sequence = 3;
        base.issued_at = 10;
        base.valid_until = 20;
        let mut again = base.clone();
        again.issued_at = 15;
        again.valid_until = 40;
        let delta = StatusDelta::between(&base, &again).unwrap();
        assert!(delta.is_refresh());
        assert_eq!(delta.change_count(), 0);
        let signed = delta.sign(&key()).unwrap();
        assert!(signed.len() < 120, "{} bytes", signed.len());
        assert_eq!(
            SignedStatusDelta::parse(&signed)
                .unwrap()
                .delta
                .apply(&base),
            Ok(again)
        );
        // Changes under the same sequence, or a sequence going back, are
        // refused when built and when parsed.
        assert!(StatusDelta::new(1, 3, 3, 8_192, vec![(1, true)]).is_err());
        assert!(StatusDelta::new(1, 3, 2, 8_192, vec![]).is_err());
        let mut backwards = signed.clone();
        backwards[15..19].copy_from_slice(&2u32.to_be_bytes());
        assert_eq!(
            SignedStatusDelta::parse(&backwards).err(),
            Some(FormatError::UndefinedValue("delta sequence"))
        );
        // Out of order or outside the list: refused at construction.
        assert!(StatusDelta::new(1, 3, 4, 100, vec![(5, true), (5, false)]).is_err());
        assert!(StatusDelta::new(1, 3, 4, 100, vec![(100, true)]).is_err());
    }
}
