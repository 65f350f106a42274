//! The attack table of docs/security.md, rows that need the platform or the
//! client: oversized input, injection, path traversal, request replay, reused
//! idempotency keys, unauthenticated calls, forged credentials presented to
//! the platform. (Rows about codes alone are covered by the credential test
//! vectors and properties; docs/security.md names the test of every row.)
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_core::SearchQuery;
use ecard_e2e::{RawDevice, TestPlatform, identity_of, open_client, unique_key};
use serde_json::json;

async fn enrolled(platform: &TestPlatform, role: &str) -> RawDevice {
    let persona = platform.persona(role).await;
    let mut device = RawDevice::new(&platform.url());
    let answer = device
        .enrol(
            persona["id_number"].as_str().unwrap(),
            persona["name"].as_str().unwrap(),
        )
        .await;
    assert_eq!(answer.status, 201, "{answer:?}");
    device
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_before_parsing() {
    let platform = TestPlatform::start();
    let device = enrolled(&platform, "resident").await;
    let huge = json!({ "person_id": device.person_id, "photo_jpeg": "A".repeat(600_000), "bank": "icbc", "phone": "13800138000", "delivery": { "method": "pickup", "outlet_id": "O-00001" } });
    let answer = device.post("/v1/applications", huge).await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.body["code"], "body_too_large");
    assert!(
        answer
            .content_type
            .unwrap()
            .starts_with("application/problem+json")
    );
    let applications = device.get("/v1/applications").await;
    assert_eq!(
        applications.body.as_array().unwrap().len(),
        0,
        "nothing half-written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injection_strings_are_data_not_code() {
    let platform = TestPlatform::start();
    let device = enrolled(&platform, "resident").await;
    for hostile in [
        "' OR '1'='1",
        "1; DROP TABLE cards; --",
        "%27%20OR%201%3D1",
        "../../etc/passwd",
    ] {
        let encoded: String = hostile.bytes().map(|byte| format!("%{byte:02X}")).collect();
        for path in [
            format!("/v1/applications/{encoded}"),
            format!("/v1/rules/{encoded}"),
        ] {
            let answer = device.get(&path).await;
            assert!(matches!(answer.status, 404 | 422), "{path}: {answer:?}");
        }
        let answer = reqwest::get(format!(
            "{}/v1/catalogue/sync?region={}",
            platform.url(),
            hostile.replace(' ', "%20")
        ))
        .await
        .unwrap();
        assert_eq!(answer.status().as_u16(), 422, "{hostile}");
    }
    // The tables are all still there and intact.
    let answer = device.get("/v1/me").await;
    assert_eq!(answer.status, 200);

    // The client's search treats the query as text.
    let data = tempfile::tempdir().unwrap();
    let client = open_client(&platform.url(), data.path()).await;
    client.sync_catalogue().await.unwrap();
    for hostile in ["' OR 1=1 --", "%", "_", "\"", ";", "\u{0}"] {
        let hits = client.search(&SearchQuery {
            text: hostile.into(),
            ..SearchQuery::default()
        });
        assert!(
            hits.is_empty(),
            "{hostile:?}: {:?}",
            hits.iter()
                .map(|hit| (&hit.item.name, hit.score, hit.matched))
                .collect::<Vec<_>>()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_in_place_of_a_photo_is_refused() {
    let platform = TestPlatform::start();
    let device = enrolled(&platform, "resident").await;
    for photo in [
        "../../../../etc/passwd",
        "/etc/shadow",
        "file:///etc/passwd",
        "Li4vLi4vZXRjL3Bhc3N3ZA==",
    ] {
        let body = json!({ "person_id": device.person_id, "photo_jpeg": photo, "bank": "icbc", "phone": "13800138000", "delivery": { "method": "pickup", "outlet_id": "O-00001" } });
        let answer = device.post("/v1/applications", body).await;
        assert_eq!(answer.status, 422, "{photo}: {answer:?}");
        assert_eq!(answer.body["field"], "photo_jpeg");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_cannot_be_replayed_or_reused() {
    let platform = TestPlatform::start();
    let device = enrolled(&platform, "elder").await;
    // A captured signed request replayed verbatim (same nonce) is refused.
    let body = json!({}).to_string().into_bytes();
    let headers = device.signature("POST", "/v1/credentials", &body);
    let send = |key: &str| {
        let mut request = reqwest::Client::new()
            .post(format!("{}/v1/credentials", platform.url()))
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(body.clone());
        for (name, value) in &headers {
            request = request.header(*name, value);
        }
        request.send()
    };
    let key = unique_key();
    assert_eq!(send(&key).await.unwrap().status().as_u16(), 201);
    let replayed = ecard_e2e::answer(send(&key).await.unwrap()).await;
    assert_eq!(replayed.status, 401);
    assert_eq!(replayed.body["code"], "replayed_request");

    // The same idempotency key with a different body is refused, with no effect.
    let key = unique_key();
    let card = device.get("/v1/me").await.body["person"]["cards"][0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = device
        .send(
            "POST",
            &format!("/v1/cards/{card}/loss-reports"),
            Some(br#"{"kind":"temporary"}"#.to_vec()),
            Some(&key),
            true,
        )
        .await;
    assert_eq!(first.status, 201);
    let again = device
        .send(
            "POST",
            &format!("/v1/cards/{card}/loss-reports"),
            Some(br#"{"kind":"temporary"}"#.to_vec()),
            Some(&key),
            true,
        )
        .await;
    assert_eq!(
        again.status, 201,
        "the same request with the same key gets the same answer"
    );
    assert_eq!(again.body, first.body);
    let reused = device
        .send(
            "POST",
            &format!("/v1/cards/{card}/loss-reports"),
            Some(br#"{"kind":"formal"}"#.to_vec()),
            Some(&key),
            true,
        )
        .await;
    assert_eq!(reused.status, 422);
    assert_eq!(reused.body["code"], "idempotency_key_reused");
    assert_eq!(
        device.get("/v1/me").await.body["person"]["cards"][0]["status"],
        "temporarily_lost",
        "the formal report had no effect"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_and_forged_calls_are_refused() {
    let platform = TestPlatform::start();
    let device = enrolled(&platform, "elder").await;
    let unsigned = device.send("GET", "/v1/me", None, None, false).await;
    assert_eq!(unsigned.status, 401);
    // Another key claiming the enrolled device id.
    let mut impostor = RawDevice::new(&platform.url());
    impostor.device_id = device.device_id.clone();
    let forged = impostor.get("/v1/me").await;
    assert_eq!(forged.status, 401);
    assert_eq!(forged.body["code"], "unauthenticated");
    // A request signed for another path.
    let headers = device.signature("GET", "/v1/me", b"");
    let mut request = reqwest::Client::new().get(format!("{}/v1/audit", platform.url()));
    for (name, value) in &headers {
        request = request.header(*name, value);
    }
    assert_eq!(request.send().await.unwrap().status().as_u16(), 401);
    // Admin endpoints without the token.
    let admin = reqwest::Client::new()
        .post(format!("{}/admin/clock/advance", platform.url()))
        .json(&json!({ "seconds": 1 }))
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status().as_u16(), 401);
    // A stale timestamp.
    let mut stale = RawDevice::new(&platform.url());
    stale.keys = device.keys;
    stale.device_id = device.device_id;
    stale.clock_offset = -3_600;
    let answer = stale.get("/v1/me").await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body["code"], "clock_skew");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_gets_codes_for_someone_else_without_a_mandate() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let stranger_data = tempfile::tempdir().unwrap();
    let stranger = open_client(&platform.url(), stranger_data.path()).await;
    ecard_e2e::enrol(
        &stranger,
        &platform.url(),
        identity_of(&platform.persona("resident").await),
    )
    .await
    .unwrap();
    // Guessing a card id does not help.
    let mother_data = tempfile::tempdir().unwrap();
    let mother = open_client(&platform.url(), mother_data.path()).await;
    ecard_e2e::enrol(&mother, &platform.url(), identity_of(&elder))
        .await
        .unwrap();
    let her_card = mother.snapshot().unwrap().cards[0].card_id.clone();
    // The platform answers as if the card did not exist (or refuses the
    // mandate): either way the stranger learns nothing and changes nothing.
    let refused = stranger.refresh_credentials(&her_card).await.unwrap_err();
    assert!(
        matches!(refused.code().as_str(), "no_mandate" | "not_found"),
        "{refused:?}"
    );
    let refused = stranger
        .report_loss(&her_card, ecard_api::resident::LossKind::Temporary)
        .await
        .unwrap_err();
    assert!(
        matches!(refused.code().as_str(), "no_mandate" | "not_found"),
        "{refused:?}"
    );
    mother.refresh_profile().await.unwrap();
    assert_eq!(
        mother.snapshot().unwrap().cards[0].status,
        ecard_api::resident::CardStatus::Active
    );
}
