//! The platform's schema on PostgreSQL, the production store: the same
//! tables, columns and version numbers as the SQLite schema
//! (`store/migrations/00NN_*.sql`), so the store facade runs the same SQL on
//! either database. Script `i` of [`SCRIPTS`] is the PostgreSQL form of
//! SQLite script `i` and takes the database from version `i` to `i + 1`.
//!
//! PostgreSQL has no `user_version`, so the version lives in a one-row table
//! `schema_version`. Several platform instances share one database and may
//! start together, so every migration transaction first takes a
//! transaction-scoped advisory lock ([`LOCK_KEY`]) and reads the version
//! under it: one instance runs each script, the others wait and find it
//! done. Each script runs in its own transaction together with the version
//! bump (PostgreSQL's DDL is transactional), so an instance killed half-way
//! leaves the previous version whole. A database at a version past the last
//! script (written by a newer release) is refused untouched, as the SQLite
//! runner refuses one.

use postgres::Client;

/// The PostgreSQL schema scripts, in order: script `i` produces version
/// `i + 1`, the same version the SQLite script `i` produces.
pub const SCRIPTS: &[&str] = &[
    include_str!("migrations/postgres/0001_initial.sql"),
    include_str!("migrations/postgres/0002_credential_revocation.sql"),
    include_str!("migrations/postgres/0003_account_deletion.sql"),
    include_str!("migrations/postgres/0004_identity_proofing.sql"),
    include_str!("migrations/postgres/0005_trust_authority.sql"),
    include_str!("migrations/postgres/0006_clearing.sql"),
    include_str!("migrations/postgres/0007_status_history.sql"),
    include_str!("migrations/postgres/0008_card_validity.sql"),
    include_str!("migrations/postgres/0009_search_vocabulary.sql"),
    include_str!("migrations/postgres/0010_minors.sql"),
    include_str!("migrations/postgres/0011_births.sql"),
    include_str!("migrations/postgres/0012_instant_issue.sql"),
    include_str!("migrations/postgres/0013_pseudonyms.sql"),
    include_str!("migrations/postgres/0014_login.sql"),
    include_str!("migrations/postgres/0015_service_points.sql"),
    include_str!("migrations/postgres/0016_concessions.sql"),
    include_str!("migrations/postgres/0017_eligibility_and_money.sql"),
    include_str!("migrations/postgres/0018_insurance_records.sql"),
    include_str!("migrations/postgres/0019_application_stages_on_row.sql"),
    include_str!("migrations/postgres/0020_device_indexes.sql"),
];

/// The advisory lock every migration transaction holds (`"ecardsch"` in
/// ASCII), so instances starting together migrate one at a time.
pub const LOCK_KEY: i64 = 0x6563_6172_6473_6368;

/// Why the PostgreSQL schema could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum PostgresSchemaError {
    /// PostgreSQL refused a script, the version bump or the connection; the
    /// database keeps the version before the failing script.
    #[error("PostgreSQL schema migration failed: {0}")]
    Database(#[from] postgres::Error),
    /// The server could not be reached, or refused the connection (its
    /// certificate not trusted, authentication failed): the error and its
    /// causes.
    #[error("cannot connect to the PostgreSQL server: {0}")]
    Connect(String),
    /// The database was written by a newer release.
    #[error(
        "the PostgreSQL database has schema version {found}, newer than the {known} this release knows"
    )]
    NewerThanKnown {
        /// The database's version.
        found: usize,
        /// The last version this release can produce.
        known: usize,
    },
}

/// Takes the migration lock and reads the version (creating
/// `schema_version` at version 0 if missing), inside `transaction`.
fn locked_version(
    transaction: &mut postgres::Transaction<'_>,
) -> Result<usize, PostgresSchemaError> {
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])?;
    transaction.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);
         INSERT INTO schema_version (version)
         SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);",
    )?;
    let version: i64 = transaction
        .query_one("SELECT version FROM schema_version", &[])?
        .get(0);
    // A negative version was not written by this runner and reads as
    // "nothing applied", as SQLite's `user_version` does.
    let version = usize::try_from(version).unwrap_or(0);
    if version > SCRIPTS.len() {
        return Err(PostgresSchemaError::NewerThanKnown {
            found: version,
            known: SCRIPTS.len(),
        });
    }
    Ok(version)
}

/// Brings the database to the latest version; returns the version it had
/// before. Safe to call from several instances at once: each script runs
/// once, under the advisory lock, in its own transaction with the version
/// bump. A database newer than [`SCRIPTS`] knows is refused untouched
/// ([`PostgresSchemaError::NewerThanKnown`]).
pub fn apply(client: &mut Client) -> Result<usize, PostgresSchemaError> {
    let mut transaction = client.transaction()?;
    // On an error the transaction rolls back when dropped: a refused
    // database keeps everything as it was.
    let before = locked_version(&mut transaction)?;
    transaction.commit()?;
    loop {
        let mut transaction = client.transaction()?;
        // Read again under the lock: another instance may have run scripts
        // since.
        let version = locked_version(&mut transaction)?;
        let Some(script) = SCRIPTS.get(version) else {
            transaction.commit()?;
            return Ok(before);
        };
        transaction.batch_execute(script)?;
        let next = i64::try_from(version + 1).unwrap_or(i64::MAX);
        transaction.execute("UPDATE schema_version SET version = $1", &[&next])?;
        transaction.commit()?;
    }
}

/// Opens a connection to a PostgreSQL server's database and brings its
/// schema up to date.
pub fn open(
    server: &crate::store::postgres_server::PostgresServer,
) -> Result<crate::store::sql::Connection, PostgresSchemaError> {
    let mut client = server.connect().map_err(|error| {
        PostgresSchemaError::Connect(crate::store::postgres_server::with_causes(&error))
    })?;
    apply(&mut client)?;
    Ok(crate::store::sql::Connection::postgres_client(client)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use super::*;
    use crate::store::test_postgres::TestDatabase;

    fn version(client: &mut Client) -> i64 {
        client
            .query_one("SELECT version FROM schema_version", &[])
            .unwrap()
            .get(0)
    }

    /// What the tests compare of a column: its type, NOT NULL and default.
    #[derive(Debug, PartialEq, Eq)]
    struct Column {
        kind: String,
        not_null: bool,
        default: Option<String>,
    }

    type Columns = BTreeMap<String, BTreeMap<String, Column>>;

    /// The SQLite declared type's PostgreSQL form.
    fn postgres_type(sqlite: &str) -> String {
        match sqlite.to_uppercase().as_str() {
            "INTEGER" => "bigint",
            "TEXT" => "text",
            "BLOB" => "bytea",
            "REAL" => "double precision",
            other => panic!("SQLite column type {other:?} has no mapping in the test"),
        }
        .to_owned()
    }

    fn sqlite_columns(connection: &rusqlite::Connection) -> Columns {
        let mut statement = connection
            .prepare(
                "SELECT m.name, c.name, c.type, c.\"notnull\" OR c.pk > 0, c.dflt_value \
                 FROM sqlite_master m, pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            )
            .unwrap();
        let mut tables = Columns::new();
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (table, column, kind, not_null, default) = row.unwrap();
            tables.entry(table.to_lowercase()).or_default().insert(
                column.to_lowercase(),
                Column {
                    kind: postgres_type(&kind),
                    not_null,
                    default,
                },
            );
        }
        tables
    }

    fn postgres_columns(client: &mut Client) -> Columns {
        let mut tables = Columns::new();
        for row in client
            .query(
                "SELECT table_name::text, column_name::text, data_type::text, \
                        is_nullable = 'NO', column_default::text \
                 FROM information_schema.columns \
                 WHERE table_schema = 'public' AND table_name <> 'schema_version'",
                &[],
            )
            .unwrap()
        {
            let default: Option<String> = row.get(4);
            tables
                .entry(row.get::<_, String>(0).to_lowercase())
                .or_default()
                .insert(
                    row.get::<_, String>(1).to_lowercase(),
                    Column {
                        kind: row.get(2),
                        not_null: row.get(3),
                        // PostgreSQL spells a text default `'[]'::text`.
                        default: default.map(|text| text.trim_end_matches("::text").to_owned()),
                    },
                );
        }
        tables
    }

    /// Per table: the primary key's columns, each UNIQUE column set and
    /// each foreign key, as `pk(a,b)`, `unique(a)`, `fk(a)->table(b)`.
    type Keys = BTreeMap<String, BTreeSet<String>>;

    /// A key being assembled: its columns, the referenced table and its
    /// columns (foreign keys only).
    type KeyParts = (Vec<String>, String, Vec<String>);

    fn sqlite_keys(connection: &rusqlite::Connection) -> Keys {
        // Rows of (table, key, column, referenced table, referenced column)
        // in column order, joined into one string per key.
        let mut parts: BTreeMap<(String, String), KeyParts> = BTreeMap::new();
        for sql in [
            "SELECT m.name, 'pk', c.name, '', '' \
             FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND c.pk > 0 \
             ORDER BY m.name, c.pk",
            "SELECT m.name, 'unique ' || i.name, c.name, '', '' \
             FROM sqlite_master m, pragma_index_list(m.name) i, pragma_index_info(i.name) c \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND i.origin = 'u' \
             ORDER BY m.name, i.name, c.seqno",
            "SELECT m.name, 'fk ' || f.id, f.\"from\", f.\"table\", f.\"to\" \
             FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             ORDER BY m.name, f.id, f.seq",
        ] {
            let mut statement = connection.prepare(sql).unwrap();
            let rows = statement
                .query_map([], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                    ))
                })
                .unwrap();
            for row in rows {
                let (table, key, column, target, target_column) = row.unwrap();
                let entry = parts.entry((table.to_lowercase(), key)).or_default();
                entry.0.push(column.to_lowercase());
                entry.1 = target.to_lowercase();
                if !target_column.is_empty() {
                    entry.2.push(target_column.to_lowercase());
                }
            }
        }
        let mut keys = Keys::new();
        for ((table, key), (columns, target, target_columns)) in parts {
            let kind = key.split(' ').next().unwrap_or_default();
            let mut text = format!("{kind}({})", columns.join(","));
            if kind == "fk" {
                text.push_str(&format!("->{target}({})", target_columns.join(",")));
            }
            keys.entry(table).or_default().insert(text);
        }
        keys
    }

    fn postgres_keys(client: &mut Client) -> Keys {
        let mut keys = Keys::new();
        for row in client
            .query(
                "SELECT c.conrelid::regclass::text, \
                   CASE c.contype WHEN 'p' THEN 'pk' WHEN 'u' THEN 'unique' ELSE 'fk' END \
                   || '(' || (SELECT string_agg(a.attname, ',' ORDER BY k.n) \
                       FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n) \
                       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) \
                   || ')' \
                   || CASE WHEN c.contype = 'f' THEN '->' || c.confrelid::regclass::text || '(' || \
                      (SELECT string_agg(a.attname, ',' ORDER BY k.n) \
                       FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n) \
                       JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) \
                      || ')' ELSE '' END \
                 FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace \
                 WHERE s.nspname = 'public' AND c.contype IN ('p', 'u', 'f') \
                   AND c.conrelid::regclass::text <> 'schema_version'",
                &[],
            )
            .unwrap()
        {
            keys.entry(row.get::<_, String>(0).to_lowercase())
                .or_default()
                .insert(row.get::<_, String>(1).to_lowercase());
        }
        keys
    }

    /// The explicitly created indexes (not those behind a key or UNIQUE
    /// constraint): name to `table(columns)`, with ` partial` for a partial
    /// index.
    type Indexes = BTreeMap<String, String>;

    fn sqlite_indexes(connection: &rusqlite::Connection) -> Indexes {
        let mut statement = connection
            .prepare(
                "SELECT m.name, m.tbl_name, i.partial, c.name \
                 FROM sqlite_master m, pragma_index_list(m.tbl_name) i, pragma_index_info(m.name) c \
                 WHERE m.type = 'index' AND m.sql IS NOT NULL AND i.name = m.name \
                 ORDER BY m.name, c.seqno",
            )
            .unwrap();
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, bool>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })
            .unwrap();
        let mut parts: BTreeMap<String, (String, bool, Vec<String>)> = BTreeMap::new();
        for row in rows {
            let (name, table, partial, column) = row.unwrap();
            let entry = parts.entry(name).or_default();
            entry.0 = table.to_lowercase();
            entry.1 = partial;
            entry.2.push(column.to_lowercase());
        }
        parts
            .into_iter()
            .map(|(name, (table, partial, columns))| {
                let partial = if partial { " partial" } else { "" };
                (name, format!("{table}({}){partial}", columns.join(",")))
            })
            .collect()
    }

    fn postgres_indexes(client: &mut Client) -> Indexes {
        client
            .query(
                "SELECT i.relname::text, t.relname::text || '(' || \
                   (SELECT string_agg(a.attname, ',' ORDER BY k.n) \
                    FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n) \
                    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) \
                   || ')' || CASE WHEN x.indpred IS NULL THEN '' ELSE ' partial' END \
                 FROM pg_index x \
                 JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_class t ON t.oid = x.indrelid \
                 JOIN pg_namespace s ON s.oid = i.relnamespace \
                 WHERE s.nspname = 'public' \
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                &[],
            )
            .unwrap()
            .into_iter()
            .map(|row| (row.get(0), row.get::<_, String>(1).to_lowercase()))
            .collect()
    }

    #[test]
    fn every_script_applies_to_an_empty_database_once() {
        let database = TestDatabase::new();
        let mut client = database.connect();
        assert_eq!(apply(&mut client).unwrap(), 0);
        assert_eq!(version(&mut client), 20);
        assert_eq!(SCRIPTS.len(), 20);
        // A second run is a no-op (a second CREATE TABLE would fail).
        assert_eq!(apply(&mut client).unwrap(), 20);
        assert_eq!(version(&mut client), 20);
        let rows: i64 = client
            .query_one("SELECT count(*) FROM schema_version", &[])
            .unwrap()
            .get(0);
        assert_eq!(rows, 1);
    }

    /// Asserts that the PostgreSQL database has the SQLite database's
    /// tables, columns (type, NOT NULL, default), keys and indexes;
    /// `context` names the version in a failure.
    fn assert_same_schema(sqlite: &rusqlite::Connection, client: &mut Client, context: &str) {
        let expected = sqlite_columns(sqlite);
        let found = postgres_columns(client);
        let names = |tables: &Columns| -> BTreeMap<String, BTreeSet<String>> {
            tables
                .iter()
                .map(|(table, columns)| (table.clone(), columns.keys().cloned().collect()))
                .collect()
        };
        // Names first, so a missing column reads plainly.
        assert_eq!(names(&found), names(&expected), "{context}");
        // Then each table's types, NOT NULL and defaults, one table at a
        // time so a failure names it.
        for (table, columns) in &expected {
            assert_eq!(&found[table], columns, "{context}: table {table}");
        }

        let keys = postgres_keys(client);
        let expected_keys = sqlite_keys(sqlite);
        assert_eq!(
            keys.keys().collect::<Vec<_>>(),
            expected_keys.keys().collect::<Vec<_>>(),
            "{context}: tables with keys"
        );
        for (table, keys) in &keys {
            assert_eq!(keys, &expected_keys[table], "{context}: table {table}");
        }
        assert_eq!(
            postgres_indexes(client),
            sqlite_indexes(sqlite),
            "{context}: indexes"
        );
    }

    #[test]
    fn the_tables_and_columns_are_the_sqlite_schemas() {
        let database = TestDatabase::new();
        let mut client = database.connect();
        apply(&mut client).unwrap();
        let sqlite = crate::store::db::open(Path::new(":memory:")).unwrap();
        assert_same_schema(sqlite.as_sqlite().unwrap(), &mut client, "latest version");
    }

    /// The `.sql` files of `directory`, sorted by name, with their text.
    fn sql_files(directory: &Path) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(directory)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "sql"))
            .map(|path| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn every_version_matches_the_sqlite_schema_of_the_same_version() {
        let sqlite_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
        let sqlite_files = sql_files(&sqlite_dir);
        let postgres_files = sql_files(&sqlite_dir.join("postgres"));
        // One PostgreSQL script per SQLite script, under the same name, in
        // SCRIPTS in the same order.
        let file_names = |files: &[(String, String)]| -> Vec<String> {
            files.iter().map(|(name, _)| name.clone()).collect()
        };
        assert_eq!(file_names(&postgres_files), file_names(&sqlite_files));
        assert_eq!(postgres_files.len(), SCRIPTS.len());
        for ((name, text), script) in postgres_files.iter().zip(SCRIPTS) {
            assert_eq!(text, script, "SCRIPTS is out of order at {name}");
            assert!(
                text.starts_with(&format!("-- PostgreSQL form of the SQLite script {name}")),
                "{name} does not open with its one-line comment"
            );
        }

        let database = TestDatabase::new();
        let mut client = database.connect();
        let sqlite = rusqlite::Connection::open_in_memory().unwrap();
        for ((name, sqlite_script), (_, postgres_script)) in
            sqlite_files.iter().zip(&postgres_files)
        {
            sqlite.execute_batch(sqlite_script).unwrap();
            client.batch_execute(postgres_script).unwrap();
            assert_same_schema(&sqlite, &mut client, &format!("after {name}"));
        }
    }

    #[test]
    fn a_newer_database_is_refused_untouched() {
        let database = TestDatabase::new();
        let mut client = database.connect();
        // A version past the last script, with only the first script's
        // tables: a refused apply would otherwise run the missing scripts.
        let newer = SCRIPTS.len() + 1;
        client
            .batch_execute(&format!(
                "{}\nCREATE TABLE schema_version (version BIGINT NOT NULL);\n\
                 INSERT INTO schema_version (version) VALUES ({newer});",
                SCRIPTS[0]
            ))
            .unwrap();
        let tables = |client: &mut Client| -> i64 {
            client
                .query_one(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                    &[],
                )
                .unwrap()
                .get(0)
        };
        let before = tables(&mut client);
        let error = apply(&mut client).unwrap_err();
        assert!(
            matches!(
                error,
                PostgresSchemaError::NewerThanKnown { found, known }
                    if found == newer && known == SCRIPTS.len()
            ),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains(&newer.to_string()) && message.contains(&SCRIPTS.len().to_string()),
            "{message}"
        );
        assert_eq!(version(&mut client), newer as i64);
        assert_eq!(tables(&mut client), before);
    }

    #[test]
    fn two_instances_starting_together_migrate_once() {
        let database = TestDatabase::new();
        let mut clients = [database.connect(), database.connect()];
        // Counts every CREATE TABLE: a script run twice would fail, or run
        // its CREATE TABLE statements twice.
        clients[0]
            .batch_execute(
                "CREATE TABLE created (name TEXT NOT NULL);
                 CREATE FUNCTION count_created() RETURNS event_trigger LANGUAGE plpgsql AS $$
                 BEGIN
                     INSERT INTO created (name)
                     SELECT object_identity FROM pg_event_trigger_ddl_commands()
                     WHERE command_tag = 'CREATE TABLE';
                 END;
                 $$;
                 CREATE EVENT TRIGGER count_created ON ddl_command_end
                 EXECUTE FUNCTION count_created();",
            )
            .unwrap();
        let barrier = std::sync::Barrier::new(2);
        let befores: Vec<usize> = std::thread::scope(|scope| {
            let handles: Vec<_> = clients
                .iter_mut()
                .map(|client| {
                    let barrier = &barrier;
                    scope.spawn(move || {
                        barrier.wait();
                        apply(client).unwrap()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| handle.join().unwrap())
                .collect()
        });
        let [mut client, _] = clients;
        assert!(befores.contains(&0), "{befores:?}");
        assert_eq!(version(&mut client), 20);
        let rows: i64 = client
            .query_one("SELECT count(*) FROM schema_version", &[])
            .unwrap()
            .get(0);
        assert_eq!(rows, 1);
        // Each table created exactly once (schema_version included).
        let created: Vec<(String, i64)> = client
            .query(
                "SELECT name, count(*) FROM created GROUP BY name HAVING count(*) > 1",
                &[],
            )
            .unwrap()
            .into_iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        assert!(created.is_empty(), "created more than once: {created:?}");
        let distinct: i64 = client
            .query_one("SELECT count(DISTINCT name) FROM created", &[])
            .unwrap()
            .get(0);
        let tables: i64 = client
            .query_one(
                "SELECT count(*) FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_name <> 'created'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(distinct, tables);
    }

    #[test]
    fn the_status_bit_triggers_and_generated_ids_work() {
        let database = TestDatabase::new();
        let mut client = database.connect();
        apply(&mut client).unwrap();
        client
            .batch_execute(
                "INSERT INTO status_bits (list, idx) VALUES (0, 3);
                 INSERT INTO status_bits (list, idx) VALUES (0, 3) ON CONFLICT DO NOTHING;
                 DELETE FROM status_bits WHERE list = 0 AND idx = 3;
                 INSERT INTO audit_log (at, actor_account, principal_person, action, object_id)
                 VALUES (1, 'a', 'p', 'x', 'o'), (2, 'a', 'p', 'x', 'o');",
            )
            .unwrap();
        let history: Vec<(i64, i64, i64)> = client
            .query(
                "SELECT id, idx, revoked FROM status_history ORDER BY id",
                &[],
            )
            .unwrap()
            .into_iter()
            .map(|row| (row.get(0), row.get(1), row.get(2)))
            .collect();
        assert_eq!(history, [(1, 3, 1), (2, 3, 0)]);
        let floor: i64 = client
            .query_one(
                "SELECT value FROM meta WHERE key = 'status_history_floor_0'",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(floor, 0);
        let ids: Vec<i64> = client
            .query("SELECT id FROM audit_log ORDER BY id", &[])
            .unwrap()
            .into_iter()
            .map(|row| row.get(0))
            .collect();
        assert_eq!(ids, [1, 2]);
    }
}
