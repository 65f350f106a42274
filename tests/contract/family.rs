//! People acting for others: guardians of minors and newborns, family proxies with consent, and views cut to the mandate's scopes.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guardians_of_a_minor_and_a_newborn() {
    let platform = TestPlatform::start();
    let parent = platform.enrol_persona("resident").await;
    let minor = platform.persona("minor").await;
    let newborn = platform.persona("newborn").await;
    let identity = |persona: &Value| {
        json!({
            "id_type": "resident_id",
            "id_number": persona["id_number"],
            "name": persona["name"],
        })
    };
    let all_scopes = json!([
        "apply",
        "replace",
        "report_loss",
        "activate",
        "show_code",
        "track"
    ]);
    let before = snapshot(&parent).await;

    // Refusals: no evidence, wrong evidence, a wrong kind, no scopes.
    let request = |evidence: Value| {
        json!({
            "kind": "guardian", "principal": identity(&minor),
            "evidence": evidence, "scopes": all_scopes,
        })
    };
    let answer = parent
        .post_with_pin("/v1/delegations", request(Value::Null), "accept_mandate")
        .await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "evidence");
    let answer = parent
        .post_with_pin(
            "/v1/delegations",
            request(json!({ "kind": "household_register", "number": "1" })),
            "accept_mandate",
        )
        .await;
    problem(&answer, 422, "identity_not_verified");
    let answer = parent
        .post_with_pin(
            "/v1/delegations",
            request(json!({ "kind": "passport", "number": "1" })),
            "accept_mandate",
        )
        .await;
    problem(&answer, 422, "invalid_field");
    let mut empty =
        request(json!({ "kind": "household_register", "number": minor["household_register"] }));
    empty["scopes"] = json!([]);
    problem(
        &parent
            .post_with_pin("/v1/delegations", empty, "accept_mandate")
            .await,
        422,
        "invalid_field",
    );
    let mut wrong_name =
        request(json!({ "kind": "household_register", "number": minor["household_register"] }));
    wrong_name["principal"]["name"] = json!("张小花");
    problem(
        &parent
            .post_with_pin("/v1/delegations", wrong_name, "accept_mandate")
            .await,
        422,
        "identity_not_verified",
    );
    // A family proxy is not how a minor is represented.
    let proxy = json!({ "kind": "family_proxy", "relationship": "child", "principal": identity(&minor), "scopes": ["track"] });
    problem(
        &parent
            .post_with_pin("/v1/delegations", proxy, "accept_mandate")
            .await,
        409,
        "not_allowed_by_rules",
    );
    // Not for oneself.
    let me = platform.persona("resident").await;
    let self_mandate = json!({ "kind": "family_proxy", "relationship": "child", "principal": identity(&me), "scopes": ["track"] });
    problem(
        &parent
            .post_with_pin("/v1/delegations", self_mandate, "accept_mandate")
            .await,
        422,
        "invalid_field",
    );
    // Someone the register does not name as guardian, with the right evidence.
    let stranger = platform.enrol_persona("elder").await;
    let answer = stranger
        .post_with_pin(
            "/v1/delegations",
            request(json!({ "kind": "household_register", "number": minor["household_register"] })),
            "accept_mandate",
        )
        .await;
    problem(&answer, 422, "identity_not_verified");
    assert_eq!(snapshot(&parent).await, before);

    // The guardian of the minor, by household register: active at once,
    // ending at the 18th birthday.
    let mandate = parent
        .post_with_pin(
            "/v1/delegations",
            request(json!({ "kind": "household_register", "number": minor["household_register"] })),
            "accept_mandate",
        )
        .await;
    ok(&mandate, 201);
    assert_eq!(mandate.body["kind"], "guardian");
    assert_eq!(mandate.body["status"], "active");
    assert_eq!(
        mandate.body["agent_account_id"],
        account_id(&parent).as_str()
    );
    assert_eq!(mandate.body["principal_person_id"], minor["person_id"]);
    assert_eq!(mandate.body["principal_name_masked"], "张**");
    assert_eq!(
        mandate.body["scopes"],
        json!([
            "activate",
            "apply",
            "replace",
            "report_loss",
            "show_code",
            "track"
        ])
    );
    let expires_at = mandate.body["expires_at"].as_u64().unwrap();
    assert_eq!(
        ecard_documents::Date::in_china_at(expires_at),
        ecard_documents::Date::new(2033, 9, 1)
    );
    let minor_mandate = mandate.body["delegation_id"].as_str().unwrap().to_owned();
    problem(
        &parent
            .post_with_pin(
                "/v1/delegations",
                request(
                    json!({ "kind": "household_register", "number": minor["household_register"] }),
                ),
                "accept_mandate",
            )
            .await,
        409,
        "invalid_state",
    );

    // The newborn (新生儿): birth certificate evidence, then one application by mail.
    let newborn_mandate = parent
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "guardian", "principal": identity(&newborn),
                "evidence": { "kind": "birth_certificate", "number": newborn["birth_certificate"] },
                "scopes": ["apply", "track", "show_code", "activate"],
            }),
            "accept_mandate",
        )
        .await;
    ok(&newborn_mandate, 201);
    let newborn_mandate_id = newborn_mandate.body["delegation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = parent.get("/v1/me").await;
    let principals = me.body["principals"].as_array().unwrap();
    assert_eq!(principals.len(), 2);

    // The minor cannot apply for themself; the guardian can. (A phone of
    // the minor's own is recorded at a counter first, so the minor can
    // enrol at all.)
    platform
        .admin(
            Method::POST,
            &format!(
                "/admin/people/{}/phone",
                minor["person_id"].as_str().unwrap()
            ),
            Some(json!({ "phone": "13600136000" })),
        )
        .await;
    let mut minor_device = RawDevice::new(&platform.url());
    ok(
        &minor_device
            .enrol(
                minor["id_number"].as_str().unwrap(),
                minor["name"].as_str().unwrap(),
            )
            .await,
        201,
    );
    let minor_id = minor["person_id"].as_str().unwrap();
    problem(
        &minor_device
            .post("/v1/applications", new_card(minor_id, pickup()))
            .await,
        403,
        "guardian_required",
    );
    let newborn_id = newborn["person_id"].as_str().unwrap();
    let produced = produced_card(&platform, &parent, newborn_id, mail()).await;
    assert_eq!(produced["mandate_id"], newborn_mandate_id.as_str());
    assert_eq!(produced["person_id"], newborn_id);
    assert_eq!(produced["state"], "dispatched");
    advance(&platform, 3 * DAY).await;
    let produced = application(&parent, produced["application_id"].as_str().unwrap()).await;
    let card_id = receive_and_activate(&parent, &produced).await;
    // The guardian's device gets codes for the newborn's card, as guardian.
    let set = credentials(&parent, Some(&card_id)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "guardian");
    assert_eq!(set.body["person_id"], newborn_id);
    let (mut verifier, now) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&parent, &set.body, Purpose::Transport, now, 1);
    let verified = verifier.verify(&code, now).unwrap();
    assert_eq!(verified.on_behalf, ecard_credential::HolderRole::Guardian);
    assert_eq!(
        verified.disclosure,
        ecard_credential::Disclosure::Transport {
            concession: ecard_credential::ConcessionClass::Child
        }
    );
    // The newborn mandate has no replace scope.
    problem(
        &parent
            .post(
                "/v1/replacements",
                json!({ "card_id": card_id, "kind": "plain", "delivery": pickup() }),
            )
            .await,
        403,
        "no_mandate",
    );
    // The guardian sees the child's application; a stranger does not.
    let application_id = produced["application_id"].as_str().unwrap();
    problem(
        &stranger
            .get(&format!("/v1/applications/{application_id}"))
            .await,
        404,
        "not_found",
    );

    // The minor's card, applied for by the guardian.
    let minor_app = parent
        .post("/v1/applications", new_card(minor_id, pickup()))
        .await;
    ok(&minor_app, 201);
    assert_eq!(minor_app.body["mandate_id"], minor_mandate.as_str());
    // The minor's own device sees it (it is theirs).
    let seen = minor_device
        .get(&format!(
            "/v1/applications/{}",
            minor_app.body["application_id"].as_str().unwrap()
        ))
        .await;
    ok(&seen, 200);

    // Revoking the newborn mandate stops the guardian's codes.
    let revoked = parent
        .post(
            &format!("/v1/delegations/{newborn_mandate_id}/revoke"),
            json!({}),
        )
        .await;
    ok(&revoked, 200);
    assert_eq!(revoked.body["status"], "revoked");
    assert!(revoked.body["revoked_at"].is_u64());
    let (bytes, now) = status_list(&platform).await;
    verifier.install_status_list(&bytes, now).unwrap();
    let code = code_from(&parent, &set.body, Purpose::Transport, now, 2);
    assert_eq!(
        verifier.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );
    let before = snapshot(&parent).await;
    problem(
        &credentials(&parent, Some(&card_id)).await,
        403,
        "no_mandate",
    );
    problem(
        &parent
            .post(
                &format!("/v1/delegations/{newborn_mandate_id}/revoke"),
                json!({}),
            )
            .await,
        409,
        "invalid_state",
    );
    // Having submitted the newborn's application no longer lets the former
    // guardian see it; the minor's (mandate in force) stays visible.
    problem(
        &parent
            .get(&format!("/v1/applications/{application_id}"))
            .await,
        404,
        "not_found",
    );
    let listed: Vec<Value> = parent
        .get("/v1/applications")
        .await
        .body
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["person_id"], minor_id);
    assert_eq!(snapshot(&parent).await, before);

    // Audit entries name the mandate used.
    let audit = parent.get("/v1/audit").await;
    let under_mandate: Vec<&Value> = audit
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["principal_person_id"] == newborn_id)
        .collect();
    let names: Vec<&str> = under_mandate
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "mandate.revoke",
            "credential.issue",
            "card.activate",
            "application.pay",
            "application.submit",
            "mandate.request.guardian",
        ]
    );
    for entry in under_mandate {
        assert_eq!(entry["mandate_id"], newborn_mandate_id.as_str());
        assert_eq!(entry["actor_account_id"], account_id(&parent).as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn family_proxy_with_consent() {
    let platform = TestPlatform::start();
    let helper = platform.enrol_persona("resident").await;
    let elder = platform.persona("elder").await;
    let principal = json!({
        "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"],
    });
    let request = json!({
        "kind": "family_proxy", "relationship": "child", "principal": principal,
        "scopes": ["show_code", "track", "report_loss"],
    });
    let pending = helper
        .post_with_pin("/v1/delegations", request.clone(), "accept_mandate")
        .await;
    ok(&pending, 201);
    assert_eq!(pending.body["status"], "pending_consent");
    assert!(pending.body["consented_at"].is_null());
    let mandate_id = pending.body["delegation_id"].as_str().unwrap().to_owned();
    let expires_at = pending.body["expires_at"].as_u64().unwrap();
    let created_at = pending.body["created_at"].as_u64().unwrap();
    assert_eq!(expires_at - created_at, 3 * 365 * DAY);

    // Pending: nothing is allowed yet.
    let elder_device = platform.enrol_persona("elder").await;
    let elder_card = my_cards(&elder_device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = snapshot(&helper).await;
    problem(
        &credentials(&helper, Some(&elder_card)).await,
        403,
        "no_mandate",
    );
    // Only the relative can consent: not the helper, not a third person.
    problem(
        &helper
            .post_with_pin(
                &format!("/v1/delegations/{mandate_id}/consent"),
                json!({}),
                "consent_mandate",
            )
            .await,
        403,
        "forbidden",
    );
    let (_, third_number) = platform.add_person("李四", "19900101", "123", &[]).await;
    let mut third = RawDevice::new(&platform.url());
    ok(&third.enrol(&third_number, "李四").await, 201);
    problem(
        &third
            .post_with_pin(
                &format!("/v1/delegations/{mandate_id}/consent"),
                json!({}),
                "consent_mandate",
            )
            .await,
        403,
        "forbidden",
    );
    problem(
        &third
            .post(&format!("/v1/delegations/{mandate_id}/revoke"), json!({}))
            .await,
        404,
        "not_found",
    );
    assert_eq!(snapshot(&helper).await, before);
    // The relative sees the request in their own list.
    let theirs = elder_device.get("/v1/delegations").await;
    assert_eq!(theirs.body[0]["delegation_id"], mandate_id.as_str());

    // Consent from the relative's own enrolled device.
    let consented = elder_device
        .post_with_pin(
            &format!("/v1/delegations/{mandate_id}/consent"),
            json!({}),
            "consent_mandate",
        )
        .await;
    ok(&consented, 200);
    assert_eq!(consented.body["status"], "active");
    assert!(consented.body["consented_at"].is_u64());
    problem(
        &elder_device
            .post_with_pin(
                &format!("/v1/delegations/{mandate_id}/consent"),
                json!({}),
                "consent_mandate",
            )
            .await,
        409,
        "invalid_state",
    );
    let me = helper.get("/v1/me").await;
    assert_eq!(me.body["principals"][0]["person_id"], elder["person_id"]);
    assert_eq!(
        me.body["principals"][0]["cards"][0]["card_id"],
        elder_card.as_str()
    );

    // Codes as proxy: medical yes, transport no (the terminal's policy).
    let set = credentials(&helper, Some(&elder_card)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "proxy");
    let (mut medical, now) = terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&helper, &set.body, Purpose::Medical, now, 1);
    assert_eq!(
        medical.verify(&code, now).unwrap().on_behalf,
        ecard_credential::HolderRole::Proxy
    );
    let (mut gate, _) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&helper, &set.body, Purpose::Transport, now, 2);
    assert!(gate.verify(&code, now).is_err());
    // The proxy may not apply for a replacement (no replace scope).
    problem(
        &helper
            .post(
                "/v1/replacements",
                json!({ "card_id": elder_card, "kind": "plain", "delivery": pickup() }),
            )
            .await,
        403,
        "no_mandate",
    );
    // But may report the card lost, which the relative sees in their audit trail.
    ok(
        &helper
            .post(
                &format!("/v1/cards/{elder_card}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
    let trail = elder_device.get("/v1/audit").await;
    assert_eq!(trail.body[0]["action"], "card.loss_report.temporary");
    assert_eq!(
        trail.body[0]["actor_account_id"],
        account_id(&helper).as_str()
    );
    assert_eq!(trail.body[0]["mandate_id"], mandate_id.as_str());
    ok(
        &elder_device
            .post_with_pin(
                &format!("/v1/cards/{elder_card}/loss-reports/release"),
                json!({}),
                "release_loss",
            )
            .await,
        200,
    );

    // The relative revokes: the proxy's codes stop, the holder's do not.
    let holder_set = credentials(&elder_device, None).await;
    ok(&holder_set, 201);
    let revoked = elder_device
        .post(&format!("/v1/delegations/{mandate_id}/revoke"), json!({}))
        .await;
    ok(&revoked, 200);
    assert_eq!(revoked.body["status"], "revoked");
    let (mut medical, now) = terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&helper, &set.body, Purpose::Medical, now, 3);
    assert_eq!(
        medical.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );
    let code = code_from(&elder_device, &holder_set.body, Purpose::Medical, now, 1);
    medical.verify(&code, now).unwrap();
    problem(
        &credentials(&helper, Some(&elder_card)).await,
        403,
        "no_mandate",
    );
    // A loss report and its release on the card must not revive the
    // revoked proxy's credential.
    ok(
        &elder_device
            .post(
                &format!("/v1/cards/{elder_card}/loss-reports"),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
    ok(
        &elder_device
            .post_with_pin(
                &format!("/v1/cards/{elder_card}/loss-reports/release"),
                json!({}),
                "release_loss",
            )
            .await,
        200,
    );
    let (mut medical, now) = terminal(&platform, &[Purpose::Medical]).await;
    let code = code_from(&helper, &set.body, Purpose::Medical, now, 4);
    assert_eq!(
        medical.verify(&code, now).unwrap_err(),
        VerifyError::Revoked
    );
    let code = code_from(&elder_device, &holder_set.body, Purpose::Medical, now, 2);
    medical.verify(&code, now).unwrap();

    // Consent at a counter, for a new request.
    let again = helper
        .post_with_pin("/v1/delegations", request.clone(), "accept_mandate")
        .await;
    ok(&again, 201);
    let second_id = again.body["delegation_id"].as_str().unwrap().to_owned();
    let counter = admin(
        &platform,
        Method::POST,
        &format!("/admin/delegations/{second_id}/consent"),
        None,
    )
    .await;
    ok(&counter, 200);
    assert_eq!(counter.body["status"], "active");
    problem(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/delegations/{second_id}/consent"),
            None,
        )
        .await,
        409,
        "invalid_state",
    );
    let set = credentials(&helper, Some(&elder_card)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "proxy");
    // The helper revokes from their side.
    ok(
        &helper
            .post(&format!("/v1/delegations/{second_id}/revoke"), json!({}))
            .await,
        200,
    );
    let trail = elder_device.get("/v1/audit").await;
    let consent = trail
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| {
            entry["action"] == "mandate.consent.counter" && entry["object_id"] == second_id.as_str()
        })
        .unwrap();
    assert_eq!(consent["actor_account_id"], "counter");

    // The relative quota of the region (亲情服务): lowered to one here.
    change_rules(&platform, "360000", |rules| {
        rules["relative_quota"] = json!(1)
    })
    .await;
    let (_, fourth_number) = platform.add_person("王芳", "19500101", "321", &[]).await;
    let fourth = json!({
        "kind": "family_proxy", "relationship": "child",
        "principal": { "id_type": "resident_id", "id_number": fourth_number, "name": "王芳" },
        "scopes": ["track"],
        "expires_at": now + 30 * DAY,
    });
    let first = helper
        .post_with_pin("/v1/delegations", fourth, "accept_mandate")
        .await;
    ok(&first, 201);
    assert_eq!(first.body["expires_at"], now + 30 * DAY);
    let before = snapshot(&helper).await;
    let over = helper
        .post_with_pin("/v1/delegations", request.clone(), "accept_mandate")
        .await;
    problem(&over, 409, "quota_exceeded");
    let third_proxy = json!({
        "kind": "family_proxy", "relationship": "child",
        "principal": { "id_type": "resident_id", "id_number": third_number, "name": "李四" },
        "scopes": ["track"], "expires_at": 1,
    });
    problem(
        &helper
            .post_with_pin("/v1/delegations", third_proxy, "accept_mandate")
            .await,
        409,
        "quota_exceeded",
    );
    assert_eq!(snapshot(&helper).await, before);
    // A mandate past its end is expired, and frees the quota.
    advance(&platform, 31 * DAY).await;
    let list = helper.get("/v1/delegations").await;
    let ended = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|mandate| mandate["delegation_id"] == first.body["delegation_id"])
        .unwrap();
    assert_eq!(ended["status"], "expired");
    let past = json!({
        "kind": "family_proxy", "relationship": "child", "principal": principal, "scopes": ["track"], "expires_at": 1,
    });
    let answer = helper
        .post_with_pin("/v1/delegations", past, "accept_mandate")
        .await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "expires_at");
    ok(
        &helper
            .post_with_pin("/v1/delegations", request, "accept_mandate")
            .await,
        201,
    );
}

// ---------------------------------------------------------------------------
// Scoped views: what a proxy sees of the person they act for

/// A relative whose own card is received but not yet activated, and a
/// helper holding a family-proxy mandate with some scopes for them
/// (consented at a counter).
struct Proxied {
    platform: TestPlatform,
    relative: RawDevice,
    relative_id: String,
    card_id: String,
    helper: RawDevice,
}

async fn proxied(scopes: &[&str]) -> Proxied {
    let platform = TestPlatform::start();
    let (relative_id, id_number) = platform.add_person("孙桂英", "19480315", "047", &[]).await;
    let mut relative = RawDevice::new(&platform.url());
    ok(&relative.enrol(&id_number, "孙桂英").await, 201);
    let produced = produced_card(&platform, &relative, &relative_id, pickup()).await;
    assert_eq!(produced["state"], "at_outlet");
    let id = produced["application_id"].as_str().unwrap();
    ok(
        &relative
            .post(&format!("/v1/applications/{id}/receipt"), json!({}))
            .await,
        200,
    );
    let helper = platform.enrol_persona("resident").await;
    let mandate = helper
        .post_with_pin(
            "/v1/delegations",
            json!({
                "kind": "family_proxy", "relationship": "child",
                "principal": { "id_type": "resident_id", "id_number": id_number, "name": "孙桂英" },
                "scopes": scopes,
            }),
            "accept_mandate",
        )
        .await;
    ok(&mandate, 201);
    let mandate_id = mandate.body["delegation_id"].as_str().unwrap();
    ok(
        &admin(
            &platform,
            Method::POST,
            &format!("/admin/delegations/{mandate_id}/consent"),
            None,
        )
        .await,
        200,
    );
    Proxied {
        platform,
        relative,
        relative_id,
        card_id: produced["card_id"].as_str().unwrap().to_owned(),
        helper,
    }
}

fn has_scope(scopes: &[&str], wanted: &[&str]) -> bool {
    scopes.iter().any(|scope| wanted.contains(scope))
}

/// Checks a card as a helper with `scopes` sees it against the holder's
/// own view: the disclosed fields equal, the rest absent (the loss report
/// null), whatever the card's state.
#[track_caller]
fn assert_card_disclosed(seen: &Value, holder: &Value, scopes: &[&str]) {
    let mut expected = vec![
        "card_id",
        "person_id",
        "card_number_masked",
        "status",
        "e_card",
        "social_function_enabled",
        "loss_report",
    ];
    if has_scope(scopes, &["replace", "track"]) {
        expected.extend(["bank", "region", "issued_at"]);
    }
    let expected: std::collections::BTreeSet<String> =
        expected.into_iter().map(str::to_owned).collect();
    assert_eq!(keys(seen), expected, "{scopes:?}: {seen}");
    for key in &expected {
        if key == "loss_report" && !has_scope(scopes, &["report_loss", "track"]) {
            assert!(seen[key].is_null(), "{scopes:?}: {seen}");
        } else {
            assert_eq!(seen[key], holder[key], "{scopes:?}: {key}");
        }
    }
}

/// Checks everything the helper can read about the relative — the profile,
/// applications and the audit trail — against what `scopes` disclose.
async fn assert_scoped_view(proxied: &Proxied, scopes: &[&str]) {
    let holder = proxied.relative.get("/v1/me").await;
    ok(&holder, 200);
    let holder = &holder.body["person"];
    let me = proxied.helper.get("/v1/me").await;
    ok(&me, 200);
    let principals = me.body["principals"].as_array().unwrap();
    assert_eq!(principals.len(), 1);
    let seen = &principals[0];
    let mut expected = vec!["person_id", "name_masked", "cards"];
    if has_scope(scopes, &["apply"]) {
        expected.extend(["id_number_masked", "birth_date"]);
        assert_eq!(seen["birth_date"], "1948-03-15");
    }
    let expected: std::collections::BTreeSet<String> =
        expected.into_iter().map(str::to_owned).collect();
    assert_eq!(keys(seen), expected, "{scopes:?}: {seen}");
    for key in expected.iter().filter(|key| *key != "cards") {
        assert_eq!(seen[key], holder[key], "{key}");
    }
    let cards = seen["cards"].as_array().unwrap();
    assert_eq!(cards.len(), holder["cards"].as_array().unwrap().len());
    for card in cards {
        let own = holder["cards"]
            .as_array()
            .unwrap()
            .iter()
            .find(|own| own["card_id"] == card["card_id"])
            .unwrap();
        assert_card_disclosed(card, own, scopes);
    }

    // Applications: only those the scopes see (`track`, or the scope that
    // acts on that kind), each by id too.
    let theirs = proxied.relative.get("/v1/applications").await;
    let listed = proxied.helper.get("/v1/applications").await;
    ok(&listed, 200);
    let listed: Vec<&Value> = listed.body.as_array().unwrap().iter().collect();
    let mut visible = Vec::new();
    for application in theirs.body.as_array().unwrap() {
        let acting = if application["kind"] == "new_card" {
            "apply"
        } else {
            "replace"
        };
        let id = application["application_id"].as_str().unwrap();
        let answer = proxied.helper.get(&format!("/v1/applications/{id}")).await;
        if has_scope(scopes, &["track", acting]) {
            ok(&answer, 200);
            visible.push(id.to_owned());
        } else {
            problem(&answer, 404, "not_found");
        }
    }
    let listed_ids: Vec<String> = listed
        .iter()
        .map(|application| application["application_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed_ids, visible, "{scopes:?}");

    // The audit trail: what the helper did, never what others did for the
    // relative.
    let trail = proxied.helper.get("/v1/audit").await;
    ok(&trail, 200);
    for entry in trail.body.as_array().unwrap() {
        assert_eq!(
            entry["actor_account_id"],
            account_id(&proxied.helper).as_str(),
            "{entry}"
        );
    }
}

/// The relative reports their own card lost (临时挂失), so the loss report
/// is there to be withheld or shown.
async fn relative_reports_loss(proxied: &Proxied) {
    ok(
        &proxied
            .relative
            .post(
                &format!("/v1/cards/{}/loss-reports", proxied.card_id),
                json!({ "kind": "temporary" }),
            )
            .await,
        201,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_activate() {
    let scopes = ["activate"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    // Activating answers with the card as the scope shows it.
    let activated = proxied
        .helper
        .post(
            &format!("/v1/cards/{}/activation", proxied.card_id),
            json!({}),
        )
        .await;
    ok(&activated, 200);
    assert_eq!(activated.body["social_function_enabled"], true);
    let own = my_cards(&proxied.relative).await[0].clone();
    assert_card_disclosed(&activated.body, &own, &scopes);
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
    // Nothing beyond the scope: no codes, no loss report.
    problem(
        &credentials(&proxied.helper, Some(&proxied.card_id)).await,
        403,
        "no_mandate",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_apply() {
    let scopes = ["apply"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
    // A first card only: the relative has one.
    problem(
        &proxied
            .helper
            .post("/v1/applications", new_card(&proxied.relative_id, pickup()))
            .await,
        409,
        "invalid_state",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_replace() {
    let scopes = ["replace"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
    // The replacement the scope allows; its application is then seen.
    let submitted = proxied
        .helper
        .post(
            "/v1/replacements",
            json!({ "card_id": proxied.card_id, "kind": "plain", "delivery": pickup() }),
        )
        .await;
    ok(&submitted, 201);
    advance(&proxied.platform, 2 * 3_600).await;
    assert_scoped_view(&proxied, &scopes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_report_loss() {
    let scopes = ["report_loss"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    // Reporting answers with the card and its loss report, nothing more.
    let reported = proxied
        .helper
        .post(
            &format!("/v1/cards/{}/loss-reports", proxied.card_id),
            json!({ "kind": "temporary" }),
        )
        .await;
    ok(&reported, 201);
    assert_eq!(reported.body["loss_report"]["kind"], "temporary");
    let own = my_cards(&proxied.relative).await[0].clone();
    assert_card_disclosed(&reported.body, &own, &scopes);
    assert_scoped_view(&proxied, &scopes).await;
    let released = proxied
        .helper
        .post_with_pin(
            &format!("/v1/cards/{}/loss-reports/release", proxied.card_id),
            json!({}),
            "release_loss",
        )
        .await;
    ok(&released, 200);
    let own = my_cards(&proxied.relative).await[0].clone();
    assert_card_disclosed(&released.body, &own, &scopes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_show_code() {
    let scopes = ["show_code"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    let set = credentials(&proxied.helper, Some(&proxied.card_id)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "proxy");
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_only_track() {
    let scopes = ["track"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_view_with_several_scopes_is_their_union() {
    let scopes = ["activate", "report_loss", "show_code"];
    let proxied = proxied(&scopes).await;
    assert_scoped_view(&proxied, &scopes).await;
    relative_reports_loss(&proxied).await;
    assert_scoped_view(&proxied, &scopes).await;
    // The holder and a guardian with every scope see everything: the
    // relative's own view has every field.
    let own = proxied.relative.get("/v1/me").await;
    assert!(own.body["person"]["birth_date"].is_string());
    assert!(own.body["person"]["cards"][0]["bank"].is_string());
    assert!(own.body["person"]["cards"][0]["loss_report"].is_object());
}

// ---------------------------------------------------------------------------
// Admin
