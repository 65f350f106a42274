//! The platform clock: the system clock plus an offset that tests and demos
//! advance (`POST /admin/clock/advance`) to move production, delivery and
//! loss-report lapses along without waiting days.

use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::Connection;

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
pub fn now(connection: &Connection) -> rusqlite::Result<u64> {
    let offset = meta_get(connection, OFFSET_KEY)?.unwrap_or(0);
    Ok(system_now().saturating_add_signed(offset))
}

/// Moves the platform clock forward by `seconds`; returns the new time.
pub fn advance(connection: &Connection, seconds: u64) -> rusqlite::Result<u64> {
    let offset = meta_get(connection, OFFSET_KEY)?.unwrap_or(0);
    let step = i64::try_from(seconds).unwrap_or(i64::MAX);
    meta_set(connection, OFFSET_KEY, offset.saturating_add(step))?;
    now(connection)
}
