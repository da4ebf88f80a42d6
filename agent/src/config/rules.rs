//! Mapping rules: conditions on the order's source (created_via, payment method, meta) or the
//! customer's segment (role, e-mail domain, guest or registered, country) that choose dimensions,
//! the price group, and the posting groups of a customer created for them. Evaluated in order,
//! first match wins (see `mapper::rules`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Conditions {
    pub created_via: Vec<String>,
    pub payment_method: Vec<String>,
    pub status: Vec<String>,
    pub meta: BTreeMap<String, String>,
    pub role: Vec<String>,
    pub email_domain: Vec<String>,
    /// `guest` or `registered`.
    pub customer: Option<String>,
    pub country: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Decision {
    /// Dimension code → dimension value code.
    pub dimensions: BTreeMap<String, String>,
    pub price_group: Option<String>,
    /// A new NAV customer's posting groups (Customer Card fields; API v2.0 has none and BC's own
    /// template selection for API customers is not something the connector can choose).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_posting_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gen_bus_posting_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vat_bus_posting_group: Option<String>,
}

/// Customer, Gen. Bus. and VAT Bus. Posting Group codes (`Code[20]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingGroups {
    pub customer_posting_group: Option<String>,
    pub gen_bus_posting_group: Option<String>,
    pub vat_bus_posting_group: Option<String>,
}

impl PostingGroups {
    pub fn is_empty(&self) -> bool {
        self.customer_posting_group.is_none() && self.gen_bus_posting_group.is_none() && self.vat_bus_posting_group.is_none()
    }

    /// Each group set, by its settings name.
    pub fn each(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("customer_posting_group", &self.customer_posting_group),
            ("gen_bus_posting_group", &self.gen_bus_posting_group),
            ("vat_bus_posting_group", &self.vat_bus_posting_group),
        ]
        .into_iter()
        .filter_map(|(name, group)| group.as_deref().map(|g| (name, g)))
    }

    /// Upper-cased as BC stores codes.
    pub fn codes(&self) -> PostingGroups {
        let code = |g: &Option<String>| g.as_deref().map(crate::model::nav::code);
        PostingGroups {
            customer_posting_group: code(&self.customer_posting_group),
            gen_bus_posting_group: code(&self.gen_bus_posting_group),
            vat_bus_posting_group: code(&self.vat_bus_posting_group),
        }
    }
}

impl Decision {
    pub fn posting_groups(&self) -> PostingGroups {
        PostingGroups {
            customer_posting_group: self.customer_posting_group.clone(),
            gen_bus_posting_group: self.gen_bus_posting_group.clone(),
            vat_bus_posting_group: self.vat_bus_posting_group.clone(),
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        for (code, value) in &self.dimensions {
            if code.trim().is_empty() || value.trim().is_empty() {
                return Err("dimension codes and values must not be empty".into());
            }
            if code.len() > 20 || value.len() > 20 {
                return Err(format!("dimension {code}={value}: codes and values hold at most 20 characters"));
            }
        }
        if let Some(group) = &self.price_group {
            if group.trim().is_empty() || group.len() > 10 {
                return Err(format!("price group {group:?} must be 1 to 10 characters"));
            }
        }
        for (name, group) in self.posting_groups().each() {
            if group.trim().is_empty() || group.chars().count() > 20 {
                return Err(format!("{name} {group:?} must be 1 to 20 characters"));
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub name: String,
    pub when: Conditions,
    pub then: Decision,
}
