//! The `debug…` exports the conformance scenarios run through
//! (`bindings/conformance/scenarios.json`), the same hooks as the UniFFI
//! binding's, over [`ecard_core::bridge::conformance`].

use ecard_api::resident::ApplicationAction;
use ecard_core::bridge::{self, LogLevel, conformance};
use ecard_credential::Locale;
use serde::Serialize;
use serde_json::Value;

#[cfg(feature = "node")]
use napi_derive::napi;
#[cfg(feature = "ohos")]
use napi_derive_ohos::napi;

use crate::client::{Listener, Subscription};
use crate::convert::{enum_from_js, to_js};
use crate::error::{BindingError, Fallible};

/// Panics on purpose inside the guard: throws `internal` with code `panic`.
#[napi]
pub fn debug_panic() -> Fallible<()> {
    Fallible(bridge::guard(Locale::En, || {
        conformance::explode("inside the guard")
    }))
}

/// Panics on purpose inside an async call on the library runtime: rejects
/// with `internal`, code `panic`.
#[napi]
pub async fn debug_panic_async() -> Fallible<()> {
    Fallible(bridge::run(Locale::En, async { conformance::explode("on the runtime") }).await)
}

/// Throws the error a scenario names (`offline`, `card_suspended`, …) in
/// `locale` (`zh-CN` or `en`).
#[napi]
pub fn debug_error(name: String, locale: String) -> Fallible<()> {
    let locale = Locale::from_tag(&locale);
    Fallible(Err(conformance::scenario_error(&name, locale)
        .unwrap_or_else(|| {
            BindingError::invalid_argument("name", name, locale)
        })))
}

/// Delivers to `listener` what a listener that fell behind gets: `emitted`
/// events on a channel holding `capacity`, then the end.
#[napi]
pub fn debug_lagged_subscription(
    listener: Listener,
    emitted: u32,
    capacity: u32,
) -> Fallible<Subscription> {
    Subscription::start(
        conformance::lagged_receiver(emitted, capacity),
        listener,
        Locale::En,
    )
    .into()
}

/// Logs `message` at `level` through the library's log path.
#[napi]
pub fn debug_log(level: String, message: String) -> Fallible<()> {
    let Some(level) = LogLevel::from_name(&level) else {
        return Fallible(Err(BindingError::invalid_argument(
            "level",
            level,
            Locale::En,
        )));
    };
    conformance::emit_log(level, &message);
    Fallible(Ok(()))
}

/// A flow call as the scenarios compare it.
#[derive(Serialize)]
struct PlannedCall<'a> {
    name: &'a str,
    amount_fen: Option<u32>,
    card_id: Option<&'a str>,
}

/// The call a flow's `action` stands for: `{ name, amountFen, cardId }`
/// for a flow whose step asks to pay `stepAmountFen` (null for another
/// step), with `feeFen` on record and `cardId`.
#[napi]
pub fn debug_plan_action(
    step_amount_fen: Option<u32>,
    fee_fen: u32,
    card_id: Option<String>,
    action: String,
) -> Fallible<Value> {
    let planned =
        enum_from_js::<ApplicationAction>("action", &action, Locale::En).and_then(|action| {
            conformance::plan_for(step_amount_fen, fee_fen, card_id, action, None)
                .map_err(|error| BindingError::from_client(&error, Locale::En))
        });
    Fallible(planned.map(|call| {
        to_js(&PlannedCall {
            name: call.name(),
            amount_fen: call.amount_fen(),
            card_id: call.card_id(),
        })
    }))
}

/// The configuration `EcardClient.open` uses for `dataDir` and
/// `platformUrl` with every other setting at its default (the core's, as
/// the UniFFI binding's `defaultConfig`).
#[napi]
pub fn default_config(data_dir: String, platform_url: String) -> Value {
    to_js(&bridge::BindingConfig::new(data_dir, platform_url).with_defaults())
}

/// Library objects alive and async calls running, process-wide (the
/// same counters as the UniFFI binding's `liveObjects()`).
#[napi]
pub fn live_objects() -> Value {
    to_js(&bridge::live_objects())
}
