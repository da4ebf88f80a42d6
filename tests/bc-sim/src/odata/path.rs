//! Resource paths: `companies(<guid>)/salesOrders(<guid>)/salesOrderLines`,
//! `subscriptions('<id>')`, `SalesOrder(Document_Type='Order',No='S-ORD101001')`. Segments are
//! split on `/` before percent-decoding, then each is `name` or `name(<key>)`.

use percent_encoding::percent_decode_str;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    pub name: String,
    /// Text between the parentheses, decoded.
    pub key: Option<String>,
}

/// Splits a path (relative to the service root) into segments.
pub fn segments(path: &str) -> ApiResult<Vec<Segment>> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|raw| {
            let text = percent_decode_str(raw).decode_utf8_lossy().into_owned();
            match text.find('(') {
                None => Ok(Segment { name: text, key: None }),
                Some(open) if text.ends_with(')') => Ok(Segment {
                    name: text[..open].to_string(),
                    key: Some(text[open + 1..text.len() - 1].to_string()),
                }),
                Some(_) => Err(ApiError::syntax("Bad Request - Error in query syntax.")),
            }
        })
        .collect()
}

/// An unquoted GUID key: `customers(5d115c9c-44e3-ea11-bb43-000d3a2feca1)`.
pub fn guid_key(key: &str) -> ApiResult<Uuid> {
    let key = key.trim();
    if key.starts_with('\'') || key.len() != 36 {
        return Err(ApiError::syntax("Bad Request - Error in query syntax."));
    }
    Uuid::parse_str(key).map_err(|_| ApiError::syntax("Bad Request - Error in query syntax."))
}

/// A quoted string key: `subscriptions('abc')`, `Customer('10000')`; `''` is a quote.
pub fn string_key(key: &str) -> ApiResult<String> {
    let key = key.trim();
    unquote(key).ok_or_else(|| ApiError::syntax("Bad Request - Error in query syntax."))
}

fn unquote(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// `Document_Type='Order',No='101005'` → pairs; values are quoted strings or integers.
pub fn named_keys(key: &str) -> ApiResult<Vec<(String, String)>> {
    let error = || ApiError::syntax("Bad Request - Error in query syntax.");
    let mut out = Vec::new();
    let mut rest = key.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=').ok_or_else(error)?;
        let after = after.trim_start();
        let (value, remainder) = if after.starts_with('\'') {
            // Find the closing quote that is not doubled.
            let bytes = after.as_bytes();
            let mut i = 1;
            let end = loop {
                match bytes.get(i) {
                    None => return Err(error()),
                    Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    Some(b'\'') => break i,
                    Some(_) => i += 1,
                }
            };
            (unquote(&after[..=end]).ok_or_else(error)?, &after[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            let number = after[..end].trim();
            if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '-') {
                return Err(error());
            }
            (number.to_string(), &after[end..])
        };
        out.push((name.trim().to_string(), value));
        rest = remainder.trim_start();
        if let Some(next) = rest.strip_prefix(',') {
            rest = next.trim_start();
            if rest.is_empty() {
                return Err(error());
            }
        } else if !rest.is_empty() {
            return Err(error());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_keys_with_quotes_and_numbers() {
        let keys = named_keys("Document_Type='Order',Document_No='O''1',Line_No=10000").unwrap();
        assert_eq!(keys[1], ("Document_No".to_string(), "O'1".to_string()));
        assert_eq!(keys[2], ("Line_No".to_string(), "10000".to_string()));
    }

    #[test]
    fn segments_decode_after_splitting() {
        let segs = segments("Company('CRONUS%20International%20Ltd.')/Customer").unwrap();
        assert_eq!(segs[0].key.as_deref(), Some("'CRONUS International Ltd.'"));
        assert_eq!(segs[1].name, "Customer");
    }
}
