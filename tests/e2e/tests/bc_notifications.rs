//! Business Central notifications as the inventory accelerator (docs/inventory.md): the real
//! agent keeps webhook subscriptions at bc-sim whose notification URL is a stand-in of the
//! plugin's public route (below) — it answers the validationToken handshake, checks each
//! notification's clientState against the fingerprint the agent publishes in `agent_status`, and
//! spools one `bc.notification` event per request as the plugin does. The polling interval is an
//! hour in every test, so stock that arrives came through a notification.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use ml_connector_e2e::{eventually, Stack, StackOptions};
use ml_connector_formats::spool::PRODUCER_PHP_FALLBACK;
use ml_connector_formats::{Event, EventKind, Spool};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const WAIT: Duration = Duration::from_secs(60);
const ROUTE: &str = "/wp-json/ml-connector/v1/bc-notifications";

/// The plugin's route (wp-plugin/includes/class-ml-connector-bc-notifications.php), played here.
#[derive(Clone, Default)]
struct Route {
    /// The spool and wake socket; set once the stack exists (the URL is needed before).
    paths: Arc<Mutex<Option<(PathBuf, PathBuf)>>>,
    handshakes: Arc<Mutex<usize>>,
    /// Answer notifications with this status instead (as a site that lost the route would).
    refuse: Arc<Mutex<Option<StatusCode>>>,
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

async fn route(State(route): State<Route>, Query(query): Query<HashMap<String, String>>, body: Bytes) -> Response {
    if let Some(token) = query.get("validationToken").cloned() {
        *route.handshakes.lock().unwrap() += 1;
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], token).into_response();
    }
    if let Some(status) = *route.refuse.lock().unwrap() {
        return status.into_response();
    }
    let Some((spool_path, socket)) = route.paths.lock().unwrap().clone() else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    let Ok(body) = serde_json::from_slice::<Value>(&body) else { return StatusCode::BAD_REQUEST.into_response() };
    let Some(notifications) = body["value"].as_array() else { return StatusCode::BAD_REQUEST.into_response() };
    let spool = Spool::open(&spool_path).unwrap();
    let document = spool.status("bc_notifications").unwrap().and_then(|(value, _)| serde_json::from_str::<Value>(&value).ok());
    let Some(document) = document else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    let expected = document["client_state_sha256"].as_str().unwrap_or("").to_string();
    let accepted: Vec<Value> = notifications
        .iter()
        .filter(|n| document["enabled"] == true && sha256(n["clientState"].as_str().unwrap_or("")) == expected)
        .map(|n| json!({"subscriptionId": n["subscriptionId"], "resource": n["resource"], "changeType": n["changeType"], "lastModifiedDateTime": n["lastModifiedDateTime"]}))
        .collect();
    if accepted.is_empty() {
        return StatusCode::FORBIDDEN.into_response();
    }
    let payload = json!({"client_state_sha256": expected, "notifications": accepted, "refused": notifications.len() - accepted.len()});
    let seq = spool.enqueue(&Event::new(EventKind::BcNotification, 0, "bc-webhook", payload), PRODUCER_PHP_FALLBACK).unwrap();
    ml_connector_formats::wake::wake(&socket, seq);
    StatusCode::ACCEPTED.into_response()
}

struct Site {
    url: String,
    route: Route,
    server: sim_kit::RunningServer,
}

async fn site() -> Site {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{ROUTE}", listener.local_addr().unwrap());
    let state = Route::default();
    let router = axum::Router::new().route(ROUTE, axum::routing::any(route)).with_state(state.clone());
    let server = sim_kit::serve(sim_kit::Listen::Http(listener), router).unwrap();
    Site { url, route: state, server }
}

/// A stack with notifications on (bc-sim notifies 200 ms after a change; subscriptions live
/// `ttl_secs`), polling every hour, the agent started once the site answers.
async fn stack(site: &Site, ttl_secs: u64) -> Stack {
    let mut options = StackOptions {
        extra_toml: format!(
            "[schedules]\ninventory = \"every 1h\"\ninventory_full = \"off\"\n[bc_notifications]\nenabled = true\nurl = \"{}\"\n",
            site.url
        ),
        start_agent: false,
        ..Default::default()
    };
    options.bc.webhooks.delay_ms = 200;
    options.bc.webhooks.subscription_ttl_secs = ttl_secs;
    let mut stack = Stack::start(options).await.expect("stack");
    *site.route.paths.lock().unwrap() = Some((stack.spool_path(), stack.dir.path().join("agent.sock")));
    stack.start_agent().unwrap();
    stack.wait_idle(WAIT).await.expect("agent up");
    subscriptions_at_bc(&stack, 3).await;
    stack
}

fn subscriptions(stack: &Stack) -> Vec<Value> {
    stack.bc.control().dump()["subscriptions"].as_array().cloned().unwrap_or_default()
}

async fn subscriptions_at_bc(stack: &Stack, count: usize) -> Vec<Value> {
    eventually(WAIT, &format!("{count} subscriptions at Business Central"), || {
        let found = subscriptions(stack);
        (found.len() == count).then_some(found)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", stack.log()))
}

fn ids(subscriptions: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = subscriptions.iter().map(|s| s["subscriptionId"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

fn woo_stock(stack: &Stack, sku: &str) -> i64 {
    stack.woo.control().product_by_sku(sku).unwrap()["stock_quantity"].as_i64().unwrap()
}

/// A telephone order (not a web order) for 4 × 1900-S, entered in NAV.
async fn phone_order(stack: &Stack) -> String {
    let info = stack.bc.info().clone();
    let url = format!("{}/companies({})/salesOrders", info.api_on_prem, info.company_id);
    let order: Value = reqwest::Client::new()
        .post(url)
        .basic_auth(&info.basic_user, Some(&info.basic_key))
        .json(&json!({"customerNumber": "10000", "externalDocumentNumber": "PHONE-7",
                      "salesOrderLines": [{"lineType": "Item", "lineObjectNumber": "1900-S", "quantity": 4}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    order["number"].as_str().unwrap().to_string()
}

/// Jobs of `bc.notification` events: (state, reason).
fn notification_jobs(stack: &Stack) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(stack.state_path()).unwrap();
    let mut statement = db.prepare("SELECT state, COALESCE(reason, '') FROM jobs WHERE kind = 'bc.notification' ORDER BY id").unwrap();
    let rows = statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    rows.map(Result::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agent_subscribes_to_the_sales_documents_with_a_secret_client_state() {
    let site = site().await;
    let stack = stack(&site, 3 * 86_400).await;
    let found = subscriptions(&stack);
    let mut sets: Vec<&str> = found.iter().map(|s| s["resource"].as_str().unwrap().rsplit('/').next().unwrap()).collect();
    sets.sort();
    assert_eq!(sets, ["salesCreditMemos", "salesInvoices", "salesOrders"]);
    assert!(found.iter().all(|s| s["notificationUrl"] == site.url.as_str()));
    let state = found[0]["clientState"].as_str().unwrap();
    assert_eq!(state.len(), 64, "256 random bits");
    assert!(found.iter().all(|s| s["clientState"] == state), "one secret for all");
    assert_eq!(*site.route.handshakes.lock().unwrap(), 3, "every create passed the handshake");
    let document: Value = serde_json::from_str(&Spool::open(&stack.spool_path()).unwrap().status("bc_notifications").unwrap().unwrap().0).unwrap();
    assert_eq!(document["client_state_sha256"], sha256(state), "the plugin gets the fingerprint");
    assert!(!document.to_string().contains(state), "and never the secret");
    // `status` shows them, without the fingerprint.
    let status = stack.status();
    assert_eq!(status["bc_notifications"]["subscriptions"].as_array().unwrap().len(), 3, "{status:#}");
    assert!(status["bc_notifications"].get("client_state_sha256").is_none());
    let text = String::from_utf8_lossy(&stack.cli(&["status"]).stdout).to_string();
    assert!(text.contains("BC notify:    3 Business Central subscription(s), next renewal"), "{text}");
    for place in [stack.log(), String::from_utf8_lossy(&std::fs::read(stack.state_path()).unwrap()).to_string()] {
        assert!(!place.contains(state), "the clientState is neither logged nor stored in clear");
    }
    stack.shutdown().await;
    site.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shipment_posted_in_business_central_reaches_woocommerce_without_waiting_for_the_poll() {
    let site = site().await;
    let stack = stack(&site, 3 * 86_400).await;
    let output = stack.cli(&["sync", "inventory"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(woo_stock(&stack, "1900-S"), 40);
    let number = phone_order(&stack).await;
    let posted = std::time::Instant::now();
    stack.bc.control().post_sales_order(None, &number, None).expect("posted");
    eventually(WAIT, "the shipment's stock in WooCommerce", || (woo_stock(&stack, "1900-S") == 36).then_some(()))
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", stack.log()));
    // A figure, not an assertion: bc-sim waits 200 ms before notifying (BC: 30 s).
    println!("posted in Business Central → stock in WooCommerce: {:?}", posted.elapsed());
    let jobs = notification_jobs(&stack);
    assert!(!jobs.is_empty() && jobs.iter().all(|(state, _)| state == "done"), "{jobs:?}");
    assert!(stack.log().contains("incremental"), "the notification started an incremental run");
    stack.shutdown().await;
    site.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn subscriptions_are_renewed_before_they_expire() {
    let site = site().await;
    // 15 s of life: renewed with a third left, 10 s after each handshake.
    let stack = stack(&site, 15).await;
    let first_subscriptions = subscriptions(&stack);
    let first: Vec<String> = first_subscriptions.iter().map(|s| s["expirationDateTime"].as_str().unwrap().to_string()).collect();
    let renewed = eventually(WAIT, "renewed subscriptions", || {
        let now = subscriptions(&stack);
        let later = now.len() == 3 && now.iter().all(|s| first.iter().all(|f| s["expirationDateTime"].as_str().unwrap() > f.as_str()));
        later.then_some(now)
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", stack.log()));
    assert!(*site.route.handshakes.lock().unwrap() >= 6, "each renewal repeats the handshake");
    // Renewed in place (PATCH), never left to expire and made again.
    assert_eq!(ids(&renewed), ids(&first_subscriptions));
    assert!(stack.log().contains("Business Central subscription renewed"), "{}", stack.log());
    stack.shutdown().await;
    site.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_subscription_business_central_deleted_is_made_again() {
    let site = site().await;
    let stack = stack(&site, 15).await;
    let on_orders = |found: &[Value]| found.iter().find(|s| s["resource"].as_str().unwrap().ends_with("/salesOrders")).map(|s| s["subscriptionId"].clone());
    let before = on_orders(&subscriptions(&stack)).unwrap();
    // The site answers 410: Business Central drops the notification and deletes the subscription.
    *site.route.refuse.lock().unwrap() = Some(StatusCode::GONE);
    phone_order(&stack).await;
    subscriptions_at_bc(&stack, 2).await;
    *site.route.refuse.lock().unwrap() = None;
    let after = subscriptions_at_bc(&stack, 3).await;
    let made_again = on_orders(&after).unwrap();
    assert_ne!(made_again, before, "a new subscription on salesOrders");
    assert!(stack.log().contains("Business Central subscription created"), "{}", stack.log());
    stack.shutdown().await;
    site.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_notification_with_a_wrong_client_state_is_refused() {
    let site = site().await;
    let stack = stack(&site, 3 * 86_400).await;
    // At the site: refused (403), nothing reaches the spool.
    let forged = json!({"value": [{"subscriptionId": "x", "clientState": "guess", "resource": "r", "changeType": "updated", "lastModifiedDateTime": "2026-11-28T10:00:00Z"}]});
    let answer = reqwest::Client::new().post(&site.url).json(&forged).send().await.unwrap();
    assert_eq!(answer.status(), 403);
    assert!(notification_jobs(&stack).is_empty());
    // In the spool (written past the site): the agent refuses it too, and audits it.
    let event = Event::new(EventKind::BcNotification, 0, "bc-webhook", json!({"client_state_sha256": sha256("guess"), "notifications": []}));
    let seq = Spool::open(&stack.spool_path()).unwrap().enqueue(&event, PRODUCER_PHP_FALLBACK).unwrap();
    ml_connector_formats::wake::wake(&stack.dir.path().join("agent.sock"), seq);
    stack.wait_idle(WAIT).await.unwrap();
    assert_eq!(notification_jobs(&stack), vec![("skipped".to_string(), "refused: its clientState is not the one the agent gave its subscriptions".to_string())]);
    let audit = String::from_utf8_lossy(&stack.cli(&["audit", "list", "--limit", "50", "--json"]).stdout).to_string();
    assert!(audit.contains("Business Central notification refused"), "{audit}");
    stack.shutdown().await;
    site.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn turning_notifications_off_deletes_the_subscriptions() {
    let site = site().await;
    let stack = stack(&site, 3 * 86_400).await;
    let config = std::fs::read_to_string(&stack.config_path).unwrap();
    assert!(config.contains("enabled = true"));
    std::fs::write(&stack.config_path, config.replace("enabled = true", "enabled = false")).unwrap();
    // SAFETY: signalling our own child process.
    unsafe { libc::kill(stack.agent_pid().unwrap() as i32, libc::SIGHUP) };
    subscriptions_at_bc(&stack, 0).await;
    let document = eventually(WAIT, "the document saying off", || {
        let (value, _) = Spool::open(&stack.spool_path()).ok()?.status("bc_notifications").ok()??;
        let document: Value = serde_json::from_str(&value).ok()?;
        (document["enabled"] == false).then_some(document)
    })
    .await
    .unwrap();
    assert!(document["client_state_sha256"].is_null(), "the plugin refuses every notification from now on");
    stack.shutdown().await;
    site.server.shutdown().await;
}

/// A customer edited in Business Central through its API (as a user's page edit would be):
/// read for its ETag, then PATCHed with If-Match.
async fn edit_customer_in_bc(stack: &Stack, number: &str, change: Value) {
    let info = stack.bc.info().clone();
    let client = reqwest::Client::new();
    let list: Value = client
        .get(format!("{}/companies({})/customers?$filter=number eq '{number}'", info.api_on_prem, info.company_id))
        .basic_auth(&info.basic_user, Some(&info.basic_key))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let customer = &list["value"][0];
    let response = client
        .patch(format!("{}/companies({})/customers({})", info.api_on_prem, info.company_id, customer["id"].as_str().unwrap()))
        .basic_auth(&info.basic_user, Some(&info.basic_key))
        .header("If-Match", customer["@odata.etag"].as_str().unwrap())
        .json(&change)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_changed_in_business_central_reaches_woocommerce_without_waiting_for_the_poll() {
    let site = site().await;
    let mut options = StackOptions {
        extra_toml: format!(
            "[schedules]\ninventory = \"every 1h\"\ninventory_full = \"off\"\ncustomers = \"every 1h\"\n\
             [customers]\nenabled = true\n[bc_notifications]\nenabled = true\nurl = \"{}\"\n",
            site.url
        ),
        start_agent: false,
        ..Default::default()
    };
    options.bc.webhooks.delay_ms = 200;
    let mut stack = Stack::start(options).await.expect("stack");
    *site.route.paths.lock().unwrap() = Some((stack.spool_path(), stack.dir.path().join("agent.sock")));
    stack.start_agent().unwrap();
    stack.wait_idle(WAIT).await.expect("agent up");
    let found = subscriptions_at_bc(&stack, 4).await;
    assert!(found.iter().any(|s| s["resource"].as_str().unwrap().ends_with("/customers")), "{found:?}");

    // The first poll records where NAV stands; changes after it are what gets synced.
    eventually(WAIT, "the first customer poll", || {
        let db = rusqlite::Connection::open(stack.state_path()).ok()?;
        db.query_row("SELECT COUNT(*) FROM cursors WHERE name = 'customers.nav_modified'", [], |r| r.get::<_, i64>(0)).ok().filter(|n| *n == 1)
    })
    .await
    .unwrap();
    // Jane (WooCommerce customer 2) is linked to NAV 30000 by her first change in WooCommerce.
    let request: woo_sim::CustomerRequest = serde_json::from_value(json!({"billing": {"phone": "+44 113 496 1111"}})).unwrap();
    stack.woo.control().save_customer(Some(2), request).await.unwrap();
    stack.wait_idle(WAIT).await.unwrap();

    edit_customer_in_bc(&stack, "30000", json!({"addressLine1": "9 Dock Road", "city": "Hull", "postalCode": "HU1 1AA"})).await;
    // The poll is an hour away: only the notification can bring it over.
    let started = std::time::Instant::now();
    let jane = loop {
        let all: Value = reqwest::get(format!("{}/_sim/customers", stack.woo.http_url)).await.unwrap().json().await.unwrap();
        let customer = all.as_array().unwrap().iter().find(|c| c["id"] == 2).cloned().unwrap_or(Value::Null);
        if customer["billing"]["city"] == "Hull" {
            break customer;
        }
        assert!(started.elapsed() < WAIT, "NAV's address never reached WooCommerce\n{}", stack.log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(jane["billing"]["address_1"], "9 Dock Road");
    let jobs = notification_jobs(&stack);
    assert!(jobs.iter().any(|(state, reason)| state == "done" && reason.contains("a customer poll")), "{jobs:?}");
    stack.shutdown().await;
}
