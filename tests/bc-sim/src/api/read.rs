//! GET: the service document, `companies`, collections with server-driven paging
//! (`Prefer: odata.maxpagesize`, `@odata.nextLink`), single entities and single-valued
//! navigations, each with its `@odata.context`.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::rows::{check_parent, company_row, find, rows, BoxRow};
use super::{Address, Reply, Request, Resolved};
use crate::config::Limits;
use crate::entities::{all_sets, api_set};
use crate::error::{ApiError, ApiResult};
use crate::odata::listing::{entity_json, page};
use crate::odata::query::{parse_query, Query};
use crate::store::Store;

/// Page size from `Prefer: odata.maxpagesize=N`; above the maximum BC answers 413.
pub fn page_size(req: &Request, limits: &Limits) -> ApiResult<usize> {
    let Some(prefer) = req.header("prefer") else { return Ok(limits.max_page_size) };
    for preference in prefer.split(',') {
        let Some((name, value)) = preference.split_once('=') else { continue };
        if !name.trim().eq_ignore_ascii_case("odata.maxpagesize") {
            continue;
        }
        let size: usize = value.trim().trim_matches('"').parse().map_err(|_| {
            ApiError::bad_request(format!("The value '{}' of odata.maxpagesize is not valid.", value.trim()))
        })?;
        if size == 0 {
            return Err(ApiError::bad_request("The value '0' of odata.maxpagesize is not valid."));
        }
        if size > limits.max_page_size {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "BadRequest_RequestEntityTooLarge",
                format!("The requested page size {size} exceeds the maximum page size of {}.", limits.max_page_size),
            ));
        }
        return Ok(size);
    }
    Ok(limits.max_page_size)
}

/// `…/$metadata#<context>` with a `$select` list, as OData writes it.
fn context(req: &Request, path: &str, query: &Query, entity: bool) -> String {
    let select = match &query.select {
        Some(props) => format!("({})", props.iter().map(|p| p.name).collect::<Vec<_>>().join(",")),
        None => String::new(),
    };
    let suffix = if entity { "/$entity" } else { "" };
    format!("{}/$metadata#{path}{select}{suffix}", req.root)
}

fn entity_body(req: &Request, path: &str, query: &Query, row: &BoxRow<'_>) -> ApiResult<Value> {
    let mut body = Map::new();
    body.insert("@odata.context".into(), Value::String(context(req, path, query, true)));
    body.extend(entity_json(row, query)?);
    Ok(Value::Object(body))
}

/// An entity as POST/PATCH/GET return it, with its `ETag` header.
pub fn entity_reply(
    req: &Request,
    path: &str,
    query: &Query,
    row: &BoxRow<'_>,
    status: StatusCode,
) -> ApiResult<Reply> {
    let mut reply = Reply::json(status, entity_body(req, path, query, row)?);
    reply.headers.push(("etag", row.etag()));
    Ok(reply)
}

fn collection_reply(req: &Request, path: &str, query: &Query, result: crate::odata::listing::Page) -> Value {
    let mut body = Map::new();
    body.insert("@odata.context".into(), Value::String(context(req, path, query, false)));
    if let Some(count) = result.count {
        body.insert("@odata.count".into(), json!(count));
    }
    body.insert("value".into(), Value::Array(result.rows));
    if let Some(token) = result.next {
        let link = format!("{}/{}?{}", req.root, req.path.trim_start_matches('/'), req.query.with_skiptoken(&token));
        body.insert("@odata.nextLink".into(), Value::String(link));
    }
    Value::Object(body)
}

fn service_document(req: &Request) -> Reply {
    let sets: Vec<Value> =
        all_sets().iter().map(|s| json!({ "name": s.name, "kind": "EntitySet", "url": s.name })).collect();
    Reply::json(StatusCode::OK, json!({ "@odata.context": format!("{}/$metadata", req.root), "value": sets }))
}

pub fn get(store: &Store, req: &Request, resolved: &Resolved, limits: &Limits) -> ApiResult<Reply> {
    match resolved {
        Resolved::ServiceDocument => Ok(service_document(req)),
        Resolved::Metadata | Resolved::Batch | Resolved::Subscriptions(_) => {
            Err(ApiError::method_not_allowed("GET", &req.path, "Collection"))
        }
        Resolved::Companies(key) => {
            let def = &crate::entities::companies::COMPANIES;
            let query = parse_query(def, &req.query, &api_set)?;
            match key {
                Some(id) => {
                    let company = store.company(*id).ok_or_else(|| ApiError::company_not_found(&id.to_string()))?;
                    entity_reply(req, "companies", &query, &company_row(company), StatusCode::OK)
                }
                None => {
                    let size = page_size(req, limits)?;
                    let result = page(&query, size, false, |_| store.companies.iter().map(company_row))?;
                    Ok(Reply::json(StatusCode::OK, collection_reply(req, "companies", &query, result)))
                }
            }
        }
        Resolved::Entity(address) => get_entity_set(store, req, address, limits),
    }
}

fn get_entity_set(store: &Store, req: &Request, address: &Address, limits: &Limits) -> ApiResult<Reply> {
    let co = store.company(address.company).ok_or_else(|| ApiError::company_not_found(&address.company.to_string()))?;
    if address.action.is_some() {
        return Err(ApiError::method_not_allowed("GET", &req.path, "Action"));
    }
    if let Some(nav) = address.nav {
        let target = api_set(nav.target).ok_or_else(|| ApiError::resource_not_found(nav.name))?;
        let query = parse_query(target, &req.query, &api_set)?;
        let id = address.key.ok_or_else(|| ApiError::syntax("Bad Request - Error in query syntax."))?;
        let row = find(co, address, id)?;
        let value = row.expand(nav, &query)?;
        return match value {
            Value::Object(map) => {
                let mut body = Map::new();
                body.insert("@odata.context".into(), Value::String(context(req, &address.context, &query, true)));
                body.extend(map);
                Ok(Reply::json(StatusCode::OK, Value::Object(body)))
            }
            _ => Ok(Reply::no_content()),
        };
    }
    let query = parse_query(address.set, &req.query, &api_set)?;
    check_parent(co, address)?;
    match address.key {
        Some(id) => {
            let row = find(co, address, id)?;
            entity_reply(req, &address.context, &query, &row, StatusCode::OK)
        }
        None => {
            let size = page_size(req, limits)?;
            let (_, positioned) = rows(co, address, &query, None)?;
            let result = page(&query, size, positioned, |after| {
                rows(co, address, &query, after).map(|(r, _)| r).unwrap_or_else(|_| Box::new(std::iter::empty()))
            })?;
            Ok(Reply::json(StatusCode::OK, collection_reply(req, &address.context, &query, result)))
        }
    }
}
