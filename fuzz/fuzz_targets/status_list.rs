//! Any bytes as a signed status list: decoding (bounded decompression) and
//! installing into a verifier. Must never panic or allocate without bound.
#![no_main]

use std::sync::OnceLock;

use ecard_test_vectors::{TestVector, generate};
use ecard_credential::{Purpose, SignedStatusList, Verifier, VerifierPolicy};
use libfuzzer_sys::fuzz_target;

fn vector() -> &'static TestVector {
    static VECTOR: OnceLock<TestVector> = OnceLock::new();
    VECTOR.get_or_init(|| generate().ok().and_then(|vectors| vectors.into_iter().next()).expect("a vector"))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(signed) = SignedStatusList::parse(data) {
        let _ = signed.list.is_revoked(4_242);
        let _ = signed.list.revoked_count();
    }
    let vector = vector();
    let mut verifier = Verifier::new(&vector.trust_list, VerifierPolicy::for_purposes(&Purpose::ALL)).expect("trust list");
    let _ = verifier.install_status_list(data, vector.verifier.now);
});
