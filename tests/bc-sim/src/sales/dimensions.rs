//! Writing dimension sets: `dimensionSetLines` under a document or a line (POST adds a dimension,
//! a second POST of the same one is BC's "already exists" error, PATCH changes the value, DELETE
//! removes it), the shortcut dimension fields of headers, and the propagation of header
//! dimensions to the lines.

use uuid::Uuid;

use crate::entities::dimensions::parent_type;
use crate::entities::documents::dimension_value;
use crate::entities::masters::by_code;
use crate::entities::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::odata::body::Changes;
use crate::odata::schema::DIMENSION_PARENT_TYPE;
use crate::odata::value::unescape_member;
use crate::store::sales::SalesDoc;
use crate::store::{Company, MasterKind};

pub type DimensionSet = Vec<(String, String)>;

/// Checks that `value` is a value of dimension `code`.
pub fn check_value(co: &Company, code: &str, value: &str) -> ApiResult<()> {
    if by_code(co, MasterKind::Dimensions, code).is_none() {
        return Err(ApiError::related_record_missing("Dimension", &format!("Code='{code}'")));
    }
    if by_code(co, MasterKind::DimensionValues, &format!("{code}\t{value}")).is_none() {
        return Err(ApiError::related_record_missing(
            "Dimension Value",
            &format!("Dimension Code='{code}',Code='{value}'"),
        ));
    }
    Ok(())
}

/// Sets (or, with a blank value, removes) one dimension of a set.
pub fn set_value(set: &mut DimensionSet, code: &str, value: &str) {
    set.retain(|(c, _)| c != code);
    if !value.is_empty() {
        set.push((code.to_string(), value.to_string()));
        set.sort();
    }
}

/// Header dimension changed from `old` to `new`: lines follow, as BC's "update lines" does.
pub fn propagate(doc: &mut SalesDoc, code: &str, old: &str, new: &str) {
    for line in &mut doc.lines {
        let current = dimension_value(&line.dimensions, code).to_string();
        if current.is_empty() || current == old {
            set_value(&mut line.dimensions, code, new);
        }
    }
}

/// Sets a dimension on a header, validating it and updating the lines.
pub fn set_header_dimension(co: &Company, doc: &mut SalesDoc, code: &str, value: &str) -> ApiResult<()> {
    if !value.is_empty() {
        check_value(co, code, value)?;
    }
    let old = dimension_value(&doc.dimensions, code).to_string();
    set_value(&mut doc.dimensions, code, value);
    propagate(doc, code, &old, value);
    Ok(())
}

/// The dimension code and value a dimension set line body names (by id or by code).
fn resolve(co: &Company, changes: &Changes, require_value: bool) -> ApiResult<(Option<String>, Option<String>)> {
    let by_id = match changes.guid("id").filter(|id| !id.is_nil()) {
        Some(id) => Some(
            co.master(MasterKind::Dimensions)
                .get(id)
                .map(|d| d.key.clone())
                .ok_or_else(|| ApiError::dialog("The \"id\" does not match to a Dimension."))?,
        ),
        None => None,
    };
    let code = match (by_id, changes.text("code").filter(|c| !c.is_empty()).map(str::to_string)) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::dialog("The \"id\" and \"code\" do not match to a specific Dimension."))
        }
        (Some(a), _) | (None, Some(a)) => Some(a),
        (None, None) => None,
    };
    let value_by_id = match changes.guid("valueId").filter(|id| !id.is_nil()) {
        Some(id) => Some(
            co.master(MasterKind::DimensionValues)
                .get(id)
                .map(|v| v.text("code").to_string())
                .ok_or_else(|| ApiError::dialog("The \"valueId\" does not match to a Dimension Value."))?,
        ),
        None => None,
    };
    let value = match (value_by_id, changes.text("valueCode").filter(|c| !c.is_empty()).map(str::to_string)) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::dialog(
                "The \"valueId\" and \"valueCode\" do not match to a specific Dimension Value.",
            ))
        }
        (Some(a), _) | (None, Some(a)) => Some(a),
        (None, None) if require_value => {
            return Err(ApiError::dialog("The \"valueId\" or \"valueCode\" field must be filled in."))
        }
        (None, None) => None,
    };
    Ok((code, value))
}

/// Adds a dimension to a set from a POST body (also used by deep insert).
pub fn add_line(co: &Company, set: &mut DimensionSet, changes: &Changes) -> ApiResult<String> {
    let (code, value) = resolve(co, changes, true)?;
    let code = code.ok_or_else(|| ApiError::dialog("The \"id\" or \"code\" field must be filled in."))?;
    let value = value.unwrap_or_default();
    check_value(co, &code, &value)?;
    if set.iter().any(|(c, _)| *c == code) {
        return Err(ApiError::dialog(
            "The dimension set line already exists. Check existing dimension set lines and the default dimension set lines on the parent.",
        ));
    }
    set_value(set, &code, &value);
    Ok(code)
}

/// Where a dimension set line lives.
#[derive(Clone, Copy, Debug)]
pub struct Parent {
    pub kind: crate::store::sales::DocKind,
    pub doc: Uuid,
    pub line: Option<Uuid>,
}

fn read_only_check(doc: &SalesDoc, parent: Parent) -> ApiResult<()> {
    if doc.posted || doc.kind == crate::store::sales::DocKind::Shipment {
        let caption = unescape_member(DIMENSION_PARENT_TYPE.member(parent_type(doc.kind, parent.line.is_some())));
        return Err(ApiError::dialog(format!(
            "The dimension set lines are read only for parent type {caption} once the document has been posted."
        )));
    }
    Ok(())
}

/// Applies a change to the dimension set of a document or line and stores the document.
fn change_set(
    ctx: &mut Ctx<'_>,
    parent: Parent,
    change: impl FnOnce(&Company, &mut DimensionSet) -> ApiResult<(String, String, String)>,
) -> ApiResult<String> {
    let docs = ctx.co.docs(parent.kind);
    let mut doc =
        docs.get(parent.doc).cloned().ok_or_else(|| crate::sales::headers::not_found(parent.kind, parent.doc))?;
    read_only_check(&doc, parent)?;
    let code = match parent.line {
        None => {
            let (code, old, new) = change(ctx.co, &mut doc.dimensions)?;
            propagate(&mut doc, &code, &old, &new);
            code
        }
        Some(line_id) => {
            let line = doc
                .lines
                .iter_mut()
                .find(|l| l.id == line_id)
                .ok_or_else(|| crate::sales::lines::not_found(line_id))?;
            let (code, _, _) = change(ctx.co, &mut line.dimensions)?;
            line.meta = ctx.co.touch(line.meta);
            code
        }
    };
    crate::sales::headers::store_changed(ctx.co, doc);
    Ok(code)
}

pub fn create(ctx: &mut Ctx<'_>, parent: Parent, changes: &Changes) -> ApiResult<Uuid> {
    let code = change_set(ctx, parent, |co, set| {
        let code = add_line(co, set, changes)?;
        let value = dimension_value(set, &code).to_string();
        Ok((code, String::new(), value))
    })?;
    dimension_id(ctx.co, &code)
}

/// PATCH `…/dimensionSetLines(<dimension id>)`: only the value can change.
pub fn update(ctx: &mut Ctx<'_>, parent: Parent, dimension: Uuid, changes: &Changes) -> ApiResult<()> {
    let code = dimension_code(ctx.co, dimension)?;
    change_set(ctx, parent, |co, set| {
        let old = dimension_value(set, &code).to_string();
        if old.is_empty() {
            return Err(not_found(&code));
        }
        let (named, value) = resolve(co, changes, false)?;
        if named.is_some_and(|n| n != code) {
            return Err(ApiError::dialog("The \"id\" and \"code\" of a dimension set line cannot be modified."));
        }
        let value = value.unwrap_or_else(|| old.clone());
        check_value(co, &code, &value)?;
        set_value(set, &code, &value);
        Ok((code.clone(), old, value))
    })?;
    Ok(())
}

pub fn delete(ctx: &mut Ctx<'_>, parent: Parent, dimension: Uuid) -> ApiResult<()> {
    let code = dimension_code(ctx.co, dimension)?;
    change_set(ctx, parent, |_, set| {
        let old = dimension_value(set, &code).to_string();
        if old.is_empty() {
            return Err(not_found(&code));
        }
        set_value(set, &code, "");
        Ok((code.clone(), old, String::new()))
    })?;
    Ok(())
}

fn dimension_code(co: &Company, id: Uuid) -> ApiResult<String> {
    co.master(MasterKind::Dimensions).get(id).map(|d| d.key.clone()).ok_or_else(|| {
        ApiError::record_not_found(
            "Dimension Set Entry Buffer",
            &format!("Dimension Id='{}'", crate::odata::value::al_guid(id)),
        )
    })
}

fn dimension_id(co: &Company, code: &str) -> ApiResult<Uuid> {
    by_code(co, MasterKind::Dimensions, code).map(|d| d.id).ok_or_else(|| not_found(code))
}

fn not_found(code: &str) -> ApiError {
    ApiError::record_not_found("Dimension Set Entry Buffer", &format!("Dimension Code='{code}'"))
}
