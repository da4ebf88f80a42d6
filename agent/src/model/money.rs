//! Money as WooCommerce and BC send it: WooCommerce uses decimal strings ("12.50"), sometimes
//! numbers (line item `price`); BC uses JSON numbers. Everything becomes `Decimal`, never `f64`.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

/// Accepts `"12.50"`, `12.5`, `12`, `""` (zero) and `null` (zero).
pub fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(serde_json::Number),
        Null,
    }
    match Option::<Raw>::deserialize(deserializer)? {
        None | Some(Raw::Null) => Ok(Decimal::ZERO),
        Some(Raw::Text(text)) if text.trim().is_empty() => Ok(Decimal::ZERO),
        Some(Raw::Text(text)) => text.trim().parse().map_err(|_| serde::de::Error::custom(format!("not an amount: {text:?}"))),
        Some(Raw::Number(number)) => {
            let text = number.to_string();
            text.parse::<Decimal>()
                .or_else(|_| Decimal::from_scientific(&text))
                .map_err(|_| serde::de::Error::custom(format!("not an amount: {text}")))
        }
    }
}

/// Rounds to cents the way both systems display amounts (midpoint away from zero).
pub fn cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "lenient", default)]
        amount: Decimal,
    }

    #[test]
    fn reads_every_form_woocommerce_sends() {
        for (json, expected) in [
            (r#"{"amount":"12.50"}"#, "12.50"),
            (r#"{"amount":12.5}"#, "12.5"),
            (r#"{"amount":3}"#, "3"),
            (r#"{"amount":""}"#, "0"),
            (r#"{"amount":null}"#, "0"),
            (r#"{}"#, "0"),
            (r#"{"amount":"-5.00"}"#, "-5.00"),
        ] {
            let holder: Holder = serde_json::from_str(json).unwrap();
            assert_eq!(holder.amount, expected.parse::<Decimal>().unwrap(), "{json}");
        }
        assert!(serde_json::from_str::<Holder>(r#"{"amount":"12,50"}"#).is_err());
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(cents("2.345".parse().unwrap()), "2.35".parse::<Decimal>().unwrap());
        assert_eq!(cents("-2.345".parse().unwrap()), "-2.35".parse::<Decimal>().unwrap());
    }
}
