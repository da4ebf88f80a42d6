//! The control API under `/_sim/` (plus sim-kit's `/_sim/faults` and `/_sim/requests`): act as a
//! shopper or shop staff, read the store's state and what it fired, manage API keys and webhook
//! delivery, reset. [`Control`] offers the same operations in process.

pub mod admin;
pub mod checkout;

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::Sim;
use crate::config::Seed;
use crate::render::{self, Context};
use crate::webhooks::delivery::{self, DeliverySettings};

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = match self {
            ControlError::NotFound(_) => StatusCode::NOT_FOUND,
            ControlError::Invalid(_) => StatusCode::BAD_REQUEST,
        };
        (status, Json(json!({"error": self.to_string()}))).into_response()
    }
}

/// In-process control of a running simulator: the same operations as `/_sim/`.
#[derive(Clone)]
pub struct Control {
    pub(crate) sim: Arc<Sim>,
}

impl Control {
    pub async fn place_order(&self, request: checkout::PlaceOrder) -> Result<Value, ControlError> {
        let id = checkout::place_order(&self.sim, request).await?;
        self.order(id).ok_or_else(|| ControlError::NotFound(format!("order {id}")))
    }
    pub async fn change_order(&self, id: i64, request: admin::ChangeOrder) -> Result<Option<Value>, ControlError> {
        admin::change_order(&self.sim, id, request).await?;
        Ok(self.order(id))
    }
    pub async fn refund(&self, order_id: i64, request: admin::AdminRefund) -> Result<Value, ControlError> {
        let id = admin::refund(&self.sim, order_id, request).await?;
        render::refund(&self.sim.read(), id).ok_or_else(|| ControlError::NotFound(format!("refund {id}")))
    }
    pub async fn change_product(&self, id_or_sku: &str, request: admin::ChangeProduct) -> Result<Value, ControlError> {
        let id = admin::change_product(&self.sim, id_or_sku, request).await?;
        self.product(id).ok_or_else(|| ControlError::NotFound(format!("product {id}")))
    }
    pub async fn save_customer(&self, id: Option<i64>, request: admin::CustomerRequest) -> Result<Value, ControlError> {
        let id = admin::save_customer(&self.sim, id, request).await?;
        render::customer(&self.sim.read(), id).ok_or_else(|| ControlError::NotFound(format!("customer {id}")))
    }
    /// The order's REST v3 JSON (any status, including trash and drafts).
    pub fn order(&self, id: i64) -> Option<Value> {
        render::order(&self.sim.read(), id, Context::View)
    }
    pub fn product(&self, id: i64) -> Option<Value> {
        render::product(&self.sim.read(), id)
    }
    pub fn product_by_sku(&self, sku: &str) -> Option<Value> {
        let store = self.sim.read();
        let id = *store.sku_index.get(sku)?;
        render::product(&store, id)
    }
    /// Creates an API key for a user (as the plugin's provisioning does); returns the plain pair.
    pub fn create_key(&self, user_id: i64, permissions: &str, description: &str) -> Result<Value, ControlError> {
        create_key(&self.sim, KeyRequest { user_id, permissions: permissions.to_string(), description: description.to_string() })
    }
    pub fn hooks(&self, since: u64) -> Vec<crate::hooks::HookEntry> {
        self.sim.hooks.since(since, None, None)
    }
    pub fn last_hook_seq(&self) -> u64 {
        self.sim.hooks.last_seq()
    }
    pub fn events(&self, since: u64) -> Vec<Value> {
        self.sim.events.since(since)
    }
    pub fn stock_changes(&self) -> Vec<crate::model::StockChange> {
        self.sim.read().stock_changes.clone()
    }
    pub fn deliveries(&self, since: u64) -> Vec<delivery::DeliveryRecord> {
        self.sim.deliveries.records(since, None)
    }
    pub async fn run_webhooks(&self) -> Vec<delivery::DeliveryRecord> {
        delivery::run_all(&self.sim).await
    }
    pub fn webhook_settings(&self) -> DeliverySettings {
        self.sim.deliveries.settings()
    }
    pub fn set_webhook_settings(&self, settings: DeliverySettings) {
        self.sim.deliveries.set_settings(settings)
    }
    pub fn set_faults(&self, faults: sim_kit::FaultSettings) -> Result<(), String> {
        self.sim.faults.set(faults)
    }
    pub fn set_manage_stock(&self, on: bool) {
        self.sim.write().options.manage_stock = on;
    }
    pub fn reset(&self, seed: &Seed, products: usize) -> Result<(), crate::seed::SeedError> {
        self.sim.reset(seed, products)
    }
}

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/_sim", get(info))
        .route("/_sim/checkout", post(place_order))
        .route("/_sim/orders", get(list_orders))
        .route("/_sim/orders/{id}", get(get_order).patch(change_order))
        .route("/_sim/orders/{id}/refunds", post(refund))
        .route("/_sim/orders/{id}/notes", get(order_notes))
        .route("/_sim/products", get(list_products))
        .route("/_sim/products/{key}", get(get_product).patch(change_product))
        .route("/_sim/customers", get(list_customers).post(create_customer))
        .route("/_sim/customers/{id}", patch(update_customer))
        .route("/_sim/users", post(create_user))
        .route("/_sim/refunds", get(list_refunds))
        .route("/_sim/stock-changes", get(stock_changes))
        .route("/_sim/hooks", get(hooks).delete(clear_hooks))
        .route("/_sim/events", get(events))
        .route("/_sim/keys", get(list_keys).post(post_key))
        .route("/_sim/keys/{id}", axum::routing::delete(delete_key))
        .route("/_sim/webhooks/deliveries", get(deliveries))
        .route("/_sim/webhooks/pending", get(pending))
        .route("/_sim/webhooks/run", post(run_webhooks))
        .route("/_sim/webhooks/settings", get(get_settings).put(put_settings))
        .route("/_sim/options", get(get_options).put(put_options))
        .route("/_sim/reset", post(reset))
        .with_state(sim)
}

type Shared = State<Arc<Sim>>;

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ControlError> {
    serde_json::from_slice(if body.is_empty() { b"{}" } else { body }).map_err(|e| ControlError::Invalid(format!("request body: {e}")))
}

async fn info(State(sim): Shared) -> Json<Value> {
    Json(json!({"home_url": sim.home.url, "woocommerce_version": crate::WOOCOMMERCE_VERSION, "hook_seq": sim.hooks.last_seq()}))
}

async fn place_order(State(sim): Shared, body: axum::body::Bytes) -> Result<Response, ControlError> {
    let request: checkout::PlaceOrder = parse(&body)?;
    let id = checkout::place_order(&sim, request).await?;
    let order = render::order(&sim.read(), id, Context::View).unwrap_or(Value::Null);
    Ok((StatusCode::CREATED, Json(order)).into_response())
}

#[derive(Deserialize)]
struct OrderFilter {
    status: Option<String>,
}

async fn list_orders(State(sim): Shared, Query(filter): Query<OrderFilter>) -> Json<Value> {
    let store = sim.read();
    let orders: Vec<Value> = store
        .orders
        .values()
        .filter(|o| filter.status.as_ref().is_none_or(|s| *s == o.status))
        .filter_map(|o| render::order(&store, o.id, Context::View))
        .collect();
    Json(Value::Array(orders))
}

async fn get_order(State(sim): Shared, Path(id): Path<i64>) -> Result<Json<Value>, ControlError> {
    render::order(&sim.read(), id, Context::View).map(Json).ok_or_else(|| ControlError::NotFound(format!("order {id}")))
}

async fn change_order(State(sim): Shared, Path(id): Path<i64>, body: axum::body::Bytes) -> Result<Json<Value>, ControlError> {
    admin::change_order(&sim, id, parse(&body)?).await?;
    Ok(Json(render::order(&sim.read(), id, Context::View).unwrap_or(json!({"id": id, "deleted": true}))))
}

async fn refund(State(sim): Shared, Path(id): Path<i64>, body: axum::body::Bytes) -> Result<Response, ControlError> {
    let refund = admin::refund(&sim, id, parse(&body)?).await?;
    let json = render::refund(&sim.read(), refund).unwrap_or(Value::Null);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

async fn order_notes(State(sim): Shared, Path(id): Path<i64>) -> Json<Value> {
    let store = sim.read();
    Json(Value::Array(store.notes.values().filter(|n| n.order_id == id).filter_map(|n| render::note(&store, n.id)).collect()))
}

#[derive(Deserialize)]
struct ProductFilter {
    sku: Option<String>,
}

async fn list_products(State(sim): Shared, Query(filter): Query<ProductFilter>) -> Json<Value> {
    let store = sim.read();
    let ids: Vec<i64> = match &filter.sku {
        Some(sku) => store.sku_index.get(sku).copied().into_iter().collect(),
        None => store.products.keys().copied().take(1000).collect(),
    };
    Json(Value::Array(ids.iter().filter_map(|id| render::product(&store, *id)).collect()))
}

fn product_id(sim: &Sim, key: &str) -> Option<i64> {
    let store = sim.read();
    key.parse::<i64>().ok().filter(|id| store.products.contains_key(id)).or_else(|| store.sku_index.get(key).copied())
}

async fn get_product(State(sim): Shared, Path(key): Path<String>) -> Result<Json<Value>, ControlError> {
    let id = product_id(&sim, &key).ok_or_else(|| ControlError::NotFound(format!("product {key}")))?;
    render::product(&sim.read(), id).map(Json).ok_or_else(|| ControlError::NotFound(format!("product {key}")))
}

async fn change_product(State(sim): Shared, Path(key): Path<String>, body: axum::body::Bytes) -> Result<Json<Value>, ControlError> {
    let id = admin::change_product(&sim, &key, parse(&body)?).await?;
    Ok(Json(render::product(&sim.read(), id).unwrap_or(Value::Null)))
}

async fn list_customers(State(sim): Shared) -> Json<Value> {
    let store = sim.read();
    Json(Value::Array(store.users.keys().filter_map(|id| render::customer(&store, *id)).collect()))
}

async fn create_customer(State(sim): Shared, body: axum::body::Bytes) -> Result<Response, ControlError> {
    let id = admin::save_customer(&sim, None, parse(&body)?).await?;
    Ok((StatusCode::CREATED, Json(render::customer(&sim.read(), id).unwrap_or(Value::Null))).into_response())
}

async fn update_customer(State(sim): Shared, Path(id): Path<i64>, body: axum::body::Bytes) -> Result<Json<Value>, ControlError> {
    admin::save_customer(&sim, Some(id), parse(&body)?).await?;
    Ok(Json(render::customer(&sim.read(), id).unwrap_or(Value::Null)))
}

#[derive(Deserialize)]
struct UserRequest {
    username: String,
    email: String,
    #[serde(default = "shop_manager")]
    role: String,
}

fn shop_manager() -> String {
    "shop_manager".into()
}

/// Staff users (owners of API keys): no customer hooks, no events.
async fn create_user(State(sim): Shared, body: axum::body::Bytes) -> Result<Response, ControlError> {
    let request: UserRequest = parse(&body)?;
    let mut store = sim.write();
    if store.user_by_email(&request.email).is_some() {
        return Err(ControlError::Invalid("e-mail already registered".into()));
    }
    let id = store.seq.next_user();
    let mut user = crate::rest::customers::new_customer(id, &request.email, &request.username, crate::clock::now());
    user.role = request.role;
    store.insert_user(user);
    let json = render::customer(&store, id).unwrap_or(Value::Null);
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

async fn list_refunds(State(sim): Shared) -> Json<Value> {
    let store = sim.read();
    Json(Value::Array(store.refunds.values().filter_map(|r| render::refund(&store, r.id).map(|mut v| {
        if let Some(map) = v.as_object_mut() {
            map.insert("order_id".into(), json!(r.order_id));
        }
        v
    })).collect()))
}

#[derive(Deserialize)]
struct Since {
    #[serde(default)]
    since: u64,
    object_id: Option<i64>,
    hook: Option<String>,
    webhook_id: Option<i64>,
}

async fn stock_changes(State(sim): Shared, Query(since): Query<Since>) -> Json<Value> {
    let store = sim.read();
    Json(json!(store.stock_changes.iter().filter(|c| c.seq > since.since).collect::<Vec<_>>()))
}

async fn hooks(State(sim): Shared, Query(since): Query<Since>) -> Json<Value> {
    Json(json!(sim.hooks.since(since.since, since.object_id, since.hook.as_deref())))
}

async fn clear_hooks(State(sim): Shared) -> StatusCode {
    sim.hooks.clear();
    StatusCode::NO_CONTENT
}

async fn events(State(sim): Shared, Query(since): Query<Since>) -> Json<Value> {
    Json(Value::Array(sim.events.since(since.since)))
}

#[derive(Deserialize)]
struct KeyRequest {
    user_id: i64,
    #[serde(default = "read_write")]
    permissions: String,
    #[serde(default)]
    description: String,
}

fn read_write() -> String {
    "read_write".into()
}

fn create_key(sim: &Sim, request: KeyRequest) -> Result<Value, ControlError> {
    if !["read", "write", "read_write"].contains(&request.permissions.as_str()) {
        return Err(ControlError::Invalid("permissions must be read, write or read_write".into()));
    }
    if !sim.read().users.contains_key(&request.user_id) {
        return Err(ControlError::NotFound(format!("user {}", request.user_id)));
    }
    let (ck, cs) = crate::auth::generate_pair();
    let key = sim.keys.add(request.user_id, &request.description, &request.permissions, &ck, &cs);
    Ok(json!({"key_id": key.key_id, "user_id": key.user_id, "permissions": key.permissions, "description": key.description,
              "consumer_key": ck, "consumer_secret": cs, "truncated_key": key.truncated_key}))
}

async fn post_key(State(sim): Shared, body: axum::body::Bytes) -> Result<Response, ControlError> {
    let key = create_key(&sim, parse(&body)?)?;
    Ok((StatusCode::CREATED, Json(key)).into_response())
}

async fn list_keys(State(sim): Shared) -> Json<Value> {
    // Secrets and key hashes stay out of listings.
    Json(Value::Array(
        sim.keys
            .list()
            .into_iter()
            .map(|k| json!({"key_id": k.key_id, "user_id": k.user_id, "permissions": k.permissions, "description": k.description,
                            "truncated_key": k.truncated_key, "last_access": k.last_access.map(|t| crate::clock::format(t, 0))}))
            .collect(),
    ))
}

async fn delete_key(State(sim): Shared, Path(id): Path<i64>) -> StatusCode {
    if sim.keys.remove(id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn deliveries(State(sim): Shared, Query(since): Query<Since>) -> Json<Value> {
    Json(json!(sim.deliveries.records(since.since, since.webhook_id)))
}

async fn pending(State(sim): Shared) -> Json<Value> {
    Json(Value::Array(sim.deliveries.pending()))
}

async fn run_webhooks(State(sim): Shared) -> Json<Value> {
    Json(json!(delivery::run_all(&sim).await))
}

async fn get_settings(State(sim): Shared) -> Json<DeliverySettings> {
    Json(sim.deliveries.settings())
}

async fn put_settings(State(sim): Shared, body: axum::body::Bytes) -> Result<Json<DeliverySettings>, ControlError> {
    sim.deliveries.set_settings(parse(&body)?);
    Ok(Json(sim.deliveries.settings()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    manage_stock: Option<bool>,
    order_number_prefix: Option<String>,
}

async fn get_options(State(sim): Shared) -> Json<Value> {
    let store = sim.read();
    Json(json!({"manage_stock": store.options.manage_stock, "order_number_prefix": store.options.order_number_prefix,
                "utc_offset_secs": store.options.utc_offset_secs, "currency": store.options.currency}))
}

async fn put_options(State(sim): Shared, body: axum::body::Bytes) -> Result<Json<Value>, ControlError> {
    let options: Options = parse(&body)?;
    {
        let mut store = sim.write();
        if let Some(on) = options.manage_stock {
            store.options.manage_stock = on;
        }
        if let Some(prefix) = options.order_number_prefix {
            store.options.order_number_prefix = prefix;
        }
    }
    Ok(get_options(State(sim)).await)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    #[serde(default = "demo")]
    seed: String,
    #[serde(default)]
    products: usize,
}

fn demo() -> String {
    "demo".into()
}

async fn reset(State(sim): Shared, body: axum::body::Bytes) -> Result<StatusCode, ControlError> {
    let request: ResetRequest = parse(&body)?;
    let seed: Seed = request.seed.parse().map_err(ControlError::Invalid)?;
    sim.reset(&seed, request.products).map_err(|e| ControlError::Invalid(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT)
}
