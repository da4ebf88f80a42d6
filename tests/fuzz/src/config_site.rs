//! Target `config_site`: the site settings document WordPress writes into the spool (JSON, any
//! bytes an admin or a compromised site could store), merged under a configuration file and
//! validated by `config::load` as the daemon does, secrets decrypted with a fixed vault key. The
//! settings it accepts are then used as the agent uses them: every schedule asked for its next run.

use std::sync::OnceLock;

use chrono::{TimeZone, Utc};
use ml_connector_agent::config::{self, Settings};
use ml_connector_formats::Keyring;

use crate::input::{combine, hash, outcome, text, Outcome};

/// The fixed test vector of `agent/formats/testdata/envelope-vectors.json`, so seeds can carry
/// secrets that decrypt.
pub const VECTOR_KEY_FILE: &str = "mlc-key 0a1b2c3d AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";

pub fn keyring() -> &'static Keyring {
    static RING: OnceLock<Keyring> = OnceLock::new();
    RING.get_or_init(|| Keyring::parse(VECTOR_KEY_FILE, "fuzz").unwrap_or_else(|e| panic!("vector key: {e}")))
}

pub fn run(data: &[u8]) -> Outcome {
    let site = text(data);
    let pinned = serde_json::json!({"agent": {"concurrency": 8}, "orders": {"fees_account": "9999"}, "schedules": {"customers": "off"}});
    let mut seen = Vec::new();
    for (file, keyring) in [(serde_json::json!({}), Some(keyring())), (pinned, None)] {
        seen.push(match config::load(&file, Some(&site), keyring) {
            Ok(settings) => use_settings(&settings),
            Err(error) => outcome(&error.to_string()),
        });
    }
    // `load_agent` reads the file alone, before the key; the same document is a valid file.
    if let Ok(document) = serde_json::from_str::<serde_json::Value>(&site) {
        seen.push(match config::load_agent(&document) {
            Ok(agent) => hash(&agent.concurrency),
            Err(error) => outcome(&error.to_string()),
        });
    }
    combine(&seen)
}

/// What the daemon does with fresh settings that could go wrong on odd values.
pub fn use_settings(settings: &Settings) -> Outcome {
    let schedules = &settings.schedules;
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).single().unwrap_or_default();
    for schedule in [&schedules.inventory, &schedules.inventory_full, &schedules.customers, &schedules.reconcile_orders] {
        std::hint::black_box(schedule.next_after(now));
    }
    hash(&(settings.nav.is_some(), settings.woo.is_some(), settings.orders.rules.len()))
}
