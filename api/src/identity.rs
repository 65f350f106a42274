//! Identity proofing and account security on the wire: enrolment by face
//! check plus a one-time code (or an approval from an enrolled device), the
//! e-card PIN (电子社保卡密码), the device list with unlinking (解除关联),
//! account notices and changing the phone on record.
//!
//! Knowledge of a name and a document number never suffices: every answer
//! before a passing face check is the same whether the person exists or not.

use ecard_credential::Suite;
use serde::{Deserialize, Serialize};

use crate::resident::PersonIdentity;

/// Length of the e-card PIN and of one-time codes.
pub const PIN_DIGITS: usize = 6;

/// `POST /v1/enrolments`: start registering this device for a resident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentRequest {
    /// Who the resident says they are (checked only after the face check).
    pub identity: PersonIdentity,
    /// Suite of the device key.
    pub device_suite: Suite,
    /// Device public key, base64url (Ed25519 raw or P-256 SEC1).
    pub device_public_key: String,
    /// A name for the device the resident recognises.
    pub device_name: String,
}

/// What a face check must be bound to. The app hands it to the face
/// platform, whose signed result the platform checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceChallenge {
    /// Single-use challenge issued by the platform.
    pub challenge: String,
    /// What the check is for (`enrolment`, `mandate_consent`, `pin_reset`, `phone_change`).
    pub purpose: FacePurpose,
    /// Lowercase hex SHA-256 of the public key of the device that runs the check.
    pub device_binding: String,
    /// Unix seconds after which the challenge is refused.
    pub expires_at: u64,
}

/// Why a face check is run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum FacePurpose {
    /// Registering a device (签发 or a new phone).
    Enrolment,
    /// A relative consents to a mandate on the helper's phone (亲情代办).
    MandateConsent,
    /// Setting a new PIN after forgetting it.
    PinReset,
    /// Changing the phone on record.
    PhoneChange,
    /// The yearly pension eligibility check (待遇资格认证), the pensioner's
    /// face, possibly on a helper's phone.
    EligibilityCheck,
}

/// The answer to starting an enrolment: the same shape for every identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentStarted {
    /// The enrolment. Later steps are signed by the key being enrolled, with
    /// this id in the `x-ecard-device` header.
    pub enrolment_id: String,
    /// What the face check must be bound to.
    pub face: FaceChallenge,
    /// Unix seconds after which the enrolment must start again.
    pub expires_at: u64,
}

/// `POST /v1/enrolments/{id}/presence`, and wherever a face result is
/// handed in: the face platform's signed result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceResultSubmission {
    /// The face platform's signed result, as the app received it.
    pub face_result: String,
}

/// After a passing face check: how the enrolment may finish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceConfirmed {
    /// The phone on record the one-time code went to, masked (none when
    /// no phone is on record: enrol at a counter or by approval).
    pub code_sent_to: Option<String>,
    /// Whether the account has enrolled devices that can approve this one.
    pub approval_possible: bool,
    /// Whether finishing sets the e-card PIN (a new account).
    pub pin_required: bool,
}

/// `POST /v1/enrolments/{id}/completion`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentCompletion {
    /// The one-time code from the SMS; none when an enrolled device approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_time_code: Option<String>,
    /// The new e-card PIN, for a new account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
}

/// The answer to a completed enrolment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentResponse {
    /// The resident's account.
    pub account_id: String,
    /// The person in the register.
    pub person_id: String,
    /// This device, for the `x-ecard-device` header.
    pub device_id: String,
    /// A device unlinked to keep within the cap of active devices, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unlinked_device: Option<String>,
}

/// A device asking to join the account, as an enrolled device sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct EnrolmentRequestView {
    /// The enrolment.
    pub enrolment_id: String,
    /// The new device's name.
    pub device_name: String,
    /// Its key suite.
    pub device_suite: Suite,
    /// When the face check passed.
    pub requested_at: u64,
    /// Until when it may be approved.
    pub expires_at: u64,
}

/// Acts that need the e-card PIN. The PIN is checked once, online, and
/// buys a grant for one act: acts that travel through the phone's outbox
/// carry the grant, so the PIN itself is never stored on the phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum PinAction {
    /// Unlink a device (解除关联).
    UnlinkDevice,
    /// Approve a new device.
    ApproveDevice,
    /// Delete the account.
    DeleteAccount,
    /// Release a loss report (解挂).
    ReleaseLoss,
    /// Accept acting for someone (ask for a mandate).
    AcceptMandate,
    /// Authorise someone to act for oneself (consent to a mandate).
    ConsentMandate,
    /// Change the phone on record.
    ChangePhone,
    /// Decide for a ward as their guardian: the e-card on the ward's own
    /// phone, the ward's PIN.
    ActForWard,
    /// Approve a scan-to-login (扫码登录) request of a relying party.
    ApproveLogin,
}

/// `POST /v1/me/pin/grants`: check the PIN for one act.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinGrantRequest {
    /// The e-card PIN.
    pub pin: String,
    /// The act it is for.
    pub action: PinAction,
}

/// A single-use grant for one act, valid for a few minutes, bound to the
/// account, the device and the act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinGrant {
    /// The grant, for the act's `pin_grant` field.
    pub pin_grant: String,
    /// The act.
    pub action: PinAction,
    /// Unix seconds after which it is refused.
    pub expires_at: u64,
}

/// The body of an act that needs only a PIN grant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinGranted {
    /// A grant from `POST /v1/me/pin/grants` for this act.
    pub pin_grant: String,
}

/// An enrolled device in the account's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DeviceView {
    /// The device.
    pub device_id: String,
    /// Its name.
    pub name: String,
    /// Its key suite.
    pub suite: Suite,
    /// When it was enrolled.
    pub enrolled_at: u64,
    /// When it last made a signed request.
    pub last_seen_at: Option<u64>,
    /// Whether this is the device asking.
    pub current: bool,
}

/// The answer to unlinking a device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct DeviceUnlinked {
    /// The device.
    pub device_id: String,
    /// When.
    pub unlinked_at: u64,
    /// Credentials revoked in the status list.
    pub credentials_revoked: u32,
}

/// `POST /v1/me/pin`: change the PIN knowing the current one.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinChange {
    /// The current PIN.
    pub current_pin: String,
    /// The new PIN.
    pub new_pin: String,
}

/// `POST /v1/me/face-challenges`: a challenge for a face check while signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceChallengeRequest {
    /// What the check is for (`pin_reset` or `phone_change`).
    pub purpose: FacePurpose,
}

/// `POST /v1/me/pin/reset`: a new PIN after a face check.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinReset {
    /// The face platform's signed result for a `pin_reset` challenge.
    pub face_result: String,
    /// The new PIN.
    pub new_pin: String,
}

/// `POST /v1/me/phone-changes`: start changing the phone on record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneChangeRequest {
    /// The new mobile number.
    pub new_phone: String,
    /// The face platform's signed result for a `phone_change` challenge.
    pub face_result: String,
    /// A grant for `change_phone`.
    pub pin_grant: String,
}

/// The answer to starting a phone change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PhoneChangeStarted {
    /// The change.
    pub change_id: String,
    /// The old phone the one-time code went to, masked.
    pub code_sent_to: String,
    /// Until when the code works.
    pub expires_at: u64,
}

/// `POST /v1/me/phone-changes/{id}/confirmation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneChangeConfirmation {
    /// The one-time code sent to the old phone.
    pub one_time_code: String,
}

/// What happened to the account that its devices are told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum NoticeKind {
    /// A device passed the face check and waits for approval or its code.
    EnrolmentRequested,
    /// A new device joined the account.
    DeviceEnrolled,
    /// A device was unlinked.
    DeviceUnlinked,
    /// The PIN was changed or reset.
    PinChanged,
    /// The PIN is locked after too many wrong tries.
    PinLocked,
    /// The phone on record changed.
    PhoneChanged,
}

/// One account notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[cfg_attr(feature = "typescript", ts(rename = "AccountNotice"))]
pub struct Notice {
    /// Increasing id; ask for those after the last one seen.
    pub notice_id: u64,
    /// What happened.
    pub kind: NoticeKind,
    /// The device concerned, by name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    /// When.
    pub at: u64,
}

/// The bodies that carry a PIN or a one-time code: the secret is wiped from
/// memory when the body is dropped, and `Debug` never shows it, so a body
/// logged by mistake leaks nothing.
mod secrets {
    use std::fmt;

    use zeroize::Zeroize;

    use super::{EnrolmentCompletion, PinChange, PinGrantRequest, PinReset};

    const HIDDEN: &str = "<hidden>";

    impl Drop for EnrolmentCompletion {
        fn drop(&mut self) {
            self.one_time_code.zeroize();
            self.pin.zeroize();
        }
    }

    impl fmt::Debug for EnrolmentCompletion {
        fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter
                .debug_struct("EnrolmentCompletion")
                .field(
                    "one_time_code",
                    &self.one_time_code.as_ref().map(|_| HIDDEN),
                )
                .field("pin", &self.pin.as_ref().map(|_| HIDDEN))
                .finish()
        }
    }

    impl Drop for PinGrantRequest {
        fn drop(&mut self) {
            self.pin.zeroize();
        }
    }

    impl fmt::Debug for PinGrantRequest {
        fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter
                .debug_struct("PinGrantRequest")
                .field("pin", &HIDDEN)
                .field("action", &self.action)
                .finish()
        }
    }

    impl Drop for PinChange {
        fn drop(&mut self) {
            self.current_pin.zeroize();
            self.new_pin.zeroize();
        }
    }

    impl fmt::Debug for PinChange {
        fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter
                .debug_struct("PinChange")
                .field("current_pin", &HIDDEN)
                .field("new_pin", &HIDDEN)
                .finish()
        }
    }

    impl Drop for PinReset {
        fn drop(&mut self) {
            self.new_pin.zeroize();
        }
    }

    impl fmt::Debug for PinReset {
        fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter
                .debug_struct("PinReset")
                .field("face_result", &self.face_result)
                .field("new_pin", &HIDDEN)
                .finish()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::identity::PinAction;

        #[test]
        fn debug_output_hides_pins_and_codes() {
            let shown = format!(
                "{:?} {:?} {:?} {:?}",
                PinGrantRequest {
                    pin: "135790".into(),
                    action: PinAction::ReleaseLoss,
                },
                PinChange {
                    current_pin: "135790".into(),
                    new_pin: "246802".into(),
                },
                PinReset {
                    face_result: "signed-result".into(),
                    new_pin: "246802".into(),
                },
                EnrolmentCompletion {
                    one_time_code: Some("482913".into()),
                    pin: Some("135790".into()),
                },
            );
            for secret in ["135790", "246802", "482913"] {
                assert!(!shown.contains(secret), "{shown}");
            }
            assert!(shown.contains("ReleaseLoss"));
        }
    }
}
