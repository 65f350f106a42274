//! Shared pieces of the commands: the clock, argument parsers and the
//! sample issuer.

use std::time::{SystemTime, UNIX_EPOCH};

use ecard_credential::keys::disclosure_groups;
use ecard_credential::{
    AuthorityKey, ConcessionClass, Credential, CredentialClaims, Handle, HolderRole, IssuerKey,
    KeyStore, Purpose, RegionCode, SignedTrustList, SoftwareKey, StatusReference, Suite,
    TrustAuthority, TrustList, TrustedKey,
};

/// The system clock in Unix seconds.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Parses a purpose name for clap.
pub fn parse_purpose(text: &str) -> Result<Purpose, String> {
    Purpose::from_name(text)
        .ok_or_else(|| "expected one of: transport, medical, identity, culture-tourism".to_owned())
}

/// Parses a suite name for clap.
pub fn parse_suite(text: &str) -> Result<Suite, String> {
    Suite::from_name(text).ok_or_else(|| "expected p256, ed25519 or sm2".to_owned())
}

/// An in-process issuer for samples and the offline part of the demo.
pub struct SampleIssuer {
    pub key: IssuerKey,
    pub trust_list: TrustList,
    /// The trust list signed by the sample authority key.
    pub signed_trust_list: SignedTrustList,
    /// The authority key a terminal pins to take the signed list.
    pub authority_keys: Vec<AuthorityKey>,
}

pub const SAMPLE_ISSUER: &str = "CN-360000";

impl SampleIssuer {
    /// An issuer whose key, and the authority key that signs its trust
    /// list, are of `suite` (`sm2`: a 国密 deployment, SM2 with SM3).
    pub fn with_suite(now: u64, suite: Suite) -> Result<SampleIssuer, String> {
        let (key, _pkcs8) = SoftwareKey::generate(suite).map_err(|error| error.to_string())?;
        let key = IssuerKey::new(0x3600_0001, key);
        let entry =
            TrustedKey::for_issuer_key(&key, SAMPLE_ISSUER, now - 86_400, now + 365 * 86_400);
        let (authority, _pkcs8) =
            SoftwareKey::generate(suite).map_err(|error| error.to_string())?;
        let authority = TrustAuthority::new(authority);
        let authority_keys = vec![authority.authority_key(now - 86_400, now + 365 * 86_400)];
        let mut trust_list = TrustList::new(1, now, vec![entry]);
        trust_list.authority_keys = authority_keys.clone();
        let signed_trust_list = authority
            .sign(&trust_list)
            .map_err(|error| error.to_string())?;
        Ok(SampleIssuer {
            key,
            trust_list,
            signed_trust_list,
            authority_keys,
        })
    }

    /// Issues a 48-hour credential for the disclosure group of `purpose`.
    pub fn issue_for(
        &self,
        key_store: &dyn KeyStore,
        alias: &str,
        purpose: Purpose,
        status_index: u32,
        now: u64,
    ) -> Result<Credential, String> {
        let device_key = key_store
            .public_key(alias)
            .map_err(|error| error.to_string())?;
        let purposes = disclosure_groups()
            .into_iter()
            .find(|group| group.contains(purpose))
            .ok_or("no disclosure group for purpose")?;
        let claims = CredentialClaims {
            handle: Handle::random().map_err(|error| error.to_string())?,
            not_before: now - 60,
            lifetime_minutes: 48 * 60,
            status: StatusReference {
                list: 0,
                index: status_index,
            },
            concession: ConcessionClass::Senior,
            purposes,
            role: HolderRole::Holder,
            region: if purpose.may_disclose_region() {
                RegionCode::new(360_100)
            } else {
                None
            },
            // The demo has no school enrolment: campus codes carry none.
            affiliation: None,
        };
        self.key
            .issue(&claims, &device_key)
            .map_err(|error| error.to_string())
    }
}
