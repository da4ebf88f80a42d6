//! The in-memory data store: one `Company` per company (tables, item ledger, sales documents,
//! number series, setup) and the environment-level webhook subscriptions. Everything sits behind
//! one lock in `Sim`; writers clone a record, change and validate the clone, and put it back, so
//! a failed validation leaves nothing half-written. A `$batch` with `Isolation: snapshot` clones
//! the whole store and puts the clone back on failure.

pub mod documents;
pub mod records;
pub mod sales;
pub mod table;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

pub use documents::Documents;
use records::{Customer, Item, ItemVariant, Ledger, Master};
use sales::DocKind;
pub use table::{Record, Table};

/// Row version and system timestamps of a record.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Meta {
    pub rv: u64,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
}

impl Meta {
    /// Weak ETag in BC's shape: `W/"<base64 of '20;<rowversion>;00;'>"`.
    pub fn etag(&self) -> String {
        let inner = format!("'20;{};00;'", self.rv);
        format!("W/\"{}\"", base64::engine::general_purpose::STANDARD.encode(inner))
    }
}

/// Lookup tables kept as generic `Master` records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MasterKind {
    PaymentTerms,
    PaymentMethods,
    ShipmentMethods,
    Locations,
    Currencies,
    CountriesRegions,
    Accounts,
    TaxGroups,
    Dimensions,
    DimensionValues,
    UnitsOfMeasure,
    ItemCategories,
    CustomerReturnReasons,
}

impl MasterKind {
    pub const ALL: [MasterKind; 13] = [
        MasterKind::PaymentTerms,
        MasterKind::PaymentMethods,
        MasterKind::ShipmentMethods,
        MasterKind::Locations,
        MasterKind::Currencies,
        MasterKind::CountriesRegions,
        MasterKind::Accounts,
        MasterKind::TaxGroups,
        MasterKind::Dimensions,
        MasterKind::DimensionValues,
        MasterKind::UnitsOfMeasure,
        MasterKind::ItemCategories,
        MasterKind::CustomerReturnReasons,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// Number series of the company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Series {
    Customer,
    Item,
    Order,
    Invoice,
    PostedInvoice,
    CreditMemo,
    PostedCreditMemo,
    Shipment,
}

/// Company-wide settings the seed fixes.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Local currency code (LCY).
    pub currency: String,
    /// VAT % per VAT Prod. Posting Group (= tax group code).
    pub vat_rates: BTreeMap<String, Decimal>,
    /// Global dimension 1 and 2 codes (the `shortcutDimension1Code/2Code` of documents).
    pub global_dimensions: [String; 2],
    pub prevent_negative_inventory: bool,
    /// Whether customers and items accept a number given by the caller (Manual Nos.).
    pub manual_numbers: bool,
    pub price_groups: BTreeSet<String>,
    /// Customer, Gen. Bus. and VAT Bus. Posting Group codes.
    pub posting_groups: [BTreeSet<String>; 3],
    pub salespeople: BTreeSet<String>,
    /// Item charges: number → (description, VAT group).
    pub item_charges: BTreeMap<String, (String, String)>,
    /// Next number of each series.
    pub series: BTreeMap<Series, String>,
    /// VAT group used for G/L account and item charge lines without one of their own.
    pub default_vat_group: String,
    /// Where opening stock is put: the seed's first location.
    pub default_location: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
}

/// A change to a webhook-enabled entity, waiting for the notifier.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub set: &'static str,
    pub id: Uuid,
    pub kind: ChangeKind,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct Company {
    pub id: Uuid,
    pub name: String,
    pub display_name: String,
    pub meta: Meta,
    pub setup: Setup,
    pub customers: Table<Customer>,
    pub items: Table<Item>,
    pub variants: Table<ItemVariant>,
    pub ledger: Ledger,
    masters: Vec<Table<Master>>,
    pub orders: Documents,
    pub invoices: Documents,
    pub credit_memos: Documents,
    pub shipments: Documents,
    /// Open amount per customer (posted invoices minus posted credit memos), for `balanceDue`.
    pub balances: HashMap<String, Decimal>,
    next_rv: u64,
    /// Changes to entity sets someone subscribed to, drained by the webhook notifier.
    pub changes: Vec<Change>,
    /// Entity sets with at least one subscription (only their changes are kept).
    pub watched: BTreeSet<&'static str>,
}

impl Company {
    pub fn new(id: Uuid, name: String, display_name: String, setup: Setup) -> Self {
        let now = Utc::now();
        let first_rv = first_row_version(now);
        Self {
            id,
            name,
            display_name,
            meta: Meta { rv: first_rv, created: now, modified: now },
            setup,
            customers: Table::default(),
            items: Table::default(),
            variants: Table::default(),
            ledger: Ledger::default(),
            masters: MasterKind::ALL.iter().map(|_| Table::default()).collect(),
            orders: Documents::default(),
            invoices: Documents::default(),
            credit_memos: Documents::default(),
            shipments: Documents::default(),
            balances: HashMap::new(),
            next_rv: first_rv + 1,
            changes: Vec::new(),
            watched: BTreeSet::new(),
        }
    }

    /// Meta of a record created now.
    pub fn stamp(&mut self) -> Meta {
        let now = Utc::now();
        self.next_rv += 1;
        Meta { rv: self.next_rv, created: now, modified: now }
    }

    /// Meta of a record modified now.
    pub fn touch(&mut self, meta: Meta) -> Meta {
        self.next_rv += 1;
        Meta { rv: self.next_rv, created: meta.created, modified: Utc::now() }
    }

    pub fn master(&self, kind: MasterKind) -> &Table<Master> {
        &self.masters[kind.index()]
    }

    pub fn master_mut(&mut self, kind: MasterKind) -> &mut Table<Master> {
        &mut self.masters[kind.index()]
    }

    pub fn docs(&self, kind: DocKind) -> &Documents {
        match kind {
            DocKind::Order => &self.orders,
            DocKind::Invoice => &self.invoices,
            DocKind::CreditMemo => &self.credit_memos,
            DocKind::Shipment => &self.shipments,
        }
    }

    pub fn docs_mut(&mut self, kind: DocKind) -> &mut Documents {
        match kind {
            DocKind::Order => &mut self.orders,
            DocKind::Invoice => &mut self.invoices,
            DocKind::CreditMemo => &mut self.credit_memos,
            DocKind::Shipment => &mut self.shipments,
        }
    }

    /// Takes the next number of a series.
    pub fn next_number(&mut self, series: Series) -> String {
        let entry = self.setup.series.entry(series).or_insert_with(|| "1".to_string());
        let number = entry.clone();
        *entry = increment_number(&number);
        number
    }

    /// Remembers a change for the webhook notifier if the entity set is subscribed to.
    pub fn record_change(&mut self, set: &'static str, id: Uuid, kind: ChangeKind) {
        if self.watched.contains(set) {
            self.changes.push(Change { set, id, kind, at: Utc::now() });
        }
    }

    pub fn vat_rate(&self, group: &str) -> Decimal {
        self.setup.vat_rates.get(group).copied().unwrap_or_default()
    }
}

/// A webhook subscription (environment level).
#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub id: String,
    pub meta: Meta,
    pub notification_url: String,
    /// As the client sent it; notifications append `(<id>)` to it.
    pub resource: String,
    pub client_state: String,
    pub expiration: DateTime<Utc>,
    pub user_id: Uuid,
    pub company: Uuid,
    pub set: &'static str,
}

#[derive(Clone, Debug, Default)]
pub struct Store {
    pub companies: Vec<Company>,
    pub subscriptions: BTreeMap<String, Subscription>,
    next_rv: u64,
}

impl Store {
    pub fn new(companies: Vec<Company>) -> Self {
        Self { companies, subscriptions: BTreeMap::new(), next_rv: first_row_version(Utc::now()) }
    }

    pub fn company(&self, id: Uuid) -> Option<&Company> {
        self.companies.iter().find(|c| c.id == id)
    }

    pub fn company_mut(&mut self, id: Uuid) -> Option<&mut Company> {
        self.companies.iter_mut().find(|c| c.id == id)
    }

    pub fn stamp(&mut self, created: Option<DateTime<Utc>>) -> Meta {
        self.next_rv += 1;
        let now = Utc::now();
        Meta { rv: self.next_rv, created: created.unwrap_or(now), modified: now }
    }

    /// Recomputes which entity sets each company must keep changes for.
    pub fn refresh_watched(&mut self) {
        for company in &mut self.companies {
            company.watched = self.subscriptions.values().filter(|s| s.company == company.id).map(|s| s.set).collect();
            let watched = company.watched.clone();
            company.changes.retain(|c| watched.contains(c.set));
        }
    }
}

/// Row versions start from the clock so that ETags from an earlier run never match.
fn first_row_version(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp_micros()).unwrap_or(1) * 1000
}

/// `S-ORD101009` → `S-ORD101010`: increments the trailing digits, keeping their width.
pub fn increment_number(number: &str) -> String {
    let digits = number.chars().rev().take_while(|c| c.is_ascii_digit()).count();
    let (prefix, tail) = number.split_at(number.len() - digits);
    if tail.is_empty() {
        return format!("{number}1");
    }
    let next = tail.parse::<u128>().map(|n| n + 1).unwrap_or(1);
    format!("{prefix}{next:0width$}", width = tail.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_series_increment_keeps_width() {
        assert_eq!(increment_number("S-ORD101009"), "S-ORD101010");
        assert_eq!(increment_number("C00099"), "C00100");
        assert_eq!(increment_number("X"), "X1");
    }
}
