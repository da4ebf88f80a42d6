//! What the agent tells the outside: a status board updated as jobs finish, flushed into the spool
//! (heartbeat, snapshot, each order's sync state) for the admin screens, in one transaction a
//! second so the spool is not written once per order. `ml-connector-agent status` reads the same.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use ml_connector_formats::spool::OrderSync;
use ml_connector_formats::Spool;
use serde::Serialize;

use crate::flows::Outcome;
use crate::store::jobs::{Job, JobState};
use crate::store::Store;

const RECENT: usize = 20;

#[derive(Clone, Debug, Default, Serialize)]
pub struct Reachability {
    pub ok: bool,
    pub checked_at: String,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RecentSync {
    pub order_id: i64,
    pub nav_number: Option<String>,
    pub state: String,
    pub at: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ParkedItem {
    pub job_id: i64,
    pub order_id: Option<i64>,
    pub kind: String,
    pub reason: String,
    pub attempts: u32,
    pub at: String,
}

/// Webhook mode's health (ingest/webhooks): whether WooCommerce's deliveries can reach the agent.
#[derive(Clone, Debug, Serialize)]
pub struct WebhookHealth {
    pub public_url: String,
    pub endpoint_ok: bool,
    pub checked_at: String,
    /// What the last check found or repaired, in words.
    pub detail: String,
}

#[derive(Default)]
struct Board {
    last_success_at: Option<String>,
    nav: Reachability,
    woo: Reachability,
    recent: VecDeque<RecentSync>,
    pending_syncs: HashMap<i64, OrderSync>,
    settings_problem: Option<String>,
    /// Why NAV / WooCommerce cannot be used at all (not configured, unusable settings).
    nav_unusable: Option<String>,
    woo_unusable: Option<String>,
    webhooks: Option<WebhookHealth>,
    /// Job latency samples (agent's own time per job), for benchmarks and metrics.
    latencies_micros: Vec<u64>,
}

pub struct StatusBoard {
    started_at: String,
    board: Mutex<Board>,
}

impl Default for StatusBoard {
    fn default() -> Self {
        Self::new()
    }
}

impl StatusBoard {
    pub fn new() -> Self {
        StatusBoard { started_at: ml_connector_formats::utc_now(), board: Mutex::new(Board::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Board> {
        self.board.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn observe(&self, job: &Job, outcome: &Outcome, took: Duration) {
        let now = ml_connector_formats::utc_now();
        let mut board = self.lock();
        board.latencies_micros.push(took.as_micros() as u64);
        if board.latencies_micros.len() > 100_000 {
            board.latencies_micros.drain(..50_000);
        }
        match outcome {
            Outcome::Done(_) => {
                board.last_success_at = Some(now.clone());
                board.nav = Reachability { ok: true, checked_at: now.clone(), detail: String::new() };
                board.woo = Reachability { ok: true, checked_at: now, detail: String::new() };
            }
            Outcome::Retry(error) => {
                let reach = Reachability { ok: false, checked_at: now, detail: crate::check::explain(error) };
                match error_system(error) {
                    crate::adapter::System::Nav => board.nav = reach,
                    crate::adapter::System::Woo => board.woo = reach,
                }
            }
            _ => {}
        }
        let _ = job;
    }

    pub fn order_sync(&self, sync: OrderSync) {
        let mut board = self.lock();
        board.recent.push_front(RecentSync {
            order_id: sync.order_id,
            nav_number: sync.nav_number.clone(),
            state: sync.state.clone(),
            at: sync.updated_at.clone(),
        });
        board.recent.truncate(RECENT);
        board.pending_syncs.insert(sync.order_id, sync);
    }

    pub fn set_settings_problem(&self, problem: Option<String>) {
        self.lock().settings_problem = problem;
    }

    /// What the current runtime says about each side's configuration.
    pub fn set_configuration(&self, nav_problem: Option<String>, woo_problem: Option<String>) {
        let mut board = self.lock();
        board.nav_unusable = nav_problem;
        board.woo_unusable = woo_problem;
    }

    pub fn set_webhooks(&self, health: WebhookHealth) {
        self.lock().webhooks = Some(health);
    }

    /// Latency samples in microseconds (taken, not cleared).
    pub fn latencies(&self) -> Vec<u64> {
        self.lock().latencies_micros.clone()
    }

    /// The snapshot document (docs/php-api.md).
    pub fn snapshot(&self, store: &Store, spool_depth: i64) -> serde_json::Value {
        let counts = store.queue_counts().unwrap_or_default();
        let mut parked = Vec::new();
        for state in [JobState::Parked, JobState::Held] {
            for job in store.jobs_in_state(state, 100).unwrap_or_default() {
                parked.push(ParkedItem {
                    job_id: job.id,
                    order_id: job.order_id(),
                    kind: job.kind.clone(),
                    reason: job.reason.clone().unwrap_or_default(),
                    attempts: job.attempts,
                    at: job.updated_at.clone(),
                });
            }
        }
        let board = self.lock();
        let reach = |unusable: &Option<String>, seen: &Reachability| match unusable {
            Some(problem) => Reachability { ok: false, checked_at: ml_connector_formats::utc_now(), detail: problem.clone() },
            None => seen.clone(),
        };
        let (nav, woo) = (reach(&board.nav_unusable, &board.nav), reach(&board.woo_unusable, &board.woo));
        serde_json::json!({
            "agent_version": env!("CARGO_PKG_VERSION"),
            "started_at": self.started_at,
            "at": ml_connector_formats::utc_now(),
            "queue": { "spool": spool_depth, "pending": counts.pending, "running": counts.running, "parked": counts.parked, "held": counts.held },
            "last_success_at": board.last_success_at,
            "reachability": { "nav": nav, "woo": woo },
            "settings_problem": board.settings_problem,
            "webhooks": board.webhooks,
            "recent": board.recent,
            "parked": parked,
        })
    }

    /// Writes heartbeat, snapshot and pending order states into the spool, in one transaction.
    pub fn flush(&self, spool: &mut Spool, store: &Store) -> Result<(), ml_connector_formats::SpoolError> {
        let syncs: Vec<OrderSync> = self.lock().pending_syncs.drain().map(|(_, s)| s).collect();
        let depth = spool.depth().unwrap_or(0);
        let snapshot = self.snapshot(store, depth).to_string();
        let heartbeat = serde_json::json!({"at": ml_connector_formats::utc_now(), "pid": std::process::id(), "version": env!("CARGO_PKG_VERSION")}).to_string();
        let result = spool.transaction(|spool| {
            for sync in &syncs {
                spool.put_order_sync(sync)?;
            }
            spool.put_status("heartbeat", &heartbeat)?;
            spool.put_status("snapshot", &snapshot)
        });
        if result.is_err() {
            // Keep them for the next flush.
            let mut board = self.lock();
            for sync in syncs {
                board.pending_syncs.entry(sync.order_id).or_insert(sync);
            }
        }
        result
    }
}

fn error_system(error: &crate::adapter::AdapterError) -> crate::adapter::System {
    use crate::adapter::AdapterError::*;
    match error {
        Unreachable { system, .. }
        | Throttled { system, .. }
        | ServerError { system, .. }
        | Auth { system, .. }
        | Rejected { system, .. }
        | Conflict { system, .. }
        | NotFound { system, .. }
        | BadResponse { system, .. } => *system,
    }
}
