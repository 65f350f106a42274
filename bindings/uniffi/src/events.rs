//! Events for the UI, delivered to a foreign listener, with a subscription
//! handle whose close (or drop) cancels the delivery.
//!
//! Why a handle: a subscription is a long-lived task on the library
//! runtime. Tying it to an object the app holds means leaving a screen
//! (closing the handle, or the garbage collector freeing it) always stops
//! it — no global "unsubscribe" bookkeeping, no leaked task.
//!
//! Events carry ids and counts, never personal data. The listener is called
//! on a library thread, one event at a time, in order; it must return
//! quickly (post to the main thread and re-read the snapshot there).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use ecard_core::ClientEvent;
use tokio::sync::broadcast::error::RecvError;

use crate::identity::AccountNotice;
use crate::runtime::{Live, LiveToken, blocking_foreign};

/// Something changed: re-read what the event names.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum EcardEvent {
    /// The account, profile or cards changed: re-read the snapshot.
    ProfileChanged,
    /// New credentials for a card: codes can be made (again).
    CredentialsChanged {
        /// The card.
        card_id: String,
    },
    /// This device stopped showing codes for a card.
    CardSuspended {
        /// The card.
        card_id: String,
    },
    /// The catalogue cache was synced.
    CatalogueSynced {
        /// Whether anything changed.
        changed: bool,
    },
    /// The platform became reachable or unreachable.
    ConnectivityChanged {
        /// Whether the last call reached the platform.
        online: bool,
    },
    /// The outbox changed (a submission queued, sent, or stuck).
    OutboxChanged {
        /// Submissions not yet confirmed by the platform.
        pending: u64,
    },
    /// An application, loss report or mandate changed at the platform.
    WorkflowChanged {
        /// The id of what changed.
        id: String,
    },
    /// Something happened to the account (a new device asked to join or
    /// joined, one was unlinked, the PIN changed or locked, the phone on
    /// record changed): tell the person, re-read the device list.
    AccountNotice {
        /// The notice.
        notice: AccountNotice,
    },
    /// The listener fell behind and `count` events were dropped: re-read
    /// everything.
    Missed {
        /// How many events were dropped.
        count: u64,
    },
}

impl From<ClientEvent> for EcardEvent {
    fn from(event: ClientEvent) -> EcardEvent {
        match event {
            ClientEvent::ProfileChanged => EcardEvent::ProfileChanged,
            ClientEvent::CredentialsChanged { card_id } => {
                EcardEvent::CredentialsChanged { card_id }
            }
            ClientEvent::CardSuspended { card_id } => EcardEvent::CardSuspended { card_id },
            ClientEvent::CatalogueSynced { changed } => EcardEvent::CatalogueSynced { changed },
            ClientEvent::ConnectivityChanged { online } => {
                EcardEvent::ConnectivityChanged { online }
            }
            ClientEvent::OutboxChanged { pending } => EcardEvent::OutboxChanged {
                pending: pending as u64,
            },
            ClientEvent::WorkflowChanged { id } => EcardEvent::WorkflowChanged { id },
            ClientEvent::AccountNotice { notice } => EcardEvent::AccountNotice {
                notice: notice.into(),
            },
        }
    }
}

/// Receives the client's events (implemented by the app).
#[uniffi::export(with_foreign)]
pub trait EventListener: Send + Sync {
    /// One event. Called on a library thread; return quickly.
    fn on_event(&self, event: EcardEvent);
}

/// A running subscription. `cancel()` — or closing/freeing the object —
/// stops the delivery: no new call of the listener starts after `cancel()`
/// returns (one already running on another thread finishes).
#[derive(uniffi::Object)]
pub struct EventSubscription {
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Checked before every delivery: an abort only takes effect at the
    /// task's next await, and events already queued would still go out.
    stopped: Arc<AtomicBool>,
    _live: LiveToken,
}

impl std::fmt::Debug for EventSubscription {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("EventSubscription")
            .finish_non_exhaustive()
    }
}

impl EventSubscription {
    /// Starts delivering `receiver`'s events to `listener` on `runtime`.
    pub(crate) fn start(
        runtime: &tokio::runtime::Runtime,
        mut receiver: tokio::sync::broadcast::Receiver<ClientEvent>,
        listener: Arc<dyn EventListener>,
    ) -> EventSubscription {
        let stopped = Arc::new(AtomicBool::new(false));
        let flag = stopped.clone();
        let task = runtime.spawn(async move {
            loop {
                let event = match receiver.recv().await {
                    Ok(event) => EcardEvent::from(event),
                    Err(RecvError::Lagged(count)) => EcardEvent::Missed { count },
                    Err(RecvError::Closed) => break,
                };
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                blocking_foreign(|| listener.on_event(event));
            }
        });
        EventSubscription {
            task: Mutex::new(Some(task)),
            stopped,
            _live: LiveToken::new(Live::Subscription),
        }
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            task.abort();
        }
    }
}

#[uniffi::export]
impl EventSubscription {
    /// Stops the delivery (idempotent).
    pub fn cancel(&self) {
        self.stop();
    }

    /// Whether events are still delivered.
    pub fn is_active(&self) -> bool {
        self.task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .is_some_and(|task| !task.is_finished())
    }
}

impl Drop for EventSubscription {
    fn drop(&mut self) {
        self.stop();
    }
}
