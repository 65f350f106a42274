//! Scan-to-login (扫码登录) in the shape of OpenID Connect: registration,
//! discovery, the authorization request and its QR code, the phone's
//! decision, the browser's way back, the token endpoint with PKCE and
//! userinfo — and the abuse cases: unregistered redirect URIs, wrong
//! secrets and verifiers, replayed codes, expired and twice-decided
//! requests, scopes not registered, family members without a login mandate.

use super::*;

/// RFC 7636 appendix B: a verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "https://rp.example/callback";

/// A registered relying party.
struct Client {
    id: String,
    secret: String,
}

async fn register(platform: &TestPlatform, name: &str, scopes: Value) -> Client {
    let answer = admin(
        platform,
        Method::POST,
        "/admin/relying-parties",
        Some(json!({
            "name": name, "kind": "website",
            "redirect_uris": [REDIRECT, "http://127.0.0.1:9/cb"], "scopes": scopes,
        })),
    )
    .await;
    ok(&answer, 201);
    assert!(
        answer.body["client_secret"]
            .as_str()
            .unwrap()
            .starts_with("rps_")
    );
    Client {
        id: answer.body["client_id"].as_str().unwrap().to_owned(),
        secret: answer.body["client_secret"].as_str().unwrap().to_owned(),
    }
}

/// A browser's answer: status, `Location`, and the page's text.
struct Page {
    status: u16,
    location: Option<String>,
    text: String,
}

impl Page {
    /// The login QR code's text on the page.
    fn login_code(&self) -> String {
        let start = self.text.find("ECLOGIN1:").expect("a login code");
        let end = self.text[start..].find('<').unwrap() + start;
        self.text[start..end].to_owned()
    }

    /// The continue link on the page.
    fn continue_path(&self) -> String {
        let start = self.text.find("href=\"/oauth/continue/").expect("a link") + 6;
        let end = self.text[start..].find('"').unwrap() + start;
        self.text[start..end].to_owned()
    }

    /// A query parameter of the redirect.
    fn redirect_parameter(&self, name: &str) -> Option<String> {
        let location = self.location.as_deref()?;
        let query = location.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.replace("%20", " "))
        })
    }
}

/// A browser's GET: no redirects followed, the exchange recorded.
async fn browse(platform: &TestPlatform, path: &str) -> Page {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client
        .get(format!("{}{path}", platform.url()))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned());
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned());
    let server_time = response
        .headers()
        .get("x-ecard-server-time")
        .and_then(|value| value.to_str().ok()?.parse().ok());
    let text = response.text().await.unwrap();
    let answer = RawAnswer {
        status,
        body: if text.is_empty() {
            Value::Null
        } else {
            Value::String(text.clone())
        },
        etag: None,
        server_time,
        content_type,
        retry_after: None,
    };
    ecard_e2e::record("GET", path, &[], &answer);
    Page {
        status,
        location,
        text,
    }
}

fn encode(value: &str) -> String {
    ecard_api::paths::with_id("{id}", value)
}

/// The authorization request's query, with some parameters replaced or
/// dropped (`None`).
fn authorize_path(client: &Client, changes: &[(&str, Option<&str>)]) -> String {
    let mut parameters = vec![
        ("response_type", Some("code".to_owned())),
        ("client_id", Some(client.id.clone())),
        ("redirect_uri", Some(REDIRECT.to_owned())),
        ("scope", Some("openid profile id_number".to_owned())),
        ("state", Some("state-1".to_owned())),
        ("nonce", Some("nonce-1".to_owned())),
        ("code_challenge", Some(CHALLENGE.to_owned())),
        ("code_challenge_method", Some("S256".to_owned())),
    ];
    for (name, value) in changes {
        let slot = parameters
            .iter_mut()
            .find(|(key, _)| key == name)
            .expect("a known parameter");
        slot.1 = value.map(str::to_owned);
    }
    let query: Vec<String> = parameters
        .into_iter()
        .filter_map(|(name, value)| Some(format!("{name}={}", encode(&value?))))
        .collect();
    format!("/oauth/authorize?{}", query.join("&"))
}

/// Starts a login: the page with its QR code.
async fn start(platform: &TestPlatform, client: &Client, scope: &str) -> Page {
    let page = browse(platform, &authorize_path(client, &[("scope", Some(scope))])).await;
    assert_eq!(page.status, 200, "{}", page.text);
    page
}

fn request_id(page: &Page) -> String {
    page.login_code()
        .strip_prefix("ECLOGIN1:")
        .unwrap()
        .to_owned()
}

/// Approves a login request from a raw device with its PIN.
async fn approve(device: &RawDevice, request_id: &str, on_behalf_of: Option<&str>) -> RawAnswer {
    let mut body = json!({});
    if let Some(delegation) = on_behalf_of {
        body["on_behalf_of"] = json!(delegation);
    }
    device
        .post_with_pin(
            &format!("/v1/login-requests/{request_id}/approve"),
            body,
            "approve_login",
        )
        .await
}

/// The browser continues after the approval: the code from the redirect.
async fn code_after(platform: &TestPlatform, page: &Page) -> String {
    let back = browse(platform, &page.continue_path()).await;
    assert_eq!(back.status, 302, "{}", back.text);
    assert!(
        back.location.as_deref().unwrap().starts_with(REDIRECT),
        "{:?}",
        back.location
    );
    assert_eq!(back.redirect_parameter("state").as_deref(), Some("state-1"));
    back.redirect_parameter("code").expect("a code")
}

/// How the client authenticates at the token endpoint.
#[derive(Clone, Copy)]
enum ClientAuth {
    Basic,
    Post,
}

async fn redeem_with(
    platform: &TestPlatform,
    client: &Client,
    secret: &str,
    auth: ClientAuth,
    fields: &[(&str, &str)],
) -> RawAnswer {
    let mut form: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect();
    let mut request = reqwest::Client::new()
        .post(format!("{}/oauth/token", platform.url()))
        .header("content-type", "application/x-www-form-urlencoded");
    match auth {
        ClientAuth::Basic => {
            let pair = format!("{}:{}", encode(&client.id), encode(secret));
            request = request.header("authorization", format!("Basic {}", STANDARD.encode(pair)));
        }
        ClientAuth::Post => {
            form.push(format!("client_id={}", encode(&client.id)));
            form.push(format!("client_secret={}", encode(secret)));
        }
    }
    let body = form.join("&");
    let answer = ecard_e2e::answer(request.body(body.clone()).send().await.unwrap()).await;
    ecard_e2e::record("POST", "/oauth/token", body.as_bytes(), &answer);
    answer
}

/// A token request with owned field values.
async fn send(
    platform: &TestPlatform,
    client: &Client,
    secret: &str,
    auth: ClientAuth,
    fields: Vec<(&'static str, String)>,
) -> RawAnswer {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    redeem_with(platform, client, secret, auth, &borrowed).await
}

async fn redeem(platform: &TestPlatform, client: &Client, code: &str) -> RawAnswer {
    redeem_with(
        platform,
        client,
        &client.secret,
        ClientAuth::Basic,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

#[track_caller]
fn oauth_refused(answer: &RawAnswer, status: u16, error: &str) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert_eq!(answer.body["error"], error, "{:?}", answer.body);
    assert!(answer.body["error_description"].is_string());
}

async fn userinfo(platform: &TestPlatform, access_token: &str) -> RawAnswer {
    let answer = ecard_e2e::answer(
        reqwest::Client::new()
            .get(format!("{}/oauth/userinfo", platform.url()))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    ecard_e2e::record("GET", "/oauth/userinfo", &[], &answer);
    answer
}

/// The ID token's claims after checking its ES256 signature with the key
/// the JWK set names.
async fn verified_claims(platform: &TestPlatform, id_token: &str) -> Value {
    let jwks = get(platform, "/oauth/jwks").await;
    ok(&jwks, 200);
    let parts: Vec<&str> = id_token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "ES256");
    let key = jwks.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == header["kid"])
        .expect("the token's key is in the JWK set");
    let mut point = vec![4u8];
    point.extend(URL_SAFE_NO_PAD.decode(key["x"].as_str().unwrap()).unwrap());
    point.extend(URL_SAFE_NO_PAD.decode(key["y"].as_str().unwrap()).unwrap());
    let public =
        ecard_credential::PublicKey::from_bytes(ecard_credential::Suite::EcdsaP256, &point)
            .unwrap();
    let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    assert!(
        public.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature),
        "the ID token's signature verifies"
    );
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

/// A whole login by `device` for `client`: the token answer.
async fn log_in(
    platform: &TestPlatform,
    client: &Client,
    device: &RawDevice,
    scope: &str,
    on_behalf_of: Option<&str>,
) -> RawAnswer {
    let page = start(platform, client, scope).await;
    ok(
        &approve(device, &request_id(&page), on_behalf_of).await,
        200,
    );
    let code = code_after(platform, &page).await;
    let tokens = redeem(platform, client, &code).await;
    ok(&tokens, 200);
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_core_approves_a_login_and_the_relying_party_gets_verified_claims() {
    let platform = TestPlatform::start();
    let client = register(
        &platform,
        "南昌市人社网上办事大厅",
        json!(["profile", "id_number"]),
    )
    .await;

    let discovery = get(&platform, "/.well-known/openid-configuration").await;
    ok(&discovery, 200);
    assert_eq!(discovery.body["issuer"], platform.url());
    assert_eq!(
        discovery.body["jwks_uri"],
        format!("{}/oauth/jwks", platform.url())
    );
    assert_eq!(
        discovery.body["code_challenge_methods_supported"],
        json!(["S256"])
    );

    let page = start(&platform, &client, "openid profile id_number").await;
    assert!(page.text.contains("南昌市人社网上办事大厅"));
    let code_text = page.login_code();

    // The phone: the scan is a login code; the app reads who asks from the platform.
    let data = tempfile::tempdir().unwrap();
    let phone = ecard_e2e::open_client(&platform.url(), data.path()).await;
    let resident = platform.persona("resident").await;
    ecard_e2e::enrol(&phone, &platform.url(), ecard_e2e::identity_of(&resident))
        .await
        .unwrap();
    let ecard_core::ScannedText::Login(code) = ecard_core::classify_scan(&code_text) else {
        panic!("{code_text} is a login code");
    };
    let shown = phone.login_request(&code.request_id).await.unwrap();
    assert_eq!(shown.relying_party.name, "南昌市人社网上办事大厅");
    assert_eq!(shown.relying_party.client_id, client.id);
    assert_eq!(
        shown.relying_party.kind,
        ecard_api::login::RelyingPartyKind::Website
    );
    assert_eq!(
        shown.scopes,
        [
            ecard_api::login::ClaimScope::Openid,
            ecard_api::login::ClaimScope::Profile,
            ecard_api::login::ClaimScope::IdNumber
        ]
    );
    assert_eq!(shown.status, ecard_api::login::LoginRequestStatus::Pending);
    // A wrong PIN approves nothing.
    let wrong = phone
        .approve_login(&code.request_id, "246813", None)
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "pin_wrong");
    let decision = phone
        .approve_login(&code.request_id, ecard_e2e::TEST_PIN, None)
        .await
        .unwrap();
    assert_eq!(
        decision.status,
        ecard_api::login::LoginRequestStatus::Approved
    );

    // The browser goes back with a code; the relying party redeems it.
    let code = code_after(&platform, &page).await;
    let tokens = redeem(&platform, &client, &code).await;
    ok(&tokens, 200);
    assert_eq!(tokens.body["token_type"], "Bearer");
    assert_eq!(tokens.body["scope"], "openid profile id_number");
    let claims = verified_claims(&platform, tokens.body["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["iss"], platform.url());
    assert_eq!(claims["aud"], client.id.as_str());
    assert_eq!(claims["nonce"], "nonce-1");
    assert_eq!(claims["name"], resident["name"]);
    assert_eq!(claims["id_number"], resident["id_number"]);
    assert!(claims.get("act").is_none());
    assert!(claims.get("social_security").is_none(), "not asked for");
    assert_eq!(claims["sub"].as_str().unwrap().len(), 22);
    assert!(claims["exp"].as_u64().unwrap() > claims["iat"].as_u64().unwrap());
    assert!(claims["auth_time"].as_u64().unwrap() <= claims["iat"].as_u64().unwrap());
    let info = userinfo(&platform, tokens.body["access_token"].as_str().unwrap()).await;
    ok(&info, 200);
    assert_eq!(info.body["sub"], claims["sub"]);
    assert_eq!(info.body["name"], resident["name"]);

    // The browser cannot take a second code.
    let again = browse(&platform, &page.continue_path()).await;
    assert_eq!(again.status, 400);
    assert!(again.location.is_none());

    // The phone lists the authorisation and revokes it: userinfo stops.
    let listed = phone.authorisations().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].for_self);
    assert_eq!(listed[0].relying_party.client_id, client.id);
    let revoked = phone
        .revoke_authorisation(&listed[0].authorisation_id)
        .await
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    oauth_refused(
        &userinfo(&platform, tokens.body["access_token"].as_str().unwrap()).await,
        401,
        "invalid_token",
    );
    let twice = phone
        .revoke_authorisation(&listed[0].authorisation_id)
        .await
        .unwrap_err();
    assert_eq!(twice.code(), "invalid_state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unregistered_clients_and_redirect_uris_get_an_error_page_never_a_redirect() {
    let platform = TestPlatform::start();
    let client = register(&platform, "自助服务终端", json!(["profile"])).await;
    let unknown = Client {
        id: "rp-unknown".into(),
        secret: String::new(),
    };
    for path in [
        authorize_path(&unknown, &[]),
        authorize_path(
            &client,
            &[("redirect_uri", Some("https://evil.example/callback"))],
        ),
        authorize_path(
            &client,
            &[("redirect_uri", Some("https://rp.example/callback/"))],
        ),
        authorize_path(&client, &[("redirect_uri", None)]),
        authorize_path(&client, &[("client_id", None)]),
        format!(
            "{}&redirect_uri={}",
            authorize_path(&client, &[]),
            encode("https://evil.example/cb")
        ),
    ] {
        let page = browse(&platform, &path).await;
        assert_eq!(page.status, 400, "{path}");
        assert!(page.location.is_none(), "{path}");
        assert!(!page.text.contains("ECLOGIN1:"), "{path}");
    }
    // The registered redirect URI gets the error back, with the state.
    for (changes, error) in [
        (vec![("code_challenge", None)], "invalid_request"),
        (
            vec![("code_challenge_method", Some("plain"))],
            "invalid_request",
        ),
        (vec![("code_challenge_method", None)], "invalid_request"),
        (vec![("code_challenge", Some("short"))], "invalid_request"),
        (vec![("scope", Some("profile"))], "invalid_scope"),
        (
            vec![("response_type", Some("token"))],
            "unsupported_response_type",
        ),
        (vec![("nonce", None)], "invalid_request"),
        (vec![("state", None)], "invalid_request"),
    ] {
        let page = browse(&platform, &authorize_path(&client, &changes)).await;
        assert_eq!(page.status, 302, "{changes:?}");
        assert!(page.location.as_deref().unwrap().starts_with(REDIRECT));
        assert_eq!(
            page.redirect_parameter("error").as_deref(),
            Some(error),
            "{changes:?}"
        );
    }
    // Registration refuses redirect URIs that are not https or loopback.
    for uris in [
        json!(["http://rp.example/cb"]),
        json!(["https://rp.example/cb#x"]),
        json!(["http://127.0.0.1.evil.example/cb"]),
        json!([]),
    ] {
        let answer = admin(
            &platform,
            Method::POST,
            "/admin/relying-parties",
            Some(json!({ "name": "x", "kind": "website", "redirect_uris": uris, "scopes": [] })),
        )
        .await;
        problem(&answer, 422, "invalid_field");
    }
    let unauthorised = public(
        &platform,
        Method::POST,
        "/admin/relying-parties",
        Some(
            json!({ "name": "x", "kind": "website", "redirect_uris": [REDIRECT], "scopes": [] })
                .to_string()
                .into_bytes(),
        ),
        &[],
    )
    .await;
    problem(&unauthorised, 401, "unauthenticated");
    let lost = browse(&platform, "/oauth/continue/no-such-handle").await;
    assert_eq!(lost.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_needs_its_client_secret_redirect_and_verifier_and_is_redeemed_once() {
    let platform = TestPlatform::start();
    let client = register(&platform, "网上办事大厅", json!(["profile"])).await;
    let other = register(&platform, "另一个网站", json!(["profile"])).await;
    let resident = platform.enrol_persona("resident").await;
    let page = start(&platform, &client, "openid profile").await;
    ok(&approve(&resident, &request_id(&page), None).await, 200);
    let code = code_after(&platform, &page).await;
    let fields =
        |code: &str, redirect: &str, verifier: Option<&str>| -> Vec<(&'static str, String)> {
            let mut fields = vec![
                ("grant_type", "authorization_code".to_owned()),
                ("code", code.to_owned()),
                ("redirect_uri", redirect.to_owned()),
            ];
            if let Some(verifier) = verifier {
                fields.push(("code_verifier", verifier.to_owned()));
            }
            fields
        };
    // Wrong secret, either way of sending it; no authentication at all.
    oauth_refused(
        &send(
            &platform,
            &client,
            "rps_wrong",
            ClientAuth::Basic,
            fields(&code, REDIRECT, Some(VERIFIER)),
        )
        .await,
        401,
        "invalid_client",
    );
    oauth_refused(
        &send(
            &platform,
            &client,
            "rps_wrong",
            ClientAuth::Post,
            fields(&code, REDIRECT, Some(VERIFIER)),
        )
        .await,
        401,
        "invalid_client",
    );
    let anonymous = ecard_e2e::answer(
        reqwest::Client::new()
            .post(format!("{}/oauth/token", platform.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("grant_type=authorization_code&code={code}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    oauth_refused(&anonymous, 401, "invalid_client");
    // Another client's credentials, another redirect URI, no or a wrong verifier.
    oauth_refused(
        &send(
            &platform,
            &other,
            &other.secret,
            ClientAuth::Basic,
            fields(&code, REDIRECT, Some(VERIFIER)),
        )
        .await,
        400,
        "invalid_grant",
    );
    oauth_refused(
        &send(
            &platform,
            &client,
            &client.secret,
            ClientAuth::Basic,
            fields(&code, "http://127.0.0.1:9/cb", Some(VERIFIER)),
        )
        .await,
        400,
        "invalid_grant",
    );
    oauth_refused(
        &send(
            &platform,
            &client,
            &client.secret,
            ClientAuth::Basic,
            fields(&code, REDIRECT, None),
        )
        .await,
        400,
        "invalid_grant",
    );
    oauth_refused(
        &send(
            &platform,
            &client,
            &client.secret,
            ClientAuth::Basic,
            fields(&code, REDIRECT, Some(&"a".repeat(43))),
        )
        .await,
        400,
        "invalid_grant",
    );
    let mut wrong_grant = fields(&code, REDIRECT, Some(VERIFIER));
    wrong_grant[0].1 = "client_credentials".into();
    oauth_refused(
        &send(
            &platform,
            &client,
            &client.secret,
            ClientAuth::Basic,
            wrong_grant,
        )
        .await,
        400,
        "unsupported_grant_type",
    );
    // The right client, redirect URI and verifier (client_secret_post).
    let tokens = send(
        &platform,
        &client,
        &client.secret,
        ClientAuth::Post,
        fields(&code, REDIRECT, Some(VERIFIER)),
    )
    .await;
    ok(&tokens, 200);
    let access_token = tokens.body["access_token"].as_str().unwrap().to_owned();
    ok(&userinfo(&platform, &access_token).await, 200);
    // A replayed code is refused and revokes what the first redemption issued.
    oauth_refused(
        &redeem(&platform, &client, &code).await,
        400,
        "invalid_grant",
    );
    oauth_refused(
        &userinfo(&platform, &access_token).await,
        401,
        "invalid_token",
    );
    let listed = resident.get("/v1/me/authorisations").await;
    ok(&listed, 200);
    assert!(listed.body[0]["revoked_at"].is_u64(), "{:?}", listed.body);
    oauth_refused(
        &userinfo(&platform, "not-a-token").await,
        401,
        "invalid_token",
    );

    // A code not redeemed within its minute is dead.
    let page = start(&platform, &client, "openid").await;
    ok(&approve(&resident, &request_id(&page), None).await, 200);
    let code = code_after(&platform, &page).await;
    advance(&platform, 61).await;
    oauth_refused(
        &redeem(&platform, &client, &code).await,
        400,
        "invalid_grant",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_request_is_decided_once_and_only_while_it_lasts() {
    let platform = TestPlatform::start();
    let client = register(&platform, "社保服务窗口", json!(["profile"])).await;
    let resident = platform.enrol_persona("resident").await;

    // Unknown ids.
    problem(
        &resident.get("/v1/login-requests/lr-unknown").await,
        404,
        "not_found",
    );
    problem(
        &resident
            .post_with_pin(
                "/v1/login-requests/lr-unknown/approve",
                json!({}),
                "approve_login",
            )
            .await,
        404,
        "not_found",
    );

    // Without a PIN grant nothing is approved; the request still waits.
    let page = start(&platform, &client, "openid profile").await;
    let id = request_id(&page);
    let path = format!("/v1/login-requests/{id}/approve");
    problem(&resident.post(&path, json!({})).await, 403, "pin_required");
    let shown = resident.get(&format!("/v1/login-requests/{id}")).await;
    ok(&shown, 200);
    assert_eq!(shown.body["status"], "pending");
    assert_eq!(shown.body["relying_party"]["name"], "社保服务窗口");
    let waiting = browse(&platform, &page.continue_path()).await;
    assert_eq!(waiting.status, 200);
    assert_eq!(waiting.login_code(), page.login_code());

    // Approving twice: the second is refused.
    ok(&approve(&resident, &id, None).await, 200);
    problem(
        &approve(&resident, &id, None).await,
        409,
        "login_request_ended",
    );
    problem(
        &resident
            .post(&format!("/v1/login-requests/{id}/deny"), json!({}))
            .await,
        409,
        "login_request_ended",
    );
    assert_eq!(
        resident.get(&format!("/v1/login-requests/{id}")).await.body["status"],
        "approved"
    );

    // Denied: the browser goes back with access_denied.
    let page = start(&platform, &client, "openid profile").await;
    let id = request_id(&page);
    let denied = resident
        .post(&format!("/v1/login-requests/{id}/deny"), json!({}))
        .await;
    ok(&denied, 200);
    assert_eq!(denied.body["status"], "denied");
    problem(
        &approve(&resident, &id, None).await,
        409,
        "login_request_ended",
    );
    let back = browse(&platform, &page.continue_path()).await;
    assert_eq!(back.status, 302);
    assert_eq!(
        back.redirect_parameter("error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(back.redirect_parameter("state").as_deref(), Some("state-1"));

    // Expired after two minutes: not approvable, and the browser is told.
    let page = start(&platform, &client, "openid profile").await;
    let id = request_id(&page);
    advance(&platform, 121).await;
    let shown = resident.get(&format!("/v1/login-requests/{id}")).await;
    ok(&shown, 200);
    assert_eq!(shown.body["status"], "expired");
    problem(
        &approve(&resident, &id, None).await,
        409,
        "login_request_ended",
    );
    let back = browse(&platform, &page.continue_path()).await;
    assert_eq!(back.status, 302);
    assert_eq!(
        back.redirect_parameter("error").as_deref(),
        Some("access_denied")
    );
    assert!(back.redirect_parameter("code").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_scopes_registered_and_approved_are_granted() {
    let platform = TestPlatform::start();
    let client = register(&platform, "只读姓名的网站", json!(["profile"])).await;
    let elder = platform.enrol_persona("elder").await;
    let page = start(
        &platform,
        &client,
        "openid profile id_number social_security email",
    )
    .await;
    let shown = elder
        .get(&format!("/v1/login-requests/{}", request_id(&page)))
        .await;
    ok(&shown, 200);
    assert_eq!(shown.body["scopes"], json!(["openid", "profile"]));
    ok(&approve(&elder, &request_id(&page), None).await, 200);
    let code = code_after(&platform, &page).await;
    let tokens = redeem(&platform, &client, &code).await;
    ok(&tokens, 200);
    assert_eq!(tokens.body["scope"], "openid profile");
    let claims = verified_claims(&platform, tokens.body["id_token"].as_str().unwrap()).await;
    assert!(claims.get("id_number").is_none());
    assert!(claims.get("social_security").is_none());
    let info = userinfo(&platform, tokens.body["access_token"].as_str().unwrap()).await;
    assert!(info.body.get("id_number").is_none());

    // A relying party registered for the card sees it (the elder has one).
    let card_reader = register(&platform, "医保服务", json!(["social_security"])).await;
    let tokens = log_in(
        &platform,
        &card_reader,
        &elder,
        "openid social_security",
        None,
    )
    .await;
    let claims = verified_claims(&platform, tokens.body["id_token"].as_str().unwrap()).await;
    assert!(
        claims["social_security"]["card_number"].is_string(),
        "{claims}"
    );
    assert!(claims.get("name").is_none());
    // Pairwise subjects: the same person, two relying parties, two names.
    let first = log_in(&platform, &client, &elder, "openid", None).await;
    let first = verified_claims(&platform, first.body["id_token"].as_str().unwrap()).await;
    assert_ne!(first["sub"], claims["sub"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_member_logs_in_for_an_elder_only_under_a_login_mandate() {
    let platform = TestPlatform::start();
    let client = register(&platform, "养老金资格认证", json!(["profile", "id_number"])).await;
    let helper = platform.enrol_persona("resident").await;
    let elder_device = platform.enrol_persona("elder").await;
    let elder = platform.persona("elder").await;
    let mandate = |scopes: Value| {
        json!({
            "kind": "family_proxy", "relationship": "child", "scopes": scopes,
            "principal": { "id_type": "resident_id", "id_number": elder["id_number"], "name": elder["name"] },
        })
    };
    let consented = |scopes: Value| {
        let helper = &helper;
        let elder_device = &elder_device;
        let request = mandate(scopes);
        async move {
            let asked = helper
                .post_with_pin("/v1/delegations", request, "accept_mandate")
                .await;
            ok(&asked, 201);
            let id = asked.body["delegation_id"].as_str().unwrap().to_owned();
            ok(
                &elder_device
                    .post_with_pin(
                        &format!("/v1/delegations/{id}/consent"),
                        json!({}),
                        "consent_mandate",
                    )
                    .await,
                200,
            );
            id
        }
    };

    // A mandate without `login` does not let the helper log in for her.
    let tracking = consented(json!(["track"])).await;
    let page = start(&platform, &client, "openid profile id_number").await;
    let id = request_id(&page);
    problem(
        &approve(&helper, &id, Some(&tracking)).await,
        403,
        "scope_not_allowed",
    );
    // Someone else's mandate is not found.
    problem(
        &approve(&elder_device, &id, Some(&tracking)).await,
        404,
        "not_found",
    );
    ok(
        &helper
            .post(&format!("/v1/delegations/{tracking}/revoke"), json!({}))
            .await,
        200,
    );

    // With `login`: the claims are the elder's, the actor is the helper.
    let login = consented(json!(["track", "login"])).await;
    ok(&approve(&helper, &id, Some(&login)).await, 200);
    let code = code_after(&platform, &page).await;
    let tokens = redeem(&platform, &client, &code).await;
    ok(&tokens, 200);
    let on_behalf = verified_claims(&platform, tokens.body["id_token"].as_str().unwrap()).await;
    assert_eq!(on_behalf["name"], elder["name"]);
    assert_eq!(on_behalf["id_number"], elder["id_number"]);
    let by_herself = log_in(&platform, &client, &elder_device, "openid", None).await;
    let by_herself =
        verified_claims(&platform, by_herself.body["id_token"].as_str().unwrap()).await;
    assert_eq!(
        on_behalf["sub"], by_herself["sub"],
        "the elder's own subject"
    );
    assert!(by_herself.get("act").is_none());
    let helper_self = log_in(&platform, &client, &helper, "openid", None).await;
    let helper_self =
        verified_claims(&platform, helper_self.body["id_token"].as_str().unwrap()).await;
    assert_eq!(
        on_behalf["act"]["sub"], helper_self["sub"],
        "the helper acts"
    );

    // Both see it; the elder can revoke it, and the tokens stop.
    let helpers = helper.get("/v1/me/authorisations").await;
    ok(&helpers, 200);
    let made_for_her = helpers
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["on_behalf_of"] == login.as_str())
        .unwrap()
        .clone();
    assert_eq!(made_for_her["for_self"], false);
    let hers = elder_device.get("/v1/me/authorisations").await;
    ok(&hers, 200);
    assert!(
        hers.body
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["authorisation_id"] == made_for_her["authorisation_id"])
    );
    let revoked = elder_device
        .post(
            &format!(
                "/v1/me/authorisations/{}/revoke",
                made_for_her["authorisation_id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    ok(&revoked, 200);
    oauth_refused(
        &userinfo(&platform, tokens.body["access_token"].as_str().unwrap()).await,
        401,
        "invalid_token",
    );
    // Ending the mandate ends the logins made under it.
    let again = log_in(&platform, &client, &helper, "openid profile", Some(&login)).await;
    let again_token = again.body["access_token"].as_str().unwrap().to_owned();
    ok(&userinfo(&platform, &again_token).await, 200);
    ok(
        &helper
            .post(&format!("/v1/delegations/{login}/revoke"), json!({}))
            .await,
        200,
    );
    oauth_refused(
        &userinfo(&platform, &again_token).await,
        401,
        "invalid_token",
    );
    problem(
        &approve(
            &helper,
            &request_id(&start(&platform, &client, "openid").await),
            Some(&login),
        )
        .await,
        403,
        "authority_ended",
    );
    // Nobody else can revoke it (or see that it exists).
    let (_, stranger_number) = platform.add_person("王芳", "19850101", "123", &[]).await;
    let mut stranger = RawDevice::new(&platform.url());
    ok(&stranger.enrol(&stranger_number, "王芳").await, 201);
    problem(
        &stranger
            .post(
                &format!(
                    "/v1/me/authorisations/{}/revoke",
                    made_for_her["authorisation_id"].as_str().unwrap()
                ),
                json!({}),
            )
            .await,
        404,
        "not_found",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whoever_approves_is_who_logs_in() {
    let platform = TestPlatform::start();
    let client = register(&platform, "柜台电脑", json!(["profile"])).await;
    let resident = platform.enrol_persona("resident").await;
    let elder_device = platform.enrol_persona("elder").await;
    let elder = platform.persona("elder").await;
    // The resident's phone scanned it, but the elder's account approves.
    let page = start(&platform, &client, "openid profile").await;
    let id = request_id(&page);
    ok(
        &resident.get(&format!("/v1/login-requests/{id}")).await,
        200,
    );
    ok(&approve(&elder_device, &id, None).await, 200);
    let code = code_after(&platform, &page).await;
    let tokens = redeem(&platform, &client, &code).await;
    ok(&tokens, 200);
    let claims = verified_claims(&platform, tokens.body["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["name"], elder["name"]);
    let listed = resident.get("/v1/me/authorisations").await;
    ok(&listed, 200);
    assert_eq!(
        listed.body,
        json!([]),
        "nothing was authorised by or for the resident"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minors_own_logins_follow_the_regions_rules() {
    let platform = TestPlatform::start();
    let client = register(&platform, "职业学校教务系统", json!(["profile"])).await;
    let student = platform.enrol_persona("student").await;
    // By default a 16-year-old logs in himself.
    log_in(&platform, &client, &student, "openid profile", None).await;
    // A region that reserves a minor's logins to the guardian.
    change_rules(&platform, "360000", |rules| {
        rules["minors"]["through_guardian"]
            .as_array_mut()
            .unwrap()
            .push(json!("login"));
    })
    .await;
    let page = start(&platform, &client, "openid profile").await;
    problem(
        &approve(&student, &request_id(&page), None).await,
        403,
        "guardian_required",
    );
    let shown = student
        .get(&format!("/v1/login-requests/{}", request_id(&page)))
        .await;
    assert_eq!(shown.body["status"], "pending", "nothing was decided");
}
