//! NAV → WooCommerce: customers changed in NAV since the cursor (`lastModifiedDateTime`; BC has
//! no change tracking on API v2.0) are reconciled with their linked WooCommerce customers. A NAV
//! customer whose card still has the fingerprint of the last sync — our own write, or a change of
//! something WooCommerce does not hold (balance, posting groups) — costs no WooCommerce request.
//!
//! The first run only records where NAV is now; customers that existed before are linked with
//! `ml-connector-agent link customers`. A customer that cannot be synced stops the run there and
//! the cursor stays at it, so the next run starts with it again.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::{sync_pair, Trail};
use crate::adapter::bc_api::customers::NavCustomerCard;
use crate::adapter::http::Recorder;
use crate::flows::{audit_exchanges_for, Outcome};
use crate::mapper::customer_card::card_fingerprint;
use crate::runtime::Runtime;

pub const CURSOR: &str = "customers.nav_modified";

#[derive(Debug, Default, Serialize)]
pub struct PollReport {
    /// NAV customers read as changed since the cursor.
    pub changed: usize,
    /// WooCommerce customers written or found already in agreement.
    pub synced: Vec<String>,
    /// Changed in NAV but with nothing WooCommerce needs (no echo).
    pub unchanged: usize,
    pub nav_requests: u32,
    /// Why the run stopped early.
    pub error: Option<String>,
}

fn time_of(text: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text).ok()
}

/// One poll. `Err` when the sync cannot run at all (off, not configured, legacy pages).
pub async fn poll(rt: &Runtime) -> Result<PollReport, String> {
    if !rt.settings.customers.enabled {
        return Err("two-way customer sync is off (customers.enabled)".into());
    }
    let (Some(nav), Some(woo)) = (&rt.nav, &rt.woo) else {
        return Err(rt.nav_problem.clone().or_else(|| rt.woo_problem.clone()).unwrap_or_default());
    };
    let api = nav.api().ok_or("NAV page web services have no customer modification times; NAV → WooCommerce needs the BC API v2.0")?;
    let rec = Recorder::default();
    let mut report = PollReport::default();
    let cursor = rt.store.cursor(CURSOR).map_err(|e| e.to_string())?;
    let Some(cursor) = cursor else {
        let newest = api.newest_customer_change(&rec).await;
        audit_exchanges_for(rt, None, "customers", "customer poll start", &rec);
        // An empty company starts at the beginning of time, as BC writes a blank DateTime.
        let start = newest.map_err(|e| e.to_string())?.unwrap_or_else(|| "0001-01-01T00:00:00Z".into());
        rt.store.set_cursor(CURSOR, &start).map_err(|e| e.to_string())?;
        report.nav_requests = 1;
        return Ok(report);
    };
    let mut changed: Vec<NavCustomerCard> = Vec::new();
    let result = api.customers_changed_since(&cursor, &rec, &mut |page| changed.extend(page)).await;
    audit_exchanges_for(rt, None, "customers", "read changed customers", &rec);
    report.nav_requests = result.map_err(|e| e.to_string())?;
    report.changed = changed.len();
    let mut newest = cursor.clone();
    for nav_customer in &changed {
        match sync_one(rt, api, woo, nav_customer, &mut report).await {
            Ok(()) => {
                if time_of(&nav_customer.last_modified) > time_of(&newest) {
                    newest = nav_customer.last_modified.clone();
                }
            }
            Err(problem) => {
                report.error = Some(format!("NAV customer {}: {problem}", nav_customer.number));
                break;
            }
        }
    }
    if newest != cursor {
        rt.store.set_cursor(CURSOR, &newest).map_err(|e| e.to_string())?;
    }
    Ok(report)
}

async fn sync_one(rt: &Runtime, api: &crate::adapter::bc_api::BcApi, woo: &crate::adapter::woo::Woo, nav_customer: &NavCustomerCard, report: &mut PollReport) -> Result<(), String> {
    let fingerprint = card_fingerprint(&nav_customer.card);
    let links = rt.store.customer_links_for_nav(&nav_customer.number).map_err(|e| e.to_string())?;
    for link in links {
        if link.nav_fingerprint.as_deref() == Some(fingerprint.as_str()) {
            report.unchanged += 1;
            continue;
        }
        let Some(woo_id) = link.link_key.strip_prefix("id:").and_then(|id| id.parse::<i64>().ok()) else { continue };
        let subject = format!("customer:{woo_id}");
        let trail = Trail { job_id: None, subject: &subject };
        let rec = Recorder::default();
        let result = woo.get_customer(woo_id, &rec).await;
        trail.exchanges(rt, "read customer", &rec);
        let Some(customer) = result.map_err(|e| e.to_string())? else {
            // Deleted in WooCommerce; its customer.deleted event removes the link.
            continue;
        };
        match sync_pair(rt, api, woo, &trail, &link, &customer, nav_customer, &rec).await {
            Ok(summary) => report.synced.push(summary),
            Err(Outcome::Skipped(reason)) => report.synced.push(reason),
            Err(Outcome::Park(reason)) => {
                // A card WooCommerce or NAV refuses will not get better by retrying: say so once
                // and go on with the others.
                tracing::warn!(nav_number = %nav_customer.number, woo_customer = woo_id, "customer not synced: {reason}");
                report.synced.push(format!("not synced: {reason}"));
            }
            Err(Outcome::Retry(error)) => return Err(error.to_string()),
            Err(other) => return Err(format!("{other:?}")),
        }
    }
    Ok(())
}
