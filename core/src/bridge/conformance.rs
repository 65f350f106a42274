//! Hooks for the conformance scenarios both binding suites run
//! (`bindings/conformance/scenarios.json`).
//!
//! Why hooks: some behaviours cannot be provoked from outside on demand — a
//! panic, a listener that fell behind, one particular error. Each binding
//! exports these as `debug…` functions, and the Kotlin and Node suites run
//! the same scenarios through them, so both shims are checked against one
//! list. They do nothing a caller could misuse: they make values, panic on
//! purpose inside the guard, or log one line.

use ecard_api::problem::ProblemCode;
use ecard_api::resident::{Application, ApplicationAction, ApplicationKind, ApplicationState};
use ecard_credential::{KeyStoreError, Locale};
use tokio::sync::broadcast;

use super::error::FlatError;
use super::flows::{FlowCall, plan};
use super::logging::LogLevel;
use crate::error::ClientError;
use crate::events::ClientEvent;
use crate::workflows::{ApplicationFlow, FlowStep};

/// The core error a scenario names (`offline`, `timeout`, `card_suspended`,
/// `invalid_choice`, `user_cancelled`, `pin_wrong`, `not_found`,
/// `key_store_locked`, `unsupported_suite`), flattened in `locale`; `None`
/// for another name.
pub fn scenario_error(name: &str, locale: Locale) -> Option<FlatError> {
    let error = match name {
        "offline" => ClientError::Offline("conformance".into()),
        "timeout" => ClientError::Timeout,
        "card_suspended" => ClientError::CardSuspended,
        "invalid_choice" => ClientError::InvalidChoice {
            field: "bank".into(),
            reason: "conformance".into(),
        },
        "user_cancelled" => ClientError::KeyStore(KeyStoreError::UserCancelled),
        "pin_wrong" => ClientError::Refused {
            code: ProblemCode::PinWrong,
            detail: "conformance".into(),
            field: Some("pin".into()),
        },
        "not_found" => ClientError::NotFound("conformance".into()),
        "unsupported_suite" => ClientError::KeyStore(KeyStoreError::UnsupportedSuite),
        "key_store_locked" => ClientError::KeyStoreUnavailable {
            source: KeyStoreError::Locked,
            retryable: true,
        },
        _ => return None,
    };
    Some(FlatError::from_client(&error, locale))
}

/// A receiver that has fallen behind: `emitted` events were sent on a
/// channel that holds `capacity`, and the sender is gone, so a pump started
/// on it reports the lag, delivers what is left, and ends.
pub fn lagged_receiver(emitted: u32, capacity: u32) -> broadcast::Receiver<ClientEvent> {
    let (sender, receiver) = broadcast::channel(capacity.max(1) as usize);
    for pending in 0..emitted {
        let _ = sender.send(ClientEvent::OutboxChanged {
            pending: u64::from(pending),
        });
    }
    receiver
}

/// The call an action stands for in a flow at `step` (`pay` with
/// `amount_fen`, or any other step name) with `fee_fen` on record and
/// `card_id`.
pub fn plan_for(
    step_amount_fen: Option<u32>,
    fee_fen: u32,
    card_id: Option<String>,
    action: ApplicationAction,
    photo_jpeg: Option<Vec<u8>>,
) -> Result<FlowCall, ClientError> {
    let application = Application {
        application_id: "app-conformance".into(),
        kind: ApplicationKind::NewCard,
        person_id: "person-conformance".into(),
        submitted_by: "account-conformance".into(),
        mandate_id: None,
        state: ApplicationState::Submitted,
        stages: Vec::new(),
        fee_fen,
        actions: vec![action],
        replaces_card_id: None,
        card_id,
        failure_reason: None,
        created_at: 0,
        instant_issue: false,
    };
    let flow = ApplicationFlow {
        application,
        step: step_amount_fen.map_or(FlowStep::InProduction, |amount_fen| FlowStep::Pay {
            amount_fen,
        }),
        actions: vec![action],
        cannot_cancel_once_submitted: false,
        progress: Vec::new(),
    };
    plan(&flow, action, photo_jpeg)
}

/// Logs `message` at `level` (target `ecard_conformance`), for the masking
/// scenarios.
pub fn emit_log(level: LogLevel, message: &str) {
    match level {
        LogLevel::Error => tracing::error!(target: "ecard_conformance", "{message}"),
        LogLevel::Warn => tracing::warn!(target: "ecard_conformance", "{message}"),
        LogLevel::Info => tracing::info!(target: "ecard_conformance", "{message}"),
        LogLevel::Debug => tracing::debug!(target: "ecard_conformance", "{message}"),
        LogLevel::Trace => tracing::trace!(target: "ecard_conformance", "{message}"),
    }
}

/// Panics on purpose (inside a binding's guard, for the panic scenarios).
pub fn explode(where_: &str) -> Result<(), FlatError> {
    panic!("conformance panic {where_}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn every_named_error_exists_and_others_do_not() {
        for name in [
            "offline",
            "timeout",
            "card_suspended",
            "invalid_choice",
            "user_cancelled",
            "pin_wrong",
            "not_found",
            "key_store_locked",
            "unsupported_suite",
        ] {
            assert!(scenario_error(name, Locale::En).is_some(), "{name}");
        }
        assert!(scenario_error("nope", Locale::En).is_none());
    }

    #[test]
    fn paying_pays_what_the_step_asks_and_activating_needs_the_card() {
        let call = plan_for(Some(3_000), 2_000, None, ApplicationAction::Pay, None).unwrap();
        assert_eq!(
            call,
            FlowCall::Pay {
                application_id: "app-conformance".into(),
                amount_fen: 3_000
            }
        );
        let call = plan_for(None, 2_000, None, ApplicationAction::Pay, None).unwrap();
        assert!(matches!(
            call,
            FlowCall::Pay {
                amount_fen: 2_000,
                ..
            }
        ));
        let missing = plan_for(None, 0, None, ApplicationAction::Activate, None).unwrap_err();
        assert_eq!(missing.code(), "not_found");
        let photo = plan_for(None, 0, None, ApplicationAction::ResubmitPhoto, None).unwrap_err();
        assert_eq!(photo.field().as_deref(), Some("photo_jpeg"));
    }
}
