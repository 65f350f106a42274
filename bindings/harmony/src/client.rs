//! `EcardClient` for JavaScript: the core's client, method for method, in
//! camelCase, with Promises for its async methods.
//!
//! Threading contract (the core's, carried over):
//! - methods returning a Promise run on the core's runtime and may do
//!   network, storage and key-store I/O; call them from the UI thread
//!   freely, they never block it;
//! - the face check (`confirmPresence`, `resetPin`, `changePhone`,
//!   `consentMandateByFace`) is a JavaScript object with `check(request)`,
//!   run while the Promise is pending (see [`crate::face`]);
//! - `snapshot`, `session`, `search`, `searchHelp`, `catalogueItem`,
//!   `nearestOutlets`, `rules`,
//!   `cachedProfile`, `drafts`, `outbox`, `lossFlow`, `trustedNow` and
//!   `subscribe` do no network or key-store I/O and return in well under a
//!   millisecond: safe on the UI thread (`lossFlow`, `drafts`, `outbox` and
//!   `cachedProfile` read the local database).
//!
//! `close()` lets go of the database and of the key-store callbacks at once
//! (ArkUI's `aboutToDisappear`); without it they go when the object is
//! garbage-collected. A closed client throws `client_closed`.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use ecard_api::identity::PinAction;
use ecard_api::resident::{
    DelegationKind, Evidence, LossKind, PersonIdentity, Relationship, Scope,
};
use ecard_api::service_points::AccessReportReason;
use ecard_core::bridge::events::Delivered;
use ecard_core::bridge::runtime::{Live, LiveToken};
use ecard_core::bridge::{self, BindingConfig, EventPump};
use ecard_core::catalogue::outlets::OutletQuery;
use ecard_core::catalogue::search::SearchQuery;

use ecard_core::{ClientError, EcardClient, Location};
use ecard_credential::{Locale, Purpose};
use napi::Status;
use napi::bindgen_prelude::Uint8Array;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use serde::Deserialize;
use serde_json::Value;

use crate::convert::{self, enum_from_js, from_js, to_js};
use crate::error::{BindingError, Fallible};
use crate::face::JsFaceCheck;
use crate::flows::{self, ApplicationFlow, DraftForm, LossFlow, NewCardForm, ReplacementForm};
use crate::keystore::JsKeyStore;

#[cfg(feature = "node")]
use napi_derive::napi;
#[cfg(feature = "ohos")]
use napi_derive_ohos::napi;

/// The listener of [`Client::subscribe`]: called with one event object.
pub type Listener =
    ThreadsafeFunction<Value, napi::bindgen_prelude::Unknown<'static>, Value, Status, false, true>;

fn read<T: for<'de> Deserialize<'de>>(
    field: &str,
    value: Value,
    locale: Locale,
) -> Result<T, BindingError> {
    serde_json::from_value(value)
        .map_err(|error| BindingError::invalid_argument(field, error, locale))
}

/// The client (`EcardClient` in JavaScript).
#[napi(js_name = "EcardClient")]
pub struct Client {
    core: RwLock<Option<EcardClient>>,
    locale: Locale,
    _live: LiveToken,
}

impl Client {
    /// The locale of messages and errors.
    pub(crate) fn binding_locale(&self) -> Locale {
        self.locale
    }

    /// The core client, unless closed.
    pub(crate) fn core(&self) -> Result<EcardClient, BindingError> {
        self.core
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| BindingError::closed(self.locale))
    }

    /// Runs an async core call with the client on the core's runtime,
    /// converting its answer; a panic becomes an `internal` error with code
    /// `panic` ([`bridge::run`]).
    pub(crate) async fn run<T, F, Fut>(&self, work: F) -> Fallible<T>
    where
        T: Send + 'static,
        F: FnOnce(EcardClient) -> Fut,
        Fut: Future<Output = Result<T, ClientError>> + Send + 'static,
    {
        let core = match self.core() {
            Ok(core) => core,
            Err(error) => return Fallible(Err(error)),
        };
        let locale = self.locale;
        let future = work(core);
        Fallible(
            bridge::run(locale, async move {
                future
                    .await
                    .map_err(|error| BindingError::from_client(&error, locale))
            })
            .await,
        )
    }

    /// Runs a plain core call with the client, converting its answer and
    /// catching a panic ([`bridge::guard`]).
    pub(crate) fn now<T>(
        &self,
        work: impl FnOnce(&EcardClient) -> Result<T, ClientError>,
    ) -> Fallible<T> {
        Fallible(bridge::guard(self.locale, || {
            self.core().and_then(|core| {
                work(&core).map_err(|error| BindingError::from_client(&error, self.locale))
            })
        }))
    }
}

#[napi]
impl Client {
    /// Opens the client: storage (recovering a damaged file), the data key
    /// (unwrapped by the key store), the session and the catalogue cache.
    /// No network I/O.
    #[napi]
    pub async fn open(config: Value, key_store: JsKeyStore) -> Fallible<Client> {
        let mut key_store = key_store;
        let config: BindingConfig = match read("config", config, Locale::ZhCn) {
            Ok(config) => config,
            Err(error) => return Fallible(Err(error)),
        };
        let locale = config.locale();
        key_store.set_timeout(config.key_store_timeout());
        key_store.set_suite(config.device_suite());
        let opened = bridge::run(locale, async move {
            EcardClient::open(config.client_config(), Arc::new(key_store))
                .await
                .map_err(|error| BindingError::from_client(&error, locale))
        })
        .await;
        Fallible(opened.map(|core| Client {
            core: RwLock::new(Some(core)),
            locale,
            _live: LiveToken::new(Live::Client),
        }))
    }

    /// Lets go of the database and the key-store callbacks now.
    #[napi]
    pub fn close(&self) {
        self.core
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
    }

    /// The locale of messages (`zh-CN` or `en`).
    #[napi]
    pub fn locale(&self) -> String {
        match self.locale {
            Locale::ZhCn => "zh-CN".into(),
            Locale::En => "en".into(),
        }
    }

    /// The platform's time as this device estimates it (Unix seconds).
    #[napi]
    pub fn trusted_now(&self) -> Fallible<i64> {
        self.now(|core| Ok(core.trusted_now() as i64))
    }

    /// The account holder's full document number, for the "show number"
    /// toggle (小眼睛) tapped on purpose; hide it again after a few seconds and
    /// never log it. No I/O.
    #[napi]
    pub fn reveal_id_number(&self) -> Fallible<String> {
        self.now(|core| core.reveal_id_number())
    }

    /// The session, if enrolled.
    #[napi]
    pub fn session(&self) -> Fallible<Value> {
        self.now(|core| {
            Ok(core
                .session()
                .as_ref()
                .map_or(Value::Null, convert::session))
        })
    }

    /// What the UI renders. No network or key-store I/O.
    #[napi]
    pub fn snapshot(&self) -> Fallible<Value> {
        self.now(|core| core.snapshot().map(|snapshot| convert::snapshot(&snapshot)))
    }

    /// Calls `listener` with every event until the returned subscription
    /// is cancelled (or the client goes away). Events carry ids only.
    #[napi]
    pub fn subscribe(&self, listener: Listener) -> Fallible<Subscription> {
        let core = match self.core() {
            Ok(core) => core,
            Err(error) => return Fallible(Err(error)),
        };
        // Subscribed now, so nothing emitted after this call is missed.
        Subscription::start(core.subscribe(), listener, self.locale).into()
    }

    /// Enrolment, step 1: checks the document locally, makes the device key
    /// if needed and names the person and the key to the platform (the
    /// answer is the same whether or not the person exists).
    #[napi]
    pub async fn begin_enrolment(&self, identity: Value) -> Fallible<Value> {
        let identity: PersonIdentity = match from_js("identity", identity, self.locale) {
            Ok(identity) => identity,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move {
            core.begin_enrolment(identity)
                .await
                .map(|progress| convert::enrolment_progress(&progress))
        })
        .await
    }

    /// Enrolment, step 2: the app's face check (`face.check(request)`). On
    /// success a one-time code goes to the phone on record (`codeSentTo`),
    /// and an enrolled device may approve instead (`approvalPossible`).
    #[napi]
    pub async fn confirm_presence(&self, face: JsFaceCheck) -> Fallible<Value> {
        self.run(|core| async move {
            core.confirm_presence(Arc::new(face))
                .await
                .map(|progress| convert::enrolment_progress(&progress))
        })
        .await
    }

    /// Enrolment, step 3: finishes with the one-time code (or, with `null`,
    /// after an enrolled device approved), setting the e-card PIN when
    /// `pinRequired` said so; then fetches the profile and credentials.
    #[napi]
    pub async fn complete_enrolment(
        &self,
        one_time_code: Option<String>,
        pin: Option<String>,
    ) -> Fallible<Value> {
        self.run(|core| async move {
            core.complete_enrolment(one_time_code, pin)
                .await
                .map(|session| convert::session(&session))
        })
        .await
    }

    /// Exchanges the e-card PIN for a single-use grant for one act
    /// (`unlink_device`, `approve_device`, …). The acts below take the PIN
    /// and do this themselves.
    #[napi]
    pub async fn pin_grant(&self, pin: String, action: String) -> Fallible<String> {
        let action: PinAction = match enum_from_js("action", &action, self.locale) {
            Ok(action) => action,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move { core.pin_grant(&pin, action).await })
            .await
    }

    /// The devices where this e-card is signed in (`current` marks this one).
    #[napi]
    pub async fn devices(&self) -> Fallible<Vec<Value>> {
        self.run(|core| async move { Ok(core.devices().await?.iter().map(to_js).collect()) })
            .await
    }

    /// Unlinks a device (解除关联) with the e-card PIN: its codes stop and it
    /// can no longer sign in.
    #[napi]
    pub async fn unlink_device(&self, device_id: String, pin: String) -> Fallible<Value> {
        self.run(|core| async move {
            core.unlink_device(&device_id, &pin)
                .await
                .map(|unlinked| to_js(&unlinked))
        })
        .await
    }

    /// New devices of this account holder that passed a face check and
    /// wait for approval.
    #[napi]
    pub async fn enrolment_requests(&self) -> Fallible<Vec<Value>> {
        self.run(
            |core| async move { Ok(core.enrolment_requests().await?.iter().map(to_js).collect()) },
        )
        .await
    }

    /// Approves a new device of this account holder with the e-card PIN.
    #[napi]
    pub async fn approve_enrolment(&self, enrolment_id: String, pin: String) -> Fallible<()> {
        self.run(|core| async move { core.approve_enrolment(&enrolment_id, &pin).await })
            .await
    }

    /// Fetches account notices not seen yet; each also reaches the
    /// listeners as an `account_notice` event.
    #[napi]
    pub async fn check_notices(&self) -> Fallible<Vec<Value>> {
        self.run(|core| async move {
            Ok(core
                .check_notices()
                .await?
                .iter()
                .map(convert::notice)
                .collect())
        })
        .await
    }

    /// Changes the e-card PIN knowing the current one.
    #[napi]
    pub async fn change_pin(&self, current_pin: String, new_pin: String) -> Fallible<()> {
        self.run(|core| async move { core.change_pin(&current_pin, &new_pin).await })
            .await
    }

    /// Sets a new e-card PIN after a face check of the account holder (a
    /// forgotten or locked PIN).
    #[napi]
    pub async fn reset_pin(&self, face: JsFaceCheck, new_pin: String) -> Fallible<()> {
        self.run(|core| async move { core.reset_pin(Arc::new(face), &new_pin).await })
            .await
    }

    /// Starts changing the phone on record: the PIN, a face check, then a
    /// code to the old phone (`confirmPhoneChange`).
    #[napi]
    pub async fn change_phone(
        &self,
        new_phone: String,
        face: JsFaceCheck,
        pin: String,
    ) -> Fallible<Value> {
        self.run(|core| async move {
            core.change_phone(&new_phone, Arc::new(face), &pin)
                .await
                .map(|started| to_js(&started))
        })
        .await
    }

    /// Finishes a phone change with the code sent to the old phone.
    #[napi]
    pub async fn confirm_phone_change(
        &self,
        change_id: String,
        one_time_code: String,
    ) -> Fallible<()> {
        self.run(|core| async move { core.confirm_phone_change(&change_id, &one_time_code).await })
            .await
    }

    /// Fetches the profile (cards, people acted for) from the platform.
    #[napi]
    pub async fn refresh_profile(&self) -> Fallible<Value> {
        self.run(|core| async move { core.refresh_profile().await.map(|profile| to_js(&profile)) })
            .await
    }

    /// The last profile fetched, from storage (`null` before the first).
    #[napi]
    pub fn cached_profile(&self) -> Fallible<Value> {
        self.now(|core| Ok(core.cached_profile()?.as_ref().map_or(Value::Null, to_js)))
    }

    /// Fetches new credentials for one card.
    #[napi]
    pub async fn refresh_credentials(&self, card_id: String) -> Fallible<()> {
        self.run(|core| async move { core.refresh_credentials(&card_id).await })
            .await
    }

    /// Fetches credentials for every usable card in the profile.
    #[napi]
    pub async fn refresh_all_credentials(&self) -> Fallible<()> {
        self.run(|core| async move { core.refresh_all_credentials().await })
            .await
    }

    /// Syncs the catalogue, outlets and rules (one conditional request).
    #[napi]
    pub async fn sync_catalogue(&self) -> Fallible<Value> {
        self.run(|core| async move {
            core.sync_catalogue()
                .await
                .map(|report| convert::sync_report(&report))
        })
        .await
    }

    /// Searches the cached catalogue in characters, pinyin or initials.
    /// No I/O: safe on the UI thread.
    #[napi]
    pub fn search(&self, query: Value) -> Fallible<Vec<Value>> {
        let query: SearchQuery = match from_js("query", query, self.locale) {
            Ok(query) => query,
            Err(error) => return Fallible(Err(error)),
        };
        self.now(|core| {
            Ok(core
                .search(&query)
                .iter()
                .map(convert::search_hit)
                .collect())
        })
    }

    /// What to offer when `search` found nothing: the closest items, the
    /// nearest outlets that handle the closest item's business (when
    /// `near` is given) and the hotline. No I/O: safe on the UI thread.
    #[napi]
    pub fn search_help(&self, query: Value, near: Option<Value>) -> Fallible<Value> {
        let query: SearchQuery = match from_js("query", query, self.locale) {
            Ok(query) => query,
            Err(error) => return Fallible(Err(error)),
        };
        let near: Option<Location> = match near {
            None | Some(Value::Null) => None,
            Some(near) => match from_js("near", near, self.locale) {
                Ok(near) => Some(near),
                Err(error) => return Fallible(Err(error)),
            },
        };
        self.now(|core| Ok(convert::search_help(&core.search_help(&query, near))))
    }

    /// A cached catalogue item by id (a search hit's twin), or `null`.
    /// No I/O.
    #[napi]
    pub fn catalogue_item(&self, id: String) -> Fallible<Value> {
        self.now(|core| Ok(core.catalogue_item(&id).as_ref().map_or(Value::Null, to_js)))
    }

    /// The nearest cached outlets, nearest first. No I/O.
    #[napi]
    pub fn nearest_outlets(&self, query: Value) -> Fallible<Vec<Value>> {
        let query: OutletQuery = match from_js("query", query, self.locale) {
            Ok(query) => query,
            Err(error) => return Fallible(Err(error)),
        };
        self.now(|core| {
            Ok(core
                .nearest_outlets(&query)
                .iter()
                .map(convert::outlet_hit)
                .collect())
        })
    }

    /// The cached rules of the account's (or the default) region, or `null`.
    #[napi]
    pub fn rules(&self) -> Fallible<Value> {
        self.now(|core| Ok(core.rules()?.as_ref().map_or(Value::Null, to_js)))
    }

    /// The current code for a card (the account holder's own card when
    /// `cardId` is null) and purpose. Works offline until the credential
    /// expires; stops at once when the card is suspended or revoked.
    #[napi]
    pub async fn current_code(&self, card_id: Option<String>, purpose: String) -> Fallible<Value> {
        let purpose = match Purpose::from_name(&purpose) {
            Some(purpose) => purpose,
            None => {
                return Fallible(Err(BindingError::invalid_argument(
                    "purpose",
                    format!("unknown purpose {purpose:?}"),
                    self.locale,
                )));
            }
        };
        self.run(|core| async move {
            let code = core.current_code(card_id, purpose).await?;
            Ok(convert::code(&code))
        })
        .await
    }

    /// Saves a form in progress; returns its draft id.
    #[napi]
    pub async fn save_draft(&self, draft_id: Option<String>, form: DraftForm) -> Fallible<String> {
        let form = match flows::draft_form_to_core(form, self.locale) {
            Ok(form) => form,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move { core.save_draft(draft_id, form).await })
            .await
    }

    /// Every draft, newest first.
    #[napi]
    pub fn drafts(&self) -> Fallible<Vec<flows::Draft>> {
        self.now(|core| Ok(core.drafts()?.into_iter().map(flows::draft).collect()))
    }

    /// Deletes a draft.
    #[napi]
    pub async fn delete_draft(&self, draft_id: String) -> Fallible<()> {
        self.run(|core| async move { core.delete_draft(&draft_id).await })
            .await
    }

    /// Applies for a first card (申领), for the account holder or, with
    /// `personId`, for someone the account holds an `apply` mandate for.
    #[napi]
    pub async fn submit_application(
        &self,
        form: NewCardForm,
        draft_id: Option<String>,
    ) -> Fallible<Value> {
        let form = match flows::new_card_form_to_core(form, self.locale) {
            Ok(form) => form,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move {
            core.submit_application(form, draft_id)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Replaces a card (补换): plain, change of bank, or keep-number.
    #[napi]
    pub async fn submit_replacement(
        &self,
        form: ReplacementForm,
        draft_id: Option<String>,
    ) -> Fallible<Value> {
        let form = match flows::replacement_form_to_core(form, self.locale) {
            Ok(form) => form,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move {
            core.submit_replacement(form, draft_id)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Pays the fees of an application (amount in fen).
    #[napi]
    pub async fn pay(&self, application_id: String, amount_fen: u32) -> Fallible<Value> {
        self.run(|core| async move {
            core.pay(&application_id, amount_fen)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Cancels an application where the rules allow it.
    #[napi]
    pub async fn cancel_application(&self, application_id: String) -> Fallible<Value> {
        self.run(|core| async move {
            core.cancel_application(&application_id)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Confirms the card was received (posted, or collected at the outlet).
    #[napi]
    pub async fn confirm_receipt(&self, application_id: String) -> Fallible<Value> {
        self.run(|core| async move {
            core.confirm_receipt(&application_id)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Sends a new photo after a failed production.
    #[napi]
    pub async fn resubmit_photo(
        &self,
        application_id: String,
        photo_jpeg: napi::bindgen_prelude::Uint8Array,
    ) -> Fallible<Value> {
        let photo = photo_jpeg.to_vec();
        self.run(|core| async move {
            core.resubmit_photo(&application_id, photo)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Enables the social-security function of a received card (社保功能启用).
    #[napi]
    pub async fn activate_card(&self, card_id: String) -> Fallible<Value> {
        self.run(|core| async move {
            core.activate_card(&card_id)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Reports a card lost (`temporary` 临时挂失 or `formal` 正式挂失).
    #[napi]
    pub async fn report_loss(&self, card_id: String, kind: String) -> Fallible<Value> {
        let kind: LossKind = match enum_from_js("kind", &kind, self.locale) {
            Ok(kind) => kind,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move {
            core.report_loss(&card_id, kind)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Releases a loss report online (解挂) with the e-card PIN, where the
    /// rules allow it.
    #[napi]
    pub async fn release_loss(&self, card_id: String, pin: String) -> Fallible<Value> {
        self.run(|core| async move {
            core.release_loss(&card_id, &pin)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Asks for a mandate to act for someone, with the e-card PIN:
    /// `guardian` (with evidence: the household register or birth
    /// certificate) or `family_proxy` (declaring the `relationship`; the
    /// relative then consents).
    #[napi]
    #[allow(
        clippy::too_many_arguments,
        reason = "the fields of one mandate request, as in the core"
    )]
    pub async fn request_mandate(
        &self,
        kind: String,
        principal: Value,
        evidence: Option<Value>,
        scopes: Vec<String>,
        expires_at: Option<i64>,
        relationship: Option<String>,
        pin: String,
    ) -> Fallible<Value> {
        let locale = self.locale;
        let parsed = (|| -> Result<_, BindingError> {
            let kind: DelegationKind = enum_from_js("kind", &kind, locale)?;
            let principal: PersonIdentity = from_js("principal", principal, locale)?;
            let evidence: Option<Evidence> = match evidence {
                Some(Value::Null) | None => None,
                Some(value) => Some(from_js("evidence", value, locale)?),
            };
            let scopes = scopes
                .iter()
                .map(|scope| enum_from_js::<Scope>("scopes", scope, locale))
                .collect::<Result<Vec<_>, _>>()?;
            let expires_at = expires_at.map(|seconds| seconds.max(0) as u64);
            let relationship: Option<Relationship> = relationship
                .as_deref()
                .map(|name| enum_from_js("relationship", name, locale))
                .transpose()?;
            Ok((kind, principal, evidence, scopes, expires_at, relationship))
        })();
        let (kind, principal, evidence, scopes, expires_at, relationship) = match parsed {
            Ok(parsed) => parsed,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move {
            core.request_mandate(
                kind,
                principal,
                evidence,
                scopes,
                expires_at,
                relationship,
                &pin,
            )
            .await
            .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Consents, as the principal, to a mandate someone asked for, with the
    /// e-card PIN.
    #[napi]
    pub async fn consent_mandate(&self, delegation_id: String, pin: String) -> Fallible<Value> {
        self.run(|core| async move {
            core.consent_mandate(&delegation_id, &pin)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// 亲情代办 "足不出户": the relative's face, captured on this (the
    /// helper's) phone, consents to the mandate this account asked for;
    /// `relative` names them as in the request. Answers the mandate.
    #[napi]
    pub async fn consent_mandate_by_face(
        &self,
        delegation_id: String,
        relative: Value,
        face: JsFaceCheck,
    ) -> Fallible<Value> {
        let relative: PersonIdentity = match from_js("relative", relative, self.locale) {
            Ok(relative) => relative,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move {
            core.consent_mandate_by_face(&delegation_id, &relative, Arc::new(face))
                .await
                .map(|mandate| to_js(&mandate))
        })
        .await
    }

    /// Ends a mandate (either side); codes shown under it stop at once.
    #[napi]
    pub async fn revoke_mandate(&self, delegation_id: String) -> Fallible<Value> {
        self.run(|core| async move {
            core.revoke_mandate(&delegation_id)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// As a ward's guardian, allows (or withdraws) the e-card on the
    /// ward's own phone; withdrawn, the ward's codes stop at once.
    #[napi]
    pub async fn set_ward_e_card(
        &self,
        delegation_id: String,
        allowed: bool,
        pin: String,
    ) -> Fallible<Value> {
        self.run(|core| async move {
            core.set_ward_e_card(&delegation_id, allowed, &pin)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// As a ward's guardian, sets the e-card PIN of the ward's own account.
    #[napi]
    pub async fn set_ward_pin(
        &self,
        delegation_id: String,
        new_pin: String,
        pin: String,
    ) -> Fallible<()> {
        self.run(|core| async move { core.set_ward_pin(&delegation_id, &new_pin, &pin).await })
            .await
    }

    /// The applications of the account and of people it tracks, as flows.
    #[napi]
    pub async fn applications(&self) -> Fallible<Vec<ApplicationFlow>> {
        self.run(|core| async move {
            let flows = core.applications().await?;
            Ok(flows
                .into_iter()
                .map(|flow| ApplicationFlow::new(core.clone(), flow))
                .collect())
        })
        .await
    }

    /// One application as a flow (fetched, or cached when offline).
    #[napi]
    pub async fn application(&self, application_id: String) -> Fallible<ApplicationFlow> {
        self.run(|core| async move {
            let flow = core.application(&application_id).await?;
            Ok(ApplicationFlow::new(core, flow))
        })
        .await
    }

    /// The loss-report situation of a card, from the cached profile and rules.
    #[napi]
    pub fn loss_flow(&self, card_id: String) -> Fallible<LossFlow> {
        self.now(|core| Ok(LossFlow::new(core.clone(), core.loss_flow(&card_id)?)))
    }

    /// 出生一件事: files the one form (`birthCertificate`, `childName`,
    /// `sex`, `birthDate`, `otherParent`, `householdRegion`,
    /// `householdAddress`, `bank`, `phone`, `delivery`) with the card photo
    /// where the region needs one. Checked locally, then sent through the
    /// outbox.
    #[napi]
    pub async fn register_birth(
        &self,
        form: Value,
        photo_jpeg: Option<Uint8Array>,
    ) -> Fallible<Value> {
        let mut form: Value = form;
        if let Value::Object(fields) = &mut form {
            fields.insert("photoJpeg".into(), Value::Null);
        }
        let mut form: ecard_core::BirthForm = match from_js("form", form, self.locale) {
            Ok(form) => form,
            Err(error) => return Fallible(Err(error)),
        };
        form.photo_jpeg = photo_jpeg.map(|photo| photo.to_vec());
        self.run(|core| async move {
            core.register_birth(form)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// The births this account filed, each with its one progress line.
    #[napi]
    pub async fn births(&self) -> Fallible<Vec<Value>> {
        self.run(|core| async move { Ok(core.births().await?.iter().map(to_js).collect()) })
            .await
    }

    /// Mandates the account holds or is the principal of.
    #[napi]
    pub async fn mandates(&self) -> Fallible<Vec<Value>> {
        self.run(|core| async move { Ok(core.mandates().await?.iter().map(to_js).collect()) })
            .await
    }

    /// Who did what for whom under which mandate.
    #[napi]
    pub async fn audit_trail(&self) -> Fallible<Vec<Value>> {
        self.run(|core| async move { Ok(core.audit_trail().await?.iter().map(to_js).collect()) })
            .await
    }

    /// A copy of everything the app holds about the person (PIPL right of
    /// access), for them to save where they choose. Local I/O only.
    #[napi]
    pub fn export_personal_data(&self) -> Fallible<Value> {
        self.now(|core| Ok(to_js(&core.export_personal_data()?)))
    }

    /// Erases the person's data (PIPL right of deletion); with the e-card
    /// PIN (`platformPin`), first deletes the account at the platform (needs
    /// the network; nothing is erased if that fails). Signs the client out.
    #[napi]
    pub async fn delete_personal_data(&self, platform_pin: Option<String>) -> Fallible<()> {
        self.run(
            move |core| async move { core.delete_personal_data(platform_pin.as_deref()).await },
        )
        .await
    }

    /// The application a submission created, once confirmed (else `null`).
    #[napi]
    pub fn submitted_application_id(&self, submission: Value) -> Fallible<Option<String>> {
        let Some(submission) = convert::submission_from_js(&submission) else {
            return Fallible(Err(BindingError::invalid_argument(
                "submission",
                "not a submission",
                self.locale,
            )));
        };
        self.now(|core| Ok(core.submitted_application_id(&submission)))
    }

    /// Sends every due submission; returns how many were confirmed.
    #[napi]
    pub async fn process_outbox(&self) -> Fallible<u32> {
        self.run(|core| async move { Ok(core.process_outbox().await as u32) })
            .await
    }

    /// Every outbox entry, newest first (the "sending" list).
    #[napi]
    pub fn outbox(&self) -> Fallible<Vec<Value>> {
        self.now(|core| Ok(core.outbox()?.iter().map(convert::outbox_entry).collect()))
    }

    /// Makes a postponed or refused submission due now and sends it.
    #[napi]
    pub async fn retry_submission(&self, outbox_id: i64) -> Fallible<Value> {
        self.run(|core| async move {
            core.retry_submission(outbox_id)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// 扫码登录: the login request `requestId` (from `classifyScan`): the
    /// relying party's registered name and kind (never text from the QR
    /// code), the scopes it asks for, where it stands and until when.
    #[napi]
    pub async fn login_request(&self, request_id: String) -> Fallible<Value> {
        self.run(|core| async move { Ok(to_js(&core.login_request(&request_id).await?)) })
            .await
    }

    /// Approves a login request with the e-card PIN: the holder logs in,
    /// or with `onBehalfOf` (a mandate carrying the `login` scope) the
    /// relative the mandate is for.
    #[napi]
    pub async fn approve_login(
        &self,
        request_id: String,
        pin: String,
        on_behalf_of: Option<String>,
    ) -> Fallible<Value> {
        self.run(|core| async move {
            Ok(to_js(
                &core
                    .approve_login(&request_id, &pin, on_behalf_of.as_deref())
                    .await?,
            ))
        })
        .await
    }

    /// Denies a login request (the browser goes back with `access_denied`).
    #[napi]
    pub async fn deny_login(&self, request_id: String) -> Fallible<Value> {
        self.run(|core| async move { Ok(to_js(&core.deny_login(&request_id).await?)) })
            .await
    }

    /// The logins the holder approved (我的授权), and those approved for them.
    #[napi]
    pub async fn authorisations(&self) -> Fallible<Vec<Value>> {
        self.run(|core| async move { Ok(core.authorisations().await?.iter().map(to_js).collect()) })
            .await
    }

    /// Revokes an authorisation: the relying party's tokens stop at once.
    #[napi]
    pub async fn revoke_authorisation(&self, authorisation_id: String) -> Fallible<Value> {
        self.run(
            |core| async move { Ok(to_js(&core.revoke_authorisation(&authorisation_id).await?)) },
        )
        .await
    }

    /// 谁查看了我的信息: a page of the access records of `personId` (the
    /// account holder when null; a relative's need a mandate with the
    /// `track` scope), newest first; `before` is the previous page's
    /// `nextBefore`. Offline: the records last fetched, in one page.
    #[napi]
    pub async fn access_records(
        &self,
        person_id: Option<String>,
        before: Option<i64>,
    ) -> Fallible<Value> {
        let before = match before.map(u64::try_from).transpose() {
            Ok(before) => before,
            Err(_) => {
                return Fallible(Err(BindingError::invalid_argument(
                    "before",
                    "not negative",
                    self.locale,
                )));
            }
        };
        self.run(|core| async move { Ok(to_js(&core.access_records(person_id, before).await?)) })
            .await
    }

    /// The access records of `personId` (the account holder when null)
    /// last fetched, newest first. Local I/O only.
    #[napi]
    pub fn access_records_cached(&self, person_id: Option<String>) -> Fallible<Vec<Value>> {
        self.now(|core| {
            Ok(core
                .access_records_cached(person_id.as_deref())?
                .iter()
                .map(to_js)
                .collect())
        })
    }

    /// Reports an access record (这不是我: `not_me`, or `unexpected`) with
    /// an optional note of up to 500 characters; sent through the outbox.
    #[napi]
    pub async fn report_access_record(
        &self,
        record_id: String,
        reason: String,
        note: Option<String>,
    ) -> Fallible<Value> {
        let reason: AccessReportReason = match enum_from_js("reason", &reason, self.locale) {
            Ok(reason) => reason,
            Err(error) => return Fallible(Err(error)),
        };
        self.run(|core| async move {
            core.report_access_record(&record_id, reason, note)
                .await
                .map(|submission| convert::submission(&submission))
        })
        .await
    }

    /// Starts the foreground background work (outbox, stale catalogue)
    /// every `periodSeconds`; stop it with the task's `stop()`.
    #[napi]
    pub fn start_background(&self, period_seconds: f64) -> Fallible<BackgroundTask> {
        let period = if period_seconds.is_finite() && period_seconds >= 1.0 {
            Duration::from_secs_f64(period_seconds)
        } else {
            return Fallible(Err(BindingError::invalid_argument(
                "periodSeconds",
                "at least one second",
                self.locale,
            )));
        };
        self.now(|core| {
            // The core spawns on the current runtime: enter its own.
            let runtime = bridge::runtime::runtime().ok_or_else(|| {
                ClientError::Internal("the library runtime could not start".into())
            })?;
            let _entered = runtime.enter();
            let task = core.start_background(period);
            Ok(BackgroundTask {
                task: Mutex::new(Some(task)),
                _live: LiveToken::new(Live::BackgroundTask),
            })
        })
    }
}

/// A running event subscription: the core's delivery loop and lag policy
/// ([`EventPump`]: a listener that fell behind gets `{ kind: 'missed',
/// count }`), calling a JavaScript function.
#[napi]
pub struct Subscription {
    pump: EventPump,
}

impl Subscription {
    /// Starts delivering `receiver`'s events to `listener`.
    pub(crate) fn start(
        receiver: tokio::sync::broadcast::Receiver<ecard_core::ClientEvent>,
        listener: Listener,
        locale: Locale,
    ) -> Result<Subscription, BindingError> {
        let runtime = bridge::runtime::runtime_or_error(locale)?;
        let pump = EventPump::start(runtime, receiver, move |event| {
            match listener.call(to_js(&event), ThreadsafeFunctionCallMode::NonBlocking) {
                Status::Closing => Delivered::Gone,
                _ => Delivered::More,
            }
        });
        Ok(Subscription { pump })
    }
}

#[napi]
impl Subscription {
    /// Stops delivering events (idempotent).
    #[napi]
    pub fn cancel(&self) {
        self.pump.cancel();
    }

    /// Whether events are still delivered.
    #[napi]
    pub fn is_active(&self) -> bool {
        self.pump.is_active()
    }
}

/// Background work started by [`Client::start_background`]; it also stops
/// when this object is garbage-collected, so keep it while the app is in
/// the foreground.
#[napi]
pub struct BackgroundTask {
    task: Mutex<Option<ecard_core::BackgroundTask>>,
    _live: LiveToken,
}

#[napi]
impl BackgroundTask {
    /// Stops the work (idempotent).
    #[napi]
    pub fn stop(&self) {
        self.task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
    }
}
