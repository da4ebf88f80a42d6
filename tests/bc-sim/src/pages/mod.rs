//! NAV / BC page web services over OData V4 (`…/ODataV4/…`): `Company`, the Customer Card,
//! the Item Card (with `Location_Filter`/`Variant_Filter` FlowFilters), the Sales Order with its
//! lines containment, and the Ship-to Address card (keyed by customer number and code). The company comes from `Company('<name>')` in the path or `?company=`
//! (the only company when there is one). Same data store as the API: an order created through
//! the API is the page's `SalesOrder`.

pub mod defs;
pub mod rows;
pub mod write;

use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use uuid::Uuid;

pub use defs::PageDefs;
use rows::{CompanyPage, CustomerPage, DocumentPage, ItemPage, LinePage, ShipToPage};

use crate::api::read::page_size;
use crate::api::write::{body_of, check_if_match};
use crate::api::{Reply, Request};
use crate::entities::{items, Ctx};
use crate::error::{ApiError, ApiResult};
use crate::odata::listing::{entity_json, page, Page, Row};
use crate::odata::path::{named_keys, segments, string_key, Segment};
use crate::odata::query::{parse_query, Query};
use crate::odata::schema::SetDef;
use crate::sales::{headers, lines};
use crate::server::Sim;
use crate::store::sales::DocKind;
use crate::store::{Company, Store};

type PageRow<'a> = Box<dyn Row + 'a>;

/// What a page request addresses.
enum Target {
    ServiceDocument,
    Companies(Option<String>),
    Page { company: Uuid, def: &'static SetDef, key: Option<String>, order: Option<String>, context: String },
}

/// Expands the service names of the configuration into lookups.
fn resolve(sim: &Sim, store: &Store, req: &Request) -> ApiResult<Target> {
    let segs = segments(&req.path)?;
    let Some(first) = segs.first() else { return Ok(Target::ServiceDocument) };
    let (company, rest, prefix): (Uuid, &[Segment], String) = if first.name == "Company" {
        let name = first.key.as_deref().map(string_key).transpose()?;
        let Some(name) = name else {
            if segs.len() > 1 {
                return Err(ApiError::syntax("Bad Request - Error in query syntax."));
            }
            return Ok(Target::Companies(None));
        };
        if segs.len() == 1 {
            return Ok(Target::Companies(Some(name)));
        }
        let co = store.companies.iter().find(|c| c.name == name).ok_or_else(|| ApiError::company_not_found(&name))?;
        (co.id, &segs[1..], format!("Company('{}')/", encode_name(&name)))
    } else {
        let co = match req.query.get("company") {
            Some(name) => {
                store.companies.iter().find(|c| c.name == name).ok_or_else(|| ApiError::company_not_found(name))?
            }
            None if store.companies.len() == 1 => &store.companies[0],
            None => return Err(ApiError::no_default_company()),
        };
        (co.id, &segs[..], String::new())
    };
    let defs = &sim.pages;
    let service = &rest[0];
    let def = defs
        .by_name(&service.name)
        .filter(|d| d.name != "Company")
        .ok_or_else(|| ApiError::resource_not_found(&service.name))?;
    let mut context = format!("{prefix}{}", service.name);
    match rest {
        [_] => Ok(Target::Page { company, def, key: service.key.clone(), order: None, context }),
        [header, nested] if defs.document(def.name).is_some_and(|(h, lines, ..)| h.name == def.name && lines.is_some_and(|l| l.name == nested.name)) => {
            let key = header.key.clone().ok_or_else(|| ApiError::syntax("Bad Request - Error in query syntax."))?;
            let lines = defs.by_name(&nested.name).ok_or_else(|| ApiError::resource_not_found(&nested.name))?;
            context = format!("{context}({key})/{}", nested.name);
            Ok(Target::Page { company, def: lines, key: nested.key.clone(), order: Some(key), context })
        }
        _ => Err(ApiError::resource_not_found(&rest[rest.len() - 1].name)),
    }
}

/// A company name as it appears in a URL key: quotes doubled, then percent-encoded.
fn encode_name(name: &str) -> String {
    const SET: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_').remove(b'~').remove(b'\'');
    percent_encoding::utf8_percent_encode(&name.replace('\'', "''"), SET).to_string()
}

/// Reads one key value out of a page key (`'10000'` or `No='10000'`).
fn key_value(key: &str, name: &str) -> ApiResult<String> {
    if key.trim_start().starts_with('\'') {
        return string_key(key);
    }
    named_keys(key)?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
        .ok_or_else(|| ApiError::syntax("Bad Request - Error in query syntax."))
}

/// The document a key names: `SalesOrder(Document_Type='Order',No='…')`,
/// `SalesCreditMemo(Document_Type='Credit Memo',No='…')`, `PostedSalesInvoice('…')`.
fn document_id(co: &Company, kind: DocKind, posted: bool, key: &str) -> ApiResult<Uuid> {
    let (document_type, number) = if posted {
        (None, key_value(key, "No")?)
    } else {
        let keys = named_keys(key)?;
        let value = |name: &str| keys.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let (Some(document_type), Some(number)) = (value("Document_Type"), value("No")) else {
            return Err(ApiError::syntax("Bad Request - Error in query syntax."));
        };
        (Some(document_type), number)
    };
    let wanted = match kind {
        DocKind::Order => "Order",
        DocKind::CreditMemo => "Credit Memo",
        DocKind::Invoice => "Invoice",
        DocKind::Shipment => "Shipment",
    };
    let found = co.docs(kind).by_number(&number).filter(|d| d.posted == posted);
    match (found, document_type) {
        (Some(doc), None) => Ok(doc.id),
        (Some(doc), Some(t)) if t == wanted => Ok(doc.id),
        (_, Some(t)) => Err(ApiError::record_not_found("Sales Header", &format!("Document Type='{t}',No.='{number}'"))),
        (None, None) => Err(ApiError::record_not_found(
            if kind == DocKind::Invoice { "Sales Invoice Header" } else { "Sales Cr.Memo Header" },
            &format!("No.='{number}'"),
        )),
    }
}


/// Customer number and code of a `ShipToAddress(Customer_No='…',Code='…')` key.
fn ship_to_key(key: &str) -> ApiResult<(String, String)> {
    let keys = named_keys(key)?;
    let value = |name: &str| keys.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    match (value("Customer_No"), value("Code")) {
        (Some(customer), Some(code)) => Ok((customer, code)),
        _ => Err(ApiError::syntax("Bad Request - Error in query syntax.")),
    }
}

fn ship_to_not_found(customer: &str, code: &str) -> ApiError {
    ApiError::record_not_found("Ship-to Address", &format!("Customer No.='{customer}',Code='{code}'"))
}

/// The line a `…Lines(Document_Type='…',Document_No='…',Line_No=…)` key names, within the header
/// `header` names when reached through it.
fn line_id(co: &Company, kind: DocKind, posted: bool, header: Option<&str>, key: &str) -> ApiResult<Uuid> {
    let keys = named_keys(key)?;
    let value = |name: &str| keys.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (Some(number), Some(line)) = (value("Document_No"), value("Line_No")) else {
        return Err(ApiError::syntax("Bad Request - Error in query syntax."));
    };
    let doc = co.docs(kind).by_number(&number).filter(|d| d.posted == posted);
    if let (Some(header), Some(doc)) = (header, doc) {
        if document_id(co, kind, posted, header)? != doc.id {
            return Err(ApiError::record_not_found("Sales Line", &format!("Document No.='{number}',Line No.='{line}'")));
        }
    }
    doc.and_then(|d| d.lines.iter().find(|l| l.sequence.to_string() == line)).map(|l| l.id).ok_or_else(|| {
        ApiError::record_not_found("Sales Line", &format!("Document No.='{number}',Line No.='{line}'"))
    })
}

struct View<'a> {
    sim: &'a Sim,
    co: &'a Company,
    def: &'static SetDef,
    query: &'a Query,
}

impl<'a> View<'a> {
    fn customer(&self, number: &str) -> ApiResult<PageRow<'a>> {
        let co = self.co;
        let customer = co
            .customers
            .by_key(number)
            .ok_or_else(|| ApiError::record_not_found("Customer", &format!("No.='{number}'")))?;
        Ok(Box::new(CustomerPage { def: self.def, co, customer }))
    }

    fn item(&self, number: &str) -> ApiResult<PageRow<'a>> {
        let co = self.co;
        let item =
            co.items.by_key(number).ok_or_else(|| ApiError::record_not_found("Item", &format!("No.='{number}'")))?;
        Ok(Box::new(ItemPage {
            def: self.def,
            co,
            item,
            locations: self.query.flow_filter("Location_Filter"),
            variants: self.query.flow_filter("Variant_Filter"),
        }))
    }

    fn ship_to(&self, customer: &str, code: &str) -> ApiResult<PageRow<'a>> {
        let customer_rec = self.co.customers.by_key(customer).ok_or_else(|| ship_to_not_found(customer, code))?;
        let ship_to =
            customer_rec.ship_to.iter().find(|s| s.code == code).ok_or_else(|| ship_to_not_found(customer, code))?;
        Ok(Box::new(ShipToPage { def: self.def, customer: customer_rec, ship_to }))
    }

    fn document(&self, kind: DocKind, id: Uuid) -> ApiResult<PageRow<'a>> {
        let co = self.co;
        let doc = co.docs(kind).get(id).ok_or_else(|| headers::not_found(kind, id))?;
        let lines_def = self.sim.pages.document(self.def.name).and_then(|(_, lines, ..)| lines).unwrap_or(self.def);
        Ok(Box::new(DocumentPage { def: self.def, lines_def, co, doc }))
    }

    fn line(&self, kind: DocKind, id: Uuid) -> ApiResult<PageRow<'a>> {
        let doc = self.co.docs(kind).with_line(id).ok_or_else(|| lines::not_found(id))?;
        let line = doc.line(id).ok_or_else(|| lines::not_found(id))?;
        Ok(Box::new(LinePage { def: self.def, doc, line }))
    }

    /// The entity a key names (`header`: the document's key when reached through it).
    fn entity(&self, key: &str, header: Option<&str>) -> ApiResult<PageRow<'a>> {
        let defs = &self.sim.pages;
        if self.def.name == defs.customer.name {
            self.customer(&key_value(key, "No")?)
        } else if self.def.name == defs.item.name {
            self.item(&key_value(key, "No")?)
        } else if self.def.name == defs.ship_to.name {
            let (customer, code) = ship_to_key(key)?;
            self.ship_to(&customer, &code)
        } else {
            let (head, _, kind, posted) = defs.document(self.def.name).ok_or_else(|| ApiError::resource_not_found(self.def.name))?;
            if head.name == self.def.name {
                self.document(kind, document_id(self.co, kind, posted, key)?)
            } else {
                self.line(kind, line_id(self.co, kind, posted, header, key)?)
            }
        }
    }

    fn list(&self, header: Option<&str>, size: usize) -> ApiResult<Page> {
        let (co, def, query) = (self.co, self.def, self.query);
        let defs = &self.sim.pages;
        fn text(cursor: Option<&crate::odata::listing::Cursor>) -> Option<&str> {
            match cursor {
                Some(crate::odata::listing::Cursor::Text(t)) => Some(t),
                _ => None,
            }
        }
        if def.name == defs.customer.name {
            return page(query, size, true, |after| {
                co.customers
                    .iter_after(text(after))
                    .map(move |customer| Box::new(CustomerPage { def, co, customer }) as PageRow<'_>)
            });
        }
        if def.name == defs.item.name {
            let (locations, variants) = (query.flow_filter("Location_Filter"), query.flow_filter("Variant_Filter"));
            return page(query, size, true, |after| {
                co.items
                    .iter_after(text(after))
                    .map(move |item| Box::new(ItemPage { def, co, item, locations, variants }) as PageRow<'_>)
            });
        }
        if def.name == defs.ship_to.name {
            return page(query, size, false, |_| {
                co.customers.iter().flat_map(move |customer| {
                    customer.ship_to.iter().map(move |ship_to| Box::new(ShipToPage { def, customer, ship_to }) as PageRow<'_>)
                })
            });
        }
        let (head, lines_def, kind, posted) = defs.document(def.name).ok_or_else(|| ApiError::resource_not_found(def.name))?;
        let docs = co.docs(kind);
        if head.name == def.name {
            let lines_def = lines_def.unwrap_or(def);
            return page(query, size, false, |_| {
                docs.iter().filter(move |d| d.posted == posted).map(move |doc| Box::new(DocumentPage { def, lines_def, co, doc }) as PageRow<'_>)
            });
        }
        let only = header.map(|key| document_id(co, kind, posted, key)).transpose()?;
        page(query, size, false, |_| {
            docs.iter().filter(move |d| d.posted == posted && only.is_none_or(|id| d.id == id)).flat_map(move |doc| {
                doc.lines.iter().map(move |line| Box::new(LinePage { def, doc, line }) as PageRow<'_>)
            })
        })
    }
}

fn context(req: &Request, path: &str, entity: bool) -> String {
    format!("{}/$metadata#{path}{}", req.root, if entity { "/$entity" } else { "" })
}

fn entity_reply(req: &Request, path: &str, row: &PageRow<'_>, query: &Query, status: StatusCode) -> ApiResult<Reply> {
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(context(req, path, true)));
    body.extend(entity_json(row, query)?);
    let mut reply = Reply::json(status, Value::Object(body));
    reply.headers.push(("etag", row.etag()));
    Ok(reply)
}

fn list_reply(req: &Request, path: &str, result: Page) -> Reply {
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(context(req, path, false)));
    if let Some(count) = result.count {
        body.insert("@odata.count".into(), json!(count));
    }
    body.insert("value".into(), Value::Array(result.rows));
    if let Some(token) = result.next {
        let link = format!("{}/{}?{}", req.root, req.path.trim_start_matches('/'), req.query.with_skiptoken(&token));
        body.insert("@odata.nextLink".into(), json!(link));
    }
    Reply::json(StatusCode::OK, Value::Object(body))
}

/// Handles one page request (synchronously: no network involved).
pub fn handle(sim: &Sim, req: &Request) -> Response {
    if req.method == Method::GET && req.path.trim_matches('/') == "$metadata" {
        let xml = crate::api::metadata::edmx("NAV", &sim.pages.all(), defs::PAGE_ENUMS, &[]);
        return ([(header::CONTENT_TYPE, "application/xml")], xml).into_response();
    }
    let result = if req.method == Method::GET { read(sim, req) } else { write(sim, req) };
    match result {
        Ok(reply) => reply.into_response(),
        Err(error) => error.into_response(),
    }
}

fn read(sim: &Sim, req: &Request) -> ApiResult<Reply> {
    let store = sim.store();
    let limits = sim.throttle.limits();
    match resolve(sim, &store, req)? {
        Target::ServiceDocument => {
            let value: Vec<Value> =
                sim.pages.all().iter().map(|d| json!({"name": d.name, "kind": "EntitySet", "url": d.name})).collect();
            Ok(Reply::json(
                StatusCode::OK,
                json!({"@odata.context": format!("{}/$metadata", req.root), "value": value}),
            ))
        }
        Target::Companies(name) => {
            let def = sim.pages.company;
            let query = parse_query(def, &req.query, &|_| None)?;
            match name {
                Some(name) => {
                    let co = store
                        .companies
                        .iter()
                        .find(|c| c.name == name)
                        .ok_or_else(|| ApiError::company_not_found(&name))?;
                    entity_reply(
                        req,
                        "Company",
                        &(Box::new(CompanyPage { def, co }) as PageRow<'_>),
                        &query,
                        StatusCode::OK,
                    )
                }
                None => {
                    let result = page(&query, page_size(req, &limits)?, false, |_| {
                        store.companies.iter().map(|co| Box::new(CompanyPage { def, co }) as PageRow<'_>)
                    })?;
                    Ok(list_reply(req, "Company", result))
                }
            }
        }
        Target::Page { company, def, key, order, context } => {
            let co = store.company(company).ok_or_else(|| ApiError::company_not_found(&company.to_string()))?;
            let lines_def = sim.pages.document(def.name).and_then(|(head, lines, ..)| lines.filter(|_| head.name == def.name));
            let query = parse_query(def, &req.query, &|name| lines_def.filter(|l| l.name == name))?;
            let view = View { sim, co, def, query: &query };
            match key {
                Some(key) => entity_reply(req, &context, &view.entity(&key, order.as_deref())?, &query, StatusCode::OK),
                None => Ok(list_reply(req, &context, view.list(order.as_deref(), page_size(req, &limits)?)?)),
            }
        }
    }
}

/// The page entity with this id after a write.
fn reread<'a>(
    sim: &'a Sim,
    def: &'static SetDef,
    co: &'a Company,
    id: Uuid,
    query: &'a Query,
) -> ApiResult<PageRow<'a>> {
    let defs = &sim.pages;
    let view = View { sim, co, def, query };
    if def.name == defs.customer.name {
        return view.customer(&co.customers.get(id).map(|c| c.number.clone()).unwrap_or_default());
    }
    if def.name == defs.item.name {
        return view.item(&co.items.get(id).map(|i| i.number.clone()).unwrap_or_default());
    }
    let (head, _, kind, _) = defs.document(def.name).ok_or_else(|| ApiError::resource_not_found(def.name))?;
    if head.name == def.name {
        view.document(kind, id)
    } else {
        view.line(kind, id)
    }
}

/// A written entity as the page answers it.
fn written(
    req: &Request,
    path: &str,
    written: ApiResult<(String, ApiResult<Map<String, Value>>)>,
    status: StatusCode,
) -> ApiResult<Reply> {
    let (etag, entity) = written?;
    let mut body = Map::new();
    body.insert("@odata.context".into(), json!(context(req, path, true)));
    body.extend(entity?);
    let mut reply = Reply::json(status, Value::Object(body));
    reply.headers.push(("etag", etag));
    Ok(reply)
}

fn write(sim: &Sim, req: &Request) -> ApiResult<Reply> {
    let mut store = sim.store_mut();
    let target = resolve(sim, &store, req)?;
    let Target::Page { company, def, key, order: header, context } = target else {
        return Err(ApiError::method_not_allowed(req.method.as_str(), &req.path, "Collection"));
    };
    if !def.insert {
        // Posted documents: read-only pages.
        return Err(ApiError::method_not_allowed(req.method.as_str(), def.name, if key.is_some() { "Entity" } else { "Collection" }));
    }
    let defs = sim.pages;
    let co = store.company_mut(company).ok_or_else(|| ApiError::company_not_found(&company.to_string()))?;
    let query = Query::default();
    if def.name == defs.ship_to.name {
        return write_ship_to(sim, req, co, def, key.as_deref(), &context);
    }
    // A sales document page: (kind, whether this is its header page).
    let document = defs.document(def.name).map(|(head, _, kind, _)| (kind, head.name == def.name));
    let id_of = |co: &Company, key: &str| -> ApiResult<Uuid> {
        if def.name == defs.customer.name {
            let number = key_value(key, "No")?;
            co.customers
                .by_key(&number)
                .map(|c| c.id)
                .ok_or_else(|| ApiError::record_not_found("Customer", &format!("No.='{number}'")))
        } else if def.name == defs.item.name {
            let number = key_value(key, "No")?;
            co.items
                .by_key(&number)
                .map(|i| i.id)
                .ok_or_else(|| ApiError::record_not_found("Item", &format!("No.='{number}'")))
        } else {
            match document {
                Some((kind, true)) => document_id(co, kind, false, key),
                Some((kind, false)) => line_id(co, kind, false, header.as_deref(), key),
                None => Err(ApiError::resource_not_found(def.name)),
            }
        }
    };
    let reread =
        |co: &Company, id: Uuid| reread(sim, def, co, id, &query).map(|row| (row.etag(), entity_json(&row, &query)));
    match (&req.method, key) {
        (&Method::POST, None) => {
            let body = body_of(req)?;
            let mut ctx = Ctx { co: &mut *co };
            let id = if def.name == defs.customer.name {
                write::create_customer(&mut ctx, def, &body)?
            } else if def.name == defs.item.name {
                write::create_item(&mut ctx, def, &body)?
            } else {
                match document {
                    Some((DocKind::Order, true)) => write::create_order(&mut ctx, def, &body)?,
                    Some((DocKind::CreditMemo, true)) => write::create_credit_memo(&mut ctx, def, &body)?,
                    Some((kind, false)) => {
                        let header =
                            header.as_deref().ok_or_else(|| ApiError::method_not_allowed("POST", def.name, "Collection"))?;
                        let header = document_id(ctx.co, kind, false, header)?;
                        write::create_line(&mut ctx, def, kind, header, &body)?
                    }
                    _ => return Err(ApiError::method_not_allowed("POST", def.name, "Collection")),
                }
            };
            written(req, &context, reread(co, id), StatusCode::CREATED)
        }
        (&Method::PATCH, Some(key)) => {
            let body = body_of(req)?;
            let id = id_of(co, &key)?;
            check_if_match(req, &reread(co, id)?.0)?;
            let mut ctx = Ctx { co: &mut *co };
            if def.name == defs.customer.name {
                write::update_customer(&mut ctx, def, id, &body)?;
            } else if def.name == defs.item.name {
                write::update_item(&mut ctx, def, id, &body)?;
            } else {
                match document {
                    Some((DocKind::Order, true)) => write::update_order(&mut ctx, def, id, &body)?,
                    Some((DocKind::CreditMemo, true)) => write::update_credit_memo(&mut ctx, def, id, &body)?,
                    Some((kind, false)) => write::update_line(&mut ctx, def, kind, id, &body)?,
                    _ => return Err(ApiError::method_not_allowed("PATCH", def.name, "Entity")),
                }
            }
            written(req, &context, reread(co, id), StatusCode::OK)
        }
        (&Method::DELETE, Some(key)) => {
            let id = id_of(co, &key)?;
            check_if_match(req, &reread(co, id)?.0)?;
            let mut ctx = Ctx { co: &mut *co };
            if def.name == defs.customer.name {
                crate::entities::customers::delete(&mut ctx, id)?;
            } else if def.name == defs.item.name {
                items::delete(&mut ctx, id)?;
            } else {
                match document {
                    Some((kind, true)) => headers::delete(&mut ctx, kind, id)?,
                    Some((kind, false)) => lines::delete(&mut ctx, kind, id)?,
                    None => return Err(ApiError::method_not_allowed("DELETE", def.name, "Entity")),
                }
            }
            Ok(Reply::no_content())
        }
        (method, Some(_)) => Err(ApiError::method_not_allowed(method.as_str(), def.name, "Entity")),
        (method, None) => Err(ApiError::method_not_allowed(method.as_str(), def.name, "Collection")),
    }
}

/// Writes to the Ship-to Address page. The records hang off their customer, so they have their
/// own dispatch; the customer itself is not modified (its own table in BC).
fn write_ship_to(
    sim: &Sim,
    req: &Request,
    co: &mut Company,
    def: &'static SetDef,
    key: Option<&str>,
    context: &str,
) -> ApiResult<Reply> {
    let query = Query::default();
    let reread = |co: &Company, customer: &str, code: &str| {
        let view = View { sim, co, def, query: &query };
        view.ship_to(customer, code).map(|row| (row.etag(), entity_json(&row, &query)))
    };
    match (&req.method, key) {
        (&Method::POST, None) => {
            let body = body_of(req)?;
            let (customer, code) = write::create_ship_to(co, def, &body)?;
            written(req, context, reread(co, &customer, &code), StatusCode::CREATED)
        }
        (&Method::PATCH, Some(key)) => {
            let (customer, code) = ship_to_key(key)?;
            check_if_match(req, &reread(co, &customer, &code)?.0)?;
            let body = body_of(req)?;
            write::update_ship_to(co, def, &customer, &code, &body)?;
            written(req, context, reread(co, &customer, &code), StatusCode::OK)
        }
        (&Method::DELETE, Some(key)) => {
            let (customer, code) = ship_to_key(key)?;
            check_if_match(req, &reread(co, &customer, &code)?.0)?;
            write::delete_ship_to(co, &customer, &code)?;
            Ok(Reply::no_content())
        }
        (method, Some(_)) => Err(ApiError::method_not_allowed(method.as_str(), def.name, "Entity")),
        (method, None) => Err(ApiError::method_not_allowed(method.as_str(), def.name, "Collection")),
    }
}
