//! Orders and refunds as `/wc/v3/orders` and `/wc/v3/orders/{id}/refunds` show them. A refund's
//! shipping and fee lines are drawn as the order's, with negative totals and `_refunded_item_id`.

use rust_decimal::prelude::ToPrimitive;
use serde_json::{json, Value};

use super::{address, date, item_meta, meta, optional_date, taxes, Context};
use crate::model::order::{FeeLine, Order, ShippingLine, TaxLine};
use crate::model::StoreData;
use crate::money;

pub fn order(store: &StoreData, id: i64, _context: Context) -> Option<Value> {
    let order = store.orders.get(&id)?;
    Some(render_order(store, order))
}

fn line_sku(store: &StoreData, product_id: i64, variation_id: i64) -> Value {
    // The product's *current* SKU, looked up at read time (not a snapshot).
    let id = if variation_id > 0 { variation_id } else { product_id };
    store.products.get(&id).map(|p| Value::String(p.sku.clone())).unwrap_or(Value::Null)
}

fn render_order(store: &StoreData, order: &Order) -> Value {
    let offset = store.offset();
    let line_items: Vec<Value> = order
        .line_items
        .iter()
        .map(|line| {
            let parent_name = if line.variation_id > 0 {
                store.products.get(&line.product_id).map(|p| Value::String(p.name.clone())).unwrap_or(Value::Null)
            } else {
                Value::Null
            };
            json!({
                "id": line.id,
                "name": line.name,
                "product_id": line.product_id,
                "variation_id": line.variation_id,
                "quantity": line.quantity,
                "tax_class": line.tax_class,
                "subtotal": money::format(line.subtotal),
                "subtotal_tax": money::format(line.subtotal_tax()),
                "total": money::format(line.total),
                "total_tax": money::format(line.total_tax()),
                "taxes": taxes(&line.taxes, true),
                "meta_data": item_meta(&line.meta),
                "sku": line_sku(store, line.product_id, line.variation_id),
                "price": money::unit_price(line.total, line.quantity),
                "image": {"id": "", "src": ""},
                "parent_name": parent_name,
            })
        })
        .collect();
    let tax_lines: Vec<Value> = order.tax_lines.iter().map(|t| tax_line(store, t)).collect();
    let shipping_lines: Vec<Value> = order.shipping_lines.iter().map(|s| shipping_line(s, item_meta(&s.meta))).collect();
    let fee_lines: Vec<Value> = order.fee_lines.iter().map(|f| fee_line(f, item_meta(&f.meta))).collect();
    let coupon_lines: Vec<Value> = order
        .coupon_lines
        .iter()
        .map(|c| {
            let nominal = if c.discount_type == "percent" { c.nominal_amount * 100 } else { c.nominal_amount };
            json!({
                "id": c.id,
                "code": c.code,
                "discount": money::format(c.discount),
                "discount_tax": money::format(c.discount_tax),
                "discount_type": c.discount_type,
                "nominal_amount": money::unit_price(nominal, 1),
                "free_shipping": c.free_shipping,
                "meta_data": [],
            })
        })
        .collect();
    let refunds: Vec<Value> = order
        .refunds
        .iter()
        .filter_map(|r| store.refunds.get(r))
        .map(|r| json!({"id": r.id, "reason": r.reason, "total": money::format(-r.amount)}))
        .collect();
    let needs_payment = matches!(order.status.as_str(), "pending" | "failed") && order.totals.total > 0;
    json!({
        "id": order.id,
        "parent_id": order.parent_id,
        "status": order.status,
        "currency": order.currency,
        "version": crate::WOOCOMMERCE_VERSION,
        "prices_include_tax": order.prices_include_tax,
        "date_created": date(order.date_created, offset),
        "date_modified": date(order.date_modified, offset),
        "discount_total": money::format(order.totals.discount_total),
        "discount_tax": money::format(order.totals.discount_tax),
        "shipping_total": money::format(order.totals.shipping_total),
        "shipping_tax": money::format(order.totals.shipping_tax),
        "cart_tax": money::format(order.totals.cart_tax),
        "total": money::format(order.totals.total),
        "total_tax": money::format(order.totals.total_tax),
        "customer_id": order.customer_id,
        "order_key": order.order_key,
        "billing": address(&order.billing, true),
        "shipping": address(&order.shipping, false),
        "payment_method": order.payment_method,
        "payment_method_title": order.payment_method_title,
        "transaction_id": order.transaction_id,
        "customer_ip_address": order.customer_ip_address,
        "customer_user_agent": order.customer_user_agent,
        "created_via": order.created_via,
        "customer_note": order.customer_note,
        "date_completed": optional_date(order.date_completed, offset),
        "date_paid": optional_date(order.date_paid, offset),
        "cart_hash": order.cart_hash,
        "number": store.order_number(order.id),
        "meta_data": meta(&order.meta),
        "line_items": line_items,
        "tax_lines": tax_lines,
        "shipping_lines": shipping_lines,
        "fee_lines": fee_lines,
        "coupon_lines": coupon_lines,
        "refunds": refunds,
        "payment_url": format!("{}/checkout/order-pay/{}/?pay_for_order=true&key={}", store.options.home_url, order.id, order.order_key),
        "is_editable": matches!(order.status.as_str(), "pending" | "on-hold" | "auto-draft" | "checkout-draft"),
        "needs_payment": needs_payment,
        "needs_processing": true,
        "date_created_gmt": date(order.date_created, 0),
        "date_modified_gmt": date(order.date_modified, 0),
        "date_completed_gmt": optional_date(order.date_completed, 0),
        "date_paid_gmt": optional_date(order.date_paid, 0),
        "currency_symbol": currency_symbol(&order.currency),
    })
}

fn tax_line(store: &StoreData, t: &TaxLine) -> Value {
    let rate = store.rate(t.rate_id);
    json!({
        "id": t.id,
        "rate_code": rate.map(|r| r.code()).unwrap_or_default(),
        "rate_id": t.rate_id,
        "label": rate.map(|r| r.label.clone()).unwrap_or_default(),
        "compound": false,
        "tax_total": money::format(t.tax_total),
        "shipping_tax_total": money::format(t.shipping_tax_total),
        "rate_percent": rate.and_then(|r| r.percent.to_f64()).map(|p| json!(p)).unwrap_or(Value::Null),
        "meta_data": [],
    })
}

fn shipping_line(s: &ShippingLine, meta_data: Value) -> Value {
    json!({
        "id": s.id,
        "method_title": s.method_title,
        "method_id": s.method_id,
        "instance_id": s.instance_id,
        "total": money::format(s.total),
        "total_tax": money::format(money::sum(s.taxes.iter().map(|t| t.total))),
        "taxes": taxes(&s.taxes, false),
        "meta_data": meta_data,
    })
}

fn fee_line(f: &FeeLine, meta_data: Value) -> Value {
    json!({
        "id": f.id,
        "name": f.name,
        "tax_class": f.tax_class,
        "tax_status": if f.taxable { "taxable" } else { "none" },
        "amount": money::format(f.total),
        "total": money::format(f.total),
        "total_tax": money::format(money::sum(f.taxes.iter().map(|t| t.total))),
        "taxes": taxes(&f.taxes, true),
        "meta_data": meta_data,
    })
}

/// The meta WooCommerce puts on every refund item: the order item it refunds.
fn refunded_item_meta(meta_id: i64, refunded_item_id: i64) -> Value {
    json!([{"id": meta_id, "key": "_refunded_item_id", "value": refunded_item_id.to_string(),
            "display_key": "_refunded_item_id", "display_value": refunded_item_id.to_string()}])
}

fn currency_symbol(code: &str) -> &'static str {
    match code {
        "EUR" => "€",
        "GBP" => "£",
        "USD" => "$",
        _ => "",
    }
}

pub fn refund(store: &StoreData, id: i64) -> Option<Value> {
    let refund = store.refunds.get(&id)?;
    let offset = store.offset();
    let lines: Vec<Value> = refund
        .line_items
        .iter()
        .map(|line| {
            let tax = money::sum(line.taxes.iter().map(|t| t.total));
            json!({
                "id": line.id,
                "name": line.name,
                "product_id": line.product_id,
                "variation_id": line.variation_id,
                "quantity": line.quantity,
                "tax_class": "",
                "subtotal": money::format(line.total),
                "subtotal_tax": money::format(tax),
                "total": money::format(line.total),
                "total_tax": money::format(tax),
                "taxes": taxes(&line.taxes, true),
                "meta_data": refunded_item_meta(line.id, line.refunded_item_id),
                "sku": line_sku(store, line.product_id, line.variation_id),
                "price": money::unit_price(line.total, line.quantity),
                "refund_total": money::unit_price(-line.total, 1),
            })
        })
        .collect();
    Some(json!({
        "id": refund.id,
        "date_created": date(refund.date_created, offset),
        "date_created_gmt": date(refund.date_created, 0),
        "amount": money::format(refund.amount),
        "reason": refund.reason,
        "refunded_by": refund.refunded_by,
        "refunded_payment": refund.refunded_payment,
        "meta_data": meta(&refund.meta),
        "line_items": lines,
        "shipping_lines": refund.shipping_lines.iter().map(|s| shipping_line(&s.line, refunded_item_meta(s.line.id, s.refunded_item_id))).collect::<Vec<_>>(),
        "tax_lines": refund.tax_lines.iter().map(|t| tax_line(store, t)).collect::<Vec<_>>(),
        "fee_lines": refund.fee_lines.iter().map(|f| fee_line(&f.line, refunded_item_meta(f.line.id, f.refunded_item_id))).collect::<Vec<_>>(),
    }))
}
