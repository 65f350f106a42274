//! Clearing between an operator's terminals (`POST /admin/operators`,
//! `POST /v1/operator/acceptances`): a code accepted at one gate is refused
//! at the next gate of the line, codes accepted at two gates while offline
//! are reported, and operators see only their own terminals.

use super::*;
use ecard_api::paths;
use ecard_credential::Acceptance;

/// Registers an operator; returns (operator id, token).
async fn register_operator(platform: &TestPlatform, name: &str) -> (String, String) {
    let answer = admin(
        platform,
        Method::POST,
        paths::ADMIN_OPERATORS,
        Some(json!({ "name": name })),
    )
    .await;
    ok(&answer, 201);
    assert_eq!(
        keys(&answer.body),
        keys(&json!({"operator_id": 0, "token": 0}))
    );
    (
        answer.body["operator_id"].as_str().unwrap().to_owned(),
        answer.body["token"].as_str().unwrap().to_owned(),
    )
}

/// A raw report with the given bearer token (none: no header).
async fn report_raw(platform: &TestPlatform, token: Option<&str>, body: Vec<u8>) -> RawAnswer {
    let authorization = token.map(|token| format!("Bearer {token}"));
    let headers: Vec<(&str, &str)> = authorization
        .iter()
        .map(|value| ("authorization", value.as_str()))
        .collect();
    public(
        platform,
        Method::POST,
        paths::OPERATOR_ACCEPTANCES,
        Some(body),
        &headers,
    )
    .await
}

/// A terminal's report of `acceptances` after `cursor`; panics unless 200.
async fn report(
    platform: &TestPlatform,
    token: &str,
    terminal_id: &str,
    cursor: Option<u64>,
    acceptances: &[Acceptance],
) -> Value {
    let mut body = json!({ "terminal_id": terminal_id, "acceptances": acceptances });
    if let Some(cursor) = cursor {
        body["after"] = json!(cursor);
    }
    let answer = report_raw(platform, Some(token), body.to_string().into_bytes()).await;
    ok(&answer, 200);
    answer.body
}

fn recent(answer: &Value) -> Vec<Acceptance> {
    serde_json::from_value(answer["recent"].clone()).unwrap()
}

fn cursor(answer: &Value) -> u64 {
    answer["cursor"].as_u64().unwrap()
}

/// The (handle, counter, terminals) of each duplicate in an answer.
fn duplicates(answer: &Value) -> Vec<(String, u64, Vec<String>)> {
    answer["duplicates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|duplicate| {
            (
                duplicate["handle"].as_str().unwrap().to_owned(),
                duplicate["counter"].as_u64().unwrap(),
                duplicate["accepts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|accept| accept["terminal_id"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

/// An elder with credentials, and a transport code of theirs.
async fn resident_with_code(platform: &TestPlatform) -> (RawDevice, Value) {
    let device = platform.enrol_persona("elder").await;
    let set = credentials(&device, None).await;
    ok(&set, 201);
    (device, set.body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_a_code_accepted_at_one_gate_is_refused_at_the_next() {
    let platform = TestPlatform::start();
    let (device, set) = resident_with_code(&platform).await;
    let (_, token) = register_operator(&platform, "南昌地铁").await;
    let (mut gate_a, now) = terminal(&platform, &[Purpose::Transport]).await;
    let (mut gate_b, _) = terminal(&platform, &[Purpose::Transport]).await;
    let (mut unconnected, _) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&device, &set, Purpose::Transport, now, 1);

    // Gate B's first report: nothing yet.
    let first_b = report(&platform, &token, "line1-gate-b", None, &[]).await;
    assert!(recent(&first_b).is_empty());
    assert!(duplicates(&first_b).is_empty());

    // Gate A accepts the code and reports it.
    gate_a.verify(&code, now).unwrap();
    let accepted = gate_a.take_acceptances();
    assert_eq!(accepted.len(), 1);
    let answer_a = report(&platform, &token, "line1-gate-a", None, &accepted).await;
    assert!(
        recent(&answer_a).is_empty(),
        "a terminal is not told its own accepts"
    );
    assert!(duplicates(&answer_a).is_empty());

    // The attack: a gate that knows only its own scans lets the code through.
    assert!(unconnected.verify(&code, now).is_ok());

    // Gate B takes in A's accept from its cursor and refuses the code.
    let answer_b = report(
        &platform,
        &token,
        "line1-gate-b",
        Some(cursor(&first_b)),
        &[],
    )
    .await;
    assert_eq!(recent(&answer_b), accepted);
    for acceptance in recent(&answer_b) {
        gate_b.note_accepted_elsewhere(&acceptance, now);
    }
    assert_eq!(gate_b.verify(&code, now), Err(VerifyError::Replayed));
    assert_eq!(
        VerifyError::Replayed.code(),
        "replayed",
        "the stable code terminals show"
    );

    // From its new cursor, B is not told again.
    let again_b = report(
        &platform,
        &token,
        "line1-gate-b",
        Some(cursor(&answer_b)),
        &[],
    )
    .await;
    assert!(recent(&again_b).is_empty());
    assert_eq!(cursor(&again_b), cursor(&answer_b));

    // Once the code could no longer pass the time check, a gate starting
    // afresh is not handed it.
    advance(&platform, 91).await;
    let late = report(&platform, &token, "line1-gate-c", None, &[]).await;
    assert!(recent(&late).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_a_code_accepted_at_two_gates_offline_is_reported_as_a_duplicate() {
    let platform = TestPlatform::start();
    let (device, set) = resident_with_code(&platform).await;
    let (_, token) = register_operator(&platform, "南昌公交").await;
    let (mut gate_a, now) = terminal(&platform, &[Purpose::Transport]).await;
    let (mut gate_b, _) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&device, &set, Purpose::Transport, now, 7);
    let other = code_from(&device, &set, Purpose::Transport, now, 8);

    // Both gates are offline and accept the same code; A also another.
    gate_a.verify(&code, now).unwrap();
    gate_a.verify(&other, now).unwrap();
    gate_b.verify(&code, now).unwrap();
    let from_a = gate_a.take_acceptances();
    let from_b = gate_b.take_acceptances();
    let handle = from_a[0].handle.to_string();

    let answer_a = report(&platform, &token, "bus-17", None, &from_a).await;
    assert!(duplicates(&answer_a).is_empty());
    let answer_b = report(&platform, &token, "bus-42", None, &from_b).await;
    assert_eq!(
        duplicates(&answer_b),
        vec![(
            handle.clone(),
            7,
            vec!["bus-17".to_owned(), "bus-42".to_owned()]
        )]
    );
    let duplicate = &answer_b["duplicates"][0];
    assert_eq!(duplicate["purpose"], "transport");
    assert_eq!(duplicate["issued_at"], now);
    for accept in duplicate["accepts"].as_array().unwrap() {
        assert_eq!(accept["accepted_at"], now);
        assert!(accept["reported_at"].as_u64().unwrap() >= now);
    }
    // B is told of A's accepts too (both codes could still pass).
    assert_eq!(recent(&answer_b), from_a);

    // A learns of the duplicate from its cursor, without reporting anything.
    let later_a = report(&platform, &token, "bus-17", Some(cursor(&answer_a)), &[]).await;
    assert_eq!(duplicates(&later_a), duplicates(&answer_b));
    assert_eq!(recent(&later_a), from_b);

    // Reports are kept seven days, then forgotten.
    advance(&platform, 6 * DAY).await;
    let kept = report(&platform, &token, "audit", None, &[]).await;
    assert_eq!(duplicates(&kept).len(), 1);
    advance(&platform, DAY + 60).await;
    let forgotten = report(&platform, &token, "audit", None, &[]).await;
    assert!(duplicates(&forgotten).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_needs_the_operators_token_and_keeps_only_its_hash() {
    let platform = TestPlatform::start();
    let body = json!({ "terminal_id": "gate-1", "acceptances": [] })
        .to_string()
        .into_bytes();

    // Registration is the admin's.
    let refused = public(
        &platform,
        Method::POST,
        paths::ADMIN_OPERATORS,
        Some(json!({ "name": "冒充的运营方" }).to_string().into_bytes()),
        &[],
    )
    .await;
    problem(&refused, 401, "unauthenticated");
    let bad_name = admin(
        &platform,
        Method::POST,
        paths::ADMIN_OPERATORS,
        Some(json!({ "name": "" })),
    )
    .await;
    problem(&bad_name, 422, "invalid_field");
    assert_eq!(bad_name.body["field"], "name");

    let (_, token) = register_operator(&platform, "南昌地铁").await;
    for wrong in [
        None,
        Some(""),
        Some("op_not-the-token"),
        Some(ADMIN_TOKEN),
        Some(&token[..token.len() - 1]),
    ] {
        let answer = report_raw(&platform, wrong, body.clone()).await;
        problem(&answer, 401, "unauthenticated");
    }
    // Another scheme than Bearer is no token either.
    let basic = public(
        &platform,
        Method::POST,
        paths::OPERATOR_ACCEPTANCES,
        Some(body.clone()),
        &[("authorization", &format!("Basic {token}"))],
    )
    .await;
    problem(&basic, 401, "unauthenticated");
    // A device signature is not an operator token.
    let device = platform.enrol_persona("elder").await;
    let signed = device
        .post(
            paths::OPERATOR_ACCEPTANCES,
            json!({ "terminal_id": "gate-1", "acceptances": [] }),
        )
        .await;
    problem(&signed, 401, "unauthenticated");
    ok(&report_raw(&platform, Some(&token), body).await, 200);

    // The token is shown once and stored only as a hash.
    assert!(
        !platform.stored_anywhere(token.as_bytes()),
        "the operator token is in the database"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_another_operators_terminals_never_see_these_acceptances() {
    let platform = TestPlatform::start();
    let (device, set) = resident_with_code(&platform).await;
    let (metro, metro_token) = register_operator(&platform, "南昌地铁").await;
    let (bus, bus_token) = register_operator(&platform, "南昌公交").await;
    assert_ne!(metro, bus);
    let (mut metro_gate, now) = terminal(&platform, &[Purpose::Transport]).await;
    let (mut bus_gate, _) = terminal(&platform, &[Purpose::Transport]).await;
    let code = code_from(&device, &set, Purpose::Transport, now, 3);
    metro_gate.verify(&code, now).unwrap();
    bus_gate.verify(&code, now).unwrap();
    let from_metro = metro_gate.take_acceptances();
    let from_bus = bus_gate.take_acceptances();

    let metro_answer = report(&platform, &metro_token, "gate-1", None, &from_metro).await;
    // The bus company's terminal of the same name learns nothing of the
    // metro's accepts, and the same code at both is no duplicate of either.
    let bus_answer = report(&platform, &bus_token, "gate-1", None, &from_bus).await;
    assert!(recent(&bus_answer).is_empty());
    assert!(duplicates(&bus_answer).is_empty());
    let bus_again = report(&platform, &bus_token, "gate-2", None, &[]).await;
    assert_eq!(recent(&bus_again), from_bus);
    let metro_again = report(&platform, &metro_token, "gate-9", None, &[]).await;
    assert_eq!(recent(&metro_again), from_metro);
    assert!(duplicates(&metro_again).is_empty());
    // Cursors count each operator's own acceptances.
    assert_eq!(cursor(&metro_answer), 1);
    assert_eq!(cursor(&bus_answer), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_oversized_or_malformed_reports_are_refused_and_store_nothing() {
    let platform = TestPlatform::start();
    let (device, set) = resident_with_code(&platform).await;
    let (_, token) = register_operator(&platform, "南昌地铁").await;
    let (mut gate, now) = terminal(&platform, &[Purpose::Transport]).await;
    gate.verify(&code_from(&device, &set, Purpose::Transport, now, 1), now)
        .unwrap();
    let one = gate.take_acceptances()[0];

    // More than 1,000 acceptances in one report.
    let many: Vec<Acceptance> = (0..1_001)
        .map(|counter| Acceptance { counter, ..one })
        .collect();
    let body = json!({ "terminal_id": "gate-a", "acceptances": many });
    let answer = report_raw(&platform, Some(&token), body.to_string().into_bytes()).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "acceptances");

    // A body over 256 KiB.
    let padded =
        json!({ "terminal_id": "gate-a", "acceptances": [one], "padding": "x".repeat(300_000) });
    let answer = report_raw(&platform, Some(&token), padded.to_string().into_bytes()).await;
    problem(&answer, 413, "body_too_large");

    // Terminal ids are bounded; handles are 16 lowercase hex digits.
    for terminal_id in [
        String::new(),
        "a".repeat(65),
        "gate 1".to_owned(),
        "闸机".to_owned(),
    ] {
        let body = json!({ "terminal_id": terminal_id, "acceptances": [one] });
        let answer = report_raw(&platform, Some(&token), body.to_string().into_bytes()).await;
        problem(&answer, 422, "invalid_field");
        assert_eq!(answer.body["field"], "terminal_id");
    }
    let mut shouting = serde_json::to_value(one).unwrap();
    shouting["handle"] = json!(one.handle.to_string().to_uppercase());
    let body = json!({ "terminal_id": "gate-a", "acceptances": [shouting] });
    let answer = report_raw(&platform, Some(&token), body.to_string().into_bytes()).await;
    problem(&answer, 422, "invalid_field");
    assert_eq!(answer.body["field"], "acceptances[0].handle");
    let mut far = serde_json::to_value(one).unwrap();
    far["issued_at"] = json!(u64::from(u32::MAX) + 1);
    let body = json!({ "terminal_id": "gate-a", "acceptances": [far] });
    let answer = report_raw(&platform, Some(&token), body.to_string().into_bytes()).await;
    problem(&answer, 422, "invalid_field");
    let answer = report_raw(&platform, Some(&token), b"{\"terminal_id\":".to_vec()).await;
    problem(&answer, 400, "malformed_request");

    // None of it was stored.
    let other = report(&platform, &token, "gate-b", None, &[]).await;
    assert!(recent(&other).is_empty());
    assert_eq!(cursor(&other), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_the_same_report_twice_changes_nothing() {
    let platform = TestPlatform::start();
    let (device, set) = resident_with_code(&platform).await;
    let (_, token) = register_operator(&platform, "南昌地铁").await;
    let (mut gate, now) = terminal(&platform, &[Purpose::Transport]).await;
    for counter in 1..=3 {
        gate.verify(
            &code_from(&device, &set, Purpose::Transport, now, counter),
            now,
        )
        .unwrap();
    }
    let accepted = gate.take_acceptances();
    let first = report(&platform, &token, "gate-a", None, &accepted).await;
    let second = report(&platform, &token, "gate-a", None, &accepted).await;
    assert_eq!(first, second);
    assert_eq!(cursor(&second), 3);
    assert!(
        duplicates(&second).is_empty(),
        "a resent report is no duplicate"
    );
    // Sent again inside a later report, with its cursor: nothing new.
    let third = report(
        &platform,
        &token,
        "gate-a",
        Some(cursor(&first)),
        &accepted[1..],
    )
    .await;
    assert_eq!(cursor(&third), 3);
    assert!(duplicates(&third).is_empty());

    let other = report(&platform, &token, "gate-b", None, &[]).await;
    assert_eq!(recent(&other), accepted, "each accept once");
}
