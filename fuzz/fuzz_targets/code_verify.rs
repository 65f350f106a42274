//! Any bytes, as code text and as a binary presentation, through the
//! decoder and a fully configured verifier (trust list, status list, all
//! purposes). Must never panic; a byte string that verifies must be one the
//! corpus produced.
#![no_main]

use std::sync::OnceLock;

use ecard_test_vectors::{TestVector, generate};
use ecard_credential::{Presentation, Purpose, Verifier, VerifierPolicy, base45};
use libfuzzer_sys::fuzz_target;

fn vector() -> &'static TestVector {
    static VECTOR: OnceLock<TestVector> = OnceLock::new();
    VECTOR.get_or_init(|| {
        generate()
            .ok()
            .and_then(|vectors| vectors.into_iter().find(|vector| vector.name == "valid-transport-issuer-ed25519-device-p256"))
            .expect("the corpus has its valid transport vector")
    })
}

fuzz_target!(|data: &[u8]| {
    let vector = vector();
    let _ = Presentation::parse(data);
    let text = String::from_utf8_lossy(data);
    let _ = Presentation::from_code(&text);
    let mut verifier = Verifier::new(&vector.trust_list, VerifierPolicy::for_purposes(&Purpose::ALL)).expect("trust list");
    let _ = verifier.verify(&text, vector.verifier.now);
    let _ = verifier.verify(&format!("EC1:{}", base45::encode(data)), vector.verifier.now);
});
