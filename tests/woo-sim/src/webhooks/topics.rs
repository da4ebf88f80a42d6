//! The default topic map (`WC_Webhook::get_default_topic_hooks()`) and `WC_Webhook::process()`:
//! which webhooks a request's hooks trigger, with the per-request de-duplication WooCommerce does.

use crate::hooks::{Change, Object};
use crate::model::StoreData;
use crate::webhooks::delivery::Job;

pub const RESOURCES: &[&str] = &["coupon", "customer", "order", "product"];
pub const EVENTS: &[&str] = &["created", "updated", "deleted", "restored"];

/// The hooks behind a topic (shown in the webhook's `hooks` field).
pub fn hooks_of(topic: &str) -> Vec<String> {
    let fixed: &[&str] = match topic {
        "order.created" => &["woocommerce_new_order"],
        "order.updated" => &["woocommerce_update_order", "woocommerce_order_refunded", "woocommerce_delete_order_refund"],
        "order.deleted" => &["wp_trash_post", "woocommerce_trash_order"],
        "order.restored" => &["untrashed_post", "woocommerce_untrash_order"],
        "product.created" => &["woocommerce_process_product_meta", "woocommerce_new_product", "woocommerce_new_product_variation"],
        "product.updated" => &["woocommerce_process_product_meta", "woocommerce_update_product", "woocommerce_update_product_variation"],
        "product.deleted" => &["wp_trash_post"],
        "product.restored" => &["untrashed_post"],
        "customer.created" => &["user_register", "woocommerce_created_customer", "woocommerce_new_customer"],
        "customer.updated" => &["profile_update", "woocommerce_update_customer"],
        "customer.deleted" => &["delete_user"],
        "coupon.created" => &["woocommerce_process_shop_coupon_meta", "woocommerce_new_coupon"],
        "coupon.updated" => &["woocommerce_process_shop_coupon_meta", "woocommerce_update_coupon"],
        "coupon.deleted" => &["wp_trash_post"],
        "coupon.restored" => &["untrashed_post"],
        _ => match topic.strip_prefix("action.") {
            Some(hook) => return vec![hook.to_string()],
            None => &[],
        },
    };
    fixed.iter().map(|h| h.to_string()).collect()
}

/// Topics WooCommerce accepts: `resource.event` of the valid lists, or `action.<hook>` for hooks
/// starting with `woocommerce_` or `wc_` (minus a few it refuses).
pub fn is_valid(topic: &str) -> bool {
    if let Some(hook) = topic.strip_prefix("action.") {
        let refused = ["woocommerce_login_credentials", "woocommerce_product_csv_importer_check_import_file_path", "woocommerce_webhook_should_deliver"];
        return (hook.starts_with("woocommerce_") || hook.starts_with("wc_")) && !refused.contains(&hook);
    }
    match topic.split_once('.') {
        Some((resource, event)) => RESOURCES.contains(&resource) && EVENTS.contains(&event),
        None => false,
    }
}

/// The resource id a hook passes for a topic's resource.
fn resource_arg(topic: &str, object: Object) -> Option<i64> {
    let resource = topic.split_once('.').map(|(r, _)| r)?;
    match (resource, object) {
        ("order", Object::Order { id }) => Some(id),
        // Refund deletion is delivered as an update of its order.
        ("order", Object::Refund { order_id, .. }) => Some(order_id),
        ("product", Object::Product { id }) => Some(id),
        ("customer", Object::Customer { id }) => Some(id),
        _ => None,
    }
}

/// Deliveries a finished request queues.
pub fn jobs_for(store: &StoreData, change: &Change) -> Vec<Job> {
    let active: Vec<_> = store.webhooks.values().filter(|w| w.status == "active").collect();
    if active.is_empty() {
        return Vec::new();
    }
    let mut jobs: Vec<Job> = Vec::new();
    for fired in &change.hooks {
        for webhook in &active {
            let action = webhook.topic.strip_prefix("action.");
            let arg = match action {
                Some(hook) if hook == fired.hook => Some(fired.object.id()),
                Some(_) => None,
                None if hooks_of(&webhook.topic).contains(&fired.hook) => resource_arg(&webhook.topic, fired.object),
                None => None,
            };
            let Some(arg) = arg else { continue };
            if action.is_none() && !should_deliver(store, &webhook.topic, fired.object, arg) {
                continue;
            }
            // The same argument is processed once per webhook per request.
            if jobs.iter().any(|j| j.webhook_id == webhook.id && j.arg == arg) {
                continue;
            }
            jobs.push(Job { webhook_id: webhook.id, arg, hook: fired.hook.clone() });
        }
    }
    jobs
}

/// `WC_Webhook::process()` checks: orders in `draft`/`auto-draft`/`new` are skipped (a
/// `checkout-draft` is not); `customer.deleted` only for customers.
fn should_deliver(store: &StoreData, topic: &str, object: Object, arg: i64) -> bool {
    match topic {
        t if t.starts_with("order.") => match store.orders.get(&arg) {
            Some(order) => !matches!(order.status.as_str(), "draft" | "auto-draft" | "new"),
            None => true,
        },
        "customer.deleted" => matches!(object, Object::Customer { .. }),
        t if t.starts_with("product.") => store.products.get(&arg).map(|p| p.status != "auto-draft").unwrap_or(true),
        _ => true,
    }
}
