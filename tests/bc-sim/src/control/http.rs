//! The control operations as JSON under `/_sim/` (no authentication; loopback only).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query as UrlQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{Control, ItemEntry};
use crate::error::{ApiError, ApiResult};
use crate::odata::value::decimal_from_json;
use crate::seed::SeedSource;
use crate::server::Sim;

#[derive(Deserialize, Default)]
struct CompanyParam {
    company: Option<String>,
}

fn reply<T: serde::Serialize>(result: ApiResult<T>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(error) => error.into_response(),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("Invalid control request: {e}")))
}

/// Applies the fields of `patch` over the current value of a settings struct.
fn merged<T: serde::Serialize + serde::de::DeserializeOwned>(current: &T, body: &[u8], replace: bool) -> ApiResult<T> {
    let patch: Value = parse(body)?;
    let mut value = if replace { json!({}) } else { serde_json::to_value(current).unwrap_or_default() };
    if let (Some(target), Some(source)) = (value.as_object_mut(), patch.as_object()) {
        for (key, field) in source {
            target.insert(key.clone(), field.clone());
        }
    }
    serde_json::from_value(value).map_err(|e| ApiError::bad_request(format!("Invalid settings: {e}")))
}

#[derive(Deserialize, Default)]
struct ResetBody {
    seed: Option<Value>,
    items: Option<usize>,
}

#[derive(Deserialize)]
struct PostLine {
    sequence: i64,
    quantity: serde_json::Number,
}

#[derive(Deserialize, Default)]
struct PostBody {
    lines: Option<Vec<PostLine>>,
}

pub fn router(sim: Arc<Sim>, addr: SocketAddr) -> Router {
    Router::new()
        .route("/_sim/info", get(|State(c): State<Control>| async move { Json(c.info()) }))
        .route("/_sim/reset", post(reset))
        .route(
            "/_sim/seed",
            post(|State(c): State<Control>, body: axum::body::Bytes| async move {
                reply(parse::<Value>(&body).and_then(|seed| c.add_seed(seed)).map(|_| json!({"seeded": true})))
            }),
        )
        .route("/_sim/sales-orders/{number}/post", post(post_order))
        .route(
            "/_sim/item-entries",
            post(|State(c): State<Control>, UrlQuery(q): UrlQuery<CompanyParam>, body: axum::body::Bytes| async move {
                reply(parse::<ItemEntry>(&body).and_then(|entry| c.post_item_entry(q.company.as_deref(), &entry)))
            }),
        )
        .route(
            "/_sim/customers/{number}",
            patch(
                |State(c): State<Control>,
                 Path(number): Path<String>,
                 UrlQuery(q): UrlQuery<CompanyParam>,
                 body: axum::body::Bytes| async move {
                    reply(parse::<Value>(&body).and_then(|edit| c.edit_customer(q.company.as_deref(), &number, &edit)))
                },
            ),
        )
        .route(
            "/_sim/limits",
            get(|State(c): State<Control>| async move { Json(c.limits()) }).put(limits_put).patch(limits_patch),
        )
        .route(
            "/_sim/webhooks/settings",
            get(|State(c): State<Control>| async move { Json(c.webhook_settings()) })
                .put(webhooks_put)
                .patch(webhooks_patch),
        )
        .route(
            "/_sim/webhooks/sent",
            get(|State(c): State<Control>| async move { Json(c.notifications()) }).delete(
                |State(c): State<Control>| async move {
                    c.clear_notifications();
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route(
            "/_sim/webhooks/flush",
            post(|State(c): State<Control>| async move {
                c.flush_webhooks().await;
                Json(json!({"flushed": true}))
            }),
        )
        .route(
            "/_sim/tokens/revoke",
            post(|State(c): State<Control>| async move { Json(json!({"revoked": c.revoke_tokens()})) }),
        )
        .route(
            "/_sim/tokens/expire",
            post(|State(c): State<Control>| async move { Json(json!({"expired": c.expire_tokens()})) }),
        )
        .route("/_sim/tokens", axum::routing::put(token_ttl))
        .route("/_sim/data", get(|State(c): State<Control>| async move { Json(c.dump()) }))
        .route(
            "/_sim/data/{set}",
            get(|State(c): State<Control>, Path(set): Path<String>, UrlQuery(q): UrlQuery<CompanyParam>| async move {
                reply(c.entity_set(q.company.as_deref(), &set))
            }),
        )
        .with_state(Control { addr, sim })
}

async fn reset(State(c): State<Control>, body: axum::body::Bytes) -> Response {
    let body: ResetBody = if body.is_empty() {
        ResetBody::default()
    } else {
        match parse(&body) {
            Ok(body) => body,
            Err(error) => return error.into_response(),
        }
    };
    let seed = match body.seed {
        None => None,
        Some(Value::String(name)) => name.parse::<SeedSource>().ok(),
        Some(document) => Some(SeedSource::Json(document)),
    };
    reply(c.reset(seed, body.items).map(|_| json!({"reset": true})))
}

async fn post_order(
    State(c): State<Control>,
    Path(number): Path<String>,
    UrlQuery(q): UrlQuery<CompanyParam>,
    body: axum::body::Bytes,
) -> Response {
    let body: PostBody = if body.is_empty() {
        PostBody::default()
    } else {
        match parse(&body) {
            Ok(body) => body,
            Err(error) => return error.into_response(),
        }
    };
    let quantities: Option<Vec<(i64, Decimal)>> = body.lines.map(|lines| {
        lines
            .iter()
            .map(|l| (l.sequence, decimal_from_json(&Value::Number(l.quantity.clone())).unwrap_or_default()))
            .collect()
    });
    reply(c.post_sales_order(q.company.as_deref(), &number, quantities.as_deref()))
}

async fn limits_put(State(c): State<Control>, body: axum::body::Bytes) -> Response {
    reply(merged(&c.limits(), &body, true).map(|limits| {
        c.set_limits(limits);
        c.limits()
    }))
}

async fn limits_patch(State(c): State<Control>, body: axum::body::Bytes) -> Response {
    reply(merged(&c.limits(), &body, false).map(|limits| {
        c.set_limits(limits);
        c.limits()
    }))
}

async fn webhooks_put(State(c): State<Control>, body: axum::body::Bytes) -> Response {
    reply(merged(&c.webhook_settings(), &body, true).map(|settings| {
        c.set_webhook_settings(settings);
        c.webhook_settings()
    }))
}

async fn webhooks_patch(State(c): State<Control>, body: axum::body::Bytes) -> Response {
    reply(merged(&c.webhook_settings(), &body, false).map(|settings| {
        c.set_webhook_settings(settings);
        c.webhook_settings()
    }))
}

#[derive(Deserialize)]
struct TokenSettings {
    ttl_secs: u64,
}

async fn token_ttl(State(c): State<Control>, body: axum::body::Bytes) -> Response {
    reply(parse::<TokenSettings>(&body).map(|settings| {
        c.set_token_ttl(Duration::from_secs(settings.ttl_secs));
        json!({"ttl_secs": settings.ttl_secs})
    }))
}
