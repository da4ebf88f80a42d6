//! When the daemon runs inventory: incremental runs on `schedules.inventory` (default every
//! 15 minutes; `off` leaves only the full run — "daily only"), a full reconcile on
//! `schedules.inventory_full` (default 03:00 UTC). Runs go in their own task so order work and
//! reconciliation never wait for a 100,000-product reconcile; one run at a time. A run that fails
//! is tried again after a growing pause (1, 2, 4 … 30 minutes), whatever the schedule says: it
//! holds unconfirmed products. When the previous process left a run unfinished, an incremental
//! run takes it up shortly after start. A Business Central notification (`notifications`) starts
//! an incremental run at the next tick without moving the schedule's times.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;

use super::{run, InventoryError, RunRequest};
use crate::config::Schedule;
use crate::runtime::Runtime;

/// After a start that found a run unfinished, the next run comes at most this soon.
const RESUME_WITHIN: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct Scheduler {
    /// The schedules the next times were computed from.
    schedules: Option<(Schedule, Schedule)>,
    next_incremental: Option<DateTime<Utc>>,
    next_full: Option<DateTime<Utc>>,
    running: Option<JoinHandle<bool>>,
    failures: u32,
}

/// The first incremental run: on the schedule, or soon when a run is left to take up (even with
/// the incremental schedule off — it holds unconfirmed products).
fn first_incremental(schedule: &Schedule, now: DateTime<Utc>, unfinished: bool) -> Option<DateTime<Utc>> {
    let next = schedule.next_after(now);
    if !unfinished {
        return next;
    }
    let soon = now + chrono::Duration::from_std(RESUME_WITHIN).unwrap_or_default();
    Some(next.map_or(soon, |next| next.min(soon)))
}

/// Pause before trying a failed run again.
fn retry_pause(failures: u32) -> Duration {
    Duration::from_secs(60u64.saturating_mul(1 << failures.saturating_sub(1).min(5)).min(1_800))
}

impl Scheduler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a run when one is due and none is working. The daemon calls this every second.
    pub fn tick(&mut self, rt: &Arc<Runtime>) {
        let now = Utc::now();
        let wanted = (rt.settings.schedules.inventory.clone(), rt.settings.schedules.inventory_full.clone());
        if self.schedules.as_ref() != Some(&wanted) {
            let unfinished = self.schedules.is_none()
                && rt.store.latest_stock_run().ok().flatten().is_some_and(|run| run.state != "done");
            self.next_incremental = first_incremental(&wanted.0, now, unfinished);
            self.next_full = wanted.1.next_after(now);
            self.schedules = Some(wanted.clone());
        }
        if let Some(task) = self.running.take() {
            if !task.is_finished() {
                self.running = Some(task);
                return;
            }
            let succeeded = futures::FutureExt::now_or_never(task).and_then(Result::ok).unwrap_or(false);
            if succeeded {
                self.failures = 0;
            } else {
                self.failures += 1;
                let retry = now + chrono::Duration::from_std(retry_pause(self.failures)).unwrap_or_default();
                self.next_incremental = Some(self.next_incremental.map_or(retry, |next| next.min(retry)));
            }
        }
        if rt.nav.is_none() || rt.woo.is_none() {
            return;
        }
        let due = |next: Option<DateTime<Utc>>| next.is_some_and(|t| t <= now);
        let full = due(self.next_full);
        let scheduled = full || due(self.next_incremental);
        // A Business Central notification asks for an incremental run now; the schedule (the
        // safety net) keeps its own times.
        let notified = !scheduled && super::notifications::run_requested(&rt.store);
        if !scheduled && !notified {
            return;
        }
        if full {
            self.next_full = wanted.1.next_after(now);
        }
        if scheduled {
            self.next_incremental = wanted.0.next_after(now);
        }
        // Whatever starts the run, it covers every notification accepted before now.
        super::notifications::mark_served(&rt.store);
        let rt = rt.clone();
        self.running = Some(tokio::spawn(async move {
            match run(&rt, RunRequest { full, ..Default::default() }).await {
                Ok(report) => report.error.is_none(),
                // `sync inventory` is working right now: not a failure of ours.
                Err(InventoryError::Busy(_)) => true,
                Err(error) => {
                    tracing::warn!(%error, "the inventory run could not start");
                    false
                }
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_run_left_unfinished_is_taken_up_soon_after_start() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        let quarter = Schedule::parse("every 15m").unwrap();
        assert_eq!(first_incremental(&quarter, now, false), Some(now + chrono::Duration::minutes(15)));
        assert_eq!(first_incremental(&quarter, now, true), Some(now + chrono::Duration::seconds(10)));
        let often = Schedule::parse("every 2s").unwrap();
        assert_eq!(first_incremental(&often, now, true), Some(now + chrono::Duration::seconds(2)));
        assert_eq!(first_incremental(&Schedule::Off, now, false), None);
        assert_eq!(first_incremental(&Schedule::Off, now, true), Some(now + chrono::Duration::seconds(10)));
    }

    #[test]
    fn failed_runs_are_retried_after_a_growing_pause() {
        let pauses: Vec<u64> = (1..=8).map(|n| retry_pause(n).as_secs()).collect();
        assert_eq!(pauses, vec![60, 120, 240, 480, 960, 1_800, 1_800, 1_800]);
    }
}
