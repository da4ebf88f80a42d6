//! The PHP extension `ml_connector`: the in-process hand-off from WooCommerce to the agent.
//!
//! This file owns the PHP surface of `docs/php-api.md` (the functions and the module). None of the
//! functions throws into WordPress: parameters are taken as plain zvals and checked here (a
//! `json_encode()` that returned `false` must not become a `TypeError` in the checkout), and every
//! body runs under [`failure::guard`], so a failure or a panic becomes null/false, a reason for
//! `ml_connector_last_error()` and one line in PHP's error log.
//!
//! - [`ini`]: the php.ini directives and the settings they make,
//! - [`spool`]: the per-process spool connection and how its errors read,
//! - [`vault`]: the per-process vault key, reloaded when the key file changes,
//! - [`handoff`]: enqueue and wake,
//! - [`status`]: what the admin screens read,
//! - [`info`]: the phpinfo() section,
//! - [`failure`]: last error, logging, the panic guard.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

mod failure;
mod handoff;
mod info;
mod ini;
mod spool;
mod status;
mod vault;

use failure::{guard, Failure};

/// Validates an event (event schema), makes it durable in the spool and wakes the agent without
/// blocking. Returns the event's sequence number, or null (see `ml_connector_last_error()`).
#[php_function]
pub fn ml_connector_enqueue(event_json: &Zval) -> Option<i64> {
    guard("ml_connector_enqueue", || {
        handoff::enqueue(text(event_json, "$event_json")?)
    })
}

/// The reason of the last failure in this process, or null.
#[php_function]
pub fn ml_connector_last_error() -> Option<String> {
    failure::last()
}

/// Encrypts a secret with the vault key for one purpose (e.g. `nav_client_secret`). Returns an
/// envelope `mlc1:...`, or null (e.g. key missing or unreadable).
#[php_function]
pub fn ml_connector_encrypt(purpose: &Zval, plaintext: &Zval) -> Option<String> {
    guard("ml_connector_encrypt", || {
        let purpose = text(purpose, "$purpose")?;
        if purpose.trim().is_empty() {
            return Err(Failure::Argument {
                parameter: "$purpose",
                expected: "a purpose name",
                got: "an empty string".into(),
            });
        }
        // Never described in a failure: only its type would be, and this is a string.
        let plaintext = plaintext.zend_str().ok_or_else(|| Failure::Argument {
            parameter: "$plaintext",
            expected: "a string",
            got: type_name(plaintext).into(),
        })?;
        vault::with(&ini::current().key_path, |keyring| {
            keyring.encrypt(purpose, plaintext.as_bytes())
        })
    })
}

/// Stores a settings document (JSON) in the spool's `settings` table, for the agent.
#[php_function]
pub fn ml_connector_put_setting(name: &Zval, json: &Zval) -> bool {
    guard("ml_connector_put_setting", || {
        let name = text(name, "$name")?;
        let json = text(json, "$json")?;
        if name.trim().is_empty() {
            return Err(Failure::Argument {
                parameter: "$name",
                expected: "a setting name",
                got: "an empty string".into(),
            });
        }
        serde_json::from_str::<serde_json::Value>(json).map_err(|e| Failure::InvalidSetting {
            name: name.to_string(),
            cause: e.to_string(),
        })?;
        spool::with(&ini::current(), |spool| spool.put_setting(name, json))
    })
    .is_some()
}

/// The extension's state for the status screen; see docs/php-api.md for the keys.
#[php_function]
pub fn ml_connector_status() -> ZBox<ZendHashTable> {
    guard("ml_connector_status", status::extension_status).unwrap_or_else(ZendHashTable::new)
}

/// An `agent_status` document (e.g. `check:<request id>`) as `['value' => JSON, 'updated_at' => UTC]`,
/// or null when there is none (or on failure, see `ml_connector_last_error()`).
#[php_function]
pub fn ml_connector_agent_status(name: &Zval) -> Option<ZBox<ZendHashTable>> {
    guard("ml_connector_agent_status", || {
        status::agent_status(text(name, "$name")?)
    })
    .flatten()
}

/// Sync state of orders: `[order_id => ['state', 'nav_number', 'reason', 'updated_at']]` for the
/// ids that have a row.
#[php_function]
pub fn ml_connector_order_sync(order_ids: &Zval) -> ZBox<ZendHashTable> {
    guard("ml_connector_order_sync", || {
        let ids = order_ids.array().ok_or_else(|| Failure::Argument {
            parameter: "$order_ids",
            expected: "an array of order ids",
            got: type_name(order_ids).into(),
        })?;
        status::order_sync(&status::order_ids(ids))
    })
    .unwrap_or_else(ZendHashTable::new)
}

/// Wakes the agent now: `sent`, `agent-down`, `busy` or `failed`.
#[php_function]
pub fn ml_connector_wake() -> &'static str {
    guard("ml_connector_wake", handoff::wake_now).unwrap_or("failed")
}

/// A string parameter, or a failure naming what was passed instead.
fn text<'a>(value: &'a Zval, parameter: &'static str) -> Result<&'a str, Failure> {
    match value.zend_str() {
        Some(string) => string.as_str().map_err(|_| Failure::Argument {
            parameter,
            expected: "UTF-8 text",
            got: "a string of other bytes".into(),
        }),
        None => Err(Failure::Argument {
            parameter,
            expected: "a string",
            got: type_name(value).into(),
        }),
    }
}

fn type_name(value: &Zval) -> &'static str {
    let value = value.dereference();
    if value.is_null() {
        "null"
    } else if value.is_bool() {
        "bool"
    } else if value.is_long() {
        "int"
    } else if value.is_double() {
        "float"
    } else if value.is_string() {
        "string"
    } else if value.is_array() {
        "array"
    } else if value.is_object() {
        "object"
    } else {
        "resource"
    }
}

fn startup(_type: i32, module_number: i32) -> i32 {
    ini::register(module_number);
    0
}

extern "C" fn shutdown(_type: i32, module_number: i32) -> i32 {
    ini::unregister(module_number);
    0
}

#[php_module]
#[php(startup = "startup")]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .name("ml_connector")
        .shutdown_function(shutdown)
        .info_function(info::module_info)
        .function(wrap_function!(ml_connector_enqueue))
        .function(wrap_function!(ml_connector_last_error))
        .function(wrap_function!(ml_connector_encrypt))
        .function(wrap_function!(ml_connector_put_setting))
        .function(wrap_function!(ml_connector_status))
        .function(wrap_function!(ml_connector_agent_status))
        .function(wrap_function!(ml_connector_order_sync))
        .function(wrap_function!(ml_connector_wake))
}
