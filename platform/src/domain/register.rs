//! The population register: finding a person by name and document number
//! (one answer for "no such person" and "the name does not match"), adding
//! people and existing cards as the register and the bank know them, who
//! the register names as a child's guardian, and the demo personas.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::PersonIdentity;
use serde::{Deserialize, Serialize};

use crate::domain::applications::ensure_no_card_or_application;
use crate::domain::cards::{CardOrigin, make_card, new_card_number};
use crate::error::{ApiError, ApiResult};
use crate::store::db::new_id;
use crate::store::rows::{PERSON_COLUMNS, Person, person, person_from_row};

/// A person to add to the register.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NewPerson {
    /// Document type (`resident_id`, …).
    pub id_type: String,
    /// Document number.
    pub id_number: String,
    /// Name.
    pub name: String,
    /// `YYYY-MM-DD`; derived from a resident ID when absent.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// Division code of residence.
    pub region: String,
    /// 户口簿 number.
    #[serde(default)]
    pub household_register: Option<String>,
    /// 出生医学证明 number.
    #[serde(default)]
    pub birth_certificate: Option<String>,
    /// Guardians (person ids) recorded in the register.
    #[serde(default)]
    pub guardians: Vec<String>,
    /// The mobile number the register (or the card's bank record) holds:
    /// where enrolment codes go.
    #[serde(default)]
    pub phone: Option<String>,
    /// Whether the person lives on their own labour income (from the
    /// employment and contribution records): a minor of the region's
    /// `self_supporting_from_age` then acts alone.
    #[serde(default)]
    pub self_supporting: bool,
}

/// A resident ID number (GB 11643): the division code, the birth date, a
/// three-digit sequence and its check character.
pub fn resident_id(
    region: &str,
    birth_date: ecard_documents::Date,
    sequence: &str,
) -> ApiResult<String> {
    let body = format!(
        "{region}{}{sequence}",
        birth_date.to_string().replace('-', "")
    );
    let check = ecard_documents::check_character(&body)
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "not an ID number body"))?;
    Ok(format!("{body}{check}"))
}

/// Adds a person to the register; returns the person id.
pub fn insert_person(tx: &Transaction<'_>, new: &NewPerson, now: u64) -> ApiResult<String> {
    let document_type = ecard_documents::DocumentType::from_name(&new.id_type)
        .ok_or_else(|| ApiError::field("id_type", "unknown document type"))?;
    let today = ecard_documents::Date::in_china_at(now)
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "clock out of range"))?;
    let document =
        ecard_documents::validate(document_type, &new.id_number, today).map_err(|error| {
            ApiError::field("id_number", error.message(ecard_credential::Locale::En))
        })?;
    let given = new
        .birth_date
        .as_deref()
        .map(|text| {
            ecard_documents::Date::parse(text)
                .filter(|date| *date <= today)
                .ok_or_else(|| ApiError::field("birth_date", "a past date as YYYY-MM-DD"))
        })
        .transpose()?;
    let birth_date = match (given, document.birth_date()) {
        (Some(given), Some(on_document)) if given != on_document => {
            return Err(ApiError::field(
                "birth_date",
                "differs from the birth date in the document number",
            ));
        }
        (_, Some(date)) | (Some(date), None) => date.to_string(),
        (None, None) => {
            return Err(ApiError::field(
                "birth_date",
                "needed for this document type",
            ));
        }
    };
    if new.name.trim().is_empty() || new.name.chars().count() > 64 {
        return Err(ApiError::field("name", "1–64 characters"));
    }
    if new.region.len() != 6 || !new.region.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ApiError::field("region", "a six-digit division code"));
    }
    // Every workflow looks up the rules of the person's province.
    crate::domain::rules::rules_for(tx, &new.region).map_err(|_| {
        ApiError::field(
            "region",
            "no regional rules for this province: PUT /admin/rules first",
        )
    })?;
    let phone = new
        .phone
        .as_deref()
        .map(|phone| {
            ecard_documents::validate_phone(phone)
                .map(|phone| phone.number().to_owned())
                .map_err(|error| {
                    ApiError::field("phone", error.message(ecard_credential::Locale::En))
                })
        })
        .transpose()?;
    let person_id = new_id("person");
    let inserted = tx.execute(
        "INSERT INTO people (person_id, id_type, id_number, name, birth_date, region, household_register, birth_certificate, phone, self_supporting) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
        params![
            person_id,
            new.id_type,
            document.number(),
            new.name.trim(),
            birth_date,
            new.region,
            new.household_register,
            new.birth_certificate,
            phone,
            new.self_supporting
        ],
    )?;
    if inserted == 0 {
        return Err(ApiError::new(
            ProblemCode::InvalidState,
            "a person with this document number is already registered",
        ));
    }
    // The register's insurance history comes with the person (sample data).
    crate::domain::insurance_records::generate_for(tx, &person_id, now)?;
    for guardian in &new.guardians {
        person(tx, guardian)?;
        tx.execute(
            "INSERT INTO guardianships (child_person_id, guardian_person_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![person_id, guardian],
        )?;
    }
    Ok(person_id)
}

/// Gives a person an active, activated card (as if issued at a counter).
pub fn insert_card(
    tx: &Transaction<'_>,
    person_id: &str,
    bank: &str,
    now: u64,
) -> ApiResult<String> {
    let holder = person(tx, person_id)?;
    let rules = crate::domain::rules::rules_for(tx, &holder.region)?;
    if !rules.banks.iter().any(|candidate| candidate.code == bank) {
        return Err(ApiError::field(
            "bank",
            format!("{bank} is not a co-branded bank of region {}", rules.region),
        ));
    }
    ensure_no_card_or_application(tx, person_id)?;
    make_card(
        tx,
        person_id,
        &new_card_number(),
        bank,
        &holder.region,
        now,
        CardOrigin::AlreadyHeld,
    )
}

/// Whether a persona key is already seeded.
pub fn persona(tx: &Transaction<'_>, key: &str) -> ApiResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT person_id FROM persona_map WHERE key = ?1",
            params![key],
            |row| row.get(0),
        )
        .optional()?)
}

/// Finds the person an identity names, checking the name and the document
/// type match. One answer for "no such person" and "does not match".
pub fn verify_identity(tx: &Transaction<'_>, identity: &PersonIdentity) -> ApiResult<Person> {
    let person = person_named(tx, &identity.id_number, &identity.name)?;
    if person.id_type == identity.id_type {
        Ok(person)
    } else {
        Err(not_verified())
    }
}

/// The person the register holds under document number `id_number` and
/// name `name` (a feed that names no document type). One answer for "no
/// such person" and "the name does not match".
pub fn person_named(tx: &Transaction<'_>, id_number: &str, name: &str) -> ApiResult<Person> {
    let number = id_number.trim().to_ascii_uppercase();
    let found = tx
        .query_row(
            &format!("SELECT {PERSON_COLUMNS} FROM people WHERE id_number = ?1"),
            params![number],
            person_from_row,
        )
        .optional()?;
    match found {
        Some(person) if person.name == name.trim() => Ok(person),
        _ => Err(not_verified()),
    }
}

fn not_verified() -> ApiError {
    ApiError::new(
        ProblemCode::IdentityNotVerified,
        "the name and document number do not match the population register",
    )
}

/// The phone a person showed in person goes into the register.
pub fn record_phone(tx: &Transaction<'_>, person_id: &str, phone: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE people SET phone = ?1 WHERE person_id = ?2",
        params![phone, person_id],
    )?;
    Ok(())
}

/// Whether the register names `guardian_person_id` as a guardian of
/// `child_person_id`.
pub fn is_registered_guardian(
    tx: &Transaction<'_>,
    child_person_id: &str,
    guardian_person_id: &str,
) -> ApiResult<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM guardianships WHERE child_person_id = ?1 AND guardian_person_id = ?2",
            params![child_person_id, guardian_person_id],
            |row| row.get::<_, i64>(0),
        )
        .optional()?
        .is_some())
}

/// A seeded demo person under their persona key, as the operator lists them.
#[derive(Clone, Debug, Serialize)]
pub struct Persona {
    /// The persona key.
    pub persona: String,
    /// The person.
    pub person_id: String,
    /// Document type.
    pub id_type: String,
    /// Document number.
    pub id_number: String,
    /// Name.
    pub name: String,
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// 户口簿 number.
    pub household_register: Option<String>,
    /// 出生医学证明 number.
    pub birth_certificate: Option<String>,
    /// The mobile number on record.
    pub phone: Option<String>,
}

/// Every seeded demo person, by persona key.
pub fn personas(tx: &Transaction<'_>) -> ApiResult<Vec<Persona>> {
    let mut statement = tx.prepare(
        "SELECT m.key, p.person_id, p.id_type, p.id_number, p.name, p.birth_date, p.household_register, p.birth_certificate, p.phone \
         FROM persona_map m JOIN people p ON p.person_id = m.person_id ORDER BY m.key",
    )?;
    let personas = statement
        .query_map([], |row| {
            Ok(Persona {
                persona: row.get(0)?,
                person_id: row.get(1)?,
                id_type: row.get(2)?,
                id_number: row.get(3)?,
                name: row.get(4)?,
                birth_date: row.get(5)?,
                household_register: row.get(6)?,
                birth_certificate: row.get(7)?,
                phone: row.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(personas)
}
