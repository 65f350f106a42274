//! The store layer: the database (SQLite or PostgreSQL, behind one
//! interface, `sql`) and what reads and writes its rows
//! without deciding anything — migrations and the `meta` table, the stored
//! clock offset, row types and their loaders, the text codecs of stored
//! enums, the audit log, and the nonces and idempotent replies the request
//! plumbing keeps.
//!
//! It sits at the bottom: it imports nothing from the domain or from HTTP,
//! so a rule change never ripples into how a row is read.

pub mod audit;
pub mod checkpoints;
pub mod clock;
pub mod codec;
pub mod db;
pub mod pool;
pub mod postgres_schema;
pub mod postgres_server;
pub mod requests;
pub mod rows;
pub mod sql;
#[cfg(test)]
pub(crate) mod test_postgres;
