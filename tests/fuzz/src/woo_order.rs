//! Target `woo_order`: a WooCommerce order in its REST v3 JSON (as an event payload or a REST
//! read) decoded into `model::woo::Order`, then everything the agent computes from it without I/O:
//! segment rules, the customer plan, the fingerprint, and `map_order` against a small catalog of
//! the demo company, under two contrasting order settings.

use std::collections::HashMap;
use std::sync::OnceLock;

use ml_connector_agent::config::{self, DiscountPolicy, GuestPolicy, OrderSettings, SkuMatch};
use ml_connector_agent::mapper::customer::{link_key, plan_customer};
use ml_connector_agent::mapper::order::CustomerChoice;
use ml_connector_agent::mapper::{evaluate_rules, map_order, order_fingerprint, CatalogLookup, CustomerPlan};
use ml_connector_agent::model::nav::LineKind;
use ml_connector_agent::model::woo::Order;
use ml_connector_agent::store::bindings::CustomerLink;
use ml_connector_agent::store::catalog::{CatalogItem, CatalogVariant};

use crate::input::{combine, hash, outcome, Outcome};

pub fn run(data: &[u8]) -> Outcome {
    match serde_json::from_slice::<Order>(data) {
        Ok(order) => map(&order),
        Err(error) => outcome(&error.to_string()),
    }
}

/// Everything the agent derives from a decoded order before it talks to NAV.
pub fn map(order: &Order) -> Outcome {
    std::hint::black_box((link_key(order), order_fingerprint(order)));
    let mut seen = Vec::new();
    for settings in settings() {
        let rules = evaluate_rules(&settings.rules, order);
        seen.push(hash(&rules.rule));
        let link = CustomerLink {
            link_key: link_key(order),
            nav_number: "10000".into(),
            nav_id: None,
            price_group: Some("TRADE".into()),
            woo_fingerprint: None,
            nav_fingerprint: None,
        };
        for link in [None, Some(&link)] {
            seen.push(match plan_customer(order, settings, link) {
                Ok(CustomerPlan::Linked { .. }) => 1,
                Ok(CustomerPlan::SharedGuest { .. }) => 2,
                Ok(CustomerPlan::FindOrCreate { .. }) => 3,
                Err(error) => outcome(&error.to_string()),
            });
        }
        for customer in [CustomerChoice { number: "30000".into(), shared_guest: false }, CustomerChoice { number: "WEBGUEST".into(), shared_guest: true }] {
            seen.push(match map_order(order, settings, &customer, &rules, demo_catalog()) {
                Ok(mapped) => {
                    for line in &mapped.draft.lines {
                        // The mapper's promises to NAV: item lines have a positive quantity and
                        // no negative line discount.
                        if line.kind == LineKind::Item {
                            assert!(line.quantity.is_sign_positive() && !line.quantity.is_zero(), "item line with quantity {}", line.quantity);
                        }
                        assert!(!line.discount_amount.is_sign_negative() || line.discount_amount.is_zero(), "negative discount {}", line.discount_amount);
                    }
                    assert!(mapped.draft.external_document_number.chars().count() <= 35);
                    hash(&(mapped.draft.lines.len(), mapped.matches.len()))
                }
                Err(error) => outcome(&error.to_string()),
            });
        }
    }
    combine(&seen)
}

/// The defaults, and the other choice of every setting the mapper branches on.
fn settings() -> &'static [OrderSettings; 2] {
    static SETTINGS: OnceLock<[OrderSettings; 2]> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let rules = serde_json::json!({"orders": {"rules": [
            {"name": "Trade", "when": {"role": ["wholesale_customer"], "email_domain": ["trade.example"]},
             "then": {"dimensions": {"CHANNEL": "B2B"}, "price_group": "TRADE"}},
            {"name": "Marketplace", "when": {"meta": {"_marketplace": "amazon"}, "customer": "guest", "country": ["DE", "GB"]},
             "then": {"dimensions": {"CHANNEL": "MARKETPLACE"}}},
            {"name": "Web", "when": {"created_via": ["checkout", "store-api"], "status": ["processing"], "payment_method": ["bacs", "stripe"]},
             "then": {"dimensions": {"CHANNEL": "WEB"}, "price_group": "RETAIL"}}
        ]}});
        let defaults = config::load(&rules, None, None).map(|s| s.orders).unwrap_or_else(|e| panic!("fuzz settings: {e}"));
        let mut other = defaults.clone();
        other.guests = GuestPolicy::Fixed { customer_number: "WEBGUEST".into() };
        other.discounts = DiscountPolicy::Account("8300".into());
        other.sku_match = vec![SkuMatch::Gtin, SkuMatch::Variant, SkuMatch::Sku];
        other.variant_separator = "/".into();
        other.order_number_prefix = String::new();
        [defaults, other]
    })
}

/// Items of the demo company (`tests/seed/demo-shop.json`) the fixtures order, and a blocked one.
struct DemoCatalog {
    items: HashMap<String, CatalogItem>,
    variants: HashMap<(String, String), CatalogVariant>,
}

impl CatalogLookup for DemoCatalog {
    fn item_by_number(&self, number: &str) -> Option<CatalogItem> {
        self.items.get(number).cloned()
    }
    fn item_by_gtin(&self, gtin: &str) -> Option<CatalogItem> {
        self.items.values().find(|i| !i.gtin.is_empty() && i.gtin == gtin).cloned()
    }
    fn variant(&self, item_number: &str, code: &str) -> Option<CatalogVariant> {
        self.variants.get(&(item_number.to_string(), code.to_string())).cloned()
    }
}

fn demo_catalog() -> &'static DemoCatalog {
    static CATALOG: OnceLock<DemoCatalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut items = HashMap::new();
        for (number, gtin, blocked) in
            [("1896-S", "", false), ("1900-S", "", false), ("1928-S", "5901234123457", false), ("BOOK-01", "", false), ("TSHIRT", "", false), ("MUG", "", false), ("OLD-1", "", true)]
        {
            let item = CatalogItem { number: number.into(), id: format!("id-{number}"), gtin: gtin.into(), display_name: number.into(), blocked };
            items.insert(number.to_string(), item);
        }
        let mut variants = HashMap::new();
        for (item, code) in [("TSHIRT", "S"), ("TSHIRT", "M"), ("TSHIRT", "L"), ("MUG", "WHITE"), ("MUG", "BLACK")] {
            let variant = CatalogVariant { item_number: item.into(), code: code.into(), id: format!("v-{item}-{code}") };
            variants.insert((item.to_string(), code.to_string()), variant);
        }
        DemoCatalog { items, variants }
    })
}
