//! Local storage: one SQLite file in WAL mode with exactly one writer
//! connection and a small pool of readers, numbered migrations, field
//! encryption of personal data, and recovery from a corrupt file.
//!
//! Recovery keeps what cannot be fetched again: the session, pending
//! submissions (outbox), drafts and credentials are copied out of a damaged
//! file row by row where they can still be read; the catalogue is a cache
//! and is rebuilt by the next sync. What could not be saved is reported.

pub mod cipher;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::types::Value;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params,
};
use serde::Serialize;

use ecard_migrations::{MigrationError, Migrations};

use crate::error::StorageError;

/// Numbered migrations; entry `i` produces schema version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_client.sql"),
    include_str!("migrations/0002_workflows.sql"),
    include_str!("migrations/0003_search_vocabulary.sql"),
    include_str!("migrations/0004_documents.sql"),
];

/// The client's schema, applied by the runner the platform uses too.
const SCHEMA: Migrations = Migrations::new(MIGRATIONS);

/// Tables whose rows cannot be fetched again from the platform.
const PRECIOUS_TABLES: &[&str] = &["session", "outbox", "drafts", "credentials", "suspensions"];

const READERS: usize = 2;

/// What recovery from a corrupt database saved and lost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct RecoveryReport {
    /// Where the damaged file was moved.
    pub damaged_copy: String,
    /// Rows saved, per table.
    pub saved: Vec<RecoveredTable>,
    /// Tables that could not be read at all (their rows are lost).
    pub lost: Vec<String>,
}

/// Rows saved from one table of a damaged database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "js", derive(ts_rs::TS))]
pub struct RecoveredTable {
    /// The table.
    pub table: String,
    /// Rows saved.
    pub rows: u64,
}

/// The database.
pub struct Store {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn is_corruption(error: &MigrationError) -> bool {
    let MigrationError::Sqlite(error) = error else {
        return false;
    };
    matches!(
        error.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Applies the migrations after the file's current version, up to `target`.
/// A file written by a newer release is refused untouched.
pub fn migrate_to(connection: &mut Connection, target: usize) -> Result<(), MigrationError> {
    SCHEMA.apply_up_to(connection, target).map(|_| ())
}

fn open_writer(path: &Path) -> Result<Connection, MigrationError> {
    let mut connection = Connection::open(path)?;
    configure(&connection)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    migrate_to(&mut connection, MIGRATIONS.len())?;
    // Read every page once so a damaged file fails here, where it can be
    // recovered, not in the middle of a flow.
    let check: String = connection.query_row("PRAGMA quick_check(1)", [], |row| row.get(0))?;
    if check != "ok" {
        return Err(MigrationError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(check),
        )));
    }
    Ok(connection)
}

impl Store {
    /// Opens the database at `path`, recovering a corrupt file. Returns the
    /// store and, when recovery ran, its report.
    pub fn open(path: &Path) -> Result<(Store, Option<RecoveryReport>), StorageError> {
        let (writer, report) = match open_writer(path) {
            Ok(writer) => (writer, None),
            Err(error) if is_corruption(&error) => {
                tracing::warn!("database file is damaged; recovering");
                let report = recover(path)?;
                (open_writer(path).map_err(StorageError::from)?, Some(report))
            }
            Err(error) => return Err(error.into()),
        };
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&reader)?;
                Ok(Mutex::new(reader))
            })
            .collect::<Result<Vec<_>, rusqlite::Error>>()?;
        Ok((
            Store {
                path: path.to_owned(),
                writer: Mutex::new(writer),
                readers,
            },
            report,
        ))
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` in one write transaction; an error rolls everything back.
    pub fn write<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let mut connection = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `work` on a reader connection (sees committed data only).
    pub fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let connection = self.reader();
        work(&connection)
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        for reader in &self.readers {
            if let Ok(guard) = reader.try_lock() {
                return guard;
            }
        }
        self.readers[0]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Caps the file at about `bytes` (SQLite's page budget): writes past it
    /// fail with [`StorageError::DiskFull`] and roll back, as on a full disk.
    pub fn limit_size(&self, bytes: u64) -> Result<(), StorageError> {
        let connection = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let page_size: u64 = connection.pragma_query_value(None, "page_size", |row| row.get(0))?;
        connection.pragma_update(None, "max_page_count", (bytes / page_size.max(1)).max(1))?;
        Ok(())
    }

    /// Rewrites the file without free pages (after erasing data).
    pub fn vacuum(&self) -> Result<(), StorageError> {
        let connection = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        connection.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }

    /// A value from `meta`.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.read(|connection| {
            Ok(connection
                .query_row(
                    "SELECT value FROM meta WHERE key = ?1",
                    params![key],
                    |row| row.get(0),
                )
                .optional()?)
        })
    }
}

/// Sets a value in `meta` inside a transaction.
pub fn set_meta(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// A table's column names and rows.
type TableRows = (Vec<String>, Vec<Vec<Value>>);
type SavedRows = Vec<(String, Vec<String>, Vec<Vec<Value>>)>;

/// Copies the precious tables out of a damaged file, moves it aside and
/// writes a fresh file holding what was saved.
fn recover(path: &Path) -> Result<RecoveryReport, StorageError> {
    let mut saved: SavedRows = Vec::new();
    let mut lost = Vec::new();
    if let Ok(damaged) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY) {
        for table in PRECIOUS_TABLES {
            match read_table(&damaged, table) {
                Ok(Some((columns, rows))) => saved.push(((*table).to_owned(), columns, rows)),
                Ok(None) => {}
                Err(_) => lost.push((*table).to_owned()),
            }
        }
    } else {
        lost.extend(PRECIOUS_TABLES.iter().map(|table| (*table).to_owned()));
    }
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let damaged_copy = path.with_extension(format!("damaged-{stamp}"));
    std::fs::rename(path, &damaged_copy)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    let mut fresh = open_writer(path)?;
    let tx = fresh.transaction()?;
    let mut counts = Vec::new();
    for (table, columns, rows) in &saved {
        let placeholders = vec!["?"; columns.len()].join(", ");
        let sql = format!(
            "INSERT OR IGNORE INTO {table} ({}) VALUES ({placeholders})",
            columns.join(", ")
        );
        let mut inserted: u64 = 0;
        if let Ok(mut statement) = tx.prepare(&sql) {
            for row in rows {
                if statement
                    .execute(rusqlite::params_from_iter(row.iter()))
                    .is_ok()
                {
                    inserted += 1;
                }
            }
        }
        counts.push(RecoveredTable {
            table: table.clone(),
            rows: inserted,
        });
    }
    tx.commit()?;
    Ok(RecoveryReport {
        damaged_copy: damaged_copy.display().to_string(),
        saved: counts,
        lost,
    })
}

fn read_table(connection: &Connection, table: &str) -> rusqlite::Result<Option<TableRows>> {
    let exists: Option<String> = connection
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1",
            params![table],
            |row| row.get(0),
        )
        .optional()?;
    if exists.is_none() {
        return Ok(None);
    }
    let mut statement = connection.prepare(&format!("SELECT * FROM {table}"))?;
    let columns: Vec<String> = statement.column_names().map(str::to_owned).collect();
    let count = columns.len();
    let rows = statement
        .query_map([], |row| {
            (0..count)
                .map(|index| row.get::<_, Value>(index))
                .collect::<rusqlite::Result<Vec<_>>>()
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some((columns, rows)))
}
