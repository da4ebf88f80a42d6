//! The running simulator's shared state and what happens when a request ends: the hooks it fired
//! go to the hook log, the events the plugin would write go to the spool, and webhook deliveries
//! are queued — all after the store lock is released.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use sim_kit::{Faults, Journal};

use crate::auth::KeyStore;
use crate::config::{Config, Seed};
use crate::events::{EventLog, EventSink};
use crate::hooks::{Change, HookLog};
use crate::model::StoreData;
use crate::webhooks::delivery::{Deliveries, DeliverySettings, Job};

/// The site's home URL, split the way `get_home_url()` uses it.
#[derive(Clone, Debug)]
pub struct Home {
    /// Without trailing slash, e.g. `http://127.0.0.1:8080` or `https://shop.example/store`.
    pub url: String,
    pub host: String,
    pub port: Option<u16>,
    /// Path without trailing slash (`""` for a site at the root).
    pub path: String,
}

impl Home {
    pub fn parse(text: &str) -> Result<Self, String> {
        let parsed = url::Url::parse(text).map_err(|e| format!("home URL {text:?}: {e}"))?;
        let host = parsed.host_str().ok_or_else(|| format!("home URL {text:?} has no host"))?.to_string();
        let path = parsed.path().trim_end_matches('/').to_string();
        let url = format!("{}://{}{}{}", parsed.scheme(), host_for_url(&host), parsed.port().map(|p| format!(":{p}")).unwrap_or_default(), path);
        Ok(Self { url, host, port: parsed.port_or_known_default(), path })
    }

    /// `get_home_url(null, $path, is_ssl() ? 'https' : 'http')` for a request path, after
    /// WooCommerce removed the home path prefix from it.
    pub fn base_uri(&self, tls: bool, request_path: &str) -> String {
        let prefix = format!("{}/", self.path);
        let path = request_path.strip_prefix(&prefix).unwrap_or(request_path);
        let scheme = if tls { "https" } else { "http" };
        let rest = self.url.split_once("://").map(|(_, r)| r).unwrap_or(&self.url);
        format!("{scheme}://{rest}/{}", path.trim_start_matches('/'))
    }
}

fn host_for_url(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

pub struct Sim {
    store: RwLock<StoreData>,
    pub keys: KeyStore,
    pub hooks: HookLog,
    pub events: EventLog,
    pub sink: Option<EventSink>,
    pub deliveries: Deliveries,
    pub home: Home,
    pub faults: Faults,
    pub journal: Journal,
    pub config: Config,
    request_seq: AtomicU64,
}

/// What a finished request still has to publish once the store lock is released.
pub struct Publish {
    events: Vec<ml_connector_formats::Event>,
    jobs: Vec<Job>,
}

impl Sim {
    pub fn new(config: Config, home: Home, store: StoreData, sink: Option<EventSink>, faults: Faults, journal: Journal) -> Self {
        let settings = DeliverySettings::from_config(&config);
        Self {
            store: RwLock::new(store),
            keys: KeyStore::default(),
            hooks: HookLog::default(),
            events: EventLog::default(),
            sink,
            deliveries: Deliveries::new(settings),
            home,
            faults,
            journal,
            config,
            request_seq: AtomicU64::new(0),
        }
    }

    pub fn read(&self) -> RwLockReadGuard<'_, StoreData> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn write(&self) -> RwLockWriteGuard<'_, StoreData> {
        self.store.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts the record of one request (or one control action).
    pub fn change(&self, path: &str, agent: bool) -> Change {
        let id = self.request_seq.fetch_add(1, Ordering::Relaxed) + 1;
        Change::new(id, path, agent, crate::clock::now())
    }

    /// Logs the hooks and works out events and webhook jobs while the store is still locked.
    pub fn prepare(&self, store: &StoreData, change: &Change) -> Publish {
        self.hooks.record(change);
        let events = crate::events::events_for(store, change);
        let jobs = crate::webhooks::topics::jobs_for(store, change);
        Publish { events, jobs }
    }

    /// Writes the events to the spool (durable before the request answers, as the plugin's
    /// `shutdown` handler is) and queues the webhook deliveries.
    pub async fn publish(self: &Arc<Self>, publish: Publish) {
        if !publish.events.is_empty() {
            self.events.record(&publish.events);
            if let Some(sink) = &self.sink {
                sink.write(publish.events).await;
            }
        }
        if !publish.jobs.is_empty() {
            self.deliveries.enqueue(publish.jobs);
        }
    }

    /// Replaces the store with a fresh seed; keys, hooks, events and deliveries start over.
    pub fn reset(&self, seed: &Seed, products: usize) -> Result<(), crate::seed::SeedError> {
        let fresh = crate::seed::build(seed, products, &self.config, &self.home)?;
        *self.write() = fresh;
        self.keys.clear();
        crate::seed::install_keys(&self.keys, &self.config);
        self.hooks.clear();
        self.events.clear();
        self.deliveries.clear();
        Ok(())
    }
}
