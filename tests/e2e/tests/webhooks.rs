//! Webhook mode (`[ingest] mode = "webhooks"`): the real agent, not co-located with WordPress
//! (woo-sim hands nothing off through the spool), behind a reverse proxy the test can switch off.
//! It creates its subscriptions on woo-sim, orders arrive by webhook, forged deliveries are
//! refused, and an outage long enough for WooCommerce to disable a webhook is repaired and
//! backfilled with every order reaching NAV exactly once.

use std::time::Duration;

use ml_connector_e2e::{eventually, free_port, Stack, StackOptions};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(60);
const TOPICS: usize = 7;

fn external(order: &Value) -> String {
    format!("WC-{}", order["number"].as_str().unwrap_or_default())
}

/// The shop's reverse proxy in front of the agent's listener; `set_up(false)` cuts every
/// connection and refuses new ones, as a proxy whose backend is gone does.
struct Proxy {
    port: u16,
    up: watch::Sender<bool>,
}

impl Proxy {
    async fn start(backend: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (up, up_rx) = watch::channel(true);
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else { continue };
                let mut up_rx = up_rx.clone();
                if !*up_rx.borrow() {
                    continue;
                }
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(("127.0.0.1", backend)).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = up_rx.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Proxy { port, up }
    }

    fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }
}

struct WebhookStack {
    stack: Stack,
    proxy: Proxy,
    listen_port: u16,
}

/// A stack in webhook mode whose only regular reconciliation is the one at start: whatever
/// reaches NAV later came by webhook or by the watch's backfill.
async fn webhook_stack() -> WebhookStack {
    let listen_port = free_port();
    let proxy = Proxy::start(listen_port).await;
    let extra = format!(
        "[ingest]\nmode = \"webhooks\"\nlisten = \"127.0.0.1:{listen_port}\"\npublic_url = \"http://127.0.0.1:{}/ml-connector/webhooks\"\ncheck_interval_secs = 1\n\n[schedules]\nreconcile_orders = \"every 24h\"\n",
        proxy.port
    );
    let mut stack = Stack::start(StackOptions { plugin_events: false, start_agent: false, extra_toml: extra, ..Default::default() }).await.unwrap();
    // WordPress refuses loopback delivery URLs on unlisted ports (`http_allowed_safe_ports`).
    let control = stack.woo.control();
    control.set_webhook_settings(woo_sim::DeliverySettings { delay_ms: 100, extra_safe_ports: vec![proxy.port], ..control.webhook_settings() });
    stack.start_agent().unwrap();
    WebhookStack { stack, proxy, listen_port }
}

fn state_db(stack: &Stack) -> rusqlite::Connection {
    rusqlite::Connection::open(stack.state_path()).unwrap()
}

fn cursor(stack: &Stack, name: &str) -> Option<String> {
    state_db(stack).query_row("SELECT value FROM cursors WHERE name = ?1", [name], |r| r.get(0)).ok()
}

fn job_origins(stack: &Stack, order: &Value) -> Vec<String> {
    let db = state_db(stack);
    let mut statement = db.prepare("SELECT origin FROM jobs WHERE subject = ?1 ORDER BY id").unwrap();
    statement.query_map([format!("order:{}", order["id"])], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// Webhook ids whose creation ping the agent answered.
fn pinged(stack: &Stack) -> Vec<i64> {
    let mut ids: Vec<i64> = stack.woo.control().deliveries(0).into_iter().filter(|d| d.topic == "ping" && d.success).map(|d| d.webhook_id).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Waits for the subscriptions and for the reconciliation at start, so what follows is webhooks only.
async fn subscribed(stack: &Stack) {
    eventually(WAIT, "the agent's subscriptions pinged", || (pinged(stack).len() >= TOPICS).then_some(())).await.unwrap_or_else(|e| panic!("{e}\n{}", stack.log()));
    eventually(WAIT, "the first reconciliation", || cursor(stack, "woo.orders.modified_after")).await.unwrap();
}

async fn place(stack: &Stack, sku: &str) -> Value {
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": sku, "quantity": 1}], "payment_method": "card"})).await.unwrap()
}

async fn in_nav_once(stack: &Stack, order: &Value) {
    eventually(WAIT, &format!("{} in NAV", external(order)), || (!stack.sales_orders_for(&external(order)).is_empty()).then_some(()))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", stack.log()));
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_mode_subscribes_and_an_order_arrives_by_webhook() {
    let WebhookStack { stack, proxy, .. } = webhook_stack().await;
    subscribed(&stack).await;
    let order = place(&stack, "1900-S").await;
    in_nav_once(&stack, &order).await;
    stack.wait_idle(WAIT).await.unwrap();
    assert_eq!(stack.sales_orders_for(&external(&order)).len(), 1);
    assert_eq!(job_origins(&stack, &order).first().map(String::as_str), Some("webhook"), "the job came from the delivery");
    let delivery = stack.woo.control().deliveries(0).into_iter().find(|d| d.topic == "order.created" && d.arg == order["id"].as_i64()).unwrap();
    assert_eq!(delivery.response_status, Some(200));
    assert!(delivery.response_body.contains(r#""accepted":true"#), "{}", delivery.response_body);
    assert!(delivery.delivery_url.ends_with(&format!(":{}/ml-connector/webhooks", proxy.port)));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_with_a_bad_signature_is_refused_and_the_secret_is_not_logged() {
    // The proxy is kept: dropping it would cut every connection.
    let WebhookStack { stack, listen_port, proxy: _proxy } = webhook_stack().await;
    subscribed(&stack).await;
    let body = json!({"id": 4242, "status": "processing", "date_modified_gmt": "2026-11-28T10:00:00", "line_items": []}).to_string();
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{listen_port}/"))
        .header("content-type", "application/json")
        .header("x-wc-webhook-topic", "order.created")
        .header("x-wc-webhook-id", "99")
        .header("x-wc-webhook-signature", "c2lnbmVkIGJ5IHNvbWVvbmUgZWxzZQ==")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["code"], "ml_connector_bad_signature");
    assert!(job_origins(&stack, &json!({"id": 4242})).is_empty(), "nothing was queued");
    let envelope = cursor(&stack, "ingest.webhooks.secret").expect("the secret is in the vault");
    let secret = stack.keyring.decrypt_string("ingest.webhook_secret", &envelope).unwrap();
    let log = stack.log();
    assert!(log.contains("signature does not match"), "{log}");
    assert!(!log.contains(&secret), "the webhook secret must never be logged");
    assert!(!String::from_utf8_lossy(&ml_connector_e2e::bytes_of(&stack.state_path())).contains(&secret), "stored only encrypted");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_disabled_during_an_outage_is_recreated_and_the_gap_is_backfilled_exactly_once() {
    let WebhookStack { stack, proxy, .. } = webhook_stack().await;
    subscribed(&stack).await;
    let before = place(&stack, "1900-S").await;
    in_nav_once(&stack, &before).await;
    let first_subscriptions = pinged(&stack);

    proxy.set_up(false);
    let mut during = Vec::new();
    for i in 0..8 {
        during.push(place(&stack, ["1896-S", "1900-S"][i % 2]).await);
    }
    // The 7th consecutive failure disables (reference 5.4); the failure count stays.
    eventually(WAIT, "WooCommerce disabling order.created", || {
        stack.woo.control().deliveries(0).into_iter().any(|d| d.topic == "order.created" && d.status_after == "disabled").then_some(())
    })
    .await
    .unwrap();
    for order in &during {
        assert!(stack.sales_orders_for(&external(order)).is_empty(), "nothing can arrive while the endpoint is down");
    }
    // The operator sees it: `status` names the failing public URL and the backfill to come.
    let failing = eventually(WAIT, "status showing the unreachable endpoint", || {
        let webhooks = stack.status()["webhooks"].clone();
        (webhooks["endpoint_ok"] == false).then_some(webhooks)
    })
    .await
    .unwrap();
    assert!(failing["detail"].as_str().unwrap().contains("does not reach this agent"), "{failing}");
    let text = String::from_utf8_lossy(&stack.cli(&["status"]).stdout).to_string();
    assert!(text.contains("webhooks:     FAILING"), "{text}");

    proxy.set_up(true);
    for order in &during {
        in_nav_once(&stack, order).await;
    }
    eventually(WAIT, "new subscriptions for the disabled ones", || (pinged(&stack).len() > first_subscriptions.len()).then_some(())).await.unwrap();
    let after = place(&stack, "1896-S").await;
    in_nav_once(&stack, &after).await;
    stack.wait_idle(WAIT).await.unwrap();

    for order in during.iter().chain([&before, &after]) {
        assert_eq!(stack.sales_orders_for(&external(order)).len(), 1, "{} exactly once", external(order));
    }
    for order in &during {
        // Later jobs may follow: the echo of the agent's own write-back, delivered as order.updated.
        assert_eq!(job_origins(&stack, order).first().map(String::as_str), Some("reconcile"), "backfilled, not delivered");
    }
    assert_eq!(job_origins(&stack, &after).first().map(String::as_str), Some("webhook"), "the recreated subscription delivers");
    let log = stack.log();
    assert!(log.contains("recreated the webhook subscription") && log.contains("backfilled the webhook gap"), "{log}");
    let healthy = eventually(WAIT, "status showing the endpoint healthy again", || {
        let webhooks = stack.status()["webhooks"].clone();
        (webhooks["endpoint_ok"] == true).then_some(webhooks)
    })
    .await
    .unwrap();
    assert!(healthy["detail"].as_str().unwrap().contains("subscriptions kept"), "{healthy}");
    stack.shutdown().await;
}
