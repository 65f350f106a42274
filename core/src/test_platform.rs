//! The reference platform in this process, for the core's unit tests: its
//! router behind the in-process transport, wrapped in a
//! [`FaultyTransport`] so a test can make chosen calls fail, and the
//! operator calls (personas, clock, SMS outbox, face results) the tests need
//! to play the person and the card bureau.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support fails loudly"
)]

use std::path::Path;
use std::sync::Arc;

use axum::Router;
use ecard_api::paths;
use ecard_api::resident::PersonIdentity;
use ecard_platform::{Platform, PlatformConfig};
use serde_json::{Value, json};
use tower::ServiceExt as _;

use crate::client::{ClientConfig, EcardClient};
use crate::identity::{FaceCheck, FaceCheckError, FaceCheckRequest};
use crate::keystore::FileKeyStore;
use crate::transport::faults::FaultyTransport;
use crate::transport::in_process::{BASE_URL, InProcessTransport};

const ADMIN_TOKEN: &str = "unit-test-admin-token";
/// The e-card PIN every enrolment here sets.
pub(crate) const TEST_PIN: &str = "135790";

/// A throwaway platform and the faulty transport clients reach it over.
#[derive(Clone)]
pub(crate) struct TestPlatform {
    router: Router,
    /// The transport every client of this platform uses.
    pub(crate) network: Arc<FaultyTransport>,
}

impl TestPlatform {
    /// A fresh platform with its seeded personas, in memory.
    pub(crate) fn start() -> TestPlatform {
        let mut config = PlatformConfig::new(":memory:");
        config.admin_token = ADMIN_TOKEN.to_owned();
        let router = Platform::open(&config).unwrap().router();
        let network = Arc::new(FaultyTransport::new(Arc::new(InProcessTransport::new(
            router.clone(),
        ))));
        TestPlatform { router, network }
    }

    /// An operator call; panics unless it succeeds.
    pub(crate) async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        operator_call(&self.router, method, path, body).await
    }

    /// Registers a service point of `kind` resolving `purposes`; returns
    /// its operator token.
    pub(crate) async fn service_point(&self, name: &str, kind: &str, purposes: &[&str]) -> String {
        let registered = self
            .admin(
                "POST",
                paths::ADMIN_OPERATORS,
                Some(json!({ "name": name, "kind": kind, "purposes": purposes })),
            )
            .await;
        registered["token"].as_str().unwrap().to_owned()
    }

    /// A service point's terminal resolves a scanned code; panics unless
    /// it succeeds.
    pub(crate) async fn resolve(&self, token: &str, terminal_id: &str, code: &str) -> Value {
        bearer_call(
            &self.router,
            token,
            "POST",
            paths::SERVICE_POINT_RESOLUTIONS,
            Some(json!({ "terminal_id": terminal_id, "code": code })),
        )
        .await
    }

    /// The identity of the seeded persona of `role`.
    pub(crate) async fn persona(&self, role: &str) -> PersonIdentity {
        let personas = self.admin("GET", paths::ADMIN_PERSONAS, None).await;
        let persona = personas
            .as_array()
            .unwrap()
            .iter()
            .find(|persona| persona["persona"] == role)
            .unwrap_or_else(|| panic!("no persona {role}"));
        PersonIdentity {
            id_type: persona["id_type"].as_str().unwrap().to_owned(),
            id_number: persona["id_number"].as_str().unwrap().to_owned(),
            name: persona["name"].as_str().unwrap().to_owned(),
        }
    }

    /// Moves the platform clock forward by `days`.
    pub(crate) async fn advance_days(&self, days: u64) {
        self.admin(
            "POST",
            paths::ADMIN_CLOCK_ADVANCE,
            Some(json!({ "seconds": days * 86_400 })),
        )
        .await;
    }

    /// A client with its data in `data`, over this platform's transport.
    pub(crate) async fn client(&self, data: &Path) -> EcardClient {
        self.client_with(data, ClientConfig::new(data, BASE_URL))
            .await
    }

    /// A client opened with `config`, over this platform's transport.
    pub(crate) async fn client_with(&self, data: &Path, config: ClientConfig) -> EcardClient {
        let keys = Arc::new(FileKeyStore::open(data.join("keys")).unwrap());
        EcardClient::open_with_transport(config, keys, self.network.clone())
            .await
            .unwrap()
    }

    /// A client enrolled as the persona of `role`, with the catalogue and
    /// rules synced.
    pub(crate) async fn enrolled(&self, data: &Path, role: &str) -> EcardClient {
        let client = self.client(data).await;
        self.enrol(&client, role).await;
        client
    }

    /// Enrols `client` as the persona of `role` and syncs the catalogue.
    pub(crate) async fn enrol(&self, client: &EcardClient, role: &str) {
        let identity = self.persona(role).await;
        client.begin_enrolment(identity).await.unwrap();
        let progress = client.confirm_presence(self.genuine_face()).await.unwrap();
        let code = self.code_sent_to(progress.code_sent_to.as_deref()).await;
        client
            .complete_enrolment(code, progress.pin_required.then(|| TEST_PIN.to_owned()))
            .await
            .unwrap();
        client.sync_catalogue().await.unwrap();
    }

    /// A face check of a live person who is who they say.
    pub(crate) fn genuine_face(&self) -> Arc<dyn FaceCheck> {
        Arc::new(GenuineFace {
            router: self.router.clone(),
        })
    }

    /// The one-time code the platform texted to the phone shown as `masked`.
    async fn code_sent_to(&self, masked: Option<&str>) -> Option<String> {
        let masked = masked?;
        let messages = self.admin("GET", paths::ADMIN_SMS, None).await;
        messages.as_array()?.iter().find_map(|message| {
            let phone = message["phone"].as_str()?;
            let shown = format!("{}****{}", &phone[..3], &phone[phone.len() - 4..]);
            let body = message["body"].as_str()?;
            let start = body.find("验证码 ")? + "验证码 ".len();
            (shown == masked).then(|| body[start..start + 6].to_owned())
        })
    }
}

async fn operator_call(router: &Router, method: &str, path: &str, body: Option<Value>) -> Value {
    bearer_call(router, ADMIN_TOKEN, method, path, body).await
}

async fn bearer_call(
    router: &Router,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Value {
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(
            body.map(|body| body.to_string()).unwrap_or_default(),
        ))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert!(status.is_success(), "{method} {path}: {status} {value}");
    value
}

/// The app's face check, played by the platform's simulated face platform:
/// a live person who is who they say.
struct GenuineFace {
    router: Router,
}

impl FaceCheck for GenuineFace {
    fn check(&self, request: FaceCheckRequest) -> Result<String, FaceCheckError> {
        // Called on the blocking pool, as an app's face SDK would be.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let answer = runtime.block_on(operator_call(
            &self.router,
            "POST",
            paths::ADMIN_FACE_RESULTS,
            Some(json!({
                "id_type": request.id_type, "id_number": request.id_number,
                "challenge": request.challenge, "device_binding": request.device_binding,
                "live": true, "matched": true,
            })),
        ));
        Ok(answer["face_result"].as_str().unwrap().to_owned())
    }
}

/// Runs `test` against a fresh platform with a client enrolled as the
/// persona of `role` (its data in a temporary directory).
pub(crate) fn with_enrolled<Test, Done>(role: &str, test: Test)
where
    Test: FnOnce(TestPlatform, EcardClient) -> Done,
    Done: std::future::Future<Output = ()>,
{
    let platform = TestPlatform::start();
    let data = tempfile::tempdir().unwrap();
    block_on(async {
        let client = platform.enrolled(data.path(), role).await;
        test(platform.clone(), client).await;
    });
}

/// Runs a test body on a runtime like an app's: several worker threads and
/// a blocking pool.
pub(crate) fn block_on<F: std::future::Future>(body: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(body)
}

/// A first-card form that passes the local checks of the seeded rules.
pub(crate) fn new_card_form(person_id: Option<String>) -> crate::workflows::NewCardForm {
    crate::workflows::NewCardForm {
        person_id,
        photo_jpeg: test_photo(),
        bank: "icbc".into(),
        phone: "13800138000".into(),
        delivery: ecard_api::resident::Delivery::Pickup {
            outlet_id: "O-00001".into(),
        },
        instant_issue: false,
    }
}

/// A card photo the seeded rules accept: a JPEG header declaring 358×441
/// pixels, padded to 12 kB.
pub(crate) fn test_photo() -> Vec<u8> {
    let (width, height): (u16, u16) = (358, 441);
    let jfif = [
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ];
    let frame_start = [0xFF, 0xC0, 0x00, 0x11, 0x08];
    let components = [0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01];
    let scan_start = [
        0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00,
    ];
    let mut photo = [0xFF, 0xD8].to_vec();
    photo.extend(jfif);
    photo.extend(frame_start);
    photo.extend(height.to_be_bytes());
    photo.extend(width.to_be_bytes());
    photo.extend(components);
    photo.extend(scan_start);
    photo.resize(12_000 - 2, 0x55);
    photo.extend([0xFF, 0xD9]);
    photo
}
