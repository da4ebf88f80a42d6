//! Cancellations: a WooCommerce order cancelled (or fully refunded) while NAV's sales order is open
//! is deleted, or marked with a comment line (`refunds.cancellation = "mark"`) for someone in NAV
//! to decide; once posted, every invoice of the order gets a credit memo for all of it.

use rust_decimal::Decimal;

use super::{attempt, credit, locate, local, Position};
use crate::adapter::http::Recorder;
use crate::adapter::nav::{Nav, NavSalesOrder};
use crate::config::CancellationMode;
use crate::flows::{audit_decision, Outcome};
use crate::model::nav::{LineKind, LineSource, SalesLineDraft};
use crate::runtime::Runtime;
use crate::store::bindings::{OrderLink, OrderLinkState};
use crate::store::jobs::Job;

/// The comment a marked order carries (and how a repeated cancellation recognises it).
const MARK: &str = "CANCELLED in WooCommerce";

/// An order whose status became `cancelled` in WooCommerce.
pub async fn cancel_order(rt: &Runtime, nav: &Nav, job: &Job, order_id: i64, rec: &Recorder) -> Outcome {
    let (link, position) = match locate(rt, nav, job, order_id, rec).await {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    match position {
        Position::Cancelled => Outcome::Skipped("the sales order was deleted already".into()),
        Position::Open(order, invoices) if invoices.is_empty() => cancel_open(rt, nav, job, &link, &order, rec).await,
        Position::Open(order, invoices) => {
            // Partly posted: the invoices are credited, the open rest goes as before posting.
            match credit::credit_invoices(rt, nav, job, &link, &invoices, rec).await {
                Outcome::Done(_) | Outcome::Skipped(_) => cancel_open(rt, nav, job, &link, &order, rec).await,
                other => other,
            }
        }
        Position::Posted(invoices) => credit::credit_invoices(rt, nav, job, &link, &invoices, rec).await,
    }
}

/// Deletes or marks an open sales order.
pub async fn cancel_open(rt: &Runtime, nav: &Nav, job: &Job, link: &OrderLink, order: &NavSalesOrder, rec: &Recorder) -> Outcome {
    let mode = rt.settings.refunds.cancellation;
    audit_decision(rt, job, "cancellation", serde_json::json!({
        "sales_order": order.number, "mode": match mode { CancellationMode::Delete => "delete", CancellationMode::Mark => "mark" },
    }));
    match mode {
        CancellationMode::Delete => {
            attempt!(rt, job, "delete sales order", rec, nav.delete_sales_order(order, rec));
            if let Err(e) = rt.store.set_order_state(link.woo_order_id, OrderLinkState::Deleted) {
                return local(e);
            }
            Outcome::Done(format!("sales order {} deleted (cancelled in WooCommerce)", order.number))
        }
        CancellationMode::Mark => {
            let lines = attempt!(rt, job, "read sales lines", rec, nav.order_lines(order, rec));
            if lines.iter().any(|l| l.line_type == "Comment" && l.description.starts_with(MARK)) {
                return Outcome::Skipped(format!("sales order {} is marked as cancelled already", order.number));
            }
            let comment = SalesLineDraft {
                kind: LineKind::Comment,
                number: String::new(),
                variant_code: None,
                description: format!("{MARK} ({})", ml_connector_formats::utc_now().get(..10).unwrap_or_default()),
                quantity: Decimal::ZERO,
                unit_price: Decimal::ZERO,
                discount_amount: Decimal::ZERO,
                source: LineSource::Refund(0),
            };
            attempt!(rt, job, "mark sales order cancelled", rec, nav.add_line(order, &comment, &rt.catalog(), rec));
            Outcome::Done(format!("sales order {} marked as cancelled; delete it in NAV when it is really void", order.number))
        }
    }
}
