//! The trust root, tried as an attacker would: enrolment takeover with a
//! name and an ID number only, brute force of identity, codes and the PIN,
//! replayed face results; and the resident's own tools: a second device
//! with approval, notices, unlinking, the PIN lockout and reset, and a
//! relative's consent by face on the helper's phone.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use ecard_e2e::{
    ADMIN_TOKEN, FaceBehaviour, RawDevice, SimulatedFace, TEST_PIN, TestPlatform, identity_of,
    latest_code, mint_face_result, open_client,
};
use serde_json::{Value, json};

const ELDER_PHONE: &str = "13900139000";

/// The elder enrolled on her own phone; returns the device.
async fn elder_with_phone(platform: &TestPlatform) -> RawDevice {
    platform.enrol_persona("elder").await
}

async fn sms_count(platform: &TestPlatform, phone: &str) -> usize {
    platform
        .admin(
            reqwest::Method::GET,
            &format!("/admin/sms?phone={phone}"),
            None,
        )
        .await
        .as_array()
        .unwrap()
        .len()
}

fn without_ids(mut answer: Value) -> Value {
    if let Some(object) = answer.as_object_mut() {
        object.remove("enrolment_id");
        object.remove("expires_at");
        object.remove("face");
    }
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takeover_with_name_and_id_number_only_gets_no_device_no_code_and_no_answer() {
    let platform = TestPlatform::start();
    let victim = elder_with_phone(&platform).await;
    let elder = platform.persona("elder").await;
    let (id_number, name) = (
        elder["id_number"].as_str().unwrap(),
        elder["name"].as_str().unwrap(),
    );
    let texts_before = sms_count(&platform, ELDER_PHONE).await;
    let device_ids = |answer: Value| -> Vec<Value> {
        answer
            .as_array()
            .unwrap()
            .iter()
            .map(|device| device["device_id"].clone())
            .collect()
    };
    let devices_before = device_ids(victim.get("/v1/me/devices").await.body);

    // The attacker knows the name and the number, but has not the face.
    let mut attacker = RawDevice::new(&platform.url());
    let started = attacker.start_enrolment(id_number, name).await;
    assert_eq!(started.status, 201);
    let enrolment = started.body["enrolment_id"].as_str().unwrap().to_owned();
    // Skipping the face check, or guessing a code, gets nothing.
    let early = attacker
        .post(
            &format!("/v1/enrolments/{enrolment}/completion"),
            json!({ "one_time_code": "000000", "pin": "135790" }),
        )
        .await;
    assert_eq!(early.status, 409, "{:?}", early.body);
    let refused = attacker
        .present_face(&started, id_number, FaceBehaviour::Impostor)
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["code"], "identity_not_verified");
    let after = attacker
        .post(
            &format!("/v1/enrolments/{enrolment}/completion"),
            json!({ "one_time_code": "000000" }),
        )
        .await;
    assert_eq!(after.status, 409);
    // No device: every signed call of the attacker is refused.
    assert_eq!(attacker.get("/v1/me").await.status, 401);
    let codes = attacker
        .post("/v1/credentials", json!({ "card_id": null }))
        .await;
    assert_eq!(codes.status, 401);
    // The victim's phone got no code, and keeps its devices and number.
    assert_eq!(sms_count(&platform, ELDER_PHONE).await, texts_before);
    assert_eq!(
        device_ids(victim.get("/v1/me/devices").await.body),
        devices_before
    );
    let code_to_victim = victim.get("/v1/me").await;
    assert_eq!(code_to_victim.status, 200);

    // The answers say nothing about whether the person exists: a made-up
    // person gets the very same answers.
    let mut prober = RawDevice::new(&platform.url());
    let made_up = ecard_e2e::resident_id("360102", "19480602", "777");
    let started_unknown = prober.start_enrolment(&made_up, name).await;
    assert_eq!(started_unknown.status, started.status);
    assert_eq!(
        without_ids(started_unknown.body.clone()),
        without_ids(started.body.clone())
    );
    let refused_unknown = prober
        .present_face(&started_unknown, &made_up, FaceBehaviour::Genuine)
        .await;
    assert_eq!(refused_unknown.status, refused.status);
    assert_eq!(refused_unknown.body, refused.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takeover_through_the_client_core_is_refused_and_leaves_nothing() {
    let platform = TestPlatform::start();
    let _victim = elder_with_phone(&platform).await;
    let elder = platform.persona("elder").await;
    let data = tempfile::tempdir().unwrap();
    let attacker = open_client(&platform.url(), data.path()).await;
    attacker.begin_enrolment(identity_of(&elder)).await.unwrap();
    let refused = attacker
        .confirm_presence(SimulatedFace::new(&platform.url(), FaceBehaviour::Impostor))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "identity_not_verified");
    let finished = attacker
        .complete_enrolment(Some("123456".into()), Some(TEST_PIN.into()))
        .await
        .unwrap_err();
    assert_eq!(finished.code(), "invalid_state");
    assert!(attacker.session().is_none());
    assert!(!attacker.snapshot().unwrap().enrolled);
    assert_eq!(
        attacker
            .current_code(None, ecard_credential::Purpose::Transport)
            .await
            .unwrap_err()
            .code(),
        "not_enrolled"
    );
    // A printed photo (no liveness) and a cancelled capture fare no better.
    attacker.begin_enrolment(identity_of(&elder)).await.unwrap();
    let photo = attacker
        .confirm_presence(SimulatedFace::new(
            &platform.url(),
            FaceBehaviour::NoLiveness,
        ))
        .await
        .unwrap_err();
    assert_eq!(photo.code(), "identity_not_verified");
    attacker.begin_enrolment(identity_of(&elder)).await.unwrap();
    let cancelled = attacker
        .confirm_presence(SimulatedFace::new(
            &platform.url(),
            FaceBehaviour::Cancelled,
        ))
        .await
        .unwrap_err();
    assert_eq!(cancelled.code(), "face_check_cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takeover_by_brute_force_of_names_is_locked_out() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let id_number = elder["id_number"].as_str().unwrap();
    let mut statuses = Vec::new();
    for attempt in 0..12 {
        let mut attacker = RawDevice::new(&platform.url());
        attacker.source = Some("127.0.0.7".parse().unwrap());
        let answer = attacker
            .enrol_with(id_number, &format!("猜{attempt}"), FaceBehaviour::Genuine)
            .await;
        statuses.push(answer.status);
    }
    // Five failed proofs lock the document number; later tries are refused
    // before any face check, with a time to wait.
    assert_eq!(&statuses[..5], &[422; 5], "{statuses:?}");
    assert!(
        statuses[5..].iter().all(|status| *status == 429),
        "{statuses:?}"
    );
    // The lockout covers the real person too until it ends, and ends.
    let mut owner = RawDevice::new(&platform.url());
    owner.source = Some("127.0.0.8".parse().unwrap());
    let locked = owner
        .enrol(id_number, elder["name"].as_str().unwrap())
        .await;
    assert_eq!(locked.status, 429);
    assert_eq!(locked.body["code"], "rate_limited");
    platform.advance_days(1).await;
    let mut owner = RawDevice::new(&platform.url());
    owner.source = Some("127.0.0.8".parse().unwrap());
    let enrolled = owner
        .enrol(id_number, elder["name"].as_str().unwrap())
        .await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takeover_by_guessing_the_sms_code_spends_the_enrolment() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let (id_number, name) = (
        elder["id_number"].as_str().unwrap(),
        elder["name"].as_str().unwrap(),
    );
    let mut device = RawDevice::new(&platform.url());
    let started = device.start_enrolment(id_number, name).await;
    let enrolment = started.body["enrolment_id"].as_str().unwrap().to_owned();
    let face = device
        .enrolment_face(&started, id_number, FaceBehaviour::Genuine)
        .await;
    let presence = device.present(&enrolment, &face).await;
    assert_eq!(presence.status, 200);
    assert_eq!(presence.body["code_sent_to"], "139****9000");
    let right = latest_code(&platform.url(), ADMIN_TOKEN, Some(ELDER_PHONE))
        .await
        .unwrap();
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for tries_left in (0..5).rev() {
        let answer = device
            .complete_enrolment(&enrolment, Some(wrong), true)
            .await;
        assert_eq!(answer.body["code"], "one_time_code_wrong", "{tries_left}");
    }
    // Spent: even the right code no longer works.
    let late = device
        .complete_enrolment(&enrolment, Some(&right), true)
        .await;
    assert_eq!(late.status, 409, "{:?}", late.body);
    // Five wrong codes also lock the document number for a while.
    let mut again = RawDevice::new(&platform.url());
    let locked = again.start_enrolment(id_number, name).await;
    assert_eq!(locked.body["code"], "rate_limited");
    // Later, a replayed face result does not open a new enrolment either.
    platform.advance_days(1).await;
    let restarted = again.start_enrolment(id_number, name).await;
    let other = restarted.body["enrolment_id"].as_str().unwrap();
    let replayed = again.present(other, &face).await;
    assert_eq!(replayed.body["code"], "identity_not_verified");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_pins_are_refused_at_issuance_without_spending_the_code() {
    let platform = TestPlatform::start();
    let resident = platform.persona("resident").await;
    let (id_number, name) = (
        resident["id_number"].as_str().unwrap(),
        resident["name"].as_str().unwrap(),
    );
    let mut device = RawDevice::new(&platform.url());
    let started = device.start_enrolment(id_number, name).await;
    let enrolment = started.body["enrolment_id"].as_str().unwrap().to_owned();
    let presence = device
        .present_face(&started, id_number, FaceBehaviour::Genuine)
        .await;
    assert_eq!(presence.body["pin_required"], true);
    let code = latest_code(&platform.url(), ADMIN_TOKEN, Some("13800138000"))
        .await
        .unwrap();
    for weak in ["123456", "111111", "880315", ""] {
        let answer = device
            .post(
                &format!("/v1/enrolments/{enrolment}/completion"),
                json!({ "one_time_code": code, "pin": weak }),
            )
            .await;
        assert_eq!(answer.body["code"], "pin_too_simple", "{weak}");
    }
    let done = device
        .complete_enrolment(&enrolment, Some(&code), true)
        .await;
    assert_eq!(done.status, 201, "{:?}", done.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_device_needs_approval_and_the_first_hears_of_it() {
    let platform = TestPlatform::start();
    let first = elder_with_phone(&platform).await;
    let elder = platform.persona("elder").await;
    let (id_number, name) = (
        elder["id_number"].as_str().unwrap(),
        elder["name"].as_str().unwrap(),
    );
    let mut second = RawDevice::new(&platform.url());
    let started = second.start_enrolment(id_number, name).await;
    let enrolment = started.body["enrolment_id"].as_str().unwrap().to_owned();
    let presence = second
        .present_face(&started, id_number, FaceBehaviour::Genuine)
        .await;
    assert_eq!(presence.body["approval_possible"], true);
    assert_eq!(presence.body["pin_required"], false);
    // Without the code, it waits for approval.
    let waiting = second.complete_enrolment(&enrolment, None, false).await;
    assert_eq!(waiting.body["code"], "approval_pending");
    // The first device is told, sees the request and approves with the PIN.
    let notices = first.get("/v1/me/notices").await.body;
    assert!(
        notices
            .as_array()
            .unwrap()
            .iter()
            .any(|notice| notice["kind"] == "enrolment_requested")
    );
    let requests = first.get("/v1/me/enrolment-requests").await.body;
    assert_eq!(requests[0]["enrolment_id"], enrolment.as_str());
    let unapproved = first
        .post(
            &format!("/v1/me/enrolment-requests/{enrolment}/approval"),
            json!({}),
        )
        .await;
    assert_eq!(unapproved.body["code"], "pin_required");
    let approved = first
        .post_with_pin(
            &format!("/v1/me/enrolment-requests/{enrolment}/approval"),
            json!({}),
            "approve_device",
        )
        .await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    let done = second.complete_enrolment(&enrolment, None, false).await;
    assert_eq!(done.status, 201, "{:?}", done.body);
    let devices = first.get("/v1/me/devices").await.body;
    assert_eq!(devices.as_array().unwrap().len(), 2);
    let notices = first.get("/v1/me/notices").await.body;
    assert!(
        notices
            .as_array()
            .unwrap()
            .iter()
            .any(|notice| notice["kind"] == "device_enrolled")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlinking_a_device_revokes_it_and_its_codes_at_once() {
    let platform = TestPlatform::start();
    let first = elder_with_phone(&platform).await;
    let elder = platform.persona("elder").await;
    let mut second = RawDevice::new(&platform.url());
    let enrolled = second
        .enrol(
            elder["id_number"].as_str().unwrap(),
            elder["name"].as_str().unwrap(),
        )
        .await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    let card = second.get("/v1/me").await.body["person"]["cards"][0]["card_id"].clone();
    let issued = second
        .post("/v1/credentials", json!({ "card_id": card }))
        .await;
    assert_eq!(issued.status, 201, "{:?}", issued.body);
    let second_id = second.device_id.clone().unwrap();
    let without_pin = first
        .post(&format!("/v1/me/devices/{second_id}/unlink"), json!({}))
        .await;
    assert_eq!(without_pin.body["code"], "pin_required");
    let unlinked = first
        .post_with_pin(
            &format!("/v1/me/devices/{second_id}/unlink"),
            json!({}),
            "unlink_device",
        )
        .await;
    assert_eq!(unlinked.status, 200, "{:?}", unlinked.body);
    assert!(unlinked.body["credentials_revoked"].as_u64().unwrap() >= 1);
    assert_eq!(second.get("/v1/me").await.status, 401);
    let devices = first.get("/v1/me/devices").await.body;
    assert_eq!(devices.as_array().unwrap().len(), 1);
    assert_eq!(devices[0]["current"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pin_locks_after_wrong_tries_and_a_face_check_resets_it() {
    let platform = TestPlatform::start();
    let device = elder_with_phone(&platform).await;
    let mut codes = Vec::new();
    for _ in 0..6 {
        let answer = device
            .post(
                "/v1/me/pin/grants",
                json!({ "pin": "246813", "action": "unlink_device" }),
            )
            .await;
        codes.push(answer.body["code"].as_str().unwrap().to_owned());
    }
    assert_eq!(&codes[..4], &["pin_wrong"; 4], "{codes:?}");
    assert_eq!(&codes[4..], &["pin_locked", "pin_locked"], "{codes:?}");
    // Locked: even the right PIN is refused.
    let right = device
        .post(
            "/v1/me/pin/grants",
            json!({ "pin": TEST_PIN, "action": "unlink_device" }),
        )
        .await;
    assert_eq!(right.body["code"], "pin_locked");
    // A face check of the holder sets a new PIN.
    let challenge = device
        .post("/v1/me/face-challenges", json!({ "purpose": "pin_reset" }))
        .await;
    let elder = platform.persona("elder").await;
    let face = mint_face_result(
        &platform.url(),
        ADMIN_TOKEN,
        "resident_id",
        elder["id_number"].as_str().unwrap(),
        challenge.body["challenge"].as_str().unwrap(),
        challenge.body["device_binding"].as_str().unwrap(),
        FaceBehaviour::Genuine,
    )
    .await;
    let reset = device
        .post(
            "/v1/me/pin/reset",
            json!({ "face_result": face, "new_pin": "246813" }),
        )
        .await;
    assert_eq!(reset.status, 200, "{:?}", reset.body);
    let granted = device
        .post(
            "/v1/me/pin/grants",
            json!({ "pin": "246813", "action": "unlink_device" }),
        )
        .await;
    assert_eq!(granted.status, 201, "{:?}", granted.body);
    // A grant is for one act: another act, or a second use, is refused.
    let grant = granted.body["pin_grant"].as_str().unwrap();
    let wrong_act = device
        .post("/v1/me/deletion", json!({ "pin_grant": grant }))
        .await;
    assert_eq!(wrong_act.body["code"], "pin_required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_on_record_changes_only_with_face_pin_and_the_old_phone() {
    let platform = TestPlatform::start();
    let device = elder_with_phone(&platform).await;
    let elder = platform.persona("elder").await;
    let challenge = device
        .post(
            "/v1/me/face-challenges",
            json!({ "purpose": "phone_change" }),
        )
        .await;
    let face = mint_face_result(
        &platform.url(),
        ADMIN_TOKEN,
        "resident_id",
        elder["id_number"].as_str().unwrap(),
        challenge.body["challenge"].as_str().unwrap(),
        challenge.body["device_binding"].as_str().unwrap(),
        FaceBehaviour::Genuine,
    )
    .await;
    let grant = device.pin_grant("change_phone").await;
    let started = device
        .post(
            "/v1/me/phone-changes",
            json!({ "new_phone": "13700137000", "face_result": face, "pin_grant": grant }),
        )
        .await;
    assert_eq!(started.status, 201, "{:?}", started.body);
    assert_eq!(started.body["code_sent_to"], "139****9000");
    let code = latest_code(&platform.url(), ADMIN_TOKEN, Some(ELDER_PHONE))
        .await
        .unwrap();
    let change = started.body["change_id"].as_str().unwrap();
    let confirmed = device
        .post(
            &format!("/v1/me/phone-changes/{change}/confirmation"),
            json!({ "one_time_code": code }),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    // The next enrolment code goes to the new phone.
    let mut next = RawDevice::new(&platform.url());
    let enrolled = next
        .enrol(
            elder["id_number"].as_str().unwrap(),
            elder["name"].as_str().unwrap(),
        )
        .await;
    assert_eq!(enrolled.status, 201);
    assert!(
        latest_code(&platform.url(), ADMIN_TOKEN, Some("13700137000"))
            .await
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_consents_by_face_on_the_helpers_phone() {
    let platform = TestPlatform::start();
    let resident = platform.persona("resident").await;
    let elder = platform.persona("elder").await;
    let data = tempfile::tempdir().unwrap();
    let son = open_client(&platform.url(), data.path()).await;
    ecard_e2e::enrol(&son, &platform.url(), identity_of(&resident))
        .await
        .unwrap();
    son.sync_catalogue().await.unwrap();
    son.request_mandate(
        ecard_api::resident::DelegationKind::FamilyProxy,
        identity_of(&elder),
        None,
        vec![ecard_api::resident::Scope::ShowCode],
        None,
        Some(ecard_api::resident::Relationship::Child),
        TEST_PIN,
    )
    .await
    .unwrap();
    let mandate = son.mandates().await.unwrap().remove(0);
    // Someone else's face in front of the son's phone does not consent.
    let refused = son
        .consent_mandate_by_face(
            &mandate.delegation_id,
            &identity_of(&elder),
            SimulatedFace::new(&platform.url(), FaceBehaviour::Impostor),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "identity_not_verified");
    // The elder's own face, on the son's phone: the mandate is active, the
    // elder needs no phone.
    let active = son
        .consent_mandate_by_face(
            &mandate.delegation_id,
            &identity_of(&elder),
            SimulatedFace::new(&platform.url(), FaceBehaviour::Genuine),
        )
        .await
        .unwrap();
    assert_eq!(active.status, ecard_api::resident::DelegationStatus::Active);
    let trail = son.audit_trail().await.unwrap();
    assert!(
        trail
            .iter()
            .any(|entry| entry.action == "mandate.consent.face")
    );
    assert!(
        trail
            .iter()
            .any(|entry| entry.action == "mandate.relationship.child")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_core_a_second_phone_is_approved_heard_of_and_unlinked() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let (first_data, second_data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = open_client(&platform.url(), first_data.path()).await;
    ecard_e2e::enrol(&first, &platform.url(), identity_of(&elder))
        .await
        .unwrap();
    let mut events = first.subscribe();
    let second = open_client(&platform.url(), second_data.path()).await;
    second.begin_enrolment(identity_of(&elder)).await.unwrap();
    let progress = second
        .confirm_presence(SimulatedFace::new(&platform.url(), FaceBehaviour::Genuine))
        .await
        .unwrap();
    assert!(progress.approval_possible);
    assert!(!progress.pin_required);
    assert_eq!(progress.code_sent_to.as_deref(), Some("139****9000"));
    let waiting = second.complete_enrolment(None, None).await.unwrap_err();
    assert_eq!(waiting.code(), "approval_pending");
    let requests = first.enrolment_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let wrong = first
        .approve_enrolment(&requests[0].enrolment_id, "246813")
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "pin_wrong");
    first
        .approve_enrolment(&requests[0].enrolment_id, TEST_PIN)
        .await
        .unwrap();
    let session = second.complete_enrolment(None, None).await.unwrap();
    // The first phone hears of it, as data and as an event.
    let notices = first.check_notices().await.unwrap();
    let kinds: Vec<_> = notices.iter().map(|notice| notice.kind).collect();
    assert!(kinds.contains(&ecard_api::identity::NoticeKind::EnrolmentRequested));
    assert!(kinds.contains(&ecard_api::identity::NoticeKind::DeviceEnrolled));
    let mut heard = false;
    while let Ok(event) = events.try_recv() {
        heard |= matches!(event, ecard_core::ClientEvent::AccountNotice { .. });
    }
    assert!(heard, "no AccountNotice event");
    assert!(
        first.check_notices().await.unwrap().is_empty(),
        "notices repeat"
    );
    // Unlinked from the first phone, the second stops at once.
    let devices = first.devices().await.unwrap();
    assert_eq!(devices.len(), 2);
    first
        .unlink_device(&session.device_id, TEST_PIN)
        .await
        .unwrap();
    let refused = second.refresh_profile().await.unwrap_err();
    assert_eq!(refused.code(), "unauthenticated");
    assert_eq!(first.devices().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takeover_by_probing_many_numbers_from_one_address_is_locked_out() {
    let platform = TestPlatform::start();
    let mut statuses = Vec::new();
    for index in 0..24 {
        let mut prober = RawDevice::new(&platform.url());
        prober.source = Some("127.0.0.11".parse().unwrap());
        let made_up = ecard_e2e::resident_id("360102", "19700101", &format!("{:03}", 100 + index));
        statuses.push(prober.enrol(&made_up, "王五").await.status);
    }
    // Each number fails once; the address locks after twenty failures.
    assert!(
        statuses[..20].iter().all(|status| *status == 422),
        "{statuses:?}"
    );
    assert!(
        statuses[20..].iter().all(|status| *status == 429),
        "{statuses:?}"
    );
    // Another address is not affected.
    let elder = platform.persona("elder").await;
    let mut owner = RawDevice::new(&platform.url());
    owner.source = Some("127.0.0.12".parse().unwrap());
    let enrolled = owner
        .enrol(
            elder["id_number"].as_str().unwrap(),
            elder["name"].as_str().unwrap(),
        )
        .await;
    assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
    // Every attempt is on the operator's record, without document numbers.
    let (attempts, failed, subjects): (i64, i64, i64) = platform.with_database(|database| {
        let (attempts, failed) = database
            .query_row(
                "SELECT COUNT(*), SUM(CASE WHEN outcome NOT IN ('started', 'present', 'enrolled') \
                 THEN 1 ELSE 0 END) FROM identity_attempts",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        let subjects = database
            .query_row(
                "SELECT COUNT(*) FROM identity_attempts WHERE subject LIKE '%360102%'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        (attempts, failed, subjects)
    });
    assert!(attempts >= 43, "{attempts}");
    assert_eq!(failed, 20);
    assert_eq!(subjects, 0, "document numbers in the attempt log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_device_over_the_cap_unlinks_the_one_seen_least_recently() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let (id_number, name) = (
        elder["id_number"].as_str().unwrap(),
        elder["name"].as_str().unwrap(),
    );
    let mut devices = Vec::new();
    for _ in 0..3 {
        let mut device = RawDevice::new(&platform.url());
        ok_status(device.enrol(id_number, name).await.status, 201);
        devices.push(device);
    }
    // The first phone was used most recently; the second least.
    platform.advance_days(1).await;
    ok_status(devices[2].get("/v1/me").await.status, 200);
    ok_status(devices[0].get("/v1/me").await.status, 200);
    let mut fourth = RawDevice::new(&platform.url());
    let enrolled = fourth.enrol(id_number, name).await;
    ok_status(enrolled.status, 201);
    assert_eq!(
        enrolled.body["unlinked_device"].as_str(),
        devices[1].device_id.as_deref()
    );
    assert_eq!(devices[1].get("/v1/me").await.status, 401);
    let listed = fourth.get("/v1/me/devices").await.body;
    assert_eq!(listed.as_array().unwrap().len(), 3);
    let notices = devices[0].get("/v1/me/notices").await.body;
    assert!(
        notices
            .as_array()
            .unwrap()
            .iter()
            .any(|notice| notice["kind"] == "device_unlinked")
    );
}

/// A device's last use is kept to the minute: an active phone's requests
/// write its row once a minute, not once a request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_devices_last_use_is_written_once_a_minute() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let last_seen = |listed: serde_json::Value| listed[0]["last_seen_at"].as_u64().unwrap();
    let first_use = platform.advance_days(1).await;
    ok_status(device.get("/v1/me").await.status, 200);
    let seen = last_seen(device.get("/v1/me/devices").await.body);
    assert!(
        (first_use..first_use + 10).contains(&seen),
        "{seen} {first_use}"
    );
    platform.advance_seconds(30).await;
    ok_status(device.get("/v1/me").await.status, 200);
    assert_eq!(last_seen(device.get("/v1/me/devices").await.body), seen);
    let later = platform.advance_seconds(60).await;
    ok_status(device.get("/v1/me").await.status, 200);
    let seen_later = last_seen(device.get("/v1/me/devices").await.body);
    assert!(seen_later >= later, "{seen_later} {later}");
}

fn ok_status(status: u16, expected: u16) {
    assert_eq!(status, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn takeover_research_through_mandate_requests_is_locked_out() {
    let platform = TestPlatform::start();
    let prober = platform.enrol_persona("resident").await;
    let elder = platform.persona("elder").await;
    let mut codes = Vec::new();
    for attempt in 0..12 {
        let answer = prober
            .post_with_pin(
                "/v1/delegations",
                json!({
                    "kind": "family_proxy", "relationship": "child", "scopes": ["track"],
                    "principal": {
                        "id_type": "resident_id",
                        "id_number": ecard_e2e::resident_id("360102", "19500101", &format!("{:03}", 200 + attempt)),
                        "name": "王五",
                    },
                }),
                "accept_mandate",
            )
            .await;
        codes.push(answer.body["code"].as_str().unwrap_or_default().to_owned());
    }
    // Ten names in vain lock the account out of naming anyone for a while,
    // even someone real.
    assert!(
        codes[..10]
            .iter()
            .all(|code| code == "identity_not_verified"),
        "{codes:?}"
    );
    assert!(
        codes[10..].iter().all(|code| code == "rate_limited"),
        "{codes:?}"
    );
    let real = prober
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "family_proxy", "relationship": "child", "scopes": ["track"],
                "principal": { "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"] },
            }),
            "accept_mandate",
        )
        .await;
    assert_eq!(real.body["code"], "rate_limited");
}
