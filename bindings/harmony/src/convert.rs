//! Values between the core and JavaScript.
//!
//! Why JSON-shaped values rather than one napi struct per core type: the
//! platform's records (profile, application, mandate, catalogue item,
//! outlet, rules) already derive `serde`, with snake_case enum strings that
//! are the API contract. They cross as `serde_json::Value` with their keys
//! turned to camelCase ([`camel`]), so a field added to the API reaches
//! ArkTS without touching the binding; `harmony/index.d.ts` declares their
//! shapes. Views the core makes for the UI (snapshot, card, code, search
//! and outlet hits, outbox entry, flow step, progress stage) cross the same
//! way: the core derives `Serialize` for them behind its `js` feature, which
//! only this binding turns on, so a field added to a view is one change in
//! the core. The session alone is written out here, because it carries the
//! holder's sealed identity, which must not reach JavaScript.
//! Bytes (photos) cross as `Uint8Array` in the few napi objects that carry
//! them ([`crate::flows`]).
//!
//! Enum values stay snake_case strings (`in_production`, `change_bank`)
//! exactly as in the API, in both directions.

use ecard_api::identity::Notice;
use ecard_core::codes::CodeView;
use ecard_core::workflows::{FlowStep, ProgressStage};
use ecard_core::{
    CatalogueState, EnrolmentProgress, OutboxEntry, OutletHit, SearchHelp, SearchHit, Session,
    Snapshot, Submission, SyncReport,
};
use ecard_credential::Locale;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::BindingError;

/// `snake_case` → `camelCase`.
pub fn camel_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for character in key.chars() {
        if character == '_' {
            upper = true;
        } else if upper {
            out.extend(character.to_uppercase());
            upper = false;
        } else {
            out.push(character);
        }
    }
    out
}

/// `camelCase` → `snake_case`.
pub fn snake_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for character in key.chars() {
        if character.is_ascii_uppercase() {
            out.push('_');
            out.push(character.to_ascii_lowercase());
        } else {
            out.push(character);
        }
    }
    out
}

fn rename_keys(value: Value, rename: fn(&str) -> String) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (rename(&key), rename_keys(value, rename)))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|value| rename_keys(value, rename))
                .collect(),
        ),
        other => other,
    }
}

/// Object keys of a JSON value (at every depth) in camelCase.
pub fn camel(value: Value) -> Value {
    rename_keys(value, camel_key)
}

/// Object keys of a JSON value (at every depth) in snake_case.
pub fn snake(value: Value) -> Value {
    rename_keys(value, snake_key)
}

/// A serde record of the API as a camelCase JavaScript object.
pub fn to_js<T: Serialize>(value: &T) -> Value {
    camel(serde_json::to_value(value).unwrap_or(Value::Null))
}

/// Reads a camelCase JavaScript object into an API record.
pub fn from_js<T: DeserializeOwned>(
    field: &str,
    value: Value,
    locale: Locale,
) -> Result<T, BindingError> {
    serde_json::from_value(snake(value))
        .map_err(|error| BindingError::invalid_argument(field, error, locale))
}

/// Reads an enum value given as its snake_case string.
pub fn enum_from_js<T: DeserializeOwned>(
    field: &str,
    value: &str,
    locale: Locale,
) -> Result<T, BindingError> {
    serde_json::from_value(Value::String(value.to_owned()))
        .map_err(|error| BindingError::invalid_argument(field, error, locale))
}

/// The snake_case string of an enum value.
pub fn enum_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

/// Where an enrolment stands.
pub fn enrolment_progress(progress: &EnrolmentProgress) -> Value {
    to_js(progress)
}

/// An account notice (a device name at most; no personal data).
pub fn notice(notice: &Notice) -> Value {
    to_js(notice)
}

/// A session, identity masked.
pub fn session(session: &Session) -> Value {
    to_js(&session.view())
}

/// The catalogue cache state.
pub fn catalogue_state(state: &CatalogueState) -> Value {
    to_js(state)
}

/// What the UI renders.
pub fn snapshot(snapshot: &Snapshot) -> Value {
    to_js(snapshot)
}

/// A code to show.
pub fn code(code: &CodeView) -> Value {
    to_js(code)
}

/// What one catalogue sync did.
pub fn sync_report(report: &SyncReport) -> Value {
    to_js(report)
}

/// A search hit.
pub fn search_hit(hit: &SearchHit) -> Value {
    to_js(hit)
}

/// The help shown when a search found nothing.
pub fn search_help(help: &SearchHelp) -> Value {
    to_js(help)
}

/// A nearby outlet.
pub fn outlet_hit(hit: &OutletHit) -> Value {
    to_js(hit)
}

/// What happened to a submission.
pub fn submission(submission: &Submission) -> Value {
    to_js(submission)
}

/// Reads back a submission JavaScript got from [`submission`].
pub fn submission_from_js(value: &Value) -> Option<Submission> {
    serde_json::from_value(snake(value.clone())).ok()
}

/// An outbox entry (the "sending" list).
pub fn outbox_entry(entry: &OutboxEntry) -> Value {
    to_js(entry)
}

/// The step a flow is at: `{ kind, … }` (the core's serde shape).
pub fn flow_step(step: &FlowStep) -> Value {
    to_js(step)
}

/// One stage of the progress bar.
pub fn progress_stage(stage: &ProgressStage) -> Value {
    to_js(stage)
}

#[cfg(test)]
mod tests {
    use ecard_core::{ClientEvent, OutboxState};

    use super::*;
    use serde_json::json;

    #[test]
    fn keys_round_trip_between_cases() {
        assert_eq!(camel_key("card_number_masked"), "cardNumberMasked");
        assert_eq!(camel_key("e_card"), "eCard");
        assert_eq!(snake_key("eCard"), "e_card");
        assert_eq!(snake_key("outletId"), "outlet_id");
        let value =
            json!({ "person": { "id_number_masked": "1", "cards": [{ "e_card": "active" }] } });
        let js = camel(value.clone());
        assert_eq!(js["person"]["cards"][0]["eCard"], "active");
        assert_eq!(snake(js), value);
    }

    #[test]
    fn account_notices_become_events_with_null_for_no_device() {
        let event = to_js(&ClientEvent::AccountNotice {
            notice: Notice {
                notice_id: 3,
                kind: ecard_api::identity::NoticeKind::PinLocked,
                device_name: None,
                at: 9,
            },
        });
        assert_eq!(event["kind"], "account_notice");
        assert_eq!(event["notice"]["kind"], "pin_locked");
        assert_eq!(event["notice"]["deviceName"], Value::Null);
        assert_eq!(event["notice"]["noticeId"], 3);
    }

    #[test]
    fn submissions_survive_the_trip_through_javascript() {
        let original = Submission::new(
            7,
            OutboxState::Done,
            Some(&json!({ "application_id": "app-1" })),
        );
        let js = submission(&original);
        assert_eq!(js["applicationId"], "app-1");
        assert_eq!(submission_from_js(&js), Some(original));
    }
}
