//! Privacy checks over a full journey: no ID number, name, phone or address
//! in any log line (client and platform, every level) or in any code; none
//! in plaintext in the database file; the person can export their data and
//! delete it.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::Write;
use std::sync::{Arc, Mutex};

use ecard_api::resident::{DelegationKind, Delivery, LossKind, Scope};
use ecard_core::{DraftForm, NewCardForm};
use ecard_credential::{Presentation, Purpose};
use ecard_e2e::{TestPlatform, identity_of, open_client, test_photo};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

const ADDRESS: &str = "江西省南昌市东湖区八一大道188号3栋2单元501室";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_in_logs_codes_or_the_database_and_the_person_controls_theirs() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    // Global, so events from every thread (runtime workers, the blocking
    // pool, the platform's server thread) are captured.
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let platform = TestPlatform::start();
    let url = platform.url();
    let (resident, elder) = (
        platform.persona("resident").await,
        platform.persona("elder").await,
    );
    let data = tempfile::tempdir().unwrap();
    let client = open_client(&url, data.path()).await;
    ecard_e2e::enrol(&client, &url, identity_of(&resident))
        .await
        .unwrap();
    client.sync_catalogue().await.unwrap();
    let form = NewCardForm {
        person_id: None,
        photo_jpeg: test_photo(),
        bank: "icbc".into(),
        phone: "13800138000".into(),
        delivery: Delivery::Mail {
            address: ADDRESS.into(),
            phone: "13800138000".into(),
        },
        instant_issue: false,
    };
    client
        .save_draft(None, DraftForm::NewCard(form.clone()))
        .await
        .unwrap();
    let submission = client.submit_application(form, None).await.unwrap();
    let application_id = client.submitted_application_id(&submission).unwrap();
    client.pay(&application_id, 1_000).await.unwrap();
    platform.advance_days(7).await;
    let flow = client.application(&application_id).await.unwrap();
    client
        .activate_card(flow.application.card_id.as_deref().unwrap())
        .await
        .unwrap();
    client.refresh_profile().await.unwrap();
    let mut codes = vec![
        client
            .current_code(None, Purpose::Identity)
            .await
            .unwrap()
            .text,
    ];
    codes.push(
        client
            .current_code(None, Purpose::Medical)
            .await
            .unwrap()
            .text,
    );

    let mother_data = tempfile::tempdir().unwrap();
    let mother = open_client(&url, mother_data.path()).await;
    ecard_e2e::enrol(&mother, &url, identity_of(&elder))
        .await
        .unwrap();
    client
        .request_mandate(
            DelegationKind::FamilyProxy,
            identity_of(&elder),
            None,
            vec![Scope::ShowCode, Scope::ReportLoss],
            None,
            Some(ecard_api::resident::Relationship::Child),
            ecard_e2e::TEST_PIN,
        )
        .await
        .unwrap();
    let mandate = mother.mandates().await.unwrap().remove(0);
    mother
        .consent_mandate(&mandate.delegation_id, ecard_e2e::TEST_PIN)
        .await
        .unwrap();
    client.refresh_profile().await.unwrap();
    client.refresh_all_credentials().await.unwrap();
    let her_card = client
        .snapshot()
        .unwrap()
        .cards
        .into_iter()
        .find(|card| card.holder_name_masked.starts_with('刘'))
        .unwrap();
    codes.push(
        client
            .current_code(Some(her_card.card_id.clone()), Purpose::Medical)
            .await
            .unwrap()
            .text,
    );
    client
        .report_loss(&her_card.card_id, LossKind::Temporary)
        .await
        .unwrap();

    let secrets: Vec<String> = vec![
        resident["id_number"].as_str().unwrap().into(),
        elder["id_number"].as_str().unwrap().into(),
        resident["name"].as_str().unwrap().into(),
        elder["name"].as_str().unwrap().into(),
        "13800138000".into(),
        "13900139000".into(),
        ADDRESS.into(),
        "八一大道188号".into(),
    ];

    // Logs of the whole journey, client and platform, at every level.
    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(
        logs.len() > 1_000,
        "the journey was logged ({} bytes)",
        logs.len()
    );
    // The PIN and its grants never reach a log (checked as request-body
    // text: six bare digits also occur in ordinary numbers).
    for pin_text in [
        format!("\"{}\"", ecard_e2e::TEST_PIN),
        "\"pin\"".to_owned(),
        "\"pin_grant\"".to_owned(),
        "\"current_pin\"".to_owned(),
    ] {
        assert!(!logs.contains(&pin_text), "log contains {pin_text}");
    }
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "log contains {secret:?}");
    }

    // Codes carry no personal data.
    for code in &codes {
        let bytes = Presentation::from_code(code).unwrap().as_bytes().to_vec();
        for secret in &secrets {
            assert!(
                !bytes
                    .windows(secret.len())
                    .any(|window| window == secret.as_bytes()),
                "a code contains {secret:?}"
            );
            assert!(!code.contains(secret.as_str()));
        }
    }

    // Nothing in plaintext in the database file.
    let database = || {
        let mut bytes = std::fs::read(data.path().join("ecard.db")).unwrap();
        bytes.extend(std::fs::read(data.path().join("ecard.db-wal")).unwrap_or_default());
        bytes
    };
    let bytes = database();
    for secret in &secrets {
        assert!(
            !bytes
                .windows(secret.len())
                .any(|window| window == secret.as_bytes()),
            "database contains {secret:?}"
        );
    }

    // Access: the export holds the person's own data.
    let export = client.export_personal_data().unwrap();
    let exported = serde_json::to_string(&export).unwrap();
    assert!(exported.contains(resident["id_number"].as_str().unwrap()));
    assert!(exported.contains(ADDRESS));
    assert_eq!(export.drafts.len(), 1);
    assert!(
        export
            .submissions
            .iter()
            .any(|submission| submission.action == "application.submit")
    );

    // Deletion: nothing left, signed out, keys gone.
    let device_id = client.session().unwrap().device_id;
    client
        .delete_personal_data(Some(ecard_e2e::TEST_PIN))
        .await
        .unwrap();
    // At the platform: the account's devices are revoked, the mandate he
    // held for his mother ended, his phone number cleared.
    let mandates = mother.mandates().await.unwrap();
    assert_eq!(
        mandates[0].status,
        ecard_api::resident::DelegationStatus::Revoked
    );
    let device = ecard_platform::store::sql::Value::Text(device_id.clone());
    let (revoked, phone): (Option<i64>, String) = platform.with_database(|register| {
        let revoked = register
            .query_row(
                "SELECT revoked_at FROM devices WHERE device_id = ?1",
                vec![device.clone()],
                |row| row.get(0),
            )
            .unwrap();
        let phone = register
            .query_row("SELECT a.phone FROM accounts a JOIN devices d ON d.account_id = a.account_id WHERE d.device_id = ?1", vec![device.clone()], |row| row.get(0))
            .unwrap();
        (revoked, phone)
    });
    assert!(revoked.is_some(), "the device is revoked");
    assert_eq!(phone, "");
    assert!(!client.snapshot().unwrap().enrolled);
    assert!(client.drafts().unwrap().is_empty());
    assert!(client.outbox().unwrap().is_empty());
    assert!(client.current_code(None, Purpose::Medical).await.is_err());
    let bytes = database();
    for secret in &secrets {
        assert!(
            !bytes
                .windows(secret.len())
                .any(|window| window == secret.as_bytes()),
            "deleted database contains {secret:?}"
        );
    }
    assert!(!data.path().join("data-key.wrapped").exists());
    let keys: Vec<_> = std::fs::read_dir(data.path().join("keys"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert!(
        keys.iter()
            .all(|name| !name.to_string_lossy().starts_with("ecard-device")),
        "{keys:?}"
    );
}
