//! The `ml_connector` section of `phpinfo()` / `php -i`: version, paths, whether this PHP user can
//! write the spool and read the vault key, and whether the agent listens. It only looks: it never
//! creates the spool (an admin running `php -i` as root must not leave a root-owned spool behind)
//! and never shows key material, only the key id.

use std::ffi::CString;

use ext_php_rs::ffi::{php_info_print_table_end, php_info_print_table_row, php_info_print_table_start};
use ext_php_rs::zend::ModuleEntry;

use crate::spool::{self, Writable};
use crate::{handoff, ini, status, vault};

extern "C" {
    /// PHP's table of a module's directives (local and master values), as `DISPLAY_INI_ENTRIES()`.
    fn display_ini_entries(module: *mut ModuleEntry);
}

/// The module's info function, called by `phpinfo()`.
pub extern "C" fn module_info(module: *mut ModuleEntry) {
    // A panic must not cross into PHP; phpinfo() then simply shows less.
    let _ = std::panic::catch_unwind(rows);
    if !module.is_null() {
        // SAFETY: PHP hands us our own live module entry.
        unsafe { display_ini_entries(module) };
    }
}

fn rows() {
    let settings = ini::current();
    let spool = match spool::writable(&settings.spool_path) {
        Ok(Writable::Yes) => "yes".to_string(),
        Ok(Writable::NotCreatedYet) => "yes (not created yet: the first event creates it)".to_string(),
        Err(reason) => format!("no: {reason}"),
    };
    let key = match vault::active_key_id(&settings.key_path) {
        Ok(id) => format!("yes (active key id {id})"),
        Err(failure) => format!("no: {failure}"),
    };
    let agent = match handoff::agent_listening(&settings.wake_socket) {
        Ok(true) => "yes".to_string(),
        Ok(false) => "no (agent down: events wait in the spool)".to_string(),
        Err(e) => format!("no: {e}"),
    };
    // SAFETY: plain calls into PHP's info printer, between its start and end.
    unsafe { php_info_print_table_start() };
    row("ml_connector support", "enabled");
    row("Version", status::EXTENSION_VERSION);
    row("Spool", &settings.spool_path.display().to_string());
    row("Spool writable", &spool);
    row("Durability", ini::durability_name(settings.durability));
    row("Vault key", &settings.key_path.display().to_string());
    row("Vault key readable", &key);
    row("Wake socket", &settings.wake_socket.display().to_string());
    row("Agent listening", &agent);
    // SAFETY: closes the table opened above.
    unsafe { php_info_print_table_end() };
}

fn row(name: &str, value: &str) {
    let text = |s: &str| CString::new(s.replace('\0', " ")).unwrap_or_default();
    let (name, value) = (text(name), text(value));
    // SAFETY: two valid NUL-terminated strings, as the count says; PHP copies them out.
    unsafe { php_info_print_table_row(2, name.as_ptr(), value.as_ptr()) };
}
