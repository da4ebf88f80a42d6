//! `companies`: read-only, listed without a company context; every other entity lives under one.

use uuid::Uuid;

use crate::odata::listing::{Cursor, Row};
use crate::odata::schema::Ty::*;
use crate::odata::schema::*;
use crate::odata::value::Val;
use crate::store::Company;

/// What a current BC reports as `systemVersion`.
pub const SYSTEM_VERSION: &str = "26.0.30643.32481";

pub static COMPANIES: SetDef = SetDef {
    name: "companies",
    type_name: "company",
    namespace: "Microsoft.NAV",
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        r("systemVersion", Text),
        r("timestamp", Int64),
        rl("name", Text, 30),
        rl("displayName", Text, 250),
        rl("businessProfileId", Text, 250),
        r("systemCreatedAt", DateTime),
        r("systemCreatedBy", Guid),
        r("systemModifiedAt", DateTime),
        r("systemModifiedBy", Guid),
    ],
    navs: &[],
    insert: false,
    update: false,
    delete: false,
    table: "Company",
};

pub struct CompanyRow<'a> {
    pub company: &'a Company,
}

impl Row for CompanyRow<'_> {
    fn def(&self) -> &'static SetDef {
        &COMPANIES
    }

    fn get(&self, prop: &str) -> Val<'_> {
        let c = self.company;
        match prop {
            "id" => Val::Guid(c.id),
            "systemVersion" => Val::str(SYSTEM_VERSION),
            "timestamp" => Val::Int(i64::try_from(c.meta.rv).unwrap_or(i64::MAX)),
            "name" => Val::str(&c.name),
            "displayName" => Val::str(&c.display_name),
            "businessProfileId" => Val::str(""),
            "systemCreatedAt" => Val::DateTime(c.meta.created),
            "systemModifiedAt" => Val::DateTime(c.meta.modified),
            "systemCreatedBy" | "systemModifiedBy" => Val::Guid(Uuid::nil()),
            _ => Val::str(""),
        }
    }

    fn etag(&self) -> String {
        self.company.meta.etag()
    }

    fn cursor(&self) -> Cursor {
        Cursor::Text(self.company.name.clone())
    }
}
