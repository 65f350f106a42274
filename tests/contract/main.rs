//! Contract tests of the platform over real HTTP (`docs/api/openapi.yaml`):
//! every endpoint, its refusals with their stable problem codes, and after
//! each refused mutation a check that nothing was half-written.
//!
//! Each test runs its own platform on loopback with a fresh database, and
//! drives time with the admin clock, so the suite is deterministic.
//!
//! With `ECARD_RECORD_RESPONSES=<file>` every exchange is recorded, and
//! `scripts/check-recorded-responses.py docs/api/openapi.yaml <file>` checks
//! each answer (and each accepted request) against the OpenAPI document and
//! that every operation was exercised; `scripts/schemathesis.sh` does both.
//!
//! The tests are grouped by resource, one module each; the shared fixtures
//! (requests, clock, cards, codes, terminals) are below.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ecard_credential::{
    AuthorityKey, Credential, PresentationRequest, Purpose, SignedTrustList, TrustAnchor,
    TrustList, TrustListError, Verifier, VerifierPolicy, VerifyError, present,
};
use ecard_e2e::{
    ADMIN_TOKEN, RawAnswer, RawDevice, TestPlatform, jpeg, resident_id, test_photo_base64,
    unique_key,
};
use reqwest::Method;
use serde_json::{Value, json};

mod account;
mod admin;
mod applications;
mod authority_rotation;
mod births;
mod campus;
mod cards;
mod certificates;
mod clearing;
mod concessions;
mod e_card_timing;
mod eligibility;
mod enrolment;
mod family;
mod feeds;
mod insurance_records;
mod lifetime;
mod login;
mod minors;
mod money;
mod on_behalf;
mod requests;
mod search_vocabulary;
mod service_points;
mod sm2;
mod status_deltas;

// ---------------------------------------------------------------------------
// Helpers

/// A successful answer with the platform clock header.
#[track_caller]
fn ok(answer: &RawAnswer, status: u16) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert!(answer.server_time.is_some(), "no x-ecard-server-time");
}

/// A problem answer: status, media type, stable code, clock header.
#[track_caller]
fn problem(answer: &RawAnswer, status: u16, code: &str) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("application/problem+json"),
        "{:?}",
        answer.body
    );
    assert_eq!(answer.body["code"], code, "{:?}", answer.body);
    assert_eq!(answer.body["status"], status);
    assert_eq!(
        answer.body["type"],
        format!("https://ecard.invalid/problems/{code}")
    );
    assert!(answer.body["title"].is_string());
    assert!(answer.server_time.is_some(), "no x-ecard-server-time");
}

/// What a device can see of the platform: itself, its applications,
/// mandates and audit trail. Equal snapshots mean nothing changed.
async fn snapshot(device: &RawDevice) -> Value {
    let mut parts = serde_json::Map::new();
    for path in ["/v1/me", "/v1/applications", "/v1/delegations", "/v1/audit"] {
        let answer = device.get(path).await;
        ok(&answer, 200);
        parts.insert(path.to_owned(), answer.body);
    }
    Value::Object(parts)
}

/// An unsigned request, with optional headers.
async fn public(
    platform: &TestPlatform,
    method: Method,
    path: &str,
    body: Option<Vec<u8>>,
    headers: &[(&str, &str)],
) -> RawAnswer {
    let mut request =
        reqwest::Client::new().request(method.clone(), format!("{}{path}", platform.url()));
    if let Some(body) = &body {
        request = request
            .header("content-type", "application/json")
            .body(body.clone());
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let answer = ecard_e2e::answer(request.send().await.unwrap()).await;
    ecard_e2e::record(method.as_str(), path, &body.unwrap_or_default(), &answer);
    answer
}

async fn get(platform: &TestPlatform, path: &str) -> RawAnswer {
    public(platform, Method::GET, path, None, &[]).await
}

async fn get_if_none_match(platform: &TestPlatform, path: &str, etag: &str) -> RawAnswer {
    public(
        platform,
        Method::GET,
        path,
        None,
        &[("if-none-match", etag)],
    )
    .await
}

/// An admin call with the test token, as a raw answer.
async fn admin(
    platform: &TestPlatform,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> RawAnswer {
    let mut request = reqwest::Client::new()
        .request(method.clone(), format!("{}{path}", platform.url()))
        .bearer_auth(ADMIN_TOKEN);
    if let Some(body) = &body {
        request = request.json(body);
    }
    let answer = ecard_e2e::answer(request.send().await.unwrap()).await;
    let sent = body.map(|body| body.to_string().into_bytes());
    ecard_e2e::record(method.as_str(), path, &sent.unwrap_or_default(), &answer);
    answer
}

const ADDRESS: &str = "江西省南昌市东湖区八一大道123号";
const OUTLET: &str = "O-00001";

fn mail() -> Value {
    json!({ "method": "mail", "address": ADDRESS, "phone": "13800138000" })
}

fn pickup() -> Value {
    json!({ "method": "pickup", "outlet_id": OUTLET })
}

fn new_card(person_id: &str, delivery: Value) -> Value {
    json!({
        "person_id": person_id,
        "photo_jpeg": test_photo_base64(),
        "bank": "icbc",
        "phone": "13800138000",
        "delivery": delivery,
    })
}

fn person_id(device: &RawDevice) -> String {
    device.person_id.clone().unwrap()
}

fn account_id(device: &RawDevice) -> String {
    device.account_id.clone().unwrap()
}

/// A family mandate of `helper` for the seeded elder with `scopes`,
/// consented on the elder's phone; returns the elder's device.
async fn elder_mandate(platform: &TestPlatform, helper: &RawDevice, scopes: &[&str]) -> RawDevice {
    let elder = platform.persona("elder").await;
    let elder_device = platform.enrol_persona("elder").await;
    let pending = helper
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "family_proxy", "relationship": "child",
                "principal": { "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"] },
                "scopes": scopes,
            }),
            "accept_mandate",
        )
        .await;
    ok(&pending, 201);
    let mandate_id = pending.body["delegation_id"].as_str().unwrap();
    ok(
        &elder_device
            .post_with_pin(
                &format!("/v1/delegations/{mandate_id}/consent"),
                json!({}),
                "consent_mandate",
            )
            .await,
        200,
    );
    elder_device
}

/// Advances the platform clock by whole days and hours.
async fn advance(platform: &TestPlatform, seconds: u64) -> u64 {
    let answer = admin(
        platform,
        Method::POST,
        "/admin/clock/advance",
        Some(json!({ "seconds": seconds })),
    )
    .await;
    ok(&answer, 200);
    answer.body["now"].as_u64().unwrap()
}

const DAY: u64 = 86_400;

/// The caller's cards (own) from `/v1/me`.
async fn my_cards(device: &RawDevice) -> Vec<Value> {
    let me = device.get("/v1/me").await;
    ok(&me, 200);
    me.body["person"]["cards"].as_array().unwrap().clone()
}

async fn application(device: &RawDevice, id: &str) -> Value {
    let answer = device.get(&format!("/v1/applications/{id}")).await;
    ok(&answer, 200);
    answer.body
}

fn states(application: &Value) -> Vec<String> {
    application["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stage| stage["state"].as_str().unwrap().to_owned())
        .collect()
}

fn actions(application: &Value) -> Vec<&str> {
    application["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action.as_str().unwrap())
        .collect()
}

async fn audit_actions(device: &RawDevice) -> Vec<String> {
    let answer = device.get("/v1/audit").await;
    ok(&answer, 200);
    answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Submits a new-card application for `person`, pays what is due, and runs
/// the clock until the card is produced; returns the application.
async fn produced_card(
    platform: &TestPlatform,
    device: &RawDevice,
    person: &str,
    delivery: Value,
) -> Value {
    let submitted = device
        .post("/v1/applications", new_card(person, delivery))
        .await;
    ok(&submitted, 201);
    let id = submitted.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fee = submitted.body["fee_fen"].as_u64().unwrap();
    if fee > 0 {
        let paid = device
            .post(
                &format!("/v1/applications/{id}/payment"),
                json!({ "amount_fen": fee }),
            )
            .await;
        ok(&paid, 200);
    }
    advance(platform, 4 * DAY).await;
    application(device, &id).await
}

/// Takes a produced card through receipt and activation.
async fn receive_and_activate(device: &RawDevice, application: &Value) -> String {
    let id = application["application_id"].as_str().unwrap();
    if application["state"] != "received" {
        let received = device
            .post(&format!("/v1/applications/{id}/receipt"), json!({}))
            .await;
        ok(&received, 200);
        assert_eq!(received.body["state"], "received");
    }
    let card_id = application["card_id"].as_str().unwrap().to_owned();
    let activated = device
        .post(&format!("/v1/cards/{card_id}/activation"), json!({}))
        .await;
    ok(&activated, 200);
    assert_eq!(activated.body["social_function_enabled"], true);
    card_id
}

/// The signed trust list envelope as served.
async fn signed_trust_list(platform: &TestPlatform) -> (SignedTrustList, u64) {
    let answer = get(platform, "/v1/trust-list").await;
    ok(&answer, 200);
    (
        SignedTrustList::from_json(&answer.body.to_string()).unwrap(),
        answer.server_time.unwrap(),
    )
}

/// The authority keys an operator provisions terminals with.
async fn authority_keys(platform: &TestPlatform) -> Vec<AuthorityKey> {
    let answer = admin(platform, Method::GET, "/admin/trust/authority-keys", None).await;
    ok(&answer, 200);
    serde_json::from_value(answer.body).unwrap()
}

/// The trust list, verified against the platform's pinned authority keys.
async fn trust_list(platform: &TestPlatform) -> TrustList {
    let pins = authority_keys(platform).await;
    let (signed, now) = signed_trust_list(platform).await;
    signed.verify(&pins, None, now).unwrap()
}

/// The signed status list bytes and the platform time they were fetched at.
async fn status_list(platform: &TestPlatform) -> (Vec<u8>, u64) {
    let answer = get(platform, "/v1/status-lists/0").await;
    ok(&answer, 200);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("application/octet-stream")
    );
    let bytes = STANDARD.decode(answer.body.as_str().unwrap()).unwrap();
    (bytes, answer.server_time.unwrap())
}

/// Credentials for a card (the caller's own when `card_id` is None).
async fn credentials(device: &RawDevice, card_id: Option<&str>) -> RawAnswer {
    device
        .post("/v1/credentials", json!({ "card_id": card_id }))
        .await
}

/// A code for `purpose` made from a credential set, at platform time `now`.
fn code_from(device: &RawDevice, set: &Value, purpose: Purpose, now: u64, counter: u32) -> String {
    let issued = set["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|credential| {
            credential["purposes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|name| name == purpose.name())
        })
        .unwrap();
    let bytes = URL_SAFE_NO_PAD
        .decode(issued["credential"].as_str().unwrap())
        .unwrap();
    let credential = Credential::parse(&bytes).unwrap();
    present(
        &credential,
        &PresentationRequest {
            purpose,
            issued_at: now,
            counter,
        },
        &device.keys,
        "device",
    )
    .unwrap()
    .to_code()
}

/// A terminal for `purposes` that trusts the platform's current trust list
/// and holds its current status list.
async fn terminal(platform: &TestPlatform, purposes: &[Purpose]) -> (Verifier, u64) {
    let mut verifier = Verifier::new(
        &trust_list(platform).await,
        VerifierPolicy::for_purposes(purposes),
    )
    .unwrap();
    let (bytes, now) = status_list(platform).await;
    verifier.install_status_list(&bytes, now).unwrap();
    (verifier, now)
}

async fn rules(platform: &TestPlatform, region: &str) -> Value {
    let answer = get(platform, &format!("/v1/rules/{region}")).await;
    ok(&answer, 200);
    answer.body
}

/// Changes one region's rules through `PUT /admin/rules`.
async fn change_rules(platform: &TestPlatform, region: &str, change: impl FnOnce(&mut Value)) {
    let mut document = rules(platform, region).await;
    change(&mut document);
    let answer = admin(platform, Method::PUT, "/admin/rules", Some(document)).await;
    ok(&answer, 200);
}

// ---------------------------------------------------------------------------
// Enrolment

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// PIN hashes the platform made so far, from its metrics: (before taking
/// the database connection, holding it).
async fn pin_hashes(platform: &TestPlatform) -> (u64, u64) {
    let page = reqwest::get(format!("{}/metrics", platform.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let count = |when: &str| {
        let sample = format!("ecard_pin_hashes_total{{when=\"{when}\"}} ");
        page.lines()
            .find_map(|line| line.strip_prefix(&sample))
            .unwrap_or_else(|| panic!("no {sample} in the metrics"))
            .parse()
            .unwrap()
    };
    (count("ahead"), count("holding_connection"))
}

/// One signed `POST` of `body` to `path`, sent twice byte for byte, each
/// time with a fresh idempotency key: the first answer and the replay's.
async fn sent_twice(device: &RawDevice, path: &str, body: Vec<u8>) -> (RawAnswer, RawAnswer) {
    let signature = owned(device.signature("POST", path, &body));
    let mut answers = Vec::new();
    for _ in 0..2 {
        let mut headers = signature.clone();
        headers.push(("idempotency-key".into(), unique_key()));
        answers.push(
            device
                .send_with_headers("POST", path, body.clone(), &headers)
                .await,
        );
    }
    let replay = answers.pop().unwrap();
    (answers.pop().unwrap(), replay)
}

fn owned(headers: Vec<(&'static str, String)>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

fn keys(value: &Value) -> std::collections::BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}
