//! Who is calling: Bearer tokens issued by the simulated Entra ID token endpoint (BC online),
//! or Basic authentication with a user's web service access key (on-premises). Tokens expire
//! after their lifetime and can be revoked or expired on demand, to test a connector's token
//! refresh mid-run. Secrets never reach logs or error messages.

pub mod entra;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::HeaderMap;
use base64::Engine;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

struct Token {
    client_id: String,
    tenant: String,
    expires: DateTime<Utc>,
}

/// Issued access tokens.
pub struct Tokens {
    issued: Mutex<HashMap<String, Token>>,
    ttl: Mutex<Duration>,
}

impl Tokens {
    pub fn new(ttl: Duration) -> Self {
        Self { issued: Mutex::new(HashMap::new()), ttl: Mutex::new(ttl) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Token>> {
        self.issued.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn ttl(&self) -> Duration {
        *self.ttl.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_ttl(&self, ttl: Duration) {
        *self.ttl.lock().unwrap_or_else(|p| p.into_inner()) = ttl;
    }

    /// A new token for a client: a JWT-shaped string whose `exp` matches the lifetime.
    pub fn issue(&self, client_id: &str, tenant: &str) -> (String, u64) {
        let ttl = self.ttl();
        let now = Utc::now();
        let expires = now + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::seconds(3599));
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"typ":"JWT","alg":"RS256","kid":"bc-sim"}"#);
        let payload = b64.encode(
            serde_json::json!({
                "aud": "https://api.businesscentral.dynamics.com",
                "iss": format!("https://sts.windows.net/{tenant}/"),
                "iat": now.timestamp(),
                "nbf": now.timestamp(),
                "exp": expires.timestamp(),
                "appid": client_id,
                "tid": tenant,
                "roles": ["API.ReadWrite.All"],
                "jti": Uuid::new_v4(),
            })
            .to_string(),
        );
        let signature = b64.encode(Uuid::new_v4().as_bytes());
        let token = format!("{header}.{payload}.{signature}");
        let mut issued = self.lock();
        issued.retain(|_, t| t.expires > now - chrono::Duration::hours(1));
        issued.insert(token.clone(), Token { client_id: client_id.to_string(), tenant: tenant.to_string(), expires });
        (token, ttl.as_secs())
    }

    /// The client a valid token was issued to, for the tenant in the URL.
    pub fn validate(&self, token: &str, tenant: &str) -> ApiResult<String> {
        let issued = self.lock();
        match issued.get(token) {
            Some(t) if t.expires > Utc::now() && t.tenant.eq_ignore_ascii_case(tenant) => Ok(t.client_id.clone()),
            _ => Err(ApiError::unauthorized()),
        }
    }

    /// Every token issued so far stops working (as after a secret rotation).
    pub fn revoke_all(&self) -> usize {
        let mut issued = self.lock();
        let count = issued.len();
        issued.clear();
        count
    }

    /// Every token issued so far is past its expiry.
    pub fn expire_all(&self) -> usize {
        let mut issued = self.lock();
        let past = Utc::now() - chrono::Duration::seconds(1);
        for token in issued.values_mut() {
            token.expires = past;
        }
        issued.len()
    }
}

/// The caller of an online request (Bearer token).
pub fn bearer_user(tokens: &Tokens, headers: &HeaderMap, tenant: &str) -> ApiResult<String> {
    let value = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized());
    }
    tokens.validate(token.trim(), tenant)
}

/// The caller of an on-premises request (Basic with the web service access key). NAV user
/// names are not case-sensitive; keys are.
pub fn basic_user(headers: &HeaderMap, user: &str, key: &str) -> ApiResult<String> {
    let value = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(ApiError::unauthorized());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(ApiError::unauthorized)?;
    let (given_user, given_key) = decoded.split_once(':').ok_or_else(ApiError::unauthorized)?;
    if given_user.eq_ignore_ascii_case(user) && given_key == key {
        Ok(user.to_string())
    } else {
        Err(ApiError::unauthorized())
    }
}
