//! Node-API bindings of `ecard-core` for HarmonyOS (ArkTS) and Node.
//!
//! Why Node-API and not UniFFI: ArkTS loads native code only as a Node-API
//! module (`import ecard from 'libecard_harmony.so'`), and OpenHarmony ships
//! its own Node-API (`libace_napi.z.so`). The same Rust source builds for
//! both worlds:
//!
//! - feature `node` (default): `napi` + `napi-derive`, loaded by Node on
//!   this machine, where the whole surface is tested (`harmony/test`);
//! - feature `ohos`: `napi-ohos` + `napi-derive-ohos`, the library a
//!   HarmonyOS app loads. Its macros name `napi_ohos::` themselves, so the
//!   crate is aliased to `napi` rather than renamed in `Cargo.toml`.
//!
//! The crate holds no business logic: every export is a thin adapter over
//! [`ecard_core::EcardClient`] that converts values (camelCase objects,
//! `Uint8Array` for bytes, snake_case strings for enums) and errors
//! ([`error`]). The shape follows the UniFFI binding (`bindings/uniffi`):
//! the same objects and method names, in camelCase. What both bindings do
//! beyond converting — flat errors, the runtime and panic guard, event
//! delivery, masked logging, key-store timeouts, the configuration, flow
//! actions, presentation — is the core's ([`ecard_core::bridge`],
//! [`ecard_core::presentation`]); `bindings/conformance/scenarios.json`
//! checks both bindings behave alike.
//!
//! Threading (details in `docs/harmony.md`):
//! - async methods return Promises; their work runs on the runtime the core
//!   owns ([`ecard_core::bridge::run`], as for Kotlin and Swift), never on
//!   the JavaScript thread, and a panic in it rejects with `internal`/`panic`;
//! - plain methods (`snapshot`, `search`, `nearestOutlets`, …) do no network
//!   or key-store I/O and are safe on the UI thread;
//! - the key store ([`keystore`]), the face check ([`face`]) and event
//!   listeners are JavaScript callbacks reached through threadsafe
//!   functions: the core's threads queue a call onto the JavaScript thread
//!   and, for the key store and the face check, wait for its (possibly
//!   asynchronous) answer; the JavaScript thread never waits.

#[cfg(all(feature = "node", feature = "ohos"))]
compile_error!("choose one of the features `node` (Node) and `ohos` (HarmonyOS), not both");
#[cfg(not(any(feature = "node", feature = "ohos")))]
compile_error!("choose one of the features `node` (Node) and `ohos` (HarmonyOS)");

#[cfg(feature = "ohos")]
extern crate napi_ohos as napi;

pub mod client;
pub mod conformance;
pub mod convert;
#[cfg(test)]
mod declarations;
#[cfg(test)]
mod declared_shapes;
pub mod error;
pub mod face;
pub mod flows;
pub mod keystore;
pub mod logging;
pub mod login;
pub mod presentation;
pub mod self_service;
