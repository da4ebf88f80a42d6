//! Master data records (customers, items, variants, lookup tables) and the item ledger.
//! Field names follow the BC tables (Customer, Item, Item Variant, Item Ledger Entry); the API
//! and page views map them to their own property names.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::table::Record;
use super::Meta;
use crate::odata::value::Val;

/// A ship-to address of a customer (table Ship-to Address), reachable only through the pages.
/// Its own table in BC: writing it does not modify the customer (no new lastModifiedDateTime).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ShipTo {
    pub meta: Meta,
    pub code: String,
    pub name: String,
    pub address: String,
    pub address2: String,
    pub city: String,
    pub county: String,
    pub post_code: String,
    pub country: String,
    pub contact: String,
    pub phone: String,
    pub email: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Customer {
    pub id: Uuid,
    pub meta: Meta,
    pub number: String,
    pub name: String,
    /// Index into `CONTACT_TYPE`.
    pub contact_type: usize,
    pub address: String,
    pub address2: String,
    pub city: String,
    pub county: String,
    pub country: String,
    pub post_code: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub salesperson: String,
    pub credit_limit: Decimal,
    pub tax_liable: bool,
    pub tax_area_id: Uuid,
    pub vat_registration_no: String,
    /// Blank = the company's local currency.
    pub currency: String,
    pub payment_terms: String,
    pub shipment_method: String,
    pub payment_method: String,
    /// Index into `CUSTOMER_BLOCKED`.
    pub blocked: usize,
    /// Customer Price Group (field 23): not in API v2.0, only on the Customer Card page.
    pub price_group: String,
    /// Customer, Gen. Bus. and VAT Bus. Posting Group (Customer Card only). A customer created
    /// through API v2.0 gets them from BC's template selection, whose mechanics the reference
    /// marks unconfirmed: the simulator applies none (the stricter reading), so a connector that
    /// relies on them must set them.
    pub posting_groups: [String; 3],
    pub prices_including_vat: bool,
    pub location: String,
    pub default_dimensions: Vec<(String, String)>,
    pub ship_to: Vec<ShipTo>,
}

impl Record for Customer {
    fn id(&self) -> Uuid {
        self.id
    }
    fn key(&self) -> String {
        self.number.clone()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub id: Uuid,
    pub meta: Meta,
    pub number: String,
    pub description: String,
    pub description2: String,
    /// Index into `ITEM_TYPE`.
    pub item_type: usize,
    pub category: String,
    pub blocked: bool,
    pub gtin: String,
    pub unit_price: Decimal,
    pub price_includes_tax: bool,
    pub unit_cost: Decimal,
    /// Tax group = VAT Prod. Posting Group in this VAT company.
    pub tax_group: String,
    pub base_uom: String,
    pub gen_prod_group: String,
    pub inventory_group: String,
}

impl Record for Item {
    fn id(&self) -> Uuid {
        self.id
    }
    fn key(&self) -> String {
        self.number.clone()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ItemVariant {
    pub id: Uuid,
    pub meta: Meta,
    pub item_number: String,
    pub code: String,
    pub description: String,
}

impl Record for ItemVariant {
    fn id(&self) -> Uuid {
        self.id
    }
    fn key(&self) -> String {
        format!("{}\t{}", self.item_number, self.code)
    }
}

/// Item Ledger Entry. Location and variant are kept although API v2.0 does not expose them:
/// the Item Card page's FlowFilters read them.
#[derive(Clone, Debug, PartialEq)]
pub struct LedgerEntry {
    pub id: Uuid,
    pub meta: Meta,
    pub entry_number: i64,
    pub item_number: String,
    pub posting_date: NaiveDate,
    /// Index into `ENTRY_TYPE`.
    pub entry_type: usize,
    pub source_number: String,
    /// Index into `SOURCE_TYPE`.
    pub source_type: usize,
    pub document_number: String,
    /// Index into `LEDGER_DOCUMENT_TYPE`.
    pub document_type: usize,
    pub description: String,
    pub quantity: Decimal,
    pub sales_amount: Decimal,
    pub cost_amount: Decimal,
    pub location: String,
    pub variant: String,
}

/// The item ledger: entries in entry-number order, with a per-item index so that inventory
/// (Σ quantity) is a lookup, not a scan.
#[derive(Clone, Debug, Default)]
pub struct Ledger {
    pub entries: Vec<LedgerEntry>,
    by_item: HashMap<String, ItemEntries>,
}

/// An item's running inventory and the positions of its entries.
#[derive(Clone, Debug, Default)]
struct ItemEntries {
    inventory: Decimal,
    entries: Vec<u32>,
}

impl Ledger {
    pub fn next_entry_number(&self) -> i64 {
        self.entries.last().map(|e| e.entry_number + 1).unwrap_or(1)
    }

    pub fn push(&mut self, entry: LedgerEntry) {
        let position = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let index = self.by_item.entry(entry.item_number.clone()).or_default();
        index.inventory += entry.quantity;
        index.entries.push(position);
        self.entries.push(entry);
    }

    /// An entry by id (rare: a scan keeps the ledger lean).
    pub fn get(&self, id: Uuid) -> Option<&LedgerEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Inventory over all locations and variants.
    pub fn inventory(&self, item: &str) -> Decimal {
        self.by_item.get(item).map(|i| i.inventory).unwrap_or_default()
    }

    pub fn for_item<'a>(&'a self, item: &str) -> impl Iterator<Item = &'a LedgerEntry> + 'a {
        self.by_item.get(item).into_iter().flat_map(|i| i.entries.iter()).filter_map(|p| self.entries.get(*p as usize))
    }

    pub fn has_entries(&self, item: &str) -> bool {
        self.by_item.get(item).is_some_and(|i| !i.entries.is_empty())
    }

    /// Entries with entry number greater than `after`, in order.
    pub fn iter_after(&self, after: Option<i64>) -> std::slice::Iter<'_, LedgerEntry> {
        let start = match after {
            None => 0,
            Some(n) => self.entries.partition_point(|e| e.entry_number <= n),
        };
        self.entries[start..].iter()
    }

    /// Renames an item in every entry (BC renames related records with the item).
    pub fn rename_item(&mut self, old: &str, new: &str) {
        if let Some(index) = self.by_item.remove(old) {
            for position in &index.entries {
                if let Some(entry) = self.entries.get_mut(*position as usize) {
                    entry.item_number = new.to_string();
                }
            }
            self.by_item.insert(new.to_string(), index);
        }
    }
}

/// A record of one of the lookup tables (payment terms, locations, G/L accounts, …). Their
/// properties are declared by the entity set; values are kept by property name.
#[derive(Clone, Debug, PartialEq)]
pub struct Master {
    pub id: Uuid,
    pub meta: Meta,
    /// Primary key (the code, or `dimension\tcode` for dimension values).
    pub key: String,
    pub fields: BTreeMap<&'static str, Val<'static>>,
}

impl Master {
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).and_then(|v| v.as_str()).unwrap_or("")
    }

    pub fn value(&self, name: &str) -> Option<Val<'_>> {
        self.fields.get(name).map(|v| match v {
            Val::Str(text) => Val::str(text),
            other => other.clone(),
        })
    }
}

impl Record for Master {
    fn id(&self) -> Uuid {
        self.id
    }
    fn key(&self) -> String {
        self.key.clone()
    }
}
