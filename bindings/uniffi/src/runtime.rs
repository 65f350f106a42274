//! The library's one tokio runtime, the wrapper that runs every async call
//! on it, the panic guard of sync calls, and the live-object counters.
//!
//! Why spawn instead of letting the foreign side poll the core's future in
//! place: Kotlin dispatchers and Swift executors poll on their own threads,
//! outside any tokio context, while the core needs tokio's I/O driver,
//! timers and blocking pool. Every call is therefore spawned onto one
//! global multi-thread runtime (built once, on first use), which keeps the
//! work off the caller's threads and turns a panic inside it into a
//! `JoinError` that becomes a typed error. The future the foreign side
//! holds owns the task through an abort-on-drop handle: when a coroutine or
//! Swift task is cancelled, UniFFI drops that future and the task is
//! aborted at its next await point. Blocking work the core started
//! (SQLite, key-store calls on the blocking pool) finishes on its own; the
//! core's writes are transactional and its submissions go through the
//! durable outbox, so an abort never leaves half a state behind.
//!
//! Why not UniFFI's `async_runtime = "tokio"`: it wraps every exported
//! future in `async_compat::Compat`, which enters a tokio context on each
//! poll — and since the foreign executors' threads have none, it lazily
//! starts a second runtime of its own for that. With every call already
//! spawned here, the wrapper would add only that idle second runtime (and
//! about 50 KB of code); the exported futures await a task handle, which
//! works under any executor.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use crate::error::EcardError;
use crate::types::Language;

static RUNTIME: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();

static CLIENTS: AtomicU64 = AtomicU64::new(0);
static SUBSCRIPTIONS: AtomicU64 = AtomicU64::new(0);
static BACKGROUND_TASKS: AtomicU64 = AtomicU64::new(0);
static CALLS_IN_FLIGHT: AtomicU64 = AtomicU64::new(0);

/// The runtime, built on first use: a few worker threads (phones have
/// big.LITTLE cores; the core's work is mostly waiting on I/O) and the
/// default blocking pool for SQLite and key-store calls.
pub(crate) fn runtime() -> Option<&'static tokio::runtime::Runtime> {
    RUNTIME
        .get_or_init(|| {
            let workers = std::thread::available_parallelism()
                .map_or(2, std::num::NonZeroUsize::get)
                .clamp(2, 4);
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .thread_name("ecard-runtime")
                .enable_all()
                .build()
                .ok()
        })
        .as_ref()
}

/// The runtime, or the error a caller gets when the OS refused its threads.
pub(crate) fn runtime_or_error(
    language: Language,
) -> Result<&'static tokio::runtime::Runtime, EcardError> {
    runtime().ok_or_else(|| EcardError::internal("runtime_unavailable", language))
}

/// Which counter a [`LiveToken`] holds.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Live {
    Client,
    Subscription,
    BackgroundTask,
    Call,
}

impl Live {
    fn counter(self) -> &'static AtomicU64 {
        match self {
            Live::Client => &CLIENTS,
            Live::Subscription => &SUBSCRIPTIONS,
            Live::BackgroundTask => &BACKGROUND_TASKS,
            Live::Call => &CALLS_IN_FLIGHT,
        }
    }
}

/// Counts one live object or call for as long as it is held.
#[derive(Debug)]
pub(crate) struct LiveToken(Live);

impl LiveToken {
    pub(crate) fn new(kind: Live) -> LiveToken {
        kind.counter().fetch_add(1, Ordering::SeqCst);
        LiveToken(kind)
    }
}

impl Drop for LiveToken {
    fn drop(&mut self) {
        self.0.counter().fetch_sub(1, Ordering::SeqCst);
    }
}

/// Library objects alive and async calls running, process-wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Record)]
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

pub(crate) fn live_objects() -> LiveObjects {
    LiveObjects {
        clients: CLIENTS.load(Ordering::SeqCst),
        subscriptions: SUBSCRIPTIONS.load(Ordering::SeqCst),
        background_tasks: BACKGROUND_TASKS.load(Ordering::SeqCst),
        calls_in_flight: CALLS_IN_FLIGHT.load(Ordering::SeqCst),
    }
}

/// A task handle that aborts the task when dropped (a cancelled call).
pub(crate) struct AbortOnDrop<T>(pub(crate) tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(context)
    }
}

/// Runs `future` on the library runtime and waits for it. Dropping the
/// returned future aborts the work; a panic in it becomes
/// [`EcardError::Internal`] with code `panic`.
pub(crate) async fn run<T, F>(language: Language, future: F) -> Result<T, EcardError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, EcardError>> + Send + 'static,
{
    let runtime = runtime_or_error(language)?;
    let token = LiveToken::new(Live::Call);
    let task = AbortOnDrop(runtime.spawn(async move {
        let _token = token;
        future.await
    }));
    match task.await {
        Ok(result) => result,
        Err(error) if error.is_panic() => {
            let payload = error.into_panic();
            report_panic(payload.as_ref());
            Err(EcardError::panic(language))
        }
        Err(_) => Err(EcardError::internal("cancelled", language)),
    }
}

/// Runs sync work, turning a panic into [`EcardError::Internal`].
pub(crate) fn guard<T>(
    language: Language,
    work: impl FnOnce() -> Result<T, EcardError>,
) -> Result<T, EcardError> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        report_panic(payload.as_ref());
        Err(EcardError::panic(language))
    })
}

/// Logs a caught panic (through the masking logger, if one is set).
fn report_panic(payload: &(dyn std::any::Any + Send)) {
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    tracing::error!(target: "ecard_ffi", "panic caught at the FFI edge: {message}");
}

/// Runs a foreign call that may block (a key-store prompt, a listener) from
/// async code without stalling a runtime worker: on a worker thread of the
/// multi-thread runtime the worker's other tasks move elsewhere first.
pub(crate) fn blocking_foreign<T>(call: impl FnOnce() -> T) -> T {
    let on_multi_thread = tokio::runtime::Handle::try_current()
        .is_ok_and(|handle| handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if on_multi_thread {
        tokio::task::block_in_place(call)
    } else {
        call()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn boom() -> Result<(), EcardError> {
        panic!("boom 13800138000")
    }

    #[test]
    fn a_panic_in_sync_work_becomes_an_internal_error() {
        let error = guard(Language::En, boom).unwrap_err();
        assert!(matches!(error, EcardError::Internal { ref code, .. } if code == "panic"));
    }

    #[test]
    fn a_panic_in_async_work_becomes_an_internal_error() {
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let error = outer
            .block_on(run(Language::ZhCn, async { boom() }))
            .unwrap_err();
        assert!(matches!(error, EcardError::Internal { ref code, .. } if code == "panic"));
    }

    #[test]
    fn dropping_a_call_aborts_its_work() {
        let outer = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let before = live_objects().calls_in_flight;
        outer.block_on(async {
            let slow = run(Language::En, async {
                tokio::time::sleep(std::time::Duration::from_secs(3_600)).await;
                Ok(())
            });
            let timed_out = tokio::time::timeout(std::time::Duration::from_millis(50), slow).await;
            assert!(timed_out.is_err());
        });
        for _ in 0..100 {
            if live_objects().calls_in_flight <= before {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the aborted call is still counted as running");
    }
}
