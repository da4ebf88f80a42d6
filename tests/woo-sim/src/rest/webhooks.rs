//! `/wc/v3/webhooks`: create (saved `active`, then a ping to the delivery URL that creation does
//! not depend on), update (status changes never reset the failure count), delete (`force` only).

use rand::Rng;
use serde_json::{Map, Value};

use super::error::RestError;
use super::list::{self, Page};
use super::{batch, Call, Outcome, Reply};
use crate::hooks::{Change, Object};
use crate::model::{StoreData, Webhook};
use crate::render::{self, Context};
use crate::webhooks::topics;

pub enum Route {
    List,
    Create,
    Batch,
    Get(i64),
    Update(i64),
    Delete(i64),
}

pub async fn run(call: &mut Call, route: Route) -> Outcome {
    let body = call.params.merged.clone();
    match route {
        Route::List => list(call),
        Route::Get(id) => {
            let context = call.context();
            call.params.check()?;
            call.require("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")?;
            let store = call.sim.read();
            render::webhook(&store, id, context).map(Reply::ok).ok_or_else(invalid_id)
        }
        Route::Create => batch::single(call, |s, c, call| create(s, c, call, &body)).await,
        Route::Update(id) => batch::single(call, |s, c, call| update(s, c, call, id, &body)).await,
        Route::Delete(id) => {
            let force = call.params.boolean("force", false);
            call.params.check()?;
            batch::single(call, |s, c, call| delete(s, c, call, id, force)).await
        }
        Route::Batch => batch::run(call, create, update, delete).await,
    }
}

fn invalid_id() -> RestError {
    RestError::new(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
}

fn list(call: &mut Call) -> Outcome {
    let page = Page::read(call, "desc");
    let status = call.params.one_of("status", &["all", "active", "paused", "disabled"], "all");
    let context = call.context();
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")?;
    let store = call.sim.read();
    let ids = store.webhooks.values().filter(|w| status == "all" || w.status == status).map(|w| w.id);
    let ids: Vec<i64> = if page.descending { ids.rev().collect() } else { ids.collect() };
    let (total, slice) = list::paginate(ids.into_iter(), &page);
    let items = slice.iter().filter_map(|id| render::webhook(&store, *id, context)).collect();
    drop(store);
    Ok(list::reply(call, total, &page, items))
}

fn valid_url(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

/// `wp_generate_password(50, true, true)`.
fn generate_secret() -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_ []{}<>~`+=,.;:/?|";
    let mut rng = rand::thread_rng();
    (0..50).map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char).collect()
}

fn check_status(body: &Map<String, Value>) -> Result<Option<String>, RestError> {
    match body.get("status") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if ["active", "paused", "disabled"].contains(&s.as_str()) => Ok(Some(s.clone())),
        Some(_) => Err(RestError::invalid_params(&[("status".into(), "status is not one of active, paused, and disabled.".into())])),
    }
}

pub fn create(store: &mut StoreData, change: &mut Change, call: &Call, body: &Map<String, Value>) -> Outcome {
    let user_id = call.require_in(store, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")?;
    let mut missing = Vec::new();
    if !body.contains_key("topic") {
        missing.push("topic");
    }
    if !body.contains_key("delivery_url") {
        missing.push("delivery_url");
    }
    if !missing.is_empty() {
        return Err(RestError::missing_params(&missing));
    }
    let topic = body.get("topic").and_then(Value::as_str).unwrap_or_default();
    if !topics::is_valid(topic) {
        return Err(RestError::new(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid."));
    }
    let url = body.get("delivery_url").and_then(Value::as_str).unwrap_or_default();
    if !valid_url(url) {
        return Err(RestError::new(400, "woocommerce_rest_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL starting with http:// or https://."));
    }
    let status = check_status(body)?.unwrap_or_else(|| "active".into());
    let id = store.seq.next_webhook();
    let name = body.get("name").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| {
        format!("Webhook created on {}", chrono::DateTime::from_timestamp(change.now + store.offset(), 0).map(|d| d.format("%B %-d, %Y @ %-I:%M %p").to_string()).unwrap_or_default())
    });
    let webhook = Webhook {
        id,
        name,
        status: status.clone(),
        topic: topic.to_string(),
        delivery_url: url.to_string(),
        secret: body.get("secret").and_then(Value::as_str).map(str::to_string).unwrap_or_else(generate_secret),
        user_id,
        api_version: "wp_api_v3".into(),
        failure_count: 0,
        pending_delivery: true,
        date_created: change.now,
        date_modified: change.now,
    };
    store.webhooks.insert(id, webhook);
    change.fire("woocommerce_new_webhook", Object::Webhook { id });
    change.pings.push(id);
    Ok(Reply::created(render::webhook(store, id, Context::Edit).unwrap_or(Value::Null), call.rest_url(&format!("/wc/v3/webhooks/{id}"))))
}

pub fn update(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, body: &Map<String, Value>) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")?;
    let status = check_status(body)?;
    if let Some(topic) = body.get("topic").and_then(Value::as_str) {
        if !topics::is_valid(topic) {
            return Err(RestError::new(400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid."));
        }
    }
    if let Some(url) = body.get("delivery_url").and_then(Value::as_str) {
        if !valid_url(url) {
            return Err(RestError::new(400, "woocommerce_rest_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL starting with http:// or https://."));
        }
    }
    let Some(webhook) = store.webhooks.get_mut(&id) else { return Err(invalid_id()) };
    let old_url = webhook.delivery_url.clone();
    for (key, value) in body {
        let Some(text) = value.as_str() else { continue };
        match key.as_str() {
            "name" => webhook.name = text.to_string(),
            "topic" => webhook.topic = text.to_string(),
            "delivery_url" => webhook.delivery_url = text.to_string(),
            "secret" => webhook.secret = text.to_string(),
            _ => {}
        }
    }
    // `failure_count` is left alone: a re-enabled webhook keeps counting from where it was.
    if let Some(status) = status {
        webhook.status = status;
    }
    webhook.date_modified = change.now;
    if webhook.status == "active" && (webhook.pending_delivery || webhook.delivery_url != old_url) {
        change.pings.push(id);
    }
    change.fire("woocommerce_webhook_updated", Object::Webhook { id });
    Ok(Reply::ok(render::webhook(store, id, Context::Edit).unwrap_or(Value::Null)))
}

pub fn delete(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, force: bool) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")?;
    if !force {
        return Err(RestError::new(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing."));
    }
    let Some(before) = render::webhook(store, id, Context::Edit) else { return Err(invalid_id()) };
    store.webhooks.remove(&id);
    change.fire("woocommerce_webhook_deleted", Object::Webhook { id });
    Ok(Reply::ok(before))
}
