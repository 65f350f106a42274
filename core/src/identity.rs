//! Identity and account security on the phone: enrolment by face check and
//! one-time code (or approval from an enrolled device), the e-card PIN,
//! the device list with unlinking, account notices, the phone on record,
//! and a relative's consent captured on the helper's phone.
//!
//! The face check is the app's: it implements [`FaceCheck`] around the face
//! platform's SDK (a foreign interface in the bindings, like the key store)
//! and hands back the face platform's signed result untouched. The core
//! never decides that a face matched, and never stores the PIN: a PIN is
//! exchanged online for a single-use grant for one act
//! ([`EcardClient::pin_grant`]), and only the grant may wait in the outbox.

use ecard_api::paths;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::identity::{
    DeviceUnlinked, DeviceView, EnrolmentCompletion, EnrolmentRequest, EnrolmentRequestView,
    EnrolmentResponse, EnrolmentStarted, FaceChallenge, FaceChallengeRequest, FacePurpose,
    FaceResultSubmission, Notice, PhoneChangeConfirmation, PhoneChangeRequest, PhoneChangeStarted,
    PinAction, PinChange, PinGrant, PinGrantRequest, PinGranted, PinReset, PresenceConfirmed,
};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::PersonIdentity;

use crate::client::{DEVICE_KEY_ALIAS, EcardClient, Session, blocking, signer};
use crate::error::ClientError;
use crate::events::ClientEvent;
use crate::net::{ApiRequest, RetryPolicy, new_idempotency_key};

/// What the app's face check must capture and bind its result to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct FaceCheckRequest {
    /// Why the check runs.
    pub purpose: FacePurpose,
    /// Whose face: their document type …
    pub id_type: String,
    /// … and number, for the face platform's comparison with the photo on
    /// record (never shown or logged by the core).
    pub id_number: String,
    /// Their name, masked, for the capture screen ("请张*本人正对屏幕").
    pub name_masked: String,
    /// The platform's single-use challenge.
    pub challenge: String,
    /// The binding of this device's key.
    pub device_binding: String,
}

/// Why the app's face check gave no result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaceCheckError {
    /// The person closed the capture or refused the camera.
    #[error("the face check was cancelled")]
    Cancelled,
    /// The face platform or the camera could not be used; try again later.
    #[error("the face check is unavailable: {0}")]
    Unavailable(String),
}

/// The app's face check (活体检测 and comparison with the photo on record,
/// by the national or provincial face platform). Called off the main
/// thread; may block while the capture screen is shown.
pub trait FaceCheck: Send + Sync {
    /// Runs a capture for `request` and returns the face platform's signed
    /// result, untouched.
    fn check(&self, request: FaceCheckRequest) -> Result<String, FaceCheckError>;
}

/// An enrolment in progress on this device.
#[derive(Clone, Debug)]
pub struct PendingEnrolment {
    started: EnrolmentStarted,
    identity: PersonIdentity,
}

/// Where an enrolment stands, for the UI's next step.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct EnrolmentProgress {
    /// The enrolment.
    pub enrolment_id: String,
    /// After the face check: the masked phone the code went to.
    pub code_sent_to: Option<String>,
    /// After the face check: whether an enrolled device can approve instead.
    pub approval_possible: bool,
    /// After the face check: whether finishing sets the e-card PIN.
    pub pin_required: bool,
    /// Until when the enrolment may be finished.
    pub expires_at: u64,
}

fn refused_locally(field: &str, reason: &str) -> ClientError {
    ClientError::InvalidChoice {
        field: field.into(),
        reason: reason.into(),
    }
}

impl EcardClient {
    fn enrolment(&self) -> Result<PendingEnrolment, ClientError> {
        self.inner
            .pending_enrolment
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| refused_locally("enrolment", "no enrolment in progress"))
    }

    /// Step 1 of enrolment: checks the document locally, makes the device
    /// key if needed and names the person and the key to the platform. The
    /// answer is the same whether or not the person exists.
    pub async fn begin_enrolment(
        &self,
        identity: PersonIdentity,
    ) -> Result<EnrolmentProgress, ClientError> {
        let document_type = ecard_documents::DocumentType::from_name(&identity.id_type)
            .ok_or_else(|| refused_locally("id_type", "unknown document type"))?;
        let today = self.china_today()?;
        let document = ecard_documents::validate(document_type, &identity.id_number, today)
            .map_err(|error| ClientError::InvalidInput {
                field: "id_number".into(),
                error,
            })?;
        if identity.name.trim().is_empty() {
            return Err(refused_locally("name", "empty"));
        }
        let identity = PersonIdentity {
            id_number: document.number().to_owned(),
            name: identity.name.trim().to_owned(),
            ..identity
        };
        // A device enrolled for someone else makes a fresh key, so its
        // current session keeps signing until the new one is complete.
        let fresh_key = self.session().is_some();
        let mut started = None;
        for attempt in 0..2 {
            let suite = self.inner.config.device_suite;
            let regenerate = fresh_key || attempt > 0;
            let public_key = blocking(&self.inner, move |inner| {
                Ok(match inner.key_store.public_key(DEVICE_KEY_ALIAS) {
                    Ok(key) if key.suite() == suite && !regenerate => key,
                    _ => inner.key_store.generate_key(DEVICE_KEY_ALIAS, suite)?,
                })
            })
            .await?;
            let request = EnrolmentRequest {
                identity: identity.clone(),
                device_suite: public_key.suite(),
                device_public_key: URL_SAFE_NO_PAD.encode(public_key.as_bytes()),
                device_name: self.inner.config.device_name.clone(),
            };
            let request = ApiRequest::post(paths::ENROLMENTS, &request, new_idempotency_key()?)?;
            match self
                .call(&self.inner.network, &request, RetryPolicy::INTERACTIVE)
                .await
            {
                Ok(response) => {
                    started = Some(response.json::<EnrolmentStarted>()?);
                    break;
                }
                // The key is still enrolled (app data cleared): make another.
                Err(ClientError::Refused {
                    code: ProblemCode::InvalidField,
                    field: Some(field),
                    ..
                }) if field == "device_public_key" && attempt == 0 => {}
                Err(error) => return Err(error),
            }
        }
        let started =
            started.ok_or_else(|| ClientError::Internal("enrolment did not start".into()))?;
        let progress = EnrolmentProgress {
            enrolment_id: started.enrolment_id.clone(),
            code_sent_to: None,
            approval_possible: false,
            pin_required: false,
            expires_at: started.expires_at,
        };
        *self
            .inner
            .pending_enrolment
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(PendingEnrolment { started, identity });
        Ok(progress)
    }

    /// Runs the app's face check of `person` for a platform challenge, off
    /// the async threads.
    pub(crate) async fn face_of(
        &self,
        face: Arc<dyn FaceCheck>,
        person: &PersonIdentity,
        challenge: FaceChallenge,
    ) -> Result<String, ClientError> {
        let request = FaceCheckRequest {
            purpose: challenge.purpose,
            id_type: person.id_type.clone(),
            id_number: person.id_number.trim().to_ascii_uppercase(),
            name_masked: ecard_documents::mask_name(&person.name),
            challenge: challenge.challenge,
            device_binding: challenge.device_binding,
        };
        blocking(&self.inner, move |_| {
            face.check(request).map_err(ClientError::FaceCheck)
        })
        .await
    }

    /// Step 2: the face check of the person enrolling. On success the
    /// platform texts a one-time code to the phone on record and tells the
    /// account's enrolled devices.
    pub async fn confirm_presence(
        &self,
        face: Arc<dyn FaceCheck>,
    ) -> Result<EnrolmentProgress, ClientError> {
        let pending = self.enrolment()?;
        let face_result = self
            .face_of(face, &pending.identity, pending.started.face.clone())
            .await?;
        let enrolment_id = pending.started.enrolment_id.clone();
        let network = self
            .inner
            .network
            .with_signer(signer(&self.inner, &enrolment_id));
        let request = ApiRequest::post(
            paths::with_id(paths::ENROLMENT_PRESENCE, &enrolment_id),
            &FaceResultSubmission { face_result },
            new_idempotency_key()?,
        )?
        .signed();
        let confirmed: PresenceConfirmed = self
            .call(&network, &request, RetryPolicy::INTERACTIVE)
            .await?
            .json()?;
        Ok(EnrolmentProgress {
            enrolment_id,
            code_sent_to: confirmed.code_sent_to,
            approval_possible: confirmed.approval_possible,
            pin_required: confirmed.pin_required,
            expires_at: pending.started.expires_at,
        })
    }

    /// Step 3: finishes with the one-time code (or, with `None`, after an
    /// enrolled device approved), setting the e-card PIN of a new account.
    pub async fn complete_enrolment(
        &self,
        one_time_code: Option<String>,
        pin: Option<String>,
    ) -> Result<Session, ClientError> {
        let pending = self.enrolment()?;
        let enrolment_id = pending.started.enrolment_id.clone();
        let network = self
            .inner
            .network
            .with_signer(signer(&self.inner, &enrolment_id));
        let request = ApiRequest::post(
            paths::with_id(paths::ENROLMENT_COMPLETION, &enrolment_id),
            &EnrolmentCompletion { one_time_code, pin },
            new_idempotency_key()?,
        )?
        .signed();
        let response: EnrolmentResponse = self
            .call(&network, &request, RetryPolicy::INTERACTIVE)
            .await?
            .json()?;
        self.inner
            .pending_enrolment
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let session = Session {
            account_id: response.account_id,
            person_id: response.person_id,
            device_id: response.device_id,
            identity: pending.identity,
        };
        self.install_session(session.clone()).await?;
        Ok(session)
    }

    /// Exchanges the PIN for a single-use grant for one act (online only).
    pub async fn pin_grant(&self, pin: &str, action: PinAction) -> Result<String, ClientError> {
        let pin = pin.trim();
        if pin.len() != ecard_api::identity::PIN_DIGITS
            || !pin.bytes().all(|byte| byte.is_ascii_digit())
        {
            return Err(refused_locally("pin", "six digits"));
        }
        let network = self.signed_network()?;
        let request = ApiRequest::post(
            paths::PIN_GRANTS,
            &PinGrantRequest {
                pin: pin.to_owned(),
                action,
            },
            new_idempotency_key()?,
        )?
        .signed();
        let grant: PinGrant = self
            .call(&network, &request, RetryPolicy::INTERACTIVE)
            .await?
            .json()?;
        Ok(grant.pin_grant)
    }

    pub(crate) async fn signed_post<T: serde::Serialize, R: serde::de::DeserializeOwned>(
        &self,
        path: String,
        body: &T,
    ) -> Result<R, ClientError> {
        let network = self.signed_network()?;
        let request = ApiRequest::post(path, body, new_idempotency_key()?)?.signed();
        self.call(&network, &request, RetryPolicy::INTERACTIVE)
            .await?
            .json()
    }

    pub(crate) async fn signed_get<R: serde::de::DeserializeOwned>(
        &self,
        path: String,
    ) -> Result<R, ClientError> {
        let network = self.signed_network()?;
        self.call(
            &network,
            &ApiRequest::get(path).signed(),
            RetryPolicy::INTERACTIVE,
        )
        .await?
        .json()
    }

    /// The devices where this e-card is signed in.
    pub async fn devices(&self) -> Result<Vec<DeviceView>, ClientError> {
        self.signed_get(paths::MY_DEVICES.into()).await
    }

    /// Unlinks a device (解除关联): its codes stop at every terminal that
    /// fetches the status list, and it can no longer sign in.
    pub async fn unlink_device(
        &self,
        device_id: &str,
        pin: &str,
    ) -> Result<DeviceUnlinked, ClientError> {
        let pin_grant = self.pin_grant(pin, PinAction::UnlinkDevice).await?;
        let unlinked: DeviceUnlinked = self
            .signed_post(
                paths::with_id(paths::DEVICE_UNLINK, device_id),
                &PinGranted { pin_grant },
            )
            .await?;
        self.check_notices().await.ok();
        Ok(unlinked)
    }

    /// Devices of this account holder that passed a face check and wait
    /// for approval.
    pub async fn enrolment_requests(&self) -> Result<Vec<EnrolmentRequestView>, ClientError> {
        self.signed_get(paths::ENROLMENT_REQUESTS.into()).await
    }

    /// Approves a new device of this account holder.
    pub async fn approve_enrolment(
        &self,
        enrolment_id: &str,
        pin: &str,
    ) -> Result<(), ClientError> {
        let pin_grant = self.pin_grant(pin, PinAction::ApproveDevice).await?;
        let _: serde_json::Value = self
            .signed_post(
                paths::with_id(paths::ENROLMENT_REQUEST_APPROVAL, enrolment_id),
                &PinGranted { pin_grant },
            )
            .await?;
        Ok(())
    }

    /// Fetches account notices not seen yet and emits each as
    /// [`ClientEvent::AccountNotice`] (a new device, an unlinked one, a
    /// locked PIN …). The background task calls it too.
    pub async fn check_notices(&self) -> Result<Vec<Notice>, ClientError> {
        use std::sync::atomic::Ordering;
        let after = self.inner.last_notice.load(Ordering::Relaxed);
        let notices: Vec<Notice> = self
            .signed_get(format!("{}?after={after}", paths::MY_NOTICES))
            .await?;
        if let Some(last) = notices.iter().map(|notice| notice.notice_id).max() {
            self.inner.last_notice.fetch_max(last, Ordering::Relaxed);
        }
        for notice in &notices {
            self.emit(ClientEvent::AccountNotice {
                notice: notice.clone(),
            });
        }
        Ok(notices)
    }

    /// Changes the PIN knowing the current one.
    pub async fn change_pin(&self, current_pin: &str, new_pin: &str) -> Result<(), ClientError> {
        self.ensure_may_set_own_pin()?;
        let _: serde_json::Value = self
            .signed_post(
                paths::PIN.into(),
                &PinChange {
                    current_pin: current_pin.trim().to_owned(),
                    new_pin: new_pin.trim().to_owned(),
                },
            )
            .await?;
        Ok(())
    }

    /// Refuses a minor's own PIN change or reset where the rules reserve it
    /// to the guardian (who sets it with [`EcardClient::set_ward_pin`]).
    fn ensure_may_set_own_pin(&self) -> Result<(), ClientError> {
        let Some((age, minors)) = self.minor_holder()? else {
            return Ok(());
        };
        if minors.may_set_own_pin(age, true) {
            return Ok(());
        }
        Err(crate::workflows::guardian_required())
    }

    async fn account_face_check(
        &self,
        face: Arc<dyn FaceCheck>,
        purpose: FacePurpose,
    ) -> Result<String, ClientError> {
        let session = self.session().ok_or(ClientError::NotEnrolled)?;
        let challenge: FaceChallenge = self
            .signed_post(
                paths::FACE_CHALLENGES.into(),
                &FaceChallengeRequest { purpose },
            )
            .await?;
        self.face_of(face, &session.identity, challenge).await
    }

    /// Sets a new PIN after a face check of the account holder (a forgotten
    /// or locked PIN).
    pub async fn reset_pin(
        &self,
        face: Arc<dyn FaceCheck>,
        new_pin: &str,
    ) -> Result<(), ClientError> {
        // Before the face capture: a minor's PIN may be the guardian's to set.
        self.ensure_may_set_own_pin()?;
        let face_result = self.account_face_check(face, FacePurpose::PinReset).await?;
        let _: serde_json::Value = self
            .signed_post(
                paths::PIN_RESET.into(),
                &PinReset {
                    face_result,
                    new_pin: new_pin.trim().to_owned(),
                },
            )
            .await?;
        Ok(())
    }

    /// Starts changing the phone on record: PIN, face check, then a code to
    /// the old phone ([`EcardClient::confirm_phone_change`]).
    pub async fn change_phone(
        &self,
        new_phone: &str,
        face: Arc<dyn FaceCheck>,
        pin: &str,
    ) -> Result<PhoneChangeStarted, ClientError> {
        let phone = ecard_documents::validate_phone(new_phone).map_err(|error| {
            ClientError::InvalidInput {
                field: "new_phone".into(),
                error,
            }
        })?;
        let pin_grant = self.pin_grant(pin, PinAction::ChangePhone).await?;
        let face_result = self
            .account_face_check(face, FacePurpose::PhoneChange)
            .await?;
        self.signed_post(
            paths::PHONE_CHANGES.into(),
            &PhoneChangeRequest {
                new_phone: phone.number().to_owned(),
                face_result,
                pin_grant,
            },
        )
        .await
    }

    /// Finishes a phone change with the code sent to the old phone.
    pub async fn confirm_phone_change(
        &self,
        change_id: &str,
        one_time_code: &str,
    ) -> Result<(), ClientError> {
        let _: serde_json::Value = self
            .signed_post(
                paths::with_id(paths::PHONE_CHANGE_CONFIRMATION, change_id),
                &PhoneChangeConfirmation {
                    one_time_code: one_time_code.trim().to_owned(),
                },
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;
    use crate::test_platform::{TEST_PIN, TestPlatform, block_on, with_enrolled};

    #[test]
    fn enrolment_installs_a_session_that_survives_a_restart() {
        let platform = TestPlatform::start();
        let data = tempfile::tempdir().unwrap();
        let session = block_on(async {
            let client = platform.client(data.path()).await;
            assert!(matches!(
                client.refresh_profile().await,
                Err(ClientError::NotEnrolled)
            ));
            platform.enrol(&client, "elder").await;
            let session = client.session().unwrap();
            assert_eq!(
                session.identity.id_number,
                platform.persona("elder").await.id_number
            );
            assert!(client.snapshot().unwrap().enrolled);
            session
        });
        block_on(async {
            let reopened = platform.client(data.path()).await;
            assert_eq!(reopened.session(), Some(session));
            // The restored session signs: the profile reads at once.
            assert!(reopened.refresh_profile().await.is_ok());
        });
    }

    #[test]
    fn a_pin_is_checked_for_shape_here_and_for_truth_by_the_platform() {
        with_enrolled("resident", |platform, client| async move {
            let short = client
                .pin_grant("123", PinAction::ReleaseLoss)
                .await
                .unwrap_err();
            assert_eq!(short.field().as_deref(), Some("pin"));
            assert!(
                platform
                    .network
                    .seen(&Method::POST, paths::PIN_GRANTS)
                    .is_empty()
            );
            let wrong = client
                .pin_grant("000000", PinAction::ReleaseLoss)
                .await
                .unwrap_err();
            assert_eq!(wrong.code(), "pin_wrong");
            // A refusal is not retried.
            assert_eq!(
                platform
                    .network
                    .seen(&Method::POST, paths::PIN_GRANTS)
                    .len(),
                1
            );
            let grant = client
                .pin_grant(TEST_PIN, PinAction::ReleaseLoss)
                .await
                .unwrap();
            assert!(!grant.is_empty());
            let keys: Vec<Option<String>> = platform
                .network
                .seen(&Method::POST, paths::PIN_GRANTS)
                .into_iter()
                .map(|call| call.idempotency_key)
                .collect();
            assert_eq!(keys.len(), 2);
            assert_ne!(keys[0], keys[1], "each grant is a new request");
        });
    }
}
