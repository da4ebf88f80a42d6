//! `/wc/v3/orders/{id}/refunds` and `/wc/v3/refunds`: create with `api_refund` (default true,
//! which fails for offline gateways) and `api_restock` (default true), read, list, delete
//! (`force=true` only).

use serde_json::{Map, Value};

use super::error::RestError;
use super::list::{self, Page};
use super::params::as_integer;
use super::{batch, writes, Call, Outcome, Reply};
use crate::refunds::{self, RefundLineRequest, RefundRequest};
use crate::{money, render};

pub enum Route {
    List(Option<i64>),
    Create(i64),
    Get(i64, i64),
    Delete(i64, i64),
}

pub async fn run(call: &mut Call, route: Route) -> Outcome {
    match route {
        Route::List(order) => list(call, order),
        Route::Get(order, id) => get(call, order, id),
        Route::Create(order) => {
            let body = call.params.merged.clone();
            batch::single(call, |store, change, call| {
                call.require_in(store, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")?;
                if !store.orders.contains_key(&order) {
                    return Err(RestError::new(404, "woocommerce_rest_invalid_order_id", "Invalid order ID."));
                }
                let request = read_request(&body, call.caller.as_ref().map(|c| c.user_id).unwrap_or(1))?;
                match refunds::create_refund(store, change, order, request) {
                    Ok(id) => Ok(Reply::created(
                        render::refund(store, id).unwrap_or(Value::Null),
                        call.rest_url(&format!("/wc/v3/orders/{order}/refunds/{id}")),
                    )),
                    Err(error) => {
                        Err(RestError::new(500, "woocommerce_rest_cannot_create_order_refund", &error.to_string()))
                    }
                }
            })
            .await
        }
        Route::Delete(order, id) => {
            let force = call.params.boolean("force", false);
            call.params.check()?;
            batch::single(call, |store, change, call| {
                call.require_in(store, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")?;
                let known = store.refunds.get(&id).is_some_and(|r| r.order_id == order);
                if !known {
                    return Err(RestError::new(404, "woocommerce_rest_invalid_order_refund_id", "Invalid order refund ID."));
                }
                if !force {
                    return Err(RestError::new(501, "woocommerce_rest_trash_not_supported", "Refunds do not support trashing."));
                }
                let before = render::refund(store, id).unwrap_or(Value::Null);
                refunds::delete_refund(store, change, id);
                Ok(Reply::ok(before))
            })
            .await
        }
    }
}

fn read_request(body: &Map<String, Value>, user_id: i64) -> Result<RefundRequest, RestError> {
    let amount = match body.get("amount") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(value) => Some(money::from_json(value).ok_or_else(|| {
            RestError::invalid_params(&[("amount".into(), "amount is not of type string.".into())])
        })?),
    };
    if amount.is_some_and(|a| a < 0) {
        return Err(RestError::new(400, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero."));
    }
    let mut lines = Vec::new();
    if let Some(Value::Array(items)) = body.get("line_items") {
        for item in items {
            let Some(item_id) = item.get("id").and_then(as_integer) else { continue };
            let quantity = item.get("quantity").and_then(as_integer).unwrap_or(0);
            if quantity.abs() > money::MAX_QUANTITY {
                return Err(RestError::invalid_params(&[("line_items".into(), "line_items[quantity] is out of range.".into())]));
            }
            let refund_total = item.get("refund_total").and_then(money::from_json).unwrap_or(0);
            let refund_tax = match item.get("refund_tax") {
                Some(Value::Array(taxes)) => taxes
                    .iter()
                    .filter_map(|t| Some((t.get("id").and_then(as_integer)?, t.get("refund_total").and_then(money::from_json)?)))
                    .collect(),
                _ => Vec::new(),
            };
            lines.push(RefundLineRequest { item_id, quantity, refund_total, refund_tax });
        }
    }
    let meta = match body.get("meta_data") {
        Some(value) => writes::meta_writes("meta_data", value)?,
        None => Vec::new(),
    };
    Ok(RefundRequest {
        amount,
        reason: body.get("reason").and_then(Value::as_str).unwrap_or("").to_string(),
        lines,
        refund_payment: body.get("api_refund").and_then(super::params::as_bool).unwrap_or(true),
        restock: body.get("api_restock").and_then(super::params::as_bool).unwrap_or(true),
        refunded_by: user_id,
        meta,
    })
}

fn list(call: &mut Call, order: Option<i64>) -> Outcome {
    let page = Page::read(call, "desc");
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")?;
    let store = call.sim.read();
    if let Some(order) = order {
        if !store.orders.contains_key(&order) {
            return Err(RestError::new(404, "woocommerce_rest_invalid_order_id", "Invalid order ID."));
        }
    }
    let ids: Vec<i64> = store.refunds.values().filter(|r| order.is_none_or(|o| r.order_id == o)).map(|r| r.id).collect();
    let iter: Box<dyn Iterator<Item = i64>> = if page.descending { Box::new(ids.into_iter().rev()) } else { Box::new(ids.into_iter()) };
    let (total, slice) = list::paginate(iter, &page);
    let items = slice.iter().filter_map(|id| render::refund(&store, *id)).collect();
    drop(store);
    Ok(list::reply(call, total, &page, items))
}

fn get(call: &mut Call, order: i64, id: i64) -> Outcome {
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")?;
    let store = call.sim.read();
    if !store.orders.contains_key(&order) {
        return Err(RestError::new(404, "woocommerce_rest_invalid_order_id", "Invalid order ID."));
    }
    match store.refunds.get(&id) {
        Some(refund) if refund.order_id == order => Ok(Reply::ok(render::refund(&store, id).unwrap_or(Value::Null))),
        _ => Err(RestError::new(404, "woocommerce_rest_invalid_order_refund_id", "Invalid order refund ID.")),
    }
}
