//! Certificates (参保证明): issued as a PDF with a CJK font, rendered and
//! read back with poppler (`pdftoppm`, `pdftotext`, installed by
//! `scripts/test`), checked online by code and by file; a changed byte or
//! an ended validity fails; a proxy with the `records` scope is named on
//! the certificate; strangers learn nothing; failed checks are limited per
//! source address; the person's certificates are listed newest first, to
//! the holder and to a proxy with the `records` scope only.

use std::path::{Path, PathBuf};
use std::process::Command;

use ecard_api::paths;

use super::*;

/// A poppler tool, or a clear failure when it is missing.
fn tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|directory| directory.join(name))
            .find(|candidate| candidate.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("{name} is missing: install poppler-utils (scripts/test installs it)")
    })
}

/// The text of a PDF, by `pdftotext`.
fn pdf_text(pdf: &Path) -> String {
    let output = Command::new(tool("pdftotext"))
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// Renders page 1 at 50 dpi with `pdftoppm`; returns the PNG's size.
fn render_first_page(pdf: &Path, directory: &Path) -> u64 {
    let prefix = directory.join("page");
    let status = Command::new(tool("pdftoppm"))
        .args(["-png", "-r", "50", "-f", "1", "-l", "1"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    let png = std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|extension| extension == "png"))
        .expect("pdftoppm wrote no PNG");
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    bytes.len() as u64
}

/// The QR codes on page 1, rendered at 150 dpi and read by rqrr.
fn qr_codes_on_first_page(pdf: &Path, directory: &Path) -> Vec<String> {
    let prefix = directory.join("qr");
    let status = Command::new(tool("pdftoppm"))
        .args([
            "-gray",
            "-png",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
        ])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    let bytes = std::fs::read(prefix.with_extension("png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    // Grey or RGB (poppler's choice): the first sample of each pixel.
    let samples = info.color_type.samples();
    let (width, height) = (info.width as usize, info.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        pixels[(y * width + x) * samples]
    });
    image
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().unwrap().1)
        .collect()
}

async fn issue(device: &RawDevice, body: Value) -> RawAnswer {
    device.post(paths::MY_CERTIFICATES, body).await
}

/// `GET /v1/me/certificates`, of `person_id` or of the caller.
async fn list(device: &RawDevice, person_id: Option<&str>) -> RawAnswer {
    match person_id {
        Some(person_id) => {
            device
                .get(&format!("{}?person_id={person_id}", paths::MY_CERTIFICATES))
                .await
        }
        None => device.get(paths::MY_CERTIFICATES).await,
    }
}

/// The ids of a list's certificates, in order.
fn listed_ids(answer: &RawAnswer) -> Vec<String> {
    answer.body["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|certificate| certificate["certificate_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn download(device: &RawDevice, certificate_id: &str) -> RawAnswer {
    device
        .get(&paths::with_id(paths::CERTIFICATE_PDF, certificate_id))
        .await
}

fn pdf_bytes(answer: &RawAnswer) -> Vec<u8> {
    assert_eq!(answer.content_type.as_deref(), Some("application/pdf"));
    STANDARD.decode(answer.body.as_str().unwrap()).unwrap()
}

async fn check_code(platform: &TestPlatform, code: &str) -> RawAnswer {
    get(platform, &paths::with_id(paths::CERTIFICATE_CHECK, code)).await
}

async fn check_file(platform: &TestPlatform, pdf: &[u8]) -> RawAnswer {
    public(
        platform,
        Method::POST,
        paths::CERTIFICATE_CHECKS,
        Some(pdf.to_vec()),
        &[("content-type", "application/pdf")],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_issued_rendered_read_checked_tampered_and_expired() {
    let platform = TestPlatform::start();
    let elder = platform.enrol_persona("elder").await;
    let issued = issue(&elder, json!({ "kind": "participation" })).await;
    ok(&issued, 201);
    let certificate = &issued.body;
    assert_eq!(certificate["requested_by"], "holder");
    assert!(certificate.get("requested_by_name").is_none());
    let code = certificate["verification_code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 16);
    assert!(
        certificate["check_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/v1/certificate-checks/{code}"))
    );
    let issued_at = certificate["issued_at"].as_u64().unwrap();
    assert_eq!(
        certificate["valid_until"].as_u64().unwrap(),
        issued_at + 90 * DAY
    );

    let answer = download(&elder, certificate["certificate_id"].as_str().unwrap()).await;
    ok(&answer, 200);
    let pdf = pdf_bytes(&answer);
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() <= 200 * 1024, "{} bytes", pdf.len());
    assert_eq!(pdf.len() as u64, certificate["size"].as_u64().unwrap());

    // Page 1 renders; the text reads back in Chinese.
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let png_size = render_first_page(&file, directory.path());
    assert!(png_size > 2_000, "a blank page? {png_size} bytes");
    let text = pdf_text(&file);
    assert!(text.contains("社会保险参保证明"), "{text}");
    assert!(text.contains("刘**"), "{text}");
    assert!(
        !text.contains("刘桂兰"),
        "the full name is not printed: {text}"
    );
    assert!(text.contains(&code), "{text}");
    assert!(text.contains("养老保险"), "{text}");
    // The QR code holds the check URL.
    assert_eq!(
        qr_codes_on_first_page(&file, directory.path()),
        vec![certificate["check_url"].as_str().unwrap().to_owned()]
    );

    // Anyone checks it: by code, and by the file.
    let by_code = check_code(&platform, &code).await;
    ok(&by_code, 200);
    assert_eq!(by_code.body["state"], "valid");
    assert_eq!(by_code.body["name_masked"], "刘**");
    assert_eq!(by_code.body["kind"], "participation");
    let masked = by_code.body["id_number_masked"].as_str().unwrap();
    assert!(masked.contains("****"), "{masked}");
    // Lower case and hyphens read as the same code.
    let typed = format!("{}-{}", &code[..8], &code[8..]).to_lowercase();
    assert_eq!(check_code(&platform, &typed).await.body["state"], "valid");
    let by_file = check_file(&platform, &pdf).await;
    ok(&by_file, 200);
    assert_eq!(by_file.body["state"], "valid");

    // One changed byte: refused.
    let mut tampered = pdf.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 0x01;
    problem(
        &check_file(&platform, &tampered).await,
        422,
        "certificate_invalid",
    );

    // Past its validity: expired, by code and by file.
    advance(&platform, 91 * DAY).await;
    let later = check_code(&platform, &code).await;
    ok(&later, 200);
    assert_eq!(later.body["state"], "expired");
    problem(
        &check_file(&platform, &pdf).await,
        409,
        "certificate_expired",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_a_proxy_with_the_records_scope_is_named_and_strangers_learn_nothing() {
    let platform = TestPlatform::start();
    let helper = platform.enrol_persona("resident").await;
    let elder_device = elder_mandate(&platform, &helper, &["records"]).await;
    let elder_id = person_id(&elder_device);
    let issued = issue(
        &helper,
        json!({ "person_id": elder_id, "kind": "contribution_record", "from_year": 1990, "to_year": 1999 }),
    )
    .await;
    ok(&issued, 201);
    assert_eq!(issued.body["requested_by"], "proxy");
    assert_eq!(issued.body["requested_by_name"], "张*");
    assert_eq!(issued.body["from_year"], 1990);
    let certificate_id = issued.body["certificate_id"].as_str().unwrap();

    let pdf = pdf_bytes(&download(&helper, certificate_id).await);
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("certificate.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = pdf_text(&file);
    assert!(text.contains("张*（亲属代办）"), "{text}");
    assert!(text.contains("1995"), "{text}");
    // The holder sees it too, and the audit trail says who asked.
    ok(&download(&elder_device, certificate_id).await, 200);
    let trail = elder_device.get("/v1/audit").await;
    ok(&trail, 200);
    let entry = trail
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "certificate.issue")
        .expect("the issue is audited");
    assert_eq!(entry["actor_account_id"], account_id(&helper));
    assert!(entry["mandate_id"].is_string());

    // A stranger: no certificate, no PDF.
    let stranger = platform.enrol_persona("student").await;
    problem(
        &issue(
            &stranger,
            json!({ "person_id": elder_id, "kind": "participation" }),
        )
        .await,
        403,
        "no_mandate",
    );
    problem(&download(&stranger, certificate_id).await, 404, "not_found");
    // Knowing the ID number is not enough: there is no way to name one.
    problem(
        &issue(
            &stranger,
            json!({ "id_number": "360102194806020464", "kind": "participation" }),
        )
        .await,
        400,
        "malformed_request",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_guessed_codes_are_limited_per_source() {
    let platform = TestPlatform::start();
    let mut last = None;
    for attempt in 0..10 {
        let answer = check_code(&platform, &format!("{attempt:016}")).await;
        ok(&answer, 200);
        assert_eq!(answer.body["state"], "unknown");
        assert!(answer.body.get("name_masked").is_none());
        last = Some(answer);
    }
    assert!(last.is_some());
    let locked = check_code(&platform, "0000000000000099").await;
    problem(&locked, 429, "rate_limited");
    assert!(locked.retry_after.unwrap() > 0);
    // Files too.
    problem(
        &check_file(&platform, b"%PDF-1.7 not a certificate").await,
        429,
        "rate_limited",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_without_a_cjk_font_are_unavailable_not_broken() {
    let platform = TestPlatform::start_with(|directory| {
        let mut config = ecard_platform::PlatformConfig::new(ecard_e2e::test_database(directory));
        config.admin_token = ADMIN_TOKEN.to_owned();
        config.certificate_font = Some(directory.join("no-such-font.ttc"));
        config
    });
    let elder = platform.enrol_persona("elder").await;
    problem(
        &issue(&elder, json!({ "kind": "participation" })).await,
        503,
        "certificates_unavailable",
    );
    // Records still answer.
    ok(&elder.get(paths::MY_INSURANCE_RECORDS).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_listed_newest_first_to_the_holder_and_a_proxy_with_the_records_scope() {
    let platform = TestPlatform::start();
    let helper = platform.enrol_persona("resident").await;
    // Someone with none: an empty list, theirs.
    let none = list(&helper, None).await;
    ok(&none, 200);
    assert_eq!(none.body["person_id"], person_id(&helper).as_str());
    assert_eq!(none.body["certificates"], json!([]));

    // The holder issues two, an hour apart: the newer first, each as issued.
    let elder = elder_mandate(&platform, &helper, &["records"]).await;
    let elder_id = person_id(&elder);
    let first = issue(&elder, json!({ "kind": "participation" })).await;
    ok(&first, 201);
    advance(&platform, 3_600).await;
    let second = issue(
        &elder,
        json!({ "kind": "contribution_record", "insurance": "pension" }),
    )
    .await;
    ok(&second, 201);
    let own = list(&elder, None).await;
    ok(&own, 200);
    assert_eq!(own.body["person_id"], elder_id.as_str());
    assert_eq!(
        own.body["certificates"],
        json!([second.body.clone(), first.body.clone()])
    );

    // The proxy with the records scope sees the same list, and one it
    // issues comes first, named as the proxy's.
    let by_proxy = list(&helper, Some(&elder_id)).await;
    ok(&by_proxy, 200);
    assert_eq!(by_proxy.body, own.body);
    // A minute later (within one second, ties are ordered by id).
    advance(&platform, 60).await;
    let third = issue(
        &helper,
        json!({ "person_id": elder_id, "kind": "participation" }),
    )
    .await;
    ok(&third, 201);
    let ids = |answers: [&RawAnswer; 3]| {
        answers
            .map(|answer| answer.body["certificate_id"].as_str().unwrap().to_owned())
            .to_vec()
    };
    let newest_first = ids([&third, &second, &first]);
    let own = list(&elder, None).await;
    assert_eq!(listed_ids(&own), newest_first);
    assert_eq!(own.body["certificates"][0]["requested_by"], "proxy");
    assert_eq!(own.body["certificates"][0]["requested_by_name"], "张*");
    assert_eq!(own.body["certificates"][1]["requested_by"], "holder");
    // The helper's own list is still empty: the elder's are not theirs.
    assert_eq!(list(&helper, None).await.body["certificates"], json!([]));

    // A stranger: refused, and nothing of the list shown.
    let stranger = platform.enrol_persona("student").await;
    let refused = list(&stranger, Some(&elder_id)).await;
    problem(&refused, 403, "no_mandate");
    assert!(refused.body.get("certificates").is_none());

    // Expired ones stay listed.
    let now = advance(&platform, 91 * DAY).await;
    let later = list(&elder, None).await;
    ok(&later, 200);
    assert_eq!(listed_ids(&later), newest_first);
    assert!(
        later.body["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|certificate| certificate["valid_until"].as_u64().unwrap() < now)
    );
}
