//! The presentation: a credential plus a purpose, a time and a counter,
//! signed on the phone by the device key, offline. Its text form is the QR
//! code content: `EC1:` followed by base45.
//!
//! Tail after the credential (see `docs/credential-format.md`):
//!
//! | size | field |
//! | --- | --- |
//! | 1 | purpose (bits 0–3; 1–4 after a version-1 credential, 1–8 after a version-2 one), on-behalf marker = presenter's role (bits 4–5), reserved (bits 6–7, zero) |
//! | 4 | issued at (Unix seconds) |
//! | 3 | counter (per credential, strictly increasing on the device) |
//! | 64 | device signature over `"ecard-presentation-v1" ‖ all bytes before it` |

use crate::base45;
use crate::claims::{HolderRole, Purpose};
use crate::credential::Credential;
use crate::error::{FormatError, PresentError};
use crate::keys::{KeyStore, sign_fixed};
use crate::suite::SIGNATURE_LEN;
use crate::wire::{Reader, push_u24};

/// The prefix of every code's text: format version 1.
pub const CODE_PREFIX: &str = "EC1:";
/// Domain separation for device signatures over presentations: the signed
/// message is this context followed by the presentation without its signature.
pub const PRESENTATION_CONTEXT: &[u8] = b"ecard-presentation-v1";
/// The largest counter a presentation can carry.
pub const MAX_COUNTER: u32 = (1 << 24) - 1;
const RESERVED_BITS: u8 = 0b1100_0000;

/// What the holder asks for when making a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresentationRequest {
    /// The purpose of the code.
    pub purpose: Purpose,
    /// The time to put in the code, Unix seconds (the phone's best estimate
    /// of the true time).
    pub issued_at: u64,
    /// The next counter value for this credential.
    pub counter: u32,
}

/// A parsed presentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presentation {
    bytes: Vec<u8>,
    /// The credential inside.
    pub credential: Credential,
    /// The purpose the code was made for.
    pub purpose: Purpose,
    /// Who presents: the holder, or a proxy or guardian on the holder's behalf.
    pub on_behalf: HolderRole,
    /// When the code was made, Unix seconds.
    pub issued_at: u64,
    /// The device's counter for this credential.
    pub counter: u32,
}

impl Presentation {
    /// Parses the text content of a code.
    pub fn from_code(text: &str) -> Result<Presentation, FormatError> {
        let payload = text
            .strip_prefix(CODE_PREFIX)
            .ok_or(FormatError::BadPrefix)?;
        Presentation::parse(&base45::decode(payload)?)
    }

    /// Parses the binary form.
    pub fn parse(bytes: &[u8]) -> Result<Presentation, FormatError> {
        let mut reader = Reader::new(bytes);
        let credential = Credential::read(&mut reader)?;
        let marker = reader.u8()?;
        if marker & RESERVED_BITS != 0 {
            return Err(FormatError::UndefinedValue("reserved presentation bits"));
        }
        let purpose = Purpose::from_id(marker & 0x0F)?;
        // A version-1 credential's purposes end at id 4: a later purpose
        // after one is undefined, exactly as it was before version 2.
        if credential.version() == crate::credential::FORMAT_VERSION && !purpose.fits_version_1() {
            return Err(FormatError::UndefinedValue("purpose"));
        }
        let on_behalf = HolderRole::from_id((marker >> 4) & 0b11)?;
        let issued_at = u64::from(reader.u32()?);
        let counter = reader.u24()?;
        reader.take(SIGNATURE_LEN)?;
        reader.finish()?;
        Ok(Presentation {
            bytes: bytes.to_vec(),
            credential,
            purpose,
            on_behalf,
            issued_at,
            counter,
        })
    }

    /// The binary form.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The text content of the code.
    pub fn to_code(&self) -> String {
        encode_code(&self.bytes)
    }

    /// The message the device signs: context string and every byte before
    /// the signature.
    pub fn device_signed_message(&self) -> Vec<u8> {
        [
            PRESENTATION_CONTEXT,
            &self.bytes[..self.bytes.len() - SIGNATURE_LEN],
        ]
        .concat()
    }

    /// The device signature.
    pub fn device_signature(&self) -> &[u8] {
        &self.bytes[self.bytes.len() - SIGNATURE_LEN..]
    }
}

/// Turns presentation bytes into code text.
pub fn encode_code(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(CODE_PREFIX.len() + bytes.len().div_ceil(2) * 3);
    text.push_str(CODE_PREFIX);
    text.push_str(&base45::encode(bytes));
    text
}

/// Makes a code on the holder's device: checks the request against the
/// credential, signs with the key under `alias` and returns the code text.
///
/// Performs no I/O beyond the key store call; a hardware key store may block
/// on a user prompt, so call it off the UI thread.
pub fn present(
    credential: &Credential,
    request: &PresentationRequest,
    key_store: &dyn KeyStore,
    alias: &str,
) -> Result<Presentation, PresentError> {
    if !credential.grants(request.purpose) {
        return Err(PresentError::PurposeNotGranted);
    }
    if !credential.claims.is_valid_at(request.issued_at) {
        return Err(PresentError::CredentialNotValid);
    }
    let issued_at =
        u32::try_from(request.issued_at).map_err(|_| PresentError::CredentialNotValid)?;
    if request.counter > MAX_COUNTER {
        return Err(PresentError::CounterExhausted);
    }
    let device_key = key_store.public_key(alias)?;
    if device_key.suite() != credential.device_suite
        || device_key.to_wire() != credential.device_key_wire()
    {
        return Err(PresentError::KeyMismatch);
    }
    let mut bytes = Vec::with_capacity(credential.as_bytes().len() + 8 + SIGNATURE_LEN);
    bytes.extend_from_slice(credential.as_bytes());
    bytes.push(request.purpose.id() | (credential.claims.role.id() << 4));
    bytes.extend_from_slice(&issued_at.to_be_bytes());
    push_u24(&mut bytes, request.counter);
    let message = [PRESENTATION_CONTEXT, &bytes].concat();
    let signature = sign_fixed(key_store, alias, credential.device_suite, &message)?;
    bytes.extend_from_slice(&signature);
    Ok(Presentation::parse(&bytes)?)
}
