//! Who looked at my information (谁查看了我的信息): the access records the
//! platform keeps of every online resolution of the person's codes at a
//! hospital, pharmacy or counter, and reporting one the person does not
//! recognise.
//!
//! The records are the person's own data, so they are read like the other
//! lists the app shows: fetched when online, kept sealed in the workflow
//! cache, and shown from it when offline (and carried in the personal-data
//! export). A report goes through the outbox, so it is not lost to a bad
//! connection.

use ecard_api::paths;
use ecard_api::service_points::{
    AccessRecord, AccessRecordPage, AccessReportReason, AccessReportRequest,
};

use crate::client::EcardClient;
use crate::error::ClientError;
use crate::net::{ApiRequest, RetryPolicy};
use crate::workflows::Submission;

/// The workflow-cache kind of access records.
const KIND: &str = "access_record";

/// Access records of the client.
impl EcardClient {
    /// A page of the access records of `person_id` (the account holder when
    /// `None`; someone else's need a mandate with the `track` scope), newest
    /// first; `before` is the previous page's `next_before`. Offline, the
    /// records last fetched, in one page.
    pub async fn access_records(
        &self,
        person_id: Option<String>,
        before: Option<u64>,
    ) -> Result<AccessRecordPage, ClientError> {
        let network = self.signed_network()?;
        let path = crate::workflows::for_person_page(
            paths::MY_ACCESS_RECORDS,
            person_id.as_deref(),
            before,
        );
        match self
            .call(
                &network,
                &ApiRequest::get(path).signed(),
                RetryPolicy::INTERACTIVE,
            )
            .await
        {
            Ok(response) => {
                let page: AccessRecordPage = response.json()?;
                for record in &page.records {
                    self.cache_workflow(KIND, &record.record_id, record).await?;
                }
                Ok(page)
            }
            Err(ClientError::Offline(_) | ClientError::Timeout) => Ok(AccessRecordPage {
                records: self.access_records_cached(person_id.as_deref())?,
                next_before: None,
            }),
            Err(error) => Err(error),
        }
    }

    /// The access records of `person_id` (the account holder when `None`)
    /// last fetched, newest first.
    pub fn access_records_cached(
        &self,
        person_id: Option<&str>,
    ) -> Result<Vec<AccessRecord>, ClientError> {
        let person_id = match person_id {
            Some(person_id) => person_id.to_owned(),
            None => self.session().ok_or(ClientError::NotEnrolled)?.person_id,
        };
        let mut records: Vec<AccessRecord> = self
            .cached_workflows::<AccessRecord>(KIND)?
            .into_iter()
            .filter(|record| record.person_id == person_id)
            .collect();
        records.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.record_id.cmp(&a.record_id)));
        Ok(records)
    }

    /// Every access record last fetched, of anyone (for the export).
    pub(crate) fn all_cached_access_records(&self) -> Result<Vec<AccessRecord>, ClientError> {
        self.cached_workflows(KIND)
    }

    /// Reports an access record as not the person's (`NotMe`: someone else
    /// used their code) or unexpected, with an optional note of up to 500
    /// characters. Sent through the outbox.
    pub async fn report_access_record(
        &self,
        record_id: &str,
        reason: AccessReportReason,
        note: Option<String>,
    ) -> Result<Submission, ClientError> {
        let note = note
            .map(|note| note.trim().to_owned())
            .filter(|note| !note.is_empty());
        if note.as_ref().is_some_and(|note| {
            note.chars().count() > ecard_api::service_points::MAX_REPORT_NOTE_LENGTH
        }) {
            return Err(ClientError::InvalidChoice {
                field: "note".into(),
                reason: "at most 500 characters".into(),
            });
        }
        let body = serde_json::to_value(AccessReportRequest { reason, note })
            .map_err(|error| ClientError::Internal(error.to_string()))?;
        self.submit(
            "access_record.report",
            paths::with_id(paths::ACCESS_RECORD_REPORT, record_id),
            body,
            Some(record_id.to_owned()),
            None,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use ecard_api::service_points::{AccessReportReason, DisclosedField};
    use ecard_credential::Purpose;

    use crate::test_platform::with_enrolled;
    use crate::transport::faults::Fault;

    #[test]
    fn a_resolution_shows_in_the_access_records_online_offline_and_in_the_export() {
        with_enrolled("elder", |platform, client| async move {
            let token = platform
                .service_point("南昌大学第一附属医院", "hospital", &["medical"])
                .await;
            let code = client.current_code(None, Purpose::Medical).await.unwrap();
            let resolution = platform.resolve(&token, "reg-1", &code.text).await;

            let page = client.access_records(None, None).await.unwrap();
            assert_eq!(page.records.len(), 1);
            let record = &page.records[0];
            assert_eq!(record.record_id, resolution["record_id"]);
            assert_eq!(record.operator_name, "南昌大学第一附属医院");
            assert_eq!(record.terminal_id, "reg-1");
            assert!(record.disclosed.contains(&DisclosedField::CardNumber));
            assert!(page.next_before.is_none());

            // Offline: the records last fetched.
            platform.network.set_down(Some(Fault::Unreachable));
            let offline = client.access_records(None, None).await.unwrap();
            assert_eq!(offline.records, page.records);
            let export = client.export_personal_data().unwrap();
            assert_eq!(export.access_records, page.records);

            // A report goes through the outbox.
            platform.network.set_down(None);
            client
                .report_access_record(&record.record_id, AccessReportReason::NotMe, None)
                .await
                .unwrap();
            client.process_outbox().await;
            let reported = client.access_records(None, None).await.unwrap();
            let report = reported.records[0].report.as_ref().unwrap();
            assert_eq!(report.reason, AccessReportReason::NotMe);
        });
    }
}
