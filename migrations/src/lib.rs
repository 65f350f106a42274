//! Numbered SQLite schema migrations: one runner for the client core's
//! database on the phone and the platform's database.
//!
//! A schema is a list of SQL scripts; script `i` takes the database from
//! version `i` to `i + 1`, and the version lives in SQLite's own
//! `user_version`, so there is no bookkeeping table to keep in step. Each
//! script runs in its own `IMMEDIATE` transaction together with the version
//! bump: a process killed half-way leaves the previous version whole, and
//! the next open runs the script again from the start.
//!
//! A database written by a newer release (a version past the last script,
//! after an app downgrade or a rolled-back deployment) is refused with
//! [`MigrationError::NewerThanKnown`] rather than used with a schema the
//! code does not know.

use rusqlite::{Connection, TransactionBehavior};

/// Why the schema could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// SQLite refused a script or the version bump; the database keeps the
    /// version before the failing script.
    #[error("schema migration failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer release.
    #[error("the database has schema version {found}, newer than the {known} this release knows")]
    NewerThanKnown {
        /// The database's version.
        found: usize,
        /// The last version this release can produce.
        known: usize,
    },
}

/// A schema's migration scripts, in order.
#[derive(Clone, Copy, Debug)]
pub struct Migrations {
    scripts: &'static [&'static str],
}

impl Migrations {
    /// The migrations whose script `i` produces version `i + 1`.
    pub const fn new(scripts: &'static [&'static str]) -> Migrations {
        Migrations { scripts }
    }

    /// The version the last script produces.
    pub const fn latest(&self) -> usize {
        self.scripts.len()
    }

    /// The database's current schema version.
    pub fn version(connection: &Connection) -> Result<usize, MigrationError> {
        let version: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
        // `user_version` is a signed 32-bit field; a negative one was not
        // written by this runner and reads as "nothing applied".
        Ok(usize::try_from(version).unwrap_or(0))
    }

    /// Brings the database to the latest version; returns the version it had
    /// before.
    pub fn apply(&self, connection: &mut Connection) -> Result<usize, MigrationError> {
        self.apply_up_to(connection, self.latest())
    }

    /// Brings the database to version `target` (at most the latest), for
    /// tests that start from an older schema; returns the version it had
    /// before.
    pub fn apply_up_to(
        &self,
        connection: &mut Connection,
        target: usize,
    ) -> Result<usize, MigrationError> {
        let found = Migrations::version(connection)?;
        if found > self.latest() {
            return Err(MigrationError::NewerThanKnown {
                found,
                known: self.latest(),
            });
        }
        let target = target.min(self.latest());
        for (index, script) in self.scripts.iter().enumerate().take(target).skip(found) {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            transaction.execute_batch(script)?;
            transaction.pragma_update(None, "user_version", index + 1)?;
            transaction.commit()?;
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    const SCRIPTS: &[&str] = &[
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
        "ALTER TABLE people ADD COLUMN phone TEXT;",
        "CREATE INDEX people_by_phone ON people (phone);",
    ];
    const SCHEMA: Migrations = Migrations::new(SCRIPTS);

    fn tables_and_indexes(connection: &Connection) -> Vec<String> {
        let mut statement = connection
            .prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_new_database_gets_every_script_once() {
        let mut connection = Connection::open_in_memory().unwrap();
        assert_eq!(SCHEMA.apply(&mut connection).unwrap(), 0);
        assert_eq!(Migrations::version(&connection).unwrap(), 3);
        assert_eq!(
            tables_and_indexes(&connection),
            ["people", "people_by_phone"]
        );
        // Running again changes nothing (a second ALTER TABLE would fail).
        assert_eq!(SCHEMA.apply(&mut connection).unwrap(), 3);
    }

    #[test]
    fn an_old_database_file_is_upgraded_step_by_step() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("old.db");
        {
            let mut connection = Connection::open(&path).unwrap();
            assert_eq!(SCHEMA.apply_up_to(&mut connection, 1).unwrap(), 0);
            connection
                .execute("INSERT INTO people (name) VALUES ('张伟')", [])
                .unwrap();
        }
        let mut connection = Connection::open(&path).unwrap();
        assert_eq!(SCHEMA.apply(&mut connection).unwrap(), 1);
        let kept: String = connection
            .query_row("SELECT name FROM people", [], |row| row.get(0))
            .unwrap();
        assert_eq!(kept, "张伟");
        assert_eq!(Migrations::version(&connection).unwrap(), 3);
    }

    #[test]
    fn a_failing_script_leaves_the_previous_version_whole() {
        const BROKEN: Migrations = Migrations::new(&[
            "CREATE TABLE people (id INTEGER PRIMARY KEY);",
            "CREATE TABLE cards (id INTEGER PRIMARY KEY); CREATE TABLE people (id INTEGER);",
        ]);
        let mut connection = Connection::open_in_memory().unwrap();
        assert!(matches!(
            BROKEN.apply(&mut connection),
            Err(MigrationError::Sqlite(_))
        ));
        assert_eq!(Migrations::version(&connection).unwrap(), 1);
        assert_eq!(
            tables_and_indexes(&connection),
            ["people"],
            "the half-run script's first statement was rolled back"
        );
    }

    #[test]
    fn a_database_from_a_newer_release_is_refused_untouched() {
        let mut connection = Connection::open_in_memory().unwrap();
        SCHEMA.apply(&mut connection).unwrap();
        connection.pragma_update(None, "user_version", 7).unwrap();
        match SCHEMA.apply(&mut connection) {
            Err(MigrationError::NewerThanKnown { found, known }) => {
                assert_eq!((found, known), (7, 3));
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(Migrations::version(&connection).unwrap(), 7);
    }

    #[test]
    fn a_target_past_the_last_script_stops_at_the_last() {
        let mut connection = Connection::open_in_memory().unwrap();
        SCHEMA.apply_up_to(&mut connection, 99).unwrap();
        assert_eq!(Migrations::version(&connection).unwrap(), SCHEMA.latest());
    }
}
