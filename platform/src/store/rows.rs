//! Rows of the register and the card tables as typed values, and the loaders
//! that read them: a person, a card with its open loss report, a person's
//! cards, and which application is still making a card.
//!
//! Loaders decide nothing: what a caller may see of a row is the domain's
//! business ([`crate::domain::access`]).

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::resident::{ApplicationKind, CardStatus, ECardState, LossKind, LossReport};
use ecard_documents::Date;

use crate::error::{ApiError, ApiResult};
use crate::store::codec::{kind_from_text, parse_enum};

/// A person in the register.
#[derive(Clone, Debug)]
pub struct Person {
    /// Id.
    pub person_id: String,
    /// Document type.
    pub id_type: String,
    /// Document number.
    pub id_number: String,
    /// Name.
    pub name: String,
    /// Birth date (stored as `YYYY-MM-DD`, read once here).
    pub birth_date: Date,
    /// County or province code of residence.
    pub region: String,
    /// 户口簿 number.
    pub household_register: Option<String>,
    /// 出生医学证明 number.
    pub birth_certificate: Option<String>,
    /// The mobile number on record in the register or the card's bank record.
    pub phone: Option<String>,
    /// Whether the register records the person as living on their own
    /// labour income (a minor of 16 or 17 who then counts as an adult).
    pub self_supporting: bool,
}

pub(crate) const PERSON_COLUMNS: &str = "person_id, id_type, id_number, name, birth_date, region, household_register, birth_certificate, phone, self_supporting";

/// A `YYYY-MM-DD` column as a date; anything else is a conversion error.
pub(crate) fn date_column(
    row: &crate::store::sql::Row<'_>,
    index: usize,
) -> crate::store::sql::Result<Date> {
    let text: String = row.get(index)?;
    Date::parse(&text).ok_or_else(|| {
        crate::store::sql::Error::conversion(index, format!("not a YYYY-MM-DD date: {text:?}"))
    })
}

pub(crate) fn person_from_row(
    row: &crate::store::sql::Row<'_>,
) -> crate::store::sql::Result<Person> {
    Ok(Person {
        person_id: row.get(0)?,
        id_type: row.get(1)?,
        id_number: row.get(2)?,
        name: row.get(3)?,
        birth_date: date_column(row, 4)?,
        region: row.get(5)?,
        household_register: row.get(6)?,
        birth_certificate: row.get(7)?,
        phone: row.get(8)?,
        self_supporting: row.get(9)?,
    })
}

/// Loads a person by id.
pub fn person(tx: &Transaction<'_>, person_id: &str) -> ApiResult<Person> {
    tx.query_row(
        &format!("SELECT {PERSON_COLUMNS} FROM people WHERE person_id = ?1"),
        params![person_id],
        person_from_row,
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("person"))
}

/// Masks a card number: first two and last two characters stay.
pub fn mask_card_number(number: &str) -> String {
    let characters: Vec<char> = number.chars().collect();
    if characters.len() <= 4 {
        return "*".repeat(characters.len());
    }
    let middle = "*".repeat(characters.len() - 4);
    format!(
        "{}{}{middle}{}{}",
        characters[0],
        characters[1],
        characters[characters.len() - 2],
        characters[characters.len() - 1]
    )
}

/// A card as the platform holds it, every field known. What a caller is
/// shown of it is [`CardRow::view`] under their
/// [`Disclosure`](crate::domain::access::Disclosure).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardRow {
    /// Id.
    pub card_id: String,
    /// The holder.
    pub person_id: String,
    /// The card number, masked.
    pub card_number_masked: String,
    /// Co-branded bank code.
    pub bank: String,
    /// Province code of the issuing region.
    pub region: String,
    /// Lifecycle state.
    pub status: CardStatus,
    /// Whether codes may be shown.
    pub e_card: ECardState,
    /// Whether the social-security function is enabled.
    pub social_function_enabled: bool,
    /// The open loss report, if any.
    pub loss_report: Option<LossReport>,
    /// When the card record was made.
    pub issued_at: u64,
    /// The last day the card is valid (有效期), China calendar, if recorded.
    pub valid_through: Option<Date>,
}

/// Cards of a person, newest first.
pub fn cards_of(tx: &Transaction<'_>, person_id: &str) -> ApiResult<Vec<CardRow>> {
    let mut statement = tx.prepare(
        "SELECT card_id FROM cards WHERE person_id = ?1 ORDER BY issued_at DESC, card_id",
    )?;
    let ids: Vec<String> = statement
        .query_map(params![person_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    ids.iter().map(|card_id| card(tx, card_id)).collect()
}

/// Loads a card.
pub fn card(tx: &Transaction<'_>, card_id: &str) -> ApiResult<CardRow> {
    let card = tx
        .query_row(
            "SELECT card_id, person_id, card_number, bank, region, status, e_card, social_function_enabled, issued_at, \
             valid_through FROM cards WHERE card_id = ?1",
            params![card_id],
            |row| {
                Ok(CardRow {
                    card_id: row.get(0)?,
                    person_id: row.get(1)?,
                    card_number_masked: mask_card_number(&row.get::<_, String>(2)?),
                    bank: row.get(3)?,
                    region: row.get(4)?,
                    status: parse_enum::<CardStatus>(&row.get::<_, String>(5)?)?,
                    e_card: parse_enum::<ECardState>(&row.get::<_, String>(6)?)?,
                    social_function_enabled: row.get(7)?,
                    loss_report: None,
                    issued_at: row.get::<_, i64>(8)? as u64,
                    valid_through: match row.get::<_, Option<String>>(9)? {
                        Some(_) => Some(date_column(row, 9)?),
                        None => None,
                    },
                })
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("card"))?;
    let loss_report = tx
        .query_row(
            "SELECT loss_id, kind, reported_at, lapses_at, ended_at FROM loss_reports \
             WHERE card_id = ?1 AND ended_at IS NULL ORDER BY reported_at DESC LIMIT 1",
            params![card_id],
            |row| {
                Ok(LossReport {
                    id: row.get(0)?,
                    kind: parse_enum::<LossKind>(&row.get::<_, String>(1)?)?,
                    reported_at: row.get::<_, i64>(2)? as u64,
                    lapses_at: row.get::<_, Option<i64>>(3)?.map(|at| at as u64),
                    ended_at: row.get::<_, Option<i64>>(4)?.map(|at| at as u64),
                })
            },
        )
        .optional()?;
    Ok(CardRow {
        loss_report,
        ..card
    })
}

/// What the application still making `card_id` is for (a first card or a
/// replacement), or `None` once the card is received (or was never made
/// by an application).
pub fn in_the_making(tx: &Transaction<'_>, card_id: &str) -> ApiResult<Option<ApplicationKind>> {
    let kind: Option<String> = tx
        .query_row(
            "SELECT kind FROM applications WHERE card_id = ?1 \
             AND state NOT IN ('received', 'activated', 'cancelled') LIMIT 1",
            params![card_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(kind.as_deref().map(kind_from_text).transpose()?)
}
