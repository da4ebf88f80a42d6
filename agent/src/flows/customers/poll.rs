//! NAV → WooCommerce: customers changed in NAV since the cursor (`lastModifiedDateTime`; BC has
//! no change tracking on API v2.0) are reconciled with their linked WooCommerce customers. A NAV
//! customer whose card still has the fingerprint of the last sync — our own write, or a change of
//! something WooCommerce does not hold (balance, posting groups) — costs no WooCommerce request.
//!
//! The first run only records where NAV is now; customers that existed before are linked with
//! `ml-connector-agent link customers`. A customer that cannot be synced stops the run there and
//! the cursor stays at it, so the next run starts with it again.
//!
//! Ship-to Address records (`customers.ship_to_code`) are their own table: editing one does not
//! move the customer's `lastModifiedDateTime`. They are polled by page 300's `Last Date
//! Modified`, a date: each poll re-reads the records changed since the day of the last one seen,
//! and the `ship_to` field of the fingerprints leaves the unchanged ones alone.

use chrono::DateTime;
use serde::Serialize;

use super::{sync_pair, Trail};
use crate::adapter::bc_api::customers::NavCustomerCard;
use crate::adapter::http::Recorder;
use crate::flows::{audit_exchanges_for, Outcome};
use crate::config::CustomerField;
use crate::mapper::customer_card::{card_fingerprint, field_changed, SHARED};
use crate::runtime::Runtime;

pub const CURSOR: &str = "customers.nav_modified";
pub const SHIP_TO_CURSOR: &str = "customers.ship_to_modified";

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

/// Whether change mark `a` is later than `b`: instants (API v2.0) by time, dates (pages) as text.
fn later(a: &str, b: &str) -> bool {
    match (DateTime::parse_from_rfc3339(a), DateTime::parse_from_rfc3339(b)) {
        (Ok(a), Ok(b)) => a > b,
        _ => a > b,
    }
}

/// One poll. `Err` when the sync cannot run at all (off, not configured).
pub async fn poll(rt: &Runtime) -> Result<PollReport, String> {
    if !rt.settings.customers.enabled {
        return Err("two-way customer sync is off (customers.enabled)".into());
    }
    let (Some(nav), Some(woo)) = (&rt.nav, &rt.woo) else {
        return Err(rt.nav_problem.clone().or_else(|| rt.woo_problem.clone()).unwrap_or_default());
    };
    let rec = Recorder::default();
    let mut report = PollReport::default();
    let cursor = rt.store.cursor(CURSOR).map_err(|e| e.to_string())?;
    let Some(cursor) = cursor else {
        let start = nav.customer_poll_start(&rec).await;
        audit_exchanges_for(rt, None, "customers", "customer poll start", &rec);
        let start = start.map_err(|e| e.to_string())?;
        rt.store.set_cursor(CURSOR, &start).map_err(|e| e.to_string())?;
        report.nav_requests = 1;
        return Ok(report);
    };
    let mut changed: Vec<NavCustomerCard> = Vec::new();
    let result = nav.customers_changed_since(&cursor, &rec, &mut |page| changed.extend(page)).await;
    audit_exchanges_for(rt, None, "customers", "read changed customers", &rec);
    report.nav_requests = result.map_err(|e| e.to_string())?;
    report.changed = changed.len();
    let mut newest = cursor.clone();
    for nav_customer in &changed {
        match sync_one(rt, nav, woo, nav_customer, &mut report).await {
            Ok(()) => {
                if later(&nav_customer.last_modified, &newest) {
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
    if report.error.is_none() {
        if let Some(code) = rt.settings.customers.ship_to_code.as_deref() {
            if let Err(problem) = poll_ship_tos(rt, nav, woo, code, &mut report).await {
                report.error = Some(problem);
            }
        }
    }
    Ok(report)
}

/// Ship-to Address records changed in NAV since the day of the last one seen.
async fn poll_ship_tos(rt: &Runtime, nav: &crate::adapter::nav::Nav, woo: &crate::adapter::woo::Woo, code: &str, report: &mut PollReport) -> Result<(), String> {
    let today = chrono::Utc::now().date_naive().to_string();
    let Some(since) = rt.store.cursor(SHIP_TO_CURSOR).map_err(|e| e.to_string())? else {
        rt.store.set_cursor(SHIP_TO_CURSOR, &today).map_err(|e| e.to_string())?;
        return Ok(());
    };
    let rec = Recorder::default();
    let result = nav.ship_tos_modified_since(code, &since, &rec).await;
    report.nav_requests += rec.len() as u32;
    audit_exchanges_for(rt, None, "customers", "read changed ship-to addresses", &rec);
    let changed = result.map_err(|e| format!("NAV ship-to addresses: {e}"))?;
    let mut newest = since.clone();
    for record in &changed {
        let links = rt.store.customer_links_for_nav(&record.customer_no).map_err(|e| e.to_string())?;
        let ship_to = Some(record.card());
        let probe = crate::mapper::customer_card::CustomerCard { ship_to, ..Default::default() };
        if links.iter().all(|l| !field_changed(&probe, CustomerField::ShipTo, l.nav_fingerprint.as_deref())) {
            report.unchanged += usize::from(!links.is_empty());
        } else {
            let rec = Recorder::default();
            let result = nav.customer_card(&record.customer_no, Some(code), &rec).await;
            report.nav_requests += rec.len() as u32;
            audit_exchanges_for(rt, None, "customers", "read NAV customer", &rec);
            if let Some(nav_customer) = result.map_err(|e| e.to_string())? {
                report.changed += 1;
                sync_one(rt, nav, woo, &nav_customer, report).await.map_err(|problem| format!("NAV customer {}: {problem}", record.customer_no))?;
            }
        }
        if record.last_date_modified > newest {
            newest = record.last_date_modified.clone();
        }
    }
    if newest != since {
        rt.store.set_cursor(SHIP_TO_CURSOR, &newest).map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn sync_one(rt: &Runtime, nav: &crate::adapter::nav::Nav, woo: &crate::adapter::woo::Woo, nav_customer: &NavCustomerCard, report: &mut PollReport) -> Result<(), String> {
    let links = rt.store.customer_links_for_nav(&nav_customer.number).map_err(|e| e.to_string())?;
    if links.is_empty() {
        return Ok(());
    }
    // The list read has no ship-to record, and the ship-to poll looks after those: a customer
    // whose own fields are as last synced (the `ge` boundary, our own write) costs no request.
    let own_fields_changed = SHARED
        .into_iter()
        .filter(|f| *f != CustomerField::ShipTo)
        .any(|f| links.iter().any(|l| field_changed(&nav_customer.card, f, l.nav_fingerprint.as_deref())));
    if nav_customer.ship_to_etag.is_none() && !own_fields_changed {
        report.unchanged += 1;
        return Ok(());
    }
    let mut nav_customer = nav_customer.clone();
    if let (Some(code), None) = (rt.settings.customers.ship_to_code.as_deref(), &nav_customer.ship_to_etag) {
        let rec = Recorder::default();
        let result = nav.read_ship_to(&mut nav_customer, code, &rec).await;
        report.nav_requests += rec.len() as u32;
        audit_exchanges_for(rt, None, "customers", "read NAV ship-to address", &rec);
        result.map_err(|e| e.to_string())?;
    }
    let nav_customer = &nav_customer;
    let fingerprint = card_fingerprint(&nav_customer.card);
    for link in links {
        let Some(woo_id) = link.link_key.strip_prefix("id:").and_then(|id| id.parse::<i64>().ok()) else { continue };
        let _syncing = super::customer_lock(woo_id).await;
        // What a job for this customer stored while we waited counts.
        let Some(link) = rt.store.customer_link(&link.link_key).map_err(|e| e.to_string())? else { continue };
        if link.nav_fingerprint.as_deref() == Some(fingerprint.as_str()) {
            report.unchanged += 1;
            continue;
        }
        let subject = format!("customer:{woo_id}");
        let trail = Trail { job_id: None, subject: &subject };
        let rec = Recorder::default();
        let result = woo.get_customer(woo_id, &rec).await;
        trail.exchanges(rt, "read customer", &rec);
        let Some(customer) = result.map_err(|e| e.to_string())? else {
            // Deleted in WooCommerce; its customer.deleted event removes the link.
            continue;
        };
        match sync_pair(rt, nav, woo, &trail, &link, &customer, nav_customer, &rec).await {
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
