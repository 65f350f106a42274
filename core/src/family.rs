//! Family: mandates to act for someone (a guardian for a minor or newborn,
//! a family proxy for a relative with their consent), their consent (with
//! the relative's PIN on their phone, or their face on the helper's) and
//! revocation, and the platform's audit of who did what for whom.
//! Requests are checked locally first and sent through the outbox.

use std::sync::Arc;

use ecard_api::identity::{FaceChallenge, FaceResultSubmission, PinAction};
use ecard_api::paths;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    AuditEntry, Delegation, DelegationKind, DelegationRequest, Evidence, PersonIdentity,
    Relationship, Scope, WardECardRequest, WardPinRequest,
};

use crate::client::EcardClient;
use crate::error::ClientError;
use crate::events::ClientEvent;
use crate::identity::FaceCheck;
use crate::net::{ApiRequest, RetryPolicy};
use crate::workflows::{Submission, invalid, not_allowed};

/// Mandates of the client.
impl EcardClient {
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
        let today = self.china_today()?;
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
            paths::DELEGATIONS.into(),
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
            paths::with_id(paths::DELEGATION_CONSENT, delegation_id),
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
            paths::with_id(paths::DELEGATION_REVOKE, delegation_id),
            serde_json::json!({}),
            Some(delegation_id.into()),
            None,
        )
        .await
    }

    /// As a ward's guardian (under the guardian mandate `delegation_id`),
    /// allows the e-card on the ward's own phone, or withdraws it: the
    /// ward's codes then stop at once. Needs this account's PIN.
    pub async fn set_ward_e_card(
        &self,
        delegation_id: &str,
        allowed: bool,
        pin: &str,
    ) -> Result<Submission, ClientError> {
        let pin_grant = self.pin_grant(pin, PinAction::ActForWard).await?;
        let body = serde_json::to_value(WardECardRequest {
            allowed,
            pin_grant: Some(pin_grant),
        })
        .map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "mandate.ward_e_card",
            paths::with_id(paths::DELEGATION_WARD_E_CARD, delegation_id),
            body,
            Some(delegation_id.into()),
            None,
        )
        .await
    }

    /// As a ward's guardian, sets the e-card PIN of the ward's own account
    /// (where the rules reserve a minor's PIN to the guardian). Sent at
    /// once, never kept in the outbox: a PIN is not stored on the phone.
    pub async fn set_ward_pin(
        &self,
        delegation_id: &str,
        new_pin: &str,
        pin: &str,
    ) -> Result<(), ClientError> {
        let pin_grant = self.pin_grant(pin, PinAction::ActForWard).await?;
        let _: serde_json::Value = self
            .signed_post(
                paths::with_id(paths::DELEGATION_WARD_PIN, delegation_id),
                &WardPinRequest {
                    new_pin: new_pin.trim().to_owned(),
                    pin_grant: Some(pin_grant),
                },
            )
            .await?;
        Ok(())
    }

    /// Mandates the account holds or is the principal of.
    pub async fn mandates(&self) -> Result<Vec<Delegation>, ClientError> {
        let network = self.signed_network()?;
        match self
            .call(
                &network,
                &ApiRequest::get(paths::DELEGATIONS).signed(),
                RetryPolicy::INTERACTIVE,
            )
            .await
        {
            Ok(response) => {
                let mandates: Vec<Delegation> = response.json()?;
                for mandate in &mandates {
                    self.cache_workflow("mandate", &mandate.delegation_id, mandate)
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
            &ApiRequest::get(paths::AUDIT).signed(),
            RetryPolicy::INTERACTIVE,
        )
        .await?
        .json()
    }

    /// 亲情代办 "足不出户": the relative's face, captured on this (the
    /// helper's) phone, consents to the mandate this account asked for.
    /// `relative` names the relative as in the mandate request.
    pub async fn consent_mandate_by_face(
        &self,
        delegation_id: &str,
        relative: &PersonIdentity,
        face: Arc<dyn FaceCheck>,
    ) -> Result<ecard_api::resident::Delegation, ClientError> {
        let challenge: FaceChallenge = self
            .signed_post(
                paths::with_id(paths::DELEGATION_FACE_CHALLENGE, delegation_id),
                &serde_json::json!({}),
            )
            .await?;
        let face_result = self.face_of(face, relative, challenge).await?;
        let delegation = self
            .signed_post(
                paths::with_id(paths::DELEGATION_FACE_CONSENT, delegation_id),
                &FaceResultSubmission { face_result },
            )
            .await?;
        self.emit(ClientEvent::WorkflowChanged {
            id: delegation_id.to_owned(),
        });
        if self.refresh_profile().await.is_ok() {
            let _ = self.refresh_all_credentials().await;
        }
        Ok(delegation)
    }
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;
    use crate::ErrorCategory;
    use ecard_api::resident::DelegationStatus;

    use crate::test_platform::{TEST_PIN, with_enrolled};
    use crate::transport::faults::Fault;

    #[test]
    fn a_mandate_request_is_checked_locally_first() {
        with_enrolled("resident", |platform, client| async move {
            let elder = platform.persona("elder").await;
            let scopes = vec![Scope::Track];
            let no_scope = client
                .request_mandate(
                    DelegationKind::FamilyProxy,
                    elder.clone(),
                    None,
                    vec![],
                    None,
                    Some(Relationship::Parent),
                    TEST_PIN,
                )
                .await
                .unwrap_err();
            assert_eq!(no_scope.field().as_deref(), Some("scopes"));
            let no_relationship = client
                .request_mandate(
                    DelegationKind::FamilyProxy,
                    elder.clone(),
                    None,
                    scopes.clone(),
                    None,
                    None,
                    TEST_PIN,
                )
                .await
                .unwrap_err();
            assert_eq!(no_relationship.field().as_deref(), Some("relationship"));
            let adult_ward = client
                .request_mandate(
                    DelegationKind::Guardian,
                    elder,
                    Some(Evidence {
                        kind: "household_register".into(),
                        number: "360102099001".into(),
                    }),
                    scopes,
                    None,
                    None,
                    TEST_PIN,
                )
                .await
                .unwrap_err();
            assert_eq!(adult_ward.category(), ErrorCategory::NotAllowed);
            assert!(
                platform
                    .network
                    .seen(&Method::POST, "/v1/")
                    .iter()
                    .all(|call| !call.path.starts_with(paths::DELEGATIONS)
                        && !call.path.starts_with(paths::PIN_GRANTS))
            );
        });
    }

    #[test]
    fn a_relative_consents_by_face_on_the_helpers_phone_and_a_revocation_ends_it() {
        with_enrolled("resident", |platform, client| async move {
            let elder = platform.persona("elder").await;
            let requested = client
                .request_mandate(
                    DelegationKind::FamilyProxy,
                    elder.clone(),
                    None,
                    vec![Scope::ShowCode, Scope::Track],
                    None,
                    Some(Relationship::Child),
                    TEST_PIN,
                )
                .await
                .unwrap();
            let delegation_id = requested.delegation_id.clone().unwrap();
            let pending = client.mandates().await.unwrap();
            assert_eq!(pending.len(), 1);
            assert_eq!(pending[0].status, DelegationStatus::PendingConsent);
            // Nothing shows for her before she consents.
            assert!(client.snapshot().unwrap().cards.is_empty());

            let consented = client
                .consent_mandate_by_face(&delegation_id, &elder, platform.genuine_face())
                .await
                .unwrap();
            assert_eq!(consented.status, DelegationStatus::Active);
            let cards = client.snapshot().unwrap().cards;
            assert_eq!(cards.len(), 1);
            assert_eq!(cards[0].role, ecard_credential::HolderRole::Proxy);
            assert!(cards[0].credential_not_after.is_some());
            let code = client
                .current_code(
                    Some(cards[0].card_id.clone()),
                    ecard_credential::Purpose::Medical,
                )
                .await
                .unwrap();
            assert_eq!(code.on_behalf, ecard_credential::HolderRole::Proxy);

            // Read online, then offline from the cache.
            assert_eq!(
                client.mandates().await.unwrap()[0].status,
                DelegationStatus::Active
            );
            platform.network.set_down(Some(Fault::Unreachable));
            assert_eq!(
                client.mandates().await.unwrap()[0].status,
                DelegationStatus::Active
            );
            platform.network.set_down(None);

            let revoked = client.revoke_mandate(&delegation_id).await.unwrap();
            assert_eq!(
                revoked.delegation_id.as_deref(),
                Some(delegation_id.as_str())
            );
            assert_eq!(
                client.mandates().await.unwrap()[0].status,
                DelegationStatus::Revoked
            );
            assert!(client.snapshot().unwrap().cards.is_empty());
            let trail = client.audit_trail().await.unwrap();
            assert!(
                trail
                    .iter()
                    .any(|entry| entry.action.starts_with("mandate.")),
                "{trail:?}"
            );
        });
    }
}
