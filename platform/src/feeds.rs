//! Public feeds: platform time, the trust list, status lists, and the
//! catalogue and outlets with ETags and deltas since a version.
//!
//! Versions are change counters: every stored change of an item or outlet
//! takes the next catalogue (or outlet-list) version. `?since=v` returns
//! what changed after `v`, tombstones included; the ETag names the current
//! version, so an unchanged re-sync is a 304 with no body.

use ecard_api::catalogue::{CatalogueDelta, CatalogueItem, CatalogueSync, Outlet, OutletDelta};
use rusqlite::{Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::db::{meta_get, meta_set};
use crate::error::{ApiError, ApiResult};
use crate::http::{Ctx, Reply};
use crate::issuer;

/// `GET /v1/time`.
pub fn time(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    Reply::ok(&serde_json::json!({ "now": ctx.now }))
}

/// `GET /v1/trust-list`.
pub fn trust_list(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let list = issuer::trust_list(ctx.tx, &ctx.state.issuer_name, ctx.now)?;
    // Keys also leave the list as time passes, without a new sequence.
    let key_ids: Vec<String> = list
        .keys
        .iter()
        .map(|key| format!("{:x}", key.key_id))
        .collect();
    let etag = format!("\"trust-{}-{}\"", list.sequence, key_ids.join("."));
    Ok(Reply::ok(&list)?.with_etag(etag))
}

/// `GET /v1/status-lists/{list}`: the signed binary status list.
pub fn status_list(ctx: &mut Ctx<'_>, list: &str) -> ApiResult<Reply> {
    let list: u8 = list
        .parse()
        .map_err(|_| ApiError::not_found("status list"))?;
    if list != issuer::STATUS_LIST {
        return Err(ApiError::not_found("status list"));
    }
    let (sequence, valid_until, bytes) = issuer::status_list(ctx.state, ctx.tx, list, ctx.now)?;
    // A re-signed edition (same bits, later validity) is a new entity: a
    // terminal must not keep one that is about to go stale.
    Ok(Reply::bytes(bytes, "application/octet-stream")
        .with_etag(format!("\"status-{list}-{sequence}-{valid_until}\"")))
}

/// A versioned feed table.
struct Feed {
    table: &'static str,
    version_key: &'static str,
}

const ITEMS: Feed = Feed {
    table: "catalogue_items",
    version_key: "catalogue_version",
};
const OUTLETS: Feed = Feed {
    table: "outlets",
    version_key: "outlets_version",
};

fn since(ctx: &Ctx<'_>) -> ApiResult<Option<u64>> {
    ctx.query_param("since")
        .map(|text| {
            text.parse::<u64>()
                .map_err(|_| ApiError::field("since", "a version number"))
        })
        .transpose()
}

fn delta<T: DeserializeOwned>(
    tx: &Transaction<'_>,
    feed: &Feed,
    since: Option<u64>,
) -> ApiResult<(u64, bool, Vec<T>, Vec<String>)> {
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
    Ok((version, full, changed, removed))
}

/// `GET /v1/catalogue/items?since=`.
pub fn items(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let since = since(ctx)?;
    let (version, full, items, removed) = delta::<CatalogueItem>(ctx.tx, &ITEMS, since)?;
    let etag = format!("\"items-{version}\"");
    Ok(Reply::ok(&CatalogueDelta {
        version,
        full,
        items,
        removed,
    })?
    .with_etag(etag))
}

/// `GET /v1/catalogue/outlets?since=`.
pub fn outlets(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let since = since(ctx)?;
    let (version, full, outlets, removed) = delta::<Outlet>(ctx.tx, &OUTLETS, since)?;
    let etag = format!("\"outlets-{version}\"");
    Ok(Reply::ok(&OutletDelta {
        version,
        full,
        outlets,
        removed,
    })?
    .with_etag(etag))
}

/// `GET /v1/catalogue/sync?items_since=&outlets_since=&region=`.
pub fn sync(ctx: &mut Ctx<'_>) -> ApiResult<Reply> {
    let parse = |name: &str| {
        ctx.query_param(name)
            .map(|text| {
                text.parse::<u64>()
                    .map_err(|_| ApiError::field(name, "a version number"))
            })
            .transpose()
    };
    let items_since = parse("items_since")?;
    let outlets_since = parse("outlets_since")?;
    let region = ctx
        .query_param("region")
        .unwrap_or_else(|| "360000".to_owned());
    if region.len() != 6 || !region.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(ApiError::field("region", "a six-digit division code"));
    }
    let rules = crate::rules::rules_for(ctx.tx, &region)?;
    let (items_version, items_full, items, items_removed) =
        delta::<CatalogueItem>(ctx.tx, &ITEMS, items_since)?;
    let (outlets_version, outlets_full, outlets, outlets_removed) =
        delta::<Outlet>(ctx.tx, &OUTLETS, outlets_since)?;
    let etag = format!(
        "\"sync-{items_version}-{outlets_version}-{}-{}\"",
        rules.region, rules.version
    );
    let body = CatalogueSync {
        items: CatalogueDelta {
            version: items_version,
            full: items_full,
            items,
            removed: items_removed,
        },
        outlets: OutletDelta {
            version: outlets_version,
            full: outlets_full,
            outlets,
            removed: outlets_removed,
        },
        rules,
    };
    Ok(Reply::ok(&body)?.with_etag(etag))
}

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
        "INSERT OR REPLACE INTO {table} (id, version, deleted, body) VALUES (?1, ?2, 0, ?3)"
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
