//! Rotating the authority key that signs trust lists
//! (`POST /admin/trust/authority-keys/rotate`): terminals that refresh
//! during the overlap follow the new key from lists they already trust; a
//! terminal that sleeps through it refuses lists the new key signs until it
//! is provisioned again; only one rotation runs at a time.

use super::*;
use ecard_api::paths;
use ecard_credential::Suite;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authority_rotation_terminals_follow_the_new_key_through_the_overlap() {
    let platform = TestPlatform::start();
    let outgoing = authority_keys(&platform).await;
    assert_eq!(outgoing.len(), 1);
    let (first, now) = signed_trust_list(&platform).await;
    let mut refreshing = TrustAnchor::new(outgoing.clone());
    let mut sleeping = TrustAnchor::new(outgoing.clone());
    refreshing.install(&first, now).unwrap();
    sleeping.install(&first, now).unwrap();

    // Out-of-range overlaps are refused and change nothing.
    for overlap_hours in [0, 23, 2_161] {
        let refused = admin(
            &platform,
            Method::POST,
            paths::ADMIN_AUTHORITY_ROTATE,
            Some(json!({ "suite": "p256", "overlap_hours": overlap_hours })),
        )
        .await;
        problem(&refused, 422, "invalid_field");
        assert_eq!(refused.body["field"], "overlap_hours");
    }
    assert_eq!(authority_keys(&platform).await, outgoing);

    let rotated = admin(
        &platform,
        Method::POST,
        paths::ADMIN_AUTHORITY_ROTATE,
        Some(json!({ "suite": "p256", "overlap_hours": 48 })),
    )
    .await;
    ok(&rotated, 200);
    let incoming: AuthorityKey = serde_json::from_value(rotated.body["key"].clone()).unwrap();
    assert_eq!(incoming.suite, Suite::EcdsaP256);
    let outgoing_until = rotated.body["outgoing_until"].as_u64().unwrap();
    assert_eq!(outgoing_until, rotated.server_time.unwrap() + 48 * 3_600);

    // A second rotation during the overlap is refused.
    let again = admin(
        &platform,
        Method::POST,
        paths::ADMIN_AUTHORITY_ROTATE,
        Some(json!({ "suite": "ed25519", "overlap_hours": 24 })),
    )
    .await;
    problem(&again, 409, "invalid_state");

    // During the overlap the outgoing key signs an edition naming both.
    let (overlap, at) = signed_trust_list(&platform).await;
    assert_eq!(overlap.authority_key_id, outgoing[0].key_id);
    let list = refreshing.install(&overlap, at).unwrap().clone();
    assert_eq!(list.authority_keys.len(), 2);
    assert!(
        list.authority_keys
            .iter()
            .any(|key| key.key_id == incoming.key_id)
    );
    let named_end = list
        .authority_keys
        .iter()
        .find(|key| key.key_id == outgoing[0].key_id)
        .unwrap()
        .not_after;
    assert_eq!(named_end, outgoing_until);
    assert_eq!(authority_keys(&platform).await.len(), 2);

    // After the overlap the incoming key signs, and the outgoing one is gone.
    advance(&platform, 49 * 3_600).await;
    let (after, later) = signed_trust_list(&platform).await;
    assert_eq!(after.authority_key_id, incoming.key_id);
    let list = refreshing.install(&after, later).unwrap().clone();
    let ids = |keys: &[AuthorityKey]| keys.iter().map(|key| key.key_id).collect::<Vec<_>>();
    assert_eq!(ids(&list.authority_keys), vec![incoming.key_id]);
    assert_eq!(ids(&authority_keys(&platform).await), vec![incoming.key_id]);
    // The terminal that never saw the overlap edition does not know the
    // new key: it needs provisioning again, and keeps its old list.
    assert_eq!(
        sleeping.install(&after, later).unwrap_err(),
        TrustListError::UnknownAuthority(incoming.key_id)
    );
    assert_eq!(
        sleeping.trust_list().unwrap().sequence,
        first.unverified_list().unwrap().sequence
    );

    // The next rotation may start once the overlap is over.
    let next = admin(
        &platform,
        Method::POST,
        paths::ADMIN_AUTHORITY_ROTATE,
        Some(json!({ "suite": "ed25519", "overlap_hours": 24 })),
    )
    .await;
    ok(&next, 200);
}
