//! [`EcardClient`]: the object every app holds, a thin wrapper over the
//! core's client.
//!
//! Every method passes straight through to `ecard_core::EcardClient`; the
//! only work done here is converting values and errors at the edge, and
//! running async calls on the library runtime (see [`crate::runtime`]).
//!
//! Threading contract, as the apps see it:
//! - `suspend` / `async` methods may do network, storage and key-store I/O.
//!   They run on the library runtime; call them from any thread or
//!   coroutine. Cancelling the caller drops the call and aborts its work;
//!   a submission already written to the outbox stays there and is sent
//!   later (never twice).
//! - Plain methods do no network or key-store I/O and return in well under
//!   a millisecond: safe on the main thread.
//! - The object may be shared across threads; calls may overlap.
//! - `close()` (Kotlin) or dropping the last reference (Swift) frees it;
//!   calls already running finish first.

use std::future::Future;
use std::sync::{Arc, Mutex};

use ecard_api::resident::{
    AuditEntry, Delegation, DelegationKind, Evidence, LossKind, PersonIdentity, Profile, Scope,
};
use ecard_api::rules::RegionalRules;
use ecard_core::{
    ApplicationFlow, ClientError, Draft, DraftForm, LossFlow, NewCardForm, OutboxEntry,
    ReplacementForm, SecureKeyStore,
};
use ecard_credential::Purpose;

use crate::error::EcardError;
use crate::events::{EventListener, EventSubscription};
use crate::keystore::{ForeignKeyStore, PlatformKeyStore};
use crate::runtime::{Live, LiveToken, guard, run, runtime_or_error};
use crate::types::{
    ClientConfig, CodeView, Language, OutletHit, OutletQuery, SearchHit, SearchQuery, Session,
    Snapshot, Submission, SyncReport,
};

/// The client core: one per signed-in app, opened on a data directory.
#[derive(uniffi::Object)]
pub struct EcardClient {
    core: ecard_core::EcardClient,
    language: Language,
    _live: LiveToken,
}

impl std::fmt::Debug for EcardClient {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("EcardClient")
            .field("core", &self.core)
            .finish_non_exhaustive()
    }
}

impl EcardClient {
    /// Runs an async core call on the library runtime, flattening its error.
    async fn call<T, F, Fut>(&self, work: F) -> Result<T, EcardError>
    where
        T: Send + 'static,
        F: FnOnce(ecard_core::EcardClient) -> Fut,
        Fut: Future<Output = Result<T, ClientError>> + Send + 'static,
    {
        let language = self.language;
        let future = work(self.core.clone());
        run(language, async move {
            future
                .await
                .map_err(|error| EcardError::from_client(&error, language))
        })
        .await
    }

    /// Runs a sync core call, flattening its error and catching panics.
    fn now<T>(
        &self,
        work: impl FnOnce(&ecard_core::EcardClient) -> Result<T, ClientError>,
    ) -> Result<T, EcardError> {
        let language = self.language;
        guard(language, || {
            work(&self.core).map_err(|error| EcardError::from_client(&error, language))
        })
    }
}

#[uniffi::export]
impl EcardClient {
    /// Opens the client: storage (recovering a damaged file), the data key
    /// (wrapped by `key_store`), the session and the catalogue cache. No
    /// network I/O.
    #[uniffi::constructor]
    pub async fn open(
        config: ClientConfig,
        key_store: Arc<dyn PlatformKeyStore>,
    ) -> Result<Arc<EcardClient>, EcardError> {
        let language = config.language;
        let core = run(language, async move {
            let store: Arc<dyn SecureKeyStore> = Arc::new(ForeignKeyStore::new(key_store));
            ecard_core::EcardClient::open(config.into(), store)
                .await
                .map_err(|error| EcardError::from_client(&error, language))
        })
        .await?;
        Ok(Arc::new(EcardClient {
            core,
            language,
            _live: LiveToken::new(Live::Client),
        }))
    }

    /// The language of messages and labels.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The platform's time as this device estimates it (Unix seconds): count
    /// a code's seconds left against this, not the phone's clock. No I/O.
    pub fn trusted_now(&self) -> u64 {
        self.core.trusted_now()
    }

    /// The session, if enrolled (identity masked). No I/O.
    pub fn session(&self) -> Option<Session> {
        self.core.session().map(Session::from)
    }

    /// The account holder's full document number, for the "show number"
    /// toggle (小眼睛) tapped on purpose; hide it again after a few seconds
    /// and never log it. No I/O.
    pub fn reveal_id_number(&self) -> Result<String, EcardError> {
        self.now(ecard_core::EcardClient::reveal_id_number)
    }

    /// What the UI renders. No network or key-store I/O.
    pub fn snapshot(&self) -> Result<Snapshot, EcardError> {
        self.now(|client| client.snapshot().map(Snapshot::from))
    }

    /// Enrols this device for a resident: checks the document and phone
    /// locally (an `InvalidInput` names the field), makes the device key,
    /// registers it (real-name check) and fetches profile and credentials.
    pub async fn enrol(
        &self,
        identity: PersonIdentity,
        phone: String,
    ) -> Result<Session, EcardError> {
        self.call(|client| async move { client.enrol(identity, phone).await.map(Session::from) })
            .await
    }

    /// Fetches the profile (cards, people acted for) from the platform.
    pub async fn refresh_profile(&self) -> Result<Profile, EcardError> {
        self.call(|client| async move { client.refresh_profile().await })
            .await
    }

    /// The last profile fetched, from storage. No network I/O.
    pub fn cached_profile(&self) -> Result<Option<Profile>, EcardError> {
        self.now(ecard_core::EcardClient::cached_profile)
    }

    /// Fetches new credentials for one card.
    pub async fn refresh_credentials(&self, card_id: String) -> Result<(), EcardError> {
        self.call(|client| async move { client.refresh_credentials(&card_id).await })
            .await
    }

    /// Fetches credentials for every usable card in the profile.
    pub async fn refresh_all_credentials(&self) -> Result<(), EcardError> {
        self.call(|client| async move { client.refresh_all_credentials().await })
            .await
    }

    /// Syncs the catalogue, outlets and rules (one conditional request).
    pub async fn sync_catalogue(&self) -> Result<SyncReport, EcardError> {
        self.call(|client| async move { client.sync_catalogue().await.map(SyncReport::from) })
            .await
    }

    /// Searches the cached catalogue in characters or pinyin. No I/O.
    pub fn search(&self, query: SearchQuery) -> Result<Vec<SearchHit>, EcardError> {
        self.now(|client| {
            Ok(client
                .search(&query.into())
                .into_iter()
                .map(SearchHit::from)
                .collect())
        })
    }

    /// The nearest cached outlets. No I/O.
    pub fn nearest_outlets(&self, query: OutletQuery) -> Result<Vec<OutletHit>, EcardError> {
        self.now(|client| {
            Ok(client
                .nearest_outlets(&query.into())
                .into_iter()
                .map(OutletHit::from)
                .collect())
        })
    }

    /// The cached rules of the account's (or the default) region. No
    /// network I/O.
    pub fn rules(&self) -> Result<Option<RegionalRules>, EcardError> {
        self.now(ecard_core::EcardClient::rules)
    }

    /// The current code for a card (the holder's own when `card_id` is
    /// null) and purpose. Works offline until the credential expires;
    /// `Revoked` once the card is reported lost or revoked.
    pub async fn current_code(
        &self,
        card_id: Option<String>,
        purpose: Purpose,
    ) -> Result<CodeView, EcardError> {
        self.call(|client| async move {
            let code = client.current_code(card_id, purpose).await?;
            Ok(CodeView::from_core(code, client.trusted_now()))
        })
        .await
    }

    /// Seconds until `code` expires, by the trusted clock. No I/O.
    pub fn seconds_left(&self, code: CodeView) -> u64 {
        code.expires_at.saturating_sub(self.core.trusted_now())
    }

    /// Saves a form in progress (a new draft when `draft_id` is null);
    /// returns the draft id.
    pub async fn save_draft(
        &self,
        draft_id: Option<String>,
        form: DraftForm,
    ) -> Result<String, EcardError> {
        self.call(|client| async move { client.save_draft(draft_id, form).await })
            .await
    }

    /// Every draft, newest first. No network I/O.
    pub fn drafts(&self) -> Result<Vec<Draft>, EcardError> {
        self.now(ecard_core::EcardClient::drafts)
    }

    /// Deletes a draft.
    pub async fn delete_draft(&self, draft_id: String) -> Result<(), EcardError> {
        self.call(|client| async move { client.delete_draft(&draft_id).await })
            .await
    }

    /// Sends every due submission; returns how many were confirmed.
    pub async fn process_outbox(&self) -> Result<u32, EcardError> {
        self.call(|client| async move {
            Ok(u32::try_from(client.process_outbox().await).unwrap_or(u32::MAX))
        })
        .await
    }

    /// Every outbox entry, newest first (the "sending" list). No network I/O.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, EcardError> {
        self.now(ecard_core::EcardClient::outbox)
    }

    /// Makes a postponed or refused submission due now and sends it.
    pub async fn retry_submission(&self, outbox_id: i64) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.retry_submission(outbox_id).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Applies for a first card (申领), for the holder or, under a mandate,
    /// for someone else (`form.person_id`). Checked locally first, then
    /// sent through the outbox (consuming `draft_id`).
    pub async fn submit_application(
        &self,
        form: NewCardForm,
        draft_id: Option<String>,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.submit_application(form, draft_id).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Replaces a card (补换): plain, change of bank, or keep-number.
    pub async fn submit_replacement(
        &self,
        form: ReplacementForm,
        draft_id: Option<String>,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.submit_replacement(form, draft_id).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Pays the fees of an application.
    pub async fn pay(
        &self,
        application_id: String,
        amount_fen: u32,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.pay(&application_id, amount_fen).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Cancels an application where the rules allow it.
    pub async fn cancel_application(
        &self,
        application_id: String,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.cancel_application(&application_id).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Confirms the card was received (posted, or collected at the outlet).
    pub async fn confirm_receipt(&self, application_id: String) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.confirm_receipt(&application_id).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Sends a new photo after a failed production.
    pub async fn resubmit_photo(
        &self,
        application_id: String,
        photo_jpeg: Vec<u8>,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.resubmit_photo(&application_id, photo_jpeg).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Enables the social-security function of a received card (社保功能启用).
    pub async fn activate_card(&self, card_id: String) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.activate_card(&card_id).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Reports a card lost (临时挂失 / 正式挂失); where the rules say so,
    /// codes stop on this device at once.
    pub async fn report_loss(
        &self,
        card_id: String,
        kind: LossKind,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.report_loss(&card_id, kind).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Releases a loss report online (解挂) where the rules allow it;
    /// otherwise `NotAllowed` (release at a counter).
    pub async fn release_loss(&self, card_id: String) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.release_loss(&card_id).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Asks for a mandate: a guardian for a minor or newborn (with
    /// evidence), or a family proxy for a relative (who then consents).
    pub async fn request_mandate(
        &self,
        kind: DelegationKind,
        principal: PersonIdentity,
        evidence: Option<Evidence>,
        scopes: Vec<Scope>,
        expires_at: Option<u64>,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client
                .request_mandate(kind, principal, evidence, scopes, expires_at)
                .await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Consents, as the principal, to a mandate someone asked for.
    pub async fn consent_mandate(&self, delegation_id: String) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.consent_mandate(&delegation_id).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// Ends a mandate (either side); codes shown under it stop at once.
    pub async fn revoke_mandate(&self, delegation_id: String) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.revoke_mandate(&delegation_id).await?;
            Ok(Submission::from_core(submission))
        })
        .await
    }

    /// The applications of the account and of people it tracks, as flows
    /// (fetched when online, from the cache when not).
    pub async fn applications(&self) -> Result<Vec<ApplicationFlow>, EcardError> {
        self.call(|client| async move { client.applications().await })
            .await
    }

    /// One application as a flow.
    pub async fn application(&self, application_id: String) -> Result<ApplicationFlow, EcardError> {
        self.call(|client| async move { client.application(&application_id).await })
            .await
    }

    /// The loss-report situation of a card, from the cached profile and
    /// rules. No network I/O.
    pub fn loss_flow(&self, card_id: String) -> Result<LossFlow, EcardError> {
        self.now(|client| client.loss_flow(&card_id))
    }

    /// Mandates the account holds or is the principal of.
    pub async fn mandates(&self) -> Result<Vec<Delegation>, EcardError> {
        self.call(|client| async move { client.mandates().await })
            .await
    }

    /// Who did what for whom under which mandate (the platform's audit).
    pub async fn audit_trail(&self) -> Result<Vec<AuditEntry>, EcardError> {
        self.call(|client| async move { client.audit_trail().await })
            .await
    }

    /// A copy of everything the app holds about the person, as JSON (PIPL
    /// right of access), for them to save where they choose. Local I/O only.
    pub fn export_personal_data(&self) -> Result<String, EcardError> {
        self.now(|client| {
            let export = client.export_personal_data()?;
            serde_json::to_string_pretty(&export)
                .map_err(|error| ClientError::Internal(error.to_string()))
        })
    }

    /// Erases the person's data (PIPL right of deletion); with
    /// `at_platform`, first deletes the account at the platform (needs the
    /// network; nothing is erased if that fails). Signs the client out.
    pub async fn delete_personal_data(&self, at_platform: bool) -> Result<(), EcardError> {
        self.call(|client| async move { client.delete_personal_data(at_platform).await })
            .await
    }

    /// Delivers the client's events to `listener` until the returned
    /// subscription is cancelled or freed.
    pub fn subscribe(
        &self,
        listener: Arc<dyn EventListener>,
    ) -> Result<Arc<EventSubscription>, EcardError> {
        let runtime = runtime_or_error(self.language)?;
        Ok(Arc::new(EventSubscription::start(
            runtime,
            self.core.subscribe(),
            listener,
        )))
    }

    /// Starts the foreground background work: sends due submissions and
    /// revalidates a stale catalogue every `period_seconds` (at least 1).
    /// Runs until the returned task is stopped or freed.
    pub fn start_background(&self, period_seconds: u32) -> Result<Arc<BackgroundSync>, EcardError> {
        let runtime = runtime_or_error(self.language)?;
        // The core spawns on the current runtime: enter ours, since the
        // caller's thread (the app's main thread) has none.
        let _entered = runtime.enter();
        let task = self
            .core
            .start_background(std::time::Duration::from_secs(u64::from(
                period_seconds.max(1),
            )));
        Ok(Arc::new(BackgroundSync {
            task: Mutex::new(Some(task)),
            _live: LiveToken::new(Live::BackgroundTask),
        }))
    }
}

/// A running background task (outbox sending, catalogue revalidation);
/// `stop()` — or closing/freeing the object — ends it.
#[derive(uniffi::Object)]
pub struct BackgroundSync {
    task: Mutex<Option<ecard_core::BackgroundTask>>,
    _live: LiveToken,
}

impl std::fmt::Debug for BackgroundSync {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("BackgroundSync")
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl BackgroundSync {
    /// Stops the task (idempotent).
    pub fn stop(&self) {
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        drop(task);
    }

    /// Whether the task is still running.
    pub fn is_running(&self) -> bool {
        self.task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_some()
    }
}
