//! bc-sim: a Business Central / Dynamics NAV simulator for proving the connector. It serves the
//! Entra ID token endpoint, API v2.0 (online `/v2.0/{tenant}/{environment}/api/v2.0` with Bearer
//! tokens, on-premises `/{instance}/api/v2.0` with Basic and a web service access key), NAV
//! OData V4 page web services, webhooks, BC's throttling and sim-kit's faults, over one
//! in-memory data store per company. `start(Config)` runs it in-process; the `bc-sim` binary is
//! a thin wrapper. See the README for flags, the control API and the seed format.

pub mod api;
pub mod auth;
pub mod config;
pub mod control;
pub mod entities;
pub mod error;
pub mod odata;
pub mod pages;
pub mod sales;
pub mod seed;
pub mod server;
pub mod store;
pub mod throttle;
pub mod webhooks;

pub use config::{Config, Limits, PageServices, WebhookSettings};
pub use control::{Control, EntryKind, ItemEntry};
pub use error::ApiError;
pub use sales::posting::Posted;
pub use seed::SeedSource;
pub use server::{start, CompanyInfo, RunningBcSim, SimInfo, StartError};
pub use sim_kit::{FaultSettings, Faults, Journal};
pub use webhooks::Sent;
