//! Enrolment: presence by the face platform, possession by the code or an approval, and the refusals that give nothing away.

use super::*;

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
