//! When the daemon polls NAV for changed customers: `schedules.customers` (default every 30
//! minutes, `off` to stop), and right after a Business Central notification on customers when
//! `[bc_notifications]` is on. One poll at a time, in its own task so order work never waits for it.

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
        if !rt.settings.customers.enabled {
            return;
        }
        // A Business Central notification on customers asks for a poll now (flows/inventory/notifications.rs).
        let notified = crate::flows::inventory::notifications::customer_poll_requested(&rt.store);
        // The first poll records where NAV stands (poll.rs): at once, not at the first scheduled
        // time, or NAV changes made before then would fall behind that starting point.
        let first = matches!(rt.store.cursor(super::poll::CURSOR), Ok(None));
        let scheduled = self.next.is_some_and(|next| next <= now);
        if !scheduled && !notified && !first {
            return;
        }
        if scheduled {
            self.next = wanted.next_after(now);
        }
        crate::flows::inventory::notifications::mark_customer_poll_served(&rt.store);
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
