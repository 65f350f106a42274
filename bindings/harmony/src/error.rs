//! Errors as JavaScript sees them.
//!
//! Every failure of the core reaches JavaScript as a real `Error` object
//! (so stack traces, `instanceof Error` and ArkTS `BusinessError` handling
//! keep working) with the same fields as the UniFFI binding's exception:
//!
//! - `code`: the core's stable code (`invalid_id_check_digit`,
//!   `card_suspended`, `offline`, …), for logic and logs;
//! - `category`: one of `network`, `not_found`, `invalid_input`,
//!   `not_allowed`, `revoked`, `internal`, for what the UI does about it;
//! - `message`: a plain-language sentence in the client's locale, to show;
//! - `field`: the input at fault (`id_number`, `delivery.outlet_id`, …) or
//!   `null`;
//! - `detail`: the English technical reason, for logs only.
//!
//! Why a wrapper type ([`Fallible`]) instead of `napi::Result`: a napi error
//! carries only a status and a reason. The JavaScript object with the extra
//! fields has to be made on the JavaScript thread, which is exactly where
//! napi converts a return value; [`Fallible`] builds the object there and
//! hands it back to napi as the thrown (or rejected) value.

use ecard_core::{ClientError, ErrorCategory};
use ecard_credential::{Locale, PresentError};
use napi::bindgen_prelude::{JsValue, ToNapiValue};
use napi::{Env, Status, sys};

/// An error ready to become a JavaScript `EcardError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindingError {
    /// Stable code.
    pub code: String,
    /// UI category name.
    pub category: &'static str,
    /// Localized message.
    pub message: String,
    /// The input at fault.
    pub field: Option<String>,
    /// Technical detail (English, for logs).
    pub detail: String,
}

/// The name of a category as JavaScript sees it.
pub fn category_name(category: ErrorCategory) -> &'static str {
    match category {
        ErrorCategory::Network => "network",
        ErrorCategory::NotFound => "not_found",
        ErrorCategory::InvalidInput => "invalid_input",
        ErrorCategory::NotAllowed => "not_allowed",
        ErrorCategory::Revoked => "revoked",
        ErrorCategory::Internal => "internal",
    }
}

impl BindingError {
    /// The JavaScript form of a core error, with its message in `locale`.
    pub fn from_client(error: &ClientError, locale: Locale) -> BindingError {
        // The core reports a key-store failure met while making a code as a
        // code failure (`code_failed`, internal); the person cancelling the
        // fingerprint prompt is `user_cancelled` wherever it happens.
        if let ClientError::Code(PresentError::KeyStore(inner)) = error {
            return BindingError::from_client(&ClientError::KeyStore(inner.clone()), locale);
        }
        BindingError {
            code: error.code(),
            category: category_name(error.category()),
            message: error.message(locale),
            field: error.field(),
            detail: error.to_string(),
        }
    }

    /// An argument JavaScript passed that the binding cannot read (a wrong
    /// type, an unknown enum string): the caller's input error.
    pub fn invalid_argument(field: &str, reason: impl std::fmt::Display, locale: Locale) -> Self {
        BindingError {
            code: "invalid_argument".into(),
            category: "invalid_input",
            message: locale
                .pick("请检查填写的内容。", "Please check what you entered.")
                .into(),
            field: Some(field.into()),
            detail: format!("invalid {field}: {reason}"),
        }
    }

    /// A fault in the binding itself.
    pub fn internal(code: &str, detail: impl Into<String>, locale: Locale) -> Self {
        BindingError {
            code: code.into(),
            category: "internal",
            message: locale
                .pick(
                    "应用出了点问题，请重新打开应用后再试。",
                    "Something went wrong in the app. Please reopen it and try again.",
                )
                .into(),
            field: None,
            detail: detail.into(),
        }
    }

    /// The client was closed with `close()` and used again.
    pub fn closed(locale: Locale) -> Self {
        BindingError::internal("client_closed", "the client was closed", locale)
    }

    /// Makes the JavaScript `Error` object (on the JavaScript thread) and
    /// wraps it so that napi throws or rejects with exactly that object.
    fn into_napi(self, env: sys::napi_env) -> napi::Error {
        let env = Env::from_raw(env);
        let build = || -> napi::Result<napi::Error> {
            let mut object = env.create_error(napi::Error::new(
                Status::GenericFailure,
                self.message.clone(),
            ))?;
            object.set("name", "EcardError")?;
            object.set("code", self.code.clone())?;
            object.set("category", self.category)?;
            object.set("field", self.field.clone())?;
            object.set("detail", self.detail.clone())?;
            Ok(napi::Error::from(object.to_unknown()))
        };
        build().unwrap_or_else(|error| error)
    }
}

impl std::fmt::Display for BindingError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{} ({}): {}",
            self.code, self.category, self.detail
        )
    }
}

/// A value or a [`BindingError`], converted on the JavaScript thread: the
/// value as usual, the error as a thrown `EcardError` (a rejected Promise
/// for async methods).
#[derive(Debug)]
pub struct Fallible<T>(pub Result<T, BindingError>);

impl<T> Fallible<T> {
    /// From a core result, with messages in `locale`.
    pub fn from_core(result: Result<T, ClientError>, locale: Locale) -> Fallible<T> {
        Fallible(result.map_err(|error| BindingError::from_client(&error, locale)))
    }
}

impl<T> From<Result<T, BindingError>> for Fallible<T> {
    fn from(result: Result<T, BindingError>) -> Fallible<T> {
        Fallible(result)
    }
}

impl<T: ToNapiValue> ToNapiValue for Fallible<T> {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        match value.0 {
            // SAFETY: napi calls this on the JavaScript thread with its env.
            Ok(value) => unsafe { T::to_napi_value(env, value) },
            Err(error) => Err(error.into_napi(env)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_errors_keep_code_category_message_and_field() {
        let error = ClientError::InvalidChoice {
            field: "bank".into(),
            reason: "not here".into(),
        };
        let js = BindingError::from_client(&error, Locale::ZhCn);
        assert_eq!(js.code, "invalid_choice");
        assert_eq!(js.category, "invalid_input");
        assert_eq!(js.field.as_deref(), Some("bank"));
        assert_eq!(js.message, "请检查填写的内容。");
        let offline = BindingError::from_client(&ClientError::Offline("x".into()), Locale::En);
        assert_eq!(offline.category, "network");
        assert!(offline.message.starts_with("Cannot connect"));
        let revoked = BindingError::from_client(&ClientError::CardSuspended, Locale::En);
        assert_eq!(revoked.category, "revoked");
        let cancelled = ClientError::Code(PresentError::KeyStore(
            ecard_credential::KeyStoreError::UserCancelled,
        ));
        let js = BindingError::from_client(&cancelled, Locale::ZhCn);
        assert_eq!(
            (js.code.as_str(), js.category),
            ("user_cancelled", "not_allowed")
        );
    }
}
