//! One way to talk to the platform's database, whichever it is: SQLite
//! (the embedded default of the demo, the tests and development) or
//! PostgreSQL (the production store, shared by several instances).
//!
//! The platform's SQL is written once, in the dialect both accept
//! (`INSERT … ON CONFLICT`, `CASE` rather than two-argument `MAX`, numbered
//! `?N` placeholders, which this module turns into PostgreSQL's `$N`). The
//! shape of the API follows rusqlite's (`execute`, `query_row`,
//! `prepare(..).query_map`, [`OptionalExtension`], [`params!`]) so the
//! domain code reads the same as before the second store arrived.
//!
//! Values cross as [`Value`]: integers, reals, text, bytes and null, the
//! types SQLite has. The PostgreSQL schema stores every integer, flag and
//! time as `BIGINT`, so a value reads back the same from either store;
//! this module converts at the edge (a parameter PostgreSQL typed as
//! `boolean` or `integer`, a `numeric` sum read as an integer).
//!
//! Every statement is prepared once per connection and kept: SQLite's
//! statement cache, and a map of prepared statements per PostgreSQL
//! connection.

use std::cell::{Cell as Flag, RefCell};
use std::collections::HashMap;
use std::path::Path;

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type};

/// What went wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused a statement.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL refused a statement or the connection broke.
    #[error("postgres: {}", postgres_message(.0))]
    Postgres(#[from] postgres::Error),
    /// `query_row` found no row.
    #[error("the query returned no rows")]
    QueryReturnedNoRows,
    /// SQLite rolled back the transaction several requests shared (a full
    /// disk, an I/O error), so none of their work committed.
    #[error("the shared transaction was rolled back, so nothing in it committed")]
    NotCommitted,
    /// A statement of the transaction had failed, so PostgreSQL had
    /// rolled it back and it could not commit.
    #[error("the transaction was rolled back after a statement failed")]
    Aborted {
        /// Whether the failure was a conflict with a concurrent transaction.
        retryable: bool,
    },
    /// A column or parameter could not be converted.
    #[error("column or parameter {index}: {message}")]
    Conversion {
        /// The column's (or parameter's) index.
        index: usize,
        /// What did not fit.
        message: String,
    },
}

impl Error {
    /// A value in column `index` the caller could not read.
    pub fn conversion(index: usize, message: impl std::fmt::Display) -> Error {
        Error::Conversion {
            index,
            message: message.to_string(),
        }
    }

    /// Whether the whole transaction may simply be run again: PostgreSQL
    /// broke a conflict between concurrent transactions (serialization
    /// failure, deadlock).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Postgres(error) => is_conflict(error),
            Error::Aborted { retryable } => *retryable,
            _ => false,
        }
    }
}

impl From<Error> for crate::error::ApiError {
    fn from(error: Error) -> crate::error::ApiError {
        if error.is_retryable() {
            // Expected under concurrency: the transaction runs again.
            tracing::debug!(%error, "conflict with a concurrent transaction");
        } else {
            tracing::error!(%error, "database error");
        }
        crate::error::ApiError::new(ecard_api::problem::ProblemCode::Internal, "storage failure")
    }
}

/// A serialization failure or a deadlock: the transaction may run again.
fn is_conflict(error: &postgres::Error) -> bool {
    error.code().is_some_and(|code| {
        *code == postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
            || *code == postgres::error::SqlState::T_R_DEADLOCK_DETECTED
    })
}

/// PostgreSQL's own words for an error (the client's `Display` says only
/// "db error"): message, detail and SQLSTATE.
fn postgres_message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!(
            "{} ({}){}",
            db.message(),
            db.code().code(),
            db.detail()
                .map(|detail| format!(": {detail}"))
                .unwrap_or_default()
        ),
        None => error.to_string(),
    }
}

/// A database result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A value as both stores hold it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A 64-bit integer (also flags and times).
    Integer(i64),
    /// A double.
    Real(f64),
    /// UTF-8 text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// A Rust value that can be a statement parameter.
pub trait ToValue {
    /// The value to bind.
    fn to_value(&self) -> Result<Value>;
}

macro_rules! integer_to_value {
    ($($integer:ty),*) => {$(
        impl ToValue for $integer {
            fn to_value(&self) -> Result<Value> {
                i64::try_from(*self)
                    .map(Value::Integer)
                    .map_err(|_| Error::conversion(0, format!("{self} does not fit a 64-bit integer")))
            }
        }
    )*};
}
integer_to_value!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl ToValue for bool {
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Integer(i64::from(*self)))
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Real(*self))
    }
}

impl ToValue for str {
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Text(self.to_owned()))
    }
}

impl ToValue for String {
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Text(self.clone()))
    }
}

impl ToValue for [u8] {
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Blob(self.to_vec()))
    }
}

impl ToValue for Vec<u8> {
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Blob(self.clone()))
    }
}

impl<const N: usize> ToValue for [u8; N] {
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Blob(self.to_vec()))
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Result<Value> {
        Ok(self.clone())
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Result<Value> {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Result<Value> {
        match self {
            Some(value) => value.to_value(),
            None => Ok(Value::Null),
        }
    }
}

impl ToValue for std::borrow::Cow<'_, str> {
    fn to_value(&self) -> Result<Value> {
        Ok(Value::Text(self.to_string()))
    }
}

/// A statement's parameters: [`params!`] or `[]`.
pub trait Params {
    /// The values, in order (`?1` first).
    fn values(self) -> Result<Vec<Value>>;
}

impl Params for &[&dyn ToValue] {
    fn values(self) -> Result<Vec<Value>> {
        self.iter().map(|value| value.to_value()).collect()
    }
}

impl Params for [&dyn ToValue; 0] {
    fn values(self) -> Result<Vec<Value>> {
        Ok(Vec::new())
    }
}

impl Params for Vec<Value> {
    fn values(self) -> Result<Vec<Value>> {
        Ok(self)
    }
}

/// Parameters of a statement, as rusqlite's macro of the same name:
/// `params![person_id, now]`.
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::sql::ToValue]
    };
    ($($parameter:expr),+ $(,)?) => {
        &[$(&$parameter as &dyn $crate::store::sql::ToValue),+] as &[&dyn $crate::store::sql::ToValue]
    };
}
pub(crate) use params;

/// A Rust value that can be read from a column.
pub trait FromValue: Sized {
    /// Reads `value`, found in column `index`.
    fn from_value(value: Value, index: usize) -> Result<Self>;
}

impl FromValue for Value {
    fn from_value(value: Value, _index: usize) -> Result<Self> {
        Ok(value)
    }
}

fn wrong_type(value: &Value, index: usize, wanted: &str) -> Error {
    let found = match value {
        Value::Null => "null",
        Value::Integer(_) => "an integer",
        Value::Real(_) => "a real",
        Value::Text(_) => "text",
        Value::Blob(_) => "bytes",
    };
    Error::conversion(index, format!("{found} where {wanted} was expected"))
}

macro_rules! integer_from_value {
    ($($integer:ty),*) => {$(
        impl FromValue for $integer {
            fn from_value(value: Value, index: usize) -> Result<Self> {
                match value {
                    Value::Integer(integer) => <$integer>::try_from(integer).map_err(|_| {
                        Error::conversion(index, format!("{integer} is out of range for {}", stringify!($integer)))
                    }),
                    other => Err(wrong_type(&other, index, "an integer")),
                }
            }
        }
    )*};
}
integer_from_value!(i8, i16, i32, i64, u8, u16, u32, u64, usize);

impl FromValue for bool {
    fn from_value(value: Value, index: usize) -> Result<Self> {
        match value {
            Value::Integer(integer) => Ok(integer != 0),
            other => Err(wrong_type(&other, index, "a flag")),
        }
    }
}

impl FromValue for f64 {
    fn from_value(value: Value, index: usize) -> Result<Self> {
        match value {
            Value::Real(real) => Ok(real),
            Value::Integer(integer) => Ok(integer as f64),
            other => Err(wrong_type(&other, index, "a real")),
        }
    }
}

impl FromValue for String {
    fn from_value(value: Value, index: usize) -> Result<Self> {
        match value {
            Value::Text(text) => Ok(text),
            other => Err(wrong_type(&other, index, "text")),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: Value, index: usize) -> Result<Self> {
        match value {
            Value::Blob(bytes) => Ok(bytes),
            other => Err(wrong_type(&other, index, "bytes")),
        }
    }
}

impl<const N: usize> FromValue for [u8; N] {
    fn from_value(value: Value, index: usize) -> Result<Self> {
        let bytes = Vec::<u8>::from_value(value, index)?;
        let length = bytes.len();
        bytes.try_into().map_err(|_| {
            Error::conversion(index, format!("{length} bytes where {N} were expected"))
        })
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value, index: usize) -> Result<Self> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other, index).map(Some),
        }
    }
}

/// How a column is named: by its position from 0 (as rusqlite's `get`).
pub trait ColumnIndex {
    /// The position.
    fn position(self) -> usize;
}

impl ColumnIndex for usize {
    fn position(self) -> usize {
        self
    }
}

/// One row of a result.
pub struct Row<'r>(RowOf<'r>);

enum RowOf<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    /// Column `index` (from 0) as `T`.
    pub fn get<I: ColumnIndex, T: FromValue>(&self, index: I) -> Result<T> {
        let index = index.position();
        T::from_value(self.value(index)?, index)
    }

    fn value(&self, index: usize) -> Result<Value> {
        match &self.0 {
            RowOf::Sqlite(row) => Ok(match row.get_ref(index)? {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(integer) => Value::Integer(integer),
                rusqlite::types::ValueRef::Real(real) => Value::Real(real),
                rusqlite::types::ValueRef::Text(text) => Value::Text(
                    std::str::from_utf8(text)
                        .map_err(|error| Error::conversion(index, error))?
                        .to_owned(),
                ),
                rusqlite::types::ValueRef::Blob(bytes) => Value::Blob(bytes.to_vec()),
            }),
            RowOf::Postgres(row) => Ok(row.try_get::<_, Cell>(index)?.0),
        }
    }
}

/// Turns `Err(QueryReturnedNoRows)` into `Ok(None)`, as rusqlite's trait of
/// the same name.
pub trait OptionalExtension<T> {
    /// `Ok(None)` for no row.
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(Error::QueryReturnedNoRows) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

/// Prepared statements kept per PostgreSQL connection, beyond this many the
/// map starts again (SQL built at run time must not grow it without bound).
const POSTGRES_STATEMENTS_KEPT: usize = 512;

/// SQLite statements kept prepared per connection.
const SQLITE_STATEMENTS_KEPT: usize = 256;

/// How every PostgreSQL session of the platform is set up. Serializable
/// isolation watches what each transaction read: a row read through an
/// index is watched alone, but a table read by a sequential scan is
/// watched whole, so any write to it by a concurrent transaction is a
/// conflict and one of the two runs again. Every query of the platform is
/// a keyed look-up; with sequential scans off the planner reads small
/// tables through their indexes too, as it reads large ones.
pub const POSTGRES_SESSION: &str = "SET enable_seqscan = off";

/// A PostgreSQL connection and the statements prepared on it.
struct PostgresConnection {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

/// An open connection to either store.
pub struct Connection(ConnectionOf);

enum ConnectionOf {
    Sqlite(rusqlite::Connection),
    Postgres(Box<RefCell<PostgresConnection>>),
}

/// Which database a connection talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Connection {
    /// Wraps an open SQLite connection.
    pub fn sqlite(connection: rusqlite::Connection) -> Connection {
        connection.set_prepared_statement_cache_capacity(SQLITE_STATEMENTS_KEPT);
        Connection(ConnectionOf::Sqlite(connection))
    }

    /// Opens a connection to a PostgreSQL server.
    pub fn postgres(server: &crate::store::postgres_server::PostgresServer) -> Result<Connection> {
        Ok(Connection::postgres_client(server.connect()?)?)
    }

    /// Wraps an open PostgreSQL client, its session set up as every
    /// platform session is ([`POSTGRES_SESSION`]).
    pub fn postgres_client(mut client: postgres::Client) -> Result<Connection, postgres::Error> {
        client.batch_execute(POSTGRES_SESSION)?;
        Ok(Connection(ConnectionOf::Postgres(Box::new(RefCell::new(
            PostgresConnection {
                client,
                statements: HashMap::new(),
            },
        )))))
    }

    /// The store this connection talks to.
    pub fn dialect(&self) -> Dialect {
        match &self.0 {
            ConnectionOf::Sqlite(_) => Dialect::Sqlite,
            ConnectionOf::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The SQLite connection underneath, for what only SQLite has (its
    /// checkpoints and pragmas); `None` on PostgreSQL.
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.0 {
            ConnectionOf::Sqlite(connection) => Some(connection),
            ConnectionOf::Postgres(_) => None,
        }
    }

    /// Whether the connection is known to be broken (PostgreSQL's server
    /// went away); a pool opens a new one instead.
    pub fn is_broken(&self) -> bool {
        match &self.0 {
            ConnectionOf::Sqlite(_) => false,
            ConnectionOf::Postgres(connection) => connection
                .try_borrow()
                .map_or(true, |connection| connection.client.is_closed()),
        }
    }

    /// Starts a transaction that sees one consistent state and commits all
    /// or nothing: `BEGIN IMMEDIATE` on SQLite (the write lock up front),
    /// `SERIALIZABLE` on PostgreSQL (a conflict with a concurrent
    /// transaction fails with an error [`Error::is_retryable`] calls
    /// retryable, and the caller runs the work again).
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        Ok(Transaction(match &mut self.0 {
            ConnectionOf::Sqlite(connection) => {
                connection.execute_batch("BEGIN IMMEDIATE")?;
                TransactionOf::Sqlite(SqliteTransaction {
                    connection,
                    share: Share::Whole,
                    open: Flag::new(true),
                })
            }
            ConnectionOf::Postgres(connection) => {
                connection
                    .get_mut()
                    .client
                    .batch_execute("BEGIN ISOLATION LEVEL SERIALIZABLE")?;
                TransactionOf::Postgres(PostgresTransaction {
                    connection,
                    open: Flag::new(true),
                    failed: Flag::new(Failure::None),
                    savepoints: Flag::new(0),
                })
            }
        }))
    }
}

impl Connection {
    /// Runs `work` as one share of the transaction several requests share
    /// on SQLite (a commit group, [`crate::store::pool`]): under a savepoint
    /// of the open transaction, begun (`BEGIN IMMEDIATE`) if none is. Its
    /// changes stay when it succeeds and are undone when it fails; nothing
    /// commits here ([`Connection::commit_open`] does). On PostgreSQL,
    /// [`Connection::transact`].
    ///
    /// A failure that ended the whole transaction (SQLite rolls back by
    /// itself on a full disk or an I/O error) is reported as
    /// [`Error::NotCommitted`]: the shares before this one are gone too.
    pub fn transact_as_share<T, E: From<Error>>(
        &mut self,
        mut work: impl FnMut(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let ConnectionOf::Sqlite(connection) = &self.0 else {
            return self.transact(work);
        };
        if connection.is_autocommit() {
            connection
                .execute_batch("BEGIN IMMEDIATE")
                .map_err(Error::from)?;
        }
        connection
            .execute_batch("SAVEPOINT share")
            .map_err(Error::from)?;
        let tx = Transaction(TransactionOf::Sqlite(SqliteTransaction {
            connection,
            share: Share::OfGroup,
            open: Flag::new(true),
        }));
        let outcome = work(&tx).and_then(|value| {
            tx.commit()?;
            Ok(value)
        });
        if connection.is_autocommit() {
            return Err(Error::NotCommitted.into());
        }
        outcome
    }

    /// Whether a transaction [`Connection::transact_as_share`] left open is
    /// open on the connection (only ever on SQLite).
    pub fn holds_open_transaction(&self) -> bool {
        match &self.0 {
            ConnectionOf::Sqlite(connection) => !connection.is_autocommit(),
            ConnectionOf::Postgres(_) => false,
        }
    }

    /// Commits the transaction [`Connection::transact_as_share`] left open;
    /// nothing to do when none is (or on PostgreSQL).
    pub fn commit_open(&mut self) -> Result<()> {
        match &self.0 {
            ConnectionOf::Sqlite(connection) if !connection.is_autocommit() => {
                Ok(connection.execute_batch("COMMIT")?)
            }
            _ => Ok(()),
        }
    }

    /// Rolls back the transaction [`Connection::transact_as_share`] left
    /// open, if one is.
    pub fn roll_back_open(&mut self) {
        if let ConnectionOf::Sqlite(connection) = &self.0
            && !connection.is_autocommit()
        {
            // A rollback that fails leaves nothing committed either.
            let _ = connection.execute_batch("ROLLBACK");
        }
    }
}

/// Times a transaction is run before a conflict with concurrent ones is
/// given up on (PostgreSQL only: SQLite runs one writer at a time).
const ATTEMPTS: u32 = 16;

/// Attempts that run side by side with everyone else's; later ones wait
/// for their turn first ([`Connection::transact`]).
const ATTEMPTS_SIDE_BY_SIDE: u32 = 2;

/// The session advisory lock whose holder's transaction runs while other
/// contended ones wait.
const TURN_LOCK: i64 = 0x6563_6172_6474_726e; // "ecardtrn"

/// What one attempt of [`Connection::transact`] came to.
enum Attempt<T, E> {
    /// Committed, or failed for a reason another run would not change.
    Done(Result<T, E>),
    /// Met a conflict with a concurrent transaction: run again.
    Conflict(E),
}

impl Connection {
    /// Runs `work` in a transaction and commits it. When PostgreSQL broke
    /// a conflict with a concurrent transaction (serializable isolation:
    /// the transaction saw a state another changed under it), everything
    /// is rolled back and `work` runs again from the start after a short
    /// random pause, so the effect is as if the transactions had run one
    /// at a time. After two such conflicts the next attempts wait for
    /// their turn: a session advisory lock taken before the transaction
    /// starts, so its snapshot holds what the turn before committed and
    /// transactions that keep colliding run one after the other instead of
    /// starving.
    pub fn transact<T, E: From<Error>>(
        &mut self,
        work: impl FnMut(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.transact_from(1, work)
    }

    /// [`Connection::transact`] waiting for its turn from the first attempt
    /// (on PostgreSQL): for work every instance may start at once, such as
    /// seeding a new database.
    pub fn transact_in_turn<T, E: From<Error>>(
        &mut self,
        work: impl FnMut(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.transact_from(ATTEMPTS_SIDE_BY_SIDE + 1, work)
    }

    fn transact_from<T, E: From<Error>>(
        &mut self,
        first: u32,
        mut work: impl FnMut(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut attempt = first;
        loop {
            let in_turn = attempt > ATTEMPTS_SIDE_BY_SIDE && self.dialect() == Dialect::Postgres;
            if in_turn {
                self.advisory_lock(true)?;
            }
            let outcome = self.attempt(&mut work);
            if in_turn {
                // A failed unlock leaves the lock to the session's end:
                // a broken connection, which the pool drops.
                let _ = self.advisory_lock(false);
            }
            match outcome {
                Attempt::Done(result) => return result,
                Attempt::Conflict(error) if attempt >= first + ATTEMPTS - 1 => return Err(error),
                Attempt::Conflict(_) => {}
            }
            pause_before_retry(attempt);
            attempt += 1;
        }
    }

    fn attempt<T, E: From<Error>>(
        &mut self,
        work: &mut impl FnMut(&Transaction<'_>) -> Result<T, E>,
    ) -> Attempt<T, E> {
        let tx = match self.transaction() {
            Ok(tx) => tx,
            Err(error) => return Attempt::Done(Err(error.into())),
        };
        let outcome = work(&tx);
        let conflicted = tx.met_a_conflict();
        match outcome {
            Ok(value) => match tx.commit() {
                Ok(()) => Attempt::Done(Ok(value)),
                Err(error) if error.is_retryable() => Attempt::Conflict(error.into()),
                Err(error) => Attempt::Done(Err(error.into())),
            },
            Err(error) if conflicted => Attempt::Conflict(error),
            Err(error) => Attempt::Done(Err(error)),
        }
    }

    /// Takes (`true`) or releases the turn lock, outside any transaction.
    fn advisory_lock(&mut self, take: bool) -> Result<()> {
        if let ConnectionOf::Postgres(connection) = &mut self.0 {
            let sql = if take {
                "SELECT pg_advisory_lock($1)"
            } else {
                "SELECT pg_advisory_unlock($1)"
            };
            connection.get_mut().client.execute(sql, &[&TURN_LOCK])?;
        }
        Ok(())
    }
}

/// A random pause of up to 2^`attempt` ms (at most 256 ms), so
/// transactions that collided do not collide again.
fn pause_before_retry(attempt: u32) {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 4];
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    let ceiling = 1u64 << attempt.min(8);
    let micros = u64::from(u32::from_be_bytes(bytes)) % (ceiling * 1_000);
    std::thread::sleep(std::time::Duration::from_micros(micros));
}

/// A transaction: every statement of a request runs in one.
pub struct Transaction<'c>(TransactionOf<'c>);

enum TransactionOf<'c> {
    Sqlite(SqliteTransaction<'c>),
    Postgres(PostgresTransaction<'c>),
}

/// A transaction on a SQLite connection: a whole one, or one request's
/// share of a transaction several requests share.
struct SqliteTransaction<'c> {
    connection: &'c rusqlite::Connection,
    share: Share,
    /// Not committed (or released) or rolled back yet.
    open: Flag<bool>,
}

/// What a [`SqliteTransaction`] is of the connection's transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Share {
    /// All of it: `BEGIN IMMEDIATE` to `COMMIT`.
    Whole,
    /// The savepoint `share` in it, released by `commit`.
    OfGroup,
}

impl SqliteTransaction<'_> {
    /// Commits (or releases the share). A commit that fails leaves the
    /// transaction to the rollback on drop, so the connection never goes
    /// back to the pool with a transaction open.
    fn commit(&self) -> Result<()> {
        self.connection.execute_batch(match self.share {
            Share::Whole => "COMMIT",
            Share::OfGroup => "RELEASE share",
        })?;
        self.open.set(false);
        Ok(())
    }
}

impl Drop for SqliteTransaction<'_> {
    fn drop(&mut self) {
        if self.open.get() {
            // A rollback that fails leaves nothing committed either.
            let _ = self.connection.execute_batch(match self.share {
                Share::Whole => "ROLLBACK",
                Share::OfGroup => "ROLLBACK TO share; RELEASE share",
            });
        }
    }
}

/// A transaction on a PostgreSQL connection, begun and ended by this
/// module (so the type stays covariant in its lifetime, as rusqlite's is).
struct PostgresTransaction<'c> {
    connection: &'c RefCell<PostgresConnection>,
    /// Not committed or rolled back yet.
    open: Flag<bool>,
    /// The first statement that failed, if one did: PostgreSQL has then
    /// aborted the transaction, and a `COMMIT` would quietly roll it back,
    /// so `commit` refuses instead.
    failed: Flag<Failure>,
    /// Savepoints made so far, each named by its number.
    savepoints: Flag<u32>,
}

/// Whether and how a statement of a transaction failed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Failure {
    None,
    /// A conflict with a concurrent transaction.
    Conflict,
    /// Anything else.
    Other,
}

impl PostgresTransaction<'_> {
    /// Runs `work` on the client with the statement for `sql`, noting a
    /// failure.
    fn run<T>(
        &self,
        sql: &str,
        work: impl FnOnce(&mut postgres::Client, &postgres::Statement) -> Result<T, postgres::Error>,
    ) -> Result<T> {
        let mut connection = self.connection.borrow_mut();
        let PostgresConnection { client, statements } = &mut *connection;
        let outcome = match statements.get(sql) {
            Some(statement) => work(client, statement),
            None => client
                .prepare(&postgres_placeholders(sql))
                .and_then(|statement| {
                    if statements.len() >= POSTGRES_STATEMENTS_KEPT {
                        statements.clear();
                    }
                    let outcome = work(client, &statement);
                    statements.insert(sql.to_owned(), statement);
                    outcome
                }),
        };
        if let Err(error) = &outcome {
            self.note_failure(error);
            // The statement has placeholders, never values: no personal data.
            tracing::debug!(sql, error = %postgres_message(error), "statement failed");
        }
        Ok(outcome?)
    }

    fn note_failure(&self, error: &postgres::Error) {
        if self.failed.get() == Failure::None {
            self.failed.set(if is_conflict(error) {
                Failure::Conflict
            } else {
                Failure::Other
            });
        }
    }

    fn commit(&self) -> Result<()> {
        match self.failed.get() {
            Failure::None => {}
            failure => {
                return Err(Error::Aborted {
                    retryable: failure == Failure::Conflict,
                });
            }
        }
        self.open.set(false);
        Ok(self
            .connection
            .borrow_mut()
            .client
            .batch_execute("COMMIT")?)
    }
}

impl Drop for PostgresTransaction<'_> {
    fn drop(&mut self) {
        if self.open.get() {
            // A broken connection is dropped by the pool; nothing to undo.
            let _ = self
                .connection
                .borrow_mut()
                .client
                .batch_execute("ROLLBACK");
        }
    }
}

impl<'c> Transaction<'c> {
    /// The store this transaction runs on.
    pub fn dialect(&self) -> Dialect {
        match &self.0 {
            TransactionOf::Sqlite(_) => Dialect::Sqlite,
            TransactionOf::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The SQLite transaction underneath, for what only SQLite has; `None`
    /// on PostgreSQL.
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.0 {
            TransactionOf::Sqlite(transaction) => Some(transaction.connection),
            TransactionOf::Postgres(_) => None,
        }
    }

    /// Whether a statement of this transaction met a conflict with a
    /// concurrent transaction (PostgreSQL; never on SQLite): whatever the
    /// work made of that error, the transaction is to run again.
    pub fn met_a_conflict(&self) -> bool {
        match &self.0 {
            TransactionOf::Sqlite(_) => false,
            TransactionOf::Postgres(transaction) => transaction.failed.get() == Failure::Conflict,
        }
    }

    /// Runs a statement; returns the rows it changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        let values = params.values()?;
        match &self.0 {
            TransactionOf::Sqlite(transaction) => {
                Ok(transaction
                    .connection
                    .prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(values.iter()))?)
            }
            TransactionOf::Postgres(transaction) => {
                let changed = transaction.run(sql, |client, statement| {
                    client.execute(statement, &postgres_parameters(&values))
                })?;
                Ok(usize::try_from(changed).unwrap_or(usize::MAX))
            }
        }
    }

    /// Runs statements separated by `;`, without parameters.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match &self.0 {
            TransactionOf::Sqlite(transaction) => Ok(transaction.connection.execute_batch(sql)?),
            TransactionOf::Postgres(transaction) => {
                let outcome = transaction
                    .connection
                    .borrow_mut()
                    .client
                    .batch_execute(sql);
                if let Err(error) = &outcome {
                    transaction.note_failure(error);
                }
                Ok(outcome?)
            }
        }
    }

    /// The first row of a query, read by `read`;
    /// [`Error::QueryReturnedNoRows`] when there is none
    /// ([`OptionalExtension::optional`] makes that `None`).
    pub fn query_row<T, P, F>(&self, sql: &str, params: P, read: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        let values = params.values()?;
        match &self.0 {
            TransactionOf::Sqlite(transaction) => {
                let mut statement = transaction.connection.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
                match rows.next()? {
                    Some(row) => read(&Row(RowOf::Sqlite(row))),
                    None => Err(Error::QueryReturnedNoRows),
                }
            }
            TransactionOf::Postgres(transaction) => {
                let row = transaction
                    .run(sql, |client, statement| {
                        client.query(statement, &postgres_parameters(&values))
                    })?
                    .into_iter()
                    .next();
                match row {
                    Some(row) => read(&Row(RowOf::Postgres(&row))),
                    None => Err(Error::QueryReturnedNoRows),
                }
            }
        }
    }

    /// Every row of a query, each read by `read`, in order.
    fn query_all<T, F>(&self, sql: &str, values: &[Value], mut read: F) -> Result<Vec<T>>
    where
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        match &self.0 {
            TransactionOf::Sqlite(transaction) => {
                let mut statement = transaction.connection.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
                let mut read_rows = Vec::new();
                while let Some(row) = rows.next()? {
                    read_rows.push(read(&Row(RowOf::Sqlite(row)))?);
                }
                Ok(read_rows)
            }
            TransactionOf::Postgres(transaction) => {
                let rows = transaction.run(sql, |client, statement| {
                    client.query(statement, &postgres_parameters(values))
                })?;
                rows.iter()
                    .map(|row| read(&Row(RowOf::Postgres(row))))
                    .collect()
            }
        }
    }

    /// A statement to run (it is prepared at its first use and kept).
    pub fn prepare(&self, sql: &str) -> Result<Statement<'_, 'c>> {
        Ok(Statement {
            transaction: self,
            sql: sql.to_owned(),
        })
    }

    /// The same as [`Transaction::prepare`]: every statement is kept.
    pub fn prepare_cached(&self, sql: &str) -> Result<Statement<'_, 'c>> {
        self.prepare(sql)
    }

    /// Runs `work` so that its statements are undone if it fails, while
    /// what the transaction did before it stays (a savepoint): a request's
    /// admission (its nonce, the clock tick) commits even when the request
    /// is refused. A failure that met a conflict with a concurrent
    /// transaction is not undone here: the whole transaction is to run
    /// again ([`Transaction::met_a_conflict`]).
    ///
    /// On PostgreSQL a savepoint whose work succeeded is left to the
    /// commit, which ends it, instead of being released by a round trip of
    /// its own; each savepoint has a name of its own, so a rollback always
    /// goes back to its own savepoint.
    pub fn undone_on_failure<T, E: From<Error>>(
        &self,
        work: impl FnOnce(&Transaction<'c>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let (failed_before, name) = match &self.0 {
            TransactionOf::Sqlite(_) => (Failure::None, "work".to_owned()),
            TransactionOf::Postgres(transaction) => {
                let number = transaction.savepoints.get() + 1;
                transaction.savepoints.set(number);
                (transaction.failed.get(), format!("work_{number}"))
            }
        };
        self.execute_batch(&format!("SAVEPOINT {name}"))?;
        match work(self) {
            Ok(value) => {
                if let TransactionOf::Sqlite(_) = &self.0 {
                    self.execute_batch(&format!("RELEASE {name}"))?;
                }
                Ok(value)
            }
            Err(error) if self.met_a_conflict() => Err(error),
            Err(error) => {
                self.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?;
                if let TransactionOf::Postgres(transaction) = &self.0 {
                    // Rolled back to before the failed statement: PostgreSQL
                    // takes statements again and the rest may commit.
                    transaction.failed.set(failed_before);
                }
                Err(error)
            }
        }
    }

    /// Commits.
    pub fn commit(self) -> Result<()> {
        match self.0 {
            TransactionOf::Sqlite(transaction) => transaction.commit(),
            TransactionOf::Postgres(transaction) => transaction.commit(),
        }
    }
}

/// A statement of a transaction, run as often as needed.
pub struct Statement<'t, 'c> {
    transaction: &'t Transaction<'c>,
    sql: String,
}

impl Statement<'_, '_> {
    /// Every row, each read by `read`.
    pub fn query_map<T, P, F>(
        &mut self,
        params: P,
        read: F,
    ) -> Result<std::vec::IntoIter<Result<T>>>
    where
        P: Params,
        F: FnMut(&Row<'_>) -> Result<T>,
    {
        let values = params.values()?;
        let rows = self.transaction.query_all(&self.sql, &values, read)?;
        Ok(rows.into_iter().map(Ok).collect::<Vec<_>>().into_iter())
    }

    /// The first row, read by `read`.
    pub fn query_row<T, P, F>(&mut self, params: P, read: F) -> Result<T>
    where
        P: Params,
        F: FnOnce(&Row<'_>) -> Result<T>,
    {
        self.transaction.query_row(&self.sql, params, read)
    }

    /// Runs the statement; returns the rows it changed.
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        self.transaction.execute(&self.sql, params)
    }
}

fn postgres_parameters(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|value| value as &(dyn ToSql + Sync))
        .collect()
}

/// `?N` placeholders as PostgreSQL's `$N`, outside quoted text.
pub fn postgres_placeholders(sql: &str) -> String {
    let mut translated = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    for character in sql.chars() {
        match quote {
            Some(open) => {
                if character == open {
                    quote = None;
                }
                translated.push(character);
            }
            None => match character {
                '\'' | '"' => {
                    quote = Some(character);
                    translated.push(character);
                }
                '?' => translated.push('$'),
                _ => translated.push(character),
            },
        }
    }
    translated
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(integer) => ValueRef::Integer(*integer),
            Value::Real(real) => ValueRef::Real(*real),
            Value::Text(text) => ValueRef::Text(text.as_bytes()),
            Value::Blob(bytes) => ValueRef::Blob(bytes),
        }))
    }
}

type BoxedError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxedError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(integer) => match *ty {
                Type::INT8 => integer.to_sql(ty, out),
                Type::INT4 => i32::try_from(*integer)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*integer)?.to_sql(ty, out),
                Type::BOOL => (*integer != 0).to_sql(ty, out),
                Type::FLOAT8 => (*integer as f64).to_sql(ty, out),
                _ => Err(format!("an integer cannot be bound where {ty} is expected").into()),
            },
            Value::Real(real) => match *ty {
                Type::FLOAT8 => real.to_sql(ty, out),
                Type::FLOAT4 => (*real as f32).to_sql(ty, out),
                _ => Err(format!("a real cannot be bound where {ty} is expected").into()),
            },
            Value::Text(text) => match *ty {
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(text.as_bytes());
                    Ok(IsNull::No)
                }
                Type::TEXT
                | Type::VARCHAR
                | Type::BPCHAR
                | Type::NAME
                | Type::JSON
                | Type::UNKNOWN => {
                    out.extend_from_slice(text.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(format!("text cannot be bound where {ty} is expected").into()),
            },
            Value::Blob(bytes) => match *ty {
                Type::BYTEA => {
                    out.extend_from_slice(bytes);
                    Ok(IsNull::No)
                }
                _ => Err(format!("bytes cannot be bound where {ty} is expected").into()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A PostgreSQL column of any type the platform reads, as a [`Value`].
struct Cell(Value);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Cell, BoxedError> {
        Ok(Cell(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => {
                Value::Text(std::str::from_utf8(raw)?.to_owned())
            }
            Type::JSONB => {
                Value::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?.to_owned())
            }
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::NUMERIC => numeric(raw)?,
            _ => return Err(format!("a column of type {ty} cannot be read").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Cell, BoxedError> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary `numeric` (what `SUM` of a `BIGINT` gives): a whole
/// number as an integer, anything else as a real.
fn numeric(raw: &[u8]) -> std::result::Result<Value, BoxedError> {
    let field = |at: usize| -> std::result::Result<i16, BoxedError> {
        let bytes = raw.get(at..at + 2).ok_or("a truncated numeric")?;
        Ok(i16::from_be_bytes([bytes[0], bytes[1]]))
    };
    let digits = usize::try_from(field(0)?)?;
    let weight = i32::from(field(2)?);
    let sign = field(4)? as u16;
    if sign == 0xC000 {
        return Err("a numeric that is not a number".into());
    }
    let mut whole: i128 = 0;
    let mut fraction = 0.0f64;
    for position in 0..digits {
        let digit = i128::from(field(8 + 2 * position)?);
        let power = weight - i32::try_from(position)?;
        if power >= 0 {
            whole = whole
                .checked_mul(10_000)
                .and_then(|whole| whole.checked_add(digit))
                .ok_or("a numeric too large")?;
        } else {
            fraction += digit as f64 * 10_000f64.powi(power);
        }
    }
    // Digits past the last stored one are zeros.
    let stored_whole_digits = weight + 1;
    let missing = stored_whole_digits - i32::try_from(digits)?;
    for _ in 0..missing.max(0) {
        whole = whole.checked_mul(10_000).ok_or("a numeric too large")?;
    }
    let negative = sign == 0x4000;
    if fraction == 0.0 {
        let whole = if negative { -whole } else { whole };
        return Ok(Value::Integer(i64::try_from(whole)?));
    }
    let real = whole as f64 + fraction;
    Ok(Value::Real(if negative { -real } else { real }))
}

/// Runs `work`, which may use the database, on a thread of its own when
/// called from an async task: the PostgreSQL client blocks on a runtime of
/// its own, which Tokio forbids inside another. Request handlers need none
/// of this (they run on the blocking pool).
pub fn off_the_runtime<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    std::thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Opens a SQLite file (`:memory:` for a throwaway database).
pub fn open_sqlite(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    if path.as_os_str() == ":memory:" {
        rusqlite::Connection::open_in_memory()
    } else {
        rusqlite::Connection::open(path)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;
    use crate::store::postgres_server::test_server;

    #[test]
    fn placeholders_outside_quotes_become_dollar_signs() {
        assert_eq!(
            postgres_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?x' AND d = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?x' AND d = $12"
        );
    }

    #[test]
    fn a_sqlite_transaction_reads_what_it_wrote() {
        let mut connection = Connection::sqlite(open_sqlite(Path::new(":memory:")).unwrap());
        let tx = connection.transaction().unwrap();
        tx.execute_batch("CREATE TABLE t (a INTEGER, b TEXT, c BLOB)")
            .unwrap();
        tx.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            params![7u32, "x", vec![1u8, 2]],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            params![8, None::<String>, [3u8]],
        )
        .unwrap();
        let rows: Vec<(u32, Option<String>, Vec<u8>)> = tx
            .prepare("SELECT a, b, c FROM t ORDER BY a")
            .unwrap()
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(
            rows,
            [(7, Some("x".to_owned()), vec![1, 2]), (8, None, vec![3])]
        );
        let none = tx
            .query_row("SELECT a FROM t WHERE a = ?1", params![9], |row| {
                row.get::<_, i64>(0)
            })
            .optional()
            .unwrap();
        assert_eq!(none, None);
        let wrong = tx.query_row("SELECT b FROM t WHERE a = 7", [], |row| {
            row.get::<_, i64>(0)
        });
        assert!(matches!(wrong, Err(Error::Conversion { index: 0, .. })));
        tx.commit().unwrap();
    }

    /// A commit SQLite refuses (here a deferred foreign key) leaves the
    /// transaction open unless it is rolled back: the next request would
    /// find it open, or join it.
    #[test]
    fn a_sqlite_commit_that_fails_leaves_no_transaction_open() {
        let connection = open_sqlite(Path::new(":memory:")).unwrap();
        connection
            .execute_batch(
                "PRAGMA foreign_keys = ON; CREATE TABLE parent (id INTEGER PRIMARY KEY); \
                 CREATE TABLE child (parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
            )
            .unwrap();
        let mut connection = Connection::sqlite(connection);
        let orphan = |tx: &Transaction<'_>| tx.execute("INSERT INTO child VALUES (7)", []);
        assert!(connection.transact(orphan).is_err());
        assert!(!connection.holds_open_transaction());
        connection
            .transact(|tx| tx.execute("INSERT INTO parent VALUES (1)", []))
            .unwrap();
        // A group's commit fails the same way and is rolled back.
        connection.transact_as_share(orphan).unwrap();
        assert!(connection.holds_open_transaction());
        assert!(connection.commit_open().is_err());
        connection.roll_back_open();
        assert!(!connection.holds_open_transaction());
        let children: i64 = connection
            .as_sqlite()
            .unwrap()
            .query_row("SELECT COUNT(*) FROM child", [], |row| row.get(0))
            .unwrap();
        assert_eq!(children, 0);
    }

    #[test]
    fn a_postgres_transaction_reads_what_it_wrote_with_sqlites_types() {
        let database = crate::store::test_postgres::TestDatabase::new();
        let mut connection = Connection::postgres(&test_server(&database)).unwrap();
        let tx = connection.transaction().unwrap();
        tx.execute_batch(
            "CREATE TABLE t (a BIGINT PRIMARY KEY, b TEXT, c BYTEA, d BIGINT NOT NULL)",
        )
        .unwrap();
        tx.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
            params![7u32, "x", vec![1u8, 2], true],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
            params![8, None::<String>, [3u8], false],
        )
        .unwrap();
        // A repeat is ignored, as SQLite's `INSERT OR IGNORE` did.
        let ignored = tx
            .execute(
                "INSERT INTO t VALUES (?1, 'y', NULL, 0) ON CONFLICT DO NOTHING",
                params![7],
            )
            .unwrap();
        assert_eq!(ignored, 0);
        let rows: Vec<(u32, Option<String>, Vec<u8>, bool)> = tx
            .prepare("SELECT a, b, c, d FROM t ORDER BY a")
            .unwrap()
            .query_map([], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (7, Some("x".to_owned()), vec![1, 2], true),
                (8, None, vec![3], false)
            ]
        );
        // `SUM` is `numeric`, `COUNT` and `1` other integer types, a
        // comparison `boolean`: each reads as SQLite's would.
        let (sum, count, one, flag): (i64, u64, i64, bool) = tx
            .query_row(
                "SELECT SUM(a), COUNT(*), 1, (?1 OR MAX(a) > 8) FROM t WHERE a >= ?2",
                params![false, 7],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .unwrap();
        assert_eq!((sum, count, one, flag), (15, 2, 1, false));
        let none = tx
            .query_row("SELECT a FROM t WHERE a = ?1", params![9], |row| {
                row.get::<_, i64>(0)
            })
            .optional()
            .unwrap();
        assert_eq!(none, None);
        tx.commit().unwrap();
    }

    /// A request's admission (here the row 1) commits even when its work
    /// (rows 2 and 3, then a failing statement) is refused: the work's
    /// statements are undone, the admission's stay, on both stores; so do
    /// those of a work that succeeded (row 4) when a later one fails, and
    /// an inner work that succeeded is undone with the outer one failing.
    fn work_that_fails_is_undone_and_what_came_before_commits(mut connection: Connection) {
        let setup = connection.transaction().unwrap();
        setup
            .execute_batch("CREATE TABLE t (a BIGINT PRIMARY KEY)")
            .unwrap();
        setup.commit().unwrap();
        let outcome: Result<()> = connection.transact(|tx| {
            tx.execute("INSERT INTO t VALUES (1)", [])?;
            let refused = tx.undone_on_failure(|tx| {
                tx.execute("INSERT INTO t VALUES (2)", [])?;
                tx.execute("INSERT INTO t VALUES (3)", [])?;
                // A statement that fails, its error swallowed first.
                let _ = tx.execute("INSERT INTO t VALUES (3)", []);
                tx.execute("INSERT INTO t VALUES (3)", []).map(|_| ())
            });
            assert!(refused.is_err());
            let kept = tx.undone_on_failure(|tx| tx.execute("INSERT INTO t VALUES (4)", []));
            assert_eq!(kept.unwrap(), 1);
            // A work that fails after one that succeeded undoes only itself.
            let refused = tx.undone_on_failure(|tx| {
                tx.execute("INSERT INTO t VALUES (5)", [])?;
                tx.execute("INSERT INTO t VALUES (4)", [])
            });
            assert!(refused.is_err());
            // A work that succeeded inside one that fails is undone with it.
            let refused = tx.undone_on_failure(|tx| {
                tx.undone_on_failure(|tx| tx.execute("INSERT INTO t VALUES (6)", []))?;
                tx.execute("INSERT INTO t VALUES (1)", [])
            });
            assert!(refused.is_err());
            Ok(())
        });
        outcome.unwrap();
        let tx = connection.transaction().unwrap();
        let rows: Vec<i64> = tx
            .prepare("SELECT a FROM t ORDER BY a")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(rows, [1, 4]);
    }

    #[test]
    fn on_sqlite_work_that_fails_is_undone_and_what_came_before_commits() {
        work_that_fails_is_undone_and_what_came_before_commits(Connection::sqlite(
            open_sqlite(Path::new(":memory:")).unwrap(),
        ));
    }

    #[test]
    fn on_postgres_work_that_fails_is_undone_and_what_came_before_commits() {
        let database = crate::store::test_postgres::TestDatabase::new();
        work_that_fails_is_undone_and_what_came_before_commits(
            Connection::postgres(&test_server(&database)).unwrap(),
        );
    }

    #[test]
    fn a_failed_statement_keeps_a_postgres_transaction_from_committing() {
        let database = crate::store::test_postgres::TestDatabase::new();
        let mut connection = Connection::postgres(&test_server(&database)).unwrap();
        let setup = connection.transaction().unwrap();
        setup
            .execute_batch("CREATE TABLE t (a BIGINT PRIMARY KEY)")
            .unwrap();
        setup.commit().unwrap();
        let tx = connection.transaction().unwrap();
        tx.execute("INSERT INTO t VALUES (1)", []).unwrap();
        // The error is swallowed, as code that tries something might.
        assert!(tx.execute("INSERT INTO t VALUES (1)", []).is_err());
        assert!(!tx.met_a_conflict());
        assert!(matches!(
            tx.commit(),
            Err(Error::Aborted { retryable: false })
        ));
        let tx = connection.transaction().unwrap();
        let rows: i64 = tx
            .query_row("SELECT COUNT(*) FROM t", [], |row| row.get(0))
            .unwrap();
        assert_eq!(rows, 0, "nothing of the failed transaction was kept");
    }

    #[test]
    fn concurrent_read_then_write_transactions_on_postgres_conflict_and_may_run_again() {
        let database = crate::store::test_postgres::TestDatabase::new();
        let mut first = Connection::postgres(&test_server(&database)).unwrap();
        let mut second = Connection::postgres(&test_server(&database)).unwrap();
        let setup = first.transaction().unwrap();
        setup
            .execute_batch(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL); \
                            INSERT INTO meta VALUES ('next', 1)",
            )
            .unwrap();
        setup.commit().unwrap();
        // Both read the counter, then both write it: as if run one after
        // the other, one of them must not commit.
        let one = first.transaction().unwrap();
        let two = second.transaction().unwrap();
        let read = |tx: &Transaction<'_>| -> i64 {
            tx.query_row("SELECT value FROM meta WHERE key = 'next'", [], |row| {
                row.get(0)
            })
            .unwrap()
        };
        let (seen_one, seen_two) = (read(&one), read(&two));
        one.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'next'",
            params![seen_one + 1],
        )
        .unwrap();
        one.commit().unwrap();
        let refused = two
            .execute(
                "UPDATE meta SET value = ?1 WHERE key = 'next'",
                params![seen_two + 1],
            )
            .map(|_| ())
            .and_then(|()| two.commit());
        let error = refused.unwrap_err();
        assert!(error.is_retryable(), "{error}");
    }

    #[test]
    fn numerics_read_as_integers_when_whole() {
        // 12345678: weight 1, digits [1234, 5678].
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0x04, 0xd2, 0x16, 0x2e];
        assert_eq!(numeric(&raw).unwrap(), Value::Integer(12_345_678));
        // 20000: weight 1, digits [2] (the trailing zero group is not stored).
        let raw = [0, 1, 0, 1, 0, 0, 0, 0, 0, 2];
        assert_eq!(numeric(&raw).unwrap(), Value::Integer(20_000));
        // -3.5: weight 0, digits [3, 5000], negative, scale 1.
        let raw = [0, 2, 0, 0, 0x40, 0, 0, 1, 0, 3, 0x13, 0x88];
        assert_eq!(numeric(&raw).unwrap(), Value::Real(-3.5));
        // 0: no digits.
        let raw = [0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(numeric(&raw).unwrap(), Value::Integer(0));
    }
}
