//! Target `config_toml`: the sysadmin's configuration file (`/etc/ml-connector/agent.toml`) read by
//! `config::read_file` — the bytes are written to a scratch file, since that is what the function
//! reads — then validated alone and with a site document under it, as the daemon loads them.

use std::cell::RefCell;
use std::path::PathBuf;

use ml_connector_agent::config;

use crate::config_site::{keyring, use_settings};
use crate::input::{combine, outcome, Outcome};

/// A per-thread scratch file, removed when the thread ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// `/dev/shm` where there is one: rewriting a file on a disk file system can flush it each
/// time (ext4 does on truncate-and-rewrite), a hundred times slower than parsing it.
fn scratch_dir() -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() {
        shm
    } else {
        std::env::temp_dir()
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch(scratch_dir().join(format!(
        "ml-connector-fuzz-{}-{:?}.toml",
        std::process::id(),
        std::thread::current().id()
    ).replace(['(', ')'], ""))));
}

const SITE: &str = r#"{"schema": 1, "orders": {"order_number_prefix": "SHOP-", "rules": [{"name": "Web", "when": {"created_via": ["checkout"]}}]}}"#;

pub fn run(data: &[u8]) -> Outcome {
    let file = SCRATCH.with(|scratch| {
        let path = scratch.borrow().0.clone();
        std::fs::write(&path, data).unwrap_or_else(|e| panic!("scratch file {}: {e}", path.display()));
        config::read_file(Some(&path))
    });
    let file = match file {
        Ok(file) => file,
        Err(error) => return outcome(&error.to_string()),
    };
    let mut seen = Vec::new();
    for site in [None, Some(SITE)] {
        seen.push(match config::load(&file, site, Some(keyring())) {
            Ok(settings) => use_settings(&settings),
            Err(error) => outcome(&error.to_string()),
        });
    }
    combine(&seen)
}
