//! Every request a simulator received, in order, for tests and the demo to read back
//! (`GET /_sim/requests`). Control requests under `/_sim/` are not journalled.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Entries kept before the oldest are dropped (a benchmark run sends millions).
const CAPACITY: usize = 200_000;

#[derive(Clone, Debug, Serialize)]
pub struct JournalEntry {
    pub seq: u64,
    pub at: String,
    pub method: String,
    /// Path and query as received.
    pub uri: String,
    /// Request headers, with `authorization` reduced to its scheme.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Response status; `None` when the connection was cut before a response.
    pub status: Option<u16>,
    /// Which fault, if any, the fault layer applied.
    pub fault: Option<String>,
    pub millis: u64,
}

#[derive(Clone, Default)]
pub struct Journal {
    inner: Arc<Mutex<JournalState>>,
}

#[derive(Default)]
struct JournalState {
    next_seq: u64,
    entries: VecDeque<JournalEntry>,
    enabled_bodies: bool,
}

impl Journal {
    pub fn new() -> Self {
        let journal = Self::default();
        journal.lock().enabled_bodies = true;
        journal
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, JournalState> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Bodies cost memory in benchmarks; they can be switched off.
    pub fn keep_bodies(&self, keep: bool) {
        self.lock().enabled_bodies = keep;
    }

    pub fn record(&self, mut entry: JournalEntry) -> u64 {
        let mut state = self.lock();
        state.next_seq += 1;
        entry.seq = state.next_seq;
        if !state.enabled_bodies {
            entry.body.clear();
        }
        if state.entries.len() >= CAPACITY {
            state.entries.pop_front();
        }
        state.entries.push_back(entry);
        state.next_seq
    }

    /// Entries with `seq > since`.
    pub fn since(&self, since: u64) -> Vec<JournalEntry> {
        self.lock().entries.iter().filter(|e| e.seq > since).cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total requests ever journalled (not reduced by the capacity).
    pub fn total(&self) -> u64 {
        self.lock().next_seq
    }

    pub fn clear(&self) {
        self.lock().entries.clear();
    }
}
