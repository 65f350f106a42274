//! The card workflows in the core: application (申领, also for minors and
//! newborns through a guardian), replacement (补换: plain, change of bank,
//! keep-number), loss reports (临时挂失 / 解挂 / 正式挂失), social-function
//! activation (社保功能启用), progress tracking, and mandates for acting on
//! someone's behalf.
//!
//! The platform owns the state; the core checks input locally first (plain
//! messages before anything is sent), sends every submission through the
//! durable outbox, and derives for each flow its current step, the input it
//! needs next and what the person can do now, from the platform's state and
//! the cached regional rules — never from per-region code branches.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ecard_api::identity::PinAction;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    Application, ApplicationAction, ApplicationKind, ApplicationState, AuditEntry, Card,
    CardStatus, Delegation, DelegationKind, DelegationRequest, Delivery, ECardState, Evidence,
    LossKind, LossReportRequest, NewCardRequest, PaymentRequest, PersonIdentity, PhotoRequest,
    Relationship, ReplacementKind, ReplacementRequest, Scope,
};
use ecard_api::rules::RegionalRules;
use ecard_credential::Locale;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::client::{EcardClient, blocking};
use crate::codes;
use crate::error::{ClientError, StorageError};
use crate::events::ClientEvent;
use crate::net::{ApiRequest, RetryPolicy};
use crate::outbox::{self, NewSubmission, OutboxEntry, OutboxState};

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

/// Reads a stored draft of either shape. `kind` is the row's `kind` column
/// (`new_card` or `replacement`), written beside every draft since the
/// first schema.
///
/// The current shape is [`DraftForm`]'s own. The first shape put the tag
/// `kind` inside the form; for a replacement that made a second `kind` key
/// (the replacement kind) in the same object, which serde refuses as a
/// duplicate field. Those drafts still read: as a JSON value the later key
/// wins — the form's own `kind`, since the tag was written first — and the
/// column says which form it is.
fn read_draft(kind: &str, json: serde_json::Value) -> Result<DraftForm, serde_json::Error> {
    if json.get("draft").is_some() {
        return serde_json::from_value(json);
    }
    match kind {
        "new_card" => serde_json::from_value(json).map(DraftForm::NewCard),
        "replacement" => serde_json::from_value(json).map(DraftForm::Replacement),
        other => Err(serde::de::Error::custom(format!(
            "unknown draft kind {other:?}"
        ))),
    }
}

/// What happened to a submission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// The outbox entry.
    pub outbox_id: i64,
    /// `Done` when the platform answered, `Pending` when queued (offline).
    pub state: OutboxState,
    /// The platform's answer, when done.
    pub response: Option<serde_json::Value>,
}

impl Submission {
    fn created(&self, field: &str) -> Option<String> {
        self.response
            .as_ref()?
            .get(field)?
            .as_str()
            .map(str::to_owned)
    }

    /// The application the submission created or acted on, once confirmed.
    pub fn application_id(&self) -> Option<String> {
        self.created("application_id")
    }

    /// The mandate the submission created or acted on, once confirmed.
    pub fn delegation_id(&self) -> Option<String> {
        self.created("delegation_id")
    }
}

/// The step a flow is at. Serialized with a snake_case `kind` tag, as the
/// HarmonyOS binding hands it to JavaScript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
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

fn flow_of(
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

fn invalid(field: &str, error: ecard_documents::DocumentError) -> ClientError {
    ClientError::InvalidInput {
        field: field.to_owned(),
        error,
    }
}

fn not_allowed(detail: &str) -> ClientError {
    ClientError::Refused {
        code: ProblemCode::NotAllowedByRules,
        detail: detail.to_owned(),
        field: None,
    }
}

fn check_delivery(delivery: &Delivery) -> Result<(), ClientError> {
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

fn check_bank(bank: &str, rules: &RegionalRules) -> Result<(), ClientError> {
    if rules.banks.iter().any(|candidate| candidate.code == bank) {
        Ok(())
    } else {
        Err(ClientError::InvalidChoice {
            field: "bank".into(),
            reason: format!("{bank} is not a co-branded bank here"),
        })
    }
}

impl EcardClient {
    fn rules_required(&self) -> Result<RegionalRules, ClientError> {
        self.rules()?
            .ok_or_else(|| ClientError::NotFound("regional rules: sync the catalogue first".into()))
    }

    /// Saves a form in progress (creating a draft when `draft_id` is `None`).
    /// Drafts survive restarts; they are sealed at rest.
    pub async fn save_draft(
        &self,
        draft_id: Option<String>,
        form: DraftForm,
    ) -> Result<String, ClientError> {
        let draft_id = match draft_id {
            Some(id) => id,
            None => format!("draft-{}", crate::net::new_idempotency_key()?),
        };
        let now = self.trusted_now();
        let id = draft_id.clone();
        blocking(&self.inner, move |inner| {
            let sealed = inner.cipher.seal_json("drafts.sealed", &form)?;
            let kind = match form {
                DraftForm::NewCard(_) => "new_card",
                DraftForm::Replacement(_) => "replacement",
            };
            Ok(inner.store.write(|tx| {
                tx.execute(
                    "INSERT INTO drafts (draft_id, kind, sealed, updated_at) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT(draft_id) DO UPDATE SET kind = excluded.kind, sealed = excluded.sealed, updated_at = excluded.updated_at",
                    params![id, kind, sealed, now as i64],
                )?;
                Ok(())
            })?)
        })
        .await?;
        Ok(draft_id)
    }

    /// Every draft, newest first.
    pub fn drafts(&self) -> Result<Vec<Draft>, ClientError> {
        let rows: Vec<(String, String, Vec<u8>, i64)> = self.inner.store.read(|connection| {
            let mut statement = connection.prepare("SELECT draft_id, kind, sealed, updated_at FROM drafts ORDER BY updated_at DESC, draft_id")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        rows.into_iter()
            .map(|(draft_id, kind, sealed, updated_at)| {
                let json: serde_json::Value =
                    self.inner.cipher.open_json("drafts.sealed", &sealed)?;
                Ok(Draft {
                    form: read_draft(&kind, json).map_err(|error| {
                        StorageError::Corrupt(format!("draft {draft_id}: {error}"))
                    })?,
                    draft_id,
                    updated_at: updated_at as u64,
                })
            })
            .collect()
    }

    /// Deletes a draft.
    pub async fn delete_draft(&self, draft_id: &str) -> Result<(), ClientError> {
        let id = draft_id.to_owned();
        blocking(&self.inner, move |inner| {
            Ok(inner.store.write(|tx| {
                tx.execute("DELETE FROM drafts WHERE draft_id = ?1", params![id])?;
                Ok(())
            })?)
        })
        .await
    }

    /// Queues a submission (consuming its draft in the same transaction)
    /// and tries to send it at once.
    async fn submit(
        &self,
        action: &str,
        path: String,
        body: serde_json::Value,
        subject: Option<String>,
        draft_id: Option<String>,
    ) -> Result<Submission, ClientError> {
        self.signed_network()?;
        let now = self.trusted_now();
        let action_owned = action.to_owned();
        let id = blocking(&self.inner, move |inner| {
            inner
                .store
                .write(|tx| {
                    outbox::enqueue(
                        tx,
                        &inner.cipher,
                        &NewSubmission {
                            action: &action_owned,
                            path: &path,
                            body,
                            subject: subject.as_deref(),
                            draft_id: draft_id.as_deref(),
                        },
                        now,
                    )
                    .map_err(|error| match error {
                        ClientError::Storage(error) => error,
                        other => StorageError::Corrupt(other.to_string()),
                    })
                })
                .map_err(ClientError::from)
        })
        .await?;
        tracing::info!(outbox = id, action, "submission queued");
        self.emit_outbox();
        self.process_outbox().await;
        let entry = outbox::entry(&self.inner.store, id)?
            .ok_or_else(|| ClientError::Internal("outbox entry vanished".into()))?;
        match entry.state {
            OutboxState::Done => Ok(Submission {
                outbox_id: id,
                state: OutboxState::Done,
                response: outbox::response(&self.inner.store, &self.inner.cipher, id)?,
            }),
            OutboxState::Pending => Ok(Submission {
                outbox_id: id,
                state: OutboxState::Pending,
                response: None,
            }),
            OutboxState::Failed => Err(self.failure(id)),
        }
    }

    /// The error of a refused submission: the one just met, or rebuilt from
    /// the stored code after a restart.
    fn failure(&self, id: i64) -> ClientError {
        if let Some(error) = self
            .inner
            .failures
            .lock()
            .ok()
            .and_then(|mut failures| failures.remove(&id))
        {
            return error;
        }
        let code = outbox::entry(&self.inner.store, id)
            .ok()
            .flatten()
            .and_then(|entry| entry.last_error)
            .and_then(|code| {
                serde_json::from_value::<ProblemCode>(serde_json::Value::String(code)).ok()
            })
            .unwrap_or(ProblemCode::Internal);
        ClientError::Refused {
            code,
            detail: String::new(),
            field: None,
        }
    }

    fn emit_outbox(&self) {
        if let Ok((pending, _)) = outbox::counts(&self.inner.store) {
            self.emit(ClientEvent::OutboxChanged { pending });
        }
    }

    /// Sends every due submission, oldest first, until one cannot get
    /// through. Returns how many were confirmed. Safe to call any time (a
    /// background task and the UI may both call it; sends never overlap).
    pub async fn process_outbox(&self) -> usize {
        let _sending = self.inner.sending.lock().await;
        let Ok(network) = self.signed_network() else {
            return 0;
        };
        let mut confirmed = 0;
        loop {
            let now = self.trusted_now();
            let Ok(Some((entry, request))) =
                outbox::next_due(&self.inner.store, &self.inner.cipher, now)
            else {
                break;
            };
            match self.call(&network, &request, RetryPolicy::ONCE).await {
                Ok(response) => {
                    let Ok(value) = outbox::complete(
                        &self.inner.store,
                        &self.inner.cipher,
                        entry.id,
                        &response,
                        self.trusted_now(),
                    ) else {
                        break;
                    };
                    confirmed += 1;
                    tracing::info!(outbox = entry.id, action = %entry.action, "submission confirmed");
                    self.after_confirmed(&entry, &value).await;
                }
                Err(error) if outbox::is_transient(&error) => {
                    let _ = outbox::postpone(&self.inner.store, &entry, &error, now);
                    tracing::info!(outbox = entry.id, error = %error.code(), "submission postponed");
                    break;
                }
                Err(error) => {
                    tracing::warn!(outbox = entry.id, error = %error.code(), "submission refused");
                    let _ = outbox::fail(&self.inner.store, entry.id, &error);
                    self.after_refused(&entry).await;
                    if let Ok(mut failures) = self.inner.failures.lock() {
                        failures.insert(entry.id, error);
                    }
                }
            }
        }
        self.emit_outbox();
        confirmed
    }

    async fn after_confirmed(&self, entry: &OutboxEntry, value: &serde_json::Value) {
        if let Some(id) = value
            .get("application_id")
            .or_else(|| value.get("delegation_id"))
            .or_else(|| value.get("card_id"))
            .and_then(|id| id.as_str())
        {
            let kind = if value.get("application_id").is_some() {
                Some("application")
            } else if value.get("delegation_id").is_some() {
                Some("mandate")
            } else {
                None
            };
            if let Some(kind) = kind {
                let _ = self.cache_workflow(kind, id, value).await;
            }
            self.emit(ClientEvent::WorkflowChanged { id: id.to_owned() });
        }
        if entry.action.starts_with("card.") || entry.action.starts_with("mandate.") {
            let _ = self.refresh_profile().await;
            if entry.action == "card.release"
                || entry.action == "card.activate"
                || entry.action.starts_with("mandate.")
            {
                let _ = self.refresh_all_credentials().await;
            }
        }
    }

    async fn after_refused(&self, entry: &OutboxEntry) {
        // A loss report the platform refused leaves the card as the platform
        // says; re-read it rather than keep a local suspension.
        if entry.action.starts_with("card.loss") {
            let _ = self.refresh_profile().await;
        }
    }

    /// Every outbox entry, newest first (the "sending" list of the UI).
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, ClientError> {
        Ok(outbox::entries(&self.inner.store)?)
    }

    /// Makes a postponed or refused submission due now and sends it.
    pub async fn retry_submission(&self, outbox_id: i64) -> Result<Submission, ClientError> {
        outbox::retry_now(&self.inner.store, outbox_id, self.trusted_now())?;
        self.process_outbox().await;
        let entry = outbox::entry(&self.inner.store, outbox_id)?
            .ok_or_else(|| ClientError::NotFound("submission".into()))?;
        match entry.state {
            OutboxState::Failed => Err(self.failure(outbox_id)),
            state => Ok(Submission {
                outbox_id,
                state,
                response: outbox::response(&self.inner.store, &self.inner.cipher, outbox_id)?,
            }),
        }
    }

    async fn cache_workflow(
        &self,
        kind: &str,
        id: &str,
        value: &serde_json::Value,
    ) -> Result<(), ClientError> {
        let (kind, id, value, now) = (
            kind.to_owned(),
            id.to_owned(),
            value.clone(),
            self.trusted_now(),
        );
        blocking(&self.inner, move |inner| {
            let sealed = inner.cipher.seal_json("workflow_cache.sealed", &value)?;
            Ok(inner.store.write(|tx| {
                tx.execute(
                    "INSERT INTO workflow_cache (kind, id, sealed, fetched_at) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT(kind, id) DO UPDATE SET sealed = excluded.sealed, fetched_at = excluded.fetched_at",
                    params![kind, id, sealed, now as i64],
                )?;
                Ok(())
            })?)
        })
        .await
    }

    pub(crate) fn cached_workflow_values<T: serde::de::DeserializeOwned>(
        &self,
        kind: &str,
    ) -> Result<Vec<T>, ClientError> {
        self.cached_workflows(kind)
    }

    fn cached_workflows<T: serde::de::DeserializeOwned>(
        &self,
        kind: &str,
    ) -> Result<Vec<T>, ClientError> {
        let rows: Vec<Vec<u8>> = self.inner.store.read(|connection| {
            let mut statement = connection.prepare(
                "SELECT sealed FROM workflow_cache WHERE kind = ?1 ORDER BY fetched_at DESC, id",
            )?;
            let rows = statement
                .query_map(params![kind], |row| row.get(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        Ok(rows
            .iter()
            .filter_map(|sealed| {
                self.inner
                    .cipher
                    .open_json("workflow_cache.sealed", sealed)
                    .ok()
            })
            .collect())
    }

    fn person_for(&self, person_id: Option<String>) -> Result<String, ClientError> {
        match person_id {
            Some(person_id) => Ok(person_id),
            None => Ok(self.session().ok_or(ClientError::NotEnrolled)?.person_id),
        }
    }

    /// Applies for a first card (申领). Checked locally against the cached
    /// rules first; then sent through the outbox.
    pub async fn submit_application(
        &self,
        form: NewCardForm,
        draft_id: Option<String>,
    ) -> Result<Submission, ClientError> {
        let session = self.session().ok_or(ClientError::NotEnrolled)?;
        let rules = self.rules_required()?;
        let person_id = self.person_for(form.person_id.clone())?;
        if person_id == session.person_id {
            let today =
                ecard_documents::Date::from_unix_seconds(self.trusted_now() as i64, 8 * 3_600)
                    .ok_or_else(|| ClientError::Internal("clock out of range".into()))?;
            let minor = ecard_documents::DocumentType::from_name(&session.identity.id_type)
                .and_then(|kind| {
                    ecard_documents::validate(kind, &session.identity.id_number, today).ok()
                })
                .and_then(|document| document.age())
                .is_some_and(|age| age < rules.adult_age);
            if minor {
                return Err(not_allowed("a minor applies through a guardian"));
            }
        }
        ecard_documents::validate_photo(&form.photo_jpeg, &(&rules.photo).into())
            .map_err(|error| invalid("photo", error))?;
        ecard_documents::validate_phone(&form.phone).map_err(|error| invalid("phone", error))?;
        check_bank(&form.bank, &rules)?;
        check_delivery(&form.delivery)?;
        let body = NewCardRequest {
            person_id: person_id.clone(),
            photo_jpeg: STANDARD.encode(&form.photo_jpeg),
            bank: form.bank,
            phone: form.phone,
            delivery: form.delivery,
        };
        let body =
            serde_json::to_value(body).map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "application.submit",
            "/v1/applications".into(),
            body,
            Some(person_id),
            draft_id,
        )
        .await
    }

    /// Replaces a card (补换): plain, change of bank (the old bank account
    /// must be closed at the old bank first), or keep-number (保号换卡).
    pub async fn submit_replacement(
        &self,
        form: ReplacementForm,
        draft_id: Option<String>,
    ) -> Result<Submission, ClientError> {
        let rules = self.rules_required()?;
        if let Some(photo) = &form.photo_jpeg {
            ecard_documents::validate_photo(photo, &(&rules.photo).into())
                .map_err(|error| invalid("photo", error))?;
        }
        match (&form.kind, &form.bank) {
            (ReplacementKind::ChangeBank, None) => {
                return Err(ClientError::InvalidChoice {
                    field: "bank".into(),
                    reason: "choose the new bank".into(),
                });
            }
            (ReplacementKind::ChangeBank, Some(bank)) => check_bank(bank, &rules)?,
            _ => {}
        }
        check_delivery(&form.delivery)?;
        let body = ReplacementRequest {
            card_id: form.card_id.clone(),
            kind: form.kind,
            bank: form.bank,
            photo_jpeg: form.photo_jpeg.map(|photo| STANDARD.encode(photo)),
            delivery: form.delivery,
        };
        let body =
            serde_json::to_value(body).map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "replacement.submit",
            "/v1/replacements".into(),
            body,
            Some(form.card_id),
            draft_id,
        )
        .await
    }

    /// Pays the fees of an application.
    pub async fn pay(
        &self,
        application_id: &str,
        amount_fen: u32,
    ) -> Result<Submission, ClientError> {
        let body = serde_json::to_value(PaymentRequest { amount_fen })
            .map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "application.pay",
            format!("/v1/applications/{application_id}/payment"),
            body,
            Some(application_id.into()),
            None,
        )
        .await
    }

    /// Cancels an application where the rules allow it.
    pub async fn cancel_application(
        &self,
        application_id: &str,
    ) -> Result<Submission, ClientError> {
        if self.rules_required()?.cancel_after_submit {
            self.submit(
                "application.cancel",
                format!("/v1/applications/{application_id}/cancel"),
                serde_json::json!({}),
                Some(application_id.into()),
                None,
            )
            .await
        } else {
            Err(not_allowed(
                "in this region an application cannot be cancelled once submitted",
            ))
        }
    }

    /// Confirms the card was received (posted, or collected at the outlet).
    pub async fn confirm_receipt(&self, application_id: &str) -> Result<Submission, ClientError> {
        self.submit(
            "application.receipt",
            format!("/v1/applications/{application_id}/receipt"),
            serde_json::json!({}),
            Some(application_id.into()),
            None,
        )
        .await
    }

    /// Sends a new photo after a failed production.
    pub async fn resubmit_photo(
        &self,
        application_id: &str,
        photo_jpeg: Vec<u8>,
    ) -> Result<Submission, ClientError> {
        let rules = self.rules_required()?;
        ecard_documents::validate_photo(&photo_jpeg, &(&rules.photo).into())
            .map_err(|error| invalid("photo", error))?;
        let body = serde_json::to_value(PhotoRequest {
            photo_jpeg: STANDARD.encode(photo_jpeg),
        })
        .map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "application.photo",
            format!("/v1/applications/{application_id}/photo"),
            body,
            Some(application_id.into()),
            None,
        )
        .await
    }

    /// Enables the social-security function of a received card (社保功能启用).
    pub async fn activate_card(&self, card_id: &str) -> Result<Submission, ClientError> {
        self.submit(
            "card.activate",
            format!("/v1/cards/{card_id}/activation"),
            serde_json::json!({}),
            Some(card_id.into()),
            None,
        )
        .await
    }

    /// Reports a card lost. Where the rules say the e-card stops too (always
    /// for a formal report), codes stop on this device at once, before the
    /// platform has even heard of it; other devices stop when they next see
    /// the platform (profile or status list).
    pub async fn report_loss(
        &self,
        card_id: &str,
        kind: LossKind,
    ) -> Result<Submission, ClientError> {
        let rules = self.rules_required()?;
        if kind == LossKind::Formal
            || rules.e_card_timing.during_temporary_loss == ECardState::Suspended
        {
            let card = card_id.to_owned();
            let now = self.trusted_now();
            blocking(&self.inner, move |inner| {
                Ok(inner
                    .store
                    .write(|tx| codes::suspend(tx, &card, "loss_report", now))?)
            })
            .await?;
            self.emit(ClientEvent::CardSuspended {
                card_id: card_id.to_owned(),
            });
        }
        let body = serde_json::to_value(LossReportRequest { kind })
            .map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "card.loss_report",
            format!("/v1/cards/{card_id}/loss-reports"),
            body,
            Some(card_id.into()),
            None,
        )
        .await
    }

    /// Releases a loss report online (解挂), where the rules allow it; else
    /// the person goes to a counter. Needs the e-card PIN, checked online
    /// first; the submission carries a single-use grant, never the PIN.
    pub async fn release_loss(&self, card_id: &str, pin: &str) -> Result<Submission, ClientError> {
        if !self.rules_required()?.release_online {
            return Err(not_allowed(
                "in this region a loss report is released at a counter",
            ));
        }
        let pin_grant = self.pin_grant(pin, PinAction::ReleaseLoss).await?;
        self.submit(
            "card.release",
            format!("/v1/cards/{card_id}/loss-reports/release"),
            serde_json::json!({ "pin_grant": pin_grant }),
            Some(card_id.into()),
            None,
        )
        .await
    }

    /// Asks for a mandate to act for someone: a guardian for a minor or
    /// newborn (with the household register or birth certificate), or a
    /// family proxy for a relative (who then consents, on their phone, at a
    /// counter, or by a face check on this phone), declaring how they are
    /// related. Acting for someone needs this account's e-card PIN.
    #[allow(
        clippy::too_many_arguments,
        reason = "the fields of one mandate request"
    )]
    pub async fn request_mandate(
        &self,
        kind: DelegationKind,
        principal: PersonIdentity,
        evidence: Option<Evidence>,
        scopes: Vec<Scope>,
        expires_at: Option<u64>,
        relationship: Option<Relationship>,
        pin: &str,
    ) -> Result<Submission, ClientError> {
        let rules = self.rules_required()?;
        let document_type = ecard_documents::DocumentType::from_name(&principal.id_type)
            .ok_or_else(|| ClientError::InvalidChoice {
                field: "principal.id_type".into(),
                reason: "unknown document type".into(),
            })?;
        let today = ecard_documents::Date::from_unix_seconds(self.trusted_now() as i64, 8 * 3_600)
            .ok_or_else(|| ClientError::Internal("clock out of range".into()))?;
        let document = ecard_documents::validate(document_type, &principal.id_number, today)
            .map_err(|error| invalid("principal.id_number", error))?;
        if scopes.is_empty() {
            return Err(ClientError::InvalidChoice {
                field: "scopes".into(),
                reason: "choose what the mandate allows".into(),
            });
        }
        match kind {
            DelegationKind::Guardian => {
                if evidence.is_none() {
                    return Err(ClientError::InvalidChoice {
                        field: "evidence".into(),
                        reason: "the household register or birth certificate".into(),
                    });
                }
                if document.age().is_some_and(|age| age >= rules.adult_age) {
                    return Err(not_allowed("guardianship ends at 18"));
                }
            }
            DelegationKind::FamilyProxy => {
                if relationship.is_none() {
                    return Err(ClientError::InvalidChoice {
                        field: "relationship".into(),
                        reason: "say how you are related".into(),
                    });
                }
                let active = self.mandates_cached()?.into_iter().filter(|mandate| {
                    mandate.kind == DelegationKind::FamilyProxy
                        && matches!(
                            mandate.status,
                            ecard_api::resident::DelegationStatus::Active
                                | ecard_api::resident::DelegationStatus::PendingConsent
                        )
                });
                if active.count() >= rules.relative_quota as usize {
                    return Err(ClientError::Refused {
                        code: ProblemCode::QuotaExceeded,
                        detail: format!("at most {} relatives", rules.relative_quota),
                        field: None,
                    });
                }
            }
        }
        let principal = PersonIdentity {
            id_number: document.number().to_owned(),
            ..principal
        };
        let pin_grant = self.pin_grant(pin, PinAction::AcceptMandate).await?;
        let body = DelegationRequest {
            kind,
            principal,
            evidence,
            scopes,
            expires_at,
            relationship,
            pin_grant: Some(pin_grant),
        };
        let body =
            serde_json::to_value(body).map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "mandate.request",
            "/v1/delegations".into(),
            body,
            None,
            None,
        )
        .await
    }

    /// Consents, as the principal, to a mandate someone asked for
    /// (authorising someone to act needs the e-card PIN).
    pub async fn consent_mandate(
        &self,
        delegation_id: &str,
        pin: &str,
    ) -> Result<Submission, ClientError> {
        let pin_grant = self.pin_grant(pin, PinAction::ConsentMandate).await?;
        self.submit(
            "mandate.consent",
            format!("/v1/delegations/{delegation_id}/consent"),
            serde_json::json!({ "pin_grant": pin_grant }),
            Some(delegation_id.into()),
            None,
        )
        .await
    }

    /// Ends a mandate (either side); codes shown under it stop at once.
    pub async fn revoke_mandate(&self, delegation_id: &str) -> Result<Submission, ClientError> {
        self.submit(
            "mandate.revoke",
            format!("/v1/delegations/{delegation_id}/revoke"),
            serde_json::json!({}),
            Some(delegation_id.into()),
            None,
        )
        .await
    }

    /// The applications of the account and of people it tracks, as flows;
    /// fetched when online, from the cache when not.
    pub async fn applications(&self) -> Result<Vec<ApplicationFlow>, ClientError> {
        let network = self.signed_network()?;
        let applications: Vec<Application> = match self
            .call(
                &network,
                &ApiRequest::get("/v1/applications").signed(),
                RetryPolicy::INTERACTIVE,
            )
            .await
        {
            Ok(response) => {
                let applications: Vec<Application> = response.json()?;
                for application in &applications {
                    let value = serde_json::to_value(application)
                        .map_err(|error| ClientError::Internal(error.to_string()))?;
                    self.cache_workflow("application", &application.application_id, &value)
                        .await?;
                }
                applications
            }
            Err(ClientError::Offline(_) | ClientError::Timeout) => {
                self.cached_workflows("application")?
            }
            Err(error) => return Err(error),
        };
        let rules = self.rules()?;
        let locale = self.locale();
        Ok(applications
            .into_iter()
            .map(|application| flow_of(application, rules.as_ref(), locale))
            .collect())
    }

    /// One application as a flow (fetched, or cached when offline).
    pub async fn application(&self, application_id: &str) -> Result<ApplicationFlow, ClientError> {
        let network = self.signed_network()?;
        let request = ApiRequest::get(format!("/v1/applications/{application_id}")).signed();
        let application: Application = match self
            .call(&network, &request, RetryPolicy::INTERACTIVE)
            .await
        {
            Ok(response) => {
                let application: Application = response.json()?;
                let value = serde_json::to_value(&application)
                    .map_err(|error| ClientError::Internal(error.to_string()))?;
                self.cache_workflow("application", application_id, &value)
                    .await?;
                application
            }
            Err(ClientError::Offline(_) | ClientError::Timeout) => self
                .cached_workflows::<Application>("application")?
                .into_iter()
                .find(|application| application.application_id == application_id)
                .ok_or_else(|| ClientError::NotFound("application".into()))?,
            Err(error) => return Err(error),
        };
        Ok(flow_of(application, self.rules()?.as_ref(), self.locale()))
    }

    /// The loss-report situation of a card, from the cached profile and rules.
    pub fn loss_flow(&self, card_id: &str) -> Result<LossFlow, ClientError> {
        let profile = self.cached_profile()?.ok_or(ClientError::NotEnrolled)?;
        let card = profile
            .person
            .cards
            .iter()
            .chain(
                profile
                    .principals
                    .iter()
                    .flat_map(|person| person.cards.iter()),
            )
            .find(|card| card.card_id == card_id)
            .cloned()
            .ok_or_else(|| ClientError::NotFound("card".into()))?;
        let rules = self.rules_required()?;
        Ok(LossFlow {
            can_report_temporary: card.status == CardStatus::Active,
            can_report_formal: matches!(
                card.status,
                CardStatus::Active | CardStatus::TemporarilyLost
            ),
            can_release_online: rules.release_online
                && (card.status == CardStatus::TemporarilyLost
                    || (card.status == CardStatus::FormallyLost && rules.formal_loss_reversible)),
            e_card_works_while_temporarily_lost: rules.e_card_timing.during_temporary_loss
                == ECardState::Active,
            lapses_at: card
                .loss_report
                .as_ref()
                .and_then(|report| report.lapses_at),
            replacement_needed: card.status == CardStatus::FormallyLost
                && !rules.formal_loss_reversible,
            card,
        })
    }

    /// Mandates the account holds or is the principal of.
    pub async fn mandates(&self) -> Result<Vec<Delegation>, ClientError> {
        let network = self.signed_network()?;
        match self
            .call(
                &network,
                &ApiRequest::get("/v1/delegations").signed(),
                RetryPolicy::INTERACTIVE,
            )
            .await
        {
            Ok(response) => {
                let mandates: Vec<Delegation> = response.json()?;
                for mandate in &mandates {
                    let value = serde_json::to_value(mandate)
                        .map_err(|error| ClientError::Internal(error.to_string()))?;
                    self.cache_workflow("mandate", &mandate.delegation_id, &value)
                        .await?;
                }
                Ok(mandates)
            }
            Err(ClientError::Offline(_) | ClientError::Timeout) => self.mandates_cached(),
            Err(error) => Err(error),
        }
    }

    fn mandates_cached(&self) -> Result<Vec<Delegation>, ClientError> {
        self.cached_workflows("mandate")
    }

    /// Who did what for whom under which mandate (the platform's audit).
    pub async fn audit_trail(&self) -> Result<Vec<AuditEntry>, ClientError> {
        let network = self.signed_network()?;
        self.call(
            &network,
            &ApiRequest::get("/v1/audit").signed(),
            RetryPolicy::INTERACTIVE,
        )
        .await?
        .json()
    }

    /// The application a submission created, once confirmed.
    pub fn submitted_application_id(&self, submission: &Submission) -> Option<String> {
        submission
            .response
            .as_ref()?
            .get("application_id")?
            .as_str()
            .map(str::to_owned)
    }

    /// Starts the background work of an app in the foreground: sends due
    /// submissions, fetches account notices and revalidates a stale
    /// catalogue, every `period`. Drop the returned handle to stop it.
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
    use std::sync::Arc;

    use super::*;
    use crate::client::ClientConfig;
    use crate::keystore::FileKeyStore;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    async fn client(data: &std::path::Path) -> EcardClient {
        let keys = Arc::new(FileKeyStore::open(data.join("keys")).unwrap());
        // Drafts need no platform: nothing listens on port 9.
        EcardClient::open(ClientConfig::new(data, "http://127.0.0.1:9"), keys)
            .await
            .unwrap()
    }

    fn new_card() -> NewCardForm {
        NewCardForm {
            person_id: None,
            photo_jpeg: vec![0xff, 0xd8, 0xff, 0xd9],
            bank: "icbc".into(),
            phone: "13800138000".into(),
            delivery: Delivery::Pickup {
                outlet_id: "outlet-1".into(),
            },
        }
    }

    fn replacement(kind: ReplacementKind) -> ReplacementForm {
        ReplacementForm {
            card_id: "card-1".into(),
            kind,
            bank: (kind == ReplacementKind::ChangeBank).then(|| "ccb".into()),
            photo_jpeg: None,
            delivery: Delivery::Mail {
                address: "江西省南昌市东湖区八一大道1号".into(),
                phone: "13800138000".into(),
            },
        }
    }

    /// One form of every kind: a first card and each kind of replacement.
    fn every_kind() -> Vec<DraftForm> {
        vec![
            DraftForm::NewCard(new_card()),
            DraftForm::Replacement(replacement(ReplacementKind::Plain)),
            DraftForm::Replacement(replacement(ReplacementKind::ChangeBank)),
            DraftForm::Replacement(replacement(ReplacementKind::KeepNumber)),
        ]
    }

    fn sorted(mut forms: Vec<DraftForm>) -> Vec<DraftForm> {
        forms.sort_by_key(|form| format!("{form:?}"));
        forms
    }

    #[test]
    fn one_draft_of_every_kind_saves_and_lists() {
        let data = tempfile::tempdir().unwrap();
        let runtime = runtime();
        let saved = runtime.block_on(async {
            let client = client(data.path()).await;
            let mut ids = Vec::new();
            for form in every_kind() {
                ids.push(client.save_draft(None, form).await.unwrap());
            }
            let listed = client.drafts().unwrap();
            assert_eq!(
                sorted(listed.iter().map(|draft| draft.form.clone()).collect()),
                sorted(every_kind())
            );
            // The export carries each draft with its kind and its own fields.
            let export = client.export_personal_data().unwrap();
            let mut kinds: Vec<&str> = export
                .drafts
                .iter()
                .filter_map(|draft| draft.form["draft"].as_str())
                .collect();
            kinds.sort_unstable();
            assert_eq!(
                kinds,
                ["new_card", "replacement", "replacement", "replacement"]
            );
            let mut replacement_kinds: Vec<&str> = export
                .drafts
                .iter()
                .filter_map(|draft| draft.form["form"]["kind"].as_str())
                .collect();
            replacement_kinds.sort_unstable();
            assert_eq!(replacement_kinds, ["change_bank", "keep_number", "plain"]);
            // Saving again under the same id replaces, never duplicates.
            let changed = DraftForm::Replacement(replacement(ReplacementKind::KeepNumber));
            client
                .save_draft(Some(ids[0].clone()), changed.clone())
                .await
                .unwrap();
            let mut expected = every_kind();
            expected[0] = changed;
            assert_eq!(
                sorted(
                    client
                        .drafts()
                        .unwrap()
                        .into_iter()
                        .map(|draft| draft.form)
                        .collect()
                ),
                sorted(expected)
            );
            client.delete_draft(&ids[0]).await.unwrap();
            client.drafts().unwrap()
        });
        // And after a restart.
        let reopened = runtime.block_on(async { client(data.path()).await.drafts().unwrap() });
        assert_eq!(reopened, saved);
        assert_eq!(
            sorted(reopened.into_iter().map(|draft| draft.form).collect()),
            sorted(every_kind()[1..].to_vec())
        );
    }

    /// The shape drafts were stored in before: the tag inside the form.
    #[derive(Serialize, Deserialize)]
    #[serde(tag = "kind", rename_all = "snake_case")]
    enum FirstShape {
        NewCard(NewCardForm),
        Replacement(ReplacementForm),
    }

    #[test]
    fn drafts_stored_in_the_first_shape_still_read() {
        let data = tempfile::tempdir().unwrap();
        runtime().block_on(async {
            let client = client(data.path()).await;
            let old = [
                ("d-new", "new_card", FirstShape::NewCard(new_card())),
                (
                    "d-plain",
                    "replacement",
                    FirstShape::Replacement(replacement(ReplacementKind::Plain)),
                ),
                (
                    "d-bank",
                    "replacement",
                    FirstShape::Replacement(replacement(ReplacementKind::ChangeBank)),
                ),
                (
                    "d-keep",
                    "replacement",
                    FirstShape::Replacement(replacement(ReplacementKind::KeepNumber)),
                ),
            ];
            for (id, kind, form) in &old {
                let json = serde_json::to_vec(form).unwrap();
                if *kind == "replacement" {
                    // The bug: the old shape could not read its own replacements.
                    let error = serde_json::from_slice::<FirstShape>(&json).err().unwrap();
                    assert!(error.to_string().contains("duplicate field `kind`"), "{error}");
                }
                let sealed = client.inner.cipher.seal_json("drafts.sealed", form).unwrap();
                client
                    .inner
                    .store
                    .write(|tx| {
                        tx.execute(
                            "INSERT INTO drafts (draft_id, kind, sealed, updated_at) VALUES (?1, ?2, ?3, 0)",
                            params![id, kind, sealed],
                        )?;
                        Ok(())
                    })
                    .unwrap();
            }
            let listed = client.drafts().unwrap();
            let by_id = |id: &str| {
                listed
                    .iter()
                    .find(|draft| draft.draft_id == id)
                    .map(|draft| draft.form.clone())
                    .unwrap()
            };
            assert_eq!(by_id("d-new"), DraftForm::NewCard(new_card()));
            for (id, kind) in [
                ("d-plain", ReplacementKind::Plain),
                ("d-bank", ReplacementKind::ChangeBank),
                ("d-keep", ReplacementKind::KeepNumber),
            ] {
                assert_eq!(by_id(id), DraftForm::Replacement(replacement(kind)), "{id}");
            }
            // Saved again, a draft takes the current shape.
            client
                .save_draft(Some("d-plain".into()), by_id("d-plain"))
                .await
                .unwrap();
            assert_eq!(client.drafts().unwrap().len(), 4);
        });
    }
}
