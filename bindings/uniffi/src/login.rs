//! 扫一扫 and 扫码登录 for the apps: telling a login QR code from an e-card
//! code, and logging in to a relying party (a website, a counter PC, a
//! self-service machine) with the e-card PIN. The logic is the core's
//! (`ecard_core::login`); this module only carries it across.
//!
//! The app shows what [`EcardClient::login_request`] answers — the relying
//! party's registered name and kind, never text from the QR code — before
//! it asks for the PIN.

use ecard_api::login::{
    Authorisation, ClaimScope, LoginDecision, LoginRequestStatus, LoginRequestView,
    RelyingPartyKind, RelyingPartyView,
};

use crate::client::EcardClient;
use crate::error::EcardError;

/// What kind of relying party asks.
#[uniffi::remote(Enum)]
pub enum RelyingPartyKind {
    /// A website.
    Website,
    /// A PC at a service counter.
    CounterPc,
    /// A self-service machine.
    SelfService,
}

/// A claim scope a relying party asks for.
#[uniffi::remote(Enum)]
pub enum ClaimScope {
    /// The relying party's pseudonym of the person only.
    Openid,
    /// The name.
    Profile,
    /// The identity document's number.
    IdNumber,
    /// The social security card's number and state.
    SocialSecurity,
}

/// Where a login request stands.
#[uniffi::remote(Enum)]
pub enum LoginRequestStatus {
    /// Waiting for a decision.
    Pending,
    /// Approved.
    Approved,
    /// Denied.
    Denied,
    /// Not decided in time.
    Expired,
    /// The relying party took its code.
    Completed,
}

/// A relying party as registered.
#[uniffi::remote(Record)]
pub struct RelyingPartyView {
    /// Its client id.
    pub client_id: String,
    /// The registered name (never one from the QR code).
    pub name: String,
    /// The registered kind.
    pub kind: RelyingPartyKind,
}

/// A login request, to show before the PIN.
#[uniffi::remote(Record)]
pub struct LoginRequestView {
    /// The login request's id.
    pub request_id: String,
    /// Who asks.
    pub relying_party: RelyingPartyView,
    /// What it asks for.
    pub scopes: Vec<ClaimScope>,
    /// Where it stands.
    pub status: LoginRequestStatus,
    /// Unix seconds after which it cannot be approved.
    pub expires_at: u64,
}

/// The answer to approving or denying.
#[uniffi::remote(Record)]
pub struct LoginDecision {
    /// The login request.
    pub request_id: String,
    /// Approved or denied.
    pub status: LoginRequestStatus,
    /// The authorisation an approval made.
    pub authorisation_id: Option<String>,
}

/// A login the holder approved, or one approved for them.
#[uniffi::remote(Record)]
pub struct Authorisation {
    /// Its id.
    pub authorisation_id: String,
    /// The relying party.
    pub relying_party: RelyingPartyView,
    /// The scopes granted.
    pub scopes: Vec<ClaimScope>,
    /// When it was approved (Unix seconds).
    pub authorised_at: u64,
    /// The mandate it was approved under, when for someone else.
    pub on_behalf_of: Option<String>,
    /// Whether the holder approved it for themself.
    pub for_self: bool,
    /// When it was revoked.
    pub revoked_at: Option<u64>,
}

/// What a scan found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum ScanKind {
    /// A login QR code: show [`EcardClient::login_request`].
    Login,
    /// Someone's e-card code: this phone is not a terminal.
    ECardCode,
    /// Starts like a login code but is not a well-formed one.
    MalformedLogin,
    /// Anything else.
    Unknown,
}

/// The result of [`classify_scan`].
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ScanResult {
    /// What was scanned.
    pub kind: ScanKind,
    /// The login request's id, for `Login`.
    pub login_request_id: Option<String>,
}

/// 扫一扫: tells a login QR code from an e-card code from other text.
/// Pure computation: safe on the main thread.
#[uniffi::export]
pub fn classify_scan(text: String) -> ScanResult {
    match ecard_core::classify_scan(&text) {
        ecard_core::ScannedText::Login(code) => ScanResult {
            kind: ScanKind::Login,
            login_request_id: Some(code.request_id),
        },
        ecard_core::ScannedText::ECardCode => ScanResult {
            kind: ScanKind::ECardCode,
            login_request_id: None,
        },
        ecard_core::ScannedText::MalformedLogin(_) => ScanResult {
            kind: ScanKind::MalformedLogin,
            login_request_id: None,
        },
        ecard_core::ScannedText::Unknown => ScanResult {
            kind: ScanKind::Unknown,
            login_request_id: None,
        },
    }
}

#[uniffi::export]
impl EcardClient {
    /// The login request `request_id` (from [`classify_scan`]): the relying
    /// party's registered name and kind, the scopes, the expiry.
    pub async fn login_request(&self, request_id: String) -> Result<LoginRequestView, EcardError> {
        self.call(|client| async move { client.login_request(&request_id).await })
            .await
    }

    /// Approves a login request with the e-card PIN: the holder logs in,
    /// or with `on_behalf_of` (a mandate with the `login` scope) the
    /// relative the mandate is for.
    pub async fn approve_login(
        &self,
        request_id: String,
        pin: String,
        on_behalf_of: Option<String>,
    ) -> Result<LoginDecision, EcardError> {
        self.call(|client| async move {
            client
                .approve_login(&request_id, &pin, on_behalf_of.as_deref())
                .await
        })
        .await
    }

    /// Denies a login request.
    pub async fn deny_login(&self, request_id: String) -> Result<LoginDecision, EcardError> {
        self.call(|client| async move { client.deny_login(&request_id).await })
            .await
    }

    /// The logins the holder approved, and those approved for them.
    pub async fn authorisations(&self) -> Result<Vec<Authorisation>, EcardError> {
        self.call(|client| async move { client.authorisations().await })
            .await
    }

    /// Revokes an authorisation: the relying party's tokens stop at once.
    pub async fn revoke_authorisation(
        &self,
        authorisation_id: String,
    ) -> Result<Authorisation, EcardError> {
        self.call(|client| async move { client.revoke_authorisation(&authorisation_id).await })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_are_classified_for_the_apps() {
        assert_eq!(
            classify_scan("ECLOGIN1:lr-abc".into()),
            ScanResult {
                kind: ScanKind::Login,
                login_request_id: Some("lr-abc".into())
            }
        );
        assert_eq!(
            classify_scan("ECLOGIN1:../x".into()).kind,
            ScanKind::MalformedLogin
        );
        assert_eq!(classify_scan("EC1:ABC".into()).kind, ScanKind::ECardCode);
        assert_eq!(classify_scan("hello".into()).kind, ScanKind::Unknown);
    }
}
