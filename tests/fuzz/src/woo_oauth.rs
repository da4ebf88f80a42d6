//! Target `woo_oauth`: woo-sim's OAuth 1.0a verifier (`auth::authenticate`, as
//! `WC_REST_Authentication` checks a request over plain HTTP) against the agent's signer
//! (`adapter::woo::oauth1::signed_query_at`, what the agent sends). The input is four
//! newline-separated fields: a method, a query string, a form body and an `Authorization` header.
//!
//! Properties:
//! - any request (query, form, header as sent) gives a caller, anonymity, or a 401 with
//!   WooCommerce's code — never a panic;
//! - the agent's signature over the query's parameters (names WordPress keeps as they are) is
//!   accepted, once: the same request again is a replayed nonce;
//! - a single-byte change of the signed query that changes the parameters PHP sees is refused.

use ml_connector_agent::adapter::woo::oauth1::signed_query_at;
use woo_sim::auth::php_query::{self, PhpValue};
use woo_sim::auth::{authenticate, KeyStore, RequestAuth};

use crate::input::{combine, fields, hash, outcome, Outcome};

const CONSUMER_KEY: &str = "ck_4f1c2b0e9d8a7f6e5d4c3b2a1908f7e6d5c4b3a2";
const CONSUMER_SECRET: &str = "cs_0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b";
const BASE_URI: &str = "http://shop.example/wp-json/wc/v3/orders";
/// The simulator's clock for every request: 2026-11-28T10:00:00Z.
const NOW: i64 = 1_795_860_000;

pub fn run(data: &[u8]) -> Outcome {
    let [method, query, form, authorization] = fields::<4>(data);
    let keys = key_store();
    let (query_params, form_params) = (php_query::parse(&query), php_query::parse(&form));
    let authorization = Some(authorization.as_str()).filter(|a| !a.is_empty());
    let as_sent = verify(&keys, &method, &query_params, &form_params, authorization);
    let method = ["GET", "POST", "PUT", "DELETE"][usize::from(data.first().copied().unwrap_or(0) % 4)];
    let signed = signed_round_trip(method, &query, data);
    combine(&[as_sent, signed])
}

fn key_store() -> KeyStore {
    let keys = KeyStore::default();
    keys.add(1, "ml-connector", "read_write", CONSUMER_KEY, CONSUMER_SECRET);
    keys
}

fn verify(keys: &KeyStore, method: &str, query: &[(String, PhpValue)], form: &[(String, PhpValue)], authorization: Option<&str>) -> Outcome {
    let request = RequestAuth { tls: false, key_route: true, method, base_uri: BASE_URI.to_string(), query, form, authorization, now: NOW };
    match authenticate(keys, &request) {
        Ok(Some(caller)) => hash(&caller.key_id),
        Ok(None) => 1,
        Err(error) => {
            assert_eq!(error.status, 401, "{error:?}");
            assert!(error.code.starts_with("woocommerce_rest_"), "{error:?}");
            outcome(&error.message)
        }
    }
}

/// Parameters from `name=value` pairs of the text, as the agent would pass them: names WordPress
/// reads back unchanged (PHP turns `.`, ` ` and `[` in a name into something else), no `oauth_*`
/// names, each name once (PHP keeps only the last of a repeated name).
fn agent_params(query: &str) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let keeps_name = !name.is_empty() && !name.contains(['.', ' ', '[', '\0']) && !name.starts_with("oauth_");
        if keeps_name && !params.iter().any(|(n, _)| n == name) {
            params.push((name.to_string(), value.to_string()));
        }
    }
    params
}

fn signed_round_trip(method: &str, query: &str, data: &[u8]) -> Outcome {
    let params = agent_params(query);
    let nonce = format!("{:032x}", u128::from(hash(data)) << 64 | u128::from(hash(&data.len())));
    let signed = signed_query_at(method, BASE_URI, &params, CONSUMER_KEY, CONSUMER_SECRET, &nonce, &NOW.to_string());
    let parsed = php_query::parse(&signed);
    let keys = key_store();
    let accepted = authenticate(&keys, &request(method, &parsed));
    assert!(matches!(accepted, Ok(Some(_))), "the agent's signed request {method} {BASE_URI}?{signed} is refused: {accepted:?}");
    let replayed = authenticate(&keys, &request(method, &parsed));
    assert!(replayed.as_ref().is_err_and(|e| e.message.contains("nonce")), "a replayed request is not refused: {replayed:?}");

    let choices: Vec<u8> = data.iter().rev().take(16).copied().collect();
    for pair in choices.chunks(2) {
        let at = usize::from(pair[0]) * signed.len() / 256;
        let with = pair.get(1).copied().unwrap_or(b'A') & 0x7f;
        let mut changed = signed.clone().into_bytes();
        if changed[at] == with {
            continue;
        }
        changed[at] = with;
        let Ok(changed) = String::from_utf8(changed) else { continue };
        let seen = php_query::parse(&changed);
        // `%2B` and `%2b` are one parameter to PHP: a change PHP does not see is no change.
        if seen == parsed {
            continue;
        }
        let result = authenticate(&key_store(), &request(method, &seen));
        assert!(!matches!(result, Ok(Some(_))), "byte {at} of {signed} changed to {with:#04x} is still accepted");
    }
    hash(&params.len())
}

fn request<'a>(method: &'a str, query: &'a [(String, PhpValue)]) -> RequestAuth<'a> {
    RequestAuth { tls: false, key_route: true, method, base_uri: BASE_URI.to_string(), query, form: &[], authorization: None, now: NOW }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_params_keep_names_php_reads_back() {
        let params = agent_params("per_page=10&a.b=1&c[d]=2&per_page=11&oauth_nonce=x&=v&modified_after=2026-11-28T10:00:00");
        assert_eq!(params, vec![("per_page".to_string(), "10".to_string()), ("modified_after".into(), "2026-11-28T10:00:00".into())]);
    }

    #[test]
    fn a_signed_listing_is_accepted_once() {
        run(b"\x00GET\nper_page=100&page=2&orderby=id\n\n");
    }
}
