//! Social-insurance self-service through the client core against the
//! platform on loopback, as families use it: a daughter, on her own phone
//! and with her mother's face, does her mother's yearly pension eligibility
//! check (待遇资格认证), shows her contribution record and shares a
//! certificate (参保证明) that a third party verifies online; and a missed
//! check, which suspends the pension until the pensioner certifies and
//! then pays the withheld months together (补发).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_api::eligibility::EligibilityState;
use ecard_api::insurance::{CertificateKind, CertificateRequest, CertificateState, Insurance};
use ecard_api::money::PaymentSource;
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{DelegationKind, Relationship, Scope};
use ecard_core::{ClientError, ClientEvent, EcardClient};
use ecard_e2e::{FaceBehaviour, SimulatedFace, TEST_PIN, TestPlatform, identity_of, open_client};
use tokio::sync::broadcast::Receiver;

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

/// The daughter's phone, enrolled, with a family mandate for her mother
/// (eligibility, records, track) consented by the mother's face on it;
/// returns the client and the mother's person id.
async fn daughter_with_mandate(
    platform: &TestPlatform,
    data: &std::path::Path,
) -> (EcardClient, String) {
    let url = platform.url();
    let daughter = platform.persona("resident").await;
    let mother = identity_of(&platform.persona("elder").await);
    let client = open_client(&url, data).await;
    ecard_e2e::enrol(&client, &url, identity_of(&daughter))
        .await
        .unwrap();
    client.sync_catalogue().await.unwrap();
    let requested = client
        .request_mandate(
            DelegationKind::FamilyProxy,
            mother.clone(),
            None,
            vec![Scope::Eligibility, Scope::Records, Scope::Track],
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
            SimulatedFace::new(&url, FaceBehaviour::Genuine),
        )
        .await
        .unwrap();
    let mother_id = client.cached_profile().unwrap().unwrap().principals[0]
        .person_id
        .clone();
    (client, mother_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_a_daughter_certifies_her_mother_shows_her_record_and_shares_a_certificate_a_third_party_verifies()
 {
    let platform = TestPlatform::start();
    let url = platform.url();
    let data = tempfile::tempdir().unwrap();
    let (client, mother_id) = daughter_with_mandate(&platform, data.path()).await;
    let mother = identity_of(&platform.persona("elder").await);
    let mut events = client.subscribe();

    // A month before the due date the daughter's phone reminds her.
    platform.advance_days(6).await;
    let due = client.eligibility(Some(mother_id.clone())).await.unwrap();
    assert_eq!(due.status.state, EligibilityState::Due);
    assert!(due.action_needed);
    assert_eq!(reminders(&mut events), [(30, false)]);

    // Her own face in front of the camera: refused, nothing certified.
    let refused = client
        .certify_eligibility(
            Some(mother_id.clone()),
            mother.clone(),
            SimulatedFace::new(&url, FaceBehaviour::Impostor),
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
    // Her mother's face on her phone: certified for another year, the
    // daughter named as the helper.
    let done = client
        .certify_eligibility(
            Some(mother_id.clone()),
            mother.clone(),
            SimulatedFace::new(&url, FaceBehaviour::Genuine),
        )
        .await
        .unwrap();
    assert_eq!(done.status.state, EligibilityState::Certified);
    let certification = done.status.last_certification.clone().unwrap();
    assert_eq!(
        certification.helper_account_id.as_deref(),
        Some(client.session().unwrap().account_id.as_str())
    );
    assert!(done.status.due_by > due.status.due_by);

    // Her contribution record, by year, on the daughter's phone.
    let record = client
        .insurance_records(Some(mother_id.clone()))
        .await
        .unwrap();
    assert_eq!(record.person_id, mother_id);
    assert!(record.pension.is_some());
    let pension_months: u32 = record
        .participations
        .iter()
        .filter(|participation| participation.insurance == Insurance::Pension)
        .map(|participation| participation.months)
        .sum();
    assert_eq!(pension_months, 414);

    // A certificate for her, shared as a file; a bank checks it online by
    // its code and by the file, and a changed copy fails.
    let certificate = client
        .request_certificate(CertificateRequest {
            person_id: Some(mother_id.clone()),
            kind: CertificateKind::Participation,
            insurance: None,
            from_year: None,
            to_year: None,
        })
        .await
        .unwrap();
    assert!(certificate.saved);
    let shared = client
        .certificate_file(&certificate.certificate.certificate_id)
        .await
        .unwrap();
    let file = std::fs::read(&shared).unwrap();
    assert!(file.starts_with(b"%PDF"));
    let bank = open_client(&url, tempfile::tempdir().unwrap().path()).await;
    let by_code = bank
        .check_certificate(&certificate.certificate.verification_code)
        .await
        .unwrap();
    assert_eq!(by_code.state, CertificateState::Valid);
    assert_eq!(by_code.name_masked.as_deref(), Some("刘**"));
    let by_file = bank.check_certificate_file(file.clone()).await.unwrap();
    assert_eq!(by_file.state, CertificateState::Valid);
    let mut changed = file;
    let last = changed.len() - 10;
    changed[last] ^= 0x20;
    let refused = bank.check_certificate_file(changed).await.unwrap_err();
    assert!(
        matches!(
            refused,
            ClientError::Refused {
                code: ProblemCode::CertificateInvalid,
                ..
            }
        ),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eligibility_missed_suspends_the_pension_until_certified_then_the_withheld_months_are_paid()
{
    let platform = TestPlatform::start();
    let url = platform.url();
    let data = tempfile::tempdir().unwrap();
    let (client, mother_id) = daughter_with_mandate(&platform, data.path()).await;
    let mother = identity_of(&platform.persona("elder").await);
    let mut events = client.subscribe();

    // Past the due date and the grace, with no certification: suspended,
    // and the phone says so once.
    for days in [6, 32, 31] {
        platform.advance_days(days).await;
        client.eligibility(Some(mother_id.clone())).await.unwrap();
    }
    let suspended = client.eligibility(Some(mother_id.clone())).await.unwrap();
    assert_eq!(suspended.status.state, EligibilityState::Suspended);
    assert!(suspended.status.payments_suspended);
    assert!(reminders(&mut events).contains(&(0, true)));
    assert_eq!(client.remind_eligibility().await.unwrap(), 0);

    // Two more months pass: their pension is withheld.
    platform.advance_days(62).await;
    let withheld = client
        .eligibility(Some(mother_id.clone()))
        .await
        .unwrap()
        .status
        .withheld_months;
    assert!(withheld.len() >= 2, "{withheld:?}");

    // Certified with her face: payments resume and the withheld months
    // are paid together (补发) into her card.
    let done = client
        .certify_eligibility(
            Some(mother_id.clone()),
            mother,
            SimulatedFace::new(&url, FaceBehaviour::Genuine),
        )
        .await
        .unwrap();
    assert_eq!(done.status.state, EligibilityState::Certified);
    assert!(!done.status.payments_suspended);
    let payments = client
        .payments(Some(mother_id.clone()), None)
        .await
        .unwrap()
        .payments;
    let arrears = payments
        .iter()
        .find(|payment| payment.source == PaymentSource::Pension && payment.months.len() >= 2)
        .unwrap_or_else(|| panic!("no 补发 in {payments:?}"));
    assert_eq!(arrears.months, withheld);
}
