//! What API v2.0 exposes of the data store: one module per area declares its entity sets (the
//! schema), a `Row` view for reading and the create/update/delete rules BC applies. Sales
//! document writes live in `crate::sales`.

pub mod companies;
pub mod customers;
pub mod dimensions;
pub mod documents;
pub mod items;
pub mod ledger;
pub mod lines;
pub mod masters;

use crate::odata::schema::SetDef;
use crate::store::{Company, MasterKind};

/// What a write runs against: the company's data.
pub struct Ctx<'a> {
    pub co: &'a mut Company,
}

/// Every entity set of API v2.0 the simulator serves (company level and `companies`).
pub fn all_sets() -> Vec<&'static SetDef> {
    let mut sets: Vec<&'static SetDef> = vec![
        &companies::COMPANIES,
        &customers::CUSTOMERS,
        &items::ITEMS,
        &items::ITEM_VARIANTS,
        &ledger::ITEM_LEDGER_ENTRIES,
        &documents::SALES_ORDERS,
        &lines::SALES_ORDER_LINES,
        &documents::SALES_INVOICES,
        &lines::SALES_INVOICE_LINES,
        &documents::SALES_CREDIT_MEMOS,
        &lines::SALES_CREDIT_MEMO_LINES,
        &documents::SALES_SHIPMENTS,
        &lines::SALES_SHIPMENT_LINES,
        &dimensions::DIMENSION_SET_LINES,
        &crate::webhooks::SUBSCRIPTIONS,
    ];
    sets.extend(MasterKind::ALL.iter().map(|k| masters::def(*k)));
    sets
}

/// Finds an entity set by name (used to resolve `$expand` targets).
pub fn api_set(name: &str) -> Option<&'static SetDef> {
    all_sets().into_iter().find(|s| s.name == name)
}
