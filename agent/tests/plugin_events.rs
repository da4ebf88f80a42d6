//! The events the WordPress plugin produces (fixtures written by its PHPUnit flow tests, one per
//! path) are valid in the one event schema, and their payloads decode as the agent's WooCommerce
//! types — the cross-check that keeps PHP and Rust from drifting.

use ml_connector_agent::model::woo::{Customer, Order};
use ml_connector_formats::{Event, EventKind};

#[test]
fn every_plugin_event_fixture_is_valid_and_decodes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../wp-plugin/tests/fixtures/events");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures directory") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let event = Event::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        match event.kind {
            EventKind::OrderCreated | EventKind::OrderUpdated | EventKind::OrderRestored | EventKind::OrderDeleted => {
                let order: Order = serde_json::from_value(event.payload.clone()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(order.id, event.object_id, "{}", path.display());
            }
            EventKind::RefundCreated => assert!(event.parent_id.is_some(), "{}: a refund names its order", path.display()),
            EventKind::CustomerCreated | EventKind::CustomerUpdated => {
                let customer: Customer = serde_json::from_value(event.payload.clone()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(customer.id, event.object_id);
            }
            _ => {}
        }
        checked += 1;
    }
    assert!(checked >= 15, "expected the plugin's fixtures, found {checked}");
}
