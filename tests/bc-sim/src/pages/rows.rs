//! Page records as the page web services show them: the same store records as the API, under
//! the page field names. The Item Card's `Inventory` FlowField honours `Location_Filter` and
//! `Variant_Filter`.

use rust_decimal::Decimal;

use crate::entities::customers::balance_due;
use crate::entities::documents::shortcut;
use crate::error::ApiResult;
use crate::odata::listing::{nested, Cursor, Row};
use crate::odata::query::Query;
use crate::odata::schema::{Nav, SetDef, CUSTOMER_BLOCKED, ITEM_TYPE, SALES_LINE_TYPE};
use crate::odata::value::Val;
use crate::store::records::{Customer, Item, ShipTo};
use crate::store::sales::{DocKind, SalesDoc, SalesLine};
use crate::store::Company;

use super::defs::{APPLIES_TO_DOC_TYPE, DOCUMENT_TYPE, SHIPPING_ADVICE, STATUS};

pub struct CompanyPage<'a> {
    pub def: &'static SetDef,
    pub co: &'a Company,
}

impl Row for CompanyPage<'_> {
    fn def(&self) -> &'static SetDef {
        self.def
    }
    fn get(&self, prop: &str) -> Val<'_> {
        match prop {
            "Name" => Val::str(&self.co.name),
            "Evaluation_Company" => Val::Bool(false),
            "Display_Name" => Val::str(&self.co.display_name),
            "Id" => Val::Guid(self.co.id),
            _ => Val::str(""),
        }
    }
    fn etag(&self) -> String {
        self.co.meta.etag()
    }
    fn cursor(&self) -> Cursor {
        Cursor::Text(self.co.name.clone())
    }
}

pub struct CustomerPage<'a> {
    pub def: &'static SetDef,
    pub co: &'a Company,
    pub customer: &'a Customer,
}

impl Row for CustomerPage<'_> {
    fn def(&self) -> &'static SetDef {
        self.def
    }
    fn get(&self, prop: &str) -> Val<'_> {
        let c = self.customer;
        match prop {
            "No" => Val::str(&c.number),
            "Name" => Val::str(&c.name),
            "Address" => Val::str(&c.address),
            "Address_2" => Val::str(&c.address2),
            "City" => Val::str(&c.city),
            "County" => Val::str(&c.county),
            "Post_Code" => Val::str(&c.post_code),
            "Country_Region_Code" => Val::str(&c.country),
            "Phone_No" => Val::str(&c.phone),
            "E_Mail" => Val::str(&c.email),
            "Home_Page" => Val::str(&c.website),
            "Salesperson_Code" => Val::str(&c.salesperson),
            "Customer_Price_Group" => Val::str(&c.price_group),
            "Payment_Terms_Code" => Val::str(&c.payment_terms),
            "Payment_Method_Code" => Val::str(&c.payment_method),
            "Shipment_Method_Code" => Val::str(&c.shipment_method),
            "Location_Code" => Val::str(&c.location),
            "Currency_Code" => Val::str(&c.currency),
            "Prices_Including_VAT" => Val::Bool(c.prices_including_vat),
            "Credit_Limit_LCY" => Val::Dec(c.credit_limit),
            "Balance_LCY" => Val::Dec(balance_due(self.co, &c.number)),
            "Blocked" => Val::Enum(&CUSTOMER_BLOCKED, c.blocked),
            "VAT_Registration_No" => Val::str(&c.vat_registration_no),
            "Customer_Posting_Group" => Val::str(&c.posting_groups[0]),
            "Gen_Bus_Posting_Group" => Val::str(&c.posting_groups[1]),
            "VAT_Bus_Posting_Group" => Val::str(&c.posting_groups[2]),
            "Last_Date_Modified" => Val::Date(c.meta.modified.date_naive()),
            _ => Val::str(""),
        }
    }
    fn etag(&self) -> String {
        self.customer.meta.etag()
    }
    fn cursor(&self) -> Cursor {
        Cursor::Text(self.customer.number.clone())
    }
}

pub struct ShipToPage<'a> {
    pub def: &'static SetDef,
    pub customer: &'a Customer,
    pub ship_to: &'a ShipTo,
}

impl Row for ShipToPage<'_> {
    fn def(&self) -> &'static SetDef {
        self.def
    }
    fn get(&self, prop: &str) -> Val<'_> {
        let s = self.ship_to;
        match prop {
            "Customer_No" => Val::str(&self.customer.number),
            "Code" => Val::str(&s.code),
            "Name" => Val::str(&s.name),
            "Address" => Val::str(&s.address),
            "Address_2" => Val::str(&s.address2),
            "City" => Val::str(&s.city),
            "County" => Val::str(&s.county),
            "Post_Code" => Val::str(&s.post_code),
            "Country_Region_Code" => Val::str(&s.country),
            "Phone_No" => Val::str(&s.phone),
            "Contact" => Val::str(&s.contact),
            "E_Mail" => Val::str(&s.email),
            "Last_Date_Modified" => Val::Date(s.meta.modified.date_naive()),
            _ => Val::str(""),
        }
    }
    fn etag(&self) -> String {
        self.ship_to.meta.etag()
    }
    fn cursor(&self) -> Cursor {
        Cursor::Text(format!("{}\t{}", self.customer.number, self.ship_to.code))
    }
}

pub struct ItemPage<'a> {
    pub def: &'static SetDef,
    pub co: &'a Company,
    pub item: &'a Item,
    pub locations: Option<&'a [String]>,
    pub variants: Option<&'a [String]>,
}

/// An AL filter value such as `MAIN|EAST` accepts each of its alternatives.
fn filter_accepts(filter: Option<&[String]>, value: &str) -> bool {
    filter.is_none_or(|values| values.iter().flat_map(|v| v.split('|')).any(|v| v == value))
}

impl ItemPage<'_> {
    /// Item.Inventory with the page's FlowFilters applied.
    fn inventory(&self) -> Decimal {
        if self.locations.is_none() && self.variants.is_none() {
            return self.co.ledger.inventory(&self.item.number);
        }
        self.co
            .ledger
            .for_item(&self.item.number)
            .filter(|e| filter_accepts(self.locations, &e.location) && filter_accepts(self.variants, &e.variant))
            .map(|e| e.quantity)
            .sum()
    }
}

impl Row for ItemPage<'_> {
    fn def(&self) -> &'static SetDef {
        self.def
    }
    fn get(&self, prop: &str) -> Val<'_> {
        let i = self.item;
        match prop {
            "No" => Val::str(&i.number),
            "Description" => Val::str(&i.description),
            "Description_2" => Val::str(&i.description2),
            "Type" => Val::Enum(&ITEM_TYPE, i.item_type),
            "Base_Unit_of_Measure" => Val::str(&i.base_uom),
            "Inventory" => Val::Dec(self.inventory()),
            "Unit_Price" => Val::Dec(i.unit_price),
            "Unit_Cost" => Val::Dec(i.unit_cost),
            "Price_Includes_VAT" => Val::Bool(i.price_includes_tax),
            "Item_Category_Code" => Val::str(&i.category),
            "Blocked" => Val::Bool(i.blocked),
            "GTIN" => Val::str(&i.gtin),
            "VAT_Prod_Posting_Group" => Val::str(&i.tax_group),
            "Gen_Prod_Posting_Group" => Val::str(&i.gen_prod_group),
            "Inventory_Posting_Group" => Val::str(&i.inventory_group),
            "Last_Date_Modified" => Val::Date(i.meta.modified.date_naive()),
            "Location_Filter" => Val::owned(self.locations.map(|v| v.join("|")).unwrap_or_default()),
            "Variant_Filter" => Val::owned(self.variants.map(|v| v.join("|")).unwrap_or_default()),
            _ => Val::str(""),
        }
    }
    fn etag(&self) -> String {
        self.item.meta.etag()
    }
    fn cursor(&self) -> Cursor {
        Cursor::Text(self.item.number.clone())
    }
}

/// `Document Type` of a document kind (Sales Header: Order 1, Invoice 2, Credit Memo 3).
fn document_type(kind: DocKind) -> Val<'static> {
    Val::Enum(
        &DOCUMENT_TYPE,
        match kind {
            DocKind::Order | DocKind::Shipment => 1,
            DocKind::Invoice => 2,
            DocKind::CreditMemo => 3,
        },
    )
}

/// A sales document on its page: Sales Order, Sales Credit Memo, or the posted ones.
pub struct DocumentPage<'a> {
    pub def: &'static SetDef,
    pub lines_def: &'static SetDef,
    pub co: &'a Company,
    pub doc: &'a SalesDoc,
}

impl Row for DocumentPage<'_> {
    fn def(&self) -> &'static SetDef {
        self.def
    }
    fn get(&self, prop: &str) -> Val<'_> {
        let d = self.doc;
        match prop {
            "Document_Type" => document_type(d.kind),
            "No" => Val::str(&d.number),
            "Order_No" => Val::str(&d.order_number),
            "Applies_to_Doc_Type" => Val::Enum(&APPLIES_TO_DOC_TYPE, if d.applies_to_number.is_empty() { 0 } else { 2 }),
            "Applies_to_Doc_No" => Val::str(&d.applies_to_number),
            "Amount" => Val::Dec(d.totals.excl),
            "Amount_Including_VAT" => Val::Dec(d.totals.incl),
            "Sell_to_Customer_No" => Val::str(&d.customer_number),
            "Sell_to_Customer_Name" => Val::str(&d.customer_name),
            "Sell_to_Address" => Val::str(&d.sell_to.line1),
            "Sell_to_Address_2" => Val::str(&d.sell_to.line2),
            "Sell_to_City" => Val::str(&d.sell_to.city),
            "Sell_to_County" => Val::str(&d.sell_to.county),
            "Sell_to_Post_Code" => Val::str(&d.sell_to.post_code),
            "Sell_to_Country_Region_Code" => Val::str(&d.sell_to.country),
            "Sell_to_Phone_No" => Val::str(&d.phone),
            "Sell_to_E_Mail" => Val::str(&d.email),
            "External_Document_No" => Val::str(&d.external_document_number),
            "Your_Reference" => Val::str(&d.your_reference),
            "Order_Date" | "Document_Date" => Val::Date(d.document_date),
            "Posting_Date" => Val::Date(d.posting_date),
            "Due_Date" => Val::Date(d.due_date),
            "Requested_Delivery_Date" => Val::Date(d.requested_delivery_date),
            "Status" => Val::Enum(&STATUS, 0),
            "Currency_Code" => Val::str(&d.currency),
            "Prices_Including_VAT" => Val::Bool(d.prices_include_tax),
            "Customer_Price_Group" => Val::str(&d.price_group),
            "Payment_Terms_Code" => Val::str(&d.payment_terms),
            "Payment_Method_Code" => Val::str(&d.payment_method),
            "Shipment_Method_Code" => Val::str(&d.shipment_method),
            "Shipping_Advice" => Val::Enum(&SHIPPING_ADVICE, usize::from(!d.partial_shipping)),
            "Ship_to_Code" => Val::str(&d.ship_to_code),
            "Ship_to_Name" => Val::str(&d.ship_to_name),
            "Ship_to_Address" => Val::str(&d.ship_to.line1),
            "Ship_to_Address_2" => Val::str(&d.ship_to.line2),
            "Ship_to_City" => Val::str(&d.ship_to.city),
            "Ship_to_County" => Val::str(&d.ship_to.county),
            "Ship_to_Post_Code" => Val::str(&d.ship_to.post_code),
            "Ship_to_Country_Region_Code" => Val::str(&d.ship_to.country),
            "Ship_to_Contact" => Val::str(&d.ship_to_contact),
            "Bill_to_Customer_No" => Val::str(&d.bill_to_number),
            "Bill_to_Name" => Val::str(&d.bill_to_name),
            "Location_Code" => Val::str(&d.location),
            "Shortcut_Dimension_1_Code" => Val::str(shortcut(self.co, d, 0)),
            "Shortcut_Dimension_2_Code" => Val::str(shortcut(self.co, d, 1)),
            "Salesperson_Code" => Val::str(&d.salesperson),
            "Completely_Shipped" => Val::Bool(d.fully_shipped()),
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
        let (def, doc) = (self.lines_def, self.doc);
        if nav.name != def.name {
            return Err(crate::error::ApiError::syntax(format!("Could not find a property named '{}'.", nav.name)));
        }
        nested(doc.lines.iter().map(|line| LinePage { def, doc, line }), query)
    }
}

pub struct LinePage<'a> {
    pub def: &'static SetDef,
    pub doc: &'a SalesDoc,
    pub line: &'a SalesLine,
}

impl Row for LinePage<'_> {
    fn def(&self) -> &'static SetDef {
        self.def
    }
    fn get(&self, prop: &str) -> Val<'_> {
        let l = self.line;
        match prop {
            "Document_Type" => document_type(self.doc.kind),
            "Document_No" => Val::str(&self.doc.number),
            "Line_No" => Val::Int(l.sequence),
            "Type" => Val::Enum(&SALES_LINE_TYPE, l.kind.page_index()),
            "No" => Val::str(&l.number),
            "Variant_Code" => Val::str(&l.variant),
            "Description" => Val::str(&l.description),
            "Description_2" => Val::str(&l.description2),
            "Location_Code" => Val::str(&l.location),
            "Quantity" => Val::Dec(l.quantity),
            "Unit_of_Measure_Code" => Val::str(&l.uom),
            "Unit_Price" => Val::Dec(l.unit_price),
            "Line_Discount_Percent" => Val::Dec(l.discount_percent),
            "Line_Discount_Amount" => Val::Dec(l.discount_amount),
            "Line_Amount" => Val::Dec(l.line_amount),
            "VAT_Prod_Posting_Group" => Val::str(&l.vat_group),
            "Qty_to_Ship" => Val::Dec(l.qty_to_ship),
            "Quantity_Shipped" => Val::Dec(l.shipped),
            "Qty_to_Invoice" => Val::Dec(l.qty_to_invoice),
            "Quantity_Invoiced" => Val::Dec(l.invoiced),
            "Shipment_Date" => Val::Date(l.shipment_date),
            _ => Val::str(""),
        }
    }
    fn etag(&self) -> String {
        self.line.meta.etag()
    }
    fn cursor(&self) -> Cursor {
        Cursor::Text(format!("{}\t{:012}", self.doc.number, self.line.sequence))
    }
}
