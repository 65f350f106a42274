//! The one error type the apps see: the core's rich errors flattened to the
//! six things a UI can do about them.
//!
//! Why flat: a screen needs to know whether to offer "retry", highlight a
//! field, explain a rule, stop showing a code, or apologise — not which of
//! forty internal variants occurred. The stable `code` keeps the detail for
//! analytics and support, and `user_message` is already in the client's
//! language (the core writes every message, zh-CN and en), so no app keeps
//! its own copy of the texts. Names avoid `message`: Kotlin exceptions
//! already have a `message` property. The flattening itself is the core's
//! ([`FlatError`], shared with the HarmonyOS binding); this is its shape.

use ecard_core::bridge::FlatError;
use ecard_core::{ClientError, ErrorCategory};

use ecard_credential::Locale;

/// An error of the client, as the UI acts on it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum EcardError {
    /// The platform could not be reached or answered badly: offer a retry
    /// (submissions are already queued and will be sent later).
    #[error("network: {code}")]
    Network {
        /// Stable code, e.g. `offline`, `timeout`, `busy`.
        code: String,
        /// What to tell the person, in the client's language.
        user_message: String,
    },
    /// What was asked for does not exist.
    #[error("not found: {code}")]
    NotFound {
        /// Stable code.
        code: String,
        /// What to tell the person, in the client's language.
        user_message: String,
    },
    /// An input is wrong: highlight `field_name` and show the message next
    /// to it.
    #[error("invalid input in {field_name}: {code}")]
    InvalidInput {
        /// Stable code, e.g. `bad_check_digit`, `identity_not_verified`.
        code: String,
        /// What to tell the person, in the client's language.
        user_message: String,
        /// The field at fault (`id_number`, `phone`, `delivery.outlet_id`,
        /// …), empty when the platform did not name one.
        field_name: String,
    },
    /// The rules or the current state do not allow it (e.g. release at a
    /// counter only, a minor applies through a guardian).
    #[error("not allowed: {code}")]
    NotAllowed {
        /// Stable code.
        code: String,
        /// What to tell the person, in the client's language.
        user_message: String,
    },
    /// The card or credential is lost, suspended, revoked or expired: stop
    /// showing codes for it.
    #[error("revoked: {code}")]
    Revoked {
        /// Stable code, e.g. `card_suspended`, `no_credential`.
        code: String,
        /// What to tell the person, in the client's language.
        user_message: String,
    },
    /// A fault in the app, the device or this library (a caught panic has
    /// code `panic`).
    #[error("internal: {code}")]
    Internal {
        /// Stable code.
        code: String,
        /// What to tell the person, in the client's language.
        user_message: String,
    },
}

impl From<FlatError> for EcardError {
    fn from(error: FlatError) -> EcardError {
        let FlatError {
            category,
            code,
            message: user_message,
            field,
            ..
        } = error;
        match category {
            ErrorCategory::Network => EcardError::Network { code, user_message },
            ErrorCategory::NotFound => EcardError::NotFound { code, user_message },
            ErrorCategory::InvalidInput => EcardError::InvalidInput {
                code,
                user_message,
                field_name: field.unwrap_or_default(),
            },
            ErrorCategory::NotAllowed => EcardError::NotAllowed { code, user_message },
            ErrorCategory::Revoked => EcardError::Revoked { code, user_message },
            ErrorCategory::Internal => EcardError::Internal { code, user_message },
        }
    }
}

impl EcardError {
    /// Flattens a core error, with its message in `language`.
    pub fn from_client(error: &ClientError, language: Locale) -> EcardError {
        FlatError::from_client(error, language).into()
    }

    /// An internal error with the core's generic message.
    pub(crate) fn internal(code: &str, language: Locale) -> EcardError {
        FlatError::internal(code, code, language).into()
    }

    /// A panic caught at the FFI edge.
    #[cfg(test)]
    pub(crate) fn panic(language: Locale) -> EcardError {
        FlatError::panic(language).into()
    }

    /// The stable code, whatever the category.
    pub fn code(&self) -> &str {
        match self {
            EcardError::Network { code, .. }
            | EcardError::NotFound { code, .. }
            | EcardError::InvalidInput { code, .. }
            | EcardError::NotAllowed { code, .. }
            | EcardError::Revoked { code, .. }
            | EcardError::Internal { code, .. } => code,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn categories_codes_fields_and_messages_survive_the_flattening() {
        let error = ClientError::InvalidChoice {
            field: "bank".into(),
            reason: "not here".into(),
        };
        let flat = EcardError::from_client(&error, Locale::ZhCn);
        assert_eq!(
            flat,
            EcardError::InvalidInput {
                code: "invalid_choice".into(),
                user_message: error.message(ecard_credential::Locale::ZhCn),
                field_name: "bank".into(),
            }
        );
        let flat = EcardError::from_client(&ClientError::CardSuspended, Locale::En);
        assert!(
            matches!(flat, EcardError::Revoked { ref user_message, .. } if user_message.contains("lost"))
        );
        let flat = EcardError::from_client(&ClientError::Timeout, Locale::En);
        assert!(matches!(flat, EcardError::Network { .. }));
        assert_eq!(flat.code(), "timeout");
        let flat = EcardError::from_client(&ClientError::NotEnrolled, Locale::ZhCn);
        assert!(matches!(flat, EcardError::NotAllowed { .. }));
        let flat = EcardError::from_client(&ClientError::NotFound("x".into()), Locale::ZhCn);
        assert!(matches!(flat, EcardError::NotFound { .. }));
        assert!(matches!(
            EcardError::panic(Locale::En),
            EcardError::Internal { .. }
        ));
    }
}
