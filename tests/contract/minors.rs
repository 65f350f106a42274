//! A minor's card: every act on it goes through a guardian while the holder
//! is under 18 (Jiangxi: 未满 18 周岁的公民需法定监护人…代办 for 申领, 启用,
//! 挂失, 解挂, 补换 and 密码), the e-card on the minor's own phone only with a
//! guardian's consent, the region's exception for a self-supporting 16- or
//! 17-year-old, and the hand-over on the 18th birthday.

use super::*;

/// The seeded 16-year-old student's own phone and card, and his father's
/// phone holding a guardian mandate with every scope.
pub(super) struct Family {
    pub(super) student: RawDevice,
    pub(super) card_id: String,
    pub(super) parent: RawDevice,
    pub(super) mandate_id: String,
}

pub(super) async fn student_and_guardian(platform: &TestPlatform) -> Family {
    let student = platform.enrol_persona("student").await;
    let card_id = my_cards(&student).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let parent = platform.enrol_persona("resident").await;
    let persona = platform.persona("student").await;
    let mandate = parent
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "guardian",
                "principal": { "id_type": "resident_id", "id_number": persona["id_number"], "name": persona["name"] },
                "evidence": { "kind": "household_register", "number": persona["household_register"] },
                "scopes": ["apply", "replace", "report_loss", "activate", "show_code", "track"],
            }),
            "accept_mandate",
        )
        .await;
    ok(&mandate, 201);
    let mandate_id = mandate.body["delegation_id"].as_str().unwrap().to_owned();
    Family {
        student,
        card_id,
        parent,
        mandate_id,
    }
}

/// The attack: a 16-year-old (or whoever holds his phone) reports the card
/// lost, replaces it with another bank, resets the PIN or ends the
/// guardianship — alone. Each is refused with `guardian_required` and
/// changes nothing; the guardian does the same acts under the mandate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minors_a_minor_acts_on_the_card_only_through_a_guardian() {
    let platform = TestPlatform::start();
    let family = student_and_guardian(&platform).await;
    let student = &family.student;
    let card = &family.card_id;
    let before = snapshot(student).await;

    let loss = student
        .post(
            &format!("/v1/cards/{card}/loss-reports"),
            json!({ "kind": "temporary" }),
        )
        .await;
    problem(&loss, 403, "guardian_required");
    let replacement = json!({
        "card_id": card, "kind": "plain", "delivery": pickup(), "photo_jpeg": test_photo_base64(),
    });
    problem(
        &student.post("/v1/replacements", replacement.clone()).await,
        403,
        "guardian_required",
    );
    problem(
        &student
            .post(&format!("/v1/cards/{card}/activation"), json!({}))
            .await,
        403,
        "guardian_required",
    );
    problem(
        &student
            .post("/v1/applications", new_card(&person_id(student), pickup()))
            .await,
        403,
        "guardian_required",
    );
    problem(
        &student
            .post(
                "/v1/me/pin",
                json!({ "current_pin": ecard_e2e::TEST_PIN, "new_pin": "602718" }),
            )
            .await,
        403,
        "guardian_required",
    );
    problem(
        &student
            .post(
                "/v1/me/pin/reset",
                json!({ "face_result": "x", "new_pin": "602718" }),
            )
            .await,
        403,
        "guardian_required",
    );
    problem(
        &student
            .post(
                &format!("/v1/delegations/{}/revoke", family.mandate_id),
                json!({}),
            )
            .await,
        403,
        "guardian_required",
    );
    // Nor does he act for anyone else (a relative's mandate).
    let elder = platform.persona("elder").await;
    problem(
        &student
            .post_with_pin(
                "/v1/delegations",
                json!({
                    "kind": "family_proxy", "relationship": "grandchild",
                    "principal": { "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"] },
                    "scopes": ["track"],
                }),
                "accept_mandate",
            )
            .await,
        409,
        "not_allowed_by_rules",
    );
    // The e-card itself: not on his own phone until a guardian allows it.
    problem(&credentials(student, None).await, 403, "guardian_required");
    assert_eq!(snapshot(student).await, before, "a refusal changes nothing");
    // He still sees his own card and what is done for him.
    assert_eq!(my_cards(student).await[0]["status"], "active");

    // The guardian reports the loss and releases it, under the mandate.
    let parent = &family.parent;
    let reported = parent
        .post(
            &format!("/v1/cards/{card}/loss-reports"),
            json!({ "kind": "temporary" }),
        )
        .await;
    ok(&reported, 201);
    assert_eq!(reported.body["status"], "temporarily_lost");
    problem(
        &student
            .post_with_pin(
                &format!("/v1/cards/{card}/loss-reports/release"),
                json!({}),
                "release_loss",
            )
            .await,
        403,
        "guardian_required",
    );
    let released = parent
        .post_with_pin(
            &format!("/v1/cards/{card}/loss-reports/release"),
            json!({}),
            "release_loss",
        )
        .await;
    ok(&released, 200);
    assert_eq!(released.body["status"], "active");
    // The guardian sets his PIN; he then confirms acts with it.
    let pin = parent
        .post_with_pin(
            &format!("/v1/delegations/{}/ward-pin", family.mandate_id),
            json!({ "new_pin": "602718" }),
            "act_for_ward",
        )
        .await;
    ok(&pin, 200);
    assert_eq!(
        pin_hashes(&platform).await.1,
        0,
        "a PIN hashed holding the connection"
    );
    let grant = student
        .post(
            "/v1/me/pin/grants",
            json!({ "pin": "602718", "action": "consent_mandate" }),
        )
        .await;
    ok(&grant, 201);
    // His trail shows who did what for him, under which mandate.
    let trail = student.get("/v1/audit").await;
    ok(&trail, 200);
    let by_guardian: Vec<&str> = trail
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["mandate_id"] == family.mandate_id.as_str())
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    for action in [
        "card.loss_report.temporary",
        "card.loss_report.release",
        "pin.set_by_guardian",
    ] {
        assert!(by_guardian.contains(&action), "{action} in {by_guardian:?}");
    }
}

/// The attack: a code shown from the minor's phone after the guardian
/// withdrew consent. Allowed, the phone gets codes that pass; withdrawn,
/// those codes are revoked at once (the next status list refuses them) and
/// no new ones are issued. Only the guardian's own active guardian mandate
/// decides: not a stranger, not a family proxy, not the minor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minors_the_e_card_on_a_minors_phone_follows_the_guardians_consent() {
    let platform = TestPlatform::start();
    let family = student_and_guardian(&platform).await;
    let allow = |allowed: bool| json!({ "allowed": allowed });
    let path = format!("/v1/delegations/{}/ward-e-card", family.mandate_id);

    // Neither the student nor a stranger decides it.
    problem(
        &family
            .student
            .post_with_pin(&path, allow(true), "act_for_ward")
            .await,
        404,
        "not_found",
    );
    let stranger = platform.enrol_persona("elder").await;
    problem(
        &stranger
            .post_with_pin(&path, allow(true), "act_for_ward")
            .await,
        404,
        "not_found",
    );
    // The guardian's PIN confirms it.
    problem(
        &family.parent.post(&path, allow(true)).await,
        403,
        "pin_required",
    );

    let allowed = family
        .parent
        .post_with_pin(&path, allow(true), "act_for_ward")
        .await;
    ok(&allowed, 200);
    assert!(allowed.body["ward_e_card_since"].as_u64().is_some());
    let set = credentials(&family.student, None).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "holder");
    let now = advance(&platform, 0).await;
    let (mut gate, _) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&family.student, &set.body, Purpose::Transport, now, 1);
    assert!(gate.verify(&code, now).is_ok());

    let withdrawn = family
        .parent
        .post_with_pin(&path, allow(false), "act_for_ward")
        .await;
    ok(&withdrawn, 200);
    assert!(withdrawn.body["ward_e_card_since"].is_null());
    problem(
        &credentials(&family.student, None).await,
        403,
        "guardian_required",
    );
    let (mut gate, _) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&family.student, &set.body, Purpose::Transport, now, 2);
    assert_eq!(gate.verify(&code, now).unwrap_err(), VerifyError::Revoked);
    // The guardian still shows the child's code from their own phone.
    let guardian_set = credentials(&family.parent, Some(&family.card_id)).await;
    ok(&guardian_set, 201);
    assert_eq!(guardian_set.body["role"], "guardian");
}

/// A region whose rules let a minor of 16 living on their own labour income
/// act alone (民法典第十八条; Zhejiang in the sample data): the register's
/// record decides, not the minor's say-so; in Jiangxi, which names no such
/// exception, the same minor still goes through the guardian.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minors_a_self_supporting_minor_acts_alone_where_the_rules_allow() {
    let platform = TestPlatform::start();
    let now = advance(&platform, 0).await;
    let today = ecard_documents::Date::in_china_at(now).unwrap();
    let birth = format!("{:04}0101", today.year() - 17);
    let mut devices = Vec::new();
    for (region, sequence, self_supporting) in [
        ("330102", "061", true),
        ("330102", "073", false),
        ("360102", "085", true),
    ] {
        let id_number = resident_id(region, &birth, sequence);
        let added = admin(
            &platform,
            Method::POST,
            "/admin/people",
            Some(json!({
                "id_type": "resident_id", "id_number": id_number, "name": "李明", "region": region,
                "phone": ecard_e2e::phone_for(&id_number), "self_supporting": self_supporting,
            })),
        )
        .await;
        ok(&added, 201);
        let person = added.body["person_id"].as_str().unwrap().to_owned();
        let card = admin(
            &platform,
            Method::POST,
            &format!("/admin/people/{person}/cards"),
            Some(json!({ "bank": "icbc" })),
        )
        .await;
        ok(&card, 201);
        let mut device = RawDevice::new(&platform.url());
        ok(&device.enrol(&id_number, "李明").await, 201);
        devices.push((device, card.body["card_id"].as_str().unwrap().to_owned()));
    }
    let report = |card: &str| format!("/v1/cards/{card}/loss-reports");
    let (working, card) = &devices[0];
    ok(&credentials(working, None).await, 201);
    let reported = working
        .post(&report(card), json!({ "kind": "temporary" }))
        .await;
    ok(&reported, 201);
    for (device, card) in &devices[1..] {
        problem(
            &device
                .post(&report(card), json!({ "kind": "temporary" }))
                .await,
            403,
            "guardian_required",
        );
    }
}

/// The 18th birthday hands the card to its holder: the guardian's mandate
/// ends (its codes end on the birthday, nothing more is issued, acts are
/// refused), the application the guardian filed goes on and is the
/// holder's to follow and finish, the holder acts alone from that day, and
/// the trail of what the guardian did stays the holder's to read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minors_coming_of_age_hands_the_card_to_the_holder() {
    let platform = TestPlatform::start();
    let parent = platform.enrol_persona("resident").await;
    let now = advance(&platform, 0).await;
    let (birth, birthday) = super::lifetime::born_to_turn(18, now, 3);
    let (ward, id_number) = platform
        .add_person("王小军", &birth, "051", &[&person_id(&parent)])
        .await;
    let card = admin(
        &platform,
        Method::POST,
        &format!("/admin/people/{ward}/cards"),
        Some(json!({ "bank": "icbc" })),
    )
    .await;
    ok(&card, 201);
    let card_id = card.body["card_id"].as_str().unwrap().to_owned();
    let mut holder = RawDevice::new(&platform.url());
    ok(&holder.enrol(&id_number, "王小军").await, 201);
    let mandate = parent
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "guardian",
                "principal": { "id_type": "resident_id", "id_number": id_number, "name": "王小军" },
                "evidence": { "kind": "household_register", "number": "360102099001" },
                "scopes": ["replace", "report_loss", "show_code", "track"],
            }),
            "accept_mandate",
        )
        .await;
    ok(&mandate, 201);
    assert_eq!(mandate.body["expires_at"], birthday);
    let mandate_id = mandate.body["delegation_id"].as_str().unwrap().to_owned();

    // Three days before: the card is lost; the guardian reports it and
    // files the replacement, which the holder may not do himself.
    let replacement = json!({
        "card_id": card_id, "kind": "plain", "delivery": pickup(),
        "photo_jpeg": test_photo_base64(),
    });
    problem(
        &holder
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "formal" }),
            )
            .await,
        403,
        "guardian_required",
    );
    let guardian_codes = credentials(&parent, Some(&card_id)).await;
    ok(&guardian_codes, 201);
    assert!(
        guardian_codes.body["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .all(|credential| credential["not_after"].as_u64().unwrap() <= birthday)
    );
    ok(
        &parent
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "formal" }),
            )
            .await,
        201,
    );
    problem(
        &holder.post("/v1/replacements", replacement.clone()).await,
        403,
        "guardian_required",
    );
    let filed = parent.post("/v1/replacements", replacement).await;
    ok(&filed, 201);
    let application_id = filed.body["application_id"].as_str().unwrap().to_owned();
    assert_eq!(filed.body["mandate_id"], mandate_id.as_str());
    // The birthday.
    super::lifetime::advance_to(&platform, birthday + 60).await;
    let ended = parent.get("/v1/delegations").await;
    ok(&ended, 200);
    let ended = ended
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|delegation| delegation["delegation_id"] == mandate_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(ended["status"], "expired");
    problem(
        &credentials(&parent, Some(&card_id)).await,
        403,
        "no_mandate",
    );
    problem(
        &parent
            .post(
                &format!("/v1/cards/{card_id}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        403,
        "no_mandate",
    );
    // The guardian no longer follows the application; the holder does.
    let seen_by_guardian = parent
        .get(&format!("/v1/applications/{application_id}"))
        .await;
    problem(&seen_by_guardian, 404, "not_found");
    let mine = holder.get("/v1/applications").await;
    ok(&mine, 200);
    assert!(
        mine.body
            .as_array()
            .unwrap()
            .iter()
            .any(|application| application["application_id"] == application_id.as_str())
    );
    // The application runs on; he collects the card and confirms it.
    advance(&platform, 20 * DAY).await;
    let waiting = application(&holder, &application_id).await;
    assert_eq!(waiting["state"], "at_outlet", "{waiting:?}");
    ok(
        &holder
            .post(
                &format!("/v1/applications/{application_id}/receipt"),
                json!({}),
            )
            .await,
        200,
    );
    let received = application(&holder, &application_id).await;
    assert_eq!(received["state"], "received");
    let trail = holder.get("/v1/audit").await;
    ok(&trail, 200);
    let guardian_account = account_id(&parent);
    assert!(
        trail
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(
                |entry| entry["actor_account_id"] == guardian_account.as_str()
                    && entry["action"] == "replacement.submit.plain"
                    && entry["mandate_id"] == mandate_id.as_str()
            ),
        "the guardian's acts stay in the holder's trail: {:?}",
        trail.body
    );
    // He acts alone now: his own codes, his own loss report.
    let new_card = received["card_id"].as_str().unwrap().to_owned();
    ok(&credentials(&holder, Some(&new_card)).await, 201);
    ok(
        &holder
            .post(
                &format!("/v1/cards/{new_card}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
}

/// A rules document whose minor, newborn or instant-issue section cannot be
/// honoured is refused and changes nothing: an exception age at or above
/// the age of majority, a minor refused even a look at their own card, a
/// photo age above it, a hold of zero days, a section without its source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn minors_rules_sections_are_checked() {
    let platform = TestPlatform::start();
    let original = rules(&platform, "330000").await;
    for (section, change, field) in [
        (
            "minors",
            json!({ "self_supporting_from_age": 18 }),
            "minors.self_supporting_from_age",
        ),
        (
            "minors",
            json!({ "through_guardian": ["report_loss", "track"] }),
            "minors.through_guardian",
        ),
        ("minors", json!({ "source": " " }), "minors"),
        (
            "newborn",
            json!({ "photo_exempt_under_age": 19 }),
            "newborn.photo_exempt_under_age",
        ),
        (
            "newborn",
            json!({ "registration_days": 31 }),
            "newborn.registration_days",
        ),
        (
            "instant_issue",
            json!({ "hold_days": 0 }),
            "instant_issue.hold_days",
        ),
        ("instant_issue", json!({ "source": "" }), "instant_issue"),
    ] {
        let mut document = original.clone();
        for (key, value) in change.as_object().unwrap() {
            document[section][key] = value.clone();
        }
        let answer = admin(&platform, Method::PUT, "/admin/rules", Some(document)).await;
        problem(&answer, 422, "invalid_field");
        assert_eq!(answer.body["field"], field, "{change}");
    }
    assert_eq!(rules(&platform, "330000").await, original);
}
