//! Lookup tables as API v2.0 exposes them: paymentTerms, paymentMethods, shipmentMethods,
//! locations, currencies, countriesRegions, accounts (G/L, read-only), taxGroups, dimensions and
//! dimensionValues (read-only), unitsOfMeasure, itemCategories, customerReturnReasons. Their
//! records are generic: properties are stored by name, checked by the set's schema.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::odata::body::{blank, Changes};
use crate::odata::listing::{nested, nested_one, Cursor, Row};
use crate::odata::query::Query;
use crate::odata::schema::Ty::*;
use crate::odata::schema::*;
use crate::odata::value::Val;
use crate::store::records::Master;
use crate::store::{ChangeKind, Company, MasterKind};

const NS: &str = "Microsoft.NAV";

const fn set(
    name: &'static str,
    type_name: &'static str,
    props: &'static [Prop],
    navs: &'static [Nav],
    writable: bool,
    table: &'static str,
) -> SetDef {
    SetDef {
        name,
        type_name,
        namespace: NS,
        key: &["id"],
        props,
        navs,
        insert: writable,
        update: writable,
        delete: writable,
        table,
    }
}

pub static PAYMENT_TERMS: SetDef = set(
    "paymentTerms",
    "paymentTerm",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 10).not_null(),
        wl("displayName", Text, 100),
        w("dueDateCalculation", Text),
        w("discountDateCalculation", Text),
        w("discountPercent", Decimal),
        w("calculateDiscountOnCreditMemos", Bool),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Payment Terms",
);

pub static PAYMENT_METHODS: SetDef = set(
    "paymentMethods",
    "paymentMethod",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 10).not_null(),
        wl("displayName", Text, 100),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Payment Method",
);

pub static SHIPMENT_METHODS: SetDef = set(
    "shipmentMethods",
    "shipmentMethod",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 10).not_null(),
        wl("displayName", Text, 100),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Shipment Method",
);

pub static LOCATIONS: SetDef = set(
    "locations",
    "location",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 10).not_null(),
        wl("displayName", Text, 100),
        wl("contact", Text, 100),
        wl("addressLine1", Text, 100),
        wl("addressLine2", Text, 50),
        wl("city", Text, 30),
        wl("state", Text, 30),
        wl("country", Code, 10),
        wl("postalCode", Code, 20),
        wl("phoneNumber", Text, 30),
        wl("email", Text, 80),
        wl("website", Text, 90),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Location",
);

pub static CURRENCIES: SetDef = set(
    "currencies",
    "currency",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 10).not_null(),
        wl("displayName", Text, 30),
        wl("symbol", Text, 10),
        wl("amountDecimalPlaces", Text, 5).not_null(),
        w("amountRoundingPrecision", Decimal),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Currency",
);

pub static COUNTRIES_REGIONS: SetDef = set(
    "countriesRegions",
    "countryRegion",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 10).not_null(),
        wl("displayName", Text, 50),
        w("addressFormat", Enum(&ADDRESS_FORMAT)),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Country/Region",
);

pub static ACCOUNTS: SetDef = set(
    "accounts",
    "account",
    &[
        r("id", Guid).not_null(),
        rl("number", Code, 20).not_null(),
        rl("displayName", Text, 100),
        r("category", Enum(&GL_ACCOUNT_CATEGORY)),
        rl("subCategory", Text, 80),
        r("blocked", Bool),
        r("accountType", Enum(&GL_ACCOUNT_TYPE)),
        r("directPosting", Bool),
        r("netChange", Decimal),
        r("consolidationTranslationMethod", Text),
        rl("consolidationDebitAccount", Code, 20),
        rl("consolidationCreditAccount", Code, 20),
        r("excludeFromConsolidation", Bool),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    false,
    "G/L Account",
);

pub static TAX_GROUPS: SetDef = set(
    "taxGroups",
    "taxGroup",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 20).not_null(),
        wl("displayName", Text, 100),
        r("taxType", Enum(&TAX_TYPE)),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Tax Group",
);

pub static DIMENSIONS: SetDef = set(
    "dimensions",
    "dimension",
    &[
        r("id", Guid).not_null(),
        rl("code", Code, 20).not_null(),
        rl("displayName", Text, 30),
        rl("consolidationCode", Code, 20),
        r("lastModifiedDateTime", DateTime),
    ],
    &[many("dimensionValues", "dimensionValues")],
    false,
    "Dimension",
);

pub static DIMENSION_VALUES: SetDef = set(
    "dimensionValues",
    "dimensionValue",
    &[
        r("id", Guid).not_null(),
        rl("code", Code, 20).not_null(),
        r("dimensionId", Guid),
        rl("displayName", Text, 50),
        rl("consolidationCode", Code, 20),
        r("lastModifiedDateTime", DateTime),
    ],
    &[one("dimension", "dimensions")],
    false,
    "Dimension Value",
);

pub static UNITS_OF_MEASURE: SetDef = set(
    "unitsOfMeasure",
    "unitOfMeasure",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 10).not_null(),
        wl("displayName", Text, 50),
        wl("internationalStandardCode", Code, 10),
        wl("symbol", Text, 10),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Unit of Measure",
);

pub static ITEM_CATEGORIES: SetDef = set(
    "itemCategories",
    "itemCategory",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 20).not_null(),
        wl("displayName", Text, 100),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Item Category",
);

pub static RETURN_REASONS: SetDef = set(
    "customerReturnReasons",
    "customerReturnReason",
    &[
        r("id", Guid).not_null(),
        wl("code", Code, 10).not_null(),
        wl("description", Text, 100),
        r("lastModifiedDateTime", DateTime),
    ],
    &[],
    true,
    "Reason Code",
);

pub fn def(kind: MasterKind) -> &'static SetDef {
    match kind {
        MasterKind::PaymentTerms => &PAYMENT_TERMS,
        MasterKind::PaymentMethods => &PAYMENT_METHODS,
        MasterKind::ShipmentMethods => &SHIPMENT_METHODS,
        MasterKind::Locations => &LOCATIONS,
        MasterKind::Currencies => &CURRENCIES,
        MasterKind::CountriesRegions => &COUNTRIES_REGIONS,
        MasterKind::Accounts => &ACCOUNTS,
        MasterKind::TaxGroups => &TAX_GROUPS,
        MasterKind::Dimensions => &DIMENSIONS,
        MasterKind::DimensionValues => &DIMENSION_VALUES,
        MasterKind::UnitsOfMeasure => &UNITS_OF_MEASURE,
        MasterKind::ItemCategories => &ITEM_CATEGORIES,
        MasterKind::CustomerReturnReasons => &RETURN_REASONS,
    }
}

pub fn kind_of(set: &str) -> Option<MasterKind> {
    MasterKind::ALL.into_iter().find(|k| def(*k).name == set)
}

/// The property holding the record's code (`number` for G/L accounts).
fn code_prop(kind: MasterKind) -> &'static str {
    if kind == MasterKind::Accounts {
        "number"
    } else {
        "code"
    }
}

/// Builds a master record from seed values.
pub fn seeded(kind: MasterKind, id: Uuid, meta: crate::store::Meta, values: &[(&'static str, Val<'static>)]) -> Master {
    let fields: BTreeMap<&'static str, Val<'static>> = values.iter().cloned().collect();
    let mut master = Master { id, meta, key: String::new(), fields };
    master.key = key_of(kind, &master, None);
    master
}

/// Primary key: the code; dimension values are keyed by dimension code and code.
fn key_of(kind: MasterKind, master: &Master, dimension_code: Option<&str>) -> String {
    let code = master.text(code_prop(kind));
    match (kind, dimension_code) {
        (MasterKind::DimensionValues, Some(dimension)) => format!("{dimension}\t{code}"),
        (MasterKind::DimensionValues, None) => master.key.clone(),
        _ => code.to_string(),
    }
}

pub struct MasterRow<'a> {
    pub co: &'a Company,
    pub kind: MasterKind,
    pub record: &'a Master,
}

impl Row for MasterRow<'_> {
    fn def(&self) -> &'static SetDef {
        def(self.kind)
    }

    fn get(&self, prop: &str) -> Val<'_> {
        match prop {
            "id" => Val::Guid(self.record.id),
            "lastModifiedDateTime" => Val::DateTime(self.record.meta.modified),
            name => match self.record.value(name) {
                Some(value) => value,
                None => self.def().prop(name).map(blank).unwrap_or(Val::str("")),
            },
        }
    }

    fn etag(&self) -> String {
        self.record.meta.etag()
    }

    fn cursor(&self) -> Cursor {
        Cursor::Text(self.record.key.clone())
    }

    fn expand(&self, nav: &'static Nav, query: &Query) -> ApiResult<serde_json::Value> {
        match (self.kind, nav.name) {
            (MasterKind::Dimensions, "dimensionValues") => nested(dimension_values(self.co, self.record.id), query),
            (MasterKind::DimensionValues, "dimension") => {
                let dimension = match self.record.value("dimensionId") {
                    Some(Val::Guid(id)) => self.co.master(MasterKind::Dimensions).get(id),
                    _ => None,
                };
                nested_one(dimension.map(|d| MasterRow { co: self.co, kind: MasterKind::Dimensions, record: d }), query)
            }
            _ => Err(ApiError::syntax(format!("Could not find a property named '{}'.", nav.name))),
        }
    }
}

/// The values of one dimension, in code order.
pub fn dimension_values(co: &Company, dimension_id: Uuid) -> impl Iterator<Item = MasterRow<'_>> + '_ {
    co.master(MasterKind::DimensionValues)
        .iter()
        .filter(move |v| v.value("dimensionId") == Some(Val::Guid(dimension_id)))
        .map(move |record| MasterRow { co, kind: MasterKind::DimensionValues, record })
}

/// Looks a master record up by code.
pub fn by_code<'a>(co: &'a Company, kind: MasterKind, code: &str) -> Option<&'a Master> {
    co.master(kind).by_key(code)
}

/// Creates a record from a validated POST body.
pub fn create(ctx: &mut Ctx<'_>, kind: MasterKind, changes: &Changes) -> ApiResult<Uuid> {
    let code = changes.text(code_prop(kind)).unwrap_or("").to_string();
    if code.is_empty() {
        return Err(ApiError::required(code_prop(kind)));
    }
    if ctx.co.master(kind).contains_key(&code) {
        return Err(ApiError::already_exists(def(kind).table, &format!("Code='{code}'")));
    }
    check_relations(ctx.co, changes)?;
    let meta = ctx.co.stamp();
    let id = Uuid::new_v4();
    let mut master = Master { id, meta, key: code, fields: BTreeMap::new() };
    for (prop, value) in &changes.values {
        master.fields.insert(prop.name, value.clone());
    }
    ctx.co.master_mut(kind).insert(master);
    ctx.co.record_change(def(kind).name, id, ChangeKind::Created);
    Ok(id)
}

/// Applies a validated PATCH body.
pub fn update(ctx: &mut Ctx<'_>, kind: MasterKind, id: Uuid, changes: &Changes) -> ApiResult<()> {
    let old = ctx.co.master(kind).get(id).cloned().ok_or_else(|| not_found(kind, id))?;
    let mut new = old.clone();
    for (prop, value) in &changes.values {
        new.fields.insert(prop.name, value.clone());
    }
    let code = new.text(code_prop(kind)).to_string();
    if code.is_empty() {
        return Err(ApiError::required(code_prop(kind)));
    }
    if code != old.key && ctx.co.master(kind).contains_key(&code) {
        return Err(ApiError::already_exists(def(kind).table, &format!("Code='{code}'")));
    }
    check_relations(ctx.co, changes)?;
    new.key = code;
    if new == old {
        return Ok(());
    }
    new.meta = ctx.co.touch(old.meta);
    ctx.co.master_mut(kind).replace(new);
    ctx.co.record_change(def(kind).name, id, ChangeKind::Updated);
    Ok(())
}

pub fn delete(ctx: &mut Ctx<'_>, kind: MasterKind, id: Uuid) -> ApiResult<()> {
    ctx.co.master_mut(kind).remove(id).ok_or_else(|| not_found(kind, id))?;
    ctx.co.record_change(def(kind).name, id, ChangeKind::Deleted);
    Ok(())
}

fn check_relations(co: &Company, changes: &Changes) -> ApiResult<()> {
    if let Some(country) = changes.text("country").filter(|c| !c.is_empty()) {
        if by_code(co, MasterKind::CountriesRegions, country).is_none() {
            return Err(ApiError::table_relation("Country/Region Code", "Location", country, "Country/Region"));
        }
    }
    Ok(())
}

pub fn not_found(kind: MasterKind, id: Uuid) -> ApiError {
    ApiError::record_not_found(def(kind).table, &format!("Id='{}'", crate::odata::value::al_guid(id)))
}
