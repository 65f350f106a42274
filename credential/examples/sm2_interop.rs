//! The Rust side of the SM2 interoperability check against an independent
//! implementation (`scripts/test-sm2-interop.sh`, with the pure-Python
//! `gmssl` package).
//!
//! - `sm2_interop emit` prints, one item a line, what the other side checks:
//!   `sig <public key> <message> <signature>` (the crate's SM2 key signs
//!   with SM3 and the identifier `1234567812345678`; the public key is the
//!   uncompressed point without its `04` tag, the signature `r ‖ s`, an
//!   empty message `-`),
//!   `sm3 <message> <digest>` (SM3 of the crate's own dependency), and
//!   `code <issuer public key> <device public key> <code text>`: a whole
//!   e-card code from an SM2 issuer and an SM2 device, which the other side
//!   parses by the format and whose issuer and device signatures it checks
//!   over their context strings. All values but the code are hex.
//! - `sm2_interop verify` reads lines `<expect> <public key> <message>
//!   <signature>` (hex; `expect` is `valid` or `invalid`) from standard
//!   input, checks each through `PublicKey::verify`, prints one verdict a
//!   line, and fails when any verdict differs from the expectation.

#![allow(clippy::print_stdout, reason = "the example prints what it made")]

use std::io::BufRead as _;
use std::process::ExitCode;

use ecard_credential::claims::{
    ConcessionClass, Handle, HolderRole, Purpose, PurposeSet, StatusReference,
};
use ecard_credential::{
    CredentialClaims, IssuerKey, KeyStore, PresentationRequest, PublicKey, SoftwareKey,
    SoftwareKeyStore, Suite, TrustList, TrustedKey, Verifier, VerifierPolicy, present,
};
use sm3::Digest as _;

/// The clock of the sample code.
const NOW: u64 = 1_780_000_000;

type Error = Box<dyn std::error::Error>;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A message in hex, `-` when empty (so every line has all its fields).
fn message_hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        "-".to_owned()
    } else {
        hex(bytes)
    }
}

fn unhex(text: &str) -> Result<Vec<u8>, Error> {
    if text == "-" {
        return Ok(Vec::new());
    }
    if !text.len().is_multiple_of(2) {
        return Err(format!("odd hex length: {text}").into());
    }
    (0..text.len())
        .step_by(2)
        .map(|at| {
            text.get(at..at + 2)
                .ok_or_else(|| Error::from("not hex"))
                .and_then(|pair| u8::from_str_radix(pair, 16).map_err(Error::from))
        })
        .collect()
}

/// The uncompressed point without its `04` tag, as `gmssl` takes it.
fn bare_point(key: &PublicKey) -> String {
    hex(key.as_bytes().get(1..).unwrap_or_default())
}

fn messages() -> Vec<Vec<u8>> {
    vec![
        Vec::new(),
        b"abc".to_vec(),
        b"ecard-credential-v1".to_vec(),
        "电子社保卡".as_bytes().to_vec(),
        (0..=255).collect(),
        vec![0x5a; 1_000],
    ]
}

fn emit() -> Result<(), Error> {
    for (index, scalar) in [[0x53; 32], [0x24; 32], [0x7e; 32]].iter().enumerate() {
        let key = SoftwareKey::sm2_from_scalar(scalar)?;
        for message in messages() {
            let signature = key.sign(&message)?;
            println!(
                "sig {} {} {}",
                bare_point(key.public_key()),
                message_hex(&message),
                hex(&signature)
            );
        }
        if index == 0 {
            for message in messages() {
                println!(
                    "sm3 {} {}",
                    message_hex(&message),
                    hex(&sm3::Sm3::digest(&message))
                );
            }
        }
    }
    let (code, issuer, device) = sample_code()?;
    println!(
        "code {} {} {code}",
        bare_point(issuer.public_key()),
        bare_point(&device)
    );
    Ok(())
}

/// One code from an SM2 issuer to an SM2 device (a HarmonyOS phone),
/// checked by the crate's own verifier before it is printed.
fn sample_code() -> Result<(String, IssuerKey, PublicKey), Error> {
    let issuer = IssuerKey::new(0x3600_0003, SoftwareKey::sm2_from_scalar(&[0x53; 32])?);
    let store = SoftwareKeyStore::new();
    let device = store.generate_key("device", Suite::Sm2)?;
    let claims = CredentialClaims {
        handle: Handle([0x5e, 0xc0, 0x4d, 0x11, 0x2a, 0x7b, 0x90, 0x03]),
        not_before: NOW - 60,
        lifetime_minutes: 24 * 60,
        status: StatusReference { list: 0, index: 42 },
        concession: ConcessionClass::Senior,
        purposes: PurposeSet::of(&[Purpose::Transport, Purpose::CultureTourism]),
        role: HolderRole::Holder,
        region: None,
        affiliation: None,
    };
    let credential = issuer.issue(&claims, &device)?;
    let request = PresentationRequest {
        purpose: Purpose::Transport,
        issued_at: NOW,
        counter: 1,
    };
    let code = present(&credential, &request, &store, "device")?.to_code();
    let trust = TrustList::new(
        1,
        NOW,
        vec![TrustedKey::for_issuer_key(
            &issuer,
            "CN-360000",
            NOW - 86_400,
            NOW + 86_400,
        )],
    );
    let mut verifier = Verifier::new(
        &trust,
        VerifierPolicy::for_purposes(&[Purpose::Transport]).best_effort_status(),
    )?;
    verifier.verify(&code, NOW)?;
    Ok((code, issuer, device))
}

fn verify() -> Result<bool, Error> {
    let mut all_as_expected = true;
    let mut count = 0;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [expect, public, message, signature] = fields.as_slice() else {
            return Err(format!("malformed line: {line}").into());
        };
        let mut point = unhex(public)?;
        if point.len() == 64 {
            point.insert(0, 0x04);
        }
        let key = PublicKey::from_bytes(Suite::Sm2, &point)?;
        let valid = key.verify(&unhex(message)?, &unhex(signature)?);
        let verdict = if valid { "valid" } else { "invalid" };
        println!("{verdict} {}", &signature[..16.min(signature.len())]);
        all_as_expected &= verdict == *expect;
        count += 1;
    }
    if count == 0 {
        return Err("no signatures to verify".into());
    }
    Ok(all_as_expected)
}

fn main() -> ExitCode {
    let result = match std::env::args().nth(1).as_deref() {
        Some("emit") => emit().map(|()| true),
        Some("verify") => verify(),
        _ => Err("usage: sm2_interop emit | verify".into()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("a verdict differed from its expectation");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}
