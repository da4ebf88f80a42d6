//! `POST /{tenant}/oauth2/v2.0/token`: the Microsoft Entra ID client-credentials grant as BC
//! online clients use it, with Entra's error shape (`error`, `error_description` starting with
//! the AADSTS code and ending with trace/correlation ids, `error_codes`, …).

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use chrono::Utc;
use percent_encoding::percent_decode_str;
use serde_json::json;
use uuid::Uuid;

use super::Tokens;
use crate::config::SCOPE;

/// What the token endpoint checks against.
pub struct Directory<'a> {
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
}

fn aad_error(status: StatusCode, error: &str, code: u32, description: &str) -> Response {
    let trace = Uuid::new_v4();
    let correlation = Uuid::new_v4();
    let now = Utc::now();
    let body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {}",
            now.format("%Y-%m-%d %H:%M:%SZ")
        ),
        "error_codes": [code],
        "timestamp": now.format("%Y-%m-%d %H:%M:%SZ").to_string(),
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, Json(body)).into_response()
}

fn missing(parameter: &str) -> Response {
    aad_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        &format!("The request body must contain the following parameter: '{parameter}'."),
    )
}

/// Client id and secret from HTTP Basic (RFC 6749 §2.3.1: each part form-encoded).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
    Some((decode(id), decode(secret)))
}

/// Handles one token request.
pub fn token(directory: &Directory<'_>, tokens: &Tokens, tenant: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    if !tenant.eq_ignore_ascii_case(directory.tenant) {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        );
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let Some(grant_type) = field("grant_type") else { return missing("grant_type") };
    if grant_type != "client_credentials" {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            &format!("The app requested an unsupported grant type '{grant_type}'."),
        );
    }
    let basic = basic_credentials(headers);
    let client_id = field("client_id").map(str::to_string).or_else(|| basic.as_ref().map(|(id, _)| id.clone()));
    let Some(client_id) = client_id else { return missing("client_id") };
    if client_id != directory.client_id {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        );
    }
    let secret = field("client_secret").map(str::to_string).or_else(|| basic.map(|(_, secret)| secret));
    let Some(secret) = secret else {
        return aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        );
    };
    if secret != directory.client_secret {
        return aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            &format!(
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
            ),
        );
    }
    let Some(scope) = field("scope") else { return missing("scope") };
    if scope != SCOPE {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            &format!("The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."),
        );
    }
    let (access_token, expires_in) = tokens.issue(&client_id, directory.tenant);
    tracing::debug!(client_id = %client_id, "token issued");
    Json(json!({
        "token_type": "Bearer",
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": access_token,
    }))
    .into_response()
}
