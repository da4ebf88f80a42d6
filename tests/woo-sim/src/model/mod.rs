//! The store's data: one in-memory database behind the simulator's lock, with the indexes the
//! REST lists need (id, SKU, e-mail, creation and modification date). Ids come from the sequences a
//! WordPress site has: orders, refunds, products and variations share the posts sequence (even
//! with HPOS, a placeholder post reserves each order id); users, comments (notes), order items,
//! meta rows and webhooks have their own.

pub mod order;
pub mod product;
pub mod user;
pub mod webhook;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_decimal::Decimal;

use crate::clock::Timestamp;
pub use order::{Address, Coupon, LineItem, Meta, Note, Order, Refund};
pub use product::{Product, ProductType};
pub use user::{ApiKey, User};
pub use webhook::Webhook;

/// One tax rate of the store (`woocommerce_tax_rates`).
#[derive(Clone, Debug)]
pub struct TaxRate {
    pub id: i64,
    /// `""` = standard, else the tax class slug (`reduced-rate`).
    pub class: String,
    pub percent: Decimal,
    pub label: String,
}

impl TaxRate {
    /// `rate_code` as WooCommerce builds it: COUNTRY-STATE-NAME-PRIORITY without empty parts.
    pub fn code(&self) -> String {
        format!("{}-1", self.label.to_uppercase())
    }
}

/// Store options that change behaviour.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// The site's home URL without a trailing slash (permalinks, payment URLs, links).
    pub home_url: String,
    pub currency: String,
    pub prices_include_tax: bool,
    /// Option `woocommerce_manage_stock`; when false, stock is neither shown nor written.
    pub manage_stock: bool,
    pub utc_offset_secs: i64,
    pub tax_rates: Vec<TaxRate>,
    /// Display number prefix, as a sequential-order-number plugin would add ("" = number is the id).
    pub order_number_prefix: String,
    /// `woocommerce_notify_low_stock_amount` / `woocommerce_notify_no_stock_amount`.
    pub notify_low_stock: i64,
    pub notify_no_stock: i64,
}

/// A stock change, for tests to read back (`GET /_sim/stock-changes`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct StockChange {
    pub seq: u64,
    /// The product or variation that owns the stock.
    pub product_id: i64,
    pub sku: String,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// `order-reduce`, `order-restore`, `order-adjust`, `refund-restock`, `rest-api`, `admin`.
    pub cause: String,
    pub order_id: Option<i64>,
    pub request_id: u64,
    pub at: String,
}

#[derive(Default)]
pub struct Sequences {
    pub post: i64,
    pub item: i64,
    pub meta: i64,
    pub note: i64,
    pub user: i64,
    pub webhook: i64,
    pub api_key: i64,
    pub stock_change: u64,
}

impl Sequences {
    pub fn next_post(&mut self) -> i64 {
        self.post += 1;
        self.post
    }
    pub fn next_item(&mut self) -> i64 {
        self.item += 1;
        self.item
    }
    pub fn next_meta(&mut self) -> i64 {
        self.meta += 1;
        self.meta
    }
    pub fn next_note(&mut self) -> i64 {
        self.note += 1;
        self.note
    }
    pub fn next_user(&mut self) -> i64 {
        self.user += 1;
        self.user
    }
    pub fn next_webhook(&mut self) -> i64 {
        self.webhook += 1;
        self.webhook
    }
}

/// The whole store.
pub struct StoreData {
    pub options: StoreOptions,
    pub seq: Sequences,
    pub orders: BTreeMap<i64, Order>,
    pub orders_by_created: BTreeSet<(Timestamp, i64)>,
    pub orders_by_modified: BTreeSet<(Timestamp, i64)>,
    pub refunds: BTreeMap<i64, Refund>,
    pub notes: BTreeMap<i64, Note>,
    /// Products and variations.
    pub products: BTreeMap<i64, Product>,
    /// Top-level products only (variations are listed under their parent).
    pub products_by_created: BTreeSet<(Timestamp, i64)>,
    pub products_by_modified: BTreeSet<(Timestamp, i64)>,
    /// Products in the trash (kept out of the fast list path).
    pub trashed_products: std::collections::HashSet<i64>,
    /// SKUs are unique across products and variations.
    pub sku_index: HashMap<String, i64>,
    pub users: BTreeMap<i64, User>,
    /// Lower-cased e-mail → user id.
    pub email_index: HashMap<String, i64>,
    pub coupons: BTreeMap<String, Coupon>,
    pub webhooks: BTreeMap<i64, Webhook>,
    pub api_keys: BTreeMap<i64, ApiKey>,
    pub stock_changes: Vec<StockChange>,
}

impl StoreData {
    pub fn new(options: StoreOptions) -> Self {
        Self {
            options,
            seq: Sequences::default(),
            orders: BTreeMap::new(),
            orders_by_created: BTreeSet::new(),
            orders_by_modified: BTreeSet::new(),
            refunds: BTreeMap::new(),
            notes: BTreeMap::new(),
            products: BTreeMap::new(),
            products_by_created: BTreeSet::new(),
            products_by_modified: BTreeSet::new(),
            trashed_products: std::collections::HashSet::new(),
            sku_index: HashMap::new(),
            users: BTreeMap::new(),
            email_index: HashMap::new(),
            coupons: BTreeMap::new(),
            webhooks: BTreeMap::new(),
            api_keys: BTreeMap::new(),
            stock_changes: Vec::new(),
        }
    }

    pub fn offset(&self) -> i64 {
        self.options.utc_offset_secs
    }

    pub fn rate(&self, id: i64) -> Option<&TaxRate> {
        self.options.tax_rates.iter().find(|r| r.id == id)
    }

    /// The rate for a tax class (`""`/`standard` = standard).
    pub fn rate_for_class(&self, class: &str) -> Option<&TaxRate> {
        let class = if class == "standard" { "" } else { class };
        self.options.tax_rates.iter().find(|r| r.class == class)
    }

    // ---- orders -------------------------------------------------------------------------------

    pub fn insert_order(&mut self, order: Order) {
        self.orders_by_created.insert((order.date_created, order.id));
        self.orders_by_modified.insert((order.date_modified, order.id));
        self.orders.insert(order.id, order);
    }

    /// Sets `date_modified` of an order, keeping the index right.
    pub fn touch_order(&mut self, id: i64, now: Timestamp) {
        if let Some(order) = self.orders.get_mut(&id) {
            self.orders_by_modified.remove(&(order.date_modified, id));
            order.date_modified = now;
            self.orders_by_modified.insert((now, id));
        }
    }

    pub fn remove_order(&mut self, id: i64) -> Option<Order> {
        let order = self.orders.remove(&id)?;
        self.orders_by_created.remove(&(order.date_created, id));
        self.orders_by_modified.remove(&(order.date_modified, id));
        for refund in &order.refunds {
            self.refunds.remove(refund);
        }
        self.notes.retain(|_, note| note.order_id != id);
        Some(order)
    }

    pub fn order_number(&self, id: i64) -> String {
        format!("{}{id}", self.options.order_number_prefix)
    }

    // ---- products -----------------------------------------------------------------------------

    pub fn insert_product(&mut self, product: Product) {
        if product.kind != ProductType::Variation {
            self.products_by_created.insert((product.date_created, product.id));
            self.products_by_modified.insert((product.date_modified, product.id));
        }
        if !product.sku.is_empty() {
            self.sku_index.insert(product.sku.clone(), product.id);
        }
        self.products.insert(product.id, product);
    }

    pub fn touch_product(&mut self, id: i64, now: Timestamp) {
        if let Some(product) = self.products.get_mut(&id) {
            if product.kind != ProductType::Variation {
                self.products_by_modified.remove(&(product.date_modified, id));
                self.products_by_modified.insert((now, id));
            }
            product.date_modified = now;
        }
    }

    pub fn set_sku(&mut self, id: i64, sku: &str) {
        if let Some(product) = self.products.get_mut(&id) {
            if !product.sku.is_empty() {
                self.sku_index.remove(&product.sku);
            }
            product.sku = sku.to_string();
            if !sku.is_empty() {
                self.sku_index.insert(sku.to_string(), id);
            }
        }
    }

    pub fn remove_product(&mut self, id: i64) -> Option<Product> {
        let product = self.products.remove(&id)?;
        self.trashed_products.remove(&id);
        self.products_by_created.remove(&(product.date_created, id));
        self.products_by_modified.remove(&(product.date_modified, id));
        if !product.sku.is_empty() {
            self.sku_index.remove(&product.sku);
        }
        for variation in &product.variations {
            if let Some(v) = self.products.remove(variation) {
                if !v.sku.is_empty() {
                    self.sku_index.remove(&v.sku);
                }
            }
        }
        if product.parent_id > 0 {
            if let Some(parent) = self.products.get_mut(&product.parent_id) {
                parent.variations.retain(|v| *v != id);
            }
        }
        Some(product)
    }

    /// The product whose stock a sale of `id` moves, if stock is managed at all: the variation
    /// itself, or its parent when the variation reports `manage_stock: "parent"`.
    pub fn stock_owner(&self, id: i64) -> Option<i64> {
        if !self.options.manage_stock {
            return None;
        }
        let product = self.products.get(&id)?;
        if product.manage_stock {
            return Some(id);
        }
        if product.kind == ProductType::Variation {
            let parent = self.products.get(&product.parent_id)?;
            if parent.manage_stock {
                return Some(parent.id);
            }
        }
        None
    }

    /// What `manage_stock` shows for a product: `true`, `false` or `"parent"`.
    pub fn manage_stock_view(&self, product: &Product) -> serde_json::Value {
        if !self.options.manage_stock {
            return serde_json::Value::Bool(false);
        }
        if product.manage_stock {
            return serde_json::Value::Bool(true);
        }
        match self.stock_owner(product.id) {
            Some(owner) if owner != product.id => serde_json::Value::String("parent".into()),
            _ => serde_json::Value::Bool(false),
        }
    }

    /// What `stock_quantity` shows: the owner's quantity (the parent's for `"parent"`).
    pub fn stock_quantity_view(&self, product: &Product) -> Option<i64> {
        if !self.options.manage_stock {
            return None;
        }
        match self.stock_owner(product.id) {
            Some(owner) if owner == product.id => product.stock_quantity,
            Some(owner) => self.products.get(&owner).and_then(|p| p.stock_quantity),
            None => product.stock_quantity.filter(|_| product.manage_stock),
        }
    }

    // ---- users --------------------------------------------------------------------------------

    pub fn insert_user(&mut self, user: User) {
        if !user.email.is_empty() {
            self.email_index.insert(user.email.to_lowercase(), user.id);
        }
        self.users.insert(user.id, user);
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.email_index.get(&email.to_lowercase()).and_then(|id| self.users.get(id))
    }

    pub fn set_user_email(&mut self, id: i64, email: &str) {
        if let Some(user) = self.users.get_mut(&id) {
            self.email_index.remove(&user.email.to_lowercase());
            user.email = email.to_string();
            if !email.is_empty() {
                self.email_index.insert(email.to_lowercase(), id);
            }
        }
    }

    pub fn new_meta(&mut self, key: &str, value: serde_json::Value) -> Meta {
        Meta { id: self.seq.next_meta(), key: key.to_string(), value }
    }
}

/// `meta_data` writes as `WC_Data::update_meta_data` applies them: an entry with a known `id`
/// updates that row; without `id`, the first row with the key gets the value and further rows with
/// the same key are deleted; otherwise (also for an unknown `id`) a row is added. A `null` value
/// deletes the row when saved.
pub fn apply_meta(seq: &mut Sequences, meta: &mut Vec<Meta>, writes: &[(Option<i64>, String, serde_json::Value)]) {
    for (id, key, value) in writes {
        let position = match id {
            Some(id) => meta.iter().position(|m| m.id == *id),
            None => {
                let first = meta.iter().position(|m| &m.key == key);
                if let Some(first) = first {
                    let mut index = 0;
                    meta.retain(|m| {
                        let keep = index <= first || &m.key != key;
                        index += 1;
                        keep
                    });
                }
                first
            }
        };
        match (position, value.is_null()) {
            (Some(at), true) => {
                meta.remove(at);
            }
            (Some(at), false) => {
                meta[at].key = key.clone();
                meta[at].value = value.clone();
            }
            (None, true) => {}
            (None, false) => meta.push(Meta { id: seq.next_meta(), key: key.clone(), value: value.clone() }),
        }
    }
}
