//! Reading rows out: the `Row` view every entity (API or page) implements, the collection runner
//! (`$filter`, `$orderby`, `$skip`, `$top`, server-driven paging with an opaque `$skiptoken`),
//! and the JSON writer (`@odata.etag`, `$select`, `$expand`).
//!
//! Without `$orderby`, rows come in primary-key order and a skiptoken holds the last key, so a
//! page over 100,000 items starts at the right place in the index instead of scanning.

use std::cmp::Ordering;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::query::Query;
use super::schema::{Nav, Prop, SetDef, Ty};
use super::value::Val;
use crate::error::{ApiError, ApiResult};

/// Position of a row in primary-key order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Cursor {
    Text(String),
    Number(i64),
}

/// One record as an entity of an entity set.
pub trait Row {
    fn def(&self) -> &'static SetDef;
    fn get(&self, prop: &str) -> Val<'_>;
    fn etag(&self) -> String;
    fn cursor(&self) -> Cursor;
    /// Value of a navigation property for `$expand` (array or object/null).
    fn expand(&self, nav: &'static Nav, _query: &Query) -> ApiResult<Value> {
        Err(ApiError::syntax(format!(
            "Could not find a property named '{}' on type '{}'.",
            nav.name,
            self.def().full_type()
        )))
    }
}

/// The entity as JSON: `@odata.etag`, the selected properties, expansions.
pub fn entity_json<R: Row>(row: &R, query: &Query) -> ApiResult<Map<String, Value>> {
    let mut map = Map::new();
    map.insert("@odata.etag".into(), Value::String(row.etag()));
    for prop in row.def().props.iter().filter(|p| query.selects(p)) {
        map.insert(prop.name.into(), row.get(prop.name).to_json());
    }
    for expand in &query.expand {
        map.insert(expand.nav.name.into(), row.expand(expand.nav, &expand.query)?);
    }
    Ok(map)
}

fn matches<R: Row>(row: &R, query: &Query) -> bool {
    query.filter.as_ref().is_none_or(|f| f.matches(&|name| row.get(name)))
}

/// An expanded collection: filtered, ordered, skipped and topped, not paged.
pub fn nested<R: Row>(rows: impl Iterator<Item = R>, query: &Query) -> ApiResult<Value> {
    let mut rows: Vec<R> = rows.filter(|r| matches(r, query)).collect();
    if !query.orderby.is_empty() {
        rows.sort_by(|a, b| compare_rows(a, b, &query.orderby));
    }
    let skip = query.skip.unwrap_or(0);
    let top = query.top.unwrap_or(usize::MAX);
    let values = rows
        .iter()
        .skip(skip)
        .take(top)
        .map(|r| entity_json(r, query).map(Value::Object))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Value::Array(values))
}

/// An expanded single navigation (`customer`, `item`): the entity or `null`.
pub fn nested_one<R: Row>(row: Option<R>, query: &Query) -> ApiResult<Value> {
    match row {
        Some(row) => entity_json(&row, query).map(Value::Object),
        None => Ok(Value::Null),
    }
}

fn compare_rows<R: Row>(a: &R, b: &R, orderby: &[(&'static Prop, bool)]) -> Ordering {
    for (prop, descending) in orderby {
        let ordering = a.get(prop.name).compare(&b.get(prop.name));
        let ordering = if *descending { ordering.reverse() } else { ordering };
        if ordering.is_ne() {
            return ordering;
        }
    }
    a.cursor().cmp(&b.cursor())
}

/// What the skiptoken remembers: the sort values and key of the last row sent, and how many
/// rows were sent so far (for `$top` across pages).
#[derive(Serialize, Deserialize)]
struct Token {
    #[serde(rename = "k")]
    sort: Vec<Value>,
    #[serde(rename = "c")]
    cursor: Cursor,
    #[serde(rename = "n")]
    sent: usize,
}

fn encode_token(token: &Token) -> String {
    let json = serde_json::to_vec(token).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

fn decode_token(text: &str) -> ApiResult<Token> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_matches('\''))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| ApiError::syntax(format!("The skip token value '{text}' is not valid.")))
}

/// Sort values go into the token in a form that reads back exactly (enums by index, decimals as text).
fn token_value(val: &Val<'_>) -> Value {
    match val {
        Val::Enum(_, index) => Value::from(*index),
        Val::Dec(d) => Value::String(d.to_string()),
        other => other.to_json(),
    }
}

fn value_from_token(prop: &Prop, value: &Value) -> Option<Val<'static>> {
    Some(match prop.ty {
        Ty::Text | Ty::Code => Val::owned(value.as_str()?.to_string()),
        Ty::Decimal => Val::Dec(value.as_str()?.parse().ok()?),
        Ty::Int | Ty::Int64 => Val::Int(value.as_i64()?),
        Ty::Bool => Val::Bool(value.as_bool()?),
        Ty::Guid => Val::Guid(value.as_str()?.parse().ok()?),
        Ty::Date => Val::Date(value.as_str()?.parse().ok()?),
        Ty::DateTime => Val::DateTime(value.as_str()?.parse().ok()?),
        Ty::Enum(def) => Val::Enum(def, usize::try_from(value.as_u64()?).ok()?),
    })
}

/// One page of a collection.
pub struct Page {
    pub rows: Vec<Value>,
    /// Skiptoken for the next page, when there is one.
    pub next: Option<String>,
    pub count: Option<usize>,
}

/// Runs a collection query. `source(after)` yields rows in primary-key order; when it honours
/// `after` (rows strictly after that key), `positioned` is true and paging skips the scan.
pub fn page<'a, R, I>(
    query: &Query,
    page_size: usize,
    positioned: bool,
    source: impl Fn(Option<&Cursor>) -> I,
) -> ApiResult<Page>
where
    R: Row + 'a,
    I: Iterator<Item = R>,
{
    let token = query.skiptoken.as_deref().map(decode_token).transpose()?;
    let sent_before = token.as_ref().map(|t| t.sent).unwrap_or(0);
    let remaining_top = query.top.map(|top| top.saturating_sub(sent_before)).unwrap_or(usize::MAX);
    let take = page_size.min(remaining_top);
    let skip = if token.is_some() { 0 } else { query.skip.unwrap_or(0) };
    let count = if query.count { Some(source(None).filter(|r| matches(r, query)).count()) } else { None };

    let mut rows: Vec<R> = if query.orderby.is_empty() {
        let after = token.as_ref().map(|t| &t.cursor);
        let start = if positioned { after } else { None };
        source(start)
            .filter(|r| positioned || after.is_none_or(|c| r.cursor() > *c))
            .filter(|r| matches(r, query))
            .skip(skip)
            .take(take.saturating_add(1))
            .collect()
    } else {
        let mut all: Vec<R> = source(None).filter(|r| matches(r, query)).collect();
        all.sort_by(|a, b| compare_rows(a, b, &query.orderby));
        let start = match &token {
            None => 0,
            Some(token) => {
                let sort: Vec<Val<'static>> = query
                    .orderby
                    .iter()
                    .zip(&token.sort)
                    .map(|((prop, _), value)| value_from_token(prop, value))
                    .collect::<Option<_>>()
                    .ok_or_else(|| ApiError::syntax("The skip token value is not valid for this $orderby."))?;
                all.partition_point(|row| {
                    let mut ordering = Ordering::Equal;
                    for ((prop, descending), value) in query.orderby.iter().zip(&sort) {
                        let o = row.get(prop.name).compare(value);
                        ordering = if *descending { o.reverse() } else { o };
                        if ordering.is_ne() {
                            break;
                        }
                    }
                    ordering.then_with(|| row.cursor().cmp(&token.cursor)).is_le()
                })
            }
        };
        all.into_iter().skip(start + skip).take(take.saturating_add(1)).collect()
    };

    // A page cut short by `$top` has no next page; one cut by the page size does.
    let more = rows.len() > take && remaining_top > take;
    rows.truncate(take);
    let next = match rows.last() {
        Some(last) if more => Some(encode_token(&Token {
            sort: query.orderby.iter().map(|(p, _)| token_value(&last.get(p.name))).collect(),
            cursor: last.cursor(),
            sent: sent_before + rows.len(),
        })),
        _ => None,
    };
    let rows = rows.iter().map(|r| entity_json(r, query).map(Value::Object)).collect::<ApiResult<Vec<_>>>()?;
    Ok(Page { rows, next, count })
}
