//! Ways events reach the agent besides the spool hand-off. `webhooks`: for an agent that does not
//! run next to WordPress, WooCommerce webhooks received on a listener behind the shop's reverse
//! proxy, turned into the same events the spool carries (`[ingest] mode = "webhooks"`).

pub mod webhooks;
