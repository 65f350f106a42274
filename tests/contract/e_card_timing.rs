//! When a new card's e-card starts working, as each region's rules say.

use super::*;

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
