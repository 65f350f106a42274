//! Credential lifetime: a credential shown for someone else never outlives
//! the authority it was issued under — the mandate's end, and a guardian's
//! ward's 18th birthday (rules `adult_age`, 00:00 China time) — and no
//! credential outlives the card's own validity (有效期, 00:00 China time
//! after its last day).

use super::*;

/// The `/v1/credentials` answer's credentials' `not_after` (one per
/// disclosure group issued: transport, medical, examinations).
fn ends(set: &Value) -> Vec<u64> {
    set["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|credential| credential["not_after"].as_u64().unwrap())
        .collect()
}

/// Moves the platform clock to `at` (forward only); returns the new time.
pub(super) async fn advance_to(platform: &TestPlatform, at: u64) -> u64 {
    let now = advance(platform, 0).await;
    assert!(now < at, "the clock is already at {now}, past {at}");
    advance(platform, at - now).await
}

/// A terminal whose clock is exact (no skew tolerated), so the end of a
/// credential shows to the second; a usual terminal accepts a credential
/// for its clock skew (30 s) past the end.
async fn exact_terminal(platform: &TestPlatform, purposes: &[Purpose]) -> Verifier {
    let mut policy = VerifierPolicy::for_purposes(purposes);
    policy.clock_skew_seconds = 0;
    let mut verifier = Verifier::new(&trust_list(platform).await, policy).unwrap();
    let (bytes, now) = status_list(platform).await;
    verifier.install_status_list(&bytes, now).unwrap();
    verifier
}

/// `YYYYMMDD` of someone who turns `age` on the China date `days` after `now`.
pub(super) fn born_to_turn(age: u16, now: u64, days: u64) -> (String, u64) {
    let mut day = ecard_documents::Date::in_china_at(now + days * DAY).unwrap();
    // No 29 February: such a birthday is kept on 1 March in common years.
    while day.month() == 2 && day.day() == 29 {
        day = ecard_documents::Date::from_unix_days(day.to_unix_days() + 1).unwrap();
    }
    let birth = ecard_documents::Date::new(day.year() - age, day.month(), day.day()).unwrap();
    let birthday = u64::try_from(day.china_midnight_unix_seconds()).unwrap();
    (
        format!("{:04}{:02}{:02}", birth.year(), birth.month(), birth.day()),
        birthday,
    )
}

/// A guardian (the `resident` persona) of a new ward with a card; returns
/// the guardian's device, the ward's card, the mandate and the birthday
/// on which the ward turns 18.
async fn guardian_of_a_ward_turning_18(
    platform: &TestPlatform,
    days: u64,
) -> (RawDevice, String, Value, u64) {
    let parent = platform.enrol_persona("resident").await;
    let now = advance(platform, 0).await;
    let (birth, birthday) = born_to_turn(18, now, days);
    let (ward, id_number) = platform
        .add_person("王小军", &birth, "051", &[&person_id(&parent)])
        .await;
    let card = admin(
        platform,
        Method::POST,
        &format!("/admin/people/{ward}/cards"),
        Some(json!({ "bank": "icbc" })),
    )
    .await;
    ok(&card, 201);
    let card_id = card.body["card_id"].as_str().unwrap().to_owned();
    let mandate = parent
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "guardian",
                "principal": { "id_type": "resident_id", "id_number": id_number, "name": "王小军" },
                "evidence": { "kind": "household_register", "number": "360102099001" },
                "scopes": ["show_code", "track"],
            }),
            "accept_mandate",
        )
        .await;
    ok(&mandate, 201);
    assert_eq!(mandate.body["status"], "active");
    (parent, card_id, mandate.body, birthday)
}

/// The attack: a guardian's credential issued ten minutes before the
/// ward's 18th birthday verified as the ward's for 23.8 hours after it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifetime_a_guardians_code_stops_at_the_wards_18th_birthday() {
    let platform = TestPlatform::start();
    let (parent, card_id, mandate, birthday) = guardian_of_a_ward_turning_18(&platform, 2).await;
    assert_eq!(mandate["expires_at"], birthday, "guardianship ends at 18");

    // Ten minutes before the birthday: codes that end on it.
    advance_to(&platform, birthday - 600).await;
    let set = credentials(&parent, Some(&card_id)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "guardian");
    assert_eq!(ends(&set.body), [birthday; 3]);
    let refresh_after = set.body["refresh_after"].as_u64().unwrap();
    assert!(refresh_after <= birthday, "refresh at the latest on expiry");

    // One second before the birthday the ward's code passes a gate; one
    // second after it is refused, offline, however fresh the code (made
    // the second before). A gate tolerating 30 s of clock skew refuses it
    // from 30 s after.
    let mut gate = exact_terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&parent, &set.body, Purpose::Transport, birthday - 1, 1);
    assert!(gate.verify(&code, birthday - 1).is_ok());
    let code = code_from(&parent, &set.body, Purpose::Transport, birthday - 1, 2);
    assert_eq!(
        gate.verify(&code, birthday + 1).unwrap_err(),
        VerifyError::CredentialExpired
    );
    let (mut usual, _) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&parent, &set.body, Purpose::Transport, birthday - 1, 3);
    assert_eq!(
        usual.verify(&code, birthday + 30).unwrap_err(),
        VerifyError::CredentialExpired
    );
}

/// A ward who turns 18 while the guardian's phone refreshes its codes: a
/// refresh just before the birthday still ends on it, one just after gets
/// nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifetime_a_refresh_across_the_wards_18th_birthday() {
    let platform = TestPlatform::start();
    let (parent, card_id, _, birthday) = guardian_of_a_ward_turning_18(&platform, 2).await;

    // Twenty hours before: the regional 24 hours would run past the birthday.
    advance_to(&platform, birthday - 20 * 3_600).await;
    let first = credentials(&parent, Some(&card_id)).await;
    ok(&first, 201);
    assert_eq!(ends(&first.body), [birthday; 3]);
    let refresh_after = first.body["refresh_after"].as_u64().unwrap();
    assert!(refresh_after < birthday);

    // The phone refreshes seconds before the birthday.
    let now = advance_to(&platform, birthday - 5).await;
    let again = credentials(&parent, Some(&card_id)).await;
    ok(&again, 201);
    assert_eq!(ends(&again.body), [birthday; 3]);
    let refresh_after = again.body["refresh_after"].as_u64().unwrap();
    assert!(
        (now..=birthday).contains(&refresh_after),
        "a shortened set is fetched again when it expires, not at once: {refresh_after}"
    );

    // One second past the birthday the mandate has ended: nothing more.
    advance_to(&platform, birthday + 1).await;
    problem(
        &credentials(&parent, Some(&card_id)).await,
        403,
        "no_mandate",
    );
}

/// A region lowering its age of majority: a guardianship still recorded
/// as active gives no credentials past the ward's coming of age.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifetime_a_ward_of_age_by_the_rules_gets_no_guardian_codes() {
    let platform = TestPlatform::start();
    // Turns 18 in 100 days; turned 17 long ago.
    let (parent, card_id, _, birthday) = guardian_of_a_ward_turning_18(&platform, 100).await;
    ok(&credentials(&parent, Some(&card_id)).await, 201);
    change_rules(&platform, "360000", |rules| rules["adult_age"] = json!(17)).await;
    problem(
        &credentials(&parent, Some(&card_id)).await,
        403,
        "authority_ended",
    );
    // Back at 18, with the birthday far off: the full regional lifetime.
    change_rules(&platform, "360000", |rules| rules["adult_age"] = json!(18)).await;
    let now = advance(&platform, 0).await;
    assert!(birthday > now + 99 * DAY);
    let set = credentials(&parent, Some(&card_id)).await;
    ok(&set, 201);
    assert!(
        ends(&set.body)
            .iter()
            .all(|end| *end >= now + 24 * 3_600 - 600)
    );
}

/// The mandate's end bounds a family proxy's credentials the same way: one
/// second before it the code passes, one second after it does not, and
/// the platform issues nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifetime_a_proxys_code_stops_when_the_mandate_ends() {
    let platform = TestPlatform::start();
    let helper = platform.enrol_persona("resident").await;
    let elder = platform.persona("elder").await;
    let elder_device = platform.enrol_persona("elder").await;
    let elder_card = my_cards(&elder_device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = advance(&platform, 0).await;
    let ends_at = now + 2 * 3_600;
    let pending = helper
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "family_proxy", "relationship": "child",
                "principal": { "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"] },
                "scopes": ["show_code"], "expires_at": ends_at,
            }),
            "accept_mandate",
        )
        .await;
    ok(&pending, 201);
    assert_eq!(pending.body["expires_at"], ends_at);
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

    // Two hours of mandate left: two hours of credential, not 24.
    let set = credentials(&helper, Some(&elder_card)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "proxy");
    assert_eq!(ends(&set.body), [ends_at; 3]);
    assert!(set.body["refresh_after"].as_u64().unwrap() <= ends_at);
    let mut medical = exact_terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&helper, &set.body, Purpose::Medical, ends_at - 1, 1);
    assert!(medical.verify(&code, ends_at - 1).is_ok());
    let code = code_from(&helper, &set.body, Purpose::Medical, ends_at - 1, 2);
    assert_eq!(
        medical.verify(&code, ends_at + 1).unwrap_err(),
        VerifyError::CredentialExpired
    );

    // Refreshed seconds before the end: still ends on it; after: nothing.
    advance_to(&platform, ends_at - 5).await;
    let again = credentials(&helper, Some(&elder_card)).await;
    ok(&again, 201);
    assert_eq!(ends(&again.body), [ends_at; 3]);
    advance_to(&platform, ends_at + 1).await;
    problem(
        &credentials(&helper, Some(&elder_card)).await,
        403,
        "no_mandate",
    );
    // The holder's own codes keep the regional lifetime.
    let own = credentials(&elder_device, None).await;
    ok(&own, 201);
    assert!(
        ends(&own.body)
            .iter()
            .all(|end| *end >= ends_at + 24 * 3_600 - 600)
    );
}

/// The card's validity bounds every credential, the holder's too: issued
/// on the card's last valid day, the code passes until midnight China time
/// and not after; once the card has expired nothing is issued
/// (`card_expired`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifetime_no_code_outlives_the_cards_validity() {
    let platform = TestPlatform::start();
    let elder_device = platform.enrol_persona("elder").await;
    let card_id = my_cards(&elder_device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = advance(&platform, 0).await;
    // The card's last valid day is today (China calendar).
    let today = ecard_documents::Date::in_china_at(now).unwrap();
    let card_ends_at = u64::try_from(
        ecard_documents::Date::from_unix_days(today.to_unix_days() + 1)
            .unwrap()
            .china_midnight_unix_seconds(),
    )
    .unwrap();
    let recorded = admin(
        &platform,
        Method::POST,
        &format!("/admin/cards/{card_id}/validity"),
        Some(json!({ "valid_through": today.to_string() })),
    )
    .await;
    ok(&recorded, 200);
    assert_eq!(recorded.body["valid_through"], today.to_string());
    // The field is required (a forgotten one never clears a date) and must
    // be a calendar date or null.
    for body in [
        json!({}),
        json!({ "valid_through": "2026-13-01" }),
        json!({ "valid_through": 20_260_101 }),
    ] {
        let refused = admin(
            &platform,
            Method::POST,
            &format!("/admin/cards/{card_id}/validity"),
            Some(body),
        )
        .await;
        problem(&refused, 422, "invalid_field");
    }
    problem(
        &admin(
            &platform,
            Method::POST,
            "/admin/cards/no-such-card/validity",
            Some(json!({ "valid_through": today.to_string() })),
        )
        .await,
        404,
        "not_found",
    );

    let set = credentials(&elder_device, None).await;
    ok(&set, 201);
    assert!(card_ends_at - now <= DAY);
    assert_eq!(ends(&set.body), [card_ends_at; 3]);
    let mut gate = exact_terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(
        &elder_device,
        &set.body,
        Purpose::Transport,
        card_ends_at - 1,
        1,
    );
    assert!(gate.verify(&code, card_ends_at - 1).is_ok());
    let code = code_from(
        &elder_device,
        &set.body,
        Purpose::Transport,
        card_ends_at - 1,
        2,
    );
    assert_eq!(
        gate.verify(&code, card_ends_at + 1).unwrap_err(),
        VerifyError::CredentialExpired
    );

    // After the last day: nothing is issued, with its own reason.
    advance_to(&platform, card_ends_at).await;
    let refused = credentials(&elder_device, None).await;
    problem(&refused, 409, "card_expired");

    // A renewed validity (the card management system extends it) lets
    // codes be issued again, for the full regional lifetime.
    let later = ecard_documents::Date::from_unix_days(today.to_unix_days() + 3650).unwrap();
    ok(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/cards/{card_id}/validity"),
            Some(json!({ "valid_through": later.to_string() })),
        )
        .await,
        200,
    );
    let renewed = credentials(&elder_device, None).await;
    ok(&renewed, 201);
    assert!(
        ends(&renewed.body)
            .iter()
            .all(|end| *end >= card_ends_at + 23 * 3_600)
    );
}
