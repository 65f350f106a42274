//! Storage: upgrades from every earlier schema keep the data, a damaged
//! file is recovered keeping what can be kept, and sealed columns never hold
//! plaintext.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use ecard_core::storage::{MIGRATIONS, Store, migrate_to};
use rusqlite::{Connection, params};

/// Rows a schema of version `version` can hold, one per table that exists.
fn fill(connection: &Connection, version: usize) {
    if version >= 1 {
        connection
            .execute(
                "INSERT INTO session (id, account_id, person_id, device_id, key_alias, sealed) VALUES (1, 'acc-1', 'person-1', 'dev-1', 'ecard-device', x'01')",
                [],
            )
            .unwrap();
        connection
            .execute(
                "INSERT INTO credentials (card_id, purposes, person_id, role, credential, not_before, not_after, refresh_after, counter) \
                 VALUES ('card-1', 9, 'person-1', 'holder', x'0102', 1, 2, 1, 41)",
                [],
            )
            .unwrap();
        // Schema 3 dropped the stored pinyin keys.
        let insert = if version < 3 {
            "INSERT INTO catalogue_items (id, body, pinyin_full, pinyin_initials, version) VALUES ('N-001', '{}', 'a', 'a', 3)"
        } else {
            "INSERT INTO catalogue_items (id, body, version) VALUES ('N-001', '{}', 3)"
        };
        connection.execute(insert, []).unwrap();
    }
    if version >= 3 {
        connection
            .execute(
                "INSERT INTO search_vocabulary (region, body, version) VALUES ('360000', '{}', 1)",
                [],
            )
            .unwrap();
    }
    if version >= 2 {
        connection
            .execute(
                "INSERT INTO outbox (idempotency_key, action, method, path, sealed_body, state, next_attempt_at, created_at) \
                 VALUES ('key-1', 'application.submit', 'POST', '/v1/applications', x'01', 'pending', 0, 0)",
                [],
            )
            .unwrap();
        connection.execute("INSERT INTO drafts (draft_id, kind, sealed, updated_at) VALUES ('d-1', 'new_card', x'01', 0)", []).unwrap();
    }
}

fn count(store: &Store, table: &str) -> i64 {
    store
        .read(|connection| {
            Ok(
                connection.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| {
                    row.get(0)
                })?,
            )
        })
        .unwrap()
}

#[test]
fn upgrades_from_every_earlier_schema_keep_the_data() {
    for version in 0..=MIGRATIONS.len() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join("ecard.db");
        {
            let mut connection = Connection::open(&path).unwrap();
            migrate_to(&mut connection, version).unwrap();
            fill(&connection, version);
        }
        let (store, recovery) = Store::open(&path).unwrap();
        assert!(recovery.is_none(), "from version {version}");
        let schema: i64 = store
            .read(|connection| {
                Ok(connection.pragma_query_value(None, "user_version", |row| row.get(0))?)
            })
            .unwrap();
        assert_eq!(schema as usize, MIGRATIONS.len());
        if version >= 1 {
            assert_eq!(count(&store, "session"), 1, "from version {version}");
            let counter: i64 = store
                .read(|connection| {
                    Ok(connection
                        .query_row("SELECT counter FROM credentials", [], |row| row.get(0))?)
                })
                .unwrap();
            assert_eq!(counter, 41, "a counter must never go back");
        }
        if version >= 2 {
            assert_eq!(count(&store, "outbox"), 1);
        }
        // Every table of the latest schema is usable.
        for table in [
            "meta",
            "session",
            "profile",
            "credentials",
            "suspensions",
            "catalogue_items",
            "outlets",
            "rules",
            "sync_state",
            "drafts",
            "outbox",
            "workflow_cache",
        ] {
            count(&store, table);
        }
    }
}

#[test]
fn a_database_from_a_newer_release_is_refused_and_left_as_it_is() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("client.db");
    {
        let mut connection = Connection::open(&path).unwrap();
        migrate_to(&mut connection, MIGRATIONS.len()).unwrap();
        fill(&connection, MIGRATIONS.len());
        connection
            .pragma_update(None, "user_version", MIGRATIONS.len() + 1)
            .unwrap();
    }
    let refused = Store::open(&path).map(|_| ()).unwrap_err();
    assert!(
        matches!(refused, ecard_core::StorageError::Corrupt(ref why) if why.contains("newer")),
        "{refused:?}"
    );
    // Not treated as damage: no recovery ran, the rows are all still there.
    let connection = Connection::open(&path).unwrap();
    let sessions: i64 = connection
        .query_row("SELECT count(*) FROM session", [], |row| row.get(0))
        .unwrap();
    assert_eq!(sessions, 1);
    let left: Vec<_> = std::fs::read_dir(directory.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("damaged"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_file_that_is_not_a_database_is_rebuilt_and_reported() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ecard.db");
    std::fs::write(
        &path,
        b"this is not a SQLite file at all, just damage".repeat(200),
    )
    .unwrap();
    let (store, recovery) = Store::open(&path).unwrap();
    let recovery = recovery.expect("recovery ran");
    assert!(
        std::path::Path::new(&recovery.damaged_copy).exists(),
        "the damaged file is kept aside"
    );
    assert!(recovery.lost.contains(&"outbox".to_owned()));
    assert_eq!(count(&store, "catalogue_items"), 0);
    store
        .write(|tx| Ok(tx.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')", [])?))
        .unwrap();
}

#[test]
fn a_damaged_cache_is_rebuilt_and_the_outbox_kept() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("ecard.db");
    {
        let mut connection = Connection::open(&path).unwrap();
        connection.pragma_update(None, "page_size", 4096).unwrap();
        migrate_to(&mut connection, MIGRATIONS.len()).unwrap();
        fill(&connection, MIGRATIONS.len());
        // A big cache table, written last, so its pages sit at the end.
        let tx = connection.transaction().unwrap();
        for index in 0..3_000 {
            tx.execute(
                "INSERT INTO outlets (id, body, version) VALUES (?1, ?2, 1)",
                params![format!("O-{index:05}"), "x".repeat(300)],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        connection
            .pragma_update(None, "journal_mode", "DELETE")
            .unwrap();
    }
    // Damage the last quarter of the file (the outlet pages).
    let mut bytes = std::fs::read(&path).unwrap();
    let length = bytes.len();
    for (offset, byte) in bytes[length * 3 / 4..].iter_mut().enumerate() {
        *byte = (offset * 31 % 251) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();

    let (store, recovery) = Store::open(&path).unwrap();
    let recovery = recovery.expect("damage was detected");
    assert!(
        recovery
            .saved
            .iter()
            .any(|saved| saved.table == "outbox" && saved.rows == 1),
        "{recovery:?}"
    );
    assert!(
        recovery
            .saved
            .iter()
            .any(|saved| saved.table == "session" && saved.rows == 1),
        "{recovery:?}"
    );
    assert_eq!(count(&store, "outbox"), 1);
    assert_eq!(count(&store, "drafts"), 1);
    assert_eq!(
        count(&store, "outlets"),
        0,
        "the cache is rebuilt by the next sync"
    );
}
