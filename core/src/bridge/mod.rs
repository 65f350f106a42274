//! The FFI-neutral layer both bindings stand on (UniFFI for Kotlin and
//! Swift, Node-API for ArkTS).
//!
//! Why here and not in the bindings: everything a binding does besides
//! converting values is behaviour the apps rely on — which error category a
//! failure has and what it says, that a panic becomes a typed error, that a
//! listener that fell behind is told how many events it missed, that log
//! lines are masked, that a key store which never answers fails one call
//! instead of hanging, which configuration defaults apply, what a flow's
//! button does. Written once in each binding, these drifted; written once
//! here, a binding is a shim that converts values and calls in, and the
//! conformance scenarios (`bindings/conformance/scenarios.json`) check that
//! both shims behave alike.
//!
//! Nothing here knows UniFFI or Node-API.

pub mod config;
pub mod conformance;
pub mod error;
pub mod events;
pub mod flows;
pub mod keystore;
pub mod logging;
pub mod runtime;

pub use config::BindingConfig;
pub use error::FlatError;
pub use events::EventPump;
pub use keystore::{
    DEFAULT_KEY_STORE_TIMEOUT, Unanswered, answer_within, public_key_from, wait_for_answer,
};
pub use logging::{LogLevel, LogSink, mask_personal_data, set_log_sink};
pub use runtime::{LiveObjects, guard, live_objects, run};
