//! OAuth 1.0a one-legged verification as `WC_REST_Authentication` does it over plain HTTP:
//! parameters from the query, a form body and an `Authorization: OAuth` header (merged in that
//! order); base string `METHOD&rawurlencode(home URL + path)&params` where params are sorted by
//! key (`strcmp`), RFC 3986-encoded, joined with `=`, encoded *again*, joined with `%26`; signing
//! key `consumer_secret&`; HMAC-SHA1 or HMAC-SHA256; base64.

use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::php_query::{urldecode, PhpValue};

/// PHP `rawurlencode`: everything but `A-Za-z0-9-_.~`.
const RAW: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

pub fn rawurlencode(text: &str) -> String {
    utf8_percent_encode(text, RAW).to_string()
}

pub const REQUIRED: [&str; 5] =
    ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method"];

/// `parse_header()`: `oauth_*` pairs of an `Authorization: OAuth ...` header, url-decoded.
pub fn parse_header(header: &str) -> Vec<(String, PhpValue)> {
    let header = header.trim();
    let Some(rest) = header.strip_prefix("OAuth ") else { return Vec::new() };
    let mut out: Vec<(String, PhpValue)> = Vec::new();
    // Same shape as WooCommerce's regex: (oauth_[a-z_-]*)=(:?"([^"]*)"|([^,]*))
    let mut text = rest;
    while let Some(at) = text.find("oauth_") {
        text = &text[at..];
        let name_len = text["oauth_".len()..]
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || *b == b'_' || *b == b'-')
            .count()
            + "oauth_".len();
        let name = &text[..name_len];
        let after = &text[name_len..];
        let Some(after_eq) = after.strip_prefix('=') else {
            text = after;
            continue;
        };
        let (value, consumed) = if let Some(quoted) = after_eq.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], end + 2),
                None => {
                    let end = after_eq.find(',').unwrap_or(after_eq.len());
                    (&after_eq[..end], end)
                }
            }
        } else {
            let end = after_eq.find(',').unwrap_or(after_eq.len());
            (&after_eq[..end], end)
        };
        let value = urldecode(value);
        match out.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = PhpValue::Str(value),
            None => out.push((name.to_string(), PhpValue::Str(value))),
        }
        text = &after_eq[consumed.min(after_eq.len())..];
    }
    out
}

/// `array_merge`: later sources overwrite earlier keys (keeping their first position).
pub fn merge(sources: &[&[(String, PhpValue)]]) -> Vec<(String, PhpValue)> {
    let mut merged: Vec<(String, PhpValue)> = Vec::new();
    for source in sources {
        for (key, value) in source.iter() {
            match merged.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = value.clone(),
                None => merged.push((key.clone(), value.clone())),
            }
        }
    }
    merged
}

fn join(params: &[(String, PhpValue)], prefix: Option<&str>, out: &mut Vec<String>) {
    for (key, value) in params {
        let key = rawurlencode(key);
        let key = match prefix {
            Some(prefix) => format!("{prefix}%5B{key}%5D"),
            None => key,
        };
        match value {
            PhpValue::Arr(inner) => join(inner, Some(&key), out),
            PhpValue::Str(value) => out.push(rawurlencode(&format!("{key}={}", rawurlencode(value)))),
        }
    }
}

/// The string to sign. `params` must not contain `oauth_signature`.
pub fn base_string(method: &str, base_uri: &str, params: &[(String, PhpValue)]) -> String {
    let mut sorted: Vec<(String, PhpValue)> = params.to_vec();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut pairs = Vec::with_capacity(sorted.len());
    join(&sorted, None, &mut pairs);
    format!("{}&{}&{}", method.to_uppercase(), rawurlencode(base_uri), pairs.join("%26"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    Sha1,
    Sha256,
}

impl Algorithm {
    pub fn parse(method: &str) -> Option<Self> {
        match method {
            "HMAC-SHA1" => Some(Algorithm::Sha1),
            "HMAC-SHA256" => Some(Algorithm::Sha256),
            _ => None,
        }
    }
}

pub fn sign(algorithm: Algorithm, base: &str, consumer_secret: &str) -> String {
    use base64::Engine;
    let key = format!("{consumer_secret}&");
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail; an empty signature
    // would only ever fail the comparison.
    let raw = match algorithm {
        Algorithm::Sha1 => Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes())
            .map(|mac| mac.chain_update(base.as_bytes()).finalize().into_bytes().to_vec())
            .unwrap_or_default(),
        Algorithm::Sha256 => Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
            .map(|mac| mac.chain_update(base.as_bytes()).finalize().into_bytes().to_vec())
            .unwrap_or_default(),
    };
    base64::engine::general_purpose::STANDARD.encode(raw)
}

/// Constant-time comparison (`hash_equals`).
pub fn hash_equals(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_authorization_header() {
        let parsed = parse_header(r#"OAuth realm="x", oauth_consumer_key="ck_1", oauth_nonce=abc, oauth_signature="a%2Bb%3D""#);
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[2].1, PhpValue::Str("a+b=".into()));
    }

    #[test]
    fn base_string_double_encodes_pairs() {
        let params = vec![("b".to_string(), PhpValue::Str("x y".into())), ("a".to_string(), PhpValue::Str("1".into()))];
        let base = base_string("get", "http://shop.example/wp-json/wc/v3/orders", &params);
        assert_eq!(base, "GET&http%3A%2F%2Fshop.example%2Fwp-json%2Fwc%2Fv3%2Forders&a%3D1%26b%3Dx%2520y");
    }
}
