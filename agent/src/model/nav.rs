//! NAV / Business Central documents as the mappers produce them — independent of whether they travel
//! through API v2.0 or the legacy OData V4 pages; the adapters turn them into requests.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A dimension value on a document or line: `CHANNEL` = `WEB`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DimensionValue {
    pub code: String,
    pub value: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Item,
    /// G/L account.
    Account,
    /// Item charge.
    Charge,
    Comment,
}

/// What a NAV line stands for on the WooCommerce side, so updates can find it again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "id")]
pub enum LineSource {
    WooItem(i64),
    Shipping(i64),
    Fee(i64),
    Discount,
    Rounding,
    /// What a WooCommerce refund (this id) gave back beyond the lines it reduced (refunds flow).
    Refund(i64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SalesLineDraft {
    pub kind: LineKind,
    /// Item number, G/L account number or item charge number (upper-case Code).
    pub number: String,
    pub variant_code: Option<String>,
    pub description: String,
    pub quantity: Decimal,
    pub unit_price: Decimal,
    /// Line discount amount (WooCommerce coupons spread over the line).
    pub discount_amount: Decimal,
    pub source: LineSource,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub name: String,
    pub contact: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub post_code: String,
    pub country: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SalesOrderDraft {
    /// WooCommerce order id (the binding key).
    pub woo_order_id: i64,
    /// `externalDocumentNumber`, already upper-cased and trimmed as BC stores Code fields.
    pub external_document_number: String,
    pub customer_number: String,
    pub order_date: String,
    /// `None` for the company's local currency.
    pub currency_code: Option<String>,
    pub prices_include_tax: bool,
    /// Sell-to address written on the order (for a shared guest customer).
    pub sell_to: Option<PostalAddress>,
    pub ship_to: Option<PostalAddress>,
    pub email: String,
    pub phone: String,
    pub dimensions: Vec<DimensionValue>,
    /// Customer price group the rules chose (not in API v2.0: set through the page web service).
    pub price_group: Option<String>,
    pub lines: Vec<SalesLineDraft>,
    /// WooCommerce's order total including tax, for the totals guard.
    pub expected_total_including_tax: Decimal,
    /// The same without tax (compared where NAV shows only net amounts: legacy pages).
    pub expected_total_excluding_tax: Decimal,
    /// Name of the rule that chose dimensions and price group, for the audit.
    pub rule: Option<String>,
}

/// A customer to create in NAV.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerDraft {
    pub display_name: String,
    pub person: bool,
    pub email: String,
    pub phone: String,
    pub address: PostalAddress,
    pub tax_registration_number: String,
    pub currency_code: Option<String>,
    pub price_group: Option<String>,
    /// Chosen by the rules; set through the Customer Card page at creation.
    pub posting_groups: crate::config::PostingGroups,
    /// Codes chosen by `[customers] payment_terms` / `payment_methods` for the order's payment method.
    pub payment_terms: Option<String>,
    pub payment_method: Option<String>,
}

/// Upper-cases and trims a value the way BC stores `Code[n]` fields.
pub fn code(value: &str) -> String {
    value.trim().to_uppercase()
}
