//! Every card workflow through the client core against the platform on
//! loopback: a self-applicant (draft across a restart, application, no
//! cancel where the rules forbid it, production and pickup on the platform
//! clock with Jiangxi's e-card working before pickup, activation, codes,
//! temporary loss with the code refused by an
//! offline terminal, lapse, formal loss and keep-number replacement), a
//! guardian with a newborn (出生一件事), a family proxy for an elderly
//! relative (consent, codes on behalf, refusal at a gate, audit, revocation),
//! a region whose e-card waits for the card, and a submission made offline
//! and sent when the platform is back.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_api::resident::{
    ApplicationAction, ApplicationKind, ApplicationState, CardStatus, DelegationKind,
    DelegationStatus, Delivery, ECardState, Evidence, LossKind, PersonIdentity, ReplacementKind,
    Scope,
};
use ecard_core::{
    ClientError, DraftForm, ErrorCategory, FlowStep, NewCardForm, OutboxState, ReplacementForm,
};
use ecard_credential::{HolderRole, Purpose, VerifyError};
use ecard_e2e::{TestPlatform, identity_of, open_client, terminal, test_photo};

fn pickup() -> Delivery {
    Delivery::Pickup {
        outlet_id: "O-00001".into(),
    }
}

fn form(person_id: Option<String>) -> NewCardForm {
    NewCardForm {
        person_id,
        photo_jpeg: test_photo(),
        bank: "icbc".into(),
        phone: "13800138000".into(),
        delivery: pickup(),
        instant_issue: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_applicant_from_draft_to_loss_and_replacement() {
    let platform = TestPlatform::start();
    let url = platform.url();
    let resident = platform.persona("resident").await;
    let data = tempfile::tempdir().unwrap();
    let client = open_client(&url, data.path()).await;
    ecard_e2e::enrol(&client, &url, identity_of(&resident))
        .await
        .unwrap();
    client.sync_catalogue().await.unwrap();

    // No card yet: no code.
    assert!(matches!(
        client.current_code(None, Purpose::Transport).await,
        Err(ClientError::NoCredential)
    ));

    // A draft survives a restart.
    let draft_id = client
        .save_draft(None, DraftForm::NewCard(form(None)))
        .await
        .unwrap();
    drop(client);
    let client = open_client(&url, data.path()).await;
    let drafts = client.drafts().unwrap();
    assert_eq!(drafts.len(), 1);
    let DraftForm::NewCard(saved) = drafts[0].form.clone() else {
        panic!("not a new-card draft")
    };

    // Local checks before anything is sent.
    let mut bad = saved.clone();
    bad.photo_jpeg = ecard_e2e::jpeg(100, 100, 12_000);
    let refused = client.submit_application(bad, None).await.unwrap_err();
    assert_eq!(refused.category(), ErrorCategory::InvalidInput);
    assert_eq!(refused.field().as_deref(), Some("photo"));
    let mut bad = saved.clone();
    bad.delivery = Delivery::Mail {
        address: "家".into(),
        phone: "13800138000".into(),
    };
    assert_eq!(
        client
            .submit_application(bad, None)
            .await
            .unwrap_err()
            .field()
            .as_deref(),
        Some("delivery.address")
    );

    // Submit: the draft is consumed, the platform confirms.
    let submission = client
        .submit_application(saved, Some(draft_id))
        .await
        .unwrap();
    assert_eq!(submission.state, OutboxState::Done);
    assert!(client.drafts().unwrap().is_empty());
    let application_id = client.submitted_application_id(&submission).unwrap();
    let flow = client.application(&application_id).await.unwrap();
    assert_eq!(flow.application.state, ApplicationState::Paid);
    assert_eq!(flow.step, FlowStep::InProduction);
    assert!(
        flow.cannot_cancel_once_submitted,
        "Jiangxi forbids cancelling once submitted"
    );
    let cancel = client
        .cancel_application(&application_id)
        .await
        .unwrap_err();
    assert_eq!(cancel.category(), ErrorCategory::NotAllowed);
    assert!(
        cancel
            .message(ecard_credential::Locale::ZhCn)
            .contains("网点")
    );

    // A second application while one is in progress is refused by the platform.
    let again = client
        .submit_application(form(None), None)
        .await
        .unwrap_err();
    assert_eq!(again.code(), "invalid_state");

    // Production and delivery happen on the platform clock.
    platform.advance_days(4).await;
    let flow = client.application(&application_id).await.unwrap();
    assert_eq!(
        flow.application.state,
        ApplicationState::AtOutlet,
        "{:?}",
        flow.application.stages
    );
    assert_eq!(flow.step, FlowStep::CollectAtOutlet);
    let labels: Vec<&str> = flow
        .progress
        .iter()
        .map(|stage| stage.label.as_str())
        .collect();
    assert_eq!(labels, ["数据录入", "已缴费", "制卡中", "银行网点签收"]);
    // Jiangxi makes the e-card with the card and it works at once (同步生成…
    // 直接使用): a code passes a gate before the card is collected.
    let early_card = flow.application.card_id.clone().unwrap();
    client.refresh_profile().await.unwrap();
    let early = client.current_code(None, Purpose::Transport).await.unwrap();
    assert_eq!(early.card_id, early_card);
    let mut gate = terminal(&url, &[Purpose::Transport], client.trusted_now()).await;
    gate.verify(&early.text, client.trusted_now()).unwrap();

    client.confirm_receipt(&application_id).await.unwrap();
    let flow = client.application(&application_id).await.unwrap();
    assert_eq!(flow.step, FlowStep::Activate);
    let card_id = flow.application.card_id.clone().unwrap();
    client.activate_card(&card_id).await.unwrap();
    let flow = client.application(&application_id).await.unwrap();
    assert_eq!(flow.step, FlowStep::Done);
    assert_eq!(flow.application.state, ApplicationState::Activated);

    // The code works at a gate.
    client.refresh_profile().await.unwrap();
    let code = client.current_code(None, Purpose::Transport).await.unwrap();
    let mut gate = terminal(&url, &[Purpose::Transport], client.trusted_now()).await;
    gate.verify(&code.text, client.trusted_now()).unwrap();
    let screenshot = client.current_code(None, Purpose::Transport).await.unwrap();

    // Temporary loss: codes stop here at once; the platform sets the status
    // bit, so a gate with a fresh status list refuses a code made before.
    let loss = client.loss_flow(&card_id).unwrap();
    assert!(loss.can_report_temporary && !loss.e_card_works_while_temporarily_lost);
    client
        .report_loss(&card_id, LossKind::Temporary)
        .await
        .unwrap();
    assert!(matches!(
        client.current_code(None, Purpose::Transport).await,
        Err(ClientError::CardSuspended)
    ));
    let mut gate = terminal(&url, &[Purpose::Transport], client.trusted_now()).await;
    assert_eq!(
        gate.verify(&screenshot.text, client.trusted_now())
            .unwrap_err(),
        VerifyError::Revoked
    );
    let loss = client.loss_flow(&card_id).unwrap();
    assert_eq!(loss.card.status, CardStatus::TemporarilyLost);
    let lapses_at = loss.lapses_at.unwrap();

    // The report lapses after Jiangxi's five days; the card comes back.
    platform.advance_days(5).await;
    client.refresh_profile().await.unwrap();
    assert!(client.trusted_now() >= lapses_at);
    assert_eq!(
        client.loss_flow(&card_id).unwrap().card.status,
        CardStatus::Active
    );
    let code = client.current_code(None, Purpose::Transport).await.unwrap();
    let mut gate = terminal(&url, &[Purpose::Transport], client.trusted_now()).await;
    gate.verify(&code.text, client.trusted_now()).unwrap();

    // Formal loss, then a keep-number replacement (保号换卡).
    client
        .report_loss(&card_id, LossKind::Formal)
        .await
        .unwrap();
    let loss = client.loss_flow(&card_id).unwrap();
    assert!(loss.replacement_needed);
    assert!(
        client
            .release_loss(&card_id, ecard_e2e::TEST_PIN)
            .await
            .is_err(),
        "a formal loss is not reversible in Jiangxi"
    );
    let old_number = loss.card.card_number_masked.clone();
    let replacement = client
        .submit_replacement(
            ReplacementForm {
                card_id: card_id.clone(),
                kind: ReplacementKind::KeepNumber,
                bank: None,
                photo_jpeg: None,
                delivery: pickup(),
                instant_issue: false,
            },
            None,
        )
        .await
        .unwrap();
    let replacement_id = client.submitted_application_id(&replacement).unwrap();
    platform.advance_days(4).await;
    client.confirm_receipt(&replacement_id).await.unwrap();
    let flow = client.application(&replacement_id).await.unwrap();
    assert_eq!(
        flow.application.kind,
        ApplicationKind::Replacement(ReplacementKind::KeepNumber)
    );
    let new_card = flow.application.card_id.clone().unwrap();
    client.activate_card(&new_card).await.unwrap();
    let profile = client.refresh_profile().await.unwrap();
    let cards = &profile.person.cards;
    let new = cards.iter().find(|card| card.card_id == new_card).unwrap();
    assert_eq!(new.card_number_masked, old_number, "the number is kept");
    assert_eq!(
        cards
            .iter()
            .find(|card| card.card_id == card_id)
            .unwrap()
            .status,
        CardStatus::Replaced
    );
    client.refresh_all_credentials().await.unwrap();
    let code = client
        .current_code(Some(new_card), Purpose::Transport)
        .await
        .unwrap();
    let mut gate = terminal(&url, &[Purpose::Transport], client.trusted_now()).await;
    gate.verify(&code.text, client.trusted_now()).unwrap();

    // Change of bank needs the old account closed first.
    let change = ReplacementForm {
        card_id: new.card_id.clone(),
        kind: ReplacementKind::ChangeBank,
        bank: Some("ccb".into()),
        photo_jpeg: None,
        delivery: pickup(),
        instant_issue: false,
    };
    let refused = client
        .submit_replacement(change.clone(), None)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_allowed_by_rules");
    platform
        .admin(
            reqwest::Method::POST,
            &format!("/admin/cards/{}/bank-account-closed", new.card_id),
            None,
        )
        .await;
    client.submit_replacement(change, None).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guardian_applies_for_a_newborn_and_shows_the_childs_code() {
    let platform = TestPlatform::start();
    let url = platform.url();
    let (resident, newborn) = (
        platform.persona("resident").await,
        platform.persona("newborn").await,
    );
    let data = tempfile::tempdir().unwrap();
    let parent = open_client(&url, data.path()).await;
    ecard_e2e::enrol(&parent, &url, identity_of(&resident))
        .await
        .unwrap();
    parent.sync_catalogue().await.unwrap();

    // The newborn cannot be acted for without evidence, nor with the wrong one.
    let scopes = vec![Scope::Apply, Scope::Track, Scope::ShowCode, Scope::Activate];
    let missing = parent
        .request_mandate(
            DelegationKind::Guardian,
            identity_of(&newborn),
            None,
            scopes.clone(),
            None,
            None,
            ecard_e2e::TEST_PIN,
        )
        .await
        .unwrap_err();
    assert_eq!(missing.field().as_deref(), Some("evidence"));
    let wrong = Evidence {
        kind: "birth_certificate".into(),
        number: "O360000000".into(),
    };
    let refused = parent
        .request_mandate(
            DelegationKind::Guardian,
            identity_of(&newborn),
            Some(wrong),
            scopes.clone(),
            None,
            None,
            ecard_e2e::TEST_PIN,
        )
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "identity_not_verified");

    let evidence = Evidence {
        kind: "birth_certificate".into(),
        number: newborn["birth_certificate"].as_str().unwrap().into(),
    };
    let mandate = parent
        .request_mandate(
            DelegationKind::Guardian,
            identity_of(&newborn),
            Some(evidence),
            scopes,
            None,
            None,
            ecard_e2e::TEST_PIN,
        )
        .await
        .unwrap();
    assert_eq!(mandate.state, OutboxState::Done);
    let mandates = parent.mandates().await.unwrap();
    assert_eq!(mandates[0].status, DelegationStatus::Active);
    assert!(
        mandates[0].expires_at > parent.trusted_now() + 17 * 365 * 86_400,
        "guardianship runs to the 18th birthday"
    );

    // One form, one submission: the newborn's card, mailed home.
    let newborn_id = newborn["person_id"].as_str().unwrap().to_owned();
    let mut newborn_form = form(Some(newborn_id.clone()));
    newborn_form.delivery = Delivery::Mail {
        address: "江西省南昌市东湖区八一大道188号3栋2单元501室".into(),
        phone: "13800138000".into(),
    };
    let submission = parent.submit_application(newborn_form, None).await.unwrap();
    let application_id = parent.submitted_application_id(&submission).unwrap();
    let flow = parent.application(&application_id).await.unwrap();
    assert_eq!(
        flow.step,
        FlowStep::Pay { amount_fen: 1_000 },
        "postage in Jiangxi"
    );
    assert_eq!(
        flow.application.mandate_id.as_deref(),
        Some(mandates[0].delegation_id.as_str())
    );
    parent.pay(&application_id, 1_000).await.unwrap();
    platform.advance_days(7).await;
    let flow = parent.application(&application_id).await.unwrap();
    assert_eq!(
        flow.application.state,
        ApplicationState::Received,
        "{:?}",
        flow.application.stages
    );
    assert_eq!(flow.actions, [ApplicationAction::Activate]);
    parent
        .activate_card(flow.application.card_id.as_deref().unwrap())
        .await
        .unwrap();

    // The guardian's phone shows the child's code, marked as on behalf.
    parent.refresh_profile().await.unwrap();
    parent.refresh_all_credentials().await.unwrap();
    let child_card = flow.application.card_id.clone().unwrap();
    let code = parent
        .current_code(Some(child_card), Purpose::Medical)
        .await
        .unwrap();
    assert_eq!(code.on_behalf, HolderRole::Guardian);
    let mut hospital = terminal(&url, &[Purpose::Medical], parent.trusted_now()).await;
    let verified = hospital.verify(&code.text, parent.trusted_now()).unwrap();
    assert_eq!(verified.on_behalf, HolderRole::Guardian);

    // The audit says who acted for whom, under which mandate.
    let audit = parent.audit_trail().await.unwrap();
    assert!(
        audit
            .iter()
            .any(|entry| entry.action == "application.submit"
                && entry.principal_person_id == newborn_id
                && entry.mandate_id.is_some())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_family_proxy_acts_for_an_elderly_relative_with_consent() {
    let platform = TestPlatform::start();
    let url = platform.url();
    let (resident, elder) = (
        platform.persona("resident").await,
        platform.persona("elder").await,
    );
    let (son_data, mother_data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let son = open_client(&url, son_data.path()).await;
    ecard_e2e::enrol(&son, &url, identity_of(&resident))
        .await
        .unwrap();
    son.sync_catalogue().await.unwrap();
    let mother = open_client(&url, mother_data.path()).await;
    ecard_e2e::enrol(&mother, &url, identity_of(&elder))
        .await
        .unwrap();

    let scopes = vec![Scope::ShowCode, Scope::ReportLoss, Scope::Track];
    son.request_mandate(
        DelegationKind::FamilyProxy,
        identity_of(&elder),
        None,
        scopes,
        None,
        Some(ecard_api::resident::Relationship::Child),
        ecard_e2e::TEST_PIN,
    )
    .await
    .unwrap();
    let pending = son.mandates().await.unwrap();
    assert_eq!(pending[0].status, DelegationStatus::PendingConsent);
    assert_eq!(pending[0].principal_name_masked, "刘**");
    // Nothing works before consent.
    son.refresh_profile().await.unwrap();
    assert!(
        son.snapshot()
            .unwrap()
            .cards
            .iter()
            .all(|card| card.person_id == son.session().unwrap().person_id)
    );

    // The relative consents on her own phone.
    let hers = mother.mandates().await.unwrap();
    mother
        .consent_mandate(&hers[0].delegation_id, ecard_e2e::TEST_PIN)
        .await
        .unwrap();
    son.refresh_profile().await.unwrap();
    son.refresh_all_credentials().await.unwrap();
    let her_card = son
        .snapshot()
        .unwrap()
        .cards
        .into_iter()
        .find(|card| card.holder_name_masked == "刘**")
        .unwrap();
    assert_eq!(her_card.role, HolderRole::Proxy);

    // A pharmacy accepts her medical code from his phone; a bus gate refuses
    // her transport code from his phone.
    let medical = son
        .current_code(Some(her_card.card_id.clone()), Purpose::Medical)
        .await
        .unwrap();
    assert_eq!(medical.on_behalf, HolderRole::Proxy);
    let mut pharmacy = terminal(&url, &[Purpose::Medical], son.trusted_now()).await;
    assert_eq!(
        pharmacy
            .verify(&medical.text, son.trusted_now())
            .unwrap()
            .on_behalf,
        HolderRole::Proxy
    );
    let transport = son
        .current_code(Some(her_card.card_id.clone()), Purpose::Transport)
        .await
        .unwrap();
    let mut gate = terminal(&url, &[Purpose::Transport], son.trusted_now()).await;
    assert_eq!(
        gate.verify(&transport.text, son.trusted_now()).unwrap_err(),
        VerifyError::OnBehalfRefused
    );
    // Her free admission is personal: a museum gate configured from
    // Jiangxi's rules refuses her culture/tourism code from his phone, while
    // the region's pharmacy still takes her medical code.
    let admission = son
        .current_code(Some(her_card.card_id.clone()), Purpose::CultureTourism)
        .await
        .unwrap();
    let mut museum = ecard_e2e::regional_terminal(
        &url,
        "360000",
        &[Purpose::CultureTourism],
        son.trusted_now(),
    )
    .await;
    assert_eq!(
        museum
            .verify(&admission.text, son.trusted_now())
            .unwrap_err(),
        VerifyError::OnBehalfRefused
    );
    let medical = son
        .current_code(Some(her_card.card_id.clone()), Purpose::Medical)
        .await
        .unwrap();
    let mut pharmacy =
        ecard_e2e::regional_terminal(&url, "360000", &[Purpose::Medical], son.trusted_now()).await;
    assert_eq!(
        pharmacy
            .verify(&medical.text, son.trusted_now())
            .unwrap()
            .on_behalf,
        HolderRole::Proxy
    );

    // He reports her card lost for her; the audit shows who, for whom, under which mandate.
    son.report_loss(&her_card.card_id, LossKind::Temporary)
        .await
        .unwrap();
    let audit = mother.audit_trail().await.unwrap();
    let entry = audit
        .iter()
        .find(|entry| entry.action == "card.loss_report.temporary")
        .unwrap();
    assert_eq!(entry.actor_account_id, son.session().unwrap().account_id);
    assert_eq!(
        entry.mandate_id.as_deref(),
        Some(hers[0].delegation_id.as_str())
    );
    // Her own phone stops showing codes when it next sees the platform.
    mother.refresh_profile().await.unwrap();
    assert!(matches!(
        mother.current_code(None, Purpose::Transport).await,
        Err(ClientError::CardSuspended)
    ));
    son.release_loss(&her_card.card_id, ecard_e2e::TEST_PIN)
        .await
        .unwrap();
    mother.refresh_profile().await.unwrap();
    mother.current_code(None, Purpose::Transport).await.unwrap();

    // She revokes the mandate: his codes for her stop at terminals.
    son.refresh_all_credentials().await.unwrap();
    let before = son
        .current_code(Some(her_card.card_id.clone()), Purpose::Medical)
        .await
        .unwrap();
    mother.revoke_mandate(&hers[0].delegation_id).await.unwrap();
    let mut pharmacy = terminal(&url, &[Purpose::Medical], son.trusted_now()).await;
    assert_eq!(
        pharmacy
            .verify(&before.text, son.trusted_now())
            .unwrap_err(),
        VerifyError::Revoked
    );
    let refused = son
        .refresh_credentials(&her_card.card_id)
        .await
        .unwrap_err();
    assert_eq!(refused.category(), ErrorCategory::NotAllowed);

    // When his stored credential is due for renewal, the platform's refusal
    // stops his phone making codes for her at all.
    platform.advance_days(1).await;
    son.refresh_profile().await.unwrap();
    let refused = son
        .current_code(Some(her_card.card_id.clone()), Purpose::Medical)
        .await
        .unwrap_err();
    assert_eq!(refused.category(), ErrorCategory::NotAllowed, "{refused:?}");
    let again = son
        .current_code(Some(her_card.card_id.clone()), Purpose::Medical)
        .await
        .unwrap_err();
    assert_eq!(again.category(), ErrorCategory::NotAllowed, "{again:?}");
    assert!(
        son.export_personal_data()
            .unwrap()
            .credentials
            .iter()
            .all(|credential| credential.card_id != her_card.card_id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_sichuan_the_e_card_waits_for_the_card() {
    let platform = TestPlatform::start();
    let url = platform.url();
    let (_, id_number) = platform
        .add_person_in("510104", "杜新华", "19790909", "063", &[])
        .await;
    let data = tempfile::tempdir().unwrap();
    let client = open_client(&url, data.path()).await;
    ecard_e2e::enrol(
        &client,
        &url,
        PersonIdentity {
            id_type: "resident_id".into(),
            id_number,
            name: "杜新华".into(),
        },
    )
    .await
    .unwrap();
    client.sync_catalogue().await.unwrap();
    let rules = client.rules().unwrap().unwrap();
    assert_eq!(rules.region, "510000");
    assert_eq!(rules.e_card_timing.during_production, ECardState::Suspended);
    let submission = client.submit_application(form(None), None).await.unwrap();
    let application_id = client.submitted_application_id(&submission).unwrap();

    // Production has started: the card is listed, its e-card suspended, and
    // the phone makes no code.
    platform.advance_days(1).await;
    let flow = client.application(&application_id).await.unwrap();
    assert_eq!(flow.application.state, ApplicationState::InProduction);
    let card_id = flow.application.card_id.clone().unwrap();
    client.refresh_profile().await.unwrap();
    let card = client
        .snapshot()
        .unwrap()
        .cards
        .into_iter()
        .find(|card| card.card_id == card_id)
        .unwrap();
    assert_eq!(card.e_card, ECardState::Suspended);
    assert!(matches!(
        client.current_code(None, Purpose::Transport).await,
        Err(ClientError::CardSuspended)
    ));

    // Collected: codes work.
    platform
        .advance_days(u64::from(rules.production_days))
        .await;
    client.confirm_receipt(&application_id).await.unwrap();
    client.refresh_profile().await.unwrap();
    let code = client.current_code(None, Purpose::Transport).await.unwrap();
    let mut gate = terminal(&url, &[Purpose::Transport], client.trusted_now()).await;
    gate.verify(&code.text, client.trusted_now()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_made_offline_is_sent_once_when_the_platform_is_back() {
    let mut platform = TestPlatform::start();
    let url = platform.url();
    let elder = platform.persona("elder").await;
    let data = tempfile::tempdir().unwrap();
    let client = open_client(&url, data.path()).await;
    ecard_e2e::enrol(&client, &url, identity_of(&elder))
        .await
        .unwrap();
    client.sync_catalogue().await.unwrap();
    let card_id = client.snapshot().unwrap().cards[0].card_id.clone();

    platform.stop();
    let queued = client
        .report_loss(&card_id, LossKind::Temporary)
        .await
        .unwrap();
    assert_eq!(queued.state, OutboxState::Pending);
    assert_eq!(client.snapshot().unwrap().outbox_pending, 1);
    // Codes already stopped on this phone.
    assert!(matches!(
        client.current_code(None, Purpose::Transport).await,
        Err(ClientError::CardSuspended)
    ));
    // Retrying while still offline changes nothing.
    let retried = client.retry_submission(queued.outbox_id).await.unwrap();
    assert_eq!(retried.state, OutboxState::Pending);

    // The app is closed and reopened; the platform comes back.
    drop(client);
    platform.restart();
    let client = open_client(&url, data.path()).await;
    assert_eq!(client.snapshot().unwrap().outbox_pending, 1);
    client.retry_submission(queued.outbox_id).await.unwrap();
    assert_eq!(client.snapshot().unwrap().outbox_pending, 0);
    let audit = client.audit_trail().await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|entry| entry.action == "card.loss_report.temporary")
            .count(),
        1
    );
    assert_eq!(
        client.loss_flow(&card_id).unwrap().card.status,
        CardStatus::TemporarilyLost
    );
}

/// 出生一件事 through the client core: the parent's one form with the seeded
/// hospital report (no ID number yet, no photo: Jiangxi exempts newborns),
/// the household registration on the platform clock, the guardian mandate
/// and the card application it files, and the child's first code on the
/// parent's phone once production starts — one progress line throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_registers_a_newborn_in_one_form_and_shows_the_childs_first_code() {
    let platform = TestPlatform::start();
    let url = platform.url();
    let resident = platform.persona("resident").await;
    let data = tempfile::tempdir().unwrap();
    let parent = open_client(&url, data.path()).await;
    ecard_e2e::enrol(&parent, &url, identity_of(&resident))
        .await
        .unwrap();
    parent.sync_catalogue().await.unwrap();
    let born = ecard_documents::Date::from_unix_days(
        ecard_documents::Date::in_china_at(platform.advance_days(0).await)
            .unwrap()
            .to_unix_days()
            - 3,
    )
    .unwrap();
    let one_form = |certificate: &str| ecard_core::BirthForm {
        birth_certificate: certificate.into(),
        child_name: "张小禾".into(),
        sex: ecard_api::resident::Sex::Female,
        birth_date: born.to_string(),
        other_parent: None,
        household_region: "360102".into(),
        household_address: "江西省南昌市东湖区八一大道188号3栋2单元501室".into(),
        bank: "icbc".into(),
        phone: "13800138000".into(),
        delivery: pickup(),
        photo_jpeg: None,
    };
    // A certificate the hospital never reported: refused, nothing kept.
    let refused = parent
        .register_birth(one_form("P360100999"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "identity_not_verified");
    assert!(parent.births().await.unwrap().is_empty());

    let filed = parent
        .register_birth(one_form(
            ecard_platform::domain::seed::SEEDED_BIRTH_CERTIFICATE,
        ))
        .await
        .unwrap();
    assert_eq!(filed.state, OutboxState::Done);
    let births = parent.births().await.unwrap();
    assert_eq!(births.len(), 1);
    let reached = |flow: &ecard_core::BirthFlow| {
        flow.stages
            .iter()
            .filter(|stage| stage.at.is_some())
            .count()
    };
    assert_eq!(reached(&births[0]), 1);
    assert_eq!(births[0].stages[1].label, "户口已登记");

    // The household registration (a day), then production within the hour.
    platform.advance_days(1).await;
    let hours = platform
        .admin(
            reqwest::Method::POST,
            ecard_api::paths::ADMIN_CLOCK_ADVANCE,
            Some(serde_json::json!({ "seconds": 7_200 })),
        )
        .await;
    assert!(hours["now"].is_u64());
    let births = parent.births().await.unwrap();
    let birth = &births[0].birth;
    assert_eq!(reached(&births[0]), 3, "{:?}", births[0].stages);
    let application_id = birth.application_id.clone().unwrap();
    let flow = parent.application(&application_id).await.unwrap();
    assert_eq!(flow.application.state, ApplicationState::InProduction);
    assert_eq!(flow.application.mandate_id, birth.mandate_id);
    let mandates = parent.mandates().await.unwrap();
    assert!(mandates.iter().any(|mandate| Some(&mandate.delegation_id)
        == birth.mandate_id.as_ref()
        && mandate.kind == DelegationKind::Guardian
        && mandate.status == DelegationStatus::Active));

    // Jiangxi: the e-card works from production on — the child's first code.
    parent.refresh_profile().await.unwrap();
    parent.refresh_all_credentials().await.unwrap();
    let child_card = flow.application.card_id.clone().unwrap();
    let code = parent
        .current_code(Some(child_card), Purpose::Medical)
        .await
        .unwrap();
    assert_eq!(code.on_behalf, HolderRole::Guardian);
    let mut clinic = terminal(&url, &[Purpose::Medical], parent.trusted_now()).await;
    assert!(clinic.verify(&code.text, parent.trusted_now()).is_ok());

    // The card at the outlet, collected: the line is complete.
    platform.advance_days(4).await;
    parent.confirm_receipt(&application_id).await.unwrap();
    let births = parent.births().await.unwrap();
    assert_eq!(reached(&births[0]), 5, "{:?}", births[0].stages);
}

/// Instant issue through the client core: the form marked for it at an
/// outlet that makes cards on the spot, the application waiting there (no
/// production by the clock), the counter's staff issuing it, and the
/// resident's e-card working at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resident_gets_a_card_on_the_spot_at_an_instant_issue_outlet() {
    let platform = TestPlatform::start();
    let url = platform.url();
    let resident = platform.persona("resident").await;
    let data = tempfile::tempdir().unwrap();
    let client = open_client(&url, data.path()).await;
    ecard_e2e::enrol(&client, &url, identity_of(&resident))
        .await
        .unwrap();
    client.sync_catalogue().await.unwrap();
    // The nearest outlet offering instant issue, from the synced catalogue.
    let nearest = client.nearest_outlets(&ecard_core::OutletQuery {
        latitude: 28.68,
        longitude: 115.89,
        limit: 1,
        service: Some(ecard_api::catalogue::OutletService::InstantIssue),
        open_now_only: false,
    });
    let outlet = nearest[0].outlet.id.clone();
    let mut instant = form(None);
    instant.delivery = Delivery::Pickup {
        outlet_id: outlet.clone(),
    };
    instant.instant_issue = true;
    let submission = client.submit_application(instant, None).await.unwrap();
    let application_id = client.submitted_application_id(&submission).unwrap();
    platform.advance_days(1).await;
    let waiting = client.application(&application_id).await.unwrap();
    assert!(waiting.application.instant_issue);
    assert_eq!(waiting.application.state, ApplicationState::Paid);

    let staff = platform
        .admin(
            reqwest::Method::POST,
            ecard_api::paths::ADMIN_OPERATORS,
            Some(serde_json::json!({ "name": "东湖区社保卡服务窗口", "outlet_id": outlet })),
        )
        .await;
    let token = staff["token"].as_str().unwrap();
    let issued = reqwest::Client::new()
        .post(format!(
            "{url}{}",
            ecard_api::paths::with_id(ecard_api::paths::OUTLET_INSTANT_ISSUE, &application_id)
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(issued.status(), 200);

    let done = client.application(&application_id).await.unwrap();
    assert_eq!(done.application.state, ApplicationState::Activated);
    client.refresh_profile().await.unwrap();
    client.refresh_all_credentials().await.unwrap();
    let code = client.current_code(None, Purpose::Transport).await.unwrap();
    let mut gate = terminal(&url, &[Purpose::Transport], client.trusted_now()).await;
    assert!(gate.verify(&code.text, client.trusted_now()).is_ok());
}
