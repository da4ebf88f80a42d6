//! Pure mappers: WooCommerce objects (REST v3 shape) → NAV documents. No I/O: item lookups go
//! through the [`CatalogLookup`] trait (the store implements it; tests use a map), so every rule
//! here is unit-tested without a network or database.

pub mod credit_memo;
pub mod customer;
pub mod customer_card;
pub mod fingerprint;
pub mod lines;
pub mod order;
pub mod rules;
pub mod totals;

pub use customer::{customer_draft, CustomerPlan};
pub use fingerprint::order_fingerprint;
pub use lines::{CatalogLookup, ItemMatch};
pub use order::{map_order, MappedOrder};
pub use rules::{evaluate_rules, RuleOutcome};
pub use totals::{check_document_totals, check_totals, TotalsVerdict};

/// Why an order cannot be mapped. Each message names what is wrong so an operator can fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MappingError {
    #[error("unknown SKU {sku} (line {line}: {name}): no NAV item has this number{also}")]
    UnknownSku { sku: String, line: usize, name: String, also: String },
    #[error("line {line} ({name}) has no SKU, so it cannot be matched to a NAV item; give the product a SKU")]
    MissingSku { line: usize, name: String },
    #[error("NAV item {number} for SKU {sku} (line {line}) is blocked in NAV")]
    BlockedItem { number: String, sku: String, line: usize },
    #[error("line {line} ({name}) has quantity {quantity}; NAV needs a positive quantity")]
    BadQuantity { line: usize, name: String, quantity: String },
    #[error("the order has no lines to send")]
    NoLines,
    #[error("the order has no billing name or company, which NAV needs to create a customer")]
    NoCustomerName,
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Several(Vec<MappingError>),
}

/// Cuts text to a NAV field's length (BC refuses longer values), on a character boundary.
pub(crate) fn fit(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect::<String>().trim_end().to_string()
}
