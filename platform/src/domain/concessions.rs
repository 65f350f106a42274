//! Who is in which concession class (优待), read from the region's rules
//! (`RegionalRules::concessions`) and the records that put a holder in a
//! class beyond their age: school enrolments, disability certificates and
//! 优待证, as the authorities that keep them share them.
//!
//! The issuer asks [`standing`] for the class a credential carries and the
//! school a campus credential names; nothing here branches on a region.
//!
//! This module owns the `schools`, `school_enrolments` and
//! `concession_documents` tables.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::concessions::{
    MAX_SCHOOL_NAME_LENGTH, NewConcessionDocument, NewEnrolment, NewSchool, RecordKept, School,
};
use ecard_api::problem::ProblemCode;
use ecard_api::rules::{ConcessionClass, ConcessionDocument, RegionalRules};
use ecard_credential::Affiliation;
use ecard_documents::Date;

use crate::domain::dates::age_on;
use crate::domain::register::person_named;
use crate::error::{ApiError, ApiResult};
use crate::store::db::new_id;

/// The longest document number accepted.
const MAX_DOCUMENT_NUMBER_LENGTH: usize = 32;

fn today(now: u64) -> ApiResult<Date> {
    Date::in_china_at(now).ok_or_else(|| ApiError::new(ProblemCode::Internal, "clock out of range"))
}

/// Registers a school and gives it the next affiliation number.
pub fn register_school(tx: &Transaction<'_>, school: &NewSchool, now: u64) -> ApiResult<School> {
    let name = school.name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_SCHOOL_NAME_LENGTH
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::field(
            "name",
            format!("1–{MAX_SCHOOL_NAME_LENGTH} characters without control characters"),
        ));
    }
    let region = school.region.trim();
    if region.len() != 6
        || !region.bytes().all(|byte| byte.is_ascii_digit())
        || region.starts_with('0')
    {
        return Err(ApiError::field("region", "a six-digit division code"));
    }
    let last: Option<u32> =
        tx.query_row("SELECT MAX(affiliation) FROM schools", [], |row| row.get(0))?;
    let affiliation = last.unwrap_or(0) + 1;
    if affiliation > Affiliation::MAX {
        return Err(ApiError::new(
            ProblemCode::Internal,
            "no affiliation numbers left",
        ));
    }
    let school_id = new_id("school");
    tx.execute(
        "INSERT INTO schools (school_id, name, region, affiliation, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![school_id, name, region, affiliation, now],
    )?;
    Ok(School {
        school_id,
        name: name.to_owned(),
        region: region.to_owned(),
        affiliation,
    })
}

/// The school with `school_id`, if registered.
pub fn school(tx: &Transaction<'_>, school_id: &str) -> ApiResult<Option<School>> {
    Ok(tx
        .query_row(
            "SELECT school_id, name, region, affiliation FROM schools WHERE school_id = ?1",
            params![school_id],
            |row| {
                Ok(School {
                    school_id: row.get(0)?,
                    name: row.get(1)?,
                    region: row.get(2)?,
                    affiliation: row.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Reads a record's first and last day (`YYYY-MM-DD`); the last, if
/// given, not before the first.
fn period(from: &str, until: Option<&str>) -> ApiResult<(Date, Option<Date>)> {
    let day = |field: &str, text: &str| {
        Date::parse(text.trim()).ok_or_else(|| ApiError::field(field, "a date written YYYY-MM-DD"))
    };
    let from = day("from", from)?;
    let until = until.map(|until| day("until", until)).transpose()?;
    if until.is_some_and(|until| until < from) {
        return Err(ApiError::field("until", "not before `from`"));
    }
    Ok((from, until))
}

/// Records a student's enrolment. The same enrolment sent again (school,
/// student, first day) updates its last day.
pub fn enrol(tx: &Transaction<'_>, enrolment: &NewEnrolment, now: u64) -> ApiResult<RecordKept> {
    if school(tx, &enrolment.school_id)?.is_none() {
        return Err(ApiError::field("school_id", "no such school"));
    }
    let (from, until) = period(&enrolment.from, Some(&enrolment.until))?;
    let (from, until) = (from.to_string(), until.map(|day| day.to_string()));
    let person_id = person_named(tx, &enrolment.id_number, &enrolment.name)?.person_id;
    let existing: Option<String> = tx
        .query_row(
            "SELECT record_id FROM school_enrolments WHERE school_id = ?1 AND person_id = ?2 AND from_day = ?3",
            params![enrolment.school_id, person_id, from],
            |row| row.get(0),
        )
        .optional()?;
    let record_id = match existing {
        Some(record_id) => {
            tx.execute(
                "UPDATE school_enrolments SET until_day = ?2 WHERE record_id = ?1",
                params![record_id, until],
            )?;
            record_id
        }
        None => {
            let record_id = new_id("enrolment");
            tx.execute(
                "INSERT INTO school_enrolments (record_id, school_id, person_id, from_day, until_day, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    record_id,
                    enrolment.school_id,
                    person_id,
                    from,
                    until,
                    now
                ],
            )?;
            record_id
        }
    };
    Ok(RecordKept { record_id })
}

/// Records a concession document. A number already recorded for another
/// person is refused; for the same person its validity is updated.
pub fn record_document(
    tx: &Transaction<'_>,
    document: &NewConcessionDocument,
    now: u64,
) -> ApiResult<RecordKept> {
    let number = document.number.trim();
    if number.is_empty()
        || number.len() > MAX_DOCUMENT_NUMBER_LENGTH
        || !number.bytes().all(|byte| byte.is_ascii_alphanumeric())
    {
        return Err(ApiError::field(
            "number",
            format!("1–{MAX_DOCUMENT_NUMBER_LENGTH} letters and digits"),
        ));
    }
    let (from, until) = period(&document.from, document.until.as_deref())?;
    let (from, until) = (from.to_string(), until.map(|day| day.to_string()));
    let person_id = person_named(tx, &document.id_number, &document.name)?.person_id;
    let existing: Option<(String, String)> = tx
        .query_row(
            "SELECT record_id, person_id FROM concession_documents WHERE document = ?1 AND number = ?2",
            params![document.document.name(), number],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let record_id = match existing {
        Some((_, holder)) if holder != person_id => {
            return Err(ApiError::field(
                "number",
                "this document is recorded for someone else",
            ));
        }
        Some((record_id, _)) => {
            tx.execute(
                "UPDATE concession_documents SET from_day = ?2, until_day = ?3 WHERE record_id = ?1",
                params![record_id, from, until],
            )?;
            record_id
        }
        None => {
            let record_id = new_id("document");
            tx.execute(
                "INSERT INTO concession_documents (record_id, person_id, document, number, from_day, until_day, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    record_id,
                    person_id,
                    document.document.name(),
                    number,
                    from,
                    until,
                    now
                ],
            )?;
            record_id
        }
    };
    Ok(RecordKept { record_id })
}

/// The concession documents `person_id` holds on the day of `now`.
fn documents_held(
    tx: &Transaction<'_>,
    person_id: &str,
    now: u64,
) -> ApiResult<Vec<ConcessionDocument>> {
    let day = today(now)?.to_string();
    let mut statement = tx.prepare_cached(
        "SELECT DISTINCT document FROM concession_documents \
         WHERE person_id = ?1 AND from_day <= ?2 AND (until_day IS NULL OR until_day >= ?2)",
    )?;
    let names = statement
        .query_map(params![person_id, day], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(names
        .iter()
        .filter_map(|name| {
            [
                ConcessionDocument::DisabilityCertificate,
                ConcessionDocument::PreferentialTreatmentCertificate,
            ]
            .into_iter()
            .find(|document| document.name() == name)
        })
        .collect())
}

/// The affiliation number of the school `person_id` is enrolled at on the
/// day of `now` (the most recently started enrolment if several).
fn affiliation_of(
    tx: &Transaction<'_>,
    person_id: &str,
    now: u64,
) -> ApiResult<Option<Affiliation>> {
    let day = today(now)?.to_string();
    let number: Option<u32> = tx
        .query_row(
            "SELECT s.affiliation FROM school_enrolments e JOIN schools s ON s.school_id = e.school_id \
             WHERE e.person_id = ?1 AND e.from_day <= ?2 AND e.until_day >= ?2 \
             ORDER BY e.from_day DESC LIMIT 1",
            params![person_id, day],
            |row| row.get(0),
        )
        .optional()?;
    Ok(number.and_then(Affiliation::new))
}

/// What the credentials issued at `now` say of the holder's concessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The first of the region's classes whose basis the holder meets.
    pub class: ConcessionClass,
    /// The school the holder is enrolled at, for the campus credential.
    pub affiliation: Option<Affiliation>,
}

/// The holder's concession class and school on the day of `now`, read
/// once for a credential set.
pub fn standing(
    tx: &Transaction<'_>,
    rules: &RegionalRules,
    person_id: &str,
    birth_date: Date,
    now: u64,
) -> ApiResult<Standing> {
    let affiliation = affiliation_of(tx, person_id, now)?;
    let class = match age_on(birth_date, now) {
        Some(age) => {
            let documents = documents_held(tx, person_id, now)?;
            rules
                .concessions
                .class_for(age, &documents, affiliation.is_some())
        }
        None => ConcessionClass::Standard,
    };
    Ok(Standing { class, affiliation })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use ecard_api::rules::ConcessionRules;

    use super::*;
    use crate::domain::register::{NewPerson, insert_person, resident_id};
    use crate::store::db;

    /// 2026-11-30 12:00 China time.
    const NOW: u64 = 1_796_011_200;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn person(tx: &Transaction<'_>, name: &str, birth: &str, sequence: &str) -> (String, String) {
        let id_number = resident_id("360102", date(birth), sequence).unwrap();
        let person_id = insert_person(
            tx,
            &NewPerson {
                id_type: "resident_id".to_owned(),
                id_number: id_number.clone(),
                name: name.to_owned(),
                birth_date: None,
                region: "360102".to_owned(),
                household_register: None,
                birth_certificate: None,
                guardians: Vec::new(),
                phone: None,
                self_supporting: false,
            },
            NOW,
        )
        .unwrap();
        (person_id, id_number)
    }

    /// Jiangxi's sample rules, as the platform seeds them.
    fn jiangxi() -> RegionalRules {
        let rules: Vec<RegionalRules> =
            serde_json::from_str(include_str!("../../data/rules.json")).unwrap();
        rules
            .into_iter()
            .find(|rules| rules.region == "360000")
            .unwrap()
    }

    #[test]
    fn the_class_follows_the_regions_ages_not_a_fixed_table() {
        let mut connection = db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let rules = jiangxi();
        crate::domain::rules::store(&tx, &rules).unwrap();
        let class = |birth: &str, sequence: &str| {
            let (person_id, _) = person(&tx, "测试", birth, sequence);
            standing(&tx, &rules, &person_id, date(birth), NOW)
                .unwrap()
                .class
        };
        // 65 on the day: free admission (the report's 65周岁以上), not 70.
        assert_eq!(class("1961-11-30", "011"), ConcessionClass::SeniorFree);
        assert_eq!(
            class("1961-12-01", "021"),
            ConcessionClass::Senior,
            "64 until tomorrow"
        );
        assert_eq!(class("1966-11-30", "031"), ConcessionClass::Senior);
        assert_eq!(class("1966-12-01", "041"), ConcessionClass::Standard);
        assert_eq!(class("2021-12-01", "051"), ConcessionClass::Child);
        assert_eq!(
            class("2020-11-30", "061"),
            ConcessionClass::Standard,
            "6 today"
        );
        // The compatibility default keeps the old table.
        let old = ConcessionRules::default();
        assert_eq!(old.class_for(65, &[], false), ConcessionClass::Senior);
        assert_eq!(old.class_for(70, &[], false), ConcessionClass::SeniorFree);
        assert_eq!(old.class_for(13, &[], false), ConcessionClass::Child);
    }

    #[test]
    fn a_school_enrolment_makes_a_student_with_the_schools_affiliation_while_it_runs() {
        let mut connection = db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let rules = jiangxi();
        crate::domain::rules::store(&tx, &rules).unwrap();
        let (student, id_number) = person(&tx, "李明", "2008-05-01", "013");
        assert_eq!(
            standing(&tx, &rules, &student, date("2008-05-01"), NOW)
                .unwrap()
                .class,
            ConcessionClass::Standard
        );
        let first = register_school(
            &tx,
            &NewSchool {
                name: "上犹中专".to_owned(),
                region: "360724".to_owned(),
            },
            NOW,
        )
        .unwrap();
        let school = register_school(
            &tx,
            &NewSchool {
                name: " 鹰潭市高级技工学校 ".to_owned(),
                region: "360600".to_owned(),
            },
            NOW,
        )
        .unwrap();
        assert_eq!((first.affiliation, school.affiliation), (1, 2));
        assert_eq!(school.name, "鹰潭市高级技工学校");
        let enrolment = |name: &str, from: &str, until: &str| NewEnrolment {
            school_id: school.school_id.clone(),
            id_number: id_number.clone(),
            name: name.to_owned(),
            from: from.to_owned(),
            until: until.to_owned(),
        };
        // A wrong name is the register's one answer for "no such person".
        let refused = enrol(&tx, &enrolment("李铭", "2025-09-01", "2028-06-30"), NOW).unwrap_err();
        assert_eq!(refused.code(), ProblemCode::IdentityNotVerified);
        assert!(enrol(&tx, &enrolment("李明", "2028-06-30", "2025-09-01"), NOW).is_err());
        let kept = enrol(&tx, &enrolment("李明", "2025-09-01", "2028-06-30"), NOW).unwrap();
        assert_eq!(
            standing(&tx, &rules, &student, date("2008-05-01"), NOW)
                .unwrap()
                .class,
            ConcessionClass::Student
        );
        assert_eq!(
            affiliation_of(&tx, &student, NOW).unwrap(),
            Affiliation::new(2)
        );
        // Sent again with an earlier end: the same record, ended.
        let again = enrol(&tx, &enrolment("李明", "2025-09-01", "2026-06-30"), NOW).unwrap();
        assert_eq!(again.record_id, kept.record_id);
        assert_eq!(affiliation_of(&tx, &student, NOW).unwrap(), None);
        assert_eq!(
            standing(&tx, &rules, &student, date("2008-05-01"), NOW)
                .unwrap()
                .class,
            ConcessionClass::Standard,
            "a student class lasts as long as the enrolment"
        );
        let unknown = NewEnrolment {
            school_id: "school-none".to_owned(),
            ..enrolment("李明", "2025-09-01", "2028-06-30")
        };
        assert!(enrol(&tx, &unknown, NOW).is_err());
    }

    #[test]
    fn a_document_puts_its_holder_in_its_class_in_the_regions_priority_order() {
        let mut connection = db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let rules = jiangxi();
        crate::domain::rules::store(&tx, &rules).unwrap();
        let (veteran, veteran_id) = person(&tx, "王军", "1962-03-01", "015");
        let (other, other_id) = person(&tx, "赵丽", "1990-03-01", "025");
        let document = |id_number: &str, name: &str, kind, number: &str, until: Option<&str>| {
            NewConcessionDocument {
                document: kind,
                number: number.to_owned(),
                id_number: id_number.to_owned(),
                name: name.to_owned(),
                from: "2020-01-01".to_owned(),
                until: until.map(str::to_owned),
            }
        };
        assert_eq!(
            standing(&tx, &rules, &veteran, date("1962-03-01"), NOW)
                .unwrap()
                .class,
            ConcessionClass::Senior
        );
        record_document(
            &tx,
            &document(
                &veteran_id,
                "王军",
                ConcessionDocument::PreferentialTreatmentCertificate,
                "YD360000123",
                None,
            ),
            NOW,
        )
        .unwrap();
        // Jiangxi ranks 优待证 holders before seniors.
        assert_eq!(
            standing(&tx, &rules, &veteran, date("1962-03-01"), NOW)
                .unwrap()
                .class,
            ConcessionClass::Entitled
        );
        // One certificate number belongs to one person.
        let stolen = document(
            &other_id,
            "赵丽",
            ConcessionDocument::PreferentialTreatmentCertificate,
            "YD360000123",
            None,
        );
        assert!(record_document(&tx, &stolen, NOW).is_err());
        // An expired disability certificate gives nothing.
        record_document(
            &tx,
            &document(
                &other_id,
                "赵丽",
                ConcessionDocument::DisabilityCertificate,
                "36010219900301202544",
                Some("2025-12-31"),
            ),
            NOW,
        )
        .unwrap();
        assert_eq!(
            standing(&tx, &rules, &other, date("1990-03-01"), NOW)
                .unwrap()
                .class,
            ConcessionClass::Standard
        );
        record_document(
            &tx,
            &document(
                &other_id,
                "赵丽",
                ConcessionDocument::DisabilityCertificate,
                "36010219900301202544",
                Some("2030-12-31"),
            ),
            NOW,
        )
        .unwrap();
        assert_eq!(
            standing(&tx, &rules, &other, date("1990-03-01"), NOW)
                .unwrap()
                .class,
            ConcessionClass::Disability
        );
        let junk = document(
            &other_id,
            "赵丽",
            ConcessionDocument::DisabilityCertificate,
            "36-01",
            None,
        );
        assert!(record_document(&tx, &junk, NOW).is_err());
    }
}
