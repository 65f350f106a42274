//! The commercial cryptography suite (国密, SM2 with SM3) on the platform:
//! the sample deployment (Jiangxi) signs credentials, status lists, deltas
//! and trust lists with SM2; the issuer and the authority key rotate between
//! suites with overlap, so codes issued before and after a rotation both
//! verify at a terminal holding the new trust list; and a HarmonyOS phone
//! enrols with an SM2 device key, signs its requests with it and shows codes
//! a terminal accepts.

use super::*;
use ecard_api::paths;
use ecard_credential::{KeyStore as _, SignedStatusDelta, SignedStatusList, Suite};

/// The credentials of a set, parsed.
fn parsed(set: &Value) -> Vec<Credential> {
    set["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|issued| {
            let bytes = URL_SAFE_NO_PAD
                .decode(issued["credential"].as_str().unwrap())
                .unwrap();
            Credential::parse(&bytes).unwrap()
        })
        .collect()
}

/// The issuer suite every credential of a set names.
fn issuer_suite(set: &Value) -> Suite {
    let credentials = parsed(set);
    let suite = credentials[0].issuer_suite;
    assert!(credentials.iter().all(|c| c.issuer_suite == suite));
    suite
}

/// A new device of `suite` enrolled for the seeded persona of `role`.
async fn enrolled_with(platform: &TestPlatform, role: &str, suite: Suite) -> RawDevice {
    let persona = platform.persona(role).await;
    let mut device = RawDevice::with_suite(&platform.url(), suite);
    let answer = device
        .enrol(
            persona["id_number"].as_str().unwrap(),
            persona["name"].as_str().unwrap(),
        )
        .await;
    ok(&answer, 201);
    device
}

/// `r || s` as DER (`SEQUENCE { INTEGER r, INTEGER s }`), as HUKS and
/// Android Keystore hand signatures out.
fn der_signature(fixed: &[u8]) -> Vec<u8> {
    let integer = |half: &[u8]| {
        let start = half.iter().position(|&b| b != 0).unwrap_or(half.len() - 1);
        let mut value = half[start..].to_vec();
        if value[0] & 0x80 != 0 {
            value.insert(0, 0);
        }
        let mut der = vec![0x02, value.len() as u8];
        der.extend(value);
        der
    };
    let mut body = integer(&fixed[..32]);
    body.extend(integer(&fixed[32..]));
    let mut der = vec![0x30, body.len() as u8];
    der.extend(body);
    der
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sm2_the_sample_deployment_signs_with_sm2() {
    let platform = TestPlatform::start();
    assert_eq!(ecard_platform::SAMPLE_DEPLOYMENT_SUITE, Suite::Sm2);

    // The trust list: SM2 authority key, SM2 issuer key, signed in SM2.
    let pins = authority_keys(&platform).await;
    assert!(pins.iter().all(|key| key.suite == Suite::Sm2), "{pins:?}");
    let (signed, _) = signed_trust_list(&platform).await;
    assert_eq!(signed.suite, Suite::Sm2);
    let list = trust_list(&platform).await;
    assert_eq!(list.keys.len(), 1);
    assert_eq!(list.keys[0].suite, Suite::Sm2);

    // Credentials for a phone with a P-256 key (iOS, most Android).
    let elder = platform.enrol_persona("elder").await;
    let set = credentials(&elder, None).await;
    ok(&set, 201);
    assert_eq!(issuer_suite(&set.body), Suite::Sm2);
    assert!(
        parsed(&set.body)
            .iter()
            .all(|credential| credential.device_suite == Suite::EcdsaP256)
    );

    // The status list and its deltas are signed in SM2 and a terminal
    // takes both; the code verifies.
    let (mut verifier, now) = terminal(&platform, &[Purpose::Transport]).await;
    let (bytes, _) = status_list(&platform).await;
    let full = SignedStatusList::parse(&bytes).unwrap();
    assert_eq!(full.suite, Suite::Sm2);
    let code = code_from(&elder, &set.body, Purpose::Transport, now, 1);
    let verified = verifier.verify(&code, now).unwrap();
    assert_eq!(verified.issuer, "CN-MOHRSS");

    // A loss report: the delta since the terminal's edition, signed in
    // SM2, revokes the code.
    let since = full.list.sequence;
    let card_id = my_cards(&elder).await[0]["card_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reported = elder
        .post(
            &format!("/v1/cards/{card_id}/loss-reports"),
            json!({ "kind": "temporary" }),
        )
        .await;
    ok(&reported, 201);
    let answer = get(&platform, &format!("/v1/status-lists/0?since={since}")).await;
    ok(&answer, 200);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("application/vnd.ecard.status-delta")
    );
    let delta = STANDARD.decode(answer.body.as_str().unwrap()).unwrap();
    assert_eq!(SignedStatusDelta::parse(&delta).unwrap().suite, Suite::Sm2);
    let at = answer.server_time.unwrap();
    verifier.install_status_delta(&delta, at).unwrap();
    let code = code_from(&elder, &set.body, Purpose::Transport, at, 2);
    assert_eq!(
        verifier.verify(&code, at).unwrap_err(),
        VerifyError::Revoked
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sm2_rotation_between_suites_with_overlap() {
    // A platform that started on Ed25519 moves to SM2.
    let platform = TestPlatform::start_with_suite(Suite::Ed25519);
    let outgoing = authority_keys(&platform).await;
    assert_eq!(outgoing.len(), 1);
    assert_eq!(outgoing[0].suite, Suite::Ed25519);
    let mut anchor = TrustAnchor::new(outgoing.clone());
    let (first, now) = signed_trust_list(&platform).await;
    anchor.install(&first, now).unwrap();

    // The authority key: Ed25519 → SM2 with a day's overlap. The terminal
    // learns the SM2 key from an edition the Ed25519 key signs, then takes
    // the first edition the SM2 key signs.
    let rotated = admin(
        &platform,
        Method::POST,
        paths::ADMIN_AUTHORITY_ROTATE,
        Some(json!({ "suite": "sm2", "overlap_hours": 24 })),
    )
    .await;
    ok(&rotated, 200);
    let incoming: AuthorityKey = serde_json::from_value(rotated.body["key"].clone()).unwrap();
    assert_eq!(incoming.suite, Suite::Sm2);
    let (overlap, at) = signed_trust_list(&platform).await;
    assert_eq!(overlap.suite, Suite::Ed25519);
    anchor.install(&overlap, at).unwrap();
    advance(&platform, 25 * 3_600).await;
    let (after, later) = signed_trust_list(&platform).await;
    assert_eq!(after.authority_key_id, incoming.key_id);
    assert_eq!(after.suite, Suite::Sm2);
    anchor.install(&after, later).unwrap();

    // The issuer key: Ed25519 → SM2 → P-256 → SM2 → Ed25519, a credential
    // set issued under each.
    let elder = platform.enrol_persona("elder").await;
    let mut sets = Vec::new();
    let first_set = credentials(&elder, None).await;
    ok(&first_set, 201);
    assert_eq!(issuer_suite(&first_set.body), Suite::Ed25519);
    sets.push(first_set.body);
    for (number, suite) in [Suite::Sm2, Suite::EcdsaP256, Suite::Sm2, Suite::Ed25519]
        .into_iter()
        .enumerate()
    {
        let rotated = admin(
            &platform,
            Method::POST,
            "/admin/issuer/rotate",
            Some(json!({ "suite": suite.name() })),
        )
        .await;
        ok(&rotated, 200);
        assert_eq!(rotated.body["key_id"], number + 2);
        let set = credentials(&elder, None).await;
        ok(&set, 201);
        assert_eq!(issuer_suite(&set.body), suite);
        sets.push(set.body);
        // The status list is signed by the new key, in its suite.
        let (bytes, _) = status_list(&platform).await;
        assert_eq!(SignedStatusList::parse(&bytes).unwrap().suite, suite);
    }

    // The terminal takes the new edition through its pinned SM2 authority
    // key; it holds every issuer key whose credentials may still live, and
    // codes from credentials issued before and after each rotation verify.
    let (signed, at) = signed_trust_list(&platform).await;
    assert_eq!(signed.suite, Suite::Sm2);
    let list = anchor.install(&signed, at).unwrap().clone();
    let suites: Vec<Suite> = list.keys.iter().map(|key| key.suite).collect();
    assert_eq!(
        suites,
        [
            Suite::Ed25519,
            Suite::Sm2,
            Suite::EcdsaP256,
            Suite::Sm2,
            Suite::Ed25519
        ]
    );
    let mut verifier =
        Verifier::new(&list, VerifierPolicy::for_purposes(&[Purpose::Transport])).unwrap();
    let (bytes, now) = status_list(&platform).await;
    verifier.install_status_list(&bytes, now).unwrap();
    for (counter, set) in sets.iter().enumerate() {
        let code = code_from(&elder, set, Purpose::Transport, now, counter as u32 + 1);
        let verified = verifier.verify(&code, now).unwrap();
        assert_eq!(verified.issuer, "CN-MOHRSS");
    }
    // Once the retired keys' credentials have all expired, only the last
    // key stays.
    advance(&platform, 4 * DAY).await;
    let (signed, later) = signed_trust_list(&platform).await;
    let list = anchor.install(&signed, later).unwrap();
    assert_eq!(list.keys.len(), 1);
    assert_eq!(list.keys[0].suite, Suite::Ed25519);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sm2_a_harmony_phone_enrols_with_an_sm2_key_and_its_codes_verify() {
    // The sample deployment: an SM2 issuer.
    let platform = TestPlatform::start();
    // The elder's HarmonyOS phone (HUKS, SM2), then their iPhone (Secure
    // Enclave, P-256) enrolled as a second device of the same account.
    for device_suite in [Suite::Sm2, Suite::EcdsaP256] {
        let device = enrolled_with(&platform, "elder", device_suite).await;

        // Signed requests with the device key work.
        let devices = device.get(paths::MY_DEVICES).await;
        ok(&devices, 200);
        let listed = devices.body.as_array().unwrap();
        let current = listed
            .iter()
            .find(|entry| entry["current"] == true)
            .unwrap();
        assert_eq!(current["suite"], device_suite.name());
        // Key stores hand out DER signatures; the platform takes those too.
        let mut headers = owned(device.signature("GET", "/v1/me", b""));
        let fixed = URL_SAFE_NO_PAD.decode(&headers[3].1).unwrap();
        headers[3].1 = URL_SAFE_NO_PAD.encode(der_signature(&fixed));
        let answer = device
            .send_with_headers("GET", "/v1/me", vec![], &headers)
            .await;
        ok(&answer, 200);
        // A signature by another key of the same suite is refused.
        let stranger = RawDevice::with_suite(&platform.url(), device_suite);
        let mut headers = owned(device.signature("GET", "/v1/me", b""));
        headers[3].1 = owned(stranger.signature("GET", "/v1/me", b""))[3].1.clone();
        let answer = device
            .send_with_headers("GET", "/v1/me", vec![], &headers)
            .await;
        problem(&answer, 401, "unauthenticated");

        // Credentials bind the device key in its suite, under the SM2 issuer.
        let set = credentials(&device, None).await;
        ok(&set, 201);
        let public = device.keys.public_key("device").unwrap();
        for credential in parsed(&set.body) {
            assert_eq!(credential.issuer_suite, Suite::Sm2);
            assert_eq!(credential.device_suite, device_suite);
            assert_eq!(credential.device_key().unwrap(), public);
        }

        // A code from it verifies at a terminal, once.
        let (mut verifier, now) = terminal(&platform, &[Purpose::Transport]).await;
        let code = code_from(&device, &set.body, Purpose::Transport, now, 1);
        assert!(code.len() <= 301, "QR version 10: {}", code.len());
        let verified = verifier.verify(&code, now).unwrap();
        assert_eq!(verified.purpose, Purpose::Transport);
        assert_eq!(verified.issuer, "CN-MOHRSS");
        assert_eq!(
            verifier.verify(&code, now).unwrap_err(),
            VerifyError::Replayed
        );
    }
}
