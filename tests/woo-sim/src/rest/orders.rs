//! `/wc/v3/orders`: list with WooCommerce's filters, read, create (the REST create path of
//! reference 1.3: new order as `pending`, totals saves, requested status, `set_paid`), update,
//! trash/delete, and batch.

use serde_json::{Map, Value};

use super::error::RestError;
use super::list::{self, Page};
use super::{batch, writes, Call, Outcome, Reply};
use crate::hooks::{Change, Object};
use crate::model::order::ORDER_STATUSES;
use crate::model::StoreData;
use crate::render::{self, Context};
use crate::{orders, stock, totals};

pub enum Route {
    List,
    Create,
    Batch,
    Get(i64),
    Update(i64),
    Delete(i64),
}

pub async fn run(call: &mut Call, route: Route) -> Outcome {
    match route {
        Route::List => list(call),
        Route::Get(id) => get(call, id),
        Route::Create => {
            let body = call.params.merged.clone();
            batch::single(call, |store, change, call| create(store, change, call, &body)).await
        }
        Route::Update(id) => {
            let body = call.params.merged.clone();
            batch::single(call, |store, change, call| update(store, change, call, id, &body)).await
        }
        Route::Delete(id) => {
            let force = call.params.boolean("force", false);
            call.params.check()?;
            batch::single(call, |store, change, call| delete(store, change, call, id, force)).await
        }
        Route::Batch => batch::run(call, create, update, delete).await,
    }
}

const LIST_STATUSES: &[&str] =
    &["any", "trash", "pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft"];

fn list(call: &mut Call) -> Outcome {
    let page = Page::read(call, "desc");
    let orderby = call.params.one_of("orderby", &["date", "id", "include", "title", "slug", "modified"], "date");
    let statuses = call.params.list_of("status", LIST_STATUSES);
    let customer = call.params.int("customer", None, None, None);
    let product = call.params.int("product", None, None, None);
    let include = call.params.int_list("include");
    let exclude = call.params.int_list("exclude");
    let parent = call.params.int_list("parent");
    let search = call.params.string("search").map(|s| s.to_lowercase());
    let created_via = call.params.string_list("created_via");
    let offset_secs = call.sim.read().offset();
    let gmt = call.params.boolean("dates_are_gmt", false);
    let column_offset = if gmt { 0 } else { offset_secs };
    let after = call.params.date("after", offset_secs);
    let before = call.params.date("before", offset_secs);
    let modified_after = call.params.date("modified_after", offset_secs);
    let modified_before = call.params.date("modified_before", offset_secs);
    call.params.int("dp", None, Some(0), None);
    call.context();
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")?;
    let store = call.sim.read();
    let matches = |id: &i64| -> bool {
        let Some(order) = store.orders.get(id) else { return false };
        let status_ok = if statuses.is_empty() || statuses.iter().any(|s| s == "any") {
            !matches!(order.status.as_str(), "trash" | "checkout-draft" | "auto-draft") || statuses.contains(&order.status)
        } else {
            statuses.contains(&order.status)
        };
        status_ok
            && customer.is_none_or(|c| order.customer_id == c)
            && product.is_none_or(|p| order.line_items.iter().any(|l| l.product_id == p || l.variation_id == p))
            && (include.is_empty() || include.contains(id))
            && !exclude.contains(id)
            && (parent.is_empty() || parent.contains(&order.parent_id))
            && (created_via.is_empty() || created_via.contains(&order.created_via))
            && after.is_none_or(|a| order.date_created + column_offset > a)
            && before.is_none_or(|b| order.date_created + column_offset < b)
            && modified_after.is_none_or(|a| order.date_modified + column_offset > a)
            && modified_before.is_none_or(|b| order.date_modified + column_offset < b)
            && search.as_ref().is_none_or(|q| search_matches(&store, *id, q))
    };
    let ids: Box<dyn Iterator<Item = i64>> = match orderby.as_str() {
        "modified" => ordered(store.orders_by_modified.iter().map(|(_, id)| *id), page.descending),
        "id" | "slug" | "title" => ordered(store.orders.keys().copied(), page.descending),
        "include" if !include.is_empty() => Box::new(include.clone().into_iter()),
        _ => ordered(store.orders_by_created.iter().map(|(_, id)| *id), page.descending),
    };
    let (total, slice) = list::paginate(ids.filter(|id| matches(id)), &page);
    let items = slice.iter().filter_map(|id| render::order(&store, *id, Context::View)).collect();
    drop(store);
    Ok(list::reply(call, total, &page, items))
}

fn ordered<'a>(ids: impl DoubleEndedIterator<Item = i64> + 'a, descending: bool) -> Box<dyn Iterator<Item = i64> + 'a> {
    if descending {
        Box::new(ids.rev())
    } else {
        Box::new(ids)
    }
}

fn search_matches(store: &StoreData, id: i64, query: &str) -> bool {
    let Some(order) = store.orders.get(&id) else { return false };
    let hay = [
        order.id.to_string(),
        order.billing.first_name.clone(),
        order.billing.last_name.clone(),
        order.billing.email.clone().unwrap_or_default(),
        order.billing.company.clone(),
        order.shipping.first_name.clone(),
        order.shipping.last_name.clone(),
    ];
    hay.iter().any(|h| h.to_lowercase().contains(query)) || order.line_items.iter().any(|l| l.name.to_lowercase().contains(query))
}

fn get(call: &mut Call, id: i64) -> Outcome {
    let context = call.context();
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")?;
    let store = call.sim.read();
    render::order(&store, id, context)
        .map(Reply::ok)
        .ok_or_else(|| RestError::new(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."))
}

fn check_status(body: &Map<String, Value>) -> Result<Option<String>, RestError> {
    match body.get("status") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if ORDER_STATUSES.contains(&s.as_str()) => Ok(Some(s.clone())),
        Some(_) => Err(RestError::invalid_params(&[(
            "status".into(),
            format!("status is not one of {}.", super::params::list_words(ORDER_STATUSES)),
        )])),
    }
}

/// REST create (also one batch `create` item).
pub fn create(store: &mut StoreData, change: &mut Change, call: &Call, body: &Map<String, Value>) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")?;
    if body.get("id").and_then(super::params::as_integer).is_some_and(|id| id > 0) {
        return Err(RestError::new(400, "woocommerce_rest_shop_order_exists", "Cannot create existing order."));
    }
    let status = check_status(body)?;
    let mut order = orders::new_order(store, "rest-api", change.now);
    writes::apply_order(store, &mut order, body, true)?;
    order.status = "pending".into();
    let coupons = order.coupon_lines.len();
    let id = orders::insert_new(store, change, order);
    // `update_taxes()` and `calculate_totals()` each save.
    totals::recalculate(store, id);
    orders::save(store, change, id);
    orders::save(store, change, id);
    for _ in 0..coupons {
        orders::save(store, change, id);
    }
    if let Some(status) = status {
        orders::change_status(store, change, id, &status, writes::flag(body, "manual_update"));
    }
    if writes::flag(body, "set_paid") {
        let transaction = body.get("transaction_id").and_then(Value::as_str).unwrap_or("");
        orders::payment_complete(store, change, id, transaction);
    }
    change.fire("woocommerce_rest_insert_shop_order_object", Object::Order { id });
    let rendered = render::order(store, id, Context::Edit).unwrap_or(Value::Null);
    Ok(Reply::created(rendered, call.rest_url(&format!("/wc/v3/orders/{id}"))))
}

/// REST update (also one batch `update` item).
pub fn update(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, body: &Map<String, Value>) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")?;
    let Some(mut order) = store.orders.get(&id).cloned() else {
        return Err(RestError::new(400, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."));
    };
    let status = check_status(body)?;
    let changes = writes::apply_order(store, &mut order, body, false)?;
    if let Some(stored) = store.orders.get_mut(&id) {
        *stored = order;
    }
    for (product, reduced) in &changes.removed {
        stock::release_removed_line(store, change, id, *product, *reduced);
    }
    for index in &changes.changed {
        stock::adjust_line_stock(store, change, id, *index);
    }
    orders::save(store, change, id);
    if changes.recalculate {
        totals::recalculate(store, id);
        orders::save(store, change, id);
        orders::save(store, change, id);
    }
    if let Some(status) = status {
        orders::change_status(store, change, id, &status, writes::flag(body, "manual_update"));
    }
    if writes::flag(body, "set_paid") {
        let needs_payment = store.orders.get(&id).is_some_and(|o| matches!(o.status.as_str(), "pending" | "failed") && o.totals.total > 0);
        if needs_payment {
            let transaction = body.get("transaction_id").and_then(Value::as_str).unwrap_or("");
            orders::payment_complete(store, change, id, transaction);
        }
    }
    change.fire("woocommerce_rest_insert_shop_order_object", Object::Order { id });
    Ok(Reply::ok(render::order(store, id, Context::Edit).unwrap_or(Value::Null)))
}

/// REST delete: trash, or for good with `force` (batch deletes always force).
pub fn delete(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, force: bool) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")?;
    let Some(before) = render::order(store, id, Context::Edit) else {
        return Err(RestError::new(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID."));
    };
    if force {
        orders::delete(store, change, id);
        return Ok(Reply::ok(before));
    }
    if store.orders.get(&id).is_some_and(|o| o.status == "trash") {
        return Err(RestError::new(410, "woocommerce_rest_already_trashed", "The order has already been deleted."));
    }
    orders::trash(store, change, id);
    Ok(Reply::ok(render::order(store, id, Context::Edit).unwrap_or(Value::Null)))
}
