//! [`EcardClient`]: the object every app embeds.
//!
//! Threading contract:
//! - `async` methods may do network, storage and key-store I/O; they run on
//!   the caller's tokio runtime and move blocking work (SQLite, key-store
//!   signing, which may show a biometric prompt) to the blocking pool. Call
//!   them from any thread; never block a UI thread waiting on them.
//! - Plain methods ([`EcardClient::snapshot`], [`EcardClient::search`],
//!   [`EcardClient::nearest_outlets`], [`EcardClient::trusted_now`],
//!   [`EcardClient::subscribe`]) do no network or key-store I/O and return in
//!   well under a millisecond: safe on the main thread.
//! - The core never holds a lock that a plain method needs while it calls the
//!   key store, so a key store implemented on the UI thread (a JS callback, a
//!   main-actor prompt) cannot deadlock against `snapshot` or `search`.
//!
//! When the local data counts as lost: the session, profile, drafts,
//! outbox, credentials and suspensions are sealed under a database key that
//! is stored only wrapped by the phone's key store. At open the key store
//! is asked to unwrap it, and only one answer makes the client start over
//! with a new key and empty sealed tables: [`KeyStoreError::NotFound`], the
//! store's definite statement that it holds no wrapping key (app data
//! cleared, a backup restored onto another phone). A missing wrapped-key
//! file is the same loss seen from the other side. Every other answer — a
//! cancelled biometric prompt, a locked phone, a store that is busy,
//! failing, timing out or answering nonsense, and a blob that does not
//! authenticate under the key the store holds — is a
//! [`ClientError::KeyStoreUnavailable`] and deletes nothing. Why so strict:
//! those answers are usually transient, and even when one is not, the store
//! cannot tell a replaced key from a damaged blob or a faulty secure
//! element, while deleting on a wrong guess throws away a queued loss
//! report the platform has never seen. A store that does know the key a
//! blob was made under no longer exists (it keeps key ids, say) reports
//! that as `NotFound`. Opening again once the store answers finds
//! everything as it was.
//!
//! Which cipher seals them: [`ClientConfig::field_cipher`], AES-256-GCM
//! unless a deployment chooses SM4-GCM. The choice is made when a database
//! is first opened and recorded in its `meta` table (`field_cipher`), and
//! the data key is made for it (32 bytes for AES-256-GCM, 16 for SM4-GCM).
//! A later open that asks for the other cipher is refused with
//! [`ClientError::FieldCipherMismatch`] before the key store is asked, and
//! nothing is touched: real software must not silently keep a cipher the
//! deployment no longer wants (the app would claim a protection it does not
//! give), nor re-encrypt or mix ciphers behind the person's back. Changing
//! a deployment's cipher is therefore a release with a planned migration;
//! until then, opening with the recorded cipher works, and deleting the
//! local data (the data directory) starts over under the new one. The
//! refusal holds even when the data key is gone. A database from before
//! the choice was recorded (or rebuilt after damage, which keeps only the
//! sealed rows) has the cipher its data key is for, judged by the key's
//! length, and that is recorded at this open.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use ecard_api::resident::{CardStatus, ECardState, PersonIdentity};
use ecard_credential::{HolderRole, KeyStoreError, Locale, Suite};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use zeroize::{Zeroize as _, Zeroizing};

use crate::catalogue::{Catalogue, CatalogueState};
use crate::codes::{self};
use crate::error::{ClientError, StorageError};
use crate::events::ClientEvent;
use crate::keystore::SecureKeyStore;
use crate::net::{ApiRequest, ApiResponse, DeviceSigner, Network, RetryPolicy, TrustedClock};
use crate::storage::cipher::{FieldCipher, FieldCipherSuite};
use crate::storage::{RecoveryReport, Store, set_meta};
use crate::transport::Transport;

/// The alias of the device signing key in the key store.
pub const DEVICE_KEY_ALIAS: &str = "ecard-device";
/// The alias of the key that wraps the database key.
pub const DATA_KEY_ALIAS: &str = "ecard-data";
const DATA_KEY_FILE: &str = "data-key.wrapped";
const DATABASE_FILE: &str = "ecard.db";
/// The `meta` entry that records the database's field cipher.
const FIELD_CIPHER_META: &str = "field_cipher";

/// How to open a client.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Directory for the database and key files (created if missing).
    pub data_dir: PathBuf,
    /// The platform, `https://…` (or `http://` on loopback).
    pub platform_url: String,
    /// Language of messages.
    pub locale: Locale,
    /// A name for this device the resident recognises.
    pub device_name: String,
    /// Region whose catalogue and rules to sync before enrolment.
    pub default_region: String,
    /// Suite of the device key: P-256 (the default) works with every
    /// platform key store; SM2 (国密) only where the store makes SM2 keys
    /// (HarmonyOS HUKS; Android Keystore and the Secure Enclave refuse it
    /// with [`KeyStoreError::UnsupportedSuite`]).
    pub device_suite: Suite,
    /// Longest wait for one platform answer.
    pub request_timeout: std::time::Duration,
    /// Most bytes the local database may grow to (none = no cap).
    pub storage_limit_bytes: Option<u64>,
    /// The device's wall clock (replaceable for tests of wrong clocks).
    pub wall_clock: crate::net::WallClock,
    /// The cipher that seals personal data at rest (AES-256-GCM unless the
    /// deployment chooses SM4-GCM). Used when a database is first opened
    /// and recorded in it; a database sealed with the other cipher is
    /// refused ([`ClientError::FieldCipherMismatch`]).
    pub field_cipher: FieldCipherSuite,
}

impl ClientConfig {
    /// Defaults: zh-CN, Jiangxi, P-256, AES-256-GCM at rest.
    pub fn new(data_dir: impl Into<PathBuf>, platform_url: impl Into<String>) -> ClientConfig {
        ClientConfig {
            data_dir: data_dir.into(),
            platform_url: platform_url.into(),
            locale: Locale::ZhCn,
            device_name: "ecard".into(),
            default_region: "360000".into(),
            device_suite: Suite::EcdsaP256,
            request_timeout: std::time::Duration::from_secs(20),
            storage_limit_bytes: None,
            wall_clock: crate::net::WallClock::system(),
            field_cipher: FieldCipherSuite::default(),
        }
    }
}

/// The signed-in account on this device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
#[cfg_attr(feature = "js", ts(rename = "ExportedSession"))]
pub struct Session {
    /// The account.
    pub account_id: String,
    /// The account holder.
    pub person_id: String,
    /// This device.
    pub device_id: String,
    /// Who enrolled (kept sealed; shown masked).
    pub identity: PersonIdentity,
}

impl Session {
    /// The session as the apps see it: the identity masked.
    pub fn view(&self) -> SessionView {
        SessionView {
            account_id: self.account_id.clone(),
            person_id: self.person_id.clone(),
            device_id: self.device_id.clone(),
            name_masked: ecard_documents::mask_name(&self.identity.name),
            id_number_masked: ecard_documents::mask(&self.identity.id_number),
        }
    }
}

/// The signed-in account as the apps see it (identity masked).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
#[cfg_attr(feature = "js", ts(rename = "Session"))]
pub struct SessionView {
    /// The account.
    pub account_id: String,
    /// The account holder.
    pub person_id: String,
    /// This device.
    pub device_id: String,
    /// The holder's name, masked (`刘**`).
    pub name_masked: String,
    /// The holder's document number, masked.
    pub id_number_masked: String,
}

/// A card as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct CardView {
    /// The card.
    pub card_id: String,
    /// Its holder.
    pub person_id: String,
    /// The holder's name, masked.
    pub holder_name_masked: String,
    /// Whether the holder is the account holder, or a person acted for.
    pub role: HolderRole,
    /// Lifecycle state at the platform (last known).
    pub status: CardStatus,
    /// Whether the platform allows codes.
    pub e_card: ECardState,
    /// The card number, masked.
    pub card_number_masked: String,
    /// Co-branded bank; `None` for a person acted for when the mandate's
    /// scopes do not disclose it.
    pub bank: Option<String>,
    /// Whether this device has stopped codes for it.
    pub suspended_here: bool,
    /// When the stored credential expires, if there is one.
    pub credential_not_after: Option<u64>,
}

/// What the UI needs to render, read without I/O.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct Snapshot {
    /// Whether an account is enrolled here.
    pub enrolled: bool,
    /// The account holder's name, masked.
    pub name_masked: Option<String>,
    /// The account holder's document number, masked.
    pub id_number_masked: Option<String>,
    /// Cards: the account holder's and those of people acted for.
    pub cards: Vec<CardView>,
    /// The catalogue cache.
    pub catalogue: CatalogueState,
    /// Whether the last platform call got through.
    pub online: bool,
    /// Difference between the platform clock and this device's, seconds.
    pub clock_offset_seconds: i64,
    /// Submissions waiting to be confirmed by the platform.
    pub outbox_pending: u64,
    /// Submissions that need the person's attention (refused by the platform).
    pub outbox_failed: u64,
    /// What the last recovery from a damaged database saved and lost.
    pub recovery: Option<RecoveryReport>,
}

pub(crate) struct Inner {
    pub(crate) config: ClientConfig,
    pub(crate) store: Store,
    pub(crate) cipher: FieldCipher,
    pub(crate) key_store: Arc<dyn SecureKeyStore>,
    pub(crate) network: Network,
    pub(crate) clock: Arc<TrustedClock>,
    pub(crate) session: RwLock<Option<(Session, Network)>>,
    pub(crate) catalogue: Catalogue,
    pub(crate) events: broadcast::Sender<ClientEvent>,
    pub(crate) online: AtomicBool,
    recovery: Option<RecoveryReport>,
    pub(crate) status: tokio::sync::Mutex<codes::StatusCache>,
    /// Held while the outbox is being sent, so sends never overlap.
    pub(crate) sending: tokio::sync::Mutex<()>,
    /// Refusals met by the outbox, for the caller that submitted.
    pub(crate) failures: std::sync::Mutex<std::collections::HashMap<i64, ClientError>>,
    /// An enrolment in progress on this device (kept in memory only: it
    /// lasts minutes, and starting again is safe).
    pub(crate) pending_enrolment: std::sync::Mutex<Option<crate::identity::PendingEnrolment>>,
    /// The last account notice seen.
    pub(crate) last_notice: std::sync::atomic::AtomicU64,
}

/// The client core.
#[derive(Clone)]
pub struct EcardClient {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for EcardClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("EcardClient")
            .field("data_dir", &self.inner.config.data_dir)
            .finish_non_exhaustive()
    }
}

/// Blocking work with its answer boxed, so that all of it goes through one
/// `spawn_blocking`: each closure type handed to tokio directly compiles its
/// own copy of tokio's task machinery (about 3 KB of the shipped library).
type BlockingJob = Box<dyn FnOnce() -> Box<dyn std::any::Any + Send> + Send>;

async fn run_blocking_job(
    job: BlockingJob,
) -> Result<Box<dyn std::any::Any + Send>, tokio::task::JoinError> {
    tokio::task::spawn_blocking(job).await
}

/// Runs `work` on the blocking pool (SQLite, key store, files).
pub(crate) async fn off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ClientError> {
    let answer = run_blocking_job(Box::new(move || {
        Box::new(work()) as Box<dyn std::any::Any + Send>
    }))
    .await
    .map_err(|error| ClientError::Internal(format!("background task failed: {error}")))?;
    answer
        .downcast::<T>()
        .map(|answer| *answer)
        .map_err(|_| ClientError::Internal("background task answered another type".into()))
}

/// Runs blocking work (SQLite, key store) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    inner: &Arc<Inner>,
    work: impl FnOnce(&Inner) -> Result<T, ClientError> + Send + 'static,
) -> Result<T, ClientError> {
    let inner = inner.clone();
    off_thread(move || work(&inner)).await?
}

/// What became of the database key at open.
enum DataKey {
    /// Unwrapped by the key store; wiped from memory when dropped.
    Unwrapped(Zeroizing<Vec<u8>>),
    /// There is none yet, or the key store said for certain that its
    /// wrapping key is gone: whatever was sealed can never be read again.
    Gone {
        /// Whether a wrapped key existed (a loss to report) or not (a first
        /// open, or a file removed with the app's data).
        existed: bool,
    },
}

/// Reads and unwraps the database key. Only [`KeyStoreError::NotFound`]
/// counts as lost; every other answer of the key store is a typed,
/// retryable [`ClientError::KeyStoreUnavailable`] that touches nothing (the
/// rule and its reasons are in the module docs).
fn data_key(config: &ClientConfig, key_store: &dyn SecureKeyStore) -> Result<DataKey, ClientError> {
    let path = config.data_dir.join(DATA_KEY_FILE);
    match std::fs::read(&path) {
        Ok(wrapped) => match key_store.unwrap(DATA_KEY_ALIAS, &wrapped) {
            Ok(key) if FieldCipherSuite::for_key_len(key.len()).is_some() => {
                Ok(DataKey::Unwrapped(Zeroizing::new(key)))
            }
            // The store opened the blob but answered nonsense: a store that
            // misbehaves, not a lost key.
            Ok(mut key) => {
                let length = key.len();
                key.zeroize();
                Err(unavailable(KeyStoreError::Backend(format!(
                    "the key store answered a database key of {length} bytes"
                ))))
            }
            Err(KeyStoreError::NotFound(_)) => Ok(DataKey::Gone { existed: true }),
            Err(refusal) => Err(unavailable(refusal)),
        },
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Ok(DataKey::Gone { existed: false })
        }
        Err(error) => Err(StorageError::Io(error).into()),
    }
}

/// A key-store refusal met while opening: nothing is deleted, and opening
/// again can succeed unless the store cannot do the operation at all.
fn unavailable(source: KeyStoreError) -> ClientError {
    let retryable = !matches!(source, KeyStoreError::UnsupportedSuite);
    ClientError::KeyStoreUnavailable { source, retryable }
}

/// Makes, wraps and stores a new database key. The wrapped key is written
/// only after the tables sealed under the old key were emptied, so a crash
/// in between leaves the old wrapped key, which the next open finds gone
/// again, and never a new key beside rows it cannot open.
fn new_data_key(
    path: &std::path::Path,
    key_store: &dyn SecureKeyStore,
    suite: FieldCipherSuite,
) -> Result<Zeroizing<Vec<u8>>, ClientError> {
    use ring::rand::SecureRandom as _;
    let mut key = Zeroizing::new(vec![0u8; suite.key_len()]);
    ring::rand::SystemRandom::new()
        .fill(&mut key)
        .map_err(|_| ClientError::Internal("no randomness".into()))?;
    let wrapped = key_store.wrap(DATA_KEY_ALIAS, &key).map_err(unavailable)?;
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, wrapped).map_err(StorageError::Io)?;
    std::fs::rename(&temporary, path).map_err(StorageError::Io)?;
    Ok(key)
}

/// The field cipher recorded in the database, if one is.
fn recorded_field_cipher(store: &Store) -> Result<Option<FieldCipherSuite>, ClientError> {
    match store.meta(FIELD_CIPHER_META)? {
        None => Ok(None),
        Some(name) => FieldCipherSuite::from_name(&name).map(Some).ok_or_else(|| {
            StorageError::Corrupt(format!("unknown field cipher {name:?} recorded")).into()
        }),
    }
}

/// Tables sealed under the data key, cleared when that key is gone for certain.
const SEALED_TABLES: &[&str] = &[
    "session",
    "profile",
    "drafts",
    "outbox",
    "credentials",
    "suspensions",
];

impl EcardClient {
    /// Opens the client: storage (recovering a damaged file), the data key,
    /// the session and the catalogue cache. Does no network I/O.
    pub async fn open(
        config: ClientConfig,
        key_store: Arc<dyn SecureKeyStore>,
    ) -> Result<EcardClient, ClientError> {
        EcardClient::open_over(config, key_store, None).await
    }

    /// Opens the client as [`EcardClient::open`] does, carrying its calls to
    /// the platform over `transport` instead of HTTPS (a platform in the
    /// same process, a test double). Signing, the trusted clock, retries
    /// and limits stay the client's own, whatever the transport.
    pub async fn open_with_transport(
        config: ClientConfig,
        key_store: Arc<dyn SecureKeyStore>,
        transport: Arc<dyn Transport>,
    ) -> Result<EcardClient, ClientError> {
        EcardClient::open_over(config, key_store, Some(transport)).await
    }

    async fn open_over(
        config: ClientConfig,
        key_store: Arc<dyn SecureKeyStore>,
        transport: Option<Arc<dyn Transport>>,
    ) -> Result<EcardClient, ClientError> {
        off_thread(move || EcardClient::open_blocking(config, key_store, transport)).await?
    }

    fn open_blocking(
        config: ClientConfig,
        key_store: Arc<dyn SecureKeyStore>,
        transport: Option<Arc<dyn Transport>>,
    ) -> Result<EcardClient, ClientError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|error| match error.kind() {
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                ClientError::Storage(StorageError::ReadOnly)
            }
            _ => ClientError::Storage(StorageError::Io(error)),
        })?;
        let (store, mut recovery) = Store::open(&config.data_dir.join(DATABASE_FILE))?;
        // A plain copy made for the share sheet lives until the next start.
        crate::insurance::clear_shared(&config.data_dir)?;
        if let Some(limit) = config.storage_limit_bytes {
            store.limit_size(limit)?;
        }
        // The recorded cipher is checked before the key store is asked: a
        // refusal shows no biometric prompt and touches nothing.
        let requested = config.field_cipher;
        let recorded = recorded_field_cipher(&store)?;
        if let Some(recorded) = recorded
            && recorded != requested
        {
            return Err(ClientError::FieldCipherMismatch {
                recorded,
                requested,
            });
        }
        let key = match data_key(&config, key_store.as_ref())? {
            DataKey::Unwrapped(key) => {
                let keyed = FieldCipherSuite::for_key_len(key.len()).unwrap_or(requested);
                match recorded {
                    // A database from before the choice was recorded, or
                    // rebuilt after damage: its key says what sealed it.
                    None if keyed != requested => {
                        return Err(ClientError::FieldCipherMismatch {
                            recorded: keyed,
                            requested,
                        });
                    }
                    None => store.write(|tx| set_meta(tx, FIELD_CIPHER_META, keyed.name()))?,
                    Some(_) if keyed != requested => {
                        return Err(unavailable(KeyStoreError::Backend(format!(
                            "the key store answered a database key of {} bytes for {requested}",
                            key.len()
                        ))));
                    }
                    Some(_) => {}
                }
                key
            }
            DataKey::Gone { existed } => {
                // Rows sealed under a key that no longer exists can never be
                // read again; clear them before the new key is stored, and
                // record the cipher the new key is for in the same step.
                let lost = store.write(|tx| {
                    let mut lost = Vec::new();
                    for table in SEALED_TABLES {
                        if tx.execute(&format!("DELETE FROM {table}"), [])? > 0 {
                            lost.push((*table).to_owned());
                        }
                    }
                    set_meta(tx, FIELD_CIPHER_META, requested.name())?;
                    Ok(lost)
                })?;
                if existed || !lost.is_empty() {
                    let report = recovery.get_or_insert_with(RecoveryReport::default);
                    report.lost.extend(lost);
                }
                new_data_key(
                    &config.data_dir.join(DATA_KEY_FILE),
                    key_store.as_ref(),
                    requested,
                )?
            }
        };
        let cipher = FieldCipher::new(requested, &key)?;
        let offset: i64 = store
            .meta("clock_offset_millis")?
            .and_then(|text| text.parse().ok())
            .unwrap_or(0);
        let clock = Arc::new(TrustedClock::with_wall_clock(
            offset,
            config.wall_clock.clone(),
        ));
        let network = match transport {
            Some(transport) => {
                Network::with_transport(&config.platform_url, clock.clone(), transport)?
            }
            None => Network::new(&config.platform_url, clock.clone(), config.request_timeout)?,
        };
        let catalogue = Catalogue::load(&store)?;
        let (events, _) = broadcast::channel(64);
        let inner = Inner {
            config,
            store,
            cipher,
            key_store,
            network,
            clock,
            session: RwLock::new(None),
            catalogue,
            events,
            online: AtomicBool::new(false),
            recovery,
            status: tokio::sync::Mutex::default(),
            sending: tokio::sync::Mutex::new(()),
            failures: std::sync::Mutex::default(),
            pending_enrolment: std::sync::Mutex::default(),
            last_notice: std::sync::atomic::AtomicU64::new(0),
        };
        let session = crate::account::load_session(&inner)?;
        if let Some(session) = session {
            let signed = inner
                .network
                .with_signer(signer(&inner, &session.device_id));
            *inner
                .session
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some((session, signed));
        }
        Ok(EcardClient {
            inner: Arc::new(inner),
        })
    }

    /// Events to observe; dropping the receiver unsubscribes.
    pub fn subscribe(&self) -> broadcast::Receiver<ClientEvent> {
        self.inner.events.subscribe()
    }

    pub(crate) fn emit(&self, event: ClientEvent) {
        let _ = self.inner.events.send(event);
    }

    /// The platform's time as this device estimates it (Unix seconds).
    pub fn trusted_now(&self) -> u64 {
        self.inner.clock.now()
    }

    /// Today's date in China by the trusted clock: the date ages, the
    /// 18th birthday and document validity are judged on.
    pub(crate) fn china_today(&self) -> Result<ecard_documents::Date, ClientError> {
        ecard_documents::Date::in_china_at(self.trusted_now())
            .ok_or_else(|| ClientError::Internal("clock out of range".into()))
    }

    /// The session, if enrolled.
    pub fn session(&self) -> Option<Session> {
        self.inner
            .session
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|(session, _)| session.clone())
    }

    pub(crate) fn signed_network(&self) -> Result<Network, ClientError> {
        self.inner
            .session
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|(_, network)| network.clone())
            .ok_or(ClientError::NotEnrolled)
    }

    /// Sends a request, tracking connectivity and persisting the clock offset.
    pub(crate) async fn call(
        &self,
        network: &Network,
        request: &ApiRequest,
        policy: RetryPolicy,
    ) -> Result<ApiResponse, ClientError> {
        let result = network.send(request, policy).await;
        let online = !matches!(result, Err(ClientError::Offline(_) | ClientError::Timeout));
        if self.inner.online.swap(online, Ordering::Relaxed) != online {
            self.emit(ClientEvent::ConnectivityChanged { online });
        }
        if online && self.inner.clock.is_observed() {
            let offset = self.inner.clock.offset_millis();
            let _ = self
                .inner
                .store
                .write(|tx| set_meta(tx, "clock_offset_millis", &offset.to_string()));
        }
        result
    }

    /// What the UI renders. No network or key-store I/O.
    pub fn snapshot(&self) -> Result<Snapshot, ClientError> {
        let session = self.session();
        let profile = self.cached_profile()?;
        let stored = codes::stored(&self.inner.store)?;
        let suspended = codes::suspended_cards(&self.inner.store)?;
        let (outbox_pending, outbox_failed) = crate::outbox::counts(&self.inner.store)?;
        let mut cards = Vec::new();
        if let Some(profile) = &profile {
            let people = std::iter::once((&profile.person, true))
                .chain(profile.principals.iter().map(|person| (person, false)));
            for (person, own) in people {
                for card in &person.cards {
                    let credential = stored.iter().find(|stored| stored.card_id == card.card_id);
                    cards.push(CardView {
                        card_id: card.card_id.clone(),
                        person_id: person.person_id.clone(),
                        holder_name_masked: person.name_masked.clone(),
                        role: if own {
                            HolderRole::Holder
                        } else {
                            credential.map_or(HolderRole::Proxy, |stored| stored.role)
                        },
                        status: card.status,
                        e_card: card.e_card,
                        card_number_masked: card.card_number_masked.clone(),
                        bank: card.bank.clone(),
                        suspended_here: suspended.contains(&card.card_id),
                        credential_not_after: credential
                            .map(|stored| stored.credential.claims.not_after()),
                    });
                }
            }
        }
        let view = session.as_ref().map(Session::view);
        Ok(Snapshot {
            enrolled: session.is_some(),
            name_masked: view.as_ref().map(|view| view.name_masked.clone()),
            id_number_masked: view.map(|view| view.id_number_masked),
            cards,
            catalogue: self.inner.catalogue.state(),
            online: self.inner.online.load(Ordering::Relaxed),
            clock_offset_seconds: self.inner.clock.offset_millis() / 1_000,
            outbox_pending,
            outbox_failed,
            recovery: self.inner.recovery.clone(),
        })
    }

    /// The account holder's full document number, for the "show number"
    /// toggle (小眼睛) the person taps on purpose. Everything else shows the
    /// masked form; the app hides it again after a few seconds and never
    /// logs it. No I/O.
    pub fn reveal_id_number(&self) -> Result<String, ClientError> {
        Ok(self
            .session()
            .ok_or(ClientError::NotEnrolled)?
            .identity
            .id_number)
    }

    /// The locale of messages.
    pub fn locale(&self) -> Locale {
        self.inner.config.locale
    }
}

pub(crate) fn to_storage(error: ClientError) -> StorageError {
    match error {
        ClientError::Storage(error) => error,
        other => StorageError::Corrupt(other.to_string()),
    }
}

/// Signs requests with the device key, naming `signer_id` (a device id,
/// or an enrolment id while enrolling).
pub(crate) fn signer(inner: &Inner, signer_id: &str) -> DeviceSigner {
    DeviceSigner {
        key_store: inner.key_store.clone(),
        alias: DEVICE_KEY_ALIAS.to_owned(),
        device_id: signer_id.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

    use std::path::Path;

    use super::*;
    use crate::error::ErrorCategory;
    use crate::keystore::FileKeyStore;
    use crate::test_platform::{TestPlatform, block_on, new_card_form, test_photo};
    use crate::workflows::DraftForm;

    fn config(data: &Path, suite: FieldCipherSuite) -> ClientConfig {
        let mut config = ClientConfig::new(data, crate::transport::in_process::BASE_URL);
        config.field_cipher = suite;
        config
    }

    async fn open(
        platform: &TestPlatform,
        data: &Path,
        suite: FieldCipherSuite,
    ) -> Result<EcardClient, ClientError> {
        let keys = Arc::new(FileKeyStore::open(data.join("keys")).unwrap());
        EcardClient::open_with_transport(config(data, suite), keys, platform.network.clone()).await
    }

    /// The database file and its write-ahead log, as an attacker with the
    /// phone's storage reads them.
    fn raw_database(data: &Path) -> Vec<u8> {
        let mut bytes = std::fs::read(data.join(DATABASE_FILE)).unwrap();
        bytes.extend(std::fs::read(data.join("ecard.db-wal")).unwrap_or_default());
        bytes
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    fn sql(data: &Path) -> rusqlite::Connection {
        rusqlite::Connection::open(data.join(DATABASE_FILE)).unwrap()
    }

    fn recorded(data: &Path) -> Option<String> {
        use rusqlite::OptionalExtension as _;
        sql(data)
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [FIELD_CIPHER_META],
                |row| row.get(0),
            )
            .optional()
            .unwrap()
    }

    #[test]
    fn personal_data_at_rest_is_sealed_under_either_cipher() {
        for suite in FieldCipherSuite::ALL {
            let platform = TestPlatform::start();
            let data = tempfile::tempdir().unwrap();
            let identity = block_on(platform.persona("resident"));
            let photo = test_photo();
            block_on(async {
                let client = open(&platform, data.path(), suite).await.unwrap();
                platform.enrol(&client, "resident").await;
                client
                    .save_draft(None, DraftForm::NewCard(new_card_form(None)))
                    .await
                    .unwrap();
            });
            let bytes = raw_database(data.path());
            for (what, secret) in [
                ("name", identity.name.as_bytes()),
                ("ID number", identity.id_number.as_bytes()),
                ("phone", b"13800138000".as_slice()),
                ("photo", &photo[..64]),
            ] {
                assert!(!contains(&bytes, secret), "{suite}: plaintext {what}");
            }
            assert_eq!(recorded(data.path()).as_deref(), Some(suite.name()));
            let sealed: Vec<u8> = sql(data.path())
                .query_row("SELECT sealed FROM session", [], |row| row.get(0))
                .unwrap();
            assert_eq!(sealed[0], suite.version_byte(), "{suite}");
            // The key made for it has the suite's length; the choice and the
            // data survive reopening.
            let client = block_on(open(&platform, data.path(), suite)).unwrap();
            assert_eq!(client.inner.cipher.suite(), suite);
            assert_eq!(client.session().unwrap().identity, identity);
            let drafts = client.drafts().unwrap();
            assert_eq!(drafts.len(), 1);
            assert_eq!(
                drafts[0].form,
                DraftForm::NewCard(new_card_form(None)),
                "{suite}"
            );
        }
    }

    #[test]
    fn a_database_refuses_the_other_cipher_and_keeps_its_data() {
        for (made, asked) in [
            (FieldCipherSuite::Sm4Gcm, FieldCipherSuite::Aes256Gcm),
            (FieldCipherSuite::Aes256Gcm, FieldCipherSuite::Sm4Gcm),
        ] {
            let platform = TestPlatform::start();
            let data = tempfile::tempdir().unwrap();
            block_on(async {
                let client = open(&platform, data.path(), made).await.unwrap();
                client
                    .save_draft(Some("d-1".into()), DraftForm::NewCard(new_card_form(None)))
                    .await
                    .unwrap();
            });
            let key_file = std::fs::read(data.path().join(DATA_KEY_FILE)).unwrap();
            let refused = block_on(open(&platform, data.path(), asked)).unwrap_err();
            assert!(
                matches!(
                    refused,
                    ClientError::FieldCipherMismatch { recorded, requested }
                        if recorded == made && requested == asked
                ),
                "{refused:?}"
            );
            assert_eq!(refused.code(), "field_cipher_mismatch");
            assert_eq!(refused.category(), ErrorCategory::Internal);
            assert!(refused.message(Locale::ZhCn).contains("加密方式"));
            assert!(refused.message(Locale::En).contains("encryption setting"));
            // Nothing was touched: the record, the key and the draft are as
            // they were, and the recorded cipher still opens them.
            assert_eq!(recorded(data.path()).as_deref(), Some(made.name()));
            assert_eq!(
                std::fs::read(data.path().join(DATA_KEY_FILE)).unwrap(),
                key_file
            );
            let client = block_on(open(&platform, data.path(), made)).unwrap();
            assert_eq!(client.drafts().unwrap().len(), 1);
        }
    }

    #[test]
    fn a_database_from_before_the_record_is_judged_by_its_key() {
        let platform = TestPlatform::start();
        let data = tempfile::tempdir().unwrap();
        block_on(async {
            let client = open(&platform, data.path(), FieldCipherSuite::Aes256Gcm)
                .await
                .unwrap();
            client
                .save_draft(None, DraftForm::NewCard(new_card_form(None)))
                .await
                .unwrap();
        });
        // As an earlier release left it: no record, a 32-byte key.
        sql(data.path())
            .execute("DELETE FROM meta WHERE key = ?1", [FIELD_CIPHER_META])
            .unwrap();
        let refused = block_on(open(&platform, data.path(), FieldCipherSuite::Sm4Gcm)).unwrap_err();
        assert!(
            matches!(
                refused,
                ClientError::FieldCipherMismatch {
                    recorded: FieldCipherSuite::Aes256Gcm,
                    requested: FieldCipherSuite::Sm4Gcm,
                }
            ),
            "{refused:?}"
        );
        assert_eq!(recorded(data.path()), None);
        let client = block_on(open(&platform, data.path(), FieldCipherSuite::Aes256Gcm)).unwrap();
        assert_eq!(client.drafts().unwrap().len(), 1);
        assert_eq!(recorded(data.path()).as_deref(), Some("aes-256-gcm"));
    }

    #[test]
    fn values_that_do_not_authenticate_are_typed_errors() {
        let platform = TestPlatform::start();
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        for data in [first.path(), second.path()] {
            block_on(async {
                let client = open(&platform, data, FieldCipherSuite::Sm4Gcm)
                    .await
                    .unwrap();
                client
                    .save_draft(Some("d-1".into()), DraftForm::NewCard(new_card_form(None)))
                    .await
                    .unwrap();
            });
        }
        let sealed = |data: &Path| -> Vec<u8> {
            sql(data)
                .query_row("SELECT sealed FROM drafts", [], |row| row.get(0))
                .unwrap()
        };
        // A value sealed under another database's key.
        let foreign = sealed(first.path());
        sql(second.path())
            .execute("UPDATE drafts SET sealed = ?1", [&foreign])
            .unwrap();
        let client = block_on(open(&platform, second.path(), FieldCipherSuite::Sm4Gcm)).unwrap();
        assert!(
            matches!(
                client.drafts(),
                Err(ClientError::Storage(StorageError::Crypto(_)))
            ),
            "another key"
        );
        drop(client);
        // A value whose tag was changed.
        let mut forged = sealed(first.path());
        *forged.last_mut().unwrap() ^= 1;
        sql(first.path())
            .execute("UPDATE drafts SET sealed = ?1", [&forged])
            .unwrap();
        let client = block_on(open(&platform, first.path(), FieldCipherSuite::Sm4Gcm)).unwrap();
        let error = client.drafts().unwrap_err();
        assert!(
            matches!(error, ClientError::Storage(StorageError::Crypto(_))),
            "{error:?}"
        );
        assert_eq!(error.code(), "storage");
    }
}
