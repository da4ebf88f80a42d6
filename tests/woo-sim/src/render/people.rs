//! Customers, order notes and webhooks.

use serde_json::{json, Value};

use super::{address, date, meta, Context};
use crate::model::StoreData;
use crate::webhooks::topics;

pub fn customer(store: &StoreData, id: i64) -> Option<Value> {
    let user = store.users.get(&id)?;
    let offset = store.offset();
    Some(json!({
        "id": user.id,
        "date_created": date(user.registered, offset),
        "date_created_gmt": date(user.registered, 0),
        "date_modified": date(user.last_update, offset),
        "date_modified_gmt": date(user.last_update, 0),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "username": user.username,
        "billing": address(&user.billing, true),
        "shipping": address(&user.shipping, false),
        "is_paying_customer": user.is_paying_customer,
        "avatar_url": format!("https://secure.gravatar.com/avatar/{:x}?s=96&d=mm&r=g", md5ish(&user.email)),
        "meta_data": meta(&user.meta),
    }))
}

/// A stable stand-in for the gravatar hash (the exact URL is not part of any contract).
fn md5ish(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325u64, |hash, b| (hash ^ b as u64).wrapping_mul(0x100000001b3))
}

pub fn note(store: &StoreData, id: i64) -> Option<Value> {
    let note = store.notes.get(&id)?;
    Some(json!({
        "id": note.id,
        "author": note.author,
        "date_created": date(note.date_created, store.offset()),
        "date_created_gmt": date(note.date_created, 0),
        "note": note.note,
        "customer_note": note.customer_note,
    }))
}

pub fn webhook(store: &StoreData, id: i64, context: Context) -> Option<Value> {
    let hook = store.webhooks.get(&id)?;
    let offset = store.offset();
    let (resource, event) = hook.topic.split_once('.').unwrap_or(("", ""));
    let mut value = json!({
        "id": hook.id,
        "name": hook.name,
        "status": hook.status,
        "topic": hook.topic,
        "resource": resource,
        "event": event,
        "hooks": topics::hooks_of(&hook.topic),
        "delivery_url": hook.delivery_url,
        "date_created": date(hook.date_created, offset),
        "date_created_gmt": date(hook.date_created, 0),
        "date_modified": date(hook.date_modified, offset),
        "date_modified_gmt": date(hook.date_modified, 0),
    });
    if context == Context::Edit {
        if let Some(map) = value.as_object_mut() {
            map.insert("secret".into(), Value::String(hook.secret.clone()));
        }
    }
    Some(value)
}
