//! The php.ini directives of `ml_connector` (all PHP_INI_SYSTEM) and the settings they make.
//!
//! PHP calls [`on_modify`] with each directive's value when the module starts (the configured value,
//! or the default), and again if FPM applies a pool's `php_admin_value`. We keep the validated
//! values in a process-wide snapshot, so a checkout reads them without walking PHP's ini table.
//! A value we refuse is logged and PHP keeps the default (at start-up) or the previous value.

use std::ffi::{c_int, c_void, CStr};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use ext_php_rs::ffi::{zend_ini_entry, zend_string};
use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};
use ml_connector_formats::spool::Durability;

use crate::failure;

const SPOOL_PATH: &CStr = c"ml_connector.spool_path";
const KEY_PATH: &CStr = c"ml_connector.key_path";
const WAKE_SOCKET: &CStr = c"ml_connector.wake_socket";
const BUSY_TIMEOUT_MS: &CStr = c"ml_connector.busy_timeout_ms";
const DURABILITY: &CStr = c"ml_connector.durability";

// The defaults of docs/php-api.md, in one place for PHP's table and for `Settings::default`.
const DEFAULT_SPOOL_PATH: &CStr = c"/var/lib/ml-connector/spool/spool.db";
const DEFAULT_KEY_PATH: &CStr = c"/etc/ml-connector/vault.key";
const DEFAULT_WAKE_SOCKET: &CStr = c"/run/ml-connector/agent.sock";
const DEFAULT_BUSY_TIMEOUT_MS: &CStr = c"250";
const DEFAULT_DURABILITY: &CStr = c"full";

/// A checkout must never hang on the spool: longer waits than this are refused as a typo.
const MAX_BUSY_TIMEOUT_MS: u64 = 60_000;

const SUCCESS: c_int = 0;
const FAILURE: c_int = -1;

/// What the directives say, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub spool_path: PathBuf,
    pub key_path: PathBuf,
    pub wake_socket: PathBuf,
    pub busy_timeout: Duration,
    pub durability: Durability,
}

/// Only in force until PHP hands us the directives at start-up, which it always does.
impl Default for Settings {
    fn default() -> Self {
        let text = |value: &CStr| value.to_string_lossy().into_owned();
        Self {
            spool_path: text(DEFAULT_SPOOL_PATH).into(),
            key_path: text(DEFAULT_KEY_PATH).into(),
            wake_socket: text(DEFAULT_WAKE_SOCKET).into(),
            busy_timeout: busy_timeout(&text(DEFAULT_BUSY_TIMEOUT_MS)).unwrap_or_default(),
            durability: durability(&text(DEFAULT_DURABILITY)).unwrap_or(Durability::Full),
        }
    }
}

static CURRENT: Mutex<Option<Settings>> = Mutex::new(None);

/// The settings in force for this process.
pub fn current() -> Settings {
    CURRENT
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .unwrap_or_default()
}

const fn directive(name: &'static CStr, default: &'static CStr) -> IniEntryDef {
    let mut def = IniEntryDef::new(name, default, IniEntryPermission::System);
    def.on_modify = Some(on_modify);
    def
}

static DIRECTIVES: IniEntryDefs<6> = IniEntryDefs::new([
    directive(SPOOL_PATH, DEFAULT_SPOOL_PATH),
    directive(KEY_PATH, DEFAULT_KEY_PATH),
    directive(WAKE_SOCKET, DEFAULT_WAKE_SOCKET),
    directive(BUSY_TIMEOUT_MS, DEFAULT_BUSY_TIMEOUT_MS),
    directive(DURABILITY, DEFAULT_DURABILITY),
    IniEntryDef::end(),
]);

extern "C" {
    fn zend_unregister_ini_entries(module_number: c_int);
}

/// Registers the directives; called once from the module's start-up (MINIT).
pub fn register(module_number: i32) {
    IniEntryDef::register(DIRECTIVES.as_slice(), module_number);
}

/// Unregisters them at module shutdown, as C extensions do with `UNREGISTER_INI_ENTRIES()`.
pub fn unregister(module_number: i32) {
    // SAFETY: called from MSHUTDOWN with the number PHP gave this module.
    unsafe { zend_unregister_ini_entries(module_number) };
}

/// PHP's `ZEND_INI_MH` handler for all our directives.
unsafe extern "C" fn on_modify(
    entry: *mut zend_ini_entry,
    new_value: *mut zend_string,
    _mh_arg1: *mut c_void,
    _mh_arg2: *mut c_void,
    _mh_arg3: *mut c_void,
    _stage: c_int,
) -> c_int {
    // SAFETY: PHP passes its live ini entry and the new value (interned or request-owned strings).
    let name = unsafe { entry.as_ref().and_then(|entry| entry.name.as_ref()) }.map(|name| name.as_bytes());
    let value = unsafe { new_value.as_ref() }
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    let outcome = std::panic::catch_unwind(|| {
        let name = name.unwrap_or_default();
        let value = String::from_utf8_lossy(value);
        apply(name, value.trim()).map_err(|reason| {
            format!(
                "php.ini {} = {value:?} ignored ({reason}); the default or previous value stays",
                String::from_utf8_lossy(name)
            )
        })
    });
    match outcome {
        Ok(Ok(())) => SUCCESS,
        Ok(Err(line)) => {
            failure::log(&line);
            FAILURE
        }
        Err(_) => FAILURE,
    }
}

/// Validates one directive's value and puts it into the snapshot.
fn apply(name: &[u8], value: &str) -> Result<(), String> {
    let mut current = CURRENT.lock().unwrap_or_else(PoisonError::into_inner);
    let settings = current.get_or_insert_with(Settings::default);
    if name == SPOOL_PATH.to_bytes() {
        settings.spool_path = absolute_path(value)?;
    } else if name == KEY_PATH.to_bytes() {
        settings.key_path = absolute_path(value)?;
    } else if name == WAKE_SOCKET.to_bytes() {
        settings.wake_socket = absolute_path(value)?;
    } else if name == BUSY_TIMEOUT_MS.to_bytes() {
        settings.busy_timeout = busy_timeout(value)?;
    } else if name == DURABILITY.to_bytes() {
        settings.durability = durability(value)?;
    } else {
        return Err("not a directive of this extension".into());
    }
    Ok(())
}

/// Relative paths would resolve against each request's working directory: refused.
fn absolute_path(value: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(value);
    if path.is_absolute() {
        Ok(path)
    } else {
        Err("expected an absolute path".into())
    }
}

fn busy_timeout(value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(ms) if ms <= MAX_BUSY_TIMEOUT_MS => Ok(Duration::from_millis(ms)),
        _ => Err(format!("expected milliseconds from 0 to {MAX_BUSY_TIMEOUT_MS}")),
    }
}

fn durability(value: &str) -> Result<Durability, String> {
    match value.to_ascii_lowercase().as_str() {
        "full" => Ok(Durability::Full),
        "normal" => Ok(Durability::Normal),
        _ => Err("expected `full` or `normal`".into()),
    }
}

/// How the settings read in phpinfo() and messages.
pub fn durability_name(durability: Durability) -> &'static str {
    match durability {
        Durability::Full => "full",
        Durability::Normal => "normal",
    }
}
