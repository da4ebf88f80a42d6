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
    let woo = woo_patch(&card, &[CustomerField::Email, CustomerField::Address]);
    assert_eq!(woo["email"], "Tom@Trade.example");
    assert_eq!(woo["billing"]["email"], "Tom@Trade.example");
    assert_eq!(woo["billing"]["postcode"], "3511 AA");
    assert!(woo["billing"].get("phone").is_none());
}

fn with_shipping(mut customer: Customer) -> Customer {
    customer.shipping = serde_json::from_value(json!({"first_name": "Tom", "last_name": "Trader", "company": "Trader & Sons",
        "address_1": "Havenkade 7", "city": "Rotterdam", "postcode": "3011 ab", "country": "nl", "phone": "010 555 12 34"}))
    .unwrap();
    customer
}

#[test]
fn the_shipping_address_is_a_ship_to_card_only_when_a_code_is_configured() {
    let off = card_from_woo(&with_shipping(tom()), &settings(json!({}))).unwrap();
    assert_eq!(off.ship_to, None, "no ship_to_code: shipping addresses are not synced");
    let on = settings(json!({"ship_to_code": "web"}));
    let card = card_from_woo(&with_shipping(tom()), &on).unwrap();
    let ship_to = card.ship_to.clone().unwrap();
    assert_eq!(ship_to.address.name, "Trader & Sons");
    assert_eq!(ship_to.address.contact, "Tom Trader");
    assert_eq!(ship_to.address.post_code, "3011 AB");
    assert_eq!(ship_to.phone, "010 555 12 34");
    assert_eq!(card_from_woo(&tom(), &on).unwrap().ship_to, None, "no shipping address, no record");
    let woo = woo_patch(&card, &[CustomerField::ShipTo]);
    assert_eq!(woo["shipping"]["address_1"], "Havenkade 7");
    assert!(woo["shipping"].get("first_name").is_none(), "a NAV name is not split into first and last name");
    assert!(woo.get("billing").is_none());
}

#[test]
fn a_changed_shipping_address_moves_alone_and_an_upgrade_counts_as_a_first_sync() {
    let on = settings(json!({"ship_to_code": "WEB"}));
    let before = card_from_woo(&with_shipping(tom()), &on).unwrap();
    let fp = card_fingerprint(&before);
    let mut after = before.clone();
    after.ship_to.as_mut().unwrap().address.line1 = "Havenkade 9".into();
    let plan = reconcile(&after, &before, Some(&fp), Some(&fp), &on);
    assert_eq!(plan.to_nav, vec![CustomerField::ShipTo]);
    assert!(field_changed(&after, CustomerField::ShipTo, Some(&fp)));
    assert!(!field_changed(&after, CustomerField::Name, Some(&fp)));
    // A fingerprint written before ship-to records were synced has no ship_to entry.
    let old: String = fp.split(' ').filter(|pair| !pair.starts_with("ship_to=")).collect::<Vec<_>>().join(" ");
    let nav = CustomerCard { ship_to: None, ..before.clone() };
    let plan = reconcile(&before, &nav, Some(&old), Some(&old), &on);
    assert_eq!(plan.to_nav, vec![CustomerField::ShipTo], "WooCommerce owns contact fields by default");
    assert!(plan.conflicts[0].rule.starts_with("no earlier sync"), "{:?}", plan.conflicts);
}
