//! The part of the WordPress plugin the simulator plays for tests without WordPress: at the end of
//! each request, one event per changed order, refund or customer (hooks coalesced per object), in
//! the event schema of `ml-connector-formats`, written to the spool with producer `extension` and
//! followed by a wake datagram. Never for drafts (`checkout-draft`, `auto-draft`), never for stock.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ml_connector_formats::spool::{Durability, OpenOptions, PRODUCER_EXTENSION};
use ml_connector_formats::{Event, EventKind, Spool};
use serde_json::Value;

use crate::hooks::{Change, Object};
use crate::model::order::is_draft;
use crate::model::StoreData;

const CREATE_CUSTOMER: &[&str] = &["user_register", "woocommerce_created_customer", "woocommerce_new_customer"];
const DELETE_CUSTOMER: &[&str] = &["delete_user", "woocommerce_delete_customer"];

/// Events for a finished change, in the order their objects were first touched.
pub fn events_for(store: &StoreData, change: &Change) -> Vec<Event> {
    let mut objects: Vec<Object> = Vec::new();
    for fired in &change.hooks {
        let relevant = matches!(fired.object, Object::Order { .. } | Object::Refund { .. } | Object::Customer { .. });
        if relevant && !objects.contains(&fired.object) {
            objects.push(fired.object);
        }
    }
    objects.into_iter().filter_map(|object| event_for(store, change, object)).collect()
}

fn event_for(store: &StoreData, change: &Change, object: Object) -> Option<Event> {
    let mut hooks: Vec<String> = Vec::new();
    for fired in change.hooks.iter().filter(|h| h.object == object) {
        if !hooks.contains(&fired.hook) {
            hooks.push(fired.hook.clone());
        }
    }
    let has = |names: &[&str]| hooks.iter().any(|h| names.contains(&h.as_str()));
    let (kind, payload, modified, parent, origin) = match object {
        Object::Order { id } => {
            if let Some(last) = change.deleted.get(&object) {
                (EventKind::OrderDeleted, last.clone(), date_of(last), None, change.path.clone())
            } else {
                let order = store.orders.get(&id)?;
                if is_draft(&order.status) {
                    return None;
                }
                let kind = if has(&["woocommerce_trash_order"]) {
                    EventKind::OrderDeleted
                } else if has(&["woocommerce_untrash_order"]) {
                    EventKind::OrderRestored
                } else if has(&["woocommerce_new_order"]) {
                    EventKind::OrderCreated
                } else {
                    EventKind::OrderUpdated
                };
                let origin = if kind == EventKind::OrderCreated { order.created_via.clone() } else { change.path.clone() };
                let payload = crate::render::order(store, id, crate::render::Context::View)?;
                (kind, payload, Some(crate::clock::format(order.date_modified, 0)), None, origin)
            }
        }
        Object::Refund { id, order_id } => {
            if let Some(last) = change.deleted.get(&object) {
                (EventKind::RefundDeleted, last.clone(), date_of(last), Some(order_id), change.path.clone())
            } else {
                let refund = store.refunds.get(&id)?;
                let payload = crate::render::refund(store, id)?;
                (EventKind::RefundCreated, payload, Some(crate::clock::format(refund.date_created, 0)), Some(order_id), change.path.clone())
            }
        }
        Object::Customer { id } => {
            if let Some(last) = change.deleted.get(&object) {
                (EventKind::CustomerDeleted, last.clone(), date_of(last), None, change.path.clone())
            } else {
                let user = store.users.get(&id)?;
                let kind = if has(DELETE_CUSTOMER) {
                    EventKind::CustomerDeleted
                } else if has(CREATE_CUSTOMER) {
                    EventKind::CustomerCreated
                } else {
                    EventKind::CustomerUpdated
                };
                let payload = crate::render::customer(store, id)?;
                (kind, payload, Some(crate::clock::format(user.last_update, 0)), None, change.path.clone())
            }
        }
        Object::Product { .. } | Object::Webhook { .. } => return None,
    };
    let mut event = Event::new(kind, object.id(), &origin, payload);
    event.parent_id = parent;
    event.hooks = hooks;
    event.modified_gmt = modified;
    Some(event)
}

fn date_of(payload: &Value) -> Option<String> {
    payload
        .get("date_modified_gmt")
        .or_else(|| payload.get("date_created_gmt"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Events kept in memory for `GET /_sim/events` (also without a spool).
#[derive(Clone, Default)]
pub struct EventLog {
    inner: Arc<Mutex<VecDeque<(u64, Event)>>>,
    seq: Arc<Mutex<u64>>,
}

const EVENT_LOG_CAPACITY: usize = 50_000;

impl EventLog {
    pub fn record(&self, events: &[Event]) {
        let mut seq = self.seq.lock().unwrap_or_else(|p| p.into_inner());
        let mut log = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        for event in events {
            *seq += 1;
            if log.len() >= EVENT_LOG_CAPACITY {
                log.pop_front();
            }
            log.push_back((*seq, event.clone()));
        }
    }

    pub fn since(&self, since: u64) -> Vec<Value> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(seq, _)| *seq > since)
            .map(|(seq, event)| serde_json::json!({"seq": seq, "event": event}))
            .collect()
    }

    pub fn clear(&self) {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("opening the spool: {0}")]
    Spool(#[from] ml_connector_formats::SpoolError),
}

/// The spool and the agent's wake socket.
pub struct EventSink {
    spool: Arc<Mutex<Spool>>,
    wake_socket: Option<PathBuf>,
}

impl EventSink {
    pub fn open(path: &std::path::Path, wake_socket: Option<PathBuf>) -> Result<Self, SinkError> {
        // NORMAL durability survives any process crash; the simulator does not need to survive
        // power loss, and FULL would cap event throughput at the disk's fsync rate.
        let options = OpenOptions { durability: Durability::Normal, ..OpenOptions::default() };
        let spool = Spool::open_with(path, &options)?;
        Ok(Self { spool: Arc::new(Mutex::new(spool)), wake_socket })
    }

    pub async fn write(&self, events: Vec<Event>) {
        let spool = self.spool.clone();
        let wake_socket = self.wake_socket.clone();
        let written = tokio::task::spawn_blocking(move || {
            let spool = spool.lock().unwrap_or_else(|p| p.into_inner());
            let mut last = None;
            for event in &events {
                match spool.enqueue(event, PRODUCER_EXTENSION) {
                    Ok(seq) => last = Some(seq),
                    Err(error) => tracing::error!(%error, kind = %event.kind, object_id = event.object_id, "writing an event to the spool failed"),
                }
            }
            if let (Some(seq), Some(socket)) = (last, wake_socket) {
                let outcome = ml_connector_formats::wake::wake(&socket, seq);
                tracing::debug!(?outcome, seq, "wake sent");
            }
        })
        .await;
        if let Err(error) = written {
            tracing::error!(%error, "spool writer task failed");
        }
    }
}
