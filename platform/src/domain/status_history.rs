//! The history of the status bits, kept so the platform can serve a
//! terminal a signed delta from the edition it holds instead of the whole
//! list (`GET /v1/status-lists/{list}?since=`).
//!
//! Why: at province scale a full list is about 240 KB and a day's changes
//! a few tens of KB; a terminal on a metered link should download the
//! changes. Triggers on `status_bits` record every actual change
//! (migration 0007), so no writer can forget one; [`stamp`], called where
//! the status sequence advances, gives the pending changes the edition
//! that first shows them.
//!
//! Retention: 7 days ([`RETENTION_SECONDS`]). At province scale a day
//! changes about 0.1 % of the bits, a signed delta of about 30 KB
//! (`docs/benchmarks.md`); a week of changes (about 210 KB) is still
//! smaller than the full list (243 KB), an eighth day would not be, so
//! older history buys nothing: a terminal that was off for longer (its
//! list went stale after 24 hours anyway) gets the full list. A week also
//! bounds the table to about 120,000 rows per list.

use crate::store::sql::{Transaction, params};

use crate::error::ApiResult;
use crate::store::db::{meta_get, meta_set};

/// How long a change is kept after the edition that made it.
pub const RETENTION_SECONDS: u64 = 7 * 86_400;

fn floor_key(list: u8) -> String {
    format!("status_history_floor_{list}")
}

/// Gives the changes recorded since the last edition of `list` the new
/// edition's `sequence` and the platform time `now`.
pub fn stamp(tx: &Transaction<'_>, list: u8, sequence: i64, now: u64) -> ApiResult<()> {
    tx.execute(
        "UPDATE status_history SET sequence = ?2, recorded_at = ?3 \
         WHERE list = ?1 AND sequence IS NULL",
        params![list, sequence, now as i64],
    )?;
    Ok(())
}

/// The oldest edition of `list` a delta can start from: every change made
/// after it is still kept.
pub fn floor(tx: &Transaction<'_>, list: u8) -> ApiResult<i64> {
    Ok(meta_get(tx, &floor_key(list))?.unwrap_or(0))
}

/// The bits of `list` that differ between edition `since` and the current
/// state, as `(index, revoked)` in increasing index order. The caller
/// checks that `since` is at least [`floor`].
pub fn changes_since(tx: &Transaction<'_>, list: u8, since: i64) -> ApiResult<Vec<(u32, bool)>> {
    let mut statement = tx.prepare(
        "SELECT idx, revoked FROM status_history WHERE list = ?1 AND sequence > ?2 \
         ORDER BY idx, sequence, id",
    )?;
    let rows = statement.query_map(params![list, since], |row| {
        Ok((row.get::<_, u32>(0)?, row.get::<_, bool>(1)?))
    })?;
    // Rows are actual changes, so a bit's value at `since` is the opposite
    // of its first change after it; its value now is its last change.
    let mut changes: Vec<(u32, bool)> = Vec::new();
    let mut current: Option<(u32, bool, bool)> = None;
    for row in rows {
        let (index, revoked) = row?;
        current = match current {
            Some((previous, before, _)) if previous == index => Some((index, before, revoked)),
            other => {
                if let Some((previous, before, after)) = other
                    && before != after
                {
                    changes.push((previous, after));
                }
                Some((index, !revoked, revoked))
            }
        };
    }
    if let Some((index, before, after)) = current
        && before != after
    {
        changes.push((index, after));
    }
    Ok(changes)
}

/// Forgets the changes of editions older than the retention, raising each
/// list's floor to the newest edition forgotten.
pub fn prune(tx: &Transaction<'_>, now: u64) -> ApiResult<()> {
    let Some(before) = now.checked_sub(RETENTION_SECONDS) else {
        return Ok(());
    };
    // A range on the time index: at each tick only the rows that just
    // expired are read (a `GROUP BY` would scan the table).
    let mut statement =
        tx.prepare_cached("SELECT list, sequence FROM status_history WHERE recorded_at < ?1")?;
    let mut expired: std::collections::BTreeMap<u8, i64> = std::collections::BTreeMap::new();
    for row in statement.query_map(params![before as i64], |row| {
        Ok((row.get::<_, u8>(0)?, row.get::<_, i64>(1)?))
    })? {
        let (list, sequence) = row?;
        let newest = expired.entry(list).or_insert(sequence);
        *newest = (*newest).max(sequence);
    }
    for (list, newest) in expired {
        tx.execute(
            "DELETE FROM status_history WHERE list = ?1 AND sequence <= ?2",
            params![list, newest],
        )?;
        if newest > floor(tx, list)? {
            meta_set(tx, &floor_key(list), newest)?;
        }
    }
    Ok(())
}
