//! The relying party's and the browser's endpoints of scan-to-login, in the
//! shape of OpenID Connect: discovery, the JWK set, the authorization
//! request (a page with the login QR code), the browser's continue page
//! (which hands over the one-time code once approved), the token endpoint
//! (authorization code with PKCE, `client_secret_basic` or
//! `client_secret_post`) and userinfo.
//!
//! These speak OAuth rather than the platform's problem bodies: a relying
//! party's OAuth library reads `{"error": …}` answers, and a browser reads
//! pages. A client or redirect URI that is not registered gets an error
//! page, never a redirect. The flow's rules are [`crate::domain::login`].

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ecard_api::login::{ClaimScope, OAuthError};
use ecard_api::paths;
use serde_json::json;

use crate::domain::login::{
    self, AuthorizationRequest, AuthorizeFailure, Continuation, OAuthFailure,
};
use crate::error::ApiResult;
use crate::http::context::{Ctx, Reply};

/// Decodes one `application/x-www-form-urlencoded` component (`+` is a
/// space); `None` for a broken escape or text that is not UTF-8.
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => decoded.push(b' '),
            b'%' => {
                let hex = text.get(index + 1..index + 3)?;
                decoded.push(u8::from_str_radix(hex, 16).ok()?);
                index += 2;
            }
            byte => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8(decoded).ok()
}

/// The decoded pairs of a query or form body (undecodable pairs dropped).
fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Some((form_decode(name)?, form_decode(value)?))
        })
        .collect()
}

/// The one value of `name`: a parameter given twice counts as missing
/// (RFC 6749 §3.1).
fn single(pairs: &[(String, String)], name: &str) -> Option<String> {
    let mut values = pairs.iter().filter(|(key, _)| key == name);
    let first = values.next()?;
    values.next().is_none().then(|| first.1.clone())
}

/// The OpenID issuer: the configured public URL, or `http://` and the
/// request's `Host` (when it is a plain host name or address with a port).
pub(crate) fn issuer(ctx: &Ctx<'_>) -> String {
    if let Some(url) = &ctx.state.public_url {
        return url.clone();
    }
    let host = ctx
        .headers
        .get("host")
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host.len() <= 255
                && host
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || b".-:[]".contains(&byte))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

fn page(title: &str, body: &str, refresh: Option<&str>) -> String {
    let refresh = refresh.map_or_else(String::new, |url| {
        format!(
            r#"<meta http-equiv="refresh" content="2;url={}">"#,
            escape_html(url)
        )
    });
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">{refresh}\
         <title>{}</title></head><body>{body}</body></html>\n",
        escape_html(title)
    )
}

fn error_page(status: StatusCode, detail: &str) -> Reply {
    Reply::html(
        status,
        page(
            "登录失败 / Login failed",
            &format!(
                "<h1>登录失败 / Login failed</h1><p id=\"error\">{}</p>",
                escape_html(detail)
            ),
            None,
        ),
    )
}

fn waiting_page(
    request_id: &str,
    continue_handle: &str,
    party_name: &str,
    expires_at: u64,
) -> Reply {
    let continue_path = paths::with_id(paths::OAUTH_CONTINUE, continue_handle);
    let body = format!(
        "<h1>{}</h1>\
         <p>请使用电子社保卡 App 扫一扫，在手机上确认登录。/ Scan with the e-card app and confirm on your phone.</p>\
         <pre id=\"login-code\">{}{}</pre>\
         <p>有效期至 / Valid until <span id=\"expires-at\">{expires_at}</span></p>\
         <p><a id=\"continue\" href=\"{}\">已在手机上确认 / I confirmed on my phone</a></p>",
        escape_html(party_name),
        ecard_api::login::LOGIN_CODE_PREFIX,
        escape_html(request_id),
        escape_html(&continue_path),
    );
    Reply::html(
        StatusCode::OK,
        page(
            "电子社保卡扫码登录 / e-card login",
            &body,
            Some(&continue_path),
        ),
    )
}

/// `GET /.well-known/openid-configuration`.
pub fn discovery(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let issuer = issuer(ctx);
    Reply::ok(&json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}{}", paths::OAUTH_AUTHORIZE),
        "token_endpoint": format!("{issuer}{}", paths::OAUTH_TOKEN),
        "userinfo_endpoint": format!("{issuer}{}", paths::OAUTH_USERINFO),
        "jwks_uri": format!("{issuer}{}", paths::OAUTH_JWKS),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ClaimScope::ALL.iter().map(|scope| scope.as_str()).collect::<Vec<_>>(),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "act",
                             "name", "id_number", "social_security"],
    }))
}

/// `GET /oauth/jwks`.
pub fn jwks(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    Reply::ok(&login::jwks(ctx.tx, ctx.now)?)
}

/// `GET /oauth/authorize`: a page with the login QR code, an error page
/// for an unknown client or redirect URI, or a redirect with the error.
pub fn authorize(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let pairs = form_pairs(ctx.query.as_deref().unwrap_or_default());
    let request = AuthorizationRequest {
        response_type: single(&pairs, "response_type"),
        client_id: single(&pairs, "client_id"),
        redirect_uri: single(&pairs, "redirect_uri"),
        scope: single(&pairs, "scope"),
        state: single(&pairs, "state"),
        nonce: single(&pairs, "nonce"),
        code_challenge: single(&pairs, "code_challenge"),
        code_challenge_method: single(&pairs, "code_challenge_method"),
    };
    let issuer = issuer(ctx);
    Ok(match login::start(ctx.tx, &request, &issuer, ctx.now)? {
        Ok(started) => waiting_page(
            &started.request_id,
            &started.continue_handle,
            &started.relying_party.name,
            started.expires_at,
        ),
        Err(AuthorizeFailure::NotRedirectable(detail)) => {
            error_page(StatusCode::BAD_REQUEST, detail)
        }
        Err(AuthorizeFailure::Redirect { location, .. }) => Reply::redirect(location),
    })
}

/// `GET /oauth/continue/{handle}`: the browser's page while the resident
/// decides; then the way back to the relying party.
pub fn resume(ctx: &mut Ctx<'_>, continue_handle: &str) -> ApiResult<Reply> {
    Ok(
        match login::continue_login(ctx.tx, continue_handle, ctx.now)? {
            None => error_page(StatusCode::NOT_FOUND, "no such login request"),
            Some(Continuation::Waiting {
                request_id,
                relying_party,
                expires_at,
            }) => waiting_page(
                &request_id,
                continue_handle,
                &relying_party.name,
                expires_at,
            ),
            Some(Continuation::Redirect(location)) => Reply::redirect(location),
            Some(Continuation::Finished) => {
                error_page(StatusCode::BAD_REQUEST, "this login was already completed")
            }
        },
    )
}

fn oauth_error(failure: &OAuthFailure) -> ApiResult<Reply> {
    let status = StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::BAD_REQUEST);
    tracing::info!(
        error = failure.error(),
        code = ?failure.problem_code(),
        "oauth refusal"
    );
    Ok(Reply::json(
        status,
        &OAuthError {
            error: failure.error().to_owned(),
            error_description: failure.to_string(),
        },
    )?
    .with_header("cache-control", "no-store".to_owned()))
}

/// The client's id and secret from HTTP Basic (each form-encoded, RFC 6749
/// §2.3.1) or from the form; both at once is refused.
fn client_credentials(
    ctx: &Ctx<'_>,
    pairs: &[(String, String)],
) -> Result<(String, String), OAuthFailure> {
    let basic = ctx
        .headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "));
    let in_form = (single(pairs, "client_id"), single(pairs, "client_secret"));
    match (basic, in_form) {
        (Some(_), (_, Some(_))) => Err(OAuthFailure::InvalidRequest(
            "authenticate the client one way only",
        )),
        (Some(encoded), _) => {
            let decoded = STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or(OAuthFailure::InvalidClient)?;
            let (id, secret) = decoded.split_once(':').ok_or(OAuthFailure::InvalidClient)?;
            Ok((
                form_decode(id).ok_or(OAuthFailure::InvalidClient)?,
                form_decode(secret).ok_or(OAuthFailure::InvalidClient)?,
            ))
        }
        (None, (Some(id), Some(secret))) => Ok((id, secret)),
        (None, _) => Err(OAuthFailure::InvalidClient),
    }
}

fn redeem(ctx: &Ctx<'_>) -> Result<ecard_api::login::TokenAnswer, OAuthFailure> {
    let form = std::str::from_utf8(ctx.body)
        .map_err(|_| OAuthFailure::InvalidRequest("the body is not a form"))?;
    let pairs = form_pairs(form);
    let (client_id, client_secret) = client_credentials(ctx, &pairs)?;
    let client = login::authenticate_client(ctx.tx, &client_id, &client_secret)?;
    if single(&pairs, "grant_type").as_deref() != Some("authorization_code") {
        return Err(OAuthFailure::UnsupportedGrantType);
    }
    let code = single(&pairs, "code").ok_or(OAuthFailure::InvalidRequest("the code is missing"))?;
    let redirect_uri = single(&pairs, "redirect_uri")
        .ok_or(OAuthFailure::InvalidRequest("the redirect_uri is missing"))?;
    let code_verifier = single(&pairs, "code_verifier")
        .ok_or(OAuthFailure::InvalidGrant("the code_verifier is missing"))?;
    login::redeem(
        ctx.tx,
        &client,
        &code,
        &redirect_uri,
        &code_verifier,
        ctx.now,
    )
}

/// `POST /oauth/token`. A refusal still commits: a replayed code's
/// revocation must stay.
pub fn token(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    match redeem(ctx) {
        Ok(answer) => Ok(Reply::ok(&answer)?
            .with_header("cache-control", "no-store".to_owned())
            .with_header("pragma", "no-cache".to_owned())),
        Err(failure) => oauth_error(&failure),
    }
}

/// `GET /oauth/userinfo` with a bearer access token.
pub fn userinfo(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let token = ctx
        .headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .filter(|token| !token.is_empty());
    let outcome = match token {
        Some(token) => login::userinfo(ctx.tx, token, ctx.now),
        None => Err(OAuthFailure::InvalidToken),
    };
    match outcome {
        Ok(claims) => Ok(Reply::ok(&claims)?.with_header("cache-control", "no-store".to_owned())),
        Err(failure) => Ok(oauth_error(&failure)?.with_header(
            "www-authenticate",
            format!("Bearer error=\"{}\"", failure.error()),
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn form_components_decode_strictly() {
        assert_eq!(form_decode("a+b%20c%2F").as_deref(), Some("a b c/"));
        assert_eq!(form_decode("%E7%99%BB").as_deref(), Some("登"));
        assert_eq!(form_decode("%zz"), None);
        assert_eq!(form_decode("%4"), None);
        assert_eq!(form_decode("%FF"), None);
        let pairs = form_pairs("a=1&b=2&a=3&c");
        assert_eq!(single(&pairs, "a"), None, "a repeated parameter is refused");
        assert_eq!(single(&pairs, "b").as_deref(), Some("2"));
        assert_eq!(single(&pairs, "c").as_deref(), Some(""));
    }

    #[test]
    fn pages_escape_what_they_show() {
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
