//! Social-insurance self-service on the phone: the person's insurance
//! record (权益记录 / 缴费记录) by year and insurance, and certificates
//! (参保证明 / 缴费证明) the person can keep, open and share, and anyone can
//! check online.
//!
//! Both are personal data, read like the other lists the app shows: fetched
//! when online, kept sealed on the device, shown from there when offline
//! with how old they are (a record changes once a month, so a cache a day
//! old is still good to read; the view says when it is older). A record is
//! fetched again only when it changed (the platform's entity tag), and
//! forgotten here when the platform stops letting this account see it (a
//! mandate revoked or expired).
//!
//! A certificate's PDF is checked against the SHA-256 the platform gave at
//! issuance before it is kept, so what the person shares is what the
//! platform issued. Sharing needs a plain file for the platform's share
//! sheet: [`EcardClient::certificate_file`] writes one copy to the
//! `shared` directory of the app's data, and every earlier copy is removed
//! at that moment, when the client starts, and on deletion.

use std::path::{Path, PathBuf};

use ecard_api::insurance::{
    Certificate, CertificateCheck, CertificateKind, CertificateList, CertificateRequest,
    ContributionMonth, Insurance, InsuranceRecord, Participation, PensionStart, Scheme, Transfer,
    YearTotal,
};
use ecard_api::paths;
use rusqlite::{OptionalExtension as _, params};
use serde::{Deserialize, Serialize};

use crate::client::{EcardClient, blocking};
use crate::error::{ClientError, StorageError};
use crate::net::{ApiRequest, ApiResponse, RetryPolicy, new_idempotency_key};
use crate::workflows::{Freshness, access_withdrawn, for_person};

/// The workflow-cache kind of insurance records (one per person).
const RECORD_KIND: &str = "insurance_record";
/// The workflow-cache kind of certificates (their metadata).
const CERTIFICATE_KIND: &str = "certificate";
/// The documents kind of a certificate's PDF.
const CERTIFICATE_PDF: &str = "certificate_pdf";
/// The directory, under the data directory, of the one plain copy made for
/// the share sheet.
const SHARED_DIRECTORY: &str = "shared";

/// One year of the record: the totals of each insurance, and of all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct RecordYear {
    /// The year.
    pub year: u16,
    /// One line per insurance paid that year.
    pub insurances: Vec<YearTotal>,
    /// The person's shares of all insurances, fen.
    pub personal: u64,
    /// The employers' shares of all insurances, fen.
    pub employer: u64,
    /// Months owed (欠缴), any insurance.
    pub months_owed: u32,
}

/// The insurance record as the app shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct RecordsView {
    /// Whose record.
    pub person_id: String,
    /// The last month it covers, `YYYY-MM`.
    pub through: String,
    /// One per insurance the person ever joined.
    pub participations: Vec<Participation>,
    /// Transfers between regions, oldest first.
    pub transfers: Vec<Transfer>,
    /// The pension, once the person retired.
    pub pension: Option<PensionStart>,
    /// Newest year first.
    pub years: Vec<RecordYear>,
    /// How fresh it is.
    pub freshness: Freshness,
}

/// One month of one insurance, with who paid it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct MonthLine {
    /// `YYYY-MM`.
    pub month: String,
    /// The insurance.
    pub insurance: Insurance,
    /// How it was paid.
    pub scheme: Scheme,
    /// The employer, when an employer paid.
    pub employer_name: Option<String>,
    /// 缴费基数, fen.
    pub base: u64,
    /// The person's share, fen.
    pub personal: u64,
    /// The employer's share, fen.
    pub employer: u64,
    /// Division code where it was paid.
    pub region: String,
    /// Paid, or owed (欠缴).
    pub paid: bool,
}

/// A certificate as the app lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct CertificateView {
    /// The certificate as issued.
    pub certificate: Certificate,
    /// Whether its PDF is kept on this device (opens offline).
    pub saved: bool,
    /// Whether its validity has ended (checks answer `expired`).
    pub expired: bool,
}

/// The cached record with the entity tag it came with.
#[derive(Serialize, Deserialize)]
struct CachedRecord {
    etag: Option<String>,
    record: InsuranceRecord,
}

/// The years of `totals`, newest first.
fn years_of(totals: &[YearTotal]) -> Vec<RecordYear> {
    let mut years: Vec<RecordYear> = Vec::new();
    for total in totals {
        let position = match years.iter().position(|year| year.year == total.year) {
            Some(position) => position,
            None => {
                years.push(RecordYear {
                    year: total.year,
                    insurances: Vec::new(),
                    personal: 0,
                    employer: 0,
                    months_owed: 0,
                });
                years.len() - 1
            }
        };
        let year = &mut years[position];
        year.personal += total.personal;
        year.employer += total.employer;
        year.months_owed += total.months_owed;
        year.insurances.push(total.clone());
    }
    years.sort_by_key(|year| std::cmp::Reverse(year.year));
    years
}

fn view_of(record: InsuranceRecord, freshness: Freshness) -> RecordsView {
    RecordsView {
        years: years_of(&record.totals),
        person_id: record.person_id,
        through: record.through,
        participations: record.participations,
        transfers: record.transfers,
        pension: record.pension,
        freshness,
    }
}

fn month_line(record: &InsuranceRecord, month: &ContributionMonth) -> MonthLine {
    let payer = record.payers.get(month.payer as usize);
    MonthLine {
        month: month.month.clone(),
        insurance: month.insurance,
        scheme: payer.map_or(Scheme::Employee, |payer| payer.scheme),
        employer_name: payer.and_then(|payer| payer.employer.clone()),
        base: month.base,
        personal: month.personal,
        employer: month.employer,
        region: month.region.clone(),
        paid: month.paid,
    }
}

/// Removes every plain copy made for sharing.
pub(crate) fn clear_shared(data_dir: &Path) -> Result<(), StorageError> {
    match std::fs::remove_dir_all(data_dir.join(SHARED_DIRECTORY)) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error.into()),
        _ => Ok(()),
    }
}

/// The file name a shared certificate gets: what it is and its code.
fn shared_name(certificate: &Certificate) -> String {
    let what = match certificate.kind {
        CertificateKind::Participation => "参保证明",
        CertificateKind::ContributionRecord => "缴费证明",
    };
    format!("{what}-{}.pdf", certificate.verification_code)
}

/// Insurance records and certificates of the client.
impl EcardClient {
    /// The insurance record of `person_id` (the account holder when
    /// `None`; someone else's needs a mandate with the `records` scope), by
    /// year and insurance. Fetched again only if it changed; offline, the
    /// record last fetched, marked as such.
    pub async fn insurance_records(
        &self,
        person_id: Option<String>,
    ) -> Result<RecordsView, ClientError> {
        let network = self.signed_network()?;
        let person = self.person_or_holder(person_id.as_deref())?;
        let cached = self.cached_workflow_entry::<CachedRecord>(RECORD_KIND, &person)?;
        let request = ApiRequest::get(for_person(
            paths::MY_INSURANCE_RECORDS,
            person_id.as_deref(),
        ))
        .signed()
        .if_none_match(cached.as_ref().and_then(|(cached, _)| cached.etag.clone()));
        match self
            .call(&network, &request, RetryPolicy::INTERACTIVE)
            .await
        {
            Ok(ApiResponse::NotModified) => {
                let Some((cached, _)) = cached else {
                    return Err(ClientError::BadReply(
                        "304 to an unconditional request".into(),
                    ));
                };
                self.confirm_workflow(RECORD_KIND, &person).await?;
                Ok(view_of(
                    cached.record,
                    self.freshness(self.trusted_now(), false),
                ))
            }
            Ok(response) => {
                let etag = match &response {
                    ApiResponse::Body { etag, .. } => etag.clone(),
                    ApiResponse::NotModified => None,
                };
                let record: InsuranceRecord = response.json()?;
                if record.person_id != person {
                    return Err(ClientError::BadReply("the record of someone else".into()));
                }
                let cached = CachedRecord { etag, record };
                self.cache_workflow(RECORD_KIND, &person, &cached).await?;
                Ok(view_of(
                    cached.record,
                    self.freshness(self.trusted_now(), false),
                ))
            }
            Err(error) => match (error, cached) {
                (ClientError::Offline(_) | ClientError::Timeout, Some((cached, fetched_at))) => {
                    Ok(view_of(cached.record, self.freshness(fetched_at, true)))
                }
                (error, _) => {
                    if access_withdrawn(&error) {
                        self.forget_person_records(&person).await?;
                    }
                    Err(error)
                }
            },
        }
    }

    /// Forgets what this device keeps of `person`'s records and
    /// certificates (this account may no longer see them).
    async fn forget_person_records(&self, person: &str) -> Result<(), ClientError> {
        let stale: Vec<String> = self
            .cached_workflows::<Certificate>(CERTIFICATE_KIND)?
            .into_iter()
            .filter(|certificate| certificate.person_id == person)
            .map(|certificate| certificate.certificate_id)
            .collect();
        self.forget_workflow(RECORD_KIND, person).await?;
        for certificate_id in &stale {
            self.forget_workflow(CERTIFICATE_KIND, certificate_id)
                .await?;
        }
        let person = person.to_owned();
        blocking(&self.inner, move |inner| {
            Ok(inner.store.write(|tx| {
                tx.execute(
                    "DELETE FROM documents WHERE kind = ?1 AND person_id = ?2",
                    params![CERTIFICATE_PDF, person],
                )?;
                Ok(())
            })?)
        })
        .await
    }

    /// The record of `person_id` (the account holder when `None`) as last
    /// fetched, or `None` if this device has none. Local I/O only.
    pub fn insurance_records_cached(
        &self,
        person_id: Option<&str>,
    ) -> Result<Option<RecordsView>, ClientError> {
        let person = self.person_or_holder(person_id)?;
        Ok(self
            .cached_workflow_entry::<CachedRecord>(RECORD_KIND, &person)?
            .map(|(cached, fetched_at)| view_of(cached.record, self.freshness(fetched_at, true))))
    }

    /// The months of `year` in the cached record of `person_id` (the
    /// account holder when `None`), of one insurance or all, oldest first.
    /// Local I/O only; empty when nothing is cached.
    pub fn insurance_record_months(
        &self,
        person_id: Option<&str>,
        year: u16,
        insurance: Option<Insurance>,
    ) -> Result<Vec<MonthLine>, ClientError> {
        let person = self.person_or_holder(person_id)?;
        let Some((cached, _)) = self.cached_workflow_entry::<CachedRecord>(RECORD_KIND, &person)?
        else {
            return Ok(Vec::new());
        };
        let prefix = format!("{year:04}-");
        Ok(cached
            .record
            .months
            .iter()
            .filter(|month| month.month.starts_with(&prefix))
            .filter(|month| insurance.is_none_or(|insurance| month.insurance == insurance))
            .map(|month| month_line(&cached.record, month))
            .collect())
    }

    /// Asks the platform for a certificate (of the account holder, or of
    /// `request.person_id` under a mandate with the `records` scope), and
    /// keeps its PDF on this device once its SHA-256 matches.
    pub async fn request_certificate(
        &self,
        request: CertificateRequest,
    ) -> Result<CertificateView, ClientError> {
        if let (Some(from), Some(to)) = (request.from_year, request.to_year)
            && from > to
        {
            return Err(ClientError::InvalidChoice {
                field: "from_year".into(),
                reason: "the first year is after the last".into(),
            });
        }
        let certificate: Certificate = self
            .signed_post(paths::MY_CERTIFICATES.to_owned(), &request)
            .await?;
        self.keep_certificate(&certificate).await?;
        // Issued even if the download fails now: the list offers it again.
        let saved = self
            .certificate_pdf(&certificate.certificate_id)
            .await
            .is_ok();
        Ok(self.certificate_view(certificate, saved))
    }

    fn certificate_view(&self, certificate: Certificate, saved: bool) -> CertificateView {
        CertificateView {
            expired: self.trusted_now() >= certificate.valid_until,
            certificate,
            saved,
        }
    }

    async fn keep_certificate(&self, certificate: &Certificate) -> Result<(), ClientError> {
        self.cache_workflow(CERTIFICATE_KIND, &certificate.certificate_id, certificate)
            .await
    }

    /// The certificates issued for `person_id` (the account holder when
    /// `None`), newest first, by whoever asked; offline, those this device
    /// knows.
    pub async fn certificates(
        &self,
        person_id: Option<String>,
    ) -> Result<Vec<CertificateView>, ClientError> {
        let person = self.person_or_holder(person_id.as_deref())?;
        let listed: Result<CertificateList, ClientError> = self
            .signed_get(for_person(paths::MY_CERTIFICATES, person_id.as_deref()))
            .await;
        match listed {
            Ok(list) => {
                for certificate in &list.certificates {
                    if certificate.person_id != person {
                        return Err(ClientError::BadReply(
                            "a certificate of someone else".into(),
                        ));
                    }
                    self.keep_certificate(certificate).await?;
                }
                let saved = self.saved_documents(CERTIFICATE_PDF)?;
                Ok(list
                    .certificates
                    .into_iter()
                    .map(|certificate| {
                        let kept = saved.contains(&certificate.certificate_id);
                        self.certificate_view(certificate, kept)
                    })
                    .collect())
            }
            Err(ClientError::Offline(_) | ClientError::Timeout) => {
                self.certificates_cached(Some(&person))
            }
            Err(error) => {
                if access_withdrawn(&error) {
                    self.forget_person_records(&person).await?;
                }
                Err(error)
            }
        }
    }

    /// The certificates of `person_id` (the account holder when `None`)
    /// this device knows, newest first. Local I/O only.
    pub fn certificates_cached(
        &self,
        person_id: Option<&str>,
    ) -> Result<Vec<CertificateView>, ClientError> {
        let person = self.person_or_holder(person_id)?;
        let saved = self.saved_documents(CERTIFICATE_PDF)?;
        let mut certificates: Vec<Certificate> = self
            .cached_workflows::<Certificate>(CERTIFICATE_KIND)?
            .into_iter()
            .filter(|certificate| certificate.person_id == person)
            .collect();
        // Newest first, ties by id: the platform's order.
        certificates.sort_by(|a, b| {
            b.issued_at
                .cmp(&a.issued_at)
                .then_with(|| b.certificate_id.cmp(&a.certificate_id))
        });
        Ok(certificates
            .into_iter()
            .map(|certificate| {
                let kept = saved.contains(&certificate.certificate_id);
                self.certificate_view(certificate, kept)
            })
            .collect())
    }

    /// Every insurance record this device keeps, of anyone (for the
    /// export).
    pub(crate) fn all_cached_insurance_records(&self) -> Result<Vec<InsuranceRecord>, ClientError> {
        Ok(self
            .cached_workflows::<CachedRecord>(RECORD_KIND)?
            .into_iter()
            .map(|cached| cached.record)
            .collect())
    }

    /// Every certificate this device knows, of anyone (for the export).
    pub(crate) fn all_cached_certificates(&self) -> Result<Vec<Certificate>, ClientError> {
        self.cached_workflows(CERTIFICATE_KIND)
    }

    /// The ids of the documents of `kind` kept here.
    fn saved_documents(&self, kind: &str) -> Result<Vec<String>, ClientError> {
        Ok(self.inner.store.read(|connection| {
            let mut statement =
                connection.prepare("SELECT document_id FROM documents WHERE kind = ?1")?;
            let ids = statement
                .query_map(params![kind], |row| row.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(ids)
        })?)
    }

    /// The PDF of a certificate this device knows: kept here, or
    /// downloaded, checked against the SHA-256 given at issuance and kept.
    pub async fn certificate_pdf(&self, certificate_id: &str) -> Result<Vec<u8>, ClientError> {
        let certificate = self.known_certificate(certificate_id)?;
        self.pdf_of(&certificate).await
    }

    /// A certificate this device knows (listed or issued here).
    fn known_certificate(&self, certificate_id: &str) -> Result<Certificate, ClientError> {
        self.cached_workflow_entry::<Certificate>(CERTIFICATE_KIND, certificate_id)?
            .map(|(certificate, _)| certificate)
            .ok_or_else(|| ClientError::NotFound("certificate".into()))
    }

    /// The PDF of `certificate`: kept here, or downloaded, checked and kept.
    async fn pdf_of(&self, certificate: &Certificate) -> Result<Vec<u8>, ClientError> {
        let certificate_id = certificate.certificate_id.as_str();
        let id = certificate_id.to_owned();
        let kept = blocking(&self.inner, move |inner| {
            let sealed: Option<Vec<u8>> = inner.store.read(|connection| {
                Ok(connection
                    .query_row(
                        "SELECT sealed FROM documents WHERE document_id = ?1",
                        params![id],
                        |row| row.get(0),
                    )
                    .optional()?)
            })?;
            Ok(sealed
                .map(|sealed| inner.cipher.open("documents.sealed", &sealed))
                .transpose()?)
        })
        .await?;
        if let Some(pdf) = kept {
            return Ok(pdf);
        }
        let network = self.signed_network()?;
        let response = self
            .call(
                &network,
                &ApiRequest::get(paths::with_id(paths::CERTIFICATE_PDF, certificate_id)).signed(),
                RetryPolicy::INTERACTIVE,
            )
            .await?;
        let ApiResponse::Body { body: pdf, .. } = response else {
            return Err(ClientError::BadReply("no PDF in the answer".into()));
        };
        let digest = ring::digest::digest(&ring::digest::SHA256, &pdf);
        let hex: String = digest
            .as_ref()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        if hex != certificate.sha256 || pdf.len() as u64 != certificate.size {
            return Err(ClientError::BadReply(
                "the PDF is not the certificate issued".into(),
            ));
        }
        let (id, person, bytes, now) = (
            certificate_id.to_owned(),
            certificate.person_id.clone(),
            pdf.clone(),
            self.trusted_now(),
        );
        blocking(&self.inner, move |inner| {
            let sealed = inner.cipher.seal("documents.sealed", &bytes)?;
            Ok(inner.store.write(|tx| {
                tx.execute(
                    "INSERT INTO documents (document_id, kind, person_id, sealed, fetched_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(document_id) DO UPDATE SET \
                     sealed = excluded.sealed, fetched_at = excluded.fetched_at",
                    params![id, CERTIFICATE_PDF, person, sealed, now as i64],
                )?;
                Ok(())
            })?)
        })
        .await?;
        Ok(pdf)
    }

    /// A plain copy of a certificate's PDF for opening or the share sheet;
    /// returns its path. Earlier copies are removed first, so at most one
    /// plain copy exists (removed again when the client starts).
    pub async fn certificate_file(&self, certificate_id: &str) -> Result<String, ClientError> {
        let certificate = self.known_certificate(certificate_id)?;
        let pdf = self.pdf_of(&certificate).await?;
        let name = shared_name(&certificate);
        blocking(&self.inner, move |inner| {
            let data_dir = &inner.config.data_dir;
            clear_shared(data_dir)?;
            let directory: PathBuf = data_dir.join(SHARED_DIRECTORY);
            std::fs::create_dir_all(&directory).map_err(StorageError::from)?;
            let path = directory.join(name);
            std::fs::write(&path, &pdf).map_err(StorageError::from)?;
            Ok(path.to_string_lossy().into_owned())
        })
        .await
    }

    /// Checks a certificate by its verification code at the platform, as
    /// anyone handed one can (no account needed).
    pub async fn check_certificate(&self, code: &str) -> Result<CertificateCheck, ClientError> {
        let code = ecard_api::insurance::canonical_code(code).ok_or_else(|| {
            ClientError::InvalidChoice {
                field: "code".into(),
                reason: "16 letters and digits, as printed on the certificate".into(),
            }
        })?;
        let network = self.inner.network.clone();
        self.call(
            &network,
            &ApiRequest::get(paths::with_id(paths::CERTIFICATE_CHECK, &code)),
            RetryPolicy::INTERACTIVE,
        )
        .await?
        .json()
    }

    /// Checks a certificate's file at the platform: valid only if it is,
    /// byte for byte, a certificate the platform issued and still valid. A
    /// changed file is refused (`certificate_invalid`), an expired one too
    /// (`certificate_expired`).
    pub async fn check_certificate_file(
        &self,
        pdf: Vec<u8>,
    ) -> Result<CertificateCheck, ClientError> {
        if pdf.is_empty() || pdf.len() > ecard_api::insurance::MAX_CHECKED_PDF {
            return Err(ClientError::InvalidChoice {
                field: "file".into(),
                reason: "not a certificate's PDF".into(),
            });
        }
        let network = self.inner.network.clone();
        let request = ApiRequest::post_bytes(
            paths::CERTIFICATE_CHECKS,
            pdf,
            "application/pdf",
            new_idempotency_key()?,
        );
        self.call(&network, &request, RetryPolicy::INTERACTIVE)
            .await?
            .json()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use ecard_api::insurance::{CertificateKind, CertificateRequest, CertificateState, Insurance};
    use ecard_api::problem::ProblemCode;

    use super::CachedRecord;
    use crate::error::ClientError;
    use crate::test_platform::with_enrolled;
    use crate::transport::faults::Fault;

    #[test]
    fn records_show_by_year_offline_with_their_age_and_are_fetched_again_only_when_changed() {
        with_enrolled("elder", |platform, client| async move {
            assert!(client.insurance_records_cached(None).unwrap().is_none());
            let view = client.insurance_records(None).await.unwrap();
            assert!(!view.freshness.offline && !view.freshness.stale);
            // 刘桂兰: 414 pension months from 1969 and a pension since 2003.
            assert!(view.pension.is_some());
            assert!(view.years.len() > 30, "{}", view.years.len());
            assert!(
                view.years
                    .windows(2)
                    .all(|pair| pair[0].year > pair[1].year)
            );
            let first_year = view.years.last().unwrap();
            assert_eq!(first_year.year, 1969);
            assert!(
                first_year
                    .insurances
                    .iter()
                    .any(|line| line.insurance == Insurance::Pension)
            );
            let months = client
                .insurance_record_months(None, 1969, Some(Insurance::Pension))
                .unwrap();
            assert!(!months.is_empty() && months.len() <= 12);
            assert!(months.iter().all(|month| month.month.starts_with("1969-")));
            let summed: u64 = months.iter().map(|month| month.personal).sum();
            let total = first_year
                .insurances
                .iter()
                .find(|line| line.insurance == Insurance::Pension)
                .unwrap();
            assert_eq!(summed, total.personal);

            // Kept with its entity tag; unchanged, the platform answers 304
            // and the same record shows, confirmed now.
            let (cached, _) = client
                .cached_workflow_entry::<CachedRecord>("insurance_record", &view.person_id)
                .unwrap()
                .unwrap();
            assert!(cached.etag.is_some());
            platform.advance_days(2).await;
            // Any answer tells the client the platform's time.
            client.check_notices().await.unwrap();
            let stale = client.insurance_records_cached(None).unwrap().unwrap();
            assert!(stale.freshness.stale, "{:?}", stale.freshness);
            let again = client.insurance_records(None).await.unwrap();
            assert_eq!(again.years, view.years);
            assert!(!again.freshness.stale);

            // Offline: the record kept, marked offline, its age told.
            platform.network.set_down(Some(Fault::Unreachable));
            let offline = client.insurance_records(None).await.unwrap();
            assert!(offline.freshness.offline);
            assert_eq!(offline.years, view.years);
            platform.network.set_down(None);

            // Personal data: in the export, sealed at rest.
            let export = client.export_personal_data().unwrap();
            assert_eq!(export.insurance_records.len(), 1);
            let file = std::fs::read(client.inner.store.path()).unwrap();
            assert!(!file.windows(7).any(|window| window == b"1969-01"));
        });
    }

    #[test]
    fn a_certificate_is_kept_sealed_shared_as_one_plain_copy_and_checked_online() {
        with_enrolled("elder", |platform, client| async move {
            let issued = client
                .request_certificate(CertificateRequest {
                    person_id: None,
                    kind: CertificateKind::Participation,
                    insurance: None,
                    from_year: None,
                    to_year: None,
                })
                .await
                .unwrap();
            assert!(issued.saved && !issued.expired);
            let pdf = client
                .certificate_pdf(&issued.certificate.certificate_id)
                .await
                .unwrap();
            assert!(pdf.starts_with(b"%PDF"));
            // Sealed at rest: no PDF in the database file.
            let file = std::fs::read(client.inner.store.path()).unwrap();
            assert!(!file.windows(5).any(|window| window == b"%PDF-"));

            // One plain copy for the share sheet, named for what it is.
            let shared = client
                .certificate_file(&issued.certificate.certificate_id)
                .await
                .unwrap();
            assert!(shared.ends_with(&format!(
                "参保证明-{}.pdf",
                issued.certificate.verification_code
            )));
            assert_eq!(std::fs::read(&shared).unwrap(), pdf);
            // An hour later, another.
            platform
                .admin(
                    "POST",
                    ecard_api::paths::ADMIN_CLOCK_ADVANCE,
                    Some(serde_json::json!({ "seconds": 3_600 })),
                )
                .await;
            let second = client
                .request_certificate(CertificateRequest {
                    person_id: None,
                    kind: CertificateKind::ContributionRecord,
                    insurance: Some(Insurance::Pension),
                    from_year: Some(1990),
                    to_year: Some(2000),
                })
                .await
                .unwrap();
            let second_file = client
                .certificate_file(&second.certificate.certificate_id)
                .await
                .unwrap();
            assert!(second_file.contains("缴费证明-"));
            assert!(!std::path::Path::new(&shared).exists());

            // Anyone checks it online, by code (as typed, lower case and
            // hyphens) and by the file; a changed file fails.
            let typed = issued.certificate.verification_code.to_lowercase();
            let typed = format!("{}-{}", &typed[..8], &typed[8..]);
            let check = client.check_certificate(&typed).await.unwrap();
            assert_eq!(check.state, CertificateState::Valid);
            assert_eq!(check.kind, Some(CertificateKind::Participation));
            let by_file = client.check_certificate_file(pdf.clone()).await.unwrap();
            assert_eq!(by_file.state, CertificateState::Valid);
            let mut tampered = pdf.clone();
            let middle = tampered.len() / 2;
            tampered[middle] ^= 0x01;
            let refused = client.check_certificate_file(tampered).await.unwrap_err();
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
            let malformed = client.check_certificate("not-a-code").await.unwrap_err();
            assert_eq!(malformed.field().as_deref(), Some("code"));

            // The list, online and offline; the PDF opens offline.
            let listed = client.certificates(None).await.unwrap();
            assert_eq!(listed.len(), 2);
            assert_eq!(
                listed[0].certificate.certificate_id,
                second.certificate.certificate_id
            );
            platform.network.set_down(Some(Fault::Unreachable));
            assert_eq!(client.certificates(None).await.unwrap(), listed);
            assert_eq!(
                client
                    .certificate_pdf(&issued.certificate.certificate_id)
                    .await
                    .unwrap(),
                pdf
            );
            platform.network.set_down(None);

            // Past its validity: listed as expired, checked as expired.
            platform.advance_days(91).await;
            let listed = client.certificates(None).await.unwrap();
            assert!(listed.iter().all(|view| view.expired));
            let expired = client
                .check_certificate(&issued.certificate.verification_code)
                .await
                .unwrap();
            assert_eq!(expired.state, CertificateState::Expired);

            // In the export; deletion removes the kept PDFs and the copy.
            assert_eq!(client.export_personal_data().unwrap().certificates.len(), 2);
            client.delete_personal_data(None).await.unwrap();
            assert!(!std::path::Path::new(&second_file).exists());
        });
    }

    #[test]
    fn a_changed_download_is_not_kept_and_a_revoked_mandate_takes_the_relatives_data_off_the_phone()
    {
        use ecard_api::resident::{DelegationKind, Relationship, Scope};
        use http::Method;

        use crate::test_platform::TEST_PIN;

        with_enrolled("resident", |platform, client| async move {
            let mother = platform.persona("elder").await;
            let requested = client
                .request_mandate(
                    DelegationKind::FamilyProxy,
                    mother.clone(),
                    None,
                    vec![Scope::Records],
                    None,
                    Some(Relationship::Child),
                    TEST_PIN,
                )
                .await
                .unwrap();
            let delegation_id = requested.delegation_id.unwrap();
            client
                .consent_mandate_by_face(&delegation_id, &mother, platform.genuine_face())
                .await
                .unwrap();
            let mother_id = client.cached_profile().unwrap().unwrap().principals[0]
                .person_id
                .clone();
            client
                .insurance_records(Some(mother_id.clone()))
                .await
                .unwrap();

            // The PDF changed on the way: not kept, not shared.
            let pdf_path = ecard_api::paths::CERTIFICATE_PDF.replace("/{id}/pdf", "/");
            platform
                .network
                .fail(Method::GET, &pdf_path, 0, 1, Fault::Tamper);
            let issued = client
                .request_certificate(CertificateRequest {
                    person_id: Some(mother_id.clone()),
                    kind: CertificateKind::Participation,
                    insurance: None,
                    from_year: None,
                    to_year: None,
                })
                .await
                .unwrap();
            assert!(!issued.saved);
            let id = issued.certificate.certificate_id.clone();
            // Downloaded again intact, it is kept.
            assert!(
                client
                    .certificate_pdf(&id)
                    .await
                    .unwrap()
                    .starts_with(b"%PDF")
            );
            platform
                .network
                .fail(Method::GET, &pdf_path, 0, 1, Fault::Tamper);
            client
                .inner
                .store
                .write(|tx| {
                    tx.execute("DELETE FROM documents", [])?;
                    Ok(())
                })
                .unwrap();
            let changed = client.certificate_pdf(&id).await.unwrap_err();
            assert!(matches!(changed, ClientError::BadReply(_)), "{changed:?}");
            assert!(client.certificate_file(&id).await.is_ok());

            // The mother revokes nothing; the daughter's mandate ends: the
            // next read is refused and her data leaves the phone.
            client.revoke_mandate(&delegation_id).await.unwrap();
            let refused = client
                .insurance_records(Some(mother_id.clone()))
                .await
                .unwrap_err();
            assert!(
                matches!(
                    refused,
                    ClientError::Refused {
                        code: ProblemCode::NoMandate,
                        ..
                    }
                ),
                "{refused:?}"
            );
            assert!(
                client
                    .insurance_records_cached(Some(&mother_id))
                    .unwrap()
                    .is_none()
            );
            assert!(
                client
                    .certificates_cached(Some(&mother_id))
                    .unwrap()
                    .is_empty()
            );
            assert!(
                client
                    .saved_documents(super::CERTIFICATE_PDF)
                    .unwrap()
                    .is_empty()
            );
        });
    }
}
