//! Cancellations and refunds reach NAV (docs/refunds.md): the real agent binary against both
//! simulators. Before posting the sales order changes; after posting a credit memo is made,
//! applied to the posted invoice, once per WooCommerce refund.

use std::time::Duration;

use ml_connector_e2e::{Deployment, Stack, StackOptions};
use rust_decimal::Decimal;
use serde_json::{json, Value};

const IDLE: Duration = Duration::from_secs(90);

fn external(order: &Value) -> String {
    format!("WC-{}", order["number"].as_str().unwrap_or_default())
}

fn id(order: &Value) -> i64 {
    order["id"].as_i64().unwrap()
}

async fn stack_with(extra_toml: &str) -> Stack {
    Stack::start(StackOptions { extra_toml: extra_toml.into(), ..Default::default() }).await.expect("stack")
}

/// Jane (customer 2) buys 2 × 1900-S and 1 × 1896-S with DHL shipping.
async fn order(stack: &Stack) -> Value {
    stack
        .place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 2}, {"sku": "1896-S", "quantity": 1}],
            "shipping": {"method_title": "DHL", "total": "10.00"}, "payment_method": "card"}))
        .await
        .unwrap()
}

async fn synced(stack: &Stack) -> (Value, String) {
    let placed = order(stack).await;
    stack.wait_idle(IDLE).await.unwrap();
    let nav = stack.sales_orders_for(&external(&placed));
    assert_eq!(nav.len(), 1, "{}", stack.log());
    (placed, nav[0]["number"].as_str().unwrap().to_string())
}

async fn refund(stack: &Stack, order: &Value, body: Value) -> Value {
    stack.woo.control().refund(id(order), serde_json::from_value(body).unwrap()).await.unwrap()
}

fn item_quantity(sales_order: &Value, item: &str) -> Option<f64> {
    sales_order["salesOrderLines"].as_array().unwrap().iter().find(|l| l["lineType"] == "Item" && l["lineObjectNumber"] == item).map(|l| l["quantity"].as_f64().unwrap())
}

fn credit_memos(stack: &Stack) -> Vec<Value> {
    stack.bc.control().entity_set(None, "salesCreditMemos").unwrap()
}

fn invoices_of(stack: &Stack, order_number: &str) -> Vec<Value> {
    let mut found: Vec<Value> = stack.bc.control().entity_set(None, "salesInvoices").unwrap().into_iter().filter(|i| i["orderNumber"] == order_number).collect();
    found.sort_by_key(|i| i["number"].as_str().unwrap_or_default().to_string());
    found
}

fn assert_nothing_parked(stack: &Stack, status: &Value) {
    assert_eq!(status["queue"]["parked"], 0, "{}\n{}", status["parked"], stack.log());
    assert_eq!(status["queue"]["held"], 0, "{}\n{}", status["parked"], stack.log());
}

fn money(value: &Value) -> Decimal {
    value.to_string().trim_matches('"').parse().unwrap()
}

fn refund_job(stack: &Stack, refund_id: i64) -> i64 {
    let db = rusqlite::Connection::open(stack.state_path()).unwrap();
    db.query_row("SELECT MAX(id) FROM jobs WHERE family = ?1", [format!("refund:{refund_id}")], |r| r.get(0)).unwrap()
}

async fn cancel(stack: &Stack, order: &Value) {
    let change: woo_sim::ChangeOrder = serde_json::from_value(json!({"status": "cancelled"})).unwrap();
    stack.woo.control().change_order(id(order), change).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_before_posting_deletes_the_sales_order() {
    let stack = stack_with("").await;
    let (placed, _) = synced(&stack).await;
    cancel(&stack, &placed).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    assert!(stack.sales_orders_for(&external(&placed)).is_empty(), "the sales order is gone");
    assert!(stack.audit_for(id(&placed)).iter().any(|a| a["action"] == "delete sales order" && a["outcome"] == "ok"));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_before_posting_marks_the_sales_order_when_configured() {
    let stack = stack_with("[refunds]\ncancellation = \"mark\"\n").await;
    let (placed, _) = synced(&stack).await;
    cancel(&stack, &placed).await;
    stack.wait_idle(IDLE).await.unwrap();
    // A second cancelled event (an edit of the cancelled order) does not mark it twice.
    let note: woo_sim::ChangeOrder = serde_json::from_value(json!({"billing": {"phone": "01234 567890"}})).unwrap();
    stack.woo.control().change_order(id(&placed), note).await.unwrap();
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let nav = stack.sales_orders_for(&external(&placed));
    assert_eq!(nav.len(), 1, "the sales order stays");
    let marks = nav[0]["salesOrderLines"].as_array().unwrap().iter().filter(|l| l["lineType"] == "Comment" && l["description"].as_str().unwrap().starts_with("CANCELLED in WooCommerce")).count();
    assert_eq!(marks, 1, "{}", nav[0]);
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_after_posting_credits_the_whole_invoice() {
    let stack = stack_with("").await;
    let (placed, number) = synced(&stack).await;
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    cancel(&stack, &placed).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let invoice = invoices_of(&stack, &number).remove(0);
    let memos = credit_memos(&stack);
    assert_eq!(memos.len(), 1, "{memos:?}");
    let memo = &memos[0];
    assert_eq!(memo["externalDocumentNumber"], format!("{}-C1", external(&placed)));
    assert_eq!((&memo["invoiceId"], &memo["invoiceNumber"]), (&invoice["id"], &invoice["number"]), "applied to the posted invoice");
    assert_eq!(money(&memo["totalAmountIncludingTax"]), money(&invoice["totalAmountIncludingTax"]), "for all of it");
    assert_eq!(memo["status"], "Draft", "credit memos stay drafts unless refunds.post_credit_memos");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn item_refunds_before_posting_reduce_then_remove_the_line() {
    let stack = stack_with("").await;
    let (placed, number) = synced(&stack).await;
    refund(&stack, &placed, json!({"reason": "one broken", "lines": [{"sku": "1900-S", "quantity": 1}]})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let nav = &stack.sales_orders_for(&external(&placed))[0];
    assert_eq!(nav["number"], number.as_str(), "the same sales order");
    assert_eq!(item_quantity(nav, "1900-S"), Some(1.0), "{nav}");
    assert_eq!(item_quantity(nav, "1896-S"), Some(1.0));
    let audit = stack.audit_for(id(&placed));
    let patch = audit.iter().find(|a| a["action"] == "reduce sales line").expect("a PATCH of the line");
    assert_eq!(patch["method"], "PATCH");
    // The second partial refund takes the rest of the line: it is removed.
    refund(&stack, &placed, json!({"lines": [{"sku": "1900-S", "quantity": 1}]})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let nav = &stack.sales_orders_for(&external(&placed))[0];
    assert_eq!(item_quantity(nav, "1900-S"), None, "{nav}");
    assert_eq!(item_quantity(nav, "1896-S"), Some(1.0));
    let woo = stack.woo_order(id(&placed));
    let refunded: Decimal = woo["refunds"].as_array().unwrap().iter().map(|r| -money(&r["total"])).sum();
    assert_eq!(money(&nav["totalAmountIncludingTax"]), money(&woo["total"]) - refunded, "NAV's total follows the refunds");
    assert!(credit_memos(&stack).is_empty());
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_item_refund_after_posting_is_a_posted_credit_memo_linked_to_the_invoice() {
    let stack = stack_with("[refunds]\npost_credit_memos = true\n").await;
    let (placed, number) = synced(&stack).await;
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    let made = refund(&stack, &placed, json!({"reason": "returned", "restock": true, "lines": [{"sku": "1900-S", "quantity": 1}]})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let invoice = invoices_of(&stack, &number).remove(0);
    let memos = credit_memos(&stack);
    assert_eq!(memos.len(), 1, "{memos:?}");
    let memo = &memos[0];
    assert_eq!(memo["externalDocumentNumber"], format!("{}-R{}", external(&placed), made["id"]));
    assert_eq!((&memo["invoiceId"], &memo["invoiceNumber"]), (&invoice["id"], &invoice["number"]));
    assert_ne!(memo["status"], "Draft", "posted");
    let lines = memo["salesCreditMemoLines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{memo}");
    assert_eq!((&lines[0]["lineObjectNumber"], lines[0]["quantity"].as_f64()), (&json!("1900-S"), Some(1.0)));
    assert_eq!(money(&memo["totalAmountIncludingTax"]), money(&made["amount"]), "the amount WooCommerce gave back");
    // The posted credit memo returned the item to NAV's stock (a positive ledger entry).
    let entries = stack.bc.control().entity_set(None, "itemLedgerEntries").unwrap();
    assert!(entries.iter().any(|e| e["documentNumber"] == memo["number"] && e["itemNumber"] == "1900-S" && e["quantity"].as_f64() == Some(1.0)), "{entries:?}");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn after_partial_posting_a_refund_goes_against_the_invoice_that_has_its_items() {
    let stack = stack_with("").await;
    let (placed, number) = synced(&stack).await;
    // Two invoices: first the 1900-S line (sequence 10000), then the rest.
    stack.bc.control().post_sales_order(None, &number, Some(&[(10000, Decimal::from(2))])).unwrap();
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    let invoices = invoices_of(&stack, &number);
    assert_eq!(invoices.len(), 2);
    refund(&stack, &placed, json!({"lines": [{"sku": "1896-S", "quantity": 1}]})).await;
    refund(&stack, &placed, json!({"lines": [{"sku": "1900-S", "quantity": 1}]})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let memos = credit_memos(&stack);
    assert_eq!(memos.len(), 2, "{memos:?}");
    for memo in &memos {
        let item = memo["salesCreditMemoLines"][0]["lineObjectNumber"].clone();
        let expected = if item == "1900-S" { &invoices[0] } else { &invoices[1] };
        assert_eq!(memo["invoiceNumber"], expected["number"], "{item} was posted with {}", expected["number"]);
    }
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_amount_only_refund_is_a_line_on_the_amount_account() {
    let stack = stack_with("").await;
    let (placed, number) = synced(&stack).await;
    // Before posting: a negative line on the sales order.
    refund(&stack, &placed, json!({"amount": "5.00", "reason": "late delivery"})).await;
    stack.wait_idle(IDLE).await.unwrap();
    let nav = &stack.sales_orders_for(&external(&placed))[0];
    let goodwill: Vec<&Value> = nav["salesOrderLines"].as_array().unwrap().iter().filter(|l| l["lineObjectNumber"] == "8500").collect();
    assert_eq!(goodwill.len(), 1, "{nav}");
    assert!(goodwill[0]["unitPrice"].as_f64().unwrap() < 0.0);
    // After posting: a credit memo with one G/L account line.
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    refund(&stack, &placed, json!({"amount": "7.50"})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let memos = credit_memos(&stack);
    assert_eq!(memos.len(), 1, "{memos:?}");
    let lines = memos[0]["salesCreditMemoLines"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!((&lines[0]["lineType"], &lines[0]["lineObjectNumber"]), (&json!("Account"), &json!("8500")));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_refund_event_twice_makes_one_credit_memo() {
    let stack = stack_with("").await;
    let (placed, number) = synced(&stack).await;
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    let made = refund(&stack, &placed, json!({"lines": [{"sku": "1896-S", "quantity": 1}]})).await;
    stack.wait_idle(IDLE).await.unwrap();
    let job = refund_job(&stack, made["id"].as_i64().unwrap());
    let replay = stack.cli(&["replay", &job.to_string()]);
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stderr));
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    assert_eq!(credit_memos(&stack).len(), 1);
    assert!(stack.audit_for(id(&placed)).iter().any(|a| a["action"] == "adopted existing credit memo"));
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refund_racing_its_order_waits_and_goes_in_with_it() {
    let stack = stack_with("").await;
    // The order cannot reach NAV yet (unknown SKU): it is parked, and its refund waits for it.
    let placed = stack
        .place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 3}, {"sku": "GIFT-WRAP", "quantity": 1}], "payment_method": "card"}))
        .await
        .unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    refund(&stack, &placed, json!({"lines": [{"sku": "1900-S", "quantity": 1}]})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    let reasons: Vec<String> = status["parked"].as_array().unwrap().iter().map(|p| p["reason"].as_str().unwrap_or_default().to_string()).collect();
    assert!(reasons.iter().any(|r| r.contains("waits for WooCommerce order")), "{reasons:?}");
    assert!(stack.sales_orders_for(&external(&placed)).is_empty());
    // The item is created in NAV; replaying sends the order with the refund already taken off.
    let mut seed: Value = serde_json::from_str(include_str!("../../seed/demo-shop.json")).unwrap();
    seed["items"] = json!([{"number": "GIFT-WRAP", "name": "Gift wrapping", "price": 4.0, "tax_group": "STANDARD", "stock": 100}]);
    for key in ["customers", "woo_only_products", "dimensions", "customer_price_groups", "payment_terms", "payment_methods",
                "shipment_methods", "locations", "countries", "item_charges", "gl_accounts"] {
        seed[key] = json!([]);
    }
    stack.bc.control().add_seed(seed).unwrap();
    stack.cli(&["replay", "--parked"]);
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let nav = stack.sales_orders_for(&external(&placed));
    assert_eq!(nav.len(), 1);
    assert_eq!(item_quantity(&nav[0], "1900-S"), Some(2.0), "{}", nav[0]);
    stack.shutdown().await;
}

/// Deletes a refund through WooCommerce's REST API (the admin has no other way).
async fn delete_refund(stack: &Stack, order: &Value, refund: &Value) {
    let cert = reqwest::Certificate::from_pem(stack.woo.cert_pem.as_deref().unwrap().as_bytes()).unwrap();
    let client = reqwest::Client::builder().add_root_certificate(cert).build().unwrap();
    let url = format!("{}/wp-json/wc/v3/orders/{}/refunds/{}?force=true", stack.woo.https_url.as_deref().unwrap(), id(order), refund["id"]);
    let answer = client.delete(url).basic_auth(&stack.woo.consumer_key, Some(&stack.woo.consumer_secret)).send().await.unwrap();
    assert!(answer.status().is_success(), "{}", answer.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refund_deleted_in_woocommerce_gives_back_its_quantity_or_its_draft_credit_memo() {
    let stack = Stack::start(StackOptions { woo_https: true, ..Default::default() }).await.unwrap();
    let (before, _) = synced(&stack).await;
    let made = refund(&stack, &before, json!({"lines": [{"sku": "1900-S", "quantity": 1}]})).await;
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(item_quantity(&stack.sales_orders_for(&external(&before))[0], "1900-S"), Some(1.0));
    delete_refund(&stack, &before, &made).await;
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(item_quantity(&stack.sales_orders_for(&external(&before))[0], "1900-S"), Some(2.0), "the quantity is back");

    let (after, number) = synced(&stack).await;
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    let made = refund(&stack, &after, json!({"lines": [{"sku": "1896-S", "quantity": 1}]})).await;
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(credit_memos(&stack).len(), 1);
    delete_refund(&stack, &after, &made).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    assert!(credit_memos(&stack).is_empty(), "the draft credit memo is deleted");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refund_deleted_after_its_credit_memo_was_posted_is_held_for_an_operator() {
    let stack = Stack::start(StackOptions { woo_https: true, extra_toml: "[refunds]\npost_credit_memos = true\n".into(), ..Default::default() }).await.unwrap();
    let (placed, number) = synced(&stack).await;
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    let made = refund(&stack, &placed, json!({"lines": [{"sku": "1896-S", "quantity": 1}]})).await;
    stack.wait_idle(IDLE).await.unwrap();
    delete_refund(&stack, &placed, &made).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(status["queue"]["held"], 1, "{status}");
    assert!(status["parked"].to_string().contains("cannot be deleted"), "{status}");
    assert_eq!(credit_memos(&stack).len(), 1, "a posted credit memo stays");
    stack.shutdown().await;
}

/// Legacy NAV page web services: lines reduced before posting; after posting a draft credit
/// memo through page 44, applied to the invoice page 132 finds by order number, once per refund
/// even when asked to post (pages cannot: the draft is left for NAV's users); a cancellation
/// after posting credits the whole invoice.
#[tokio::test(flavor = "multi_thread")]
async fn nav_page_services_reduce_lines_then_make_draft_credit_memos() {
    let stack = Stack::start(StackOptions {
        deployment: Deployment::NavPages,
        extra_toml: "[refunds]\npost_credit_memos = true\n".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let (placed, number) = synced(&stack).await;
    refund(&stack, &placed, json!({"lines": [{"sku": "1900-S", "quantity": 1}]})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    assert_eq!(item_quantity(&stack.sales_orders_for(&external(&placed))[0], "1900-S"), Some(1.0));
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    let second = refund(&stack, &placed, json!({"lines": [{"sku": "1896-S", "quantity": 1}]})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let invoice = invoices_of(&stack, &number).remove(0);
    let memos = credit_memos(&stack);
    assert_eq!(memos.len(), 1, "{memos:?}");
    let memo = &memos[0];
    assert_eq!(memo["externalDocumentNumber"], format!("{}-R{}", external(&placed), second["id"]));
    assert_eq!(memo["invoiceNumber"], invoice["number"], "applied to the posted invoice");
    assert_eq!(memo["status"], "Draft", "page web services cannot post");
    let lines = memo["salesCreditMemoLines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{memo}");
    assert_eq!((&lines[0]["lineObjectNumber"], lines[0]["quantity"].as_f64()), (&json!("1896-S"), Some(1.0)));
    // The same refund again (a replay): found by its external document number, not made twice.
    let job = refund_job(&stack, second["id"].as_i64().unwrap());
    let output = stack.cli(&["replay", &job.to_string()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(credit_memos(&stack).len(), 1);

    // Another order, posted, then cancelled: the whole invoice credited.
    let (other, other_number) = synced(&stack).await;
    stack.bc.control().post_sales_order(None, &other_number, None).unwrap();
    cancel(&stack, &other).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let other_invoice = invoices_of(&stack, &other_number).remove(0);
    let memo = credit_memos(&stack).into_iter().find(|m| m["externalDocumentNumber"] == format!("{}-C1", external(&other))).expect("cancellation credit memo");
    assert_eq!(memo["invoiceNumber"], other_invoice["number"]);
    assert_eq!(money(&memo["totalAmountIncludingTax"]), money(&other_invoice["totalAmountIncludingTax"]), "for all of it");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restocked_refund_is_not_held_as_pending_stock_twice() {
    let stack = stack_with("[schedules]\ninventory = \"off\"\ninventory_full = \"off\"\n").await;
    let (placed, _) = synced(&stack).await;
    let nav_stock = || {
        let items = stack.bc.control().entity_set(None, "items").unwrap();
        items.iter().find(|i| i["number"] == "1900-S").map(|i| i["inventory"].as_f64().unwrap() as i64).unwrap()
    };
    let woo_stock = || stack.woo.control().product_by_sku("1900-S").unwrap()["stock_quantity"].as_i64().unwrap();
    let sync = || {
        let output = stack.cli(&["sync", "inventory", "--json"]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    sync();
    assert_eq!(woo_stock(), nav_stock() - 2, "the open sales order holds 2");
    // Refunded with restock: WooCommerce puts 1 back, and the sales order line drops to 1.
    refund(&stack, &placed, json!({"restock": true, "lines": [{"sku": "1900-S", "quantity": 1}]})).await;
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(woo_stock(), nav_stock() - 1);
    sync();
    assert_eq!(woo_stock(), nav_stock() - 1, "only the 1 still on the sales order is pending");
    stack.shutdown().await;
}

/// The sales order's or credit memo's lines on a G/L account.
fn account_lines(document: &Value, lines: &str, account: &str) -> Vec<Value> {
    document[lines].as_array().unwrap().iter().filter(|l| l["lineType"] == "Account" && l["lineObjectNumber"] == account).cloned().collect()
}

fn woo_stock(stack: &Stack, sku: &str) -> i64 {
    stack.woo.control().product_by_sku(sku).unwrap()["stock_quantity"].as_i64().unwrap()
}

fn shipping_item(order: &Value) -> i64 {
    order["shipping_lines"][0]["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shipping_refund_before_posting_lowers_then_removes_the_shipping_line() {
    let stack = stack_with("").await;
    let (placed, number) = synced(&stack).await;
    let before = stack.sales_orders_for(&external(&placed)).remove(0);
    let shipping_before = account_lines(&before, "salesOrderLines", "8100");
    assert_eq!(shipping_before.len(), 1, "{before}");
    let stock = (woo_stock(&stack, "1900-S"), woo_stock(&stack, "1896-S"));
    // Part of the shipping back, "restock" ticked as the admin screen leaves it.
    let first = refund(&stack, &placed, json!({"reason": "late", "restock": true, "lines": [{"item_id": shipping_item(&placed), "refund_total": "4.00"}]})).await;
    assert_eq!(first["shipping_lines"][0]["total"], "-4.00", "{first}");
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let nav = stack.sales_orders_for(&external(&placed)).remove(0);
    assert_eq!(nav["number"], number.as_str(), "the same sales order");
    let shipping = account_lines(&nav, "salesOrderLines", "8100");
    assert_eq!(shipping.len(), 1, "{nav}");
    assert!(money(&shipping[0]["unitPrice"]) < money(&shipping_before[0]["unitPrice"]), "lowered: {nav}");
    assert!(account_lines(&nav, "salesOrderLines", "8500").is_empty(), "the shipping line takes the whole refund: {nav}");
    assert_eq!(money(&before["totalAmountIncludingTax"]) - money(&nav["totalAmountIncludingTax"]), money(&first["amount"]), "{nav}");
    // The rest of the shipping back: the line goes.
    refund(&stack, &placed, json!({"lines": [{"item_id": shipping_item(&placed), "refund_total": "6.00"}]})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let nav = stack.sales_orders_for(&external(&placed)).remove(0);
    assert!(account_lines(&nav, "salesOrderLines", "8100").is_empty(), "shipping refunded in full is removed: {nav}");
    assert!(account_lines(&nav, "salesOrderLines", "8500").is_empty(), "{nav}");
    assert_eq!((item_quantity(&nav, "1900-S"), item_quantity(&nav, "1896-S")), (Some(2.0), Some(1.0)), "the items stay");
    assert_eq!((woo_stock(&stack, "1900-S"), woo_stock(&stack, "1896-S")), stock, "a shipping refund restocks nothing");
    stack.shutdown().await;
}

/// Adds G/L account 8150 to NAV, set up as the shipping account 8100 is (the demo seed's).
fn add_shipping_refunds_account(stack: &Stack) {
    let mut seed: Value = serde_json::from_str(include_str!("../../seed/demo-shop.json")).unwrap();
    let mut account = seed["gl_accounts"].as_array().unwrap().iter().find(|a| a["number"] == "8100").cloned().unwrap();
    account["number"] = json!("8150");
    account["name"] = json!("Shipping Refunds");
    for key in ["customers", "items", "woo_only_products", "dimensions", "customer_price_groups", "payment_terms", "payment_methods",
                "shipment_methods", "locations", "countries", "item_charges"] {
        seed[key] = json!([]);
    }
    seed["gl_accounts"] = json!([account]);
    stack.bc.control().add_seed(seed).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shipping_refund_after_posting_is_a_credit_memo_line_on_the_shipping_account() {
    let stack = stack_with("[refunds]\nshipping_account = \"8150\"\npost_credit_memos = true\n").await;
    add_shipping_refunds_account(&stack);
    let (placed, number) = synced(&stack).await;
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    let stock = (woo_stock(&stack, "1900-S"), woo_stock(&stack, "1896-S"));
    let made = refund(&stack, &placed, json!({"reason": "late", "restock": true, "lines": [{"item_id": shipping_item(&placed), "refund_total": "7.50"}]})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let invoice = invoices_of(&stack, &number).remove(0);
    let memos = credit_memos(&stack);
    assert_eq!(memos.len(), 1, "{memos:?}");
    let memo = &memos[0];
    assert_eq!(memo["externalDocumentNumber"], format!("{}-R{}", external(&placed), made["id"]));
    assert_eq!(memo["invoiceNumber"], invoice["number"]);
    let lines = memo["salesCreditMemoLines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "only the shipping line: {memo}");
    assert_eq!(account_lines(memo, "salesCreditMemoLines", "8150").len(), 1, "on refunds.shipping_account: {memo}");
    assert!(lines[0]["description"].as_str().unwrap().contains("DHL"), "{memo}");
    assert_eq!(money(&memo["totalAmountIncludingTax"]), money(&made["amount"]), "the amount WooCommerce gave back");
    assert_eq!((woo_stock(&stack, "1900-S"), woo_stock(&stack, "1896-S")), stock, "a shipping refund restocks nothing");
    let entries = stack.bc.control().entity_set(None, "itemLedgerEntries").unwrap();
    assert!(entries.iter().all(|e| e["documentNumber"] != memo["number"]), "the posted credit memo moves no item: {entries:?}");
    stack.shutdown().await;
}

/// WooCommerce restocks a refunded item at once; after posting, NAV counts it only when the credit
/// memo is posted. The next incremental run must bring WooCommerce back to NAV's figure, although
/// NAV's stock did not move (an incremental run otherwise looks only at items whose NAV stock moved).
#[tokio::test(flavor = "multi_thread")]
async fn a_restocking_refund_after_posting_does_not_leave_woocommerce_above_nav() {
    let stack = stack_with("[schedules]\ninventory = \"every 2s\"\ninventory_full = \"off\"\n").await;
    let woo_stock = |stack: &Stack| stack.woo.control().product_by_sku("1900-S").unwrap()["stock_quantity"].as_i64().unwrap();
    let nav_stock = |stack: &Stack| {
        let items = stack.bc.control().entity_set(None, "items").unwrap();
        items.iter().find(|i| i["number"] == "1900-S").map(|i| money(&i["inventory"])).unwrap()
    };
    let (placed, number) = synced(&stack).await;
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    let settled = ml_connector_e2e::eventually(IDLE, "WooCommerce at NAV's stock after the shipment", || {
        (Decimal::from(woo_stock(&stack)) == nav_stock(&stack)).then(|| woo_stock(&stack))
    })
    .await
    .unwrap();
    refund(&stack, &placed, json!({"reason": "returned", "restock": true, "lines": [{"sku": "1900-S", "quantity": 1}]})).await;
    assert_eq!(woo_stock(&stack), settled + 1, "WooCommerce restocked at once");
    stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(credit_memos(&stack).len(), 1);
    ml_connector_e2e::eventually(IDLE, "WooCommerce back at NAV's figure", || (woo_stock(&stack) == settled).then_some(()))
        .await
        .unwrap_or_else(|e| panic!("{e}: WooCommerce {}, NAV {}\n{}", woo_stock(&stack), nav_stock(&stack), stack.log()));
    stack.shutdown().await;
}

/// Found by the fault matrix: on an order with two tax rates an amount refund's line is priced at
/// the order's average rate, but NAV taxes it at its G/L account's own rate — the credit memo
/// came out at 2.28 for 2.00 given back. It must total what WooCommerce refunded.
#[tokio::test(flavor = "multi_thread")]
async fn an_amount_refund_after_posting_on_a_mixed_rate_order_credits_exactly_the_amount() {
    let stack = stack_with("").await;
    let placed = stack
        .place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}, {"sku": "BOOK-01", "quantity": 3}], "payment_method": "card"}))
        .await
        .unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    let number = stack.sales_orders_for(&external(&placed))[0]["number"].as_str().unwrap().to_string();
    stack.bc.control().post_sales_order(None, &number, None).unwrap();
    refund(&stack, &placed, json!({"amount": "2.00", "reason": "late delivery"})).await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let memos = credit_memos(&stack);
    assert_eq!(memos.len(), 1, "{memos:?}");
    assert_eq!(money(&memos[0]["totalAmountIncludingTax"]), "2.00".parse::<Decimal>().unwrap(), "{}", memos[0]);
    stack.shutdown().await;
}

/// An amount refund before posting on an order with two tax rates: its line is priced again from
/// the G/L account's rate so NAV's total meets WooCommerce's. A later edit of the order in
/// WooCommerce keeps that line as it is — no average-rate line back, no rounding line, no hold.
#[tokio::test(flavor = "multi_thread")]
async fn an_order_edited_after_an_amount_refund_keeps_the_refund_priced_for_navs_tax() {
    let stack = stack_with("").await;
    let placed = stack
        .place_order(json!({"checkout": "classic", "customer_id": 2, "items": [{"sku": "1900-S", "quantity": 1}, {"sku": "BOOK-01", "quantity": 3}], "payment_method": "card"}))
        .await
        .unwrap();
    stack.wait_idle(IDLE).await.unwrap();
    refund(&stack, &placed, json!({"amount": "2.00", "reason": "late delivery"})).await;
    stack.wait_idle(IDLE).await.unwrap();
    let woo_total = |stack: &Stack| money(&stack.woo_order(id(&placed))["total"]) - "2.00".parse::<Decimal>().unwrap();
    let nav = stack.sales_orders_for(&external(&placed))[0].clone();
    assert_eq!(money(&nav["totalAmountIncludingTax"]), woo_total(&stack), "{nav}");
    let refund_line = account_lines(&nav, "salesOrderLines", "8500");
    assert_eq!(refund_line.len(), 1, "{nav}");

    let change: woo_sim::control::admin::ChangeOrder = serde_json::from_value(json!({"billing": {"phone": "+44 113 496 2222"}})).unwrap();
    stack.woo.control().change_order(id(&placed), change).await.unwrap();
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_nothing_parked(&stack, &status);
    let nav = stack.sales_orders_for(&external(&placed))[0].clone();
    assert_eq!(money(&nav["totalAmountIncludingTax"]), woo_total(&stack), "{nav}");
    assert_eq!(account_lines(&nav, "salesOrderLines", "8500"), refund_line, "the refund line is kept as NAV's tax needs it");
    assert!(account_lines(&nav, "salesOrderLines", "8400").is_empty(), "no rounding line: {nav}");
    stack.shutdown().await;
}
