//! Online resolution at service points (`POST /v1/service-point/resolutions`)
//! and the resident's view of it (`GET /v1/me/access-records`).
//!
//! A hospital, pharmacy or government counter that scans a medical or
//! identity code learns, offline, only a random handle. To serve the
//! resident it must know who they are — and no more than its purpose needs.
//! Its terminal sends the scanned code to the platform with the operator's
//! token; the platform verifies the code itself and answers with the fields
//! the purpose discloses ([`disclosed_fields`]) and the operator's own
//! pseudonym of the person, so a service point can count and recognise a
//! resident without being able to link them with what another sees.
//!
//! Every resolution is recorded for the resident (谁查看了我的信息): who
//! looked, from where, for what and which fields they learnt; the resident
//! can report a record they do not recognise.

use ecard_credential::{ConcessionClass, HolderRole, Purpose};
use serde::{Deserialize, Serialize};

use crate::resident::CardStatus;

/// Longest scanned code text a resolution takes, in characters (a code is
/// about 300; the rest is margin for other prefixes).
pub const MAX_CODE_LENGTH: usize = 2_048;
/// Longest location text given at registration, in characters.
pub const MAX_LOCATION_LENGTH: usize = 100;
/// Longest note of a report, in characters.
pub const MAX_REPORT_NOTE_LENGTH: usize = 500;
/// Most access records in one page.
pub const MAX_ACCESS_RECORDS_PAGE: u32 = 100;
/// Access records in a page when `limit` is not given.
pub const DEFAULT_ACCESS_RECORDS_PAGE: u32 = 20;

/// What kind of organisation a service point is. It bounds the purposes
/// the admin may let it resolve ([`ServicePointKind::may_resolve`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum ServicePointKind {
    /// A hospital or clinic (医院).
    Hospital,
    /// A designated pharmacy (定点药店).
    Pharmacy,
    /// A government service counter (政务服务窗口, 社保经办).
    GovernmentCounter,
    /// A hotel front desk (酒店前台), which must register guests' identity.
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

impl ServicePointKind {
    /// The stored and wire name.
    pub const fn name(self) -> &'static str {
        match self {
            ServicePointKind::Hospital => "hospital",
            ServicePointKind::Pharmacy => "pharmacy",
            ServicePointKind::GovernmentCounter => "government_counter",
            ServicePointKind::Hotel => "hotel",
            ServicePointKind::Bank => "bank",
            ServicePointKind::School => "school",
            ServicePointKind::Library => "library",
            ServicePointKind::Transit => "transit",
            ServicePointKind::Venue => "venue",
        }
    }

    /// Whether a service point of this kind may be allowed to resolve
    /// codes of `purpose` (minimum disclosure: a hotel never learns a
    /// medical insurance number, a pharmacy never an ID number).
    pub const fn may_resolve(self, purpose: Purpose) -> bool {
        match purpose {
            Purpose::Medical => matches!(
                self,
                ServicePointKind::Hospital
                    | ServicePointKind::Pharmacy
                    | ServicePointKind::GovernmentCounter
            ),
            Purpose::Identity => matches!(
                self,
                ServicePointKind::GovernmentCounter
                    | ServicePointKind::Hotel
                    | ServicePointKind::Bank
                    | ServicePointKind::School
            ),
            // Exam identity checks (考试身份核验, 人事考试入场核验) at
            // schools and exam centres, or the personnel exam authority.
            Purpose::EducationExam | Purpose::PersonnelExam => matches!(
                self,
                ServicePointKind::School | ServicePointKind::GovernmentCounter
            ),
            // A school's library desk, or a library of its own.
            Purpose::Library => {
                matches!(self, ServicePointKind::School | ServicePointKind::Library)
            }
            // What these codes say (validity, concession, the school) is
            // all any terminal learns of them: nothing is resolved online.
            Purpose::Transport | Purpose::CultureTourism | Purpose::CampusEntry => false,
        }
    }

    /// Resolutions per minute one terminal of this kind may make: a counter
    /// serves a person at a time; a busy hospital registration desk or
    /// pharmacy till more.
    pub const fn resolutions_per_terminal_minute(self) -> u32 {
        match self {
            ServicePointKind::Hospital | ServicePointKind::Pharmacy => 120,
            ServicePointKind::GovernmentCounter
            | ServicePointKind::Bank
            | ServicePointKind::School
            | ServicePointKind::Library
            | ServicePointKind::Transit
            | ServicePointKind::Venue => 60,
            ServicePointKind::Hotel => 30,
        }
    }

    /// Resolutions per minute all terminals of one operator of this kind
    /// may make together: a cap on a stolen token used from many terminal
    /// ids.
    pub const fn resolutions_per_operator_minute(self) -> u32 {
        match self {
            ServicePointKind::Hospital | ServicePointKind::Pharmacy => 30_000,
            ServicePointKind::GovernmentCounter
            | ServicePointKind::Bank
            | ServicePointKind::School
            | ServicePointKind::Library
            | ServicePointKind::Transit
            | ServicePointKind::Venue => 6_000,
            ServicePointKind::Hotel => 1_200,
        }
    }
}

/// One field a resolution can disclose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum DisclosedField {
    /// The operator's pseudonym of the person (every resolution).
    Pseudonym,
    /// The holder's name.
    Name,
    /// The social security card number (社会保障号码 on the card).
    CardNumber,
    /// The card's insurance region (参保地).
    InsuranceRegion,
    /// The card's state (active, lost, replaced …).
    CardState,
    /// The document number (ID number).
    DocumentNumber,
    /// The concession class (fares, admissions).
    Concession,
}

impl DisclosedField {
    /// The stored and wire name.
    pub const fn name(self) -> &'static str {
        match self {
            DisclosedField::Pseudonym => "pseudonym",
            DisclosedField::Name => "name",
            DisclosedField::CardNumber => "card_number",
            DisclosedField::InsuranceRegion => "insurance_region",
            DisclosedField::CardState => "card_state",
            DisclosedField::DocumentNumber => "document_number",
            DisclosedField::Concession => "concession",
        }
    }
}

/// What a resolution of a code of `purpose` discloses: the one place that
/// decides it. Empty for purposes that are not resolved online (the code
/// already says all a terminal may learn): those are refused. A new
/// purpose is one arm here.
pub const fn disclosed_fields(purpose: Purpose) -> &'static [DisclosedField] {
    use DisclosedField as F;
    match purpose {
        Purpose::Medical => &[
            F::Pseudonym,
            F::Name,
            F::CardNumber,
            F::InsuranceRegion,
            F::CardState,
        ],
        Purpose::Identity | Purpose::EducationExam | Purpose::PersonnelExam => {
            &[F::Pseudonym, F::Name, F::DocumentNumber]
        }
        // A library counts loans and waives deposits: who, never.
        Purpose::Library => &[F::Pseudonym, F::Concession],
        Purpose::Transport | Purpose::CultureTourism | Purpose::CampusEntry => &[],
    }
}

/// Whether codes of `purpose` are resolved online at all.
pub const fn is_resolvable(purpose: Purpose) -> bool {
    !disclosed_fields(purpose).is_empty()
}

/// `POST /admin/operators` service-point fields (flattened into
/// [`crate::clearing::NewOperator`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicePointRegistration {
    /// The kind of organisation; absent for a plain terminal operator
    /// (transit gates reporting acceptances), which resolves nothing.
    #[serde(default)]
    pub kind: Option<ServicePointKind>,
    /// The purposes its terminals may resolve; each must be one the kind
    /// allows ([`ServicePointKind::may_resolve`]).
    #[serde(default)]
    pub purposes: Vec<Purpose>,
    /// Where it is (an address or outlet name), shown to residents in
    /// their access records; 1–100 characters.
    #[serde(default)]
    pub location: Option<String>,
    /// The school (`POST /admin/schools`) a school or library service point
    /// belongs to: its desks resolve only campus codes of that school.
    #[serde(default)]
    pub school_id: Option<String>,
}

/// `POST /v1/service-point/resolutions` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolutionRequest {
    /// The terminal that scanned, as its operator names it (1–64
    /// characters of `A-Z a-z 0-9 . _ -`).
    pub terminal_id: String,
    /// The scanned code text, exactly as read.
    pub code: String,
}

/// `POST /v1/service-point/resolutions` answer: the purpose's fields and
/// nothing else (absent fields are not in the JSON at all).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    /// The access record the resident sees.
    pub record_id: String,
    /// What the code was shown for.
    pub purpose: Purpose,
    /// Who showed it: the holder, a family proxy or a guardian.
    pub presented_by: HolderRole,
    /// The operator's pseudonym of the person: stable for this operator
    /// across codes, credentials, devices and card replacements, different
    /// between operators.
    pub pseudonym: String,
    /// The fields disclosed, as in the resident's record.
    pub disclosed: Vec<DisclosedField>,
    /// The holder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The social security card number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    /// The card's insurance region (a six-digit division code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance_region: Option<String>,
    /// The card's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_state: Option<CardStatus>,
    /// The document number (ID number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    /// The concession class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concession: Option<ConcessionClass>,
    /// When it was resolved, platform clock.
    pub resolved_at: u64,
}

/// Why a resident reports an access record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum AccessReportReason {
    /// The resident was not there: someone else used their code.
    NotMe,
    /// They were there but did not expect this look-up.
    Unexpected,
}

/// `POST /v1/me/access-records/{id}/report` body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AccessReportRequest {
    /// Why.
    pub reason: AccessReportReason,
    /// What the resident adds, up to 500 characters.
    #[serde(default)]
    pub note: Option<String>,
}

/// A report of an access record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AccessReport {
    /// The report.
    pub report_id: String,
    /// The record reported.
    pub record_id: String,
    /// Why.
    pub reason: AccessReportReason,
    /// What the resident added.
    pub note: Option<String>,
    /// When.
    pub reported_at: u64,
}

/// One resolution of the person's code, as the resident sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AccessRecord {
    /// The record.
    pub record_id: String,
    /// The person whose code was resolved.
    pub person_id: String,
    /// Who looked: the operator's name.
    pub operator_name: String,
    /// What kind of organisation it is.
    pub operator_kind: ServicePointKind,
    /// Where, as the operator was registered (address or outlet).
    pub location: Option<String>,
    /// The terminal that scanned.
    pub terminal_id: String,
    /// What the code was shown for.
    pub purpose: Purpose,
    /// Who showed it.
    pub presented_by: HolderRole,
    /// The fields the operator learnt.
    pub disclosed: Vec<DisclosedField>,
    /// When.
    pub at: u64,
    /// The resident's report of it, if any.
    pub report: Option<AccessReport>,
}

/// `GET /v1/me/access-records` answer: newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct AccessRecordPage {
    /// The records of this page.
    pub records: Vec<AccessRecord>,
    /// The `before` of the next (older) page; null on the last.
    pub next_before: Option<u64>,
}

/// `GET /admin/access-reports` entry: a report with the record it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedAccess {
    /// The report.
    pub report: AccessReport,
    /// The record.
    pub record: AccessRecord,
    /// The operator, for following it up.
    pub operator_id: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn every_purpose_a_kind_may_resolve_discloses_something_and_the_pseudonym() {
        let kinds = [
            ServicePointKind::Hospital,
            ServicePointKind::Pharmacy,
            ServicePointKind::GovernmentCounter,
            ServicePointKind::Hotel,
            ServicePointKind::Bank,
            ServicePointKind::School,
            ServicePointKind::Library,
            ServicePointKind::Transit,
            ServicePointKind::Venue,
        ];
        for kind in kinds {
            for purpose in Purpose::ALL {
                if kind.may_resolve(purpose) {
                    assert!(is_resolvable(purpose));
                }
            }
            assert!(
                kind.resolutions_per_terminal_minute() < kind.resolutions_per_operator_minute()
            );
        }
        for purpose in Purpose::ALL {
            let fields = disclosed_fields(purpose);
            assert!(fields.is_empty() || fields[0] == DisclosedField::Pseudonym);
        }
        assert!(!ServicePointKind::Hotel.may_resolve(Purpose::Medical));
        assert!(!ServicePointKind::Pharmacy.may_resolve(Purpose::Identity));
    }

    #[test]
    fn absent_fields_are_not_written() {
        let resolution = Resolution {
            record_id: "acr-1".into(),
            purpose: Purpose::Identity,
            presented_by: HolderRole::Holder,
            pseudonym: "p".into(),
            disclosed: disclosed_fields(Purpose::Identity).to_vec(),
            name: Some("张三".into()),
            card_number: None,
            insurance_region: None,
            card_state: None,
            document_number: Some("x".into()),
            concession: None,
            resolved_at: 1,
        };
        let json = serde_json::to_value(&resolution).unwrap();
        assert!(json.get("card_number").is_none());
        assert!(json.get("insurance_region").is_none());
        assert_eq!(json["disclosed"][2], "document_number");
    }
}
