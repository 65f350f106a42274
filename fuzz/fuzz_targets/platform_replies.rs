//! Any bytes as a platform reply: every body type the client core parses,
//! and the credentials inside a credential set. Must never panic.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::catalogue::CatalogueSync;
use ecard_api::problem::Problem;
use ecard_api::resident::{Application, AuditEntry, CredentialSet, Delegation, EnrolmentResponse, Profile};
use ecard_credential::{Credential, SignedTrustList, TrustAnchor, TrustList};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<CatalogueSync>(data);
    let _ = serde_json::from_slice::<Profile>(data);
    let _ = serde_json::from_slice::<Problem>(data);
    let _ = serde_json::from_slice::<Vec<Application>>(data);
    let _ = serde_json::from_slice::<Vec<Delegation>>(data);
    let _ = serde_json::from_slice::<Vec<AuditEntry>>(data);
    let _ = serde_json::from_slice::<EnrolmentResponse>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = TrustList::from_json(text);
        if let Ok(signed) = SignedTrustList::from_json(text) {
            // Pinned on first use, as the core does: must never panic.
            if let Ok(list) = signed.unverified_list() {
                let mut anchor = TrustAnchor::new(list.authority_keys);
                let _ = anchor.install(&signed, 1_767_254_400);
            }
        }
    }
    if let Ok(set) = serde_json::from_slice::<CredentialSet>(data) {
        for issued in set.credentials {
            if let Ok(bytes) = URL_SAFE_NO_PAD.decode(issued.credential) {
                if let Ok(credential) = Credential::parse(&bytes) {
                    let _ = credential.device_key();
                }
            }
        }
    }
    let _ = Credential::parse(data);
});
