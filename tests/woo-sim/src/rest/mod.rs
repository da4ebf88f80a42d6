//! The REST API at `/wp-json/wc/v3/...` as WordPress serves it: authentication first (keys only
//! on `/wp-json/wc/` URLs), then the route (`rest_no_route`), then the JSON body and parameter
//! validation, then the endpoint's permission check, then the handler. Responses are encoded
//! like `wp_json_encode` and carry the pagination and `Location` headers.

pub mod batch;
pub mod customers;
pub mod error;
pub mod list;
pub mod notes;
pub mod orders;
pub mod params;
pub mod products;
pub mod refunds;
pub mod webhooks;
pub mod writes;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::app::Sim;
use crate::auth::php_query::{self, PhpValue};
use crate::auth::{self, Caller, RequestAuth};
use crate::render::Context;
use error::RestError;
use params::Params;

/// The header the agent puts on its own writes.
pub const AGENT_HEADER: &str = "x-ml-connector-origin";

/// Which listener a request came in on.
#[derive(Clone, Copy)]
pub struct Transport {
    pub tls: bool,
}

/// A successful answer.
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
    /// `_fields` of the request.
    pub fields: Option<Vec<String>>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Self { status: 200, body, headers: Vec::new(), fields: None }
    }

    pub fn created(body: Value, location: String) -> Self {
        Self { status: 201, body, headers: vec![("location".into(), location)], fields: None }
    }
}

pub type Outcome = Result<Reply, RestError>;

/// One REST call after authentication and routing.
pub struct Call {
    pub sim: Arc<Sim>,
    pub method: Method,
    pub params: Params,
    pub caller: Option<Caller>,
    pub agent: bool,
    /// Raw query pairs (for `Link` headers).
    pub query: Vec<(String, PhpValue)>,
    /// `/wc/v3/...` route of the call, without trailing slash.
    pub route: String,
}

impl Call {
    /// The permission callback: 401 without a user, 403 for a user who may not manage the shop.
    pub fn require(&self, code: &str, message: &str) -> Result<i64, RestError> {
        let store = self.sim.read();
        self.require_in(&store, code, message)
    }

    /// `require` while the caller already holds the store lock.
    pub fn require_in(&self, store: &crate::model::StoreData, code: &str, message: &str) -> Result<i64, RestError> {
        let Some(caller) = &self.caller else { return Err(error::not_allowed(false, code, message)) };
        match store.users.get(&caller.user_id) {
            Some(user) if user.can_manage_shop() => Ok(user.id),
            _ => Err(error::not_allowed(true, code, message)),
        }
    }

    pub fn context(&mut self) -> Context {
        match self.params.one_of("context", &["view", "edit"], "view").as_str() {
            "edit" => Context::Edit,
            _ => Context::View,
        }
    }

    /// `rest_url()` of a route, on the site's home URL.
    pub fn rest_url(&self, route: &str) -> String {
        format!("{}/wp-json{}", self.sim.home.url, route)
    }
}

pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, crate::json::php_encode(body)).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json; charset=UTF-8"));
    response
}

/// The axum entry point for everything that is not `/_sim/`.
pub async fn handle(State((sim, transport)): State<(Arc<Sim>, Transport)>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, 64 * 1024 * 1024).await {
        Ok(bytes) => bytes,
        Err(_) => return RestError::new(413, "rest_request_too_large", "Request body too large.").into_response(),
    };
    match serve(sim, transport, parts.method, parts.uri, parts.headers, body).await {
        Ok(reply) => {
            let fields = reply.fields;
            let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
            let body = match fields {
                Some(fields) => crate::json::filter_fields(reply.body, &fields),
                None => reply.body,
            };
            let mut response = json_response(status, &body);
            for (name, value) in reply.headers {
                if let (Ok(name), Ok(value)) = (axum::http::HeaderName::try_from(name), HeaderValue::try_from(value)) {
                    response.headers_mut().append(name, value);
                }
            }
            response
        }
        Err(error) => error.into_response(),
    }
}

async fn serve(sim: Arc<Sim>, transport: Transport, method: Method, uri: axum::http::Uri, headers: HeaderMap, body: Bytes) -> Outcome {
    let path = uri.path().to_string();
    let raw_query = uri.query().unwrap_or("").to_string();
    let query = php_query::parse(&raw_query);
    let query_value = |name: &str| query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.as_str()).map(str::to_string);
    let home_prefix = sim.home.path.clone();
    let local_path = path.strip_prefix(&home_prefix).filter(|p| p.starts_with('/')).unwrap_or(&path).to_string();
    // Key authentication only looks at URLs containing `wp-json/wc/` (or `wc-`).
    let (route, key_route) = if let Some(route) = local_path.strip_prefix("/wp-json") {
        (route.to_string(), path.contains("/wp-json/wc/") || path.contains("/wp-json/wc-"))
    } else if (local_path == "/" || local_path.is_empty()) && query_value("rest_route").is_some() {
        (query_value("rest_route").unwrap_or_default(), false)
    } else {
        return Err(RestError::new(404, "rest_no_route", "No route was found matching the URL and request method."));
    };
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let form = if content_type.starts_with("application/x-www-form-urlencoded") {
        php_query::parse(&String::from_utf8_lossy(&body))
    } else {
        Vec::new()
    };
    let authorization = headers.get("authorization").and_then(|v| v.to_str().ok());
    let now = crate::clock::now();
    let real_method = method.as_str().to_string();
    let request_auth = RequestAuth {
        tls: transport.tls,
        key_route,
        method: &real_method,
        base_uri: sim.home.base_uri(transport.tls, &path),
        query: &query,
        form: &form,
        authorization,
        now,
    };
    let caller = auth::authenticate(&sim.keys, &request_auth)?;
    // `_method` / `X-HTTP-Method-Override` on POST.
    let override_header = headers.get("x-http-method-override").and_then(|v| v.to_str().ok()).map(str::to_string);
    let method = match (method == Method::POST, query_value("_method").or(override_header)) {
        (true, Some(over)) => Method::from_bytes(over.to_uppercase().as_bytes()).unwrap_or(method),
        _ => method,
    };
    let route = route.trim_end_matches('/').to_string();
    let route = if route.is_empty() { "/".to_string() } else { route };
    let mut merged = Map::new();
    for (k, v) in &query {
        merged.insert(k.clone(), v.to_json());
    }
    for (k, v) in &form {
        merged.insert(k.clone(), v.to_json());
    }
    let json_body = content_type.starts_with("application/json") && !body.is_empty();
    let agent = headers.get(AGENT_HEADER).and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("agent"));
    let fields = query_value("_fields");
    let mut call = Call { sim, method, params: Params::new(merged), caller, agent, query, route: route.clone() };
    let handler = route_of(&call.method, &route).ok_or_else(RestError::no_route)?;
    if json_body {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => {
                for (k, v) in map {
                    call.params.merged.insert(k, v);
                }
            }
            Ok(_) => {}
            Err(_) => return Err(RestError::new(400, "rest_invalid_json", "Invalid JSON body passed.").with("json_error_code", json!(4)).with("json_error_message", json!("Syntax error"))),
        }
    }
    let mut reply = handler.run(&mut call).await?;
    reply.fields = fields.map(|f| f.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect());
    Ok(reply)
}

/// The routes of `wc/v3` this store registers.
enum Handler {
    Index,
    SystemStatus,
    Orders(orders::Route),
    Refunds(refunds::Route),
    Notes(notes::Route),
    Products(products::Route),
    Customers(customers::Route),
    Webhooks(webhooks::Route),
}

impl Handler {
    async fn run(self, call: &mut Call) -> Outcome {
        match self {
            Handler::Index => Ok(Reply::ok(json!({"namespace": "wc/v3", "routes": {}}))),
            Handler::SystemStatus => system_status(call),
            Handler::Orders(route) => orders::run(call, route).await,
            Handler::Refunds(route) => refunds::run(call, route).await,
            Handler::Notes(route) => notes::run(call, route).await,
            Handler::Products(route) => products::run(call, route).await,
            Handler::Customers(route) => customers::run(call, route).await,
            Handler::Webhooks(route) => webhooks::run(call, route).await,
        }
    }
}

fn id(segment: &str) -> Option<i64> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse().ok()
}

fn route_of(method: &Method, route: &str) -> Option<Handler> {
    let rest = route.strip_prefix("/wc/v3")?;
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let m = method.as_str();
    let read = m == "GET" || m == "HEAD";
    let write = matches!(m, "POST" | "PUT" | "PATCH");
    let delete = m == "DELETE";
    use Handler as H;
    Some(match segments.as_slice() {
        [] if read => H::Index,
        ["system_status"] if read => H::SystemStatus,
        ["orders"] if read => H::Orders(orders::Route::List),
        ["orders"] if m == "POST" => H::Orders(orders::Route::Create),
        ["orders", "batch"] if write => H::Orders(orders::Route::Batch),
        ["orders", o] => {
            let o = id(o)?;
            match () {
                _ if read => H::Orders(orders::Route::Get(o)),
                _ if write => H::Orders(orders::Route::Update(o)),
                _ if delete => H::Orders(orders::Route::Delete(o)),
                _ => return None,
            }
        }
        ["orders", o, "notes"] => {
            let o = id(o)?;
            if read {
                H::Notes(notes::Route::List(o))
            } else if m == "POST" {
                H::Notes(notes::Route::Create(o))
            } else {
                return None;
            }
        }
        ["orders", o, "notes", n] => {
            let (o, n) = (id(o)?, id(n)?);
            if read {
                H::Notes(notes::Route::Get(o, n))
            } else if delete {
                H::Notes(notes::Route::Delete(o, n))
            } else {
                return None;
            }
        }
        ["orders", o, "refunds"] => {
            let o = id(o)?;
            if read {
                H::Refunds(refunds::Route::List(Some(o)))
            } else if m == "POST" {
                H::Refunds(refunds::Route::Create(o))
            } else {
                return None;
            }
        }
        ["orders", o, "refunds", r] => {
            let (o, r) = (id(o)?, id(r)?);
            if read {
                H::Refunds(refunds::Route::Get(o, r))
            } else if delete {
                H::Refunds(refunds::Route::Delete(o, r))
            } else {
                return None;
            }
        }
        ["refunds"] if read => H::Refunds(refunds::Route::List(None)),
        ["products"] if read => H::Products(products::Route::List),
        ["products"] if m == "POST" => H::Products(products::Route::Create),
        ["products", "batch"] if write => H::Products(products::Route::Batch),
        ["products", p] => {
            let p = id(p)?;
            match () {
                _ if read => H::Products(products::Route::Get(p)),
                _ if write => H::Products(products::Route::Update(p)),
                _ if delete => H::Products(products::Route::Delete(p)),
                _ => return None,
            }
        }
        ["products", p, "variations"] => {
            let p = id(p)?;
            if read {
                H::Products(products::Route::Variations(p))
            } else if m == "POST" {
                H::Products(products::Route::CreateVariation(p))
            } else {
                return None;
            }
        }
        ["products", p, "variations", "batch"] if write => H::Products(products::Route::BatchVariations(id(p)?)),
        ["products", p, "variations", v] => {
            let (p, v) = (id(p)?, id(v)?);
            match () {
                _ if read => H::Products(products::Route::GetVariation(p, v)),
                _ if write => H::Products(products::Route::UpdateVariation(p, v)),
                _ if delete => H::Products(products::Route::DeleteVariation(p, v)),
                _ => return None,
            }
        }
        ["customers"] if read => H::Customers(customers::Route::List),
        ["customers"] if m == "POST" => H::Customers(customers::Route::Create),
        ["customers", "batch"] if write => H::Customers(customers::Route::Batch),
        ["customers", c] => {
            let c = id(c)?;
            match () {
                _ if read => H::Customers(customers::Route::Get(c)),
                _ if write => H::Customers(customers::Route::Update(c)),
                _ if delete => H::Customers(customers::Route::Delete(c)),
                _ => return None,
            }
        }
        ["webhooks"] if read => H::Webhooks(webhooks::Route::List),
        ["webhooks"] if m == "POST" => H::Webhooks(webhooks::Route::Create),
        ["webhooks", "batch"] if write => H::Webhooks(webhooks::Route::Batch),
        ["webhooks", w] => {
            let w = id(w)?;
            match () {
                _ if read => H::Webhooks(webhooks::Route::Get(w)),
                _ if write => H::Webhooks(webhooks::Route::Update(w)),
                _ if delete => H::Webhooks(webhooks::Route::Delete(w)),
                _ => return None,
            }
        }
        _ => return None,
    })
}

fn system_status(call: &mut Call) -> Outcome {
    call.require("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")?;
    let store = call.sim.read();
    Ok(Reply::ok(json!({
        "environment": {
            "home_url": call.sim.home.url,
            "site_url": call.sim.home.url,
            "version": crate::WOOCOMMERCE_VERSION,
            "wp_version": crate::WORDPRESS_VERSION,
            "wp_cron": true,
        },
        "settings": {
            "currency": store.options.currency,
            "api_enabled": true,
            "woocommerce_manage_stock": if store.options.manage_stock { "yes" } else { "no" },
        },
        "database": {"wc_database_version": crate::WOOCOMMERCE_VERSION},
    })))
}
