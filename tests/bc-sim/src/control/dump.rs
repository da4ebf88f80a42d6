//! Reading everything back: every record of an entity set as the API shows it, plus what BC
//! stores but API v2.0 hides (price groups, ship-to codes, ledger locations and variants) under
//! `_sim`.

use serde_json::{json, Value};

use crate::entities::customers::CustomerRow;
use crate::entities::documents::{lines_nav, DocRow};
use crate::entities::items::{ItemRow, VariantRow};
use crate::entities::ledger::LedgerRow;
use crate::entities::lines::LineRow;
use crate::entities::masters::{self, MasterRow};
use crate::error::{ApiError, ApiResult};
use crate::odata::listing::{entity_json, Row};
use crate::odata::query::Query;
use crate::store::Company;

pub(super) fn json_of<R: Row>(row: &R) -> Value {
    entity_json(row, &Query::default()).map(Value::Object).unwrap_or(Value::Null)
}

/// A row's API JSON plus the fields BC keeps but API v2.0 does not show, under `_sim`.
pub(super) fn with_hidden(mut value: Value, hidden: Value) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert("_sim".into(), hidden);
    }
    value
}

/// Every record of one entity set of a company, as the API shows it (plus `_sim`).
pub fn dump_set(co: &Company, set: &str) -> ApiResult<Vec<Value>> {
    if let Some(kind) = masters::kind_of(set) {
        return Ok(co.master(kind).iter().map(|record| json_of(&MasterRow { co, kind, record })).collect());
    }
    if let Some(kind) = crate::entities::documents::kind_of(set) {
        return Ok(co
            .docs(kind)
            .iter()
            .map(|doc| {
                let lines: Vec<Value> = doc
                    .lines
                    .iter()
                    .map(|line| {
                        with_hidden(
                            json_of(&LineRow { co, doc, line }),
                            json!({"locationCode": line.location, "variantCode": line.variant}),
                        )
                    })
                    .collect();
                let dimensions: Vec<Value> =
                    crate::entities::dimensions::dimension_rows(co, doc, None).map(|r| json_of(&r)).collect();
                let mut value = json_of(&DocRow { co, doc });
                if let Value::Object(map) = &mut value {
                    map.insert(lines_nav(kind).into(), Value::Array(lines));
                    map.insert("dimensionSetLines".into(), Value::Array(dimensions));
                }
                with_hidden(
                    value,
                    json!({
                        "customerPriceGroup": doc.price_group,
                        "shipToCode": doc.ship_to_code,
                        "locationCode": doc.location,
                        "yourReference": doc.your_reference,
                        "posted": doc.posted,
                    }),
                )
            })
            .collect());
    }
    Ok(match set {
        "customers" => co
            .customers
            .iter()
            .map(|customer| {
                with_hidden(
                    json_of(&CustomerRow { co, customer }),
                    json!({
                        "customerPriceGroup": customer.price_group,
                        "postingGroups": {"customer": customer.posting_groups[0], "genBus": customer.posting_groups[1], "vatBus": customer.posting_groups[2]},
                        "pricesIncludingVat": customer.prices_including_vat,
                        "locationCode": customer.location,
                        "defaultDimensions": customer.default_dimensions,
                        "shipToCodes": customer.ship_to.iter().map(|s| s.code.clone()).collect::<Vec<_>>(),
                        "shipTo": customer.ship_to.iter().map(|s| json!({
                            "code": s.code, "name": s.name, "address": s.address, "address2": s.address2,
                            "city": s.city, "county": s.county, "postCode": s.post_code, "country": s.country,
                            "contact": s.contact, "phone": s.phone, "email": s.email,
                        })).collect::<Vec<_>>(),
                    }),
                )
            })
            .collect(),
        "items" => co.items.iter().map(|item| json_of(&ItemRow { co, item })).collect(),
        "itemVariants" => co.variants.iter().map(|variant| json_of(&VariantRow { co, variant })).collect(),
        "itemLedgerEntries" => co
            .ledger
            .entries
            .iter()
            .map(|entry| {
                with_hidden(
                    json_of(&LedgerRow { entry }),
                    json!({"locationCode": entry.location, "variantCode": entry.variant}),
                )
            })
            .collect(),
        other => return Err(ApiError::resource_not_found(other)),
    })
}

/// Entity sets included in a full dump.
pub(super) const DUMP_SETS: &[&str] = &[
    "customers",
    "items",
    "itemVariants",
    "itemLedgerEntries",
    "salesOrders",
    "salesInvoices",
    "salesCreditMemos",
    "salesShipments",
];
