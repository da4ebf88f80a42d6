//! `customers` (page 30009 over table Customer): properties, validation on write (table
//! relations, phone numbers without letters, e-mail format, currency id/code agreement, number
//! series), deletion rules. The Customer Card page reuses `apply` for the fields both share.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::masters::{by_code, MasterRow};
use super::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::odata::body::Changes;
use crate::odata::listing::{nested_one, Cursor, Row};
use crate::odata::query::Query;
use crate::odata::schema::Ty::*;
use crate::odata::schema::*;
use crate::odata::value::{al_guid, Val};
use crate::store::records::Customer;
use crate::store::{ChangeKind, Company, MasterKind, Series};

pub static CUSTOMERS: SetDef = SetDef {
    name: "customers",
    type_name: "customer",
    namespace: "Microsoft.NAV",
    key: &["id"],
    props: &[
        r("id", Guid).not_null(),
        wl("number", Code, 20),
        wl("displayName", Text, 100).not_null(),
        w("type", Enum(&CONTACT_TYPE)),
        wl("addressLine1", Text, 100),
        wl("addressLine2", Text, 50),
        wl("city", Text, 30),
        wl("state", Text, 30),
        wl("country", Code, 10),
        wl("postalCode", Code, 20),
        wl("phoneNumber", Text, 30),
        wl("email", Text, 80),
        wl("website", Text, 80),
        wl("salespersonCode", Code, 20),
        r("balanceDue", Decimal),
        w("creditLimit", Decimal),
        w("taxLiable", Bool),
        w("taxAreaId", Guid),
        r("taxAreaDisplayName", Text),
        wl("taxRegistrationNumber", Text, 20),
        w("currencyId", Guid),
        wl("currencyCode", Code, 10),
        w("paymentTermsId", Guid),
        w("shipmentMethodId", Guid),
        w("paymentMethodId", Guid),
        w("blocked", Enum(&CUSTOMER_BLOCKED)),
        r("lastModifiedDateTime", DateTime),
    ],
    navs: &[
        one("currency", "currencies"),
        one("paymentTerm", "paymentTerms"),
        one("shipmentMethod", "shipmentMethods"),
        one("paymentMethod", "paymentMethods"),
    ],
    insert: true,
    update: true,
    delete: true,
    table: "Customer",
};

pub struct CustomerRow<'a> {
    pub co: &'a Company,
    pub customer: &'a Customer,
}

fn master_id(co: &Company, kind: MasterKind, code: &str) -> Uuid {
    if code.is_empty() {
        return Uuid::nil();
    }
    by_code(co, kind, code).map(|m| m.id).unwrap_or_default()
}

impl Row for CustomerRow<'_> {
    fn def(&self) -> &'static SetDef {
        &CUSTOMERS
    }

    fn get(&self, prop: &str) -> Val<'_> {
        let c = self.customer;
        match prop {
            "id" => Val::Guid(c.id),
            "number" => Val::str(&c.number),
            "displayName" => Val::str(&c.name),
            "type" => Val::Enum(&CONTACT_TYPE, c.contact_type),
            "addressLine1" => Val::str(&c.address),
            "addressLine2" => Val::str(&c.address2),
            "city" => Val::str(&c.city),
            "state" => Val::str(&c.county),
            "country" => Val::str(&c.country),
            "postalCode" => Val::str(&c.post_code),
            "phoneNumber" => Val::str(&c.phone),
            "email" => Val::str(&c.email),
            "website" => Val::str(&c.website),
            "salespersonCode" => Val::str(&c.salesperson),
            "balanceDue" => Val::Dec(balance_due(self.co, &c.number)),
            "creditLimit" => Val::Dec(c.credit_limit),
            "taxLiable" => Val::Bool(c.tax_liable),
            "taxAreaId" => Val::Guid(c.tax_area_id),
            "taxAreaDisplayName" => Val::str(""),
            "taxRegistrationNumber" => Val::str(&c.vat_registration_no),
            "currencyId" => Val::Guid(master_id(self.co, MasterKind::Currencies, &c.currency)),
            "currencyCode" => Val::str(if c.currency.is_empty() { &self.co.setup.currency } else { &c.currency }),
            "paymentTermsId" => Val::Guid(master_id(self.co, MasterKind::PaymentTerms, &c.payment_terms)),
            "shipmentMethodId" => Val::Guid(master_id(self.co, MasterKind::ShipmentMethods, &c.shipment_method)),
            "paymentMethodId" => Val::Guid(master_id(self.co, MasterKind::PaymentMethods, &c.payment_method)),
            "blocked" => Val::Enum(&CUSTOMER_BLOCKED, c.blocked),
            "lastModifiedDateTime" => Val::DateTime(c.meta.modified),
            _ => Val::str(""),
        }
    }

    fn etag(&self) -> String {
        self.customer.meta.etag()
    }

    fn cursor(&self) -> Cursor {
        Cursor::Text(self.customer.number.clone())
    }

    fn expand(&self, nav: &'static Nav, query: &Query) -> ApiResult<serde_json::Value> {
        let c = self.customer;
        let (kind, code) = match nav.name {
            "currency" => (MasterKind::Currencies, &c.currency),
            "paymentTerm" => (MasterKind::PaymentTerms, &c.payment_terms),
            "shipmentMethod" => (MasterKind::ShipmentMethods, &c.shipment_method),
            "paymentMethod" => (MasterKind::PaymentMethods, &c.payment_method),
            other => return Err(ApiError::syntax(format!("Could not find a property named '{other}'."))),
        };
        let record = by_code(self.co, kind, code);
        nested_one(record.map(|record| MasterRow { co: self.co, kind, record }), query)
    }
}

/// Balance Due: what is still open on the customer's posted invoices minus open credit memos.
pub fn balance_due(co: &Company, customer: &str) -> Decimal {
    co.balances.get(customer).copied().unwrap_or_default()
}

pub fn blank(id: Uuid, meta: crate::store::Meta) -> Customer {
    Customer {
        id,
        meta,
        number: String::new(),
        name: String::new(),
        contact_type: 0,
        address: String::new(),
        address2: String::new(),
        city: String::new(),
        county: String::new(),
        country: String::new(),
        post_code: String::new(),
        phone: String::new(),
        email: String::new(),
        website: String::new(),
        salesperson: String::new(),
        credit_limit: Decimal::ZERO,
        tax_liable: false,
        tax_area_id: Uuid::nil(),
        vat_registration_no: String::new(),
        currency: String::new(),
        payment_terms: String::new(),
        shipment_method: String::new(),
        payment_method: String::new(),
        blocked: 0,
        price_group: String::new(),
        posting_groups: Default::default(),
        prices_including_vat: false,
        location: String::new(),
        default_dimensions: Vec::new(),
        ship_to: Vec::new(),
    }
}

/// Resolves a `…Id` property to the code of a lookup record, or the empty GUID to blank.
pub fn code_for_id(co: &Company, kind: MasterKind, id: Uuid, property: &str, what: &str) -> ApiResult<String> {
    if id.is_nil() {
        return Ok(String::new());
    }
    co.master(kind)
        .get(id)
        .map(|m| m.key.clone())
        .ok_or_else(|| ApiError::dialog(format!("The \"{property}\" does not match to a {what}.")))
}

pub fn check_master(
    co: &Company,
    kind: MasterKind,
    code: &str,
    field: &str,
    table: &str,
    related: &str,
) -> ApiResult<()> {
    if code.is_empty() || by_code(co, kind, code).is_some() {
        Ok(())
    } else {
        Err(ApiError::table_relation(field, table, code, related))
    }
}

/// `Phone No.` must not contain letters.
pub fn check_phone(phone: &str, table: &str, key: &str) -> ApiResult<()> {
    if phone.chars().any(char::is_alphabetic) {
        return Err(ApiError::field_validation(format!("Phone No. must not contain letters in {table} {key}.")));
    }
    Ok(())
}

/// The e-mail check BC runs on customer and document e-mail fields.
pub fn check_email(email: &str) -> ApiResult<()> {
    if email.is_empty() {
        return Ok(());
    }
    for address in email.split(';').map(str::trim).filter(|a| !a.is_empty()) {
        let valid = match address.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !address.chars().any(|c| c.is_whitespace() || matches!(c, '<' | '>' | ',' | '"'))
            }
            None => false,
        };
        if !valid {
            return Err(ApiError::dialog(format!("The email address \"{address}\" is not valid.")));
        }
    }
    Ok(())
}

/// Currency from `currencyId` and/or `currencyCode`: they must agree; the LCY code is stored blank.
pub fn resolve_currency(co: &Company, changes: &Changes, current: &str) -> ApiResult<String> {
    let by_id = match changes.guid("currencyId") {
        Some(id) => Some(code_for_id(co, MasterKind::Currencies, id, "currencyId", "Currency")?),
        None => None,
    };
    let by_code = match changes.text("currencyCode") {
        Some(code) => {
            let code = if code == co.setup.currency { "" } else { code };
            if !code.is_empty() && self::by_code(co, MasterKind::Currencies, code).is_none() {
                return Err(ApiError::dialog(format!("The currency code \"{code}\" does not exist.")));
            }
            Some(code.to_string())
        }
        None => None,
    };
    match (by_id, by_code) {
        (Some(a), Some(b)) if a != b => {
            Err(ApiError::dialog("The currency values do not match to a specific Currency."))
        }
        (Some(a), _) | (None, Some(a)) => Ok(a),
        (None, None) => Ok(current.to_string()),
    }
}

/// Applies the API properties of a body to a customer.
pub fn apply(co: &Company, c: &mut Customer, changes: &Changes) -> ApiResult<()> {
    for (prop, value) in &changes.values {
        let text = value.as_str().unwrap_or("").to_string();
        match prop.name {
            "number" => c.number = text,
            "displayName" => {
                if text.trim().is_empty() {
                    return Err(ApiError::dialog("The blank \"displayName\" is not allowed."));
                }
                c.name = text;
            }
            "type" => c.contact_type = changes.enum_index("type").unwrap_or(0),
            "addressLine1" => c.address = text,
            "addressLine2" => c.address2 = text,
            "city" => c.city = text,
            "state" => c.county = text,
            "country" => {
                check_master(
                    co,
                    MasterKind::CountriesRegions,
                    &text,
                    "Country/Region Code",
                    "Customer",
                    "Country/Region",
                )?;
                c.country = text;
            }
            "postalCode" => c.post_code = text,
            "phoneNumber" => {
                check_phone(&text, "Customer", &format!("No.='{}'", c.number))?;
                c.phone = text;
            }
            "email" => {
                check_email(&text)?;
                c.email = text;
            }
            "website" => c.website = text,
            "salespersonCode" => {
                if !text.is_empty() && !co.setup.salespeople.contains(&text) {
                    return Err(ApiError::table_relation(
                        "Salesperson Code",
                        "Customer",
                        &text,
                        "Salesperson/Purchaser",
                    ));
                }
                c.salesperson = text;
            }
            "creditLimit" => c.credit_limit = changes.decimal("creditLimit").unwrap_or_default(),
            "taxLiable" => c.tax_liable = changes.bool("taxLiable").unwrap_or(false),
            "taxAreaId" => {
                let id = changes.guid("taxAreaId").unwrap_or_default();
                if !id.is_nil() {
                    return Err(ApiError::dialog("The \"taxAreaId\" does not match to a VAT Business Posting Group."));
                }
                c.tax_area_id = id;
            }
            "taxRegistrationNumber" => c.vat_registration_no = text,
            "paymentTermsId" => {
                c.payment_terms = code_for_id(
                    co,
                    MasterKind::PaymentTerms,
                    changes.guid(prop.name).unwrap_or_default(),
                    prop.name,
                    "Payment Terms",
                )?
            }
            "shipmentMethodId" => {
                c.shipment_method = code_for_id(
                    co,
                    MasterKind::ShipmentMethods,
                    changes.guid(prop.name).unwrap_or_default(),
                    prop.name,
                    "Shipment Method",
                )?
            }
            "paymentMethodId" => {
                c.payment_method = code_for_id(
                    co,
                    MasterKind::PaymentMethods,
                    changes.guid(prop.name).unwrap_or_default(),
                    prop.name,
                    "Payment Method",
                )?
            }
            "blocked" => c.blocked = changes.enum_index("blocked").unwrap_or(0),
            _ => {}
        }
    }
    c.currency = resolve_currency(co, changes, &c.currency)?;
    Ok(())
}

/// POST customers.
pub fn create(ctx: &mut Ctx<'_>, changes: &Changes) -> ApiResult<Uuid> {
    let id = Uuid::new_v4();
    let mut customer = blank(id, ctx.co.meta);
    apply(ctx.co, &mut customer, changes)?;
    if customer.name.trim().is_empty() {
        return Err(ApiError::dialog("A \"displayName\" must be provided."));
    }
    insert(ctx.co, customer).map(|c| c.id)
}

/// Gives a new customer its number (from the series when blank) and inserts it.
pub fn insert(co: &mut Company, mut customer: Customer) -> ApiResult<&Customer> {
    if customer.number.is_empty() {
        loop {
            let number = co.next_number(Series::Customer);
            if !co.customers.contains_key(&number) {
                customer.number = number;
                break;
            }
        }
    } else if !co.setup.manual_numbers {
        return Err(ApiError::dialog(
            "You may not enter numbers manually. If you want to enter numbers manually, please activate Manual Nos. in No. Series CUST.",
        ));
    } else if co.customers.contains_key(&customer.number) {
        return Err(ApiError::already_exists("Customer", &format!("No.='{}'", customer.number)));
    }
    customer.meta = co.stamp();
    let id = customer.id;
    co.customers.insert(customer);
    co.record_change("customers", id, ChangeKind::Created);
    co.customers.get(id).ok_or_else(|| ApiError::bad_request("The customer could not be read back."))
}

/// PATCH customers(<id>).
pub fn update(ctx: &mut Ctx<'_>, id: Uuid, changes: &Changes) -> ApiResult<()> {
    let old = ctx.co.customers.get(id).cloned().ok_or_else(|| not_found(id))?;
    let mut new = old.clone();
    apply(ctx.co, &mut new, changes)?;
    replace(ctx.co, old, new)
}

/// Stores a changed customer: renames cascade to documents, null updates change nothing.
pub fn replace(co: &mut Company, old: Customer, mut new: Customer) -> ApiResult<()> {
    if new == old {
        return Ok(());
    }
    if new.number != old.number {
        if new.number.is_empty() {
            return Err(ApiError::dialog("The blank \"number\" is not allowed."));
        }
        if co.customers.contains_key(&new.number) {
            return Err(ApiError::already_exists("Customer", &format!("No.='{}'", new.number)));
        }
        super::documents::rename_customer(co, &old.number, &new.number);
    }
    new.meta = co.touch(old.meta);
    let id = new.id;
    co.customers.replace(new);
    co.record_change("customers", id, ChangeKind::Updated);
    Ok(())
}

/// DELETE customers(<id>): refused while documents or open entries refer to the customer.
pub fn delete(ctx: &mut Ctx<'_>, id: Uuid) -> ApiResult<()> {
    let customer = ctx.co.customers.get(id).cloned().ok_or_else(|| not_found(id))?;
    let number = &customer.number;
    for (docs, what) in [
        (&ctx.co.orders, "Sales Order"),
        (&ctx.co.invoices, "Sales Invoice"),
        (&ctx.co.credit_memos, "Sales Credit Memo"),
    ] {
        if docs.iter().any(|d| !d.posted && (d.customer_number == *number || d.bill_to_number == *number)) {
            return Err(ApiError::dialog(format!(
                "You cannot delete Customer {number} because there is at least one outstanding {what} for this customer."
            )));
        }
    }
    if !balance_due(ctx.co, number).is_zero() {
        return Err(ApiError::dialog(format!(
            "You cannot delete Customer {number} because there are one or more outstanding transactions for this customer."
        )));
    }
    ctx.co.customers.remove(id);
    ctx.co.record_change("customers", id, ChangeKind::Deleted);
    Ok(())
}

pub fn not_found(id: Uuid) -> ApiError {
    ApiError::record_not_found("Customer", &format!("Id='{}'", al_guid(id)))
}
