//! The one flat error both bindings hand to the apps.
//!
//! Why flat: a screen needs to know whether to offer "retry", highlight a
//! field, explain a rule, stop showing a code, or apologise — not which of
//! forty internal variants occurred. [`FlatError`] keeps the category the
//! UI acts on, the stable code for logic and analytics, the message already
//! in the person's language (the core writes every message, zh-CN and en),
//! the field at fault, and an English detail for logs. The bindings only
//! give it their language's shape (a Kotlin sealed exception, a JavaScript
//! `Error` with properties).

use ecard_credential::{Locale, PresentError};

use crate::error::{ClientError, ErrorCategory};

impl ErrorCategory {
    /// The category's stable name (`network`, `not_found`, `invalid_input`,
    /// `not_allowed`, `revoked`, `internal`), as JavaScript sees it.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCategory::Network => "network",
            ErrorCategory::NotFound => "not_found",
            ErrorCategory::InvalidInput => "invalid_input",
            ErrorCategory::NotAllowed => "not_allowed",
            ErrorCategory::Revoked => "revoked",
            ErrorCategory::Internal => "internal",
        }
    }

    /// The category of a stable name, if it is one.
    pub fn from_name(name: &str) -> Option<ErrorCategory> {
        [
            ErrorCategory::Network,
            ErrorCategory::NotFound,
            ErrorCategory::InvalidInput,
            ErrorCategory::NotAllowed,
            ErrorCategory::Revoked,
            ErrorCategory::Internal,
        ]
        .into_iter()
        .find(|category| category.name() == name)
    }
}

/// An error as the UI acts on it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code} ({}): {detail}", category.name())]
pub struct FlatError {
    /// What the UI can do about it.
    pub category: ErrorCategory,
    /// Stable code (`invalid_id_check_digit`, `card_suspended`, `offline`, …).
    pub code: String,
    /// What to tell the person, in the client's language.
    pub message: String,
    /// The input at fault (`id_number`, `delivery.outlet_id`, …), if named.
    pub field: Option<String>,
    /// The technical reason, in English, for logs only.
    pub detail: String,
}

impl FlatError {
    /// Flattens a core error, with its message in `locale`.
    pub fn from_client(error: &ClientError, locale: Locale) -> FlatError {
        // A key-store refusal met while making a code is a key-store
        // refusal: the person cancelling the fingerprint prompt is
        // `user_cancelled` wherever it happens.
        if let ClientError::Code(PresentError::KeyStore(inner)) = error {
            return FlatError::from_client(&ClientError::KeyStore(inner.clone()), locale);
        }
        FlatError {
            category: error.category(),
            code: error.code(),
            message: error.message(locale),
            field: error.field(),
            detail: error.to_string(),
        }
    }

    /// An argument the app passed that the binding cannot read (a wrong
    /// type, an unknown enum name): the caller's input error.
    pub fn invalid_argument(field: &str, reason: impl std::fmt::Display, locale: Locale) -> Self {
        let choice = ClientError::InvalidChoice {
            field: field.to_owned(),
            reason: reason.to_string(),
        };
        FlatError {
            category: ErrorCategory::InvalidInput,
            code: "invalid_argument".into(),
            message: choice.message(locale),
            field: Some(field.to_owned()),
            detail: format!("invalid {field}: {reason}"),
        }
    }

    /// A fault in a binding or in this library, with the core's generic
    /// message.
    pub fn internal(code: &str, detail: impl Into<String>, locale: Locale) -> Self {
        FlatError {
            category: ErrorCategory::Internal,
            code: code.to_owned(),
            message: ClientError::Internal(String::new()).message(locale),
            field: None,
            detail: detail.into(),
        }
    }

    /// A panic caught at the FFI edge (code `panic`).
    pub fn panic(locale: Locale) -> Self {
        FlatError::internal("panic", "a panic was caught at the FFI edge", locale)
    }

    /// The client was closed and used again (code `client_closed`).
    pub fn closed(locale: Locale) -> Self {
        FlatError::internal("client_closed", "the client was closed", locale)
    }
}

impl From<(ClientError, Locale)> for FlatError {
    fn from((error, locale): (ClientError, Locale)) -> FlatError {
        FlatError::from_client(&error, locale)
    }
}

#[cfg(test)]
mod tests {
    use ecard_credential::KeyStoreError;

    use super::*;

    #[test]
    fn categories_codes_fields_and_messages_survive_the_flattening() {
        let error = ClientError::InvalidChoice {
            field: "bank".into(),
            reason: "not here".into(),
        };
        let flat = FlatError::from_client(&error, Locale::ZhCn);
        assert_eq!(flat.code, "invalid_choice");
        assert_eq!(flat.category.name(), "invalid_input");
        assert_eq!(flat.field.as_deref(), Some("bank"));
        assert_eq!(flat.message, "请检查填写的内容。");
        let offline = FlatError::from_client(&ClientError::Offline("x".into()), Locale::En);
        assert_eq!(offline.category, ErrorCategory::Network);
        assert!(offline.message.starts_with("Cannot connect"));
        let cancelled = ClientError::Code(PresentError::KeyStore(KeyStoreError::UserCancelled));
        let flat = FlatError::from_client(&cancelled, Locale::ZhCn);
        assert_eq!(
            (flat.code.as_str(), flat.category),
            ("user_cancelled", ErrorCategory::NotAllowed)
        );
    }

    #[test]
    fn binding_faults_read_as_the_cores_messages() {
        let panic = FlatError::panic(Locale::En);
        assert_eq!(panic.category, ErrorCategory::Internal);
        assert!(panic.message.starts_with("Something went wrong"));
        let argument = FlatError::invalid_argument("purpose", "unknown", Locale::ZhCn);
        assert_eq!(argument.message, "请检查填写的内容。");
        assert_eq!(argument.field.as_deref(), Some("purpose"));
        assert_eq!(FlatError::closed(Locale::En).code, "client_closed");
    }
}
