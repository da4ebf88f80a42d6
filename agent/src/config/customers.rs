//! `[customers]`: two-way customer synchronisation (docs/customers.md) — whether it runs, which
//! side owns each field when both changed since the last sync, how WooCommerce payment methods
//! map to NAV payment terms and payment methods, and where the VAT id lives on a WooCommerce
//! customer. When NAV is polled for changed customers is `schedules.customers`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{invalid, ConfigError};

/// The customer fields both systems hold (NAV lengths apply, see `mapper::customer_card`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerField {
    /// NAV display name: the billing company, else the person.
    Name,
    Email,
    Phone,
    /// The billing address as a whole (street, city, post code, country travel together).
    Address,
    /// VAT registration number (NAV `taxRegistrationNumber`; a WooCommerce customer meta key).
    TaxId,
    /// The shipping address: a NAV Ship-to Address record (`customers.ship_to_code`).
    ShipTo,
    PaymentTerms,
    PaymentMethod,
    CreditLimit,
}

impl CustomerField {
    pub const ALL: [CustomerField; 9] = [
        CustomerField::Name,
        CustomerField::Email,
        CustomerField::Phone,
        CustomerField::Address,
        CustomerField::TaxId,
        CustomerField::ShipTo,
        CustomerField::PaymentTerms,
        CustomerField::PaymentMethod,
        CustomerField::CreditLimit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CustomerField::Name => "name",
            CustomerField::Email => "email",
            CustomerField::Phone => "phone",
            CustomerField::Address => "address",
            CustomerField::TaxId => "tax_id",
            CustomerField::ShipTo => "ship_to",
            CustomerField::PaymentTerms => "payment_terms",
            CustomerField::PaymentMethod => "payment_method",
            CustomerField::CreditLimit => "credit_limit",
        }
    }

    /// Payment and credit fields: WooCommerce has no such thing on a customer, so NAV owns them.
    pub fn nav_only(self) -> bool {
        matches!(self, CustomerField::PaymentTerms | CustomerField::PaymentMethod | CustomerField::CreditLimit)
    }
}

/// Which system's value wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Woo,
    Nav,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawCustomers {
    pub enabled: Option<bool>,
    /// Field → `woo` | `nav`.
    pub owners: BTreeMap<String, String>,
    /// WooCommerce payment method id (or `*` for any) → NAV payment terms code.
    pub payment_terms: BTreeMap<String, String>,
    /// WooCommerce payment method id (or `*` for any) → NAV payment method code.
    pub payment_methods: BTreeMap<String, String>,
    pub vat_meta_key: Option<String>,
    /// Code of the NAV Ship-to Address record that holds the WooCommerce shipping address
    /// (needs page 300 published, `nav.pages.ship_to`); unset or empty: not synced.
    pub ship_to_code: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomerSettings {
    pub enabled: bool,
    owners: BTreeMap<CustomerField, Side>,
    pub payment_terms: BTreeMap<String, String>,
    pub payment_methods: BTreeMap<String, String>,
    pub vat_meta_key: String,
    /// Upper-cased NAV code; `None`: shipping addresses are not synced as Ship-to Address records.
    pub ship_to_code: Option<String>,
}

impl CustomerSettings {
    /// Who owns a field: configured, else NAV for payment and credit, WooCommerce for contact.
    pub fn owner(&self, field: CustomerField) -> Side {
        self.owners.get(&field).copied().unwrap_or(if field.nav_only() { Side::Nav } else { Side::Woo })
    }

    /// The NAV payment terms code for a WooCommerce payment method (`""` = a customer event).
    pub fn payment_terms_for(&self, woo_payment_method: &str) -> Option<&str> {
        mapped(&self.payment_terms, woo_payment_method)
    }

    pub fn payment_method_for(&self, woo_payment_method: &str) -> Option<&str> {
        mapped(&self.payment_methods, woo_payment_method)
    }
}

fn mapped<'a>(map: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    map.get(key.trim()).filter(|_| !key.trim().is_empty()).or_else(|| map.get("*")).map(String::as_str)
}

fn codes(map: &BTreeMap<String, String>, key: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let mut out = BTreeMap::new();
    for (woo, nav) in map {
        let code = crate::model::nav::code(nav);
        if code.is_empty() || code.chars().count() > 10 {
            return Err(invalid(&format!("customers.{key}.{woo}"), format!("{nav:?} is not a NAV code (1 to 10 characters)")));
        }
        out.insert(woo.trim().to_string(), code);
    }
    Ok(out)
}

impl RawCustomers {
    pub fn validate(&self) -> Result<CustomerSettings, ConfigError> {
        let mut owners = BTreeMap::new();
        for (name, side) in &self.owners {
            let key = format!("customers.owners.{name}");
            let field = CustomerField::ALL
                .into_iter()
                .find(|f| f.as_str() == name)
                .ok_or_else(|| invalid(&key, "unknown field (name, email, phone, address, tax_id, ship_to, payment_terms, payment_method, credit_limit)"))?;
            let side = match side.as_str() {
                "woo" => Side::Woo,
                "nav" => Side::Nav,
                other => return Err(invalid(&key, format!("{other:?} is not woo or nav"))),
            };
            if field.nav_only() && side == Side::Woo {
                return Err(invalid(&key, "a WooCommerce customer has no payment terms, payment method or credit limit; only nav can own it"));
            }
            owners.insert(field, side);
        }
        let vat_meta_key = self.vat_meta_key.clone().unwrap_or_else(|| "billing_vat_id".into()).trim().to_string();
        let ship_to_code = self.ship_to_code.as_deref().map(crate::model::nav::code).filter(|c| !c.is_empty());
        if ship_to_code.as_ref().is_some_and(|c| c.chars().count() > 10) {
            return Err(invalid("customers.ship_to_code", "a Ship-to Address code has 1 to 10 characters"));
        }
        Ok(CustomerSettings {
            enabled: self.enabled.unwrap_or(false),
            owners,
            payment_terms: codes(&self.payment_terms, "payment_terms")?,
            payment_methods: codes(&self.payment_methods, "payment_methods")?,
            vat_meta_key,
            ship_to_code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(json: serde_json::Value) -> Result<CustomerSettings, ConfigError> {
        crate::config::load(&serde_json::json!({ "customers": json }), None, None).map(|s| s.customers)
    }

    #[test]
    fn defaults_give_payment_to_nav_and_contact_to_woo() {
        let settings = load(serde_json::json!({})).unwrap();
        assert!(!settings.enabled, "two-way sync is switched on explicitly");
        assert_eq!(settings.owner(CustomerField::Email), Side::Woo);
        assert_eq!(settings.owner(CustomerField::PaymentTerms), Side::Nav);
        let settings = load(serde_json::json!({"owners": {"address": "nav"}})).unwrap();
        assert_eq!(settings.owner(CustomerField::Address), Side::Nav);
        assert_eq!(settings.ship_to_code, None, "ship-to records need page 300 published: off until configured");
        let settings = load(serde_json::json!({"ship_to_code": " web "})).unwrap();
        assert_eq!(settings.ship_to_code.as_deref(), Some("WEB"));
    }

    #[test]
    fn payment_mappings_fall_back_to_the_star_entry() {
        let settings = load(serde_json::json!({"payment_terms": {"bacs": "30 days", "*": "cod"}, "payment_methods": {"bacs": "bank"}})).unwrap();
        assert_eq!(settings.payment_terms_for("bacs"), Some("30 DAYS"));
        assert_eq!(settings.payment_terms_for("card"), Some("COD"));
        assert_eq!(settings.payment_terms_for(""), Some("COD"));
        assert_eq!(settings.payment_method_for("card"), None);
    }

    #[test]
    fn wrong_owners_and_codes_are_named() {
        for (bad, key) in [
            (serde_json::json!({"owners": {"colour": "woo"}}), "customers.owners.colour"),
            (serde_json::json!({"owners": {"email": "both"}}), "customers.owners.email"),
            (serde_json::json!({"owners": {"credit_limit": "woo"}}), "customers.owners.credit_limit"),
            (serde_json::json!({"payment_terms": {"bacs": "FAR TOO LONG CODE"}}), "customers.payment_terms.bacs"),
            (serde_json::json!({"ship_to_code": "WEBSHOP-ADDRESS"}), "customers.ship_to_code"),
        ] {
            let error = load(bad).unwrap_err().to_string();
            assert!(error.contains(key), "{error}");
        }
    }
}
