//! UniFFI bindings of the client core, for the Android (Kotlin) and iOS
//! (Swift) apps.
//!
//! Why a separate crate: the core stays pure Rust and knows nothing of
//! UniFFI; its FFI-neutral layer ([`ecard_core::bridge`]: flat errors, the
//! runtime and panic guard, event delivery, masked logging, key-store
//! timeouts, configuration, flow actions) is shared with the HarmonyOS
//! binding, and this crate only gives it UniFFI's shapes;
//! everything foreign-facing — the object the apps hold, the records they
//! render, the traits they implement, the flattened errors — lives here, as
//! thin wrappers with no business logic. A rule, a label or a check that a
//! UI needs is added to `ecard-core` and only passed through here.
//!
//! The contract as the apps see it (details in `docs/bindings.md`):
//! - **Async** methods become Kotlin `suspend` functions and Swift `async`
//!   functions. Their work runs on the library's one multi-thread tokio
//!   runtime ([`runtime`]), never on the caller's thread; cancelling the
//!   coroutine or Swift task drops the Rust future, which aborts the work.
//! - **Sync** methods do no network or key-store I/O and return in well
//!   under a millisecond: safe on the main thread.
//! - **Errors** are one [`EcardError`] with six categories the UI acts on,
//!   each carrying a stable code and a plain-language message in the
//!   client's language. A panic becomes [`EcardError::Internal`], never a
//!   crash (unwinding stays on in every profile).
//! - **Foreign traits**: the platform key store ([`PlatformKeyStore`]:
//!   Android Keystore/StrongBox, Secure Enclave, HUKS), the face check
//!   ([`FaceCheck`]: the face platform's SDK), event listeners
//!   ([`EventListener`], whose [`EventSubscription`] cancels on close) and the
//!   platform logger ([`PlatformLogger`], fed by `tracing` with personal data
//!   masked).
//! - **Terminals**: [`TerminalVerifier`] wraps `ecard_terminal::Terminal`
//!   for Android POS terminals and counters (provision, status lists,
//!   verify, save, close; see `docs/terminals.md`, "C SDK").

uniffi::setup_scaffolding!();

use std::sync::Arc;

use ecard_core::bridge::flows::FlowCall;
use ecard_core::bridge::{FlatError, conformance};
use ecard_credential::Locale;

pub mod access_records;
pub mod client;
pub mod error;
pub mod events;
pub mod identity;
pub mod keystore;
pub mod logging;
pub mod login;
pub mod presentation;
pub mod qr;
pub mod runtime;
pub mod self_service;
#[cfg(feature = "terminal-verifier")]
pub mod terminal;
pub mod types;

pub use client::{BackgroundSync, EcardClient};
pub use error::EcardError;
pub use events::{EventListener, EventSubscription};
pub use identity::{FaceCheck, FaceCheckFailure};
pub use keystore::{KeyStoreFailure, PlatformKeyStore};
pub use logging::{LogLevel, PlatformLogger};
pub use runtime::LiveObjects;
#[cfg(feature = "terminal-verifier")]
pub use terminal::{TerminalVerdict, TerminalVerifier, TerminalVerifierError, VerifiedCode};

/// The version of this library (the workspace version).
///
/// Sync, no I/O: the cheapest possible call, used to measure the FFI call
/// overhead from Kotlin.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// How many library objects are alive and how many async calls are running
/// now. Tests assert that closing everything brings these back to zero and
/// that a cancelled call does not keep running.
#[uniffi::export]
pub fn live_objects() -> LiveObjects {
    ecard_core::bridge::live_objects()
}

/// Panics on purpose, for the binding tests: with `inside_guard` the panic
/// is caught at the FFI edge and returned as [`EcardError::Internal`] with
/// code `panic`; without it, UniFFI's own guard turns it into the bindings'
/// internal exception. Either way the host app keeps running.
#[uniffi::export]
pub fn debug_panic(inside_guard: bool) -> Result<(), EcardError> {
    if inside_guard {
        runtime::guard(Locale::En, || conformance::explode("inside the guard"))
    } else {
        Ok(conformance::explode("outside the guard")?)
    }
}

/// Panics on purpose inside an async call on the library runtime (binding
/// tests): the caller gets [`EcardError::Internal`] with code `panic`.
#[uniffi::export]
pub async fn debug_panic_async() -> Result<(), EcardError> {
    runtime::run(Locale::En, async { conformance::explode("on the runtime") }).await
}

/// The error a conformance scenario names (`offline`, `card_suspended`,
/// `pin_wrong`, …; see `bindings/conformance/scenarios.json`), thrown as
/// the app would meet it. An unknown name is an `invalid_argument`.
#[uniffi::export]
pub fn debug_error(name: String, language: Locale) -> Result<(), EcardError> {
    let locale = language;
    Err(conformance::scenario_error(&name, locale)
        .unwrap_or_else(|| FlatError::invalid_argument("name", name, locale))
        .into())
}

/// Delivers to `listener` what a listener that fell behind gets: `emitted`
/// events on a channel holding `capacity`, then the end (conformance).
#[uniffi::export]
pub fn debug_lagged_subscription(
    listener: Arc<dyn EventListener>,
    emitted: u32,
    capacity: u32,
) -> Result<Arc<EventSubscription>, EcardError> {
    let runtime = runtime::runtime_or_error(Locale::En)?;
    Ok(Arc::new(EventSubscription::start(
        runtime,
        conformance::lagged_receiver(emitted, capacity),
        listener,
    )))
}

/// Logs `message` at `level` through the library's log path (conformance:
/// what reaches the app's logger is masked).
#[uniffi::export]
pub fn debug_log(level: LogLevel, message: String) {
    conformance::emit_log(level, &message);
}

/// The call a flow's action stands for, as `name` and amount (conformance
/// of flow dispatch): a flow whose step asks to pay `step_amount_fen`
/// (null for another step), with `fee_fen` on record and `card_id`.
#[uniffi::export]
pub fn debug_plan_action(
    step_amount_fen: Option<u32>,
    fee_fen: u32,
    card_id: Option<String>,
    action: ecard_api::resident::ApplicationAction,
) -> Result<PlannedCall, EcardError> {
    let call = conformance::plan_for(step_amount_fen, fee_fen, card_id, action, None)
        .map_err(|error| FlatError::from_client(&error, Locale::En))?;
    Ok(PlannedCall::from(&call))
}

/// A flow call as the conformance scenarios compare it.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PlannedCall {
    /// `pay`, `cancel`, `confirm_receipt`, `activate` or `resubmit_photo`.
    pub name: String,
    /// The amount paid (`pay` only).
    pub amount_fen: Option<u32>,
    /// The card activated (`activate` only).
    pub card_id: Option<String>,
}

impl From<&FlowCall> for PlannedCall {
    fn from(call: &FlowCall) -> PlannedCall {
        PlannedCall {
            name: call.name().to_owned(),
            amount_fen: call.amount_fen(),
            card_id: call.card_id().map(str::to_owned),
        }
    }
}
