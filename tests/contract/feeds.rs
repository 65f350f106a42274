//! The public feeds: time, trust and status lists, catalogue, outlets and rules, with their ETags.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_trust_and_status_feeds() {
    let platform = TestPlatform::start();
    let time = get(&platform, "/v1/time").await;
    ok(&time, 200);
    let now = time.body["now"].as_u64().unwrap();
    assert_eq!(time.server_time, Some(now));
    assert!(now.abs_diff(now_seconds()) < 60);

    // The trust list: a signed envelope, an ETag, a 304 when unchanged.
    let trust = get(&platform, "/v1/trust-list").await;
    ok(&trust, 200);
    assert_eq!(trust.content_type.as_deref(), Some("application/json"));
    assert_eq!(trust.body["format"], "ecard-signed-trust-list");
    let etag = trust.etag.clone().unwrap();
    // A terminal provisioned with the operator's authority keys takes it.
    let pins = authority_keys(&platform).await;
    assert_eq!(pins.len(), 1);
    let mut anchor = TrustAnchor::new(pins.clone());
    let first = SignedTrustList::from_json(&trust.body.to_string()).unwrap();
    assert_eq!(first.authority_key_id, pins[0].key_id);
    let list = anchor.install(&first, now).unwrap().clone();
    assert_eq!(list.format, "ecard-trust-list");
    assert_eq!(list.keys.len(), 1);
    assert_eq!(list.keys[0].issuer, "CN-MOHRSS");
    assert_eq!(list.authority_keys, pins);
    // The same edition is served again, byte for byte.
    let again = get(&platform, "/v1/trust-list").await;
    assert_eq!(again.body, trust.body);
    assert_eq!(again.etag.as_deref(), Some(etag.as_str()));
    // Unsigned or forged, a list is refused; a terminal pinning another
    // authority refuses the platform's list.
    assert_eq!(
        SignedTrustList::from_json(&list.to_json()).unwrap_err(),
        TrustListError::Unsigned
    );
    let mut forged = first.clone();
    forged.payload = URL_SAFE_NO_PAD.encode(list.to_json().replace("CN-MOHRSS", "CN-FORGED"));
    assert_eq!(
        forged.verify(&pins, None, now).unwrap_err().code(),
        "bad_trust_list_signature"
    );
    let stranger = ecard_credential::TrustAuthority::new(
        ecard_credential::SoftwareKey::ed25519_from_seed(&[0x66; 32]).unwrap(),
    );
    assert_eq!(
        first
            .verify(&[stranger.authority_key(0, u64::MAX)], None, now)
            .unwrap_err(),
        TrustListError::UnknownAuthority(first.authority_key_id)
    );
    let unchanged = get_if_none_match(&platform, "/v1/trust-list", &etag).await;
    assert_eq!(unchanged.status, 304);
    assert_eq!(unchanged.body, Value::Null);
    assert_eq!(unchanged.etag.as_deref(), Some(etag.as_str()));
    assert!(unchanged.server_time.is_some());
    let other = get_if_none_match(&platform, "/v1/trust-list", "\"trust-0\"").await;
    ok(&other, 200);

    // The status list verifies against the trust list.
    let status = get(&platform, "/v1/status-lists/0").await;
    ok(&status, 200);
    let status_etag = status.etag.clone().unwrap();
    let bytes = STANDARD.decode(status.body.as_str().unwrap()).unwrap();
    let mut verifier =
        Verifier::new(&list, VerifierPolicy::for_purposes(&[Purpose::Transport])).unwrap();
    verifier
        .install_status_list(&bytes, status.server_time.unwrap())
        .unwrap();
    let parsed = ecard_credential::SignedStatusList::parse(&bytes).unwrap();
    assert_eq!(parsed.key_id, list.keys[0].key_id);
    assert_eq!(parsed.list.revoked_count(), 0);
    let unchanged = get_if_none_match(&platform, "/v1/status-lists/0", &status_etag).await;
    assert_eq!(unchanged.status, 304);
    // Past half its validity the list is signed again: a new entity, so a
    // terminal polling with If-None-Match does not keep one about to go stale.
    advance(&platform, 13 * 3_600).await;
    let resigned = get_if_none_match(&platform, "/v1/status-lists/0", &status_etag).await;
    ok(&resigned, 200);
    let fresh_bytes = STANDARD.decode(resigned.body.as_str().unwrap()).unwrap();
    let fresh = ecard_credential::SignedStatusList::parse(&fresh_bytes).unwrap();
    assert!(fresh.list.valid_until > parsed.list.valid_until);
    assert_eq!(fresh.list.sequence, parsed.list.sequence);
    // A terminal that fetches full lists takes it: the same edition, signed
    // again, only moves its validity on.
    assert_eq!(
        verifier.install_status_list(&fresh_bytes, resigned.server_time.unwrap()),
        Ok(parsed.list.sequence)
    );
    let etag = get(&platform, "/v1/trust-list").await.etag.unwrap();

    // Rotation: a new key joins, the old one stays while its credentials may live.
    let elder = platform.enrol_persona("elder").await;
    let before_rotation = credentials(&elder, None).await;
    ok(&before_rotation, 201);
    let rotated = admin(
        &platform,
        Method::POST,
        "/admin/issuer/rotate",
        Some(json!({ "suite": "p256" })),
    )
    .await;
    ok(&rotated, 200);
    assert_eq!(rotated.body["key_id"], 2);
    let refused = admin(
        &platform,
        Method::POST,
        "/admin/issuer/rotate",
        Some(json!({ "suite": "sm9" })),
    )
    .await;
    // A suite the format does not define is refused (SM2 is suite 3).
    problem(&refused, 400, "malformed_request");
    let trust = get_if_none_match(&platform, "/v1/trust-list", &etag).await;
    ok(&trust, 200);
    assert_ne!(trust.etag.as_deref(), Some(etag.as_str()));
    let rotated_list = SignedTrustList::from_json(&trust.body.to_string()).unwrap();
    let list = anchor
        .install(&rotated_list, trust.server_time.unwrap())
        .unwrap()
        .clone();
    assert_eq!(list.keys.len(), 2);
    assert!(list.sequence > 1);
    // The terminal now refuses the first edition: a rollback.
    assert_eq!(
        anchor.check(&first, now).unwrap_err().code(),
        "trust_list_rollback"
    );
    let after_rotation = credentials(&elder, None).await;
    ok(&after_rotation, 201);
    let (mut verifier, now) = terminal(&platform, &[Purpose::Transport]).await;
    for (counter, set) in [&before_rotation.body, &after_rotation.body]
        .into_iter()
        .enumerate()
    {
        let code = code_from(&elder, set, Purpose::Transport, now, counter as u32 + 1);
        let verified = verifier.verify(&code, now).unwrap();
        assert_eq!(verified.issuer, "CN-MOHRSS");
    }
    // The status list is now signed by the new key.
    let (bytes, _) = status_list(&platform).await;
    let parsed = ecard_credential::SignedStatusList::parse(&bytes).unwrap();
    assert_eq!(parsed.key_id, 2);
    // After the retired key's credentials have all expired, it leaves the
    // list: a new edition, which the terminal takes.
    advance(&platform, 4 * DAY).await;
    let (signed, later) = signed_trust_list(&platform).await;
    let list = anchor.install(&signed, later).unwrap();
    assert_eq!(list.keys.len(), 1);
    assert_eq!(list.keys[0].key_id, 2);
    assert!(list.sequence > rotated_list.unverified_list().unwrap().sequence);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_outlet_sync_and_rules_feeds() {
    let platform = TestPlatform::start();

    // Items: full, then nothing new since the version, then a 304.
    let full = get(&platform, "/v1/catalogue/items").await;
    ok(&full, 200);
    assert_eq!(full.body["full"], true);
    let version = full.body["version"].as_u64().unwrap();
    let items = full.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 323);
    assert_eq!(full.body["removed"], json!([]));
    let item: ecard_api::catalogue::CatalogueItem =
        serde_json::from_value(items[0].clone()).unwrap();
    let etag = full.etag.clone().unwrap();
    let delta = get(&platform, &format!("/v1/catalogue/items?since={version}")).await;
    ok(&delta, 200);
    assert_eq!(delta.body["full"], false);
    assert_eq!(delta.body["items"], json!([]));
    assert_eq!(delta.body["version"], version);
    let unchanged = get_if_none_match(&platform, "/v1/catalogue/items", &etag).await;
    assert_eq!(unchanged.status, 304);
    problem(
        &get(&platform, "/v1/catalogue/items?since=abc").await,
        422,
        "invalid_field",
    );
    problem(
        &get(&platform, "/v1/catalogue/items?since=-1").await,
        422,
        "invalid_field",
    );
    // A client ahead of the platform (a reset database) gets everything.
    let ahead = get(
        &platform,
        &format!("/v1/catalogue/items?since={}", version + 100),
    )
    .await;
    assert_eq!(ahead.body["full"], true);

    // An edit and a removal show up in the delta; the ETag moves on.
    let mut changed = item.clone();
    changed.short_label = "社保卡".into();
    let answer = admin(
        &platform,
        Method::PUT,
        "/admin/catalogue/items",
        Some(json!([changed])),
    )
    .await;
    ok(&answer, 200);
    let edited_version = answer.body["version"].as_u64().unwrap();
    assert_eq!(edited_version, version + 1);
    let removed_id = items[1]["id"].as_str().unwrap();
    let answer = admin(
        &platform,
        Method::DELETE,
        &format!("/admin/catalogue/items/{removed_id}"),
        None,
    )
    .await;
    ok(&answer, 200);
    let delta = get_if_none_match(
        &platform,
        &format!("/v1/catalogue/items?since={version}"),
        &etag,
    )
    .await;
    ok(&delta, 200);
    assert_eq!(delta.body["version"], version + 2);
    assert_eq!(delta.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(delta.body["items"][0]["short_label"], "社保卡");
    assert_eq!(delta.body["items"][0]["version"], edited_version);
    assert_eq!(delta.body["removed"], json!([removed_id]));
    let full = get(&platform, "/v1/catalogue/items").await;
    assert_eq!(full.body["items"].as_array().unwrap().len(), 322);
    assert_eq!(full.body["removed"], json!([]));
    problem(
        &admin(
            &platform,
            Method::DELETE,
            &format!("/admin/catalogue/items/{removed_id}"),
            None,
        )
        .await,
        404,
        "not_found",
    );
    problem(
        &admin(
            &platform,
            Method::PUT,
            "/admin/catalogue/items",
            Some(json!([{ "id": 1 }])),
        )
        .await,
        400,
        "malformed_request",
    );

    // Outlets, the same way.
    let outlets = get(&platform, "/v1/catalogue/outlets").await;
    ok(&outlets, 200);
    assert_eq!(outlets.body["full"], true);
    let outlet_list = outlets.body["outlets"].as_array().unwrap();
    assert!(outlet_list.len() >= 3_000);
    let outlets_version = outlets.body["version"].as_u64().unwrap();
    let outlets_etag = outlets.etag.clone().unwrap();
    assert_eq!(
        get_if_none_match(&platform, "/v1/catalogue/outlets", &outlets_etag)
            .await
            .status,
        304
    );
    let mut outlet: ecard_api::catalogue::Outlet =
        serde_json::from_value(outlet_list[0].clone()).unwrap();
    outlet.id = "O-TEST-1".into();
    outlet.name = "测试网点".into();
    let answer = admin(
        &platform,
        Method::PUT,
        "/admin/outlets",
        Some(json!([outlet])),
    )
    .await;
    ok(&answer, 200);
    let answer = admin(&platform, Method::DELETE, "/admin/outlets/O-00002", None).await;
    ok(&answer, 200);
    let delta = get(
        &platform,
        &format!("/v1/catalogue/outlets?since={outlets_version}"),
    )
    .await;
    ok(&delta, 200);
    assert_eq!(delta.body["full"], false);
    assert_eq!(delta.body["outlets"][0]["id"], "O-TEST-1");
    assert_eq!(delta.body["removed"], json!(["O-00002"]));

    // One-round-trip sync: all three, an ETag over all three, a 304.
    let sync = get(&platform, "/v1/catalogue/sync?region=360000").await;
    ok(&sync, 200);
    assert_eq!(sync.body["items"]["full"], true);
    assert_eq!(sync.body["outlets"]["full"], true);
    assert_eq!(sync.body["rules"]["region"], "360000");
    let items_version = sync.body["items"]["version"].as_u64().unwrap();
    let outlets_version = sync.body["outlets"]["version"].as_u64().unwrap();
    let delta_path = format!(
        "/v1/catalogue/sync?items_since={items_version}&outlets_since={outlets_version}&region=360102"
    );
    let delta = get(&platform, &delta_path).await;
    ok(&delta, 200);
    assert_eq!(delta.body["items"]["full"], false);
    assert_eq!(delta.body["items"]["items"], json!([]));
    assert_eq!(delta.body["outlets"]["outlets"], json!([]));
    let sync_etag = delta.etag.clone().unwrap();
    let unchanged = get_if_none_match(&platform, &delta_path, &sync_etag).await;
    assert_eq!(unchanged.status, 304);
    problem(
        &get(&platform, "/v1/catalogue/sync?items_since=x").await,
        422,
        "invalid_field",
    );

    // Rules: an ETag per version; a change bumps the version and the ETag.
    let rules_answer = get(&platform, "/v1/rules/360000").await;
    ok(&rules_answer, 200);
    let rules_etag = rules_answer.etag.clone().unwrap();
    assert_eq!(
        get_if_none_match(&platform, "/v1/rules/360000", &rules_etag)
            .await
            .status,
        304
    );
    let by_county = get(&platform, "/v1/rules/360102").await;
    assert_eq!(by_county.body, rules_answer.body);
    let document: ecard_api::rules::RegionalRules =
        serde_json::from_value(rules_answer.body.clone()).unwrap();
    assert_eq!(document.relative_quota, 8);
    assert!(!document.cancel_after_submit);
    change_rules(&platform, "360000", |rules| {
        rules["relative_quota"] = json!(3)
    })
    .await;
    let changed = get_if_none_match(&platform, "/v1/rules/360000", &rules_etag).await;
    ok(&changed, 200);
    assert_eq!(changed.body["relative_quota"], 3);
    assert_eq!(changed.body["version"], document.version + 1);
    let unchanged = get_if_none_match(&platform, &delta_path, &sync_etag).await;
    assert_eq!(unchanged.status, 200, "the sync ETag covers the rules");
    for region in ["330000", "440000", "510000"] {
        ok(&get(&platform, &format!("/v1/rules/{region}")).await, 200);
    }
}

// ---------------------------------------------------------------------------
// Card workflows
