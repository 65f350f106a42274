//! Event delivery with one lag policy: a listener that falls behind is told
//! how many events it missed.
//!
//! Why here: the core's events go out on a bounded broadcast channel, and a
//! slow listener loses the oldest ones. One binding used to report that
//! and the other dropped it silently, so an ArkTS screen could keep showing
//! a stale outbox count forever. [`EventPump`] is the one loop both use:
//! it hands on every event, reports a lag as [`ClientEvent::Missed`] (the
//! UI then re-reads everything), and stops for
//! good when cancelled, dropped, or when the sink says its side is gone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use super::runtime::{Live, LiveToken, blocking_foreign};
use crate::events::ClientEvent;

/// What a sink says after taking an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivered {
    /// Keep delivering.
    More,
    /// The listener's side is gone (its thread or environment closed): stop.
    Gone,
}

/// A running delivery of the client's events to one listener. Cancelling
/// it (or dropping it) stops the delivery: no new call of the sink starts
/// after [`EventPump::cancel`] returns.
pub struct EventPump {
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// Checked before every delivery: an abort only takes effect at the
    /// task's next await, and events already queued would still go out.
    stopped: Arc<AtomicBool>,
    _live: LiveToken,
}

impl std::fmt::Debug for EventPump {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("EventPump").finish_non_exhaustive()
    }
}

impl EventPump {
    /// Starts delivering `receiver`'s events to `sink` on `runtime`, one at
    /// a time and in order, on a library thread.
    pub fn start(
        runtime: &tokio::runtime::Runtime,
        mut receiver: Receiver<ClientEvent>,
        sink: impl Fn(ClientEvent) -> Delivered + Send + Sync + 'static,
    ) -> EventPump {
        let stopped = Arc::new(AtomicBool::new(false));
        let flag = stopped.clone();
        let task = runtime.spawn(async move {
            loop {
                let event = match receiver.recv().await {
                    Ok(event) => event,
                    Err(RecvError::Lagged(count)) => ClientEvent::Missed { count },
                    Err(RecvError::Closed) => break,
                };
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if blocking_foreign(|| sink(event)) == Delivered::Gone {
                    break;
                }
            }
        });
        EventPump {
            task: Mutex::new(Some(task)),
            stopped,
            _live: LiveToken::new(Live::Subscription),
        }
    }

    /// Stops the delivery (idempotent).
    pub fn cancel(&self) {
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

    /// Whether events are still delivered.
    pub fn is_active(&self) -> bool {
        self.task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .is_some_and(|task| !task.is_finished())
    }
}

impl Drop for EventPump {
    fn drop(&mut self) {
        self.cancel();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_lagging_listener_is_told_how_many_events_it_missed() {
        let runtime = super::super::runtime::runtime().unwrap();
        let (sender, receiver) = tokio::sync::broadcast::channel(2);
        for pending in 0..5 {
            sender.send(ClientEvent::OutboxChanged { pending }).unwrap();
        }
        drop(sender);
        let (seen, events) = mpsc::channel();
        let pump = EventPump::start(runtime, receiver, move |event| {
            let _ = seen.send(event);
            Delivered::More
        });
        let first = events.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(first, ClientEvent::Missed { count: 3 });
        let rest: Vec<_> = events.iter().collect();
        assert_eq!(
            rest,
            vec![
                ClientEvent::OutboxChanged { pending: 3 },
                ClientEvent::OutboxChanged { pending: 4 }
            ]
        );
        assert!(!pump.is_active() || events.try_recv().is_err());
    }

    #[test]
    fn events_serialize_with_a_snake_case_kind() {
        let json = serde_json::to_value(ClientEvent::CardSuspended {
            card_id: "c1".into(),
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "kind": "card_suspended", "card_id": "c1" })
        );
        let json = serde_json::to_value(ClientEvent::Missed { count: 2 }).unwrap();
        assert_eq!(json, serde_json::json!({ "kind": "missed", "count": 2 }));
    }
}
