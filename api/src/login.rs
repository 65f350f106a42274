//! Scan-to-login (扫一扫 / 扫码登录) in the shape of OpenID Connect: the
//! wire types of relying-party registration, of the phone's side (reading a
//! login request, approving or denying it, the resident's authorisations)
//! and of the relying party's token answer.
//!
//! A relying party is registered by the platform's admin and names its
//! redirect URIs and the claim scopes it may ask for. What the phone shows
//! comes from that registration, never from the QR code: the QR code carries
//! only the login request's id ([`LOGIN_CODE_PREFIX`]), so a look-alike page
//! cannot make the app show a name it chose.

use serde::{Deserialize, Serialize};

/// The prefix of a login QR code's text: `ECLOGIN1:<login request id>`.
pub const LOGIN_CODE_PREFIX: &str = "ECLOGIN1:";

/// The longest login request id a QR code may carry.
pub const MAX_LOGIN_REQUEST_ID_CHARS: usize = 64;

/// Seconds a login request waits for the resident's decision.
pub const LOGIN_REQUEST_SECONDS: u64 = 120;

/// What kind of relying party asks: the app says so before the resident
/// approves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RelyingPartyKind {
    /// A website (a government service portal, an employer's site).
    Website,
    /// A PC at a service counter.
    CounterPc,
    /// A self-service machine.
    SelfService,
}

/// A claim scope a relying party may ask for (OpenID Connect `scope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ClaimScope {
    /// The pairwise subject only (`sub`): always part of a login.
    Openid,
    /// The name (`name`).
    Profile,
    /// The identity document's number (`id_number`).
    IdNumber,
    /// The social security card's number and state (`social_security`).
    SocialSecurity,
}

impl ClaimScope {
    /// Every scope, in the order the platform lists them.
    pub const ALL: [ClaimScope; 4] = [
        ClaimScope::Openid,
        ClaimScope::Profile,
        ClaimScope::IdNumber,
        ClaimScope::SocialSecurity,
    ];

    /// The scope's name in an OAuth `scope` parameter.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClaimScope::Openid => "openid",
            ClaimScope::Profile => "profile",
            ClaimScope::IdNumber => "id_number",
            ClaimScope::SocialSecurity => "social_security",
        }
    }

    /// The scope named `name`, if it is one.
    pub fn from_name(name: &str) -> Option<ClaimScope> {
        ClaimScope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == name)
    }
}

/// `POST /admin/relying-parties` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRelyingParty {
    /// The name the app shows the resident, 1–100 characters.
    pub name: String,
    /// Website, counter PC or self-service machine.
    pub kind: RelyingPartyKind,
    /// Where the platform may send the browser back, matched exactly:
    /// `https://…`, or `http://127.0.0.1…` / `http://localhost…` for a
    /// machine's local client.
    pub redirect_uris: Vec<String>,
    /// The scopes it may ask for (`openid` is always included).
    pub scopes: Vec<ClaimScope>,
}

/// `POST /admin/relying-parties` answer: the client id and its secret,
/// shown this once (the platform keeps only its SHA-256).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredRelyingParty {
    /// The OAuth `client_id`.
    pub client_id: String,
    /// The OAuth `client_secret`.
    pub client_secret: String,
    /// The registered name.
    pub name: String,
    /// The registered kind.
    pub kind: RelyingPartyKind,
    /// The registered redirect URIs.
    pub redirect_uris: Vec<String>,
    /// The registered scopes.
    pub scopes: Vec<ClaimScope>,
}

/// A relying party as the resident sees it: its registered name and kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct RelyingPartyView {
    /// The OAuth `client_id`.
    pub client_id: String,
    /// The registered name (never a name taken from the QR code).
    pub name: String,
    /// The registered kind.
    pub kind: RelyingPartyKind,
}

/// Where a login request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LoginRequestStatus {
    /// Waiting for a resident to approve or deny it.
    Pending,
    /// Approved; the relying party may take its code.
    Approved,
    /// Denied by the resident.
    Denied,
    /// Not decided in time.
    Expired,
    /// Its code was handed to the relying party.
    Completed,
}

/// `GET /v1/login-requests/{id}`: what the app shows before the resident
/// decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LoginRequestView {
    /// The login request's id (from the QR code).
    pub request_id: String,
    /// Who asks, as registered.
    pub relying_party: RelyingPartyView,
    /// What it asks for (only scopes it is registered for).
    pub scopes: Vec<ClaimScope>,
    /// Where it stands.
    pub status: LoginRequestStatus,
    /// Unix seconds after which it can no longer be approved.
    pub expires_at: u64,
}

/// `POST /v1/login-requests/{id}/approve` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginApproval {
    /// A PIN grant for `approve_login`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin_grant: Option<String>,
    /// A mandate (delegation id) under which the caller logs in for the
    /// person it names; the mandate must carry the `login` scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
}

/// The answer to approving or denying a login request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct LoginDecision {
    /// The login request.
    pub request_id: String,
    /// `approved` or `denied`.
    pub status: LoginRequestStatus,
    /// The authorisation an approval made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorisation_id: Option<String>,
}

/// `GET /v1/me/authorisations`: one login the resident approved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Authorisation {
    /// Its id.
    pub authorisation_id: String,
    /// The relying party, as registered.
    pub relying_party: RelyingPartyView,
    /// The scopes granted.
    pub scopes: Vec<ClaimScope>,
    /// Unix seconds of the approval.
    pub authorised_at: u64,
    /// The mandate it was approved under, when the approver logged in for
    /// someone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    /// Whether the caller is the person logged in (`false`: the caller
    /// approved it for someone else, or someone approved it for the caller).
    pub for_self: bool,
    /// Unix seconds of its revocation; its tokens stop working then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<u64>,
}

/// `POST /oauth/token` answer (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenAnswer {
    /// The bearer token for `/oauth/userinfo`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds the access token lasts.
    pub expires_in: u64,
    /// The ID token: a JWS (ES256) of the login's claims.
    pub id_token: String,
    /// The granted scopes, space-separated.
    pub scope: String,
}

/// An OAuth error answer (RFC 6749 §5.2), with the platform's stable code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    /// The OAuth error (`invalid_grant`, `invalid_client`, …).
    pub error: String,
    /// What went wrong, in English (never personal data or a secret).
    pub error_description: String,
}
