//! A throwaway PostgreSQL database for the store's tests, on the server
//! `ECARD_TEST_POSTGRES` names (`scripts/postgres-cluster.sh start`).
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use postgres::{Client, NoTls};

/// A fresh database on the server `ECARD_TEST_POSTGRES` names, dropped
/// when the test ends (pass or fail).
pub(crate) struct TestDatabase {
    server: postgres::Config,
    name: String,
}

impl TestDatabase {
    pub(crate) fn new() -> TestDatabase {
        let url = std::env::var("ECARD_TEST_POSTGRES").unwrap_or_else(|_| {
            panic!(
                "ECARD_TEST_POSTGRES is not set: these tests need a PostgreSQL server. \
                 Run `scripts/postgres-cluster.sh install` once, then \
                 `export ECARD_TEST_POSTGRES=$(scripts/postgres-cluster.sh start /tmp/ecard-pg 55432)` \
                 (and `scripts/postgres-cluster.sh stop /tmp/ecard-pg` afterwards)"
            )
        });
        let server: postgres::Config = url
            .parse()
            .unwrap_or_else(|error| panic!("ECARD_TEST_POSTGRES={url:?}: {error}"));
        let mut random = [0u8; 8];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut random).unwrap();
        let name = random.iter().fold("ecard_store_".to_owned(), |name, byte| {
            format!("{name}{byte:02x}")
        });
        server
            .connect(NoTls)
            .unwrap_or_else(|error| {
                panic!(
                    "cannot connect to ECARD_TEST_POSTGRES={url:?} ({error}); \
                     is the cluster running? (scripts/postgres-cluster.sh start DIR PORT)"
                )
            })
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        TestDatabase { server, name }
    }

    /// The database's URL.
    pub(crate) fn url(&self) -> String {
        let host = match self.server.get_hosts().first() {
            Some(postgres::config::Host::Tcp(host)) => host.clone(),
            _ => "127.0.0.1".to_owned(),
        };
        let port = self.server.get_ports().first().copied().unwrap_or(5432);
        let user = self.server.get_user().unwrap_or("postgres");
        format!("postgres://{user}@{host}:{port}/{}", self.name)
    }

    /// A client of the database.
    pub(crate) fn connect(&self) -> Client {
        let mut config = self.server.clone();
        config.dbname(&self.name);
        config.connect(NoTls).unwrap()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Best effort: a failed drop must not hide the test's own panic.
        if let Ok(mut client) = self.server.connect(NoTls) {
            let _ = client.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
