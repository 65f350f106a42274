//! The operator's endpoints behind the token, and state that survives a restart.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_endpoints_need_the_token() {
    let platform = TestPlatform::start();
    let routes: [(Method, &str, Option<Value>); 20] = [
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
        (Method::POST, "/admin/schools", Some(json!({}))),
        (Method::POST, "/admin/school-enrolments", Some(json!({}))),
        (Method::POST, "/admin/concession-documents", Some(json!({}))),
        (
            Method::PUT,
            "/admin/search-vocabulary/360000",
            Some(json!({ "entries": [] })),
        ),
        (Method::GET, "/admin/personas", None),
        (Method::GET, "/admin/trust/authority-keys", None),
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
    assert_eq!(roles, ["elder", "minor", "newborn", "resident", "student"]);
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
