//! Reconciliation: the safety net under the hooks. Lists WooCommerce orders modified since a
//! stored cursor (`modified_after`, `dates_are_gmt=true`) and queues those NAV does not reflect
//! yet — the extension was not loaded, the agent was down, PHP died after saving — and the refunds
//! no job carried (`refunds::missed`). It never creates a duplicate: it only queues jobs, and the
//! order and refund flows are exactly-once.

use ml_connector_formats::{Event, EventKind};

use super::audit_exchanges_for;
use crate::adapter::http::Recorder;
use crate::adapter::AdapterError;
use crate::mapper::order_fingerprint;
use crate::runtime::Runtime;
use crate::store::jobs::JobState;

pub const CURSOR: &str = "woo.orders.modified_after";
/// Re-read this much before the cursor: orders saved while a page was being read move between
/// pages, and clocks differ a little.
const OVERLAP_SECS: i64 = 60;

#[derive(Debug, Default, serde::Serialize)]
pub struct ReconcileReport {
    pub seen: usize,
    pub queued: Vec<i64>,
    pub cursor: String,
}

pub async fn reconcile_orders(rt: &Runtime, lookback_hours: i64) -> Result<ReconcileReport, AdapterError> {
    let Some(woo) = &rt.woo else {
        return Err(AdapterError::Auth { system: crate::adapter::System::Woo, detail: rt.woo_problem.clone().unwrap_or_default() });
    };
    let now = chrono::Utc::now();
    let start = match rt.store.cursor(CURSOR).ok().flatten() {
        Some(cursor) => chrono::NaiveDateTime::parse_from_str(&cursor, "%Y-%m-%dT%H:%M:%S")
            .map(|t| t.and_utc())
            .unwrap_or(now - chrono::Duration::hours(lookback_hours)),
        None => now - chrono::Duration::hours(lookback_hours),
    };
    let after = (start - chrono::Duration::seconds(OVERLAP_SECS)).format("%Y-%m-%dT%H:%M:%S").to_string();
    let mut report = ReconcileReport { cursor: start.format("%Y-%m-%dT%H:%M:%S").to_string(), ..Default::default() };
    let rec = Recorder::default();
    let mut page = 1;
    let mut newest = report.cursor.clone();
    loop {
        let result = woo.orders_modified_after(&after, page, &rec).await;
        audit_exchanges_for(rt, None, "reconcile", "list modified orders", &rec);
        let listing = result?;
        for order in &listing.items {
            report.seen += 1;
            if let Some(modified) = &order.date_modified_gmt {
                if *modified > newest {
                    newest = modified.clone();
                }
            }
            if needs_job(rt, order) {
                let payload = serde_json::to_value(order).unwrap_or_default();
                let mut event = Event::new(EventKind::OrderUpdated, order.id, "reconcile", payload);
                event.modified_gmt = order.date_modified_gmt.clone();
                match rt.store.add_job(&event) {
                    Ok(_) => report.queued.push(order.id),
                    Err(error) => tracing::error!(%error, order = order.id, "could not queue a reconciled order"),
                }
            }
            super::refunds::missed::queue_unseen(&rt.store, order, "reconcile");
        }
        if page as u64 >= listing.total_pages || listing.items.is_empty() {
            break;
        }
        page += 1;
    }
    // Never move the cursor past now: a store clock ahead of ours must not skip orders.
    let limit = now.format("%Y-%m-%dT%H:%M:%S").to_string();
    report.cursor = newest.min(limit);
    let _ = rt.store.set_cursor(CURSOR, &report.cursor);
    Ok(report)
}

/// An order needs a job when its status is one NAV receives (or it is linked already), NAV does not
/// reflect its content, and no job for it is waiting.
fn needs_job(rt: &Runtime, order: &crate::model::woo::Order) -> bool {
    let link = rt.store.order_link(order.id).ok().flatten();
    let wanted = rt.settings.orders.statuses.iter().any(|s| s == &order.status);
    // As the order flow decides (flows/orders.rs): an order NAV never had, or whose sales order
    // was deleted (cancelled, refunded in full), is left alone until its status is one NAV gets.
    // Queuing it would be skipped there, leave its fingerprint as it was, and come back at every
    // reconciliation (found by the fault matrix: a job every 2 s for a fully refunded order).
    if !wanted && link.as_ref().is_none_or(|l| l.state == crate::store::bindings::OrderLinkState::Deleted) {
        return false;
    }
    if let Some(link) = &link {
        if link.fingerprint.as_deref() == Some(order_fingerprint(order).as_str()) {
            return false;
        }
    }
    let waiting = rt
        .store
        .jobs_for_subject(&format!("order:{}", order.id))
        .map(|jobs| jobs.iter().any(|j| matches!(j.state, JobState::Pending | JobState::Running | JobState::Parked | JobState::Held)))
        .unwrap_or(true);
    !waiting
}
