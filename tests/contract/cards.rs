//! Loss reports, their release and replacements (plain, change of bank, keep the number).

use super::*;

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
    // The answer, built from what the submission wrote, is what is stored.
    let stored = device.get(&format!("/v1/applications/{id}")).await;
    ok(&stored, 200);
    assert_eq!(stored.body, submitted.body);
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
