//! Orders placed the way shoppers and shop staff place them, each path firing its own hooks in
//! the order of reference 1.3: classic checkout, block checkout (a `checkout-draft` first, then
//! the checkout request that moves it to `pending` — the moment `woocommerce_new_order` fires),
//! and an admin-created order (an `auto-draft` that "Create" turns into a real order).

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::ControlError;
use crate::app::Sim;
use crate::hooks::{Change, Object};
use crate::model::order::{Address, Order};
use crate::model::StoreData;
use crate::rest::writes;
use crate::{orders, totals};

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutKind {
    #[default]
    Classic,
    Block,
    Admin,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ItemRequest {
    pub sku: String,
    #[serde(default = "one")]
    pub quantity: i64,
}

fn one() -> i64 {
    1
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ShippingRequest {
    #[serde(default = "flat_rate")]
    pub method_id: String,
    #[serde(default)]
    pub method_title: Option<String>,
    pub total: String,
}

fn flat_rate() -> String {
    "flat_rate".into()
}

#[derive(Clone, Debug, Deserialize)]
pub struct FeeRequest {
    pub name: String,
    pub total: String,
    #[serde(default = "yes")]
    pub taxable: bool,
}

fn yes() -> bool {
    true
}

/// `POST /_sim/checkout`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceOrder {
    #[serde(default)]
    pub checkout: CheckoutKind,
    /// A registered customer; 0/absent = guest.
    #[serde(default)]
    pub customer_id: i64,
    /// Guest checkout that creates an account (classic and block).
    #[serde(default)]
    pub create_account: bool,
    /// Billing address fields (`email`, `first_name`, ...); defaults from the customer.
    #[serde(default)]
    pub billing: Map<String, Value>,
    #[serde(default)]
    pub shipping_address: Map<String, Value>,
    pub items: Vec<ItemRequest>,
    #[serde(default)]
    pub shipping: Option<ShippingRequest>,
    #[serde(default)]
    pub fees: Vec<FeeRequest>,
    #[serde(default)]
    pub coupons: Vec<String>,
    /// `bacs`, `cheque`, `cod` (offline), `card`, `stripe`, `ppcp-gateway`.
    #[serde(default = "card")]
    pub payment_method: String,
    /// Resulting status; default what the gateway does (online: processing, bacs/cheque: on-hold,
    /// cod: processing; admin: pending).
    #[serde(default)]
    pub status: Option<String>,
    /// Block checkout: stop after the draft (an abandoned checkout).
    #[serde(default)]
    pub stop_at_draft: bool,
    #[serde(default)]
    pub customer_note: String,
    #[serde(default)]
    pub meta_data: Vec<Value>,
}

fn card() -> String {
    "card".into()
}

impl Default for PlaceOrder {
    /// A guest classic checkout paid by card, with no items yet.
    fn default() -> Self {
        Self {
            checkout: CheckoutKind::Classic,
            customer_id: 0,
            create_account: false,
            billing: Map::new(),
            shipping_address: Map::new(),
            items: Vec::new(),
            shipping: None,
            fees: Vec::new(),
            coupons: Vec::new(),
            payment_method: card(),
            status: None,
            stop_at_draft: false,
            customer_note: String::new(),
            meta_data: Vec::new(),
        }
    }
}

/// Builds the order lines and addresses from the request (no hooks).
fn build(store: &mut StoreData, request: &PlaceOrder, created_via: &str, now: i64) -> Result<Order, ControlError> {
    let mut order = orders::new_order(store, created_via, now);
    if request.customer_id > 0 {
        let user = store.users.get(&request.customer_id).ok_or_else(|| ControlError::NotFound(format!("customer {}", request.customer_id)))?;
        order.customer_id = user.id;
        order.billing = user.billing.clone();
        if order.billing.email.is_none() {
            order.billing.email = Some(user.email.clone());
        }
        order.shipping = user.shipping.clone();
    }
    let mut body = Map::new();
    let items: Vec<Value> = request.items.iter().map(|i| json!({"sku": i.sku, "quantity": i.quantity})).collect();
    for item in &request.items {
        if item.quantity.abs() > crate::money::MAX_QUANTITY {
            return Err(ControlError::Invalid(format!("quantity of {} out of range", item.sku)));
        }
        if !store.sku_index.contains_key(&item.sku) {
            return Err(ControlError::Invalid(format!("unknown SKU {}", item.sku)));
        }
    }
    body.insert("line_items".into(), Value::Array(items));
    if !request.billing.is_empty() {
        body.insert("billing".into(), Value::Object(request.billing.clone()));
    }
    if !request.shipping_address.is_empty() {
        body.insert("shipping".into(), Value::Object(request.shipping_address.clone()));
    }
    if let Some(shipping) = &request.shipping {
        let title = shipping.method_title.clone().unwrap_or_else(|| "Flat rate".into());
        body.insert("shipping_lines".into(), json!([{"method_id": shipping.method_id, "method_title": title, "total": shipping.total, "instance_id": "1"}]));
    }
    if !request.fees.is_empty() {
        let fees: Vec<Value> = request.fees.iter().map(|f| json!({"name": f.name, "total": f.total, "tax_status": if f.taxable { "taxable" } else { "none" }})).collect();
        body.insert("fee_lines".into(), Value::Array(fees));
    }
    if !request.coupons.is_empty() {
        body.insert("coupon_lines".into(), Value::Array(request.coupons.iter().map(|c| json!({"code": c})).collect()));
    }
    if !request.meta_data.is_empty() {
        body.insert("meta_data".into(), Value::Array(request.meta_data.clone()));
    }
    writes::apply_order(store, &mut order, &body, true).map_err(|e| ControlError::Invalid(e.message.clone()))?;
    if order.shipping == Address::default() {
        order.shipping = Address { email: None, ..order.billing.clone() };
    }
    let gateway = orders::gateway(&request.payment_method).ok_or_else(|| ControlError::Invalid(format!("unknown payment method {}", request.payment_method)))?;
    order.payment_method = gateway.0.to_string();
    order.payment_method_title = gateway.1.to_string();
    order.customer_note = request.customer_note.clone();
    order.customer_ip_address = "203.0.113.7".into();
    order.customer_user_agent = "Mozilla/5.0 (X11; Linux x86_64) woo-sim".into();
    order.cart_hash = format!("{:032x}", rand::random::<u128>());
    totals::calculate_totals(store, &mut order);
    Ok(order)
}

/// Creates the account of a guest who ticked "create account" (classic and block checkout).
fn create_account(store: &mut StoreData, change: &mut Change, billing: &Address) -> Result<i64, ControlError> {
    let email = billing.email.clone().ok_or_else(|| ControlError::Invalid("create_account needs billing.email".into()))?;
    if store.user_by_email(&email).is_some() {
        return Err(ControlError::Invalid("An account is already registered with your email address. Please log in.".into()));
    }
    let id = store.seq.next_user();
    let username = email.split('@').next().unwrap_or("customer").to_string();
    let mut user = crate::rest::customers::new_customer(id, &email, &username, change.now);
    user.first_name = billing.first_name.clone();
    user.last_name = billing.last_name.clone();
    user.billing = billing.clone();
    user.shipping = Address { email: None, ..billing.clone() };
    store.insert_user(user);
    change.fire("user_register", Object::Customer { id });
    change.fire("woocommerce_created_customer", Object::Customer { id });
    Ok(id)
}

/// The gateway's step after the order exists: `payment_complete()` for online gateways, or the
/// offline gateways' own status moves.
fn pay(store: &mut StoreData, change: &mut Change, id: i64, request: &PlaceOrder) {
    let default = match request.payment_method.as_str() {
        "bacs" | "cheque" => "on-hold",
        _ => "processing",
    };
    let wanted = request.status.clone().unwrap_or_else(|| default.to_string());
    match wanted.as_str() {
        "pending" => {}
        "processing" if !orders::is_offline_gateway(&request.payment_method) => {
            orders::payment_complete(store, change, id, &format!("txn_{id}"));
        }
        "completed" if !orders::is_offline_gateway(&request.payment_method) => {
            orders::payment_complete(store, change, id, &format!("txn_{id}"));
            orders::change_status(store, change, id, "completed", false);
        }
        other => {
            orders::change_status(store, change, id, other, false);
        }
    }
}

/// Runs one control step as one request: hooks, events and webhooks are published at its end.
pub async fn step<T>(sim: &Arc<Sim>, path: &str, work: impl FnOnce(&mut StoreData, &mut Change) -> Result<T, ControlError>) -> Result<T, ControlError> {
    let mut change = sim.change(path, false);
    let (result, publish) = {
        let mut store = sim.write();
        let result = work(&mut store, &mut change);
        (result, sim.prepare(&store, &change))
    };
    sim.publish(publish).await;
    for webhook in change.pings {
        crate::webhooks::delivery::ping(sim, webhook).await;
    }
    result
}

fn check_status(status: &Option<String>) -> Result<(), ControlError> {
    match status {
        Some(s) if !crate::model::order::ORDER_STATUSES.contains(&s.as_str()) => Err(ControlError::Invalid(format!("unknown status {s}"))),
        _ => Ok(()),
    }
}

pub async fn place_order(sim: &Arc<Sim>, request: PlaceOrder) -> Result<i64, ControlError> {
    check_status(&request.status)?;
    match request.checkout {
        CheckoutKind::Classic => classic(sim, request).await,
        CheckoutKind::Block => block(sim, request).await,
        CheckoutKind::Admin => admin(sim, request).await,
    }
}

async fn classic(sim: &Arc<Sim>, request: PlaceOrder) -> Result<i64, ControlError> {
    step(sim, "checkout", |store, change| {
        let mut order = build(store, &request, "checkout", change.now)?;
        if request.create_account && order.customer_id == 0 {
            order.customer_id = create_account(store, change, &order.billing)?;
        }
        if order.customer_id > 0 {
            let customer = Object::Customer { id: order.customer_id };
            change.fire("woocommerce_checkout_update_customer", customer);
            change.fire("profile_update", customer);
            change.fire("woocommerce_update_customer", customer);
            change.fire("woocommerce_checkout_update_user_meta", customer);
        }
        change.fire("woocommerce_checkout_create_order", Object::Order { id: store.seq.post + 1 });
        let id = orders::insert_new(store, change, order);
        totals::recalculate(store, id);
        for hook in ["woocommerce_checkout_update_order_meta", "woocommerce_checkout_order_created", "woocommerce_checkout_order_processed"] {
            change.fire(hook, Object::Order { id });
        }
        pay(store, change, id, &request);
        Ok(id)
    })
    .await
}

async fn block(sim: &Arc<Sim>, request: PlaceOrder) -> Result<i64, ControlError> {
    // Request 1: the checkout page loads; the cart becomes a `checkout-draft` order.
    let id = step(sim, "store-api", |store, change| {
        let mut order = build(store, &request, "store-api", change.now)?;
        order.status = "checkout-draft".into();
        let id = orders::insert_new(store, change, order);
        totals::recalculate(store, id);
        change.fire("woocommerce_store_api_checkout_update_order_meta", Object::Order { id });
        Ok(id)
    })
    .await?;
    if request.stop_at_draft {
        return Ok(id);
    }
    // Request 2: POST /wc/store/v1/checkout.
    step(sim, "store-api", |store, change| {
        orders::save(store, change, id);
        change.fire("woocommerce_store_api_checkout_update_order_meta", Object::Order { id });
        change.fire("woocommerce_store_api_checkout_update_order_from_request", Object::Order { id });
        orders::save(store, change, id);
        let billing = store.orders.get(&id).map(|o| o.billing.clone()).unwrap_or_default();
        if request.create_account && request.customer_id == 0 {
            let customer = create_account(store, change, &billing)?;
            change.fire("profile_update", Object::Customer { id: customer });
            change.fire("woocommerce_update_customer", Object::Customer { id: customer });
            if let Some(order) = store.orders.get_mut(&id) {
                order.customer_id = customer;
            }
        }
        change.fire("woocommerce_store_api_checkout_order_processed", Object::Order { id });
        orders::change_status(store, change, id, "pending", false);
        pay(store, change, id, &request);
        Ok(id)
    })
    .await
}

async fn admin(sim: &Arc<Sim>, request: PlaceOrder) -> Result<i64, ControlError> {
    // "Add order": an auto-draft, then items added and totals recalculated while still a draft.
    let id = step(sim, "admin", |store, change| {
        let mut order = build(store, &request, "admin", change.now)?;
        order.status = "auto-draft".into();
        let id = orders::insert_new(store, change, order);
        totals::recalculate(store, id);
        orders::save(store, change, id);
        Ok(id)
    })
    .await?;
    // "Create".
    step(sim, "admin", |store, change| {
        let wanted = request.status.clone().unwrap_or_else(|| "pending".into());
        change.fire("woocommerce_order_edit_status", Object::Order { id });
        if let Some(order) = store.orders.get_mut(&id) {
            order.status = "pending".into();
        }
        store.touch_order(id, change.now);
        change.fire("woocommerce_new_order", Object::Order { id });
        if wanted != "pending" {
            if let Some(order) = store.orders.get_mut(&id) {
                order.status = wanted.clone();
                if crate::model::order::PAID_STATUSES.contains(&wanted.as_str()) {
                    order.date_paid = Some(change.now);
                }
            }
            orders::status_transition(store, change, id, "pending", &wanted);
        }
        change.fire("woocommerce_process_shop_order_meta", Object::Order { id });
        Ok(id)
    })
    .await
}
