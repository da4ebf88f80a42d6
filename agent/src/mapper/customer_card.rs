//! The customer card both systems hold — name, e-mail, phone, billing address, VAT id, and the
//! shipping address as a NAV Ship-to Address record when `customers.ship_to_code` is set — in NAV's
//! shape (lengths, upper-cased codes, phone without letters), and the pure decisions of the
//! two-way customer sync: per-side content fingerprints (so our own writes are recognised when
//! they come back: no echo) and, field by field, which side's value wins when they differ.
//!
//! A fingerprint holds one short hash per field, not the values (no personal data in the state
//! database), so "changed since the last sync" is known per field on each side.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::customer::{phone_number, postal_address};
use super::{fit, MappingError};
use crate::config::{CustomerField, CustomerSettings, Side};
use crate::model::nav::PostalAddress;
use crate::model::woo::{Address, Customer, Order};

/// The fields both systems hold, in the order they are compared.
pub const SHARED: [CustomerField; 6] =
    [CustomerField::Name, CustomerField::Email, CustomerField::Phone, CustomerField::Address, CustomerField::TaxId, CustomerField::ShipTo];

/// The shipping address as NAV holds it in a Ship-to Address record: the company (else the
/// person) as name, the person as contact when there is a company.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ShipToCard {
    pub address: PostalAddress,
    pub phone: String,
}

impl ShipToCard {
    pub fn from_woo(shipping: &Address) -> Option<ShipToCard> {
        if shipping.is_empty() {
            return None;
        }
        let contact = if shipping.company.trim().is_empty() { String::new() } else { shipping.full_name() };
        Some(ShipToCard { address: postal_address(shipping, &contact), phone: phone_number(&shipping.phone) })
    }

    fn value(&self) -> String {
        let a = &self.address;
        [&a.name, &a.contact, &a.line1, &a.line2, &a.city, &a.state, &a.post_code, &a.country, &self.phone].map(|s| s.as_str()).join("\u{1f}")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CardAddress {
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub post_code: String,
    pub country: String,
}

impl From<&PostalAddress> for CardAddress {
    /// The street address of a postal address (without its name and contact).
    fn from(a: &PostalAddress) -> Self {
        CardAddress {
            line1: a.line1.clone(),
            line2: a.line2.clone(),
            city: a.city.clone(),
            state: a.state.clone(),
            post_code: a.post_code.clone(),
            country: a.country.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CustomerCard {
    pub name: String,
    /// The billing company is empty: NAV contact type `Person`.
    pub person: bool,
    pub email: String,
    pub phone: String,
    pub address: CardAddress,
    pub tax_id: String,
    /// `None`: no shipping address (WooCommerce), no record with the code (NAV), or not synced.
    pub ship_to: Option<ShipToCard>,
}

impl CustomerCard {
    /// The value compared and fingerprinted. E-mail case does not matter to mail systems.
    fn value(&self, field: CustomerField) -> String {
        let a = &self.address;
        match field {
            CustomerField::Name => self.name.clone(),
            CustomerField::Email => self.email.to_lowercase(),
            CustomerField::Phone => self.phone.clone(),
            CustomerField::Address => [&a.line1, &a.line2, &a.city, &a.state, &a.post_code, &a.country].map(|s| s.as_str()).join("\u{1f}"),
            CustomerField::TaxId => self.tax_id.clone(),
            CustomerField::ShipTo => self.ship_to.as_ref().map(ShipToCard::value).unwrap_or_default(),
            CustomerField::PaymentTerms | CustomerField::PaymentMethod | CustomerField::CreditLimit => String::new(),
        }
    }

    /// Takes `field` from `other`.
    pub fn take(&mut self, other: &CustomerCard, field: CustomerField) {
        match field {
            CustomerField::Name => self.name = other.name.clone(),
            CustomerField::Email => self.email = other.email.clone(),
            CustomerField::Phone => self.phone = other.phone.clone(),
            CustomerField::Address => self.address = other.address.clone(),
            CustomerField::TaxId => self.tax_id = other.tax_id.clone(),
            CustomerField::ShipTo => self.ship_to = other.ship_to.clone(),
            CustomerField::PaymentTerms | CustomerField::PaymentMethod | CustomerField::CreditLimit => {}
        }
    }
}

/// A WooCommerce customer as NAV would hold it: the billing company (else the person) is the
/// name, the account e-mail (else the billing e-mail), the billing phone and address.
pub fn card_from_woo(customer: &Customer, settings: &CustomerSettings) -> Result<CustomerCard, MappingError> {
    let billing = &customer.billing;
    let company = billing.company.trim();
    let mut person = billing.full_name();
    if person.is_empty() {
        person = format!("{} {}", customer.first_name.trim(), customer.last_name.trim()).trim().to_string();
    }
    let name = if company.is_empty() { person } else { company.to_string() };
    if name.is_empty() {
        return Err(MappingError::NoCustomerName);
    }
    let email = if customer.email.trim().is_empty() { billing.email.trim() } else { customer.email.trim() };
    let postal = postal_address(billing, "");
    let tax_id = customer
        .meta_data
        .iter()
        .find(|m| m.key == settings.vat_meta_key)
        .and_then(|m| m.value.as_str())
        .map(|v| fit(v, 20))
        .unwrap_or_default();
    Ok(CustomerCard {
        name: fit(&name, 100),
        person: company.is_empty(),
        email: fit(email, 80),
        phone: phone_number(&billing.phone),
        address: CardAddress::from(&postal),
        tax_id,
        ship_to: settings.ship_to_code.as_ref().and_then(|_| ShipToCard::from_woo(&customer.shipping)),
    })
}

/// The order shape the mapping rules read, for a customer without an order: its billing
/// address, e-mail and role. Rules on an order's source (created_via, payment method, status,
/// meta) do not match a customer event.
pub fn rule_subject(customer: &Customer) -> Order {
    let mut billing = customer.billing.clone();
    if billing.email.trim().is_empty() {
        billing.email = customer.email.clone();
    }
    Order { id: 0, customer_id: customer.id, billing, customer_roles: vec![customer.role.clone()], ..Order::default() }
}

fn hash(value: &str) -> String {
    hex::encode(&Sha256::digest(value.as_bytes())[..8])
}

/// `v1 name=… email=… …`: one hash per shared field.
pub fn card_fingerprint(card: &CustomerCard) -> String {
    let mut text = String::from("v1");
    for field in SHARED {
        text.push_str(&format!(" {}={}", field.as_str(), hash(&card.value(field))));
    }
    text
}

fn field_hashes(fingerprint: Option<&str>) -> BTreeMap<&str, &str> {
    fingerprint
        .filter(|f| f.starts_with("v1 "))
        .map(|f| f.split(' ').skip(1).filter_map(|pair| pair.split_once('=')).collect())
        .unwrap_or_default()
}

/// Whether `field` differs from what the fingerprint of the last sync recorded (no record: yes).
fn changed(card: &CustomerCard, field: CustomerField, last: &BTreeMap<&str, &str>) -> bool {
    last.get(field.as_str()) != Some(&hash(&card.value(field)).as_str())
}

/// Whether `field` of `card` differs from what `fingerprint` recorded (none recorded: yes).
pub fn field_changed(card: &CustomerCard, field: CustomerField, fingerprint: Option<&str>) -> bool {
    changed(card, field, &field_hashes(fingerprint))
}

/// Fields NAV may write into WooCommerce. A NAV name cannot be split into first and last name,
/// and WooCommerce has no VAT id field of its own.
pub fn writable_to_woo(field: CustomerField) -> bool {
    matches!(field, CustomerField::Email | CustomerField::Phone | CustomerField::Address | CustomerField::ShipTo)
}

/// One field where both sides changed since the last sync; the owner's value won.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conflict {
    pub field: CustomerField,
    pub winner: Side,
    pub rule: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Reconciliation {
    /// Fields whose WooCommerce value goes to NAV.
    pub to_nav: Vec<CustomerField>,
    /// Fields whose NAV value goes to WooCommerce.
    pub to_woo: Vec<CustomerField>,
    pub conflicts: Vec<Conflict>,
}

impl Reconciliation {
    pub fn is_empty(&self) -> bool {
        self.to_nav.is_empty() && self.to_woo.is_empty()
    }
}

/// Decides, field by field, where each differing value goes: the side that changed since the
/// last sync wins; when both changed, the configured owner; when neither did (linked while they
/// differed), nothing moves.
pub fn reconcile(woo: &CustomerCard, nav: &CustomerCard, last_woo: Option<&str>, last_nav: Option<&str>, settings: &CustomerSettings) -> Reconciliation {
    let first = last_woo.is_none() || last_nav.is_none();
    let (last_woo, last_nav) = (field_hashes(last_woo), field_hashes(last_nav));
    let mut out = Reconciliation::default();
    for field in SHARED {
        if woo.value(field) == nav.value(field) {
            continue;
        }
        let winner = match (changed(woo, field, &last_woo), changed(nav, field, &last_nav)) {
            (true, false) => Side::Woo,
            (false, true) => Side::Nav,
            (false, false) => continue,
            (true, true) => {
                let owner = settings.owner(field);
                // A field the last sync did not record yet (added by an upgrade) is a first sync.
                let first = first || !(last_woo.contains_key(field.as_str()) || last_nav.contains_key(field.as_str()));
                out.conflicts.push(Conflict {
                    field,
                    winner: owner,
                    rule: format!(
                        "{} {}; customers.owners.{} = {}",
                        if first { "no earlier sync of this pair, and they differ in" } else { "both changed since the last sync:" },
                        field.as_str(),
                        field.as_str(),
                        if owner == Side::Woo { "woo" } else { "nav" }
                    ),
                });
                owner
            }
        };
        // A side without a ship-to record does not remove the other's: open documents and
        // saved checkouts may still use it.
        let winner_has_none = match winner {
            Side::Woo => woo.ship_to.is_none(),
            Side::Nav => nav.ship_to.is_none(),
        };
        if field == CustomerField::ShipTo && winner_has_none {
            continue;
        }
        match winner {
            Side::Woo => out.to_nav.push(field),
            Side::Nav if writable_to_woo(field) => out.to_woo.push(field),
            Side::Nav => {}
        }
    }
    out
}

/// The body of `PUT customers/{id}` for these fields of the NAV card: the account e-mail and the
/// billing e-mail, phone and address; the shipping address (not its names: a NAV name cannot be
/// split into first and last name).
pub fn woo_patch(card: &CustomerCard, fields: &[CustomerField]) -> Value {
    let mut body = Map::new();
    let mut billing = Map::new();
    let a = &card.address;
    for field in fields {
        match field {
            CustomerField::Email => {
                body.insert("email".into(), json!(card.email));
                billing.insert("email".into(), json!(card.email));
            }
            CustomerField::Phone => {
                billing.insert("phone".into(), json!(card.phone));
            }
            CustomerField::Address => {
                for (name, value) in [
                    ("address_1", &a.line1),
                    ("address_2", &a.line2),
                    ("city", &a.city),
                    ("state", &a.state),
                    ("postcode", &a.post_code),
                    ("country", &a.country),
                ] {
                    billing.insert(name.into(), json!(value));
                }
            }
            CustomerField::ShipTo => {
                let ship_to = card.ship_to.clone().unwrap_or_default();
                let a = &ship_to.address;
                let mut shipping = Map::new();
                for (name, value) in [
                    ("address_1", &a.line1),
                    ("address_2", &a.line2),
                    ("city", &a.city),
                    ("state", &a.state),
                    ("postcode", &a.post_code),
                    ("country", &a.country),
                    ("phone", &ship_to.phone),
                ] {
                    shipping.insert(name.into(), json!(value));
                }
                body.insert("shipping".into(), Value::Object(shipping));
            }
            _ => {}
        }
    }
    if !billing.is_empty() {
        body.insert("billing".into(), Value::Object(billing));
    }
    Value::Object(body)
}

#[cfg(test)]
#[path = "customer_card_tests.rs"]
mod tests;
