//! Online resolution at service points, and the access records residents
//! see of it (谁查看了我的信息).
//!
//! A code shown at a hospital or a counter carries a random handle that
//! rotates with every credential: offline, the terminal learns nobody. The
//! service point must know who it serves, but only what its purpose needs,
//! and the resident must be able to see who looked. So resolution is online
//! and the platform does all of it:
//!
//! - the operator is registered as a service point of a kind, with the
//!   purposes its terminals may resolve (a hospital: medical; a counter:
//!   identity), bounded by the kind ([`ServicePointKind::may_resolve`]);
//! - the platform verifies the scanned code itself, against its own trust
//!   list and its own status bits (fresher than any signed edition: a loss
//!   report refuses the next resolution), with the verifier's time checks;
//!   a code is resolved once, by whichever terminal comes first (the seen
//!   codes are rows, so the refusal holds across terminals and restarts);
//! - it answers only what the purpose discloses ([`disclosed_fields`], one
//!   function from purpose to fields) and the operator's pseudonym of the
//!   person ([`crate::domain::pseudonyms`]);
//! - every resolution is an access record the resident (or whoever tracks
//!   their cards under a mandate) lists and can report;
//! - each terminal and each operator has a per-minute budget, so a stolen
//!   token cannot sweep codes at scale.
//!
//! The purpose is checked before any cryptography: a terminal registered
//! for another purpose learns nothing, not even whether the code is genuine.
//!
//! This module owns the `resolved_codes`, `resolution_counts`,
//! `access_records` and `access_reports` tables, and reads the
//! service-point columns of `operators` (written through `domain::clearing`).

use ecard_api::clearing::{NewOperator, OperatorRegistered};
use ecard_api::problem::ProblemCode;
use ecard_api::resident::CardStatus;
use ecard_api::service_points::{
    AccessRecord, AccessRecordPage, AccessReport, AccessReportRequest, DisclosedField,
    MAX_CODE_LENGTH, MAX_LOCATION_LENGTH, MAX_REPORT_NOTE_LENGTH, ReportedAccess, Resolution,
    ServicePointKind, disclosed_fields, is_resolvable,
};
use std::sync::{Arc, Mutex, PoisonError};

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_credential::{
    Affiliation, HolderRole, Presentation, Purpose, SignedTrustList, TrustList, Verifier,
    VerifierPolicy, VerifyError,
};

use crate::domain::issuer;
use crate::domain::pseudonyms::{Party, pseudonym};
use crate::error::{ApiError, ApiResult};
use crate::store::codec::{enum_name, parse_enum};
use crate::store::db::new_id;

/// The platform's trust list as its latest edition says, parsed once per
/// edition and kept between resolutions (building it again for every scan
/// would read and parse every issuer key).
#[derive(Debug, Default)]
pub struct TrustCache {
    latest: Mutex<Option<(i64, Arc<TrustList>)>>,
}

impl TrustCache {
    /// The trust list of the latest edition; with `refresh`, of the current
    /// keys (a key that joined since the last edition was signed makes a
    /// new one).
    fn current(
        &self,
        tx: &Transaction<'_>,
        issuer_name: &str,
        now: u64,
        refresh: bool,
    ) -> ApiResult<Arc<TrustList>> {
        if !refresh {
            let latest: Option<i64> =
                tx.query_row("SELECT MAX(sequence) FROM trust_list_editions", [], |row| {
                    row.get(0)
                })?;
            let cached = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some((sequence, list)) = cached.as_ref()
                && Some(*sequence) == latest
            {
                return Ok(list.clone());
            }
        }
        let (sequence, envelope) = issuer::signed_trust_list(tx, issuer_name, now)?;
        let list = Arc::new(
            SignedTrustList::from_json(&envelope)
                .and_then(|signed| signed.unverified_list())
                .map_err(|_| {
                    ApiError::new(ProblemCode::Internal, "stored trust list unreadable")
                })?,
        );
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((i64::try_from(sequence).unwrap_or(i64::MAX), list.clone()));
        Ok(list)
    }
}

/// A registered operator as a service point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePoint {
    /// The operator's id.
    pub operator_id: String,
    /// Its name.
    pub name: String,
    /// Its kind; `None` for a terminal operator, which resolves nothing.
    pub kind: Option<ServicePointKind>,
    /// The purposes its terminals may resolve.
    pub purposes: Vec<Purpose>,
    /// Where it is, as registered.
    pub location: Option<String>,
    /// The affiliation of the school it belongs to, if any: it resolves
    /// campus codes of that school only.
    pub affiliation: Option<Affiliation>,
}

fn check_text(field: &str, text: &str, longest: usize) -> ApiResult<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > longest || text.chars().any(char::is_control) {
        return Err(ApiError::field(
            field,
            format!("1–{longest} characters without control characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Registers an operator (`POST /admin/operators`): a terminal operator as
/// before, and, with a kind, a service point whose terminals may resolve
/// the purposes given.
pub fn register(
    tx: &Transaction<'_>,
    request: &NewOperator,
    now: u64,
) -> ApiResult<OperatorRegistered> {
    let point = &request.service_point;
    let location = point
        .location
        .as_deref()
        .map(|location| check_text("location", location, MAX_LOCATION_LENGTH))
        .transpose()?;
    let mut purposes: Vec<Purpose> = Vec::new();
    for (index, purpose) in point.purposes.iter().enumerate() {
        let Some(kind) = point.kind else {
            return Err(ApiError::field(
                "kind",
                "a service point that resolves codes names its kind",
            ));
        };
        if !kind.may_resolve(*purpose) {
            return Err(ApiError::field(
                &format!("purposes[{index}]"),
                format!("a {} may not resolve {} codes", kind.name(), purpose.name()),
            ));
        }
        if !purposes.contains(purpose) {
            purposes.push(*purpose);
        }
    }
    if let Some(school_id) = &point.school_id {
        if !matches!(
            point.kind,
            Some(ServicePointKind::School | ServicePointKind::Library)
        ) {
            return Err(ApiError::field(
                "school_id",
                "only a school or library service point belongs to a school",
            ));
        }
        if crate::domain::concessions::school(tx, school_id)?.is_none() {
            return Err(ApiError::field("school_id", "no such school"));
        }
    }
    let registered =
        crate::domain::clearing::register(tx, &request.name, request.outlet_id.as_deref(), now)?;
    if point.kind.is_some() || location.is_some() {
        crate::domain::clearing::set_service_point(
            tx,
            &registered.operator_id,
            point.kind.map(ServicePointKind::name),
            &serde_json::to_string(&purposes)?,
            location.as_deref(),
            point.school_id.as_deref(),
        )?;
    }
    Ok(registered)
}

/// The operator `operator_id` as a service point.
pub fn service_point(tx: &Transaction<'_>, operator_id: &str) -> ApiResult<ServicePoint> {
    type Row = (String, Option<String>, String, Option<String>, Option<u32>);
    let (name, kind, purposes, location, affiliation): Row = tx
        .query_row(
            "SELECT o.name, o.kind, o.purposes, o.location, s.affiliation \
             FROM operators o LEFT JOIN schools s ON s.school_id = o.school_id \
             WHERE o.operator_id = ?1",
            params![operator_id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| ApiError::not_found("operator"))?;
    Ok(ServicePoint {
        operator_id: operator_id.to_owned(),
        name,
        kind: kind.as_deref().map(parse_enum).transpose()?,
        purposes: serde_json::from_str(&purposes)?,
        location,
        affiliation: affiliation.and_then(Affiliation::new),
    })
}

/// The refusal of a service point that may not resolve `purpose`.
fn not_for_this_service_point(purpose: Purpose) -> ApiError {
    if is_resolvable(purpose) {
        ApiError::new(
            ProblemCode::Forbidden,
            format!(
                "this service point is not registered to resolve {} codes",
                purpose.name()
            ),
        )
    } else {
        ApiError::new(
            ProblemCode::Forbidden,
            format!(
                "{} codes are not resolved online: the code says all a terminal may learn",
                purpose.name()
            ),
        )
    }
}

/// Refuses an operator that resolves nothing (a terminal operator).
pub fn ensure_resolves_something(point: &ServicePoint) -> ApiResult<ServicePointKind> {
    match point.kind {
        Some(kind) if !point.purposes.is_empty() => Ok(kind),
        _ => Err(ApiError::new(
            ProblemCode::Forbidden,
            "this operator is not registered to resolve any codes",
        )),
    }
}

/// The seconds left in the minute window that starts at `window_start`.
fn window_left(window_start: u64, now: u64) -> u64 {
    (window_start + 60).saturating_sub(now).max(1)
}

/// Counts one resolution attempt of `terminal_id` against the terminal's
/// and the operator's per-minute budgets. `Ok(Some(seconds))` when either
/// is spent (nothing is counted then): the seconds until it renews.
pub fn count_attempt(
    tx: &Transaction<'_>,
    point: &ServicePoint,
    kind: ServicePointKind,
    terminal_id: &str,
    now: u64,
) -> ApiResult<Option<u64>> {
    let window_start = now - now % 60;
    let subjects = [
        (
            format!("terminal:{}:{terminal_id}", point.operator_id),
            kind.resolutions_per_terminal_minute(),
        ),
        (
            format!("operator:{}", point.operator_id),
            kind.resolutions_per_operator_minute(),
        ),
    ];
    for (subject, budget) in &subjects {
        let used: u32 = tx
            .query_row(
                "SELECT count FROM resolution_counts WHERE subject = ?1 AND window_start = ?2",
                params![subject, window_start],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(0);
        if used >= *budget {
            return Ok(Some(window_left(window_start, now)));
        }
    }
    for (subject, _) in &subjects {
        tx.execute(
            "INSERT INTO resolution_counts (subject, window_start, count) VALUES (?1, ?2, 1) \
             ON CONFLICT(subject) DO UPDATE SET \
             count = CASE WHEN resolution_counts.window_start = excluded.window_start \
             THEN resolution_counts.count + 1 ELSE 1 END, \
             window_start = excluded.window_start",
            params![subject, window_start],
        )?;
    }
    Ok(None)
}

fn code_invalid(detail: impl Into<String>) -> ApiError {
    ApiError::new(ProblemCode::CodeInvalid, detail)
}

/// A verifier's refusal as a problem.
fn refusal(error: &VerifyError) -> ApiError {
    match error {
        VerifyError::Revoked => {
            ApiError::new(ProblemCode::CodeRevoked, "the code's credential is revoked")
        }
        VerifyError::Replayed | VerifyError::Superseded => {
            ApiError::new(ProblemCode::CodeReplayed, "this code was already resolved")
        }
        other => code_invalid(format!("the code does not verify ({})", other.code())),
    }
}

/// How long after a code is made it stays worth remembering: the verifier's
/// code lifetime and clock skew on both sides.
fn remember_until(issued_at: u64, policy: &VerifierPolicy) -> u64 {
    issued_at
        .saturating_add(policy.code_lifetime_seconds)
        .saturating_add(2 * policy.clock_skew_seconds)
}

/// Everything a resolution may disclose, before [`disclose`] keeps what the
/// purpose allows.
struct Facts {
    name: String,
    card_number: String,
    insurance_region: String,
    card_state: CardStatus,
    document_number: String,
    concession: ecard_credential::ConcessionClass,
}

/// The answer for `purpose`: exactly the fields [`disclosed_fields`] names.
fn disclose(
    purpose: Purpose,
    presented_by: HolderRole,
    pseudonym: String,
    facts: Facts,
    record_id: String,
    now: u64,
) -> Resolution {
    let fields = disclosed_fields(purpose);
    let has = |field: DisclosedField| fields.contains(&field);
    Resolution {
        record_id,
        purpose,
        presented_by,
        pseudonym,
        disclosed: fields.to_vec(),
        name: has(DisclosedField::Name).then_some(facts.name),
        card_number: has(DisclosedField::CardNumber).then_some(facts.card_number),
        insurance_region: has(DisclosedField::InsuranceRegion).then_some(facts.insurance_region),
        card_state: has(DisclosedField::CardState).then_some(facts.card_state),
        document_number: has(DisclosedField::DocumentNumber).then_some(facts.document_number),
        concession: has(DisclosedField::Concession).then_some(facts.concession),
        resolved_at: now,
    }
}

/// A scanned code admitted for resolution: parsed, of a purpose the
/// service point may resolve, with the trust list to verify it against.
/// Nothing here needed a signature check yet.
#[derive(Clone)]
pub struct AdmittedCode {
    presentation: Presentation,
    trust_list: Arc<TrustList>,
    policy: VerifierPolicy,
}

/// An admitted code with its signatures checked, outside any transaction.
#[derive(Clone)]
pub struct CheckedCode {
    admitted: AdmittedCode,
    outcome: Result<ecard_credential::VerifiedPresentation, VerifyError>,
}

/// The first step of a resolution, in the request's first transaction:
/// reads the scanned `code` and refuses a purpose `point` may not resolve
/// and another school's campus code, before any cryptography, so a terminal
/// registered for another purpose learns nothing, not even whether the code
/// is genuine.
pub fn admit_code(
    tx: &Transaction<'_>,
    (trust, issuer_name): (&TrustCache, &str),
    point: &ServicePoint,
    code: &str,
    now: u64,
) -> ApiResult<AdmittedCode> {
    if code.chars().count() > MAX_CODE_LENGTH {
        return Err(ApiError::field(
            "code",
            format!("at most {MAX_CODE_LENGTH} characters"),
        ));
    }
    let presentation = Presentation::from_code(code.trim())
        .map_err(|error| code_invalid(format!("not an e-card code ({})", error.code())))?;
    let purpose = presentation.purpose;
    if !is_resolvable(purpose) || !point.purposes.contains(&purpose) {
        return Err(not_for_this_service_point(purpose));
    }
    // A campus code names its school: another school's desk learns nothing.
    let affiliation = presentation.credential.claims.affiliation;
    if affiliation.is_some() && affiliation != point.affiliation {
        return Err(ApiError::new(
            ProblemCode::Forbidden,
            "this code is for another school's campus; nothing is disclosed",
        ));
    }
    // The platform's own trust list; revocation from its own status bits
    // in [`resolve`], so no signed status edition is needed here.
    let mut policy = VerifierPolicy::for_purposes(&Purpose::ALL).best_effort_status();
    policy.credential_cache_capacity = 0;
    policy.device_key_cache_capacity = 0;
    Ok(AdmittedCode {
        presentation,
        trust_list: trust.current(tx, issuer_name, now, false)?,
        policy,
    })
}

impl AdmittedCode {
    /// Checks the issuer's and the device's signatures and the code's
    /// times: the costly step, which needs no database.
    pub fn check(self, now: u64) -> ApiResult<CheckedCode> {
        let outcome = verify_with(&self.trust_list, self.policy, &self.presentation, now)?;
        Ok(CheckedCode {
            admitted: self,
            outcome,
        })
    }
}

fn verify_with(
    trust_list: &TrustList,
    policy: VerifierPolicy,
    presentation: &Presentation,
    now: u64,
) -> ApiResult<Result<ecard_credential::VerifiedPresentation, VerifyError>> {
    Verifier::new(trust_list, policy)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "trust list unusable"))
        .map(|mut verifier| verifier.verify_presentation(presentation, now))
}

/// The last step of a resolution, for `point`'s terminal `terminal_id`:
/// refuses a code that did not verify, a revoked credential and a code
/// resolved before, and answers what the purpose discloses. Every check
/// comes before any write, so a refusal leaves nothing behind but the
/// attempt's count.
pub fn resolve(
    tx: &Transaction<'_>,
    (trust, issuer_name): (&TrustCache, &str),
    point: &ServicePoint,
    terminal_id: &str,
    checked: CheckedCode,
    now: u64,
) -> ApiResult<Resolution> {
    let CheckedCode {
        admitted:
            AdmittedCode {
                presentation,
                policy,
                ..
            },
        mut outcome,
    } = checked;
    let purpose = presentation.purpose;
    if matches!(
        outcome,
        Err(VerifyError::UnknownKeyId(_) | VerifyError::IssuerKeyNotValid)
    ) {
        // A key may have joined since the latest edition was signed.
        let current = trust.current(tx, issuer_name, now, true)?;
        outcome = verify_with(&current, policy, &presentation, now)?;
    }
    let verified = outcome.map_err(|error| refusal(&error))?;

    let claims = &presentation.credential.claims;
    let handle = claims.handle.to_string();
    let credential: Option<(String, bool)> = tx
        .query_row(
            "SELECT c.card_id, c.revoked_at IS NOT NULL OR EXISTS \
                 (SELECT 1 FROM status_bits b WHERE b.list = c.status_list AND b.idx = c.status_index) \
             FROM credentials c WHERE c.handle = ?1 AND c.status_list = ?2 AND c.status_index = ?3",
            params![handle, claims.status.list, claims.status.index],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((card_id, revoked)) = credential else {
        return Err(code_invalid(
            "the code's credential is not one this platform issued",
        ));
    };
    if revoked {
        return Err(refusal(&VerifyError::Revoked));
    }
    let seen = tx
        .query_row(
            "SELECT 1 FROM resolved_codes WHERE handle = ?1 AND counter = ?2",
            params![handle, presentation.counter],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if seen {
        return Err(refusal(&VerifyError::Replayed));
    }

    let (person_id, card_number, insurance_region, card_state): (String, String, String, String) =
        tx.query_row(
            "SELECT person_id, card_number, region, status FROM cards WHERE card_id = ?1",
            params![card_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )?;
    let person = crate::store::rows::person(tx, &person_id)?;
    let facts = Facts {
        name: person.name,
        card_number,
        insurance_region,
        card_state: parse_enum(&card_state)?,
        document_number: person.id_number,
        concession: claims.concession,
    };

    // Writes: the code is spent, the record is kept.
    tx.execute(
        "INSERT INTO resolved_codes (handle, counter, expires_at) VALUES (?1, ?2, ?3)",
        params![
            handle,
            presentation.counter,
            remember_until(verified.issued_at, &policy)
        ],
    )?;
    let pseudonym = pseudonym(tx, Party::Operator(&point.operator_id), &person_id, now)?;
    let record_id = new_id("acr");
    let resolution = disclose(
        purpose,
        verified.on_behalf,
        pseudonym,
        facts,
        record_id.clone(),
        now,
    );
    tx.execute(
        "INSERT INTO access_records \
             (record_id, person_id, card_id, operator_id, terminal_id, purpose, presented_by, disclosed, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            record_id,
            person_id,
            card_id,
            point.operator_id,
            terminal_id,
            purpose.name(),
            verified.on_behalf.name(),
            serde_json::to_string(&resolution.disclosed)?,
            now
        ],
    )?;
    if verified.on_behalf == HolderRole::Holder {
        // A pensioner's own use may certify them (无感认证): settled now,
        // not when someone next reads.
        crate::domain::eligibility::settle_after_use(tx, &person_id, now)?;
    }
    Ok(resolution)
}

const RECORD_SELECT: &str = "SELECT r.seq, r.record_id, r.person_id, o.name, o.kind, o.location, \
     r.terminal_id, r.purpose, r.presented_by, r.disclosed, r.at, \
     p.report_id, p.reason, p.note, p.reported_at, r.operator_id \
     FROM access_records r JOIN operators o ON o.operator_id = r.operator_id \
     LEFT JOIN access_reports p ON p.record_id = r.record_id";

/// A record row: (seq, record, operator id).
fn record_from_row(
    row: &crate::store::sql::Row<'_>,
) -> crate::store::sql::Result<(u64, AccessRecord, String)> {
    let record_id: String = row.get(1)?;
    let report_id: Option<String> = row.get(11)?;
    let report = match report_id {
        None => None,
        Some(report_id) => Some(AccessReport {
            report_id,
            record_id: record_id.clone(),
            reason: parse_enum(&row.get::<_, String>(12)?)?,
            note: row.get(13)?,
            reported_at: row.get(14)?,
        }),
    };
    let disclosed: String = row.get(9)?;
    let kind: Option<String> = row.get(4)?;
    Ok((
        row.get(0)?,
        AccessRecord {
            record_id,
            person_id: row.get(2)?,
            operator_name: row.get(3)?,
            operator_kind: parse_enum(kind.as_deref().unwrap_or_default())?,
            location: row.get(5)?,
            terminal_id: row.get(6)?,
            purpose: parse_enum(&row.get::<_, String>(7)?)?,
            presented_by: parse_enum(&row.get::<_, String>(8)?)?,
            disclosed: serde_json::from_str(&disclosed)
                .map_err(|error| crate::store::sql::Error::conversion(9, Box::new(error)))?,
            at: row.get(10)?,
            report,
        },
        row.get(15)?,
    ))
}

/// The access records of `person_id`, newest first: at most `limit`, older
/// than the record numbered `before` when given.
pub fn records(
    tx: &Transaction<'_>,
    person_id: &str,
    before: Option<u64>,
    limit: u32,
) -> ApiResult<AccessRecordPage> {
    let before = before.map_or(i64::MAX, |before| i64::try_from(before).unwrap_or(i64::MAX));
    let mut statement = tx.prepare(&format!(
        "{RECORD_SELECT} WHERE r.person_id = ?1 AND r.seq < ?2 ORDER BY r.seq DESC LIMIT ?3"
    ))?;
    let mut rows = statement
        .query_map(
            params![person_id, before, i64::from(limit) + 1],
            record_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_before = if more {
        rows.last().map(|(seq, _, _)| *seq)
    } else {
        None
    };
    Ok(AccessRecordPage {
        records: rows.into_iter().map(|(_, record, _)| record).collect(),
        next_before,
    })
}

/// The record `record_id`, if it exists.
pub fn record(tx: &Transaction<'_>, record_id: &str) -> ApiResult<Option<AccessRecord>> {
    Ok(tx
        .query_row(
            &format!("{RECORD_SELECT} WHERE r.record_id = ?1"),
            params![record_id],
            record_from_row,
        )
        .optional()?
        .map(|(_, record, _)| record))
}

/// Records `account_id`'s report of `record_id` (one per record: the same
/// report again answers the first; a different one is refused).
pub fn report(
    tx: &Transaction<'_>,
    record_id: &str,
    account_id: &str,
    request: &AccessReportRequest,
    now: u64,
) -> ApiResult<AccessReport> {
    let note = request
        .note
        .as_deref()
        .map(|note| check_text("note", note, MAX_REPORT_NOTE_LENGTH))
        .transpose()?;
    if let Some(existing) = record(tx, record_id)?.and_then(|record| record.report) {
        if existing.reason == request.reason && existing.note == note {
            return Ok(existing);
        }
        return Err(ApiError::state("this record was already reported"));
    }
    let report = AccessReport {
        report_id: new_id("arp"),
        record_id: record_id.to_owned(),
        reason: request.reason,
        note,
        reported_at: now,
    };
    tx.execute(
        "INSERT INTO access_reports (report_id, record_id, account_id, reason, note, reported_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            report.report_id,
            report.record_id,
            account_id,
            enum_name(&report.reason),
            report.note,
            now
        ],
    )?;
    Ok(report)
}

/// Every report, newest first, with its record (`GET /admin/access-reports`).
pub fn reports(tx: &Transaction<'_>) -> ApiResult<Vec<ReportedAccess>> {
    let mut statement = tx.prepare(&format!(
        "{RECORD_SELECT} WHERE p.report_id IS NOT NULL ORDER BY p.reported_at DESC, r.seq DESC LIMIT 1000"
    ))?;
    let rows = statement
        .query_map([], record_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(_, mut record, operator_id)| {
            let report = record
                .report
                .take()
                .ok_or_else(|| ApiError::new(ProblemCode::Internal, "a report went missing"))?;
            Ok(ReportedAccess {
                report,
                record,
                operator_id,
            })
        })
        .collect()
}

/// Forgets resolved codes that could no longer pass the time check (run by
/// the clock tick): a replay of one is refused as expired before the
/// replay check.
pub fn prune(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM resolved_codes WHERE expires_at < ?1",
        params![now],
    )?;
    Ok(())
}

/// Deletes the access records of `person_id` and their reports (the
/// person's account is deleted).
pub fn forget_person(tx: &Transaction<'_>, person_id: &str) -> ApiResult<()> {
    tx.execute(
        "DELETE FROM access_reports WHERE record_id IN \
         (SELECT record_id FROM access_records WHERE person_id = ?1)",
        params![person_id],
    )?;
    tx.execute(
        "DELETE FROM access_records WHERE person_id = ?1",
        params![person_id],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use ecard_api::service_points::ServicePointRegistration;
    use ecard_credential::ConcessionClass;

    use super::*;

    /// Resolves the scanned `code` for `point`'s terminal `terminal_id` in one
    /// go: [`admit_code`], [`AdmittedCode::check`], [`resolve`].
    fn resolve_code(
        tx: &Transaction<'_>,
        trust: (&TrustCache, &str),
        point: &ServicePoint,
        terminal_id: &str,
        code: &str,
        now: u64,
    ) -> ApiResult<Resolution> {
        let checked = admit_code(tx, trust, point, code, now)?.check(now)?;
        resolve(tx, trust, point, terminal_id, checked, now)
    }

    fn new_operator(kind: Option<ServicePointKind>, purposes: Vec<Purpose>) -> NewOperator {
        NewOperator {
            name: "南昌大学第一附属医院".into(),
            outlet_id: None,
            service_point: ServicePointRegistration {
                kind,
                purposes,
                location: Some("  门诊楼一层  ".into()),
                school_id: None,
            },
        }
    }

    #[test]
    fn registration_keeps_purposes_to_the_kind_and_a_plain_operator_resolves_nothing() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let hospital = register(
            &tx,
            &new_operator(
                Some(ServicePointKind::Hospital),
                vec![Purpose::Medical, Purpose::Medical],
            ),
            1,
        )
        .unwrap();
        let point = service_point(&tx, &hospital.operator_id).unwrap();
        assert_eq!(point.kind, Some(ServicePointKind::Hospital));
        assert_eq!(point.purposes, vec![Purpose::Medical]);
        assert_eq!(point.location.as_deref(), Some("门诊楼一层"));
        assert_eq!(
            ensure_resolves_something(&point).unwrap(),
            ServicePointKind::Hospital
        );

        for (kind, purposes, field) in [
            (
                Some(ServicePointKind::Hospital),
                vec![Purpose::Identity],
                "purposes[0]",
            ),
            (
                Some(ServicePointKind::Hotel),
                vec![Purpose::Identity, Purpose::Medical],
                "purposes[1]",
            ),
            (
                Some(ServicePointKind::Transit),
                vec![Purpose::Transport],
                "purposes[0]",
            ),
            (None, vec![Purpose::Medical], "kind"),
        ] {
            let error = register(&tx, &new_operator(kind, purposes), 1).unwrap_err();
            assert_eq!(error.code(), ProblemCode::InvalidField);
            assert_eq!(error.0.field.as_deref(), Some(field));
        }

        let metro = crate::domain::clearing::register(&tx, "南昌地铁", None, 1).unwrap();
        let point = service_point(&tx, &metro.operator_id).unwrap();
        assert_eq!(point.kind, None);
        assert!(point.purposes.is_empty());
        assert_eq!(
            ensure_resolves_something(&point).unwrap_err().code(),
            ProblemCode::Forbidden
        );
    }

    #[test]
    fn budgets_hold_per_terminal_and_per_operator_and_renew_each_minute() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let hotel = register(
            &tx,
            &new_operator(Some(ServicePointKind::Hotel), vec![Purpose::Identity]),
            1,
        )
        .unwrap();
        let point = service_point(&tx, &hotel.operator_id).unwrap();
        let kind = ServicePointKind::Hotel;
        // A whole minute of the platform clock.
        let minute = 1_800_000_000;
        assert_eq!(minute % 60, 0);
        let budget = kind.resolutions_per_terminal_minute();
        for _ in 0..budget {
            assert_eq!(
                count_attempt(&tx, &point, kind, "desk-1", minute + 10).unwrap(),
                None
            );
        }
        assert_eq!(
            count_attempt(&tx, &point, kind, "desk-1", minute + 10).unwrap(),
            Some(50),
            "refused until the minute ends"
        );
        assert_eq!(
            count_attempt(&tx, &point, kind, "desk-2", minute + 10).unwrap(),
            None,
            "another terminal has its own budget"
        );
        assert_eq!(
            count_attempt(&tx, &point, kind, "desk-1", minute + 60).unwrap(),
            None,
            "a new minute"
        );

        // The operator's cap over all its terminals.
        let cap = kind.resolutions_per_operator_minute();
        let next = minute + 120;
        let mut refused_at = None;
        for attempt in 0..=cap {
            let terminal = format!("t{}", attempt / budget);
            if count_attempt(&tx, &point, kind, &terminal, next)
                .unwrap()
                .is_some()
            {
                refused_at = Some(attempt);
                break;
            }
        }
        assert_eq!(refused_at, Some(cap));
    }

    #[test]
    fn each_purpose_discloses_exactly_its_fields() {
        let facts = || Facts {
            name: "王秀英".into(),
            card_number: "36010219500315202X".into(),
            insurance_region: "360100".into(),
            card_state: CardStatus::Active,
            document_number: "36010219500315202X".into(),
            concession: ConcessionClass::SeniorFree,
        };
        let medical = disclose(
            Purpose::Medical,
            HolderRole::Proxy,
            "p".into(),
            facts(),
            "acr-1".into(),
            7,
        );
        assert_eq!(medical.name.as_deref(), Some("王秀英"));
        assert_eq!(medical.card_number.as_deref(), Some("36010219500315202X"));
        assert_eq!(medical.insurance_region.as_deref(), Some("360100"));
        assert_eq!(medical.card_state, Some(CardStatus::Active));
        assert_eq!(medical.document_number, None);
        assert_eq!(medical.concession, None);
        assert_eq!(medical.presented_by, HolderRole::Proxy);

        let identity = disclose(
            Purpose::Identity,
            HolderRole::Holder,
            "p".into(),
            facts(),
            "acr-2".into(),
            7,
        );
        assert_eq!(identity.name.as_deref(), Some("王秀英"));
        assert_eq!(
            identity.document_number.as_deref(),
            Some("36010219500315202X")
        );
        assert_eq!(identity.card_number, None);
        assert_eq!(identity.insurance_region, None);
        assert_eq!(identity.card_state, None);
        assert_eq!(identity.disclosed, disclosed_fields(Purpose::Identity));
    }

    #[test]
    fn a_garbled_or_oversized_code_is_refused_before_any_write() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let hospital = register(
            &tx,
            &new_operator(Some(ServicePointKind::Hospital), vec![Purpose::Medical]),
            1,
        )
        .unwrap();
        let point = service_point(&tx, &hospital.operator_id).unwrap();
        for (code, problem) in [
            ("hello", ProblemCode::CodeInvalid),
            ("", ProblemCode::CodeInvalid),
        ] {
            assert_eq!(
                resolve_code(
                    &tx,
                    (&TrustCache::default(), "issuer"),
                    &point,
                    "desk-1",
                    code,
                    1
                )
                .unwrap_err()
                .code(),
                problem
            );
        }
        let long = "A".repeat(MAX_CODE_LENGTH + 1);
        assert_eq!(
            resolve_code(
                &tx,
                (&TrustCache::default(), "issuer"),
                &point,
                "desk-1",
                &long,
                1
            )
            .unwrap_err()
            .code(),
            ProblemCode::InvalidField
        );
        let records: i64 = tx
            .query_row("SELECT COUNT(*) FROM access_records", [], |row| row.get(0))
            .unwrap();
        assert_eq!(records, 0);
    }
}
