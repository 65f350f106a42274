//! The core's presentation helpers ([`ecard_core::presentation`]) for
//! ArkTS: purpose and step labels, the way forward from an error, and the
//! code countdown, in the client's language — the same functions the
//! UniFFI binding exports, checked alike by the conformance scenarios.

use ecard_core::ErrorCategory;
use ecard_core::presentation::{self, CodeCountdown as CoreCountdown};
use ecard_core::workflows::FlowStep;
use ecard_credential::{Locale, Purpose};
use serde_json::Value;

#[cfg(feature = "node")]
use napi_derive::napi;
#[cfg(feature = "ohos")]
use napi_derive_ohos::napi;

use crate::convert::from_js;
use crate::error::{BindingError, Fallible};

/// What a purpose's code is called (乘车码, "Transport", …) in `locale`.
#[napi]
pub fn purpose_label(purpose: String, locale: String) -> Fallible<String> {
    let locale = Locale::from_tag(&locale);
    Fallible(
        Purpose::from_name(&purpose)
            .map(|purpose| presentation::purpose_label(purpose, locale).to_owned())
            .ok_or_else(|| BindingError::invalid_argument("purpose", purpose, locale)),
    )
}

/// What the application screen says about a flow's `step` in `locale`.
#[napi]
pub fn step_label(step: Value, locale: String) -> Fallible<String> {
    let locale = Locale::from_tag(&locale);
    Fallible(
        from_js::<FlowStep>("step", step, locale)
            .map(|step| presentation::step_label(&step, locale)),
    )
}

/// Money in fen as yuan, e.g. 1000 → `¥10.00`.
#[napi]
pub fn format_fen(fen: u32) -> String {
    presentation::format_fen(fen)
}

/// What to offer for an error of `category` with stable `code`:
/// `retry`, `fix_field`, `go_to_counter`, `reopen` or `none`.
#[napi]
pub fn error_action(category: String, code: String) -> Fallible<String> {
    Fallible(
        ErrorCategory::from_name(&category)
            .map(|category| {
                presentation::error_action(category, &code)
                    .name()
                    .to_owned()
            })
            .ok_or_else(|| BindingError::invalid_argument("category", category, Locale::En)),
    )
}

/// The button caption of an action (`retry`, …) in `locale`, `''` for `none`.
#[napi]
pub fn error_action_label(action: String, locale: String) -> Fallible<String> {
    let locale = Locale::from_tag(&locale);
    Fallible(
        presentation::ErrorAction::ALL
            .into_iter()
            .find(|known| known.name() == action)
            .map(|known| known.label(locale).to_owned())
            .ok_or_else(|| BindingError::invalid_argument("action", action, locale)),
    )
}

/// Seconds as `m:ss` (`0:45`) for a countdown.
#[napi]
pub fn countdown_text(seconds: u32) -> String {
    presentation::countdown_text(u64::from(seconds))
}

/// Seconds as JavaScript passes them (non-negative whole seconds).
fn whole(seconds: f64) -> u64 {
    if seconds.is_finite() && seconds > 0.0 {
        seconds.floor() as u64
    } else {
        0
    }
}

/// The countdown of the code screen: platform time, whatever the phone's
/// clock says.
#[napi]
pub struct CodeCountdown {
    countdown: CoreCountdown,
}

#[napi]
impl CodeCountdown {
    /// The countdown of a code (`issuedAt`, `expiresAt`, `secondsLeft`)
    /// that arrived when the phone's clock read `localNowSeconds`.
    #[napi(constructor)]
    pub fn new(issued_at: f64, expires_at: f64, seconds_left: f64, local_now_seconds: f64) -> Self {
        CodeCountdown {
            countdown: CoreCountdown::new(
                whole(issued_at),
                whole(expires_at),
                whole(seconds_left),
                whole(local_now_seconds),
            ),
        }
    }

    /// Whole seconds left at the phone's time `localNowSeconds`.
    #[napi]
    pub fn seconds_left(&self, local_now_seconds: f64) -> u32 {
        u32::try_from(self.countdown.seconds_left(whole(local_now_seconds))).unwrap_or(u32::MAX)
    }

    /// 1 when fresh, 0 when expired: for a progress ring.
    #[napi]
    pub fn fraction(&self, local_now_seconds: f64) -> f64 {
        self.countdown.fraction(whole(local_now_seconds))
    }

    /// Whether to fetch the next code now.
    #[napi]
    pub fn needs_refresh(&self, local_now_seconds: f64) -> bool {
        self.countdown.needs_refresh(whole(local_now_seconds))
    }
}
