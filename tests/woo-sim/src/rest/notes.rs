//! `/wc/v3/orders/{id}/notes`: private and customer notes (WordPress comments on the order).

use serde_json::{json, Value};

use super::error::RestError;
use super::{batch, Call, Outcome, Reply};
use crate::model::order::Note;
use crate::render;

pub enum Route {
    List(i64),
    Create(i64),
    Get(i64, i64),
    Delete(i64, i64),
}

fn invalid_order() -> RestError {
    RestError::new(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
}

pub async fn run(call: &mut Call, route: Route) -> Outcome {
    match route {
        Route::List(order) => {
            let kind = call.params.one_of("type", &["any", "customer", "internal"], "any");
            call.params.check()?;
            call.require("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")?;
            let store = call.sim.read();
            if !store.orders.contains_key(&order) {
                return Err(invalid_order());
            }
            let notes: Vec<Value> = store
                .notes
                .values()
                .rev()
                .filter(|n| n.order_id == order)
                .filter(|n| kind == "any" || (kind == "customer") == n.customer_note)
                .filter_map(|n| render::note(&store, n.id))
                .collect();
            Ok(Reply::ok(Value::Array(notes)))
        }
        Route::Get(order, id) => {
            call.params.check()?;
            call.require("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")?;
            let store = call.sim.read();
            if !store.orders.contains_key(&order) {
                return Err(invalid_order());
            }
            match store.notes.get(&id) {
                Some(note) if note.order_id == order => Ok(Reply::ok(render::note(&store, id).unwrap_or(Value::Null))),
                _ => Err(RestError::new(404, "woocommerce_rest_invalid_id", "Invalid resource ID.")),
            }
        }
        Route::Create(order) => {
            let text = call.params.string("note");
            let customer_note = call.params.boolean("customer_note", false);
            let added_by_user = call.params.boolean("added_by_user", false);
            call.params.check()?;
            let Some(text) = text.filter(|t| !t.is_empty()) else { return Err(RestError::missing_params(&["note"])) };
            batch::single(call, |store, change, call| {
                call.require_in(store, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")?;
                if !store.orders.contains_key(&order) {
                    return Err(invalid_order());
                }
                let id = store.seq.next_note();
                let author = if added_by_user { "admin" } else { "WooCommerce" };
                store.notes.insert(id, Note { id, order_id: order, author: author.into(), date_created: change.now, note: text, customer_note, added_by_user });
                Ok(Reply::created(render::note(store, id).unwrap_or(json!({})), call.rest_url(&format!("/wc/v3/orders/{order}/notes/{id}"))))
            })
            .await
        }
        Route::Delete(order, id) => {
            let force = call.params.boolean("force", false);
            call.params.check()?;
            batch::single(call, |store, _change, call| {
                call.require_in(store, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")?;
                if store.notes.get(&id).is_none_or(|n| n.order_id != order) {
                    return Err(RestError::new(404, "woocommerce_rest_invalid_id", "Invalid resource ID."));
                }
                if !force {
                    return Err(RestError::new(501, "woocommerce_rest_trash_not_supported", "Order notes do not support trashing."));
                }
                let before = render::note(store, id).unwrap_or(Value::Null);
                store.notes.remove(&id);
                Ok(Reply::ok(before))
            })
            .await
        }
    }
}
