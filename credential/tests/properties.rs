//! Properties over hostile input: no byte string or text makes the decoders
//! or the verifier panic, and no single-byte change to a valid code passes.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_credential::{
    Presentation, Purpose, SignedStatusList, TrustList, Verifier, VerifierPolicy, base45,
};
use ecard_test_vectors::{Expected, TestVector, generate};
use proptest::prelude::*;

fn valid_vector() -> TestVector {
    generate()
        .unwrap()
        .into_iter()
        .find(|vector| vector.name == "valid-transport-issuer-ed25519-device-p256")
        .unwrap()
}

fn verifier(trust_list: &TrustList) -> Verifier {
    Verifier::new(trust_list, VerifierPolicy::for_purposes(&Purpose::ALL)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn presentation_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = Presentation::parse(&bytes);
    }

    #[test]
    fn status_list_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = SignedStatusList::parse(&bytes);
    }

    #[test]
    fn base45_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        prop_assert_eq!(base45::decode(&base45::encode(&bytes)).unwrap(), bytes);
    }

    #[test]
    fn code_text_never_panics(text in "(EC1:)?[0-9A-Z $%*+\\-./:a-z]{0,400}") {
        let _ = Presentation::from_code(&text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn verifier_never_panics_on_bytes_behind_a_valid_prefix(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let vector = valid_vector_cached();
        let mut verifier = verifier(&vector.trust_list);
        let code = format!("EC1:{}", base45::encode(&bytes));
        prop_assert!(verifier.verify(&code, vector.verifier.now).is_err());
    }

    #[test]
    fn no_single_byte_change_passes(position in 0usize..400, xor in 1u8..=255) {
        let vector = valid_vector_cached();
        let presentation = Presentation::from_code(&vector.code).unwrap();
        let mut bytes = presentation.as_bytes().to_vec();
        let position = position % bytes.len();
        bytes[position] ^= xor;
        let code = format!("EC1:{}", base45::encode(&bytes));
        let mut verifier = verifier(&vector.trust_list);
        prop_assert!(verifier.verify(&code, vector.verifier.now).is_err(), "byte {} changed and passed", position);
    }

    #[test]
    fn no_single_byte_change_to_an_sm2_code_passes(position in 0usize..400, xor in 1u8..=255) {
        let vector = sm2_vector_cached();
        let presentation = Presentation::from_code(&vector.code).unwrap();
        let mut bytes = presentation.as_bytes().to_vec();
        let position = position % bytes.len();
        bytes[position] ^= xor;
        let code = format!("EC1:{}", base45::encode(&bytes));
        let mut verifier = verifier(&vector.trust_list);
        prop_assert!(verifier.verify(&code, vector.verifier.now).is_err(), "byte {} changed and passed", position);
    }

    #[test]
    fn status_list_mutations_never_install_a_forgery(position in 0usize..4_096, xor in 1u8..=255) {
        let vector = valid_vector_cached();
        let mut bytes = base64_decode(vector.status_list.as_deref().unwrap());
        let position = position % bytes.len();
        bytes[position] ^= xor;
        let mut verifier = verifier(&vector.trust_list);
        prop_assert!(verifier.install_status_list(&bytes, vector.verifier.now).is_err());
    }
}

fn valid_vector_cached() -> &'static TestVector {
    static VECTOR: std::sync::OnceLock<TestVector> = std::sync::OnceLock::new();
    VECTOR.get_or_init(|| {
        let vector = valid_vector();
        assert!(matches!(vector.expected, Expected::Valid { .. }));
        vector
    })
}

/// SM2 issuer and SM2 device (a HarmonyOS phone under a 国密 issuer).
fn sm2_vector_cached() -> &'static TestVector {
    static VECTOR: std::sync::OnceLock<TestVector> = std::sync::OnceLock::new();
    VECTOR.get_or_init(|| {
        let vector = generate()
            .unwrap()
            .into_iter()
            .find(|vector| vector.name == "valid-transport-issuer-sm2-device-sm2")
            .unwrap();
        assert!(vector.check().is_ok());
        vector
    })
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}
