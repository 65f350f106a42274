//! The app's face check implemented in JavaScript (the face platform's SDK
//! on HarmonyOS; the reference platform's simulated face platform in the
//! Node tests), adapted into the core's [`FaceCheck`].
//!
//! The JavaScript object has one method, `check(request)`, answering the
//! face platform's signed result (a string) or a Promise of it. `request`
//! is `{ purpose, idType, idNumber, nameMasked, challenge, deviceBinding }`
//! (`purpose`: `enrolment`, `mandate_consent`, `pin_reset`,
//! `phone_change`). A thrown or rejected error whose `code` is `cancelled`
//! (or `face_check_cancelled`) means the person closed the capture; any
//! other error means the face check is unavailable.
//!
//! The bridge is the key store's ([`crate::keystore`]): the core calls the
//! face check synchronously from its blocking pool; the call is queued onto
//! the JavaScript thread through a weak threadsafe function (non-blocking),
//! and the calling thread waits on a channel (inside `block_in_place` when
//! on a runtime worker) until the answer, or the Promise, settles. The
//! JavaScript thread never waits: a Promise gets `then`/`catch` handlers and
//! the event loop runs on while the capture screen is shown. A call made on
//! the JavaScript thread itself fails at once instead of waiting for
//! itself, and a check that never answers fails after [`TIMEOUT`].

use std::sync::mpsc;
use std::thread::ThreadId;
use std::time::Duration;

use ecard_core::{FaceCheck, FaceCheckError, FaceCheckRequest};
use napi::bindgen_prelude::{
    CallbackContext, FromNapiValue, Function, JsObjectValue, JsValue, Object, PromiseRaw, Unknown,
};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsError, Status, ValueType, sys};
use serde_json::{Value, json};

use crate::convert::enum_name;
use crate::keystore::{Unanswered, is_promise, wait_for_answer};

/// How long the core waits for one face check (a person in front of the
/// camera, retries included).
pub const TIMEOUT: Duration = Duration::from_secs(600);

type Method = ThreadsafeFunction<Value, Unknown<'static>, Value, Status, false, true>;
type Reply = Result<String, FaceCheckError>;

/// A JavaScript face check as the core's [`FaceCheck`].
pub struct JsFaceCheck {
    check: Method,
    js_thread: ThreadId,
    timeout: Duration,
}

impl std::fmt::Debug for JsFaceCheck {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("JsFaceCheck")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl FromNapiValue for JsFaceCheck {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: napi converts arguments on the JavaScript thread.
        let object = unsafe { Object::from_napi_value(env, value) }?;
        let function: Function<'_, Value, Unknown<'static>> =
            object.get_named_property("check").map_err(|_| {
                napi::Error::new(Status::InvalidArg, "the face check has no method check")
            })?;
        // Bound, so that class-based face checks keep their `this`.
        let check =
            function
                .bind(object)?
                .build_threadsafe_function::<Value>()
                .weak::<true>()
                .callee_handled::<false>()
                .build_callback(
                    |context: napi::threadsafe_function::ThreadsafeCallContext<Value>| {
                        Ok(context.value)
                    },
                )?;
        Ok(JsFaceCheck {
            check,
            js_thread: std::thread::current().id(),
            timeout: TIMEOUT,
        })
    }
}

fn unavailable(reason: impl Into<String>) -> FaceCheckError {
    FaceCheckError::Unavailable(reason.into())
}

/// The failure a thrown or rejected JavaScript value stands for.
fn classify(env: &Env, value: sys::napi_value) -> FaceCheckError {
    // SAFETY: on the JavaScript thread; `value` is alive in this scope.
    let object = unsafe { Object::from_napi_value(env.raw(), value) };
    let (code, message) = match object {
        Ok(object) => (
            object.get::<String>("code").ok().flatten(),
            object.get::<String>("message").ok().flatten(),
        ),
        Err(_) => (None, None),
    };
    match code.as_deref() {
        Some("cancelled" | "face_check_cancelled") => FaceCheckError::Cancelled,
        _ => unavailable(message.unwrap_or_else(|| "the face check failed".into())),
    }
}

/// Reads a settled answer (on the JavaScript thread).
fn read_reply(env: &Env, value: Unknown<'_>) -> Reply {
    match value.get_type() {
        Ok(ValueType::String) => {
            // SAFETY: on the JavaScript thread; `value` is a live string.
            unsafe { String::from_napi_value(env.raw(), value.raw()) }
                .map_err(|error| unavailable(error.to_string()))
        }
        _ => Err(unavailable(
            "the face check must answer with the face platform's result (a string)",
        )),
    }
}

/// Sends the answer of `check` (on the JavaScript thread): at once for a
/// value or a throw, when it settles for a Promise.
fn settle(result: napi::Result<Unknown<'_>>, env: &Env, sender: mpsc::Sender<Reply>) {
    let value = match result {
        Ok(value) => value,
        Err(error) => {
            // SAFETY: on the JavaScript thread; gives back the thrown value.
            let thrown = unsafe { JsError::from(error).into_value(env.raw()) };
            let _ = sender.send(Err(classify(env, thrown)));
            return;
        }
    };
    if !is_promise(env, &value) {
        let _ = sender.send(read_reply(env, value));
        return;
    }
    // SAFETY: on the JavaScript thread; `value` is a Promise.
    let promise = unsafe { PromiseRaw::<Unknown<'_>>::from_napi_value(env.raw(), value.raw()) };
    let resolved = sender.clone();
    let chained = promise.and_then(|promise| {
        promise.then(move |context: CallbackContext<Unknown<'_>>| {
            let _ = resolved.send(read_reply(&context.env, context.value));
            Ok(())
        })
    });
    let rejected = sender.clone();
    let caught = chained.and_then(|chained| {
        chained.catch(move |context: CallbackContext<Unknown<'_>>| {
            let _ = rejected.send(Err(classify(&context.env, context.value.raw())));
            Ok(())
        })
    });
    if let Err(error) = caught {
        let _ = sender.send(Err(unavailable(format!(
            "the face check's Promise cannot be awaited: {error}"
        ))));
    }
}

/// The request as JavaScript receives it.
pub fn request_to_js(request: &FaceCheckRequest) -> Value {
    json!({
        "purpose": enum_name(&request.purpose),
        "idType": request.id_type,
        "idNumber": request.id_number,
        "nameMasked": request.name_masked,
        "challenge": request.challenge,
        "deviceBinding": request.device_binding,
    })
}

impl FaceCheck for JsFaceCheck {
    fn check(&self, request: FaceCheckRequest) -> Reply {
        if std::thread::current().id() == self.js_thread {
            // Waiting here would wait for this very thread: refuse instead.
            return Err(unavailable(
                "the face check was needed on the JavaScript thread; \
                 only asynchronous methods may run it",
            ));
        }
        let (sender, receiver) = mpsc::channel::<Reply>();
        let status = self.check.call_with_return_value(
            request_to_js(&request),
            ThreadsafeFunctionCallMode::NonBlocking,
            move |result: napi::Result<Unknown<'static>>, env: Env| {
                settle(result, &env, sender);
                Ok(())
            },
        );
        if status != Status::Ok {
            return Err(unavailable(format!(
                "face.check cannot be called ({status}): the JavaScript side has gone"
            )));
        }
        match wait_for_answer(&receiver, self.timeout) {
            Ok(reply) => reply,
            Err(Unanswered::TimedOut) => Err(unavailable(format!(
                "face.check did not answer within {} s",
                self.timeout.as_secs()
            ))),
            Err(Unanswered::Dropped) => {
                Err(unavailable("face.check was dropped without an answer"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_reach_javascript_in_camel_case() {
        let request = FaceCheckRequest {
            purpose: ecard_api::identity::FacePurpose::MandateConsent,
            id_type: "resident_id".into(),
            id_number: "x".into(),
            name_masked: "刘**".into(),
            challenge: "c".into(),
            device_binding: "b".into(),
        };
        let js = request_to_js(&request);
        assert_eq!(js["purpose"], "mandate_consent");
        assert_eq!(js["deviceBinding"], "b");
        assert_eq!(js["nameMasked"], "刘**");
    }
}
