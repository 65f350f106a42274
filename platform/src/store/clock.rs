//! The platform clock: the system clock plus an offset that tests and demos
//! advance (`POST /admin/clock/advance`) to move production, delivery and
//! loss-report lapses along without waiting days.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::store::sql::{Dialect, Transaction, params};

use crate::store::db::{meta_get, meta_set};

const OFFSET_KEY: &str = "clock_offset_seconds";

/// The platform clock is never moved to or past 2100-01-01 00:00 UTC: codes
/// and credentials carry 32-bit times, and dates stay in range.
pub const LATEST: u64 = 4_102_444_800;

/// The system clock, Unix seconds.
pub fn system_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// The platform's current time, Unix seconds.
pub fn now(connection: &Transaction<'_>) -> crate::store::sql::Result<u64> {
    let offset = meta_get(connection, OFFSET_KEY)?.unwrap_or(0);
    Ok(system_now().saturating_add_signed(offset))
}

/// Moves the platform clock forward by `seconds`; returns the new time.
pub fn advance(connection: &Transaction<'_>, seconds: u64) -> crate::store::sql::Result<u64> {
    let offset = meta_get(connection, OFFSET_KEY)?.unwrap_or(0);
    let step = i64::try_from(seconds).unwrap_or(i64::MAX);
    meta_set(connection, OFFSET_KEY, offset.saturating_add(step))?;
    now(connection)
}

/// The advisory lock whose holder runs the clock tick on PostgreSQL.
const TICK_LOCK: i64 = 0x6563_6172_6474_6963; // "ecardtic"

/// Whether this transaction runs the clock tick. On SQLite every request
/// does (one writer at a time). On PostgreSQL, shared by several instances,
/// one transaction at a time does: the one that takes the tick's advisory
/// lock, held until it ends; the others skip the tick rather than wait,
/// as the holder is bringing the workflows up to the same clock.
pub fn claim_the_tick(tx: &Transaction<'_>) -> crate::store::sql::Result<bool> {
    match tx.dialect() {
        Dialect::Sqlite => Ok(true),
        Dialect::Postgres => tx.query_row(
            "SELECT pg_try_advisory_xact_lock(?1)",
            params![TICK_LOCK],
            |row| row.get(0),
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use crate::store::postgres_server::test_server;
    use crate::store::sql::Connection;

    #[test]
    fn on_postgres_one_transaction_at_a_time_runs_the_tick() {
        let database = crate::store::test_postgres::TestDatabase::new();
        let mut first = Connection::postgres(&test_server(&database)).unwrap();
        let mut second = Connection::postgres(&test_server(&database)).unwrap();
        let one = first.transaction().unwrap();
        let two = second.transaction().unwrap();
        assert!(claim_the_tick(&one).unwrap());
        assert!(!claim_the_tick(&two).unwrap(), "held by the first");
        one.commit().unwrap();
        drop(two);
        // Released when its transaction ended.
        let three = second.transaction().unwrap();
        assert!(claim_the_tick(&three).unwrap());
    }

    #[test]
    fn on_sqlite_every_transaction_runs_the_tick() {
        let mut connection = crate::store::db::open(std::path::Path::new(":memory:")).unwrap();
        let tx = connection.transaction().unwrap();
        assert!(claim_the_tick(&tx).unwrap());
    }
}
