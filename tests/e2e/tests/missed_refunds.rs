//! Refunds the hand-off never delivered (the extension not loaded while the refund was made, or
//! webhook mode, where WooCommerce has no refund topic) still reach NAV: reconciliation sees them
//! in their order's `refunds` list and queues each once (flows/refunds/missed.rs).

use std::time::Duration;

use ml_connector_e2e::{eventually, Stack, StackOptions};
use serde_json::{json, Value};

const IDLE: Duration = Duration::from_secs(90);

fn external(order: &Value) -> String {
    format!("WC-{}", order["number"].as_str().unwrap_or_default())
}

/// No spool events at all: every order and refund must be found by reconciliation (every 2 s).
async fn stack_without_hand_off() -> Stack {
    Stack::start(StackOptions { plugin_events: false, ..Default::default() }).await.expect("stack")
}

fn credit_memos_for(stack: &Stack, order: &Value) -> Vec<Value> {
    let prefix = format!("{}-R", external(order));
    stack.bc.control().entity_set(None, "salesCreditMemos").unwrap().into_iter().filter(|m| m["externalDocumentNumber"].as_str().is_some_and(|n| n.starts_with(&prefix))).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refund_after_posting_that_no_hook_delivered_becomes_one_credit_memo() {
    let stack = stack_without_hand_off().await;
    let placed = stack
        .place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 2}], "payment_method": "card"}))
        .await
        .unwrap();
    let number = eventually(IDLE, "the reconciled order in NAV", || stack.sales_orders_for(&external(&placed)).first().map(|o| o["number"].as_str().unwrap().to_string()))
        .await
        .unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    stack.bc.control().post_sales_order(None, &number, None).unwrap();

    let refund = json!({"reason": "returned", "lines": [{"sku": "1900-S", "quantity": 1}]});
    let made = stack.woo.control().refund(placed["id"].as_i64().unwrap(), serde_json::from_value(refund).unwrap()).await.unwrap();
    let memo = eventually(IDLE, "the credit memo", || credit_memos_for(&stack, &placed).into_iter().next()).await.unwrap();
    assert_eq!(memo["externalDocumentNumber"], format!("{}-R{}", external(&placed), made["id"]));

    // Later reconciliations see the same refund again: no second job, no second credit memo.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_eq!((status["queue"]["parked"].as_i64(), status["queue"]["held"].as_i64()), (Some(0), Some(0)), "{}\n{}", status["parked"], stack.log());
    assert_eq!(credit_memos_for(&stack, &placed).len(), 1, "exactly one credit memo");
    let db = rusqlite::Connection::open(stack.state_path()).unwrap();
    let (jobs, origin): (i64, String) = db
        .query_row("SELECT COUNT(*), MIN(origin) FROM jobs WHERE family = ?1", [format!("refund:{}", made["id"])], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((jobs, origin.as_str()), (1, "reconcile"), "queued once, by reconciliation");
    assert!(stack.log().contains("queued a refund the hand-off did not deliver"));
    stack.shutdown().await;
}
