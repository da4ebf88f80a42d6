//! Seeding: the demo shop (`tests/seed/demo-shop.json`, compiled in), an empty store, a file in
//! the same format, plus synthetic products for benchmarks. Products get ids from the posts
//! sequence first, so orders created later have higher ids, as on a real site.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::app::Home;
use crate::auth::KeyStore;
use crate::config::{Config, Seed};
use crate::model::order::{Address, Coupon};
use crate::model::product::{Attribute, Product, ProductType};
use crate::model::{StoreData, StoreOptions, TaxRate, User};

const DEMO: &str = include_str!("../../seed/demo-shop.json");

/// The id of the site administrator that owns the default key.
pub const ADMIN_USER_ID: i64 = 1;
/// Posts created by WordPress itself before the shop's products.
const FIRST_POST_ID: i64 = 100;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("reading seed file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("seed {origin} is not valid: {source}")]
    Parse { origin: String, source: serde_json::Error },
    #[error("seed {origin}: {message}")]
    Invalid { origin: String, message: String },
}

#[derive(Deserialize)]
struct SeedFile {
    #[serde(default)]
    items: Vec<SeedItem>,
    #[serde(default)]
    woo_only_products: Vec<SeedWooProduct>,
    #[serde(default)]
    woo_customers: Vec<SeedCustomer>,
    woo_store: SeedStore,
    #[serde(default)]
    woo_coupons: Vec<SeedCoupon>,
}

#[derive(Deserialize)]
struct SeedItem {
    number: String,
    name: String,
    price: f64,
    #[serde(default)]
    tax_group: String,
    stock: Option<i64>,
    gtin: Option<String>,
    woo_sku: Option<String>,
    #[serde(default)]
    variants: Vec<SeedVariant>,
    /// Free text; "managed by the parent" selects parent-managed variation stock.
    #[serde(default)]
    woo: String,
}

#[derive(Deserialize)]
struct SeedVariant {
    code: String,
    name: String,
    stock: i64,
}

#[derive(Deserialize)]
struct SeedWooProduct {
    sku: String,
    name: String,
    price: f64,
}

#[derive(Deserialize)]
struct SeedCustomer {
    id: i64,
    email: String,
    first_name: String,
    last_name: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    address_1: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    phone: String,
    role: Option<String>,
}

#[derive(Deserialize)]
struct SeedStore {
    currency: String,
    #[serde(default)]
    prices_include_tax: bool,
    tax_rates: BTreeMap<String, f64>,
    #[serde(default)]
    tax_class_by_group: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct SeedCoupon {
    code: String,
    discount_type: String,
    amount: f64,
    #[serde(default)]
    free_shipping: bool,
}

fn cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

fn parse(text: &str, origin: &str) -> Result<SeedFile, SeedError> {
    serde_json::from_str(text).map_err(|source| SeedError::Parse { origin: origin.to_string(), source })
}

/// Builds a store from a seed choice.
pub fn build(seed: &Seed, synthetic: usize, config: &Config, home: &Home) -> Result<StoreData, SeedError> {
    let (file, origin, with_data) = match seed {
        Seed::Demo => (parse(DEMO, "demo")?, "demo".to_string(), true),
        Seed::Empty => (parse(DEMO, "demo")?, "empty".to_string(), false),
        Seed::File(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read { path: path.display().to_string(), source })?;
            let origin = path.display().to_string();
            (parse(&text, &origin)?, origin, true)
        }
    };
    let mut store = StoreData::new(options(&file.woo_store, config, home));
    store.seq.post = FIRST_POST_ID;
    let now = crate::clock::now();
    store.insert_user(admin(now));
    store.seq.user = ADMIN_USER_ID;
    if with_data {
        for item in &file.items {
            add_item(&mut store, item, &file.woo_store, now, &origin)?;
        }
        for product in &file.woo_only_products {
            let id = store.seq.next_post();
            let mut simple = Product::new(id, ProductType::Simple, &product.name, now);
            simple.sku = product.sku.clone();
            simple.regular_price = Some(cents(product.price));
            store.insert_product(simple);
        }
        for customer in &file.woo_customers {
            store.insert_user(customer_user(customer, now));
            store.seq.user = store.seq.user.max(customer.id);
        }
        for coupon in demo_coupons().into_iter().chain(file.woo_coupons.iter().map(|c| Coupon {
            code: c.code.to_lowercase(),
            discount_type: c.discount_type.clone(),
            amount: if c.discount_type == "percent" { c.amount.round() as i64 } else { cents(c.amount) },
            free_shipping: c.free_shipping,
        })) {
            store.coupons.insert(coupon.code.clone(), coupon);
        }
    }
    add_synthetic(&mut store, synthetic, now);
    Ok(store)
}

fn options(woo: &SeedStore, config: &Config, home: &Home) -> StoreOptions {
    let mut tax_rates = Vec::new();
    for (class, percent) in &woo.tax_rates {
        let (id, slug, label) = match class.as_str() {
            "standard" => (1, String::new(), "VAT".to_string()),
            "reduced-rate" => (2, class.clone(), "Reduced rate".to_string()),
            "zero-rate" => (3, class.clone(), "Zero rate".to_string()),
            other => (10 + tax_rates.len() as i64, other.to_string(), other.to_string()),
        };
        tax_rates.push(TaxRate { id, class: slug, percent: Decimal::from_f64_retain(*percent).unwrap_or_default().round_dp(4), label });
    }
    tax_rates.sort_by_key(|r| r.id);
    StoreOptions {
        home_url: home.url.clone(),
        currency: woo.currency.clone(),
        prices_include_tax: woo.prices_include_tax,
        manage_stock: config.manage_stock,
        utc_offset_secs: config.utc_offset_hours * 3600,
        tax_rates,
        order_number_prefix: config.order_number_prefix.clone(),
        notify_low_stock: 2,
        notify_no_stock: 0,
    }
}

fn admin(now: i64) -> User {
    User {
        id: ADMIN_USER_ID,
        username: "admin".into(),
        email: "admin@shop.example".into(),
        first_name: "Site".into(),
        last_name: "Admin".into(),
        role: "administrator".into(),
        registered: now,
        last_update: now,
        billing: Address::default(),
        shipping: Address::default(),
        is_paying_customer: false,
        meta: Vec::new(),
    }
}

fn customer_user(c: &SeedCustomer, now: i64) -> User {
    let address = Address {
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        company: c.company.clone(),
        address_1: c.address_1.clone(),
        city: c.city.clone(),
        postcode: c.postcode.clone(),
        country: c.country.clone(),
        phone: c.phone.clone(),
        ..Address::default()
    };
    User {
        id: c.id,
        username: c.email.split('@').next().unwrap_or_default().replace('.', ""),
        email: c.email.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        role: c.role.clone().unwrap_or_else(|| "customer".into()),
        registered: now,
        last_update: now,
        billing: Address { email: Some(c.email.clone()), ..address.clone() },
        shipping: Address { phone: String::new(), ..address },
        is_paying_customer: false,
        meta: Vec::new(),
    }
}

fn demo_coupons() -> Vec<Coupon> {
    vec![
        Coupon { code: "welcome10".into(), discount_type: "percent".into(), amount: 10, free_shipping: false },
        Coupon { code: "fiveoff".into(), discount_type: "fixed_cart".into(), amount: 500, free_shipping: false },
        Coupon { code: "freeship".into(), discount_type: "fixed_cart".into(), amount: 0, free_shipping: true },
    ]
}

fn add_item(store: &mut StoreData, item: &SeedItem, woo: &SeedStore, now: i64, origin: &str) -> Result<(), SeedError> {
    let tax_class = woo.tax_class_by_group.get(&item.tax_group).cloned().unwrap_or_default();
    let price = cents(item.price);
    let sku = item.woo_sku.clone().unwrap_or_else(|| item.number.clone());
    if store.sku_index.contains_key(&sku) {
        return Err(SeedError::Invalid { origin: origin.into(), message: format!("duplicate SKU {sku}") });
    }
    let id = store.seq.next_post();
    if item.variants.is_empty() {
        let mut product = Product::new(id, ProductType::Simple, &item.name, now);
        product.sku = sku;
        product.regular_price = Some(price);
        product.tax_class = tax_class;
        product.global_unique_id = item.gtin.clone().unwrap_or_default();
        if let Some(stock) = item.stock {
            product.manage_stock = true;
            product.stock_quantity = Some(stock);
            product.stock_status = crate::stock::status_for(stock, "no", 0).into();
        }
        store.insert_product(product);
        return Ok(());
    }
    let parent_managed = item.woo.contains("managed by the parent");
    let attribute = if parent_managed { "Color" } else { "Size" };
    let mut parent = Product::new(id, ProductType::Variable, &item.name, now);
    parent.sku = sku.clone();
    parent.tax_class = tax_class;
    parent.attributes = vec![Attribute { name: attribute.into(), options: item.variants.iter().map(|v| v.name.clone()).collect() }];
    if parent_managed {
        parent.manage_stock = true;
        parent.stock_quantity = Some(item.variants.iter().map(|v| v.stock).sum());
    }
    let mut children = Vec::new();
    for variant in &item.variants {
        let child_id = store.seq.next_post();
        let mut child = Product::new(child_id, ProductType::Variation, &format!("{} - {}", item.name, variant.name), now);
        child.parent_id = id;
        child.sku = format!("{sku}-{}", variant.code);
        child.regular_price = Some(price);
        child.attributes = vec![Attribute { name: attribute.into(), options: vec![variant.name.clone()] }];
        if !parent_managed {
            child.manage_stock = true;
            child.stock_quantity = Some(variant.stock);
            child.stock_status = crate::stock::status_for(variant.stock, "no", 0).into();
        }
        children.push(child);
    }
    parent.variations = children.iter().map(|c| c.id).collect();
    store.insert_product(parent);
    for child in children {
        store.insert_product(child);
    }
    Ok(())
}

fn add_synthetic(store: &mut StoreData, count: usize, now: i64) {
    for i in 1..=count {
        let id = store.seq.next_post();
        let mut product = Product::new(id, ProductType::Simple, &format!("Synthetic product {i}"), now);
        product.sku = format!("SYN-{i:06}");
        product.regular_price = Some(1000 + (i as i64 % 100) * 10);
        product.manage_stock = true;
        product.stock_quantity = Some(100);
        store.insert_product(product);
    }
}

/// The default key: read_write for the administrator.
pub fn install_keys(keys: &KeyStore, config: &Config) -> (String, String) {
    let (generated_key, generated_secret) = crate::auth::generate_pair();
    let key = config.consumer_key.clone().unwrap_or(generated_key);
    let secret = config.consumer_secret.clone().unwrap_or(generated_secret);
    keys.add(ADMIN_USER_ID, "woo-sim default key", "read_write", &key, &secret);
    (key, secret)
}
