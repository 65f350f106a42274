//! The device credential: what the platform signs to bind a device key to a
//! pseudonymous, short-lived set of claims.
//!
//! Byte layout (big-endian; see `docs/credential-format.md`):
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
//! | 29 | 32/33 | device public key (Ed25519 raw / P-256 compressed) |
//! | … | 64 | issuer signature over `"ecard-credential-v1" ‖ bytes 0..29+k` |

use crate::claims::{
    ConcessionClass, Handle, HolderRole, Purpose, PurposeSet, RegionCode, StatusReference,
};
use crate::error::FormatError;
use crate::suite::{PublicKey, SIGNATURE_LEN, Suite};
use crate::wire::{Reader, push_u24};

/// The format version this software writes and reads.
pub const FORMAT_VERSION: u8 = 1;
/// Domain separation for issuer signatures over credentials.
pub(crate) const CREDENTIAL_CONTEXT: &[u8] = b"ecard-credential-v1";
/// Length of the fixed part before the device key.
pub(crate) const CREDENTIAL_HEADER_LEN: usize = 29;
const RESERVED_FLAG_BITS: u8 = 0b1100_0000;

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
    /// Insured region, only on medical and identity credentials.
    pub region: Option<RegionCode>,
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
}

/// A parsed credential. Parsing checks structure only; signatures and
/// validity are the verifier's job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    bytes: Vec<u8>,
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
        if version != FORMAT_VERSION {
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
        let flags = reader.u8()?;
        if flags & RESERVED_FLAG_BITS != 0 {
            return Err(FormatError::UndefinedValue("reserved flags"));
        }
        let purposes = PurposeSet::from_bits(flags & 0x0F)?;
        if purposes.is_empty() {
            return Err(FormatError::UndefinedValue("purposes"));
        }
        let role = HolderRole::from_id((flags >> 4) & 0b11)?;
        let region = match reader.u24()? {
            0 => None,
            code => Some(RegionCode::new(code).ok_or(FormatError::UndefinedValue("region"))?),
        };
        reader.take(device_suite.wire_key_len())?;
        reader.take(SIGNATURE_LEN)?;
        let bytes = reader.consumed_since(start).to_vec();
        Ok(Credential {
            bytes,
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
            },
        })
    }

    /// The whole encoding, signature included.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The device public key in its compact wire form.
    pub fn device_key_wire(&self) -> &[u8] {
        let end = CREDENTIAL_HEADER_LEN + self.device_suite.wire_key_len();
        &self.bytes[CREDENTIAL_HEADER_LEN..end]
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

    /// The message the issuer signs: context string and signed part.
    pub fn issuer_signed_message(&self) -> Vec<u8> {
        [CREDENTIAL_CONTEXT, self.signed_part()].concat()
    }

    /// Whether the credential grants `purpose`.
    pub fn grants(&self, purpose: Purpose) -> bool {
        self.claims.purposes.contains(purpose)
    }
}

/// Encodes the signed part of a credential (everything but the signature).
pub(crate) fn encode_signed_part(
    issuer_suite: Suite,
    issuer_key_id: u32,
    claims: &CredentialClaims,
    device_key: &PublicKey,
) -> Vec<u8> {
    let wire_key = device_key.to_wire();
    let mut out = Vec::with_capacity(CREDENTIAL_HEADER_LEN + wire_key.len() + SIGNATURE_LEN);
    out.push(FORMAT_VERSION);
    out.push((issuer_suite.id() << 4) | device_key.suite().id());
    out.extend_from_slice(&issuer_key_id.to_be_bytes());
    out.extend_from_slice(&claims.handle.0);
    out.extend_from_slice(&(claims.not_before as u32).to_be_bytes());
    out.extend_from_slice(&claims.lifetime_minutes.to_be_bytes());
    out.push(claims.status.list);
    push_u24(&mut out, claims.status.index);
    out.push(claims.concession.id());
    out.push(claims.purposes.bits() | (claims.role.id() << 4));
    push_u24(&mut out, claims.region.map_or(0, RegionCode::get));
    out.extend_from_slice(&wire_key);
    out
}
