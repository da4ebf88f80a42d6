//! The order flow's other paths: parked and replayed, legacy NAV pages, on-premises Basic,
//! WooCommerce over HTTPS, reconciliation of orders the hooks missed, echo suppression, edits
//! before and after posting, the totals guard, and a clean stop on SIGTERM.

use std::time::Duration;

use ml_connector_e2e::{eventually, Deployment, Stack, StackOptions};
use serde_json::{json, Value};

const IDLE: Duration = Duration::from_secs(90);

fn external(order: &Value) -> String {
    format!("WC-{}", order["number"].as_str().unwrap_or_default())
}

fn id(order: &Value) -> i64 {
    order["id"].as_i64().unwrap()
}

async fn jane_orders(stack: &Stack, skus: &[&str]) -> Value {
    let items: Vec<Value> = skus.iter().map(|s| json!({"sku": s, "quantity": 1})).collect();
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": items, "payment_method": "card"})).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_sku_is_parked_with_its_name_and_replayed_once_fixed() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let ok = jane_orders(&stack, &["1900-S"]).await;
    let bad = jane_orders(&stack, &["1900-S", "GIFT-WRAP"]).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(stack.sales_orders_for(&external(&ok)).len(), 1, "other orders flow");
    assert_eq!(status["parked"][0]["order_id"], bad["id"]);
    let human = String::from_utf8_lossy(&stack.cli(&["status"]).stdout).to_string();
    assert!(human.contains("unknown SKU GIFT-WRAP"), "{human}");
    // The dry run shows what would be sent and changes nothing.
    let dry = String::from_utf8_lossy(&stack.cli(&["replay", "--parked", "--dry-run"]).stdout).to_string();
    assert!(dry.contains("unknown SKU GIFT-WRAP"), "{dry}");
    // Fixed in NAV: the item now exists.
    let mut seed: Value = serde_json::from_str(include_str!("../../seed/demo-shop.json")).unwrap();
    seed["items"] = json!([{"number": "GIFT-WRAP", "name": "Gift wrapping", "price": 4.0, "tax_group": "STANDARD", "stock": 100}]);
    for key in ["customers", "woo_only_products", "dimensions", "customer_price_groups", "payment_terms", "payment_methods",
                "shipment_methods", "locations", "countries", "item_charges", "gl_accounts"] {
        seed[key] = json!([]);
    }
    stack.bc.control().add_seed(seed).unwrap();
    let replay = stack.cli(&["replay", "--parked"]);
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(status["queue"]["parked"], 0, "{status}");
    assert_eq!(stack.sales_orders_for(&external(&bad)).len(), 1);
    // Replaying again never duplicates.
    stack.cli(&["replay", "--order", &id(&bad).to_string()]);
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(stack.sales_orders_for(&external(&bad)).len(), 1);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_nav_page_services_carry_the_whole_order() {
    let stack = Stack::start(StackOptions { deployment: Deployment::NavPages, ..Default::default() }).await.unwrap();
    let order = stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 2}, {"sku": "1896-S", "quantity": 1}],
        "shipping": {"method_title": "DHL", "total": "10.00"}, "payment_method": "card"})).await.unwrap();
    let guest = stack.place_order(json!({"checkout": "classic", "customer_id": 0,
        "billing": {"first_name": "Pat", "last_name": "Page", "email": "pat@pages.example", "city": "Hull", "country": "GB"},
        "items": [{"sku": "1908-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(status["queue"]["parked"], 0, "{status}\n{}", stack.log());
    for o in [&order, &guest] {
        let found = stack.sales_orders_for(&external(o));
        assert_eq!(found.len(), 1, "{}", stack.log());
        let net: f64 = o["total"].as_str().unwrap().parse::<f64>().unwrap() - o["total_tax"].as_str().unwrap().parse::<f64>().unwrap();
        assert!((found[0]["totalAmountExcludingTax"].as_f64().unwrap() - net).abs() < 0.005, "{} vs {net}", found[0]);
    }
    let requests = stack.nav_requests_since(0);
    assert!(requests.iter().all(|r| r.contains("/ODataV4/")), "only page services are used: {requests:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn on_premises_basic_auth_and_woocommerce_over_https() {
    let stack = Stack::start(StackOptions { deployment: Deployment::BcOnPrem, woo_https: true, ..Default::default() }).await.unwrap();
    let order = jane_orders(&stack, &["1900-S"]).await;
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(stack.sales_orders_for(&external(&order)).len(), 1, "{}", stack.log());
    let requests = stack.nav_requests_since(0);
    assert!(requests.iter().all(|r| r.contains("/BC/")), "on-prem URL shape: {requests:?}");
    // The write-back used HTTPS with the key in Basic auth.
    let written = stack.woo_order(id(&order));
    assert!(written["meta_data"].as_array().unwrap().iter().any(|m| m["key"] == "ml_connector_nav_number"));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn reconciliation_finds_orders_the_hooks_missed_without_duplicates() {
    let mut stack = Stack::start(StackOptions { plugin_events: false, start_agent: false, ..Default::default() }).await.unwrap();
    let missed = [jane_orders(&stack, &["1900-S"]).await, jane_orders(&stack, &["1896-S"]).await];
    stack.start_agent().unwrap();
    for order in &missed {
        eventually(Duration::from_secs(30), "reconciliation", || (stack.sales_orders_for(&external(order)).len() == 1).then_some(())).await.unwrap();
    }
    // Several more reconciliation rounds run (every 2 s): still once each.
    tokio::time::sleep(Duration::from_secs(5)).await;
    stack.wait_idle(IDLE).await.unwrap();
    for order in &missed {
        assert_eq!(stack.sales_orders_for(&external(order)).len(), 1);
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agents_own_write_back_is_not_sent_back_to_nav() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let order = jane_orders(&stack, &["1900-S"]).await;
    stack.wait_idle(IDLE).await.unwrap();
    let after_sync = stack.bc.control().journal().total();
    // The write-back fires WooCommerce's update hooks: woo-sim spools an order.updated event.
    let events = stack.woo.control().events(0);
    assert!(events.iter().any(|e| e["event"]["object_id"] == order["id"] && e["event"]["kind"] == "order.updated"), "{events:?}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    stack.wait_idle(IDLE).await.unwrap();
    assert!(stack.nav_requests_since(after_sync).is_empty(), "echo reached NAV: {:?}", stack.nav_requests_since(after_sync));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_before_posting_updates_the_sales_order_and_after_posting_is_recorded_only() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    let order = jane_orders(&stack, &["1900-S"]).await;
    stack.wait_idle(IDLE).await.unwrap();
    let number = stack.sales_orders_for(&external(&order))[0]["number"].as_str().unwrap().to_string();
    // The shop adds a line.
    let change: woo_sim::ChangeOrder = serde_json::from_value(json!({"items": [{"sku": "1900-S", "quantity": 1}, {"sku": "1896-S", "quantity": 1}]})).unwrap();
    let changed = stack.woo.control().change_order(id(&order), change).await.unwrap().unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    let nav = stack.sales_orders_for(&external(&order));
    assert_eq!(nav.len(), 1);
    assert_eq!(nav[0]["number"], number.as_str(), "the same sales order, updated");
    let item_lines: Vec<&Value> = nav[0]["salesOrderLines"].as_array().unwrap().iter().filter(|l| l["lineType"] == "Item").collect();
    assert_eq!(item_lines.len(), 2, "{}", nav[0]);
    assert_eq!(nav[0]["totalAmountIncludingTax"], json!(changed["total"].as_str().unwrap().parse::<f64>().unwrap()));
    // NAV posts it; a later change is recorded, not applied.
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    let change: woo_sim::ChangeOrder = serde_json::from_value(json!({"items": [{"sku": "1900-S", "quantity": 3}]})).unwrap();
    stack.woo.control().change_order(id(&order), change).await.unwrap();
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert!(stack.sales_orders_for(&external(&order)).is_empty(), "posted orders are gone from salesOrders");
    assert_eq!(status["queue"]["parked"], 0);
    assert!(stack.audit_for(id(&order)).iter().any(|a| a["action"] == "change after posting"));
    let invoices = stack.bc.control().entity_set(None, "salesInvoices").unwrap();
    assert_eq!(invoices.iter().filter(|i| i["orderNumber"] == number.as_str()).count(), 1);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn totals_beyond_the_tolerance_hold_the_order_with_both_totals() {
    // NAV charges VAT (20 %) on the fee's G/L account; the shop's fee is tax-free: totals differ by 2.00.
    let stack = Stack::start(StackOptions { extra_toml: "[orders]\ntotals_tolerance = \"0.01\"\n".into(), ..Default::default() }).await.unwrap();
    let order = stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}],
        "fees": [{"name": "Bulky item fee", "total": "10.00", "taxable": false}], "payment_method": "card"})).await.unwrap();
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(status["queue"]["held"], 1, "{status}");
    let held = &status["parked"][0];
    assert_eq!(held["order_id"], order["id"]);
    let reason = held["reason"].as_str().unwrap();
    assert!(reason.contains("totals differ: WooCommerce 241.36 EUR, NAV 243.36 EUR"), "{reason}");
    assert_eq!(stack.sales_orders_for(&external(&order)).len(), 1, "the NAV order exists, held for review");
    // A held order gets no write-back yet; the operator sees why.
    let sync = String::from_utf8_lossy(&stack.cli(&["status"]).stdout).to_string();
    assert!(sync.contains("totals differ"), "{sync}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_cleanly_and_the_next_start_finishes_the_work() {
    let mut stack = Stack::start(StackOptions::default()).await.unwrap();
    stack.set_bc_faults(bc_sim::FaultSettings { latency_ms: 300, ..Default::default() });
    let mut orders = Vec::new();
    for _ in 0..6 {
        orders.push(jane_orders(&stack, &["1900-S"]).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(stack.stop_agent(), Some(0), "clean exit on SIGTERM\n{}", stack.log());
    assert!(stack.log().contains("stopped"));
    stack.set_bc_faults(bc_sim::FaultSettings::default());
    stack.start_agent().unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    for order in &orders {
        assert_eq!(stack.sales_orders_for(&external(order)).len(), 1);
    }
    stack.shutdown().await;
}
