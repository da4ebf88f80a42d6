//! `dimensionSetLines` (page 30022 over a temporary buffer): the dimension set of a document or
//! line, one row per dimension, keyed by the **dimension's** id. Only reachable under a parent.

use uuid::Uuid;

use super::masters::by_code;
use crate::odata::listing::{Cursor, Row};
use crate::odata::schema::Ty::*;
use crate::odata::schema::*;
use crate::odata::value::Val;
use crate::store::sales::{DocKind, SalesDoc, SalesLine};
use crate::store::{Company, MasterKind};

pub static DIMENSION_SET_LINES: SetDef = SetDef {
    name: "dimensionSetLines",
    type_name: "dimensionSetLine",
    namespace: "Microsoft.NAV",
    key: &["id"],
    props: &[
        w("id", Guid).not_null(),
        wl("code", Code, 20).not_null(),
        rl("consolidationCode", Code, 20),
        r("parentId", Guid),
        r("parentType", Enum(&DIMENSION_PARENT_TYPE)),
        wl("displayName", Text, 30),
        w("valueId", Guid),
        wl("valueCode", Code, 20),
        rl("valueConsolidationCode", Code, 20),
        wl("valueDisplayName", Text, 50),
    ],
    navs: &[],
    insert: true,
    update: true,
    delete: true,
    table: "Dimension Set Entry Buffer",
};

/// `parentType` member index for a document or one of its lines.
pub fn parent_type(kind: DocKind, line: bool) -> usize {
    let name = match (kind, line) {
        (DocKind::Order, false) => "Sales_x0020_Order",
        (DocKind::Order, true) => "Sales_x0020_Order_x0020_Line",
        (DocKind::Invoice, false) => "Sales_x0020_Invoice",
        (DocKind::Invoice, true) => "Sales_x0020_Invoice_x0020_Line",
        (DocKind::CreditMemo, false) => "Sales_x0020_Credit_x0020_Memo",
        (DocKind::CreditMemo, true) => "Sales_x0020_Credit_x0020_Memo_x0020_Line",
        (DocKind::Shipment, false) => "Sales_x0020_Shipment",
        (DocKind::Shipment, true) => "Sales_x0020_Shipment_x0020_Line",
    };
    DIMENSION_PARENT_TYPE.index_of(name).unwrap_or(0)
}

pub struct DimRow<'a> {
    pub co: &'a Company,
    pub parent_id: Uuid,
    pub parent_type: usize,
    pub code: &'a str,
    pub value: &'a str,
}

impl DimRow<'_> {
    fn dimension(&self) -> Option<&crate::store::records::Master> {
        by_code(self.co, MasterKind::Dimensions, self.code)
    }

    fn dimension_value(&self) -> Option<&crate::store::records::Master> {
        by_code(self.co, MasterKind::DimensionValues, &format!("{}\t{}", self.code, self.value))
    }
}

impl Row for DimRow<'_> {
    fn def(&self) -> &'static SetDef {
        &DIMENSION_SET_LINES
    }

    fn get(&self, prop: &str) -> Val<'_> {
        let text = |record: Option<&crate::store::records::Master>, name: &str| {
            Val::owned(record.map(|m| m.text(name).to_string()).unwrap_or_default())
        };
        match prop {
            "id" => Val::Guid(self.dimension().map(|d| d.id).unwrap_or_default()),
            "code" => Val::str(self.code),
            "consolidationCode" => text(self.dimension(), "consolidationCode"),
            "parentId" => Val::Guid(self.parent_id),
            "parentType" => Val::Enum(&DIMENSION_PARENT_TYPE, self.parent_type),
            "displayName" => text(self.dimension(), "displayName"),
            "valueId" => Val::Guid(self.dimension_value().map(|v| v.id).unwrap_or_default()),
            "valueCode" => Val::str(self.value),
            "valueConsolidationCode" => text(self.dimension_value(), "consolidationCode"),
            "valueDisplayName" => text(self.dimension_value(), "displayName"),
            _ => Val::str(""),
        }
    }

    /// The buffer is rebuilt on every read; its ETag follows the parent's row version.
    fn etag(&self) -> String {
        line_etag(self.parent_id, self.code, self.value)
    }

    fn cursor(&self) -> Cursor {
        Cursor::Text(self.code.to_string())
    }
}

/// A stable ETag for a dimension set line: it changes when its value changes.
pub fn line_etag(parent: Uuid, code: &str, value: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parent.as_bytes().iter().chain(code.as_bytes()).chain(b"\t").chain(value.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    crate::store::Meta { rv: hash >> 1, created: chrono::Utc::now(), modified: chrono::Utc::now() }.etag()
}

/// The dimension set of a document (`line: None`) or of one of its lines, in dimension code order.
pub fn dimension_rows<'a>(
    co: &'a Company,
    doc: &'a SalesDoc,
    line: Option<&'a SalesLine>,
) -> impl Iterator<Item = DimRow<'a>> + 'a {
    let (dims, parent_id) = match line {
        Some(line) => (&line.dimensions, line.id),
        None => (&doc.dimensions, doc.id),
    };
    let parent_type = parent_type(doc.kind, line.is_some());
    let mut sorted: Vec<&(String, String)> = dims.iter().collect();
    sorted.sort();
    sorted.into_iter().map(move |(code, value)| DimRow { co, parent_id, parent_type, code, value })
}
