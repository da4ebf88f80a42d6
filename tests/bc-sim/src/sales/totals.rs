//! Line and document amounts: line amount = quantity × unit price − line discount; VAT per line
//! from the company's rate for the line's VAT group, rounded to 2 decimals per line; prices
//! including VAT split back into net and VAT; the header's invoice discount spread over the
//! lines in proportion to their amounts (the rounding difference goes to the last line).

use rust_decimal::Decimal;

use crate::odata::value::round2;
use crate::store::sales::{LineKind, SalesDoc, SalesLine, Totals};
use crate::store::Company;

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// Splits an amount into net, VAT and gross for a VAT rate, from either basis.
pub fn split(amount: Decimal, vat_percent: Decimal, prices_include_tax: bool) -> Totals {
    if prices_include_tax {
        let excl = round2(amount / (Decimal::ONE + vat_percent / HUNDRED));
        Totals { excl, tax: amount - excl, incl: amount }
    } else {
        let tax = round2(amount * vat_percent / HUNDRED);
        Totals { excl: amount, tax, incl: amount + tax }
    }
}

/// Quantity × unit price, rounded.
pub fn base_amount(line: &SalesLine) -> Decimal {
    round2(line.quantity * line.unit_price)
}

/// Line discount amount from the line discount %.
pub fn discount_from_percent(line: &SalesLine) -> Decimal {
    round2(base_amount(line) * line.discount_percent / HUNDRED)
}

/// Recomputes every line's amounts, the invoice discount allocation and the document totals.
pub fn recalc(co: &Company, doc: &mut SalesDoc) {
    for line in &mut doc.lines {
        line.vat_percent = if line.kind == LineKind::Comment { Decimal::ZERO } else { co.vat_rate(&line.vat_group) };
        line.line_amount = base_amount(line) - line.discount_amount;
        line.gross = split(line.line_amount, line.vat_percent, doc.prices_include_tax);
    }
    allocate_invoice_discount(doc);
    let mut totals = Totals::default();
    for line in &mut doc.lines {
        line.net = split(line.line_amount - line.invoice_discount, line.vat_percent, doc.prices_include_tax);
        totals.excl += line.net.excl;
        totals.tax += line.net.tax;
        totals.incl += line.net.incl;
    }
    doc.totals = totals;
}

/// Spreads `doc.invoice_discount` over lines with a positive amount, capped at their total.
fn allocate_invoice_discount(doc: &mut SalesDoc) {
    let base: Decimal = doc.lines.iter().map(|l| l.line_amount).filter(|a| *a > Decimal::ZERO).sum();
    let discount = doc.invoice_discount.max(Decimal::ZERO).min(base);
    doc.invoice_discount = discount;
    let last = doc.lines.iter().rposition(|l| l.line_amount > Decimal::ZERO);
    let mut allocated = Decimal::ZERO;
    for (i, line) in doc.lines.iter_mut().enumerate() {
        line.invoice_discount = if line.line_amount <= Decimal::ZERO || discount.is_zero() {
            Decimal::ZERO
        } else if Some(i) == last {
            discount - allocated
        } else {
            round2(discount * line.line_amount / base)
        };
        allocated += line.invoice_discount;
    }
}

/// Amount lines can carry as invoice discount (the sum of positive line amounts).
pub fn discountable(doc: &SalesDoc) -> Decimal {
    doc.lines.iter().map(|l| base_amount(l) - l.discount_amount).filter(|a| *a > Decimal::ZERO).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vat_is_split_back_out_of_prices_including_vat() {
        let t = split(Decimal::new(12000, 2), Decimal::from(20), true);
        assert_eq!((t.excl, t.tax), (Decimal::new(10000, 2), Decimal::new(2000, 2)));
        let t = split(Decimal::new(995, 1), Decimal::from(20), false);
        assert_eq!((t.tax, t.incl), (Decimal::new(1990, 2), Decimal::new(11940, 2)));
    }
}
