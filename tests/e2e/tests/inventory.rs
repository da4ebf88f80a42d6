//! NAV stock reaches WooCommerce: the real agent binary (`sync inventory` and the daemon's
//! schedule) against both simulators. One test per behaviour of the inventory flow
//! (docs/inventory.md). The demo company and shop start with equal stock.

use std::time::Duration;

use bc_sim::{EntryKind, ItemEntry};
use ml_connector_e2e::{agent_binary, eventually, Deployment, Stack, StackOptions};
use serde_json::{json, Value};

const IDLE: Duration = Duration::from_secs(60);

/// A stack whose daemon runs no inventory schedule: the tests run `sync inventory` themselves.
async fn stack_with(deployment: Deployment, extra: &str) -> Stack {
    let options = StackOptions {
        deployment,
        extra_toml: format!("[schedules]\ninventory = \"off\"\ninventory_full = \"off\"\n{extra}"),
        ..Default::default()
    };
    let stack = Stack::start(options).await.expect("stack");
    // The daemon creates the state database; the tests' commands come after it.
    stack.wait_idle(IDLE).await.expect("agent up");
    stack
}

async fn stack() -> Stack {
    stack_with(Deployment::BcOnline, "").await
}

/// `sync inventory --json [args]`: the report and whether the command succeeded.
fn sync(stack: &Stack, args: &[&str]) -> (Value, bool) {
    let mut all = vec!["sync", "inventory", "--json"];
    all.extend_from_slice(args);
    let output = stack.cli(&all);
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
    });
    (report, output.status.success())
}

/// A run that must succeed.
fn synced(stack: &Stack, args: &[&str]) -> Value {
    let (report, ok) = sync(stack, args);
    assert!(ok && report["error"].is_null(), "{report:#}");
    report
}

fn receive(stack: &Stack, item: &str, quantity: i64, variant: &str, location: &str) {
    let entry = ItemEntry {
        item: item.into(),
        quantity: quantity.into(),
        kind: EntryKind::Purchase,
        location: location.into(),
        variant: variant.into(),
        document_number: None,
    };
    stack.bc.control().post_item_entry(None, &entry).expect("purchase receipt posted");
}

fn woo_stock(stack: &Stack, sku: &str) -> i64 {
    stack.woo.control().product_by_sku(sku).unwrap_or_else(|| panic!("no product {sku}"))["stock_quantity"].as_i64().unwrap_or(i64::MIN)
}

/// SKU → (old, new) of a report's changes.
fn changes(report: &Value) -> Vec<(String, Value, i64)> {
    let mut out: Vec<(String, Value, i64)> = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["sku"].as_str().unwrap().to_string(), c["old"].clone(), c["new"].as_i64().unwrap()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// WooCommerce requests after journal position `since`: (method, path and query).
async fn woo_requests(stack: &Stack, since: u64) -> (u64, Vec<(String, String)>) {
    let url = format!("{}/_sim/requests?since={since}", stack.woo.http_url);
    let journal: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    let requests = journal["requests"].as_array().unwrap().iter().map(|r| (r["method"].as_str().unwrap().to_string(), r["uri"].as_str().unwrap().to_string())).collect();
    (journal["total"].as_u64().unwrap(), requests)
}

/// Stock changes WooCommerce made because of REST writes, per SKU.
fn rest_writes(stack: &Stack, sku: &str) -> usize {
    stack.woo.control().stock_changes().iter().filter(|c| c.sku == sku && c.cause == "rest-api").count()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_incremental_run_picks_up_a_purchase_receipt() {
    let stack = stack().await;
    let first = synced(&stack, &[]);
    assert_eq!(first["kind"], "full", "the first run lists everything: {first:#}");
    assert!(changes(&first).is_empty(), "demo stock starts equal: {first:#}");
    receive(&stack, "1896-S", 5, "", "");
    let report = synced(&stack, &[]);
    assert_eq!(report["kind"], "incremental");
    assert_eq!(changes(&report), vec![("1896-S".into(), json!(12), 17)]);
    assert_eq!(woo_stock(&stack, "1896-S"), 17);
    assert_eq!(report["requests"]["woo_writes"], 1);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shipment_posted_in_nav_lowers_woocommerce_stock() {
    let stack = stack().await;
    synced(&stack, &[]);
    // A telephone order, entered and shipped in NAV: not a web order.
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
    assert_eq!(synced(&stack, &[])["changes"], json!([]), "an open NAV order that is not a web order holds nothing");
    stack.bc.control().post_sales_order(None, order["number"].as_str().unwrap(), None).expect("posted");
    let report = synced(&stack, &[]);
    assert_eq!(changes(&report), vec![("1900-S".into(), json!(40), 36)]);
    assert_eq!(woo_stock(&stack, "1900-S"), 36);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn web_orders_nav_has_not_shipped_are_subtracted() {
    let mut stack = stack().await;
    synced(&stack, &[]);
    // Order A reaches NAV (an open sales order); order B waits in the spool (agent stopped).
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1896-S", "quantity": 2}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    let nav_order = stack.sales_orders().into_iter().find(|o| o["externalDocumentNumber"].as_str().unwrap_or("").starts_with("WC-")).expect("order A in NAV");
    stack.stop_agent();
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1896-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    assert_eq!(woo_stock(&stack, "1896-S"), 9, "WooCommerce reduced its own stock for both orders");
    receive(&stack, "1896-S", 5, "", "");
    let report = synced(&stack, &[]);
    // NAV 17, minus 2 (open in NAV) and 1 (not in NAV yet): writing 17 would sell 3 twice.
    assert_eq!(changes(&report), vec![("1896-S".into(), json!(9), 14)]);
    assert_eq!((report["orders"]["orders_in_nav"].as_u64(), report["orders"]["orders_not_in_nav"].as_u64()), (Some(1), Some(1)));
    // NAV ships order A: its stock and what it holds drop together — nothing to write.
    stack.bc.control().post_sales_order(None, nav_order["number"].as_str().unwrap(), None).expect("posted");
    let report = synced(&stack, &[]);
    assert!(changes(&report).is_empty(), "{report:#}");
    assert_eq!(woo_stock(&stack, "1896-S"), 14);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sale_while_stock_is_written_is_not_sold_twice() {
    let stack = stack().await;
    synced(&stack, &[]);
    receive(&stack, "1896-S", 5, "", "");
    // NAV answers the stock read slowly; a customer buys one while the run waits for it — after
    // the run counted unshipped orders, before it writes.
    let slow = bc_sim::FaultSettings { latency_ms: 3_000, only_uri_containing: Some("/items?".into()), ..Default::default() };
    stack.set_bc_faults(slow);
    let run = {
        let mut command = std::process::Command::new(agent_binary());
        command.arg("--config").arg(&stack.config_path).args(["sync", "inventory", "--json"]);
        std::thread::spawn(move || command.output())
    };
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    stack.place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1896-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    let output = run.join().unwrap().unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    // The first write (17) put back the unit WooCommerce had just sold; the run saw the new order
    // and wrote 16 = NAV 17 − 1 unshipped.
    assert_eq!(changes(&report).iter().map(|c| c.2).collect::<Vec<_>>(), vec![17, 16], "{report:#}");
    assert_eq!(woo_stock(&stack, "1896-S"), 16);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn variations_write_their_own_stock_or_their_parents() {
    let stack = stack().await;
    synced(&stack, &[]);
    let (since, _) = woo_requests(&stack, 0).await;
    receive(&stack, "TSHIRT", 5, "M", "");
    receive(&stack, "MUG", 3, "WHITE", "");
    let report = synced(&stack, &[]);
    // TSHIRT-M manages its own stock (item variant M); MUG's variations are managed by the parent.
    assert_eq!(changes(&report), vec![("MUG".into(), json!(40), 43), ("TSHIRT-M".into(), json!(15), 20)]);
    assert_eq!((woo_stock(&stack, "TSHIRT-M"), woo_stock(&stack, "TSHIRT-S"), woo_stock(&stack, "MUG")), (20, 10, 43));
    assert_eq!(rest_writes(&stack, "MUG-WHITE"), 0, "a parent-managed variation is never written");
    let (_, requests) = woo_requests(&stack, since).await;
    let writes: Vec<&String> = requests.iter().filter(|(m, _)| m == "POST").map(|(_, uri)| uri).collect();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert!(writes.iter().any(|uri| uri.contains("/variations/batch")) && writes.iter().any(|uri| uri.contains("/wc/v3/products/batch")), "{writes:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn nothing_is_written_when_nothing_changed() {
    let stack = stack().await;
    receive(&stack, "1908-S", 2, "", "");
    assert_eq!(changes(&synced(&stack, &["--full"])).len(), 1);
    let (before, _) = woo_requests(&stack, 0).await;
    let full = synced(&stack, &["--full"]);
    assert!(changes(&full).is_empty());
    assert_eq!(full["requests"]["woo_writes"], 0);
    let (after_full, _) = woo_requests(&stack, 0).await;
    let incremental = synced(&stack, &[]);
    assert!(changes(&incremental).is_empty());
    let (after_incremental, requests) = woo_requests(&stack, after_full).await;
    assert_eq!(after_incremental, after_full, "an incremental run with nothing moved asks WooCommerce nothing: {requests:?}");
    assert!(after_full > before, "the full run lists the shop");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_cut_short_by_woocommerce_resumes_without_writing_twice() {
    let stack = stack_with(Deployment::BcOnline, "[inventory]\nbatch_size = 1\nconcurrency = 1\n").await;
    synced(&stack, &[]);
    for item in ["1896-S", "1900-S", "1906-S"] {
        receive(&stack, item, 3, "", "");
    }
    // The first write is applied, then its connection is cut: the agent cannot know it landed.
    let faults = sim_kit::FaultSettings { drop_next: 1, only_uri_containing: Some("/batch".into()), ..Default::default() };
    stack.woo.control().set_faults(faults).unwrap();
    let (failed, ok) = sync(&stack, &[]);
    assert!(!ok && failed["state"] == "failed", "{failed:#}");
    assert_eq!(failed["left"], 3, "the cut write and the two never sent: {failed:#}");
    stack.woo.control().set_faults(sim_kit::FaultSettings::default()).unwrap();
    let resumed = synced(&stack, &["--replay", &failed["run"].to_string()]);
    assert_eq!(resumed["resumed"], failed["run"]);
    assert_eq!(changes(&resumed).len(), 2, "the applied write is seen, not repeated: {resumed:#}");
    for (sku, stock) in [("1896-S", 15), ("1900-S", 43), ("1906-S", 11)] {
        assert_eq!(woo_stock(&stack, sku), stock);
        assert_eq!(rest_writes(&stack, sku), 1, "{sku} written exactly once");
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_with_the_agent_is_finished_after_the_restart() {
    let mut stack = stack_with(Deployment::BcOnline, "[inventory]\nbatch_size = 1\nconcurrency = 1\n").await;
    synced(&stack, &[]);
    let items = ["1896-S", "1900-S", "1906-S", "1908-S", "1920-S"];
    for item in items {
        receive(&stack, item, 1, "", "");
    }
    // Slow writes, an incremental schedule, and a kill -9 once the first write has landed.
    let slow = sim_kit::FaultSettings { latency_ms: 400, only_uri_containing: Some("/batch".into()), ..Default::default() };
    stack.woo.control().set_faults(slow).unwrap();
    stack.stop_agent();
    let config = std::fs::read_to_string(&stack.config_path).unwrap().replace("inventory = \"off\"", "inventory = \"every 2s\"");
    std::fs::write(&stack.config_path, config).unwrap();
    stack.start_agent().unwrap();
    eventually(Duration::from_secs(30), "a first stock write", || items.iter().any(|sku| rest_writes(&stack, sku) > 0).then_some(())).await.unwrap();
    stack.kill_agent();
    let written_before = items.iter().filter(|sku| rest_writes(&stack, sku) > 0).count();
    assert!(written_before < items.len(), "the run was cut short");
    stack.woo.control().set_faults(sim_kit::FaultSettings::default()).unwrap();
    stack.start_agent().unwrap();
    eventually(Duration::from_secs(60), "every product written", || items.iter().all(|sku| rest_writes(&stack, sku) > 0).then_some(())).await.unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    for item in items {
        assert_eq!(rest_writes(&stack, item), 1, "{item} written exactly once\n{}", stack.log());
    }
    assert_eq!(woo_stock(&stack, "1920-S"), 6);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn skus_missing_on_either_side_are_reported_once_per_run() {
    let stack = stack().await;
    let company = json!({"name": "CRONUS International Ltd.", "id": stack.bc.info().company_id.to_string(), "currency": "EUR", "vat_rates": {"STANDARD": 20}});
    let items = json!([{"number": "NAV-ONLY-1", "name": "Only in NAV", "price": 5.0, "tax_group": "STANDARD", "stock": 3},
                       {"number": "NAV-ONLY-2", "name": "Only in NAV too", "price": 5.0, "tax_group": "STANDARD", "stock": 4}]);
    stack.bc.control().add_seed(json!({"company": company, "items": items})).expect("items added");
    let output = stack.cli(&["sync", "inventory", "--full"]);
    let text = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}\n{log}");
    assert_eq!(text.matches("GIFT-WRAP").count(), 1, "{text}");
    assert!(text.contains("1 WooCommerce SKU(s) without a NAV item (not written): GIFT-WRAP"), "{text}");
    assert!(text.contains("2 NAV item(s) without a WooCommerce product: NAV-ONLY-1, NAV-ONLY-2"), "{text}");
    assert_eq!(log.matches("WooCommerce SKUs without a NAV item").count(), 1, "one warning per run, not one per SKU: {log}");
    let (report, _) = sync(&stack, &["--full"]);
    assert_eq!(report["unknown_in_nav"], json!({"count": 1, "first": ["GIFT-WRAP"]}));
    assert_eq!(report["not_in_woo"]["count"], 2);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stock_can_be_limited_to_locations() {
    let stack = stack_with(Deployment::BcOnline, "[inventory]\nlocations = [\"MAIN\"]\n").await;
    synced(&stack, &[]);
    receive(&stack, "1896-S", 5, "", "EAST");
    assert!(changes(&synced(&stack, &[])).is_empty(), "stock at EAST does not count");
    receive(&stack, "1896-S", 2, "", "MAIN");
    assert_eq!(changes(&synced(&stack, &[])), vec![("1896-S".into(), json!(12), 14)]);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn legacy_nav_pages_are_scanned_and_diffed() {
    let stack = stack_with(Deployment::NavPages, "").await;
    let first = synced(&stack, &[]);
    assert!(changes(&first).is_empty(), "{first:#}");
    receive(&stack, "1920-S", 4, "", "");
    let report = synced(&stack, &[]);
    assert_eq!(report["kind"], "incremental");
    assert_eq!(changes(&report), vec![("1920-S".into(), json!(5), 9)]);
    assert_eq!(woo_stock(&stack, "1920-S"), 9);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_runs_inventory_on_its_schedule() {
    let options = StackOptions { extra_toml: "[schedules]\ninventory = \"every 2s\"\ninventory_full = \"off\"\n".into(), ..Default::default() };
    let stack = Stack::start(options).await.expect("stack");
    stack.wait_idle(IDLE).await.expect("agent up");
    receive(&stack, "BOOK-01", 7, "", "");
    eventually(Duration::from_secs(40), "BOOK-01 at 107 in WooCommerce", || (woo_stock(&stack, "BOOK-01") == 107).then_some(())).await.unwrap();
    let (busy, ok) = sync(&stack, &["--dry-run"]);
    assert!(ok && busy["state"] == "dry-run", "a dry run reads while the daemon works: {busy:#}");
    stack.shutdown().await;
}
