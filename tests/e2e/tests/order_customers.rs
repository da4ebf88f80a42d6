//! Customers the order flow creates get the payment terms and payment method `[customers]` maps
//! for the order's payment method — through the API (ids, looked up once per code) and through
//! the Customer Card page (codes) when a rule gives the customer a price group.

use std::time::Duration;

use ml_connector_e2e::{Stack, StackOptions};
use serde_json::{json, Value};

const IDLE: Duration = Duration::from_secs(60);

const MAPPING: &str = "[customers]\npayment_terms = { bacs = \"14 days\", \"*\" = \"30 days\" }\npayment_methods = { bacs = \"bank\" }\n";

fn master_id(stack: &Stack, set: &str, code: &str) -> Value {
    stack.bc.control().entity_set(None, set).unwrap().into_iter().find(|m| m["code"] == code).map(|m| m["id"].clone()).unwrap_or(Value::Null)
}

fn nav_customer_by_email(stack: &Stack, email: &str) -> Value {
    stack.bc.control().entity_set(None, "customers").unwrap().into_iter().find(|c| c["email"] == email).unwrap_or(Value::Null)
}

async fn guest_order(stack: &Stack, checkout: &str, email: &str, payment_method: &str) {
    stack
        .place_order(json!({"checkout": checkout, "billing": {"email": email, "first_name": "Pat", "last_name": "Payer", "address_1": "1 Road",
            "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"}, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": payment_method, "status": "processing"}))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_customer_created_with_an_order_gets_the_mapped_payment_terms_and_method() {
    let stack = Stack::start(StackOptions { extra_toml: MAPPING.into(), ..Default::default() }).await.unwrap();
    // Admin orders match no rule: the customer is made through the API (ids).
    guest_order(&stack, "admin", "pat@bank.example", "bacs").await;
    // A checkout matches "Web shop" (price group RETAIL): made through the Customer Card page.
    guest_order(&stack, "classic", "kim@card.example", "card").await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_eq!((status["queue"]["parked"].as_i64(), status["queue"]["held"].as_i64()), (Some(0), Some(0)), "{}\n{}", status["parked"], stack.log());

    let pat = nav_customer_by_email(&stack, "pat@bank.example");
    assert_eq!(pat["paymentTermsId"], master_id(&stack, "paymentTerms", "14 DAYS"), "{pat}");
    assert_eq!(pat["paymentMethodId"], master_id(&stack, "paymentMethods", "BANK"), "{pat}");
    let kim = nav_customer_by_email(&stack, "kim@card.example");
    assert_eq!(kim["paymentTermsId"], master_id(&stack, "paymentTerms", "30 DAYS"), "the \"*\" mapping: {kim}");
    assert_eq!(kim["_sim"]["customerPriceGroup"], "RETAIL");

    // A second new customer on the API path: the codes' ids are known, 3 requests as without a mapping.
    let before = stack.bc.control().journal().total();
    guest_order(&stack, "admin", "lee@bank.example", "bacs").await;
    stack.wait_idle(IDLE).await.unwrap();
    let requests: Vec<String> = stack.bc.control().journal().since(before).iter().filter(|r| !r.uri.contains("/oauth2/")).map(|r| format!("{} {}", r.method, r.uri)).collect();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    assert_eq!(nav_customer_by_email(&stack, "lee@bank.example")["paymentMethodId"], master_id(&stack, "paymentMethods", "BANK"));
    stack.shutdown().await;
}

/// A rule's posting groups go with the new customer (Customer Card page, one request), so NAV
/// can post its orders; a posting group NAV does not have parks the order with BC's message and
/// creates nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_customer_created_with_an_order_gets_the_rules_posting_groups() {
    let stack = Stack::start(StackOptions::default()).await.unwrap();
    guest_order(&stack, "admin", "ola@trade.example", "bacs").await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert_eq!(status["queue"]["parked"].as_i64(), Some(0), "{}\n{}", status["parked"], stack.log());
    let ola = nav_customer_by_email(&stack, "ola@trade.example");
    assert_eq!(ola["_sim"]["postingGroups"], json!({"customer": "DOMESTIC", "genBus": "DOMESTIC", "vatBus": "DOMESTIC"}), "{ola}");
    stack.shutdown().await;

    let rule = "[[orders.rules]]\nname = \"Export\"\nwhen = { country = [\"US\"] }\nthen = { gen_bus_posting_group = \"OVERSEAS\" }\n";
    let stack = Stack::start(StackOptions { extra_toml: rule.into(), ..Default::default() }).await.unwrap();
    stack
        .place_order(json!({"checkout": "admin", "billing": {"email": "max@us.example", "first_name": "Max", "last_name": "Abroad", "address_1": "1 Main St",
            "city": "Austin", "postcode": "73301", "country": "US"}, "items": [{"sku": "1900-S", "quantity": 1}], "payment_method": "bacs", "status": "processing"}))
        .await
        .unwrap();
    let status = stack.wait_idle(IDLE).await.unwrap();
    assert!(status["parked"].to_string().contains("OVERSEAS"), "{}", status["parked"]);
    assert_eq!(nav_customer_by_email(&stack, "max@us.example"), Value::Null, "nothing created");
    stack.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mapped_code_nav_does_not_have_parks_the_order_naming_the_setting() {
    let stack = Stack::start(StackOptions { extra_toml: "[customers]\npayment_terms = { \"*\" = \"60 days\" }\n".into(), ..Default::default() }).await.unwrap();
    guest_order(&stack, "admin", "sam@example.com", "bacs").await;
    let status = stack.wait_idle(IDLE).await.unwrap();
    let parked = status["parked"].as_array().unwrap();
    assert_eq!(parked.len(), 1, "{status}");
    let reason = parked[0]["reason"].as_str().unwrap();
    assert!(reason.contains("paymentTerms code \"60 DAYS\"") && reason.contains("customers.payment_terms"), "{reason}");
    assert_eq!(nav_customer_by_email(&stack, "sam@example.com"), Value::Null, "no customer half made");
    stack.shutdown().await;
}
