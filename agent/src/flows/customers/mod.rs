//! Customers both ways (docs/customers.md).
//!
//! WooCommerce → NAV: a `customer.created` / `customer.updated` event of a registered customer is
//! linked (existing link, else NAV found by e-mail, else a new NAV customer with the mapped payment
//! terms and method and the rules' price group) and the two cards are reconciled field by field.
//! NAV → WooCommerce: `poll` reads customers changed in NAV since its cursor and reconciles their
//! linked WooCommerce customers. Either way, the fingerprints of what each side holds after the
//! sync are stored, so our own write coming back (as a WooCommerce event or a NAV change) is
//! recognised as no change and costs no request on the other side.

pub mod link;
pub mod poll;
pub mod schedule;

use ml_connector_formats::{Event, EventKind};

use super::{audit_exchanges_for, Outcome};
use crate::adapter::bc_api::customers::{NavCustomerCard, NewCustomerTerms};
use crate::adapter::nav::Nav;
use crate::adapter::http::Recorder;
use crate::adapter::woo::Woo;
use crate::adapter::{AdapterError, System};
use crate::mapper::customer_card::{card_fingerprint, card_from_woo, reconcile, rule_subject, woo_patch, CustomerCard};
use crate::mapper::evaluate_rules;
use crate::model::woo::Customer;
use crate::runtime::Runtime;
use crate::store::audit::AuditRecord;
use crate::store::bindings::{customer_key_for_id, CustomerLink};
use crate::store::jobs::Job;

/// Where audit entries of one customer go (the job, or a scheduled run without one).
pub struct Trail<'a> {
    pub job_id: Option<i64>,
    pub subject: &'a str,
}

impl Trail<'_> {
    fn exchanges(&self, rt: &Runtime, action: &str, rec: &Recorder) {
        audit_exchanges_for(rt, self.job_id, self.subject, action, rec);
    }

    fn decision(&self, rt: &Runtime, action: &str, detail: serde_json::Value) {
        let record = AuditRecord { job_id: self.job_id, subject: self.subject, action, system: "agent", method: None, status: None, millis: None, outcome: "decision", detail };
        if let Err(error) = rt.store.append_audit(&rt.keyring, record) {
            tracing::error!(%error, subject = self.subject, "could not write the audit trail");
        }
    }
}

fn store_error(e: crate::store::StoreError) -> AdapterError {
    AdapterError::BadResponse { system: System::Nav, detail: format!("local state: {e}") }
}

/// The job step for `customer.created`, `customer.updated` and `customer.deleted`.
pub async fn sync_customer(rt: &Runtime, job: &Job, event: &Event) -> Outcome {
    if !rt.settings.customers.enabled {
        return Outcome::Skipped("customers are created in NAV with their first order; two-way customer sync is off (customers.enabled)".into());
    }
    let trail = Trail { job_id: Some(job.id), subject: &job.subject };
    if event.kind == EventKind::CustomerDeleted {
        return unlink_deleted(rt, &trail, event.object_id);
    }
    let (Some(nav), Some(woo)) = (&rt.nav, &rt.woo) else {
        return Outcome::NotReady(rt.nav_problem.clone().or_else(|| rt.woo_problem.clone()).unwrap_or_default());
    };
    let rec = Recorder::default();
    let customer: Customer = if event.payload.get("id").is_some() {
        match serde_json::from_value(event.payload.clone()) {
            Ok(customer) => customer,
            Err(e) => return Outcome::Park(format!("the event's customer could not be read as a WooCommerce customer: {e}")),
        }
    } else {
        let result = woo.get_customer(event.object_id, &rec).await;
        trail.exchanges(rt, "read customer", &rec);
        match result {
            Ok(Some(customer)) => customer,
            Ok(None) => return Outcome::Skipped(format!("customer {} no longer exists in WooCommerce", event.object_id)),
            Err(e) => return Outcome::Retry(e),
        }
    };
    let forced = matches!(event.origin.as_str(), "replay" | "resync");
    let _syncing = customer_lock(customer.id).await;
    match from_woo(rt, nav, woo, &trail, &customer, forced, &rec).await {
        Ok(summary) => Outcome::Done(summary),
        Err(outcome) => outcome,
    }
}

/// WooCommerce deleted the customer: NAV keeps its customer (it may have ledger entries and
/// documents); the link goes, and the audit says so.
fn unlink_deleted(rt: &Runtime, trail: &Trail<'_>, woo_id: i64) -> Outcome {
    let key = customer_key_for_id(woo_id);
    let link = match rt.store.customer_link(&key) {
        Ok(link) => link,
        Err(e) => return Outcome::Retry(store_error(e)),
    };
    let Some(link) = link else { return Outcome::Skipped(format!("customer {woo_id} was not linked to a NAV customer")) };
    if let Err(e) = rt.store.unbind_customer(&key) {
        return Outcome::Retry(store_error(e));
    }
    trail.decision(rt, "customer unlinked", serde_json::json!({
        "policy": "a customer deleted in WooCommerce keeps its NAV customer; only the link is removed",
        "nav_number": link.nav_number,
    }));
    Outcome::Done(format!("customer deleted in WooCommerce; NAV customer {} kept, link removed", link.nav_number))
}

async fn from_woo(rt: &Runtime, nav: &Nav, woo: &Woo, trail: &Trail<'_>, customer: &Customer, forced: bool, rec: &Recorder) -> Result<String, Outcome> {
    let card = card_from_woo(customer, &rt.settings.customers).map_err(|e| Outcome::Park(e.to_string()))?;
    let key = customer_key_for_id(customer.id);
    let link = rt.store.customer_link(&key).map_err(|e| Outcome::Retry(store_error(e)))?;
    let fingerprint = card_fingerprint(&card);
    if let (Some(link), false) = (&link, forced) {
        // Our own write coming back, or a change of something NAV does not hold (no echo).
        if link.woo_fingerprint.as_deref() == Some(fingerprint.as_str()) {
            return Err(Outcome::Skipped(format!("no change NAV needs (customer {})", link.nav_number)));
        }
    }
    let link = match link {
        Some(link) => link,
        None => match find_or_create(rt, nav, trail, customer, &card, &key, rec).await? {
            Found::Created(summary) => return Ok(summary),
            Found::Existing(link) => link,
        },
    };
    let result = nav.customer_card(&link.nav_number, rt.settings.customers.ship_to_code.as_deref(), rec).await;
    trail.exchanges(rt, "read NAV customer", rec);
    let nav_customer = result.map_err(Outcome::Retry)?.ok_or_else(|| {
        Outcome::Park(format!("NAV customer {} (linked to WooCommerce customer {}) no longer exists; link another one (ml-connector-agent link customers) and replay", link.nav_number, customer.id))
    })?;
    sync_pair(rt, nav, woo, trail, &link, customer, &nav_customer, rec).await
}

/// One WooCommerce customer is synced by one task at a time. Without it, the poll writing NAV's
/// change to WooCommerce and the job for the `customer.updated` that write causes run together,
/// and the job reads the link before the poll has stored the new fingerprints: no wrong write
/// (both cards agree by then), but NAV reads an echo should not cost.
pub async fn customer_lock(woo_id: i64) -> tokio::sync::OwnedMutexGuard<()> {
    type Locks = std::collections::HashMap<i64, std::sync::Arc<tokio::sync::Mutex<()>>>;
    static LOCKS: std::sync::OnceLock<std::sync::Mutex<Locks>> = std::sync::OnceLock::new();
    let lock = {
        let mut locks = LOCKS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
        if locks.len() > 1024 {
            // Locks nobody holds or waits for.
            locks.retain(|_, lock| std::sync::Arc::strong_count(lock) > 1);
        }
        locks.entry(woo_id).or_default().clone()
    };
    lock.lock_owned().await
}

/// Held while a NAV customer is looked up by e-mail and created, so two jobs for one person (a
/// checkout that registers an account sends `customer.created` and `order.created` together)
/// cannot both create one. Creations are rare: one lock for all is enough. The orders flow's
/// find-or-create holds it too.
pub static CREATION: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

enum Found {
    Created(String),
    Existing(CustomerLink),
}

/// An unlinked customer: NAV's customer with the e-mail, or a new one.
async fn find_or_create(rt: &Runtime, nav: &Nav, trail: &Trail<'_>, customer: &Customer, card: &CustomerCard, key: &str, rec: &Recorder) -> Result<Found, Outcome> {
    let _creating = CREATION.lock().await;
    // Another job may have linked this customer while we waited.
    if let Some(link) = rt.store.customer_link(key).map_err(|e| Outcome::Retry(store_error(e)))? {
        return Ok(Found::Existing(link));
    }
    let found = if card.email.is_empty() {
        Vec::new()
    } else {
        let result = nav.find_customers_by_email(&card.email, rec).await;
        trail.exchanges(rt, "find customer by e-mail", rec);
        result.map_err(Outcome::Retry)?
    };
    match found.len() {
        0 => {}
        1 => {
            let link = CustomerLink { link_key: key.to_string(), nav_number: found[0].number.clone(), nav_id: found[0].id.clone(), price_group: None, woo_fingerprint: None, nav_fingerprint: None };
            trail.decision(rt, "customer linked", serde_json::json!({"by": "e-mail", "nav_number": link.nav_number}));
            return Ok(Found::Existing(link));
        }
        n => {
            let numbers: Vec<&str> = found.iter().map(|c| c.number.as_str()).collect();
            return Err(Outcome::Park(format!(
                "{n} NAV customers have the e-mail {} ({}); link the right one (ml-connector-agent link customers) and replay",
                card.email,
                numbers.join(", ")
            )));
        }
    }
    let settings = &rt.settings.customers;
    let rules = evaluate_rules(&rt.settings.orders.rules, &rule_subject(customer));
    let terms = NewCustomerTerms {
        currency_code: None,
        payment_terms: settings.payment_terms_for("").map(String::from),
        payment_method: settings.payment_method_for("").map(String::from),
        price_group: rules.decision.price_group.as_deref().map(crate::model::nav::code),
        posting_groups: rules.decision.posting_groups().codes(),
    };
    let result = nav.create_customer_card(card, &terms, rt.settings.customers.ship_to_code.as_deref(), rec).await;
    trail.exchanges(rt, "create customer", rec);
    let created = result.map_err(|e| match e {
        AdapterError::Rejected { message, .. } => Outcome::Park(format!("NAV refused the new customer {:?}: {message}", card.name)),
        AdapterError::NotFound { what, .. } => Outcome::Park(format!("NAV has no {what}")),
        other => Outcome::Retry(other),
    })?;
    let link = CustomerLink {
        link_key: key.to_string(),
        nav_number: created.number.clone(),
        nav_id: Some(created.id.clone()),
        price_group: None,
        woo_fingerprint: Some(card_fingerprint(card)),
        nav_fingerprint: Some(card_fingerprint(&created.card)),
    };
    rt.store.bind_customer(&link).map_err(|e| Outcome::Retry(store_error(e)))?;
    // The price group went with the creation (Customer Card page: not in API v2.0); remembered as
    // the orders flow remembers it, so this customer's orders need no read.
    if let Some(group) = &terms.price_group {
        let cache = CustomerLink { link_key: format!("nav:{}", created.number), nav_number: created.number.clone(), nav_id: None, price_group: Some(group.clone()), woo_fingerprint: None, nav_fingerprint: None };
        if let Err(error) = rt.store.bind_customer(&cache) {
            tracing::warn!(%error, "could not remember a price group");
        }
    }
    trail.decision(rt, "customer created", serde_json::json!({
        "nav_number": created.number, "rule": rules.rule, "price_group": terms.price_group, "posting_groups": terms.posting_groups,
        "payment_terms": terms.payment_terms, "payment_method": terms.payment_method, "skipped_rules": rules.skipped,
    }));
    Ok(Found::Created(format!("NAV customer {} created", created.number)))
}

/// Reconciles one linked pair and stores what each side holds afterwards.
#[allow(clippy::too_many_arguments)]
pub async fn sync_pair(rt: &Runtime, nav: &Nav, woo: &Woo, trail: &Trail<'_>, link: &CustomerLink, customer: &Customer, nav_customer: &NavCustomerCard, rec: &Recorder) -> Result<String, Outcome> {
    let woo_card = card_from_woo(customer, &rt.settings.customers).map_err(|e| Outcome::Park(e.to_string()))?;
    let plan = reconcile(&woo_card, &nav_customer.card, link.woo_fingerprint.as_deref(), link.nav_fingerprint.as_deref(), &rt.settings.customers);
    if !plan.conflicts.is_empty() {
        // A pair synced for the first time differs without either side having "changed": the
        // owners decide too, but that is not a conflict an operator needs to look at.
        let first = link.woo_fingerprint.is_none() || link.nav_fingerprint.is_none();
        let action = if first { "customer first sync" } else { "customer conflict" };
        trail.decision(rt, action, serde_json::json!({"nav_number": nav_customer.number, "decisions": plan.conflicts}));
    }
    let mut nav_after = nav_customer.card.clone();
    let mut woo_after = woo_card.clone();
    if !plan.to_nav.is_empty() {
        let mut target = nav_customer.card.clone();
        for field in &plan.to_nav {
            target.take(&woo_card, *field);
        }
        let result = nav.update_customer_card(nav_customer, &target, &plan.to_nav, rt.settings.customers.ship_to_code.as_deref(), rec).await;
        trail.exchanges(rt, "update NAV customer", rec);
        nav_after = result.map_err(|e| match e {
            AdapterError::Rejected { message, .. } => Outcome::Park(format!("NAV refused the change of customer {}: {message}", nav_customer.number)),
            AdapterError::NotFound { what, .. } if what.contains("page 300") => Outcome::Park(format!("NAV has no {what}")),
            other => Outcome::Retry(other),
        })?.card;
    }
    if !plan.to_woo.is_empty() {
        let result = woo.update_customer(customer.id, &woo_patch(&nav_customer.card, &plan.to_woo), rec).await;
        trail.exchanges(rt, "update WooCommerce customer", rec);
        match result.map_err(Outcome::Retry)? {
            Some(updated) => woo_after = card_from_woo(&updated, &rt.settings.customers).map_err(|e| Outcome::Park(e.to_string()))?,
            None => return Err(Outcome::Skipped(format!("WooCommerce customer {} no longer exists", customer.id))),
        }
    }
    let bound = CustomerLink {
        nav_id: Some(nav_customer.id.clone()),
        woo_fingerprint: Some(card_fingerprint(&woo_after)),
        nav_fingerprint: Some(card_fingerprint(&nav_after)),
        ..link.clone()
    };
    rt.store.bind_customer(&bound).map_err(|e| Outcome::Retry(store_error(e)))?;
    let names = |fields: &[crate::config::CustomerField]| fields.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ");
    Ok(match (plan.to_nav.is_empty(), plan.to_woo.is_empty()) {
        (true, true) => format!("customer {} already agrees with WooCommerce customer {}", nav_customer.number, customer.id),
        (false, true) => format!("NAV customer {} updated: {}", nav_customer.number, names(&plan.to_nav)),
        (true, false) => format!("WooCommerce customer {} updated from NAV: {}", customer.id, names(&plan.to_woo)),
        (false, false) => format!("NAV customer {} updated: {}; WooCommerce customer {} updated: {}", nav_customer.number, names(&plan.to_nav), customer.id, names(&plan.to_woo)),
    })
}
