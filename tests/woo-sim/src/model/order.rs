//! A shop order, its lines and its refunds as WooCommerce stores them (HPOS tables + order items).

use serde_json::Value;

use crate::clock::Timestamp;
use crate::money::Cents;

/// Statuses registered on a default store (REST names, no `wc-` prefix).
pub const ORDER_STATUSES: &[&str] =
    &["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft"];

/// Statuses WooCommerce treats as paid (`wc_get_is_paid_statuses`).
pub const PAID_STATUSES: &[&str] = &["processing", "completed"];

/// Drafts never fire `woocommerce_new_order` and are never synchronised.
pub fn is_draft(status: &str) -> bool {
    matches!(status, "checkout-draft" | "auto-draft" | "draft")
}

/// The label WooCommerce uses in status notes ("Order status changed from Pending payment to ...").
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "Pending payment",
        "processing" => "Processing",
        "on-hold" => "On hold",
        "completed" => "Completed",
        "cancelled" => "Cancelled",
        "refunded" => "Refunded",
        "failed" => "Failed",
        "checkout-draft" => "Draft",
        "auto-draft" => "Draft",
        "trash" => "Trash",
        _ => "Unknown",
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Address {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub address_1: String,
    pub address_2: String,
    pub city: String,
    pub state: String,
    pub postcode: String,
    pub country: String,
    /// Billing only; `None` renders as `null` (an order without a billing e-mail).
    pub email: Option<String>,
    pub phone: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    pub id: i64,
    pub key: String,
    pub value: Value,
}

/// One tax amount of a line, per tax rate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineTax {
    pub rate_id: i64,
    pub total: Cents,
    pub subtotal: Cents,
}

#[derive(Clone, Debug, Default)]
pub struct LineItem {
    pub id: i64,
    pub name: String,
    /// Parent product for a variation; 0 when the product is unknown.
    pub product_id: i64,
    pub variation_id: i64,
    pub quantity: i64,
    pub tax_class: String,
    pub subtotal: Cents,
    pub total: Cents,
    pub taxes: Vec<LineTax>,
    pub meta: Vec<Meta>,
    /// Item meta `_reduced_stock`: quantity taken from stock for this line.
    pub reduced_stock: i64,
    /// Item meta `_restock_refunded_items`: quantity put back by refunds.
    pub restocked: i64,
}

impl LineItem {
    pub fn subtotal_tax(&self) -> Cents {
        crate::money::sum(self.taxes.iter().map(|t| t.subtotal))
    }
    pub fn total_tax(&self) -> Cents {
        crate::money::sum(self.taxes.iter().map(|t| t.total))
    }
    /// The product whose stock this line moves (variation if any).
    pub fn stock_product(&self) -> i64 {
        if self.variation_id > 0 {
            self.variation_id
        } else {
            self.product_id
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ShippingLine {
    pub id: i64,
    pub method_title: String,
    pub method_id: String,
    pub instance_id: String,
    pub total: Cents,
    pub taxes: Vec<LineTax>,
    pub meta: Vec<Meta>,
}

#[derive(Clone, Debug, Default)]
pub struct FeeLine {
    pub id: i64,
    pub name: String,
    pub tax_class: String,
    pub taxable: bool,
    pub total: Cents,
    pub taxes: Vec<LineTax>,
    pub meta: Vec<Meta>,
}

#[derive(Clone, Debug, Default)]
pub struct CouponLine {
    pub id: i64,
    pub code: String,
    pub discount: Cents,
    pub discount_tax: Cents,
    pub discount_type: String,
    pub nominal_amount: Cents,
    pub free_shipping: bool,
}

/// A tax line of the order: one per tax rate used (an order item of type `tax`).
#[derive(Clone, Debug, Default)]
pub struct TaxLine {
    pub id: i64,
    pub rate_id: i64,
    pub tax_total: Cents,
    pub shipping_tax_total: Cents,
}

/// Totals kept on the order row; recomputed by `calculate_totals`.
#[derive(Clone, Debug, Default)]
pub struct OrderTotals {
    pub discount_total: Cents,
    pub discount_tax: Cents,
    pub shipping_total: Cents,
    pub shipping_tax: Cents,
    pub cart_tax: Cents,
    pub total: Cents,
    pub total_tax: Cents,
}

#[derive(Clone, Debug, Default)]
pub struct Order {
    pub id: i64,
    pub parent_id: i64,
    pub status: String,
    /// Status before trashing, restored on untrash.
    pub status_before_trash: Option<String>,
    pub currency: String,
    pub created_via: String,
    pub prices_include_tax: bool,
    pub order_key: String,
    pub cart_hash: String,
    pub date_created: Timestamp,
    pub date_modified: Timestamp,
    pub date_paid: Option<Timestamp>,
    pub date_completed: Option<Timestamp>,
    pub customer_id: i64,
    pub customer_ip_address: String,
    pub customer_user_agent: String,
    pub customer_note: String,
    pub billing: Address,
    pub shipping: Address,
    pub payment_method: String,
    pub payment_method_title: String,
    pub transaction_id: String,
    pub meta: Vec<Meta>,
    pub line_items: Vec<LineItem>,
    pub shipping_lines: Vec<ShippingLine>,
    pub fee_lines: Vec<FeeLine>,
    pub coupon_lines: Vec<CouponLine>,
    pub totals: OrderTotals,
    /// Order tax lines, kept by `calculate_totals`.
    pub tax_lines: Vec<TaxLine>,
    /// Refund ids, newest first (as `$order->get_refunds()` lists them).
    pub refunds: Vec<i64>,
    /// Operational flag `order_stock_reduced`.
    pub stock_reduced: bool,
}

#[derive(Clone, Debug, Default)]
pub struct RefundLine {
    pub id: i64,
    pub refunded_item_id: i64,
    pub name: String,
    pub product_id: i64,
    pub variation_id: i64,
    /// Negative, as WooCommerce stores refund lines.
    pub quantity: i64,
    pub total: Cents,
    pub taxes: Vec<LineTax>,
}

/// A refunded shipping or fee line. `wc_create_refund` takes any order item (line item, shipping,
/// fee) and copies it onto the refund (`new $class( $item )`) with negative totals and meta
/// `_refunded_item_id`; the refund's REST representation lists these under `shipping_lines` and
/// `fee_lines`, shaped as the order's.
#[derive(Clone, Debug, Default)]
pub struct RefundedItem<T> {
    pub refunded_item_id: i64,
    /// The copy, with its own item id and negative `total`/`taxes`.
    pub line: T,
}

#[derive(Clone, Debug, Default)]
pub struct Refund {
    pub id: i64,
    pub order_id: i64,
    /// Positive amount refunded.
    pub amount: Cents,
    pub reason: String,
    pub refunded_by: i64,
    pub refunded_payment: bool,
    pub date_created: Timestamp,
    pub line_items: Vec<RefundLine>,
    pub shipping_lines: Vec<RefundedItem<ShippingLine>>,
    pub fee_lines: Vec<RefundedItem<FeeLine>>,
    /// `$refund->update_taxes()`: the refunded tax per rate, negative.
    pub tax_lines: Vec<TaxLine>,
    pub meta: Vec<Meta>,
}

/// An order note (a WordPress comment on the order).
#[derive(Clone, Debug)]
pub struct Note {
    pub id: i64,
    pub order_id: i64,
    pub author: String,
    pub date_created: Timestamp,
    pub note: String,
    pub customer_note: bool,
    pub added_by_user: bool,
}

/// A coupon the store knows (`coupon_lines` refer to them by code).
#[derive(Clone, Debug)]
pub struct Coupon {
    pub code: String,
    /// `percent`, `fixed_cart` or `fixed_product`.
    pub discount_type: String,
    /// Percent for `percent`, cents otherwise.
    pub amount: Cents,
    pub free_shipping: bool,
}
