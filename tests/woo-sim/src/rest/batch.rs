//! Writes as one request: a single REST write, or a batch (`create`/`update`/`delete`, at most
//! 100 items → else 413; failed items answer in place with `error`; deletes always permanent).
//! Either way the whole request is one [`Change`]: hooks coalesce per object across a batch, as
//! they do in the single PHP request WooCommerce serves it in.

use serde_json::{json, Map, Value};

use super::error::RestError;
use super::params::as_integer;
use super::{Call, Outcome, Reply};
use crate::hooks::Change;
use crate::model::StoreData;

/// `woocommerce_rest_batch_items_limit`.
pub const BATCH_LIMIT: usize = 100;

pub type Create = fn(&mut StoreData, &mut Change, &Call, &Map<String, Value>) -> Outcome;
pub type Update = fn(&mut StoreData, &mut Change, &Call, i64, &Map<String, Value>) -> Outcome;
pub type Delete = fn(&mut StoreData, &mut Change, &Call, i64, bool) -> Outcome;

/// Runs one write under the store lock, then publishes its hooks, events and webhooks.
pub async fn single<F>(call: &mut Call, write: F) -> Outcome
where
    F: FnOnce(&mut StoreData, &mut Change, &Call) -> Outcome,
{
    let sim = call.sim.clone();
    let mut change = sim.change("rest-api", call.agent);
    let (outcome, publish) = {
        let mut store = sim.write();
        let outcome = write(&mut store, &mut change, call);
        let publish = sim.prepare(&store, &change);
        (outcome, publish)
    };
    sim.publish(publish).await;
    for webhook in change.pings {
        crate::webhooks::delivery::ping(&sim, webhook).await;
    }
    outcome
}

fn items(value: Option<&Value>) -> Vec<Value> {
    match value {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    }
}

fn failed(id: i64, error: &RestError) -> Value {
    let mut data = Map::new();
    data.insert("status".into(), json!(error.status));
    for (k, v) in &error.data {
        data.insert(k.clone(), v.clone());
    }
    json!({"id": id, "error": {"code": error.code, "message": error.message, "data": data}})
}

pub async fn run(call: &mut Call, create: Create, update: Update, delete: Delete) -> Outcome {
    call.require("woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource.")?;
    let creates = items(call.params.raw("create"));
    let updates = items(call.params.raw("update"));
    let deletes = items(call.params.raw("delete"));
    if creates.len() + updates.len() + deletes.len() > BATCH_LIMIT {
        return Err(RestError::new(
            413,
            "woocommerce_rest_request_entity_too_large",
            &format!("Unable to accept more than {BATCH_LIMIT} items for this request."),
        ));
    }
    let has = |key: &str| call.params.has(key);
    let (want_create, want_update, want_delete) = (has("create"), has("update"), has("delete"));
    single(call, |store, change, call| {
        let mut body = Map::new();
        if want_create {
            let results: Vec<Value> = creates
                .iter()
                .map(|item| match item {
                    Value::Object(map) => match create(store, change, call, map) {
                        Ok(reply) => reply.body,
                        Err(error) => failed(0, &error),
                    },
                    _ => failed(0, &RestError::invalid_params(&[("create".into(), "create[0] is not of type object.".into())])),
                })
                .collect();
            body.insert("create".into(), Value::Array(results));
        }
        if want_update {
            let results: Vec<Value> = updates
                .iter()
                .map(|item| {
                    let id = item.get("id").and_then(as_integer).unwrap_or(0);
                    match item {
                        Value::Object(map) => match update(store, change, call, id, map) {
                            Ok(reply) => reply.body,
                            Err(error) => failed(id, &error),
                        },
                        _ => failed(id, &RestError::invalid_params(&[("update".into(), "update[0] is not of type object.".into())])),
                    }
                })
                .collect();
            body.insert("update".into(), Value::Array(results));
        }
        if want_delete {
            let results: Vec<Value> = deletes
                .iter()
                .map(|item| {
                    let id = as_integer(item).or_else(|| item.get("id").and_then(as_integer)).unwrap_or(0);
                    match delete(store, change, call, id, true) {
                        Ok(reply) => reply.body,
                        Err(error) => failed(id, &error),
                    }
                })
                .collect();
            body.insert("delete".into(), Value::Array(results));
        }
        Ok(Reply::ok(Value::Object(body)))
    })
    .await
}
