//! The person's rights over their data on this device (PIPL): a copy of
//! everything the app holds about them (access), and erasing it (deletion).
//!
//! The export is the person's own data, unmasked, for them to keep; the app
//! writes it only where they choose. Deletion wipes the database, the data
//! key and the device key, so nothing sealed can be read again.

use ecard_api::paths;
use ecard_api::resident::{Application, Delegation, Profile};
use serde::Serialize;

use crate::client::{DATA_KEY_ALIAS, DEVICE_KEY_ALIAS, EcardClient, Session};
use crate::error::{ClientError, StorageError};
use crate::outbox::OutboxEntry;
use crate::workflows::Draft;

/// Everything the app holds about the person.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct PersonalDataExport {
    /// When the export was made (Unix seconds).
    pub exported_at: u64,
    /// The enrolled account and identity.
    pub session: Option<Session>,
    /// The last profile fetched.
    pub profile: Option<Profile>,
    /// Forms in progress.
    pub drafts: Vec<ExportedDraft>,
    /// Submissions and the platform's answers.
    pub submissions: Vec<ExportedSubmission>,
    /// Applications last seen.
    pub applications: Vec<Application>,
    /// Mandates last seen.
    pub mandates: Vec<Delegation>,
    /// Births filed (出生一件事) last seen.
    pub births: Vec<ecard_api::resident::Birth>,
    /// Credentials held (what they say, not the bytes).
    pub credentials: Vec<ExportedCredential>,
    /// Who resolved the person's codes (and those of people they track),
    /// as last fetched.
    pub access_records: Vec<ecard_api::service_points::AccessRecord>,
    /// Insurance records (权益记录) last fetched, of the person and of
    /// relatives they may see.
    pub insurance_records: Vec<ecard_api::insurance::InsuranceRecord>,
    /// Certificates (参保证明) known here (what they say; the PDFs are
    /// opened with [`EcardClient::certificate_pdf`]).
    pub certificates: Vec<ecard_api::insurance::Certificate>,
    /// Pension eligibility statuses last fetched.
    pub eligibility: Vec<ecard_api::eligibility::EligibilityStatus>,
    /// The cards' financial accounts last fetched.
    pub financial_accounts: Vec<ecard_api::money::FinancialAccount>,
    /// Payments into the cards' accounts last fetched.
    pub payments: Vec<ecard_api::money::Payment>,
}

/// A draft in the export.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct ExportedDraft {
    /// Id.
    pub draft_id: String,
    /// The form as JSON (photos as base64).
    #[cfg_attr(feature = "js", ts(type = "unknown"))]
    pub form: serde_json::Value,
    /// Last saved.
    pub updated_at: u64,
}

/// A submission in the export.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct ExportedSubmission {
    /// What it did.
    pub action: String,
    /// Its state.
    pub state: String,
    /// When it was queued.
    pub created_at: u64,
    /// The platform's answer.
    #[cfg_attr(feature = "js", ts(type = "unknown"))]
    pub response: Option<serde_json::Value>,
}

/// A credential in the export.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct ExportedCredential {
    /// The card.
    pub card_id: String,
    /// The purposes it grants.
    pub purposes: Vec<String>,
    /// Valid until.
    pub not_after: u64,
}

fn draft_json(draft: &Draft) -> Result<serde_json::Value, ClientError> {
    serde_json::to_value(&draft.form).map_err(|error| ClientError::Internal(error.to_string()))
}

fn submission(
    client: &EcardClient,
    entry: &OutboxEntry,
) -> Result<ExportedSubmission, ClientError> {
    Ok(ExportedSubmission {
        action: entry.action.clone(),
        state: format!("{:?}", entry.state).to_lowercase(),
        created_at: entry.created_at,
        response: crate::outbox::response(&client.inner.store, &client.inner.cipher, entry.id)?,
    })
}

impl EcardClient {
    /// A copy of everything the app holds about the person (right of access).
    pub fn export_personal_data(&self) -> Result<PersonalDataExport, ClientError> {
        let (financial_accounts, payments) = self.all_cached_money()?;
        let drafts = self
            .drafts()?
            .iter()
            .map(|draft| {
                Ok(ExportedDraft {
                    draft_id: draft.draft_id.clone(),
                    form: draft_json(draft)?,
                    updated_at: draft.updated_at,
                })
            })
            .collect::<Result<Vec<_>, ClientError>>()?;
        let submissions = self
            .outbox()?
            .iter()
            .map(|entry| submission(self, entry))
            .collect::<Result<Vec<_>, _>>()?;
        let credentials = crate::codes::stored(&self.inner.store)?
            .into_iter()
            .map(|stored| ExportedCredential {
                card_id: stored.card_id,
                purposes: stored
                    .purposes
                    .iter()
                    .map(|purpose| purpose.name().to_owned())
                    .collect(),
                not_after: stored.credential.claims.not_after(),
            })
            .collect();
        Ok(PersonalDataExport {
            exported_at: self.trusted_now(),
            session: self.session(),
            profile: self.cached_profile()?,
            drafts,
            submissions,
            applications: self.cached_workflow_values("application")?,
            mandates: self.cached_workflow_values("mandate")?,
            births: self.cached_workflow_values("birth")?,
            credentials,
            access_records: self.all_cached_access_records()?,
            insurance_records: self.all_cached_insurance_records()?,
            certificates: self.all_cached_certificates()?,
            eligibility: self.all_cached_eligibility()?,
            financial_accounts,
            payments,
        })
    }

    /// Erases the person's data (right of deletion). With the e-card PIN
    /// (`platform_pin`), first asks the platform to delete the account
    /// (devices and the credentials they hold revoked, mandates held for
    /// others ended); that needs the network, and nothing is erased here if
    /// it fails. Then erases
    /// everything this device holds: all tables, the wrapped data key, the
    /// device key and the wrapping key. The client is signed out afterwards;
    /// submissions not yet sent are erased too (the caller warns the person
    /// first — [`crate::Snapshot::outbox_pending`]).
    pub async fn delete_personal_data(
        &self,
        platform_pin: Option<&str>,
    ) -> Result<(), ClientError> {
        if let Some(pin) = platform_pin {
            let network = self.signed_network()?;
            let deleted = async {
                let pin_grant = self
                    .pin_grant(pin, ecard_api::identity::PinAction::DeleteAccount)
                    .await?;
                let request = crate::net::ApiRequest::post(
                    paths::ACCOUNT_DELETION,
                    &ecard_api::identity::PinGranted { pin_grant },
                    crate::net::new_idempotency_key()?,
                )?
                .signed();
                self.call(&network, &request, crate::net::RetryPolicy::INTERACTIVE)
                    .await
            };
            match deleted.await {
                Ok(response) => {
                    let deletion: ecard_api::resident::AccountDeletion = response.json()?;
                    tracing::info!(
                        devices = deletion.devices_revoked,
                        "account deleted at the platform"
                    );
                }
                // An earlier attempt went through but its answer was lost:
                // the device is already revoked, so the account is gone.
                Err(ClientError::Refused {
                    code: ecard_api::problem::ProblemCode::Unauthenticated,
                    ..
                }) => {
                    tracing::info!("account already deleted at the platform");
                }
                Err(error) => return Err(error),
            }
        }
        self.erase_local_data().await
    }

    async fn erase_local_data(&self) -> Result<(), ClientError> {
        let inner = self.inner.clone();
        crate::client::off_thread(move || -> Result<(), ClientError> {
            inner.store.write(|tx| {
                for table in [
                    "session",
                    "profile",
                    "credentials",
                    "suspensions",
                    "drafts",
                    "outbox",
                    "workflow_cache",
                    "documents",
                    "catalogue_items",
                    "outlets",
                    "rules",
                    "sync_state",
                    "meta",
                ] {
                    tx.execute(&format!("DELETE FROM {table}"), [])?;
                }
                Ok(())
            })?;
            inner.store.write(|tx| {
                // Overwrite freed pages so deleted rows cannot be carved
                // out of the file.
                tx.pragma_update(None, "secure_delete", "ON")?;
                Ok(())
            })?;
            inner.store.vacuum()?;
            crate::insurance::clear_shared(&inner.config.data_dir)?;
            let key_file = inner.config.data_dir.join("data-key.wrapped");
            match std::fs::remove_file(&key_file) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(StorageError::Io(error).into());
                }
                _ => {}
            }
            inner.key_store.delete_key(DEVICE_KEY_ALIAS)?;
            inner.key_store.delete_key(DATA_KEY_ALIAS)?;
            Ok(())
        })
        .await??;
        *self
            .inner
            .session
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        self.inner.catalogue.reload(&self.inner.store)?;
        self.emit(crate::events::ClientEvent::ProfileChanged);
        Ok(())
    }
}
