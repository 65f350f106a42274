//! The platform's database: opening it with its schema migrations, and
//! small helpers.
//!
//! SQLite runs one connection in WAL mode; every request is one
//! transaction, so a killed server never leaves half a submission behind.

use std::path::Path;

use crate::store::sql::{self, Connection, OptionalExtension, Transaction, params};
use ecard_migrations::{MigrationError, Migrations};

/// The platform's schema, applied by the runner the client core uses too;
/// script `i` produces version `i + 1`.
const SCHEMA: Migrations = Migrations::new(&[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_credential_revocation.sql"),
    include_str!("migrations/0003_account_deletion.sql"),
    include_str!("migrations/0004_identity_proofing.sql"),
    include_str!("migrations/0005_trust_authority.sql"),
    include_str!("migrations/0006_clearing.sql"),
    include_str!("migrations/0007_status_history.sql"),
    include_str!("migrations/0008_card_validity.sql"),
    include_str!("migrations/0009_search_vocabulary.sql"),
    include_str!("migrations/0010_minors.sql"),
    include_str!("migrations/0011_births.sql"),
    include_str!("migrations/0012_instant_issue.sql"),
    include_str!("migrations/0013_pseudonyms.sql"),
    include_str!("migrations/0014_login.sql"),
    include_str!("migrations/0015_service_points.sql"),
    include_str!("migrations/0016_concessions.sql"),
    include_str!("migrations/0017_eligibility_and_money.sql"),
    include_str!("migrations/0018_insurance_records.sql"),
    include_str!("migrations/0019_application_stages_on_row.sql"),
    include_str!("migrations/0020_device_indexes.sql"),
]);

/// Opens (creating if needed) and migrates the SQLite database at `path`
/// (`:memory:` for a throwaway one). A database from a newer release is
/// refused untouched.
pub fn open(path: &Path) -> Result<Connection, MigrationError> {
    let mut connection = crate::store::sql::open_sqlite(path)?;
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // A request's work runs under a savepoint, which copies each page it
    // changes to a sub-journal first; past 64 KiB (a submission with its
    // photo) SQLite spills that to a temporary file, opened, written and
    // deleted per request while every other request waits. In memory it
    // is a copy.
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    connection.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    SCHEMA.apply(&mut connection)?;
    Ok(Connection::sqlite(connection))
}

/// Reads an integer from the `meta` table.
pub fn meta_get(tx: &Transaction<'_>, key: &str) -> sql::Result<Option<i64>> {
    tx.query_row(
        "SELECT value FROM meta WHERE key = ?1",
        params![key],
        |row| row.get(0),
    )
    .optional()
}

/// Writes an integer to the `meta` table.
pub fn meta_set(tx: &Transaction<'_>, key: &str, value: i64) -> sql::Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Increments an integer in `meta` and returns the new value.
pub fn meta_increment(tx: &Transaction<'_>, key: &str) -> sql::Result<i64> {
    let next = meta_get(tx, key)?.unwrap_or(0) + 1;
    meta_set(tx, key, next)?;
    Ok(next)
}

/// A fresh random id with a readable prefix, e.g. `app-3f9c…`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", random_hex::<10>())
}

/// `N` random bytes (at most 16) in lowercase hex. The system RNG does not
/// fail on supported platforms; if it ever did, the bytes come from the
/// clock so the text stays unique.
pub fn random_hex<const N: usize>() -> String {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; N];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos())
            .to_be_bytes();
        let take = N.min(nanos.len());
        bytes[..take].copy_from_slice(&nanos[nanos.len() - take..]);
    }
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn a_database_from_a_newer_release_is_refused_untouched() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("platform.db");
        drop(open(&path).unwrap());
        let newer = SCHEMA.latest() + 1;
        rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", newer)
            .unwrap();
        assert!(matches!(
            open(&path),
            Err(MigrationError::NewerThanKnown { found, .. }) if found == newer
        ));
        let version: usize = rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version, newer);
    }
}
