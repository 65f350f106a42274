//! The card's money (`GET /v1/cards/{id}/financial-account`,
//! `GET /v1/me/payments`, `POST /v1/cards/{id}/financial-loss-reports`):
//! the bank, the masked account and the hotline; payments with their
//! source, paged; and the financial loss report (金融功能挂失), which
//! leaves the social-security function and the e-card working — the
//! medical code still resolves and the credential's status bit is
//! untouched — and tells the bank's hotline. A proxy with `report_loss`
//! may make it; a stranger reads and reports nothing.

use super::eligibility::{proxy_mandate, service_point};
use super::*;
use ecard_api::paths;

async fn elder_card(device: &RawDevice) -> String {
    my_cards(device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_account_payments_and_the_financial_loss_report() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let device = platform.enrol_persona("elder").await;
    let stranger = platform.enrol_persona("student").await;
    let helper = platform.enrol_persona("resident").await;
    let card_id = elder_card(&device).await;
    let account_path = paths::with_id(paths::FINANCIAL_ACCOUNT, &card_id);
    let report_path = paths::with_id(paths::FINANCIAL_LOSS_REPORTS, &card_id);

    // The account: bank, hotline, masked number, active.
    let account = device.get(&account_path).await;
    ok(&account, 200);
    assert_eq!(account.body["card_id"], card_id.as_str());
    assert_eq!(account.body["bank"]["code"], "icbc");
    assert_eq!(account.body["bank"]["hotline"], "95588");
    let masked = account.body["account_masked"].as_str().unwrap();
    assert!(masked.starts_with("6212 **** **** "), "{masked}");
    assert_eq!(masked.len(), 19);
    assert!(masked[15..].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(account.body["state"], "active");
    assert!(account.body["loss_reported_at"].is_null());
    problem(&stranger.get(&account_path).await, 403, "no_mandate");
    problem(
        &device
            .get(&paths::with_id(paths::FINANCIAL_ACCOUNT, "card-nope"))
            .await,
        404,
        "not_found",
    );

    // Payments, newest first, paged, each with its source and payer.
    let first = device.get(&format!("{}?limit=2", paths::MY_PAYMENTS)).await;
    ok(&first, 200);
    let payments = first.body["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 2);
    for payment in payments {
        assert!(["pension", "subsidy", "wages"].contains(&payment["source"].as_str().unwrap()));
        assert!(payment["amount_fen"].as_u64().unwrap() > 0);
        assert!(!payment["payer"].as_str().unwrap().is_empty());
        assert_eq!(payment["card_id"], card_id.as_str());
        assert_eq!(payment["sample"], true);
    }
    let before = first.body["next_before"].as_u64().unwrap();
    let second = device
        .get(&format!("{}?limit=2&before={before}", paths::MY_PAYMENTS))
        .await;
    ok(&second, 200);
    assert_ne!(
        second.body["payments"][0]["payment_id"],
        payments[0]["payment_id"]
    );
    problem(
        &device.get(&format!("{}?limit=0", paths::MY_PAYMENTS)).await,
        400,
        "malformed_request",
    );
    problem(
        &device
            .get(&format!("{}?before=x", paths::MY_PAYMENTS))
            .await,
        400,
        "malformed_request",
    );
    problem(
        &stranger
            .get(&format!(
                "{}?person_id={}",
                paths::MY_PAYMENTS,
                person_id(&device)
            ))
            .await,
        403,
        "no_mandate",
    );

    // Refused before anything changes: a stranger, a proxy without the scope.
    problem(
        &stranger.post(&report_path, json!({})).await,
        403,
        "no_mandate",
    );
    proxy_mandate(&platform, &helper, &elder, &["track"]).await;
    problem(
        &helper.post(&report_path, json!({})).await,
        403,
        "no_mandate",
    );
    ok(&helper.get(&account_path).await, 200);
    assert_eq!(device.get(&account_path).await.body["state"], "active");

    // Credentials before the report.
    let hospital = service_point(&platform, "江西省人民医院", "hospital", &["medical"]).await;
    let set = credentials(&device, None).await;
    ok(&set, 201);

    // The financial loss report: the bank function only, with the hotline.
    let key = unique_key();
    let reported = device.post_with_key(&report_path, json!({}), &key).await;
    ok(&reported, 201);
    assert_eq!(reported.body["account"]["state"], "loss_reported");
    assert!(reported.body["account"]["loss_reported_at"].is_u64());
    assert_eq!(reported.body["bank_hotline"], "95588");
    assert_eq!(reported.body["bank_contact_required"], true);
    assert!(
        reported.body["next_step"]
            .as_str()
            .unwrap()
            .contains("银行")
    );
    // Replayed with the same key: the same answer, nothing new.
    let replayed = device.post_with_key(&report_path, json!({}), &key).await;
    assert_eq!(replayed.status, 201);
    assert_eq!(replayed.body, reported.body);
    problem(
        &device.post(&report_path, json!({})).await,
        409,
        "invalid_state",
    );
    assert!(
        audit_actions(&device)
            .await
            .contains(&"card.financial_loss_report".to_owned())
    );

    // The social-security function and the e-card are untouched.
    let card = &my_cards(&device).await[0];
    assert_eq!(card["status"], "active");
    assert_eq!(card["e_card"], "active");
    assert!(card["loss_report"].is_null());
    let (mut verifier, now) = terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&device, &set.body, Purpose::Medical, now, 1);
    // The terminal's status list still has the credential's bit clear.
    assert!(verifier.verify(&code, now).is_ok());
    let code = code_from(&device, &set.body, Purpose::Medical, now, 2);
    ok(
        &super::service_points::resolve(&platform, Some(&hospital), "desk-1", &code).await,
        200,
    );
    ok(&credentials(&device, None).await, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_a_proxy_with_the_report_loss_scope_reports_the_bank_function_lost() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let device = platform.enrol_persona("elder").await;
    let helper = platform.enrol_persona("resident").await;
    let card_id = elder_card(&device).await;
    let mandate = proxy_mandate(&platform, &helper, &elder, &["report_loss"]).await;
    let reported = helper
        .post(
            &paths::with_id(paths::FINANCIAL_LOSS_REPORTS, &card_id),
            json!({}),
        )
        .await;
    ok(&reported, 201);
    assert_eq!(reported.body["account"]["state"], "loss_reported");
    let trail = device.get(paths::AUDIT).await;
    let entry = trail
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "card.financial_loss_report")
        .unwrap()
        .clone();
    assert_eq!(entry["actor_account_id"], account_id(&helper).as_str());
    assert_eq!(entry["mandate_id"], mandate.as_str());
    // The helper sees the state; payments need `track`.
    let account = helper
        .get(&paths::with_id(paths::FINANCIAL_ACCOUNT, &card_id))
        .await;
    ok(&account, 200);
    assert_eq!(account.body["state"], "loss_reported");
    problem(
        &helper
            .get(&format!(
                "{}?person_id={}",
                paths::MY_PAYMENTS,
                person_id(&device)
            ))
            .await,
        403,
        "no_mandate",
    );
}
