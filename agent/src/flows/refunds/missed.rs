//! Refunds the hand-off did not deliver. Reconciliation and webhook mode see a refund only as an
//! entry in its order's `refunds` list (WooCommerce has no refund webhook topic, and a refund made
//! while the extension was not loaded never reached the spool). Each refund id no job has carried
//! yet gets a `refund.created` job of its own, in its order's line, so it still reaches NAV — a
//! credit memo after posting is the case that would otherwise be lost.
//!
//! Queuing one twice costs a lookup, never a second document: netting is absolute, and a credit
//! memo is looked up by its external document number before one is created (`credit`).

use ml_connector_formats::{Event, EventKind};

use crate::model::woo::Order;
use crate::store::Store;

/// Queues a job for every refund of `order` that has none yet; returns their ids.
pub fn queue_unseen(store: &Store, order: &Order, origin: &str) -> Vec<i64> {
    if order.refunds.is_empty() {
        return Vec::new();
    }
    let jobs = match store.jobs_for_subject(&format!("order:{}", order.id)) {
        Ok(jobs) => jobs,
        Err(error) => {
            tracing::error!(%error, order = order.id, "could not read the order's jobs; its refunds are looked at again next time");
            return Vec::new();
        }
    };
    let mut queued = Vec::new();
    for refund in order.refunds.iter().filter(|r| r.id > 0) {
        let family = format!("refund:{}", refund.id);
        if jobs.iter().any(|job| job.family == family) {
            continue;
        }
        let payload = serde_json::json!({ "id": refund.id, "parent_id": order.id, "amount": refund.total.abs().to_string(), "reason": refund.reason });
        let mut event = Event::new(EventKind::RefundCreated, refund.id, origin, payload);
        event.parent_id = Some(order.id);
        match store.add_job(&event) {
            Ok(_) => {
                tracing::info!(order = order.id, refund = refund.id, origin, "queued a refund the hand-off did not deliver");
                queued.push(refund.id);
            }
            Err(error) => tracing::error!(%error, order = order.id, refund = refund.id, "could not queue a missed refund"),
        }
    }
    queued
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::woo::RefundSummary;

    fn order_with_refunds(ids: &[i64]) -> Order {
        let refunds: Vec<RefundSummary> = ids.iter().map(|id| serde_json::from_value(serde_json::json!({"id": id, "reason": "", "total": "-5.00"})).unwrap()).collect();
        let mut order: Order = serde_json::from_value(serde_json::json!({"id": 42, "status": "completed"})).unwrap();
        order.refunds = refunds;
        order
    }

    #[test]
    fn queues_each_refund_no_job_carried_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state.db")).unwrap();
        let mut delivered = Event::new(EventKind::RefundCreated, 7, "plugin", serde_json::json!({"id": 7}));
        delivered.parent_id = Some(42);
        store.add_job(&delivered).unwrap();

        assert_eq!(queue_unseen(&store, &order_with_refunds(&[7, 8]), "reconcile"), vec![8], "7 came through the hand-off");
        assert!(queue_unseen(&store, &order_with_refunds(&[7, 8]), "reconcile").is_empty(), "8 is queued once");
        let jobs = store.jobs_for_subject("order:42").unwrap();
        let missed = jobs.iter().find(|j| j.family == "refund:8").unwrap();
        let event = Event::from_json(&missed.event).unwrap();
        assert_eq!((event.kind, event.parent_id, event.origin.as_str()), (EventKind::RefundCreated, Some(42), "reconcile"));
    }
}
