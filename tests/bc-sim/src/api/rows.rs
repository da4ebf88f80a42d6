//! From an address to rows: the rows of an entity set (under its parent, using the primary key
//! order, the External Document No., order and number indexes where a filter allows), and one
//! entity by id. Rows are boxed `Row` views so that the OData layer handles every set alike.

use uuid::Uuid;

use super::{Address, Parent};
use crate::entities::companies::CompanyRow;
use crate::entities::customers::{self, CustomerRow};
use crate::entities::dimensions::dimension_rows;
use crate::entities::documents::{self, DocRow};
use crate::entities::items::{self, ItemRow, VariantRow};
use crate::entities::ledger::LedgerRow;
use crate::entities::lines::{self, LineRow};
use crate::entities::masters::{self, MasterRow};
use crate::error::{ApiError, ApiResult};
use crate::odata::listing::{Cursor, Row};
use crate::odata::query::Query;
use crate::odata::value::{al_guid, Val};
use crate::store::sales::{DocKind, SalesDoc};
use crate::store::{Company, MasterKind};

pub type BoxRow<'a> = Box<dyn Row + 'a>;
pub type Rows<'a> = Box<dyn Iterator<Item = BoxRow<'a>> + 'a>;

impl<T: Row + ?Sized> Row for Box<T> {
    fn def(&self) -> &'static crate::odata::schema::SetDef {
        (**self).def()
    }
    fn get(&self, prop: &str) -> Val<'_> {
        (**self).get(prop)
    }
    fn etag(&self) -> String {
        (**self).etag()
    }
    fn cursor(&self) -> Cursor {
        (**self).cursor()
    }
    fn expand(&self, nav: &'static crate::odata::schema::Nav, query: &Query) -> ApiResult<serde_json::Value> {
        (**self).expand(nav, query)
    }
}

fn boxed<'a, R: Row + 'a>(row: R) -> BoxRow<'a> {
    Box::new(row)
}

fn text_cursor(cursor: Option<&Cursor>) -> Option<&str> {
    match cursor {
        Some(Cursor::Text(text)) => Some(text),
        _ => None,
    }
}

/// Text values a filter requires for `prop` (`prop eq 'a' or prop eq 'b'`).
fn required_texts(query: &Query, prop: &str) -> Option<Vec<String>> {
    let values = query.filter.as_ref()?.required_values(prop)?;
    Some(values.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
}

fn required_guids(query: &Query, prop: &str) -> Option<Vec<Uuid>> {
    let values = query.filter.as_ref()?.required_values(prop)?;
    Some(values.iter().filter_map(|v| if let Val::Guid(g) = v { Some(*g) } else { None }).collect())
}

fn doc_rows<'a>(co: &'a Company, docs: Vec<&'a SalesDoc>) -> Rows<'a> {
    let mut docs = docs;
    docs.sort_by(|a, b| a.number.cmp(&b.number));
    docs.dedup_by_key(|d| d.id);
    Box::new(docs.into_iter().map(move |doc| boxed(DocRow { co, doc })))
}

/// The rows of a collection, and whether they honour `after` (start after that key).
pub fn rows<'a>(
    co: &'a Company,
    address: &Address,
    query: &Query,
    after: Option<&Cursor>,
) -> ApiResult<(Rows<'a>, bool)> {
    let name = address.set.name;
    if let Some(kind) = masters::kind_of(name) {
        if let (MasterKind::DimensionValues, Some(Parent::Dimension(id))) = (kind, address.parent) {
            return Ok((Box::new(masters::dimension_values(co, id).map(boxed)), false));
        }
        let table = co.master(kind);
        let rows = table.iter_after(text_cursor(after)).map(move |record| boxed(MasterRow { co, kind, record }));
        return Ok((Box::new(rows), true));
    }
    if let Some(kind) = documents::kind_of(name) {
        let docs = co.docs(kind);
        if let Some(values) = required_texts(query, "externalDocumentNumber") {
            return Ok((doc_rows(co, values.iter().flat_map(|v| docs.with_external_number(v)).collect()), false));
        }
        if let Some(values) = required_texts(query, "number") {
            return Ok((doc_rows(co, values.iter().filter_map(|v| docs.by_number(v)).collect()), false));
        }
        if let Some(ids) = required_guids(query, "orderId") {
            return Ok((doc_rows(co, ids.iter().flat_map(|id| docs.from_order(*id)).collect()), false));
        }
        let rows = docs.iter_after(text_cursor(after)).map(move |doc| boxed(DocRow { co, doc }));
        return Ok((Box::new(rows), true));
    }
    if let Some(kind) = lines::kind_of(name) {
        let docs: Vec<&SalesDoc> = match address.parent {
            Some(Parent::Doc(_, id)) => co.docs(kind).get(id).into_iter().collect(),
            _ => {
                let ids = required_guids(query, "documentId").ok_or_else(|| missing_document_filter(kind))?;
                ids.iter().filter_map(|id| co.docs(kind).get(*id)).collect()
            }
        };
        let rows =
            docs.into_iter().flat_map(move |doc| doc.lines.iter().map(move |line| boxed(LineRow { co, doc, line })));
        return Ok((Box::new(rows), false));
    }
    let rows: Rows<'a> = match name {
        "customers" => match required_texts(query, "number") {
            Some(numbers) => {
                let found: Vec<_> = numbers.iter().filter_map(|n| co.customers.by_key(n)).collect();
                return Ok((
                    Box::new(found.into_iter().map(move |customer| boxed(CustomerRow { co, customer }))),
                    false,
                ));
            }
            None => Box::new(
                co.customers.iter_after(text_cursor(after)).map(move |customer| boxed(CustomerRow { co, customer })),
            ),
        },
        "items" => match required_texts(query, "number") {
            Some(numbers) => {
                let found: Vec<_> = numbers.iter().filter_map(|n| co.items.by_key(n)).collect();
                return Ok((Box::new(found.into_iter().map(move |item| boxed(ItemRow { co, item }))), false));
            }
            None => Box::new(co.items.iter_after(text_cursor(after)).map(move |item| boxed(ItemRow { co, item }))),
        },
        "itemVariants" => match address.parent {
            Some(Parent::Item(id)) => {
                let number = co.items.get(id).map(|i| i.number.as_str()).unwrap_or("");
                return Ok((Box::new(items::variants_of(co, number).map(boxed)), false));
            }
            _ => Box::new(
                co.variants.iter_after(text_cursor(after)).map(move |variant| boxed(VariantRow { co, variant })),
            ),
        },
        "itemLedgerEntries" => {
            let after = match after {
                Some(Cursor::Number(n)) => Some(*n),
                _ => None,
            };
            Box::new(co.ledger.iter_after(after).map(|entry| boxed(LedgerRow { entry })))
        }
        "dimensionSetLines" => {
            return match address.parent {
                Some(Parent::Doc(kind, id)) => {
                    let doc = co.docs(kind).get(id).ok_or_else(|| crate::sales::headers::not_found(kind, id))?;
                    Ok((Box::new(dimension_rows(co, doc, None).map(boxed)), false))
                }
                Some(Parent::Line(kind, id)) => {
                    let doc = co.docs(kind).with_line(id).ok_or_else(|| crate::sales::lines::not_found(id))?;
                    let line = doc.line(id).ok_or_else(|| crate::sales::lines::not_found(id))?;
                    Ok((Box::new(dimension_rows(co, doc, Some(line)).map(boxed)), false))
                }
                _ => Err(ApiError::dialog("You must get to the parent first to get to the dimension set line.")),
            };
        }
        other => return Err(ApiError::resource_not_found(other)),
    };
    Ok((rows, true))
}

/// BC's error for listing lines without a document.
pub fn missing_document_filter(kind: DocKind) -> ApiError {
    if kind == DocKind::CreditMemo {
        ApiError::dialog("You must specify an id or a Document Id to get the lines.")
    } else {
        ApiError::dialog("You must specify an Id or a Document Id to get the lines.")
    }
}

fn not_found(address: &Address, id: Uuid) -> ApiError {
    ApiError::record_not_found(address.set.table, &format!("Id='{}'", al_guid(id)))
}

/// Checks that the parent of a nested collection exists.
pub fn check_parent(co: &Company, address: &Address) -> ApiResult<()> {
    let exists = match address.parent {
        None => true,
        Some(Parent::Doc(kind, id)) => co.docs(kind).get(id).is_some(),
        Some(Parent::Line(kind, id)) => co.docs(kind).with_line(id).is_some(),
        Some(Parent::Item(id)) => co.items.get(id).is_some(),
        Some(Parent::Dimension(id)) => co.master(MasterKind::Dimensions).get(id).is_some(),
    };
    if exists {
        Ok(())
    } else {
        Err(ApiError::record_not_found("parent", "Id"))
    }
}

/// One entity of the addressed set by id (within its parent, when nested).
pub fn find<'a>(co: &'a Company, address: &Address, id: Uuid) -> ApiResult<BoxRow<'a>> {
    let name = address.set.name;
    let missing = || not_found(address, id);
    if let Some(kind) = masters::kind_of(name) {
        let record = co.master(kind).get(id).ok_or_else(missing)?;
        if let Some(Parent::Dimension(dimension)) = address.parent {
            if record.value("dimensionId") != Some(Val::Guid(dimension)) {
                return Err(missing());
            }
        }
        return Ok(boxed(MasterRow { co, kind, record }));
    }
    if let Some(kind) = documents::kind_of(name) {
        let doc = co.docs(kind).get(id).ok_or_else(missing)?;
        return Ok(boxed(DocRow { co, doc }));
    }
    if let Some(kind) = lines::kind_of(name) {
        let doc = co.docs(kind).with_line(id).ok_or_else(missing)?;
        if let Some(Parent::Doc(_, parent)) = address.parent {
            if doc.id != parent {
                return Err(missing());
            }
        }
        let line = doc.line(id).ok_or_else(missing)?;
        return Ok(boxed(LineRow { co, doc, line }));
    }
    match name {
        "customers" => co
            .customers
            .get(id)
            .map(|customer| boxed(CustomerRow { co, customer }))
            .ok_or_else(|| customers::not_found(id)),
        "items" => co.items.get(id).map(|item| boxed(ItemRow { co, item })).ok_or_else(|| items::not_found(id)),
        "itemVariants" => {
            let variant = co.variants.get(id).ok_or_else(|| items::variant_not_found(id))?;
            if let Some(Parent::Item(item)) = address.parent {
                if co.items.get(item).map(|i| &i.number) != Some(&variant.item_number) {
                    return Err(items::variant_not_found(id));
                }
            }
            Ok(boxed(VariantRow { co, variant }))
        }
        "itemLedgerEntries" => co.ledger.get(id).map(|entry| boxed(LedgerRow { entry })).ok_or_else(missing),
        "dimensionSetLines" => {
            let (rows, _) = rows(co, address, &Query::default(), None)?;
            rows.into_iter().find(|row| row.get("id") == Val::Guid(id)).ok_or_else(missing)
        }
        _ => Err(ApiError::resource_not_found(name)),
    }
}

pub fn company_row(co: &Company) -> BoxRow<'_> {
    boxed(CompanyRow { company: co })
}
