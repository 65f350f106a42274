//! WAL checkpoints in the background while the platform serves.
//!
//! SQLite in WAL mode appends every commit to the write-ahead log and,
//! by default, copies the log back into the database file (a checkpoint)
//! inside whichever commit makes the log pass 1,000 pages. That commit then
//! holds the platform's one connection for the copy (4–8 ms at a few
//! hundred requests a second), and every request behind it waits. While
//! serving, the connection's automatic checkpoints are therefore turned off
//! and a task checkpoints from a second connection of its own in `PASSIVE`
//! mode, which never blocks the writer: requests keep committing while the
//! log is copied. When serving ends the automatic checkpoints are turned
//! back on, so the log never grows without bound.
//!
//! The serving connection is behind the HTTP layer's lock, so the caller
//! hands in how to set its threshold (`set_automatic`).

use std::path::PathBuf;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use rusqlite::Connection;

/// How often the log is looked at.
const EVERY: Duration = Duration::from_millis(100);

/// Log pages the serving connection lets pass before it checkpoints itself
/// (SQLite's default), restored when serving ends.
const AUTOMATIC_PAGES: u32 = 1_000;

/// Checkpoints `file` every [`EVERY`] until the task is aborted, with the
/// serving connection's automatic checkpoints off (`set_automatic(0)`);
/// turns them back on when it ends or is dropped.
pub async fn run<S>(set_automatic: S, file: PathBuf)
where
    S: Fn(u32) + Send + Sync + 'static,
{
    let Ok(checkpointer) = Connection::open(&file) else {
        // Without a second connection the automatic checkpoints stay on.
        return;
    };
    let checkpointer = Arc::new(std::sync::Mutex::new(checkpointer));
    set_automatic(0);
    let _restore = Restore(set_automatic);
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let checkpointer = checkpointer.clone();
        let done = tokio::task::spawn_blocking(move || {
            let connection = checkpointer.lock().unwrap_or_else(PoisonError::into_inner);
            // (busy, log frames, frames copied); a busy checkpoint retries
            // at the next tick.
            connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                row.get::<_, i64>(0)
            })
        })
        .await;
        if !matches!(done, Ok(Ok(_))) {
            // The file went away or cannot be read: hand checkpoints back
            // to the serving connection.
            return;
        }
    }
}

/// Sets `connection`'s automatic checkpoint threshold, in log pages.
pub fn set_automatic(connection: &Connection, pages: u32) {
    // A failure leaves the previous setting, which is safe either way.
    let _ = connection.pragma_update(None, "wal_autocheckpoint", pages);
}

/// Turns the automatic checkpoints back on when the task ends or is aborted.
struct Restore<S: Fn(u32)>(S);

impl<S: Fn(u32)> Drop for Restore<S> {
    fn drop(&mut self) {
        (self.0)(AUTOMATIC_PAGES);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn automatic(connection: &Connection) -> i64 {
        connection
            .query_row("PRAGMA wal_autocheckpoint", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn the_log_is_copied_in_the_background_and_automatic_checkpoints_return_after() {
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("platform.db");
        let serving = Arc::new(std::sync::Mutex::new(
            crate::store::db::open(&file).unwrap(),
        ));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let handle = {
            let serving = serving.clone();
            runtime.spawn(run(
                move |pages| set_automatic(serving.lock().unwrap().as_sqlite().unwrap(), pages),
                file.clone(),
            ))
        };
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(
            automatic(serving.lock().unwrap().as_sqlite().unwrap()),
            0,
            "off while serving"
        );

        // Far more than the 1,000 pages after which the serving connection
        // would have checkpointed inside a commit.
        {
            let serving = serving.lock().unwrap();
            let connection = serving.as_sqlite().unwrap();
            connection
                .execute_batch("CREATE TABLE filler (bytes BLOB)")
                .unwrap();
            for _ in 0..1_500 {
                connection
                    .execute("INSERT INTO filler VALUES (zeroblob(4000))", [])
                    .unwrap();
            }
        }
        // Pages reach the database file only through a checkpoint.
        let copied = || std::fs::metadata(&file).unwrap().len();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while copied() < 1_500 * 4_000 && std::time::Instant::now() < deadline {
            std::thread::sleep(EVERY);
        }
        assert!(
            copied() >= 1_500 * 4_000,
            "the background task copied the log into the file ({} bytes)",
            copied()
        );

        handle.abort();
        drop(runtime);
        assert_eq!(
            automatic(serving.lock().unwrap().as_sqlite().unwrap()),
            i64::from(AUTOMATIC_PAGES),
            "back on when serving ends"
        );
    }
}
