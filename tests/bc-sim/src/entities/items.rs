//! `items` (page 30008) and `itemVariants` (page 30052). `inventory` is the Item.Inventory
//! FlowField: the sum of the item's ledger entries over all locations and variants. POSTing it is
//! an error; PATCHing it posts a Positive/Negative Adjmt. entry for the difference (what the API
//! page does through an item journal line), which leaves the Item row — and its
//! `lastModifiedDateTime` — untouched.

use chrono::Utc;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::customers::check_master;
use super::ledger::post_entry;
use super::masters::{by_code, MasterRow};
use super::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::odata::body::Changes;
use crate::odata::listing::{nested, nested_one, Cursor, Row};
use crate::odata::query::Query;
use crate::odata::schema::Ty::*;
use crate::odata::schema::*;
use crate::odata::value::{al_guid, Val};
use crate::store::records::{Item, ItemVariant, LedgerEntry};
use crate::store::sales::LineKind;
use crate::store::{ChangeKind, Company, MasterKind, Series};

pub static ITEMS: SetDef = SetDef {
    name: "items",
    type_name: "item",
    namespace: "Microsoft.NAV",
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        wl("number", Code, 20),
        wl("displayName", Text, 100),
        wl("displayName2", Text, 50),
        w("type", Enum(&ITEM_TYPE)),
        w("itemCategoryId", Guid),
        wl("itemCategoryCode", Code, 20),
        w("blocked", Bool),
        wl("gtin", Code, 14),
        w("inventory", Decimal),
        w("unitPrice", Decimal),
        w("priceIncludesTax", Bool),
        w("unitCost", Decimal),
        w("taxGroupId", Guid),
        wl("taxGroupCode", Code, 20),
        w("baseUnitOfMeasureId", Guid),
        wl("baseUnitOfMeasureCode", Code, 10),
        w("generalProductPostingGroupId", Guid),
        wl("generalProductPostingGroupCode", Code, 20),
        w("inventoryPostingGroupId", Guid),
        wl("inventoryPostingGroupCode", Code, 20),
        r("lastModifiedDateTime", DateTime),
    ],
    navs: &[
        one("itemCategory", "itemCategories"),
        one("unitOfMeasure", "unitsOfMeasure"),
        many("itemVariants", "itemVariants"),
    ],
    insert: true,
    update: true,
    delete: true,
    table: "Item",
};

pub static ITEM_VARIANTS: SetDef = SetDef {
    name: "itemVariants",
    type_name: "itemVariant",
    namespace: "Microsoft.NAV",
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        w("itemId", Guid),
        wl("itemNumber", Code, 20),
        wl("code", Code, 10).not_null(),
        wl("description", Text, 100),
        r("lastModifiedDateTime", DateTime),
    ],
    navs: &[one("item", "items")],
    insert: true,
    update: true,
    delete: true,
    table: "Item Variant",
};

pub struct ItemRow<'a> {
    pub co: &'a Company,
    pub item: &'a Item,
}

fn master_id(co: &Company, kind: MasterKind, code: &str) -> Uuid {
    by_code(co, kind, code).map(|m| m.id).unwrap_or_default()
}

impl Row for ItemRow<'_> {
    fn def(&self) -> &'static SetDef {
        &ITEMS
    }

    fn get(&self, prop: &str) -> Val<'_> {
        let i = self.item;
        match prop {
            "id" => Val::Guid(i.id),
            "number" => Val::str(&i.number),
            "displayName" => Val::str(&i.description),
            "displayName2" => Val::str(&i.description2),
            "type" => Val::Enum(&ITEM_TYPE, i.item_type),
            "itemCategoryId" => Val::Guid(master_id(self.co, MasterKind::ItemCategories, &i.category)),
            "itemCategoryCode" => Val::str(&i.category),
            "blocked" => Val::Bool(i.blocked),
            "gtin" => Val::str(&i.gtin),
            "inventory" => Val::Dec(self.co.ledger.inventory(&i.number)),
            "unitPrice" => Val::Dec(i.unit_price),
            "priceIncludesTax" => Val::Bool(i.price_includes_tax),
            "unitCost" => Val::Dec(i.unit_cost),
            "taxGroupId" => Val::Guid(master_id(self.co, MasterKind::TaxGroups, &i.tax_group)),
            "taxGroupCode" => Val::str(&i.tax_group),
            "baseUnitOfMeasureId" => Val::Guid(master_id(self.co, MasterKind::UnitsOfMeasure, &i.base_uom)),
            "baseUnitOfMeasureCode" => Val::str(&i.base_uom),
            "generalProductPostingGroupId" | "inventoryPostingGroupId" => Val::Guid(Uuid::nil()),
            "generalProductPostingGroupCode" => Val::str(&i.gen_prod_group),
            "inventoryPostingGroupCode" => Val::str(&i.inventory_group),
            "lastModifiedDateTime" => Val::DateTime(i.meta.modified),
            _ => Val::str(""),
        }
    }

    fn etag(&self) -> String {
        self.item.meta.etag()
    }

    fn cursor(&self) -> Cursor {
        Cursor::Text(self.item.number.clone())
    }

    fn expand(&self, nav: &'static Nav, query: &Query) -> ApiResult<serde_json::Value> {
        let (kind, code) = match nav.name {
            "itemVariants" => return nested(variants_of(self.co, &self.item.number), query),
            "itemCategory" => (MasterKind::ItemCategories, &self.item.category),
            "unitOfMeasure" => (MasterKind::UnitsOfMeasure, &self.item.base_uom),
            other => return Err(ApiError::syntax(format!("Could not find a property named '{other}'."))),
        };
        let record = by_code(self.co, kind, code);
        nested_one(record.map(|record| MasterRow { co: self.co, kind, record }), query)
    }
}

pub struct VariantRow<'a> {
    pub co: &'a Company,
    pub variant: &'a ItemVariant,
}

impl Row for VariantRow<'_> {
    fn def(&self) -> &'static SetDef {
        &ITEM_VARIANTS
    }

    fn get(&self, prop: &str) -> Val<'_> {
        let v = self.variant;
        match prop {
            "id" => Val::Guid(v.id),
            "itemId" => Val::Guid(self.co.items.by_key(&v.item_number).map(|i| i.id).unwrap_or_default()),
            "itemNumber" => Val::str(&v.item_number),
            "code" => Val::str(&v.code),
            "description" => Val::str(&v.description),
            "lastModifiedDateTime" => Val::DateTime(v.meta.modified),
            _ => Val::str(""),
        }
    }

    fn etag(&self) -> String {
        self.variant.meta.etag()
    }

    fn cursor(&self) -> Cursor {
        Cursor::Text(format!("{}\t{}", self.variant.item_number, self.variant.code))
    }

    fn expand(&self, nav: &'static Nav, query: &Query) -> ApiResult<serde_json::Value> {
        match nav.name {
            "item" => nested_one(
                self.co.items.by_key(&self.variant.item_number).map(|item| ItemRow { co: self.co, item }),
                query,
            ),
            other => Err(ApiError::syntax(format!("Could not find a property named '{other}'."))),
        }
    }
}

pub fn variants_of<'a>(co: &'a Company, item: &'a str) -> impl Iterator<Item = VariantRow<'a>> + 'a {
    co.variants.iter().filter(move |v| v.item_number == item).map(move |variant| VariantRow { co, variant })
}

pub fn blank_item(id: Uuid, meta: crate::store::Meta) -> Item {
    Item {
        id,
        meta,
        number: String::new(),
        description: String::new(),
        description2: String::new(),
        item_type: 0,
        category: String::new(),
        blocked: false,
        gtin: String::new(),
        unit_price: Decimal::ZERO,
        price_includes_tax: false,
        unit_cost: Decimal::ZERO,
        tax_group: String::new(),
        base_uom: String::new(),
        gen_prod_group: String::new(),
        inventory_group: String::new(),
    }
}

/// Code from an `…Id`/`…Code` pair of properties, which must agree.
fn code_pair(
    co: &Company,
    kind: MasterKind,
    changes: &Changes,
    id_prop: &str,
    code_prop: &str,
    current: &str,
    what: &str,
) -> ApiResult<String> {
    let by_id = match changes.guid(id_prop) {
        Some(id) if id.is_nil() => Some(String::new()),
        Some(id) => Some(
            co.master(kind)
                .get(id)
                .map(|m| m.key.clone())
                .ok_or_else(|| ApiError::dialog(format!("The \"{id_prop}\" does not match to a {what}.")))?,
        ),
        None => None,
    };
    let by_code = changes.text(code_prop).map(str::to_string);
    if let Some(code) = &by_code {
        check_master(co, kind, code, what, "Item", what)?;
    }
    match (by_id, by_code) {
        (Some(a), Some(b)) if a != b => {
            Err(ApiError::dialog(format!("The {what} values do not match to a specific {what}.")))
        }
        (Some(a), _) | (None, Some(a)) => Ok(a),
        (None, None) => Ok(current.to_string()),
    }
}

fn apply(co: &Company, item: &mut Item, changes: &Changes) -> ApiResult<()> {
    for (prop, value) in &changes.values {
        let text = value.as_str().unwrap_or("").to_string();
        match prop.name {
            "number" => item.number = text,
            "displayName" => item.description = text,
            "displayName2" => item.description2 = text,
            "type" => item.item_type = changes.enum_index("type").unwrap_or(0),
            "blocked" => item.blocked = changes.bool("blocked").unwrap_or(false),
            "gtin" => item.gtin = text,
            "unitPrice" => item.unit_price = changes.decimal("unitPrice").unwrap_or_default(),
            "priceIncludesTax" => item.price_includes_tax = changes.bool("priceIncludesTax").unwrap_or(false),
            "unitCost" => item.unit_cost = changes.decimal("unitCost").unwrap_or_default(),
            "generalProductPostingGroupCode" => item.gen_prod_group = text,
            "inventoryPostingGroupCode" => item.inventory_group = text,
            _ => {}
        }
    }
    item.category = code_pair(
        co,
        MasterKind::ItemCategories,
        changes,
        "itemCategoryId",
        "itemCategoryCode",
        &item.category,
        "Item Category",
    )?;
    item.tax_group =
        code_pair(co, MasterKind::TaxGroups, changes, "taxGroupId", "taxGroupCode", &item.tax_group, "Tax Group")?;
    item.base_uom = code_pair(
        co,
        MasterKind::UnitsOfMeasure,
        changes,
        "baseUnitOfMeasureId",
        "baseUnitOfMeasureCode",
        &item.base_uom,
        "Unit of Measure",
    )?;
    Ok(())
}

/// POST items.
pub fn create(ctx: &mut Ctx<'_>, changes: &Changes) -> ApiResult<Uuid> {
    if changes.has("inventory") {
        return Err(ApiError::dialog("Inventory cannot be changed during on insert."));
    }
    let mut item = blank_item(Uuid::new_v4(), ctx.co.meta);
    apply(ctx.co, &mut item, changes)?;
    insert(ctx.co, item)
}

pub fn insert(co: &mut Company, mut item: Item) -> ApiResult<Uuid> {
    if item.number.is_empty() {
        loop {
            let number = co.next_number(Series::Item);
            if !co.items.contains_key(&number) {
                item.number = number;
                break;
            }
        }
    } else if !co.setup.manual_numbers {
        return Err(ApiError::dialog(
            "You may not enter numbers manually. If you want to enter numbers manually, please activate Manual Nos. in No. Series ITEM.",
        ));
    } else if co.items.contains_key(&item.number) {
        return Err(ApiError::already_exists("Item", &format!("No.='{}'", item.number)));
    }
    item.meta = co.stamp();
    let id = item.id;
    co.items.insert(item);
    co.record_change("items", id, ChangeKind::Created);
    Ok(id)
}

/// PATCH items(<id>); `inventory` posts an adjustment for the difference.
pub fn update(ctx: &mut Ctx<'_>, id: Uuid, changes: &Changes) -> ApiResult<()> {
    let old = ctx.co.items.get(id).cloned().ok_or_else(|| not_found(id))?;
    let mut new = old.clone();
    apply(ctx.co, &mut new, changes)?;
    let adjustment = match changes.decimal("inventory") {
        Some(target) => {
            if new.item_type != 0 {
                return Err(ApiError::field_validation(format!(
                    "Type must be equal to 'Inventory'  in Item: No.={}. Current value is '{}'.",
                    new.number,
                    crate::odata::value::unescape_member(ITEM_TYPE.member(new.item_type))
                )));
            }
            target - ctx.co.ledger.inventory(&old.number)
        }
        None => Decimal::ZERO,
    };
    if new != old {
        if new.number != old.number {
            if new.number.is_empty() || ctx.co.items.contains_key(&new.number) {
                return Err(ApiError::already_exists("Item", &format!("No.='{}'", new.number)));
            }
            rename(ctx.co, &old.number, &new.number);
        }
        new.meta = ctx.co.touch(old.meta);
        ctx.co.items.replace(new.clone());
        ctx.co.record_change("items", id, ChangeKind::Updated);
    }
    if !adjustment.is_zero() {
        let entry_type = if adjustment > Decimal::ZERO { 2 } else { 3 };
        post_entry(
            ctx.co,
            LedgerEntry {
                id: Uuid::new_v4(),
                meta: ctx.co.meta,
                entry_number: 0,
                item_number: new.number.clone(),
                posting_date: Utc::now().date_naive(),
                entry_type,
                source_number: String::new(),
                source_type: 0,
                document_number: new.number.clone(),
                document_type: 0,
                description: new.description.clone(),
                quantity: adjustment,
                sales_amount: Decimal::ZERO,
                cost_amount: adjustment * new.unit_cost,
                location: String::new(),
                variant: String::new(),
            },
        )?;
    }
    Ok(())
}

/// BC renames related records with the item.
fn rename(co: &mut Company, old: &str, new: &str) {
    co.ledger.rename_item(old, new);
    let variants: Vec<ItemVariant> = co.variants.iter().filter(|v| v.item_number == old).cloned().collect();
    for mut variant in variants {
        variant.item_number = new.to_string();
        co.variants.replace(variant);
    }
    super::documents::rename_line_numbers(co, LineKind::Item, old, new);
}

/// DELETE items(<id>).
pub fn delete(ctx: &mut Ctx<'_>, id: Uuid) -> ApiResult<()> {
    let item = ctx.co.items.get(id).cloned().ok_or_else(|| not_found(id))?;
    let open_line =
        ctx.co.orders.iter().any(|d| d.lines.iter().any(|l| l.kind == LineKind::Item && l.number == item.number));
    if open_line {
        return Err(ApiError::dialog(format!(
            "You cannot delete Item {} because there is at least one outstanding Sales Order that includes this item.",
            item.number
        )));
    }
    if ctx.co.ledger.has_entries(&item.number) {
        return Err(ApiError::dialog(format!(
            "You cannot delete Item {} because it has ledger entries in a fiscal year that has not been closed yet.",
            item.number
        )));
    }
    ctx.co.items.remove(id);
    let variants: Vec<Uuid> = ctx.co.variants.iter().filter(|v| v.item_number == item.number).map(|v| v.id).collect();
    for variant in variants {
        ctx.co.variants.remove(variant);
    }
    ctx.co.record_change("items", id, ChangeKind::Deleted);
    Ok(())
}

pub fn not_found(id: Uuid) -> ApiError {
    ApiError::record_not_found("Item", &format!("Id='{}'", al_guid(id)))
}

/// Item number from `itemId`/`itemNumber` (or the parent item of `items(<id>)/itemVariants`).
fn variant_item(co: &Company, changes: &Changes, parent: Option<Uuid>) -> ApiResult<Option<String>> {
    let by_id = match changes.guid("itemId").or(parent) {
        Some(id) => Some(
            co.items
                .get(id)
                .map(|i| i.number.clone())
                .ok_or_else(|| ApiError::dialog("The \"itemId\" does not match to an Item."))?,
        ),
        None => None,
    };
    let by_number = match changes.text("itemNumber") {
        Some(number) => {
            if co.items.by_key(number).is_none() {
                return Err(ApiError::dialog("The \"itemNumber\" does not match to an Item."));
            }
            Some(number.to_string())
        }
        None => None,
    };
    match (by_id, by_number) {
        (Some(a), Some(b)) if a != b => Err(ApiError::dialog("The item values do not match to a specific Item.")),
        (Some(a), _) | (None, Some(a)) => Ok(Some(a)),
        (None, None) => Ok(None),
    }
}

/// POST itemVariants or items(<id>)/itemVariants.
pub fn create_variant(ctx: &mut Ctx<'_>, changes: &Changes, parent: Option<Uuid>) -> ApiResult<Uuid> {
    let item = variant_item(ctx.co, changes, parent)?
        .ok_or_else(|| ApiError::dialog("The \"itemId\" does not match to an Item."))?;
    let code = changes.text("code").unwrap_or("").to_string();
    if code.is_empty() {
        return Err(ApiError::required("code"));
    }
    let variant = ItemVariant {
        id: Uuid::new_v4(),
        meta: ctx.co.stamp(),
        item_number: item,
        code,
        description: changes.text("description").unwrap_or("").to_string(),
    };
    if ctx.co.variants.contains_key(&crate::store::Record::key(&variant)) {
        return Err(ApiError::already_exists(
            "Item Variant",
            &format!("Item No.='{}',Code='{}'", variant.item_number, variant.code),
        ));
    }
    let id = variant.id;
    ctx.co.variants.insert(variant);
    Ok(id)
}

/// PATCH itemVariants(<id>): description and code; the item cannot change.
pub fn update_variant(ctx: &mut Ctx<'_>, id: Uuid, changes: &Changes) -> ApiResult<()> {
    let old = ctx.co.variants.get(id).cloned().ok_or_else(|| variant_not_found(id))?;
    if let Some(item) = variant_item(ctx.co, changes, None)? {
        if item != old.item_number {
            return Err(ApiError::dialog("The \"itemId\" cannot be modified."));
        }
    }
    let mut new = old.clone();
    if let Some(code) = changes.text("code") {
        if code.is_empty() {
            return Err(ApiError::required("code"));
        }
        new.code = code.to_string();
    }
    if let Some(description) = changes.text("description") {
        new.description = description.to_string();
    }
    if new == old {
        return Ok(());
    }
    if new.code != old.code && ctx.co.variants.contains_key(&crate::store::Record::key(&new)) {
        return Err(ApiError::already_exists(
            "Item Variant",
            &format!("Item No.='{}',Code='{}'", new.item_number, new.code),
        ));
    }
    new.meta = ctx.co.touch(old.meta);
    ctx.co.variants.replace(new);
    Ok(())
}

pub fn delete_variant(ctx: &mut Ctx<'_>, id: Uuid) -> ApiResult<()> {
    ctx.co.variants.remove(id).map(|_| ()).ok_or_else(|| variant_not_found(id))
}

pub fn variant_not_found(id: Uuid) -> ApiError {
    ApiError::record_not_found("Item Variant", &format!("Id='{}'", al_guid(id)))
}
