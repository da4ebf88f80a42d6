//! REST collection behaviour, error shapes and batches (reference 3.1–3.3, 3.10, 3.12).

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::*;

#[tokio::test]
async fn per_page_over_100_is_400_rest_invalid_param() {
    let sim = start().await;
    let (status, body, _) = get(&sim, "/products?per_page=101").await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "rest_invalid_param");
    assert_eq!(body["message"], "Invalid parameter(s): per_page");
    assert_eq!(body["data"]["params"]["per_page"], "per_page must be between 1 (inclusive) and 100 (inclusive)");
}

#[tokio::test]
async fn pagination_headers_and_links_use_the_home_url() {
    let sim = start().await;
    let (status, body, headers) = get(&sim, "/products?per_page=5&page=2").await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 5);
    assert_eq!(headers["x-wp-total"], "16");
    assert_eq!(headers["x-wp-totalpages"], "4");
    let links: Vec<&str> = headers.get_all("link").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(links.contains(&format!("<{}/wp-json/wc/v3/products?per_page=5&page=1>; rel=\"prev\"", sim.home_url).as_str()), "{links:?}");
    assert!(links.contains(&format!("<{}/wp-json/wc/v3/products?per_page=5&page=3>; rel=\"next\"", sim.home_url).as_str()), "{links:?}");
}

#[tokio::test]
async fn out_of_range_page_is_empty_with_totals() {
    let sim = start().await;
    let (status, body, headers) = get(&sim, "/products?per_page=10&page=9").await;
    assert_eq!((status, body), (200, json!([])));
    assert_eq!(headers["x-wp-total"], "16");
}

#[tokio::test]
async fn offset_overrides_page() {
    let sim = start().await;
    let (_, all, _) = get(&sim, "/products?per_page=100&order=asc&orderby=id").await;
    let (_, shifted, _) = get(&sim, "/products?per_page=2&page=5&offset=3&order=asc&orderby=id").await;
    assert_eq!(shifted[0]["id"], all[3]["id"]);
}

#[tokio::test]
async fn sku_filter_is_exact_takes_a_list_and_returns_variations() {
    let sim = start().await;
    let (_, body, _) = get(&sim, "/products?sku=TSHIRT-L,1896-S,1896").await;
    let mut skus: Vec<&str> = body.as_array().unwrap().iter().map(|p| p["sku"].as_str().unwrap()).collect();
    skus.sort();
    assert_eq!(skus, vec!["1896-S", "TSHIRT-L"]);
    let variation = body.as_array().unwrap().iter().find(|p| p["sku"] == "TSHIRT-L").unwrap();
    assert_eq!(variation["type"], "variation");
    assert_eq!(variation["parent_id"], product_id(&sim, "TSHIRT"));
}

#[tokio::test]
async fn fields_parameter_keeps_only_the_requested_fields() {
    let sim = start().await;
    let (_, body, _) = get(&sim, "/products?sku=1896-S&_fields=sku,stock_quantity").await;
    let keys: Vec<&String> = body[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["id", "sku", "stock_quantity"]);
}

#[tokio::test]
async fn unknown_order_is_404_on_get_and_400_on_put() {
    let sim = start().await;
    let (status, body, _) = get(&sim, "/orders/999999").await;
    assert_eq!((status, body["code"].as_str().unwrap()), (404, "woocommerce_rest_shop_order_invalid_id"));
    let (status, body) = send(&sim, Method::PUT, "/orders/999999", &json!({"status": "completed"})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (400, "woocommerce_rest_shop_order_invalid_id"));
}

#[tokio::test]
async fn create_answers_201_with_location() {
    let sim = start().await;
    let url = format!("{}/customers", sim.api_url_tls().unwrap());
    let response = https_client(&sim)
        .post(url)
        .basic_auth(&sim.consumer_key, Some(&sim.consumer_secret))
        .json(&json!({"email": "new.customer@example.com", "first_name": "New"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let body: Value = response.json().await.unwrap();
    assert_eq!(location, format!("{}/wp-json/wc/v3/customers/{}", sim.home_url, body["id"]));
    assert_eq!(body["role"], "customer");
}

#[tokio::test]
async fn batch_of_101_is_413() {
    let sim = start().await;
    let creates: Vec<Value> = (0..60).map(|i| json!({"name": format!("P{i}")})).collect();
    let deletes: Vec<i64> = (0..41).collect();
    let (status, body) = send(&sim, Method::POST, "/products/batch", &json!({"create": creates, "delete": deletes})).await;
    assert_eq!(status, 413);
    assert_eq!(body["code"], "woocommerce_rest_request_entity_too_large");
    assert_eq!(body["message"], "Unable to accept more than 100 items for this request.");
}

#[tokio::test]
async fn batch_with_unknown_id_answers_200_with_item_error() {
    let sim = start().await;
    let known = product_id(&sim, "1900-S");
    let (status, body) = send(&sim, Method::PUT, "/products/batch", &json!({"update": [{"id": known, "stock_quantity": 7}, {"id": 987654, "stock_quantity": 1}]})).await;
    assert_eq!(status, 200);
    assert_eq!(body["update"][0]["stock_quantity"], 7);
    assert_eq!(body["update"][1]["id"], 987654);
    assert_eq!(body["update"][1]["error"]["code"], "woocommerce_rest_product_invalid_id");
    assert_eq!(body["update"][1]["error"]["data"]["status"], 400);
}

#[tokio::test]
async fn batch_deletes_are_permanent() {
    let sim = start().await;
    let order = place(&sim, &[("1900-S", 1)], "card").await;
    let (status, body) = send(&sim, Method::POST, "/orders/batch", &json!({"delete": [order["id"]]})).await;
    assert_eq!(status, 200);
    assert_eq!(body["delete"][0]["id"], order["id"]);
    assert!(sim.control().order(order["id"].as_i64().unwrap()).is_none(), "deleted, not trashed");
}

#[tokio::test]
async fn customers_default_to_role_customer_and_role_all_lists_everyone() {
    let sim = start().await;
    let (_, customers, _) = get(&sim, "/customers").await;
    let emails: Vec<&str> = customers.as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap()).collect();
    assert_eq!(emails, vec!["jane.doe@example.com"]);
    let (_, everyone, _) = get(&sim, "/customers?role=all").await;
    assert_eq!(everyone.as_array().unwrap().len(), 3, "admin and the wholesale customer too");
    let (_, by_email, _) = get(&sim, "/customers?role=all&email=tom.trader@trade.example").await;
    assert_eq!(by_email[0]["role"], "wholesale_customer");
}

#[tokio::test]
async fn customer_delete_without_force_is_501() {
    let sim = start().await;
    let (status, body) = send(&sim, Method::DELETE, "/customers/2", &json!({})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (501, "woocommerce_rest_trash_not_supported"));
}

#[tokio::test]
async fn invalid_json_body_is_rest_invalid_json() {
    let sim = start().await;
    let response = https_client(&sim)
        .post(sim.api_url_tls().unwrap() + "/orders")
        .basic_auth(&sim.consumer_key, Some(&sim.consumer_secret))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rest_invalid_json");
}

#[tokio::test]
async fn responses_escape_slashes_like_php() {
    let sim = start().await;
    let url = format!("{}/products?sku=1896-S", sim.api_url_tls().unwrap());
    let text = https_client(&sim).get(url).basic_auth(&sim.consumer_key, Some(&sim.consumer_secret)).send().await.unwrap().text().await.unwrap();
    assert!(text.contains(r#""permalink":"http:\/\/127.0.0.1"#), "{text}");
}

#[tokio::test]
async fn list_params_are_validated_before_permissions() {
    let sim = start().await;
    let response = http_client().get(sim.api_url() + "/orders?order=sideways").send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["params"]["order"], "order is not one of asc and desc.");
}

#[tokio::test]
async fn injected_failures_answer_with_wordpress_fatal_error_json_and_apply_nothing() {
    let sim = start().await;
    sim.control().set_faults(sim_kit::FaultSettings { fail_next: 1, ..Default::default() }).unwrap();
    let (status, body) = send(&sim, Method::POST, "/customers", &json!({"email": "never@example.com"})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (500, "internal_server_error"));
    let (_, found, _) = get(&sim, "/customers?email=never@example.com").await;
    assert_eq!(found, json!([]));
}

#[tokio::test]
async fn reset_restores_the_seed_and_keeps_the_default_key() {
    let sim = start().await;
    place(&sim, &[("1900-S", 2)], "card").await;
    sim.control().reset(&woo_sim::Seed::Demo, 0).unwrap();
    let (status, orders, _) = get(&sim, "/orders").await;
    assert_eq!((status, orders), (200, json!([])));
    assert_eq!(stock_of(&sim, "1900-S"), 40);
}
