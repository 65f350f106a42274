//! 出生一件事 in one submission (the Jiangxi report: 家长只需填写一张表格，
//! 提交一次申请), and instant issue at outlets that make cards on the spot
//! (即时制卡, 立等可取).

use super::*;

/// A birth the hospital reported for the resident persona's child, born
/// two days ago by the platform clock; returns the certificate as reported.
async fn reported_birth(platform: &TestPlatform, number: &str, name: &str) -> Value {
    let resident = platform.persona("resident").await;
    let now = advance(platform, 0).await;
    let born = ecard_documents::Date::in_china_at(now - 2 * DAY).unwrap();
    let certificate = json!({
        "certificate_number": number, "child_name": name, "sex": "male",
        "birth_date": born.to_string(), "father_id_number": resident["id_number"],
        "mother_id_number": resident_id("360102", "19910304", "226"),
        "hospital": "南昌大学第一附属医院",
    });
    ok(
        &admin(
            platform,
            Method::POST,
            "/admin/birth-certificates",
            Some(certificate.clone()),
        )
        .await,
        201,
    );
    certificate
}

fn one_form(certificate: &Value) -> Value {
    json!({
        "birth_certificate": certificate["certificate_number"],
        "child_name": certificate["child_name"],
        "sex": certificate["sex"],
        "birth_date": certificate["birth_date"],
        "household_region": "360102",
        "household_address": ADDRESS,
        "bank": "icbc",
        "phone": "13800138000",
        "delivery": pickup(),
    })
}

fn step_times(birth: &Value) -> Vec<(String, bool)> {
    birth["progress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            (
                step["step"].as_str().unwrap().to_owned(),
                step["at"].is_u64(),
            )
        })
        .collect()
}

/// The attacks first: a certificate nobody reported, a form that does not
/// match it, a stranger (not named on it as a parent) filing it, a wrong
/// other parent, a region without the service, a region needing a photo;
/// each refused and nothing stored. Then the parent's one form: no photo
/// (Jiangxi exempts newborns), the household registration assigns the ID
/// number on the platform clock, the parent holds a guardian mandate, the
/// card is made and the child's first code shown; the same certificate
/// cannot register a second child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn births_one_form_registers_the_child_and_makes_the_card() {
    let platform = TestPlatform::start();
    let parent = platform.enrol_persona("resident").await;
    let certificate = reported_birth(&platform, "Q360100417", "张小满").await;
    let form = one_form(&certificate);
    let before = snapshot(&parent).await;

    let mut unknown = form.clone();
    unknown["birth_certificate"] = json!("Q360100999");
    problem(
        &parent.post("/v1/births", unknown).await,
        422,
        "identity_not_verified",
    );
    let mut wrong_name = form.clone();
    wrong_name["child_name"] = json!("张小明");
    problem(
        &parent.post("/v1/births", wrong_name).await,
        422,
        "identity_not_verified",
    );
    let mut wrong_sex = form.clone();
    wrong_sex["sex"] = json!("female");
    problem(
        &parent.post("/v1/births", wrong_sex).await,
        422,
        "identity_not_verified",
    );
    let stranger = platform.enrol_persona("elder").await;
    problem(
        &stranger.post("/v1/births", form.clone()).await,
        422,
        "identity_not_verified",
    );
    let elder = platform.persona("elder").await;
    let mut wrong_parent = form.clone();
    wrong_parent["other_parent"] =
        json!({ "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"] });
    problem(
        &parent.post("/v1/births", wrong_parent).await,
        422,
        "identity_not_verified",
    );
    let mut sichuan = form.clone();
    sichuan["household_region"] = json!("510104");
    problem(
        &parent.post("/v1/births", sichuan).await,
        409,
        "not_allowed_by_rules",
    );
    let mut guangdong = form.clone();
    guangdong["household_region"] = json!("440106");
    let answer = parent.post("/v1/births", guangdong).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "photo_jpeg");
    assert_eq!(snapshot(&parent).await, before, "refusals store nothing");
    let none = parent.get("/v1/births").await;
    ok(&none, 200);
    assert_eq!(none.body, json!([]));

    // The one form.
    let filed = parent.post("/v1/births", form.clone()).await;
    ok(&filed, 201);
    assert_eq!(filed.body["state"], "registering");
    assert_eq!(filed.body["child_name_masked"], "张**");
    assert_eq!(
        step_times(&filed.body),
        [
            ("submitted".to_owned(), true),
            ("household_registered".to_owned(), false),
            ("card_in_production".to_owned(), false),
            ("card_on_its_way".to_owned(), false),
            ("card_received".to_owned(), false),
        ]
    );
    let birth_id = filed.body["birth_id"].as_str().unwrap().to_owned();
    problem(
        &parent.post("/v1/births", form.clone()).await,
        409,
        "invalid_state",
    );
    problem(
        &stranger.get(&format!("/v1/births/{birth_id}")).await,
        404,
        "not_found",
    );

    // A day on: registered, the mandate held, the card applied for and
    // (free, collected at the outlet) queued for production.
    advance(&platform, DAY + 60).await;
    let registered = parent.get(&format!("/v1/births/{birth_id}")).await;
    ok(&registered, 200);
    let birth = registered.body;
    assert_eq!(birth["state"], "registered");
    let child = birth["person_id"].as_str().unwrap().to_owned();
    let mandate_id = birth["mandate_id"].as_str().unwrap().to_owned();
    let application_id = birth["application_id"].as_str().unwrap().to_owned();
    let mandates = parent.get("/v1/delegations").await;
    let mandate = mandates
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|mandate| mandate["delegation_id"] == mandate_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(mandate["kind"], "guardian");
    assert_eq!(mandate["status"], "active");
    assert_eq!(mandate["principal_person_id"], child.as_str());
    let applied = application(&parent, &application_id).await;
    assert_eq!(applied["person_id"], child.as_str());
    assert_eq!(applied["mandate_id"], mandate_id.as_str());
    assert_eq!(applied["fee_fen"], 0);
    let me = parent.get("/v1/me").await;
    let principal = me.body["principals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|principal| principal["person_id"] == child.as_str())
        .unwrap()
        .clone();
    // The ID number the household registration assigned: the household's
    // county, the birth date, an odd sequence (a boy), a valid check digit.
    assert_eq!(principal["birth_date"], certificate["birth_date"]);
    let masked = principal["id_number_masked"].as_str().unwrap();
    assert!(masked.starts_with("360") && masked.len() == 18, "{masked}");
    let sequence_end = masked.as_bytes()[16];
    assert!(
        sequence_end.is_ascii_digit() && (sequence_end - b'0') % 2 == 1,
        "{masked}"
    );

    // Production starts within the hour; in Jiangxi the e-card works from
    // then (同步生成…直接使用): the child's first code, on the parent's phone.
    advance(&platform, 2 * 3_600).await;
    let making = application(&parent, &application_id).await;
    assert_eq!(making["state"], "in_production");
    let card_id = making["card_id"].as_str().unwrap().to_owned();
    let set = credentials(&parent, Some(&card_id)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "guardian");
    let now = advance(&platform, 0).await;
    let (mut clinic, _) = terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&parent, &set.body, Purpose::Medical, now, 1);
    assert!(clinic.verify(&code, now).is_ok());

    // Made, at the outlet, collected: one progress line to the end.
    advance(&platform, 4 * DAY).await;
    ok(
        &parent
            .post(
                &format!("/v1/applications/{application_id}/receipt"),
                json!({}),
            )
            .await,
        200,
    );
    let done = parent.get(&format!("/v1/births/{birth_id}")).await;
    assert!(step_times(&done.body).iter().all(|(_, reached)| *reached));
    let trail = audit_actions(&parent).await;
    for action in [
        "birth.submit",
        "birth.household_registered",
        "application.submit",
    ] {
        assert!(
            trail.iter().any(|done| done == action),
            "{action}: {trail:?}"
        );
    }
}

/// The outlets of the sample feed that do and do not make cards on the spot.
async fn instant_and_plain_outlets(platform: &TestPlatform) -> (String, String, String) {
    let outlets = get(platform, "/v1/catalogue/outlets").await;
    ok(&outlets, 200);
    let list = outlets.body["outlets"].as_array().unwrap().clone();
    let offers = |outlet: &Value, service: &str| {
        outlet["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|offered| offered == service)
    };
    let mut instant = list
        .iter()
        .filter(|outlet| offers(outlet, "instant_issue"))
        .map(|outlet| outlet["id"].as_str().unwrap().to_owned());
    let plain = list
        .iter()
        .find(|outlet| !offers(outlet, "instant_issue") && offers(outlet, "card_pickup"))
        .map(|outlet| outlet["id"].as_str().unwrap().to_owned())
        .unwrap();
    (instant.next().unwrap(), instant.next().unwrap(), plain)
}

/// The attacks first: instant issue by post, at an outlet without the
/// service; the card made by a terminal operator, by another outlet's
/// staff, twice; an outlet's staff reporting code acceptances. Then the
/// counter: the card made on the spot, handed over activated, the e-card
/// working at once; an application not collected lapses after the hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn births_instant_issue_makes_the_card_while_the_resident_waits() {
    let platform = TestPlatform::start();
    let (outlet, other_outlet, plain_outlet) = instant_and_plain_outlets(&platform).await;
    let device = platform.enrol_persona("resident").await;
    let me = person_id(&device);
    let before = snapshot(&device).await;
    let mut by_post = new_card(&me, mail());
    by_post["instant_issue"] = json!(true);
    let answer = device.post("/v1/applications", by_post).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "delivery");
    let mut elsewhere = new_card(
        &me,
        json!({ "method": "pickup", "outlet_id": plain_outlet }),
    );
    elsewhere["instant_issue"] = json!(true);
    let answer = device.post("/v1/applications", elsewhere).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "delivery.outlet_id");
    assert_eq!(snapshot(&device).await, before);

    let mut body = new_card(&me, json!({ "method": "pickup", "outlet_id": outlet }));
    body["instant_issue"] = json!(true);
    let applied = device.post("/v1/applications", body).await;
    ok(&applied, 201);
    assert_eq!(applied.body["instant_issue"], true);
    assert_eq!(applied.body["state"], "paid");
    let id = applied.body["application_id"].as_str().unwrap().to_owned();
    // No production by the clock: it waits for the resident at the counter.
    advance(&platform, 6 * 3_600).await;
    assert_eq!(application(&device, &id).await["state"], "paid");

    let register = |name: &str, outlet: Option<&str>| {
        let body = json!({ "name": name, "outlet_id": outlet });
        let platform = &platform;
        async move {
            let answer = admin(platform, Method::POST, "/admin/operators", Some(body)).await;
            ok(&answer, 201);
            answer.body["token"].as_str().unwrap().to_owned()
        }
    };
    let counter = register("东湖区社保卡服务窗口", Some(&outlet)).await;
    let other_counter = register("另一网点", Some(&other_outlet)).await;
    let transit = register("南昌地铁", None).await;
    let unknown = admin(
        &platform,
        Method::POST,
        "/admin/operators",
        Some(json!({ "name": "x", "outlet_id": "O-99999" })),
    )
    .await;
    problem(&unknown, 422, "invalid_field");
    let issue = |token: String| {
        let path = format!("/v1/outlet/applications/{id}/instant-issue");
        let platform = &platform;
        async move {
            public(
                platform,
                Method::POST,
                &path,
                Some(b"{}".to_vec()),
                &[
                    ("authorization", &format!("Bearer {token}")),
                    ("content-type", "application/json"),
                ],
            )
            .await
        }
    };
    problem(&issue(transit.clone()).await, 403, "forbidden");
    problem(&issue(other_counter).await, 404, "not_found");
    let acceptances = public(
        &platform,
        Method::POST,
        "/v1/operator/acceptances",
        Some(
            json!({ "terminal_id": "counter-1", "acceptances": [] })
                .to_string()
                .into_bytes(),
        ),
        &[
            ("authorization", &format!("Bearer {counter}")),
            ("content-type", "application/json"),
        ],
    )
    .await;
    problem(&acceptances, 403, "forbidden");
    assert_eq!(application(&device, &id).await["state"], "paid");

    let issued = issue(counter.clone()).await;
    ok(&issued, 200);
    assert_eq!(issued.body["state"], "activated");
    let states = states(&issued.body);
    assert!(
        states.ends_with(&[
            "in_production".to_owned(),
            "received".to_owned(),
            "activated".to_owned()
        ]),
        "{states:?}"
    );
    problem(&issue(counter).await, 409, "invalid_state");
    let cards = my_cards(&device).await;
    assert_eq!(cards[0]["status"], "active");
    assert_eq!(cards[0]["social_function_enabled"], true);
    ok(&credentials(&device, None).await, 201);

    // Another resident's instant application, never collected, lapses.
    let (person, id_number) = platform.add_person("赵一鸣", "19900101", "075", &[]).await;
    let mut waiting = RawDevice::new(&platform.url());
    ok(&waiting.enrol(&id_number, "赵一鸣").await, 201);
    let mut body = new_card(&person, json!({ "method": "pickup", "outlet_id": outlet }));
    body["instant_issue"] = json!(true);
    let lapsing = waiting.post("/v1/applications", body).await;
    ok(&lapsing, 201);
    let lapsing_id = lapsing.body["application_id"].as_str().unwrap().to_owned();
    advance(&platform, 8 * DAY).await;
    let lapsed = application(&waiting, &lapsing_id).await;
    assert_eq!(lapsed["state"], "cancelled");
    assert!(lapsed["failure_reason"].is_string());
}
