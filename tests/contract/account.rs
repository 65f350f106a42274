//! The signed-in account: devices, PIN, phone changes, face checks and deletion.

use super::*;

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
    // Transport, medical and examinations (no school: no campus group).
    assert_eq!(deleted.body["credentials_revoked"], 3);
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

/// Attack: PIN hashing (Argon2id, tens of milliseconds by design) done
/// while holding the database connection makes every other request wait
/// for each PIN check, so a stream of PIN checks slows everyone. Every PIN
/// is hashed before the request takes the connection; a replayed, forged
/// or locked-out request is refused without a hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_are_hashed_before_the_database_connection_is_taken() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    // The enrolment set the PIN: one hash.
    assert_eq!(pin_hashes(&platform).await, (1, 0));
    let grant = |pin: &str| json!({ "pin": pin, "action": "release_loss" });
    ok(
        &device
            .post("/v1/me/pin/grants", grant(ecard_e2e::TEST_PIN))
            .await,
        201,
    );
    problem(
        &device.post("/v1/me/pin/grants", grant("246813")).await,
        422,
        "pin_wrong",
    );
    ok(
        &device
            .post(
                "/v1/me/pin",
                json!({ "current_pin": ecard_e2e::TEST_PIN, "new_pin": "246813" }),
            )
            .await,
        200,
    );
    assert_eq!(pin_hashes(&platform).await, (5, 0));

    // A replayed PIN check is refused before any hashing.
    let body = grant("246813").to_string().into_bytes();
    let (first, replay) = sent_twice(&device, "/v1/me/pin/grants", body.clone()).await;
    ok(&first, 201);
    problem(&replay, 401, "replayed_request");
    assert_eq!(pin_hashes(&platform).await, (6, 0));

    // So is a PIN its signature does not cover.
    let mut headers = owned(device.signature("POST", "/v1/me/pin/grants", &body));
    headers.push(("idempotency-key".into(), unique_key()));
    let forged = grant("975318").to_string().into_bytes();
    problem(
        &device
            .send_with_headers("POST", "/v1/me/pin/grants", forged, &headers)
            .await,
        401,
        "unauthenticated",
    );
    assert_eq!(pin_hashes(&platform).await, (6, 0));

    // Wrong PINs until the PIN locks; a locked PIN is not hashed at all.
    let mut wrong = 0;
    loop {
        let answer = device.post("/v1/me/pin/grants", grant("975318")).await;
        wrong += 1;
        if answer.body["code"] == "pin_locked" {
            break;
        }
        problem(&answer, 422, "pin_wrong");
        assert!(wrong < 20, "the PIN never locked");
    }
    assert_eq!(pin_hashes(&platform).await, (6 + wrong, 0));
    problem(
        &device.post("/v1/me/pin/grants", grant("246813")).await,
        423,
        "pin_locked",
    );
    assert_eq!(pin_hashes(&platform).await, (6 + wrong, 0));
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

    assert_eq!(
        pin_hashes(&platform).await.1,
        0,
        "a PIN hashed holding the connection"
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
