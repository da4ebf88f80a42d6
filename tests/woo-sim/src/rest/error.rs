//! WordPress REST errors: `{"code","message","data":{"status",...}}` with the codes WooCommerce
//! and WordPress use.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// Boxed: errors travel through every handler's `Result`, and the body is large.
#[derive(Clone, Debug)]
pub struct RestError(Box<RestErrorBody>);

#[derive(Clone, Debug)]
pub struct RestErrorBody {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Extra keys of `data` besides `status`.
    pub data: Map<String, Value>,
    /// Add `WWW-Authenticate: Basic` (failed Basic authentication).
    pub challenge: bool,
}

impl std::ops::Deref for RestError {
    type Target = RestErrorBody;
    fn deref(&self) -> &RestErrorBody {
        &self.0
    }
}

impl std::ops::DerefMut for RestError {
    fn deref_mut(&mut self) -> &mut RestErrorBody {
        &mut self.0
    }
}

impl RestError {
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        Self(Box::new(RestErrorBody { status, code: code.to_string(), message: message.to_string(), data: Map::new(), challenge: false }))
    }

    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.data.insert(key.to_string(), value);
        self
    }

    pub fn basic_challenge(mut self) -> Self {
        self.challenge = true;
        self
    }

    pub fn no_route() -> Self {
        Self::new(404, "rest_no_route", "No route was found matching the URL and request method.")
    }

    /// One or more invalid parameters, each with its reason.
    pub fn invalid_params(problems: &[(String, String)]) -> Self {
        let names: Vec<&str> = problems.iter().map(|(n, _)| n.as_str()).collect();
        let params: Map<String, Value> = problems.iter().map(|(n, m)| (n.clone(), Value::String(m.clone()))).collect();
        Self::new(400, "rest_invalid_param", &format!("Invalid parameter(s): {}", names.join(", "))).with("params", Value::Object(params))
    }

    pub fn missing_params(names: &[&str]) -> Self {
        Self::new(400, "rest_missing_callback_param", &format!("Missing parameter(s): {}", names.join(", ")))
            .with("params", json!(names))
    }

    pub fn to_json(&self) -> Value {
        let mut data = Map::new();
        data.insert("status".into(), json!(self.status));
        for (k, v) in &self.data {
            data.insert(k.clone(), v.clone());
        }
        json!({"code": self.code, "message": self.message, "data": data})
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = super::json_response(status, &self.to_json());
        if self.challenge {
            response.headers_mut().insert(
                "www-authenticate",
                HeaderValue::from_static(
                    "Basic realm=\"WooCommerce API. Use a consumer key in the username field and a consumer secret in the password field.\"",
                ),
            );
        }
        response
    }
}

/// The 401 (no user) or 403 (user without the capability) of a permission callback.
pub fn not_allowed(authenticated: bool, code: &str, message: &str) -> RestError {
    RestError::new(if authenticated { 403 } else { 401 }, code, message)
}
