//! REST API keys and `WC_REST_Authentication`: which method is tried when, and every failure
//! with WooCommerce's code and message (reference sections 4 and 9).
//!
//! - Over HTTPS: `consumer_key`/`consumer_secret` in the query (checked first) or HTTP Basic.
//! - Otherwise, or when that found nothing: OAuth 1.0a one-legged. Over plain HTTP a Basic
//!   header is simply not looked at: the request is anonymous and the endpoint answers 401
//!   `woocommerce_rest_cannot_view`.
//! - Only for URLs containing `/wp-json/wc/`: `?rest_route=` requests never authenticate by key.
//! - Then the key's permission (`read`, `write`, `read_write`) against the method.

pub mod oauth1;
pub mod php_query;

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use rand::Rng;

use crate::model::ApiKey;
use crate::rest::error::RestError;
use php_query::PhpValue;

/// The OAuth timestamp window and nonce lifetime.
const WINDOW_SECS: i64 = 15 * 60;

/// `wc_api_hash()`: `hash_hmac('sha256', $key, 'wc-api')`.
pub fn api_hash(consumer_key: &str) -> String {
    Hmac::<sha2::Sha256>::new_from_slice(b"wc-api")
        .map(|mac| hex::encode(mac.chain_update(consumer_key.as_bytes()).finalize().into_bytes()))
        .unwrap_or_default()
}

/// `ck_` + 40 hex, `cs_` + 40 hex, as `wc_rand_hash()` makes them.
pub fn generate_pair() -> (String, String) {
    let mut rng = rand::thread_rng();
    let ck: [u8; 20] = rng.gen();
    let cs: [u8; 20] = rng.gen();
    (format!("ck_{}", hex::encode(ck)), format!("cs_{}", hex::encode(cs)))
}

/// A key that authenticated: the request runs as its user.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: i64,
    pub key_id: i64,
    pub permissions: String,
}

/// A key's recent nonces: a set to look up, a queue by timestamp to expire.
#[derive(Default)]
struct Nonces {
    seen: std::collections::HashSet<String>,
    by_time: std::collections::VecDeque<(i64, String)>,
}

#[derive(Default)]
struct KeyState {
    keys: HashMap<String, ApiKey>,
    /// Per key id: nonces seen in the last 15 minutes.
    nonces: HashMap<i64, Nonces>,
    next_id: i64,
}

/// The `woocommerce_api_keys` table.
#[derive(Default)]
pub struct KeyStore {
    state: Mutex<KeyState>,
}

impl KeyStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, KeyState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores a key for a user; the plain consumer key is only returned to the caller.
    pub fn add(&self, user_id: i64, description: &str, permissions: &str, consumer_key: &str, consumer_secret: &str) -> ApiKey {
        let mut state = self.lock();
        state.next_id += 1;
        let key = ApiKey {
            key_id: state.next_id,
            user_id,
            description: description.to_string(),
            permissions: permissions.to_string(),
            consumer_key_hash: api_hash(consumer_key),
            consumer_secret: consumer_secret.to_string(),
            truncated_key: consumer_key.chars().rev().take(7).collect::<Vec<_>>().into_iter().rev().collect(),
            last_access: None,
        };
        state.keys.insert(key.consumer_key_hash.clone(), key.clone());
        key
    }

    pub fn list(&self) -> Vec<ApiKey> {
        let mut keys: Vec<ApiKey> = self.lock().keys.values().cloned().collect();
        keys.sort_by_key(|k| k.key_id);
        keys
    }

    pub fn remove(&self, key_id: i64) -> bool {
        let mut state = self.lock();
        let before = state.keys.len();
        state.keys.retain(|_, k| k.key_id != key_id);
        state.nonces.remove(&key_id);
        before != state.keys.len()
    }

    /// Deleting a user deletes their keys (`wc_delete_user_data`).
    pub fn remove_user(&self, user_id: i64) {
        self.lock().keys.retain(|_, k| k.user_id != user_id);
    }

    pub fn clear(&self) {
        *self.lock() = KeyState::default();
    }

    fn find(&self, consumer_key: &str) -> Option<ApiKey> {
        self.lock().keys.get(&api_hash(consumer_key)).cloned()
    }

    fn touch(&self, key_id: i64, now: i64) {
        if let Some(key) = self.lock().keys.values_mut().find(|k| k.key_id == key_id) {
            key.last_access = Some(now);
        }
    }

    /// Records the nonce; false when it was already used with this key within the window.
    /// (WooCommerce keys its list by timestamp, so two nonces with one timestamp overwrite each
    /// other there; we keep every nonce — the stricter behaviour.)
    fn use_nonce(&self, key_id: i64, timestamp: i64, nonce: &str, now: i64) -> bool {
        let mut state = self.lock();
        let nonces = state.nonces.entry(key_id).or_default();
        if nonces.seen.contains(nonce) {
            return false;
        }
        // Timestamps arrive roughly in order; expire from the front.
        while nonces.by_time.front().is_some_and(|(ts, _)| *ts < now - WINDOW_SECS) {
            if let Some((_, old)) = nonces.by_time.pop_front() {
                nonces.seen.remove(&old);
            }
        }
        nonces.seen.insert(nonce.to_string());
        nonces.by_time.push_back((timestamp, nonce.to_string()));
        true
    }
}

/// What the authentication step saw of a request.
pub struct RequestAuth<'a> {
    pub tls: bool,
    /// The URL contains `/wp-json/wc/`: only then are keys looked at.
    pub key_route: bool,
    /// Real HTTP method (the signature uses it even with `_method` overrides).
    pub method: &'a str,
    /// The site's home URL (scheme forced by `tls`) joined with the request path.
    pub base_uri: String,
    pub query: &'a [(String, PhpValue)],
    pub form: &'a [(String, PhpValue)],
    pub authorization: Option<&'a str>,
    pub now: i64,
}

fn auth_error(message: &str) -> RestError {
    RestError::new(401, "woocommerce_rest_authentication_error", message)
}

/// Decides who is calling: `Ok(None)` = anonymous, `Err` = the 401 WooCommerce answers.
pub fn authenticate(keys: &KeyStore, request: &RequestAuth<'_>) -> Result<Option<Caller>, RestError> {
    if !request.key_route {
        return Ok(None);
    }
    let mut pending_error = None;
    if request.tls {
        match basic(keys, request) {
            Ok(Some(caller)) => return finish(keys, request, caller),
            Ok(None) => {}
            Err(error) => pending_error = Some(error),
        }
    }
    match oauth(keys, request) {
        Ok(Some(caller)) => finish(keys, request, caller),
        Ok(None) => match pending_error {
            Some(error) => Err(error),
            None => Ok(None),
        },
        Err(error) => Err(error),
    }
}

/// `check_user_permissions` on `rest_pre_dispatch`: the key's permission against the method.
fn finish(keys: &KeyStore, request: &RequestAuth<'_>, caller: Caller) -> Result<Option<Caller>, RestError> {
    let permissions = caller.permissions.as_str();
    match request.method {
        "GET" | "HEAD" if permissions != "read" && permissions != "read_write" => {
            Err(auth_error("The API key provided does not have read permissions."))
        }
        "POST" | "PUT" | "PATCH" | "DELETE" if permissions != "write" && permissions != "read_write" => {
            Err(auth_error("The API key provided does not have write permissions."))
        }
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => {
            keys.touch(caller.key_id, request.now);
            Ok(Some(caller))
        }
        _ => Err(auth_error("Unknown request method.")),
    }
}

fn basic(keys: &KeyStore, request: &RequestAuth<'_>) -> Result<Option<Caller>, RestError> {
    let query = |name: &str| request.query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let (key, secret) = match (query("consumer_key"), query("consumer_secret")) {
        (Some(k), Some(s)) => (k.to_string(), s.to_string()),
        _ => match request.authorization.and_then(basic_credentials) {
            Some(pair) => pair,
            None => return Ok(None),
        },
    };
    if key.is_empty() || secret.is_empty() {
        return Ok(None);
    }
    let Some(found) = keys.find(&key) else { return Ok(None) };
    if !oauth1::hash_equals(&found.consumer_secret, &secret) {
        return Err(auth_error("Consumer secret is invalid.").basic_challenge());
    }
    Ok(Some(Caller { user_id: found.user_id, key_id: found.key_id, permissions: found.permissions }))
}

fn basic_credentials(header: &str) -> Option<(String, String)> {
    use base64::Engine;
    let encoded = header.trim().strip_prefix("Basic ").or_else(|| header.trim().strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

fn oauth(keys: &KeyStore, request: &RequestAuth<'_>) -> Result<Option<Caller>, RestError> {
    let header = request.authorization.map(oauth1::parse_header).unwrap_or_default();
    let params = oauth1::merge(&[request.query, request.form, &header]);
    let value = |name: &str| params.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    let missing: Vec<&str> = oauth1::REQUIRED.iter().copied().filter(|name| value(name).is_none()).collect();
    if missing.len() == oauth1::REQUIRED.len() {
        return Ok(None);
    }
    if !missing.is_empty() {
        let noun = if missing.len() == 1 { "parameter" } else { "parameters" };
        return Err(RestError::new(
            401,
            "woocommerce_rest_authentication_missing_parameter",
            &format!("Missing OAuth {noun} {}", missing.join(", ")),
        ));
    }
    let consumer_key = value("oauth_consumer_key").unwrap_or_default();
    let Some(key) = keys.find(consumer_key) else { return Err(auth_error("Consumer key is invalid.")) };
    let sent_signature = urldecode_raw(&value("oauth_signature").unwrap_or_default().replace(' ', "+"));
    let signed: Vec<(String, PhpValue)> = params.iter().filter(|(k, _)| k != "oauth_signature").cloned().collect();
    let base = oauth1::base_string(request.method, &request.base_uri, &signed);
    let Some(algorithm) = value("oauth_signature_method").and_then(oauth1::Algorithm::parse) else {
        return Err(auth_error("Invalid signature - signature method is invalid."));
    };
    if !oauth1::hash_equals(&oauth1::sign(algorithm, &base, &key.consumer_secret), &sent_signature) {
        return Err(auth_error("Invalid signature - provided signature does not match."));
    }
    let timestamp = value("oauth_timestamp").and_then(|t| t.trim().parse::<i64>().ok());
    let Some(timestamp) = timestamp.filter(|t| (request.now - WINDOW_SECS..=request.now + WINDOW_SECS).contains(t)) else {
        return Err(auth_error("Invalid timestamp."));
    };
    if !keys.use_nonce(key.key_id, timestamp, value("oauth_nonce").unwrap_or_default(), request.now) {
        return Err(auth_error("Invalid nonce - nonce has already been used."));
    }
    Ok(Some(Caller { user_id: key.user_id, key_id: key.key_id, permissions: key.permissions }))
}

/// `rawurldecode` (no `+` handling: the caller turned spaces into `+` first, as WooCommerce does).
fn urldecode_raw(text: &str) -> String {
    percent_encoding::percent_decode(text.as_bytes()).decode_utf8_lossy().into_owned()
}
