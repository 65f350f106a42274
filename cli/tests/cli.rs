//! The `ecard` binary as a user runs it: sample codes, verification of text
//! and PNG codes, and the demo.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::process::Command;

use serde_json::Value;

fn ecard(arguments: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ecard"))
        .args(arguments)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

fn ecard_with_stderr(arguments: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ecard"))
        .args(arguments)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        stderr,
    )
}

fn json_line(stdout: &str) -> Value {
    assert_eq!(stdout.lines().count(), 1, "one line expected: {stdout}");
    serde_json::from_str(stdout.trim()).unwrap()
}

/// A sample code made by `ecard code sample`, with its signed trust list
/// and the authority key to pin written into `directory`.
fn sample_code(directory: &std::path::Path) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let trust = directory.join("trust.json");
    let authority = directory.join("authority.json");
    let (_, stdout) = ecard(&[
        "code",
        "sample",
        "--json",
        "--trust-out",
        trust.to_str().unwrap(),
        "--authority-out",
        authority.to_str().unwrap(),
    ]);
    let code = json_line(&stdout)["code"].as_str().unwrap().to_owned();
    (code, trust, authority)
}

#[test]
fn sample_codes_verify_from_text_and_png() {
    let directory = std::env::temp_dir().join(format!("ecard-cli-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    for (suite, issuer_suite, budget) in [
        ("p256", "ed25519", 11),
        ("ed25519", "ed25519", 10),
        // 国密: an SM2 issuer with Android/iOS (P-256) and HarmonyOS (SM2)
        // device keys.
        ("p256", "sm2", 11),
        ("sm2", "sm2", 11),
    ] {
        for purpose in ["transport", "medical", "identity", "culture-tourism"] {
            let stem = format!("{issuer_suite}-{suite}-{purpose}");
            let png = directory.join(format!("{stem}.png"));
            let trust = directory.join(format!("{stem}.json"));
            let authority = directory.join(format!("{stem}-authority.json"));
            let (status, stdout) = ecard(&[
                "code",
                "sample",
                "--suite",
                suite,
                "--issuer-suite",
                issuer_suite,
                "--purpose",
                purpose,
                "--json",
                "--png",
                png.to_str().unwrap(),
                "--trust-out",
                trust.to_str().unwrap(),
                "--authority-out",
                authority.to_str().unwrap(),
            ]);
            assert_eq!(status, 0);
            let line = json_line(&stdout);
            let keys: Vec<&str> = line
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(
                keys,
                [
                    "suite",
                    "issuer_suite",
                    "purpose",
                    "code",
                    "chars",
                    "qr_version",
                    "ecc",
                    "verified"
                ]
            );
            assert_eq!(line["suite"], suite);
            assert_eq!(line["issuer_suite"], issuer_suite);
            assert_eq!(line["purpose"], purpose.replace('-', "_"));
            assert_eq!(line["ecc"], "M");
            assert_eq!(line["verified"], true);
            let code = line["code"].as_str().unwrap();
            assert_eq!(line["chars"].as_u64().unwrap() as usize, code.len());
            assert!(line["qr_version"].as_u64().unwrap() <= budget);

            for input in [code, png.to_str().unwrap()] {
                // A sample comes with no status list: checked best effort.
                let (status, stdout) = ecard(&[
                    "verify",
                    input,
                    "--trust",
                    trust.to_str().unwrap(),
                    "--authority-key",
                    authority.to_str().unwrap(),
                    "--status-best-effort",
                    "--json",
                ]);
                assert_eq!(status, 0, "{stdout}");
                let verdict = json_line(&stdout);
                assert_eq!(verdict["valid"], true);
                assert_eq!(verdict["disclosure"]["purpose"], purpose.replace('-', "_"));
            }
            if issuer_suite == "sm2" {
                // The SM2 authority key pins from its bare form too, with
                // its suite named.
                let pinned: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&authority).unwrap()).unwrap();
                assert_eq!(pinned[0]["suite"], "sm2");
                let bare = format!("sm2:{}", pinned[0]["public_key"].as_str().unwrap());
                let (status, stdout) = ecard(&[
                    "verify",
                    code,
                    "--trust",
                    trust.to_str().unwrap(),
                    "--authority-key",
                    &bare,
                    "--status-best-effort",
                    "--json",
                ]);
                assert_eq!(status, 0, "{stdout}");
                assert_eq!(json_line(&stdout)["valid"], true);
            }
        }
    }
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn refusals_are_typed_and_localised() {
    let directory = std::env::temp_dir().join(format!("ecard-cli-refusals-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let (code, trust, authority) = sample_code(&directory);
    let trust = trust.to_str().unwrap();
    let authority = authority.to_str().unwrap();

    let (status, stdout) = ecard(&[
        "verify",
        &code,
        "--trust",
        trust,
        "--authority-key",
        authority,
        "--purpose",
        "medical",
        "--json",
    ]);
    assert_eq!(status, 1);
    let verdict = json_line(&stdout);
    assert_eq!(verdict["error"], "wrong_purpose");
    assert!(verdict["message_zh"].as_str().unwrap().contains("用途"));
    assert!(
        verdict["message_en"]
            .as_str()
            .unwrap()
            .contains("different use")
    );

    let later = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600)
        .to_string();
    let (status, stdout) = ecard(&[
        "verify",
        &code,
        "--trust",
        trust,
        "--authority-key",
        authority,
        "--now",
        &later,
        "--json",
    ]);
    assert_eq!(status, 1);
    assert_eq!(json_line(&stdout)["error"], "presentation_expired");

    let (status, stdout) = ecard(&[
        "verify",
        "HC1:NOT-OURS",
        "--trust",
        trust,
        "--authority-key",
        authority,
        "--json",
    ]);
    assert_eq!(status, 1);
    assert_eq!(json_line(&stdout)["error"], "bad_prefix");

    let (status, _) = ecard(&[
        "verify",
        &code,
        "--trust",
        "/nonexistent/trust.json",
        "--json",
    ]);
    assert_eq!(status, 2);
    std::fs::remove_dir_all(&directory).unwrap();
}

/// `ecard verify` takes a trust list only signed by a pinned authority key;
/// an unsigned one only with `--allow-unsigned-trust`, with a warning.
#[test]
fn verify_refuses_unsigned_and_foreign_trust_lists() {
    let directory = std::env::temp_dir().join(format!("ecard-cli-trust-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let (code, trust, authority) = sample_code(&directory);
    let signed =
        ecard_credential::SignedTrustList::from_json(&std::fs::read_to_string(&trust).unwrap())
            .unwrap();
    let unsigned = directory.join("unsigned.json");
    std::fs::write(&unsigned, signed.unverified_list().unwrap().to_json()).unwrap();
    let (trust, authority, unsigned) = (
        trust.to_str().unwrap(),
        authority.to_str().unwrap(),
        unsigned.to_str().unwrap(),
    );

    // Unsigned: refused, and refused even with an authority key.
    for extra in [&[][..], &["--authority-key", authority][..]] {
        let mut arguments = vec!["verify", code.as_str(), "--trust", unsigned, "--json"];
        arguments.extend_from_slice(extra);
        let (status, stdout, stderr) = ecard_with_stderr(&arguments);
        assert_eq!(status, 2, "{stdout}");
        assert!(stderr.contains("unsigned_trust_list"), "{stderr}");
    }
    // Unsigned with the development flag: accepted, with a warning.
    let (status, stdout, stderr) = ecard_with_stderr(&[
        "verify",
        &code,
        "--trust",
        unsigned,
        "--allow-unsigned-trust",
        "--status-best-effort",
        "--json",
    ]);
    assert_eq!(status, 0, "{stdout}");
    assert_eq!(json_line(&stdout)["valid"], true);
    assert!(stderr.contains("UNSIGNED"), "{stderr}");

    // Signed, but no pinned key given, or another authority's key.
    let (status, _, stderr) = ecard_with_stderr(&["verify", &code, "--trust", trust]);
    assert_eq!(status, 2);
    assert!(stderr.contains("--authority-key"), "{stderr}");
    let stranger = ecard_credential::TrustAuthority::new(
        ecard_credential::SoftwareKey::ed25519_from_seed(&[0x66; 32]).unwrap(),
    );
    let stranger = stranger.authority_key(0, 1).public_key;
    let (status, _, stderr) = ecard_with_stderr(&[
        "verify",
        &code,
        "--trust",
        trust,
        "--authority-key",
        &stranger,
    ]);
    assert_eq!(status, 2);
    assert!(stderr.contains("unknown_authority_key"), "{stderr}");
    // The pinned key as bare base64url works like the file.
    let pinned: Value = serde_json::from_str(&std::fs::read_to_string(authority).unwrap()).unwrap();
    let bare = pinned[0]["public_key"].as_str().unwrap();
    let (status, stdout) = ecard(&[
        "verify",
        &code,
        "--trust",
        trust,
        "--authority-key",
        bare,
        "--status-best-effort",
        "--json",
    ]);
    assert_eq!(status, 0, "{stdout}");
    std::fs::remove_dir_all(&directory).unwrap();
}

#[test]
fn the_demo_runs_the_code_journey() {
    let (status, stdout) = ecard(&["demo", "--no-qr"]);
    assert_eq!(status, 0, "{stdout}");
    for expected in [
        "VALID",
        "REFUSED replayed",
        "REFUSED presentation_expired",
        "REFUSED revoked",
        "南昌大学第一附属医院 (门诊楼一层挂号处) · medical",
        "the app shows: 江西政务服务网 asks for [\"openid\",\"profile\"]",
        "the website knows him as 张*",
        "reminder: due by",
        "helper named: true",
        "414 pension months",
        "by code: Valid · 刘**",
        "by file: Valid",
        "certificate_invalid",
    ] {
        assert!(
            stdout.contains(expected),
            "demo output lacks {expected}:\n{stdout}"
        );
    }
}

#[test]
fn the_newborn_demo_runs_from_the_one_form_to_the_childs_first_code() {
    let (status, stdout) = ecard(&["demo", "--newborn", "--no-qr"]);
    assert_eq!(status, 0, "{stdout}");
    for expected in [
        "identity_not_verified",
        "✔ 户口已登记",
        "VALID · shown by: Guardian",
        "✔ 已领卡",
    ] {
        assert!(
            stdout.contains(expected),
            "demo output lacks {expected}:\n{stdout}"
        );
    }
}

/// CRC-32 (IEEE) of PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

#[test]
fn a_decompression_bomb_is_refused_before_decoding() {
    // A few hundred bytes declaring a 30,000 × 30,000 RGBA image (3.6 GB
    // decoded); its pixel data is a short run of zeros.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&30_000u32.to_be_bytes());
    header.extend_from_slice(&30_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("bomb.png");
    std::fs::write(&path, &png).unwrap();
    let trust = directory.path().join("trust.json");
    ecard(&[
        "code",
        "sample",
        "--json",
        "--trust-out",
        trust.to_str().unwrap(),
    ]);
    let output = Command::new(env!("CARGO_BIN_EXE_ecard"))
        .args([
            "verify",
            path.to_str().unwrap(),
            "--trust",
            trust.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("image too large"), "{stderr}");
}

#[test]
fn a_provisioned_terminal_keeps_replays_across_runs_and_refuses_without_state() {
    let directory = tempfile::tempdir().unwrap();
    let (code, trust, authority) = sample_code(directory.path());
    let state = directory.path().join("terminal.json");
    let state_arg = state.to_str().unwrap();

    // Without a state file the terminal refuses; it never accepts everything.
    let (status, stdout) = ecard(&["verify", &code, "--state", state_arg, "--json"]);
    assert_eq!(status, 1);
    assert_eq!(json_line(&stdout)["error"], "not_provisioned");

    // Provisioned a minute ago, best effort (a sample has no status list).
    let earlier = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 120)
        .to_string();
    let (status, _) = ecard(&[
        "terminal",
        "provision",
        "--state",
        state_arg,
        "--trust",
        trust.to_str().unwrap(),
        "--authority-key",
        authority.to_str().unwrap(),
        "--status-best-effort",
        "--now",
        &earlier,
    ]);
    assert_eq!(status, 0);
    let (status, stdout) = ecard(&["verify", &code, "--state", state_arg, "--json"]);
    assert_eq!(status, 0, "{stdout}");
    // A new process: the accept was kept.
    let (status, stdout) = ecard(&["verify", &code, "--state", state_arg, "--json"]);
    assert_eq!(status, 1);
    assert_eq!(json_line(&stdout)["error"], "replayed");
}

/// `ecard verify` gives the corpus's verdict for every SM2 vector scanned
/// once that needs no status list: the phones' suite pairs with an SM2
/// issuer, and the wrong identifier, out-of-range scalars, off-curve points
/// and SM2/P-256 suite confusion refused with their codes.
#[test]
fn sm2_corpus_codes_verify_as_the_corpus_says() {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../credential/tests/vectors");
    let directory = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if path.extension().is_none_or(|extension| extension != "json") || !name.contains("sm2") {
            continue;
        }
        let vector: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let expected = &vector["expected"];
        if vector["scans"] != 1 || expected["error"] == "revoked" {
            continue;
        }
        let trust = directory.path().join(format!("{name}.trust.json"));
        std::fs::write(&trust, vector["trust_list"].to_string()).unwrap();
        let now = vector["verifier"]["now"].to_string();
        let mut arguments = vec![
            "verify".to_owned(),
            vector["code"].as_str().unwrap().to_owned(),
            "--trust".to_owned(),
            trust.to_str().unwrap().to_owned(),
            "--allow-unsigned-trust".to_owned(),
            "--now".to_owned(),
            now,
            "--status-best-effort".to_owned(),
            "--json".to_owned(),
        ];
        for purpose in vector["verifier"]["accepted_purposes"].as_array().unwrap() {
            arguments.push("--purpose".to_owned());
            arguments.push(purpose.as_str().unwrap().replace('_', "-"));
        }
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        let (status, stdout) = ecard(&arguments);
        let verdict = json_line(&stdout);
        if expected["result"] == "valid" {
            assert_eq!(
                (status, &verdict["valid"]),
                (0, &Value::Bool(true)),
                "{name}: {stdout}"
            );
            assert_eq!(
                verdict["disclosure"]["purpose"], expected["disclosure"]["purpose"],
                "{name}"
            );
        } else {
            assert_eq!(status, 1, "{name}: {stdout}");
            assert_eq!(verdict["error"], expected["error"], "{name}");
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} SM2 vectors");
}

/// A new platform database takes its first keys in the chosen suite (the
/// sample Jiangxi deployment signs with SM2); an existing one keeps its own.
#[test]
fn platform_keys_are_made_in_the_deployments_suite() {
    let directory = std::env::temp_dir().join(format!("ecard-cli-suite-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let suites = |db: &std::path::Path, extra: &[&str]| -> Vec<String> {
        let mut arguments = vec!["platform", "authority-key", "--db", db.to_str().unwrap()];
        arguments.extend_from_slice(extra);
        let (status, stdout) = ecard(&arguments);
        assert_eq!(status, 0, "{stdout}");
        let keys: Value = serde_json::from_str(&stdout).unwrap();
        keys.as_array()
            .unwrap()
            .iter()
            .map(|key| key["suite"].as_str().unwrap().to_owned())
            .collect()
    };
    let sample = directory.join("sample.db");
    assert_eq!(suites(&sample, &[]), ["sm2"]);
    let ed25519 = directory.join("ed25519.db");
    assert_eq!(
        suites(&ed25519, &["--issuer-suite", "ed25519"]),
        ["ed25519"]
    );
    assert_eq!(
        suites(&ed25519, &[]),
        ["ed25519"],
        "an existing database keeps its keys"
    );
    let (status, _, stderr) = ecard_with_stderr(&[
        "platform",
        "authority-key",
        "--db",
        directory.join("other.db").to_str().unwrap(),
        "--issuer-suite",
        "sm9",
    ]);
    assert_ne!(status, 0);
    assert!(stderr.contains("expected p256, ed25519 or sm2"), "{stderr}");
    std::fs::remove_dir_all(&directory).unwrap();
}
