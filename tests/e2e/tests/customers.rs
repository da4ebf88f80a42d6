//! Customers both ways (docs/customers.md): the real agent binary against both simulators. One
//! test per behaviour: Woo → NAV create and update, NAV → Woo, no echo in either direction
//! (counted requests), a conflict resolved by the field owner with its audit entry, and first-run
//! linking (dry-run report, then the links written), shipping addresses as NAV Ship-to Address
//! records both ways, and all of it on legacy NAV page web services.

use std::time::Duration;

use ml_connector_e2e::{eventually, Deployment, Stack, StackOptions};
use serde_json::{json, Value};

const IDLE: Duration = Duration::from_secs(60);

/// Two-way sync on, NAV polled every second, payment terms and method mapped for new customers.
const SYNC_ON: &str = "[customers]\nenabled = true\npayment_terms = { \"*\" = \"14 days\" }\npayment_methods = { \"*\" = \"bank\" }\n\n[schedules]\ncustomers = \"every 1s\"\n";

async fn stack(extra: &str) -> Stack {
    Stack::start(StackOptions { extra_toml: extra.into(), ..Default::default() }).await.expect("stack")
}

async fn save_customer(stack: &Stack, id: Option<i64>, request: Value) -> Value {
    let request: woo_sim::CustomerRequest = serde_json::from_value(request).unwrap();
    stack.woo.control().save_customer(id, request).await.unwrap()
}

fn nav_customers(stack: &Stack) -> Vec<Value> {
    stack.bc.control().entity_set(None, "customers").unwrap()
}

fn nav_customer(stack: &Stack, number: &str) -> Value {
    nav_customers(stack).into_iter().find(|c| c["number"] == number).unwrap_or(Value::Null)
}

fn nav_customer_by_email(stack: &Stack, email: &str) -> Option<Value> {
    nav_customers(stack).into_iter().find(|c| c["email"] == email)
}

fn master_id(stack: &Stack, set: &str, code: &str) -> Value {
    stack.bc.control().entity_set(None, set).unwrap().into_iter().find(|m| m["code"] == code).map(|m| m["id"].clone()).unwrap_or(Value::Null)
}

async fn woo_customer(stack: &Stack, id: i64) -> Value {
    let all: Value = reqwest::get(format!("{}/_sim/customers", stack.woo.http_url)).await.unwrap().json().await.unwrap();
    all.as_array().unwrap().iter().find(|c| c["id"] == id).cloned().unwrap_or(Value::Null)
}

/// Polls WooCommerce customer `id` until `check` holds.
async fn woo_eventually(stack: &Stack, id: i64, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + IDLE;
    loop {
        let customer = woo_customer(stack, id).await;
        if check(&customer) {
            return customer;
        }
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}: {customer}\n{}", stack.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn woo_requests_since(stack: &Stack, since: u64) -> Vec<String> {
    let journal: Value = reqwest::get(format!("{}/_sim/requests?since={since}", stack.woo.http_url)).await.unwrap().json().await.unwrap();
    journal["requests"].as_array().unwrap().iter().map(|r| format!("{} {}", r["method"].as_str().unwrap_or(""), r["uri"].as_str().unwrap_or(""))).collect()
}

async fn woo_total(stack: &Stack) -> u64 {
    let journal: Value = reqwest::get(format!("{}/_sim/requests?since={}", stack.woo.http_url, u64::MAX)).await.unwrap().json().await.unwrap();
    journal["total"].as_u64().unwrap_or(0)
}

/// NAV requests other than the poll's read of changed customers.
fn nav_requests_besides_poll(stack: &Stack, since: u64) -> Vec<String> {
    stack.nav_requests_since(since).into_iter().filter(|r| !r.contains("lastModifiedDateTime")).collect()
}

fn audit(stack: &Stack) -> Vec<Value> {
    let output = stack.cli(&["audit", "list", "--limit", "500", "--json"]);
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

/// Links WooCommerce customer 2 (Jane) to NAV 30000 through a change of her phone in WooCommerce.
async fn link_jane(stack: &Stack) {
    save_customer(stack, Some(2), json!({"billing": {"phone": "+44 113 496 1111"}})).await;
    stack.wait_idle(IDLE).await.unwrap();
    eventually(IDLE, "Jane's phone in NAV", || (nav_customer(stack, "30000")["phoneNumber"] == "+44 113 496 1111").then_some(())).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_created_in_woo_becomes_a_nav_customer_with_all_fields() {
    let stack = stack(SYNC_ON).await;
    save_customer(&stack, None, json!({"email": "nina@trade.example", "first_name": "Nina", "last_name": "New", "via": "account",
        "billing": {"first_name": "Nina", "last_name": "New", "company": "New & Co", "address_1": "1 Mill Lane", "address_2": "Unit 4",
                    "city": "Leeds", "postcode": "ls2 7ab", "country": "GB", "phone": "+44 113 000 0000 ext 12", "email": "nina@trade.example"}})).await;
    stack.wait_idle(IDLE).await.unwrap();
    let nav = nav_customer_by_email(&stack, "nina@trade.example").unwrap_or_else(|| panic!("no NAV customer\n{}", stack.log()));
    assert_eq!(nav["displayName"], "New & Co");
    assert_eq!(nav["type"], "Company");
    assert_eq!(nav["addressLine1"], "1 Mill Lane");
    assert_eq!(nav["addressLine2"], "Unit 4");
    assert_eq!(nav["city"], "Leeds");
    assert_eq!(nav["postalCode"], "LS2 7AB");
    assert_eq!(nav["country"], "GB");
    assert_eq!(nav["phoneNumber"], "+44 113 000 0000", "NAV refuses letters: the extension is dropped");
    assert_eq!(nav["paymentTermsId"], master_id(&stack, "paymentTerms", "14 DAYS"));
    assert_eq!(nav["paymentMethodId"], master_id(&stack, "paymentMethods", "BANK"));
    assert_eq!(nav["_sim"]["customerPriceGroup"], "TRADE", "the order rules choose the price group by e-mail domain");
    assert_eq!(nav["_sim"]["postingGroups"], json!({"customer": "DOMESTIC", "genBus": "DOMESTIC", "vatBus": "DOMESTIC"}), "and the posting groups");
    let status = stack.status();
    assert!(status["parked"].as_array().is_none_or(|p| p.is_empty()), "{status}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_in_woo_updates_the_nav_customer_and_its_echo_costs_no_woo_request() {
    let stack = stack(SYNC_ON).await;
    link_jane(&stack).await;
    let woo_before = woo_total(&stack).await;
    save_customer(&stack, Some(2), json!({"billing": {"address_1": "5 River Street", "city": "York", "postcode": "YO1 6AA"}})).await;
    stack.wait_idle(IDLE).await.unwrap();
    eventually(IDLE, "Jane's new address in NAV", || (nav_customer(&stack, "30000")["city"] == "York").then_some(())).await.unwrap();
    let jane = nav_customer(&stack, "30000");
    assert_eq!(jane["addressLine1"], "5 River Street");
    assert_eq!(jane["postalCode"], "YO1 6AA");
    // NAV's change (our PATCH) is read back by the poll and recognised: nothing goes to WooCommerce.
    tokio::time::sleep(Duration::from_secs(3)).await;
    stack.wait_idle(IDLE).await.unwrap();
    let woo_requests: Vec<String> = woo_requests_since(&stack, woo_before).await.into_iter().filter(|r| r.contains("/customers")).collect();
    assert!(woo_requests.is_empty(), "the NAV echo reached WooCommerce: {woo_requests:?}\n{}", stack.log());
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_in_nav_reaches_woo_and_our_write_does_not_come_back_to_nav() {
    let stack = stack(SYNC_ON).await;
    link_jane(&stack).await;
    stack.bc.control().edit_customer(None, "30000", &json!({"addressLine1": "9 Dock Road", "city": "Hull", "postalCode": "HU1 1AA", "email": "jane@doe.example"})).unwrap();
    let jane = woo_eventually(&stack, 2, "NAV's address in WooCommerce", |c| c["billing"]["city"] == "Hull").await;
    let nav_after_write = stack.bc.control().journal().total();
    assert_eq!(jane["billing"]["address_1"], "9 Dock Road");
    assert_eq!(jane["billing"]["postcode"], "HU1 1AA");
    assert_eq!(jane["email"], "jane@doe.example");
    assert_eq!(jane["billing"]["email"], "jane@doe.example");
    assert_eq!(jane["first_name"], "Jane", "NAV's name does not overwrite WooCommerce's first and last name");
    // WooCommerce's customer.updated event for our own PUT comes back and is recognised.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stack.wait_idle(IDLE).await.unwrap();
    let besides_poll = nav_requests_besides_poll(&stack, nav_after_write);
    assert!(besides_poll.is_empty(), "the WooCommerce echo cost NAV requests: {besides_poll:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_conflict_is_resolved_by_the_field_owner_and_audited() {
    let mut stack = stack(&format!("{SYNC_ON}\n[customers.owners]\naddress = \"nav\"\n")).await;
    link_jane(&stack).await;
    // Both sides change the address while the agent is down.
    stack.stop_agent();
    save_customer(&stack, Some(2), json!({"billing": {"address_1": "1 Shop Street", "city": "Bath", "postcode": "BA1 1AA"}})).await;
    stack.bc.control().edit_customer(None, "30000", &json!({"addressLine1": "2 Office Road", "city": "Derby", "postalCode": "DE1 1AA"})).unwrap();
    stack.start_agent().unwrap();
    woo_eventually(&stack, 2, "NAV's address (owner) in WooCommerce", |c| c["billing"]["city"] == "Derby").await;
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(nav_customer(&stack, "30000")["city"], "Derby", "NAV owns the address: it keeps its value");
    assert_eq!(woo_customer(&stack, 2).await["billing"]["address_1"], "2 Office Road");
    let conflicts: Vec<Value> = audit(&stack).into_iter().filter(|e| e["action"] == "customer conflict").collect();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let entry = stack.cli(&["audit", "show", &conflicts[0]["id"].to_string()]);
    let shown = String::from_utf8_lossy(&entry.stdout);
    assert!(shown.contains("customers.owners.address = nav"), "{shown}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_linking_reports_matches_conflicts_duplicates_and_unmatched_then_links() {
    // Sync off: the changes below only prepare the two systems.
    let stack = stack("").await;
    // Tom's first order creates his NAV customer and links him.
    stack.place_order(json!({"checkout": "classic", "customer_id": 3, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    // Then his e-mail changes to one another NAV customer has: a conflict.
    save_customer(&stack, Some(3), json!({"email": "purchasing@webguest.example"})).await;
    stack.bc.control().edit_customer(None, "WEBGUEST", &json!({"email": "purchasing@webguest.example"})).unwrap();
    // Two NAV customers with one e-mail: a duplicate, reported, not guessed.
    for number in ["10000", "20000"] {
        stack.bc.control().edit_customer(None, number, &json!({"email": "dup@example.com"})).unwrap();
    }
    let dee = save_customer(&stack, None, json!({"email": "dup@example.com", "first_name": "Dee", "last_name": "Dup"})).await;
    let solo = save_customer(&stack, None, json!({"email": "solo@example.com", "first_name": "Solo", "last_name": "Shopper"})).await;
    stack.wait_idle(IDLE).await.unwrap();

    let dry = stack.cli(&["link", "customers", "--dry-run", "--json"]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let report: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(report["written"], false);
    assert_eq!(report["matches"], json!([{"woo_id": 2, "email": "jane.doe@example.com", "nav_number": "30000"}]), "{report:#}");
    assert_eq!(report["conflicts"].as_array().unwrap().len(), 1, "{report:#}");
    assert_eq!(report["conflicts"][0]["woo_id"], 3);
    assert_eq!(report["conflicts"][0]["nav_number"], "WEBGUEST");
    assert_eq!(report["duplicates"], json!([{"woo_id": dee["id"], "email": "dup@example.com", "nav_numbers": ["10000", "20000"]}]));
    assert!(report["unmatched"].as_array().unwrap().iter().any(|u| u["woo_id"] == solo["id"]), "{report:#}");
    let text = stack.cli(&["link", "customers", "--dry-run"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("1 matched (dry run: nothing stored)") && text.contains("NAV customers 10000, 20000"), "{text}");

    let real = stack.cli(&["link", "customers", "--json"]);
    let report: Value = serde_json::from_slice(&real.stdout).unwrap();
    assert_eq!(report["written"], true);
    let again: Value = serde_json::from_slice(&stack.cli(&["link", "customers", "--dry-run", "--json"]).stdout).unwrap();
    assert_eq!(again["matches"], json!([]));
    assert_eq!(again["already_linked"], 1);
    let state = rusqlite::Connection::open(stack.state_path()).unwrap();
    let linked: String = state.query_row("SELECT nav_number FROM customer_links WHERE link_key = 'id:2'", [], |r| r.get(0)).unwrap();
    assert_eq!(linked, "30000");
    let fingerprints: (Option<String>, Option<String>) =
        state.query_row("SELECT woo_fingerprint, nav_fingerprint FROM customer_links WHERE link_key = 'id:2'", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert!(fingerprints.0.is_some() && fingerprints.1.is_some(), "linking records what each side holds");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_checkout_that_registers_an_account_gives_one_nav_customer() {
    let stack = stack(SYNC_ON).await;
    // One request: the account (customer.created) and the order (order.created) come together.
    let order = stack.place_order(json!({"checkout": "classic", "customer_id": 0, "create_account": true,
        "billing": {"first_name": "Rita", "last_name": "Register", "email": "rita@register.example", "address_1": "3 Lane", "city": "Bristol", "postcode": "BS1 1AA", "country": "GB"},
        "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "card"})).await.unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    let ritas: Vec<Value> = nav_customers(&stack).into_iter().filter(|c| c["email"] == "rita@register.example").collect();
    assert_eq!(ritas.len(), 1, "{ritas:#?}\n{}", stack.log());
    let external = format!("WC-{}", order["number"].as_str().unwrap()).to_uppercase();
    assert_eq!(stack.sales_orders_for(&external)[0]["customerNumber"], ritas[0]["number"]);
    stack.shutdown().await;
}

fn ship_to(stack: &Stack, number: &str, code: &str) -> Value {
    let customer = nav_customer(stack, number);
    customer["_sim"]["shipTo"].as_array().and_then(|all| all.iter().find(|s| s["code"] == code).cloned()).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shipping_address_becomes_a_nav_ship_to_record_and_a_change_in_nav_comes_back() {
    let stack = stack(&SYNC_ON.replace("[customers]\n", "[customers]\nship_to_code = \"web\"\n")).await;
    // A new customer with a shipping address: customer and Ship-to Address record.
    save_customer(&stack, None, json!({"email": "nina@trade.example", "first_name": "Nina", "last_name": "New", "via": "account",
        "billing": {"first_name": "Nina", "last_name": "New", "address_1": "1 Mill Lane", "city": "Leeds", "postcode": "LS2 7AB", "country": "GB"},
        "shipping": {"first_name": "Nina", "last_name": "New", "company": "New & Co", "address_1": "2 Wharf St", "city": "Leeds", "postcode": "ls2 7ex", "country": "GB"}})).await;
    stack.wait_idle(IDLE).await.unwrap();
    let nina = nav_customer_by_email(&stack, "nina@trade.example").unwrap_or_else(|| panic!("no NAV customer\n{}", stack.log()));
    let record = ship_to(&stack, nina["number"].as_str().unwrap(), "WEB");
    assert_eq!(record["address"], "2 Wharf St", "{nina}");
    assert_eq!(record["name"], "New & Co");
    assert_eq!(record["contact"], "Nina New");
    assert_eq!(record["postCode"], "LS2 7EX");

    // A linked customer's shipping address changes in WooCommerce: only the record is written.
    link_jane(&stack).await;
    let nav_before = stack.bc.control().journal().total();
    save_customer(&stack, Some(2), json!({"shipping": {"first_name": "Jane", "last_name": "Doe", "address_1": "7 Canal Walk", "city": "Leeds",
        "postcode": "ls1 4ab", "country": "GB", "phone": "0113 496 0000"}})).await;
    stack.wait_idle(IDLE).await.unwrap();
    eventually(IDLE, "Jane's ship-to record", || (ship_to(&stack, "30000", "WEB")["address"] == "7 Canal Walk").then_some(())).await.unwrap();
    let record = ship_to(&stack, "30000", "WEB");
    assert_eq!(record["postCode"], "LS1 4AB");
    assert_eq!(record["phone"], "0113 496 0000");
    let writes: Vec<String> = stack.nav_requests_since(nav_before).into_iter().filter(|r| !r.starts_with("GET")).collect();
    assert!(writes.iter().all(|r| r.contains("ShipToAddress")), "only the ship-to record is written: {writes:?}");

    // Edited in NAV (page 300 only; the customer's lastModifiedDateTime does not move): the
    // ship-to poll brings it to WooCommerce's shipping address, names left alone.
    stack.bc.control().edit_ship_to(None, "30000", "WEB", &json!({"Address": "8 Canal Walk", "City": "Wakefield", "Post_Code": "WF1 1AA"})).unwrap();
    let jane = woo_eventually(&stack, 2, "NAV's ship-to in WooCommerce", |c| c["shipping"]["city"] == "Wakefield").await;
    let nav_after_write = stack.bc.control().journal().total();
    assert_eq!(jane["shipping"]["address_1"], "8 Canal Walk");
    assert_eq!(jane["shipping"]["postcode"], "WF1 1AA");
    assert_eq!(jane["shipping"]["first_name"], "Jane");
    assert_eq!(jane["billing"]["city"], "Leeds", "the billing address is not touched by a ship-to change");
    // Our own PUT comes back as customer.updated, and the next polls re-read today's record:
    // neither costs a NAV request besides the polls' reads, nor a WooCommerce write.
    let woo_before = woo_total(&stack).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    stack.wait_idle(IDLE).await.unwrap();
    let besides_poll: Vec<String> = nav_requests_besides_poll(&stack, nav_after_write).into_iter().filter(|r| !r.contains("Last_Date_Modified")).collect();
    assert!(besides_poll.is_empty(), "an echo cost NAV requests: {besides_poll:?}");
    let woo_writes: Vec<String> = woo_requests_since(&stack, woo_before).await.into_iter().filter(|r| !r.starts_with("GET")).collect();
    assert!(woo_writes.is_empty(), "an echo wrote to WooCommerce: {woo_writes:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn customers_sync_both_ways_on_legacy_nav_pages_too() {
    let toml = SYNC_ON.replace("[customers]\n", "[customers]\nship_to_code = \"WEB\"\n");
    let stack = Stack::start(StackOptions { deployment: Deployment::NavPages, extra_toml: toml, ..Default::default() }).await.expect("stack");
    // WooCommerce → NAV through the Customer Card page: a new customer with payment terms and
    // method codes and a ship-to record, and a change of a linked one.
    save_customer(&stack, None, json!({"email": "nina@trade.example", "first_name": "Nina", "last_name": "New", "via": "account",
        "billing": {"first_name": "Nina", "last_name": "New", "address_1": "1 Mill Lane", "city": "Leeds", "postcode": "LS2 7AB", "country": "GB"},
        "shipping": {"first_name": "Nina", "last_name": "New", "address_1": "2 Wharf St", "city": "Leeds", "postcode": "LS2 7EX", "country": "GB"}})).await;
    stack.wait_idle(IDLE).await.unwrap();
    let nina = nav_customer_by_email(&stack, "nina@trade.example").unwrap_or_else(|| panic!("no NAV customer\n{}", stack.log()));
    assert_eq!(nina["addressLine1"], "1 Mill Lane");
    assert_eq!(nina["paymentTermsId"], master_id(&stack, "paymentTerms", "14 DAYS"));
    assert_eq!(nina["paymentMethodId"], master_id(&stack, "paymentMethods", "BANK"));
    assert_eq!(ship_to(&stack, nina["number"].as_str().unwrap(), "WEB")["address"], "2 Wharf St");
    link_jane(&stack).await;

    // NAV → WooCommerce by the Customer Card's Last Date Modified (a date: today's customers are
    // read again each poll and recognised by their fingerprints).
    stack.bc.control().edit_customer(None, "30000", &json!({"addressLine1": "9 Dock Road", "city": "Hull", "postalCode": "HU1 1AA"})).unwrap();
    let jane = woo_eventually(&stack, 2, "NAV's address in WooCommerce", |c| c["billing"]["city"] == "Hull").await;
    assert_eq!(jane["billing"]["address_1"], "9 Dock Road");
    let nav_after_write = stack.bc.control().journal().total();
    let woo_before = woo_total(&stack).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    stack.wait_idle(IDLE).await.unwrap();
    let besides_poll: Vec<String> = stack.nav_requests_since(nav_after_write).into_iter().filter(|r| !r.contains("Last_Date_Modified")).collect();
    assert!(besides_poll.is_empty(), "an echo cost NAV requests: {besides_poll:?}");
    let woo_writes: Vec<String> = woo_requests_since(&stack, woo_before).await.into_iter().filter(|r| !r.starts_with("GET")).collect();
    assert!(woo_writes.is_empty(), "re-read customers were written again: {woo_writes:?}");
    let status = stack.status();
    assert!(status["parked"].as_array().is_none_or(|p| p.is_empty()), "{status}");
    stack.shutdown().await;
}
