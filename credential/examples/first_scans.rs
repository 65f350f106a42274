//! Verifies a number of codes that each come from a phone and a credential
//! the verifier has never seen: the first-scan path, for counting its
//! instructions with callgrind (`scripts/measure-first-scan.sh`), which
//! stays exact on a busy machine where wall-clock benches do not.
//!
//! Usage: `first_scans <issuer suite> <device suite> <count>`, suites by
//! name (`ed25519`, `p256`, `sm2`).

#![allow(clippy::print_stdout, reason = "the example reports what it did")]

use ecard_credential::keys::disclosure_groups;
use ecard_credential::{
    ConcessionClass, CredentialClaims, Handle, HolderRole, IssuerKey, KeyStore,
    PresentationRequest, Purpose, SoftwareKey, SoftwareKeyStore, StatusList, StatusReference,
    Suite, TrustList, TrustedKey, Verifier, VerifierPolicy, present,
};

const NOW: u64 = 1_780_000_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let [issuer_suite, device_suite, count] = arguments.as_slice() else {
        return Err("usage: first_scans <issuer suite> <device suite> <count>".into());
    };
    let issuer_suite = Suite::from_name(issuer_suite).ok_or("unknown issuer suite")?;
    let device_suite = Suite::from_name(device_suite).ok_or("unknown device suite")?;
    let count: u32 = count.parse()?;

    let (key, _) = SoftwareKey::generate(issuer_suite)?;
    let issuer = IssuerKey::new(1, key);
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
    let mut list = StatusList::new(0, 1 << 20)?;
    list.sequence = 1;
    list.issued_at = NOW;
    list.valid_until = NOW + 86_400;
    let status = list.sign(&issuer)?;

    let mut codes = Vec::new();
    for index in 0..count {
        let phone = SoftwareKeyStore::new();
        phone.generate_key("device", device_suite)?;
        let claims = CredentialClaims {
            handle: Handle(u64::from(index).to_be_bytes()),
            not_before: NOW - 60,
            lifetime_minutes: 48 * 60,
            status: StatusReference {
                list: 0,
                index: index * 2 + 1,
            },
            concession: ConcessionClass::Senior,
            purposes: disclosure_groups()[0],
            role: HolderRole::Holder,
            region: None,
            affiliation: None,
        };
        let credential = issuer.issue(&claims, &phone.public_key("device")?)?;
        let request = PresentationRequest {
            purpose: Purpose::Transport,
            issued_at: NOW,
            counter: 1,
        };
        codes.push(present(&credential, &request, &phone, "device")?.to_code());
    }

    let mut verifier = Verifier::new(&trust, VerifierPolicy::for_purposes(&[Purpose::Transport]))?;
    verifier.install_status_list(&status, NOW)?;
    let mut accepted = 0;
    for code in &codes {
        if verifier.verify(code, NOW + 1).is_ok() {
            accepted += 1;
        }
    }
    println!("{accepted} of {count} first scans accepted");
    if accepted != count {
        return Err("a genuine code was refused".into());
    }
    Ok(())
}
