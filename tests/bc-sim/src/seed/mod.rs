//! Seeding the data store. The seed format is the demo shop's (`tests/seed/demo-shop.json`,
//! compiled in for `--seed demo`) with optional extensions, documented in the README; keys the
//! simulator does not use (`woo_*`, `about`) are ignored. Ids of seeded records are derived from
//! the company id and the record's key, so they are the same on every start. `--items N` adds N
//! synthetic items with stock for benchmarks.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::odata::value::decimal_from_json;

mod build;

pub use build::{add_synthetic_items, add_to, build};

/// The demo company and shop, shared with woo-sim.
pub const DEMO: &str = include_str!("../../../seed/demo-shop.json");

/// Hidden field of G/L account records: the VAT Prod. Posting Group of lines using the account.
pub const ACCOUNT_VAT_FIELD: &str = "vatProdPostingGroup";

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("reading seed file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("seed is not valid: {0}")]
    Format(#[from] serde_json::Error),
    #[error("seed is not valid: {0}")]
    Invalid(String),
}

/// Where the data comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum SeedSource {
    /// The demo shop's company.
    Demo,
    /// The demo company with its setup (VAT rates, units of measure) but no master data.
    Empty,
    File(PathBuf),
    Json(Value),
}

impl std::str::FromStr for SeedSource {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "demo" => SeedSource::Demo,
            "empty" => SeedSource::Empty,
            path => SeedSource::File(PathBuf::from(path)),
        })
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Seed {
    pub company: SeedCompany,
    #[serde(default)]
    pub items: Vec<SeedItem>,
    #[serde(default)]
    pub item_charges: Vec<SeedCharge>,
    #[serde(default)]
    pub gl_accounts: Vec<SeedCharge>,
    #[serde(default)]
    pub dimensions: Vec<SeedDimension>,
    #[serde(default)]
    pub customer_price_groups: Vec<String>,
    /// Customer, Gen. Business and VAT Business Posting Groups (Customer Card fields, not in API v2.0).
    #[serde(default)]
    pub customer_posting_groups: Vec<String>,
    #[serde(default)]
    pub gen_bus_posting_groups: Vec<String>,
    #[serde(default)]
    pub vat_bus_posting_groups: Vec<String>,
    #[serde(default)]
    pub payment_terms: Vec<SeedCode>,
    #[serde(default)]
    pub payment_methods: Vec<SeedCode>,
    #[serde(default)]
    pub shipment_methods: Vec<SeedCode>,
    #[serde(default)]
    pub locations: Vec<SeedCode>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub customers: Vec<SeedCustomer>,
    // Extensions of the demo format.
    #[serde(default)]
    pub salespeople: Vec<String>,
    #[serde(default)]
    pub units_of_measure: Vec<SeedCode>,
    #[serde(default)]
    pub item_categories: Vec<SeedCode>,
    #[serde(default)]
    pub return_reasons: Vec<SeedCode>,
    #[serde(default)]
    pub currencies: Vec<SeedCode>,
    #[serde(default)]
    pub global_dimensions: Option<[String; 2]>,
    #[serde(default)]
    pub prevent_negative_inventory: bool,
    #[serde(default)]
    pub manual_numbers: Option<bool>,
    #[serde(default)]
    pub number_series: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct SeedCompany {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    pub id: Uuid,
    pub currency: String,
    #[serde(default)]
    pub vat_rates: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SeedItem {
    pub number: String,
    pub name: String,
    pub price: Value,
    pub tax_group: String,
    #[serde(default)]
    pub stock: Option<Value>,
    #[serde(default)]
    pub stock_by_location: BTreeMap<String, Value>,
    #[serde(default)]
    pub gtin: Option<String>,
    #[serde(default)]
    pub variants: Vec<SeedVariant>,
    #[serde(default)]
    pub unit_cost: Option<Value>,
    #[serde(default)]
    pub blocked: bool,
    #[serde(default)]
    pub category: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SeedVariant {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub stock: Option<Value>,
}

/// Item charges and G/L accounts: number, name, optional VAT group.
#[derive(Clone, Debug, Deserialize)]
pub struct SeedCharge {
    pub number: String,
    pub name: String,
    #[serde(default)]
    pub tax_group: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SeedDimension {
    pub code: String,
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SeedCode {
    pub code: String,
    pub name: String,
    /// Payment terms: e.g. `30D`; derived from the code's number of days when absent.
    #[serde(default)]
    pub due_date_calculation: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SeedCustomer {
    pub number: String,
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub price_group: String,
    #[serde(default)]
    pub payment_terms: String,
    #[serde(default)]
    pub payment_method: String,
    #[serde(default)]
    pub shipment_method: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub post_code: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub prices_including_vat: bool,
    #[serde(default)]
    pub blocked: Option<String>,
    #[serde(default)]
    pub default_dimensions: BTreeMap<String, String>,
    #[serde(default)]
    pub ship_to: Vec<SeedShipTo>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct SeedShipTo {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub post_code: String,
    #[serde(default)]
    pub country: String,
}

/// Reads the seed a source names.
pub fn load(source: &SeedSource) -> Result<Seed, SeedError> {
    match source {
        SeedSource::Demo => Ok(serde_json::from_str(DEMO)?),
        SeedSource::Empty => {
            let demo: Seed = serde_json::from_str(DEMO)?;
            Ok(Seed { company: demo.company, ..Seed::default() })
        }
        SeedSource::File(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|source| SeedError::Read { path: path.clone(), source })?;
            Ok(serde_json::from_str(&text)?)
        }
        SeedSource::Json(value) => Ok(serde_json::from_value(value.clone())?),
    }
}

/// Ids derived from the company id and a record key (FNV-1a), version 4 layout.
pub fn stable_id(company: Uuid, kind: &str, key: &str) -> Uuid {
    let mut bytes = [0u8; 16];
    for (half, offset) in [(0usize, 0xcbf2_9ce4_8422_2325u64), (8, 0x8422_2325_cbf2_9ce4)] {
        let mut hash = offset;
        for byte in company.as_bytes().iter().chain(kind.as_bytes()).chain(b"/").chain(key.as_bytes()) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        bytes[half..half + 8].copy_from_slice(&hash.to_be_bytes());
    }
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

pub(crate) fn decimal(value: &Value, what: &str) -> Result<Decimal, SeedError> {
    decimal_from_json(value).ok_or_else(|| SeedError::Invalid(format!("{what}: {value} is not a number")))
}
