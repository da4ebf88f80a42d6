//! WooCommerce order → NAV sales order draft: customer, lines by SKU, shipping, fees, coupons,
//! currency, prices including or excluding tax, ship-to address, dimensions and price group by
//! rule, and `externalDocumentNumber` (upper-cased as BC stores Code fields).

use rust_decimal::Decimal;

use crate::config::{DiscountPolicy, OrderSettings};
use crate::model::money::cents;
use crate::model::nav::{code, DimensionValue, LineKind, LineSource, PostalAddress, SalesLineDraft, SalesOrderDraft};
use crate::model::woo::Order;

use super::customer::{phone_number, postal_address};
use super::lines::{match_item, CatalogLookup, ItemMatch};
use super::rules::RuleOutcome;
use super::{fit, MappingError};

/// NAV keeps unit prices to 5 decimals (unit-amount rounding precision).
const UNIT_PRICE_DP: u32 = 5;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MappedOrder {
    pub draft: SalesOrderDraft,
    pub matches: Vec<ItemMatch>,
}

/// The customer side of the mapping, decided before (it may need NAV lookups).
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerChoice {
    pub number: String,
    /// For a shared guest customer, the buyer's address goes on the order.
    pub shared_guest: bool,
}

pub fn external_document_number(order: &Order, settings: &OrderSettings) -> String {
    fit(&code(&format!("{}{}", settings.order_number_prefix, order.display_number())), 35)
}

pub fn map_order(
    order: &Order,
    settings: &OrderSettings,
    customer: &CustomerChoice,
    rules: &RuleOutcome,
    catalog: &dyn CatalogLookup,
) -> Result<MappedOrder, MappingError> {
    let with_tax = order.prices_include_tax;
    let mut lines = Vec::new();
    let mut matches = Vec::new();
    let mut errors = Vec::new();
    for (index, item) in order.line_items.iter().enumerate() {
        let number = index + 1;
        if item.quantity.is_zero() {
            continue;
        }
        if item.quantity.is_sign_negative() {
            errors.push(MappingError::BadQuantity { line: number, name: item.name.clone(), quantity: item.quantity.to_string() });
            continue;
        }
        match match_item(item, number, settings, catalog) {
            Ok(found) => {
                let (gross, net) = if with_tax {
                    (item.subtotal + item.subtotal_tax, item.total + item.total_tax)
                } else {
                    (item.subtotal, item.total)
                };
                let discount = match settings.discounts {
                    DiscountPolicy::Line => cents(gross - net),
                    DiscountPolicy::Account(_) => Decimal::ZERO,
                };
                lines.push(SalesLineDraft {
                    kind: LineKind::Item,
                    number: found.item_number.clone(),
                    variant_code: found.variant_code.clone(),
                    description: fit(&item.name, 100),
                    quantity: item.quantity,
                    unit_price: (gross / item.quantity).round_dp(UNIT_PRICE_DP),
                    discount_amount: discount.max(Decimal::ZERO),
                    source: LineSource::WooItem(item.id),
                });
                matches.push(found);
            }
            Err(error) => errors.push(error),
        }
    }
    match errors.len() {
        0 => {}
        1 => return Err(errors.remove(0)),
        _ => return Err(MappingError::Several(errors)),
    }
    for shipping in &order.shipping_lines {
        let amount = if with_tax { shipping.total + shipping.total_tax } else { shipping.total };
        if amount.is_zero() {
            continue;
        }
        lines.push(SalesLineDraft {
            kind: if settings.shipping.charge { LineKind::Charge } else { LineKind::Account },
            number: settings.shipping.number.clone(),
            variant_code: None,
            description: fit(&format!("Shipping: {}", shipping.method_title), 100),
            quantity: Decimal::ONE,
            unit_price: amount,
            discount_amount: Decimal::ZERO,
            source: LineSource::Shipping(shipping.id),
        });
    }
    for fee in &order.fee_lines {
        let amount = if with_tax { fee.total + fee.total_tax } else { fee.total };
        if amount.is_zero() {
            continue;
        }
        lines.push(SalesLineDraft {
            kind: LineKind::Account,
            number: settings.fees_account.clone(),
            variant_code: None,
            description: fit(&fee.name, 100),
            quantity: Decimal::ONE,
            unit_price: amount,
            discount_amount: Decimal::ZERO,
            source: LineSource::Fee(fee.id),
        });
    }
    if let DiscountPolicy::Account(account) = &settings.discounts {
        let discount = if with_tax { order.discount_total + order.discount_tax } else { order.discount_total };
        if !discount.is_zero() {
            let codes: Vec<&str> = order.coupon_lines.iter().map(|c| c.code.as_str()).collect();
            lines.push(SalesLineDraft {
                kind: LineKind::Account,
                number: account.clone(),
                variant_code: None,
                description: fit(&format!("Discount {}", codes.join(", ")), 100),
                quantity: Decimal::ONE,
                unit_price: -discount,
                discount_amount: Decimal::ZERO,
                source: LineSource::Discount,
            });
        }
    }
    if lines.is_empty() {
        return Err(MappingError::NoLines);
    }
    let shipping_address = if order.shipping.is_empty() { &order.billing } else { &order.shipping };
    let draft = SalesOrderDraft {
        woo_order_id: order.id,
        external_document_number: external_document_number(order, settings),
        customer_number: customer.number.clone(),
        order_date: order.date_created_gmt.as_deref().and_then(|d| d.get(..10)).unwrap_or("").to_string(),
        currency_code: (!order.currency.trim().is_empty()).then(|| code(&order.currency)),
        prices_include_tax: with_tax,
        sell_to: customer.shared_guest.then(|| postal_address(&order.billing, &order.billing.full_name())),
        ship_to: Some(ship_to(shipping_address)),
        email: fit(order.billing.email.trim(), 80),
        phone: phone_number(&order.billing.phone),
        dimensions: rules
            .decision
            .dimensions
            .iter()
            .map(|(dimension, value)| DimensionValue { code: code(dimension), value: code(value) })
            .collect(),
        price_group: rules.decision.price_group.as_deref().map(code),
        lines,
        expected_total_including_tax: order.total,
        expected_total_excluding_tax: order.total - order.total_tax,
        rule: rules.rule.clone(),
    };
    Ok(MappedOrder { draft, matches })
}

fn ship_to(address: &crate::model::woo::Address) -> PostalAddress {
    let contact = if address.company.trim().is_empty() { String::new() } else { address.full_name() };
    postal_address(address, &contact)
}

#[cfg(test)]
mod tests;
