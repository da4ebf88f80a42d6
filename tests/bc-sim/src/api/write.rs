//! POST (201 + entity), PATCH (200 + entity; `If-Match` required), DELETE (204; `If-Match`
//! required) and bound actions (`Microsoft.NAV.*`, 204). Verbs an entity set does not allow get
//! BC's `BadRequest_MethodNotAllowed`.

use axum::http::{Method, StatusCode};
use uuid::Uuid;

use super::read::entity_reply;
use super::rows::find;
use super::{Address, Parent, Reply, Request};
use crate::entities::{customers, documents, items, lines as line_sets, masters, Ctx};
use crate::error::{ApiError, ApiResult};
use crate::odata::body::{changes, json_object, Changes, Mode};
use crate::odata::query::Query;
use crate::sales::dimensions::Parent as DimParent;
use crate::sales::posting::{self, PostedBy};
use crate::sales::{dimensions, headers, lines};
use crate::store::sales::DocKind;
use crate::store::Store;

/// `If-Match` must be present and match the entity's ETag (or be `*`).
pub fn check_if_match(req: &Request, current: &str) -> ApiResult<()> {
    let Some(value) = req.header("if-match") else { return Err(ApiError::missing_if_match()) };
    let value = value.trim();
    if value == "*" || value.split(',').any(|tag| tag.trim() == current) {
        Ok(())
    } else {
        Err(ApiError::entity_changed())
    }
}

/// Bodies must be JSON (BC answers 415 to other content types).
pub fn body_of(req: &Request) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
    let content_type = req.header("content-type").unwrap_or("");
    if !content_type.trim_start().to_ascii_lowercase().starts_with("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BadRequest",
            format!("The content type '{content_type}' is not supported. Use 'application/json'."),
        ));
    }
    json_object(&req.body)
}

pub fn write(store: &mut Store, req: &Request, address: &Address) -> ApiResult<Reply> {
    let co =
        store.company_mut(address.company).ok_or_else(|| ApiError::company_not_found(&address.company.to_string()))?;
    let set = address.set;
    let method = req.method.as_str();
    if address.nav.is_some() {
        return Err(ApiError::method_not_allowed(method, &address.context, "Entity"));
    }
    match (&req.method, address.key, &address.action) {
        (&Method::POST, Some(id), Some(action)) => {
            run_action(&mut Ctx { co }, address, id, action)?;
            Ok(Reply::no_content())
        }
        (&Method::POST, None, None) if set.insert => {
            let body = body_of(req)?;
            let changes = changes(set, &body, Mode::Create)?;
            let id = create(&mut Ctx { co: &mut *co }, address, &changes)?;
            let row = find(co, address, id)?;
            entity_reply(req, &address.context, &Query::default(), &row, StatusCode::CREATED)
        }
        (&Method::PATCH, Some(id), None) if set.update => {
            let body = body_of(req)?;
            let current = find(co, address, id)?.etag();
            check_if_match(req, &current)?;
            let changes = changes(set, &body, Mode::Update)?;
            update(&mut Ctx { co: &mut *co }, address, id, &changes)?;
            let row = find(co, address, id)?;
            entity_reply(req, &address.context, &Query::default(), &row, StatusCode::OK)
        }
        (&Method::DELETE, Some(id), None) if set.delete => {
            let current = find(co, address, id)?.etag();
            check_if_match(req, &current)?;
            delete(&mut Ctx { co }, address, id)?;
            Ok(Reply::no_content())
        }
        (_, Some(_), None) => Err(ApiError::method_not_allowed(method, set.name, "Entity")),
        (&Method::POST, None, None) => Err(ApiError::method_not_allowed(method, set.name, "Entity")),
        _ => Err(ApiError::method_not_allowed(method, set.name, "Collection")),
    }
}

fn dim_parent(address: &Address, creating: bool) -> ApiResult<DimParent> {
    match address.parent {
        Some(Parent::Doc(kind, doc)) => Ok(DimParent { kind, doc, line: None }),
        Some(Parent::Line(kind, line)) => Ok(DimParent { kind, doc: Uuid::nil(), line: Some(line) }),
        _ if creating => Err(ApiError::dialog("You must get to the parent first to create a dimension set line.")),
        _ => Err(ApiError::dialog("You must get to the parent first to get to the dimension set line.")),
    }
}

/// Fills in the document of a line parent.
fn resolve_dim_parent(ctx: &Ctx<'_>, mut parent: DimParent) -> ApiResult<DimParent> {
    if let Some(line) = parent.line {
        parent.doc = ctx.co.docs(parent.kind).with_line(line).map(|d| d.id).ok_or_else(|| lines::not_found(line))?;
    }
    Ok(parent)
}

fn parent_doc(address: &Address) -> Option<Uuid> {
    match address.parent {
        Some(Parent::Doc(_, id)) => Some(id),
        _ => None,
    }
}

fn create(ctx: &mut Ctx<'_>, address: &Address, changes: &Changes) -> ApiResult<Uuid> {
    let name = address.set.name;
    if let Some(kind) = masters::kind_of(name) {
        return masters::create(ctx, kind, changes);
    }
    if let Some(kind) = documents::kind_of(name) {
        return headers::create(ctx, kind, changes);
    }
    if let Some(kind) = line_sets::kind_of(name) {
        return lines::create(ctx, kind, parent_doc(address), changes);
    }
    match name {
        "customers" => customers::create(ctx, changes),
        "items" => items::create(ctx, changes),
        "itemVariants" => {
            let parent = match address.parent {
                Some(Parent::Item(id)) => Some(id),
                _ => None,
            };
            items::create_variant(ctx, changes, parent)
        }
        "dimensionSetLines" => {
            let parent = resolve_dim_parent(ctx, dim_parent(address, true)?)?;
            dimensions::create(ctx, parent, changes)
        }
        other => Err(ApiError::method_not_allowed("POST", other, "Entity")),
    }
}

fn update(ctx: &mut Ctx<'_>, address: &Address, id: Uuid, changes: &Changes) -> ApiResult<()> {
    let name = address.set.name;
    if let Some(kind) = masters::kind_of(name) {
        return masters::update(ctx, kind, id, changes);
    }
    if let Some(kind) = documents::kind_of(name) {
        return headers::update(ctx, kind, id, changes);
    }
    if let Some(kind) = line_sets::kind_of(name) {
        return lines::update(ctx, kind, id, changes);
    }
    match name {
        "customers" => customers::update(ctx, id, changes),
        "items" => items::update(ctx, id, changes),
        "itemVariants" => items::update_variant(ctx, id, changes),
        "dimensionSetLines" => {
            let parent = resolve_dim_parent(ctx, dim_parent(address, false)?)?;
            dimensions::update(ctx, parent, id, changes)
        }
        other => Err(ApiError::method_not_allowed("PATCH", other, "Entity")),
    }
}

fn delete(ctx: &mut Ctx<'_>, address: &Address, id: Uuid) -> ApiResult<()> {
    let name = address.set.name;
    if let Some(kind) = masters::kind_of(name) {
        return masters::delete(ctx, kind, id);
    }
    if let Some(kind) = documents::kind_of(name) {
        return headers::delete(ctx, kind, id);
    }
    if let Some(kind) = line_sets::kind_of(name) {
        return lines::delete(ctx, kind, id);
    }
    match name {
        "customers" => customers::delete(ctx, id),
        "items" => items::delete(ctx, id),
        "itemVariants" => items::delete_variant(ctx, id),
        "dimensionSetLines" => {
            let parent = resolve_dim_parent(ctx, dim_parent(address, false)?)?;
            dimensions::delete(ctx, parent, id)
        }
        other => Err(ApiError::method_not_allowed("DELETE", other, "Entity")),
    }
}

/// Bound actions of the metadata. Sending documents needs e-mail set up in BC, which this
/// company does not have.
fn run_action(ctx: &mut Ctx<'_>, address: &Address, id: Uuid, action: &str) -> ApiResult<()> {
    let kind = documents::kind_of(address.set.name);
    let no_email = || ApiError::dialog("You must set up email in Business Central before you can send emails.");
    match (kind, action) {
        (Some(DocKind::Order), "shipAndInvoice") => posting::ship_and_invoice(ctx.co, id, PostedBy::Api).map(|_| ()),
        (Some(DocKind::Invoice), "post") => posting::post_draft(ctx.co, DocKind::Invoice, id),
        (Some(DocKind::CreditMemo), "post") => posting::post_draft(ctx.co, DocKind::CreditMemo, id),
        (Some(DocKind::Invoice), "cancel") => posting::cancel_invoice(ctx.co, id).map(|_| ()),
        (Some(DocKind::Invoice), "makeCorrectiveCreditMemo") => {
            posting::make_corrective_credit_memo(ctx.co, id).map(|_| ())
        }
        (Some(DocKind::Invoice | DocKind::CreditMemo), "postAndSend" | "send" | "cancelAndSend") => Err(no_email()),
        (Some(DocKind::CreditMemo), "cancel") => Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "BadRequest_MethodNotImplemented",
            "Cancelling a posted credit memo is not simulated.",
        )),
        _ => Err(ApiError::resource_not_found(&format!("Microsoft.NAV.{action}"))),
    }
}
