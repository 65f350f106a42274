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
//! quickly (post to the main thread and re-read the snapshot there). The
//! delivery loop and its lag policy are the core's
//! ([`ecard_core::bridge::EventPump`], shared with the HarmonyOS binding).

use std::sync::Arc;

use ecard_api::identity::Notice;
use ecard_core::ClientEvent;
use ecard_core::bridge::EventPump;
use ecard_core::bridge::events::Delivered;

/// Something changed: re-read what the event names. Named `EcardEvent` in
/// the bindings.
#[uniffi::remote(Enum)]
#[uniffi(name = "EcardEvent")]
pub enum ClientEvent {
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
        notice: Notice,
    },
    /// A pension eligibility certification (待遇资格认证) is coming due
    /// (`days_before` the last day `due_by`), or with `suspended`, payments
    /// are suspended until the pensioner certifies: remind the person.
    EligibilityReminder {
        /// The pensioner (the account holder or a relative).
        person_id: String,
        /// The last day of the current certification, `YYYY-MM-DD`.
        due_by: String,
        /// Days before `due_by` (0 with `suspended`).
        days_before: u32,
        /// Whether payments are suspended.
        suspended: bool,
    },
    /// The listener fell behind and `count` events were dropped: re-read
    /// everything.
    Missed {
        /// How many events were dropped.
        count: u64,
    },
}

/// Receives the client's events (implemented by the app).
#[uniffi::export(with_foreign)]
pub trait EventListener: Send + Sync {
    /// One event. Called on a library thread; return quickly.
    fn on_event(&self, event: ClientEvent);
}

/// A running subscription. `cancel()` — or closing/freeing the object —
/// stops the delivery: no new call of the listener starts after `cancel()`
/// returns (one already running on another thread finishes).
#[derive(Debug, uniffi::Object)]
pub struct EventSubscription {
    pump: EventPump,
}

impl EventSubscription {
    /// Starts delivering `receiver`'s events to `listener` on `runtime`.
    pub(crate) fn start(
        runtime: &tokio::runtime::Runtime,
        receiver: tokio::sync::broadcast::Receiver<ClientEvent>,
        listener: Arc<dyn EventListener>,
    ) -> EventSubscription {
        EventSubscription {
            pump: EventPump::start(runtime, receiver, move |event| {
                listener.on_event(event);
                Delivered::More
            }),
        }
    }
}

#[uniffi::export]
impl EventSubscription {
    /// Stops the delivery (idempotent).
    pub fn cancel(&self) {
        self.pump.cancel();
    }

    /// Whether events are still delivered.
    pub fn is_active(&self) -> bool {
        self.pump.is_active()
    }
}
