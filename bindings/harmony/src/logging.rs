//! The core's log lines, masked, forwarded to a JavaScript logger (hilog on
//! HarmonyOS, anything in Node).
//!
//! The subscriber and the masking are the core's
//! ([`ecard_core::bridge::logging`], shared with the UniFFI binding), so an
//! ArkTS app's log carries no ID or phone number, exactly like logcat and
//! os_log. The JavaScript function is called on the JavaScript thread,
//! queued without blocking the core's thread, and never keeps the event
//! loop alive by itself.

use std::sync::Arc;

use ecard_core::bridge::logging::{self, LogLevel, LogSink};
use ecard_credential::Locale;
use napi::Status;
use napi::bindgen_prelude::{FnArgs, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};

#[cfg(feature = "node")]
use napi_derive::napi;
#[cfg(feature = "ohos")]
use napi_derive_ohos::napi;

use crate::error::{BindingError, Fallible};

/// `(level, target, message)`.
type Line = FnArgs<(String, String, String)>;

/// The JavaScript logger: `(level, target, message) => void`.
pub type Logger = ThreadsafeFunction<Line, Unknown<'static>, Line, Status, false, true>;

/// The JavaScript logger as the core's sink.
struct JsSink(Logger);

impl LogSink for JsSink {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        let line = FnArgs::from((
            level.name().to_owned(),
            target.to_owned(),
            message.to_owned(),
        ));
        let _ = self.0.call(line, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// Routes the library's log lines, masked, to `logger` at `maxLevel`
/// (`error`, `warn`, `info`, `debug`, `trace`) and above in severity;
/// `null` turns forwarding off.
#[napi]
pub fn set_logger(logger: Option<Logger>, max_level: String) -> Fallible<()> {
    let Some(level) = LogLevel::from_name(&max_level) else {
        return Fallible(Err(BindingError::invalid_argument(
            "maxLevel",
            format!("unknown level {max_level:?}"),
            Locale::En,
        )));
    };
    let sink = logger.map(|logger| Arc::new(JsSink(logger)) as Arc<dyn LogSink>);
    logging::set_log_sink(sink, level);
    Fallible(Ok(()))
}

/// Masks ID numbers, phone numbers and card numbers in `text`, as every
/// forwarded log line is masked.
#[napi]
pub fn mask_personal_data(text: String) -> String {
    logging::mask_personal_data(&text)
}
