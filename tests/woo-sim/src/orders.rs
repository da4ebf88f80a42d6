//! The order life cycle as `WC_Order` runs it: the first save, status changes with their
//! transition hooks and the stock callbacks core hangs on them, `payment_complete()`, trash,
//! restore and delete. REST handlers, checkout flows and admin actions all go through here so
//! that each path fires the hooks of reference section 1.

use rand::distributions::Alphanumeric;
use rand::Rng;

use crate::hooks::{Change, Object};
use crate::model::order::{is_draft, status_label, Order, PAID_STATUSES};
use crate::model::StoreData;
use crate::refunds::{self, RefundRequest};
use crate::stock;

/// Gateways of the simulated store: (id, title, supports refunds).
pub const GATEWAYS: &[(&str, &str, bool)] = &[
    ("bacs", "Direct bank transfer", false),
    ("cheque", "Check payments", false),
    ("cod", "Cash on delivery", false),
    ("card", "Credit card (simulated)", true),
    ("stripe", "Credit Card (Stripe)", true),
    ("ppcp-gateway", "PayPal", true),
];

pub fn gateway(id: &str) -> Option<(&'static str, &'static str, bool)> {
    GATEWAYS.iter().copied().find(|g| g.0 == id)
}

pub fn is_offline_gateway(id: &str) -> bool {
    matches!(id, "bacs" | "cheque" | "cod")
}

/// A new, unsaved order with the store defaults.
pub fn new_order(store: &StoreData, created_via: &str, now: i64) -> Order {
    let key: String = rand::thread_rng().sample_iter(&Alphanumeric).take(13).map(char::from).collect();
    Order {
        status: "pending".into(),
        currency: store.options.currency.clone(),
        created_via: created_via.into(),
        prices_include_tax: store.options.prices_include_tax,
        order_key: format!("wc_order_{key}"),
        date_created: now,
        date_modified: now,
        ..Order::default()
    }
}

/// First save of a new order (data store `create()`): takes an id from the posts sequence and
/// fires `woocommerce_new_order` unless the order is a draft.
pub fn insert_new(store: &mut StoreData, change: &mut Change, mut order: Order) -> i64 {
    let id = store.seq.next_post();
    order.id = id;
    order.date_created = change.now;
    order.date_modified = change.now;
    let draft = is_draft(&order.status);
    store.insert_order(order);
    if !draft {
        change.fire("woocommerce_new_order", Object::Order { id });
    }
    id
}

/// A save on the update path: `woocommerce_update_order` (the caller decides how many saves its
/// path makes).
pub fn save(store: &mut StoreData, change: &mut Change, id: i64) {
    store.touch_order(id, change.now);
    change.fire("woocommerce_update_order", Object::Order { id });
}

/// `$order->update_status($to)` / `set_status($to, '', $manual)` + `save()`: the save hook, then the
/// transition hooks with core's stock callbacks in between. Returns whether the status changed.
pub fn change_status(store: &mut StoreData, change: &mut Change, id: i64, to: &str, manual: bool) -> bool {
    let Some(order) = store.orders.get(&id) else { return false };
    let stored_from = order.status.clone();
    if stored_from == to {
        return false;
    }
    if manual {
        change.fire("woocommerce_order_edit_status", Object::Order { id });
    }
    // An unknown or auto-draft old status is reported as `pending` (abstract `set_status`).
    let from = if stored_from == "auto-draft" || stored_from == "draft" { "pending".to_string() } else { stored_from.clone() };
    if let Some(order) = store.orders.get_mut(&id) {
        order.status = to.to_string();
        if PAID_STATUSES.contains(&to) && order.date_paid.is_none() {
            order.date_paid = Some(change.now);
        }
        if to == "completed" && order.date_completed.is_none() {
            order.date_completed = Some(change.now);
        }
    }
    // Leaving a draft status turns the update into the "new order" moment (WC ≈9.1+).
    if is_draft(&stored_from) && !is_draft(to) {
        store.touch_order(id, change.now);
        change.fire("woocommerce_new_order", Object::Order { id });
    } else {
        save(store, change, id);
    }
    status_transition(store, change, id, &from, to);
    true
}

/// `status_transition()`: `woocommerce_order_status_{to}` (core reduces, restores or refunds stock
/// here), then the note, `_{from}_to_{to}`, `status_changed` and `payment_status_changed`.
pub fn status_transition(store: &mut StoreData, change: &mut Change, id: i64, from: &str, to: &str) {
    change.fire(format!("woocommerce_order_status_{to}"), Object::Order { id });
    match to {
        "processing" | "completed" | "on-hold" => stock::reduce_order_stock(store, change, id),
        "cancelled" | "pending" => stock::restore_order_stock(store, change, id),
        "refunded" => refund_remaining(store, change, id),
        _ => {}
    }
    if to == "completed" {
        mark_paying_customer(store, change, id);
    }
    if from.is_empty() || from == to {
        return;
    }
    let note = format!("Order status changed from {} to {}.", status_label(from), status_label(to));
    stock::add_note(store, id, change.now, note, false);
    change.fire(format!("woocommerce_order_status_{from}_to_{to}"), Object::Order { id });
    change.fire("woocommerce_order_status_changed", Object::Order { id });
    if matches!(from, "pending" | "failed") && PAID_STATUSES.contains(&to) {
        change.fire("woocommerce_order_payment_status_changed", Object::Order { id });
    }
}

/// `wc_order_fully_refunded` on `woocommerce_order_status_refunded`: a manual move to `refunded`
/// creates an item-less refund for what remains (no gateway call, no restock).
fn refund_remaining(store: &mut StoreData, change: &mut Change, id: i64) {
    let remaining = refunds::remaining(store, id);
    if remaining <= 0 {
        return;
    }
    let request = RefundRequest {
        amount: Some(remaining),
        reason: "Order status set to refunded. To return funds to the customer you will need to issue a refund through your payment gateway.".into(),
        refund_payment: false,
        restock: false,
        ..RefundRequest::default()
    };
    // The amount is exactly what remains, so this cannot fail on the amount; a gateway is not asked.
    let _ = refunds::create_refund(store, change, id, request);
}

/// `wc_paying_customer`: a registered customer's first paid order marks them paying (a customer save).
fn mark_paying_customer(store: &mut StoreData, change: &mut Change, order_id: i64) {
    let Some(customer_id) = store.orders.get(&order_id).map(|o| o.customer_id).filter(|c| *c > 0) else { return };
    if let Some(user) = store.users.get_mut(&customer_id) {
        if !user.is_paying_customer {
            user.is_paying_customer = true;
            user.last_update = change.now;
            change.fire("profile_update", Object::Customer { id: customer_id });
            change.fire("woocommerce_update_customer", Object::Customer { id: customer_id });
        }
    }
}

/// `WC_Order::payment_complete($transaction_id)`.
pub fn payment_complete(store: &mut StoreData, change: &mut Change, id: i64, transaction_id: &str) {
    let Some(status) = store.orders.get(&id).map(|o| o.status.clone()) else { return };
    change.fire("woocommerce_pre_payment_complete", Object::Order { id });
    if !matches!(status.as_str(), "on-hold" | "pending" | "failed" | "cancelled") {
        change.fire(format!("woocommerce_payment_complete_order_status_{status}"), Object::Order { id });
        return;
    }
    if let Some(order) = store.orders.get_mut(&id) {
        if !transaction_id.is_empty() {
            order.transaction_id = transaction_id.to_string();
        }
        if order.date_paid.is_none() {
            order.date_paid = Some(change.now);
        }
    }
    change_status(store, change, id, "processing", false);
    change.fire("woocommerce_payment_complete", Object::Order { id });
    mark_paying_customer(store, change, id);
}

/// Moves an order to the trash (HPOS data store: no `woocommerce_update_order`).
pub fn trash(store: &mut StoreData, change: &mut Change, id: i64) {
    change.fire("woocommerce_before_trash_order", Object::Order { id });
    if let Some(order) = store.orders.get_mut(&id) {
        order.status_before_trash = Some(std::mem::replace(&mut order.status, "trash".into()));
    }
    store.touch_order(id, change.now);
    change.fire("woocommerce_trash_order", Object::Order { id });
}

pub fn untrash(store: &mut StoreData, change: &mut Change, id: i64) {
    if let Some(order) = store.orders.get_mut(&id) {
        let previous = order.status_before_trash.take().unwrap_or_else(|| "pending".into());
        order.status = previous;
    }
    store.touch_order(id, change.now);
    change.fire("woocommerce_untrash_order", Object::Order { id });
}

/// Deletes an order for good; its last representation is kept for the event.
pub fn delete(store: &mut StoreData, change: &mut Change, id: i64) {
    change.fire("woocommerce_before_delete_order", Object::Order { id });
    let last = crate::render::order(store, id, crate::render::Context::View);
    store.remove_order(id);
    change.fire("woocommerce_delete_order", Object::Order { id });
    if let Some(last) = last {
        change.deleted.insert(Object::Order { id }, last);
    }
}
