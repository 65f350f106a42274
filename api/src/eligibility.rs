//! Pension eligibility (待遇资格认证): the yearly certification that a
//! pensioner is alive and entitled, its deadline and reminders, how it was
//! done (a face check, possibly run by a family member on their own phone
//! with the pensioner's face, or passively by a recent use of the card),
//! and whether pension payments are suspended for want of it.
//!
//! The cycle, grace and the passive rule are the region's
//! [`EligibilityRules`](crate::rules::EligibilityRules); the platform's
//! clock moves a missed certification to suspension.

use serde::{Deserialize, Serialize};

use crate::identity::FaceChallenge;
use crate::service_points::ServicePointKind;

/// Where the person stands in the current cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum EligibilityState {
    /// The person draws no pension: nothing to certify.
    NotRequired,
    /// Certified until `due_by`; nothing to do yet.
    Certified,
    /// The certification is due (the reminder period before `due_by`).
    Due,
    /// `due_by` has passed; payments go on until the grace ends.
    Overdue,
    /// The grace has ended without a certification: pension payments are
    /// suspended (暂停发放) until the person certifies.
    Suspended,
}

/// How a certification was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub enum CertificationMethod {
    /// A face check of the pensioner (on their own phone, a helper's, or at
    /// a counter).
    Face,
    /// 无感认证: a recent verified use of the card, no act of the person.
    Passive,
}

/// The use of the card a passive certification rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct PassiveUse {
    /// The kind of service point that resolved the card's code.
    pub operator_kind: ServicePointKind,
    /// The day of the use (China calendar, `YYYY-MM-DD`).
    pub used_on: String,
}

/// One certification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct Certification {
    /// When it took effect (Unix seconds).
    pub at: u64,
    /// Face or passive.
    pub method: CertificationMethod,
    /// The device that ran the face check, if it was on a phone.
    pub device_id: Option<String>,
    /// The account of the family member who ran it for the pensioner under
    /// a mandate; `None` when the pensioner did it or it was passive.
    pub helper_account_id: Option<String>,
    /// The use a passive certification rests on.
    pub passive_use: Option<PassiveUse>,
}

/// A reminder before the due date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct EligibilityReminder {
    /// Days before `due_by`.
    pub days_before: u32,
    /// The day it falls on (`YYYY-MM-DD`).
    pub on: String,
    /// Whether that day has come.
    pub due: bool,
}

/// `GET /v1/me/eligibility?person_id=`: the person's current cycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct EligibilityStatus {
    /// The person.
    pub person_id: String,
    /// Where they stand.
    pub state: EligibilityState,
    /// The last day the current certification covers (`YYYY-MM-DD`); null
    /// when no certification is required.
    pub due_by: Option<String>,
    /// The last day of the grace after `due_by`; payments are suspended
    /// from the day after.
    pub grace_until: Option<String>,
    /// The latest certification.
    pub last_certification: Option<Certification>,
    /// The reminders of this cycle, earliest first.
    pub reminders: Vec<EligibilityReminder>,
    /// Whether pension payments are suspended now.
    pub payments_suspended: bool,
    /// When they were suspended, if they are.
    pub suspended_since: Option<u64>,
    /// The pension months withheld while suspended, paid together once the
    /// person certifies (补发), as `YYYY-MM`.
    pub withheld_months: Vec<String>,
}

/// `POST /v1/eligibility-checks`: start a face check for `person_id` on
/// this device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct EligibilityCheckRequest {
    /// The pensioner: the caller, or someone they hold an `eligibility`
    /// mandate for.
    pub person_id: String,
}

/// The answer to starting a check: the challenge the face platform's
/// result must be bound to (the pensioner, this device).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityCheck {
    /// The check; the face result goes to `/v1/eligibility-checks/{id}/face`.
    pub check_id: String,
    /// The pensioner whose face is checked.
    pub person_id: String,
    /// The face challenge (purpose `eligibility_check`).
    pub face: FaceChallenge,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn states_and_methods_are_snake_case_on_the_wire() {
        assert_eq!(
            serde_json::to_value(EligibilityState::NotRequired).unwrap(),
            "not_required"
        );
        assert_eq!(
            serde_json::to_value(CertificationMethod::Passive).unwrap(),
            "passive"
        );
    }
}
