//! Property tests of everything the core parses from the platform and from
//! its own storage: no byte string or JSON shape makes it panic. (The
//! cargo-fuzz target `platform_replies` runs the same properties for longer;
//! scripts/fuzz.sh.)
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_api::catalogue::CatalogueSync;
use ecard_api::problem::Problem;
use ecard_api::resident::{Application, AuditEntry, CredentialSet, Delegation, Profile};
use ecard_core::net::ApiResponse;
use ecard_core::storage::cipher::{FieldCipher, FieldCipherSuite};
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(
            |number| serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
        ),
        "[a-z_]{0,12}".prop_map(Value::String),
        "\\PC{0,20}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("items".to_owned()),
                    Just("outlets".to_owned()),
                    Just("rules".to_owned()),
                    Just("version".to_owned()),
                    Just("full".to_owned()),
                    Just("removed".to_owned()),
                    Just("credentials".to_owned()),
                    Just("card_id".to_owned()),
                    Just("state".to_owned()),
                    Just("code".to_owned()),
                    Just("status".to_owned()),
                    "[a-z_]{1,10}".prop_map(String::from),
                ],
                inner,
                0..8,
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

fn parse_all(body: Vec<u8>) {
    let response = ApiResponse::Body {
        status: 200,
        body,
        etag: None,
    };
    let _ = response.json::<CatalogueSync>();
    let _ = response.json::<Profile>();
    let _ = response.json::<CredentialSet>();
    let _ = response.json::<Vec<Application>>();
    let _ = response.json::<Vec<Delegation>>();
    let _ = response.json::<Vec<AuditEntry>>();
    let _ = response.json::<Problem>();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn reply_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_all(body);
    }

    #[test]
    fn reply_json_shapes_never_panic(value in json_value()) {
        parse_all(serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn stored_ciphertexts_never_panic(sealed in proptest::collection::vec(any::<u8>(), 0..256)) {
        for suite in FieldCipherSuite::ALL {
            let cipher = FieldCipher::new(suite, &vec![7; suite.key_len()]).unwrap();
            prop_assert!(cipher.open("outbox.sealed_body", &sealed).is_err());
        }
    }
}
