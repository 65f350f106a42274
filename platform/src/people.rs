//! The population register, accounts, devices and what a caller may see of
//! people: enrolment (real-name check against the register), the profile,
//! and mandate checks shared by every workflow.

use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    Card, CardStatus, ECardState, LossKind, LossReport, PersonIdentity, PersonSummary, Profile,
    Scope,
};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::error::{ApiError, ApiResult};
use crate::http::{Caller, Ctx, Reply};

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
    /// `YYYY-MM-DD`.
    pub birth_date: String,
    /// County or province code of residence.
    pub region: String,
    /// 户口簿 number.
    pub household_register: Option<String>,
    /// 出生医学证明 number.
    pub birth_certificate: Option<String>,
    /// The mobile number on record in the register or the card's bank record.
    pub phone: Option<String>,
}

const PERSON_COLUMNS: &str = "person_id, id_type, id_number, name, birth_date, region, household_register, birth_certificate, phone";

fn person_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Person> {
    Ok(Person {
        person_id: row.get(0)?,
        id_type: row.get(1)?,
        id_number: row.get(2)?,
        name: row.get(3)?,
        birth_date: row.get(4)?,
        region: row.get(5)?,
        household_register: row.get(6)?,
        birth_certificate: row.get(7)?,
        phone: row.get(8)?,
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

/// Finds the person an identity names, checking the name matches. One
/// answer for "no such person" and "the name does not match".
pub fn verify_identity(tx: &Transaction<'_>, identity: &PersonIdentity) -> ApiResult<Person> {
    let number = identity.id_number.trim().to_ascii_uppercase();
    let found = tx
        .query_row(
            &format!("SELECT {PERSON_COLUMNS} FROM people WHERE id_number = ?1"),
            params![number],
            person_from_row,
        )
        .optional()?;
    match found {
        Some(person)
            if person.name == identity.name.trim() && person.id_type == identity.id_type =>
        {
            Ok(person)
        }
        _ => Err(ApiError::new(
            ProblemCode::IdentityNotVerified,
            "the name and document number do not match the population register",
        )),
    }
}

/// The province code of a region code.
pub fn province_of(region: &str) -> String {
    format!("{}0000", region.get(..2).unwrap_or("00"))
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

/// `POST /v1/me/deletion`: the resident deletes their account (PIPL right
/// of deletion). Every device of the account is revoked and with it every
/// credential they hold, mandates the account holds for others end, and the
/// contact phone is cleared. Cards, applications and the audit log stay, as
/// the card rules keep them; the person may enrol again later.
pub fn delete_account(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    crate::pin::require(ctx, ecard_api::identity::PinAction::DeleteAccount)?;
    let now = ctx.now as i64;
    let mandates_ended = ctx.tx.execute(
        "UPDATE delegations SET status = 'revoked', revoked_at = ?1 \
         WHERE agent_account_id = ?2 AND status IN ('active', 'pending_consent')",
        params![now, caller.account_id],
    )?;
    let credentials_revoked =
        crate::issuer::revoke_account_credentials(ctx.tx, &caller.account_id, ctx.now)?;
    let devices_revoked = ctx.tx.execute(
        "UPDATE devices SET revoked_at = ?1 WHERE account_id = ?2 AND revoked_at IS NULL",
        params![now, caller.account_id],
    )?;
    ctx.tx.execute(
        "UPDATE accounts SET phone = '', deleted_at = ?1 WHERE account_id = ?2",
        params![now, caller.account_id],
    )?;
    ctx.tx.execute(
        "DELETE FROM pins WHERE account_id = ?1",
        params![caller.account_id],
    )?;
    audit(
        ctx.tx,
        ctx.now,
        &caller.account_id,
        &caller.person_id,
        None,
        "account.delete",
        &caller.account_id,
    )?;
    Reply::ok(&ecard_api::resident::AccountDeletion {
        deleted_at: ctx.now,
        devices_revoked: devices_revoked as u32,
        credentials_revoked: credentials_revoked as u32,
        mandates_ended: mandates_ended as u32,
    })
}

/// A card as the platform holds it, every field known. What a caller is
/// shown of it is [`CardRow::view`] under their [`Disclosure`].
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
}

impl CardRow {
    /// The card as a caller with `disclosure` sees it.
    pub fn view(&self, disclosure: Disclosure) -> Card {
        Card {
            card_id: self.card_id.clone(),
            person_id: self.person_id.clone(),
            card_number_masked: self.card_number_masked.clone(),
            bank: disclosure.card_details.then(|| self.bank.clone()),
            region: disclosure.card_details.then(|| self.region.clone()),
            status: self.status,
            e_card: self.e_card,
            social_function_enabled: self.social_function_enabled,
            loss_report: self.loss_report.clone().filter(|_| disclosure.loss_report),
            issued_at: disclosure.card_details.then_some(self.issued_at),
        }
    }
}

/// What a caller is shown of a person and their cards beyond what every
/// mandate shows (the person's id and masked name; each card's id, masked
/// number, status, e-card state and whether it is activated). The holder
/// sees everything; someone acting for them sees what the scopes of their
/// mandates need — the table is in `docs/security.md` (scoped views).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Disclosure {
    /// The masked document number and the birth date (`apply`: an
    /// application is made out for the person, and their age decides who
    /// may apply).
    pub identity: bool,
    /// Each card's bank, region and issue time (`replace`: a change of bank
    /// and the fees need them; `track`).
    pub card_details: bool,
    /// The open loss report of each card (`report_loss`: the lapse date and
    /// whether it can be released; `track`).
    pub loss_report: bool,
}

impl Disclosure {
    /// Everything: the person themself, or the operator.
    pub const HOLDER: Disclosure = Disclosure {
        identity: true,
        card_details: true,
        loss_report: true,
    };

    /// What the union of `scopes` discloses.
    pub fn for_scopes(scopes: &[Scope]) -> Disclosure {
        let any = |wanted: &[Scope]| scopes.iter().any(|scope| wanted.contains(scope));
        Disclosure {
            identity: any(&[Scope::Apply]),
            card_details: any(&[Scope::Replace, Scope::Track]),
            loss_report: any(&[Scope::ReportLoss, Scope::Track]),
        }
    }
}

/// The scopes of every active mandate `account_id` holds for `person_id`.
fn mandate_scopes(
    tx: &Transaction<'_>,
    account_id: &str,
    person_id: &str,
    now: u64,
) -> ApiResult<Vec<Scope>> {
    let mut statement = tx.prepare(
        "SELECT scopes FROM delegations WHERE agent_account_id = ?1 AND principal_person_id = ?2 \
         AND status = 'active' AND expires_at > ?3",
    )?;
    let stored: Vec<String> = statement
        .query_map(params![account_id, person_id, now as i64], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut scopes = Vec::new();
    for text in stored {
        let parsed: Vec<Scope> = serde_json::from_str(&text)?;
        scopes.extend(parsed);
    }
    Ok(scopes)
}

/// What `caller` may see of `person_id`: everything of themself, and of
/// anyone else what the scopes of their active mandates disclose (nothing
/// beyond the basics without one).
pub fn disclosure_for(
    tx: &Transaction<'_>,
    caller: &Caller,
    person_id: &str,
    now: u64,
) -> ApiResult<Disclosure> {
    if caller.person_id == person_id {
        return Ok(Disclosure::HOLDER);
    }
    Ok(Disclosure::for_scopes(&mandate_scopes(
        tx,
        &caller.account_id,
        person_id,
        now,
    )?))
}

/// A card as `caller` may see it (the answer to an action on the card).
pub fn card_seen_by(
    tx: &Transaction<'_>,
    caller: &Caller,
    card_id: &str,
    now: u64,
) -> ApiResult<Card> {
    let row = card(tx, card_id)?;
    Ok(row.view(disclosure_for(tx, caller, &row.person_id, now)?))
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
            "SELECT card_id, person_id, card_number, bank, region, status, e_card, social_function_enabled, issued_at \
             FROM cards WHERE card_id = ?1",
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

/// Parses a snake_case enum stored as text.
pub fn parse_enum<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error))
    })
}

/// The snake_case name of an enum value.
pub fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn summary(
    tx: &Transaction<'_>,
    person: &Person,
    disclosure: Disclosure,
) -> ApiResult<PersonSummary> {
    Ok(PersonSummary {
        person_id: person.person_id.clone(),
        name_masked: ecard_documents::mask_name(&person.name),
        id_number_masked: disclosure
            .identity
            .then(|| ecard_documents::mask(&person.id_number)),
        birth_date: disclosure.identity.then(|| person.birth_date.clone()),
        cards: cards_of(tx, &person.person_id)?
            .iter()
            .map(|card| card.view(disclosure))
            .collect(),
    })
}

/// `GET /v1/me`: the account holder in full, and each person they act for
/// as far as the scopes of their mandates disclose.
pub fn profile(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let caller = ctx.caller()?.clone();
    let me = person(ctx.tx, &caller.person_id)?;
    let mut statement = ctx.tx.prepare(
        "SELECT DISTINCT principal_person_id FROM delegations WHERE agent_account_id = ?1 AND status = 'active' AND expires_at > ?2",
    )?;
    let principal_ids: Vec<String> = statement
        .query_map(params![caller.account_id, ctx.now as i64], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let principals = principal_ids
        .iter()
        .map(|person_id| {
            let principal = person(ctx.tx, person_id)?;
            let disclosure = disclosure_for(ctx.tx, &caller, person_id, ctx.now)?;
            summary(ctx.tx, &principal, disclosure)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Reply::ok(&Profile {
        account_id: caller.account_id.clone(),
        person: summary(ctx.tx, &me, Disclosure::HOLDER)?,
        principals,
        region: province_of(&me.region),
    })
}

/// The mandate under which `caller` may do `scope` for `person_id`:
/// `Ok(None)` when the caller is that person, `Ok(Some(id))` under an active
/// mandate, an error otherwise.
pub fn authorise(
    tx: &Transaction<'_>,
    caller: &Caller,
    person_id: &str,
    scope: Scope,
    now: u64,
) -> ApiResult<Option<String>> {
    if caller.person_id == person_id {
        return Ok(None);
    }
    let scope_name = format!("%\"{}\"%", enum_name(&scope));
    tx.query_row(
        "SELECT delegation_id FROM delegations WHERE agent_account_id = ?1 AND principal_person_id = ?2 \
         AND status = 'active' AND expires_at > ?3 AND scopes LIKE ?4",
        params![caller.account_id, person_id, now as i64, scope_name],
        |row| row.get::<_, String>(0),
    )
    .optional()?
    .map(Some)
    .ok_or_else(|| ApiError::new(ProblemCode::NoMandate, "you hold no active mandate for this person and action"))
}

/// Records who did what for whom under which mandate.
pub fn audit(
    tx: &Transaction<'_>,
    now: u64,
    actor_account: &str,
    principal_person: &str,
    mandate_id: Option<&str>,
    action: &str,
    object_id: &str,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor_account, principal_person, mandate_id, action, object_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![now as i64, actor_account, principal_person, mandate_id, action, object_id],
    )?;
    Ok(())
}
