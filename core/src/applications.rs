//! Cards and applications: applying for a first card (申领, also for
//! minors and newborns through a guardian), replacement (补换), fees,
//! receipt, a new photo after a failed production, social-function
//! activation, loss reports and their release, and reading applications as
//! flows. Each submission is checked locally against the cached rules, then
//! sent through the outbox; the flow types and their derivation are in
//! [`crate::workflows`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ecard_api::identity::PinAction;
use ecard_api::paths;
use ecard_api::resident::{
    Application, CardStatus, ECardState, LossKind, LossReportRequest, NewCardRequest,
    PaymentRequest, PhotoRequest, ReplacementKind, ReplacementRequest, Scope,
};

use crate::client::EcardClient;
use crate::codes::SuspensionReason;
use crate::error::ClientError;
use crate::net::{ApiRequest, RetryPolicy};
use crate::workflows::{
    ApplicationFlow, LossFlow, NewCardForm, ReplacementForm, Submission, check_bank,
    check_delivery, flow_of, guardian_required, invalid, not_allowed,
};

/// Cards and applications of the client.
impl EcardClient {
    /// Applies for a first card (申领). Checked locally against the cached
    /// rules first; then sent through the outbox.
    pub async fn submit_application(
        &self,
        form: NewCardForm,
        draft_id: Option<String>,
    ) -> Result<Submission, ClientError> {
        let session = self.session().ok_or(ClientError::NotEnrolled)?;
        let rules = self.rules_required()?;
        let person_id = self.person_for(form.person_id.clone())?;
        if person_id == session.person_id {
            self.ensure_may_act_alone(Scope::Apply)?;
        }
        ecard_documents::validate_photo(&form.photo_jpeg, &(&rules.photo).into())
            .map_err(|error| invalid("photo", error))?;
        ecard_documents::validate_phone(&form.phone).map_err(|error| invalid("phone", error))?;
        check_bank(&form.bank, &rules)?;
        check_delivery(&form.delivery)?;
        let body = NewCardRequest {
            person_id: person_id.clone(),
            photo_jpeg: STANDARD.encode(&form.photo_jpeg),
            bank: form.bank,
            phone: form.phone,
            delivery: form.delivery,
            instant_issue: form.instant_issue,
        };
        let body =
            serde_json::to_value(body).map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "application.submit",
            paths::APPLICATIONS.into(),
            body,
            Some(person_id),
            draft_id,
        )
        .await
    }

    /// Replaces a card (补换): plain, change of bank (the old bank account
    /// must be closed at the old bank first), or keep-number (保号换卡).
    pub async fn submit_replacement(
        &self,
        form: ReplacementForm,
        draft_id: Option<String>,
    ) -> Result<Submission, ClientError> {
        let rules = self.rules_required()?;
        self.ensure_may_act_alone_on_card(&form.card_id, Scope::Replace)?;
        if let Some(photo) = &form.photo_jpeg {
            ecard_documents::validate_photo(photo, &(&rules.photo).into())
                .map_err(|error| invalid("photo", error))?;
        }
        match (&form.kind, &form.bank) {
            (ReplacementKind::ChangeBank, None) => {
                return Err(ClientError::InvalidChoice {
                    field: "bank".into(),
                    reason: "choose the new bank".into(),
                });
            }
            (ReplacementKind::ChangeBank, Some(bank)) => check_bank(bank, &rules)?,
            _ => {}
        }
        check_delivery(&form.delivery)?;
        let body = ReplacementRequest {
            card_id: form.card_id.clone(),
            kind: form.kind,
            bank: form.bank,
            photo_jpeg: form.photo_jpeg.map(|photo| STANDARD.encode(photo)),
            delivery: form.delivery,
            instant_issue: form.instant_issue,
        };
        let body =
            serde_json::to_value(body).map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "replacement.submit",
            paths::REPLACEMENTS.into(),
            body,
            Some(form.card_id),
            draft_id,
        )
        .await
    }

    /// Pays the fees of an application.
    pub async fn pay(
        &self,
        application_id: &str,
        amount_fen: u32,
    ) -> Result<Submission, ClientError> {
        let body = serde_json::to_value(PaymentRequest { amount_fen })
            .map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "application.pay",
            paths::with_id(paths::APPLICATION_PAYMENT, application_id),
            body,
            Some(application_id.into()),
            None,
        )
        .await
    }

    /// Cancels an application where the rules allow it.
    pub async fn cancel_application(
        &self,
        application_id: &str,
    ) -> Result<Submission, ClientError> {
        if self.rules_required()?.cancel_after_submit {
            self.submit(
                "application.cancel",
                paths::with_id(paths::APPLICATION_CANCEL, application_id),
                serde_json::json!({}),
                Some(application_id.into()),
                None,
            )
            .await
        } else {
            Err(not_allowed(
                "in this region an application cannot be cancelled once submitted",
            ))
        }
    }

    /// Confirms the card was received (posted, or collected at the outlet).
    pub async fn confirm_receipt(&self, application_id: &str) -> Result<Submission, ClientError> {
        self.submit(
            "application.receipt",
            paths::with_id(paths::APPLICATION_RECEIPT, application_id),
            serde_json::json!({}),
            Some(application_id.into()),
            None,
        )
        .await
    }

    /// Sends a new photo after a failed production.
    pub async fn resubmit_photo(
        &self,
        application_id: &str,
        photo_jpeg: Vec<u8>,
    ) -> Result<Submission, ClientError> {
        let rules = self.rules_required()?;
        ecard_documents::validate_photo(&photo_jpeg, &(&rules.photo).into())
            .map_err(|error| invalid("photo", error))?;
        let body = serde_json::to_value(PhotoRequest {
            photo_jpeg: STANDARD.encode(photo_jpeg),
        })
        .map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "application.photo",
            paths::with_id(paths::APPLICATION_PHOTO, application_id),
            body,
            Some(application_id.into()),
            None,
        )
        .await
    }

    /// Enables the social-security function of a received card (社保功能启用).
    pub async fn activate_card(&self, card_id: &str) -> Result<Submission, ClientError> {
        self.ensure_may_act_alone_on_card(card_id, Scope::Activate)?;
        self.submit(
            "card.activate",
            paths::with_id(paths::ACTIVATION, card_id),
            serde_json::json!({}),
            Some(card_id.into()),
            None,
        )
        .await
    }

    /// Reports a card lost. Where the rules say the e-card stops too (always
    /// for a formal report), codes stop on this device at once, before the
    /// platform has even heard of it; other devices stop when they next see
    /// the platform (profile or status list).
    pub async fn report_loss(
        &self,
        card_id: &str,
        kind: LossKind,
    ) -> Result<Submission, ClientError> {
        let rules = self.rules_required()?;
        // Before the local suspension: a refused minor keeps a working card.
        self.ensure_may_act_alone_on_card(card_id, Scope::ReportLoss)?;
        if kind == LossKind::Formal
            || rules.e_card_timing.during_temporary_loss == ECardState::Suspended
        {
            self.suspend_here(card_id, SuspensionReason::LossReport)
                .await?;
        }
        let body = serde_json::to_value(LossReportRequest { kind })
            .map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "card.loss_report",
            paths::with_id(paths::LOSS_REPORTS, card_id),
            body,
            Some(card_id.into()),
            None,
        )
        .await
    }

    /// Releases a loss report online (解挂), where the rules allow it; else
    /// the person goes to a counter. Needs the e-card PIN, checked online
    /// first; the submission carries a single-use grant, never the PIN.
    pub async fn release_loss(&self, card_id: &str, pin: &str) -> Result<Submission, ClientError> {
        self.ensure_may_act_alone_on_card(card_id, Scope::ReportLoss)?;
        if !self.rules_required()?.release_online {
            return Err(not_allowed(
                "in this region a loss report is released at a counter",
            ));
        }
        let pin_grant = self.pin_grant(pin, PinAction::ReleaseLoss).await?;
        self.submit(
            "card.release",
            paths::with_id(paths::LOSS_RELEASE, card_id),
            serde_json::json!({ "pin_grant": pin_grant }),
            Some(card_id.into()),
            None,
        )
        .await
    }

    /// Refuses, before anything is sent or changed here, an act on the
    /// account holder's own card that the region's rules reserve to a
    /// guardian while the holder is a minor (`guardian_required`, as the
    /// platform would). Where a self-supporting minor may act alone the
    /// platform decides: this phone does not know the register's record.
    pub(crate) fn ensure_may_act_alone(&self, scope: Scope) -> Result<(), ClientError> {
        let Some((age, minors)) = self.minor_holder()? else {
            return Ok(());
        };
        if minors.may_act_alone(scope, age, true) {
            return Ok(());
        }
        Err(guardian_required())
    }

    /// [`EcardClient::ensure_may_act_alone`] for an act on `card_id`, when it
    /// is the account holder's own card (a ward's card is the mandate's
    /// business, checked by the platform).
    pub(crate) fn ensure_may_act_alone_on_card(
        &self,
        card_id: &str,
        scope: Scope,
    ) -> Result<(), ClientError> {
        let own = self.cached_profile()?.is_some_and(|profile| {
            profile
                .person
                .cards
                .iter()
                .any(|card| card.card_id == card_id)
        });
        if own {
            self.ensure_may_act_alone(scope)
        } else {
            Ok(())
        }
    }

    /// The account holder's age and the region's minor rules, if the holder
    /// is under the region's age of majority.
    pub(crate) fn minor_holder(
        &self,
    ) -> Result<Option<(u32, ecard_api::rules::MinorRules)>, ClientError> {
        let Some(session) = self.session() else {
            return Ok(None);
        };
        let rules = self.rules_required()?;
        let today = self.china_today()?;
        Ok(
            ecard_documents::DocumentType::from_name(&session.identity.id_type)
                .and_then(|kind| {
                    ecard_documents::validate(kind, &session.identity.id_number, today).ok()
                })
                .and_then(|document| document.age())
                .filter(|age| *age < rules.adult_age)
                .map(|age| (age, rules.minors)),
        )
    }

    /// The applications of the account and of people it tracks, as flows;
    /// fetched when online, from the cache when not.
    pub async fn applications(&self) -> Result<Vec<ApplicationFlow>, ClientError> {
        let network = self.signed_network()?;
        let applications: Vec<Application> = match self
            .call(
                &network,
                &ApiRequest::get(paths::APPLICATIONS).signed(),
                RetryPolicy::INTERACTIVE,
            )
            .await
        {
            Ok(response) => {
                let applications: Vec<Application> = response.json()?;
                for application in &applications {
                    self.cache_workflow("application", &application.application_id, application)
                        .await?;
                }
                applications
            }
            Err(ClientError::Offline(_) | ClientError::Timeout) => {
                self.cached_workflows("application")?
            }
            Err(error) => return Err(error),
        };
        let rules = self.rules()?;
        let locale = self.locale();
        Ok(applications
            .into_iter()
            .map(|application| flow_of(application, rules.as_ref(), locale))
            .collect())
    }

    /// One application as a flow (fetched, or cached when offline).
    pub async fn application(&self, application_id: &str) -> Result<ApplicationFlow, ClientError> {
        let network = self.signed_network()?;
        let request = ApiRequest::get(paths::with_id(paths::APPLICATION, application_id)).signed();
        let application: Application = match self
            .call(&network, &request, RetryPolicy::INTERACTIVE)
            .await
        {
            Ok(response) => {
                let application: Application = response.json()?;
                self.cache_workflow("application", application_id, &application)
                    .await?;
                application
            }
            Err(ClientError::Offline(_) | ClientError::Timeout) => self
                .cached_workflows::<Application>("application")?
                .into_iter()
                .find(|application| application.application_id == application_id)
                .ok_or_else(|| ClientError::NotFound("application".into()))?,
            Err(error) => return Err(error),
        };
        Ok(flow_of(application, self.rules()?.as_ref(), self.locale()))
    }

    /// The loss-report situation of a card, from the cached profile and rules.
    pub fn loss_flow(&self, card_id: &str) -> Result<LossFlow, ClientError> {
        let profile = self.cached_profile()?.ok_or(ClientError::NotEnrolled)?;
        let card = profile
            .person
            .cards
            .iter()
            .chain(
                profile
                    .principals
                    .iter()
                    .flat_map(|person| person.cards.iter()),
            )
            .find(|card| card.card_id == card_id)
            .cloned()
            .ok_or_else(|| ClientError::NotFound("card".into()))?;
        let rules = self.rules_required()?;
        Ok(LossFlow {
            can_report_temporary: card.status == CardStatus::Active,
            can_report_formal: matches!(
                card.status,
                CardStatus::Active | CardStatus::TemporarilyLost
            ),
            can_release_online: rules.release_online
                && (card.status == CardStatus::TemporarilyLost
                    || (card.status == CardStatus::FormallyLost && rules.formal_loss_reversible)),
            e_card_works_while_temporarily_lost: rules.e_card_timing.during_temporary_loss
                == ECardState::Active,
            lapses_at: card
                .loss_report
                .as_ref()
                .and_then(|report| report.lapses_at),
            replacement_needed: card.status == CardStatus::FormallyLost
                && !rules.formal_loss_reversible,
            card,
        })
    }

    /// The application a submission created, once confirmed.
    pub fn submitted_application_id(&self, submission: &Submission) -> Option<String> {
        submission.application_id.clone()
    }

    fn person_for(&self, person_id: Option<String>) -> Result<String, ClientError> {
        match person_id {
            Some(person_id) => Ok(person_id),
            None => Ok(self.session().ok_or(ClientError::NotEnrolled)?.person_id),
        }
    }
}

#[cfg(test)]
mod tests {
    use ecard_api::resident::{ApplicationState, LossKind};
    use http::Method;

    use ecard_api::problem::ProblemCode;
    use ecard_api::resident::{Delivery, ReplacementKind};

    use super::*;
    use crate::ErrorCategory;
    use crate::events::ClientEvent;
    use crate::outbox::OutboxState;
    use crate::test_platform::{TestPlatform, new_card_form, with_enrolled};
    use crate::transport::faults::Fault;
    use crate::workflows::{DraftForm, FlowStep};

    fn change_bank_without_a_bank() -> ReplacementForm {
        ReplacementForm {
            card_id: "card-1".into(),
            kind: ReplacementKind::ChangeBank,
            bank: None,
            photo_jpeg: None,
            delivery: Delivery::Pickup {
                outlet_id: "O-00001".into(),
            },
            instant_issue: false,
        }
    }

    fn posts(platform: &TestPlatform) -> usize {
        platform
            .network
            .seen(&Method::POST, "/v1/applications")
            .len()
            + platform
                .network
                .seen(&Method::POST, "/v1/replacements")
                .len()
    }

    #[test]
    fn local_checks_refuse_before_anything_is_sent() {
        with_enrolled("resident", |platform, client| async move {
            let draft_id = client
                .save_draft(None, DraftForm::NewCard(new_card_form(None)))
                .await
                .unwrap();
            let mut tiny_photo = new_card_form(None);
            tiny_photo.photo_jpeg = vec![0xff, 0xd8, 0xff, 0xd9];
            let refused = client
                .submit_application(tiny_photo, Some(draft_id.clone()))
                .await
                .unwrap_err();
            assert_eq!(refused.category(), ErrorCategory::InvalidInput);
            assert_eq!(refused.field().as_deref(), Some("photo"));
            let mut foreign_bank = new_card_form(None);
            foreign_bank.bank = "no-such-bank".into();
            let refused = client
                .submit_application(foreign_bank, Some(draft_id.clone()))
                .await
                .unwrap_err();
            assert_eq!(refused.field().as_deref(), Some("bank"));
            let mut no_outlet = new_card_form(None);
            no_outlet.delivery = Delivery::Pickup {
                outlet_id: " ".into(),
            };
            let refused = client
                .submit_application(no_outlet, None)
                .await
                .unwrap_err();
            assert_eq!(refused.field().as_deref(), Some("delivery.outlet_id"));
            let refused = client
                .submit_replacement(change_bank_without_a_bank(), None)
                .await
                .unwrap_err();
            assert_eq!(refused.field().as_deref(), Some("bank"));
            // Jiangxi's rules: no cancelling once submitted.
            let refused = client.cancel_application("any").await.unwrap_err();
            assert_eq!(refused.category(), ErrorCategory::NotAllowed);
            // Nothing was queued or sent, and the draft is still there.
            assert_eq!(posts(&platform), 0);
            assert!(client.outbox().unwrap().is_empty());
            assert_eq!(client.drafts().unwrap().len(), 1);
        });
    }

    #[test]
    fn a_submitted_draft_is_consumed_even_while_offline() {
        with_enrolled("resident", |platform, client| async move {
            let draft_id = client
                .save_draft(None, DraftForm::NewCard(new_card_form(None)))
                .await
                .unwrap();
            platform.network.set_down(Some(Fault::Unreachable));
            let queued = client
                .submit_application(new_card_form(None), Some(draft_id))
                .await
                .unwrap();
            assert_eq!(queued.state, OutboxState::Pending);
            assert_eq!(queued.application_id, None);
            assert!(client.drafts().unwrap().is_empty());
            assert_eq!(client.snapshot().unwrap().outbox_pending, 1);
        });
    }

    #[test]
    fn an_application_follows_the_platform_clock_and_reads_offline() {
        with_enrolled("resident", |platform, client| async move {
            let submission = client
                .submit_application(new_card_form(None), None)
                .await
                .unwrap();
            let application_id = client.submitted_application_id(&submission).unwrap();
            let flow = client.application(&application_id).await.unwrap();
            assert_eq!(flow.application.state, ApplicationState::Paid);
            assert_eq!(flow.step, FlowStep::InProduction);
            assert!(flow.cannot_cancel_once_submitted);
            platform.advance_days(4).await;
            let flow = client.application(&application_id).await.unwrap();
            assert_eq!(flow.step, FlowStep::CollectAtOutlet);
            let labels: Vec<&str> = flow
                .progress
                .iter()
                .map(|stage| stage.label.as_str())
                .collect();
            assert_eq!(labels, ["数据录入", "已缴费", "制卡中", "银行网点签收"]);
            let received = client.confirm_receipt(&application_id).await.unwrap();
            assert_eq!(received.state, OutboxState::Done);
            let flow = client.application(&application_id).await.unwrap();
            assert_eq!(flow.step, FlowStep::Activate);
            // Offline, the last answer is read from the cache.
            platform.network.set_down(Some(Fault::Timeout));
            let cached = client.application(&application_id).await.unwrap();
            assert_eq!(cached.step, FlowStep::Activate);
            let listed = client.applications().await.unwrap();
            assert_eq!(listed.len(), 1);
            assert_eq!(listed[0].application.application_id, application_id);
            // A refusal is not hidden behind the cache.
            platform
                .network
                .set_down(Some(Fault::Refused(ProblemCode::NotFound)));
            let refused = client.application(&application_id).await.unwrap_err();
            assert_eq!(refused.code(), "not_found");
        });
    }

    #[test]
    fn a_formal_loss_report_stops_codes_here_before_the_platform_hears_of_it() {
        with_enrolled("elder", |platform, client| async move {
            let card_id = client.snapshot().unwrap().cards[0].card_id.clone();
            let mut events = client.subscribe();
            platform.network.set_down(Some(Fault::Unreachable));
            let queued = client
                .report_loss(&card_id, LossKind::Formal)
                .await
                .unwrap();
            assert_eq!(queued.state, OutboxState::Pending);
            assert!(client.snapshot().unwrap().cards[0].suspended_here);
            assert_eq!(
                events.try_recv().unwrap(),
                ClientEvent::CardSuspended {
                    card_id: card_id.clone()
                }
            );
            assert!(matches!(
                client
                    .current_code(None, ecard_credential::Purpose::Transport)
                    .await,
                Err(ClientError::CardSuspended)
            ));
            // Online again, the platform confirms and the card is lost.
            platform.network.set_down(None);
            client.retry_submission(queued.outbox_id).await.unwrap();
            let flow = client.loss_flow(&card_id).unwrap();
            assert_eq!(flow.card.status, CardStatus::FormallyLost);
            assert!(!flow.can_report_temporary);
            assert!(client.snapshot().unwrap().cards[0].suspended_here);
        });
    }

    #[test]
    fn a_loss_report_the_platform_refuses_gives_the_codes_back() {
        with_enrolled("elder", |platform, client| async move {
            let card_id = client.snapshot().unwrap().cards[0].card_id.clone();
            platform.network.fail(
                Method::POST,
                &paths::with_id(paths::LOSS_REPORTS, &card_id),
                0,
                1,
                Fault::Refused(ProblemCode::InvalidState),
            );
            let refused = client
                .report_loss(&card_id, LossKind::Formal)
                .await
                .unwrap_err();
            assert_eq!(refused.code(), "invalid_state");
            // The profile was read again: the platform still lets the
            // card show codes, so the local stop is lifted.
            let card = &client.snapshot().unwrap().cards[0];
            assert!(!card.suspended_here);
            assert_eq!(card.status, CardStatus::Active);
            assert!(
                client
                    .current_code(None, ecard_credential::Purpose::Transport)
                    .await
                    .is_ok()
            );
        });
    }
}
