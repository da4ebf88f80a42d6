//! The doctor's PHP checks: the extension loaded by the PHP CLI (`php -m`, what WP-CLI runs) and
//! configured for PHP-FPM (an ini in FPM's scan directory that loads it), with the same spool, key
//! and socket paths as the agent. FPM itself is not run: its ini is what it loads at its next start.

use std::path::Path;

use super::{Finding, Host};
use crate::config::AgentSettings;

const EXTENSION: &str = "ml_connector";

/// The PHP version in a Debian ini directory (`/etc/php/8.2/fpm/conf.d`), for the fix lines.
fn php_version(ini_dir: &Path) -> String {
    let parts: Vec<String> = ini_dir.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    parts
        .windows(2)
        .find(|pair| pair[0] == "php" && pair[1].chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|pair| pair[1].clone())
        .unwrap_or_else(|| "8.2".into())
}

pub fn cli(host: &Host) -> Finding {
    let version = php_version(&host.fpm_ini_dir);
    let output = match (host.run)(&host.php, &["-m"]) {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Finding::warn("php.cli", format!("no PHP command line ({}) on this host: WP-CLI cannot reach the agent", host.php), format!("apt-get install php{version}-cli"));
        }
        Err(error) => return Finding::fail("php.cli", format!("`{} -m` could not run: {error}", host.php), format!("apt-get install php{version}-cli")),
    };
    if output.stdout.lines().any(|line| line.trim() == EXTENSION) {
        return Finding::ok("php.cli", format!("`{} -m` lists {EXTENSION}", host.php));
    }
    // PHP says why a listed extension did not load ("Unable to load dynamic library ...").
    let reason = output
        .stderr
        .lines()
        .chain(output.stdout.lines())
        .find(|line| line.contains(EXTENSION))
        .map(|line| format!(": {}", line.trim()))
        .unwrap_or_default();
    let state = if output.success { "" } else { " (php failed)" };
    Finding::fail("php.cli", format!("the PHP command line does not load {EXTENSION}{state}{reason}"), format!("phpenmod -v {version} -s cli {EXTENSION}"))
}

/// `key = value` pairs of an ini file, comments and sections skipped, quotes removed.
fn ini_values(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with(';') && !line.starts_with('#') && !line.starts_with('['))
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.trim().to_string(), value.trim().trim_matches('"').trim_matches('\'').to_string()))
        .collect()
}

fn loads_extension(value: &str) -> bool {
    let name = Path::new(value).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name == EXTENSION || name == format!("{EXTENSION}.so")
}

pub fn fpm(settings: &AgentSettings, host: &Host) -> Finding {
    let dir = &host.fpm_ini_dir;
    let version = php_version(dir);
    let reload = format!("systemctl reload php{version}-fpm");
    let mut entries: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "ini")).collect(),
        Err(_) => {
            return Finding::warn("php.fpm", format!("no PHP-FPM ini directory {}: PHP-FPM {version} is not installed here", dir.display()), format!("apt-get install php{version}-fpm (or --fpm-ini-dir for another layout)"));
        }
    };
    // PHP reads the scan directory in name order; a later value wins.
    entries.sort();
    let mut loaded_by = None;
    let mut directives = std::collections::BTreeMap::new();
    for path in &entries {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        for (key, value) in ini_values(&text) {
            if key == "extension" && loads_extension(&value) {
                loaded_by = Some(path.clone());
            } else if let Some(name) = key.strip_prefix("ml_connector.") {
                directives.insert(name.to_string(), (value, path.clone()));
            }
        }
    }
    let Some(ini) = loaded_by else {
        return Finding::fail("php.fpm", format!("no ini in {} loads {EXTENSION}: PHP-FPM does not hand events to the agent", dir.display()), format!("phpenmod -v {version} -s fpm {EXTENSION} && {reload}"));
    };
    // A directive left out means the extension's default, which is the agent's default.
    let defaults = crate::config::load_agent(&serde_json::json!({})).ok();
    let expected = [
        ("spool_path", &settings.spool_path, defaults.as_ref().map(|d| d.spool_path.clone())),
        ("key_path", &settings.key_path, defaults.as_ref().map(|d| d.key_path.clone())),
        ("wake_socket", &settings.wake_socket, defaults.as_ref().map(|d| d.wake_socket.clone())),
    ];
    for (name, agent_value, default) in expected {
        let (php_value, file) = match directives.get(name) {
            Some((value, file)) => (std::path::PathBuf::from(value), file.clone()),
            None => (default.unwrap_or_else(|| agent_value.clone()), ini.clone()),
        };
        if &php_value != agent_value {
            return Finding::fail(
                "php.fpm",
                format!("PHP-FPM uses ml_connector.{name} = {}, the agent {}", php_value.display(), agent_value.display()),
                format!("set ml_connector.{name} = {} in {}, then {reload}", agent_value.display(), file.display()),
            );
        }
    }
    Finding::ok("php.fpm", format!("{} loads {EXTENSION}, paths match the agent's", ini.display()))
}
