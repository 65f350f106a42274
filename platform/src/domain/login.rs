//! Scan-to-login (扫一扫 / 扫码登录) in the shape of OpenID Connect's
//! authorization code flow with PKCE.
//!
//! Why it is built this way:
//!
//! * **Who asks is the registration's word, not the QR code's.** A relying
//!   party is registered by the admin with its name, kind, exact redirect
//!   URIs and the scopes it may ask for. The QR code carries only a login
//!   request id; the phone reads the relying party's registered name from
//!   the platform, so a look-alike page cannot make the app show a name it
//!   chose.
//! * **Who approves is who logs in.** A login request is not bound to a
//!   device or account: the account that approves it (with its PIN) is the
//!   person whose claims the relying party gets — or, under a mandate
//!   carrying the `login` scope, the mandate's principal, with the agent
//!   named as the actor (`act`, RFC 8693).
//! * **A code is worth nothing alone.** The browser takes the one-time code
//!   once; redeeming it needs the client secret, the same redirect URI and
//!   the PKCE verifier (S256 only). A second redemption is refused and
//!   revokes what the first one issued (RFC 6749 §4.1.2).
//! * **Pairwise subjects.** `sub` is the relying party's pseudonym of the
//!   person ([`crate::domain::pseudonyms`]): stable for one relying party,
//!   unlinkable between two.
//!
//! Secrets (client secrets, continue handles, codes, access tokens) are
//! kept only as their SHA-256: each has at least 192 random bits.
//!
//! This module owns the tables `relying_parties`, `login_signing_key`,
//! `login_requests`, `login_authorisations` and `login_access_tokens`.

use crate::store::sql::{OptionalExtension, Transaction, params};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::login::{
    Authorisation, ClaimScope, LOGIN_REQUEST_SECONDS, LoginDecision, LoginRequestStatus,
    LoginRequestView, NewRelyingParty, RegisteredRelyingParty, RelyingPartyKind, RelyingPartyView,
    TokenAnswer,
};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{DelegationStatus, Scope};
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom as _, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use serde_json::{Map, Value, json};

use crate::domain::access::Caller;
use crate::domain::pseudonyms::{Party, pseudonym};
use crate::error::{ApiError, ApiResult};
use crate::store::audit::audit;
use crate::store::codec::{enum_name, hex, parse_enum};
use crate::store::db::new_id;

/// Seconds a one-time code may wait for its redemption.
pub const CODE_SECONDS: u64 = 60;

/// Seconds an access token and an ID token last.
pub const TOKEN_SECONDS: u64 = 600;

/// The longest redirect URI, state or nonce accepted.
const MAX_PARAMETER_CHARS: usize = 512;

/// The most redirect URIs one relying party registers.
const MAX_REDIRECT_URIS: usize = 10;

/// Why a relying party's OAuth call is refused: the OAuth error it answers
/// (RFC 6749 §5.2) and the platform's problem code behind it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OAuthFailure {
    /// The client is unknown or its secret is wrong.
    #[error("the client is unknown or its secret is wrong")]
    InvalidClient,
    /// The code is unknown, expired, already used, for another client or
    /// redirect URI, or the PKCE verifier does not match.
    #[error("{0}")]
    InvalidGrant(&'static str),
    /// A parameter is missing or malformed.
    #[error("{0}")]
    InvalidRequest(&'static str),
    /// Only `authorization_code` is supported.
    #[error("only the authorization_code grant is supported")]
    UnsupportedGrantType,
    /// The access token is unknown, expired or revoked.
    #[error("the access token is unknown, expired or revoked")]
    InvalidToken,
    /// The platform failed.
    #[error("the platform failed")]
    Internal,
}

impl OAuthFailure {
    /// The OAuth error name.
    pub fn error(&self) -> &'static str {
        match self {
            OAuthFailure::InvalidClient => "invalid_client",
            OAuthFailure::InvalidGrant(_) => "invalid_grant",
            OAuthFailure::InvalidRequest(_) => "invalid_request",
            OAuthFailure::UnsupportedGrantType => "unsupported_grant_type",
            OAuthFailure::InvalidToken => "invalid_token",
            OAuthFailure::Internal => "server_error",
        }
    }

    /// The HTTP status it is answered with.
    pub fn status(&self) -> u16 {
        match self {
            OAuthFailure::InvalidClient | OAuthFailure::InvalidToken => 401,
            OAuthFailure::Internal => 500,
            _ => 400,
        }
    }

    /// The platform's problem code for the same refusal.
    pub fn problem_code(&self) -> ProblemCode {
        match self {
            OAuthFailure::InvalidClient | OAuthFailure::InvalidToken => {
                ProblemCode::Unauthenticated
            }
            OAuthFailure::InvalidGrant(_) => ProblemCode::LoginRequestEnded,
            OAuthFailure::InvalidRequest(_) | OAuthFailure::UnsupportedGrantType => {
                ProblemCode::MalformedRequest
            }
            OAuthFailure::Internal => ProblemCode::Internal,
        }
    }
}

impl From<ApiError> for OAuthFailure {
    fn from(error: ApiError) -> OAuthFailure {
        tracing::error!(code = ?error.code(), "login: platform failure");
        OAuthFailure::Internal
    }
}

impl From<crate::store::sql::Error> for OAuthFailure {
    fn from(error: crate::store::sql::Error) -> OAuthFailure {
        OAuthFailure::from(ApiError::from(error))
    }
}

/// Why an authorization request cannot go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizeFailure {
    /// The client or the redirect URI is not registered: the browser gets
    /// an error page and is never sent to the URI.
    #[error("{0}")]
    NotRedirectable(&'static str),
    /// The request is wrong but the redirect URI is the client's: the
    /// browser goes back with `error` (and the state).
    #[error("{description}")]
    Redirect {
        /// The URI to send the browser to, with `error` and `state`.
        location: String,
        /// What was wrong.
        description: &'static str,
    },
}

/// A registered relying party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelyingParty {
    /// The client id.
    pub client_id: String,
    /// The registered name.
    pub name: String,
    /// The registered kind.
    pub kind: RelyingPartyKind,
    secret_hash: String,
    /// The exact redirect URIs.
    pub redirect_uris: Vec<String>,
    /// The scopes it may ask for.
    pub scopes: Vec<ClaimScope>,
}

impl RelyingParty {
    fn view(&self) -> RelyingPartyView {
        RelyingPartyView {
            client_id: self.client_id.clone(),
            name: self.name.clone(),
            kind: self.kind,
        }
    }
}

fn sha256_hex(text: &str) -> String {
    hex(digest(&SHA256, text.as_bytes()).as_ref())
}

fn random_token(bytes: usize) -> ApiResult<String> {
    let mut buffer = vec![0u8; bytes];
    SystemRandom::new()
        .fill(&mut buffer)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "no randomness"))?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// Whether `uri` may be registered as a redirect URI: `https://` with a
/// host, or `http://` to the machine itself (127.0.0.1, localhost, [::1]);
/// no fragment, no user info, no spaces or control characters.
pub fn redirect_uri_is_acceptable(uri: &str) -> bool {
    if uri.len() > MAX_PARAMETER_CHARS
        || uri.contains('#')
        || !uri.bytes().all(|byte| byte.is_ascii_graphic())
    {
        return false;
    }
    let (secure, rest) = if let Some(rest) = uri.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = uri.strip_prefix("http://") {
        (false, rest)
    } else {
        return false;
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return false;
    }
    let host = if authority.starts_with('[') {
        authority
            .split_once(']')
            .map(|(host, _)| format!("{host}]"))
            .unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default().to_owned()
    };
    if host.is_empty() {
        return false;
    }
    secure || matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]")
}

/// `POST /admin/relying-parties`: registers a relying party; its secret is
/// answered this once.
pub fn register(
    tx: &Transaction<'_>,
    request: &NewRelyingParty,
    now: u64,
) -> ApiResult<RegisteredRelyingParty> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::field(
            "name",
            "1–100 characters without control characters",
        ));
    }
    if request.redirect_uris.is_empty() || request.redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(ApiError::field(
            "redirect_uris",
            "name 1 to 10 redirect URIs",
        ));
    }
    if let Some(index) = request
        .redirect_uris
        .iter()
        .position(|uri| !redirect_uri_is_acceptable(uri))
    {
        return Err(ApiError::field(
            &format!("redirect_uris[{index}]"),
            "a redirect URI is https://…, or http:// to 127.0.0.1 or localhost, without a fragment",
        ));
    }
    let mut scopes = request.scopes.clone();
    scopes.push(ClaimScope::Openid);
    scopes.sort();
    scopes.dedup();
    let mut redirect_uris = request.redirect_uris.clone();
    redirect_uris.dedup();
    let client_id = new_id("rp");
    let client_secret = format!("rps_{}", random_token(32)?);
    tx.execute(
        "INSERT INTO relying_parties (client_id, name, kind, secret_hash, redirect_uris, scopes, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            client_id,
            name,
            enum_name(&request.kind),
            sha256_hex(&client_secret),
            serde_json::to_string(&redirect_uris)?,
            serde_json::to_string(&scopes)?,
            now as i64
        ],
    )?;
    Ok(RegisteredRelyingParty {
        client_id,
        client_secret,
        name: name.to_owned(),
        kind: request.kind,
        redirect_uris,
        scopes,
    })
}

fn json_column<T: serde::de::DeserializeOwned>(
    text: &str,
    index: usize,
) -> crate::store::sql::Result<T> {
    serde_json::from_str(text)
        .map_err(|error| crate::store::sql::Error::conversion(index, Box::new(error)))
}

/// The relying party `client_id`, if registered.
pub fn relying_party(tx: &Transaction<'_>, client_id: &str) -> ApiResult<Option<RelyingParty>> {
    Ok(tx
        .query_row(
            "SELECT client_id, name, kind, secret_hash, redirect_uris, scopes FROM relying_parties WHERE client_id = ?1",
            params![client_id],
            |row| {
                Ok(RelyingParty {
                    client_id: row.get(0)?,
                    name: row.get(1)?,
                    kind: parse_enum(&row.get::<_, String>(2)?)?,
                    secret_hash: row.get(3)?,
                    redirect_uris: json_column(&row.get::<_, String>(4)?, 4)?,
                    scopes: json_column(&row.get::<_, String>(5)?, 5)?,
                })
            },
        )
        .optional()?)
}

/// The relying party whose client id and secret these are.
pub fn authenticate_client(
    tx: &Transaction<'_>,
    client_id: &str,
    client_secret: &str,
) -> Result<RelyingParty, OAuthFailure> {
    let party = relying_party(tx, client_id)?.ok_or(OAuthFailure::InvalidClient)?;
    // Digests of a 256-bit secret: comparing them leaks nothing useful.
    if sha256_hex(client_secret) == party.secret_hash {
        Ok(party)
    } else {
        Err(OAuthFailure::InvalidClient)
    }
}

/// The ID-token signing key: its key id and the key pair, made on first use.
fn signing_key(tx: &Transaction<'_>, now: u64) -> ApiResult<(String, EcdsaKeyPair)> {
    let random = SystemRandom::new();
    let broken = || ApiError::new(ProblemCode::Internal, "the login signing key is unreadable");
    let stored: Option<(String, Vec<u8>)> = tx
        .query_row(
            "SELECT key_id, pkcs8 FROM login_signing_key WHERE singleton = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (key_id, pkcs8) = match stored {
        Some(stored) => stored,
        None => {
            let document = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &random)
                .map_err(|_| ApiError::new(ProblemCode::Internal, "no randomness"))?;
            let pkcs8 = document.as_ref().to_vec();
            let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8, &random)
                .map_err(|_| broken())?;
            let key_id =
                URL_SAFE_NO_PAD.encode(&digest(&SHA256, pair.public_key().as_ref()).as_ref()[..12]);
            tx.execute(
                "INSERT INTO login_signing_key (singleton, key_id, pkcs8, created_at) VALUES (1, ?1, ?2, ?3)",
                params![key_id, pkcs8, now as i64],
            )?;
            (key_id, pkcs8)
        }
    };
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8, &random)
        .map_err(|_| broken())?;
    Ok((key_id, pair))
}

/// `GET /oauth/jwks`: the ID-token key as a JWK set (P-256, ES256).
pub fn jwks(tx: &Transaction<'_>, now: u64) -> ApiResult<Value> {
    let (key_id, pair) = signing_key(tx, now)?;
    // An uncompressed point: 0x04, x (32 bytes), y (32 bytes).
    let point = pair.public_key().as_ref();
    if point.len() != 65 {
        return Err(ApiError::new(
            ProblemCode::Internal,
            "the login signing key is unreadable",
        ));
    }
    Ok(json!({
        "keys": [{
            "kty": "EC",
            "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
            "kid": key_id,
            "use": "sig",
            "alg": "ES256",
        }]
    }))
}

/// A compact JWS (ES256) of `claims`.
fn sign_jwt(tx: &Transaction<'_>, claims: &Value, now: u64) -> ApiResult<String> {
    let (key_id, pair) = signing_key(tx, now)?;
    let header = json!({ "alg": "ES256", "typ": "JWT", "kid": key_id });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?)
    );
    let signature = pair
        .sign(&SystemRandom::new(), signing_input.as_bytes())
        .map_err(|_| ApiError::new(ProblemCode::Internal, "signing failed"))?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.as_ref())
    ))
}

/// `redirect_uri` with `pairs` added to its query.
fn redirect_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut location = redirect_uri.to_owned();
    for (name, value) in pairs {
        location.push(if location.contains('?') { '&' } else { '?' });
        location.push_str(name);
        location.push('=');
        location.push_str(&ecard_api::paths::percent_encode(value));
    }
    location
}

/// The parameters of `GET /oauth/authorize`, as given.
#[derive(Clone, Debug, Default)]
pub struct AuthorizationRequest {
    /// Must be `code`.
    pub response_type: Option<String>,
    /// The client id.
    pub client_id: Option<String>,
    /// One of the client's registered redirect URIs, exactly.
    pub redirect_uri: Option<String>,
    /// Space-separated scopes, including `openid`.
    pub scope: Option<String>,
    /// The client's CSRF state.
    pub state: Option<String>,
    /// The ID token's nonce.
    pub nonce: Option<String>,
    /// BASE64URL(SHA-256(code_verifier)).
    pub code_challenge: Option<String>,
    /// Must be `S256`.
    pub code_challenge_method: Option<String>,
}

/// A login request made by an authorization request.
#[derive(Clone, Debug)]
pub struct StartedLogin {
    /// The request id (the QR code's).
    pub request_id: String,
    /// The browser's continue handle (never in the QR code).
    pub continue_handle: String,
    /// Who asks.
    pub relying_party: RelyingPartyView,
    /// The scopes asked for and registered.
    pub scopes: Vec<ClaimScope>,
    /// When it ends.
    pub expires_at: u64,
}

fn is_pkce_text(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~'))
}

fn bounded(text: &str) -> bool {
    !text.is_empty() && text.len() <= MAX_PARAMETER_CHARS && !text.chars().any(char::is_control)
}

/// `GET /oauth/authorize`: checks the client and its redirect URI first
/// (anything wrong there is never redirected), then the rest; makes a login
/// request that lasts [`LOGIN_REQUEST_SECONDS`].
pub fn start(
    tx: &Transaction<'_>,
    request: &AuthorizationRequest,
    issuer: &str,
    now: u64,
) -> ApiResult<Result<StartedLogin, AuthorizeFailure>> {
    use AuthorizeFailure::NotRedirectable;
    let Some(client_id) = request.client_id.as_deref() else {
        return Ok(Err(NotRedirectable("the client_id is missing")));
    };
    let Some(party) = relying_party(tx, client_id)? else {
        return Ok(Err(NotRedirectable("the client is not registered")));
    };
    let Some(redirect_uri) = request.redirect_uri.as_deref() else {
        return Ok(Err(NotRedirectable("the redirect_uri is missing")));
    };
    if !party.redirect_uris.iter().any(|uri| uri == redirect_uri) {
        return Ok(Err(NotRedirectable(
            "the redirect_uri is not registered for this client",
        )));
    }
    let state = request.state.clone().unwrap_or_default();
    let back = |error: &str, description: &'static str| {
        let mut pairs = vec![("error", error), ("error_description", description)];
        if !state.is_empty() && state.len() <= MAX_PARAMETER_CHARS {
            pairs.push(("state", state.as_str()));
        }
        Ok(Err(AuthorizeFailure::Redirect {
            location: redirect_to(redirect_uri, &pairs),
            description,
        }))
    };
    if request.response_type.as_deref() != Some("code") {
        return back(
            "unsupported_response_type",
            "only response_type=code is supported",
        );
    }
    if !bounded(&state) {
        return back("invalid_request", "a state of 1-512 characters is required");
    }
    let nonce = request.nonce.clone().unwrap_or_default();
    if !bounded(&nonce) {
        return back("invalid_request", "a nonce of 1-512 characters is required");
    }
    if request.code_challenge_method.as_deref() != Some("S256") {
        return back(
            "invalid_request",
            "PKCE with code_challenge_method=S256 is required",
        );
    }
    let code_challenge = request.code_challenge.clone().unwrap_or_default();
    if code_challenge.len() != 43 || !is_pkce_text(&code_challenge) {
        return back(
            "invalid_request",
            "the code_challenge must be 43 base64url characters",
        );
    }
    let asked = request.scope.clone().unwrap_or_default();
    let names: Vec<&str> = asked.split(' ').filter(|name| !name.is_empty()).collect();
    if !names.contains(&"openid") {
        return back("invalid_scope", "the scope must include openid");
    }
    // Unknown scopes, and scopes the client is not registered for, are
    // dropped: only what is both registered and asked for is shown.
    let mut scopes: Vec<ClaimScope> = names
        .iter()
        .filter_map(|name| ClaimScope::from_name(name))
        .filter(|scope| party.scopes.contains(scope))
        .collect();
    scopes.sort();
    scopes.dedup();
    let request_id = new_id("lr");
    let continue_handle = random_token(24)?;
    let expires_at = now + LOGIN_REQUEST_SECONDS;
    tx.execute(
        "INSERT INTO login_requests (request_id, continue_hash, client_id, redirect_uri, scopes, state, nonce, \
         code_challenge, issuer, created_at, expires_at, status) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'pending')",
        params![
            request_id,
            sha256_hex(&continue_handle),
            party.client_id,
            redirect_uri,
            scope_text(&scopes),
            state,
            nonce,
            code_challenge,
            issuer,
            now as i64,
            expires_at as i64
        ],
    )?;
    Ok(Ok(StartedLogin {
        request_id,
        continue_handle,
        relying_party: party.view(),
        scopes,
        expires_at,
    }))
}

fn scope_text(scopes: &[ClaimScope]) -> String {
    scopes
        .iter()
        .map(|scope| scope.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn scopes_of(text: &str) -> Vec<ClaimScope> {
    text.split(' ').filter_map(ClaimScope::from_name).collect()
}

/// A stored login request.
struct StoredRequest {
    request_id: String,
    client_id: String,
    redirect_uri: String,
    scopes: Vec<ClaimScope>,
    state: String,
    nonce: String,
    code_challenge: String,
    issuer: String,
    expires_at: u64,
    status: String,
    authorisation_id: Option<String>,
    code_expires_at: Option<u64>,
    code_redeemed_at: Option<u64>,
}

const REQUEST_COLUMNS: &str = "request_id, client_id, redirect_uri, scopes, state, nonce, code_challenge, issuer, \
     expires_at, status, authorisation_id, code_expires_at, code_redeemed_at";

fn stored_request(row: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<StoredRequest> {
    Ok(StoredRequest {
        request_id: row.get(0)?,
        client_id: row.get(1)?,
        redirect_uri: row.get(2)?,
        scopes: scopes_of(&row.get::<_, String>(3)?),
        state: row.get(4)?,
        nonce: row.get(5)?,
        code_challenge: row.get(6)?,
        issuer: row.get(7)?,
        expires_at: row.get::<_, i64>(8)? as u64,
        status: row.get(9)?,
        authorisation_id: row.get(10)?,
        code_expires_at: row.get::<_, Option<i64>>(11)?.map(|at| at as u64),
        code_redeemed_at: row.get::<_, Option<i64>>(12)?.map(|at| at as u64),
    })
}

fn request_where(
    tx: &Transaction<'_>,
    column: &str,
    value: &str,
) -> ApiResult<Option<StoredRequest>> {
    Ok(tx
        .query_row(
            &format!("SELECT {REQUEST_COLUMNS} FROM login_requests WHERE {column} = ?1"),
            params![value],
            stored_request,
        )
        .optional()?)
}

fn status_of(request: &StoredRequest, now: u64) -> LoginRequestStatus {
    match request.status.as_str() {
        "pending" if request.expires_at <= now => LoginRequestStatus::Expired,
        "pending" => LoginRequestStatus::Pending,
        "approved" => LoginRequestStatus::Approved,
        "denied" => LoginRequestStatus::Denied,
        _ => LoginRequestStatus::Completed,
    }
}

fn load_request(tx: &Transaction<'_>, request_id: &str) -> ApiResult<StoredRequest> {
    request_where(tx, "request_id", request_id)?.ok_or_else(|| ApiError::not_found("login request"))
}

fn party_view(tx: &Transaction<'_>, client_id: &str) -> ApiResult<RelyingPartyView> {
    relying_party(tx, client_id)?
        .map(|party| party.view())
        .ok_or_else(|| ApiError::not_found("relying party"))
}

/// `GET /v1/login-requests/{id}`: who asks for what, as registered.
pub fn view(tx: &Transaction<'_>, request_id: &str, now: u64) -> ApiResult<LoginRequestView> {
    let request = load_request(tx, request_id)?;
    Ok(LoginRequestView {
        request_id: request.request_id.clone(),
        relying_party: party_view(tx, &request.client_id)?,
        scopes: request.scopes.clone(),
        status: status_of(&request, now),
        expires_at: request.expires_at,
    })
}

/// The refusal of a decision on a request that is no longer pending.
fn ended(status: LoginRequestStatus) -> ApiError {
    let detail = match status {
        LoginRequestStatus::Expired => "the login request expired: scan the new QR code",
        _ => "the login request was already decided",
    };
    ApiError::new(ProblemCode::LoginRequestEnded, detail)
}

/// A pending login request `request_id`, or why it cannot be decided.
pub fn pending(tx: &Transaction<'_>, request_id: &str, now: u64) -> ApiResult<()> {
    let request = load_request(tx, request_id)?;
    match status_of(&request, now) {
        LoginRequestStatus::Pending => Ok(()),
        other => Err(ended(other)),
    }
}

/// Whose login an approval is: the person whose claims go to the relying
/// party, and the mandate it is approved under (when not the caller's own).
pub fn login_subject(
    tx: &Transaction<'_>,
    caller: &Caller,
    on_behalf_of: Option<&str>,
    now: u64,
) -> ApiResult<(String, Option<String>)> {
    let Some(delegation_id) = on_behalf_of else {
        // A region may reserve a minor's logins to the guardian.
        crate::domain::access::ensure_may_act_alone(tx, &caller.person_id, Scope::Login, now)?;
        return Ok((caller.person_id.clone(), None));
    };
    let delegation = crate::domain::delegations::load(tx, delegation_id, now)
        .map_err(|_| ApiError::not_found("delegation"))?;
    if delegation.agent_account_id != caller.account_id {
        return Err(ApiError::not_found("delegation"));
    }
    if delegation.status != DelegationStatus::Active {
        return Err(ApiError::new(
            ProblemCode::AuthorityEnded,
            "the mandate is not in force",
        ));
    }
    if !delegation.scopes.contains(&Scope::Login) {
        return Err(ApiError::new(
            ProblemCode::ScopeNotAllowed,
            "the mandate does not allow logging in for this person",
        ));
    }
    Ok((
        delegation.principal_person_id,
        Some(delegation.delegation_id),
    ))
}

/// Approves a pending login request: the caller logs in as themself, or
/// (under `on_behalf_of`) for the mandate's principal. The caller's PIN
/// grant is checked by the endpoint first.
pub fn approve(
    tx: &Transaction<'_>,
    caller: &Caller,
    request_id: &str,
    on_behalf_of: Option<&str>,
    now: u64,
) -> ApiResult<LoginDecision> {
    let request = load_request(tx, request_id)?;
    let status = status_of(&request, now);
    if status != LoginRequestStatus::Pending {
        return Err(ended(status));
    }
    let (person_id, delegation_id) = login_subject(tx, caller, on_behalf_of, now)?;
    let authorisation_id = new_id("auth");
    tx.execute(
        "INSERT INTO login_authorisations (authorisation_id, client_id, approver_account_id, approver_person_id, \
         person_id, delegation_id, scopes, authorised_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            authorisation_id,
            request.client_id,
            caller.account_id,
            caller.person_id,
            person_id,
            delegation_id,
            scope_text(&request.scopes),
            now as i64
        ],
    )?;
    let changed = tx.execute(
        "UPDATE login_requests SET status = 'approved', decided_at = ?1, authorisation_id = ?2 \
         WHERE request_id = ?3 AND status = 'pending' AND expires_at > ?1",
        params![now as i64, authorisation_id, request_id],
    )?;
    if changed != 1 {
        return Err(ended(LoginRequestStatus::Approved));
    }
    audit(
        tx,
        now,
        &caller.account_id,
        &person_id,
        delegation_id.as_deref(),
        "login.approve",
        &authorisation_id,
    )?;
    Ok(LoginDecision {
        request_id: request_id.to_owned(),
        status: LoginRequestStatus::Approved,
        authorisation_id: Some(authorisation_id),
    })
}

/// Denies a pending login request.
pub fn deny(
    tx: &Transaction<'_>,
    caller: &Caller,
    request_id: &str,
    now: u64,
) -> ApiResult<LoginDecision> {
    let request = load_request(tx, request_id)?;
    let status = status_of(&request, now);
    if status != LoginRequestStatus::Pending {
        return Err(ended(status));
    }
    tx.execute(
        "UPDATE login_requests SET status = 'denied', decided_at = ?1 WHERE request_id = ?2 AND status = 'pending'",
        params![now as i64, request_id],
    )?;
    audit(
        tx,
        now,
        &caller.account_id,
        &caller.person_id,
        None,
        "login.deny",
        request_id,
    )?;
    Ok(LoginDecision {
        request_id: request_id.to_owned(),
        status: LoginRequestStatus::Denied,
        authorisation_id: None,
    })
}

/// What the browser's continue page does next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Continuation {
    /// Still waiting: show the QR code again.
    Waiting {
        /// The request id (the QR code's).
        request_id: String,
        /// Who asks.
        relying_party: RelyingPartyView,
        /// When it ends.
        expires_at: u64,
    },
    /// Send the browser back to the relying party (with a code or an error).
    Redirect(String),
    /// The login was completed before: nothing more to do here.
    Finished,
}

/// `GET /oauth/continue/{handle}`: hands the browser the one-time code
/// (once) after an approval, the error after a denial or expiry.
pub fn continue_login(
    tx: &Transaction<'_>,
    continue_handle: &str,
    now: u64,
) -> ApiResult<Option<Continuation>> {
    let Some(request) = request_where(tx, "continue_hash", &sha256_hex(continue_handle))? else {
        return Ok(None);
    };
    let back = |pairs: &[(&str, &str)]| {
        let mut pairs = pairs.to_vec();
        pairs.push(("state", request.state.as_str()));
        redirect_to(&request.redirect_uri, &pairs)
    };
    Ok(Some(match status_of(&request, now) {
        LoginRequestStatus::Pending => Continuation::Waiting {
            request_id: request.request_id.clone(),
            relying_party: party_view(tx, &request.client_id)?,
            expires_at: request.expires_at,
        },
        LoginRequestStatus::Expired => Continuation::Redirect(back(&[
            ("error", "access_denied"),
            ("error_description", "the login request expired"),
        ])),
        LoginRequestStatus::Denied => Continuation::Redirect(back(&[
            ("error", "access_denied"),
            ("error_description", "the resident denied the login"),
        ])),
        LoginRequestStatus::Approved => {
            let code = random_token(32)?;
            tx.execute(
                "UPDATE login_requests SET status = 'completed', code_hash = ?1, code_expires_at = ?2 \
                 WHERE request_id = ?3 AND status = 'approved'",
                params![sha256_hex(&code), (now + CODE_SECONDS) as i64, request.request_id],
            )?;
            Continuation::Redirect(back(&[("code", code.as_str())]))
        }
        LoginRequestStatus::Completed => Continuation::Finished,
    }))
}

/// A stored authorisation.
struct StoredAuthorisation {
    authorisation_id: String,
    client_id: String,
    approver_account_id: String,
    approver_person_id: String,
    person_id: String,
    delegation_id: Option<String>,
    scopes: Vec<ClaimScope>,
    authorised_at: u64,
    revoked_at: Option<u64>,
}

const AUTHORISATION_COLUMNS: &str = "authorisation_id, client_id, approver_account_id, approver_person_id, person_id, \
     delegation_id, scopes, authorised_at, revoked_at";

fn stored_authorisation(
    row: &crate::store::sql::Row<'_>,
) -> crate::store::sql::Result<StoredAuthorisation> {
    Ok(StoredAuthorisation {
        authorisation_id: row.get(0)?,
        client_id: row.get(1)?,
        approver_account_id: row.get(2)?,
        approver_person_id: row.get(3)?,
        person_id: row.get(4)?,
        delegation_id: row.get(5)?,
        scopes: scopes_of(&row.get::<_, String>(6)?),
        authorised_at: row.get::<_, i64>(7)? as u64,
        revoked_at: row.get::<_, Option<i64>>(8)?.map(|at| at as u64),
    })
}

fn load_authorisation(
    tx: &Transaction<'_>,
    authorisation_id: &str,
) -> ApiResult<Option<StoredAuthorisation>> {
    Ok(tx
        .query_row(
            &format!(
                "SELECT {AUTHORISATION_COLUMNS} FROM login_authorisations WHERE authorisation_id = ?1"
            ),
            params![authorisation_id],
            stored_authorisation,
        )
        .optional()?)
}

/// Whether an authorisation still stands: not revoked, and its mandate (if
/// any) still in force.
fn in_force(
    tx: &Transaction<'_>,
    authorisation: &StoredAuthorisation,
    now: u64,
) -> ApiResult<bool> {
    if authorisation.revoked_at.is_some() {
        return Ok(false);
    }
    match &authorisation.delegation_id {
        None => Ok(true),
        Some(delegation_id) => Ok(crate::domain::delegations::load(tx, delegation_id, now)
            .is_ok_and(|delegation| {
                delegation.status == DelegationStatus::Active
                    && delegation.scopes.contains(&Scope::Login)
            })),
    }
}

fn revoke_stored(tx: &Transaction<'_>, authorisation_id: &str, now: u64) -> ApiResult<()> {
    tx.execute(
        "UPDATE login_authorisations SET revoked_at = ?1 WHERE authorisation_id = ?2 AND revoked_at IS NULL",
        params![now as i64, authorisation_id],
    )?;
    tx.execute(
        "DELETE FROM login_access_tokens WHERE authorisation_id = ?1",
        params![authorisation_id],
    )?;
    Ok(())
}

/// How long finished login requests are kept (a day), for the browser's
/// and the app's late questions; their codes died within a minute.
const KEEP_REQUESTS_SECONDS: u64 = 86_400;

/// Forgets login requests a day past their expiry and expired access
/// tokens; authorisations stay (the resident's record of what they allowed).
pub fn prune(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    let before = now.saturating_sub(KEEP_REQUESTS_SECONDS) as i64;
    tx.execute(
        "DELETE FROM login_requests WHERE expires_at < ?1",
        params![before],
    )?;
    tx.execute(
        "DELETE FROM login_access_tokens WHERE expires_at < ?1",
        params![now as i64],
    )?;
    Ok(())
}

/// Revokes every authorisation `account_id` approved (its account is
/// deleted): their access tokens stop at once.
pub fn revoke_approved_by(tx: &Transaction<'_>, account_id: &str, now: u64) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM login_access_tokens WHERE authorisation_id IN \
         (SELECT authorisation_id FROM login_authorisations WHERE approver_account_id = ?1)",
        params![account_id],
    )?;
    tx.execute(
        "UPDATE login_authorisations SET revoked_at = ?1 WHERE approver_account_id = ?2 AND revoked_at IS NULL",
        params![now as i64, account_id],
    )?;
    Ok(())
}

/// The claims of `authorisation` for its relying party: the pairwise
/// `sub`, the granted scopes' claims, and `act` when an agent logged in.
fn claims(
    tx: &Transaction<'_>,
    authorisation: &StoredAuthorisation,
    now: u64,
) -> ApiResult<Map<String, Value>> {
    let party = Party::RelyingParty(&authorisation.client_id);
    let mut claims = Map::new();
    claims.insert(
        "sub".into(),
        Value::String(pseudonym(tx, party, &authorisation.person_id, now)?),
    );
    let person = crate::store::rows::person(tx, &authorisation.person_id)?;
    for scope in &authorisation.scopes {
        match scope {
            ClaimScope::Openid => {}
            ClaimScope::Profile => {
                claims.insert("name".into(), Value::String(person.name.clone()));
            }
            ClaimScope::IdNumber => {
                claims.insert("id_number".into(), Value::String(person.id_number.clone()));
            }
            ClaimScope::SocialSecurity => {
                let card = crate::domain::cards::current_card_of(tx, &person.person_id)?
                    .map(|card_id| crate::store::rows::card(tx, &card_id))
                    .transpose()?;
                if let Some(card) = card {
                    claims.insert(
                        "social_security".into(),
                        json!({
                            "card_number": card.card_number_masked,
                            "status": enum_name(&card.status),
                            "social_function_enabled": card.social_function_enabled,
                        }),
                    );
                }
            }
        }
    }
    if authorisation.delegation_id.is_some() {
        claims.insert(
            "act".into(),
            json!({ "sub": pseudonym(tx, party, &authorisation.approver_person_id, now)? }),
        );
    }
    Ok(claims)
}

/// `POST /oauth/token` with `grant_type=authorization_code`: the code for
/// `client`, bound to its redirect URI and PKCE challenge, redeemed once.
/// A second redemption revokes what the first one issued; the caller must
/// commit even when this fails.
pub fn redeem(
    tx: &Transaction<'_>,
    client: &RelyingParty,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
    now: u64,
) -> Result<TokenAnswer, OAuthFailure> {
    let request = request_where(tx, "code_hash", &sha256_hex(code))?
        .ok_or(OAuthFailure::InvalidGrant("the code is unknown"))?;
    if request.client_id != client.client_id {
        return Err(OAuthFailure::InvalidGrant("the code is unknown"));
    }
    let authorisation_id = request
        .authorisation_id
        .clone()
        .ok_or(OAuthFailure::InvalidGrant("the code is unknown"))?;
    if request.code_redeemed_at.is_some() {
        revoke_stored(tx, &authorisation_id, now)?;
        return Err(OAuthFailure::InvalidGrant(
            "the code was already used: the tokens issued for it are revoked",
        ));
    }
    if request.code_expires_at.is_none_or(|at| at <= now) {
        return Err(OAuthFailure::InvalidGrant("the code expired"));
    }
    if request.redirect_uri != redirect_uri {
        return Err(OAuthFailure::InvalidGrant(
            "the redirect_uri differs from the authorization request's",
        ));
    }
    if !is_pkce_text(code_verifier)
        || URL_SAFE_NO_PAD.encode(digest(&SHA256, code_verifier.as_bytes()).as_ref())
            != request.code_challenge
    {
        return Err(OAuthFailure::InvalidGrant(
            "the code_verifier does not match the code_challenge",
        ));
    }
    let authorisation = load_authorisation(tx, &authorisation_id)?
        .ok_or(OAuthFailure::InvalidGrant("the code is unknown"))?;
    if !in_force(tx, &authorisation, now)? {
        return Err(OAuthFailure::InvalidGrant("the authorisation was revoked"));
    }
    tx.execute(
        "UPDATE login_requests SET code_redeemed_at = ?1 WHERE request_id = ?2",
        params![now as i64, request.request_id],
    )?;
    let access_token = random_token(32)?;
    tx.execute(
        "INSERT INTO login_access_tokens (token_hash, authorisation_id, expires_at) VALUES (?1, ?2, ?3)",
        params![sha256_hex(&access_token), authorisation_id, (now + TOKEN_SECONDS) as i64],
    )?;
    let mut id_claims = claims(tx, &authorisation, now)?;
    for (name, value) in [
        ("iss", Value::String(request.issuer.clone())),
        ("aud", Value::String(client.client_id.clone())),
        ("iat", Value::from(now)),
        ("exp", Value::from(now + TOKEN_SECONDS)),
        ("auth_time", Value::from(authorisation.authorised_at)),
        ("nonce", Value::String(request.nonce.clone())),
        ("amr", json!(["pin"])),
    ] {
        id_claims.insert(name.to_owned(), value);
    }
    let id_token = sign_jwt(tx, &Value::Object(id_claims), now)?;
    Ok(TokenAnswer {
        access_token,
        token_type: "Bearer".into(),
        expires_in: TOKEN_SECONDS,
        id_token,
        scope: scope_text(&authorisation.scopes),
    })
}

/// `GET /oauth/userinfo`: the claims for a bearer access token.
pub fn userinfo(tx: &Transaction<'_>, access_token: &str, now: u64) -> Result<Value, OAuthFailure> {
    let authorisation_id: String = tx
        .query_row(
            "SELECT authorisation_id FROM login_access_tokens WHERE token_hash = ?1 AND expires_at > ?2",
            params![sha256_hex(access_token), now as i64],
            |row| row.get(0),
        )
        .optional()?
        .ok_or(OAuthFailure::InvalidToken)?;
    let authorisation =
        load_authorisation(tx, &authorisation_id)?.ok_or(OAuthFailure::InvalidToken)?;
    if !in_force(tx, &authorisation, now)? {
        return Err(OAuthFailure::InvalidToken);
    }
    Ok(Value::Object(claims(tx, &authorisation, now)?))
}

fn authorisation_view(
    tx: &Transaction<'_>,
    caller: &Caller,
    authorisation: &StoredAuthorisation,
) -> ApiResult<Authorisation> {
    Ok(Authorisation {
        authorisation_id: authorisation.authorisation_id.clone(),
        relying_party: party_view(tx, &authorisation.client_id)?,
        scopes: authorisation.scopes.clone(),
        authorised_at: authorisation.authorised_at,
        on_behalf_of: authorisation.delegation_id.clone(),
        for_self: authorisation.person_id == caller.person_id
            && authorisation.approver_account_id == caller.account_id,
        revoked_at: authorisation.revoked_at,
    })
}

/// `GET /v1/me/authorisations`: logins the caller approved, and logins
/// approved for the caller by an agent, newest first.
pub fn authorisations(tx: &Transaction<'_>, caller: &Caller) -> ApiResult<Vec<Authorisation>> {
    let mut statement = tx.prepare(&format!(
        "SELECT {AUTHORISATION_COLUMNS} FROM login_authorisations \
         WHERE approver_account_id = ?1 OR person_id = ?2 ORDER BY authorised_at DESC, authorisation_id"
    ))?;
    let stored = statement
        .query_map(
            params![caller.account_id, caller.person_id],
            stored_authorisation,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    stored
        .iter()
        .map(|authorisation| authorisation_view(tx, caller, authorisation))
        .collect()
}

/// `POST /v1/me/authorisations/{id}/revoke`: the approver or the person
/// logged in ends an authorisation; its access tokens stop at once.
pub fn revoke(
    tx: &Transaction<'_>,
    caller: &Caller,
    authorisation_id: &str,
    now: u64,
) -> ApiResult<Authorisation> {
    let authorisation = load_authorisation(tx, authorisation_id)?
        .filter(|found| {
            found.approver_account_id == caller.account_id || found.person_id == caller.person_id
        })
        .ok_or_else(|| ApiError::not_found("authorisation"))?;
    if authorisation.revoked_at.is_some() {
        return Err(ApiError::state("the authorisation is already revoked"));
    }
    revoke_stored(tx, authorisation_id, now)?;
    audit(
        tx,
        now,
        &caller.account_id,
        &authorisation.person_id,
        authorisation.delegation_id.as_deref(),
        "login.revoke",
        authorisation_id,
    )?;
    let revoked = load_authorisation(tx, authorisation_id)?
        .ok_or_else(|| ApiError::not_found("authorisation"))?;
    authorisation_view(tx, caller, &revoked)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn only_https_and_the_machine_itself_are_redirect_uris() {
        for good in [
            "https://rp.example/cb",
            "https://rp.example:8443/cb?x=1",
            "http://127.0.0.1:8080/cb",
            "http://localhost/cb",
            "http://[::1]:9000/cb",
        ] {
            assert!(redirect_uri_is_acceptable(good), "{good}");
        }
        for bad in [
            "http://rp.example/cb",
            "http://127.0.0.1.evil.example/cb",
            "http://localhost.evil.example/cb",
            "https://rp.example/cb#fragment",
            "https://user@rp.example/cb",
            "https:///cb",
            "javascript:alert(1)",
            "https://rp.example/c b",
            "ftp://rp.example/cb",
        ] {
            assert!(!redirect_uri_is_acceptable(bad), "{bad}");
        }
    }

    #[test]
    fn redirects_keep_the_registered_query_and_encode_values() {
        assert_eq!(
            redirect_to("https://rp.example/cb?x=1", &[("state", "a b&c")]),
            "https://rp.example/cb?x=1&state=a%20b%26c"
        );
    }
}
