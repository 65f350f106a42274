//! Identity and account security at the edge: the app's face check as a
//! foreign trait, and the records of enrolment, devices, notices and phone
//! changes.
//!
//! The face check is the app's (活体检测 and comparison with the photo on
//! record, by the face platform's SDK): like the key store, the core calls
//! it from its blocking pool, never from the app's main thread, so an
//! implementation may block while the capture screen is shown. It hands
//! back the face platform's signed result untouched; the core never decides
//! that a face matched.

use std::sync::Arc;

use ecard_api::identity::{
    DeviceUnlinked, DeviceView, EnrolmentRequestView, FacePurpose, Notice, NoticeKind,
    PhoneChangeStarted, PinAction,
};
use ecard_core::{EnrolmentProgress, FaceCheckError, FaceCheckRequest};
use ecard_credential::Suite;

use crate::runtime::blocking_foreign;

/// Why a face check is run.
#[uniffi::remote(Enum)]
pub enum FacePurpose {
    /// Registering this device (enrolment).
    Enrolment,
    /// A relative consents to a mandate on the helper's phone (亲情代办).
    MandateConsent,
    /// Setting a new PIN after forgetting it.
    PinReset,
    /// Changing the phone on record.
    PhoneChange,
    /// The yearly pension eligibility check (待遇资格认证).
    EligibilityCheck,
}

/// What the app's face check must capture and bind its result to.
#[uniffi::remote(Record)]
pub struct FaceCheckRequest {
    /// Why the check runs.
    pub purpose: FacePurpose,
    /// Whose face: their document type …
    pub id_type: String,
    /// … and number, for the face platform's comparison with the photo on
    /// record (never show or log it).
    pub id_number: String,
    /// Their name, masked, for the capture screen ("请刘*本人正对屏幕").
    pub name_masked: String,
    /// The platform's single-use challenge.
    pub challenge: String,
    /// The binding of this device's key.
    pub device_binding: String,
}

/// Why the app's face check gave no result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum FaceCheckFailure {
    /// The person closed the capture or refused the camera.
    #[error("the face check was cancelled")]
    Cancelled,
    /// The face platform or the camera could not be used.
    #[error("the face check is unavailable: {reason}")]
    Unavailable {
        /// What failed (for logs; shown to nobody).
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for FaceCheckFailure {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> FaceCheckFailure {
        FaceCheckFailure::Unavailable {
            reason: format!("unexpected error in the app's face check: {}", error.reason),
        }
    }
}

impl From<FaceCheckFailure> for FaceCheckError {
    fn from(failure: FaceCheckFailure) -> FaceCheckError {
        match failure {
            FaceCheckFailure::Cancelled => FaceCheckError::Cancelled,
            FaceCheckFailure::Unavailable { reason } => FaceCheckError::Unavailable(reason),
        }
    }
}

/// The app's face check (the face platform's SDK), implemented by the app.
///
/// Called on a library thread, never the main one; may block while the
/// capture screen is shown. Return the face platform's signed result as
/// it came; throw `Cancelled` when the person closes the capture and
/// `Unavailable` when the camera or the face platform cannot be used.
#[uniffi::export(with_foreign)]
pub trait FaceCheck: Send + Sync {
    /// Runs a capture for `request` and returns the face platform's signed
    /// result, untouched.
    fn check(&self, request: FaceCheckRequest) -> Result<String, FaceCheckFailure>;
}

/// The app's face check seen as the core's.
pub(crate) struct ForeignFaceCheck(pub(crate) Arc<dyn FaceCheck>);

impl ecard_core::FaceCheck for ForeignFaceCheck {
    fn check(&self, request: FaceCheckRequest) -> Result<String, FaceCheckError> {
        Ok(blocking_foreign(|| self.0.check(request))?)
    }
}

/// The app's face check as the core takes it.
pub(crate) fn core_face_check(face: Arc<dyn FaceCheck>) -> Arc<dyn ecard_core::FaceCheck> {
    Arc::new(ForeignFaceCheck(face))
}

/// Where an enrolment stands, for the UI's next step.
#[uniffi::remote(Record)]
pub struct EnrolmentProgress {
    /// The enrolment.
    pub enrolment_id: String,
    /// After the face check: the masked phone the code went to (none when
    /// no phone is on record: enrol at a counter or by approval).
    pub code_sent_to: Option<String>,
    /// After the face check: whether an enrolled device can approve instead.
    pub approval_possible: bool,
    /// After the face check: whether finishing sets the e-card PIN.
    pub pin_required: bool,
    /// Until when the enrolment may be finished (Unix seconds).
    pub expires_at: u64,
}

/// Acts that need the e-card PIN (for `pin_grant`).
#[uniffi::remote(Enum)]
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
    /// Decide for a ward as their guardian (the e-card on the ward's phone,
    /// the ward's PIN).
    ActForWard,
    /// Approve a scan-to-login (扫码登录) request of a relying party.
    ApproveLogin,
}

/// An enrolled device in the account's list.
#[uniffi::remote(Record)]
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
#[uniffi::remote(Record)]
pub struct DeviceUnlinked {
    /// The device.
    pub device_id: String,
    /// When.
    pub unlinked_at: u64,
    /// Credentials revoked in the status list.
    pub credentials_revoked: u32,
}

/// A device asking to join the account, as an enrolled device sees it.
#[uniffi::remote(Record)]
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

/// The answer to starting a phone change.
#[uniffi::remote(Record)]
pub struct PhoneChangeStarted {
    /// The change.
    pub change_id: String,
    /// The old phone the one-time code went to, masked.
    pub code_sent_to: String,
    /// Until when the code works.
    pub expires_at: u64,
}

/// What happened to the account. (Named `AccountNoticeKind` in the
/// bindings: the apps' screen models have their own notices.)
#[uniffi::remote(Enum)]
#[uniffi(name = "AccountNoticeKind")]
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

/// One account notice (a device name at most; no personal data). Named
/// `AccountNotice` in the bindings.
#[uniffi::remote(Record)]
#[uniffi(name = "AccountNotice")]
pub struct Notice {
    /// Increasing id.
    pub notice_id: u64,
    /// What happened.
    pub kind: NoticeKind,
    /// The device concerned, by name, if any.
    pub device_name: Option<String>,
    /// When (Unix seconds).
    pub at: u64,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    struct Refusing(FaceCheckFailure);

    impl FaceCheck for Refusing {
        fn check(&self, _request: FaceCheckRequest) -> Result<String, FaceCheckFailure> {
            Err(self.0.clone())
        }
    }

    fn request() -> FaceCheckRequest {
        FaceCheckRequest {
            purpose: FacePurpose::Enrolment,
            id_type: "resident_id".into(),
            id_number: "x".into(),
            name_masked: "刘**".into(),
            challenge: "c".into(),
            device_binding: "b".into(),
        }
    }

    #[test]
    fn face_check_failures_reach_the_core_with_their_meaning() {
        let cancelled = core_face_check(Arc::new(Refusing(FaceCheckFailure::Cancelled)));
        assert_eq!(cancelled.check(request()), Err(FaceCheckError::Cancelled));
        let down = core_face_check(Arc::new(Refusing(FaceCheckFailure::Unavailable {
            reason: "camera".into(),
        })));
        assert_eq!(
            down.check(request()),
            Err(FaceCheckError::Unavailable("camera".into()))
        );
    }
}
