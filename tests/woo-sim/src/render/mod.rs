//! The REST v3 representation of every resource. The same JSON serves REST responses, webhook
//! payloads (built at delivery time, like WooCommerce) and event payloads.

mod order;
mod people;
mod product;

pub use order::{order, refund};
pub use people::{customer, note, webhook};
pub use product::{product, stock_status as product_stock_status, variation};

use serde_json::{json, Value};

use crate::model::order::{Address, LineTax, Meta};
use crate::money;

/// `context` of a REST request: write responses use `edit`; some fields exist only in `edit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    View,
    Edit,
}

fn date(ts: i64, offset: i64) -> Value {
    Value::String(crate::clock::format(ts, offset))
}

fn optional_date(ts: Option<i64>, offset: i64) -> Value {
    ts.map(|t| date(t, offset)).unwrap_or(Value::Null)
}

fn address(address: &Address, with_email: bool) -> Value {
    let mut value = json!({
        "first_name": address.first_name,
        "last_name": address.last_name,
        "company": address.company,
        "address_1": address.address_1,
        "address_2": address.address_2,
        "city": address.city,
        "state": address.state,
        "postcode": address.postcode,
        "country": address.country,
    });
    if let Some(map) = value.as_object_mut() {
        if with_email {
            map.insert("email".into(), address.email.clone().map(Value::String).unwrap_or(Value::Null));
        }
        map.insert("phone".into(), Value::String(address.phone.clone()));
    }
    value
}

/// Public meta only: keys starting with `_` are protected and hidden by the REST API.
fn meta(meta: &[Meta]) -> Value {
    Value::Array(
        meta.iter()
            .filter(|m| !m.key.starts_with('_'))
            .map(|m| json!({"id": m.id, "key": m.key, "value": m.value}))
            .collect(),
    )
}

/// Line item meta also carries display keys.
fn item_meta(meta: &[Meta]) -> Value {
    Value::Array(
        meta.iter()
            .filter(|m| !m.key.starts_with('_'))
            .map(|m| {
                let display = match &m.value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                json!({"id": m.id, "key": m.key, "value": m.value, "display_key": m.key, "display_value": display})
            })
            .collect(),
    )
}

fn taxes(taxes: &[LineTax], with_subtotal: bool) -> Value {
    Value::Array(
        taxes
            .iter()
            .map(|t| {
                if with_subtotal {
                    json!({"id": t.rate_id, "total": money::format(t.total), "subtotal": money::format(t.subtotal)})
                } else {
                    json!({"id": t.rate_id, "total": money::format(t.total), "subtotal": ""})
                }
            })
            .collect(),
    )
}
