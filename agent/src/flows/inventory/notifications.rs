//! Business Central notifications as the inventory accelerator (docs/inventory.md, "Business
//! Central notifications"): what the agent shares with the plugin, and what a `bc.notification`
//! event does.
//!
//! * The `clientState` the agent gives its subscriptions is a random secret kept in the vault (a
//!   cursor holding an envelope of purpose `bc_notifications.client_state`), never logged. The
//!   plugin gets only its SHA-256 (the `bc_notifications` document in `agent_status`): enough to
//!   check each notification, not enough to forge one. It forwards the SHA-256 of the clientState
//!   the notifications carried, never the clientState itself, so the secret is not in the spool.
//! * A `bc.notification` whose fingerprint does not match is refused and audited; one that matches
//!   asks for an incremental inventory run (a time in the store, so a restart does not lose it).
//!   The scheduler starts one run for however many requests came since its last start: many
//!   notifications coalesce into one run, and the polling schedule is left as it is. Notifications
//!   on `customers` (subscribed while two-way customer sync is on) ask for a customer poll the same
//!   way instead.

use ml_connector_formats::Event;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::Secret;
use crate::flows::Outcome;
use crate::runtime::Runtime;
use crate::store::audit::AuditRecord;
use crate::store::jobs::Job;
use crate::store::{now_millis, Store, StoreError};

/// Where the clientState is kept: a cursor holding an envelope of this purpose ("" = none).
const CLIENT_STATE_CURSOR: &str = "bc_notifications.client_state";
const CLIENT_STATE_PURPOSE: &str = "bc_notifications.client_state";
/// Unix ms of the last accepted notification, and of the start of the last inventory run.
const REQUESTED_CURSOR: &str = "bc_notifications.requested_at";
const SERVED_CURSOR: &str = "bc_notifications.served_at";
/// The same for customer notifications and customer polls.
const CUSTOMERS_REQUESTED_CURSOR: &str = "bc_notifications.customers_requested_at";
const CUSTOMERS_SERVED_CURSOR: &str = "bc_notifications.customers_served_at";
/// The `agent_status` document the plugin checks notifications against.
pub const STATUS_DOCUMENT: &str = "bc_notifications";

/// The stored clientState, if there is one the vault key can open.
pub fn client_state(rt: &Runtime) -> Result<Option<Secret>, StoreError> {
    let Some(envelope) = rt.store.cursor(CLIENT_STATE_CURSOR)?.filter(|e| !e.is_empty()) else { return Ok(None) };
    match rt.keyring.decrypt_string(CLIENT_STATE_PURPOSE, &envelope) {
        Ok(state) => Ok(Some(Secret::new(state))),
        Err(error) => {
            tracing::warn!(%error, "the stored clientState of the Business Central subscriptions cannot be decrypted with the vault key; a new one is made");
            Ok(None)
        }
    }
}

/// The stored clientState, or a new one (256 random bits, hex) stored in the vault.
pub fn client_state_or_new(rt: &Runtime) -> Result<Secret, StoreError> {
    if let Some(state) = client_state(rt)? {
        return Ok(state);
    }
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let state = hex::encode(bytes);
    rt.store.set_cursor(CLIENT_STATE_CURSOR, &rt.keyring.encrypt(CLIENT_STATE_PURPOSE, state.as_bytes()))?;
    Ok(Secret::new(state))
}

/// Forgets the clientState (the accelerator was turned off): turning it on again makes a new one.
pub fn forget_client_state(store: &Store) -> Result<(), StoreError> {
    store.set_cursor(CLIENT_STATE_CURSOR, "")
}

/// What the plugin compares with: SHA-256 of the clientState, hex. A plain hash suffices for a
/// 256-bit random value (nothing to guess), and PHP computes it with `hash('sha256', …)`.
pub fn fingerprint(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether a notification asked for an inventory run the scheduler has not started since.
pub fn run_requested(store: &Store) -> bool {
    requested_since_served(store, REQUESTED_CURSOR, SERVED_CURSOR)
}

/// An inventory run starts now: it covers every notification accepted before.
pub fn mark_served(store: &Store) {
    mark(store, SERVED_CURSOR);
}

/// Whether a customer notification asked for a poll that has not started since.
pub fn customer_poll_requested(store: &Store) -> bool {
    requested_since_served(store, CUSTOMERS_REQUESTED_CURSOR, CUSTOMERS_SERVED_CURSOR)
}

/// A customer poll starts now.
pub fn mark_customer_poll_served(store: &Store) {
    mark(store, CUSTOMERS_SERVED_CURSOR);
}

fn requested_since_served(store: &Store, requested: &str, served: &str) -> bool {
    let millis = |name| store.cursor(name).ok().flatten().and_then(|v| v.parse::<i64>().ok());
    match (millis(requested), millis(served)) {
        (Some(requested), Some(served)) => requested >= served,
        (Some(_), None) => true,
        _ => false,
    }
}

fn mark(store: &Store, cursor: &str) {
    if let Err(error) = store.set_cursor(cursor, &now_millis().to_string()) {
        tracing::warn!(%error, cursor, "could not record the start of the run the notifications asked for");
    }
}

/// Whether a notification is about customers (its resource is the customers entity set, possibly
/// with a `$filter` for a collection notification) rather than a sales document.
fn about_customers(notification: &serde_json::Value) -> bool {
    let resource = notification.get("resource").and_then(|r| r.as_str()).unwrap_or("");
    let path = resource.split('?').next().unwrap_or("");
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    last == "customers" || last.starts_with("customers(")
}

/// The `bc.notification` job: check the fingerprint, then ask for an incremental run.
pub fn handle(rt: &Runtime, job: &Job, event: &Event) -> Outcome {
    if !rt.settings.bc_notifications.enabled {
        return Outcome::Skipped("Business Central notifications are turned off; stock follows schedules.inventory".into());
    }
    let notifications = event.payload.get("notifications").and_then(|n| n.as_array()).map(Vec::len).unwrap_or(0);
    let presented = event.payload.get("client_state_sha256").and_then(|v| v.as_str()).unwrap_or("");
    let expected = match client_state(rt) {
        Ok(state) => state.map(|s| fingerprint(s.expose())),
        Err(error) => return Outcome::Park(format!("the clientState cannot be read from the state database: {error}")),
    };
    if !expected.as_deref().is_some_and(|expected| same(expected, presented)) {
        let reason = if expected.is_none() { "the agent has no subscription secret (yet)" } else { "its clientState is not the one the agent gave its subscriptions" };
        tracing::warn!(job = job.id, notifications, "a Business Central notification was refused: {reason}");
        let record = AuditRecord {
            job_id: Some(job.id),
            subject: &job.subject,
            action: "Business Central notification refused",
            system: "agent",
            method: None,
            status: None,
            millis: None,
            outcome: "refused",
            detail: serde_json::json!({"reason": reason, "origin": event.origin, "notifications": notifications, "occurred_at": event.occurred_at}),
        };
        if let Err(error) = rt.store.append_audit(&rt.keyring, record) {
            tracing::error!(%error, "the refused notification could not be audited");
        }
        return Outcome::Skipped(format!("refused: {reason}"));
    }
    let listed: Vec<serde_json::Value> = event.payload.get("notifications").and_then(|n| n.as_array()).cloned().unwrap_or_default();
    let customers = listed.iter().filter(|n| about_customers(n)).count();
    let mut asked = Vec::new();
    if customers > 0 && rt.settings.customers.enabled {
        if let Err(error) = rt.store.set_cursor(CUSTOMERS_REQUESTED_CURSOR, &now_millis().to_string()) {
            return Outcome::Park(format!("the customer poll could not be requested: {error}"));
        }
        asked.push("a customer poll");
    }
    // A notification without a readable resource counts as a sales document: stock is what matters.
    if customers < listed.len() || listed.is_empty() {
        if let Err(error) = rt.store.set_cursor(REQUESTED_CURSOR, &now_millis().to_string()) {
            return Outcome::Park(format!("the inventory run could not be requested: {error}"));
        }
        asked.push("an incremental inventory run");
    }
    if asked.is_empty() {
        return Outcome::Skipped("customer notification while two-way customer sync is off".into());
    }
    Outcome::Done(format!("Business Central notification ({notifications} change(s)): {} starts shortly", asked.join(" and ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_the_sha256_php_computes() {
        // php -r 'echo hash("sha256", "s3cret");'
        assert_eq!(fingerprint("s3cret"), "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0");
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    fn runtime() -> Runtime {
        let settings = crate::config::load(&serde_json::json!({"bc_notifications": {"enabled": true, "url": "https://shop.example/n"}}), None, None).unwrap();
        let keyring = ml_connector_formats::Keyring::parse("mlc-key 0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "t").unwrap();
        Runtime::build(std::sync::Arc::new(settings), std::sync::Arc::new(Store::in_memory().unwrap()), std::sync::Arc::new(keyring), 0)
    }

    fn notification(rt: &Runtime, fingerprint: &str) -> (Job, Event) {
        let event = Event::new(ml_connector_formats::EventKind::BcNotification, 0, "bc-webhook", serde_json::json!({"client_state_sha256": fingerprint, "notifications": [{}]}));
        let id = rt.store.import_event(Some(1), &event, &event.to_json()).unwrap().unwrap();
        (rt.store.job(id).unwrap().unwrap(), event)
    }

    #[test]
    fn a_notification_with_the_agents_fingerprint_asks_for_a_run() {
        let rt = runtime();
        let state = client_state_or_new(&rt).unwrap();
        assert_eq!(client_state_or_new(&rt).unwrap(), state, "made once, kept in the vault");
        let (job, event) = notification(&rt, &fingerprint(state.expose()));
        assert!(matches!(handle(&rt, &job, &event), Outcome::Done(_)));
        assert!(run_requested(&rt.store));
    }

    #[test]
    fn a_notification_with_another_fingerprint_is_refused_and_audited() {
        let rt = runtime();
        client_state_or_new(&rt).unwrap();
        let (job, event) = notification(&rt, &fingerprint("guessed"));
        assert!(matches!(handle(&rt, &job, &event), Outcome::Skipped(reason) if reason.starts_with("refused")));
        assert!(!run_requested(&rt.store));
        let audit = rt.store.list_audit(&crate::store::audit::AuditFilter { limit: 10, ..Default::default() }).unwrap();
        assert_eq!(audit[0].action, "Business Central notification refused");
        assert_eq!(audit[0].outcome, "refused");
    }

    #[test]
    fn a_customer_notification_asks_for_a_customer_poll_not_a_stock_run() {
        let settings = crate::config::load(&serde_json::json!({"bc_notifications": {"enabled": true, "url": "https://shop.example/n"}, "customers": {"enabled": true}}), None, None).unwrap();
        let keyring = ml_connector_formats::Keyring::parse("mlc-key 0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "t").unwrap();
        let rt = Runtime::build(std::sync::Arc::new(settings), std::sync::Arc::new(Store::in_memory().unwrap()), std::sync::Arc::new(keyring), 0);
        let state = client_state_or_new(&rt).unwrap();
        let resource = "api/v2.0/companies(11111111-2222-3333-4444-555555555555)/customers(66666666-7777-8888-9999-000000000000)";
        let event = Event::new(ml_connector_formats::EventKind::BcNotification, 0, "bc-webhook",
            serde_json::json!({"client_state_sha256": fingerprint(state.expose()), "notifications": [{"resource": resource, "changeType": "updated"}]}));
        let id = rt.store.import_event(Some(1), &event, &event.to_json()).unwrap().unwrap();
        let job = rt.store.job(id).unwrap().unwrap();
        assert!(matches!(handle(&rt, &job, &event), Outcome::Done(_)));
        assert!(customer_poll_requested(&rt.store));
        assert!(!run_requested(&rt.store), "no stock moved");
        // A request in the very millisecond a poll starts still counts: step past it.
        std::thread::sleep(std::time::Duration::from_millis(2));
        mark_customer_poll_served(&rt.store);
        assert!(!customer_poll_requested(&rt.store));
    }

    #[test]
    fn resources_are_told_apart_by_their_entity_set() {
        let about = |resource: &str| about_customers(&serde_json::json!({ "resource": resource }));
        assert!(about("api/v2.0/companies(1)/customers(2)"));
        assert!(about("https://bc.example/api/v2.0/companies(1)/customers?$filter=lastModifiedDateTime%20gt%202026-11-28T10:00:00Z"));
        assert!(!about("api/v2.0/companies(1)/salesOrders(2)"));
        assert!(!about("api/v2.0/companies(1)/customersX"));
        assert!(!about(""));
    }

    #[test]
    fn requests_after_the_last_run_start_ask_for_a_run() {
        let store = Store::in_memory().unwrap();
        assert!(!run_requested(&store));
        store.set_cursor(REQUESTED_CURSOR, "100").unwrap();
        assert!(run_requested(&store));
        store.set_cursor(SERVED_CURSOR, "150").unwrap();
        assert!(!run_requested(&store), "a run that started after the request covers it");
        store.set_cursor(REQUESTED_CURSOR, "200").unwrap();
        assert!(run_requested(&store), "a notification during a run asks for one more");
    }
}
