//! The runtime the core owns for the bindings, the wrapper every async
//! binding call runs through, the panic guard of sync calls, and the
//! live-object counters the binding tests read.
//!
//! Why spawn instead of letting the foreign side poll the core's future in
//! place: Kotlin dispatchers, Swift executors and napi's own runtime poll
//! on their threads, outside this library's tokio context, while the core
//! needs tokio's timers and blocking pool. Every call is therefore spawned
//! onto one multi-thread runtime (built once, on first use), which keeps
//! work off the caller's threads and turns a panic inside it into a
//! `JoinError`, then into a typed error ([`FlatError::panic`]). The future
//! the binding holds owns the task through an abort-on-drop handle: when a
//! coroutine, Swift task or Promise's caller is cancelled and the future is
//! dropped, the task is aborted at its next await point. Blocking work the
//! core started (SQLite, key-store calls) finishes on its own; the core's
//! writes are transactional and submissions go through the durable outbox,
//! so an abort never leaves half a state behind.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use ecard_credential::Locale;

use super::error::FlatError;

static RUNTIME: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();

static CLIENTS: AtomicU64 = AtomicU64::new(0);
static SUBSCRIPTIONS: AtomicU64 = AtomicU64::new(0);
static BACKGROUND_TASKS: AtomicU64 = AtomicU64::new(0);
static CALLS_IN_FLIGHT: AtomicU64 = AtomicU64::new(0);

/// The runtime, built on first use: a few worker threads (phones have
/// big.LITTLE cores; the core's work is mostly waiting on I/O) and the
/// default blocking pool for SQLite and key-store calls. `None` when the
/// OS refused the threads.
pub fn runtime() -> Option<&'static tokio::runtime::Runtime> {
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
pub fn runtime_or_error(locale: Locale) -> Result<&'static tokio::runtime::Runtime, FlatError> {
    runtime().ok_or_else(|| {
        FlatError::internal(
            "runtime_unavailable",
            "the library runtime could not start",
            locale,
        )
    })
}

/// Which counter a [`LiveToken`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Live {
    /// A client object of a binding.
    Client,
    /// An event subscription.
    Subscription,
    /// A background task handle.
    BackgroundTask,
    /// An async call whose work runs on the runtime.
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
pub struct LiveToken(Live);

impl LiveToken {
    /// Counts one more of `kind` until dropped.
    pub fn new(kind: Live) -> LiveToken {
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LiveObjects {
    /// Client objects not yet freed.
    pub clients: u64,
    /// Event subscriptions not yet freed.
    pub subscriptions: u64,
    /// Background tasks not yet freed.
    pub background_tasks: u64,
    /// Async calls whose work is still running on the runtime.
    pub calls_in_flight: u64,
}

/// The counters now.
pub fn live_objects() -> LiveObjects {
    LiveObjects {
        clients: CLIENTS.load(Ordering::SeqCst),
        subscriptions: SUBSCRIPTIONS.load(Ordering::SeqCst),
        background_tasks: BACKGROUND_TASKS.load(Ordering::SeqCst),
        calls_in_flight: CALLS_IN_FLIGHT.load(Ordering::SeqCst),
    }
}

/// A task handle that aborts the task when dropped (a cancelled call).
#[derive(Debug)]
pub struct AbortOnDrop<T>(pub tokio::task::JoinHandle<T>);

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

/// Runs `future` on the library runtime and waits for it, under any
/// executor. Dropping the returned future aborts the work; a panic in it
/// becomes [`FlatError::panic`].
///
/// Only boxing the future is compiled per call; the spawn, the wait, the
/// panic and cancellation handling are one erased path ([`Run`]).
pub fn run<T, F>(locale: Locale, future: F) -> Run<T>
where
    T: Send + 'static,
    F: Future<Output = Result<T, FlatError>> + Send + 'static,
{
    erase(locale, Box::pin(future))
}

/// A call's work boxed with its own output type.
type BoxedCall<T> = Pin<Box<dyn Future<Output = Result<T, FlatError>> + Send + 'static>>;

/// A call's output with its type erased.
type ErasedOutput = Result<Box<dyn Any + Send>, FlatError>;

/// A call's work (or its wait) with its output type erased.
type ErasedCall = Pin<Box<dyn Future<Output = ErasedOutput> + Send + 'static>>;

/// Erases the output type: compiled once per output type, not per call.
fn erase<T: Send + 'static>(locale: Locale, work: BoxedCall<T>) -> Run<T> {
    Run {
        call: run_erased(
            locale,
            Box::pin(async move {
                work.await
                    .map(|value| Box::new(value) as Box<dyn Any + Send>)
            }),
        ),
        locale,
        output: PhantomData,
    }
}

/// The one path every binding call takes: spawns the erased work as a task
/// (the runtime's task machinery compiled once) and waits for its answer.
fn run_erased(locale: Locale, work: ErasedCall) -> ErasedCall {
    Box::pin(async move {
        let runtime = runtime_or_error(locale)?;
        let token = LiveToken::new(Live::Call);
        let (answer, answered) = tokio::sync::oneshot::channel();
        let task = AbortOnDrop(runtime.spawn(async move {
            let _token = token;
            // The caller may have gone (a cancelled call); nothing waits.
            let _ = answer.send(work.await);
        }));
        match task.await {
            Ok(()) => answered.await.unwrap_or_else(|_| Err(cancelled(locale))),
            Err(error) if error.is_panic() => {
                report_panic(error.into_panic().as_ref());
                Err(FlatError::panic(locale))
            }
            Err(_) => Err(cancelled(locale)),
        }
    })
}

fn cancelled(locale: Locale) -> FlatError {
    FlatError::internal("cancelled", "the call was cancelled", locale)
}

/// A call running on the library runtime ([`run`]), with its error as `E`.
/// Dropping it aborts the work.
#[must_use = "a call does nothing unless awaited"]
pub struct Run<T, E = FlatError> {
    call: ErasedCall,
    locale: Locale,
    output: PhantomData<fn() -> (T, E)>,
}

impl<T> Run<T, FlatError> {
    /// The same call with its error converted to `E`.
    pub fn err_into<E: From<FlatError>>(self) -> Run<T, E> {
        Run {
            call: self.call,
            locale: self.locale,
            output: PhantomData,
        }
    }
}

impl<T, E> std::fmt::Debug for Run<T, E> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Run").finish_non_exhaustive()
    }
}

impl<T: 'static, E: From<FlatError>> Future for Run<T, E> {
    type Output = Result<T, E>;

    fn poll(mut self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let locale = self.locale;
        self.call.as_mut().poll(context).map(|output| {
            output
                .and_then(|value| {
                    // The value is always a `T` (`erase` boxed it); a
                    // mismatch would be a bug here, reported, not a panic.
                    value.downcast::<T>().map(|value| *value).map_err(|_| {
                        FlatError::internal(
                            "output_type",
                            "the call returned the wrong type",
                            locale,
                        )
                    })
                })
                .map_err(E::from)
        })
    }
}

/// Runs sync work, turning a panic into [`FlatError::panic`].
pub fn guard<T>(
    locale: Locale,
    work: impl FnOnce() -> Result<T, FlatError>,
) -> Result<T, FlatError> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        report_panic(payload.as_ref());
        Err(FlatError::panic(locale))
    })
}

/// Logs a caught panic (through the masking log sink, if one is set).
fn report_panic(payload: &(dyn std::any::Any + Send)) {
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    tracing::error!(target: "ecard_bridge", "panic caught at the FFI edge: {message}");
}

/// Runs a foreign call that may block (a key-store prompt, a listener) from
/// async code without stalling a runtime worker: on a worker thread of a
/// multi-thread runtime the worker's other tasks move elsewhere first.
pub fn blocking_foreign<T>(call: impl FnOnce() -> T) -> T {
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

    fn boom() -> Result<(), FlatError> {
        panic!("boom 13800138000")
    }

    #[test]
    fn a_panic_in_sync_work_becomes_an_internal_error() {
        let error = guard(Locale::En, boom).unwrap_err();
        assert_eq!(error.code, "panic");
    }

    #[test]
    fn a_panic_in_async_work_becomes_an_internal_error() {
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let error = outer
            .block_on(run(Locale::ZhCn, async { boom() }))
            .unwrap_err();
        assert_eq!(error.code, "panic");
    }

    #[test]
    fn a_call_returns_its_value_and_its_error() {
        let outer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let value = outer
            .block_on(run(Locale::En, async { Ok(vec![String::from("卡")]) }))
            .unwrap();
        assert_eq!(value, ["卡"]);
        let error = outer
            .block_on(run(Locale::En, async {
                Err::<u8, _>(FlatError::internal("own", "its own error", Locale::En))
            }))
            .unwrap_err();
        assert_eq!(error.code, "own");
    }

    #[test]
    fn dropping_a_call_aborts_its_work() {
        let outer = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let before = live_objects().calls_in_flight;
        outer.block_on(async {
            let slow = run(Locale::En, async {
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
