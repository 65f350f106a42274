//! The card workflows' shared shapes: the forms, drafts, submissions and
//! flows the UI works with, and how a flow's current step, the input it
//! needs next and what the person can do now are derived from the
//! platform's state and the cached regional rules — never from per-region
//! code branches. The local input checks every submission shares are here
//! too, with the workflow cache (the platform's last answer about each
//! application, mandate and other list the app shows, for reading
//! offline, with how fresh it is) and the background task.
//!
//! The workflows themselves live by concern: applications, replacement,
//! loss reports and activation in `applications`, mandates in `family`,
//! forms in progress in `drafts`; every submission is sent through the
//! durable outbox ([`crate::outbox`]).

use ecard_api::paths;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    Application, ApplicationAction, ApplicationKind, ApplicationState, Card, Delivery,
    ReplacementKind,
};
use ecard_api::rules::RegionalRules;
use ecard_credential::Locale;
use rusqlite::{OptionalExtension as _, params};
use serde::{Deserialize, Serialize};

use crate::client::{EcardClient, blocking};
use crate::error::{ClientError, StorageError};
use crate::outbox::OutboxState;
use crate::storage::Store;

/// A first-card application form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCardForm {
    /// Who the card is for: `None` for the account holder, or a person the
    /// account holds an `apply` mandate for (a minor, a newborn, a relative).
    pub person_id: Option<String>,
    /// The card photo (JPEG).
    pub photo_jpeg: Vec<u8>,
    /// Co-branded bank code.
    pub bank: String,
    /// Contact phone.
    pub phone: String,
    /// How the card reaches its holder.
    pub delivery: Delivery,
    /// Made on the spot at the pickup outlet (即时制卡), where it offers it.
    #[serde(default)]
    pub instant_issue: bool,
}

/// A replacement form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacementForm {
    /// The card to replace.
    pub card_id: String,
    /// Plain, change of bank, or keep-number.
    pub kind: ReplacementKind,
    /// The new bank (change of bank only).
    pub bank: Option<String>,
    /// A new photo; the one on file is reused when absent.
    pub photo_jpeg: Option<Vec<u8>>,
    /// How the new card reaches its holder.
    pub delivery: Delivery,
    /// Made on the spot at the pickup outlet (即时制卡), where it offers it.
    #[serde(default)]
    pub instant_issue: bool,
}

/// A form in progress.
///
/// Stored (sealed) as `{"draft": "<kind>", "form": {…}}`: the kind beside
/// the form, never inside it, so no field of a form can collide with the
/// tag. (Drafts saved before this shape put the tag `kind` inside the form,
/// where a replacement's own `kind` clashed with it; they still read.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "draft", content = "form", rename_all = "snake_case")]
pub enum DraftForm {
    /// A first card.
    NewCard(NewCardForm),
    /// A replacement.
    Replacement(ReplacementForm),
}

/// A stored draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// Id.
    pub draft_id: String,
    /// The form.
    pub form: DraftForm,
    /// Last saved (Unix seconds).
    pub updated_at: u64,
}

/// What happened to a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct Submission {
    /// The outbox entry.
    pub outbox_id: i64,
    /// `Done` when the platform answered, `Pending` when queued (offline).
    pub state: OutboxState,
    /// The application it created or acted on, once confirmed.
    pub application_id: Option<String>,
    /// The mandate it created or acted on, once confirmed.
    pub delegation_id: Option<String>,
    /// The platform's answer as JSON text, when done.
    pub response_json: Option<String>,
}

impl Submission {
    /// A submission in `state` with the platform's answer, if any.
    pub fn new(outbox_id: i64, state: OutboxState, response: Option<&serde_json::Value>) -> Self {
        let created = |field: &str| {
            response
                .and_then(|answer| answer.get(field))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        Submission {
            outbox_id,
            state,
            application_id: created("application_id"),
            delegation_id: created("delegation_id"),
            response_json: response.map(ToString::to_string),
        }
    }
}

/// The step a flow is at. Serialized with a snake_case `kind` tag, as the
/// HarmonyOS binding hands it to JavaScript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub enum FlowStep {
    /// Queued on this device, not yet confirmed by the platform.
    WaitingToSend,
    /// Fees are due.
    Pay {
        /// Amount in fen.
        amount_fen: u32,
    },
    /// Waiting for production to start or finish.
    InProduction,
    /// Posted; arrives by itself.
    InTransit,
    /// Ready for collection at the outlet; confirm when collected.
    CollectAtOutlet,
    /// In hand: enable the social-security function.
    Activate,
    /// Production failed: send a new photo.
    ResubmitPhoto {
        /// Why, as the card bureau said.
        reason: String,
    },
    /// Finished.
    Done,
    /// Cancelled.
    Cancelled,
}

/// One stage of the progress bar (制卡进度).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct ProgressStage {
    /// The state.
    pub state: ApplicationState,
    /// Its label in the chosen language.
    pub label: String,
    /// When it was reached.
    pub at: Option<u64>,
}

/// An application flow as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationFlow {
    /// The platform's record.
    pub application: Application,
    /// Where it stands.
    pub step: FlowStep,
    /// What the person can do now.
    pub actions: Vec<ApplicationAction>,
    /// Whether the rules forbid cancelling once submitted.
    pub cannot_cancel_once_submitted: bool,
    /// The stages reached, in order, with labels.
    pub progress: Vec<ProgressStage>,
}

/// A state label in a language.
pub fn state_label(state: ApplicationState, locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => state.label_zh(),
        Locale::En => match state {
            ApplicationState::Submitted => "Submitted",
            ApplicationState::Paid => "Paid",
            ApplicationState::InProduction => "In production",
            ApplicationState::Dispatched => "Posted",
            ApplicationState::AtOutlet => "At the outlet",
            ApplicationState::Received => "Received, not activated",
            ApplicationState::Activated => "Activated",
            ApplicationState::ProductionFailed => "Production failed",
            ApplicationState::Cancelled => "Cancelled",
        },
    }
}

pub(crate) fn flow_of(
    application: Application,
    rules: Option<&RegionalRules>,
    locale: Locale,
) -> ApplicationFlow {
    let step = match application.state {
        ApplicationState::Submitted if application.fee_fen > 0 => FlowStep::Pay {
            amount_fen: application.fee_fen,
        },
        ApplicationState::Submitted | ApplicationState::Paid | ApplicationState::InProduction => {
            FlowStep::InProduction
        }
        ApplicationState::Dispatched => FlowStep::InTransit,
        ApplicationState::AtOutlet => FlowStep::CollectAtOutlet,
        ApplicationState::Received => FlowStep::Activate,
        ApplicationState::ProductionFailed => FlowStep::ResubmitPhoto {
            reason: application.failure_reason.clone().unwrap_or_default(),
        },
        ApplicationState::Activated => FlowStep::Done,
        ApplicationState::Cancelled => FlowStep::Cancelled,
    };
    let progress = application
        .stages
        .iter()
        .map(|stage| ProgressStage {
            state: stage.state,
            label: state_label(stage.state, locale).to_owned(),
            at: Some(stage.at),
        })
        .collect();
    ApplicationFlow {
        actions: application.actions.clone(),
        cannot_cancel_once_submitted: rules.is_some_and(|rules| !rules.cancel_after_submit),
        step,
        progress,
        application,
    }
}

/// A card's loss-report situation as the UI shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LossFlow {
    /// The card.
    pub card: Card,
    /// Whether a temporary report may be made now.
    pub can_report_temporary: bool,
    /// Whether a formal report may be made now.
    pub can_report_formal: bool,
    /// Whether the report can be released online here (else at a counter).
    pub can_release_online: bool,
    /// Whether the card's e-card code works during a temporary report.
    pub e_card_works_while_temporarily_lost: bool,
    /// When an open temporary report lapses by itself.
    pub lapses_at: Option<u64>,
    /// Whether the next step is a replacement (formally lost).
    pub replacement_needed: bool,
}

pub(crate) fn invalid(field: &str, error: ecard_documents::DocumentError) -> ClientError {
    ClientError::InvalidInput {
        field: field.to_owned(),
        error,
    }
}

/// The refusal of an act a minor's guardian does for them.
pub(crate) fn guardian_required() -> ClientError {
    ClientError::Refused {
        code: ProblemCode::GuardianRequired,
        detail: "a holder under the age of majority does this through a guardian".to_owned(),
        field: None,
    }
}

pub(crate) fn not_allowed(detail: &str) -> ClientError {
    ClientError::Refused {
        code: ProblemCode::NotAllowedByRules,
        detail: detail.to_owned(),
        field: None,
    }
}

pub(crate) fn check_delivery(delivery: &Delivery) -> Result<(), ClientError> {
    match delivery {
        Delivery::Mail { address, phone } => {
            ecard_documents::validate_address(address)
                .map_err(|error| invalid("delivery.address", error))?;
            ecard_documents::validate_phone(phone)
                .map_err(|error| invalid("delivery.phone", error))?;
        }
        Delivery::Pickup { outlet_id } if outlet_id.trim().is_empty() => {
            return Err(ClientError::InvalidChoice {
                field: "delivery.outlet_id".into(),
                reason: "choose an outlet".into(),
            });
        }
        Delivery::Pickup { .. } => {}
    }
    Ok(())
}

pub(crate) fn check_bank(bank: &str, rules: &RegionalRules) -> Result<(), ClientError> {
    if rules.banks.iter().any(|candidate| candidate.code == bank) {
        Ok(())
    } else {
        Err(ClientError::InvalidChoice {
            field: "bank".into(),
            reason: format!("{bank} is not a co-branded bank here"),
        })
    }
}

/// A cached answer older than this is shown as not fresh.
pub const FRESH_FOR_SECONDS: u64 = 24 * 3_600;

/// How fresh what the app shows is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct Freshness {
    /// When the platform last confirmed it (Unix seconds, platform time).
    pub fetched_at: u64,
    /// Seconds since then.
    pub age_seconds: u64,
    /// Older than [`FRESH_FOR_SECONDS`]: the app says "可能不是最新".
    pub stale: bool,
    /// Shown from this device because the platform could not be reached.
    pub offline: bool,
}

/// Whether `error` says this account may no longer see the person's data.
pub(crate) fn access_withdrawn(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Refused {
            code: ProblemCode::NoMandate | ProblemCode::Forbidden,
            ..
        }
    )
}

/// `path` with `person_id` and a page's `before` as its query, when given.
pub(crate) fn for_person_page(path: &str, person_id: Option<&str>, before: Option<u64>) -> String {
    let mut query = Vec::new();
    if let Some(person_id) = person_id {
        query.push(format!("person_id={}", paths::percent_encode(person_id)));
    }
    if let Some(before) = before {
        query.push(format!("before={before}"));
    }
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// `path` with `person_id` as its query, when given.
pub(crate) fn for_person(path: &str, person_id: Option<&str>) -> String {
    for_person_page(path, person_id, None)
}

/// Writes (or replaces) the cached platform answer about `kind` `id`.
/// The workflow cache (`workflow_cache` table) is this module's.
fn cache_row(
    tx: &rusqlite::Transaction<'_>,
    kind: &str,
    id: &str,
    sealed: &[u8],
    now: u64,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO workflow_cache (kind, id, sealed, fetched_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT(kind, id) DO UPDATE SET sealed = excluded.sealed, fetched_at = excluded.fetched_at",
        params![kind, id, sealed, now as i64],
    )?;
    Ok(())
}

/// The sealed cached answers of `kind`, newest first.
fn cached_rows(store: &Store, kind: &str) -> Result<Vec<Vec<u8>>, StorageError> {
    store.read(|connection| {
        let mut statement = connection.prepare(
            "SELECT sealed FROM workflow_cache WHERE kind = ?1 ORDER BY fetched_at DESC, id",
        )?;
        let rows = statement
            .query_map(params![kind], |row| row.get(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
}

impl EcardClient {
    /// `person_id`, or the account holder's when `None`.
    pub(crate) fn person_or_holder(&self, person_id: Option<&str>) -> Result<String, ClientError> {
        match person_id {
            Some(person_id) => Ok(person_id.to_owned()),
            None => Ok(self.session().ok_or(ClientError::NotEnrolled)?.person_id),
        }
    }

    pub(crate) fn freshness(&self, fetched_at: u64, offline: bool) -> Freshness {
        let age_seconds = self.trusted_now().saturating_sub(fetched_at);
        Freshness {
            fetched_at,
            age_seconds,
            stale: age_seconds > FRESH_FOR_SECONDS,
            offline,
        }
    }

    pub(crate) fn rules_required(&self) -> Result<RegionalRules, ClientError> {
        self.rules()?
            .ok_or_else(|| ClientError::NotFound("regional rules: sync the catalogue first".into()))
    }

    /// Keeps the platform's last answer about an application or a mandate
    /// (`kind`), for reading offline. Serialised straight to JSON bytes: a
    /// `serde_json::Value` on the way would compile a second serialiser
    /// for every cached type.
    pub(crate) async fn cache_workflow<T: serde::Serialize + ?Sized>(
        &self,
        kind: &str,
        id: &str,
        value: &T,
    ) -> Result<(), ClientError> {
        let json =
            serde_json::to_vec(value).map_err(|error| ClientError::Internal(error.to_string()))?;
        self.cache_workflow_json(kind, id, json).await
    }

    async fn cache_workflow_json(
        &self,
        kind: &str,
        id: &str,
        json: Vec<u8>,
    ) -> Result<(), ClientError> {
        let (kind, id, now) = (kind.to_owned(), id.to_owned(), self.trusted_now());
        blocking(&self.inner, move |inner| {
            let sealed = inner.cipher.seal("workflow_cache.sealed", &json)?;
            Ok(inner
                .store
                .write(|tx| cache_row(tx, &kind, &id, &sealed, now))?)
        })
        .await
    }

    /// The cached answer about `kind` `id` and when it was fetched, if it
    /// is kept and still reads.
    pub(crate) fn cached_workflow_entry<T: serde::de::DeserializeOwned>(
        &self,
        kind: &str,
        id: &str,
    ) -> Result<Option<(T, u64)>, ClientError> {
        let row: Option<(Vec<u8>, i64)> = self.inner.store.read(|connection| {
            Ok(connection
                .query_row(
                    "SELECT sealed, fetched_at FROM workflow_cache WHERE kind = ?1 AND id = ?2",
                    params![kind, id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?)
        })?;
        Ok(row.and_then(|(sealed, fetched_at)| {
            self.inner
                .cipher
                .open_json("workflow_cache.sealed", &sealed)
                .ok()
                .map(|value| (value, u64::try_from(fetched_at).unwrap_or(0)))
        }))
    }

    /// Marks the cached answer about `kind` `id` as confirmed by the
    /// platform now (its answer was `304 Not Modified`).
    pub(crate) async fn confirm_workflow(&self, kind: &str, id: &str) -> Result<(), ClientError> {
        let (kind, id, now) = (kind.to_owned(), id.to_owned(), self.trusted_now());
        blocking(&self.inner, move |inner| {
            Ok(inner.store.write(|tx| {
                tx.execute(
                    "UPDATE workflow_cache SET fetched_at = ?3 WHERE kind = ?1 AND id = ?2",
                    params![kind, id, now as i64],
                )?;
                Ok(())
            })?)
        })
        .await
    }

    /// Forgets the cached answer about `kind` `id`.
    pub(crate) async fn forget_workflow(&self, kind: &str, id: &str) -> Result<(), ClientError> {
        let (kind, id) = (kind.to_owned(), id.to_owned());
        blocking(&self.inner, move |inner| {
            Ok(inner.store.write(|tx| {
                tx.execute(
                    "DELETE FROM workflow_cache WHERE kind = ?1 AND id = ?2",
                    params![kind, id],
                )?;
                Ok(())
            })?)
        })
        .await
    }

    /// The cached answers of `kind`, newest first (for the export).
    pub(crate) fn cached_workflow_values<T: serde::de::DeserializeOwned>(
        &self,
        kind: &str,
    ) -> Result<Vec<T>, ClientError> {
        self.cached_workflows(kind)
    }

    /// The cached answers of `kind`, newest first; rows that no longer
    /// read are left out.
    pub(crate) fn cached_workflows<T: serde::de::DeserializeOwned>(
        &self,
        kind: &str,
    ) -> Result<Vec<T>, ClientError> {
        Ok(cached_rows(&self.inner.store, kind)?
            .iter()
            .filter_map(|sealed| {
                self.inner
                    .cipher
                    .open_json("workflow_cache.sealed", sealed)
                    .ok()
            })
            .collect())
    }

    /// Starts the background work of an app in the foreground: sends due
    /// submissions, fetches account notices, tells pension eligibility
    /// reminders whose day has come and revalidates a stale catalogue,
    /// every `period`. Drop the returned handle to stop it.
    pub fn start_background(&self, period: std::time::Duration) -> BackgroundTask {
        let client = self.clone();
        let handle =
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(period);
                loop {
                    ticker.tick().await;
                    client.process_outbox().await;
                    if client.session().is_some() {
                        // A new device, an unlinked one, a locked PIN: told
                        // as soon as this device reaches the platform.
                        let _ = client.check_notices().await;
                    }
                    // Reminders come from the cached statuses: on their day
                    // even without the network.
                    let _ = client.remind_eligibility().await;
                    let stale =
                        client.inner.catalogue.state().as_of.is_none_or(|as_of| {
                            client.trusted_now().saturating_sub(as_of) > 6 * 3_600
                        });
                    if stale {
                        let _ = client.sync_catalogue().await;
                    }
                }
            });
        BackgroundTask {
            handle: Some(handle),
        }
    }
}

/// A running background task; dropping it stops the task.
#[derive(Debug)]
pub struct BackgroundTask {
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for BackgroundTask {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.abort();
        }
    }
}

/// Whether an application needs a guardian (for display before a form is filled).
pub fn needs_guardian(age: u32, rules: &RegionalRules) -> bool {
    age < rules.adult_age
}

/// Convenience for UIs: the kind of an application in words.
pub fn kind_label(kind: ApplicationKind, locale: Locale) -> &'static str {
    match (kind, locale) {
        (ApplicationKind::NewCard, Locale::ZhCn) => "申领社保卡",
        (ApplicationKind::NewCard, Locale::En) => "New card",
        (ApplicationKind::Replacement(ReplacementKind::Plain), Locale::ZhCn) => "补换卡",
        (ApplicationKind::Replacement(ReplacementKind::Plain), Locale::En) => "Replacement",
        (ApplicationKind::Replacement(ReplacementKind::ChangeBank), Locale::ZhCn) => "变更银行换卡",
        (ApplicationKind::Replacement(ReplacementKind::ChangeBank), Locale::En) => {
            "Replacement with a new bank"
        }
        (ApplicationKind::Replacement(ReplacementKind::KeepNumber), Locale::ZhCn) => "保号换卡",
        (ApplicationKind::Replacement(ReplacementKind::KeepNumber), Locale::En) => {
            "Replacement keeping the number"
        }
    }
}

#[cfg(test)]
mod tests {
    use ecard_api::resident::StageEntry;

    use super::*;

    fn application(state: ApplicationState, fee_fen: u32) -> Application {
        Application {
            application_id: "application-1".into(),
            kind: ApplicationKind::NewCard,
            person_id: "person-1".into(),
            submitted_by: "account-1".into(),
            mandate_id: None,
            state,
            stages: vec![
                StageEntry {
                    state: ApplicationState::Submitted,
                    at: 100,
                },
                StageEntry { state, at: 200 },
            ],
            fee_fen,
            actions: vec![],
            replaces_card_id: None,
            card_id: None,
            failure_reason: Some("photo too dark".into()),
            created_at: 100,
            instant_issue: false,
        }
    }

    #[test]
    fn each_platform_state_is_one_step_of_the_flow() {
        let cases = [
            (ApplicationState::Submitted, 0, FlowStep::InProduction),
            (
                ApplicationState::Submitted,
                2_000,
                FlowStep::Pay { amount_fen: 2_000 },
            ),
            (ApplicationState::Paid, 0, FlowStep::InProduction),
            (ApplicationState::InProduction, 0, FlowStep::InProduction),
            (ApplicationState::Dispatched, 0, FlowStep::InTransit),
            (ApplicationState::AtOutlet, 0, FlowStep::CollectAtOutlet),
            (ApplicationState::Received, 0, FlowStep::Activate),
            (ApplicationState::Activated, 0, FlowStep::Done),
            (ApplicationState::Cancelled, 0, FlowStep::Cancelled),
            (
                ApplicationState::ProductionFailed,
                0,
                FlowStep::ResubmitPhoto {
                    reason: "photo too dark".into(),
                },
            ),
        ];
        for (state, fee, step) in cases {
            let flow = flow_of(application(state, fee), None, Locale::En);
            assert_eq!(flow.step, step, "{state:?}");
            assert!(!flow.cannot_cancel_once_submitted);
            assert_eq!(flow.progress.len(), 2);
            assert_eq!(flow.progress[0].label, "Submitted");
            assert_eq!(flow.progress[1].at, Some(200));
        }
        let flow = flow_of(
            application(ApplicationState::InProduction, 0),
            None,
            Locale::ZhCn,
        );
        assert_eq!(flow.progress[1].label, "制卡中");
    }

    #[test]
    fn the_background_task_sends_what_is_due_and_stops_when_dropped() {
        crate::test_platform::with_enrolled("resident", |platform, client| async move {
            platform
                .network
                .set_down(Some(crate::transport::faults::Fault::Unreachable));
            let queued = client
                .submit_application(crate::test_platform::new_card_form(None), None)
                .await
                .unwrap();
            assert_eq!(queued.state, OutboxState::Pending);
            platform.network.set_down(None);
            crate::outbox::retry_now(&client.inner.store, queued.outbox_id, client.trusted_now())
                .unwrap();
            let task = client.start_background(std::time::Duration::from_millis(20));
            let mut waited = 0;
            while client.snapshot().unwrap().outbox_pending > 0 && waited < 250 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                waited += 1;
            }
            assert_eq!(client.snapshot().unwrap().outbox_pending, 0);
            assert_eq!(client.outbox().unwrap()[0].state, OutboxState::Done);
            // Account notices were fetched too.
            assert!(
                !platform
                    .network
                    .seen(&http::Method::GET, ecard_api::paths::MY_NOTICES)
                    .is_empty()
            );
            drop(task);
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            let calls = platform
                .network
                .seen(&http::Method::GET, ecard_api::paths::MY_NOTICES)
                .len();
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            assert_eq!(
                platform
                    .network
                    .seen(&http::Method::GET, ecard_api::paths::MY_NOTICES)
                    .len(),
                calls
            );
        });
    }
}
