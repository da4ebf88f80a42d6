//! What shop staff do in wp-admin, with the hooks those screens fire: edit an order (status,
//! items, trash), refund, edit a product (stock, price, SKU), add or edit a customer.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::checkout::{step, ItemRequest};
use super::ControlError;
use crate::app::Sim;
use crate::hooks::Object;
use crate::model::order::{LineTax, Order};
use crate::model::StoreData;
use crate::money::Cents;
use crate::refunds::{self, RefundLineRequest, RefundRequest};
use crate::rest::writes;
use crate::{money, orders, stock, totals};

/// `PATCH /_sim/orders/{id}`: the order edit screen's "Update" (or its trash/restore links).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeOrder {
    pub status: Option<String>,
    /// Set line quantities by SKU (0 removes, a new SKU adds).
    #[serde(default)]
    pub items: Vec<ItemRequest>,
    #[serde(default)]
    pub billing: Map<String, Value>,
    #[serde(default)]
    pub meta_data: Vec<Value>,
    #[serde(default)]
    pub trash: bool,
    #[serde(default)]
    pub untrash: bool,
    /// Delete permanently.
    #[serde(default)]
    pub delete: bool,
}

pub async fn change_order(sim: &Arc<Sim>, id: i64, request: ChangeOrder) -> Result<(), ControlError> {
    step(sim, "admin", |store, change| {
        if !store.orders.contains_key(&id) {
            return Err(ControlError::NotFound(format!("order {id}")));
        }
        if request.delete {
            orders::delete(store, change, id);
            return Ok(());
        }
        if request.trash {
            orders::trash(store, change, id);
            return Ok(());
        }
        if request.untrash {
            orders::untrash(store, change, id);
            return Ok(());
        }
        if let Some(status) = &request.status {
            if !crate::model::order::ORDER_STATUSES.contains(&status.as_str()) {
                return Err(ControlError::Invalid(format!("unknown status {status}")));
            }
        }
        let lines_changed = !request.items.is_empty();
        if lines_changed {
            edit_items(store, change, id, &request.items)?;
        }
        let mut body = Map::new();
        if !request.billing.is_empty() {
            body.insert("billing".into(), Value::Object(request.billing.clone()));
        }
        if !request.meta_data.is_empty() {
            body.insert("meta_data".into(), Value::Array(request.meta_data.clone()));
        }
        if let Some(mut order) = store.orders.get(&id).cloned() {
            writes::apply_order(store, &mut order, &body, false).map_err(|e| ControlError::Invalid(e.message.clone()))?;
            if let Some(stored) = store.orders.get_mut(&id) {
                *stored = order;
            }
        }
        if lines_changed {
            totals::recalculate(store, id);
            orders::save(store, change, id);
        }
        match &request.status {
            Some(status) => {
                let changed = orders::change_status(store, change, id, status, true);
                if !changed {
                    orders::save(store, change, id);
                }
            }
            None => orders::save(store, change, id),
        }
        change.fire("woocommerce_process_shop_order_meta", Object::Order { id });
        // The edit screen saves the order twice more (issue #20449).
        orders::save(store, change, id);
        orders::save(store, change, id);
        Ok(())
    })
    .await
}

/// Line edits through the order screen's AJAX: stock moves at once for reduced orders.
fn edit_items(store: &mut StoreData, change: &mut crate::hooks::Change, id: i64, items: &[ItemRequest]) -> Result<(), ControlError> {
    for item in items {
        let product_id = *store.sku_index.get(&item.sku).ok_or_else(|| ControlError::Invalid(format!("unknown SKU {}", item.sku)))?;
        let position = store.orders.get(&id).and_then(|o| o.line_items.iter().position(|l| l.stock_product() == product_id));
        let mut body = Map::new();
        let line = match position.and_then(|at| store.orders.get(&id).map(|o| o.line_items[at].id)) {
            Some(line_id) => json!({"id": line_id, "quantity": item.quantity}),
            None => json!({"sku": item.sku, "quantity": item.quantity}),
        };
        body.insert("line_items".into(), json!([line]));
        let Some(mut order) = store.orders.get(&id).cloned() else { continue };
        let changes = writes::apply_order(store, &mut order, &body, false).map_err(|e| ControlError::Invalid(e.message.clone()))?;
        if let Some(stored) = store.orders.get_mut(&id) {
            *stored = order;
        }
        for (product, reduced) in changes.removed {
            stock::release_removed_line(store, change, id, product, reduced);
        }
        for index in changes.changed {
            stock::adjust_line_stock(store, change, id, index);
        }
        orders::save(store, change, id);
    }
    Ok(())
}

#[derive(Clone, Debug, Deserialize)]
pub struct RefundLine {
    /// Order item id — a product line, a shipping line or a fee — or the SKU of a product line.
    pub item_id: Option<i64>,
    pub sku: Option<String>,
    /// Product lines only (shipping and fees have none).
    #[serde(default)]
    pub quantity: i64,
    /// Amount excl. tax; default the line's unit total × quantity (all of a shipping or fee line).
    pub refund_total: Option<String>,
}

/// The order item a refund line names, the amount excl. tax it gives back, and the item's taxes
/// (whose rates the refunded tax is taken at).
fn refunded_item<'a>(store: &StoreData, order: &'a Order, wanted: &RefundLine) -> Result<(i64, Cents, &'a [LineTax]), ControlError> {
    let given = match &wanted.refund_total {
        Some(text) => Some(money::parse(text).ok_or_else(|| ControlError::Invalid(format!("refund_total {text}")))?),
        None => None,
    };
    let product = order
        .line_items
        .iter()
        .find(|l| Some(l.id) == wanted.item_id || wanted.sku.as_ref().is_some_and(|s| store.sku_index.get(s) == Some(&l.stock_product())));
    if let Some(line) = product {
        let total = match given {
            Some(total) => total,
            None if line.quantity != 0 => line.total.saturating_mul(wanted.quantity) / line.quantity,
            None => 0,
        };
        return Ok((line.id, total, &line.taxes));
    }
    if let Some(shipping) = order.shipping_lines.iter().find(|s| Some(s.id) == wanted.item_id) {
        return Ok((shipping.id, given.unwrap_or(shipping.total), &shipping.taxes));
    }
    if let Some(fee) = order.fee_lines.iter().find(|f| Some(f.id) == wanted.item_id) {
        return Ok((fee.id, given.unwrap_or(fee.total), &fee.taxes));
    }
    Err(ControlError::Invalid("refund line matches no order line".into()))
}

/// `POST /_sim/orders/{id}/refunds`: the admin's "Refund manually" (or "via gateway").
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminRefund {
    /// Default: the sum of the lines with their tax.
    pub amount: Option<String>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub lines: Vec<RefundLine>,
    #[serde(default)]
    pub restock: bool,
    /// "Refund via gateway" (needs an online gateway).
    #[serde(default)]
    pub refund_payment: bool,
}

pub async fn refund(sim: &Arc<Sim>, id: i64, request: AdminRefund) -> Result<i64, ControlError> {
    step(sim, "admin", |store, change| {
        let order = store.orders.get(&id).ok_or_else(|| ControlError::NotFound(format!("order {id}")))?;
        let mut lines = Vec::new();
        for wanted in &request.lines {
            if wanted.quantity.abs() > money::MAX_QUANTITY {
                return Err(ControlError::Invalid("refund quantity out of range".into()));
            }
            let (item_id, total, taxes) = refunded_item(store, order, wanted)?;
            let taxes = taxes
                .iter()
                .map(|t| (t.rate_id, store.rate(t.rate_id).map(|r| money::tax_on(total, r.percent)).unwrap_or(0)))
                .collect();
            lines.push(RefundLineRequest { item_id, quantity: wanted.quantity, refund_total: total, refund_tax: taxes });
        }
        let amount = match &request.amount {
            Some(text) => Some(money::parse(text).ok_or_else(|| ControlError::Invalid(format!("amount {text}")))?),
            None => None,
        };
        let refund = RefundRequest {
            amount,
            reason: request.reason.clone(),
            lines,
            refund_payment: request.refund_payment,
            restock: request.restock,
            refunded_by: crate::seed::ADMIN_USER_ID,
            meta: Vec::new(),
        };
        refunds::create_refund(store, change, id, refund).map_err(|e| ControlError::Invalid(e.to_string()))
    })
    .await
}

/// `PATCH /_sim/products/{id-or-sku}`: the product edit screen.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeProduct {
    pub stock_quantity: Option<i64>,
    pub manage_stock: Option<bool>,
    pub regular_price: Option<String>,
    pub sale_price: Option<String>,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub backorders: Option<String>,
}

pub async fn change_product(sim: &Arc<Sim>, key: &str, request: ChangeProduct) -> Result<i64, ControlError> {
    step(sim, "admin", |store, change| {
        let id = match key.parse::<i64>() {
            Ok(id) if store.products.contains_key(&id) => id,
            _ => *store.sku_index.get(key).ok_or_else(|| ControlError::NotFound(format!("product {key}")))?,
        };
        if let Some(sku) = &request.sku {
            if store.sku_index.get(sku).is_some_and(|owner| *owner != id) {
                return Err(ControlError::Invalid("Invalid or duplicated SKU.".into()));
            }
            store.set_sku(id, sku);
        }
        let variation = store.products.get(&id).is_some_and(|p| p.kind == crate::model::ProductType::Variation);
        let no_stock = store.options.notify_no_stock;
        let manage_option = store.options.manage_stock;
        let Some(product) = store.products.get_mut(&id) else { return Err(ControlError::NotFound(format!("product {key}"))) };
        let (stock_before, status_before) = (product.stock_quantity, product.stock_status.clone());
        if let Some(manage) = request.manage_stock {
            product.manage_stock = manage;
        }
        if let Some(name) = &request.name {
            product.name = name.clone();
        }
        if let Some(backorders) = &request.backorders {
            product.backorders = backorders.clone();
        }
        for (field, value) in [(&mut product.regular_price, &request.regular_price), (&mut product.sale_price, &request.sale_price)] {
            if let Some(text) = value {
                *field = if text.is_empty() { None } else { Some(money::parse(text).ok_or_else(|| ControlError::Invalid(format!("price {text}")))?) };
            }
        }
        if let Some(quantity) = request.stock_quantity.filter(|_| product.manage_stock && manage_option) {
            product.stock_quantity = Some(quantity);
            product.stock_status = stock::status_for(quantity, &product.backorders, no_stock).to_string();
        }
        let (stock_after, status_after) = (product.stock_quantity, product.stock_status.clone());
        store.touch_product(id, change.now);
        let object = Object::Product { id };
        change.fire("woocommerce_process_product_meta", object);
        if stock_before != stock_after {
            change.fire(if variation { "woocommerce_variation_set_stock" } else { "woocommerce_product_set_stock" }, object);
            stock::log(store, change, id, stock_before, stock_after, "admin", None);
        }
        if status_before != status_after {
            change.fire(if variation { "woocommerce_variation_set_stock_status" } else { "woocommerce_product_set_stock_status" }, object);
        }
        change.fire(if variation { "woocommerce_update_product_variation" } else { "woocommerce_update_product" }, object);
        Ok(id)
    })
    .await
}

/// `POST /_sim/customers` and `PATCH /_sim/customers/{id}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerRequest {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Option<String>,
    #[serde(default)]
    pub billing: Map<String, Value>,
    #[serde(default)]
    pub shipping: Map<String, Value>,
    /// `admin` (wp-admin Users screen, default) or `account` (My Account registration).
    #[serde(default)]
    pub via: Option<String>,
}

pub async fn save_customer(sim: &Arc<Sim>, id: Option<i64>, request: CustomerRequest) -> Result<i64, ControlError> {
    let path = request.via.clone().unwrap_or_else(|| "admin".into());
    if !matches!(path.as_str(), "admin" | "account") {
        return Err(ControlError::Invalid("via must be admin or account".into()));
    }
    step(sim, &path, |store, change| {
        let (id, creating) = match id {
            Some(id) if store.users.contains_key(&id) => (id, false),
            Some(id) => return Err(ControlError::NotFound(format!("customer {id}"))),
            None => {
                let email = request.email.clone().filter(|e| writes::looks_like_email(e)).ok_or_else(|| ControlError::Invalid("email required".into()))?;
                if store.user_by_email(&email).is_some() {
                    return Err(ControlError::Invalid("An account is already registered with your email address.".into()));
                }
                let id = store.seq.next_user();
                let username = email.split('@').next().unwrap_or("customer").to_string();
                store.insert_user(crate::rest::customers::new_customer(id, &email, &username, change.now));
                (id, true)
            }
        };
        if let Some(email) = request.email.clone().filter(|_| !creating) {
            store.set_user_email(id, &email);
        }
        let Some(user) = store.users.get_mut(&id) else { return Err(ControlError::NotFound(format!("customer {id}"))) };
        if let Some(v) = &request.first_name {
            user.first_name = v.clone();
        }
        if let Some(v) = &request.last_name {
            user.last_name = v.clone();
        }
        if let Some(v) = &request.role {
            user.role = v.clone();
        }
        if !request.billing.is_empty() {
            writes::apply_address("billing", &mut user.billing, &Value::Object(request.billing.clone())).map_err(|e| ControlError::Invalid(e.message.clone()))?;
        }
        if !request.shipping.is_empty() {
            writes::apply_address("shipping", &mut user.shipping, &Value::Object(request.shipping.clone())).map_err(|e| ControlError::Invalid(e.message.clone()))?;
        }
        user.last_update = change.now;
        let object = Object::Customer { id };
        match (creating, path.as_str()) {
            (true, "account") => {
                change.fire("user_register", object);
                change.fire("woocommerce_created_customer", object);
            }
            (true, _) => change.fire("user_register", object),
            (false, _) => change.fire("profile_update", object),
        }
        Ok(id)
    })
    .await
}
