//! `/wc/v3/customers`: WordPress users (`WP_User_Query`), by default only role `customer`
//! (`role=all` for every role), ordered by name; create/update fire the customer hooks of
//! reference 1.2 (a create also runs `profile_update` inside).

use serde_json::{Map, Value};

use super::error::RestError;
use super::list::{self, Page};
use super::params::as_integer;
use super::{batch, writes, Call, Outcome, Reply};
use crate::hooks::{Change, Object};
use crate::model::order::Address;
use crate::model::{StoreData, User};
use crate::render;

pub enum Route {
    List,
    Create,
    Batch,
    Get(i64),
    Update(i64),
    Delete(i64),
}

const CORE_ROLES: &[&str] = &["all", "administrator", "editor", "author", "contributor", "subscriber", "customer", "shop_manager"];

pub async fn run(call: &mut Call, route: Route) -> Outcome {
    let body = call.params.merged.clone();
    match route {
        Route::List => list(call),
        Route::Get(id) => {
            call.params.check()?;
            call.require("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")?;
            let store = call.sim.read();
            render::customer(&store, id).map(Reply::ok).ok_or_else(|| RestError::new(404, "woocommerce_rest_invalid_id", "Invalid resource ID."))
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

fn list(call: &mut Call) -> Outcome {
    let page = Page::read(call, "asc");
    let orderby = call.params.one_of("orderby", &["id", "include", "name", "registered_date"], "name");
    let mut roles: Vec<String> = CORE_ROLES.iter().map(|r| r.to_string()).collect();
    for user in call.sim.read().users.values() {
        if !roles.contains(&user.role) {
            roles.push(user.role.clone());
        }
    }
    let role_names: Vec<&str> = roles.iter().map(String::as_str).collect();
    let role = call.params.one_of("role", &role_names, "customer");
    let email = call.params.string("email").map(|e| e.to_lowercase());
    let search = call.params.string("search").map(|s| s.to_lowercase().trim_matches('*').to_string());
    let include = call.params.int_list("include");
    let exclude = call.params.int_list("exclude");
    call.params.check()?;
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")?;
    let store = call.sim.read();
    let mut users: Vec<&User> = store
        .users
        .values()
        .filter(|u| role == "all" || u.role == role)
        .filter(|u| email.as_ref().is_none_or(|e| u.email.to_lowercase() == *e))
        .filter(|u| search.as_ref().is_none_or(|q| [&u.email, &u.username, &u.first_name, &u.last_name].iter().any(|f| f.to_lowercase().contains(q))))
        .filter(|u| include.is_empty() || include.contains(&u.id))
        .filter(|u| !exclude.contains(&u.id))
        .collect();
    match orderby.as_str() {
        "id" => users.sort_by_key(|u| u.id),
        "registered_date" => users.sort_by_key(|u| (u.registered, u.id)),
        "include" => users.sort_by_key(|u| include.iter().position(|i| *i == u.id).unwrap_or(usize::MAX)),
        _ => users.sort_by(|a, b| a.username.cmp(&b.username).then(a.id.cmp(&b.id))),
    }
    if page.descending {
        users.reverse();
    }
    let (total, slice) = list::paginate(users.iter().map(|u| u.id), &page);
    let items = slice.iter().filter_map(|id| render::customer(&store, *id)).collect();
    drop(store);
    Ok(list::reply(call, total, &page, items))
}

fn apply(user: &mut User, body: &Map<String, Value>) -> Result<(), RestError> {
    for (key, value) in body {
        let text = value.as_str().unwrap_or_default().to_string();
        match key.as_str() {
            "first_name" => user.first_name = text,
            "last_name" => user.last_name = text,
            "billing" => writes::apply_address("billing", &mut user.billing, value)?,
            "shipping" => writes::apply_address("shipping", &mut user.shipping, value)?,
            _ => {}
        }
    }
    Ok(())
}

fn meta(store: &mut StoreData, user: &mut User, body: &Map<String, Value>) -> Result<(), RestError> {
    if let Some(value) = body.get("meta_data") {
        let writes = writes::meta_writes("meta_data", value)?;
        crate::model::apply_meta(&mut store.seq, &mut user.meta, &writes);
    }
    Ok(())
}

pub fn create(store: &mut StoreData, change: &mut Change, call: &Call, body: &Map<String, Value>) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")?;
    if body.get("id").and_then(as_integer).is_some_and(|id| id > 0) {
        return Err(RestError::new(400, "woocommerce_rest_customer_exists", "Cannot create existing resource."));
    }
    let Some(email) = body.get("email").and_then(Value::as_str).filter(|e| !e.is_empty()) else {
        return Err(RestError::missing_params(&["email"]));
    };
    if !writes::looks_like_email(email) {
        return Err(RestError::invalid_params(&[("email".into(), "Invalid email address.".into())]));
    }
    if store.user_by_email(email).is_some() {
        return Err(RestError::new(400, "registration-error-email-exists", "An account is already registered with your email address. Please log in."));
    }
    let username = match body.get("username").and_then(Value::as_str).filter(|u| !u.is_empty()) {
        Some(name) => name.to_string(),
        None => email.split('@').next().unwrap_or("customer").to_string(),
    };
    if store.users.values().any(|u| u.username == username) {
        return Err(RestError::new(400, "registration-error-username-exists", "An account is already registered with that username. Please choose another."));
    }
    let id = store.seq.next_user();
    let mut user = new_customer(id, email, &username, change.now);
    apply(&mut user, body)?;
    meta(store, &mut user, body)?;
    store.insert_user(user);
    let object = Object::Customer { id };
    for hook in ["user_register", "woocommerce_created_customer", "profile_update", "woocommerce_new_customer", "woocommerce_rest_insert_customer"] {
        change.fire(hook, object);
    }
    Ok(Reply::created(render::customer(store, id).unwrap_or(Value::Null), call.rest_url(&format!("/wc/v3/customers/{id}"))))
}

/// A new user with role `customer`.
pub fn new_customer(id: i64, email: &str, username: &str, now: i64) -> User {
    User {
        id,
        username: username.to_string(),
        email: email.to_string(),
        first_name: String::new(),
        last_name: String::new(),
        role: "customer".into(),
        registered: now,
        last_update: now,
        billing: Address::default(),
        shipping: Address::default(),
        is_paying_customer: false,
        meta: Vec::new(),
    }
}

pub fn update(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, body: &Map<String, Value>) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")?;
    let Some(mut user) = store.users.get(&id).cloned() else {
        return Err(RestError::new(400, "woocommerce_rest_invalid_id", "Invalid resource ID."));
    };
    if let Some(email) = body.get("email").and_then(Value::as_str) {
        if !writes::looks_like_email(email) {
            return Err(RestError::invalid_params(&[("email".into(), "Invalid email address.".into())]));
        }
        if store.user_by_email(email).is_some_and(|u| u.id != id) {
            return Err(RestError::new(400, "registration-error-email-exists", "An account is already registered with your email address. Please log in."));
        }
    }
    apply(&mut user, body)?;
    meta(store, &mut user, body)?;
    user.last_update = change.now;
    let email = body.get("email").and_then(Value::as_str).map(str::to_string);
    if let Some(stored) = store.users.get_mut(&id) {
        *stored = user;
    }
    if let Some(email) = email {
        store.set_user_email(id, &email);
    }
    let object = Object::Customer { id };
    for hook in ["profile_update", "woocommerce_update_customer", "woocommerce_rest_insert_customer"] {
        change.fire(hook, object);
    }
    Ok(Reply::ok(render::customer(store, id).unwrap_or(Value::Null)))
}

pub fn delete(store: &mut StoreData, change: &mut Change, call: &Call, id: i64, force: bool) -> Outcome {
    call.require_in(store, "woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource.")?;
    if !force {
        return Err(RestError::new(501, "woocommerce_rest_trash_not_supported", "Customers do not support trashing."));
    }
    let Some(before) = render::customer(store, id) else {
        return Err(RestError::new(400, "woocommerce_rest_invalid_id", "Invalid resource id."));
    };
    let object = Object::Customer { id };
    change.fire("delete_user", object);
    if let Some(user) = store.users.remove(&id) {
        store.email_index.remove(&user.email.to_lowercase());
    }
    call.sim.keys.remove_user(id);
    change.fire("woocommerce_delete_customer", object);
    change.deleted.insert(object, before.clone());
    Ok(Reply::ok(before))
}
