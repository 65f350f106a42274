//! Shared fixtures of the end-to-end tests: a platform on loopback with a
//! known admin token, its operator calls, a raw device-signing HTTP client
//! for contract tests, and test photos.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support fails loudly"
)]

use ecard_api::paths;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ecard_api::auth::{
    DEVICE_HEADER, NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_string,
};
use ecard_credential::{KeyStore, SoftwareKeyStore, Suite};
use ecard_platform::{Database, PlatformConfig, RunningPlatform};
use serde_json::{Value, json};

/// The admin token of test platforms.
pub const ADMIN_TOKEN: &str = "test-admin-token";
/// The e-card PIN every test enrolment sets.
pub const TEST_PIN: &str = "135790";

/// A phone on record for a test person, derived from the document number.
pub fn phone_for(id_number: &str) -> String {
    let digits: u64 = id_number.bytes().fold(7u64, |sum, byte| {
        sum.wrapping_mul(31).wrapping_add(u64::from(byte))
    });
    format!("139{:08}", digits % 100_000_000)
}

/// How the simulated face platform sees the person in front of the camera.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceBehaviour {
    /// The person named, live: the check passes.
    Genuine,
    /// Someone else, live: the face does not match the photo on record.
    Impostor,
    /// A photo or a screen: no live person.
    NoLiveness,
    /// The person closes the capture screen.
    Cancelled,
}

/// A [`ecard_core::FaceCheck`] backed by the reference platform's simulated
/// face platform (`POST /admin/face-platform/results`): what an app's face
/// SDK does against the real face platform.
pub struct SimulatedFace {
    base: String,
    behaviour: FaceBehaviour,
}

impl SimulatedFace {
    /// A face check against the platform at `base` behaving as `behaviour`.
    pub fn new(base: &str, behaviour: FaceBehaviour) -> std::sync::Arc<SimulatedFace> {
        std::sync::Arc::new(SimulatedFace {
            base: base.to_owned(),
            behaviour,
        })
    }
}

/// An operator call, recorded for the contract check like device calls.
pub async fn admin_call(
    base: &str,
    admin_token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> RawAnswer {
    let mut request = reqwest::Client::new()
        .request(method.clone(), format!("{base}{path}"))
        .bearer_auth(admin_token);
    let bytes = body.as_ref().map(Value::to_string).unwrap_or_default();
    if body.is_some() {
        request = request
            .header("content-type", "application/json")
            .body(bytes.clone());
    }
    let answer = answer(request.send().await.unwrap()).await;
    record(method.as_str(), path, bytes.as_bytes(), &answer);
    answer
}

/// Asks the simulated face platform for a signed result.
pub async fn mint_face_result(
    base: &str,
    admin_token: &str,
    id_type: &str,
    id_number: &str,
    challenge: &str,
    device_binding: &str,
    behaviour: FaceBehaviour,
) -> String {
    let answer = admin_call(
        base,
        admin_token,
        reqwest::Method::POST,
        paths::ADMIN_FACE_RESULTS,
        Some(json!({
            "id_type": id_type, "id_number": id_number, "challenge": challenge,
            "device_binding": device_binding,
            "live": behaviour != FaceBehaviour::NoLiveness,
            "matched": behaviour == FaceBehaviour::Genuine,
        })),
    )
    .await;
    answer.body["face_result"].as_str().unwrap().to_owned()
}

fn code_in(message: &Value) -> Option<String> {
    let body = message["body"].as_str()?;
    let start = body.find("验证码 ")? + "验证码 ".len();
    body.get(start..start + 6).map(str::to_owned)
}

impl ecard_core::FaceCheck for SimulatedFace {
    fn check(
        &self,
        request: ecard_core::FaceCheckRequest,
    ) -> Result<String, ecard_core::FaceCheckError> {
        if self.behaviour == FaceBehaviour::Cancelled {
            return Err(ecard_core::FaceCheckError::Cancelled);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        Ok(runtime.block_on(mint_face_result(
            &self.base,
            ADMIN_TOKEN,
            &request.id_type,
            &request.id_number,
            &request.challenge,
            &request.device_binding,
            self.behaviour,
        )))
    }
}

/// The newest one-time code the reference SMS gateway sent (to `phone`,
/// or to anyone when `None`).
pub async fn latest_code(base: &str, admin_token: &str, phone: Option<&str>) -> Option<String> {
    let path = format!("/admin/sms?phone={}", phone.unwrap_or_default());
    let messages = admin_call(base, admin_token, reqwest::Method::GET, &path, None).await;
    messages.body.as_array()?.iter().find_map(code_in)
}

/// The newest one-time code sent to the phone shown masked as `masked`
/// (`138****8000`), as the person reads it off their phone.
pub async fn code_sent_to(base: &str, admin_token: &str, masked: Option<&str>) -> Option<String> {
    let masked = masked?;
    let messages = admin_call(
        base,
        admin_token,
        reqwest::Method::GET,
        paths::ADMIN_SMS,
        None,
    )
    .await;
    messages.body.as_array()?.iter().find_map(|message| {
        let phone = message["phone"].as_str()?;
        let shown = format!(
            "{}****{}",
            phone.get(..3)?,
            phone.get(phone.len().checked_sub(4)?..)?
        );
        if shown == masked {
            code_in(message)
        } else {
            None
        }
    })
}

/// Enrols `client` for `identity` as the person would: begin, a genuine
/// face check, the code from the SMS, and the test PIN for a new account.
pub async fn enrol(
    client: &ecard_core::EcardClient,
    base: &str,
    identity: ecard_api::resident::PersonIdentity,
) -> Result<ecard_core::Session, ecard_core::ClientError> {
    client.begin_enrolment(identity).await?;
    let progress = client
        .confirm_presence(SimulatedFace::new(base, FaceBehaviour::Genuine))
        .await?;
    let code = code_sent_to(base, ADMIN_TOKEN, progress.code_sent_to.as_deref()).await;
    client
        .complete_enrolment(code, progress.pin_required.then(|| TEST_PIN.to_owned()))
        .await
}

/// A platform on loopback with its database in a temporary directory;
/// it can be stopped and started again on the same address and file.
pub struct TestPlatform {
    /// Holds the database.
    pub directory: tempfile::TempDir,
    /// The server, while running.
    pub running: Option<RunningPlatform>,
    /// Where it listens.
    pub address: SocketAddr,
}

impl Drop for TestPlatform {
    fn drop(&mut self) {
        self.stop();
        drop_test_database(self.directory.path());
    }
}

impl TestPlatform {
    /// Starts a fresh platform of the sample deployment (issuer and
    /// authority keys of `ecard_platform::SAMPLE_DEPLOYMENT_SUITE`, SM2).
    pub fn start() -> TestPlatform {
        TestPlatform::start_with(config)
    }

    /// Starts a fresh platform whose first issuer and authority keys are of
    /// `suite`.
    pub fn start_with_suite(suite: Suite) -> TestPlatform {
        TestPlatform::start_with(|directory| config(directory).with_suite(suite))
    }

    /// Starts a fresh platform configured by `configure` (given the
    /// database directory).
    pub fn start_with(configure: impl FnOnce(&Path) -> PlatformConfig) -> TestPlatform {
        let directory = tempfile::tempdir().unwrap();
        let running = RunningPlatform::start(&configure(directory.path())).unwrap();
        let address = running.address();
        TestPlatform {
            directory,
            running: Some(running),
            address,
        }
    }

    /// The base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The database file (SQLite only; [`TestPlatform::connect`] reaches
    /// either store).
    pub fn database(&self) -> PathBuf {
        self.directory.path().join("platform.db")
    }

    /// Runs `work` in a transaction of its own on the platform's database,
    /// whichever store it is (for a test that looks at or arranges stored
    /// rows), and commits it.
    pub fn with_database<T: Send>(
        &self,
        work: impl FnOnce(&ecard_platform::store::sql::Transaction<'_>) -> T + Send,
    ) -> T {
        ecard_platform::store::sql::off_the_runtime(|| {
            let mut connection = match database_of(self.directory.path()) {
                Database::Sqlite(path) => ecard_platform::store::db::open(&path).unwrap(),
                Database::Postgres { url, tls, .. } => {
                    let server =
                        ecard_platform::store::postgres_server::PostgresServer::new(&url, &tls)
                            .unwrap();
                    ecard_platform::store::postgres_schema::open(&server).unwrap()
                }
            };
            let tx = connection.transaction().unwrap();
            let outcome = work(&tx);
            tx.commit().unwrap();
            outcome
        })
    }

    /// Whether `needle` appears anywhere in what the platform stored: the
    /// SQLite file and its log, or every row of every PostgreSQL table as
    /// text.
    pub fn stored_anywhere(&self, needle: &[u8]) -> bool {
        let stored = match database_of(self.directory.path()) {
            Database::Sqlite(path) => {
                let mut stored = std::fs::read(&path).unwrap();
                if let Ok(log) = std::fs::read(path.with_extension("db-wal")) {
                    stored.extend(log);
                }
                stored
            }
            Database::Postgres { url, .. } => ecard_platform::store::sql::off_the_runtime(|| {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                let tables: Vec<String> = client
                    .query(
                        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
                        &[],
                    )
                    .unwrap()
                    .iter()
                    .map(|row| row.get(0))
                    .collect();
                let mut stored = Vec::new();
                for table in tables {
                    for row in client
                        .query(&format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t"), &[])
                        .unwrap()
                    {
                        stored.extend(row.get::<_, String>(0).into_bytes());
                    }
                }
                stored
            }),
        };
        stored.windows(needle.len()).any(|window| window == needle)
    }

    /// Stops serving (connections are refused until [`TestPlatform::restart`]).
    pub fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop();
        }
    }

    /// Serves again on the same address and database.
    pub fn restart(&mut self) {
        self.stop();
        let mut last_error = None;
        for _ in 0..50 {
            match RunningPlatform::start_at(&config(self.directory.path()), self.address) {
                Ok(running) => {
                    self.running = Some(running);
                    return;
                }
                Err(error) => {
                    last_error = Some(error);
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
            }
        }
        panic!("platform did not restart: {last_error:?}");
    }

    /// An operator call; panics unless it succeeds.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.admin_raw(method, path, body).await;
        assert!(status < 300, "admin {path}: {status} {value}");
        value
    }

    /// An operator call returning status and body.
    pub async fn admin_raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let client = reqwest::Client::new();
        let mut request = client
            .request(method, format!("{}{path}", self.url()))
            .bearer_auth(ADMIN_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The seeded persona of a role.
    pub async fn persona(&self, role: &str) -> Value {
        let personas = self
            .admin(reqwest::Method::GET, paths::ADMIN_PERSONAS, None)
            .await;
        personas
            .as_array()
            .unwrap()
            .iter()
            .find(|persona| persona["persona"] == role)
            .unwrap()
            .clone()
    }

    /// Moves the platform clock forward by whole days.
    pub async fn advance_days(&self, days: u64) -> u64 {
        self.advance_seconds(days * 86_400).await
    }

    /// Moves the platform clock forward; returns the platform time after.
    pub async fn advance_seconds(&self, seconds: u64) -> u64 {
        let answer = self
            .admin(
                reqwest::Method::POST,
                paths::ADMIN_CLOCK_ADVANCE,
                Some(json!({ "seconds": seconds })),
            )
            .await;
        answer["now"].as_u64().unwrap()
    }

    /// Adds a person to the register; returns (person id, id number).
    pub async fn add_person(
        &self,
        name: &str,
        birth: &str,
        sequence: &str,
        guardians: &[&str],
    ) -> (String, String) {
        self.add_person_in("360102", name, birth, sequence, guardians)
            .await
    }

    /// Adds a person living in `region` (a county code) to the register;
    /// returns (person id, id number).
    pub async fn add_person_in(
        &self,
        region: &str,
        name: &str,
        birth: &str,
        sequence: &str,
        guardians: &[&str],
    ) -> (String, String) {
        let id_number = resident_id(region, birth, sequence);
        let answer = self
            .admin(
                reqwest::Method::POST,
                paths::ADMIN_PEOPLE,
                Some(json!({
                    "id_type": "resident_id", "id_number": id_number, "name": name, "region": region,
                    "household_register": format!("{region}099001"), "guardians": guardians,
                    "phone": phone_for(&id_number),
                })),
            )
            .await;
        (answer["person_id"].as_str().unwrap().to_owned(), id_number)
    }

    /// A fresh device enrolled for the seeded persona of `role`.
    pub async fn enrol_persona(&self, role: &str) -> RawDevice {
        let persona = self.persona(role).await;
        let mut device = RawDevice::new(&self.url());
        let answer = device
            .enrol(
                persona["id_number"].as_str().unwrap(),
                persona["name"].as_str().unwrap(),
            )
            .await;
        assert_eq!(answer.status, 201, "enrol {role}: {:?}", answer.body);
        device
    }
}

/// The environment variable naming a PostgreSQL server (a URL such as
/// `postgres://ecard@127.0.0.1:55432/postgres`, from
/// `scripts/postgres-cluster.sh start`).
pub const POSTGRES_VARIABLE: &str = "ECARD_TEST_POSTGRES";

/// The environment variable that puts test platforms on PostgreSQL (the
/// server [`POSTGRES_VARIABLE`] names) when it is `postgres`; otherwise
/// they keep their state in a SQLite file.
pub const STORE_VARIABLE: &str = "ECARD_TEST_STORE";

/// The database of a test platform whose files live in `directory`: the
/// SQLite file there or, with [`STORE_VARIABLE`] `postgres`, a database of its
/// own on that server, named after the directory so a restart finds it
/// again (made at the first call).
pub fn test_database(directory: &Path) -> Database {
    if let Some((server, name)) = postgres_test_store(directory) {
        ecard_platform::store::sql::off_the_runtime(|| {
            let mut client = postgres::Client::connect(&server, postgres::NoTls).unwrap();
            if let Err(error) = client.batch_execute(&format!("CREATE DATABASE {name}")) {
                // Made by an earlier call for the same directory.
                assert_eq!(
                    error.code(),
                    Some(&postgres::error::SqlState::DUPLICATE_DATABASE),
                    "{error:?}"
                );
            }
        });
    }
    database_of(directory)
}

/// The database of a test platform in `directory`, as [`test_database`]
/// names it, without making it.
fn database_of(directory: &Path) -> Database {
    match postgres_test_store(directory) {
        None => Database::Sqlite(directory.join("platform.db")),
        Some((server, name)) => {
            let (base, _) = server.rsplit_once('/').unwrap();
            Database::Postgres {
                url: format!("{base}/{name}"),
                connections: 4,
                tls: Default::default(),
            }
        }
    }
}

/// With [`STORE_VARIABLE`] `postgres`: the server and the name of the
/// database of a test platform in `directory` (named after it, so a
/// restart finds it again).
fn postgres_test_store(directory: &Path) -> Option<(String, String)> {
    if std::env::var(STORE_VARIABLE).as_deref() != Ok("postgres") {
        return None;
    }
    let server = std::env::var(POSTGRES_VARIABLE).unwrap_or_else(|_| {
        panic!(
            "{STORE_VARIABLE}=postgres needs {POSTGRES_VARIABLE}: \
             export {POSTGRES_VARIABLE}=$(scripts/postgres-cluster.sh start DIR PORT)"
        )
    });
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        directory.as_os_str().as_encoded_bytes(),
    );
    let name: String = digest.as_ref()[..10]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .fold("ecard_test_".to_owned(), |name, hex| name + &hex);
    Some((server, name))
}

/// Drops the PostgreSQL database [`test_database`] made for `directory`,
/// if any; quietly does nothing when it cannot (it runs on drop).
pub fn drop_test_database(directory: &Path) {
    if let Some((server, name)) = postgres_test_store(directory) {
        ecard_platform::store::sql::off_the_runtime(|| {
            if let Ok(mut client) = postgres::Client::connect(&server, postgres::NoTls) {
                let _ =
                    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        });
    }
}

fn config(directory: &Path) -> PlatformConfig {
    let mut config = PlatformConfig::new(test_database(directory));
    config.admin_token = ADMIN_TOKEN.to_owned();
    config
}

/// A resident ID number with a valid check digit: region, `YYYYMMDD`, three digits.
pub fn resident_id(region: &str, birth: &str, sequence: &str) -> String {
    let body = format!("{region}{birth}{sequence}");
    let check = ecard_documents::check_character(&body).unwrap();
    format!("{body}{check}")
}

/// A JPEG that passes the national photo rules: 358×441 pixels, padded to
/// about 12 KB (a baseline SOF0 header; the scan data is filler).
pub fn test_photo() -> Vec<u8> {
    jpeg(358, 441, 12_000)
}

/// A minimal JPEG of the given dimensions and size.
pub fn jpeg(width: u16, height: u16, size: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8];
    bytes.extend_from_slice(&[
        0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    bytes.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    bytes.extend_from_slice(&[
        0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00,
    ]);
    while bytes.len() < size.saturating_sub(2) {
        bytes.push(0x55);
    }
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// The photo as base64 for request bodies.
pub fn test_photo_base64() -> String {
    STANDARD.encode(test_photo())
}

/// A device that talks to the platform directly, signing its requests:
/// for contract tests of the API itself.
pub struct RawDevice {
    /// Platform base URL.
    pub base: String,
    /// The platform's admin token (for the simulated face platform and the
    /// SMS outbox during enrolment).
    pub admin_token: String,
    /// The loopback address requests leave from (`None`: the default), so
    /// load tools look like many residents rather than one address.
    pub source: Option<std::net::IpAddr>,
    /// The device key.
    pub keys: SoftwareKeyStore,
    /// After enrolment.
    pub device_id: Option<String>,
    /// After enrolment.
    pub account_id: Option<String>,
    /// After enrolment.
    pub person_id: Option<String>,
    /// Seconds added to the system clock when signing.
    pub clock_offset: i64,
    /// The platform clock's offset from the system clock, learned from the
    /// `x-ecard-server-time` header of every answer (the platform clock
    /// moves when tests advance it); added before `clock_offset`.
    pub learned_offset: AtomicI64,
}

/// A raw answer.
#[derive(Debug)]
pub struct RawAnswer {
    /// HTTP status.
    pub status: u16,
    /// JSON body (binary bodies as base64 strings).
    pub body: Value,
    /// Entity tag.
    pub etag: Option<String>,
    /// Platform clock header.
    pub server_time: Option<u64>,
    /// Content type.
    pub content_type: Option<String>,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<u64>,
}

impl RawDevice {
    /// A device with a fresh P-256 key, not enrolled.
    pub fn new(base: &str) -> RawDevice {
        RawDevice::with_suite(base, Suite::EcdsaP256)
    }

    /// A device with a fresh key of `suite` (SM2: a HarmonyOS phone's HUKS
    /// key), not enrolled.
    pub fn with_suite(base: &str, suite: Suite) -> RawDevice {
        let keys = SoftwareKeyStore::new();
        keys.generate_key("device", suite).unwrap();
        RawDevice {
            base: base.to_owned(),
            admin_token: ADMIN_TOKEN.to_owned(),
            source: None,
            keys,
            device_id: None,
            account_id: None,
            person_id: None,
            clock_offset: 0,
            learned_offset: AtomicI64::new(0),
        }
    }

    /// Enrols for a person of the register as a phone would: start, a
    /// genuine face check, the SMS code, and [`TEST_PIN`] for a new
    /// account. Returns the first answer that is not a success, or the
    /// completion.
    pub async fn enrol(&mut self, id_number: &str, name: &str) -> RawAnswer {
        self.enrol_with(id_number, name, FaceBehaviour::Genuine)
            .await
    }

    /// Starts an enrolment; returns the answer (with `enrolment_id` and
    /// `face`) and signs later steps as the enrolment.
    pub async fn start_enrolment(&mut self, id_number: &str, name: &str) -> RawAnswer {
        let public = self.keys.public_key("device").unwrap();
        let body = json!({
            "identity": { "id_type": "resident_id", "id_number": id_number, "name": name },
            "device_suite": public.suite().name(),
            "device_public_key": URL_SAFE_NO_PAD.encode(public.as_bytes()),
            "device_name": "test phone",
        });
        let answer = self
            .send(
                "POST",
                paths::ENROLMENTS,
                Some(body.to_string().into_bytes()),
                Some(&unique_key()),
                false,
            )
            .await;
        if answer.status == 201 {
            self.device_id = answer.body["enrolment_id"].as_str().map(str::to_owned);
        }
        answer
    }

    /// Enrols with a face check that behaves as `face`.
    pub async fn enrol_with(
        &mut self,
        id_number: &str,
        name: &str,
        face: FaceBehaviour,
    ) -> RawAnswer {
        let started = self.start_enrolment(id_number, name).await;
        if started.status != 201 {
            return started;
        }
        let enrolment = started.body["enrolment_id"].as_str().unwrap().to_owned();
        let presence = self.present_face(&started, id_number, face).await;
        if presence.status != 200 {
            return presence;
        }
        let code = code_sent_to(
            &self.base,
            &self.admin_token,
            presence.body["code_sent_to"].as_str(),
        )
        .await;
        self.complete_enrolment(
            &enrolment,
            code.as_deref(),
            presence.body["pin_required"] == true,
        )
        .await
    }

    /// Completes an enrolment with a code (and the test PIN if asked).
    pub async fn complete_enrolment(
        &mut self,
        enrolment: &str,
        code: Option<&str>,
        with_pin: bool,
    ) -> RawAnswer {
        let mut body = json!({});
        if let Some(code) = code {
            body["one_time_code"] = json!(code);
        }
        if with_pin {
            body["pin"] = json!(TEST_PIN);
        }
        let answer = self
            .post(
                &paths::with_id(paths::ENROLMENT_COMPLETION, enrolment),
                body,
            )
            .await;
        if answer.status == 201 {
            self.device_id = answer.body["device_id"].as_str().map(str::to_owned);
            self.account_id = answer.body["account_id"].as_str().map(str::to_owned);
            self.person_id = answer.body["person_id"].as_str().map(str::to_owned);
        }
        answer
    }

    /// A face result of `behaviour` for the person `id_number` and the
    /// enrolment whose start answered `started`.
    pub async fn enrolment_face(
        &self,
        started: &RawAnswer,
        id_number: &str,
        behaviour: FaceBehaviour,
    ) -> String {
        mint_face_result(
            &self.base,
            &self.admin_token,
            "resident_id",
            id_number,
            started.body["face"]["challenge"].as_str().unwrap(),
            started.body["face"]["device_binding"].as_str().unwrap(),
            behaviour,
        )
        .await
    }

    /// Hands in a face result of `behaviour` for the enrolment `started`.
    pub async fn present_face(
        &self,
        started: &RawAnswer,
        id_number: &str,
        behaviour: FaceBehaviour,
    ) -> RawAnswer {
        let face = self.enrolment_face(started, id_number, behaviour).await;
        let enrolment = started.body["enrolment_id"].as_str().unwrap();
        self.present(enrolment, &face).await
    }

    /// Hands in a face result for an enrolment (signed as the enrolment).
    pub async fn present(&self, enrolment: &str, face_result: &str) -> RawAnswer {
        self.post(
            &paths::with_id(paths::ENROLMENT_PRESENCE, enrolment),
            json!({ "face_result": face_result }),
        )
        .await
    }

    /// A single-use PIN grant for `action`, with the test PIN.
    pub async fn pin_grant(&self, action: &str) -> String {
        let answer = self
            .post(
                paths::PIN_GRANTS,
                json!({ "pin": TEST_PIN, "action": action }),
            )
            .await;
        assert_eq!(answer.status, 201, "PIN grant: {:?}", answer.body);
        answer.body["pin_grant"].as_str().unwrap().to_owned()
    }

    /// A signed POST of an act that needs the PIN: adds a fresh grant.
    pub async fn post_with_pin(&self, path: &str, mut body: Value, action: &str) -> RawAnswer {
        let grant = self.pin_grant(action).await;
        if body.is_null() {
            body = json!({});
        }
        body["pin_grant"] = json!(grant);
        self.post(path, body).await
    }

    /// A signed GET.
    pub async fn get(&self, path: &str) -> RawAnswer {
        self.send("GET", path, None, None, true).await
    }

    /// A signed POST with a fresh idempotency key.
    pub async fn post(&self, path: &str, body: Value) -> RawAnswer {
        self.send(
            "POST",
            path,
            Some(body.to_string().into_bytes()),
            Some(&unique_key()),
            true,
        )
        .await
    }

    /// A signed POST with a chosen idempotency key.
    pub async fn post_with_key(&self, path: &str, body: Value, key: &str) -> RawAnswer {
        self.send(
            "POST",
            path,
            Some(body.to_string().into_bytes()),
            Some(key),
            true,
        )
        .await
    }

    /// A request with exactly the given headers (no signature added): for
    /// replays and forged signatures.
    pub async fn send_with_headers(
        &self,
        method: &str,
        path: &str,
        body: Vec<u8>,
        headers: &[(String, String)],
    ) -> RawAnswer {
        let client = reqwest::Client::new();
        let verb = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client.request(verb, format!("{}{path}", self.base));
        if !body.is_empty() {
            request = request
                .header("content-type", "application/json")
                .body(body.clone());
        }
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let answer = self.observe(answer(request.send().await.unwrap()).await);
        record(method, path, &body, &answer);
        answer
    }

    /// Any request; `sign` adds the device signature.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
        idempotency_key: Option<&str>,
        sign: bool,
    ) -> RawAnswer {
        let client = reqwest::Client::builder()
            .local_address(self.source)
            .build()
            .unwrap();
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let bytes = body.unwrap_or_default();
        let mut retried = false;
        loop {
            let mut request = client.request(method.clone(), format!("{}{path}", self.base));
            if !bytes.is_empty() {
                request = request
                    .header("content-type", "application/json")
                    .body(bytes.clone());
            }
            if let Some(key) = idempotency_key {
                request = request.header("idempotency-key", key);
            }
            let learned = self.learned_offset.load(Ordering::Relaxed);
            if sign {
                for (name, value) in self.signature(method.as_str(), path, &bytes) {
                    request = request.header(name, value);
                }
            }
            let answer = self.observe(answer(request.send().await.unwrap()).await);
            record(method.as_str(), path, &bytes, &answer);
            // Like the client core: a clock-skew refusal carries the platform
            // clock, so sign once more with it.
            let relearned = self.learned_offset.load(Ordering::Relaxed) != learned;
            if sign && answer.body["code"] == "clock_skew" && relearned && !retried {
                retried = true;
                continue;
            }
            return answer;
        }
    }

    /// Learns the platform clock from an answer.
    pub fn observe(&self, answer: RawAnswer) -> RawAnswer {
        if let Some(server_time) = answer.server_time {
            let offset = server_time as i64 - unix_now() as i64;
            // Whole-second headers: ignore jitter of a second.
            if offset.abs_diff(self.learned_offset.load(Ordering::Relaxed)) > 1 {
                self.learned_offset.store(offset, Ordering::Relaxed);
            }
        }
        answer
    }

    /// The signature headers of a request.
    pub fn signature(&self, method: &str, path: &str, body: &[u8]) -> Vec<(&'static str, String)> {
        let now =
            unix_now() as i64 + self.learned_offset.load(Ordering::Relaxed) + self.clock_offset;
        let nonce = unique_key();
        let message = signed_string(method, path, now as u64, &nonce, body);
        let signature = self.keys.sign("device", &message).unwrap();
        vec![
            (DEVICE_HEADER, self.device_id.clone().unwrap_or_default()),
            (TIMESTAMP_HEADER, now.to_string()),
            (NONCE_HEADER, nonce),
            (SIGNATURE_HEADER, URL_SAFE_NO_PAD.encode(signature)),
        ]
    }
}

/// Appends an exchange to the file named by `ECARD_RECORD_RESPONSES`, one
/// JSON object a line (method, path, request body, status, content type,
/// body), so `scripts/check-recorded-responses.py` can check every answer
/// the tests saw against `docs/api/openapi.yaml`. Does nothing when unset.
pub fn record(method: &str, path: &str, request_body: &[u8], answer: &RawAnswer) {
    use std::io::Write as _;
    let Some(file) = std::env::var_os("ECARD_RECORD_RESPONSES") else {
        return;
    };
    let line = json!({
        "method": method,
        "path": path,
        "request": serde_json::from_slice::<Value>(request_body).ok(),
        "status": answer.status,
        "content_type": answer.content_type,
        "server_time": answer.server_time,
        "etag": answer.etag,
        "body": answer.body,
    });
    // One write per line, under a lock: tests run on several threads.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .unwrap();
    file.write_all(format!("{line}\n").as_bytes()).unwrap();
}

/// Reads an answer.
pub async fn answer(response: reqwest::Response) -> RawAnswer {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let etag = header("etag");
    let server_time = header("x-ecard-server-time").and_then(|value| value.parse().ok());
    let content_type = header("content-type");
    let retry_after = header("retry-after").and_then(|value| value.parse().ok());
    let bytes = response.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        if bytes.is_empty() {
            Value::Null
        } else {
            Value::String(STANDARD.encode(&bytes))
        }
    });
    RawAnswer {
        status,
        body,
        etag,
        server_time,
        content_type,
        retry_after,
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A unique idempotency key or nonce.
pub fn unique_key() -> String {
    use std::sync::atomic::AtomicU64;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "k{nanos:x}{:08x}{:04x}",
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::process::id() & 0xFFFF
    )
}

/// A client of the core against a test platform, with its keys in files
/// under its own data directory (so it can be reopened like an app).
pub async fn open_client(platform_url: &str, data: &Path) -> ecard_core::EcardClient {
    let key_store = std::sync::Arc::new(ecard_core::FileKeyStore::open(data.join("keys")).unwrap());
    ecard_core::EcardClient::open(ecard_core::ClientConfig::new(data, platform_url), key_store)
        .await
        .unwrap()
}

/// The identity of a seeded persona.
pub fn identity_of(persona: &Value) -> ecard_api::resident::PersonIdentity {
    ecard_api::resident::PersonIdentity {
        id_type: persona["id_type"].as_str().unwrap().to_owned(),
        id_number: persona["id_number"].as_str().unwrap().to_owned(),
        name: persona["name"].as_str().unwrap().to_owned(),
    }
}

/// The platform's current trust list as a terminal takes it: the signed
/// envelope from `GET /v1/trust-list`, verified against the authority keys
/// the operator provisions terminals with (`GET /admin/trust/authority-keys`).
pub async fn verified_trust_list(platform_url: &str, now: u64) -> ecard_credential::TrustList {
    let pins = admin_call(
        platform_url,
        ADMIN_TOKEN,
        reqwest::Method::GET,
        "/admin/trust/authority-keys",
        None,
    )
    .await;
    let pins: Vec<ecard_credential::AuthorityKey> = serde_json::from_value(pins.body).unwrap();
    let text = reqwest::get(format!("{platform_url}/v1/trust-list"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    ecard_credential::SignedTrustList::from_json(&text)
        .unwrap()
        .verify(&pins, None, now)
        .unwrap()
}

/// A terminal's offline verifier loaded with the platform's current trust
/// list and status list.
pub async fn terminal(
    platform_url: &str,
    purposes: &[ecard_credential::Purpose],
    now: u64,
) -> ecard_credential::Verifier {
    terminal_with(
        platform_url,
        ecard_credential::VerifierPolicy::for_purposes(purposes),
        now,
    )
    .await
}

/// A terminal of `region` (a province code), configured from the region's
/// rules as the platform serves them: it applies the region's policy of
/// who may present for whom.
pub async fn regional_terminal(
    platform_url: &str,
    region: &str,
    purposes: &[ecard_credential::Purpose],
    now: u64,
) -> ecard_credential::Verifier {
    let rules = reqwest::get(format!("{platform_url}/v1/rules/{region}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rules: ecard_api::rules::RegionalRules = serde_json::from_str(&rules).unwrap();
    terminal_with(platform_url, rules.verifier_policy(purposes), now).await
}

/// A terminal with `policy`, loaded with the platform's current trust list
/// and status list.
pub async fn terminal_with(
    platform_url: &str,
    policy: ecard_credential::VerifierPolicy,
    now: u64,
) -> ecard_credential::Verifier {
    let trust = verified_trust_list(platform_url, now).await;
    let mut verifier = ecard_credential::Verifier::new(&trust, policy).unwrap();
    let status = reqwest::get(format!("{platform_url}/v1/status-lists/0"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    verifier.install_status_list(&status, now).unwrap();
    verifier
}

/// nginx from the distribution (`scripts/test` installs it) in the
/// foreground, its files in a directory of the caller's; killed on drop.
pub struct Nginx {
    child: Child,
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub base: String,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    /// Writes `directory/nginx.conf` and starts nginx on a free loopback
    /// port, waiting until it listens. `http` makes the directives of the
    /// `http` block for that port; around them go the settings of an
    /// unprivileged nginx in the foreground that keeps its pid, log and
    /// temporary files in `directory`.
    pub fn start(directory: &Path, http: impl FnOnce(u16) -> String) -> Nginx {
        let port = free_port();
        let file = directory.join("nginx.conf");
        let files = directory.display();
        let configuration = format!(
            "worker_processes 1;
master_process off;
daemon off;
pid {files}/nginx.pid;
error_log {files}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {files}/body;
    proxy_temp_path {files}/proxy;
    fastcgi_temp_path {files}/fastcgi;
    uwsgi_temp_path {files}/uwsgi;
    scgi_temp_path {files}/scgi;
{}}}
",
            http(port)
        );
        std::fs::write(&file, configuration).unwrap();
        let spawn = |program: &str| {
            Command::new(program)
                .arg("-c")
                .arg(&file)
                .arg("-p")
                .arg(directory)
                .arg("-e")
                .arg(directory.join("error.log"))
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
        };
        // Debian installs it in /usr/sbin, outside a user's PATH.
        let child = spawn("nginx")
            .or_else(|_| spawn("/usr/sbin/nginx"))
            .expect("nginx (scripts/test installs it from the distribution)");
        let mut nginx = Nginx {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                nginx.child.try_wait().unwrap().is_none(),
                "nginx exited during start"
            );
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }
}

/// nginx in front of a platform at `upstream` (`host:port`), caching the
/// public feeds as docs/operations.md configures it, its files in
/// `directory`.
pub fn feed_proxy(directory: &Path, upstream: &str) -> Nginx {
    Nginx::start(directory, |port| configuration(directory, port, upstream))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The deployment's proxy configuration for the feeds (docs/operations.md
/// shows the same), pointed at `upstream`.
fn configuration(directory: &Path, port: u16, upstream: &str) -> String {
    let directory = directory.display();
    format!(
        r#"    proxy_cache_path {directory}/cache levels=1:2 keys_zone=feeds:10m max_size=256m inactive=10m use_temp_path=off;
    upstream platform {{
        server {upstream};
        keepalive 16;
        keepalive_timeout 5s;
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        location / {{
            proxy_pass http://platform;
        }}
        location ~ ^/v1/(status-lists/|trust-list$|catalogue/) {{
            proxy_pass http://platform;
            proxy_cache feeds;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_cache_use_stale updating error timeout;
            proxy_cache_background_update on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
"#
    )
}

/// Requests a platform at `base` answered, from its `GET /metrics`: those
/// whose route template starts with `route` and, if given, of `method`.
pub async fn requests_answered(
    client: &reqwest::Client,
    base: &str,
    route: &str,
    method: Option<&str>,
) -> u64 {
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let route = format!("route=\"{route}");
    let method = method.map(|method| format!("method=\"{method}\""));
    metrics
        .lines()
        .filter(|line| line.starts_with("ecard_http_requests_total{"))
        .filter(|line| line.contains(&route))
        .filter(|line| method.as_ref().is_none_or(|method| line.contains(method)))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}
