//! Stock as WooCommerce keeps it (reference 1.2 stock, 3.8, 3.9, pitfalls 7–10).

mod support;

use reqwest::Method;
use serde_json::json;
use support::*;

#[tokio::test]
async fn parent_managed_variation_reports_parent_and_sells_from_the_parent() {
    let sim = start().await;
    let variation = sim.control().product_by_sku("MUG-WHITE").unwrap();
    assert_eq!(variation["manage_stock"], "parent");
    assert_eq!(variation["stock_quantity"], 40);
    let since = sim.control().last_hook_seq();
    place(&sim, &[("MUG-WHITE", 3)], "card").await;
    assert_eq!(stock_of(&sim, "MUG"), 37);
    assert_eq!(stock_of(&sim, "MUG-BLACK"), 37, "siblings share the parent's stock");
    let owner = product_id(&sim, "MUG");
    let set_stock: Vec<_> = sim.control().hooks(since).into_iter().filter(|h| h.hook == "woocommerce_product_set_stock" || h.hook == "woocommerce_variation_set_stock").collect();
    assert_eq!(set_stock.len(), 1);
    assert_eq!(set_stock[0].hook, "woocommerce_product_set_stock", "fired with the stock-owning parent");
    assert_eq!(serde_json::to_value(set_stock[0].object).unwrap()["id"], owner);
}

#[tokio::test]
async fn rest_stock_write_fires_set_stock_hooks_marked_as_the_agent() {
    let sim = start().await;
    let id = product_id(&sim, "1920-S");
    let since = sim.control().last_hook_seq();
    let (status, product) = send_with(&sim, Method::PUT, &format!("/products/{id}"), &json!({"stock_quantity": 3}), true).await;
    assert_eq!((status, product["stock_quantity"].as_i64()), (200, Some(3)));
    let hooks = sim.control().hooks(since);
    let names: Vec<&str> = hooks.iter().map(|h| h.hook.as_str()).collect();
    assert_eq!(names, vec!["woocommerce_product_set_stock", "woocommerce_update_product", "woocommerce_rest_insert_product_object"]);
    assert!(hooks.iter().all(|h| h.agent && h.path == "rest-api"));
    let change = sim.control().stock_changes().into_iter().last().unwrap();
    assert_eq!((change.from, change.to, change.cause.as_str()), (Some(5), Some(3), "rest-api"));
}

#[tokio::test]
async fn rest_stock_write_to_a_parent_managed_variation_does_not_change_saleable_stock() {
    let sim = start().await;
    let (parent, variation) = (product_id(&sim, "MUG"), product_id(&sim, "MUG-BLACK"));
    let (status, body) = send(&sim, Method::PUT, &format!("/products/{parent}/variations/{variation}"), &json!({"stock_quantity": 5})).await;
    assert_eq!(status, 200);
    assert_eq!(body["stock_quantity"], 40, "the parent's quantity still shows");
    assert_eq!(stock_of(&sim, "MUG"), 40);
}

#[tokio::test]
async fn variation_route_checks_the_parent() {
    let sim = start().await;
    let variation = product_id(&sim, "MUG-BLACK");
    let tshirt = product_id(&sim, "TSHIRT");
    let (status, body, _) = get(&sim, &format!("/products/{tshirt}/variations/{variation}")).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (404, "woocommerce_rest_product_variation_invalid_id"));
}

#[tokio::test]
async fn stock_write_is_ignored_when_the_store_does_not_manage_stock() {
    let sim = start().await;
    sim.control().set_manage_stock(false);
    let id = product_id(&sim, "1920-S");
    let (status, body) = send(&sim, Method::PUT, &format!("/products/{id}"), &json!({"stock_quantity": 1})).await;
    assert_eq!(status, 200);
    assert_eq!(body["stock_quantity"], serde_json::Value::Null);
    assert_eq!(body["manage_stock"], false);
    sim.control().set_manage_stock(true);
    assert_eq!(stock_of(&sim, "1920-S"), 5);
}

#[tokio::test]
async fn stock_quantity_without_managed_stock_is_cleared() {
    let sim = start().await;
    let id = product_id(&sim, "GIFT-WRAP");
    let (_, body) = send(&sim, Method::PUT, &format!("/products/{id}"), &json!({"stock_quantity": 9})).await;
    assert_eq!(body["stock_quantity"], serde_json::Value::Null);
    let (_, body) = send(&sim, Method::PUT, &format!("/products/{id}"), &json!({"manage_stock": true, "stock_quantity": 9})).await;
    assert_eq!((body["manage_stock"].as_bool(), body["stock_quantity"].as_i64()), (Some(true), Some(9)));
}

#[tokio::test]
async fn cancelling_restores_stock_once() {
    let sim = start().await;
    let before = stock_of(&sim, "1968-S");
    let order = place(&sim, &[("1968-S", 4)], "card").await;
    let path = format!("/orders/{}", order["id"]);
    send(&sim, Method::PUT, &path, &json!({"status": "cancelled"})).await;
    assert_eq!(stock_of(&sim, "1968-S"), before);
    send(&sim, Method::PUT, &path, &json!({"status": "pending"})).await;
    assert_eq!(stock_of(&sim, "1968-S"), before, "not restored twice");
}

#[tokio::test]
async fn stock_quantity_must_be_an_integer() {
    let sim = start().await;
    let id = product_id(&sim, "1920-S");
    let (status, body) = send(&sim, Method::PUT, &format!("/products/{id}"), &json!({"stock_quantity": 2.5})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (400, "rest_invalid_param"));
    assert_eq!(body["data"]["params"]["stock_quantity"], "stock_quantity is not of type integer.");
}

#[tokio::test]
async fn duplicate_sku_is_product_invalid_sku() {
    let sim = start().await;
    let (status, body) = send(&sim, Method::POST, "/products", &json!({"name": "Copy", "sku": "TSHIRT-S"})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (400, "product_invalid_sku"));
    assert_eq!(body["data"]["resource_id"], product_id(&sim, "TSHIRT-S"));
}

#[tokio::test]
async fn admin_line_edit_on_a_reduced_order_moves_stock_at_once() {
    let sim = start().await;
    let before = stock_of(&sim, "1988-S");
    let order = place(&sim, &[("1988-S", 1)], "card").await;
    let id = order["id"].as_i64().unwrap();
    sim.control()
        .change_order(id, woo_sim::ChangeOrder { items: vec![woo_sim::ItemRequest { sku: "1988-S".into(), quantity: 3 }], ..Default::default() })
        .await
        .unwrap();
    assert_eq!(stock_of(&sim, "1988-S"), before - 3);
}

#[tokio::test]
async fn synthetic_products_are_findable_by_sku() {
    let sim = start_with(woo_sim::Config { products: 2000, ..woo_sim::Config::demo() }).await;
    let (_, body, headers) = get(&sim, "/products?sku=SYN-001999").await;
    assert_eq!(body[0]["stock_quantity"], 100);
    assert_eq!(headers["x-wp-total"], "1");
    let (_, _, all) = get(&sim, "/products?per_page=1").await;
    assert_eq!(all["x-wp-total"], "2016");
}
