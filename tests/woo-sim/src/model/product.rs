//! Products and variations (one table, as WordPress keeps both as posts) and who owns the stock.

use crate::clock::Timestamp;
use crate::model::order::Meta;
use crate::money::Cents;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductType {
    Simple,
    Variable,
    Variation,
    Grouped,
    External,
}

impl ProductType {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductType::Simple => "simple",
            ProductType::Variable => "variable",
            ProductType::Variation => "variation",
            ProductType::Grouped => "grouped",
            ProductType::External => "external",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "simple" => ProductType::Simple,
            "variable" => ProductType::Variable,
            "grouped" => ProductType::Grouped,
            "external" => ProductType::External,
            _ => return None,
        })
    }
}

/// A variation's attribute value, or a parent's attribute with its options.
#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    /// For a variation: one option; for a parent: all options.
    pub options: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Product {
    pub id: i64,
    pub kind: ProductType,
    /// The variable product of a variation; 0 otherwise.
    pub parent_id: i64,
    pub name: String,
    pub slug: String,
    pub status: String,
    pub sku: String,
    pub global_unique_id: String,
    pub regular_price: Option<Cents>,
    pub sale_price: Option<Cents>,
    pub tax_status: String,
    /// `""` = standard; for a variation `parent` = same as the parent.
    pub tax_class: String,
    /// The stored flag. A variation with `false` whose parent manages stock reports `"parent"`.
    pub manage_stock: bool,
    /// The stored quantity (for a parent-managed variation: stored, but not what is sold from).
    pub stock_quantity: Option<i64>,
    pub stock_status: String,
    pub backorders: String,
    pub low_stock_amount: Option<i64>,
    pub total_sales: i64,
    pub date_created: Timestamp,
    pub date_modified: Timestamp,
    pub variations: Vec<i64>,
    pub attributes: Vec<Attribute>,
    pub meta: Vec<Meta>,
    pub description: String,
    pub short_description: String,
    pub weight: String,
    pub menu_order: i64,
}

impl Product {
    pub fn new(id: i64, kind: ProductType, name: &str, now: Timestamp) -> Self {
        Self {
            id,
            kind,
            parent_id: 0,
            name: name.to_string(),
            slug: slugify(name),
            status: "publish".to_string(),
            sku: String::new(),
            global_unique_id: String::new(),
            regular_price: None,
            sale_price: None,
            tax_status: "taxable".to_string(),
            tax_class: if kind == ProductType::Variation { "parent".to_string() } else { String::new() },
            manage_stock: false,
            stock_quantity: None,
            stock_status: "instock".to_string(),
            backorders: "no".to_string(),
            low_stock_amount: None,
            total_sales: 0,
            date_created: now,
            date_modified: now,
            variations: Vec::new(),
            attributes: Vec::new(),
            meta: Vec::new(),
            description: String::new(),
            short_description: String::new(),
            weight: String::new(),
            menu_order: 0,
        }
    }

    /// The active price (sale price when set).
    pub fn price(&self) -> Option<i64> {
        self.sale_price.or(self.regular_price)
    }

    pub fn backorders_allowed(&self) -> bool {
        self.backorders != "no"
    }
}

/// `sanitize_title` for the ASCII names the simulator deals with.
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars().flat_map(|c| c.to_lowercase()) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
            dash = false;
        } else if !dash && !slug.is_empty() {
            slug.push('-');
            dash = true;
        }
    }
    slug.trim_end_matches('-').to_string()
}
