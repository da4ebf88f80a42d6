//! BC's error answers: `{"error":{"code":"<Category>_<Detail>","message":"<text>  CorrelationId:  <guid>."}}`
//! with the HTTP status BC uses for each code, plus constructors for the messages the simulator
//! shares between the API and the page web services. Codes and texts follow the reference
//! (§5.6); where it marks one **unconfirmed**, the constructor says which choice was made.

use std::borrow::Cow;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use uuid::Uuid;

/// An error as BC reports it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
    /// Seconds for a `retry-after` header (BC sends one on 502 and 503).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self { status, code: code.into(), message: message.into(), retry_after: None }
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Malformed body or value.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// URL/query syntax errors: BC reports them as `BadRequest_NotFound` (400).
    pub fn syntax(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest_NotFound", message)
    }

    /// An AL `Error()` — most business validation.
    pub fn dialog(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Application_DialogException", message)
    }

    /// An AL `TestField` failure.
    pub fn field_validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Application_FieldValidationException", message)
    }

    pub fn resource_not_found(segment: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "BadRequest_ResourceNotFound",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    /// A record looked up by its key is missing. The reference leaves the code of a 404 on GET
    /// unconfirmed; `Internal_RecordNotFound` is the one BC uses for record lookups.
    pub fn record_not_found(table: &str, fields: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Internal_RecordNotFound",
            format!("The {table} does not exist. Identification fields and values: {fields}"),
        )
    }

    /// Same text as `record_not_found`, raised while validating a write (HTTP 400).
    pub fn related_record_missing(table: &str, fields: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Internal_RecordNotFound",
            format!("The {table} does not exist. Identification fields and values: {fields}"),
        )
    }

    /// A value that is not in the related table.
    pub fn table_relation(field: &str, table: &str, value: &str, related: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Internal_InvalidTableRelation",
            format!(
                "The field {field} of table {table} contains a value ({value}) that cannot be found in the related table ({related})."
            ),
        )
    }

    /// Duplicate primary key. HTTP status 409 is **unconfirmed** in the reference.
    pub fn already_exists(table: &str, fields: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "Internal_EntityWithSameKeyExists",
            format!("The {table} already exists. Identification fields and values: {fields}"),
        )
    }

    pub fn method_not_allowed(method: &str, segment: &str, edm_kind: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadRequest_MethodNotAllowed",
            format!(
                "'{method}' requests for '{segment}' of EdmType '{edm_kind}' are not allowed within Dynamics 365 Business Central OData web services."
            ),
        )
    }

    pub fn missing_if_match() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest_InvalidToken",
            "Could not validate the client concurrency token required by the service. Please provide a valid token in the client request.",
        )
    }

    pub fn entity_changed() -> Self {
        Self::new(StatusCode::CONFLICT, "Request_EntityChanged", "Another user has already changed the record.")
    }

    pub fn string_too_long(value: &str, max: usize) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Application_StringExceededLength",
            format!(
                "The length of the string is {}, but it must be less than or equal to {max} characters. Value: {value}",
                value.chars().count()
            ),
        )
    }

    /// Writing a read-only property. The exact code is **unconfirmed**; BC's error table uses
    /// `BadRequest_InvalidOperation` "Control '…' is read-only" for this.
    pub fn read_only(property: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadRequest_InvalidOperation", format!("Control '{property}' is read-only."))
    }

    pub fn unknown_property(property: &str, type_name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!(
                "The property '{property}' does not exist on type '{type_name}'. Make sure to only use property names that are defined by the type."
            ),
        )
    }

    /// A value that is not a member of the property's enum (code `Unknown`, as in BC's batch sample).
    pub fn not_an_option(value: &str, captions: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Unknown",
            format!("'{value}' is not an option. The existing options are: {captions}"),
        )
    }

    pub fn required(property: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BadRequest_RequiredParamNotProvided",
            format!("Field '{property}' must not be blank or empty."),
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Authentication_InvalidCredentials",
            "The server has rejected the client credentials.",
        )
    }

    pub fn company_not_found(company: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Internal_CompanyNotFound", format!("The company '{company}' does not exist."))
    }

    /// No company in the URL, the query or the `Company` header, and more than one to choose from.
    pub fn no_default_company() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "Internal_CompanyNotFound",
            "Cannot process the request because the default company cannot be found. You can specify a default company in the service configuration file, or specify one for each tenant, or you can add a query string in the form of \"company=[name]\". You can see the available companies by accessing the default OData web service, Company. For more information, see \"OData Web Services\" in Help",
        )
    }

    /// The error body with a fresh correlation id.
    pub fn body(&self) -> serde_json::Value {
        json!({ "error": { "code": self.code, "message": with_correlation_id(&self.message) } })
    }
}

/// Appends BC's correlation suffix (two spaces before and after `CorrelationId:`).
pub fn with_correlation_id(message: &str) -> String {
    format!("{message}  CorrelationId:  {}.", Uuid::new_v4())
}

/// Headers every OData answer carries.
pub fn odata_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; odata.metadata=minimal"));
    headers.insert("odata-version", HeaderValue::from_static("4.0"));
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        odata_headers(&mut response);
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"\", error=\"invalid_token\""),
            );
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
