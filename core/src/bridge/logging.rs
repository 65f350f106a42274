//! The core's `tracing` events, masked and forwarded to the platform log
//! (logcat, os_log, hilog) through a sink each binding adapts.
//!
//! Why here and why masked: phone logs end up in bug reports and vendor
//! crash tools, and PIPL treats an ID number or a phone number in them as a
//! leak. The core logs ids, not people, but an error text can still carry
//! what a person typed; so every line is masked on its way out — 18- and
//! 15-character ID numbers, 11-digit mobile numbers (also spaced or with
//! +86) and card-length digit runs — and fields whose names suggest a
//! secret (keys, tokens, signatures, photos) are dropped outright. Both
//! bindings forward through this one subscriber, so an ArkTS app's hilog
//! is masked exactly as an Android app's logcat.
//!
//! A small hand-written `tracing` subscriber does the forwarding (spans are
//! ignored; events carry everything the core logs), so no logging framework
//! is linked into the shipped library.

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Once, RwLock};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Severity of a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

impl LogLevel {
    fn rank(self) -> u8 {
        match self {
            LogLevel::Error => 1,
            LogLevel::Warn => 2,
            LogLevel::Info => 3,
            LogLevel::Debug => 4,
            LogLevel::Trace => 5,
        }
    }

    fn of(level: &Level) -> LogLevel {
        match *level {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            Level::DEBUG => LogLevel::Debug,
            _ => LogLevel::Trace,
        }
    }

    /// The level's lowercase name (`error` … `trace`).
    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }

    /// The level of a lowercase name, if it is one.
    pub fn from_name(name: &str) -> Option<LogLevel> {
        [
            LogLevel::Error,
            LogLevel::Warn,
            LogLevel::Info,
            LogLevel::Debug,
            LogLevel::Trace,
        ]
        .into_iter()
        .find(|level| level.name() == name)
    }
}

/// Where masked lines go (a binding's adapter of the app's logger).
pub trait LogSink: Send + Sync {
    /// One line, already masked. Called on library threads, possibly
    /// concurrently; must not block for long.
    fn log(&self, level: LogLevel, target: &str, message: &str);
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);
/// 0 = off, else the rank of the most verbose level forwarded.
static MAX_RANK: AtomicU8 = AtomicU8::new(0);
static INSTALL: Once = Once::new();

thread_local! {
    /// Set while a line is being handed to the sink, so a logger that
    /// calls back into the library cannot recurse forever.
    static FORWARDING: Cell<bool> = const { Cell::new(false) };
}

/// Routes the library's log lines to `sink`, at `max_level` and above in
/// severity; `None` turns forwarding off. May be called again at any time
/// to change either.
pub fn set_log_sink(sink: Option<Arc<dyn LogSink>>, max_level: LogLevel) {
    let rank = if sink.is_some() { max_level.rank() } else { 0 };
    *SINK
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = sink;
    MAX_RANK.store(rank, Ordering::SeqCst);
    INSTALL.call_once(|| {
        // Fails only when the host process already installed a global
        // subscriber (a Rust host app); its subscriber then sees the lines.
        let _ = tracing::subscriber::set_global_default(ForwardingSubscriber);
    });
    tracing::callsite::rebuild_interest_cache();
}

/// Masks ID numbers, phone numbers and card numbers in `text`, as every
/// forwarded log line is masked. Apps use it for their own log lines.
pub fn mask_personal_data(text: &str) -> String {
    mask(text)
}

/// A digit group and where it sits in the text (byte offsets).
struct Group {
    start: usize,
    end: usize,
}

/// What a digit string looks like, by length and shape.
fn classify(digits: &str, check_x: bool) -> Option<&'static str> {
    // Mainland mobile numbers: 1, then 3–9, then nine digits.
    let mobile = |number: &str| {
        let bytes = number.as_bytes();
        bytes.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1])
    };
    let length = digits.len() + usize::from(check_x);
    match length {
        18 | 15 => Some("[id]"),
        11 if mobile(digits) && !check_x => Some("[phone]"),
        13 if digits.starts_with("86") && mobile(&digits[2..]) && !check_x => Some("[phone]"),
        16 | 17 | 19 if !check_x => Some("[number]"),
        _ => None,
    }
}

fn mask(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut index = 0;
    while index < bytes.len() {
        if !bytes[index].is_ascii_digit() {
            index += 1;
            continue;
        }
        // A span of digit groups joined by single spaces or hyphens, each
        // group at least three digits long (`139 0013 9000`).
        let mut groups = Vec::new();
        let mut cursor = index;
        loop {
            let start = cursor;
            while cursor < bytes.len() && bytes[cursor].is_ascii_digit() {
                cursor += 1;
            }
            groups.push(Group { start, end: cursor });
            let joined = cursor + 1 < bytes.len()
                && matches!(bytes[cursor], b' ' | b'-')
                && bytes[cursor + 1].is_ascii_digit();
            if !joined || cursor - start < 3 {
                break;
            }
            let next_end = bytes[cursor + 1..]
                .iter()
                .position(|byte| !byte.is_ascii_digit())
                .map_or(bytes.len(), |offset| cursor + 1 + offset);
            if next_end - (cursor + 1) < 3 {
                break;
            }
            cursor += 1;
        }
        let span_end = groups.last().map_or(index, |group| group.end);
        let check_x = span_end < bytes.len()
            && matches!(bytes[span_end], b'X' | b'x')
            && !bytes
                .get(span_end + 1)
                .is_some_and(u8::is_ascii_alphanumeric);
        let digits: String = groups
            .iter()
            .map(|group| &text[group.start..group.end])
            .collect();
        out.push_str(&text[copied..index]);
        if let Some(label) = classify(&digits, check_x) {
            out.push_str(label);
            copied = span_end + usize::from(check_x);
        } else {
            // Not as a whole: mask any single group that is one by itself.
            let mut at = index;
            for group in &groups {
                out.push_str(&text[at..group.start]);
                let alone = &text[group.start..group.end];
                match classify(alone, false) {
                    Some(label) => out.push_str(label),
                    None => out.push_str(alone),
                }
                at = group.end;
            }
            copied = span_end;
        }
        index = copied.max(index + 1);
    }
    out.push_str(&text[copied.min(text.len())..]);
    out
}

/// Field names whose values are never forwarded.
fn is_secret(name: &str) -> bool {
    const SECRET: [&str; 10] = [
        "secret",
        "password",
        "passwd",
        "token",
        "key",
        "signature",
        "pin",
        "photo",
        "cookie",
        "authorization",
    ];
    let name = name.to_ascii_lowercase();
    SECRET.iter().any(|word| name.contains(word))
}

/// Collects an event's message and fields into one line.
#[derive(Default)]
struct Line {
    message: String,
    fields: String,
}

impl Line {
    fn field(&mut self, field: &Field, value: &dyn std::fmt::Display) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value}");
        } else if is_secret(field.name()) {
            let _ = write!(self.fields, " {}=[redacted]", field.name());
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

struct DebugAsDisplay<'a>(&'a dyn std::fmt::Debug);

impl std::fmt::Display for DebugAsDisplay<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{:?}", self.0)
    }
}

impl Visit for Line {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, &value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.field(field, &DebugAsDisplay(value));
    }
}

/// The global subscriber: forwards events to the current [`LogSink`].
struct ForwardingSubscriber;

impl Subscriber for ForwardingSubscriber {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        LogLevel::of(metadata.level()).rank() <= MAX_RANK.load(Ordering::Relaxed)
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        use tracing::level_filters::LevelFilter;
        Some(match MAX_RANK.load(Ordering::Relaxed) {
            0 => LevelFilter::OFF,
            1 => LevelFilter::ERROR,
            2 => LevelFilter::WARN,
            3 => LevelFilter::INFO,
            4 => LevelFilter::DEBUG,
            _ => LevelFilter::TRACE,
        })
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        if FORWARDING.with(Cell::get) {
            return;
        }
        let sink = SINK
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let Some(sink) = sink else { return };
        let mut line = Line::default();
        event.record(&mut line);
        let message = mask(&format!("{}{}", line.message, line.fields));
        let metadata = event.metadata();
        FORWARDING.with(|forwarding| forwarding.set(true));
        sink.log(LogLevel::of(metadata.level()), metadata.target(), &message);
        FORWARDING.with(|forwarding| forwarding.set(false));
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn personal_numbers_are_masked() {
        assert_eq!(mask("id 360102194806020465 ok"), "id [id] ok");
        assert_eq!(mask("id=36010219480602046X."), "id=[id].");
        assert_eq!(mask("id=36010219480602046x"), "id=[id]");
        assert_eq!(mask("phone 13800138000"), "phone [phone]");
        assert_eq!(mask("tel:+8613800138000"), "tel:+[phone]");
        assert_eq!(mask("call 139 0013 9000 now"), "call [phone] now");
        assert_eq!(mask("call 139-0013-9000"), "call [phone]");
        assert_eq!(mask("card 6222021234567890123"), "card [number]");
        assert_eq!(mask("old 360102480602046"), "old [id]");
        assert_eq!(mask("中文13800138000中文"), "中文[phone]中文");
    }

    #[test]
    fn ordinary_numbers_stay() {
        for text in [
            "outbox=12 action=card.release",
            "now 1767225600 millis 1767225600123",
            "version 1 2 3 4 5 6 7 8 9 10 11",
            "0x1234 and 99",
            "",
            "12345678901",
            "138001380001",
        ] {
            assert_eq!(mask(text), text);
        }
        assert_eq!(mask("138 0013 8000 1 2"), "[phone] 1 2");
    }

    #[test]
    fn secret_fields_are_recognised() {
        assert!(is_secret("idempotency_key"));
        assert!(is_secret("Authorization"));
        assert!(is_secret("photo_jpeg"));
        assert!(!is_secret("outbox"));
        assert!(!is_secret("action"));
    }

    struct Collect(std::sync::Mutex<Vec<(LogLevel, String)>>);

    impl LogSink for Collect {
        fn log(&self, level: LogLevel, _target: &str, message: &str) {
            self.0.lock().unwrap().push((level, message.to_owned()));
        }
    }

    #[test]
    fn events_reach_the_logger_masked_and_filtered() {
        let collect = Arc::new(Collect(std::sync::Mutex::new(Vec::new())));
        set_log_sink(Some(collect.clone()), LogLevel::Info);
        tracing::info!(
            phone = "13800138000",
            token = "s3cret",
            "enrolled 360102194806020465"
        );
        tracing::debug!("too verbose");
        set_log_sink(None, LogLevel::Trace);
        tracing::error!("after removal");
        let lines = collect.0.lock().unwrap().clone();
        let ours: Vec<_> = lines
            .iter()
            .filter(|(_, message)| {
                message.contains("enrolled")
                    || message.contains("verbose")
                    || message.contains("removal")
            })
            .collect();
        assert_eq!(ours.len(), 1, "{lines:?}");
        assert_eq!(ours[0].0, LogLevel::Info);
        assert_eq!(ours[0].1, "enrolled [id] phone=[phone] token=[redacted]");
    }
}
