//! Who may act for whom and see what: the authenticated caller, the mandate
//! check every workflow makes before acting for someone else ([`authorise`]),
//! and what a caller is shown of a person and their cards under the scopes of
//! their mandates ([`Disclosure`]).

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{Card, Scope};
use ecard_credential::{PublicKey, Suite};

use crate::error::{ApiError, ApiResult};
use crate::store::codec::enum_name;
use crate::store::rows::{CardRow, Person, card};
use ecard_api::rules::RegionalRules;

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
        ensure_may_act_alone(tx, person_id, scope, now)?;
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

/// [`authorise`] for a person whose register entry and region's rules the
/// request has read already (a submission reads both anyway): the same
/// answer without reading them again for the holder's own act (someone
/// else's act needs only the mandate).
pub fn authorise_person(
    tx: &Transaction<'_>,
    caller: &Caller,
    (person, rules): (&Person, &RegionalRules),
    scope: Scope,
    now: u64,
) -> ApiResult<Option<String>> {
    if caller.person_id == person.person_id {
        let holder = (person.person_id.as_str(), minor(person, rules, now));
        ensure_may_act_alone_as(tx, holder, scope, now)?;
        return Ok(None);
    }
    authorise(tx, caller, &person.person_id, scope, now)
}

/// Whether `caller` may see what a read shows of `person_id`: their own,
/// always (`Ok(None)`: seeing is not acting, so no region reserves it to a
/// guardian, and it needs no rules), or someone else's under an active
/// mandate carrying any of `scopes` (`Ok(Some(id))`, the first scope in
/// order that has one). Refused with the last scope's refusal
/// (`no_mandate`); a failure to read the mandates is returned at once.
///
/// The one access rule of the reads about a person (access records,
/// payments, a card's financial account, the eligibility cycle, insurance
/// records and certificates, an application): acts go through
/// [`authorise`].
pub fn may_see(
    tx: &Transaction<'_>,
    caller: &Caller,
    person_id: &str,
    scopes: &[Scope],
    now: u64,
) -> ApiResult<Option<String>> {
    if caller.person_id == person_id {
        return Ok(None);
    }
    let mut refusal = None;
    for scope in scopes {
        match authorise(tx, caller, person_id, *scope, now) {
            Ok(mandate) => return Ok(mandate),
            Err(error) if error.code() == ProblemCode::Internal => return Err(error),
            Err(error) => refusal = Some(error),
        }
    }
    Err(refusal.unwrap_or_else(|| {
        ApiError::new(
            ProblemCode::NoMandate,
            "you hold no active mandate for this person and action",
        )
    }))
}

/// Refuses a minor's own account an act the region's rules reserve to a
/// guardian ([`ecard_api::rules::MinorRules`]): `guardian_required`. The
/// e-card (`show_code`) is allowed on the minor's own phone while an active
/// guardian mandate carries the guardian's consent to it.
pub fn ensure_may_act_alone(
    tx: &Transaction<'_>,
    person_id: &str,
    scope: Scope,
    now: u64,
) -> ApiResult<()> {
    ensure_may_act_alone_as(
        tx,
        (person_id, minor_holder(tx, person_id, now)?),
        scope,
        now,
    )
}

/// [`ensure_may_act_alone`] for `person_id`, known to be `minor`
/// ([`minor`]: `None` for an adult).
fn ensure_may_act_alone_as(
    tx: &Transaction<'_>,
    (person_id, minor): (&str, Option<(u32, bool, RegionalRules)>),
    scope: Scope,
    now: u64,
) -> ApiResult<()> {
    let Some((age, self_supporting, rules)) = minor else {
        return Ok(());
    };
    if rules.minors.may_act_alone(scope, age, self_supporting) {
        return Ok(());
    }
    if scope == Scope::ShowCode {
        if rules.minors.e_card_on_own_phone_with_consent
            && guardian_allows_own_e_card(tx, person_id, now)?
        {
            return Ok(());
        }
        return Err(ApiError::new(
            ProblemCode::GuardianRequired,
            "a holder under the age of majority shows the e-card on their own phone only once a guardian allows it",
        ));
    }
    Err(ApiError::new(
        ProblemCode::GuardianRequired,
        format!(
            "a holder under {} does this through a guardian",
            rules.adult_age
        ),
    ))
}

/// Refuses a minor changing or resetting their own e-card PIN where the
/// rules reserve it to the guardian.
pub fn ensure_may_set_own_pin(tx: &Transaction<'_>, person_id: &str, now: u64) -> ApiResult<()> {
    match minor_holder(tx, person_id, now)? {
        Some((age, self_supporting, rules))
            if !rules.minors.may_set_own_pin(age, self_supporting) =>
        {
            Err(ApiError::new(
                ProblemCode::GuardianRequired,
                "a guardian sets the e-card PIN of a holder under the age of majority",
            ))
        }
        _ => Ok(()),
    }
}

/// The age, the register's self-supporting mark and the rules of
/// `person_id` if they are under their region's age of majority at `now`.
pub fn minor_holder(
    tx: &Transaction<'_>,
    person_id: &str,
    now: u64,
) -> ApiResult<Option<(u32, bool, RegionalRules)>> {
    let person = crate::store::rows::person(tx, person_id)?;
    let rules = crate::domain::rules::rules_for(tx, &person.region)?;
    Ok(minor(&person, &rules, now))
}

/// The age and the register's self-supporting mark of `person`, with the
/// `rules` of their region, if they are under its age of majority at `now`.
fn minor(person: &Person, rules: &RegionalRules, now: u64) -> Option<(u32, bool, RegionalRules)> {
    crate::domain::dates::age_on(person.birth_date, now)
        .filter(|age| *age < rules.adult_age)
        .map(|age| (age, person.self_supporting, rules.clone()))
}

/// Whether an active guardian mandate for `person_id` carries the
/// guardian's consent to the e-card on the minor's own phone.
pub fn guardian_allows_own_e_card(
    tx: &Transaction<'_>,
    person_id: &str,
    now: u64,
) -> ApiResult<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM delegations WHERE principal_person_id = ?1 AND kind = 'guardian' \
             AND status = 'active' AND expires_at > ?2 AND holder_e_card_since IS NOT NULL LIMIT 1",
            params![person_id, now as i64],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// An authenticated device and its account.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The account.
    pub account_id: String,
    /// The account holder.
    pub person_id: String,
    /// The device.
    pub device_id: String,
    /// The device's key suite.
    pub device_suite: Suite,
    /// The device's public key.
    pub device_key: PublicKey,
}
