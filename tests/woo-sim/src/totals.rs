//! Order totals as `WC_Order::calculate_totals()` makes them with the default settings: coupons
//! re-applied to line subtotals, tax per line per rate rounded to cents, shipping taxed at the
//! standard rate, fees taxed at their class when taxable, and the order's tax lines and totals
//! summed from the lines.

use std::collections::BTreeMap;

use crate::model::order::{CouponLine, LineTax, Order, OrderTotals, TaxLine};
use crate::model::StoreData;
use crate::money::{self, Cents};

/// One tax on `net` for a tax class; empty when the class has no rate.
fn taxes_for(store: &StoreData, class: &str, net: Cents, subtotal: Cents) -> Vec<LineTax> {
    match store.rate_for_class(class) {
        Some(rate) => vec![LineTax {
            rate_id: rate.id,
            total: money::tax_on(net, rate.percent),
            subtotal: money::tax_on(subtotal, rate.percent),
        }],
        None => Vec::new(),
    }
}

/// Re-applies the order's coupons to its lines (`recalculate_coupons`): line totals are reset to
/// their subtotals, then each coupon takes its share.
fn apply_coupons(store: &StoreData, order: &mut Order) {
    if order.coupon_lines.is_empty() {
        return;
    }
    for line in &mut order.line_items {
        line.total = line.subtotal;
    }
    let mut coupons: Vec<CouponLine> = std::mem::take(&mut order.coupon_lines);
    for coupon in &mut coupons {
        let bases: Vec<Cents> = order.line_items.iter().map(|l| l.total).collect();
        let base_sum: Cents = money::sum(bases.iter().copied());
        let wanted = match coupon.discount_type.as_str() {
            // `tax_on` takes a percentage, which is what a percent coupon's amount is.
            "percent" => money::tax_on(base_sum, rust_decimal::Decimal::from(coupon.nominal_amount)),
            "fixed_product" => coupon.nominal_amount.saturating_mul(money::sum(order.line_items.iter().map(|l| l.quantity))),
            _ => coupon.nominal_amount,
        }
        .min(base_sum)
        .max(0);
        // Spread in proportion to the lines, remainders to the largest lines first.
        let mut shares: Vec<Cents> = bases
            .iter()
            .map(|b| if base_sum > 0 { (i128::from(wanted) * i128::from(*b) / i128::from(base_sum)) as Cents } else { 0 })
            .collect();
        let mut left = wanted - money::sum(shares.iter().copied());
        let mut order_by_size: Vec<usize> = (0..bases.len()).collect();
        order_by_size.sort_by_key(|i| std::cmp::Reverse(bases[*i]));
        for i in order_by_size.iter().cycle().take(bases.len() * 2) {
            if left == 0 {
                break;
            }
            if shares[*i] < bases[*i] {
                shares[*i] += 1;
                left -= 1;
            }
        }
        let mut discount_tax = 0;
        for (line, share) in order.line_items.iter_mut().zip(&shares) {
            let before = line.total;
            line.total -= share;
            if let Some(rate) = store.rate_for_class(&line.tax_class) {
                discount_tax += money::tax_on(before, rate.percent) - money::tax_on(line.total, rate.percent);
            }
        }
        coupon.discount = money::sum(shares.iter().copied());
        coupon.discount_tax = discount_tax;
    }
    order.coupon_lines = coupons;
}

/// `calculate_totals()` on a stored order, giving new tax lines their item ids.
pub fn recalculate(store: &mut StoreData, id: i64) {
    let Some(mut order) = store.orders.get(&id).cloned() else { return };
    calculate_totals(store, &mut order);
    for line in &mut order.tax_lines {
        if line.id == 0 {
            line.id = store.seq.next_item();
        }
    }
    if let Some(stored) = store.orders.get_mut(&id) {
        *stored = order;
    }
}

pub fn calculate_totals(store: &StoreData, order: &mut Order) {
    apply_coupons(store, order);
    let standard_class = String::new();
    for line in &mut order.line_items {
        let taxable = line_taxable(store, line.product_id, line.variation_id);
        line.taxes = if taxable { taxes_for(store, &line.tax_class, line.total, line.subtotal) } else { Vec::new() };
    }
    for line in &mut order.shipping_lines {
        line.taxes = taxes_for(store, &standard_class, line.total, line.total);
    }
    for fee in &mut order.fee_lines {
        fee.taxes = if fee.taxable { taxes_for(store, &fee.tax_class, fee.total, fee.total) } else { Vec::new() };
    }
    let mut by_rate: BTreeMap<i64, (Cents, Cents)> = BTreeMap::new();
    for tax in order.line_items.iter().flat_map(|l| &l.taxes).chain(order.fee_lines.iter().flat_map(|f| &f.taxes)) {
        let entry = by_rate.entry(tax.rate_id).or_default();
        entry.0 = entry.0.saturating_add(tax.total);
    }
    for tax in order.shipping_lines.iter().flat_map(|s| &s.taxes) {
        let entry = by_rate.entry(tax.rate_id).or_default();
        entry.1 = entry.1.saturating_add(tax.total);
    }
    let previous = std::mem::take(&mut order.tax_lines);
    order.tax_lines = by_rate
        .into_iter()
        .map(|(rate_id, (tax_total, shipping_tax_total))| TaxLine {
            // Keeps the item id of an existing tax line; new ones get theirs in `recalculate`.
            id: previous.iter().find(|t| t.rate_id == rate_id).map(|t| t.id).unwrap_or(0),
            rate_id,
            tax_total,
            shipping_tax_total,
        })
        .collect();
    let cart_tax: Cents = money::sum(order.tax_lines.iter().map(|t| t.tax_total));
    let shipping_tax: Cents = money::sum(order.tax_lines.iter().map(|t| t.shipping_tax_total));
    let items_total: Cents = money::sum(order.line_items.iter().map(|l| l.total));
    let fees_total: Cents = money::sum(order.fee_lines.iter().map(|f| f.total));
    let shipping_total: Cents = money::sum(order.shipping_lines.iter().map(|s| s.total));
    let discount_total: Cents = money::sum(order.line_items.iter().map(|l| l.subtotal - l.total));
    let discount_tax: Cents = money::sum(order.line_items.iter().map(|l| l.subtotal_tax() - l.total_tax()));
    order.totals = OrderTotals {
        discount_total,
        discount_tax,
        shipping_total,
        shipping_tax,
        cart_tax,
        total_tax: cart_tax.saturating_add(shipping_tax),
        total: money::sum([items_total, fees_total, shipping_total, cart_tax, shipping_tax]),
    };
}

/// Lines of unknown products are taxed at their class; known products by their tax status.
fn line_taxable(store: &StoreData, product_id: i64, variation_id: i64) -> bool {
    let id = if variation_id > 0 { variation_id } else { product_id };
    match store.products.get(&id) {
        Some(product) if product.kind == crate::model::ProductType::Variation => store
            .products
            .get(&product.parent_id)
            .map(|p| p.tax_status == "taxable")
            .unwrap_or(true),
        Some(product) => product.tax_status == "taxable",
        None => true,
    }
}

/// The tax class a product's lines use (a variation with class `parent` uses its parent's).
pub fn tax_class_of(store: &StoreData, product_id: i64) -> String {
    match store.products.get(&product_id) {
        Some(p) if p.tax_class == "parent" => {
            store.products.get(&p.parent_id).map(|parent| parent.tax_class.clone()).unwrap_or_default()
        }
        Some(p) => p.tax_class.clone(),
        None => String::new(),
    }
}

/// Net unit price of a product for a new line (`wc_get_price_excluding_tax`).
pub fn net_price(store: &StoreData, product_id: i64) -> Cents {
    let Some(product) = store.products.get(&product_id) else { return 0 };
    let price = product.price().unwrap_or(0);
    if !store.options.prices_include_tax {
        return price;
    }
    match store.rate_for_class(&tax_class_of(store, product_id)) {
        Some(rate) => money::split_inclusive(price, rate.percent).0,
        None => price,
    }
}
