//! The platform's connections: one SQLite connection (SQLite has one
//! writer, and a second connection would only wait for the first), or
//! several PostgreSQL connections that requests use at the same time.
//!
//! A request takes a connection for its transactions and gives it back
//! when done; when all are in use it waits. A PostgreSQL connection found
//! broken (the server restarted) is dropped on its return and a new one is
//! opened in its place at the next take.
//!
//! On SQLite, requests waiting in line commit in groups
//! ([`Pool::take_share`], [`Pool::end_share`]): a request done with the
//! connection hands it to the next one with its transaction still open,
//! and waits; the last of up to [`SHARES_PER_COMMIT`] commits for all and
//! wakes the others. Each request's work runs under a savepoint of its own,
//! so a failure undoes only its own work. A commit writes every page the
//! transaction changed to the log; a group writes the pages its requests
//! share (the ends of the nonce, audit and application tables and their
//! indexes) once, and pays the commit once, so the one connection serves
//! more requests a second. No request answers before its group commits.

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
    /// Whether the request may be handed a transaction others began
    /// ([`Pool::take_share`]).
    joins_groups: bool,
}

/// What a waiting request is handed when its turn comes.
enum Handed {
    /// A connection to use, with the group whose transaction is open on it
    /// (empty when none is).
    Connection(Connection, CommitGroup),
    /// A slot whose connection broke: open a new one.
    Reopen,
}

/// Requests that share one SQLite transaction at most, committed once for
/// all. More would commit less often, but the first of a group waits for
/// the others' work before it answers: eight keep that wait a few
/// milliseconds.
pub const SHARES_PER_COMMIT: usize = 8;

/// The requests whose work is in the open transaction and who wait for its
/// commit. Dropped unsettled (a panic), it tells them nothing committed.
#[derive(Default)]
pub struct CommitGroup {
    waiting: Vec<Arc<Ticket>>,
}

impl CommitGroup {
    fn settle(&mut self, committed: bool) {
        for ticket in self.waiting.drain(..) {
            ticket.settle(committed);
        }
    }
}

impl Drop for CommitGroup {
    fn drop(&mut self) {
        self.settle(false);
    }
}

/// A request's wait for the commit of the transaction its work is in.
#[derive(Default)]
pub struct Ticket {
    committed: Mutex<Option<bool>>,
    ready: Condvar,
}

impl Ticket {
    fn settle(&self, committed: bool) {
        *self
            .committed
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(committed);
        self.ready.notify_one();
    }

    /// Waits for the group's commit; [`sql::Error::NotCommitted`] if it
    /// failed.
    pub fn wait(&self) -> sql::Result<()> {
        let mut committed = self
            .committed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            match *committed {
                Some(true) => return Ok(()),
                Some(false) => return Err(sql::Error::NotCommitted),
                None => {
                    committed = self
                        .ready
                        .wait(committed)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }
}

/// How a request's share of a group ended ([`Pool::end_share`]).
pub enum ShareEnd {
    /// This request committed the group: the commit's outcome.
    Committed(sql::Result<()>),
    /// Handed on with the transaction open: wait for the commit.
    HandedOn(Arc<Ticket>),
}

impl ShareEnd {
    /// The group's commit: its outcome, waited for when the share was
    /// handed on.
    pub fn committed(self) -> sql::Result<()> {
        match self {
            ShareEnd::Committed(committed) => committed,
            ShareEnd::HandedOn(ticket) => ticket.wait(),
        }
    }
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
        // Nobody hands a group to a request that does not join them.
        self.take_in_turn(false)
            .map(|(connection, _no_group)| connection)
    }

    /// [`Pool::take`] for a request whose work may join a commit group:
    /// the connection may come with a transaction open, whose group the
    /// request passes to [`Pool::end_share`] when its work is done.
    pub fn take_share(&self) -> sql::Result<(Connection, CommitGroup)> {
        self.take_in_turn(true)
    }

    fn take_in_turn(&self, joins_groups: bool) -> sql::Result<(Connection, CommitGroup)> {
        let turn = {
            let mut idle = self.lock_idle();
            if idle.waiting.is_empty() {
                if let Some(connection) = idle.connections.pop() {
                    return Ok((connection, CommitGroup::default()));
                }
                if idle.missing > 0 {
                    idle.missing -= 1;
                    drop(idle);
                    return self
                        .reopen()
                        .map(|connection| (connection, CommitGroup::default()));
                }
            }
            let turn = Arc::new(Turn {
                joins_groups,
                ..Turn::default()
            });
            idle.waiting.push_back(turn.clone());
            turn
        };
        let mut handed = turn.handed.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match handed.take() {
                Some(Handed::Connection(connection, group)) => return Ok((connection, group)),
                Some(Handed::Reopen) => {
                    drop(handed);
                    return self
                        .reopen()
                        .map(|connection| (connection, CommitGroup::default()));
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
            Handed::Connection(connection, CommitGroup::default())
        };
        self.hand_on(handed);
    }

    /// Ends a request's share of the open transaction (its work done,
    /// [`sql::Connection::transact_as_share`]): hands the connection with
    /// the transaction open to the next in line if that one joins groups
    /// and the group has room; otherwise commits, tells the group, and
    /// gives the connection back.
    pub fn end_share(&self, mut connection: Connection, mut group: CommitGroup) -> ShareEnd {
        let open = connection.holds_open_transaction();
        if open && group.waiting.len() + 1 < SHARES_PER_COMMIT {
            let mut idle = self.lock_idle();
            if idle.waiting.front().is_some_and(|turn| turn.joins_groups)
                && let Some(turn) = idle.waiting.pop_front()
            {
                drop(idle);
                let ticket = Arc::new(Ticket::default());
                group.waiting.push(ticket.clone());
                turn.hand(Handed::Connection(connection, group));
                return ShareEnd::HandedOn(ticket);
            }
        }
        let committed = if open {
            connection
                .commit_open()
                .inspect_err(|_| connection.roll_back_open())
        } else if group.waiting.is_empty() {
            Ok(())
        } else {
            // SQLite rolled the transaction back under an earlier share.
            Err(sql::Error::NotCommitted)
        };
        group.settle(committed.is_ok());
        self.give_back(connection);
        ShareEnd::Committed(committed)
    }

    /// Hands a connection, or a slot to reopen, to the first in line, or
    /// keeps it when nobody waits.
    fn hand_on(&self, handed: Handed) {
        let mut idle = self.lock_idle();
        match idle.waiting.pop_front() {
            Some(turn) => {
                drop(idle);
                turn.hand(handed);
            }
            None => match handed {
                Handed::Connection(connection, _empty) => idle.connections.push(connection),
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

impl Turn {
    fn hand(&self, handed: Handed) {
        *self.handed.lock().unwrap_or_else(PoisonError::into_inner) = Some(handed);
        self.ready.notify_one();
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

/// What tests outside the store use to write and look for a change (the
/// HTTP layer holds no SQL, tests included).
#[cfg(test)]
pub(crate) mod test_support {
    use crate::store::sql::{self, Connection, Transaction};

    /// Writes a change a test can look for.
    pub fn write_marker(tx: &Transaction<'_>) -> sql::Result<()> {
        tx.execute_batch("CREATE TABLE marker (n INTEGER)")
    }

    /// Whether the change [`write_marker`] writes was committed.
    pub fn marker_was_written(connection: &Connection) -> bool {
        connection
            .as_sqlite()
            .and_then(|sqlite| {
                sqlite
                    .query_row(
                        "SELECT COUNT(*) FROM sqlite_master WHERE name = 'marker'",
                        [],
                        |row| row.get::<_, i64>(0),
                    )
                    .ok()
            })
            .is_some_and(|count| count > 0)
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

    /// A pool of one SQLite connection with a table `t (n INTEGER)`.
    fn pool_with_table() -> Arc<Pool> {
        let connection = sql::open_sqlite(Path::new(":memory:")).unwrap();
        connection
            .execute_batch("CREATE TABLE t (n INTEGER)")
            .unwrap();
        Arc::new(Pool::sqlite(Connection::sqlite(connection)))
    }

    fn numbers(pool: &Pool) -> Vec<i64> {
        let connection = pool.take().unwrap();
        assert!(!connection.holds_open_transaction(), "left open");
        let numbers = connection
            .as_sqlite()
            .unwrap()
            .prepare("SELECT n FROM t ORDER BY n")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        pool.give_back(connection);
        numbers
    }

    fn insert(tx: &sql::Transaction<'_>, n: i64) -> sql::Result<()> {
        tx.execute("INSERT INTO t (n) VALUES (?1)", sql::params![n])
            .map(drop)
    }

    /// What one request in line does: takes its share, runs `work`, ends
    /// the share and waits for the commit.
    fn share_in_line(
        pool: &Arc<Pool>,
        work: impl FnMut(&sql::Transaction<'_>) -> sql::Result<()> + Send + 'static,
    ) -> std::thread::JoinHandle<sql::Result<()>> {
        let in_line = pool.lock_idle().waiting.len();
        let pool_of_share = pool.clone();
        let share = std::thread::spawn(move || {
            let (mut connection, group) = pool_of_share.take_share().unwrap();
            let outcome = connection.transact_as_share(work);
            let committed = pool_of_share.end_share(connection, group).committed();
            outcome.and(committed)
        });
        while pool.lock_idle().waiting.len() < in_line + 1 {
            std::thread::yield_now();
        }
        share
    }

    #[test]
    fn requests_in_line_share_one_commit_and_answer_after_it() {
        let pool = pool_with_table();
        let (mut first, group) = pool.take_share().unwrap();
        let second = share_in_line(&pool, |tx| insert(tx, 2));
        let third = share_in_line(&pool, |tx| insert(tx, 3));
        first.transact_as_share(|tx| insert(tx, 1)).unwrap();
        let ShareEnd::HandedOn(ticket) = pool.end_share(first, group) else {
            panic!("the first committed alone with others in line");
        };
        ticket.wait().unwrap();
        second.join().unwrap().unwrap();
        third.join().unwrap().unwrap();
        assert_eq!(numbers(&pool), [1, 2, 3]);
    }

    #[test]
    fn a_share_that_fails_is_undone_alone() {
        let pool = pool_with_table();
        let (mut first, group) = pool.take_share().unwrap();
        let failing = share_in_line(&pool, |tx| {
            insert(tx, 2)?;
            Err(sql::Error::QueryReturnedNoRows)
        });
        let third = share_in_line(&pool, |tx| insert(tx, 3));
        first.transact_as_share(|tx| insert(tx, 1)).unwrap();
        let ShareEnd::HandedOn(ticket) = pool.end_share(first, group) else {
            panic!("not handed on");
        };
        assert!(matches!(
            failing.join().unwrap(),
            Err(sql::Error::QueryReturnedNoRows)
        ));
        ticket.wait().unwrap();
        third.join().unwrap().unwrap();
        assert_eq!(numbers(&pool), [1, 3]);
    }

    #[test]
    fn a_group_commits_before_the_connection_goes_to_a_request_outside_groups() {
        let pool = pool_with_table();
        let (mut first, group) = pool.take_share().unwrap();
        let outside = {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let connection = pool.take().unwrap();
                let open = connection.holds_open_transaction();
                pool.give_back(connection);
                open
            })
        };
        while pool.lock_idle().waiting.is_empty() {
            std::thread::yield_now();
        }
        first.transact_as_share(|tx| insert(tx, 1)).unwrap();
        assert!(matches!(
            pool.end_share(first, group),
            ShareEnd::Committed(Ok(()))
        ));
        assert!(!outside.join().unwrap(), "handed a transaction open");
        assert_eq!(numbers(&pool), [1]);
    }

    #[test]
    fn a_group_is_at_most_the_limit() {
        let pool = pool_with_table();
        let (mut first, group) = pool.take_share().unwrap();
        let in_line: Vec<_> = (2..=SHARES_PER_COMMIT as i64 + 1)
            .map(|n| share_in_line(&pool, move |tx| insert(tx, n)))
            .collect();
        first.transact_as_share(|tx| insert(tx, 1)).unwrap();
        let ShareEnd::HandedOn(ticket) = pool.end_share(first, group) else {
            panic!("not handed on");
        };
        // The first group commits without the last one in line.
        ticket.wait().unwrap();
        let committed_with_the_first = {
            let connection = pool.take().unwrap();
            let count: i64 = connection
                .as_sqlite()
                .unwrap()
                .query_row("SELECT COUNT(*) FROM t", [], |row| row.get(0))
                .unwrap();
            pool.give_back(connection);
            count
        };
        assert!(committed_with_the_first >= SHARES_PER_COMMIT as i64);
        for share in in_line {
            share.join().unwrap().unwrap();
        }
        assert_eq!(
            numbers(&pool),
            (1..=SHARES_PER_COMMIT as i64 + 1).collect::<Vec<_>>()
        );
    }

    /// SQLite rolls a transaction back by itself on a full disk or an I/O
    /// error: the shares before lose their work, and must not be told it
    /// committed, nor may the shares after commit theirs as if nothing
    /// happened.
    #[test]
    fn a_transaction_rolled_back_under_a_share_fails_the_whole_group() {
        let pool = pool_with_table();
        let (mut first, group) = pool.take_share().unwrap();
        let losing = share_in_line(&pool, |tx| tx.execute_batch("ROLLBACK"));
        let after = share_in_line(&pool, |tx| insert(tx, 3));
        first.transact_as_share(|tx| insert(tx, 1)).unwrap();
        let ShareEnd::HandedOn(ticket) = pool.end_share(first, group) else {
            panic!("not handed on");
        };
        assert!(matches!(ticket.wait(), Err(sql::Error::NotCommitted)));
        assert!(matches!(
            losing.join().unwrap(),
            Err(sql::Error::NotCommitted)
        ));
        after.join().unwrap().unwrap();
        assert_eq!(numbers(&pool), [3]);
    }

    #[test]
    fn a_group_dropped_unsettled_tells_its_requests_nothing_committed() {
        let ticket = Arc::new(Ticket::default());
        let group = CommitGroup {
            waiting: vec![ticket.clone()],
        };
        drop(group);
        assert!(matches!(ticket.wait(), Err(sql::Error::NotCommitted)));
    }
}
