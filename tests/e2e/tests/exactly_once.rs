//! Exactly once whatever fails: one NAV sales order per WooCommerce order under 5xx, ambiguous
//! timeouts, commit-then-drop, kill -9 between request and response, a 429 storm and token
//! expiry mid-run.

use std::time::Duration;

use bc_sim::FaultSettings;
use ml_connector_e2e::{eventually, Stack, StackOptions};
use serde_json::{json, Value};

const IDLE: Duration = Duration::from_secs(90);

fn external(order: &Value) -> String {
    format!("WC-{}", order["number"].as_str().unwrap_or_default())
}

async fn place(stack: &Stack, n: usize) -> Vec<Value> {
    let mut orders = Vec::new();
    for i in 0..n {
        let sku = ["1900-S", "1896-S", "TSHIRT-L", "1908-S"][i % 4];
        orders.push(stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": sku, "quantity": 1 + i % 3}], "payment_method": "card"})).await.unwrap());
    }
    orders
}

fn assert_each_once(stack: &Stack, orders: &[Value]) {
    for order in orders {
        let found = stack.sales_orders_for(&external(order));
        assert_eq!(found.len(), 1, "{} exists {} times in NAV\n{}", external(order), found.len(), stack.log());
    }
}

fn assert_nothing_parked(status: &Value) {
    assert_eq!(status["queue"]["parked"], 0, "nothing may be parked: {}", status["parked"]);
    assert_eq!(status["queue"]["held"], 0, "nothing may be held: {}", status["parked"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn commit_then_drop_never_creates_a_duplicate() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    stack.set_bc_faults(FaultSettings { drop_next: 3, only_uri_containing: Some("salesOrders".into()), ..Default::default() });
    let orders = place(&stack, 3).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_each_once(&stack, &orders);
    assert_nothing_parked(&status);
    let drops = stack.bc.control().journal().since(0).into_iter().filter(|r| r.fault.as_deref() == Some("commit-then-drop")).count();
    assert_eq!(drops, 3, "the fault was really injected");
    let adopted: usize = orders.iter().map(|o| stack.audit_for(o["id"].as_i64().unwrap()).iter().filter(|a| a["action"] == "adopted existing sales order").count()).sum();
    assert_eq!(adopted, 3, "each cut create was found in NAV instead of repeated");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_at_30_percent_are_retried_without_duplicates() {
    // Many attempts: every request of a job (look-ups and the create) may fail at 30 %.
    let stack = Stack::start(StackOptions { extra_toml: "[agent]\nmax_attempts = 20\n".into(), ..Default::default() }).await.unwrap();
    stack.set_bc_faults(FaultSettings { error_rate: 0.3, error_status: 500, ..Default::default() });
    let orders = place(&stack, 12).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_each_once(&stack, &orders);
    assert_nothing_parked(&status);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ambiguous_timeout_is_looked_up_not_repeated() {
    let stack = Stack::start(StackOptions { extra_toml: "[nav]\ntimeout_secs = 1\n".into(), ..Default::default() }).await.unwrap();
    // Warm up (token, catalog, customer link) so the slow answer hits the create.
    let first = place(&stack, 1).await;
    stack.wait_idle(IDLE).await.unwrap();
    stack.set_bc_faults(FaultSettings { slow_answer_ms: 2500, only_uri_containing: Some("/salesOrders".into()), ..Default::default() });
    let order = place(&stack, 1).await.remove(0);
    eventually(Duration::from_secs(20), "the create applied in NAV", || (!stack.sales_orders_for(&external(&order)).is_empty()).then_some(())).await.unwrap();
    stack.set_bc_faults(FaultSettings::default());
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_each_once(&stack, &[first[0].clone(), order.clone()]);
    assert_nothing_parked(&status);
    assert!(stack.audit_for(order["id"].as_i64().unwrap()).iter().any(|a| a["action"] == "adopted existing sales order"));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_between_request_and_response_does_not_duplicate() {
    let mut stack = Stack::start(StackOptions::default()).await.unwrap();
    let warm = place(&stack, 1).await;
    stack.wait_idle(IDLE).await.unwrap();
    stack.set_bc_faults(FaultSettings { slow_answer_ms: 5000, only_uri_containing: Some("/salesOrders".into()), ..Default::default() });
    let order = place(&stack, 1).await.remove(0);
    eventually(Duration::from_secs(20), "the create applied in NAV", || (!stack.sales_orders_for(&external(&order)).is_empty()).then_some(())).await.unwrap();
    stack.kill_agent();
    stack.set_bc_faults(FaultSettings::default());
    stack.start_agent().unwrap();
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_each_once(&stack, &[warm[0].clone(), order.clone()]);
    assert_nothing_parked(&status);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_storm_is_waited_out_and_nothing_is_lost() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let mut limits = stack.bc.control().limits();
    limits.rate_limit = 15;
    limits.rate_window_ms = 2_000;
    limits.retry_after_secs = 1;
    stack.bc.control().set_limits(limits);
    let orders = place(&stack, 30).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_each_once(&stack, &orders);
    assert_nothing_parked(&status);
    let throttled = stack.bc.control().journal().since(0).into_iter().filter(|r| r.status == Some(429)).count();
    assert!(throttled > 0, "the storm really happened");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_expiring_mid_run_are_renewed() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let first = place(&stack, 3).await;
    stack.wait_idle(IDLE).await.unwrap();
    assert!(stack.bc.control().expire_tokens() > 0);
    let second = place(&stack, 3).await;
    stack.wait_idle(IDLE).await.unwrap();
    stack.bc.control().revoke_tokens();
    let third = place(&stack, 3).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_each_once(&stack, &[first, second, third].concat());
    assert_nothing_parked(&status);
    let unauthorized = stack.bc.control().journal().since(0).into_iter().filter(|r| r.status == Some(401)).count();
    assert!(unauthorized >= 2, "expired and revoked tokens were refused ({unauthorized})");
    stack.shutdown().await;
}

/// Regression: a revoked token met first by a look-up (paged read) was retried as it was, forever.
#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_token_is_renewed_on_look_ups_too() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let first = place(&stack, 1).await;
    stack.wait_idle(IDLE).await.unwrap();
    stack.bc.control().revoke_tokens();
    // The create fails, so the retry starts with a look-up by externalDocumentNumber.
    stack.set_bc_faults(FaultSettings { fail_next: 1, only_uri_containing: Some("/salesOrders".into()), ..Default::default() });
    let second = place(&stack, 1).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_each_once(&stack, &[first, second].concat());
    assert_nothing_parked(&status);
    stack.shutdown().await;
}
