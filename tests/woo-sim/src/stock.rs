//! Stock as WooCommerce moves it. Two paths fire different hooks:
//!
//! - `wc_update_product_stock()` (order reduce/restore, refund restock, line edits): an atomic
//!   delta on the stock-owning product, then its save, firing `*_before_set_stock`,
//!   `woocommerce_updated_product_stock`, `woocommerce_update_product(_variation)` and
//!   `woocommerce_product_set_stock` / `woocommerce_variation_set_stock` **with the owner** (the
//!   parent when a variation's stock is managed by the parent);
//! - a product save whose quantity changed (REST PUT, admin edit): see `rest::products`.
//!
//! Every change is also kept in the stock-change log for tests.

use crate::hooks::{Change, Object};
use crate::model::order::Note;
use crate::model::{ProductType, StockChange, StoreData};

const STOCK_LOG_CAPACITY: usize = 200_000;

#[derive(Clone, Copy, Debug)]
pub enum StockOp {
    Decrease(i64),
    Increase(i64),
}

/// Stock status a managed product gets from its quantity.
pub fn status_for(quantity: i64, backorders: &str, no_stock_amount: i64) -> &'static str {
    if quantity > no_stock_amount {
        "instock"
    } else if backorders != "no" {
        "onbackorder"
    } else {
        "outofstock"
    }
}

fn is_variation(store: &StoreData, id: i64) -> bool {
    store.products.get(&id).map(|p| p.kind == ProductType::Variation).unwrap_or(false)
}

/// Hook name for a product or a variation.
pub fn product_hook(store: &StoreData, id: i64, product: &str, variation: &str) -> String {
    if is_variation(store, id) {
        variation.to_string()
    } else {
        product.to_string()
    }
}

/// Appends to the stock-change log.
pub fn log(store: &mut StoreData, change: &Change, product_id: i64, from: Option<i64>, to: Option<i64>, cause: &str, order_id: Option<i64>) {
    store.seq.stock_change += 1;
    let sku = store.products.get(&product_id).map(|p| p.sku.clone()).unwrap_or_default();
    let entry = StockChange {
        seq: store.seq.stock_change,
        product_id,
        sku,
        from,
        to,
        cause: cause.to_string(),
        order_id,
        request_id: change.request_id,
        at: crate::clock::format(change.now, 0) + "Z",
    };
    // Bounded like the other logs: a benchmark writes stock millions of times.
    if store.stock_changes.len() >= STOCK_LOG_CAPACITY {
        store.stock_changes.drain(..STOCK_LOG_CAPACITY / 2);
    }
    store.stock_changes.push(entry);
}

/// `wc_update_product_stock()` on the stock owner. Returns (old, new).
pub fn update_product_stock(store: &mut StoreData, change: &mut Change, owner: i64, op: StockOp, cause: &str, order_id: Option<i64>) -> Option<(i64, i64)> {
    let no_stock = store.options.notify_no_stock;
    let before_hook = product_hook(store, owner, "woocommerce_product_before_set_stock", "woocommerce_variation_before_set_stock");
    let update_hook = product_hook(store, owner, "woocommerce_update_product", "woocommerce_update_product_variation");
    let set_hook = product_hook(store, owner, "woocommerce_product_set_stock", "woocommerce_variation_set_stock");
    let status_hook = product_hook(store, owner, "woocommerce_product_set_stock_status", "woocommerce_variation_set_stock_status");
    let product = store.products.get_mut(&owner)?;
    let old = product.stock_quantity.unwrap_or(0);
    let new = match op {
        StockOp::Decrease(n) => old.saturating_sub(n),
        StockOp::Increase(n) => old.saturating_add(n),
    };
    change.fire(before_hook, Object::Product { id: owner });
    product.stock_quantity = Some(new);
    change.fire("woocommerce_updated_product_stock", Object::Product { id: owner });
    let status = status_for(new, &product.backorders, no_stock);
    if product.stock_status != status {
        product.stock_status = status.to_string();
        change.fire(status_hook, Object::Product { id: owner });
    }
    change.fire(update_hook, Object::Product { id: owner });
    change.fire(set_hook, Object::Product { id: owner });
    store.touch_product(owner, change.now);
    log(store, change, owner, Some(old), Some(new), cause, order_id);
    Some((old, new))
}

fn describe(store: &StoreData, id: i64) -> String {
    match store.products.get(&id) {
        Some(p) if !p.sku.is_empty() => format!("{} ({})", p.name, p.sku),
        Some(p) => p.name.clone(),
        None => format!("#{id}"),
    }
}

pub fn add_note(store: &mut StoreData, order_id: i64, now: i64, text: String, added_by_user: bool) -> i64 {
    let id = store.seq.next_note();
    store.notes.insert(
        id,
        Note { id, order_id, author: "WooCommerce".into(), date_created: now, note: text, customer_note: false, added_by_user },
    );
    id
}

/// Low/no stock and backorder notifications after an order moved stock down.
fn notify(store: &StoreData, change: &mut Change, owner: i64, new: i64) {
    let Some(product) = store.products.get(&owner) else { return };
    let low = product.low_stock_amount.unwrap_or(store.options.notify_low_stock);
    if new < 0 {
        change.fire("woocommerce_product_on_backorder", Object::Product { id: owner });
    }
    if new <= store.options.notify_no_stock {
        change.fire("woocommerce_no_stock", Object::Product { id: owner });
    } else if new <= low {
        change.fire("woocommerce_low_stock", Object::Product { id: owner });
    }
}

/// `wc_maybe_reduce_stock_levels` + `wc_reduce_stock_levels`: once per order.
pub fn reduce_order_stock(store: &mut StoreData, change: &mut Change, order_id: i64) {
    let Some(order) = store.orders.get(&order_id) else { return };
    if order.stock_reduced || !store.options.manage_stock {
        return;
    }
    let lines: Vec<(usize, i64, i64)> =
        order.line_items.iter().enumerate().map(|(i, l)| (i, l.stock_product(), l.quantity.saturating_sub(l.reduced_stock))).collect();
    if let Some(order) = store.orders.get_mut(&order_id) {
        order.stock_reduced = true;
    }
    let mut changed = Vec::new();
    for (index, product_id, quantity) in lines {
        let Some(owner) = store.stock_owner(product_id) else { continue };
        if quantity <= 0 {
            continue;
        }
        let Some((old, new)) = update_product_stock(store, change, owner, StockOp::Decrease(quantity), "order-reduce", Some(order_id)) else {
            continue;
        };
        if let Some(line) = store.orders.get_mut(&order_id).and_then(|o| o.line_items.get_mut(index)) {
            line.reduced_stock += quantity;
        }
        change.fire("woocommerce_reduce_order_item_stock", Object::Order { id: order_id });
        changed.push((owner, product_id, old, new));
    }
    if changed.is_empty() {
        return;
    }
    let text = changed.iter().map(|(_, p, old, new)| format!("{} {old}&rarr;{new}", describe(store, *p))).collect::<Vec<_>>().join(", ");
    add_note(store, order_id, change.now, format!("Stock levels reduced: {text}"), false);
    change.fire("woocommerce_reduce_order_stock", Object::Order { id: order_id });
    for (owner, _, _, new) in changed {
        notify(store, change, owner, new);
    }
}

/// `wc_maybe_increase_stock_levels` + `wc_increase_stock_levels`: only if it had been reduced.
pub fn restore_order_stock(store: &mut StoreData, change: &mut Change, order_id: i64) {
    let Some(order) = store.orders.get(&order_id) else { return };
    if !order.stock_reduced || !store.options.manage_stock {
        return;
    }
    let lines: Vec<(usize, i64, i64)> = order
        .line_items
        .iter()
        .enumerate()
        .map(|(i, l)| (i, l.stock_product(), l.reduced_stock))
        .collect();
    if let Some(order) = store.orders.get_mut(&order_id) {
        order.stock_reduced = false;
    }
    let mut changed = Vec::new();
    for (index, product_id, quantity) in lines {
        if quantity <= 0 {
            continue;
        }
        let Some(owner) = store.stock_owner(product_id) else { continue };
        let Some((old, new)) = update_product_stock(store, change, owner, StockOp::Increase(quantity), "order-restore", Some(order_id)) else {
            continue;
        };
        if let Some(line) = store.orders.get_mut(&order_id).and_then(|o| o.line_items.get_mut(index)) {
            line.reduced_stock = 0;
        }
        change.fire("woocommerce_restore_order_item_stock", Object::Order { id: order_id });
        changed.push((product_id, old, new));
    }
    if changed.is_empty() {
        return;
    }
    let text = changed.iter().map(|(p, old, new)| format!("{} {old}&rarr;{new}", describe(store, *p))).collect::<Vec<_>>().join(", ");
    add_note(store, order_id, change.now, format!("Stock levels increased: {text}"), false);
    change.fire("woocommerce_restore_order_stock", Object::Order { id: order_id });
}

/// `wc_maybe_adjust_line_item_product_stock`: an edited line of an order whose stock was reduced
/// moves stock by the difference at once.
pub fn adjust_line_stock(store: &mut StoreData, change: &mut Change, order_id: i64, index: usize) {
    let Some(order) = store.orders.get(&order_id) else { return };
    if !matches!(order.status.as_str(), "processing" | "completed" | "on-hold") || !order.stock_reduced {
        return;
    }
    let Some(line) = order.line_items.get(index) else { return };
    let (product_id, diff) = (line.stock_product(), line.quantity.saturating_sub(line.reduced_stock));
    if diff == 0 {
        return;
    }
    let Some(owner) = store.stock_owner(product_id) else { return };
    let op = if diff > 0 { StockOp::Decrease(diff) } else { StockOp::Increase(-diff) };
    if let Some((old, new)) = update_product_stock(store, change, owner, op, "order-adjust", Some(order_id)) {
        if let Some(line) = store.orders.get_mut(&order_id).and_then(|o| o.line_items.get_mut(index)) {
            line.reduced_stock += diff;
        }
        let text = format!("Adjusted stock: {} ({old}&rarr;{new})", describe(store, product_id));
        add_note(store, order_id, change.now, text, false);
    }
}

/// A removed line of a reduced order gives its stock back.
pub fn release_removed_line(store: &mut StoreData, change: &mut Change, order_id: i64, product_id: i64, reduced: i64) {
    if reduced <= 0 {
        return;
    }
    if let Some(owner) = store.stock_owner(product_id) {
        update_product_stock(store, change, owner, StockOp::Increase(reduced), "order-adjust", Some(order_id));
    }
}
