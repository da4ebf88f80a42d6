//! The ml-connector agent: takes WooCommerce events over from the spool, pushes them to
//! Business Central / NAV exactly once, writes results and stock back to WooCommerce, and keeps an
//! encrypted audit trail from which any sync can be replayed. See `docs/ARCHITECTURE.md`.

pub mod config;
pub mod model;
pub mod store;
pub mod mapper;
pub mod adapter;
pub mod pipeline;
pub mod check;
pub mod cli;
pub mod flows;
pub mod runtime;
pub mod status;
pub mod daemon;
pub mod metrics;
pub mod ingest;
