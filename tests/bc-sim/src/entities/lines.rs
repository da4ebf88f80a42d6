//! Document lines: `salesOrderLines` (page 30044), `salesInvoiceLines` (30043),
//! `salesCreditMemoLines` (30046) and `salesShipmentLines` (read-only). BC lists them only under a
//! document or with a `documentId` filter.

use uuid::Uuid;

use super::dimensions::dimension_rows;
use super::documents::DocRow;
use super::items::{ItemRow, VariantRow};
use super::masters::{by_code, MasterRow};
use crate::error::{ApiError, ApiResult};
use crate::odata::listing::{nested, nested_one, Cursor, Row};
use crate::odata::query::Query;
use crate::odata::schema::Ty::*;
use crate::odata::schema::*;
use crate::odata::value::Val;
use crate::store::sales::{DocKind, LineKind, SalesDoc, SalesLine};
use crate::store::{Company, MasterKind};

const NS: &str = "Microsoft.NAV";

macro_rules! line_props {
    ($($extra:expr),* $(,)?) => {
        &[
            r("id", Guid).not_null(),
            c("documentId", Guid, 0),
            c("sequence", Int, 0),
            w("itemId", Guid),
            w("accountId", Guid),
            w("lineType", Enum(&LINE_TYPE)),
            c("lineObjectNumber", Code, 20),
            wl("description", Text, 100),
            wl("description2", Text, 50),
            w("unitOfMeasureId", Guid),
            wl("unitOfMeasureCode", Code, 10),
            w("quantity", Decimal),
            w("unitPrice", Decimal),
            w("discountAmount", Decimal),
            w("discountPercent", Decimal),
            r("discountAppliedBeforeTax", Bool),
            r("amountExcludingTax", Decimal),
            wl("taxCode", Code, 50),
            r("taxPercent", Decimal),
            r("totalTaxAmount", Decimal),
            r("amountIncludingTax", Decimal),
            r("invoiceDiscountAllocation", Decimal),
            r("netAmount", Decimal),
            r("netTaxAmount", Decimal),
            r("netAmountIncludingTax", Decimal),
            w("shipmentDate", Date),
            $($extra,)*
            w("itemVariantId", Guid),
            w("locationId", Guid),
        ]
    };
}

const fn line_set(name: &'static str, type_name: &'static str, props: &'static [Prop], navs: &'static [Nav]) -> SetDef {
    SetDef {
        name,
        type_name,
        namespace: NS,
        key: &["id"],
        props,
        navs,
        insert: true,
        update: true,
        delete: true,
        table: "Sales Invoice Line Aggregate",
    }
}

pub static SALES_ORDER_LINES: SetDef = line_set(
    "salesOrderLines",
    "salesOrderLine",
    line_props![
        r("shippedQuantity", Decimal),
        r("invoicedQuantity", Decimal),
        w("invoiceQuantity", Decimal),
        w("shipQuantity", Decimal),
    ],
    &[
        one("salesOrder", "salesOrders"),
        one("item", "items"),
        one("account", "accounts"),
        one("unitOfMeasure", "unitsOfMeasure"),
        one("itemVariant", "itemVariants"),
        many("dimensionSetLines", "dimensionSetLines"),
        one("location", "locations"),
    ],
);

pub static SALES_INVOICE_LINES: SetDef = line_set(
    "salesInvoiceLines",
    "salesInvoiceLine",
    line_props![],
    &[
        one("salesInvoice", "salesInvoices"),
        one("item", "items"),
        one("account", "accounts"),
        one("unitOfMeasure", "unitsOfMeasure"),
        one("itemVariant", "itemVariants"),
        many("dimensionSetLines", "dimensionSetLines"),
        one("location", "locations"),
    ],
);

pub static SALES_CREDIT_MEMO_LINES: SetDef = line_set(
    "salesCreditMemoLines",
    "salesCreditMemoLine",
    line_props![],
    &[
        one("salesCreditMemo", "salesCreditMemos"),
        one("item", "items"),
        one("account", "accounts"),
        one("unitOfMeasure", "unitsOfMeasure"),
        one("itemVariant", "itemVariants"),
        many("dimensionSetLines", "dimensionSetLines"),
        one("location", "locations"),
    ],
);

pub static SALES_SHIPMENT_LINES: SetDef = SetDef {
    name: "salesShipmentLines",
    type_name: "salesShipmentLine",
    namespace: NS,
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        r("documentId", Guid),
        rl("documentNo", Code, 20),
        r("sequence", Int),
        r("lineType", Enum(&SALES_LINE_TYPE)),
        rl("lineObjectNumber", Code, 20),
        rl("description", Text, 100),
        rl("description2", Text, 50),
        rl("unitOfMeasureCode", Code, 10),
        r("unitPrice", Decimal),
        r("quantity", Decimal),
        r("discountPercent", Decimal),
        r("taxPercent", Decimal),
        r("shipmentDate", Date),
    ],
    navs: &[many("dimensionSetLines", "dimensionSetLines")],
    insert: false,
    update: false,
    delete: false,
    table: "Sales Shipment Line",
};

pub fn line_def(kind: DocKind) -> &'static SetDef {
    match kind {
        DocKind::Order => &SALES_ORDER_LINES,
        DocKind::Invoice => &SALES_INVOICE_LINES,
        DocKind::CreditMemo => &SALES_CREDIT_MEMO_LINES,
        DocKind::Shipment => &SALES_SHIPMENT_LINES,
    }
}

pub fn kind_of(set: &str) -> Option<DocKind> {
    [DocKind::Order, DocKind::Invoice, DocKind::CreditMemo, DocKind::Shipment]
        .into_iter()
        .find(|k| line_def(*k).name == set)
}

/// Name of the navigation from a line to its document.
fn parent_nav(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Order => "salesOrder",
        DocKind::Invoice => "salesInvoice",
        DocKind::CreditMemo => "salesCreditMemo",
        DocKind::Shipment => "salesShipment",
    }
}

pub struct LineRow<'a> {
    pub co: &'a Company,
    pub doc: &'a SalesDoc,
    pub line: &'a SalesLine,
}

impl LineRow<'_> {
    fn item_id(&self) -> Uuid {
        match self.line.kind {
            LineKind::Item => self.co.items.by_key(&self.line.number).map(|i| i.id).unwrap_or_default(),
            _ => Uuid::nil(),
        }
    }

    fn account_id(&self) -> Uuid {
        match self.line.kind {
            LineKind::Account => {
                by_code(self.co, MasterKind::Accounts, &self.line.number).map(|a| a.id).unwrap_or_default()
            }
            _ => Uuid::nil(),
        }
    }

    fn variant_id(&self) -> Uuid {
        if self.line.variant.is_empty() {
            return Uuid::nil();
        }
        self.co
            .variants
            .by_key(&format!("{}\t{}", self.line.number, self.line.variant))
            .map(|v| v.id)
            .unwrap_or_default()
    }
}

impl Row for LineRow<'_> {
    fn def(&self) -> &'static SetDef {
        line_def(self.doc.kind)
    }

    fn get(&self, prop: &str) -> Val<'_> {
        let l = self.line;
        match prop {
            "id" => Val::Guid(l.id),
            "documentId" => Val::Guid(l.document_id),
            "documentNo" => Val::str(&self.doc.number),
            "sequence" => Val::Int(l.sequence),
            "itemId" => Val::Guid(self.item_id()),
            "accountId" => Val::Guid(self.account_id()),
            "lineType" if self.doc.kind == DocKind::Shipment => Val::Enum(&SALES_LINE_TYPE, l.kind.page_index()),
            "lineType" => Val::Enum(&LINE_TYPE, l.kind.api_index()),
            "lineObjectNumber" => Val::str(&l.number),
            "description" => Val::str(&l.description),
            "description2" => Val::str(&l.description2),
            "unitOfMeasureId" => {
                Val::Guid(by_code(self.co, MasterKind::UnitsOfMeasure, &l.uom).map(|u| u.id).unwrap_or_default())
            }
            "unitOfMeasureCode" => Val::str(&l.uom),
            "quantity" => Val::Dec(l.quantity),
            "unitPrice" => Val::Dec(l.unit_price),
            "discountAmount" => Val::Dec(l.discount_amount),
            "discountPercent" => Val::Dec(l.discount_percent),
            "discountAppliedBeforeTax" => Val::Bool(true),
            "amountExcludingTax" => Val::Dec(l.gross.excl),
            "taxCode" => Val::str(&l.vat_group),
            "taxPercent" => Val::Dec(l.vat_percent),
            "totalTaxAmount" => Val::Dec(l.gross.tax),
            "amountIncludingTax" => Val::Dec(l.gross.incl),
            "invoiceDiscountAllocation" => Val::Dec(l.invoice_discount),
            "netAmount" => Val::Dec(l.net.excl),
            "netTaxAmount" => Val::Dec(l.net.tax),
            "netAmountIncludingTax" => Val::Dec(l.net.incl),
            "shipmentDate" => Val::Date(l.shipment_date),
            "shippedQuantity" => Val::Dec(l.shipped),
            "invoicedQuantity" => Val::Dec(l.invoiced),
            "invoiceQuantity" => Val::Dec(l.qty_to_invoice),
            "shipQuantity" => Val::Dec(l.qty_to_ship),
            "itemVariantId" => Val::Guid(self.variant_id()),
            "locationId" => {
                Val::Guid(by_code(self.co, MasterKind::Locations, &l.location).map(|m| m.id).unwrap_or_default())
            }
            _ => Val::str(""),
        }
    }

    fn etag(&self) -> String {
        self.line.meta.etag()
    }

    fn cursor(&self) -> Cursor {
        Cursor::Text(format!("{}\t{:012}", self.doc.number, self.line.sequence))
    }

    fn expand(&self, nav: &'static Nav, query: &Query) -> ApiResult<serde_json::Value> {
        let co = self.co;
        match nav.name {
            "dimensionSetLines" => nested(dimension_rows(co, self.doc, Some(self.line)), query),
            "item" => nested_one(co.items.get(self.item_id()).map(|item| ItemRow { co, item }), query),
            "itemVariant" => {
                nested_one(co.variants.get(self.variant_id()).map(|variant| VariantRow { co, variant }), query)
            }
            "account" | "unitOfMeasure" | "location" => {
                let (kind, code) = match nav.name {
                    "account" => {
                        (MasterKind::Accounts, if self.line.kind == LineKind::Account { &self.line.number } else { "" })
                    }
                    "unitOfMeasure" => (MasterKind::UnitsOfMeasure, self.line.uom.as_str()),
                    _ => (MasterKind::Locations, self.line.location.as_str()),
                };
                nested_one(by_code(co, kind, code).map(|record| MasterRow { co, kind, record }), query)
            }
            name if name == parent_nav(self.doc.kind) => nested_one(Some(DocRow { co, doc: self.doc }), query),
            other => Err(ApiError::syntax(format!("Could not find a property named '{other}'."))),
        }
    }
}
