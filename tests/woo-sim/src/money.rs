//! Money as WooCommerce shows it: decimal strings with the store's 2 decimals. Amounts are held as
//! integer cents so that sums never drift; taxes are computed with exact decimals and rounded half
//! away from zero, per line, as `wc_round_tax_total` does with the default settings.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

pub type Cents = i64;

/// Sum that saturates instead of overflowing (absurd client amounts must not panic).
pub fn sum(amounts: impl IntoIterator<Item = Cents>) -> Cents {
    amounts.into_iter().fold(0, Cents::saturating_add)
}

/// `1234` → `"12.34"`, `-500` → `"-5.00"`.
pub fn format(cents: Cents) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Parses a money amount sent by a client (`"12.3"`, `12.3`, `"12"`), rounded to cents.
pub fn parse(text: &str) -> Option<Cents> {
    let text = text.trim();
    if text.is_empty() || text.len() > 30 {
        return None;
    }
    let value: Decimal = text.parse().ok()?;
    to_cents(value)
}

/// A JSON number or numeric string as cents.
pub fn from_json(value: &serde_json::Value) -> Option<Cents> {
    match value {
        serde_json::Value::String(s) => parse(s),
        serde_json::Value::Number(n) => parse(&n.to_string()),
        _ => None,
    }
}

/// Largest amount accepted from a client (10 trillion in currency units): far beyond any shop,
/// small enough that sums and negations of amounts never overflow.
pub const MAX_CENTS: Cents = 1_000_000_000_000_000;

/// Largest line or refund quantity accepted from a client, for the same reason.
pub const MAX_QUANTITY: i64 = 1_000_000_000;

fn to_cents(value: Decimal) -> Option<Cents> {
    value
        .checked_mul(Decimal::ONE_HUNDRED)?
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .filter(|cents| cents.abs() <= MAX_CENTS)
}

/// Tax on a net amount at `rate_percent` (e.g. `20`), rounded to cents.
pub fn tax_on(net: Cents, rate_percent: Decimal) -> Cents {
    Decimal::from(net)
        .checked_mul(rate_percent)
        .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
        .and_then(|v| v.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero).to_i64())
        .unwrap_or(0)
}

/// Splits a gross amount that includes tax at `rate_percent` into (net, tax).
pub fn split_inclusive(gross: Cents, rate_percent: Decimal) -> (Cents, Cents) {
    let divisor = Decimal::ONE + rate_percent / Decimal::ONE_HUNDRED;
    let net = to_cents(Decimal::from(gross) / divisor / Decimal::ONE_HUNDRED).unwrap_or(gross);
    (net, gross - net)
}

/// `total / quantity` as the JSON number WooCommerce puts in a line item's `price`.
pub fn unit_price(total: Cents, quantity: i64) -> serde_json::Value {
    if quantity == 0 {
        return serde_json::json!(0);
    }
    let value = Decimal::from(total) / Decimal::ONE_HUNDRED / Decimal::from(quantity);
    let value = value.round_dp(6).normalize();
    match value.to_i64() {
        Some(i) if Decimal::from(i) == value => serde_json::json!(i),
        _ => serde_json::json!(value.to_f64().unwrap_or(0.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(format(1234), "12.34");
        assert_eq!(format(-500), "-5.00");
        assert_eq!(format(5), "0.05");
        assert_eq!(parse("12.3"), Some(1230));
        assert_eq!(parse("0.005"), Some(1));
        assert_eq!(parse("abc"), None);
    }

    #[test]
    fn taxes_round_half_away_from_zero() {
        assert_eq!(tax_on(1990, Decimal::from(20)), 398);
        assert_eq!(tax_on(2900, Decimal::from(5)), 145);
        assert_eq!(tax_on(1, Decimal::from(50)), 1);
        assert_eq!(split_inclusive(1200, Decimal::from(20)), (1000, 200));
    }
}
