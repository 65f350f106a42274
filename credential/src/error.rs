//! Typed errors of the format, with stable codes and plain-language messages.
//!
//! Every failure a verifier or holder can meet is its own variant: terminals
//! log the stable [`code`](VerifyError::code), people see the
//! [`message`](VerifyError::message) in their language. The codes are part of
//! the format (`docs/credential-format.md`) and of the test-vector corpus.

use serde::{Deserialize, Serialize};

/// A language for messages shown to people.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum Locale {
    /// Simplified Chinese (zh-CN), the default.
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Locale {
    /// Parses a BCP 47 tag loosely: anything starting with `en` is English,
    /// everything else falls back to Simplified Chinese.
    pub fn from_tag(tag: &str) -> Locale {
        if tag.to_ascii_lowercase().starts_with("en") {
            Locale::En
        } else {
            Locale::ZhCn
        }
    }

    /// Picks the text for this locale.
    pub const fn pick(self, zh_cn: &'static str, en: &'static str) -> &'static str {
        match self {
            Locale::ZhCn => zh_cn,
            Locale::En => en,
        }
    }
}

/// The bytes or text of a code, credential or status list are malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The text does not start with the code prefix (`EC1:`).
    #[error("the code does not start with the expected prefix")]
    BadPrefix,
    /// The text after the prefix is not valid base45.
    #[error("the code is not valid base45 text")]
    BadEncoding,
    /// The bytes end before the structure does.
    #[error("the data ends too early")]
    Truncated,
    /// Bytes follow the end of the structure.
    #[error("unexpected bytes after the end of the data")]
    TrailingBytes,
    /// The format version is not one this software reads.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u8),
    /// The suite id is not one this software implements.
    #[error("unknown cryptographic suite {0}")]
    UnknownSuite(u8),
    /// A field holds a value the format does not define.
    #[error("field {0} holds an undefined value")]
    UndefinedValue(&'static str),
    /// A public key is not a valid point or has the wrong length.
    #[error("malformed public key")]
    BadPublicKey,
    /// A signature has the wrong length or encoding.
    #[error("malformed signature")]
    BadSignatureEncoding,
}

impl FormatError {
    /// The stable code of this error.
    pub const fn code(&self) -> &'static str {
        match self {
            FormatError::BadPrefix => "bad_prefix",
            FormatError::BadEncoding => "bad_encoding",
            FormatError::Truncated => "truncated",
            FormatError::TrailingBytes => "trailing_bytes",
            FormatError::UnsupportedVersion(_) => "unsupported_version",
            FormatError::UnknownSuite(_) => "unknown_suite",
            FormatError::UndefinedValue(_) => "undefined_value",
            FormatError::BadPublicKey => "bad_public_key",
            FormatError::BadSignatureEncoding => "bad_signature_encoding",
        }
    }

    /// A plain-language message for the person at the terminal.
    pub const fn message(&self, locale: Locale) -> &'static str {
        match self {
            FormatError::UnsupportedVersion(_) | FormatError::UnknownSuite(_) => locale.pick(
                "此码的格式版本不受支持，请更新扫码设备或应用。",
                "This code uses a format this device does not support. Update the scanner or app.",
            ),
            _ => locale.pick(
                "无法识别此码，请刷新电子社保卡二维码后重新出示。",
                "This code could not be read. Refresh the e-card code and show it again.",
            ),
        }
    }
}

/// Why a verifier refused a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The code is malformed.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The credential names an issuer key the trust list does not hold.
    #[error("issuer key {0:08x} is not in the trust list")]
    UnknownKeyId(u32),
    /// The credential declares a different suite than the trust list holds for
    /// its key id (a downgrade attempt or a corrupt code).
    #[error("the credential's suite does not match the trusted key")]
    SuiteMismatch,
    /// The issuer key was not allowed to issue at the credential's start time.
    #[error("the issuer key was not valid when the credential was issued")]
    IssuerKeyNotValid,
    /// The issuer's signature over the credential does not verify.
    #[error("the issuer signature is invalid")]
    BadIssuerSignature,
    /// The device signature over the presentation does not verify.
    #[error("the device signature is invalid")]
    BadDeviceSignature,
    /// The credential's validity ended.
    #[error("the credential has expired")]
    CredentialExpired,
    /// The credential's validity has not started.
    #[error("the credential is not yet valid")]
    CredentialNotYetValid,
    /// The code is older than the code lifetime plus clock skew.
    #[error("the code has expired")]
    PresentationExpired,
    /// The code claims a time further ahead than the clock skew allows.
    #[error("the code is dated in the future")]
    PresentationFromFuture,
    /// The code was signed outside the credential's validity window.
    #[error("the code was made outside the credential's validity")]
    PresentationOutsideCredential,
    /// This terminal does not accept codes of this purpose.
    #[error("this terminal does not accept codes for this purpose")]
    WrongPurpose,
    /// The credential does not grant the purpose the code was made for.
    #[error("the credential does not grant this purpose")]
    PurposeNotGranted,
    /// A proxy or guardian presentation where the purpose policy refuses it.
    #[error("codes shown on behalf of someone else are refused for this purpose")]
    OnBehalfRefused,
    /// A campus code (campus entry, library) at a school's terminal that
    /// carries another school's affiliation, or none.
    #[error("the campus code belongs to another school")]
    WrongAffiliation,
    /// The presentation's on-behalf marker contradicts the credential's role.
    #[error("the on-behalf marker does not match the credential")]
    OnBehalfMismatch,
    /// The status list marks the credential revoked (a loss report).
    #[error("the card has been reported lost or revoked")]
    Revoked,
    /// The policy requires a current status list and none is installed.
    #[error("no current status list is available")]
    StatusUnavailable,
    /// The installed status list is older than the policy's maximum age.
    #[error("the status list is older than the terminal accepts")]
    StatusOutdated,
    /// The code was made before the terminal restarted without its last
    /// accepts; a fresh code passes.
    #[error("the code was made before the terminal restarted")]
    MadeBeforeRestart,
    /// The same (handle, counter) was already accepted.
    #[error("this code has already been used")]
    Replayed,
    /// The phone has shown many newer codes since this one.
    #[error("a newer code of this card has replaced this one")]
    Superseded,
    /// The terminal has no trust list (its state was missing or damaged)
    /// and refuses every code until it is provisioned again.
    #[error("the terminal is not provisioned")]
    NotProvisioned,
}

impl VerifyError {
    /// The stable code of this error.
    pub const fn code(&self) -> &'static str {
        match self {
            VerifyError::Format(format) => format.code(),
            VerifyError::UnknownKeyId(_) => "unknown_key_id",
            VerifyError::SuiteMismatch => "suite_mismatch",
            VerifyError::IssuerKeyNotValid => "issuer_key_not_valid",
            VerifyError::BadIssuerSignature => "bad_issuer_signature",
            VerifyError::BadDeviceSignature => "bad_device_signature",
            VerifyError::CredentialExpired => "credential_expired",
            VerifyError::CredentialNotYetValid => "credential_not_yet_valid",
            VerifyError::PresentationExpired => "presentation_expired",
            VerifyError::PresentationFromFuture => "presentation_from_future",
            VerifyError::PresentationOutsideCredential => "presentation_outside_credential",
            VerifyError::WrongPurpose => "wrong_purpose",
            VerifyError::PurposeNotGranted => "purpose_not_granted",
            VerifyError::OnBehalfRefused => "on_behalf_refused",
            VerifyError::OnBehalfMismatch => "on_behalf_mismatch",
            VerifyError::WrongAffiliation => "wrong_affiliation",
            VerifyError::Revoked => "revoked",
            VerifyError::StatusUnavailable => "status_unavailable",
            VerifyError::StatusOutdated => "status_outdated",
            VerifyError::MadeBeforeRestart => "made_before_restart",
            VerifyError::Replayed => "replayed",
            VerifyError::Superseded => "superseded",
            VerifyError::NotProvisioned => "not_provisioned",
        }
    }

    /// A plain-language message for the person at the terminal.
    pub const fn message(&self, locale: Locale) -> &'static str {
        match self {
            VerifyError::Format(format) => format.message(locale),
            VerifyError::UnknownKeyId(_)
            | VerifyError::SuiteMismatch
            | VerifyError::IssuerKeyNotValid
            | VerifyError::BadIssuerSignature
            | VerifyError::BadDeviceSignature
            | VerifyError::OnBehalfMismatch => locale.pick(
                "此码验证未通过，不是有效的电子社保卡码。",
                "This code failed verification: it is not a valid e-card code.",
            ),
            VerifyError::CredentialExpired | VerifyError::PresentationOutsideCredential => locale
                .pick(
                    "电子社保卡凭证已过期，请联网打开应用更新后再出示。",
                    "The e-card credential has expired. Go online, open the app to renew it, then show the code again.",
                ),
            VerifyError::CredentialNotYetValid | VerifyError::PresentationFromFuture => locale.pick(
                "此码的时间不正确，请检查手机时间后刷新二维码。",
                "This code's time is wrong. Check the phone's clock and refresh the code.",
            ),
            VerifyError::PresentationExpired => locale.pick(
                "此码已过期，请刷新二维码后重新出示。",
                "This code has expired. Refresh it and show it again.",
            ),
            VerifyError::WrongPurpose => locale.pick(
                "此码的用途与本场景不符，请在应用中切换到对应的码。",
                "This code is for a different use. Switch to the right code in the app.",
            ),
            VerifyError::PurposeNotGranted => locale.pick(
                "此电子社保卡未开通该用途。",
                "This e-card is not enabled for this use.",
            ),
            VerifyError::OnBehalfRefused => locale.pick(
                "此场景须由持卡人本人出示电子社保卡码，亲属代出示的码不能使用。",
                "Here the cardholder must show their own code; a code shown on their behalf cannot be used.",
            ),
            VerifyError::WrongAffiliation => locale.pick(
                "此校园码不属于本校，不能在此使用。",
                "This campus code is not for this school and cannot be used here.",
            ),
            VerifyError::Revoked => locale.pick(
                "此卡已挂失或停用，码不能使用。",
                "This card has been reported lost or suspended; the code cannot be used.",
            ),
            VerifyError::StatusUnavailable | VerifyError::StatusOutdated => locale.pick(
                "验码设备暂未取得最新的卡状态，请稍后重试或到人工窗口办理。",
                "The scanner has no current card-status list. Try again later or go to a staffed counter.",
            ),
            VerifyError::MadeBeforeRestart | VerifyError::Superseded => locale.pick(
                "请刷新二维码后重新出示。",
                "Refresh the code and show it again.",
            ),
            VerifyError::NotProvisioned => locale.pick(
                "验码设备尚未完成配置，暂不能验码，请到人工窗口办理。",
                "This scanner is not set up and cannot check codes. Please go to a staffed counter.",
            ),
            VerifyError::Replayed => locale.pick(
                "此码已被使用过，请刷新二维码后重新出示。",
                "This code has already been used. Refresh it and show it again.",
            ),
        }
    }
}

/// Why an issuer refused to issue a credential or sign a status list.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// A claim does not fit its field.
    #[error("claim {0} is out of range")]
    OutOfRange(&'static str),
    /// The credential would grant no purpose.
    #[error("a credential must grant at least one purpose")]
    NoPurpose,
    /// The credential would disclose more than one of its purposes needs
    /// (a region on a credential that grants transport, culture/tourism or
    /// a campus purpose; an affiliation on one that grants anything but
    /// campus purposes).
    #[error("the credential discloses more than its purposes need")]
    DisclosureTooBroad,
    /// A key could not be used.
    #[error("key error: {0}")]
    Key(&'static str),
}

/// Errors of a platform key store (the holder's device keys).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyStoreError {
    /// No key under that alias: a definite answer, not a guess. When the
    /// wrapping key of the database key is `NotFound`, the client counts the
    /// data sealed under it as lost and starts over, so a store must never
    /// report a locked, busy or failing store as `NotFound`.
    #[error("no key under alias {0}")]
    NotFound(String),
    /// The key store cannot make keys of this suite.
    #[error("the key store does not support this suite")]
    UnsupportedSuite,
    /// The person did not confirm (biometric or PIN prompt cancelled).
    #[error("the user cancelled the key operation")]
    UserCancelled,
    /// The key store is locked and will not use its keys until it is
    /// unlocked: the phone is locked (a background start before the first
    /// unlock, iOS `errSecInteractionNotAllowed`), or the store wants the
    /// person to authenticate first (Android `UserNotAuthenticatedException`).
    /// The keys are still there; the same call works once it is unlocked.
    #[error("the key store is locked")]
    Locked,
    /// The platform key store failed.
    #[error("key store failure: {0}")]
    Backend(String),
}

/// Why a holder could not make a code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PresentError {
    /// The stored credential is malformed.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The credential does not grant this purpose.
    #[error("the credential does not grant this purpose")]
    PurposeNotGranted,
    /// The credential is outside its validity at the given time.
    #[error("the credential is not valid now")]
    CredentialNotValid,
    /// The counter reached its maximum; a new credential is needed.
    #[error("the presentation counter is exhausted")]
    CounterExhausted,
    /// The key in the key store is not the one the credential binds.
    #[error("the device key does not match the credential")]
    KeyMismatch,
    /// The key store failed.
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
}
