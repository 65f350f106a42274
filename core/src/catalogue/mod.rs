//! The offline service catalogue: the 一卡通 items, the service outlets and
//! the regional rules, synced incrementally from the platform and searched
//! offline.
//!
//! Sync is one conditional request (`/v1/catalogue/sync`): the platform
//! answers `304` when nothing changed, or the items and outlets changed
//! since the versions held, with tombstones, plus the rules of the region.
//! Changes are applied in one transaction and the in-memory indexes are
//! swapped atomically, so searches never see half a sync. Data stays usable
//! offline with a visible "as of" time (stale-while-revalidate).

pub mod outlets;
pub mod pinyin;
pub mod search;

use ecard_api::paths;
use std::sync::{Arc, RwLock};

use ecard_api::catalogue::{CatalogueItem, CatalogueSync, Outlet};
use ecard_api::rules::RegionalRules;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::client::EcardClient;
use crate::error::{ClientError, StorageError};
use crate::events::ClientEvent;
use crate::net::{ApiRequest, ApiResponse, Network, RetryPolicy};
use crate::storage::Store;
use outlets::OutletIndex;
use outlets::{OutletHit, OutletQuery};
use search::CatalogueIndex;
use search::{SearchHit, SearchQuery};
use std::sync::atomic::Ordering;

const SYNC_FEED: &str = "catalogue";

/// What the cache holds and how fresh it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct CatalogueState {
    /// Catalogue version held.
    pub items_version: u64,
    /// Outlet-list version held.
    pub outlets_version: u64,
    /// Items held.
    pub item_count: u64,
    /// Outlets held.
    pub outlet_count: u64,
    /// When the platform last confirmed the cache (Unix seconds), if ever.
    pub as_of: Option<u64>,
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct SyncReport {
    /// Whether the platform answered 304 (nothing to do).
    pub unchanged: bool,
    /// Items added or changed.
    pub items_changed: u64,
    /// Items removed.
    pub items_removed: u64,
    /// Outlets added or changed.
    pub outlets_changed: u64,
    /// Outlets removed.
    pub outlets_removed: u64,
    /// Whether the rules document changed.
    pub rules_changed: bool,
}

/// The cached catalogue with its in-memory indexes.
#[derive(Default)]
pub struct Catalogue {
    items: RwLock<Arc<CatalogueIndex>>,
    outlets: RwLock<Arc<OutletIndex>>,
    state: RwLock<CatalogueState>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Catalogue")
            .field("state", &self.state())
            .finish()
    }
}

fn read_lock<T: Clone>(lock: &RwLock<T>) -> T {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

fn write_lock<T>(lock: &RwLock<T>, value: T) {
    *lock
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = value;
}

impl Catalogue {
    /// Loads the cache from storage into memory.
    pub fn load(store: &Store) -> Result<Catalogue, StorageError> {
        let catalogue = Catalogue::default();
        catalogue.reload(store)?;
        Ok(catalogue)
    }

    /// Rebuilds the in-memory indexes from storage.
    pub fn reload(&self, store: &Store) -> Result<(), StorageError> {
        let (items, outlets, state) = store.read(|connection| {
            let items = load_items(connection)?;
            let outlets = load_outlets(connection)?;
            let state = load_state(connection, items.len(), outlets.len())?;
            Ok((items, outlets, state))
        })?;
        write_lock(&self.items, Arc::new(CatalogueIndex::build(items)));
        write_lock(&self.outlets, Arc::new(OutletIndex::build(outlets)));
        write_lock(&self.state, state);
        Ok(())
    }

    /// The item index (a snapshot; searches need no lock).
    pub fn items(&self) -> Arc<CatalogueIndex> {
        read_lock(&self.items)
    }

    /// The outlet index.
    pub fn outlets(&self) -> Arc<OutletIndex> {
        read_lock(&self.outlets)
    }

    /// Versions, counts and freshness.
    pub fn state(&self) -> CatalogueState {
        read_lock(&self.state)
    }

    /// Syncs with the platform: one conditional request.
    pub async fn sync(
        &self,
        store: &Store,
        network: &Network,
        region: &str,
        now: u64,
    ) -> Result<SyncReport, ClientError> {
        let (etag, items_version, outlets_version) = store.read(|connection| {
            let etag: Option<String> = connection
                .query_row(
                    "SELECT etag FROM sync_state WHERE feed = ?1",
                    params![SYNC_FEED],
                    |row| row.get(0),
                )
                .optional()?
                .flatten();
            let state = load_state(connection, 0, 0)?;
            Ok((etag, state.items_version, state.outlets_version))
        })?;
        let empty = items_version == 0 && outlets_version == 0;
        let path = if empty {
            format!("{}?region={region}", paths::CATALOGUE_SYNC)
        } else {
            format!(
                "{}?items_since={items_version}&outlets_since={outlets_version}&region={region}",
                paths::CATALOGUE_SYNC
            )
        };
        let request = ApiRequest::get(path).if_none_match(if empty { None } else { etag });
        let response = network.send(&request, RetryPolicy::INTERACTIVE).await?;
        let report = match &response {
            ApiResponse::NotModified => {
                store.write(|tx| mark_synced(tx, None, now))?;
                SyncReport {
                    unchanged: true,
                    ..SyncReport::default()
                }
            }
            ApiResponse::Body { etag, .. } => {
                let sync: CatalogueSync = response.json()?;
                let etag = etag.clone();
                let report = store.write(|tx| apply(tx, &sync, etag.as_deref(), now))?;
                self.reload(store)?;
                report
            }
        };
        let mut state = self.state();
        state.as_of = Some(now);
        write_lock(&self.state, state);
        Ok(report)
    }

    /// The cached rules of a region's province.
    pub fn rules(store: &Store, region: &str) -> Result<Option<RegionalRules>, StorageError> {
        let province = format!("{}0000", region.get(..2).unwrap_or("00"));
        store.read(|connection| {
            let body: Option<String> = connection
                .query_row(
                    "SELECT body FROM rules WHERE region = ?1",
                    params![province],
                    |row| row.get(0),
                )
                .optional()?;
            body.map(|body| {
                serde_json::from_str(&body)
                    .map_err(|error| StorageError::Corrupt(error.to_string()))
            })
            .transpose()
        })
    }
}

fn mark_synced(tx: &Transaction<'_>, etag: Option<&str>, now: u64) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO sync_state (feed, version, etag, synced_at) VALUES (?1, 0, ?2, ?3) \
         ON CONFLICT(feed) DO UPDATE SET etag = COALESCE(excluded.etag, sync_state.etag), synced_at = excluded.synced_at",
        params![SYNC_FEED, etag, now as i64],
    )?;
    Ok(())
}

fn set_version(
    tx: &Transaction<'_>,
    feed: &str,
    version: u64,
    now: u64,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO sync_state (feed, version, synced_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT(feed) DO UPDATE SET version = excluded.version, synced_at = excluded.synced_at",
        params![feed, version as i64, now as i64],
    )?;
    Ok(())
}

/// Applies a sync answer in one transaction.
fn apply(
    tx: &Transaction<'_>,
    sync: &CatalogueSync,
    etag: Option<&str>,
    now: u64,
) -> Result<SyncReport, StorageError> {
    if sync.items.full {
        tx.execute("DELETE FROM catalogue_items", [])?;
    }
    if sync.outlets.full {
        tx.execute("DELETE FROM outlets", [])?;
    }
    {
        let mut upsert = tx.prepare(
            "INSERT INTO catalogue_items (id, body, pinyin_full, pinyin_initials, version) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT(id) DO UPDATE SET body = excluded.body, pinyin_full = excluded.pinyin_full, \
             pinyin_initials = excluded.pinyin_initials, version = excluded.version",
        )?;
        for item in &sync.items.items {
            let (full, initials) = pinyin::keys(&item.name);
            let body = serde_json::to_string(item)
                .map_err(|error| StorageError::Corrupt(error.to_string()))?;
            upsert.execute(params![item.id, body, full, initials, item.version as i64])?;
        }
        let mut remove = tx.prepare("DELETE FROM catalogue_items WHERE id = ?1")?;
        for id in &sync.items.removed {
            remove.execute(params![id])?;
        }
        let mut upsert = tx.prepare(
            "INSERT INTO outlets (id, body, version) VALUES (?1, ?2, ?3) \
             ON CONFLICT(id) DO UPDATE SET body = excluded.body, version = excluded.version",
        )?;
        for outlet in &sync.outlets.outlets {
            let body = serde_json::to_string(outlet)
                .map_err(|error| StorageError::Corrupt(error.to_string()))?;
            upsert.execute(params![outlet.id, body, outlet.version as i64])?;
        }
        let mut remove = tx.prepare("DELETE FROM outlets WHERE id = ?1")?;
        for id in &sync.outlets.removed {
            remove.execute(params![id])?;
        }
    }
    let old_rules_version: Option<i64> = tx
        .query_row(
            "SELECT version FROM rules WHERE region = ?1",
            params![sync.rules.region],
            |row| row.get(0),
        )
        .optional()?;
    let rules_changed = old_rules_version != Some(sync.rules.version as i64);
    let rules_body = serde_json::to_string(&sync.rules)
        .map_err(|error| StorageError::Corrupt(error.to_string()))?;
    tx.execute(
        "INSERT INTO rules (region, body, version) VALUES (?1, ?2, ?3) \
         ON CONFLICT(region) DO UPDATE SET body = excluded.body, version = excluded.version",
        params![sync.rules.region, rules_body, sync.rules.version as i64],
    )?;
    set_version(tx, "items", sync.items.version, now)?;
    set_version(tx, "outlets", sync.outlets.version, now)?;
    mark_synced(tx, etag, now)?;
    Ok(SyncReport {
        unchanged: false,
        items_changed: sync.items.items.len() as u64,
        items_removed: sync.items.removed.len() as u64,
        outlets_changed: sync.outlets.outlets.len() as u64,
        outlets_removed: sync.outlets.removed.len() as u64,
        rules_changed,
    })
}

fn load_items(
    connection: &Connection,
) -> Result<Vec<(CatalogueItem, String, String)>, StorageError> {
    let mut statement =
        connection.prepare("SELECT body, pinyin_full, pinyin_initials FROM catalogue_items")?;
    let rows = statement.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    let mut items = Vec::new();
    for row in rows {
        let (body, full, initials) = row?;
        // A row that no longer parses is skipped, not fatal: the next full
        // sync replaces it.
        if let Ok(item) = serde_json::from_str::<CatalogueItem>(&body) {
            items.push((item, full, initials));
        }
    }
    Ok(items)
}

fn load_outlets(connection: &Connection) -> Result<Vec<Outlet>, StorageError> {
    let mut statement = connection.prepare("SELECT body FROM outlets")?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    let mut outlets = Vec::new();
    for row in rows {
        if let Ok(outlet) = serde_json::from_str::<Outlet>(&row?) {
            outlets.push(outlet);
        }
    }
    Ok(outlets)
}

fn load_state(
    connection: &Connection,
    item_count: usize,
    outlet_count: usize,
) -> Result<CatalogueState, StorageError> {
    let version = |feed: &str| -> Result<u64, StorageError> {
        Ok(connection
            .query_row(
                "SELECT version FROM sync_state WHERE feed = ?1",
                params![feed],
                |row| row.get::<_, i64>(0),
            )
            .optional()?
            .unwrap_or(0) as u64)
    };
    let as_of: Option<i64> = connection
        .query_row(
            "SELECT synced_at FROM sync_state WHERE feed = ?1",
            params![SYNC_FEED],
            |row| row.get(0),
        )
        .optional()?;
    Ok(CatalogueState {
        items_version: version("items")?,
        outlets_version: version("outlets")?,
        item_count: item_count as u64,
        outlet_count: outlet_count as u64,
        as_of: as_of.map(|at| at as u64),
    })
}
/// The catalogue of the client: syncing and offline search.
impl EcardClient {
    /// Syncs the catalogue, outlets and rules (one conditional request).
    pub async fn sync_catalogue(&self) -> Result<SyncReport, ClientError> {
        let region = self.cached_profile().ok().flatten().map_or_else(
            || self.inner.config.default_region.clone(),
            |profile| profile.region,
        );
        let now = self.trusted_now();
        let inner = self.inner.clone();
        let network = self.inner.network.clone();
        let result = inner
            .catalogue
            .sync(&inner.store, &network, &region, now)
            .await;
        let online = !matches!(result, Err(ClientError::Offline(_) | ClientError::Timeout));
        if self.inner.online.swap(online, Ordering::Relaxed) != online {
            self.emit(ClientEvent::ConnectivityChanged { online });
        }
        let report = result?;
        self.emit(ClientEvent::CatalogueSynced {
            changed: !report.unchanged,
        });
        Ok(report)
    }

    /// Searches the cached catalogue. No I/O: safe on the main thread.
    pub fn search(&self, query: &SearchQuery) -> Vec<SearchHit> {
        self.inner.catalogue.items().search(query)
    }

    /// The nearest cached outlets. No I/O: safe on the main thread.
    pub fn nearest_outlets(&self, query: &OutletQuery) -> Vec<OutletHit> {
        self.inner
            .catalogue
            .outlets()
            .nearest(query, self.trusted_now())
    }

    /// The cached rules of the account's (or the default) region.
    pub fn rules(&self) -> Result<Option<ecard_api::rules::RegionalRules>, ClientError> {
        let region = self.cached_profile()?.map_or_else(
            || self.inner.config.default_region.clone(),
            |profile| profile.region,
        );
        Ok(Catalogue::rules(&self.inner.store, &region)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_platform::{TestPlatform, block_on};
    use crate::transport::faults::Fault;

    #[test]
    fn the_catalogue_syncs_once_then_answers_unchanged_and_reads_offline() {
        let platform = TestPlatform::start();
        let data = tempfile::tempdir().unwrap();
        block_on(async {
            // No enrolment needed: the catalogue is public.
            let client = platform.client(data.path()).await;
            let mut events = client.subscribe();
            let first = client.sync_catalogue().await.unwrap();
            assert!(!first.unchanged);
            assert!(first.items_changed > 0 && first.outlets_changed > 0);
            let state = client.snapshot().unwrap().catalogue;
            assert_eq!(state.item_count, first.items_changed);
            assert!(state.as_of.is_some());
            assert!(client.rules().unwrap().is_some());
            assert_eq!(
                events.try_recv().unwrap(),
                ClientEvent::ConnectivityChanged { online: true }
            );
            assert_eq!(
                events.try_recv().unwrap(),
                ClientEvent::CatalogueSynced { changed: true }
            );
            let everything = client.search(&SearchQuery {
                limit: 1_000,
                ..SearchQuery::default()
            });
            assert_eq!(everything.len() as u64, state.item_count.min(1_000));

            let second = client.sync_catalogue().await.unwrap();
            assert!(second.unchanged);
            assert_eq!(second.items_changed, 0);

            // Offline: the sync fails as offline, the cache still answers.
            platform.network.set_down(Some(Fault::Unreachable));
            let offline = client.sync_catalogue().await.unwrap_err();
            assert!(matches!(offline, ClientError::Offline(_)), "{offline:?}");
            assert!(!client.snapshot().unwrap().online);
            assert_eq!(
                events.try_recv().unwrap(),
                ClientEvent::CatalogueSynced { changed: false }
            );
            assert_eq!(
                events.try_recv().unwrap(),
                ClientEvent::ConnectivityChanged { online: false }
            );
            assert_eq!(
                client
                    .search(&SearchQuery {
                        limit: 1_000,
                        ..SearchQuery::default()
                    })
                    .len(),
                everything.len()
            );
        });
    }
}
