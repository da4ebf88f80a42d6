//! The totals guard: after NAV computed the document, compare its total with WooCommerce's.
//! Tax and rounding drift is the most common silent error in this field — within the tolerance a
//! rounding line makes the totals agree; beyond it the order is held with a readable reason.

use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum TotalsVerdict {
    Equal,
    /// Add a rounding line of this amount (including tax) to match WooCommerce.
    Round(Decimal),
    Hold(String),
}

/// Compares including tax when NAV shows it, else net amounts. Returns the verdict and which
/// totals were compared, for the audit.
pub fn check_document_totals(
    expected_including: Decimal,
    expected_excluding: Decimal,
    nav_including: Option<Decimal>,
    nav_excluding: Option<Decimal>,
    tolerance: Decimal,
    currency: &str,
) -> (TotalsVerdict, &'static str) {
    match (nav_including, nav_excluding) {
        (Some(nav), _) => (check_totals(expected_including, nav, tolerance, currency), "including tax"),
        (None, Some(nav)) => (check_totals(expected_excluding, nav, tolerance, currency), "excluding tax"),
        (None, None) => (TotalsVerdict::Equal, "not compared: NAV gave no totals"),
    }
}

pub fn check_totals(woo_total: Decimal, nav_total: Decimal, tolerance: Decimal, currency: &str) -> TotalsVerdict {
    let difference = woo_total - nav_total;
    if difference.is_zero() {
        TotalsVerdict::Equal
    } else if difference.abs() <= tolerance {
        TotalsVerdict::Round(difference)
    } else {
        TotalsVerdict::Hold(format!(
            "totals differ: WooCommerce {woo_total} {currency}, NAV {nav_total} {currency} (difference {difference}, tolerance {tolerance}); \
             check tax setup (VAT posting groups) and prices including tax, then replay"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn equal_round_or_hold() {
        assert_eq!(check_totals(d("120.00"), d("120"), d("0.05"), "EUR"), TotalsVerdict::Equal);
        assert_eq!(check_totals(d("120.01"), d("119.99"), d("0.05"), "EUR"), TotalsVerdict::Round(d("0.02")));
        assert_eq!(check_totals(d("119.97"), d("120.00"), d("0.05"), "EUR"), TotalsVerdict::Round(d("-0.03")));
        let TotalsVerdict::Hold(reason) = check_totals(d("144.00"), d("120.00"), d("0.05"), "EUR") else { panic!() };
        assert!(reason.contains("WooCommerce 144.00 EUR, NAV 120.00 EUR"), "{reason}");
    }
}
