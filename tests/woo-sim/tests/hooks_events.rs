//! The hooks each path fires (reference 1.1–1.3) and the events the simulator writes to the spool
//! in the plugin's place.

mod support;

use ml_connector_formats::{EventKind, Spool};
use reqwest::Method;
use serde_json::json;
use support::*;
use woo_sim::{CheckoutKind, Config, ItemRequest, PlaceOrder};

/// `expected` appears in `names` in this order (other hooks may sit in between).
fn in_order(names: &[String], expected: &[&str]) {
    let mut at = 0;
    for hook in expected {
        match names[at..].iter().position(|n| n == hook) {
            Some(found) => at += found + 1,
            None => panic!("{hook} missing or out of order in {names:#?}"),
        }
    }
}

fn items(sku: &str) -> Vec<ItemRequest> {
    vec![ItemRequest { sku: sku.into(), quantity: 1 }]
}

#[tokio::test]
async fn classic_checkout_fires_hooks_in_reference_order() {
    let sim = start().await;
    let order = sim.control().place_order(PlaceOrder { items: items("1900-S"), ..Default::default() }).await.unwrap();
    let names = hook_names(&sim, 0, order["id"].as_i64());
    in_order(&names, &[
        "woocommerce_checkout_create_order",
        "woocommerce_new_order",
        "woocommerce_checkout_update_order_meta",
        "woocommerce_checkout_order_created",
        "woocommerce_checkout_order_processed",
        "woocommerce_pre_payment_complete",
        "woocommerce_update_order",
        "woocommerce_order_status_processing",
        "woocommerce_reduce_order_stock",
        "woocommerce_order_status_pending_to_processing",
        "woocommerce_order_status_changed",
        "woocommerce_order_payment_status_changed",
        "woocommerce_payment_complete",
    ]);
    assert_eq!(names.iter().filter(|n| *n == "woocommerce_new_order").count(), 1);
}

#[tokio::test]
async fn offline_gateway_checkout_goes_on_hold_without_payment_complete() {
    let sim = start().await;
    let order = sim.control().place_order(PlaceOrder { items: items("1900-S"), payment_method: "bacs".into(), ..Default::default() }).await.unwrap();
    assert_eq!(order["status"], "on-hold");
    let names = hook_names(&sim, 0, order["id"].as_i64());
    in_order(&names, &["woocommerce_new_order", "woocommerce_order_status_on-hold", "woocommerce_reduce_order_stock", "woocommerce_order_status_pending_to_on-hold"]);
    assert!(!names.contains(&"woocommerce_payment_complete".to_string()));
}

#[tokio::test]
async fn block_checkout_fires_new_order_only_when_leaving_checkout_draft() {
    let sim = start().await;
    let order = sim.control().place_order(PlaceOrder { checkout: CheckoutKind::Block, items: items("1900-S"), ..Default::default() }).await.unwrap();
    let id = order["id"].as_i64().unwrap();
    let hooks = sim.control().hooks(0);
    let first_request = hooks[0].request_id;
    assert!(hooks.iter().filter(|h| h.request_id == first_request).all(|h| h.hook != "woocommerce_new_order"), "the draft fires no new_order");
    let names = hook_names(&sim, 0, Some(id));
    in_order(&names, &[
        "woocommerce_store_api_checkout_update_order_meta",
        "woocommerce_update_order",
        "woocommerce_store_api_checkout_update_order_from_request",
        "woocommerce_store_api_checkout_order_processed",
        "woocommerce_new_order",
        "woocommerce_order_status_pending",
        "woocommerce_order_status_checkout-draft_to_pending",
        "woocommerce_payment_complete",
    ]);
    assert_eq!(order["created_via"], "store-api");
}

#[tokio::test]
async fn rest_create_fires_new_order_then_totals_saves_then_the_transition() {
    let sim = start().await;
    let (_, order) = send(&sim, Method::POST, "/orders", &json!({"line_items": [{"sku": "1900-S"}], "status": "processing"})).await;
    let names = hook_names(&sim, 0, order["id"].as_i64());
    assert_eq!(&names[..3], &["woocommerce_new_order", "woocommerce_update_order", "woocommerce_update_order"]);
    in_order(&names, &[
        "woocommerce_update_order",
        "woocommerce_order_status_processing",
        "woocommerce_order_status_pending_to_processing",
        "woocommerce_order_status_changed",
        "woocommerce_rest_insert_shop_order_object",
    ]);
}

#[tokio::test]
async fn admin_created_order_fires_new_order_on_create() {
    let sim = start().await;
    let order = sim.control().place_order(PlaceOrder { checkout: CheckoutKind::Admin, items: items("1900-S"), status: Some("processing".into()), ..Default::default() }).await.unwrap();
    assert_eq!((order["created_via"].as_str(), order["status"].as_str()), (Some("admin"), Some("processing")));
    let names = hook_names(&sim, 0, order["id"].as_i64());
    in_order(&names, &["woocommerce_update_order", "woocommerce_order_edit_status", "woocommerce_new_order", "woocommerce_order_status_processing", "woocommerce_process_shop_order_meta"]);
}

#[tokio::test]
async fn refund_fires_hooks_in_reference_order() {
    let sim = start().await;
    let order = place(&sim, &[("1900-S", 2)], "card").await;
    let since = sim.control().last_hook_seq();
    send(&sim, Method::POST, &format!("/orders/{}/refunds", order["id"]), &json!({"amount": "1.00"})).await;
    let names = hook_names(&sim, since, None);
    assert_eq!(names, vec![
        "woocommerce_create_refund",
        "woocommerce_order_partially_refunded",
        "woocommerce_update_order",
        "woocommerce_refund_created",
        "woocommerce_order_refunded",
    ]);
}

fn spool_events(path: &std::path::Path) -> Vec<ml_connector_formats::Event> {
    let spool = Spool::open(path).unwrap();
    let rows = spool.pending(0, 1000).unwrap();
    assert!(rows.iter().all(|r| r.producer == "extension"));
    rows.iter().map(|r| r.event().unwrap()).collect()
}

#[tokio::test]
async fn spool_gets_one_extension_event_per_object_with_coalesced_hooks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spool.db");
    let sim = start_with(Config { spool: Some(path.clone()), ..Config::demo() }).await;
    let order = place(&sim, &[("1900-S", 1)], "card").await;
    let events = spool_events(&path);
    let kinds: Vec<(EventKind, i64)> = events.iter().map(|e| (e.kind, e.object_id)).collect();
    assert_eq!(kinds, vec![(EventKind::CustomerUpdated, 2), (EventKind::OrderCreated, order["id"].as_i64().unwrap())]);
    let event = &events[1];
    assert_eq!(event.origin, "checkout");
    assert_eq!(event.payload["id"], order["id"]);
    assert_eq!(event.payload["status"], "processing");
    assert_eq!(event.modified_gmt.as_deref(), order["date_modified_gmt"].as_str());
    assert_eq!(event.hooks.iter().filter(|h| *h == "woocommerce_update_order").count(), 1, "coalesced");
    assert!(event.hooks.contains(&"woocommerce_checkout_order_processed".to_string()));
}

#[tokio::test]
async fn no_event_for_checkout_drafts_or_stock_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spool.db");
    let sim = start_with(Config { spool: Some(path.clone()), ..Config::demo() }).await;
    sim.control().place_order(PlaceOrder { checkout: CheckoutKind::Block, stop_at_draft: true, items: items("1900-S"), ..Default::default() }).await.unwrap();
    let product = product_id(&sim, "1900-S");
    send(&sim, Method::PUT, &format!("/products/{product}"), &json!({"stock_quantity": 1})).await;
    assert!(spool_events(&path).is_empty());
}

#[tokio::test]
async fn agent_marked_order_write_is_logged_and_still_spooled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spool.db");
    let sim = start_with(Config { spool: Some(path.clone()), ..Config::demo() }).await;
    let order = place(&sim, &[("1900-S", 1)], "card").await;
    let since = sim.control().last_hook_seq();
    send_with(&sim, Method::PUT, &format!("/orders/{}", order["id"]), &json!({"meta_data": [{"key": "nav_order_no", "value": "SO-1001"}]}), true).await;
    let hooks = sim.control().hooks(since);
    assert!(!hooks.is_empty() && hooks.iter().all(|h| h.agent));
    let last = spool_events(&path).pop().unwrap();
    assert_eq!((last.kind, last.origin.as_str()), (EventKind::OrderUpdated, "rest-api"));
    assert_eq!(last.payload["meta_data"][0]["value"], "SO-1001");
}

#[tokio::test]
async fn refund_event_carries_the_order_as_parent_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spool.db");
    let sim = start_with(Config { spool: Some(path.clone()), ..Config::demo() }).await;
    let order = place(&sim, &[("1900-S", 1)], "bacs").await;
    let refund = sim.control().refund(order["id"].as_i64().unwrap(), woo_sim::AdminRefund { amount: Some("3.00".into()), ..Default::default() }).await.unwrap();
    let events = spool_events(&path);
    let refund_event = events.iter().find(|e| e.kind == EventKind::RefundCreated).unwrap();
    assert_eq!(refund_event.object_id, refund["id"].as_i64().unwrap());
    assert_eq!(refund_event.parent_id, order["id"].as_i64());
    assert_eq!(refund_event.origin, "admin");
    assert_eq!(events.last().unwrap().kind, EventKind::OrderUpdated, "the order's own event follows");
}

#[tokio::test]
async fn trashing_an_order_writes_order_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spool.db");
    let sim = start_with(Config { spool: Some(path.clone()), ..Config::demo() }).await;
    let order = place(&sim, &[("1900-S", 1)], "card").await;
    sim.control().change_order(order["id"].as_i64().unwrap(), woo_sim::ChangeOrder { trash: true, ..Default::default() }).await.unwrap();
    let last = spool_events(&path).pop().unwrap();
    assert_eq!((last.kind, last.payload["status"].as_str()), (EventKind::OrderDeleted, Some("trash")));
}

#[cfg(unix)]
#[tokio::test]
async fn wake_datagram_follows_the_spool_write() {
    let dir = tempfile::tempdir().unwrap();
    let (path, socket) = (dir.path().join("spool.db"), dir.path().join("agent.sock"));
    let listener = std::os::unix::net::UnixDatagram::bind(&socket).unwrap();
    listener.set_nonblocking(true).unwrap();
    let sim = start_with(Config { spool: Some(path.clone()), wake_socket: Some(socket), ..Config::demo() }).await;
    sim.control().save_customer(None, woo_sim::CustomerRequest { email: Some("new@example.com".into()), via: Some("account".into()), ..Default::default() }).await.unwrap();
    let mut buf = [0u8; 64];
    let n = listener.recv(&mut buf).unwrap();
    let seq = ml_connector_formats::wake::parse(&buf[..n]).unwrap();
    let rows = Spool::open(&path).unwrap().pending(0, 10).unwrap();
    assert_eq!(rows.last().unwrap().seq, seq);
    assert_eq!(rows.last().unwrap().kind, "customer.created");
}
