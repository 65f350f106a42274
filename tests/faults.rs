//! Faults the client meets in the field, each ending in a typed error or a
//! recovery — never a panic, never a lost or doubled submission: a
//! misbehaving network (refused, reset, silent, truncated, wrong content
//! type, malformed JSON, busy), a full disk, a read-only data directory,
//! and a phone clock that jumps.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use ecard_api::resident::LossKind;
use ecard_core::net::WallClock;
use ecard_core::{
    ClientConfig, ClientError, EcardClient, ErrorCategory, FileKeyStore, OutboxState,
};
use ecard_credential::Purpose;
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
