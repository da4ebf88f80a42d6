//! WooCommerce cancellations and refunds → NAV (docs/refunds.md).
//!
//! Refund and order-deleted events share their order's subject (`store/jobs.rs` routing), so they
//! run after the order's own sync and never beside it. Where NAV stands decides what happens:
//!
//! * **open sales order, nothing posted** — the order's lines are brought to what is left after
//!   *all* its current refunds (`netting`): reduced with `If-Match`, removed, amount refunds as
//!   negative lines. Absolute, so a repeated event, a second partial refund or a deleted refund
//!   all end in the same document;
//! * **posted (one or several invoices)** — one sales credit memo per refund, applied to the
//!   invoice that has the refunded items (`credit`), found again by its external document number
//!   before anything is created (BC accepts duplicates);
//! * **not in NAV yet** — the refund waits for its order: parked while the order is parked, and
//!   applied by the order's own sync once it goes through (the order flow nets refunds in).
//!
//! Cancellations (`cancel`): delete or mark the open order, credit every posted invoice.

pub mod cancel;
pub mod credit;
pub mod missed;
pub mod netting;

use ml_connector_formats::{Event, EventKind};

use super::{audit_decision, audit_exchanges, Outcome};
use crate::adapter::bc_api::credit_memos::NavInvoice;
use crate::adapter::http::Recorder;
use crate::adapter::nav::{Nav, NavSalesOrder};
use crate::adapter::AdapterError;
use crate::runtime::Runtime;
use crate::store::bindings::{OrderLink, OrderLinkState};
use crate::store::jobs::{Job, JobState};

/// `?` for adapter calls inside a step: the exchanges go to the audit trail, a failure ends the
/// step (permanent refusals park with NAV's message, everything else is retried).
macro_rules! attempt {
    ($rt:expr, $job:expr, $action:expr, $rec:expr, $call:expr) => {{
        let result = $call.await;
        $crate::flows::audit_exchanges($rt, $job, $action, $rec);
        match result {
            Ok(value) => value,
            Err(error) => return $crate::flows::refunds::failed($action, error),
        }
    }};
}
pub(crate) use attempt;

/// A failed request as the job's outcome.
pub fn failed(action: &str, error: AdapterError) -> Outcome {
    match error {
        AdapterError::Rejected { status, code, message, .. } => Outcome::Park(format!("{action}: NAV refused it (HTTP {status} {code}): {message}")),
        other => Outcome::Retry(other),
    }
}

fn local(e: crate::store::StoreError) -> Outcome {
    Outcome::Retry(AdapterError::BadResponse { system: crate::adapter::System::Nav, detail: format!("local state: {e}") })
}

/// Where NAV stands with a WooCommerce order.
pub enum Position {
    /// The sales order is open; `invoices` are posted partial invoices (partial posting).
    Open(NavSalesOrder, Vec<NavInvoice>),
    /// Fully posted: the sales order is gone, these invoices remain.
    Posted(Vec<NavInvoice>),
    /// Cancelled earlier (the sales order was deleted by the agent).
    Cancelled,
}

/// Finds the order in NAV, following it from the sales order to its posted invoices.
pub async fn locate(rt: &Runtime, nav: &Nav, job: &Job, order_id: i64, rec: &Recorder) -> Result<(OrderLink, Position), Outcome> {
    let link = rt.store.order_link(order_id).map_err(local)?;
    let link = match link {
        Some(link) if !matches!(link.state, OrderLinkState::Creating) => link,
        other => return Err(not_in_nav(rt, order_id, other.is_some())),
    };
    let number = link.nav_number.clone().unwrap_or_default();
    let known = NavSalesOrder {
        id: link.nav_id.clone().unwrap_or_default(),
        number: number.clone(),
        external_document_number: link.external_document_number.clone(),
        customer_number: link.customer_number.clone().unwrap_or_default(),
        etag: None,
        total_including_tax: None,
        total_excluding_tax: None,
        lines: None,
    };
    let position = match link.state {
        OrderLinkState::Deleted => Position::Cancelled,
        OrderLinkState::Posted => {
            let result = nav.order_invoices(&number, rec).await;
            audit_exchanges(rt, job, "look for posted invoices", rec);
            Position::Posted(result.map_err(|e| failed("look for posted invoices", e))?)
        }
        _ => {
            let current = nav.get_sales_order(&known, rec).await;
            audit_exchanges(rt, job, "read sales order", rec);
            let current = current.map_err(|e| failed("read sales order", e))?;
            let invoices = nav.order_invoices(&number, rec).await;
            audit_exchanges(rt, job, "look for posted invoices", rec);
            let invoices = invoices.map_err(|e| failed("look for posted invoices", e))?;
            match current {
                Some(order) => Position::Open(order, invoices),
                None if invoices.is_empty() => {
                    return Err(Outcome::Park(format!(
                        "sales order {number} no longer exists in NAV and no posted invoice was found (deleted there?); nothing to change"
                    )))
                }
                None => {
                    let _ = rt.store.set_order_state(order_id, OrderLinkState::Posted);
                    Position::Posted(invoices)
                }
            }
        }
    };
    Ok((link, position))
}

/// A refund or cancellation of an order NAV does not have: it waits while the order's own sync is
/// parked or held (the order's sync nets refunds in once it goes through); otherwise the order was
/// never sent (a status NAV does not receive) and there is nothing to change.
fn not_in_nav(rt: &Runtime, order_id: i64, creating: bool) -> Outcome {
    let jobs = rt.store.jobs_for_subject(&format!("order:{order_id}")).unwrap_or_default();
    let stuck = jobs.iter().rev().find(|j| j.family == "order.sync" && matches!(j.state, JobState::Parked | JobState::Held | JobState::Pending | JobState::Running));
    match (stuck, creating) {
        (Some(order_job), _) => Outcome::Park(format!(
            "waits for WooCommerce order {order_id}, which is not in NAV yet (its job {} is {}: {}); replaying the order applies this too",
            order_job.id,
            order_job.state.as_str(),
            order_job.reason.as_deref().unwrap_or("no reason recorded")
        )),
        (None, true) => Outcome::Retry(AdapterError::NotFound {
            system: crate::adapter::System::Nav,
            what: format!("the sales order of WooCommerce order {order_id} (its create's outcome is unknown)"),
        }),
        (None, false) => Outcome::Skipped(format!("WooCommerce order {order_id} was never sent to NAV; nothing to change there")),
    }
}

/// `refund.created` / `refund.deleted`.
pub async fn sync_refund(rt: &Runtime, job: &Job, event: &Event) -> Outcome {
    let (Some(nav), Some(woo)) = (&rt.nav, &rt.woo) else {
        return Outcome::NotReady(rt.nav_problem.clone().or_else(|| rt.woo_problem.clone()).unwrap_or_default());
    };
    let Some(order_id) = event.parent_id.filter(|id| *id > 0) else {
        return Outcome::Park(format!("{} {} names no order (parent_id)", event.kind, event.object_id));
    };
    let refund_id = event.object_id;
    let rec = Recorder::default();
    let (link, position) = match locate(rt, nav, job, order_id, &rec).await {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let Some(refunds) = attempt!(rt, job, "read refunds", &rec, woo.order_refunds(order_id, &rec)) else {
        return Outcome::Skipped(format!("WooCommerce order {order_id} no longer exists"));
    };
    let refund = refunds.iter().find(|r| r.id == refund_id).filter(|_| event.kind == EventKind::RefundCreated);
    audit_decision(rt, job, "refund", serde_json::json!({
        "refund": refund_id, "event": event.kind.as_str(), "still_in_woocommerce": refund.is_some(), "refunds": refunds,
    }));
    match position {
        Position::Cancelled => Outcome::Skipped(format!("the sales order of WooCommerce order {order_id} was deleted (cancelled); nothing to refund in NAV")),
        Position::Open(order, invoices) if invoices.is_empty() => netting::apply(rt, nav, job, &link, &order, &refunds, &rec).await,
        Position::Open(_, invoices) | Position::Posted(invoices) => {
            match refund {
                Some(refund) => credit::credit_refund(rt, nav, job, &link, refund, &invoices, &rec).await,
                None => credit::refund_deleted(rt, nav, job, &link, refund_id, &rec).await,
            }
        }
    }
}

/// `order.deleted` (trashed or deleted in WooCommerce): an open sales order goes as a cancellation
/// does; a posted one is left — money returned is a refund's business, not a trash can's.
pub async fn order_deleted(rt: &Runtime, job: &Job, event: &Event) -> Outcome {
    let Some(nav) = &rt.nav else {
        return Outcome::NotReady(rt.nav_problem.clone().unwrap_or_default());
    };
    let rec = Recorder::default();
    let (link, position) = match locate(rt, nav, job, event.object_id, &rec).await {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    match position {
        Position::Open(order, invoices) if invoices.is_empty() => cancel::cancel_open(rt, nav, job, &link, &order, &rec).await,
        Position::Cancelled => Outcome::Skipped("the sales order was deleted already".into()),
        Position::Open(..) | Position::Posted(_) => {
            audit_decision(rt, job, "order deleted after posting", serde_json::json!({
                "policy": "a trashed order NAV has (partly) posted is recorded, not credited; refunds make credit memos",
                "sales_order": link.nav_number,
            }));
            Outcome::Skipped("NAV posted this order; its deletion in WooCommerce is recorded, not applied (refund it to credit it)".into())
        }
    }
}
