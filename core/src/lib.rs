//! The client core every app embeds.
//!
//! One object, [`EcardClient`], opened with a data directory, a platform
//! URL, a locale and a key store, serves the three native apps through the
//! bindings: local storage with personal data encrypted at rest, the
//! network with device-signed requests and a trusted clock, the offline
//! service catalogue, e-card codes made offline, and the card workflows
//! through a durable outbox.
//!
//! The client is one object for the apps but not one file: [`client`] opens
//! it and holds what every concern shares (storage, the network, the
//! session, events); each concern adds its own `impl EcardClient` block and
//! owns its tables — the account (session and profile), [`codes`]
//! (credentials, suspensions), [`catalogue`], drafts, cards and
//! applications, family mandates, the [`access_records`] of who resolved
//! the person's codes, the [`outbox`], [`privacy`] and [`identity`]. The network layer ([`net`]) makes every call safe and
//! talks to the platform through a [`transport::Transport`], HTTPS in
//! apps, the reference platform's router in process in unit tests.
//!
//! See `docs/architecture.md` for the picture and the threading contract in
//! [`client`].

pub mod access_records;
mod account;
mod applications;
pub mod births;
pub mod bridge;
pub mod catalogue;
pub mod client;
pub mod codes;
mod drafts;
pub mod eligibility;
pub mod error;
pub mod events;
mod family;
pub mod identity;
pub mod insurance;
pub mod keystore;
pub mod login;
pub mod money;
pub mod net;
pub mod outbox;
pub mod presentation;
pub mod privacy;
pub mod storage;
#[cfg(test)]
mod test_platform;
pub mod transport;
pub mod workflows;

pub use births::{BirthFlow, BirthForm, BirthStage};
pub use catalogue::outlets::{OutletHit, OutletQuery};
pub use catalogue::search::{MatchKind, SearchHit, SearchQuery};
pub use catalogue::{CatalogueState, HOTLINE, Location, SearchHelp, SyncReport};
pub use client::{CardView, ClientConfig, EcardClient, Session, SessionView, Snapshot};
pub use codes::CodeView;
pub use ecard_api::service_points::{
    AccessRecord, AccessRecordPage, AccessReport, AccessReportReason, DisclosedField,
    ServicePointKind,
};
pub use eligibility::EligibilityView;
pub use error::{ClientError, ErrorCategory, StorageError};
pub use events::ClientEvent;
pub use identity::{EnrolmentProgress, FaceCheck, FaceCheckError, FaceCheckRequest};
pub use insurance::{CertificateView, MonthLine, RecordYear, RecordsView};
pub use keystore::{FileKeyStore, MemoryKeyStore, SecureKeyStore};
pub use login::{LoginCode, LoginCodeError, ScannedText, classify_scan, parse_login_code};
pub use money::FinancialAccountView;
pub use outbox::{OutboxEntry, OutboxState};
pub use privacy::PersonalDataExport;
pub use storage::cipher::FieldCipherSuite;
pub use workflows::{
    ApplicationFlow, BackgroundTask, Draft, DraftForm, FlowStep, Freshness, LossFlow, NewCardForm,
    ProgressStage, ReplacementForm, Submission,
};
