//! What the admin screens read: the extension's own state (`ml_connector_status()`), the agent's
//! documents in `agent_status`, and the sync state of orders (`order_sync`), as PHP arrays.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::convert::IntoZval;
use ext_php_rs::types::{ZendHashTable, Zval};
use ml_connector_formats::spool::OrderSync;

use crate::failure::Failure;
use crate::spool::{self, Writable};
use crate::{handoff, ini, vault};

pub const EXTENSION_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A PHP array being filled; insertion only fails if PHP cannot allocate, which PHP itself
/// handles by bailing out, so an error here is reported rather than expected.
struct PhpArray(ZBox<ZendHashTable>);

impl PhpArray {
    fn new() -> Self {
        Self(ZendHashTable::new())
    }

    fn set(mut self, key: &str, value: impl IntoZval) -> Result<Self, Failure> {
        self.0
            .insert(key, value)
            .map_err(|e| Failure::Spool(format!("could not build a PHP array: {e}")))?;
        Ok(self)
    }

    fn set_at(mut self, index: i64, value: impl IntoZval) -> Result<Self, Failure> {
        self.0
            .insert(index, value)
            .map_err(|e| Failure::Spool(format!("could not build a PHP array: {e}")))?;
        Ok(self)
    }
}

/// `ml_connector_status()`: never opens or creates anything the status screen should not.
pub fn extension_status() -> Result<ZBox<ZendHashTable>, Failure> {
    let settings = ini::current();
    let mut spool_ok = true;
    let mut spool_error = None;
    let mut queue_depth = None;
    let mut heartbeat = None;
    let mut snapshot = None;
    match spool::writable(&settings.spool_path) {
        Err(reason) => (spool_ok, spool_error) = (false, Some(reason)),
        Ok(Writable::NotCreatedYet) => queue_depth = Some(0),
        Ok(Writable::Yes) => {
            let read = spool::with(&settings, |spool| {
                Ok((spool.depth()?, spool.status("heartbeat")?, spool.status("snapshot")?))
            });
            match read {
                Ok((depth, beat, snap)) => (queue_depth, heartbeat, snapshot) = (Some(depth), beat, snap),
                Err(failure) => (spool_ok, spool_error) = (false, Some(failure.to_string())),
            }
        }
    }
    let key_id = vault::active_key_id(&settings.key_path).ok();
    let agent_listening = handoff::agent_listening(&settings.wake_socket).unwrap_or(false);
    let (heartbeat, heartbeat_at) = heartbeat.unzip();
    let (snapshot, snapshot_at) = snapshot.unzip();
    Ok(PhpArray::new()
        .set("extension_version", EXTENSION_VERSION)?
        .set("spool_path", settings.spool_path.display().to_string())?
        .set("spool_ok", spool_ok)?
        .set("spool_error", spool_error)?
        .set("queue_depth", queue_depth)?
        .set("key_path", settings.key_path.display().to_string())?
        .set("key_ok", key_id.is_some())?
        .set("key_id", key_id)?
        .set("wake_socket", settings.wake_socket.display().to_string())?
        .set("agent_listening", agent_listening)?
        .set("heartbeat", heartbeat)?
        .set("heartbeat_at", heartbeat_at)?
        .set("snapshot", snapshot)?
        .set("snapshot_at", snapshot_at)?
        .0)
}

/// `ml_connector_agent_status($name)`: `None` when the agent has written no such document.
pub fn agent_status(name: &str) -> Result<Option<ZBox<ZendHashTable>>, Failure> {
    let found = spool::with(&ini::current(), |spool| spool.status(name))?;
    let Some((value, updated_at)) = found else {
        return Ok(None);
    };
    Ok(Some(
        PhpArray::new().set("value", value)?.set("updated_at", updated_at)?.0,
    ))
}

/// `ml_connector_order_sync($order_ids)`: rows for the ids that have one, keyed by order id.
pub fn order_sync(order_ids: &[i64]) -> Result<ZBox<ZendHashTable>, Failure> {
    let rows = spool::with(&ini::current(), |spool| {
        let mut rows = Vec::new();
        for &id in order_ids {
            rows.extend(spool.order_sync(id)?);
        }
        Ok(rows)
    })?;
    let mut result = PhpArray::new();
    for OrderSync {
        order_id,
        state,
        nav_number,
        reason,
        updated_at,
    } in rows
    {
        let row = PhpArray::new()
            .set("state", state)?
            .set("nav_number", nav_number)?
            .set("reason", reason)?
            .set("updated_at", updated_at)?;
        result = result.set_at(order_id, row.0)?;
    }
    Ok(result.0)
}

/// The order ids of a PHP array: integers and integer strings (ids often come from `$_GET`);
/// anything else is skipped, because it cannot name an order.
pub fn order_ids(array: &ZendHashTable) -> Vec<i64> {
    array.values().filter_map(order_id).collect()
}

fn order_id(value: &Zval) -> Option<i64> {
    let value = value.dereference();
    value
        .long()
        .or_else(|| value.str().and_then(|text| text.trim().parse().ok()))
        .filter(|id| *id > 0)
}
