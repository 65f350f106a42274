//! The UniFFI side of the core's runtime and panic guard
//! ([`ecard_core::bridge::runtime`]): the same calls with the error in the
//! exception shape Kotlin and Swift see.
//!
//! Why not UniFFI's `async_runtime = "tokio"`: it wraps every exported
//! future in `async_compat::Compat`, which enters a tokio context on each
//! poll — and since the foreign executors' threads have none, it lazily
//! starts a second runtime of its own for that. With every call already
//! spawned onto the core's runtime, the wrapper would add only that idle
//! second runtime (and about 50 KB of code); the exported futures await a
//! task handle, which works under any executor.

use std::future::Future;

use ecard_core::bridge::{self, FlatError};

use crate::error::EcardError;
use ecard_credential::Locale;

pub use ecard_core::bridge::LiveObjects;
pub(crate) use ecard_core::bridge::runtime::{Live, LiveToken, Run, blocking_foreign};

/// Library objects alive and async calls running, process-wide.
#[uniffi::remote(Record)]
pub struct LiveObjects {
    /// `EcardClient` objects not yet freed.
    pub clients: u64,
    /// Event subscriptions not yet freed.
    pub subscriptions: u64,
    /// Background tasks not yet freed.
    pub background_tasks: u64,
    /// Async calls whose work is still running on the runtime.
    pub calls_in_flight: u64,
}

/// The runtime, or the error a caller gets when the OS refused its threads.
pub(crate) fn runtime_or_error(
    language: Locale,
) -> Result<&'static tokio::runtime::Runtime, EcardError> {
    Ok(bridge::runtime::runtime_or_error(language)?)
}

/// Runs `future` on the core's runtime and waits for it (see
/// [`bridge::run`]): dropping the returned future aborts the work; a panic
/// becomes [`EcardError::Internal`] with code `panic`.
pub(crate) fn run<T, F>(language: Locale, future: F) -> Run<T, EcardError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, FlatError>> + Send + 'static,
{
    bridge::run(language, future).err_into()
}

/// Runs sync work, turning a panic into [`EcardError::Internal`].
pub(crate) fn guard<T>(
    language: Locale,
    work: impl FnOnce() -> Result<T, FlatError>,
) -> Result<T, EcardError> {
    Ok(bridge::guard(language, work)?)
}
