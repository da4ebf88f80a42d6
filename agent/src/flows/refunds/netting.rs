//! Refunds before posting: the open sales order is brought to what WooCommerce's order is once
//! every current refund is taken off (`mapper::credit_memo::net_of_refunds`). Lines are reduced
//! with `If-Match` on their ETag (a change made in NAV meanwhile is a 409 and the job retries on
//! fresh data), removed when nothing is left, and amount refunds added as negative lines.
//!
//! The order flow calls [`netted_draft`] too, so a later edit of the order in WooCommerce does not
//! put refunded quantities back. The netted document is what the link records, so the inventory
//! flow's pending quantities (open NAV lines, or this document for an order NAV got after the
//! listing) follow refunds: a restocked quantity is not held as pending any more.

use rust_decimal::Decimal;

use super::{attempt, failed, local};
use crate::adapter::bc_api::credit_memos::NavOrderLine;
use crate::adapter::http::Recorder;
use crate::adapter::nav::{Nav, NavSalesOrder};
use crate::flows::{audit_decision, audit_exchanges, Outcome};
use crate::mapper::credit_memo::{net_of_refunds, nothing_left};
use crate::mapper::order::CustomerChoice;
use crate::mapper::{check_document_totals, evaluate_rules, map_order, TotalsVerdict};
use crate::model::nav::{LineKind, LineSource, SalesLineDraft, SalesOrderDraft};
use crate::model::woo::Order;
use crate::runtime::Runtime;
use crate::store::bindings::{OrderLink, OrderLinkState};
use crate::store::jobs::Job;

/// The order's draft with its refunds taken off (no request when the order has none).
pub async fn netted_draft(rt: &Runtime, job: &Job, order: &Order, draft: SalesOrderDraft, rec: &Recorder) -> Result<SalesOrderDraft, Outcome> {
    if order.refunds.is_empty() {
        return Ok(draft);
    }
    let Some(woo) = &rt.woo else { return Ok(draft) };
    let refunds = woo.order_refunds(order.id, rec).await;
    audit_exchanges(rt, job, "read refunds", rec);
    let refunds = refunds.map_err(|e| failed("read refunds", e))?.unwrap_or_default();
    let netted = net_of_refunds(&draft, &refunds, &rt.settings.refunds);
    audit_decision(rt, job, "refunds netted into the sales order", serde_json::json!({
        "refunds": refunds.iter().map(|r| r.id).collect::<Vec<_>>(), "document": netted,
    }));
    Ok(netted)
}

fn kind_name(kind: LineKind) -> &'static str {
    match kind {
        LineKind::Item => "Item",
        LineKind::Account => "Account",
        LineKind::Charge => "Charge",
        LineKind::Comment => "Comment",
    }
}

fn same_object(nav: &NavOrderLine, wanted: &SalesLineDraft) -> bool {
    let kind = kind_name(wanted.kind);
    (nav.line_type == kind || (kind == "Account" && nav.line_type == "G_L_Account")) && nav.number == wanted.number
}

/// Item lines keep their price; a shipping line's price is what a shipping refund lowers; an
/// amount refund's line was priced again for its G/L account's tax rate (`reprice_amount_refund`)
/// and stands for the refund at whatever negative price it has.
fn same_price(nav: &NavOrderLine, wanted: &SalesLineDraft) -> bool {
    matches!(wanted.source, LineSource::Shipping(_))
        || (matches!(wanted.source, LineSource::Refund(_)) && nav.unit_price < Decimal::ZERO)
        || nav.unit_price.round_dp(5) == wanted.unit_price.round_dp(5)
}

/// An amount refund's line is priced at the order's average tax rate (WooCommerce gives an amount
/// refund no tax); NAV taxes it at its G/L account's own rate. On an order with several rates the
/// two differ (found by the fault matrix: 2.00 refunded, NAV took 2.08 off). The refund line is
/// priced again from NAV's rate so NAV's total meets WooCommerce's — when the gap is less than
/// half that line, i.e. the line's tax can explain it; anything else is left to the totals guard.
async fn reprice_amount_refund(rt: &Runtime, nav: &Nav, job: &Job, netted: &SalesOrderDraft, current: NavSalesOrder, changes: &mut Vec<serde_json::Value>, rec: &Recorder) -> Result<NavSalesOrder, Outcome> {
    let Some(total) = current.total_including_tax else { return Ok(current) };
    let gap = netted.expected_total_including_tax - total;
    if gap.is_zero() || netted.prices_include_tax {
        return Ok(current);
    }
    let account = &rt.settings.refunds.amount_account;
    let lines = match nav.order_lines(&current, rec).await {
        Ok(lines) => lines,
        Err(error) => {
            audit_exchanges(rt, job, "read sales lines", rec);
            return Err(failed("read sales lines", error));
        }
    };
    audit_exchanges(rt, job, "read sales lines", rec);
    let Some(line) = lines.iter().rev().find(|l| &l.number == account && l.unit_price < Decimal::ZERO && !l.tax_percent.is_zero()) else {
        return Ok(current);
    };
    let wanted_gross = line.amount_including_tax + gap;
    if wanted_gross >= Decimal::ZERO || gap.abs() * Decimal::TWO >= line.amount_including_tax.abs() {
        return Ok(current);
    }
    let price = (wanted_gross / (Decimal::ONE + line.tax_percent / Decimal::ONE_HUNDRED)).round_dp(2);
    if price == line.unit_price {
        return Ok(current);
    }
    let repriced = SalesLineDraft {
        kind: LineKind::Account,
        number: account.clone(),
        variant_code: None,
        description: line.description.clone(),
        quantity: Decimal::ONE,
        unit_price: price,
        discount_amount: Decimal::ZERO,
        source: LineSource::Refund(0),
    };
    let removed = nav.delete_order_line(&current, line, rec).await;
    audit_exchanges(rt, job, "remove sales line", rec);
    removed.map_err(|e| failed("remove sales line", e))?;
    let added = nav.add_line(&current, &repriced, &rt.catalog(), rec).await;
    audit_exchanges(rt, job, "add sales line", rec);
    added.map_err(|e| failed("add sales line", e))?;
    changes.push(serde_json::json!({"repriced": line.description, "tax_percent": line.tax_percent, "from": line.unit_price, "to": price}));
    let reread = nav.get_sales_order(&current, rec).await;
    audit_exchanges(rt, job, "read sales order", rec);
    match reread {
        Ok(Some(order)) => Ok(order),
        Ok(None) => Err(Outcome::Retry(crate::adapter::AdapterError::NotFound { system: crate::adapter::System::Nav, what: format!("sales order {}", current.number) })),
        Err(error) => Err(failed("read sales order", error)),
    }
}

/// Brings the open sales order to the order net of `refunds` (all of the order's refunds now).
pub async fn apply(rt: &Runtime, nav: &Nav, job: &Job, link: &OrderLink, nav_order: &NavSalesOrder, refunds: &[crate::mapper::credit_memo::Refund], rec: &Recorder) -> Outcome {
    let Some(woo) = &rt.woo else { return Outcome::NotReady(rt.woo_problem.clone().unwrap_or_default()) };
    let Some(order) = attempt!(rt, job, "read order", rec, woo.get_order(link.woo_order_id, rec)) else {
        return Outcome::Skipped(format!("WooCommerce order {} no longer exists", link.woo_order_id));
    };
    let settings = &rt.settings.orders;
    let shared_guest = matches!(&settings.guests, crate::config::GuestPolicy::Fixed { customer_number } if *customer_number == nav_order.customer_number);
    let customer = CustomerChoice { number: nav_order.customer_number.clone(), shared_guest };
    let mapped = match map_order(&order, settings, &customer, &evaluate_rules(&settings.rules, &order), &rt.catalog()) {
        Ok(mapped) => mapped.draft,
        Err(error) => return Outcome::Park(format!("refunds of order {}: {error}", link.woo_order_id)),
    };
    let netted = net_of_refunds(&mapped, refunds, &rt.settings.refunds);
    if nothing_left(&netted) {
        return super::cancel::cancel_open(rt, nav, job, link, nav_order, rec).await;
    }
    let lines = attempt!(rt, job, "read sales lines", rec, nav.order_lines(nav_order, rec));
    let mut used = vec![false; lines.len()];
    let mut changes = Vec::new();
    for wanted in &netted.lines {
        let candidates = |exact: bool| lines.iter().enumerate().position(|(i, l)| !used[i] && same_object(l, wanted) && same_price(l, wanted) && (!exact || l.quantity == wanted.quantity));
        let Some(index) = candidates(true).or_else(|| candidates(false)) else {
            attempt!(rt, job, "add sales line", rec, nav.add_line(nav_order, wanted, &rt.catalog(), rec));
            changes.push(serde_json::json!({"added": wanted}));
            continue;
        };
        used[index] = true;
        let line = &lines[index];
        let refund_in_place = matches!(wanted.source, LineSource::Refund(_)) && line.quantity == wanted.quantity;
        if refund_in_place || (line.quantity == wanted.quantity && line.unit_price.round_dp(5) == wanted.unit_price.round_dp(5) && line.discount_amount.round_dp(2) == wanted.discount_amount.round_dp(2)) {
            continue;
        }
        if wanted.quantity < line.shipped {
            return Outcome::Park(format!(
                "refund of {} × {} on sales order {}: {} are shipped already; credit them after posting or change the order in NAV",
                line.quantity - wanted.quantity, line.number, nav_order.number, line.shipped
            ));
        }
        if line.unit_price.round_dp(5) == wanted.unit_price.round_dp(5) {
            attempt!(rt, job, "reduce sales line", rec, nav.set_line_quantity(nav_order, line, wanted, rec));
        } else {
            attempt!(rt, job, "remove sales line", rec, nav.delete_order_line(nav_order, line, rec));
            attempt!(rt, job, "add sales line", rec, nav.add_line(nav_order, wanted, &rt.catalog(), rec));
        }
        changes.push(serde_json::json!({"line": line.id, "number": line.number, "from": line.quantity, "to": wanted.quantity, "unit_price": wanted.unit_price}));
    }
    // What the order (or a refund) put there and is no longer wanted goes; lines someone added in
    // NAV and rounding lines stay.
    let ours = |line: &NavOrderLine| {
        line.number != settings.rounding_account
            && (mapped.lines.iter().any(|m| same_object(line, m)) || (line.number == rt.settings.refunds.amount_account && line.unit_price < Decimal::ZERO))
    };
    for (line, _) in lines.iter().zip(&used).filter(|(line, used)| !**used && ours(line)) {
        attempt!(rt, job, "remove sales line", rec, nav.delete_order_line(nav_order, line, rec));
        changes.push(serde_json::json!({"removed": line.id, "number": line.number, "quantity": line.quantity}));
    }
    let Some(current) = attempt!(rt, job, "read sales order", rec, nav.get_sales_order(nav_order, rec)) else {
        return Outcome::Retry(crate::adapter::AdapterError::NotFound { system: crate::adapter::System::Nav, what: format!("sales order {}", nav_order.number) });
    };
    let current = match reprice_amount_refund(rt, nav, job, &netted, current, &mut changes, rec).await {
        Ok(current) => current,
        Err(outcome) => return outcome,
    };
    let document = serde_json::to_string(&netted).unwrap_or_default();
    let fingerprint = link.fingerprint.clone().unwrap_or_default();
    if let Err(e) = rt.store.bind_order(link.woo_order_id, &link.external_document_number, link.state, &current.id, &current.number,
        &current.customer_number, &fingerprint, &document, &link.lines) {
        return local(e);
    }
    let (verdict, compared) = check_document_totals(netted.expected_total_including_tax, netted.expected_total_excluding_tax,
        current.total_including_tax, current.total_excluding_tax, settings.totals_tolerance, netted.currency_code.as_deref().unwrap_or(""));
    audit_decision(rt, job, "refunds applied to the sales order", serde_json::json!({
        "refunds": refunds.iter().map(|r| r.id).collect::<Vec<_>>(), "changes": changes, "woocommerce_total_after_refunds": netted.expected_total_including_tax,
        "nav_total": current.total_including_tax, "compared": compared, "verdict": verdict,
    }));
    match verdict {
        TotalsVerdict::Hold(reason) => {
            let _ = rt.store.set_order_state(link.woo_order_id, OrderLinkState::Held);
            return Outcome::Held(format!("sales order {} after refunds: {reason}", current.number));
        }
        // Within the tolerance, as for a new order: a rounding line makes NAV's total WooCommerce's.
        TotalsVerdict::Round(difference) => {
            let line = crate::flows::orders::rounding_line(&settings.rounding_account, difference);
            attempt!(rt, job, "add rounding line", rec, nav.add_line(&current, &line, &rt.catalog(), rec));
            changes.push(serde_json::json!({"rounding": difference}));
        }
        TotalsVerdict::Equal => {}
    }
    if changes.is_empty() {
        return Outcome::Skipped(format!("sales order {} already reflects the order's refunds", current.number));
    }
    Outcome::Done(format!("sales order {}: {} line change(s) for refunds", current.number, changes.len()))
}
