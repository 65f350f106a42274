//! What a flow's button does, decided once.
//!
//! Why here: an [`ApplicationFlow`] lists what the person can do now
//! (`pay`, `cancel`, …), and each app turned an action into a client call
//! itself — and the two bindings' apps paid different amounts (the fee on
//! record against the amount the step asks for). [`plan`] decides the call
//! (ids and amount filled in) and [`perform`] makes it; both bindings and
//! every app go through them.

use ecard_api::resident::ApplicationAction;

use crate::client::EcardClient;
use crate::error::ClientError;
use crate::workflows::{ApplicationFlow, FlowStep, Submission};

/// The client call an action of a flow stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlowCall {
    /// Pay `amount_fen` for the application.
    Pay {
        /// The application.
        application_id: String,
        /// The amount the step asks for (the fee on record otherwise).
        amount_fen: u32,
    },
    /// Cancel the application.
    Cancel {
        /// The application.
        application_id: String,
    },
    /// Confirm the card was received.
    ConfirmReceipt {
        /// The application.
        application_id: String,
    },
    /// Enable the social-security function of the produced card.
    Activate {
        /// The card.
        card_id: String,
    },
    /// Send a new photo after a failed production.
    ResubmitPhoto {
        /// The application.
        application_id: String,
        /// The new photo (JPEG).
        photo_jpeg: Vec<u8>,
    },
}

impl FlowCall {
    /// The call's stable name (`pay`, `cancel`, `confirm_receipt`,
    /// `activate`, `resubmit_photo`), as the action's.
    pub fn name(&self) -> &'static str {
        match self {
            FlowCall::Pay { .. } => "pay",
            FlowCall::Cancel { .. } => "cancel",
            FlowCall::ConfirmReceipt { .. } => "confirm_receipt",
            FlowCall::Activate { .. } => "activate",
            FlowCall::ResubmitPhoto { .. } => "resubmit_photo",
        }
    }

    /// The amount paid, for [`FlowCall::Pay`].
    pub fn amount_fen(&self) -> Option<u32> {
        match self {
            FlowCall::Pay { amount_fen, .. } => Some(*amount_fen),
            _ => None,
        }
    }

    /// The card activated, for [`FlowCall::Activate`].
    pub fn card_id(&self) -> Option<&str> {
        match self {
            FlowCall::Activate { card_id } => Some(card_id),
            _ => None,
        }
    }
}

/// The call `action` stands for in `flow`. A photo is needed only to
/// resubmit one; activating needs the card the application produced.
pub fn plan(
    flow: &ApplicationFlow,
    action: ApplicationAction,
    photo_jpeg: Option<Vec<u8>>,
) -> Result<FlowCall, ClientError> {
    let application_id = flow.application.application_id.clone();
    Ok(match action {
        ApplicationAction::Pay => FlowCall::Pay {
            application_id,
            amount_fen: match flow.step {
                FlowStep::Pay { amount_fen } => amount_fen,
                _ => flow.application.fee_fen,
            },
        },
        ApplicationAction::Cancel => FlowCall::Cancel { application_id },
        ApplicationAction::ConfirmReceipt => FlowCall::ConfirmReceipt { application_id },
        ApplicationAction::Activate => FlowCall::Activate {
            card_id: flow
                .application
                .card_id
                .clone()
                .ok_or_else(|| ClientError::NotFound("the card of this application".into()))?,
        },
        ApplicationAction::ResubmitPhoto => FlowCall::ResubmitPhoto {
            application_id,
            photo_jpeg: photo_jpeg.ok_or_else(|| ClientError::InvalidChoice {
                field: "photo_jpeg".into(),
                reason: "resubmitting needs the new photo".into(),
            })?,
        },
    })
}

/// Makes the call.
pub async fn perform(client: &EcardClient, call: FlowCall) -> Result<Submission, ClientError> {
    match call {
        FlowCall::Pay {
            application_id,
            amount_fen,
        } => client.pay(&application_id, amount_fen).await,
        FlowCall::Cancel { application_id } => client.cancel_application(&application_id).await,
        FlowCall::ConfirmReceipt { application_id } => {
            client.confirm_receipt(&application_id).await
        }
        FlowCall::Activate { card_id } => client.activate_card(&card_id).await,
        FlowCall::ResubmitPhoto {
            application_id,
            photo_jpeg,
        } => client.resubmit_photo(&application_id, photo_jpeg).await,
    }
}

/// Does what `action` of `flow` stands for.
pub async fn act(
    client: &EcardClient,
    flow: &ApplicationFlow,
    action: ApplicationAction,
    photo_jpeg: Option<Vec<u8>>,
) -> Result<Submission, ClientError> {
    perform(client, plan(flow, action, photo_jpeg)?).await
}
