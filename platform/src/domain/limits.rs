//! Rate limits on identity attempts, with growing lockouts.
//!
//! Every attempt to prove an identity (a face result, a one-time code, a
//! PIN) counts against the subjects it names: the document number, the
//! device key, the source address and, for the PIN, the account. After
//! `threshold` failures a subject is locked for a period that doubles with
//! each lockout, up to a cap; starting enrolments counts against the source
//! address too, so the register cannot be probed or the SMS gateway flooded.
//! Counters live in the database, so they hold across restarts and across
//! platform instances.
//!
//! Failures are recorded in the request's transaction and the failing
//! request still commits (see `Reply::problem`): a refused attempt is never
//! rolled back out of the count.

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::problem::ProblemCode;

use crate::error::{ApiError, ApiResult};

/// A kind of limited subject.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// Stored name.
    pub kind: &'static str,
    /// Failures that lock.
    pub threshold: u32,
    /// First lockout, seconds; each further lockout doubles it.
    pub lock_seconds: u64,
    /// Longest lockout, seconds.
    pub max_lock_seconds: u64,
    /// Failures older than this are forgotten, seconds.
    pub window_seconds: u64,
}

/// Failed identity proofs per document number.
pub const IDENTITY: Limit = Limit {
    kind: "identity",
    threshold: 5,
    lock_seconds: 15 * 60,
    max_lock_seconds: 24 * 3_600,
    window_seconds: 24 * 3_600,
};

/// Failed identity proofs per device key.
pub const DEVICE_KEY: Limit = Limit {
    kind: "device_key",
    threshold: 5,
    lock_seconds: 15 * 60,
    max_lock_seconds: 24 * 3_600,
    window_seconds: 24 * 3_600,
};

/// Failed identity proofs per source address.
pub const SOURCE: Limit = Limit {
    kind: "source",
    threshold: 20,
    lock_seconds: 15 * 60,
    max_lock_seconds: 24 * 3_600,
    window_seconds: 3_600,
};

/// Enrolments started per source address (carrier NAT puts many residents
/// behind one address, so this is a flood guard, not a per-person limit).
pub const STARTS: Limit = Limit {
    kind: "starts",
    threshold: 100,
    lock_seconds: 3_600,
    max_lock_seconds: 24 * 3_600,
    window_seconds: 3_600,
};

/// Identities named in vain by one account (mandate requests with a wrong
/// name or evidence).
pub const PROBES: Limit = Limit {
    kind: "probes",
    threshold: 10,
    lock_seconds: 3_600,
    max_lock_seconds: 7 * 24 * 3_600,
    window_seconds: 24 * 3_600,
};

/// The PIN limit of a region's rules.
pub fn pin(tries: u32, lock_minutes: u32) -> Limit {
    Limit {
        kind: "pin",
        threshold: tries.max(1),
        lock_seconds: u64::from(lock_minutes.max(1)) * 60,
        max_lock_seconds: u64::from(lock_minutes.max(1)) * 60,
        window_seconds: 24 * 3_600,
    }
}

/// The refusal of a locked subject.
pub fn locked(retry_after: u64) -> ApiError {
    ApiError::new(
        ProblemCode::RateLimited,
        format!("too many attempts; try again in {retry_after} seconds"),
    )
}

/// Seconds until `subject` may try again, if it is locked now.
pub fn locked_for(
    tx: &Transaction<'_>,
    limit: Limit,
    subject: &str,
    now: u64,
) -> ApiResult<Option<u64>> {
    let until: Option<i64> = tx
        .query_row(
            "SELECT locked_until FROM attempt_limits WHERE kind = ?1 AND subject = ?2",
            params![limit.kind, subject],
            |row| row.get(0),
        )
        .optional()?;
    Ok(until
        .map(|until| until.max(0) as u64)
        .filter(|until| *until > now)
        .map(|until| until - now))
}

/// Refuses if any of `subjects` is locked.
pub fn check(tx: &Transaction<'_>, subjects: &[(Limit, &str)], now: u64) -> ApiResult<()> {
    for (limit, subject) in subjects {
        if let Some(retry_after) = locked_for(tx, *limit, subject, now)? {
            return Err(locked(retry_after));
        }
    }
    Ok(())
}

/// Records a failure; returns whether it locked the subject.
pub fn fail(tx: &Transaction<'_>, limit: Limit, subject: &str, now: u64) -> ApiResult<bool> {
    let row: Option<(u32, u32, i64)> = tx
        .query_row(
            "SELECT failures, lockouts, window_start FROM attempt_limits WHERE kind = ?1 AND subject = ?2",
            params![limit.kind, subject],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let (mut failures, mut lockouts, mut window_start) = row.unwrap_or((0, 0, now as i64));
    if now.saturating_sub(window_start.max(0) as u64) > limit.window_seconds {
        failures = 0;
        window_start = now as i64;
    }
    failures += 1;
    let mut locked_until = 0i64;
    let locks = failures >= limit.threshold;
    if locks {
        let period = limit
            .lock_seconds
            .saturating_mul(1u64 << lockouts.min(16))
            .min(limit.max_lock_seconds);
        locked_until = now.saturating_add(period) as i64;
        lockouts += 1;
        failures = 0;
        window_start = now as i64;
    }
    tx.execute(
        "INSERT INTO attempt_limits (kind, subject, failures, lockouts, locked_until, window_start) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(kind, subject) DO UPDATE SET \
         failures = excluded.failures, lockouts = excluded.lockouts, \
         locked_until = CASE WHEN attempt_limits.locked_until > excluded.locked_until \
         THEN attempt_limits.locked_until ELSE excluded.locked_until END, window_start = excluded.window_start",
        params![limit.kind, subject, failures, lockouts, locked_until, window_start],
    )?;
    Ok(locks)
}

/// Forgets the failures of a subject that proved itself.
pub fn succeed(tx: &Transaction<'_>, limit: Limit, subject: &str) -> ApiResult<()> {
    tx.execute(
        "UPDATE attempt_limits SET failures = 0 WHERE kind = ?1 AND subject = ?2",
        params![limit.kind, subject],
    )?;
    Ok(())
}

/// Failures left before `subject` locks.
pub fn tries_left(tx: &Transaction<'_>, limit: Limit, subject: &str) -> ApiResult<u32> {
    let failures: Option<u32> = tx
        .query_row(
            "SELECT failures FROM attempt_limits WHERE kind = ?1 AND subject = ?2",
            params![limit.kind, subject],
            |row| row.get(0),
        )
        .optional()?;
    Ok(limit.threshold.saturating_sub(failures.unwrap_or(0)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn lockouts_start_at_the_threshold_and_grow() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        let mut now = 1_000_000;
        let mut periods = Vec::new();
        for _ in 0..3 {
            for attempt in 1..=IDENTITY.threshold {
                check(&tx, &[(IDENTITY, "x")], now).unwrap();
                assert_eq!(
                    fail(&tx, IDENTITY, "x", now).unwrap(),
                    attempt == IDENTITY.threshold
                );
            }
            let period = locked_for(&tx, IDENTITY, "x", now).unwrap().unwrap();
            assert!(check(&tx, &[(IDENTITY, "x")], now + period - 1).is_err());
            periods.push(period);
            now += period;
            check(&tx, &[(IDENTITY, "x")], now).unwrap();
        }
        assert_eq!(periods, [900, 1_800, 3_600]);
        assert!(check(&tx, &[(IDENTITY, "other")], now).is_ok());
    }
}
