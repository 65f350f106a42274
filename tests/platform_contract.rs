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
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ecard_credential::{
    Credential, PresentationRequest, Purpose, TrustList, Verifier, VerifierPolicy, VerifyError,
    present,
};
use ecard_e2e::{
    ADMIN_TOKEN, RawAnswer, RawDevice, TestPlatform, jpeg, resident_id, test_photo_base64,
    unique_key,
};
use reqwest::Method;
use serde_json::{Value, json};

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

async fn trust_list(platform: &TestPlatform) -> TrustList {
    let answer = get(platform, "/v1/trust-list").await;
    ok(&answer, 200);
    TrustList::from_json(&answer.body.to_string()).unwrap()
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

fn enrolment_body(device: &RawDevice, id_number: &str, name: &str) -> Value {
    use ecard_credential::KeyStore as _;
    let public = device.keys.public_key("device").unwrap();
    json!({
        "identity": { "id_type": "resident_id", "id_number": id_number, "name": name },
        "device_suite": "p256",
        "device_public_key": URL_SAFE_NO_PAD.encode(public.as_bytes()),
        "device_name": "test phone",
    })
}

async fn enrol_with(device: &RawDevice, body: &[u8], key: Option<&str>) -> RawAnswer {
    device
        .send("POST", "/v1/enrolments", Some(body.to_vec()), key, false)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment() {
    use ecard_e2e::FaceBehaviour;
    let platform = TestPlatform::start();
    let resident = platform.persona("resident").await;
    let id_number = resident["id_number"].as_str().unwrap();
    let name = resident["name"].as_str().unwrap();
    let mut device = RawDevice::new(&platform.url());
    let body = enrolment_body(&device, id_number, name);

    // Malformed starts are refused at once.
    let refused = enrol_with(&device, b"{\"identity\": ", Some(&unique_key())).await;
    problem(&refused, 400, "malformed_request");
    let refused = enrol_with(&device, b"", Some(&unique_key())).await;
    problem(&refused, 400, "malformed_request");
    let mut wrong_suite = body.clone();
    wrong_suite["device_suite"] = json!("rsa");
    let refused = enrol_with(
        &device,
        wrong_suite.to_string().as_bytes(),
        Some(&unique_key()),
    )
    .await;
    problem(&refused, 400, "malformed_request");
    let mut missing = body.clone();
    missing.as_object_mut().unwrap().remove("device_name");
    let refused = enrol_with(&device, missing.to_string().as_bytes(), Some(&unique_key())).await;
    problem(&refused, 400, "malformed_request");
    let mut bad_key = body.clone();
    bad_key["device_public_key"] = json!(URL_SAFE_NO_PAD.encode([4u8; 65]));
    let refused = enrol_with(&device, bad_key.to_string().as_bytes(), Some(&unique_key())).await;
    problem(&refused, 422, "invalid_field");
    assert_eq!(refused.body["field"], "device_public_key");
    let mut not_base64 = body.clone();
    not_base64["device_public_key"] = json!("***");
    let refused = enrol_with(
        &device,
        not_base64.to_string().as_bytes(),
        Some(&unique_key()),
    )
    .await;
    problem(&refused, 422, "invalid_field");
    let mut no_name = body.clone();
    no_name["device_name"] = json!("   ");
    let refused = enrol_with(&device, no_name.to_string().as_bytes(), Some(&unique_key())).await;
    problem(&refused, 422, "invalid_field");
    assert_eq!(refused.body["field"], "device_name");
    let refused = enrol_with(&device, body.to_string().as_bytes(), None).await;
    problem(&refused, 400, "idempotency_key_missing");
    let refused = enrol_with(&device, body.to_string().as_bytes(), Some("")).await;
    problem(&refused, 400, "idempotency_key_missing");
    let too_long = "k".repeat(129);
    let refused = enrol_with(&device, body.to_string().as_bytes(), Some(&too_long)).await;
    problem(&refused, 400, "idempotency_key_missing");

    // A wrong name, a wrong document type and an unknown number start like
    // any other enrolment and fail, alike, at the face check.
    for (field, value) in [
        ("name", json!("王五")),
        ("id_type", json!("passport")),
        ("id_number", json!(resident_id("360102", "19900101", "999"))),
    ] {
        let mut wrong = body.clone();
        wrong["identity"][field] = value;
        let mut prober = RawDevice::new(&platform.url());
        prober.source = Some("127.0.0.9".parse().unwrap());
        wrong["device_public_key"] =
            enrolment_body(&prober, id_number, name)["device_public_key"].clone();
        let started = enrol_with(&prober, wrong.to_string().as_bytes(), Some(&unique_key())).await;
        ok(&started, 201);
        prober.device_id = started.body["enrolment_id"].as_str().map(str::to_owned);
        let refused = prober
            .present_face(&started, id_number, FaceBehaviour::Genuine)
            .await;
        problem(&refused, 422, "identity_not_verified");
        assert_eq!(refused.body["detail"], "the identity could not be verified");
    }

    // The happy path; the same key and body again: the same answer.
    let key = unique_key();
    let first = enrol_with(&device, body.to_string().as_bytes(), Some(&key)).await;
    ok(&first, 201);
    assert_eq!(first.content_type.as_deref(), Some("application/json"));
    let again = enrol_with(&device, body.to_string().as_bytes(), Some(&key)).await;
    assert_eq!(again.body, first.body);
    let mut other = body.clone();
    other["device_name"] = json!("another phone");
    let reused = enrol_with(&device, other.to_string().as_bytes(), Some(&key)).await;
    problem(&reused, 422, "idempotency_key_reused");
    let enrolment = first.body["enrolment_id"].as_str().unwrap().to_owned();
    device.device_id = Some(enrolment.clone());
    // Steps of an enrolment are signed by its key: another key is refused.
    let mut stranger = RawDevice::new(&platform.url());
    stranger.device_id = Some(enrolment.clone());
    let forged = stranger
        .post(
            &format!("/v1/enrolments/{enrolment}/presence"),
            json!({ "face_result": "x.y" }),
        )
        .await;
    problem(&forged, 401, "unauthenticated");
    let present = device
        .present_face(&first, id_number, FaceBehaviour::Genuine)
        .await;
    ok(&present, 200);
    assert_eq!(present.body["code_sent_to"], "138****8000");
    assert_eq!(present.body["pin_required"], true);
    assert_eq!(present.body["approval_possible"], false);
    let code = ecard_e2e::latest_code(&platform.url(), ecard_e2e::ADMIN_TOKEN, Some("13800138000"))
        .await
        .unwrap();
    let completed = device
        .complete_enrolment(&enrolment, Some(&code), true)
        .await;
    ok(&completed, 201);
    for field in ["account_id", "person_id", "device_id"] {
        assert!(completed.body[field].is_string(), "{field}");
    }
    assert_eq!(completed.body["person_id"], resident["person_id"]);

    // Exactly one device was enrolled: one audit entry, and the profile works.
    let audit = device.get("/v1/audit").await;
    ok(&audit, 200);
    let enrolments: Vec<&Value> = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["action"] == "device.enrol")
        .collect();
    assert_eq!(enrolments.len(), 1, "{:?}", audit.body);
    assert_eq!(enrolments[0]["object_id"], completed.body["device_id"]);
    assert_eq!(
        enrolments[0]["actor_account_id"],
        completed.body["account_id"]
    );
    assert!(enrolments[0]["mandate_id"].is_null());

    let me = device.get("/v1/me").await;
    ok(&me, 200);
    assert_eq!(me.body["account_id"], completed.body["account_id"]);
    assert_eq!(me.body["person"]["name_masked"], "张*");
    assert_eq!(me.body["person"]["birth_date"], "1988-03-15");
    assert!(
        !me.body["person"]["id_number_masked"]
            .as_str()
            .unwrap()
            .contains("19880315")
    );
    assert_eq!(me.body["region"], "360000");
    assert_eq!(me.body["person"]["cards"], json!([]));
    assert_eq!(me.body["principals"], json!([]));
    // The key cannot be enrolled twice.
    let twice = enrol_with(&device, body.to_string().as_bytes(), Some(&unique_key())).await;
    problem(&twice, 422, "invalid_field");

    // A second phone (new key) of the same resident joins the same account.
    let mut second = RawDevice::new(&platform.url());
    let answer = second.enrol(id_number, name).await;
    ok(&answer, 201);
    assert_eq!(answer.body["account_id"], completed.body["account_id"]);
    assert_ne!(answer.body["device_id"], completed.body["device_id"]);
    // An Ed25519 device key works too.
    let mut ed_device = RawDevice::new(&platform.url());
    {
        use ecard_credential::KeyStore as _;
        ed_device.keys.delete_key("device").unwrap();
        ed_device
            .keys
            .generate_key("device", ecard_credential::Suite::Ed25519)
            .unwrap();
    }
    let mut ed_body = enrolment_body(&ed_device, id_number, name);
    ed_body["device_suite"] = json!("ed25519");
    let started = enrol_with(
        &ed_device,
        ed_body.to_string().as_bytes(),
        Some(&unique_key()),
    )
    .await;
    ok(&started, 201);
    let ed_enrolment = started.body["enrolment_id"].as_str().unwrap().to_owned();
    ed_device.device_id = Some(ed_enrolment.clone());
    ok(
        &ed_device
            .present_face(&started, id_number, FaceBehaviour::Genuine)
            .await,
        200,
    );
    let code = ecard_e2e::latest_code(&platform.url(), ecard_e2e::ADMIN_TOKEN, Some("13800138000"))
        .await
        .unwrap();
    ok(
        &ed_device
            .complete_enrolment(&ed_enrolment, Some(&code), false)
            .await,
        201,
    );
    let audit = device.get("/v1/audit").await;
    let enrolments = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["action"] == "device.enrol")
        .count();
    assert_eq!(enrolments, 3);
}

// ---------------------------------------------------------------------------
// Signed requests

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn owned(headers: Vec<(&'static str, String)>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_request_failures() {
    let platform = TestPlatform::start();
    let mut device = platform.enrol_persona("resident").await;
    let before = snapshot(&device).await;

    // No signature at all.
    let answer = device.send("GET", "/v1/me", None, None, false).await;
    problem(&answer, 401, "unauthenticated");
    let answer = device
        .send(
            "POST",
            "/v1/applications",
            Some(b"{}".to_vec()),
            Some(&unique_key()),
            false,
        )
        .await;
    problem(&answer, 401, "unauthenticated");

    // Each header missing in turn.
    for missing in [
        "x-ecard-device",
        "x-ecard-timestamp",
        "x-ecard-nonce",
        "x-ecard-signature",
    ] {
        let headers: Vec<(String, String)> = owned(device.signature("GET", "/v1/me", b""))
            .into_iter()
            .filter(|(name, _)| name != missing)
            .collect();
        let answer = device
            .send_with_headers("GET", "/v1/me", vec![], &headers)
            .await;
        problem(&answer, 401, "unauthenticated");
    }

    // A signature over something else: another path, another body, another method.
    let headers = owned(device.signature("GET", "/v1/applications", b""));
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let body = new_card(&person_id(&device), pickup())
        .to_string()
        .into_bytes();
    let mut headers = owned(device.signature("POST", "/v1/applications", b"{}"));
    headers.push(("idempotency-key".into(), unique_key()));
    let answer = device
        .send_with_headers("POST", "/v1/applications", body.clone(), &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    // The query string is signed too.
    let headers = owned(device.signature("GET", "/v1/applications", b""));
    let answer = device
        .send_with_headers("GET", "/v1/applications?x=1", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let answer = device.get("/v1/applications?x=1").await;
    ok(&answer, 200);

    // Garbage in the headers.
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[3].1 = "not base64!".into();
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[3].1 = URL_SAFE_NO_PAD.encode([7u8; 64]);
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[3].1 = URL_SAFE_NO_PAD.encode([7u8; 3]);
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[1].1 = "yesterday".into();
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[2].1 = "short".into();
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");

    // A device the platform does not know, and another device's signature.
    let real_device = device.device_id.clone();
    device.device_id = Some("dev-00000000000000000000".into());
    let answer = device.get("/v1/me").await;
    problem(&answer, 401, "unauthenticated");
    device.device_id = real_device.clone();
    let mut stranger = platform.enrol_persona("elder").await;
    stranger.device_id = real_device.clone();
    let answer = stranger.get("/v1/me").await;
    problem(&answer, 401, "unauthenticated");

    // A stale or future timestamp: clock_skew, with the platform clock in the header.
    device.clock_offset = -1_000;
    let answer = device.get("/v1/me").await;
    problem(&answer, 401, "clock_skew");
    let server = answer.server_time.unwrap();
    assert!(server.abs_diff(now_seconds()) < 60);
    device.clock_offset = 1_000;
    let answer = device
        .post("/v1/applications", new_card(&person_id(&device), pickup()))
        .await;
    problem(&answer, 401, "clock_skew");
    // Within the tolerance is fine.
    device.clock_offset = -200;
    ok(&device.get("/v1/me").await, 200);
    device.clock_offset = 0;

    // The same signed request twice: the second is a replay.
    let headers = owned(device.signature("GET", "/v1/me", b""));
    ok(
        &device
            .send_with_headers("GET", "/v1/me", vec![], &headers)
            .await,
        200,
    );
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "replayed_request");
    // A replayed mutation does not act twice, even with a fresh idempotency key.
    let body = new_card(&person_id(&device), pickup())
        .to_string()
        .into_bytes();
    let mut headers = owned(device.signature("POST", "/v1/applications", &body));
    headers.push(("idempotency-key".into(), unique_key()));
    let first = device
        .send_with_headers("POST", "/v1/applications", body.clone(), &headers)
        .await;
    ok(&first, 201);
    headers.pop();
    headers.push(("idempotency-key".into(), unique_key()));
    let replay = device
        .send_with_headers("POST", "/v1/applications", body, &headers)
        .await;
    problem(&replay, 401, "replayed_request");
    let list = device.get("/v1/applications").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);

    // Nothing but that one application changed.
    let mut after = snapshot(&device).await;
    after["/v1/applications"] = json!([]);
    let audit = after["/v1/audit"].as_array_mut().unwrap();
    assert_eq!(audit[0]["action"], "application.submit");
    audit.remove(0);
    assert_eq!(after, before);
}

// ---------------------------------------------------------------------------
// Bodies, paths, methods

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_whole() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let before = snapshot(&device).await;

    // A photo so big the body passes 256 KiB.
    let mut body = new_card(&person_id(&device), pickup());
    body["photo_jpeg"] = json!(STANDARD.encode(jpeg(358, 441, 200_000)));
    let bytes = body.to_string().into_bytes();
    assert!(bytes.len() > 256 * 1024);
    let answer = device
        .send(
            "POST",
            "/v1/applications",
            Some(bytes),
            Some(&unique_key()),
            true,
        )
        .await;
    problem(&answer, 413, "body_too_large");
    // Unsigned and public endpoints too.
    let answer = public(
        &platform,
        Method::POST,
        "/v1/enrolments",
        Some(vec![b' '; 300 * 1024]),
        &[("idempotency-key", "k-large")],
    )
    .await;
    problem(&answer, 413, "body_too_large");
    // A body just under the limit is read (and then judged on its content).
    let mut padded = new_card(&person_id(&device), pickup()).to_string();
    padded.push_str(&" ".repeat(256 * 1024 - padded.len()));
    let answer = device
        .send(
            "POST",
            "/v1/applications",
            Some(padded.into_bytes()),
            Some(&unique_key()),
            true,
        )
        .await;
    ok(&answer, 201);
    let id = answer.body["application_id"].as_str().unwrap().to_owned();

    // A chunked body without Content-Length is cut off at the limit too.
    let address = platform.address;
    let reply = tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let head = "POST /v1/enrolments HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                    Idempotency-Key: k-chunked\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        stream.write_all(head.as_bytes()).unwrap();
        let chunk = vec![b' '; 32 * 1024];
        for _ in 0..10 {
            let _ = stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes());
            let _ = stream.write_all(&chunk);
            let _ = stream.write_all(b"\r\n");
        }
        let _ = stream.write_all(b"0\r\n\r\n");
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        String::from_utf8_lossy(&reply).into_owned()
    })
    .await
    .unwrap();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("application/problem+json"), "{reply}");
    assert!(reply.contains("\"code\":\"body_too_large\""), "{reply}");

    let mut after = snapshot(&device).await;
    assert_eq!(after["/v1/applications"][0]["application_id"], id.as_str());
    after["/v1/applications"] = json!([]);
    after["/v1/audit"].as_array_mut().unwrap().remove(0);
    assert_eq!(after, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_paths_and_methods() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let before = snapshot(&device).await;

    for path in ["/v1/applications/app-0000", "/v1/applications/%E5%BC%A0"] {
        problem(&device.get(path).await, 404, "not_found");
    }
    for (path, body) in [
        (
            "/v1/applications/app-0000/payment",
            json!({ "amount_fen": 0 }),
        ),
        ("/v1/applications/app-0000/cancel", json!({})),
        ("/v1/applications/app-0000/receipt", json!({})),
        (
            "/v1/applications/app-0000/photo",
            json!({ "photo_jpeg": test_photo_base64() }),
        ),
        (
            "/v1/cards/card-0000/loss-reports",
            json!({ "kind": "temporary" }),
        ),
        ("/v1/cards/card-0000/loss-reports/release", json!({})),
        ("/v1/cards/card-0000/activation", json!({})),
        ("/v1/delegations/mandate-0000/consent", json!({})),
        ("/v1/delegations/mandate-0000/revoke", json!({})),
        ("/v1/credentials", json!({ "card_id": "card-0000" })),
        (
            "/v1/replacements",
            json!({ "card_id": "card-0000", "kind": "plain", "delivery": pickup() }),
        ),
        ("/v1/applications", new_card("person-0000", pickup())),
    ] {
        let answer = device.post(path, body).await;
        problem(&answer, 404, "not_found");
    }
    problem(
        &get(&platform, "/v1/status-lists/1").await,
        404,
        "not_found",
    );
    problem(
        &get(&platform, "/v1/status-lists/abc").await,
        404,
        "not_found",
    );
    problem(&get(&platform, "/v1/rules/110000").await, 404, "not_found");
    problem(&get(&platform, "/v1/rules/36").await, 422, "invalid_field");
    problem(&get(&platform, "/v1/nothing").await, 404, "not_found");
    problem(&get(&platform, "/").await, 404, "not_found");
    problem(
        &get(&platform, "/v1/applications/a/b/c").await,
        404,
        "not_found",
    );
    for (method, path, body) in [
        (
            Method::POST,
            "/admin/people/person-0000/cards",
            Some(json!({ "bank": "icbc" })),
        ),
        (
            Method::POST,
            "/admin/cards/card-0000/bank-account-closed",
            None,
        ),
        (Method::POST, "/admin/cards/card-0000/release", None),
        (
            Method::POST,
            "/admin/applications/app-0000/fail",
            Some(json!({ "reason": "x" })),
        ),
        (
            Method::POST,
            "/admin/delegations/mandate-0000/consent",
            None,
        ),
        (Method::DELETE, "/admin/catalogue/items/N-9999", None),
        (Method::DELETE, "/admin/outlets/O-99999", None),
    ] {
        let answer = admin(&platform, method, path, body).await;
        problem(&answer, 404, "not_found");
    }

    // A method a path does not have: 405 with a problem body and Allow.
    for (method, path) in [
        (Method::DELETE, "/v1/time"),
        (Method::PUT, "/v1/applications"),
        (Method::GET, "/v1/enrolments"),
        (Method::PATCH, "/admin/rules"),
    ] {
        let response = reqwest::Client::new()
            .request(method.clone(), format!("{}{path}", platform.url()))
            .send()
            .await
            .unwrap();
        let allow = response.headers().get("allow").cloned();
        let answer = ecard_e2e::answer(response).await;
        assert_eq!(answer.status, 405, "{method} {path}");
        assert_eq!(
            answer.content_type.as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(answer.body["status"], 405);
        assert_eq!(answer.body["code"], "method_not_allowed");
        assert!(allow.is_some(), "{method} {path}: no Allow header");
        assert!(answer.server_time.is_some());
    }
    // A path parameter that is not UTF-8.
    let answer = device.get("/v1/applications/%FF%FE").await;
    problem(&answer, 400, "malformed_request");
    let answer = get(&platform, "/v1/rules/%C0").await;
    problem(&answer, 400, "malformed_request");

    // Wrong types in signed bodies.
    for (path, body) in [
        ("/v1/applications", json!({ "person_id": 7 })),
        ("/v1/applications", json!([])),
        ("/v1/delegations", json!({ "kind": "uncle" })),
        ("/v1/credentials", json!({ "card_id": 5 })),
        (
            "/v1/replacements",
            json!({ "card_id": "x", "kind": "gold", "delivery": pickup() }),
        ),
    ] {
        problem(&device.post(path, body).await, 400, "malformed_request");
    }
    let answer = device
        .send(
            "POST",
            "/v1/delegations",
            Some(b"not json".to_vec()),
            Some(&unique_key()),
            true,
        )
        .await;
    problem(&answer, 400, "malformed_request");
    // And a signed mutation without its key.
    let answer = device
        .send("POST", "/v1/credentials", Some(b"{}".to_vec()), None, true)
        .await;
    problem(&answer, 400, "idempotency_key_missing");

    assert_eq!(snapshot(&device).await, before);
}

// ---------------------------------------------------------------------------
// Feeds

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_trust_and_status_feeds() {
    let platform = TestPlatform::start();
    let time = get(&platform, "/v1/time").await;
    ok(&time, 200);
    let now = time.body["now"].as_u64().unwrap();
    assert_eq!(time.server_time, Some(now));
    assert!(now.abs_diff(now_seconds()) < 60);

    // The trust list: JSON, an ETag, a 304 when unchanged.
    let trust = get(&platform, "/v1/trust-list").await;
    ok(&trust, 200);
    let etag = trust.etag.clone().unwrap();
    let list = TrustList::from_json(&trust.body.to_string()).unwrap();
    assert_eq!(list.format, "ecard-trust-list");
    assert_eq!(list.keys.len(), 1);
    assert_eq!(list.keys[0].issuer, "CN-MOHRSS");
    let unchanged = get_if_none_match(&platform, "/v1/trust-list", &etag).await;
    assert_eq!(unchanged.status, 304);
    assert_eq!(unchanged.body, Value::Null);
    assert_eq!(unchanged.etag.as_deref(), Some(etag.as_str()));
    assert!(unchanged.server_time.is_some());
    let other = get_if_none_match(&platform, "/v1/trust-list", "\"trust-0\"").await;
    ok(&other, 200);

    // The status list verifies against the trust list.
    let status = get(&platform, "/v1/status-lists/0").await;
    ok(&status, 200);
    let status_etag = status.etag.clone().unwrap();
    let bytes = STANDARD.decode(status.body.as_str().unwrap()).unwrap();
    let mut verifier =
        Verifier::new(&list, VerifierPolicy::for_purposes(&[Purpose::Transport])).unwrap();
    verifier
        .install_status_list(&bytes, status.server_time.unwrap())
        .unwrap();
    let parsed = ecard_credential::SignedStatusList::parse(&bytes).unwrap();
    assert_eq!(parsed.key_id, list.keys[0].key_id);
    assert_eq!(parsed.list.revoked_count(), 0);
    let unchanged = get_if_none_match(&platform, "/v1/status-lists/0", &status_etag).await;
    assert_eq!(unchanged.status, 304);
    // Past half its validity the list is signed again: a new entity, so a
    // terminal polling with If-None-Match does not keep one about to go stale.
    advance(&platform, 13 * 3_600).await;
    let resigned = get_if_none_match(&platform, "/v1/status-lists/0", &status_etag).await;
    ok(&resigned, 200);
    let fresh = STANDARD.decode(resigned.body.as_str().unwrap()).unwrap();
    let fresh = ecard_credential::SignedStatusList::parse(&fresh).unwrap();
    assert!(fresh.list.valid_until > parsed.list.valid_until);
    assert_eq!(fresh.list.sequence, parsed.list.sequence);
    let etag = get(&platform, "/v1/trust-list").await.etag.unwrap();

    // Rotation: a new key joins, the old one stays while its credentials may live.
    let elder = platform.enrol_persona("elder").await;
    let before_rotation = credentials(&elder, None).await;
    ok(&before_rotation, 201);
    let rotated = admin(
        &platform,
        Method::POST,
        "/admin/issuer/rotate",
        Some(json!({ "suite": "p256" })),
    )
    .await;
    ok(&rotated, 200);
    assert_eq!(rotated.body["key_id"], 2);
    let refused = admin(
        &platform,
        Method::POST,
        "/admin/issuer/rotate",
        Some(json!({ "suite": "sm2" })),
    )
    .await;
    problem(&refused, 400, "malformed_request");
    let trust = get_if_none_match(&platform, "/v1/trust-list", &etag).await;
    ok(&trust, 200);
    assert_ne!(trust.etag.as_deref(), Some(etag.as_str()));
    let list = TrustList::from_json(&trust.body.to_string()).unwrap();
    assert_eq!(list.keys.len(), 2);
    assert!(list.sequence > 1);
    let after_rotation = credentials(&elder, None).await;
    ok(&after_rotation, 201);
    let (mut verifier, now) = terminal(&platform, &[Purpose::Transport]).await;
    for (counter, set) in [&before_rotation.body, &after_rotation.body]
        .into_iter()
        .enumerate()
    {
        let code = code_from(&elder, set, Purpose::Transport, now, counter as u32 + 1);
        let verified = verifier.verify(&code, now).unwrap();
        assert_eq!(verified.issuer, "CN-MOHRSS");
    }
    // The status list is now signed by the new key.
    let (bytes, _) = status_list(&platform).await;
    let parsed = ecard_credential::SignedStatusList::parse(&bytes).unwrap();
    assert_eq!(parsed.key_id, 2);
    // After the retired key's credentials have all expired, it leaves the list.
    advance(&platform, 4 * DAY).await;
    let list = trust_list(&platform).await;
    assert_eq!(list.keys.len(), 1);
    assert_eq!(list.keys[0].key_id, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_outlet_sync_and_rules_feeds() {
    let platform = TestPlatform::start();

    // Items: full, then nothing new since the version, then a 304.
    let full = get(&platform, "/v1/catalogue/items").await;
    ok(&full, 200);
    assert_eq!(full.body["full"], true);
    let version = full.body["version"].as_u64().unwrap();
    let items = full.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 323);
    assert_eq!(full.body["removed"], json!([]));
    let item: ecard_api::catalogue::CatalogueItem =
        serde_json::from_value(items[0].clone()).unwrap();
    let etag = full.etag.clone().unwrap();
    let delta = get(&platform, &format!("/v1/catalogue/items?since={version}")).await;
    ok(&delta, 200);
    assert_eq!(delta.body["full"], false);
    assert_eq!(delta.body["items"], json!([]));
    assert_eq!(delta.body["version"], version);
    let unchanged = get_if_none_match(&platform, "/v1/catalogue/items", &etag).await;
    assert_eq!(unchanged.status, 304);
    problem(
        &get(&platform, "/v1/catalogue/items?since=abc").await,
        422,
        "invalid_field",
    );
    problem(
        &get(&platform, "/v1/catalogue/items?since=-1").await,
        422,
        "invalid_field",
    );
    // A client ahead of the platform (a reset database) gets everything.
    let ahead = get(
        &platform,
        &format!("/v1/catalogue/items?since={}", version + 100),
    )
    .await;
    assert_eq!(ahead.body["full"], true);

    // An edit and a removal show up in the delta; the ETag moves on.
    let mut changed = item.clone();
    changed.short_label = "社保卡".into();
    let answer = admin(
        &platform,
        Method::PUT,
        "/admin/catalogue/items",
        Some(json!([changed])),
    )
    .await;
    ok(&answer, 200);
    let edited_version = answer.body["version"].as_u64().unwrap();
    assert_eq!(edited_version, version + 1);
    let removed_id = items[1]["id"].as_str().unwrap();
    let answer = admin(
        &platform,
        Method::DELETE,
        &format!("/admin/catalogue/items/{removed_id}"),
        None,
    )
    .await;
    ok(&answer, 200);
    let delta = get_if_none_match(
        &platform,
        &format!("/v1/catalogue/items?since={version}"),
        &etag,
    )
    .await;
    ok(&delta, 200);
    assert_eq!(delta.body["version"], version + 2);
    assert_eq!(delta.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(delta.body["items"][0]["short_label"], "社保卡");
    assert_eq!(delta.body["items"][0]["version"], edited_version);
    assert_eq!(delta.body["removed"], json!([removed_id]));
    let full = get(&platform, "/v1/catalogue/items").await;
    assert_eq!(full.body["items"].as_array().unwrap().len(), 322);
    assert_eq!(full.body["removed"], json!([]));
    problem(
        &admin(
            &platform,
            Method::DELETE,
            &format!("/admin/catalogue/items/{removed_id}"),
            None,
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &admin(
            &platform,
            Method::PUT,
            "/admin/catalogue/items",
            Some(json!([{ "id": 1 }])),
        )
        .await,
        400,
        "malformed_request",
    );

    // Outlets, the same way.
    let outlets = get(&platform, "/v1/catalogue/outlets").await;
    ok(&outlets, 200);
    assert_eq!(outlets.body["full"], true);
    let outlet_list = outlets.body["outlets"].as_array().unwrap();
    assert!(outlet_list.len() >= 3_000);
    let outlets_version = outlets.body["version"].as_u64().unwrap();
    let outlets_etag = outlets.etag.clone().unwrap();
    assert_eq!(
        get_if_none_match(&platform, "/v1/catalogue/outlets", &outlets_etag)
            .await
            .status,
        304
    );
    let mut outlet: ecard_api::catalogue::Outlet =
        serde_json::from_value(outlet_list[0].clone()).unwrap();
    outlet.id = "O-TEST-1".into();
    outlet.name = "测试网点".into();
    let answer = admin(
        &platform,
        Method::PUT,
        "/admin/outlets",
        Some(json!([outlet])),
    )
    .await;
    ok(&answer, 200);
    let answer = admin(&platform, Method::DELETE, "/admin/outlets/O-00002", None).await;
    ok(&answer, 200);
    let delta = get(
        &platform,
        &format!("/v1/catalogue/outlets?since={outlets_version}"),
    )
    .await;
    ok(&delta, 200);
    assert_eq!(delta.body["full"], false);
    assert_eq!(delta.body["outlets"][0]["id"], "O-TEST-1");
    assert_eq!(delta.body["removed"], json!(["O-00002"]));

    // One-round-trip sync: all three, an ETag over all three, a 304.
    let sync = get(&platform, "/v1/catalogue/sync?region=360000").await;
    ok(&sync, 200);
    assert_eq!(sync.body["items"]["full"], true);
    assert_eq!(sync.body["outlets"]["full"], true);
    assert_eq!(sync.body["rules"]["region"], "360000");
    let items_version = sync.body["items"]["version"].as_u64().unwrap();
    let outlets_version = sync.body["outlets"]["version"].as_u64().unwrap();
    let delta_path = format!(
        "/v1/catalogue/sync?items_since={items_version}&outlets_since={outlets_version}&region=360102"
    );
    let delta = get(&platform, &delta_path).await;
    ok(&delta, 200);
    assert_eq!(delta.body["items"]["full"], false);
    assert_eq!(delta.body["items"]["items"], json!([]));
    assert_eq!(delta.body["outlets"]["outlets"], json!([]));
    let sync_etag = delta.etag.clone().unwrap();
    let unchanged = get_if_none_match(&platform, &delta_path, &sync_etag).await;
    assert_eq!(unchanged.status, 304);
    problem(
        &get(&platform, "/v1/catalogue/sync?items_since=x").await,
        422,
        "invalid_field",
    );

    // Rules: an ETag per version; a change bumps the version and the ETag.
    let rules_answer = get(&platform, "/v1/rules/360000").await;
    ok(&rules_answer, 200);
    let rules_etag = rules_answer.etag.clone().unwrap();
    assert_eq!(
        get_if_none_match(&platform, "/v1/rules/360000", &rules_etag)
            .await
            .status,
        304
    );
    let by_county = get(&platform, "/v1/rules/360102").await;
    assert_eq!(by_county.body, rules_answer.body);
    let document: ecard_api::rules::RegionalRules =
        serde_json::from_value(rules_answer.body.clone()).unwrap();
    assert_eq!(document.relative_quota, 8);
    assert!(!document.cancel_after_submit);
    change_rules(&platform, "360000", |rules| {
        rules["relative_quota"] = json!(3)
    })
    .await;
    let changed = get_if_none_match(&platform, "/v1/rules/360000", &rules_etag).await;
    ok(&changed, 200);
    assert_eq!(changed.body["relative_quota"], 3);
    assert_eq!(changed.body["version"], document.version + 1);
    let unchanged = get_if_none_match(&platform, &delta_path, &sync_etag).await;
    assert_eq!(unchanged.status, 200, "the sync ETag covers the rules");
    for region in ["330000", "440000", "510000"] {
        ok(&get(&platform, &format!("/v1/rules/{region}")).await, 200);
    }
}

// ---------------------------------------------------------------------------
// Card workflows

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_card_by_pickup_through_activation() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let me = person_id(&device);
    let empty = snapshot(&device).await;

    // Refusals that must not leave an application behind.
    let mut body = new_card(&me, pickup());
    body["bank"] = json!("cmb");
    let answer = device.post("/v1/applications", body).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "bank");
    let mut body = new_card(&me, pickup());
    body["photo_jpeg"] = json!(STANDARD.encode(jpeg(200, 300, 12_000)));
    let answer = device.post("/v1/applications", body).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "photo_jpeg");
    let mut body = new_card(&me, pickup());
    body["photo_jpeg"] = json!("%%%");
    problem(
        &device.post("/v1/applications", body).await,
        422,
        "invalid_field",
    );
    let body = new_card(&me, json!({ "method": "pickup", "outlet_id": "O-NONE" }));
    let answer = device.post("/v1/applications", body).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "delivery.outlet_id");
    let body = new_card(
        &me,
        json!({ "method": "mail", "address": "x", "phone": "13800138000" }),
    );
    let answer = device.post("/v1/applications", body).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "delivery.address");
    let body = new_card(&me, json!({ "method": "drone" }));
    problem(
        &device.post("/v1/applications", body).await,
        400,
        "malformed_request",
    );
    let mut body = new_card(&me, pickup());
    body["phone"] = json!("110");
    problem(
        &device.post("/v1/applications", body).await,
        422,
        "invalid_field",
    );
    // For someone else without a mandate.
    let elder = platform.persona("elder").await;
    let body = new_card(elder["person_id"].as_str().unwrap(), pickup());
    problem(
        &device.post("/v1/applications", body).await,
        403,
        "no_mandate",
    );
    assert_eq!(snapshot(&device).await, empty);

    // Submit; the same key and body again is the same application.
    let key = unique_key();
    let submitted = device
        .post_with_key("/v1/applications", new_card(&me, pickup()), &key)
        .await;
    ok(&submitted, 201);
    let id = submitted.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(submitted.body["kind"], "new_card");
    assert_eq!(submitted.body["person_id"], me.as_str());
    assert_eq!(submitted.body["submitted_by"], account_id(&device).as_str());
    assert!(submitted.body["mandate_id"].is_null());
    assert_eq!(submitted.body["fee_fen"], 0);
    // Nothing to pay for a pickup in Jiangxi: paid at once, and no cancelling.
    assert_eq!(submitted.body["state"], "paid");
    assert_eq!(states(&submitted.body), ["submitted", "paid"]);
    assert_eq!(actions(&submitted.body), Vec::<&str>::new());
    let again = device
        .post_with_key("/v1/applications", new_card(&me, pickup()), &key)
        .await;
    ok(&again, 201);
    assert_eq!(again.body, submitted.body);
    let mut other = new_card(&me, pickup());
    other["bank"] = json!("abc");
    let reused = device.post_with_key("/v1/applications", other, &key).await;
    problem(&reused, 422, "idempotency_key_reused");
    let list = device.get("/v1/applications").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    // A second application while one is open is refused.
    let before = snapshot(&device).await;
    let answer = device.post("/v1/applications", new_card(&me, mail())).await;
    problem(&answer, 409, "invalid_state");
    // Paying nothing due, cancelling where the rules forbid it, receiving early.
    problem(
        &device
            .post(
                &format!("/v1/applications/{id}/payment"),
                json!({ "amount_fen": 0 }),
            )
            .await,
        409,
        "invalid_state",
    );
    problem(
        &device
            .post(&format!("/v1/applications/{id}/cancel"), json!({}))
            .await,
        409,
        "not_allowed_by_rules",
    );
    problem(
        &device
            .post(&format!("/v1/applications/{id}/receipt"), json!({}))
            .await,
        409,
        "invalid_state",
    );
    problem(
        &device
            .post(
                &format!("/v1/applications/{id}/photo"),
                json!({ "photo_jpeg": test_photo_base64() }),
            )
            .await,
        409,
        "invalid_state",
    );
    problem(&credentials(&device, None).await, 409, "card_not_active");
    assert_eq!(snapshot(&device).await, before);

    // Production on the admin clock: queued an hour, three days in production.
    // The card record is made when production starts, and in Jiangxi its
    // e-card with it, usable at once (同步生成…直接使用).
    advance(&platform, 2 * 3_600).await;
    let in_production = application(&device, &id).await;
    assert_eq!(in_production["state"], "in_production");
    let card_id = in_production["card_id"].as_str().unwrap().to_owned();
    let cards = my_cards(&device).await;
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["card_id"], card_id.as_str());
    assert_eq!(cards[0]["status"], "active");
    assert_eq!(cards[0]["e_card"], "active");
    let early = credentials(&device, None).await;
    ok(&early, 201);
    assert_eq!(early.body["card_id"], card_id.as_str());
    advance(&platform, 3 * DAY).await;
    let at_outlet = application(&device, &id).await;
    assert_eq!(at_outlet["state"], "at_outlet");
    assert_eq!(
        states(&at_outlet),
        ["submitted", "paid", "in_production", "at_outlet"]
    );
    assert_eq!(actions(&at_outlet), ["confirm_receipt"]);
    assert_eq!(at_outlet["card_id"], card_id.as_str());
    let cards = my_cards(&device).await;
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["card_id"], card_id.as_str());
    assert_eq!(cards[0]["bank"], "icbc");
    assert_eq!(cards[0]["region"], "360000");
    assert_eq!(cards[0]["social_function_enabled"], false);
    let masked = cards[0]["card_number_masked"].as_str().unwrap();
    assert_eq!(masked.len(), 9);
    assert!(masked.contains("*****"));
    // Not in the holder's hands yet: no activation (the e-card works already).
    problem(
        &device
            .post(&format!("/v1/cards/{card_id}/activation"), json!({}))
            .await,
        409,
        "invalid_state",
    );

    let received = device
        .post(&format!("/v1/applications/{id}/receipt"), json!({}))
        .await;
    ok(&received, 200);
    assert_eq!(received.body["state"], "received");
    assert_eq!(actions(&received.body), ["activate"]);

    // Codes work once received, before activation.
    let set = credentials(&device, None).await;
    ok(&set, 201);
    assert_eq!(set.body["card_id"], card_id.as_str());
    assert_eq!(set.body["person_id"], me.as_str());
    assert_eq!(set.body["role"], "holder");
    let issued = set.body["credentials"].as_array().unwrap();
    assert_eq!(issued.len(), 2);
    assert_eq!(
        issued[0]["purposes"],
        json!(["transport", "culture_tourism"])
    );
    assert_eq!(issued[1]["purposes"], json!(["medical", "identity"]));
    let not_after = issued[0]["not_after"].as_u64().unwrap();
    let not_before = issued[0]["not_before"].as_u64().unwrap();
    assert_eq!(not_after - not_before, 24 * 3_600);
    assert!(set.body["refresh_after"].as_u64().unwrap() < not_after);
    let (mut verifier, now) = terminal(&platform, &[Purpose::Transport, Purpose::Medical]).await;
    let code = code_from(&device, &set.body, Purpose::Transport, now, 1);
    let verified = verifier.verify(&code, now).unwrap();
    assert_eq!(
        verified.disclosure,
        ecard_credential::Disclosure::Transport {
            concession: ecard_credential::ConcessionClass::Standard
        }
    );
    let code = code_from(&device, &set.body, Purpose::Medical, now, 2);
    match verifier.verify(&code, now).unwrap().disclosure {
        ecard_credential::Disclosure::Medical { region, .. } => {
            assert_eq!(region.unwrap().to_string(), "360000");
        }
        other => panic!("{other:?}"),
    }
    // The card id is optional; naming it gives the same.
    ok(&credentials(&device, Some(&card_id)).await, 201);
    let empty_body = device
        .send("POST", "/v1/credentials", None, Some(&unique_key()), true)
        .await;
    ok(&empty_body, 201);

    // Activation (社保功能启用) ends the application.
    let activated = device
        .post(&format!("/v1/cards/{card_id}/activation"), json!({}))
        .await;
    ok(&activated, 200);
    assert_eq!(activated.body["social_function_enabled"], true);
    assert_eq!(activated.body["status"], "active");
    let done = application(&device, &id).await;
    assert_eq!(done["state"], "activated");
    assert_eq!(actions(&done), Vec::<&str>::new());
    let before = snapshot(&device).await;
    problem(
        &device
            .post(&format!("/v1/cards/{card_id}/activation"), json!({}))
            .await,
        409,
        "invalid_state",
    );
    // A card already held: no second first card.
    problem(
        &device
            .post("/v1/applications", new_card(&me, pickup()))
            .await,
        409,
        "invalid_state",
    );
    assert_eq!(snapshot(&device).await, before);

    // The audit trail, newest first.
    let trail = audit_actions(&device).await;
    assert_eq!(
        trail,
        [
            "card.activate",
            "credential.issue",
            "credential.issue",
            "credential.issue",
            "application.receipt",
            "credential.issue",
            "application.submit",
            "device.enrol",
        ]
    );
    let audit = device.get("/v1/audit").await;
    for entry in audit.body.as_array().unwrap() {
        assert_eq!(entry["actor_account_id"], account_id(&device).as_str());
        assert_eq!(entry["principal_person_id"], me.as_str());
        assert!(entry["at"].as_u64().unwrap() >= now_seconds() - 60);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_card_by_mail_payment_and_cancellation_rules() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let me = person_id(&device);

    // Mail costs postage in Jiangxi: submitted, waiting for payment.
    let submitted = device.post("/v1/applications", new_card(&me, mail())).await;
    ok(&submitted, 201);
    let id = submitted.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(submitted.body["state"], "submitted");
    assert_eq!(submitted.body["fee_fen"], 1000);
    assert_eq!(actions(&submitted.body), ["pay"]);
    let before = snapshot(&device).await;
    let wrong = device
        .post(
            &format!("/v1/applications/{id}/payment"),
            json!({ "amount_fen": 999 }),
        )
        .await;
    problem(&wrong, 422, "invalid_field");
    assert_eq!(wrong.body["field"], "amount_fen");
    problem(
        &device
            .post(
                &format!("/v1/applications/{id}/payment"),
                json!({ "amount_fen": -5 }),
            )
            .await,
        400,
        "malformed_request",
    );
    problem(
        &device
            .post(&format!("/v1/applications/{id}/cancel"), json!({}))
            .await,
        409,
        "not_allowed_by_rules",
    );
    assert_eq!(snapshot(&device).await, before);
    // The clock does not move an unpaid application.
    advance(&platform, 10 * DAY).await;
    assert_eq!(application(&device, &id).await["state"], "submitted");

    // Jiangxi changes its rule: cancelling is now allowed before production.
    change_rules(&platform, "360000", |rules| {
        rules["cancel_after_submit"] = json!(true);
    })
    .await;
    let open = application(&device, &id).await;
    assert_eq!(actions(&open), ["pay", "cancel"]);
    let cancelled = device
        .post(&format!("/v1/applications/{id}/cancel"), json!({}))
        .await;
    ok(&cancelled, 200);
    assert_eq!(cancelled.body["state"], "cancelled");
    assert_eq!(states(&cancelled.body), ["submitted", "cancelled"]);
    let before = snapshot(&device).await;
    problem(
        &device
            .post(&format!("/v1/applications/{id}/cancel"), json!({}))
            .await,
        409,
        "invalid_state",
    );
    problem(
        &device
            .post(
                &format!("/v1/applications/{id}/payment"),
                json!({ "amount_fen": 1000 }),
            )
            .await,
        409,
        "invalid_state",
    );
    assert_eq!(snapshot(&device).await, before);

    // A new application, paid, and cancelled while it waits for production.
    let second = device.post("/v1/applications", new_card(&me, mail())).await;
    ok(&second, 201);
    let second_id = second.body["application_id"].as_str().unwrap().to_owned();
    let paid = device
        .post(
            &format!("/v1/applications/{second_id}/payment"),
            json!({ "amount_fen": 1000 }),
        )
        .await;
    ok(&paid, 200);
    assert_eq!(paid.body["state"], "paid");
    assert_eq!(actions(&paid.body), ["cancel"]);
    let cancelled = device
        .post(&format!("/v1/applications/{second_id}/cancel"), json!({}))
        .await;
    ok(&cancelled, 200);
    advance(&platform, 10 * DAY).await;
    let still = application(&device, &second_id).await;
    assert_eq!(still["state"], "cancelled");
    assert!(still["card_id"].is_null());
    assert!(my_cards(&device).await.is_empty());

    // A third one goes all the way by post: produced, posted, delivered.
    let third = device.post("/v1/applications", new_card(&me, mail())).await;
    ok(&third, 201);
    let third_id = third.body["application_id"].as_str().unwrap().to_owned();
    ok(
        &device
            .post(
                &format!("/v1/applications/{third_id}/payment"),
                json!({ "amount_fen": 1000 }),
            )
            .await,
        200,
    );
    advance(&platform, 2 * 3_600).await;
    let in_production = application(&device, &third_id).await;
    assert_eq!(in_production["state"], "in_production");
    // Once in production it cannot be cancelled even where the rules allow.
    problem(
        &device
            .post(&format!("/v1/applications/{third_id}/cancel"), json!({}))
            .await,
        409,
        "invalid_state",
    );
    advance(&platform, 3 * DAY).await;
    let dispatched = application(&device, &third_id).await;
    assert_eq!(dispatched["state"], "dispatched");
    assert_eq!(actions(&dispatched), ["confirm_receipt"]);
    // In the post, the Jiangxi e-card works already.
    ok(&credentials(&device, None).await, 201);
    advance(&platform, 3 * DAY).await;
    let delivered = application(&device, &third_id).await;
    assert_eq!(delivered["state"], "received");
    assert_eq!(
        states(&delivered),
        [
            "submitted",
            "paid",
            "in_production",
            "dispatched",
            "received"
        ]
    );
    // Stage times follow the clock: an hour of queue, three days each.
    let at: Vec<u64> = delivered["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stage| stage["at"].as_u64().unwrap())
        .collect();
    assert_eq!(at[2] - at[1], 3_600);
    assert_eq!(at[3] - at[2], 3 * DAY);
    assert_eq!(at[4] - at[3], 3 * DAY);
    receive_and_activate(&device, &delivered).await;
    assert_eq!(
        audit_actions(&device).await,
        [
            "card.activate",
            "credential.issue",
            "application.pay",
            "application.submit",
            "application.cancel",
            "application.pay",
            "application.submit",
            "application.cancel",
            "application.submit",
            "device.enrol",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loss_reports_set_and_clear_status_bits() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("elder").await;
    let card = my_cards(&device).await[0].clone();
    let card_id = card["card_id"].as_str().unwrap().to_owned();
    assert_eq!(card["status"], "active");
    assert_eq!(card["social_function_enabled"], true);
    assert!(card["loss_report"].is_null());

    let set = credentials(&device, None).await;
    ok(&set, 201);
    let (mut verifier, now) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&device, &set.body, Purpose::Transport, now, 1);
    let verified = verifier.verify(&code, now).unwrap();
    assert_eq!(
        verified.disclosure,
        ecard_credential::Disclosure::Transport {
            concession: ecard_credential::ConcessionClass::SeniorFree
        }
    );

    // 临时挂失: the card and its codes stop at once.
    let reported = device
        .post(
            &format!("/v1/cards/{card_id}/loss-reports"),
            json!({ "kind": "temporary" }),
        )
        .await;
    ok(&reported, 201);
    assert_eq!(reported.body["status"], "temporarily_lost");
    assert_eq!(reported.body["e_card"], "suspended");
    let report = &reported.body["loss_report"];
    assert_eq!(report["kind"], "temporary");
    let reported_at = report["reported_at"].as_u64().unwrap();
    assert_eq!(report["lapses_at"].as_u64().unwrap(), reported_at + 5 * DAY);
    assert!(report["ended_at"].is_null());
    let (bytes, now) = status_list(&platform).await;
    verifier.install_status_list(&bytes, now).unwrap();
    let code = code_from(&device, &set.body, Purpose::Transport, now, 2);
    assert_eq!(
        verifier.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );
    let code = code_from(&device, &set.body, Purpose::CultureTourism, now, 3);
    let mut culture = Verifier::new(
        &trust_list(&platform).await,
        VerifierPolicy::for_purposes(&[Purpose::CultureTourism]),
    )
    .unwrap();
    culture.install_status_list(&bytes, now).unwrap();
    assert_eq!(
        culture.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );

    let before = snapshot(&device).await;
    problem(&credentials(&device, None).await, 409, "card_not_active");
    problem(
        &device
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        409,
        "invalid_state",
    );
    problem(
        &device
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "stolen" }),
            )
            .await,
        400,
        "malformed_request",
    );
    assert_eq!(snapshot(&device).await, before);

    // 解挂 online (Jiangxi allows it): the same credential verifies again.
    let released = device
        .post_with_pin(
            &format!("/v1/cards/{card_id}/loss-reports/release"),
            json!({}),
            "release_loss",
        )
        .await;
    ok(&released, 200);
    assert_eq!(released.body["status"], "active");
    assert_eq!(released.body["e_card"], "active");
    assert!(released.body["loss_report"].is_null());
    let (bytes, now) = status_list(&platform).await;
    verifier.install_status_list(&bytes, now).unwrap();
    let code = code_from(&device, &set.body, Purpose::Transport, now, 4);
    verifier.verify(&code, now).unwrap();
    let before = snapshot(&device).await;
    problem(
        &device
            .post_with_pin(
                &format!("/v1/cards/{card_id}/loss-reports/release"),
                json!({}),
                "release_loss",
            )
            .await,
        409,
        "invalid_state",
    );
    assert_eq!(snapshot(&device).await, before);

    // A temporary report lapses by itself after five days.
    ok(
        &device
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
    advance(&platform, 4 * DAY).await;
    assert_eq!(my_cards(&device).await[0]["status"], "temporarily_lost");
    advance(&platform, DAY + 60).await;
    let card_now = &my_cards(&device).await[0];
    assert_eq!(card_now["status"], "active");
    assert_eq!(card_now["e_card"], "active");
    let fresh = credentials(&device, None).await;
    ok(&fresh, 201);

    // 正式挂失 supersedes a temporary one and is final in Jiangxi.
    ok(
        &device
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
    let formal = device
        .post(
            &format!("/v1/cards/{card_id}/loss-reports"),
            json!({ "kind": "formal" }),
        )
        .await;
    ok(&formal, 201);
    assert_eq!(formal.body["status"], "formally_lost");
    assert_eq!(formal.body["loss_report"]["kind"], "formal");
    assert!(formal.body["loss_report"]["lapses_at"].is_null());
    let (mut verifier, now) = terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&device, &fresh.body, Purpose::Medical, now, 1);
    assert_eq!(
        verifier.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );
    let before = snapshot(&device).await;
    problem(
        &device
            .post_with_pin(
                &format!("/v1/cards/{card_id}/loss-reports/release"),
                json!({}),
                "release_loss",
            )
            .await,
        409,
        "not_allowed_by_rules",
    );
    problem(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/cards/{card_id}/release"),
            None,
        )
        .await,
        409,
        "not_allowed_by_rules",
    );
    problem(
        &device
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "formal" }),
            )
            .await,
        409,
        "invalid_state",
    );
    problem(
        &device
            .post(&format!("/v1/cards/{card_id}/activation"), json!({}))
            .await,
        409,
        "invalid_state",
    );
    advance(&platform, 30 * DAY).await;
    assert_eq!(snapshot(&device).await, before);

    assert_eq!(
        audit_actions(&device).await,
        [
            "card.loss_report.formal",
            "card.loss_report.temporary",
            "credential.issue",
            "card.loss_report.temporary",
            "card.loss_report.release",
            "card.loss_report.temporary",
            "credential.issue",
            "device.enrol",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regional_loss_rules_and_counter_release() {
    let platform = TestPlatform::start();
    // Guangdong: release only at a counter; a temporary report keeps the e-card.
    let (person, id_number) = platform
        .add_person_in("440106", "黄小明", "19800101", "011", &[])
        .await;
    let answer = admin(
        &platform,
        Method::POST,
        &format!("/admin/people/{person}/cards"),
        Some(json!({ "bank": "cmb" })),
    )
    .await;
    ok(&answer, 201);
    assert_eq!(answer.body["region"], "440000");
    let card_id = answer.body["card_id"].as_str().unwrap().to_owned();
    let mut device = RawDevice::new(&platform.url());
    ok(&device.enrol(&id_number, "黄小明").await, 201);
    let set = credentials(&device, None).await;
    ok(&set, 201);
    let issued = &set.body["credentials"][0];
    assert_eq!(
        issued["not_after"].as_u64().unwrap() - issued["not_before"].as_u64().unwrap(),
        72 * 3_600
    );
    let reported = device
        .post(
            &format!("/v1/cards/{card_id}/loss-reports"),
            json!({ "kind": "temporary" }),
        )
        .await;
    ok(&reported, 201);
    assert_eq!(reported.body["status"], "temporarily_lost");
    assert_eq!(reported.body["e_card"], "active");
    let (mut verifier, now) = terminal(&platform, &[Purpose::Transport]).await;
    verifier
        .verify(
            &code_from(&device, &set.body, Purpose::Transport, now, 1),
            now,
        )
        .unwrap();
    let before = snapshot(&device).await;
    let refused = device
        .post_with_pin(
            &format!("/v1/cards/{card_id}/loss-reports/release"),
            json!({}),
            "release_loss",
        )
        .await;
    problem(&refused, 409, "not_allowed_by_rules");
    assert_eq!(snapshot(&device).await, before);
    let released = admin(
        &platform,
        Method::POST,
        &format!("/admin/cards/{card_id}/release"),
        None,
    )
    .await;
    ok(&released, 200);
    assert_eq!(released.body["status"], "active");
    assert_eq!(
        audit_actions(&device).await[0],
        "card.loss_report.release_at_counter"
    );
    problem(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/cards/{card_id}/release"),
            None,
        )
        .await,
        409,
        "invalid_state",
    );

    // Zhejiang: a formal report can be reversed online.
    let (person, id_number) = platform
        .add_person_in("330106", "钱江", "19750505", "022", &[])
        .await;
    let card = admin(
        &platform,
        Method::POST,
        &format!("/admin/people/{person}/cards"),
        Some(json!({ "bank": "hzb" })),
    )
    .await;
    let card_id = card.body["card_id"].as_str().unwrap().to_owned();
    let mut device = RawDevice::new(&platform.url());
    ok(&device.enrol(&id_number, "钱江").await, 201);
    ok(
        &device
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "formal" }),
            )
            .await,
        201,
    );
    let released = device
        .post_with_pin(
            &format!("/v1/cards/{card_id}/loss-reports/release"),
            json!({}),
            "release_loss",
        )
        .await;
    ok(&released, 200);
    assert_eq!(released.body["status"], "active");
    // Someone else cannot report this card lost.
    let stranger = platform.enrol_persona("resident").await;
    problem(
        &stranger
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        403,
        "no_mandate",
    );
    problem(
        &credentials(&stranger, Some(&card_id)).await,
        403,
        "no_mandate",
    );
    // A bank that is not co-branded in the region is refused at the counter too.
    let refused = admin(
        &platform,
        Method::POST,
        &format!("/admin/people/{person}/cards"),
        Some(json!({ "bank": "nobank" })),
    )
    .await;
    problem(&refused, 422, "invalid_field");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacements_plain_change_bank_keep_number() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("elder").await;
    let old = my_cards(&device).await[0].clone();
    let old_id = old["card_id"].as_str().unwrap().to_owned();
    ok(&credentials(&device, None).await, 201);
    let before = snapshot(&device).await;

    // Refusals.
    let refusal = |body: Value| {
        let device = &device;
        async move { device.post("/v1/replacements", body).await }
    };
    let answer =
        refusal(json!({ "card_id": old_id, "kind": "change_bank", "delivery": pickup() })).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "bank");
    let answer = refusal(json!({
        "card_id": old_id, "kind": "change_bank", "bank": "icbc", "delivery": pickup()
    }))
    .await;
    problem(&answer, 422, "invalid_field");
    let answer = refusal(json!({
        "card_id": old_id, "kind": "change_bank", "bank": "ccb", "delivery": pickup()
    }))
    .await;
    problem(&answer, 409, "not_allowed_by_rules");
    let answer = refusal(json!({
        "card_id": old_id, "kind": "plain", "delivery": pickup(),
        "photo_jpeg": STANDARD.encode(jpeg(100, 100, 12_000)),
    }))
    .await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "photo_jpeg");
    // The seeded card has no photo on file: the first replacement needs one.
    let answer = refusal(json!({ "card_id": old_id, "kind": "plain", "delivery": pickup() })).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "photo_jpeg");
    let answer = refusal(json!({ "card_id": old_id, "kind": "plain" })).await;
    problem(&answer, 400, "malformed_request");
    assert_eq!(snapshot(&device).await, before);

    // Plain replacement after a formal loss report, by pickup.
    ok(
        &device
            .post(
                &format!("/v1/cards/{old_id}/loss-reports"),
                json!({ "kind": "formal" }),
            )
            .await,
        201,
    );
    let submitted = device
        .post(
            "/v1/replacements",
            json!({
                "card_id": old_id, "kind": "plain", "delivery": pickup(),
                "photo_jpeg": test_photo_base64(),
            }),
        )
        .await;
    ok(&submitted, 201);
    assert_eq!(submitted.body["kind"], json!({ "replacement": "plain" }));
    assert_eq!(submitted.body["replaces_card_id"], old_id.as_str());
    assert_eq!(submitted.body["fee_fen"], 0);
    let id = submitted.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = snapshot(&device).await;
    let answer = refusal(json!({
        "card_id": old_id, "kind": "keep_number", "delivery": pickup(),
        "photo_jpeg": test_photo_base64(),
    }))
    .await;
    problem(&answer, 409, "invalid_state");
    assert_eq!(snapshot(&device).await, before);
    advance(&platform, 4 * DAY).await;
    let produced = application(&device, &id).await;
    assert_eq!(produced["state"], "at_outlet");
    let first_new = receive_and_activate(&device, &produced).await;
    let cards = my_cards(&device).await;
    assert_eq!(cards.len(), 2);
    let by_id = |id: &str| {
        cards
            .iter()
            .find(|card| card["card_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id(&old_id)["status"], "replaced");
    assert!(by_id(&old_id)["loss_report"].is_null());
    let new_card = by_id(&first_new);
    assert_eq!(new_card["status"], "active");
    assert_eq!(new_card["bank"], "icbc");
    assert_ne!(new_card["card_number_masked"], old["card_number_masked"]);
    // The old card gives no more credentials; the new card gets its own.
    problem(
        &credentials(&device, Some(&old_id)).await,
        409,
        "card_not_active",
    );
    let new_set = credentials(&device, None).await;
    ok(&new_set, 201);
    assert_eq!(new_set.body["card_id"], first_new.as_str());
    let before = snapshot(&device).await;
    let answer = refusal(json!({ "card_id": old_id, "kind": "plain", "delivery": pickup() })).await;
    problem(&answer, 409, "invalid_state");
    assert_eq!(snapshot(&device).await, before);

    // Keep-number replacement (保号换卡), by mail: the photo on file is reused.
    let submitted = device
        .post(
            "/v1/replacements",
            json!({ "card_id": first_new, "kind": "keep_number", "delivery": mail() }),
        )
        .await;
    ok(&submitted, 201);
    assert_eq!(
        submitted.body["kind"],
        json!({ "replacement": "keep_number" })
    );
    assert_eq!(submitted.body["fee_fen"], 1000);
    let id = submitted.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(
        &device
            .post(
                &format!("/v1/applications/{id}/payment"),
                json!({ "amount_fen": 1000 }),
            )
            .await,
        200,
    );
    // The card being replaced still shows codes while the paid application
    // waits for production…
    assert_eq!(application(&device, &id).await["state"], "paid");
    let last_set = credentials(&device, Some(&first_new)).await;
    ok(&last_set, 201);
    // …and is retired when production starts: its unexpired credentials
    // are revoked, and the new card's e-card works during the replacement
    // (Jiangxi's sample `during_replacement`).
    advance(&platform, 2 * 3_600).await;
    let in_production = application(&device, &id).await;
    assert_eq!(in_production["state"], "in_production");
    let (mut verifier, now) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&device, &last_set.body, Purpose::Transport, now, 1);
    assert_eq!(
        verifier.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );
    problem(
        &credentials(&device, Some(&first_new)).await,
        409,
        "card_not_active",
    );
    let making = in_production["card_id"].as_str().unwrap().to_owned();
    let during = credentials(&device, None).await;
    ok(&during, 201);
    assert_eq!(during.body["card_id"], making.as_str());
    advance(&platform, 3 * DAY).await;
    let produced = application(&device, &id).await;
    assert_eq!(produced["state"], "dispatched");
    assert_eq!(produced["card_id"], making.as_str());
    let same_number = receive_and_activate(&device, &produced).await;
    let cards = my_cards(&device).await;
    let by_id = |id: &str| {
        cards
            .iter()
            .find(|card| card["card_id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_id(&same_number)["card_number_masked"],
        new_card["card_number_masked"]
    );
    assert_eq!(by_id(&first_new)["status"], "replaced");

    // Change of bank: refused until the old bank reports the account closed.
    let change = json!({
        "card_id": same_number, "kind": "change_bank", "bank": "ccb", "delivery": pickup()
    });
    let before = snapshot(&device).await;
    let refused = device.post("/v1/replacements", change.clone()).await;
    problem(&refused, 409, "not_allowed_by_rules");
    assert_eq!(snapshot(&device).await, before);
    let closed = admin(
        &platform,
        Method::POST,
        &format!("/admin/cards/{same_number}/bank-account-closed"),
        None,
    )
    .await;
    ok(&closed, 200);
    let submitted = device.post("/v1/replacements", change).await;
    ok(&submitted, 201);
    assert_eq!(
        submitted.body["kind"],
        json!({ "replacement": "change_bank" })
    );
    let id = submitted.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    advance(&platform, 4 * DAY).await;
    let produced = application(&device, &id).await;
    let ccb_card = receive_and_activate(&device, &produced).await;
    let cards = my_cards(&device).await;
    assert_eq!(cards.len(), 4);
    let newest = cards
        .iter()
        .find(|card| card["card_id"] == ccb_card.as_str())
        .unwrap();
    assert_eq!(newest["bank"], "ccb");
    assert_ne!(newest["card_number_masked"], new_card["card_number_masked"]);
    let active: Vec<&Value> = cards
        .iter()
        .filter(|card| card["status"] == "active")
        .collect();
    assert_eq!(active.len(), 1);

    let trail = audit_actions(&device).await;
    assert!(trail.contains(&"replacement.submit.plain".to_owned()));
    assert!(trail.contains(&"replacement.submit.keep_number".to_owned()));
    assert!(trail.contains(&"replacement.submit.change_bank".to_owned()));
    assert_eq!(
        device
            .get("/v1/applications")
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_failure_and_photo_resubmission() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let me = person_id(&device);
    let submitted = device
        .post("/v1/applications", new_card(&me, pickup()))
        .await;
    ok(&submitted, 201);
    let id = submitted.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    advance(&platform, 2 * 3_600).await;
    // The card bureau rejects the photo.
    let failed = admin(
        &platform,
        Method::POST,
        &format!("/admin/applications/{id}/fail"),
        Some(json!({ "reason": "照片背景不符合要求" })),
    )
    .await;
    ok(&failed, 200);
    assert_eq!(failed.body["state"], "production_failed");
    assert_eq!(failed.body["failure_reason"], "照片背景不符合要求");
    assert_eq!(actions(&failed.body), ["resubmit_photo"]);
    problem(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/applications/{id}/fail"),
            Some(json!({ "reason": "x" })),
        )
        .await,
        409,
        "invalid_state",
    );
    problem(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/applications/{id}/fail"),
            Some(json!({})),
        )
        .await,
        400,
        "malformed_request",
    );
    // Production had started: the card record exists and stays through the
    // failure (its Jiangxi e-card too). Time does not produce a failed
    // application.
    let card_id = failed.body["card_id"].as_str().unwrap().to_owned();
    advance(&platform, 10 * DAY).await;
    let waiting = application(&device, &id).await;
    assert_eq!(waiting["state"], "production_failed");
    assert_eq!(waiting["card_id"], card_id.as_str());
    let cards = my_cards(&device).await;
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["e_card"], "active");
    // Another application is refused while this one is open.
    problem(
        &device
            .post("/v1/applications", new_card(&me, pickup()))
            .await,
        409,
        "invalid_state",
    );

    let before = snapshot(&device).await;
    let bad = device
        .post(
            &format!("/v1/applications/{id}/photo"),
            json!({ "photo_jpeg": STANDARD.encode(jpeg(358, 441, 100)) }),
        )
        .await;
    problem(&bad, 422, "invalid_field");
    problem(
        &device
            .post(&format!("/v1/applications/{id}/photo"), json!({}))
            .await,
        400,
        "malformed_request",
    );
    assert_eq!(snapshot(&device).await, before);
    let resubmitted = device
        .post(
            &format!("/v1/applications/{id}/photo"),
            json!({ "photo_jpeg": STANDARD.encode(jpeg(358, 441, 15_000)) }),
        )
        .await;
    ok(&resubmitted, 200);
    assert_eq!(resubmitted.body["state"], "paid");
    assert!(resubmitted.body["failure_reason"].is_null());
    // Production started once: no cancelling, even where the rules allow it.
    change_rules(&platform, "360000", |rules| {
        rules["cancel_after_submit"] = json!(true)
    })
    .await;
    let paid_again = application(&device, &id).await;
    assert_eq!(actions(&paid_again), Vec::<&str>::new());
    problem(
        &device
            .post(&format!("/v1/applications/{id}/cancel"), json!({}))
            .await,
        409,
        "invalid_state",
    );
    advance(&platform, 4 * DAY).await;
    let produced = application(&device, &id).await;
    assert_eq!(produced["state"], "at_outlet");
    assert_eq!(
        produced["card_id"],
        card_id.as_str(),
        "the same card record"
    );
    assert_eq!(my_cards(&device).await.len(), 1);
    assert_eq!(
        states(&produced),
        [
            "submitted",
            "paid",
            "in_production",
            "production_failed",
            "paid",
            "in_production",
            "at_outlet"
        ]
    );
    receive_and_activate(&device, &produced).await;
    let trail = audit_actions(&device).await;
    assert_eq!(
        trail[..3],
        ["card.activate", "application.receipt", "application.photo"]
    );
}

// ---------------------------------------------------------------------------
// When the e-card works (rules `e_card_timing`)

/// A region's sample e-card timing: (county of the test person, province,
/// during production, during a temporary loss, during a replacement).
const E_CARD_TIMINGS: [(&str, &str, &str, &str, &str); 4] = [
    // Jiangxi: during production from the document (同步生成…直接使用).
    ("360102", "360000", "active", "suspended", "active"),
    ("330106", "330000", "suspended", "suspended", "active"),
    ("440106", "440000", "active", "active", "suspended"),
    ("510104", "510000", "suspended", "suspended", "suspended"),
];

/// Checks what the holder's profile says of a card's e-card and that the
/// platform issues credentials exactly when it says `active`; an issued
/// set makes a transport code a fresh terminal accepts. Returns the set.
async fn e_card_is(
    platform: &TestPlatform,
    device: &RawDevice,
    card_id: &str,
    expected: &str,
) -> Option<Value> {
    let cards = my_cards(device).await;
    let card = cards
        .iter()
        .find(|card| card["card_id"] == card_id)
        .unwrap();
    assert_eq!(card["e_card"], expected, "{card}");
    let answer = credentials(device, Some(card_id)).await;
    if expected == "active" {
        ok(&answer, 201);
        let (mut verifier, now) = terminal(platform, &[Purpose::Transport]).await;
        let code = code_from(device, &answer.body, Purpose::Transport, now, 1);
        verifier.verify(&code, now).unwrap();
        Some(answer.body)
    } else {
        problem(&answer, 409, "card_not_active");
        None
    }
}

/// Whether a fresh terminal accepts a code made from `set`.
async fn code_accepted(platform: &TestPlatform, device: &RawDevice, set: &Value) -> bool {
    let (mut verifier, now) = terminal(platform, &[Purpose::Transport]).await;
    let code = code_from(device, set, Purpose::Transport, now, 2);
    match verifier.verify(&code, now) {
        Ok(_) => true,
        Err(VerifyError::Revoked) => false,
        Err(other) => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_card_timing_follows_each_regions_rules() {
    let platform = TestPlatform::start();
    let photo = STANDARD.encode(jpeg(358, 441, 15_000));
    for (index, (county, province, production, temporary_loss, replacement)) in
        E_CARD_TIMINGS.into_iter().enumerate()
    {
        let region_rules = rules(&platform, province).await;
        assert_eq!(
            region_rules["e_card_timing"],
            json!({
                "during_production": production,
                "during_temporary_loss": temporary_loss,
                "during_replacement": replacement,
            }),
            "{province}"
        );
        let production_days = region_rules["production_days"].as_u64().unwrap();
        let (person, id_number) = platform
            .add_person_in(county, "周新", "19850707", &format!("0{index}1"), &[])
            .await;
        let mut device = RawDevice::new(&platform.url());
        ok(&device.enrol(&id_number, "周新").await, 201);

        // (a) A first card: nothing before production starts; from then on
        // the e-card works as the region says, until the card is received.
        let mut body = new_card(&person, pickup());
        body["photo_jpeg"] = json!(photo);
        let submitted = device.post("/v1/applications", body).await;
        ok(&submitted, 201);
        assert_eq!(submitted.body["state"], "paid", "{province}");
        let id = submitted.body["application_id"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(my_cards(&device).await.is_empty());
        problem(&credentials(&device, None).await, 409, "card_not_active");
        advance(&platform, 2 * 3_600).await;
        let making = application(&device, &id).await;
        assert_eq!(making["state"], "in_production");
        let card_id = making["card_id"].as_str().unwrap().to_owned();
        e_card_is(&platform, &device, &card_id, production).await;
        advance(&platform, production_days * DAY + 3_600).await;
        assert_eq!(application(&device, &id).await["state"], "at_outlet");
        e_card_is(&platform, &device, &card_id, production).await;
        ok(
            &device
                .post(&format!("/v1/applications/{id}/receipt"), json!({}))
                .await,
            200,
        );
        let before_loss = e_card_is(&platform, &device, &card_id, "active")
            .await
            .unwrap();

        // (b) A temporary loss report: the e-card as the region says; a
        // code made before it is refused where the e-card stops.
        let reported = device
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await;
        ok(&reported, 201);
        assert_eq!(reported.body["status"], "temporarily_lost");
        assert_eq!(reported.body["e_card"], temporary_loss, "{province}");
        e_card_is(&platform, &device, &card_id, temporary_loss).await;
        assert_eq!(
            code_accepted(&platform, &device, &before_loss).await,
            temporary_loss == "active",
            "{province}"
        );
        if region_rules["release_online"] == true {
            ok(
                &device
                    .post_with_pin(
                        &format!("/v1/cards/{card_id}/loss-reports/release"),
                        json!({}),
                        "release_loss",
                    )
                    .await,
                200,
            );
        } else {
            ok(
                &admin(
                    &platform,
                    Method::POST,
                    &format!("/admin/cards/{card_id}/release"),
                    None,
                )
                .await,
                200,
            );
        }
        e_card_is(&platform, &device, &card_id, "active").await;
        assert!(code_accepted(&platform, &device, &before_loss).await);

        // (c) A replacement (补换): the old card works until production
        // starts, is retired then, and the new card's e-card works as the
        // region says until it is received.
        let submitted = device
            .post(
                "/v1/replacements",
                json!({ "card_id": card_id, "kind": "plain", "delivery": pickup() }),
            )
            .await;
        ok(&submitted, 201);
        let replacement_id = submitted.body["application_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let fee = submitted.body["fee_fen"].as_u64().unwrap();
        assert_eq!(fee, region_rules["replacement_fee_fen"].as_u64().unwrap());
        if fee > 0 {
            ok(
                &device
                    .post(
                        &format!("/v1/applications/{replacement_id}/payment"),
                        json!({ "amount_fen": fee }),
                    )
                    .await,
                200,
            );
        }
        let old_set = e_card_is(&platform, &device, &card_id, "active")
            .await
            .unwrap();
        advance(&platform, 2 * 3_600).await;
        let making = application(&device, &replacement_id).await;
        assert_eq!(making["state"], "in_production");
        let new_card = making["card_id"].as_str().unwrap().to_owned();
        assert_ne!(new_card, card_id);
        let cards = my_cards(&device).await;
        let old = cards
            .iter()
            .find(|card| card["card_id"] == card_id.as_str())
            .unwrap();
        assert_eq!(old["status"], "replaced");
        e_card_is(&platform, &device, &card_id, "suspended").await;
        assert!(!code_accepted(&platform, &device, &old_set).await);
        e_card_is(&platform, &device, &new_card, replacement).await;
        advance(&platform, production_days * DAY + 3_600).await;
        e_card_is(&platform, &device, &new_card, replacement).await;
        ok(
            &device
                .post(
                    &format!("/v1/applications/{replacement_id}/receipt"),
                    json!({}),
                )
                .await,
            200,
        );
        e_card_is(&platform, &device, &new_card, "active").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_e_card_timing_applies_to_cards_being_made() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let me = person_id(&device);
    let submitted = device
        .post("/v1/applications", new_card(&me, pickup()))
        .await;
    ok(&submitted, 201);
    let id = submitted.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    advance(&platform, 2 * 3_600).await;
    let card_id = application(&device, &id).await["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let set = e_card_is(&platform, &device, &card_id, "active")
        .await
        .unwrap();

    // The operator changes Jiangxi's timing: the card being made follows at
    // once, and the code made before is refused.
    change_rules(&platform, "360000", |rules| {
        rules["e_card_timing"]["during_production"] = json!("suspended");
    })
    .await;
    e_card_is(&platform, &device, &card_id, "suspended").await;
    assert!(!code_accepted(&platform, &device, &set).await);
    // Reported lost while being made: both periods must allow the e-card.
    change_rules(&platform, "360000", |rules| {
        rules["e_card_timing"]["during_production"] = json!("active");
        rules["e_card_timing"]["during_temporary_loss"] = json!("active");
    })
    .await;
    e_card_is(&platform, &device, &card_id, "active").await;
    assert!(code_accepted(&platform, &device, &set).await);
    ok(
        &device
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
    e_card_is(&platform, &device, &card_id, "active").await;
    change_rules(&platform, "360000", |rules| {
        rules["e_card_timing"]["during_production"] = json!("suspended");
    })
    .await;
    e_card_is(&platform, &device, &card_id, "suspended").await;
    // The report lapses while the card is still at the outlet: the card is
    // active again, its e-card still waits for receipt.
    advance(&platform, 5 * DAY).await;
    assert_eq!(application(&device, &id).await["state"], "at_outlet");
    assert_eq!(my_cards(&device).await[0]["status"], "active");
    e_card_is(&platform, &device, &card_id, "suspended").await;
    ok(
        &device
            .post(&format!("/v1/applications/{id}/receipt"), json!({}))
            .await,
        200,
    );
    e_card_is(&platform, &device, &card_id, "active").await;
}

// ---------------------------------------------------------------------------
// Delegation

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardians_of_a_minor_and_a_newborn() {
    let platform = TestPlatform::start();
    let parent = platform.enrol_persona("resident").await;
    let minor = platform.persona("minor").await;
    let newborn = platform.persona("newborn").await;
    let identity = |persona: &Value| {
        json!({
            "id_type": "resident_id",
            "id_number": persona["id_number"],
            "name": persona["name"],
        })
    };
    let all_scopes = json!([
        "apply",
        "replace",
        "report_loss",
        "activate",
        "show_code",
        "track"
    ]);
    let before = snapshot(&parent).await;

    // Refusals: no evidence, wrong evidence, a wrong kind, no scopes.
    let request = |evidence: Value| {
        json!({
            "kind": "guardian", "principal": identity(&minor),
            "evidence": evidence, "scopes": all_scopes,
        })
    };
    let answer = parent
        .post_with_pin("/v1/delegations", request(Value::Null), "accept_mandate")
        .await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "evidence");
    let answer = parent
        .post_with_pin(
            "/v1/delegations",
            request(json!({ "kind": "household_register", "number": "1" })),
            "accept_mandate",
        )
        .await;
    problem(&answer, 422, "identity_not_verified");
    let answer = parent
        .post_with_pin(
            "/v1/delegations",
            request(json!({ "kind": "passport", "number": "1" })),
            "accept_mandate",
        )
        .await;
    problem(&answer, 422, "invalid_field");
    let mut empty =
        request(json!({ "kind": "household_register", "number": minor["household_register"] }));
    empty["scopes"] = json!([]);
    problem(
        &parent
            .post_with_pin("/v1/delegations", empty, "accept_mandate")
            .await,
        422,
        "invalid_field",
    );
    let mut wrong_name =
        request(json!({ "kind": "household_register", "number": minor["household_register"] }));
    wrong_name["principal"]["name"] = json!("张小花");
    problem(
        &parent
            .post_with_pin("/v1/delegations", wrong_name, "accept_mandate")
            .await,
        422,
        "identity_not_verified",
    );
    // A family proxy is not how a minor is represented.
    let proxy = json!({ "kind": "family_proxy", "relationship": "child", "principal": identity(&minor), "scopes": ["track"] });
    problem(
        &parent
            .post_with_pin("/v1/delegations", proxy, "accept_mandate")
            .await,
        409,
        "not_allowed_by_rules",
    );
    // Not for oneself.
    let me = platform.persona("resident").await;
    let self_mandate = json!({ "kind": "family_proxy", "relationship": "child", "principal": identity(&me), "scopes": ["track"] });
    problem(
        &parent
            .post_with_pin("/v1/delegations", self_mandate, "accept_mandate")
            .await,
        422,
        "invalid_field",
    );
    // Someone the register does not name as guardian, with the right evidence.
    let stranger = platform.enrol_persona("elder").await;
    let answer = stranger
        .post_with_pin(
            "/v1/delegations",
            request(json!({ "kind": "household_register", "number": minor["household_register"] })),
            "accept_mandate",
        )
        .await;
    problem(&answer, 422, "identity_not_verified");
    assert_eq!(snapshot(&parent).await, before);

    // The guardian of the minor, by household register: active at once,
    // ending at the 18th birthday.
    let mandate = parent
        .post_with_pin(
            "/v1/delegations",
            request(json!({ "kind": "household_register", "number": minor["household_register"] })),
            "accept_mandate",
        )
        .await;
    ok(&mandate, 201);
    assert_eq!(mandate.body["kind"], "guardian");
    assert_eq!(mandate.body["status"], "active");
    assert_eq!(
        mandate.body["agent_account_id"],
        account_id(&parent).as_str()
    );
    assert_eq!(mandate.body["principal_person_id"], minor["person_id"]);
    assert_eq!(mandate.body["principal_name_masked"], "张**");
    assert_eq!(
        mandate.body["scopes"],
        json!([
            "activate",
            "apply",
            "replace",
            "report_loss",
            "show_code",
            "track"
        ])
    );
    let expires_at = mandate.body["expires_at"].as_u64().unwrap();
    assert_eq!(
        ecard_documents::Date::from_unix_seconds(expires_at as i64, 8 * 3_600),
        ecard_documents::Date::new(2033, 9, 1)
    );
    let minor_mandate = mandate.body["delegation_id"].as_str().unwrap().to_owned();
    problem(
        &parent
            .post_with_pin(
                "/v1/delegations",
                request(
                    json!({ "kind": "household_register", "number": minor["household_register"] }),
                ),
                "accept_mandate",
            )
            .await,
        409,
        "invalid_state",
    );

    // The newborn (新生儿): birth certificate evidence, then one application by mail.
    let newborn_mandate = parent
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "guardian", "principal": identity(&newborn),
                "evidence": { "kind": "birth_certificate", "number": newborn["birth_certificate"] },
                "scopes": ["apply", "track", "show_code", "activate"],
            }),
            "accept_mandate",
        )
        .await;
    ok(&newborn_mandate, 201);
    let newborn_mandate_id = newborn_mandate.body["delegation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = parent.get("/v1/me").await;
    let principals = me.body["principals"].as_array().unwrap();
    assert_eq!(principals.len(), 2);

    // The minor cannot apply for themself; the guardian can. (A phone of
    // the minor's own is recorded at a counter first, so the minor can
    // enrol at all.)
    platform
        .admin(
            Method::POST,
            &format!(
                "/admin/people/{}/phone",
                minor["person_id"].as_str().unwrap()
            ),
            Some(json!({ "phone": "13600136000" })),
        )
        .await;
    let mut minor_device = RawDevice::new(&platform.url());
    ok(
        &minor_device
            .enrol(
                minor["id_number"].as_str().unwrap(),
                minor["name"].as_str().unwrap(),
            )
            .await,
        201,
    );
    let minor_id = minor["person_id"].as_str().unwrap();
    problem(
        &minor_device
            .post("/v1/applications", new_card(minor_id, pickup()))
            .await,
        409,
        "not_allowed_by_rules",
    );
    let newborn_id = newborn["person_id"].as_str().unwrap();
    let produced = produced_card(&platform, &parent, newborn_id, mail()).await;
    assert_eq!(produced["mandate_id"], newborn_mandate_id.as_str());
    assert_eq!(produced["person_id"], newborn_id);
    assert_eq!(produced["state"], "dispatched");
    advance(&platform, 3 * DAY).await;
    let produced = application(&parent, produced["application_id"].as_str().unwrap()).await;
    let card_id = receive_and_activate(&parent, &produced).await;
    // The guardian's device gets codes for the newborn's card, as guardian.
    let set = credentials(&parent, Some(&card_id)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "guardian");
    assert_eq!(set.body["person_id"], newborn_id);
    let (mut verifier, now) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&parent, &set.body, Purpose::Transport, now, 1);
    let verified = verifier.verify(&code, now).unwrap();
    assert_eq!(verified.on_behalf, ecard_credential::HolderRole::Guardian);
    assert_eq!(
        verified.disclosure,
        ecard_credential::Disclosure::Transport {
            concession: ecard_credential::ConcessionClass::Child
        }
    );
    // The newborn mandate has no replace scope.
    problem(
        &parent
            .post(
                "/v1/replacements",
                json!({ "card_id": card_id, "kind": "plain", "delivery": pickup() }),
            )
            .await,
        403,
        "no_mandate",
    );
    // The guardian sees the child's application; a stranger does not.
    let application_id = produced["application_id"].as_str().unwrap();
    problem(
        &stranger
            .get(&format!("/v1/applications/{application_id}"))
            .await,
        404,
        "not_found",
    );

    // The minor's card, applied for by the guardian.
    let minor_app = parent
        .post("/v1/applications", new_card(minor_id, pickup()))
        .await;
    ok(&minor_app, 201);
    assert_eq!(minor_app.body["mandate_id"], minor_mandate.as_str());
    // The minor's own device sees it (it is theirs).
    let seen = minor_device
        .get(&format!(
            "/v1/applications/{}",
            minor_app.body["application_id"].as_str().unwrap()
        ))
        .await;
    ok(&seen, 200);

    // Revoking the newborn mandate stops the guardian's codes.
    let revoked = parent
        .post(
            &format!("/v1/delegations/{newborn_mandate_id}/revoke"),
            json!({}),
        )
        .await;
    ok(&revoked, 200);
    assert_eq!(revoked.body["status"], "revoked");
    assert!(revoked.body["revoked_at"].is_u64());
    let (bytes, now) = status_list(&platform).await;
    verifier.install_status_list(&bytes, now).unwrap();
    let code = code_from(&parent, &set.body, Purpose::Transport, now, 2);
    assert_eq!(
        verifier.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );
    let before = snapshot(&parent).await;
    problem(
        &credentials(&parent, Some(&card_id)).await,
        403,
        "no_mandate",
    );
    problem(
        &parent
            .post(
                &format!("/v1/delegations/{newborn_mandate_id}/revoke"),
                json!({}),
            )
            .await,
        409,
        "invalid_state",
    );
    // Having submitted the newborn's application no longer lets the former
    // guardian see it; the minor's (mandate in force) stays visible.
    problem(
        &parent
            .get(&format!("/v1/applications/{application_id}"))
            .await,
        404,
        "not_found",
    );
    let listed: Vec<Value> = parent
        .get("/v1/applications")
        .await
        .body
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["person_id"], minor_id);
    assert_eq!(snapshot(&parent).await, before);

    // Audit entries name the mandate used.
    let audit = parent.get("/v1/audit").await;
    let under_mandate: Vec<&Value> = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["principal_person_id"] == newborn_id)
        .collect();
    let names: Vec<&str> = under_mandate
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "mandate.revoke",
            "credential.issue",
            "card.activate",
            "application.pay",
            "application.submit",
            "mandate.request.guardian",
        ]
    );
    for entry in under_mandate {
        assert_eq!(entry["mandate_id"], newborn_mandate_id.as_str());
        assert_eq!(entry["actor_account_id"], account_id(&parent).as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn family_proxy_with_consent() {
    let platform = TestPlatform::start();
    let helper = platform.enrol_persona("resident").await;
    let elder = platform.persona("elder").await;
    let principal = json!({
        "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"],
    });
    let request = json!({
        "kind": "family_proxy", "relationship": "child", "principal": principal,
        "scopes": ["show_code", "track", "report_loss"],
    });
    let pending = helper
        .post_with_pin("/v1/delegations", request.clone(), "accept_mandate")
        .await;
    ok(&pending, 201);
    assert_eq!(pending.body["status"], "pending_consent");
    assert!(pending.body["consented_at"].is_null());
    let mandate_id = pending.body["delegation_id"].as_str().unwrap().to_owned();
    let expires_at = pending.body["expires_at"].as_u64().unwrap();
    let created_at = pending.body["created_at"].as_u64().unwrap();
    assert_eq!(expires_at - created_at, 3 * 365 * DAY);

    // Pending: nothing is allowed yet.
    let elder_device = platform.enrol_persona("elder").await;
    let elder_card = my_cards(&elder_device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = snapshot(&helper).await;
    problem(
        &credentials(&helper, Some(&elder_card)).await,
        403,
        "no_mandate",
    );
    // Only the relative can consent: not the helper, not a third person.
    problem(
        &helper
            .post_with_pin(
                &format!("/v1/delegations/{mandate_id}/consent"),
                json!({}),
                "consent_mandate",
            )
            .await,
        403,
        "forbidden",
    );
    let (_, third_number) = platform.add_person("李四", "19900101", "123", &[]).await;
    let mut third = RawDevice::new(&platform.url());
    ok(&third.enrol(&third_number, "李四").await, 201);
    problem(
        &third
            .post_with_pin(
                &format!("/v1/delegations/{mandate_id}/consent"),
                json!({}),
                "consent_mandate",
            )
            .await,
        403,
        "forbidden",
    );
    problem(
        &third
            .post(&format!("/v1/delegations/{mandate_id}/revoke"), json!({}))
            .await,
        404,
        "not_found",
    );
    assert_eq!(snapshot(&helper).await, before);
    // The relative sees the request in their own list.
    let theirs = elder_device.get("/v1/delegations").await;
    assert_eq!(theirs.body[0]["delegation_id"], mandate_id.as_str());

    // Consent from the relative's own enrolled device.
    let consented = elder_device
        .post_with_pin(
            &format!("/v1/delegations/{mandate_id}/consent"),
            json!({}),
            "consent_mandate",
        )
        .await;
    ok(&consented, 200);
    assert_eq!(consented.body["status"], "active");
    assert!(consented.body["consented_at"].is_u64());
    problem(
        &elder_device
            .post_with_pin(
                &format!("/v1/delegations/{mandate_id}/consent"),
                json!({}),
                "consent_mandate",
            )
            .await,
        409,
        "invalid_state",
    );
    let me = helper.get("/v1/me").await;
    assert_eq!(me.body["principals"][0]["person_id"], elder["person_id"]);
    assert_eq!(
        me.body["principals"][0]["cards"][0]["card_id"],
        elder_card.as_str()
    );

    // Codes as proxy: medical yes, transport no (the terminal's policy).
    let set = credentials(&helper, Some(&elder_card)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "proxy");
    let (mut medical, now) = terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&helper, &set.body, Purpose::Medical, now, 1);
    assert_eq!(
        medical.verify(&code, now).unwrap().on_behalf,
        ecard_credential::HolderRole::Proxy
    );
    let (mut gate, _) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&helper, &set.body, Purpose::Transport, now, 2);
    assert!(gate.verify(&code, now).is_err());
    // The proxy may not apply for a replacement (no replace scope).
    problem(
        &helper
            .post(
                "/v1/replacements",
                json!({ "card_id": elder_card, "kind": "plain", "delivery": pickup() }),
            )
            .await,
        403,
        "no_mandate",
    );
    // But may report the card lost, which the relative sees in their audit trail.
    ok(
        &helper
            .post(
                &format!("/v1/cards/{elder_card}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
    let trail = elder_device.get("/v1/audit").await;
    assert_eq!(trail.body[0]["action"], "card.loss_report.temporary");
    assert_eq!(
        trail.body[0]["actor_account_id"],
        account_id(&helper).as_str()
    );
    assert_eq!(trail.body[0]["mandate_id"], mandate_id.as_str());
    ok(
        &elder_device
            .post_with_pin(
                &format!("/v1/cards/{elder_card}/loss-reports/release"),
                json!({}),
                "release_loss",
            )
            .await,
        200,
    );

    // The relative revokes: the proxy's codes stop, the holder's do not.
    let holder_set = credentials(&elder_device, None).await;
    ok(&holder_set, 201);
    let revoked = elder_device
        .post(&format!("/v1/delegations/{mandate_id}/revoke"), json!({}))
        .await;
    ok(&revoked, 200);
    assert_eq!(revoked.body["status"], "revoked");
    let (mut medical, now) = terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&helper, &set.body, Purpose::Medical, now, 3);
    assert_eq!(
        medical.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );
    let code = code_from(&elder_device, &holder_set.body, Purpose::Medical, now, 1);
    medical.verify(&code, now).unwrap();
    problem(
        &credentials(&helper, Some(&elder_card)).await,
        403,
        "no_mandate",
    );
    // A loss report and its release on the card must not revive the
    // revoked proxy's credential.
    ok(
        &elder_device
            .post(
                &format!("/v1/cards/{elder_card}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
    ok(
        &elder_device
            .post_with_pin(
                &format!("/v1/cards/{elder_card}/loss-reports/release"),
                json!({}),
                "release_loss",
            )
            .await,
        200,
    );
    let (mut medical, now) = terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&helper, &set.body, Purpose::Medical, now, 4);
    assert_eq!(
        medical.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );
    let code = code_from(&elder_device, &holder_set.body, Purpose::Medical, now, 2);
    medical.verify(&code, now).unwrap();

    // Consent at a counter, for a new request.
    let again = helper
        .post_with_pin("/v1/delegations", request.clone(), "accept_mandate")
        .await;
    ok(&again, 201);
    let second_id = again.body["delegation_id"].as_str().unwrap().to_owned();
    let counter = admin(
        &platform,
        Method::POST,
        &format!("/admin/delegations/{second_id}/consent"),
        None,
    )
    .await;
    ok(&counter, 200);
    assert_eq!(counter.body["status"], "active");
    problem(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/delegations/{second_id}/consent"),
            None,
        )
        .await,
        409,
        "invalid_state",
    );
    let set = credentials(&helper, Some(&elder_card)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "proxy");
    // The helper revokes from their side.
    ok(
        &helper
            .post(&format!("/v1/delegations/{second_id}/revoke"), json!({}))
            .await,
        200,
    );
    let trail = elder_device.get("/v1/audit").await;
    let consent = trail
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| {
            entry["action"] == "mandate.consent.counter" && entry["object_id"] == second_id.as_str()
        })
        .unwrap();
    assert_eq!(consent["actor_account_id"], "counter");

    // The relative quota of the region (亲情服务): lowered to one here.
    change_rules(&platform, "360000", |rules| {
        rules["relative_quota"] = json!(1)
    })
    .await;
    let (_, fourth_number) = platform.add_person("王芳", "19500101", "321", &[]).await;
    let fourth = json!({
        "kind": "family_proxy", "relationship": "child",
        "principal": { "id_type": "resident_id", "id_number": fourth_number, "name": "王芳" },
        "scopes": ["track"],
        "expires_at": now + 30 * DAY,
    });
    let first = helper
        .post_with_pin("/v1/delegations", fourth, "accept_mandate")
        .await;
    ok(&first, 201);
    assert_eq!(first.body["expires_at"], now + 30 * DAY);
    let before = snapshot(&helper).await;
    let over = helper
        .post_with_pin("/v1/delegations", request.clone(), "accept_mandate")
        .await;
    problem(&over, 409, "quota_exceeded");
    let third_proxy = json!({
        "kind": "family_proxy", "relationship": "child",
        "principal": { "id_type": "resident_id", "id_number": third_number, "name": "李四" },
        "scopes": ["track"], "expires_at": 1,
    });
    problem(
        &helper
            .post_with_pin("/v1/delegations", third_proxy, "accept_mandate")
            .await,
        409,
        "quota_exceeded",
    );
    assert_eq!(snapshot(&helper).await, before);
    // A mandate past its end is expired, and frees the quota.
    advance(&platform, 31 * DAY).await;
    let list = helper.get("/v1/delegations").await;
    let ended = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|mandate| mandate["delegation_id"] == first.body["delegation_id"])
        .unwrap();
    assert_eq!(ended["status"], "expired");
    let past = json!({
        "kind": "family_proxy", "relationship": "child", "principal": principal, "scopes": ["track"], "expires_at": 1,
    });
    let answer = helper
        .post_with_pin("/v1/delegations", past, "accept_mandate")
        .await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "expires_at");
    ok(
        &helper
            .post_with_pin("/v1/delegations", request, "accept_mandate")
            .await,
        201,
    );
}

// ---------------------------------------------------------------------------
// Scoped views: what a proxy sees of the person they act for

/// A relative whose own card is received but not yet activated, and a
/// helper holding a family-proxy mandate with some scopes for them
/// (consented at a counter).
struct Proxied {
    platform: TestPlatform,
    relative: RawDevice,
    relative_id: String,
    card_id: String,
    helper: RawDevice,
}

async fn proxied(scopes: &[&str]) -> Proxied {
    let platform = TestPlatform::start();
    let (relative_id, id_number) = platform.add_person("孙桂英", "19480315", "047", &[]).await;
    let mut relative = RawDevice::new(&platform.url());
    ok(&relative.enrol(&id_number, "孙桂英").await, 201);
    let produced = produced_card(&platform, &relative, &relative_id, pickup()).await;
    assert_eq!(produced["state"], "at_outlet");
    let id = produced["application_id"].as_str().unwrap();
    ok(
        &relative
            .post(&format!("/v1/applications/{id}/receipt"), json!({}))
            .await,
        200,
    );
    let helper = platform.enrol_persona("resident").await;
    let mandate = helper
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "family_proxy", "relationship": "child",
                "principal": { "id_type": "resident_id", "id_number": id_number, "name": "孙桂英" },
                "scopes": scopes,
            }),
            "accept_mandate",
        )
        .await;
    ok(&mandate, 201);
    let mandate_id = mandate.body["delegation_id"].as_str().unwrap();
    ok(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/delegations/{mandate_id}/consent"),
            None,
        )
        .await,
        200,
    );
    Proxied {
        platform,
        relative,
        relative_id,
        card_id: produced["card_id"].as_str().unwrap().to_owned(),
        helper,
    }
}

fn has_scope(scopes: &[&str], wanted: &[&str]) -> bool {
    scopes.iter().any(|scope| wanted.contains(scope))
}

fn keys(value: &Value) -> std::collections::BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

/// Checks a card as a helper with `scopes` sees it against the holder's
/// own view: the disclosed fields equal, the rest absent (the loss report
/// null), whatever the card's state.
#[track_caller]
fn assert_card_disclosed(seen: &Value, holder: &Value, scopes: &[&str]) {
    let mut expected = vec![
        "card_id",
        "person_id",
        "card_number_masked",
        "status",
        "e_card",
        "social_function_enabled",
        "loss_report",
    ];
    if has_scope(scopes, &["replace", "track"]) {
        expected.extend(["bank", "region", "issued_at"]);
    }
    let expected: std::collections::BTreeSet<String> =
        expected.into_iter().map(str::to_owned).collect();
    assert_eq!(keys(seen), expected, "{scopes:?}: {seen}");
    for key in &expected {
        if key == "loss_report" && !has_scope(scopes, &["report_loss", "track"]) {
            assert!(seen[key].is_null(), "{scopes:?}: {seen}");
        } else {
            assert_eq!(seen[key], holder[key], "{scopes:?}: {key}");
        }
    }
}

/// Checks everything the helper can read about the relative — the profile,
/// applications and the audit trail — against what `scopes` disclose.
async fn assert_scoped_view(proxied: &Proxied, scopes: &[&str]) {
    let holder = proxied.relative.get("/v1/me").await;
    ok(&holder, 200);
    let holder = &holder.body["person"];
    let me = proxied.helper.get("/v1/me").await;
    ok(&me, 200);
    let principals = me.body["principals"].as_array().unwrap();
    assert_eq!(principals.len(), 1);
    let seen = &principals[0];
    let mut expected = vec!["person_id", "name_masked", "cards"];
    if has_scope(scopes, &["apply"]) {
        expected.extend(["id_number_masked", "birth_date"]);
        assert_eq!(seen["birth_date"], "1948-03-15");
    }
    let expected: std::collections::BTreeSet<String> =
        expected.into_iter().map(str::to_owned).collect();
    assert_eq!(keys(seen), expected, "{scopes:?}: {seen}");
    for key in expected.iter().filter(|key| *key != "cards") {
        assert_eq!(seen[key], holder[key], "{key}");
    }
    let cards = seen["cards"].as_array().unwrap();
    assert_eq!(cards.len(), holder["cards"].as_array().unwrap().len());
    for card in cards {
        let own = holder["cards"]
            .as_array()
            .unwrap()
            .iter()
            .find(|own| own["card_id"] == card["card_id"])
            .unwrap();
        assert_card_disclosed(card, own, scopes);
    }

    // Applications: only those the scopes see (`track`, or the scope that
    // acts on that kind), each by id too.
    let theirs = proxied.relative.get("/v1/applications").await;
    let listed = proxied.helper.get("/v1/applications").await;
    ok(&listed, 200);
    let listed: Vec<&Value> = listed.body.as_array().unwrap().iter().collect();
    let mut visible = Vec::new();
    for application in theirs.body.as_array().unwrap() {
        let acting = if application["kind"] == "new_card" {
            "apply"
        } else {
            "replace"
        };
        let id = application["application_id"].as_str().unwrap();
        let answer = proxied.helper.get(&format!("/v1/applications/{id}")).await;
        if has_scope(scopes, &["track", acting]) {
            ok(&answer, 200);
            visible.push(id.to_owned());
        } else {
            problem(&answer, 404, "not_found");
        }
    }
    let listed_ids: Vec<String> = listed
        .iter()
        .map(|application| application["application_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed_ids, visible, "{scopes:?}");

    // The audit trail: what the helper did, never what others did for the
    // relative.
    let trail = proxied.helper.get("/v1/audit").await;
    ok(&trail, 200);
    for entry in trail.body.as_array().unwrap() {
        assert_eq!(
            entry["actor_account_id"],
            account_id(&proxied.helper).as_str(),
            "{entry}"
        );
    }
}

/// The relative reports their own card lost (临时挂失), so the loss report
/// is there to be withheld or shown.
async fn relative_reports_loss(proxied: &Proxied) {
    ok(
        &proxied
            .relative
            .post(
                &format!("/v1/cards/{}/loss-reports", proxied.card_id),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_activate() {
    let scopes = ["activate"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    // Activating answers with the card as the scope shows it.
    let activated = proxied
        .helper
        .post(
            &format!("/v1/cards/{}/activation", proxied.card_id),
            json!({}),
        )
        .await;
    ok(&activated, 200);
    assert_eq!(activated.body["social_function_enabled"], true);
    let own = my_cards(&proxied.relative).await[0].clone();
    assert_card_disclosed(&activated.body, &own, &scopes);
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
    // Nothing beyond the scope: no codes, no loss report.
    problem(
        &credentials(&proxied.helper, Some(&proxied.card_id)).await,
        403,
        "no_mandate",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_apply() {
    let scopes = ["apply"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
    // A first card only: the relative has one.
    problem(
        &proxied
            .helper
            .post("/v1/applications", new_card(&proxied.relative_id, pickup()))
            .await,
        409,
        "invalid_state",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_replace() {
    let scopes = ["replace"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
    // The replacement the scope allows; its application is then seen.
    let submitted = proxied
        .helper
        .post(
            "/v1/replacements",
            json!({ "card_id": proxied.card_id, "kind": "plain", "delivery": pickup() }),
        )
        .await;
    ok(&submitted, 201);
    advance(&proxied.platform, 2 * 3_600).await;
    assert_scoped_view(&proxied, &scopes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_report_loss() {
    let scopes = ["report_loss"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    // Reporting answers with the card and its loss report, nothing more.
    let reported = proxied
        .helper
        .post(
            &format!("/v1/cards/{}/loss-reports", proxied.card_id),
            json!({ "kind": "temporary" }),
        )
        .await;
    ok(&reported, 201);
    assert_eq!(reported.body["loss_report"]["kind"], "temporary");
    let own = my_cards(&proxied.relative).await[0].clone();
    assert_card_disclosed(&reported.body, &own, &scopes);
    assert_scoped_view(&proxied, &scopes).await;
    let released = proxied
        .helper
        .post_with_pin(
            &format!("/v1/cards/{}/loss-reports/release", proxied.card_id),
            json!({}),
            "release_loss",
        )
        .await;
    ok(&released, 200);
    let own = my_cards(&proxied.relative).await[0].clone();
    assert_card_disclosed(&released.body, &own, &scopes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_show_code() {
    let scopes = ["show_code"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    let set = credentials(&proxied.helper, Some(&proxied.card_id)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "proxy");
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_track() {
    let scopes = ["track"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_several_scopes_is_their_union() {
    let scopes = ["activate", "report_loss", "show_code"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
    // The holder and a guardian with every scope see everything: the
    // relative's own view has every field.
    let own = proxied.relative.get("/v1/me").await;
    assert!(own.body["person"]["birth_date"].is_string());
    assert!(own.body["person"]["cards"][0]["bank"].is_string());
    assert!(own.body["person"]["cards"][0]["loss_report"].is_object());
}

// ---------------------------------------------------------------------------
// Admin

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_endpoints_need_the_token() {
    let platform = TestPlatform::start();
    let routes: [(Method, &str, Option<Value>); 15] = [
        (
            Method::POST,
            "/admin/clock/advance",
            Some(json!({ "seconds": 1 })),
        ),
        (Method::POST, "/admin/people", Some(json!({}))),
        (
            Method::POST,
            "/admin/people/x/cards",
            Some(json!({ "bank": "icbc" })),
        ),
        (Method::GET, "/admin/personas", None),
        (
            Method::POST,
            "/admin/issuer/rotate",
            Some(json!({ "suite": "ed25519" })),
        ),
        (Method::POST, "/admin/cards/x/bank-account-closed", None),
        (Method::POST, "/admin/cards/x/release", None),
        (
            Method::POST,
            "/admin/applications/x/fail",
            Some(json!({ "reason": "x" })),
        ),
        (Method::POST, "/admin/delegations/x/consent", None),
        (Method::PUT, "/admin/catalogue/items", Some(json!([]))),
        (Method::DELETE, "/admin/catalogue/items/N-001", None),
        (Method::PUT, "/admin/outlets", Some(json!([]))),
        (Method::DELETE, "/admin/outlets/O-00001", None),
        (Method::PUT, "/admin/rules", Some(json!({}))),
        (Method::GET, "/admin/personas", None),
    ];
    let trust_before = get(&platform, "/v1/trust-list").await.etag;
    let time_before = get(&platform, "/v1/time").await.body["now"]
        .as_u64()
        .unwrap();
    for (method, path, body) in &routes {
        for token in [None, Some("wrong"), Some("")] {
            let mut request =
                reqwest::Client::new().request(method.clone(), format!("{}{path}", platform.url()));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            let answer = ecard_e2e::answer(request.send().await.unwrap()).await;
            problem(&answer, 401, "unauthenticated");
        }
        // A device signature is not an admin token either.
        let device = RawDevice::new(&platform.url());
        let answer = device
            .send(
                method.as_str(),
                path,
                body.as_ref().map(|body| body.to_string().into_bytes()),
                None,
                true,
            )
            .await;
        problem(&answer, 401, "unauthenticated");
    }
    // Nothing moved.
    assert_eq!(get(&platform, "/v1/trust-list").await.etag, trust_before);
    let time_after = get(&platform, "/v1/time").await.body["now"]
        .as_u64()
        .unwrap();
    assert!(time_after - time_before < 60);
    let full = get(&platform, "/v1/catalogue/items").await;
    assert_eq!(full.body["items"].as_array().unwrap().len(), 323);

    // With the token: the register and the personas.
    let personas = admin(&platform, Method::GET, "/admin/personas", None).await;
    ok(&personas, 200);
    let roles: Vec<&str> = personas
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|persona| persona["persona"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["elder", "minor", "newborn", "resident"]);
    let newborn = &personas.body.as_array().unwrap()[2];
    assert_eq!(newborn["name"], "张小满");
    assert!(newborn["birth_certificate"].is_string());

    let person = json!({
        "id_type": "resident_id", "id_number": resident_id("360102", "19920202", "051"),
        "name": "赵六", "region": "360102",
    });
    let added = admin(
        &platform,
        Method::POST,
        "/admin/people",
        Some(person.clone()),
    )
    .await;
    ok(&added, 201);
    assert!(added.body["person_id"].is_string());
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/people",
            Some(person.clone()),
        )
        .await,
        409,
        "invalid_state",
    );
    let valid = resident_id("360102", "19920202", "051");
    let wrong_check = if valid.ends_with('0') {
        format!("{}1", &valid[..17])
    } else {
        format!("{}0", &valid[..17])
    };
    for (field, value) in [
        ("id_number", json!(wrong_check)),
        ("id_type", json!("library_card")),
        ("region", json!("36")),
        ("name", json!("")),
    ] {
        let mut bad = person.clone();
        bad[field] = value;
        bad["id_number"] = if field == "id_number" {
            bad["id_number"].clone()
        } else {
            json!(resident_id("360102", "19920202", "062"))
        };
        let answer = admin(&platform, Method::POST, "/admin/people", Some(bad)).await;
        problem(&answer, 422, "invalid_field");
        assert_eq!(answer.body["field"], field);
    }
    let mut with_guardian = person.clone();
    with_guardian["id_number"] = json!(resident_id("360102", "20200202", "073"));
    with_guardian["guardians"] = json!(["person-unknown"]);
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/people",
            Some(with_guardian),
        )
        .await,
        404,
        "not_found",
    );
    // The refused additions left nobody behind: the same number can still be added.
    let guardian = added.body["person_id"].clone();
    let mut retry = person.clone();
    retry["id_number"] = json!(resident_id("360102", "20200202", "073"));
    retry["guardians"] = json!([guardian, guardian]);
    ok(
        &admin(&platform, Method::POST, "/admin/people", Some(retry)).await,
        201,
    );
    for (birth_date, sequence) in [
        ("1992-13-01", "084"),
        ("1992-02-03", "095"),
        ("2999-01-01", "106"),
    ] {
        let mut bad = person.clone();
        bad["id_number"] = json!(resident_id("360102", "19920202", sequence));
        bad["birth_date"] = json!(birth_date);
        let answer = admin(&platform, Method::POST, "/admin/people", Some(bad)).await;
        problem(&answer, 422, "invalid_field");
        assert_eq!(answer.body["field"], "birth_date");
    }
    let mut no_rules = person.clone();
    no_rules["id_number"] = json!(resident_id("110101", "19920202", "117"));
    no_rules["region"] = json!("110101");
    let answer = admin(
        &platform,
        Method::POST,
        "/admin/people",
        Some(no_rules.clone()),
    )
    .await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "region");
    // A card issued at a counter; one card per person.
    let holder = added.body["person_id"].as_str().unwrap();
    let card = admin(
        &platform,
        Method::POST,
        &format!("/admin/people/{holder}/cards"),
        Some(json!({ "bank": "jxb" })),
    )
    .await;
    ok(&card, 201);
    assert_eq!(card.body["status"], "active");
    assert_eq!(card.body["social_function_enabled"], true);
    problem(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/people/{holder}/cards"),
            Some(json!({ "bank": "jxb" })),
        )
        .await,
        409,
        "invalid_state",
    );
    // Feed entries need ids usable in a path.
    let items = get(&platform, "/v1/catalogue/items").await;
    let mut item = items.body["items"][0].clone();
    item["id"] = json!("a/b");
    problem(
        &admin(
            &platform,
            Method::PUT,
            "/admin/catalogue/items",
            Some(json!([item])),
        )
        .await,
        422,
        "invalid_field",
    );

    // The clock: bounded steps.
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/clock/advance",
            Some(json!({ "seconds": -1 })),
        )
        .await,
        400,
        "malformed_request",
    );
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/clock/advance",
            Some(json!({ "seconds": 11 * 365 * DAY })),
        )
        .await,
        422,
        "invalid_field",
    );
    let now = advance(&platform, 3_600).await;
    assert!(now >= time_before + 3_600);
    let time = get(&platform, "/v1/time").await;
    assert!(time.body["now"].as_u64().unwrap() >= now);
    assert_eq!(time.server_time, time.body["now"].as_u64());

    // Rules documents are checked before they are stored.
    let mut document = rules(&platform, "360000").await;
    document["credential_lifetime_hours"] = json!(200);
    problem(
        &admin(&platform, Method::PUT, "/admin/rules", Some(document)).await,
        422,
        "invalid_field",
    );
    let mut document = rules(&platform, "360000").await;
    document["region"] = json!("abc");
    problem(
        &admin(&platform, Method::PUT, "/admin/rules", Some(document)).await,
        422,
        "invalid_field",
    );
    let mut document = rules(&platform, "360000").await;
    document["banks"] = json!([]);
    problem(
        &admin(&platform, Method::PUT, "/admin/rules", Some(document)).await,
        422,
        "invalid_field",
    );
    assert_eq!(rules(&platform, "360000").await["version"], 1);
    // A new province can be added.
    let mut beijing = rules(&platform, "360000").await;
    beijing["region"] = json!("110000");
    beijing["name"] = json!("北京市");
    ok(
        &admin(&platform, Method::PUT, "/admin/rules", Some(beijing)).await,
        200,
    );
    assert_eq!(rules(&platform, "110000").await["name"], "北京市");
    ok(
        &admin(&platform, Method::POST, "/admin/people", Some(no_rules)).await,
        201,
    );
}

// ---------------------------------------------------------------------------
// Restart

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_and_idempotency_survive_a_restart() {
    let mut platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let key = unique_key();
    let body = new_card(&person_id(&device), pickup());
    let first = device
        .post_with_key("/v1/applications", body.clone(), &key)
        .await;
    ok(&first, 201);
    let now = advance(&platform, 2 * 3_600).await;
    platform.restart();
    // The clock offset, the application and the stored answer are all still there.
    let time = get(&platform, "/v1/time").await;
    assert!(time.body["now"].as_u64().unwrap() >= now);
    let again = device.post_with_key("/v1/applications", body, &key).await;
    ok(&again, 201);
    assert_eq!(again.body, first.body);
    let list = device.get("/v1/applications").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_eq!(list.body[0]["state"], "in_production");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_deletion() {
    let platform = TestPlatform::start();
    let elder = platform.enrol_persona("elder").await;
    let resident = platform.enrol_persona("resident").await;
    // The resident holds a (pending) family-proxy mandate for the elder.
    let persona = platform.persona("elder").await;
    let mandate = resident
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "family_proxy", "relationship": "child",
                "principal": { "id_type": "resident_id", "id_number": persona["id_number"], "name": persona["name"] },
                "scopes": ["show_code"],
            }), "accept_mandate",
        )
        .await;
    assert_eq!(mandate.status, 201, "{mandate:?}");
    assert_eq!(credentials(&elder, None).await.status, 201);
    let (status_before, _) = status_list(&platform).await;

    // Without a signature nothing is deleted.
    let unsigned = elder
        .send(
            "POST",
            "/v1/me/deletion",
            Some(b"{}".to_vec()),
            Some(&unique_key()),
            false,
        )
        .await;
    problem(&unsigned, 401, "unauthenticated");

    let deleted = elder
        .post_with_pin("/v1/me/deletion", json!({}), "delete_account")
        .await;
    assert_eq!(deleted.status, 200, "{deleted:?}");
    assert_eq!(deleted.body["devices_revoked"], 1);
    assert_eq!(deleted.body["credentials_revoked"], 2);
    assert_eq!(
        deleted.body["mandates_ended"], 0,
        "mandates others hold for her stay"
    );
    // The device is gone; its credentials are revoked in the status list.
    problem(&elder.get("/v1/me").await, 401, "unauthenticated");
    let (status_after, _) = status_list(&platform).await;
    assert_ne!(status_before, status_after);
    // Mandates others hold for her stay; his are untouched.
    let his = resident.get("/v1/delegations").await;
    assert_eq!(his.body[0]["status"], "pending_consent");

    // The resident deletes his account: the mandate he held ends.
    let deleted = resident
        .post_with_pin("/v1/me/deletion", json!({}), "delete_account")
        .await;
    assert_eq!(deleted.body["mandates_ended"], 1);

    // She may enrol again; the card and the audit log are still there.
    let again = platform.enrol_persona("elder").await;
    let profile = again.get("/v1/me").await;
    assert_eq!(profile.status, 200);
    assert_eq!(profile.body["person"]["cards"].as_array().unwrap().len(), 1);
    assert!(
        audit_actions(&again)
            .await
            .contains(&"account.delete".to_owned())
    );
}

// ---------------------------------------------------------------------------
// Identity: devices, approvals, notices, the PIN, the phone on record and a
// relative's consent by face, each with its refusals.

/// A face result of `behaviour` for `persona` and a challenge answer.
async fn face_for(platform: &TestPlatform, persona: &Value, challenge: &Value) -> String {
    ecard_e2e::mint_face_result(
        &platform.url(),
        ecard_e2e::ADMIN_TOKEN,
        "resident_id",
        persona["id_number"].as_str().unwrap(),
        challenge["challenge"].as_str().unwrap(),
        challenge["device_binding"].as_str().unwrap(),
        ecard_e2e::FaceBehaviour::Genuine,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_devices_pin_and_phone() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let first = platform.enrol_persona("elder").await;

    // A second device waits for approval; the first sees and approves it.
    let mut second = RawDevice::new(&platform.url());
    let started = second
        .start_enrolment(
            elder["id_number"].as_str().unwrap(),
            elder["name"].as_str().unwrap(),
        )
        .await;
    ok(&started, 201);
    let enrolment = started.body["enrolment_id"].as_str().unwrap().to_owned();
    let present = second
        .post(
            &format!("/v1/enrolments/{enrolment}/presence"),
            json!({ "face_result": face_for(&platform, &elder, &started.body["face"]).await }),
        )
        .await;
    ok(&present, 200);
    let again = second
        .post(
            &format!("/v1/enrolments/{enrolment}/presence"),
            json!({ "face_result": "x.y" }),
        )
        .await;
    problem(&again, 409, "invalid_state");
    problem(
        &second.complete_enrolment(&enrolment, None, false).await,
        409,
        "approval_pending",
    );
    let requests = first.get("/v1/me/enrolment-requests").await;
    ok(&requests, 200);
    assert_eq!(requests.body[0]["device_suite"], "p256");
    problem(
        &first
            .post("/v1/me/enrolment-requests/enr-0000/approval", json!({}))
            .await,
        403,
        "pin_required",
    );
    problem(
        &first
            .post_with_pin(
                "/v1/me/enrolment-requests/enr-0000/approval",
                json!({}),
                "approve_device",
            )
            .await,
        404,
        "not_found",
    );
    ok(
        &first
            .post_with_pin(
                &format!("/v1/me/enrolment-requests/{enrolment}/approval"),
                json!({}),
                "approve_device",
            )
            .await,
        200,
    );
    ok(
        &second.complete_enrolment(&enrolment, None, false).await,
        201,
    );
    let notices = first.get("/v1/me/notices?after=0").await;
    ok(&notices, 200);
    let last = notices.body.as_array().unwrap().last().unwrap()["notice_id"].clone();
    assert_eq!(last.as_u64().map(|_| ()), Some(()));
    let none = first.get(&format!("/v1/me/notices?after={last}")).await;
    assert_eq!(none.body, json!([]));

    // The device list; unlinking needs the PIN and a device of the account.
    let devices = first.get("/v1/me/devices").await;
    ok(&devices, 200);
    assert_eq!(devices.body.as_array().unwrap().len(), 2);
    problem(
        &first
            .post_with_pin("/v1/me/devices/dev-0000/unlink", json!({}), "unlink_device")
            .await,
        404,
        "not_found",
    );
    let second_id = second.device_id.clone().unwrap();
    ok(
        &first
            .post_with_pin(
                &format!("/v1/me/devices/{second_id}/unlink"),
                json!({}),
                "unlink_device",
            )
            .await,
        200,
    );
    problem(&second.get("/v1/me").await, 401, "unauthenticated");

    // The PIN: grants, a wrong PIN, a weak new one, a change, a reset.
    problem(
        &first
            .post(
                "/v1/me/pin/grants",
                json!({ "pin": "246813", "action": "release_loss" }),
            )
            .await,
        422,
        "pin_wrong",
    );
    problem(
        &first
            .post(
                "/v1/me/pin",
                json!({ "current_pin": ecard_e2e::TEST_PIN, "new_pin": "123456" }),
            )
            .await,
        422,
        "pin_too_simple",
    );
    ok(
        &first
            .post(
                "/v1/me/pin",
                json!({ "current_pin": ecard_e2e::TEST_PIN, "new_pin": "246813" }),
            )
            .await,
        200,
    );
    problem(
        &first
            .post("/v1/me/face-challenges", json!({ "purpose": "enrolment" }))
            .await,
        422,
        "invalid_field",
    );
    let challenge = first
        .post("/v1/me/face-challenges", json!({ "purpose": "pin_reset" }))
        .await;
    ok(&challenge, 201);
    problem(
        &first
            .post(
                "/v1/me/pin/reset",
                json!({ "face_result": "not.signed", "new_pin": ecard_e2e::TEST_PIN }),
            )
            .await,
        422,
        "identity_not_verified",
    );
    let challenge = first
        .post("/v1/me/face-challenges", json!({ "purpose": "pin_reset" }))
        .await;
    ok(
        &first
            .post(
                "/v1/me/pin/reset",
                json!({ "face_result": face_for(&platform, &elder, &challenge.body).await, "new_pin": ecard_e2e::TEST_PIN }),
            )
            .await,
        200,
    );

    // The phone on record: PIN grant, face, then the code to the old phone.
    let challenge = first
        .post(
            "/v1/me/face-challenges",
            json!({ "purpose": "phone_change" }),
        )
        .await;
    let face = face_for(&platform, &elder, &challenge.body).await;
    problem(
        &first
            .post(
                "/v1/me/phone-changes",
                json!({ "new_phone": "13700137000", "face_result": face, "pin_grant": "none" }),
            )
            .await,
        403,
        "pin_required",
    );
    let grant = first.pin_grant("change_phone").await;
    let change = first
        .post(
            "/v1/me/phone-changes",
            json!({ "new_phone": "13700137000", "face_result": face, "pin_grant": grant }),
        )
        .await;
    ok(&change, 201);
    let change_id = change.body["change_id"].as_str().unwrap();
    problem(
        &first
            .post(
                "/v1/me/phone-changes/phone-0000/confirmation",
                json!({ "one_time_code": "000000" }),
            )
            .await,
        404,
        "not_found",
    );
    let code = ecard_e2e::latest_code(&platform.url(), ecard_e2e::ADMIN_TOKEN, Some("13900139000"))
        .await
        .unwrap();
    ok(
        &first
            .post(
                &format!("/v1/me/phone-changes/{change_id}/confirmation"),
                json!({ "one_time_code": code }),
            )
            .await,
        200,
    );
    // And at a counter.
    let counter = |path: String, phone: &'static str| {
        let base = platform.url();
        async move {
            ecard_e2e::admin_call(
                &base,
                ecard_e2e::ADMIN_TOKEN,
                Method::POST,
                &path,
                Some(json!({ "phone": phone })),
            )
            .await
        }
    };
    let elder_phone = format!(
        "/admin/people/{}/phone",
        elder["person_id"].as_str().unwrap()
    );
    ok(&counter(elder_phone.clone(), "13900139000").await, 200);
    problem(
        &counter("/admin/people/person-0000/phone".into(), "13900139000").await,
        404,
        "not_found",
    );
    problem(&counter(elder_phone, "12345").await, 422, "invalid_field");

    // A relative's consent by face on the helper's phone.
    let helper = platform.enrol_persona("resident").await;
    let mandate = helper
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "family_proxy", "relationship": "child",
                "principal": { "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"] },
                "scopes": ["track"],
            }),
            "accept_mandate",
        )
        .await;
    ok(&mandate, 201);
    let mandate_id = mandate.body["delegation_id"].as_str().unwrap();
    problem(
        &first
            .post(
                &format!("/v1/delegations/{mandate_id}/face-challenge"),
                json!({}),
            )
            .await,
        404,
        "not_found",
    );
    let challenge = helper
        .post(
            &format!("/v1/delegations/{mandate_id}/face-challenge"),
            json!({}),
        )
        .await;
    ok(&challenge, 201);
    assert_eq!(challenge.body["purpose"], "mandate_consent");
    let consented = helper
        .post(
            &format!("/v1/delegations/{mandate_id}/face-consent"),
            json!({ "face_result": face_for(&platform, &elder, &challenge.body).await }),
        )
        .await;
    ok(&consented, 200);
    assert_eq!(consented.body["status"], "active");
    problem(
        &helper
            .post(
                &format!("/v1/delegations/{mandate_id}/face-challenge"),
                json!({}),
            )
            .await,
        409,
        "invalid_state",
    );
}
