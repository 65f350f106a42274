//! Online resolution at service points (`POST /v1/service-point/resolutions`)
//! and the residents' access records (`GET /v1/me/access-records`,
//! `POST /v1/me/access-records/{id}/report`, `GET /admin/access-reports`):
//! a service point learns what its purpose discloses and its own
//! pseudonym of the person, nothing for a purpose it is not registered
//! for; forged, replayed and revoked codes are refused; a flooding terminal
//! is throttled; and the resident sees, and can report, every look-up.

use super::*;
use ecard_api::paths;

/// Registers a service point; returns its token.
async fn register_service_point(
    platform: &TestPlatform,
    name: &str,
    kind: &str,
    purposes: &[&str],
) -> String {
    let answer = admin(
        platform,
        Method::POST,
        paths::ADMIN_OPERATORS,
        Some(json!({
            "name": name, "kind": kind, "purposes": purposes,
            "location": format!("{name}门诊大厅"),
        })),
    )
    .await;
    ok(&answer, 201);
    answer.body["token"].as_str().unwrap().to_owned()
}

/// A resolution with the given bearer token (none: no header).
pub(super) async fn resolve(
    platform: &TestPlatform,
    token: Option<&str>,
    terminal_id: &str,
    code: &str,
) -> RawAnswer {
    let authorization = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = authorization
        .iter()
        .map(|value| ("authorization", value.as_str()))
        .collect();
    let body = json!({ "terminal_id": terminal_id, "code": code });
    public(
        platform,
        Method::POST,
        paths::SERVICE_POINT_RESOLUTIONS,
        Some(body.to_string().into_bytes()),
        &headers,
    )
    .await
}

/// The platform clock now.
pub(super) async fn platform_now(platform: &TestPlatform) -> u64 {
    get(platform, "/v1/time").await.server_time.unwrap()
}

/// An enrolled elder with a fresh credential set.
async fn elder_with_credentials(platform: &TestPlatform) -> (RawDevice, Value) {
    let device = platform.enrol_persona("elder").await;
    let set = credentials(&device, None).await;
    ok(&set, 201);
    (device, set.body)
}

fn field_names(answer: &Value) -> std::collections::BTreeSet<String> {
    keys(answer)
}

fn names(list: &[&str]) -> std::collections::BTreeSet<String> {
    list.iter().map(|name| (*name).to_owned()).collect()
}

/// Nothing of the person in a refusal.
#[track_caller]
fn discloses_nothing(answer: &RawAnswer) {
    for field in [
        "name",
        "card_number",
        "document_number",
        "pseudonym",
        "insurance_region",
    ] {
        assert!(answer.body.get(field).is_none(), "{:?}", answer.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_points_a_hospital_learns_the_medical_fields_and_its_own_stable_pseudonym() {
    let platform = TestPlatform::start();
    let persona = platform.persona("elder").await;
    let (device, set) = elder_with_credentials(&platform).await;
    let card = my_cards(&device).await[0].clone();
    let hospital =
        register_service_point(&platform, "南昌大学第一附属医院", "hospital", &["medical"]).await;
    let other_hospital =
        register_service_point(&platform, "江西省人民医院", "hospital", &["medical"]).await;

    let now = platform_now(&platform).await;
    let code = code_from(&device, &set, Purpose::Medical, now, 1);
    let answer = resolve(&platform, Some(&hospital), "reg-desk-1", &code).await;
    ok(&answer, 200);
    assert_eq!(
        field_names(&answer.body),
        names(&[
            "record_id",
            "purpose",
            "presented_by",
            "pseudonym",
            "disclosed",
            "name",
            "card_number",
            "insurance_region",
            "card_state",
            "resolved_at"
        ]),
        "exactly the medical fields: {:?}",
        answer.body
    );
    assert_eq!(answer.body["purpose"], "medical");
    assert_eq!(answer.body["presented_by"], "holder");
    assert_eq!(answer.body["name"], persona["name"]);
    assert_eq!(answer.body["card_state"], "active");
    assert_eq!(answer.body["insurance_region"], card["region"]);
    let number = answer.body["card_number"].as_str().unwrap();
    let masked = card["card_number_masked"].as_str().unwrap();
    assert_eq!(number.chars().count(), masked.chars().count());
    assert_eq!(&number[..2], &masked[..2], "the card's own number");
    assert_eq!(
        answer.body["disclosed"],
        json!([
            "pseudonym",
            "name",
            "card_number",
            "insurance_region",
            "card_state"
        ])
    );
    let pseudonym = answer.body["pseudonym"].as_str().unwrap().to_owned();
    assert_eq!(pseudonym.len(), 22);

    // The next day: a new credential (new handle) after the refresh; the
    // same hospital sees the same pseudonym.
    advance(&platform, DAY).await;
    let next_set = credentials(&device, None).await;
    ok(&next_set, 201);
    assert_ne!(next_set.body["credentials"], set["credentials"]);
    let now = platform_now(&platform).await;
    let next_code = code_from(&device, &next_set.body, Purpose::Medical, now, 1);
    let next_day = resolve(&platform, Some(&hospital), "reg-desk-2", &next_code).await;
    ok(&next_day, 200);
    assert_eq!(next_day.body["pseudonym"], pseudonym.as_str());
    assert_ne!(next_day.body["record_id"], answer.body["record_id"]);

    // Another operator: a different pseudonym of the same person.
    let elsewhere_code = code_from(&device, &next_set.body, Purpose::Medical, now, 2);
    let elsewhere = resolve(&platform, Some(&other_hospital), "desk-1", &elsewhere_code).await;
    ok(&elsewhere, 200);
    assert_eq!(elsewhere.body["name"], persona["name"]);
    assert_ne!(elsewhere.body["pseudonym"], pseudonym.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_points_a_counter_learns_name_and_id_number_and_a_hospital_nothing_of_an_identity_code()
 {
    let platform = TestPlatform::start();
    let persona = platform.persona("elder").await;
    let (device, set) = elder_with_credentials(&platform).await;
    let counter = register_service_point(
        &platform,
        "东湖区政务服务中心",
        "government_counter",
        &["identity"],
    )
    .await;
    let hospital =
        register_service_point(&platform, "南昌市第一医院", "hospital", &["medical"]).await;
    let now = platform_now(&platform).await;

    // The hospital is not registered for identity: refused before any
    // check of the code, nothing disclosed, and the code is not spent.
    let identity_code = code_from(&device, &set, Purpose::Identity, now, 1);
    let refused = resolve(&platform, Some(&hospital), "desk-1", &identity_code).await;
    problem(&refused, 403, "forbidden");
    discloses_nothing(&refused);
    // Transport codes are not resolved online anywhere.
    let transport_code = code_from(&device, &set, Purpose::Transport, now, 2);
    let refused = resolve(&platform, Some(&hospital), "desk-1", &transport_code).await;
    problem(&refused, 403, "forbidden");
    discloses_nothing(&refused);

    let answer = resolve(&platform, Some(&counter), "window-3", &identity_code).await;
    ok(&answer, 200);
    assert_eq!(
        field_names(&answer.body),
        names(&[
            "record_id",
            "purpose",
            "presented_by",
            "pseudonym",
            "disclosed",
            "name",
            "document_number",
            "resolved_at"
        ]),
        "exactly the identity fields: {:?}",
        answer.body
    );
    assert_eq!(answer.body["name"], persona["name"]);
    assert_eq!(answer.body["document_number"], persona["id_number"]);
    assert_eq!(
        answer.body["disclosed"],
        json!(["pseudonym", "name", "document_number"])
    );

    // The resident's records show the counter's look-up, not the refusals.
    let records = device.get(paths::MY_ACCESS_RECORDS).await;
    ok(&records, 200);
    let list = records.body["records"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["operator_name"], "东湖区政务服务中心");
    assert_eq!(list[0]["operator_kind"], "government_counter");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_points_unregistered_and_foreign_tokens_learn_nothing() {
    let platform = TestPlatform::start();
    let (device, set) = elder_with_credentials(&platform).await;
    let now = platform_now(&platform).await;
    let code = code_from(&device, &set, Purpose::Medical, now, 1);

    // No token, a made-up token, the admin's token.
    for token in [
        None,
        Some("op_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        Some(ADMIN_TOKEN),
    ] {
        let answer = resolve(&platform, token, "desk-1", &code).await;
        problem(&answer, 401, "unauthenticated");
        discloses_nothing(&answer);
    }
    // A terminal operator registered without the service-point fields (a
    // metro clearing its gates) resolves nothing.
    let metro = admin(
        &platform,
        Method::POST,
        paths::ADMIN_OPERATORS,
        Some(json!({ "name": "南昌地铁" })),
    )
    .await;
    ok(&metro, 201);
    let answer = resolve(&platform, metro.body["token"].as_str(), "gate-1", &code).await;
    problem(&answer, 403, "forbidden");
    discloses_nothing(&answer);

    // Registration keeps purposes to what the kind allows.
    for (body, field) in [
        (
            json!({ "name": "如家酒店", "kind": "hotel", "purposes": ["medical"] }),
            "purposes[0]",
        ),
        (
            json!({ "name": "某药店", "kind": "pharmacy", "purposes": ["identity"] }),
            "purposes[0]",
        ),
        (json!({ "name": "某机构", "purposes": ["medical"] }), "kind"),
        (
            json!({ "name": "某医院", "kind": "hospital", "purposes": ["medical"], "location": "" }),
            "location",
        ),
    ] {
        let refused = admin(&platform, Method::POST, paths::ADMIN_OPERATORS, Some(body)).await;
        problem(&refused, 422, "invalid_field");
        assert_eq!(refused.body["field"], field);
    }

    // The code was never spent: a registered hospital still resolves it.
    let hospital =
        register_service_point(&platform, "南昌市第三医院", "hospital", &["medical"]).await;
    ok(
        &resolve(&platform, Some(&hospital), "desk-1", &code).await,
        200,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_points_replayed_forged_expired_and_revoked_codes_are_refused() {
    let platform = TestPlatform::start();
    let (device, set) = elder_with_credentials(&platform).await;
    let hospital =
        register_service_point(&platform, "南昌市第九医院", "hospital", &["medical"]).await;
    let other = register_service_point(&platform, "南昌市洪都医院", "hospital", &["medical"]).await;
    let now = platform_now(&platform).await;

    let code = code_from(&device, &set, Purpose::Medical, now, 1);
    ok(
        &resolve(&platform, Some(&hospital), "desk-1", &code).await,
        200,
    );
    // The same code again: at another terminal, at another operator.
    for (token, terminal) in [
        (&hospital, "desk-2"),
        (&other, "desk-1"),
        (&hospital, "desk-1"),
    ] {
        let replayed = resolve(&platform, Some(token), terminal, &code).await;
        problem(&replayed, 409, "code_replayed");
        discloses_nothing(&replayed);
    }

    // Garbled text, a code with a byte changed, a code signed by a device
    // the credential does not name, a code made five minutes ago.
    let mut tampered: Vec<char> = code_from(&device, &set, Purpose::Medical, now, 2)
        .chars()
        .collect();
    let middle = tampered.len() / 2;
    tampered[middle] = if tampered[middle] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    // Forged: the device signature, then a claim of the credential, changed
    // and the code encoded again (well-formed, but signed by nobody).
    let genuine = ecard_credential::Presentation::from_code(&code_from(
        &device,
        &set,
        Purpose::Medical,
        now,
        3,
    ))
    .unwrap();
    let mut bytes = genuine.as_bytes().to_vec();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    let forged = ecard_credential::presentation::encode_code(&bytes);
    let mut bytes = genuine.as_bytes().to_vec();
    bytes[12] ^= 0x01;
    let forged_claim = ecard_credential::presentation::encode_code(&bytes);
    let stale = code_from(&device, &set, Purpose::Medical, now - 300, 4);
    for garbage in [
        "hello",
        "",
        tampered.as_str(),
        forged.as_str(),
        forged_claim.as_str(),
        stale.as_str(),
    ] {
        let refused = resolve(&platform, Some(&hospital), "desk-1", garbage).await;
        problem(&refused, 422, "code_invalid");
        discloses_nothing(&refused);
    }
    // A malformed terminal id is the request's fault, not the code's.
    let refused = resolve(&platform, Some(&hospital), "desk 1", &code).await;
    problem(&refused, 422, "invalid_field");
    assert_eq!(refused.body["field"], "terminal_id");

    // After a loss report the card's credentials are revoked: refused at
    // once, without waiting for a status-list edition.
    let card_id = my_cards(&device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reported = device
        .post(
            &format!("/v1/cards/{card_id}/loss-reports"),
            json!({ "kind": "temporary" }),
        )
        .await;
    ok(&reported, 201);
    let after_loss = code_from(&device, &set, Purpose::Medical, now, 5);
    let refused = resolve(&platform, Some(&hospital), "desk-1", &after_loss).await;
    problem(&refused, 409, "code_revoked");
    discloses_nothing(&refused);
}

/// The signatures are checked outside the database transaction, so that
/// concurrent resolutions do their cryptography in parallel; the replay
/// check and the record must still be one step: the same code sent at once
/// from many terminals and two operators is resolved exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_points_one_code_sent_at_once_from_many_terminals_is_resolved_once() {
    let platform = TestPlatform::start();
    let (device, set) = elder_with_credentials(&platform).await;
    let hospital =
        register_service_point(&platform, "南昌市第一医院", "hospital", &["medical"]).await;
    let other = register_service_point(&platform, "南昌市第三医院", "hospital", &["medical"]).await;
    let now = platform_now(&platform).await;
    let code = code_from(&device, &set, Purpose::Medical, now, 1);

    let attempts = (0..12).map(|index| {
        let token = if index % 2 == 0 { &hospital } else { &other };
        let terminal = format!("desk-{index}");
        let (platform, code) = (&platform, &code);
        async move { resolve(platform, Some(token), &terminal, code).await }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let resolved = answers.iter().filter(|answer| answer.status == 200).count();
    assert_eq!(
        resolved,
        1,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    for answer in answers.iter().filter(|answer| answer.status != 200) {
        problem(answer, 409, "code_replayed");
        discloses_nothing(answer);
    }
    let records = device.get(paths::MY_ACCESS_RECORDS).await;
    ok(&records, 200);
    assert_eq!(records.body["records"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_points_the_resident_sees_each_resolution_and_reports_one() {
    let platform = TestPlatform::start();
    let (device, set) = elder_with_credentials(&platform).await;
    let stranger = platform.enrol_persona("resident").await;
    let hospital =
        register_service_point(&platform, "南昌大学第二附属医院", "hospital", &["medical"]).await;
    let hotel = register_service_point(&platform, "八一广场酒店", "hotel", &["identity"]).await;
    let now = platform_now(&platform).await;

    let medical = resolve(
        &platform,
        Some(&hospital),
        "reg-7",
        &code_from(&device, &set, Purpose::Medical, now, 1),
    )
    .await;
    ok(&medical, 200);
    let identity = resolve(
        &platform,
        Some(&hotel),
        "front-desk",
        &code_from(&device, &set, Purpose::Identity, now, 2),
    )
    .await;
    ok(&identity, 200);

    // Newest first, with who, where, which terminal, what and which fields.
    let page = device.get(paths::MY_ACCESS_RECORDS).await;
    ok(&page, 200);
    assert!(page.body["next_before"].is_null());
    let records = page.body["records"].as_array().unwrap().clone();
    assert_eq!(records.len(), 2);
    let newest = &records[0];
    assert_eq!(newest["record_id"], identity.body["record_id"]);
    assert_eq!(newest["operator_name"], "八一广场酒店");
    assert_eq!(newest["operator_kind"], "hotel");
    assert_eq!(newest["location"], "八一广场酒店门诊大厅");
    assert_eq!(newest["terminal_id"], "front-desk");
    assert_eq!(newest["purpose"], "identity");
    assert_eq!(newest["presented_by"], "holder");
    assert_eq!(
        newest["disclosed"],
        json!(["pseudonym", "name", "document_number"])
    );
    assert!(newest["report"].is_null());
    assert_eq!(records[1]["record_id"], medical.body["record_id"]);
    assert_eq!(records[1]["operator_kind"], "hospital");
    assert_eq!(records[1]["terminal_id"], "reg-7");

    // Paged: one at a time.
    let first = device
        .get(&format!("{}?limit=1", paths::MY_ACCESS_RECORDS))
        .await;
    ok(&first, 200);
    assert_eq!(first.body["records"].as_array().unwrap().len(), 1);
    let before = first.body["next_before"].as_u64().unwrap();
    let second = device
        .get(&format!(
            "{}?limit=1&before={before}",
            paths::MY_ACCESS_RECORDS
        ))
        .await;
    ok(&second, 200);
    assert_eq!(
        second.body["records"][0]["record_id"],
        medical.body["record_id"]
    );
    assert!(second.body["next_before"].is_null());
    for query in [
        "limit=0",
        "limit=101",
        "before=-1",
        "before=9223372036854775808",
    ] {
        problem(
            &device
                .get(&format!("{}?{query}", paths::MY_ACCESS_RECORDS))
                .await,
            400,
            "malformed_request",
        );
    }

    // Someone else sees none of them and cannot report them.
    let elder_person = person_id(&device);
    problem(
        &stranger
            .get(&format!(
                "{}?person_id={elder_person}",
                paths::MY_ACCESS_RECORDS
            ))
            .await,
        403,
        "no_mandate",
    );
    let own = stranger.get(paths::MY_ACCESS_RECORDS).await;
    ok(&own, 200);
    assert!(own.body["records"].as_array().unwrap().is_empty());
    let record_id = identity.body["record_id"].as_str().unwrap();
    let report_path = paths::with_id(paths::ACCESS_RECORD_REPORT, record_id);
    problem(
        &stranger
            .post(&report_path, json!({ "reason": "not_me" }))
            .await,
        404,
        "not_found",
    );

    // The resident reports the hotel's look-up.
    let reported = device
        .post(
            &report_path,
            json!({ "reason": "not_me", "note": "我没有去过这家酒店" }),
        )
        .await;
    ok(&reported, 201);
    assert_eq!(reported.body["record_id"], record_id);
    assert_eq!(reported.body["reason"], "not_me");
    // The same report again answers the first; a different one is refused.
    let again = device
        .post(
            &report_path,
            json!({ "reason": "not_me", "note": "我没有去过这家酒店" }),
        )
        .await;
    ok(&again, 201);
    assert_eq!(again.body["report_id"], reported.body["report_id"]);
    problem(
        &device
            .post(&report_path, json!({ "reason": "unexpected" }))
            .await,
        409,
        "invalid_state",
    );
    let page = device.get(paths::MY_ACCESS_RECORDS).await;
    assert_eq!(
        page.body["records"][0]["report"]["report_id"],
        reported.body["report_id"]
    );

    // The admin sees the report with its record and operator.
    let reports = admin(&platform, Method::GET, paths::ADMIN_ACCESS_REPORTS, None).await;
    ok(&reports, 200);
    let reports = reports.body.as_array().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        reports[0]["report"]["report_id"],
        reported.body["report_id"]
    );
    assert_eq!(reports[0]["record"]["operator_name"], "八一广场酒店");
    assert!(
        reports[0]["operator_id"]
            .as_str()
            .unwrap()
            .starts_with("op-")
    );

    // Deleting the account deletes the person's access records.
    ok(
        &device
            .post_with_pin("/v1/me/deletion", json!({}), "delete_account")
            .await,
        200,
    );
    let mut again = RawDevice::new(&platform.url());
    let persona = platform.persona("elder").await;
    let enrolled = again
        .enrol(
            persona["id_number"].as_str().unwrap(),
            persona["name"].as_str().unwrap(),
        )
        .await;
    ok(&enrolled, 201);
    let after = again.get(paths::MY_ACCESS_RECORDS).await;
    ok(&after, 200);
    assert!(after.body["records"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_points_a_family_proxy_tracking_the_elder_sees_the_records() {
    let platform = TestPlatform::start();
    let helper = platform.enrol_persona("resident").await;
    let elder = platform.persona("elder").await;
    let (elder_device, set) = elder_with_credentials(&platform).await;
    let pending = helper
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "family_proxy", "relationship": "child",
                "principal": { "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"] },
                "scopes": ["track", "show_code"],
            }),
            "accept_mandate",
        )
        .await;
    ok(&pending, 201);
    let mandate_id = pending.body["delegation_id"].as_str().unwrap();
    ok(
        &elder_device
            .post_with_pin(
                &format!("/v1/delegations/{mandate_id}/consent"),
                json!({}),
                "consent_mandate",
            )
            .await,
        200,
    );
    let pharmacy =
        register_service_point(&platform, "黄庆仁栈大药房", "pharmacy", &["medical"]).await;
    let now = platform_now(&platform).await;

    // The helper fetches the elder's medicine on a proxy code.
    let elder_card = my_cards(&elder_device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let proxy_set = credentials(&helper, Some(&elder_card)).await;
    ok(&proxy_set, 201);
    let by_proxy = resolve(
        &platform,
        Some(&pharmacy),
        "till-1",
        &code_from(&helper, &proxy_set.body, Purpose::Medical, now, 1),
    )
    .await;
    ok(&by_proxy, 200);
    assert_eq!(by_proxy.body["presented_by"], "proxy");
    assert_eq!(by_proxy.body["name"], elder["name"]);
    // The pharmacy's pseudonym hangs on the person, not the device.
    let by_holder = resolve(
        &platform,
        Some(&pharmacy),
        "till-2",
        &code_from(&elder_device, &set, Purpose::Medical, now, 1),
    )
    .await;
    ok(&by_holder, 200);
    assert_eq!(by_holder.body["pseudonym"], by_proxy.body["pseudonym"]);

    let elder_person = person_id(&elder_device);
    let seen = helper
        .get(&format!(
            "{}?person_id={elder_person}",
            paths::MY_ACCESS_RECORDS
        ))
        .await;
    ok(&seen, 200);
    let records = seen.body["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1]["presented_by"], "proxy");
    assert_eq!(records[0]["person_id"], elder_person.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_points_a_flooding_terminal_is_throttled_while_another_operator_resolves() {
    let platform = TestPlatform::start();
    let (device, set) = elder_with_credentials(&platform).await;
    let hotel = register_service_point(&platform, "洪城大酒店", "hotel", &["identity"]).await;
    let counter = register_service_point(
        &platform,
        "西湖区政务服务中心",
        "government_counter",
        &["identity"],
    )
    .await;

    // Garbage codes count too: a terminal cannot probe without limit. The
    // budget is per platform-clock minute, so the flood may straddle a
    // minute; it sees the limit within two budgets.
    let budget = 30;
    let mut served = 0;
    let mut throttled = None;
    for attempt in 0..(2 * budget + 1) {
        let answer = resolve(
            &platform,
            Some(&hotel),
            "front-desk",
            &format!("junk{attempt}"),
        )
        .await;
        if answer.status == 429 {
            throttled = Some(answer);
            break;
        }
        problem(&answer, 422, "code_invalid");
        served += 1;
    }
    let throttled = throttled.expect("the flood is throttled");
    problem(&throttled, 429, "rate_limited");
    assert!(served >= budget, "{served} attempts before the limit");
    let retry_after = throttled.retry_after.expect("a Retry-After");
    assert!((1..=60).contains(&retry_after), "{retry_after}");

    // Another operator's terminal still resolves a real code.
    let now = platform_now(&platform).await;
    let answer = resolve(
        &platform,
        Some(&counter),
        "window-1",
        &code_from(&device, &set, Purpose::Identity, now, 1),
    )
    .await;
    ok(&answer, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_points_the_pseudonym_survives_a_card_replacement() {
    let platform = TestPlatform::start();
    let (device, set) = elder_with_credentials(&platform).await;
    let old_id = my_cards(&device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hospital =
        register_service_point(&platform, "南昌市第十医院", "hospital", &["medical"]).await;
    let now = platform_now(&platform).await;
    let before = resolve(
        &platform,
        Some(&hospital),
        "desk-1",
        &code_from(&device, &set, Purpose::Medical, now, 1),
    )
    .await;
    ok(&before, 200);

    // Lost, replaced, the new card in hand and activated.
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
    let id = submitted.body["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    advance(&platform, 4 * DAY).await;
    let produced = application(&device, &id).await;
    let new_id = receive_and_activate(&device, &produced).await;
    assert_ne!(new_id, old_id);
    let new_set = credentials(&device, Some(&new_id)).await;
    ok(&new_set, 201);
    let now = platform_now(&platform).await;
    let after = resolve(
        &platform,
        Some(&hospital),
        "desk-1",
        &code_from(&device, &new_set.body, Purpose::Medical, now, 1),
    )
    .await;
    ok(&after, 200);
    assert_eq!(after.body["pseudonym"], before.body["pseudonym"]);
    assert_eq!(after.body["card_state"], "active");
}
