//! The platform's connections: one SQLite connection (SQLite has one
//! writer, and a second connection would only wait for the first), or
//! several PostgreSQL connections that requests use at the same time.
//!
//! A request takes a connection for its transactions and gives it back
//! when done; when all are in use it waits. A PostgreSQL connection found
//! broken (the server restarted) is dropped on its return and a new one is
//! opened in its place at the next take.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::store::postgres_server::PostgresServer;
use crate::store::sql::{self, Connection};

/// Where the connections come from.
enum Source {
    /// The one SQLite connection; nothing to reopen.
    Sqlite,
    /// A PostgreSQL server, reconnected to when a connection breaks.
    Postgres(PostgresServer),
}

/// The connections of a running platform.
///
/// Requests are served in the order they asked: a connection given back
/// goes straight to the request that has waited longest, which alone is
/// woken. Without the queue, a request arriving just then could take it
/// first, and under load some requests would wait many turns while others
/// waited none (the slowest answers, not the mean, grew).
pub struct Pool {
    idle: Mutex<Idle>,
    size: usize,
    source: Source,
}

struct Idle {
    connections: Vec<Connection>,
    /// Connections that broke and are not open again yet.
    missing: usize,
    /// The requests waiting, the longest-waiting first.
    waiting: VecDeque<Arc<Turn>>,
}

/// One waiting request's place in the queue: what it is handed.
#[derive(Default)]
struct Turn {
    handed: Mutex<Option<Handed>>,
    ready: Condvar,
}

/// What a waiting request is handed when its turn comes.
enum Handed {
    /// A connection to use.
    Connection(Connection),
    /// A slot whose connection broke: open a new one.
    Reopen,
}

impl Pool {
    /// A pool of the one SQLite connection.
    pub fn sqlite(connection: Connection) -> Pool {
        Pool {
            idle: Mutex::new(Idle {
                connections: vec![connection],
                missing: 0,
                waiting: VecDeque::new(),
            }),
            size: 1,
            source: Source::Sqlite,
        }
    }

    /// A pool of `size` connections to a PostgreSQL server, `first` among
    /// them; the others are opened now.
    pub fn postgres(server: &PostgresServer, first: Connection, size: usize) -> sql::Result<Pool> {
        let size = size.max(1);
        let mut connections = vec![first];
        while connections.len() < size {
            connections.push(Connection::postgres(server)?);
        }
        Ok(Pool {
            idle: Mutex::new(Idle {
                connections,
                missing: 0,
                waiting: VecDeque::new(),
            }),
            size,
            source: Source::Postgres(server.clone()),
        })
    }

    /// How many connections the pool holds when all are open.
    pub fn size(&self) -> usize {
        self.size
    }

    /// A connection, waiting in line while all are in use. A broken
    /// PostgreSQL connection is replaced here; if the server cannot be
    /// reached the error says so and the slot stays free for the next take.
    pub fn take(&self) -> sql::Result<Connection> {
        let turn = {
            let mut idle = self.lock_idle();
            if idle.waiting.is_empty() {
                if let Some(connection) = idle.connections.pop() {
                    return Ok(connection);
                }
                if idle.missing > 0 {
                    idle.missing -= 1;
                    drop(idle);
                    return self.reopen();
                }
            }
            let turn = Arc::new(Turn::default());
            idle.waiting.push_back(turn.clone());
            turn
        };
        let mut handed = turn.handed.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match handed.take() {
                Some(Handed::Connection(connection)) => return Ok(connection),
                Some(Handed::Reopen) => {
                    drop(handed);
                    return self.reopen();
                }
                None => {
                    handed = turn
                        .ready
                        .wait(handed)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }

    /// Gives a connection back (a broken one is dropped, to be opened
    /// again): to the request that has waited longest, if one waits.
    pub fn give_back(&self, connection: Connection) {
        let handed = if connection.is_broken() {
            Handed::Reopen
        } else {
            Handed::Connection(connection)
        };
        self.hand_on(handed);
    }

    /// Hands a connection, or a slot to reopen, to the first in line, or
    /// keeps it when nobody waits.
    fn hand_on(&self, handed: Handed) {
        let mut idle = self.lock_idle();
        match idle.waiting.pop_front() {
            Some(turn) => {
                drop(idle);
                *turn.handed.lock().unwrap_or_else(PoisonError::into_inner) = Some(handed);
                turn.ready.notify_one();
            }
            None => match handed {
                Handed::Connection(connection) => idle.connections.push(connection),
                Handed::Reopen => idle.missing += 1,
            },
        }
    }

    /// Opens a connection in a slot whose connection broke; on failure the
    /// slot goes on to the next in line.
    fn reopen(&self) -> sql::Result<Connection> {
        match &self.source {
            Source::Postgres(server) => Connection::postgres(server).inspect_err(|_| {
                self.hand_on(Handed::Reopen);
            }),
            Source::Sqlite => Err(sql::Error::Aborted { retryable: false }),
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Idle> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use std::path::Path;

    #[test]
    fn waiting_requests_get_the_connection_in_the_order_they_asked() {
        let pool = Arc::new(Pool::sqlite(Connection::sqlite(
            sql::open_sqlite(Path::new(":memory:")).unwrap(),
        )));
        let held = pool.take().unwrap();
        let served = Arc::new(Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        for index in 0..5 {
            let (waiter_pool, served) = (pool.clone(), served.clone());
            waiters.push(std::thread::spawn(move || {
                let connection = waiter_pool.take().unwrap();
                served.lock().unwrap().push(index);
                waiter_pool.give_back(connection);
            }));
            // The next one asks only once this one is in line.
            while pool.lock_idle().waiting.len() < index + 1 {
                std::thread::yield_now();
            }
        }
        pool.give_back(held);
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(*served.lock().unwrap(), [0, 1, 2, 3, 4]);
        // Given back with nobody waiting, it is kept for the next take.
        assert_eq!(pool.lock_idle().connections.len(), 1);
    }
}
