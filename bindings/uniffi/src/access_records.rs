//! 谁查看了我的信息 for the apps: the access records of every online
//! resolution of the person's codes at a hospital, pharmacy or counter, and
//! reporting one the person does not recognise ("这不是我"). The logic is
//! the core's (`ecard_core::access_records`: fetched when online, shown
//! from the sealed cache when offline, reports sent through the outbox);
//! this module only carries it across.

use ecard_api::service_points::{
    AccessRecord, AccessRecordPage, AccessReport, AccessReportReason, DisclosedField,
    ServicePointKind,
};
use ecard_core::Submission;
use ecard_credential::{HolderRole, Purpose};

use crate::client::EcardClient;
use crate::error::EcardError;

/// What kind of organisation looked.
#[uniffi::remote(Enum)]
pub enum ServicePointKind {
    /// A hospital or clinic (医院).
    Hospital,
    /// A designated pharmacy (定点药店).
    Pharmacy,
    /// A government service counter (政务服务窗口, 社保经办).
    GovernmentCounter,
    /// A hotel front desk (酒店前台).
    Hotel,
    /// A bank branch.
    Bank,
    /// A school or examination centre.
    School,
    /// A library.
    Library,
    /// A bus or metro operator.
    Transit,
    /// A museum, scenic spot or other venue.
    Venue,
}

/// A field the organisation learnt.
#[uniffi::remote(Enum)]
pub enum DisclosedField {
    /// The organisation's pseudonym of the person (every look-up).
    Pseudonym,
    /// The holder's name.
    Name,
    /// The social security card number.
    CardNumber,
    /// The card's insurance region (参保地).
    InsuranceRegion,
    /// The card's state.
    CardState,
    /// The identity document's number.
    DocumentNumber,
    /// The concession class (fares, admissions).
    Concession,
}

/// Why the person reports a record.
#[uniffi::remote(Enum)]
pub enum AccessReportReason {
    /// They were not there: someone else used their code (这不是我).
    NotMe,
    /// They were there but did not expect this look-up.
    Unexpected,
}

/// The person's report of a record.
#[uniffi::remote(Record)]
pub struct AccessReport {
    /// The report.
    pub report_id: String,
    /// The record reported.
    pub record_id: String,
    /// Why.
    pub reason: AccessReportReason,
    /// What the person added.
    pub note: Option<String>,
    /// When (Unix seconds).
    pub reported_at: u64,
}

/// One look-up of the person's code, as the person sees it.
#[uniffi::remote(Record)]
pub struct AccessRecord {
    /// The record.
    pub record_id: String,
    /// The person whose code was looked up.
    pub person_id: String,
    /// Who looked: the organisation's registered name.
    pub operator_name: String,
    /// What kind of organisation it is.
    pub operator_kind: ServicePointKind,
    /// Where, as the organisation was registered.
    pub location: Option<String>,
    /// The terminal that scanned.
    pub terminal_id: String,
    /// What the code was shown for.
    pub purpose: Purpose,
    /// Who showed it.
    pub presented_by: HolderRole,
    /// The fields the organisation learnt.
    pub disclosed: Vec<DisclosedField>,
    /// When (Unix seconds).
    pub at: u64,
    /// The person's report of it, if any.
    pub report: Option<AccessReport>,
}

/// A page of access records, newest first.
#[uniffi::remote(Record)]
pub struct AccessRecordPage {
    /// The records of this page.
    pub records: Vec<AccessRecord>,
    /// The `before` of the next (older) page; null on the last.
    pub next_before: Option<u64>,
}

#[uniffi::export]
impl EcardClient {
    /// A page of the access records of `person_id` (the account holder when
    /// null; a relative's need a mandate with the `track` scope), newest
    /// first; `before` is the previous page's `next_before`. Offline: the
    /// records last fetched, in one page.
    pub async fn access_records(
        &self,
        person_id: Option<String>,
        before: Option<u64>,
    ) -> Result<AccessRecordPage, EcardError> {
        self.call(|client| async move { client.access_records(person_id, before).await })
            .await
    }

    /// The access records of `person_id` (the account holder when null)
    /// last fetched, newest first. Local I/O only.
    pub fn access_records_cached(
        &self,
        person_id: Option<String>,
    ) -> Result<Vec<AccessRecord>, EcardError> {
        self.now(|client| client.access_records_cached(person_id.as_deref()))
    }

    /// Reports a record (这不是我: `NotMe`, or `Unexpected`) with an
    /// optional note of up to 500 characters; sent through the outbox.
    pub async fn report_access_record(
        &self,
        record_id: String,
        reason: AccessReportReason,
        note: Option<String>,
    ) -> Result<Submission, EcardError> {
        self.call(
            |client| async move { client.report_access_record(&record_id, reason, note).await },
        )
        .await
    }
}
