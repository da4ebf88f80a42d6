//! The mapping matrix: one test per mapping behaviour.

use super::*;
use crate::config::{ShippingLinePolicy, SkuMatch};
use crate::mapper::lines::tests::MapCatalog;
use crate::mapper::rules::evaluate_rules;

fn settings() -> OrderSettings {
    crate::config::load(
        &serde_json::json!({"orders": {"rules": [
            {"name": "Web", "when": {"created_via": ["checkout"]}, "then": {"dimensions": {"channel": "web"}, "price_group": "retail"}}
        ]}}),
        None,
        None,
    )
    .unwrap()
    .orders
}

fn order(extra: serde_json::Value) -> Order {
    let mut base = serde_json::json!({
        "id": 1001, "number": "1001", "status": "processing", "currency": "EUR", "created_via": "checkout",
        "date_created_gmt": "2026-11-28T09:15:00", "prices_include_tax": false,
        "customer_id": 2, "total": "264.72", "total_tax": "44.12",
        "billing": {"first_name": "Jane", "last_name": "Doe", "address_1": "12 Park Lane", "city": "Leeds",
                    "postcode": "ls1 4ab", "country": "GB", "email": "jane.doe@example.com", "phone": "+44 113 496 0000"},
        "shipping": {"first_name": "Jane", "last_name": "Doe", "address_1": "Dock 3", "city": "Hull", "postcode": "HU1 1AA", "country": "GB"},
        "line_items": [
            {"id": 11, "name": "PARIS Guest Chair", "sku": "1896-S", "quantity": 1, "subtotal": "192.80", "subtotal_tax": "38.56", "total": "192.80", "total_tax": "38.56"}
        ],
        "shipping_lines": [{"id": 21, "method_title": "DHL", "method_id": "flat_rate", "total": "10.00", "total_tax": "2.00"}]
    });
    crate::config::deep_merge(&mut base, &extra);
    serde_json::from_value(base).unwrap()
}

fn map(o: &Order, s: &OrderSettings) -> Result<MappedOrder, MappingError> {
    let customer = CustomerChoice { number: "30000".into(), shared_guest: false };
    map_order(o, s, &customer, &evaluate_rules(&s.rules, o), &MapCatalog::demo())
}

#[test]
fn a_simple_order_becomes_one_item_line_and_a_shipping_line() {
    let mapped = map(&order(serde_json::json!({})), &settings()).unwrap();
    let d = &mapped.draft;
    assert_eq!(d.external_document_number, "WC-1001");
    assert_eq!(d.customer_number, "30000");
    assert_eq!(d.order_date, "2026-11-28");
    assert_eq!(d.currency_code.as_deref(), Some("EUR"));
    assert_eq!(d.lines.len(), 2);
    assert_eq!((d.lines[0].kind, d.lines[0].number.as_str()), (LineKind::Item, "1896-S"));
    assert_eq!(d.lines[0].unit_price, "192.80".parse().unwrap());
    assert_eq!((d.lines[1].kind, d.lines[1].number.as_str()), (LineKind::Account, "8100"));
    assert_eq!(d.lines[1].unit_price, "10.00".parse().unwrap());
    assert_eq!(d.lines[1].source, LineSource::Shipping(21));
    assert_eq!(d.expected_total_including_tax, "264.72".parse().unwrap());
}

#[test]
fn rules_choose_dimensions_and_price_group_upper_cased() {
    let d = map(&order(serde_json::json!({})), &settings()).unwrap().draft;
    assert_eq!(d.dimensions, vec![DimensionValue { code: "CHANNEL".into(), value: "WEB".into() }]);
    assert_eq!(d.price_group.as_deref(), Some("RETAIL"));
    assert_eq!(d.rule.as_deref(), Some("Web"));
    let admin = map(&order(serde_json::json!({"created_via": "admin"})), &settings()).unwrap().draft;
    assert!(admin.dimensions.is_empty() && admin.price_group.is_none() && admin.rule.is_none());
}

#[test]
fn ship_to_comes_from_shipping_else_billing() {
    let d = map(&order(serde_json::json!({})), &settings()).unwrap().draft;
    assert_eq!(d.ship_to.as_ref().unwrap().city, "Hull");
    let mut no_shipping = order(serde_json::json!({}));
    no_shipping.shipping = Default::default();
    let d = map(&no_shipping, &settings()).unwrap().draft;
    assert_eq!(d.ship_to.as_ref().unwrap().city, "Leeds");
    assert_eq!(d.ship_to.as_ref().unwrap().post_code, "LS1 4AB");
    assert!(d.sell_to.is_none());
}

#[test]
fn a_shared_guest_customer_carries_the_buyers_address_on_the_order() {
    let o = order(serde_json::json!({"customer_id": 0}));
    let s = settings();
    let customer = CustomerChoice { number: "WEBGUEST".into(), shared_guest: true };
    let d = map_order(&o, &s, &customer, &evaluate_rules(&s.rules, &o), &MapCatalog::demo()).unwrap().draft;
    assert_eq!(d.customer_number, "WEBGUEST");
    assert_eq!(d.sell_to.as_ref().unwrap().name, "Jane Doe");
    assert_eq!(d.email, "jane.doe@example.com");
}

#[test]
fn variations_and_gtin_lines_match_their_items() {
    let o = order(serde_json::json!({"line_items": [
        {"id": 11, "name": "Logo T-Shirt - M", "sku": "TSHIRT-M", "variation_id": 77, "quantity": 2, "subtotal": "39.80", "total": "39.80"},
        {"id": 12, "name": "Lamp", "sku": "WEB-LAMP", "global_unique_id": "5901234123457", "quantity": 1, "subtotal": "54.90", "total": "54.90"}
    ]}));
    let mapped = map(&o, &settings()).unwrap();
    assert_eq!(mapped.draft.lines[0].number, "TSHIRT");
    assert_eq!(mapped.draft.lines[0].variant_code.as_deref(), Some("M"));
    assert_eq!(mapped.draft.lines[0].unit_price, "19.90".parse().unwrap());
    assert_eq!(mapped.draft.lines[1].number, "1928-S");
    assert_eq!(mapped.matches[1].matched_by, "gtin");
}

#[test]
fn every_unknown_sku_is_named_at_once() {
    let o = order(serde_json::json!({"line_items": [
        {"id": 11, "name": "Gift wrap", "sku": "GIFT-WRAP", "quantity": 1, "subtotal": "4", "total": "4"},
        {"id": 12, "name": "Desk", "sku": "1896-S", "quantity": 1, "subtotal": "1000.80", "total": "1000.80"},
        {"id": 13, "name": "Mystery", "sku": "NOPE", "quantity": 1, "subtotal": "1", "total": "1"}
    ]}));
    let error = map(&o, &settings()).unwrap_err().to_string();
    assert!(error.contains("unknown SKU GIFT-WRAP (line 1: Gift wrap)"), "{error}");
    assert!(error.contains("unknown SKU NOPE (line 3: Mystery)"), "{error}");
}

#[test]
fn coupons_as_line_discounts_or_a_discount_account_line() {
    let o = order(serde_json::json!({
        "discount_total": "19.28", "discount_tax": "3.86",
        "coupon_lines": [{"id": 31, "code": "TENOFF", "discount": "19.28"}],
        "line_items": [{"id": 11, "name": "Chair", "sku": "1896-S", "quantity": 1, "subtotal": "192.80", "total": "173.52"}]
    }));
    let line = map(&o, &settings()).unwrap().draft;
    assert_eq!(line.lines[0].unit_price, "192.80".parse().unwrap());
    assert_eq!(line.lines[0].discount_amount, "19.28".parse().unwrap());
    let mut s = settings();
    s.discounts = DiscountPolicy::Account("8300".into());
    let account = map(&o, &s).unwrap().draft;
    assert!(account.lines[0].discount_amount.is_zero());
    let discount = account.lines.iter().find(|l| l.source == LineSource::Discount).unwrap();
    assert_eq!((discount.number.as_str(), discount.unit_price), ("8300", "-19.28".parse().unwrap()));
    assert_eq!(discount.description, "Discount TENOFF");
}

#[test]
fn prices_including_tax_send_gross_unit_prices() {
    let o = order(serde_json::json!({"prices_include_tax": true, "line_items": [
        {"id": 11, "name": "Chair", "sku": "1896-S", "quantity": 3, "subtotal": "160.67", "subtotal_tax": "32.13", "total": "160.67", "total_tax": "32.13"}
    ]}));
    let d = map(&o, &settings()).unwrap().draft;
    assert!(d.prices_include_tax);
    assert_eq!(d.lines[0].unit_price, "64.26667".parse().unwrap());
    assert_eq!(d.lines[1].unit_price, "12.00".parse().unwrap(), "shipping including its tax");
}

#[test]
fn shipping_as_item_charge_and_fees_on_their_account() {
    let mut s = settings();
    s.shipping = ShippingLinePolicy { charge: true, number: "S-FREIGHT".into() };
    let o = order(serde_json::json!({"fee_lines": [{"id": 41, "name": "Payment fee", "total": "2.50", "total_tax": "0.50"},
                                                      {"id": 42, "name": "Zero fee", "total": "0"}]}));
    let d = map(&o, &s).unwrap().draft;
    let shipping = d.lines.iter().find(|l| matches!(l.source, LineSource::Shipping(_))).unwrap();
    assert_eq!((shipping.kind, shipping.number.as_str()), (LineKind::Charge, "S-FREIGHT"));
    let fees: Vec<_> = d.lines.iter().filter(|l| matches!(l.source, LineSource::Fee(_))).collect();
    assert_eq!(fees.len(), 1, "zero fees are not sent");
    assert_eq!((fees[0].number.as_str(), fees[0].unit_price), ("8200", "2.50".parse().unwrap()));
}

#[test]
fn external_document_number_is_upper_cased_and_fits_35() {
    let mut s = settings();
    s.order_number_prefix = "shop-".into();
    let o = order(serde_json::json!({"number": "a1001-x"}));
    assert_eq!(map(&o, &s).unwrap().draft.external_document_number, "SHOP-A1001-X");
    let long = order(serde_json::json!({"number": "9".repeat(40)}));
    assert_eq!(map(&long, &s).unwrap().draft.external_document_number.len(), 35);
    let no_number = order(serde_json::json!({"number": ""}));
    assert_eq!(map(&no_number, &settings()).unwrap().draft.external_document_number, "WC-1001");
}

#[test]
fn quantities_zero_skipped_negative_refused_empty_refused() {
    let zero = order(serde_json::json!({"line_items": [
        {"id": 11, "name": "Chair", "sku": "1896-S", "quantity": 0, "subtotal": "0", "total": "0"},
        {"id": 12, "name": "Desk", "sku": "1896-S", "quantity": 1, "subtotal": "1", "total": "1"}]}));
    assert_eq!(map(&zero, &settings()).unwrap().draft.lines.iter().filter(|l| l.kind == LineKind::Item).count(), 1);
    let negative = order(serde_json::json!({"line_items": [{"id": 11, "name": "Chair", "sku": "1896-S", "quantity": -1}]}));
    assert!(map(&negative, &settings()).unwrap_err().to_string().contains("quantity -1"));
    let mut empty = order(serde_json::json!({}));
    empty.line_items.clear();
    empty.shipping_lines.clear();
    assert_eq!(map(&empty, &settings()).unwrap_err(), MappingError::NoLines);
}

#[test]
fn sku_matching_order_is_respected_in_the_mapping() {
    let mut s = settings();
    s.sku_match = vec![SkuMatch::Sku];
    let o = order(serde_json::json!({"line_items": [{"id": 11, "name": "Shirt", "sku": "TSHIRT-M", "quantity": 1, "subtotal": "1", "total": "1"}]}));
    assert!(matches!(map(&o, &s).unwrap_err(), MappingError::UnknownSku { .. }));
}
