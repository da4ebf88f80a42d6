//! The live check behind `ml-connector-agent check` and the admin page's Test connection: auth,
//! company, item count and round-trip time on each side, every failure in plain words with what to
//! do about it.

use std::time::Instant;

use serde::Serialize;

use crate::adapter::http::Recorder;
use crate::adapter::AdapterError;
use crate::runtime::Runtime;

#[derive(Clone, Debug, Serialize)]
pub struct CheckItem {
    pub name: String,
    pub ok: bool,
    pub millis: u64,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    pub request_id: String,
    pub ok: bool,
    pub finished_at: String,
    pub companies: Vec<String>,
    pub checks: Vec<CheckItem>,
}

pub async fn live_check(rt: &Runtime, request_id: &str) -> CheckReport {
    let mut checks = Vec::new();
    let mut companies = Vec::new();
    match &rt.nav {
        None => checks.push(item("nav.configured", false, 0, rt.nav_problem.clone().unwrap_or_default())),
        Some(nav) => {
            let rec = Recorder::default();
            let started = Instant::now();
            match nav.check_company(&rec).await {
                Ok(found) => {
                    let millis = started.elapsed().as_millis() as u64;
                    checks.push(item("nav.auth", true, millis, format!("signed in to {}", nav.describe())));
                    companies = found.companies.clone();
                    let company = rt.settings.nav.as_ref().map(|n| n.company.clone()).unwrap_or_default();
                    if found.company_found {
                        checks.push(item("nav.company", true, millis, format!("company {company:?} found")));
                        let started = Instant::now();
                        match nav.catalog(&rec).await {
                            Ok((items, variants)) => {
                                let _ = rt.store.upsert_items(&items);
                                let _ = rt.store.upsert_variants(&variants);
                                checks.push(item("nav.items", true, started.elapsed().as_millis() as u64,
                                    format!("{} items and {} item variants readable", items.len(), variants.len())));
                            }
                            Err(e) => checks.push(item("nav.items", false, started.elapsed().as_millis() as u64, explain(&e))),
                        }
                        if let Some(code) = rt.settings.customers.ship_to_code.as_deref() {
                            let started = Instant::now();
                            let result = nav.page_services().probe_ship_to(&rec).await;
                            let millis = started.elapsed().as_millis() as u64;
                            checks.push(match result {
                                Ok(()) => item("nav.ship_to_page", true, millis, format!("Ship-to Address page readable (shipping addresses go to code {code})")),
                                Err(e) => item("nav.ship_to_page", false, millis, explain(&e)),
                            });
                        }
                    } else {
                        checks.push(item("nav.company", false, millis, format!(
                            "company {company:?} was not found; the server has: {}. Copy the exact name into the settings",
                            if found.companies.is_empty() { "no companies".to_string() } else { found.companies.join(", ") }
                        )));
                    }
                    checks.push(item("nav.latency", true, millis, format!("round trip {millis} ms")));
                }
                Err(e) => checks.push(item("nav.auth", false, started.elapsed().as_millis() as u64, explain(&e))),
            }
        }
    }
    match &rt.woo {
        None => checks.push(item("woo.configured", false, 0, rt.woo_problem.clone().unwrap_or_default())),
        Some(woo) => {
            let rec = Recorder::default();
            let started = Instant::now();
            match woo.check(&rec).await {
                Ok(products) => {
                    let millis = started.elapsed().as_millis() as u64;
                    checks.push(item("woo.auth", true, millis, format!("{} accepts the agent's key; {products} products", woo.describe())));
                    checks.push(item("woo.latency", true, millis, format!("round trip {millis} ms")));
                }
                Err(e) => checks.push(item("woo.auth", false, started.elapsed().as_millis() as u64, explain(&e))),
            }
        }
    }
    CheckReport {
        request_id: request_id.to_string(),
        ok: checks.iter().all(|c| c.ok),
        finished_at: ml_connector_formats::utc_now(),
        companies,
        checks,
    }
}

fn item(name: &str, ok: bool, millis: u64, detail: String) -> CheckItem {
    CheckItem { name: name.to_string(), ok, millis, detail }
}

/// What an operator should do about an adapter failure.
pub fn explain(error: &AdapterError) -> String {
    use crate::adapter::System;
    match error {
        AdapterError::Unreachable { system: System::Nav, detail, .. } if detail.contains("refused") => format!(
            "{error}. The server refused the connection: on-premises, enable OData and API services \
             (ODataServicesEnabled, ApiServicesEnabled) and open the OData port (7048 by default) in the firewall; \
             check the base URL"
        ),
        AdapterError::Unreachable { system: System::Nav, detail, .. } if detail.contains("certificate") => {
            format!("{error}. The server's TLS certificate is not trusted by this machine")
        }
        AdapterError::Unreachable { system: System::Woo, .. } => {
            format!("{error}. Check the site URL, and `woo.connect_to` when the agent should reach the site locally")
        }
        AdapterError::Rejected { system: System::Nav, status: 405, .. } => {
            format!("{error}. OData/API services are switched off on this server instance (HTTP 405): enable them")
        }
        AdapterError::Auth { system: System::Nav, detail } if detail.is_empty() || detail.starts_with("HTTP 401") => {
            format!("{error}. NAV refused the user name and web service access key: check both on the user card")
        }
        AdapterError::Auth { system: System::Woo, .. } => format!(
            "{error}. WooCommerce refused the agent's REST key: press \"Provision agent access\" on the settings page"
        ),
        AdapterError::NotFound { system: System::Nav, what } if what.contains("company") => {
            format!("{error}. Check the company name in the settings")
        }
        other => other.to_string(),
    }
}
