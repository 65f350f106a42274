//! How values are written into text columns and read back: enums by their
//! snake_case wire names (the same names the API uses, so a row reads like the
//! JSON a client saw), application kinds, and lowercase hex for digests.
//! One place for these, so every table stores a value the same way.

use ecard_api::resident::{ApplicationKind, ReplacementKind};

/// Parses a snake_case enum stored as text.
pub fn parse_enum<T: serde::de::DeserializeOwned>(text: &str) -> crate::store::sql::Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|error| crate::store::sql::Error::conversion(0, error))
}

/// The snake_case name of an enum value.
pub fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// How an application kind is stored: `new_card` or `replacement:<reason>`.
pub fn kind_text(kind: ApplicationKind) -> String {
    match kind {
        ApplicationKind::NewCard => "new_card".to_owned(),
        ApplicationKind::Replacement(kind) => format!("replacement:{}", enum_name(&kind)),
    }
}

/// Reads an application kind as [`kind_text`] stored it.
pub fn kind_from_text(text: &str) -> crate::store::sql::Result<ApplicationKind> {
    match text.strip_prefix("replacement:") {
        Some(kind) => Ok(ApplicationKind::Replacement(parse_enum::<ReplacementKind>(
            kind,
        )?)),
        None => Ok(ApplicationKind::NewCard),
    }
}
