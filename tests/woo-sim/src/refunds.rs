//! `wc_create_refund()`: the refund object with its copies of the refunded order items (product,
//! shipping and fee lines), the gateway call (`api_refund`), restocking (`api_restock`), the
//! partial/full decision that moves a fully refunded order to `refunded`, and the hooks in the
//! order of reference section 1.2.

use crate::hooks::{Change, Object};
use crate::model::order::{FeeLine, LineTax, Refund, RefundLine, RefundedItem, ShippingLine, TaxLine};
use crate::model::StoreData;
use crate::money::Cents;
use crate::orders;
use crate::stock::{self, StockOp};

/// One refunded order item (a product, shipping or fee line): its id, quantity, amount excl. tax,
/// tax per rate id.
#[derive(Clone, Debug, Default)]
pub struct RefundLineRequest {
    pub item_id: i64,
    pub quantity: i64,
    pub refund_total: Cents,
    pub refund_tax: Vec<(i64, Cents)>,
}

#[derive(Clone, Debug, Default)]
pub struct RefundRequest {
    /// `None`: the sum of the lines.
    pub amount: Option<Cents>,
    pub reason: String,
    pub lines: Vec<RefundLineRequest>,
    /// `api_refund`: ask the gateway to pay back.
    pub refund_payment: bool,
    /// `api_restock`.
    pub restock: bool,
    pub refunded_by: i64,
    pub meta: Vec<(Option<i64>, String, serde_json::Value)>,
}

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("Invalid refund amount.")]
    InvalidAmount,
    #[error("{0}")]
    Gateway(&'static str),
}

/// What can still be refunded.
pub fn remaining(store: &StoreData, order_id: i64) -> Cents {
    let Some(order) = store.orders.get(&order_id) else { return 0 };
    let refunded = crate::money::sum(order.refunds.iter().filter_map(|r| store.refunds.get(r)).map(|r| r.amount));
    order.totals.total.saturating_sub(refunded)
}

pub fn create_refund(store: &mut StoreData, change: &mut Change, order_id: i64, request: RefundRequest) -> Result<i64, RefundError> {
    let Some(order) = store.orders.get(&order_id) else { return Err(RefundError::InvalidAmount) };
    let mut lines = Vec::new();
    let mut shipping_lines = Vec::new();
    let mut fee_lines = Vec::new();
    // As `wc_create_refund`: the order's items of type line_item, shipping and fee that the
    // request names are copied with negative totals; ids naming no such item are ignored.
    for wanted in &request.lines {
        let taxes = || refunded_taxes(&wanted.refund_tax);
        if let Some(item) = order.line_items.iter().find(|l| l.id == wanted.item_id) {
            lines.push(RefundLine {
                id: 0,
                refunded_item_id: item.id,
                name: item.name.clone(),
                product_id: item.product_id,
                variation_id: item.variation_id,
                quantity: -wanted.quantity,
                total: -wanted.refund_total,
                taxes: taxes(),
            });
        } else if let Some(shipping) = order.shipping_lines.iter().find(|s| s.id == wanted.item_id) {
            let line = ShippingLine { id: 0, total: -wanted.refund_total, taxes: taxes(), meta: Vec::new(), ..shipping.clone() };
            shipping_lines.push(RefundedItem { refunded_item_id: shipping.id, line });
        } else if let Some(fee) = order.fee_lines.iter().find(|f| f.id == wanted.item_id) {
            let line = FeeLine { id: 0, total: -wanted.refund_total, taxes: taxes(), meta: Vec::new(), ..fee.clone() };
            fee_lines.push(RefundedItem { refunded_item_id: fee.id, line });
        }
    }
    let amount = request.amount.unwrap_or_else(|| {
        crate::money::sum(request.lines.iter().map(|l| l.refund_total.saturating_add(crate::money::sum(l.refund_tax.iter().map(|t| t.1)))))
    });
    if amount < 0 || amount > remaining(store, order_id) {
        return Err(RefundError::InvalidAmount);
    }
    let payment_method = order.payment_method.clone();
    let id = store.seq.next_post();
    for line in &mut lines {
        line.id = store.seq.next_item();
    }
    for shipping in &mut shipping_lines {
        shipping.line.id = store.seq.next_item();
    }
    for fee in &mut fee_lines {
        fee.line.id = store.seq.next_item();
    }
    let mut tax_lines = refund_tax_lines(&lines, &shipping_lines, &fee_lines);
    for tax in &mut tax_lines {
        tax.id = store.seq.next_item();
    }
    let mut meta = Vec::new();
    crate::model::apply_meta(&mut store.seq, &mut meta, &request.meta);
    let refund = Refund {
        id,
        order_id,
        amount,
        reason: request.reason.clone(),
        refunded_by: request.refunded_by,
        refunded_payment: false,
        date_created: change.now,
        line_items: lines,
        shipping_lines,
        fee_lines,
        tax_lines,
        meta,
    };
    let object = Object::Refund { id, order_id };
    change.fire("woocommerce_create_refund", object);
    store.refunds.insert(id, refund);
    if let Some(order) = store.orders.get_mut(&order_id) {
        order.refunds.insert(0, id);
    }
    if request.refund_payment {
        let failure = match orders::gateway(&payment_method) {
            None => Some("The payment gateway for this order does not exist."),
            Some((_, _, false)) => Some("The payment gateway for this order does not support automatic refunds."),
            Some(_) => None,
        };
        if let Some(message) = failure {
            // The refund is deleted again; the order keeps no trace of it.
            store.refunds.remove(&id);
            if let Some(order) = store.orders.get_mut(&order_id) {
                order.refunds.retain(|r| *r != id);
            }
            change.fire("woocommerce_delete_order_refund", object);
            return Err(RefundError::Gateway(message));
        }
        if let Some(refund) = store.refunds.get_mut(&id) {
            refund.refunded_payment = true;
        }
    }
    if request.restock {
        restock(store, change, order_id, &request.lines);
    }
    if remaining(store, order_id) > 0 {
        change.fire("woocommerce_order_partially_refunded", Object::Order { id: order_id });
    } else {
        change.fire("woocommerce_order_fully_refunded", Object::Order { id: order_id });
        orders::change_status(store, change, order_id, "refunded", false);
    }
    orders::save(store, change, order_id);
    change.fire("woocommerce_refund_created", object);
    change.fire("woocommerce_order_refunded", Object::Order { id: order_id });
    Ok(id)
}

/// `update_taxes()` on the refund: one tax line per rate its items carry, shipping tax apart.
fn refund_tax_lines(lines: &[RefundLine], shipping: &[RefundedItem<ShippingLine>], fees: &[RefundedItem<FeeLine>]) -> Vec<TaxLine> {
    let mut by_rate: Vec<TaxLine> = Vec::new();
    let mut add = |tax: &LineTax, is_shipping: bool| {
        let index = match by_rate.iter().position(|t| t.rate_id == tax.rate_id) {
            Some(index) => index,
            None => {
                by_rate.push(TaxLine { rate_id: tax.rate_id, ..TaxLine::default() });
                by_rate.len() - 1
            }
        };
        let line = &mut by_rate[index];
        if is_shipping {
            line.shipping_tax_total = line.shipping_tax_total.saturating_add(tax.total);
        } else {
            line.tax_total = line.tax_total.saturating_add(tax.total);
        }
    };
    lines.iter().flat_map(|l| &l.taxes).chain(fees.iter().flat_map(|f| &f.line.taxes)).for_each(|t| add(t, false));
    shipping.iter().flat_map(|s| &s.line.taxes).for_each(|t| add(t, true));
    by_rate
}

/// The refunded tax per rate, negative as refund items store it.
fn refunded_taxes(refund_tax: &[(i64, Cents)]) -> Vec<LineTax> {
    refund_tax.iter().map(|(rate, amount)| LineTax { rate_id: *rate, total: -amount, subtotal: -amount }).collect()
}

/// `wc_restock_refunded_items`: only product lines whose stock had been reduced (a shipping or
/// fee id in the request matches no line item and is skipped).
fn restock(store: &mut StoreData, change: &mut Change, order_id: i64, lines: &[RefundLineRequest]) {
    for wanted in lines {
        let Some(order) = store.orders.get(&order_id) else { return };
        let Some(index) = order.line_items.iter().position(|l| l.id == wanted.item_id) else { continue };
        let line = &order.line_items[index];
        if line.reduced_stock <= 0 || wanted.quantity <= 0 {
            continue;
        }
        let product_id = line.stock_product();
        let Some(owner) = store.stock_owner(product_id) else { continue };
        let Some((old, new)) = stock::update_product_stock(store, change, owner, StockOp::Increase(wanted.quantity), "refund-restock", Some(order_id)) else {
            continue;
        };
        if let Some(line) = store.orders.get_mut(&order_id).and_then(|o| o.line_items.get_mut(index)) {
            line.reduced_stock -= wanted.quantity;
            line.restocked = line.restocked.saturating_add(wanted.quantity);
        }
        stock::add_note(store, order_id, change.now, format!("Item #{owner} stock increased from {old} to {new}."), false);
        change.fire("woocommerce_restock_refunded_item", Object::Product { id: owner });
    }
}

/// Deletes a refund (REST `DELETE /orders/{id}/refunds/{id}?force=true`).
pub fn delete_refund(store: &mut StoreData, change: &mut Change, refund_id: i64) -> Option<i64> {
    let refund = store.refunds.get(&refund_id)?;
    let order_id = refund.order_id;
    let last = crate::render::refund(store, refund_id);
    store.refunds.remove(&refund_id);
    if let Some(order) = store.orders.get_mut(&order_id) {
        order.refunds.retain(|r| *r != refund_id);
    }
    let object = Object::Refund { id: refund_id, order_id };
    change.fire("woocommerce_delete_order_refund", object);
    if let Some(last) = last {
        change.deleted.insert(object, last);
    }
    Some(order_id)
}
