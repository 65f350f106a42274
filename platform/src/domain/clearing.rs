//! Clearing of accepted codes between the terminals of one operator.
//!
//! Each terminal knows only its own scans, so a code refused as a replay at
//! one gate would pass at the next gate of the line. Terminals report what
//! they accepted (`Verifier::take_acceptances`); the platform keeps the
//! reports of each operator for [`RETENTION_SECONDS`] and answers with the
//! accepts of the operator's other terminals that could still pass the time
//! check (for `note_accepted_elsewhere`) and with the codes accepted more
//! than once (the clearing report).
//!
//! Operators are registered by the platform's admin and get a random bearer
//! token, shown once and kept only as its SHA-256 (like PIN grants): the
//! token has 256 random bits, so a hash without salt or stretching is
//! enough, and a lookup by hash compares no secret byte by byte.
//!
//! This module owns the `operators` and `operator_acceptances` tables (the
//! service-point columns of `operators` are written here for
//! `domain::service_points`).

use std::collections::BTreeSet;

use crate::store::sql::{OptionalExtension, Transaction, params};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ecard_api::clearing::{
    AcceptanceReport, ClearingAnswer, Duplicate, DuplicateAccept, MAX_ACCEPTANCES_PER_REPORT,
    MAX_ANSWER_ENTRIES, MAX_OPERATOR_NAME_LENGTH, OperatorRegistered, RETENTION_SECONDS,
    SHARE_WINDOW_SECONDS, terminal_id_is_well_formed,
};
use ecard_api::problem::ProblemCode;
use ecard_credential::{Acceptance, Handle, Purpose};
use ring::digest::{SHA256, digest};

use crate::error::{ApiError, ApiResult};
use crate::store::codec::hex;
use crate::store::db::new_id;

/// An operator authenticated by its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    /// The operator's id.
    pub operator_id: String,
    /// The outlet whose counter staff it is, if it is one.
    pub outlet_id: Option<String>,
}

/// The largest time an acceptance may carry: codes carry 32-bit times.
const LATEST_TIME: u64 = u32::MAX as u64;

fn token_hash(token: &str) -> String {
    hex(digest(&SHA256, token.as_bytes()).as_ref())
}

/// Registers an operator named `name`; returns its id and its token, which
/// is not kept.
pub fn register(
    tx: &Transaction<'_>,
    name: &str,
    outlet_id: Option<&str>,
    now: u64,
) -> ApiResult<OperatorRegistered> {
    if let Some(outlet) = outlet_id
        && !crate::domain::feeds::outlet_exists(tx, outlet)?
    {
        return Err(ApiError::field("outlet_id", "no such outlet"));
    }
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_OPERATOR_NAME_LENGTH
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::field(
            "name",
            format!("1–{MAX_OPERATOR_NAME_LENGTH} characters without control characters"),
        ));
    }
    let mut secret = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut secret)
        .map_err(|_| ApiError::new(ProblemCode::Internal, "no randomness"))?;
    let token = format!("op_{}", URL_SAFE_NO_PAD.encode(secret));
    let operator_id = new_id("op");
    tx.execute(
        "INSERT INTO operators (operator_id, name, token_hash, created_at, outlet_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![operator_id, name, token_hash(&token), now, outlet_id],
    )?;
    Ok(OperatorRegistered { operator_id, token })
}

/// Makes `operator_id` a service point: its kind, the purposes (JSON
/// array of names) its terminals may resolve and its location text, all
/// checked by `domain::service_points`, which reads them.
pub fn set_service_point(
    tx: &Transaction<'_>,
    operator_id: &str,
    kind: Option<&str>,
    purposes: &str,
    location: Option<&str>,
    school_id: Option<&str>,
) -> ApiResult<()> {
    tx.execute(
        "UPDATE operators SET kind = ?2, purposes = ?3, location = ?4, school_id = ?5 WHERE operator_id = ?1",
        params![operator_id, kind, purposes, location, school_id],
    )?;
    Ok(())
}

/// The operator whose token is `token`, if any.
pub fn operator_for_token(tx: &Transaction<'_>, token: &str) -> ApiResult<Option<Operator>> {
    Ok(tx
        .query_row(
            "SELECT operator_id, outlet_id FROM operators WHERE token_hash = ?1",
            params![token_hash(token)],
            |row| {
                Ok(Operator {
                    operator_id: row.get(0)?,
                    outlet_id: row.get(1)?,
                })
            },
        )
        .optional()?)
}

/// Forgets acceptances reported more than [`RETENTION_SECONDS`] ago.
pub fn prune(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    let Some(before) = now.checked_sub(RETENTION_SECONDS) else {
        return Ok(());
    };
    tx.execute(
        "DELETE FROM operator_acceptances WHERE reported_at < ?1",
        params![before],
    )?;
    Ok(())
}

fn check(report: &AcceptanceReport) -> ApiResult<()> {
    if !terminal_id_is_well_formed(&report.terminal_id) {
        return Err(ApiError::field(
            "terminal_id",
            "1–64 characters of A-Z a-z 0-9 . _ -",
        ));
    }
    if report.acceptances.len() > MAX_ACCEPTANCES_PER_REPORT {
        return Err(ApiError::field(
            "acceptances",
            format!("at most {MAX_ACCEPTANCES_PER_REPORT} acceptances per report"),
        ));
    }
    for (index, acceptance) in report.acceptances.iter().enumerate() {
        if acceptance.issued_at > LATEST_TIME {
            return Err(ApiError::field(
                &format!("acceptances[{index}].issued_at"),
                "a time before 2106 (codes carry 32-bit times)",
            ));
        }
        if acceptance.accepted_at > LATEST_TIME {
            return Err(ApiError::field(
                &format!("acceptances[{index}].accepted_at"),
                "a time before 2106 (codes carry 32-bit times)",
            ));
        }
    }
    Ok(())
}

/// Stores `report` of `operator`'s terminal (the same acceptance twice is
/// one row) and answers with the accepts of the operator's other terminals
/// after the report's cursor and the codes accepted more than once.
pub fn report(
    tx: &Transaction<'_>,
    operator: &Operator,
    report: &AcceptanceReport,
    now: u64,
) -> ApiResult<ClearingAnswer> {
    check(report)?;
    let operator_id = operator.operator_id.as_str();
    let mut last_seq: i64 = tx.query_row(
        "SELECT last_seq FROM operators WHERE operator_id = ?1",
        params![operator_id],
        |row| row.get(0),
    )?;
    let mut codes = Vec::new();
    for acceptance in &report.acceptances {
        let handle = acceptance.handle.to_string();
        let code = (handle.clone(), acceptance.counter);
        if !codes.contains(&code) {
            codes.push(code);
        }
        let known = tx
            .query_row(
                "SELECT 1 FROM operator_acceptances
                 WHERE operator_id = ?1 AND terminal_id = ?2 AND handle = ?3 AND counter = ?4",
                params![operator_id, report.terminal_id, handle, acceptance.counter],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if known {
            continue;
        }
        last_seq += 1;
        tx.execute(
            "INSERT INTO operator_acceptances
                 (operator_id, seq, terminal_id, handle, counter, purpose, issued_at, accepted_at, reported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                operator_id,
                last_seq,
                report.terminal_id,
                handle,
                acceptance.counter,
                acceptance.purpose.name(),
                acceptance.issued_at,
                acceptance.accepted_at,
                now,
            ],
        )?;
    }
    tx.execute(
        "UPDATE operators SET last_seq = ?2 WHERE operator_id = ?1",
        params![operator_id, last_seq],
    )?;

    let after = i64::try_from(report.after.unwrap_or(0)).unwrap_or(i64::MAX);
    let limit = i64::try_from(MAX_ANSWER_ENTRIES + 1).unwrap_or(i64::MAX);
    let mut cursor = last_seq;

    // Accepts of the other terminals whose codes could still pass.
    let shared_from = now.saturating_sub(SHARE_WINDOW_SECONDS);
    let mut statement = tx.prepare(
        "SELECT seq, handle, counter, purpose, issued_at, accepted_at FROM operator_acceptances
         WHERE operator_id = ?1 AND seq > ?2 AND terminal_id <> ?3 AND issued_at >= ?4
         ORDER BY seq LIMIT ?5",
    )?;
    let mut recent = statement
        .query_map(
            params![operator_id, after, report.terminal_id, shared_from, limit],
            |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    Acceptance {
                        handle: parse_handle(&row.get::<_, String>(1)?)?,
                        counter: row.get(2)?,
                        purpose: parse_purpose(&row.get::<_, String>(3)?)?,
                        issued_at: row.get(4)?,
                        accepted_at: row.get(5)?,
                    },
                ))
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    if recent.len() > MAX_ANSWER_ENTRIES {
        recent.truncate(MAX_ANSWER_ENTRIES);
        if let Some((seq, _)) = recent.last() {
            cursor = cursor.min(*seq);
        }
    }

    // Codes accepted more than once: this report's, then those reported
    // after the cursor, oldest first.
    let mut duplicate_codes: Vec<(String, u32)> = Vec::new();
    for code in codes {
        if accept_count(tx, operator_id, &code)? >= 2 {
            duplicate_codes.push(code);
        }
    }
    let mut statement = tx.prepare(
        "SELECT w.handle, w.counter, MIN(w.seq) AS first FROM operator_acceptances w
         WHERE w.operator_id = ?1 AND w.seq > ?2
         GROUP BY w.handle, w.counter
         HAVING (SELECT COUNT(*) FROM operator_acceptances a
                 WHERE a.operator_id = ?1 AND a.handle = w.handle AND a.counter = w.counter) >= 2
         ORDER BY first LIMIT ?3",
    )?;
    let since_cursor = statement
        .query_map(params![operator_id, after, limit], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, u32>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let already: BTreeSet<(String, u32)> = duplicate_codes.iter().cloned().collect();
    for (handle, counter, first) in since_cursor {
        if already.contains(&(handle.clone(), counter)) {
            continue;
        }
        if duplicate_codes.len() == MAX_ANSWER_ENTRIES {
            // The rest comes with the next report.
            cursor = cursor.min(first - 1);
            break;
        }
        duplicate_codes.push((handle, counter));
    }
    let duplicates = duplicate_codes
        .iter()
        .map(|code| duplicate(tx, operator_id, code))
        .collect::<ApiResult<Vec<_>>>()?;

    Ok(ClearingAnswer {
        duplicates,
        recent: recent
            .into_iter()
            .map(|(_, acceptance)| acceptance)
            .collect(),
        cursor: u64::try_from(cursor.max(0)).unwrap_or(0),
    })
}

fn accept_count(tx: &Transaction<'_>, operator_id: &str, code: &(String, u32)) -> ApiResult<i64> {
    Ok(tx.query_row(
        "SELECT COUNT(*) FROM operator_acceptances
         WHERE operator_id = ?1 AND handle = ?2 AND counter = ?3",
        params![operator_id, code.0, code.1],
        |row| row.get(0),
    )?)
}

fn duplicate(
    tx: &Transaction<'_>,
    operator_id: &str,
    code: &(String, u32),
) -> ApiResult<Duplicate> {
    let mut statement = tx.prepare(
        "SELECT terminal_id, purpose, issued_at, accepted_at, reported_at FROM operator_acceptances
         WHERE operator_id = ?1 AND handle = ?2 AND counter = ?3 ORDER BY seq",
    )?;
    let rows = statement
        .query_map(params![operator_id, code.0, code.1], |row| {
            Ok((
                parse_purpose(&row.get::<_, String>(1)?)?,
                row.get::<_, u64>(2)?,
                DuplicateAccept {
                    terminal_id: row.get(0)?,
                    accepted_at: row.get(3)?,
                    reported_at: row.get(4)?,
                },
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let (purpose, issued_at) = rows
        .first()
        .map(|(purpose, issued_at, _)| (*purpose, *issued_at))
        .ok_or_else(|| ApiError::new(ProblemCode::Internal, "a duplicate without accepts"))?;
    Ok(Duplicate {
        handle: parse_handle(&code.0).map_err(ApiError::from)?,
        counter: code.1,
        purpose,
        issued_at,
        accepts: rows.into_iter().map(|(_, _, accept)| accept).collect(),
    })
}

fn conversion(error: impl std::error::Error + Send + Sync + 'static) -> crate::store::sql::Error {
    crate::store::sql::Error::conversion(0, error)
}

fn parse_handle(text: &str) -> crate::store::sql::Result<Handle> {
    text.parse().map_err(conversion)
}

fn parse_purpose(text: &str) -> crate::store::sql::Result<Purpose> {
    crate::store::codec::parse_enum(text)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn acceptance(counter: u32, issued_at: u64) -> Acceptance {
        Acceptance {
            handle: Handle([7; 8]),
            counter,
            purpose: Purpose::Transport,
            issued_at,
            accepted_at: issued_at + 1,
        }
    }

    fn report_of(
        terminal_id: &str,
        after: Option<u64>,
        acceptances: Vec<Acceptance>,
    ) -> AcceptanceReport {
        AcceptanceReport {
            terminal_id: terminal_id.to_owned(),
            after,
            acceptances,
        }
    }

    #[test]
    fn a_full_answer_stops_its_cursor_so_nothing_is_skipped() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let now = 1_800_000_000;
        let registered = register(&tx, "metro", None, now).unwrap();
        let operator = operator_for_token(&tx, &registered.token).unwrap().unwrap();
        assert_eq!(operator.operator_id, registered.operator_id);
        assert!(operator_for_token(&tx, "op_wrong").unwrap().is_none());

        let first: Vec<_> = (0..1_000).map(|counter| acceptance(counter, now)).collect();
        let second: Vec<_> = (1_000..1_500)
            .map(|counter| acceptance(counter, now))
            .collect();
        report(&tx, &operator, &report_of("a", None, first), now).unwrap();
        let answer = report(&tx, &operator, &report_of("a", Some(1_000), second), now).unwrap();
        assert_eq!(answer.cursor, 1_500);

        // Gate B catches up in two answers: the first stops at 1,000.
        let caught_up = report(&tx, &operator, &report_of("b", None, vec![]), now).unwrap();
        assert_eq!(caught_up.recent.len(), MAX_ANSWER_ENTRIES);
        assert_eq!(caught_up.cursor, 1_000);
        let rest = report(
            &tx,
            &operator,
            &report_of("b", Some(caught_up.cursor), vec![]),
            now,
        )
        .unwrap();
        assert_eq!(rest.recent.len(), 500);
        assert_eq!(rest.recent[0].counter, 1_000);
        assert_eq!(rest.cursor, 1_500);

        // 1,500 codes accepted at A and at B: duplicates come 1,000 at a time.
        let again: Vec<_> = (0..1_000).map(|counter| acceptance(counter, now)).collect();
        let answer = report(&tx, &operator, &report_of("b", Some(1_500), again), now).unwrap();
        assert_eq!(answer.duplicates.len(), MAX_ANSWER_ENTRIES);
        let again: Vec<_> = (1_000..1_500)
            .map(|counter| acceptance(counter, now))
            .collect();
        let answer = report(
            &tx,
            &operator,
            &report_of("b", Some(answer.cursor), again),
            now,
        )
        .unwrap();
        assert_eq!(answer.duplicates.len(), 500);
        assert_eq!(answer.cursor, 3_000);
        // A, from its old cursor, is told of the duplicates in two answers;
        // the first stops before the first code it could not hold.
        let told = report(&tx, &operator, &report_of("a", Some(1_500), vec![]), now).unwrap();
        assert_eq!(told.duplicates.len(), MAX_ANSWER_ENTRIES);
        assert_eq!(told.cursor, 2_500);
        let told = report(
            &tx,
            &operator,
            &report_of("a", Some(told.cursor), vec![]),
            now,
        )
        .unwrap();
        assert_eq!(told.duplicates.len(), 500);
        assert_eq!(told.duplicates[0].counter, 1_000);
        assert_eq!(told.cursor, 3_000);
    }

    #[test]
    fn acceptances_are_forgotten_seven_days_after_their_report() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let now = 1_800_000_000;
        let registered = register(&tx, "metro", None, now).unwrap();
        let operator = operator_for_token(&tx, &registered.token).unwrap().unwrap();
        report(
            &tx,
            &operator,
            &report_of("a", None, vec![acceptance(1, now)]),
            now,
        )
        .unwrap();
        report(
            &tx,
            &operator,
            &report_of("b", None, vec![acceptance(1, now)]),
            now,
        )
        .unwrap();
        prune(&tx, now + RETENTION_SECONDS).unwrap();
        let kept = report(
            &tx,
            &operator,
            &report_of("c", None, vec![]),
            now + RETENTION_SECONDS,
        )
        .unwrap();
        assert_eq!(kept.duplicates.len(), 1);
        prune(&tx, now + RETENTION_SECONDS + 1).unwrap();
        let gone = report(
            &tx,
            &operator,
            &report_of("c", None, vec![]),
            now + RETENTION_SECONDS + 1,
        )
        .unwrap();
        assert!(gone.duplicates.is_empty());
        // The cursor keeps counting: a terminal's cursor stays valid.
        assert_eq!(gone.cursor, 2);
    }

    #[test]
    fn names_are_bounded() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        for name in ["", "   ", "a\u{0}b", &"名".repeat(101)] {
            assert_eq!(
                register(&tx, name, None, 0).unwrap_err().code(),
                ProblemCode::InvalidField
            );
        }
        let registered = register(&tx, &"名".repeat(100), None, 0).unwrap();
        assert!(registered.token.starts_with("op_"));
        assert_eq!(registered.token.len(), 46);
    }
}
