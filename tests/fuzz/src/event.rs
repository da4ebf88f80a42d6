//! Target `event`: the event payload decoder. The bytes are a spool row's body, read as the agent
//! reads it (`SpooledEvent::event`, which is `Event::from_json`); a decoded event must encode to
//! JSON that decodes to the same event (the agent stores and replays events that way), and its
//! payload goes where the agent sends it: an order to the mapper (`woo_order`), a replay command
//! to `ReplayTarget::parse`.

use ml_connector_agent::flows::commands::ReplayTarget;
use ml_connector_agent::model::woo::Order;
use ml_connector_formats::event::MAX_EVENT_BYTES;
use ml_connector_formats::{Event, EventKind, SpooledEvent};

use crate::input::{combine, hash, outcome, text, Outcome};

pub fn run(data: &[u8]) -> Outcome {
    let row = SpooledEvent {
        seq: 1,
        kind: String::new(),
        object_id: 0,
        body: text(data).into_owned(),
        producer: "extension".into(),
        enqueued_at: "2026-11-28T10:00:00.000Z".into(),
    };
    let event = match row.event() {
        Ok(event) => event,
        Err(error) => return outcome(&error.to_string()),
    };
    let json = event.to_json();
    // Re-encoding can only grow past the limit through number formatting (`1e5` → `100000.0`).
    if json.len() <= MAX_EVENT_BYTES {
        match Event::from_json(&json) {
            Ok(again) => {
                assert!(same_json(&again.payload, &event.payload), "payload changed on re-encoding: {json}");
                let without_payload = |e: &Event| Event { payload: serde_json::Value::Null, ..e.clone() };
                assert_eq!(without_payload(&again), without_payload(&event), "event changed on re-encoding: {json}");
            }
            Err(error) => panic!("a decoded event re-encodes to an invalid one ({error}): {json}"),
        }
    }
    let payload = match event.kind {
        EventKind::OrderCreated | EventKind::OrderUpdated | EventKind::OrderRestored if event.payload.get("id").is_some() => {
            // As flows::orders does: a payload that is not an order parks the job.
            match serde_json::from_value::<Order>(event.payload.clone()) {
                Ok(order) => crate::woo_order::map(&order),
                Err(error) => outcome(&error.to_string()),
            }
        }
        EventKind::CommandReplay => match event.payload.get("target").and_then(|t| t.as_str()).map(ReplayTarget::parse) {
            Some(Ok(target)) => hash(&format!("{target:?}").split('(').next().map(str::to_string)),
            Some(Err(reason)) => outcome(&reason),
            None => 0,
        },
        _ => 0,
    };
    combine(&[hash(event.kind.as_str()), payload])
}

/// Equal JSON, floats within a few units in the last place: serde_json parses floats best-effort
/// (exactly only with its `float_roundtrip` feature, which the workspace does not enable), so a
/// float in a payload can move by one unit through the state database. Amounts are strings in
/// WooCommerce's REST representation, so no amount is affected. Everything else comes back exact.
fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= x.abs().max(y.abs()) * 4.0 * f64::EPSILON,
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().zip(y).all(|((kx, vx), (ky, vy))| kx == ky && same_json(vx, vy)),
        _ => a == b,
    }
}
