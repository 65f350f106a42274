//! The core's presentation helpers ([`ecard_core::presentation`]) for
//! Kotlin and Swift: purpose and step labels, the way forward from an
//! error, and the code countdown, in the client's language. The HarmonyOS
//! binding exports the same functions, and the conformance scenarios check
//! both give the same words.

use ecard_core::presentation::{self, CodeCountdown, ErrorAction};
use ecard_core::{ErrorCategory, FlowStep};
use ecard_credential::Purpose;

use crate::error::EcardError;
use ecard_core::CodeView;
use ecard_credential::Locale;

/// What the UI can do about an error (the category of [`EcardError`]).
#[uniffi::remote(Enum)]
pub enum ErrorCategory {
    /// The platform could not be reached or answered badly: retry later.
    Network,
    /// The thing asked for does not exist.
    NotFound,
    /// An input is wrong: highlight the field.
    InvalidInput,
    /// The rules or the state do not allow it.
    NotAllowed,
    /// The card or credential is lost, revoked or expired.
    Revoked,
    /// A fault in the app or device.
    Internal,
}

/// What the person can do about an error.
#[uniffi::remote(Enum)]
pub enum ErrorAction {
    /// Try again (the network; submissions are queued meanwhile).
    Retry,
    /// Correct the field the error names.
    FixField,
    /// Go to a service outlet (a rule forbids it online, a card is lost).
    GoToCounter,
    /// Reopen the app (a fault).
    Reopen,
    /// Nothing to offer: the message says it all.
    None,
}

/// The countdown of the code screen (platform time, whatever the phone's
/// clock says).
#[uniffi::remote(Record)]
pub struct CodeCountdown {
    /// When the code was made (platform time, Unix seconds).
    pub issued_at: u64,
    /// When it expires (platform time, Unix seconds).
    pub expires_at: u64,
    /// Platform time minus the phone's time when the code arrived, seconds.
    pub offset_seconds: i64,
}

/// What a purpose's code is called (乘车码, "Transport", …).
#[uniffi::export]
pub fn purpose_label(purpose: Purpose, language: Locale) -> String {
    presentation::purpose_label(purpose, language).to_owned()
}

/// What the application screen says about where a flow stands.
#[uniffi::export]
pub fn step_label(step: FlowStep, language: Locale) -> String {
    presentation::step_label(&step, language)
}

/// Money in fen as yuan, e.g. 1000 → `¥10.00`.
#[uniffi::export]
pub fn format_fen(fen: u32) -> String {
    presentation::format_fen(fen)
}

/// The category of an error.
#[uniffi::export]
pub fn error_category(error: EcardError) -> ErrorCategory {
    match error {
        EcardError::Network { .. } => ErrorCategory::Network,
        EcardError::NotFound { .. } => ErrorCategory::NotFound,
        EcardError::InvalidInput { .. } => ErrorCategory::InvalidInput,
        EcardError::NotAllowed { .. } => ErrorCategory::NotAllowed,
        EcardError::Revoked { .. } => ErrorCategory::Revoked,
        EcardError::Internal { .. } => ErrorCategory::Internal,
    }
}

/// What to offer for an error of `category` with stable `code`.
#[uniffi::export]
pub fn error_action(category: ErrorCategory, code: String) -> ErrorAction {
    presentation::error_action(category, &code)
}

/// The button caption of an action, `""` for `None`.
#[uniffi::export]
pub fn error_action_label(action: ErrorAction, language: Locale) -> String {
    action.label(language).to_owned()
}

/// The countdown of `code`, which arrived when the phone's clock read
/// `local_now` (Unix seconds).
#[uniffi::export]
pub fn code_countdown(code: CodeView, local_now: u64) -> CodeCountdown {
    CodeCountdown::new(
        code.issued_at,
        code.expires_at,
        code.seconds_left,
        local_now,
    )
}

/// Whole seconds left at the phone's time `local_now`.
#[uniffi::export]
pub fn countdown_seconds_left(countdown: CodeCountdown, local_now: u64) -> u64 {
    countdown.seconds_left(local_now)
}

/// 1 when fresh, 0 when expired: for a progress ring.
#[uniffi::export]
pub fn countdown_fraction(countdown: CodeCountdown, local_now: u64) -> f64 {
    countdown.fraction(local_now)
}

/// Whether to fetch the next code now (a few seconds before it expires).
#[uniffi::export]
pub fn countdown_needs_refresh(countdown: CodeCountdown, local_now: u64) -> bool {
    countdown.needs_refresh(local_now)
}

/// Seconds as `m:ss` (`0:45`) for a countdown.
#[uniffi::export]
pub fn countdown_text(seconds: u64) -> String {
    presentation::countdown_text(seconds)
}
