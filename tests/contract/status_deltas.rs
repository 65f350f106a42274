//! Status lists by delta: `GET /v1/status-lists/{list}?since=<sequence>`
//! serves the signed changes since the edition a terminal holds, the full
//! list when the platform cannot (an unknown, future or forgotten edition),
//! and a 400 for a malformed `since`.

use super::*;
use ecard_credential::{SignedStatusDelta, SignedStatusList, StatusListError};

const DELTA: &str = "application/vnd.ecard.status-delta";

/// What `?since=` answered: a delta or a full list, with its bytes.
enum Fetched {
    Delta(Vec<u8>, u64),
    Full(Vec<u8>, u64),
}

async fn fetch_since(platform: &TestPlatform, since: &str) -> Fetched {
    let answer = get(platform, &format!("/v1/status-lists/0?since={since}")).await;
    ok(&answer, 200);
    assert!(answer.etag.is_some());
    let bytes = STANDARD.decode(answer.body.as_str().unwrap()).unwrap();
    let now = answer.server_time.unwrap();
    match answer.content_type.as_deref() {
        Some(DELTA) => Fetched::Delta(bytes, now),
        Some("application/octet-stream") => Fetched::Full(bytes, now),
        other => panic!("unexpected content type {other:?}"),
    }
}

async fn delta_since(platform: &TestPlatform, since: u32) -> (Vec<u8>, u64) {
    match fetch_since(platform, &since.to_string()).await {
        Fetched::Delta(bytes, now) => (bytes, now),
        Fetched::Full(..) => panic!("a full list where a delta from {since} was expected"),
    }
}

fn sequence_of(list: &[u8]) -> u32 {
    SignedStatusList::parse(list).unwrap().list.sequence
}

async fn report_lost(device: &RawDevice, card_id: &str) {
    let reported = device
        .post(
            &format!("/v1/cards/{card_id}/loss-reports"),
            json!({ "kind": "temporary" }),
        )
        .await;
    ok(&reported, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminal_follows_the_list_by_deltas_and_needs_their_base() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("elder").await;
    let card_id = my_cards(&device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let set = credentials(&device, None).await;
    ok(&set, 201);
    let (full, _) = status_list(&platform).await;
    let base = sequence_of(&full);
    let (mut gate, now) = terminal(&platform, &[Purpose::Transport]).await;
    let mut behind = terminal(&platform, &[Purpose::Transport]).await.0;
    let code = code_from(&device, &set.body, Purpose::Transport, now, 1);
    gate.verify(&code, now).unwrap();

    // Up to date: a refresh with no changes, signed again later; the same
    // ETag gets a 304.
    let path = format!("/v1/status-lists/0?since={base}");
    let refresh = get(&platform, &path).await;
    ok(&refresh, 200);
    assert_eq!(refresh.content_type.as_deref(), Some(DELTA));
    let etag = refresh.etag.clone().unwrap();
    assert_ne!(
        Some(&etag),
        get(&platform, "/v1/status-lists/0").await.etag.as_ref()
    );
    let bytes = STANDARD.decode(refresh.body.as_str().unwrap()).unwrap();
    let parsed = SignedStatusDelta::parse(&bytes).unwrap();
    assert!(parsed.delta.is_refresh());
    assert_eq!(parsed.delta.change_count(), 0);
    assert!(bytes.len() < 200, "{} bytes", bytes.len());
    assert_eq!(gate.install_status_delta(&bytes, now), Ok(base));
    assert_eq!(get_if_none_match(&platform, &path, &etag).await.status, 304);

    // 挂失: the delta from the terminal's edition revokes the card's codes.
    report_lost(&device, &card_id).await;
    let (delta, now) = delta_since(&platform, base).await;
    let parsed = SignedStatusDelta::parse(&delta).unwrap();
    assert_eq!(parsed.delta.base_sequence, base);
    assert!(parsed.delta.change_count() >= 1);
    let lost = gate.install_status_delta(&delta, now).unwrap();
    assert!(lost > base);
    let code = code_from(&device, &set.body, Purpose::Transport, now, 2);
    assert_eq!(gate.verify(&code, now), Err(VerifyError::Revoked));
    // Installing the same delta again changes nothing.
    assert_eq!(gate.install_status_delta(&delta, now), Ok(lost));

    // 解挂: a delta from the lost edition; a terminal still holding the
    // edition before it refuses it (it must fetch from its own edition).
    let released = device
        .post_with_pin(
            &format!("/v1/cards/{card_id}/loss-reports/release"),
            json!({}),
            "release_loss",
        )
        .await;
    ok(&released, 200);
    let (from_lost, now) = delta_since(&platform, lost).await;
    assert_eq!(
        behind.install_status_delta(&from_lost, now),
        Err(StatusListError::DeltaBaseMissing)
    );
    let current = gate.install_status_delta(&from_lost, now).unwrap();
    assert!(current > lost);
    let code = code_from(&device, &set.body, Purpose::Transport, now, 3);
    gate.verify(&code, now).unwrap();
    // The terminal that was behind catches up from its own edition, and
    // agrees with the full list.
    let (catch_up, now) = delta_since(&platform, base).await;
    assert_eq!(behind.install_status_delta(&catch_up, now), Ok(current));
    let (full, _) = status_list(&platform).await;
    assert_eq!(sequence_of(&full), current);
    let code = code_from(&device, &set.body, Purpose::Transport, now, 4);
    behind.verify(&code, now).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delta_grows_the_list_for_credentials_allocated_after_its_base() {
    let mut platform = TestPlatform::start();
    let device = platform.enrol_persona("elder").await;
    let card_id = my_cards(&device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Fast-forward the allocation of status indices to the end of the
    // first block (8,192 credentials issued), so the next credentials are
    // beyond the list a terminal holds.
    platform.stop();
    platform.with_database(|database| {
        database
            .execute(
                "INSERT INTO meta (key, value) VALUES ('status_next_index', 8192) \
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [],
            )
            .unwrap()
    });
    platform.restart();
    let (full, _) = status_list(&platform).await;
    let base = SignedStatusList::parse(&full).unwrap().list;
    assert_eq!(base.bit_count(), 8_192);
    let (mut gate, _) = terminal(&platform, &[Purpose::Transport]).await;

    let set = credentials(&device, None).await;
    ok(&set, 201);
    let now = advance(&platform, 1).await;
    let code = code_from(&device, &set.body, Purpose::Transport, now, 1);
    assert_eq!(gate.verify(&code, now), Err(VerifyError::StatusUnavailable));
    let (delta, now) = delta_since(&platform, base.sequence).await;
    let parsed = SignedStatusDelta::parse(&delta).unwrap();
    assert_eq!(parsed.delta.bit_count(), 16_384);
    let grown = gate.install_status_delta(&delta, now).unwrap();
    let code = code_from(&device, &set.body, Purpose::Transport, now, 2);
    gate.verify(&code, now).unwrap();

    // A revocation in the new block reaches the terminal by delta.
    report_lost(&device, &card_id).await;
    let (delta, now) = delta_since(&platform, grown).await;
    gate.install_status_delta(&delta, now).unwrap();
    let code = code_from(&device, &set.body, Purpose::Transport, now, 3);
    assert_eq!(gate.verify(&code, now), Err(VerifyError::Revoked));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_future_and_forgotten_bases_get_the_full_list_and_malformed_ones_a_400() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("elder").await;
    let card_id = my_cards(&device).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&credentials(&device, None).await, 201);
    let (full, _) = status_list(&platform).await;
    let first = sequence_of(&full);
    for malformed in ["abc", "-1", "", "+3", "1.5", "4294967296"] {
        let answer = get(&platform, &format!("/v1/status-lists/0?since={malformed}")).await;
        problem(&answer, 400, "malformed_request");
        assert_eq!(answer.body["field"], "since");
    }
    // A base from the future is not an edition the platform made.
    let future = (first + 1_000).to_string();
    assert!(matches!(
        fetch_since(&platform, &future).await,
        Fetched::Full(..)
    ));

    // A loss report, then eight days: the history of the report is
    // forgotten after 7 days.
    report_lost(&device, &card_id).await;
    let (full, _) = status_list(&platform).await;
    let reported = sequence_of(&full);
    assert!(matches!(
        fetch_since(&platform, &first.to_string()).await,
        Fetched::Delta(..)
    ));
    advance(&platform, 8 * 86_400).await;
    match fetch_since(&platform, &first.to_string()).await {
        Fetched::Full(bytes, now) => {
            // The full list installs on a fresh terminal as always.
            let mut gate = Verifier::new(
                &trust_list(&platform).await,
                VerifierPolicy::for_purposes(&[Purpose::Transport]),
            )
            .unwrap();
            let sequence = gate.install_status_list(&bytes, now).unwrap();
            assert!(sequence >= reported);
        }
        Fetched::Delta(..) => panic!("a delta from a forgotten edition"),
    }
    // The edition the forgotten changes made is still a base.
    assert!(matches!(
        fetch_since(&platform, &reported.to_string()).await,
        Fetched::Delta(..)
    ));
}
