//! The device key store implemented in JavaScript (HUKS on HarmonyOS,
//! `node:crypto` in the Node tests), adapted into the core's
//! [`SecureKeyStore`].
//!
//! The JavaScript object has six methods, each returning its answer or a
//! Promise of it (HUKS is asynchronous, and signing may wait for the
//! person's fingerprint):
//!
//! | method | arguments | answer |
//! | --- | --- | --- |
//! | `generateKey` | alias, suite (`p256`/`ed25519`/`sm2`) | public key bytes |
//! | `publicKey` | alias | public key bytes, or `null` when there is none |
//! | `sign` | alias, message | signature (DER or `r‖s` for P-256 and SM2) |
//! | `deleteKey` | alias | nothing |
//! | `wrap` | alias, secret | sealed bytes (the method makes its AES key on first use) |
//! | `unwrap` | alias, sealed | the secret |
//!
//! A store that cannot make keys of a suite throws `unsupported_suite`
//! (the person sees `NotAllowed`/`unsupported_suite`). SM2 signs over SM3
//! with the GM/T 0009 identifier `1234567812345678` (HUKS with
//! `HUKS_ALG_SM2` and `HUKS_DIGEST_SM3`). The `publicKey` answer carries no
//! suite: it is read as the configured device suite, never guessed from
//! its length (a 65-byte point may be P-256 or SM2).
//!
//! Failures are thrown (or rejected) errors; a `code` property of
//! `not_found`, `user_cancelled`, `locked` or `unsupported_suite` maps to
//! the core's matching [`KeyStoreError`], anything else to a backend
//! failure. `unwrap` answers `not_found` only when there is no wrapping key
//! under the alias: the core then counts the local data as lost.
//!
//! Why this shape, and how it avoids deadlock: the core calls its key store
//! synchronously from its own threads (the blocking pool, and the async
//! workers that sign requests). JavaScript can only run on the JavaScript
//! thread. So each call is queued onto the JavaScript thread through a
//! threadsafe function (non-blocking: the queue is unbounded), and the
//! calling thread waits on a channel for the answer:
//!
//! 1. the JavaScript thread runs the method; a plain value is converted and
//!    sent at once; a Promise gets `then`/`catch` handlers that convert and
//!    send when it settles, so the JavaScript thread returns to its event
//!    loop immediately and never waits for anything;
//! 2. the core's thread waits (inside `block_in_place` on a tokio worker, so
//!    the runtime moves its other tasks elsewhere) with the configuration's
//!    key-store timeout, so a Promise that never settles fails one
//!    operation instead of hanging — the wait, the bound and the public-key
//!    reading are the core's ([`ecard_core::bridge::keystore`]), as for
//!    the UniFFI binding.
//!
//! A deadlock would need the JavaScript thread itself to wait for the key
//! store. No synchronous export calls the key store (they do no key-store
//! I/O by the core's threading contract), and as a guard a call made on the
//! JavaScript thread fails at once instead of waiting for itself. The
//! threadsafe functions are weak: they never keep Node's (or ArkTS's) event
//! loop alive on their own; a pending async method does that.

use std::sync::mpsc;
use std::thread::ThreadId;
use std::time::Duration;

use ecard_core::SecureKeyStore;
use ecard_core::bridge::{DEFAULT_KEY_STORE_TIMEOUT, public_key_from};
pub(crate) use ecard_core::bridge::{Unanswered, wait_for_answer};
use ecard_credential::{KeyStore, KeyStoreError, PublicKey, Suite};
use napi::bindgen_prelude::{
    CallbackContext, FnArgs, FromNapiValue, Function, JsObjectValue, JsValue, Object, PromiseRaw,
    ToNapiValue, Uint8Array, Unknown,
};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, JsError, Status, ValueType, sys};

/// The JavaScript method names, in the order of [`Method`].
const METHODS: [&str; 6] = [
    "generateKey",
    "publicKey",
    "sign",
    "deleteKey",
    "wrap",
    "unwrap",
];

/// What a method is given after the alias.
#[derive(Debug)]
pub enum Payload {
    /// Nothing (`undefined`).
    Nothing,
    /// A string (the suite name).
    Text(String),
    /// Bytes, as a `Uint8Array`.
    Bytes(Vec<u8>),
}

impl ToNapiValue for Payload {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: called by napi on the JavaScript thread with its env.
        unsafe {
            match value {
                Payload::Nothing => <()>::to_napi_value(env, ()),
                Payload::Text(text) => String::to_napi_value(env, text),
                Payload::Bytes(bytes) => Uint8Array::to_napi_value(env, Uint8Array::new(bytes)),
            }
        }
    }
}

/// One queued call.
#[derive(Debug)]
pub struct Call {
    alias: String,
    payload: Payload,
}

type Arguments = FnArgs<(String, Payload)>;
type Method = ThreadsafeFunction<Call, Unknown<'static>, Arguments, Status, false, true>;

/// What an answer must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Bytes,
    BytesOrNull,
    Nothing,
}

type Reply = Result<Option<Vec<u8>>, KeyStoreError>;

/// A JavaScript key store as the core's [`SecureKeyStore`].
pub struct JsKeyStore {
    methods: Vec<Method>,
    js_thread: ThreadId,
    timeout: Duration,
    suite: Suite,
}

impl std::fmt::Debug for JsKeyStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("JsKeyStore")
            .field("timeout", &self.timeout)
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl FromNapiValue for JsKeyStore {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: napi converts arguments on the JavaScript thread.
        let object = unsafe { Object::from_napi_value(env, value) }?;
        let mut methods = Vec::with_capacity(METHODS.len());
        for name in METHODS {
            let function: Function<'_, Arguments, Unknown<'static>> =
                object.get_named_property(name).map_err(|_| {
                    napi::Error::new(
                        Status::InvalidArg,
                        format!("the key store has no method {name}"),
                    )
                })?;
            // Bound, so that class-based key stores keep their `this`.
            let method = function
                .bind(object)?
                .build_threadsafe_function::<Call>()
                .weak::<true>()
                .callee_handled::<false>()
                .build_callback(
                    |context: napi::threadsafe_function::ThreadsafeCallContext<Call>| {
                        Ok(FnArgs::from((context.value.alias, context.value.payload)))
                    },
                )?;
            methods.push(method);
        }
        Ok(JsKeyStore {
            methods,
            js_thread: std::thread::current().id(),
            timeout: DEFAULT_KEY_STORE_TIMEOUT,
            suite: Suite::EcdsaP256,
        })
    }
}

fn backend(reason: impl Into<String>) -> KeyStoreError {
    KeyStoreError::Backend(reason.into())
}

/// The key-store error a thrown or rejected JavaScript value stands for.
fn classify(env: &Env, value: sys::napi_value, alias: &str) -> KeyStoreError {
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
        Some("not_found") => KeyStoreError::NotFound(alias.to_owned()),
        Some("user_cancelled") => KeyStoreError::UserCancelled,
        Some("locked") => KeyStoreError::Locked,
        Some("unsupported_suite") => KeyStoreError::UnsupportedSuite,
        _ => backend(message.unwrap_or_else(|| "the key store failed".into())),
    }
}

/// Reads a settled answer (on the JavaScript thread).
fn read_reply(env: &Env, value: Unknown<'_>, expect: Expect) -> Reply {
    let kind = value
        .get_type()
        .map_err(|error| backend(error.to_string()))?;
    match (kind, expect) {
        (_, Expect::Nothing) => Ok(None),
        (ValueType::Undefined | ValueType::Null, Expect::BytesOrNull) => Ok(None),
        (ValueType::Undefined | ValueType::Null, Expect::Bytes) => {
            Err(backend("the key store answered nothing"))
        }
        _ => {
            // SAFETY: on the JavaScript thread; `value` is alive in this scope.
            let bytes = unsafe { Uint8Array::from_napi_value(env.raw(), value.raw()) }
                .map_err(|_| backend("the key store must answer with a Uint8Array"))?;
            Ok(Some(bytes.to_vec()))
        }
    }
}

/// Whether a value is a Promise (on the JavaScript thread).
pub(crate) fn is_promise(env: &Env, value: &Unknown<'_>) -> bool {
    let mut promise = false;
    // SAFETY: on the JavaScript thread with a live value.
    let status = unsafe { sys::napi_is_promise(env.raw(), value.raw(), &mut promise) };
    status == sys::Status::napi_ok && promise
}

/// Sends the answer of a method call (on the JavaScript thread): at once
/// for a value or a throw, when it settles for a Promise.
fn settle(
    result: napi::Result<Unknown<'_>>,
    env: &Env,
    expect: Expect,
    alias: String,
    sender: mpsc::Sender<Reply>,
) {
    let value = match result {
        Ok(value) => value,
        Err(error) => {
            // SAFETY: on the JavaScript thread; gives back the thrown value.
            let thrown = unsafe { JsError::from(error).into_value(env.raw()) };
            let _ = sender.send(Err(classify(env, thrown, &alias)));
            return;
        }
    };
    if !is_promise(env, &value) {
        let _ = sender.send(read_reply(env, value, expect));
        return;
    }
    // SAFETY: on the JavaScript thread; `value` is a Promise.
    let promise = unsafe { PromiseRaw::<Unknown<'_>>::from_napi_value(env.raw(), value.raw()) };
    let resolved = sender.clone();
    let chained = promise.and_then(|promise| {
        promise.then(move |context: CallbackContext<Unknown<'_>>| {
            let _ = resolved.send(read_reply(&context.env, context.value, expect));
            Ok(())
        })
    });
    let rejected = sender.clone();
    let caught = chained.and_then(|chained| {
        chained.catch(move |context: CallbackContext<Unknown<'_>>| {
            let _ = rejected.send(Err(classify(&context.env, context.value.raw(), &alias)));
            Ok(())
        })
    });
    if let Err(error) = caught {
        let _ = sender.send(Err(backend(format!(
            "the key store's Promise cannot be awaited: {error}"
        ))));
    }
}

impl JsKeyStore {
    /// Sets how long one call may take (a fingerprint prompt included).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Sets the suite the `publicKey` answer is read as (the configured
    /// device suite).
    pub fn set_suite(&mut self, suite: Suite) {
        self.suite = suite;
    }

    fn invoke(&self, index: usize, alias: &str, payload: Payload, expect: Expect) -> Reply {
        let name = METHODS.get(index).copied().unwrap_or("?");
        if std::thread::current().id() == self.js_thread {
            // Waiting here would wait for this very thread: refuse instead.
            return Err(backend(format!(
                "keyStore.{name} was needed on the JavaScript thread; \
                 only asynchronous methods may use the key store"
            )));
        }
        let method = self
            .methods
            .get(index)
            .ok_or_else(|| backend(format!("no method {name}")))?;
        let (sender, receiver) = mpsc::channel::<Reply>();
        let owned_alias = alias.to_owned();
        let status = method.call_with_return_value(
            Call {
                alias: alias.to_owned(),
                payload,
            },
            ThreadsafeFunctionCallMode::NonBlocking,
            move |result: napi::Result<Unknown<'static>>, env: Env| {
                settle(result, &env, expect, owned_alias, sender);
                Ok(())
            },
        );
        if status != Status::Ok {
            return Err(backend(format!(
                "keyStore.{name} cannot be called ({status}): the JavaScript side has gone"
            )));
        }
        wait_for_answer(&receiver, self.timeout)
            .unwrap_or_else(|unanswered| Err(unanswered.into_error(name, self.timeout)))
    }

    fn bytes(&self, index: usize, alias: &str, payload: Payload) -> Result<Vec<u8>, KeyStoreError> {
        self.invoke(index, alias, payload, Expect::Bytes)?
            .ok_or_else(|| backend("the key store answered nothing"))
    }
}

impl KeyStore for JsKeyStore {
    fn generate_key(&self, alias: &str, suite: Suite) -> Result<PublicKey, KeyStoreError> {
        let bytes = self.bytes(0, alias, Payload::Text(suite.name().to_owned()))?;
        public_key_from(&bytes, suite)
    }

    fn public_key(&self, alias: &str) -> Result<PublicKey, KeyStoreError> {
        match self.invoke(1, alias, Payload::Nothing, Expect::BytesOrNull)? {
            Some(bytes) => public_key_from(&bytes, self.suite),
            None => Err(KeyStoreError::NotFound(alias.to_owned())),
        }
    }

    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        self.bytes(2, alias, Payload::Bytes(message.to_vec()))
    }

    fn delete_key(&self, alias: &str) -> Result<(), KeyStoreError> {
        self.invoke(3, alias, Payload::Nothing, Expect::Nothing)
            .map(|_| ())
    }
}

impl SecureKeyStore for JsKeyStore {
    fn wrap(&self, alias: &str, secret: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        self.bytes(4, alias, Payload::Bytes(secret.to_vec()))
    }

    fn unwrap(&self, alias: &str, wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        self.bytes(5, alias, Payload::Bytes(wrapped.to_vec()))
    }
}
