//! Reading write bodies the way WooCommerce's `prepare_object_for_database` does: addresses,
//! `meta_data` rows, and the four kinds of order lines (add, update by `id`, remove with
//! `quantity: 0` or by nulling every field), resolving products by SKU first.

use serde_json::{Map, Value};

use super::error::RestError;
use super::params::{as_bool, as_integer};
use crate::model::order::{Address, CouponLine, FeeLine, LineItem, Order, ShippingLine};
use crate::model::{ProductType, StoreData};
use crate::money;
use crate::totals;

pub type MetaWrite = (Option<i64>, String, Value);

fn invalid(param: &str, message: String) -> RestError {
    RestError::invalid_params(&[(param.to_string(), message)])
}

/// `meta_data: [{id?, key, value}]`.
pub fn meta_writes(param: &str, value: &Value) -> Result<Vec<MetaWrite>, RestError> {
    let Value::Array(items) = value else { return Err(invalid(param, format!("{param} is not of type array."))) };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(map) = item else { return Err(invalid(param, format!("{param}[{i}] is not of type object."))) };
        let Some(key) = map.get("key").and_then(Value::as_str) else { continue };
        let id = map.get("id").and_then(as_integer).filter(|id| *id > 0);
        out.push((id, key.to_string(), map.get("value").cloned().unwrap_or(Value::Null)));
    }
    Ok(out)
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Sets the address fields sent; `billing.email` must be an e-mail address.
pub fn apply_address(param: &str, target: &mut Address, value: &Value) -> Result<(), RestError> {
    let Value::Object(map) = value else { return Err(invalid(param, format!("{param} is not of type object."))) };
    for (key, value) in map {
        let v = text(value);
        match key.as_str() {
            "first_name" => target.first_name = v,
            "last_name" => target.last_name = v,
            "company" => target.company = v,
            "address_1" => target.address_1 = v,
            "address_2" => target.address_2 = v,
            "city" => target.city = v,
            "state" => target.state = v,
            "postcode" => target.postcode = v,
            "country" => target.country = v,
            "phone" => target.phone = v,
            "email" if param == "billing" => {
                if !v.is_empty() && !looks_like_email(&v) {
                    return Err(RestError::new(400, "woocommerce_rest_invalid_email", "Invalid billing email address."));
                }
                target.email = if v.is_empty() { None } else { Some(v) };
            }
            _ => {}
        }
    }
    Ok(())
}

pub fn looks_like_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !text.contains(' '),
        None => false,
    }
}

fn money_field(param: &str, map: &Map<String, Value>, key: &str) -> Result<Option<i64>, RestError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => money::from_json(value).map(Some).ok_or_else(|| invalid(param, format!("{param}[{key}] is not of type string."))),
    }
}

/// Resolves a line's product: `sku` first, else `product_id` (without `variation_id`), else
/// `variation_id`. Returns (product id, variation id), 0 for unknown.
fn resolve_product(store: &StoreData, map: &Map<String, Value>) -> Option<(i64, i64)> {
    let as_id = |key: &str| map.get(key).and_then(as_integer).filter(|id| *id > 0);
    let chosen = if let Some(sku) = map.get("sku").and_then(Value::as_str).filter(|s| !s.is_empty()) {
        store.sku_index.get(sku).copied().unwrap_or(0)
    } else if let (Some(product), None) = (as_id("product_id"), as_id("variation_id")) {
        product
    } else {
        as_id("variation_id")?
    };
    Some(match store.products.get(&chosen) {
        Some(p) if p.kind == ProductType::Variation => (p.parent_id, p.id),
        Some(p) => (p.id, 0),
        None => (0, 0),
    })
}

/// What changed in the lines, for stock adjustments on orders whose stock was reduced.
#[derive(Default)]
pub struct LineChanges {
    /// Indexes of added or quantity-changed lines.
    pub changed: Vec<usize>,
    /// (stock product id, reduced quantity) of removed lines.
    pub removed: Vec<(i64, i64)>,
    /// Any `*_lines`, `billing` or `shipping` sent: totals are recalculated.
    pub recalculate: bool,
}

fn all_null_but_id(map: &Map<String, Value>) -> bool {
    map.iter().all(|(k, v)| k == "id" || v.is_null())
}

fn apply_line_items(store: &mut StoreData, order: &mut Order, items: &[Value], changes: &mut LineChanges) -> Result<(), RestError> {
    for (i, item) in items.iter().enumerate() {
        let param = format!("line_items[{i}]");
        let Value::Object(map) = item else { return Err(invalid("line_items", format!("{param} is not of type object."))) };
        let quantity = match map.get("quantity") {
            None | Some(Value::Null) => None,
            Some(q) => {
                let q = as_integer(q).ok_or_else(|| invalid("line_items", format!("{param}[quantity] is not of type integer.")))?;
                if q.abs() > money::MAX_QUANTITY {
                    return Err(invalid("line_items", format!("{param}[quantity] must be between -{0} (inclusive) and {0} (inclusive)", money::MAX_QUANTITY)));
                }
                Some(q)
            }
        };
        let existing = map.get("id").and_then(as_integer).filter(|id| *id > 0);
        if let Some(item_id) = existing {
            let Some(index) = order.line_items.iter().position(|l| l.id == item_id) else {
                return Err(RestError::new(400, "woocommerce_rest_invalid_item_id", "Order item ID provided is not associated with order."));
            };
            if quantity == Some(0) || all_null_but_id(map) {
                let removed = order.line_items.remove(index);
                changes.removed.push((removed.stock_product(), removed.reduced_stock));
                continue;
            }
            let line = &mut order.line_items[index];
            if let Some(q) = quantity {
                if q != line.quantity {
                    let unit = if line.quantity != 0 { line.subtotal / line.quantity } else { 0 };
                    line.quantity = q;
                    line.subtotal = unit.saturating_mul(q);
                    line.total = line.subtotal;
                    changes.changed.push(index);
                }
            }
            if let Some(name) = map.get("name").and_then(Value::as_str) {
                line.name = name.to_string();
            }
            if let Some(subtotal) = money_field("line_items", map, "subtotal")? {
                line.subtotal = subtotal;
            }
            if let Some(total) = money_field("line_items", map, "total")? {
                line.total = total;
            }
            if let Some(meta) = map.get("meta_data") {
                let writes = meta_writes("line_items", meta)?;
                crate::model::apply_meta(&mut store.seq, &mut line.meta, &writes);
            }
            continue;
        }
        if quantity == Some(0) {
            continue;
        }
        let Some((product_id, variation_id)) = resolve_product(store, map) else {
            return Err(RestError::new(400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required."));
        };
        let stock_id = if variation_id > 0 { variation_id } else { product_id };
        let quantity = quantity.unwrap_or(1);
        let net = totals::net_price(store, stock_id).saturating_mul(quantity);
        let mut line = LineItem {
            id: store.seq.next_item(),
            name: store.products.get(&stock_id).map(|p| p.name.clone()).unwrap_or_default(),
            product_id,
            variation_id,
            quantity,
            tax_class: totals::tax_class_of(store, stock_id),
            subtotal: net,
            total: net,
            ..LineItem::default()
        };
        if let Some(name) = map.get("name").and_then(Value::as_str) {
            line.name = name.to_string();
        }
        if let Some(subtotal) = money_field("line_items", map, "subtotal")? {
            line.subtotal = subtotal;
        }
        if let Some(total) = money_field("line_items", map, "total")? {
            line.total = total;
        }
        if let Some(meta) = map.get("meta_data") {
            let writes = meta_writes("line_items", meta)?;
            crate::model::apply_meta(&mut store.seq, &mut line.meta, &writes);
        }
        order.line_items.push(line);
        changes.changed.push(order.line_items.len() - 1);
    }
    Ok(())
}

fn apply_shipping_lines(store: &mut StoreData, order: &mut Order, items: &[Value]) -> Result<(), RestError> {
    for (i, item) in items.iter().enumerate() {
        let Value::Object(map) = item else { return Err(invalid("shipping_lines", format!("shipping_lines[{i}] is not of type object."))) };
        let existing = map.get("id").and_then(as_integer).filter(|id| *id > 0);
        let position = existing.and_then(|id| order.shipping_lines.iter().position(|s| s.id == id));
        if let (Some(at), true) = (position, map.get("method_id").is_some_and(Value::is_null) || all_null_but_id(map)) {
            order.shipping_lines.remove(at);
            continue;
        }
        let line = match position {
            Some(at) => &mut order.shipping_lines[at],
            None => {
                order.shipping_lines.push(ShippingLine { id: store.seq.next_item(), ..ShippingLine::default() });
                let last = order.shipping_lines.len() - 1;
                &mut order.shipping_lines[last]
            }
        };
        if let Some(v) = map.get("method_id") {
            line.method_id = text(v);
        }
        if let Some(v) = map.get("method_title") {
            line.method_title = text(v);
        }
        if let Some(v) = map.get("instance_id") {
            line.instance_id = text(v);
        }
        if let Some(total) = money_field("shipping_lines", map, "total")? {
            line.total = total;
        }
    }
    Ok(())
}

fn apply_fee_lines(store: &mut StoreData, order: &mut Order, items: &[Value]) -> Result<(), RestError> {
    for (i, item) in items.iter().enumerate() {
        let Value::Object(map) = item else { return Err(invalid("fee_lines", format!("fee_lines[{i}] is not of type object."))) };
        let existing = map.get("id").and_then(as_integer).filter(|id| *id > 0);
        let position = existing.and_then(|id| order.fee_lines.iter().position(|f| f.id == id));
        if let (Some(at), true) = (position, map.get("name").is_some_and(Value::is_null) || all_null_but_id(map)) {
            order.fee_lines.remove(at);
            continue;
        }
        let line = match position {
            Some(at) => &mut order.fee_lines[at],
            None => {
                order.fee_lines.push(FeeLine { id: store.seq.next_item(), taxable: true, ..FeeLine::default() });
                let last = order.fee_lines.len() - 1;
                &mut order.fee_lines[last]
            }
        };
        if let Some(v) = map.get("name") {
            line.name = text(v);
        }
        if let Some(v) = map.get("tax_class") {
            line.tax_class = text(v);
        }
        if let Some(v) = map.get("tax_status") {
            line.taxable = text(v) != "none";
        }
        if let Some(total) = money_field("fee_lines", map, "total")? {
            line.total = total;
        }
    }
    Ok(())
}

fn apply_coupon_lines(store: &mut StoreData, order: &mut Order, items: &[Value]) -> Result<(), RestError> {
    for item in items {
        let Value::Object(map) = item else { continue };
        if map.get("id").and_then(as_integer).is_some_and(|id| id > 0) {
            if map.get("code").is_some_and(Value::is_null) {
                let id = map.get("id").and_then(as_integer).unwrap_or(0);
                order.coupon_lines.retain(|c| c.id != id);
                continue;
            }
            return Err(RestError::new(400, "woocommerce_rest_coupon_item_id_readonly", "Coupon item ID is readonly."));
        }
        let Some(code) = map.get("code").and_then(Value::as_str) else {
            return Err(RestError::new(400, "woocommerce_rest_invalid_coupon", "Coupon code is required."));
        };
        let Some(coupon) = store.coupons.get(&code.to_lowercase()).cloned() else {
            return Err(RestError::new(400, "woocommerce_rest_invalid_coupon", &format!("Coupon \"{code}\" does not exist!")));
        };
        order.coupon_lines.push(CouponLine {
            id: store.seq.next_item(),
            code: coupon.code.clone(),
            discount_type: coupon.discount_type.clone(),
            nominal_amount: coupon.amount,
            free_shipping: coupon.free_shipping,
            ..CouponLine::default()
        });
    }
    Ok(())
}

fn array<'a>(param: &str, value: &'a Value) -> Result<&'a [Value], RestError> {
    match value {
        Value::Array(items) => Ok(items),
        _ => Err(invalid(param, format!("{param} is not of type array."))),
    }
}

/// Applies an order body (everything but `status` and `set_paid`, which the caller handles
/// after the save, as WooCommerce does).
pub fn apply_order(store: &mut StoreData, order: &mut Order, body: &Map<String, Value>, creating: bool) -> Result<LineChanges, RestError> {
    let mut changes = LineChanges::default();
    for (key, value) in body {
        match key.as_str() {
            "parent_id" => order.parent_id = as_integer(value).unwrap_or(0),
            "currency" => order.currency = text(value),
            "customer_id" => {
                let id = as_integer(value).ok_or_else(|| invalid("customer_id", "customer_id is not of type integer.".into()))?;
                if id != 0 && !store.users.contains_key(&id) {
                    return Err(RestError::new(400, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid."));
                }
                order.customer_id = id;
            }
            "customer_note" => order.customer_note = text(value),
            "payment_method" => order.payment_method = text(value),
            "payment_method_title" => order.payment_method_title = text(value),
            "transaction_id" => order.transaction_id = text(value),
            "created_via" if creating => order.created_via = text(value),
            "billing" => {
                apply_address("billing", &mut order.billing, value)?;
                changes.recalculate = true;
            }
            "shipping" => {
                apply_address("shipping", &mut order.shipping, value)?;
                changes.recalculate = true;
            }
            "meta_data" => {
                let writes = meta_writes("meta_data", value)?;
                crate::model::apply_meta(&mut store.seq, &mut order.meta, &writes);
            }
            "line_items" => {
                apply_line_items(store, order, array("line_items", value)?, &mut changes)?;
                changes.recalculate = true;
            }
            "shipping_lines" => {
                apply_shipping_lines(store, order, array("shipping_lines", value)?)?;
                changes.recalculate = true;
            }
            "fee_lines" => {
                apply_fee_lines(store, order, array("fee_lines", value)?)?;
                changes.recalculate = true;
            }
            "coupon_lines" => {
                apply_coupon_lines(store, order, array("coupon_lines", value)?)?;
                changes.recalculate = true;
            }
            _ => {}
        }
    }
    Ok(changes)
}

/// `set_paid`, `manual_update` and friends.
pub fn flag(body: &Map<String, Value>, key: &str) -> bool {
    body.get(key).and_then(as_bool).unwrap_or(false)
}
