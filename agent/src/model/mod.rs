//! The shapes the agent reasons about: WooCommerce objects as the REST v3 API (and the plugin's
//! events) carry them, and the NAV documents the mappers produce.

pub mod money;
pub mod nav;
pub mod woo;
