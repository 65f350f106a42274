//! Forms and flows: the card workflows as JavaScript objects.
//!
//! Forms (`NewCardForm`, `ReplacementForm`, drafts) are plain napi objects
//! because they carry the photo as a `Uint8Array`. Flows are classes: an
//! `ApplicationFlow` or a `LossFlow` is what the UI renders (read-only
//! properties: the step, what can be done now, the progress labels) plus
//! the actions that move it on (`pay()`, `confirmReceipt()`, `activate()`,
//! `reportTemporary()`, `release(pin)`, …) and `refresh()`. The actions are
//! the client's own methods with the ids filled in; the state stays the
//! platform's, so a flow object is a snapshot and `refresh()` gives the
//! next one.

use ecard_api::resident::{ApplicationAction, Delivery, LossKind, ReplacementKind};
use ecard_core::bridge;
use ecard_core::workflows::{
    DraftForm as CoreDraftForm, NewCardForm as CoreNewCardForm,
    ReplacementForm as CoreReplacementForm,
};
use ecard_core::{ClientError, EcardClient};
use ecard_credential::Locale;
use napi::bindgen_prelude::Uint8Array;
use serde_json::{Value, json};

use crate::convert::{self, enum_from_js, enum_name, to_js};
use crate::error::{BindingError, Fallible};

#[cfg(feature = "node")]
use napi_derive::napi;
#[cfg(feature = "ohos")]
use napi_derive_ohos::napi;

/// A first-card application form (申领).
#[napi(object)]
pub struct NewCardForm {
    /// Who the card is for: absent for the account holder, or a person the
    /// account holds an `apply` mandate for (a minor, a newborn, a relative).
    pub person_id: Option<String>,
    /// The card photo (JPEG).
    pub photo_jpeg: Uint8Array,
    /// Co-branded bank code (`icbc`, …; see `rules().banks`).
    pub bank: String,
    /// Contact phone.
    pub phone: String,
    /// `{ method: 'mail', address, phone }` or `{ method: 'pickup', outletId }`.
    pub delivery: Value,
    /// Made on the spot at the pickup outlet (即时制卡); absent: no.
    pub instant_issue: Option<bool>,
}

/// A replacement form (补换).
#[napi(object)]
pub struct ReplacementForm {
    /// The card to replace.
    pub card_id: String,
    /// `plain`, `change_bank` or `keep_number`.
    pub kind: String,
    /// The new bank (change of bank only).
    pub bank: Option<String>,
    /// A new photo; the one on file is reused when absent.
    pub photo_jpeg: Option<Uint8Array>,
    /// How the new card reaches its holder.
    pub delivery: Value,
    /// Made on the spot at the pickup outlet (即时制卡); absent: no.
    pub instant_issue: Option<bool>,
}

/// A form in progress: `kind` says which of the two is set.
#[napi(object)]
pub struct DraftForm {
    /// `new_card` or `replacement`.
    pub kind: String,
    /// The form when `kind` is `new_card`.
    pub new_card: Option<NewCardForm>,
    /// The form when `kind` is `replacement`.
    pub replacement: Option<ReplacementForm>,
}

/// A stored draft.
#[napi(object)]
pub struct Draft {
    /// Id.
    pub draft_id: String,
    /// The form.
    pub form: DraftForm,
    /// Last saved (Unix seconds).
    pub updated_at: i64,
}

fn delivery_to_core(value: Value, locale: Locale) -> Result<Delivery, BindingError> {
    convert::from_js("delivery", value, locale)
}

fn delivery_to_js(delivery: &Delivery) -> Value {
    match delivery {
        Delivery::Mail { address, phone } => {
            json!({ "method": "mail", "address": address, "phone": phone })
        }
        Delivery::Pickup { outlet_id } => json!({ "method": "pickup", "outletId": outlet_id }),
    }
}

/// Reads a new-card form.
pub fn new_card_form_to_core(
    form: NewCardForm,
    locale: Locale,
) -> Result<CoreNewCardForm, BindingError> {
    Ok(CoreNewCardForm {
        person_id: form.person_id,
        photo_jpeg: form.photo_jpeg.to_vec(),
        bank: form.bank,
        phone: form.phone,
        delivery: delivery_to_core(form.delivery, locale)?,
        instant_issue: form.instant_issue.unwrap_or(false),
    })
}

/// Reads a replacement form.
pub fn replacement_form_to_core(
    form: ReplacementForm,
    locale: Locale,
) -> Result<CoreReplacementForm, BindingError> {
    let kind: ReplacementKind = enum_from_js("kind", &form.kind, locale)?;
    Ok(CoreReplacementForm {
        card_id: form.card_id,
        kind,
        bank: form.bank,
        photo_jpeg: form.photo_jpeg.map(|photo| photo.to_vec()),
        delivery: delivery_to_core(form.delivery, locale)?,
        instant_issue: form.instant_issue.unwrap_or(false),
    })
}

/// Reads a draft form.
pub fn draft_form_to_core(form: DraftForm, locale: Locale) -> Result<CoreDraftForm, BindingError> {
    match (form.kind.as_str(), form.new_card, form.replacement) {
        ("new_card", Some(new_card), _) => Ok(CoreDraftForm::NewCard(new_card_form_to_core(
            new_card, locale,
        )?)),
        ("replacement", _, Some(replacement)) => Ok(CoreDraftForm::Replacement(
            replacement_form_to_core(replacement, locale)?,
        )),
        (kind, _, _) => Err(BindingError::invalid_argument(
            "form",
            format!("a draft of kind {kind:?} needs its form"),
            locale,
        )),
    }
}

/// A stored draft for JavaScript.
pub fn draft(draft: ecard_core::Draft) -> Draft {
    let form = match draft.form {
        CoreDraftForm::NewCard(form) => DraftForm {
            kind: "new_card".into(),
            new_card: Some(NewCardForm {
                person_id: form.person_id,
                photo_jpeg: Uint8Array::new(form.photo_jpeg),
                bank: form.bank,
                phone: form.phone,
                delivery: delivery_to_js(&form.delivery),
                instant_issue: Some(form.instant_issue),
            }),
            replacement: None,
        },
        CoreDraftForm::Replacement(form) => DraftForm {
            kind: "replacement".into(),
            new_card: None,
            replacement: Some(ReplacementForm {
                card_id: form.card_id,
                kind: enum_name(&form.kind),
                bank: form.bank,
                photo_jpeg: form.photo_jpeg.map(Uint8Array::new),
                delivery: delivery_to_js(&form.delivery),
                instant_issue: Some(form.instant_issue),
            }),
        },
    };
    Draft {
        draft_id: draft.draft_id,
        form,
        updated_at: draft.updated_at as i64,
    }
}

/// Runs a core call of a flow on the core's runtime, answering the
/// submission as JavaScript sees it.
async fn submit<Fut>(locale: Locale, call: Fut) -> Fallible<Value>
where
    Fut: Future<Output = Result<ecard_core::Submission, ClientError>> + Send + 'static,
{
    Fallible(
        bridge::run(locale, async move {
            call.await
                .map(|submission| convert::submission(&submission))
                .map_err(|error| BindingError::from_client(&error, locale))
        })
        .await,
    )
}

/// An application (申领 or 补换) as the UI shows it, with its actions.
#[napi]
pub struct ApplicationFlow {
    core: EcardClient,
    flow: ecard_core::ApplicationFlow,
}

impl ApplicationFlow {
    /// Wraps a core flow.
    pub fn new(core: EcardClient, flow: ecard_core::ApplicationFlow) -> ApplicationFlow {
        ApplicationFlow { core, flow }
    }

    fn id(&self) -> String {
        self.flow.application.application_id.clone()
    }
}

#[napi]
impl ApplicationFlow {
    /// The application id.
    #[napi(getter)]
    pub fn application_id(&self) -> String {
        self.id()
    }

    /// The platform's record (state, stages, fee, card ids, …).
    #[napi(getter)]
    pub fn application(&self) -> Value {
        to_js(&self.flow.application)
    }

    /// Where it stands: `{ kind: 'pay', amountFen }`, `{ kind: 'in_production' }`, …
    #[napi(getter)]
    pub fn step(&self) -> Value {
        convert::flow_step(&self.flow.step)
    }

    /// What the person can do now (`pay`, `cancel`, `confirm_receipt`,
    /// `activate`, `resubmit_photo`).
    #[napi(getter)]
    pub fn actions(&self) -> Vec<String> {
        self.flow.actions.iter().map(enum_name).collect()
    }

    /// Whether the rules forbid cancelling once submitted.
    #[napi(getter)]
    pub fn cannot_cancel_once_submitted(&self) -> bool {
        self.flow.cannot_cancel_once_submitted
    }

    /// The stages reached, in order, with labels in the client's language.
    #[napi(getter)]
    pub fn progress(&self) -> Vec<Value> {
        self.flow
            .progress
            .iter()
            .map(convert::progress_stage)
            .collect()
    }

    /// The flow as it is now at the platform.
    #[napi]
    pub async fn refresh(&self) -> Fallible<ApplicationFlow> {
        let core = self.core.clone();
        let result = core.application(&self.id()).await;
        Fallible::from_core(
            result.map(|flow| ApplicationFlow::new(core.clone(), flow)),
            core.locale(),
        )
    }

    /// Pays the amount the step asks for.
    #[napi]
    pub async fn pay(&self) -> Fallible<Value> {
        self.act(ApplicationAction::Pay, None).await
    }

    /// Cancels the application, where the rules allow it.
    #[napi]
    pub async fn cancel(&self) -> Fallible<Value> {
        self.act(ApplicationAction::Cancel, None).await
    }

    /// Confirms the card was received.
    #[napi]
    pub async fn confirm_receipt(&self) -> Fallible<Value> {
        self.act(ApplicationAction::ConfirmReceipt, None).await
    }

    /// Enables the social-security function of the produced card.
    #[napi]
    pub async fn activate(&self) -> Fallible<Value> {
        self.act(ApplicationAction::Activate, None).await
    }

    /// Sends a new photo after a failed production.
    #[napi]
    pub async fn resubmit_photo(&self, photo_jpeg: Uint8Array) -> Fallible<Value> {
        self.act(ApplicationAction::ResubmitPhoto, Some(photo_jpeg.to_vec()))
            .await
    }
}

impl ApplicationFlow {
    /// Does what `action` stands for ([`bridge::flows::act`], as the UniFFI
    /// binding's `act`).
    async fn act(&self, action: ApplicationAction, photo_jpeg: Option<Vec<u8>>) -> Fallible<Value> {
        let (core, flow) = (self.core.clone(), self.flow.clone());
        submit(self.core.locale(), async move {
            bridge::flows::act(&core, &flow, action, photo_jpeg).await
        })
        .await
    }
}

/// A card's loss-report situation (挂失 / 解挂), with its actions.
#[napi]
pub struct LossFlow {
    core: EcardClient,
    flow: ecard_core::LossFlow,
}

impl LossFlow {
    /// Wraps a core flow.
    pub fn new(core: EcardClient, flow: ecard_core::LossFlow) -> LossFlow {
        LossFlow { core, flow }
    }

    async fn report(&self, kind: LossKind) -> Fallible<Value> {
        let (core, card_id) = (self.core.clone(), self.flow.card.card_id.clone());
        submit(self.core.locale(), async move {
            core.report_loss(&card_id, kind).await
        })
        .await
    }
}

#[napi]
impl LossFlow {
    /// The card id.
    #[napi(getter)]
    pub fn card_id(&self) -> String {
        self.flow.card.card_id.clone()
    }

    /// The card as the platform last said.
    #[napi(getter)]
    pub fn card(&self) -> Value {
        to_js(&self.flow.card)
    }

    /// Whether a temporary report (临时挂失) may be made now.
    #[napi(getter)]
    pub fn can_report_temporary(&self) -> bool {
        self.flow.can_report_temporary
    }

    /// Whether a formal report (正式挂失) may be made now.
    #[napi(getter)]
    pub fn can_report_formal(&self) -> bool {
        self.flow.can_report_formal
    }

    /// Whether the report can be released online here (else at a counter).
    #[napi(getter)]
    pub fn can_release_online(&self) -> bool {
        self.flow.can_release_online
    }

    /// Whether codes still work during a temporary report.
    #[napi(getter)]
    pub fn e_card_works_while_temporarily_lost(&self) -> bool {
        self.flow.e_card_works_while_temporarily_lost
    }

    /// When an open temporary report lapses by itself (Unix seconds), or null.
    #[napi(getter)]
    pub fn lapses_at(&self) -> Option<i64> {
        self.flow.lapses_at.map(|at| at as i64)
    }

    /// Whether the next step is a replacement (formally lost).
    #[napi(getter)]
    pub fn replacement_needed(&self) -> bool {
        self.flow.replacement_needed
    }

    /// Reports the card lost temporarily (临时挂失).
    #[napi]
    pub async fn report_temporary(&self) -> Fallible<Value> {
        self.report(LossKind::Temporary).await
    }

    /// Reports the card lost formally (正式挂失).
    #[napi]
    pub async fn report_formal(&self) -> Fallible<Value> {
        self.report(LossKind::Formal).await
    }

    /// Releases the report online (解挂) with the e-card PIN.
    #[napi]
    pub async fn release(&self, pin: String) -> Fallible<Value> {
        let (core, card_id) = (self.core.clone(), self.flow.card.card_id.clone());
        submit(self.core.locale(), async move {
            core.release_loss(&card_id, &pin).await
        })
        .await
    }

    /// The situation now, from the cached profile and rules.
    #[napi]
    pub fn refresh(&self) -> Fallible<LossFlow> {
        let core = self.core.clone();
        Fallible::from_core(
            core.loss_flow(&self.flow.card.card_id)
                .map(|flow| LossFlow::new(core.clone(), flow)),
            core.locale(),
        )
    }
}
