//! Sales documents: orders, invoices (draft and posted), credit memos (draft and posted) and
//! posted shipments share one header/line shape, as the Sales Header/Line tables do in BC.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::table::Record;
use super::Meta;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    Order,
    Invoice,
    CreditMemo,
    Shipment,
}

impl DocKind {
    /// Words BC uses in messages.
    pub fn caption(self) -> &'static str {
        match self {
            DocKind::Order => "order",
            DocKind::Invoice => "invoice",
            DocKind::CreditMemo => "credit memo",
            DocKind::Shipment => "shipment",
        }
    }
}

/// What a line sells. The API calls it `lineType` (enum `invoiceLineAggLineType`), the page
/// `Type` (enum `salesLineType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Comment,
    Account,
    Item,
    Resource,
    FixedAsset,
    Charge,
    AllocationAccount,
}

impl LineKind {
    pub const ALL: [LineKind; 7] = [
        LineKind::Comment,
        LineKind::Account,
        LineKind::Item,
        LineKind::Resource,
        LineKind::FixedAsset,
        LineKind::Charge,
        LineKind::AllocationAccount,
    ];

    /// Index in `invoiceLineAggLineType` (same order as `ALL`).
    pub fn api_index(self) -> usize {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }

    /// Index in `salesLineType`.
    pub fn page_index(self) -> usize {
        match self {
            LineKind::Comment => 0,
            LineKind::Account => 1,
            LineKind::Item => 2,
            LineKind::Resource => 3,
            LineKind::FixedAsset => 4,
            LineKind::Charge => 5,
            LineKind::AllocationAccount => 6,
        }
    }

    pub fn from_page_index(index: usize) -> Option<LineKind> {
        LineKind::ALL.iter().copied().find(|k| k.page_index() == index)
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub city: String,
    /// "County" in BC, `state` in the API.
    pub county: String,
    pub country: String,
    pub post_code: String,
}

/// Amounts of a line or a document, after invoice discount.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Totals {
    pub excl: Decimal,
    pub tax: Decimal,
    pub incl: Decimal,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SalesLine {
    pub id: Uuid,
    pub meta: Meta,
    pub document_id: Uuid,
    /// Line No.
    pub sequence: i64,
    pub kind: LineKind,
    /// No. (item, G/L account, item charge, …).
    pub number: String,
    pub description: String,
    pub description2: String,
    pub uom: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    pub discount_percent: Decimal,
    pub discount_amount: Decimal,
    /// VAT Prod. Posting Group (the API's `taxCode`).
    pub vat_group: String,
    pub vat_percent: Decimal,
    /// Line Amount: quantity × unit price − line discount (in the document's price basis).
    pub line_amount: Decimal,
    /// Before invoice discount.
    pub gross: Totals,
    /// Invoice discount allocated to this line.
    pub invoice_discount: Decimal,
    /// After invoice discount.
    pub net: Totals,
    pub shipment_date: NaiveDate,
    pub shipped: Decimal,
    pub invoiced: Decimal,
    pub qty_to_ship: Decimal,
    pub qty_to_invoice: Decimal,
    pub variant: String,
    pub location: String,
    pub dimensions: Vec<(String, String)>,
}

impl SalesLine {
    pub fn outstanding(&self) -> Decimal {
        self.quantity - self.shipped
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SalesDoc {
    pub id: Uuid,
    pub meta: Meta,
    pub kind: DocKind,
    pub posted: bool,
    pub number: String,
    pub external_document_number: String,
    pub your_reference: String,
    pub document_date: NaiveDate,
    pub posting_date: NaiveDate,
    pub due_date: NaiveDate,
    pub promised_pay_date: NaiveDate,
    pub requested_delivery_date: NaiveDate,
    pub customer_number: String,
    pub customer_name: String,
    pub bill_to_number: String,
    pub bill_to_name: String,
    pub sell_to: Address,
    pub bill_to: Address,
    pub ship_to: Address,
    pub ship_to_name: String,
    pub ship_to_contact: String,
    pub ship_to_code: String,
    /// Blank = local currency.
    pub currency: String,
    pub prices_include_tax: bool,
    pub payment_terms: String,
    pub payment_method: String,
    pub shipment_method: String,
    pub salesperson: String,
    pub partial_shipping: bool,
    pub phone: String,
    pub email: String,
    pub price_group: String,
    pub location: String,
    /// Invoice discount amount set on the header (`discountAmount`).
    pub invoice_discount: Decimal,
    pub dimensions: Vec<(String, String)>,
    pub lines: Vec<SalesLine>,
    pub totals: Totals,
    /// Posted invoice / shipment: the order it came from.
    pub order_id: Uuid,
    pub order_number: String,
    /// Credit memo: the posted invoice it applies to.
    pub applies_to_id: Uuid,
    pub applies_to_number: String,
    /// Posted documents: amount still open.
    pub remaining: Decimal,
    pub cancelled: bool,
    pub corrective: bool,
    pub return_reason_id: Uuid,
}

impl SalesDoc {
    pub fn line(&self, id: Uuid) -> Option<&SalesLine> {
        self.lines.iter().find(|l| l.id == id)
    }

    pub fn next_sequence(&self) -> i64 {
        self.lines.iter().map(|l| l.sequence).max().unwrap_or(0) + 10_000
    }

    /// Completely Shipped: every line with a quantity is fully shipped.
    pub fn fully_shipped(&self) -> bool {
        self.lines.iter().filter(|l| !l.quantity.is_zero()).all(|l| l.outstanding().is_zero())
    }
}

impl Record for SalesDoc {
    fn id(&self) -> Uuid {
        self.id
    }
    fn key(&self) -> String {
        self.number.clone()
    }
}
