//! Pension eligibility (待遇资格认证) on the phone: where the pensioner
//! stands in the yearly cycle, reminders before the due date as core
//! events, and the certification by face — on the pensioner's own phone,
//! or on a family member's phone under a mandate with the `eligibility`
//! scope, with the pensioner's face (the platform names the helper in the
//! audit trail and refuses the helper's own face).
//!
//! The status is cached sealed like the other personal data, so the app
//! shows the due date offline and the reminders fire from the cache: the
//! days of the reminders are known when the status is fetched, so a phone
//! that stays offline still reminds on the right day. Each reminder is
//! told once (remembered per person, cycle and reminder).

use std::sync::Arc;

use ecard_api::eligibility::{
    EligibilityCheck, EligibilityCheckRequest, EligibilityState, EligibilityStatus,
};
use ecard_api::identity::FaceResultSubmission;
use ecard_api::paths;
use ecard_api::resident::PersonIdentity;
use serde::{Deserialize, Serialize};

use crate::client::{EcardClient, blocking};
use crate::error::ClientError;
use crate::events::ClientEvent;
use crate::identity::FaceCheck;
use crate::workflows::{Freshness, access_withdrawn, for_person};

/// The workflow-cache kind of eligibility statuses (one per person).
const KIND: &str = "eligibility";
/// Prefix of the `meta` keys remembering the reminders told.
const REMINDED: &str = "eligibility_reminded";

/// Where a pensioner stands, and how fresh that is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct EligibilityView {
    /// The status as the platform gave it.
    pub status: EligibilityStatus,
    /// Whether something is to be done now: due, overdue or suspended.
    pub action_needed: bool,
    /// How fresh it is.
    pub freshness: Freshness,
}

fn needs_action(state: EligibilityState) -> bool {
    matches!(
        state,
        EligibilityState::Due | EligibilityState::Overdue | EligibilityState::Suspended
    )
}

/// Pension eligibility of the client.
impl EcardClient {
    fn eligibility_view(&self, status: EligibilityStatus, freshness: Freshness) -> EligibilityView {
        EligibilityView {
            action_needed: needs_action(status.state),
            status,
            freshness,
        }
    }

    async fn keep_eligibility(&self, status: &EligibilityStatus) -> Result<(), ClientError> {
        self.cache_workflow(KIND, &status.person_id, status).await
    }

    /// The eligibility of `person_id` (the account holder when `None`;
    /// someone else's needs a mandate with the `eligibility` scope).
    /// Offline, the status last fetched. Tells the reminders that have come.
    pub async fn eligibility(
        &self,
        person_id: Option<String>,
    ) -> Result<EligibilityView, ClientError> {
        let person = self.person_or_holder(person_id.as_deref())?;
        let fetched: Result<EligibilityStatus, ClientError> = self
            .signed_get(for_person(paths::MY_ELIGIBILITY, person_id.as_deref()))
            .await;
        let view = match fetched {
            Ok(status) => {
                if status.person_id != person {
                    return Err(ClientError::BadReply("the status of someone else".into()));
                }
                self.keep_eligibility(&status).await?;
                self.eligibility_view(status, self.freshness(self.trusted_now(), false))
            }
            Err(error) => {
                let cached = self.eligibility_cached(Some(&person))?;
                match (error, cached) {
                    (ClientError::Offline(_) | ClientError::Timeout, Some(view)) => view,
                    (error, _) => {
                        if access_withdrawn(&error) {
                            self.forget_workflow(KIND, &person).await?;
                        }
                        return Err(error);
                    }
                }
            }
        };
        self.remind_eligibility().await?;
        Ok(view)
    }

    /// The eligibility of `person_id` (the account holder when `None`) as
    /// last fetched. Local I/O only.
    pub fn eligibility_cached(
        &self,
        person_id: Option<&str>,
    ) -> Result<Option<EligibilityView>, ClientError> {
        let person = self.person_or_holder(person_id)?;
        Ok(self
            .cached_workflow_entry::<EligibilityStatus>(KIND, &person)?
            .map(|(status, fetched_at)| {
                self.eligibility_view(status, self.freshness(fetched_at, true))
            }))
    }

    /// Every eligibility status this device knows (for the export).
    pub(crate) fn all_cached_eligibility(&self) -> Result<Vec<EligibilityStatus>, ClientError> {
        self.cached_workflows(KIND)
    }

    /// Certifies `person_id`'s eligibility (the account holder when
    /// `None`) by a face check of `pensioner` on this phone. For a relative
    /// this account holds an `eligibility` mandate for, `pensioner` is the
    /// relative's identity and the face must be theirs: the helper's own
    /// face is refused (`identity_not_verified`) and nothing is certified.
    pub async fn certify_eligibility(
        &self,
        person_id: Option<String>,
        pensioner: PersonIdentity,
        face: Arc<dyn FaceCheck>,
    ) -> Result<EligibilityView, ClientError> {
        let person = self.person_or_holder(person_id.as_deref())?;
        let check: EligibilityCheck = self
            .signed_post(
                paths::ELIGIBILITY_CHECKS.to_owned(),
                &EligibilityCheckRequest {
                    person_id: person.clone(),
                },
            )
            .await?;
        if check.person_id != person {
            return Err(ClientError::BadReply("a check for someone else".into()));
        }
        let face_result = self.face_of(face, &pensioner, check.face).await?;
        let status: EligibilityStatus = self
            .signed_post(
                paths::with_id(paths::ELIGIBILITY_CHECK_FACE, &check.check_id),
                &FaceResultSubmission { face_result },
            )
            .await?;
        self.keep_eligibility(&status).await?;
        self.emit(ClientEvent::WorkflowChanged { id: check.check_id });
        Ok(self.eligibility_view(status, self.freshness(self.trusted_now(), false)))
    }

    /// Tells (as [`ClientEvent::EligibilityReminder`]) each reminder of the
    /// cached statuses whose day has come and that was not told before,
    /// and, once, a suspension of payments. Local I/O only; the background
    /// task runs it on every round.
    pub async fn remind_eligibility(&self) -> Result<u32, ClientError> {
        let today = ecard_documents::Date::in_china_at(self.trusted_now())
            .map(|day| day.to_string())
            .unwrap_or_default();
        let mut due = Vec::new();
        for status in self.all_cached_eligibility()? {
            let Some(due_by) = status.due_by.clone() else {
                continue;
            };
            // The latest reminder whose day has come (one told late stands
            // for the earlier ones).
            let latest = status
                .reminders
                .iter()
                .filter(|reminder| reminder.on.as_str() <= today.as_str())
                .max_by(|a, b| a.on.cmp(&b.on));
            if let Some(reminder) = latest
                && !status.payments_suspended
            {
                due.push((
                    format!(
                        "{REMINDED}:{}:{due_by}:{}",
                        status.person_id, reminder.days_before
                    ),
                    ClientEvent::EligibilityReminder {
                        person_id: status.person_id.clone(),
                        due_by: due_by.clone(),
                        days_before: reminder.days_before,
                        suspended: false,
                    },
                ));
            }
            if status.payments_suspended {
                let since = status.suspended_since.unwrap_or_default();
                due.push((
                    format!("{REMINDED}:{}:suspended:{since}", status.person_id),
                    ClientEvent::EligibilityReminder {
                        person_id: status.person_id.clone(),
                        due_by,
                        days_before: 0,
                        suspended: true,
                    },
                ));
            }
        }
        let keys: Vec<String> = due.iter().map(|(key, _)| key.clone()).collect();
        let fresh = blocking(&self.inner, move |inner| {
            let mut fresh = Vec::new();
            inner.store.write(|tx| {
                for key in keys {
                    let told = tx.execute(
                        "INSERT INTO meta (key, value) VALUES (?1, '1') ON CONFLICT(key) DO NOTHING",
                        rusqlite::params![key],
                    )?;
                    fresh.push(told == 1);
                }
                Ok(())
            })?;
            Ok(fresh)
        })
        .await?;
        let mut told = 0;
        for ((_, event), fresh) in due.into_iter().zip(fresh) {
            if fresh {
                self.emit(event);
                told += 1;
            }
        }
        Ok(told)
    }
}

#[cfg(test)]
mod family_tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use ecard_api::eligibility::EligibilityState;
    use ecard_api::problem::ProblemCode;
    use ecard_api::resident::{DelegationKind, Relationship, Scope};
    use tokio::sync::broadcast::Receiver;

    use crate::error::ClientError;
    use crate::events::ClientEvent;
    use crate::test_platform::{TEST_PIN, with_enrolled};
    use crate::transport::faults::Fault;

    /// The reminders told since the last call: (days before, suspended).
    fn reminders(events: &mut Receiver<ClientEvent>) -> Vec<(u32, bool)> {
        let mut told = Vec::new();
        while let Ok(event) = events.try_recv() {
            if let ClientEvent::EligibilityReminder {
                days_before,
                suspended,
                ..
            } = event
            {
                told.push((days_before, suspended));
            }
        }
        told
    }

    #[test]
    fn eligibility_a_daughter_certifies_her_mother_with_her_mothers_face_after_reminders() {
        with_enrolled("resident", |platform, client| async move {
            let mother = platform.persona("elder").await;
            let daughter = platform.persona("resident").await;
            let requested = client
                .request_mandate(
                    DelegationKind::FamilyProxy,
                    mother.clone(),
                    None,
                    vec![Scope::Eligibility, Scope::Records],
                    None,
                    Some(Relationship::Child),
                    TEST_PIN,
                )
                .await
                .unwrap();
            client
                .consent_mandate_by_face(
                    &requested.delegation_id.unwrap(),
                    &mother,
                    platform.genuine_face(),
                )
                .await
                .unwrap();
            let profile = client.cached_profile().unwrap().unwrap();
            let mother_id = profile.principals[0].person_id.clone();

            // The daughter draws no pension; her mother is certified for
            // about a month more.
            let own = client.eligibility(None).await.unwrap();
            assert_eq!(own.status.state, EligibilityState::NotRequired);
            assert!(!own.action_needed);
            let mut events = client.subscribe();
            let certified = client.eligibility(Some(mother_id.clone())).await.unwrap();
            assert_eq!(certified.status.state, EligibilityState::Certified);
            assert!(reminders(&mut events).is_empty());

            // Within 30 days of the due date: due, and told once.
            platform.advance_days(6).await;
            let due = client.eligibility(Some(mother_id.clone())).await.unwrap();
            assert_eq!(due.status.state, EligibilityState::Due);
            assert!(due.action_needed);
            assert_eq!(reminders(&mut events), [(30, false)]);
            assert_eq!(client.remind_eligibility().await.unwrap(), 0);

            // A week before, offline: the reminder comes from the cache.
            platform.advance_days(23).await;
            client.check_notices().await.unwrap();
            platform.network.set_down(Some(Fault::Unreachable));
            assert_eq!(client.remind_eligibility().await.unwrap(), 1);
            assert_eq!(reminders(&mut events), [(7, false)]);
            let offline = client.eligibility(Some(mother_id.clone())).await.unwrap();
            assert!(offline.freshness.offline && offline.action_needed);
            platform.network.set_down(None);

            // The daughter's own face: refused, nothing certified.
            let refused = client
                .certify_eligibility(
                    Some(mother_id.clone()),
                    daughter.clone(),
                    platform.genuine_face(),
                )
                .await
                .unwrap_err();
            assert!(
                matches!(
                    refused,
                    ClientError::Refused {
                        code: ProblemCode::IdentityNotVerified,
                        ..
                    }
                ),
                "{refused:?}"
            );
            assert_eq!(
                client
                    .eligibility(Some(mother_id.clone()))
                    .await
                    .unwrap()
                    .status
                    .state,
                EligibilityState::Due
            );

            // Her mother's face on the daughter's phone: certified, and
            // the certification names the daughter as the helper.
            let done = client
                .certify_eligibility(Some(mother_id.clone()), mother, platform.genuine_face())
                .await
                .unwrap();
            assert_eq!(done.status.state, EligibilityState::Certified);
            assert!(!done.action_needed);
            let last = done.status.last_certification.unwrap();
            assert_eq!(
                last.helper_account_id.as_deref(),
                Some(client.session().unwrap().account_id.as_str())
            );
            assert!(last.device_id.is_some());
            // The next cycle's reminders are a year away.
            assert_eq!(client.remind_eligibility().await.unwrap(), 0);
            assert!(client.export_personal_data().unwrap().eligibility.len() >= 2);
        });
    }
}
