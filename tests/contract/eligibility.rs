//! Pension eligibility (待遇资格认证, `GET /v1/me/eligibility`,
//! `POST /v1/eligibility-checks`, `POST /v1/eligibility-checks/{id}/face`):
//! a daughter certifies her mother from her own phone with her mother's
//! face under an `eligibility` mandate, and the audit trail names her; her
//! own face, a replayed result, a proxy without the scope and a stranger
//! are refused; a missed certification suspends the pension on the clock
//! and a later one pays the months missed; a recent use of the card at a
//! hospital certifies passively (Jiangxi's 无感认证).

use super::*;
use ecard_api::paths;

/// A face result of `persona`'s face for `challenge` (a check's `face`).
pub(super) async fn face_of(platform: &TestPlatform, persona: &Value, challenge: &Value) -> String {
    ecard_e2e::mint_face_result(
        &platform.url(),
        ADMIN_TOKEN,
        "resident_id",
        persona["id_number"].as_str().unwrap(),
        challenge["challenge"].as_str().unwrap(),
        challenge["device_binding"].as_str().unwrap(),
        ecard_e2e::FaceBehaviour::Genuine,
    )
    .await
}

/// A family-proxy mandate of `helper` for `principal` with `scopes`, the
/// relative consenting by face on the helper's phone; returns its id.
pub(super) async fn proxy_mandate(
    platform: &TestPlatform,
    helper: &RawDevice,
    principal: &Value,
    scopes: &[&str],
) -> String {
    let mandate = helper
        .post_with_pin(
            paths::DELEGATIONS,
            json!({
                "kind": "family_proxy", "relationship": "child",
                "principal": { "id_type": "resident_id", "id_number": principal["id_number"], "name": principal["name"] },
                "scopes": scopes,
            }),
            "accept_mandate",
        )
        .await;
    ok(&mandate, 201);
    let id = mandate.body["delegation_id"].as_str().unwrap().to_owned();
    let challenge = helper
        .post(
            &paths::with_id(paths::DELEGATION_FACE_CHALLENGE, &id),
            json!({}),
        )
        .await;
    ok(&challenge, 201);
    let consented = helper
        .post(
            &paths::with_id(paths::DELEGATION_FACE_CONSENT, &id),
            json!({ "face_result": face_of(platform, principal, &challenge.body).await }),
        )
        .await;
    ok(&consented, 200);
    id
}

async fn eligibility_of(device: &RawDevice, person_id: &str) -> RawAnswer {
    device
        .get(&format!("{}?person_id={person_id}", paths::MY_ELIGIBILITY))
        .await
}

async fn start_check(device: &RawDevice, person_id: &str) -> RawAnswer {
    device
        .post(paths::ELIGIBILITY_CHECKS, json!({ "person_id": person_id }))
        .await
}

async fn hand_in(device: &RawDevice, check_id: &str, face_result: &str) -> RawAnswer {
    device
        .post(
            &paths::with_id(paths::ELIGIBILITY_CHECK_FACE, check_id),
            json!({ "face_result": face_result }),
        )
        .await
}

/// The pension payments of a payments page.
fn pensions(page: &Value) -> Vec<Value> {
    page["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|payment| payment["source"] == "pension")
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_daughter_certifies_her_mother_with_her_mothers_face() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let helper_persona = platform.persona("resident").await;
    let elder_device = platform.enrol_persona("elder").await;
    let helper = platform.enrol_persona("resident").await;
    let elder_id = elder["person_id"].as_str().unwrap();

    // The elder's cycle: certified at a counter 330 days ago, due in a month.
    let own = elder_device.get(paths::MY_ELIGIBILITY).await;
    ok(&own, 200);
    assert_eq!(own.body["person_id"], elder_id);
    assert_eq!(own.body["state"], "certified");
    assert_eq!(own.body["payments_suspended"], false);
    assert_eq!(own.body["last_certification"]["method"], "face");
    assert!(own.body["last_certification"]["helper_account_id"].is_null());
    let reminders = own.body["reminders"].as_array().unwrap();
    assert_eq!(
        reminders
            .iter()
            .map(|r| r["days_before"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [30, 7, 1]
    );
    assert!(reminders.iter().all(|r| r["due"] == false));
    let due_by = own.body["due_by"].as_str().unwrap().to_owned();
    // Someone who draws no pension has nothing to certify.
    let young = helper.get(paths::MY_ELIGIBILITY).await;
    ok(&young, 200);
    assert_eq!(young.body["state"], "not_required");
    problem(
        &start_check(&helper, &account_person(&helper)).await,
        409,
        "invalid_state",
    );

    // Without a mandate, and with one lacking the scope: refused.
    problem(&eligibility_of(&helper, elder_id).await, 403, "no_mandate");
    problem(&start_check(&helper, elder_id).await, 403, "no_mandate");
    let without = proxy_mandate(&platform, &helper, &elder, &["report_loss"]).await;
    problem(&start_check(&helper, elder_id).await, 403, "no_mandate");
    ok(
        &helper
            .post(
                &paths::with_id(paths::DELEGATION_REVOKE, &without),
                json!({}),
            )
            .await,
        200,
    );
    let mandate = proxy_mandate(&platform, &helper, &elder, &["eligibility"]).await;

    // The daughter's phone, her own face: refused, nothing certified.
    let check = start_check(&helper, elder_id).await;
    ok(&check, 201);
    assert_eq!(check.body["person_id"], elder_id);
    assert_eq!(check.body["face"]["purpose"], "eligibility_check");
    let check_id = check.body["check_id"].as_str().unwrap().to_owned();
    // Another device cannot hand in a face for this check.
    problem(
        &hand_in(&elder_device, &check_id, "x.y").await,
        404,
        "not_found",
    );
    let own_face = face_of(&platform, &helper_persona, &check.body["face"]).await;
    problem(
        &hand_in(&helper, &check_id, &own_face).await,
        422,
        "identity_not_verified",
    );
    let after = eligibility_of(&helper, elder_id).await;
    ok(&after, 200);
    assert_eq!(after.body["due_by"], due_by.as_str());

    // The mother's face for the first (spent) challenge, replayed on a new
    // check: refused.
    let spent = face_of(&platform, &elder, &check.body["face"]).await;
    let second = start_check(&helper, elder_id).await;
    ok(&second, 201);
    let second_id = second.body["check_id"].as_str().unwrap().to_owned();
    problem(
        &hand_in(&helper, &second_id, &spent).await,
        422,
        "identity_not_verified",
    );

    // Her mother's face, on her phone, for a fresh check: certified.
    let third = start_check(&helper, elder_id).await;
    ok(&third, 201);
    let third_id = third.body["check_id"].as_str().unwrap().to_owned();
    let face = face_of(&platform, &elder, &third.body["face"]).await;
    let certified = hand_in(&helper, &third_id, &face).await;
    ok(&certified, 200);
    assert_eq!(certified.body["state"], "certified");
    let last = &certified.body["last_certification"];
    assert_eq!(last["method"], "face");
    assert_eq!(last["helper_account_id"], account_id(&helper).as_str());
    assert_eq!(
        last["device_id"],
        helper.device_id.clone().unwrap().as_str()
    );
    assert!(last["passive_use"].is_null());
    assert_ne!(certified.body["due_by"], due_by.as_str());
    // The same result again, or the check again: refused.
    problem(
        &hand_in(&helper, &third_id, &face).await,
        409,
        "invalid_state",
    );

    // The audit trail says who helped, under which mandate.
    let trail = elder_device.get(paths::AUDIT).await;
    ok(&trail, 200);
    let entry = trail
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "eligibility.certify.face")
        .unwrap()
        .clone();
    assert_eq!(entry["actor_account_id"], account_id(&helper).as_str());
    assert_eq!(entry["principal_person_id"], elder_id);
    assert_eq!(entry["mandate_id"], mandate.as_str());
    assert!(
        audit_actions(&helper)
            .await
            .contains(&"eligibility.check.start".to_owned())
    );
}

fn account_person(device: &RawDevice) -> String {
    person_id(device)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_missed_suspends_the_pension_and_a_certification_pays_the_months_missed() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let device = platform.enrol_persona("elder").await;

    // Six months of pension on the 14th, and a subsidy, already paid.
    let page = device
        .get(&format!("{}?limit=100", paths::MY_PAYMENTS))
        .await;
    ok(&page, 200);
    let paid = pensions(&page.body);
    assert!(paid.len() >= 5, "{paid:?}");
    assert!(
        paid.iter()
            .all(|p| p["paid_on"].as_str().unwrap().ends_with("-14"))
    );
    assert!(
        paid.iter()
            .all(|p| p["months"].as_array().unwrap().len() == 1)
    );
    assert!(
        page.body["payments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["source"] == "subsidy" && p["programme"] == "耕地地力保护补贴")
    );
    let before = paid.len();

    // Within the last 30 days before the due date: due, the first reminder
    // has come.
    advance(&platform, 6 * DAY).await;
    let due = device.get(paths::MY_ELIGIBILITY).await;
    ok(&due, 200);
    assert_eq!(due.body["state"], "due");
    assert_eq!(due.body["reminders"][0]["due"], true);
    // Past the due date: overdue, still paid.
    advance(&platform, 32 * DAY).await;
    let overdue = device.get(paths::MY_ELIGIBILITY).await;
    ok(&overdue, 200);
    assert_eq!(overdue.body["state"], "overdue");
    assert_eq!(overdue.body["payments_suspended"], false);
    // Past the grace: suspended (暂停发放), and the next months withheld.
    advance(&platform, 31 * DAY).await;
    let suspended = device.get(paths::MY_ELIGIBILITY).await;
    ok(&suspended, 200);
    assert_eq!(suspended.body["state"], "suspended");
    assert_eq!(suspended.body["payments_suspended"], true);
    advance(&platform, 62 * DAY).await;
    let still = device.get(paths::MY_ELIGIBILITY).await;
    ok(&still, 200);
    let withheld = still.body["withheld_months"].as_array().unwrap().clone();
    assert!(withheld.len() >= 2, "{withheld:?}");
    let page = device
        .get(&format!("{}?limit=100", paths::MY_PAYMENTS))
        .await;
    let during = pensions(&page.body);
    assert!(still.body["suspended_since"].as_u64().is_some());
    let last_paid_month = during[0]["months"][0].as_str().unwrap().to_owned();
    assert!(!withheld.iter().any(|m| m == last_paid_month.as_str()));
    assert!(during.len() > before);

    // The elder certifies on her own phone: resumed, the months paid together.
    let check = start_check(&device, &person_id(&device)).await;
    ok(&check, 201);
    let face = face_of(&platform, &elder, &check.body["face"]).await;
    let certified = hand_in(&device, check.body["check_id"].as_str().unwrap(), &face).await;
    ok(&certified, 200);
    assert_eq!(certified.body["state"], "certified");
    assert_eq!(certified.body["payments_suspended"], false);
    assert!(
        certified.body["withheld_months"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(certified.body["last_certification"]["helper_account_id"].is_null());
    let page = device
        .get(&format!("{}?limit=100", paths::MY_PAYMENTS))
        .await;
    let arrears = pensions(&page.body)[0].clone();
    assert_eq!(arrears["months"], Value::Array(withheld.clone()));
    let monthly = during[0]["amount_fen"].as_u64().unwrap();
    assert_eq!(
        arrears["amount_fen"].as_u64().unwrap(),
        monthly * withheld.len() as u64
    );
    // The next month is paid on its day again.
    advance(&platform, 31 * DAY).await;
    let page = device
        .get(&format!("{}?limit=100", paths::MY_PAYMENTS))
        .await;
    let next = pensions(&page.body)[0].clone();
    assert_eq!(next["months"].as_array().unwrap().len(), 1);
    assert!(next["paid_on"].as_str().unwrap().ends_with("-14"));
}

/// Registers a service point of `kind`; returns its token.
pub(super) async fn service_point(
    platform: &TestPlatform,
    name: &str,
    kind: &str,
    purposes: &[&str],
) -> String {
    let answer = admin(
        platform,
        Method::POST,
        paths::ADMIN_OPERATORS,
        Some(json!({ "name": name, "kind": kind, "purposes": purposes, "location": name })),
    )
    .await;
    ok(&answer, 201);
    answer.body["token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_certified_passively_by_a_recent_use_at_a_hospital() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let device = platform.enrol_persona("elder").await;
    let helper = platform.enrol_persona("resident").await;
    proxy_mandate(&platform, &helper, &elder, &["show_code"]).await;
    let hospital = service_point(&platform, "南昌大学第一附属医院", "hospital", &["medical"]).await;
    let pharmacy = service_point(&platform, "黄庆仁栈大药房", "pharmacy", &["medical"]).await;
    // Into the period the certification is due.
    advance(&platform, 6 * DAY).await;
    let due = device.get(paths::MY_ELIGIBILITY).await;
    assert_eq!(due.body["state"], "due");
    let card_id = my_cards(&device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = super::service_points::platform_now(&platform).await;

    // The daughter fetching medicine on a proxy code proves nothing of the
    // elder: still due.
    let proxy_set = credentials(&helper, Some(&card_id)).await;
    ok(&proxy_set, 201);
    let by_proxy = code_from(&helper, &proxy_set.body, Purpose::Medical, now, 1);
    let resolved =
        super::service_points::resolve(&platform, Some(&pharmacy), "till-1", &by_proxy).await;
    ok(&resolved, 200);
    assert_eq!(resolved.body["presented_by"], "proxy");
    let still = device.get(paths::MY_ELIGIBILITY).await;
    assert_eq!(still.body["state"], "due");
    assert_eq!(still.body["last_certification"]["method"], "face");

    // The elder's own code at a hospital: certified passively.
    let set = credentials(&device, None).await;
    ok(&set, 201);
    let code = code_from(&device, &set.body, Purpose::Medical, now, 1);
    ok(
        &super::service_points::resolve(&platform, Some(&hospital), "reg-1", &code).await,
        200,
    );
    let passive = device.get(paths::MY_ELIGIBILITY).await;
    ok(&passive, 200);
    assert_eq!(passive.body["state"], "certified");
    let last = &passive.body["last_certification"];
    assert_eq!(last["method"], "passive");
    assert_eq!(last["passive_use"]["operator_kind"], "hospital");
    assert_eq!(
        last["passive_use"]["used_on"],
        ecard_documents::Date::in_china_at(now)
            .unwrap()
            .to_string()
            .as_str()
    );
    assert!(last["helper_account_id"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_a_strangers_flood_changes_nothing_and_reads_nothing() {
    let platform = TestPlatform::start();
    let elder = platform.persona("elder").await;
    let device = platform.enrol_persona("elder").await;
    let stranger = platform.enrol_persona("resident").await;
    let elder_id = person_id(&device);
    let before = device.get(paths::MY_ELIGIBILITY).await;
    ok(&before, 200);
    for _ in 0..12 {
        problem(&start_check(&stranger, &elder_id).await, 403, "no_mandate");
    }
    problem(
        &eligibility_of(&stranger, &elder_id).await,
        403,
        "no_mandate",
    );
    problem(
        &stranger
            .get(&format!("{}?person_id={elder_id}", paths::MY_PAYMENTS))
            .await,
        403,
        "no_mandate",
    );
    let after = device.get(paths::MY_ELIGIBILITY).await;
    assert_eq!(after.body, before.body);
    // The elder is not locked out: she certifies.
    let check = start_check(&device, &elder_id).await;
    ok(&check, 201);
    let face = face_of(&platform, &elder, &check.body["face"]).await;
    ok(
        &hand_in(&device, check.body["check_id"].as_str().unwrap(), &face).await,
        200,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_rules_are_regional_data_and_checked() {
    let platform = TestPlatform::start();
    let jiangxi = rules(&platform, "360000").await;
    let eligibility = &jiangxi["eligibility"];
    assert_eq!(eligibility["cycle_months"], 12);
    assert_eq!(eligibility["pension_pay_day"], 14);
    assert_eq!(eligibility["passive"]["within_days"], 90);
    assert_eq!(
        eligibility["passive"]["operator_kinds"],
        json!(["hospital", "pharmacy", "government_counter"])
    );
    assert!(eligibility["source"].as_str().unwrap().contains("每月14日"));
    assert!(
        jiangxi["banks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|bank| bank["code"] == "icbc" && bank["hotline"] == "95588")
    );
    let zhejiang = rules(&platform, "330000").await;
    assert!(zhejiang["eligibility"]["passive"].is_null());
    assert!(
        zhejiang["eligibility"]["source"]
            .as_str()
            .unwrap()
            .contains("sample data")
    );
    for (field, value) in [
        ("pension_pay_day", json!(31)),
        ("cycle_months", json!(0)),
        ("retirement_age_women", json!(30)),
        ("reminder_days_before", json!([400])),
        ("source", json!("")),
    ] {
        let mut document = jiangxi.clone();
        document["eligibility"][field] = value;
        let answer = admin(&platform, Method::PUT, "/admin/rules", Some(document)).await;
        problem(&answer, 422, "invalid_field");
    }
    assert_eq!(rules(&platform, "360000").await, jiangxi);
    // A document without the section (stored before it existed) gets the
    // national default, without passive certification.
    change_rules(&platform, "510000", |document| {
        document.as_object_mut().unwrap().remove("eligibility");
    })
    .await;
    let sichuan = rules(&platform, "510000").await;
    assert_eq!(sichuan["eligibility"]["cycle_months"], 12);
    assert!(sichuan["eligibility"]["passive"].is_null());
}
