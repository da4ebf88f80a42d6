//! The in-process hand-off with the real PHP extension: events enqueued from PHP reach the spool
//! and the running agent; a checkout goes on when the spool is unwritable, the key is missing or
//! the agent is down, and the order is recovered later (the agent's reconciliation).

use std::time::Duration;

use ml_connector_e2e::{eventually, Stack, StackOptions};
use serde_json::{json, Value};

const IDLE: Duration = Duration::from_secs(60);

/// A PHP "checkout" that hands the order event over as the plugin does and then carries on.
fn checkout_script(order: &Value) -> String {
    let event = json!({
        "schema": 1, "kind": "order.created", "object_id": order["id"], "origin": "checkout",
        "hooks": ["woocommerce_new_order", "woocommerce_checkout_order_processed"],
        "occurred_at": "2026-11-28T10:00:00.000Z", "payload": order,
    });
    format!(
        r#"<?php
$seq = ml_connector_enqueue({event});
echo json_encode(["seq" => $seq, "error" => ml_connector_last_error(), "wake" => ml_connector_wake(),
                  "secret" => ml_connector_encrypt("nav.client_secret", "x") !== null]), "\n";
echo "checkout completed\n";
"#,
        event = serde_json::to_string(&serde_json::to_string(&event).unwrap()).unwrap().replace('$', "\\$")
    )
}

fn run(stack: &Stack, order: &Value, overrides: &[(&str, String)]) -> Value {
    let output = stack.php(&checkout_script(order), overrides);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "PHP failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("checkout completed"), "the checkout must go on: {stdout}");
    serde_json::from_str(stdout.lines().next().unwrap()).unwrap()
}

async fn order_without_events(stack: &Stack, sku: &str) -> Value {
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": sku, "quantity": 1}], "payment_method": "card"})).await.unwrap()
}

fn external(order: &Value) -> String {
    format!("WC-{}", order["number"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_enqueued_from_php_reaches_the_running_agent() {
    // woo-sim writes no events here: only PHP's hand-off tells the agent.
    let stack = Stack::start(StackOptions { plugin_events: false, extra_toml: "[schedules]\nreconcile_orders = \"off\"\n".into(), ..Default::default() }).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let order = order_without_events(&stack, "1900-S").await;
    let answer = run(&stack, &order, &[]);
    assert!(answer["seq"].as_i64().unwrap() > 0, "{answer}");
    assert_eq!(answer["wake"], "sent", "the agent was woken: {answer}");
    eventually(Duration::from_secs(20), "the sales order", || (stack.sales_orders_for(&external(&order)).len() == 1).then_some(())).await.unwrap();
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_agent_down_php_still_enqueues_and_the_agent_catches_up() {
    let mut stack = Stack::start(StackOptions { plugin_events: false, start_agent: false, extra_toml: "[schedules]\nreconcile_orders = \"off\"\n".into(), ..Default::default() }).await.unwrap();
    // The spool exists (created at install); nobody listens on the socket.
    ml_connector_formats::Spool::open(&stack.spool_path()).unwrap();
    let order = order_without_events(&stack, "1896-S").await;
    let answer = run(&stack, &order, &[]);
    assert!(answer["seq"].as_i64().unwrap() > 0);
    assert_eq!(answer["wake"], "agent-down");
    stack.start_agent().unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(stack.sales_orders_for(&external(&order)).len(), 1);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_spool_or_missing_key_never_breaks_the_checkout_and_reconciliation_recovers() {
    let stack = Stack::start(StackOptions { plugin_events: false, ..Default::default() }).await.unwrap();
    let order = order_without_events(&stack, "1908-S").await;
    let broken = stack.dir.path().join("no-such-dir/spool.db").display().to_string();
    let missing_key = stack.dir.path().join("no-such.key").display().to_string();
    let answer = run(&stack, &order, &[("ml_connector.spool_path", broken), ("ml_connector.key_path", missing_key)]);
    assert!(answer["seq"].is_null(), "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("no-such-dir"), "the reason names the path: {answer}");
    assert_eq!(answer["secret"], false, "no key, no encryption — and no exception");
    // The event never reached the spool; reconciliation finds the order in WooCommerce.
    eventually(Duration::from_secs(30), "reconciliation", || (stack.sales_orders_for(&external(&order)).len() == 1).then_some(())).await.unwrap();
    stack.shutdown().await;
}
