//! Sales document headers as API v2.0 shows them: `salesOrders` (page 30028), `salesInvoices`
//! (30012, drafts and posted in one set), `salesCreditMemos` (30038, drafts and posted) and
//! `salesShipments` (30062, read-only). One `DocRow` serves all four; each set lists the
//! properties its page has (the metadata's, in its order).

use uuid::Uuid;

use super::customers::CustomerRow;
use super::dimensions::dimension_rows;
use super::lines::LineRow;
use super::masters::{by_code, MasterRow};
use crate::error::{ApiError, ApiResult};
use crate::odata::listing::{nested, nested_one, Cursor, Row};
use crate::odata::query::Query;
use crate::odata::schema::Ty::*;
use crate::odata::schema::*;
use crate::odata::value::Val;
use crate::store::sales::{DocKind, LineKind, SalesDoc};
use crate::store::{Company, MasterKind};

const NS: &str = "Microsoft.NAV";

pub static SALES_ORDERS: SetDef = SetDef {
    name: "salesOrders",
    type_name: "salesOrder",
    namespace: NS,
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        rl("number", Code, 20),
        wl("externalDocumentNumber", Code, 35),
        w("orderDate", Date),
        w("postingDate", Date),
        w("customerId", Guid),
        wl("customerNumber", Code, 20).not_null(),
        rl("customerName", Text, 100),
        rl("billToName", Text, 100),
        w("billToCustomerId", Guid),
        wl("billToCustomerNumber", Code, 20).not_null(),
        wl("shipToName", Text, 100),
        wl("shipToContact", Text, 100),
        wl("sellToAddressLine1", Text, 100),
        wl("sellToAddressLine2", Text, 50),
        wl("sellToCity", Text, 30),
        wl("sellToCountry", Code, 10),
        wl("sellToState", Text, 30),
        wl("sellToPostCode", Code, 20),
        rl("billToAddressLine1", Text, 100),
        rl("billToAddressLine2", Text, 50),
        rl("billToCity", Text, 30),
        rl("billToCountry", Code, 10),
        rl("billToState", Text, 30),
        rl("billToPostCode", Code, 20),
        wl("shipToAddressLine1", Text, 100),
        wl("shipToAddressLine2", Text, 50),
        wl("shipToCity", Text, 30),
        wl("shipToCountry", Code, 10),
        wl("shipToState", Text, 30),
        wl("shipToPostCode", Code, 20),
        wl("shortcutDimension1Code", Code, 20),
        wl("shortcutDimension2Code", Code, 20),
        w("currencyId", Guid),
        wl("currencyCode", Code, 10),
        w("pricesIncludeTax", Bool),
        w("paymentTermsId", Guid),
        w("shipmentMethodId", Guid),
        wl("salesperson", Code, 20),
        w("partialShipping", Bool),
        w("requestedDeliveryDate", Date),
        w("discountAmount", Decimal),
        r("discountAppliedBeforeTax", Bool),
        r("totalAmountExcludingTax", Decimal),
        r("totalTaxAmount", Decimal),
        r("totalAmountIncludingTax", Decimal),
        r("fullyShipped", Bool),
        r("status", Enum(&ORDER_STATUS)),
        r("lastModifiedDateTime", DateTime),
        wl("phoneNumber", Text, 30),
        wl("email", Text, 80),
    ],
    navs: &[
        one("customer", "customers"),
        one("currency", "currencies"),
        one("paymentTerm", "paymentTerms"),
        one("shipmentMethod", "shipmentMethods"),
        many("dimensionSetLines", "dimensionSetLines"),
        many("salesOrderLines", "salesOrderLines"),
    ],
    insert: true,
    update: true,
    delete: true,
    table: "Sales Order Entity Buffer",
};

pub static SALES_INVOICES: SetDef = SetDef {
    name: "salesInvoices",
    type_name: "salesInvoice",
    namespace: NS,
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        rl("number", Code, 20),
        wl("externalDocumentNumber", Code, 35),
        w("invoiceDate", Date),
        w("postingDate", Date),
        w("dueDate", Date),
        w("promisedPayDate", Date),
        wl("customerPurchaseOrderReference", Text, 35),
        w("customerId", Guid),
        wl("customerNumber", Code, 20).not_null(),
        rl("customerName", Text, 100),
        rl("billToName", Text, 100),
        w("billToCustomerId", Guid),
        wl("billToCustomerNumber", Code, 20).not_null(),
        wl("shipToName", Text, 100),
        wl("shipToContact", Text, 100),
        wl("sellToAddressLine1", Text, 100),
        wl("sellToAddressLine2", Text, 50),
        wl("sellToCity", Text, 30),
        wl("sellToCountry", Code, 10),
        wl("sellToState", Text, 30),
        wl("sellToPostCode", Code, 20),
        rl("billToAddressLine1", Text, 100),
        rl("billToAddressLine2", Text, 50),
        rl("billToCity", Text, 30),
        rl("billToCountry", Code, 10),
        rl("billToState", Text, 30),
        rl("billToPostCode", Code, 20),
        wl("shipToAddressLine1", Text, 100),
        wl("shipToAddressLine2", Text, 50),
        wl("shipToCity", Text, 30),
        wl("shipToCountry", Code, 10),
        wl("shipToState", Text, 30),
        wl("shipToPostCode", Code, 20),
        w("currencyId", Guid),
        wl("shortcutDimension1Code", Code, 20),
        wl("shortcutDimension2Code", Code, 20),
        wl("currencyCode", Code, 10),
        r("orderId", Guid),
        rl("orderNumber", Code, 20),
        w("paymentTermsId", Guid),
        w("shipmentMethodId", Guid),
        wl("salesperson", Code, 20),
        w("disputeStatusId", Guid),
        wl("disputeStatus", Code, 10),
        r("pricesIncludeTax", Bool),
        r("remainingAmount", Decimal),
        w("discountAmount", Decimal),
        r("discountAppliedBeforeTax", Bool),
        r("totalAmountExcludingTax", Decimal),
        r("totalTaxAmount", Decimal),
        r("totalAmountIncludingTax", Decimal),
        r("status", Enum(&INVOICE_STATUS)),
        r("lastModifiedDateTime", DateTime),
        wl("phoneNumber", Text, 30),
        wl("email", Text, 80),
    ],
    navs: &[
        one("customer", "customers"),
        one("currency", "currencies"),
        one("paymentTerm", "paymentTerms"),
        one("shipmentMethod", "shipmentMethods"),
        many("dimensionSetLines", "dimensionSetLines"),
        many("salesInvoiceLines", "salesInvoiceLines"),
    ],
    insert: true,
    update: true,
    delete: true,
    table: "Sales Invoice Entity Aggregate",
};

pub static SALES_CREDIT_MEMOS: SetDef = SetDef {
    name: "salesCreditMemos",
    type_name: "salesCreditMemo",
    namespace: NS,
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        rl("number", Code, 20),
        wl("externalDocumentNumber", Code, 35),
        w("creditMemoDate", Date),
        w("postingDate", Date),
        w("dueDate", Date),
        w("customerId", Guid),
        wl("customerNumber", Code, 20).not_null(),
        rl("customerName", Text, 100),
        rl("billToName", Text, 100),
        w("billToCustomerId", Guid),
        wl("billToCustomerNumber", Code, 20).not_null(),
        wl("sellToAddressLine1", Text, 100),
        wl("sellToAddressLine2", Text, 50),
        wl("sellToCity", Text, 30),
        wl("sellToCountry", Code, 10),
        wl("sellToState", Text, 30),
        wl("sellToPostCode", Code, 20),
        // Writable in the page source, but whether writes stick is unconfirmed: refused here.
        rl("billToAddressLine1", Text, 100),
        rl("billToAddressLine2", Text, 50),
        rl("billToCity", Text, 30),
        rl("billToCountry", Code, 10),
        rl("billToState", Text, 30),
        rl("billToPostCode", Code, 20),
        wl("shortcutDimension1Code", Code, 20),
        wl("shortcutDimension2Code", Code, 20),
        w("currencyId", Guid),
        wl("currencyCode", Code, 10),
        w("paymentTermsId", Guid),
        w("shipmentMethodId", Guid),
        wl("salesperson", Code, 20),
        r("pricesIncludeTax", Bool),
        w("discountAmount", Decimal),
        r("discountAppliedBeforeTax", Bool),
        r("totalAmountExcludingTax", Decimal),
        r("totalTaxAmount", Decimal),
        r("totalAmountIncludingTax", Decimal),
        r("status", Enum(&CREDIT_MEMO_STATUS)),
        r("lastModifiedDateTime", DateTime),
        w("invoiceId", Guid),
        wl("invoiceNumber", Code, 20),
        wl("phoneNumber", Text, 30),
        wl("email", Text, 80),
        w("customerReturnReasonId", Guid),
    ],
    navs: &[
        one("customer", "customers"),
        one("currency", "currencies"),
        one("paymentTerm", "paymentTerms"),
        one("shipmentMethod", "shipmentMethods"),
        one("customerReturnReason", "customerReturnReasons"),
        many("dimensionSetLines", "dimensionSetLines"),
        many("salesCreditMemoLines", "salesCreditMemoLines"),
    ],
    insert: true,
    update: true,
    delete: true,
    table: "Sales Cr. Memo Entity Buffer",
};

pub static SALES_SHIPMENTS: SetDef = SetDef {
    name: "salesShipments",
    type_name: "salesShipment",
    namespace: NS,
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        rl("number", Code, 20),
        rl("externalDocumentNumber", Code, 35),
        r("invoiceDate", Date),
        r("postingDate", Date),
        r("dueDate", Date),
        rl("customerPurchaseOrderReference", Text, 35),
        r("customerId", Guid),
        rl("customerNumber", Code, 20).not_null(),
        rl("customerName", Text, 100),
        r("billToCustomerId", Guid),
        rl("billToName", Text, 100),
        rl("billToCustomerNumber", Code, 20).not_null(),
        rl("shipToName", Text, 100),
        rl("shipToContact", Text, 100),
        rl("sellToAddressLine1", Text, 100),
        rl("sellToAddressLine2", Text, 50),
        rl("sellToCity", Text, 30),
        rl("sellToCountry", Code, 10),
        rl("sellToState", Text, 30),
        rl("sellToPostCode", Code, 20),
        rl("billToAddressLine1", Text, 100),
        rl("billToAddressLine2", Text, 50),
        rl("billToCity", Text, 30),
        rl("billToCountry", Code, 10),
        rl("billToState", Text, 30),
        rl("billToPostCode", Code, 20),
        rl("shipToAddressLine1", Text, 100),
        rl("shipToAddressLine2", Text, 50),
        rl("shipToCity", Text, 30),
        rl("shipToCountry", Code, 10),
        rl("shipToState", Text, 30),
        rl("shipToPostCode", Code, 20),
        rl("currencyCode", Code, 10),
        rl("orderNumber", Code, 20),
        rl("paymentTermsCode", Code, 10),
        rl("shipmentMethodCode", Code, 10),
        rl("salesperson", Code, 20),
        r("pricesIncludeTax", Bool),
        r("lastModifiedDateTime", DateTime),
        rl("phoneNumber", Text, 30),
        rl("email", Text, 80),
    ],
    navs: &[
        one("customer", "customers"),
        many("salesShipmentLines", "salesShipmentLines"),
        many("dimensionSetLines", "dimensionSetLines"),
    ],
    insert: false,
    update: false,
    delete: false,
    table: "Sales Shipment Header",
};

pub fn header_def(kind: DocKind) -> &'static SetDef {
    match kind {
        DocKind::Order => &SALES_ORDERS,
        DocKind::Invoice => &SALES_INVOICES,
        DocKind::CreditMemo => &SALES_CREDIT_MEMOS,
        DocKind::Shipment => &SALES_SHIPMENTS,
    }
}

pub fn kind_of(set: &str) -> Option<DocKind> {
    [DocKind::Order, DocKind::Invoice, DocKind::CreditMemo, DocKind::Shipment]
        .into_iter()
        .find(|k| header_def(*k).name == set)
}

/// Name of the lines navigation of a document kind.
pub fn lines_nav(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Order => "salesOrderLines",
        DocKind::Invoice => "salesInvoiceLines",
        DocKind::CreditMemo => "salesCreditMemoLines",
        DocKind::Shipment => "salesShipmentLines",
    }
}

pub struct DocRow<'a> {
    pub co: &'a Company,
    pub doc: &'a SalesDoc,
}

fn master_id(co: &Company, kind: MasterKind, code: &str) -> Uuid {
    if code.is_empty() {
        return Uuid::nil();
    }
    by_code(co, kind, code).map(|m| m.id).unwrap_or_default()
}

fn customer_id(co: &Company, number: &str) -> Uuid {
    co.customers.by_key(number).map(|c| c.id).unwrap_or_default()
}

/// `status` of a document, as the API's status mappings derive it.
pub fn status(doc: &SalesDoc) -> Val<'static> {
    let closed = !doc.totals.incl.is_zero() && doc.remaining.is_zero();
    match doc.kind {
        DocKind::Order | DocKind::Shipment => Val::Enum(&ORDER_STATUS, 0),
        DocKind::Invoice => Val::Enum(
            &INVOICE_STATUS,
            match (doc.posted, doc.cancelled, doc.corrective, closed) {
                (false, ..) => 1,
                (true, true, ..) => 5,
                (true, false, true, _) => 6,
                (true, false, false, true) => 4,
                (true, false, false, false) => 3,
            },
        ),
        DocKind::CreditMemo => Val::Enum(
            &CREDIT_MEMO_STATUS,
            match (doc.posted, doc.cancelled, doc.corrective, closed) {
                (false, ..) => 0,
                (true, true, ..) => 3,
                (true, false, true, _) => 4,
                (true, false, false, true) => 5,
                (true, false, false, false) => 2,
            },
        ),
    }
}

impl Row for DocRow<'_> {
    fn def(&self) -> &'static SetDef {
        header_def(self.doc.kind)
    }

    fn get(&self, prop: &str) -> Val<'_> {
        let d = self.doc;
        let co = self.co;
        match prop {
            "id" => Val::Guid(d.id),
            "number" => Val::str(&d.number),
            "externalDocumentNumber" => Val::str(&d.external_document_number),
            "orderDate" | "invoiceDate" | "creditMemoDate" => Val::Date(d.document_date),
            "postingDate" => Val::Date(d.posting_date),
            "dueDate" => Val::Date(d.due_date),
            "promisedPayDate" => Val::Date(d.promised_pay_date),
            "customerPurchaseOrderReference" => Val::str(&d.your_reference),
            "customerId" => Val::Guid(customer_id(co, &d.customer_number)),
            "customerNumber" => Val::str(&d.customer_number),
            "customerName" => Val::str(&d.customer_name),
            "billToName" => Val::str(&d.bill_to_name),
            "billToCustomerId" => Val::Guid(customer_id(co, &d.bill_to_number)),
            "billToCustomerNumber" => Val::str(&d.bill_to_number),
            "shipToName" => Val::str(&d.ship_to_name),
            "shipToContact" => Val::str(&d.ship_to_contact),
            "sellToAddressLine1" => Val::str(&d.sell_to.line1),
            "sellToAddressLine2" => Val::str(&d.sell_to.line2),
            "sellToCity" => Val::str(&d.sell_to.city),
            "sellToCountry" => Val::str(&d.sell_to.country),
            "sellToState" => Val::str(&d.sell_to.county),
            "sellToPostCode" => Val::str(&d.sell_to.post_code),
            "billToAddressLine1" => Val::str(&d.bill_to.line1),
            "billToAddressLine2" => Val::str(&d.bill_to.line2),
            "billToCity" => Val::str(&d.bill_to.city),
            "billToCountry" => Val::str(&d.bill_to.country),
            "billToState" => Val::str(&d.bill_to.county),
            "billToPostCode" => Val::str(&d.bill_to.post_code),
            "shipToAddressLine1" => Val::str(&d.ship_to.line1),
            "shipToAddressLine2" => Val::str(&d.ship_to.line2),
            "shipToCity" => Val::str(&d.ship_to.city),
            "shipToCountry" => Val::str(&d.ship_to.country),
            "shipToState" => Val::str(&d.ship_to.county),
            "shipToPostCode" => Val::str(&d.ship_to.post_code),
            "shortcutDimension1Code" => Val::str(shortcut(co, d, 0)),
            "shortcutDimension2Code" => Val::str(shortcut(co, d, 1)),
            "currencyId" => Val::Guid(master_id(co, MasterKind::Currencies, &d.currency)),
            "currencyCode" => Val::str(if d.currency.is_empty() { &co.setup.currency } else { &d.currency }),
            "orderId" => Val::Guid(d.order_id),
            "orderNumber" => Val::str(&d.order_number),
            "paymentTermsId" => Val::Guid(master_id(co, MasterKind::PaymentTerms, &d.payment_terms)),
            "shipmentMethodId" => Val::Guid(master_id(co, MasterKind::ShipmentMethods, &d.shipment_method)),
            "paymentTermsCode" => Val::str(&d.payment_terms),
            "shipmentMethodCode" => Val::str(&d.shipment_method),
            "salesperson" => Val::str(&d.salesperson),
            "disputeStatusId" => Val::Guid(Uuid::nil()),
            "disputeStatus" => Val::str(""),
            "pricesIncludeTax" => Val::Bool(d.prices_include_tax),
            "partialShipping" => Val::Bool(d.partial_shipping),
            "requestedDeliveryDate" => Val::Date(d.requested_delivery_date),
            "remainingAmount" => Val::Dec(if d.posted { d.remaining } else { d.totals.incl }),
            "discountAmount" => Val::Dec(d.lines.iter().map(|l| l.invoice_discount).sum()),
            "discountAppliedBeforeTax" => Val::Bool(true),
            "totalAmountExcludingTax" => Val::Dec(d.totals.excl),
            "totalTaxAmount" => Val::Dec(d.totals.tax),
            "totalAmountIncludingTax" => Val::Dec(d.totals.incl),
            "fullyShipped" => Val::Bool(d.fully_shipped()),
            "status" => status(d),
            "lastModifiedDateTime" => Val::DateTime(d.meta.modified),
            "phoneNumber" => Val::str(&d.phone),
            "email" => Val::str(&d.email),
            "invoiceId" => Val::Guid(d.applies_to_id),
            "invoiceNumber" => Val::str(&d.applies_to_number),
            "customerReturnReasonId" => Val::Guid(d.return_reason_id),
            _ => Val::str(""),
        }
    }

    fn etag(&self) -> String {
        self.doc.meta.etag()
    }

    fn cursor(&self) -> Cursor {
        Cursor::Text(self.doc.number.clone())
    }

    fn expand(&self, nav: &'static Nav, query: &Query) -> ApiResult<serde_json::Value> {
        let (co, d) = (self.co, self.doc);
        let (kind, code) = match nav.name {
            "customer" => {
                return nested_one(
                    co.customers.by_key(&d.customer_number).map(|customer| CustomerRow { co, customer }),
                    query,
                )
            }
            "dimensionSetLines" => return nested(dimension_rows(co, d, None), query),
            name if name == lines_nav(d.kind) => {
                return nested(d.lines.iter().map(|line| LineRow { co, doc: d, line }), query)
            }
            "currency" => (MasterKind::Currencies, &d.currency),
            "paymentTerm" => (MasterKind::PaymentTerms, &d.payment_terms),
            "shipmentMethod" => (MasterKind::ShipmentMethods, &d.shipment_method),
            "customerReturnReason" => {
                let record = co.master(MasterKind::CustomerReturnReasons).get(d.return_reason_id);
                return nested_one(
                    record.map(|record| MasterRow { co, kind: MasterKind::CustomerReturnReasons, record }),
                    query,
                );
            }
            other => return Err(ApiError::syntax(format!("Could not find a property named '{other}'."))),
        };
        let record = by_code(co, kind, code);
        nested_one(record.map(|record| MasterRow { co, kind, record }), query)
    }
}

/// Value of global dimension 1 or 2 in a dimension set.
pub fn shortcut<'a>(co: &Company, doc_dims: &'a SalesDoc, index: usize) -> &'a str {
    dimension_value(&doc_dims.dimensions, &co.setup.global_dimensions[index])
}

pub fn dimension_value<'a>(dims: &'a [(String, String)], code: &str) -> &'a str {
    if code.is_empty() {
        return "";
    }
    dims.iter().find(|(d, _)| d == code).map(|(_, v)| v.as_str()).unwrap_or("")
}

/// Renames a customer on every document (BC renames related records).
pub fn rename_customer(co: &mut Company, old: &str, new: &str) {
    for kind in [DocKind::Order, DocKind::Invoice, DocKind::CreditMemo, DocKind::Shipment] {
        let affected: Vec<SalesDoc> =
            co.docs(kind).iter().filter(|d| d.customer_number == old || d.bill_to_number == old).cloned().collect();
        for mut doc in affected {
            if doc.customer_number == old {
                doc.customer_number = new.to_string();
            }
            if doc.bill_to_number == old {
                doc.bill_to_number = new.to_string();
            }
            co.docs_mut(kind).replace(doc);
        }
    }
    if let Some(balance) = co.balances.remove(old) {
        co.balances.insert(new.to_string(), balance);
    }
}

/// Renames the `No.` of lines of one type on every document.
pub fn rename_line_numbers(co: &mut Company, line_kind: LineKind, old: &str, new: &str) {
    for kind in [DocKind::Order, DocKind::Invoice, DocKind::CreditMemo, DocKind::Shipment] {
        let affected: Vec<SalesDoc> = co
            .docs(kind)
            .iter()
            .filter(|d| d.lines.iter().any(|l| l.kind == line_kind && l.number == old))
            .cloned()
            .collect();
        for mut doc in affected {
            for line in doc.lines.iter_mut().filter(|l| l.kind == line_kind && l.number == old) {
                line.number = new.to_string();
            }
            co.docs_mut(kind).replace(doc);
        }
    }
}
