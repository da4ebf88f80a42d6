//! `$batch` in JSON: up to 100 inner requests run in order under one lock. BC stops at the first
//! failing request unless `Prefer: odata.continue-on-error` is sent; with `Isolation: snapshot`
//! the whole batch is one transaction — on a failure every change is rolled back, while the
//! responses still show the statuses of the requests that ran (as in BC's documented sample).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{execute, resolve, Reply, Request, Resolved};
use crate::config::Limits;
use crate::error::{ApiError, ApiResult};
use crate::odata::query::QueryString;
use crate::store::Store;

#[derive(Deserialize)]
struct Batch {
    requests: Vec<Inner>,
}

#[derive(Deserialize)]
struct Inner {
    method: String,
    #[serde(default)]
    id: Value,
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
}

/// Number of operations in a batch body (for throttling), 1 when it cannot be read.
pub fn operation_count(body: &[u8]) -> u32 {
    serde_json::from_slice::<Batch>(body).map(|b| b.requests.len().max(1) as u32).unwrap_or(1)
}

fn inner_request(outer: &Request, inner: &Inner) -> ApiResult<Request> {
    let method = Method::from_bytes(inner.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| ApiError::bad_request(format!("The method '{}' is not valid.", inner.method)))?;
    let url = inner.url.strip_prefix(&outer.root).unwrap_or(&inner.url);
    let url = url.trim_start_matches('/');
    let (path, query) = match url.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (url, None),
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &inner.headers {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    }
    let body = match &inner.body {
        Some(body) => Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        None => Bytes::new(),
    };
    Ok(Request {
        method,
        path: path.to_string(),
        query: QueryString::parse(query),
        headers,
        body,
        root: outer.root.clone(),
    })
}

fn response_entry(id: &Value, reply: Reply) -> Value {
    let mut headers = Map::new();
    if reply.body.is_some() {
        headers.insert("content-type".into(), json!("application/json; odata.metadata=minimal"));
        headers.insert("odata-version".into(), json!("4.0"));
    }
    for (name, value) in &reply.headers {
        headers.insert((*name).to_string(), json!(value));
    }
    let mut entry = Map::new();
    entry.insert("id".into(), id.clone());
    entry.insert("status".into(), json!(reply.status.as_u16()));
    entry.insert("headers".into(), Value::Object(headers));
    if let Some(body) = reply.body {
        entry.insert("body".into(), body);
    }
    Value::Object(entry)
}

fn run_inner(store: &mut Store, outer: &Request, inner: &Inner, limits: &Limits) -> ApiResult<Reply> {
    let request = inner_request(outer, inner)?;
    match resolve(store, &request)? {
        Resolved::Subscriptions(_) | Resolved::Metadata | Resolved::Batch => {
            Err(ApiError::bad_request(format!("The request '{}' cannot be part of a $batch request.", inner.url)))
        }
        resolved => execute(store, &request, &resolved, limits),
    }
}

/// Runs a `$batch` request.
pub fn run(store: &mut Store, outer: &Request, limits: &Limits) -> ApiResult<Reply> {
    if outer.method != Method::POST {
        return Err(ApiError::method_not_allowed(outer.method.as_str(), "$batch", "Collection"));
    }
    let content_type = outer.header("content-type").unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BadRequest",
            format!("The content type '{content_type}' is not supported for $batch. Use 'application/json'."),
        ));
    }
    let batch: Batch =
        serde_json::from_slice(&outer.body).map_err(|_| ApiError::bad_request("Invalid Request Body"))?;
    if batch.requests.len() > limits.max_batch_operations {
        return Err(ApiError::bad_request(format!(
            "The batch request contains {} operations; at most {} are allowed.",
            batch.requests.len(),
            limits.max_batch_operations
        )));
    }
    let snapshot = outer.header("isolation").is_some_and(|v| v.trim().eq_ignore_ascii_case("snapshot"));
    let continue_on_error =
        outer.header("prefer").is_some_and(|v| v.to_ascii_lowercase().contains("odata.continue-on-error"));
    let backup = snapshot.then(|| store.clone());
    let mut responses = Vec::new();
    let mut failed = false;
    for inner in &batch.requests {
        let reply = match run_inner(store, outer, inner, limits) {
            Ok(reply) => reply,
            Err(error) => Reply::error(&error),
        };
        let failure = reply.status.as_u16() >= 400;
        responses.push(response_entry(&inner.id, reply));
        if failure {
            failed = true;
            if !continue_on_error || snapshot {
                break;
            }
        }
    }
    if let (true, Some(backup)) = (failed, backup) {
        *store = backup;
    }
    Ok(Reply::json(StatusCode::OK, json!({ "responses": responses })))
}
