//! Writing document lines: what a line sells (`lineType` + `lineObjectNumber`/`itemId`/
//! `accountId`, validated against items, G/L accounts and item charges, with their defaults),
//! then the other fields in page order, with BC's rules for quantities to ship and invoice, line
//! discounts and immutable fields. Every change re-stores the document (totals, ETag).

use rust_decimal::Decimal;
use uuid::Uuid;

use super::headers::{not_found as doc_not_found, posted_error, store_changed};
use super::totals::{base_amount, discount_from_percent};
use crate::entities::customers::code_for_id;
use crate::entities::lines::line_def;
use crate::entities::masters::by_code;
use crate::entities::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::odata::body::Changes;
use crate::odata::value::{al_guid, blank_date};
use crate::store::sales::{DocKind, LineKind, SalesDoc, SalesLine, Totals};
use crate::store::{Company, MasterKind};

pub fn not_found(id: Uuid) -> ApiError {
    ApiError::record_not_found("Sales Invoice Line Aggregate", &format!("Id='{}'", al_guid(id)))
}

fn blank_line(doc: &SalesDoc) -> SalesLine {
    SalesLine {
        id: Uuid::new_v4(),
        meta: doc.meta,
        document_id: doc.id,
        sequence: 0,
        kind: LineKind::Comment,
        number: String::new(),
        description: String::new(),
        description2: String::new(),
        uom: String::new(),
        quantity: Decimal::ZERO,
        unit_price: Decimal::ZERO,
        discount_percent: Decimal::ZERO,
        discount_amount: Decimal::ZERO,
        vat_group: String::new(),
        vat_percent: Decimal::ZERO,
        line_amount: Decimal::ZERO,
        gross: Totals::default(),
        invoice_discount: Decimal::ZERO,
        net: Totals::default(),
        shipment_date: if doc.kind == DocKind::Order { doc.document_date } else { blank_date() },
        shipped: Decimal::ZERO,
        invoiced: Decimal::ZERO,
        qty_to_ship: Decimal::ZERO,
        qty_to_invoice: Decimal::ZERO,
        variant: String::new(),
        location: doc.location.clone(),
        dimensions: doc.dimensions.clone(),
    }
}

/// A new line for `doc` from a POST body (not yet stored).
pub fn build_line(co: &Company, doc: &SalesDoc, changes: &Changes) -> ApiResult<SalesLine> {
    let mut line = blank_line(doc);
    let sequence = match changes.int("sequence") {
        Some(sequence) if sequence > 0 => sequence,
        _ => doc.next_sequence(),
    };
    if doc.lines.iter().any(|l| l.sequence == sequence) {
        return Err(ApiError::already_exists(
            "Sales Line",
            &format!(
                "Document Type='{}',Document No.='{}',Line No.='{sequence}'",
                doc_type_caption(doc.kind),
                doc.number
            ),
        ));
    }
    line.sequence = sequence;
    let (kind, number) = identity(co, changes)?;
    set_number(co, doc, &mut line, kind, &number)?;
    apply(co, doc, &mut line, changes)?;
    Ok(line)
}

fn doc_type_caption(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Order => "Order",
        DocKind::Invoice => "Invoice",
        DocKind::CreditMemo => "Credit Memo",
        DocKind::Shipment => "Shipment",
    }
}

/// Line type and number named by `lineType`, `itemId`, `accountId` and `lineObjectNumber`.
fn identity(co: &Company, changes: &Changes) -> ApiResult<(LineKind, String)> {
    let item = changes.guid("itemId").filter(|g| !g.is_nil());
    let account = changes.guid("accountId").filter(|g| !g.is_nil());
    if item.is_some() && account.is_some() {
        return Err(ApiError::dialog("Both \"itemId\" and \"accountId\" are specified. Specify only one of them."));
    }
    let typed = changes.enum_index("lineType").and_then(|i| LineKind::ALL.get(i).copied());
    let kind = typed.unwrap_or(if item.is_some() {
        LineKind::Item
    } else if account.is_some() {
        LineKind::Account
    } else {
        LineKind::Comment
    });
    let by_id = match (item, account) {
        (Some(id), _) => {
            if kind != LineKind::Item {
                return Err(ApiError::dialog("The \"itemId\" can only be specified for lines of type Item."));
            }
            Some(co.items.get(id).map(|i| i.number.clone()).ok_or_else(|| ApiError::dialog("Item does not exist."))?)
        }
        (_, Some(id)) => {
            if kind != LineKind::Account {
                return Err(ApiError::dialog("The \"accountId\" can only be specified for lines of type Account."));
            }
            Some(
                co.master(MasterKind::Accounts)
                    .get(id)
                    .map(|a| a.key.clone())
                    .ok_or_else(|| ApiError::dialog("Account does not exist."))?,
            )
        }
        _ => None,
    };
    let number = match (by_id, changes.text("lineObjectNumber").map(str::to_string)) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::dialog("The \"lineObjectNumber\" does not match the item or account id given."))
        }
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => String::new(),
    };
    Ok((kind, number))
}

/// Validating Type and No.: the object must exist and gives its defaults.
fn set_number(co: &Company, doc: &SalesDoc, line: &mut SalesLine, kind: LineKind, number: &str) -> ApiResult<()> {
    line.kind = kind;
    line.number = number.to_string();
    if number.is_empty() {
        return Ok(());
    }
    match kind {
        LineKind::Comment => Err(ApiError::related_record_missing("Standard Text", &format!("Code='{number}'"))),
        LineKind::Item => {
            let item = co
                .items
                .by_key(number)
                .ok_or_else(|| ApiError::related_record_missing("Item", &format!("No.='{number}'")))?;
            if item.blocked {
                return Err(ApiError::field_validation(format!(
                    "Blocked must be equal to 'No'  in Item: No.={number}. Current value is 'Yes'."
                )));
            }
            line.description = item.description.clone();
            line.description2 = item.description2.clone();
            line.uom = item.base_uom.clone();
            line.vat_group = item.tax_group.clone();
            line.unit_price = item_price(co, doc, item.unit_price, item.price_includes_tax, &item.tax_group);
            Ok(())
        }
        LineKind::Account => {
            let account = by_code(co, MasterKind::Accounts, number)
                .ok_or_else(|| ApiError::related_record_missing("G/L Account", &format!("No.='{number}'")))?;
            line.description = account.text("displayName").to_string();
            line.vat_group = match account.text(crate::seed::ACCOUNT_VAT_FIELD) {
                "" => co.setup.default_vat_group.clone(),
                group => group.to_string(),
            };
            Ok(())
        }
        LineKind::Charge => {
            let (name, vat) = co
                .setup
                .item_charges
                .get(number)
                .ok_or_else(|| ApiError::related_record_missing("Item Charge", &format!("No.='{number}'")))?;
            line.description = name.clone();
            line.vat_group = vat.clone();
            Ok(())
        }
        LineKind::Resource => Err(ApiError::related_record_missing("Resource", &format!("No.='{number}'"))),
        LineKind::FixedAsset => Err(ApiError::related_record_missing("Fixed Asset", &format!("No.='{number}'"))),
        LineKind::AllocationAccount => {
            Err(ApiError::related_record_missing("Allocation Account", &format!("No.='{number}'")))
        }
    }
}

/// The item's unit price in the document's price basis (incl. or excl. VAT).
fn item_price(co: &Company, doc: &SalesDoc, price: Decimal, includes_vat: bool, vat_group: &str) -> Decimal {
    if includes_vat == doc.prices_include_tax {
        return price;
    }
    let factor = Decimal::ONE + co.vat_rate(vat_group) / Decimal::ONE_HUNDRED;
    let converted = if doc.prices_include_tax { price * factor } else { price / factor };
    converted.round_dp(5).normalize()
}

/// Applies the non-identity properties of a body in page order.
fn apply(co: &Company, doc: &SalesDoc, line: &mut SalesLine, changes: &Changes) -> ApiResult<()> {
    let discount_given = changes.has("discountAmount");
    let mut recompute_discount = false;
    for prop in line_def(doc.kind).props {
        let Some(value) = changes.get(prop.name) else { continue };
        let text = value.as_str().unwrap_or("").to_string();
        let number = changes.decimal(prop.name).unwrap_or_default();
        match prop.name {
            "description" => line.description = text,
            "description2" => line.description2 = text,
            "unitOfMeasureId" => {
                let code = code_for_id(
                    co,
                    MasterKind::UnitsOfMeasure,
                    changes.guid(prop.name).unwrap_or_default(),
                    prop.name,
                    "Unit of Measure",
                )?;
                set_uom(co, line, code)?;
            }
            "unitOfMeasureCode" => set_uom(co, line, text)?,
            "quantity" => {
                if line.kind == LineKind::Comment && !number.is_zero() {
                    return Err(ApiError::field_validation(format!(
                        "Type must not be   in Sales Line: Document No.={}, Line No.={}.",
                        doc.number, line.sequence
                    )));
                }
                if number.abs() < line.shipped.abs() {
                    return Err(ApiError::dialog(format!(
                        "You cannot reduce the quantity below the quantity shipped ({}).",
                        line.shipped
                    )));
                }
                line.quantity = number;
                line.qty_to_ship = line.outstanding();
                line.qty_to_invoice = line.qty_to_ship + line.shipped - line.invoiced;
                recompute_discount = true;
            }
            "unitPrice" => {
                line.unit_price = number;
                recompute_discount = true;
            }
            "discountAmount" => {
                line.discount_amount = number;
                let base = base_amount(line);
                line.discount_percent =
                    if base.is_zero() { Decimal::ZERO } else { (number / base * Decimal::ONE_HUNDRED).round_dp(5) };
            }
            "discountPercent" => {
                if number < Decimal::ZERO || number > Decimal::ONE_HUNDRED {
                    return Err(ApiError::dialog(format!(
                        "The value {number} is not within the permitted range 0..100 for Line Discount %."
                    )));
                }
                line.discount_percent = number;
                recompute_discount = true;
            }
            "taxCode" => {
                if by_code(co, MasterKind::TaxGroups, &text).is_none() {
                    return Err(ApiError::table_relation(
                        "VAT Prod. Posting Group",
                        "Sales Line",
                        &text,
                        "VAT Product Posting Group",
                    ));
                }
                line.vat_group = text;
            }
            "shipmentDate" => line.shipment_date = changes.date(prop.name).unwrap_or_else(blank_date),
            "shipQuantity" => {
                if number > line.outstanding() || number < Decimal::ZERO {
                    return Err(ApiError::dialog(format!("You cannot ship more than {} units.", line.outstanding())));
                }
                line.qty_to_ship = number;
                line.qty_to_invoice = line.qty_to_ship + line.shipped - line.invoiced;
            }
            "invoiceQuantity" => {
                let maximum = line.qty_to_ship + line.shipped - line.invoiced;
                if number > maximum || number < Decimal::ZERO {
                    return Err(ApiError::dialog(format!("You cannot invoice more than {maximum} units.")));
                }
                line.qty_to_invoice = number;
            }
            "itemVariantId" => {
                let id = changes.guid(prop.name).unwrap_or_default();
                line.variant = if id.is_nil() {
                    String::new()
                } else {
                    let variant =
                        co.variants.get(id).filter(|v| line.kind == LineKind::Item && v.item_number == line.number);
                    variant.map(|v| v.code.clone()).ok_or_else(|| {
                        ApiError::related_record_missing(
                            "Item Variant",
                            &format!("Item No.='{}',Id='{}'", line.number, al_guid(id)),
                        )
                    })?
                };
            }
            "locationId" => {
                line.location = code_for_id(
                    co,
                    MasterKind::Locations,
                    changes.guid(prop.name).unwrap_or_default(),
                    prop.name,
                    "Location",
                )?
            }
            _ => {}
        }
    }
    if recompute_discount && !discount_given {
        line.discount_amount = discount_from_percent(line);
    }
    Ok(())
}

fn set_uom(co: &Company, line: &mut SalesLine, code: String) -> ApiResult<()> {
    if by_code(co, MasterKind::UnitsOfMeasure, &code).is_none() && !code.is_empty() {
        return Err(ApiError::table_relation("Unit of Measure Code", "Sales Line", &code, "Unit of Measure"));
    }
    if line.kind == LineKind::Item {
        let base = co.items.by_key(&line.number).map(|i| i.base_uom.as_str()).unwrap_or("");
        if code != base {
            return Err(ApiError::related_record_missing(
                "Item Unit of Measure",
                &format!("Item No.='{}',Code='{code}'", line.number),
            ));
        }
    }
    line.uom = code;
    Ok(())
}

/// Fails when a PATCH tries to change what may only be set on create.
fn check_immutable(co: &Company, line: &SalesLine, changes: &Changes) -> ApiResult<()> {
    if changes.guid("documentId").is_some_and(|id| id != line.document_id) {
        return Err(ApiError::dialog("The value for \"documentId\" cannot be modified."));
    }
    if changes.int("sequence").is_some_and(|s| s != line.sequence) {
        return Err(ApiError::dialog("The value for sequence cannot be modified. Delete and insert the line again."));
    }
    let touches_identity = ["lineType", "lineObjectNumber", "itemId", "accountId"].iter().any(|p| changes.has(p));
    if touches_identity {
        let (kind, number) = identity(co, changes)?;
        let kind_changed = changes.has("lineType") && kind != line.kind;
        let number_changed = (changes.has("lineObjectNumber") || changes.has("itemId") || changes.has("accountId"))
            && number != line.number;
        if kind_changed || number_changed {
            return Err(ApiError::dialog("The value for \"lineObjectNumber\" cannot be modified."));
        }
    }
    Ok(())
}

fn open_doc(co: &Company, kind: DocKind, id: Uuid) -> ApiResult<SalesDoc> {
    let doc = co.docs(kind).get(id).cloned().ok_or_else(|| doc_not_found(kind, id))?;
    if doc.posted {
        return Err(posted_error(kind));
    }
    Ok(doc)
}

/// POST of a line under a document (or top-level with `documentId`).
pub fn create(ctx: &mut Ctx<'_>, kind: DocKind, doc_id: Option<Uuid>, changes: &Changes) -> ApiResult<Uuid> {
    let doc_id = match (doc_id, changes.guid("documentId")) {
        (Some(parent), Some(given)) if given != parent && !given.is_nil() => {
            return Err(ApiError::dialog("The value for \"documentId\" cannot be modified."))
        }
        (Some(parent), _) => parent,
        (None, Some(given)) if !given.is_nil() => given,
        _ => return Err(ApiError::dialog("You must specify a document id to create a line.")),
    };
    let mut doc = open_doc(ctx.co, kind, doc_id)?;
    let mut line = build_line(ctx.co, &doc, changes)?;
    line.meta = ctx.co.stamp();
    let id = line.id;
    doc.lines.push(line);
    doc.lines.sort_by_key(|l| l.sequence);
    store_changed(ctx.co, doc);
    Ok(id)
}

/// PATCH of a line.
pub fn update(ctx: &mut Ctx<'_>, kind: DocKind, line_id: Uuid, changes: &Changes) -> ApiResult<()> {
    let doc_id = ctx.co.docs(kind).with_line(line_id).map(|d| d.id).ok_or_else(|| not_found(line_id))?;
    let mut doc = open_doc(ctx.co, kind, doc_id)?;
    let position = doc.lines.iter().position(|l| l.id == line_id).ok_or_else(|| not_found(line_id))?;
    let old = doc.lines[position].clone();
    check_immutable(ctx.co, &old, changes)?;
    let mut line = old.clone();
    apply(ctx.co, &doc, &mut line, changes)?;
    if line == old {
        return Ok(());
    }
    line.meta = ctx.co.touch(old.meta);
    doc.lines[position] = line;
    store_changed(ctx.co, doc);
    Ok(())
}

/// DELETE of a line.
pub fn delete(ctx: &mut Ctx<'_>, kind: DocKind, line_id: Uuid) -> ApiResult<()> {
    let doc_id = ctx.co.docs(kind).with_line(line_id).map(|d| d.id).ok_or_else(|| not_found(line_id))?;
    let mut doc = open_doc(ctx.co, kind, doc_id)?;
    if let Some(line) = doc.lines.iter().find(|l| l.id == line_id && l.shipped != l.invoiced) {
        return Err(ApiError::field_validation(format!(
            "Qty. Shipped Not Invoiced must be equal to '0'  in Sales Line: Document Type=Order, Document No.={}, Line No.={}. Current value is '{}'.",
            doc.number,
            line.sequence,
            line.shipped - line.invoiced
        )));
    }
    doc.lines.retain(|l| l.id != line_id);
    store_changed(ctx.co, doc);
    Ok(())
}
