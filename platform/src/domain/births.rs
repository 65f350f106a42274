//! 出生一件事: a newborn's birth matters in one go. A parent files one form
//! (the birth registration facts and the card application); the form is
//! checked against the health register's birth medical certificate (出生
//! 医学证明), which must name the caller as a parent; the household
//! registration step (户口登记, simulated here as the public-security side
//! would do it) runs on the platform clock and assigns the ID number; then
//! the child is in the population register, the parent holds a guardian
//! mandate, and the card application is filed under it and produced like
//! any other.
//!
//! Why the certificate and not the form is the trust root: anyone can type
//! a name and a date. A hospital's report names the parents by ID number,
//! so only a parent whose identity the platform verified at enrolment can
//! register the child, and a certificate registers one child once.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    ApplicationKind, ApplicationState, Birth, BirthProgress, BirthState, BirthStep, DelegationKind,
    DelegationStatus, Delivery, Evidence, Scope, Sex,
};
use ecard_documents::Date;

use crate::domain::applications::NewApplication;
use crate::domain::dates::coming_of_age;
use crate::domain::delegations::NewMandate;
use crate::domain::register::{NewPerson, insert_person, resident_id};
use crate::domain::rules::rules_for;
use crate::error::{ApiError, ApiResult};
use crate::store::audit::audit;
use crate::store::codec::{enum_name, parse_enum};
use crate::store::db::new_id;

/// A birth medical certificate as a hospital reports it.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct BirthCertificate {
    /// 出生医学证明 number: a letter and nine digits.
    pub certificate_number: String,
    /// The child's name.
    pub child_name: String,
    /// The child's sex.
    pub sex: Sex,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// The mother's ID number.
    #[serde(default)]
    pub mother_id_number: Option<String>,
    /// The father's ID number.
    #[serde(default)]
    pub father_id_number: Option<String>,
    /// The hospital that issued it.
    pub hospital: String,
}

/// Whether `number` has the certificate's shape: one capital letter and
/// nine digits.
fn well_formed_certificate_number(number: &str) -> bool {
    let bytes = number.as_bytes();
    bytes.len() == 10 && bytes[0].is_ascii_uppercase() && bytes[1..].iter().all(u8::is_ascii_digit)
}

/// Records a hospital's report (the health register's side).
pub fn report_certificate(
    tx: &Transaction<'_>,
    certificate: &BirthCertificate,
    now: u64,
) -> ApiResult<()> {
    if !well_formed_certificate_number(&certificate.certificate_number) {
        return Err(ApiError::field(
            "certificate_number",
            "one capital letter and nine digits",
        ));
    }
    let name_length = certificate.child_name.trim().chars().count();
    if name_length == 0 || name_length > 64 {
        return Err(ApiError::field("child_name", "1–64 characters"));
    }
    let today = Date::in_china_at(now)
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "clock out of range"))?;
    Date::parse(&certificate.birth_date)
        .filter(|date| *date <= today)
        .ok_or_else(|| ApiError::field("birth_date", "a past date as YYYY-MM-DD"))?;
    if certificate.mother_id_number.is_none() && certificate.father_id_number.is_none() {
        return Err(ApiError::field(
            "mother_id_number",
            "a certificate names at least one parent",
        ));
    }
    let inserted = tx.execute(
        "INSERT INTO birth_medical_certificates (certificate_number, child_name, sex, birth_date, \
         mother_id_number, father_id_number, hospital, reported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT DO NOTHING",
        params![
            certificate.certificate_number,
            certificate.child_name.trim(),
            enum_name(&certificate.sex),
            certificate.birth_date,
            certificate.mother_id_number,
            certificate.father_id_number,
            certificate.hospital,
            now as i64
        ],
    )?;
    if inserted == 0 {
        return Err(ApiError::state("this certificate was already reported"));
    }
    Ok(())
}

/// The certificate `number`, if a hospital reported it.
pub fn certificate(tx: &Transaction<'_>, number: &str) -> ApiResult<Option<BirthCertificate>> {
    Ok(tx
        .query_row(
            "SELECT certificate_number, child_name, sex, birth_date, mother_id_number, father_id_number, hospital \
             FROM birth_medical_certificates WHERE certificate_number = ?1",
            params![number],
            |row| {
                Ok(BirthCertificate {
                    certificate_number: row.get(0)?,
                    child_name: row.get(1)?,
                    sex: parse_enum(&row.get::<_, String>(2)?)?,
                    birth_date: row.get(3)?,
                    mother_id_number: row.get(4)?,
                    father_id_number: row.get(5)?,
                    hospital: row.get(6)?,
                })
            },
        )
        .optional()?)
}

/// Whether a birth was already filed with certificate `number`, or a person
/// registered with it.
pub fn certificate_used(tx: &Transaction<'_>, number: &str) -> ApiResult<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM births WHERE certificate_number = ?1 \
             UNION SELECT 1 FROM people WHERE birth_certificate = ?1 LIMIT 1",
            params![number],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// A checked one-form submission, ready to store.
pub struct NewBirth<'a> {
    /// The submitting parent's account.
    pub submitted_by: &'a str,
    /// The submitting parent.
    pub submitter_person_id: &'a str,
    /// The certificate it rests on.
    pub certificate_number: &'a str,
    /// 户籍登记地 (county code).
    pub household_region: &'a str,
    /// The household's address.
    pub household_address: &'a str,
    /// The other parent, if in the register.
    pub other_parent_person_id: Option<&'a str>,
    /// The card's bank.
    pub bank: &'a str,
    /// Contact phone.
    pub phone: &'a str,
    /// Delivery of the card.
    pub delivery: &'a Delivery,
    /// The card photo, if one is needed or given.
    pub photo: Option<Vec<u8>>,
}

/// Stores the form; the household registration is due after the region's
/// `newborn.registration_days`. Audited as the submitter's act.
pub fn submit(
    tx: &Transaction<'_>,
    birth: &NewBirth<'_>,
    registration_days: u32,
    now: u64,
) -> ApiResult<String> {
    let birth_id = new_id("birth");
    tx.execute(
        "INSERT INTO births (birth_id, submitted_by, submitter_person_id, certificate_number, household_region, \
         household_address, other_parent_person_id, bank, phone, delivery, photo, state, created_at, registration_due_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'registering', ?12, ?13)",
        params![
            birth_id,
            birth.submitted_by,
            birth.submitter_person_id,
            birth.certificate_number,
            birth.household_region,
            birth.household_address,
            birth.other_parent_person_id,
            birth.bank,
            birth.phone,
            serde_json::to_string(birth.delivery)?,
            birth.photo,
            now as i64,
            (now + u64::from(registration_days) * 86_400) as i64
        ],
    )?;
    audit(
        tx,
        now,
        birth.submitted_by,
        birth.submitter_person_id,
        None,
        "birth.submit",
        &birth_id,
    )?;
    Ok(birth_id)
}

/// Runs the household registrations due at `now`.
pub fn advance(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    loop {
        let due: Option<(String, i64)> = tx
            .prepare_cached(
                "SELECT birth_id, registration_due_at FROM births \
                 WHERE registration_due_at IS NOT NULL AND registration_due_at <= ?1 \
                 ORDER BY registration_due_at LIMIT 1",
            )?
            .query_row(params![now as i64], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((birth_id, due_at)) = due else {
            return Ok(());
        };
        register(tx, &birth_id, due_at.max(0) as u64)?;
    }
}

/// What a stored birth holds for its registration step.
struct Filed {
    submitted_by: String,
    submitter_person_id: String,
    certificate_number: String,
    household_region: String,
    other_parent_person_id: Option<String>,
    bank: String,
    delivery: String,
    photo: Option<Vec<u8>>,
}

/// The household registration step: the ID number, the person in the
/// register with both parents as guardians, the submitter's guardian
/// mandate until the child's coming of age, and the card application
/// under it.
fn register(tx: &Transaction<'_>, birth_id: &str, at: u64) -> ApiResult<()> {
    let filed = tx.query_row(
        "SELECT submitted_by, submitter_person_id, certificate_number, household_region, other_parent_person_id, \
         bank, delivery, photo FROM births WHERE birth_id = ?1",
        params![birth_id],
        |row| {
            Ok(Filed {
                submitted_by: row.get(0)?,
                submitter_person_id: row.get(1)?,
                certificate_number: row.get(2)?,
                household_region: row.get(3)?,
                other_parent_person_id: row.get(4)?,
                bank: row.get(5)?,
                delivery: row.get(6)?,
                photo: row.get(7)?,
            })
        },
    )?;
    let certificate = certificate(tx, &filed.certificate_number)?
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "the certificate went missing"))?;
    let birth_date = Date::parse(&certificate.birth_date)
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "certificate date unreadable"))?;
    let id_number = free_id_number(tx, &filed.household_region, birth_date, certificate.sex)?;
    let submitter = crate::store::rows::person(tx, &filed.submitter_person_id)?;
    let mut guardians = vec![filed.submitter_person_id.clone()];
    guardians.extend(filed.other_parent_person_id.clone());
    let person_id = insert_person(
        tx,
        &NewPerson {
            id_type: "resident_id".to_owned(),
            id_number,
            name: certificate.child_name.clone(),
            birth_date: Some(certificate.birth_date.clone()),
            region: filed.household_region.clone(),
            household_register: submitter.household_register.clone(),
            birth_certificate: Some(filed.certificate_number.clone()),
            guardians,
            phone: None,
            self_supporting: false,
        },
        at,
    )?;
    let rules = rules_for(tx, &filed.household_region)?;
    let adult_at = coming_of_age(birth_date, rules.adult_age)
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "birth date unreadable"))?;
    let evidence = Evidence {
        kind: "birth_certificate".to_owned(),
        number: filed.certificate_number.clone(),
    };
    let mut scopes = ecard_api::rules::MinorRules::every_act();
    scopes.push(Scope::Track);
    scopes.sort_by_key(enum_name);
    let delegation_id = crate::domain::delegations::store(
        tx,
        &NewMandate {
            kind: DelegationKind::Guardian,
            agent_account_id: &filed.submitted_by,
            principal_person_id: &person_id,
            scopes: &scopes,
            status: DelegationStatus::Active,
            evidence: Some(&evidence),
            consented_at: Some(at),
            expires_at: adult_at,
            relationship: None,
        },
        at,
    )?;
    let delivery: Delivery = serde_json::from_str(&filed.delivery)?;
    let fee_fen = match delivery {
        Delivery::Mail { .. } => rules.postage_fen,
        Delivery::Pickup { .. } => 0,
    };
    let application_id = crate::domain::applications::submit(
        tx,
        at,
        &filed.submitted_by,
        &NewApplication {
            kind: ApplicationKind::NewCard,
            person_id: &person_id,
            mandate_id: Some(&delegation_id),
            fee_fen,
            bank: &filed.bank,
            photo: filed.photo.clone(),
            delivery: &delivery,
            replaces_card_id: None,
            instant_issue: false,
        },
        &rules,
    )?
    .application_id;
    tx.execute(
        "UPDATE births SET state = 'registered', person_id = ?1, delegation_id = ?2, application_id = ?3, \
         registered_at = ?4, registration_due_at = NULL WHERE birth_id = ?5",
        params![person_id, delegation_id, application_id, at as i64, birth_id],
    )?;
    audit(
        tx,
        at,
        &filed.submitted_by,
        &person_id,
        Some(&delegation_id),
        "birth.household_registered",
        birth_id,
    )?;
    Ok(())
}

/// The first free GB 11643 number for a child registered in `region`, born
/// on `birth_date`: the sequence odd for a boy, even for a girl.
fn free_id_number(
    tx: &Transaction<'_>,
    region: &str,
    birth_date: Date,
    sex: Sex,
) -> ApiResult<String> {
    let first = match sex {
        Sex::Male => 1,
        Sex::Female => 2,
    };
    for sequence in (first..1_000).step_by(2) {
        let number = resident_id(region, birth_date, &format!("{sequence:03}"))?;
        let taken = tx
            .query_row(
                "SELECT 1 FROM people WHERE id_number = ?1",
                params![number],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if !taken {
            return Ok(number);
        }
    }
    Err(ApiError::new(
        ProblemCode::Internal,
        "no free ID number for this place and day",
    ))
}

/// Loads a birth with its progress line.
pub fn load(tx: &Transaction<'_>, birth_id: &str) -> ApiResult<Birth> {
    type Row = (
        String,
        String,
        String,
        i64,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Option<Row> = tx
        .query_row(
            "SELECT b.state, c.child_name, c.birth_date, b.created_at, b.registered_at, b.person_id, \
             b.delegation_id, b.application_id FROM births b \
             JOIN birth_medical_certificates c ON c.certificate_number = b.certificate_number WHERE b.birth_id = ?1",
            params![birth_id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                ))
            },
        )
        .optional()?;
    let Some((
        state,
        name,
        birth_date,
        created_at,
        registered_at,
        person_id,
        mandate_id,
        application_id,
    )) = row
    else {
        return Err(ApiError::not_found("birth"));
    };
    let created_at = created_at.max(0) as u64;
    let registered_at = registered_at.map(|at| at.max(0) as u64);
    let stages = match &application_id {
        Some(id) => crate::domain::applications::load(tx, id)?.stages,
        None => Vec::new(),
    };
    let reached = |states: &[ApplicationState]| {
        stages
            .iter()
            .find(|stage| states.contains(&stage.state))
            .map(|stage| stage.at)
    };
    let progress = vec![
        BirthProgress {
            step: BirthStep::Submitted,
            at: Some(created_at),
        },
        BirthProgress {
            step: BirthStep::HouseholdRegistered,
            at: registered_at,
        },
        BirthProgress {
            step: BirthStep::CardInProduction,
            at: reached(&[ApplicationState::InProduction]),
        },
        BirthProgress {
            step: BirthStep::CardOnItsWay,
            at: reached(&[ApplicationState::Dispatched, ApplicationState::AtOutlet]),
        },
        BirthProgress {
            step: BirthStep::CardReceived,
            at: reached(&[ApplicationState::Received]),
        },
    ];
    Ok(Birth {
        birth_id: birth_id.to_owned(),
        state: parse_enum::<BirthState>(&state)?,
        child_name_masked: ecard_documents::mask_name(&name),
        birth_date,
        created_at,
        registered_at,
        person_id,
        mandate_id,
        application_id,
        progress,
    })
}

/// The births `account_id` filed, newest first.
pub fn filed_by(tx: &Transaction<'_>, account_id: &str) -> ApiResult<Vec<String>> {
    let mut statement = tx.prepare(
        "SELECT birth_id FROM births WHERE submitted_by = ?1 ORDER BY created_at DESC, birth_id",
    )?;
    let ids = statement
        .query_map(params![account_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// Who filed birth `birth_id`, if it exists.
pub fn submitter_of(tx: &Transaction<'_>, birth_id: &str) -> ApiResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT submitted_by FROM births WHERE birth_id = ?1",
            params![birth_id],
            |row| row.get(0),
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_numbers_are_a_letter_and_nine_digits() {
        assert!(well_formed_certificate_number("O360123456"));
        assert!(!well_formed_certificate_number("o360123456"));
        assert!(!well_formed_certificate_number("O36012345"));
        assert!(!well_formed_certificate_number("O3601234567"));
        assert!(!well_formed_certificate_number("0360123456"));
        assert!(!well_formed_certificate_number("O36012345X"));
    }
}
