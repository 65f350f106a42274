//! Signed requests, body limits and unknown routes: the refusals every endpoint shares.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_request_failures() {
    let platform = TestPlatform::start();
    let mut device = platform.enrol_persona("resident").await;
    let before = snapshot(&device).await;

    // No signature at all.
    let answer = device.send("GET", "/v1/me", None, None, false).await;
    problem(&answer, 401, "unauthenticated");
    let answer = device
        .send(
            "POST",
            "/v1/applications",
            Some(b"{}".to_vec()),
            Some(&unique_key()),
            false,
        )
        .await;
    problem(&answer, 401, "unauthenticated");

    // Each header missing in turn.
    for missing in [
        "x-ecard-device",
        "x-ecard-timestamp",
        "x-ecard-nonce",
        "x-ecard-signature",
    ] {
        let headers: Vec<(String, String)> = owned(device.signature("GET", "/v1/me", b""))
            .into_iter()
            .filter(|(name, _)| name != missing)
            .collect();
        let answer = device
            .send_with_headers("GET", "/v1/me", vec![], &headers)
            .await;
        problem(&answer, 401, "unauthenticated");
    }

    // A signature over something else: another path, another body, another method.
    let headers = owned(device.signature("GET", "/v1/applications", b""));
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let body = new_card(&person_id(&device), pickup())
        .to_string()
        .into_bytes();
    let mut headers = owned(device.signature("POST", "/v1/applications", b"{}"));
    headers.push(("idempotency-key".into(), unique_key()));
    let answer = device
        .send_with_headers("POST", "/v1/applications", body.clone(), &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    // The query string is signed too.
    let headers = owned(device.signature("GET", "/v1/applications", b""));
    let answer = device
        .send_with_headers("GET", "/v1/applications?x=1", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let answer = device.get("/v1/applications?x=1").await;
    ok(&answer, 200);

    // Garbage in the headers.
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[3].1 = "not base64!".into();
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[3].1 = URL_SAFE_NO_PAD.encode([7u8; 64]);
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[3].1 = URL_SAFE_NO_PAD.encode([7u8; 3]);
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[1].1 = "yesterday".into();
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");
    let mut headers = owned(device.signature("GET", "/v1/me", b""));
    headers[2].1 = "short".into();
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "unauthenticated");

    // A device the platform does not know, and another device's signature.
    let real_device = device.device_id.clone();
    device.device_id = Some("dev-00000000000000000000".into());
    let answer = device.get("/v1/me").await;
    problem(&answer, 401, "unauthenticated");
    device.device_id = real_device.clone();
    let mut stranger = platform.enrol_persona("elder").await;
    stranger.device_id = real_device.clone();
    let answer = stranger.get("/v1/me").await;
    problem(&answer, 401, "unauthenticated");

    // A stale or future timestamp: clock_skew, with the platform clock in the header.
    device.clock_offset = -1_000;
    let answer = device.get("/v1/me").await;
    problem(&answer, 401, "clock_skew");
    let server = answer.server_time.unwrap();
    assert!(server.abs_diff(now_seconds()) < 60);
    device.clock_offset = 1_000;
    let answer = device
        .post("/v1/applications", new_card(&person_id(&device), pickup()))
        .await;
    problem(&answer, 401, "clock_skew");
    // Within the tolerance is fine.
    device.clock_offset = -200;
    ok(&device.get("/v1/me").await, 200);
    device.clock_offset = 0;

    // The same signed request twice: the second is a replay.
    let headers = owned(device.signature("GET", "/v1/me", b""));
    ok(
        &device
            .send_with_headers("GET", "/v1/me", vec![], &headers)
            .await,
        200,
    );
    let answer = device
        .send_with_headers("GET", "/v1/me", vec![], &headers)
        .await;
    problem(&answer, 401, "replayed_request");
    // A replayed mutation does not act twice, even with a fresh idempotency key.
    let body = new_card(&person_id(&device), pickup())
        .to_string()
        .into_bytes();
    let (first, replay) = sent_twice(&device, "/v1/applications", body).await;
    ok(&first, 201);
    problem(&replay, 401, "replayed_request");
    let list = device.get("/v1/applications").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    // A request its endpoint refuses still used its nonce: the refusal is
    // undone, the admission is not.
    let (refused, replay) = sent_twice(&device, "/v1/applications", b"{}".to_vec()).await;
    problem(&refused, 400, "malformed_request");
    problem(&replay, 401, "replayed_request");

    // Nothing but that one application changed.
    let mut after = snapshot(&device).await;
    after["/v1/applications"] = json!([]);
    let audit = after["/v1/audit"].as_array_mut().unwrap();
    assert_eq!(audit[0]["action"], "application.submit");
    audit.remove(0);
    assert_eq!(after, before);
}

// ---------------------------------------------------------------------------
// Bodies, paths, methods

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_whole() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let before = snapshot(&device).await;

    // A photo so big the body passes 256 KiB.
    let mut body = new_card(&person_id(&device), pickup());
    body["photo_jpeg"] = json!(STANDARD.encode(jpeg(358, 441, 200_000)));
    let bytes = body.to_string().into_bytes();
    assert!(bytes.len() > 256 * 1024);
    let answer = device
        .send(
            "POST",
            "/v1/applications",
            Some(bytes),
            Some(&unique_key()),
            true,
        )
        .await;
    problem(&answer, 413, "body_too_large");
    // Unsigned and public endpoints too.
    let answer = public(
        &platform,
        Method::POST,
        "/v1/enrolments",
        Some(vec![b' '; 300 * 1024]),
        &[("idempotency-key", "k-large")],
    )
    .await;
    problem(&answer, 413, "body_too_large");
    // A body just under the limit is read (and then judged on its content).
    let mut padded = new_card(&person_id(&device), pickup()).to_string();
    padded.push_str(&" ".repeat(256 * 1024 - padded.len()));
    let answer = device
        .send(
            "POST",
            "/v1/applications",
            Some(padded.into_bytes()),
            Some(&unique_key()),
            true,
        )
        .await;
    ok(&answer, 201);
    let id = answer.body["application_id"].as_str().unwrap().to_owned();

    // A chunked body without Content-Length is cut off at the limit too.
    let address = platform.address;
    let reply = tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        let head = "POST /v1/enrolments HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                    Idempotency-Key: k-chunked\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        stream.write_all(head.as_bytes()).unwrap();
        let chunk = vec![b' '; 32 * 1024];
        for _ in 0..10 {
            let _ = stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes());
            let _ = stream.write_all(&chunk);
            let _ = stream.write_all(b"\r\n");
        }
        let _ = stream.write_all(b"0\r\n\r\n");
        let mut reply = Vec::new();
        let _ = stream.read_to_end(&mut reply);
        String::from_utf8_lossy(&reply).into_owned()
    })
    .await
    .unwrap();
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("application/problem+json"), "{reply}");
    assert!(reply.contains("\"code\":\"body_too_large\""), "{reply}");

    let mut after = snapshot(&device).await;
    assert_eq!(after["/v1/applications"][0]["application_id"], id.as_str());
    after["/v1/applications"] = json!([]);
    after["/v1/audit"].as_array_mut().unwrap().remove(0);
    assert_eq!(after, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_ids_paths_and_methods() {
    let platform = TestPlatform::start();
    let device = platform.enrol_persona("resident").await;
    let before = snapshot(&device).await;

    for path in ["/v1/applications/app-0000", "/v1/applications/%E5%BC%A0"] {
        problem(&device.get(path).await, 404, "not_found");
    }
    for (path, body) in [
        (
            "/v1/applications/app-0000/payment",
            json!({ "amount_fen": 0 }),
        ),
        ("/v1/applications/app-0000/cancel", json!({})),
        ("/v1/applications/app-0000/receipt", json!({})),
        (
            "/v1/applications/app-0000/photo",
            json!({ "photo_jpeg": test_photo_base64() }),
        ),
        (
            "/v1/cards/card-0000/loss-reports",
            json!({ "kind": "temporary" }),
        ),
        ("/v1/cards/card-0000/loss-reports/release", json!({})),
        ("/v1/cards/card-0000/activation", json!({})),
        ("/v1/delegations/mandate-0000/consent", json!({})),
        ("/v1/delegations/mandate-0000/revoke", json!({})),
        ("/v1/credentials", json!({ "card_id": "card-0000" })),
        (
            "/v1/replacements",
            json!({ "card_id": "card-0000", "kind": "plain", "delivery": pickup() }),
        ),
        ("/v1/applications", new_card("person-0000", pickup())),
    ] {
        let answer = device.post(path, body).await;
        problem(&answer, 404, "not_found");
    }
    problem(
        &get(&platform, "/v1/status-lists/1").await,
        404,
        "not_found",
    );
    problem(
        &get(&platform, "/v1/status-lists/abc").await,
        404,
        "not_found",
    );
    problem(&get(&platform, "/v1/rules/110000").await, 404, "not_found");
    problem(&get(&platform, "/v1/rules/36").await, 422, "invalid_field");
    problem(&get(&platform, "/v1/nothing").await, 404, "not_found");
    problem(&get(&platform, "/").await, 404, "not_found");
    problem(
        &get(&platform, "/v1/applications/a/b/c").await,
        404,
        "not_found",
    );
    for (method, path, body) in [
        (
            Method::POST,
            "/admin/people/person-0000/cards",
            Some(json!({ "bank": "icbc" })),
        ),
        (
            Method::POST,
            "/admin/cards/card-0000/bank-account-closed",
            None,
        ),
        (Method::POST, "/admin/cards/card-0000/release", None),
        (
            Method::POST,
            "/admin/applications/app-0000/fail",
            Some(json!({ "reason": "x" })),
        ),
        (
            Method::POST,
            "/admin/delegations/mandate-0000/consent",
            None,
        ),
        (Method::DELETE, "/admin/catalogue/items/N-9999", None),
        (Method::DELETE, "/admin/outlets/O-99999", None),
    ] {
        let answer = admin(&platform, method, path, body).await;
        problem(&answer, 404, "not_found");
    }

    // A method a path does not have: 405 with a problem body and Allow.
    for (method, path) in [
        (Method::DELETE, "/v1/time"),
        (Method::PUT, "/v1/applications"),
        (Method::GET, "/v1/enrolments"),
        (Method::PATCH, "/admin/rules"),
    ] {
        let response = reqwest::Client::new()
            .request(method.clone(), format!("{}{path}", platform.url()))
            .send()
            .await
            .unwrap();
        let allow = response.headers().get("allow").cloned();
        let answer = ecard_e2e::answer(response).await;
        assert_eq!(answer.status, 405, "{method} {path}");
        assert_eq!(
            answer.content_type.as_deref(),
            Some("application/problem+json")
        );
        assert_eq!(answer.body["status"], 405);
        assert_eq!(answer.body["code"], "method_not_allowed");
        assert!(allow.is_some(), "{method} {path}: no Allow header");
        assert!(answer.server_time.is_some());
    }
    // A path parameter that is not UTF-8.
    let answer = device.get("/v1/applications/%FF%FE").await;
    problem(&answer, 400, "malformed_request");
    let answer = get(&platform, "/v1/rules/%C0").await;
    problem(&answer, 400, "malformed_request");

    // Wrong types in signed bodies.
    for (path, body) in [
        ("/v1/applications", json!({ "person_id": 7 })),
        ("/v1/applications", json!([])),
        ("/v1/delegations", json!({ "kind": "uncle" })),
        ("/v1/credentials", json!({ "card_id": 5 })),
        (
            "/v1/replacements",
            json!({ "card_id": "x", "kind": "gold", "delivery": pickup() }),
        ),
    ] {
        problem(&device.post(path, body).await, 400, "malformed_request");
    }
    let answer = device
        .send(
            "POST",
            "/v1/delegations",
            Some(b"not json".to_vec()),
            Some(&unique_key()),
            true,
        )
        .await;
    problem(&answer, 400, "malformed_request");
    // And a signed mutation without its key.
    let answer = device
        .send("POST", "/v1/credentials", Some(b"{}".to_vec()), None, true)
        .await;
    problem(&answer, 400, "idempotency_key_missing");

    assert_eq!(snapshot(&device).await, before);
}

// ---------------------------------------------------------------------------
// Feeds
