//! The core's `tracing` events, forwarded to the platform logger (logcat,
//! os_log, hilog) through a foreign trait, with personal data masked.
//!
//! Why here and why masked: phone logs end up in bug reports and vendor
//! crash tools, and PIPL treats an ID number or a phone number in them as a
//! leak. The core logs ids, not people, but an error text can still carry
//! what a person typed; so every line is masked on its way out — 18- and
//! 15-character ID numbers, 11-digit mobile numbers (also spaced or with
//! +86) and card-length digit runs — and fields whose names suggest a
//! secret (keys, tokens, signatures, photos) are dropped outright.
//!
//! The subscriber and the masking are the core's
//! ([`ecard_core::bridge::logging`], shared with the HarmonyOS binding);
//! this is the foreign trait the apps implement and its adapter.

use std::sync::Arc;

use ecard_core::bridge::logging::{self, LogSink};

pub use ecard_core::bridge::LogLevel;

/// Severity of a log line.
#[uniffi::remote(Enum)]
pub enum LogLevel {
    /// Something failed.
    Error,
    /// Something unexpected that the core handled.
    Warn,
    /// Milestones (enrolled, submission queued/confirmed).
    Info,
    /// Detail for developers.
    Debug,
    /// Everything.
    Trace,
}

/// The platform logger (implemented by the app).
#[uniffi::export(with_foreign)]
pub trait PlatformLogger: Send + Sync {
    /// One line, already masked. Called on library threads, possibly
    /// concurrently; must not block for long.
    fn log(&self, level: LogLevel, target: String, message: String);
}

/// The app's logger as the core's sink.
struct ForeignSink(Arc<dyn PlatformLogger>);

impl LogSink for ForeignSink {
    fn log(&self, level: LogLevel, target: &str, message: &str) {
        self.0.log(level, target.to_owned(), message.to_owned());
    }
}

/// Routes the library's log lines to `logger`, at `max_level` and above in
/// severity; `None` turns forwarding off. May be called again at any time
/// to change either.
#[uniffi::export]
pub fn set_logger(logger: Option<Arc<dyn PlatformLogger>>, max_level: LogLevel) {
    let sink = logger.map(|logger| Arc::new(ForeignSink(logger)) as Arc<dyn LogSink>);
    logging::set_log_sink(sink, max_level);
}

/// Masks ID numbers, phone numbers and card numbers in `text`, as every
/// forwarded log line is masked. Apps use it for their own log lines.
#[uniffi::export]
pub fn mask_personal_data(text: String) -> String {
    logging::mask_personal_data(&text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    struct Collect(std::sync::Mutex<Vec<(LogLevel, String)>>);

    impl PlatformLogger for Collect {
        fn log(&self, level: LogLevel, _target: String, message: String) {
            self.0.lock().unwrap().push((level, message));
        }
    }

    #[test]
    fn events_reach_the_app_logger_masked() {
        let collect = Arc::new(Collect(std::sync::Mutex::new(Vec::new())));
        set_logger(Some(collect.clone()), LogLevel::Info);
        tracing::info!(token = "s3cret", "enrolled 360102194806020465");
        set_logger(None, LogLevel::Trace);
        let lines = collect.0.lock().unwrap().clone();
        assert!(
            lines.contains(&(LogLevel::Info, "enrolled [id] token=[redacted]".into())),
            "{lines:?}"
        );
        assert_eq!(mask_personal_data("tel 13800138000".into()), "tel [phone]");
    }
}
