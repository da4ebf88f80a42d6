//! JSON as WordPress writes it, and `_fields` filtering.
//!
//! WordPress encodes REST responses and webhook bodies with `wp_json_encode()` (PHP's
//! `json_encode` with no flags): `/` is escaped as `\/` and every non-ASCII character as `\uXXXX`.
//! Clients that re-serialise a webhook body before checking its signature break on exactly this,
//! so the simulator writes the same bytes.

use serde_json::{Map, Value};

/// `json_encode($value)` of PHP, for values that came from the store.
pub fn php_encode(value: &Value) -> String {
    let plain = serde_json::to_string(value).unwrap_or_else(|_| "null".to_string());
    let mut out = String::with_capacity(plain.len() + plain.len() / 16);
    for c in plain.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if (c as u32) < 0x80 => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}

/// Keeps only the requested fields (`_fields=id,line_items.sku`); nested paths with dots. `id` is
/// always kept (reference 3.1).
pub fn filter_fields(value: Value, fields: &[String]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|item| filter_fields(item, fields)).collect()),
        Value::Object(map) => {
            let mut wanted: Vec<Vec<&str>> = fields.iter().map(|f| f.split('.').collect()).collect();
            if map.contains_key("id") {
                wanted.push(vec!["id"]);
            }
            Value::Object(pick(map, &wanted))
        }
        other => other,
    }
}

fn pick(mut map: Map<String, Value>, paths: &[Vec<&str>]) -> Map<String, Value> {
    let mut out = Map::new();
    let keys: Vec<String> = map.keys().cloned().collect();
    for key in keys {
        let matching: Vec<Vec<&str>> = paths
            .iter()
            .filter(|p| p.first() == Some(&key.as_str()))
            .map(|p| p[1..].to_vec())
            .collect();
        if matching.is_empty() {
            continue;
        }
        let Some(value) = map.remove(&key) else { continue };
        if matching.iter().any(|rest| rest.is_empty()) {
            out.insert(key, value);
            continue;
        }
        let nested = match value {
            Value::Object(inner) => Value::Object(pick(inner, &matching)),
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(inner) => Value::Object(pick(inner, &matching)),
                        other => other,
                    })
                    .collect(),
            ),
            other => other,
        };
        out.insert(key, nested);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn escapes_like_php() {
        assert_eq!(php_encode(&json!({"u": "http://x/é"})), r#"{"u":"http:\/\/x\/\u00e9"}"#);
        assert_eq!(php_encode(&json!("😀")), r#""\ud83d\ude00""#);
    }

    #[test]
    fn keeps_requested_fields_and_id() {
        let value = json!({"id": 1, "status": "x", "line_items": [{"sku": "A", "name": "n"}], "total": "1"});
        let fields = vec!["status".to_string(), "line_items.sku".to_string()];
        assert_eq!(filter_fields(value, &fields), json!({"id": 1, "status": "x", "line_items": [{"sku": "A"}]}));
    }
}
