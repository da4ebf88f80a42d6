//! WooCommerce order → NAV sales order, exactly once.
//!
//! Create: resolve the customer (link → e-mail → create), map (pure), record the create intent
//! durably, send one deep insert, bind. When an earlier attempt's outcome is unknown (timeout,
//! connection cut after sending, agent killed), NAV is searched by `externalDocumentNumber` before
//! anything is sent again — BC does not refuse duplicates itself. Then the totals guard, the price
//! group (page web service) and the write-back of the NAV number onto the WooCommerce order.
//!
//! Update (before posting): header PATCH with If-Match, lines brought in line with the order.
//! After posting: the change is recorded in the audit trail, not applied (docs/orders.md).

use ml_connector_formats::Event;
use rust_decimal::Decimal;

use super::{audit_decision, audit_exchanges, Outcome};
use crate::adapter::http::Recorder;
use crate::adapter::nav::{Nav, NavSalesOrder};
use crate::adapter::AdapterError;
use crate::mapper::customer::{plan_customer, CustomerPlan};
use crate::mapper::order::{external_document_number, map_order, CustomerChoice};
use crate::mapper::{check_document_totals, evaluate_rules, order_fingerprint, MappingError, TotalsVerdict};
use crate::model::nav::{LineKind, LineSource, SalesLineDraft, SalesOrderDraft};
use crate::model::woo::Order;
use crate::runtime::Runtime;
use crate::store::bindings::{CustomerLink, LineLink, OrderLink, OrderLinkState};
use crate::store::jobs::Job;

/// `?` for adapter calls inside a step: a failure ends the step as `Retry` (the pipeline decides).
macro_rules! attempt {
    ($rt:expr, $job:expr, $action:expr, $rec:expr, $call:expr) => {{
        let result = $call.await;
        audit_exchanges($rt, $job, $action, $rec);
        match result {
            Ok(value) => value,
            Err(error) => return Outcome::Retry(error),
        }
    }};
}

pub async fn sync_order(rt: &Runtime, job: &Job, event: &Event) -> Outcome {
    let (Some(nav), Some(woo)) = (&rt.nav, &rt.woo) else {
        return Outcome::NotReady(rt.nav_problem.clone().or_else(|| rt.woo_problem.clone()).unwrap_or_default());
    };
    let rec = Recorder::default();
    let order: Order = if event.payload.get("id").is_some() {
        match serde_json::from_value(event.payload.clone()) {
            Ok(order) => order,
            Err(e) => return Outcome::Park(format!("the event's order could not be read as a WooCommerce order: {e}")),
        }
    } else {
        match attempt!(rt, job, "read order", &rec, woo.get_order(event.object_id, &rec)) {
            Some(order) => order,
            None => return Outcome::Skipped(format!("order {} no longer exists in WooCommerce", event.object_id)),
        }
    };
    let mut order = order;
    // Segment rules by role need the customer's roles, which the REST order does not carry.
    let rules_use_roles = rt.settings.orders.rules.iter().any(|r| !r.when.role.is_empty());
    if rules_use_roles && order.customer_roles.is_empty() && !order.is_guest() {
        if let Some(customer) = attempt!(rt, job, "read customer", &rec, woo.get_customer(order.customer_id, &rec)) {
            order.customer_roles = vec![customer.role];
        }
    }
    let fingerprint = order_fingerprint(&order);
    let link = match rt.store.order_link(order.id) {
        Ok(link) => link,
        Err(e) => return Outcome::Retry(store_error(e)),
    };
    // A replay or resync sends the order again even when nothing changed.
    let forced = matches!(event.origin.as_str(), "replay" | "resync");
    if let (Some(link), false) = (&link, forced) {
        if link.fingerprint.as_deref() == Some(fingerprint.as_str()) && link.state != OrderLinkState::Creating {
            return Outcome::Skipped(format!("no change NAV needs (sales order {})", link.nav_number.as_deref().unwrap_or("?")));
        }
    }
    // Cancelled in WooCommerce: the refunds flow deletes or marks the open sales order, or
    // credits what NAV posted (docs/refunds.md).
    if order.status == "cancelled" && link.is_some() {
        if let Some(link) = link.as_ref().filter(|l| l.state == OrderLinkState::Creating) {
            // A create whose outcome is unknown (the agent stopped between NAV's answer and
            // recording it): settle it first, or the cancellation would wait for this very job
            // (found by the fault matrix, kill -9 row).
            let found = attempt!(rt, job, "look for an earlier create", &rec, nav.find_sales_orders(&link.external_document_number, &rec));
            let Some(existing) = found.first() else {
                if let Err(e) = rt.store.set_order_state(order.id, OrderLinkState::Deleted) {
                    return Outcome::Retry(store_error(e));
                }
                return Outcome::Skipped("cancelled before NAV had it: the earlier create did not reach NAV".into());
            };
            if let Err(e) = rt.store.bind_order(order.id, &link.external_document_number, OrderLinkState::Created, &existing.id, &existing.number,
                &existing.customer_number, "", link.document.as_deref().unwrap_or("{}"), &link.lines) {
                return Outcome::Retry(store_error(e));
            }
        }
        return super::refunds::cancel::cancel_order(rt, nav, job, order.id, &rec).await;
    }
    let wanted = rt.settings.orders.statuses.iter().any(|s| s == &order.status);
    match link.as_ref().map(|l| l.state) {
        None | Some(OrderLinkState::Deleted) if !wanted => Outcome::Skipped(format!(
            "status {:?} is not sent to NAV (settings: orders.statuses = {:?})",
            order.status, rt.settings.orders.statuses
        )),
        Some(OrderLinkState::Posted) => {
            audit_decision(rt, job, "change after posting", serde_json::json!({
                "policy": "changes to orders NAV has posted are recorded, not applied",
                "order": order,
            }));
            let _ = rt.store.bind_order(
                order.id,
                &link.as_ref().map(|l| l.external_document_number.clone()).unwrap_or_default(),
                OrderLinkState::Posted,
                link.as_ref().and_then(|l| l.nav_id.as_deref()).unwrap_or(""),
                link.as_ref().and_then(|l| l.nav_number.as_deref()).unwrap_or(""),
                link.as_ref().and_then(|l| l.customer_number.as_deref()).unwrap_or(""),
                &fingerprint,
                link.as_ref().and_then(|l| l.document.as_deref()).unwrap_or("{}"),
                &link.as_ref().map(|l| l.lines.clone()).unwrap_or_default(),
            );
            Outcome::Skipped("NAV already posted this order; the change is recorded in the audit trail, not applied".into())
        }
        Some(OrderLinkState::Created) | Some(OrderLinkState::Held) => {
            let link = link.expect("matched Some");
            update(rt, nav, job, &order, &fingerprint, &link, &rec).await
        }
        _ => create(rt, nav, job, &order, &fingerprint, link.as_ref(), &rec).await,
    }
}

fn store_error(e: crate::store::StoreError) -> AdapterError {
    AdapterError::BadResponse { system: crate::adapter::System::Nav, detail: format!("local state: {e}") }
}

/// Resolves the NAV customer number, creating the customer if nobody has the e-mail.
async fn resolve_customer(rt: &Runtime, nav: &Nav, job: &Job, order: &Order, decision: &crate::config::Decision, rec: &Recorder) -> Result<CustomerChoice, Outcome> {
    let key = crate::mapper::customer::link_key(order);
    let link = rt.store.customer_link(&key).map_err(|e| Outcome::Retry(store_error(e)))?;
    let plan = plan_customer(order, &rt.settings.orders, link.as_ref()).map_err(|e| Outcome::Park(e.to_string()))?;
    match plan {
        CustomerPlan::Linked { number, .. } => Ok(CustomerChoice { number, shared_guest: false }),
        CustomerPlan::SharedGuest { number } => Ok(CustomerChoice { number, shared_guest: true }),
        CustomerPlan::FindOrCreate { link_key, email, mut draft } => {
            // A new customer gets the rule's price group and posting groups at creation (through
            // the Customer page, since API v2.0 has no such fields), so its orders inherit the
            // group without another request and NAV can post them.
            draft.price_group = decision.price_group.as_deref().map(crate::model::nav::code);
            draft.posting_groups = decision.posting_groups().codes();
            // Payment terms and method as the customer sync maps them, by the order's payment method.
            draft.payment_terms = rt.settings.customers.payment_terms_for(&order.payment_method).map(crate::model::nav::code);
            draft.payment_method = rt.settings.customers.payment_method_for(&order.payment_method).map(crate::model::nav::code);
            // One creation at a time with the customer sync: a checkout that registers an account
            // sends customer.created and order.created together (flows/customers::CREATION).
            let _creating = crate::flows::customers::CREATION.lock().await;
            let found = if email.is_empty() {
                Vec::new()
            } else {
                let result = nav.find_customers_by_email(&email, rec).await;
                audit_exchanges(rt, job, "find customer by e-mail", rec);
                result.map_err(Outcome::Retry)?
            };
            let (number, nav_id, created) = match found.len() {
                0 => {
                    let result = nav.create_customer(&draft, rec).await;
                    audit_exchanges(rt, job, "create customer", rec);
                    let customer = result.map_err(|e| match e {
                        AdapterError::Rejected { message, .. } => Outcome::Park(format!("NAV refused the new customer {:?}: {message}", draft.display_name)),
                        AdapterError::NotFound { what, .. } => Outcome::Park(format!("NAV has no {what}")),
                        other => Outcome::Retry(other),
                    })?;
                    if let Some(group) = &draft.price_group {
                        remember_price_group(rt, &customer.number, group);
                    }
                    (customer.number, customer.id, true)
                }
                1 => (found[0].number.clone(), found[0].id.clone(), false),
                _ => {
                    let numbers: Vec<&str> = found.iter().map(|c| c.number.as_str()).collect();
                    return Err(Outcome::Park(format!(
                        "{} NAV customers have the e-mail {email} ({}); link the right one (ml-connector-agent link customers) and replay",
                        found.len(),
                        numbers.join(", ")
                    )));
                }
            };
            audit_decision(rt, job, "customer resolved", serde_json::json!({
                "link": link_key, "nav_number": number, "created": created,
                "payment_terms": created.then_some(&draft.payment_terms), "payment_method": created.then_some(&draft.payment_method),
                "posting_groups": created.then_some(&draft.posting_groups),
            }));
            let link = CustomerLink { link_key, nav_number: number.clone(), nav_id, price_group: None, woo_fingerprint: None, nav_fingerprint: None };
            rt.store.bind_customer(&link).map_err(|e| Outcome::Retry(store_error(e)))?;
            Ok(CustomerChoice { number, shared_guest: false })
        }
    }
}

/// The NAV customer's price group as last seen (cached per customer number; "" = none).
fn known_price_group(rt: &Runtime, number: &str) -> Option<String> {
    rt.store.customer_link(&format!("nav:{number}")).ok().flatten().and_then(|l| l.price_group)
}

fn remember_price_group(rt: &Runtime, number: &str, group: &str) {
    let link = CustomerLink {
        link_key: format!("nav:{number}"),
        nav_number: number.to_string(),
        nav_id: None,
        price_group: Some(group.to_string()),
        woo_fingerprint: None,
        nav_fingerprint: None,
    };
    if let Err(error) = rt.store.bind_customer(&link) {
        tracing::warn!(%error, "could not remember a price group");
    }
}

/// Whether the order needs its own price group: only when the rule's group differs from the
/// customer's (which the order inherits). The customer's group is read once, then remembered.
async fn order_price_group_differs(rt: &Runtime, nav: &Nav, job: &Job, customer: &str, wanted: &str, rec: &Recorder) -> Result<bool, Outcome> {
    let current = match known_price_group(rt, customer) {
        Some(group) => group,
        None => {
            let result = nav.customer_price_group(customer, rec).await;
            audit_exchanges(rt, job, "read customer price group", rec);
            let group = result.map_err(Outcome::Retry)?.unwrap_or_default();
            remember_price_group(rt, customer, &group);
            group
        }
    };
    Ok(current != wanted)
}

/// Maps the order; on unknown SKUs refreshes those items from NAV once before giving up.
async fn map_with_catalog(rt: &Runtime, nav: &Nav, job: &Job, order: &Order, customer: &CustomerChoice, rec: &Recorder) -> Result<SalesOrderDraft, Outcome> {
    let rules = evaluate_rules(&rt.settings.orders.rules, order);
    let first = map_order(order, &rt.settings.orders, customer, &rules, &rt.catalog());
    let mapped = match first {
        Ok(mapped) => mapped,
        Err(error) => {
            let unknown = unknown_skus(&error);
            if unknown.is_empty() {
                return Err(Outcome::Park(error.to_string()));
            }
            // Order line items carry no GTIN: read it from the product when GTIN matching is on.
            if rt.settings.orders.sku_match.contains(&crate::config::SkuMatch::Gtin) {
                if let Some(woo) = &rt.woo {
                    let mut enriched = order.clone();
                    let mut found_any = false;
                    for line in enriched.line_items.iter_mut().filter(|l| unknown.contains(&l.sku) && l.global_unique_id.is_empty()) {
                        let result = woo.get_product(line.product_id, line.variation_id, rec).await;
                        audit_exchanges(rt, job, "read product GTIN", rec);
                        if let Some(product) = result.map_err(Outcome::Retry)? {
                            if !product.global_unique_id.is_empty() {
                                line.global_unique_id = product.global_unique_id;
                                found_any = true;
                            }
                        }
                    }
                    if found_any {
                        if let Ok(mapped) = map_order(&enriched, &rt.settings.orders, customer, &rules, &rt.catalog()) {
                            return Ok(audited(rt, job, &rules, mapped));
                        }
                    }
                }
            }
            for sku in &unknown {
                let result = nav.find_item(sku, rec).await;
                audit_exchanges(rt, job, "look up item", rec);
                let (items, variants) = result.map_err(Outcome::Retry)?;
                let _ = rt.store.upsert_items(&items);
                let _ = rt.store.upsert_variants(&variants);
                // A variation SKU: its item may be known under the part before the separator.
                if let Some((item, _)) = sku.rsplit_once(rt.settings.orders.variant_separator.as_str()) {
                    if items.is_empty() {
                        let result = nav.find_item(item, rec).await;
                        audit_exchanges(rt, job, "look up item", rec);
                        let (items, variants) = result.map_err(Outcome::Retry)?;
                        let _ = rt.store.upsert_items(&items);
                        let _ = rt.store.upsert_variants(&variants);
                    }
                }
            }
            map_order(order, &rt.settings.orders, customer, &rules, &rt.catalog()).map_err(|e| Outcome::Park(e.to_string()))?
        }
    };
    Ok(audited(rt, job, &rules, mapped))
}

fn audited(rt: &Runtime, job: &Job, rules: &crate::mapper::RuleOutcome, mapped: crate::mapper::MappedOrder) -> SalesOrderDraft {
    audit_decision(rt, job, "mapped sales order", serde_json::json!({
        "rule": rules.rule, "decision": rules.decision, "rules_skipped": rules.skipped,
        "matches": mapped.matches, "document": mapped.draft,
    }));
    mapped.draft
}

fn unknown_skus(error: &MappingError) -> Vec<String> {
    match error {
        MappingError::UnknownSku { sku, .. } => vec![sku.clone()],
        MappingError::Several(errors) => errors.iter().flat_map(unknown_skus).collect(),
        _ => Vec::new(),
    }
}

async fn create(rt: &Runtime, nav: &Nav, job: &Job, order: &Order, fingerprint: &str, link: Option<&OrderLink>, rec: &Recorder) -> Outcome {
    let rules = evaluate_rules(&rt.settings.orders.rules, order);
    let customer = match resolve_customer(rt, nav, job, order, &rules.decision, rec).await {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let draft = match map_with_catalog(rt, nav, job, order, &customer, rec).await {
        Ok(draft) => draft,
        Err(outcome) => return outcome,
    };
    // Refunds made before NAV had the order go in with it (the refund jobs waited for this one).
    let draft = match super::refunds::netting::netted_draft(rt, job, order, draft, rec).await {
        Ok(draft) if crate::mapper::credit_memo::nothing_left(&draft) => {
            return Outcome::Skipped("every item of the order was refunded before NAV had it; nothing to send".into())
        }
        Ok(draft) => draft,
        Err(outcome) => return outcome,
    };
    let external = external_document_number(order, &rt.settings.orders);
    // Look before sending again when an earlier attempt may have reached NAV.
    let uncertain = link.map(|l| l.state == OrderLinkState::Creating).unwrap_or(false)
        || job.attempts > 1
        || crate::store::jobs::created_before(job, rt.started_at);
    let mut created: Option<NavSalesOrder> = None;
    if uncertain {
        let found = attempt!(rt, job, "look for an earlier create", rec, nav.find_sales_orders(&external, rec));
        if let Some(first) = found.first() {
            audit_decision(rt, job, "adopted existing sales order", serde_json::json!({
                "reason": "an earlier attempt's outcome was unknown; NAV already has this order",
                "external_document_number": external, "found": found,
            }));
            created = Some(first.clone());
        } else {
            // Not open: it may have been posted (and so deleted) before its answer was recorded —
            // sending it again would make a second order (found by the fault matrix,
            // commit-then-drop row, with the warehouse posting between the agent's attempts).
            let posted = attempt!(rt, job, "look for a posted invoice of an earlier create", rec, nav.posted_invoices_for_external(&external, rec));
            if let Some(invoice) = posted.first() {
                audit_decision(rt, job, "earlier create found posted", serde_json::json!({
                    "external_document_number": external, "invoices": posted.iter().map(|i| &i.number).collect::<Vec<_>>(),
                }));
                let document = serde_json::to_string(&draft).unwrap_or_default();
                if let Err(e) = rt.store.bind_order(order.id, &external, OrderLinkState::Posted, "", &invoice.order_number, &customer.number, fingerprint, &document, &[]) {
                    return Outcome::Retry(store_error(e));
                }
                return Outcome::Skipped(format!("NAV posted this order already as invoice {} (sales order {}); nothing to send", invoice.number, invoice.order_number));
            }
        }
    }
    let created = match created {
        Some(order) => order,
        None => {
            if let Err(e) = rt.store.mark_creating(order.id, &external, uncertain) {
                return Outcome::Retry(store_error(e));
            }
            let result = nav.create_sales_order(&draft, &rt.catalog(), rec).await;
            audit_exchanges(rt, job, "create sales order", rec);
            match result {
                Ok(created) => created,
                Err(AdapterError::Rejected { status, code, message, .. }) => {
                    return Outcome::Park(format!("NAV refused the sales order (HTTP {status} {code}): {message}"));
                }
                Err(error) => return Outcome::Retry(error),
            }
        }
    };
    let document = serde_json::to_string(&draft).unwrap_or_default();
    let lines: Vec<LineLink> = Vec::new();
    if let Err(e) = rt.store.bind_order(order.id, &external, OrderLinkState::Created, &created.id, &created.number, &customer.number, fingerprint, &document, &lines) {
        return Outcome::Retry(store_error(e));
    }
    finish(rt, nav, job, order, &draft, created, rec).await
}

/// After the document exists: totals guard, price group, write-back.
#[allow(clippy::too_many_arguments)]
async fn finish(
    rt: &Runtime,
    nav: &Nav,
    job: &Job,
    order: &Order,
    draft: &SalesOrderDraft,
    created: NavSalesOrder,
    rec: &Recorder,
) -> Outcome {
    let (verdict, compared) = totals_verdict(rt, draft, &created);
    audit_decision(rt, job, "totals guard", serde_json::json!({
        "woocommerce_total": draft.expected_total_including_tax, "woocommerce_net": draft.expected_total_excluding_tax,
        "nav_total": created.total_including_tax, "nav_net": created.total_excluding_tax, "compared": compared, "verdict": verdict,
    }));
    match &verdict {
        TotalsVerdict::Hold(reason) => {
            let _ = rt.store.set_order_state(order.id, OrderLinkState::Held);
            return Outcome::Held(format!("sales order {}: {reason}", created.number));
        }
        TotalsVerdict::Round(difference) => {
            let line = rounding_line(&rt.settings.orders.rounding_account, *difference);
            attempt!(rt, job, "add rounding line", rec, nav.add_line(&created, &line, &rt.catalog(), rec));
        }
        TotalsVerdict::Equal => {}
    }
    if let Some(group) = &draft.price_group {
        match order_price_group_differs(rt, nav, job, &draft.customer_number, group, rec).await {
            Ok(true) => {
                attempt!(rt, job, "set price group", rec, nav.set_order_price_group(&created, group, rec));
            }
            Ok(false) => {}
            Err(outcome) => return outcome,
        }
    }
    if created.number.is_empty() {
        return Outcome::Park("NAV answered without a sales order number".into());
    }
    super::write_back::write_back(rt, job, order.id, &created.number).await;
    Outcome::Done(format!("sales order {}", created.number))
}

fn totals_verdict(rt: &Runtime, draft: &SalesOrderDraft, nav: &NavSalesOrder) -> (TotalsVerdict, &'static str) {
    check_document_totals(
        draft.expected_total_including_tax,
        draft.expected_total_excluding_tax,
        nav.total_including_tax,
        nav.total_excluding_tax,
        rt.settings.orders.totals_tolerance,
        draft.currency_code.as_deref().unwrap_or(""),
    )
}

pub(crate) fn rounding_line(account: &str, difference: Decimal) -> SalesLineDraft {
    SalesLineDraft {
        kind: LineKind::Account,
        number: account.to_string(),
        variant_code: None,
        description: "Rounding difference to the web shop total".into(),
        quantity: Decimal::ONE,
        unit_price: difference,
        discount_amount: Decimal::ZERO,
        source: LineSource::Rounding,
    }
}

/// An order NAV already has changed in WooCommerce before NAV posted it.
async fn update(rt: &Runtime, nav: &Nav, job: &Job, order: &Order, fingerprint: &str, link: &OrderLink, rec: &Recorder) -> Outcome {
    let known = NavSalesOrder {
        id: link.nav_id.clone().unwrap_or_default(),
        number: link.nav_number.clone().unwrap_or_default(),
        external_document_number: link.external_document_number.clone(),
        customer_number: link.customer_number.clone().unwrap_or_default(),
        etag: None,
        total_including_tax: None,
        total_excluding_tax: None,
        lines: None,
    };
    let current = attempt!(rt, job, "read sales order", rec, nav.get_sales_order(&known, rec));
    let Some(current) = current else {
        let invoices = attempt!(rt, job, "look for posted invoices", rec, nav.posted_invoices(&known.number, rec));
        if invoices.is_empty() {
            let _ = rt.store.set_order_state(order.id, OrderLinkState::Deleted);
            return Outcome::Park(format!(
                "sales order {} no longer exists in NAV and was not posted (deleted there?); replay to create it again",
                known.number
            ));
        }
        let _ = rt.store.bind_order(order.id, &link.external_document_number, OrderLinkState::Posted, &known.id, &known.number,
            &known.customer_number, fingerprint, link.document.as_deref().unwrap_or("{}"), &link.lines);
        audit_decision(rt, job, "change after posting", serde_json::json!({
            "policy": "changes to orders NAV has posted are recorded, not applied", "invoices": invoices, "order": order,
        }));
        return Outcome::Skipped(format!("NAV posted sales order {} (invoices {}); the change is recorded, not applied",
            known.number, invoices.iter().map(|i| i.number.as_str()).collect::<Vec<_>>().join(", ")));
    };
    let customer = CustomerChoice { number: current.customer_number.clone(), shared_guest: false };
    let shared_guest = matches!(&rt.settings.orders.guests, crate::config::GuestPolicy::Fixed { customer_number } if *customer_number == current.customer_number);
    let customer = CustomerChoice { shared_guest, ..customer };
    let draft = match map_with_catalog(rt, nav, job, order, &customer, rec).await {
        Ok(draft) => draft,
        Err(outcome) => return outcome,
    };
    // Refunded quantities stay off; a fully refunded order is cancelled (docs/refunds.md).
    let draft = match super::refunds::netting::netted_draft(rt, job, order, draft, rec).await {
        Ok(draft) if crate::mapper::credit_memo::nothing_left(&draft) => return super::refunds::cancel::cancel_open(rt, nav, job, link, &current, rec).await,
        Ok(draft) => draft,
        Err(outcome) => return outcome,
    };
    let mut current = attempt!(rt, job, "update sales order header", rec, nav.update_sales_order_header(&current, &draft, rec));
    let nav_lines = current.lines.clone().unwrap_or_default();
    // Keep NAV lines that already say what a wanted line says; remove the rest; add what is missing.
    let mut unmatched: Vec<&SalesLineDraft> = Vec::new();
    let mut keep = vec![false; nav_lines.len()];
    for wanted in &draft.lines {
        let found = nav_lines.iter().enumerate().position(|(i, line)| !keep[i] && same_line(line, wanted, &rt.settings.refunds.amount_account));
        match found {
            Some(i) => keep[i] = true,
            None => unmatched.push(wanted),
        }
    }
    for (line, kept) in nav_lines.iter().zip(&keep) {
        let is_rounding = line.number == rt.settings.orders.rounding_account;
        if !kept && !is_rounding {
            attempt!(rt, job, "remove sales line", rec, nav.delete_line(&current, line, rec));
        }
    }
    for line in unmatched {
        attempt!(rt, job, "add sales line", rec, nav.add_line(&current, line, &rt.catalog(), rec));
    }
    current = match attempt!(rt, job, "read sales order", rec, nav.get_sales_order(&current, rec)) {
        Some(order) => order,
        None => return Outcome::Retry(AdapterError::NotFound { system: crate::adapter::System::Nav, what: format!("sales order {}", known.number) }),
    };
    let document = serde_json::to_string(&draft).unwrap_or_default();
    if let Err(e) = rt.store.bind_order(order.id, &link.external_document_number, OrderLinkState::Created, &current.id, &current.number,
        &current.customer_number, fingerprint, &document, &link.lines) {
        return Outcome::Retry(store_error(e));
    }
    // Rounding lines from before are in NAV's total; the guard compares the whole.
    let (verdict, compared) = totals_verdict(rt, &draft, &current);
    audit_decision(rt, job, "totals guard", serde_json::json!({
        "woocommerce_total": draft.expected_total_including_tax, "nav_total": current.total_including_tax,
        "nav_net": current.total_excluding_tax, "compared": compared, "verdict": verdict}));
    match verdict {
        TotalsVerdict::Hold(reason) => {
            let _ = rt.store.set_order_state(order.id, OrderLinkState::Held);
            Outcome::Held(format!("sales order {}: {reason}", current.number))
        }
        TotalsVerdict::Round(difference) => {
            let line = rounding_line(&rt.settings.orders.rounding_account, difference);
            attempt!(rt, job, "add rounding line", rec, nav.add_line(&current, &line, &rt.catalog(), rec));
            Outcome::Done(format!("sales order {} updated", current.number))
        }
        TotalsVerdict::Equal => Outcome::Done(format!("sales order {} updated", current.number)),
    }
}

/// Whether a NAV line already says what a wanted line says. An amount refund's line is priced for
/// its G/L account's tax rate once it is in NAV (`refunds::netting`), not at the order's average
/// rate the draft carries: any negative line on the refund account stands for it.
fn same_line(nav: &crate::adapter::nav::NavSalesLine, wanted: &SalesLineDraft, amount_account: &str) -> bool {
    let kind = match wanted.kind {
        LineKind::Item => "Item",
        LineKind::Account => "Account",
        LineKind::Charge => "Charge",
        LineKind::Comment => "Comment",
    };
    let same_kind = nav.line_type == kind || (wanted.kind == LineKind::Account && nav.line_type == "G_L_Account");
    let repriced_refund = matches!(wanted.source, LineSource::Refund(_)) && wanted.number == amount_account && nav.unit_price < Decimal::ZERO;
    same_kind
        && nav.number == wanted.number
        && nav.quantity == wanted.quantity
        && (repriced_refund || nav.unit_price.round_dp(5) == wanted.unit_price.round_dp(5))
        && nav.discount_amount.round_dp(2) == wanted.discount_amount.round_dp(2)
}
