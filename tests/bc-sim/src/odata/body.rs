//! Request bodies of POST and PATCH, checked the way ODL and BC check them before any business
//! logic runs: the body is a JSON object, every property exists on the type, values convert to
//! the property's EDM type, read-only properties are refused, strings fit their maximum length,
//! `Code` values are upper-cased and trimmed, enum values are member names. Navigation
//! properties carrying arrays are kept apart for deep insert.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::schema::{Access, Nav, Prop, SetDef, Ty};
use super::value::{blank_date, blank_datetime, code, decimal_from_json, Val};
use crate::error::{ApiError, ApiResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

/// The validated properties of a body, in the order they were sent.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub values: Vec<(&'static Prop, Val<'static>)>,
    /// Deep-insert arrays (`salesOrderLines`, `dimensionSetLines`), create only.
    pub nested: Vec<(&'static Nav, Vec<Map<String, Value>>)>,
}

impl Changes {
    pub fn get(&self, name: &str) -> Option<&Val<'static>> {
        self.values.iter().find(|(p, _)| p.name == name).map(|(_, v)| v)
    }

    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.as_str())
    }

    pub fn guid(&self, name: &str) -> Option<Uuid> {
        match self.get(name) {
            Some(Val::Guid(g)) => Some(*g),
            _ => None,
        }
    }

    pub fn decimal(&self, name: &str) -> Option<rust_decimal::Decimal> {
        match self.get(name) {
            Some(Val::Dec(d)) => Some(*d),
            Some(Val::Int(i)) => Some((*i).into()),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        match self.get(name) {
            Some(Val::Int(i)) => Some(*i),
            _ => None,
        }
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.get(name) {
            Some(Val::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn date(&self, name: &str) -> Option<NaiveDate> {
        match self.get(name) {
            Some(Val::Date(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn enum_index(&self, name: &str) -> Option<usize> {
        match self.get(name) {
            Some(Val::Enum(_, i)) => Some(*i),
            _ => None,
        }
    }

    pub fn nested(&self, name: &str) -> Option<&[Map<String, Value>]> {
        self.nested.iter().find(|(n, _)| n.name == name).map(|(_, rows)| rows.as_slice())
    }
}

/// Parses raw bytes as a JSON object body.
pub fn json_object(body: &[u8]) -> ApiResult<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::bad_request("Invalid Request Body")),
    }
}

/// Validates a body against an entity set.
pub fn changes(def: &'static SetDef, body: &Map<String, Value>, mode: Mode) -> ApiResult<Changes> {
    let mut out = Changes::default();
    for (name, value) in body {
        if name.starts_with('@') || name.contains("@odata.") {
            continue;
        }
        let Some(prop) = def.prop(name) else {
            match (def.nav(name), value, mode) {
                (Some(nav), Value::Array(rows), Mode::Create) if nav.many => {
                    let rows = rows
                        .iter()
                        .map(|row| match row {
                            Value::Object(map) => Ok(map.clone()),
                            _ => Err(ApiError::bad_request("Invalid Request Body")),
                        })
                        .collect::<ApiResult<Vec<_>>>()?;
                    out.nested.push((nav, rows));
                    continue;
                }
                (Some(nav), _, Mode::Update) => {
                    return Err(ApiError::bad_request(format!(
                        "Deep update is not supported: '{}' cannot be changed through its parent. Change its entities individually.",
                        nav.name
                    )))
                }
                (Some(nav), _, Mode::Create) => {
                    return Err(ApiError::bad_request(format!(
                        "Deep insert is not supported for the navigation property '{}'.",
                        nav.name
                    )))
                }
                (None, _, _) => return Err(ApiError::unknown_property(name, &def.full_type())),
            }
        };
        let converted = convert(prop, value)?;
        match prop.access {
            Access::ReadOnly => return Err(ApiError::read_only(prop.name)),
            Access::Write | Access::CreateOnly => {}
        }
        out.values.push((prop, converted));
    }
    Ok(out)
}

fn cannot_convert(value: &Value, prop: &Prop) -> ApiError {
    ApiError::bad_request(format!(
        "Cannot convert the literal '{}' to the expected type '{}'.",
        match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
        prop.ty.edm_name()
    ))
}

/// Converts one JSON value to the property's type, enforcing length and Code rules.
pub fn convert(prop: &'static Prop, value: &Value) -> ApiResult<Val<'static>> {
    if value.is_null() {
        if !prop.nullable {
            return Err(ApiError::required(prop.name));
        }
        return Ok(blank(prop));
    }
    let converted = match (prop.ty, value) {
        (Ty::Text | Ty::Code, Value::String(text)) => {
            if prop.max > 0 && text.chars().count() > prop.max {
                return Err(ApiError::string_too_long(text, prop.max));
            }
            if prop.ty == Ty::Code {
                Val::owned(code(text))
            } else {
                Val::owned(text.clone())
            }
        }
        (Ty::Guid, Value::String(text)) => Val::Guid(Uuid::parse_str(text).map_err(|_| cannot_convert(value, prop))?),
        (Ty::Decimal, Value::Number(_)) => {
            Val::Dec(decimal_from_json(value).ok_or_else(|| cannot_convert(value, prop))?)
        }
        (Ty::Int | Ty::Int64, Value::Number(number)) => {
            let i = number.as_i64().ok_or_else(|| cannot_convert(value, prop))?;
            if prop.ty == Ty::Int && i32::try_from(i).is_err() {
                return Err(cannot_convert(value, prop));
            }
            Val::Int(i)
        }
        (Ty::Bool, Value::Bool(b)) => Val::Bool(*b),
        (Ty::Date, Value::String(text)) => Val::Date(
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| ApiError::bad_request("Unable to convert value to Date"))?,
        ),
        (Ty::DateTime, Value::String(text)) => Val::DateTime(
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ApiError::bad_request("Unable to convert value to DateTime"))?,
        ),
        (Ty::Enum(def), Value::String(member)) => match def.index_of(member) {
            Some(index) => Val::Enum(def, index),
            None => return Err(ApiError::not_an_option(member, &def.captions())),
        },
        _ => return Err(cannot_convert(value, prop)),
    };
    Ok(converted)
}

/// The blank value BC stores for a property set to `null`.
pub fn blank(prop: &'static Prop) -> Val<'static> {
    match prop.ty {
        Ty::Text | Ty::Code => Val::owned(String::new()),
        Ty::Guid => Val::Guid(Uuid::nil()),
        Ty::Decimal => Val::Dec(rust_decimal::Decimal::ZERO),
        Ty::Int | Ty::Int64 => Val::Int(0),
        Ty::Bool => Val::Bool(false),
        Ty::Date => Val::Date(blank_date()),
        Ty::DateTime => Val::DateTime(blank_datetime()),
        Ty::Enum(def) => Val::Enum(def, 0),
    }
}
