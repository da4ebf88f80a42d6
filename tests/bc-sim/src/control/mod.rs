//! The control side of the simulator, for tests and demos: a `Control` handle for in-process
//! use and the same operations as JSON under `/_sim/` (no authentication): reset and seed,
//! post a sales order (fully or by line quantities) as a BC user would, post purchase receipts
//! and adjustments, edit a customer as a NAV user would (webhooks fire), change limits and
//! webhook timings, revoke or expire tokens, read everything written, read sent notifications.

mod dump;
mod http;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sim_kit::{Faults, Journal};
use uuid::Uuid;

pub use dump::dump_set;
use dump::{json_of, with_hidden, DUMP_SETS};
pub use http::router;

use crate::config::{Limits, WebhookSettings};
use crate::entities::companies::CompanyRow;
use crate::entities::customers::{self, CustomerRow, CUSTOMERS};
use crate::entities::ledger::{post_entry, LedgerRow};
use crate::entities::masters::{self, by_code};
use crate::error::{ApiError, ApiResult};
use crate::odata::body::{changes, Mode};
use crate::odata::value::decimal_from_json;
use crate::sales::posting::{self, Posted, PostedBy};
use crate::seed::{self, SeedSource};
use crate::server::{info, Sim, SimInfo};
use crate::store::records::LedgerEntry;
use crate::store::{Company, MasterKind};
use crate::webhooks::{delivery, Sent, SubscriptionRow};

/// Kinds of item ledger entries the control API posts.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A posted purchase receipt: Purchase, document type Purchase Receipt.
    Purchase,
    /// Positive Adjmt. from an item journal.
    Positive,
    /// Negative Adjmt. from an item journal (`quantity` is the amount removed).
    Negative,
}

/// A stock movement to post.
#[derive(Clone, Debug, Deserialize)]
pub struct ItemEntry {
    pub item: String,
    pub quantity: serde_json::Number,
    pub kind: EntryKind,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub variant: String,
    #[serde(default)]
    pub document_number: Option<String>,
}

/// Handle on a running simulator's control operations.
#[derive(Clone)]
pub struct Control {
    sim: Arc<Sim>,
    addr: SocketAddr,
}

fn company<'a>(store: &'a crate::store::Store, named: Option<&str>) -> ApiResult<&'a Company> {
    match named {
        None => store.companies.first().ok_or_else(ApiError::no_default_company),
        Some(named) => store
            .companies
            .iter()
            .find(|c| c.id.to_string().eq_ignore_ascii_case(named) || c.name == named)
            .ok_or_else(|| ApiError::company_not_found(named)),
    }
}

fn company_id(sim: &Sim, named: Option<&str>) -> ApiResult<Uuid> {
    company(&sim.store(), named).map(|c| c.id)
}

impl Control {
    pub(crate) fn new(sim: Arc<Sim>, addr: SocketAddr) -> Self {
        Self { sim, addr }
    }

    pub fn info(&self) -> SimInfo {
        info(&self.sim, self.addr)
    }

    pub fn faults(&self) -> &Faults {
        &self.sim.faults
    }

    pub fn journal(&self) -> &Journal {
        &self.sim.journal
    }

    /// Replaces all data (and subscriptions, pending and sent notifications) by a fresh seed;
    /// `None` re-uses the seed the simulator started with. Tokens, limits and faults stay.
    pub fn reset(&self, seed: Option<SeedSource>, synthetic_items: Option<usize>) -> ApiResult<()> {
        let (source, items) = {
            let mut current = self.sim.seed.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(seed) = seed {
                current.0 = seed;
            }
            if let Some(items) = synthetic_items {
                current.1 = items;
            }
            current.clone()
        };
        let loaded = seed::load(&source).map_err(|e| ApiError::bad_request(e.to_string()))?;
        let store = seed::build(&loaded, items).map_err(|e| ApiError::bad_request(e.to_string()))?;
        *self.sim.store_mut() = store;
        self.sim.webhooks.clear();
        Ok(())
    }

    /// Adds the records of a seed document (same format as `--seed FILE`) to the company with
    /// the seed's company id.
    pub fn add_seed(&self, seed: Value) -> ApiResult<()> {
        let seed = seed::load(&SeedSource::Json(seed)).map_err(|e| ApiError::bad_request(e.to_string()))?;
        let mut store = self.sim.store_mut();
        let id = seed.company.id;
        let co = store.company_mut(id).ok_or_else(|| ApiError::company_not_found(&id.to_string()))?;
        let mut work = co.clone();
        seed::add_to(&mut work, &seed).map_err(|e| ApiError::bad_request(e.to_string()))?;
        *co = work;
        Ok(())
    }

    /// Ships and invoices an order as a BC user would (item charges assigned): all that is
    /// outstanding, or `quantities` (line sequence, quantity) — the other lines wait.
    pub fn post_sales_order(
        &self,
        company: Option<&str>,
        number: &str,
        quantities: Option<&[(i64, Decimal)]>,
    ) -> ApiResult<Posted> {
        let id = company_id(&self.sim, company)?;
        let mut store = self.sim.store_mut();
        let co = store.company_mut(id).ok_or_else(|| ApiError::company_not_found(&id.to_string()))?;
        let order = co.orders.by_number(number).map(|o| o.id).ok_or_else(|| {
            ApiError::record_not_found("Sales Header", &format!("Document Type='Order',No.='{number}'"))
        })?;
        // As in BC, quantities set before a posting that then fails stay on the order.
        posting::set_quantities(co, order, quantities)?;
        let posted = posting::ship_and_invoice(co, order, PostedBy::User)?;
        drop(store);
        self.sim.webhooks.poke();
        Ok(posted)
    }

    /// Posts a purchase receipt or an adjustment; returns the new item ledger entry.
    pub fn post_item_entry(&self, company: Option<&str>, entry: &ItemEntry) -> ApiResult<Value> {
        let id = company_id(&self.sim, company)?;
        let mut store = self.sim.store_mut();
        let co = store.company_mut(id).ok_or_else(|| ApiError::company_not_found(&id.to_string()))?;
        let item = co
            .items
            .by_key(&entry.item)
            .cloned()
            .ok_or_else(|| ApiError::related_record_missing("Item", &format!("No.='{}'", entry.item)))?;
        let quantity = decimal_from_json(&Value::Number(entry.quantity.clone()))
            .filter(|q| *q > Decimal::ZERO)
            .ok_or_else(|| ApiError::bad_request("quantity must be a positive number"))?;
        if !entry.location.is_empty() && by_code(co, MasterKind::Locations, &entry.location).is_none() {
            return Err(ApiError::related_record_missing("Location", &format!("Code='{}'", entry.location)));
        }
        if !entry.variant.is_empty() && !co.variants.contains_key(&format!("{}\t{}", item.number, entry.variant)) {
            return Err(ApiError::related_record_missing(
                "Item Variant",
                &format!("Item No.='{}',Code='{}'", item.number, entry.variant),
            ));
        }
        let (entry_type, document_type, source_type, signed) = match entry.kind {
            EntryKind::Purchase => (0, 5, 2, quantity),
            EntryKind::Positive => (2, 0, 0, quantity),
            EntryKind::Negative => (3, 0, 0, -quantity),
        };
        let number = co.ledger.next_entry_number();
        let document = entry.document_number.clone().unwrap_or_else(|| match entry.kind {
            EntryKind::Purchase => format!("P-RCPT{number:06}"),
            _ => format!("ADJ{number:06}"),
        });
        let ledger_entry = LedgerEntry {
            id: Uuid::new_v4(),
            meta: co.meta,
            entry_number: 0,
            item_number: item.number.clone(),
            posting_date: Utc::now().date_naive(),
            entry_type,
            source_number: String::new(),
            source_type,
            document_number: document,
            document_type,
            description: item.description.clone(),
            quantity: signed,
            sales_amount: Decimal::ZERO,
            cost_amount: crate::odata::value::round2(signed * item.unit_cost),
            location: entry.location.clone(),
            variant: entry.variant.clone(),
        };
        let number = post_entry(co, ledger_entry)?;
        let posted = co.ledger.entries.iter().rev().find(|e| e.entry_number == number);
        Ok(posted.map(|entry| json_of(&LedgerRow { entry })).unwrap_or(Value::Null))
    }

    /// Changes a customer as a NAV user would on the Customer Card: API property names, plus
    /// `customerPriceGroup`. Webhooks fire; returns the customer as the API shows it.
    pub fn edit_customer(&self, company: Option<&str>, number: &str, edit: &Value) -> ApiResult<Value> {
        let Value::Object(fields) = edit else { return Err(ApiError::bad_request("Invalid Request Body")) };
        let mut fields = fields.clone();
        let price_group = fields.remove("customerPriceGroup");
        let id = company_id(&self.sim, company)?;
        let mut store = self.sim.store_mut();
        let co = store.company_mut(id).ok_or_else(|| ApiError::company_not_found(&id.to_string()))?;
        let old = co
            .customers
            .by_key(number)
            .cloned()
            .ok_or_else(|| ApiError::related_record_missing("Customer", &format!("No.='{number}'")))?;
        let mut new = old.clone();
        customers::apply(co, &mut new, &changes(&CUSTOMERS, &fields, Mode::Update)?)?;
        if let Some(group) = price_group {
            let group = crate::odata::value::code(group.as_str().unwrap_or(""));
            if !group.is_empty() && !co.setup.price_groups.contains(&group) {
                return Err(ApiError::table_relation(
                    "Customer Price Group",
                    "Customer",
                    &group,
                    "Customer Price Group",
                ));
            }
            new.price_group = group;
        }
        let customer_id = new.id;
        customers::replace(co, old, new)?;
        let customer = co.customers.get(customer_id).ok_or_else(|| customers::not_found(customer_id))?;
        let value = json_of(&CustomerRow { co, customer });
        drop(store);
        self.sim.webhooks.poke();
        Ok(value)
    }

    /// Edits a Ship-to Address record as a user in BC would (page field names, page 300's
    /// checks); the customer record itself is not modified.
    pub fn edit_ship_to(&self, company: Option<&str>, customer: &str, code: &str, edit: &Value) -> ApiResult<()> {
        let Value::Object(fields) = edit else { return Err(ApiError::bad_request("Invalid Request Body")) };
        let id = company_id(&self.sim, company)?;
        let mut store = self.sim.store_mut();
        let co = store.company_mut(id).ok_or_else(|| ApiError::company_not_found(&id.to_string()))?;
        crate::pages::write::update_ship_to(co, self.sim.pages.ship_to, customer, code, fields)
    }

    pub fn limits(&self) -> Limits {
        self.sim.throttle.limits()
    }

    pub fn set_limits(&self, limits: Limits) {
        self.sim.throttle.set_limits(limits);
    }

    pub fn webhook_settings(&self) -> WebhookSettings {
        self.sim.webhooks.settings()
    }

    pub fn set_webhook_settings(&self, settings: WebhookSettings) {
        self.sim.webhooks.set_settings(settings);
    }

    /// Revokes every token issued so far; returns how many.
    pub fn revoke_tokens(&self) -> usize {
        self.sim.tokens.revoke_all()
    }

    /// Makes every token issued so far expired; returns how many.
    pub fn expire_tokens(&self) -> usize {
        self.sim.tokens.expire_all()
    }

    pub fn set_token_ttl(&self, ttl: Duration) {
        self.sim.tokens.set_ttl(ttl);
    }

    /// Everything in the store: companies with their entity sets, and subscriptions.
    pub fn dump(&self) -> Value {
        let store = self.sim.store();
        let companies: Vec<Value> = store
            .companies
            .iter()
            .map(|co| {
                let mut sets = Map::new();
                for set in DUMP_SETS {
                    sets.insert((*set).into(), Value::Array(dump_set(co, set).unwrap_or_default()));
                }
                for kind in MasterKind::ALL {
                    let name = masters::def(kind).name;
                    sets.insert(name.into(), Value::Array(dump_set(co, name).unwrap_or_default()));
                }
                with_hidden(json_of(&CompanyRow { company: co }), Value::Object(sets))
            })
            .collect();
        let subscriptions: Vec<Value> =
            store.subscriptions.values().map(|sub| json_of(&SubscriptionRow { sub })).collect();
        json!({ "companies": companies, "subscriptions": subscriptions })
    }

    /// Every record of one entity set.
    pub fn entity_set(&self, company: Option<&str>, set: &str) -> ApiResult<Vec<Value>> {
        let store = self.sim.store();
        dump_set(self::company(&store, company)?, set)
    }

    /// Everything the simulator sent to notification URLs (handshakes included), oldest first.
    pub fn notifications(&self) -> Vec<Sent> {
        self.sim.webhooks.sent()
    }

    pub fn clear_notifications(&self) {
        self.sim.webhooks.clear();
    }

    /// Sends pending notifications now instead of waiting for the aggregation delay.
    pub async fn flush_webhooks(&self) {
        delivery::deliver(&self.sim, true).await;
    }
}
