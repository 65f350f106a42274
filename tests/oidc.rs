//! Scan-to-login against a real OpenID Connect client library: Python's
//! authlib plays the relying party (`tests/oidc/relying_party.py`) through
//! discovery, an authorization request with PKCE (S256), the token endpoint
//! and userinfo, and verifies the ID token with the platform's JWK set;
//! the core client approves the login on a phone in between.
//!
//! The Python packages go into `target/oidc-venv` on first use (`python3
//! -m venv`, then `pip install authlib requests`). Nothing here is skipped:
//! without Python, its venv module or the packages, the test fails and says
//! what is missing.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use ecard_e2e::TestPlatform;
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// The venv with authlib and requests, made on first use.
fn python_with_authlib() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let venv = root.join("target").join("oidc-venv");
    let python = venv.join("bin").join("python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import authlib, requests"])
            .status()
            .is_ok_and(|status| status.success())
    };
    if python.exists() && ready(&python) {
        return python;
    }
    // One test process at a time makes the venv.
    std::fs::create_dir_all(root.join("target")).unwrap();
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .output()
        .unwrap_or_else(|error| panic!("python3 is needed for this test: {error}"));
    assert!(
        made.status.success(),
        "`python3 -m venv {}` failed; on Debian install python3-venv \
         (apt-get install python3-venv): {}",
        venv.display(),
        String::from_utf8_lossy(&made.stderr)
    );
    let installed = Command::new(venv.join("bin").join("pip"))
        .args(["install", "--quiet", "authlib", "requests"])
        .output()
        .unwrap();
    assert!(
        installed.status.success(),
        "pip install authlib requests failed (is PyPI reachable?): {}",
        String::from_utf8_lossy(&installed.stderr)
    );
    assert!(
        ready(&python),
        "authlib is not importable after installing it"
    );
    python
}

/// Stops the relying party and fails with what it wrote on stderr.
fn fail(relying_party: &mut Child, what: &str) -> ! {
    let _ = relying_party.kill();
    let _ = relying_party.wait();
    let mut stderr = String::new();
    if let Some(mut pipe) = relying_party.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
    }
    panic!("{what}; the relying party said:\n{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_login_with_authlib_pkce_and_a_verified_id_token() {
    let python = python_with_authlib();
    let platform = TestPlatform::start();
    let registered = platform
        .admin(
            reqwest::Method::POST,
            ecard_api::paths::ADMIN_RELYING_PARTIES,
            Some(json!({
                "name": "南昌市人社网上办事大厅", "kind": "website",
                "redirect_uris": [REDIRECT], "scopes": ["profile", "id_number"],
            })),
        )
        .await;
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("oidc")
        .join("relying_party.py");
    let mut relying_party = Command::new(&python)
        .arg(&script)
        .arg(platform.url())
        .arg(registered["client_id"].as_str().unwrap())
        .arg(registered["client_secret"].as_str().unwrap())
        .arg(REDIRECT)
        // authlib refuses plain http unless told: the platform is on loopback.
        .env("AUTHLIB_INSECURE_TRANSPORT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = relying_party.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let Ok(login_code) = received.recv_timeout(Duration::from_secs(60)) else {
        fail(
            &mut relying_party,
            "no login QR code from the relying party",
        );
    };

    // The phone scans, sees the registered name, approves with the PIN.
    let data = tempfile::tempdir().unwrap();
    let phone = ecard_e2e::open_client(&platform.url(), data.path()).await;
    let resident = platform.persona("resident").await;
    ecard_e2e::enrol(&phone, &platform.url(), ecard_e2e::identity_of(&resident))
        .await
        .unwrap();
    let ecard_core::ScannedText::Login(code) = ecard_core::classify_scan(&login_code) else {
        fail(
            &mut relying_party,
            &format!("{login_code:?} is not a login QR code"),
        );
    };
    let shown = phone.login_request(&code.request_id).await.unwrap();
    assert_eq!(shown.relying_party.name, "南昌市人社网上办事大厅");
    phone
        .approve_login(&code.request_id, ecard_e2e::TEST_PIN, None)
        .await
        .unwrap();
    {
        let stdin = relying_party.stdin.as_mut().unwrap();
        stdin.write_all(b"approved\n").unwrap();
        stdin.flush().unwrap();
    }
    let Ok(verified) = received.recv_timeout(Duration::from_secs(60)) else {
        fail(
            &mut relying_party,
            "no verified claims from the relying party",
        );
    };
    let status = relying_party.wait().unwrap();
    let mut stderr = String::new();
    if let Some(mut pipe) = relying_party.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr).unwrap();
    }
    assert!(status.success(), "the relying party failed:\n{stderr}");
    let verified: Value = serde_json::from_str(&verified)
        .unwrap_or_else(|error| panic!("{error}: {verified}\n{stderr}"));

    let claims = &verified["id_token"];
    assert_eq!(claims["iss"], platform.url());
    assert_eq!(claims["aud"], registered["client_id"]);
    assert_eq!(claims["name"], resident["name"]);
    assert_eq!(claims["id_number"], resident["id_number"]);
    assert_eq!(claims["sub"].as_str().unwrap().len(), 22);
    assert_eq!(verified["userinfo"]["sub"], claims["sub"]);
    assert_eq!(verified["userinfo"]["name"], resident["name"]);
    assert_eq!(verified["scope"], "openid profile id_number");
    // The phone lists what it authorised.
    let listed = phone.authorisations().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].relying_party.client_id,
        registered["client_id"].as_str().unwrap()
    );
}
