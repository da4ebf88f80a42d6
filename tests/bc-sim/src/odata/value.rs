//! Values as the OData layer sees them: what a property holds (borrowed from the record where it
//! can be), how BC writes it on the wire (lower-case GUIDs, `0001-01-01` for a blank date,
//! member names with XML escaping for enums, decimals as JSON numbers) and how two values of the
//! same property compare (for `$filter`, `$orderby` and paging).

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::Value;
use uuid::Uuid;

use super::schema::EnumDef;

/// BC has no null date: a blank date is the first day of year 1.
pub fn blank_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// A blank DateTime (`0001-01-01T00:00:00Z`).
pub fn blank_datetime() -> DateTime<Utc> {
    blank_date().and_hms_opt(0, 0, 0).map(|naive| naive.and_utc()).unwrap_or_default()
}

/// The value of one property of one record.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<'a> {
    Str(Cow<'a, str>),
    Dec(Decimal),
    Int(i64),
    Bool(bool),
    Guid(Uuid),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    Enum(&'static EnumDef, usize),
}

impl<'a> Val<'a> {
    pub fn str(text: &'a str) -> Self {
        Val::Str(Cow::Borrowed(text))
    }

    pub fn owned(text: String) -> Self {
        Val::Str(Cow::Owned(text))
    }

    pub fn into_owned(self) -> Val<'static> {
        match self {
            Val::Str(text) => Val::Str(Cow::Owned(text.into_owned())),
            Val::Dec(d) => Val::Dec(d),
            Val::Int(i) => Val::Int(i),
            Val::Bool(b) => Val::Bool(b),
            Val::Guid(g) => Val::Guid(g),
            Val::Date(d) => Val::Date(d),
            Val::DateTime(t) => Val::DateTime(t),
            Val::Enum(def, index) => Val::Enum(def, index),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(text) => Some(text),
            Val::Enum(def, index) => Some(def.member(*index)),
            _ => None,
        }
    }

    /// The BC wire form.
    pub fn to_json(&self) -> Value {
        match self {
            Val::Str(text) => Value::String(text.to_string()),
            Val::Dec(d) => decimal_json(*d),
            Val::Int(i) => Value::from(*i),
            Val::Bool(b) => Value::Bool(*b),
            Val::Guid(g) => Value::String(g.hyphenated().to_string()),
            Val::Date(d) => Value::String(format_date(*d)),
            Val::DateTime(t) => Value::String(format_datetime(*t)),
            Val::Enum(def, index) => Value::String(def.member(*index).to_string()),
        }
    }

    /// Compares two values of the same property; values of different kinds compare equal (the
    /// filter binder never produces such a comparison).
    pub fn compare(&self, other: &Val<'_>) -> Ordering {
        match (self, other) {
            (Val::Str(a), Val::Str(b)) => a.as_ref().cmp(b.as_ref()),
            (Val::Dec(a), Val::Dec(b)) => a.cmp(b),
            (Val::Int(a), Val::Int(b)) => a.cmp(b),
            (Val::Dec(a), Val::Int(b)) => a.cmp(&Decimal::from(*b)),
            (Val::Int(a), Val::Dec(b)) => Decimal::from(*a).cmp(b),
            (Val::Bool(a), Val::Bool(b)) => a.cmp(b),
            (Val::Guid(a), Val::Guid(b)) => a.cmp(b),
            (Val::Date(a), Val::Date(b)) => a.cmp(b),
            (Val::DateTime(a), Val::DateTime(b)) => a.cmp(b),
            (Val::Enum(_, a), Val::Enum(_, b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

/// Decimals go out as JSON numbers: integral values without a fraction (`12`, not `12.0`).
pub fn decimal_json(d: Decimal) -> Value {
    let normalized = d.normalize();
    if normalized.fract().is_zero() {
        if let Some(i) = normalized.to_i64() {
            return Value::from(i);
        }
    }
    normalized.to_f64().and_then(serde_json::Number::from_f64).map(Value::Number).unwrap_or(Value::Null)
}

pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `2023-09-02T17:38:08.537Z`; a blank DateTime is written `0001-01-01T00:00:00Z` as BC does.
pub fn format_datetime(time: DateTime<Utc>) -> String {
    if time == blank_datetime() {
        return "0001-01-01T00:00:00Z".to_string();
    }
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// GUIDs in AL messages: upper case in braces.
pub fn al_guid(id: Uuid) -> String {
    format!("{{{}}}", id.hyphenated().to_string().to_uppercase())
}

/// Reads a decimal from a JSON number without going through binary floating point.
pub fn decimal_from_json(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(number) => {
            number.to_string().parse::<Decimal>().ok().or_else(|| number.as_f64().and_then(Decimal::from_f64_retain))
        }
        _ => None,
    }
}

/// Upper-cases and trims the way an AL `Code` field does.
pub fn code(text: &str) -> String {
    text.trim().to_uppercase()
}

/// Rounds an amount to the currency precision BC uses for the local currency.
pub fn round2(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Turns an XML-escaped member name back into its caption: `In_x0020_Review` → `In Review`.
pub fn unescape_member(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(start) = rest.find("_x") {
        out.push_str(&rest[..start]);
        let candidate = &rest[start..];
        let decoded = candidate
            .get(2..6)
            .filter(|hex| candidate.get(6..7) == Some("_") && hex.chars().all(|c| c.is_ascii_hexdigit()))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &candidate[7..];
            }
            None => {
                out.push_str("_x");
                rest = &candidate[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_unescape_to_captions() {
        assert_eq!(unescape_member("In_x0020_Review"), "In Review");
        assert_eq!(unescape_member("Positive_x0020_Adjmt_x002E_"), "Positive Adjmt.");
        assert_eq!(unescape_member("_x0020_"), " ");
        assert_eq!(unescape_member("Non_x002D_Inventory"), "Non-Inventory");
        assert_eq!(unescape_member("Plain_xname"), "Plain_xname");
    }

    #[test]
    fn decimals_are_json_numbers_without_trailing_fraction() {
        assert_eq!(decimal_json(Decimal::new(1200, 2)).to_string(), "12");
        assert_eq!(decimal_json(Decimal::new(100080, 2)).to_string(), "1000.8");
        assert_eq!(decimal_from_json(&serde_json::json!(99.5)), Some(Decimal::new(995, 1)));
    }
}
