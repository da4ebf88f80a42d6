//! The event schema, version 1: one JSON object per thing that happened in WooCommerce (or per
//! command from WP admin). Objects are carried in their WooCommerce REST v3 representation, so the
//! agent reads hook events and REST reads with one set of types.
//!
//! ```json
//! {"schema":1,"kind":"order.created","object_id":1234,"origin":"checkout",
//!  "hooks":["woocommerce_new_order","woocommerce_checkout_order_processed"],
//!  "modified_gmt":"2026-11-28T10:00:00","occurred_at":"2026-11-28T10:00:00.120Z",
//!  "payload":{"id":1234,"status":"processing","line_items":[...]}}
//! ```

use serde::{Deserialize, Serialize};

pub const EVENT_SCHEMA_VERSION: u32 = 1;

/// Events larger than this are refused: a WooCommerce order is a few kB; megabytes mean a bug.
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventKind {
    #[serde(rename = "order.created")]
    OrderCreated,
    #[serde(rename = "order.updated")]
    OrderUpdated,
    /// Trashed or deleted.
    #[serde(rename = "order.deleted")]
    OrderDeleted,
    #[serde(rename = "order.restored")]
    OrderRestored,
    #[serde(rename = "refund.created")]
    RefundCreated,
    #[serde(rename = "refund.deleted")]
    RefundDeleted,
    #[serde(rename = "customer.created")]
    CustomerCreated,
    #[serde(rename = "customer.updated")]
    CustomerUpdated,
    #[serde(rename = "customer.deleted")]
    CustomerDeleted,
    /// A Business Central webhook notification received by the site, passed through.
    #[serde(rename = "bc.notification")]
    BcNotification,
    /// Settings were saved in WP admin; the agent reloads them.
    #[serde(rename = "settings.updated")]
    SettingsUpdated,
    /// Operator asked for a replay (payload: `{"target": "parked" | "job:<id>" | "order:<id>"}`).
    #[serde(rename = "command.replay")]
    CommandReplay,
    /// Operator asked for a live check (payload: `{"request_id": "..."}`); the answer goes to
    /// `agent_status` under `check:<request_id>`.
    #[serde(rename = "command.check")]
    CommandCheck,
    /// Operator asked to send an order again as it is now (payload: `{"order_id": N}`).
    #[serde(rename = "command.resync")]
    CommandResync,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::OrderCreated => "order.created",
            EventKind::OrderUpdated => "order.updated",
            EventKind::OrderDeleted => "order.deleted",
            EventKind::OrderRestored => "order.restored",
            EventKind::RefundCreated => "refund.created",
            EventKind::RefundDeleted => "refund.deleted",
            EventKind::CustomerCreated => "customer.created",
            EventKind::CustomerUpdated => "customer.updated",
            EventKind::CustomerDeleted => "customer.deleted",
            EventKind::BcNotification => "bc.notification",
            EventKind::SettingsUpdated => "settings.updated",
            EventKind::CommandReplay => "command.replay",
            EventKind::CommandCheck => "command.check",
            EventKind::CommandResync => "command.resync",
        }
    }

    /// Kinds that name a WooCommerce object and so need `object_id > 0`.
    pub fn names_an_object(self) -> bool {
        !matches!(
            self,
            EventKind::BcNotification
                | EventKind::SettingsUpdated
                | EventKind::CommandReplay
                | EventKind::CommandCheck
                | EventKind::CommandResync
        )
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Event schema version; this crate reads version 1.
    pub schema: u32,
    pub kind: EventKind,
    /// WooCommerce id of the object (order, refund, customer); 0 for commands.
    pub object_id: i64,
    /// For a refund, the id of its order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<i64>,
    /// How the object came to be or change: `checkout`, `store-api`, `admin`, `rest-api`,
    /// `account`, `wp-cli`, `reconcile`, `webhook`, ...
    pub origin: String,
    /// The WordPress hooks coalesced into this event, in firing order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<String>,
    /// The object's `date_modified_gmt`, its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_gmt: Option<String>,
    /// When the event was made, UTC RFC 3339.
    pub occurred_at: String,
    /// The object in its WooCommerce REST v3 representation, or the command's arguments.
    #[serde(default)]
    pub payload: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("event is {0} bytes, more than the {MAX_EVENT_BYTES} allowed")]
    TooLarge(usize),
    #[error("event is not valid JSON of the event schema: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("event schema version {0} is not supported (this build reads version {EVENT_SCHEMA_VERSION})")]
    UnsupportedVersion(u32),
    #[error("event {kind} needs a positive object_id, got {object_id}")]
    MissingObject { kind: EventKind, object_id: i64 },
    #[error("event {kind} needs a JSON object as payload")]
    PayloadNotObject { kind: EventKind },
    #[error("event origin is empty")]
    MissingOrigin,
}

impl Event {
    /// A new event of this build's schema version, stamped now.
    pub fn new(kind: EventKind, object_id: i64, origin: &str, payload: serde_json::Value) -> Self {
        Self {
            schema: EVENT_SCHEMA_VERSION,
            kind,
            object_id,
            parent_id: None,
            origin: origin.to_string(),
            hooks: Vec::new(),
            modified_gmt: None,
            occurred_at: crate::utc_now(),
            payload,
        }
    }

    /// Parses and validates an event from untrusted JSON.
    pub fn from_json(json: &str) -> Result<Self, EventError> {
        if json.len() > MAX_EVENT_BYTES {
            return Err(EventError::TooLarge(json.len()));
        }
        let event: Event = serde_json::from_str(json)?;
        event.validate()?;
        Ok(event)
    }

    pub fn validate(&self) -> Result<(), EventError> {
        if self.schema != EVENT_SCHEMA_VERSION {
            return Err(EventError::UnsupportedVersion(self.schema));
        }
        if self.kind.names_an_object() && self.object_id <= 0 {
            return Err(EventError::MissingObject { kind: self.kind, object_id: self.object_id });
        }
        if !(self.payload.is_object() || self.payload.is_null()) {
            return Err(EventError::PayloadNotObject { kind: self.kind });
        }
        if self.origin.trim().is_empty() {
            return Err(EventError::MissingOrigin);
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        // Serialising a Value-bearing struct cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips_an_order_event() {
        let mut event = Event::new(EventKind::OrderCreated, 42, "checkout", serde_json::json!({"id": 42}));
        event.hooks = vec!["woocommerce_new_order".into()];
        let parsed = Event::from_json(&event.to_json()).unwrap();
        assert_eq!(parsed, event);
        assert!(event.to_json().contains(r#""kind":"order.created""#));
    }

    #[test]
    fn refuses_what_it_cannot_use_with_the_reason() {
        let cases = [
            (r#"{"schema":2,"kind":"order.created","object_id":1,"origin":"x","occurred_at":"t"}"#, "version 2"),
            (r#"{"schema":1,"kind":"order.eaten","object_id":1,"origin":"x","occurred_at":"t"}"#, "unknown variant"),
            (r#"{"schema":1,"kind":"order.created","object_id":0,"origin":"x","occurred_at":"t"}"#, "positive object_id"),
            (r#"{"schema":1,"kind":"order.created","object_id":1,"origin":"x","occurred_at":"t","payload":[1]}"#, "JSON object"),
            (r#"{"schema":1,"kind":"order.created","object_id":1,"origin":" ","occurred_at":"t"}"#, "origin"),
            (r#"{"schema":1,"kind":"order.created","object_id":1,"origin":"x","occurred_at":"t","extra":1}"#, "unknown field"),
            ("not json", "not valid JSON"),
        ];
        for (json, expected) in cases {
            let error = Event::from_json(json).unwrap_err().to_string();
            assert!(error.contains(expected), "{json}: {error}");
        }
    }

    #[test]
    fn commands_need_no_object() {
        let event = Event::new(EventKind::CommandCheck, 0, "admin", serde_json::json!({"request_id": "r1"}));
        assert!(Event::from_json(&event.to_json()).is_ok());
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_input(input in ".{0,400}") {
            let _ = Event::from_json(&input);
        }

        #[test]
        fn never_panics_on_mutated_events(cut in 0usize..120, byte in any::<u8>()) {
            let mut bytes = Event::new(EventKind::OrderUpdated, 7, "admin", serde_json::json!({"id": 7})).to_json().into_bytes();
            let at = cut.min(bytes.len() - 1);
            bytes[at] = byte;
            let _ = Event::from_json(&String::from_utf8_lossy(&bytes));
        }
    }
}
