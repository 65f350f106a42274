//! `ecard code sample`: a freshly issued sample credential and one code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ecard_credential::{
    KeyStore, PresentationRequest, Purpose, QrMatrix, SoftwareKeyStore, Suite, Verifier,
    VerifierPolicy, present,
};
use serde_json::json;

use crate::output::{SampleIssuer, now, parse_purpose, parse_suite};

#[derive(Args)]
pub struct SampleArgs {
    /// Device key suite: `p256` (Android Keystore, iOS Secure Enclave),
    /// `sm2` (HarmonyOS HUKS) or `ed25519`.
    #[arg(long, value_parser = parse_suite, default_value = "p256")]
    suite: Suite,
    /// Issuer key suite, also that of the authority key signing the trust
    /// list: `ed25519`, `p256` or `sm2` (国密: SM2 with SM3).
    #[arg(long, value_parser = parse_suite, default_value = "ed25519")]
    issuer_suite: Suite,
    /// Purpose of the code.
    #[arg(long, value_parser = parse_purpose, default_value = "transport")]
    purpose: Purpose,
    /// Print one JSON line instead of the terminal rendering.
    #[arg(long)]
    json: bool,
    /// Write the code as a PNG image.
    #[arg(long)]
    png: Option<PathBuf>,
    /// Write the signed trust list that verifies the code.
    #[arg(long)]
    trust_out: Option<PathBuf>,
    /// Write the authority key that signs the trust list (JSON, for
    /// `ecard verify --authority-key`).
    #[arg(long)]
    authority_out: Option<PathBuf>,
}

pub fn run(args: &SampleArgs) -> Result<ExitCode, String> {
    let now = now();
    let issuer = SampleIssuer::with_suite(now, args.issuer_suite)?;
    let key_store = SoftwareKeyStore::new();
    key_store
        .generate_key("device", args.suite)
        .map_err(|error| error.to_string())?;
    let credential = issuer.issue_for(&key_store, "device", args.purpose, 1, now)?;
    let request = PresentationRequest {
        purpose: args.purpose,
        issued_at: now,
        counter: 1,
    };
    let code = present(&credential, &request, &key_store, "device")
        .map_err(|error| error.to_string())?
        .to_code();
    let matrix = QrMatrix::encode(&code).map_err(|error| error.to_string())?;
    // A sample has no status list: its own check is best effort.
    let mut verifier = Verifier::new(
        &issuer.trust_list,
        VerifierPolicy::for_purposes(&[args.purpose]).best_effort_status(),
    )
    .map_err(|error| error.to_string())?;
    let verified = verifier.verify(&code, now).is_ok();
    if let Some(path) = &args.png {
        std::fs::write(path, matrix.to_png(8))
            .map_err(|error| format!("{}: {error}", path.display()))?;
    }
    if let Some(path) = &args.trust_out {
        std::fs::write(path, issuer.signed_trust_list.to_json())
            .map_err(|error| format!("{}: {error}", path.display()))?;
    }
    if let Some(path) = &args.authority_out {
        let keys = serde_json::to_string_pretty(&issuer.authority_keys)
            .map_err(|error| error.to_string())?;
        std::fs::write(path, keys).map_err(|error| format!("{}: {error}", path.display()))?;
    }
    if args.json {
        let line = json!({
            "suite": args.suite.name(),
            "issuer_suite": args.issuer_suite.name(),
            "purpose": args.purpose.name(),
            "code": code,
            "chars": code.len(),
            "qr_version": matrix.version(),
            "ecc": matrix.ecc().to_string(),
            "verified": verified,
        });
        println!("{line}");
    } else {
        print!("{}", matrix.to_terminal());
        println!("{code}");
        println!(
            "{} chars, QR version {} at ECC {}, verified: {verified}",
            code.len(),
            matrix.version(),
            matrix.ecc()
        );
    }
    Ok(if verified {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
