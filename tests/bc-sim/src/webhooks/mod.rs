//! Webhook subscriptions (`…/api/v2.0/subscriptions`, environment level): create and renew only
//! after the notification URL answers the `validationToken` handshake, 3-day expiry, `If-Match`
//! on renew and delete. Delivery lives in `delivery`.

pub mod delivery;

use std::sync::{Mutex, RwLock};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::api::read::{entity_reply, page_size};
use crate::api::rows::BoxRow;
use crate::api::write::{body_of, check_if_match};
use crate::api::{Reply, Request};
use crate::config::WebhookSettings;
use crate::entities::api_set;
use crate::error::{ApiError, ApiResult};
use crate::odata::body::{changes, Mode};
use crate::odata::listing::{page, Cursor, Row};
use crate::odata::query::{parse_query, Query};
use crate::odata::schema::Ty::*;
use crate::odata::schema::*;
use crate::odata::value::Val;
use crate::server::Sim;
use crate::store::{Store, Subscription};

pub static SUBSCRIPTIONS: SetDef = SetDef {
    name: "subscriptions",
    type_name: "subscriptions",
    namespace: "Microsoft.NAV",
    key: &["subscriptionId"],
    props: &[
        rl("subscriptionId", Text, 150).not_null(),
        w("notificationUrl", Text).not_null(),
        w("resource", Text).not_null(),
        r("timestamp", Int64),
        r("userId", Guid),
        r("lastModifiedDateTime", DateTime),
        wl("clientState", Text, 2048),
        r("expirationDateTime", DateTime),
        r("systemCreatedAt", DateTime),
        r("systemCreatedBy", Guid),
        r("systemModifiedAt", DateTime),
        r("systemModifiedBy", Guid),
    ],
    navs: &[],
    insert: true,
    update: true,
    delete: true,
    table: "API Webhook Subscription",
};

/// Entity sets BC sends notifications for (reference §7.1) that the simulator serves.
pub const SUPPORTED: &[&str] = &[
    "accounts",
    "countriesRegions",
    "currencies",
    "customers",
    "dimensions",
    "itemCategories",
    "items",
    "paymentMethods",
    "paymentTerms",
    "salesCreditMemos",
    "salesInvoices",
    "salesOrders",
    "shipmentMethods",
    "unitsOfMeasure",
];

/// One POST the simulator made to a notification URL (handshakes included).
#[derive(Clone, Debug, Serialize)]
pub struct Sent {
    pub kind: &'static str,
    pub url: String,
    pub at: String,
    pub attempt: u32,
    pub body: Value,
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// Webhook state outside the data store: timings, the log of what was sent, pending windows.
pub struct Webhooks {
    pub settings: RwLock<WebhookSettings>,
    sent: Mutex<Vec<Sent>>,
    pub(crate) wake: Notify,
    pub(crate) client: reqwest::Client,
    pub(crate) pending: Mutex<delivery::Pending>,
    /// One delivery round at a time (the notifier and a control-API flush).
    pub(crate) delivering: tokio::sync::Mutex<()>,
}

impl Webhooks {
    pub fn new(settings: WebhookSettings) -> Self {
        Self {
            settings: RwLock::new(settings),
            sent: Mutex::new(Vec::new()),
            wake: Notify::new(),
            client: reqwest::Client::builder().build().unwrap_or_default(),
            pending: Mutex::new(delivery::Pending::default()),
            delivering: tokio::sync::Mutex::new(()),
        }
    }

    pub fn settings(&self) -> WebhookSettings {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_settings(&self, settings: WebhookSettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
        self.wake.notify_one();
    }

    pub fn log(&self, entry: Sent) {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).push(entry);
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn clear(&self) {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clear();
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = delivery::Pending::default();
    }

    /// Tells the notifier that something changed.
    pub fn poke(&self) {
        self.wake.notify_one();
    }
}

pub struct SubscriptionRow<'a> {
    pub sub: &'a Subscription,
}

impl Row for SubscriptionRow<'_> {
    fn def(&self) -> &'static SetDef {
        &SUBSCRIPTIONS
    }

    fn get(&self, prop: &str) -> Val<'_> {
        let s = self.sub;
        match prop {
            "subscriptionId" => Val::str(&s.id),
            "notificationUrl" => Val::str(&s.notification_url),
            "resource" => Val::str(&s.resource),
            "timestamp" => Val::Int(i64::try_from(s.meta.rv).unwrap_or(i64::MAX)),
            "userId" | "systemCreatedBy" | "systemModifiedBy" => Val::Guid(s.user_id),
            "lastModifiedDateTime" | "systemModifiedAt" => Val::DateTime(s.meta.modified),
            "clientState" => Val::str(&s.client_state),
            "expirationDateTime" => Val::DateTime(s.expiration),
            "systemCreatedAt" => Val::DateTime(s.meta.created),
            _ => Val::str(""),
        }
    }

    fn etag(&self) -> String {
        self.sub.meta.etag()
    }

    fn cursor(&self) -> Cursor {
        Cursor::Text(self.sub.id.clone())
    }
}

/// `/api/v2.0/companies(<id>)/customers` (relative or absolute) → company and entity set.
pub fn parse_resource(store: &Store, resource: &str) -> ApiResult<(Uuid, &'static str)> {
    let invalid =
        || ApiError::dialog(format!("The resource '{resource}' is not a valid resource for a webhook subscription."));
    let lower = resource.to_ascii_lowercase();
    let start = lower.find("api/v2.0/").map(|i| i + "api/v2.0/".len()).ok_or_else(invalid)?;
    let path = resource[start..].trim_end_matches('/');
    let rest = path.strip_prefix("companies(").ok_or_else(invalid)?;
    let (company, set) = rest.split_once(")/").ok_or_else(invalid)?;
    let company = Uuid::parse_str(company).map_err(|_| invalid())?;
    if store.company(company).is_none() {
        return Err(ApiError::company_not_found(&company.to_string()));
    }
    let set = SUPPORTED
        .iter()
        .find(|s| **s == set)
        .ok_or_else(|| ApiError::dialog(format!("The entity set '{set}' does not support webhook subscriptions.")))?;
    Ok((company, set))
}

fn user_uuid(user: &str) -> Uuid {
    Uuid::parse_str(user).unwrap_or_else(|_| crate::seed::stable_id(Uuid::nil(), "users", user))
}

/// The validation handshake: the URL must answer 200 with the token as the body.
pub async fn handshake(sim: &Sim, url: &str) -> ApiResult<()> {
    let token = Uuid::new_v4().simple().to_string();
    let separator = if url.contains('?') { '&' } else { '?' };
    let target = format!("{url}{separator}validationToken={token}");
    let timeout = Duration::from_millis(sim.webhooks.settings().request_timeout_ms);
    let result = sim
        .webhooks
        .client
        .post(&target)
        .header("content-type", "text/plain; charset=utf-8")
        .timeout(timeout)
        .send()
        .await;
    let (status, body, error) = match result {
        Ok(response) => {
            let status = response.status().as_u16();
            (Some(status), response.text().await.unwrap_or_default(), None)
        }
        Err(error) => (None, String::new(), Some(error.to_string())),
    };
    sim.webhooks.log(Sent {
        kind: "handshake",
        url: target,
        at: crate::odata::value::format_datetime(Utc::now()),
        attempt: 1,
        body: json!(body),
        status,
        error,
    });
    if status == Some(200) && body == token {
        Ok(())
    } else {
        Err(ApiError::dialog(format!(
            "The subscription could not be validated: the notification URL did not return the validation token (status {}).",
            status.map(|s| s.to_string()).unwrap_or_else(|| "none".into())
        )))
    }
}

fn context_path() -> &'static str {
    "subscriptions"
}

/// Handles `subscriptions` and `subscriptions('<id>')`.
pub async fn handle(sim: &Sim, req: &Request, key: Option<String>, user: &str) -> Response {
    match handle_inner(sim, req, key, user).await {
        Ok(reply) => reply.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn handle_inner(sim: &Sim, req: &Request, key: Option<String>, user: &str) -> ApiResult<Reply> {
    let query = parse_query(&SUBSCRIPTIONS, &req.query, &api_set)?;
    match (req.method.clone(), key) {
        (Method::GET, None) => {
            let store = sim.store();
            let size = page_size(req, &sim.throttle.limits())?;
            let result = page(&query, size, false, |_| {
                store.subscriptions.values().map(|sub| Box::new(SubscriptionRow { sub }) as BoxRow<'_>)
            })?;
            let mut body = serde_json::Map::new();
            body.insert("@odata.context".into(), json!(format!("{}/$metadata#subscriptions", req.root)));
            body.insert("value".into(), Value::Array(result.rows));
            Ok(Reply::json(StatusCode::OK, Value::Object(body)))
        }
        (Method::GET, Some(id)) => {
            let store = sim.store();
            let sub = store.subscriptions.get(&id).ok_or_else(|| not_found(&id))?;
            let row: BoxRow<'_> = Box::new(SubscriptionRow { sub });
            entity_reply(req, context_path(), &query, &row, StatusCode::OK)
        }
        (Method::POST, None) => create(sim, req, user).await,
        (Method::PATCH, Some(id)) => renew(sim, req, &id).await,
        (Method::DELETE, Some(id)) => {
            let mut store = sim.store_mut();
            let current = store.subscriptions.get(&id).ok_or_else(|| not_found(&id))?.meta.etag();
            // If-Match on DELETE is unconfirmed for subscriptions; required here (stricter).
            check_if_match(req, &current)?;
            store.subscriptions.remove(&id);
            store.refresh_watched();
            Ok(Reply::no_content())
        }
        (method, Some(_)) => Err(ApiError::method_not_allowed(method.as_str(), "subscriptions", "Entity")),
        (method, None) => Err(ApiError::method_not_allowed(method.as_str(), "subscriptions", "Collection")),
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::record_not_found("API Webhook Subscription", &format!("Subscription Id='{id}'"))
}

fn required_text(changes: &crate::odata::body::Changes, name: &str) -> ApiResult<String> {
    match changes.text(name) {
        Some(text) if !text.trim().is_empty() => Ok(text.to_string()),
        _ => Err(ApiError::required(name)),
    }
}

async fn create(sim: &Sim, req: &Request, user: &str) -> ApiResult<Reply> {
    let body = body_of(req)?;
    let changes = changes(&SUBSCRIPTIONS, &body, Mode::Create)?;
    let url = required_text(&changes, "notificationUrl")?;
    let resource = required_text(&changes, "resource")?;
    let (company, set) = parse_resource(&sim.store(), &resource)?;
    let settings = sim.webhooks.settings();
    if sim.store().subscriptions.len() >= settings.max_subscriptions {
        return Err(ApiError::dialog(format!(
            "The maximum number of webhook subscriptions ({}) has been reached.",
            settings.max_subscriptions
        )));
    }
    handshake(sim, &url).await?;
    let mut store = sim.store_mut();
    let meta = store.stamp(None);
    let id = Uuid::new_v4().simple().to_string();
    let sub = Subscription {
        id: id.clone(),
        meta,
        notification_url: url,
        resource,
        client_state: changes.text("clientState").unwrap_or("").to_string(),
        expiration: Utc::now() + chrono::Duration::seconds(settings.subscription_ttl_secs as i64),
        user_id: user_uuid(user),
        company,
        set,
    };
    store.subscriptions.insert(id.clone(), sub);
    store.refresh_watched();
    let sub = store.subscriptions.get(&id).ok_or_else(|| not_found(&id))?;
    let row: BoxRow<'_> = Box::new(SubscriptionRow { sub });
    entity_reply(req, context_path(), &Query::default(), &row, StatusCode::CREATED)
}

/// PATCH: renews (new expiry) after a fresh handshake; `If-Match` required.
async fn renew(sim: &Sim, req: &Request, id: &str) -> ApiResult<Reply> {
    let body = body_of(req)?;
    let changes = changes(&SUBSCRIPTIONS, &body, Mode::Update)?;
    let current = sim.store().subscriptions.get(id).cloned().ok_or_else(|| not_found(id))?;
    check_if_match(req, &current.meta.etag())?;
    let url = changes.text("notificationUrl").map(str::to_string).unwrap_or(current.notification_url.clone());
    let resource = changes.text("resource").map(str::to_string).unwrap_or(current.resource.clone());
    let (company, set) = parse_resource(&sim.store(), &resource)?;
    handshake(sim, &url).await?;
    let settings = sim.webhooks.settings();
    let mut store = sim.store_mut();
    let meta = store.stamp(Some(current.meta.created));
    let sub = store.subscriptions.get_mut(id).ok_or_else(|| not_found(id))?;
    if sub.meta.rv != current.meta.rv {
        return Err(ApiError::entity_changed());
    }
    sub.meta = meta;
    sub.notification_url = url;
    sub.resource = resource;
    sub.company = company;
    sub.set = set;
    if let Some(state) = changes.text("clientState") {
        sub.client_state = state.to_string();
    }
    sub.expiration = Utc::now() + chrono::Duration::seconds(settings.subscription_ttl_secs as i64);
    store.refresh_watched();
    let sub = store.subscriptions.get(id).ok_or_else(|| not_found(id))?;
    let row: BoxRow<'_> = Box::new(SubscriptionRow { sub });
    entity_reply(req, context_path(), &Query::default(), &row, StatusCode::OK)
}
