//! Faults the client meets in the field, each ending in a typed error or a
//! recovery — never a panic, never a lost or doubled submission: a
//! misbehaving network (refused, reset, silent, truncated, wrong content
//! type, malformed JSON, busy), a full disk, a read-only data directory,
//! a phone clock that jumps, and a key store that refuses (a cancelled
//! prompt, a locked phone, a failing store) or has lost its key.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecard_api::resident::{Delivery, LossKind};
use ecard_core::net::WallClock;
use ecard_core::{
    ClientConfig, ClientError, DraftForm, EcardClient, ErrorCategory, FileKeyStore, NewCardForm,
    OutboxState, SecureKeyStore,
};
use ecard_credential::{KeyStore, KeyStoreError, Locale, PublicKey, Purpose, Suite};
use ecard_e2e::{TestPlatform, identity_of, open_client, terminal};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How the fake platform misbehaves.
#[derive(Clone, Copy, Debug)]
enum Fault {
    Reset,
    Silent,
    Truncated,
    WrongContentType,
    MalformedJson,
    Busy,
    PlainServerError,
}

/// A loopback server that answers every request with `fault`.
async fn faulty_server(fault: Fault) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 65_536];
                let _ = socket.read(&mut buffer).await;
                let reply: &[u8] = match fault {
                    Fault::Reset => return,
                    Fault::Silent => {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    Fault::Truncated => b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{\"items\":{\"version\":",
                    Fault::WrongContentType => b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 24\r\n\r\n<html>captive portal</html>",
                    Fault::MalformedJson => b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\n{not json",
                    Fault::Busy => b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 1\r\ncontent-length: 0\r\n\r\n",
                    Fault::PlainServerError => b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/plain\r\ncontent-length: 4\r\n\r\noops",
                };
                let _ = socket.write_all(reply).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{address}")
}

async fn client_at(url: &str, data: &std::path::Path) -> EcardClient {
    let key_store = Arc::new(FileKeyStore::open(data.join("keys")).unwrap());
    let mut config = ClientConfig::new(data, url);
    config.request_timeout = Duration::from_millis(800);
    EcardClient::open(config, key_store).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misbehaving_network_gives_typed_errors_and_keeps_submissions() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let data = tempfile::tempdir().unwrap();
    {
        let client = open_client(&platform.url(), data.path()).await;
        ecard_e2e::enrol(&client, &platform.url(), identity_of(&elder))
            .await
            .unwrap();
        client.sync_catalogue().await.unwrap();
    }
    let refused_url = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let mut queued = None;
    let mut urls = vec![("refused".to_owned(), refused_url)];
    for fault in [
        Fault::Reset,
        Fault::Silent,
        Fault::Truncated,
        Fault::WrongContentType,
        Fault::MalformedJson,
        Fault::Busy,
        Fault::PlainServerError,
    ] {
        urls.push((format!("{fault:?}"), faulty_server(fault).await));
    }
    for (name, url) in urls {
        let client = client_at(&url, data.path()).await;
        let error = client.sync_catalogue().await.unwrap_err();
        assert_eq!(
            error.category(),
            ErrorCategory::Network,
            "{name}: {error:?}"
        );
        assert!(!error.message(ecard_credential::Locale::ZhCn).is_empty());
        // Searches and codes keep working from what is stored.
        assert!(
            !client
                .search(&ecard_core::SearchQuery {
                    text: "社保".into(),
                    ..Default::default()
                })
                .is_empty(),
            "{name}"
        );
        if let Some(id) = queued {
            let retried = client.retry_submission(id).await.unwrap();
            assert_eq!(
                retried.state,
                OutboxState::Pending,
                "{name}: the submission must stay queued"
            );
        } else {
            let card = client.snapshot().unwrap().cards[0].card_id.clone();
            let submission = client
                .report_loss(&card, LossKind::Temporary)
                .await
                .unwrap();
            assert_eq!(submission.state, OutboxState::Pending, "{name}");
            queued = Some(submission.outbox_id);
        }
        assert_eq!(client.snapshot().unwrap().outbox_pending, 1, "{name}");
    }
    // Back at the real platform: sent exactly once.
    let client = open_client(&platform.url(), data.path()).await;
    let sent = client.retry_submission(queued.unwrap()).await.unwrap();
    assert_eq!(sent.state, OutboxState::Done);
    let audit = client.audit_trail().await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|entry| entry.action == "card.loss_report.temporary")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_cleanly_and_loses_nothing() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let data = tempfile::tempdir().unwrap();
    {
        let client = open_client(&platform.url(), data.path()).await;
        ecard_e2e::enrol(&client, &platform.url(), identity_of(&elder))
            .await
            .unwrap();
    }
    // The disk fills up: the database may not grow past 200 KB.
    let key_store = Arc::new(FileKeyStore::open(data.path().join("keys")).unwrap());
    let mut config = ClientConfig::new(data.path(), platform.url());
    config.storage_limit_bytes = Some(200 * 1024);
    let client = EcardClient::open(config, key_store).await.unwrap();
    let error = client.sync_catalogue().await.unwrap_err();
    assert!(
        matches!(
            error,
            ClientError::Storage(ecard_core::StorageError::DiskFull)
        ),
        "{error:?}"
    );
    assert_eq!(error.code(), "disk_full");
    assert!(
        error
            .message(ecard_credential::Locale::ZhCn)
            .contains("存储空间")
    );
    // Nothing half-written: the catalogue is as empty as before, the session intact.
    let snapshot = client.snapshot().unwrap();
    assert_eq!(snapshot.catalogue.item_count, 0);
    assert!(snapshot.enrolled);
    // Codes still work (a counter update fits).
    client.current_code(None, Purpose::Medical).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_data_directory_is_a_typed_error() {
    let key_store = Arc::new(ecard_core::MemoryKeyStore::new());
    for path in ["/proc/ecard-test-data", "/sys/ecard-test-data"] {
        let error = EcardClient::open(
            ClientConfig::new(path, "http://127.0.0.1:9"),
            key_store.clone(),
        )
        .await
        .unwrap_err();
        assert_eq!(
            error.category(),
            ErrorCategory::Internal,
            "{path}: {error:?}"
        );
        assert!(
            matches!(error, ClientError::Storage(_)),
            "{path}: {error:?}"
        );
        assert!(!error.message(ecard_credential::Locale::En).is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_survive_phone_clock_jumps() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let data = tempfile::tempdir().unwrap();
    let real = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    };
    let skew = Arc::new(AtomicI64::new(0));
    let reading = skew.clone();
    let mut config = ClientConfig::new(data.path(), platform.url());
    config.wall_clock = WallClock::from_fn(move || real() + reading.load(Ordering::Relaxed));
    let client = EcardClient::open(
        config,
        Arc::new(FileKeyStore::open(data.path().join("keys")).unwrap()),
    )
    .await
    .unwrap();
    ecard_e2e::enrol(&client, &platform.url(), identity_of(&elder))
        .await
        .unwrap();
    for jump in [86_400_000i64, -86_400_000, 300_000, -300_000] {
        skew.store(jump, Ordering::Relaxed);
        let code = client.current_code(None, Purpose::Transport).await.unwrap();
        let platform_now = real() as u64 / 1_000;
        let mut gate = terminal(&platform.url(), &[Purpose::Transport], platform_now).await;
        gate.verify(&code.text, platform_now)
            .unwrap_or_else(|error| panic!("jump {jump}: {error:?}"));
    }
}

/// A phone's key store that refuses on command: every operation answers
/// the set refusal until it is lifted, like a store behind a dismissed
/// fingerprint prompt, a locked phone or a secure element that fails.
struct RefusingKeyStore {
    inner: FileKeyStore,
    refusal: Mutex<Option<KeyStoreError>>,
    unwraps: AtomicI64,
}

impl RefusingKeyStore {
    fn open(directory: &std::path::Path) -> Arc<RefusingKeyStore> {
        Arc::new(RefusingKeyStore {
            inner: FileKeyStore::open(directory).unwrap(),
            refusal: Mutex::new(None),
            unwraps: AtomicI64::new(0),
        })
    }

    fn refuse(&self, refusal: Option<KeyStoreError>) {
        *self.refusal.lock().unwrap() = refusal;
    }

    fn check(&self) -> Result<(), KeyStoreError> {
        self.refusal.lock().unwrap().clone().map_or(Ok(()), Err)
    }
}

impl KeyStore for RefusingKeyStore {
    fn generate_key(&self, alias: &str, suite: Suite) -> Result<PublicKey, KeyStoreError> {
        self.check()?;
        self.inner.generate_key(alias, suite)
    }
    fn public_key(&self, alias: &str) -> Result<PublicKey, KeyStoreError> {
        self.check()?;
        self.inner.public_key(alias)
    }
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        self.check()?;
        self.inner.sign(alias, message)
    }
    fn delete_key(&self, alias: &str) -> Result<(), KeyStoreError> {
        self.check()?;
        self.inner.delete_key(alias)
    }
}

impl SecureKeyStore for RefusingKeyStore {
    fn wrap(&self, alias: &str, secret: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        self.check()?;
        self.inner.wrap(alias, secret)
    }
    fn unwrap(&self, alias: &str, wrapped: &[u8]) -> Result<Vec<u8>, KeyStoreError> {
        self.unwraps.fetch_add(1, Ordering::Relaxed);
        self.check()?;
        self.inner.unwrap(alias, wrapped)
    }
}

async fn open_with(url: &str, data: &std::path::Path, keys: &Arc<RefusingKeyStore>) -> EcardClient {
    EcardClient::open(ClientConfig::new(data, url), keys.clone())
        .await
        .unwrap()
}

/// What a resident has on the phone: enrolled, a draft, and a loss report
/// queued while offline that the platform has not seen. Returns the queued
/// submission's id.
async fn a_phone_with_a_queued_loss_report(
    platform: &TestPlatform,
    data: &std::path::Path,
    keys: &Arc<RefusingKeyStore>,
) -> i64 {
    let elder = platform.persona("elder").await;
    {
        let client = open_with(&platform.url(), data, keys).await;
        ecard_e2e::enrol(&client, &platform.url(), identity_of(&elder))
            .await
            .unwrap();
        client.sync_catalogue().await.unwrap();
        client
            .save_draft(
                None,
                DraftForm::NewCard(NewCardForm {
                    person_id: None,
                    photo_jpeg: vec![0xff, 0xd8, 0xff, 0xd9],
                    bank: "icbc".into(),
                    phone: "13900139000".into(),
                    delivery: Delivery::Pickup {
                        outlet_id: "outlet-1".into(),
                    },
                    instant_issue: false,
                }),
            )
            .await
            .unwrap();
    }
    let offline = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let client = open_with(&offline, data, keys).await;
    let card = client.snapshot().unwrap().cards[0].card_id.clone();
    let queued = client
        .report_loss(&card, LossKind::Temporary)
        .await
        .unwrap();
    assert_eq!(queued.state, OutboxState::Pending);
    queued.outbox_id
}

/// Everything sealed on the phone, for comparing before and after.
fn everything(client: &EcardClient) -> (String, Vec<String>, u64, Vec<String>, usize) {
    let snapshot = client.snapshot().unwrap();
    (
        client.session().unwrap().device_id,
        snapshot
            .cards
            .iter()
            .map(|card| format!("{}:{}", card.card_id, card.suspended_here))
            .collect(),
        snapshot.outbox_pending,
        client
            .drafts()
            .unwrap()
            .into_iter()
            .map(|draft| draft.draft_id)
            .collect(),
        client.outbox().unwrap().len(),
    )
}

/// Rows in each table sealed under the database key, read from the file.
fn sealed_rows(database: &std::path::Path) -> Vec<(&'static str, i64)> {
    let connection = rusqlite::Connection::open(database).unwrap();
    [
        "session",
        "profile",
        "drafts",
        "outbox",
        "credentials",
        "suspensions",
    ]
    .into_iter()
    .map(|table| {
        let count = connection
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .unwrap();
        (table, count)
    })
    .collect()
}

/// The key store refuses with `refusal` while the app opens: a typed,
/// retryable error, nothing deleted; once it answers, everything is there
/// and the queued loss report reaches the platform exactly once.
async fn a_key_store_refusal_loses_nothing(refusal: KeyStoreError, category: ErrorCategory) {
    let platform = TestPlatform::start();
    let data = tempfile::tempdir().unwrap();
    let keys = RefusingKeyStore::open(&data.path().join("keys"));
    let queued = a_phone_with_a_queued_loss_report(&platform, data.path(), &keys).await;
    let before = everything(&open_with(&platform.url(), data.path(), &keys).await);
    let wrapped = std::fs::read(data.path().join("data-key.wrapped")).unwrap();
    let database = data.path().join("ecard.db");
    let rows = sealed_rows(&database);
    assert!(
        rows.iter()
            .filter(|(table, _)| ["session", "drafts", "outbox", "credentials"].contains(table))
            .all(|(_, count)| *count > 0),
        "{rows:?}"
    );

    keys.refuse(Some(refusal.clone()));
    for _ in 0..3 {
        let asked = keys.unwraps.load(Ordering::Relaxed);
        let error = EcardClient::open(ClientConfig::new(data.path(), platform.url()), keys.clone())
            .await
            .unwrap_err();
        assert_eq!(keys.unwraps.load(Ordering::Relaxed), asked + 1);
        assert!(
            matches!(
                &error,
                ClientError::KeyStoreUnavailable { source, retryable: true } if *source == refusal
            ),
            "{error:?}"
        );
        assert_eq!(error.code(), "key_store_unavailable");
        assert_eq!(error.category(), category);
        for locale in [Locale::ZhCn, Locale::En] {
            let message = error.message(locale);
            assert!(
                message.contains("资料都还在") || message.contains("Nothing has been lost"),
                "{message}"
            );
        }
        // Nothing touched: the wrapped key, and the sealed rows.
        assert_eq!(
            std::fs::read(data.path().join("data-key.wrapped")).unwrap(),
            wrapped
        );
        assert_eq!(sealed_rows(&database), rows);
    }

    // The key store answers again: everything is as it was.
    keys.refuse(None);
    let client = open_with(&platform.url(), data.path(), &keys).await;
    assert_eq!(everything(&client), before);
    assert_eq!(client.snapshot().unwrap().recovery, None);
    let sent = client.retry_submission(queued).await.unwrap();
    assert_eq!(sent.state, OutboxState::Done);
    let audit = client.audit_trail().await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|entry| entry.action == "card.loss_report.temporary")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_store_refusal_cancelled_prompt_loses_nothing() {
    a_key_store_refusal_loses_nothing(KeyStoreError::UserCancelled, ErrorCategory::NotAllowed)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_store_refusal_locked_loses_nothing() {
    a_key_store_refusal_loses_nothing(KeyStoreError::Locked, ErrorCategory::NotAllowed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_store_refusal_backend_failure_loses_nothing() {
    a_key_store_refusal_loses_nothing(
        KeyStoreError::Backend("the secure element did not answer".into()),
        ErrorCategory::Internal,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_store_without_the_wrapping_key_starts_over() {
    let platform = TestPlatform::start();
    let data = tempfile::tempdir().unwrap();
    let keys = RefusingKeyStore::open(&data.path().join("keys"));
    a_phone_with_a_queued_loss_report(&platform, data.path(), &keys).await;
    // The one definite loss: the store holds no wrapping key any more (the
    // app's keys were cleared, or the data was restored onto another phone).
    std::fs::remove_file(data.path().join("keys").join("ecard-data.wrap")).unwrap();
    let keys = RefusingKeyStore::open(&data.path().join("keys"));
    let client = open_with(&platform.url(), data.path(), &keys).await;
    let snapshot = client.snapshot().unwrap();
    assert!(!snapshot.enrolled);
    assert_eq!(snapshot.outbox_pending, 0);
    let recovery = snapshot.recovery.unwrap();
    for table in ["session", "drafts", "outbox"] {
        assert!(recovery.lost.contains(&table.to_owned()), "{recovery:?}");
    }
    drop(client);
    // The new key is stored, and the next open finds nothing more lost.
    let client = open_with(&platform.url(), data.path(), &keys).await;
    assert_eq!(client.snapshot().unwrap().recovery, None);
}
