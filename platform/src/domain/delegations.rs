//! Mandates: guardians of minors and newborns, and family proxies for
//! elderly relatives (亲情代办), with evidence, consent, scopes, expiry,
//! revocation and the audit trail of what was done under them.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::{
    Delegation, DelegationKind, DelegationStatus, Evidence, Relationship, Scope,
};

use crate::error::{ApiError, ApiResult};
use crate::store::audit::audit;
use crate::store::codec::{enum_name, parse_enum};
use crate::store::db::new_id;
use crate::store::rows::person;

/// Longest a family-proxy mandate may run before renewal: three years.
pub(crate) const MAX_PROXY_SECONDS: u64 = 3 * 365 * 86_400;

/// Loads a mandate.
pub fn load(tx: &Transaction<'_>, delegation_id: &str, now: u64) -> ApiResult<Delegation> {
    tx.query_row(
        "SELECT d.delegation_id, d.kind, d.agent_account_id, d.principal_person_id, p.name, d.scopes, d.status, \
         d.created_at, d.consented_at, d.expires_at, d.revoked_at, d.holder_e_card_since \
         FROM delegations d JOIN people p ON p.person_id = d.principal_person_id WHERE d.delegation_id = ?1",
        params![delegation_id],
        |row| {
            let mut status: DelegationStatus = parse_enum(&row.get::<_, String>(6)?)?;
            let expires_at = row.get::<_, i64>(9)? as u64;
            if matches!(status, DelegationStatus::Active | DelegationStatus::PendingConsent) && expires_at <= now {
                status = DelegationStatus::Expired;
            }
            let scopes: String = row.get(5)?;
            Ok(Delegation {
                delegation_id: row.get(0)?,
                kind: parse_enum(&row.get::<_, String>(1)?)?,
                agent_account_id: row.get(2)?,
                principal_person_id: row.get(3)?,
                principal_name_masked: ecard_documents::mask_name(&row.get::<_, String>(4)?),
                scopes: serde_json::from_str(&scopes).map_err(|error| {
                    crate::store::sql::Error::conversion(5, Box::new(error))
                })?,
                status,
                created_at: row.get::<_, i64>(7)? as u64,
                consented_at: row.get::<_, Option<i64>>(8)?.map(|at| at as u64),
                expires_at,
                revoked_at: row.get::<_, Option<i64>>(10)?.map(|at| at as u64),
                ward_e_card_since: row.get::<_, Option<i64>>(11)?.map(|at| at as u64),
            })
        },
    )
    .optional()?
    .ok_or_else(|| ApiError::not_found("delegation"))
}

/// Records the principal's consent (from their own device, at a counter,
/// or by a face check on the helper's phone); `how` names the way in the
/// audit log.
pub fn record_consent(
    tx: &Transaction<'_>,
    delegation_id: &str,
    actor_account: &str,
    how: &str,
    now: u64,
) -> ApiResult<Delegation> {
    let delegation = load(tx, delegation_id, now)?;
    if delegation.status != DelegationStatus::PendingConsent {
        return Err(ApiError::state(format!(
            "the mandate is {}, not waiting for consent",
            enum_name(&delegation.status)
        )));
    }
    tx.execute(
        "UPDATE delegations SET status = 'active', consented_at = ?1 WHERE delegation_id = ?2",
        params![now as i64, delegation.delegation_id],
    )?;
    audit(
        tx,
        now,
        actor_account,
        &delegation.principal_person_id,
        Some(delegation_id),
        how,
        delegation_id,
    )?;
    load(tx, delegation_id, now)
}

/// Checks a principal exists (for admin seeding of guardianships).
pub fn ensure_person(tx: &Transaction<'_>, person_id: &str) -> ApiResult<()> {
    person(tx, person_id).map(|_| ())
}

/// Marks mandates past their end as expired; codes shown under them stop.
pub fn expire(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    let mut statement = tx.prepare_cached(
        "SELECT agent_account_id, principal_person_id FROM delegations \
         WHERE status IN ('active', 'pending_consent') AND expires_at <= ?1",
    )?;
    let ended: Vec<(String, String)> = statement
        .query_map(params![now as i64], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    if ended.is_empty() {
        return Ok(());
    }
    tx.execute(
        "UPDATE delegations SET status = 'expired' WHERE status IN ('active', 'pending_consent') AND expires_at <= ?1",
        params![now as i64],
    )?;
    for (agent_account, principal_person) in ended {
        crate::domain::issuer::revoke_agent_credentials(
            tx,
            &agent_account,
            &principal_person,
            now,
        )?;
        settle_ward_e_card(tx, &principal_person, now)?;
    }
    Ok(())
}

/// Records or withdraws a guardian's consent to the e-card on the ward's
/// own phone, on the guardian mandate `delegation_id`.
pub fn set_ward_e_card(
    tx: &Transaction<'_>,
    delegation: &Delegation,
    allowed: bool,
    now: u64,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE delegations SET holder_e_card_since = CASE WHEN ?1 THEN COALESCE(holder_e_card_since, ?2) END \
         WHERE delegation_id = ?3",
        params![allowed, now as i64, delegation.delegation_id],
    )?;
    if !allowed {
        settle_ward_e_card(tx, &delegation.principal_person_id, now)?;
    }
    Ok(())
}

/// After a guardian's consent went (withdrawn, or its mandate ended): while
/// the ward still needs a guardian for the e-card and no other guardian's
/// consent remains, the codes on the ward's own devices stop at once.
/// Returns how many credentials were revoked.
pub fn settle_ward_e_card(tx: &Transaction<'_>, ward: &str, now: u64) -> ApiResult<usize> {
    match crate::domain::access::ensure_may_act_alone(tx, ward, Scope::ShowCode, now) {
        Ok(()) => Ok(0),
        Err(refusal) if refusal.code() == ProblemCode::GuardianRequired => {
            crate::domain::issuer::revoke_holder_credentials(tx, ward, now)
        }
        Err(error) => Err(error),
    }
}

/// The scopes as stored.
pub fn scope_names(scopes: &[Scope]) -> Vec<String> {
    scopes.iter().map(enum_name).collect()
}

/// Ends a mandate at the request of its principal or its agent: it is
/// revoked, and the credentials the agent holds for the principal with it,
/// so codes shown under it stop at once.
pub fn revoke(tx: &Transaction<'_>, delegation: &Delegation, now: u64) -> ApiResult<()> {
    tx.execute(
        "UPDATE delegations SET status = 'revoked', revoked_at = ?1 WHERE delegation_id = ?2",
        params![now as i64, delegation.delegation_id],
    )?;
    crate::domain::issuer::revoke_agent_credentials(
        tx,
        &delegation.agent_account_id,
        &delegation.principal_person_id,
        now,
    )?;
    settle_ward_e_card(tx, &delegation.principal_person_id, now).map(|_| ())
}

/// Ends every mandate `account_id` holds for others (the account is being
/// deleted); returns how many ended.
pub fn end_held_by(tx: &Transaction<'_>, account_id: &str, now: u64) -> ApiResult<usize> {
    Ok(tx.execute(
        "UPDATE delegations SET status = 'revoked', revoked_at = ?1 \
         WHERE agent_account_id = ?2 AND status IN ('active', 'pending_consent')",
        params![now as i64, account_id],
    )?)
}

/// A mandate as granted, before it is stored.
pub struct NewMandate<'a> {
    /// Guardian or family proxy.
    pub kind: DelegationKind,
    /// The account that will act.
    pub agent_account_id: &'a str,
    /// The person acted for.
    pub principal_person_id: &'a str,
    /// What it allows, sorted and without repeats.
    pub scopes: &'a [Scope],
    /// Active at once (a guardian with evidence) or waiting for consent.
    pub status: DelegationStatus,
    /// The document that proves guardianship, if any.
    pub evidence: Option<&'a Evidence>,
    /// When the principal consented, if already.
    pub consented_at: Option<u64>,
    /// When it ends.
    pub expires_at: u64,
    /// How a family proxy is related to the principal.
    pub relationship: Option<Relationship>,
}

/// Stores a new mandate made at `now`; returns its id.
pub fn store(tx: &Transaction<'_>, mandate: &NewMandate<'_>, now: u64) -> ApiResult<String> {
    let delegation_id = new_id("mandate");
    tx.execute(
        "INSERT INTO delegations (delegation_id, kind, agent_account_id, principal_person_id, scopes, status, \
         evidence_kind, evidence_number, created_at, consented_at, expires_at, relationship) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            delegation_id,
            enum_name(&mandate.kind),
            mandate.agent_account_id,
            mandate.principal_person_id,
            serde_json::to_string(mandate.scopes)?,
            enum_name(&mandate.status),
            mandate.evidence.map(|evidence| evidence.kind.clone()),
            mandate.evidence.map(|evidence| evidence.number.clone()),
            now as i64,
            mandate.consented_at.map(|at| at as i64),
            mandate.expires_at as i64,
            mandate.relationship.map(|relationship| enum_name(&relationship))
        ],
    )?;
    Ok(delegation_id)
}

/// The people `agent_account_id` holds an active mandate for at `now`,
/// each once.
pub fn active_principals_of(
    tx: &Transaction<'_>,
    agent_account_id: &str,
    now: u64,
) -> ApiResult<Vec<String>> {
    let mut statement = tx.prepare(
        "SELECT DISTINCT principal_person_id FROM delegations WHERE agent_account_id = ?1 AND status = 'active' AND expires_at > ?2",
    )?;
    let principals = statement
        .query_map(params![agent_account_id, now as i64], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(principals)
}

/// A mandate `agent_account_id` holds or asked for (active or waiting for
/// consent, unexpired at `now`) for `principal_person_id`, if any.
pub fn open_mandate_between(
    tx: &Transaction<'_>,
    agent_account_id: &str,
    principal_person_id: &str,
    now: u64,
) -> ApiResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT delegation_id FROM delegations WHERE agent_account_id = ?1 AND principal_person_id = ?2 \
             AND status IN ('active', 'pending_consent') AND expires_at > ?3",
            params![agent_account_id, principal_person_id, now as i64],
            |row| row.get(0),
        )
        .optional()?)
}

/// How many family-proxy mandates `agent_account_id` holds or asked for
/// (active or waiting for consent, unexpired at `now`): the count the
/// region's relative quota limits.
pub fn open_family_proxies_held_by(
    tx: &Transaction<'_>,
    agent_account_id: &str,
    now: u64,
) -> ApiResult<u32> {
    Ok(tx.query_row(
        "SELECT COUNT(*) FROM delegations WHERE agent_account_id = ?1 AND kind = 'family_proxy' \
         AND status IN ('active', 'pending_consent') AND expires_at > ?2",
        params![agent_account_id, now as i64],
        |row| row.get(0),
    )?)
}

/// Every mandate `account_id` holds or `person_id` is the principal of,
/// newest first, as [`load`] shows it at `now`.
pub fn involving(
    tx: &Transaction<'_>,
    account_id: &str,
    person_id: &str,
    now: u64,
) -> ApiResult<Vec<Delegation>> {
    let mut statement = tx.prepare(
        "SELECT delegation_id FROM delegations WHERE agent_account_id = ?1 OR principal_person_id = ?2 ORDER BY created_at DESC",
    )?;
    let ids: Vec<String> = statement
        .query_map(params![account_id, person_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    ids.iter().map(|id| load(tx, id, now)).collect()
}
