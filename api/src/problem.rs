//! Errors on the wire: `application/problem+json` (RFC 9457) bodies with a
//! stable `code` that clients map to typed errors.

use serde::{Deserialize, Serialize};

/// Stable error codes of the platform API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// The body is not valid JSON or does not match the schema.
    MalformedRequest,
    /// A field holds an invalid value (`field` names it).
    InvalidField,
    /// The body is larger than the platform accepts.
    BodyTooLarge,
    /// The path exists but not with this method (the `Allow` header lists
    /// the methods that do).
    MethodNotAllowed,
    /// No valid device signature.
    Unauthenticated,
    /// The signed request's time is too far from the platform's clock.
    ClockSkew,
    /// The request nonce was already used.
    ReplayedRequest,
    /// The device is authenticated but may not do this.
    Forbidden,
    /// No such resource.
    NotFound,
    /// A mutating call lacks its `Idempotency-Key`.
    IdempotencyKeyMissing,
    /// The idempotency key was used before with a different request.
    IdempotencyKeyReused,
    /// The person is not in the population register, or the name does not match.
    IdentityNotVerified,
    /// The state of the resource does not allow this step.
    InvalidState,
    /// The regional rules do not allow this.
    NotAllowedByRules,
    /// A quota (such as relatives per account) is used up.
    QuotaExceeded,
    /// The card is lost, suspended or cancelled.
    CardNotActive,
    /// The card's validity (有效期) has ended: no code can be shown with it
    /// until a replacement card is issued.
    CardExpired,
    /// The caller holds no mandate covering this action for this person.
    NoMandate,
    /// The holder is a minor: a guardian does this for them, under a
    /// guardian mandate (or allows it, for the e-card on the minor's phone).
    GuardianRequired,
    /// The caller's authority to show this person's codes has ended: the
    /// mandate ended or the ward came of age (a credential never outlives it).
    AuthorityEnded,
    /// Too many attempts: locked for a while (`Retry-After` says how long).
    RateLimited,
    /// The one-time code is wrong or expired.
    OneTimeCodeWrong,
    /// The e-card PIN is wrong.
    PinWrong,
    /// The e-card PIN is locked after too many wrong tries (reset it by a face check).
    PinLocked,
    /// The new PIN is too easy to guess (123456, 111111, the birth date …).
    PinTooSimple,
    /// The act needs a fresh PIN grant for it.
    PinRequired,
    /// The new device waits for the one-time code or an enrolled device's approval.
    ApprovalPending,
    /// The login request ended: it expired, was already decided, or its
    /// code was already taken (scan the relying party's new QR code).
    LoginRequestEnded,
    /// The login asks for something the relying party is not registered
    /// for, or the mandate it would be approved under does not cover.
    ScopeNotAllowed,
    /// A scanned code does not verify: garbled, forged, expired, or not
    /// one of this platform's (the detail names the check that failed).
    CodeInvalid,
    /// A scanned code's credential is revoked (a loss report, an ended
    /// mandate, a deleted account).
    CodeRevoked,
    /// A scanned code was already resolved: each code is resolved once.
    CodeReplayed,
    /// The certificate file or code is not one this platform issued, or
    /// the file was changed (any byte).
    CertificateInvalid,
    /// The certificate was issued here but its validity has ended.
    CertificateExpired,
    /// The platform cannot issue certificates now (no CJK font installed).
    CertificatesUnavailable,
    /// The platform failed.
    Internal,
}

impl ProblemCode {
    /// The HTTP status that carries this code.
    pub const fn status(self) -> u16 {
        match self {
            ProblemCode::MalformedRequest | ProblemCode::IdempotencyKeyMissing => 400,
            ProblemCode::Unauthenticated
            | ProblemCode::ClockSkew
            | ProblemCode::ReplayedRequest => 401,
            ProblemCode::Forbidden
            | ProblemCode::NoMandate
            | ProblemCode::GuardianRequired
            | ProblemCode::AuthorityEnded
            | ProblemCode::PinRequired
            | ProblemCode::ScopeNotAllowed => 403,
            ProblemCode::NotFound => 404,
            ProblemCode::MethodNotAllowed => 405,
            ProblemCode::InvalidState
            | ProblemCode::NotAllowedByRules
            | ProblemCode::QuotaExceeded
            | ProblemCode::CardNotActive
            | ProblemCode::CardExpired
            | ProblemCode::ApprovalPending
            | ProblemCode::LoginRequestEnded
            | ProblemCode::CodeRevoked
            | ProblemCode::CodeReplayed
            | ProblemCode::CertificateExpired => 409,
            ProblemCode::BodyTooLarge => 413,
            ProblemCode::InvalidField
            | ProblemCode::IdempotencyKeyReused
            | ProblemCode::IdentityNotVerified
            | ProblemCode::OneTimeCodeWrong
            | ProblemCode::PinWrong
            | ProblemCode::PinTooSimple
            | ProblemCode::CodeInvalid
            | ProblemCode::CertificateInvalid => 422,
            ProblemCode::PinLocked => 423,
            ProblemCode::RateLimited => 429,
            ProblemCode::Internal => 500,
            ProblemCode::CertificatesUnavailable => 503,
        }
    }

    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// An error body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short English summary.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// The stable code.
    pub code: ProblemCode,
    /// What went wrong in this instance (never personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request field at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Problem {
    /// A problem of `code` with a detail.
    pub fn new(code: ProblemCode, detail: impl Into<String>) -> Problem {
        Problem {
            problem_type: format!("https://ecard.invalid/problems/{}", code.as_str()),
            title: code.as_str().replace('_', " "),
            status: code.status(),
            code,
            detail: Some(detail.into()),
            field: None,
        }
    }

    /// The same problem naming the field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Problem {
        self.field = Some(field.into());
        self
    }
}
