//! Mapping rules: conditions on the order's source (created_via, payment method, meta) or the
//! customer's segment (role, e-mail domain, guest or registered, country) that choose dimensions and
//! the price group. Evaluated in order, first match wins (see `mapper::rules`).

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
}

impl Decision {
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
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub name: String,
    pub when: Conditions,
    pub then: Decision,
}
