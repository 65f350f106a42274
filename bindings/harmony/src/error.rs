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
//! The flattening is the core's ([`ecard_core::bridge::FlatError`]); this
//! module only builds the JavaScript object.
//!
//! Why a wrapper type ([`Fallible`]) instead of `napi::Result`: a napi error
//! carries only a status and a reason. The JavaScript object with the extra
//! fields has to be made on the JavaScript thread, which is exactly where
//! napi converts a return value; [`Fallible`] builds the object there and
//! hands it back to napi as the thrown (or rejected) value.

use ecard_core::ClientError;
use ecard_credential::Locale;
use napi::bindgen_prelude::{JsValue, ToNapiValue};
use napi::{Env, Status, sys};

/// An error ready to become a JavaScript `EcardError`: the core's flat
/// error, shared with the UniFFI binding (same categories, codes and
/// messages).
pub use ecard_core::bridge::FlatError as BindingError;

/// Makes the JavaScript `Error` object (on the JavaScript thread) and wraps
/// it so that napi throws or rejects with exactly that object.
fn into_napi(error: BindingError, env: sys::napi_env) -> napi::Error {
    let env = Env::from_raw(env);
    let build = || -> napi::Result<napi::Error> {
        let mut object = env.create_error(napi::Error::new(
            Status::GenericFailure,
            error.message.clone(),
        ))?;
        object.set("name", "EcardError")?;
        object.set("code", error.code.clone())?;
        object.set("category", error.category.name())?;
        object.set("field", error.field.clone())?;
        object.set("detail", error.detail.clone())?;
        Ok(napi::Error::from(object.to_unknown()))
    };
    build().unwrap_or_else(|error| error)
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
            Err(error) => Err(into_napi(error, env)),
        }
    }
}

#[cfg(test)]
mod tests {
    use ecard_credential::PresentError;

    use super::*;

    #[test]
    fn core_errors_keep_code_category_message_and_field() {
        let error = ClientError::InvalidChoice {
            field: "bank".into(),
            reason: "not here".into(),
        };
        let js = BindingError::from_client(&error, Locale::ZhCn);
        assert_eq!(js.code, "invalid_choice");
        assert_eq!(js.category.name(), "invalid_input");
        assert_eq!(js.field.as_deref(), Some("bank"));
        assert_eq!(js.message, "请检查填写的内容。");
        let offline = BindingError::from_client(&ClientError::Offline("x".into()), Locale::En);
        assert_eq!(offline.category.name(), "network");
        assert!(offline.message.starts_with("Cannot connect"));
        let revoked = BindingError::from_client(&ClientError::CardSuspended, Locale::En);
        assert_eq!(revoked.category.name(), "revoked");
        let cancelled = ClientError::Code(PresentError::KeyStore(
            ecard_credential::KeyStoreError::UserCancelled,
        ));
        let js = BindingError::from_client(&cancelled, Locale::ZhCn);
        assert_eq!(
            (js.code.as_str(), js.category.name()),
            ("user_cancelled", "not_allowed")
        );
    }
}
