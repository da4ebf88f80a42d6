//! Orders through REST v3: totals from the store's tax rates, dates, numbers, statuses, meta,
//! set_paid, date filters (reference 3.2, 3.4, 3.5, 1.3).

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::*;
use woo_sim::Config;

async fn create(sim: &woo_sim::RunningWooSim, body: Value) -> Value {
    let (status, order) = send(sim, Method::POST, "/orders", &body).await;
    assert_eq!(status, 201, "{order}");
    order
}

#[tokio::test]
async fn rest_created_order_computes_line_and_tax_totals_from_the_store_rates() {
    let sim = start().await;
    let order = create(
        &sim,
        json!({
            "line_items": [{"sku": "BOOK-01", "quantity": 2}, {"product_id": product_id(&sim, "TSHIRT-S"), "quantity": 1}],
            "shipping_lines": [{"method_id": "flat_rate", "method_title": "Flat rate", "total": "10.00"}],
            "fee_lines": [{"name": "Handling", "total": "2.50", "tax_status": "taxable"}],
        }),
    )
    .await;
    let book = &order["line_items"][0];
    assert_eq!((book["subtotal"].as_str(), book["total_tax"].as_str(), book["tax_class"].as_str()), (Some("58.00"), Some("2.90"), Some("reduced-rate")));
    assert_eq!(book["price"], 29);
    let shirt = &order["line_items"][1];
    assert_eq!(shirt["product_id"], product_id(&sim, "TSHIRT"), "variation lines point at the parent");
    assert_eq!(shirt["variation_id"], product_id(&sim, "TSHIRT-S"));
    assert_eq!(shirt["sku"], "TSHIRT-S");
    assert_eq!(shirt["total_tax"], "3.98");
    assert_eq!(shirt["taxes"], json!([{"id": 1, "total": "3.98", "subtotal": "3.98"}]));
    assert_eq!(order["shipping_tax"], "2.00");
    assert_eq!(order["cart_tax"], "7.38");
    assert_eq!(order["total_tax"], "9.38");
    assert_eq!(order["total"], "99.78");
    let tax_lines: Vec<(i64, &str, &str)> = order["tax_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["rate_id"].as_i64().unwrap(), t["tax_total"].as_str().unwrap(), t["shipping_tax_total"].as_str().unwrap()))
        .collect();
    assert_eq!(tax_lines, vec![(1, "4.48", "2.00"), (2, "2.90", "0.00")]);
    assert_eq!(order["created_via"], "rest-api");
    assert_eq!(order["status"], "pending");
}

#[tokio::test]
async fn dates_are_site_local_and_gmt_without_offset() {
    let sim = start().await;
    let order = create(&sim, json!({"line_items": [{"sku": "1900-S"}]})).await;
    let parse = |v: &Value| chrono::NaiveDateTime::parse_from_str(v.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap();
    let local = parse(&order["date_created"]);
    let gmt = parse(&order["date_created_gmt"]);
    assert_eq!((local - gmt).num_hours(), 1, "default site offset is +1");
    assert_eq!(order["date_paid"], Value::Null);
}

#[tokio::test]
async fn number_can_differ_from_id() {
    let sim = start_with(Config { order_number_prefix: "WEB-".into(), ..Config::demo() }).await;
    let order = create(&sim, json!({"line_items": [{"sku": "1900-S"}]})).await;
    assert_eq!(order["number"], format!("WEB-{}", order["id"]));
}

#[tokio::test]
async fn order_ids_share_the_posts_sequence_with_products() {
    let sim = start().await;
    let order = create(&sim, json!({"line_items": [{"sku": "1900-S"}]})).await;
    let (_, product) = send(&sim, Method::POST, "/products", &json!({"name": "New", "regular_price": "1.00"})).await;
    assert_eq!(product["id"].as_i64().unwrap(), order["id"].as_i64().unwrap() + 1);
}

#[tokio::test]
async fn set_paid_moves_a_pending_order_to_processing_and_reduces_stock() {
    let sim = start().await;
    let before = stock_of(&sim, "1908-S");
    let order = create(&sim, json!({"line_items": [{"sku": "1908-S", "quantity": 3}], "payment_method": "card", "set_paid": true})).await;
    assert_eq!(order["status"], "processing");
    assert!(order["date_paid_gmt"].is_string());
    assert_eq!(stock_of(&sim, "1908-S"), before - 3);
}

#[tokio::test]
async fn meta_data_adds_updates_by_key_and_by_id() {
    let sim = start().await;
    let order = create(&sim, json!({"line_items": [{"sku": "1900-S"}], "meta_data": [{"key": "_nav_no", "value": "hidden"}, {"key": "nav_order_no", "value": "SO-1"}]})).await;
    assert_eq!(order["meta_data"].as_array().unwrap().len(), 1, "protected keys are hidden");
    let meta_id = order["meta_data"][0]["id"].clone();
    let id = order["id"].as_i64().unwrap();
    let (_, updated) = send(&sim, Method::PUT, &format!("/orders/{id}"), &json!({"meta_data": [{"key": "nav_order_no", "value": "SO-2"}, {"key": "synced", "value": "yes"}]})).await;
    let meta: Vec<(Value, Value)> = updated["meta_data"].as_array().unwrap().iter().map(|m| (m["key"].clone(), m["value"].clone())).collect();
    assert_eq!(meta, vec![(json!("nav_order_no"), json!("SO-2")), (json!("synced"), json!("yes"))]);
    assert_eq!(updated["meta_data"][0]["id"], meta_id, "same row updated");
    let (_, by_id) = send(&sim, Method::PUT, &format!("/orders/{id}"), &json!({"meta_data": [{"id": meta_id, "key": "nav_order_no", "value": "SO-3"}]})).await;
    assert_eq!(by_id["meta_data"][0]["value"], "SO-3");
}

#[tokio::test]
async fn checkout_draft_orders_are_listed_only_when_asked() {
    let sim = start().await;
    let draft = sim
        .control()
        .place_order(woo_sim::PlaceOrder { checkout: woo_sim::CheckoutKind::Block, stop_at_draft: true, items: vec![woo_sim::ItemRequest { sku: "1900-S".into(), quantity: 1 }], ..Default::default() })
        .await
        .unwrap();
    assert_eq!(draft["status"], "checkout-draft");
    assert_eq!(draft["created_via"], "store-api");
    let (_, any, _) = get(&sim, "/orders").await;
    assert!(any.as_array().unwrap().is_empty());
    let (_, drafts, _) = get(&sim, "/orders?status=checkout-draft").await;
    assert_eq!(drafts[0]["id"], draft["id"]);
}

#[tokio::test]
async fn modified_after_without_dates_are_gmt_compares_site_local_time() {
    let sim = start().await;
    let order = create(&sim, json!({"line_items": [{"sku": "1900-S"}]})).await;
    let gmt = chrono::NaiveDateTime::parse_from_str(order["date_modified_gmt"].as_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap();
    // Thirty minutes after the GMT modification time, but before the site-local one (GMT+1).
    let cutoff = (gmt + chrono::Duration::minutes(30)).format("%Y-%m-%dT%H:%M:%S").to_string();
    let (_, local, _) = get(&sim, &format!("/orders?modified_after={cutoff}")).await;
    assert_eq!(local.as_array().unwrap().len(), 1, "compared with date_modified (local)");
    let (_, gmt_filtered, _) = get(&sim, &format!("/orders?modified_after={cutoff}&dates_are_gmt=true")).await;
    assert!(gmt_filtered.as_array().unwrap().is_empty(), "compared with date_modified_gmt");
}

#[tokio::test]
async fn modified_after_is_exclusive() {
    let sim = start().await;
    let order = create(&sim, json!({"line_items": [{"sku": "1900-S"}]})).await;
    let at = order["date_modified_gmt"].as_str().unwrap();
    let (_, same_second, _) = get(&sim, &format!("/orders?modified_after={at}&dates_are_gmt=true")).await;
    assert!(same_second.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn invalid_date_parameter_is_400() {
    let sim = start().await;
    let (status, body, _) = get(&sim, "/orders?modified_after=yesterday").await;
    assert_eq!(status, 400);
    assert_eq!(body["data"]["params"]["modified_after"], "Invalid date.");
}

#[tokio::test]
async fn line_item_sku_is_the_current_product_sku() {
    let sim = start().await;
    let order = create(&sim, json!({"line_items": [{"sku": "1960-S"}]})).await;
    sim.control().change_product("1960-S", woo_sim::ChangeProduct { sku: Some("1960-S-NEW".into()), ..Default::default() }).await.unwrap();
    let (_, read, _) = get(&sim, &format!("/orders/{}", order["id"])).await;
    assert_eq!(read["line_items"][0]["sku"], "1960-S-NEW");
}

#[tokio::test]
async fn unknown_sku_in_a_line_gives_a_line_without_product() {
    let sim = start().await;
    let order = create(&sim, json!({"line_items": [{"sku": "NOPE", "name": "Mystery", "total": "5.00"}]})).await;
    assert_eq!(order["line_items"][0]["product_id"], 0);
    assert_eq!(order["line_items"][0]["sku"], Value::Null);
}

#[tokio::test]
async fn line_without_product_reference_is_400() {
    let sim = start().await;
    let (status, body) = send(&sim, Method::POST, "/orders", &json!({"line_items": [{"quantity": 1}]})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (400, "woocommerce_rest_required_product_reference"));
}

#[tokio::test]
async fn unknown_customer_id_is_400() {
    let sim = start().await;
    let (status, body) = send(&sim, Method::POST, "/orders", &json!({"customer_id": 4242})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (400, "woocommerce_rest_invalid_customer_id"));
}

#[tokio::test]
async fn trashing_twice_is_410() {
    let sim = start().await;
    let order = create(&sim, json!({"line_items": [{"sku": "1900-S"}]})).await;
    let path = format!("/orders/{}", order["id"]);
    let (status, trashed) = send(&sim, Method::DELETE, &path, &json!({})).await;
    assert_eq!((status, trashed["status"].as_str().unwrap()), (200, "trash"));
    let (status, body) = send(&sim, Method::DELETE, &path, &json!({})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (410, "woocommerce_rest_already_trashed"));
}

#[tokio::test]
async fn percent_coupon_is_spread_over_the_lines() {
    let sim = start().await;
    let order = create(&sim, json!({"line_items": [{"sku": "1900-S"}, {"sku": "BOOK-01"}], "coupon_lines": [{"code": "WELCOME10"}]})).await;
    assert_eq!(order["discount_total"], "22.18");
    assert_eq!(order["line_items"][0]["total"], "173.52");
    assert_eq!(order["line_items"][1]["total"], "26.10");
    assert_eq!(order["coupon_lines"][0]["discount"], "22.18");
    let (status, body) = send(&sim, Method::POST, "/orders", &json!({"coupon_lines": [{"code": "NOPE"}]})).await;
    assert_eq!((status, body["message"].as_str().unwrap()), (400, "Coupon \"NOPE\" does not exist!"));
}

#[tokio::test]
async fn created_via_can_be_set_on_create() {
    let sim = start().await;
    let order = create(&sim, json!({"created_via": "pos", "line_items": [{"sku": "1900-S"}]})).await;
    assert_eq!(order["created_via"], "pos");
}
