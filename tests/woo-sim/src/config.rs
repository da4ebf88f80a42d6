//! How to start a simulator: listeners, the site's identity, the seed, store options, faults,
//! webhook delivery and the plugin's spool. The binary's flags map one-to-one onto this.

use std::net::SocketAddr;
use std::path::PathBuf;

use sim_kit::FaultSettings;

/// What the store starts with.
#[derive(Clone, Debug, PartialEq)]
pub enum Seed {
    /// `tests/seed/demo-shop.json` (compiled in).
    Demo,
    /// Store options and the admin user only.
    Empty,
    /// A JSON file in the demo shop's format.
    File(PathBuf),
}

impl std::str::FromStr for Seed {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(match text {
            "demo" => Seed::Demo,
            "empty" => Seed::Empty,
            "" => return Err("seed must be demo, empty or a file path".into()),
            path => Seed::File(PathBuf::from(path)),
        })
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Plain HTTP listener (`127.0.0.1:0` = ephemeral port).
    pub listen: SocketAddr,
    /// HTTPS listener with a self-signed certificate.
    pub listen_tls: Option<SocketAddr>,
    /// The site's home URL (OAuth base strings, `X-WC-Webhook-Source`, links); default the HTTP
    /// listener's URL.
    pub home_url: Option<String>,
    /// Default key (`ck_…`, `cs_…`); generated when not given.
    pub consumer_key: Option<String>,
    pub consumer_secret: Option<String>,
    pub seed: Seed,
    /// Synthetic simple products added to the seed (`SYN-000001`…), for benchmarks.
    pub products: usize,
    /// Site timezone as a fixed offset from UTC.
    pub utc_offset_hours: i64,
    /// Store option `woocommerce_manage_stock`.
    pub manage_stock: bool,
    /// Order `number` = prefix + id (a sequential-number plugin's doing); empty = the id.
    pub order_number_prefix: String,
    pub faults: FaultSettings,
    /// Keep request bodies in the journal (off for benchmarks).
    pub journal_bodies: bool,
    /// Play the plugin: write events to this spool.
    pub spool: Option<PathBuf>,
    /// Send `wake <seq>` to this Unix datagram socket after writing events.
    pub wake_socket: Option<PathBuf>,
    pub webhook_delay_ms: u64,
    pub webhook_auto_run: bool,
    pub webhook_safe_ports: Vec<u16>,
    pub webhook_external_hosts: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            listen_tls: None,
            home_url: None,
            consumer_key: None,
            consumer_secret: None,
            seed: Seed::Empty,
            products: 0,
            utc_offset_hours: 1,
            manage_stock: true,
            order_number_prefix: String::new(),
            faults: FaultSettings::default(),
            journal_bodies: true,
            spool: None,
            wake_socket: None,
            webhook_delay_ms: 1000,
            webhook_auto_run: true,
            webhook_safe_ports: Vec::new(),
            webhook_external_hosts: Vec::new(),
        }
    }
}

impl Config {
    /// The demo shop on ephemeral HTTP and HTTPS ports.
    pub fn demo() -> Self {
        Self { seed: Seed::Demo, listen_tls: Some(SocketAddr::from(([127, 0, 0, 1], 0))), ..Self::default() }
    }
}
