//! 扫一扫 and 扫码登录: telling a login QR code from an e-card code, and
//! the phone's side of logging in to a relying party (a website, a counter
//! PC, a self-service machine) with the e-card.
//!
//! A login QR code carries only the login request's id
//! (`ECLOGIN1:<id>`). What the app shows before the PIN — the relying
//! party's name and kind, what it asks for, until when — is read from the
//! platform, which has it from the relying party's registration: a page
//! that copies a QR code cannot make the app show a name it chose. The
//! parser is strict (bounded length, a small character set), so scanned
//! text never reaches a request path unchecked.
//!
//! Approving is online only and never queued in the outbox: a login
//! request lives two minutes, and the PIN buys a grant for this one act.

use ecard_api::identity::PinAction;
use ecard_api::login::{
    Authorisation, LOGIN_CODE_PREFIX, LoginApproval, LoginDecision, LoginRequestView,
    MAX_LOGIN_REQUEST_ID_CHARS,
};
use ecard_api::paths;

use crate::client::EcardClient;
use crate::error::ClientError;
use crate::events::ClientEvent;

/// A well-formed login QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginCode {
    /// The login request's id.
    pub request_id: String,
}

/// Why scanned text is not a login QR code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginCodeError {
    /// The text does not start with `ECLOGIN1:`.
    #[error("not a login QR code")]
    NotALoginCode,
    /// The id is empty or longer than the platform's ids.
    #[error("the login request id has the wrong length")]
    WrongLength,
    /// The id has a character outside `A–Z a–z 0–9 - _`.
    #[error("the login request id has a character it cannot have")]
    BadCharacter,
}

impl From<LoginCodeError> for ClientError {
    fn from(error: LoginCodeError) -> ClientError {
        ClientError::InvalidChoice {
            field: "login_code".into(),
            reason: error.to_string(),
        }
    }
}

/// Reads a login QR code: `ECLOGIN1:` and an id of 1–64 characters of
/// `A–Z a–z 0–9 - _`. Surrounding whitespace (a scanner's line end) is
/// ignored; nothing else is.
pub fn parse_login_code(text: &str) -> Result<LoginCode, LoginCodeError> {
    let text = text.trim();
    let id = text
        .strip_prefix(LOGIN_CODE_PREFIX)
        .ok_or(LoginCodeError::NotALoginCode)?;
    if id.is_empty() || id.len() > MAX_LOGIN_REQUEST_ID_CHARS {
        return Err(LoginCodeError::WrongLength);
    }
    if !id
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_'))
    {
        return Err(LoginCodeError::BadCharacter);
    }
    Ok(LoginCode {
        request_id: id.to_owned(),
    })
}

/// What a scan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScannedText {
    /// A relying party's login QR code: show the login request.
    Login(LoginCode),
    /// Someone's e-card code (`EC1:`): this phone is not a terminal.
    ECardCode,
    /// Text that starts like a login code but is not a well-formed one.
    MalformedLogin(LoginCodeError),
    /// Anything else.
    Unknown,
}

/// 扫一扫: tells a login QR code from an e-card code from other text.
pub fn classify_scan(text: &str) -> ScannedText {
    let trimmed = text.trim();
    if trimmed.starts_with(LOGIN_CODE_PREFIX) {
        return match parse_login_code(trimmed) {
            Ok(code) => ScannedText::Login(code),
            Err(error) => ScannedText::MalformedLogin(error),
        };
    }
    if trimmed.starts_with(ecard_credential::CODE_PREFIX) {
        return ScannedText::ECardCode;
    }
    ScannedText::Unknown
}

/// A login request id as the app may put it in a path.
fn checked_id(request_id: &str) -> Result<String, ClientError> {
    Ok(parse_login_code(&format!("{LOGIN_CODE_PREFIX}{request_id}"))?.request_id)
}

/// Scan-to-login of the client.
impl EcardClient {
    /// The login request `request_id` (from [`parse_login_code`]): the
    /// relying party's registered name and kind, the scopes it asks for and
    /// until when it can be approved.
    pub async fn login_request(&self, request_id: &str) -> Result<LoginRequestView, ClientError> {
        let request_id = checked_id(request_id)?;
        self.signed_get(paths::with_id(paths::LOGIN_REQUEST, request_id))
            .await
    }

    /// Approves a login request with the e-card PIN: this account's holder
    /// logs in, or — with `on_behalf_of`, a mandate carrying the `login`
    /// scope — the mandate's principal, with this holder named as the actor.
    pub async fn approve_login(
        &self,
        request_id: &str,
        pin: &str,
        on_behalf_of: Option<&str>,
    ) -> Result<LoginDecision, ClientError> {
        let request_id = checked_id(request_id)?;
        let pin_grant = self.pin_grant(pin, PinAction::ApproveLogin).await?;
        let decision = self
            .signed_post(
                paths::with_id(paths::LOGIN_REQUEST_APPROVAL, &request_id),
                &LoginApproval {
                    pin_grant: Some(pin_grant),
                    on_behalf_of: on_behalf_of.map(str::to_owned),
                },
            )
            .await?;
        self.emit(ClientEvent::WorkflowChanged { id: request_id });
        Ok(decision)
    }

    /// Denies a login request (the browser goes back with `access_denied`).
    pub async fn deny_login(&self, request_id: &str) -> Result<LoginDecision, ClientError> {
        let request_id = checked_id(request_id)?;
        self.signed_post(
            paths::with_id(paths::LOGIN_REQUEST_DENIAL, request_id),
            &serde_json::json!({}),
        )
        .await
    }

    /// The logins this holder approved, and those approved for them.
    pub async fn authorisations(&self) -> Result<Vec<Authorisation>, ClientError> {
        self.signed_get(paths::MY_AUTHORISATIONS.into()).await
    }

    /// Revokes an authorisation: the relying party's tokens stop at once.
    pub async fn revoke_authorisation(
        &self,
        authorisation_id: &str,
    ) -> Result<Authorisation, ClientError> {
        self.signed_post(
            paths::with_id(paths::AUTHORISATION_REVOKE, authorisation_id),
            &serde_json::json!({}),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_formed_login_code_is_read() {
        assert_eq!(
            parse_login_code("ECLOGIN1:lr-0123456789abcdef0123"),
            Ok(LoginCode {
                request_id: "lr-0123456789abcdef0123".into()
            })
        );
        assert_eq!(
            parse_login_code("  ECLOGIN1:Ab_9-\r\n").map(|code| code.request_id),
            Ok("Ab_9-".to_owned())
        );
        let longest = format!("ECLOGIN1:{}", "a".repeat(MAX_LOGIN_REQUEST_ID_CHARS));
        assert!(parse_login_code(&longest).is_ok());
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        for (text, error) in [
            ("", LoginCodeError::NotALoginCode),
            ("EC1:ABC", LoginCodeError::NotALoginCode),
            ("eclogin1:lr-1", LoginCodeError::NotALoginCode),
            ("ECLOGIN2:lr-1", LoginCodeError::NotALoginCode),
            (
                "https://evil.example/ECLOGIN1:lr-1",
                LoginCodeError::NotALoginCode,
            ),
            ("ECLOGIN1:", LoginCodeError::WrongLength),
            ("ECLOGIN1:../me/deletion", LoginCodeError::BadCharacter),
            ("ECLOGIN1:lr-1?x=1", LoginCodeError::BadCharacter),
            ("ECLOGIN1:lr 1", LoginCodeError::BadCharacter),
            ("ECLOGIN1:lr-1%2F", LoginCodeError::BadCharacter),
            ("ECLOGIN1:登录", LoginCodeError::BadCharacter),
            ("ECLOGIN1:lr-1\u{0}", LoginCodeError::BadCharacter),
        ] {
            assert_eq!(parse_login_code(text), Err(error), "{text:?}");
        }
        let too_long = format!("ECLOGIN1:{}", "a".repeat(MAX_LOGIN_REQUEST_ID_CHARS + 1));
        assert_eq!(
            parse_login_code(&too_long),
            Err(LoginCodeError::WrongLength)
        );
        let error: ClientError = LoginCodeError::BadCharacter.into();
        assert_eq!(error.code(), "invalid_choice");
        assert_eq!(error.field().as_deref(), Some("login_code"));
    }

    #[test]
    fn a_scan_tells_login_codes_from_e_card_codes_and_other_text() {
        assert_eq!(
            classify_scan("ECLOGIN1:lr-abc"),
            ScannedText::Login(LoginCode {
                request_id: "lr-abc".into()
            })
        );
        assert_eq!(
            classify_scan("ECLOGIN1:lr/abc"),
            ScannedText::MalformedLogin(LoginCodeError::BadCharacter)
        );
        assert_eq!(classify_scan("EC1:6BFOXN*TS0BI$ZD"), ScannedText::ECardCode);
        assert_eq!(classify_scan("https://example.com"), ScannedText::Unknown);
        assert_eq!(classify_scan(""), ScannedText::Unknown);
    }
}
