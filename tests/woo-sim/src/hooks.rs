//! The WordPress hooks a change fires, per request, in firing order — and the log tests read back
//! (`GET /_sim/hooks`). Every store operation records its hooks into the request's [`Change`];
//! when the request ends, the change is committed: hooks go to the log, events to the spool (as
//! the plugin does at `shutdown`), and webhook deliveries are queued (as WooCommerce does at
//! `shutdown`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::Value;

use crate::clock::Timestamp;

/// What a hook fired for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Object {
    Order { id: i64 },
    Refund { id: i64, order_id: i64 },
    /// A product or variation (the one passed to the hook: for stock hooks, the stock owner).
    Product { id: i64 },
    Customer { id: i64 },
    Webhook { id: i64 },
}

impl Object {
    pub fn id(&self) -> i64 {
        match *self {
            Object::Order { id }
            | Object::Refund { id, .. }
            | Object::Product { id }
            | Object::Customer { id }
            | Object::Webhook { id } => id,
        }
    }
}

#[derive(Clone, Debug)]
pub struct FiredHook {
    pub hook: String,
    pub object: Object,
}

/// Where a change came from: the origin written into events (`checkout`, `store-api`, `admin`,
/// `rest-api`, ...).
#[derive(Clone, Debug)]
pub struct Change {
    pub request_id: u64,
    pub path: String,
    /// The REST request carried `X-ML-Connector-Origin: agent`.
    pub agent: bool,
    pub now: Timestamp,
    pub hooks: Vec<FiredHook>,
    /// Last representation of objects deleted for good during the request (events need them).
    pub deleted: HashMap<Object, Value>,
    /// Webhooks to ping once the request's writes are done (created, or saved while pending).
    pub pings: Vec<i64>,
}

impl Change {
    pub fn new(request_id: u64, path: &str, agent: bool, now: Timestamp) -> Self {
        Self { request_id, path: path.to_string(), agent, now, hooks: Vec::new(), deleted: HashMap::new(), pings: Vec::new() }
    }

    pub fn fire(&mut self, hook: impl Into<String>, object: Object) {
        self.hooks.push(FiredHook { hook: hook.into(), object });
    }

    pub fn fired(&self, hook: &str, object: Object) -> bool {
        self.hooks.iter().any(|h| h.hook == hook && h.object == object)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct HookEntry {
    pub seq: u64,
    pub request_id: u64,
    pub hook: String,
    pub object: Object,
    pub path: String,
    pub agent: bool,
    pub at: String,
}

/// Entries kept before the oldest are dropped.
const CAPACITY: usize = 200_000;

#[derive(Clone, Default)]
pub struct HookLog {
    inner: Arc<Mutex<HookLogState>>,
}

#[derive(Default)]
struct HookLogState {
    next_seq: u64,
    entries: VecDeque<HookEntry>,
}

impl HookLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, HookLogState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn record(&self, change: &Change) {
        if change.hooks.is_empty() {
            return;
        }
        let at = crate::clock::format(change.now, 0) + "Z";
        let mut state = self.lock();
        for fired in &change.hooks {
            state.next_seq += 1;
            let entry = HookEntry {
                seq: state.next_seq,
                request_id: change.request_id,
                hook: fired.hook.clone(),
                object: fired.object,
                path: change.path.clone(),
                agent: change.agent,
                at: at.clone(),
            };
            if state.entries.len() >= CAPACITY {
                state.entries.pop_front();
            }
            state.entries.push_back(entry);
        }
    }

    /// Entries with `seq > since`, optionally only those naming one object id or one hook.
    pub fn since(&self, since: u64, object_id: Option<i64>, hook: Option<&str>) -> Vec<HookEntry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| e.seq > since)
            .filter(|e| object_id.is_none_or(|id| e.object.id() == id))
            .filter(|e| hook.is_none_or(|h| e.hook == h))
            .cloned()
            .collect()
    }

    pub fn last_seq(&self) -> u64 {
        self.lock().next_seq
    }

    pub fn clear(&self) {
        self.lock().entries.clear();
    }
}
