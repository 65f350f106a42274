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
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use ecard_api::identity::{
    DeviceUnlinked, DeviceView, EnrolmentRequestView, Notice, PhoneChangeStarted, PinAction,
};
use ecard_api::resident::ApplicationAction;
use ecard_api::resident::{
    AuditEntry, Delegation, DelegationKind, Evidence, LossKind, PersonIdentity, Profile,
    Relationship, Scope,
};
use ecard_api::rules::RegionalRules;
use ecard_core::bridge::{BindingConfig, FlatError, flows};
use ecard_core::{
    ApplicationFlow, BirthFlow, BirthForm, ClientError, CodeView, Draft, DraftForm,
    EnrolmentProgress, Location, LossFlow, NewCardForm, OutboxEntry, OutletHit, OutletQuery,
    ReplacementForm, SearchHelp, SearchHit, SearchQuery, SecureKeyStore, SessionView, Snapshot,
    Submission, SyncReport,
};
use ecard_credential::{Locale, Purpose};

use crate::error::EcardError;
use crate::events::{EventListener, EventSubscription};
use crate::identity::{FaceCheck, core_face_check};
use crate::keystore::{ForeignKeyStore, PlatformKeyStore};
use crate::runtime::{Live, LiveToken, Run, guard, run, runtime_or_error};
use crate::types::ClientConfig;

/// The client core: one per signed-in app, opened on a data directory.
#[derive(uniffi::Object)]
pub struct EcardClient {
    core: ecard_core::EcardClient,
    language: Locale,
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
    /// Only boxing the call's future is compiled per call ([`client_call`]).
    pub(crate) fn call<T, F, Fut>(&self, work: F) -> Run<T, EcardError>
    where
        T: Send + 'static,
        F: FnOnce(ecard_core::EcardClient) -> Fut,
        Fut: Future<Output = Result<T, ClientError>> + Send + 'static,
    {
        client_call(self.language, Box::pin(work(self.core.clone())))
    }

    /// Runs a sync core call, flattening its error and catching panics.
    pub(crate) fn now<T>(
        &self,
        work: impl FnOnce(&ecard_core::EcardClient) -> Result<T, ClientError>,
    ) -> Result<T, EcardError> {
        let language = self.language;
        guard(language, || {
            work(&self.core).map_err(|error| FlatError::from_client(&error, language))
        })
    }
}

/// A core call's future, boxed with its output type.
type ClientCall<T> = Pin<Box<dyn Future<Output = Result<T, ClientError>> + Send + 'static>>;

/// [`EcardClient::call`] past the boxing: compiled once per output type.
fn client_call<T: Send + 'static>(language: Locale, future: ClientCall<T>) -> Run<T, EcardError> {
    run(language, async move {
        future
            .await
            .map_err(|error| FlatError::from_client(&error, language))
    })
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
        let config = BindingConfig::from(config);
        let core = run(language, async move {
            let store: Arc<dyn SecureKeyStore> = Arc::new(ForeignKeyStore::new(
                key_store,
                config.key_store_timeout(),
                config.device_suite(),
            ));
            ecard_core::EcardClient::open(config.client_config(), store)
                .await
                .map_err(|error| FlatError::from_client(&error, language))
        })
        .await?;
        Ok(Arc::new(EcardClient {
            core,
            language,
            _live: LiveToken::new(Live::Client),
        }))
    }

    /// The language of messages and labels.
    pub fn language(&self) -> Locale {
        self.language
    }

    /// The platform's time as this device estimates it (Unix seconds): count
    /// a code's seconds left against this, not the phone's clock. No I/O.
    pub fn trusted_now(&self) -> u64 {
        self.core.trusted_now()
    }

    /// The session, if enrolled (identity masked). No I/O.
    pub fn session(&self) -> Option<SessionView> {
        self.core.session().map(|session| session.view())
    }

    /// The account holder's full document number, for the "show number"
    /// toggle (小眼睛) tapped on purpose; hide it again after a few seconds
    /// and never log it. No I/O.
    pub fn reveal_id_number(&self) -> Result<String, EcardError> {
        self.now(ecard_core::EcardClient::reveal_id_number)
    }

    /// What the UI renders. No network or key-store I/O.
    pub fn snapshot(&self) -> Result<Snapshot, EcardError> {
        self.now(|client| client.snapshot())
    }

    /// Enrolment, step 1: checks the document locally (an `InvalidInput`
    /// names the field), makes the device key if needed and names the
    /// person and the key to the platform. The answer is the same whether
    /// or not the person exists.
    pub async fn begin_enrolment(
        &self,
        identity: PersonIdentity,
    ) -> Result<EnrolmentProgress, EcardError> {
        self.call(|client| async move { client.begin_enrolment(identity).await })
            .await
    }

    /// Enrolment, step 2: the app's face check of the person enrolling. On
    /// success a one-time code goes to the phone on record
    /// (`code_sent_to`), and the account's enrolled devices may approve
    /// instead (`approval_possible`).
    pub async fn confirm_presence(
        &self,
        face: Arc<dyn FaceCheck>,
    ) -> Result<EnrolmentProgress, EcardError> {
        let face = core_face_check(face);
        self.call(|client| async move { client.confirm_presence(face).await })
            .await
    }

    /// Enrolment, step 3: finishes with the one-time code (or, with null,
    /// after an enrolled device approved), setting the e-card PIN when
    /// `pin_required` said so; then fetches profile and credentials.
    pub async fn complete_enrolment(
        &self,
        one_time_code: Option<String>,
        pin: Option<String>,
    ) -> Result<SessionView, EcardError> {
        self.call(|client| async move {
            client
                .complete_enrolment(one_time_code, pin)
                .await
                .map(|session| session.view())
        })
        .await
    }

    /// Exchanges the e-card PIN for a single-use grant for one act (online
    /// only). The acts below take the PIN and do this themselves.
    pub async fn pin_grant(&self, pin: String, action: PinAction) -> Result<String, EcardError> {
        self.call(|client| async move { client.pin_grant(&pin, action).await })
            .await
    }

    /// The devices where this e-card is signed in (`current` marks this one).
    pub async fn devices(&self) -> Result<Vec<DeviceView>, EcardError> {
        self.call(|client| async move { client.devices().await })
            .await
    }

    /// Unlinks a device (解除关联) with the e-card PIN: its codes stop and it
    /// can no longer sign in.
    pub async fn unlink_device(
        &self,
        device_id: String,
        pin: String,
    ) -> Result<DeviceUnlinked, EcardError> {
        self.call(|client| async move { client.unlink_device(&device_id, &pin).await })
            .await
    }

    /// New devices of this account holder that passed a face check and wait
    /// for approval.
    pub async fn enrolment_requests(&self) -> Result<Vec<EnrolmentRequestView>, EcardError> {
        self.call(|client| async move { client.enrolment_requests().await })
            .await
    }

    /// Approves a new device of this account holder with the e-card PIN.
    pub async fn approve_enrolment(
        &self,
        enrolment_id: String,
        pin: String,
    ) -> Result<(), EcardError> {
        self.call(|client| async move { client.approve_enrolment(&enrolment_id, &pin).await })
            .await
    }

    /// Fetches account notices not seen yet; each is also delivered as an
    /// `AccountNotice` event. The background task calls it too.
    pub async fn check_notices(&self) -> Result<Vec<Notice>, EcardError> {
        self.call(|client| async move { client.check_notices().await })
            .await
    }

    /// Changes the e-card PIN knowing the current one.
    pub async fn change_pin(&self, current_pin: String, new_pin: String) -> Result<(), EcardError> {
        self.call(|client| async move { client.change_pin(&current_pin, &new_pin).await })
            .await
    }

    /// Sets a new e-card PIN after a face check of the account holder (a
    /// forgotten or locked PIN).
    pub async fn reset_pin(
        &self,
        face: Arc<dyn FaceCheck>,
        new_pin: String,
    ) -> Result<(), EcardError> {
        let face = core_face_check(face);
        self.call(|client| async move { client.reset_pin(face, &new_pin).await })
            .await
    }

    /// Starts changing the phone on record: the PIN, a face check, then a
    /// code to the old phone (`confirm_phone_change`).
    pub async fn change_phone(
        &self,
        new_phone: String,
        face: Arc<dyn FaceCheck>,
        pin: String,
    ) -> Result<PhoneChangeStarted, EcardError> {
        let face = core_face_check(face);
        self.call(|client| async move { client.change_phone(&new_phone, face, &pin).await })
            .await
    }

    /// Finishes a phone change with the code sent to the old phone.
    pub async fn confirm_phone_change(
        &self,
        change_id: String,
        one_time_code: String,
    ) -> Result<(), EcardError> {
        self.call(|client| async move {
            client
                .confirm_phone_change(&change_id, &one_time_code)
                .await
        })
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
        self.call(|client| async move { client.sync_catalogue().await })
            .await
    }

    /// Searches the cached catalogue in characters or pinyin. No I/O.
    pub fn search(&self, query: SearchQuery) -> Result<Vec<SearchHit>, EcardError> {
        self.now(|client| Ok(client.search(&query)))
    }

    /// What to show when `search` found nothing: the closest items, the
    /// nearest outlets that handle the business (when `near` is given) and
    /// the hotline. No I/O.
    pub fn search_help(
        &self,
        query: SearchQuery,
        near: Option<Location>,
    ) -> Result<SearchHelp, EcardError> {
        self.now(|client| Ok(client.search_help(&query, near)))
    }

    /// A cached catalogue item by id (a search hit's twin). No I/O.
    pub fn catalogue_item(
        &self,
        id: String,
    ) -> Result<Option<ecard_api::catalogue::CatalogueItem>, EcardError> {
        self.now(|client| Ok(client.catalogue_item(&id)))
    }

    /// The nearest cached outlets. No I/O.
    pub fn nearest_outlets(&self, query: OutletQuery) -> Result<Vec<OutletHit>, EcardError> {
        self.now(|client| Ok(client.nearest_outlets(&query)))
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
        self.call(|client| async move { client.current_code(card_id, purpose).await })
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
            Ok(submission)
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
            Ok(submission)
        })
        .await
    }

    /// 出生一件事: files the one form (birth registration facts and the
    /// newborn's card). Checked locally first, then sent through the outbox.
    pub async fn register_birth(&self, form: BirthForm) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.register_birth(form).await?;
            Ok(submission)
        })
        .await
    }

    /// The births this account filed, each with its one progress line.
    pub async fn births(&self) -> Result<Vec<BirthFlow>, EcardError> {
        self.call(|client| async move { client.births().await })
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
            Ok(submission)
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
            Ok(submission)
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
            Ok(submission)
        })
        .await
    }

    /// Confirms the card was received (posted, or collected at the outlet).
    pub async fn confirm_receipt(&self, application_id: String) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.confirm_receipt(&application_id).await?;
            Ok(submission)
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
            Ok(submission)
        })
        .await
    }

    /// Enables the social-security function of a received card (社保功能启用).
    pub async fn activate_card(&self, card_id: String) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.activate_card(&card_id).await?;
            Ok(submission)
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
            Ok(submission)
        })
        .await
    }

    /// Releases a loss report online (解挂) with the e-card PIN, where the
    /// rules allow it; otherwise `NotAllowed` (release at a counter).
    pub async fn release_loss(
        &self,
        card_id: String,
        pin: String,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.release_loss(&card_id, &pin).await?;
            Ok(submission)
        })
        .await
    }

    /// Asks for a mandate with the e-card PIN: a guardian for a minor or
    /// newborn (with evidence), or a family proxy for a relative, declaring
    /// the `relationship` (who then consents: on their phone, at a counter,
    /// or by a face check on this phone).
    #[allow(
        clippy::too_many_arguments,
        reason = "the fields of one mandate request, as in the core"
    )]
    pub async fn request_mandate(
        &self,
        kind: DelegationKind,
        principal: PersonIdentity,
        evidence: Option<Evidence>,
        scopes: Vec<Scope>,
        expires_at: Option<u64>,
        relationship: Option<Relationship>,
        pin: String,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client
                .request_mandate(
                    kind,
                    principal,
                    evidence,
                    scopes,
                    expires_at,
                    relationship,
                    &pin,
                )
                .await?;
            Ok(submission)
        })
        .await
    }

    /// Consents, as the principal, to a mandate someone asked for, with
    /// the e-card PIN.
    pub async fn consent_mandate(
        &self,
        delegation_id: String,
        pin: String,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.consent_mandate(&delegation_id, &pin).await?;
            Ok(submission)
        })
        .await
    }

    /// 亲情代办 "足不出户": the relative's face, captured on this (the
    /// helper's) phone, consents to the mandate this account asked for;
    /// `relative` names them as in the request.
    pub async fn consent_mandate_by_face(
        &self,
        delegation_id: String,
        relative: PersonIdentity,
        face: Arc<dyn FaceCheck>,
    ) -> Result<Delegation, EcardError> {
        let face = core_face_check(face);
        self.call(|client| async move {
            client
                .consent_mandate_by_face(&delegation_id, &relative, face)
                .await
        })
        .await
    }

    /// Ends a mandate (either side); codes shown under it stop at once.
    pub async fn revoke_mandate(&self, delegation_id: String) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client.revoke_mandate(&delegation_id).await?;
            Ok(submission)
        })
        .await
    }

    /// As a ward's guardian, allows (or withdraws) the e-card on the
    /// ward's own phone; withdrawn, the ward's codes stop at once.
    pub async fn set_ward_e_card(
        &self,
        delegation_id: String,
        allowed: bool,
        pin: String,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = client
                .set_ward_e_card(&delegation_id, allowed, &pin)
                .await?;
            Ok(submission)
        })
        .await
    }

    /// As a ward's guardian, sets the e-card PIN of the ward's own account.
    pub async fn set_ward_pin(
        &self,
        delegation_id: String,
        new_pin: String,
        pin: String,
    ) -> Result<(), EcardError> {
        self.call(|client| async move { client.set_ward_pin(&delegation_id, &new_pin, &pin).await })
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

    /// Does what a flow's button offers (one of its `actions`): pays the
    /// amount its step asks for, cancels, confirms receipt, activates the
    /// card it produced, or sends `photo_jpeg` again. The same dispatch as
    /// the HarmonyOS flows ([`ecard_core::bridge::flows`]).
    pub async fn act(
        &self,
        flow: ApplicationFlow,
        action: ApplicationAction,
        photo_jpeg: Option<Vec<u8>>,
    ) -> Result<Submission, EcardError> {
        self.call(|client| async move {
            let submission = flows::act(&client, &flow, action, photo_jpeg).await?;
            Ok(submission)
        })
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

    /// Erases the person's data (PIPL right of deletion); with the e-card
    /// PIN (`platform_pin`), first deletes the account at the platform
    /// (needs the network; nothing is erased if that fails). Signs the
    /// client out.
    pub async fn delete_personal_data(
        &self,
        platform_pin: Option<String>,
    ) -> Result<(), EcardError> {
        self.call(
            |client| async move { client.delete_personal_data(platform_pin.as_deref()).await },
        )
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
