//! OData wire details both NAV adapters share: literal escaping in `$filter`, the error body
//! `{"error":{"code","message"}}`, collection envelopes, and following `@odata.nextLink`.

use serde::Deserialize;

/// A string literal for `$filter`: single quotes doubled, then the whole value URL-encoded.
pub fn quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Percent-encodes a query option value.
pub fn encode(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, QUERY).to_string()
}

const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'(')
    .remove(b')')
    .remove(b',');

/// Reads BC's error body; the correlation id suffix is kept (support asks for it).
pub fn parse_error(body: &str) -> (String, String) {
    #[derive(Deserialize)]
    struct Envelope {
        error: Inner,
    }
    #[derive(Deserialize)]
    struct Inner {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_str::<Envelope>(body) {
        Ok(e) => (e.error.code, e.error.message.trim().to_string()),
        Err(_) => (String::new(), crate::adapter::http::preview(body)),
    }
}

#[derive(Debug, Deserialize)]
pub struct Collection<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink", default)]
    pub next_link: Option<String>,
}

/// A weak ETag as BC sends it in JSON (`W/"..."`), used verbatim in `If-Match`.
pub fn etag_of(entity: &serde_json::Value) -> Option<String> {
    entity.get("@odata.etag").and_then(|v| v.as_str()).map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_and_encodes() {
        assert_eq!(quoted("O'Brien"), "'O''Brien'");
        assert_eq!(encode("email eq 'a+b@x.example'"), "email%20eq%20%27a%2Bb%40x.example%27");
    }

    #[test]
    fn reads_bc_error_bodies() {
        let (code, message) = parse_error(r#"{"error":{"code":"Application_DialogException","message":"Item does not exist.  CorrelationId:  abc."}}"#);
        assert_eq!(code, "Application_DialogException");
        assert!(message.starts_with("Item does not exist."));
        assert_eq!(parse_error("<html>gateway</html>").1, "<html>gateway</html>");
    }
}
