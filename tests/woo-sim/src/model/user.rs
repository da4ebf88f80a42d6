//! WordPress users: customers, and the staff users that own API keys and webhooks.

use crate::clock::Timestamp;
use crate::model::order::{Address, Meta};

#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `administrator`, `shop_manager`, `customer`, `subscriber`, or any custom role.
    pub role: String,
    pub registered: Timestamp,
    /// User meta `last_update`, shown as the customer's `date_modified`.
    pub last_update: Timestamp,
    pub billing: Address,
    pub shipping: Address,
    pub is_paying_customer: bool,
    pub meta: Vec<Meta>,
}

impl User {
    /// Users the REST API lets manage shop data (`manage_woocommerce` capability).
    pub fn can_manage_shop(&self) -> bool {
        matches!(self.role.as_str(), "administrator" | "shop_manager")
    }
}

/// A REST API key (`woocommerce_api_keys` row).
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub key_id: i64,
    pub user_id: i64,
    pub description: String,
    /// `read`, `write` or `read_write`.
    pub permissions: String,
    /// `hash_hmac('sha256', ck, 'wc-api')`, hex: the plain key is never stored.
    pub consumer_key_hash: String,
    pub consumer_secret: String,
    pub truncated_key: String,
    pub last_access: Option<Timestamp>,
}
