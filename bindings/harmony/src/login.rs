//! 扫一扫 for ArkTS: telling a login QR code from an e-card code from other
//! text (`classifyScan`), the core's `classify_scan` carried across. The
//! login calls themselves are methods of the client ([`crate::client`]).

use serde_json::{Value, json};

#[cfg(feature = "node")]
use napi_derive::napi;
#[cfg(feature = "ohos")]
use napi_derive_ohos::napi;

/// 扫一扫: what scanned `text` is — `{ kind, loginRequestId }` with `kind`
/// one of `login` (show `loginRequest(loginRequestId)`), `e_card_code`
/// (someone's e-card code: this phone is not a terminal),
/// `malformed_login` or `unknown`. Pure computation: safe on the UI thread.
#[napi]
pub fn classify_scan(text: String) -> Value {
    let (kind, login_request_id) = match ecard_core::classify_scan(&text) {
        ecard_core::ScannedText::Login(code) => ("login", Some(code.request_id)),
        ecard_core::ScannedText::ECardCode => ("e_card_code", None),
        ecard_core::ScannedText::MalformedLogin(_) => ("malformed_login", None),
        ecard_core::ScannedText::Unknown => ("unknown", None),
    };
    json!({ "kind": kind, "loginRequestId": login_request_id })
}
