//! The control API (`/_sim/…` and the in-process `Control` handle): posting as a BC user would,
//! stock movements, customer edits that fire webhooks, reset and seed, reading everything back.

mod common;

use bc_sim::SeedSource;
use common::{eventually, Receiver, Sim};
use rust_decimal::Decimal;
use serde_json::{json, Value};

#[tokio::test]
async fn posting_an_order_partially_gives_several_invoices() {
    let sim = Sim::start().await;
    let order = sim
        .post_ok(
            &sim.url("salesOrders"),
            json!({"customerNumber": "20000", "externalDocumentNumber": "WC-PART", "salesOrderLines": [
                {"lineType": "Item", "lineObjectNumber": "1900-S", "quantity": 3},
                {"lineType": "Charge", "lineObjectNumber": "S-FREIGHT", "quantity": 1, "unitPrice": 10}
            ]}),
        )
        .await;
    let number = order["number"].as_str().unwrap();
    let first = sim.control().post_sales_order(None, number, Some(&[(10000, Decimal::ONE)])).unwrap();
    assert!(!first.order_deleted);
    let still_open =
        sim.get_json(&sim.url(&format!("salesOrders({})/salesOrderLines", order["id"].as_str().unwrap()))).await;
    assert_eq!(still_open["value"][0]["shippedQuantity"], 1);
    assert_eq!(still_open["value"][0]["invoicedQuantity"], 1);
    assert_eq!(still_open["value"][0]["shipQuantity"], 2, "the rest is proposed for the next posting");
    let url = format!("{}/sales-orders/{number}/post", sim.info().control_url);
    let second: Value = sim.http.post(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(second["order_deleted"], true, "a user's posting assigns item charges");
    let invoices = sim
        .get_json(&format!("{}?$filter=orderNumber eq '{number}'&$expand=salesInvoiceLines", sim.url("salesInvoices")))
        .await;
    let invoices = invoices["value"].as_array().unwrap();
    assert_eq!(invoices.len(), 2);
    assert_eq!(invoices[0]["salesInvoiceLines"][0]["quantity"], 1);
    assert_eq!(invoices[1]["salesInvoiceLines"][0]["quantity"], 2);
    assert_eq!(sim.get(&sim.url(&format!("salesOrders({})", order["id"].as_str().unwrap()))).await.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn purchase_receipts_and_adjustments_post_ledger_entries_with_location_and_variant() {
    let sim = Sim::start().await;
    let url = format!("{}/item-entries", sim.info().control_url);
    let receipt: Value = sim
        .http
        .post(&url)
        .json(&json!({"item": "TSHIRT", "quantity": 5, "kind": "purchase", "location": "EAST", "variant": "S"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(receipt["entryType"], "Purchase");
    assert_eq!(receipt["documentType"], "Purchase_x0020_Receipt");
    assert_eq!(receipt["quantity"], 5);
    let negative: Value = sim
        .http
        .post(&url)
        .json(&json!({"item": "TSHIRT", "quantity": 2, "kind": "negative", "variant": "L"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(negative["entryType"], "Negative_x0020_Adjmt_x002E_");
    assert_eq!(negative["quantity"], -2);
    assert_eq!(sim.item("TSHIRT").await["inventory"], 35);
    let entries = sim.control().entity_set(None, "itemLedgerEntries").unwrap();
    let last = entries.iter().rev().nth(1).unwrap();
    assert_eq!(last["_sim"]["locationCode"], "EAST");
    assert_eq!(last["_sim"]["variantCode"], "S");
    assert!(last.get("locationCode").is_none(), "API v2.0 does not expose the location");
    let bad = sim
        .http
        .post(&url)
        .json(&json!({"item": "TSHIRT", "quantity": 1, "kind": "positive", "variant": "XXL"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn editing_a_customer_as_a_nav_user_fires_the_webhook() {
    let mut config = bc_sim::Config::demo();
    config.webhooks.delay_ms = 60_000;
    let sim = Sim::with(config).await;
    let receiver = Receiver::start().await;
    let resource = format!("api/v2.0/companies({})/customers", sim.info().company_id);
    sim.post_ok(&sim.api("subscriptions"), json!({"notificationUrl": receiver.url, "resource": resource})).await;
    let edited: Value = sim
        .http
        .patch(format!("{}/customers/30000", sim.info().control_url))
        .json(&json!({"email": "jane@new.example", "customerPriceGroup": "STAFF"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(edited["email"], "jane@new.example");
    sim.control().flush_webhooks().await;
    let notification = &receiver.notifications()[0];
    assert_eq!(notification.body["value"][0]["changeType"], "updated");
    assert_eq!(notification.body["value"][0]["resource"], format!("{resource}({})", edited["id"].as_str().unwrap()));
    let headers: Vec<&str> = notification.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert!(headers.contains(&"clientrequestid") && headers.contains(&"x-ms-correlation-id"));
    let sent = sim.control().notifications();
    assert!(sent.iter().any(|s| s.kind == "handshake") && sent.iter().any(|s| s.kind == "notification"));
    sim.shutdown().await;
}

#[tokio::test]
async fn null_updates_send_no_notification_and_keep_the_etag() {
    let mut config = bc_sim::Config::demo();
    config.webhooks.delay_ms = 60_000;
    let sim = Sim::with(config).await;
    let receiver = Receiver::start().await;
    let resource = format!("/api/v2.0/companies({})/customers", sim.info().company_id);
    sim.post_ok(&sim.api("subscriptions"), json!({"notificationUrl": receiver.url, "resource": resource})).await;
    let customer = sim.get_json(&sim.url("customers?$top=1")).await["value"][0].clone();
    let url = sim.url(&format!("customers({})", customer["id"].as_str().unwrap()));
    let same: Value = sim.patch(&url, Some("*"), json!({"city": customer["city"]})).await.json().await.unwrap();
    assert_eq!(same["@odata.etag"], customer["@odata.etag"]);
    sim.control().flush_webhooks().await;
    assert!(receiver.notifications().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn order_line_changes_notify_the_order_and_posting_notifies_deletion_and_invoice() {
    let mut config = bc_sim::Config::demo();
    config.webhooks.delay_ms = 60_000;
    let sim = Sim::with(config).await;
    let receiver = Receiver::start().await;
    let company = sim.info().company_id;
    for set in ["salesOrders", "salesInvoices"] {
        sim.post_ok(
            &sim.api("subscriptions"),
            json!({"notificationUrl": receiver.url, "resource": format!("/api/v2.0/companies({company})/{set}")}),
        )
        .await;
    }
    let order = sim.create_order("WC-HOOK").await;
    sim.control().flush_webhooks().await;
    let lines =
        sim.get_json(&sim.url(&format!("salesOrders({})/salesOrderLines", order["id"].as_str().unwrap()))).await;
    let line_url = sim.url(&format!("salesOrderLines({})", lines["value"][0]["id"].as_str().unwrap()));
    sim.patch(&line_url, Some("*"), json!({"quantity": 1})).await;
    sim.control().flush_webhooks().await;
    sim.action(&sim.url(&format!("salesOrders({})/Microsoft.NAV.shipAndInvoice", order["id"].as_str().unwrap()))).await;
    sim.control().flush_webhooks().await;
    let changes: Vec<(String, String)> = receiver
        .notifications()
        .iter()
        .flat_map(|n| n.body["value"].as_array().unwrap().clone())
        .map(|v| {
            (
                v["resource"].as_str().unwrap().split('/').next_back().unwrap().split('(').next().unwrap().to_string(),
                v["changeType"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("salesOrders".to_string(), "created".to_string()),
            ("salesOrders".to_string(), "updated".to_string()),
            ("salesInvoices".to_string(), "created".to_string()),
            ("salesOrders".to_string(), "deleted".to_string()),
        ],
        "changes in order; the posting's invoice and deletion arrive in one POST"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn subscription_renewal_needs_if_match_and_repeats_the_handshake() {
    let sim = Sim::start().await;
    let receiver = Receiver::start().await;
    let resource = format!("/api/v2.0/companies({})/items", sim.info().company_id);
    let created =
        sim.post_ok(&sim.api("subscriptions"), json!({"notificationUrl": receiver.url, "resource": resource})).await;
    let url = sim.api(&format!("subscriptions('{}')", created["subscriptionId"].as_str().unwrap()));
    assert_eq!(sim.patch(&url, None, json!({"notificationUrl": receiver.url})).await.status(), 400);
    let renewed =
        sim.patch(&url, Some(created["@odata.etag"].as_str().unwrap()), json!({"notificationUrl": receiver.url})).await;
    assert_eq!(renewed.status(), 200);
    let renewed: Value = renewed.json().await.unwrap();
    assert!(renewed["expirationDateTime"].as_str().unwrap() >= created["expirationDateTime"].as_str().unwrap());
    assert_eq!(receiver.handshakes(), 2);
    assert_eq!(sim.delete(&url, Some(renewed["@odata.etag"].as_str().unwrap())).await.status(), 204);
    sim.shutdown().await;
}

#[tokio::test]
async fn expired_subscriptions_are_deleted_and_send_nothing() {
    let mut config = bc_sim::Config::demo();
    config.webhooks.subscription_ttl_secs = 1;
    config.webhooks.delay_ms = 40;
    let sim = Sim::with(config).await;
    let receiver = Receiver::start().await;
    let resource = format!("/api/v2.0/companies({})/customers", sim.info().company_id);
    sim.post_ok(&sim.api("subscriptions"), json!({"notificationUrl": receiver.url, "resource": resource})).await;
    eventually(|| async {
        let list = sim.get_json(&sim.api("subscriptions")).await;
        list["value"].as_array().unwrap().is_empty().then_some(())
    })
    .await;
    sim.post_ok(&sim.url("customers"), json!({"displayName": "After expiry"})).await;
    sim.control().flush_webhooks().await;
    assert!(receiver.notifications().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn reset_restores_the_seed_and_drops_subscriptions() {
    let sim = Sim::start().await;
    sim.create_order("WC-RESET").await;
    let receiver = Receiver::start().await;
    let resource = format!("/api/v2.0/companies({})/customers", sim.info().company_id);
    sim.post_ok(&sim.api("subscriptions"), json!({"notificationUrl": receiver.url, "resource": resource})).await;
    let response = sim.http.post(format!("{}/reset", sim.info().control_url)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(sim.get_json(&sim.url("salesOrders")).await["value"].as_array().unwrap().is_empty());
    assert!(sim.get_json(&sim.api("subscriptions")).await["value"].as_array().unwrap().is_empty());
    assert_eq!(sim.item("1896-S").await["inventory"], 12);
    sim.control().reset(Some(SeedSource::Empty), None).unwrap();
    assert!(sim.get_json(&sim.url("items")).await["value"].as_array().unwrap().is_empty());
    assert_eq!(
        sim.get_json(&sim.url("taxGroups")).await["value"].as_array().unwrap().len(),
        3,
        "the company setup stays"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn seed_adds_records_to_the_company() {
    let sim = Sim::start().await;
    let seed = json!({
        "company": {"name": "CRONUS International Ltd.", "id": sim.info().company_id, "currency": "EUR"},
        "items": [{"number": "NEW-LAMP", "name": "New lamp", "price": 12.5, "tax_group": "STANDARD", "stock_by_location": {"EAST": 3}}]
    });
    let response = sim.http.post(format!("{}/seed", sim.info().control_url)).json(&seed).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(sim.item("NEW-LAMP").await["inventory"], 3);
    let again = sim.http.post(format!("{}/seed", sim.info().control_url)).json(&seed).send().await.unwrap();
    assert_eq!(again.status(), 400, "a record cannot be seeded twice");
    sim.shutdown().await;
}

#[tokio::test]
async fn data_dump_shows_every_record_written() {
    let sim = Sim::start().await;
    sim.create_order("WC-DUMP").await;
    let dump: Value =
        sim.http.get(format!("{}/data", sim.info().control_url)).send().await.unwrap().json().await.unwrap();
    let company = &dump["companies"][0];
    assert_eq!(company["name"], "CRONUS International Ltd.");
    let orders = company["_sim"]["salesOrders"].as_array().unwrap();
    assert_eq!(orders[0]["externalDocumentNumber"], "WC-DUMP");
    assert_eq!(orders[0]["salesOrderLines"].as_array().unwrap().len(), 2);
    assert_eq!(orders[0]["_sim"]["customerPriceGroup"], "TRADE");
    assert_eq!(company["_sim"]["items"].as_array().unwrap().len(), 15);
    let set: Value =
        sim.http.get(format!("{}/data/customers", sim.info().control_url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(set.as_array().unwrap().len(), 4);
    sim.shutdown().await;
}

#[tokio::test]
async fn synthetic_items_have_stock() {
    let mut config = bc_sim::Config::demo();
    config.synthetic_items = 3;
    let sim = Sim::with(config).await;
    let item = sim.item("SYN-000002").await;
    assert_eq!(item["inventory"], 3);
    assert_eq!(item["taxGroupCode"], "STANDARD");
    sim.shutdown().await;
}
