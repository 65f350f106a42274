//! The client core every app embeds.
//!
//! One object, [`EcardClient`], opened with a data directory, a platform
//! URL, a locale and a key store, serves the three native apps through the
//! bindings: local storage with personal data encrypted at rest, the
//! network with device-signed requests and a trusted clock, the offline
//! service catalogue, e-card codes made offline, and the card workflows
//! through a durable outbox.
//!
//! See `docs/architecture.md` for the picture and the threading contract in
//! [`client`].

pub mod bridge;
pub mod catalogue;
pub mod client;
pub mod codes;
pub mod error;
pub mod events;
pub mod identity;
pub mod keystore;
pub mod net;
pub mod outbox;
pub mod presentation;
pub mod privacy;
pub mod storage;
pub mod workflows;

pub use catalogue::outlets::{OutletHit, OutletQuery};
pub use catalogue::search::{MatchKind, SearchHit, SearchQuery};
pub use catalogue::{CatalogueState, SyncReport};
pub use client::{CardView, ClientConfig, EcardClient, Session, Snapshot};
pub use codes::CodeView;
pub use error::{ClientError, ErrorCategory, StorageError};
pub use events::ClientEvent;
pub use identity::{EnrolmentProgress, FaceCheck, FaceCheckError, FaceCheckRequest};
pub use keystore::{FileKeyStore, MemoryKeyStore, SecureKeyStore};
pub use outbox::{OutboxEntry, OutboxState};
pub use privacy::PersonalDataExport;
pub use workflows::{
    ApplicationFlow, BackgroundTask, Draft, DraftForm, FlowStep, LossFlow, NewCardForm,
    ProgressStage, ReplacementForm, Submission,
};
