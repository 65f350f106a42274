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
pub mod search;
mod understanding;

use ecard_api::paths;
use std::sync::{Arc, RwLock};

use ecard_api::catalogue::{CatalogueItem, CatalogueSync, Outlet, OutletService, SearchVocabulary};
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

/// The national human resources and social security hotline, answered in
/// every province: where a resident is sent when search finds nothing.
pub const HOTLINE: &str = "12333";

/// Where to turn when a search matched nothing: never an empty screen.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "js", derive(serde::Serialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct SearchHelp {
    /// The items closest to the query (sharing some of its words or
    /// characters), or the most used items the app handles.
    pub closest: Vec<SearchHit>,
    /// The nearest outlets that handle the closest item's business (any
    /// human resources office when that says nothing), when a location
    /// was given.
    pub outlets: Vec<OutletHit>,
    /// The hotline to call ([`HOTLINE`]).
    pub hotline: String,
}

/// Where the resident is, for [`EcardClient::search_help`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "js", derive(serde::Deserialize))]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct Location {
    /// WGS-84 latitude, degrees.
    pub latitude: f64,
    /// WGS-84 longitude, degrees.
    pub longitude: f64,
}

/// The outlet service that handles what an app action does at a counter.
fn counter_service(action: ecard_api::catalogue::AppAction) -> Option<OutletService> {
    use ecard_api::catalogue::AppAction;
    match action {
        AppAction::ApplyForCard | AppAction::ApplyForNewbornCard => Some(OutletService::Apply),
        AppAction::ReplaceCard | AppAction::ChangeBank => Some(OutletService::Replace),
        AppAction::ReportLoss => Some(OutletService::ReportLoss),
        AppAction::ReleaseLoss => Some(OutletService::ReleaseLoss),
        AppAction::ActivateSocialFunction => Some(OutletService::ActivateSocialFunction),
        AppAction::ChangePin => Some(OutletService::PinReset),
        AppAction::TrackProduction => Some(OutletService::CardPickup),
        AppAction::ApplyForElectronicCard
        | AppAction::ShowCode
        | AppAction::ActForFamily
        | AppAction::FindOutlet => None,
    }
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
        let (items, vocabulary, outlets, state) = store.read(|connection| {
            let items = load_items(connection)?;
            let vocabulary = load_vocabulary(connection)?;
            let outlets = load_outlets(connection)?;
            let state = load_state(connection, items.len(), outlets.len())?;
            Ok((items, vocabulary, outlets, state))
        })?;
        let index = Arc::new(CatalogueIndex::build(items, &vocabulary));
        write_lock(&self.items, index.clone());
        // The search dictionary is built off the caller's thread; a search
        // that comes first builds it (or waits for it) itself.
        let _ = std::thread::Builder::new()
            .name("ecard-search-dictionary".into())
            .spawn(move || index.prepare());
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
                // Cached bodies are parsed from bytes, as the network's
                // answers are (`ApiResponse::json`): `from_str` would compile
                // a second deserialiser for every wire type (≈ 120 KB).
                serde_json::from_slice(body.as_bytes())
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
            "INSERT INTO catalogue_items (id, body, version) VALUES (?1, ?2, ?3) \
             ON CONFLICT(id) DO UPDATE SET body = excluded.body, version = excluded.version",
        )?;
        for item in &sync.items.items {
            let body = serde_json::to_string(item)
                .map_err(|error| StorageError::Corrupt(error.to_string()))?;
            upsert.execute(params![item.id, body, item.version as i64])?;
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
    // One vocabulary is held: the synced region's (the catalogue is too).
    let vocabulary_body = serde_json::to_string(&sync.vocabulary)
        .map_err(|error| StorageError::Corrupt(error.to_string()))?;
    tx.execute("DELETE FROM search_vocabulary", [])?;
    tx.execute(
        "INSERT INTO search_vocabulary (region, body, version) VALUES (?1, ?2, ?3)",
        params![
            sync.rules.region,
            vocabulary_body,
            sync.vocabulary.version as i64
        ],
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

fn load_items(connection: &Connection) -> Result<Vec<CatalogueItem>, StorageError> {
    let mut statement = connection.prepare("SELECT body FROM catalogue_items")?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    let mut items = Vec::new();
    for row in rows {
        // A row that no longer parses is skipped, not fatal: the next full
        // sync replaces it.
        if let Ok(item) = serde_json::from_slice::<CatalogueItem>(row?.as_bytes()) {
            items.push(item);
        }
    }
    Ok(items)
}

/// The held vocabulary; none before the first sync (or if unreadable: the
/// next sync replaces it), and search still reads characters and pinyin.
fn load_vocabulary(connection: &Connection) -> Result<SearchVocabulary, StorageError> {
    let body: Option<String> = connection
        .query_row("SELECT body FROM search_vocabulary LIMIT 1", [], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(body
        .and_then(|body| serde_json::from_slice(body.as_bytes()).ok())
        .unwrap_or_default())
}

fn load_outlets(connection: &Connection) -> Result<Vec<Outlet>, StorageError> {
    let mut statement = connection.prepare("SELECT body FROM outlets")?;
    let rows = statement.query_map([], |row| row.get::<_, String>(0))?;
    let mut outlets = Vec::new();
    for row in rows {
        if let Ok(outlet) = serde_json::from_slice::<Outlet>(row?.as_bytes()) {
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
        let region = self.home_region();
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
    /// Where a national item and the resident's province's twin both
    /// match, the province's is shown (the national one in `twins`).
    pub fn search(&self, query: &SearchQuery) -> Vec<SearchHit> {
        let home = self.home_region();
        self.inner.catalogue.items().search_from(query, Some(&home))
    }

    /// The account's region, or the configured default before enrolment
    /// (or when the cached profile cannot be read).
    fn home_region(&self) -> String {
        self.region_of(self.cached_profile().ok().flatten())
    }

    fn region_of(&self, profile: Option<ecard_api::resident::Profile>) -> String {
        profile.map_or_else(
            || self.inner.config.default_region.clone(),
            |profile| profile.region,
        )
    }

    /// What to offer when [`EcardClient::search`] found nothing: the
    /// closest items, the nearest outlets that handle the closest item's
    /// business (when `near` is given) and the hotline. No I/O.
    pub fn search_help(&self, query: &SearchQuery, near: Option<Location>) -> SearchHelp {
        let home = self.home_region();
        let closest = self.inner.catalogue.items().closest(query, Some(&home));
        let outlets = near.map_or_else(Vec::new, |near| {
            let service = closest
                .first()
                .and_then(|hit| hit.item.app_action)
                .and_then(counter_service);
            let nearest = |service: Option<OutletService>| {
                self.nearest_outlets(&OutletQuery {
                    latitude: near.latitude,
                    longitude: near.longitude,
                    limit: 3,
                    service,
                    open_now_only: false,
                })
            };
            let found = nearest(service);
            if found.is_empty() && service.is_some() {
                nearest(None)
            } else {
                found
            }
        });
        SearchHelp {
            closest,
            outlets,
            hotline: HOTLINE.to_owned(),
        }
    }

    /// A cached catalogue item by id (a search hit's twin, a linked item).
    /// No I/O.
    pub fn catalogue_item(&self, id: &str) -> Option<CatalogueItem> {
        self.inner
            .catalogue
            .items()
            .get(id)
            .map(|item| item.as_ref().clone())
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
        let region = self.region_of(self.cached_profile()?);
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
            // One hit per service: every item is a hit or a twin folded into one.
            let listed: usize = everything.iter().map(|hit| 1 + hit.twins.len()).sum();
            assert_eq!(listed as u64, state.item_count);
            assert!(everything.len() < listed, "the sample's twins fold");

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

    #[test]
    fn a_search_that_finds_nothing_offers_closest_items_outlets_and_the_hotline() {
        let platform = TestPlatform::start();
        let data = tempfile::tempdir().unwrap();
        block_on(async {
            let client = platform.client(data.path()).await;
            client.sync_catalogue().await.unwrap();
            let lost = SearchQuery {
                text: "社保卡丢了怎么办".into(),
                region: Some("360102".into()),
                ..SearchQuery::default()
            };
            let hits = client.search(&lost);
            assert!(!hits.is_empty(), "a colloquial query finds its items");
            // Nothing in the catalogue is about this.
            let query = SearchQuery {
                text: "天气预报".into(),
                region: Some("360102".into()),
                ..SearchQuery::default()
            };
            assert!(client.search(&query).is_empty());
            let nanchang = Location {
                latitude: 28.6829,
                longitude: 115.8579,
            };
            let help = client.search_help(&query, Some(nanchang));
            assert!(!help.closest.is_empty(), "never an empty screen");
            assert_eq!(help.outlets.len(), 3);
            assert!(
                help.outlets
                    .windows(2)
                    .all(|pair| pair[0].distance_metres <= pair[1].distance_metres)
            );
            assert_eq!(help.hotline, "12333");
            let without_location = client.search_help(&query, None);
            assert!(without_location.outlets.is_empty());
            assert_eq!(without_location.closest, help.closest);
            // A twin folded into a hit is reachable by id.
            let first = &hits[0];
            for twin in &first.twins {
                assert!(client.catalogue_item(twin).is_some(), "{twin}");
            }
            assert_eq!(
                client.catalogue_item(&first.item.id).as_ref(),
                Some(&first.item)
            );
        });
    }

    #[test]
    fn a_province_adds_words_through_the_feed_without_an_app_release() {
        let platform = TestPlatform::start();
        let data = tempfile::tempdir().unwrap();
        block_on(async {
            let client = platform.client(data.path()).await;
            client.sync_catalogue().await.unwrap();
            let query = SearchQuery {
                text: "卡冇见哒".into(),
                region: Some("360102".into()),
                ..SearchQuery::default()
            };
            let before = client.search(&query);
            assert!(
                before
                    .iter()
                    .all(|hit| hit.item.app_action
                        != Some(ecard_api::catalogue::AppAction::ReportLoss)),
                "{before:?}"
            );
            let path = paths::ADMIN_SEARCH_VOCABULARY.replace("{id}", "360000");
            platform
                .admin(
                    "PUT",
                    &path,
                    Some(serde_json::json!({
                        "entries": [{"terms": ["冇见哒"], "means": ["挂失"]}]
                    })),
                )
                .await;
            let report = client.sync_catalogue().await.unwrap();
            assert!(!report.unchanged, "a vocabulary change is not a 304");
            let after = client.search(&query);
            assert_eq!(
                after[0].item.app_action,
                Some(ecard_api::catalogue::AppAction::ReportLoss),
                "{after:?}"
            );
            assert_eq!(after[0].matched, search::MatchKind::Meaning);
            // The words survive a restart: the index is rebuilt from storage.
            drop(client);
            let reopened = platform.client(data.path()).await;
            assert_eq!(reopened.search(&query)[0].item.id, after[0].item.id);
        });
    }
}
