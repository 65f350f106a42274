//! New cards from application to activation: pickup, mail, payment, cancellation, failed production and photos.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_card_by_pickup_through_activation() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let me = person_id(&device);
    let empty = snapshot(&device).await;

    // Refusals that must not leave an application behind.
    let mut body = new_card(&me, pickup());
    body["bank"] = json!("hsbc");
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
    // The answer, built from what the submission wrote, is what is stored.
    let stored = device.get(&format!("/v1/applications/{id}")).await;
    ok(&stored, 200);
    assert_eq!(stored.body, submitted.body);
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
    // No school enrolment recorded: no campus credential.
    assert_eq!(issued.len(), 3);
    assert_eq!(
        issued[0]["purposes"],
        json!(["transport", "culture_tourism"])
    );
    assert_eq!(issued[1]["purposes"], json!(["medical", "identity"]));
    assert_eq!(
        issued[2]["purposes"],
        json!(["education_exam", "personnel_exam"])
    );
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

/// Attack: submissions for one person raced against each other (the
/// resident's phones, or one phone resending with fresh idempotency keys)
/// to have two cards made. The database holds one application in progress
/// a person, so exactly one is accepted, on either store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_submissions_for_one_person_make_one_application() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let me = person_id(&device);
    let attempts = (0..8).map(|index| {
        let (device, me) = (&device, &me);
        let delivery = if index % 2 == 0 { pickup() } else { mail() };
        async move {
            device
                .post("/v1/applications", new_card(me, delivery))
                .await
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let accepted: Vec<_> = answers
        .iter()
        .filter(|answer| answer.status == 201)
        .collect();
    assert_eq!(
        accepted.len(),
        1,
        "{:?}",
        answers
            .iter()
            .map(|answer| answer.status)
            .collect::<Vec<_>>()
    );
    for answer in answers.iter().filter(|answer| answer.status != 201) {
        problem(answer, 409, "invalid_state");
    }
    let list = device.get("/v1/applications").await;
    ok(&list, 200);
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let id = accepted[0].body["application_id"].as_str().unwrap();
    let stored = device.get(&format!("/v1/applications/{id}")).await;
    assert_eq!(stored.body, accepted[0].body);
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
