//! A webhook row (`wc_webhooks`).

use crate::clock::Timestamp;

#[derive(Clone, Debug)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    /// `active`, `paused` or `disabled`.
    pub status: String,
    pub topic: String,
    pub delivery_url: String,
    pub secret: String,
    pub user_id: i64,
    pub api_version: String,
    pub failure_count: u32,
    /// True until a ping got an exact 200.
    pub pending_delivery: bool,
    pub date_created: Timestamp,
    pub date_modified: Timestamp,
}
