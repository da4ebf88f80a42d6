//! Webhooks: topics, queueing like Action Scheduler, signatures, failures and auto-disable,
//! the creation ping, URL safety (reference section 5 and 9).

mod support;

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use support::*;

#[tokio::test]
async fn webhook_create_is_201_and_pings_with_a_form_body() {
    let receiver = receiver().await;
    let sim = start_for(&receiver).await;
    let webhook = create_webhook(&sim, "order.created", &receiver.url, "s3cret").await;
    assert_eq!(webhook["status"], "active");
    assert_eq!(webhook["secret"], "s3cret", "write responses use context=edit");
    assert_eq!(webhook["hooks"], json!(["woocommerce_new_order"]));
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].1, format!("webhook_id={}", webhook["id"]));
    assert_eq!(hits[0].0["content-type"], "application/x-www-form-urlencoded");
    assert!(!hits[0].0.contains_key("x-wc-webhook-signature"));
    let (_, view, _) = get(&sim, &format!("/webhooks/{}", webhook["id"])).await;
    assert!(view.get("secret").is_none(), "the secret is only in context=edit");
}

#[tokio::test]
async fn delivery_is_signed_with_base64_hmac_sha256_of_the_exact_body() {
    let receiver = receiver().await;
    let sim = start_for(&receiver).await;
    let webhook = create_webhook(&sim, "order.created", &receiver.url, "s3cret").await;
    let order = place(&sim, &[("1900-S", 1)], "card").await;
    assert!(receiver.hits().len() == 1, "nothing before the queue runs");
    let records = sim.control().run_webhooks().await;
    assert_eq!(records.len(), 1);
    let (headers, body) = receiver.hits().pop().unwrap();
    let expected = base64::engine::general_purpose::STANDARD
        .encode(Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap().chain_update(body.as_bytes()).finalize().into_bytes());
    assert_eq!(headers["x-wc-webhook-signature"], expected.as_str());
    assert_eq!(headers["x-wc-webhook-topic"], "order.created");
    assert_eq!(headers["x-wc-webhook-resource"], "order");
    assert_eq!(headers["x-wc-webhook-event"], "created");
    assert_eq!(headers["x-wc-webhook-id"], webhook["id"].to_string().as_str());
    assert_eq!(headers["x-wc-webhook-source"], format!("{}/", sim.home_url).as_str());
    assert!(body.contains(r"\/"), "PHP-escaped slashes are part of the signed bytes");
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["id"], order["id"]);
}

#[tokio::test]
async fn identical_pending_deliveries_coalesce() {
    let receiver = receiver().await;
    let sim = start_for(&receiver).await;
    create_webhook(&sim, "order.updated", &receiver.url, "s").await;
    let order = place(&sim, &[("1900-S", 1)], "card").await;
    let path = format!("/orders/{}", order["id"]);
    send(&sim, Method::PUT, &path, &json!({"meta_data": [{"key": "a", "value": "1"}]})).await;
    send(&sim, Method::PUT, &path, &json!({"meta_data": [{"key": "a", "value": "2"}]})).await;
    let records = sim.control().run_webhooks().await;
    assert_eq!(records.len(), 1);
    let payload: Value = serde_json::from_str(&records[0].request_body).unwrap();
    assert_eq!(payload["meta_data"][0]["value"], "2", "built at delivery time: the latest state");
}

#[tokio::test]
async fn seventh_consecutive_failure_disables_webhook() {
    let receiver = receiver().await;
    receiver.answer(500);
    let sim = start_for(&receiver).await;
    let webhook = create_webhook(&sim, "product.updated", &receiver.url, "s").await;
    let product = product_id(&sim, "1920-S");
    for attempt in 1..=7 {
        send(&sim, Method::PUT, &format!("/products/{product}"), &json!({"regular_price": format!("{attempt}.00")})).await;
        let records: Vec<_> = sim.control().run_webhooks().await.into_iter().filter(|r| r.topic != "ping").collect();
        assert_eq!(records.len(), 1);
        let expected = if attempt < 7 { "active" } else { "disabled" };
        assert_eq!(records[0].status_after, expected, "after failure {attempt}");
    }
    let (_, read, _) = get(&sim, &format!("/webhooks/{}", webhook["id"])).await;
    assert_eq!(read["status"], "disabled");
}

#[tokio::test]
async fn reenabling_keeps_the_failure_count_so_the_next_failure_disables_again() {
    let receiver = receiver().await;
    receiver.answer(500);
    let sim = start_for(&receiver).await;
    let webhook = create_webhook(&sim, "product.updated", &receiver.url, "s").await;
    let product = product_id(&sim, "1920-S");
    for attempt in 1..=7 {
        send(&sim, Method::PUT, &format!("/products/{product}"), &json!({"regular_price": format!("{attempt}.00")})).await;
        sim.control().run_webhooks().await;
    }
    let (status, body) = send(&sim, Method::PUT, &format!("/webhooks/{}", webhook["id"]), &json!({"status": "active"})).await;
    assert_eq!((status, body["status"].as_str().unwrap()), (200, "active"));
    send(&sim, Method::PUT, &format!("/products/{product}"), &json!({"regular_price": "9.00"})).await;
    let records: Vec<_> = sim.control().run_webhooks().await.into_iter().filter(|r| r.topic != "ping").collect();
    assert_eq!(records[0].status_after, "disabled", "one failure is enough");
}

#[tokio::test]
async fn a_302_delivery_is_a_success_but_a_302_ping_is_not() {
    let receiver = receiver().await;
    receiver.answer(302);
    let sim = start_for(&receiver).await;
    create_webhook(&sim, "order.created", &receiver.url, "s").await;
    place(&sim, &[("1900-S", 1)], "card").await;
    let records = sim.control().run_webhooks().await;
    let delivery = records.iter().find(|r| r.topic == "order.created").unwrap();
    assert!(delivery.success);
    assert_eq!(delivery.failure_count_after, 0);
    let pings: Vec<_> = sim.control().deliveries(0).into_iter().filter(|r| r.topic == "ping").collect();
    assert!(pings.len() >= 2 && pings.iter().all(|p| !p.success), "a pending ping repeats on the save after a delivery");
}

#[tokio::test]
async fn loopback_url_on_an_unlisted_port_is_refused() {
    let receiver = receiver().await;
    let sim = start().await;
    sim.control().set_webhook_settings(woo_sim::DeliverySettings { auto_run: false, ..sim.control().webhook_settings() });
    create_webhook(&sim, "order.created", &receiver.url, "s").await;
    place(&sim, &[("1900-S", 1)], "card").await;
    let records = sim.control().run_webhooks().await;
    assert_eq!(records[0].error.as_deref(), Some("A valid URL was not provided."));
    assert!(!records[0].success);
    assert_eq!(records[0].failure_count_after, 1);
    assert!(receiver.hits().is_empty());
}

#[tokio::test]
async fn block_checkout_draft_queues_no_order_created() {
    let receiver = receiver().await;
    let sim = start_for(&receiver).await;
    create_webhook(&sim, "order.created", &receiver.url, "s").await;
    let request = woo_sim::PlaceOrder {
        checkout: woo_sim::CheckoutKind::Block,
        stop_at_draft: true,
        items: vec![woo_sim::ItemRequest { sku: "1900-S".into(), quantity: 1 }],
        ..Default::default()
    };
    sim.control().place_order(request.clone()).await.unwrap();
    assert!(sim.control().run_webhooks().await.is_empty());
    sim.control().place_order(woo_sim::PlaceOrder { stop_at_draft: false, ..request }).await.unwrap();
    assert_eq!(sim.control().run_webhooks().await.len(), 1);
}

#[tokio::test]
async fn paused_webhooks_deliver_nothing() {
    let receiver = receiver().await;
    let sim = start_for(&receiver).await;
    let webhook = create_webhook(&sim, "order.created", &receiver.url, "s").await;
    send(&sim, Method::PUT, &format!("/webhooks/{}", webhook["id"]), &json!({"status": "paused"})).await;
    place(&sim, &[("1900-S", 1)], "card").await;
    assert!(sim.control().run_webhooks().await.is_empty());
}

#[tokio::test]
async fn queued_deliveries_run_on_their_own_after_the_delay() {
    let receiver = receiver().await;
    let sim = start_with(woo_sim::Config { webhook_delay_ms: 50, webhook_safe_ports: vec![receiver.port], ..woo_sim::Config::demo() }).await;
    create_webhook(&sim, "customer.created", &receiver.url, "s").await;
    send(&sim, Method::POST, "/customers", &json!({"email": "webhook.watcher@example.com"})).await;
    let mut delivered = false;
    for _ in 0..200 {
        if receiver.hits().iter().any(|(h, _)| h.get("x-wc-webhook-topic").is_some_and(|t| t == "customer.created")) {
            delivered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(delivered);
}

#[tokio::test]
async fn invalid_topic_is_400() {
    let sim = start().await;
    let (status, body) = send(&sim, Method::POST, "/webhooks", &json!({"topic": "order.eaten", "delivery_url": "http://example.com/x"})).await;
    assert_eq!((status, body["code"].as_str().unwrap()), (400, "woocommerce_rest_webhook_invalid_topic"));
}
