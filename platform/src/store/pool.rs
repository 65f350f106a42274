//! The platform's connections: one SQLite connection (SQLite has one
//! writer, and a second connection would only wait for the first), or
//! several PostgreSQL connections that requests use at the same time.
//!
//! A request takes a connection for its transactions and gives it back
//! when done; when all are in use it waits. A PostgreSQL connection found
//! broken (the server restarted) is dropped on its return and a new one is
//! opened in its place at the next take.

use std::sync::{Condvar, Mutex, PoisonError};

use crate::store::sql::{self, Connection};

/// Where the connections come from.
enum Source {
    /// The one SQLite connection; nothing to reopen.
    Sqlite,
    /// A PostgreSQL server, reconnected to when a connection breaks.
    Postgres(String),
}

/// The connections of a running platform.
pub struct Pool {
    idle: Mutex<Idle>,
    returned: Condvar,
    size: usize,
    source: Source,
}

struct Idle {
    connections: Vec<Connection>,
    /// Connections that broke and are not open again yet.
    missing: usize,
}

impl Pool {
    /// A pool of the one SQLite connection.
    pub fn sqlite(connection: Connection) -> Pool {
        Pool {
            idle: Mutex::new(Idle {
                connections: vec![connection],
                missing: 0,
            }),
            returned: Condvar::new(),
            size: 1,
            source: Source::Sqlite,
        }
    }

    /// A pool of `size` connections to the PostgreSQL server at `url`,
    /// `first` among them; the others are opened now.
    pub fn postgres(url: &str, first: Connection, size: usize) -> sql::Result<Pool> {
        let size = size.max(1);
        let mut connections = vec![first];
        while connections.len() < size {
            connections.push(Connection::postgres(url)?);
        }
        Ok(Pool {
            idle: Mutex::new(Idle {
                connections,
                missing: 0,
            }),
            returned: Condvar::new(),
            size,
            source: Source::Postgres(url.to_owned()),
        })
    }

    /// How many connections the pool holds when all are open.
    pub fn size(&self) -> usize {
        self.size
    }

    /// A connection, waiting while all are in use. A broken PostgreSQL
    /// connection is replaced here; if the server cannot be reached the
    /// error says so and the slot stays free for the next take.
    pub fn take(&self) -> sql::Result<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(connection) = idle.connections.pop() {
                return Ok(connection);
            }
            if idle.missing > 0
                && let Source::Postgres(url) = &self.source
            {
                idle.missing -= 1;
                drop(idle);
                return Connection::postgres(url).inspect_err(|_| {
                    self.idle
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .missing += 1;
                    self.returned.notify_one();
                });
            }
            idle = self
                .returned
                .wait(idle)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Gives a connection back (a broken one is dropped, to be opened again).
    pub fn give_back(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if connection.is_broken() {
            idle.missing += 1;
        } else {
            idle.connections.push(connection);
        }
        drop(idle);
        self.returned.notify_one();
    }
}

impl Drop for Pool {
    /// A PostgreSQL connection closes by blocking on a runtime of its own,
    /// which Tokio forbids inside an async task: closed on a thread of
    /// their own then.
    fn drop(&mut self) {
        let idle = std::mem::take(
            &mut self
                .idle
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner)
                .connections,
        );
        if matches!(self.source, Source::Postgres(_))
            && tokio::runtime::Handle::try_current().is_ok()
        {
            std::thread::spawn(move || drop(idle));
        }
    }
}
