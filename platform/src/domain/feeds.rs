//! The stored catalogue and outlet feeds: upserts and removals that each take
//! the next feed version, first-start seeding, what changed since a version
//! and whether an outlet exists. Versions are change counters, so a client
//! can ask for what changed since the version it holds (served by
//! [`crate::http::feeds`]).

use crate::store::sql::{OptionalExtension, Transaction, params};
use ecard_api::catalogue::{CatalogueItem, Outlet};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use crate::store::db::{meta_get, meta_set};

/// A versioned feed table.
pub(crate) struct Feed {
    pub(crate) table: &'static str,
    pub(crate) version_key: &'static str,
}

pub(crate) const ITEMS: Feed = Feed {
    table: "catalogue_items",
    version_key: "catalogue_version",
};

pub(crate) const OUTLETS: Feed = Feed {
    table: "outlets",
    version_key: "outlets_version",
};

fn upsert<T: Serialize>(tx: &Transaction<'_>, feed: &Feed, id: &str, body: &T) -> ApiResult<u64> {
    let version = meta_get(tx, feed.version_key)?.unwrap_or(0) + 1;
    meta_set(tx, feed.version_key, version)?;
    let mut value = serde_json::to_value(body)?;
    value["version"] = serde_json::Value::from(version);
    tx.execute(
        &format!(
            "INSERT INTO {} (id, version, deleted, body) VALUES (?1, ?2, 0, ?3) \
             ON CONFLICT(id) DO UPDATE SET version = excluded.version, deleted = 0, body = excluded.body",
            feed.table
        ),
        params![id, version, value.to_string()],
    )?;
    Ok(version as u64)
}

fn remove(tx: &Transaction<'_>, feed: &Feed, id: &str) -> ApiResult<u64> {
    let version = meta_get(tx, feed.version_key)?.unwrap_or(0) + 1;
    let changed = tx.execute(
        &format!(
            "UPDATE {} SET deleted = 1, version = ?1 WHERE id = ?2 AND deleted = 0",
            feed.table
        ),
        params![version, id],
    )?;
    if changed == 0 {
        return Err(ApiError::not_found("entry"));
    }
    meta_set(tx, feed.version_key, version)?;
    Ok(version as u64)
}

/// Stores catalogue items (each takes a new version).
pub fn store_items(tx: &Transaction<'_>, items: &[CatalogueItem]) -> ApiResult<u64> {
    let mut version = 0;
    for item in items {
        version = upsert(tx, &ITEMS, &item.id, item)?;
    }
    Ok(version)
}

/// Stores outlets.
pub fn store_outlets(tx: &Transaction<'_>, outlets: &[Outlet]) -> ApiResult<u64> {
    let mut version = 0;
    for outlet in outlets {
        version = upsert(tx, &OUTLETS, &outlet.id, outlet)?;
    }
    Ok(version)
}

/// Loads everything into empty tables in one version step (first start).
pub fn seed<T: Serialize>(
    tx: &Transaction<'_>,
    table: &str,
    version_key: &str,
    entries: &[(String, T)],
) -> ApiResult<()> {
    let version = meta_get(tx, version_key)?.unwrap_or(0) + 1;
    let mut statement = tx.prepare(&format!(
        "INSERT INTO {table} (id, version, deleted, body) VALUES (?1, ?2, 0, ?3) \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, deleted = 0, body = excluded.body"
    ))?;
    for (id, entry) in entries {
        let mut value = serde_json::to_value(entry)?;
        value["version"] = serde_json::Value::from(version);
        statement.execute(params![id, version, value.to_string()])?;
    }
    meta_set(tx, version_key, version)?;
    Ok(())
}

/// Removes a catalogue item (a tombstone for delta clients).
pub fn remove_item(tx: &Transaction<'_>, id: &str) -> ApiResult<u64> {
    remove(tx, &ITEMS, id)
}

/// Removes an outlet.
pub fn remove_outlet(tx: &Transaction<'_>, id: &str) -> ApiResult<u64> {
    remove(tx, &OUTLETS, id)
}

/// Whether an outlet exists and is not removed.
pub fn outlet_exists(tx: &Transaction<'_>, outlet_id: &str) -> ApiResult<bool> {
    Ok(tx
        .query_row(
            "SELECT 1 FROM outlets WHERE id = ?1 AND deleted = 0",
            params![outlet_id],
            |row| row.get::<_, i64>(0),
        )
        .optional()?
        .is_some())
}

/// Whether outlet `outlet_id` (not removed) offers `service`.
pub fn outlet_offers(
    tx: &Transaction<'_>,
    outlet_id: &str,
    service: ecard_api::catalogue::OutletService,
) -> ApiResult<bool> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM outlets WHERE id = ?1 AND deleted = 0",
            params![outlet_id],
            |row| row.get(0),
        )
        .optional()?;
    let Some(body) = body else {
        return Ok(false);
    };
    let outlet: ecard_api::catalogue::Outlet = serde_json::from_str(&body)?;
    Ok(outlet.services.contains(&service))
}

/// What changed in a feed since a version a client holds.
pub struct Changes<T> {
    /// The feed's current version.
    pub version: u64,
    /// Whether this is the whole feed (no usable version was given).
    pub full: bool,
    /// Entries added or changed, by id.
    pub changed: Vec<T>,
    /// Ids removed since (empty for the whole feed).
    pub removed: Vec<String>,
}

/// The entries of `feed` changed since version `since`, or the whole feed
/// when `since` is absent or ahead of the platform (a reset database).
pub(crate) fn changes_since<T: DeserializeOwned>(
    tx: &Transaction<'_>,
    feed: &Feed,
    since: Option<u64>,
) -> ApiResult<Changes<T>> {
    let version = meta_get(tx, feed.version_key)?.unwrap_or(0) as u64;
    // A client ahead of the platform (a reset database) starts over.
    let since = since.filter(|since| *since <= version);
    let full = since.is_none();
    let mut statement = tx.prepare(&format!(
        "SELECT id, deleted, body FROM {} WHERE version > ?1 ORDER BY id",
        feed.table
    ))?;
    let mut changed = Vec::new();
    let mut removed = Vec::new();
    let rows = statement.query_map(params![since.unwrap_or(0) as i64], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, bool>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (id, deleted, body) = row?;
        if deleted {
            if !full {
                removed.push(id);
            }
        } else {
            changed.push(serde_json::from_str(&body).map_err(|_| {
                ApiError::new(
                    ecard_api::problem::ProblemCode::Internal,
                    "stored item unreadable",
                )
            })?);
        }
    }
    Ok(Changes {
        version,
        full,
        changed,
        removed,
    })
}
