//! Who may present for whom, per place, as regional rules: terminals
//! configured from a region's rules apply its on-behalf policy.

use super::*;

/// A terminal of `region` configured from the rules the platform serves.
async fn regional_terminal(
    platform: &TestPlatform,
    region: &str,
    purposes: &[Purpose],
) -> (Verifier, u64) {
    let rules: ecard_api::rules::RegionalRules =
        serde_json::from_value(rules(platform, region).await).unwrap();
    let mut verifier =
        Verifier::new(&trust_list(platform).await, rules.verifier_policy(purposes)).unwrap();
    let (bytes, now) = status_list(platform).await;
    verifier.install_status_list(&bytes, now).unwrap();
    (verifier, now)
}

/// The attack: a helper shows an elder's senior-free code at a museum gate
/// with nobody checking the elder is there. Refused where the region says
/// the concession is personal (the sample default), accepted where the
/// region lets a proxy accompany the relative, and a rules change reaches
/// the terminals configured from them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_behalf_a_proxy_at_a_culture_gate_follows_the_regions_rules() {
    let platform = TestPlatform::start();
    let helper = platform.enrol_persona("resident").await;
    let elder_device = elder_mandate(&platform, &helper, &["show_code"]).await;
    let elder_card = my_cards(&elder_device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let set = credentials(&helper, Some(&elder_card)).await;
    ok(&set, 201);
    assert_eq!(set.body["role"], "proxy");

    // The sample rules: Jiangxi refuses a proxy at culture/tourism gates
    // and at bus gates, accepts one at the pharmacy; Guangdong lets a proxy
    // accompany the relative in.
    let jiangxi = rules(&platform, "360000").await;
    assert_eq!(jiangxi["on_behalf"]["proxy"], json!(["medical"]));
    assert!(
        jiangxi["on_behalf"]["source"]
            .as_str()
            .unwrap()
            .contains("personal")
    );
    let mut counter = 0;
    let mut verify = |region_terminal: &mut Verifier, purpose: Purpose, now: u64| {
        counter += 1;
        region_terminal.verify(&code_from(&helper, &set.body, purpose, now, counter), now)
    };
    let (mut museum, now) =
        regional_terminal(&platform, "360000", &[Purpose::CultureTourism]).await;
    assert_eq!(
        verify(&mut museum, Purpose::CultureTourism, now).unwrap_err(),
        VerifyError::OnBehalfRefused
    );
    let (mut bus, now) = regional_terminal(&platform, "360000", &[Purpose::Transport]).await;
    assert_eq!(
        verify(&mut bus, Purpose::Transport, now).unwrap_err(),
        VerifyError::OnBehalfRefused
    );
    let (mut pharmacy, now) = regional_terminal(&platform, "360000", &[Purpose::Medical]).await;
    assert!(verify(&mut pharmacy, Purpose::Medical, now).is_ok());
    let (mut scenic_spot, now) =
        regional_terminal(&platform, "440000", &[Purpose::CultureTourism]).await;
    assert!(verify(&mut scenic_spot, Purpose::CultureTourism, now).is_ok());

    // Jiangxi decides otherwise: its terminals, configured again, follow.
    change_rules(&platform, "360000", |rules| {
        rules["on_behalf"]["proxy"] = json!(["medical", "culture_tourism"]);
        rules["on_behalf"]["source"] = json!("赣人社发〔示例〕: staff check the elder is present");
    })
    .await;
    let (mut museum, now) =
        regional_terminal(&platform, "360000", &[Purpose::CultureTourism]).await;
    assert!(verify(&mut museum, Purpose::CultureTourism, now).is_ok());
}

/// The rules section is checked before it is stored, and documents without
/// it keep the policy terminals applied before it was data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_behalf_rules_are_checked_and_default_to_the_old_policy() {
    let platform = TestPlatform::start();
    let mut document = rules(&platform, "510000").await;
    for (change, why) in [
        (
            json!({ "proxy": ["medical", "identity"], "guardian": ["transport"], "source": "x" }),
            "identity",
        ),
        (
            json!({ "proxy": ["medical"], "guardian": ["transport"], "source": " " }),
            "empty source",
        ),
        (
            json!({ "proxy": ["medical"], "guardian": ["transport"], "source": "x".repeat(301) }),
            "long source",
        ),
    ] {
        document["on_behalf"] = change;
        let answer = admin(
            &platform,
            Method::PUT,
            "/admin/rules",
            Some(document.clone()),
        )
        .await;
        problem(&answer, 422, "invalid_field");
        assert_eq!(answer.body["field"], "on_behalf", "{why}");
    }
    document["on_behalf"] =
        json!({ "proxy": ["medical", "sometimes"], "guardian": [], "source": "x" });
    let answer = admin(
        &platform,
        Method::PUT,
        "/admin/rules",
        Some(document.clone()),
    )
    .await;
    assert!(
        answer.status == 400 || answer.status == 422,
        "{:?}",
        answer.body
    );

    // Stored without the section: served with the old policy.
    document.as_object_mut().unwrap().remove("on_behalf");
    ok(
        &admin(&platform, Method::PUT, "/admin/rules", Some(document)).await,
        200,
    );
    let served = rules(&platform, "510000").await;
    assert_eq!(
        served["on_behalf"]["proxy"],
        json!(["medical", "culture_tourism"])
    );
    // The old policy: a guardian's code wherever the ward's is taken.
    let everywhere: Vec<&str> = Purpose::ALL.iter().map(|purpose| purpose.name()).collect();
    assert_eq!(served["on_behalf"]["guardian"], json!(everywhere));
}
