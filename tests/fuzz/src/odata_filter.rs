//! Target `odata_filter`: bc-sim's `$filter` (what the agent's queries, or anyone's, send to the
//! simulator) bound by `odata::filter::bind_filter` against API entity sets and NAV pages (the
//! item page has FlowFilters). bc-sim promises: any input gives a filter or a 400 in BC's error
//! format. An accepted filter is written back as text (nextLinks do this) and must bind to the same
//! filter, and it is evaluated against a row as a listing would.

use std::sync::OnceLock;

use bc_sim::entities::{customers::CUSTOMERS, documents::SALES_ORDERS, items::ITEMS, ledger::ITEM_LEDGER_ENTRIES};
use bc_sim::odata::filter::bind_filter;
use bc_sim::odata::schema::{SetDef, Ty};
use bc_sim::odata::value::{blank_date, blank_datetime, Val};
use bc_sim::PageServices;
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::input::{combine, hash, outcome, text, Outcome};

pub fn run(data: &[u8]) -> Outcome {
    let filter = text(data);
    let mut seen = Vec::new();
    for def in sets() {
        seen.push(match bind_filter(&filter, def) {
            Ok(None) => 1,
            Ok(Some(expr)) => {
                let written = expr.to_string();
                match bind_filter(&written, def) {
                    Ok(Some(again)) => assert_eq!(again, expr, "{filter:?} written as {written:?} binds differently"),
                    other => panic!("{filter:?} written as {written:?} does not bind again: {other:?}"),
                }
                let row = |name: &str| sample(def, name);
                let matched = expr.matches(&row);
                let mut flow_filters = Vec::new();
                let rest = expr.take_flow_filters(&mut flow_filters);
                hash(&(matched, flow_filters.len(), rest.is_ok()))
            }
            Err(error) => {
                assert_eq!(error.status.as_u16(), 400, "{filter:?}: {error:?}");
                outcome(&error.code)
            }
        });
    }
    combine(&seen)
}

/// Entity sets with every property type between them, and two NAV pages.
fn sets() -> &'static [&'static SetDef] {
    static SETS: OnceLock<Vec<&'static SetDef>> = OnceLock::new();
    SETS.get_or_init(|| {
        let pages = bc_sim::pages::defs::build(&PageServices::default());
        vec![&ITEMS, &CUSTOMERS, &SALES_ORDERS, &ITEM_LEDGER_ENTRIES, pages.item, pages.order]
    })
}

/// A row value of the property's type, as the store would give.
fn sample(def: &SetDef, name: &str) -> Val<'static> {
    match def.prop(name).map(|p| p.ty) {
        Some(Ty::Text | Ty::Code) | None => Val::str("Ä-1896-s"),
        Some(Ty::Decimal) => Val::Dec(Decimal::new(125, 1)),
        Some(Ty::Int | Ty::Int64) => Val::Int(7),
        Some(Ty::Bool) => Val::Bool(true),
        Some(Ty::Guid) => Val::Guid(Uuid::nil()),
        Some(Ty::Date) => Val::Date(blank_date()),
        Some(Ty::DateTime) => Val::DateTime(blank_datetime()),
        Some(Ty::Enum(def)) => Val::Enum(def, 0),
    }
}
