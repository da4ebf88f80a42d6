//! Authentication as a real store does it (reference sections 4 and 9).

mod support;

use serde_json::Value;
use support::*;
use woo_sim::Config;

async fn status_and_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn basic_auth_over_http_is_refused_with_cannot_view() {
    let sim = start().await;
    let response = http_client().get(sim.api_url() + "/orders").basic_auth(&sim.consumer_key, Some(&sim.consumer_secret)).send().await.unwrap();
    assert_eq!(status_and_code(response).await, (401, "woocommerce_rest_cannot_view".into()));
}

#[tokio::test]
async fn basic_auth_over_https_is_accepted() {
    let sim = start().await;
    let (status, body, _) = get(&sim, "/products").await;
    assert_eq!(status, 200);
    assert!(body.as_array().is_some_and(|a| !a.is_empty()));
}

#[tokio::test]
async fn query_string_keys_over_https_are_accepted() {
    let sim = start().await;
    let url = format!("{}/orders?consumer_key={}&consumer_secret={}", sim.api_url_tls().unwrap(), sim.consumer_key, sim.consumer_secret);
    assert_eq!(https_client(&sim).get(url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn query_string_keys_over_http_are_ignored() {
    let sim = start().await;
    let url = format!("{}/orders?consumer_key={}&consumer_secret={}", sim.api_url(), sim.consumer_key, sim.consumer_secret);
    let response = http_client().get(url).send().await.unwrap();
    assert_eq!(status_and_code(response).await, (401, "woocommerce_rest_cannot_view".into()));
}

#[tokio::test]
async fn wrong_secret_over_https_is_authentication_error() {
    let sim = start().await;
    let response = https_client(&sim).get(sim.api_url_tls().unwrap() + "/orders").basic_auth(&sim.consumer_key, Some("cs_wrong")).send().await.unwrap();
    assert!(response.headers().contains_key("www-authenticate"));
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!((status, body["code"].as_str().unwrap()), (401, "woocommerce_rest_authentication_error"));
    assert_eq!(body["message"], "Consumer secret is invalid.");
}

#[tokio::test]
async fn oauth_hmac_sha1_over_http_is_accepted() {
    let sim = start().await;
    let url = OAuth::new(&sim).url(&sim, "GET", "/wp-json/wc/v3/orders", &[("per_page", "5"), ("status", "any")]);
    assert_eq!(http_client().get(url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn oauth_hmac_sha256_over_http_is_accepted() {
    let sim = start().await;
    let oauth = OAuth { method: Method::Sha256, ..OAuth::new(&sim) };
    let url = oauth.url(&sim, "GET", "/wp-json/wc/v3/products", &[("sku", "1896-S")]);
    let response = http_client().get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["sku"], "1896-S");
}

#[tokio::test]
async fn oauth_params_in_authorization_header_are_accepted() {
    let sim = start().await;
    let oauth = OAuth::new(&sim);
    let params = vec![("page".to_string(), "1".to_string())];
    let signed = oauth.sign("GET", &format!("{}/wp-json/wc/v3/orders", sim.home_url), &params, now(), &nonce());
    let header = "OAuth ".to_string() + &signed.iter().map(|(k, v)| format!("{k}=\"{}\"", encode(v))).collect::<Vec<_>>().join(", ");
    let response = http_client().get(sim.api_url() + "/orders?page=1").header("Authorization", header).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn oauth_params_in_form_body_are_accepted() {
    let sim = start().await;
    let order = place(&sim, &[("1900-S", 1)], "card").await;
    let path = format!("/wp-json/wc/v3/orders/{}/notes", order["id"]);
    let params = vec![("note".to_string(), "Packed & shipped".to_string())];
    let mut form = params.clone();
    form.extend(OAuth::new(&sim).sign("POST", &format!("{}{path}", sim.home_url), &params, now(), &nonce()));
    let body = form.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    let response = http_client()
        .post(format!("{}{path}", sim.http_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let note: Value = response.json().await.unwrap();
    assert_eq!(note["note"], "Packed & shipped");
}

#[tokio::test]
async fn oauth_base_string_uses_home_url_not_connected_address() {
    let sim = start_with(Config { home_url: Some("http://shop.example/store".into()), ..Config::demo() }).await;
    let oauth = OAuth::new(&sim);
    let signed_for_socket = oauth.sign("GET", &format!("{}/wp-json/wc/v3/orders", sim.http_url), &[], now(), &nonce());
    let query = signed_for_socket.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    let response = http_client().get(format!("{}/wp-json/wc/v3/orders?{query}", sim.http_url)).send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!((status, body["message"].as_str().unwrap()), (401, "Invalid signature - provided signature does not match."));
    let url = oauth.url(&sim, "GET", "/wp-json/wc/v3/orders", &[]);
    assert_eq!(http_client().get(url).send().await.unwrap().status(), 200, "signed for http://shop.example/store/wp-json/...");
}

async fn oauth_failure(sim: &woo_sim::RunningWooSim, oauth: &OAuth, timestamp: i64, nonce: &str) -> (u16, Value) {
    let signed = oauth.sign("GET", &format!("{}/wp-json/wc/v3/orders", sim.home_url), &[], timestamp, nonce);
    let query = signed.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    let response = http_client().get(format!("{}/wp-json/wc/v3/orders?{query}", sim.http_url)).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn oauth_timestamp_older_than_15_minutes_is_refused() {
    let sim = start().await;
    let (status, body) = oauth_failure(&sim, &OAuth::new(&sim), now() - 16 * 60, &nonce()).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "woocommerce_rest_authentication_error");
    assert_eq!(body["message"], "Invalid timestamp.");
}

#[tokio::test]
async fn oauth_reused_nonce_is_refused() {
    let sim = start().await;
    let oauth = OAuth::new(&sim);
    let (first, _) = oauth_failure(&sim, &oauth, now(), "same-nonce").await;
    assert_eq!(first, 200);
    let (status, body) = oauth_failure(&sim, &oauth, now(), "same-nonce").await;
    assert_eq!((status, body["message"].as_str().unwrap()), (401, "Invalid nonce - nonce has already been used."));
}

#[tokio::test]
async fn oauth_missing_parameter_is_named() {
    let sim = start().await;
    let url = format!("{}/orders?oauth_consumer_key={}&oauth_nonce=abc", sim.api_url(), sim.consumer_key);
    let body: Value = http_client().get(url).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["code"], "woocommerce_rest_authentication_missing_parameter");
    assert_eq!(body["message"], "Missing OAuth parameters oauth_timestamp, oauth_signature, oauth_signature_method");
    assert_eq!(body["data"]["status"], 401);
}

#[tokio::test]
async fn oauth_unknown_consumer_key_is_refused() {
    let sim = start().await;
    let oauth = OAuth { key: "ck_unknown".into(), ..OAuth::new(&sim) };
    let (status, body) = oauth_failure(&sim, &oauth, now(), &nonce()).await;
    assert_eq!((status, body["message"].as_str().unwrap()), (401, "Consumer key is invalid."));
}

#[tokio::test]
async fn oauth_wrong_secret_is_a_signature_mismatch() {
    let sim = start().await;
    let oauth = OAuth { secret: "cs_wrong".into(), ..OAuth::new(&sim) };
    let (status, body) = oauth_failure(&sim, &oauth, now(), &nonce()).await;
    assert_eq!((status, body["message"].as_str().unwrap()), (401, "Invalid signature - provided signature does not match."));
}

#[tokio::test]
async fn oauth_plaintext_signature_method_is_refused() {
    let sim = start().await;
    let url = format!(
        "{}/orders?oauth_consumer_key={}&oauth_nonce=n1&oauth_timestamp={}&oauth_signature=x&oauth_signature_method=PLAINTEXT",
        sim.api_url(),
        sim.consumer_key,
        now()
    );
    let body: Value = http_client().get(url).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["message"], "Invalid signature - signature method is invalid.");
}

#[tokio::test]
async fn read_key_cannot_write_and_write_key_cannot_read() {
    let sim = start().await;
    let read = sim.control().create_key(1, "read", "reader").unwrap();
    let write = sim.control().create_key(1, "write", "writer").unwrap();
    let client = https_client(&sim);
    let base = sim.api_url_tls().unwrap();
    let as_reader = client.post(format!("{base}/customers")).basic_auth(read["consumer_key"].as_str().unwrap(), read["consumer_secret"].as_str()).json(&serde_json::json!({"email": "a@b.example"}));
    let body: Value = as_reader.send().await.unwrap().json().await.unwrap();
    assert_eq!(body["message"], "The API key provided does not have write permissions.");
    let as_writer = client.get(format!("{base}/orders")).basic_auth(write["consumer_key"].as_str().unwrap(), write["consumer_secret"].as_str());
    let body: Value = as_writer.send().await.unwrap().json().await.unwrap();
    assert_eq!(body["message"], "The API key provided does not have read permissions.");
    assert_eq!(body["data"]["status"], 401);
}

#[tokio::test]
async fn rest_route_query_never_authenticates_with_keys() {
    let sim = start().await;
    let url = format!("{}/?rest_route=/wc/v3/orders", sim.https_url.as_ref().unwrap());
    let response = https_client(&sim).get(url).basic_auth(&sim.consumer_key, Some(&sim.consumer_secret)).send().await.unwrap();
    assert_eq!(status_and_code(response).await, (401, "woocommerce_rest_cannot_view".into()));
}

#[tokio::test]
async fn key_created_for_a_shop_manager_through_the_control_api_authenticates() {
    let sim = start().await;
    let user: Value = http_client()
        .post(format!("{}/_sim/users", sim.http_url))
        .json(&serde_json::json!({"username": "connector", "email": "connector@shop.example"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key: Value = http_client()
        .post(format!("{}/_sim/keys", sim.http_url))
        .json(&serde_json::json!({"user_id": user["id"], "permissions": "read_write", "description": "ml-connector"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(key["consumer_key"].as_str().unwrap().starts_with("ck_") && key["consumer_key"].as_str().unwrap().len() == 43);
    let oauth = OAuth { key: key["consumer_key"].as_str().unwrap().into(), secret: key["consumer_secret"].as_str().unwrap().into(), method: Method::Sha256 };
    let url = oauth.url(&sim, "GET", "/wp-json/wc/v3/products", &[]);
    assert_eq!(http_client().get(url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn key_of_a_customer_user_gets_403() {
    let sim = start().await;
    let key = sim.control().create_key(2, "read_write", "customer key").unwrap();
    let response = https_client(&sim)
        .get(sim.api_url_tls().unwrap() + "/orders")
        .basic_auth(key["consumer_key"].as_str().unwrap(), key["consumer_secret"].as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(status_and_code(response).await, (403, "woocommerce_rest_cannot_view".into()));
}

#[tokio::test]
async fn unknown_route_is_rest_no_route() {
    let sim = start().await;
    let (status, body, _) = get(&sim, "/orders/abc").await;
    assert_eq!((status, body["code"].as_str().unwrap()), (404, "rest_no_route"));
    let (status, body, _) = get(&sim, "/variations").await;
    assert_eq!((status, body["code"].as_str().unwrap()), (404, "rest_no_route"), "10.3's /variations does not exist on 10.0.2");
}
