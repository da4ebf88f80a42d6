//! Unit tests of the customer card, fingerprints and field-by-field reconciliation (no I/O).

use super::*;

fn settings(json: Value) -> CustomerSettings {
    crate::config::load(&json!({ "customers": json }), None, None).unwrap().customers
}

fn customer(json: Value) -> Customer {
    serde_json::from_value(json).unwrap()
}

fn tom() -> Customer {
    customer(json!({"id": 3, "email": "Tom@Trade.example", "first_name": "Tom", "last_name": "Trader", "role": "wholesale_customer",
        "billing": {"first_name": "Tom", "last_name": "Trader", "company": "Trader & Sons", "address_1": "Oudegracht 1", "city": "Utrecht",
                    "postcode": "3511 aa", "country": "nl", "phone": "+31 30 123 4567 ext. 9", "email": "billing@trade.example"},
        "meta_data": [{"key": "billing_vat_id", "value": "NL123456789B01"}]}))
}

#[test]
fn a_woo_customer_becomes_a_nav_card_with_nav_lengths_and_codes() {
    let card = card_from_woo(&tom(), &settings(json!({}))).unwrap();
    assert_eq!(card.name, "Trader & Sons");
    assert!(!card.person);
    assert_eq!(card.email, "Tom@Trade.example", "the account e-mail, not the billing one");
    assert_eq!(card.phone, "+31 30 123 4567");
    assert_eq!(card.address.post_code, "3511 AA");
    assert_eq!(card.address.country, "NL");
    assert_eq!(card.tax_id, "NL123456789B01");
    let nameless = customer(json!({"id": 9, "email": "x@y.example"}));
    assert_eq!(card_from_woo(&nameless, &settings(json!({}))).unwrap_err(), MappingError::NoCustomerName);
}

#[test]
fn rules_see_a_customer_as_an_order_without_a_source() {
    let subject = rule_subject(&tom());
    assert_eq!(subject.customer_roles, vec!["wholesale_customer".to_string()]);
    assert_eq!(subject.billing.email, "billing@trade.example");
    assert!(!subject.is_guest());
}

#[test]
fn fingerprints_ignore_email_case_and_see_every_shared_field() {
    let card = card_from_woo(&tom(), &settings(json!({}))).unwrap();
    let mut same = card.clone();
    same.email = same.email.to_uppercase();
    assert_eq!(card_fingerprint(&card), card_fingerprint(&same));
    let mut moved = card.clone();
    moved.address.city = "Amsterdam".into();
    assert_ne!(card_fingerprint(&card), card_fingerprint(&moved));
}

#[test]
fn the_side_that_changed_since_the_last_sync_wins() {
    let synced = card_from_woo(&tom(), &settings(json!({}))).unwrap();
    let fp = card_fingerprint(&synced);
    let mut woo = synced.clone();
    woo.phone = "+31 30 999".into();
    let mut nav = synced.clone();
    nav.address.city = "Amsterdam".into();
    let plan = reconcile(&woo, &nav, Some(&fp), Some(&fp), &settings(json!({})));
    assert_eq!(plan.to_nav, vec![CustomerField::Phone]);
    assert_eq!(plan.to_woo, vec![CustomerField::Address]);
    assert!(plan.conflicts.is_empty());
    assert!(reconcile(&synced, &synced, Some(&fp), Some(&fp), &settings(json!({}))).is_empty(), "nothing differs: nothing moves");
}

#[test]
fn when_both_changed_the_owner_decides_and_the_conflict_is_named() {
    let synced = card_from_woo(&tom(), &settings(json!({}))).unwrap();
    let fp = card_fingerprint(&synced);
    let mut woo = synced.clone();
    woo.address.city = "Rotterdam".into();
    let mut nav = synced.clone();
    nav.address.city = "Amsterdam".into();
    let plan = reconcile(&woo, &nav, Some(&fp), Some(&fp), &settings(json!({})));
    assert_eq!(plan.to_nav, vec![CustomerField::Address], "WooCommerce owns contact fields by default");
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.conflicts[0].winner, Side::Woo);
    assert!(plan.conflicts[0].rule.contains("customers.owners.address = woo"), "{:?}", plan.conflicts);
    let plan = reconcile(&woo, &nav, Some(&fp), Some(&fp), &settings(json!({"owners": {"address": "nav"}})));
    assert_eq!(plan.to_woo, vec![CustomerField::Address]);
    assert_eq!(plan.conflicts[0].winner, Side::Nav);
}

#[test]
fn nav_names_and_vat_ids_do_not_go_to_woo_and_linked_differences_wait_for_a_change() {
    let synced = card_from_woo(&tom(), &settings(json!({}))).unwrap();
    let fp = card_fingerprint(&synced);
    let mut nav = synced.clone();
    nav.name = "Trader and Sons B.V.".into();
    nav.tax_id = "NL000".into();
    assert!(reconcile(&synced, &nav, Some(&fp), Some(&fp), &settings(json!({}))).is_empty());
    // Linked while they differed: both fingerprints are what each side held; nothing moves.
    let plan = reconcile(&synced, &nav, Some(&fp), Some(&card_fingerprint(&nav)), &settings(json!({})));
    assert!(plan.is_empty() && plan.conflicts.is_empty(), "{plan:?}");
}

#[test]
fn patches_carry_only_the_fields_that_move() {
    let card = card_from_woo(&tom(), &settings(json!({}))).unwrap();
    let nav = nav_patch(&card, &[CustomerField::Phone, CustomerField::TaxId]);
    assert_eq!(nav, json!({"phoneNumber": "+31 30 123 4567", "taxRegistrationNumber": "NL123456789B01"}));
    let woo = woo_patch(&card, &[CustomerField::Email, CustomerField::Address]);
    assert_eq!(woo["email"], "Tom@Trade.example");
    assert_eq!(woo["billing"]["email"], "Tom@Trade.example");
    assert_eq!(woo["billing"]["postcode"], "3511 AA");
    assert!(woo["billing"].get("phone").is_none());
}
