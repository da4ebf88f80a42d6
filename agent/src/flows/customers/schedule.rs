//! When the daemon polls NAV for changed customers: `schedules.customers` (default every 30
//! minutes, `off` to stop). One poll at a time, in its own task so order work never waits for it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;

use crate::config::Schedule;
use crate::runtime::Runtime;

#[derive(Default)]
pub struct Scheduler {
    schedule: Option<Schedule>,
    next: Option<DateTime<Utc>>,
    running: Option<JoinHandle<()>>,
}

impl Scheduler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a poll when one is due and none is running. The daemon calls this every second.
    pub fn tick(&mut self, rt: &Arc<Runtime>) {
        let now = Utc::now();
        let wanted = rt.settings.schedules.customers.clone();
        if self.schedule.as_ref() != Some(&wanted) {
            self.next = wanted.next_after(now);
            self.schedule = Some(wanted.clone());
        }
        if self.running.as_ref().is_some_and(|task| !task.is_finished()) {
            return;
        }
        if !rt.settings.customers.enabled || self.next.is_none_or(|next| next > now) {
            return;
        }
        self.next = wanted.next_after(now);
        let rt = rt.clone();
        self.running = Some(tokio::spawn(async move {
            match super::poll::poll(&rt).await {
                Ok(report) => {
                    if let Some(error) = &report.error {
                        tracing::warn!(%error, "customer poll stopped early; the next run starts there");
                    } else if !report.synced.is_empty() {
                        tracing::info!(changed = report.changed, synced = report.synced.len(), unchanged = report.unchanged, "customers changed in NAV synced to WooCommerce");
                    }
                }
                Err(reason) => tracing::debug!(%reason, "customer poll not run"),
            }
        }));
    }
}
