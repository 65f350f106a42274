//! `ecard demo`: the main job. It starts the reference platform in process
//! on loopback, and walks one resident's whole journey through the client
//! core, as the app would: an attempted takeover with a name and an ID
//! number refused → enrolment by face check, SMS code and e-card PIN →
//! apply for a card → production and pickup
//! on the platform clock → activation → the e-card code shown and verified
//! offline by a gate → a replay and an expired screenshot refused → loss
//! reported → the code refused → loss released → the code accepted again →
//! a hospital resolves his medical code online and he sees the look-up in
//! his access records → a website login approved on the phone (扫码登录) →
//! his mother's yearly pension eligibility check done on his phone with
//! her face under a family mandate, her insurance record shown and her
//! certificate verified online by a bank.
//! `ecard demo --newborn` walks a parent's 出生一件事 instead: one form
//! from the hospital's birth certificate to the child's first code.

use ecard_api::paths;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use ecard_api::resident::{
    DelegationKind, Delivery, LossKind, PersonIdentity, Relationship, Scope,
};
use ecard_core::{
    BirthFlow, BirthForm, ClientConfig, ClientError, EcardClient, FaceCheck, FaceCheckError,
    FaceCheckRequest, MemoryKeyStore, NewCardForm, OutletQuery, SearchQuery,
};
use ecard_credential::{Locale, Purpose, QrMatrix, SignedTrustList, Verifier, VerifyError};
use ecard_platform::{PlatformConfig, RunningPlatform};

#[derive(Args)]
pub struct DemoArgs {
    /// Do not draw QR symbols in the terminal.
    #[arg(long)]
    no_qr: bool,
    /// The guardian's journey instead: 出生一件事 in one form, from the
    /// hospital's birth certificate to the child's first code.
    #[arg(long)]
    newborn: bool,
}

struct Narrator {
    step: u32,
}

impl Narrator {
    fn step(&mut self, zh: &str, en: &str) {
        self.step += 1;
        println!("\n[{}] {zh}\n    {en}", self.step);
    }
}

type DemoResult<T> = Result<T, String>;

fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

pub fn run(args: &DemoArgs) -> DemoResult<ExitCode> {
    let directory = std::env::temp_dir().join(format!("ecard-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).map_err(text)?;
    let result = (|| {
        let mut config = PlatformConfig::new(directory.join("platform.db"));
        config.admin_token = "demo".into();
        let platform = RunningPlatform::start(&config).map_err(text)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(text)?;
        if args.newborn {
            runtime.block_on(newborn_journey(args, &platform, &directory))
        } else {
            runtime.block_on(journey(args, &platform, &directory))
        }
    })();
    let _ = std::fs::remove_dir_all(&directory);
    result.map(|()| ExitCode::SUCCESS)
}

async fn admin(
    platform: &RunningPlatform,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> DemoResult<serde_json::Value> {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", platform.base_url()))
        .bearer_auth(platform.admin_token());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.map_err(text)?;
    if !response.status().is_success() {
        return Err(format!("{path}: {}", response.status()));
    }
    response.json().await.map_err(text)
}

/// The resident's e-card PIN in the demo (never a pattern or the birthday).
const DEMO_PIN: &str = "135790";

/// The app's face check, played by the reference platform's simulated face
/// platform: the operator says whether the face in front of the camera is
/// the person's own.
struct DemoFace {
    base: String,
    admin_token: String,
    own_face: bool,
}

impl FaceCheck for DemoFace {
    fn check(&self, request: FaceCheckRequest) -> Result<String, FaceCheckError> {
        let unavailable = |error: reqwest::Error| FaceCheckError::Unavailable(error.to_string());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| FaceCheckError::Unavailable(error.to_string()))?;
        runtime.block_on(async {
            let answer: serde_json::Value = reqwest::Client::new()
                .post(format!("{}/admin/face-platform/results", self.base))
                .bearer_auth(&self.admin_token)
                .json(&serde_json::json!({
                    "id_type": request.id_type, "id_number": request.id_number,
                    "challenge": request.challenge, "device_binding": request.device_binding,
                    "live": true, "matched": self.own_face,
                }))
                .send()
                .await
                .map_err(unavailable)?
                .json()
                .await
                .map_err(unavailable)?;
            answer["face_result"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| FaceCheckError::Unavailable("no result".into()))
        })
    }
}

/// The newest text message to `phone` in the reference SMS gateway's outbox.
async fn latest_text(platform: &RunningPlatform, phone: &str) -> DemoResult<String> {
    let messages = admin(
        platform,
        reqwest::Method::GET,
        &format!("/admin/sms?phone={phone}"),
        None,
    )
    .await?;
    messages[0]["body"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "no text message".to_owned())
}

/// The province of the demo personas (Jiangxi).
const DEMO_PROVINCE: &str = "360000";

async fn gate(
    platform: &RunningPlatform,
    client: &EcardClient,
    purpose: Purpose,
) -> DemoResult<Verifier> {
    let base = platform.base_url();
    let trust = reqwest::get(format!("{base}/v1/trust-list"))
        .await
        .map_err(text)?
        .text()
        .await
        .map_err(text)?;
    // The gate was provisioned with the platform's authority key and takes
    // only a trust list signed by it.
    let pins = platform.platform().authority_keys().map_err(text)?;
    let trust = SignedTrustList::from_json(&trust)
        .and_then(|signed| signed.verify(&pins, None, client.trusted_now()))
        .map_err(text)?;
    // A gate of the demo personas' province, configured from its rules
    // (who may present for whom there).
    let rules = reqwest::get(format!("{base}/v1/rules/{DEMO_PROVINCE}"))
        .await
        .map_err(text)?
        .text()
        .await
        .map_err(text)?;
    let rules: ecard_api::rules::RegionalRules = serde_json::from_str(&rules).map_err(text)?;
    let mut verifier = Verifier::new(&trust, rules.verifier_policy(&[purpose])).map_err(text)?;
    let status = reqwest::get(format!("{base}/v1/status-lists/0"))
        .await
        .map_err(text)?
        .bytes()
        .await
        .map_err(text)?;
    verifier
        .install_status_list(&status, client.trusted_now())
        .map_err(text)?;
    Ok(verifier)
}

fn refused(result: Result<impl Sized, VerifyError>) -> DemoResult<()> {
    match result {
        Ok(_) => Err("the demo expected a refusal, but the code was accepted".into()),
        Err(error) => {
            println!(
                "    REFUSED {} · {} · {}",
                error.code(),
                error.message(Locale::ZhCn),
                error.message(Locale::En)
            );
            Ok(())
        }
    }
}

/// A card photo of the national size (358×441 px) as JPEG bytes: the
/// demo's stand-in for the camera.
fn demo_photo() -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ];
    bytes.extend_from_slice(&[
        0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xB9, 0x01, 0x66, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11,
        0x01, 0x03, 0x11, 0x01,
    ]);
    bytes.extend_from_slice(&[
        0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3F, 0x00,
    ]);
    bytes.resize(12_000, 0x55);
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// Zhang Wei enrols on his own phone: a face check, the code texted to the
/// phone on record, the e-card PIN.
async fn enrol_resident(
    narrator: &mut Narrator,
    platform: &RunningPlatform,
    directory: &std::path::Path,
    identity: PersonIdentity,
    phone: &str,
) -> DemoResult<EcardClient> {
    let face = Arc::new(DemoFace {
        base: platform.base_url(),
        admin_token: platform.admin_token().to_owned(),
        own_face: true,
    });
    narrator.step(
        "张伟本人实名登录：人脸识别、预留手机短信验证码、设置6位电子社保卡密码；设备密钥留在密钥库中",
        "Zhang Wei enrols himself: a face check, the code texted to the phone on record, a 6-digit e-card PIN; the device key stays in the key store.",
    );
    let mut config = ClientConfig::new(directory.join("phone"), platform.base_url());
    config.device_name = "张伟的手机".into();
    let client = EcardClient::open(config, Arc::new(MemoryKeyStore::new()))
        .await
        .map_err(text)?;
    client.begin_enrolment(identity).await.map_err(text)?;
    let progress = client.confirm_presence(face).await.map_err(text)?;
    let message = latest_text(platform, phone).await?;
    println!(
        "    face check passed; code sent to {}",
        progress.code_sent_to.clone().unwrap_or_default()
    );
    println!("    SMS: {message}");
    let code = message
        .split("验证码 ")
        .nth(1)
        .and_then(|rest| rest.get(..6))
        .map(str::to_owned);
    client
        .complete_enrolment(code, progress.pin_required.then(|| DEMO_PIN.to_owned()))
        .await
        .map_err(text)?;
    println!("    PIN set (******); the platform keeps only a slow salted hash");
    let snapshot = client.snapshot().map_err(text)?;
    println!(
        "    {} · {}",
        snapshot.name_masked.unwrap_or_default(),
        snapshot.id_number_masked.unwrap_or_default()
    );

    Ok(client)
}

/// The resident persona's identity and phone on record.
async fn resident_persona(platform: &RunningPlatform) -> DemoResult<(PersonIdentity, String)> {
    let personas = admin(platform, reqwest::Method::GET, paths::ADMIN_PERSONAS, None).await?;
    let resident = personas
        .as_array()
        .and_then(|all| all.iter().find(|persona| persona["persona"] == "resident"))
        .ok_or("no resident persona")?;
    let identity = PersonIdentity {
        id_type: "resident_id".into(),
        id_number: resident["id_number"].as_str().unwrap_or_default().into(),
        name: resident["name"].as_str().unwrap_or_default().into(),
    };
    Ok((
        identity,
        resident["phone"].as_str().unwrap_or_default().to_owned(),
    ))
}

async fn journey(
    args: &DemoArgs,
    platform: &RunningPlatform,
    directory: &std::path::Path,
) -> DemoResult<()> {
    let mut narrator = Narrator { step: 0 };
    narrator.step(
        "在本机启动参考发卡平台（SQLite + HTTP，回环地址）",
        "The reference card platform starts on loopback (SQLite + HTTP).",
    );
    println!("    {}", platform.base_url());

    let (identity, phone) = resident_persona(platform).await?;
    let face = |own_face: bool| {
        Arc::new(DemoFace {
            base: platform.base_url(),
            admin_token: platform.admin_token().to_owned(),
            own_face,
        })
    };

    narrator.step(
        "有人只知道张伟的姓名和身份证号，想在自己的手机上冒领他的电子社保卡",
        "Someone who knows only Zhang Wei's name and ID number tries to take his e-card on their own phone.",
    );
    let mut attacker_config = ClientConfig::new(directory.join("attacker"), platform.base_url());
    attacker_config.device_name = "陌生手机".into();
    let attacker = EcardClient::open(attacker_config, Arc::new(MemoryKeyStore::new()))
        .await
        .map_err(text)?;
    attacker
        .begin_enrolment(identity.clone())
        .await
        .map_err(text)?;
    match attacker.confirm_presence(face(false)).await {
        Err(error) => println!(
            "    refused: {} ({})",
            error.message(Locale::ZhCn),
            error.code()
        ),
        Ok(_) => return Err("a stranger's face passed the face check".into()),
    }
    println!(
        "    no device, no code, no text to his phone; enrolled: {}",
        attacker.snapshot().map_err(text)?.enrolled
    );

    let client = enrol_resident(&mut narrator, platform, directory, identity, &phone).await?;

    narrator.step(
        "同步离线服务目录与网点，可用汉字或拼音搜索",
        "The offline catalogue and outlets sync; search works in characters and pinyin.",
    );
    let report = client.sync_catalogue().await.map_err(text)?;
    println!(
        "    {} items, {} outlets",
        report.items_changed, report.outlets_changed
    );
    for query in ["社保卡", "sbk"] {
        let hits = client.search(&SearchQuery {
            text: query.into(),
            limit: 3,
            ..SearchQuery::default()
        });
        let names: Vec<&str> = hits.iter().map(|hit| hit.item.name.as_str()).collect();
        println!("    {query} → {}", names.join("、"));
    }
    let outlets = client.nearest_outlets(&OutletQuery {
        latitude: 28.6829,
        longitude: 115.8579,
        limit: 1,
        service: None,
        open_now_only: false,
    });
    let outlet = outlets.first().ok_or("no outlets")?;
    println!(
        "    nearest outlet: {} ({:.0} m)",
        outlet.outlet.name, outlet.distance_metres
    );

    narrator.step("申领社保卡：在网点领卡，提交经过持久化发件箱", "He applies for a card, to collect at that outlet; the submission goes through the durable outbox.");
    let form = NewCardForm {
        person_id: None,
        photo_jpeg: demo_photo(),
        bank: "icbc".into(),
        phone: "13800138000".into(),
        delivery: Delivery::Pickup {
            outlet_id: outlet.outlet.id.clone(),
        },
        instant_issue: false,
    };
    let submission = client.submit_application(form, None).await.map_err(text)?;
    let application_id = client
        .submitted_application_id(&submission)
        .ok_or("no application id")?;
    let flow = client.application(&application_id).await.map_err(text)?;
    println!(
        "    {} · {:?}",
        flow.progress
            .last()
            .map(|stage| stage.label.as_str())
            .unwrap_or_default(),
        flow.step
    );

    narrator.step(
        "平台时钟前进四天：制卡完成，卡片到达网点",
        "The platform clock moves four days: the card is produced and reaches the outlet.",
    );
    advance_clock(platform, 4 * 86_400).await?;
    let flow = client.application(&application_id).await.map_err(text)?;
    let labels: Vec<&str> = flow
        .progress
        .iter()
        .map(|stage| stage.label.as_str())
        .collect();
    println!("    {}", labels.join(" → "));

    narrator.step(
        "领卡并启用社保功能",
        "He collects the card and enables its social-security function.",
    );
    client
        .confirm_receipt(&application_id)
        .await
        .map_err(text)?;
    let card_id = flow.application.card_id.clone().ok_or("no card")?;
    client.activate_card(&card_id).await.map_err(text)?;
    let flow = client.application(&application_id).await.map_err(text)?;
    println!(
        "    {}",
        flow.progress
            .last()
            .map(|stage| stage.label.as_str())
            .unwrap_or_default()
    );

    narrator.step(
        "出示乘车码：手机离线签名，60 秒有效",
        "He shows his transport code: signed offline on the phone, valid for 60 seconds.",
    );
    client.refresh_profile().await.map_err(text)?;
    let code = client
        .current_code(None, Purpose::Transport)
        .await
        .map_err(text)?;
    if !args.no_qr {
        print!(
            "{}",
            QrMatrix::encode(&code.text).map_err(text)?.to_terminal()
        );
    }
    println!(
        "    {} characters · QR version {} · {} s left",
        code.text.len(),
        code.qr_version,
        code.seconds_left_at(client.trusted_now())
    );

    narrator.step(
        "公交闸机离线验码，只得知“有效、优待类别”",
        "The bus gate verifies offline and learns only: valid, concession class.",
    );
    let mut bus = gate(platform, &client, Purpose::Transport).await?;
    let verified = bus.verify(&code.text, client.trusted_now()).map_err(text)?;
    println!("    VALID · {:?}", verified.disclosure);

    narrator.step(
        "同一个码再刷一次：重放被拒",
        "The same code again: refused as a replay.",
    );
    refused(bus.verify(&code.text, client.trusted_now()))?;
    narrator.step(
        "两分钟后用截图：码已过期",
        "A screenshot two minutes later: the code has expired.",
    );
    let screenshot = client
        .current_code(None, Purpose::Transport)
        .await
        .map_err(text)?;
    refused(bus.verify(&screenshot.text, client.trusted_now() + 120))?;

    narrator.step("临时挂失：手机立即停止出码，平台置位状态列表", "Temporary loss report: the phone stops making codes at once; the platform sets the status bit.");
    let before_loss = client
        .current_code(None, Purpose::Transport)
        .await
        .map_err(text)?;
    client
        .report_loss(&card_id, LossKind::Temporary)
        .await
        .map_err(text)?;
    match client.current_code(None, Purpose::Transport).await {
        Err(error @ ClientError::CardSuspended) => {
            println!("    phone: {}", error.message(Locale::ZhCn))
        }
        other => return Err(format!("expected a suspended card, got {other:?}")),
    }
    let mut bus = gate(platform, &client, Purpose::Transport).await?;
    refused(bus.verify(&before_loss.text, client.trusted_now()))?;

    narrator.step(
        "解挂（输入电子社保卡密码确认）：卡与电子社保卡恢复，新码通过",
        "The loss report is released (confirmed with the e-card PIN): card and e-card come back; a new code passes.",
    );
    client
        .release_loss(&card_id, DEMO_PIN)
        .await
        .map_err(text)?;
    let code = client
        .current_code(None, Purpose::Transport)
        .await
        .map_err(text)?;
    let mut bus = gate(platform, &client, Purpose::Transport).await?;
    let verified = bus.verify(&code.text, client.trusted_now()).map_err(text)?;
    println!("    VALID · {:?}", verified.disclosure);

    hospital_and_login(&mut narrator, platform, &client).await?;
    let certificate = family_self_service(&mut narrator, platform, &client, directory).await?;

    println!(
        "\nDone: a takeover refused, enrolled by face, code and PIN, applied, produced, collected, activated, shown, verified, refused on replay, expiry and loss, released; resolved at a hospital, seen in his access records, a website login approved on the phone; his mother's pension eligibility certified on his phone with her face, her record shown{}.",
        match certificate {
            Certificate::VerifiedByBank => " and her certificate verified online by a bank",
            Certificate::Unavailable => " (her certificate not issued: no CJK font here)",
        }
    );
    Ok(())
}

/// RFC 7636 appendix B: a PKCE verifier and its S256 challenge, as the
/// relying party of the demo would make them.
const DEMO_PKCE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const DEMO_PKCE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const DEMO_REDIRECT: &str = "http://127.0.0.1/callback";

/// The e-card beyond the gate: a hospital resolves his medical code online
/// and learns only what the medical purpose discloses; he sees that look-up
/// in his access records; a government website logs him in after he
/// approves its QR code on the phone with his PIN (OpenID Connect).
async fn hospital_and_login(
    narrator: &mut Narrator,
    platform: &RunningPlatform,
    client: &EcardClient,
) -> DemoResult<()> {
    narrator.step(
        "医院挂号：出示医保码，医院终端在线解析，只得到姓名、社保卡号、参保地、卡状态和本院专用的化名",
        "At a hospital: he shows his medical code; the hospital's terminal resolves it online and learns only name, card number, insured region, card state and a pseudonym of its own.",
    );
    let hospital = admin(
        platform,
        reqwest::Method::POST,
        paths::ADMIN_OPERATORS,
        Some(serde_json::json!({
            "name": "南昌大学第一附属医院", "kind": "hospital", "purposes": ["medical"],
            "location": "门诊楼一层挂号处",
        })),
    )
    .await?;
    let token = hospital["token"].as_str().unwrap_or_default();
    let code = client
        .current_code(None, Purpose::Medical)
        .await
        .map_err(text)?;
    let answer = reqwest::Client::new()
        .post(format!(
            "{}{}",
            platform.base_url(),
            paths::SERVICE_POINT_RESOLUTIONS
        ))
        .bearer_auth(token)
        .json(&serde_json::json!({ "terminal_id": "registration-3", "code": code.text }))
        .send()
        .await
        .map_err(text)?;
    if !answer.status().is_success() {
        return Err(format!("the hospital's resolution: {}", answer.status()));
    }
    let resolved: serde_json::Value = answer.json().await.map_err(text)?;
    let card_number = resolved["card_number"].as_str().unwrap_or_default();
    println!(
        "    {} · card {} · region {} · {} · pseudonym {}",
        ecard_documents::mask_name(resolved["name"].as_str().unwrap_or_default()),
        ecard_documents::mask(card_number),
        resolved["insurance_region"].as_str().unwrap_or_default(),
        resolved["card_state"].as_str().unwrap_or_default(),
        resolved["pseudonym"].as_str().unwrap_or_default(),
    );

    narrator.step(
        "“谁查看了我的信息”：张伟在手机上看到这次查询",
        "\"Who looked at my data\": he sees that look-up on his phone.",
    );
    let records = client.access_records(None, None).await.map_err(text)?;
    for record in records.records.iter().take(3) {
        println!(
            "    {} ({}) · {} · {}",
            record.operator_name,
            record.location.as_deref().unwrap_or_default(),
            record.purpose.name(),
            record
                .disclosed
                .iter()
                .map(|field| field.name())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    narrator.step(
        "扫码登录：政务服务网显示登录二维码，张伟用 App 扫码，核对登记的网站名称后输入密码确认",
        "Scan to log in: a government website shows a login QR; he scans it, checks the registered site name and approves with his PIN.",
    );
    let relying_party = admin(
        platform,
        reqwest::Method::POST,
        "/admin/relying-parties",
        Some(serde_json::json!({
            "name": "江西政务服务网", "kind": "website",
            "redirect_uris": [DEMO_REDIRECT], "scopes": ["profile"],
        })),
    )
    .await?;
    let client_id = relying_party["client_id"].as_str().unwrap_or_default();
    let client_secret = relying_party["client_secret"].as_str().unwrap_or_default();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(text)?;
    let page = browser
        .get(format!("{}/oauth/authorize", platform.base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", DEMO_REDIRECT),
            ("scope", "openid profile"),
            ("state", "demo-state"),
            ("nonce", "demo-nonce"),
            ("code_challenge", DEMO_PKCE_CHALLENGE),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .map_err(text)?
        .text()
        .await
        .map_err(text)?;
    let between = |start: &str, end: char| -> DemoResult<String> {
        let from = page
            .find(start)
            .ok_or_else(|| format!("the login page has no {start}"))?;
        let rest = &page[from..];
        Ok(rest[..rest.find(end).unwrap_or(rest.len())].to_owned())
    };
    let qr_text = between("ECLOGIN1:", '<')?;
    let continue_path = between("/oauth/continue/", '"')?;
    let ecard_core::ScannedText::Login(login) = ecard_core::classify_scan(&qr_text) else {
        return Err("the app did not read a login code".into());
    };
    let shown = client
        .login_request(&login.request_id)
        .await
        .map_err(text)?;
    println!(
        "    the app shows: {} asks for {}",
        shown.relying_party.name,
        serde_json::to_string(&shown.scopes).map_err(text)?
    );
    client
        .approve_login(&login.request_id, DEMO_PIN, None)
        .await
        .map_err(text)?;
    let back = browser
        .get(format!("{}{continue_path}", platform.base_url()))
        .send()
        .await
        .map_err(text)?;
    let location = back
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let code = location
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("code="))
        .ok_or_else(|| format!("no code in the redirect {location}"))?;
    let tokens: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/oauth/token", platform.base_url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", DEMO_REDIRECT),
            ("code_verifier", DEMO_PKCE_VERIFIER),
            ("client_id", client_id),
            ("client_secret", client_secret),
        ])
        .send()
        .await
        .map_err(text)?
        .json()
        .await
        .map_err(text)?;
    let claims: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/oauth/userinfo", platform.base_url()))
        .bearer_auth(tokens["access_token"].as_str().unwrap_or_default())
        .send()
        .await
        .map_err(text)?
        .json()
        .await
        .map_err(text)?;
    println!(
        "    the website knows him as {} ({}), its own pseudonym; an ID token came too: {}",
        ecard_documents::mask_name(claims["name"].as_str().unwrap_or_default()),
        claims["sub"].as_str().unwrap_or_default(),
        tokens["id_token"].as_str().is_some()
    );
    Ok(())
}

/// 亲情代办 for social insurance: Zhang Wei's mother 刘桂兰 draws a pension
/// and has no smartphone. Under a family mandate she consents to with her
/// face on his phone, he is reminded before her yearly eligibility check
/// (待遇资格认证) is due, does it on his phone with her face (his own is
/// refused), shows her contribution record and shares a certificate
/// (参保证明) that a bank checks online by its code and by the file.
async fn family_self_service(
    narrator: &mut Narrator,
    platform: &RunningPlatform,
    client: &EcardClient,
    directory: &std::path::Path,
) -> DemoResult<Certificate> {
    let face = |own_face: bool| {
        Arc::new(DemoFace {
            base: platform.base_url(),
            admin_token: platform.admin_token().to_owned(),
            own_face,
        })
    };
    let personas = admin(platform, reqwest::Method::GET, paths::ADMIN_PERSONAS, None).await?;
    let elder = personas
        .as_array()
        .and_then(|all| all.iter().find(|persona| persona["persona"] == "elder"))
        .ok_or("no elder persona")?;
    let mother = PersonIdentity {
        id_type: "resident_id".into(),
        id_number: elder["id_number"].as_str().unwrap_or_default().into(),
        name: elder["name"].as_str().unwrap_or_default().into(),
    };

    narrator.step(
        "亲情代办：张伟为母亲刘桂兰申请代办授权（待遇认证、权益记录、查询），母亲在他的手机上刷脸同意",
        "Family help: Zhang Wei asks to act for his mother Liu Guilan (eligibility, records, tracking); she consents with her face on his phone.",
    );
    let requested = client
        .request_mandate(
            DelegationKind::FamilyProxy,
            mother.clone(),
            None,
            vec![Scope::Eligibility, Scope::Records, Scope::Track],
            None,
            Some(Relationship::Child),
            DEMO_PIN,
        )
        .await
        .map_err(text)?;
    let delegation_id = requested.delegation_id.ok_or("no mandate id")?;
    client
        .consent_mandate_by_face(&delegation_id, &mother, face(true))
        .await
        .map_err(text)?;
    let profile = client.cached_profile().map_err(text)?.ok_or("no profile")?;
    let principal = profile
        .principals
        .first()
        .ok_or("the mandate shows no one")?;
    let mother_id = principal.person_id.clone();
    println!("    acting for {} (family proxy)", principal.name_masked);

    narrator.step(
        "平台时钟前进六天：母亲的年度待遇资格认证进入认证期，张伟的手机提醒他",
        "The platform clock moves six days: his mother's yearly pension eligibility check falls due, and his phone reminds him.",
    );
    let mut events = client.subscribe();
    advance_clock(platform, 6 * 86_400).await?;
    let due = client
        .eligibility(Some(mother_id.clone()))
        .await
        .map_err(text)?;
    while let Ok(event) = events.try_recv() {
        if let ecard_core::ClientEvent::EligibilityReminder {
            due_by,
            days_before,
            ..
        } = event
        {
            println!("    reminder: due by {due_by} ({days_before} days before)");
        }
    }
    println!(
        "    state {:?} · due by {}",
        due.status.state,
        due.status.due_by.as_deref().unwrap_or("-")
    );

    narrator.step(
        "张伟用自己的脸替母亲认证：被拒",
        "Zhang Wei tries his own face for his mother's check: refused.",
    );
    match client
        .certify_eligibility(Some(mother_id.clone()), mother.clone(), face(false))
        .await
    {
        Err(error) => println!(
            "    refused: {} ({})",
            error.message(Locale::ZhCn),
            error.code()
        ),
        Ok(_) => return Err("a helper's own face certified a pensioner".into()),
    }

    narrator.step(
        "母亲在张伟的手机前刷脸：认证通过，记录写明由谁协助",
        "His mother faces his phone's camera: certified, and the record names who helped.",
    );
    let certified = client
        .certify_eligibility(Some(mother_id.clone()), mother.clone(), face(true))
        .await
        .map_err(text)?;
    let helped_by_him = certified
        .status
        .last_certification
        .as_ref()
        .and_then(|certification| certification.helper_account_id.as_deref())
        == Some(profile.account_id.as_str());
    println!(
        "    state {:?} · next due by {} · helper named: {helped_by_him}",
        certified.status.state,
        certified.status.due_by.as_deref().unwrap_or("-")
    );

    narrator.step(
        "查看母亲的社保权益记录（按年、按险种）",
        "He opens his mother's insurance record by year and insurance.",
    );
    let record = client
        .insurance_records(Some(mother_id.clone()))
        .await
        .map_err(text)?;
    let pension_months: u32 = record
        .participations
        .iter()
        .filter(|participation| participation.insurance == ecard_api::insurance::Insurance::Pension)
        .map(|participation| participation.months)
        .sum();
    let first = record.years.last().map_or(0, |year| year.year);
    let latest = record.years.first().map_or(0, |year| year.year);
    println!(
        "    {} years on record ({first}–{latest}), {pension_months} pension months, pension since {}",
        record.years.len(),
        record
            .pension
            .as_ref()
            .map_or("-", |pension| pension.since.as_str())
    );

    narrator.step(
        "开具母亲的参保证明（PDF），通过系统分享发给银行",
        "He gets his mother's insurance certificate (a PDF) and shares it with her bank.",
    );
    let certificate = match client
        .request_certificate(ecard_api::insurance::CertificateRequest {
            person_id: Some(mother_id.clone()),
            kind: ecard_api::insurance::CertificateKind::Participation,
            insurance: None,
            from_year: None,
            to_year: None,
        })
        .await
    {
        Ok(certificate) => certificate,
        // The platform renders certificates with a system CJK font; a
        // machine without one cannot issue them, and says so.
        Err(
            error @ ClientError::Refused {
                code: ecard_api::problem::ProblemCode::CertificatesUnavailable,
                ..
            },
        ) => {
            println!(
                "    refused: {} ({})",
                error.message(Locale::ZhCn),
                error.code()
            );
            if let ClientError::Refused { detail, .. } = &error {
                println!("    {detail}");
            }
            println!(
                "    this step and the bank's check need a CJK font on this machine (Debian: apt-get install fonts-wqy-microhei)"
            );
            return Ok(Certificate::Unavailable);
        }
        Err(error) => return Err(text(error)),
    };
    let shared = client
        .certificate_file(&certificate.certificate.certificate_id)
        .await
        .map_err(text)?;
    let file = std::fs::read(&shared).map_err(text)?;
    println!(
        "    {} · {} bytes · verification code {}",
        std::path::Path::new(&shared)
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default(),
        file.len(),
        certificate.certificate.verification_code
    );

    narrator.step(
        "银行在线核验：按核验码、按文件均有效；改动过的文件不通过",
        "The bank checks it online: valid by its code and by the file; a changed file fails.",
    );
    let bank_config = ClientConfig::new(directory.join("bank"), platform.base_url());
    let bank = EcardClient::open(bank_config, Arc::new(MemoryKeyStore::new()))
        .await
        .map_err(text)?;
    let by_code = bank
        .check_certificate(&certificate.certificate.verification_code)
        .await
        .map_err(text)?;
    println!(
        "    by code: {:?} · {} · {}",
        by_code.state,
        by_code.name_masked.as_deref().unwrap_or("-"),
        by_code.issuer.as_deref().unwrap_or("-")
    );
    let by_file = bank
        .check_certificate_file(file.clone())
        .await
        .map_err(text)?;
    println!("    by file: {:?}", by_file.state);
    let mut changed = file;
    let position = changed.len() / 2;
    changed[position] ^= 0x01;
    match bank.check_certificate_file(changed).await {
        Err(error) => println!(
            "    changed file: {} ({})",
            error.message(Locale::ZhCn),
            error.code()
        ),
        Ok(check) => return Err(format!("a changed certificate was {:?}", check.state)),
    }
    Ok(Certificate::VerifiedByBank)
}

/// How the demo's certificate step ended.
enum Certificate {
    /// Issued, shared and checked by the bank.
    VerifiedByBank,
    /// Not issued: the machine has no CJK font to render it.
    Unavailable,
}

/// Advances the platform clock by `seconds`.
async fn advance_clock(platform: &RunningPlatform, seconds: u64) -> DemoResult<()> {
    admin(
        platform,
        reqwest::Method::POST,
        paths::ADMIN_CLOCK_ADVANCE,
        Some(serde_json::json!({ "seconds": seconds })),
    )
    .await
    .map(|_| ())
}

/// Prints a birth's one progress line: reached steps with their dates.
fn print_birth(flow: &BirthFlow) {
    let line: Vec<String> = flow
        .stages
        .iter()
        .map(|stage| match stage.at {
            Some(_) => format!("✔ {}", stage.label),
            None => format!("· {}", stage.label),
        })
        .collect();
    println!("    {}", line.join(" → "));
}

/// `ecard demo --newborn`: the guardian's journey of 出生一件事, from the
/// hospital's birth medical certificate to the child's first code — one
/// form, one submission (the Jiangxi report: 家长只需填写一张表格，提交一次申请).
async fn newborn_journey(
    args: &DemoArgs,
    platform: &RunningPlatform,
    directory: &std::path::Path,
) -> DemoResult<()> {
    let mut narrator = Narrator { step: 0 };
    narrator.step(
        "在本机启动参考发卡平台；医院已上报张伟女儿的出生医学证明，孩子还没有身份证号",
        "The reference platform starts on loopback; the hospital has reported the birth certificate of Zhang Wei's daughter, who has no ID number yet.",
    );
    println!("    {}", platform.base_url());
    let (identity, phone) = resident_persona(platform).await?;
    let client = enrol_resident(&mut narrator, platform, directory, identity, &phone).await?;
    client.sync_catalogue().await.map_err(text)?;
    let rules = client
        .rules()
        .map_err(text)?
        .ok_or("no rules for the region")?;

    narrator.step(
        "出生一件事：一张表格——出生医学证明、户籍登记地、社保卡银行与领卡方式；新生儿免照片",
        "出生一件事: one form — the birth certificate, the household, the card's bank and delivery; no photo for a newborn.",
    );
    println!("    {}", rules.newborn.source);
    let born = ecard_documents::Date::from_unix_days(
        ecard_documents::Date::in_china_at(client.trusted_now())
            .ok_or("clock out of range")?
            .to_unix_days()
            - 3,
    )
    .ok_or("clock out of range")?;
    let outlet = client
        .nearest_outlets(&OutletQuery {
            latitude: 28.6829,
            longitude: 115.8579,
            limit: 1,
            service: Some(ecard_api::catalogue::OutletService::CardPickup),
            open_now_only: false,
        })
        .first()
        .map(|hit| hit.outlet.id.clone())
        .ok_or("no outlets")?;
    let form = BirthForm {
        birth_certificate: ecard_platform::domain::seed::SEEDED_BIRTH_CERTIFICATE.into(),
        child_name: "张小禾".into(),
        sex: ecard_api::resident::Sex::Female,
        birth_date: born.to_string(),
        other_parent: None,
        household_region: "360102".into(),
        household_address: "江西省南昌市东湖区八一大道188号3栋2单元501室".into(),
        bank: "icbc".into(),
        phone: "13800138000".into(),
        delivery: Delivery::Pickup { outlet_id: outlet },
        photo_jpeg: None,
    };
    let mut stranger_form = form.clone();
    stranger_form.birth_certificate = "P360100999".into();
    match client.register_birth(stranger_form).await {
        Err(error) => println!(
            "    a certificate the hospital never reported: {} ({})",
            error.message(Locale::ZhCn),
            error.code()
        ),
        Ok(_) => return Err("an unreported certificate was taken".into()),
    }
    client.register_birth(form).await.map_err(text)?;
    let births = client.births().await.map_err(text)?;
    let birth = births.first().ok_or("no birth")?;
    println!("    {}", birth.birth.child_name_masked);
    print_birth(birth);

    narrator.step(
        "平台时钟前进一天：户口登记完成，分配身份证号；张伟成为监护人，社保卡申请自动提交",
        "The platform clock moves a day: the household is registered and the ID number assigned; Zhang Wei holds the guardian mandate and the card application is filed.",
    );
    advance_clock(platform, 86_400 + 2 * 3_600).await?;
    let births = client.births().await.map_err(text)?;
    let birth = births.first().ok_or("no birth")?;
    print_birth(birth);
    client.refresh_profile().await.map_err(text)?;
    let profile = client.cached_profile().map_err(text)?.ok_or("no profile")?;
    let child = profile
        .principals
        .iter()
        .find(|principal| Some(&principal.person_id) == birth.birth.person_id.as_ref())
        .ok_or("the child is not among the people he acts for")?;
    println!(
        "    {} · {}",
        child.name_masked,
        child.id_number_masked.clone().unwrap_or_default()
    );

    narrator.step(
        "江西：制卡开始即同步生成电子社保卡——孩子的第一个码，在父亲的手机上，医院离线验码",
        "Jiangxi: the e-card is made with the card — the child's first code, on the father's phone, verified offline at a hospital.",
    );
    let application_id = birth.birth.application_id.clone().ok_or("no application")?;
    let flow = client.application(&application_id).await.map_err(text)?;
    let child_card = flow.application.card_id.clone().ok_or("no card yet")?;
    client.refresh_all_credentials().await.map_err(text)?;
    let code = client
        .current_code(Some(child_card), Purpose::Medical)
        .await
        .map_err(text)?;
    if !args.no_qr {
        print!(
            "{}",
            QrMatrix::encode(&code.text).map_err(text)?.to_terminal()
        );
    }
    let mut clinic = gate(platform, &client, Purpose::Medical).await?;
    let verified = clinic
        .verify(&code.text, client.trusted_now())
        .map_err(text)?;
    println!(
        "    VALID · shown by: {:?} · {:?}",
        verified.on_behalf, verified.disclosure
    );

    narrator.step(
        "卡片制成送到网点，领卡：一条进度线走完",
        "The card is made and reaches the outlet; collected: the one progress line is complete.",
    );
    advance_clock(platform, 4 * 86_400).await?;
    client
        .confirm_receipt(&application_id)
        .await
        .map_err(text)?;
    let births = client.births().await.map_err(text)?;
    print_birth(births.first().ok_or("no birth")?);

    println!(
        "\nDone: one form, one submission — birth certificate checked, household registered, ID number assigned, guardian mandate, card made, the child's first code shown and verified."
    );
    Ok(())
}
