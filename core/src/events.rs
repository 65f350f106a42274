//! Events the UI observes, and the snapshot it renders from.
//!
//! The UI never polls: it renders [`crate::Snapshot`] once and re-reads it
//! when an event says something changed. Events carry ids, never personal
//! data, so they are safe to log.

/// Something changed. Serialized with a snake_case `kind` tag
/// (`{ "kind": "card_suspended", "card_id": … }`), as the HarmonyOS
/// binding hands it to JavaScript.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub enum ClientEvent {
    /// The account, profile or cards changed.
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
    /// Something happened to the account that its devices are told about:
    /// a new device asked to join or joined, one was unlinked, the PIN
    /// changed or locked, the phone on record changed.
    AccountNotice {
        /// The notice (a device name at most; no personal data).
        notice: ecard_api::identity::Notice,
    },
    /// A pension eligibility certification (待遇资格认证) is coming due,
    /// from the status last fetched: `days_before` the last day `due_by`
    /// (`YYYY-MM-DD`); or, with `suspended`, payments are suspended until
    /// the pensioner certifies. Told once each.
    EligibilityReminder {
        /// The pensioner (the account holder or a relative).
        person_id: String,
        /// The last day of the current certification.
        due_by: String,
        /// Days before `due_by` this reminder is for (0 with `suspended`).
        days_before: u32,
        /// Whether payments are suspended.
        suspended: bool,
    },
    /// The listener fell behind and `count` events were dropped: re-read
    /// everything. Only the bindings' event delivery
    /// ([`crate::bridge::EventPump`]) says this; the client never sends it.
    Missed {
        /// How many events were dropped.
        count: u64,
    },
}
