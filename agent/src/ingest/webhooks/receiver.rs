//! The webhook listener. A POST with `X-WC-Webhook-Signature` is a delivery: the signature
//! (base64 HMAC-SHA256 of the exact body bytes with the shared secret) is checked before anything
//! is parsed, then the payload — the REST v3 representation of the object — becomes the same
//! event the spool carries (origin `webhook`) and a job, once per object version (its
//! `date_modified_gmt`): WooCommerce fires `order.updated` several times per save and coalesces
//! deliveries, and the agent's backfill may have queued that version already. A POST without a
//! signature whose body is `webhook_id=N` is WooCommerce's creation ping and gets the exact 200 it
//! needs. A GET answers the watch's probe. Anything else is refused in our JSON error format.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use base64::Engine;
use hmac::{Hmac, Mac};
use ml_connector_formats::event::MAX_EVENT_BYTES;
use ml_connector_formats::{Event, EventKind};
use serde_json::{json, Value};
use tokio::sync::{watch, Mutex, Notify};

use super::Endpoint;
use crate::pipeline::runner::SharedRuntime;
use crate::store::jobs::routing;
use crate::store::Store;

struct Receiver {
    endpoint: Arc<Endpoint>,
    runtime: SharedRuntime,
    wake: Arc<Notify>,
    /// One delivery at a time between "already queued?" and the insert.
    queueing: Mutex<()>,
}

/// Serves the listener until `stop`. A listener that cannot bind is logged; the watch then finds
/// the endpoint unreachable and says so.
pub async fn serve(endpoint: Arc<Endpoint>, runtime: SharedRuntime, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let addr = endpoint.settings.listen;
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(%error, %addr, "webhook mode: cannot listen for WooCommerce's deliveries");
            return;
        }
    };
    tracing::info!(%addr, public_url = %endpoint.settings.public_url, "receiving WooCommerce webhooks");
    let receiver = Arc::new(Receiver { endpoint, runtime, wake, queueing: Mutex::new(()) });
    let router = Router::new().fallback(handle).layer(DefaultBodyLimit::max(MAX_EVENT_BYTES)).with_state(receiver);
    let stopped = async move {
        let _ = stop.wait_for(|stop| *stop).await;
    };
    if let Err(error) = axum::serve(listener, router).with_graceful_shutdown(stopped).await {
        tracing::error!(%error, "the webhook listener stopped");
    }
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message }))).into_response()
}

async fn handle(State(receiver): State<Arc<Receiver>>, method: Method, headers: HeaderMap, body: Bytes) -> Response {
    match method {
        Method::GET | Method::HEAD => Json(json!({ "agent": "ml-connector", "instance": receiver.endpoint.instance })).into_response(),
        Method::POST => receiver.delivery(&headers, &body).await,
        _ => refuse(StatusCode::METHOD_NOT_ALLOWED, "ml_connector_method", "WooCommerce webhooks are POSTed here"),
    }
}

/// `X-WC-Webhook-Signature`: base64 of the raw HMAC-SHA256 of the body; compared in constant time.
pub fn signature_matches(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(signature.trim()) else { return false };
    let Ok(mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else { return false };
    mac.chain_update(body).verify_slice(&given).is_ok()
}

/// WooCommerce's creation ping: a form body `webhook_id=<digits>`.
fn is_ping(body: &[u8]) -> bool {
    std::str::from_utf8(body).ok().and_then(|b| b.strip_prefix("webhook_id=")).is_some_and(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_digit()))
}

/// The event kind of a subscribed topic.
pub fn kind_of(topic: &str) -> Option<EventKind> {
    Some(match topic {
        "order.created" => EventKind::OrderCreated,
        "order.updated" => EventKind::OrderUpdated,
        "order.deleted" => EventKind::OrderDeleted,
        "order.restored" => EventKind::OrderRestored,
        "customer.created" => EventKind::CustomerCreated,
        "customer.updated" => EventKind::CustomerUpdated,
        "customer.deleted" => EventKind::CustomerDeleted,
        _ => return None,
    })
}

/// The event a delivery stands for, or why it stands for none.
pub fn event_of(topic: &str, body: &[u8]) -> Result<Event, String> {
    let kind = kind_of(topic).ok_or_else(|| format!("topic {topic:?} is not one the agent subscribes to"))?;
    let payload: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    // A resource gone before delivery arrives as the REST error, without an id.
    let id = payload.get("id").and_then(Value::as_i64).filter(|id| *id > 0).ok_or("the payload names no object (the resource may be gone)")?;
    let modified = payload.get("date_modified_gmt").and_then(Value::as_str).map(str::to_string);
    let mut event = Event::new(kind, id, "webhook", payload);
    event.modified_gmt = modified;
    event.validate().map_err(|e| e.to_string())?;
    Ok(event)
}

/// Whether a job for this object version exists already (a repeated delivery, the create and
/// update of one save, or the backfill having been first).
fn already_queued(store: &Store, event: &Event) -> bool {
    let Some(modified) = &event.modified_gmt else { return false };
    let (subject, family) = routing(event, 0);
    store
        .jobs_for_subject(&subject)
        .map(|jobs| jobs.iter().any(|job| job.family == family && Event::from_json(&job.event).is_ok_and(|e| e.modified_gmt.as_ref() == Some(modified))))
        .unwrap_or(false)
}

impl Receiver {
    async fn delivery(&self, headers: &HeaderMap, body: &[u8]) -> Response {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let metrics = crate::metrics::global();
        let signature = header("x-wc-webhook-signature");
        if signature.is_empty() {
            if is_ping(body) {
                metrics.webhook_delivery("ping");
                return (StatusCode::OK, "ok").into_response();
            }
            metrics.webhook_delivery("refused");
            tracing::warn!("refused a POST without X-WC-Webhook-Signature");
            return refuse(StatusCode::UNAUTHORIZED, "ml_connector_unsigned", "the delivery is not signed");
        }
        let (topic, webhook, delivery) = (header("x-wc-webhook-topic"), header("x-wc-webhook-id"), header("x-wc-webhook-delivery-id"));
        if !signature_matches(self.endpoint.secret.expose().as_bytes(), body, &signature) {
            metrics.webhook_delivery("refused");
            tracing::warn!(%topic, %webhook, %delivery, "refused a webhook delivery: the signature does not match the agent's secret");
            return refuse(StatusCode::UNAUTHORIZED, "ml_connector_bad_signature", "the signature does not match");
        }
        let event = match event_of(&topic, body) {
            Ok(event) => event,
            Err(reason) => {
                // Signed by WooCommerce: answered 200 so it does not count towards disabling.
                metrics.webhook_delivery("ignored");
                tracing::info!(%topic, %webhook, %delivery, "webhook delivery ignored: {reason}");
                return Json(json!({ "accepted": false, "reason": reason })).into_response();
            }
        };
        let rt = self.runtime.read().await.clone();
        let _one_at_a_time = self.queueing.lock().await;
        if already_queued(&rt.store, &event) {
            metrics.webhook_delivery("duplicate");
            return Json(json!({ "accepted": false, "reason": "this version is queued already" })).into_response();
        }
        match rt.store.add_job(&event) {
            Ok(job) => {
                // WooCommerce has no refund topic: a refund arrives as its order's update.
                if matches!(event.kind, EventKind::OrderCreated | EventKind::OrderUpdated) {
                    if let Ok(order) = serde_json::from_value::<crate::model::woo::Order>(event.payload.clone()) {
                        crate::flows::refunds::missed::queue_unseen(&rt.store, &order, "webhook");
                    }
                }
                metrics.webhook_delivery("accepted");
                metrics.event_received(event.kind.as_str(), "webhook");
                tracing::debug!(job, %topic, object = event.object_id, "webhook delivery queued");
                // Two notifications, as for the wake socket: one may be taken by a waiting select.
                self.wake.notify_waiters();
                self.wake.notify_one();
                Json(json!({ "accepted": true, "job": job })).into_response()
            }
            Err(error) => {
                metrics.webhook_delivery("failed");
                tracing::error!(%error, %topic, object = event.object_id, "a webhook delivery could not be queued; reconciliation will find it");
                refuse(StatusCode::SERVICE_UNAVAILABLE, "ml_connector_store", "the delivery could not be stored")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap().chain_update(body);
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    #[test]
    fn a_signature_of_the_exact_body_matches_and_nothing_else_does() {
        let body = br#"{"id":7,"billing":{"url":"https:\/\/shop"}}"#;
        let good = sign("s3cret", body);
        assert!(signature_matches(b"s3cret", body, &good));
        assert!(!signature_matches(b"other", body, &good));
        assert!(!signature_matches(b"s3cret", br#"{"id":7,"billing":{"url":"https://shop"}}"#, &good), "re-encoded JSON is another body");
        assert!(!signature_matches(b"s3cret", body, &hex::encode([0u8; 32])), "hex is not base64 of the raw MAC");
        assert!(!signature_matches(b"s3cret", body, "%%%"));
    }

    #[test]
    fn a_delivery_becomes_the_spool_event_of_its_topic() {
        let body = br#"{"id":42,"status":"processing","date_modified_gmt":"2026-11-28T10:00:00"}"#;
        let event = event_of("order.created", body).unwrap();
        assert_eq!((event.kind, event.object_id, event.origin.as_str()), (EventKind::OrderCreated, 42, "webhook"));
        assert_eq!(event.modified_gmt.as_deref(), Some("2026-11-28T10:00:00"));
        assert_eq!(event_of("customer.deleted", br#"{"id":5}"#).unwrap().kind, EventKind::CustomerDeleted);
        assert!(event_of("product.updated", body).is_err());
        assert!(event_of("order.updated", br#"{"code":"woocommerce_rest_shop_order_invalid_id","data":{"status":404}}"#).is_err());
        assert!(event_of("order.updated", b"not json").is_err());
    }

    #[test]
    fn the_same_version_is_queued_once() {
        let store = Store::in_memory().unwrap();
        let body = br#"{"id":42,"date_modified_gmt":"2026-11-28T10:00:00"}"#;
        let created = event_of("order.created", body).unwrap();
        assert!(!already_queued(&store, &created));
        store.add_job(&created).unwrap();
        assert!(already_queued(&store, &event_of("order.updated", body).unwrap()), "created and updated of one save");
        let later = event_of("order.updated", br#"{"id":42,"date_modified_gmt":"2026-11-28T10:00:05"}"#).unwrap();
        assert!(!already_queued(&store, &later));
    }

    #[test]
    fn only_a_form_body_naming_a_webhook_is_a_ping() {
        assert!(is_ping(b"webhook_id=12"));
        assert!(!is_ping(b"webhook_id="));
        assert!(!is_ping(br#"{"id":12}"#));
    }
}
