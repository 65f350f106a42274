//! The records that put a holder in a concession class beyond their age,
//! as the authorities that keep them share them with the card platform:
//! schools their enrolments (the technical-school notice makes the e-card
//! the student's campus card), the disabled persons' federation its
//! certificates, veterans' affairs its 优待证.
//!
//! These are admin calls: in a deployment they are feeds between
//! government systems, never something a resident or a terminal sends.

use serde::{Deserialize, Serialize};

pub use crate::rules::ConcessionDocument;

/// The longest school name accepted.
pub const MAX_SCHOOL_NAME_LENGTH: usize = 64;

/// `POST /admin/schools`: registers a school.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSchool {
    /// The school's name, e.g. 鹰潭市高级技工学校.
    pub name: String,
    /// The county-level division code of its campus.
    pub region: String,
}

/// A registered school.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    /// Its id.
    pub school_id: String,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// The number campus credentials of its students carry
    /// (1..=16,777,215), which its gates and library expect.
    pub affiliation: u32,
}

/// `POST /admin/school-enrolments`: a student's enrolment, as the school's
/// register (学籍) says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEnrolment {
    /// The school.
    pub school_id: String,
    /// The student's document number.
    pub id_number: String,
    /// The student's name, checked against the population register.
    pub name: String,
    /// First day of the enrolment, `YYYY-MM-DD`.
    pub from: String,
    /// Last day of the enrolment, `YYYY-MM-DD`.
    pub until: String,
}

/// `POST /admin/concession-documents`: a document that puts its holder in
/// a concession class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConcessionDocument {
    /// Which document.
    pub document: ConcessionDocument,
    /// Its number.
    pub number: String,
    /// The holder's document number.
    pub id_number: String,
    /// The holder's name, checked against the population register.
    pub name: String,
    /// First valid day, `YYYY-MM-DD`.
    pub from: String,
    /// Last valid day, `YYYY-MM-DD`, if it ends.
    pub until: Option<String>,
}

/// A recorded enrolment or document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordKept {
    /// The record's id.
    pub record_id: String,
}
