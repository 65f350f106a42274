//! The client core against the platform on loopback: enrol, sync the
//! catalogue, search in characters and pinyin, find outlets, show codes;
//! go offline and still search and show codes; come back and re-sync with
//! a 304; reopen from disk; and no plaintext personal data in the file.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::Arc;

use ecard_api::resident::PersonIdentity;
use ecard_core::{ClientConfig, ClientError, EcardClient, FileKeyStore, OutletQuery, SearchQuery};
use ecard_credential::{ConcessionClass, Disclosure, Purpose, TrustList, Verifier, VerifierPolicy};
use ecard_e2e::TestPlatform;

async fn open_client(platform: &TestPlatform, data: &std::path::Path) -> EcardClient {
    let key_store = Arc::new(FileKeyStore::open(data.join("keys")).unwrap());
    EcardClient::open(ClientConfig::new(data, platform.url()), key_store)
        .await
        .unwrap()
}

async fn trust_list(platform: &TestPlatform) -> TrustList {
    let now = reqwest::get(format!("{}/v1/time", platform.url()))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["now"]
        .as_u64()
        .unwrap();
    ecard_e2e::verified_trust_list(&platform.url(), now).await
}

fn names(hits: &[ecard_core::SearchHit]) -> Vec<String> {
    hits.iter().map(|hit| hit.item.name.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrol_sync_search_codes_offline_and_back() {
    let mut platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let data = tempfile::tempdir().unwrap();
    let client = open_client(&platform, data.path()).await;

    // Enrol the elderly resident, who already has a card.
    let identity = PersonIdentity {
        id_type: "resident_id".into(),
        id_number: elder["id_number"].as_str().unwrap().into(),
        name: elder["name"].as_str().unwrap().into(),
    };
    let wrong_name = PersonIdentity {
        name: "王五".into(),
        ..identity.clone()
    };
    let refused = ecard_e2e::enrol(&client, &platform.url(), wrong_name)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "identity_not_verified");
    assert!(
        refused
            .message(ecard_credential::Locale::ZhCn)
            .contains("身份核验未通过")
    );
    let bad_number = PersonIdentity {
        id_number: "360102194806020465".into(),
        ..identity.clone()
    };
    let refused = ecard_e2e::enrol(&client, &platform.url(), bad_number)
        .await
        .unwrap_err();
    assert_eq!(refused.field().as_deref(), Some("id_number"));

    ecard_e2e::enrol(&client, &platform.url(), identity.clone())
        .await
        .unwrap();
    let snapshot = client.snapshot().unwrap();
    assert!(snapshot.enrolled);
    assert_eq!(snapshot.name_masked.as_deref(), Some("刘**"));
    assert!(
        !snapshot
            .id_number_masked
            .as_deref()
            .unwrap()
            .contains("19480602")
    );
    assert_eq!(snapshot.cards.len(), 1);
    assert!(snapshot.cards[0].credential_not_after.is_some());

    // First sync: the whole catalogue, outlets and rules.
    let report = client.sync_catalogue().await.unwrap();
    assert!(!report.unchanged);
    assert!(report.items_changed >= 323, "{report:?}");
    assert!(report.outlets_changed >= 3_000, "{report:?}");
    let state = client.snapshot().unwrap().catalogue;
    assert!(state.as_of.is_some());
    assert_eq!(state.item_count, report.items_changed);

    // Search in characters, full pinyin and initials.
    let query = |text: &str| SearchQuery {
        text: text.into(),
        limit: 10,
        ..SearchQuery::default()
    };
    let by_characters = client.search(&query("社会保障卡"));
    assert!(!by_characters.is_empty());
    assert!(
        names(&by_characters)[0].contains("社会保障卡"),
        "{:?}",
        names(&by_characters)
    );
    let by_pinyin = client.search(&query("shehuibaozhangka"));
    assert_eq!(names(&by_pinyin)[0], names(&by_characters)[0]);
    let by_initials = client.search(&query("sbk"));
    assert!(
        names(&by_initials)
            .iter()
            .any(|name| name.contains("社保卡") || name.contains("社会保障卡")),
        "{:?}",
        names(&by_initials)
    );
    let bus = client.search(&query("公交"));
    assert!(
        names(&bus)
            .iter()
            .all(|name| name.contains("公交") || name.contains("乘车")),
        "{:?}",
        names(&bus)
    );
    assert!(client.search(&query("gongjiao")).len() >= bus.len().min(1));

    // Outlets near Nanchang's centre, nearest first.
    let outlets = client.nearest_outlets(&OutletQuery {
        latitude: 28.6829,
        longitude: 115.8579,
        limit: 20,
        service: None,
        open_now_only: false,
    });
    assert_eq!(outlets.len(), 20);
    assert!(
        outlets
            .windows(2)
            .all(|pair| pair[0].distance_metres <= pair[1].distance_metres)
    );
    assert!(outlets[0].distance_metres < 20_000.0);

    // A transport code that a gate verifies offline.
    // (Revocation is the attack tests' concern; these gates check status
    // where they can.)
    let trust = trust_list(&platform).await;
    let mut gate = Verifier::new(
        &trust,
        VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
    )
    .unwrap();
    let code = client.current_code(None, Purpose::Transport).await.unwrap();
    assert!(code.seconds_left_at(client.trusted_now()) > 50);
    let verified = gate.verify(&code.text, client.trusted_now()).unwrap();
    assert_eq!(
        verified.disclosure,
        Disclosure::Transport {
            concession: ConcessionClass::SeniorFree
        }
    );
    let second = client.current_code(None, Purpose::Transport).await.unwrap();
    assert!(second.counter > code.counter);
    gate.verify(&second.text, client.trusted_now()).unwrap();

    // Offline: the platform is gone. Search and codes keep working.
    platform.stop();
    let offline = client.sync_catalogue().await.unwrap_err();
    assert!(
        matches!(offline, ClientError::Offline(_) | ClientError::Timeout),
        "{offline:?}"
    );
    assert!(!client.snapshot().unwrap().online);
    assert_eq!(
        names(&client.search(&query("社会保障卡")))[0],
        names(&by_characters)[0]
    );
    let offline_code = client.current_code(None, Purpose::Medical).await.unwrap();
    let mut counter = Verifier::new(
        &trust,
        VerifierPolicy::for_purposes(&[Purpose::Medical]).best_effort_status(),
    )
    .unwrap();
    let verified = counter
        .verify(&offline_code.text, client.trusted_now())
        .unwrap();
    assert!(matches!(
        verified.disclosure,
        Disclosure::Medical {
            region: Some(_),
            ..
        }
    ));

    // Back online: an unchanged re-sync is one 304.
    platform.restart();
    let report = client.sync_catalogue().await.unwrap();
    assert!(report.unchanged, "{report:?}");
    assert!(client.snapshot().unwrap().online);

    // Reopen from disk: session, catalogue and codes without any sync.
    drop(client);
    let reopened = open_client(&platform, data.path()).await;
    assert!(reopened.snapshot().unwrap().enrolled);
    assert_eq!(
        reopened.snapshot().unwrap().catalogue.item_count,
        state.item_count
    );
    assert_eq!(names(&reopened.search(&query("sbk"))), names(&by_initials));
    let again = reopened
        .current_code(None, Purpose::Transport)
        .await
        .unwrap();
    assert!(
        again.counter > second.counter,
        "counters never repeat across restarts"
    );
    gate.verify(&again.text, reopened.trusted_now()).unwrap();

    // No plaintext ID number or name in the database file.
    drop(reopened);
    let mut bytes = std::fs::read(data.path().join("ecard.db")).unwrap();
    if let Ok(wal) = std::fs::read(data.path().join("ecard.db-wal")) {
        bytes.extend_from_slice(&wal);
    }
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|window| window == needle);
    assert!(
        !contains(identity.id_number.as_bytes()),
        "plaintext ID number in the database"
    );
    assert!(
        !contains(identity.name.as_bytes()),
        "plaintext name in the database"
    );
    assert!(!contains(b"13900139000"), "plaintext phone in the database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_follow_the_platform_clock_not_the_phone() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let data = tempfile::tempdir().unwrap();
    let client = open_client(&platform, data.path()).await;
    let identity = PersonIdentity {
        id_type: "resident_id".into(),
        id_number: elder["id_number"].as_str().unwrap().into(),
        name: elder["name"].as_str().unwrap().into(),
    };
    ecard_e2e::enrol(&client, &platform.url(), identity)
        .await
        .unwrap();
    // The platform is two hours ahead of this phone (as if the phone's
    // clock were two hours slow).
    let platform_now = platform.advance_days(0).await;
    platform
        .admin(
            reqwest::Method::POST,
            "/admin/clock/advance",
            Some(serde_json::json!({ "seconds": 7_200 })),
        )
        .await;
    client.refresh_profile().await.unwrap();
    assert!(
        client.trusted_now().abs_diff(platform_now + 7_200) <= 2,
        "{} vs {}",
        client.trusted_now(),
        platform_now + 7_200
    );
    client.refresh_all_credentials().await.unwrap();
    let code = client.current_code(None, Purpose::Transport).await.unwrap();
    let mut gate = Verifier::new(
        &trust_list(&platform).await,
        VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
    )
    .unwrap();
    gate.verify(&code.text, platform_now + 7_200 + 5).unwrap();
}
