//! API v2.0 (`…/api/v2.0/…`), online and on-premises: one request is resolved to a resource
//! (service document, `$metadata`, `$batch`, `companies`, an entity set under a company, an
//! entity, a navigation, a bound action) and executed against the store. Execution is
//! synchronous and lock-agnostic so that `$batch` can run many requests under one lock.

pub mod batch;
pub mod metadata;
pub mod read;
pub mod rows;
pub mod write;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use uuid::Uuid;

use crate::config::Limits;
use crate::entities::{all_sets, documents, lines};
use crate::error::{odata_headers, ApiError, ApiResult};
use crate::odata::path::{guid_key, segments, Segment};
use crate::odata::query::QueryString;
use crate::odata::schema::{Nav, SetDef};
use crate::store::sales::DocKind;
use crate::store::Store;

/// One request to the API, independent of HTTP (a `$batch` builds these from its JSON).
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    /// Path below the service root, as sent (percent-encoded).
    pub path: String,
    pub query: QueryString,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Absolute URL of the service root (`http://host/v2.0/<tenant>/<env>/api/v2.0`).
    pub root: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// An answer before it becomes HTTP.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Value>,
}

impl Reply {
    pub fn json(status: StatusCode, body: Value) -> Self {
        Self { status, headers: Vec::new(), body: Some(body) }
    }

    pub fn no_content() -> Self {
        Self { status: StatusCode::NO_CONTENT, headers: Vec::new(), body: None }
    }

    pub fn error(error: &ApiError) -> Self {
        let mut headers = Vec::new();
        if let Some(seconds) = error.retry_after {
            headers.push(("retry-after", seconds.to_string()));
        }
        Self { status: error.status, headers, body: Some(error.body()) }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Some(body) => (self.status, axum::Json(body)).into_response(),
            None => self.status.into_response(),
        };
        odata_headers(&mut response);
        if self.status == StatusCode::NO_CONTENT {
            response.headers_mut().remove(header::CONTENT_TYPE);
        }
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, value);
            }
        }
        response
    }
}

/// The entity a nested collection hangs under.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Parent {
    Doc(DocKind, Uuid),
    Line(DocKind, Uuid),
    Item(Uuid),
    Dimension(Uuid),
}

/// A resource under a company.
#[derive(Clone, Debug)]
pub struct Address {
    pub company: Uuid,
    pub set: &'static SetDef,
    pub parent: Option<Parent>,
    pub key: Option<Uuid>,
    pub action: Option<String>,
    /// A single-valued navigation at the end of the path (`salesOrders(<id>)/customer`).
    pub nav: Option<&'static Nav>,
    /// Path for `@odata.context` (`companies(<c>)/salesOrders(<id>)/salesOrderLines`).
    pub context: String,
}

#[derive(Clone, Debug)]
pub enum Resolved {
    ServiceDocument,
    Metadata,
    Batch,
    Subscriptions(Option<String>),
    Companies(Option<Uuid>),
    Entity(Address),
}

/// Entity sets that live under a company.
fn company_set(name: &str) -> Option<&'static SetDef> {
    all_sets().into_iter().find(|s| s.name == name && s.name != "companies" && s.name != "subscriptions")
}

fn parent_of(set: &SetDef, key: Uuid) -> Option<Parent> {
    if let Some(kind) = documents::kind_of(set.name) {
        return Some(Parent::Doc(kind, key));
    }
    if let Some(kind) = lines::kind_of(set.name) {
        return Some(Parent::Line(kind, key));
    }
    match set.name {
        "items" => Some(Parent::Item(key)),
        "dimensions" => Some(Parent::Dimension(key)),
        _ => None,
    }
}

/// The company a request names: `companies(<id>)` in the path, `?company=` or a `Company`
/// header (id or name). Without one, BC answers `Internal_CompanyNotFound`.
fn company_from(store: &Store, req: &Request) -> ApiResult<Uuid> {
    let named = req.query.get("company").map(str::to_string).or_else(|| req.header("company").map(str::to_string));
    let Some(named) = named else { return Err(ApiError::no_default_company()) };
    store
        .companies
        .iter()
        .find(|c| c.id.to_string().eq_ignore_ascii_case(named.trim_matches(['{', '}'])) || c.name == named)
        .map(|c| c.id)
        .ok_or_else(|| ApiError::company_not_found(&named))
}

/// Resolves the path of a request.
pub fn resolve(store: &Store, req: &Request) -> ApiResult<Resolved> {
    let segs = segments(&req.path)?;
    let Some(first) = segs.first() else { return Ok(Resolved::ServiceDocument) };
    let (company, rest) = match first.name.as_str() {
        "$metadata" if segs.len() == 1 => return Ok(Resolved::Metadata),
        "$batch" if segs.len() == 1 => return Ok(Resolved::Batch),
        "subscriptions" if segs.len() == 1 => {
            let key = first.key.as_deref().map(crate::odata::path::string_key).transpose()?;
            return Ok(Resolved::Subscriptions(key));
        }
        "companies" => {
            let Some(key) = &first.key else {
                if segs.len() > 1 {
                    return Err(ApiError::syntax("Bad Request - Error in query syntax."));
                }
                return Ok(Resolved::Companies(None));
            };
            let id = guid_key(key)?;
            if store.company(id).is_none() {
                return Err(ApiError::company_not_found(&id.to_string()));
            }
            if segs.len() == 1 {
                return Ok(Resolved::Companies(Some(id)));
            }
            (id, &segs[1..])
        }
        _ => (company_from(store, req)?, &segs[..]),
    };
    walk(company, rest).map(Resolved::Entity)
}

fn walk(company: Uuid, segs: &[Segment]) -> ApiResult<Address> {
    let first = &segs[0];
    let set = company_set(&first.name).ok_or_else(|| ApiError::resource_not_found(&first.name))?;
    let mut address = Address {
        company,
        set,
        parent: None,
        key: first.key.as_deref().map(guid_key).transpose()?,
        action: None,
        nav: None,
        context: format!("companies({company})/{}", first.name),
    };
    for (index, seg) in segs.iter().enumerate().skip(1) {
        let last = index == segs.len() - 1;
        let Some(key) = address.key else {
            return Err(ApiError::syntax("Bad Request - Error in query syntax."));
        };
        if address.nav.is_some() || address.action.is_some() {
            return Err(ApiError::resource_not_found(&seg.name));
        }
        if let Some(action) = seg.name.strip_prefix("Microsoft.NAV.") {
            if !last || seg.key.is_some() {
                return Err(ApiError::resource_not_found(&seg.name));
            }
            address.action = Some(action.to_string());
            continue;
        }
        let nav = address.set.nav(&seg.name).ok_or_else(|| ApiError::resource_not_found(&seg.name))?;
        address.context = format!("{}({key})/{}", address.context, seg.name);
        if !nav.many {
            if !last || seg.key.is_some() {
                return Err(ApiError::resource_not_found(&seg.name));
            }
            address.nav = Some(nav);
            continue;
        }
        let parent = parent_of(address.set, key).ok_or_else(|| ApiError::resource_not_found(&seg.name))?;
        address.parent = Some(parent);
        address.set = company_set(nav.target).ok_or_else(|| ApiError::resource_not_found(&seg.name))?;
        address.key = seg.key.as_deref().map(guid_key).transpose()?;
    }
    Ok(address)
}

/// Runs a resolved request that is not a subscription (those need the network).
pub fn execute(store: &mut Store, req: &Request, resolved: &Resolved, limits: &Limits) -> ApiResult<Reply> {
    match (resolved, &req.method) {
        (Resolved::Batch, _) => Err(ApiError::bad_request("A $batch request cannot contain another $batch.")),
        (_, &Method::GET) => read::get(store, req, resolved, limits),
        (Resolved::Entity(address), _) => write::write(store, req, address),
        (Resolved::Companies(key), method) => Err(ApiError::method_not_allowed(
            method.as_str(),
            "companies",
            if key.is_some() { "Entity" } else { "Collection" },
        )),
        (_, method) => Err(ApiError::method_not_allowed(method.as_str(), &req.path, "Collection")),
    }
}
