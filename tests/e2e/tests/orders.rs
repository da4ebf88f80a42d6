//! WooCommerce orders become NAV sales orders: the real agent binary against both simulators.
//! One test per behaviour of the order flow (docs/orders.md).

use std::time::Duration;

use ml_connector_e2e::{Stack, StackOptions};
use serde_json::{json, Value};

const IDLE: Duration = Duration::from_secs(60);

fn external(order: &Value) -> String {
    format!("WC-{}", order["number"].as_str().unwrap_or_default()).to_uppercase()
}


async fn stack() -> Stack {
    Stack::start(StackOptions::default()).await.expect("stack")
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_orders_become_sales_orders_once_and_the_unknown_sku_is_parked() {
    let stack = stack().await;
    let guest = stack.place_order(json!({"checkout": "classic", "customer_id": 0,
        "billing": {"first_name": "Ann", "last_name": "Guest", "email": "ann.guest@example.net", "address_1": "1 High St", "city": "York", "postcode": "YO1 7HH", "country": "GB"},
        "items": [{"sku": "1900-S", "quantity": 2}], "shipping": {"method_title": "DHL", "total": "10.00"}, "payment_method": "card"})).await.unwrap();
    let returning = stack.place_order(json!({"checkout": "block", "customer_id": 2, "items": [{"sku": "1896-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    let variation = stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "TSHIRT-M", "quantity": 3}], "payment_method": "card"})).await.unwrap();
    let by_gtin = stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "WEB-LAMP", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    let unknown = stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}, {"sku": "GIFT-WRAP", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    let status = stack.wait_idle(IDLE).await.unwrap();

    for order in [&guest, &returning, &variation, &by_gtin] {
        let found = stack.sales_orders_for(&external(order));
        assert_eq!(found.len(), 1, "{} must exist exactly once in NAV: {found:?}\n{}", external(order), stack.log());
    }
    assert!(stack.sales_orders_for(&external(&unknown)).is_empty());
    let parked = status["parked"].as_array().unwrap();
    assert_eq!(parked.len(), 1, "{status}");
    assert_eq!(parked[0]["order_id"], unknown["id"]);
    assert!(parked[0]["reason"].as_str().unwrap().contains("unknown SKU GIFT-WRAP"), "{}", parked[0]);

    // The returning customer is found by e-mail; the guest became a new customer.
    let jane = &stack.sales_orders_for(&external(&returning))[0];
    assert_eq!(jane["customerNumber"], "30000");
    let ann = &stack.sales_orders_for(&external(&guest))[0];
    assert_ne!(ann["customerNumber"], "30000");
    assert!(!ann["customerNumber"].as_str().unwrap().is_empty());
    // Lines by SKU, variant and GTIN.
    let shirt = &stack.sales_orders_for(&external(&variation))[0];
    let lamp = &stack.sales_orders_for(&external(&by_gtin))[0];
    assert_eq!(shirt["totalAmountIncludingTax"], json!(variation["total"].as_str().unwrap().parse::<f64>().unwrap()));
    assert_eq!(lamp["totalAmountIncludingTax"], json!(by_gtin["total"].as_str().unwrap().parse::<f64>().unwrap()));
    // The NAV number went back onto the WooCommerce order, with a note.
    let written = stack.woo_order(returning["id"].as_i64().unwrap());
    let meta = written["meta_data"].as_array().unwrap().iter().find(|m| m["key"] == "ml_connector_nav_number").cloned();
    assert_eq!(meta.map(|m| m["value"].clone()), Some(jane["number"].clone()), "{written}\n{}\n{}", stack.log(), String::from_utf8_lossy(&stack.cli(&["audit", "list", "--order", &returning["id"].to_string()]).stdout));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_known_customer_with_known_items_costs_one_nav_request() {
    let stack = stack().await;
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    let before = stack.bc.control().journal().total();
    let second = stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1896-S", "quantity": 2}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    let requests: Vec<_> = stack.bc.control().journal().since(before).into_iter().filter(|r| !r.uri.contains("/oauth2/")).collect();
    assert_eq!(stack.sales_orders_for(&external(&second)).len(), 1);
    assert_eq!(requests.len(), 1, "expected one deep insert, got {:?}", requests.iter().map(|r| format!("{} {}", r.method, r.uri)).collect::<Vec<_>>());
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_customer_costs_at_most_three_nav_requests() {
    let stack = stack().await;
    // Warm the item catalog and token with a first order.
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    let before = stack.bc.control().journal().total();
    let order = stack.place_order(json!({"checkout": "classic", "customer_id": 0,
        "billing": {"first_name": "Nina", "last_name": "New", "email": "nina@new.example", "city": "Leeds", "country": "GB"},
        "items": [{"sku": "1896-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    let requests: Vec<_> = stack.bc.control().journal().since(before).into_iter().filter(|r| !r.uri.contains("/oauth2/")).collect();
    assert_eq!(stack.sales_orders_for(&external(&order)).len(), 1);
    assert!(requests.len() <= 3, "{:?}", requests.iter().map(|r| format!("{} {}", r.method, r.uri)).collect::<Vec<_>>());
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_put_dimensions_on_the_sales_order() {
    let stack = stack().await;
    let web = stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    let trade = stack.place_order(json!({"checkout": "classic", "customer_id": 3, "items": [{"sku": "1900-S", "quantity": 5}], "payment_method": "bacs"})).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    for (order, channel) in [(&web, "WEB"), (&trade, "B2B")] {
        let sales_order = &stack.sales_orders_for(&external(order))[0];
        let dims = sales_order["dimensionSetLines"].as_array().cloned().unwrap_or_default();
        let channel_line = dims.iter().find(|d| d["code"] == "CHANNEL").unwrap_or_else(|| panic!("no CHANNEL dimension on {}: {dims:?}", external(order)));
        assert_eq!(channel_line["valueCode"], channel);
        let group = if channel == "WEB" { "RETAIL" } else { "TRADE" };
        assert_eq!(sales_order["_sim"]["customerPriceGroup"], group, "price group of {}", external(order));
    }
    stack.shutdown().await;
}
