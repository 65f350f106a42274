//! The device credential: what the platform signs to bind a device key to a
//! pseudonymous, short-lived set of claims.
//!
//! Two format versions, both read everywhere (see
//! `docs/credential-format.md`). Version 1 has a 4-bit purpose field, which
//! purposes 1–4 fill; version 2 widens it to 16 bits and adds the school
//! affiliation of campus credentials, in 5 bytes more, so the largest code
//! still fits QR version 10 at level M. The issuer writes version 1
//! whenever the claims fit it, so terminals deployed before version 2 keep
//! verifying every code of the purposes they serve.
//!
//! Version 1 (big-endian):
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 1 | format version (1) |
//! | 1 | 1 | issuer suite (high 4 bits), device suite (low 4 bits) |
//! | 2 | 4 | issuer key id |
//! | 6 | 8 | handle |
//! | 14 | 4 | not before (Unix seconds) |
//! | 18 | 2 | lifetime in minutes (1..=65535) |
//! | 20 | 1 | status list number |
//! | 21 | 3 | status index |
//! | 24 | 1 | concession class |
//! | 25 | 1 | purposes (bits 0–3), holder role (bits 4–5), reserved (bits 6–7, zero) |
//! | 26 | 3 | region code, 0 when withheld |
//! | 29 | 32/33 | device public key (Ed25519 raw / P-256, SM2 compressed) |
//! | … | 64 | issuer signature over `"ecard-credential-v1" ‖ bytes 0..29+k` |
//!
//! Version 2 (the same up to offset 24):
//!
//! | offset | size | field |
//! | --- | --- | --- |
//! | 0 | 1 | format version (2) |
//! | 1 … 24 | | as version 1 |
//! | 25 | 2 | purposes, bit id − 1 (bits of undefined purposes zero) |
//! | 27 | 1 | holder role (bits 4–5), every other bit zero |
//! | 28 | 3 | region code, 0 when withheld |
//! | 31 | 3 | affiliation, 0 for none; nonzero only when every purpose is a campus purpose |
//! | 34 | 32/33 | device public key |
//! | … | 64 | issuer signature over `"ecard-credential-v2" ‖ bytes 0..34+k` |

use crate::claims::{
    Affiliation, ConcessionClass, Handle, HolderRole, Purpose, PurposeSet, RegionCode,
    StatusReference,
};
use crate::error::FormatError;
use crate::suite::{PublicKey, SIGNATURE_LEN, Suite};
use crate::wire::{Reader, push_u24};

/// The format version of credentials whose claims fit its 4-bit purpose
/// field and carry no affiliation.
pub const FORMAT_VERSION: u8 = 1;
/// The format version of credentials with purposes beyond id 4 or an
/// affiliation.
pub const FORMAT_VERSION_2: u8 = 2;
/// Domain separation for issuer signatures over version-1 credentials.
pub(crate) const CREDENTIAL_CONTEXT: &[u8] = b"ecard-credential-v1";
/// Domain separation for issuer signatures over version-2 credentials: a
/// version-1 body can never verify as a version-2 one, nor the reverse.
pub(crate) const CREDENTIAL_CONTEXT_V2: &[u8] = b"ecard-credential-v2";
/// Length of the fixed part before the device key, version 1.
pub(crate) const CREDENTIAL_HEADER_LEN: usize = 29;
/// Length of the fixed part before the device key, version 2.
pub(crate) const CREDENTIAL_HEADER_LEN_V2: usize = 34;
/// Version 1's flags byte: purposes in bits 0–3, role in 4–5.
const RESERVED_FLAG_BITS: u8 = 0b1100_0000;
/// Version 2's role byte: role in bits 4–5, nothing else.
const RESERVED_ROLE_BITS_V2: u8 = 0b1100_1111;

/// The signature context of a credential of format `version`.
pub(crate) const fn credential_context(version: u8) -> &'static [u8] {
    if version == FORMAT_VERSION {
        CREDENTIAL_CONTEXT
    } else {
        CREDENTIAL_CONTEXT_V2
    }
}

/// The length of the fixed part before the device key, by format version.
const fn header_len(version: u8) -> usize {
    if version == FORMAT_VERSION {
        CREDENTIAL_HEADER_LEN
    } else {
        CREDENTIAL_HEADER_LEN_V2
    }
}

/// What the issuer asserts about the holder of a device key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialClaims {
    /// Random pseudonymous handle, new with every credential.
    pub handle: Handle,
    /// Start of validity, Unix seconds (must fit 32 bits).
    pub not_before: u64,
    /// Length of validity in minutes (the platform issues 24–72 hours).
    pub lifetime_minutes: u16,
    /// Where the revocation bit of this credential lives.
    pub status: StatusReference,
    /// Fare and admission class.
    pub concession: ConcessionClass,
    /// Purposes the credential may be presented for.
    pub purposes: PurposeSet,
    /// Whether the device belongs to the holder, a proxy or a guardian.
    pub role: HolderRole,
    /// Insured region, only on medical, identity and examination credentials.
    pub region: Option<RegionCode>,
    /// The school the holder is enrolled at, only on campus credentials
    /// (every purpose a campus purpose; format version 2).
    pub affiliation: Option<Affiliation>,
}

impl CredentialClaims {
    /// End of validity, Unix seconds (exclusive).
    pub fn not_after(&self) -> u64 {
        self.not_before + u64::from(self.lifetime_minutes) * 60
    }

    /// Whether `time` lies in `[not_before, not_after)`.
    pub fn is_valid_at(&self, time: u64) -> bool {
        (self.not_before..self.not_after()).contains(&time)
    }

    /// The format version the issuer writes for these claims: 1 when every
    /// purpose fits version 1 and there is no affiliation, else 2.
    pub fn format_version(&self) -> u8 {
        if self.purposes.fits_version_1() && self.affiliation.is_none() {
            FORMAT_VERSION
        } else {
            FORMAT_VERSION_2
        }
    }
}

/// A parsed credential. Parsing checks structure only; signatures and
/// validity are the verifier's job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    bytes: Vec<u8>,
    version: u8,
    /// The issuer's signature suite.
    pub issuer_suite: Suite,
    /// The issuer key that signed this credential.
    pub issuer_key_id: u32,
    /// The device key's suite.
    pub device_suite: Suite,
    /// The claims.
    pub claims: CredentialClaims,
}

impl Credential {
    /// Parses a credential that fills `bytes` exactly.
    pub fn parse(bytes: &[u8]) -> Result<Credential, FormatError> {
        let mut reader = Reader::new(bytes);
        let credential = Credential::read(&mut reader)?;
        reader.finish()?;
        Ok(credential)
    }

    /// Parses a credential at the reader's position.
    pub(crate) fn read(reader: &mut Reader<'_>) -> Result<Credential, FormatError> {
        let start = reader.position();
        let version = reader.u8()?;
        if version != FORMAT_VERSION && version != FORMAT_VERSION_2 {
            return Err(FormatError::UnsupportedVersion(version));
        }
        let suites = reader.u8()?;
        let issuer_suite = Suite::from_id(suites >> 4)?;
        let device_suite = Suite::from_id(suites & 0x0F)?;
        let issuer_key_id = reader.u32()?;
        let handle = Handle(reader.array()?);
        let not_before = u64::from(reader.u32()?);
        let lifetime_minutes = reader.u16()?;
        if lifetime_minutes == 0 {
            return Err(FormatError::UndefinedValue("lifetime"));
        }
        let status = StatusReference {
            list: reader.u8()?,
            index: reader.u24()?,
        };
        let concession = ConcessionClass::from_id(reader.u8()?)?;
        let (purposes, role_bits) = if version == FORMAT_VERSION {
            let flags = reader.u8()?;
            if flags & RESERVED_FLAG_BITS != 0 {
                return Err(FormatError::UndefinedValue("reserved flags"));
            }
            (PurposeSet::from_bits(u16::from(flags & 0x0F))?, flags)
        } else {
            let purposes = PurposeSet::from_bits(reader.u16()?)?;
            let flags = reader.u8()?;
            if flags & RESERVED_ROLE_BITS_V2 != 0 {
                return Err(FormatError::UndefinedValue("reserved flags"));
            }
            (purposes, flags)
        };
        if purposes.is_empty() {
            return Err(FormatError::UndefinedValue("purposes"));
        }
        let role = HolderRole::from_id((role_bits >> 4) & 0b11)?;
        let region = match reader.u24()? {
            0 => None,
            code => Some(RegionCode::new(code).ok_or(FormatError::UndefinedValue("region"))?),
        };
        let affiliation = if version == FORMAT_VERSION {
            None
        } else {
            // Version 2 is new, so it is held to the issuer's disclosure
            // rules at parsing: a region only where every purpose may
            // disclose it, an affiliation only on a campus credential.
            if region.is_some() && !purposes.iter().all(Purpose::may_disclose_region) {
                return Err(FormatError::UndefinedValue("region"));
            }
            match reader.u24()? {
                0 => None,
                number if purposes.is_campus_only() => Some(
                    Affiliation::new(number).ok_or(FormatError::UndefinedValue("affiliation"))?,
                ),
                _ => return Err(FormatError::UndefinedValue("affiliation")),
            }
        };
        reader.take(device_suite.wire_key_len())?;
        reader.take(SIGNATURE_LEN)?;
        let bytes = reader.consumed_since(start).to_vec();
        Ok(Credential {
            bytes,
            version,
            issuer_suite,
            issuer_key_id,
            device_suite,
            claims: CredentialClaims {
                handle,
                not_before,
                lifetime_minutes,
                status,
                concession,
                purposes,
                role,
                region,
                affiliation,
            },
        })
    }

    /// The whole encoding, signature included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The format version (1 or 2).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The device public key in its compact wire form.
    pub fn device_key_wire(&self) -> &[u8] {
        let start = header_len(self.version);
        let end = start + self.device_suite.wire_key_len();
        &self.bytes[start..end]
    }

    /// Decodes the device public key (decompresses P-256 points).
    pub fn device_key(&self) -> Result<PublicKey, FormatError> {
        PublicKey::from_wire(self.device_suite, self.device_key_wire())
    }

    /// The bytes the issuer signature covers (without the context string).
    pub fn signed_part(&self) -> &[u8] {
        &self.bytes[..self.bytes.len() - SIGNATURE_LEN]
    }

    /// The issuer signature.
    pub fn issuer_signature(&self) -> &[u8] {
        &self.bytes[self.bytes.len() - SIGNATURE_LEN..]
    }

    /// The message the issuer signs: the context string of the credential's
    /// version and the signed part.
    pub fn issuer_signed_message(&self) -> Vec<u8> {
        [credential_context(self.version), self.signed_part()].concat()
    }

    /// Whether the credential grants `purpose`.
    pub fn grants(&self, purpose: Purpose) -> bool {
        self.claims.purposes.contains(purpose)
    }
}

/// Encodes the signed part of a credential (everything but the signature),
/// in the format version the claims need ([`CredentialClaims::format_version`]).
pub(crate) fn encode_signed_part(
    issuer_suite: Suite,
    issuer_key_id: u32,
    claims: &CredentialClaims,
    device_key: &PublicKey,
) -> Vec<u8> {
    let version = claims.format_version();
    let wire_key = device_key.to_wire();
    let mut out = Vec::with_capacity(header_len(version) + wire_key.len() + SIGNATURE_LEN);
    out.push(version);
    out.push((issuer_suite.id() << 4) | device_key.suite().id());
    out.extend_from_slice(&issuer_key_id.to_be_bytes());
    out.extend_from_slice(&claims.handle.0);
    out.extend_from_slice(&(claims.not_before as u32).to_be_bytes());
    out.extend_from_slice(&claims.lifetime_minutes.to_be_bytes());
    out.push(claims.status.list);
    push_u24(&mut out, claims.status.index);
    out.push(claims.concession.id());
    if version == FORMAT_VERSION {
        // Fits: format_version chose 1 only for purposes 1–4.
        out.push((claims.purposes.bits() & 0x0F) as u8 | (claims.role.id() << 4));
        push_u24(&mut out, claims.region.map_or(0, RegionCode::get));
    } else {
        out.extend_from_slice(&claims.purposes.bits().to_be_bytes());
        out.push(claims.role.id() << 4);
        push_u24(&mut out, claims.region.map_or(0, RegionCode::get));
        push_u24(&mut out, claims.affiliation.map_or(0, Affiliation::get));
    }
    out.extend_from_slice(&wire_key);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use crate::keys::{CAMPUS_GROUP, EXAMS_GROUP, IssuerKey, SoftwareKey};

    fn issued(purposes: PurposeSet, affiliation: Option<u32>) -> Credential {
        let issuer = IssuerKey::new(7, SoftwareKey::ed25519_from_seed(&[7; 32]).unwrap());
        let device = SoftwareKey::ed25519_from_seed(&[1; 32]).unwrap();
        let claims = CredentialClaims {
            handle: Handle([9; 8]),
            not_before: 1_767_254_400,
            lifetime_minutes: 60,
            status: StatusReference { list: 1, index: 2 },
            concession: ConcessionClass::Student,
            purposes,
            role: HolderRole::Guardian,
            region: None,
            affiliation: affiliation.and_then(Affiliation::new),
        };
        issuer.issue(&claims, device.public_key()).unwrap()
    }

    fn parse_changed(credential: &Credential, change: impl FnOnce(&mut Vec<u8>)) -> FormatError {
        let mut bytes = credential.as_bytes().to_vec();
        change(&mut bytes);
        Credential::parse(&bytes).unwrap_err()
    }

    #[test]
    fn version_2_reads_its_fields_at_their_offsets() {
        let credential = issued(CAMPUS_GROUP, Some(0x00AB_CDEF));
        let bytes = credential.as_bytes();
        assert_eq!(bytes[0], 2);
        assert_eq!(&bytes[25..27], &CAMPUS_GROUP.bits().to_be_bytes());
        assert_eq!(bytes[27], HolderRole::Guardian.id() << 4);
        assert_eq!(&bytes[28..31], &[0, 0, 0]);
        assert_eq!(&bytes[31..34], &[0xAB, 0xCD, 0xEF]);
        assert_eq!(credential.device_key_wire(), &bytes[34..66]);
        assert_eq!(bytes.len(), CREDENTIAL_HEADER_LEN_V2 + 32 + SIGNATURE_LEN);
        assert!(
            credential
                .issuer_signed_message()
                .starts_with(b"ecard-credential-v2")
        );
        let version_1 = issued(PurposeSet::of(&[Purpose::Transport]), None);
        assert_eq!(version_1.version(), 1);
        assert!(
            version_1
                .issuer_signed_message()
                .starts_with(b"ecard-credential-v1")
        );
    }

    #[test]
    fn version_2_refuses_undefined_and_forbidden_values() {
        let campus = issued(CAMPUS_GROUP, Some(4_207));
        let exams = issued(EXAMS_GROUP, None);
        // Bits of undefined purposes (9–16), and no purpose at all.
        for bit in 8..16 {
            assert_eq!(
                parse_changed(&exams, |bytes| bytes[25] |= 1 << (bit - 8)),
                FormatError::UndefinedValue("purposes"),
                "bit {bit}"
            );
        }
        assert_eq!(
            parse_changed(&exams, |bytes| bytes[25..27].fill(0)),
            FormatError::UndefinedValue("purposes")
        );
        // The role byte holds nothing but the role.
        for bit in [0, 1, 2, 3, 6, 7] {
            assert_eq!(
                parse_changed(&exams, |bytes| bytes[27] |= 1 << bit),
                FormatError::UndefinedValue("reserved flags"),
                "bit {bit}"
            );
        }
        assert_eq!(
            parse_changed(&exams, |bytes| bytes[27] = 3 << 4),
            FormatError::UndefinedValue("role")
        );
        // An affiliation only on campus-only credentials.
        assert_eq!(
            parse_changed(&exams, |bytes| bytes[33] = 1),
            FormatError::UndefinedValue("affiliation")
        );
        assert_eq!(
            parse_changed(&campus, |bytes| bytes[26] |= Purpose::Transport.bit() as u8),
            FormatError::UndefinedValue("affiliation")
        );
        // No region on a campus credential.
        assert_eq!(
            parse_changed(&campus, |bytes| bytes[28..31]
                .copy_from_slice(&360_100u32.to_be_bytes()[1..])),
            FormatError::UndefinedValue("region")
        );
        // Cut short or extended.
        assert_eq!(
            parse_changed(&campus, |bytes| {
                bytes.pop();
            }),
            FormatError::Truncated
        );
        assert_eq!(
            parse_changed(&campus, |bytes| bytes.push(0)),
            FormatError::TrailingBytes
        );
        assert_eq!(
            parse_changed(&campus, |bytes| bytes[0] = 3),
            FormatError::UnsupportedVersion(3)
        );
    }

    #[test]
    fn a_version_1_body_does_not_read_as_version_2() {
        // The version byte changed: the purpose field then takes in the
        // region's first byte, and transport (bit 0) moves to bit 8.
        let transport = issued(PurposeSet::of(&[Purpose::Transport]), None);
        assert_eq!(
            parse_changed(&transport, |bytes| bytes[0] = 2),
            FormatError::UndefinedValue("purposes")
        );
        // Version 1's purpose field holds four bits; the fifth is reserved.
        assert_eq!(
            parse_changed(&transport, |bytes| bytes[25] |= 1 << 6),
            FormatError::UndefinedValue("reserved flags")
        );
    }
}
