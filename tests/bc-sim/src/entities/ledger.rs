//! `itemLedgerEntries` (page 30069, read-only) and the one way entries are written: `post_entry`,
//! which numbers them in order and enforces Prevent Negative Inventory when the seed turns it on.
//! Location and variant are stored but not exposed, as in BC.

use rust_decimal::Decimal;

use crate::error::{ApiError, ApiResult};
use crate::odata::listing::{Cursor, Row};
use crate::odata::schema::Ty::*;
use crate::odata::schema::*;
use crate::odata::value::Val;
use crate::store::records::LedgerEntry;
use crate::store::Company;

pub static ITEM_LEDGER_ENTRIES: SetDef = SetDef {
    name: "itemLedgerEntries",
    type_name: "itemLedgerEntry",
    namespace: "Microsoft.NAV",
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        r("entryNumber", Int),
        rl("itemNumber", Code, 20),
        r("postingDate", Date),
        r("entryType", Enum(&ENTRY_TYPE)),
        rl("sourceNumber", Code, 20),
        r("sourceType", Enum(&SOURCE_TYPE)),
        rl("documentNumber", Code, 20),
        r("documentType", Enum(&LEDGER_DOCUMENT_TYPE)),
        rl("description", Text, 100),
        r("quantity", Decimal),
        r("salesAmountActual", Decimal),
        r("costAmountActual", Decimal),
        r("lastModifiedDateTime", DateTime),
    ],
    navs: &[],
    insert: false,
    update: false,
    delete: false,
    table: "Item Ledger Entry",
};

pub struct LedgerRow<'a> {
    pub entry: &'a LedgerEntry,
}

impl Row for LedgerRow<'_> {
    fn def(&self) -> &'static SetDef {
        &ITEM_LEDGER_ENTRIES
    }

    fn get(&self, prop: &str) -> Val<'_> {
        let e = self.entry;
        match prop {
            "id" => Val::Guid(e.id),
            "entryNumber" => Val::Int(e.entry_number),
            "itemNumber" => Val::str(&e.item_number),
            "postingDate" => Val::Date(e.posting_date),
            "entryType" => Val::Enum(&ENTRY_TYPE, e.entry_type),
            "sourceNumber" => Val::str(&e.source_number),
            "sourceType" => Val::Enum(&SOURCE_TYPE, e.source_type),
            "documentNumber" => Val::str(&e.document_number),
            "documentType" => Val::Enum(&LEDGER_DOCUMENT_TYPE, e.document_type),
            "description" => Val::str(&e.description),
            "quantity" => Val::Dec(e.quantity),
            "salesAmountActual" => Val::Dec(e.sales_amount),
            "costAmountActual" => Val::Dec(e.cost_amount),
            "lastModifiedDateTime" => Val::DateTime(e.meta.modified),
            _ => Val::str(""),
        }
    }

    fn etag(&self) -> String {
        self.entry.meta.etag()
    }

    fn cursor(&self) -> Cursor {
        Cursor::Number(self.entry.entry_number)
    }
}

/// Appends an entry with the next entry number; returns that number.
pub fn post_entry(co: &mut Company, mut entry: LedgerEntry) -> ApiResult<i64> {
    if co.setup.prevent_negative_inventory && entry.quantity < Decimal::ZERO {
        let on_hand = co.ledger.inventory(&entry.item_number);
        if on_hand + entry.quantity < Decimal::ZERO {
            return Err(ApiError::dialog(format!(
                "You have insufficient quantity of Item {} on inventory.",
                entry.item_number
            )));
        }
    }
    entry.entry_number = co.ledger.next_entry_number();
    entry.meta = co.stamp();
    let number = entry.entry_number;
    co.ledger.push(entry);
    Ok(number)
}
