//! The replay defence: per credential, the highest accepted counter and a
//! window of the counters just below it.
//!
//! Why per credential and by time: a cache bounded by count can be flushed
//! (65,536 valid codes of one's own credential used to push a victim's
//! entry out). Here a credential's codes only ever touch that credential's
//! entry, and an entry lives exactly as long as one of its codes could
//! still pass the time check, so memory follows the credentials seen in the
//! last code lifetime, never the number of scans. A phone numbers its codes
//! upwards; a code more than [`WINDOW`] below the highest accepted one is
//! refused as superseded (it would be a minute-old code the phone already
//! replaced many times).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};

use crate::claims::Handle;

/// How many counters below the highest accepted one are still told apart.
pub const WINDOW: u32 = 64;

/// One credential's accepted counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayEntry {
    /// The credential (its pseudonymous handle).
    pub handle: Handle,
    /// The highest counter accepted.
    pub highest: u32,
    /// Bit `i` set: counter `highest - i` was accepted (bit 0 is `highest`).
    pub window: u64,
    /// When the last of its accepted codes stops passing the time check.
    pub expires_at: u64,
}

/// What a counter is, for one credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seen {
    /// Never accepted and not superseded: the code may pass.
    New,
    /// Accepted before.
    Accepted,
    /// More than [`WINDOW`] below the highest accepted counter.
    Superseded,
}

/// Accepted counters of every credential whose codes may still pass.
#[derive(Clone, Debug, Default)]
pub struct ReplayGuard {
    entries: HashMap<Handle, ReplayEntry>,
    /// `(expires_at, handle)` as pushed; an item is stale when its entry has
    /// a later expiry (it was pushed again) or is gone.
    expiries: BinaryHeap<Reverse<(u64, Handle)>>,
}

impl ReplayGuard {
    /// Whether `counter` of `handle` was accepted, or is superseded.
    pub fn check(&self, handle: Handle, counter: u32) -> Seen {
        let Some(entry) = self.entries.get(&handle) else {
            return Seen::New;
        };
        if counter > entry.highest {
            return Seen::New;
        }
        let below = entry.highest - counter;
        if below >= WINDOW {
            Seen::Superseded
        } else if entry.window & (1 << below) != 0 {
            Seen::Accepted
        } else {
            Seen::New
        }
    }

    /// Records an accepted `counter` whose code passes the time check until
    /// `expires_at`, forgetting entries that expired by `now`.
    pub fn accept(&mut self, handle: Handle, counter: u32, expires_at: u64, now: u64) {
        self.forget_expired(now);
        let entry = self.entries.entry(handle).or_insert(ReplayEntry {
            handle,
            highest: counter,
            window: 0,
            expires_at,
        });
        if counter > entry.highest {
            let shift = counter - entry.highest;
            entry.window = if shift >= WINDOW {
                0
            } else {
                entry.window << shift
            };
            entry.highest = counter;
        }
        let below = entry.highest - counter;
        if below < WINDOW {
            entry.window |= 1 << below;
        }
        if expires_at >= entry.expires_at {
            entry.expires_at = expires_at;
            self.expiries.push(Reverse((expires_at, handle)));
        }
    }

    fn forget_expired(&mut self, now: u64) {
        while let Some(Reverse((expiry, handle))) = self.expiries.peek().copied() {
            if expiry > now {
                break;
            }
            self.expiries.pop();
            if self
                .entries
                .get(&handle)
                .is_some_and(|entry| entry.expires_at <= now)
            {
                self.entries.remove(&handle);
            }
        }
    }

    /// Number of credentials remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no credential is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries still live at `now`, for the terminal's state file.
    pub fn entries(&self, now: u64) -> Vec<ReplayEntry> {
        let mut entries: Vec<ReplayEntry> = self
            .entries
            .values()
            .filter(|entry| entry.expires_at > now)
            .copied()
            .collect();
        entries.sort_by_key(|entry| entry.handle);
        entries
    }

    /// Restores entries saved by [`ReplayGuard::entries`].
    pub fn restore(&mut self, entries: &[ReplayEntry], now: u64) {
        for entry in entries.iter().filter(|entry| entry.expires_at > now) {
            self.entries.insert(entry.handle, *entry);
            self.expiries
                .push(Reverse((entry.expires_at, entry.handle)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handle(byte: u8) -> Handle {
        Handle([byte; 8])
    }

    #[test]
    fn counters_are_told_apart_within_the_window() {
        let mut guard = ReplayGuard::default();
        guard.accept(handle(1), 10, 100, 0);
        assert_eq!(guard.check(handle(1), 10), Seen::Accepted);
        assert_eq!(guard.check(handle(1), 9), Seen::New);
        assert_eq!(guard.check(handle(1), 11), Seen::New);
        guard.accept(handle(1), 9, 100, 0);
        guard.accept(handle(1), 80, 100, 0);
        assert_eq!(guard.check(handle(1), 10), Seen::Superseded);
        assert_eq!(guard.check(handle(1), 80), Seen::Accepted);
        assert_eq!(guard.check(handle(1), 17), Seen::New);
        assert_eq!(guard.check(handle(1), 16), Seen::Superseded);
        assert_eq!(guard.check(handle(2), 10), Seen::New);
    }

    #[test]
    fn a_flood_of_one_credential_keeps_one_entry_and_evicts_nobody() {
        let mut guard = ReplayGuard::default();
        guard.accept(handle(7), 3, 1_000, 0);
        for counter in 0..100_000 {
            guard.accept(handle(1), counter, 1_000, 1);
        }
        assert_eq!(guard.len(), 2);
        assert_eq!(guard.check(handle(7), 3), Seen::Accepted);
    }

    #[test]
    fn entries_live_as_long_as_their_codes() {
        let mut guard = ReplayGuard::default();
        guard.accept(handle(1), 1, 100, 0);
        guard.accept(handle(1), 2, 150, 60);
        guard.accept(handle(2), 1, 120, 60);
        guard.accept(handle(3), 1, 200, 120);
        assert_eq!(guard.check(handle(1), 1), Seen::Accepted);
        assert_eq!(guard.check(handle(2), 1), Seen::New);
        guard.accept(handle(3), 2, 300, 150);
        assert_eq!(guard.check(handle(1), 2), Seen::New);
        assert_eq!(guard.len(), 1);
    }

    #[test]
    fn entries_survive_a_save_and_restore() {
        let mut guard = ReplayGuard::default();
        guard.accept(handle(1), 5, 100, 0);
        guard.accept(handle(2), 5, 10, 0);
        let saved = guard.entries(20);
        assert_eq!(saved.len(), 1);
        let json = serde_json::to_string(&saved).unwrap();
        let back: Vec<ReplayEntry> = serde_json::from_str(&json).unwrap();
        let mut restored = ReplayGuard::default();
        restored.restore(&back, 20);
        assert_eq!(restored.check(handle(1), 5), Seen::Accepted);
        assert_eq!(restored.check(handle(2), 5), Seen::New);
    }
}
